"""Derby Local Area Coordination SROI worked model: £4.00 per £1.00 and its invariants."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from worked_helpers import WEIGHT, assert_probability, assert_rejected, quick, rep_fixture, shares

from healthecon.errors import DistributionFitError, ModelDefinitionError
from healthecon.worked import derby


def ratio(overrides=None, draws=2):
    return quick(derby, overrides, draws).checks[0]


rep = rep_fixture(derby, draws=400, seed=3)


def test_sroi_ratio_reproduces_published_400(rep):
    c = rep.checks[0]
    assert (c.published, c.reproduced, c.status) == (4.00, pytest.approx(4.00, abs=0.005), "match")
    assert c.source == "seeds/000_dd7df95bd4ae58ba.txt line 325"


def test_impact_map_values_by_hand():
    # the wellbeing outcome: 30% of 4 x PV(10 x £45,000 in years 0-2) over its kept value per £1
    d = [1, 1 / 1.035, 1 / 1.035**2, 1 / 1.035**3]
    invest_pv = 10 * 45_000 * sum(d[:3])
    profile = sum(0.9**t * d[t + 1] for t in range(3))
    expected = 0.30 * 4.0 * invest_pv / (0.75 * 0.80 * profile)
    assert derby.gross_values(derby.inputs())["wellbeing"] == pytest.approx(expected, rel=1e-12)


def test_per_stakeholder_values_follow_the_shares(rep):
    table = rep.tables["per_stakeholder"]
    total = table["benefit"].sum()
    assert table.loc["people supported", "benefit"] / total == pytest.approx(0.30, rel=1e-9)
    assert total / table.loc["Derby City Council", "cost"] == pytest.approx(4.0, rel=1e-12)


@settings(max_examples=10)
@given(k=st.floats(1e-3, 1e4))
def test_ratio_unchanged_when_every_pound_input_is_scaled(k):
    c = ratio({"cost_per_coordinator_year": 45_000 * k, "sd_cost_per_coordinator_year": 4_500 * k})
    assert c.reproduced == pytest.approx(4.0, rel=1e-12)


@settings(max_examples=10)
@given(
    weights=st.lists(WEIGHT, min_size=5, max_size=5).filter(lambda w: sum(w) > 1e-3),
    deadweight=st.one_of(st.just(0.0), st.floats(0.01, 0.9)),
    drop_off=st.one_of(st.just(0.0), st.floats(0.01, 0.9)),
    rate=st.floats(0.0, 0.1),
)
def test_any_assumed_breakdown_leaves_the_headline_unchanged(weights, deadweight, drop_off, rate):
    overrides = shares(derby.OUTCOMES, weights)
    overrides.update({"deadweight_nhs": deadweight, "drop_off_housing": drop_off, "discount_rate": rate})
    assert ratio(overrides).reproduced == pytest.approx(4.0, rel=1e-12)


def test_zero_variance_psa_reproduces_the_deterministic_figure_exactly():
    c = ratio({"sd_cost_per_coordinator_year": 0.0, "sd_adjustment": 0.0}, draws=20)
    assert c.interval[0] == c.interval[1] == c.reproduced


def test_a_spread_too_wide_for_an_assumed_deduction_names_it():
    assert_rejected(derby, DistributionFitError, "input 'deadweight_nhs' = 0.001", deadweight_nhs=0.001)


def test_forecast_years_must_be_whole():
    assert_rejected(derby, ModelDefinitionError, "'forecast_years'", forecast_years=2.5)


def test_ratio_carries_p_above_one_and_the_tornado_reads_sroi_ratio(rep):
    assert_probability(rep.checks[0], "P(SROI ratio > 1)", 0.99, 1.0)
    ax = rep.charts["tornado"]()
    assert ax.get_xlabel().startswith("SROI ratio (£ of social value per £1)\n")
