"""Curve transforms: new survival curves built from others, each itself a curve.

A *curve* is any object with a method ``survival(t, draws=None)`` returning an array of shape
``(n_samples, len(t))`` (``(1, len(t))`` when nothing in it varies by sample), for times ``t``
in years; it may also have ``hazard``, ``cumulative_hazard`` and ``parameter_names`` (the
names of the parameters it reads from the draws). The fitted curves of
:mod:`healthecon.survival` have them all, and so does every transform here, so transforms
nest: a hazard ratio applied to a piecewise curve, waning of that, with general-population
mortality on top.

- :class:`HazardRatio` -- proportional hazards on a reference curve, ``S(t) = S_ref(t) ** HR``.
- :class:`StepSurvival` -- a step function given as a table, e.g. a Kaplan-Meier estimate.
- :class:`Piecewise` -- one curve up to a cut point, then another conditional on survival at
  the cut (Kaplan-Meier then parametric, as in NICE DSU TSD 14, Latimer 2011, section 3.2).
- :class:`Waning` -- treatment-effect waning: the hazard moves linearly from the treated
  curve's to the reference curve's over a stated period.
- :class:`BackgroundMortality` -- every hazard at least general-population mortality from a
  :class:`~healthecon.lifetable.LifeTable`.

A value that may vary by sample (a hazard ratio, a start age) is a number or the *name* of a
parameter in the draws (``hr="hr_os"``), as in the rest of healthecon.

References
----------
Latimer N (2011). *NICE DSU Technical Support Document 14: Survival analysis for economic
evaluations alongside clinical trials -- extrapolation with patient-level data*.
Collett D (2015). *Modelling Survival Data in Medical Research*, 3rd ed., ch. 1 and 5
(survival, hazard and cumulative hazard: ``S = exp(-H)``; proportional hazards).

Examples
--------
>>> import numpy as np, xarray as xr
>>> class Exponential:
...     def __init__(self, rate): self.rate = rate
...     def survival(self, t, draws=None): return np.exp(-self.rate * np.asarray(t, float))[None, :]
>>> control = Exponential(0.2)
>>> treated = HazardRatio(control, "hr")
>>> draws = xr.Dataset({"hr": ("sample", [0.5, 1.0])})
>>> treated.survival([0.0, 5.0], draws).round(4)
array([[1.    , 0.6065],
       [1.    , 0.3679]])
>>> Waning(treated, control, start=2, end=4).survival([1.0, 10.0], draws).round(4)
array([[0.9048, 0.1827],
       [0.8187, 0.1353]])
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol, runtime_checkable

import numpy as np
import xarray as xr

from .._validate import as_float_array, one_number, require_finite, sample_number
from ..errors import ModelDefinitionError, ParameterError, ShapeError, unknown_name
from ..lifetable import LifeTable
from ..outcomes import SAMPLE

__all__ = [
    "Curve",
    "HazardRatio",
    "StepSurvival",
    "Piecewise",
    "Waning",
    "BackgroundMortality",
    "evaluate_survival",
    "always_valid",
    "as_draws",
    "n_draws",
    "parameter_names",
    "shared_evaluations",
]


@runtime_checkable
class Curve(Protocol):
    """What a survival curve offers: ``survival(t_years, draws=None) -> (n_samples, len(t))``."""

    def survival(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray: ...


def parameter_names(curve: object) -> tuple[str, ...]:
    """The names of the parameters a curve reads from the draws (empty if it does not say).

    Examples
    --------
    >>> class Fixed:
    ...     def survival(self, t, draws=None): return np.ones((1, len(t)))
    >>> parameter_names(HazardRatio(Fixed(), "hr_os"))
    ('hr_os',)
    """
    return tuple(getattr(curve, "parameter_names", ()))


def as_draws(draws: xr.Dataset | Mapping[str, object] | None, names: Sequence[str] | None = None) -> xr.Dataset | None:
    """Draws as an :class:`xarray.Dataset` with dimension ``sample``.

    A mapping of name to ``(n_samples,)`` arrays (such as the ``p`` a
    :class:`~healthecon.markov.MarkovModel` passes to its transition functions) is converted,
    keeping only ``names`` when given (the parameters a curve reads), so that curves, which
    read ``draws[name].values``, accept it.

    Examples
    --------
    >>> as_draws({"hr": np.array([0.7, 0.8]), "c": np.array([1.0, 2.0])}, ["hr"])["hr"].dims
    ('sample',)
    """
    if draws is None or isinstance(draws, xr.Dataset):
        return draws
    if not isinstance(draws, Mapping):
        raise ShapeError(f"draws: expected an xarray.Dataset or a mapping of parameter name to values, got {type(draws).__name__}")
    keys = list(draws) if names is None else list(names)
    data = {}
    for key in keys:
        if key not in draws:
            raise unknown_name("parameter", key, list(draws))
        data[key] = (SAMPLE, np.atleast_1d(as_float_array(draws[key], f"parameter {key!r}")))
    return xr.Dataset(data)


def n_draws(draws: xr.Dataset | None) -> int:
    """Number of samples in ``draws`` (1 without draws)."""
    return 1 if draws is None else int(draws.sizes.get(SAMPLE, 1))


def evaluate_survival(curve: object, times: object, draws: xr.Dataset | None = None, *, what: str = "curve", out: np.ndarray | None = None) -> np.ndarray:
    """``curve.survival(times, draws)`` checked: shape ``(n_samples, len(times))``, finite, in [0, 1].

    A result of shape ``(1, len(times))`` (a curve that does not vary by sample) is
    broadcast to every sample. Nothing is clipped: a value outside ``[0, 1]`` or not finite
    raises, naming ``what``, the sample and the time. A curve whose :func:`always_valid` is
    true cannot give such values, so they are not looked for. ``out``, a C-contiguous float
    array of shape ``(n_samples, len(times))``, receives the values (and is returned), so that
    a model can evaluate its curves into one buffer without a copy.

    Raises
    ------
    ModelDefinitionError
        If ``curve`` has no ``survival`` method or returns values outside ``[0, 1]``.
    ShapeError
        If the result does not have one row per sample and one column per time.

    Examples
    --------
    >>> class Linear:
    ...     def survival(self, t, draws=None): return 1 - 0.1 * np.asarray(t)[None, :]
    >>> evaluate_survival(Linear(), [0.0, 5.0])
    array([[1. , 0.5]])
    >>> evaluate_survival(Linear(), [0.0, 12.0], what="OS")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: OS: survival must be in [0, 1], got -0.2 in sample 0, at time 12 years
    """
    if not callable(getattr(curve, "survival", None)):
        raise ModelDefinitionError(f"{what}: expected a survival curve (an object with a survival(t, draws) method), got {type(curve).__name__}")
    t = np.atleast_1d(as_float_array(times, f"{what}: times"))
    n = n_draws(draws)
    if _SHARED.get() is not None and callable(getattr(curve, "cumulative_hazard", None)):
        values = _negative_cumulative_hazard(curve, t, draws, what, out)
        np.exp(values, out=values)  # S = exp(-H), in place
    else:
        values = np.asarray(curve.survival(t, draws), dtype=float)
    if values.ndim != 2 or values.shape[1] != t.size or values.shape[0] not in (1, n):
        raise ShapeError(f"{what}: survival() returned shape {values.shape}; expected ({n}, {t.size}) (samples x times) or (1, {t.size})")
    if not always_valid(curve) and not (values.min(initial=0.0) >= 0 and values.max(initial=0.0) <= 1):  # also NaN
        bad = ~((values >= 0) & (values <= 1))
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise ModelDefinitionError(f"{what}: survival must be in [0, 1], got {float(values[i, j]):.6g} in sample "
                                   f"{sample_number(draws, i)}, at time {t[j]:g} years")
    if out is not None and values is not out:
        out[...] = values
        return out
    return np.broadcast_to(values, (n, t.size)) if values.shape[0] != n else values


def always_valid(curve: object) -> bool:
    """Whether a curve's survival is in ``[0, 1]`` and non-increasing for every parameter value it accepts.

    True when the curve says so (its ``always_valid`` attribute): a cumulative hazard that is
    non-negative and non-decreasing by its formula, with parameters checked when read (a
    :class:`~healthecon.survival.ParametricCurve` of a closed-form family, a
    :class:`HazardRatio` of such a curve). Models then skip the per-sample checks of range and
    monotonicity for it; any other curve is checked.

    Examples
    --------
    >>> class Fixed:
    ...     def survival(self, t, draws=None): return np.ones((1, len(t)))
    >>> always_valid(Fixed()), always_valid(HazardRatio(Fixed(), 0.5))
    (False, False)
    """
    return getattr(curve, "always_valid", False) is True


_SHARED: ContextVar[dict | None] = ContextVar("healthecon_shared_curve_evaluations", default=None)


@contextmanager
def shared_evaluations() -> Iterator[None]:
    """Within this block a curve's cumulative hazard at the same times and draws is computed once.

    A model evaluating several curves built on one reference (a control curve, and a hazard
    ratio or waning applied to it) then evaluates the reference once; inside the block a curve
    with a ``cumulative_hazard`` method is evaluated as ``S = exp(-H)``. Results are the same
    numbers; only repeated work is saved. The cache lives until the block ends.

    Examples
    --------
    >>> class Counting:
    ...     calls = 0
    ...     def survival(self, t, draws=None): return np.exp(-self.cumulative_hazard(t, draws))
    ...     def cumulative_hazard(self, t, draws=None):
    ...         Counting.calls += 1
    ...         return 0.1 * np.asarray(t)[None, :]
    >>> control, t = Counting(), np.array([0.0, 1.0])
    >>> with shared_evaluations():
    ...     _ = evaluate_survival(control, t), evaluate_survival(HazardRatio(control, 0.7), t)
    >>> Counting.calls
    1
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _cumulative_hazard(curve: object, t: np.ndarray, draws: xr.Dataset | None, what: str) -> np.ndarray:
    """The curve's ``cumulative_hazard``, or ``-log S(t)`` (infinite where ``S = 0``); shared in :func:`shared_evaluations`."""
    method = getattr(curve, "cumulative_hazard", None)
    cache = _SHARED.get()
    key = (id(curve), t.dtype.str, t.tobytes(), id(draws))  # times by value: curves built on one reference ask for it at equal grids
    if cache is not None and key in cache:
        return cache[key][-1]
    if callable(method):
        values = np.asarray(method(t, draws), dtype=float)
    else:
        with np.errstate(divide="ignore"):
            values = -np.log(evaluate_survival(curve, t, draws, what=what))
    if cache is not None:
        cache[key] = (curve, draws, values)  # the objects are kept so that their ids stay theirs
    return values


def _negative_cumulative_hazard(curve: object, t: np.ndarray, draws: xr.Dataset | None, what: str, out: np.ndarray | None) -> np.ndarray:
    """``-H(t)`` as a new array (into ``out`` when given); a hazard ratio's as ``(-HR) * H_ref`` in one pass."""
    reference = getattr(curve, "reference", None)
    if isinstance(curve, HazardRatio) and callable(getattr(reference, "cumulative_hazard", None)):
        values, ratio = _cumulative_hazard(reference, t, draws, "reference curve"), -curve._ratio(draws)  # -(HR H) = (-HR) H, bit for bit
    else:
        values, ratio = _cumulative_hazard(curve, t, draws, what), None
    if out is not None and not _broadcasts_to(out.shape, np.shape(values), np.shape(ratio)):
        out = None  # a curve of the wrong shape: evaluate_survival reports it
    return np.negative(values, out=out) if ratio is None else np.multiply(values, ratio, out=out)


def _broadcasts_to(shape: tuple[int, ...], *shapes: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, *shapes) == shape
    except ValueError:
        return False


def _hazard(curve: object, t: np.ndarray, draws: xr.Dataset | None, what: str) -> np.ndarray:
    method = getattr(curve, "hazard", None)
    if not callable(method):
        raise ModelDefinitionError(f"{what}: {type(curve).__name__} has no hazard() method, so this curve's hazard is not defined")
    return np.asarray(method(t, draws), dtype=float)


def _per_sample(value: float | str, draws: xr.Dataset | None, what: str) -> float | np.ndarray:
    """A number, or a parameter's draws as a column ``(n, 1)`` to broadcast over times."""
    if isinstance(value, str):
        if draws is None:
            raise ParameterError(f"{what} is the parameter {value!r}, but no draws were given")
        if value not in draws.data_vars:
            raise unknown_name("parameter", value, list(draws.data_vars))
        values = np.asarray(draws[value].values, dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            raise ParameterError(f"{what} (parameter {value!r}): expected finite numbers, got {float(values[i])!r} in sample {sample_number(draws, i)}")
        return values[:, None]
    return float(require_finite(value, what))


def _one_number(value: object, what: str, expected: str, named: bool = True) -> float:
    """``value`` as one finite float; an array (per-sample values belong in the draws, named where
    ``named``) or anything else raises naming ``what``."""
    number = one_number(value)
    if number is None:
        alternative = " or the name of a parameter in the draws" if named else ""
        raise ParameterError(f"{what}: expected one number ({expected}){alternative}, got {value!r}")
    return float(require_finite(number, what))


def _check_curve(curve: object, what: str) -> object:
    if not callable(getattr(curve, "survival", None)):
        raise ModelDefinitionError(f"{what}: expected a survival curve (an object with a survival(t, draws) method), got {type(curve).__name__}")
    return curve


def _describe(value: float | str) -> str:
    return repr(value) if isinstance(value, str) else f"{value:g}"


def _times(t: object) -> np.ndarray:
    arr = np.atleast_1d(require_finite(t, "times"))
    if arr.ndim != 1 or (arr < 0).any():
        raise ParameterError(f"times: expected a 1-D array of years >= 0, got {t!r}")
    return arr


def _names(*parts: object) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for part in parts:
        if isinstance(part, str):
            out[part] = None
        elif part is not None and not isinstance(part, (int, float)):
            out.update(dict.fromkeys(parameter_names(part)))
    return tuple(out)


class HazardRatio:
    """A reference curve under proportional hazards: ``h(t) = HR h_ref(t)``, ``S(t) = S_ref(t) ** HR``.

    Parameters
    ----------
    reference
        The reference (e.g. control-arm) curve.
    hr
        The hazard ratio (> 0), a number or the name of a parameter in the draws.

    Examples
    --------
    >>> import numpy as np
    >>> class Exponential:
    ...     def survival(self, t, draws=None): return np.exp(-0.1 * np.asarray(t))[None, :]
    ...     def hazard(self, t, draws=None): return np.full((1, len(t)), 0.1)
    >>> curve = HazardRatio(Exponential(), 0.6)
    >>> curve.survival([0.0, 10.0]).round(4), curve.hazard([1.0]).round(3)
    (array([[1.    , 0.5488]]), array([[0.06]]))
    """

    def __init__(self, reference: object, hr: float | str) -> None:
        self.reference = _check_curve(reference, "HazardRatio reference")
        self.hr = hr if isinstance(hr, str) else _one_number(hr, "hazard ratio", "a number > 0")
        if not isinstance(hr, str) and not self.hr > 0:
            raise ParameterError(f"hazard ratio: expected a number > 0 or a parameter name, got {hr!r}")

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return _names(self.reference, self.hr)

    @property
    def always_valid(self) -> bool:
        """As the reference curve: ``HR H_ref`` with ``HR > 0`` (checked when read) keeps ``H`` non-negative and non-decreasing."""
        return always_valid(self.reference)

    def _ratio(self, draws: xr.Dataset | None) -> float | np.ndarray:
        hr = _per_sample(self.hr, draws, "hazard ratio")
        bad = np.ravel(~(np.asarray(hr) > 0))
        if bad.any():
            i = int(np.argmax(bad))
            raise ParameterError(f"hazard ratio {self.hr!r}: expected values > 0, got {float(np.ravel(hr)[i]):g} in sample {sample_number(draws, i)}")
        return hr

    def survival(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        if callable(getattr(self.reference, "cumulative_hazard", None)):  # exp(-HR H): faster than a power
            return np.exp(-self.cumulative_hazard(t, draws))
        return np.power(evaluate_survival(self.reference, t, draws, what="reference curve"), self._ratio(draws))

    def cumulative_hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        return self._ratio(draws) * _cumulative_hazard(self.reference, t, draws, "reference curve")

    def hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        return self._ratio(draws) * _hazard(self.reference, t, draws, "reference curve")

    def __repr__(self) -> str:
        return f"HazardRatio({self.reference!r}, hr={_describe(self.hr)})"


class StepSurvival:
    """A survival curve given as a right-continuous step function, e.g. a Kaplan-Meier estimate.

    ``S(t)`` is the survival at the last tabulated time at or before ``t`` (1 before the
    first). Use it for a Kaplan-Meier table (lifelines' ``survival_function_``, a published
    or digitised curve) as the first piece of a :class:`Piecewise` curve. It is defined up to
    its last time; later times raise, since the data say nothing there.

    Parameters
    ----------
    times
        Event times in years, increasing (a time 0 may be included).
    survival
        Survival just after each time, in [0, 1] and non-increasing.
    name
        A label for messages and plots.

    Examples
    --------
    >>> km = StepSurvival([0.5, 1.0, 2.0], [0.9, 0.8, 0.6], name="KM, control")
    >>> km.survival([0.0, 0.5, 1.5, 2.0])
    array([[1. , 0.9, 0.8, 0.6]])
    >>> km.survival([2.5])
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: KM, control: time 2.5 years is after the last time in the table (2 years)
    """

    parameter_names: tuple[str, ...] = ()

    def __init__(self, times: Sequence[float], survival: Sequence[float], *, name: str = "step curve") -> None:
        self.name = name
        t = require_finite(times, f"{name}: times")
        s = require_finite(survival, f"{name}: survival")
        if t.ndim != 1 or t.shape != s.shape or t.size == 0:
            raise ShapeError(f"{name}: expected times and survival as 1-D arrays of the same length, got shapes {t.shape} and {s.shape}")
        if (t < 0).any() or (np.diff(t) <= 0).any():
            raise ParameterError(f"{name}: times must be >= 0 and strictly increasing")
        if ((s < 0) | (s > 1)).any() or (np.diff(s) > 0).any():
            raise ParameterError(f"{name}: survival must be in [0, 1] and non-increasing")
        self.times, self.values = t, s

    @classmethod
    def from_frame(cls, frame: object, *, time: str = "time", survival: str = "survival", name: str = "Kaplan-Meier") -> StepSurvival:
        """From a table with ``time`` and ``survival`` columns, such as :func:`healthecon.survival.kaplan_meier` returns.

        Examples
        --------
        >>> from healthecon.survival import kaplan_meier
        >>> km = StepSurvival.from_frame(kaplan_meier([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 1]))
        >>> km.survival([0.5, 1.0, 3.5])
        array([[1.   , 0.75 , 0.375]])
        """
        for column in (time, survival):
            if column not in getattr(frame, "columns", ()):
                raise unknown_name("column", column, list(getattr(frame, "columns", ())))
        return cls(np.asarray(frame[time], dtype=float), np.asarray(frame[survival], dtype=float), name=name)

    def survival(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        if (t > self.times[-1]).any():
            raise ParameterError(f"{self.name}: time {float(t[t > self.times[-1]][0]):g} years is after the last time in the table ({self.times[-1]:g} years)")
        index = np.searchsorted(self.times, t, side="right") - 1
        return np.where(index >= 0, self.values[np.maximum(index, 0)], 1.0)[None, :]

    def cumulative_hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return -np.log(self.survival(t, draws))

    def __repr__(self) -> str:
        return f"StepSurvival({self.name!r}, {self.times.size} steps to {self.times[-1]:g} years)"


class Piecewise:
    """One curve up to a cut point, then another conditional on survival at the cut.

    ``S(t) = S_before(t)`` for ``t <= cut`` and ``S_before(cut) * S_after(t) / S_after(cut)``
    after it: the usual "Kaplan-Meier to the cut, then the parametric tail" of NICE DSU TSD 14
    (Latimer 2011, section 3.2), also heemod's ``join()``. The hazard after the cut is the
    second curve's.

    Parameters
    ----------
    before, after
        The curves (``before`` is often a :class:`StepSurvival` Kaplan-Meier table).
    cut
        The cut point in years (> 0).

    Raises
    ------
    ParameterError
        When evaluated, if ``after`` is 0 at the cut (nothing to condition on).

    Examples
    --------
    >>> import numpy as np
    >>> class Exponential:
    ...     def survival(self, t, draws=None): return np.exp(-0.2 * np.asarray(t))[None, :]
    >>> km = StepSurvival([0.5, 1.0, 1.5, 2.0], [0.95, 0.85, 0.8, 0.7])
    >>> curve = Piecewise(km, Exponential(), cut=2.0)
    >>> curve.survival([1.0, 2.0, 3.0]).round(4)          # 0.7 * exp(-0.2)
    array([[0.85  , 0.7   , 0.5731]])
    """

    def __init__(self, before: object, after: object, cut: float) -> None:
        self.before = _check_curve(before, "Piecewise before the cut")
        self.after = _check_curve(after, "Piecewise after the cut")
        cut = float(require_finite(cut, "cut point"))
        if cut <= 0:
            raise ParameterError(f"cut point: expected a time in years > 0, got {cut:g}")
        self.cut = cut

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return _names(self.before, self.after)

    def survival(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        early, late = t <= self.cut, t > self.cut
        n = n_draws(draws)
        out = np.empty((n, t.size))
        if early.any() or late.any():
            both = np.concatenate([t[early], [self.cut]])
            head = evaluate_survival(self.before, both, draws, what="curve before the cut")
            out[:, early] = head[:, :-1]
        if late.any():
            tail = evaluate_survival(self.after, np.concatenate([[self.cut], t[late]]), draws, what="curve after the cut")
            at_cut = tail[:, :1]
            if (at_cut <= 0).any():
                raise ParameterError(f"Piecewise: the curve after the cut is 0 at the cut ({self.cut:g} years) in sample {int(np.argmax(at_cut[:, 0] <= 0))}; nothing to condition on")
            out[:, late] = head[:, -1:] * tail[:, 1:] / at_cut
        return out

    def hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        early = t <= self.cut
        before = np.asarray(_hazard(self.before, t[early], draws, "curve before the cut")) if early.any() else np.zeros((1, 0))
        after = np.asarray(_hazard(self.after, t[~early], draws, "curve after the cut")) if (~early).any() else np.zeros((1, 0))
        n = max(before.shape[0], after.shape[0])
        out = np.empty((n, t.size))
        out[:, early], out[:, ~early] = before, after
        return out

    def cumulative_hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return -np.log(self.survival(t, draws))

    def __repr__(self) -> str:
        return f"Piecewise({self.before!r} to {self.cut:g} years, then {self.after!r})"


# Gauss-Legendre nodes and weights on [0, 1] for the integrals of cumulative hazards in Waning,
# over panels of at most a month
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)
_GL_NODES, _GL_WEIGHTS = (_GL_NODES + 1) / 2, _GL_WEIGHTS / 2
_PANELS_PER_YEAR = 12
# a curve inside BackgroundMortality may lower its cumulative hazard by rounding only
_FALL_TOLERANCE = 1e-12


class Waning:
    """Treatment-effect waning: the hazard moves linearly from the treated curve's to the reference's.

    With ``w(t) = 0`` before ``start``, ``(t - start) / (end - start)`` during the waning period
    and 1 after ``end``, the hazard is ``h(t) = (1 - w(t)) h_treated(t) + w(t) h_reference(t)``
    (the linear waning of NICE DSU TSD 14 scenario analyses and of many NICE appraisals; with
    ``start == end`` the effect stops at once). Integrating by parts, the cumulative hazard
    during the period is ``(1 - w) H_t(t) + w H_r(t) + (1 / (end - start)) * integral from start
    to t of (H_t - H_r)``, and after it ``H_r(t)`` plus that integral's value at ``end``
    divided by the period. The integral is composite Gauss-Legendre quadrature: the period is
    cut into equal panels of at most a month, fixed by ``start`` and ``end`` alone, each
    integrated with 8 points, and a time inside a panel adds the part of its panel up to it
    (8 points again), so the result at ``t`` does not depend on the other times asked for.
    Short panels keep it accurate where the curves are only piecewise smooth (a spline's
    knots; a single 20-point rule over the whole period was off by about 1e-9 there). Only
    ``survival`` of the two curves is needed (``H = -log S``).

    Parameters
    ----------
    treated, reference
        The curve with the treatment effect and the one without (e.g. :class:`HazardRatio` of
        the reference, and the reference).
    start, end
        Years at which waning starts and is complete (``0 <= start <= end``).

    Examples
    --------
    Exponential curves with hazards 0.1 (treated) and 0.2 (reference), waning from year 2 to
    year 4: the cumulative hazard at year 4 is ``0.2 + (0.1 + 0.2) / 2 * 2`` = 0.5:

    >>> import numpy as np
    >>> class Exponential:
    ...     def __init__(self, rate): self.rate = rate
    ...     def survival(self, t, draws=None): return np.exp(-self.rate * np.asarray(t))[None, :]
    >>> curve = Waning(Exponential(0.1), Exponential(0.2), start=2, end=4)
    >>> curve.cumulative_hazard([2.0, 4.0, 6.0]).round(6)
    array([[0.2, 0.5, 0.9]])
    """

    def __init__(self, treated: object, reference: object, start: float, end: float) -> None:
        self.treated = _check_curve(treated, "Waning treated curve")
        self.reference = _check_curve(reference, "Waning reference curve")
        start, end = _one_number(start, "waning start", "years", named=False), _one_number(end, "waning end", "years", named=False)
        if not 0 <= start <= end:
            raise ParameterError(f"waning period: expected 0 <= start <= end (years), got start {start:g}, end {end:g}")
        self.start, self.end = start, end

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return _names(self.treated, self.reference)

    def cumulative_hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        a, e = self.start, self.end
        n = n_draws(draws)
        during = (t > a) & (t <= e)
        after = t > e
        # the integral from the start: whole panels (fixed by start and end alone) and, for a time
        # inside a panel, the part of its panel up to it
        panels = max(1, math.ceil(round((e - a) * _PANELS_PER_YEAR, 9)))
        width = (e - a) / panels
        position = np.round((t[during] - a) / width, 9) if e > a else np.zeros(0)
        whole = np.minimum(np.floor(position).astype(int), panels)  # whole panels before each time in the period
        inside = position > whole
        needed = panels if after.any() and e > a else int(whole.max(initial=0))
        starts = a + np.arange(needed) * width
        lower = a + whole[inside] * width
        nodes = np.concatenate([(starts[:, None] + width * _GL_NODES).ravel(), (lower[:, None] + (t[during][inside] - lower)[:, None] * _GL_NODES).ravel()])
        grid = np.concatenate([t, nodes, [a]])
        h_t = _cumulative_hazard(self.treated, grid, draws, "treated curve")
        h_r = _cumulative_hazard(self.reference, grid, draws, "reference curve")
        h_t, h_r = np.broadcast_to(h_t, (n, grid.size)), np.broadcast_to(h_r, (n, grid.size))
        k, m = t.size, _GL_NODES.size
        with np.errstate(invalid="ignore"):  # inf - inf where a curve has reached survival 0: set below
            diff = (h_t[:, k:-1] - h_r[:, k:-1]).reshape(n, needed + int(inside.sum()), m)
            by_panel = np.empty((n, needed + 1))
            by_panel[:, 0] = 0.0
            # weighted sums as products and sums (not a BLAS product, whose last bits depend on how many samples share it)
            np.cumsum((diff[:, :needed] * _GL_WEIGHTS).sum(axis=2) * width, axis=1, out=by_panel[:, 1:])  # integral to each panel's end
            integral = by_panel[:, whole]
            integral[:, inside] += (diff[:, needed:] * _GL_WEIGHTS).sum(axis=2) * (t[during][inside] - lower)
            out = np.array(h_t[:, :k])  # before the period: the treated curve
            if during.any():
                w = (t[during] - a) / (e - a)
                cols = _columns(during)
                out[:, cols] = (1 - w) * h_t[:, :k][:, cols] + w * h_r[:, :k][:, cols] + integral / (e - a)
            if after.any():
                carried = by_panel[:, -1:] / (e - a) if e > a else h_t[:, -1:] - h_r[:, -1:]
                cols = _columns(after)
                out[:, cols] = h_r[:, :k][:, cols] + carried
        # once a curve the hazard mixes (the treated always, the reference after the start) has reached
        # survival 0, so has the result: its cumulative hazard is infinite (not NaN)
        if out.size and not out.max() < np.inf:  # one reduction to find an infinite or NaN value
            ended = np.isposinf(h_t[:, :k]) | (np.isposinf(h_r[:, :k]) & (t > a))
            out[ended] = np.inf
        return out

    def survival(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        return np.exp(-self.cumulative_hazard(t, draws))

    def hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        span = self.end - self.start
        w = np.clip((t - self.start) / span, 0, 1) if span > 0 else (t > self.start).astype(float)
        return (1 - w) * _hazard(self.treated, t, draws, "treated curve") + w * _hazard(self.reference, t, draws, "reference curve")

    def __repr__(self) -> str:
        return f"Waning({self.treated!r} to {self.reference!r} between {self.start:g} and {self.end:g} years)"


class BackgroundMortality:
    """A curve whose hazard is never below general-population mortality from a life table.

    Over each step of ``step`` years from time 0 the cumulative hazard is the larger of the
    curve's and the life table's over that step::

        H(t) = sum over steps of max(dH_curve, dH_population)   (the last step partial)

    so the probability of death in a step is at least the general-population probability, as
    analysts apply it per model cycle (NICE DSU TSD 14, Latimer 2011, section 3.5; with
    ``step`` equal to the cycle length and times on the cycle grid this is exactly the
    per-cycle rule ``p = max(p_curve, p_population)``). As ``step`` shrinks it tends to the
    continuous rule ``h(t) = max(h_curve(t), h_population(t))``. The population's cumulative
    hazard is the exact integral of the life table's piecewise-constant rates (Briggs et al.
    2006, ch. 3) from ``start_age``. The result at ``t`` depends only on ``t`` (the step grid is
    fixed from time 0).

    Parameters
    ----------
    curve
        The disease-specific curve (e.g. fitted overall survival).
    life_table
        A :class:`~healthecon.lifetable.LifeTable`; ages past its last row raise unless the
        table was built with ``extend_last=True``. A row whose probability of death is 1 (as
        tables often close, at 100 or 101) is an infinite rate: survival is 0 from the end of
        the first step that reaches that age.
    start_age
        Age at time 0: a number or the name of a parameter in the draws.
    step
        Years per step (default one month, 1/12).

    Examples
    --------
    A curve with no deaths at all, and a life table with a rate of 0.1 a year: the result is
    the life table's survival, ``exp(-0.1 t)``:

    >>> import numpy as np
    >>> from healthecon.lifetable import LifeTable
    >>> class NoDeaths:
    ...     def survival(self, t, draws=None): return np.ones((1, len(t)))
    >>> table = LifeTable([60, 70], [0.1, 0.1], kind="rate", extend_last=True)
    >>> BackgroundMortality(NoDeaths(), table, start_age=60).survival([0.0, 1.0, 10.0]).round(4)
    array([[1.    , 0.9048, 0.3679]])
    """

    def __init__(self, curve: object, life_table: LifeTable, start_age: float | str, *, step: float = 1 / 12) -> None:
        self.curve = _check_curve(curve, "BackgroundMortality curve")
        if not isinstance(life_table, LifeTable):
            raise ModelDefinitionError(f"life_table: expected a healthecon LifeTable, got {type(life_table).__name__}")
        self.life_table = life_table
        self.start_age = start_age if isinstance(start_age, str) else _one_number(start_age, "start_age", "years")
        step = float(require_finite(step, "step"))
        if step <= 0:
            raise ParameterError(f"step: expected years > 0 (1/12 for monthly), got {step:g}")
        self.step = step

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return _names(self.curve, self.start_age)

    def population_cumulative_hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        """General-population cumulative hazard from ``start_age`` to ``start_age + t``, shape ``(n or 1, len(t))``."""
        t = _times(t)
        age0 = np.atleast_2d(_per_sample(self.start_age, draws, "start_age"))
        table = self.life_table
        ages = age0 + t[None, :]
        # raises for ages outside the table; the integral to an age needs the rates below it only, so a
        # table covering [60, 80) serves a horizon ending at 80
        table.rate(np.concatenate([age0, np.where(ages > age0, np.nextafter(ages, -np.inf), ages)], axis=1))
        return _integrated_rate(table, ages) - _integrated_rate(table, age0)

    def cumulative_hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        n = n_draws(draws)
        steps_in = np.round(t / self.step, 9)
        count = np.floor(steps_in).astype(int)  # whole steps before t
        between = steps_in > count  # t inside a step (a time on the step grid, to 1e-9 steps, is taken as on it)
        grid = np.arange(count.max() + 1) * self.step
        both = np.concatenate([grid, t[between]])  # the grid, and only the times off it
        curve = _cumulative_hazard(self.curve, both, draws, "curve")  # (n or 1, times): one row when it reads no draws
        population = self.population_cumulative_hazard(both, draws)
        g = grid.size
        steps = _increments(curve[:, 1:g], curve[:, : g - 1])
        if not always_valid(self.curve):
            self._check_curve(curve, steps, grid, draws)
        steps = np.maximum(steps, _increments(population[:, 1:g], population[:, : g - 1]), out=steps if steps.shape[0] == n else None)
        at_grid = np.empty((n, g))
        at_grid[:, 0] = 0.0
        np.cumsum(np.broadcast_to(steps, (n, g - 1)), axis=1, out=at_grid[:, 1:])
        out = at_grid if g == t.size and not between.any() and (count == np.arange(g)).all() else at_grid[:, count]
        if between.any():
            before = count[between]
            out[:, between] += np.maximum(_increments(curve[:, g:], curve[:, before]), _increments(population[:, g:], population[:, before]))
        return out

    @property
    def always_valid(self) -> bool:
        """As the curve: each step adds the larger of two increments, the population's never below 0."""
        return always_valid(self.curve)

    def _check_curve(self, curve: np.ndarray, steps: np.ndarray, grid: np.ndarray, draws: xr.Dataset | None) -> None:
        """Raise if the curve inside is not a survival curve on the step grid: the floor would hide
        it (a step whose hazard falls takes the population's), so it is checked here."""
        start = curve[:, 0]
        if not (np.abs(start) <= _FALL_TOLERANCE).all():
            i = int(np.argmax(~(np.abs(start) <= _FALL_TOLERANCE)))
            raise ModelDefinitionError(f"BackgroundMortality: the curve inside has survival {math.exp(-float(start[i])):.6g} at "
                                       f"time 0 in sample {sample_number(draws, i)}; a survival curve starts at 1")
        if steps.size and steps.min() >= -_FALL_TOLERANCE:  # one reduction in the usual case (NaN fails it)
            return
        falls = ~(steps >= -_FALL_TOLERANCE)  # NaN too
        if falls.any():
            i, j = (int(x) for x in np.argwhere(falls)[0])
            a, b = float(curve[i, j]), float(curve[i, j + 1])
            raise ModelDefinitionError(
                f"BackgroundMortality: the curve inside goes from survival {math.exp(-a):.6g} to {math.exp(-b):.6g} between "
                f"{grid[j]:g} and {grid[j + 1]:g} years in sample {sample_number(draws, i)}: a survival curve cannot "
                "increase (nor be NaN), and the floor of general-population mortality would hide it")

    def survival(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        return np.exp(-self.cumulative_hazard(t, draws))

    def hazard(self, t: object, draws: xr.Dataset | None = None) -> np.ndarray:
        t = _times(t)
        age0 = np.atleast_2d(_per_sample(self.start_age, draws, "start_age"))
        return np.maximum(_hazard(self.curve, t, draws, "curve"), np.asarray(self.life_table.rate(age0 + t[None, :])))

    def __repr__(self) -> str:
        return f"BackgroundMortality({self.curve!r}, {self.life_table.name!r} from age {_describe(self.start_age)}, step {self.step:g} years)"


def _columns(mask: np.ndarray) -> slice | np.ndarray:
    """The columns where ``mask`` is true: a slice when they are consecutive (sorted times), for views instead of copies."""
    where = np.flatnonzero(mask)
    return slice(int(where[0]), int(where[-1]) + 1) if where.size and where[-1] - where[0] + 1 == where.size else mask


def _increments(end: np.ndarray, start: np.ndarray) -> np.ndarray:
    """``end - start`` for points of a cumulative hazard: +inf where it has become infinite.

    A life table whose last age has a death probability of 1 (and a curve that reaches
    survival 0) has an infinite cumulative hazard from then on; its increments are +inf
    (everyone has died), not ``inf - inf``, which is NaN.
    """
    with np.errstate(invalid="ignore"):
        out = np.subtract(end, start)
    if end.size and not end.max() < np.inf:  # an infinite (or NaN) point: one reduction to find out
        out[np.isposinf(end) & np.isnan(out)] = np.inf
    return out


def _integrated_rate(table: LifeTable, ages: np.ndarray) -> np.ndarray:
    """Integral of the table's piecewise-constant mortality rate from its first age to ``ages``."""
    starts, rates = table.ages, table.rates
    with np.errstate(invalid="ignore"):
        band = np.where(np.isinf(rates[:-1]), np.inf, rates[:-1] * np.diff(starts))
    at_start = np.concatenate([[0.0], np.cumsum(band)])
    row = np.searchsorted(starts, ages, side="right") - 1
    into = ages - starts[row]
    with np.errstate(invalid="ignore"):
        return at_start[row] + np.where(into > 0, rates[row] * into, 0.0)
