"""Care & Repair (Wales) worked model: the published £7.50 per £1 and its invariants."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worked_helpers import WEIGHT, assert_probability, assert_rejected, quick, rep_fixture, shares

from healthecon.errors import ModelDefinitionError, UnknownNameError
from healthecon.worked import care_repair


def ratio(overrides=None, draws=2):
    return quick(care_repair, overrides, draws).checks[0]


rep = rep_fixture(care_repair, draws=400, seed=11)


def test_savings_per_pound_reproduces_published_750(rep):
    check = rep.checks[0]
    assert check.published == 7.50
    assert check.reproduced == pytest.approx(7.50, abs=0.005)
    assert check.status == "match"
    assert check.source == "seeds/000_dd7df95bd4ae58ba.txt line 239"


def test_psa_interval_brackets_the_headline_and_reports_probability(rep):
    low, high = rep.checks[0].interval
    assert low < 7.5 < high
    assert_probability(rep.checks[0], "P(savings > £1 per £1)", 1.0, 1.0)


def test_breakdown_table_sums_to_the_headline(rep):
    table = rep.tables["breakdown"]
    assert table["per £1 invested"].sum() == pytest.approx(7.5, abs=1e-12)
    assert table["share (assumed)"].sum() == pytest.approx(1.0)


def test_implied_activity_uses_the_unit_costs(rep):
    # falls share 0.40 of £750,000 per £100,000 invested / £5,134 per long stay
    assert rep.tables["implied_activity"]["quantity"][0] == pytest.approx(0.40 * 750_000 / 5134)
    assert rep.tables["implied_activity"]["quantity"][1] == pytest.approx(0.30 * 750_000 / 1200)


@settings(max_examples=10)
@given(k=st.floats(1e-3, 1e4))
def test_ratio_unchanged_when_every_pound_input_is_scaled(k):
    scaled = ratio({"investment": 100_000 * k, "unit_cost_nel_long_stay": 5134 * k, "unit_cost_residential_week": 1200 * k})
    assert scaled.reproduced == pytest.approx(7.5, rel=1e-12)


@settings(max_examples=10)
@given(st.lists(WEIGHT, min_size=4, max_size=4).filter(lambda w: sum(w) > 1e-3))
def test_any_split_of_the_savings_leaves_the_headline_unchanged(weights):
    overrides = shares(care_repair.LINES, weights)
    assert ratio(overrides).reproduced == pytest.approx(7.5, rel=1e-12)


def test_zero_variance_psa_reproduces_the_deterministic_figure_exactly():
    check = ratio({"cv_savings": 0.0}, draws=50)
    assert check.interval == (check.reproduced, check.reproduced)
    assert check.note.endswith("mean 7.5")


def test_shares_that_do_not_sum_to_one_are_rejected():
    assert_rejected(care_repair, ModelDefinitionError, "savings shares .* sum to 1.1", share_falls=0.5)


def test_unknown_override_is_named():
    assert_rejected(care_repair, UnknownNameError, "'share_fall'", share_fall=0.5)


def test_tornado_axis_reads_benefit_per_pound(rep):
    ax = rep.charts["tornado"]()
    assert ax.get_xlabel().startswith("Benefit-cost ratio (£ of benefit per £1)")
    assert "Bcr" not in ax.get_xlabel()
