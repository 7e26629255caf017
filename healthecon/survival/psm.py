"""Partitioned survival models: state membership read from survival curves, vectorised over samples.

A partitioned survival model (PSM; Woods, Sideris, Palmer, Latimer & Soares 2017, *NICE DSU
Technical Support Document 19: Partitioned survival analysis for decision modelling in health
care*) takes ``N - 1`` ordered survival curves per strategy -- progression-free survival (PFS)
and overall survival (OS) for the usual three states -- and reads state membership off them::

    state 0 (progression-free)  = S_1(t)              (PFS)
    state k                     = S_{k+1}(t) - S_k(t)  (progressed = OS - PFS)
    last state (dead)           = 1 - S_{N-1}(t)       (1 - OS)

so ``N`` states come from ``N - 1`` curves (hesim's N-state PSM; pierucci/heemod#243). Curves are
any objects with ``survival(t_years, draws)`` (see :mod:`healthecon.survival.transforms`),
evaluated once per strategy at the cycle times ``0, L, 2L, ..., T L`` for every sample at once.

Constraints
-----------
An inner curve above an outer one (PFS above OS) would put a negative proportion in a state.
The ``crossing`` rule says what to do, by name (:data:`CROSSING_RULES`):

``"cap"`` (default)
    each curve is capped at the next one out, ``S_k(t) = min(S_k(t), S_{k+1}(t))``: "PFS never
    above OS", as heemod does (pierucci/heemod#360) and as most appraisal models do.
``"hazard"``
    per cycle, an inner curve's conditional survival ``S_k(t) / S_k(t - L)`` is at most the
    outer one's, i.e. the hazard of PFS is at least that of OS (death ends progression-free
    survival too); the curve is rebuilt as the running product of those ratios from the
    first cycle where its own ratio was higher.
``"error"``
    crossing curves raise :class:`~healthecon.errors.ModelDefinitionError` naming the
    strategy, curves, sample and time.

Nothing is changed silently: the outcome set's attributes say which rule was used and how many
samples and sample-cycles it changed for each strategy (``crossing_samples``,
``crossing_cycles``, the largest change ``crossing_largest``, and ``crossing_summary`` in words),
and a :class:`CurveCrossingWarning` says the same
when the rule changed anything. Curves must be in ``[0, 1]`` and non-increasing (an increase
of more than ``1e-12`` raises, naming the strategy, curve, sample and cycle). General-population
mortality is a property of a curve: wrap it in
:class:`~healthecon.survival.transforms.BackgroundMortality`.

Rewards, correction and discounting
-----------------------------------
As in :class:`~healthecon.markov.MarkovModel`: names starting ``cost_`` are costs, others
effects; state rewards are values per year in a state, multiplied by the cycle length; each
spec is a mapping ``{state: value}`` or a function of ``(p, strategy)`` or ``(p, strategy,
time)`` (``time`` a :class:`~healthecon.markov.Time`; such a function is called once per
cycle and its value holds for the whole cycle), and each value a number, an array with one
value per sample, or a parameter's name. The within-cycle correction is any of
:mod:`healthecon.correction`'s methods, and discount rates are numbers or
:class:`~healthecon.discount.DiscountSchedule`.

``discount_timing`` says when the corrected occupancy is discounted:

``"points"`` (default)
    every trace point at its own time, ``D(tL)``, as :class:`~healthecon.markov.MarkovModel`
    and hesim do (see :mod:`healthecon.correction`).
``"start"``, ``"middle"``, ``"end"``
    each cycle's corrected occupancy discounted once, at the start ``D((t-1)L)``, middle or
    end ``D(tL)`` of the cycle: heemod's convention (``discount(x, r)`` gives the first cycle
    factor 1, ``first = TRUE`` discounts it), and that of many spreadsheet models.

``entry_rewards`` are one-off values on entering a state (a cost of progression, of death).
A PSM does not know who moves where, only how many cross each curve, so the entries into
state ``k >= 1`` in cycle ``t`` are the events of the curve above it, ``S_k(t - 1) - S_k(t)``:
for death the new deaths (exact); for progression all PFS events, which include deaths
before progression (an upper bound on progressions, as in most PSMs). They are discounted at
the start, middle or end of the cycle as :func:`healthecon.correction.transition_timing` says
for the correction (or at ``discount_timing`` when that is not ``"points"``).
``initial_rewards`` are values at time 0 (``{strategy: value}`` or a function of ``(p,
strategy)``).

Outcomes
--------
The shared layout (:mod:`healthecon.outcomes`), as :class:`~healthecon.markov.MarkovModel`
returns it: one variable per reward, ``cost`` (all ``cost_*``), ``ly`` (life-years: 1 a year
in every state but the last, added unless a reward of that name is given), and
``<name>_undiscounted``; plus ``<reward>_by_state`` (sample, strategy, state) for each state
reward (discounted), ``restricted_mean`` (sample, strategy, curve): the mean time under each
curve up to the horizon, in years, undiscounted, with the model's correction (the area under
the curve), and with ``trace=True`` the state membership ``trace`` (sample, strategy, cycle,
state) that :func:`~healthecon.plot.plot_trace` and :func:`~healthecon.plot.psm.plot_state_occupancy`
draw.

Examples
--------
Exponential PFS and OS (rates 0.5 and 0.2 a year), three annual cycles, no correction and no
discounting: the progressed state holds ``exp(-0.2 t) - exp(-0.5 t)``:

>>> import numpy as np
>>> class Exponential:
...     def __init__(self, rate): self.rate = rate
...     def survival(self, t, draws=None): return np.exp(-self.rate * np.asarray(t))[None, :]
>>> model = PartitionedSurvivalModel(
...     {"usual care": {"PFS": Exponential(0.5), "OS": Exponential(0.2)}},
...     n_cycles=3, correction="end", discount_costs=0, discount_effects=0,
...     state_rewards={"qaly": {"progression-free": 0.8, "progressed": 0.6}})
>>> out = model.run({}, trace=True)
>>> out["trace"].sel(strategy="usual care", state="progressed").values.round(4).tolist()
[[0.0, 0.2122, 0.3024, 0.3257]]
>>> float(out["ly"][0, 0].round(4)), float(out["qaly"][0, 0].round(4))   # 0.8 x PFS + 0.6 x (OS - PFS), summed
(2.0379, 1.4622)
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext

import numpy as np
import xarray as xr

from .. import conventions
from .._products import row_products
from .._validate import as_float_array, one_number, require_cycle_length, require_unique, require_whole
from ..discount import DiscountSchedule, discount_factors
from ..errors import ModelDefinitionError, ParameterError, ShapeError, UnknownNameError, unknown_name
from ..markov import Time
from ..outcomes import SAMPLE, STRATEGY, make_outcomes
from ..voi.smoother import one_blas_thread
from .transforms import always_valid, as_draws, evaluate_survival, parameter_names, shared_evaluations

__all__ = ["PartitionedSurvivalModel", "CurveCrossingWarning", "CROSSING_RULES", "DISCOUNT_TIMINGS", "CHUNK_VALUES"]

CROSSING_RULES = {
    "cap": "each curve capped at the next one out (PFS at OS): S_k(t) = min(S_k(t), S_k+1(t)), as heemod (pierucci/heemod#360)",
    "hazard": "per cycle, each curve's conditional survival at most the next one's (PFS hazard at least OS hazard)",
    "error": "crossing curves raise an error",
}
#: The PSM's own names for discount timing, kept as aliases of :mod:`healthecon.conventions`'
#: timings (``"points"`` is ``"point"``; ``"start"`` is ``"cycle-start"``, whose entry rewards are
#: discounted at the same time as the cycle).
DISCOUNT_TIMINGS = {"points": "point", "start": "cycle-start", "middle": "cycle-middle", "end": "cycle-end"}
THREE_STATES = ("progression-free", "progressed", "dead")
_RESERVED = frozenset({"cost", "trace", "restricted_mean"})
_INCREASE_TOLERANCE = 1e-12
#: A curve above the next one out (or, under the 'hazard' rule, with a higher conditional survival)
#: by no more than this is equal to it but for rounding: kept below it without counting a crossing.
_CROSSING_TOLERANCE = 1e-12
#: Values per curve in a chunk of samples by default (4 MiB of float64: a core's cache on common hardware).
CHUNK_VALUES = 2**19
#: Curves x samples from which a run keeps BLAS to one thread (below it, limiting costs more than it saves).
_ONE_THREAD_FROM = 4096
#: Point weights whose products with every curve give all the areas a run needs.
_COLUMNS = ("undisc", "cost", "effect", "undisc_entries", "cost_entries", "effect_entries")


class CurveCrossingWarning(UserWarning):
    """A crossing rule changed curves (inner above outer) in some samples and cycles."""


class _Draws(Mapping):
    """Read-only view of one chunk of draws: ``p[name]`` is a float array, one value per sample.

    ``columns`` holds each variable's values once for the whole run (sample first), so that a
    chunk is a slice ``lo:hi`` of them, not a new ``xarray`` selection.
    """

    def __init__(self, columns: Mapping[str, np.ndarray], lo: int, hi: int, where: str | tuple = ""):
        self._columns, self.lo, self.hi, self.n, self.where = columns, lo, hi, hi - lo, where

    @staticmethod
    def columns_of(draws: xr.Dataset | None) -> dict[str, np.ndarray]:
        """Each variable's values with the sample dimension first (variables without it as they are)."""
        if draws is None:
            return {}
        out = {}
        for name in draws.data_vars:
            variable = draws.variables[name]
            out[name] = variable.transpose(SAMPLE, ...).values if SAMPLE in variable.dims else variable.values
        return out

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._columns:
            where = _where(self.where)
            raise UnknownNameError(f"{where}: {unknown_name('parameter', name, list(self._columns))}" if where else
                                   str(unknown_name("parameter", name, list(self._columns))))
        values = self._columns[name]
        return as_float_array(values[self.lo:self.hi] if np.ndim(values) else values, f"parameter {name!r}")

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class _Reward:
    """A named reward: its kind and the specs for states, entries and time 0."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind = "cost" if name.startswith("cost_") else "effect"
        self.state: object = None
        self.entry: object = None
        self.initial: object = None
        self.dynamic: dict[str, bool] = {"state": False, "entry": False, "initial": False}  # a function of time, per slot


def _takes_time(spec: object, what: str) -> bool:
    """Whether a reward function takes ``(p, strategy, time)`` rather than ``(p, strategy)``."""
    if not callable(spec):
        return False
    required = [q for q in inspect.signature(spec).parameters.values()
                if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD) and q.default is q.empty]
    if len(required) not in (2, 3):
        raise ModelDefinitionError(f"{what}: a function must take (p, strategy) or (p, strategy, time), got {len(required)} arguments")
    return len(required) == 3


class PartitionedSurvivalModel:
    """A partitioned survival model: states from ordered survival curves, per strategy.

    Parameters
    ----------
    curves
        ``{strategy: {curve name: curve}}``, curves ordered from the innermost (PFS) to overall
        survival, the same names for every strategy (a list per strategy names them ``PFS``,
        ``OS`` for two curves, ``S1``, ``S2``, ... otherwise).
    states
        State names, one more than the curves; default ``("progression-free", "progressed",
        "dead")`` for two curves.
    n_cycles, cycle_length
        Number of cycles and years per cycle (``1/12`` monthly), as in
        :class:`~healthecon.markov.MarkovModel`.
    state_rewards, entry_rewards, initial_rewards
        ``{reward name: spec}``; see the module docstring.
    discount_costs, discount_effects
        Annual rates (``0.035``) or :class:`~healthecon.discount.DiscountSchedule`.
    convention
        A preset of :mod:`healthecon.conventions` (``"healthecon"``, the default, ``"heemod"``,
        ``"hesim"``, ``"darth"``, ``"treeage"``) that sets the counting and the three timings
        together, as for :class:`~healthecon.markov.MarkovModel`; any option below that is
        given overrides it.
    correction
        Within-cycle correction (:mod:`healthecon.correction`); default the preset's.
    discount_timing
        A timing of :data:`healthecon.conventions.DISCOUNT_TIMINGS` (``"point"``,
        ``"cycle-start"``, ...) or its PSM alias ``"points"``, ``"start"``, ``"middle"``, ``"end"``
        (:data:`DISCOUNT_TIMINGS`); default the preset's.
    discount_method, transition_timing
        As :func:`healthecon.conventions.reward_weights` names them; default the preset's. With a
        PSM alias for ``discount_timing`` other than ``"points"``, entry rewards are discounted at
        that time unless ``transition_timing`` says otherwise.
    crossing
        ``"cap"``, ``"hazard"`` or ``"error"`` (:data:`CROSSING_RULES`).
    start_age
        Age at time 0, for ``time.age`` in reward functions.
    currency, name
        Currency symbol, and a label stored in the outcome set.
    chunk_size
        Samples evaluated at once (memory is about ``chunk_size x (n_cycles + 1) x curves x
        strategies x 8`` bytes a few times over); results do not depend on it. The default
        (``None``) takes as many as keep each curve's block near 4 MiB (:data:`CHUNK_VALUES`
        values), which stays in a core's cache: 1,089 samples for 480 cycles.

    Raises
    ------
    ModelDefinitionError
        For a definition that does not fit together (curve names differing between
        strategies, the wrong number of states, an unknown rule, a reserved reward name, an
        entry reward on the first state).
    UnknownNameError
        For a reward naming a state that does not exist.

    Examples
    --------
    Fitted-style Weibull curves read from PSA draws, a new drug by hazard ratios, monthly
    cycles; PFS above OS in a sample is capped and reported:

    >>> import numpy as np, xarray as xr
    >>> from healthecon.survival import HazardRatio, ParametricCurve
    >>> pfs = ParametricCurve("weibullPH", shape=1.2, scale="pfs_scale")
    >>> os_ = ParametricCurve("weibullPH", shape=1.1, scale=0.15)
    >>> model = PartitionedSurvivalModel(
    ...     {"usual care": {"PFS": pfs, "OS": os_},
    ...      "new drug": {"PFS": HazardRatio(pfs, 0.6), "OS": HazardRatio(os_, 0.8)}},
    ...     n_cycles=120, cycle_length=1 / 12,
    ...     state_rewards={"qaly": {"progression-free": 0.8, "progressed": 0.6},
    ...                    "cost_drug": lambda p, s: {"progression-free": 20_000 if s == "new drug" else 0}})
    >>> draws = xr.Dataset({"pfs_scale": ("sample", [0.3, 0.1])})   # the second puts PFS above OS
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     out = model.run(draws)
    >>> out["qaly"].values.round(2).tolist()
    [[2.99, 3.52], [3.35, 3.78]]
    >>> out.attrs["crossing_samples"].tolist()
    [1, 1]
    """

    def __init__(
        self,
        curves: Mapping[str, Mapping[str, object] | Sequence[object]],
        *,
        states: Sequence[str] | None = None,
        n_cycles: int,
        cycle_length: float = 1.0,
        state_rewards: Mapping[str, object] | None = None,
        entry_rewards: Mapping[str, object] | None = None,
        initial_rewards: Mapping[str, object] | None = None,
        discount_costs: float | DiscountSchedule = 0.035,
        discount_effects: float | DiscountSchedule = 0.035,
        correction: str | Sequence[float] | None = None,
        discount_timing: str | None = None,
        crossing: str = "cap",
        start_age: float | None = None,
        currency: str = "£",
        name: str = "partitioned survival",
        chunk_size: int | None = None,
        convention: str = "healthecon",
        discount_method: str | None = None,
        transition_timing: str | None = None,
    ) -> None:
        if not isinstance(curves, Mapping) or not curves:
            raise ModelDefinitionError("curves: expected a mapping {strategy: {curve name: curve}} with at least one strategy")
        self.strategies = require_unique([str(s) for s in curves], "strategies", ModelDefinitionError)
        self.curves: dict[str, dict[str, object]] = {}
        for strategy, given in curves.items():
            if isinstance(given, Mapping):
                named = dict(given)
            else:
                given = list(given)
                labels = ["PFS", "OS"] if len(given) == 2 else [f"S{i + 1}" for i in range(len(given))]
                named = dict(zip(labels, given))
            if not named:
                raise ModelDefinitionError(f"curves for strategy {strategy!r}: expected at least one curve")
            for label, curve in named.items():
                if not callable(getattr(curve, "survival", None)):
                    raise ModelDefinitionError(f"strategy {strategy!r}, curve {label!r}: expected a survival curve (with a survival(t, draws) method), got {type(curve).__name__}")
            self.curves[str(strategy)] = named
        names = [tuple(c) for c in self.curves.values()]
        if any(n != names[0] for n in names):
            raise ModelDefinitionError(f"curves: every strategy needs the same curves in the same order; got {dict(zip(self.strategies, names))}")
        self.curve_names = names[0]
        if states is None:
            if len(self.curve_names) != 2:
                raise ModelDefinitionError(f"states: name the {len(self.curve_names) + 1} states for {len(self.curve_names)} curves")
            states = THREE_STATES
        self.states = require_unique(states, "states", ModelDefinitionError)
        self._state_index = {state: k for k, state in enumerate(self.states)}
        if len(self.states) != len(self.curve_names) + 1:
            raise ModelDefinitionError(f"states: {len(self.curve_names)} curves make {len(self.curve_names) + 1} states, got {len(self.states)} names {list(self.states)}")
        self.n_cycles = require_whole(n_cycles, "n_cycles", 1, ModelDefinitionError)
        self.cycle_length = require_cycle_length(cycle_length, ModelDefinitionError)
        for label, rate in (("discount_costs", discount_costs), ("discount_effects", discount_effects)):
            try:
                discount_factors(0.0, rate)
            except ParameterError as err:
                raise ParameterError(f"{label}: {err}") from None
        self.discount_costs, self.discount_effects = discount_costs, discount_effects
        timing = DISCOUNT_TIMINGS.get(discount_timing, discount_timing)
        if transition_timing is None and discount_timing in DISCOUNT_TIMINGS and timing != "point":
            transition_timing = timing  # the PSM alias discounts entries with their cycle
        self.settings = conventions.resolve(convention, self.n_cycles, correction=correction, discount_timing=timing,
                                            discount_method=discount_method, transition_timing=transition_timing)
        self.correction = self.settings.correction
        self.discount_timing = self.settings.discount_timing
        if crossing not in CROSSING_RULES:
            raise ModelDefinitionError(f"crossing: expected one of {list(CROSSING_RULES)} ({'; '.join(f'{k}: {v}' for k, v in CROSSING_RULES.items())}), got {crossing!r}")
        self.crossing = crossing
        if isinstance(start_age, str):
            raise ModelDefinitionError(
                f"start_age: expected the cohort's age at time 0 as a number of years, got the name {start_age!r}; a "
                "partitioned survival model has one age for every sample (for an age that varies, give "
                "BackgroundMortality(curve, table, start_age=name) and read the parameter in reward functions)")
        age = None if start_age is None else one_number(start_age)
        if start_age is not None and (age is None or not math.isfinite(age) or age < 0):
            raise ModelDefinitionError(f"start_age: expected the cohort's age at time 0 in years (a finite number >= 0), got {start_age!r}")
        self.start_age = age
        self.currency, self.name = currency, name
        self.chunk_size = max(1, CHUNK_VALUES // (self.n_cycles + 1)) if chunk_size is None else \
            require_whole(chunk_size, "chunk_size", 1, ModelDefinitionError)
        self.rewards = self._collect(state_rewards or {}, entry_rewards or {}, initial_rewards or {})

    def __repr__(self) -> str:
        correction = self.correction if isinstance(self.correction, str) else "custom weights"
        return (f"PartitionedSurvivalModel(strategies={list(self.strategies)}, curves={list(self.curve_names)}, "
                f"states={list(self.states)}, n_cycles={self.n_cycles}, cycle_length={self.cycle_length:g}, "
                f"correction={correction!r}, crossing={self.crossing!r}, rewards={list(self.rewards)})")

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameters the curves read (as their ``parameter_names`` say) and reward mappings name."""
        names: dict[str, None] = {}
        for curves in self.curves.values():
            for curve in curves.values():
                names.update(dict.fromkeys(parameter_names(curve)))
        for reward in self.rewards.values():
            for spec in (reward.state, reward.entry, reward.initial):
                if isinstance(spec, Mapping):
                    names.update(dict.fromkeys(v for v in spec.values() if isinstance(v, str)))
        return tuple(names)

    # ------------------------------------------------------------------ set-up
    def _collect(self, state: Mapping, entry: Mapping, initial: Mapping) -> dict[str, _Reward]:
        rewards: dict[str, _Reward] = {}
        for slot, specs in (("state", state), ("entry", entry), ("initial", initial)):
            if not isinstance(specs, Mapping):
                raise ModelDefinitionError(f"{slot}_rewards: expected a mapping of reward name to values, got {type(specs).__name__}")
            for name, spec in specs.items():
                if not isinstance(name, str) or not name or name in _RESERVED or name.endswith(("_undiscounted", "_by_state")):
                    raise ModelDefinitionError(
                        f"{slot}_rewards: reward name {name!r} is empty or reserved ('cost' is the total of the cost_* rewards; "
                        "'trace', 'restricted_mean', '_undiscounted' and '_by_state' name outputs); name cost categories like 'cost_drug'")
                what = f"{slot} reward {name!r}"
                _takes_time(spec, what)
                if slot == "initial":
                    if callable(spec) and _takes_time(spec, what):
                        raise ModelDefinitionError(f"{what}: a value at time 0 is a function of (p, strategy), not of time")
                    if isinstance(spec, Mapping):
                        for key in spec:
                            if key not in self.strategies:
                                raise UnknownNameError(f"{what}: {unknown_name('strategy', key, self.strategies)}")
                elif isinstance(spec, Mapping):
                    self._check_states(spec, what, slot)
                elif not callable(spec):
                    raise ModelDefinitionError(f"{what}: expected a mapping {{state: value}} or a function of (p, strategy[, time]), got {type(spec).__name__}")
                reward = rewards.setdefault(name, _Reward(name))
                setattr(reward, slot, spec)
                reward.dynamic[slot] = _takes_time(spec, what)
        if "ly" not in rewards:
            rewards["ly"] = _Reward("ly")
            rewards["ly"].state = {s: 1.0 for s in self.states[:-1]}
        return rewards

    def _check_states(self, spec: Mapping, what: str, slot: str) -> None:
        for state, value in spec.items():
            if state not in self.states:
                raise UnknownNameError(f"{what}: {unknown_name('state', state, self.states)}")
            if slot == "entry" and state == self.states[0]:
                raise ModelDefinitionError(f"{what}: nobody enters the first state {state!r} in a partitioned survival model")
            if not isinstance(value, str):
                arr = as_float_array(value, f"{what}, state {state!r}")
                if not np.isfinite(arr).all():
                    raise ModelDefinitionError(f"{what}, state {state!r}: expected finite numbers, got {value!r}")

    # ------------------------------------------------------------------ helpers
    def _time(self, cycle: int) -> Time:
        years = (cycle - 1) * self.cycle_length
        return Time(cycle, years, None if self.start_age is None else self.start_age + years)

    def _state_values(self, spec: object, dynamic: bool, p: _Draws, strategy: str, cycle: int, what: str, slot: str) -> dict[int, float | np.ndarray]:
        """One strategy's reward values for one cycle: state index -> a number or one value per sample, checked."""
        p.where = (what, strategy, cycle, None)  # names this reward if the function reads a parameter the draws lack
        raw = spec(p, strategy, self._time(cycle)) if dynamic else spec(p, strategy) if callable(spec) else spec
        if not isinstance(raw, Mapping):
            raise ModelDefinitionError(f"{what}, strategy {strategy!r}: expected a mapping {{state: value}}, got {type(raw).__name__}")
        out = {}
        for state, value in raw.items():
            k = self._state_index.get(state) if isinstance(state, str) else None
            if k is None:
                raise UnknownNameError(f"{what}: {unknown_name('state', state, self.states)}")
            if slot == "entry" and k == 0:
                raise ModelDefinitionError(f"{what}: nobody enters the first state {state!r} in a partitioned survival model")
            out[k] = self._number(value, p, (what, strategy, cycle, state))
        return out

    @staticmethod
    def _number(value: object, p: _Draws, where: str | tuple) -> float | np.ndarray:
        """A reward value as a finite number or one per sample; ``where`` names it in errors
        (a tuple ``(what, strategy, cycle, state)`` is spelled out only when needed)."""
        if type(value) is float or type(value) is int:
            if math.isfinite(value):
                return float(value)
        elif isinstance(value, str):
            p.where = where
            arr = p[value]
            if arr.ndim == 0 or arr.shape == (p.n,):
                _require_finite(arr, p, lambda: f"{_where(where)}: parameter {value!r}")
                return arr
            raise ShapeError(f"{_where(where)}: parameter {value!r} has shape {arr.shape}; expected one value per sample ({p.n})")
        arr = as_float_array(value.values if isinstance(value, xr.DataArray) else value, _where(where))
        if arr.ndim and arr.shape != (p.n,):
            raise ShapeError(f"{_where(where)}: expected a number or one value per sample ({p.n}), got shape {arr.shape}")
        _require_finite(arr, p, lambda: _where(where))
        return float(arr) if arr.ndim == 0 else arr

    def _reward_table(self, reward: _Reward, slot: str, p: _Draws, strategies: list[str]) -> np.ndarray:
        """Values of a reward that does not change with time, ``(S, 1, K, n or 1)``."""
        spec, what = getattr(reward, slot), f"{slot} reward {reward.name!r}"
        per = [self._state_values(spec, False, p, s, 1, what, slot) for s in strategies]
        width = max((np.size(v) for values in per for v in values.values()), default=1)
        out = np.zeros((len(strategies), 1, len(self.states), width))
        for i, values in enumerate(per):
            for k, v in values.items():
                out[i, 0, k] = v
        return out

    def _reward_by_cycle(self, reward: _Reward, slot: str, p: _Draws, strategies: list[str]) -> list[dict[int, tuple[slice, np.ndarray]]]:
        """Values of a reward that changes with time: per strategy, state index -> the cycles it
        has values in (a slice of ``0..T-1``) and those values, ``(cycles,)`` or ``(cycles, n)``.

        The cycles are those between the first and the last where the function gives the state a
        value other than the number 0 (a drug paid for two years of forty: 24 monthly cycles of
        480), and states it never gives one are left out, so that only what can add to a total
        is accumulated. Which cycles those are follows from the function's form, not from the
        chunk's draws, so a chunked run adds the same terms.
        """
        spec, what, T = getattr(reward, slot), f"{slot} reward {reward.name!r}", self.n_cycles
        out = []
        for s in strategies:
            cycles = [self._state_values(spec, True, p, s, c, what, slot) for c in range(1, T + 1)]
            tables = {}
            for k in sorted({k for values in cycles for k in values}):
                column = [values.get(k, 0.0) for values in cycles]
                used = [t for t, v in enumerate(column) if np.ndim(v) or v != 0]
                if not used:
                    continue
                span = slice(used[0], used[-1] + 1)
                if any(np.ndim(v) for v in column[span]):
                    table = np.empty((span.stop - span.start, p.n))
                    for t, v in enumerate(column[span]):
                        table[t] = v
                else:
                    table = np.array(column[span])
                tables[k] = (span, table)
            out.append(tables)
        return out

    # ------------------------------------------------------------------ curves
    def _curves(self, strategy: str, draws: xr.Dataset | None, times: np.ndarray, offset: int, out: np.ndarray) -> None:
        """Write one strategy's checked curves for a chunk into ``out`` ``(curves, n, T + 1)``.

        A curve that is valid by construction (:func:`~healthecon.survival.transforms.always_valid`)
        is not searched for increases; any other is, sample by sample.
        """
        for k, (label, curve) in enumerate(self.curves[strategy].items()):
            what = f"strategy {strategy!r}, curve {label!r}"
            try:
                values = evaluate_survival(curve, times, draws, what=what, out=out[k])
            except (ParameterError, ModelDefinitionError, ShapeError, UnknownNameError) as err:
                if str(err).startswith(what):
                    raise
                raise type(err)(f"{what}: {err}") from err  # which curve of which strategy read the bad value
            start = values[:, 0]
            if not (np.abs(start - 1.0) <= _INCREASE_TOLERANCE).all():
                i = int(np.argmax(~(np.abs(start - 1.0) <= _INCREASE_TOLERANCE)))
                raise ModelDefinitionError(
                    f"{what}: survival at time 0 must be 1 (everyone starts in the first state), got {float(start[i]):.6g} "
                    f"in sample {offset + i}; a Kaplan-Meier table should start at 1, and a curve given as a "
                    "probability must be of surviving from time 0")
            if always_valid(curve):
                continue
            steps = np.diff(values, axis=1)
            if steps.size and steps.max() > _INCREASE_TOLERANCE:
                i, j = (int(x) for x in np.argwhere(steps > _INCREASE_TOLERANCE)[0])
                raise ModelDefinitionError(
                    f"strategy {strategy!r}, curve {label!r}: a survival curve cannot increase, but it goes from "
                    f"{float(values[i, j]):.6g} to {float(values[i, j + 1]):.6g} in cycle {j + 1} (sample {offset + i})")

    def _constrain(self, curves: np.ndarray, strategy: str, offset: int) -> tuple[np.ndarray, int, float]:
        """Apply the crossing rule to ``(curves, n, T + 1)`` in place, from the outermost curve in.

        Returns which samples it changed, how many sample-cycles, and the largest change.
        """
        touched = np.zeros(curves.shape[1], dtype=bool)
        cells, excess = 0, 0.0
        tol = _CROSSING_TOLERANCE
        for k in range(curves.shape[0] - 2, -1, -1):
            inner, outer = curves[k], curves[k + 1]
            if self.crossing == "hazard":
                ratio_in, ratio_out = _ratios(inner), _ratios(outer)
                over = np.concatenate([inner[:, :1] > outer[:, :1] + tol, ratio_in > ratio_out + tol], axis=1)
                if not over.any():
                    if (inner > outer).any():  # above by rounding only (curves equal by formula): kept below, not counted
                        np.minimum(inner, outer, out=inner)
                    continue
                steps = np.concatenate([np.minimum(inner[:, :1], outer[:, :1]), np.minimum(ratio_in, ratio_out)], axis=1)
                new = np.where(np.logical_or.accumulate(over, axis=1), np.cumprod(steps, axis=1), inner)
                changed = new != inner
                rows = np.flatnonzero(changed.any(axis=1))
                cells += int(np.count_nonzero(changed))
                excess = max(excess, float(np.max(inner - new)))
                curves[k] = np.minimum(new, outer)  # and nothing left above by rounding
                touched[rows] = True
                continue
            above = inner > outer
            if not above.any():
                continue
            rows = np.flatnonzero(above.any(axis=1))  # only these samples change: the rest are left alone
            over = inner[rows] > outer[rows] + tol  # above by more than rounding: a crossing
            if self.crossing == "error" and over.any():
                r, j = (int(x) for x in np.argwhere(over)[0])
                i = int(rows[r])
                raise ModelDefinitionError(
                    f"strategy {strategy!r}: curve {self.curve_names[k]!r} is above curve {self.curve_names[k + 1]!r} "
                    f"({float(inner[i, j]):.6g} > {float(outer[i, j]):.6g}) at {j * self.cycle_length:g} years (cycle {j}), "
                    f"sample {offset + i}; choose a crossing rule: {', '.join(repr(r) for r in CROSSING_RULES if r != 'error')}")
            capped = np.minimum(inner[rows], outer[rows])
            if over.any():  # the cap rule: counted where it changed more than rounding
                cells += int(np.count_nonzero(over))
                excess = max(excess, float(np.max(inner[rows] - capped)))
                touched[rows[over.any(axis=1)]] = True
            inner[rows] = capped  # curves[k] in place
        return touched, cells, excess

    # ------------------------------------------------------------------ running
    def run(
        self,
        draws: xr.Dataset | Mapping[str, object],
        *,
        strategies: Sequence[str] | str | None = None,
        trace: bool | str = False,
        undiscounted: bool = True,
    ) -> xr.Dataset:
        """Evaluate the curves and rewards for every sample and strategy; return an outcome set.

        Parameters
        ----------
        draws
            Parameter draws (an ``xarray.Dataset`` with dimension ``sample``, or a mapping of
            name to one value per sample); ``{}`` when nothing is uncertain.
        strategies
            Strategies to run (default all), in the order wanted.
        trace
            ``True`` adds ``trace`` (sample, strategy, cycle, state); ``"mean"`` its mean over
            samples (strategy, cycle, state); ``False`` neither.
        undiscounted
            Also return the undiscounted totals (``<name>_undiscounted``, ``cost_undiscounted``;
            default), as :meth:`~healthecon.markov.MarkovModel.run` does. ``False`` skips them
            (a little faster; e.g. for a PSA that only needs the discounted totals).

        Returns
        -------
        xarray.Dataset
            The outcome set described in the module docstring.
        """
        ds = _dataset(draws)
        if ds is not None and SAMPLE not in ds.dims:
            raise ShapeError(f"parameter draws have no 'sample' dimension (dims: {list(ds.dims)})")
        if ds is not None and SAMPLE not in ds.coords:  # so that a chunk's messages number its samples in the whole run
            ds = ds.assign_coords({SAMPLE: np.arange(ds.sizes[SAMPLE])})
        n = 1 if ds is None else int(ds.sizes.get(SAMPLE, 1))
        if n < 1:
            raise ShapeError("parameter draws have no samples (a 'sample' dimension of length 0)")
        names = list(self.strategies) if strategies is None else [strategies] if isinstance(strategies, str) else list(strategies)
        if not names:
            raise ModelDefinitionError(f"strategies: expected at least one of {list(self.strategies)} (or None for all)")
        for s in names:
            if s not in self.strategies:
                raise unknown_name("strategy", s, self.strategies)
        require_unique(names, "strategies", ModelDefinitionError)
        if isinstance(trace, (bool, np.bool_)):
            trace = bool(trace)
        elif not isinstance(trace, str) or trace != "mean":
            raise ModelDefinitionError(f"trace: expected False, True or 'mean', got {trace!r}")
        T, L, K, C, S = self.n_cycles, self.cycle_length, len(self.states), len(self.curve_names), len(names)
        parts = ("disc", "undisc") if undiscounted else ("disc",)
        weights = self._weights(parts)
        totals = {(r, part): np.zeros((S, n)) for r in self.rewards for part in parts}
        by_state = {r: np.zeros((S, n, K)) for r, reward in self.rewards.items() if reward.state is not None}
        restricted = np.zeros((S, n, C))
        touched = np.zeros((S, n), dtype=bool)
        cells, excess = np.zeros(S, dtype=int), np.zeros(S)
        store = np.empty((n, S, T + 1, K)) if trace is True else np.zeros((S, T + 1, K)) if trace == "mean" else None
        times = np.round(np.arange(T + 1) * L, 12)
        columns = _Draws.columns_of(ds)
        read = [name for strategy in names for curve in self.curves[strategy].values() for name in parameter_names(curve)]
        if ds is not None and read and n > self.chunk_size and all(name in ds.data_vars for name in read):
            ds = ds[list(dict.fromkeys(read))]  # the curves' chunks need only what they read (the rewards use columns)
        size = min(self.chunk_size, n)
        buffer = np.empty(S * C * size * (T + 1))  # every chunk's curves, reused: (S, C, c, T + 1), contiguous
        # The weighted sums are a product with a few columns: a second BLAS thread cannot speed it
        # up, and on a busy machine its spinning costs as much CPU as the rest of the run.
        with one_blas_thread() if n * S * C >= _ONE_THREAD_FROM else nullcontext():
            self._chunks(ds, columns, names, times, size, buffer, weights, parts, totals, by_state, restricted, store, touched, cells, excess)
        self._initial(columns, n, names, parts, totals)
        return self._outcomes(names, n, parts, totals, by_state, restricted, store, touched, cells, excess, trace)

    def _chunks(self, ds, columns, names, times, size, buffer, weights, parts, totals, by_state, restricted, store, touched, cells, excess) -> None:
        """Evaluate, constrain and accumulate the curves chunk by chunk of ``size`` samples."""
        n, S, C, T = len(touched[0]), len(names), len(self.curve_names), self.n_cycles
        for lo in range(0, n, size):
            hi = min(lo + size, n)
            chunk = None if ds is None else ds if hi - lo == n else ds.isel({SAMPLE: slice(lo, hi)})
            p = _Draws(columns, lo, hi)
            curves = buffer[: S * C * (hi - lo) * (T + 1)].reshape(S, C, hi - lo, T + 1)
            with shared_evaluations():  # a reference curve shared by several strategies is evaluated once
                for i, s in enumerate(names):
                    self._curves(s, chunk, times, lo, curves[i])
            for i, s in enumerate(names):
                touched[i, lo:hi], c_cells, c_excess = self._constrain(curves[i], s, lo)
                cells[i] += c_cells
                excess[i] = max(excess[i], c_excess)
            self._accumulate(curves, p, names, weights, parts, totals, by_state, restricted, store, lo, hi)

    def _weights(self, parts: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Weights on the trace points for each discounting ('cost', 'effect', 'undisc').

        For each: ``<kind>_start`` and ``<kind>_end`` (per cycle, on its start and end point),
        ``<kind>`` (both summed on the ``T + 1`` points), ``<kind>_entry`` (discount factor of
        each cycle's entries) and ``<kind>_entries`` (on the points: ``sum_t (S(t-1) - S(t)) d_t``
        is ``S . <kind>_entries``); ``matrix``, the point weights named in :data:`_COLUMNS` as
        its rows ``(columns, T + 1)``, so that one matrix product gives every area under every
        curve (without ``"undisc"`` in ``parts``, of the undiscounted ones only ``undisc``, for
        the restricted mean); and ``column``, the row of each.
        """
        T = self.n_cycles
        out: dict[str, np.ndarray] = {}
        weights = self.settings.weights(T, self.cycle_length, self.discount_costs, self.discount_effects)
        for kind, w in (("cost", weights["cost"]), ("effect", weights["effect"]), ("undisc", weights["undiscounted"])):
            out[f"{kind}_start"], out[f"{kind}_end"], out[f"{kind}_entry"] = w.start, w.end, w.transition
        for kind in ("cost", "effect", "undisc"):
            w = np.zeros(T + 1)
            w[:-1] += out[f"{kind}_start"]
            w[1:] += out[f"{kind}_end"]
            out[kind] = w
            d = out[f"{kind}_entry"]
            out[f"{kind}_entries"] = np.concatenate([d, [0.0]]) - np.concatenate([[0.0], d])
        kept = [name for name in _COLUMNS if "undisc" in parts or not name.startswith("undisc_")]
        out["matrix"] = np.stack([out[name] for name in kept])  # (columns, T + 1)
        out["column"] = {name: i for i, name in enumerate(kept)}
        return out

    def _accumulate(self, curves, p, names, weights, parts, totals, by_state, restricted, store, lo, hi) -> None:
        """Add one chunk's rewards; ``curves`` is ``(S, C, c, T + 1)``, each curve contiguous in time."""
        L = self.cycle_length
        S, C, c, points = curves.shape
        column = weights["column"]
        # every weighted sum over time of every curve: a product whose rows (curves) come out the
        # same bits in any chunk (row_products)
        areas = row_products(curves.reshape(S * C * c, points), weights["matrix"].T).reshape(S, C, c, len(column)).transpose(0, 2, 1, 3)  # (S, c, C, columns)
        restricted[:, lo:hi] = L * areas[..., column["undisc"]]
        if store is not None and store.ndim == 4:
            store[lo:hi] = _membership(curves).transpose(2, 0, 3, 1)
        elif store is not None:  # the membership summed over samples: that of the curves' sums
            store += _membership(curves.sum(axis=2, keepdims=True), total=c)[:, :, 0].transpose(0, 2, 1)
        occupancy: dict[str, np.ndarray] = {}  # corrected (discounted) time in each state, (S, c, K), shared by the rewards
        by_cycle: dict[tuple, np.ndarray] = {}  # weighted time in, or entries into, a state by cycle, (c, cycles)

        def weighted(slot: str, key: str, i: int, k: int, span: slice) -> np.ndarray:
            """Strategy ``i``'s corrected, ``key``-discounted time in state ``k`` in each cycle of
            ``span`` (slot "state"), or the people entering it, who cross curve ``k - 1`` ("entry")."""
            cached = (slot, key, i, k, span.start, span.stop)
            if cached not in by_cycle:
                if slot == "state":
                    m = _membership(curves[i : i + 1, :, :, span.start : span.stop + 1], k)[0, 0]
                    by_cycle[cached] = m[:, :-1] * weights[f"{key}_start"][span] + m[:, 1:] * weights[f"{key}_end"][span]
                else:
                    curve = curves[i, k - 1, :, span.start : span.stop + 1]
                    by_cycle[cached] = (curve[:, :-1] - curve[:, 1:]) * weights[f"{key}_entry"][span]
            return by_cycle[cached]

        for name, reward in self.rewards.items():
            for slot in ("state", "entry"):
                if getattr(reward, slot) is None:
                    continue
                dynamic = reward.dynamic[slot]
                if dynamic:
                    tables = self._reward_by_cycle(reward, slot, p, names)
                    if slot == "state":
                        tables = [{k: (span, table * L) for k, (span, table) in per.items()} for per in tables]
                else:
                    values = self._reward_table(reward, slot, p, names)[:, 0]  # (S, K, c|1)
                for part, key in (("disc", reward.kind), ("undisc", "undisc"))[: len(parts)]:
                    if dynamic:
                        amount = np.zeros((S, c, len(self.states)))
                        for i, per in enumerate(tables):
                            for k, (span, table) in per.items():
                                amount[i, :, k] = (weighted(slot, key, i, k, span) * (table.T if table.ndim == 2 else table)).sum(axis=-1)
                    elif slot == "state":
                        if key not in occupancy:
                            under = areas[..., column[key]]  # (S, c, C)
                            occupancy[key] = np.diff(np.concatenate([np.zeros((S, c, 1)), under, np.full((S, c, 1), weights[key].sum())], axis=2), axis=2)
                        amount = occupancy[key] * (values * L).transpose(0, 2, 1)
                    else:
                        amount = np.concatenate([np.zeros((S, c, 1)), areas[..., column[f"{key}_entries"]] * values[:, 1:].transpose(0, 2, 1)], axis=2)
                    totals[(name, part)][:, lo:hi] += amount.sum(axis=2)
                    if part == "disc" and slot == "state":
                        by_state[name][:, lo:hi] += amount

    def _initial(self, columns: Mapping[str, np.ndarray], n: int, names: list[str], parts: tuple[str, ...], totals: dict) -> None:
        p = _Draws(columns, 0, n)
        for name, reward in self.rewards.items():
            if reward.initial is None:
                continue
            for i, s in enumerate(names):
                value = self._initial_value(reward, p, s)
                for part in parts:
                    totals[(name, part)][i] += value

    def _initial_value(self, reward: _Reward, p: _Draws, strategy: str) -> float | np.ndarray:
        """A reward's one-off value at time 0 for ``strategy`` (0 where it names none), checked."""
        spec = reward.initial
        raw = spec(p, strategy) if callable(spec) else spec.get(strategy, 0.0) if isinstance(spec, Mapping) else spec
        return self._number(raw, p, f"initial reward {reward.name!r}, strategy {strategy!r}")

    def _outcomes(self, names, n, parts, totals, by_state, restricted, store, touched, cells, excess, trace) -> xr.Dataset:
        costs = [r for r, reward in self.rewards.items() if reward.kind == "cost"]
        effects = [r for r, reward in self.rewards.items() if reward.kind == "effect"]
        zero = np.zeros((len(names), n))
        values: dict[str, object] = {"cost": sum((totals[(c, "disc")] for c in costs), zero).T}
        kinds = {"cost": "cost", "cost_undiscounted": "cost"}
        for r in costs + effects:
            values[r] = totals[(r, "disc")].T
            kinds[r] = kinds[f"{r}_undiscounted"] = self.rewards[r].kind
        if "undisc" in parts:
            values["cost_undiscounted"] = sum((totals[(c, "undisc")] for c in costs), zero).T
            for r in costs + effects:
                values[f"{r}_undiscounted"] = totals[(r, "undisc")].T
        state_coords = {"state": list(self.states)}
        for r, array in by_state.items():
            # no strategy labels here: make_outcomes labels every variable's strategies once, in this order
            values[f"{r}_by_state"] = xr.DataArray(array.transpose(1, 0, 2), dims=(SAMPLE, STRATEGY, "state"), coords=state_coords,
                                                   attrs={"description": f"{r} by state (discounted)"})
            kinds[f"{r}_by_state"] = "other"
        values["restricted_mean"] = xr.DataArray(
            restricted.transpose(1, 0, 2), dims=(SAMPLE, STRATEGY, "curve"), coords={"curve": list(self.curve_names)},
            attrs={"description": f"restricted mean time under each curve to {self.n_cycles * self.cycle_length:g} years "
                                  f"(years, undiscounted, {self._correction_name()} correction)"})
        kinds["restricted_mean"] = "other"
        effect = "qaly" if "qaly" in effects else "ly"
        unit = {"qaly": "QALY", "ly": "life-year"}[effect]
        attrs = {
            "model": self.name,
            "correction": self._correction_name(),
            "cycle_length": self.cycle_length,
            "n_cycles": self.n_cycles,
            "discount_costs": _rate_label(self.discount_costs),
            "discount_effects": _rate_label(self.discount_effects),
            "convention": self.settings.convention,
            "discount_timing": self.discount_timing,
            "discount_method": self.settings.discount_method,
            "transition_timing": self.settings.transition_timing,
            "crossing": self.crossing,
            "crossing_rule": CROSSING_RULES[self.crossing],
            "crossing_samples": touched.sum(axis=1).astype(int),
            "crossing_cycles": cells.astype(int),
            "crossing_largest": excess.astype(float),
            "crossing_summary": _crossing_summary(self.crossing, names, touched.sum(axis=1), cells, excess, n),
            "entries": "entries into a state are the events of the curve above it (progression: all PFS events, deaths before progression included)",
            "curves": "; ".join(f"{s}: " + ", ".join(f"{k} = {v!r}" for k, v in self.curves[s].items()) for s in names),
        }
        if cells.any():
            mostly = [s for i, s in enumerate(names) if cells[i] > 0.5 * n * self.n_cycles * (len(self.curve_names) - 1)]
            hint = (f" In most cycles of most samples for {', '.join(map(repr, mostly))}: are the curves given innermost first "
                    f"({', '.join(map(repr, self.curve_names))} is read as that order)?" if mostly else "")
            warnings.warn(f"partitioned survival model {self.name!r}: curves crossed; {attrs['crossing_summary']}.{hint}",
                          CurveCrossingWarning, stacklevel=3)
        ds = make_outcomes(values, names, effect=effect, kinds=kinds, currency=self.currency, effect_unit=unit, attrs=attrs)
        if store is not None:
            coords = {STRATEGY: names, "cycle": np.arange(self.n_cycles + 1), "state": list(self.states)}
            if store.ndim == 4:
                data = xr.DataArray(store, dims=(SAMPLE, STRATEGY, "cycle", "state"), coords={SAMPLE: ds[SAMPLE].values, **coords})
            else:
                data = xr.DataArray(store / n, dims=(STRATEGY, "cycle", "state"), coords=coords)
            ds["trace"] = data.assign_attrs(kind="other", description="state membership (proportion of the cohort) at each cycle; cycle 0 is the start")
        return ds

    def reward_values(self, name: str, slot: str, draws: xr.Dataset | Mapping[str, object], strategy: str) -> np.ndarray:
        """One sample's values of the reward ``name`` for ``strategy``, checked as a run checks them.

        ``slot="state"``: its value a year in each state; ``"entry"``: its value per person
        entering each state; ``"initial"``: its one-off value at time 0, shape ``(1, 1)``. Shape
        ``(n_cycles, states)`` when it changes with time (row ``t - 1`` is cycle ``t``), else
        ``(1, states)``; 0 where it names no value. For calculations laid out cycle by cycle, such
        as the report workbook's.

        Examples
        --------
        >>> from healthecon.survival import ParametricCurve
        >>> model = PartitionedSurvivalModel({"new": [ParametricCurve("exponential", rate=0.5), ParametricCurve("exponential", rate=0.2)]},
        ...                                  n_cycles=3, state_rewards={"cost_drug": lambda p, s, time: {"progression-free": 100.0 * time.cycle}})
        >>> model.reward_values("cost_drug", "state", {}, "new").tolist()
        [[100.0, 0.0, 0.0], [200.0, 0.0, 0.0], [300.0, 0.0, 0.0]]
        """
        if name not in self.rewards:
            raise unknown_name("reward", name, list(self.rewards))
        if slot not in ("state", "entry", "initial"):
            raise ModelDefinitionError(f"slot: expected 'state', 'entry' or 'initial', got {slot!r}")
        if strategy not in self.strategies:
            raise unknown_name("strategy", strategy, self.strategies)
        ds = _dataset(draws)
        if ds is not None and int(ds.sizes.get(SAMPLE, 1)) != 1:
            raise ShapeError(f"reward_values: expected one sample (e.g. params.base_case()), got {int(ds.sizes[SAMPLE])}")
        p = _Draws(_Draws.columns_of(ds), 0, 1)
        reward, what = self.rewards[name], f"{slot} reward {name!r}"
        spec = getattr(reward, slot)
        if slot == "initial":
            return np.full((1, 1), 0.0 if spec is None else float(np.ravel(self._initial_value(reward, p, strategy))[0]))
        cycles = range(1, self.n_cycles + 1) if reward.dynamic[slot] else (1,)
        out = np.zeros((len(cycles), len(self.states)))
        if spec is not None:
            for t, cycle in enumerate(cycles):
                for k, value in self._state_values(spec, reward.dynamic[slot], p, strategy, cycle, what, slot).items():
                    out[t, k] = float(np.ravel(value)[0])
        return out

    #: Attributes that count over the samples of a run: a run in chunks combines them
    #: (:meth:`combine_attrs`), and a lazy (dask-backed) outcome set leaves them out.
    sample_attrs = ("crossing_samples", "crossing_cycles", "crossing_largest", "crossing_summary")

    @staticmethod
    def combine_attrs(parts: Sequence[tuple[Mapping, int]], strategies: Sequence[str]) -> dict:
        """The attributes of one run from those of its chunks, each given with its number of samples.

        Counts of crossing samples and sample-cycles add up, the largest change is the largest
        of the chunks'; everything else is the first chunk's.

        Examples
        --------
        >>> first = {"crossing": "cap", "crossing_samples": np.array([1]), "crossing_cycles": np.array([3]),
        ...          "crossing_largest": np.array([0.02])}
        >>> second = dict(first, crossing_samples=np.array([2]), crossing_largest=np.array([0.05]))
        >>> PartitionedSurvivalModel.combine_attrs([(first, 10), (second, 10)], ["new"])["crossing_summary"]
        "changed by the 'cap' rule: strategy 'new': 3 of 20 samples, 6 sample-cycles (largest change 0.05)"
        """
        out = dict(parts[0][0])
        samples = sum(np.asarray(attrs["crossing_samples"]) for attrs, _ in parts)
        cycles = sum(np.asarray(attrs["crossing_cycles"]) for attrs, _ in parts)
        largest = np.max([attrs["crossing_largest"] for attrs, _ in parts], axis=0)
        out.update(crossing_samples=samples, crossing_cycles=cycles, crossing_largest=largest,
                   crossing_summary=_crossing_summary(out["crossing"], strategies, samples, cycles, largest, sum(n for _, n in parts)))
        return out

    def _correction_name(self) -> str:
        return self.correction if isinstance(self.correction, str) else "custom weights"


def _ratios(curve: np.ndarray) -> np.ndarray:
    """Conditional survival over each cycle, ``S(t) / S(t - 1)`` (0 once the curve is 0)."""
    return np.divide(curve[:, 1:], curve[:, :-1], out=np.zeros_like(curve[:, 1:]), where=curve[:, :-1] > 0)


def _crossing_summary(rule: str, strategies: Sequence[str], samples: np.ndarray, cycles: np.ndarray, largest: np.ndarray, n: int) -> str:
    """What the crossing rule changed, in words, strategy by strategy."""
    return f"changed by the {rule!r} rule: " + "; ".join(
        f"strategy {s!r}: {int(samples[i])} of {n} samples, {int(cycles[i])} sample-cycles"
        + (f" (largest change {largest[i]:.3g})" if cycles[i] else "") for i, s in enumerate(strategies))


def _dataset(draws: object) -> xr.Dataset | None:
    """Parameter draws as a Dataset: as given, from a mapping of name to values, or None for ``{}``."""
    if isinstance(draws, xr.Dataset):
        return draws
    if not isinstance(draws, Mapping):
        raise ShapeError(f"draws: expected an xarray Dataset (from Parameters.sample or base_case) or a mapping of parameter "
                         f"name to values, got {type(draws).__name__}")
    return as_draws(draws) if len(draws) else None


def _where(where: str | tuple) -> str:
    """A reward value's place for an error message, from ``(what, strategy, cycle, state or None)`` or as given."""
    if isinstance(where, str):
        return where
    what, strategy, cycle, state = where
    return f"{what}, strategy {strategy!r}, cycle {cycle}" + ("" if state is None else f", state {state!r}")


def _require_finite(values: np.ndarray, p: _Draws, what: Callable[[], str]) -> None:
    """Raise naming ``what()`` and the first sample (numbered in the whole run) whose value is NaN or infinite."""
    if values.ndim == 0:
        if not math.isfinite(float(values)):
            raise ModelDefinitionError(f"{what()}: expected a finite number, got {float(values)!r}")
    elif not np.isfinite(values).all():
        i = int(np.argmax(~np.isfinite(values)))
        raise ModelDefinitionError(f"{what()}: expected finite numbers, got {float(values[i])!r} in sample {p.lo + i}")


def _membership(curves: np.ndarray, state: int | None = None, total: float = 1.0) -> np.ndarray:
    """State membership ``(S, K, c, T + 1)`` from curves ``(S, K - 1, c, T + 1)``: differences of 0,
    the curves and ``total`` (1; the number of samples for curves summed over them).
    ``state`` gives that state's alone, ``(S, 1, c, T + 1)``."""
    S, C = curves.shape[:2]
    states = range(C + 1) if state is None else (state,)
    out = np.empty((S, len(states)) + curves.shape[2:])
    for j, k in enumerate(states):
        if k == 0:
            out[:, j] = curves[:, 0]
        elif k == C:
            np.subtract(total, curves[:, C - 1], out=out[:, j])
        else:
            np.subtract(curves[:, k], curves[:, k - 1], out=out[:, j])
    return out


def _rate_label(rate: float | DiscountSchedule) -> str | float:
    return rate.name if isinstance(rate, DiscountSchedule) else float(rate)
