"""Manchester LLLB worked model: £1.03, £1.11 and £1.69 per £1, and their invariants."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from worked_helpers import WEIGHT, assert_probability, find_check, quick, rep_fixture, shares

from healthecon.worked import manchester


def figures(overrides=None, draws=2):
    return {c.figure: c for c in quick(manchester, overrides, draws).checks}


rep = rep_fixture(manchester, draws=400, seed=5)


def check(rep, start):
    return find_check(rep, start, matches=False)


def test_initial_cba_reproduces_published_103(rep):
    c = check(rep, "initial CBA")
    assert (c.published, c.reproduced, c.status) == (1.03, pytest.approx(1.03, abs=0.005), "match")


def test_updated_first_year_reproduces_published_111(rep):
    c = check(rep, "updated CBA")
    assert (c.published, c.reproduced, c.status) == (1.11, pytest.approx(1.11, abs=0.005), "match")


def test_year_two_reproduces_published_169(rep):
    c = check(rep, "expected CBA by year 2")
    assert (c.published, c.reproduced, c.status) == (1.69, pytest.approx(1.69, abs=0.005), "match")
    assert c.source == "seeds/002_887e750fede6152a.txt lines 985-988"


def test_derived_year_two_benefit_is_the_difference_of_published_ratios():
    values = manchester.inputs()
    assert values["benefit_year2_per_pound"] == pytest.approx(values["bcr_year2"] - values["bcr_year1"], abs=1e-12)


def test_green_book_discounting_scenario_by_hand(rep):
    table = rep.tables["discounting_scenario"]
    assert table.loc["updated, years 1-2"].iloc[1] == pytest.approx(1.11 + 0.58 / 1.035, rel=1e-12)
    assert table.loc["updated, year 1"].iloc[1] == pytest.approx(1.11, rel=1e-12)


def test_psa_probabilities_are_ordered(rep):
    # year 1 alone is close to break-even; two years of benefit are not
    p = rep.tables["psa_summary"]["p_ratio_above_target"]
    assert 0.5 < p["initial analysis"] < p["updated, year 1"] < p["updated, years 1-2"]


@settings(max_examples=10)
@given(k=st.floats(1e-3, 1e4))
def test_ratios_unchanged_when_the_investment_is_scaled(k):
    for c in figures({"investment": 1e6 * k}).values():
        assert c.reproduced == pytest.approx(c.published, rel=1e-12)


@settings(max_examples=10)
@given(st.lists(WEIGHT, min_size=5, max_size=5).filter(lambda w: sum(w) > 1e-3))
def test_any_split_between_components_leaves_the_headlines_unchanged(weights):
    for c in figures(shares(manchester.COMPONENTS, weights)).values():
        assert c.reproduced == pytest.approx(c.published, rel=1e-12)


def test_zero_variance_psa_reproduces_the_deterministic_figures_exactly():
    for c in figures({"cv_benefit": 0.0}, draws=20).values():
        assert c.interval == (c.reproduced, c.reproduced)


def test_each_ratio_carries_p_benefit_above_one_from_the_psa(rep):
    p = rep.tables["psa_summary"]["p_ratio_above_target"]
    for strategy, (_, _, figure, _) in manchester.ANALYSES.items():
        c = check(rep, figure)
        assert_probability(c, "P(benefit > £1 per £1)")
        assert c.probability == pytest.approx(p[strategy], abs=1e-12)
