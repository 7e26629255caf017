"""Bootstrap of patient-level data: resampling plans, estimators, intervals, and the outcome layout."""

from __future__ import annotations

import inspect

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from healthecon import cea, voi
from healthecon.errors import AnalysisError
from healthecon.ipd import ResamplingPlan, bca_interval, bootstrap, percentile_interval, read_patients, resample
from healthecon.ipd.bootstrap import evaluate, evaluate_bootstrap, resampling_plan
from healthecon.ipd.estimators import ArmMeans, GammaMeans, LinearMeans
from healthecon.ipd.synthetic import simulate_trial
from healthecon.outcomes import validate_outcomes
from healthecon.plot import plot_ce_plane, plot_ceac
from healthecon.report import write_excel


def trial(n_per_arm=120, seed=3, **kw):
    frame = simulate_trial(n_per_arm, seed=seed, missing=0.0)
    return read_patients(frame, arms=["usual care", "new"], costs=["cost_drug", "cost_visits", "cost_hospital"],
                         utilities={"eq5d_0": 0, "eq5d_6": 0.5, "eq5d_12": 1}, follow_up="years",
                         covariates=["age", "female"], **kw)


def test_within_arm_resampling_keeps_arm_sizes():
    plan = ResamplingPlan.build(np.array([0] * 7 + [1] * 5))
    counts = plan.bootstrap_counts(300, seed=1)
    assert (counts[:, :7].sum(axis=1) == 7).all() and (counts[:, 7:].sum(axis=1) == 5).all()
    assert plan.kind == "people within arms"


def test_matched_sets_are_drawn_whole():
    arm = np.tile([0, 1], 6)
    pair = np.repeat(np.arange(6), 2)
    plan = ResamplingPlan.build(arm, pair)
    counts = plan.bootstrap_counts(500, seed=2)
    assert plan.kind == "matched sets" and plan.n_units == 6
    assert np.array_equal(counts[:, 0::2], counts[:, 1::2])  # both members of a pair, always together
    assert (counts.sum(axis=1) == 12).all()


def test_clusters_within_one_arm_are_resampled_within_arm():
    arm = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    cluster = np.array(["a", "a", "b", "b", "c", "c", "d", "d"])
    plan = ResamplingPlan.build(arm, cluster, "clusters")
    assert plan.kind == "clusters within arms" and plan.strata_sizes == (2, 2)
    counts = plan.bootstrap_counts(200, seed=3)
    assert (counts[:, :4].sum(axis=1) == 4).all()


@pytest.mark.parametrize("method, covariates", [
    ("mean", None), ("ols", ["age", "female"]), ("sur", {"cost": ["age"], "qaly": ["baseline_utility", "female"]}), ("glm", ["age"]),
])
def test_same_seed_same_replicates_however_chunked(monkeypatch, method, covariates):
    # every estimator's replicates and jackknife rows, bit for bit, in chunks of 1, 7 and 64
    # replicates: its matrix products come out the same whichever rows share them, and the
    # GLM stops each replicate when that replicate has converged
    data = trial()
    whole = bootstrap(data, 300, seed=11, method=method, covariates=covariates)
    for per_chunk in (1, 7, 64):
        monkeypatch.setattr(resample, "CHUNK_ELEMENTS", per_chunk * len(data.table))
        assert resampling_plan(data).chunk_size() == per_chunk
        chunked = bootstrap(data, 300, seed=11, method=method, covariates=covariates)
        assert chunked.replicates.identical(whole.replicates), (method, per_chunk)
        assert chunked.jackknife.identical(whole.jackknife), (method, per_chunk)
    assert not bootstrap(data, 300, seed=12, method=method, covariates=covariates).replicates.identical(whole.replicates)


def test_arm_means_of_a_replicate_are_the_means_of_the_drawn_people():
    data = trial(30)
    plan = resampling_plan(data)
    counts = plan.bootstrap_counts(3, seed=4)
    means = ArmMeans(data)(counts)
    cost = data.table["cost"].to_numpy()
    arm = data.arm_index
    for r in range(3):
        drawn = np.repeat(np.arange(cost.size), counts[r].astype(int))
        for a in (0, 1):
            who = drawn[arm[drawn] == a]
            assert means["cost"][r, a] == pytest.approx(cost[who].mean(), rel=1e-12)


def test_weighted_means_use_the_analysis_weights():
    frame = pd.DataFrame({"arm": ["A", "A", "B", "B"], "c": [10.0, 30.0, 20.0, 40.0], "w": [3.0, 1.0, 1.0, 1.0]})
    data = read_patients(frame, id=None, costs=["c"], weight="w")
    result = bootstrap(data, 50, seed=1)
    assert result.point["cost"].values[0].tolist() == pytest.approx([15.0, 30.0])


def seeded(seed: int) -> dict[str, np.random.Generator]:
    """A fresh generator for scipy.stats.bootstrap: ``rng=`` from scipy 1.15, ``random_state=`` before (our floor is 1.10)."""
    key = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"
    return {key: np.random.default_rng(seed)}


def test_bca_equals_scipy_given_the_same_bootstrap_distribution():
    # Two independent samples (within-arm resampling); scipy's BCa uses the per-sample jackknife
    # (Efron & Tibshirani 1993, eq. 15.36), as bca_interval does with the arms as strata.
    data = trial(60, seed=9)
    cost = data.table["cost"].to_numpy()
    arm = data.arm_index
    new, usual = cost[arm == 1], cost[arm == 0]
    res = stats.bootstrap((new, usual), lambda x, y, axis=-1: x.mean(axis=axis) - y.mean(axis=axis),
                          n_resamples=2000, method="BCa", confidence_level=0.9, **seeded(1))
    est = ArmMeans(data, ["cost"])
    plan = resampling_plan(data)
    jack = evaluate(est, plan.iter_jackknife_weights(), data.weights)["cost"]
    lo, hi = bca_interval(res.bootstrap_distribution, np.float64(new.mean() - usual.mean()),
                          jack[:, 1] - jack[:, 0], plan.unit_stratum, 0.9)
    assert float(lo) == pytest.approx(res.confidence_interval.low, rel=1e-10)
    assert float(hi) == pytest.approx(res.confidence_interval.high, rel=1e-10)
    plo, phi = percentile_interval(res.bootstrap_distribution, 0.9)
    res_p = stats.bootstrap((new, usual), lambda x, y, axis=-1: x.mean(axis=axis) - y.mean(axis=axis),
                            n_resamples=2000, method="percentile", confidence_level=0.9, **seeded(1))
    assert float(plo) == pytest.approx(res_p.confidence_interval.low, rel=1e-10)


def test_bca_of_a_symmetric_statistic_with_no_bias_is_the_percentile_interval():
    reps = np.linspace(-1, 1, 2001)  # median 0 = estimate, so z0 = 0
    jack = np.array([-1.0, 0.0, 1.0])  # symmetric, so a = 0
    lo, hi = bca_interval(reps, np.float64(0.0), jack, np.zeros(3, dtype=int), 0.95)
    plo, phi = percentile_interval(reps, 0.95)
    assert (float(lo), float(hi)) == pytest.approx((float(plo), float(phi)), abs=1e-12)


def test_summary_rows_and_increments():
    result = bootstrap(trial(), 500, seed=3)
    table = result.summary()
    assert table.attrs["interval"] == "bca" and table.attrs["n_boot"] == 500
    row = table.loc[("cost", "new vs usual care")]
    point = result.point["cost"].values[0]
    assert row["estimate"] == pytest.approx(point[1] - point[0])
    assert row["lower"] < row["estimate"] < row["upper"]
    with pytest.raises(AnalysisError, match="'bca' or 'percentile'"):
        result.summary(interval="normal")


def test_replicates_feed_icer_table_ceac_plots_voi_and_reports_unchanged(tmp_path):
    result = bootstrap(trial(), 300, seed=8)
    reps = validate_outcomes(result.replicates)
    assert reps.attrs["effect"] == "qaly" and reps.attrs["effect_unit"] == "QALY"
    table = cea.icer_table(result.point)
    new = table.set_index("strategy").loc["new"]
    point = result.point
    expected = ((point["cost"].sel(strategy="new") - point["cost"].sel(strategy="usual care"))
                / (point["qaly"].sel(strategy="new") - point["qaly"].sel(strategy="usual care"))).item()
    assert new["icer"] == pytest.approx(expected)
    curve = cea.ceac(reps, [0, 20000, 1e6])
    inc = result.increments().loc["new"]
    assert curve.sel(strategy="new", wtp=20000).item() == pytest.approx(((20000 * inc.inc_effect - inc.inc_cost) > 0).mean())
    assert float(voi.evpi(reps, [20000]).values[0]) >= 0
    ax = plot_ce_plane(reps, "usual care", wtp=20000)
    assert len(ax.collections[0].get_offsets()) == 300
    plot_ceac(reps, np.linspace(0, 50000, 11))
    path = write_excel({"ICER": table, "Summary": result.summary()}, tmp_path / "ipd.xlsx",
                       charts={"CE plane": lambda ax=None: plot_ce_plane(reps, "usual care", ax=ax)})
    assert path.exists()


def test_regression_estimators_match_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    data = trial(80)
    x = pd.DataFrame({"const": 1.0, "new": (data.arm_index == 1).astype(float), "age": data.table["age"]})
    y = data.table["cost"].to_numpy()
    one = np.ones((1, len(y)))
    fit = sm.GLM(y, x, family=sm.families.Gamma(sm.families.links.Log())).fit()
    g = GammaMeans(data, ["age"])(one)["cost"][0]
    x0, x1 = x.assign(new=0.0), x.assign(new=1.0)
    assert g == pytest.approx([fit.predict(x0).mean(), fit.predict(x1).mean()], rel=1e-8)
    ols = sm.OLS(data.table["qaly"].to_numpy(), x.assign(u0=data.table["baseline_utility"])).fit()
    lin = LinearMeans(data, {"qaly": ["age", "baseline_utility"]}, variables=["qaly"])(one)["qaly"][0]
    assert lin[1] - lin[0] == pytest.approx(ols.params["new"], rel=1e-10)
    w = np.random.default_rng(1).integers(0, 3, size=len(y)).astype(float)  # a bootstrap-like weight row
    wfit = sm.GLM(y, x, family=sm.families.Gamma(sm.families.links.Log()), freq_weights=w).fit()
    weighted = GammaMeans(data, ["age"])(w[None, :])["cost"][0]  # Newton steps from the unweighted fit
    recycled = [np.average(wfit.predict(x0), weights=w), np.average(wfit.predict(x1), weights=w)]
    assert weighted == pytest.approx(recycled, rel=1e-8)


def test_sur_bootstrap_point_matches_linearmodels():
    pytest.importorskip("linearmodels")
    from healthecon.ipd import sur_table

    data = trial(100)
    table = sur_table(data, cost_covariates=["age", "female"], effect_covariates=["baseline_utility"])
    result = bootstrap(data, 200, seed=1, method="sur", covariates={"cost": ["age", "female"], "qaly": ["baseline_utility"]})
    point = result.point
    inc_cost = (point["cost"].sel(strategy="new") - point["cost"].sel(strategy="usual care")).item()
    inc_qaly = (point["qaly"].sel(strategy="new") - point["qaly"].sel(strategy="usual care")).item()
    assert inc_cost == pytest.approx(table.loc["new", "inc_cost"], rel=1e-9)
    assert inc_qaly == pytest.approx(table.loc["new", "inc_effect"], rel=1e-9)
    ols = bootstrap(data, 200, seed=1, method="ols", covariates={"cost": ["age", "female"], "qaly": ["baseline_utility"]})
    assert (ols.point["cost"] - point["cost"]).pipe(abs).max().item() > 0  # SUR differs from OLS with different regressors


def test_sur_with_the_same_regressors_is_ols():
    data = trial(60)
    same = {"cost": ["age"], "qaly": ["age"]}
    sur = bootstrap(data, 100, seed=2, method="sur", covariates=same).replicates
    ols = bootstrap(data, 100, seed=2, method="ols", covariates=same).replicates
    np.testing.assert_allclose(sur["cost"].values, ols["cost"].values, rtol=1e-9)


def test_bad_requests_are_named():
    data = trial(20)
    with pytest.raises(AnalysisError, match="method: expected one of"):
        bootstrap(data, 10, method="tobit")
    with pytest.raises(AnalysisError, match="covariate 'bmi'"):
        bootstrap(data, 10, method="ols", covariates=["bmi"])
    with pytest.raises(AnalysisError, match="at least 2 bootstrap replicates"):
        bootstrap(data, 1)
    missing = read_patients(simulate_trial(20, seed=1, missing=0.3), arms=["usual care", "new"], costs=["cost_visits"],
                            utilities={"eq5d_0": 0, "eq5d_12": 1})
    with pytest.raises(AnalysisError, match="complete_cases .* or healthecon.ipd.multiple_imputation"):
        bootstrap(missing, 10)


@pytest.mark.parametrize("design", ["people", "weighted pairs", "clusters"])
def test_means_by_index_equal_means_from_count_rows(design):
    frame = simulate_trial(40, seed=2, missing=0.0)
    frame["pair"] = np.tile(np.arange(40), 2)
    frame["ward"] = frame["id"] % 7 + 10 * (frame["arm"] == "new")
    frame["w"] = np.random.default_rng(3).uniform(0.5, 2.0, len(frame))
    kw = {"people": {}, "weighted pairs": {"matched_set": "pair", "weight": "w"}, "clusters": {"cluster": "ward"}}[design]
    data = read_patients(frame, arms=["usual care", "new"], costs=["cost_drug", "cost_visits"], follow_up="years", **kw)
    plan = resampling_plan(data)
    est = ArmMeans(data)
    w = None if data.weight is None else data.weights
    by_index = evaluate_bootstrap(est, plan, 300, seed=6, analysis_weights=w)
    by_counts = evaluate(est, plan.iter_bootstrap_counts(300, seed=6), w)
    for v in est.variables:
        np.testing.assert_allclose(by_index[v], by_counts[v], rtol=1e-12)
