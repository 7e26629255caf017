"""Independent audit: distributions, parameters, rates, life tables and incremental analysis
checked against scipy.stats, hand-worked formulas and brute-force reimplementations.

References: Briggs, Claxton & Sculpher (2006) ch. 3-5; Fleurence & Hollenbeak (2007);
Drummond et al. (2015) ch. 4; Vose (2008) for PERT; Johnson, Kotz & Balakrishnan (1994).
"""

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import xarray as xr
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from healthecon import cea
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
from healthecon.errors import ParameterError
from healthecon.lifetable import LifeTable
from healthecon.outcomes import make_outcomes
from healthecon.params import Parameters
from healthecon.rates import (
    apply_hr,
    apply_or,
    apply_rr,
    competing_rates_to_probs,
    convert_prob,
    odds_to_prob,
    prob_to_odds,
    prob_to_rate,
    rate_to_prob,
)

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


@pytest.mark.parametrize("value", [0.035, 1, np.int64(1), np.float32(0.5), np.array(0.035), np.array(2)])
def test_plain_numbers_of_any_numeric_type_become_fixed_parameters(value):
    # a 0-d array (np.array(0.035), or a value computed with numpy) used to be rejected
    params = Parameters(k=value)
    assert params["k"] == Fixed(float(value))
    assert params.sample(3, seed=0)["k"].values.tolist() == [float(value)] * 3
    with pytest.raises(ParameterError, match="expected a distribution"):
        Parameters(k=np.array([0.035]))
    with pytest.raises(ParameterError, match="expected a distribution"):
        Parameters(k=np.array(True))


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
    assert e.cdf([0.5, 1.0, 2.5, 5.0]).tolist() == [0.0, 0.2, 0.4, 1.0]
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


# --- parameters: reproducibility, streams, copula, LHS, joint draws -------------------------

def _params():
    return Parameters(p=Beta(12, 88), c=Gamma.from_mean_sd(1000, 300), rr=LogNormal.from_point_ci(0.7, 0.55, 0.9),
                      d=Dirichlet({"well": 70, "sick": 20, "dead": 10}), k=0.035)


def test_same_seed_gives_bit_identical_draws_in_another_process():
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from test_stats_audit import _params\n"
        "d = _params().sample(50, seed=123)\n"
        "print(b''.join(d[v].values.tobytes() for v in d.data_vars).hex())\n"
    ) % str(__import__("pathlib").Path(__file__).parent)
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    here = _params().sample(50, seed=123)
    assert other == b"".join(here[v].values.tobytes() for v in here.data_vars).hex()
    assert _params().sample(50, seed=124)["p"].values.tolist() != here["p"].values.tolist()


def test_streams_are_independent_by_name():
    d = Parameters(a=Beta(2, 2), b=Beta(2, 2), c=Beta(2, 2)).sample(20000, seed=5)
    assert not np.array_equal(d["a"].values, d["b"].values)
    corr = np.corrcoef([d["a"].values, d["b"].values, d["c"].values])
    assert np.abs(corr[np.triu_indices(3, 1)]).max() < 0.03
    alone = Parameters(b=Beta(2, 2)).sample(20000, seed=5)["b"].values
    assert np.array_equal(alone, d["b"].values)


def test_base_case_has_the_sample_layout():
    params = _params()
    base, draws = params.base_case(), params.sample(3, seed=1)
    assert list(base.data_vars) == list(draws.data_vars)
    assert all(base[v].dims == ("sample",) for v in base.data_vars) and base.sizes["sample"] == 1
    assert {v: base[v].attrs for v in base.data_vars} == {v: draws[v].attrs for v in draws.data_vars}
    assert base["rr"].item() == 0.7 and base["d_sick"].item() == pytest.approx(0.2)


@pytest.mark.parametrize("kind", ["normal", "spearman"])
@pytest.mark.parametrize("method", ["random", "lhs"])
def test_copula_recovers_target_correlation_and_keeps_marginals(kind, method):
    marginals = {"a": Gamma(4, 250), "b": Beta(2, 8), "c": LogNormal(0, 0.5)}
    target = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]])
    n = 20000
    d = Parameters(marginals).correlate(["a", "b", "c"], target, kind=kind).sample(n, seed=11, method=method)
    x = np.column_stack([d[v].values for v in "abc"])
    if kind == "spearman":
        got = stats.spearmanr(x).statistic
    else:  # Pearson correlation of the normal scores
        got = np.corrcoef(stats.norm.ppf([marginals[v].cdf(d[v].values) for v in "abc"]))
    np.testing.assert_allclose(got, target, atol=0.02)
    for j, v in enumerate("abc"):
        assert stats.kstest(x[:, j], marginals[v].cdf).pvalue > 1e-3
        if method == "lhs":  # one draw in each of the n equal-probability strata
            strata = np.floor(np.asarray(marginals[v].cdf(x[:, j])) * n)
            assert np.unique(np.clip(strata, 0, n - 1)).size >= n - 2


@pytest.mark.parametrize("matrix, message", [
    ([[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]], "not positive semi-definite"),
    ([[1, 0.5, 0], [0.4, 1, 0], [0, 0, 1]], "not symmetric"),
    ([[1, 0.5, 0], [0.5, 0.9, 0], [0, 0, 1]], "diagonal entry for 'b'"),
    ([[1, 1.5, 0], [1.5, 1, 0], [0, 0, 1]], r"is 1.5; expected a value in \[-1, 1\]|not positive"),
    ([[1, 0.5], [0.5, 1]], "expected a 3 x 3"),
])
def test_correlation_matrix_validation(matrix, message):
    params = Parameters(a=Beta(1, 1), b=Beta(1, 1), c=Beta(1, 1))
    with pytest.raises(Exception, match=message):
        params.correlate(["a", "b", "c"], matrix)


def test_spearman_conversion_keeps_a_unit_diagonal():
    # 2 sin(pi * 1 / 6) = 0.9999999999999999 used to end up on the diagonal
    params = Parameters(a=Beta(2, 2), b=Gamma(2, 2), c=Normal(0, 1))
    matrix = params.correlate(["a", "b", "c"], [[1, 0.5, -1], [0.5, 1, -0.5], [-1, -0.5, 1]], kind="spearman").correlations[("a", "b", "c")]
    assert np.diag(matrix).tolist() == [1.0, 1.0, 1.0] and matrix[0, 2] == -1.0
    assert matrix[0, 1] == pytest.approx(2 * np.sin(np.pi * 0.5 / 6), rel=1e-15)


def test_lhs_marginals_are_stratified():
    n = 1000
    d = _params().sample(n, seed=9, method="lhs")
    for name in ("p", "c", "rr"):
        u = np.asarray(_params()[name].cdf(d[name].values))
        assert np.array_equal(np.sort(np.floor(u * n)), np.arange(n))


def test_from_draws_keeps_rows_together():
    rng = np.random.default_rng(0)
    table = {"x": rng.normal(size=50), "y": rng.normal(size=50), "z": rng.normal(size=50)}
    rows = {tuple(r) for r in np.column_stack(list(table.values()))}
    params = Parameters.from_draws(table)
    for n in (50, 333):
        d = params.sample(n, seed=4)
        got = np.column_stack([d[v].values for v in "xyz"])
        assert all(tuple(r) in rows for r in got)
    assert np.array_equal(params.sample(50, seed=4)["x"].values, table["x"])


# --- rates ---------------------------------------------------------------------------------

prob = st.floats(0, 0.999999)


@given(p=prob, t_from=st.floats(0.01, 50), t_to=st.floats(0.01, 50))
def test_rates_round_trip_and_period_conversion(p, t_from, t_to):
    assert rate_to_prob(prob_to_rate(p, t_from), t_from) == pytest.approx(p, rel=1e-9, abs=1e-15)
    q = convert_prob(p, t_from, t_to)
    assert q == pytest.approx(1 - (1 - p) ** (t_to / t_from), rel=1e-9, abs=1e-15)
    if q < 1 - 1e-9:  # beyond, q has rounded to (nearly) 1 and the way back is ill-conditioned
        assert convert_prob(q, t_to, t_from) == pytest.approx(p, rel=1e-6, abs=1e-12)
    assert odds_to_prob(prob_to_odds(p)) == pytest.approx(p, rel=1e-9, abs=1e-15)


def test_rates_hand_checked():
    assert convert_prob(0.2, 5, 1) == pytest.approx(1 - 0.8**0.2, rel=1e-14)
    assert rate_to_prob(0.1, 1 / 12) == pytest.approx(1 - np.exp(-0.1 / 12), rel=1e-14)
    assert apply_rr(0.1, 1.5) == pytest.approx(0.15)
    assert apply_or(0.2, 2.0) == pytest.approx(0.25 * 2 / (1 + 0.25 * 2))
    assert apply_hr(0.1, 0.5) == pytest.approx(1 - np.exp(0.5 * np.log(0.9)), rel=1e-14)
    assert apply_hr(1.0, 0.5) == 1.0 and apply_hr(1.0, 0.0) == 0.0 and apply_hr(0.0, 3.0) == 0.0
    assert str(apply_hr(0.5, 0.0)) == "0.0" and str(apply_hr(0.0, 2.0)) == "0.0"  # not -0.0
    assert convert_prob(1.0, 1, 2) == 1.0


@pytest.mark.parametrize("p", [1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.5, 0.999])
@pytest.mark.parametrize("hr", [0.01, 0.5, 2.0, 10.0])
def test_apply_hr_is_accurate_for_small_probabilities(p, hr):
    # 1 - (1 - p) ** hr lost ~all precision for tiny p (apply_hr(1e-12, 0.5) gave 5.0004e-13)
    exact = -np.expm1(hr * np.log1p(-p))
    assert apply_hr(p, hr) == pytest.approx(exact, rel=1e-12)


@given(p=st.floats(0, 1), ratio=st.floats(0.01, 20))
def test_apply_or_equals_the_odds_route(p, ratio):
    if p < 1:
        o = p / (1 - p) * ratio
        assert apply_or(p, ratio) == pytest.approx(o / (1 + o), rel=1e-12, abs=1e-300)
    assert 0 <= apply_or(p, ratio) <= 1


@given(rates=st.lists(st.floats(0, 5), min_size=1, max_size=5), t=st.floats(0.01, 3))
def test_competing_risks_sum_to_total_and_split_by_rate(rates, t):
    out = competing_rates_to_probs({f"k{i}": r for i, r in enumerate(rates)}, t)
    total = sum(rates)
    assert sum(out.values()) == pytest.approx(1 - np.exp(-total * t), rel=1e-12, abs=1e-15)
    for i, r in enumerate(rates):
        assert out[f"k{i}"] == pytest.approx(r / total * (1 - np.exp(-total * t)) if total else 0.0, rel=1e-12, abs=1e-15)


# --- life table ----------------------------------------------------------------------------

def test_life_table_interval_lookup_and_cycle_conversion():
    lt = LifeTable([40, 50, 60], [0.002, 0.005, 0.012])
    assert lt.probability([40.0, 49.999, 50.0, 59.999, 60.0, 69.999]).tolist() == [0.002, 0.002, 0.005, 0.005, 0.012, 0.012]
    with pytest.raises(ParameterError, match="age 70 is beyond the last row"):
        lt.probability(70.0)
    with pytest.raises(ParameterError, match="age 39.5 is below the first row"):
        lt.probability(39.5)
    assert lt.probability(75, extend_last=True) == pytest.approx(0.012)
    assert lt.probability(55, cycle_length=0.25) == pytest.approx(1 - 0.995**0.25, rel=1e-12)
    rates = LifeTable([0, 10], [0.01, 0.1], kind="rate")
    assert rates.probability(10, cycle_length=2) == pytest.approx(1 - np.exp(-0.2), rel=1e-12)
    five_year = LifeTable([0, 5], [0.05, 0.1], period=5)
    assert five_year.probability(3) == pytest.approx(convert_prob(0.05, 5, 1), rel=1e-12)
    cohort = LifeTable(np.arange(60, 70), np.linspace(0.01, 0.1, 10)).cohort(np.array([60.0, 64.0]), 3, 0.5)
    assert cohort.shape == (2, 3)
    np.testing.assert_allclose(cohort[1], 1 - (1 - np.array([0.05, 0.05, 0.06])) ** 0.5, rtol=1e-12)
    with pytest.raises(ParameterError, match="age 70 is beyond"):
        LifeTable(np.arange(60, 70), np.full(10, 0.01)).cohort(68.0, 3)


@pytest.mark.parametrize("cycle_length", [0.7, 0.1, 1 / 12, 0.3, 1 / 52])
def test_cohort_cycles_starting_on_a_band_boundary_use_that_band(cycle_length):
    # 90 * 0.7 = 62.99999999999999 used to pick the age-62 row for the cycle starting at 63
    lt = LifeTable(np.arange(0, 101), np.linspace(0.001, 0.101, 101))
    cycles = int(round(80 / cycle_length))
    got = lt.cohort(0.0, cycles, cycle_length)
    exact_rows = np.array([int(Fraction(k) * Fraction(cycle_length).limit_denominator(1000)) for k in range(cycles)])
    np.testing.assert_allclose(got, -np.expm1(cycle_length * np.log1p(-lt.values[exact_rows])), rtol=1e-12)


# --- incremental analysis against brute force ------------------------------------------------

def _brute_force_icers(cost, effect):
    """Statuses and ICERs by definition: exact rational arithmetic, all pairs."""
    n = len(cost)
    c = [Fraction(x) for x in cost]
    e = [Fraction(x) for x in effect]
    status = ["ND"] * n
    for j in range(n):
        for i in range(n):
            if i != j and c[i] <= c[j] and e[i] >= e[j] and (c[i] < c[j] or e[i] > e[j] or i < j):
                status[j] = "D"
    free = [j for j in range(n) if status[j] == "ND"]
    for j in free:
        for a in free:
            for b in free:
                if e[a] < e[j] < e[b]:
                    chord = c[a] + (c[b] - c[a]) * (e[j] - e[a]) / (e[b] - e[a])
                    if chord < c[j]:
                        status[j] = "ED"
    frontier = sorted((j for j in range(n) if status[j] == "ND"), key=lambda j: e[j])
    icer, comparator = [None] * n, [None] * n
    for prev, j in zip(frontier, frontier[1:]):
        icer[j] = float((c[j] - c[prev]) / (e[j] - e[prev]))
        comparator[j] = f"s{prev}"
    for j in range(n):
        if status[j] == "D":  # the least costly dominator, then the most effective, then the first
            who = [i for i in range(n) if i != j and c[i] <= c[j] and e[i] >= e[j] and (c[i] < c[j] or e[i] > e[j] or i < j)]
            comparator[j] = f"s{min(who, key=lambda i: (c[i], -e[i], i))}"
        elif status[j] == "ED":  # the frontier strategies either side
            below = max((i for i in frontier if e[i] < e[j]), key=lambda i: e[i])
            above = min((i for i in frontier if e[i] > e[j]), key=lambda i: e[i])
            comparator[j] = f"s{below} and s{above}"
    return status, icer, comparator


values = st.integers(0, 6).map(float)


@settings(max_examples=150)
@given(points=st.lists(st.tuples(values, values), min_size=1, max_size=8))
def test_icer_table_matches_brute_force_frontier(points):
    # small integer grids make ties, duplicates and collinear points frequent
    cost, effect = [p[0] * 1000 for p in points], [p[1] for p in points]
    names = [f"s{i}" for i in range(len(points))]
    table = cea.icer_table(make_outcomes({"cost": cost, "effect": effect}, names)).set_index("strategy")
    status, icer, comparator = _brute_force_icers(cost, effect)
    for i, name in enumerate(names):
        assert table.loc[name, "status"] == status[i], (name, points)
        got = table.loc[name, "comparator"]
        assert (got if isinstance(got, str) else None) == comparator[i], (name, points)
        if icer[i] is None:
            assert np.isnan(table.loc[name, "icer"])
        else:
            assert table.loc[name, "icer"] == pytest.approx(icer[i], rel=1e-12)


@given(points=st.lists(st.tuples(st.floats(0, 1e5), st.floats(0, 20)), min_size=1, max_size=8))
def test_icer_table_frontier_has_increasing_icers(points):
    cost, effect = [p[0] for p in points], [p[1] for p in points]
    table = cea.icer_table(make_outcomes({"cost": cost, "effect": effect}, [f"s{i}" for i in range(len(points))]))
    nd = table[table["status"] == "ND"]
    assert np.all(np.diff(nd["effect"]) > 0) and np.all(np.diff(nd["cost"]) > 0)
    icers = nd["icer"].to_numpy()[1:]
    assert np.all(np.diff(icers) >= -1e-9 * np.abs(icers[1:]))
    assert (table["status"] == "ND").sum() >= 1


def _outcome_samples(seed, n, k, ties=False):
    rng = np.random.default_rng(seed)
    cost = rng.normal(1000, 300, size=(n, k))
    effect = rng.normal(1, 0.2, size=(n, k))
    if ties:
        cost, effect = np.round(cost, -2), np.round(effect, 1)
        cost[:, -1], effect[:, -1] = cost[:, 0], effect[:, 0]  # an identical strategy
    return make_outcomes({"cost": cost, "effect": effect}, [f"s{i}" for i in range(k)]), cost, effect


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("k", [1, 2, 5])
def test_ceac_ceaf_expected_loss_and_net_benefit_match_loops(k, ties):
    out, cost, effect = _outcome_samples(k, 60, k, ties)
    grid = np.array([0.0, 500.0, 1000.0, 1500.0, 3000.0])
    curve, loss, front = cea.ceac(out, grid), cea.expected_loss(out, grid), cea.ceaf(out, grid)
    nmb = cea.net_benefit(out, grid)
    nhb = cea.net_benefit(out, grid[1:], kind="health")
    for w, lam in enumerate(grid):
        wins = np.zeros(k)
        forgone = np.zeros(k)
        for s in range(60):
            row = [lam * effect[s, j] - cost[s, j] for j in range(k)]
            best = max(range(k), key=lambda j: (row[j], -j))  # first strategy on ties
            wins[best] += 1
            forgone += [max(row) - row[j] for j in range(k)]
            for j in range(k):
                assert nmb.values[s, j, w] == pytest.approx(row[j], rel=1e-12, abs=1e-9)
                if lam > 0:
                    assert nhb.values[s, j, w - 1] == pytest.approx(effect[s, j] - cost[s, j] / lam, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(curve.values[w], wins / 60, rtol=0, atol=1e-15)
        np.testing.assert_allclose(loss.values[w], forgone / 60, rtol=1e-9, atol=1e-9)
        expected_nmb = [np.mean(lam * effect[:, j] - cost[:, j]) for j in range(k)]
        j_best = int(np.argmax(expected_nmb))
        assert front["optimal"].values[w] == f"s{j_best}"
        assert front["probability"].values[w] == pytest.approx(wins[j_best] / 60)
        assert front["expected_loss"].values[w] == pytest.approx(forgone[j_best] / 60, rel=1e-9, abs=1e-9)
        assert front["expected_nmb"].values[w] == pytest.approx(expected_nmb[j_best], rel=1e-9)


def test_incremental_and_pairwise_match_hand_calculation():
    out, cost, effect = _outcome_samples(3, 200, 3)
    inc = cea.incremental(out, "s1")
    np.testing.assert_allclose(inc["cost"].sel(strategy="s2").values, cost[:, 2] - cost[:, 1], rtol=1e-14)
    table = cea.pairwise(out, "s0", wtp=2000, level=0.9)
    d_c, d_e = cost[:, 1] - cost[:, 0], effect[:, 1] - effect[:, 0]
    row = table.loc["s1"]
    assert row["icer"] == pytest.approx(d_c.mean() / d_e.mean(), rel=1e-12)
    assert row["inc_nmb_lower"] == pytest.approx(np.percentile(2000 * d_e - d_c, 5), rel=1e-12)
    assert row["p_cost_effective"] == pytest.approx(np.mean(2000 * d_e - d_c > 0))
