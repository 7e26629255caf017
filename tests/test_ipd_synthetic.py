"""The SYNTHETIC datasets: the stored CHSS-style file is what the seeded generator makes, and its
summary statistics equal the published CHSS figures by construction (a consistency check)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthecon import cea
from healthecon.errors import ParameterError
from healthecon.ipd import bootstrap, read_patients
from healthecon.ipd.synthetic import chss_cohort, example_path, rescale_mean, shift_bounded_mean, simulate_trial
from healthecon.ipd.synthetic import chss_inputs


def chss_data():
    return read_patients(example_path(), arms=["usual care", "CHSS"], costs=["cost_community", "cost_hospital"],
                         follow_up="years", horizon=2.0, matched_set="pair", covariates=["age", "female"])


def test_stored_file_is_labelled_synthetic_and_regenerates_bit_for_bit():
    path = example_path()
    header, note = path.read_text(encoding="utf-8").splitlines()[:2]
    assert header.split(",")[-1] == "source"  # the header first, so every reader sees the provenance column
    assert note.startswith("# SYNTHETIC") and "by construction" in note
    stored = pd.read_csv(path, comment="#")
    assert set(stored.pop("source")) == {"SYNTHETIC: healthecon.ipd.synthetic"}  # provenance on every row
    fresh = chss_cohort()
    pd.testing.assert_frame_equal(stored, fresh, check_dtype=False)
    assert fresh.attrs["synthetic"] is True


def test_chss_figures_hold_by_construction():
    inputs = chss_inputs()
    data = chss_data()
    assert data.notes[0].startswith("SYNTHETIC")
    assert len(data.table) == 2 * inputs["n_matched"] == 886
    means = data.table.groupby("arm")[["cost", "ly"]].mean()
    inc_cost = means.loc["CHSS", "cost"] - means.loc["usual care", "cost"]
    inc_ly = means.loc["CHSS", "ly"] - means.loc["usual care", "ly"]
    assert inc_cost == pytest.approx(575, abs=1e-6)  # published £575, by construction
    assert inc_cost / inc_ly == pytest.approx(13886, abs=0.5)  # published £13,886, by construction
    assert (data.table[["cost_community", "cost_hospital"]] >= 0).all().all()
    assert data.table["ly"].between(0, 2).all()


def test_matched_bootstrap_gives_more_than_80_percent_at_20000():
    result = bootstrap(chss_data(), 5000, seed=20170)
    assert result.resampling == "matched sets"
    p = cea.ceac(result.replicates, [20000.0]).sel(strategy="CHSS").item()
    assert p > 0.8  # published "more than 80%"; the synthetic spread was chosen so (assumed rows)
    table = cea.icer_table(result.point).set_index("strategy")
    assert table.loc["CHSS", "icer"] == pytest.approx(13886, abs=0.5)


def test_rescaling_helpers_hit_their_targets_and_stay_in_range():
    x = shift_bounded_mean(np.array([0.0, 0.3, 1.9, 2.0, 1.0]), 1.1, upper=2.0)
    assert x.mean() == pytest.approx(1.1, abs=1e-12) and x[0] == 0 and x[3] == 2 and (x <= 2).all()
    assert rescale_mean(np.array([1.0, 3.0]), 10.0).mean() == pytest.approx(10.0)
    with pytest.raises(ParameterError, match="cannot move the mean"):
        shift_bounded_mean(np.array([0.0, 2.0]), 1.5, upper=2.0)
    with pytest.raises(ParameterError, match="missing: expected a share"):
        simulate_trial(10, missing=1.5)
