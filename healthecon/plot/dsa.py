"""Deterministic sensitivity analysis plots: tornado diagrams and two-way optimal-strategy maps.

The plotted numbers are those returned by :mod:`healthecon.dsa`, unchanged.

References
----------
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*,
ch. 4. Oxford University Press.
Drummond MF et al. (2015). *Methods for the Economic Evaluation of Health Care Programmes*,
4th ed., ch. 11. Oxford University Press.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from ..errors import AnalysisError
from ._style import PALETTE, finish, get_ax, money_formatter, strategy_colors

__all__ = ["plot_tornado", "plot_twoway"]

_NAMES = {"nmb": "net monetary benefit", "nhb": "net health benefit", "icer": "ICER", "cost": "cost", "effect": "effect"}
#: Cost-benefit and SROI outcomes (healthecon.cba, healthecon.sroi), named as a reader says them;
#: each carries its own unit, so the table's units are not appended ("{c}" is the currency).
_MONEY_NAMES = {"bcr": "benefit per {c}1 (BCR)", "net_roi": "net ROI", "sroi_ratio": "SROI ratio",
                "net_sroi": "net SROI ratio", "npv": "NPV ({c})"}
_LOW, _HIGH = PALETTE[4], PALETTE[5]


def _outcome_label(attrs: dict) -> str:
    outcome = attrs.get("outcome", "outcome")
    comparator = attrs.get("comparator")
    own_unit = outcome in _MONEY_NAMES
    name = _MONEY_NAMES[outcome].format(c=attrs.get("currency") or "£") if own_unit else _NAMES.get(outcome, outcome)
    if comparator and outcome != "icer":
        name = f"incremental {name}"
    text = name[0].upper() + name[1:]
    if attrs.get("units") and not own_unit:
        text += f" ({attrs['units']})"
    who = attrs.get("strategy", "")
    if comparator:
        who = f"{who} vs {comparator}"
    if attrs.get("wtp") is not None and outcome in ("nmb", "nhb"):
        who += f", {attrs.get('currency', '£')}{attrs['wtp']:,.0f} per {attrs.get('effect_unit') or 'effect'}"
    return f"{text}\n{who}" if who else text


def _fmt(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1e3 else f"{value:,.0f}"


def plot_tornado(
    table: pd.DataFrame,
    *,
    top: int | None = None,
    show_values: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Tornado diagram of a one-way sensitivity analysis.

    For each parameter (largest swing at the top), one bar runs from the base-case result to
    the result with the parameter at its low value and one to the result at its high value,
    each labelled with that parameter value (Briggs et al. 2006, section 4.1.1).

    Parameters
    ----------
    table
        :func:`healthecon.dsa.one_way`.
    top
        Show only the ``top`` parameters with the largest swing.
    show_values
        Label each bar's end with the parameter value.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
        Bars of the low values are ``ax.containers[0]``, of the high values ``ax.containers[1]``.
        The legend is outside the axes, on the right, so it never covers a bar or its label.

    Raises
    ------
    AnalysisError
        If ``table`` lacks the columns of :func:`healthecon.dsa.one_way`, or ``top`` is not a
        whole number >= 1.

    Examples
    --------
    A virtual ward against usual care: how the incremental net monetary benefit at £20,000
    per QALY moves with the chance of going home within 7 days and the ward's cost:

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from healthecon.tree import DecisionTree, Decision, Chance, Terminal, C
    >>> from healthecon.params import Parameters
    >>> from healthecon import dsa
    >>> ward = DecisionTree(Decision({
    ...     "usual care": Chance([("home in 7 days", 0.6, Terminal(qaly=0.80)),
    ...                           ("readmitted", C, Terminal(qaly=0.70, cost=3_500))]),
    ...     "virtual ward": Chance([("home in 7 days", "p_home", Terminal(qaly=0.80)),
    ...                             ("readmitted", C, Terminal(qaly=0.70, cost=3_500))], cost="c_ward"),
    ... }))
    >>> params = Parameters(p_home=0.75, c_ward=600.0)
    >>> table = dsa.one_way(ward, params, ranges={"p_home": (0.65, 0.85), "c_ward": (400, 900)}, wtp=20_000)
    >>> ax = plot_tornado(table)
    >>> len(ax.containers[0]), [label.get_text().splitlines() for label in ax.get_yticklabels()]
    (2, [['p_home', '(base 0.75)'], ['c_ward', '(base 600)']])
    >>> print(ax.get_xlabel())
    Incremental net monetary benefit (£)
    virtual ward vs usual care, £20,000 per QALY
    >>> plt.close(ax.figure)
    """
    needed = ("low", "high", "outcome_base", "outcome_low", "outcome_high", "swing")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise AnalysisError(f"plot_tornado: expected a table from dsa.one_way; missing columns {missing}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1):
        raise AnalysisError(f"plot_tornado: top must be a whole number >= 1, got {top!r}")
    shown = table.sort_values("swing", ascending=False, kind="stable").iloc[:top]
    ax = get_ax(ax, figsize=(8.8, 1.6 + 0.45 * len(shown)))  # wide enough for the legend at the right
    base = float(shown["outcome_base"].iloc[0]) if len(shown) else 0.0
    y = np.arange(len(shown))[::-1]
    low, high = shown["outcome_low"].to_numpy(float), shown["outcome_high"].to_numpy(float)
    ax.barh(y, low - base, left=base, height=0.6, color=_LOW, label="parameter at low value")
    ax.barh(y, high - base, left=base, height=0.6, color=_HIGH, label="parameter at high value")
    attrs = table.attrs
    currency = attrs.get("currency", "")
    money = bool(currency) and str(attrs.get("units", "")).startswith(currency)  # money, or money per unit (ICER)
    shown_base = (money_formatter(currency)(base, None) if money else _fmt(base)) + (
        f" {attrs['units']}" if not money and attrs.get("units") else "")
    ax.axvline(base, color="0.2", linewidth=1, label=f"base case ({shown_base})")
    if attrs.get("comparator") and attrs.get("outcome") in ("nmb", "nhb"):
        ax.axvline(0.0, color="0.5", linewidth=1, linestyle="--", label="no difference (decision changes)")
    if show_values:
        for yi, (name, row) in zip(y, shown.iterrows()):
            for end, value in ((row["outcome_low"], row["low"]), (row["outcome_high"], row["high"])):
                right = end >= base
                ax.annotate(_fmt(value), (end, yi), xytext=(3 if right else -3, 0), textcoords="offset points",
                            ha="left" if right else "right", va="center", fontsize=8, color="0.2")
        ax.margins(x=0.15)
    ax.set_yticks(y, [f"{name}\n(base {_fmt(b)})" for name, b in zip(shown.index, shown["base"])] if "base" in shown
                  else [str(n) for n in shown.index])
    ax.set_xlabel(_outcome_label(attrs))
    if money:
        ax.xaxis.set_major_formatter(money_formatter(attrs.get("currency", "£")))
    ax.grid(False, axis="y")
    finish(ax, title="One-way sensitivity analysis", legend=False)
    # Outside the axes, at the top right: inside, it covered the bottom bars and their labels.
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)
    return ax


def plot_twoway(result: xr.Dataset, *, ax: Axes | None = None) -> Axes:
    """Map of the optimal strategy over a two-way grid, one colour per strategy, base case marked.

    Parameters
    ----------
    result
        :func:`healthecon.dsa.two_way`.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
        The map is ``ax.collections[0]``: its array holds each grid cell's strategy index
        (the order of ``result.attrs["strategies"]``), ``y`` along rows and ``x`` along columns.

    Raises
    ------
    AnalysisError
        If ``result`` is not the Dataset of :func:`healthecon.dsa.two_way`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from healthecon.tree import DecisionTree, Decision, Chance, Terminal, C
    >>> from healthecon.params import Parameters
    >>> from healthecon import dsa
    >>> ward = DecisionTree(Decision({
    ...     "usual care": Chance([("home in 7 days", 0.6, Terminal(qaly=0.80)),
    ...                           ("readmitted", C, Terminal(qaly=0.70, cost=3_500))]),
    ...     "virtual ward": Chance([("home in 7 days", "p_home", Terminal(qaly=0.80)),
    ...                             ("readmitted", C, Terminal(qaly=0.70, cost=3_500))], cost="c_ward"),
    ... }))
    >>> params = Parameters(p_home=0.75, c_ward=600.0)
    >>> grid = dsa.two_way(ward, params, "p_home", "c_ward", wtp=20_000,
    ...                    ranges={"p_home": (0.6, 0.9), "c_ward": (400, 1_200)}, size=5)
    >>> ax = plot_twoway(grid)
    >>> cells = ax.collections[0].get_array()
    >>> cells.shape, int(cells.sum())  # 5 x 5 cells, 14 of them where the virtual ward (index 1) is optimal
    ((5, 5), 14)
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_title()
    ('p_home', 'c_ward', 'Optimal strategy at £20,000 per QALY')
    >>> plt.close(ax.figure)
    """
    if not isinstance(result, xr.Dataset) or "optimal" not in result or "x" not in result.attrs:
        raise AnalysisError("plot_twoway: expected the Dataset returned by dsa.two_way")
    x, y = result.attrs["x"], result.attrs["y"]
    labels = list(result.attrs["strategies"])
    colors = strategy_colors(labels)
    index = {name: i for i, name in enumerate(labels)}
    codes = np.vectorize(index.__getitem__)(result["optimal"].transpose(x, y).values).T  # rows: y
    ax = get_ax(ax)
    xs, ys = result[x].values, result[y].values
    cmap = ListedColormap([colors[s] for s in labels])
    norm = BoundaryNorm(np.arange(len(labels) + 1) - 0.5, len(labels))
    ax.pcolormesh(xs, ys, codes, cmap=cmap, norm=norm, shading="nearest")
    if "x_base" in result.attrs:
        ax.plot([result.attrs["x_base"]], [result.attrs["y_base"]], marker="x", color="black", markersize=8,
                linestyle="none", label="base case")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    present = [s for s in labels if (result["optimal"].values == s).any()]
    handles = [Patch(color=colors[s], label=s) for s in present] + ax.get_legend_handles_labels()[0]
    ax.legend(handles=handles, title="Optimal strategy",
              frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    currency, unit = result.attrs.get("currency", "£"), result.attrs.get("effect_unit") or "effect"
    ax.set_title(f"Optimal strategy at {currency}{result.attrs['wtp']:,.0f} per {unit}")
    return ax
