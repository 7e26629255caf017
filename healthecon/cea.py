"""Cost-effectiveness analysis: net benefit, incremental analysis and decision uncertainty.

Every function here is a pure function of an outcome set (see :mod:`healthecon.outcomes`):
dims ``sample`` x ``strategy``, with default cost and effect variables named in its attrs.
Calculations are vectorised over samples, strategies and willingness-to-pay (WTP) thresholds.

References
----------
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*.
Oxford University Press (ch. 5: CE plane, net benefit, several strategies, CEACs and the
CEAF; ch. 6: expected value of perfect information).
Drummond MF, Sculpher MJ, Claxton K, Stoddart GL, Torrance GW (2015). *Methods for the
Economic Evaluation of Health Care Programmes*, 4th ed. Oxford University Press (ch. 4).
Van Hout BA, Al MJ, Gordon GS, Rutten FF (1994). Costs, effects and C/E-ratios alongside a
clinical trial. *Health Economics* 3(5):309-319.
Fenwick E, Claxton K, Sculpher M (2001). Representing uncertainty: the role of
cost-effectiveness acceptability curves. *Health Economics* 10(8):779-787.
Stinnett AA, Mullahy J (1998). Net health benefits: a new framework for the analysis of
uncertainty in cost-effectiveness analysis. *Medical Decision Making* 18(2 Suppl):S68-80.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ._validate import require_finite
from .errors import AnalysisError, unknown_name
from .formatting import format_money
from .outcomes import SAMPLE, STRATEGY, cost_effect, strategies

__all__ = [
    "WTP",
    "ND",
    "D",
    "ED",
    "net_benefit",
    "incremental_net_benefit",
    "icer_table",
    "format_icer_table",
    "kstar",
    "incremental",
    "pairwise",
    "ceac",
    "ceaf",
    "expected_loss",
]

WTP = "wtp"

_KINDS = ("monetary", "health")


def _wtp_grid(wtp: float | Sequence[float] | np.ndarray, kind: str = "monetary") -> np.ndarray:
    """Return ``wtp`` as a 1-D float array of finite thresholds (>= 0; > 0 for health)."""
    grid = np.atleast_1d(require_finite(wtp, "wtp", AnalysisError))
    if grid.ndim != 1 or grid.size == 0:
        raise AnalysisError(f"wtp: expected a number or a 1-D sequence of thresholds, got shape {np.shape(wtp)}")
    if kind == "health" and (grid <= 0).any():
        bad = grid[grid <= 0][0]
        raise AnalysisError(f"wtp: net health benefit divides cost by the threshold, so it must be > 0; got {bad}")
    if (grid < 0).any():
        raise AnalysisError(f"wtp: expected thresholds >= 0, got {grid[grid < 0][0]}")
    return grid


def net_benefit_values(cost: np.ndarray, effect: np.ndarray, grid: np.ndarray, kind: str = "monetary") -> np.ndarray:
    r"""The arithmetic of :func:`net_benefit` on plain arrays, for callers that already hold
    validated costs and effects (e.g. the metamodel fits of :mod:`healthecon.voi`).

    ``cost`` and ``effect`` have the same shape ``(..., strategy)``; ``grid`` is a checked 1-D
    array of thresholds. Returns shape ``(..., strategy, wtp)``: :math:`\lambda E - C`
    (``"monetary"``) or :math:`E - C / \lambda` (``"health"``).

    Examples
    --------
    >>> net_benefit_values(np.array([[100.0, 300.0]]), np.array([[1.0, 1.1]]), np.array([1000.0, 5000.0]))
    array([[[ 900., 4900.],
            [ 800., 5200.]]])
    """
    cost, effect = cost[..., None], effect[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        values = effect * grid - cost if kind == "monetary" else effect - cost / grid
    # Means over samples (CEAC, EVPI) must not overflow either: every |value| times the number of
    # samples has to stay within floating point, or E[max NB] - max E[NB] turns into inf - inf = NaN.
    limit = np.finfo(float).max / max(1, values.shape[-3] if values.ndim >= 3 else 1)
    bad = ~(np.abs(values) < limit)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AnalysisError(
            f"net benefit at willingness to pay {float(grid[index[-1]]):g} is {float(values[index])!r} "
            f"(position {index} of sample, strategy, wtp; {int(bad.sum())} of {bad.size} values): costs, effects "
            f"or the threshold are so large that the {'sums' if np.isfinite(values[index]) else 'products'} "
            f"overflow floating point; express costs in thousands or check the inputs"
        )
    return values


def net_benefit(
    outcomes: xr.Dataset,
    wtp: float | Sequence[float] | np.ndarray,
    *,
    kind: str = "monetary",
    cost: str | None = None,
    effect: str | None = None,
) -> xr.DataArray:
    r"""Net monetary or net health benefit of every strategy, per sample and threshold.

    Net monetary benefit :math:`NMB = \lambda E - C` and net health benefit
    :math:`NHB = E - C / \lambda` at willingness to pay :math:`\lambda` per unit of effect
    (Stinnett & Mullahy 1998; Briggs et al. 2006, ch. 5; Drummond et al. 2015, ch. 4).

    Parameters
    ----------
    outcomes
        An outcome set (dims ``sample`` x ``strategy``).
    wtp
        One threshold or a 1-D grid of thresholds (currency per unit of effect), >= 0
        (> 0 for ``kind="health"``).
    kind
        ``"monetary"`` (NMB, in currency) or ``"health"`` (NHB, in units of effect).
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect`` attrs.

    Returns
    -------
    xarray.DataArray
        Dims ``(sample, strategy, wtp)``; a scalar ``wtp`` still gives a length-1 ``wtp``
        dimension. Attrs: ``kind``, ``currency``, ``effect_unit``, ``units``.

    Raises
    ------
    AnalysisError
        If ``kind`` is unknown or a threshold is negative, non-finite (or zero for NHB).

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [100.0, 250.0], "qaly": [1.0, 1.5]},
    ...                     strategies=["usual care", "new"], effect="qaly")
    >>> net_benefit(out, [0, 1000]).sel(sample=0).values
    array([[-100.,  900.],
           [-250., 1250.]])
    >>> float(net_benefit(out, 1000, kind="health").sel(sample=0, strategy="new", wtp=1000))
    1.25
    """
    if kind not in _KINDS:
        raise AnalysisError(f"kind: expected one of {_KINDS}, got {kind!r}")
    grid = _wtp_grid(wtp, kind)
    c, e = cost_effect(outcomes, cost, effect)
    values = net_benefit_values(c.values, e.values, grid, kind)
    currency = outcomes.attrs.get("currency", "")
    unit = outcomes.attrs.get("effect_unit", "")
    return xr.DataArray(
        values,
        dims=(SAMPLE, STRATEGY, WTP),
        coords={SAMPLE: c[SAMPLE].values, STRATEGY: c[STRATEGY].values, WTP: grid},
        name="nmb" if kind == "monetary" else "nhb",
        attrs={"kind": kind, "currency": currency, "effect_unit": unit,
               "units": currency if kind == "monetary" else unit},
    )


def _comparator_index(outcomes: xr.Dataset, comparator: str) -> int:
    names = strategies(outcomes)
    if comparator not in names:
        raise unknown_name("comparator strategy", comparator, names)
    return names.index(comparator)


def incremental_net_benefit(
    outcomes: xr.Dataset,
    comparator: str,
    wtp: float | Sequence[float] | np.ndarray,
    *,
    kind: str = "monetary",
    cost: str | None = None,
    effect: str | None = None,
) -> xr.DataArray:
    r"""Incremental net benefit of every strategy against ``comparator``.

    :math:`INMB = \lambda \Delta E - \Delta C` (or :math:`INHB = \Delta E - \Delta C/\lambda`);
    a strategy is cost-effective against the comparator at :math:`\lambda` when it is
    positive (Briggs et al. 2006, ch. 5). The comparator's own row is zero.

    Returns
    -------
    xarray.DataArray
        Dims ``(sample, strategy, wtp)``, attrs as :func:`net_benefit` plus ``comparator``.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [100.0, 250.0], "qaly": [1.0, 1.5]},
    ...                     strategies=["usual care", "new"], effect="qaly")
    >>> incremental_net_benefit(out, "usual care", 1000).sel(sample=0, wtp=1000).values
    array([  0., 350.])
    """
    j = _comparator_index(outcomes, comparator)
    nb = net_benefit(outcomes, wtp, kind=kind, cost=cost, effect=effect)
    inb = nb - nb.isel({STRATEGY: j})
    inb.attrs = {**nb.attrs, "comparator": comparator}
    return inb.rename("inmb" if kind == "monetary" else "inhb")


# --- incremental analysis -------------------------------------------------------------------

ND, D, ED = "ND", "D", "ED"
"""Status labels: non-dominated (on the frontier), strongly dominated, extendedly dominated."""


def _dominance(cost: np.ndarray, effect: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Statuses, comparators and ICER-frontier order for mean costs and effects.

    Returns ``status`` (array of ND/D/ED), ``comparator`` (for ND: index of the previous
    frontier strategy or -1; for D: index of the dominating strategy; for ED: -1) and
    ``brackets`` (for ED: indices of the frontier strategies either side, else -1).
    """
    n = cost.size
    index = np.arange(n)
    # i dominates j: no more costly, no less effective, and strictly better in one of them;
    # of identical strategies the first in input order dominates the later ones.
    better = (cost[:, None] < cost[None, :]) | (effect[:, None] > effect[None, :]) | (index[:, None] < index[None, :])
    dominates = (cost[:, None] <= cost[None, :]) & (effect[:, None] >= effect[None, :]) & better
    np.fill_diagonal(dominates, False)
    status = np.full(n, ND, dtype=object)
    comparator = np.full(n, -1)
    brackets = np.full((n, 2), -1)
    for j in np.flatnonzero(dominates.any(axis=0)):
        # Dominated by the least costly of its dominators (then most effective, then first).
        who = np.flatnonzero(dominates[:, j])
        best = who[np.lexsort((who, -effect[who], cost[who]))[0]]
        status[j], comparator[j] = D, best
    # Extended dominance: the strongly non-dominated strategies, by increasing effect (and
    # so increasing cost), reduced to the lower convex hull. Removing a strategy whose ICER
    # exceeds the next one's, repeatedly until ICERs increase (Drummond et al. 2015, ch. 4),
    # is what this stack does in one pass. Equal ICERs (collinear points) stay ND.
    hull: list[int] = []
    for k in sorted(np.flatnonzero(status == ND), key=lambda i: (effect[i], cost[i], i)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (cost[b] - cost[a]) * (effect[k] - effect[b]) > (cost[k] - cost[b]) * (effect[b] - effect[a]):
                status[hull.pop()] = ED
            else:
                break
        hull.append(k)
    frontier = np.asarray(hull)
    comparator[frontier[1:]] = frontier[:-1]
    for j in np.flatnonzero(status == ED):
        pos = np.searchsorted(effect[frontier], effect[j])
        brackets[j] = frontier[pos - 1], frontier[pos]
    return status, comparator, brackets


ORDERS = ("effect", "dampack")


def icer_table(outcomes: xr.Dataset, cost: str | None = None, effect: str | None = None, *,
               order: str = "effect") -> pd.DataFrame:
    """Incremental cost-effectiveness table on mean cost and effect, with dominance.

    The standard algorithm (Drummond et al. 2015, ch. 4; Briggs et al. 2006, ch. 5):

    1. take the mean cost and effect of each strategy over the PSA samples;
    2. sort by effect (then cost, then input order);
    3. label *strongly dominated* (``"D"``) every strategy that is more costly and no more
       effective than another, or no less costly and less effective (ties included);
    4. label *extendedly dominated* (``"ED"``) the remaining strategies whose ICER exceeds
       that of the next more effective one, repeatedly until ICERs increase along the
       frontier (they then lie on the lower convex hull of the cost-effect plane);
    5. compute each non-dominated (``"ND"``) strategy's ICER against the next less effective
       non-dominated strategy.

    Ties are defined, not left to chance: of several *identical* strategies (equal mean cost
    and effect) the first in input order is kept and the others are labelled ``"D"``,
    dominated by it; a strategy whose ICER equals the next one's (three collinear points)
    stays on the frontier. A single strategy is ``"ND"`` with no increments.

    Parameters
    ----------
    outcomes
        An outcome set (PSA samples or a single deterministic sample).
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect`` attrs.
    order
        Row order: ``"effect"`` (default: by effect, then cost, then input order) or
        ``"dampack"``, as dampack's ``calculate_icers`` prints it: the frontier (``"ND"``)
        first, then the extendedly dominated, then the dominated, each group by increasing cost
        and then decreasing effect (``arrange(desc(Status), Cost, desc(Effect))`` in dampack's
        ``R/icers.R``; the DARTH tutorials' tables). :func:`format_icer_table` keeps the order.

    Returns
    -------
    pandas.DataFrame
        One row per strategy, in the chosen order, with columns ``strategy``,
        ``cost``, ``effect``, ``inc_cost``, ``inc_effect``, ``icer`` (NaN except on the
        frontier after its first strategy), ``status`` (``"ND"``, ``"D"``, ``"ED"``) and
        ``comparator``: for ND the previous frontier strategy (NaN for the first), for D
        the least costly strategy that dominates it, for ED the two frontier strategies
        either side of it, as ``"A and B"`` (a mix of them dominates it). ``attrs`` hold
        ``currency``, ``effect_unit``, ``cost`` and ``effect`` (variable names). Format it
        for a report with :func:`format_icer_table`.

    Raises
    ------
    OutcomesError
        If a cost or effect is NaN or infinite (naming the outcome, strategy and sample).

    Examples
    --------
    A hand-worked example (used by dampack's tests; after the US VA Health Economics
    Resource Center's guide to cost-effectiveness analysis): A is dominated by B, C is
    extendedly dominated by a mix of B and D.

    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [55000, 35000, 25000, 10000, 12000, 5000],
    ...                      "qaly": [5, 4, 3, 2, 1.5, 1]},
    ...                     strategies=["E", "D", "C", "B", "A", "UC"], effect="qaly",
    ...                     currency="$")
    >>> table = icer_table(out)
    >>> table[["strategy", "icer", "status", "comparator"]]
      strategy     icer status comparator
    0       UC      NaN     ND        NaN
    1        A      NaN      D          B
    2        B   5000.0     ND         UC
    3        C      NaN     ED    B and D
    4        D  12500.0     ND          B
    5        E  20000.0     ND          D

    The same in dampack's order (frontier, then extendedly dominated, then dominated):

    >>> icer_table(out, order="dampack")["strategy"].tolist()
    ['UC', 'B', 'D', 'E', 'C', 'A']
    """
    c, e = cost_effect(outcomes, cost, effect)
    names = np.asarray(strategies(outcomes), dtype=object)
    mean_cost = c.mean(SAMPLE).values
    mean_effect = e.mean(SAMPLE).values
    status, comparator, brackets = _dominance(mean_cost, mean_effect)
    on_frontier = (status == ND) & (comparator >= 0)
    ref = np.where(on_frontier, comparator, 0)
    inc_cost = np.where(on_frontier, mean_cost - mean_cost[ref], np.nan)
    inc_effect = np.where(on_frontier, mean_effect - mean_effect[ref], np.nan)
    icer = np.full(names.size, np.nan)
    icer[on_frontier] = inc_cost[on_frontier] / inc_effect[on_frontier]  # inc_effect > 0 on the frontier
    labels = [
        f"{names[lo]} and {names[hi]}" if st == ED else (names[k] if k >= 0 else np.nan)
        for st, k, (lo, hi) in zip(status, comparator, brackets)
    ]
    table = pd.DataFrame({
        "strategy": names, "cost": mean_cost, "effect": mean_effect, "inc_cost": inc_cost,
        "inc_effect": inc_effect, "icer": icer, "status": status.astype(str), "comparator": pd.Series(labels, dtype=object),
    })
    if order not in ORDERS:
        raise AnalysisError(f"order: unknown option {order!r}; expected one of: " + ", ".join(repr(o) for o in ORDERS))
    if order == "dampack":
        group = np.select([status == ND, status == ED], [0, 1], 2)
        rows = np.lexsort((np.arange(names.size), -mean_effect, mean_cost, group))
    else:
        rows = np.lexsort((np.arange(names.size), mean_cost, mean_effect))
    table = table.iloc[rows].reset_index(drop=True)
    table.attrs = {"currency": outcomes.attrs.get("currency", ""), "effect_unit": outcomes.attrs.get("effect_unit", ""),
                   "cost": c.name, "effect": e.name}
    return table


def format_icer_table(table: pd.DataFrame, *, currency: str | None = None, effect_unit: str | None = None,
                      effect_decimals: int = 3, cost_decimals: int = 0) -> pd.DataFrame:
    """Format an :func:`icer_table` for a report: currency, units and plain-English status.

    Parameters
    ----------
    table
        The output of :func:`icer_table`.
    currency, effect_unit
        Override the units stored in ``table.attrs``.
    effect_decimals, cost_decimals
        Decimal places of effects and of money.

    Returns
    -------
    pandas.DataFrame
        Strings, indexed by strategy, with headers naming the units.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[1000.0, 15886.0, 16000.0]], "qaly": [[5.0, 6.0, 5.5]]},
    ...                     strategies=["usual care", "new", "other"], effect="qaly")
    >>> print(format_icer_table(icer_table(out)).to_string())
                   Cost   QALY Incremental cost Incremental QALY ICER (£ per QALY)             Status
    Strategy
    usual care   £1,000  5.000                —                —                 —     Non-dominated
    other       £16,000  5.500                —                —                 —  Dominated by new
    new         £15,886  6.000          £14,886            1.000           £14,886     Non-dominated
    """
    currency = table.attrs.get("currency", "£") if currency is None else currency
    unit = table.attrs.get("effect_unit", "effect") if effect_unit is None else effect_unit

    def status(row: pd.Series) -> str:
        if row["status"] == D:
            return f"Dominated by {row['comparator']}"
        if row["status"] == ED:
            return f"Extendedly dominated by {row['comparator']}"
        return "Non-dominated"

    def number(value: float) -> str:
        return "—" if not np.isfinite(value) else f"{value:,.{effect_decimals}f}"

    formatted = pd.DataFrame({
        "Cost": [format_money(v, currency, decimals=cost_decimals, missing="—") for v in table["cost"]],
        unit: [number(v) for v in table["effect"]],
        "Incremental cost": [format_money(v, currency, decimals=cost_decimals, missing="—") for v in table["inc_cost"]],
        f"Incremental {unit}": [number(v) for v in table["inc_effect"]],
        f"ICER ({currency} per {unit})": [format_money(v, currency, decimals=cost_decimals, missing="—") for v in table["icer"]],
        "Status": [status(row) for _, row in table.iterrows()],
    }, index=pd.Index(table["strategy"], name="Strategy"))
    return formatted


def kstar(outcomes: xr.Dataset, wtp: float | Sequence[float] | np.ndarray | None = None, *, cost: str | None = None,
          effect: str | None = None) -> pd.DataFrame:
    r"""Willingness-to-pay values at which the optimal strategy changes (BCEA's ``k*``).

    The optimal strategy at a threshold :math:`\lambda` is the one with the highest expected
    net monetary benefit :math:`\lambda \bar E - \bar C` (means over the PSA samples; Briggs et
    al. 2006, ch. 5). As :math:`\lambda` rises from 0 it moves along the cost-effectiveness
    frontier, changing at each frontier ICER.

    Parameters
    ----------
    outcomes
        An outcome set.
    wtp
        ``None`` (default): the exact thresholds, the ICERs of the frontier of
        :func:`icer_table`. A grid of thresholds: BCEA's way (``bcea()``'s ``kstar``,
        ``k[check != 0]`` with ``check <- c(0, diff(best))``), the first grid value at which
        a new strategy is optimal, so the answer depends on the grid's step (BCEA's default
        grid runs from 0 to 50,000 in steps of 100). On a tie of expected net benefit the
        first strategy in the outcome set's order is taken.
    cost, effect
        Variables to use; default to the outcome set's attrs.

    Returns
    -------
    pandas.DataFrame
        One row per change, in increasing ``wtp``: columns ``wtp`` (the threshold),
        ``from`` (optimal below it) and ``to`` (optimal from it). Empty when one strategy is
        optimal throughout. ``attrs`` hold ``currency`` and ``effect_unit``.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [55000, 35000, 25000, 10000, 12000, 5000],
    ...                      "qaly": [5, 4, 3, 2, 1.5, 1]},
    ...                     strategies=["E", "D", "C", "B", "A", "UC"], effect="qaly")
    >>> kstar(out)
           wtp from to
    0   5000.0   UC  B
    1  12500.0    B  D
    2  20000.0    D  E
    >>> kstar(out, wtp=np.arange(0, 30_001, 750))["wtp"].tolist()
    [5250.0, 12750.0, 20250.0]
    """
    if wtp is None:
        table = icer_table(outcomes, cost, effect)
        frontier = table[(table["status"] == ND) & table["icer"].notna()]
        result = pd.DataFrame({"wtp": frontier["icer"].to_numpy(dtype=float),
                               "from": frontier["comparator"].to_numpy(dtype=object),
                               "to": frontier["strategy"].to_numpy(dtype=object)})
    else:
        grid = _wtp_grid(wtp)
        c, e = cost_effect(outcomes, cost, effect)
        nmb = grid[:, None] * e.mean(SAMPLE).values[None, :] - c.mean(SAMPLE).values[None, :]  # (threshold, strategy)
        best = np.argmax(nmb, axis=1)
        change = np.flatnonzero(np.diff(best) != 0) + 1
        names = np.asarray(strategies(outcomes), dtype=object)
        result = pd.DataFrame({"wtp": grid[change].astype(float), "from": names[best[change - 1]], "to": names[best[change]]})
    result.attrs = {"currency": outcomes.attrs.get("currency", ""), "effect_unit": outcomes.attrs.get("effect_unit", "")}
    return result


def incremental(outcomes: xr.Dataset, comparator: str, *, cost: str | None = None,
                effect: str | None = None) -> xr.Dataset:
    """Incremental cost and effect of every other strategy against ``comparator``, per sample.

    These are the points of the cost-effectiveness plane (Briggs et al. 2006, ch. 5;
    Drummond et al. 2015, ch. 11).

    Returns
    -------
    xarray.Dataset
        Variables ``cost`` and ``effect`` (the increments), dims ``(sample, strategy)``
        without the comparator; attrs ``comparator``, ``currency`` and ``effect_unit``.

    Raises
    ------
    UnknownNameError
        If ``comparator`` is not a strategy.
    AnalysisError
        If the comparator is the only strategy.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[100.0, 250.0], [120.0, 200.0]],
    ...                      "qaly": [[1.0, 1.5], [1.1, 1.4]]},
    ...                     strategies=["usual care", "new"], effect="qaly")
    >>> incremental(out, "usual care")["cost"].values
    array([[150.],
           [ 80.]])
    """
    j = _comparator_index(outcomes, comparator)
    c, e = cost_effect(outcomes, cost, effect)
    others = [s for i, s in enumerate(strategies(outcomes)) if i != j]
    if not others:
        raise AnalysisError(f"comparator {comparator!r} is the only strategy: nothing to compare it with")
    ds = xr.Dataset({
        "cost": (c - c.isel({STRATEGY: j}, drop=True)).sel({STRATEGY: others}),
        "effect": (e - e.isel({STRATEGY: j}, drop=True)).sel({STRATEGY: others}),
    })
    ds.attrs = {"comparator": comparator, "currency": outcomes.attrs.get("currency", ""),
                "effect_unit": outcomes.attrs.get("effect_unit", "")}
    return ds


def _quadrant(d_cost: float, d_effect: float) -> str:
    """Quadrant of the cost-effectiveness plane (x: effect, y: cost), in words."""
    if d_effect == 0 and d_cost == 0:
        return "identical"
    if d_effect >= 0 and d_cost <= 0:
        return "SE: dominant (no more costly, no less effective)"
    if d_effect <= 0 and d_cost >= 0:
        return "NW: dominated (no less costly, no more effective)"
    if d_effect > 0:
        return "NE: more costly, more effective"
    return "SW: less costly, less effective"


def pairwise(outcomes: xr.Dataset, comparator: str, wtp: float, level: float = 0.95, *,
             cost: str | None = None, effect: str | None = None) -> pd.DataFrame:
    """Each strategy against one comparator: means and percentile intervals of increments.

    For every other strategy: the mean and ``level`` percentile interval over PSA samples of
    the incremental cost, incremental effect and incremental net monetary benefit at
    ``wtp``; the ICER of the means (ratio of mean increments, Briggs et al. 2006, ch. 5); the quadrant of the mean increments (an ICER means different things in the NE
    and SW quadrants); and the probability that the strategy is cost-effective against the
    comparator (incremental NMB > 0).

    Parameters
    ----------
    outcomes
        An outcome set.
    comparator
        The strategy to compare against.
    wtp
        One willingness-to-pay threshold.
    level
        Width of the percentile intervals, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Indexed by strategy; columns ``inc_cost``, ``inc_cost_lower``, ``inc_cost_upper``,
        ``inc_effect`` (and bounds), ``inc_nmb`` (and bounds), ``icer``, ``quadrant`` and
        ``p_cost_effective``. ``attrs`` hold ``comparator``, ``wtp``, ``level`` and units.
        The ICER is NaN when the mean incremental effect is exactly 0.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[100.0, 250.0], [120.0, 200.0]],
    ...                      "qaly": [[1.0, 1.5], [1.1, 1.4]]},
    ...                     strategies=["usual care", "new"], effect="qaly")
    >>> row = pairwise(out, "usual care", wtp=1000).loc["new"]
    >>> float(row["icer"]), float(row["p_cost_effective"]), row["quadrant"]
    (287.5, 1.0, 'NE: more costly, more effective')
    """
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a number in (0, 1), got {level}")
    grid = _wtp_grid(wtp)
    if grid.size != 1:
        raise AnalysisError(f"wtp: pairwise takes one threshold, got {grid.size}")
    inc = incremental(outcomes, comparator, cost=cost, effect=effect)
    d_cost = inc["cost"].transpose(SAMPLE, STRATEGY).values
    d_effect = inc["effect"].transpose(SAMPLE, STRATEGY).values
    d_nmb = grid[0] * d_effect - d_cost
    tail = (1 - level) / 2 * 100
    columns: dict[str, np.ndarray] = {}
    for name, values in (("inc_cost", d_cost), ("inc_effect", d_effect), ("inc_nmb", d_nmb)):
        lower, upper = np.percentile(values, [tail, 100 - tail], axis=0)
        columns.update({name: values.mean(axis=0), f"{name}_lower": lower, f"{name}_upper": upper})
    mean_cost, mean_effect = columns["inc_cost"], columns["inc_effect"]
    nonzero = mean_effect != 0
    icer = np.full(mean_cost.shape, np.nan)
    icer[nonzero] = mean_cost[nonzero] / mean_effect[nonzero]
    columns["icer"] = icer
    table = pd.DataFrame(columns, index=pd.Index([str(s) for s in inc[STRATEGY].values], name="strategy"))
    table["quadrant"] = [_quadrant(dc, de) for dc, de in zip(mean_cost, mean_effect)]
    table["p_cost_effective"] = (d_nmb > 0).mean(axis=0)
    table.attrs = {**inc.attrs, "wtp": float(grid[0]), "level": level}
    return table


# --- decision uncertainty over a WTP grid ---------------------------------------------------

_BLOCK_ELEMENTS = 1 << 22  # thresholds x samples per block: ~32 MB per float64 array


def _decision_stats(outcomes: xr.Dataset, grid: np.ndarray, cost: str | None, effect: str | None, *,
                    want_share: bool = True, want_loss: bool = True) -> tuple[np.ndarray, np.ndarray, xr.DataArray]:
    """Per threshold: share of samples in which each strategy has the highest NMB (first
    strategy on ties), and the expected NMB forgone by each strategy.

    Vectorised over samples and thresholds: each step works on a (threshold, sample) array,
    looping only over the (few) strategies, which keeps the arrays contiguous and avoids a
    slow ``argmax`` over a short axis. Thresholds are processed in blocks so that memory stays
    bounded for very large PSAs.
    """
    c, e = cost_effect(outcomes, cost, effect)
    c_rows, e_rows = np.ascontiguousarray(c.values.T), np.ascontiguousarray(e.values.T)  # (strategy, sample)
    k, n = c_rows.shape
    block = max(1, _BLOCK_ELEMENTS // n)
    share = np.empty((grid.size, k))
    loss = np.empty((grid.size, k))
    for start in range(0, grid.size, block):
        lam = grid[start:start + block, None]
        top = lam * e_rows[0] - c_rows[0]  # (threshold, sample): highest NMB so far
        best = np.zeros(top.shape, dtype=np.min_scalar_type(k))
        nmb = np.empty_like(top)
        for j in range(1, k):
            np.multiply(lam, e_rows[j], out=nmb)
            nmb -= c_rows[j]
            if want_share:
                # Strictly greater, so the first strategy keeps ties. ``best`` < j so far, so
                # max(best, j * wins) sets it to j exactly where j wins (much faster than a
                # masked assignment).
                wins = (nmb > top).astype(best.dtype)
                wins *= j
                np.maximum(best, wins, out=best)
            np.maximum(top, nmb, out=top)
        for j in range(k):
            if want_share:
                share[start:start + block, j] = np.count_nonzero(best == j, axis=1) / n
            if want_loss:
                np.multiply(lam, e_rows[j], out=nmb)
                nmb -= c_rows[j]
                np.subtract(top, nmb, out=nmb)
                loss[start:start + block, j] = nmb.mean(axis=1)
    return share, loss, c


def _by_strategy(values: np.ndarray, grid: np.ndarray, like: xr.DataArray, outcomes: xr.Dataset,
                 name: str, **attrs: object) -> xr.DataArray:
    return xr.DataArray(
        values, dims=(WTP, STRATEGY), coords={WTP: grid, STRATEGY: like[STRATEGY].values}, name=name,
        attrs={"currency": outcomes.attrs.get("currency", ""), "effect_unit": outcomes.attrs.get("effect_unit", ""),
               **attrs},
    )


def ceac(outcomes: xr.Dataset, wtp: float | Sequence[float] | np.ndarray, *, cost: str | None = None,
         effect: str | None = None) -> xr.DataArray:
    """Cost-effectiveness acceptability curves: P(each strategy has the highest NMB).

    At each threshold, the share of PSA samples in which each strategy has the highest net
    monetary benefit (Van Hout et al. 1994; Fenwick, Claxton & Sculpher 2001; Briggs et al.
    2006, ch. 5). Values lie in [0, 1] and sum to 1 across strategies.

    Ties within a sample (equal NMB, e.g. identical strategies, or any two strategies at the
    one threshold where their NMBs cross) go to the first strategy in the outcome set's
    order, so results are the same on every run (dampack breaks ties at random).

    Parameters
    ----------
    outcomes
        An outcome set.
    wtp
        Thresholds (currency per unit of effect), >= 0.
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect`` attrs.

    Returns
    -------
    xarray.DataArray
        Dims ``(wtp, strategy)``.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, 30.0]], "qaly": [[0.0, 1.0], [0.0, 1.0]]},
    ...                     strategies=["A", "B"], effect="qaly")
    >>> ceac(out, [0, 20, 40]).sel(strategy="B").values
    array([0. , 0.5, 1. ])
    """
    grid = _wtp_grid(wtp)
    share, _, like = _decision_stats(outcomes, grid, cost, effect, want_loss=False)
    return _by_strategy(share, grid, like, outcomes, "ceac", long_name="Probability cost-effective")


def expected_loss(outcomes: xr.Dataset, wtp: float | Sequence[float] | np.ndarray, *, cost: str | None = None,
                  effect: str | None = None) -> xr.DataArray:
    r"""Expected loss curves: the expected NMB forgone by choosing each strategy.

    :math:`EL_j(\lambda) = E[\max_k NMB_k - NMB_j]` over PSA samples (Alarid-Escudero et al.
    2019). The lowest curve at each threshold belongs to the
    strategy with the highest expected NMB, and its value is the per-person EVPI.

    Returns
    -------
    xarray.DataArray
        Dims ``(wtp, strategy)``, in currency, all >= 0.

    References
    ----------
    Alarid-Escudero F, Enns EA, Kuntz KM, Michaud TL, Jalal H (2019). "Time traveling is just
    too dangerous" but some methods are worth revisiting: the advantages of expected loss
    curves over cost-effectiveness acceptability curves and frontier. *Value in Health*
    22(5):611-618.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, 30.0]], "qaly": [[0.0, 1.0], [0.0, 1.0]]},
    ...                     strategies=["A", "B"], effect="qaly")
    >>> expected_loss(out, [0, 20, 40]).values
    array([[ 0., 20.],
           [ 5.,  5.],
           [20.,  0.]])
    """
    grid = _wtp_grid(wtp)
    _, loss, like = _decision_stats(outcomes, grid, cost, effect, want_share=False)
    return _by_strategy(loss, grid, like, outcomes, "expected_loss", long_name="Expected loss",
                        units=outcomes.attrs.get("currency", ""))


def ceaf(outcomes: xr.Dataset, wtp: float | Sequence[float] | np.ndarray, *, cost: str | None = None,
         effect: str | None = None) -> xr.Dataset:
    """Cost-effectiveness acceptability frontier: the optimal strategy at each threshold.

    The optimal strategy maximises *expected* net monetary benefit (not the probability of
    being cost-effective); the frontier is its CEAC value (Fenwick, Claxton & Sculpher 2001;
    Briggs et al. 2006, ch. 5). Ties in expected NMB go to the first strategy.

    Returns
    -------
    xarray.Dataset
        Dim ``wtp``; variables ``optimal`` (strategy label), ``probability`` (its CEAC value),
        ``expected_nmb`` (its expected NMB) and ``expected_loss`` (its expected loss: the
        per-person EVPI).

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, 30.0]], "qaly": [[0.0, 1.0], [0.0, 1.0]]},
    ...                     strategies=["A", "B"], effect="qaly")
    >>> frontier = ceaf(out, [0, 30])
    >>> frontier["optimal"].values.tolist(), frontier["probability"].values.tolist()
    (['A', 'B'], [1.0, 0.5])
    """
    grid = _wtp_grid(wtp)
    share, loss, like = _decision_stats(outcomes, grid, cost, effect)
    c, e = cost_effect(outcomes, cost, effect)
    enmb = grid[:, None] * e.mean(SAMPLE).values - c.mean(SAMPLE).values  # (threshold, strategy)
    best = enmb.argmax(axis=1)
    rows = np.arange(grid.size)
    names = np.asarray([str(s) for s in like[STRATEGY].values], dtype=object)
    ds = xr.Dataset(
        {"optimal": (WTP, names[best].astype(str)), "probability": (WTP, share[rows, best]),
         "expected_nmb": (WTP, enmb[rows, best]), "expected_loss": (WTP, loss[rows, best])},
        coords={WTP: grid},
    )
    ds.attrs = {"currency": outcomes.attrs.get("currency", ""), "effect_unit": outcomes.attrs.get("effect_unit", "")}
    return ds
