"""The summary table of a patient-level cost-effectiveness analysis, as an HTA reviewer reads it.

:func:`hta_table` turns an :class:`~healthecon.ipd.bootstrap.IPDResult` (or the pooled result of
multiple imputation) into rows of formatted text: mean cost and effect by arm, increments with
their confidence intervals, the ICER with Fieller's and the bootstrap percentile intervals, and
the probability of being cost-effective at chosen thresholds (the share of replicates with
positive incremental net benefit: the CEAC, Briggs, Claxton & Sculpher 2006, ch. 4 and 5;
Glick et al. 2014, ch. 7 and 9; NICE DSU TSD 15 for reporting).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import cea
from .bootstrap import IPDResult

__all__ = ["hta_table", "money", "number"]


def money(value: float, currency: str = "£") -> str:
    """``£1,234`` (whole currency units), ``-£200``, or ``—`` for a missing value.

    Examples
    --------
    >>> money(-199.6), money(float("nan"))
    ('-£200', '—')
    """
    if not np.isfinite(value):
        return "—"
    rounded = round(float(value))
    return f"-{currency}{-rounded:,}" if rounded < 0 else f"{currency}{rounded:,}"


def number(value: float, decimals: int = 3) -> str:
    """A number to ``decimals`` places, or ``—``.

    Examples
    --------
    >>> number(0.041409), number(float("inf"))
    ('0.041', '—')
    """
    return f"{value:,.{decimals}f}" if np.isfinite(value) else "—"


def hta_table(result: IPDResult, *, wtp: Sequence[float] = (20000.0, 30000.0), level: float = 0.95,
              interval: str = "bca", currency: str = "£", decimals: int = 3) -> pd.DataFrame:
    """Means by arm, increments, ICER (Fieller and bootstrap intervals) and P(cost-effective).

    Parameters
    ----------
    result
        A bootstrap result.
    wtp
        Thresholds (currency per unit of effect) for the probability of being cost-effective.
    level
        Confidence level of every interval.
    interval
        ``"bca"`` or ``"percentile"``, for means and increments.
    currency, decimals
        Currency symbol, and decimals of effects.

    Returns
    -------
    pandas.DataFrame
        Index: the quantity; columns ``Estimate`` and ``{level:.0%} CI`` (text).
    """
    point, reps = result.point, result.replicates
    cost, effect = point.attrs["cost"], point.attrs["effect"]
    unit = point.attrs.get("effect_unit", effect)
    summary = result.summary(level, interval)
    arms = [str(s) for s in point.strategy.values]
    ci = f"{level:.0%} CI"
    rows = []

    def add(label: str, estimate: str, band: str = "") -> None:
        rows.append((label, estimate, band))

    for variable, label, fmt in ((cost, "cost", lambda v: money(v, currency)), (effect, f"{unit}s", lambda v: number(v, decimals))):
        for row in arms + [f"{a} vs {arms[0]}" for a in arms[1:]]:
            s = summary.loc[(variable, row)]
            name = f"Incremental {label}, {row}" if " vs " in row else f"Mean {label}, {row}"
            add(name, fmt(s["estimate"]), f"{fmt(s['lower'])} to {fmt(s['upper'])}")
    fieller = result.fieller(level)
    boot = result.icer_interval(level)
    table = cea.icer_table(point)
    icers = table.set_index("strategy")
    for arm in arms[1:]:
        inc_c = float(point[cost].sel(strategy=arm)[0] - point[cost].sel(strategy=arms[0])[0])
        inc_e = float(point[effect].sel(strategy=arm)[0] - point[effect].sel(strategy=arms[0])[0])
        if inc_e > 0 and inc_c > 0:
            estimate = money(inc_c / inc_e, currency)
        elif inc_e >= 0 and inc_c <= 0:
            estimate = "dominant (cheaper, at least as effective)"
        elif inc_e <= 0 and inc_c >= 0:
            estimate = "dominated (costlier, no more effective)"
        else:
            estimate = f"{money(inc_c / inc_e, currency)} (saving per {unit} lost)"
        add(f"ICER ({currency} per {unit}), {arm} vs {arms[0]}", estimate, f"Fieller: {fieller[arm].describe(currency)}")
        b = boot[arm]
        add(f"ICER bootstrap percentile, {arm} vs {arms[0]}", "",
            f"{money(b[0], currency)} to {money(b[1], currency)}" if b else
            "not defined: replicates on both sides of the vertical axis of the CE plane")
        status = icers.loc[arm, "status"]
        if status != cea.ND:
            add(f"Status in the ICER table, {arm}", str(status), str(icers.loc[arm, "comparator"]))
    curve = cea.ceac(reps, list(wtp))
    for lam in wtp:
        for arm in arms[1:]:
            inc = result.increments().loc[arm]
            p = float(((lam * inc["inc_effect"] - inc["inc_cost"]) > 0).mean())
            add(f"P({arm} cost-effective vs {arms[0]}) at {money(lam, currency)} per {unit}", f"{p:.3f}",
                f"highest net benefit of all arms: {float(curve.sel(strategy=arm, wtp=lam)):.3f}" if len(arms) > 2 else "")
    frame = pd.DataFrame(rows, columns=["Quantity", "Estimate", ci]).set_index("Quantity")
    frame.attrs = {"n_boot": int(reps.sizes["sample"]), "method": result.method, "resampling": result.resampling,
                   "interval": interval, "level": level}
    return frame
