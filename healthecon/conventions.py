"""Peers' conventions by name: counting, discount timing and transition-reward timing.

A cohort model turns state membership at the trace points ``t = 0, 1, ..., T`` (cycle ``t``
covers model time ``((t-1)L, tL]`` for a cycle length of ``L`` years) into totals. Three
choices decide the result, and peers make them differently:

1. **Counting** (the within-cycle correction, :mod:`healthecon.correction`): weights
   ``(a_t, b_t)`` on the start-of-cycle and end-of-cycle membership of cycle ``t``.
2. **Discount timing and formula**: at which time a cycle's reward is discounted, and how.
3. **Transition-reward timing**: when a one-off reward on a transition (a cost of dying, a
   disutility of falling ill) is counted and discounted.

This module builds the weights that carry all three, :func:`reward_weights`, for the Markov
engine (:class:`healthecon.markov_engine.CohortEngine`) and for any model that integrates a
trace (a partitioned survival model, for one), and names the peers' combinations as presets
(:data:`PRESETS`, :func:`get`). The engine's loop does not change with the convention: only
these weights do.

Cycle ``t`` with per-cycle value ``v_t`` contributes ``v_t (A_t m_{t-1} + B_t m_t)`` and the
transitions of cycle ``t`` (the flows ``diag(m_{t-1}) P_t`` valued by the transition rewards)
contribute ``X_t`` times their value, where

``A_t = a_t D(s_A(t))``, ``B_t = b_t D(s_B(t))``

and ``D`` is the discount factor at time ``s`` (years).

Discount timing (``discount_timing``)
-------------------------------------
``"point"`` (healthecon's default)
    each trace point's membership is discounted at its own time: ``s_A(t) = (t-1)L``,
    ``s_B(t) = tL``.
``"cycle-start"``
    the whole cycle's reward is discounted once, at the start of the cycle:
    ``s_A(t) = s_B(t) = (t-1)L``. This is heemod's ``discount(x, r)`` (``first = FALSE``, the
    default: the first cycle is not discounted); with heemod's ``method = "life-table"`` it
    averages the two memberships of a cycle and discounts the average once, at
    ``(1 + r) ** -(t - 1)`` for annual cycles.
``"cycle-end"``
    once, at the end of the cycle: ``s_A(t) = s_B(t) = tL`` (heemod's ``first = TRUE``).
``"cycle-middle"``
    once, at the middle of the cycle: ``s_A(t) = s_B(t) = (t - 1/2)L``.

Discount formula (``discount_method``), for an annual rate ``r``
----------------------------------------------------------------
``"annual"`` (default)
    ``D(s) = (1 + r) ** -s``, continuous in ``s`` (a :class:`~healthecon.discount.DiscountSchedule`
    such as the Green Book's is accepted). For annual cycles and ``"cycle-start"`` this is
    heemod's ``discount()``; for sub-annual cycles it is not (see ``"whole-years"``).
``"whole-years"``
    ``D(s) = (1 + r) ** -floor(s)``: every cycle of a year is discounted as that year, as
    heemod's ``discount(x, r, first, period)`` with ``period`` cycles per year
    (``R/utils.R``: ``dr <- trunc((seq_along(x) - (1 - isTRUE(first))) / period)``,
    ``x / (1 + r) ^ dr``). On 24 monthly cycles at 3.5% discounted at the start of each cycle,
    ``"annual"`` gives a present value about 1.6% lower than this. A schedule is accepted.
``"continuous"``
    ``D(s) = exp(-r s)``: hesim's discounting (its vignette "expected-values" integrates
    ``z_h(t) e^{-rt} P_h(t)``), with ``r`` read as a continuously compounded rate. A schedule
    is refused.
``"per-cycle"``
    ``D(s) = (1 + r L) ** -(s / L)``: DARTH's ``v_dw <- 1 / ((1 + (d * cycle_length)) ^
    (0:n_cycles))`` (cohort-modeling-tutorial-timedep, ``analysis/cSTM_time_dep_simulation.R``),
    the annual rate divided among the cycles of a year. Equal to ``"annual"`` for annual
    cycles. A schedule is refused.

Transition-reward timing (``transition_timing``)
------------------------------------------------
``"cycle-start"``, ``"cycle-middle"``, ``"cycle-end"``
    each transition of cycle ``t`` is counted once (weight 1) and discounted at that time of
    the cycle: ``X_t = D((t-1)L)``, ``D((t-1/2)L)`` or ``D(tL)``.
``"point"``
    a transition of cycle ``t`` is counted as membership at point ``t`` is, with the counting
    weights and discounting of that point: ``X_t = B_t + A_{t+1}`` (``A_{T+1} = 0``). With
    point-based weights (``"half-cycle"``, ``"simpson"``, a custom vector ``w``) and ``"point"``
    discounting this is ``X_t = w_t D(tL)``: DARTH's transition-dynamics array, whose slice
    ``t`` is ``diag(m_{t-1}) P_t`` (slice 0 holds the initial membership and no transition),
    valued at point ``t`` and weighted by ``v_dw[t] * v_wcc[t]`` in the same sum as the state
    rewards. With heemod's life-table counting it is heemod's count of transitions (half in
    the cycle they happen, half in the next).
``"auto"`` (healthecon's default)
    by the counting: ``"cycle-end"`` for ``"end"``, ``"cycle-start"`` for ``"beginning"``,
    ``"cycle-middle"`` otherwise.

Presets (``MarkovModel(convention=...)``, :data:`PRESETS`)
----------------------------------------------------------
============== ============================= =============== =============== ================
preset         counting                      discount timing discount        transitions
============== ============================= =============== =============== ================
``healthecon`` ``"half-cycle"``              ``point``       ``annual``      ``auto``
``heemod``     ``"trapezoid"`` (life-table)  ``cycle-start`` ``whole-years`` ``point``
``hesim``      ``"half-cycle"`` (``trapz``)  ``point``       ``continuous``  ``cycle-middle``
``darth``      :func:`darth_simpson_weights` ``point``       ``per-cycle``   ``point``
``treeage``    ``"half-cycle"``              ``point``       ``annual``      ``cycle-end``
============== ============================= =============== =============== ================

Each preset's ``source`` names the peer's code or documentation it follows. heemod's preset
assumes ``discount(x, r, period = <cycles per year>)`` for sub-annual cycles; heemod's
default ``period = 1`` discounts every *cycle* at the annual rate, which healthecon expresses
by giving the per-cycle rate with ``cycle_length = 1``. hesim has no transition rewards in
its cohort models and the TreeAge preset has not been checked against TreeAge output.

Examples
--------
heemod's life-table counting, discounted once per cycle at its start, on a two-cycle trace:

>>> import numpy as np
>>> w = reward_weights("trapezoid", 2, 1.0, 0.06, discount_timing="cycle-start")
>>> w.start.round(4).tolist(), w.end.round(4).tolist()
([0.5, 0.4717], [0.5, 0.4717])
>>> w.point.round(4).tolist()               # weights on m_0, m_1, m_2
[0.5, 0.9717, 0.4717]
>>> get("darth").describe()
"darth: counting Simpson 1/3 (darthtools' gen_wcc), discount timing 'point', discount method 'per-cycle', transition timing 'point'"
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import correction as _correction
from .discount import DiscountSchedule, discount_factors
from .errors import ModelDefinitionError, ParameterError

__all__ = [
    "DISCOUNT_TIMINGS",
    "DISCOUNT_METHODS",
    "TRANSITION_TIMINGS",
    "PRESETS",
    "Convention",
    "RewardWeights",
    "Settings",
    "check_options",
    "get",
    "darth_simpson_weights",
    "discount_at",
    "resolve",
    "reward_weights",
]

DISCOUNT_TIMINGS = ("point", "cycle-start", "cycle-middle", "cycle-end")
DISCOUNT_METHODS = ("annual", "whole-years", "continuous", "per-cycle")
TRANSITION_TIMINGS = ("auto", "point", "cycle-start", "cycle-middle", "cycle-end")

#: Offset, in cycles from the start of cycle ``t``, of each once-per-cycle timing.
_OFFSET = {"cycle-start": 0.0, "cycle-middle": 0.5, "cycle-end": 1.0}


def _choose(value: str, allowed: tuple[str, ...], what: str) -> str:
    key = value.strip().lower() if isinstance(value, str) else value
    if key not in allowed:
        raise ModelDefinitionError(f"{what}: unknown option {value!r}; expected one of: " + ", ".join(repr(a) for a in allowed))
    return key


def check_options(discount_timing: str, discount_method: str, transition_timing: str) -> tuple[str, str, str]:
    """The three options by their canonical (lower-case) names, each checked against its list.

    Raises
    ------
    ModelDefinitionError
        Naming the option and listing the accepted values.

    Examples
    --------
    >>> check_options("Cycle-Start", "whole-years", "point")
    ('cycle-start', 'whole-years', 'point')
    """
    return (_choose(discount_timing, DISCOUNT_TIMINGS, "discount_timing"),
            _choose(discount_method, DISCOUNT_METHODS, "discount_method"),
            _choose(transition_timing, TRANSITION_TIMINGS, "transition_timing"))


def darth_simpson_weights(n_cycles: int) -> np.ndarray:
    """darthtools' ``gen_wcc(n_cycles, method = "Simpson1/3")``: point weights on ``0..n_cycles``.

    ``1/3`` on the first and last points, then ``4/3`` and ``2/3`` alternating by darthtools'
    1-indexed parity (point ``t`` gets ``4/3`` when ``t + 1`` is odd, so point 1 gets ``2/3``):
    ``v_wcc <- ((v_cycles %% 2) == 0) * (2/3) + ((v_cycles %% 2) != 0) * (4/3)`` with
    ``v_cycles = 1..(n_cycles + 1)`` (DARTH-git, cohort-modeling-tutorial-timedep,
    ``R/Functions.R``). This differs from Simpson's rule as written by Elbasha & Chhatwal
    (2016), ``"simpson"`` in :mod:`healthecon.correction`, which puts ``4/3`` on point 1.

    Examples
    --------
    >>> (darth_simpson_weights(4) * 3).round(12).tolist()
    [1.0, 2.0, 4.0, 2.0, 1.0]
    """
    if int(n_cycles) != n_cycles or n_cycles < 1:
        raise ModelDefinitionError(f"number of cycles: expected a whole number >= 1, got {n_cycles!r}")
    index = np.arange(1, int(n_cycles) + 2)
    w = np.where(index % 2 == 0, 2.0 / 3.0, 4.0 / 3.0)
    w[0] = w[-1] = 1.0 / 3.0
    return w


def discount_at(times: object, rate: float | DiscountSchedule, method: str = "annual", cycle_length: float = 1.0) -> np.ndarray:
    """Discount factors at ``times`` (years) by one of :data:`DISCOUNT_METHODS`.

    Parameters
    ----------
    times
        Times in years from the start (>= 0).
    rate
        Annual rate as a fraction, or a :class:`~healthecon.discount.DiscountSchedule`
        (``"annual"`` and ``"whole-years"`` only).
    method
        ``"annual"`` ``(1 + r) ** -s``; ``"whole-years"`` ``(1 + r) ** -floor(s)``;
        ``"continuous"`` ``exp(-r s)``; ``"per-cycle"`` ``(1 + r L) ** -(s / L)``. See the
        module docstring for the peer each follows.
    cycle_length
        ``L`` in years, used by ``"per-cycle"``.

    Raises
    ------
    ModelDefinitionError
        For an unknown method, or a schedule with ``"continuous"`` or ``"per-cycle"``.
    ParameterError
        For a rate outside ``[0, 1)`` or a negative time.

    Examples
    --------
    Monthly cycles: the first twelve months are one year, undiscounted in whole years:

    >>> discount_at([0.5, 11 / 12, 1.0], 0.035, "whole-years").round(6).tolist()
    [1.0, 1.0, 0.966184]
    >>> float(discount_at(1.0, 0.03, "per-cycle", cycle_length=0.5).round(6))  # 1.015 ** -2
    0.970662
    """
    method = _choose(method, DISCOUNT_METHODS, "discount_method")
    t = np.asarray(times, dtype=float)
    if method == "annual":
        return discount_factors(t, rate)
    if method == "whole-years":
        # times are multiples of the cycle length; the small margin keeps 12 * (1/12) in year 1
        return discount_factors(np.floor(t + 1e-9), rate)
    if isinstance(rate, DiscountSchedule):
        raise ModelDefinitionError(
            f"discount_method {method!r} takes a constant rate; the schedule {rate.name!r} works with 'annual' or 'whole-years'"
        )
    discount_factors(0.0, rate)  # validates the rate
    if np.any(t < 0) or np.any(np.isnan(t)):
        raise ParameterError(f"discount times: expected times >= 0, got {t.min()!r}")
    if method == "continuous":
        return np.exp(-float(rate) * t)
    return np.power(1.0 + float(rate) * cycle_length, -t / cycle_length)


@dataclass(frozen=True)
class RewardWeights:
    """Weights of one reward kind (costs, effects, or undiscounted) on a trace of ``T`` cycles.

    Attributes
    ----------
    start, end
        ``A_t`` and ``B_t`` (shape ``(T,)``): cycle ``t``'s weight on ``m_{t-1}`` and on
        ``m_t``, counting and discounting included. A reward whose value changes with time
        contributes ``sum_t v_t (A_t m_{t-1} + B_t m_t)``.
    transition
        ``X_t`` (shape ``(T,)``): the weight on the transitions of cycle ``t``.
    """

    start: np.ndarray
    end: np.ndarray
    transition: np.ndarray

    @functools.cached_property
    def point(self) -> np.ndarray:
        """Weights on the trace points ``0..T`` for a reward whose value does not change with time.

        ``sum_t w_t (m_t . v)`` is then the total: ``w_0 = A_1``, ``w_t = B_t + A_{t+1}``.
        Computed once (read-only).
        """
        w = np.zeros(self.start.shape[0] + 1)
        w[:-1] += self.start
        w[1:] += self.end
        w.flags.writeable = False
        return w

    def only_cycle(self, cycle: int) -> RewardWeights:
        """These weights with every cycle but ``cycle`` (1-based; 0 for none) set to 0: what
        cycle ``cycle`` alone contributes.

        Examples
        --------
        >>> reward_weights("half-cycle", 3, 1.0, 0.0).only_cycle(3).point.tolist()
        [0.0, 0.0, 0.0, 0.5]
        """
        keep = np.arange(1, self.start.shape[0] + 1) == cycle
        return RewardWeights(start=np.where(keep, self.start, 0.0), end=np.where(keep, self.end, 0.0),
                             transition=np.where(keep, self.transition, 0.0))


def reward_weights(
    correction: _correction.Correction,
    n_cycles: int,
    cycle_length: float,
    rate: float | DiscountSchedule,
    *,
    discount_timing: str = "point",
    discount_method: str = "annual",
    transition_timing: str = "auto",
) -> RewardWeights:
    """Counting and discount weights of a trace, by the conventions named in the module docstring.

    Parameters
    ----------
    correction
        Within-cycle correction: a name of :mod:`healthecon.correction` or ``n_cycles + 1``
        point weights.
    n_cycles, cycle_length
        ``T`` and ``L`` (years).
    rate
        Annual discount rate (0 for undiscounted weights) or a schedule.
    discount_timing, discount_method, transition_timing
        One of :data:`DISCOUNT_TIMINGS`, :data:`DISCOUNT_METHODS`, :data:`TRANSITION_TIMINGS`.

    Returns
    -------
    RewardWeights
        ``start``, ``end`` and ``transition`` weights, and ``point`` weights for rewards constant
        over time. A partitioned survival model with membership ``m_t`` at the points
        ``0..T`` gets its totals as ``sum_t point[t] * (m_t . v)`` (or, with values changing
        by cycle, ``sum_t v_t (start[t] m_{t-1} + end[t] m_t)``), and so follows the same
        conventions as the Markov engine.

    Raises
    ------
    ModelDefinitionError
        For an unknown option or correction.

    Examples
    --------
    DARTH's convention: darthtools' Simpson weights, per-cycle discounting and transitions
    valued at the point that ends their cycle (weights ``w_t / 1.03 ** t``):

    >>> w = reward_weights(darth_simpson_weights(2), 2, 1.0, 0.03, discount_method="per-cycle",
    ...                    transition_timing="point")
    >>> w.point.round(6).tolist()
    [0.333333, 0.647249, 0.314199]
    >>> w.transition.round(6).tolist()
    [0.647249, 0.314199]

    Without a correction, counting at the end of each cycle, the transitions of a cycle are
    discounted at its end by default:

    >>> reward_weights("end", 2, 1.0, 0.03).transition.round(6).tolist()
    [0.970874, 0.942596]
    """
    timing, method, transitions = check_options(discount_timing, discount_method, transition_timing)
    a, b = _correction.cycle_weights(correction, n_cycles)
    L, T = float(cycle_length), int(n_cycles)
    cycles = np.arange(1, T + 1, dtype=float)  # t = 1..T

    def d(offset: float) -> np.ndarray:  # D at (t - 1 + offset) L for every cycle t
        return discount_at((cycles - 1 + offset) * L, rate, method, L)

    if timing == "point":
        start, end = a * d(0.0), b * d(1.0)
    else:
        once = d(_OFFSET[timing])
        start, end = a * once, b * once
    if transitions == "auto":
        resolved = _correction.resolve(correction, T)
        transitions = {"end": "cycle-end", "beginning": "cycle-start"}.get(resolved, "cycle-middle") \
            if isinstance(resolved, str) else "cycle-middle"
    if transitions == "point":
        transition = end.copy()
        transition[:-1] += start[1:]
    else:
        transition = d(_OFFSET[transitions])
    return RewardWeights(start=start, end=end, transition=transition)


@dataclass(frozen=True)
class Convention:
    """A peer's way of counting, discounting and timing transition rewards, by name.

    Attributes
    ----------
    name
        The preset's name (a key of :data:`PRESETS`).
    correction
        The within-cycle correction: a name of :mod:`healthecon.correction`, or a function of
        the number of cycles returning point weights.
    correction_label
        How the correction is shown.
    discount_timing, discount_method, transition_timing
        As in :func:`reward_weights`.
    source
        The peer's documentation or code that the preset follows.
    """

    name: str
    correction: str | Callable[[int], np.ndarray]
    correction_label: str
    discount_timing: str
    discount_method: str
    transition_timing: str
    source: str

    def counting(self, n_cycles: int) -> str | np.ndarray:
        """The correction for ``n_cycles`` cycles: a name, or point weights."""
        return self.correction(n_cycles) if callable(self.correction) else self.correction

    def describe(self) -> str:
        """One line: the preset's name and its three choices."""
        return (
            f"{self.name}: counting {self.correction_label}, discount timing {self.discount_timing!r}, "
            f"discount method {self.discount_method!r}, transition timing {self.transition_timing!r}"
        )


PRESETS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention(
            "healthecon", "half-cycle", "'half-cycle'", "point", "annual", "auto",
            "healthecon's default: half-cycle correction (Briggs, Claxton & Sculpher 2006, section 2.3.2), "
            "each trace point discounted at its own time by (1 + r) ** -s, transition rewards at mid-cycle",
        ),
        Convention(
            "heemod", "trapezoid", "'life-table' (trapezoid)", "cycle-start", "whole-years", "point",
            "heemod 0.14 (pierucci/heemod): run_model(method = 'life-table') averages the memberships at both ends "
            "of a cycle (R/correct_counts.R: (n0 + n1) / 2, and transition counts half in their cycle, half in "
            "the next); discount(x, r, first = FALSE, period) in R/utils.R discounts value-cycle t by "
            "(1 + r) ^ trunc((t - 1) / period), period = cycles per year",
        ),
        Convention(
            "hesim", "half-cycle", "'half-cycle' (hesim's 'trapz' on the trace points)", "point", "continuous",
            "cycle-middle",
            "hesim (hesim-dev/hesim), vignette 'expected-values': cohort costs and QALYs are the integral of "
            "z_h(t) exp(-r t) P_h(t) over time, by sim_qalys / sim_costs(integrate_method = 'trapz') on the trace "
            "points, each point valued with the interval ending there; hesim's cohort models have no transition "
            "rewards, so a transition is taken at mid-cycle",
        ),
        Convention(
            "darth", darth_simpson_weights, "Simpson 1/3 (darthtools' gen_wcc)", "point", "per-cycle", "point",
            "DARTH cohort-modeling-tutorial-timedep (Alarid-Escudero et al., MDM 2023;43:21-41), "
            "analysis/cSTM_time_dep_simulation.R: v_wcc <- gen_wcc(n_cycles, 'Simpson1/3'), "
            "v_dw <- 1 / ((1 + d * cycle_length) ^ (0:n_cycles)), totals t(v_y) %*% (v_dw * v_wcc) over the "
            "transition-dynamics array a_A * a_R (slice t = diag(m_{t-1}) P_t)",
        ),
        Convention(
            "treeage", "half-cycle", "'half-cycle'", "point", "annual", "cycle-end",
            "TreeAge Pro's half-cycle correction (rewards at stages 0..T, stage 0 and the final stage halved), "
            "discounted by stage; transition rewards counted at the stage after the transition, unweighted "
            "(from TreeAge's documentation; not checked here against TreeAge output)",
        ),
    )
}


@dataclass(frozen=True, eq=False)
class Settings:
    """A convention resolved for one model: the counting and the three timing options, by name.

    Build it with :func:`resolve`; :meth:`weights` gives the weights a cohort model (Markov or
    partitioned survival) applies to its trace.
    """

    convention: str
    correction: str | np.ndarray
    discount_timing: str
    discount_method: str
    transition_timing: str

    def weights(self, n_cycles: int, cycle_length: float, discount_costs: float | DiscountSchedule,
                discount_effects: float | DiscountSchedule) -> dict[str, RewardWeights]:
        """``{"cost", "effect", "undiscounted"}``: :func:`reward_weights` at each rate (0 for undiscounted).

        Examples
        --------
        >>> w = resolve("heemod", 2).weights(2, 1.0, 0.06, 0.0)
        >>> w["cost"].point.round(4).tolist(), w["effect"].point.tolist()
        ([0.5, 0.9717, 0.4717], [0.5, 1.0, 0.5])
        """
        return {kind: reward_weights(self.correction, n_cycles, cycle_length, rate, discount_timing=self.discount_timing,
                                     discount_method=self.discount_method, transition_timing=self.transition_timing)
                for kind, rate in (("cost", discount_costs), ("effect", discount_effects), ("undiscounted", 0.0))}


def resolve(
    convention: str | Convention,
    n_cycles: int,
    *,
    correction: _correction.Correction | None = None,
    discount_timing: str | None = None,
    discount_method: str | None = None,
    transition_timing: str | None = None,
) -> Settings:
    """A preset with any of its choices overridden, checked, for a model of ``n_cycles`` cycles.

    This is how :class:`~healthecon.markov.MarkovModel` reads its ``convention=`` and the
    options beside it; a partitioned survival model (or any model integrating a trace at the
    points ``0..n_cycles``) calls it the same way and applies :meth:`Settings.weights`.

    Raises
    ------
    ModelDefinitionError
        For an unknown preset, correction or option.

    Examples
    --------
    >>> s = resolve("heemod", 12, discount_timing="cycle-end")
    >>> s.correction, s.discount_timing, s.discount_method, s.transition_timing
    ('trapezoid', 'cycle-end', 'whole-years', 'point')
    """
    preset = get(convention)
    counting = _correction.resolve(preset.counting(n_cycles) if correction is None else correction, n_cycles)
    options = check_options(preset.discount_timing if discount_timing is None else discount_timing,
                            preset.discount_method if discount_method is None else discount_method,
                            preset.transition_timing if transition_timing is None else transition_timing)
    return Settings(preset.name, counting, *options)


def get(convention: str | Convention) -> Convention:
    """The preset named ``convention`` (case-insensitive), or ``convention`` itself if it is one.

    Examples
    --------
    >>> get("heemod").discount_timing, get("heemod").discount_method
    ('cycle-start', 'whole-years')
    >>> get("excel")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: convention: unknown option 'excel'; expected one of: 'healthecon', 'heemod', 'hesim', 'darth', 'treeage'
    """
    if isinstance(convention, Convention):
        return convention
    return PRESETS[_choose(convention, tuple(PRESETS), "convention")]
