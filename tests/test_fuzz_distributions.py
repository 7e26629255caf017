"""Distributions and parameters at the edges: a clear healthecon error or a correct finite result, never a
bare Python error or a silent NaN/inf (issue 11), plus a property-based fuzz of the constructors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import healthecon as he
from fuzz_profile import FUZZ
from healthecon.errors import DistributionFitError, HealthEconError, ParameterError


def test_a_mean_passed_as_the_log_mean_is_named_with_the_fix():
    with pytest.raises(DistributionFitError, match=r"meanlog is the mean of log\(X\).*LogNormal.from_mean_sd"):
        he.LogNormal(20000, 0.5)


def test_lognormal_near_the_float_limit_draws_finite_values_or_refuses():
    draws = he.LogNormal(700, 0.5).sample(100_000, 1)
    assert np.isfinite(draws).all()
    with pytest.raises(DistributionFitError, match="beyond the largest float"):
        he.LogNormal(706, 0.5)


def test_moment_fits_with_tiny_numbers():
    g = he.Gamma.from_mean_sd(1e-300, 1e-300)  # was ZeroDivisionError
    assert g.mean == pytest.approx(1e-300, rel=1e-9) and g.shape == pytest.approx(1.0)
    with pytest.raises(DistributionFitError, match=r"sd=1e-200 is too small.*Fixed\(0.5\)"):
        he.Beta.from_mean_sd(0.5, 1e-200)  # was ZeroDivisionError


def test_a_very_narrow_beta_has_a_finite_interval():
    low, high = he.Beta.from_mean_sd(0.08, 1e-10).interval()  # was (nan, nan)
    assert low == pytest.approx(0.08 - 1.96e-10, abs=1e-12) and high == pytest.approx(0.08 + 1.96e-10, abs=1e-12)


def test_a_uniform_wider_than_floating_point_is_refused():
    with pytest.raises(DistributionFitError, match="overflows"):
        he.Uniform(-1e308, 1e308)  # its sample was OverflowError


def test_a_nan_fixed_parameter_is_named():
    with pytest.raises(HealthEconError, match="c_drug"):
        he.Parameters(c_drug=float("nan"))


def test_a_probability_above_one_says_the_likely_cause():
    with pytest.raises(ParameterError, match=r"rate or a percentage.*healthecon.rates"):
        he.rates.apply_rr(1.5, 0.8)


def test_a_bad_value_message_counts_the_bad_values():
    from healthecon._validate import require_finite

    with pytest.raises(ParameterError, match=r"nan at index 1 \(3 of 5 values are bad\)"):
        require_finite([1.0, np.nan, np.nan, 2.0, np.inf], "x")


@pytest.mark.parametrize("alpha", [0.01, 0.005, 0.001])
def test_latin_hypercube_dirichlet_with_tiny_alphas_is_finite_and_sums_to_one(alpha):
    params = he.Parameters(d=he.Dirichlet({"a": alpha, "b": alpha / 2, "c": alpha}))
    draws = params.sample(200, 3, method="lhs")  # was NaN
    shares = np.column_stack([draws[f"d_{c}"].values for c in "abc"])
    assert np.isfinite(shares).all()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-12)
    # tiny alphas put nearly all the mass on one category per draw, as the Dirichlet does
    assert (shares.max(axis=1) > 0.99).mean() > 0.9


def test_latin_hypercube_dirichlet_with_ordinary_alphas_is_unchanged():
    params = he.Parameters(d=he.Dirichlet({"a": 70, "b": 20, "c": 10}))
    a = params.sample(50, 9, method="lhs")
    b = params.sample(50, 9, method="lhs")
    assert a.identical(b) and np.isfinite(a["d_a"].values).all()


finite = st.floats(min_value=-1e308, max_value=1e308, allow_nan=False, allow_infinity=False)
# positive numbers spread evenly over every binade, subnormals included (4.5e-159, 2.7e-204, 1e-320, 1.3e154):
# uniform floats almost never reach the extremes where moment fits over- and underflow
log_spread = st.floats(min_value=-323.9, max_value=308.2).map(lambda e: 10.0**e)
anything = st.one_of(finite, log_spread, st.just(float("nan")), st.just(float("inf")), st.just(0.0), st.just(1e-320))


@pytest.mark.parametrize(("family", "mean", "sd"), [
    ("beta", 4.5e-159, 4.5e-159), ("lognormal", 1e-320, 2.7e-204), ("gamma", 1.3e154, 1e-320),
    ("gamma", 1e-300, 1e-300), ("lognormal", 1.0, 1e-10), ("beta", 0.08, 1e-10),
])
def test_moment_fits_at_the_edges_of_floating_point_keep_their_moments_or_refuse(family, mean, sd):
    cls = {"beta": he.Beta, "gamma": he.Gamma, "lognormal": he.LogNormal}[family]
    try:
        dist = cls.from_mean_sd(mean, sd)
    except DistributionFitError as err:  # the message names the method, the inputs and the likely cause
        assert f"{cls.__name__}.from_mean_sd: mean={mean:g}" in str(err) and "floating point" in str(err)
        return
    assert dist.mean == pytest.approx(mean, rel=1e-6) and dist.sd == pytest.approx(sd, abs=1e-6 * mean)
    assert all(math.isfinite(v) for v in dist.native()[1].values())


def test_the_extreme_lognormal_fit_is_refused_with_its_inputs():
    with pytest.raises(DistributionFitError, match=r"LogNormal.from_mean_sd: mean=9.99989e-321, sd=2.7e-204 give .*wrong units"):
        he.LogNormal.from_mean_sd(1e-320, 2.7e-204)


@FUZZ
@given(family=st.sampled_from(["beta", "gamma", "lognormal"]), mean=anything, sd=anything)
def test_fuzz_moment_fits_give_a_finite_distribution_or_a_clear_error(family, mean, sd):
    cls = {"beta": he.Beta, "gamma": he.Gamma, "lognormal": he.LogNormal}[family]
    try:
        dist = cls.from_mean_sd(mean, sd)
    except HealthEconError:
        return
    # the fit keeps its moments: finite parameters, mean and sd given back (the sd to within 1e-6 of the mean)
    assert all(math.isfinite(v) for v in dist.native()[1].values())
    assert dist.mean == pytest.approx(mean, rel=1e-6) and dist.sd == pytest.approx(sd, abs=1e-6 * abs(mean))
    try:
        low, high = dist.interval()  # a tail beyond the largest float is a clear error, not inf
    except HealthEconError:
        return
    assert math.isfinite(low) and math.isfinite(high) and low <= high
    try:
        draws = dist.sample(20, 0)
    except HealthEconError:
        return
    assert np.isfinite(draws).all()


@FUZZ
@given(a=anything, b=anything, kind=st.sampled_from(["uniform", "normal", "lognormal", "beta", "gamma"]))
def test_fuzz_native_constructors_sample_finite_or_refuse(a, b, kind):
    try:
        dist = {"uniform": lambda: he.Uniform(a, b), "normal": lambda: he.Normal(a, b),
                "lognormal": lambda: he.LogNormal(a, b), "beta": lambda: he.Beta(a, b),
                "gamma": lambda: he.Gamma(a, b)}[kind]()
        draws = dist.sample(10, 1)
    except HealthEconError:
        return
    assert np.isfinite(draws).all()


@FUZZ
@given(alphas=st.lists(st.floats(min_value=1e-6, max_value=1e6), min_size=2, max_size=4),
       n=st.integers(1, 30), seed=st.integers(0, 2**32 - 1), method=st.sampled_from(["random", "lhs"]))
def test_fuzz_dirichlet_draws_are_finite_shares(alphas, n, seed, method):
    params = he.Parameters(d=he.Dirichlet({f"c{i}": a for i, a in enumerate(alphas)}))
    draws = params.sample(n, seed, method=method)
    shares = np.column_stack([draws[f"d_c{i}"].values for i in range(len(alphas))])
    assert np.isfinite(shares).all() and (shares >= 0).all()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-9)


def test_an_interval_beyond_the_largest_float_is_refused_not_inf():
    g = he.Gamma.from_mean_sd(4.873276986206419e307, 4.873276986206425e307)  # found by the long fuzz run
    with pytest.raises(DistributionFitError, match=r"1 of 2 quantiles are beyond floating point \(first at q=0.975: inf\)"):
        g.interval()


@pytest.mark.parametrize(("family", "mean", "sd"), [("gamma", 1.0, 1.3407807929942597e154), ("lognormal", 1.0, 1e200)])
def test_a_spread_whose_square_overflows_is_a_clear_error(family, mean, sd):
    cls = {"gamma": he.Gamma, "lognormal": he.LogNormal}[family]  # was OverflowError from sd**2
    with pytest.raises(DistributionFitError, match=rf"{cls.__name__}.from_mean_sd: mean=1, sd=.* not finite"):
        cls.from_mean_sd(mean, sd)


def test_a_mean_whose_square_overflows_still_fits():
    g = he.Gamma.from_mean_sd(1e200, 1e199)
    assert g.shape == pytest.approx(100) and g.mean == pytest.approx(1e200, rel=1e-12)


def test_a_beta_whose_quantiles_overflow_is_a_clear_error():
    b = he.Beta.from_mean_sd(1e-320, 1e-163)  # alpha 1e-314: found by the long fuzz run (a bare OverflowError)
    with pytest.raises(DistributionFitError, match=r"quantiles cannot be computed in floating point"):
        b.interval()
