"""Fieller's confidence set for the ICER: hand-worked limits, the three cases, and Heitjan's equivalence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from healthecon.errors import AnalysisError
from healthecon.ipd import fieller
from healthecon.ipd.fieller import BOUNDED, TWO_RAYS, WHOLE_LINE, critical_value

Z = stats.norm.ppf(0.975)


def test_known_cost_gives_the_inverted_effect_interval():
    # zero cost variance: the set is 1000 / (0.1 +- z * 0.02), by hand
    f = fieller(1000.0, 0.1, 0.0, 0.02**2, 0.0)
    assert f.kind == BOUNDED
    assert f.lower == pytest.approx(1000 / (0.1 + Z * 0.02), rel=1e-12)
    assert f.upper == pytest.approx(1000 / (0.1 - Z * 0.02), rel=1e-12)


def test_chss_normal_increments_by_hand():
    # data/chss.csv's assumed SEs (150, 0.01), 575 / 13,886 life-years: the quadratic worked by hand
    de = 575 / 13886
    a = de**2 - Z**2 * 0.01**2
    b = 575 * de
    k = 575**2 - Z**2 * 150**2
    f = fieller(575.0, de, 150.0**2, 0.01**2, 0.0)
    assert f.lower == pytest.approx((b - math.sqrt(b * b - a * k)) / a, rel=1e-12)
    assert f.upper == pytest.approx((b + math.sqrt(b * b - a * k)) / a, rel=1e-12)
    assert f.contains(13886) and f.icer == pytest.approx(13886)


def test_the_two_unbounded_cases_are_reported_as_such():
    rays = fieller(575.0, 0.0414, 150.0**2, 0.03**2, 0.0)  # effect not significant, cost is
    assert rays.kind == TWO_RAYS and not rays.bounded
    assert rays.lower < 0 < rays.upper
    assert rays.contains(-1e9) and rays.contains(1e9) and not rays.contains(0.0)
    assert "unbounded" in str(rays) and "below" in rays.describe()
    line = fieller(50.0, 0.01, 150.0**2, 0.03**2, 0.0)  # neither significant
    assert line.kind == WHOLE_LINE and math.isnan(line.lower) and line.contains(123.0)
    assert line.describe() == "unbounded: the whole line (no information on the ratio)"


@pytest.mark.parametrize("dc, de, vc, ve, c", [
    (575.0, 0.0414, 150.0**2, 0.01**2, 0.3 * 150 * 0.01),
    (-300.0, 0.2, 400.0**2, 0.05**2, -0.5 * 400 * 0.05),
    (575.0, 0.0414, 150.0**2, 0.03**2, 0.2 * 150 * 0.03),
])
def test_fieller_set_is_where_the_inb_interval_contains_zero(dc, de, vc, ve, c):
    # Heitjan (2000): R is in the Fieller set iff the z-interval of INB at lambda = R covers 0
    f = fieller(dc, de, vc, ve, c)
    for r in np.linspace(-60000, 60000, 2401):
        inb = r * de - dc
        se = math.sqrt(r * r * ve + vc - 2 * r * c)
        covered = abs(inb) <= Z * se + 1e-9
        near_root = any(abs(r - x) < 1e-6 * max(1.0, abs(x)) for x in (f.lower, f.upper))
        if not near_root:
            assert f.contains(r) == covered, r


def test_bad_inputs_are_named():
    with pytest.raises(AnalysisError, match="variance of incremental cost"):
        fieller(1.0, 1.0, -1.0, 1.0, 0.0)
    with pytest.raises(AnalysisError, match="not positive semi-definite"):
        fieller(1.0, 1.0, 1.0, 1.0, 2.0)
    with pytest.raises(AnalysisError, match="level"):
        fieller(1.0, 1.0, 1.0, 1.0, 0.0, level=95)


def test_student_t_convention_replaces_z_by_the_t_quantile():
    # Stata cea's convention: t with N - 2 degrees of freedom; by hand with a known cost
    t = stats.t.ppf(0.975, 28)
    f = fieller(1000.0, 0.1, 0.0, 0.02**2, 0.0, df=28)
    assert f.lower == pytest.approx(1000 / (0.1 + t * 0.02), rel=1e-12)
    assert f.upper == pytest.approx(1000 / (0.1 - t * 0.02), rel=1e-12)
    z_set = fieller(1000.0, 0.1, 0.0, 0.02**2, 0.0)
    assert f.lower < z_set.lower and f.upper > z_set.upper  # t is wider


def test_critical_value_is_normal_by_default_and_t_with_df():
    assert critical_value(0.9) == pytest.approx(stats.norm.ppf(0.95), rel=1e-15)
    # R's qt(0.975, 10); scipy builds before 1.17 agree to about 1e-11 only
    assert critical_value(0.95, df=10) == pytest.approx(2.228138851986, rel=1e-10)
    assert critical_value(0.95, df=1e12) == pytest.approx(Z, rel=1e-9)
    for bad in (0, -3, math.inf, math.nan):
        with pytest.raises(AnalysisError, match="df"):
            critical_value(0.95, df=bad)
    with pytest.raises(AnalysisError, match="level"):
        critical_value(1.0)
