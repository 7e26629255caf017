"""Markov cohort state-transition models, vectorised over PSA samples.

A :class:`MarkovModel` is defined by named states and strategies, a starting distribution,
transition probabilities, and rewards; :meth:`MarkovModel.run` takes parameter draws (an
``xarray.Dataset`` with dimension ``sample``, see ``docs/architecture.md``) and returns an
outcome set (:mod:`healthecon.outcomes`). The method follows Briggs, Claxton & Sculpher,
*Decision Modelling for Health Economic Evaluation* (2006), ch. 2-3: the cohort's state
membership ``m_t = m_{t-1} P_t``, rewards accumulated over cycles, discounted, with a
within-cycle correction (:mod:`healthecon.correction`).

Defining a model
----------------
``transitions`` is a function ``f(p, strategy)`` or ``f(p, strategy, time)`` returning the
transition matrix, as a mapping ``{from_state: {to_state: probability}}`` (unlisted targets
are 0; every state needs a row) or a nested ``k x k`` list in state order. ``p[name]`` (or
``p.name``; :class:`healthecon.modeldef.ParameterView`) is the parameter's draws, a float
array of shape ``(n_samples,)``; entries may be numbers, such arrays, or a parameter's name (``"p_sick"`` is the same as ``p["p_sick"]``, as in decision
trees and CBA flows). :data:`C` marks the complement, ``1 -`` the rest of the row (as in
heemod); the string ``"#"`` (TreeAge's notation, also accepted by decision trees) means the
same. The string ``"C"`` is refused in a matrix: it could be a parameter's name, so rather than
guess, the model asks for the object :data:`C` (``from healthecon.markov import C``); a
parameter named ``C`` can still be read by a function (``p["C"]``) or a reward. ``time``
has ``cycle`` (1, 2, ...), ``years`` (model time at the start of the cycle), ``age``
(``start_age + years``) and ``in_state`` (cycles already spent in a tunnel state, 1-based).
A constant matrix may be given instead of a function (``{"well": {"well": C, "sick":
"p_sick"}, ...}``). Only parameters without a default
count: ``lambda p, s, k=k: ...`` (the loop-variable idiom) is a function of ``(p, strategy)``
and keeps its ``k``; give ``time`` without a default to receive it.

A function is called once per strategy if it does not use ``time`` when first called (at
cycle 1), and once per cycle otherwise -- or, in runs of up to 2,048 samples, once per block
of cycles with the time as column arrays (see :class:`Time`); never once per sample. (The model notices what a
function reads: any use of ``time`` other than ``time.in_state`` -- an attribute, ``repr``,
a copy -- counts as reading the clock, so a function that only uses ``time.in_state`` is not
re-evaluated every cycle.) Functions must be pure: their result may depend only on their
arguments, not on a count of calls or on state kept between calls.

Rewards are named; names starting ``cost_`` are costs (``cost_drug``, ``cost_care``),
others are effects (``ly``, ``qaly``). Each is given as a mapping or a function of
``(p, strategy[, time])`` returning one; every value in it is a number, an array of shape
``(n_samples,)`` or a parameter's name (``{"qaly": {"well": "u_well"}}``):

- ``state_rewards``: ``{state: value per year in the state}`` -- multiplied by the cycle
  length, so an annual cost or a utility is given as such whatever the cycle length, and a
  life-year reward is ``1`` in every alive state;
- ``transition_rewards``: ``{(from, to): one-off value per transition}``; ``from`` may be
  ``"*"`` for "from any other state" (a cost of entering ``to``), e.g. the cost of death;
- ``initial_rewards``: ``{strategy: one-off value at time 0}`` (or a function of
  ``(p, strategy)`` returning the value), e.g. a surgery cost.

Tunnel states (``tunnels={"post_mi": 3}``) model time-in-state dependence: only the
tunnelled state is expanded internally into 3 sub-states (the last one absorbing the
remaining stay); transition and reward functions see ``time.in_state`` (for a transition
reward, the time already spent in its from-state) and results are reported on the named
states.

Validation
----------
What does not depend on the draws is checked when the model is built: a constant matrix's
state names, shape, numbers (each in ``[0, 1]``), complements and, for a row of numbers, its
sum (a row with parameter names: the numbers must not already pass 1); a constant reward
mapping's state and strategy names and numbers (finite); the starting distribution's states,
proportions and complement (with parameter names: the numbers must not already pass 1).
Names of parameters are looked up in the draws at :meth:`MarkovModel.run`
(:attr:`MarkovModel.parameters` lists them), where a starting distribution naming them is
checked per sample, raising :class:`ModelDefinitionError` naming the state and the first bad
sample (a proportion outside ``[0, 1]``, a negative complement, a sum other than 1).
Every transition matrix is also checked when it is evaluated, raising :class:`TransitionError`
naming the strategy, cycle, from-state and to-state and the first bad sample: a NaN, a
probability outside ``[0, 1]``, a complement below ``-tolerance``, more than one complement in
a row, or a row without complement whose sum differs from 1 by more than ``tolerance``
(absolute, default ``1e-9``). A complement between ``-tolerance`` and 0 is floating-point
rounding and is set to 0. Unknown names (of states, strategies, parameters) raise
:class:`UnknownNameError` saying where the name was used and listing the known ones; that
includes a parameter a function reads (``p["x"]``), named with the function's role
(``transitions``, ``state reward 'qaly'``, ...), strategy and cycle, the original error
chained (``p.get("x", default)`` and ``"x" in p`` work as for any mapping). Other errors raised
by a function pass through unchanged. Arrays of the wrong length raise :class:`ShapeError`.

The rules of :mod:`healthecon.modeldef` apply, as in decision trees: a boolean (``True``, or
an array from a comparison such as ``p["age"] > 60``) is refused where a probability or a
reward is expected, naming where; the state reward ``qaly`` holds utilities (values per year
in the state), so a value above 1 is a :class:`ModelDefinitionError` and one below 0 (a
state worse than death) runs with a warning. Functions may read a parameter as ``p["x"]``
or ``p.x``.

Examples
--------
>>> import numpy as np
>>> model = MarkovModel(
...     states=["alive", "dead"], strategies=["usual", "new"],
...     transitions=lambda p, s: {"alive": {"alive": C, "dead": p["p_die"] * (0.5 if s == "new" else 1)},
...                               "dead": {"dead": 1}},
...     start={"alive": 1}, n_cycles=2, correction="end", discount_costs=0, discount_effects=0,
...     state_rewards={"cost_care": {"alive": 100}, "ly": {"alive": 1}},
...     initial_rewards={"cost_drug": {"new": "c_drug"}})
>>> model
MarkovModel(states=['alive', 'dead'], strategies=['usual', 'new'], n_cycles=2, cycle_length=1, correction='end', rewards=['cost_care', 'ly', 'cost_drug'])
>>> model.parameters          # read by name; the function's p["p_die"] is not listed
('c_drug',)
>>> out = model.run({"p_die": np.array([0.2]), "c_drug": np.array([50.0])})
>>> out["ly"].values.round(4).tolist()     # usual: 0.8 + 0.64; new: 0.9 + 0.81
[[1.44, 1.71]]
>>> out["cost"].values.round(2).tolist()
[[144.0, 221.0]]
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from . import conventions
from ._validate import as_float_array, numbered_samples, require_cycle_length, require_finite, require_unique, require_whole, sample_label
from .discount import DiscountSchedule, discount_factors
from .errors import ModelDefinitionError, ParameterError, ShapeError, TransitionError, UnknownNameError, unknown_name
from .markov_engine import CohortEngine, CycleByCycle
from .outcomes import SAMPLE, STRATEGY
from .modeldef import (
    TOLERANCE,
    UTILITY,
    C,
    MissingParameter,
    ParameterView,
    check_utility,
    first_bad,
    is_complement,
    is_cost,
    refuse_boolean,
)
from .modeldef import complement as _complement

__all__ = ["C", "Time", "MarkovModel", "Reward"]

ANY = "*"
_minimum = np.minimum.reduce  # ndarray.min without its Python wrapper; NaN propagates
_maximum = np.maximum.reduce
#: Strings that could be meant as the complement or as a parameter; refused in transition
#: matrices and starting distributions (give ``C`` or ``"#"``).
_COMPLEMENT_LOOKALIKES = frozenset({"C"})
_RESERVED = frozenset({"cost", "trace"})


class Time:
    """Model time passed to transition and reward functions.

    Attributes
    ----------
    cycle
        Cycle number, 1 for the first cycle (which covers model time ``(0, L]``).
    years
        Model time in years at the start of the cycle, ``(cycle - 1) * cycle_length``.
    age
        ``start_age + years`` (only if the model has a ``start_age``).
    in_state
        For a tunnel state's row, its state rewards and the transition rewards from it:
        which cycle of the stay it is (1 for the first cycle after entering; the last tunnel
        cycle stands for every later one). 1 for other states. With tunnels of different
        lengths a function is called with ``in_state`` up to the longest one, and a state
        uses the value for ``min(in_state, its own tunnel length)``: write functions that
        accept every ``in_state`` up to the longest tunnel (e.g. clamp a table index).

    Notes
    -----
    A function that reads the clock (``cycle``, ``years`` or ``age``) is called for blocks of
    cycles at once when a run has up to 2,048 samples (a base case, a threshold search, a small
    PSA), to save a call per cycle: ``cycle``, ``years`` and ``age`` are then column arrays, one
    row per cycle of the block (shape ``(cycles, 1)``), so that numpy arithmetic and look-ups
    (``table[time.cycle - 1]``, ``np.where(time.cycle <= 3, a, b)``,
    ``LifeTable.probability(time.age)``) give a row per cycle, broadcast against parameters of
    shape ``(n_samples,)``. Each cycle's values must come from that cycle's time alone. Every
    block is tested at its first and last cycles against calls with the time as numbers; a
    function that cannot take arrays (Python's ``if`` or ``min`` on the time, ``int(time.age)``,
    a dict look-up: it raises) or whose values differ is then called with numbers, once per
    cycle, which is slower but gives the same results. Larger runs call every function once
    per cycle with numbers. ``in_state`` is always a number.

    Examples
    --------
    Six-monthly cycles from age 60, background mortality rising with age, and a higher risk of
    death in the first cycle after a heart attack than in later ones (a tunnel of 2 cycles):

    >>> def transitions(p, strategy, time):
    ...     background = 0.001 * (time.age - 50)            # per six-month cycle
    ...     after_mi = 0.15 if time.in_state == 1 else 0.03  # first cycle after the event, later
    ...     return {"well": {"well": C, "post_mi": 0.05, "dead": background},
    ...             "post_mi": {"post_mi": C, "dead": background + after_mi},
    ...             "dead": {"dead": 1}}
    >>> model = MarkovModel(["well", "post_mi", "dead"], ["usual"], transitions, start="well",
    ...                     n_cycles=3, cycle_length=0.5, start_age=60, tunnels={"post_mi": 2})
    >>> model.run({}, trace="mean")["trace"].sel(strategy="usual").round(4).to_pandas()  # doctest: +NORMALIZE_WHITESPACE
    state    well  post_mi    dead
    cycle
    0      1.0000   0.0000  0.0000
    1      0.9400   0.0500  0.0100
    2      0.8831   0.0890  0.0279
    3      0.8293   0.1238  0.0469

    The function reads the clock (``age``), so it is called for every cycle (here cycles 1-3 in
    one call, and cycles 1 and 3 alone to test it); it reads ``in_state``, so once per tunnel cycle (``in_state`` 1: the
    first cycle in ``post_mi``; 2: every later one). A function of ``(p, strategy)`` is called
    once per strategy.

    A starting age that varies (by PSA sample, in a DSA or a scenario) is a parameter's name;
    ``time.age`` is then an array with one age per sample. Life-years over 10 years for a
    cohort starting at 50 and one starting at 70, with mortality rising with age:

    >>> import numpy as np
    >>> aged = MarkovModel(["alive", "dead"], ["usual"],
    ...     lambda p, s, time: {"alive": {"alive": C, "dead": 0.002 * (time.age - 40)}, "dead": {"dead": 1}},
    ...     start="alive", n_cycles=10, start_age="age_start", correction="end", discount_effects=0,
    ...     state_rewards={"ly": {"alive": 1}})
    >>> aged.run({"age_start": np.array([50.0, 70.0])})["ly"].values.round(3).tolist()
    [[8.684], [7.018]]
    """

    __slots__ = ("_cycle", "_years", "_age", "_in_state", "_reads")

    def __init__(self, cycle: int, years: float, age: float | None, in_state: int = 1, reads: set[str] | None = None):
        self._cycle, self._years, self._age, self._in_state = cycle, years, age, in_state
        self._reads = reads if reads is not None else set()

    def __getattribute__(self, name: str) -> object:
        # Any use of the object other than ``in_state`` (an attribute, a private slot, repr,
        # str, a copy, ...) counts as reading the clock, so a function is only taken as
        # time-homogeneous if it did not look at the time at all.
        if name not in _NOT_THE_CLOCK:
            object.__getattribute__(self, "_reads").add("time")
        return object.__getattribute__(self, name)

    @property
    def cycle(self) -> int:
        return self._cycle

    @property
    def years(self) -> float:
        return self._years

    @property
    def age(self) -> float:
        if self._age is None:
            raise ModelDefinitionError("time.age is used but the model has no start_age: give the model start_age=... "
                                       "(the cohort's age at time 0)")
        return self._age

    @property
    def in_state(self) -> int:
        self._reads.add("in_state")
        return self._in_state

    def __repr__(self) -> str:
        return f"Time(cycle={self._cycle}, years={self._years}, age={self._age}, in_state={self._in_state})"


_NOT_THE_CLOCK = frozenset({"in_state", "_in_state", "_reads", "__class__"})


class _Spec:
    """A user value: a constant, or a function of ``(p, strategy[, time])``."""

    def __init__(self, value: object, what: str, max_args: int = 3):
        self.what = what
        self.value = value
        self.per_cycle = max_args == 3  # an initial reward (max 2 arguments) is at time 0
        self.takes_time = False
        if callable(value):
            try:
                params = [
                    q
                    for q in inspect.signature(value).parameters.values()
                    if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD) and q.default is q.empty
                ]
            except (TypeError, ValueError):  # builtins without a signature
                params = [None, None]
            if len(params) not in range(2, max_args + 1):
                expected = "(p, strategy) or (p, strategy, time)" if max_args == 3 else "(p, strategy)"
                raise ModelDefinitionError(f"{what}: a function must take {expected}, got {len(params)} arguments")
            self.takes_time = len(params) == 3

    def __call__(self, p: ParameterView, strategy: str, time: Time | None, cycle: int | np.ndarray = 1, step: int = 1) -> object:
        """The value for ``strategy``; ``time`` (the time of ``cycle`` and tunnel ``step``) is
        needed only by a function that takes it (``takes_time``)."""
        if not callable(self.value):
            return self.value
        try:
            return self.value(p, strategy, time) if self.takes_time else self.value(p, strategy)
        except MissingParameter as err:
            if err.params is not p:  # not a lookup in the draws this call was given
                raise
            raise self._missing(err, strategy, cycle, step) from err

    def _missing(self, err: MissingParameter, strategy: str, cycle: int | np.ndarray, step: int) -> UnknownNameError:
        """Where the function read a parameter that is not in the draws."""
        where = f"{self.what}, strategy {strategy!r}"
        if self.per_cycle:
            where = f"{self.what}, {MarkovModel._where(strategy, cycle, step if step > 1 else None)}"
        name = getattr(self.value, "__name__", None)
        function = "the function" if name in (None, "<lambda>") else f"the function {name}()"
        return UnknownNameError(f"{where}: {function} reads p[{err.name!r}]: {unknown_name('parameter', err.name, err.known)}")


@dataclass
class Reward:
    name: str
    kind: str  # "cost" or "effect"
    state: _Spec | None = None
    transition: _Spec | None = None
    initial: _Spec | None = None


def _as_value(value: object, n: int, where: str, p: ParameterView | None = None, block: int = 0) -> float | np.ndarray:
    """A number or an ``(n,)`` array; a string is a parameter name, looked up in ``p``. For a
    block of ``block`` cycles (> 0), also a ``(block, 1)`` or ``(block, n)`` array (a row per cycle).

    NaN and range checks are the caller's.
    """
    if value.__class__ is np.ndarray and value.dtype == np.float64 and (
            value.shape == (n,) or block and value.shape in ((block, 1), (block, n))):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and p is not None:
        return p.lookup(value, where)
    if isinstance(value, xr.DataArray):
        value = value.values
    arr = _as_numbers(value, where)
    if arr.ndim == 0:
        return float(arr)
    if block and arr.shape in ((block, 1), (block, n)):
        return arr
    if arr.shape != (n,):
        raise ShapeError(f"{where}: expected a number or an array of shape ({n},) (one per sample), got shape {arr.shape}")
    return arr


def _as_numbers(value: object, where: str) -> np.ndarray:
    """``as_float_array``, with an error saying that a parameter name is also accepted."""
    try:
        if value is None:  # numpy would make it NaN
            raise ParameterError(where)
        refuse_boolean(value, where)
        return as_float_array(value, where)
    except ParameterError:
        raise ParameterError(f"{where}: expected a number, a parameter name or an array of numbers (one per sample), got {value!r}") from None


def _text(where: str | Callable[[], str]) -> str:
    """A location given as text or as a function making it."""
    return where if where.__class__ is str else where()


def _unknown_in(where: str, kind: str, name: object, known: Sequence[str]) -> UnknownNameError:
    """An :class:`UnknownNameError` saying where the unknown name was used."""
    return UnknownNameError(f"{where}: {unknown_name(kind, name, known)}")


def _refuse_lookalike(name: str, where: str, error: type[ModelDefinitionError] = TransitionError) -> None:
    """Refuse a transition entry written as a string that could be meant as the complement."""
    if name in _COMPLEMENT_LOOKALIKES:
        raise error(
            f"{where}: got the string {name!r}; use the object healthecon.markov.C (or the string '#') for the "
            f"complement (a string is a parameter name, and {name!r} is not taken as one here to avoid confusion)"
        )


def _first_sample(bad: np.ndarray | bool) -> str:
    if np.ndim(bad) == 0:
        return ""
    return f" at sample {sample_label(int(np.argmax(bad)))}"


def _show(value: float | np.ndarray, bad: np.ndarray | bool) -> str:
    if np.ndim(value) == 0:
        return f"{float(value)!r}"
    return f"{float(value[int(np.argmax(bad))])!r}{_first_sample(bad)}"


def _check_proportion(value: float | np.ndarray, label: str) -> None:
    """Raise :class:`ModelDefinitionError` unless every value is a proportion in ``[0, 1]``."""
    arr = np.asarray(value)
    bad = ~((arr >= 0) & (arr <= 1))  # also NaN
    if bad.any():
        raise ModelDefinitionError(f"{label}: expected a proportion in [0, 1], got {first_bad(arr, bad)}")


def _check_cohort_size(cohort_size: object) -> None:
    if not (isinstance(cohort_size, (int, float, np.integer, np.floating)) and not isinstance(cohort_size, bool)
            and np.isfinite(cohort_size) and cohort_size > 0):
        raise ModelDefinitionError(f"cohort_size: expected a number of people > 0 (e.g. 1000), got {cohort_size!r}")


def _start_age(value: object) -> float | str | None:
    """``start_age``: ``None``, a finite number of years, or a parameter's name (looked up at run)."""
    if value is None or isinstance(value, str) and value:
        return value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    raise ModelDefinitionError(
        f"start_age: expected an age in years (e.g. 60) or the name of a parameter holding it (e.g. 'age_start'), got {value!r}"
    )


def _check_start_sum(total: float | np.ndarray, where: str, tol: float) -> None:
    off = np.abs(np.asarray(total) - 1.0) > tol
    if off.any():
        raise ModelDefinitionError(f"{where}: proportions sum to {first_bad(np.asarray(total), off)}, expected 1 (tolerance {tol:g})")


class MarkovModel:
    """A Markov cohort model: states, strategies, transitions, rewards, time horizon.

    Parameters
    ----------
    states
        State names, in order.
    strategies
        Strategy names, in order.
    transitions
        A function of ``(p, strategy)`` or ``(p, strategy, time)`` returning the transition
        matrix, or a constant matrix (see the module docstring for the format and :data:`C`).
    start
        Starting distribution: ``{state: proportion}`` (unlisted states 0), a state name (the
        whole cohort starts there) or an array in state order (``(k,)``, or ``(n_samples, k)``
        for one distribution per sample); must sum to 1. A proportion in the mapping may be a
        number, an ``(n_samples,)`` array or a parameter's name, and one state may take
        :data:`C` (or ``"#"``), the rest (``{"well": "p_cured", "sick": C}``, as in
        :class:`~healthecon.tree.MarkovLeaf`); names are looked up, and every sample checked,
        when the model is run. :meth:`run` can override it per call.
    n_cycles
        Number of cycles (the time horizon is ``n_cycles * cycle_length`` years).
    cycle_length
        Cycle length in years (1 annual, ``1/12`` monthly, ``1/52`` weekly).
    state_rewards, transition_rewards, initial_rewards
        ``{reward_name: spec}``; see the module docstring. A reward name may appear in more
        than one of them (e.g. ``cost_death`` as a transition cost and ``cost_care`` per
        state); its outcome is the sum.
    discount_costs, discount_effects
        Annual discount rates (``0.035`` for 3.5%) or :class:`~healthecon.discount.DiscountSchedule`
        (e.g. ``GREEN_BOOK_HEALTH``), applied at the trace-point times set by ``correction``.
    correction
        Within-cycle correction: ``"end"``/``"none"``, ``"beginning"``, ``"half-cycle"``,
        ``"trapezoid"`` (``"life-table"``), ``"simpson"``, or ``n_cycles + 1`` point weights;
        see :mod:`healthecon.correction` for each formula and the tool it matches. Default: the
        convention's (``"half-cycle"`` for ``"healthecon"``).
    start_age
        Age at time 0, for ``time.age`` (e.g. age-specific mortality from a life table): a
        number, or a parameter's name (``start_age="age_start"``), so that the starting age can
        vary in PSA, DSA or scenarios; ``time.age`` is then an array, one age per sample.
    tunnels
        ``{state: number of tunnel cycles}`` for time-in-state dependence.
    currency
        Currency symbol for tables and plots.
    tolerance
        Absolute tolerance on row sums of transition matrices and on the starting distribution.
    name
        A label stored in the outcome set's attributes.
    convention
        A peer's conventions by name (:data:`healthecon.conventions.PRESETS`): ``"healthecon"``
        (default), ``"heemod"``, ``"hesim"``, ``"darth"`` or ``"treeage"``. It sets the
        counting (``correction``), ``discount_timing``, ``discount_method`` and
        ``transition_timing`` together; any of them given explicitly overrides the preset's.
        See :mod:`healthecon.conventions` for each formula and the peer's source.
    discount_timing
        ``"point"`` (each trace point discounted at its own time), ``"cycle-start"``,
        ``"cycle-middle"`` or ``"cycle-end"`` (a cycle's reward discounted once, then).
    discount_method
        ``"annual"`` ``(1 + r) ** -s``, ``"whole-years"`` ``(1 + r) ** -floor(s)`` (heemod's
        ``period``), ``"continuous"`` ``exp(-r s)`` (hesim) or ``"per-cycle"``
        ``(1 + r L) ** -(s / L)`` (DARTH).
    transition_timing
        When transition rewards count: ``"auto"`` (by the correction: end, start or middle of
        the cycle), ``"cycle-start"``, ``"cycle-middle"``, ``"cycle-end"`` (once, unweighted), or
        ``"point"`` (as membership at the point that ends the cycle, with its within-cycle
        weight and discount factor: DARTH's transition-dynamics array).

    Raises
    ------
    ModelDefinitionError
        For an inconsistent definition (repeated names, a reward named ``cost``, a bad cycle
        length or horizon, a starting proportion outside ``[0, 1]``, a starting distribution
        not summing to 1 or whose complement is negative, a non-finite reward). A starting
        distribution naming parameters is checked per sample by :meth:`run`, naming the state
        and the first bad sample.
    TransitionError
        For a constant matrix with a probability outside ``[0, 1]``, a row not summing to 1,
        more than one complement in a row, or the string ``"C"`` for the complement (write
        :data:`C` or ``"#"``).
    UnknownNameError
        For a state or strategy name that is not defined (parameter names are looked up
        when the model is run).

    Examples
    --------
    Probabilities and rewards may name parameters; the constant matrix and the reward
    mappings are checked here, the names when the model is run:

    >>> import numpy as np
    >>> model = MarkovModel(
    ...     ["well", "sick", "dead"], ["usual"],
    ...     {"well": {"well": C, "sick": "p_sick", "dead": 0.01},
    ...      "sick": {"sick": C, "dead": "p_die"},
    ...      "dead": {"dead": 1}},
    ...     start="well", n_cycles=20, discount_costs=0.035, discount_effects=0.035,
    ...     state_rewards={"cost_care": {"sick": "c_sick"}, "qaly": {"well": 1, "sick": "u_sick"}})
    >>> model.parameters
    ('p_sick', 'p_die', 'c_sick', 'u_sick')
    >>> draws = {"p_sick": np.array([0.1, 0.2]), "p_die": np.array([0.15, 0.25]),
    ...          "c_sick": np.array([1500.0, 2500.0]), "u_sick": np.array([0.6, 0.5])}
    >>> model.run(draws)["qaly"].values.round(3).tolist()
    [[8.291], [5.161]]

    A state name that is not defined fails when the model is built:

    >>> MarkovModel(["well", "dead"], ["usual"], {"well": {"well": C, "dead": "p_die"}, "dead": {"dead": 1}},
    ...             start="well", n_cycles=5, state_rewards={"qaly": {"wel": 1}})
    Traceback (most recent call last):
    ...
    healthecon.errors.UnknownNameError: state reward 'qaly': unknown state 'wel'; expected one of: 'well', 'dead'

    and an unknown parameter name when it is run, saying where it was used:

    >>> model.run({"p_sick": 0.1, "p_die": 0.2, "c_sick": 2000.0, "u_sik": 0.6})
    Traceback (most recent call last):
    ...
    healthecon.errors.UnknownNameError: state reward 'qaly', strategy 'usual', cycle 1, state 'sick': unknown parameter 'u_sick'; expected one of: 'p_sick', 'p_die', 'c_sick', 'u_sik'

    as is a parameter a function reads:

    >>> def transitions(p, strategy):
    ...     return {"well": {"well": C, "dead": p["p_dead"]}, "dead": {"dead": 1}}
    >>> MarkovModel(["well", "dead"], ["usual"], transitions, start="well", n_cycles=5).run({"p_die": 0.1})
    Traceback (most recent call last):
    ...
    healthecon.errors.UnknownNameError: transitions, strategy 'usual', cycle 1: the function transitions() reads p['p_dead']: unknown parameter 'p_dead'; expected one of: 'p_die'
    """

    def __init__(
        self,
        states: Sequence[str],
        strategies: Sequence[str],
        transitions: Callable[..., object] | object,
        *,
        start: Mapping[str, float] | Sequence[float] | np.ndarray,
        n_cycles: int,
        cycle_length: float = 1.0,
        state_rewards: Mapping[str, object] | None = None,
        transition_rewards: Mapping[str, object] | None = None,
        initial_rewards: Mapping[str, object] | None = None,
        discount_costs: float | DiscountSchedule = 0.035,
        discount_effects: float | DiscountSchedule = 0.035,
        correction: str | Sequence[float] | None = None,
        start_age: float | None = None,
        tunnels: Mapping[str, int] | None = None,
        currency: str = "£",
        tolerance: float = TOLERANCE,
        name: str = "markov",
        convention: str | conventions.Convention = "healthecon",
        discount_timing: str | None = None,
        discount_method: str | None = None,
        transition_timing: str | None = None,
    ) -> None:
        self.states = require_unique(states, "states", ModelDefinitionError)
        self.strategies = require_unique(strategies, "strategies", ModelDefinitionError)
        if not self.states or not self.strategies:
            raise ModelDefinitionError("a Markov model needs at least one state and one strategy")
        self.n_cycles = require_whole(n_cycles, "n_cycles", 1, ModelDefinitionError)
        self.cycle_length = require_cycle_length(cycle_length, ModelDefinitionError)
        settings = conventions.resolve(convention, self.n_cycles, correction=correction, discount_timing=discount_timing,
                                       discount_method=discount_method, transition_timing=transition_timing)
        self.convention = conventions.get(settings.convention)
        self.correction, self.discount_timing = settings.correction, settings.discount_timing
        self.discount_method, self.transition_timing = settings.discount_method, settings.transition_timing
        for label, rate in (("discount_costs", discount_costs), ("discount_effects", discount_effects)):
            try:
                discount_factors(0.0, rate)  # validates the rate or schedule
            except ParameterError as err:
                raise ParameterError(f"{label}: {err}") from None
        self.discount_costs, self.discount_effects = discount_costs, discount_effects
        self.reward_weights()  # checks every option now (an unknown name, a schedule the method cannot take)
        self.start_age = _start_age(start_age)
        self.currency, self.name = currency, name
        if not (np.isfinite(tolerance) and 0 <= tolerance < 1e-3):
            raise ModelDefinitionError(f"tolerance: expected a small number >= 0 (e.g. 1e-9), got {tolerance!r}")
        self.tolerance = float(tolerance)
        self.transitions = _Spec(transitions, "transitions")
        self._setup_tunnels(dict(tunnels or {}))
        self.rewards = self._collect_rewards(state_rewards or {}, transition_rewards or {}, initial_rewards or {})
        self._parameters: dict[str, None] = {}
        if isinstance(self.start_age, str):
            self._parameters[self.start_age] = None
        self._check_constants()
        self.start = self._start_vector(start)

    def __repr__(self) -> str:
        tunnels = f", tunnels={self.tunnels}" if self.tunnels else ""
        correction = self.correction if isinstance(self.correction, str) else "custom weights"
        return (
            f"MarkovModel(states={list(self.states)}, strategies={list(self.strategies)}, "
            f"n_cycles={self.n_cycles}, cycle_length={self.cycle_length:g}, correction={correction!r}, "
            f"rewards={list(self.rewards)}{tunnels})"
        )

    # ----------------------------------------------------------------------------- set-up
    def _setup_tunnels(self, tunnels: dict[str, int]) -> None:
        self.tunnels: dict[str, int] = {}
        for state, length in tunnels.items():
            if state not in self.states:
                raise unknown_name("state", state, self.states)
            self.tunnels[state] = require_whole(length, f"tunnel state {state!r}: cycles in the tunnel", 1, ModelDefinitionError)
        self.index = {state: k for k, state in enumerate(self.states)}  # user state -> its position
        self.internal: list[str] = []
        self.group: dict[str, list[int]] = {}  # user state -> internal indices
        self.owner: list[int] = []  # internal index -> user state index
        self.tunnel_step: list[int] = []  # internal index -> in_state (1-based)
        for k, state in enumerate(self.states):
            length = self.tunnels.get(state, 1)
            self.group[state] = list(range(len(self.internal), len(self.internal) + length))
            for j in range(1, length + 1):
                self.internal.append(f"{state}[{j}]" if state in self.tunnels else state)
                self.owner.append(k)
                self.tunnel_step.append(j)
        self.max_tunnel = max(self.tunnels.values(), default=1)
        # destination of user target state c from internal row a
        self.dest = np.empty((len(self.internal), len(self.states)), dtype=int)
        for a in range(len(self.internal)):
            for c, target in enumerate(self.states):
                cells = self.group[target]
                if c == self.owner[a] and target in self.tunnels:
                    self.dest[a, c] = cells[min(self.tunnel_step[a], len(cells) - 1)]
                else:
                    self.dest[a, c] = cells[0]

    def _collect_rewards(self, state: Mapping, transition: Mapping, initial: Mapping) -> dict[str, Reward]:
        rewards: dict[str, Reward] = {}
        for slot, specs in (("state", state), ("transition", transition), ("initial", initial)):
            if not isinstance(specs, Mapping):
                raise ModelDefinitionError(f"{slot}_rewards: expected a mapping of reward name to values, got {type(specs).__name__}")
            for name, spec in specs.items():
                if not isinstance(name, str) or not name:
                    raise ModelDefinitionError(f"{slot}_rewards: reward names must be non-empty strings, got {name!r}")
                if name in _RESERVED or name.endswith("_undiscounted"):
                    raise ModelDefinitionError(
                        f"{slot}_rewards: reward name {name!r} is reserved ('cost' is the total of the cost_* "
                        "rewards, 'trace' the state trace, '_undiscounted' the undiscounted totals); "
                        "name cost categories like 'cost_drug'"
                    )
                kind = "cost" if is_cost(name) else "effect"
                reward = rewards.setdefault(name, Reward(name, kind))
                setattr(reward, slot, _Spec(spec, f"{slot} reward {name!r}", 2 if slot == "initial" else 3))
        return rewards

    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of the parameters read by name (strings) in constant definitions, in order of
        first use; what functions read is not inspected."""
        return tuple(self._parameters)

    def _constant(self, value: object, where: str, probability: bool = False) -> None:
        """Check one entry of a constant definition: note a parameter name, check a number."""
        if is_complement(value):
            raise ModelDefinitionError(f"{where}: the complement ({value!r}) is only for transition probabilities")
        if isinstance(value, str):
            if probability:
                _refuse_lookalike(value, where)
            self._parameters.setdefault(value, None)
            return
        arr = _as_numbers(value, where)
        if arr.ndim > 1 or arr.shape == (0,):
            raise ShapeError(f"{where}: expected a number, a parameter name or an array of shape (n_samples,), got shape {arr.shape}")
        n = arr.size
        if probability:
            self._probability(arr if arr.ndim else float(arr), where, n, None)
        else:
            require_finite(arr, where, ModelDefinitionError, index_name="sample")

    def _check_constants(self) -> None:
        """Check, when the model is built, what does not depend on the draws: constant
        matrices (states, shape, probabilities, row sums when every entry of a row is a number)
        and constant reward mappings (state and strategy names, finite numbers)."""
        if not callable(self.transitions.value):
            where = "transitions"
            rows = self._user_matrix(self.transitions.value, where)
            for i, row in enumerate(rows):
                numbers = all(v is C or (isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))) for v in row.values())
                if numbers:
                    self._check_row(i, row, where, 1, None)
                    continue
                if sum(v is C for v in row.values()) > 1:
                    self._check_row(i, {j: v for j, v in row.items() if v is C}, where, 1, None)
                for j, v in row.items():
                    if v is not C:
                        self._constant(v, f"{where}, from {self.states[i]!r} to {self.states[j]!r}", probability=True)
                # the named parameters are probabilities >= 0, so the numbers alone must not pass 1
                known = sum(float(v) for v in row.values() if isinstance(v, (int, float, np.number)))
                if known > 1 + self.tolerance:
                    raise TransitionError(
                        f"{where}, from {self.states[i]!r}: the numbers in the row already sum to {known!r}, more than 1 "
                        f"(absolute tolerance {self.tolerance:g})"
                    )
        for name, reward in self.rewards.items():
            if reward.state is not None and not callable(reward.state.value):
                self._state_keys(reward.state.value, f"state reward {name!r}", constant=True)
            if reward.transition is not None and not callable(reward.transition.value):
                self._transition_keys(reward.transition.value, f"transition reward {name!r}", constant=True)
            if reward.initial is not None and not callable(reward.initial.value):
                raw, where = reward.initial.value, f"initial reward {name!r}"
                if isinstance(raw, Mapping):
                    self._strategy_keys(raw, where)
                    for strategy, value in raw.items():
                        self._constant(value, f"{where}, strategy {strategy!r}")
                else:
                    self._constant(raw, where)

    def _state_keys(self, raw: object, where: str | Callable[[], str], constant: bool = False) -> None:
        """Refuse a state reward's mapping with a key that is not a state; ``where`` may be a
        function giving the location, so that a run builds the message only for an error."""
        if not isinstance(raw, Mapping):
            raise ModelDefinitionError(f"{_text(where)}: expected a mapping {{state: value per year}}, got {type(raw).__name__}")
        for state, value in raw.items():
            if state not in self.index:
                raise _unknown_in(_text(where), "state", state, self.states)
            if constant:
                self._constant(value, f"{_text(where)}, state {state!r}")

    def _transition_keys(self, raw: object, where: str, constant: bool = False) -> None:
        if not isinstance(raw, Mapping):
            raise ModelDefinitionError(f"{where}: expected a mapping {{(from, to): value}}, got {type(raw).__name__}")
        for key, value in raw.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise ModelDefinitionError(f"{where}: keys must be (from_state, to_state) pairs, got {key!r}")
            source, target = key
            if target not in self.states:
                raise _unknown_in(where, "state", target, self.states)
            if source != ANY and source not in self.states:
                raise _unknown_in(where, "state", source, [*self.states, ANY])
            if constant:
                self._constant(value, f"{where}, from {source!r} to {target!r}")

    def _strategy_keys(self, raw: Mapping, where: str) -> None:
        for key in raw:
            if key not in self.strategies:
                raise _unknown_in(where, "strategy", key, self.strategies)

    def _start_vector(self, start: object, p: ParameterView | None = None) -> np.ndarray | dict[str, object]:
        """Validate a starting distribution; return shape ``(k,)`` or ``(n, k)`` over user states.

        A mapping may name parameters and take :data:`C` for the rest. Without draws
        (``p=None``, when the model is built) such a mapping is checked as far as it can be
        (state names, numbers, complements) and returned as ``{state: value}``, to be resolved
        by :meth:`run`; with draws, every sample's proportions are checked.
        """
        where = "starting distribution"
        if isinstance(start, str):
            start = {start: 1.0}
        if isinstance(start, Mapping):
            return self._start_mapping(start, where, p)
        vec = as_float_array(start, where)
        if vec.ndim not in (1, 2) or vec.shape[-1] != len(self.states):
            raise ShapeError(
                f"{where}: expected {len(self.states)} proportions (states {list(self.states)}) "
                f"or an (n_samples, {len(self.states)}) array, got shape {vec.shape}"
            )
        for k, state in enumerate(self.states):
            _check_proportion(vec[..., k], f"{where}, state {state!r}")
        _check_start_sum(vec.sum(-1), where, self.tolerance)
        return vec

    def _start_mapping(self, start: Mapping, where: str, p: ParameterView | None) -> np.ndarray | dict[str, object]:
        """``{state: proportion}``: numbers, ``(n,)`` arrays, parameter names or one :data:`C`."""
        entries: dict[int, object] = {}
        for state, value in start.items():
            if state not in self.states:
                raise _unknown_in(where, "state", state, self.states)
            label = f"{where}, state {state!r}"
            if is_complement(value):
                entries[self.states.index(state)] = C
                continue
            if isinstance(value, str):
                _refuse_lookalike(value, label, ModelDefinitionError)
                if p is None:
                    self._parameters.setdefault(value, None)
                    entries[self.states.index(state)] = value
                    continue
                value = p.lookup(value, label)
            arr = _as_numbers(value.values if isinstance(value, xr.DataArray) else value, label)
            if arr.ndim > 1 or arr.shape == (0,) or (p is not None and arr.ndim == 1 and arr.shape != (p.n,)):
                shape = f"({p.n},)" if p is not None else "(n_samples,)"
                raise ShapeError(f"{label}: expected a number, a parameter name or an array of shape {shape}, got shape {arr.shape}")
            _check_proportion(arr, label)
            entries[self.states.index(state)] = float(arr) if arr.ndim == 0 else arr
        complements = [k for k, v in entries.items() if v is C]
        if len(complements) > 1:
            names = ", ".join(repr(self.states[k]) for k in complements)
            raise ModelDefinitionError(f"{where}: more than one state takes the complement C ({names}); at most one may")
        numbers = [v for v in entries.values() if v is not C and not isinstance(v, str)]
        lengths = {v.shape[0] for v in numbers if isinstance(v, np.ndarray)}
        if len(lengths) > 1:
            raise ShapeError(f"{where}: arrays have different lengths {sorted(lengths)} (one value per sample)")
        total = sum(numbers, 0.0)
        if len(numbers) < len(entries) - len(complements):  # names: resolved when the model is run
            known = np.asarray(total)
            if np.any(known > 1 + self.tolerance):
                raise ModelDefinitionError(
                    f"{where}: the numbers already sum to {first_bad(known, known > 1 + self.tolerance)}, more than 1 "
                    f"(tolerance {self.tolerance:g})"
                )
            return {self.states[k]: v for k, v in entries.items()}
        if complements:
            k = complements[0]
            entries[k] = _complement(total, f"{where}, state {self.states[k]!r}", "states", self.tolerance)
        shape = (lengths.pop(),) if lengths else ()
        vec = np.zeros(shape + (len(self.states),))
        for k, value in entries.items():
            vec[..., k] = value
        if not complements:
            _check_start_sum(vec.sum(-1), where, self.tolerance)
        return vec

    # ----------------------------------------------------------------------------- evaluation
    def _time(self, cycle: int | np.ndarray, in_state: int, reads: set[str], p: ParameterView) -> Time:
        """The time of ``cycle``; for a block of cycles (an integer array), ``cycle``, ``years`` and
        ``age`` as column arrays (one row per cycle)."""
        if isinstance(cycle, np.ndarray):
            cycle = cycle[:, None]
        years = (cycle - 1) * self.cycle_length
        age = self.start_age
        if isinstance(age, str):
            age = _as_value(age, p.n, "start_age", p)
            require_finite(age, f"start_age (parameter {self.start_age!r})", ModelDefinitionError, index_name="sample")
        return Time(cycle, years, None if age is None else age + years, in_state, reads)

    @staticmethod
    def _where(strategy: str, cycle: int | np.ndarray, step: int | None = None) -> str:
        stay = f", time in state {step}" if step is not None else ""
        when = f"cycles {cycle[0]}-{cycle[-1]}" if isinstance(cycle, np.ndarray) else f"cycle {cycle}"
        return f"strategy {strategy!r}, {when}{stay}"

    def _user_matrix(self, raw: object, where: str) -> list[dict[int, object]]:
        """Parse a user matrix into rows: {to index: value or C}."""
        k = len(self.states)
        rows: list[dict[int, object] | None] = [None] * k
        if raw.__class__ is dict or isinstance(raw, Mapping):
            index = self.index
            for source, row in raw.items():
                a = index.get(source)
                if a is None:
                    raise _unknown_in(where, "state", source, self.states)
                if not (row.__class__ is dict or isinstance(row, Mapping)):
                    raise ModelDefinitionError(f"{where}, from {source!r}: expected a mapping {{to_state: probability}}, got {type(row).__name__}")
                parsed = {}
                for target, value in row.items():
                    b = index.get(target)
                    if b is None:
                        raise _unknown_in(f"{where}, from {source!r}", "state", target, self.states)
                    parsed[b] = C if value is C or value.__class__ is str and is_complement(value) else value
                rows[a] = parsed
        else:
            if isinstance(raw, np.ndarray):
                raw = list(raw)
            if not isinstance(raw, Sequence) or len(raw) != k:
                raise ShapeError(f"{where}: expected a {k} x {k} matrix (states {list(self.states)}) or a mapping, got {type(raw).__name__}")
            for i, row in enumerate(raw):
                row = list(row) if isinstance(row, (Sequence, np.ndarray)) else None
                if row is None or len(row) != k:
                    raise ShapeError(f"{where}, from {self.states[i]!r}: expected a row of {k} entries")
                rows[i] = {j: C if is_complement(v) else v for j, v in enumerate(row)}
        missing = [self.states[i] for i, r in enumerate(rows) if r is None]
        if missing:
            raise TransitionError(f"{where}: no row given for from-state {missing[0]!r}; every state needs a row (e.g. {{'{missing[0]}': {{'{missing[0]}': 1}}}} for an absorbing state)")
        return rows  # type: ignore[return-value]

    def _check_rows(self, rows: list[dict[int, object]], where: str, p: ParameterView, block: int = 0) -> list[dict[int, float | np.ndarray]]:
        """Validate one user-level matrix, resolve parameter names and fill complements.

        For a block of ``block`` cycles (> 0) only plainly valid rows are taken
        (:meth:`_checked_row`); any other raises :class:`~healthecon.markov_engine.CycleByCycle`,
        and a cycle-by-cycle evaluation then says what is wrong.
        """
        if not block:
            return [self._check_row(i, row, where, p.n, p) for i, row in enumerate(rows)]
        checked = [self._checked_row(row, p.n, p, self.tolerance, block) for row in rows]
        if any(row is None for row in checked):
            raise CycleByCycle(f"{where}: a row is not plainly valid for every cycle of the block")
        return checked  # type: ignore[return-value]

    def _check_row(self, i: int, row: dict[int, object], where: str, n: int, p: ParameterView | None) -> dict[int, float | np.ndarray]:
        """One row: every entry a probability, at most one complement, the sum 1 (or at most 1 with C).

        With ``p=None`` (a constant matrix checked when the model is built) every entry must
        be a number or :data:`C`.
        """
        if p is not None:
            checked = self._checked_row(row, n, p, self.tolerance)
            if checked is not None:
                return checked
        tol = self.tolerance
        source = self.states[i]
        complement = [j for j, v in row.items() if v is C]
        if len(complement) > 1:
            names = ", ".join(repr(self.states[j]) for j in complement)
            raise TransitionError(f"{where}, from {source!r}: more than one complement (C) in the row (to {names}); at most one is allowed")
        values: dict[int, float | np.ndarray] = {}
        total: float | np.ndarray = 0.0
        for j, v in row.items():
            if v is C:
                continue
            value = self._probability(v, f"{where}, from {source!r} to {self.states[j]!r}", n, p)
            values[j] = value
            if total.__class__ is np.ndarray:
                total += value
            else:
                total = total + value  # a new array the first time an array is added
        if complement:
            j = complement[0]
            values[j] = _complement(total, f"{where}, from {source!r} to {self.states[j]!r}", "entries of the row", tol, TransitionError)
        else:
            lo, hi = (total, total) if total.__class__ is not np.ndarray else (total.min(), total.max())
            if not (abs(lo - 1.0) <= tol and abs(hi - 1.0) <= tol):
                off = np.abs(np.asarray(total) - 1.0) > tol
                raise TransitionError(
                    f"{where}, from {source!r}: row sums to {_show(total, off)}, expected 1 "
                    f"(absolute tolerance {tol:g}); use C for the complement"
                )
        return values

    @staticmethod
    def _checked_row(row: dict[int, object], n: int, p: ParameterView, tolerance: float,
                     block: int = 0) -> dict[int, float | np.ndarray] | None:
        """The row of :meth:`_check_row` when it is plainly valid, else None (``_check_row`` then
        checks it entry by entry and says what is wrong).

        Plainly valid: every entry a number or an ``(n,)`` array (or a parameter's name) with
        minimum >= 0, and either exactly one complement, >= 0 (the entries are then also <= 1:
        a sum of numbers >= 0 is at least each of them, so one reduction per entry replaces a
        minimum and a maximum), or no complement and a sum within ``tolerance`` of 1 and at most
        1 (so again each entry is at most 1). With one sample, arrays are taken as numbers, which
        the cohort engine propagates without numpy's per-call cost (the same IEEE arithmetic).
        For a block of ``block`` cycles (``block`` > 0) an entry may also be a ``(block, 1)`` or
        ``(block, n)`` array, one row per cycle.
        """
        shapes = ((n,), (block, 1), (block, n)) if block else ((n,),)
        values: dict[int, float | np.ndarray] = {}
        total: float | np.ndarray = 0.0
        owned = False  # whether total is an array made here (and may be added into)
        rest_at = -1
        for j, v in row.items():
            if v is C:
                if rest_at >= 0:
                    return None
                rest_at = j
                continue
            if v.__class__ is str:
                if v in _COMPLEMENT_LOOKALIKES or v not in p:
                    return None
                v = p[v]
            if v.__class__ is np.ndarray and v.dtype == np.float64 and v.shape in shapes:
                if n == 1 and v.ndim == 1:
                    v = float(v[0])
                elif not (_minimum(v, axis=None) >= 0.0):
                    return None
            elif v.__class__ is int or v.__class__ is np.float64:
                v = float(v)
            if v.__class__ is float:
                if not (v >= 0.0):
                    return None
            elif v.__class__ is not np.ndarray or v.dtype != np.float64 or v.shape not in shapes:
                return None
            values[j] = v
            if owned and (v.__class__ is float or v.shape == total.shape):
                total += v
            elif total.__class__ is float and total == 0.0:
                total = v  # 0 + v: the entry itself, not to be written into
            else:
                total = total + v
                owned = total.__class__ is np.ndarray
        if rest_at < 0:  # no complement: each entry at most 1, the sum 1
            if total.__class__ is float:  # entries >= 0 summing to at most 1 are each at most 1
                if not abs(total - 1.0) <= tolerance:
                    return None
                return values if total <= 1.0 or all(v <= 1.0 for v in values.values()) else None
            lo, hi = _minimum(total, axis=None), _maximum(total, axis=None)
            if not (abs(lo - 1.0) <= tolerance and abs(hi - 1.0) <= tolerance):
                return None
            if hi > 1.0 and not all(_maximum(v, axis=None) <= 1.0 for v in values.values()):
                return None
            return values
        rest = np.subtract(1.0, total, out=total) if owned else 1.0 - total  # the sum is not needed after this
        if rest.__class__ is float:
            if not (rest >= 0.0):
                return None
        elif not (_minimum(rest, axis=None) >= 0.0):
            return None
        values[rest_at] = rest
        return values

    @staticmethod
    def _probability(v: object, label: str, n: int, p: ParameterView | None) -> float | np.ndarray:
        """A transition entry: a number, an ``(n,)`` array or a parameter name, in ``[0, 1]``."""
        if isinstance(v, str):
            _refuse_lookalike(v, label)
        value = _as_value(v, n, label, p)
        scalar = value.__class__ is float
        lo, hi = (value, value) if scalar else (value.min(), value.max())
        if not (lo >= 0 and hi <= 1):  # also catches NaN
            bad = np.isnan(value)
            if np.any(bad):
                raise TransitionError(f"{label}: probability is NaN{_first_sample(bad)}")
            bad = (np.asarray(value) < 0) | (np.asarray(value) > 1)
            raise TransitionError(f"{label}: expected a probability in [0, 1], got {_show(value, bad)}")
        return value

    def _evaluate(self, spec: _Spec, p: ParameterView, strategy: str, cycle: int, in_state: int) -> tuple[object, set[str]]:
        reads: set[str] = set()
        time = self._time(cycle, in_state, reads, p) if spec.takes_time else None
        value = spec(p, strategy, time, cycle, in_state)
        return value, reads

    def _per_tunnel_step(self, spec: _Spec, p: ParameterView, strategy: str, cycle: int, steps: int) -> tuple[list[tuple[object, set[str]]], set[str]]:
        """Call ``spec`` with time in state 1, 2, ... ``steps``; stop after the first call that
        does not read ``time.in_state`` (its value then holds for every later step).

        Returns each call's ``(value, what it read)`` and the union of what was read.
        """
        if steps == 1:  # no tunnel (most models): one call, whose reads are the union
            raw, reads = self._evaluate(spec, p, strategy, cycle, 1)
            return [(raw, reads)], reads
        calls: list[tuple[object, set[str]]] = []
        reads_all: set[str] = set()
        for step in range(1, steps + 1):
            raw, reads = self._evaluate(spec, p, strategy, cycle, step)
            calls.append((raw, reads))
            reads_all |= reads
            if "in_state" not in reads:
                break
        return calls, reads_all

    def _step_index(self, a: int, n_steps: int) -> int:
        """Which of ``n_steps`` per-step values internal state ``a`` takes: its time in state, capped."""
        return min(self.tunnel_step[a], n_steps) - 1

    def transition_rows(self, p: ParameterView, strategy: str, cycle: int | np.ndarray, steps: int) -> tuple[list[dict[int, object]], set[str]]:
        """Internal rows {internal to-index: value} for one strategy and cycle; and what was read.

        ``cycle`` may be a block of cycles (an integer array of consecutive cycles): the
        functions are then called once with time as column arrays (:class:`Time`), and an
        entry is a number, an ``(n,)`` array, or a ``(cycles, 1)`` or ``(cycles, n)`` array
        with a row per cycle.
        """
        block = len(cycle) if isinstance(cycle, np.ndarray) else 0
        calls, reads_all = self._per_tunnel_step(self.transitions, p, strategy, cycle, steps)
        user: list[list[dict[int, object]]] = []
        for step, (raw, reads) in enumerate(calls, start=1):
            where = self._where(strategy, cycle, step if "in_state" in reads else None)
            user.append(self._check_rows(self._user_matrix(raw, where), where, p, block))
        if not self.tunnels:  # internal states are the user's
            return user[0], reads_all
        internal = []
        for a, owner in enumerate(self.owner):
            internal.append({int(self.dest[a, c]): v for c, v in user[self._step_index(a, len(user))][owner].items()})
        return internal, reads_all

    def state_values(self, reward: Reward, p: ParameterView, strategy: str, cycle: int | np.ndarray, steps: int) -> tuple[np.ndarray, set[str]]:
        """Per-cycle state reward values over internal states, shape (K, n or 1); for a block of
        cycles (as in :meth:`transition_rows`), (K, cycles, n or 1)."""
        block = len(cycle) if isinstance(cycle, np.ndarray) else 0
        values = np.zeros((len(self.internal), block, 1) if block else (len(self.internal), 1))
        calls, reads_all = self._per_tunnel_step(reward.state, p, strategy, cycle, steps)
        per_step = [raw for raw, _ in calls]
        for raw in per_step:
            self._state_keys(raw, lambda: f"state reward {reward.name!r}, {self._where(strategy, cycle)}")
        utility = reward.name == UTILITY
        single = per_step[0] if len(per_step) == 1 else None  # one call serves every state
        for a, owner in enumerate(self.owner):
            raw = single if single is not None else per_step[self._step_index(a, len(per_step))]
            state = self.states[owner]
            if state in raw:
                value = raw[state]
                if value.__class__ is int:
                    value = float(value)
                elif p.n == 1 and value.__class__ is np.ndarray and value.shape == (1,) and value.dtype == np.float64:
                    value = float(value[0])  # one sample: the same number
                if value.__class__ is float and value - value == 0.0 and (not utility or 0.0 <= value <= 1.0):
                    values[a] = value  # a finite number (and a utility in [0, 1]): nothing to check
                    continue
                step = self.tunnel_step[a] if state in self.tunnels else None
                where = f"state reward {reward.name!r}, {self._where(strategy, cycle, step)}, state {state!r}"
                value = _as_value(value, p.n, where, p, block)
                require_finite(value, where, ModelDefinitionError, index_name="sample")
                if utility:
                    check_utility(value, where)
                if np.shape(value)[-1:] == (p.n,) and values.shape[-1] != p.n:
                    values = np.repeat(values, p.n, axis=-1)
                values[a] = value
        # values per cycle (a new array here, so one-year cycles return it as it is)
        return (values if self.cycle_length == 1 else values * self.cycle_length), reads_all

    def transition_values(self, reward: Reward, p: ParameterView, strategy: str, cycle: int | np.ndarray, steps: int) -> tuple[list[tuple[list[int], list[int], object]], set[str]]:
        """``(internal from-rows, internal to-columns, value)`` items; and what the function read.

        A function reading ``time.in_state`` is evaluated for every tunnel cycle, and each
        internal from-row takes the value for its own time in state (1 outside tunnels). For a
        block of cycles (as in :meth:`transition_rows`) a value may have a row per cycle.
        """
        block = len(cycle) if isinstance(cycle, np.ndarray) else 0
        calls, reads_all = self._per_tunnel_step(reward.transition, p, strategy, cycle, steps)
        items = []
        for index, (raw, _) in enumerate(calls):
            self._transition_keys(raw, f"transition reward {reward.name!r}, {self._where(strategy, cycle)}")
            uses = {a for a in range(len(self.internal)) if self._step_index(a, len(calls)) == index}
            step = index + 1 if "in_state" in reads_all else None
            for key, value in raw.items():
                source, target = key
                cols = self.group[target]
                rows = [a for a in range(len(self.internal)) if a not in cols] if source == ANY else self.group[source]
                rows = [a for a in rows if a in uses]
                where = f"transition reward {reward.name!r}, {self._where(strategy, cycle, step)}, from {source!r} to {target!r}"
                v = _as_value(value, p.n, where, p, block)
                require_finite(v, where, ModelDefinitionError, index_name="sample")
                if rows:
                    items.append((rows, cols, v))
        return items, reads_all

    def initial_values(self, reward: Reward, p: ParameterView, strategies: Sequence[str]) -> np.ndarray:
        """One-off values at time 0 of an initial reward, shape ``(len(strategies), n)``."""
        out = np.zeros((len(strategies), p.n))
        for i, s in enumerate(strategies):
            raw = reward.initial(p, s, None)
            where = f"initial reward {reward.name!r}, strategy {s!r}"
            if isinstance(raw, Mapping):
                self._strategy_keys(raw, f"initial reward {reward.name!r}")
                raw = raw.get(s, 0.0)
            value = _as_value(raw, p.n, where, p)
            require_finite(value, where, ModelDefinitionError, index_name="sample")
            out[i] = value
        return out

    # ----------------------------------------------------------------------------- running
    def run(
        self,
        draws: xr.Dataset | Mapping[str, object],
        *,
        strategies: Sequence[str] | None = None,
        start: str | Mapping[str, float] | Sequence[float] | np.ndarray | None = None,
        trace: bool | str = False,
        undiscounted: bool = True,
        cohort_size: float = 1.0,
    ) -> xr.Dataset:
        """Run the cohort for every sample and strategy; return an outcome set.

        Parameters
        ----------
        draws
            Parameter draws: an ``xarray.Dataset`` with dimension ``sample`` (from
            ``Parameters.sample`` or ``base_case``), or a mapping of name to array.
        strategies
            Strategies to run (default all), in the order wanted; a single name may be
            given. The result for a strategy does not depend on which others are run.
        start
            Override the starting distribution for this call: a mapping (numbers, arrays,
            parameter names, :data:`C` for the rest), a state name, a ``(k,)`` or an
            ``(n_samples, k)`` array; as the model's ``start``.
        trace
            ``True`` adds ``trace`` (sample, strategy, cycle, state): memory ``8 n S (T+1) k``
            bytes; ``"mean"`` adds the mean over samples (strategy, cycle, state); ``False``
            (default) keeps only running totals.
        undiscounted
            Also return the undiscounted totals (``<name>_undiscounted``, ``cost_undiscounted``;
            default). ``False`` skips them (a little faster; e.g. for threshold searches).
        cohort_size
            Number of people in the cohort (default 1: results per person). Every total and the
            trace are multiplied by it, so results are per cohort of ``cohort_size`` (heemod
            reports per 1,000 by default, TreeAge and Sonnenberg & Beck's tables per 10,000);
            the outcome set's attribute ``cohort_size`` records it. ICERs do not change.

        Returns
        -------
        xarray.Dataset
            An outcome set: one variable per reward (discounted), ``cost`` (total of the
            ``cost_*`` rewards), ``<name>_undiscounted`` and ``cost_undiscounted``; attrs
            ``cost="cost"``, ``effect`` (``qaly`` if defined, else the first effect).
        """
        if trace not in (False, True, "mean"):
            raise ModelDefinitionError(f"trace: expected False, True or 'mean', got {trace!r}")
        _check_cohort_size(cohort_size)
        with numbered_samples(draws):  # a chunk's messages name its samples by their numbers in the whole run
            p, names, start_vec = self._run_inputs(draws, strategies, start)
            out = CohortEngine(self, p, names, start_vec, trace, bool(undiscounted)).run()
        if cohort_size != 1:
            for name in out.data_vars:
                out[name] = (out[name] * float(cohort_size)).assign_attrs(out[name].attrs)
            if "trace" in out:
                out["trace"].attrs["description"] = f"number of people in each state (of {cohort_size:g}) at the end of each cycle; cycle 0 is the start"
        out.attrs["cohort_size"] = float(cohort_size)
        return out

    def _run_inputs(self, draws: xr.Dataset | Mapping[str, object], strategies: Sequence[str] | str | None,
                    start: object) -> tuple[ParameterView, list[str], np.ndarray]:
        """The draws as a :class:`ParameterView`, the strategies to run and the starting distribution, checked."""
        p = ParameterView(draws)
        n = p.n
        names = list(self.strategies) if strategies is None else [strategies] if isinstance(strategies, str) else list(strategies)
        for s in names:
            if s not in self.strategies:
                raise unknown_name("strategy", s, self.strategies)
        require_unique(names, "strategies", ModelDefinitionError)
        start_vec = self.start if start is None else self._start_vector(start, p)
        if isinstance(start_vec, dict):  # the model's start names parameters
            start_vec = self._start_vector(start_vec, p)
        if start_vec.ndim == 2 and start_vec.shape[0] != n:
            raise ShapeError(f"starting distribution: has {start_vec.shape[0]} rows but the draws have {n} samples")
        return p, names, start_vec

    def reward_weights(self) -> dict[str, conventions.RewardWeights]:
        """The weights of costs, effects and undiscounted totals on the trace, by the model's convention.

        ``{"cost": ..., "effect": ..., "undiscounted": ...}``, each a
        :class:`~healthecon.conventions.RewardWeights` from
        :meth:`healthecon.conventions.Settings.weights` (counting, discount timing and formula,
        transition-reward timing). Computed once while the settings stay the same objects, and
        read-only, as every run shares them.
        """
        key = (self.convention.name, self.correction, self.discount_timing, self.discount_method, self.transition_timing,
               self.n_cycles, self.cycle_length, self.discount_costs, self.discount_effects)
        cached = self.__dict__.get("_weights")
        if cached is not None and len(cached[0]) == len(key) and all(a is b for a, b in zip(cached[0], key)):
            return cached[1]  # the same settings (the same objects): the same weights
        settings = conventions.Settings(self.convention.name, self.correction, self.discount_timing, self.discount_method,
                                        self.transition_timing)
        weights = settings.weights(self.n_cycles, self.cycle_length, self.discount_costs, self.discount_effects)
        for w in weights.values():
            for values in (w.start, w.end, w.transition):
                values.flags.writeable = False  # shared by every run of the model
        self._weights = (key, weights)
        return weights

    def values_by_cycle(
        self,
        draws: xr.Dataset | Mapping[str, object],
        *,
        strategies: Sequence[str] | None = None,
        start: str | Mapping[str, float] | Sequence[float] | np.ndarray | None = None,
        cohort_size: float = 1.0,
    ) -> pd.DataFrame:
        """Cost and effects of each cycle by strategy, discounted and not (heemod's ``get_values``).

        Row ``cycle = t`` holds what cycle ``t`` adds to the totals of :meth:`run`: its state
        rewards with the within-cycle weights and discounting of the model's convention, and
        the rewards of the transitions that happen in it, with all the weight the convention
        gives them (heemod's life-table method counts half of them in the next cycle; here
        they stay in their own); row ``cycle = 0`` holds the one-off rewards at time 0
        (``initial_rewards``). So each column sums over the cycles of a strategy to the total
        :meth:`run` returns (the mean over samples). Under a correction that gives weight to
        the start of a cycle, cycle ``t``'s row includes that part of membership at point
        ``t - 1``.

        Each cycle is isolated by running the model with every other cycle's weights set to 0
        (:meth:`healthecon.conventions.RewardWeights.only_cycle`), so this costs
        ``n_cycles + 1`` runs: use it on the base case or a few draws.

        Parameters
        ----------
        draws, strategies, start, cohort_size
            As for :meth:`run`; with several samples the values are means over them.

        Returns
        -------
        pandas.DataFrame
            Columns ``strategy``, ``cycle`` and the outcome variables of :meth:`run` (``cost``,
            each reward, and their ``_undiscounted`` totals), one row per strategy and cycle
            ``0..n_cycles``.

        Examples
        --------
        >>> model = MarkovModel(["alive", "dead"], ["usual"], {"alive": {"alive": C, "dead": 0.2}, "dead": {"dead": 1}},
        ...                     start="alive", n_cycles=2, convention="heemod", discount_costs=0.06,
        ...                     state_rewards={"cost_care": {"alive": 100}})
        >>> model.values_by_cycle({})[["cycle", "cost_care", "cost_care_undiscounted"]].round(4)
           cycle  cost_care  cost_care_undiscounted
        0      0     0.0000                     0.0
        1      1    90.0000                    90.0
        2      2    67.9245                    72.0
        """
        _check_cohort_size(cohort_size)
        p, names, start_vec = self._run_inputs(draws, strategies, start)
        weights = self.reward_weights()

        def only(cycle: int) -> xr.Dataset:
            out = CohortEngine(self, p, names, start_vec, False, True, {k: w.only_cycle(cycle) for k, w in weights.items()}).run()
            return out.mean(SAMPLE) * float(cohort_size)

        initial = only(0)  # the one-off rewards at time 0 only
        cycles = [initial] + [only(t) - initial for t in range(1, self.n_cycles + 1)]
        table = xr.concat(cycles, dim="cycle").assign_coords(cycle=np.arange(self.n_cycles + 1)).transpose(STRATEGY, "cycle")
        return table.to_dataframe().reset_index()[[STRATEGY, "cycle", *initial.data_vars]]
