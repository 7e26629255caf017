"""Appraisal of money outcome sets (CBA and SROI): headlines, payback, who pays and who gains.

Pure functions of the outcome sets that :class:`healthecon.cba.CBAModel` and
:class:`healthecon.sroi.SROIModel` return (layout in :mod:`healthecon.flows`), following HM
Treasury's Green Book 2022 (ch. 5 and Annex A6) and the Cabinet Office SROI guide 2012
(section 5):

- :func:`headline_table` and :func:`format_headlines`: PV of benefits and costs, NPV, the gross
  return per £1 (benefit / cost: the BCR or SROI ratio) and the net ROI ((benefit - cost) /
  cost), with PSA intervals and probabilities, both conventions labelled;
- :func:`acceptability`: ``P(ratio > target)``, the money analogue of a CEAC;
- :func:`payback_period`, :func:`switching_values` (Green Book 2022, para. 5.78);
- :func:`party_table`, :func:`category_table`, :func:`cashflows`: who pays and who gains, by
  kind and by year; :func:`waterfall_steps`: from gross value to NPV.

:mod:`healthecon.plot.money` draws them. May import: :mod:`healthecon.flows`,
:mod:`healthecon.outcomes`, :mod:`healthecon.formatting` and what they import.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ._validate import require_finite
from .errors import AnalysisError, OutcomesError, unknown_name
from .flows import DIRECTIONS, LINE, STEP, YEAR, row_sum, validate_money_outcomes
from .formatting import format_money, format_percent
from .outcomes import SAMPLE, STRATEGY, pick_strategy, strategies, validate_outcomes

__all__ = [
    "acceptability",
    "cashflows",
    "category_table",
    "format_headlines",
    "headline_table",
    "party_table",
    "payback_period",
    "ratio_variable",
    "switching_values",
    "waterfall_steps",
]


def ratio_variable(ds: xr.Dataset, variable: str | None = None) -> str:
    """The name of the return-ratio variable: ``variable``, else the set's own (``bcr``, ``sroi_ratio``).

    Raises
    ------
    UnknownNameError
        If the outcome set has no such variable.

    Examples
    --------
    >>> from healthecon.examples import reablement
    >>> ratio_variable(reablement().run())
    'bcr'
    """
    name = variable or ds.attrs.get("ratio") or "bcr"
    if name not in ds.data_vars:
        raise unknown_name("ratio variable", name, list(ds.data_vars))
    return name


def acceptability(ds: xr.Dataset, targets: object = (1.0,), variable: str | None = None) -> xr.DataArray:
    """Probability that the return ratio exceeds each target: ``P(ratio > target)``.

    The money analogue of a cost-effectiveness acceptability curve: with ``targets`` a grid,
    it is the curve of "probability of at least £x back per £1" (dims ``target, strategy``).
    ``variable`` defaults to the model's ratio (``bcr`` for CBA, ``sroi_ratio`` for SROI).

    Examples
    --------
    >>> from healthecon.cba import CBAModel, benefit_flow, cost_flow
    >>> out = CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", [1.5])]).run()
    >>> acceptability(out, [1.0, 2.0]).values.ravel().tolist()
    [1.0, 0.0]
    """
    validate_outcomes(ds)
    name = ratio_variable(ds, variable)
    grid = require_finite(np.atleast_1d(np.asarray(targets, dtype=float)), "targets")
    ratio = ds[name].transpose(SAMPLE, STRATEGY)
    prob = (ratio.values[None, :, :] > grid[:, None, None]).mean(axis=1)
    return xr.DataArray(prob, dims=("target", STRATEGY), coords={"target": grid, STRATEGY: ds[STRATEGY].values},
                        name=f"P({name} > target)")


def payback_period(ds: xr.Dataset) -> xr.DataArray:
    """Years until the cumulative discounted net benefit first reaches zero, per sample.

    The net flow of year ``t`` (benefits minus costs, discounted) is taken to accrue evenly
    over the year before ``t``, so within the year of payback the time is interpolated
    linearly: ``T = (t - 1) + (-C_{t-1}) / net_t`` where ``C`` is the cumulative net. A scheme
    whose cumulative net is already >= 0 at year 0 pays back at 0; one that never does gets
    ``inf``. (Cabinet Office SROI guide 2012, section 5.5, and Green Book 2022 use the same
    idea; the SROI guide computes it in months from an average annual impact.)

    Parameters
    ----------
    ds
        A CBA or SROI outcome set (:meth:`healthecon.cba.CBAModel.run`, :meth:`healthecon.sroi.SROIModel.run`).

    Returns
    -------
    xarray.DataArray
        Dims ``(sample, strategy)``.

    Raises
    ------
    OutcomesError
        If ``ds`` is not a CBA or SROI outcome set.

    Examples
    --------
    The reablement example (:func:`healthecon.examples.reablement`), a council team that
    avoids home care for the council and bed days for the NHS:

    >>> from healthecon.examples import reablement
    >>> out = reablement().run()
    >>> payback_period(out).round(2).values
    array([[1.65]])
    """
    validate_money_outcomes(ds)
    pv = ds["flows_pv"]
    sign = xr.where(pv["direction"] == "cost", -1.0, 1.0)
    net = row_sum((pv * sign).transpose(SAMPLE, STRATEGY, YEAR, LINE).values)
    cum = np.cumsum(net, axis=-1)
    result = np.full(cum.shape[:2], np.inf)
    result[cum[..., 0] >= 0] = 0.0
    for t in range(1, cum.shape[-1]):
        reached = np.isinf(result) & (cum[..., t] >= 0) & (cum[..., t - 1] < 0)
        with np.errstate(all="ignore"):  # only entries where payback is reached are kept
            frac = np.where(reached, -cum[..., t - 1] / np.where(net[..., t] > 0, net[..., t], 1.0), 0.0)
        result = np.where(reached, (t - 1) + frac, result)
    return xr.DataArray(result, dims=(SAMPLE, STRATEGY), coords={SAMPLE: ds[SAMPLE].values, STRATEGY: ds[STRATEGY].values},
                        name="payback_years")


def switching_values(ds: xr.Dataset) -> pd.DataFrame:
    """Break-even (switching) values per strategy, at the mean present values.

    ``benefit_fall``: the fraction by which benefits could fall before NPV = 0,
    ``1 - PV(costs) / PV(benefits)``; ``cost_rise``: the fraction by which costs could rise,
    ``PV(benefits) / PV(costs) - 1`` (Green Book 2022, para. 5.78). Negative values mean the
    scheme does not break even at the mean.

    Parameters
    ----------
    ds
        A CBA or SROI outcome set.

    Returns
    -------
    pandas.DataFrame
        Index ``strategy``; columns ``benefit_fall`` and ``cost_rise`` (fractions).

    Raises
    ------
    OutcomesError
        If ``ds`` is not a CBA or SROI outcome set.

    Examples
    --------
    The reablement example (:func:`healthecon.examples.reablement`), a council team that
    avoids home care for the council and bed days for the NHS:

    >>> from healthecon.examples import reablement
    >>> out = reablement().run()
    >>> switching_values(out).round(3)
                benefit_fall  cost_rise
    strategy
    reablement         0.172      0.208

    Benefits could fall by 17.2%, or costs rise by 20.8%, before the NPV reaches zero.
    """
    validate_money_outcomes(ds)
    c = ds["cost"].mean(SAMPLE).values
    b = ds["benefit"].mean(SAMPLE).values
    with np.errstate(divide="ignore"):
        fall = np.where(b > 0, 1 - c / np.where(b > 0, b, 1.0), -np.inf)
    return pd.DataFrame({"benefit_fall": fall, "cost_rise": b / c - 1}, index=pd.Index(strategies(ds), name=STRATEGY))


def headline_table(ds: xr.Dataset, level: float = 0.95, target: float = 1.0) -> pd.DataFrame:
    """Headline results per strategy: means and percentile intervals, and probabilities.

    Columns: ``pv_benefit``, ``pv_cost``, ``npv`` (each with ``_lower``/``_upper``),
    ``gross_return_per_1`` (benefit / cost, with interval), ``net_roi`` (with interval),
    ``p_npv_positive``, ``p_ratio_above_target``, ``payback_years`` (median; ``inf`` if the
    median draw never pays back), ``target``.

    Parameters
    ----------
    ds
        A CBA or SROI outcome set (one sample for a deterministic run, or PSA draws).
    level
        Width of the percentile intervals (0.95: 2.5th to 97.5th percentiles).
    target
        Return per £1 for ``p_ratio_above_target``.

    Returns
    -------
    pandas.DataFrame
        One row per strategy, the columns above.

    Raises
    ------
    OutcomesError
        If ``ds`` is not a CBA or SROI outcome set.
    AnalysisError
        If ``level`` is not in (0, 1).

    Examples
    --------
    The reablement example (:func:`healthecon.examples.reablement`), a council team that
    avoids home care for the council and bed days for the NHS:

    >>> from healthecon.examples import reablement
    >>> out = reablement().run()
    >>> headline_table(out)[["pv_benefit", "pv_cost", "npv", "gross_return_per_1", "payback_years"]].round(2)
                pv_benefit    pv_cost       npv  gross_return_per_1  payback_years
    strategy
    reablement   284954.14  235942.03  49012.11                1.21           1.65
    """
    validate_money_outcomes(ds)
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a number in (0, 1), got {level}")
    tail = (1 - level) / 2 * 100
    ratio = ratio_variable(ds, None)
    frame = pd.DataFrame(index=pd.Index(strategies(ds), name=STRATEGY))
    columns = {"pv_benefit": "benefit", "pv_cost": "cost", "npv": "npv", "gross_return_per_1": ratio}
    for label, var in columns.items():
        values = ds[var].transpose(SAMPLE, STRATEGY).values
        frame[label] = values.mean(axis=0)
        frame[f"{label}_lower"], frame[f"{label}_upper"] = np.percentile(values, [tail, 100 - tail], axis=0)
    frame["net_roi"] = frame["gross_return_per_1"] - 1
    frame["net_roi_lower"] = frame["gross_return_per_1_lower"] - 1
    frame["net_roi_upper"] = frame["gross_return_per_1_upper"] - 1
    frame["p_npv_positive"] = (ds["npv"].transpose(SAMPLE, STRATEGY).values > 0).mean(axis=0)
    frame["p_ratio_above_target"] = acceptability(ds, [target]).values[0]
    frame["target"] = float(target)
    frame["payback_years"] = np.median(payback_period(ds).values, axis=0)
    return frame


def format_headlines(ds: xr.Dataset, level: float = 0.95, target: float = 1.0) -> str:
    """A printable summary labelling both return conventions.

    "Gross return per £1" is benefit / cost (the "£1.20 per £1" of commissioning papers);
    "net ROI" is (benefit - cost) / cost. For an SROI outcome set the same two numbers are
    labelled as the guide names them: the SROI ratio and the net SROI ratio (Cabinet Office
    2012, section 5.3). With more than one sample, intervals and the probabilities
    ``P(NPV > 0)`` and ``P(ratio > target)`` are added.

    Parameters
    ----------
    ds
        A CBA or SROI outcome set.
    level
        Width of the intervals printed for PSA results.
    target
        Return per £1 for ``P(ratio > target)``.

    Returns
    -------
    str
        Four lines per strategy (five with PSA).

    Raises
    ------
    OutcomesError
        If ``ds`` is not a CBA or SROI outcome set.
    AnalysisError
        If ``level`` is not in (0, 1).

    Examples
    --------
    A reablement team whose yearly home-care saving is uncertain (mean £90,000, SD £20,000),
    500 PSA draws:

    >>> from healthecon.params import Parameters
    >>> from healthecon.distributions import Gamma
    >>> params = Parameters(saving=Gamma.from_mean_sd(90_000, 20_000))
    >>> from healthecon.cba import CBAModel, benefit_flow, cost_flow
    >>> model = CBAModel([cost_flow("reablement team", "council", [120_000.0]),
    ...                   benefit_flow("home care avoided", "council", [0.0, "saving", "saving"])],
    ...                  name="reablement", discount=0.035)
    >>> print(format_headlines(model.run(params.sample(500, seed=7))))
    reablement: PV benefits £173,230.68, PV costs £120,000.00, NPV £53,230.68 (95% interval -£15,864.84 to £132,171.31)
      gross return per £1 (benefit / cost): £1.44 (95% interval £0.87 to £2.10)
      net ROI ((benefit - cost) / cost): 44.4% (95% interval -13.2% to 110.1%)
      P(NPV > 0) = 0.942; P(return per £1 > 1) = 0.942
      payback: 1.4 years (median)

    An SROI outcome set is labelled in the guide's words:

    >>> from healthecon.sroi import ImpactMap, Outcome, Investment, SROIModel
    >>> falls = ImpactMap([Outcome("fewer falls", "older people", quantity=40, proxy=1_000.0, duration=2)],
    ...                   [Investment("council", 30_000.0)], name="falls service")
    >>> print(format_headlines(SROIModel(falls, discount=0.0).run()))
    falls service: PV impact £80,000.00, PV investment £30,000.00, NPV £50,000.00
      SROI ratio (PV impact / PV investment), per £1: £2.67
      net SROI ratio ((PV impact - PV investment) / PV investment): 166.7%
      payback: 0.8 years
    """
    table = headline_table(ds, level, target)
    cur = ds.attrs.get("currency", "£")
    psa = ds.sizes[SAMPLE] > 1
    pct = f"{level:.0%}"
    if ds.attrs.get("model") == "sroi":
        labels = ("PV impact", "PV investment", f"SROI ratio (PV impact / PV investment), per {cur}1",
                  "net SROI ratio ((PV impact - PV investment) / PV investment)", f"SROI ratio > {target:g}")
    else:
        labels = ("PV benefits", "PV costs", f"gross return per {cur}1 (benefit / cost)",
                  "net ROI ((benefit - cost) / cost)", f"return per {cur}1 > {target:g}")
    money = lambda v: format_money(v, cur, decimals=2)  # noqa: E731
    percent = lambda v: format_percent(v, decimals=1)  # noqa: E731
    out = []
    for name, r in table.iterrows():
        def span(col: str, fmt) -> str:
            return f" ({pct} interval {fmt(r[col + '_lower'])} to {fmt(r[col + '_upper'])})" if psa else ""

        out.append(f"{name}: {labels[0]} {money(r.pv_benefit)}, {labels[1]} {money(r.pv_cost)}, NPV {money(r.npv)}"
                   + span("npv", money))
        out.append(f"  {labels[2]}: {money(r.gross_return_per_1)}" + span("gross_return_per_1", money))
        out.append(f"  {labels[3]}: {percent(r.net_roi)}" + span("net_roi", percent))
        if psa:
            out.append(f"  P(NPV > 0) = {r.p_npv_positive:.3f}; P({labels[4]}) = {r.p_ratio_above_target:.3f}")
        payback = "never within the horizon" if np.isinf(r.payback_years) else f"{r.payback_years:.1f} years"
        out.append(f"  payback: {payback}" + (" (median)" if psa else ""))
    return "\n".join(out)


def _grouped(ds: xr.Dataset, strategy: str | None, by: str, discounted: bool) -> pd.DataFrame:
    validate_money_outcomes(ds)
    s = pick_strategy(ds, strategy)
    flows = ds["flows_pv" if discounted else "flows"].sel({STRATEGY: s}).mean(SAMPLE).sum(YEAR)
    frame = pd.DataFrame({by: flows[by].values, "direction": flows["direction"].values, "value": flows.values})
    wide = frame.pivot_table(index=by, columns="direction", values="value", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=list(DIRECTIONS), fill_value=0.0)
    wide["net"] = wide["benefit"] - wide["cost"]
    wide.columns.name = None
    return wide


def party_table(ds: xr.Dataset, strategy: str | None = None, discounted: bool = True) -> pd.DataFrame:
    """Who pays and who gains: mean (present) value of costs, benefits and net, by agency.

    For an SROI outcome set the parties are stakeholders (benefits) and funders (investment).

    Parameters
    ----------
    ds
        A CBA or SROI outcome set.
    strategy
        Which strategy; required when ``ds`` has more than one.
    discounted
        Present values (default) or undiscounted totals.

    Returns
    -------
    pandas.DataFrame
        Index ``party``; columns ``cost``, ``benefit`` and ``net`` (benefit - cost).

    Raises
    ------
    OutcomesError
        If ``ds`` is not a CBA or SROI outcome set.
    AnalysisError, UnknownNameError
        If ``strategy`` is needed but not given, or unknown.

    Examples
    --------
    The reablement example (:func:`healthecon.examples.reablement`), a council team that
    avoids home care for the council and bed days for the NHS:

    >>> from healthecon.examples import reablement
    >>> out = reablement().run()
    >>> party_table(out).round(2)
                  cost    benefit        net
    party
    NHS           0.00  113981.66  113981.66
    council  235942.03  170972.48  -64969.54

    The council pays and is £64,970 out of pocket; the NHS gains.
    """
    return _grouped(ds, strategy, "party", discounted)


def category_table(ds: xr.Dataset, strategy: str | None = None, discounted: bool = True) -> pd.DataFrame:
    """Mean (present) value by kind: fiscal cashable, fiscal non-cashable, economic, social.

    Parameters
    ----------
    ds, strategy, discounted
        As for :func:`party_table`.

    Returns
    -------
    pandas.DataFrame
        Index ``category``; columns ``cost``, ``benefit`` and ``net``.

    Raises
    ------
    OutcomesError
        If ``ds`` is not a CBA or SROI outcome set.
    AnalysisError, UnknownNameError
        If ``strategy`` is needed but not given, or unknown.

    Examples
    --------
    The reablement example (:func:`healthecon.examples.reablement`), a council team that
    avoids home care for the council and bed days for the NHS:

    >>> from healthecon.examples import reablement
    >>> out = reablement().run()
    >>> category_table(out).round(2)
                              cost    benefit        net
    category
    fiscal_cashable      235942.03  170972.48  -64969.54
    fiscal_non_cashable       0.00  113981.66  113981.66
    """
    return _grouped(ds, strategy, "category", discounted)


def waterfall_steps(ds: xr.Dataset, strategy: str | None = None) -> pd.Series:
    """The mean waterfall from gross value to net present value, as signed steps.

    The first step is the gross value; each later one is what a deduction removes (negative)
    or adds; they sum to the NPV (checked). :func:`healthecon.plot.money.plot_waterfall`
    draws it.

    A CBA's steps are ``gross benefits`` (undiscounted), ``optimism bias (benefits)``,
    ``discounting (benefits)`` (what discounting removes from the benefits only),
    ``costs (present value)`` (the costs, already discounted, before any uplift) and
    ``optimism bias (costs)``. An SROI's are ``gross value``, ``deadweight``,
    ``displacement``, ``attribution``, ``drop-off``, ``discounting`` (of the impact) and
    ``investment`` (its present value).

    Examples
    --------
    >>> from healthecon.cba import CBAModel, benefit_flow, cost_flow
    >>> out = CBAModel([cost_flow("team", "council", [100.0, 100.0]), benefit_flow("beds", "NHS", [0.0, 150.0])],
    ...                discount=0.035).run()
    >>> waterfall_steps(out).round(2)
    gross benefits              150.00
    optimism bias (benefits)      0.00
    discounting (benefits)       -5.07
    costs (present value)      -196.62
    optimism bias (costs)         0.00
    Name: scheme, dtype: float64
    """
    validate_money_outcomes(ds)
    s = pick_strategy(ds, strategy)
    steps = ds["steps"].sel({STRATEGY: s}).mean(SAMPLE)
    series = pd.Series(steps.values, index=[str(k) for k in steps[STEP].values], name=s)
    npv = float(ds["npv"].sel({STRATEGY: s}).mean(SAMPLE))
    if not np.isclose(series.sum(), npv, rtol=1e-9, atol=1e-6 * max(1.0, abs(npv))):
        raise OutcomesError(f"strategy {s!r}: waterfall steps sum to {series.sum()} but NPV is {npv}")
    return series


def cashflows(ds: xr.Dataset, strategy: str | None = None, by: str = "party", discounted: bool = False) -> pd.DataFrame:
    """Mean cash flow by year and ``by`` (``"party"`` or ``"category"``): costs negative.

    Index: year; columns: ``(direction, group)``.

    Parameters
    ----------
    ds
        A CBA or SROI outcome set.
    strategy
        Which strategy; required when ``ds`` has more than one.
    by
        ``"party"`` (agency, stakeholder or funder) or ``"category"``.
    discounted
        Present values instead of undiscounted amounts (default).

    Returns
    -------
    pandas.DataFrame
        Index ``year``; one column per ``(direction, group)``, costs negative;
        :func:`healthecon.plot.money.plot_cashflows` draws it.

    Raises
    ------
    OutcomesError
        If ``ds`` is not a CBA or SROI outcome set.
    AnalysisError, UnknownNameError
        For an unknown ``by``, or a ``strategy`` needed but not given, or unknown.

    Examples
    --------
    The reablement example (:func:`healthecon.examples.reablement`), a council team that
    avoids home care for the council and bed days for the NHS:

    >>> from healthecon.examples import reablement
    >>> out = reablement().run()
    >>> cashflows(out)
    direction      cost  benefit
    party       council  council      NHS
    year
    0         -120000.0      0.0      0.0
    1         -120000.0  90000.0  60000.0
    2               0.0  90000.0  60000.0
    >>> cashflows(out, by="category", discounted=True).round(2)
    direction             cost          benefit
    category   fiscal_cashable  fiscal_cashable  fiscal_non_cashable
    year
    0               -120000.00             0.00                 0.00
    1               -115942.03         86956.52             57971.01
    2                     0.00         84015.96             56010.64
    """
    validate_money_outcomes(ds)
    if by not in ("party", "category"):
        raise AnalysisError(f"by: expected 'party' or 'category', got {by!r}")
    s = pick_strategy(ds, strategy)
    flows = ds["flows_pv" if discounted else "flows"].sel({STRATEGY: s}).mean(SAMPLE)
    sign = np.where(flows["direction"].values == "cost", -1.0, 1.0)
    frame = pd.DataFrame(flows.values.T * sign, index=pd.Index(flows[YEAR].values, name=YEAR),
                         columns=pd.MultiIndex.from_arrays([flows["direction"].values, flows[by].values],
                                                           names=["direction", by]))
    return frame.T.groupby(level=[0, 1], sort=False).sum().T + 0.0  # + 0.0 turns -0.0 into 0.0
