"""Curve transforms: hazard ratio, step (Kaplan-Meier) curves, piecewise, waning, background mortality."""

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from healthecon.errors import ModelDefinitionError, ParameterError, UnknownNameError
from healthecon.lifetable import LifeTable
from healthecon.survival import ParametricCurve
from healthecon.survival.transforms import (
    BackgroundMortality,
    HazardRatio,
    Piecewise,
    StepSurvival,
    Waning,
    always_valid,
    as_draws,
    evaluate_survival,
)

TIMES = np.linspace(0, 30, 61)
DISTRIBUTIONS = st.sampled_from([
    ("weibullPH", dict(shape=1.3, scale=0.1)), ("weibull", dict(shape=0.8, scale=6.0)), ("gompertz", dict(shape=0.05, rate=0.1)),
    ("llogis", dict(shape=1.5, scale=4.0)), ("lnorm", dict(meanlog=1.2, sdlog=0.9)), ("exponential", dict(rate=0.2)),
])


def curve_of(choice):
    name, parameters = choice
    return ParametricCurve(name, **parameters)


def transforms_of(base, other):
    table = LifeTable(np.arange(40, 111), np.linspace(0.002, 0.4, 71), extend_last=True)
    return [
        HazardRatio(base, 0.6),
        Piecewise(StepSurvival([0.5, 1.0, 2.0], [0.95, 0.9, 0.8]), base, cut=2.0),
        Waning(HazardRatio(base, 0.5), base, start=2, end=6),
        BackgroundMortality(base, table, start_age=60),
        BackgroundMortality(Waning(HazardRatio(base, 0.5), other, 1, 3), table, start_age=70, step=0.25),
    ]


# --------------------------------------------------------------------------- invariants
@settings(max_examples=25, deadline=None)
@given(base=DISTRIBUTIONS, other=DISTRIBUTIONS, which=st.integers(0, 4))
def test_every_transform_is_a_survival_function(base, other, which):
    curve = transforms_of(curve_of(base), curve_of(other))[which]
    s = evaluate_survival(curve, TIMES)
    assert s[0, 0] == pytest.approx(1.0)
    assert (np.diff(s, axis=1) <= 1e-12).all()
    h = curve.cumulative_hazard(TIMES)
    np.testing.assert_allclose(np.exp(-h), s, rtol=1e-10, atol=1e-300)


@settings(max_examples=40, deadline=None)
@given(base=DISTRIBUTIONS)
def test_hazard_ratio_of_one_leaves_a_curve_unchanged(base):
    curve = curve_of(base)
    np.testing.assert_array_equal(HazardRatio(curve, 1.0).survival(TIMES), curve.survival(TIMES))


@settings(max_examples=25, deadline=None)
@given(base=DISTRIBUTIONS, t=st.floats(0.0, 30.0))
def test_transforms_at_one_time_equal_the_same_time_in_a_grid(base, t):
    # the value at t does not depend on which other times are asked for
    for curve in transforms_of(curve_of(base), curve_of(("exponential", dict(rate=0.3)))):
        alone = curve.survival([t])[0, 0]
        grid = curve.survival(np.sort(np.append(TIMES, t)))[0]
        assert alone == pytest.approx(grid[np.searchsorted(np.sort(np.append(TIMES, t)), t)], rel=1e-12, abs=1e-300)


# --------------------------------------------------------------------------- hazard ratio
def test_hazard_ratio_from_draws_is_a_power_of_the_reference():
    base = ParametricCurve("weibullPH", shape=1.2, scale="lam")
    draws = xr.Dataset({"lam": ("sample", [0.1, 0.2]), "hr": ("sample", [0.5, 2.0])})
    s = HazardRatio(base, "hr").survival([1.0, 3.0], draws)
    np.testing.assert_allclose(s, base.survival([1.0, 3.0], draws) ** np.array([[0.5], [2.0]]), rtol=1e-14)
    np.testing.assert_allclose(HazardRatio(base, "hr").hazard([2.0], draws), base.hazard([2.0], draws) * [[0.5], [2.0]])
    assert HazardRatio(base, "hr").parameter_names == ("lam", "hr")


def test_hazard_ratio_errors_name_the_parameter():
    base = ParametricCurve("exponential", rate=0.1)
    with pytest.raises(ParameterError, match="hazard ratio"):
        HazardRatio(base, -0.5)
    with pytest.raises(ParameterError, match=r"hazard ratio 'hr': expected values > 0, got -1 in sample 1"):
        HazardRatio(base, "hr").survival([1.0], xr.Dataset({"hr": ("sample", [0.5, -1.0])}))
    with pytest.raises(UnknownNameError, match="unknown parameter 'hr'"):
        HazardRatio(base, "hr").survival([1.0], xr.Dataset({"h": ("sample", [0.5])}))
    with pytest.raises(ParameterError, match="no draws were given"):
        HazardRatio(base, "hr").survival([1.0])


# --------------------------------------------------------------------------- piecewise
def test_piecewise_is_km_then_the_conditional_tail():
    km = StepSurvival([0.25, 0.5, 1.0, 1.5], [0.9, 0.85, 0.7, 0.6])
    tail = ParametricCurve("weibullPH", shape=1.4, scale=0.3)
    curve = Piecewise(km, tail, cut=1.5)
    t = np.array([0.0, 0.3, 1.5, 2.0, 5.0])
    expected = np.array([1.0, 0.9, 0.6, *(0.6 * np.exp(-0.3 * (t[3:] ** 1.4 - 1.5**1.4)))])
    np.testing.assert_allclose(curve.survival(t)[0], expected, rtol=1e-13)
    np.testing.assert_allclose(curve.hazard([3.0]), tail.hazard([3.0]))


def test_step_curve_refuses_bad_tables_and_times_beyond_it():
    with pytest.raises(ParameterError, match="non-increasing"):
        StepSurvival([1, 2], [0.8, 0.9])
    with pytest.raises(ParameterError, match="strictly increasing"):
        StepSurvival([1, 1], [0.8, 0.7])
    with pytest.raises(ModelDefinitionError, match="has no hazard"):
        Piecewise(StepSurvival([1.0], [0.5]), ParametricCurve("exponential", rate=1.0), cut=1.0).hazard([0.5])


# --------------------------------------------------------------------------- waning
def test_waning_with_general_curves_matches_numerical_integration_of_the_hazard():
    treated = ParametricCurve("weibullPH", shape=1.3, scale=0.08)
    reference = ParametricCurve("gompertz", shape=0.1, rate=0.15)
    curve = Waning(treated, reference, start=2.0, end=5.0)

    def hazard(s):
        w = min(max((s - 2.0) / 3.0, 0.0), 1.0)
        return (1 - w) * treated.hazard([s])[0, 0] + w * reference.hazard([s])[0, 0]

    for t in (1.0, 3.3, 5.0, 9.0):
        exact = quad(hazard, 0, t, points=[2.0, 5.0], epsabs=1e-13)[0]
        assert curve.cumulative_hazard([t])[0, 0] == pytest.approx(exact, rel=1e-10)
    assert curve.hazard([3.5])[0, 0] == pytest.approx(hazard(3.5))


def test_waning_of_a_spline_with_knots_in_the_period_matches_adaptive_quadrature():
    # a Royston-Parmar spline is only piecewise smooth (its third derivative jumps at the knots),
    # which a single quadrature rule over the whole period integrates to about 1e-9; the panels
    # of at most a month are accurate to rounding
    knots = np.log([0.5, 4.0, 7.0, 15.0])
    reference = ParametricCurve("spline", gamma0=-2.0, gamma1=1.1, gamma2=0.02, gamma3=-0.01, knots=knots)
    treated = HazardRatio(reference, 0.6)
    curve = Waning(treated, reference, start=5.0, end=10.0)

    def hazard(s):
        w = min(max((s - 5.0) / 5.0, 0.0), 1.0)
        return (1 - w) * treated.hazard([s])[0, 0] + w * reference.hazard([s])[0, 0]

    times = np.round(np.arange(0, 241) / 12, 12)
    values = curve.cumulative_hazard(times)[0]
    for i in (60, 61, 90, 100, 120, 150, 240):
        exact = treated.cumulative_hazard([5.0])[0, 0] + quad(hazard, 5.0, times[i], points=[7.0], epsabs=1e-14, epsrel=1e-13, limit=200)[0]
        assert values[i] == pytest.approx(exact, rel=1e-12)


def test_waning_of_a_curve_that_reaches_zero_is_zero_from_then_not_nan():
    # a Kaplan-Meier tail at 0, or general-population mortality closing with certain death: an
    # infinite cumulative hazard, which the waning formula would turn into inf - inf
    ends = StepSurvival([0.5, 1.0, 40.0], [0.5, 0.0, 0.0])
    t = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]
    np.testing.assert_array_equal(Waning(ends, ParametricCurve("exponential", rate=0.1), 0.5, 2).survival(t)[0], [1, 0.5, 0, 0, 0, 0])
    s = Waning(ParametricCurve("exponential", rate=0.1), ends, 0.5, 2).survival(t)[0]
    assert s[1] == pytest.approx(np.exp(-0.05)) and (s[2:] == 0).all()  # the reference counts from the start of waning


def test_abrupt_waning_switches_hazard_at_once():
    curve = Waning(ParametricCurve("exponential", rate=0.1), ParametricCurve("exponential", rate=0.3), start=2, end=2)
    np.testing.assert_allclose(curve.cumulative_hazard([1.0, 2.0, 4.0])[0], [0.1, 0.2, 0.8], rtol=1e-13)


def test_one_number_settings_refuse_arrays_and_say_where_per_sample_values_go():
    curve = ParametricCurve("exponential", rate=0.1)
    table = LifeTable([0, 110], [0.01, 0.2], extend_last=True)
    with pytest.raises(ParameterError, match=r"hazard ratio: expected one number \(a number > 0\) or the name of a parameter"):
        HazardRatio(curve, np.array([0.5, 0.6]))
    with pytest.raises(ParameterError, match=r"waning start: expected one number \(years\), got array"):
        Waning(curve, curve, np.array([1.0, 2.0]), 3.0)
    with pytest.raises(ParameterError, match="start_age: expected one number .* got None"):
        BackgroundMortality(curve, table, None)
    with pytest.raises(ParameterError, match="extend_last must be True or False"):
        LifeTable([0, 110], [0.01, 0.2], extend_last="no")


def test_waning_period_must_be_ordered():
    base = ParametricCurve("exponential", rate=0.1)
    with pytest.raises(ParameterError, match="start <= end"):
        Waning(base, base, start=5, end=2)


# --------------------------------------------------------------------------- background mortality
def test_background_mortality_is_the_per_cycle_maximum_on_the_step_grid():
    table = LifeTable(np.arange(60, 101), np.linspace(0.01, 0.3, 41), extend_last=True)
    disease = ParametricCurve("weibullPH", shape=0.6, scale=0.15)  # falling hazard: population mortality takes over
    curve = BackgroundMortality(disease, table, start_age=60, step=1.0)
    t = np.arange(0, 31.0)
    p_disease = 1 - disease.survival(t)[0, 1:] / disease.survival(t)[0, :-1]
    p_population = table.cohort(60.0, 30)
    expected = np.concatenate([[1.0], np.cumprod(1 - np.maximum(p_disease, p_population))])
    np.testing.assert_allclose(curve.survival(t)[0], expected, rtol=1e-12)
    assert (p_population > p_disease).any() and (p_population < p_disease).any()


def test_background_mortality_start_age_from_draws_and_exact_band_integral():
    table = LifeTable([60, 61, 62], [0.1, 0.2, 0.3], kind="rate", extend_last=True)
    never = ParametricCurve("exponential", rate=1e-12)
    curve = BackgroundMortality(never, table, start_age="age")
    draws = xr.Dataset({"age": ("sample", [60.0, 60.5])})
    # from 60.5 for one year: half a year at 0.1, half at 0.2
    h = curve.cumulative_hazard([1.0], draws)
    np.testing.assert_allclose(h[:, 0], [0.1, 0.15], rtol=1e-9)
    assert curve.parameter_names == ("age",)


def test_background_mortality_past_the_table_raises():
    table = LifeTable([60, 70], [0.01, 0.02])  # covers ages 60 to 80
    with pytest.raises(ParameterError, match="beyond the last row"):
        BackgroundMortality(ParametricCurve("exponential", rate=0.1), table, start_age=75).survival([10.0])


def test_background_mortality_to_the_end_of_the_table():
    # a table covering [60, 80) serves a horizon that ends at 80: the integral needs no rate beyond
    table = LifeTable(np.arange(60, 80), np.full(20, 0.02))
    curve = BackgroundMortality(ParametricCurve("exponential", rate=0.01), table, start_age=60, step=1)
    np.testing.assert_allclose(curve.survival([0.0, 10.0, 20.0])[0], 0.98 ** np.array([0.0, 10.0, 20.0]), rtol=1e-12)
    with pytest.raises(ParameterError, match="age 80.5 is beyond the last row"):
        curve.survival([20.5])


@pytest.mark.parametrize("step", [1 / 12, 0.3])
def test_background_mortality_from_a_table_closing_with_certain_death_reaches_zero(step):
    # a life table whose last age has q = 1 (extended past it): everyone has died one step
    # after age 100; the cumulative hazard is infinite from then on, not NaN (inf - inf)
    ages = np.arange(0, 101)
    q = np.minimum(1.0, 0.0001 * np.exp(0.09 * ages))
    q[-1] = 1.0
    curve = BackgroundMortality(ParametricCurve("exponential", rate=0.1), LifeTable(ages, q, extend_last=True), start_age=90, step=step)
    t = np.arange(0, 241) / 12 + 0.01  # times off the step grid too
    s = curve.survival(t)[0]
    assert not np.isnan(s).any()
    after = t >= 10 + step
    assert (s[after] == 0).all() and (s[t < 10] > 0).all()
    assert np.all(np.diff(s) <= 0)


def test_background_mortality_does_not_hide_a_curve_that_is_not_a_survival_curve():
    # the floor takes the larger of the two hazards in each step, so a curve whose survival rises
    # (a spline with such draws) or starts below 1 would come out looking valid: it raises instead
    table = LifeTable([0, 1], [0.01, 0.01], extend_last=True)
    spline = ParametricCurve("spline", gamma0="g0", gamma1="g1", gamma2="g2", knots=np.log([0.5, 2.0, 10.0]))
    rising = xr.Dataset({"g0": ("sample", [-1.0, -1.0]), "g1": ("sample", [1.0, 0.3]), "g2": ("sample", [0.0, 1.5])},
                        coords={"sample": [40, 41]})
    t = np.arange(0, 121) / 12
    assert np.diff(spline.survival(t, rising)[1]).max() > 0  # the spline alone rises in the second sample
    with pytest.raises(ModelDefinitionError, match=r"BackgroundMortality: the curve inside goes from survival .* years in sample 41"):
        BackgroundMortality(spline, table, 0).survival(t, rising)
    with pytest.raises(ModelDefinitionError, match=r"survival 0.9 at time 0"):
        BackgroundMortality(StepSurvival([0.0, 1.0, 20.0], [0.9, 0.8, 0.1]), table, 0).survival(t)


# --------------------------------------------------------------------------- helpers
def test_evaluate_survival_checks_what_a_curve_returns():
    class Bad:
        def survival(self, t, draws=None):
            return np.full((1, len(t)), np.nan)

    with pytest.raises(ModelDefinitionError, match="OS: survival must be in"):
        evaluate_survival(Bad(), [1.0], what="OS")
    with pytest.raises(ModelDefinitionError, match="expected a survival curve"):
        evaluate_survival(object(), [1.0])


def test_as_draws_converts_a_mapping_and_keeps_named_parameters():
    ds = as_draws({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}, ["b"])
    assert list(ds.data_vars) == ["b"] and ds.sizes["sample"] == 2
    with pytest.raises(UnknownNameError, match="unknown parameter 'c'"):
        as_draws({"a": np.array([1.0])}, ["c"])


# --------------------------------------------------------------------------- always_valid
@pytest.mark.parametrize("curve, expected", [
    (ParametricCurve("weibullPH", shape=1.2, scale=0.1), True),
    (ParametricCurve("gompertz", shape=-0.3, rate=0.2), True),
    (ParametricCurve("lnorm", meanlog=1.0, sdlog=0.8), True),
    (ParametricCurve("gengamma", mu=1.0, sigma=0.8, Q=0.5), False),  # the incomplete gamma is checked per draw
    (ParametricCurve("spline", knots=[-1.0, 0.5, 2.0], gamma0=-1.0, gamma1=1.2, gamma2=0.01), False),  # s(x) may decrease
    (ParametricCurve("weibull", shape=1.2, scale=5.0, location_effect="b_trt"), False),  # exp(effect) may reach 0 or inf
    (HazardRatio(ParametricCurve("llogis", shape=1.5, scale=4.0), "hr"), True),
    (HazardRatio(StepSurvival([1.0, 2.0], [0.9, 0.7]), 0.8), False),
    (BackgroundMortality(ParametricCurve("weibullPH", shape=1.2, scale=0.1), LifeTable([0, 110], [0.01, 0.2], extend_last=True), 60), True),
    (BackgroundMortality(StepSurvival([1.0, 2.0], [0.9, 0.7]), LifeTable([0, 110], [0.01, 0.2], extend_last=True), 60), False),
    (Waning(HazardRatio(ParametricCurve("exponential", rate=0.1), 0.5), ParametricCurve("exponential", rate=0.1), 1, 2), False),  # quadrature rounding
])
def test_always_valid_only_for_curves_valid_by_formula(curve, expected):
    assert always_valid(curve) is expected


@settings(max_examples=60, deadline=None)
@given(distribution=st.sampled_from(["exponential", "weibull", "weibullPH", "gompertz", "llogis", "lnorm"]),
       a=st.floats(-3.0, 3.0), b=st.floats(0.01, 50.0), hr=st.floats(0.01, 20.0))
def test_curves_said_always_valid_are_in_unit_interval_and_non_increasing(distribution, a, b, hr):
    # the property that lets models skip the per-draw checks, over extreme parameters and a long horizon
    parameters = {"exponential": dict(rate=b), "weibull": dict(shape=abs(a) + 0.05, scale=b),
                  "weibullPH": dict(shape=abs(a) + 0.05, scale=b), "gompertz": dict(shape=a, rate=b),
                  "llogis": dict(shape=abs(a) + 0.05, scale=b), "lnorm": dict(meanlog=a, sdlog=b)}[distribution]
    curve = HazardRatio(ParametricCurve(distribution, **parameters), hr)
    ages = np.arange(0, 101)
    q = np.minimum(1.0, 0.0001 * np.exp(0.09 * ages))
    q[-1] = 1.0  # certain death at the last age: an infinite population cumulative hazard
    for curve in (curve, BackgroundMortality(curve, LifeTable(ages, q, extend_last=True), start_age=40)):
        assert always_valid(curve)
        s = np.exp(-curve.cumulative_hazard(np.linspace(0, 100, 1201)))  # the values a model reads
        assert np.isfinite(s).all() and s.min() >= 0 and s.max() <= 1
        assert np.diff(s, axis=1).max() <= 1e-12
