"""Deterministic sensitivity analysis on any model with .strategies and .run(draws)."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from healthecon.cea import net_benefit
from healthecon.distributions import Beta, Dirichlet, Gamma, Normal
from healthecon.dsa import one_way, scenarios, threshold, two_way
from healthecon.errors import AnalysisError, ParameterError, UnknownNameError
from healthecon.markov import C, MarkovModel
from healthecon.outcomes import make_outcomes
from healthecon.params import Parameters


class Toy:
    """usual: cost 1000, 1 QALY; new: cost c_new, 1 + gain QALYs; counts its runs."""

    strategies = ("usual", "new")

    def __init__(self):
        self.runs = 0

    def run(self, draws, *, strategies=None):
        self.runs += 1
        c = draws["c_new"].values
        cost = np.column_stack([np.full_like(c, 1000.0), c])
        qaly = np.column_stack([np.ones_like(c), 1.0 + draws["gain"].values])
        return make_outcomes({"cost": cost, "qaly": qaly}, self.strategies, effect="qaly")


class Three:
    """Three strategies with costs a*k and effects k*e for k = 0, 1, 2 plus a bonus."""

    strategies = ("none", "low", "high")

    def run(self, draws, *, strategies=None):
        a, e = draws["a"].values, draws["e"].values
        cost = np.column_stack([0 * a, a, 3 * a])
        qaly = np.column_stack([0 * e, e, 2.5 * e])
        return make_outcomes({"cost": cost, "qaly": qaly}, self.strategies, effect="qaly")


PARAMS = Parameters(c_new=Gamma.from_mean_sd(2500, 400), gain=Beta.from_mean_sd(0.1, 0.02), unused=3.0)


def test_one_way_base_equals_deterministic_run():
    model = Toy()
    table = one_way(model, PARAMS, wtp=20000)
    assert model.runs == 1  # the whole analysis is one vectorised run
    nb = net_benefit(Toy().run(PARAMS.base_case()), 20000).isel(sample=0, wtp=0)
    expected = float(nb.sel(strategy="new") - nb.sel(strategy="usual"))
    np.testing.assert_allclose(table["outcome_base"], expected)
    assert list(table.index) == ["gain", "c_new"] or list(table.index) == ["c_new", "gain"]
    assert "unused" not in table.index  # fixed values have no range
    for name in ("c_new", "gain"):
        low, high = PARAMS[name].interval(0.95)
        assert table.loc[name, "low"] == low and table.loc[name, "high"] == high
        assert table.loc[name, "base"] == PARAMS[name].point
    # hand-computed: INMB = 20000 * gain - (c_new - 1000)
    c_low, c_high = PARAMS["c_new"].interval(0.95)
    assert table.loc["c_new", "outcome_low"] == pytest.approx(20000 * 0.1 - (c_low - 1000))
    assert table.loc["c_new", "outcome_high"] == pytest.approx(20000 * 0.1 - (c_high - 1000))
    assert table["swing"].is_monotonic_decreasing
    assert table.attrs["units"] == "£" and table.attrs["comparator"] == "usual"


def test_one_way_with_the_distributions_ranges_given_is_the_default_table():
    # healthecon.worked.tornado_table passes the ranges it has already taken from the distributions
    ranges = {name: bounds for name, bounds in PARAMS.ranges().items() if bounds[1] > bounds[0]}
    given_ranges = one_way(Toy(), PARAMS, list(ranges), ranges, wtp=20000)
    default = one_way(Toy(), PARAMS, wtp=20000)
    pd.testing.assert_frame_equal(given_ranges, default, check_exact=True)
    assert given_ranges.attrs == default.attrs


@given(st.floats(1000, 5000), st.floats(0.0, 0.5), st.floats(0, 50000))
def test_one_way_row_equals_a_run_with_that_value(c_new, gain, wtp):
    base = xr.Dataset({"c_new": ("sample", [c_new]), "gain": ("sample", [gain])})
    table = one_way(Toy(), base, ranges={"gain": (0.0, 0.5)}, wtp=wtp)
    assert table.loc["gain", "outcome_base"] == pytest.approx(wtp * gain - (c_new - 1000))
    assert table.loc["gain", "outcome_low"] == pytest.approx(-(c_new - 1000))
    assert table.loc["gain", "outcome_high"] == pytest.approx(wtp * 0.5 - (c_new - 1000))


def test_one_way_outcomes_icer_cost_and_absolute():
    base = xr.Dataset({"c_new": ("sample", [2500.0]), "gain": ("sample", [0.1])})
    ranges = {"gain": (0.05, 0.2), "c_new": (2000.0, 4000.0)}
    icer = one_way(Toy(), base, ranges=ranges, outcome="icer")
    assert icer.loc["gain", "outcome_base"] == pytest.approx(15000)
    assert icer.loc["gain", "outcome_low"] == pytest.approx(30000)
    assert icer.loc["c_new", "outcome_high"] == pytest.approx(30000)
    assert icer.attrs["units"] == "£ per QALY"
    cost = one_way(Toy(), base, ranges=ranges, outcome="cost", comparator=None)
    assert cost.loc["c_new", "outcome_high"] == pytest.approx(4000.0) and cost.loc["gain", "swing"] == pytest.approx(0, abs=1e-9)
    effect = one_way(Toy(), base, ranges=ranges, outcome="qaly", strategy="new", comparator="usual")
    assert effect.loc["gain", "outcome_high"] == pytest.approx(0.2)
    with_wtp = one_way(Toy(), base, ranges=ranges, wtp=20000)
    assert with_wtp.loc["c_new", "optimal_low"] == "new" and with_wtp.loc["c_new", "optimal_high"] == "usual"


def test_one_way_errors():
    base = xr.Dataset({"c_new": ("sample", [2500.0]), "gain": ("sample", [0.1])})
    with pytest.raises(UnknownNameError, match="unknown parameter 'gian'"):
        one_way(Toy(), base, ranges={"gian": (0, 1)}, wtp=1)
    with pytest.raises(ParameterError, match="'gain': low 0.3 is greater than high 0.1"):
        one_way(Toy(), base, ranges={"gain": (0.3, 0.1)}, wtp=1)
    with pytest.raises(ParameterError, match="'gain': 1.5 lies outside the support"):
        one_way(Toy(), PARAMS, ranges={"gain": (0.05, 1.5)}, wtp=1)
    with pytest.raises(AnalysisError, match="needs a willingness-to-pay"):
        one_way(Toy(), base, ranges={"gain": (0.05, 0.2)})
    with pytest.raises(UnknownNameError, match="unknown outcome 'qualy'"):
        one_way(Toy(), base, ranges={"gain": (0.05, 0.2)}, outcome="qualy")
    with pytest.raises(UnknownNameError, match="unknown strategy 'old'"):
        one_way(Toy(), base, ranges={"gain": (0.05, 0.2)}, wtp=1, strategy="old")
    with pytest.raises(AnalysisError, match="no range"):
        one_way(Toy(), base, parameters=["gain"])
    with pytest.raises(AnalysisError, match="'icer' needs a comparator"):
        one_way(Toy(), base, ranges={"gain": (0.05, 0.2)}, outcome="icer", comparator=None)
    dirichlet = Parameters(c_new=2500.0, gain=0.1, d=Dirichlet({"a": 5, "b": 5}))
    with pytest.raises(ParameterError, match="'d_a' is one category of the Dirichlet 'd'"):
        one_way(Toy(), dirichlet, ranges={"d_a": (0.2, 0.4)}, wtp=1)


def test_one_way_on_a_markov_model():
    model = MarkovModel(
        states=["alive", "dead"], strategies=["usual", "new"],
        transitions=lambda p, s: {"alive": {"alive": C, "dead": p["p_die"] * (p["rr"] if s == "new" else 1)},
                                  "dead": {"dead": 1}},
        start={"alive": 1}, n_cycles=5, correction="end", discount_costs=0, discount_effects=0,
        state_rewards={"cost_care": {"alive": 100}, "qaly": {"alive": 0.8}},
        initial_rewards={"cost_drug": {"new": 500}})
    params = Parameters(p_die=Beta(20, 80), rr=Normal(0.7, 0.05))
    table = one_way(model, params, wtp=20000)
    deterministic = net_benefit(model.run(params.base_case()), 20000).isel(sample=0, wtp=0)
    np.testing.assert_allclose(table["outcome_base"], float(deterministic[1] - deterministic[0]))
    assert table.loc["rr", "outcome_low"] > table.loc["rr", "outcome_high"]  # lower RR, more benefit


def test_threshold_recovers_hand_computed_crossing():
    base = xr.Dataset({"c_new": ("sample", [2500.0]), "gain": ("sample", [0.1])})
    # INMB = 20000 * 0.1 - (c_new - 1000) = 0 at c_new = 3000
    result = threshold(Toy(), base, "c_new", bounds=(2000, 4000), wtp=20000)
    assert result.values == pytest.approx((3000.0,), abs=1e-8)
    assert result.table.loc[0, "below"] == "new" and result.table.loc[0, "above"] == "usual"
    # gain crossing at c_new = 2500: 20000 * g = 1500 -> g = 0.075
    assert threshold(Toy(), base, "gain", bounds=(0.0, 0.3), wtp=20000).values == pytest.approx((0.075,))
    none = threshold(Toy(), base, "c_new", bounds=(1000, 2900), wtp=20000)
    assert none.values == ()
    assert "no threshold for c_new in [1000, 2900]" in str(none) and "'new' is optimal throughout" in str(none)


def test_threshold_with_three_strategies_finds_each_change():
    base = xr.Dataset({"a": ("sample", [1000.0]), "e": ("sample", [0.1])})
    # at wtp 20000: NB none 0, low 2000 - a, high 5000 - 3a; low beats none below 2000, high beats
    # low below 1500: optimal high for a < 1500, low for 1500 < a < 2000, none above 2000
    result = threshold(Three(), base, "a", bounds=(500, 3000), wtp=20000)
    assert result.values == pytest.approx((1500.0, 2000.0))
    assert list(result.table["below"]) == ["high", "low"] and list(result.table["above"]) == ["low", "none"]
    pair = threshold(Three(), base, "a", bounds=(500, 3000), wtp=20000, strategies=["none", "high"])
    assert pair.values == pytest.approx((5000 / 3,))
    with pytest.raises(UnknownNameError, match="unknown strategy 'mid'"):
        threshold(Three(), base, "a", bounds=(500, 3000), wtp=20000, strategies=["none", "mid"])


def test_two_way_optimal_strategy_grid():
    base = xr.Dataset({"c_new": ("sample", [2500.0]), "gain": ("sample", [0.1])})
    result = two_way(Toy(), base, "c_new", "gain", wtp=20000, ranges={"c_new": (1000, 5000), "gain": (0, 0.2)}, size=(9, 5))
    assert result["optimal"].dims == ("c_new", "gain") and result["optimal"].shape == (9, 5)
    c, g = np.meshgrid(result["c_new"].values, result["gain"].values, indexing="ij")
    inmb = 20000 * g - (c - 1000)
    clear = np.abs(inmb) > 1e-6  # exact ties on the grid go to the first strategy
    assert (result["optimal"].values[clear] == np.where(inmb > 0, "new", "usual")[clear]).all()
    assert (~clear).any() and (result["optimal"].values[~clear] == "usual").all()
    np.testing.assert_allclose(result["net_benefit"].sel(strategy="new").values, 20000 * (1 + g) - c)
    with pytest.raises(AnalysisError, match="both 'gain'"):
        two_way(Toy(), base, "gain", "gain", wtp=1, ranges={"gain": (0, 1)})
    with pytest.raises(AnalysisError, match="grid size"):
        two_way(Toy(), base, "c_new", "gain", wtp=1, ranges={"c_new": (1, 2), "gain": (0, 1)}, size=1)


def test_scenarios_table():
    model = Toy()
    table = scenarios(model, PARAMS, {"cheap": {"c_new": 1500.0}, "weak": {"gain": 0.01}}, wtp=20000)
    assert model.runs == 1
    assert list(table.index.get_level_values("scenario").unique()) == ["base case", "cheap", "weak"]
    assert table.loc[("cheap", "new"), "cost"] == pytest.approx(1500.0)
    assert table.loc[("weak", "new"), "effect"] == pytest.approx(1.01)
    assert table.loc[("cheap", "new"), "optimal"] and table.loc[("weak", "usual"), "optimal"]
    assert table.loc[("base case", "new"), "net_benefit"] == pytest.approx(20000 * 1.1 - 2500)
    with pytest.raises(UnknownNameError, match="unknown parameter 'cost'"):
        scenarios(Toy(), PARAMS, {"bad": {"cost": 1.0}})
    with pytest.raises(ParameterError, match="scenario 'neg' for parameter 'c_new'"):
        scenarios(Toy(), PARAMS, {"neg": {"c_new": -5.0}})
    with pytest.raises(AnalysisError, match="reserved"):
        scenarios(Toy(), PARAMS, {"base case": {"c_new": 1.0}})


def test_threshold_on_a_decision_tree():
    from healthecon.tree import C as TREE_C
    from healthecon.tree import Chance, Decision, DecisionTree, Terminal

    tree = DecisionTree(Decision({
        "drug": Chance([("respond", "p_resp", Terminal(qaly=0.9)),
                        ("no response", TREE_C, Terminal(qaly=0.5, cost=1000))], cost="c_drug"),
        "no drug": Chance([("respond", 0.3, Terminal(qaly=0.9)),
                           ("no response", TREE_C, Terminal(qaly=0.5, cost=1000))]),
    }))
    params = Parameters(p_resp=Beta(6, 4), c_drug=500.0)
    # INMB(drug) = 20000 (0.4 p - 0.12) - (500 + 1000 (1 - p) - 700) = 9000 p - 3200
    result = threshold(tree, params, "p_resp", bounds=(0.05, 0.95), wtp=20000)
    assert result.values == pytest.approx((3200 / 9000,))
    assert result.table.loc[0, "below"] == "no drug" and result.table.loc[0, "above"] == "drug"
    table = one_way(tree, params, ranges={"c_drug": (0.0, 1000.0)}, wtp=20000, strategy="drug", comparator="no drug")
    assert table.loc["c_drug", "outcome_low"] == pytest.approx(9000 * 0.6 - 3200 + 500)


@settings(max_examples=15)  # each example runs the root-finder (about 10 model runs)
@given(st.floats(0.01, 0.5), st.floats(1000, 50000))
def test_threshold_cost_is_where_the_icer_equals_wtp(gain, wtp):
    base = xr.Dataset({"c_new": ("sample", [2500.0]), "gain": ("sample", [gain])})
    crossing = 1000 + wtp * gain  # INMB = wtp * gain - (c_new - 1000) = 0
    result = threshold(Toy(), base, "c_new", bounds=(0.0, 30000.0), wtp=wtp, grid=11)
    assert result.values == pytest.approx((crossing,), rel=1e-9)


def money_models():
    from healthecon.cba import CBAModel, benefit_flow, cost_flow
    from healthecon.sroi import ImpactMap, Investment, Outcome, SROIModel

    def imap(name, proxy):
        return ImpactMap([Outcome("fewer falls", "older people", 40, proxy, duration=3, deadweight="dw", drop_off=0.1)],
                         [Investment("council", "inv")], name=name)

    sroi_model = SROIModel({"small": imap("small", 500.0), "big": imap("big", "proxy")}, discount=0.035)
    cba_model = CBAModel({"a": [cost_flow("team", "council", ["inv"]), benefit_flow("beds", "NHS", [0.0, "proxy", "proxy"])],
                          "b": [cost_flow("team", "council", [2000.0]), benefit_flow("beds", "NHS", [0.0, 1500.0, 1500.0])]})
    params = Parameters(proxy=Gamma.from_mean_sd(1000.0, 200.0), dw=Beta.from_mean_sd(0.3, 0.1),
                        inv=Gamma.from_mean_sd(20_000.0, 3_000.0))
    return sroi_model, cba_model, params


@pytest.mark.parametrize("which, outcome", [(0, "sroi_ratio"), (0, "net_sroi"), (1, "bcr"), (1, "net_roi")])
def test_one_way_of_a_money_model_ratio_is_each_strategys_own_ratio(which, outcome):
    model, params = money_models()[which], money_models()[2]
    table = one_way(model, params, outcome=outcome)
    strategy = model.strategies[-1]
    assert table.attrs["comparator"] is None and table.attrs["strategy"] == strategy  # not a difference of ratios
    base = params.base_case()
    assert (table["outcome_base"] == model.run(base)[outcome].sel(strategy=strategy).item()).all()
    for name, row in table.iterrows():
        for end in ("low", "high"):
            run = model.run(base.assign({name: ("sample", [row[end]])}))
            assert row[f"outcome_{end}"] == run[outcome].sel(strategy=strategy).item()
    is_gross = outcome in ("sroi_ratio", "bcr")
    assert table.attrs["units"] == ("per £1" if is_gross else "")


def test_one_way_of_a_money_model_npv_is_incremental_and_in_pounds():
    sroi_model, _, params = money_models()
    table = one_way(sroi_model, params, outcome="npv")
    assert table.attrs["comparator"] == "small" and table.attrs["units"] == "£"
    base = params.base_case()
    run = sroi_model.run(base)["npv"]
    assert table["outcome_base"].iloc[0] == (run.sel(strategy="big") - run.sel(strategy="small")).item()
    # only "big" reads the proxy parameter, so the incremental NPV moves by big's change alone
    low = sroi_model.run(base.assign(proxy=("sample", [table.loc["proxy", "low"]])))["npv"]
    assert low.sel(strategy="small").item() == run.sel(strategy="small").item()
    assert table.loc["proxy", "outcome_low"] == (low.sel(strategy="big") - low.sel(strategy="small")).item()


def test_dsa_inputs_that_were_misread_raise():
    # a Dirichlet category set alone in a scenario (its categories then summed to 0.7), a scenario
    # that is not a mapping, one parameter name given as a string (read as its letters), a level
    # given as a percentage
    from healthecon.params import Parameters

    params = Parameters(nxt=Dirichlet({"well": 7, "dead": 3}), c=Gamma.from_mean_sd(100, 10))
    model = MarkovModel(["well", "dead"], ["usual"], lambda p, s: {"well": {"well": p["nxt_well"], "dead": p["nxt_dead"]}, "dead": {"dead": 1}},
                        start={"well": 1}, n_cycles=3, state_rewards={"cost_care": lambda p, s: {"well": p["c"]}, "qaly": {"well": 1}})
    with pytest.raises(ParameterError, match=r"scenario 's': the Dirichlet 'nxt' has categories .* summing to 1; give every one"):
        scenarios(model, params, {"s": {"nxt_dead": 0.5}})
    assert len(scenarios(model, params, {"s": {"nxt_dead": 0.5, "nxt_well": 0.5}})) == 2
    with pytest.raises(ParameterError, match=r"scenario 's': expected a mapping \{parameter: value\}, got 900"):
        scenarios(model, params, {"s": 900})
    table = one_way(model, params, parameters="c", wtp=20_000)
    assert list(table.index) == ["c"]
    with pytest.raises(ParameterError, match=r"level: expected .* in \(0, 1\) \(0.95 for 95%\), got 95"):
        one_way(model, params, parameters=["c"], level=95, wtp=20_000)


def test_threshold_finds_each_change_inside_one_grid_step():
    # NB_A = 0, NB_B = x - 50, NB_C = 3 (x - 52): A to B at 50, B to C at 53, both between grid
    # points 50 and 60 (grid of 11 on [0, 100]); the search reported one change, at 52, where
    # neither A nor C is optimal
    class Toy:
        strategies = ("A", "B", "C")

        def run(self, draws):
            x = np.asarray(draws["x"].values, dtype=float)
            qaly = np.stack([np.zeros_like(x), x - 50, 3 * (x - 52)], axis=1)
            return make_outcomes({"cost": np.zeros_like(qaly), "qaly": qaly}, list(self.strategies), effect="qaly")

    base = xr.Dataset({"x": ("sample", [10.0])})
    found = threshold(Toy(), base, "x", bounds=(0, 100), wtp=1, grid=11)
    assert found.table[["below", "above"]].values.tolist() == [["A", "B"], ["B", "C"]]
    np.testing.assert_allclose(found.table["value"], [50.0, 53.0], atol=1e-6)


def test_an_error_in_a_one_way_run_says_which_values_it_ran_with():
    # the model's message names a sample of the analysis (not of a PSA): say which parameter value it is
    from healthecon.params import Parameters

    params = Parameters(p=Beta(20, 80), c=Gamma.from_mean_sd(100, 10))
    model = MarkovModel(["well", "sick", "dead"], ["usual"],
                        lambda p, s: {"well": {"well": C, "sick": p["p"], "dead": 0.01}, "sick": {"sick": C, "dead": 0.1}, "dead": {"dead": 1}},
                        start={"well": 1}, n_cycles=3, state_rewards={"cost_care": lambda p, s: {"sick": p["c"]}, "qaly": {"well": 1}})
    with pytest.raises(Exception, match=r"sample 2 of this one-way analysis is the run with p = 0.995\)"):
        one_way(model, params, ranges={"p": (0.1, 0.995)}, wtp=20_000)
