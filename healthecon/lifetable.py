"""Background (other-cause) mortality from a user-supplied life table.

A life table gives, for each age band starting at ``a_i``, either the probability of death
within ``period`` years (``q_x``, ``kind="probability"``; ONS National Life Tables give
annual ``qx``) or the mortality rate (``m_x``, ``kind="rate"``). An age in ``[a_i, a_{i+1})``
uses row ``i``; the last row covers ``[a_last, a_last + last_width)`` where ``last_width``
defaults to the width of the band before it. Ages outside the table raise, naming the age,
unless ``extend_last=True`` is asked for explicitly (the last row then applies to every
older age).

The probability over a model cycle goes through the constant rate within the band (Briggs,
Claxton & Sculpher 2006, ch. 3; Fleurence & Hollenbeak 2007)::

    rate = -ln(1 - q) / period,        p = 1 - exp(-rate * cycle_length)

No real life table is shipped; read your own, e.g. the ONS National Life Tables for England
(Office for National Statistics, "National life tables: England", latest release), with
:meth:`LifeTable.from_csv`.

Examples
--------
>>> lt = LifeTable([40, 50, 60], [0.002, 0.005, 0.012])
>>> lt.probability([40.0, 55.5, 69.9]).round(4)
array([0.002, 0.005, 0.012])
>>> round(lt.probability(45, cycle_length=1 / 12), 6)
0.000167
>>> lt.probability(70)
Traceback (most recent call last):
...
healthecon.errors.ParameterError: life table: age 70 is beyond the last row (ages 40 to 70, the last row covering [60, 70)); pass extend_last=True to use the last row for older ages
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

import numpy as np
import pandas as pd

from ._validate import (
    float_or_array,
    numeric_column,
    require_finite,
    require_nonnegative,
    require_positive,
    require_probability,
    require_same_length,
)
from .errors import ParameterError

__all__ = ["LifeTable"]

_KINDS = ("probability", "rate")


class LifeTable:
    """Age-specific background mortality.

    Parameters
    ----------
    ages
        Start age of each row, strictly increasing.
    values
        Probability of death within ``period`` (``kind="probability"``, each in [0, 1]) or
        mortality rate per year (``kind="rate"``, each >= 0), one per row.
    kind
        ``"probability"`` or ``"rate"``.
    period
        Years the probabilities refer to (1 for annual ``qx``); ignored for rates.
    last_width
        Width of the last row's age band; defaults to the width of the band before it (1
        for a single-row table).
    extend_last
        Default for :meth:`probability`: apply the last row beyond its band instead of raising.
    name
        Label used in error messages, e.g. ``"ONS 2020-22 England, females"``.

    Raises
    ------
    ParameterError
        If ``kind`` is unknown, the ages are empty or not strictly increasing, ``ages`` and
        ``values`` differ in length, a probability lies outside [0, 1], a rate is negative,
        or ``period`` or ``last_width`` is not positive.

    Examples
    --------
    Five-year bands of annual probabilities of death (``qx``) for men aged 60-79, the last
    band ending at 80:

    >>> lt = LifeTable([60, 65, 70, 75], [0.011, 0.017, 0.027, 0.045], name="men 60-79")
    >>> lt
    LifeTable('men 60-79', 4 rows, ages 60 to 80, kind='probability')
    >>> lt.probability([62, 71.5]).round(4)
    array([0.011, 0.027])

    Monthly background mortality for a 70-year-old, and the annual probability at 82 using
    the last row for older ages:

    >>> round(lt.probability(70, cycle_length=1 / 12), 5)
    0.00228
    >>> lt.probability(82, extend_last=True)
    0.045
    """

    def __init__(
        self,
        ages: Sequence[float],
        values: Sequence[float],
        kind: str = "probability",
        period: float = 1.0,
        *,
        last_width: float | None = None,
        extend_last: bool = False,
        name: str = "life table",
    ) -> None:
        self.name = name
        if not isinstance(extend_last, (bool, np.bool_)):
            raise ParameterError(f"{name}: extend_last must be True or False, got {extend_last!r}")
        if kind not in _KINDS:
            raise ParameterError(f"{name}: kind must be one of {_KINDS}, got {kind!r}")
        ages_arr = require_finite(ages, f"{name}: ages")
        values_arr = require_finite(values, f"{name}: values")
        if ages_arr.ndim != 1 or ages_arr.size == 0:
            raise ParameterError(f"{name}: expected a non-empty 1-D sequence of ages, got shape {ages_arr.shape}")
        require_same_length(name, ages=ages_arr, values=values_arr)
        steps = np.diff(ages_arr)
        if (steps <= 0).any():
            i = int(np.argmax(steps <= 0))
            raise ParameterError(f"{name}: ages must increase strictly, but age {ages_arr[i + 1]:g} follows {ages_arr[i]:g}")
        self.period = float(require_positive(period, f"{name}: period"))
        if kind == "probability":
            require_probability(values_arr, f"{name}: probability of death")
            rates = np.full(values_arr.shape, np.inf)
            below = values_arr < 1
            rates[below] = -np.log1p(-values_arr[below]) / self.period
        else:
            rates = require_nonnegative(values_arr, f"{name}: mortality rate")
        if last_width is None:
            last_width = float(steps[-1]) if steps.size else 1.0
        self.last_width = float(require_positive(last_width, f"{name}: last_width"))
        self.kind = kind
        self.ages = ages_arr
        self.values = values_arr
        self.rates = rates
        self.extend_last = bool(extend_last)
        for arr in (self.ages, self.values, self.rates):
            arr.setflags(write=False)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, age: str = "age", value: str = "qx", kind: str = "probability", period: float = 1.0, **options: object
    ) -> LifeTable:
        """Build from two columns of a ``pandas.DataFrame`` (e.g. ``age`` and ``qx``)."""
        name = str(options.pop("name", "life table"))
        columns = {column: numeric_column(frame, column, name) for column in (age, value)}
        return cls(columns[age], columns[value], kind=kind, period=period, name=name, **options)  # type: ignore[arg-type]

    @classmethod
    def from_csv(
        cls, path: str | PathLike, age: str = "age", value: str = "qx", kind: str = "probability", period: float = 1.0, **options: object
    ) -> LifeTable:
        """Read a CSV file (numbers only; nothing in it is executed) and build from two columns."""
        options.setdefault("name", f"life table {path}")
        return cls.from_frame(pd.read_csv(path), age=age, value=value, kind=kind, period=period, **options)

    def rate(self, age: object, *, extend_last: bool | None = None) -> float | np.ndarray:
        """Mortality rate per year at each ``age`` (any array shape)."""
        return float_or_array(self.rates[self._rows(age, extend_last)])

    def probability(self, age: object, cycle_length: float = 1.0, *, extend_last: bool | None = None) -> float | np.ndarray:
        """Probability of death within one cycle starting at each ``age``.

        ``p = 1 - exp(-rate * cycle_length)`` with the rate of the row holding ``age``
        (Briggs et al. 2006, ch. 3). Vectorised over any array of ages, e.g. sample x cycle.
        """
        rows = self._rows(age, extend_last)
        cycle_length = require_positive(cycle_length, f"{self.name}: cycle_length")
        # inline rather than rates.rate_to_prob: a row with q = 1 has an infinite rate, and
        # exp(-inf) = 0 gives probability 1 exactly
        return float_or_array(-np.expm1(-self.rates[rows] * cycle_length))

    def cohort(self, start_age: object, cycles: int, cycle_length: float = 1.0, *, extend_last: bool | None = None) -> np.ndarray:
        """Probability of death in each model cycle ``1..cycles`` for a cohort starting at ``start_age``.

        Cycle ``t`` covers model time ``(t - 1, t]`` (``docs/architecture.md``) and uses the
        table row of the age at its start, ``start_age + (t - 1) * cycle_length``. The result
        has shape ``np.shape(start_age) + (cycles,)``, so a start age per PSA sample gives a
        sample x cycle array.

        Examples
        --------
        >>> LifeTable([60, 61, 62], [0.01, 0.02, 0.03]).cohort(60.5, 4, cycle_length=0.5).round(5)
        array([0.00501, 0.01005, 0.01005, 0.01511])
        """
        if isinstance(cycles, (bool, np.bool_)) or not isinstance(cycles, (int, np.integer)) or cycles < 1:
            raise ParameterError(f"{self.name}: cycles must be a positive int, got {cycles!r}")
        cycle_length = float(require_positive(cycle_length, f"{self.name}: cycle_length"))
        start = require_finite(start_age, f"{self.name}: start_age")
        # offsets rounded to 1e-9 years: 90 * 0.7 is 62.99999999999999 in floating point, which
        # would look up the row of age 62 for a cycle that starts at 63
        ages = start[..., np.newaxis] + np.round(np.arange(cycles) * cycle_length, 9)
        return np.asarray(self.probability(ages, cycle_length, extend_last=extend_last))

    def _rows(self, age: object, extend_last: bool | None) -> np.ndarray:
        ages = require_finite(age, f"{self.name}: age")
        extend = self.extend_last if extend_last is None else extend_last
        if (ages < self.ages[0]).any():
            bad = float(np.ravel(ages[ages < self.ages[0]])[0])
            raise ParameterError(f"{self.name}: age {bad:g} is below the first row (age {self.ages[0]:g})")
        end = self.ages[-1] + self.last_width
        if not extend and (ages >= end).any():
            bad = float(np.ravel(ages[ages >= end])[0])
            raise ParameterError(
                f"{self.name}: age {bad:g} is beyond the last row (ages {self.ages[0]:g} to {end:g}, the last row "
                f"covering [{self.ages[-1]:g}, {end:g})); pass extend_last=True to use the last row for older ages"
            )
        return np.searchsorted(self.ages, ages, side="right") - 1

    def __repr__(self) -> str:
        return f"LifeTable({self.name!r}, {self.ages.size} rows, ages {self.ages[0]:g} to {self.ages[-1] + self.last_width:g}, kind={self.kind!r})"
