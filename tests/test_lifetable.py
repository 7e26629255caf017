"""Background mortality from a life table (made-up test table; no real data shipped)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthecon.errors import ParameterError, ShapeError
from healthecon.lifetable import LifeTable

AGES = [40, 50, 60, 70]
QX = [0.002, 0.005, 0.012, 0.03]


@pytest.fixture
def table():
    return LifeTable(AGES, QX)


def test_rows_are_half_open_intervals(table):
    ages = np.array([40.0, 49.999, 50.0, 59.5, 60.0, 79.99])
    np.testing.assert_allclose(table.probability(ages), [0.002, 0.002, 0.005, 0.005, 0.012, 0.03])


def test_cycle_conversion_goes_through_the_rate(table):
    # monthly: 1 - (1 - 0.005) ** (1/12)
    assert table.probability(55, cycle_length=1 / 12) == pytest.approx(1 - 0.995 ** (1 / 12), rel=1e-12)
    assert table.rate(55) == pytest.approx(-math.log(0.995))
    # a table of 5-year probabilities converted to one year
    five = LifeTable(AGES, QX, period=5)
    assert five.probability(41) == pytest.approx(1 - 0.998 ** 0.2, rel=1e-12)


def test_rate_tables():
    lt = LifeTable([0, 10], [0.01, 0.02], kind="rate")
    np.testing.assert_allclose(lt.probability([5, 15], cycle_length=0.5), 1 - np.exp(-np.array([0.01, 0.02]) * 0.5))


def test_vectorised_over_any_shape(table):
    ages = 40 + np.arange(24).reshape(4, 6) * 1.5
    out = table.probability(ages, cycle_length=0.25)
    assert out.shape == (4, 6)
    assert out[0, 0] == pytest.approx(1 - 0.998**0.25)


def test_probability_one_row_gives_one():
    lt = LifeTable([99, 100], [0.4, 1.0])
    assert lt.probability(100.5, cycle_length=0.1) == 1.0


@given(age=st.floats(40, 79.999), cycle=st.floats(0.01, 2))
def test_probabilities_in_unit_interval_and_increase_with_cycle(age, cycle):
    lt = LifeTable(AGES, QX)
    p = lt.probability(age, cycle)
    assert 0 < p < 1
    assert lt.probability(age, cycle * 2) >= p


def test_age_below_first_row_raises_naming_age(table):
    with pytest.raises(ParameterError, match=r"age 39\.5 is below the first row \(age 40\)"):
        table.probability([45, 39.5])


def test_age_beyond_last_row_raises_unless_extended(table):
    with pytest.raises(ParameterError, match=r"age 80 is beyond the last row.*extend_last=True"):
        table.probability(80)
    assert table.probability(95, extend_last=True) == pytest.approx(0.03)
    extended = LifeTable(AGES, QX, extend_last=True)
    assert extended.probability(120) == pytest.approx(0.03)
    with pytest.raises(ParameterError, match="age 120 is beyond"):
        extended.probability(120, extend_last=False)


def test_last_width_sets_the_last_band():
    lt = LifeTable(AGES, QX, last_width=1)
    assert lt.probability(70.9) == pytest.approx(0.03)
    with pytest.raises(ParameterError, match="age 71 is beyond"):
        lt.probability(71)


@pytest.mark.parametrize(
    "ages, values, kwargs, error, message",
    [
        ([40, 50, 50], [0.1, 0.1, 0.1], {}, ParameterError, r"ages must increase strictly, but age 50 follows 50"),
        ([40, 50], [0.1, 1.2], {}, ParameterError, r"expected a probability in \[0, 1\], got 1\.2"),
        ([40, 50], [0.1, float("nan")], {}, ParameterError, r"expected finite numbers, got nan"),
        ([40, 50], [0.1, -0.2], {"kind": "rate"}, ParameterError, r"mortality rate: expected a value >= 0, got -0\.2"),
        ([40, 50], [0.1], {}, ShapeError, r"ages has 2, values has 1"),
        ([40, 50], [0.1, 0.1], {"kind": "odds"}, ParameterError, r"kind must be one of"),
        ([40, 50], [0.1, 0.1], {"period": 0}, ParameterError, r"period: expected a value > 0"),
    ],
)
def test_invalid_tables_raise(ages, values, kwargs, error, message):
    with pytest.raises(error, match=message):
        LifeTable(ages, values, **kwargs)


def test_from_csv_and_frame(tmp_path):
    path = tmp_path / "lt.csv"
    pd.DataFrame({"age": AGES, "qx_female": QX, "qx_male": [q * 1.5 for q in QX]}).to_csv(path, index=False)
    lt = LifeTable.from_csv(path, value="qx_male")
    assert lt.probability(65) == pytest.approx(0.018)
    with pytest.raises(ParameterError, match=r"no column 'qx'; columns are \['age', 'qx_female', 'qx_male'\]"):
        LifeTable.from_csv(path)
    bad = pd.DataFrame({"age": [40, 50], "qx": ["0.1", "__import__('os')"]})
    with pytest.raises(ParameterError, match=r"column 'qx', data row 2: expected a finite number"):
        LifeTable.from_frame(bad)


def test_cohort_uses_the_age_at_the_start_of_each_cycle(table):
    out = table.cohort(48, 3, cycle_length=1)  # ages 48, 49, 50
    np.testing.assert_allclose(out, [0.002, 0.002, 0.005])
    per_sample = table.cohort(np.array([40.0, 45.0, 69.0]), 5, cycle_length=0.25)
    assert per_sample.shape == (3, 5)
    np.testing.assert_allclose(per_sample[2], 1 - np.array([0.988] * 4 + [0.97]) ** 0.25)  # ages 69 to 70
    np.testing.assert_allclose(per_sample[1], table.probability(45 + 0.25 * np.arange(5), 0.25))
    with pytest.raises(ParameterError, match="age 80 is beyond the last row"):
        table.cohort(75, 6)
    assert table.cohort(75, 30, extend_last=True)[-1] == pytest.approx(0.03)
    with pytest.raises(ParameterError, match="cycles must be a positive int, got 0"):
        table.cohort(40, 0)
