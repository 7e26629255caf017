"""Net-benefit regression against statsmodels' WLS at single thresholds, and the SUR table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthecon.errors import AnalysisError
from healthecon.ipd import net_benefit_regression, read_patients, sur_table
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
