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

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..dsa import declared_labels_and_units
from ..errors import AnalysisError
from ..formatting import format_money, format_number
from ..labels import column_label, format_cell, unit_kind
from ._style import PALETTE, finish, get_ax, money_formatter, strategy_colors

__all__ = ["plot_tornado", "plot_twoway", "value_text"]

_NAMES = {"nmb": "net monetary benefit", "nhb": "net health benefit", "icer": "ICER", "cost": "cost", "effect": "effect"}
#: Cost-benefit and SROI outcomes (healthecon.cba, healthecon.sroi), named as a reader says them,
#: with their own unit ("{c}" is the currency), so the table's units are not appended.
_MONEY_NAMES = {"bcr": "benefit-cost ratio ({c} of benefit per {c}1)", "net_roi": "net return on investment (%)",
                "sroi_ratio": "SROI ratio ({c} of social value per {c}1)", "net_sroi": "net SROI (%)",
                "npv": "net present value ({c})"}
_LOW, _HIGH = PALETTE[4], PALETTE[5]
#: Inches per parameter row: room for two half-height bars and their value labels, one above the other.
_ROW_INCHES = 0.5
#: Characters per line of a parameter's name on a tornado's axis.
_NAME_WIDTH = 40


def _outcome_label(attrs: Mapping[str, object]) -> str:
    """The tornado's axis title: the outcome with its unit, then whose and at which threshold."""
    outcome = str(attrs.get("outcome", "outcome"))
    comparator = attrs.get("comparator")
    currency = str(attrs.get("currency") or "£")
    own_unit = outcome in _MONEY_NAMES
    name = _MONEY_NAMES[outcome].format(c=currency) if own_unit else _NAMES.get(outcome, outcome)
    if comparator and outcome != "icer":
        name = f"incremental {name}"
    text = name[0].upper() + name[1:]
    if attrs.get("units") and not own_unit:
        text += f" ({attrs['units']})"
    who = str(attrs.get("strategy", "") or "")
    if comparator:
        who = f"{who} vs {comparator}"
    if attrs.get("wtp") is not None and outcome in ("nmb", "nhb"):
        who += f", {format_money(attrs['wtp'], currency)} per {attrs.get('effect_unit') or 'effect'}"
    return f"{text}\n{who}" if who else text


def _outcome_kind(attrs: Mapping[str, object]) -> str:
    """How the outcome's numbers read (a kind of :data:`healthecon.labels.KINDS`): money, ratio, percent or number."""
    currency = str(attrs.get("currency") or "")
    units = str(attrs.get("units", "") or "")
    if attrs.get("outcome") in ("net_roi", "net_sroi"):
        return "percent"
    if units.startswith("per ") and units.endswith("1") or attrs.get("outcome") in ("bcr", "sroi_ratio"):
        return "ratio"
    if currency and units.startswith(currency):  # money, or money per unit of effect (ICER)
        return "money"
    return "number"


def value_text(value: float, unit: str | None = None, currency: str = "£") -> str:
    """A parameter value as a tornado shows it, formatted by its declared unit.

    Money as money (pence below £10), percentages and probabilities as
    :func:`healthecon.labels.format_cell` shows them, any other number to three significant
    figures without trailing zeros (:func:`healthecon.formatting.format_number`).

    Examples
    --------
    >>> value_text(600.0, "£"), value_text(2.5, "£"), value_text(0.25, "%"), value_text(0.75, "probability")
    ('£600', '£2.50', '25%', '0.750')
    >>> value_text(0.05), value_text(2000.0), value_text(12345.6, "bed days")
    ('0.05', '2,000', '12,300')
    """
    kind = unit_kind(unit) if unit else "number"
    if kind in ("money", "percent", "probability", "ratio", "payback"):
        return format_cell(value, kind, currency)
    short = f"{float(value):.3g}"
    decimals = len(short.split(".")[1]) if "." in short and "e" not in short else 0
    return format_number(float(f"{float(value):.3g}"), decimals=decimals)


def plot_tornado(
    table: pd.DataFrame,
    *,
    top: int | None = None,
    show_values: bool = True,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    params: object = None,
    ax: Axes | None = None,
) -> Axes:
    """Tornado diagram of a one-way sensitivity analysis.

    For each parameter (largest swing at the top), one bar runs from the base-case result to
    the result with the parameter at its low value and one to the result at its high value,
    each labelled with that parameter value (Briggs et al. 2006, section 4.1.1). Where both
    results fall on the same side of the base case, the two bars are drawn half height, one
    above the other, so that neither hides the other or its label.

    Parameters
    ----------
    table
        :func:`healthecon.dsa.one_way`.
    top
        Show only the ``top`` parameters with the largest swing.
    show_values
        Label each bar's end with the parameter value, formatted by the parameter's unit.
    labels, units
        ``{parameter: label}`` and ``{parameter: unit}`` (``"£"``, ``"%"``, ``"probability"``...);
        they override those of ``params``, which override those the table carries
        (:func:`healthecon.dsa.one_way` keeps what its ``Parameters`` declare). A parameter with no label reads as
        :func:`healthecon.labels.column_label` reads its name (``c_ward`` as "C ward"), as in
        the report's table.
    params
        The :class:`~healthecon.params.Parameters` the analysis varied: its declared
        ``labels`` name the bars (instead of code names) and its ``units`` format the values.
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
    >>> params = Parameters(p_home=0.75, c_ward=600.0, labels={"p_home": "Home within 7 days",
    ...                     "c_ward": "Virtual ward cost"}, units={"p_home": "probability", "c_ward": "£"})
    >>> table = dsa.one_way(ward, params, ranges={"p_home": (0.65, 0.85), "c_ward": (400, 900)}, wtp=20_000)
    >>> ax = plot_tornado(table, params=params)
    >>> len(ax.containers[0]), [label.get_text().splitlines() for label in ax.get_yticklabels()]
    (2, [['Home within 7 days', '(base 0.750)'], ['Virtual ward cost', '(base £600)']])
    >>> sorted(text.get_text() for text in ax.texts)
    ['0.650', '0.850', '£400', '£900']
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
    attrs = table.attrs
    declared_labels, declared_units = declared_labels_and_units(params)
    names = {**attrs.get("parameter_labels", {}), **declared_labels, **dict(labels or {})}  # else column_label of the name
    unit_of = {**attrs.get("parameter_units", {}), **declared_units, **dict(units or {})}
    currency = str(attrs.get("currency") or "£")
    shown = table.sort_values("swing", ascending=False, kind="stable").iloc[:top]
    ax = get_ax(ax, figsize=(10.0, 1.6 + _ROW_INCHES * len(shown)))  # wide enough for the legend at the right
    base = float(shown["outcome_base"].iloc[0]) if len(shown) else 0.0
    y = np.arange(len(shown))[::-1].astype(float)
    low, high = shown["outcome_low"].to_numpy(float), shown["outcome_high"].to_numpy(float)
    same_side = np.sign(low - base) * np.sign(high - base) > 0
    offset = np.where(same_side, 0.19, 0.0)  # half-height bars, low above and high below, when on one side
    height = np.where(same_side, 0.36, 0.64)
    ax.barh(y + offset, low - base, left=base, height=height, color=_LOW, label="parameter at low value")
    ax.barh(y - offset, high - base, left=base, height=height, color=_HIGH, label="parameter at high value")
    kind = _outcome_kind(attrs)
    shown_base = format_cell(base, kind, currency) + (f" {attrs['units']}" if kind == "number" and attrs.get("units") else "")
    ax.axvline(base, color="0.2", linewidth=1, label=f"base case ({shown_base})")
    if attrs.get("comparator") and attrs.get("outcome") in ("nmb", "nhb"):
        ax.axvline(0.0, color="0.5", linewidth=1, linestyle="--", label="no difference (decision changes)")
    values = []
    if show_values:
        for yi, dy, (name, row) in zip(y, offset, shown.iterrows()):
            unit = unit_of.get(str(name))
            for end, value, at in ((row["outcome_low"], row["low"], yi + dy), (row["outcome_high"], row["high"], yi - dy)):
                right = end >= base
                values.append(ax.annotate(value_text(value, unit, currency), (end, at), xytext=(3 if right else -3, 0),
                                          textcoords="offset points", ha="left" if right else "right", va="center",
                                          fontsize=8, color="0.2"))
    # a long name on lines of at most _NAME_WIDTH characters, so that it does not squeeze the bars
    ticks = [textwrap.fill(str(names.get(str(n), column_label(n))), _NAME_WIDTH) for n in shown.index]
    if "base" in shown:
        ticks = [f"{t}\n(base {value_text(b, unit_of.get(str(n)), currency)})" for t, n, b in zip(ticks, shown.index, shown["base"])]
    ax.set_yticks(y, ticks)
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.set_xlabel(_outcome_label(attrs))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    if kind in ("money", "ratio"):
        span = max(abs(v) for v in (*low, *high, base))
        ax.xaxis.set_major_formatter(money_formatter(currency, 2 if kind == "ratio" else 0, compact=span >= 10_000))
    elif kind == "percent":
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.grid(False, axis="y")
    finish(ax, title="One-way sensitivity analysis", legend=False)
    # Outside the axes, at the top right: inside, it covered the bottom bars and their labels.
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)
    _fit_labels(ax, values)
    return ax


def _fit_labels(ax: Axes, texts: list, passes: int = 6) -> None:
    """Widen the x-axis until every value label lies inside the axes (so none reaches the
    parameter names or the legend), laying the figure out again after each widening."""
    ax.margins(x=0.05)
    if not texts:
        return
    pad = 8.0 * ax.figure.dpi / 72  # 8 points between a label and the axes' edge, at any resolution
    for _ in range(passes):
        ax.figure.draw_without_rendering()
        box = ax.get_window_extent()
        left = max(0.0, max(box.x0 + pad - t.get_window_extent().x0 for t in texts))
        right = max(0.0, max(t.get_window_extent().x1 + pad - box.x1 for t in texts))
        if left < 0.5 and right < 0.5:
            return
        x0, x1 = ax.get_xlim()
        per_pixel = (x1 - x0) / max(box.width - left - right, 0.25 * box.width)
        ax.set_xlim(x0 - left * per_pixel, x1 + right * per_pixel)


def plot_twoway(result: xr.Dataset, *, labels: Mapping[str, str] | None = None, params: object = None,
                ax: Axes | None = None) -> Axes:
    """Map of the optimal strategy over a two-way grid, one colour per strategy, base case marked.

    Parameters
    ----------
    result
        :func:`healthecon.dsa.two_way`.
    labels, params
        ``{parameter: label}``, or the :class:`~healthecon.params.Parameters` whose declared
        labels name the axes (``labels`` wins); without either the axes carry the names.
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
    names = {**dict(getattr(params, "labels", {}) or {}), **dict(labels or {})}
    strategy_names = list(result.attrs["strategies"])
    colors = strategy_colors(strategy_names)
    index = {name: i for i, name in enumerate(strategy_names)}
    codes = np.vectorize(index.__getitem__)(result["optimal"].transpose(x, y).values).T  # rows: y
    ax = get_ax(ax)
    xs, ys = result[x].values, result[y].values
    cmap = ListedColormap([colors[s] for s in strategy_names])
    norm = BoundaryNorm(np.arange(len(strategy_names) + 1) - 0.5, len(strategy_names))
    ax.pcolormesh(xs, ys, codes, cmap=cmap, norm=norm, shading="nearest")
    if "x_base" in result.attrs:
        ax.plot([result.attrs["x_base"]], [result.attrs["y_base"]], marker="x", color="black", markersize=8,
                linestyle="none", label="base case")
    ax.set_xlabel(names.get(x, x))
    ax.set_ylabel(names.get(y, y))
    present = [s for s in strategy_names if (result["optimal"].values == s).any()]
    handles = [Patch(color=colors[s], label=s) for s in present] + ax.get_legend_handles_labels()[0]
    ax.legend(handles=handles, title="Optimal strategy",
              frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    currency, unit = result.attrs.get("currency", "£"), result.attrs.get("effect_unit") or "effect"
    ax.set_title(f"Optimal strategy at {currency}{result.attrs['wtp']:,.0f} per {unit}")
    return ax
