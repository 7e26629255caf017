"""Peers' conventions (healthecon.conventions): hand-worked totals for every option and preset.

The model throughout: alive -> dead with probability 0.2 a cycle, so membership alive is
1, 0.8, 0.64 at points 0, 1, 2; a state cost of 100 a year while alive and a one-off transition
cost of 1,000 on dying (flows 0.2 in cycle 1 and 0.16 in cycle 2).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import healthecon as he
from healthecon import conventions
from healthecon.discount import GREEN_BOOK_STANDARD
from healthecon.errors import ModelDefinitionError
from healthecon.markov import C

R = 0.06


def model(n_cycles=2, cycle_length=1.0, rate=R, **options):
    return he.MarkovModel(
        ["alive", "dead"], ["only"], {"alive": {"alive": C, "dead": 0.2}, "dead": {"dead": 1}}, start="alive",
        n_cycles=n_cycles, cycle_length=cycle_length, discount_costs=rate, discount_effects=rate,
        state_rewards={"cost_care": {"alive": 100}, "ly": {"alive": 1}},
        transition_rewards={"cost_death": {("alive", "dead"): 1_000}}, **options)


def totals(m, **run):
    out = m.run({}, **run)
    return {name: out[name].item() for name in ("cost_care", "cost_death", "ly", "cost_care_undiscounted", "cost_death_undiscounted")}


D = lambda s: 1.06 ** -s  # noqa: E731


@pytest.mark.parametrize("timing, expected", [
    ("point", 100 * (0.5 * 1 + 0.5 * 0.8 * D(1) + 0.5 * 0.8 * D(1) + 0.5 * 0.64 * D(2))),
    ("cycle-start", 100 * (0.9 * D(0) + 0.72 * D(1))),       # heemod's discount(x, r), first = FALSE
    ("cycle-end", 100 * (0.9 * D(1) + 0.72 * D(2))),         # heemod's first = TRUE
    ("cycle-middle", 100 * (0.9 * D(0.5) + 0.72 * D(1.5))),
])
def test_discount_timing_with_life_table_counting(timing, expected):
    got = totals(model(correction="trapezoid", discount_timing=timing))
    assert got["cost_care"] == pytest.approx(expected, rel=1e-12)
    assert got["cost_care_undiscounted"] == pytest.approx(100 * (0.9 + 0.72), rel=1e-12)


def test_whole_years_discount_monthly_cycles_by_their_year():
    # 24 monthly cycles, no deaths, 1,200 a year = 100 a cycle counted at the end of each cycle
    # and discounted at its start: year 1 undiscounted, year 2 at 1/1.035 (heemod, period = 12)
    whole, annual = (
        he.MarkovModel(["alive"], ["only"], {"alive": {"alive": 1}}, start="alive", n_cycles=24, cycle_length=1 / 12,
                       correction="end", discount_costs=0.035, discount_timing="cycle-start", discount_method=method,
                       state_rewards={"cost_care": {"alive": 1_200}}).run({})["cost_care"].item()
        for method in ("whole-years", "annual"))
    assert whole == pytest.approx(1_200 + 1_200 / 1.035, rel=1e-12)
    assert annual == pytest.approx(sum(100 * 1.035 ** -(t / 12) for t in range(24)), rel=1e-12)
    assert whole / annual - 1 == pytest.approx(0.0158, abs=5e-4)  # the 1.6% of issue 10


def test_continuous_and_per_cycle_discount_formulas():
    got = totals(model(correction="end", discount_method="continuous"))
    assert got["cost_care"] == pytest.approx(100 * (0.8 * np.exp(-R) + 0.64 * np.exp(-2 * R)), rel=1e-12)
    # DARTH: 1 / (1 + r L) ** t at point t; six-monthly cycles, 50 a cycle
    got = totals(model(cycle_length=0.5, correction="end", discount_method="per-cycle"))
    assert got["cost_care"] == pytest.approx(50 * (0.8 / 1.03 + 0.64 / 1.03 ** 2), rel=1e-12)


def test_transition_rewards_by_timing():
    flows = (0.2, 0.16)
    cases = {
        "cycle-start": 1_000 * (flows[0] * D(0) + flows[1] * D(1)),
        "cycle-middle": 1_000 * (flows[0] * D(0.5) + flows[1] * D(1.5)),
        "cycle-end": 1_000 * (flows[0] * D(1) + flows[1] * D(2)),
    }
    for timing, expected in cases.items():
        got = totals(model(correction="half-cycle", transition_timing=timing))
        assert got["cost_death"] == pytest.approx(expected, rel=1e-12)
        assert got["cost_death_undiscounted"] == pytest.approx(1_000 * sum(flows), rel=1e-12)


def test_darth_transition_rewards_take_the_weight_of_the_point_ending_their_cycle():
    # gen_wcc(2, "Simpson1/3") = (1/3, 2/3, 1/3): cycle 1's deaths at point 1 (2/3, 1/1.03),
    # cycle 2's at point 2 (1/3, 1/1.03^2); the state reward on the same points
    got = totals(model(rate=0.03, convention="darth"))
    assert got["cost_death"] == pytest.approx(1_000 * (0.2 * (2 / 3) / 1.03 + 0.16 * (1 / 3) / 1.03 ** 2), rel=1e-12)
    assert got["cost_death_undiscounted"] == pytest.approx(1_000 * (0.2 * 2 / 3 + 0.16 / 3), rel=1e-12)
    assert got["cost_care"] == pytest.approx(100 * (1 / 3 + 0.8 * (2 / 3) / 1.03 + 0.64 * (1 / 3) / 1.03 ** 2), rel=1e-12)


def test_user_weight_vector_carries_to_transition_rewards():
    weights = [0.25, 0.5, 0.75]
    got = totals(model(correction=weights, transition_timing="point"))
    assert got["cost_death"] == pytest.approx(1_000 * (0.2 * 0.5 * D(1) + 0.16 * 0.75 * D(2)), rel=1e-12)


def test_heemod_counts_transitions_half_in_their_cycle_and_half_in_the_next():
    # heemod's correct_counts for life-table: diff_i / 2 + diff_{i-1} / 2, value-cycle i
    # discounted by 1.06 ** -(i - 1); cycle 2's second half falls beyond the horizon
    got = totals(model(convention="heemod"))
    assert got["cost_death"] == pytest.approx(1_000 * (0.1 * D(0) + (0.1 + 0.08) * D(1)), rel=1e-12)
    assert got["cost_care"] == pytest.approx(100 * (0.9 * D(0) + 0.72 * D(1)), rel=1e-12)


def test_hesim_discounts_continuously_at_the_trace_points():
    got = totals(model(convention="hesim"))
    assert got["cost_care"] == pytest.approx(100 * (0.5 + 0.8 * np.exp(-R) + 0.5 * 0.64 * np.exp(-2 * R)), rel=1e-12)


def test_treeage_counts_transitions_once_at_the_end_of_their_cycle():
    got = totals(model(convention="treeage"))
    assert got["cost_death"] == pytest.approx(1_000 * (0.2 * D(1) + 0.16 * D(2)), rel=1e-12)


def test_healthecon_preset_is_the_default():
    assert totals(model()) == totals(model(convention="healthecon"))
    assert totals(model()) == totals(model(correction="half-cycle", discount_timing="point", discount_method="annual",
                                           transition_timing="auto"))


def test_explicit_option_overrides_the_preset():
    got = totals(model(convention="heemod", discount_timing="cycle-end"))
    assert got["cost_care"] == pytest.approx(100 * (0.9 * D(1) + 0.72 * D(2)), rel=1e-12)


def test_time_varying_state_reward_follows_the_discount_timing():
    # a cost of 100 x cycle number: cycle t's value on both ends of its cycle, once-discounted
    m = he.MarkovModel(["alive", "dead"], ["only"], {"alive": {"alive": C, "dead": 0.2}, "dead": {"dead": 1}}, start="alive",
                       n_cycles=2, correction="trapezoid", discount_costs=R, discount_timing="cycle-start",
                       state_rewards={"cost_care": lambda p, s, time: {"alive": 100 * time.cycle}})
    assert m.run({})["cost_care"].item() == pytest.approx(100 * 0.9 + 200 * 0.72 * D(1), rel=1e-12)


def test_outcome_attributes_name_the_convention():
    out = model(convention="heemod").run({})
    assert (out.attrs["convention"], out.attrs["discount_timing"], out.attrs["discount_method"],
            out.attrs["transition_timing"]) == ("heemod", "cycle-start", "whole-years", "point")


@settings(max_examples=40, deadline=None)
@given(timing=st.sampled_from(conventions.DISCOUNT_TIMINGS), method=st.sampled_from(conventions.DISCOUNT_METHODS),
       transitions=st.sampled_from(conventions.TRANSITION_TIMINGS),
       correction=st.sampled_from(["end", "beginning", "half-cycle", "trapezoid", "simpson"]),
       n=st.integers(1, 12), length=st.sampled_from([1.0, 0.5, 1 / 12]))
def test_without_discounting_the_timing_does_not_matter(timing, method, transitions, correction, n, length):
    w = conventions.reward_weights(correction, n, length, 0.0, discount_timing=timing, discount_method=method,
                                   transition_timing=transitions)
    plain = he.correction.point_weights(correction, n)
    np.testing.assert_allclose(w.point, plain, rtol=1e-12)
    # transitions: once per cycle, or with the weights of the point ending their cycle
    expected = np.ones(n)
    if transitions == "point":
        a, b = he.correction.cycle_weights(correction, n)
        expected = b + np.r_[a[1:], 0.0]
    np.testing.assert_allclose(w.transition, expected, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(timing=st.sampled_from(conventions.DISCOUNT_TIMINGS), method=st.sampled_from(conventions.DISCOUNT_METHODS),
       rate=st.floats(0.001, 0.2), n=st.integers(1, 30))
def test_discounting_never_adds_value(timing, method, rate, n):
    w = conventions.reward_weights("half-cycle", n, 1.0, rate, discount_timing=timing, discount_method=method)
    plain = he.correction.point_weights("half-cycle", n)
    assert np.all(w.point <= plain + 1e-15)
    assert np.all(np.diff(w.transition) <= 1e-15)


def test_unknown_option_names_the_argument():
    with pytest.raises(ModelDefinitionError, match="discount_timing: unknown option 'mid'"):
        model(discount_timing="mid")
    with pytest.raises(ModelDefinitionError, match="convention: unknown option 'sas'.*'heemod'"):
        model(convention="sas")


def test_schedule_refused_by_formulas_that_need_a_constant_rate():
    with pytest.raises(ModelDefinitionError, match="takes a constant rate"):
        model(rate=GREEN_BOOK_STANDARD, discount_method="continuous")
    # whole years accept a schedule
    assert totals(model(rate=GREEN_BOOK_STANDARD, discount_method="whole-years"))["cost_care"] > 0


def test_darth_weights_are_gen_wcc():
    np.testing.assert_allclose(conventions.darth_simpson_weights(6) * 3, [1, 2, 4, 2, 4, 2, 1])


def test_cohort_size_scales_every_total_and_the_trace():
    one = model().run({}, trace="mean")
    many = model().run({}, trace="mean", cohort_size=1_000)
    for name in ("cost", "ly", "cost_death_undiscounted", "trace"):
        np.testing.assert_allclose(many[name].values, 1_000 * one[name].values, rtol=1e-12)
    assert many.attrs["cohort_size"] == 1_000
    with pytest.raises(ModelDefinitionError, match="cohort_size"):
        model().run({}, cohort_size=0)


@pytest.mark.parametrize("preset", list(conventions.PRESETS))
def test_values_by_cycle_sum_to_the_totals_under_every_preset(preset):
    m = he.MarkovModel(
        ["alive", "dead"], ["only"], lambda p, s, time: {"alive": {"alive": C, "dead": 0.1 + 0.05 * time.cycle}, "dead": {"dead": 1}},
        start="alive", n_cycles=5, cycle_length=0.5, discount_costs=0.04, discount_effects=0.015, convention=preset,
        state_rewards={"cost_care": lambda p, s, time: {"alive": 100 * time.cycle}, "qaly": {"alive": 0.8}},
        transition_rewards={"cost_death": {("alive", "dead"): 1_000}})
    table = m.values_by_cycle({})
    totals = m.run({})
    for column in ("cost", "cost_care", "cost_death", "qaly", "cost_undiscounted"):
        assert table[column].sum() == pytest.approx(totals[column].item(), rel=1e-12)
