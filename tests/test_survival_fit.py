"""Survival fitting: input checks, estimates against flexsurv's published test values, engines agreeing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthecon.errors import AnalysisError, ParameterError, UnknownNameError
from healthecon.survival import fit_model, fit_survival, load_dataset, survival_data


@pytest.fixture(scope="module")
def bc():
    return survival_data(load_dataset("bc"), time="recyrs", event="censrec", arm="group")


@pytest.fixture(scope="module")
def bc_all():
    return survival_data(load_dataset("bc"), time="recyrs", event="censrec")


# -- input checks --------------------------------------------------------------------------------

FRAME = pd.DataFrame({"t": [1.0, 2.0, 3.0, 4.0], "d": [1, 0, 1, 1], "arm": ["A", "A", "B", "B"], "age": [60, 70, 65, 55]})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"t": [1.0, -2.0, 3.0, 4.0]}, "column 't', row 1: follow-up times cannot be negative, got -2"),
        ({"t": [1.0, np.nan, 3.0, 4.0]}, "column 't', row 1: expected a finite follow-up time, got nan"),
        ({"t": [1.0, 0.0, 3.0, 4.0]}, "column 't', row 1: follow-up time is 0"),
        ({"d": [1, 0, 2, 1]}, "column 'd', row 2: event flags must be 0 .* got 2"),
        ({"d": [1, 0, True, 1]}, "column 'd', row 2: event flags must be 0 .* got True"),
        ({"d": [1, 0, None, 1]}, "column 'd', row 2: event flags"),
        ({"arm": ["A", None, "B", "B"]}, "column 'arm', row 1: the arm is missing"),
        ({"age": [60, "old", 65, 55]}, "column 'age', row 1: expected a numeric covariate value, got 'old'"),
    ],
)
def test_bad_patient_data_is_named_by_column_and_row(change, message):
    with pytest.raises(ParameterError, match=message):
        survival_data(FRAME.assign(**change), time="t", event="d", arm="arm", covariates=["age"])


def test_unknown_column_lists_the_columns():
    with pytest.raises(UnknownNameError, match="unknown time column 'time'.*'t', 'd'"):
        survival_data(FRAME)


def test_csv_input_reads_the_same(tmp_path):
    path = tmp_path / "ipd.csv"
    path.write_text("# a comment line\n" + FRAME.to_csv(index=False))
    data = survival_data(path, time="t", event="d", arm="arm")
    np.testing.assert_array_equal(data.time, FRAME["t"].to_numpy())
    assert data.arms == ("A", "B")


def test_an_arm_with_no_events_is_named():
    data = survival_data(FRAME.assign(d=[1, 1, 0, 0]), time="t", event="d", arm="arm")
    with pytest.raises(AnalysisError, match="Weibull \\(AFT\\) fit to arm 'B': there are no events"):
        fit_survival(data, ["weibull"])
    with pytest.raises(AnalysisError, match="arm 'B' has no events"):
        fit_model(data, "weibullPH", joint=True)


def test_a_fit_that_does_not_converge_names_model_and_arm():
    # two events at the same time cannot identify a Gompertz's two parameters with a covariate
    frame = pd.DataFrame({"t": [1.0, 1.0, 5.0, 5.0], "d": [1, 1, 0, 0], "arm": ["A", "A", "A", "A"]})
    data = survival_data(frame, time="t", event="d", arm="arm")
    with pytest.raises(AnalysisError, match="Generalised gamma fit to arm 'A'.*(converge|not finite)"):
        fit_model(data, "gengamma", arm="A")


def test_unknown_model_is_named():
    with pytest.raises(UnknownNameError, match="survival model 'weibul'"):
        fit_survival(survival_data(FRAME, time="t", event="d"), ["weibul"])


# -- published values (flexsurv's tests/testthat, printed to the precision asserted) -----------


def test_weibull_on_bc_matches_flexsurv(bc_all):
    # flexsurv tests/testthat/test_spline.R: flexsurvspline(Surv(recyrs, censrec) ~ 1, data=bc, k=0)
    # has loglik -873.207054864145 and equals the Weibull fit (same file, lines 102-108).
    for model in ("weibull", "weibullPH", "rp1"):
        fit = fit_model(bc_all, "weibull" if model == "rp1" else model)
        assert fit.loglik == pytest.approx(-873.207054864145, abs=1e-5)


@pytest.mark.parametrize(
    ("model", "loglik"),
    [("rp1-odds", -788.981901798638), ("rp1", -792.863797823674), ("rp1-normal", -785.623256840396)],
)
def test_spline_with_group_matches_flexsurv(bc, model, loglik):
    # flexsurv tests/testthat/test_spline.R lines 54-72: flexsurvspline(Surv(recyrs, censrec) ~ group,
    # data=bc, k=1, scale=...) with tol=1e-05 there.
    fit = fit_model(bc, model, joint=True)
    assert fit.loglik == pytest.approx(loglik, abs=1e-4)


def test_odds_spline_coefficients_and_ses_match_flexsurv(bc):
    # flexsurv tests/testthat/test_spline.R lines 59-60: values to 3 decimals, checked there with
    # expect_equal(tol=1e-03), a relative tolerance; the log-likelihood agrees to 1e-7 above.
    fit = fit_model(bc, "rp1-odds", joint=True)
    np.testing.assert_allclose(fit.estimates.iloc[:3].to_numpy(), [-3.451, 2.915, 0.191], rtol=1e-3)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov.to_numpy()))[:3], [0.203, 0.298, 0.044], rtol=1e-3, atol=5e-4)
    assert fit.knots.size == 3  # boundary knots at the extreme log event times, one internal at the median
    np.testing.assert_allclose(fit.knots, np.quantile(np.log(bc.time[bc.event == 1]), [0, 0.5, 1]))


def test_aic_and_bic_are_from_loglik(bc_all):
    fit = fit_model(bc_all, "gompertz")
    assert fit.aic == pytest.approx(-2 * fit.loglik + 4)
    assert fit.bic == pytest.approx(-2 * fit.loglik + 2 * np.log(686))


# -- internal consistency ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["exponential", "weibull", "llogis", "lnorm"])
@pytest.mark.parametrize("joint", [False, True])
def test_lifelines_and_scipy_engines_agree(bc, model, joint):
    if model == "exponential" and joint:
        pytest.skip("lifelines has no exponential regression; scipy fits it")
    kwargs = {"joint": True} if joint else {"arm": "Poor"}
    a = fit_model(bc, model, engine="lifelines", **kwargs)
    b = fit_model(bc, model, engine="scipy", **kwargs)
    assert a.engine == "lifelines" and b.engine == "scipy"
    # lifelines stops its Newton steps slightly early on the log-logistic regression (3e-4 lower)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-3)
    assert b.loglik >= a.loglik - 1e-6
    np.testing.assert_allclose(a.estimates, b.estimates, rtol=2e-3)
    np.testing.assert_allclose(a.cov, b.cov, rtol=2e-3, atol=1e-5)  # standard errors agree to about 1e-4


def test_weibull_ph_and_aft_are_the_same_model(bc):
    aft = fit_model(bc, "weibull", joint=True)
    ph = fit_model(bc, "weibullPH", joint=True)
    assert aft.loglik == pytest.approx(ph.loglik, abs=1e-5)
    shape = aft.estimates["shape"]
    # PH coefficient = -shape x AFT coefficient; PH scale m = b^-a
    assert ph.estimates["arm_Poor"] == pytest.approx(-shape * aft.estimates["arm_Poor"], rel=1e-3)
    assert ph.estimates["scale"] == pytest.approx(aft.estimates["scale"] ** -shape, rel=1e-3)
    t = np.array([1.0, 3.0, 6.0])
    np.testing.assert_allclose(aft.curve(arm="Medium").survival(t), ph.curve(arm="Medium").survival(t), rtol=1e-4)


def test_gengamma_nests_the_lognormal_and_weibull(bc_all):
    gg = fit_model(bc_all, "gengamma")
    assert gg.loglik >= fit_model(bc_all, "lnorm").loglik - 1e-6
    assert gg.loglik >= fit_model(bc_all, "weibull").loglik - 1e-6


def test_separate_fits_sum_to_the_stratified_likelihood(bc):
    fits = fit_survival(bc, ["weibull"])
    assert len(fits) == 3
    total = sum(f.loglik for f in fits.values())
    # a joint fit constrains the shape to be equal across arms, so it cannot be better
    assert fit_model(bc, "weibull", joint=True).loglik <= total + 1e-6


def test_aic_table_is_sorted_within_arm(bc):
    table = fit_survival(bc, ["exponential", "weibull", "lnorm"]).table()
    assert list(table.columns[:3]) == ["arm", "model", "name"]
    assert table["arm"].tolist() == ["Good"] * 3 + ["Medium"] * 3 + ["Poor"] * 3
    for _, rows in table.groupby("arm"):
        assert rows["aic"].is_monotonic_increasing
        assert rows["delta_aic"].min() == 0.0


def test_covariates_give_curves_at_their_means(bc_all):
    frame = load_dataset("bc").assign(x=lambda f: np.where(f["group"] == "Poor", 1.0, 0.0))
    data = survival_data(frame, time="recyrs", event="censrec", covariates=["x"])
    fit = fit_model(data, "weibullPH")
    assert fit.covariate_means["x"] == pytest.approx((frame["x"]).mean())
    poor = fit.curve(covariates={"x": 1.0}).survival([2.0])
    good = fit.curve(covariates={"x": 0.0}).survival([2.0])
    assert poor[0, 0] < good[0, 0]
    with pytest.raises(UnknownNameError):
        fit.curve(covariates={"age": 1.0})


def test_joint_fit_curve_needs_an_arm(bc):
    fit = fit_model(bc, "lnorm", joint=True)
    with pytest.raises(ParameterError, match="say which arm"):
        fit.curve()
    with pytest.raises(UnknownNameError):
        fit.curve(arm="Excellent")
    assert fit.curve(arm="Good").location_effect == ()
