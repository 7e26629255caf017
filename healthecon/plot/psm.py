"""Plots for partitioned survival models: state occupancy over time, and the curves with Kaplan-Meier data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from ..errors import OutcomesError, unknown_name
from ._style import PALETTE, finish, get_ax, samples_shown, strategy_colors

__all__ = ["plot_state_occupancy", "plot_psm_curves"]

#: Fill colours by state position: living states from the palette, the last (dead) light grey.
_DEAD = "#D9D9D9"
_LINESTYLES = ("--", "-", ":", "-.")


def plot_state_occupancy(
    outcomes: xr.Dataset,
    strategy: str | None = None,
    *,
    sample: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Stacked areas of the share of the cohort in each state over time, for one strategy.

    Parameters
    ----------
    outcomes
        An outcome set with a ``trace`` (run the model with ``trace=True`` or ``"mean"``),
        from :class:`~healthecon.survival.psm.PartitionedSurvivalModel` or
        :class:`~healthecon.markov.MarkovModel`.
    strategy
        Strategy to draw; default the first. Call once per strategy (on side-by-side axes)
        to compare them.
    sample
        PSA sample to draw; default the mean over samples.
    ax
        Axes to draw on; a new figure if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    OutcomesError
        If there is no trace.
    UnknownNameError
        For an unknown strategy.

    Examples
    --------
    >>> import numpy as np
    >>> from healthecon.survival import ParametricCurve
    >>> from healthecon.survival.psm import PartitionedSurvivalModel
    >>> model = PartitionedSurvivalModel({"usual care": [ParametricCurve("exponential", rate=0.5),
    ...                                                  ParametricCurve("exponential", rate=0.2)]}, n_cycles=10)
    >>> ax = plot_state_occupancy(model.run({}, trace=True))
    >>> [c.get_label() for c in ax.collections]
    ['progression-free', 'progressed', 'dead']
    """
    if "trace" not in outcomes.data_vars:
        raise OutcomesError("no 'trace' in the outcome set: run the model with trace=True or trace='mean'")
    trace = outcomes["trace"]
    known = [str(s) for s in trace["strategy"].values]
    strategy = known[0] if strategy is None else strategy
    if strategy not in known:
        raise unknown_name("strategy", strategy, known)
    chosen = trace.sel(strategy=strategy)
    if "sample" in chosen.dims:
        chosen = chosen.mean("sample") if sample is None else chosen.isel(sample=sample)
    states = [str(s) for s in chosen["state"].values]
    years = np.asarray(chosen["cycle"].values, dtype=float) * float(outcomes.attrs.get("cycle_length", 1.0))
    colors = [PALETTE[(i + 2) % len(PALETTE)] for i in range(len(states) - 1)] + [_DEAD]
    ax = get_ax(ax)
    ax.stackplot(years, chosen.transpose("state", "cycle").values, labels=states, colors=colors, alpha=0.9, linewidth=0)
    ax.set_xlim(years[0], years[-1])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Years")
    ax.set_ylabel("Share of the cohort")
    where = samples_shown(trace.sizes.get("sample", 1), sample)
    finish(ax, title=f"State occupancy: {strategy}" + (f" ({where})" if where else ""), legend=False)
    ax.grid(False)
    ax.legend(*[list(reversed(x)) for x in ax.get_legend_handles_labels()], frameon=False, loc="upper right")
    return ax


def plot_psm_curves(
    model: object,
    draws: xr.Dataset | None = None,
    *,
    strategies: Sequence[str] | None = None,
    km: Mapping[str, object] | None = None,
    horizon: float | None = None,
    level: float = 0.95,
    ax: Axes | None = None,
) -> Axes:
    """A partitioned survival model's curves by strategy, with Kaplan-Meier data on top.

    Each strategy has one colour; curves are told apart by line style (the innermost, e.g. PFS,
    dashed; overall survival solid). With PSA draws the line is the mean over samples and the
    shaded band its equal-tailed ``level`` interval. Curves are drawn as given, before the
    model's crossing rule.

    Parameters
    ----------
    model
        A :class:`~healthecon.survival.psm.PartitionedSurvivalModel`.
    draws
        Parameter draws the curves read (none for fixed curves).
    strategies
        Strategies to draw; default all.
    km
        Kaplan-Meier data to overlay as steps: ``{label: curve}`` where the curve is a
        :class:`~healthecon.survival.transforms.StepSurvival`, a table with ``time`` and
        ``survival`` columns (:func:`~healthecon.survival.kaplan_meier`'s) or a pair
        ``(times, survival)``, in years.
    horizon
        Last year drawn; default the model's horizon.
    level
        Probability held by the band.
    ax
        Axes to draw on; a new figure if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from healthecon.survival import ParametricCurve
    >>> from healthecon.survival.psm import PartitionedSurvivalModel
    >>> from healthecon.survival.transforms import StepSurvival
    >>> model = PartitionedSurvivalModel({"usual care": [ParametricCurve("exponential", rate=0.5),
    ...                                                  ParametricCurve("exponential", rate=0.2)]}, n_cycles=10)
    >>> ax = plot_psm_curves(model, km={"OS, trial": StepSurvival([0.5, 1, 2], [0.9, 0.8, 0.65])})
    >>> [line.get_label() for line in ax.lines]
    ['usual care: PFS', 'usual care: OS', 'OS, trial']
    """
    from ..survival.transforms import StepSurvival, evaluate_survival, n_draws

    names = list(model.strategies) if strategies is None else list(strategies)
    for s in names:
        if s not in model.strategies:
            raise unknown_name("strategy", s, model.strategies)
    end = model.n_cycles * model.cycle_length if horizon is None else float(horizon)
    times = np.linspace(0, end, 301)
    colors = strategy_colors(list(model.strategies))
    tail = (1 - level) / 2
    ax = get_ax(ax)
    for s in names:
        for k, (label, curve) in enumerate(model.curves[s].items()):
            values = evaluate_survival(curve, times, draws, what=f"strategy {s!r}, curve {label!r}")
            style = "-" if k == len(model.curve_names) - 1 else _LINESTYLES[k % len(_LINESTYLES)]
            ax.plot(times, values.mean(axis=0), color=colors[s], linestyle=style, linewidth=1.8, label=f"{s}: {label}")
            if values.shape[0] > 1 and np.ptp(values, axis=0).max() > 0:  # no band for a curve that does not vary
                low, high = np.quantile(values, [tail, 1 - tail], axis=0)
                ax.fill_between(times, low, high, color=colors[s], alpha=0.12, linewidth=0)
    for i, (label, data) in enumerate((km or {}).items()):
        if isinstance(data, StepSurvival):
            steps = data
        elif hasattr(data, "columns"):
            steps = StepSurvival.from_frame(data, name=label)
        else:
            steps = StepSurvival(*data, name=label)
        start = int(steps.times[0] > 0)  # the step from 1 at time 0, unless the table has it
        x = np.concatenate([[0.0] * start, steps.times])
        y = np.concatenate([[1.0] * start, steps.values])
        ax.step(x, y, where="post", color="0.2", linewidth=1.1, linestyle=_LINESTYLES[(i + 2) % len(_LINESTYLES)] if i else "-",
                label=label)
    ax.set_xlim(0, end)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Years")
    ax.set_ylabel("Survival")
    band = f" (mean and {level:.0%} interval over {n_draws(draws):,} samples)" if n_draws(draws) > 1 else ""
    return finish(ax, title="Survival curves" + band)
