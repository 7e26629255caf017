"""Value-of-information plots: EVPI (per person or population) over WTP, and EVPPI rankings.

The plotted numbers are those returned by :mod:`healthecon.voi`, unchanged.

References
----------
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*,
ch. 7. Oxford University Press.
Strong M, Oakley JE, Brennan A (2014). Estimating multiparameter partial expected value of
perfect information from a probabilistic sensitivity analysis sample: a nonparametric
regression approach. *Medical Decision Making* 34(3):311-326.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes

from ..cea import WTP
from ..errors import AnalysisError
from ._style import PALETTE, finish, get_ax, money_formatter, wtp_label

__all__ = ["plot_evpi", "plot_evppi"]

_Z95 = 1.959963984540054


def _value_label(attrs: dict, what: str) -> str:
    per = "population" if attrs.get("per") == "population" else "per person"
    units = attrs.get("units") or attrs.get("currency", "")
    if per == "population":
        years = f" over {attrs['horizon']} years" if "horizon" in attrs else ""
        return f"Population {what}{years} ({units})"
    name = f"{what} per person"
    return f"{name} ({units})"


def _format_values(ax: Axes, attrs: dict, axis: str = "y") -> None:
    if attrs.get("kind", "monetary") == "monetary":
        getattr(ax, f"{axis}axis").set_major_formatter(money_formatter(attrs.get("currency", "£")))


def plot_evpi(
    result: xr.DataArray | xr.Dataset,
    *,
    label: str | None = None,
    color: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """EVPI (per person or population) against willingness to pay.

    Parameters
    ----------
    result
        :func:`healthecon.voi.evpi` or :func:`~healthecon.voi.population_evpi` (a DataArray
        over ``wtp``), or an :func:`~healthecon.voi.evppi` / :func:`~healthecon.voi.evsi`
        Dataset, drawn with its 95% band (estimate +- 1.96 standard errors) beside the EVPI.
    label, color
        Line label and colour.
    ax
        Axes to draw on (a new figure if ``None``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> from healthecon.voi import evpi
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, -10.0]], "qaly": [[0, 0.001], [0, 0]]},
    ...                     ["A", "B"], effect="qaly")
    >>> ax = plot_evpi(evpi(out, [0, 10000, 20000]))
    >>> ax.get_lines()[0].get_ydata().tolist()
    [5.0, 0.0, 0.0]
    """
    ax = get_ax(ax)
    if isinstance(result, xr.Dataset):
        name = "evsi" if "evsi" in result else "evppi"
        if name not in result:
            raise AnalysisError(f"plot_evpi: expected an EVPI DataArray or an EVPPI/EVSI Dataset, got variables {list(result.data_vars)}")
        wtp = result[WTP].values
        ax.plot(wtp, result["evpi"].values, color="0.35", linestyle="--", label="EVPI")
        value, se = result[name].values, result["se"].values
        line_color = color or PALETTE[0]
        ax.plot(wtp, value, color=line_color, label=label or f"{name.upper()}: {result.attrs.get('parameters', '')}")
        if np.isfinite(se).all():
            ax.fill_between(wtp, value - _Z95 * se, value + _Z95 * se, color=line_color, alpha=0.2, linewidth=0)
        attrs = dict(result.attrs)
        what = name.upper()
    elif isinstance(result, xr.DataArray) and result.dims == (WTP,):
        ax.plot(result[WTP].values, result.values, color=color or PALETTE[0], label=label)
        attrs, what = dict(result.attrs), "EVPI"
    else:
        raise AnalysisError(f"plot_evpi: expected a DataArray over 'wtp' or an EVPPI/EVSI Dataset, got {type(result).__name__}")
    ax.set_xlabel(wtp_label(attrs.get("currency", "£"), attrs.get("effect_unit", "QALY") or "effect"))
    ax.set_ylabel(_value_label(attrs, what))
    ax.xaxis.set_major_formatter(money_formatter(attrs.get("currency", "£")))
    _format_values(ax, attrs)
    ax.set_ylim(bottom=0)
    return finish(ax, title=("Population expected" if attrs.get("per") == "population" else "Expected") + " value of information")


def plot_evppi(
    table: pd.DataFrame,
    *,
    top: int | None = None,
    show_evpi: bool = True,
    color: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of each parameter's EVPPI at one threshold, largest at the top.

    Parameters
    ----------
    table
        :func:`healthecon.voi.evppi_ranking`. Error bars show +- 1.96 standard errors when the
        table has standard errors.
    top
        Show only the ``top`` largest.
    show_evpi
        Draw the EVPI as a dashed vertical line (the upper limit of every bar).
    color
        Bar colour.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per parameter in ``ax.patches``, largest EVPPI at the top.

    Raises
    ------
    AnalysisError
        If ``table`` lacks the ``evppi`` or ``se`` column, or ``top`` is not a whole number >= 1.

    Examples
    --------
    Which uncertainty is worth resolving before commissioning a virtual ward: the chance of
    going home within 7 days, or the ward's cost per patient (500 PSA draws)?

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from healthecon.tree import DecisionTree, Decision, Chance, Terminal, C
    >>> from healthecon.params import Parameters
    >>> from healthecon.distributions import Beta, Gamma
    >>> from healthecon.voi import evppi_ranking
    >>> ward = DecisionTree(Decision({
    ...     "usual care": Chance([("home in 7 days", 0.6, Terminal(qaly=0.80)),
    ...                           ("readmitted", C, Terminal(qaly=0.70, cost=3_500))]),
    ...     "virtual ward": Chance([("home in 7 days", "p_home", Terminal(qaly=0.80)),
    ...                             ("readmitted", C, Terminal(qaly=0.70, cost=3_500))], cost="c_ward"),
    ... }))
    >>> draws = Parameters(p_home=Beta(75, 25), c_ward=Gamma.from_mean_sd(600, 150)).sample(500, seed=1)
    >>> ranking = evppi_ranking(ward.run(draws), draws, wtp=20_000)
    >>> ax = plot_evppi(ranking)
    >>> len(ax.patches), [label.get_text() for label in ax.get_yticklabels()]
    (2, ['p_home', 'c_ward'])
    >>> ax.get_xlabel()
    'EVPPI per person (£) at £20,000 per QALY'
    >>> plt.close(ax.figure)
    """
    for column in ("evppi", "se"):
        if column not in table.columns:
            raise AnalysisError(f"plot_evppi: expected a table from evppi_ranking with column {column!r}; got {list(table.columns)}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1):
        raise AnalysisError(f"plot_evppi: top must be a whole number >= 1, got {top!r}")
    shown = table.sort_values("evppi", ascending=False, kind="stable").iloc[:top]
    ax = get_ax(ax, figsize=(6.4, 1.2 + 0.35 * len(shown)))
    y = np.arange(len(shown))[::-1]
    se = shown["se"].to_numpy(dtype=float)
    xerr = _Z95 * se if np.isfinite(se).all() else None
    ax.barh(y, shown["evppi"].to_numpy(dtype=float), xerr=xerr, color=color or PALETTE[0], height=0.6,
            error_kw={"ecolor": "0.3", "capsize": 3, "linewidth": 1}, label="EVPPI (95% interval)" if xerr is not None else "EVPPI")
    ax.set_yticks(y, [str(name) for name in shown.index])
    attrs = table.attrs
    if show_evpi and "evpi" in attrs:
        ax.axvline(attrs["evpi"], color="0.35", linestyle="--", linewidth=1, label="EVPI (all parameters)")
    currency, unit = attrs.get("currency", "£"), attrs.get("effect_unit", "QALY") or "effect"
    at = f" at {currency}{attrs['wtp']:,.0f} per {unit}" if "wtp" in attrs else ""
    ax.set_xlabel(_value_label(attrs, "EVPPI") + at)
    _format_values(ax, attrs, axis="x")
    ax.set_xlim(left=0)
    ax.grid(False, axis="y")
    return finish(ax, title="Partial EVPI by parameter")
