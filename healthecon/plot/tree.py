"""Drawing of a decision tree: decision squares, chance circles, terminal triangles.

The layout follows the decision trees of Briggs, Claxton & Sculpher (2006, ch. 2) and
TreeAge: the tree grows left to right, each branch is a horizontal line with its label above
and its probability below, terminals (triangles) show the pathway payoff, and, when draws
are given, every decision branch and chance node shows its expected (rolled-back) values.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes

from ..errors import unknown_name
from ..modeldef import is_complement, is_cost
from ..tree import DecisionTree, Node, Terminal
from ._style import get_ax, money_formatter, strategy_colors

__all__ = ["plot_tree"]

_MARKERS = {"decision": ("s", "#0072B2"), "chance": ("o", "#009E73"), "terminal": ("<", "#D55E00")}
_FONT = 8


def _spec(value: object) -> str:
    """How a probability or reward is written in the model: number, parameter name, callable."""
    if is_complement(value):
        return "#"
    if isinstance(value, str):
        return value
    if callable(value):
        name = getattr(value, "__name__", "")
        return f"{name}(p)" if name and name != "<lambda>" else "f(p)"
    arr = np.asarray(value, dtype=float)
    return f"{float(arr):.4g}" if arr.ndim == 0 else f"array{arr.shape}"


def _is_money(name: str) -> bool:
    return is_cost(name) or name.startswith("benefit")


def _money_decimals(frames: list[pd.DataFrame], shown: list[str]) -> int:
    """One money format per chart: pennies only when every amount shown is small (below 10,000)
    and some amount has pennies; otherwise whole units (no "£0.00" beside "£21,752")."""
    money = [v for v in shown if _is_money(v)]
    values = np.concatenate([np.abs(f[money].to_numpy(float)).ravel() for f in frames]) if money else np.array([])
    values = values[np.isfinite(values)]
    if values.size == 0 or values.max() >= 10_000:
        return 0
    return 2 if np.any(np.abs(values - np.round(values)) >= 0.005) else 0


def _format(name: str, value: float, currency: str, decimals: int) -> str:
    if not np.isfinite(value):
        return f"{name} –"
    if _is_money(name):
        label = "" if name == "cost" else f"{name.removeprefix('cost_')} "
        return label + money_formatter(currency, decimals)(value, None)
    return f"{name} {value:.3g}" if abs(value) < 10 else f"{name} {value:,.2f}"


def _layout(tree: DecisionTree) -> dict[tuple[str, ...], tuple[float, float]]:
    """(depth, y) of every node: leaves one unit apart, parents centred on their children."""
    positions: dict[tuple[str, ...], tuple[float, float]] = {}
    next_leaf = [0.0]

    def place(node: Node, path: tuple[str, ...], depth: int) -> float:
        if not node.branches:
            y = -next_leaf[0]
            next_leaf[0] += 1
        else:
            ys = [place(b.node, path + (b.label,), depth + 1) for b in node.branches]
            y = (ys[0] + ys[-1]) / 2
        positions[path] = (float(depth), y)
        return y

    root_y = np.mean([place(b.node, (b.label,), 1) for b in tree.root.branches])
    positions[()] = (0.0, float(root_y))
    return positions


def plot_tree(
    tree: DecisionTree,
    draws: xr.Dataset | None = None,
    ax: Axes | None = None,
    *,
    variables: list[str] | None = None,
) -> Axes:
    """Draw a decision tree, with expected values if parameter draws are given.

    Parameters
    ----------
    tree
        The :class:`~healthecon.tree.DecisionTree`.
    draws
        Optional parameter draws (e.g. ``params.base_case()``). With draws, branch
        probabilities are shown as their mean values, terminals show the mean payoff of
        their pathway, and each strategy and chance node shows its expected values
        (:meth:`~healthecon.tree.DecisionTree.node_values`). Without draws, the model's
        own expressions are shown (parameter names, numbers, ``#`` for a complement).
    ax
        Axes to draw on; by default a new figure sized to the tree.
    variables
        Outcomes to show (default: ``cost`` and the effects, without undiscounted totals
        or cost categories).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from healthecon.tree import C, Chance, Decision, DecisionTree, Terminal
    >>> tree = DecisionTree(Decision({"treat": Chance([("cured", 0.8, Terminal(qaly=1)),
    ...                                                 ("not cured", C, Terminal(qaly=0.5))], cost=100),
    ...                               "wait": Terminal(qaly=0.6)}))
    >>> ax = plot_tree(tree)
    >>> [len(line.get_xdata()) for line in ax.lines if line.get_gid() in ("decision", "chance", "terminal")]
    [1, 1, 3]
    """
    positions = _layout(tree)
    n_leaves = sum(1 for _, _, node in tree.walk() if isinstance(node, Terminal))
    depth = max(x for x, _ in positions.values())
    ax = get_ax(ax, figsize=(2.3 * (depth + 1) + 2.5, max(3.0, 0.62 * n_leaves + 1.0)))

    nodes = paths = None
    if draws is not None:
        nodes, paths = tree.node_values(draws), tree.pathways(draws)
        outcomes = [c for c in nodes.columns if c not in ("strategy", "path", "depth", "kind", "name", "probability", "reach")]
        shown = variables or [v for v in outcomes if v == "cost" or not (is_cost(v) or v.endswith("_undiscounted"))]
        for name in shown:
            if name not in outcomes:
                raise unknown_name("outcome", name, outcomes)
        nodes, paths = _by_path(nodes, outcomes), _by_path(paths, outcomes)
        decimals = _money_decimals([nodes, paths], shown)
    colors = strategy_colors([b.label for b in tree.root.branches])
    fan = 0.22
    by_kind: dict[str, list[tuple[float, float]]] = {k: [] for k in _MARKERS}

    def describe(key: str) -> str:
        row = nodes.loc[key]
        if row[shown].isna().all():  # depends on a later decision: no single value
            return ""
        return "EV " + "  ".join(_format(v, float(row[v]), tree.currency, decimals) for v in shown)

    for path, branch, node in tree.walk():
        key = path if branch is not None else ()
        x, y = positions[key]
        by_kind[node.kind].append((x, y))
        if branch is None:
            ax.text(x - 0.08, y, tree.name, ha="right", va="center", fontsize=_FONT + 1, fontweight="bold")
            continue
        px, py = positions[path[:-1]]
        strategy = path[0]
        color = colors[strategy] if len(path) == 1 else "0.35"
        ax.plot([px, px + fan, x], [py, y, y], color=color, linewidth=1.2 if len(path) == 1 else 0.9,
                solid_capstyle="round", zorder=1, gid="branch")
        start = px + fan + 0.04
        ax.text(start, y + 0.08, branch.label, ha="left", va="bottom", fontsize=_FONT,
                color=color if len(path) == 1 else "black", fontweight="bold" if len(path) == 1 else "normal", gid="label")
        joined = " > ".join(path)
        if branch.probability is not None:
            written = _spec(branch.probability)
            if nodes is not None:
                p = float(nodes.loc[joined, "probability"])
                text = f"{p:.3g}" if written == f"{p:.4g}" else f"{written} = {p:.3g}"
            else:
                text = written
            ax.text(start, y - 0.08, text, ha="left", va="top", fontsize=_FONT, color="0.25", gid="probability")
        if isinstance(node, Terminal):
            ax.text(x + 0.1, y, _terminal_text(node, joined, paths, shown if paths is not None else None, tree.currency,
                                               decimals if paths is not None else 0),
                    ha="left", va="center", fontsize=_FONT, gid="payoff")
        else:  # expected values (or, without draws, the node's own rewards) under the probability
            below = -4 - (_FONT + 3) * (branch.probability is not None)
            if nodes is not None:
                text, gid = describe(joined), "expected"
            else:
                text, gid = ", ".join(f"+ {k} = {_spec(v)}" for k, v in node.payoffs.items()), "reward"
            if text:
                ax.annotate(text, (start, y), xytext=(0, below), textcoords="offset points",
                            ha="left", va="top", fontsize=_FONT - 0.5, color="#0b4f8a", gid=gid)

    for kind, points in by_kind.items():
        if points:
            marker, color = _MARKERS[kind]
            xs, ys = zip(*points)
            ax.plot(xs, ys, linestyle="none", marker=marker, markersize=9 if kind != "terminal" else 8,
                    markerfacecolor=color, markeredgecolor="black", markeredgewidth=0.6, zorder=3,
                    gid=kind, label=kind.capitalize())

    ys = [y for _, y in positions.values()]
    ax.set_xlim(-0.9, depth + 2.4)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.6)
    ax.axis("off")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize=_FONT, ncols=3,
              handletextpad=0.3, columnspacing=1.0)
    return ax


def _by_path(frame: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """One row per path; an outcome that differs between strategies (later decisions) is NaN."""
    grouped = frame.groupby("path", sort=False)
    first = grouped.first()
    varies = grouped[outcomes].nunique(dropna=False) > 1
    first[outcomes] = first[outcomes].mask(varies)
    return first


def _terminal_text(node: Terminal, path: str, paths: pd.DataFrame | None, shown: list[str] | None,
                   currency: str, decimals: int) -> str:
    name = f"{node.name}: " if node.name else ""
    markov = ""
    if node.markov is not None:
        link = node.markov
        strategy = link.strategy if link.strategy is not None else link.model.strategies[0]
        start = "" if link.start is None else f", start {_start_text(link.start)}"
        delay = f", after {link.delay:g} y" if link.delay else ""
        markov = f"  → Markov ({strategy}{start}{delay})"
    if paths is not None and shown is not None:
        row = paths.loc[path]
        payoff = "  ".join(_format(v, float(row[v]), currency, decimals) for v in shown)
    else:
        payoff = ", ".join(f"{k} = {_spec(v)}" for k, v in node.payoffs.items())
    return f"{name}{payoff}{markov}"


def _start_text(start: object) -> str:
    if isinstance(start, Mapping):
        return ", ".join(f"{k} {_spec(v)}" for k, v in start.items())
    return str(start)

