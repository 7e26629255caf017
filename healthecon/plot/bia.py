"""Budget impact chart: the impact of a scenario by year, stacked by payer or cost category.

The plotted numbers are those of :func:`healthecon.bia.impact_by_year`, unchanged, so a
figure can be checked against its table.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes

from .. import bia
from ._style import PALETTE, finish, get_ax, money_formatter

__all__ = ["plot_budget_impact"]


def plot_budget_impact(
    outcomes: xr.Dataset,
    scenario: str | None = None,
    *,
    by: str = "payer",
    show_values: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Mean budget impact by year: bars stacked by payer (or cost category), net total marked.

    Extra spending stacks above zero and savings (cost offsets) below, so a payer that
    saves is visible even when the net impact is positive; a black marker (labelled with its
    value) gives each year's net budget impact.

    Parameters
    ----------
    outcomes
        A budget impact outcome set (:meth:`healthecon.bia.BudgetImpactModel.run`).
    scenario
        The scenario compared with the reference (default: the only other one).
    by
        ``"payer"`` or ``"category"``.
    show_values
        Write each year's net impact ("net £...") above its bars.
    ax
        Axes to draw on (a new figure if ``None``).

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per payer or category in ``ax.containers``; the net impact markers
        are ``ax.get_lines()[0]``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from healthecon.bia import BudgetImpactModel, Population, patient_cost, offset, C
    >>> model = BudgetImpactModel(Population(new_patients=[100, 100]),
    ...     {"current": {"old": 1.0}, "new": {"old": C, "new": 0.5}},
    ...     [patient_cost("drug", "NHS", {"old": 100, "new": 400}), offset("care", "council", {"new": 50})], years=2)
    >>> ax = plot_budget_impact(model.run())
    >>> ax.get_lines()[0].get_ydata().tolist()  # net impact: (400 - 100 - 50) x 50, then x 100
    [12500.0, 25000.0]
    >>> plt.close(ax.figure)
    """
    table = bia.impact_by_year(outcomes, scenario, by=by).drop(columns="Total")
    net = table.loc["Total"].to_numpy(float)
    table = table.drop(index="Total")
    currency = outcomes.attrs.get("currency", "£")
    years = [str(y) for y in table.columns]
    x = np.arange(len(years))
    ax = get_ax(ax, figsize=(max(6.4, 0.9 * len(years) + 3), 4.4))
    up, down = np.zeros(len(years)), np.zeros(len(years))
    for i, (group, row) in enumerate(table.iterrows()):
        v = row.to_numpy(float)
        bottom = np.where(v >= 0, up, down)
        ax.bar(x, v, bottom=bottom, color=PALETTE[i % len(PALETTE)], width=0.65, edgecolor="white", linewidth=0.5, label=str(group))
        up, down = up + np.maximum(v, 0), down + np.minimum(v, 0)
    ax.plot(x, net, linestyle="none", marker="D", color="0.1", markersize=6, label="net budget impact", zorder=5)
    if show_values:
        fmt = money_formatter(currency)
        for xi, top, value in zip(x, np.maximum(up, net), net):
            ax.annotate(f"net {fmt(value, None)}", (xi, top), xytext=(0, 4), textcoords="offset points", ha="center",
                        va="bottom", fontsize=8, color="0.2")
    ax.margins(y=0.12)
    ax.axhline(0, color="0.3", linewidth=0.8)
    first = outcomes.attrs.get("first_year", 1)
    ax.set_xticks(x, [f"Year {y}" for y in years] if first == 1 else years)
    ax.yaxis.set_major_formatter(money_formatter(currency))
    discounted = outcomes.attrs.get("discount", 0.0) not in (0, 0.0)
    ax.set_ylabel(f"Budget impact ({currency}, {'discounted' if discounted else 'undiscounted'}, mean)")
    ax.grid(False, axis="x")
    chosen = scenario or next(s for s in outcomes["strategy"].values if s != outcomes.attrs.get("reference"))
    finish(ax, title=f"Budget impact by year: {chosen} vs {outcomes.attrs.get('reference')}", legend=False)
    ax.legend(frameon=False, title=by.capitalize(), fontsize=8, title_fontsize=8)
    return ax
