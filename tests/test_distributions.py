"""Distributions: hand-worked fits (Briggs et al. 2006 ch. 4), properties and every impossible request."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from healthecon.distributions import (
    PERT,
    Beta,
    Dirichlet,
    Empirical,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    TruncatedNormal,
    Uniform,
    as_distribution,
    fit,
)
from healthecon.errors import DistributionFitError, ParameterError, UnknownNameError

Z95 = 1.959963984540054

UNIVARIATE = [
    Beta(6, 14),
    Gamma(4, 250),
    LogNormal(-0.35, 0.12),
    Normal(10, 2),
    TruncatedNormal(0.1, 0.2, lower=0, upper=1),
    Uniform(100, 300),
    Triangular(0, 3, 10),
    PERT(0, 2, 10),
    PERT(5, 5, 6, lam=2),
]


# ---------------------------------------------------------------------------------------------
# hand-worked numbers


def test_beta_method_of_moments_hand_worked():
    # 0.3 * 0.7 / 0.01 - 1 = 20; alpha = 0.3 * 20 = 6, beta = 0.7 * 20 = 14
    b = Beta.from_mean_sd(0.3, 0.1)
    assert (b.alpha, b.beta) == (pytest.approx(6), pytest.approx(14))
    assert b.describe() == "Beta(α=6, β=14)"
    assert Beta.from_mean_se(0.3, 0.1) == b


def test_beta_from_events_and_ci():
    b = Beta.from_events(12, 100)
    assert (b.alpha, b.beta, b.mean) == (12, 88, 0.12)
    assert b.describe() == "Beta(α=12, β=88)"
    # CI 0.1 to 0.5 at 95%: se = 0.4 / (2 * 1.96) = 0.10204
    c = Beta.from_mean_ci(0.3, 0.1, 0.5)
    assert c.sd == pytest.approx(0.4 / (2 * Z95))
    assert c.mean == pytest.approx(0.3)
    # a 90% interval implies a larger SE for the same width
    assert Beta.from_mean_ci(0.3, 0.1, 0.5, level=0.9).sd > c.sd


def test_gamma_method_of_moments_hand_worked():
    # shape = 1000^2 / 500^2 = 4, scale = 500^2 / 1000 = 250
    g = Gamma.from_mean_sd(1000, 500)
    assert (g.shape, g.scale) == (4, 250)
    assert (g.mean, g.sd) == (pytest.approx(1000), pytest.approx(500))
    assert g.describe() == "Gamma(shape=4, scale=250)"
    h = Gamma.from_mean_ci(1000, 608, 1392)  # se = 784 / 3.92 = 200.0
    assert h.sd == pytest.approx(784 / (2 * Z95))


def test_lognormal_from_point_ci_hand_worked():
    rr = LogNormal.from_point_ci(0.7, 0.55, 0.9)
    # meanlog = ln 0.7 = -0.356675; sdlog = (ln 0.9 - ln 0.55) / 3.919928 = 0.125634
    assert rr.meanlog == pytest.approx(-0.3566749439)
    assert rr.sdlog == pytest.approx((math.log(0.9) - math.log(0.55)) / (2 * Z95))
    assert rr.sdlog == pytest.approx(0.125634, abs=1e-6)
    assert rr.point == 0.7
    assert rr.mean == pytest.approx(0.7 * math.exp(rr.sdlog**2 / 2))
    lo, hi = rr.interval()
    assert math.sqrt(lo * hi) == pytest.approx(0.7)  # symmetric on the log scale
    assert rr.describe() == "LogNormal(meanlog=-0.3567, sdlog=0.1256, point=0.7)"


def test_lognormal_from_mean_sd_and_ci():
    d = LogNormal.from_mean_sd(500, 300)
    assert (d.mean, d.sd) == (pytest.approx(500), pytest.approx(300))
    e = LogNormal.from_mean_ci(2.0, 1.2, 3.5)
    assert e.mean == pytest.approx(2.0)
    assert e.sdlog == pytest.approx((math.log(3.5) - math.log(1.2)) / (2 * Z95))


def test_normal_and_others_hand_worked():
    assert Normal.from_mean_ci(10, 10 - 2 * Z95, 10 + 2 * Z95).sd == pytest.approx(2)
    assert Normal.from_mean_se(5, 1.5).sd == 1.5
    assert Normal(0, 1).interval() == (pytest.approx(-Z95), pytest.approx(Z95))
    t = TruncatedNormal(0, 1, lower=0)
    assert t.mean == pytest.approx(math.sqrt(2 / math.pi))
    assert t.sd == pytest.approx(math.sqrt(1 - 2 / math.pi))
    assert Uniform(100, 300).sd == pytest.approx(200 / math.sqrt(12))
    tri = Triangular(0, 3, 10)
    assert tri.mean == pytest.approx(13 / 3)
    assert tri.sd == pytest.approx(math.sqrt((0 + 9 + 100 - 0 - 0 - 30) / 18))
    p = PERT(0, 2, 10)  # alpha = 1 + 4 * 0.2 = 1.8, beta = 1 + 4 * 0.8 = 4.2; mean = (0 + 8 + 10) / 6
    assert (p.alpha, p.beta, p.mean) == (pytest.approx(1.8), pytest.approx(4.2), pytest.approx(3.0))
    assert PERT(0, 2, 10, lam=2).mean == pytest.approx((0 + 4 + 10) / 4)


def test_dirichlet_hand_worked():
    d = Dirichlet.from_counts({"well": 70, "sick": 20, "dead": 10})
    np.testing.assert_allclose(d.mean, [0.7, 0.2, 0.1])
    np.testing.assert_allclose(d.sd, np.sqrt(np.array([0.7 * 0.3, 0.2 * 0.8, 0.1 * 0.9]) / 101))
    m = d.marginal("sick")
    assert (m.alpha, m.beta) == (20, 80)
    lows, highs = d.interval()
    assert (lows[1], highs[1]) == m.interval()
    draws = d.sample(500, rng=2)
    assert draws.shape == (500, 3)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    with pytest.raises(UnknownNameError, match="unknown Dirichlet category 'ill'"):
        d.marginal("ill")


def test_fixed_and_as_distribution():
    f = Fixed(0.035)
    np.testing.assert_array_equal(f.sample(4, rng=0), np.full(4, 0.035))
    np.testing.assert_array_equal(f.ppf([0.0, 0.5, 1.0]), [0.035] * 3)
    assert (f.mean, f.sd, f.point, f.interval()) == (0.035, 0.0, 0.035, (0.035, 0.035))
    assert as_distribution(3) == Fixed(3)
    assert as_distribution(f) is f
    with pytest.raises(ParameterError, match=r"parameter: expected a distribution .* got 'a'"):
        as_distribution("a")


# ---------------------------------------------------------------------------------------------
# the shared interface


@pytest.mark.parametrize("dist", UNIVARIATE, ids=lambda d: d.describe())
def test_ppf_inverts_cdf(dist):
    u = np.linspace(0.001, 0.999, 101)
    x = dist.ppf(u)
    assert x.shape == u.shape
    assert np.all(np.diff(x) >= 0)
    np.testing.assert_allclose(dist.cdf(x), u, atol=1e-8)


@pytest.mark.parametrize("dist", UNIVARIATE, ids=lambda d: d.describe())
def test_sample_matches_moments_and_is_reproducible(dist):
    n = 20_000
    x = dist.sample(n, rng=11)
    assert x.shape == (n,) and x.dtype == float
    np.testing.assert_array_equal(x, dist.sample(n, np.random.default_rng(11)))
    assert abs(x.mean() - dist.mean) < 5 * dist.sd / math.sqrt(n)
    assert x.std() == pytest.approx(dist.sd, rel=0.05)
    lo, hi = dist.support
    assert x.min() >= lo and x.max() <= hi
    low, high = dist.interval(0.9)
    assert np.mean((x >= low) & (x <= high)) == pytest.approx(0.9, abs=0.015)
    assert dist.point == dist.mean


@given(mean=st.floats(0.02, 0.98), frac=st.floats(0.05, 0.9))
def test_beta_from_mean_sd_recovers_mean_and_sd(mean, frac):
    sd = frac * math.sqrt(mean * (1 - mean))
    b = Beta.from_mean_sd(mean, sd)
    assert b.mean == pytest.approx(mean, rel=1e-9)
    assert b.sd == pytest.approx(sd, rel=1e-9)
    x = b.sample(4000, rng=1)
    assert abs(x.mean() - mean) < 5 * sd / math.sqrt(4000)


@given(mean=st.floats(0.01, 1e6), cv=st.floats(0.05, 3.0))
def test_gamma_from_mean_sd_recovers_mean_and_sd(mean, cv):
    g = Gamma.from_mean_sd(mean, cv * mean)
    assert g.mean == pytest.approx(mean, rel=1e-9)
    assert g.sd == pytest.approx(cv * mean, rel=1e-9)
    x = g.sample(4000, rng=1)
    assert abs(x.mean() - mean) < 6 * cv * mean / math.sqrt(4000)


@given(q=st.floats(0.0, 1.0))
def test_ppf_is_monotone_inverse_on_unit_interval(q):
    g = Gamma(2, 3)
    x = g.ppf(q)
    assert g.cdf(x) == pytest.approx(q, abs=1e-9)


def test_point_value_overrides_mean_and_is_checked():
    g = Gamma.from_mean_sd(100, 20, point=90)
    assert (g.point, g.mean) == (90, pytest.approx(100))
    assert g.describe() == "Gamma(shape=25, scale=4, point=90)"
    with pytest.raises(DistributionFitError, match=r"point=1\.5 lies outside the distribution's support \[0, 1\]"):
        Beta(2, 3, point=1.5)


def test_ppf_and_sample_arguments_checked():
    with pytest.raises(ParameterError, match=r"q must be a probability in \[0, 1\], got 1\.5"):
        Beta(2, 2).ppf([0.5, 1.5])
    with pytest.raises(ParameterError, match="n: expected a non-negative int"):
        Beta(2, 2).sample(-1, rng=0)
    with pytest.raises(ParameterError, match="seed: expected a non-negative int"):
        Beta(2, 2).sample(3, rng="x")
    with pytest.raises(ParameterError, match="level must be in"):
        Beta(2, 2).interval(1.5)


def test_equality_and_hash():
    assert Beta(2, 3) == Beta(2.0, 3.0)
    assert Beta(2, 3) != Gamma(2, 3)
    assert len({Beta(2, 3), Beta(2, 3), Beta(3, 2)}) == 2


# ---------------------------------------------------------------------------------------------
# empirical


def test_empirical_in_order_resampling_and_quantiles():
    e = Empirical([5.0, 1.0, 3.0, 2.0, 4.0])
    np.testing.assert_array_equal(e.sample(5, rng=0), [5, 1, 3, 2, 4])
    x = e.sample(1000, rng=0)
    assert set(np.unique(x)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert e.ppf(0.5) == 3.0 and e.ppf(0.0) == 1.0 and e.ppf(1.0) == 5.0
    q = np.linspace(0, 1, 21)
    assert np.all(e.cdf(e.ppf(q)) >= q - 1e-12)
    assert e.mean == 3.0 and e.sd == pytest.approx(np.std([1, 2, 3, 4, 5], ddof=1))
    assert e.describe() == "Empirical(5 draws, mean=3)"


def test_empirical_from_csv_reads_numbers_only(tmp_path):
    path = tmp_path / "boot.csv"
    path.write_text("cost,qaly\n100,0.5\n200,0.6\n150,0.55\n")
    e = Empirical.from_csv(path, "cost")
    np.testing.assert_array_equal(e.draws, [100, 200, 150])
    evil = tmp_path / "evil.csv"
    evil.write_text("cost\n100\n__import__('os').system('echo hacked')\n")
    with pytest.raises(DistributionFitError, match=r"column 'cost', data row 2: expected a finite number, got \"__import__"):
        Empirical.from_csv(evil, "cost")
    with pytest.raises(DistributionFitError, match=r"no column 'costs'; columns are \['cost', 'qaly'\]"):
        Empirical.from_csv(path, "costs")


# ---------------------------------------------------------------------------------------------
# impossible requests


IMPOSSIBLE = [
    (lambda: Beta.from_mean_sd(0.3, 0.5), ["sd=0.5", "mean=0.3", "sqrt(mean * (1 - mean)) = 0.4583"]),
    (lambda: Beta.from_mean_sd(0.3, math.sqrt(0.21)), ["sd=0.458", "too large"]),
    (lambda: Beta.from_mean_sd(1.2, 0.1), ["mean=1.2", "outside (0, 1)"]),
    (lambda: Beta.from_mean_sd(0.0, 0.1), ["mean=0", "outside (0, 1)"]),
    (lambda: Beta.from_mean_sd(0.3, -0.1), ["sd=-0.1", "must be > 0"]),
    (lambda: Beta.from_mean_sd(0.3, 0), ["sd=0", "use Fixed"]),
    (lambda: Beta.from_mean_sd(float("nan"), 0.1), ["mean", "nan"]),
    (lambda: Beta.from_mean_ci(0.3, 0.35, 0.5), ["[0.35, 0.5] does not contain the mean 0.3"]),
    (lambda: Beta.from_mean_ci(0.3, 0.5, 0.1), ["lower=0.5 must be below upper=0.1"]),
    (lambda: Beta.from_mean_ci(0.3, 0.1, 0.5, level=95), ["level must be in (0, 1)", "95"]),
    (lambda: Beta.from_events(0, 10), ["events=0 out of total=10"]),
    (lambda: Beta.from_events(12, 10), ["events=12 out of total=10"]),
    (lambda: Beta(0, 2), ["Beta: alpha", "got 0"]),
    (lambda: Beta(2, float("nan")), ["Beta: beta", "nan"]),
    (lambda: Gamma.from_mean_sd(-5, 1), ["mean=-5", "must be > 0"]),
    (lambda: Gamma.from_mean_sd(0, 1), ["mean=0", "must be > 0"]),
    (lambda: Gamma.from_mean_sd(5, -1), ["sd=-1"]),
    (lambda: Gamma.from_mean_ci(100, 120, 150), ["[120, 150] does not contain the mean 100"]),
    (lambda: Gamma(2, float("inf")), ["Gamma: scale", "inf"]),
    (lambda: LogNormal.from_point_ci(0.7, 0.8, 0.9), ["[0.8, 0.9] does not contain the point 0.7"]),
    (lambda: LogNormal.from_point_ci(0.7, -0.1, 0.9), ["lower=-0.1 must be > 0"]),
    (lambda: LogNormal.from_point_ci(0.7, 0.9, 0.55), ["lower=0.9 must be below upper=0.55"]),
    (lambda: LogNormal.from_mean_sd(-1, 1), ["mean=-1"]),
    (lambda: LogNormal(0, -0.5), ["sdlog", "-0.5"]),
    (lambda: Normal.from_mean_sd(0, -2), ["sd=-2"]),
    (lambda: Normal.from_mean_ci(10, 12, 14), ["[12, 14] does not contain the mean 10"]),
    (lambda: TruncatedNormal(0, 1, lower=2, upper=1), ["lower=2 must be below upper=1"]),
    (lambda: TruncatedNormal(0, 1, lower=50, upper=60), ["[50, 60] holds almost none"]),
    (lambda: Uniform(3, 3), ["lower=3 must be below upper=3"]),
    (lambda: Triangular(0, 11, 10), ["mode=11 must lie within [lower, upper] = [0, 10]"]),
    (lambda: PERT(0, 5, 10, lam=0), ["PERT: lam", "got 0"]),
    (lambda: Dirichlet({"a": 1, "b": 0}), ["alpha for category 'b'", "got 0"]),
    (lambda: Dirichlet({"a": 1}), ["at least two categories"]),
    (lambda: Dirichlet({"a": 1, "b c": 2}), ["valid Python identifiers", "'b c'"]),
    (lambda: Empirical([1.0, float("nan")]), ["Empirical: draws", "nan at index 1"]),
    (lambda: Empirical([]), ["non-empty"]),
    (lambda: Fixed(float("nan")), ["Fixed: value", "nan"]),
]


@pytest.mark.parametrize("call, fragments", IMPOSSIBLE)
def test_impossible_requests_raise_naming_the_value(call, fragments):
    with pytest.raises(DistributionFitError) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    "call, method, arg",
    [
        (lambda: Gamma.from_mean_se(100, 0), "Gamma.from_mean_se", "se=0"),
        (lambda: Beta.from_mean_se(0.3, 0), "Beta.from_mean_se", "se=0"),
        (lambda: LogNormal.from_mean_se(50, -1), "LogNormal.from_mean_se", "se=-1"),
        (lambda: Normal.from_mean_se(10, 0), "Normal.from_mean_se", "se=0"),
        (lambda: Beta.from_mean_se(0.3, 0.5), "Beta.from_mean_se", "se=0.5 is too large"),
        (lambda: Gamma.from_mean_sd(100, 0), "Gamma.from_mean_sd", "sd=0"),
        (lambda: Beta.from_mean_ci(0.5, -1, 2), "Beta.from_mean_ci", "se (from the interval)=0.76532 is too large"),
    ],
)
def test_fit_errors_name_the_method_called_and_its_argument(call, method, arg):
    with pytest.raises(DistributionFitError) as info:
        call()
    message = str(info.value)
    assert message.startswith(f"{method}: ")
    assert arg in message
    if method.endswith("_se"):
        assert "sd" not in message.replace("sqrt", "")


@given(mean=st.floats(0.01, 0.99), excess=st.floats(1.0, 3.0))
def test_any_beta_sd_at_or_above_the_limit_raises(mean, excess):
    sd = excess * math.sqrt(mean * (1 - mean))
    with pytest.raises(DistributionFitError, match="is too large") as info:
        Beta.from_mean_sd(mean, sd)
    assert f"sd={sd:g}" in str(info.value)


@given(mean=st.floats(-1e6, 1e6), lower=st.floats(-1e6, 1e6), width=st.floats(1e-3, 1e6))
def test_ci_not_containing_the_mean_raises(mean, lower, width):
    upper = lower + width
    assume(not lower < mean < upper and upper > lower)
    with pytest.raises(DistributionFitError, match="does not contain the mean"):
        Normal.from_mean_ci(mean, lower, upper)


# ---------------------------------------------------------------------------------------------
# fit: whichever statistics were reported


@pytest.mark.parametrize(
    "family, statistics, expected",
    [
        ("beta", {"alpha": 2, "beta": 3}, Beta(2, 3)),
        ("Beta", {"mean": 0.3, "sd": 0.1}, Beta.from_mean_sd(0.3, 0.1)),
        ("beta", {"mean": 0.3, "se": 0.1, "point": 0.25}, Beta.from_mean_sd(0.3, 0.1, point=0.25)),
        ("beta", {"mean": 0.3, "lower": 0.1, "upper": 0.5, "level": 0.9}, Beta.from_mean_ci(0.3, 0.1, 0.5, level=0.9)),
        ("beta", {"events": 12, "total": 100}, Beta(12, 88)),
        ("gamma", {"shape": 2, "rate": 0.5}, Gamma(2, 2)),
        ("gamma", {"mean": 1000, "sd": 500}, Gamma(4, 250)),
        ("log-normal", {"point": 0.7, "lower": 0.55, "upper": 0.9}, LogNormal.from_point_ci(0.7, 0.55, 0.9)),
        ("LogNormal", {"meanlog": 0, "sdlog": 1}, LogNormal(0, 1)),
        ("normal", {"mean": 1, "sd": 2}, Normal(1, 2)),
        ("truncated normal", {"mu": 0, "sigma": 1, "lower": 0}, TruncatedNormal(0, 1, lower=0)),
        ("uniform", {"lower": 1, "upper": 2}, Uniform(1, 2)),
        ("triangular", {"lower": 0, "mode": 1, "upper": 3}, Triangular(0, 1, 3)),
        ("Beta-PERT", {"lower": 0, "mode": 1, "upper": 3, "lam": 3}, PERT(0, 1, 3, lam=3)),
        ("fixed", {"value": 7}, Fixed(7)),
    ],
)
def test_fit_chooses_the_constructor_from_the_statistics(family, statistics, expected):
    assert fit(family, **statistics) == expected


def test_fit_rejects_unknown_families_and_statistics():
    with pytest.raises(DistributionFitError, match="unknown distribution 'weibull'; expected one of: beta, gamma"):
        fit("weibull", shape=1, scale=1)
    with pytest.raises(DistributionFitError, match=r"normal cannot be built from mean, sd, upper; give one of: mean\+sd"):
        fit("normal", mean=1, sd=2, upper=3)


def test_gamma_rate_or_scale():
    assert Gamma(3, rate=4).scale == 0.25
    with pytest.raises(DistributionFitError, match="exactly one of scale or rate"):
        Gamma(3, 1, rate=1)


def test_dirichlet_ppf_gives_marginal_quantiles():
    d = Dirichlet({"a": 2, "b": 3, "c": 5})
    q = np.array([0.1, 0.5, 0.9])
    out = d.ppf(q)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out[:, 1], Beta(3, 7).ppf(q))
    assert d.support == (0.0, 1.0)


def test_equality_uses_exact_parameters_not_the_rounded_description():
    assert Beta(2, 3).describe() == Beta(2.00001, 3).describe()
    assert Beta(2, 3) != Beta(2.00001, 3)
    assert Gamma(2, 3, point=5) != Gamma(2, 3)
    assert Empirical([1.0, 2.0]) == Empirical([1.0, 2.0]) != Empirical([2.0, 1.0])


# ---------------------------------------------------------------------------------------------
# quantile matching: an interval without a mean


@given(alpha=st.floats(0.5, 500), beta=st.floats(0.5, 500), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_beta_from_ci_recovers_the_distribution_with_that_interval(alpha, beta, level):
    lo, hi = Beta(alpha, beta).interval(level)
    assume(1e-6 < lo and hi < 1 - 1e-6)
    fitted = Beta.from_ci(lo, hi, level=level)
    np.testing.assert_allclose(fitted.interval(level), (lo, hi), rtol=1e-6)
    assert fitted.alpha == pytest.approx(alpha, rel=1e-3)
    assert fitted.beta == pytest.approx(beta, rel=1e-3)


@given(shape=st.floats(0.1, 1e4), scale=st.floats(1e-3, 1e5), level=st.sampled_from([0.9, 0.95]))
def test_gamma_from_ci_recovers_the_distribution_with_that_interval(shape, scale, level):
    lo, hi = Gamma(shape, scale).interval(level)
    fitted = Gamma.from_ci(lo, hi, level=level)
    np.testing.assert_allclose(fitted.interval(level), (lo, hi), rtol=1e-8)
    assert fitted.shape == pytest.approx(shape, rel=1e-5)


def test_from_ci_hand_worked_and_errors():
    # an exponential (shape 1) has 95% interval [-ln 0.975, -ln 0.025] * scale
    g = Gamma.from_ci(-math.log(0.975) * 100, -math.log(0.025) * 100)
    assert (g.shape, g.scale) == (pytest.approx(1, rel=1e-9), pytest.approx(100, rel=1e-9))
    assert fit("beta", lower=0.1, upper=0.5) == Beta.from_ci(0.1, 0.5)
    with pytest.raises(DistributionFitError, match=r"Beta.from_ci: lower=0 and upper=0.5 must satisfy 0 < lower < upper < 1"):
        Beta.from_ci(0, 0.5)
    with pytest.raises(DistributionFitError, match=r"Gamma.from_ci: lower=-1 must be > 0"):
        Gamma.from_ci(-1, 5)
    with pytest.raises(DistributionFitError, match=r"upper / lower = 1e\+40, beyond what a Gamma's 0.95 interval can have"):
        Gamma.from_ci(1, 1e40)
    with pytest.raises(DistributionFitError, match=r"lower=5 must be below upper=1"):
        Gamma.from_ci(5, 1)


def test_dirichlet_from_proportions():
    d = Dirichlet.from_proportions({"well": 0.7, "sick": 0.2, "dead": 0.1}, total=50)
    np.testing.assert_allclose(d.alpha, [35, 10, 5])
    with pytest.raises(DistributionFitError, match="proportions sum to 0.9; expected 1"):
        Dirichlet.from_proportions({"a": 0.5, "b": 0.4}, total=10)
    with pytest.raises(DistributionFitError, match="alpha for category 'b'.*got 0"):
        Dirichlet.from_proportions({"a": 1.0, "b": 0.0}, total=10)
    with pytest.raises(DistributionFitError, match="total: expected a value > 0, got -5"):
        Dirichlet.from_proportions({"a": 1.0}, total=-5)


@pytest.mark.parametrize(
    "dist",
    [*UNIVARIATE, Fixed(3.5), Gamma.from_mean_sd(100, 20, point=90), LogNormal.from_point_ci(0.7, 0.55, 0.9), TruncatedNormal(1, 2, upper=3)],
    ids=lambda d: d.describe(),
)
def test_native_parameters_rebuild_the_distribution_exactly(dist):
    family, statistics = dist.native()
    assert fit(family, **statistics) == dist


def test_empirical_has_no_native_parameters():
    with pytest.raises(ParameterError, match=r"Empirical\(2 draws, mean=1.5\) has no native parameters"):
        Empirical([1.0, 2.0]).native()


@pytest.mark.parametrize("dist", [Beta(2, 3), Fixed(1), Empirical([1.0]), Dirichlet({"a": 1, "b": 2})], ids=repr)
def test_distributions_are_immutable(dist):
    with pytest.raises(AttributeError, match="is immutable"):
        dist.alpha = 5
