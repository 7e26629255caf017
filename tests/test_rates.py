"""Rates, probabilities, odds and relative effects (Briggs et al. 2006 ch. 3; Fleurence & Hollenbeak 2007)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthecon.errors import ParameterError
from healthecon.rates import (
    apply_hr,
    apply_or,
    apply_rr,
    competing_rates_to_probs,
    convert_prob,
    odds_to_prob,
    prob_to_odds,
    prob_to_rate,
    rate_to_prob,
)

probs = st.floats(0.0, 0.999, allow_nan=False)
positive = st.floats(0.01, 20.0, allow_nan=False)


def test_hand_worked_values():
    # p = 1 - exp(-0.1) = 0.0951625820
    assert rate_to_prob(0.1) == pytest.approx(0.0951625820, abs=1e-10)
    # monthly probability from an annual rate of 0.1: 1 - exp(-0.1/12)
    assert rate_to_prob(0.1, cycle_length=1 / 12) == pytest.approx(0.0082987074, abs=1e-10)
    # 50% over 5 years: rate ln(2)/5
    assert prob_to_rate(0.5, period=5) == pytest.approx(math.log(2) / 5, rel=1e-12)
    # 5-year risk 0.2 to annual: 1 - 0.8 ** 0.2 = 0.0436475
    assert convert_prob(0.2, from_period=5, to_period=1) == pytest.approx(0.04364750, abs=1e-8)
    assert prob_to_odds(0.2) == pytest.approx(0.25)
    assert odds_to_prob(3.0) == pytest.approx(0.75)
    # OR 2 at baseline 0.2: odds 0.25 -> 0.5 -> 1/3
    assert apply_or(0.2, 2.0) == pytest.approx(1 / 3)
    # HR 0.5 at 0.1: 1 - 0.9 ** 0.5
    assert apply_hr(0.1, 0.5) == pytest.approx(1 - math.sqrt(0.9))
    assert apply_rr(0.1, 1.5) == pytest.approx(0.15)


def test_scalars_give_floats_and_arrays_broadcast():
    assert isinstance(rate_to_prob(0.1), float)
    out = rate_to_prob(np.array([[0.1], [0.2]]), np.array([1.0, 0.5, 0.25]))
    assert out.shape == (2, 3)
    assert out[1, 1] == pytest.approx(1 - math.exp(-0.1))


@given(rate=st.floats(0.0, 50.0), cycle=st.floats(0.01, 10.0))
def test_rate_prob_round_trip(rate, cycle):
    p = rate_to_prob(rate, cycle)
    if p < 1 - 1e-12:
        assert prob_to_rate(p, cycle) == pytest.approx(rate, rel=1e-6, abs=1e-12)


@given(p=probs, a=positive, b=positive)
def test_convert_prob_composes_and_round_trips(p, a, b):
    there = convert_prob(p, a, b)
    assert 0 <= there <= 1
    if there < 0.999:  # nearer 1, 1 - p itself cannot be stored precisely
        assert convert_prob(there, b, a) == pytest.approx(p, abs=1e-9)
    # same as going through the rate
    assert there == pytest.approx(rate_to_prob(prob_to_rate(p, a), b), abs=1e-12)


def test_convert_prob_is_not_simple_division():
    assert convert_prob(0.5, 1, 0.5) == pytest.approx(1 - math.sqrt(0.5))
    assert convert_prob(0.5, 1, 0.5) != pytest.approx(0.25)
    assert convert_prob(1.0, 1, 0.5) == 1.0


@given(p=probs)
def test_odds_round_trip(p):
    assert odds_to_prob(prob_to_odds(p)) == pytest.approx(p, abs=1e-12)


@given(p=st.floats(0.0, 1.0), ratio=positive)
def test_or_and_hr_stay_probabilities_and_keep_direction(p, ratio):
    for fn in (apply_or, apply_hr):
        out = fn(p, ratio)
        assert 0.0 <= out <= 1.0
        if ratio > 1:
            assert out >= p - 1e-12
        elif ratio < 1:
            assert out <= p + 1e-12


@given(p=st.floats(0.0, 0.99), hr=positive)
def test_hr_acts_on_the_rate(p, hr):
    assert apply_hr(p, hr) == pytest.approx(rate_to_prob(hr * prob_to_rate(p)), abs=1e-12)


def test_ratio_of_one_changes_nothing():
    p = np.linspace(0, 1, 11)
    np.testing.assert_allclose(apply_rr(p, 1.0), p)
    np.testing.assert_allclose(apply_or(p, 1.0), p)
    np.testing.assert_allclose(apply_hr(p, 1.0), p)


def test_apply_rr_above_one_raises_naming_inputs():
    with pytest.raises(ParameterError, match=r"prob 0\.6 times rr 2 gives 1\.2, above 1"):
        apply_rr(0.6, 2.0)
    with pytest.raises(ParameterError, match=r"prob 0\.8 times rr 1\.5 gives 1\.2.*at index \(1,\)"):
        apply_rr([0.1, 0.8], 1.5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rate_to_prob(-0.1), r"rate_to_prob: rate: expected a value >= 0, got -0\.1"),
        (lambda: rate_to_prob(0.1, 0), r"cycle_length: expected a value > 0, got 0"),
        (lambda: prob_to_rate(1.0), r"prob_to_rate: prob: a probability of 1"),
        (lambda: prob_to_rate(1.2), r"expected a probability in \[0, 1\], got 1\.2"),
        (lambda: prob_to_odds([0.5, 1.0]), r"a probability of 1 at index \(1,\)"),
        (lambda: odds_to_prob(float("nan")), r"odds: expected finite numbers, got nan"),
        (lambda: apply_or(0.2, 0.0), r"odds_ratio: expected a value > 0, got 0"),
        (lambda: apply_hr(0.2, -1), r"hr: expected a value >= 0, got -1"),
        (lambda: convert_prob(0.2, 0, 1), r"from_period: expected a value > 0, got 0"),
    ],
)
def test_bad_inputs_raise(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


@given(r1=st.floats(0.0, 10.0), r2=st.floats(0.0, 10.0), cycle=st.floats(0.01, 5.0))
def test_competing_risks_sum_to_the_total_and_split_by_rate(r1, r2, cycle):
    out = competing_rates_to_probs({"a": r1, "b": r2}, cycle)
    assert out["a"] + out["b"] == pytest.approx(rate_to_prob(r1 + r2, cycle), abs=1e-12)
    if r1 + r2 > 0:
        assert out["a"] * (r1 + r2) == pytest.approx(r1 * (out["a"] + out["b"]), abs=1e-12)
    assert out["a"] <= rate_to_prob(r1, cycle) + 1e-12  # never more than the cause alone


def test_competing_risks_vectorised_and_checked():
    out = competing_rates_to_probs({"death": np.array([0.0, 0.1]), "cure": np.array([0.0, 0.3])}, cycle_length=0.5)
    np.testing.assert_allclose(out["death"], [0.0, 0.25 * (1 - math.exp(-0.2))])
    with pytest.raises(ParameterError, match=r"rate for 'cure': expected a value >= 0, got -1"):
        competing_rates_to_probs({"death": 0.1, "cure": -1})
    with pytest.raises(ParameterError, match="expected a mapping of causes to rates"):
        competing_rates_to_probs([0.1, 0.2])
