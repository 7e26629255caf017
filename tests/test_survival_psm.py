"""Partitioned survival model: hand-worked exponential cases, invariants, constraints, analyses downstream."""

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from healthecon import cea, dsa, voi
from healthecon.distributions import Gamma, LogNormal, Normal
from healthecon.errors import ModelDefinitionError, ParameterError, ShapeError, UnknownNameError
from healthecon.lifetable import LifeTable
from healthecon.outcomes import validate_outcomes
from healthecon.params import Parameters
from healthecon.plot import plot_ce_plane, plot_ceac, plot_trace
from healthecon.survival import ParametricCurve
from healthecon.survival.psm import CurveCrossingWarning, PartitionedSurvivalModel
from healthecon.survival.transforms import BackgroundMortality, HazardRatio, StepSurvival, Waning

matplotlib.use("Agg")


class Exponential:
    """A test curve: exponential with a rate that is a number or a parameter's draws."""

    def __init__(self, rate):
        self.rate = rate
        self.parameter_names = (rate,) if isinstance(rate, str) else ()

    def survival(self, t, draws=None):
        rate = draws[self.rate].values[:, None] if isinstance(self.rate, str) else self.rate
        return np.exp(-rate * np.asarray(t, float)[None, :])

    def __repr__(self):
        return f"Exponential({self.rate!r})"


class Rising:
    def survival(self, t, draws=None):  # 1 at time 0, then 0.6 at year 1, rising after
        t = np.asarray(t, float)
        return np.where(t == 0, 1.0, np.minimum(1.0, 0.5 + 0.1 * t))[None, :]


def three_state(pfs, os, **kw):
    options = dict(n_cycles=10, correction="end", discount_costs=0.0, discount_effects=0.0)
    options.update(kw)
    return PartitionedSurvivalModel({"only": {"PFS": pfs, "OS": os}}, **options)


# --------------------------------------------------------------------------- hand-worked
def test_exponential_state_occupancy_matches_closed_form():
    out = three_state(Exponential(0.3), Exponential(0.1), n_cycles=5).run({}, trace=True)
    t = np.arange(6.0)
    trace = out["trace"].sel(strategy="only").isel(sample=0)
    np.testing.assert_allclose(trace.sel(state="progression-free"), np.exp(-0.3 * t), rtol=1e-13)
    np.testing.assert_allclose(trace.sel(state="progressed"), np.exp(-0.1 * t) - np.exp(-0.3 * t), rtol=1e-13)
    np.testing.assert_allclose(trace.sel(state="dead"), 1 - np.exp(-0.1 * t), rtol=1e-13)


def test_discounted_life_years_are_a_geometric_series():
    # end-of-cycle counting, 3.5% a year: sum_{t=1..T} (e^-rate / 1.035)^t
    T, rate, r = 20, 0.15, 0.035
    q = np.exp(-rate) / (1 + r)
    out = three_state(Exponential(0.4), Exponential(rate), n_cycles=T, discount_effects=r).run({})
    assert float(out["ly"][0, 0]) == pytest.approx(q * (1 - q**T) / (1 - q), rel=1e-12)
    assert float(out["ly_undiscounted"][0, 0]) == pytest.approx(np.exp(-rate * np.arange(1, T + 1)).sum(), rel=1e-12)


def test_half_cycle_qalys_and_costs_by_state_worked_by_hand():
    # two annual cycles, half-cycle correction, costs at 5% and QALYs undiscounted
    model = three_state(Exponential(0.5), Exponential(0.2), n_cycles=2, correction="half-cycle", discount_costs=0.05,
                        state_rewards={"qaly": {"progression-free": 0.8, "progressed": 0.5}, "cost_care": {"progressed": 1000.0}})
    out = model.run({})
    pf = np.exp(-0.5 * np.arange(3.0))
    pd = np.exp(-0.2 * np.arange(3.0)) - pf
    w = np.array([0.5, 1.0, 0.5])
    assert float(out["qaly"][0, 0]) == pytest.approx(0.8 * w @ pf + 0.5 * w @ pd, rel=1e-12)
    d = 1.05 ** -np.arange(3.0)
    assert float(out["cost"][0, 0]) == pytest.approx(1000 * (w * d) @ pd, rel=1e-12)
    by_state = out["qaly_by_state"].sel(strategy="only").isel(sample=0)
    assert by_state.sel(state="progression-free") == pytest.approx(0.8 * w @ pf)
    assert by_state.sel(state="dead") == 0
    assert out["cost_care_by_state"].sum("state").values == pytest.approx(out["cost_care"].values)


def test_monthly_cycle_length_multiplies_annual_values():
    annual = three_state(Exponential(0.3), Exponential(0.1), n_cycles=24, cycle_length=1 / 12,
                         state_rewards={"cost_drug": {"progression-free": 12_000.0}}).run({})
    pf = np.exp(-0.3 * np.arange(1, 25) / 12)
    assert float(annual["cost_drug"][0, 0]) == pytest.approx(1000.0 * pf.sum(), rel=1e-12)


def test_entry_cost_of_death_totals_all_deaths():
    model = three_state(Exponential(0.3), Exponential(0.1), n_cycles=8,
                        entry_rewards={"cost_death": {"dead": 5000.0}, "cost_progression": {"progressed": 100.0}})
    out = model.run({})
    assert float(out["cost_death"][0, 0]) == pytest.approx(5000 * (1 - np.exp(-0.8)), rel=1e-12)
    assert float(out["cost_progression"][0, 0]) == pytest.approx(100 * (1 - np.exp(-2.4)), rel=1e-12)


def test_entry_costs_discounted_mid_cycle_under_half_cycle():
    model = three_state(Exponential(0.3), Exponential(0.1), n_cycles=3, correction="half-cycle", discount_costs=0.05,
                        entry_rewards={"cost_death": {"dead": 1.0}})
    deaths = -np.diff(np.exp(-0.1 * np.arange(4.0)))
    assert float(model.run({})["cost_death"][0, 0]) == pytest.approx(deaths @ 1.05 ** -(np.arange(3) + 0.5), rel=1e-12)


def test_time_dependent_reward_applies_per_cycle():
    # drug cost in the first year only, monthly cycles, end-of-cycle counting
    def drug(p, strategy, time):
        return {"progression-free": 12_000.0 if time.years < 1 else 0.0}

    out = three_state(Exponential(0.3), Exponential(0.1), n_cycles=36, cycle_length=1 / 12,
                      state_rewards={"cost_drug": drug}).run({})
    assert float(out["cost_drug"][0, 0]) == pytest.approx(1000 * np.exp(-0.3 * np.arange(1, 13) / 12).sum(), rel=1e-12)


def test_discount_timing_start_discounts_each_corrected_cycle_once():
    model = three_state(Exponential(0.5), Exponential(0.2), n_cycles=3, correction="trapezoid", discount_effects=0.03,
                        discount_timing="start")
    os = np.exp(-0.2 * np.arange(4.0))
    expected = ((os[:-1] + os[1:]) / 2) @ 1.03 ** -np.arange(3.0)
    assert float(model.run({})["ly"][0, 0]) == pytest.approx(expected, rel=1e-12)


def test_initial_reward_and_parameter_names_in_rewards():
    model = PartitionedSurvivalModel(
        {"a": [Exponential(0.3), Exponential("os_rate")], "b": [Exponential(0.2), Exponential("os_rate")]},
        n_cycles=5, correction="end", discount_costs=0, discount_effects=0,
        state_rewards={"qaly": {"progression-free": "u_pf", "progressed": 0.5}}, initial_rewards={"cost_surgery": {"b": "c_surgery"}})
    assert set(model.parameters) == {"os_rate", "u_pf", "c_surgery"}
    draws = {"os_rate": np.array([0.1, 0.2]), "u_pf": np.array([0.8, 0.9]), "c_surgery": np.array([100.0, 200.0])}
    out = model.run(draws)
    assert out["cost_surgery"].values.tolist() == [[0.0, 100.0], [0.0, 200.0]]
    pf = np.exp(-0.3 * np.arange(1, 6))
    pd = np.exp(-0.2 * np.arange(1, 6)) - pf
    assert float(out["qaly"].sel(strategy="a")[1]) == pytest.approx(0.9 * pf.sum() + 0.5 * pd.sum(), rel=1e-12)


def test_four_states_from_three_curves():
    model = PartitionedSurvivalModel({"only": [Exponential(0.6), Exponential(0.3), Exponential(0.1)]},
                                     states=["response", "stable", "progressed", "dead"], n_cycles=4, correction="end")
    out = model.run({}, trace=True)
    trace = out["trace"].isel(sample=0, strategy=0)
    t = np.arange(5.0)
    np.testing.assert_allclose(trace.sel(state="stable"), np.exp(-0.3 * t) - np.exp(-0.6 * t), rtol=1e-13)
    assert list(out["restricted_mean"].curve.values) == ["S1", "S2", "S3"]


def test_restricted_mean_of_exponential_with_simpson_is_the_integral():
    tau, rate = 10.0, 0.25
    out = three_state(Exponential(0.5), Exponential(rate), n_cycles=120, cycle_length=1 / 12, correction="simpson").run({})
    exact = (1 - np.exp(-rate * tau)) / rate
    bound = tau / 180 * (1 / 12) ** 4 * rate**4  # composite Simpson's rule: (b - a) h^4 max|f(4)| / 180
    assert float(out["restricted_mean"].sel(curve="OS")[0, 0]) == pytest.approx(exact, abs=bound)
    assert float(out["ly_undiscounted"][0, 0]) == pytest.approx(exact, abs=bound)


# --------------------------------------------------------------------------- invariants
weibull = st.tuples(st.floats(0.5, 2.5), st.floats(0.05, 1.0))


@settings(max_examples=60, deadline=None)
@given(pfs=weibull, os=weibull, rule=st.sampled_from(["cap", "hazard"]))
def test_membership_sums_to_one_and_pfs_below_os(pfs, os, rule):
    model = three_state(ParametricCurve("weibullPH", shape=pfs[0], scale=pfs[1]),
                        ParametricCurve("weibullPH", shape=os[0], scale=os[1]), n_cycles=30, crossing=rule)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CurveCrossingWarning)
        out = model.run({}, trace=True)
    trace = out["trace"].values
    np.testing.assert_allclose(trace.sum(-1), 1.0, atol=1e-12)
    assert (trace[..., 1] >= -1e-12).all()  # progressed = OS - PFS >= 0
    assert (out["restricted_mean"].sel(curve="PFS") <= out["restricted_mean"].sel(curve="OS") + 1e-12).all()


@settings(max_examples=30, deadline=None)
@given(shape=st.floats(0.5, 2.5), scale=st.floats(0.05, 1.0), n_cycles=st.integers(2, 40))
def test_pfs_equal_to_os_leaves_progressed_state_empty(shape, scale, n_cycles):
    curve = ParametricCurve("weibullPH", shape=shape, scale=scale)
    out = three_state(curve, curve, n_cycles=n_cycles, state_rewards={"qaly": {"progressed": 1.0}}).run({}, trace=True)
    assert (out["trace"].sel(state="progressed").values == 0).all()
    assert float(out["qaly"][0, 0]) == 0.0
    assert out.attrs["crossing_cycles"].tolist() == [0]


@settings(max_examples=30, deadline=None)
@given(shape=st.floats(1.0, 2.5), scale=st.floats(0.05, 0.8))
def test_restricted_mean_equals_integral_of_curve(shape, scale):
    curve = ParametricCurve("weibullPH", shape=shape, scale=scale)
    out = three_state(curve, curve, n_cycles=240, cycle_length=1 / 12, correction="trapezoid").run({})
    exact = quad(lambda t: np.exp(-scale * t**shape), 0, 20, epsabs=1e-12)[0]
    fine = np.linspace(0, 20, 20_001)
    second = np.abs(np.gradient(np.gradient(np.exp(-scale * fine**shape), fine), fine)).max()
    bound = 20 * (1 / 12) ** 2 / 12 * second * 1.1  # trapezoid rule: (b - a) h^2 max|f''| / 12, 10% for the estimate of f''
    assert float(out["restricted_mean"].sel(curve="OS")[0, 0]) == pytest.approx(exact, abs=bound)


def test_results_do_not_depend_on_chunking():
    rng = np.random.default_rng(3)
    draws = xr.Dataset({"os_rate": ("sample", rng.uniform(0.05, 0.3, 37)), "hr": ("sample", rng.uniform(0.5, 1.2, 37))})
    control = ParametricCurve("weibullPH", shape=1.2, scale="os_rate")
    runs = []
    for chunk in (1, 7, 37, 1000):
        model = PartitionedSurvivalModel({"control": [Exponential(0.4), control],
                                          "new": [HazardRatio(Exponential(0.4), "hr"), HazardRatio(control, "hr")]},
                                         n_cycles=50, cycle_length=0.25, chunk_size=chunk,
                                         state_rewards={"qaly": {"progression-free": 0.8, "progressed": 0.6}})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CurveCrossingWarning)
            runs.append(model.run(draws, trace=True))
    for other in runs[1:]:
        xr.testing.assert_identical(runs[0], other)


def test_results_do_not_depend_on_chunking_with_many_samples():
    # enough samples x curves that the run keeps BLAS to one thread; PFS crosses OS in some samples
    params = Parameters(shape=LogNormal.from_mean_sd(1.2, 0.1), scale=Gamma.from_mean_sd(0.3, 0.05),
                        hr=LogNormal.from_mean_sd(0.7, 0.1), u=Gamma.from_mean_sd(0.7, 0.05))
    draws = params.sample(1500, seed=11)
    pfs = ParametricCurve("weibullPH", shape=1.3, scale="scale")
    os_ = ParametricCurve("weibullPH", shape="shape", scale=0.2)
    runs = []
    for chunk in (None, 1500, 1000, 333):
        model = PartitionedSurvivalModel({"control": [pfs, os_], "new": [HazardRatio(pfs, "hr"), HazardRatio(os_, 0.8)]},
                                         n_cycles=36, cycle_length=1 / 12, chunk_size=chunk,
                                         state_rewards={"qaly": {"progression-free": "u", "progressed": 0.5}},
                                         entry_rewards={"cost_progression": {"progressed": 1000.0}})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CurveCrossingWarning)
            runs.append(model.run(draws))
    assert runs[0].attrs["crossing_samples"].sum() > 0
    for other in runs[1:]:
        xr.testing.assert_identical(runs[0], other)


def test_results_do_not_depend_on_chunking_with_splines_waning_mortality_and_rewards_by_time():
    # the parts a fitted-curve model adds: a spline read from draws, a hazard ratio that wanes,
    # a floor of general-population mortality, and rewards that change with time
    params = Parameters(g0=Normal(-2.0, 0.1), g1=Normal(1.1, 0.05), hr=LogNormal.from_mean_sd(0.7, 0.05),
                        hr_os=LogNormal.from_mean_sd(0.6, 0.05), c=Gamma.from_mean_sd(1000, 100))
    draws = params.sample(300, seed=5)
    pfs = ParametricCurve("spline", gamma0="g0", gamma1="g1", gamma2=0.02, knots=np.log([0.5, 4.0, 15.0]))
    table = LifeTable(np.arange(0, 111), 1 - np.exp(-0.00005 * np.exp(0.09 * np.arange(0, 111))), extend_last=True)

    def floor(curve):
        return BackgroundMortality(curve, table, start_age=60)

    curves = {"old": {"PFS": floor(pfs), "OS": floor(HazardRatio(pfs, "hr_os"))},
              "new": {"PFS": floor(Waning(HazardRatio(pfs, "hr"), pfs, start=2, end=4)),
                      "OS": floor(Waning(HazardRatio(HazardRatio(pfs, "hr_os"), "hr"), HazardRatio(pfs, "hr_os"), start=2, end=4))}}
    runs = []
    for chunk in (None, 300, 128, 7):
        model = PartitionedSurvivalModel(
            curves, n_cycles=120, cycle_length=1 / 12, chunk_size=chunk,
            state_rewards={"cost_drug": lambda p, s, time: {"progression-free": p["c"] if s == "new" and time.years < 1 else 0.0},
                           "qaly": lambda p, s, time: {"progression-free": 0.8 - 0.001 * time.cycle, "progressed": 0.6}},
            entry_rewards={"cost_progression": lambda p, s, time: {"progressed": 500.0 + time.years}})
        runs.append(model.run(draws, trace=True))
    assert float(runs[0]["cost_drug"].sel(strategy="new").min()) > 0
    for other in runs[1:]:
        xr.testing.assert_identical(runs[0], other)


def test_chunked_run_with_fixed_curves_and_uncertain_rewards():
    # the curves read no parameters (only the rewards do), so chunks of curves carry no draws
    draws = xr.Dataset({"u": ("sample", np.linspace(0.5, 0.8, 50))})
    runs = [PartitionedSurvivalModel({"usual care": [ParametricCurve("exponential", rate=0.5), ParametricCurve("exponential", rate=0.2)]},
                                     n_cycles=10, chunk_size=chunk, state_rewards={"qaly": {"progression-free": "u", "progressed": 0.5}}).run(draws)
            for chunk in (None, 7)]
    xr.testing.assert_identical(runs[0], runs[1])
    assert runs[1]["qaly"].values[0, 0] < runs[1]["qaly"].values[-1, 0]  # each sample its own utility


def test_curve_of_the_wrong_shape_is_reported_as_such():
    class OneTimeShort:  # a cumulative hazard with one time too few
        def survival(self, t, draws=None): return np.exp(-self.cumulative_hazard(t, draws))
        def cumulative_hazard(self, t, draws=None): return 0.1 * np.asarray(t)[None, 1:]
    model = three_state(OneTimeShort(), Exponential(0.1), n_cycles=5)
    with pytest.raises(ShapeError, match="expected"):
        model.run({})


def test_undiscounted_false_leaves_out_only_the_undiscounted_totals():
    model = three_state(Exponential(0.3), Exponential(0.1), n_cycles=12,
                        state_rewards={"qaly": {"progression-free": 0.8, "progressed": 0.6}, "cost_care": {"progressed": 500.0}},
                        entry_rewards={"cost_progression": {"progressed": 2000.0}})
    full, short = model.run({}), model.run({}, undiscounted=False)
    assert set(full.data_vars) - set(short.data_vars) == {"cost_undiscounted", "cost_care_undiscounted", "cost_progression_undiscounted",
                                                          "qaly_undiscounted", "ly_undiscounted"}
    for name in short.data_vars:
        np.testing.assert_array_equal(short[name].values, full[name].values)


# --------------------------------------------------------------------------- constraints
def test_cap_rule_reports_what_it_changed_in_attrs_and_a_warning():
    # PFS (rate 0.1) above OS (rate 0.3) from the start: every cycle after 0 is capped
    model = three_state(Exponential(0.1), Exponential(0.3), n_cycles=6)
    with pytest.warns(CurveCrossingWarning, match="1 of 1 samples, 6 sample-cycles"):
        out = model.run({}, trace=True)
    assert out.attrs["crossing"] == "cap"
    assert out.attrs["crossing_samples"].tolist() == [1] and out.attrs["crossing_cycles"].tolist() == [6]
    assert "heemod" in out.attrs["crossing_rule"]
    assert (out["trace"].sel(state="progressed").values == 0).all()


def test_hazard_rule_keeps_pfs_hazard_at_least_os_hazard():
    # OS: hazard 0.2 then 0.5 after year 3 (piecewise); PFS: constant 0.3, so it crosses OS's hazard
    class Kinked:
        def survival(self, t, draws=None):
            t = np.asarray(t, float)
            return np.exp(-(0.2 * np.minimum(t, 3) + 0.5 * np.maximum(t - 3, 0)))[None, :]

    with pytest.warns(CurveCrossingWarning):
        out = three_state(Exponential(0.3), Kinked(), n_cycles=8, crossing="hazard").run({}, trace=True)
    trace = out["trace"].isel(sample=0, strategy=0)
    pfs = trace.sel(state="progression-free").values
    os = 1 - trace.sel(state="dead").values
    assert np.all(pfs[1:] / pfs[:-1] <= os[1:] / os[:-1] + 1e-12)
    np.testing.assert_allclose(pfs[:4], np.exp(-0.3 * np.arange(4)), rtol=1e-12)  # unchanged before the kink


def test_error_rule_names_strategy_curve_sample_and_time():
    draws = {"os_rate": np.array([0.05, 0.5])}
    with pytest.raises(ModelDefinitionError, match=r"curve 'PFS' is above curve 'OS' .* at 1 years \(cycle 1\), sample 1"):
        three_state(Exponential(0.3), Exponential("os_rate"), crossing="error").run(draws)


def test_increasing_curve_raises_naming_cycle():
    with pytest.raises(ModelDefinitionError, match=r"curve 'OS': a survival curve cannot increase.*in cycle 2"):
        three_state(Exponential(0.3), Rising()).run({})


def test_survival_below_one_at_time_zero_raises():
    # a Kaplan-Meier table whose first row is at time 0 with survival 0.9 would start a tenth of
    # the cohort in the progressed state, and no entry cost would ever count them
    km = StepSurvival([0.0, 0.5, 1.0, 30.0], [0.9, 0.8, 0.7, 0.1])
    with pytest.raises(ModelDefinitionError, match=r"curve 'PFS': survival at time 0 must be 1 .*got 0.9 in sample 0"):
        three_state(km, Exponential(0.1)).run({})


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(states=["a", "b"]), ModelDefinitionError, "2 curves make 3 states"),
    (dict(crossing="swap"), ModelDefinitionError, "crossing: expected one of"),
    (dict(discount_timing="mid"), ModelDefinitionError, "discount_timing"),
    (dict(state_rewards={"qaly": {"progresed": 1}}), UnknownNameError, "unknown state 'progresed'"),
    (dict(entry_rewards={"cost_x": {"progression-free": 1}}), ModelDefinitionError, "nobody enters the first state"),
    (dict(state_rewards={"cost": {"dead": 1}}), ModelDefinitionError, "reserved"),
    (dict(n_cycles=True), ModelDefinitionError, "n_cycles: expected a whole number >= 1, got True"),
    (dict(n_cycles=float("nan")), ModelDefinitionError, "n_cycles: expected a whole number >= 1, got nan"),
    (dict(cycle_length="1"), ModelDefinitionError, "cycle_length: expected a number of years > 0"),
    (dict(chunk_size=True), ModelDefinitionError, "chunk_size: expected a whole number >= 1"),
    (dict(start_age=float("nan")), ModelDefinitionError, "start_age: expected the cohort's age at time 0"),
    (dict(start_age="age"), ModelDefinitionError, "got the name 'age'; a partitioned survival model has one age"),
])
def test_bad_definitions_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        three_state(Exponential(0.3), Exponential(0.1), **kwargs)


def test_curve_names_must_match_between_strategies():
    with pytest.raises(ModelDefinitionError, match="same curves"):
        PartitionedSurvivalModel({"a": {"PFS": Exponential(1), "OS": Exponential(1)}, "b": {"pfs": Exponential(1), "OS": Exponential(1)}}, n_cycles=2)


def test_unknown_parameter_in_a_reward_names_where():
    model = three_state(Exponential(0.3), Exponential(0.1), state_rewards={"qaly": {"progressed": "u_pd"}})
    with pytest.raises(UnknownNameError, match="state reward 'qaly', strategy 'only', cycle 1, state 'progressed': unknown parameter 'u_pd'"):
        model.run({"u_pf": np.array([0.5])})


def test_a_reward_function_reading_a_missing_parameter_is_named_itself():
    # not the reward read before it (the draws' last place of reading)
    model = three_state(Exponential(0.3), Exponential(0.1),
                        state_rewards={"cost_a": {"progressed": "c"}, "qaly": lambda p, s: {"progressed": p["zzz"]}})
    with pytest.raises(UnknownNameError, match=r"^\"?state reward 'qaly', strategy 'only', cycle 1: unknown parameter 'zzz'"):
        model.run({"c": np.array([1.0, 2.0])})


def test_bad_run_arguments_raise_clear_errors():
    model = three_state(Exponential(0.3), Exponential(0.1))
    with pytest.raises(ModelDefinitionError, match="trace: expected False, True or 'mean', got 1"):
        model.run({}, trace=1)
    assert "trace" in model.run({}, trace=np.True_)
    with pytest.raises(ModelDefinitionError, match="strategies: expected at least one"):
        model.run({}, strategies=[])
    with pytest.raises(ShapeError, match="draws: expected an xarray Dataset .* got DataFrame"):
        model.run(pd.DataFrame({"a": [1.0]}))
    with pytest.raises(ShapeError, match="no samples"):
        model.run(xr.Dataset({"a": ("sample", np.zeros(0))}))


def test_errors_in_a_chunked_run_name_the_sample_in_the_whole_run():
    # the bad value is in sample 250, in the third chunk of 100: messages count from the run's first sample
    rate = np.full(300, 0.2)
    rate[250] = np.nan
    u = np.full(300, 0.8)
    u[270] = np.inf
    hr = np.full(300, 0.7)
    hr[260] = -0.1
    draws = xr.Dataset({"rate": ("sample", rate), "u": ("sample", u), "hr": ("sample", hr)})
    pfs = ParametricCurve("exponential", rate="rate")

    def model(curve, **kw):
        return PartitionedSurvivalModel({"A": [curve, Exponential(0.05)]}, n_cycles=12, chunk_size=100, **kw)

    with pytest.raises(ParameterError, match=r"strategy 'A', curve 'PFS': .*'rate'.* is nan in sample 250"):
        model(pfs).run(draws.assign(rate=("sample", rate)))
    with pytest.raises(ParameterError, match=r"strategy 'A', curve 'PFS': hazard ratio 'hr': .*got -0.1 in sample 260"):
        model(HazardRatio(ParametricCurve("exponential", rate=0.2), "hr")).run(draws)
    with pytest.raises(ModelDefinitionError, match=r"state reward 'qaly', strategy 'A', cycle 1, state 'progression-free': "
                                                   r"parameter 'u': expected finite numbers, got inf in sample 270"):
        model(Exponential(0.2), state_rewards={"qaly": {"progression-free": "u"}}).run(draws)


def test_curve_returning_the_wrong_shape_raises():
    class Wrong:
        def survival(self, t, draws=None):
            return np.ones((3, len(t)))

    with pytest.raises(ShapeError, match=r"curve 'OS': survival\(\) returned shape \(3, 11\)"):
        three_state(Exponential(0.3), Wrong()).run({"x": np.ones(2)})


# --------------------------------------------------------------------------- downstream analyses
PARAMS = Parameters(
    os_scale=Gamma.from_mean_sd(0.12, 0.015), pfs_scale=Gamma.from_mean_sd(0.3, 0.03),
    hr=LogNormal.from_mean_sd(0.7, 0.08), c_drug=Gamma.from_mean_sd(20_000, 2_000),
)


def psa_model():
    os_c = ParametricCurve("weibullPH", shape=1.1, scale="os_scale")
    pfs_c = ParametricCurve("weibullPH", shape=1.0, scale="pfs_scale")
    return PartitionedSurvivalModel(
        {"control": {"PFS": pfs_c, "OS": os_c}, "new": {"PFS": HazardRatio(pfs_c, "hr"), "OS": HazardRatio(os_c, "hr")}},
        n_cycles=120, cycle_length=1 / 12,
        state_rewards={"cost_drug": lambda p, s: {"progression-free": p["c_drug"] if s == "new" else 0.0},
                       "cost_care": {"progression-free": 2000.0, "progressed": 8000.0},
                       "qaly": {"progression-free": 0.8, "progressed": 0.6}})


def test_icer_table_ceac_voi_dsa_and_plots_read_psm_outcomes():
    draws = PARAMS.sample(400, seed=5)
    out = psa_model().run(draws, trace="mean")
    validate_outcomes(out)
    table = cea.icer_table(out)
    assert list(table["strategy"]) == ["control", "new"] and table["icer"].iloc[1] > 0
    curve = cea.ceac(out, [0, 50_000, 1e6])
    np.testing.assert_allclose(curve.sum("strategy"), 1.0)
    assert float(curve.sel(strategy="new", wtp=1e6)) > 0.9
    assert float(voi.evpi(out, 120_000)[0]) > 0  # the decision is uncertain near the ICER
    evppi = voi.evppi(out, draws, "hr", 120_000)
    assert float(evppi["evppi"].squeeze()) >= 0
    tornado = dsa.one_way(psa_model(), PARAMS, wtp=50_000)
    assert set(tornado.index) == {"os_scale", "pfs_scale", "hr", "c_drug"}
    plane = plot_ce_plane(out, "control")
    assert len(plane.collections[0].get_offsets()) == 400  # one point per sample
    assert len(plot_ceac(out, np.linspace(0, 200_000, 21)).lines) >= 2
    ax = plot_trace(out, "new")
    assert ax.lines[0].get_ydata()[0] == pytest.approx(1.0)


def test_reward_functions_see_age_and_outcomes_save_and_load(tmp_path):
    from healthecon.outcomes import load_outcomes, save_outcomes

    def care(p, strategy, time):  # care costs 100 a year from age 65
        return {"progressed": 100.0 if time.age >= 65 else 0.0}

    model = three_state(Exponential(0.3), Exponential(0.1), n_cycles=10, start_age=60.0, state_rewards={"cost_care": care})
    out = model.run({})
    t = np.arange(6, 11)
    expected = 100 * (np.exp(-0.1 * t) - np.exp(-0.3 * t)).sum()  # cycles 6-10 start at ages 65-69
    assert float(out["cost_care"][0, 0]) == pytest.approx(expected, rel=1e-12)
    back = load_outcomes(save_outcomes(out, tmp_path / "psm.nc"))
    xr.testing.assert_allclose(back, out)
    assert back.attrs["crossing"] == "cap"


class _Geometric:
    """A survival curve ``base ** t``, exact at the cycle points of an annual model."""

    def __init__(self, base: float) -> None:
        self.base = base

    def survival(self, t, draws=None):
        return (self.base ** np.asarray(t, dtype=float))[None, :]


@pytest.mark.parametrize("convention", ["healthecon", "heemod", "hesim", "darth", "treeage"])
def test_a_psm_follows_each_named_convention_as_the_markov_model_does(convention):
    # PF -> P 0.2 and death 0.1 from both alive states: PFS = 0.7 ** t and OS = 0.9 ** t exactly,
    # so the PSM and the Markov model hold the same cohort, and the PSM's deaths (OS events) are
    # the Markov model's transitions into dead; every preset must then give the same totals
    from healthecon.markov import C, MarkovModel

    states = ["progression-free", "progressed", "dead"]
    rewards = {"cost_care": {"progression-free": 1_000.0, "progressed": 3_000.0}, "qaly": {"progression-free": 0.8, "progressed": 0.5}}
    options = dict(n_cycles=12, cycle_length=1.0, discount_costs=0.035, discount_effects=0.015, convention=convention)
    markov = MarkovModel(states, ["arm"], {"progression-free": {"progression-free": C, "progressed": 0.2, "dead": 0.1},
                                           "progressed": {"progressed": C, "dead": 0.1}, "dead": {"dead": 1.0}},
                         start="progression-free", state_rewards=rewards,
                         transition_rewards={"cost_death": {("*", "dead"): 5_000.0}}, **options).run({})
    psm = PartitionedSurvivalModel({"arm": {"PFS": _Geometric(0.7), "OS": _Geometric(0.9)}}, state_rewards=rewards,
                                   entry_rewards={"cost_death": {"dead": 5_000.0}}, **options).run({})
    for name in ("cost_care", "cost_death", "qaly", "cost", "cost_care_undiscounted", "qaly_undiscounted"):
        assert psm[name].item() == pytest.approx(markov[name].item(), rel=1e-12), name
    assert psm.attrs["convention"] == convention


def test_the_psm_timing_aliases_name_the_conventions_timings():
    common = dict(n_cycles=5, state_rewards={"qaly": {"progression-free": 1.0, "progressed": 0.5}})
    curves = {"arm": {"PFS": _Geometric(0.7), "OS": _Geometric(0.9)}}
    for alias, name in (("points", "point"), ("start", "cycle-start"), ("middle", "cycle-middle"), ("end", "cycle-end")):
        a = PartitionedSurvivalModel(curves, discount_timing=alias, **common)
        b = PartitionedSurvivalModel(curves, discount_timing=name, transition_timing=None if name == "point" else name, **common)
        assert a.discount_timing == name
        assert a.run({})["qaly"].item() == b.run({})["qaly"].item()


@pytest.mark.parametrize("rule", ["hazard", "cap", "error"])
def test_curves_equal_but_for_rounding_are_not_crossings(rule):
    # late on both curves follow general-population mortality, the same hazard by formula, and
    # their conditional survival differs by rounding only: no crossing is reported or changed
    ages = np.arange(0, 111)
    table = LifeTable(ages, 1 - np.exp(-0.00005 * np.exp(0.09 * ages)), extend_last=True)
    pfs = ParametricCurve("weibullPH", shape=0.9, scale="s")
    curves = {"A": {"PFS": BackgroundMortality(pfs, table, 55), "OS": BackgroundMortality(HazardRatio(pfs, 0.6), table, 55)}}
    draws = xr.Dataset({"s": ("sample", np.linspace(0.02, 0.3, 50))})
    model = PartitionedSurvivalModel(curves, n_cycles=480, cycle_length=1 / 12, crossing=rule, state_rewards={"qaly": {"progression-free": 1}})
    with warnings.catch_warnings():
        warnings.simplefilter("error", CurveCrossingWarning)
        out = model.run(draws, trace=True)
    assert out.attrs["crossing_samples"].tolist() == [0] and out.attrs["crossing_cycles"].tolist() == [0]
    assert float(out["trace"].sel(state="progressed").min()) >= 0  # kept below OS: no negative membership


def test_curves_given_in_the_wrong_order_are_pointed_out():
    # OS given first: it is read as the inner curve, above PFS in every cycle
    model = PartitionedSurvivalModel({"A": {"OS": Exponential(0.1), "PFS": Exponential(1.0)}}, n_cycles=24, cycle_length=0.5)
    with pytest.warns(CurveCrossingWarning, match=r"In most cycles of most samples for 'A': are the curves given innermost first \('OS', 'PFS'"):
        model.run({})
    with warnings.catch_warnings():
        warnings.simplefilter("error", CurveCrossingWarning)
        three_state(Exponential(1.0), Exponential(0.1)).run({})  # the right order: nothing to say
