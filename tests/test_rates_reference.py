"""Rates, probabilities, odds and hazard ratios: round trips and hand-worked values.

References: Fleurence & Hollenbeak (2007); Briggs, Claxton & Sculpher (2006) ch. 3.
(Moved from the former test_stats_audit.py, assertions unchanged.)
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# --- rates ---------------------------------------------------------------------------------

prob = st.floats(0, 0.999999)


@given(p=prob, t_from=st.floats(0.01, 50), t_to=st.floats(0.01, 50))
def test_rates_round_trip_and_period_conversion(p, t_from, t_to):
    assert rate_to_prob(prob_to_rate(p, t_from), t_from) == pytest.approx(p, rel=1e-9, abs=1e-15)
    q = convert_prob(p, t_from, t_to)
    assert q == pytest.approx(1 - (1 - p) ** (t_to / t_from), rel=1e-9, abs=1e-15)
    if q < 1 - 1e-9:  # beyond, q has rounded to (nearly) 1 and the way back is ill-conditioned
        assert convert_prob(q, t_to, t_from) == pytest.approx(p, rel=1e-6, abs=1e-12)
    assert odds_to_prob(prob_to_odds(p)) == pytest.approx(p, rel=1e-9, abs=1e-15)


def test_rates_hand_checked():
    assert convert_prob(0.2, 5, 1) == pytest.approx(1 - 0.8**0.2, rel=1e-14)
    assert rate_to_prob(0.1, 1 / 12) == pytest.approx(1 - np.exp(-0.1 / 12), rel=1e-14)
    assert apply_rr(0.1, 1.5) == pytest.approx(0.15)
    assert apply_or(0.2, 2.0) == pytest.approx(0.25 * 2 / (1 + 0.25 * 2))
    assert apply_hr(0.1, 0.5) == pytest.approx(1 - np.exp(0.5 * np.log(0.9)), rel=1e-14)
    assert apply_hr(1.0, 0.5) == 1.0 and apply_hr(1.0, 0.0) == 0.0 and apply_hr(0.0, 3.0) == 0.0
    assert str(apply_hr(0.5, 0.0)) == "0.0" and str(apply_hr(0.0, 2.0)) == "0.0"  # not -0.0
    assert convert_prob(1.0, 1, 2) == 1.0


@pytest.mark.parametrize("p", [1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.5, 0.999])
@pytest.mark.parametrize("hr", [0.01, 0.5, 2.0, 10.0])
def test_apply_hr_is_accurate_for_small_probabilities(p, hr):
    # 1 - (1 - p) ** hr lost ~all precision for tiny p (apply_hr(1e-12, 0.5) gave 5.0004e-13)
    exact = -np.expm1(hr * np.log1p(-p))
    assert apply_hr(p, hr) == pytest.approx(exact, rel=1e-12)


@given(p=st.floats(0, 1), ratio=st.floats(0.01, 20))
def test_apply_or_equals_the_odds_route(p, ratio):
    if p < 1:
        o = p / (1 - p) * ratio
        assert apply_or(p, ratio) == pytest.approx(o / (1 + o), rel=1e-12, abs=1e-300)
    assert 0 <= apply_or(p, ratio) <= 1


@given(rates=st.lists(st.floats(0, 5), min_size=1, max_size=5), t=st.floats(0.01, 3))
def test_competing_risks_sum_to_total_and_split_by_rate(rates, t):
    out = competing_rates_to_probs({f"k{i}": r for i, r in enumerate(rates)}, t)
    total = sum(rates)
    assert sum(out.values()) == pytest.approx(1 - np.exp(-total * t), rel=1e-12, abs=1e-15)
    for i, r in enumerate(rates):
        assert out[f"k{i}"] == pytest.approx(r / total * (1 - np.exp(-total * t)) if total else 0.0, rel=1e-12, abs=1e-15)


