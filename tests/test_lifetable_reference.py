"""Life tables: interval lookup, period conversion and cohort cycles on band boundaries.

(Moved from the former test_stats_audit.py, assertions unchanged.)
"""

from fractions import Fraction

import numpy as np
import pytest

from healthecon.errors import ParameterError
from healthecon.lifetable import LifeTable
from healthecon.rates import convert_prob


# --- life table ----------------------------------------------------------------------------

def test_life_table_interval_lookup_and_cycle_conversion():
    lt = LifeTable([40, 50, 60], [0.002, 0.005, 0.012])
    # a one-year table read at annual cycles: the same probabilities, up to the rounding of the
    # rate conversion (0.012000000000000002 with numpy 2.4), so compared to 1e-12, not bit for bit
    np.testing.assert_allclose(lt.probability([40.0, 49.999, 50.0, 59.999, 60.0, 69.999]),
                               [0.002, 0.002, 0.005, 0.005, 0.012, 0.012], rtol=1e-12)
    with pytest.raises(ParameterError, match="age 70 is beyond the last row"):
        lt.probability(70.0)
    with pytest.raises(ParameterError, match="age 39.5 is below the first row"):
        lt.probability(39.5)
    assert lt.probability(75, extend_last=True) == pytest.approx(0.012)
    assert lt.probability(55, cycle_length=0.25) == pytest.approx(1 - 0.995**0.25, rel=1e-12)
    rates = LifeTable([0, 10], [0.01, 0.1], kind="rate")
    assert rates.probability(10, cycle_length=2) == pytest.approx(1 - np.exp(-0.2), rel=1e-12)
    five_year = LifeTable([0, 5], [0.05, 0.1], period=5)
    assert five_year.probability(3) == pytest.approx(convert_prob(0.05, 5, 1), rel=1e-12)
    cohort = LifeTable(np.arange(60, 70), np.linspace(0.01, 0.1, 10)).cohort(np.array([60.0, 64.0]), 3, 0.5)
    assert cohort.shape == (2, 3)
    np.testing.assert_allclose(cohort[1], 1 - (1 - np.array([0.05, 0.05, 0.06])) ** 0.5, rtol=1e-12)
    with pytest.raises(ParameterError, match="age 70 is beyond"):
        LifeTable(np.arange(60, 70), np.full(10, 0.01)).cohort(68.0, 3)


@pytest.mark.parametrize("cycle_length", [0.7, 0.1, 1 / 12, 0.3, 1 / 52])
def test_cohort_cycles_starting_on_a_band_boundary_use_that_band(cycle_length):
    # 90 * 0.7 = 62.99999999999999 used to pick the age-62 row for the cycle starting at 63
    lt = LifeTable(np.arange(0, 101), np.linspace(0.001, 0.101, 101))
    cycles = int(round(80 / cycle_length))
    got = lt.cohort(0.0, cycles, cycle_length)
    exact_rows = np.array([int(Fraction(k) * Fraction(cycle_length).limit_denominator(1000)) for k in range(cycles)])
    np.testing.assert_allclose(got, -np.expm1(cycle_length * np.log1p(-lt.values[exact_rows])), rtol=1e-12)


