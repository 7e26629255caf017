"""Distributions checked against scipy.stats and hand-worked moment formulas.

References: Briggs, Claxton & Sculpher (2006) ch. 4; Vose (2008) for PERT; Johnson, Kotz &
Balakrishnan (1994). (Moved from the former test_stats_audit.py, assertions unchanged.)
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import integrate, stats

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
)
from healthecon.params import Parameters

Z95 = stats.norm.ppf(0.975)
QS = np.array([0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999])
shape_param = st.floats(0.05, 200)


# --- distributions against scipy.stats -----------------------------------------------------

def _check_against(dist, ref, rtol=1e-9):
    assert dist.mean == pytest.approx(ref.mean(), rel=rtol, abs=1e-300)
    assert dist.sd == pytest.approx(ref.std(), rel=rtol, abs=1e-300)
    np.testing.assert_allclose(dist.ppf(QS), ref.ppf(QS), rtol=rtol)
    xs = ref.ppf(QS)
    np.testing.assert_allclose(dist.cdf(xs), ref.cdf(xs), rtol=rtol, atol=1e-15)
    low, high = dist.interval(0.9)
    assert (low, high) == pytest.approx(ref.interval(0.9), rel=rtol)
    assert dist.support == pytest.approx(ref.support())


@given(a=shape_param, b=shape_param)
def test_beta_matches_scipy(a, b):
    _check_against(Beta(a, b), stats.beta(a, b))


@given(k=shape_param, scale=st.floats(1e-3, 1e5))
def test_gamma_matches_scipy_and_rate_form(k, scale):
    _check_against(Gamma(k, scale), stats.gamma(k, scale=scale))
    assert Gamma(k, rate=1 / scale).scale == pytest.approx(scale, rel=1e-15)


@given(mu=st.floats(-5, 5), s=st.floats(0.01, 2))
def test_lognormal_matches_scipy(mu, s):
    _check_against(LogNormal(mu, s), stats.lognorm(s, scale=np.exp(mu)))


@given(mu=st.floats(-1e4, 1e4), s=st.floats(1e-3, 1e3))
def test_normal_matches_scipy(mu, s):
    _check_against(Normal(mu, s), stats.norm(mu, s), rtol=1e-9)


@given(lo=st.floats(-100, 100), width=st.floats(0.01, 100))
def test_uniform_matches_scipy(lo, width):
    _check_against(Uniform(lo, lo + width), stats.uniform(lo, width))


@given(lo=st.floats(-100, 100), width=st.floats(0.01, 100), c=st.floats(0, 1))
def test_triangular_matches_scipy_and_vose(lo, width, c):
    mode = lo + c * width
    t = Triangular(lo, min(mode, lo + width), lo + width)
    _check_against(t, stats.triang(c, loc=lo, scale=width), rtol=1e-7)
    assert t.mean == pytest.approx((lo + t.mode + lo + width) / 3, rel=1e-9, abs=1e-9)


@given(lo=st.floats(-100, 100), width=st.floats(0.01, 100), c=st.floats(0, 1), lam=st.floats(0.5, 20))
def test_pert_mean_and_sd_are_vose_formulas(lo, width, c, lam):
    hi = lo + width
    mode = min(lo + c * width, hi)
    p = PERT(lo, mode, hi, lam=lam)
    mean = (lo + lam * mode + hi) / (lam + 2)
    assert p.mean == pytest.approx(mean, rel=1e-9, abs=1e-9)
    # Vose (2008): variance (mean - min)(max - mean) / (lam + 3)
    assert p.sd == pytest.approx(np.sqrt((mean - lo) * (hi - mean) / (lam + 3)), rel=1e-7, abs=1e-9)
    a, b = 1 + lam * (mode - lo) / width, 1 + lam * (hi - mode) / width
    _check_against(p, stats.beta(a, b, loc=lo, scale=width), rtol=1e-7)


@given(mu=st.floats(-3, 3), sigma=st.floats(0.2, 3), lo=st.floats(-4, 2), width=st.floats(0.5, 6))
def test_truncated_normal_mean_and_sd_by_quadrature(mu, sigma, lo, width):
    hi = lo + width
    mass = stats.norm.cdf(hi, mu, sigma) - stats.norm.cdf(lo, mu, sigma)
    assume(mass > 1e-6)
    t = TruncatedNormal(mu, sigma, lo, hi)
    pdf = lambda x: stats.norm.pdf(x, mu, sigma) / mass  # noqa: E731
    mean = integrate.quad(lambda x: x * pdf(x), lo, hi, epsabs=1e-13)[0]
    var = integrate.quad(lambda x: (x - mean) ** 2 * pdf(x), lo, hi, epsabs=1e-13)[0]
    assert t.mean == pytest.approx(mean, rel=1e-6, abs=1e-9)
    assert t.sd == pytest.approx(np.sqrt(var), rel=1e-6)
    assert t.cdf(lo) == 0.0 and t.cdf(hi) == pytest.approx(1.0)
    # scipy's truncnorm.ppf can overshoot a bound by an ulp (ppf(1) = 1.0000000000000002 for [0, 1])
    assert lo <= t.ppf(0.0) and t.ppf(1.0) <= hi
    q = np.concatenate([np.linspace(0, 1e-6, 50), np.linspace(1 - 1e-6, 1, 50)])
    x = t.ppf(q)
    assert np.all((lo <= x) & (x <= hi))


def test_truncated_normal_draws_stay_inside_the_bounds():
    t = TruncatedNormal(-1.9096503744013356, 1.0, 0.0, 1.0)
    assert t.ppf(1.0) == 1.0
    x = t.sample(200000, 0)
    assert x.min() >= 0.0 and x.max() <= 1.0
    d = Parameters(u=t, v=Beta(2, 2)).correlate(["u", "v"], [[1, 0.9], [0.9, 1]]).sample(20000, seed=1)
    assert float(d["u"].max()) <= 1.0


def test_truncated_normal_half_normal_mean_is_sqrt_2_over_pi():
    assert TruncatedNormal(0.0, 2.0, lower=0.0).mean == pytest.approx(2 * np.sqrt(2 / np.pi), rel=1e-12)


# --- constructors, hand-checked ------------------------------------------------------------

@given(m=st.floats(1e-6, 1 - 1e-6), frac=st.floats(0.01, 0.99))
def test_beta_from_mean_sd_recovers_the_moments(m, frac):
    s = frac * np.sqrt(m * (1 - m))
    b = Beta.from_mean_sd(m, s)
    total = m * (1 - m) / s**2 - 1
    assert b.alpha == pytest.approx(m * total, rel=1e-12)
    assert b.beta == pytest.approx((1 - m) * total, rel=1e-12)
    assert b.mean == pytest.approx(m, rel=1e-9) and b.sd == pytest.approx(s, rel=1e-7)
    assert Beta.from_mean_se(m, s) == b


def test_beta_hand_checked_and_extreme_mean():
    assert (Beta.from_mean_sd(0.3, 0.1).alpha, Beta.from_mean_sd(0.3, 0.1).beta) == pytest.approx((6.0, 14.0))
    assert (Beta.from_events(12, 100).alpha, Beta.from_events(12, 100).beta) == (12.0, 88.0)
    tiny = Beta.from_mean_sd(1e-6, 1e-7)
    assert tiny.mean == pytest.approx(1e-6, rel=1e-9) and tiny.sd == pytest.approx(1e-7, rel=1e-6)
    draws = tiny.sample(20000, 1)
    assert np.all((draws > 0) & (draws < 1)) and abs(draws.mean() - 1e-6) < 5 * 1e-7 / np.sqrt(20000)


@given(m=st.floats(1e-3, 1e6), cv=st.floats(0.01, 5))
def test_gamma_and_lognormal_from_mean_sd_match_natural_scale_moments(m, cv):
    s = cv * m
    g = Gamma.from_mean_sd(m, s)
    assert (g.shape, g.scale) == pytest.approx((m**2 / s**2, s**2 / m), rel=1e-12)
    ln = LogNormal.from_mean_sd(m, s)
    assert ln.sdlog == pytest.approx(np.sqrt(np.log(1 + cv**2)), rel=1e-12)
    assert ln.meanlog == pytest.approx(np.log(m) - np.log(1 + cv**2) / 2, rel=1e-12, abs=1e-12)
    for d in (g, ln):
        assert d.mean == pytest.approx(m, rel=1e-9) and d.sd == pytest.approx(s, rel=1e-7)


def test_from_mean_ci_and_point_ci_hand_checked():
    se = (13.92 - 6.08) / (2 * Z95)
    assert Normal.from_mean_ci(10, 6.08, 13.92).sd == pytest.approx(se, rel=1e-12)
    g = Gamma.from_mean_ci(1000, 600, 1400)
    se = 800 / (2 * Z95)
    assert (g.shape, g.scale) == pytest.approx((1000**2 / se**2, se**2 / 1000), rel=1e-12)
    b = Beta.from_mean_ci(0.3, 0.2, 0.4, level=0.9)
    assert b.sd == pytest.approx(0.2 / (2 * stats.norm.ppf(0.95)), rel=1e-9)
    rr = LogNormal.from_point_ci(0.7, 0.55, 0.9)
    assert rr.meanlog == pytest.approx(np.log(0.7)) and rr.sdlog == pytest.approx((np.log(0.9) - np.log(0.55)) / (2 * Z95))
    assert rr.point == 0.7 and rr.ppf(0.5) == pytest.approx(0.7)
    ln = LogNormal.from_mean_ci(2.0, 1.0, 3.5)
    assert ln.mean == pytest.approx(2.0, rel=1e-12)
    assert ln.sdlog == pytest.approx(np.log(3.5) / (2 * Z95), rel=1e-12)


@given(lo=st.floats(0.01, 0.6), width=st.floats(0.02, 0.38), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_beta_and_gamma_from_ci_reproduce_the_interval(lo, width, level):
    hi = lo + width
    assert Beta.from_ci(lo, hi, level=level).interval(level) == pytest.approx((lo, hi), rel=1e-6)
    assert Gamma.from_ci(lo * 100, hi * 100, level=level).interval(level) == pytest.approx((lo * 100, hi * 100), rel=1e-6)


@pytest.mark.parametrize("value", [3, np.int64(3), np.float32(3.0), np.array(3.0), np.array(3)])
def test_numpy_scalars_0d_arrays_and_ints_are_accepted(value):
    assert Gamma(value, value).mean == pytest.approx(9.0)
    assert Uniform(0, value).ppf(np.array(0.5)) == pytest.approx(1.5)
    assert isinstance(Normal(0, value).ppf(np.array(0.5)), float)
    assert Fixed(value).sample(2, 0).tolist() == [3.0, 3.0]


@pytest.mark.parametrize("dist", [
    Beta(2, 5), Gamma(4, 250), LogNormal(0.1, 0.4), Normal(-3, 2), TruncatedNormal(1, 2, 0, 4),
    Uniform(1, 3), Triangular(0, 1, 4), PERT(0, 2, 10, lam=6), Beta.from_mean_sd(1e-3, 5e-4),
])
def test_sampling_reproduces_mean_and_sd(dist):
    n = 40000
    x = dist.sample(n, 2024)
    assert x.shape == (n,) and x.dtype == float
    assert abs(x.mean() - dist.mean) < 5 * dist.sd / np.sqrt(n)
    assert abs(x.std() / dist.sd - 1) < 0.03
    assert stats.kstest(x, dist.cdf).pvalue > 1e-4
    assert np.array_equal(dist.sample(100, 7), dist.sample(100, 7))


def test_empirical_order_quantiles_and_fixed():
    draws = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    e = Empirical(draws)
    assert e.sample(5, 0).tolist() == draws.tolist()  # n == len(draws): in order
    boot = e.sample(10000, 1)
    assert set(boot) <= set(draws) and abs(boot.mean() - 3) < 0.1
    assert e.ppf([0.0, 0.2, 0.21, 0.6, 1.0]).tolist() == [1.0, 1.0, 2.0, 3.0, 5.0]
    np.testing.assert_allclose(e.cdf([0.5, 1.0, 2.5, 5.0]), [0.0, 0.2, 0.4, 1.0], rtol=1e-12, atol=0)
    f = Fixed(0.035)
    assert (f.mean, f.sd, f.point, f.interval()) == (0.035, 0.0, 0.035, (0.035, 0.035))
    assert f.cdf([0.0, 0.035]).tolist() == [0.0, 1.0]


@given(counts=st.lists(st.floats(0.05, 500), min_size=2, max_size=6))
def test_dirichlet_rows_sum_to_one_and_marginals_are_betas(counts):
    names = [f"c{i}" for i in range(len(counts))]
    d = Dirichlet.from_counts(dict(zip(names, counts)))
    total = sum(counts)
    np.testing.assert_allclose(d.mean, np.array(counts) / total, rtol=1e-12)
    for i, c in enumerate(names):
        m = d.marginal(c)
        assert (m.alpha, m.beta) == pytest.approx((counts[i], total - counts[i]))
        assert d.sd[i] == pytest.approx(m.sd, rel=1e-9)
    params = Parameters(d=d)
    for method in ("random", "lhs"):
        draws = params.sample(500, seed=3, method=method)
        assert list(draws.data_vars) == [f"d_{c}" for c in names]
        total_draw = sum(draws[f"d_{c}"].values for c in names)
        assert np.all(np.isfinite(total_draw)) and np.abs(total_draw - 1).max() < 1e-12


