"""Patient-level input: checks naming the column and row, per-person costs, QALYs and life-years."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from healthecon.errors import HealthEconError, ParameterError
from healthecon.ipd import PatientDataError, auc_qalys, life_years, read_patients


def frame(**changes):
    base = pd.DataFrame({
        "id": [101, 102, 103, 104],
        "arm": ["usual care", "usual care", "new", "new"],
        "cost_a": [100.0, 200.0, 300.0, 400.0],
        "cost_b": [10.0, 20.0, 30.0, 40.0],
        "u0": [0.5, 0.6, 0.7, 0.8],
        "u1": [0.7, 0.6, 0.9, 1.0],
        "years": [1.0, 0.5, 2.5, 2.0],
        "age": [70, 71, 72, 73],
    })
    for column, (row, value) in changes.items():
        base[column] = base[column].astype(object) if isinstance(value, str) else base[column]
        base.loc[row, column] = value
    return base


def read(f, **kw):
    args = dict(arm="arm", arms=["usual care", "new"], costs=["cost_a", "cost_b"], utilities={"u0": 0, "u1": 1},
                follow_up="years", horizon=2.0, covariates=["age"])
    args.update(kw)
    return read_patients(f, **args)


def test_per_person_outcomes_by_hand():
    data = read(frame())
    t = data.table
    assert t.loc[101, "cost"] == pytest.approx(110.0)
    assert t.loc[103, "qaly"] == pytest.approx((0.7 + 0.9) / 2)
    assert t.loc[103, "ly"] == pytest.approx(2.0)  # 2.5 years capped at the 2-year horizon
    assert t.loc[102, "baseline_utility"] == pytest.approx(0.6)
    assert data.effects == ("qaly", "ly") and data.default_effect == "qaly"
    assert "baseline_utility" in data.covariates


def test_costs_discounted_at_their_stated_time_since_entry():
    data = read(frame(), cost_times={"cost_b": 1.0}, discount_costs=0.035)
    assert data.table.loc[101, "cost_a"] == pytest.approx(100.0)  # time 0: not discounted
    assert data.table.loc[101, "cost_b"] == pytest.approx(10.0 / 1.035)


def test_discounted_auc_is_the_exact_integral():
    # u(t) linear from 0.4 to 1.0 over [1, 3]: integrate u(t) 1.035^-t numerically
    t = np.linspace(1, 3, 200001)
    u = 0.4 + 0.3 * (t - 1)
    integrand = u * 1.035 ** -t
    expected = float(np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(t)))
    got = auc_qalys(np.array([[0.4, 1.0]]), [1.0, 3.0], rate=0.035)[0]
    assert got == pytest.approx(expected, rel=1e-9)
    assert auc_qalys(np.array([[0.4, 1.0]]), [1.0, 3.0])[0] == pytest.approx(1.4)


def test_life_years_discounted_continuously():
    assert life_years(np.array([2.0]), 0.035)[0] == pytest.approx((1 - 1.035**-2) / np.log(1.035))
    with pytest.raises(ParameterError, match="did you mean 0.035"):
        life_years(np.array([2.0]), 3.5)


@pytest.mark.parametrize("changes, message", [
    ({"arm": (2, "nwe")}, "column 'arm', data row 3, id 103: arm 'nwe' is not one of"),
    ({"cost_b": (1, -5.0)}, "column 'cost_b', data row 2, id 102: negative cost -5"),
    ({"u1": (3, 1.2)}, "column 'u1', data row 4, id 104: utility 1.2 is above 1"),
    ({"u0": (0, -1.5)}, "column 'u0', data row 1, id 101: utility -1.5 is below -1"),
    ({"id": (3, 101)}, "column 'id': identifier 101 appears twice (rows 1 and 4)"),
    ({"years": (0, -1.0)}, "column 'years', data row 1, id 101: negative follow-up"),
    ({"cost_a": (2, "£300")}, "column 'cost_a', data row 3, id 103: '£300' is not a number"),
    ({"arm": (0, None)}, "column 'arm', data row 1, id 101: missing arm"),
])
def test_bad_rows_are_named(changes, message):
    with pytest.raises(PatientDataError) as err:
        read(frame(**changes))
    assert message in str(err.value)
    assert isinstance(err.value, HealthEconError)


def test_negative_utilities_are_allowed():
    data = read(frame(u1=(0, -0.2)))
    assert data.table.loc[101, "qaly"] == pytest.approx((0.5 - 0.2) / 2)


def test_missing_columns_and_empty_arm_are_named():
    with pytest.raises(PatientDataError, match=r"missing column\(s\) \['cost_c'\]"):
        read(frame(), costs=["cost_a", "cost_c"])
    with pytest.raises(PatientDataError, match=r"no people in arm\(s\) \['other'\]"):
        read(frame(), arms=["usual care", "new", "other"])
    with pytest.raises(PatientDataError, match="matched_set or cluster, not both"):
        read(frame(), matched_set="age", cluster="age")
    with pytest.raises(PatientDataError, match=r"column 'age', data row 2, id 102: weight 0.0 is not > 0"):
        read(frame(age=(1, 0)), weight="age")


def test_missing_values_stay_missing_not_dropped():
    data = read(frame(u1=(2, np.nan), cost_a=(0, np.nan)))
    assert np.isnan(data.table.loc[103, "qaly"]) and np.isnan(data.table.loc[101, "cost"])
    assert len(data.table) == 4


def test_csv_notes_after_the_header_are_notes_and_a_later_hash_cell_is_data():
    """Comment lines right after the header (so the header, with its ``source`` column, is the
    first line) are notes; a row further down whose first cell starts with ``#`` stays a row."""
    header, *rows = frame().to_csv(index=False).splitlines(keepends=True)
    text = header + "# SYNTHETIC test data\n# second note\n" + "".join(rows)
    data = read(io.StringIO(text))
    assert data.notes == ("SYNTHETIC test data", "second note")
    pd.testing.assert_frame_equal(data.table, read(io.StringIO("".join([header, *rows]))).table)
    later = read(io.StringIO(header + rows[0] + "#" + "".join(rows[1:])))
    assert later.notes == () and later.table.index.tolist() == ["101", "#102", "103", "104"]


def test_csv_with_synthetic_label_reads_the_same_as_the_frame():
    text = "# SYNTHETIC test data\n" + frame().to_csv(index=False)
    data = read(io.StringIO(text))
    assert data.notes == ("SYNTHETIC test data",)
    assert data.table.index.tolist() == ["101", "102", "103", "104"]  # identifiers stay text, "007" stays "007"
    expected = read(frame()).table
    pd.testing.assert_frame_equal(data.table.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False)
