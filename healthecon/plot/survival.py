"""Survival-fit diagnostics: Kaplan-Meier with fitted curves, the log cumulative hazard (PH
check), smoothed against fitted hazards, and extrapolation with restricted mean survival.

These are the plots a NICE Decision Support Unit review asks for (Latimer 2011, NICE DSU
Technical Support Document 14): visual fit to the KM curve, the proportional-hazards check,
the hazard shape, and the plausibility of each extrapolation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from ..errors import ParameterError
from ..survival.curves import TIME_UNITS, ParametricCurve
from ..survival.data import SurvivalData
from ..survival.fit import SurvivalFit, SurvivalFits
from ..survival.km import kaplan_meier, restricted_mean, smoothed_hazard
from ._style import PALETTE, finish, get_ax

__all__ = ["plot_survival_fits", "plot_log_cumulative_hazard", "plot_hazards", "plot_extrapolation"]

_FIT_STYLES = ("-", "--", "-.", ":")
# The palette without its first colour (the Kaplan-Meier curve's) and without yellow, which is
# hard to see as a thin line on white.
_FIT_COLORS = tuple(c for c in PALETTE[1:] if c != "#F0E442")
_WIDE = (8.8, 4.6)


def _unit(data: SurvivalData | SurvivalFit) -> tuple[float, str]:
    """Length of the data's time unit in years, and its axis label."""
    unit = data.time_unit
    if isinstance(unit, str):
        return TIME_UNITS[unit], unit
    return float(unit), f"units of {float(unit):g} years"


def _arm_data(data: SurvivalData, arm: str | None) -> SurvivalData:
    if arm is None:
        if data.arm is not None and len(data.arms) > 1:
            raise ParameterError(f"these data have arms {list(data.arms)}: say which to plot, e.g. arm={data.arms[0]!r}")
        return data
    return data.subset(arm)


def _curves(fits: SurvivalFits | Sequence[SurvivalFit], arm: str | None) -> list[tuple[str, ParametricCurve]]:
    """(label, curve at the estimates) for every fit that describes ``arm``."""
    items = list(fits.values()) if isinstance(fits, SurvivalFits) else list(fits)
    out = []
    for fit in items:
        if fit.arms:
            if arm in fit.arms:
                out.append((f"{fit.label} (joint)", fit.curve(arm=arm)))
        elif fit.arm == arm or (fit.arm is None and arm is None):
            out.append((fit.label, fit.curve()))
    if not out:
        raise ParameterError(f"no fitted curve describes {'arm ' + repr(arm) if arm else 'these data'}")
    return out


def _style(i: int) -> dict:
    n = len(_FIT_COLORS)
    return {"color": _FIT_COLORS[i % n], "linestyle": _FIT_STYLES[(i // n) % len(_FIT_STYLES)], "linewidth": 1.5}


def _finish_outside(ax: Axes, title: str) -> Axes:
    """The common finish, with the legend to the right of the axes so it never hides a curve."""
    finish(ax, title=title, legend=False)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return ax


def plot_survival_fits(
    data: SurvivalData,
    fits: SurvivalFits | Sequence[SurvivalFit],
    *,
    arm: str | None = None,
    level: float = 0.95,
    ax: Axes | None = None,
) -> Axes:
    """Kaplan-Meier curve with its Greenwood log-log confidence band, overlaid by every fitted curve.

    Parameters
    ----------
    data
        The patient data the models were fitted to.
    fits
        :class:`~healthecon.survival.fit.SurvivalFits` or a list of fits; those describing
        ``arm`` are drawn (joint fits at that arm).
    arm
        The arm to draw (required when the data have several).
    level
        Confidence level of the KM band.
    ax
        Axes to draw on; a new figure if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from healthecon.survival import fit_survival, load_dataset, survival_data
    >>> bc = survival_data(load_dataset("bc"), time="recyrs", event="censrec")
    >>> ax = plot_survival_fits(bc, fit_survival(bc, ["weibull", "lnorm"]))
    >>> [line.get_label() for line in ax.get_lines()]
    ['Kaplan-Meier', 'Weibull (AFT)', 'Log-normal']
    """
    subset = _arm_data(data, arm)
    km = kaplan_meier(subset.time, subset.event, level=level)
    length, unit = _unit(data)
    ax = get_ax(ax, figsize=_WIDE)
    ax.fill_between(km["time"], km["lower"], km["upper"], step="post", color=PALETTE[0], alpha=0.18, linewidth=0, label=f"{level:.0%} CI (log-log)")
    ax.step(km["time"], km["survival"], where="post", color=PALETTE[0], linewidth=1.8, label="Kaplan-Meier")
    grid = np.linspace(0, float(subset.time.max()), 300)
    for i, (label, curve) in enumerate(_curves(fits, arm)):
        ax.plot(grid, curve.survival(grid * length)[0], label=label, **_style(i))
    ax.set_xlim(0, float(subset.time.max()))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"Time ({unit})")
    ax.set_ylabel("Proportion surviving")
    return _finish_outside(ax, f"Fitted curves against Kaplan-Meier{f': {arm}' if arm else ''}")


def plot_log_cumulative_hazard(data: SurvivalData, *, arms: Sequence[str] | None = None, ax: Axes | None = None) -> Axes:
    """log(-log S(t)) of the Kaplan-Meier estimate against log time, one line per arm.

    Roughly parallel lines support proportional hazards between arms; straight lines suggest a
    Weibull (slope = shape), crossing lines argue against PH (Collett 2015, s. 4.4.1; NICE DSU
    TSD 14).

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.survival import survival_data
    >>> frame = pd.DataFrame({"time": [1, 2, 3, 4, 2, 3, 5, 6.0], "event": [1] * 8, "arm": ["A"] * 4 + ["B"] * 4})
    >>> ax = plot_log_cumulative_hazard(survival_data(frame, arm="arm"))
    >>> [line.get_label() for line in ax.get_lines()]
    ['A', 'B']
    """
    _, unit = _unit(data)
    ax = get_ax(ax)
    groups = [None] if data.arm is None else list(arms if arms is not None else data.arms)
    for i, arm in enumerate(groups):
        subset = data if arm is None else data.subset(arm)
        km = kaplan_meier(subset.time, subset.event)
        keep = (km["time"] > 0) & (km["survival"] > 0) & (km["survival"] < 1) & (km["events"] > 0)
        ax.step(np.log(km["time"][keep]), np.log(-np.log(km["survival"][keep])), where="post", color=PALETTE[i % len(PALETTE)], linewidth=1.6, label=arm or "All patients")
    ax.set_xlabel(f"log time (time in {unit})")
    ax.set_ylabel("log cumulative hazard, log(−log S)")
    return finish(ax, title="Log cumulative hazard (proportional-hazards check)", legend=True)


def plot_hazards(
    data: SurvivalData,
    fits: SurvivalFits | Sequence[SurvivalFit],
    *,
    arm: str | None = None,
    bandwidth: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Kernel-smoothed empirical hazard against the hazard of every fitted model (per year).

    ``bandwidth`` is in the data's time unit (default a fifth of the last event time; see
    :func:`~healthecon.survival.km.smoothed_hazard`, whose estimate dips near the ends).

    Examples
    --------
    >>> from healthecon.survival import fit_survival, load_dataset, survival_data
    >>> bc = survival_data(load_dataset("bc"), time="recyrs", event="censrec")
    >>> ax = plot_hazards(bc, fit_survival(bc, ["weibull", "llogis"]))
    >>> ax.get_ylabel()
    'Hazard (per year)'
    """
    subset = _arm_data(data, arm)
    length, unit = _unit(data)
    last = float(subset.time[subset.event == 1].max())
    grid = np.linspace(last / 200, last, 200)
    ax = get_ax(ax, figsize=_WIDE)
    empirical = smoothed_hazard(subset.time, subset.event, grid, bandwidth) / length
    ax.plot(grid, empirical, color=PALETTE[0], linewidth=2.2, label="Smoothed empirical hazard")
    for i, (label, curve) in enumerate(_curves(fits, arm)):
        ax.plot(grid, curve.hazard(grid * length)[0], label=label, **_style(i))
    ax.set_xlim(0, last)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"Time ({unit})")
    ax.set_ylabel("Hazard (per year)")
    return _finish_outside(ax, f"Empirical and fitted hazards{f': {arm}' if arm else ''}")


def plot_extrapolation(
    fits: SurvivalFits | Sequence[SurvivalFit],
    horizon: float,
    *,
    arm: str | None = None,
    data: SurvivalData | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Every fitted curve extrapolated to ``horizon`` years, labelled with its restricted mean
    survival time (RMST) over the horizon; the Kaplan-Meier curve too if ``data`` is given.

    Examples
    --------
    >>> from healthecon.survival import fit_survival, load_dataset, survival_data
    >>> bc = survival_data(load_dataset("bc"), time="recyrs", event="censrec")
    >>> ax = plot_extrapolation(fit_survival(bc, ["weibull", "lnorm"]), 30, data=bc)
    >>> [line.get_label() for line in ax.get_lines()]
    ['Kaplan-Meier', 'Weibull (AFT): RMST 5.74 years', 'Log-normal: RMST 7.48 years']
    """
    grid = np.linspace(0, float(horizon), 400)
    ax = get_ax(ax, figsize=_WIDE)
    if data is not None:
        subset = _arm_data(data, arm)
        km = kaplan_meier(subset.time, subset.event)
        length, _ = _unit(data)
        ax.step(km["time"] * length, km["survival"], where="post", color=PALETTE[0], linewidth=1.8, label="Kaplan-Meier")
    for i, (label, curve) in enumerate(_curves(fits, arm)):
        rmst = float(restricted_mean(curve, horizon)[0])
        ax.plot(grid, curve.survival(grid)[0], label=f"{label}: RMST {rmst:.2f} years", **_style(i))
    ax.set_xlim(0, float(horizon))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Time (years)")
    ax.set_ylabel("Proportion surviving")
    return _finish_outside(ax, f"Extrapolation to {horizon:g} years{f': {arm}' if arm else ''}")
