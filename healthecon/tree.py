"""Decision trees, rolled back over every PSA sample at once, with Markov models on leaves.

A tree is built from three kinds of node:

- :class:`Decision`: the root; each branch is a strategy (``{"drug": subtree, ...}``). A
  decision further down (treat or not after a test) multiplies the strategies: one per
  combination of choices.
- :class:`Chance`: ``(label, probability, subtree)`` branches. One branch per node may take
  the complement probability, written :data:`C` (or ``"#"``, as in TreeAge).
- :class:`Terminal`: the end of a pathway; it may carry a Markov model (:class:`MarkovLeaf`)
  whose discounted outcomes are added to the pathway's payoff.

Costs and effects ("rewards": ``cost``, ``cost_drug``, ``qaly``, ``ly``, any name) may sit on
any node, as keyword arguments, and accumulate along a pathway: the payoff of a pathway is
the sum of the rewards of every node on it (Briggs, Claxton & Sculpher 2006, ch. 2, "the
decision tree"). Every probability and reward is a number, the name of a parameter in the
draws, or a callable of the parameter namespace (``lambda p: p.c_visit * 3`` or
``p["c_visit"]``; :class:`healthecon.modeldef.ParameterView`) returning a number or an array
of shape ``(n_samples,)``. The roll-back itself is :mod:`healthecon.tree_engine`.

The expected value of a strategy is the probability-weighted sum over its pathways (roll
back; Briggs et al. 2006, ch. 2; Drummond et al. 2015, ch. 9)::

    E[v | strategy] = sum over pathways k of  P(k) * v(k),   P(k) = product of branch probabilities

computed with arrays over the ``sample`` dimension, so one PSA run evaluates every draw
together. Costs named ``cost`` or ``cost_<category>`` are costs; the output variable ``cost``
is their total. Everything else is an effect.

Examples
--------
>>> import xarray as xr
>>> draws = xr.Dataset({"p_resp": ("sample", [0.6, 0.8]), "c_drug": ("sample", [500.0, 700.0])})
>>> tree = DecisionTree(Decision({
...     "drug": Chance([("respond", "p_resp", Terminal(qaly=0.9)),
...                     ("no response", C, Terminal(qaly=0.5, cost=1000))], cost="c_drug"),
...     "no drug": Chance([("respond", 0.3, Terminal(qaly=0.9)),
...                        ("no response", C, Terminal(qaly=0.5, cost=1000))]),
... }, name="Treat?"))
>>> out = tree.run(draws)
>>> out["cost"].values
array([[900., 700.],
       [900., 700.]])
>>> out["qaly"].values.round(3)
array([[0.74, 0.62],
       [0.82, 0.62]])
"""

from __future__ import annotations

import keyword
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Union

import numpy as np
import pandas as pd
import xarray as xr

from ._validate import numbered_samples
from .errors import TreeError, UnknownNameError, unknown_name
from .modeldef import C, Complement, is_complement, is_cost, refuse_boolean
from .modeldef import TOLERANCE as TOLERANCE  # the tolerance on branch sums and complements, in every sample
from .outcomes import make_outcomes
from .tree_engine import PATH_SEPARATOR, UNDISCOUNTED, Rollback, node_id, roll_back

__all__ = [
    "C",
    "TOLERANCE",
    "Branch",
    "Decision",
    "Chance",
    "Terminal",
    "MissingEffectWarning",
    "MarkovLeaf",
    "DecisionTree",
]

_RESERVED = frozenset({"strategy", "path", "terminal", "probability", "name", "markov"})

Value = Union[float, int, str, Callable[[Any], Any], np.ndarray]


class Branch(NamedTuple):
    """A branch of a decision or chance node: its label, probability and subtree.

    Decision branches have no probability (``None``). Nodes build their branches from plain
    tuples, so a Branch is mostly met when reading a tree (``node.branches``,
    :meth:`DecisionTree.walk`); one may also be passed where a tuple is expected.

    Parameters
    ----------
    label
        The branch label (a strategy or choice under a decision, an event under a chance node).
    probability
        A number, a parameter name, a callable of the parameter namespace, :data:`C` for
        the complement, or ``None`` on a decision's branch.
    node
        The subtree the branch leads to.

    Examples
    --------
    >>> response = Chance([("responds", "p_resp", Terminal("responder", qaly=0.9)),
    ...                    ("no response", C, Terminal("non-responder", qaly=0.5))], cost_drug=500)
    >>> response.branches[1]
    Branch(label='no response', probability=C, node=Terminal('non-responder', qaly=0.5))
    >>> [(b.label, b.probability) for b in response.branches]
    [('responds', 'p_resp'), ('no response', C)]
    >>> Decision([Branch("drug", None, response), ("no drug", Terminal(qaly=0.6))]).branches[1]
    Branch(label='no drug', probability=None, node=Terminal(qaly=0.6))
    """

    label: str
    probability: Value | Complement | None
    node: Node


class Node:
    """Base of the node types: an optional ``name`` and rewards that accrue on reaching it."""

    kind = "node"

    def __init__(self, name: str | None = None, **payoffs: Value) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise TreeError(f"{self.kind} node: name must be a non-empty string, got {name!r}")
        self.name = name
        self.payoffs: dict[str, Value] = dict(payoffs)
        self.branches: tuple[Branch, ...] = ()

    def _describe(self) -> str:
        if self.name:
            return f"{self.kind} node {self.name!r}"
        labels = [b.label for b in self.branches]
        return f"{self.kind} node with branches {labels}" if labels else f"unnamed {self.kind} node"

    def __repr__(self) -> str:
        parts = [repr(self.name)] if self.name else []
        parts += [f"{k}={v!r}" for k, v in self.payoffs.items()]
        if self.branches:
            parts.append(f"branches={[b.label for b in self.branches]}")
        return f"{type(self).__name__}({', '.join(parts)})"


class Terminal(Node):
    """The end of a pathway.

    Parameters
    ----------
    name
        Shown on drawings and in :meth:`DecisionTree.pathways`.
    markov
        Optional :class:`MarkovLeaf`: the pathway continues in a Markov model whose
        discounted totals are added to the pathway's payoff.
    **payoffs
        Rewards accrued here (``cost=...``, ``qaly=...``): numbers, parameter names, or
        callables of the parameter namespace.

    Raises
    ------
    TreeError
        If ``name`` is not a non-empty string or ``markov`` is not a :class:`MarkovLeaf`.
        Reward names and values are checked when the tree is built (:class:`DecisionTree`),
        where a terminal with neither a payoff nor a Markov leaf is an error: a pathway
        whose payoff really is nothing says so (``Terminal(cost=0, qaly=0)``), so that a
        forgotten payoff never counts silently as £0 and 0 QALY. Rewards on the nodes
        before it still count.

    Examples
    --------
    A hospital admission for flu costing £2,500, whose QALYs depend on a sampled QALY loss:

    >>> admitted = Terminal("admitted", cost=2500, qaly=lambda p: 0.7 - p.qaly_loss)
    >>> admitted.name, admitted.payoffs["cost"]
    ('admitted', 2500)
    >>> import xarray as xr
    >>> tree = DecisionTree(Decision({"antivirals": Chance([("admitted", 0.1, admitted),
    ...                                                     ("recovers at home", C, Terminal(qaly=0.8))])}))
    >>> tree.run(xr.Dataset({"qaly_loss": ("sample", [0.1, 0.2])}))["qaly"].values.round(3)
    array([[0.78],
           [0.77]])
    """

    kind = "terminal"

    def __init__(self, name: str | None = None, *, markov: MarkovLeaf | None = None, **payoffs: Value) -> None:
        super().__init__(name, **payoffs)
        if markov is not None and not isinstance(markov, MarkovLeaf):
            raise TreeError(
                f"{self._describe()}: markov must be a MarkovLeaf(model, strategy, start), got {type(markov).__name__}"
            )
        self.markov = markov


def _as_branch(item: object, index: int, owner: Node, *, decision: bool) -> Branch:
    if isinstance(item, Branch):
        return item
    shape = "(label, subtree)" if decision else "(label, probability, subtree)"
    if not isinstance(item, tuple) or len(item) != (2 if decision else 3):
        raise TreeError(f"{owner._describe()}: branch {index} must be a tuple {shape}, got {item!r}")
    if decision:
        return Branch(item[0], None, item[1])
    return Branch(*item)


class Chance(Node):
    """A chance node: ``(label, probability, subtree)`` branches.

    Parameters
    ----------
    branches
        Sequence of ``(label, probability, subtree)``. A probability is a number, a
        parameter name, a callable of the parameter namespace, or :data:`C` (``"#"``) for
        the complement of the others (at most one per node).
    name
        Optional node name (shown on drawings).
    **payoffs
        Rewards accrued on reaching this node (e.g. the drug cost paid by everyone treated).

    Raises
    ------
    TreeError
        If ``branches`` is not a sequence of 3-tuples, or ``name`` is not a non-empty
        string. Probabilities are checked (in [0, 1], summing to 1 in every sample) when the
        tree is run.

    Examples
    --------
    Response to a £500 drug, with the response probability read from the draws and
    non-response as the complement:

    >>> import xarray as xr
    >>> treat = Chance([("responds", "p_resp", Terminal("responder", qaly=0.9)),
    ...                 ("no response", C, Terminal("non-responder", qaly=0.5))], cost=500)
    >>> treat
    Chance(cost=500, branches=['responds', 'no response'])
    >>> tree = DecisionTree(Decision({"drug": treat, "no drug": Terminal(qaly=0.6)}))
    >>> out = tree.run(xr.Dataset({"p_resp": ("sample", [0.6, 0.8])}))
    >>> out["qaly"].values.round(3)
    array([[0.74, 0.6 ],
           [0.82, 0.6 ]])

    Probabilities that do not sum to 1 are reported with the node and sample at fault:

    >>> typo = Chance([("responds", 0.3, Terminal(qaly=0.9)), ("no response", 0.6, Terminal(qaly=0.5))])
    >>> DecisionTree(Decision({"drug": typo})).run(xr.Dataset(coords={"sample": [0]}))
    Traceback (most recent call last):
    ...
    healthecon.errors.TreeError: node 'drug': branch probabilities sum to 0.9 in sample 0, expected 1 (tolerance 1e-09); use C for a complement branch
    """

    kind = "chance"

    def __init__(self, branches: Sequence[object], name: str | None = None, **payoffs: Value) -> None:
        super().__init__(name, **payoffs)
        if isinstance(branches, (str, Mapping)) or not isinstance(branches, Sequence):
            raise TreeError(f"{self._describe()}: branches must be a list of (label, probability, subtree)")
        self.branches = tuple(_as_branch(b, i, self, decision=False) for i, b in enumerate(branches))


class Decision(Node):
    """A decision: at the root each branch is a strategy; below it, a later choice.

    A decision below the root (e.g. "treat or not" after a positive test) multiplies the
    strategies: each strategy is one choice at the root and one at every later decision
    its pathways reach, named like ``"test (positive: treat, negative: discharge)"``
    (the later decision is named by its ``name`` if given, else by the branch leading to
    it). Every combination is evaluated, so the incremental analysis, not the tree,
    chooses between them (as rdecision does; TreeAge's "optimal path" roll-back is the
    same comparison at a single threshold).

    Parameters
    ----------
    branches
        Mapping ``{choice: subtree}`` or a sequence of ``(choice, subtree)``.
    name
        Name of the decision (shown on drawings; names the root in error messages, where
        it defaults to ``"decision"``).
    **payoffs
        Rewards accrued on reaching the decision (at the root: common to every strategy).

    Raises
    ------
    TreeError
        If ``branches`` is neither a mapping nor a sequence of ``(choice, subtree)`` pairs,
        or ``name`` is not a non-empty string; repeated choices are caught when the tree is
        built (:class:`DecisionTree`).

    Examples
    --------
    Screening (£40 a test) against no screening; after a positive test a second decision,
    treat (£3,000) or watchful waiting (£800), gives two screening strategies:

    >>> import xarray as xr
    >>> after_positive = Decision({"treat": Terminal(cost=3000, qaly=7.5),
    ...                            "watch": Terminal(cost=800, qaly=7.0)}, name="after positive")
    >>> tree = DecisionTree(Decision({
    ...     "no screening": Chance([("disease", 0.1, Terminal(cost=5000, qaly=6.0)),
    ...                             ("healthy", C, Terminal(qaly=9.0))]),
    ...     "screen": Chance([("positive", 0.12, after_positive),
    ...                       ("negative", C, Terminal(qaly=8.9))], cost=40),
    ... }, name="screening"))
    >>> tree.strategies
    ('no screening', 'screen (after positive: treat)', 'screen (after positive: watch)')
    >>> out = tree.run(xr.Dataset(coords={"sample": [0]}))
    >>> out["cost"].values, out["qaly"].values.round(3)
    (array([[500., 400., 136.]]), array([[8.7  , 8.732, 8.672]]))
    """

    kind = "decision"

    def __init__(self, branches: Mapping[str, Node] | Sequence[object], name: str | None = None, **payoffs: Value) -> None:
        super().__init__(name, **payoffs)
        items = list(branches.items()) if isinstance(branches, Mapping) else branches
        if isinstance(items, str) or not isinstance(items, Sequence):
            raise TreeError(f"{self._describe()}: branches must be a mapping {{strategy: subtree}}")
        self.branches = tuple(_as_branch(tuple(b) if isinstance(b, list) else b, i, self, decision=True)
                              for i, b in enumerate(items))


@dataclass(frozen=True, eq=False)
class MarkovLeaf:
    """A Markov model hung on a terminal node: the pathway continues in the model.

    Parameters
    ----------
    model
        A Markov model (:class:`healthecon.markov.MarkovModel`, or anything with
        ``strategies``, ``states`` and ``run(draws, *, strategies=None, start=None)``
        returning an outcome set).
    strategy
        Which of the model's strategies the pathway continues in (default: its first).
    start
        Where the cohort starts: a state name (``"sick"``), a mapping ``{state: proportion}``
        whose proportions are numbers, parameter names or callables of the parameter
        namespace (e.g. ``{"well": "p_cured", "sick": C}``, :data:`C` for the rest), or
        ``None`` for the model's own starting distribution.
    delay
        Years from the start of the evaluation to the start of the Markov phase (the length
        of the tree phase), default 0. The Markov phase's discounted costs and effects are
        multiplied by the discount factor at ``delay``, ``(1 + r) ** -delay``, with the
        model's own cost and effect rates (Drummond et al. 2015, ch. 4); undiscounted
        totals are unchanged. This is exact for constant rates; with a declining schedule
        (Green Book) the factor is not constant over the Markov phase, so a delay is refused.

    Notes
    -----
    The model's outcome set (its discounted totals of every reward, and its
    ``*_undiscounted`` totals) for that strategy and start is added to the payoff of each
    pathway ending here, so the tree's expected values, PSA and sensitivity analyses cover
    the whole hybrid model. The Markov phase starts at time 0 of the model's own
    discounting (the tree phase is taken to be short; Briggs et al. 2006, ch. 2-3, on
    combining a short-term tree with a long-term Markov model). Leaves sharing a model and
    starting distribution share one model run, for all the strategies they need.

    The strategy, start and delay are checked against the model when the tree is built:
    :class:`DecisionTree` raises :class:`~healthecon.errors.UnknownNameError` for an unknown
    strategy or state and :class:`~healthecon.errors.TreeError` for a bad delay.

    Examples
    --------
    Surgery (£6,000) cures 80% of patients, who start a two-year follow-up model well; the
    others start it sick. Medical management starts half the cohort in each state.
    Discounting is off here to keep the arithmetic visible:

    >>> import xarray as xr
    >>> from healthecon.markov import MarkovModel
    >>> follow_up = MarkovModel(
    ...     ["well", "sick"], ["follow-up"],
    ...     transitions={"well": {"well": C, "sick": 0.1}, "sick": {"sick": 1}},
    ...     start={"well": 1}, n_cycles=2, correction="end", discount_costs=0, discount_effects=0,
    ...     state_rewards={"cost_care": {"sick": 1000}, "qaly": {"well": 0.9, "sick": 0.5}})
    >>> tree = DecisionTree(Decision({
    ...     "surgery": Chance([
    ...         ("cured", "p_cure", Terminal(markov=MarkovLeaf(follow_up, start="well"))),
    ...         ("not cured", C, Terminal(markov=MarkovLeaf(follow_up, start="sick")))],
    ...         cost_surgery=6000),
    ...     "medical": Terminal(markov=MarkovLeaf(follow_up, start={"well": 0.5, "sick": C})),
    ... }))
    >>> out = tree.run(xr.Dataset({"p_cure": ("sample", [0.8])}))
    >>> out[["cost", "cost_surgery", "cost_care", "qaly"]].to_dataframe().round(4)
                      cost  cost_surgery  cost_care    qaly
    sample strategy
    0      surgery  6632.0        6000.0      632.0  1.5472
           medical  1145.0           0.0     1145.0  1.3420
    """

    model: Any
    strategy: str | None = None
    start: Any = None
    delay: float = 0.0

    @property
    def model_strategy(self) -> str:
        """The model strategy the pathway continues in."""
        return self.strategy if self.strategy is not None else self.model.strategies[0]

    def key(self) -> tuple[object, ...]:
        """Leaves with equal keys share one model run: the model and the starting distribution."""
        start = self.start
        if isinstance(start, Mapping):
            start = tuple((k, v if isinstance(v, (str, int, float, Complement)) else ("id", id(v))) for k, v in start.items())
        elif not isinstance(start, (str, type(None))):
            start = ("id", id(start))
        return (id(self.model), start)


class MissingEffectWarning(UserWarning):
    """Some pathways of a decision tree give no value of an effect that others give (counted as 0)."""


class DecisionTree:
    """A decision tree model: strategies, roll-back, pathways, and Markov leaves.

    Parameters
    ----------
    root
        The :class:`Decision` at the root; its branches are the strategies.
    effect
        The default effect variable of the outcome set (default ``"qaly"`` if the tree has
        one, else its first effect).
    currency, effect_unit
        Units recorded on the outcome set.

    Raises
    ------
    TreeError
        Naming the node at fault, if the tree is malformed: a node without branches, a
        repeated branch label at a node, more than one complement at a node, a reward with
        a reserved or invalid name, a probability, reward or subtree of the wrong type (a
        boolean is not a number), a terminal without payoff (see :class:`Terminal`), a node
        placed inside its own subtree (a cycle), or a Markov leaf with a bad delay.
    UnknownNameError
        If a Markov leaf names a strategy or starting state its model does not have.

    Examples
    --------
    Antivirals for flu (£30 a course) against no treatment, over two PSA samples: the
    probability of admission is read from the draws and the QALYs of an admission (£2,500)
    depend on a sampled QALY loss:

    >>> import xarray as xr
    >>> admitted = Terminal("admitted", cost=2500, qaly=lambda p: 0.7 - p.qaly_loss)
    >>> tree = DecisionTree(Decision({
    ...     "no treatment": Chance([("admitted", "p_admit", admitted),
    ...                             ("recovers at home", C, Terminal("home", qaly=0.8))]),
    ...     "antivirals": Chance([("admitted", lambda p: p.p_admit * 0.6, admitted),
    ...                           ("recovers at home", C, Terminal("home", qaly=0.8))], cost=30),
    ... }, name="flu"))
    >>> tree
    DecisionTree('flu', strategies=['no treatment', 'antivirals'])
    >>> tree.parameters, tree.rewards      # parameters read by name; callables are not inspected
    (('p_admit',), ('cost', 'qaly'))
    >>> draws = xr.Dataset({"p_admit": ("sample", [0.05, 0.10]), "qaly_loss": ("sample", [0.1, 0.2])})
    >>> out = tree.run(draws)
    >>> out["cost"].values, out["qaly"].values.round(3)
    (array([[125., 105.],
           [250., 180.]]), array([[0.79 , 0.794],
           [0.77 , 0.782]]))
    """

    def __init__(self, root: Decision, *, effect: str | None = None, currency: str = "£", effect_unit: str = "QALY") -> None:
        if not isinstance(root, Decision):
            raise TreeError(f"the root of a decision tree must be a Decision, got {type(root).__name__}")
        self.root = root
        self.name = root.name or "decision"
        self.currency = currency
        self.effect_unit = effect_unit
        self._parameters: dict[str, tuple[str, ...]] = {}
        self._rewards: dict[str, None] = {}
        self._check(root, (self.name,), is_root=True)
        self._check_effects()
        self._policies = self._strategy_policies()
        self.strategies: tuple[str, ...] = tuple(self._policies)
        self._effect = effect

    # ------------------------------------------------------------------ structure
    def _note_value(self, value: object, path: tuple[str, ...], what: str) -> None:
        if is_complement(value):
            return
        refuse_boolean(value, f"{node_id(path)}, {what}", TreeError)
        if isinstance(value, str):
            self._parameters.setdefault(value, path + (what,))
        elif not (callable(value) or isinstance(value, (int, float, np.ndarray, np.number))):
            raise TreeError(f"{node_id(path)}, {what}: expected a number, a parameter name or a callable, got {value!r}")

    def _check(self, node: Node, path: tuple[str, ...], *, is_root: bool = False, above: frozenset[int] = frozenset()) -> None:
        where = node_id(path)
        if id(node) in above:
            raise TreeError(
                f"{where}: this {node.kind} node is placed inside its own subtree (a cycle), so its pathways would never "
                "end; a tree's pathways end at terminal nodes (model recurring events with a Markov model on a MarkovLeaf)"
            )
        for reward, value in node.payoffs.items():
            if not reward.isidentifier() or keyword.iskeyword(reward) or reward in _RESERVED:
                raise TreeError(f"{where}: {reward!r} cannot name a reward (reserved or not an identifier)")
            if reward.endswith(UNDISCOUNTED):
                raise TreeError(f"{where}: reward {reward!r}: the suffix '_undiscounted' is reserved for Markov outcomes")
            if is_complement(value):
                raise TreeError(f"{where}: reward {reward!r} cannot be the complement C")
            self._note_value(value, path, reward)
            self._rewards.setdefault(reward, None)
        if isinstance(node, Terminal):
            if node.markov is not None:
                self._check_markov(node.markov, path)
            elif not node.payoffs:
                raise TreeError(
                    f"{where}: terminal node has no payoff; give its rewards (Terminal(cost=..., qaly=...)) or a "
                    "MarkovLeaf, or state a zero payoff as such (Terminal(cost=0, qaly=0))"
                )
            return
        if not isinstance(node, (Chance, Decision)):
            raise TreeError(f"{where}: expected a Decision, Chance or Terminal node, got {type(node).__name__}")
        if not node.branches:
            raise TreeError(f"{where}: {node.kind} node has no branches")
        labels = [b.label for b in node.branches]
        for label in labels:
            if not isinstance(label, str) or not label or PATH_SEPARATOR in label:
                raise TreeError(f"{where}: branch labels must be non-empty strings without {PATH_SEPARATOR!r}, got {label!r}")
            if labels.count(label) > 1:
                what = "strategy" if is_root else "choice" if isinstance(node, Decision) else "branch label"
                raise TreeError(f"{where}: {what} {label!r} is used by more than one branch, so its pathways would be ambiguous")
        if isinstance(node, Chance):
            complements = [b.label for b in node.branches if is_complement(b.probability)]
            if len(complements) > 1:
                raise TreeError(f"{where}: more than one complement branch ({complements}); at most one may take C")
        for branch in node.branches:
            child_path = path[1:] + (branch.label,) if is_root else path + (branch.label,)
            if isinstance(node, Chance):
                if branch.probability is None:
                    raise TreeError(f"{node_id(child_path)}: chance branch has no probability")
                self._note_value(branch.probability, child_path, "probability")
            if not isinstance(branch.node, Node):
                raise TreeError(f"{node_id(child_path)}: subtree must be a Decision, Chance or Terminal node, got {branch.node!r}")
            self._check(branch.node, child_path, above=above | {id(node)})

    def _check_effects(self) -> None:
        """Warn of pathways that give no value of an effect other pathways give (a cost may be left out).

        Such a pathway counts 0 of that effect: right for a death, but a forgotten ``qaly``
        would count 0 QALYs without a word, and a misspelt name (``qualy``) makes an outcome of
        its own. So a :class:`MissingEffectWarning` names them; stating the 0
        (``Terminal(cost=..., qaly=0)``) silences it. A pathway ending in a Markov model takes its
        effects from the model.
        """
        effects = [r for r in self._rewards if not is_cost(r)]
        if not effects:
            return
        found: dict[str, list[str]] = {}

        def visit(node: Node, path: tuple[str, ...], given: frozenset[str]) -> None:
            given = given | {r for r in node.payoffs if not is_cost(r)}
            if isinstance(node, Terminal):
                if node.markov is None:
                    for r in effects:
                        if r not in given:
                            found.setdefault(r, []).append(node_id(path))
                return
            for branch in node.branches:
                visit(branch.node, path + (branch.label,), given)

        visit(self.root, (self.name,), frozenset())
        for effect, paths in found.items():
            shown = "; ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            warnings.warn(f"{len(paths)} pathway(s) give no {effect!r} and count 0 of it ({shown}): state {effect}=0 where "
                          "that is meant, or correct a misspelt name", MissingEffectWarning, stacklevel=4)

    def _strategy_policies(self) -> dict[str, tuple[str, dict[tuple[str, ...], str]]]:
        """Strategy label -> (root choice, {path of a later decision: its choice})."""

        def policies(node: Node, path: tuple[str, ...]) -> list[dict[tuple[str, ...], str]]:
            if isinstance(node, Terminal):
                return [{}]
            options = [(b.label, policies(b.node, path + (b.label,))) for b in node.branches]
            if isinstance(node, Decision):  # one choice here, then any policy below it
                return [{path: label, **below} for label, belows in options for below in belows]
            combined: list[dict[tuple[str, ...], str]] = [{}]
            for _, belows in options:  # independent choices in each chance branch
                combined = [{**a, **b} for a in combined for b in belows]
            return combined

        found = [(b.label, policy) for b in self.root.branches for policy in policies(b.node, (b.label,))]
        later = {path: node for path, branch, node in self.walk() if branch is not None and isinstance(node, Decision)}
        short = {path: node.name or path[-1] for path, node in later.items()}
        if len(set(short.values())) < len(short):  # ambiguous short names: use full paths
            short = {path: PATH_SEPARATOR.join(path[1:]) for path in later}
        labels = [f"{root} ({', '.join(f'{short[p]}: {c}' for p, c in policy.items())})" if policy else root
                  for root, policy in found]
        if len(set(labels)) < len(labels):
            raise TreeError(f"{node_id((self.name,))}: later decisions give strategies the same name: {labels}")
        return {name: (root, policy) for name, (root, policy) in zip(labels, found)}

    def _check_markov(self, link: MarkovLeaf, path: tuple[str, ...]) -> None:
        where, model = node_id(path), link.model
        if not hasattr(model, "run") or not hasattr(model, "strategies"):
            raise TreeError(f"{where}: markov model must have 'strategies' and 'run', got {type(model).__name__}")
        if link.strategy is not None and link.strategy not in model.strategies:
            raise UnknownNameError(f"{where}: {unknown_name('Markov strategy', link.strategy, model.strategies)}")
        if isinstance(link.delay, (bool, np.bool_)) or not isinstance(link.delay, (int, float, np.number)) \
                or not np.isfinite(link.delay) or link.delay < 0:
            raise TreeError(f"{where}: Markov delay: expected a number of years >= 0, got {link.delay!r}")
        if link.delay:
            for what in ("discount_costs", "discount_effects"):
                rate = getattr(model, what, None)
                if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)):
                    raise TreeError(
                        f"{where}: Markov delay needs the model's {what} to be a constant annual rate, got {rate!r}: "
                        "a declining schedule's factor is not constant over the Markov phase"
                    )
        states = tuple(getattr(model, "states", ()))
        named = [link.start] if isinstance(link.start, str) else list(link.start) if isinstance(link.start, Mapping) else []
        for state in named:
            if state not in states:
                raise UnknownNameError(f"{where}, Markov start: {unknown_name('state', state, states)}")
        if isinstance(link.start, Mapping):
            if sum(is_complement(v) for v in link.start.values()) > 1:
                raise TreeError(f"{where}, Markov start: more than one state takes the complement C")
            for state, value in link.start.items():
                self._note_value(value, path, f"Markov start {state!r}")

    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of the parameters the tree reads by name (callables are not inspected)."""
        return tuple(self._parameters)

    @property
    def rewards(self) -> tuple[str, ...]:
        """Names of the rewards on the tree's nodes, in order of first appearance."""
        return tuple(self._rewards)

    # ------------------------------------------------------------------ evaluation
    def _roll_back(self, draws: xr.Dataset, strategies: Sequence[str] | None) -> Rollback:
        with numbered_samples(draws):  # a chunk's messages name its samples by their numbers in the whole run
            return roll_back(self.root, self.name, self._policies, self._parameters, draws, self._select(strategies))

    def _select(self, strategies: Sequence[str] | None) -> list[str]:
        if strategies is None:
            return list(self.strategies)
        if isinstance(strategies, str):
            strategies = [strategies]
        for name in strategies:
            if name not in self.strategies:
                raise unknown_name("strategy", name, self.strategies)
        if not strategies:
            raise TreeError("strategies: expected at least one strategy")
        return list(dict.fromkeys(strategies))

    def run(self, draws: xr.Dataset, *, strategies: Sequence[str] | None = None) -> xr.Dataset:
        """Roll the tree back for every sample: the expected outcomes of each strategy.

        Parameters
        ----------
        draws
            Parameter draws (``Parameters.sample(n, seed)`` or ``base_case()``): a Dataset
            with dimension ``sample`` and one ``(sample,)`` variable per parameter.
        strategies
            Strategies to evaluate (default: all), in the order given.

        Returns
        -------
        xarray.Dataset
            An outcome set (sample × strategy): ``cost`` (total of all cost rewards), each
            cost category, each effect, and any ``*_undiscounted`` totals from Markov leaves.

        Raises
        ------
        TreeError
            Naming the node, if a probability is outside [0, 1] or NaN, a chance node's
            probabilities do not sum to 1 within :data:`TOLERANCE` (the message gives the
            first bad sample and the sum), or a complement is negative.
        UnknownNameError
            Naming the node and parameter, if a parameter is not in the draws.
        """
        result = self._roll_back(draws, strategies)
        return make_outcomes(
            result.expected(), result.strategies, cost="cost", effect=self._default_effect(result.variables), kinds=result.kinds,
            currency=self.currency, effect_unit=self.effect_unit, attrs={"model": "decision tree", "tree": self.name},
        )

    def _default_effect(self, variables: Sequence[str]) -> str | None:
        if self._effect is not None:
            if self._effect not in variables:
                raise unknown_name("effect", self._effect, [v for v in variables if not is_cost(v)])
            return self._effect
        effects = [v for v in variables if not is_cost(v) and not v.endswith(UNDISCOUNTED)]
        return "qaly" if "qaly" in effects else (effects[0] if effects else None)

    def pathways(self, draws: xr.Dataset, *, strategies: Sequence[str] | None = None) -> pd.DataFrame:
        """Every pathway of every strategy: its probability, payoffs and probability-weighted payoffs.

        Returns
        -------
        pandas.DataFrame
            Columns ``strategy``, ``path`` (strategy and branch labels joined by ``" > "``),
            ``terminal`` (the terminal node's name), ``probability``, and for every outcome
            variable ``v`` the pathway's total payoff ``v`` (tree and Markov phases) beside
            ``weighted_v``, its payoff weighted by its probability (TreeAge's and Excel
            models' "probability x payoff" column). All are means over the samples:
            ``probability`` is ``mean(P)``, ``v`` is ``mean(v)`` and ``weighted_v`` is
            ``mean(P v)`` (not ``mean(P) mean(v)`` when both vary). The probabilities of each
            strategy's pathways sum to 1, and its ``weighted_v`` sum to the strategy's expected
            value, the mean of ``v`` in :meth:`run` (Briggs, Claxton & Sculpher 2006, ch. 2:
            the expected value of a strategy is the sum over its pathways of probability times
            payoff).

        Examples
        --------
        >>> import xarray as xr
        >>> tree = DecisionTree(Decision({"test": Chance([
        ...     ("positive", 0.2, Terminal("treated", cost=100, qaly=0.8)),
        ...     ("negative", C, Terminal("discharged", qaly=0.9))], cost=10)}))
        >>> paths = tree.pathways(xr.Dataset(coords={"sample": [0]}))
        >>> paths[["path", "probability", "cost", "weighted_cost", "qaly", "weighted_qaly"]]
                      path  probability   cost  weighted_cost  qaly  weighted_qaly
        0  test > positive          0.2  110.0           22.0   0.8           0.16
        1  test > negative          0.8   10.0            8.0   0.9           0.72
        >>> paths[["weighted_cost", "weighted_qaly"]].sum().round(2).tolist()  # expected cost and QALYs
        [30.0, 0.88]
        """
        result = self._roll_back(draws, strategies)
        leaves, variables = result.leaves, result.variables
        rows = [
            {"strategy": leaf.strategy, "path": PATH_SEPARATOR.join(leaf.path), "terminal": leaf.node.name or "",
             "probability": float(leaf.probability.mean()),
             **{key: value for v in variables
                for key, value in ((v, float(leaf.values[v].mean())), (f"weighted_{v}", float((leaf.probability * leaf.values[v]).mean())))}}
            for leaf in leaves
        ]
        columns = [column for v in variables for column in (v, f"weighted_{v}")]
        return pd.DataFrame(rows, columns=["strategy", "path", "terminal", "probability", *columns])

    def node_values(self, draws: xr.Dataset, *, strategies: Sequence[str] | None = None) -> pd.DataFrame:
        """Every node below the root, with its branch probability and expected values.

        A node's expected value is that of the pathways through it, given the node is
        reached (the roll-back value TreeAge shows at a node, including the rewards
        accrued on the way to it): ``mean(sum P(k) v(k)) / mean(reach)`` over the pathways
        ``k`` through the node, a ratio of means over samples. It is NaN where the node is
        reached with probability 0 in every sample.

        Returns
        -------
        pandas.DataFrame
            Columns ``strategy``, ``path``, ``depth`` (1 for a root choice's node),
            ``kind``, ``name``, ``probability`` (mean branch probability; NaN for a
            decision's branch), ``reach`` (mean probability of reaching the node) and the outcome
            variables.
        """
        result = self._roll_back(draws, strategies)
        leaves, visits, variables = result.leaves, result.visits, result.variables
        rows = []
        for visit in visits:
            through = [leaf for leaf in leaves
                       if leaf.strategy == visit.strategy and leaf.path[: len(visit.path)] == visit.path]
            reach = float(visit.reach.mean())
            row = {"strategy": visit.strategy, "path": PATH_SEPARATOR.join(visit.path), "depth": len(visit.path),
                   "kind": visit.node.kind, "name": visit.node.name or "",
                   "probability": np.nan if visit.branch_probability is None else float(visit.branch_probability.mean()),
                   "reach": reach}
            for var in variables:
                total = float(np.sum([leaf.probability * leaf.values[var] for leaf in through], axis=0).mean())
                row[var] = total / reach if reach > 0 else np.nan
            rows.append(row)
        return pd.DataFrame(rows, columns=["strategy", "path", "depth", "kind", "name", "probability", "reach", *variables])

    def walk(self) -> Iterator[tuple[tuple[str, ...], Branch | None, Node]]:
        """Yield ``(path, branch, node)`` for every node, depth first, root first.

        The root's path is ``(tree.name,)`` and its branch ``None``; below it, paths start
        with the root choice, as in :meth:`pathways`.
        """
        yield (self.name,), None, self.root

        def visit(node: Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Branch | None, Node]]:
            for branch in node.branches:
                child = path + (branch.label,)
                yield child, branch, branch.node
                yield from visit(branch.node, child)

        yield from visit(self.root, ())

    def __repr__(self) -> str:
        return f"DecisionTree({self.name!r}, strategies={list(self.strategies)})"
