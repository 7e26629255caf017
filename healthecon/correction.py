"""Within-cycle correction: how a cohort trace is turned into rewards (costs, QALYs, life-years).

A Markov cohort trace gives state membership only at the trace points ``t = 0, 1, ..., T``
(cycle ``t`` covers model time ``((t-1)L, tL]`` for a cycle length of ``L`` years), but people
move between states at any time within a cycle. A *within-cycle correction* is the rule that
approximates the integral of a reward over continuous time from those points (Briggs,
Claxton & Sculpher 2006, section 2.3.2; Elbasha & Chhatwal, "Theoretical foundations and
practical applications of within-cycle correction methods", *Medical Decision Making*
2016;36(1):115-131).

Every method here is written as weights on the trace points. Cycle ``t`` (``1..T``) with
per-cycle reward value ``v_t`` (already multiplied by the cycle length) contributes::

    v_t * ( a_t * m_{t-1} * D((t-1)L)  +  b_t * m_t * D(tL) )

where ``m_t`` is the state membership at point ``t`` and ``D`` the discount factor at that
time (:func:`healthecon.discount.discount_factors`, ``D(s) = (1 + r) ** -s``). So **every
method discounts a membership at the time of its own trace point**: the start of the cycle for
``m_{t-1}``, the end for ``m_t``. The methods differ in the weights ``(a_t, b_t)``:

``"end"`` (alias ``"none"``) -- end-of-cycle membership, no correction:
    ``a_t = 0, b_t = 1``: ``sum_{t=1..T} v_t m_t D(tL)``. Everyone alive at the end of a cycle is
    credited with the whole cycle. This is the convention of Briggs et al. (2006) exercise 2.5
    (the Chancellor HIV model: 20 cycles counted from the first *end* of cycle, costs
    discounted by ``1.06 ** -t``), of heemod's ``method = "end"`` (heemod 0.14 and later;
    ``"beginning"`` before 0.14, whose NEWS records that the two names were swapped), and of
    hesim's ``integrate_method = "riemann_right"``. With discounting, heemod's
    ``discount(..., first = TRUE)`` gives the same totals for annual cycles only: heemod
    discounts by cycle number (or whole years with ``period``), healthecon by model time (see
    :mod:`healthecon.conventions` for ``discount_method="whole-years"``).

``"beginning"`` -- start-of-cycle membership:
    ``a_t = 1, b_t = 0``: ``sum_{t=1..T} v_t m_{t-1} D((t-1)L)``. Overestimates time alive.
    Matches heemod's ``method = "beginning"`` (0.14 and later; ``"end"`` before) with its
    default ``discount(..., first = FALSE)`` (cycle 1 undiscounted) for annual cycles, and
    hesim's ``"riemann_left"``.

``"half-cycle"`` -- TreeAge's half-cycle correction:
    point weights ``(1/2, 1, ..., 1, 1/2)`` on ``m_0 .. m_T``, each discounted at its own time,
    with point ``t`` valued at cycle ``t``'s value (point 0 at cycle 1's):
    ``a_1 = 1/2``, ``a_t = 0`` for ``t > 1``, ``b_t = 1`` for ``t < T``, ``b_T = 1/2``. TreeAge
    Pro accrues rewards at stages ``0..T`` and its half-cycle option halves the stage-0 reward
    and (for a model stopped before everyone is absorbed) the final stage's reward, i.e. these
    point weights (from TreeAge's documentation of the option; not checked here against
    TreeAge output). It is exactly darthtools' ``gen_wcc(method = "half-cycle")`` applied to
    rewards at cycles ``0..T`` discounted with ``1 / (1 + d) ** (0:T)``.

``"trapezoid"`` -- life-table method (trapezoidal rule on each cycle):
    ``a_t = b_t = 1/2``: ``sum_{t=1..T} v_t (m_{t-1} D((t-1)L) + m_t D(tL)) / 2``. With values
    and discounting constant over time it equals ``"half-cycle"``; when values change between
    cycles each cycle's value is applied to both of its ends (the half-cycle method instead
    gives each point the value of the cycle that ends there). heemod's ``method = "life-table"``
    averages memberships the same way but discounts the averaged cycle once (by
    ``(1 + r) ** -(t-1)``, or ``** -t`` with ``first = TRUE``), so with discounting the two
    differ (2.8% on the costs of heemod's HIV example); ``MarkovModel(convention="heemod")``
    does it heemod's way (:mod:`healthecon.conventions`). hesim's default ``integrate_method = "trapz"`` applies the trapezoid rule to
    the discounted flow at the trace points as here when values are constant over time (but
    hesim discounts in continuous time, ``exp(-r s)``: pass ``rate = exp(r) - 1`` to match
    it). When values change over time, hesim values each trace point with the value of the
    time interval ending there (its intervals include their ``time_stop``; point 0 takes the
    first interval's value), which is the ``"half-cycle"`` rule here, not this one.

    heemod's ``discount()`` timing quoted here is that of its ``R/utils.R`` in 0.14:
    ``x / (1 + r) ^ trunc((seq_along(x) - (1 - first)) / period)``, i.e. ``** (t - 1)`` by
    default and ``** t`` with ``first = TRUE`` for annual cycles (``period = 1``).

``"simpson"`` -- Simpson's 1/3 rule (Elbasha & Chhatwal 2016):
    point weights ``(1, 4, 2, 4, ..., 2, 4, 1) / 3`` for an even number of cycles ``T``. For an
    odd ``T >= 3`` the last three cycles use Simpson's 3/8 rule (weights ``3/8, 9/8, 9/8,
    3/8``), as Elbasha & Chhatwal recommend; ``T = 1`` falls back to the trapezoid. Points are
    valued and discounted as in ``"half-cycle"``. Note that darthtools' ``gen_wcc(method =
    "Simpson1/3")`` puts ``2/3`` on point 1 and ``4/3`` on point 2 (its 1-indexed parity is
    shifted) and does not handle odd ``T``; to reproduce a DARTH model exactly, use
    ``MarkovModel(convention="darth")`` or pass
    :func:`healthecon.conventions.darth_simpson_weights` as the correction (any array of
    ``T + 1`` point weights is accepted).

Transition rewards (one-off costs on a transition) happen during a cycle; by default they are
discounted at the end of the cycle under ``"end"``, the start under ``"beginning"``, and the
middle under the other methods (:func:`transition_timing`). Other timings (DARTH's: valued at
the point ending the cycle with that point's weight) and the discount timing of each peer are
in :mod:`healthecon.conventions`.

Examples
--------
>>> a, b = cycle_weights("trapezoid", 3)
>>> a.tolist(), b.tolist()
([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
>>> point_weights("simpson", 4).tolist() == [1/3, 4/3, 2/3, 4/3, 1/3]
True
>>> import numpy as np
>>> alive = np.array([1.0, 0.8, 0.64])          # membership at points 0, 1, 2
>>> float(integrate(alive, "end")), float(integrate(alive, "trapezoid"))
(1.44, 1.62)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validate import as_float_array, require_finite
from .errors import ModelDefinitionError, ShapeError

__all__ = ["METHODS", "resolve", "cycle_weights", "point_weights", "transition_timing", "integrate"]

METHODS = ("end", "none", "beginning", "half-cycle", "trapezoid", "simpson")
_ALIASES = {"none": "end", "life-table": "trapezoid", "simpson1/3": "simpson", "half cycle": "half-cycle"}

Correction = str | Sequence[float] | np.ndarray


def resolve(method: Correction, n_cycles: int | None = None) -> str | np.ndarray:
    """Return the canonical method name, or a validated array of ``n_cycles + 1`` point weights.

    Accepted names are :data:`METHODS` and the aliases ``"life-table"`` (trapezoid) and
    ``"Simpson1/3"`` (case-insensitive).

    Parameters
    ----------
    method
        A correction name, or a sequence of custom point weights on the trace points
        ``0..n_cycles`` (e.g. a DARTH ``gen_wcc`` vector).
    n_cycles
        Number of cycles ``T``; when given, custom weights must have ``T + 1`` entries.

    Returns
    -------
    str or numpy.ndarray
        The canonical name (one of :data:`METHODS` other than the alias ``"none"``), or the
        custom weights as a float array.

    Raises
    ------
    ModelDefinitionError
        For an unknown name, or custom weights that are not finite.
    ShapeError
        If custom weights do not have ``n_cycles + 1`` entries.

    Examples
    --------
    Names are matched case-insensitively and aliases map to their canonical name:

    >>> resolve("Life-Table"), resolve("none")
    ('trapezoid', 'end')

    Custom point weights for a 2-cycle model (three trace points) are checked and returned:

    >>> resolve([0.5, 1, 0.5], n_cycles=2).tolist()
    [0.5, 1.0, 0.5]
    >>> resolve("midpoint")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: unknown within-cycle correction 'midpoint'; expected one of: ...
    """
    if isinstance(method, str):
        key = method.strip().lower()
        key = _ALIASES.get(key, key)
        if key not in METHODS:
            raise ModelDefinitionError(
                f"unknown within-cycle correction {method!r}; expected one of: "
                + ", ".join(repr(m) for m in METHODS)
                + " (or an array of point weights)"
            )
        return key
    weights = require_finite(as_float_array(method, "correction weights"), "correction weights", ModelDefinitionError)
    if weights.ndim != 1 or (n_cycles is not None and weights.shape[0] != n_cycles + 1):
        expected = "a 1-D array" if n_cycles is None else f"{n_cycles + 1} point weights (cycles 0..{n_cycles})"
        raise ShapeError(f"correction weights: expected {expected}, got shape {weights.shape}")
    return weights


def point_weights(method: Correction, n_cycles: int) -> np.ndarray:
    """Weights on the trace points ``0..n_cycles`` when values and discounting are constant.

    ``sum_t w_t m_t`` is then the corrected number of cycles spent in each state.

    Examples
    --------
    >>> point_weights("half-cycle", 3).tolist()
    [0.5, 1.0, 1.0, 0.5]
    >>> point_weights("simpson", 3).tolist()
    [0.375, 1.125, 1.125, 0.375]
    """
    a, b = cycle_weights(method, n_cycles)
    w = np.zeros(n_cycles + 1)
    w[:-1] += a
    w[1:] += b
    return w


def _simpson(n_cycles: int) -> np.ndarray:
    w = np.zeros(n_cycles + 1)
    if n_cycles == 1:
        w[:] = 0.5
        return w
    even = n_cycles if n_cycles % 2 == 0 else n_cycles - 3
    if even:
        w[: even + 1] = np.where(np.arange(even + 1) % 2 == 1, 4.0, 2.0)
        w[0] = w[even] = 1.0
        w[: even + 1] /= 3.0
    if even != n_cycles:
        w[even:] += np.array([3.0, 9.0, 9.0, 3.0]) / 8.0
    return w


def cycle_weights(method: Correction, n_cycles: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``(a, b)``, each of length ``n_cycles``: cycle ``t`` counts ``a_t m_{t-1} + b_t m_t``.

    See the module docstring for each method's formula and the tool whose convention it
    matches. Point-based methods (``"half-cycle"``, ``"simpson"``, custom weights) put point
    0's weight on cycle 1's start and every later point's weight on the cycle ending there.

    Parameters
    ----------
    method
        A correction name (see :func:`resolve`) or ``n_cycles + 1`` custom point weights.
    n_cycles
        Number of cycles ``T`` (a whole number >= 1).

    Returns
    -------
    tuple of numpy.ndarray
        ``(a, b)``, each of shape ``(n_cycles,)``: the weights on each cycle's start-of-cycle
        and end-of-cycle membership.

    Raises
    ------
    ModelDefinitionError
        If ``n_cycles`` < 1 or the method is unknown.
    ShapeError
        If custom weights do not have ``n_cycles + 1`` entries.

    Examples
    --------
    TreeAge's half-cycle correction over 3 cycles halves the start of cycle 1 and the end of
    cycle 3:

    >>> a, b = cycle_weights("half-cycle", 3)
    >>> a.tolist(), b.tolist()
    ([0.5, 0.0, 0.0], [1.0, 1.0, 0.5])
    """
    if int(n_cycles) != n_cycles or n_cycles < 1:
        raise ModelDefinitionError(f"number of cycles: expected a whole number >= 1, got {n_cycles!r}")
    n_cycles = int(n_cycles)
    resolved = resolve(method, n_cycles)
    a, b = np.zeros(n_cycles), np.zeros(n_cycles)
    if isinstance(resolved, np.ndarray) or resolved in ("half-cycle", "simpson"):
        if isinstance(resolved, np.ndarray):
            points = resolved
        elif resolved == "simpson":
            points = _simpson(n_cycles)
        else:
            points = np.ones(n_cycles + 1)
            points[0] = points[-1] = 0.5
        a[0] = points[0]
        b[:] = points[1:]
    elif resolved == "end":
        b[:] = 1.0
    elif resolved == "beginning":
        a[:] = 1.0
    else:  # trapezoid
        a[:] = b[:] = 0.5
    return a, b


def transition_timing(method: Correction) -> float:
    """Fraction of a cycle elapsed when transition rewards are discounted (1 end, 0 start, 0.5 middle).

    Examples
    --------
    >>> transition_timing("end"), transition_timing("beginning"), transition_timing("simpson")
    (1.0, 0.0, 0.5)
    """
    resolved = resolve(method)
    if isinstance(resolved, str) and resolved == "end":
        return 1.0
    if isinstance(resolved, str) and resolved == "beginning":
        return 0.0
    return 0.5


def integrate(points: object, method: Correction, axis: int = -1) -> np.ndarray:
    """Apply a correction to flows already valued and discounted at the trace points.

    Parameters
    ----------
    points
        Array whose ``axis`` runs over the trace points ``0..T`` (length ``T + 1``): e.g. the
        discounted QALY flow ``m_t . u * D(tL)`` of a trace computed elsewhere.
    method
        A correction name or custom point weights.

    axis
        The axis of ``points`` that runs over the trace points (default the last).

    Returns
    -------
    numpy.ndarray
        ``sum_t w_t x_t`` along ``axis`` with the method's point weights (a 0-d array for
        a 1-D input).

    Raises
    ------
    ShapeError
        If ``points`` has fewer than 2 trace points along ``axis``, or custom weights do not
        match their number.
    ModelDefinitionError
        If the method is unknown.

    Examples
    --------
    Discounted QALY flows at trace points 0, 1, 2 for two strategies (rows), already
    multiplied by the utilities and discount factors; the half-cycle correction gives each
    strategy's total QALYs:

    >>> import numpy as np
    >>> qalys = np.array([[0.85, 0.68, 0.54],    # usual care
    ...                   [0.85, 0.75, 0.66]])   # new drug
    >>> integrate(qalys, "half-cycle").round(3).tolist()
    [1.375, 1.505]
    >>> integrate(qalys, "end").round(3).tolist()
    [1.22, 1.41]
    """
    x = as_float_array(points, "trace points")
    n_points = x.shape[axis]
    if n_points < 2:
        raise ShapeError(f"trace points: expected at least 2 points (cycles 0 and 1), got {n_points}")
    w = point_weights(method, n_points - 1)
    return np.tensordot(np.moveaxis(x, axis, -1), w, axes=1)
