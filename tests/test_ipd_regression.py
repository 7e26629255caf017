"""Net-benefit regression against statsmodels' WLS at single thresholds, and the SUR table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthecon.errors import AnalysisError
from healthecon.ipd import mean_difference_table, net_benefit_regression, read_patients, sur_table
from healthecon.ipd.synthetic import simulate_trial


def trial(weight=False):
    frame = simulate_trial(100, seed=3, missing=0.0)
    if weight:
        frame["w"] = np.random.default_rng(1).uniform(0.5, 2.0, len(frame))
    return read_patients(frame, arms=["usual care", "new"], costs=["cost_drug", "cost_visits", "cost_hospital"],
                         utilities={"eq5d_0": 0, "eq5d_6": 0.5, "eq5d_12": 1}, covariates=["age"],
                         weight="w" if weight else None)


@pytest.mark.parametrize("weight", [False, True])
def test_net_benefit_regression_equals_statsmodels_at_each_threshold(weight):
    sm = pytest.importorskip("statsmodels.api")
    data = trial(weight)
    grid = [0.0, 20000.0, 30000.0]
    table = net_benefit_regression(data, grid, covariates=["age", "baseline_utility"])
    x = pd.DataFrame({"const": 1.0, "new": (data.arm_index == 1).astype(float), "age": data.table["age"],
                      "u0": data.table["baseline_utility"]})
    for lam in grid:
        nb = lam * data.table["qaly"] - data.table["cost"]
        fit = sm.WLS(nb.to_numpy(), x, weights=data.weights).fit()
        row = table.loc[("new", lam)]
        assert row["inb"] == pytest.approx(fit.params["new"], rel=1e-9)
        assert row["se"] == pytest.approx(fit.bse["new"], rel=1e-9)
        lo, hi = fit.conf_int(0.05).loc["new"]
        assert (row["lower"], row["upper"]) == pytest.approx((lo, hi), rel=1e-9)
        assert row["p_ce"] == pytest.approx(1 - fit.pvalues["new"] / 2 if fit.params["new"] > 0 else fit.pvalues["new"] / 2,
                                            rel=1e-7)


def test_net_benefit_regression_rejects_bad_thresholds():
    with pytest.raises(AnalysisError, match="wtp: expected thresholds >= 0"):
        net_benefit_regression(trial(), [-1.0])


def test_sur_table_increments_and_covariance():
    pytest.importorskip("linearmodels")
    data = trial()
    table = sur_table(data, cost_covariates=["age"], effect_covariates=["baseline_utility"])
    row = table.loc["new"]
    assert row["cost_lower"] < row["inc_cost"] < row["cost_upper"]
    assert -1 < row["corr"] < 1 and row["cov"] == pytest.approx(row["corr"] * row["se_cost"] * row["se_effect"])
    # with no covariates SUR equals the difference in means
    plain = sur_table(data)
    means = data.table.groupby("arm")[["cost", "qaly"]].mean()
    assert plain.loc["new", "inc_cost"] == pytest.approx(means.loc["new", "cost"] - means.loc["usual care", "cost"], rel=1e-9)


def test_mean_difference_table_is_the_central_limit_theorem_by_hand():
    data = trial()
    table = mean_difference_table(data)
    row = table.loc["new"]
    groups = {arm: data.table.loc[data.table["arm"] == arm, ["cost", "qaly"]] for arm in data.arms}
    new, old = groups["new"], groups["usual care"]
    assert row["inc_cost"] == pytest.approx(new["cost"].mean() - old["cost"].mean(), rel=1e-12)
    assert row["inc_effect"] == pytest.approx(new["qaly"].mean() - old["qaly"].mean(), rel=1e-12)
    var_c = new["cost"].var() / len(new) + old["cost"].var() / len(old)  # pandas var: n - 1
    cov = new["cost"].cov(new["qaly"]) / len(new) + old["cost"].cov(old["qaly"]) / len(old)
    assert row["se_cost"] == pytest.approx(np.sqrt(var_c), rel=1e-12)
    assert row["cov"] == pytest.approx(cov, rel=1e-12)
    assert row["corr"] == pytest.approx(cov / (row["se_cost"] * row["se_effect"]), rel=1e-12)
    assert table.attrs["df"] == len(data.table) - 2


def test_mean_difference_table_refuses_weights_and_one_person_arms():
    with pytest.raises(AnalysisError, match="analysis weights"):
        mean_difference_table(trial(weight=True))
    frame = pd.DataFrame({"arm": ["A", "A", "B"], "c": [1.0, 2.0, 3.0], "years": [1.0, 1.5, 2.0]})
    with pytest.raises(AnalysisError, match="arm 'B': 1 person"):
        mean_difference_table(read_patients(frame, id=None, costs=["c"], follow_up="years"))
