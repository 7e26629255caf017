"""Discount factors: constant rates and HM Treasury Green Book declining schedules.

A discount factor converts a flow at time ``t`` (years from the start of the evaluation) to
present value. For a constant annual rate ``r`` (Drummond et al., *Methods for the Economic
Evaluation of Health Care Programmes*, 4th ed., 2015, ch. 4)::

    D(t) = (1 + r) ** -t

HM Treasury's Green Book (2022, Annex A6, "Discounting") uses rates that decline with the
horizon. The standard schedule is 3.5% for years 0-30, 3.0% for years 31-75, 2.5% for
76-125, 2.0% for 126-200, 1.5% for 201-300 and 1.0% from year 301 (the same bands as the 2003
Green Book, Annex 6, Table 6.1 "The declining long term discount rate"). Health effects
(QALYs, lives) exclude the wealth effect and start at 1.5%, declining to 1.29%, 1.07%, 0.86%,
0.64% and 0.43% in the same bands. The health rates are the Green Book's published figures,
rounded to two decimals of a percent, not the unrounded proportional values (1.5 x 3.0/3.5
= 1.2857...%): use the published figures so that results match the Treasury's tables and
other tools (e.g. the R packages ``greenbook`` and ``dQALY``, which carry the same rates).

Within a band starting at year ``b`` with rate ``r``, the factor continues from the band
boundary so the schedule is continuous (year 31's factor is year 30's divided by 1.03)::

    D(t) = D(b) * (1 + r) ** -(t - b)

``t`` may be fractional (mid-cycle times of a monthly model) and is an array; every function
is vectorised. Timing (start, middle or end of a cycle) is chosen by the caller, who passes
the times at which flows occur.

Examples
--------
>>> import numpy as np
>>> discount_factors([0, 1, 2], 0.035).round(6)
array([1.      , 0.966184, 0.933511])
>>> bool(np.isclose(GREEN_BOOK_STANDARD.factors(31), 1.035 ** -30 / 1.03, rtol=1e-12))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import require_finite, require_nonnegative
from .errors import ParameterError

__all__ = [
    "DiscountSchedule",
    "discount_factors",
    "GREEN_BOOK_STANDARD",
    "GREEN_BOOK_HEALTH",
]


@dataclass(frozen=True)
class DiscountSchedule:
    """A piecewise-constant annual discount rate with continuous discount factors.

    Parameters
    ----------
    bands
        ``(start_year, rate)`` pairs in increasing order of start year, the first starting
        at year 0. The rate applies on the interval from its start year to the next band's
        start year, so the Green Book's "years 31-75 at 3.0%" is the band ``(30, 0.030)``:
        year 31's factor is year 30's divided by 1.03.
    name
        A label for tables and reports.
    source
        Where the rates come from.

    Raises
    ------
    ParameterError
        If the first band does not start at year 0, the start years do not increase, or a
        rate is not a finite fraction in [0, 1) (3.5 typed for 3.5% is caught here).

    Examples
    --------
    A two-band schedule: 3.5% for years 0-30, then 3.0%. Present value of £12,000 a year
    paid at the start of years 1-3, and of a £1m cost in year 40:

    >>> import numpy as np
    >>> schedule = DiscountSchedule(((0, 0.035), (30, 0.030)), name="3.5% then 3.0%")
    >>> schedule.factors([0, 10, 30, 40]).round(4)
    array([1.    , 0.7089, 0.3563, 0.2651])
    >>> round(float((12_000 * schedule.factors([0, 1, 2])).sum()), 2)
    34796.33
    >>> schedule.rate_at(31)
    0.03
    >>> DiscountSchedule(((0, 3.5),), name="typo")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: discount schedule 'typo', band from year 0: expected an annual rate as a fraction in [0, 1), got 3.5 (did you mean 0.035 for 3.5%?)
    """

    bands: tuple[tuple[float, float], ...]
    name: str = "custom"
    source: str = ""

    def __post_init__(self) -> None:
        if not self.bands or self.bands[0][0] != 0:
            raise ParameterError(f"discount schedule {self.name!r}: the first band must start at year 0")
        starts = [b[0] for b in self.bands]
        if any(b <= a for a, b in zip(starts, starts[1:])):
            raise ParameterError(f"discount schedule {self.name!r}: band start years must increase, got {starts}")
        for start, rate in self.bands:
            if not np.isfinite(rate):
                raise ParameterError(
                    f"discount schedule {self.name!r}: rate for the band from year {start} must be finite, got {rate}"
                )
            _check_rate(rate, f"discount schedule {self.name!r}, band from year {start}")

    def factors(self, times: object) -> np.ndarray:
        """Discount factors at ``times`` (years from the start, >= 0)."""
        t = require_nonnegative(times, f"times for discount schedule {self.name!r}")
        starts = np.array([b[0] for b in self.bands], dtype=float)
        rates = np.array([b[1] for b in self.bands], dtype=float)
        # log D at each band start, accumulated so that D is continuous at boundaries
        widths = np.diff(starts)
        log_at_start = np.concatenate([[0.0], np.cumsum(-widths * np.log1p(rates[:-1]))])
        band = np.searchsorted(starts, t, side="right") - 1
        return np.exp(log_at_start[band] - (t - starts[band]) * np.log1p(rates[band]))

    def rate_at(self, year: float) -> float:
        """The annual rate that discounts ``year``, i.e. the interval ``(year - 1, year]``.

        Consistent with :meth:`factors` and the Green Book's "years 0-30" wording: a band
        ``(b, r)`` covers ``(b, next_b]``, so for :data:`GREEN_BOOK_STANDARD` year 30 is at
        3.5% and year 31 at 3.0%; year 0 takes the first band's rate.

        Examples
        --------
        >>> GREEN_BOOK_STANDARD.rate_at(30), GREEN_BOOK_STANDARD.rate_at(31)
        (0.035, 0.03)
        """
        t = float(require_nonnegative(year, f"year for discount schedule {self.name!r}"))
        starts = [b[0] for b in self.bands]
        return self.bands[max(int(np.searchsorted(starts, t, side="left")) - 1, 0)][1]


def discount_factors(times: object, rate: float | DiscountSchedule) -> np.ndarray:
    """Discount factors at ``times`` (years) for a constant annual ``rate`` or a schedule.

    Parameters
    ----------
    times
        Times in years from the start of the evaluation (scalar or array, >= 0).
    rate
        Annual rate as a fraction (0.035 for 3.5%), or a :class:`DiscountSchedule`.

    Returns
    -------
    numpy.ndarray
        ``(1 + rate) ** -times`` for a constant rate; the schedule's factors otherwise.

    Raises
    ------
    ParameterError
        If ``rate`` is not finite, negative or 1 or more (a percentage typed as a number, such
        as 3.5 for 3.5%, is caught here rather than discounting at 350% a year), or a time is
        negative or NaN.

    Examples
    --------
    >>> discount_factors(1, 3.5)
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: discount rate: expected an annual rate as a fraction in [0, 1), got 3.5 (did you mean 0.035 for 3.5%?)
    """
    if isinstance(rate, DiscountSchedule):
        return rate.factors(times)
    r = float(require_finite(rate, "discount rate"))
    _check_rate(r, "discount rate")
    t = require_nonnegative(times, "discount times")
    return np.power(1.0 + r, -t)


def _check_rate(rate: float, what: str) -> None:
    """Raise unless ``rate`` is an annual rate written as a fraction in [0, 1)."""
    if 0 <= rate < 1:
        return
    hint = f" (did you mean {rate / 100:g} for {rate:g}%?)" if 1 <= rate <= 100 else ""
    raise ParameterError(f"{what}: expected an annual rate as a fraction in [0, 1), got {rate:g}{hint}")


_GB_SOURCE = (
    "HM Treasury, The Green Book (2022), Annex A6 'Discounting': declining long-term discount "
    "rates (standard 3.50/3.00/2.50/2.00/1.50/1.00%) and health discount rates "
    "(1.50/1.29/1.07/0.86/0.64/0.43%) for years 0-30, 31-75, 76-125, 126-200, 201-300, 301+"
)

GREEN_BOOK_STANDARD = DiscountSchedule(
    bands=((0, 0.035), (30, 0.030), (75, 0.025), (125, 0.020), (200, 0.015), (300, 0.010)),
    name="Green Book standard (3.5% declining)",
    source=_GB_SOURCE,
)

GREEN_BOOK_HEALTH = DiscountSchedule(
    bands=((0, 0.015), (30, 0.0129), (75, 0.0107), (125, 0.0086), (200, 0.0064), (300, 0.0043)),
    name="Green Book health (1.5% declining)",
    source=_GB_SOURCE,
)

