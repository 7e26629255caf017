"""healthecon.reproduction: when a figure matches, what a check carries, and the checks table."""

import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthecon.errors import AnalysisError
from healthecon.reproduction import BASES, CHECK_COLUMNS, Check, Reproduction, checks_table, ledger_summary, ledger_verdict


@pytest.mark.parametrize(
    ("published", "reproduced", "precision", "status"),
    [
        (6.74, 6.7449, 0.01, "match"),  # inside half the rounding unit
        (6.74, 6.7351, 0.01, "match"),
        (6.74, 6.7451, 0.01, "mismatch"),  # just outside
        (6.74, 6.7349, 0.01, "mismatch"),
        (13886, 13886.5, 1, "match"),  # exactly half a unit: published rounding could give either
        (1_200_000, 1_150_001, 100_000, "match"),
        (1_200_000, 1_149_999, 100_000, "mismatch"),
        (1_200_000, 1_250_001, 100_000, "mismatch"),
        (4.0, 4.0, 0.0, "match"),  # precision 0: exact (up to floating-point noise)
        (4.0, 4.0 + 1e-12, 0.0, "match"),
        (4.0, 4.001, 0.0, "mismatch"),
    ],
)
def test_equal_figures_match_within_half_the_published_rounding(published, reproduced, precision, status):
    assert Check("m", "f", published, reproduced, precision=precision).status == status


@pytest.mark.parametrize(
    ("comparison", "reproduced", "status"),
    [(">", 0.846, "match"), (">", 0.80, "mismatch"), (">", 0.79, "mismatch"),
     ("<", 0.79, "match"), ("<", 0.80, "mismatch")],
)
def test_bounds_match_only_strictly_on_their_side(comparison, reproduced, status):
    assert Check("chss", "P(CE)", 0.80, reproduced, comparison=comparison).status == status


@given(published=st.floats(-1e6, 1e6), offset=st.floats(-0.49, 0.49), unit=st.sampled_from([0.01, 1.0, 1e5]))
def test_anything_that_rounds_to_the_published_figure_matches(published, offset, unit):
    check = Check("m", "f", published, published + offset * unit, precision=unit)
    assert check.status == "match"
    assert check.difference == pytest.approx(offset * unit, abs=1e-9 * max(1.0, abs(published)))


def test_probability_and_its_label_travel_together():
    check = Check("popp", "ratio", 1.2, 1.2, 0.01, interval=(0.8, 1.6), probability=0.8361,
                  probability_label="P(return > £1 per £1)")
    assert check.probability_text == "P(return > £1 per £1) = 0.836"
    assert Check("m", "f", 1, 1).probability is None and Check("m", "f", 1, 1).probability_text == ""
    with pytest.raises(AnalysisError, match=r"check 'ratio' \(model 'm'\), field 'probability_label': a probability \(0.5\) needs a label"):
        Check("m", "ratio", 1, 1, probability=0.5)
    with pytest.raises(AnalysisError, match="field 'probability_label': a label given without a probability, got 'P'"):
        Check("m", "ratio", 1, 1, probability_label="P")


@pytest.mark.parametrize("probability", [-0.01, 1.01, math.nan])
def test_a_probability_outside_zero_one_is_rejected_naming_the_figure(probability):
    with pytest.raises(AnalysisError, match=r"check 'ratio' \(model 'm'\), field 'probability': expected a probability in \[0, 1\]"):
        Check("m", "ratio", 1, 1, probability=probability, probability_label="P(ratio > 1)")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"comparison": ">="}, r"field 'comparison': expected one of \('=', '>', '<'\), got '>='"),
        ({"precision": -1}, "field 'precision': expected a number >= 0 (the published rounding unit), got -1"),
        ({"precision": math.nan}, "field 'precision': expected a number >= 0"),
        ({"interval": (2.0, 1.0)}, r"field 'interval': expected \(low, high\) with low <= high, got \(2.0, 1.0\)"),
        ({"published": "1.2"}, "field 'published': expected a number, got '1.2'"),
        ({"reproduced": None}, "field 'reproduced': expected a number, got None"),
    ],
)
def test_other_bad_checks_raise_a_healthecon_error_naming_the_figure_and_the_field(fields, message):
    values = {"published": 1, "reproduced": 1} | fields
    with pytest.raises(AnalysisError) as info:
        Check("m", "f", **values)
    assert str(info.value).startswith("check 'f' (model 'm'), field ")
    assert re.search(message, str(info.value)) or message in str(info.value)


def test_checks_table_has_one_row_per_figure_with_numeric_intervals_and_probabilities():
    reps = [
        Reproduction("a", "A", checks=[
            Check("a", "ratio", 1.2, 1.2004, 0.01, interval=(0.8, 1.6), source="seed line 1",
                  probability=0.97, probability_label="P(ratio > 1)"),
            Check("a", "P(CE)", 0.8, 0.79, comparison=">"),
        ]),
        Reproduction("b", "B", checks=[Check("b", "total (£)", 8e6, 8e6, 1e6)]),
    ]
    table = checks_table(reps)
    assert tuple(table.columns) == CHECK_COLUMNS == (
        "model", "figure", "published", "reproduced", "difference", "status", "interval_low", "interval_high",
        "probability", "probability_label", "source", "basis", "assumptions")
    assert table["model"].tolist() == ["a", "a", "b"]
    assert table["published"].tolist() == ["1.2", ">0.8", "8e+06"]
    assert table["status"].tolist() == ["match", "mismatch", "match"]
    assert table["difference"].tolist() == pytest.approx([0.0004, -0.01, 0.0])
    assert table.loc[0, ["interval_low", "interval_high", "probability"]].tolist() == [0.8, 1.6, 0.97]
    assert table.loc[1:, ["interval_low", "interval_high", "probability"]].isna().all().all()
    assert table["probability_label"].tolist() == ["P(ratio > 1)", "", ""]
    assert pd.api.types.is_float_dtype(table["probability"])
    assert table["basis"].tolist() == ["re-derived"] * 3 and table["assumptions"].tolist() == ["", "", ""]


def test_basis_is_one_of_four_and_says_whether_the_match_could_fail():
    assert BASES == ("re-derived", "consistency", "calibrated", "input")
    could_fail = {b: not Check("m", "f", 1, 1, basis=b).by_construction for b in BASES}
    assert could_fail == {"re-derived": True, "consistency": True, "calibrated": False, "input": False}
    with pytest.raises(AnalysisError, match=r"field 'basis': expected one of .*'calibrated'.*, got 'reproduced'"):
        Check("m", "f", 1, 1, basis="reproduced")
    with pytest.raises(AnalysisError, match="field 'assumptions'"):
        Check("m", "f", 1, 1, assumptions=None)


def test_ledger_summary_counts_figures_by_basis_and_mismatches():
    def rep(*bases, status_ok=True):
        return Reproduction("m", "M", checks=[Check("m", f"f{i}", 1.0, 1.0 if status_ok else 2.0, 0.01, basis=b)
                                              for i, b in enumerate(bases)])
    ledger = [rep("consistency", "calibrated", "calibrated", "input"), rep(*["calibrated"] * 11, *["input"] * 6)]
    assert ledger_summary(ledger) == "21 figures: 1 consistency check, 13 calibrated, 7 inputs shown; 0 mismatched"
    assert ledger_summary(ledger, failed=0) == ("21 figures: 1 consistency check, 13 calibrated, 7 inputs shown; "
                                                "0 mismatched; 0 model(s) failed")
    assert ledger_summary([rep("re-derived", status_ok=False)]) == "1 figure: 1 re-derived; 1 mismatched"
    assert ledger_summary([rep("input", "input")]) == "2 figures: 2 inputs shown; 0 mismatched"


def test_empty_and_ok():
    assert checks_table([]).columns.tolist() == list(CHECK_COLUMNS) and checks_table([]).empty
    rep = Reproduction("a", "A", checks=[Check("a", "f", 1, 1), Check("a", "g", 1, 2)])
    assert not rep.ok and Reproduction("a", "A").ok


def test_ledger_verdict_says_what_the_matches_prove_and_never_calls_a_match_by_construction_a_reproduction():
    calibrated = Check("a", "ICER", 13886, 13886.0, 1, basis="calibrated")
    shown = Check("a", "cost", 575, 575.0, 1, basis="input")
    rederived = Check("b", "ratio", 1.2, 1.2001, 0.01)
    verdict = ledger_verdict([Reproduction("a", "A", checks=[calibrated, shown])])
    assert verdict.startswith("All 2 published figures match within their published rounding.")
    assert "1 calibrated (an unpublished input solved so that the figure holds: a match by construction" in verdict
    assert "1 published input shown back" in verdict
    assert verdict.endswith("None is an independent reproduction.")
    with_evidence = ledger_verdict([Reproduction("a", "A", checks=[calibrated, rederived])])
    assert "1 re-derived from published inputs that do not contain it" in with_evidence
    assert "independent" not in with_evidence
    off = Check("b", "ratio", 1.2, 1.3, 0.01)
    assert ledger_verdict([Reproduction("b", "B", checks=[rederived, off])]).startswith("1 of 2 published figures NOT reproduced")
    assert ledger_verdict([]) == "No published figures to compare."
