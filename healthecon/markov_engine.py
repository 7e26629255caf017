"""The Markov cohort engine: propagates a cohort and accumulates rewards, vectorised over samples.

:mod:`healthecon.markov` defines a model (states, transitions, rewards, checks); this module
runs it. See :class:`CohortEngine`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from .conventions import RewardWeights
from .discount import DiscountSchedule
from .outcomes import SAMPLE, STRATEGY, make_outcomes

if TYPE_CHECKING:
    from .markov import MarkovModel
    from .modeldef import ParameterView

__all__ = ["CohortEngine"]


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
        m0 = np.zeros((self.S, self.K, self.n))
        user = start if start.ndim == 2 else np.broadcast_to(start, (self.n, len(model.states)))
        for k, state in enumerate(model.states):
            m0[:, model.group[state][0], :] = user[:, k]
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

    # --- evaluation with caching of time-independent pieces ---------------------------------
    def _prepare(self) -> None:
        model, p = self.model, self.p
        steps = model.max_tunnel
        self.rows: list[list[dict[int, object]]] = []
        self.rows_dynamic: list[bool] = []
        for s in self.strategies:
            rows, reads = model.transition_rows(p, s, 1, steps)
            self.rows.append(rows)
            self.rows_dynamic.append("time" in reads)
        # state rewards: static values (S, K, n|1) or dynamic
        self.static_state: dict[str, np.ndarray] = {}
        self.dynamic_state: dict[str, list[np.ndarray]] = {}
        self.dynamic_state_flags: dict[str, list[bool]] = {}
        self.transition_items: dict[str, list] = {}
        self.transition_flags: dict[str, list[bool]] = {}
        for name, reward in model.rewards.items():
            if reward.state is not None:
                per, flags = [], []
                for s in self.strategies:
                    v, reads = model.state_values(reward, p, s, 1, steps)
                    per.append(v)
                    flags.append("time" in reads)
                if any(flags):
                    self.dynamic_state[name], self.dynamic_state_flags[name] = per, flags
                else:
                    self.static_state[name] = _stack(per)
            if reward.transition is not None:
                per, flags = [], []
                for s in self.strategies:
                    items, reads = model.transition_values(reward, p, s, 1, steps)
                    per.append(items)
                    flags.append("time" in reads)
                self.transition_items[name], self.transition_flags[name] = per, flags

    def _refresh(self, cycle: int) -> None:
        """Re-evaluate time-dependent transitions and rewards for ``cycle`` (> 1)."""
        model, p, steps = self.model, self.p, self.model.max_tunnel
        for i, s in enumerate(self.strategies):
            if self.rows_dynamic[i]:
                self.rows[i] = model.transition_rows(p, s, cycle, steps)[0]
        for name, flags in self.dynamic_state_flags.items():
            reward = model.rewards[name]
            for i, s in enumerate(self.strategies):
                if flags[i]:
                    self.dynamic_state[name][i] = model.state_values(reward, p, s, cycle, steps)[0]
        for name, flags in self.transition_flags.items():
            reward = model.rewards[name]
            for i, s in enumerate(self.strategies):
                if flags[i]:
                    self.transition_items[name][i] = model.transition_values(reward, p, s, cycle, steps)[0]

    # --- the loop -------------------------------------------------------------------------
    def run(self) -> xr.Dataset:
        model = self.model
        T, S, K, n = model.n_cycles, self.S, self.K, self.n
        self._prepare()
        kinds = {name: r.kind for name, r in model.rewards.items()}
        total = {name: np.zeros((S, n)) for name in model.rewards}
        undisc = {name: np.zeros((S, n)) for name in model.rewards}
        # weighted sums of the trace for time-constant rewards, one per distinct weight vector,
        # over the internal states [lo, hi) that carry a time-constant reward (skip the rest:
        # the dead state, usually), accumulated once per cycle
        needed = ({"undiscounted"} if self.undiscounted else set()) | {kinds[name] for name in self.static_state}
        classes: list[np.ndarray] = []
        slot: dict[str, int] = {}
        for cls in ("undiscounted", "cost", "effect"):
            if cls not in needed:
                continue
            w = self.point[cls]
            same = [i for i, other in enumerate(classes) if np.array_equal(other, w)]
            slot[cls] = same[0] if same else len(classes)
            if not same:
                classes.append(w)
        point = np.stack(classes) if classes else np.zeros((0, T + 1))  # (classes, T+1)
        rewarded = np.flatnonzero(np.any([np.any(v != 0, axis=(0, 2)) for v in self.static_state.values()], axis=0)) \
            if self.static_state else np.zeros(0, dtype=int)
        lo, hi = (int(rewarded[0]), int(rewarded[-1]) + 1) if rewarded.size else (0, 0)
        m = self.m0
        occupancy = point[:, 0, None, None, None] * m[None, :, lo:hi]  # (classes, S, hi - lo, n)
        scratch = np.empty_like(occupancy[0])
        store = None
        if self.trace is True:
            store = np.empty((T + 1, S, len(model.states), n))
        elif self.trace == "mean":
            store = np.empty((T + 1, S, len(model.states)))
        self._store(store, 0, m)
        new = np.empty_like(m)
        tmp = np.empty(n)
        for t in range(1, T + 1):
            if t > 1:
                self._refresh(t)
            # one-off transition rewards use m_{t-1} and this cycle's probabilities
            for name, per in self.transition_items.items():
                d = self.transition_discount[kinds[name]][t - 1]
                for i in range(S):
                    for rows, cols, value in per[i]:
                        flow = self._flow(m[i], self.rows[i], rows, cols)
                        amount = flow * value
                        total[name][i] += d * amount
                        undisc[name][i] += self.transition_discount["undiscounted"][t - 1] * amount
            # propagate: m_t[j] = sum_i m_{t-1}[i] P[i, j]
            for i in range(S):
                self._propagate(m[i], new[i], self.rows[i], tmp)
            # time-dependent state rewards: cycle t's value on both ends of the cycle
            for name, per in self.dynamic_state.items():
                kind = kinds[name]
                values = _stack(per)
                before = np.einsum("skn,skn->sn", m, np.broadcast_to(values, m.shape))
                after = np.einsum("skn,skn->sn", new, np.broadcast_to(values, m.shape))
                total[name] += self.start_weight[kind][t - 1] * before + self.end_weight[kind][t - 1] * after
                undisc[name] += self.a[t - 1] * before + self.b[t - 1] * after
            m, new = new, m
            if hi > lo:
                for c in range(len(point)):
                    np.multiply(m[:, lo:hi], point[c, t], out=scratch)
                    occupancy[c] += scratch
            self._store(store, t, m)
        for name, values in self.static_state.items():
            values = np.broadcast_to(values, (S, K, n))[:, lo:hi]
            total[name] += np.einsum("skn,skn->sn", occupancy[slot[kinds[name]]], values)
            if self.undiscounted:
                undisc[name] += np.einsum("skn,skn->sn", occupancy[slot["undiscounted"]], values)
        for name, reward in model.rewards.items():
            if reward.initial is not None:
                value = model.initial_values(reward, self.p, self.strategies)
                total[name] += value
                undisc[name] += value
        return self._outcomes(total, undisc, kinds, store)

    @staticmethod
    def _propagate(m: np.ndarray, new: np.ndarray, rows: list[dict[int, object]], tmp: np.ndarray) -> None:
        """``new[j] = sum_i m[i] P[i, j]`` over the non-zero entries only (matrices are sparse)."""
        written = [False] * len(new)
        for source, row in enumerate(rows):
            ms = m[source]
            for target, value in row.items():
                if value.__class__ is float and value == 0.0:
                    continue
                if written[target]:
                    np.multiply(ms, value, out=tmp)
                    new[target] += tmp
                else:
                    np.multiply(ms, value, out=new[target])
                    written[target] = True
        for target, done in enumerate(written):
            if not done:
                new[target] = 0.0

    @staticmethod
    def _flow(m: np.ndarray, rows: list[dict[int, object]], sources: list[int], targets: list[int]) -> np.ndarray:
        flow = 0.0
        for a in sources:
            row = rows[a]
            prob = sum((row[b] for b in targets if b in row), 0.0)
            if np.ndim(prob) or prob != 0.0:
                flow = flow + m[a] * prob
        return np.broadcast_to(flow, m.shape[1:])

    def _store(self, store: np.ndarray | None, t: int, m: np.ndarray) -> None:
        if store is None:
            return
        user = self._user_states(m)
        store[t] = user if store.ndim == 4 else user.mean(-1)

    def _user_states(self, m: np.ndarray) -> np.ndarray:
        if len(self.model.internal) == len(self.model.states):
            return m
        return np.stack([m[:, self.model.group[s]].sum(1) for s in self.model.states], axis=1)

    def _outcomes(self, total: dict, undisc: dict, kinds: dict, store: np.ndarray | None) -> xr.Dataset:
        model = self.model
        costs = [name for name, kind in kinds.items() if kind == "cost"]
        effects = [name for name, kind in kinds.items() if kind == "effect"]
        values: dict[str, np.ndarray] = {"cost": sum((total[c] for c in costs), np.zeros((self.S, self.n))).T}
        out_kinds = {"cost": "cost", "cost_undiscounted": "cost"}
        for name in costs + effects:
            values[name] = total[name].T
            out_kinds[name] = out_kinds[f"{name}_undiscounted"] = kinds[name]
        out_kinds = {k: v for k, v in out_kinds.items() if k in values or k.endswith("_undiscounted") and self.undiscounted}
        if self.undiscounted:
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


def _stack(per: Iterable[np.ndarray]) -> np.ndarray:
    per = list(per)
    width = max(v.shape[-1] for v in per)
    return np.stack([np.broadcast_to(v, v.shape[:-1] + (width,)) for v in per])


def _describe_rate(rate: float | DiscountSchedule) -> str | float:
    return rate.name if isinstance(rate, DiscountSchedule) else float(rate)

