"""Plots for cost-benefit / ROI and SROI outcome sets: waterfall, cash flows, acceptability.

The plotted numbers are those of :mod:`healthecon.appraisal` (``waterfall_steps``, ``cashflows``,
``acceptability``), unchanged, so tests and readers can check a figure against its table.

- :func:`plot_waterfall`: from gross value to net present value, one floating bar per
  deduction (deadweight, displacement, attribution, drop-off and discounting for SROI, as in
  the Cabinet Office SROI guide 2012, Stage 4-5; for CBA, optimism bias, "discounting
  (benefits)", "costs (present value)" and the costs' optimism bias: discounting there is of
  the benefits only, the costs entering already discounted).
- :func:`plot_cashflows`: benefits (above zero) and costs (below) by year, stacked by agency
  or stakeholder, with the cumulative net as a line; the year where it crosses zero is the
  payback year.
- :func:`plot_acceptability`: probability that the return per £1 exceeds each target. This
  is not the CEAC of :func:`healthecon.plot.cea.plot_ceac` (which ranks strategies by net
  monetary benefit at a willingness to pay per unit of effect): here each scheme is judged
  against a money target such as "at least £1 back per £1".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb

from .. import appraisal
from ..errors import AnalysisError
from ..formatting import format_money
from ..outcomes import STRATEGY, pick_strategy, strategies
from ._style import PALETTE, finish, get_ax, money_formatter, strategy_colors

__all__ = ["plot_waterfall", "plot_cashflows", "plot_acceptability", "spend_scale"]

_UP, _DOWN, _TOTAL = PALETTE[2], PALETTE[5], PALETTE[0]


def plot_waterfall(
    data: xr.Dataset | pd.Series,
    strategy: str | None = None,
    *,
    total_label: str = "net present value",
    show_values: bool = True,
    per: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Waterfall from gross value to net present value (means over samples).

    Parameters
    ----------
    data
        A CBA/SROI outcome set (its :func:`healthecon.appraisal.waterfall_steps` are drawn) or a
        Series of signed steps whose first entry is the starting total.
    strategy
        Which strategy, when the outcome set has several.
    total_label
        Label of the final bar (the sum of the steps).
    per
        The scale of the values when a model is run per unit of spend, as the axis states it
        (e.g. ``"per £1,000 of extra monthly spend"``); by default stated when the present value
        of the costs is a round scale (:func:`spend_scale`).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.patches`` are the bars in order: the first step, each later step as a floating
        bar from the running total, and the final total from zero.

    Examples
    --------
    >>> import pandas as pd
    >>> ax = plot_waterfall(pd.Series({"gross value": 100.0, "deadweight": -20.0, "investment": -50.0}))
    >>> [(round(float(p.get_y()), 1), round(float(p.get_height()), 1)) for p in ax.patches]
    [(0.0, 100.0), (80.0, 20.0), (30.0, 50.0), (0.0, 30.0)]
    """
    steps = appraisal.waterfall_steps(data, strategy) if isinstance(data, xr.Dataset) else pd.Series(data, dtype=float)
    if steps.empty:
        raise AnalysisError("plot_waterfall: no steps to draw")
    currency = data.attrs.get("currency", "£") if isinstance(data, xr.Dataset) else "£"
    per = per or (spend_scale(data, strategy) if isinstance(data, xr.Dataset) else None)
    values = steps.to_numpy(float)
    ends = np.cumsum(values)
    starts = np.concatenate([[0.0], ends[:-1]])
    total = ends[-1]
    labels = [str(k) for k in steps.index] + [total_label]
    ax = get_ax(ax, figsize=(1.1 * len(labels) + 2.0, 4.4))
    x = np.arange(len(labels))
    colors = [_TOTAL] + [_UP if v >= 0 else _DOWN for v in values[1:]] + [_TOTAL if total >= 0 else _DOWN]
    bottoms = np.concatenate([np.minimum(starts, ends), [min(0.0, total)]])
    heights = np.concatenate([np.abs(values), [abs(total)]])
    bottoms[0], heights[0] = min(0.0, values[0]), abs(values[0])
    bars = ax.bar(x, heights, bottom=bottoms, color=colors, width=0.65)
    for bar in bars:  # only zero is a hard edge: a floating bar's base must not clip the labels above the top bar
        bar.sticky_edges.y[:] = [0.0]
    ax.margins(y=0.1)
    for i in range(len(values)):  # connectors between consecutive bars
        ax.plot([i + 0.325, i + 0.675], [ends[i], ends[i]], color="0.5", linewidth=0.8)
    if show_values:
        fmt = money_formatter(currency)
        tops = np.concatenate([np.maximum(starts, ends), [max(0.0, total)]])
        lows = np.concatenate([np.minimum(starts, ends), [min(0.0, total)]])
        for i, (xi, v) in enumerate(zip(x, list(values) + [total])):
            above = i == 0 or i == len(values) or v >= 0  # totals and rises above, falls below the bar
            ax.annotate(fmt(v, None), (xi, tops[i] if above else lows[i]), xytext=(0, 3 if above else -3),
                        textcoords="offset points", ha="center", va="bottom" if above else "top",
                        fontsize=8, color="0.2")
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    ax.set_ylabel(f"Value ({currency} {per}, mean)" if per else f"Value ({currency}, mean)")
    ax.grid(False, axis="x")
    name = steps.name if isinstance(steps.name, str) else None
    subtitle = ", ".join(t for t in (name, per) if t)
    return finish(ax, title=f"From gross value to net present value{chr(10) + subtitle if subtitle else ''}", legend=False)


def spend_scale(outcomes: xr.Dataset, strategy: str | None = None) -> str | None:
    """``"per £1,000 of spend"`` (``"per £1m of spend"``) when the mean present value of ``strategy``'s costs is a round
    scale (100, 1,000, 10,000 ... of the currency), as when a model is run per £1,000 spent; else None.

    A chart of such a model shows amounts that only make sense relative to that spend, so it
    says so. Pass ``per=`` to the plot to state it in the model's own words.

    Examples
    --------
    >>> from healthecon.cba import CBAModel, benefit_flow, cost_flow
    >>> spend_scale(CBAModel([cost_flow("spend", "NHS", [1000.0]), benefit_flow("saving", "NHS", [1200.0])]).run())
    'per £1,000 of spend'
    >>> print(spend_scale(CBAModel([cost_flow("spend", "NHS", [1234.0]), benefit_flow("saving", "NHS", [1.0])]).run()))
    None
    """
    name = pick_strategy(outcomes, strategy)
    cost = float(outcomes[outcomes.attrs.get("cost", "cost")].sel({STRATEGY: name}).mean())
    if not np.isfinite(cost) or cost < 100:
        return None
    power = round(np.log10(cost))
    if not np.isclose(cost, 10.0**power, rtol=1e-9):
        return None
    return f"per {format_money(cost, outcomes.attrs.get('currency', '£'), compact=cost >= 1e6)} of spend"  # £1,000; £1m


def _tint(color: str, share: float = 0.55) -> tuple[float, float, float]:
    """``color`` mixed with ``share`` of white: the lighter shade that marks what a party pays."""
    r, g, b = to_rgb(color)
    return (r + (1 - r) * share, g + (1 - g) * share, b + (1 - b) * share)


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _year_ticks(years: np.ndarray) -> list[str]:
    """Tick labels that say which year of the scheme each year number is: "0" over "1st year"
    (over "1st" when there are more than five years, and the number alone beyond fifteen)."""
    if len(years) > 15:
        return [str(y) for y in years]
    word = " year" if len(years) <= 5 else ""
    return [f"{y}\n{_ordinal(int(y) + 1)}{word}" for y in years]


def _years_title(years: np.ndarray) -> str:
    """The span of years a chart shows, in words that agree with its axis: year 0 is the first year."""
    if len(years) == 1:
        return f"in year {years[0]} (the {_ordinal(int(years[0]) + 1)} year)"
    if years[0] == 0 and np.array_equal(years, np.arange(len(years))):
        return f"in years 0-{years[-1]} (the first {len(years)} years)"
    return f"in years {years[0]}-{years[-1]}"


def plot_cashflows(
    outcomes: xr.Dataset,
    strategy: str | None = None,
    *,
    by: str = "party",
    discounted: bool = False,
    cumulative: bool = True,
    per: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cash flows by year: benefits stacked above zero and costs below, by agency or kind.

    Each agency (or kind) has one colour: solid where it gains, a lighter shade with a hatch
    where it pays, and the legend names both ("NHS gains", "NHS pays"), so what is paid and
    what is gained can be told apart without the hatching. Year 0 is the first year (now,
    undiscounted, as in the Green Book); the tick labels say which year of the scheme each is
    and the title states the years shown.

    Parameters
    ----------
    outcomes
        A CBA/SROI outcome set.
    strategy
        Which strategy, when the outcome set has several.
    by
        ``"party"`` (agency / stakeholder / funder) or ``"category"`` (fiscal cashable...).
    discounted
        Present values instead of undiscounted amounts.
    cumulative
        Draw the cumulative net flow as a line (it crosses zero in the payback year when
        ``discounted=True``).
    per
        The scale of the values when a model is run per unit of spend (see
        :func:`plot_waterfall`); by default :func:`spend_scale`.
    ax
        Axes to draw on (a new figure if ``None``).

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per non-zero column of :func:`healthecon.appraisal.cashflows` (in its
        order) in ``ax.containers``; the cumulative line, if drawn, is ``ax.get_lines()[0]``.

    Raises
    ------
    OutcomesError
        If ``outcomes`` is not a CBA or SROI outcome set.
    AnalysisError, UnknownNameError
        For an unknown ``by``, or a ``strategy`` needed but not given, or unknown.

    Examples
    --------
    The reablement example (:func:`healthecon.examples.reablement`) in present values:

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from healthecon.examples import reablement
    >>> ax = plot_cashflows(reablement().run(), discounted=True)
    >>> [len(bars) for bars in ax.containers]  # council pays, council gains, NHS gains; years 0-2
    [3, 3, 3]
    >>> ax.get_lines()[0].get_ydata().round(2)  # cumulative net: the last value is the NPV
    array([-120000.  ,  -91014.49,   49012.11])
    >>> ax.get_ylabel(), ax.get_title().splitlines()[0]
    ('Present value (£, mean)', 'Discounted cash flows in years 0-2 (the first 3 years)')
    >>> [label.get_text() for label in ax.get_legend().get_texts()]
    ['council gains', 'council pays', 'NHS gains', 'cumulative net']
    >>> plt.close(ax.figure)
    """
    table = appraisal.cashflows(outcomes, strategy, by=by, discounted=discounted)
    table = table.loc[:, (table != 0).any(axis=0)]
    currency = outcomes.attrs.get("currency", "£")
    per = per or spend_scale(outcomes, strategy)
    years = table.index.to_numpy()
    ax = get_ax(ax, figsize=(max(6.4, 0.5 * len(years) + 3), 4.4))
    groups = list(dict.fromkeys(table.columns.get_level_values(1)))
    colors = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    up = np.zeros(len(years))
    down = np.zeros(len(years))
    for direction, group in table.columns:
        v = table[(direction, group)].to_numpy(float)
        gains = direction == "benefit"
        ax.bar(years, v, bottom=(up if gains else down).copy(), width=0.7, linewidth=0.8,
               color=colors[group] if gains else _tint(colors[group]), edgecolor="white" if gains else colors[group],
               hatch=None if gains else "//", label=f"{group} {'gains' if gains else 'pays'}")
        if gains:
            up += v
        else:
            down += v
    if cumulative:
        ax.plot(years, np.cumsum(table.sum(axis=1).to_numpy(float)), color="0.1", marker="o", markersize=3,
                linewidth=1.5, label="cumulative net", zorder=5)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel("Year (0 = now, the first year)")
    ax.set_xticks(years, _year_ticks(years))
    ax.yaxis.set_major_formatter(money_formatter(currency))
    amount = f"{currency} {per}" if per else currency
    ax.set_ylabel(f"{'Present value' if discounted else 'Cash flow'} ({amount}, mean)")
    name = pick_strategy(outcomes, strategy)
    subtitle = ", ".join([name, per] if per else [name])
    finish(ax, title=f"{'Discounted c' if discounted else 'C'}ash flows {_years_title(years)}\n{subtitle}", legend=False)
    handles = dict(zip(*reversed(ax.get_legend_handles_labels())))
    order = [f"{g} {d}" for g in groups for d in ("gains", "pays") if f"{g} {d}" in handles] + \
        (["cumulative net"] if cumulative else [])
    ax.legend([handles[k] for k in order], order, frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax


def plot_acceptability(
    outcomes: xr.Dataset,
    targets: Sequence[float] | np.ndarray | None = None,
    *,
    variable: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Probability that the return per £1 exceeds each target, one line per scheme.

    Parameters
    ----------
    targets
        Grid of targets for benefit / cost; default 0 to 1.5 times the largest 97.5th
        percentile of the ratio, 101 points.
    variable
        Ratio variable; default the model's (``bcr`` or ``sroi_ratio``).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.get_lines()`` hold the curves (x = targets, y = probabilities from
        :func:`healthecon.appraisal.acceptability`) in strategy order; a dashed line marks £1.

    Examples
    --------
    >>> from healthecon.cba import CBAModel, benefit_flow, cost_flow
    >>> out = CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", [1.5])], name="s").run()
    >>> ax = plot_acceptability(out, [1.0, 2.0])
    >>> ax.get_lines()[0].get_ydata().tolist()
    [1.0, 0.0]
    """
    name = appraisal.ratio_variable(outcomes, variable)
    if targets is None:
        top = float(np.percentile(outcomes[name].values, 97.5))
        targets = np.linspace(0.0, 1.5 * max(top, 1.0), 101)
    curves = appraisal.acceptability(outcomes, targets, variable=name)
    currency = outcomes.attrs.get("currency", "£")
    colors = strategy_colors(strategies(outcomes))
    ax = get_ax(ax)
    grid = curves["target"].values
    for s in strategies(outcomes):
        ax.plot(grid, curves.sel({STRATEGY: s}).values, color=colors[s], linewidth=1.8, label=s)
    ax.axvline(1.0, color="0.5", linestyle="--", linewidth=1, label=f"break-even ({currency}1 per {currency}1)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(f"Target return per {currency}1 (benefit / cost)")
    ax.set_ylabel("Probability return exceeds target")
    ax.xaxis.set_major_formatter(money_formatter(currency, 2))
    return finish(ax, title="Probability of at least the target return")
