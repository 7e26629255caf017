"""The reproduction ledger of the worked models: what each of the 21 matches proves.

Every check states its basis (re-derived, consistency, calibrated, input; see
:mod:`healthecon.reproduction`), and every interval or probability that rests on assumed
standard errors or spreads says so in the same check (issue 10, section 2).
"""

import importlib

import pytest

from healthecon.reproduction import ledger_summary, ledger_verdict
from healthecon.worked import MODELS

# model -> basis of each check, in order: read from each model's notes and data/<model>.csv
BASES = {
    "chss": ["calibrated",    # ICER: the unrounded life-year gain is solved from it (575 / 13,886)
             "input",         # incremental cost £575
             "consistency",   # 575 / 13,886 rounds to the published 0.04: could have failed
             "calibrated",    # DAWN ICER: its cost derived from it at an assumed effect
             "calibrated",    # BRIghTER ICER: likewise
             "calibrated"],   # P(CE) > 80%: standard errors calibrated to it
    "popp": ["calibrated", "input", "input", "input"],
    "croydon": ["calibrated", "calibrated", "input", "input"],
    "derby": ["calibrated"],
    "care_repair": ["calibrated"],
    "airedale": ["calibrated", "input"],
    "manchester": ["calibrated", "calibrated", "calibrated"],
}


@pytest.fixture(scope="module")
def reproductions():
    return {name: importlib.import_module(f"healthecon.worked.{name}").reproduce(draws=300, seed=1) for name in MODELS}


def test_every_worked_check_states_what_its_match_proves(reproductions):
    assert {name: [c.basis for c in rep.checks] for name, rep in reproductions.items()} == BASES


def test_the_ledger_summary_counts_one_consistency_check_thirteen_calibrated_and_seven_inputs(reproductions):
    assert ledger_summary(list(reproductions.values())) == (
        "21 figures: 1 consistency check, 13 calibrated, 7 inputs shown; 0 mismatched")


def test_the_report_headline_does_not_call_the_worked_matches_reproductions(reproductions):
    # no worked figure is re-derived from inputs that do not contain it: the headline says so
    verdict = ledger_verdict(list(reproductions.values()))
    assert verdict.startswith("All 21 published figures match within their published rounding.")
    assert "1 consistency check against other published figures" in verdict
    assert "13 calibrated" in verdict and "7 published inputs shown back" in verdict
    assert verdict.endswith("None is an independent reproduction.")


def test_every_interval_and_probability_from_assumed_spreads_says_so(reproductions):
    # no worked model has a published standard error or interval: every PSA rests on assumptions
    for name, rep in reproductions.items():
        for check in rep.checks:
            psa_based = check.probability is not None or (check.interval is not None and check.comparison == "=")
            if psa_based:
                assert check.assumptions, (name, check.figure)
                assert "assumed" in check.assumptions, (name, check.figure, check.assumptions)
    chss = reproductions["chss"].checks
    assert "£150" in chss[-1].assumptions and chss[-1].probability_label == "P(cost-effective at £30,000)"


def test_every_tornado_parameter_is_shown_with_a_declared_label_or_unit(reproductions):
    # each worked model declares, with its Parameters, what its tornado shows: "Benefit, year 1:
    # Crisis Response (base £333,000)", not "bcr_year1_crisis_response (base 333,000)"
    tables = {(name, key): rep.tables[key] for name, rep in reproductions.items() for key in rep.tables if key.startswith("one_way")}
    assert {name for name, _ in tables} == {"chss", "croydon", "derby", "care_repair", "airedale", "manchester"}
    for (name, key), table in tables.items():
        described = set(table.attrs["parameter_labels"]) | set(table.attrs["parameter_units"])
        assert set(table.index) <= described, (name, key, sorted(set(table.index) - described))
