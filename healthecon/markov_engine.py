"""The Markov cohort engine: propagates a cohort and accumulates rewards, vectorised over samples.

:mod:`healthecon.markov` defines a model (states, transitions, rewards, checks); this module
runs it. See :class:`CohortEngine`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from .conventions import RewardWeights
from .discount import DiscountSchedule
from .outcomes import SAMPLE, STRATEGY, make_outcomes

if TYPE_CHECKING:
    from .markov import MarkovModel
    from .modeldef import ParameterView

__all__ = ["CohortEngine", "CycleByCycle"]


class CohortEngine:
    """One run of a Markov cohort model: the loop over cycles with arrays (strategy, state, sample).

    The model (:class:`healthecon.markov.MarkovModel`) supplies each cycle's transition rows
    and reward values (``transition_rows``, ``state_values``, ``transition_values``,
    ``initial_values``); the engine propagates the cohort, ``m_t = m_{t-1} P_t`` (Briggs,
    Claxton & Sculpher 2006, ch. 2-3), accumulates rewards with the weights of the model's
    convention (within-cycle counting, discounting and transition-reward timing, built by
    :mod:`healthecon.conventions`), and builds the outcome set. ``weights`` (``{"cost", "effect", "undiscounted"}`` to
    :class:`~healthecon.conventions.RewardWeights`) replaces the weights the model's convention
    gives, e.g. to isolate one cycle's values (:meth:`healthecon.markov.MarkovModel.values_by_cycle`).
    """

    def __init__(self, model: MarkovModel, p: ParameterView, strategies: list[str], start: np.ndarray, trace: bool | str,
                 undiscounted: bool = True, weights: dict[str, RewardWeights] | None = None):
        self.model, self.p, self.strategies, self.trace = model, p, strategies, trace
        self.undiscounted = undiscounted
        self.n, self.S, self.K = p.n, len(strategies), len(model.internal)
        m0 = np.zeros((self.K, self.n))
        user = start if start.ndim == 2 else np.broadcast_to(start, (self.n, len(model.states)))
        for k, state in enumerate(model.states):
            m0[model.group[state][0], :] = user[:, k]
        self.m0 = m0
        # counting, discounting and transition-reward timing by the model's convention
        # (healthecon.conventions builds every weight; the loop below only applies them)
        weights = weights or model.reward_weights()
        self.a, self.b = weights["undiscounted"].start, weights["undiscounted"].end
        self.start_weight = {kind: w.start for kind, w in weights.items()}
        self.end_weight = {kind: w.end for kind, w in weights.items()}
        # combined weight on each trace point, for rewards whose values do not change with time
        self.point = {kind: w.point for kind, w in weights.items()}
        self.transition_discount = {kind: w.transition for kind, w in weights.items()}
        self.constant_state: dict[str, np.ndarray] = {}  # values of state rewards given as mappings
        self.weight_classes: dict[frozenset[str], tuple[list[list[float]], dict[str, int]]] = {}

    # --- evaluation: time-independent pieces once, time-dependent ones by blocks of cycles ---
    def _prepare(self, i: int) -> None:
        """Evaluate strategy ``i``'s transitions and rewards at cycle 1; note which change with time."""
        model, p, s = self.model, self.p, self.strategies[i]
        steps = model.max_tunnel
        self.rows, reads = model.transition_rows(p, s, 1, steps)
        self.rows_dynamic = "time" in reads
        # state rewards: values (K, n|1) fixed over time (static) or re-evaluated by blocks of cycles
        self.static_state: dict[str, np.ndarray] = {}
        self.dynamic_state: dict[str, np.ndarray] = {}
        self.transition_items: dict[str, list] = {}
        self.transition_dynamic: dict[str, bool] = {}
        for name, reward in model.rewards.items():
            if reward.state is not None:
                if name in self.constant_state:  # a mapping, not a function: the same for every strategy
                    values, reads = self.constant_state[name], set()
                else:
                    values, reads = model.state_values(reward, p, s, 1, steps)
                    if not callable(reward.state.value):
                        self.constant_state[name] = values
                (self.dynamic_state if "time" in reads else self.static_state)[name] = values
            if reward.transition is not None:
                items, reads = model.transition_values(reward, p, s, 1, steps)
                self.transition_items[name], self.transition_dynamic[name] = items, "time" in reads
        dynamic = self.rows_dynamic or bool(self.dynamic_state) or any(self.transition_dynamic.values())
        # the states in which a time-constant reward is not 0 (in some sample)
        self.static_nonzero = np.zeros(self.K, dtype=bool)
        for values in self.static_state.values():
            self.static_nonzero |= values.any(axis=1)  # non-zero (NaN included) in some sample
        # cycle 1 evaluated with time as numbers: decides what is tracked, and tests the first block
        self.first = (self.rows, dict(self.dynamic_state), dict(self.transition_items))
        self.end = self.first  # the last cycle of the block held, evaluated with time as numbers
        # evaluate by blocks of cycles (until a block cannot be) when blocks are long enough to pay
        self.by_block = dynamic and _block_cycles(self.n) >= _MIN_BLOCK
        # the cycles [start, stop) the values held cover: all of them, or none yet
        self.start, self.stop = 1, 1 if dynamic else self.model.n_cycles + 1

    def _evaluate(self, cycle: int | np.ndarray, i: int) -> tuple[list[dict[int, object]], dict[str, np.ndarray], dict[str, list]]:
        """Strategy ``i``'s time-dependent rows, state rewards and transition rewards at ``cycle``
        (a number, or an array of consecutive cycles: a block)."""
        model, p, steps, s = self.model, self.p, self.model.max_tunnel, self.strategies[i]
        rows = model.transition_rows(p, s, cycle, steps)[0] if self.rows_dynamic else self.rows
        state = {name: model.state_values(model.rewards[name], p, s, cycle, steps)[0] for name in self.dynamic_state}
        items = {name: model.transition_values(model.rewards[name], p, s, cycle, steps)[0] if dynamic else self.transition_items[name]
                 for name, dynamic in self.transition_dynamic.items()}
        return rows, state, items

    def _load(self, t: int, i: int) -> None:
        """Evaluate strategy ``i``'s time-dependent pieces from cycle ``t`` on: a block of cycles
        in one call of each function (time as column arrays, :class:`healthecon.markov.Time`),
        or cycle ``t`` alone.

        Blocks hold :func:`_block_cycles` cycles (all of them for one sample; cycle by cycle above
        2,048 samples, where blocks would cost more than they save). Each block must give at its
        first and last cycles exactly the numbers of calls with time as numbers (a block after
        the first starts one cycle early, at the last cycle of the one before, whose numbers are
        known, so one call tests both ends). A function that cannot take time as arrays (it
        raises, returns values of another shape, or disagrees: Python's ``if`` on ``time.cycle``
        raises, a minimum over the block's cycles disagrees at one end), or a block whose rows
        are not plainly valid, makes the engine evaluate cycle by cycle from there on (which
        says what is wrong, if anything is). A function's numbers are thus the same by blocks as
        cycle by cycle, bit for bit (they are at both ends, and numpy's element-wise arithmetic
        does not depend on the shape it is given), so they do not depend on how the samples
        are split.
        """
        T = self.model.n_cycles
        if self.by_block:
            first = 1 if t == 1 else t - 1
            cycles = np.arange(first, min(T, t + _block_cycles(self.n) - 1) + 1)
            try:
                block = _held(self._evaluate(cycles, i))
                _require_agreement(block, 0, self.first if t == 1 else self.end)
                if len(cycles) > 1:
                    self.end = self._evaluate(int(cycles[-1]), i)
                    _require_agreement(block, len(cycles) - 1, self.end)
            except Exception:  # noqa: BLE001 - any failure: evaluate cycle by cycle, which reports errors precisely
                self.by_block = False
            else:
                self._take(block, first, len(cycles))
                return
        self._take(self.first if t == 1 else self._evaluate(t, i), t, 1)

    def _take(self, values: tuple[list[dict[int, object]], dict[str, np.ndarray], dict[str, list]], t: int, size: int) -> None:
        """Hold the values of cycles ``t .. t + size - 1`` (a block's as :func:`_held` gives them);
        state rewards are held as (K, size, n|1)."""
        rows, state, items = values
        self.start, self.stop = t, t + size
        self.rows, self.transition_items = rows, items
        for name, values in state.items():
            self.dynamic_state[name] = values if values.ndim == 3 else values[:, None, :]

    def _tracked(self) -> list[int]:
        """The internal states whose membership the run of a strategy must follow.

        A state can be left out (its membership is never computed) when nothing reads it: no
        trace is kept, no state reward is non-zero in it, no transition reward starts from it,
        and no one moves from it into a state that is followed (entries of exactly 0 move no
        one). Dead, usually. Later cycles are checked as they are evaluated (:class:`_Untracked`).
        """
        K = self.K
        if self.trace:
            return list(range(K))
        needed = self.static_nonzero.copy()
        for values in self.dynamic_state.values():
            needed |= (values != 0).any(axis=1)
        needed = needed.tolist()
        for items in self.transition_items.values():
            for sources, _, _ in items:
                for k in sources:
                    needed[k] = True
        grown = True
        while grown:  # and every state from which the cohort moves into a state already needed
            grown = False
            for k, row in enumerate(self.rows):
                if not needed[k] and any(needed[j] and j != k and not _is_zero(v) for j, v in row.items()):
                    needed[k] = grown = True
        return [k for k in range(K) if needed[k]]

    # --- the loop -------------------------------------------------------------------------
    def run(self) -> xr.Dataset:
        """Run every strategy (one at a time, so memory holds one strategy's cohort) and build the outcome set."""
        model, S, n = self.model, self.S, self.n
        kinds = {name: r.kind for name, r in model.rewards.items()}
        total = {name: np.zeros((S, n)) for name in model.rewards}
        undisc = {name: np.zeros((S, n)) for name in model.rewards} if self.undiscounted else None
        store = None
        if self.trace is True:
            store = np.empty((model.n_cycles + 1, S, len(model.states), n))
        elif self.trace == "mean":
            store = np.empty((model.n_cycles + 1, S, len(model.states)))
        for i in range(S):
            self._prepare(i)
            try:
                self._run(i, self._tracked(), kinds, total, undisc, store)
            except _Untracked:  # a later cycle reads a state left out: run again following every state
                for out in (total, *([undisc] if undisc is not None else [])):
                    for values in out.values():
                        values[i] = 0.0
                self._prepare(i)
                self._run(i, list(range(self.K)), kinds, total, undisc, store)
        for name, reward in model.rewards.items():
            if reward.initial is not None:
                value = model.initial_values(reward, self.p, self.strategies)
                total[name] += value
                if undisc is not None:
                    undisc[name] += value
        return self._outcomes(total, undisc, kinds, store)

    def _run(self, i: int, tracked: list[int], kinds: dict[str, str], total: dict[str, np.ndarray],
             undisc: dict[str, np.ndarray] | None, store: np.ndarray | None) -> None:
        """Strategy ``i``, cycle by cycle: ``m_t[j] = sum_i m_{t-1}[i] P_t[i, j]`` over the non-zero
        entries of the tracked states, and the weighted occupancy of the states with a
        time-constant reward accumulated once per cycle, into ``total[name][i]``.

        With one sample the cohort is a list of Python floats: the same IEEE arithmetic as
        numpy's element-wise operations (so the same numbers bit for bit as in a run with more
        samples), without numpy's cost per call.
        """
        T, n = self.model.n_cycles, self.n
        scalar = n == 1
        pos = {k: j for j, k in enumerate(tracked)}
        # weighted sums of the trace for time-constant rewards, one per distinct weight vector,
        # over the tracked states [lo, hi) that carry a time-constant reward
        needed = frozenset({kinds[name] for name in self.static_state} | ({"undiscounted"} if undisc is not None else set()))
        point, slot = self._weight_classes(needed)
        nonzero = self.static_nonzero.tolist()
        rewarded = [j for j, k in enumerate(tracked) if nonzero[k]]
        lo, hi = (rewarded[0], rewarded[-1] + 1) if rewarded else (0, 0)
        cur = [self.m0[k, 0].item() for k in tracked] if scalar else self.m0[tracked]
        nxt = None if scalar else np.empty_like(cur)
        tmp = None if scalar else np.empty(_block_size(n))
        occupancy = [[w[0] * cur[k] for k in range(lo, hi)] for w in point] if scalar else \
            [np.multiply(cur[lo:hi], w[0]) for w in point]
        scratch = None if scalar else np.empty((hi - lo, _block_size(n)))
        self._store(store, 0, i, cur, tracked)
        plan = template = self._plan(self.rows, pos, scalar) if self.stop > T else []
        varying = False  # whether the plan held has entries with a row per cycle
        # a small run with nothing to do between cycles but propagate and accumulate: a block of
        # cycles in one call of a loop compiled for the plan (_block_kernel)
        whole_blocks = _block_cycles(n) >= _MIN_BLOCK and store is None and not self.transition_items and not self.dynamic_state
        t = 0
        while t < T:
            t += 1
            if t >= self.stop:
                self._load(t, i)
                plan = template = self._plan(self.rows, pos, scalar)
                varying = any(v for terms in template for _, _, v in terms)
            if whole_blocks:  # t is the first cycle of the block held
                stop = min(self.stop, T + 1)
                cur, occupancy = _propagate_block(template, t - self.start, stop - t, cur, occupancy,
                                                  [w[t:stop] for w in point], lo, hi)
                t = stop - 1
                continue
            j = t - self.start
            if varying:
                plan = _at(template, j)
            # one-off transition rewards use m_{t-1} and this cycle's probabilities
            rows = [{k: _value_at(v, j) for k, v in row.items()} for row in self.rows] if self.transition_items else []
            for name, items in self.transition_items.items():
                d = self.transition_discount[kinds[name]][t - 1]
                for sources, targets, value in items:
                    amount = self._flow(cur, rows, sources, targets, pos) * _value_at(value, j)
                    total[name][i] += d * amount
                    if undisc is not None:
                        undisc[name][i] += self.transition_discount["undiscounted"][t - 1] * amount
            if scalar:  # the compiled loop for one cycle, on Python floats
                nxt, occupancy = _propagate_block(plan, 0, 1, cur, occupancy, [w[t:t + 1] for w in point], lo, hi)
            else:
                _step(cur, nxt, plan, tmp, occupancy, [w[t] for w in point], lo, hi, scratch)
            # time-dependent state rewards: cycle t's value on both ends of the cycle
            for name, block in self.dynamic_state.items():
                values = block[:, j]
                _check_untracked(values, tracked)
                before, after = _weighted(cur, values, tracked), _weighted(nxt, values, tracked)
                kind = kinds[name]
                total[name][i] += self.start_weight[kind][t - 1] * before + self.end_weight[kind][t - 1] * after
                if undisc is not None:
                    undisc[name][i] += self.a[t - 1] * before + self.b[t - 1] * after
            cur, nxt = nxt, cur
            self._store(store, t, i, cur, tracked)
        rewarded_states = tracked[lo:hi]
        for name, values in self.static_state.items():
            total[name][i] += _dot(occupancy[slot[kinds[name]]], values, rewarded_states)
            if undisc is not None:
                undisc[name][i] += _dot(occupancy[slot["undiscounted"]], values, rewarded_states)

    def _weight_classes(self, needed: frozenset[str]) -> tuple[list[list[float]], dict[str, int]]:
        """The distinct point weights (as lists) of the reward kinds ``needed``, and each kind's
        position among them; the same for every strategy of the run, so kept."""
        cache = self.weight_classes
        if needed not in cache:
            classes: list[np.ndarray] = []
            slot: dict[str, int] = {}
            for cls in ("undiscounted", "cost", "effect"):
                if cls not in needed:
                    continue
                w = self.point[cls]
                same = [c for c, other in enumerate(classes) if np.array_equal(other, w)]
                slot[cls] = same[0] if same else len(classes)
                if not same:
                    classes.append(w)
            cache[needed] = ([w.tolist() for w in classes], slot)
        return cache[needed]

    @staticmethod
    def _plan(rows: list[dict[int, object]], pos: dict[int, int], scalar: bool) -> list[list[tuple[int, object, bool]]]:
        """For each tracked state, its inflows ``(tracked source, probability, whether it has a
        row per cycle)`` in source order, exact zeros left out; with ``scalar``, one-sample
        arrays as numbers. :func:`_at` takes one cycle's plan from it."""
        plan: list[list[tuple[int, object, bool]]] = [[] for _ in pos]
        for source, row in enumerate(rows):
            at = pos.get(source)
            for target, value in row.items():
                into = pos.get(target)
                if into is None:  # nothing reads the state moved into
                    continue
                varying = _varies(value)
                if value.__class__ is float:
                    if value == 0.0:
                        continue
                elif scalar and not varying:
                    value = float(np.asarray(value).reshape(-1)[0])
                if at is None:  # someone moves into a followed state from one left out
                    raise _Untracked
                plan[into].append((at, value, varying))
        return plan

    @staticmethod
    def _flow(m: object, rows: list[dict[int, object]], sources: list[int], targets: list[int], pos: dict[int, int]) -> object:
        """The cohort moving from ``sources`` to ``targets`` this cycle."""
        flow = 0.0
        for a in sources:
            row = rows[a]
            prob = sum((row[b] for b in targets if b in row), 0.0)
            if np.ndim(prob) or prob != 0.0:
                if a not in pos:
                    raise _Untracked
                flow = flow + m[pos[a]] * prob
        return flow

    def _store(self, store: np.ndarray | None, t: int, i: int, m: object, tracked: list[int]) -> None:
        """Strategy ``i``'s membership at the end of cycle ``t`` (every state is tracked with a trace)."""
        if store is None:
            return
        m = np.asarray(m, dtype=float).reshape(len(tracked), -1)
        model = self.model
        user = m if len(model.internal) == len(model.states) else np.stack([m[model.group[s]].sum(0) for s in model.states])
        store[t, i] = user if store.ndim == 4 else user.mean(-1)

    def _outcomes(self, total: dict, undisc: dict | None, kinds: dict, store: np.ndarray | None) -> xr.Dataset:
        model = self.model
        costs = [name for name, kind in kinds.items() if kind == "cost"]
        effects = [name for name, kind in kinds.items() if kind == "effect"]
        values: dict[str, np.ndarray] = {"cost": sum((total[c] for c in costs), np.zeros((self.S, self.n))).T}
        out_kinds = {"cost": "cost", "cost_undiscounted": "cost"}
        for name in costs + effects:
            values[name] = total[name].T
            out_kinds[name] = out_kinds[f"{name}_undiscounted"] = kinds[name]
        out_kinds = {k: v for k, v in out_kinds.items() if k in values or k.endswith("_undiscounted") and self.undiscounted}
        if undisc is not None:
            values["cost_undiscounted"] = sum((undisc[c] for c in costs), np.zeros((self.S, self.n))).T
            for name in costs + effects:
                values[f"{name}_undiscounted"] = undisc[name].T
        effect = "qaly" if "qaly" in effects else (effects[0] if effects else None)
        unit = {"qaly": "QALY", "ly": "life-year", "lys": "life-year", "life_years": "life-year"}.get(effect or "", effect or "")
        attrs = {
            "model": model.name,
            "correction": model.correction if isinstance(model.correction, str) else "custom weights",
            "convention": model.convention.name,
            "discount_timing": model.discount_timing,
            "discount_method": model.discount_method,
            "transition_timing": model.transition_timing,
            "cycle_length": model.cycle_length,
            "n_cycles": model.n_cycles,
            "discount_costs": _describe_rate(model.discount_costs),
            "discount_effects": _describe_rate(model.discount_effects),
        }
        ds = make_outcomes(values, self.strategies, effect=effect, kinds=out_kinds, currency=model.currency, effect_unit=unit, attrs=attrs)
        if store is not None:
            coords = {STRATEGY: self.strategies, "cycle": np.arange(model.n_cycles + 1), "state": list(model.states)}
            if store.ndim == 4:
                data = xr.DataArray(store.transpose(3, 1, 0, 2), dims=(SAMPLE, STRATEGY, "cycle", "state"), coords={SAMPLE: ds[SAMPLE].values, **coords})
            else:
                data = xr.DataArray(store.transpose(1, 0, 2), dims=(STRATEGY, "cycle", "state"), coords=coords)
            ds["trace"] = data.assign_attrs(kind="other", description="state membership (proportion of the cohort) at the end of each cycle; cycle 0 is the start")
        return ds


class CycleByCycle(Exception):
    """Raised by a model evaluating a block of cycles at once (``transition_rows`` with an array
    of cycles) when the block cannot be taken whole: a row that is not plainly valid, say. The
    engine then evaluates those cycles one at a time, which says what is wrong, if anything is."""


class _Untracked(Exception):
    """A later cycle reads the membership of a state that the run left out (see ``_tracked``)."""


def _is_zero(value: object) -> bool:
    """An entry that moves nobody: the number 0 (arrays are not inspected)."""
    return value.__class__ is float and value == 0.0


def _varies(value: object) -> bool:
    """Whether an entry held has a row per cycle (a list of numbers, or a ``(cycles, n)`` array)."""
    return value.__class__ is list or value.__class__ is np.ndarray and value.ndim == 2


def _value_at(value: object, j: int) -> object:
    """An entry's value at the ``j``-th cycle of the block held."""
    return value[j] if _varies(value) else value


def _at(template: list[list[tuple[int, object, bool]]], j: int) -> list[list[tuple[int, object, bool]]]:
    """The plan of the ``j``-th cycle of the block held, from :meth:`CohortEngine._plan`'s (every
    probability then a number or an ``(n,)`` array)."""
    return [[(a, v[j], False) if varying else (a, v, False) for a, v, varying in terms] for terms in template]


def _held(values: tuple[list[dict[int, object]], dict[str, np.ndarray], dict[str, list]]) -> tuple:
    """A block evaluation's rows and transition rewards with every entry in :func:`_per_cycle_form`."""
    rows, state, items = values
    rows = [{k: _per_cycle_form(v) for k, v in row.items()} for row in rows]
    return rows, state, {name: [(a, b, _per_cycle_form(v)) for a, b, v in its] for name, its in items.items()}


def _per_cycle_form(value: object) -> object:
    """An entry of a block evaluation as held: a ``(cycles, 1)`` array as a list of numbers
    (multiplied into the cohort as a number, which is the same IEEE arithmetic), others as they are."""
    if value.__class__ is np.ndarray and value.ndim == 2 and value.shape[1] == 1:
        return value[:, 0].tolist()
    return value


#: Why a block is not taken (the engine then goes cycle by cycle; the message is never shown).
_OTHER_ENTRIES = "a block of cycles evaluated with time as arrays has other entries than a cycle evaluated alone"
_DISAGREES = "a block of cycles evaluated with time as arrays disagrees with a cycle evaluated alone"


def _require_agreement(block: tuple, j: int, single: tuple) -> None:
    """Raise :class:`CycleByCycle` unless a block's values at its ``j``-th cycle are exactly those
    of the same cycle evaluated alone, with time as numbers (a NaN never agrees)."""
    (rows, state, items), (rows1, state1, items1) = block, single
    if len(rows) != len(rows1) or any(len(items[name]) != len(items1[name]) for name in items):
        raise CycleByCycle(_OTHER_ENTRIES)
    for row, row1 in zip(rows, rows1):
        if row.keys() != row1.keys():
            raise CycleByCycle(_OTHER_ENTRIES)
        for k, a in row.items():
            b = row1[k]
            if a.__class__ is list and b.__class__ is float:  # one sample: numbers (most entries)
                if a[j] != b:  # NaN included
                    raise CycleByCycle(_DISAGREES)
            else:
                _require_equal(a, b, j)
    for name, values in state.items():
        if not np.equal(values[:, j], state1[name]).all():
            raise CycleByCycle(_DISAGREES)
    for name, its in items.items():
        for (a, b, v), (a1, b1, v1) in zip(its, items1[name]):
            if a != a1 or b != b1:
                raise CycleByCycle(_OTHER_ENTRIES)
            _require_equal(v, v1, j)


def _require_equal(held: object, single: object, j: int) -> None:
    """Raise :class:`CycleByCycle` unless an entry held for a block is at its ``j``-th cycle
    exactly the entry evaluated alone: arrays of one shape bit for bit (their bytes, four times
    as fast as comparing them as numbers; rows and rewards are checked before, so they hold no
    NaN), others as numbers (a NaN never agrees)."""
    a = held[j] if _varies(held) else held
    if a.__class__ is np.ndarray and single.__class__ is np.ndarray and a.shape == single.shape \
            and a.dtype == single.dtype and a.size > 1:
        if a.tobytes() == single.tobytes():
            return
        raise CycleByCycle(_DISAGREES)
    if a.__class__ is np.ndarray and a.size == 1:
        a = float(a[0])
    if single.__class__ is np.ndarray and single.size == 1:
        single = float(single.reshape(-1)[0])
    if a.__class__ is float and single.__class__ is float:
        if a == single:
            return
    elif np.equal(a, single).all():
        return
    raise CycleByCycle(_DISAGREES)


#: Samples propagated together: a block's cohort, its new cohort and its occupancy stay in the
#: processor's cache between the operations of a cycle (about 1 MB for 4 states).
_BLOCK = 8192
#: Cycles x samples per block of cycles evaluated in one call of a time-dependent function, up
#: to 1,024 samples: its arrays then stay under 128 KiB, which the C library's allocator serves
#: from its heap (larger ones are mapped from the system afresh every time); longer blocks
#: measured no faster, sometimes slower.
_BLOCK_ELEMENTS = 2**14


#: The fewest cycles a block holds: each block costs a call with time as numbers (the test of its
#: last cycle) besides its own, and blocks of 8 cycles measured slower than cycle by cycle.
_MIN_BLOCK = 16
#: The most samples evaluated by blocks (of ``_MIN_BLOCK`` cycles above 1,024 samples); more go
#: cycle by cycle. Measured on the benchmark's Sick-Sicker model, blocks of 16 cycles against
#: cycle by cycle: 1.5x as fast at 1,100 samples, 1.1x at 2,048, 1.04x at 2,500, none at 3,000
#: (their arrays outgrow the cache and the allocator's heap).
_BLOCK_SAMPLES = 2048


def _block_cycles(n: int) -> int:
    """Cycles per block of evaluation for ``n`` samples (1: cycle by cycle)."""
    return max(_MIN_BLOCK, _BLOCK_ELEMENTS // n) if n <= _BLOCK_SAMPLES else 1


def _block_size(n: int) -> int:
    """Samples per block: all of them up to two blocks' worth."""
    return n if n <= 2 * _BLOCK else _BLOCK


def _step(m: np.ndarray, new: np.ndarray, plan: list[list[tuple[int, object, bool]]], tmp: np.ndarray,
          occupancy: list[np.ndarray], weights: list[float], lo: int, hi: int, scratch: np.ndarray) -> None:
    """``new[j] = sum_i m[i] P[i, j]`` in place, over the inflows of :meth:`CohortEngine._plan`,
    then ``occupancy[c] += weights[c] * new[lo:hi]``; block by block of samples (each sample's
    arithmetic is the same whatever the blocks)."""
    n = m.shape[-1]
    block = _block_size(n)
    for start in range(0, n, block):
        end = min(n, start + block)
        part = slice(start, end) if block < n else slice(None)
        t = tmp[: end - start]
        for target, terms in enumerate(plan):
            out = new[target, part]
            if not terms:
                out.fill(0.0)
                continue
            source, value, _ = terms[0]
            np.multiply(m[source, part], value if value.__class__ is not np.ndarray else value[part], out=out)
            for source, value, _ in terms[1:]:
                np.multiply(m[source, part], value if value.__class__ is not np.ndarray else value[part], out=t)
                out += t
        if hi > lo:
            s = scratch[:, : end - start]
            for occ, w in zip(occupancy, weights):
                np.multiply(new[lo:hi, part], w, out=s)
                occ[:, part] += s


def _propagate_block(template: list[list[tuple[int, object, bool]]], j: int, size: int, m: list[float] | np.ndarray,
                     occupancy: list, weights: list[list[float]], lo: int, hi: int) -> tuple[list[float] | np.ndarray, list]:
    """``size`` cycles of the block held from its ``j``-th (:func:`_step` and the occupancy
    update) in one call of a loop compiled for the plan's shape. With one sample the cohort and
    occupancy are Python floats (the same IEEE arithmetic as numpy's element-wise operations, so
    the same numbers bit for bit as in a run with more samples, without numpy's cost per call);
    with more, arrays (the occupancy's updated in place)."""
    structure = tuple(tuple((a, varying) for a, _, varying in terms) for terms in template)
    values = [v[j:] if varying and j else v for terms in template for _, v, varying in terms]
    kernel = _block_kernel(structure, lo, hi, len(weights))
    if m.__class__ is list:
        return kernel(size, m, values, weights, occupancy)
    rows, _ = kernel(size, list(m), values, weights, [list(occ) for occ in occupancy])
    new = np.empty_like(m)
    for x, row in enumerate(rows):
        new[x] = row  # a state nobody enters is the number 0.0
    return new, occupancy


@functools.lru_cache(maxsize=256)
def _block_kernel(structure: tuple[tuple[tuple[int, bool], ...], ...], lo: int, hi: int, classes: int) -> Callable:
    """A Python function running cycles of :func:`_step` and the occupancy update for one plan shape (``structure``: per target, its sources and whether
    each probability varies by cycle), with every state's membership in a local variable
    (a number, or an array of samples).

    It performs the same floating-point operations in the same order as the cycle-by-cycle
    loop (``m[s0] * v0 + m[s1] * v1 + ...`` left to right, then ``o += m[k] * w``), so its
    results are the same bit for bit, at a fraction of the cost for small runs (one sample: a
    tenth). The source is built from integers only (state positions and counts); nothing from
    the user enters it.
    """
    k = len(structure)
    terms = [(t, a, varying) for t, sources in enumerate(structure) for a, varying in sources]
    lines = ["def kernel(size, m, values, weights, occupancy):"]
    if k:
        lines.append(f"    {', '.join(f'm{x}' for x in range(k))}, = m")
    for i, (_, _, varying) in enumerate(terms):
        if not varying:
            lines.append(f"    v{i} = values[{i}]")
    occ = [[f"o{c}_{x}" for x in range(lo, hi)] for c in range(classes)]
    for c in range(classes):
        if hi > lo:
            lines.append(f"    {', '.join(occ[c])}, = occupancy[{c}]")
    loop_vars = ["_"] + [f"v{i}" for i, (_, _, varying) in enumerate(terms) if varying] + [f"w{c}" for c in range(classes)]
    loop_sources = ["range(size)"] + [f"values[{i}]" for i, (_, _, varying) in enumerate(terms) if varying] + [f"weights[{c}]" for c in range(classes)]
    lines.append(f"    for {', '.join(loop_vars)} in zip({', '.join(loop_sources)}):")
    new = []
    for target in range(k):
        parts = [f"m{a} * v{i}" for i, (t, a, _) in enumerate(terms) if t == target]
        new.append(" + ".join(parts) if parts else "0.0")
    if k:
        lines.append(f"        {', '.join(f'm{x}' for x in range(k))}, = {', '.join(new)},")
    for c in range(classes):
        for x in range(lo, hi):
            lines.append(f"        o{c}_{x} += m{x} * w{c}")
    lines.append("        pass")
    occupancy_out = ", ".join(f"[{', '.join(names)}]" if names else "[]" for names in occ)
    lines.append(f"    return [{', '.join(f'm{x}' for x in range(k))}], [{occupancy_out}]")
    namespace: dict[str, object] = {}
    exec(compile("\n".join(lines), "<healthecon cohort kernel>", "exec"), namespace)  # noqa: S102 - source built from integers above
    return namespace["kernel"]  # type: ignore[return-value]


def _weighted(m: object, values: np.ndarray, tracked: list[int]) -> object:
    """``sum_k m[k] values[k]`` over the tracked states, in state order."""
    acc = 0.0
    for j, k in enumerate(tracked):
        acc = acc + m[j] * (values[k] if values.shape[-1] > 1 else float(values[k, 0]))
    return acc


def _dot(occupancy: np.ndarray | list[float], values: np.ndarray, states: list[int]) -> np.ndarray | float:
    """``sum_k occupancy[k] values[states[k]]`` in state order (so the sum does not depend on the
    sample count); with one sample (``occupancy`` a list of numbers), on Python floats."""
    if occupancy.__class__ is list:
        rows = values.tolist()
        total = 0.0
        for k, a in enumerate(states):
            total += occupancy[k] * rows[a][0]
        return total
    acc = np.zeros(max(occupancy.shape[-1], values.shape[-1]))
    for k, a in enumerate(states):
        acc += occupancy[k] * values[a]
    return acc


def _check_untracked(values: np.ndarray, tracked: list[int]) -> None:
    """A time-dependent state reward that becomes non-zero in a state left out stops the run."""
    if len(tracked) < len(values) and np.any(np.delete(np.asarray(values), tracked, axis=0) != 0):
        raise _Untracked


def _describe_rate(rate: float | DiscountSchedule) -> str | float:
    return rate.name if isinstance(rate, DiscountSchedule) else float(rate)

