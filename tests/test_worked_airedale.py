"""Airedale telemedicine worked model: £6.74 per £1, the ~£1.2m, and their invariants."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worked_helpers import assert_probability, assert_rejected, quick, rep_fixture

from healthecon.errors import ModelDefinitionError
from healthecon.worked import airedale

MONEY = ("incremental_saving", "ccg_spend", "unit_cost_admission", "unit_cost_ae")


def checks(overrides=None, draws=2):
    return quick(airedale, overrides, draws).checks


rep = rep_fixture(airedale, draws=400, seed=7)


def test_return_per_pound_reproduces_published_674(rep):
    c = rep.checks[0]
    assert (c.published, c.reproduced, c.status) == (6.74, pytest.approx(6.74, abs=0.005), "match")
    assert c.source == "seeds/004_7c8f32ba8d936e0e.txt line 223"


def test_incremental_saving_reproduces_published_12_million(rep):
    c = rep.checks[1]
    assert (c.published, c.reproduced, c.status) == (1_200_000, pytest.approx(1_200_000, abs=50000), "match")


def test_published_effects_and_their_net(rep):
    effects = rep.tables["effects"]
    assert effects.loc["non-elective admissions"].tolist() == pytest.approx([0.37, 0.31, 0.06])
    assert effects.loc["A&E visits"].tolist() == pytest.approx([0.45, 0.31, 0.14])
    values = airedale.inputs()
    assert (values["homes_intervention"], values["homes_control"]) == (27, 21)


def test_derived_spend_is_saving_over_ratio():
    values = airedale.inputs()
    assert values["ccg_spend"] == pytest.approx(1_200_000 / 6.74, rel=1e-12)


def test_implied_baseline_admissions_by_hand(rep):
    per_admission = 0.06 * 2595 + 1.5 * 0.14 * 273
    table = rep.tables["implied_baseline_activity"]
    assert table["baseline admissions"][0] == pytest.approx(1_200_000 / per_admission)
    assert table["admissions per home per year"][0] == pytest.approx(1_200_000 / per_admission / 27)


def test_null_effect_scenario_returns_nothing(rep):
    table = rep.tables["scenarios"]
    null = table.loc[table.index.str.startswith("no effect")].iloc[0]
    assert null["saving (£)"] == pytest.approx(0.0, abs=0.005)
    assert null["return per £1"] == pytest.approx(0.0, abs=0.005)
    assert table.loc["as published", "return per £1"] == pytest.approx(6.74, rel=1e-12)


def test_worse_than_control_counts_extra_events_as_costs():
    # admissions rise 6 points relative to control: their cost joins the CCG's spend
    values = airedale.inputs()
    baseline = airedale.baseline_events(values)
    worse = airedale.parameters(dict(values, reduction_admissions_intervention=0.25)).base_case()
    out = airedale.model(baseline).run(worse)
    extra = baseline["admissions"] * 0.06 * 2595
    saving = baseline["ae"] * 0.14 * 273
    assert float(out["bcr"].squeeze()) == pytest.approx(saving / (values["ccg_spend"] + extra), rel=1e-12)


def test_reductions_that_save_nothing_cannot_be_calibrated():
    assert_rejected(airedale, ModelDefinitionError, "reduction_",
                    reduction_admissions_intervention=0.31, reduction_ae_intervention=0.31)


@settings(max_examples=10)
@given(k=st.floats(1e-3, 1e4))
def test_ratio_unchanged_when_every_pound_input_is_scaled(k):
    values = airedale.inputs()
    assert checks({n: values[n] * k for n in MONEY})[0].reproduced == pytest.approx(6.74, rel=1e-12)


@settings(max_examples=10)
@given(ae_per_admission=st.floats(0.0, 20.0), years=st.floats(0.25, 5.0))
def test_any_assumed_split_between_admissions_and_ae_leaves_the_headlines_unchanged(ae_per_admission, years):
    found = checks({"ae_per_admission": ae_per_admission, "evaluation_years": years})
    assert found[0].reproduced == pytest.approx(6.74, rel=1e-12)
    assert found[1].reproduced == pytest.approx(1_200_000, rel=1e-12)


def test_zero_variance_psa_reproduces_the_deterministic_figures_exactly():
    for c in checks({"sd_reduction": 0.0, "cv_unit_cost": 0.0}, draws=20):
        assert c.interval == (c.reproduced, c.reproduced)


def test_both_figures_carry_their_psa_probability(rep):
    ratio, saving = rep.checks
    assert_probability(ratio, "P(return > £1 per £1)", 0.5, 1.0)
    assert_probability(saving, "P(saving > £0)", 0.5, 1.0)
    assert ratio.probability <= saving.probability  # a return above £1 needs a positive saving first
