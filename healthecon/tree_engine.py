"""The decision-tree engine: rolls a tree back over every PSA sample at once.

:mod:`healthecon.tree` defines a tree (nodes, strategies, checks); this module evaluates it.
The expected value of a strategy is the probability-weighted sum over its pathways
(Briggs, Claxton & Sculpher 2006, ch. 2; Drummond et al. 2015, ch. 9)::

    E[v | strategy] = sum over pathways k of  P(k) * v(k),   P(k) = product of branch probabilities

with arrays over the ``sample`` dimension. Markov models on leaves are run once per
(model, starting distribution), for all the strategies the leaves need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from ._validate import as_float_array, require_finite, require_probability, sample_label
from .conventions import discount_at
from .errors import ShapeError, TreeError, UnknownNameError, unknown_name
from .modeldef import TOLERANCE, MissingParameter, ParameterView, complement, is_complement, is_cost, refuse_boolean, reward_kind
from .outcomes import SAMPLE, STRATEGY

__all__ = ["UNDISCOUNTED", "PATH_SEPARATOR", "node_id", "Leaf", "LeafValues", "Visit", "Rollback", "roll_back"]

#: Suffix of the undiscounted totals that Markov leaves report.
UNDISCOUNTED = "_undiscounted"
#: Joins the labels of a path (``"drug > respond"``).
PATH_SEPARATOR = " > "


def node_id(path: tuple[str, ...]) -> str:
    """How messages name a node: ``node 'drug > respond'``."""
    return f"node {PATH_SEPARATOR.join(path)!r}"


class LeafValues(Mapping):
    """A pathway's total payoff of each variable: its tree phase plus its Markov phase.

    The two parts are kept apart and added only when a variable is read (the expected values
    of :meth:`Rollback.expected` do not need the sums as arrays); a part that is absent is
    zero.
    """

    def __init__(self, parts: dict[str, tuple[np.ndarray | None, np.ndarray | None]], n: int) -> None:
        self.parts, self.n = parts, n

    def total(self, var: str) -> np.ndarray | None:
        """The payoff of ``var``, or None where it is zero in every sample because no part has it."""
        own, later = self.parts[var]
        if own is None:
            return later
        return own if later is None else own + later

    def __getitem__(self, var: str) -> np.ndarray:
        value = self.total(var)
        return np.zeros(self.n) if value is None else value

    def __iter__(self):
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)


@dataclass
class Leaf:
    """A pathway of one strategy: its terminal node, probability (per sample) and values."""

    strategy: str
    path: tuple[str, ...]
    node: Any
    probability: np.ndarray
    tree_values: dict[str, np.ndarray]
    values: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Visit:
    """A node reached by a strategy: its branch probability and the probability of reaching it."""

    strategy: str
    path: tuple[str, ...]
    node: Any
    branch_probability: np.ndarray | None
    reach: np.ndarray


@dataclass
class Rollback:
    """What :func:`roll_back` returns: the strategies, pathways, visits, variables and kinds."""

    strategies: list[str]
    leaves: list[Leaf]
    visits: list[Visit]
    variables: list[str]
    kinds: dict[str, str]
    n: int

    def expected(self) -> dict[str, np.ndarray]:
        """Expected value of every variable, ``{variable: (n_samples, n_strategies)}``.

        ``sum over pathways of P(k) v(k)`` in pathway order, skipping the pathways whose
        payoff of the variable is zero throughout.
        """
        column = {name: i for i, name in enumerate(self.strategies)}
        values = {}
        tmp = np.empty(self.n)
        for var in self.variables:
            table = np.zeros((len(self.strategies), self.n))  # one contiguous row per strategy
            for leaf in self.leaves:
                value = leaf.values.total(var) if isinstance(leaf.values, LeafValues) else leaf.values[var]
                if value is not None:
                    np.multiply(leaf.probability, value, out=tmp)
                    table[column[leaf.strategy]] += tmp
            values[var] = table.T
        return values


def roll_back(root: Any, name: str, policies: Mapping[str, tuple[str, dict[tuple[str, ...], str]]],
              parameters: Mapping[str, tuple[str, ...]], draws: xr.Dataset, strategies: Sequence[str]) -> Rollback:
    """Evaluate a checked tree for ``strategies`` over every sample of ``draws``.

    ``policies`` maps a strategy to its root choice and its choice at every later decision;
    ``parameters`` maps each parameter read by name to the path (and role) of its first use,
    for messages. Raises :class:`~healthecon.errors.TreeError` naming the node for a
    probability outside [0, 1], branches not summing to 1, a negative complement, a
    non-finite or boolean value; :class:`~healthecon.errors.UnknownNameError` for a
    parameter not in the draws.
    """
    return _Engine(draws, parameters).run(root, name, policies, list(strategies))


class _Engine:
    def __init__(self, draws: xr.Dataset, parameters: Mapping[str, tuple[str, ...]]) -> None:
        if not isinstance(draws, xr.Dataset) or SAMPLE not in draws.dims:
            raise ShapeError(f"draws: expected an xarray.Dataset with a 'sample' dimension, got {type(draws).__name__}")
        n = int(draws.sizes[SAMPLE])
        arrays = {}
        variables = draws.variables  # xarray Variables: no DataArray built per parameter
        for key in draws.data_vars:
            var = variables[key]
            if var.dims == (SAMPLE,):
                arrays[str(key)] = np.asarray(var.values, dtype=float)
        for key, path in parameters.items():
            if key not in arrays:
                where = node_id(path[:-1])
                if key in draws.data_vars:
                    raise ShapeError(f"{where}, {path[-1]}: parameter {key!r} has dims {draws[key].dims}, expected ('sample',)")
                raise UnknownNameError(f"{where}, {path[-1]}: {unknown_name('parameter', key, list(arrays))}")
        self.draws, self.arrays, self.n = draws, arrays, n
        self.view = ParameterView(arrays, n=n)
        # a parameter's name or a number gives the same array wherever it is used: check it once
        self.checked: dict[object, np.ndarray] = {}
        self.checked_probability: set[object] = set()

    def run(self, root: Any, name: str, policies: Mapping[str, tuple[str, dict[tuple[str, ...], str]]],
            strategies: list[str]) -> Rollback:
        n = self.n
        root_payoffs = {r: self.value(v, f"{node_id((name,))}, {r}") for r, v in root.payoffs.items()}
        leaves: list[Leaf] = []
        visits: list[Visit] = []
        branches = {b.label: b for b in root.branches}
        self.one = np.ones(n)  # the probability of reaching a strategy's first node; read-only, shared
        self.one.flags.writeable = False
        for strategy in strategies:
            choice, policy = policies[strategy]
            self.walk(branches[choice].node, (choice,), self.one, root_payoffs, strategy, policy, leaves, visits, None)
        markov, kinds = self.markov_values(leaves)
        variables = self.finalise(leaves, markov)
        kinds = {v: kinds.get(v, reward_kind(v.removesuffix(UNDISCOUNTED))) for v in variables}
        return Rollback(strategies, leaves, visits, variables, kinds, n)

    def value(self, value: Any, where: str) -> np.ndarray:
        key = value if value.__class__ in (str, float, int) else None
        if key is not None and key in self.checked:
            return self.checked[key]
        result = self._value(value, where)
        if key is not None:
            self.checked[key] = result
        return result

    def _value(self, value: Any, where: str) -> np.ndarray:
        n = self.n
        if isinstance(value, str):
            result: object = self.arrays[value]
        elif callable(value):
            try:
                result = value(self.view)
            except MissingParameter as err:
                if err.params is not self.view:
                    raise
                raise UnknownNameError(f"{where}: {unknown_name('parameter', err.name, err.known)}") from None
        else:
            result = value
        refuse_boolean(result, where, TreeError)
        arr = as_float_array(result, where)
        if arr.shape not in ((), (n,)):
            raise ShapeError(f"{where}: expected a number or an array of shape ({n},), got shape {arr.shape}")
        return np.broadcast_to(require_finite(arr, where, TreeError), (n,))

    def probabilities(self, node: Any, path: tuple[str, ...]) -> list[np.ndarray]:
        where = node_id(path)
        probs: list[np.ndarray | None] = []
        for branch in node.branches:
            if is_complement(branch.probability):
                probs.append(None)
                continue
            what = f"{node_id(path + (branch.label,))}, probability"
            p = self.value(branch.probability, what)
            key = branch.probability if branch.probability.__class__ in (str, float, int) else None
            if key is None or key not in self.checked_probability:
                if not (_minimum(p) >= 0 and _maximum(p) <= 1):
                    bad = (p < 0) | (p > 1)
                    i = int(np.argmax(bad))
                    raise TreeError(f"{what}: expected a probability in [0, 1], got {float(p[i]):.12g} in sample {sample_label(i)}")
                if key is not None:
                    self.checked_probability.add(key)
            probs.append(p)
        given = [p for p in probs if p is not None]
        total = _sum(given, self.n)
        if any(p is None for p in probs):
            rest = 1.0 - total
            if not (_minimum(rest) >= 0):  # negative (beyond rounding: an error) or NaN
                rest = complement(total, where, "branches", TOLERANCE, TreeError)
            return [rest if p is None else p for p in probs]
        bad = np.abs(total - 1.0) > TOLERANCE
        if bad.any():
            i = int(np.argmax(bad))
            raise TreeError(
                f"{where}: branch probabilities sum to {float(total[i]):.12g} in sample {sample_label(i)}, expected 1 "
                f"(tolerance {TOLERANCE}); use C for a complement branch"
            )
        return probs  # type: ignore[return-value]

    def walk(self, node: Any, path: tuple[str, ...], reach: np.ndarray, acc: dict[str, np.ndarray], strategy: str,
             policy: Mapping[tuple[str, ...], str], leaves: list[Leaf], visits: list[Visit], branch_p: np.ndarray | None) -> None:
        visits.append(Visit(strategy, path, node, branch_p, reach))
        acc = dict(acc)
        for reward, value in node.payoffs.items():
            v = self.value(value, f"{node_id(path)}, {reward}")
            acc[reward] = acc[reward] + v if reward in acc else v
        if node.kind == "terminal":
            leaves.append(Leaf(strategy, path, node, reach, acc))
            return
        if node.kind == "decision":
            chosen = next(b for b in node.branches if b.label == policy[path])
            self.walk(chosen.node, path + (chosen.label,), reach, acc, strategy, policy, leaves, visits, None)
            return
        for branch, p in zip(node.branches, self.probabilities(node, path)):
            self.walk(branch.node, path + (branch.label,), p if reach is self.one else reach * p, acc, strategy, policy, leaves, visits, p)

    def start(self, link: Any, where: str) -> object:
        """The starting distribution to pass to ``model.run``: None, a mapping, or an (n, k) array."""
        states = tuple(getattr(link.model, "states", ()))
        if link.start is None:
            return None
        if isinstance(link.start, str):
            return {link.start: 1.0}
        if not isinstance(link.start, Mapping):
            return link.start
        matrix = np.zeros((self.n, len(states)))
        rest = None
        for state, value in link.start.items():
            if is_complement(value):
                rest = states.index(state)
                continue
            matrix[:, states.index(state)] = self.value(value, f"{where}, Markov start {state!r}")
        for k, state in enumerate(states):
            require_probability(matrix[:, k], f"{where}, Markov start {state!r}", TreeError)
        if rest is not None:
            matrix[:, rest] = complement(matrix.sum(axis=1), f"{where}, Markov start {states[rest]!r}", "states", TOLERANCE, TreeError)
        off = np.abs(matrix.sum(axis=1) - 1.0) > TOLERANCE
        if off.any():
            i = int(np.argmax(off))
            raise TreeError(f"{where}, Markov start: proportions sum to {matrix[i].sum():.12g} in sample {sample_label(i)}, expected 1")
        return matrix

    def markov_values(self, leaves: list[Leaf]) -> tuple[dict[int, dict[str, np.ndarray]], dict[str, str]]:
        """Run each Markov model once per (model, start), for all the strategies leaves need."""
        groups: dict[tuple[object, ...], tuple[Any, str, list[str]]] = {}
        for leaf in leaves:
            link = leaf.node.markov
            if link is not None:
                _, _, wanted = groups.setdefault(link.key(), (link, node_id(leaf.path), []))
                if link.model_strategy not in wanted:
                    wanted.append(link.model_strategy)
        runs: dict[tuple[object, ...], xr.Dataset] = {}
        kinds: dict[str, str] = {}
        for key, (link, where, wanted) in groups.items():
            runs[key] = out = link.model.run(self.draws, strategies=wanted, start=self.start(link, where))
            for var_name, var in out.data_vars.items():
                if set(var.dims) == {SAMPLE, STRATEGY}:
                    kinds.setdefault(str(var_name), var.attrs.get("kind", "other"))
        values: dict[int, dict[str, np.ndarray]] = {}
        for i, leaf in enumerate(leaves):
            link = leaf.node.markov
            if link is not None:
                out = runs[link.key()].sel({STRATEGY: link.model_strategy})
                values[i] = {str(k): np.asarray(var.transpose(SAMPLE).values, dtype=float) * _delay_factor(link, str(k), kinds)
                             for k, var in out.data_vars.items() if var.dims == (SAMPLE,)}
        return values, kinds

    def finalise(self, leaves: list[Leaf], markov: Mapping[int, Mapping[str, np.ndarray]]) -> list[str]:
        """Combine tree rewards and Markov outcomes into every leaf's values; return variable names."""
        names: dict[str, None] = {"cost": None}
        for leaf in leaves:
            names.update(dict.fromkeys(leaf.tree_values))
        for m in markov.values():
            names.update(dict.fromkeys(m))
        undiscounted = [v for v in names if v.endswith(UNDISCOUNTED)]
        costs = [v for v in names if is_cost(v) and v != "cost" and v not in undiscounted]
        effects = [v for v in names if not is_cost(v) and v not in undiscounted]
        variables = ["cost", *costs, *effects, *undiscounted]
        for i, leaf in enumerate(leaves):
            tree, m = leaf.tree_values, markov.get(i, {})
            costs = [v for k, v in tree.items() if is_cost(k)]
            tree_cost = _sum(costs, self.n) if costs else None
            parts = {}
            for var in variables:
                base = var.removesuffix(UNDISCOUNTED)
                own = tree_cost if base == "cost" else tree.get(base)
                if var == base:
                    later = m.get(var)
                else:  # a Markov model that reports no undiscounted total is not discounted
                    later = m.get(var, m.get(base))
                parts[var] = (own, later)
            leaf.values = LeafValues(parts, self.n)
        return variables


_minimum, _maximum = np.minimum.reduce, np.maximum.reduce  # NaN propagates (and fails the check)


def _sum(arrays: Sequence[np.ndarray], n: int) -> np.ndarray:
    """Element-wise sum of ``arrays`` in order (as ``np.sum(arrays, axis=0)``, without stacking
    them); a single array is returned as it is (the callers do not write into it)."""
    if not arrays:
        return np.zeros(n)
    if len(arrays) == 1:
        return arrays[0]
    total = arrays[0] + arrays[1]
    for a in arrays[2:]:
        total += a
    return total


def _delay_factor(link: Any, name: str, kinds: Mapping[str, str]) -> float:
    """Discount factor at ``link.delay`` for a discounted Markov outcome (by the Markov model's
    discount formula, :func:`healthecon.conventions.discount_at`); 1 if undiscounted."""
    if not link.delay or name.endswith(UNDISCOUNTED):
        return 1.0
    rate = {"cost": link.model.discount_costs, "effect": link.model.discount_effects}.get(kinds.get(name, "other"))
    return 1.0 if rate is None else float(discount_at(link.delay, rate, link.model.discount_method, link.model.cycle_length))
