"""Cost-effectiveness plots: CE plane, efficiency frontier, CEAC (with its frontier), CEAF and
expected loss curves.

Each function takes an outcome set, draws on an optional ``ax`` and returns the Axes. Axis
labels carry the outcome set's ``currency`` and ``effect_unit``; strategies keep the same
colour in every figure (the order of the outcome set). The curves are those of
:mod:`healthecon.cea`, so the plotted data are exactly the analysed numbers.

References
----------
Black WC (1990). The CE plane: a graphic representation of cost-effectiveness. *Medical
Decision Making* 10(3):212-214.
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*,
ch. 5 and 6. Oxford University Press.
Fenwick E, Claxton K, Sculpher M (2001). Representing uncertainty: the role of
cost-effectiveness acceptability curves. *Health Economics* 10(8):779-787.
Alarid-Escudero F, Enns EA, Kuntz KM, Michaud TL, Jalal H (2019). The advantages of expected
loss curves over cost-effectiveness acceptability curves and frontier. *Value in Health*
22(5):611-618.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.legend_handler import HandlerPatch
from matplotlib.patches import Ellipse
from matplotlib.ticker import Formatter, MaxNLocator

from .. import cea
from ..errors import AnalysisError
from ..formatting import format_money
from ..outcomes import SAMPLE, STRATEGY, strategies
from ._style import finish, get_ax, money_formatter, strategy_colors, wtp_label

__all__ = ["plot_ce_plane", "plot_frontier", "plot_ceac", "plot_ceaf", "plot_expected_loss", "DEFAULT_QALY_THRESHOLDS"]

#: The frontier is drawn as open black rings on the optimal strategy's own curve, not as a broad
#: grey band: a band reads as an uncertainty interval, which the frontier is not.
_FRONTIER_STYLE = {"linestyle": "none", "marker": "o", "markersize": 7, "markerfacecolor": "none",
                   "markeredgecolor": "black", "markeredgewidth": 1.1, "zorder": 3}
#: About this many frontier rings across the grid, so that they mark the curve without hiding it.
_FRONTIER_MARKS = 16
#: NICE's thresholds (NICE 2022, "Health technology evaluations: the manual", section 4.10):
#: reference lines on a CEAC when the effect is QALYs and no thresholds are given.
DEFAULT_QALY_THRESHOLDS = (20_000.0, 30_000.0)


#: Axes narrower than this (inches) get fewer ticks and compact money labels ("£10k").
_NARROW_INCHES = 4.0


def _axis_inches(axis) -> float:
    """Length of ``axis`` (an XAxis or YAxis) on the figure, in inches, as currently laid out."""
    box = axis.axes.get_position()
    width, height = axis.axes.figure.get_size_inches()
    return box.width * width if axis.axis_name == "x" else box.height * height


class _MoneyTicks(Formatter):
    """``£10,000`` on wide axes; compact ``£10k`` when the axis is narrow (decided at draw time)."""

    def __init__(self, currency: str) -> None:
        self.full = money_formatter(currency)
        self.compact = money_formatter(currency, compact=True)

    def __call__(self, x: float, pos: object = None) -> str:
        if self.axis is not None and _axis_inches(self.axis) < _NARROW_INCHES:
            return self.compact(x, pos)
        return self.full(x, pos)


class _MoneyLocator(MaxNLocator):
    """Matplotlib's default tick choice, but at most 4 intervals on a narrow axis."""

    def __init__(self) -> None:
        super().__init__(nbins="auto", steps=[1, 2, 2.5, 5, 10])

    def __call__(self) -> np.ndarray:
        narrow = self.axis is not None and _axis_inches(self.axis) < _NARROW_INCHES
        self.set_params(nbins=4 if narrow else "auto")
        return super().__call__()


def _money_axis(axis, currency: str) -> None:
    axis.set_major_locator(_MoneyLocator())
    axis.set_major_formatter(_MoneyTicks(currency))


def _units(outcomes: xr.Dataset) -> tuple[str, str]:
    return outcomes.attrs.get("currency", "£"), outcomes.attrs.get("effect_unit", "") or "effect"


def _ellipse(x: np.ndarray, y: np.ndarray, level: float, color: str) -> Ellipse:
    """Confidence ellipse of a bivariate normal fitted to (x, y): the region holding
    ``level`` of its mass, radius sqrt(chi-square quantile, 2 df) = sqrt(-2 log(1 - level))."""
    cov = np.cov(x, y)
    values, vectors = np.linalg.eigh(cov)
    values = np.clip(values, 0.0, None)  # eigh may return -1e-20 for a singular covariance
    scale = np.sqrt(-2.0 * np.log1p(-level))
    angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
    return Ellipse((x.mean(), y.mean()), 2 * scale * np.sqrt(values[1]), 2 * scale * np.sqrt(values[0]),
                   angle=angle, facecolor="none", edgecolor=color, linewidth=1.5, linestyle="--", zorder=3)


class _EllipseHandle(HandlerPatch):
    """Draws an ellipse's legend entry as a small ellipse in the same outline."""

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        shape = Ellipse((0.5 * width - xdescent, 0.5 * height - ydescent), width, 1.1 * height, facecolor="none",
                        edgecolor=orig_handle.get_edgecolor(), linestyle=orig_handle.get_linestyle(),
                        linewidth=orig_handle.get_linewidth())
        shape.set_transform(trans)
        return [shape]


def _label_line(ax: Axes, slope: float, text: str) -> None:
    """Write ``text`` along the line ``y = slope x`` through the origin, near where it leaves the axes."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    ends = [x for x in (x0, x1) if y0 <= slope * x <= y1]
    ends += [y / slope for y in (y0, y1) if slope and x0 <= y / slope <= x1]
    if not ends:
        return
    far = max(ends, key=lambda x: (x - x0) / (x1 - x0) if x > 0 else -1.0)  # the end on the right if there is one
    x = 0.88 * far
    ax.text(x, slope * x, text, rotation=float(np.degrees(np.arctan(slope))), transform_rotates_text=True,
            rotation_mode="anchor", ha="right", va="bottom", fontsize=8, color="0.2", zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5})


def plot_ce_plane(
    outcomes: xr.Dataset,
    comparator: str,
    *,
    wtp: float | Sequence[float] | None = None,
    ellipse: float | None = None,
    show: Sequence[str] | None = None,
    cost: str | None = None,
    effect: str | None = None,
    alpha: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cost-effectiveness plane: incremental effect (x) and cost (y) per PSA sample.

    One cloud of points per strategy against ``comparator`` (Black 1990; Briggs et al. 2006,
    ch. 5), its mean marked with a black-edged diamond, axes through the origin to show the
    quadrants, and optionally willingness-to-pay lines :math:`\\Delta C = \\lambda
    \\Delta E` (points below a line are cost-effective at that threshold) and a confidence
    ellipse (a bivariate normal fitted to each cloud).

    Parameters
    ----------
    outcomes
        An outcome set.
    comparator
        The strategy the increments are taken against.
    wtp
        One or more thresholds to draw as lines through the origin.
    ellipse
        Coverage of a confidence ellipse per strategy (e.g. 0.95); None for none.
    show
        Strategies to show (default: all but the comparator).
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect`` attrs.
    alpha
        Point opacity (default falls with the number of samples).
    ax
        Axes to draw on; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        Each strategy's cloud is a scatter labelled with its name; its offsets are the
        increments from :func:`healthecon.cea.incremental`.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 100.0], [0.0, 300.0], [0.0, 200.0]],
    ...                      "qaly": [[0.0, 0.01], [0.0, 0.02], [0.0, 0.015]]},
    ...                     strategies=["old", "new"], effect="qaly")
    >>> ax = plot_ce_plane(out, "old", wtp=20_000, ellipse=0.95)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Incremental QALY vs old', 'Incremental cost vs old (£)')
    """
    inc = cea.incremental(outcomes, comparator, cost=cost, effect=effect)
    shown = [str(s) for s in inc[STRATEGY].values] if show is None else list(show)
    for name in shown:
        if name not in inc[STRATEGY].values:
            raise AnalysisError(f"strategy {name!r} cannot be shown against itself or is unknown; "
                                f"expected some of {[str(s) for s in inc[STRATEGY].values]}")
    if ellipse is not None and not 0 < ellipse < 1:
        raise AnalysisError(f"ellipse: expected a coverage in (0, 1), got {ellipse}")
    n = inc.sizes[SAMPLE]
    if ellipse is not None and n < 3:
        raise AnalysisError(f"ellipse: needs at least 3 PSA samples, the outcome set has {n}")
    currency, unit = _units(outcomes)
    colors = strategy_colors(strategies(outcomes))
    ax = get_ax(ax, figsize=(7.6, 4.6))  # wider: the legend sits to the right
    alpha = float(np.clip(30 / np.sqrt(n), 0.08, 0.8)) if alpha is None else alpha
    ax.axhline(0, color="0.2", linewidth=0.8, zorder=1)
    ax.axvline(0, color="0.2", linewidth=0.8, zorder=1)
    for name in shown:
        x = inc["effect"].sel({STRATEGY: name}).values
        y = inc["cost"].sel({STRATEGY: name}).values
        ax.scatter(x, y, s=8, color=colors[name], alpha=alpha, linewidths=0, label=name, rasterized=n > 2000, zorder=2)
        ax.scatter([x.mean()], [y.mean()], s=60, marker="D", color=colors[name], edgecolor="black", linewidths=1.0,
                   zorder=4, label=f"_mean {name}")
        if ellipse is not None:
            ax.add_patch(_ellipse(x, y, ellipse, colors[name]))
    ax.scatter([], [], s=60, marker="D", facecolor="white", edgecolor="black", label="Mean")
    if wtp is not None:
        ax.autoscale_view()
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        for lam, dash in zip(np.atleast_1d(cea._wtp_grid(wtp)), ("--", ":", "-.", (0, (5, 1, 1, 1)))):
            text = f"{format_money(lam, currency)} per {unit}"
            ax.plot(xlim, [lam * xlim[0], lam * xlim[1]], color="0.25", linestyle=dash, linewidth=1.2, zorder=3,
                    label=text)
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            _label_line(ax, float(lam), text)
    ax.set_xlabel(f"Incremental {unit} vs {comparator}")
    ax.set_ylabel(f"Incremental cost vs {comparator} ({currency})")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    finish(ax, legend=False)
    # Outside the axes, so it never hides points; opaque, legible markers for the clouds.
    handles, texts = ax.get_legend_handles_labels()
    if ellipse is not None:  # one entry for every strategy's ellipse (drawn in its colour), after the mean
        at = texts.index("Mean") + 1
        handles.insert(at, Ellipse((0, 0), 1, 1, facecolor="none", edgecolor="0.2", linewidth=1.5, linestyle="--"))
        texts.insert(at, f"{ellipse:.0%} confidence ellipse")
    legend = ax.legend(handles, texts, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       handler_map={Ellipse: _EllipseHandle()})
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
        if isinstance(handle, PathCollection):
            handle.set_sizes([30.0])
    return ax


def plot_frontier(outcomes: xr.Dataset, *, cost: str | None = None, effect: str | None = None,
                  label: bool = True, ax: Axes | None = None) -> Axes:
    """Mean cost against mean effect of every strategy, with the efficiency frontier.

    Non-dominated strategies are joined by the frontier line (its slopes are the ICERs),
    extendedly dominated ones drawn hollow and strongly dominated ones as crosses (Drummond
    et al. 2015, ch. 4), exactly as labelled by :func:`healthecon.cea.icer_table`.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [0.0, 8.0, 18.0, 20.0], "qaly": [0.0, 1.0, 2.0, 3.0]},
    ...                     strategies=["A", "B", "C", "D"], effect="qaly")
    >>> ax = plot_frontier(out)
    >>> ax.get_lines()[0].get_xdata().tolist()
    [0.0, 3.0]
    """
    table = cea.icer_table(outcomes, cost, effect)
    currency, unit = _units(outcomes)
    colors = strategy_colors(strategies(outcomes))
    ax = get_ax(ax)
    frontier = table[table["status"] == cea.ND]
    ax.plot(frontier["effect"].to_numpy(), frontier["cost"].to_numpy(), color="0.3", linewidth=1.5, zorder=2,
            label="Efficiency frontier")
    markers = {cea.ND: {"marker": "o"}, cea.ED: {"marker": "o", "facecolor": "white"}, cea.D: {"marker": "X"}}
    names = {cea.ND: "non-dominated", cea.ED: "extendedly dominated", cea.D: "dominated"}
    for _, row in table.iterrows():
        style = {"facecolor": colors[row["strategy"]], **markers[row["status"]]}
        ax.scatter([row["effect"]], [row["cost"]], s=70, edgecolor=colors[row["strategy"]], linewidths=1.5, zorder=3,
                   **style)
        if label:
            ax.annotate(f"{row['strategy']}", (row["effect"], row["cost"]), xytext=(6, -4),
                        textcoords="offset points", fontsize=9)
    for status in (cea.ND, cea.ED, cea.D):
        if (table["status"] == status).any():
            style = {"facecolor": "0.4", **markers[status]}
            ax.scatter([], [], s=50, edgecolor="0.4", label=names[status].capitalize(), **style)
    ax.margins(x=0.15, y=0.08)  # room for the labels
    ax.set_xlabel(f"Mean {unit}")
    ax.set_ylabel(f"Mean cost ({currency})")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    return finish(ax)


def _wtp_axis(ax: Axes, outcomes: xr.Dataset) -> None:
    currency, unit = _units(outcomes)
    ax.set_xlabel(wtp_label(currency, unit))
    _money_axis(ax.xaxis, currency)


def _frontier(ax: Axes, grid: np.ndarray, values: np.ndarray, label: str) -> None:
    """The frontier as open rings on the curve it follows, about :data:`_FRONTIER_MARKS` of them."""
    ax.plot(grid, values, label=label, markevery=max(1, int(np.ceil(grid.size / _FRONTIER_MARKS))), **_FRONTIER_STYLE)


def _stated_thresholds(outcomes: xr.Dataset, thresholds: float | Sequence[float] | None) -> np.ndarray:
    """The thresholds to mark: those given, else :data:`DEFAULT_QALY_THRESHOLDS` when the effect is QALYs."""
    if thresholds is None:
        qalys = str(outcomes.attrs.get("effect_unit", "")).lower() in ("qaly", "qalys") or outcomes.attrs.get("effect") == "qaly"
        return np.asarray(DEFAULT_QALY_THRESHOLDS if qalys else (), dtype=float)
    values = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if not np.isfinite(values).all():
        raise AnalysisError(f"thresholds: expected finite amounts per unit of effect, got {values.tolist()}")
    return values


def _threshold_lines(ax: Axes, outcomes: xr.Dataset, thresholds: np.ndarray, grid: np.ndarray, curves: np.ndarray) -> None:
    """A labelled dotted vertical line at each threshold inside the grid (a line outside it would
    stretch the axis), its label centred in the widest gap between the ``curves`` (one row per
    curve drawn over ``grid``) where they cross the line, so that it covers none of them if it can."""
    currency, unit = _units(outcomes)
    low, high = ax.get_ylim()
    for lam in thresholds:
        if not grid.min() <= lam <= grid.max():
            continue
        text = f"{format_money(lam, currency)} per {unit}"
        ax.axvline(lam, color="0.35", linestyle=":", linewidth=1.2, zorder=1, label=f"_threshold {text}")
        crossings = sorted([low, high, *(float(np.interp(lam, grid, curve)) for curve in curves)])
        _, middle = max((above - below, (above + below) / 2) for below, above in itertools.pairwise(crossings))
        ax.annotate(text, (lam, middle), xytext=(-3, 0), textcoords="offset points",
                    rotation=90, ha="right", va="center", fontsize=8, color="0.25", zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0})  # legible over a curve


def plot_ceac(outcomes: xr.Dataset, wtp: float | Sequence[float] | np.ndarray, *, frontier: bool = True,
              cost: str | None = None, effect: str | None = None, thresholds: float | Sequence[float] | None = None,
              ax: Axes | None = None) -> Axes:
    """Cost-effectiveness acceptability curves, with the acceptability frontier and the thresholds marked.

    One line per strategy: the probability that it has the highest net monetary benefit at
    each threshold (:func:`healthecon.cea.ceac`; ties to the first strategy). With
    ``frontier=True`` open black rings mark the CEAF on the curve of the strategy with the
    highest *expected* NMB (:func:`healthecon.cea.ceaf`), which need not be the highest curve
    (Fenwick et al. 2001); rings, not a band, so the frontier is not read as an interval.

    Parameters
    ----------
    thresholds
        Willingness-to-pay thresholds to mark with a labelled dotted line (those inside the
        grid); by default NICE's £20,000 and £30,000 (:data:`DEFAULT_QALY_THRESHOLDS`) when the
        effect is QALYs, none otherwise; ``()`` for none.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, 30.0]], "qaly": [[0.0, 1.0], [0.0, 1.0]]},
    ...                     strategies=["A", "B"], effect="qaly")
    >>> ax = plot_ceac(out, [0, 20, 40], thresholds=[25])
    >>> [line.get_label() for line in ax.get_lines()]
    ['Frontier (CEAF)', 'A', 'B', '_threshold £25 per QALY']
    >>> [text.get_text() for text in ax.texts]
    ['£25 per QALY']
    """
    curves = cea.ceac(outcomes, wtp, cost=cost, effect=effect)
    grid = curves[cea.WTP].values
    colors = strategy_colors(strategies(outcomes))
    marks = _stated_thresholds(outcomes, thresholds)
    ax = get_ax(ax)
    if frontier:
        best = cea.ceaf(outcomes, grid, cost=cost, effect=effect)
        _frontier(ax, grid, best["probability"].values, "Frontier (CEAF)")
    for name in strategies(outcomes):
        ax.plot(grid, curves.sel({STRATEGY: name}).values, color=colors[name], linewidth=1.8, label=name, zorder=2)
    ax.set_ylim(-0.02, 1.02)
    _threshold_lines(ax, outcomes, marks, grid, curves.transpose(STRATEGY, cea.WTP).values)
    ax.set_ylabel("Probability cost-effective")
    _wtp_axis(ax, outcomes)
    return finish(ax)


def plot_ceaf(outcomes: xr.Dataset, wtp: float | Sequence[float] | np.ndarray, *, cost: str | None = None,
              effect: str | None = None, ax: Axes | None = None) -> Axes:
    """Cost-effectiveness acceptability frontier, coloured by the optimal strategy.

    At each threshold, the probability that the strategy with the highest expected NMB is
    the most cost-effective (:func:`healthecon.cea.ceaf`); one line per strategy that is
    optimal somewhere, undefined (a gap) where it is not; dotted verticals mark the
    thresholds at which the optimal strategy changes.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, 30.0]], "qaly": [[0.0, 1.0], [0.0, 1.0]]},
    ...                     strategies=["A", "B"], effect="qaly")
    >>> ax = plot_ceaf(out, [0, 10, 30, 40])
    >>> ax.get_lines()[1].get_ydata().tolist()
    [nan, nan, 0.5, 1.0]
    """
    best = cea.ceaf(outcomes, wtp, cost=cost, effect=effect)
    grid = best[cea.WTP].values
    optimal = best["optimal"].values
    colors = strategy_colors(strategies(outcomes))
    ax = get_ax(ax)
    for name in strategies(outcomes):
        where = optimal == name
        if where.any():
            ax.plot(grid, np.where(where, best["probability"].values, np.nan), color=colors[name], linewidth=2.5,
                    marker="o" if grid.size <= 25 else None, markersize=4, label=name)
    for switch in np.flatnonzero(optimal[1:] != optimal[:-1]):
        ax.axvline((grid[switch] + grid[switch + 1]) / 2, color="0.5", linestyle=":", linewidth=1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("Probability that the optimal strategy\nis the most cost-effective")
    _wtp_axis(ax, outcomes)
    return finish(ax)


def plot_expected_loss(outcomes: xr.Dataset, wtp: float | Sequence[float] | np.ndarray, *, frontier: bool = True,
                       cost: str | None = None, effect: str | None = None, ax: Axes | None = None) -> Axes:
    """Expected loss curves: expected NMB forgone by choosing each strategy.

    One line per strategy (:func:`healthecon.cea.expected_loss`). With ``frontier=True`` open
    black rings mark the lowest curve, the loss of the optimal strategy, which equals the
    per-person EVPI (Alarid-Escudero et al. 2019).

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, 30.0]], "qaly": [[0.0, 1.0], [0.0, 1.0]]},
    ...                     strategies=["A", "B"], effect="qaly")
    >>> ax = plot_expected_loss(out, [0, 20, 40])
    >>> ax.get_lines()[0].get_ydata().tolist()
    [0.0, 5.0, 0.0]
    """
    loss = cea.expected_loss(outcomes, wtp, cost=cost, effect=effect)
    grid = loss[cea.WTP].values
    currency, _ = _units(outcomes)
    colors = strategy_colors(strategies(outcomes))
    ax = get_ax(ax)
    if frontier:
        _frontier(ax, grid, loss.min(STRATEGY).values, "Frontier (EVPI)")
    for name in strategies(outcomes):
        ax.plot(grid, loss.sel({STRATEGY: name}).values, color=colors[name], linewidth=1.8, label=name, zorder=2)
    ax.set_ylabel(f"Expected loss per person ({currency})")
    _money_axis(ax.yaxis, currency)
    _wtp_axis(ax, outcomes)
    return finish(ax)
