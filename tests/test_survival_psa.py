"""Survival parameters in PSA: MultivariateNormal through Parameters, curves reading draws, EVPPI of a curve."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import healthecon as he
from healthecon import voi
from healthecon.distributions import MultivariateNormal
from healthecon.errors import DistributionFitError, ParameterError
from healthecon.outcomes import make_outcomes
from healthecon.survival import ParametricCurve, fit_model, load_dataset, restricted_mean, survival_data


@pytest.fixture(scope="module")
def bc():
    return survival_data(load_dataset("bc"), time="recyrs", event="censrec", arm="group")


@pytest.fixture(scope="module")
def weibull(bc):
    return fit_model(bc, "weibull", joint=True)


# -- MultivariateNormal ----------------------------------------------------------------------


def test_mvn_draws_have_the_stated_mean_and_covariance():
    cov = np.array([[0.04, -0.01, 0.0], [-0.01, 0.09, 0.02], [0.0, 0.02, 0.01]])
    mvn = MultivariateNormal({"a": 0.5, "b": 1.0, "c": -0.2}, cov, log=["a", "b"])
    x = mvn.sample(200_000, rng=3)
    z = np.column_stack([np.log(x[:, 0]), np.log(x[:, 1]), x[:, 2]])
    np.testing.assert_allclose(z.mean(axis=0), [0.5, 1.0, -0.2], atol=3e-3)
    np.testing.assert_allclose(np.cov(z.T), cov, atol=2e-3)
    np.testing.assert_allclose(mvn.point, [np.exp(0.5), np.e, -0.2])
    assert mvn.mean[0] == pytest.approx(np.exp(0.5 + 0.02))  # log-normal mean
    assert (x[:, :2] > 0).all()


def test_mvn_accepts_a_singular_covariance_and_checks_bad_ones():
    mvn = MultivariateNormal({"a": 1.0, "b": 2.0}, [[1.0, 1.0], [1.0, 1.0]])
    x = mvn.sample(100, rng=1)
    np.testing.assert_allclose(x[:, 0] - 1.0, x[:, 1] - 2.0)
    with pytest.raises(DistributionFitError, match="not symmetric"):
        MultivariateNormal({"a": 0.0, "b": 0.0}, [[1.0, 0.5], [0.4, 1.0]])
    with pytest.raises(DistributionFitError, match="not positive semi-definite"):
        MultivariateNormal({"a": 0.0, "b": 0.0}, [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(DistributionFitError, match="must be 2 x 2"):
        MultivariateNormal({"a": 0.0, "b": 0.0}, [[1.0]])


def test_mvn_expands_in_parameters_with_its_own_stream():
    mvn = MultivariateNormal({"shape": 0.2, "scale": 1.5}, [[0.01, -0.002], [-0.002, 0.004]], log=["shape", "scale"])
    alone = he.Parameters(os=mvn).sample(50, seed=9)
    with_costs = (he.Parameters(c_drug=he.Gamma(4, 250)) | he.Parameters(os=mvn)).sample(50, seed=9)
    assert list(alone.data_vars) == ["os_shape", "os_scale"]
    assert alone["os_shape"].attrs["group"] == "os" and alone["os_scale"].attrs["category"] == "scale"
    np.testing.assert_array_equal(alone["os_shape"].values, with_costs["os_shape"].values)  # bit-identical is the property
    lhs = he.Parameters(os=mvn).sample(1000, seed=1, method="lhs")
    z = np.log(lhs["os_shape"].values)
    assert z.mean() == pytest.approx(0.2, abs=0.002)
    summary = he.Parameters(os=mvn).summary()
    assert summary["name"].tolist() == ["os_shape", "os_scale"]
    with pytest.raises(ParameterError, match="cannot be written as rows"):
        he.Parameters(os=mvn).to_table()


# -- fits as PSA parameters --------------------------------------------------------------------


def test_fit_parameters_draw_from_the_estimates_covariance(weibull):
    params = weibull.parameters("os")
    assert params.variables == ("os_shape", "os_scale", "os_arm_Medium", "os_arm_Poor")
    draws = params.sample(40_000, seed=2)
    z = np.column_stack([np.log(draws["os_shape"]), np.log(draws["os_scale"]), draws["os_arm_Medium"], draws["os_arm_Poor"]])
    np.testing.assert_allclose(z.mean(axis=0), weibull.draw_mean.to_numpy(), atol=4e-3)
    np.testing.assert_allclose(np.cov(z.T), weibull.cov.to_numpy(), rtol=0.05, atol=2e-4)
    base = params.base_case()
    t = np.array([0.0, 1.0, 5.0, 20.0])
    np.testing.assert_allclose(weibull.curve("os", arm="Poor").survival(t, base), weibull.curve(arm="Poor").survival(t), rtol=1e-12)


def test_psa_curves_are_vectorised_over_samples(weibull):
    draws = weibull.parameters("os").sample(500, seed=4)
    curve = weibull.curve("os", arm="Medium")
    assert curve.parameter_names == ("os_shape", "os_scale", "os_arm_Medium")
    s = curve.survival(np.linspace(0, 30, 61), draws)
    assert s.shape == (500, 61)
    # each row is the curve of that sample's parameters
    i = 123
    one = ParametricCurve("weibull", shape=float(draws["os_shape"][i]), scale=float(draws["os_scale"][i]) * np.exp(float(draws["os_arm_Medium"][i])))
    np.testing.assert_allclose(s[i], one.survival(np.linspace(0, 30, 61))[0], rtol=1e-12)


def test_bootstrap_parameters_are_refits_drawn_jointly(bc):
    fit = fit_model(bc, "exponential", arm="Good")
    params = fit.parameters("pfs", method="bootstrap", n_boot=40, seed=5)
    assert params.variables == ("pfs_rate",)
    table = fit.bootstrap(40, seed=5)
    assert table.shape == (40, 1)
    assert table["rate"].mean() == pytest.approx(fit.estimates["rate"], rel=0.1)
    np.testing.assert_allclose(fit.bootstrap(40, seed=5), table)  # same seed, same replicates
    joint = fit_model(bc, "weibullPH", joint=True).parameters("os", method="bootstrap", n_boot=5, seed=1)
    assert joint.variables == ("os_shape", "os_scale", "os_arm_Medium", "os_arm_Poor")


def test_evppi_of_the_os_curve_as_a_group(weibull):
    """A toy decision: QALYs are restricted mean survival (20 years) of 'Medium' (comparator) and of
    'Good' (new, at a cost); all decision uncertainty is in the OS curve, so the EVPPI of the curve's
    group equals the EVPI, and an unrelated cost parameter has none."""
    params = weibull.parameters("os") | he.Parameters(c_admin=he.Gamma(100, 1.0))
    draws = params.sample(2000, seed=11)
    ly_old = restricted_mean(weibull.curve("os", arm="Medium"), 20, draws, steps=200)
    ly_new = restricted_mean(weibull.curve("os", arm="Good"), 20, draws, steps=200)
    cost = np.column_stack([draws["c_admin"].values, draws["c_admin"].values + 30_000.0])
    outcomes = make_outcomes({"cost": cost, "qaly": np.column_stack([ly_old, ly_new])}, ["Medium", "Good"], effect="qaly")
    group = list(weibull.parameters("os").variables)
    evpi = float(voi.evpi(outcomes, 20_000).item())
    assert evpi > 0
    result = voi.evppi(outcomes, draws, group, 20_000, method="gp", se_draws=0)
    assert float(result["evppi"].item()) == pytest.approx(evpi, rel=0.1)
    assert float(voi.evppi(outcomes, draws, "c_admin", 20_000, se_draws=0)["evppi"].item()) < 0.05 * evpi


# -- restricted mean ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["weibull", "llogis", "lnorm", "gompertz"]),
    st.floats(0.4, 3.0),
    st.floats(0.3, 10.0),
    st.floats(1.0, 40.0),
)
def test_restricted_mean_equals_the_integral_of_the_curve(dist, a, b, horizon):
    params = {"weibull": {"shape": a, "scale": b}, "llogis": {"shape": a, "scale": b}, "lnorm": {"meanlog": np.log(b), "sdlog": a}, "gompertz": {"shape": a - 1.5, "rate": 1 / b}}[dist]
    curve = ParametricCurve(dist, **params)
    exact, _ = integrate.quad(lambda x: curve.survival([x])[0, 0], 0, horizon, limit=200)
    assert restricted_mean(curve, horizon)[0] == pytest.approx(exact, rel=1e-5, abs=1e-7)
