"""Missing data: the report, complete cases with a warning, MICE (PMM) then bootstrap, Rubin's rules."""

from __future__ import annotations

import numpy as np
import pytest

from healthecon import cea
from healthecon.errors import AnalysisError
from healthecon.ipd import MissingDataWarning, complete_cases, missingness, multiple_imputation, read_patients, rubin
from healthecon.ipd.missing import impute
from healthecon.ipd.synthetic import simulate_trial


def trial(missing=0.15):
    frame = simulate_trial(80, seed=4, missing=missing)
    return read_patients(frame, arms=["usual care", "new"], costs=["cost_drug", "cost_visits", "cost_hospital"],
                         utilities={"eq5d_0": 0, "eq5d_6": 0.5, "eq5d_12": 1}, covariates=["age"])


def test_missingness_counts_by_arm():
    data = trial()
    table = missingness(data)
    for arm in data.arms:
        mask = data.table["arm"] == arm
        assert table.loc["qaly", f"{arm} missing"] == data.table.loc[mask, "qaly"].isna().sum()
    assert table.loc["cost_drug", "all missing"] == 0
    assert table.loc["cost", "all missing"] == table.loc["cost_visits", "all missing"] > 0


def test_complete_cases_warns_with_counts_per_arm():
    data = trial()
    dropped = int(data.table[["cost", "qaly"]].isna().any(axis=1).sum())
    with pytest.warns(MissingDataWarning, match=rf"drops {dropped} people with missing data \(usual care: \d+ of 80, new: \d+ of 80\)"):
        cc = complete_cases(data)
    assert len(cc.table) == 160 - dropped and not cc.table[["cost", "qaly"]].isna().any().any()
    full = trial(missing=0.0)
    assert complete_cases(full) is full  # nothing to drop, no warning (warnings are errors only for RuntimeWarning)


def test_rubin_without_between_imputation_variance_is_the_within_variance():
    pooled = rubin(np.ones((5, 2)), np.full((5, 2), 0.25))
    assert pooled["total"].tolist() == [0.25, 0.25] and np.isinf(pooled["df"]).all()
    with pytest.raises(AnalysisError, match="at least 2 imputations"):
        rubin(np.ones((1, 2)), np.ones((1, 2)))


def test_pmm_imputes_observed_values_and_leaves_observed_ones_alone():
    pytest.importorskip("statsmodels")
    data = trial()
    observed = data.table["qaly"].dropna()
    completed = impute(data, 3, seed=7)
    for filled in completed:
        assert not filled.table[["qaly", "cost", "cost_visits"]].isna().any().any()
        np.testing.assert_array_equal(filled.table.loc[observed.index, "qaly"], observed)
        assert set(filled.table["qaly"]) <= set(observed)  # predictive mean matching draws donors' values
        items = filled.table[["cost_drug", "cost_visits", "cost_hospital"]].sum(axis=1)
        np.testing.assert_allclose(filled.table["cost"], items)  # the total follows the imputed items
    assert not completed[0].table["qaly"].equals(completed[1].table["qaly"])


def test_multiple_imputation_is_seeded_pooled_and_feeds_the_ceac():
    pytest.importorskip("statsmodels")
    data = trial()
    mi = multiple_imputation(data, n_imputations=4, n_boot=300, seed=5)
    again = multiple_imputation(data, n_imputations=4, n_boot=300, seed=5)
    assert mi.replicates.identical(again.replicates)
    assert mi.replicates.sizes["sample"] == 1200 and mi.replicates.attrs["n_imputations"] == 4
    pooled = mi.pooled()
    row = pooled.loc[("qaly", "new vs usual care")]
    estimates = [(r.point["qaly"].values[0, 1] - r.point["qaly"].values[0, 0]) for r in mi.results]
    assert row["estimate"] == pytest.approx(np.mean(estimates))
    assert row["between"] == pytest.approx(np.var(estimates, ddof=1))
    assert row["total"] >= row["within"] and row["lower"] < row["estimate"] < row["upper"]
    curve = cea.ceac(mi.replicates, [20000.0])
    assert 0 <= curve.sel(strategy="new").item() <= 1
    assert cea.icer_table(mi.point).shape[0] == 2
