"""Delta-method (Taylor-series) interval for the ICER: hand-worked values, its relation to Fieller, bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from healthecon.errors import AnalysisError
from healthecon.ipd import delta_method, fieller

Z = stats.norm.ppf(0.975)


def test_hand_worked_variance_of_the_ratio():
    dc, de, vc, ve, c = 575.0, 0.05, 150.0**2, 0.01**2, 0.3 * 150 * 0.01
    r = dc / de
    se = math.sqrt(vc - 2 * r * c + r * r * ve) / de  # (v_C - 2Rc + R^2 v_E) / dE^2, by hand
    d = delta_method(dc, de, vc, ve, c)
    assert (d.icer, d.df, d.level) == (pytest.approx(r), None, 0.95)
    assert d.se == pytest.approx(se, rel=1e-12)
    assert (d.lower, d.upper) == (pytest.approx(r - Z * se, rel=1e-12), pytest.approx(r + Z * se, rel=1e-12))
    t = delta_method(dc, de, vc, ve, c, df=40)
    assert t.upper - t.icer == pytest.approx(stats.t.ppf(0.975, 40) * se, rel=1e-12)


def test_a_negative_effect_difference_keeps_the_standard_error_positive():
    d = delta_method(-300.0, -0.2, 400.0**2, 0.05**2, 0.0)
    assert d.se > 0 and d.lower < d.icer < d.upper


@given(scale=st.floats(1e-8, 1e-2), rho=st.floats(-0.9, 0.9))
def test_fieller_and_the_delta_method_agree_as_the_variances_vanish(scale, rho):
    # both are first-order correct: their limits differ by o(se) as the sampling variance -> 0
    dc, de, sc, se_e = 575.0, 0.05, 150.0, 0.01
    vc, ve, c = scale * sc**2, scale * se_e**2, scale * rho * sc * se_e
    f, d = fieller(dc, de, vc, ve, c), delta_method(dc, de, vc, ve, c)
    assert f.bounded
    assert abs(f.lower - d.lower) <= 2 * math.sqrt(scale) * d.se
    assert abs(f.upper - d.upper) <= 2 * math.sqrt(scale) * d.se


def test_bad_inputs_are_named():
    with pytest.raises(AnalysisError, match="incremental effect: 0"):
        delta_method(10.0, 0.0, 1.0, 1.0, 0.0)
    with pytest.raises(AnalysisError, match="not positive semi-definite"):
        delta_method(1.0, 1.0, 1.0, 1.0, 2.0)
    with pytest.raises(AnalysisError, match="variance of incremental effect"):
        delta_method(1.0, 1.0, 1.0, -1.0, 0.0)
    with pytest.raises(AnalysisError, match="df"):
        delta_method(1.0, 1.0, 1.0, 1.0, 0.0, df=0)
