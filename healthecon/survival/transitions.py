"""Time-dependent transition probabilities from survival curves, for state-transition models.

The probability of the event in a cycle from ``t - L`` to ``t``, given no event by ``t - L``,
is one minus the conditional survival over the cycle (Briggs, Claxton & Sculpher 2006,
section 3.3.3; NICE DSU TSD 14, Latimer 2011)::

    p(t) = 1 - S(t) / S(t - L)

evaluated for every sample at once. Use :func:`transition_probability` inside a
:class:`~healthecon.markov.MarkovModel` transition function that takes ``time`` (the model
calls such a function once per cycle, or once per block of cycles, never per sample), so the curves fitted for a
partitioned survival model also drive a Markov model; or :func:`cycle_probabilities` for the
whole table ``(samples, cycles)`` at once. Once a curve has reached 0 nobody is left to have
the event and the ratio is undefined; the probability is then taken as 1 (the limit for any
curve whose hazard stays positive) and has no effect on a cohort already empty.

Examples
--------
Overall survival drives death from a Markov model's ``alive`` state, monthly cycles:

>>> import numpy as np
>>> from healthecon.markov import C, MarkovModel
>>> from healthecon.survival import ParametricCurve
>>> os_curve = ParametricCurve("exponential", rate="os_rate")
>>> def transitions(p, strategy, time):
...     return {"alive": {"alive": C, "dead": transition_probability(os_curve, p, time, 1 / 12)},
...             "dead": {"dead": 1}}
>>> model = MarkovModel(["alive", "dead"], ["usual care"], transitions, start="alive",
...                     n_cycles=24, cycle_length=1 / 12, correction="end", discount_effects=0,
...                     state_rewards={"ly": {"alive": 1}})
>>> out = model.run({"os_rate": np.array([0.2, 0.4])}, trace=True)
>>> out["trace"].sel(state="alive", cycle=24).values.round(4).tolist()     # exp(-2 x rate)
[[0.6703], [0.4493]]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from .._validate import require_finite
from ..errors import ParameterError, TransitionError
from ..markov import Time
from .transforms import as_draws, evaluate_survival, parameter_names

__all__ = ["cycle_probabilities", "transition_probability"]


def cycle_probabilities(
    curve: object,
    draws: xr.Dataset | Mapping[str, object] | None,
    n_cycles: int,
    cycle_length: float,
    *,
    start: float = 0.0,
) -> np.ndarray:
    """Event probability in each of ``n_cycles`` cycles of ``cycle_length`` years, from ``start``.

    Parameters
    ----------
    curve
        Any survival curve (``survival(t, draws)``).
    draws
        Parameter draws (a Dataset, or a mapping of name to one value per sample), or None.
    n_cycles, cycle_length
        Number of cycles and years per cycle.
    start
        Curve time (years) at the start of the first cycle (e.g. time since randomisation
        when the model starts later).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples, n_cycles)`` (one row when the curve does not vary by sample):
        ``1 - S(start + k L) / S(start + (k - 1) L)`` for cycle ``k = 1..n_cycles``.

    Raises
    ------
    TransitionError
        If the curve increases over a cycle (a negative probability), naming the cycle and sample.

    Examples
    --------
    >>> from healthecon.survival import ParametricCurve
    >>> weibull = ParametricCurve("weibullPH", shape=1.5, scale=0.1)
    >>> cycle_probabilities(weibull, None, 3, 1.0).round(4)     # 1 - exp(-0.1 (t^1.5 - (t-1)^1.5))
    array([[0.0952, 0.1671, 0.2108]])
    """
    if int(n_cycles) != n_cycles or n_cycles < 1:
        raise ParameterError(f"n_cycles: expected a whole number >= 1, got {n_cycles!r}")
    length = float(require_finite(cycle_length, "cycle_length"))
    first = float(require_finite(start, "start"))
    _check_times(length, first)
    times = first + np.round(np.arange(int(n_cycles) + 1) * length, 12)
    survival = evaluate_survival(curve, times, as_draws(draws, _names(curve, draws)), what="curve")
    return _event_probabilities(survival[:, :-1], survival[:, 1:], times[:-1], times[1:], np.arange(1, int(n_cycles) + 1))


def transition_probability(
    curve: object,
    p: xr.Dataset | Mapping[str, object] | None,
    time: Time | float,
    cycle_length: float,
) -> np.ndarray | float:
    """Event probability over one model cycle, for use in a Markov transition function.

    Parameters
    ----------
    curve
        Any survival curve.
    p
        The draws the transition function receives (its ``p``), or a Dataset, or None.
    time
        The function's ``time`` (:class:`~healthecon.markov.Time`; its ``years``, the model
        time at the start of the cycle, is used), or a number of years. When the model calls
        the function for a block of cycles, ``time.years`` is a column, one row per cycle.
    cycle_length
        The model's cycle length in years.

    Returns
    -------
    numpy.ndarray or float
        ``1 - S(years + L) / S(years)``, one value per sample (a float when the curve does not
        vary by sample); for a block of cycles, shape ``(cycles, n_samples or 1)``, a row per
        cycle, the same numbers as cycle by cycle.

    Examples
    --------
    >>> from healthecon.survival import ParametricCurve
    >>> round(transition_probability(ParametricCurve("exponential", rate=0.1), None, 2.0, 1.0), 6)
    0.095163
    """
    years = time.years if isinstance(time, Time) else float(require_finite(time, "time"))
    if not isinstance(years, np.ndarray):
        value = cycle_probabilities(curve, p, 1, cycle_length, start=years)[:, 0]
        return float(value[0]) if value.size == 1 else value
    # a block of cycles: the curve at every start and end in one call, each cycle's end as
    # cycle_probabilities makes it for one cycle (start + L, L rounded to 12 decimals)
    length = float(require_finite(cycle_length, "cycle_length"))
    starts = require_finite(years, "time.years").reshape(-1)
    _check_times(length, float(starts.min()))
    ends = starts + np.round(length, 12)
    survival = evaluate_survival(curve, np.concatenate([starts, ends]), as_draws(p, _names(curve, p)), what="curve")
    value = _event_probabilities(survival[:, : starts.size], survival[:, starts.size:], starts, ends, np.ravel(time.cycle))
    return np.ascontiguousarray(value.T)


def _check_times(length: float, earliest: float) -> None:
    """Refuse a cycle length <= 0 or curve times before 0 (``earliest``, the first start)."""
    if length <= 0 or earliest < 0:
        raise ParameterError(f"cycle_length must be > 0 and start >= 0 (years), got {length:g} and {earliest:g}")


def _event_probabilities(before: np.ndarray, after: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                         cycles: np.ndarray) -> np.ndarray:
    """``1 - after / before`` (1 once the curve has reached 0) from survival at each cycle's start
    and end, ``(samples, cycles)``; a curve that rises over a cycle raises, naming the cycle."""
    up = after > before
    if up.any():
        i, k = (int(x) for x in np.argwhere(up)[0])
        raise TransitionError(f"curve increases over cycle {int(cycles[k])} ({starts[k]:g} to {ends[k]:g} years) in sample {i}: "
                              f"S goes from {float(before[i, k]):.6g} to {float(after[i, k]):.6g}, a negative probability")
    return 1.0 - np.divide(after, before, out=np.zeros_like(after), where=before > 0)


def _names(curve: object, draws: object) -> list[str] | None:
    """The parameters a curve reads, to convert only those from a mapping of draws."""
    names = parameter_names(curve)
    if not names or draws is None or isinstance(draws, xr.Dataset):
        return None
    return list(names)
