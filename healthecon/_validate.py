"""Input checks shared by every module, so that each kind of bad input gets one clear error.

Each function raises early, naming what is at fault (``what``, e.g. ``"parameter 'p_sick'"``
or ``"strategy 'new', cycle 3, from 'sick' to 'dead'"``) and what was expected. Nothing is
clipped, dropped or overwritten.
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Sized
from contextvars import ContextVar

import numpy as np
import pandas as pd

from .errors import ParameterError, ShapeError

__all__ = [
    "as_float_array",
    "require_cycle_length",
    "require_finite",
    "require_probability",
    "require_nonnegative",
    "require_positive",
    "require_same_length",
    "require_unique",
    "require_whole",
    "numbered_samples",
    "one_number",
    "sample_label",
    "sample_number",
    "float_or_array",
    "numeric_column",
]


def as_float_array(values: object, what: str) -> np.ndarray:
    """Convert ``values`` to a float array, raising a clear error if it is not numeric."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{what}: expected a number or an array of numbers, got {values!r}") from err


_NUMBERED: ContextVar[object] = ContextVar("healthecon_numbered_draws", default=None)


class numbered_samples:  # noqa: N801 - used as a function, in a with statement
    """Within this block, messages name the ``i``-th sample of ``draws`` by its number in the whole
    PSA (its ``sample`` coordinate), so that an error in one chunk of a run names the right sample.
    Cheap to enter (a model's base case passes through it): the numbers are read only for a message.

    Examples
    --------
    >>> import xarray as xr
    >>> chunk = xr.Dataset({"p": ("sample", [0.1, 0.2])}, coords={"sample": [1000, 1001]})
    >>> with numbered_samples(chunk):
    ...     sample_label(1)
    1001
    >>> sample_label(1)
    1
    """

    __slots__ = ("_draws", "_token")

    def __init__(self, draws: object) -> None:
        self._draws = draws

    def __enter__(self) -> None:
        self._token = _NUMBERED.set(self._draws)

    def __exit__(self, *exc: object) -> None:
        _NUMBERED.reset(self._token)


def sample_number(draws: object, i: int) -> int:
    """The number of the ``i``-th sample of ``draws`` in its whole PSA, for messages: its ``sample``
    coordinate (a chunk of a run keeps the run's numbers), else ``i``.

    Examples
    --------
    >>> import xarray as xr
    >>> draws = xr.Dataset({"hr": ("sample", [0.7, 0.8, 0.9])}, coords={"sample": [0, 1, 2]})
    >>> sample_number(draws.isel(sample=slice(1, 3)), 0)
    1
    """
    coords = getattr(draws, "coords", None)
    if coords is not None and "sample" in coords:
        numbers = np.asarray(coords["sample"].values)
        if 0 <= i < numbers.size:
            return int(numbers[i])
    return int(i)


def sample_label(i: int) -> int:
    """The number of the ``i``-th sample of the draws being run, in the whole PSA (see :func:`numbered_samples`)."""
    return sample_number(_NUMBERED.get(), i)


def _first_bad(values: np.ndarray, bad: np.ndarray, index_name: str = "index") -> str:
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    if index_name == "sample" and len(index) == 1:
        index = (sample_label(index[0]),)
    where = "" if values.ndim == 0 else f" at {index_name} {index if len(index) > 1 else index[0]}"
    value = float(values[index]) if values.ndim else float(values)
    count = int(bad.sum())
    return f"{value!r}{where}" + (f" ({count} of {values.size} values are bad)" if count > 1 else "")


def require_finite(values: object, what: str, error: type[Exception] = ParameterError, *, index_name: str = "index") -> np.ndarray:
    """Return ``values`` as a float array, raising if any element is NaN or infinite.

    The message names ``what`` and the first bad value with its position, called
    ``index_name`` (``"sample"`` for one value per PSA sample).

    Examples
    --------
    >>> require_finite([1.0, float("nan")], "parameter 'cost'")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: parameter 'cost': expected finite numbers, got nan at index 1
    """
    arr = as_float_array(values, what)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise error(f"{what}: expected finite numbers, got {_first_bad(arr, bad, index_name)}")
    return arr


def require_probability(values: object, what: str, error: type[Exception] = ParameterError) -> np.ndarray:
    """Return ``values`` as a float array, raising unless every element is in [0, 1].

    Examples
    --------
    >>> require_probability(1.2, "parameter 'p_death'")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: parameter 'p_death': expected a probability in [0, 1], got 1.2; a value above 1 is usually a rate or a percentage given as a probability: convert a rate with healthecon.rates.rate_to_prob, and divide a percentage by 100
    """
    arr = require_finite(values, what, error)
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        hint = ""
        if (arr > 1).any():
            hint = ("; a value above 1 is usually a rate or a percentage given as a probability: convert a rate "
                    "with healthecon.rates.rate_to_prob, and divide a percentage by 100")
        raise error(f"{what}: expected a probability in [0, 1], got {_first_bad(arr, bad)}{hint}")
    return arr


def require_nonnegative(values: object, what: str, error: type[Exception] = ParameterError) -> np.ndarray:
    """Return ``values`` as a float array, raising if any element is negative."""
    arr = require_finite(values, what, error)
    bad = arr < 0
    if bad.any():
        raise error(f"{what}: expected a value >= 0, got {_first_bad(arr, bad)}")
    return arr


def require_positive(values: object, what: str, error: type[Exception] = ParameterError) -> np.ndarray:
    """Return ``values`` as a float array, raising unless every element is > 0."""
    arr = require_finite(values, what, error)
    bad = arr <= 0
    if bad.any():
        raise error(f"{what}: expected a value > 0, got {_first_bad(arr, bad)}")
    return arr


def one_number(value: object) -> float | None:
    """``value`` as a Python float when it is one real number (an int or a float, numpy scalars and
    0-d arrays too), else None: a bool, text, None or an array of several values is not one.

    Examples
    --------
    >>> one_number(np.float64(0.5)), one_number(True), one_number("1"), one_number([1.0, 2.0])
    (0.5, None, None, None)
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 or isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def require_whole(value: object, what: str, minimum: int = 1, error: type[Exception] = ParameterError) -> int:
    """``value`` as an int, raising unless it is a whole number >= ``minimum`` (not a bool, NaN or text).

    Examples
    --------
    >>> require_whole(12.0, "n_cycles")
    12
    >>> require_whole(True, "n_cycles")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: n_cycles: expected a whole number >= 1, got True
    """
    number = one_number(value)
    if number is None or not math.isfinite(number) or number != int(number) or number < minimum:
        raise error(f"{what}: expected a whole number >= {minimum}, got {value!r}")
    return int(number)


def require_cycle_length(value: object, error: type[Exception] = ParameterError) -> float:
    """A model's ``cycle_length``: one number of years > 0 (not a bool, NaN or text).

    Examples
    --------
    >>> require_cycle_length(1 / 12)
    0.08333333333333333
    >>> require_cycle_length("1")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: cycle_length: expected a number of years > 0 (1/12 for monthly), got '1'
    """
    number = one_number(value)
    if number is None or not (math.isfinite(number) and number > 0):
        raise error(f"cycle_length: expected a number of years > 0 (1/12 for monthly), got {value!r}")
    return number


def require_same_length(what: str, **sequences: Sized) -> int:
    """Raise :class:`ShapeError` unless all ``sequences`` have the same length; return it.

    Examples
    --------
    >>> require_same_length("impact map", quantity=[1, 2], proxy=[3.0])
    Traceback (most recent call last):
    ...
    healthecon.errors.ShapeError: impact map: mismatched lengths: quantity has 2, proxy has 1
    """
    lengths = {name: len(seq) for name, seq in sequences.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ShapeError(f"{what}: mismatched lengths: {listed}")
    return next(iter(lengths.values()), 0)


def require_unique(names: Sequence[str], what: str, error: type[Exception] = ParameterError) -> tuple[str, ...]:
    """Return ``names`` as a tuple, raising if any name is repeated or not a non-empty string."""
    names = tuple(names)
    for name in names:
        if not isinstance(name, str) or not name:
            raise error(f"{what}: names must be non-empty strings, got {name!r}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise error(f"{what}: name {name!r} is given more than once")
        seen.add(name)
    return names


def float_or_array(values: object) -> float | np.ndarray:
    """A 0-d result as a Python float, anything else as a float array.

    Examples
    --------
    >>> float_or_array(np.float64(0.5)), float_or_array([0.5, 1.0])
    (0.5, array([0.5, 1. ]))
    """
    values = np.asarray(values, dtype=float)
    return float(values) if values.ndim == 0 else values


def numeric_column(frame: pd.DataFrame, column: object, what: str, error: type[Exception] = ParameterError) -> np.ndarray:
    """A table column as finite floats, or ``error`` naming the column, data row and cell.

    Examples
    --------
    >>> numeric_column(pd.DataFrame({"age": [40, "forty"]}), "age", "life table")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: life table: column 'age', data row 2: expected a finite number, got 'forty'
    """
    if column not in frame.columns:
        raise error(f"{what}: no column {column!r}; columns are {list(frame.columns)}")
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        cell = frame[column].iloc[row]
        cell = cell.item() if isinstance(cell, np.generic) else cell
        raise error(f"{what}: column {column!r}, data row {row + 1}: expected a finite number, got {cell!r}")
    return values
