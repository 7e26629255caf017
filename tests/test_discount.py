"""Green Book discount schedules, checked against the published rates and derived factors.

Rates: HM Treasury, The Green Book (2022), Annex A6 "Discounting": the declining long-term
schedule (3.5% for years 0-30, 3.0% for 31-75, 2.5% for 76-125, 2.0% for 126-200, 1.5% for
201-300, 1.0% from 301; unchanged from the 2003 Green Book, Annex 6, Table 6.1) and the health
schedule (1.50%, 1.29%, 1.07%, 0.86%, 0.64%, 0.43% in the same bands). The factors below are
the 4-decimal factors ``1.035 ** -t`` as printed in appraisal discount tables; the year-31
and year-75 factors follow the Green Book convention that "years 31-75" are discounted at 3.0%
from year 30's factor.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthecon.discount import GREEN_BOOK_HEALTH, GREEN_BOOK_STANDARD, DiscountSchedule, discount_factors
from healthecon.errors import ParameterError

PUBLISHED_STANDARD_RATES = [(0, 0.035), (30, 0.030), (75, 0.025), (125, 0.020), (200, 0.015), (300, 0.010)]
PUBLISHED_HEALTH_RATES = [(0, 0.0150), (30, 0.0129), (75, 0.0107), (125, 0.0086), (200, 0.0064), (300, 0.0043)]


def test_standard_schedule_has_the_published_rates():
    assert [tuple(b) for b in GREEN_BOOK_STANDARD.bands] == PUBLISHED_STANDARD_RATES


def test_health_schedule_has_the_published_rates():
    # The published health rates are rounded to 0.01 percentage points; an earlier version
    # used unrounded proportions (1.286%...), which do not match the Treasury's table.
    assert [tuple(b) for b in GREEN_BOOK_HEALTH.bands] == PUBLISHED_HEALTH_RATES


@pytest.mark.parametrize(
    "year, factor",
    [(0, 1.0), (1, 0.9662), (2, 0.9335), (5, 0.8420), (10, 0.7089), (20, 0.5026), (30, 0.3563)],
)
def test_standard_factors_match_the_tabulated_3_5_percent_factors(year, factor):
    assert GREEN_BOOK_STANDARD.factors(year) == pytest.approx(factor, abs=5e-5)


def test_standard_factors_after_the_first_kinks():
    assert GREEN_BOOK_STANDARD.factors(31) == pytest.approx(1.035**-30 / 1.03, rel=1e-12)
    assert GREEN_BOOK_STANDARD.factors(75) == pytest.approx(1 / (1.035**30 * 1.03**45), rel=1e-12)
    assert GREEN_BOOK_STANDARD.factors(76) == pytest.approx(1 / (1.035**30 * 1.03**45 * 1.025), rel=1e-12)


def test_health_factors():
    assert GREEN_BOOK_HEALTH.factors(10) == pytest.approx(1.015**-10, rel=1e-12)
    assert GREEN_BOOK_HEALTH.factors(31) == pytest.approx(1.015**-30 / 1.0129, rel=1e-12)
    assert GREEN_BOOK_HEALTH.factors(100) == pytest.approx(1 / (1.015**30 * 1.0129**45 * 1.0107**25), rel=1e-12)


@pytest.mark.parametrize("schedule", [GREEN_BOOK_STANDARD, GREEN_BOOK_HEALTH])
@pytest.mark.parametrize("boundary", [30, 75, 125, 200, 300])
def test_schedules_are_continuous_at_band_boundaries(schedule, boundary):
    eps = 1e-9
    below, at, above = schedule.factors([boundary - eps, boundary, boundary + eps])
    assert below == pytest.approx(at, rel=1e-8) and above == pytest.approx(at, rel=1e-8)
    assert schedule.rate_at(boundary - 1) > schedule.rate_at(boundary + 1)


@pytest.mark.parametrize("schedule", [GREEN_BOOK_STANDARD, GREEN_BOOK_HEALTH])
def test_schedules_decrease_and_health_is_above_standard(schedule):
    d = schedule.factors(np.arange(0, 400))
    assert np.all(np.diff(d) < 0)
    assert np.all(GREEN_BOOK_HEALTH.factors(np.arange(1, 400)) > GREEN_BOOK_STANDARD.factors(np.arange(1, 400)))


@given(rate=st.floats(0, 0.5, exclude_max=True), times=st.lists(st.floats(0, 200), min_size=1, max_size=20))
def test_constant_rate_is_the_power_formula(rate, times):
    t = np.array(times)
    expected = (1 + rate) ** -t
    np.testing.assert_allclose(discount_factors(t, rate), expected, rtol=1e-12)
    flat = DiscountSchedule(((0, rate),), name="flat")
    np.testing.assert_allclose(discount_factors(t, flat), expected, rtol=1e-10)


def test_bad_inputs_are_named():
    with pytest.raises(ParameterError, match="discount rate"):
        discount_factors([1], -1.0)
    with pytest.raises(ParameterError, match="discount times"):
        discount_factors([-1.0], 0.035)
    with pytest.raises(ParameterError, match="first band must start at year 0"):
        DiscountSchedule(((1, 0.03),), name="bad")


# --- audit: factors against a slow year-by-year product; band edges -------------------------

_GB_YEARS = {  # Green Book (2022) Annex A6: year ranges and rates, as printed
    "standard": ((0, 30, 0.035), (31, 75, 0.030), (76, 125, 0.025), (126, 200, 0.020), (201, 300, 0.015), (301, 10**6, 0.010)),
    "health": ((0, 30, 0.015), (31, 75, 0.0129), (76, 125, 0.0107), (126, 200, 0.0086), (201, 300, 0.0064), (301, 10**6, 0.0043)),
}


def _printed_rate(kind, year):
    return next(rate for lo, hi, rate in _GB_YEARS[kind] if lo <= year <= hi)


@pytest.mark.parametrize("kind, schedule", [("standard", GREEN_BOOK_STANDARD), ("health", GREEN_BOOK_HEALTH)])
def test_schedule_factors_equal_a_year_by_year_product_of_the_printed_rates(kind, schedule):
    factor, slow = 1.0, [1.0]
    for year in range(1, 401):
        factor /= 1 + _printed_rate(kind, year)
        slow.append(factor)
    np.testing.assert_allclose(schedule.factors(np.arange(401)), slow, rtol=1e-12)


@pytest.mark.parametrize("kind, schedule", [("standard", GREEN_BOOK_STANDARD), ("health", GREEN_BOOK_HEALTH)])
@pytest.mark.parametrize("year", [0, 1, 29, 30, 31, 74, 75, 76, 125, 126, 200, 201, 300, 301, 500])
def test_rate_at_gives_the_green_book_rate_of_each_year(kind, schedule, year):
    # year 30 is in "years 0-30" (3.5%), year 31 in "31-75" (3.0%); rate_at(30) used to give 3.0%
    assert schedule.rate_at(year) == _printed_rate(kind, year)
    if year >= 1:  # the rate that takes year - 1's factor to year's
        assert schedule.factors(year - 1) / schedule.factors(year) == pytest.approx(1 + schedule.rate_at(year), rel=1e-12)


def test_rate_at_rejects_negative_years():
    # used to return the last band's rate (index -1)
    with pytest.raises(ParameterError, match="year"):
        GREEN_BOOK_STANDARD.rate_at(-1)


@given(rate=st.floats(0, 0.2), years=st.integers(0, 60))
def test_constant_rate_equals_year_by_year_product(rate, years):
    slow = 1.0
    for _ in range(years):
        slow /= 1 + rate
    assert discount_factors(years, rate) == pytest.approx(slow, rel=1e-12)
    custom = DiscountSchedule(((0, rate), (10, rate / 2)))
    slow = 1.0
    for year in range(1, years + 1):
        slow /= 1 + (rate if year <= 10 else rate / 2)
    assert custom.factors(years) == pytest.approx(slow, rel=1e-12)


@pytest.mark.parametrize("rate", [3.5, 1.0, 35.0, -0.01])
def test_a_rate_outside_0_1_is_refused_naming_the_likely_percentage(rate):
    with pytest.raises(ParameterError, match="expected an annual rate as a fraction in \\[0, 1\\)"):
        discount_factors([0, 1], rate)


def test_a_percentage_gets_a_did_you_mean_hint():
    with pytest.raises(ParameterError, match="did you mean 0.035 for 3.5%"):
        discount_factors(1, 3.5)


def test_a_schedule_band_written_as_a_percentage_is_refused():
    with pytest.raises(ParameterError, match="band from year 30.*did you mean 0.03"):
        DiscountSchedule(((0, 0.035), (30, 3.0)), name="typo")
