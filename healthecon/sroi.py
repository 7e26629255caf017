"""Social return on investment (SROI): impact maps, the SROI ratio, and its uncertainty.

Follows Cabinet Office (Nicholls, Lawlor, Neitzert & Goodspeed), *A guide to Social Return on
Investment*, 2012 ("the guide"). An :class:`ImpactMap` (the guide's Stage 2-4 impact map)
lists stakeholders; outcomes with an indicator, quantity, financial proxy (value and source),
duration and start year; the deductions of Stage 4; and the investment (inputs) by funder and
year. ``SROIModel(...).run(draws)`` returns an outcome set (:mod:`healthecon.outcomes`) with
the layout of :mod:`healthecon.cba`, so PSA summaries, ``P(ratio > target)`` curves, payback,
per-stakeholder tables, waterfalls and cash-flow plots apply unchanged.

Formulas, with the guide's sections and conventions
---------------------------------------------------
For outcome ``o`` with quantity ``q``, proxy ``p``, deadweight ``dw``, displacement ``ds``,
attribution ``at`` and drop-off ``do``, lasting ``d`` years from start year ``s`` (year 1 is
the first year after the investment, which is made in year 0):

- impact (guide Stage 4: 4.1 deadweight and displacement, 4.2 attribution, 4.4 "calculating
  your impact")::

      impact_o = q * p * (1 - dw) * (1 - ds) * (1 - at)

- value in year ``y = s, ..., s + d - 1`` (guide section 4.3 "drop-off" and 5.1 "projecting
  into the future": drop-off is applied to the remaining balance each year after the first)::

      value_o(y) = impact_o * (1 - do) ** (y - s)

- present value (guide section 5.2, "Calculating the net present value"). The guide
  discounts **every** year of impact including the first, ``PV = sum_y value(y) / (1+r)**y``
  for ``y = 1, 2, ...``, as Excel's ``NPV`` function does, while the investment made at the
  start (year 0) is not discounted. The default rate is the Green Book's 3.5% (the guide
  recommends it); any constant rate or a :class:`~healthecon.discount.DiscountSchedule` may be
  given.
- SROI ratio = PV of impact / PV of investment; net SROI ratio = (PV impact - PV
  investment) / PV investment = NPV / investment (guide section 5.3, "Calculating the ratio").
- payback period (guide section 5.5): see :func:`healthecon.cba.payback_period` (in years,
  from discounted cumulative flows, rather than the guide's simple months formula
  ``investment / (annual impact / 12)``, which assumes a constant annual impact).

Sensitivity (guide section 5.4): :func:`one_way` changes each proxy and deduction in turn
(tornado data); PSA follows from putting a parameter name in any numeric field and running
on draws from :class:`healthecon.params.Parameters`.

Examples
--------
>>> imap = ImpactMap(
...     outcomes=[Outcome("fewer falls", "older people", quantity=40, proxy=1_000.0,
...                       duration=2, deadweight=0.25, attribution=0.2, drop_off=0.5)],
...     investment=[Investment("council", 30_000.0)], name="falls service")
>>> out = SROIModel(imap, discount=0.0).run()
>>> float(out["sroi_ratio"].squeeze())
1.2
>>> print(format_summary(out))
falls service: PV impact £36,000.00, PV investment £30,000.00, NPV £6,000.00
  SROI ratio (PV impact / PV investment), per £1: £1.20
  net SROI ratio ((PV impact - PV investment) / PV investment): 20.0%
  payback: 1.5 years
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import dsa
from ._spreadsheet import write_frames
from ._validate import require_nonnegative, require_probability, require_unique
from .cba import (
    CATEGORIES,
    Line,
    Value,
    build_outcomes,
    format_summary,
    n_draws,
    present_value,
    require_year,
    resolve,
    row_sum,
)
from .discount import DiscountSchedule, discount_factors
from .errors import ModelDefinitionError, ParameterError, unknown_name

__all__ = [
    "Outcome",
    "Investment",
    "ImpactMap",
    "SROIModel",
    "one_way",
    "read_impact_map",
    "impact_map_from_frames",
    "impact_map_frames",
    "write_impact_map",
    "format_summary",
    "DEDUCTIONS",
]

DEDUCTIONS = ("deadweight", "displacement", "attribution", "drop_off")
_NUMERIC = ("quantity", "proxy") + DEDUCTIONS


@dataclass(frozen=True)
class Outcome:
    """One row of the impact map.

    Parameters
    ----------
    name
        The outcome, e.g. ``"fewer emergency admissions"``.
    stakeholder
        Who experiences it.
    quantity
        How many (people, events...) achieved it per year: number >= 0 or parameter name.
    proxy
        Financial proxy, value per unit (number or parameter name). A negative proxy is a
        negative outcome, which the guide says to include.
    duration
        Years the outcome lasts (whole number >= 0).
    start_year
        First year it occurs (whole number >= 1; year 0 is the investment).
    deadweight, displacement, attribution
        Fractions in [0, 1] (numbers or parameter names).
    drop_off
        Yearly decline after the first year, in [0, 1) (100% would erase every later year:
        use a shorter duration instead).
    indicator, proxy_source
        Documentation carried into tables (the guide asks for both).
    category
        ``"social"`` (default), ``"economic"``, ``"fiscal_cashable"`` or ``"fiscal_non_cashable"``.

    Any of ``quantity``, ``proxy`` and the four deductions may name a parameter, so PSA can
    put a distribution on it; ``duration`` and ``start_year`` shape the time profile and are
    fixed whole numbers (compare scenarios with different maps instead).

    Raises
    ------
    ModelDefinitionError
        For an empty name or stakeholder, an unknown category, or a duration or start year
        that is not a whole number in range.
    ParameterError
        For a negative quantity, a deduction outside [0, 1] or a drop-off of 1 or more.

    Examples
    --------
    40 older people a year avoid a fall, valued at £1,000 each (the proxy and its source
    recorded), for three years; a quarter would have avoided it anyway (deadweight), a fifth
    of the credit goes to other services (attribution), and the effect halves each year:

    >>> falls = Outcome("fewer falls", "older people", quantity=40, proxy=1_000.0, duration=3,
    ...                 deadweight=0.25, attribution=0.2, drop_off=0.5,
    ...                 indicator="falls recorded by the GP", proxy_source="PSSRU Unit Costs 2023")
    >>> falls.start_year, falls.last_year
    (1, 3)
    >>> Outcome("fewer falls", "older people", quantity=40, proxy=1_000.0, deadweight=1.2)
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: outcome 'fewer falls', field 'deadweight': ...
    """

    name: str
    stakeholder: str
    quantity: Value
    proxy: Value
    duration: int = 1
    start_year: int = 1
    deadweight: Value = 0.0
    displacement: Value = 0.0
    attribution: Value = 0.0
    drop_off: Value = 0.0
    indicator: str = ""
    proxy_source: str = ""
    category: str = "social"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ModelDefinitionError(f"outcome name: expected a non-empty string, got {self.name!r}")
        what = f"outcome {self.name!r}"
        if not isinstance(self.stakeholder, str) or not self.stakeholder:
            raise ModelDefinitionError(f"{what}, field 'stakeholder': expected a non-empty name, got {self.stakeholder!r}")
        object.__setattr__(self, "duration", require_year(self.duration, f"{what}, field 'duration'", 0))
        object.__setattr__(self, "start_year", require_year(self.start_year, f"{what}, field 'start_year'", 1))
        if self.category not in CATEGORIES:
            raise ModelDefinitionError(f"{what}, field 'category': expected one of {CATEGORIES}, got {self.category!r}")
        for name in _NUMERIC:
            value = getattr(self, name)
            if not isinstance(value, str):  # numbers are checked now; names when drawn
                _check_field(self.name, name, resolve(value, None, 1, f"{what}, field {name!r}"))

    @property
    def last_year(self) -> int:
        """The last year the outcome occurs (``start_year - 1`` if its duration is 0)."""
        return self.start_year + self.duration - 1


def _check_field(outcome: str, name: str, values: np.ndarray) -> np.ndarray:
    what = f"outcome {outcome!r}, field {name!r}"
    if name == "quantity":
        return require_nonnegative(values, what)
    if name in ("deadweight", "displacement", "attribution"):
        return require_probability(values, what)
    if name == "drop_off":
        require_probability(values, what)
        if (values >= 1).any():
            raise ParameterError(f"{what}: expected a drop-off below 1 (100%), got {values[values >= 1][0]!r}")
    return values


@dataclass(frozen=True)
class Investment:
    """An input: ``amount`` (number or parameter name, >= 0) from ``funder`` in ``year``.

    Parameters
    ----------
    funder
        Who pays, e.g. ``"council"``, ``"NHS trust"``, ``"National Lottery"``.
    amount
        The amount (number >= 0, or a parameter name for PSA).
    year
        When it is paid (whole number >= 0; default 0, the start, not discounted).

    Raises
    ------
    ModelDefinitionError
        For an empty funder or a year that is not a whole number >= 0.
    ParameterError
        For a negative or non-finite amount.

    Examples
    --------
    >>> Investment("council", 30_000.0)
    Investment(funder='council', amount=30000.0, year=0)
    >>> Investment("NHS trust", 10_000.0, year=1).year
    1
    """

    funder: str
    amount: Value
    year: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.funder, str) or not self.funder:
            raise ModelDefinitionError(f"investment funder: expected a non-empty name, got {self.funder!r}")
        object.__setattr__(self, "year", require_year(self.year, f"investment by {self.funder!r}, field 'year'"))
        if not isinstance(self.amount, str):
            require_nonnegative(resolve(self.amount, None, 1, f"investment by {self.funder!r}"), f"investment by {self.funder!r}")


@dataclass(frozen=True)
class ImpactMap:
    """An SROI impact map: outcomes, investment, and (optionally) the declared stakeholders.

    Parameters
    ----------
    outcomes, investment
        Sequences of :class:`Outcome` and :class:`Investment`.
    stakeholders
        If given, every outcome's stakeholder must be one of these (catches typos).
    horizon
        Last year of the analysis; an outcome lasting beyond it is an error. Default: the last
        year any outcome or investment occurs.
    name
        Label (the strategy name in outcome sets).

    Raises
    ------
    ModelDefinitionError
        For no outcomes or no investment, a repeated outcome name, or an outcome or
        investment beyond ``horizon``.
    UnknownNameError
        For an outcome whose stakeholder is not in ``stakeholders``.

    Examples
    --------
    A falls service funded by the council and an NHS trust, with benefits to older people
    and to their family carers:

    >>> falls = ImpactMap(
    ...     outcomes=[Outcome("fewer falls", "older people", 40, 1_000.0, duration=3, deadweight=0.25,
    ...                       attribution=0.2, drop_off=0.5),
    ...               Outcome("carers' wellbeing", "family carers", 25, 500.0, duration=2, attribution=0.3)],
    ...     investment=[Investment("council", 30_000.0), Investment("NHS trust", 10_000.0)],
    ...     stakeholders=["older people", "family carers"], name="falls service")
    >>> falls.last_year
    3
    >>> ImpactMap([Outcome("fewer falls", "older poeple", 40, 1_000.0)], [Investment("council", 30_000.0)],
    ...           stakeholders=["older people", "family carers"])
    Traceback (most recent call last):
    ...
    healthecon.errors.UnknownNameError: outcome 'fewer falls', field 'stakeholder': unknown stakeholder 'older poeple'...
    """

    outcomes: Sequence[Outcome]
    investment: Sequence[Investment]
    stakeholders: Sequence[str] | None = None
    horizon: int | None = None
    name: str = "SROI"

    def __post_init__(self) -> None:
        outcomes, investment = tuple(self.outcomes), tuple(self.investment)
        if not outcomes:
            raise ModelDefinitionError(f"impact map {self.name!r}: no outcomes given")
        if not investment:
            raise ModelDefinitionError(f"impact map {self.name!r}: no investment given; the SROI ratio needs inputs")
        require_unique([o.name for o in outcomes], f"impact map {self.name!r} outcome names", ModelDefinitionError)
        if self.stakeholders is not None:
            known = require_unique(self.stakeholders, f"impact map {self.name!r} stakeholders", ModelDefinitionError)
            for o in outcomes:
                if o.stakeholder not in known:
                    err = unknown_name("stakeholder", o.stakeholder, known)
                    raise type(err)(f"outcome {o.name!r}, field 'stakeholder': {err}")
        last = max([o.last_year for o in outcomes] + [i.year for i in investment])
        if self.horizon is not None:
            horizon = require_year(self.horizon, f"impact map {self.name!r} horizon")
            for o in outcomes:
                if o.last_year > horizon:
                    raise ModelDefinitionError(
                        f"outcome {o.name!r}, fields 'start_year'/'duration': it lasts to year {o.last_year}, "
                        f"beyond the horizon (year {horizon})"
                    )
            for i in investment:
                if i.year > horizon:
                    raise ModelDefinitionError(
                        f"investment by {i.funder!r}, field 'year': year {i.year} is beyond the horizon (year {horizon})"
                    )
            last = horizon
        object.__setattr__(self, "outcomes", outcomes)
        object.__setattr__(self, "investment", investment)
        object.__setattr__(self, "_last", last)

    @property
    def last_year(self) -> int:
        """The last year of the analysis."""
        return self._last  # type: ignore[attr-defined]

    def replace_outcome(self, outcome: str, **changes: Value) -> ImpactMap:
        """A copy with fields of one outcome changed (used by :func:`one_way`)."""
        names = [o.name for o in self.outcomes]
        if outcome not in names:
            raise unknown_name("outcome", outcome, names)
        new = tuple(replace(o, **changes) if o.name == outcome else o for o in self.outcomes)
        return replace(self, outcomes=new)


@dataclass(frozen=True)
class SROIModel:
    """An SROI model of one impact map, or several (a mapping of name to map; one strategy each).

    Parameters
    ----------
    maps
        An :class:`ImpactMap` or a mapping of strategy name to map.
    discount
        Annual rate or :class:`~healthecon.discount.DiscountSchedule`; default 0.035 (the
        Green Book rate recommended by the guide, section 5.2).

    Raises
    ------
    ModelDefinitionError
        If a value of ``maps`` is not an :class:`ImpactMap`.

    Examples
    --------
    A council's falls service beside a charity's befriending scheme, discounted at 3.5%:

    >>> model = SROIModel({
    ...     "falls service": ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0, duration=2,
    ...                                         deadweight=0.25)], [Investment("council", 30_000.0)]),
    ...     "befriending": ImpactMap([Outcome("less loneliness", "older people", 60, 400.0, attribution=0.3)],
    ...                              [Investment("charity", 12_000.0)]),
    ... })
    >>> model.strategies
    ('falls service', 'befriending')
    >>> model.run()[["sroi_ratio", "npv"]].isel(sample=0, drop=True).to_pandas().round(2)
                   sroi_ratio       npv
    strategy
    falls service        1.90  26990.83
    befriending          1.35   4231.88

    PSA: name a parameter in any numeric field and run on draws (here deadweight ~ Beta(25, 75),
    mean 25%):

    >>> from healthecon.params import Parameters
    >>> from healthecon.distributions import Beta
    >>> falls = SROIModel(ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0, duration=2,
    ...                                      deadweight="deadweight")], [Investment("council", 30_000.0)]))
    >>> ratio = falls.run(Parameters(deadweight=Beta(25, 75)).sample(1000, seed=3))["sroi_ratio"]
    >>> ratio.quantile([0.025, 0.5, 0.975]).values.round(2)
    array([1.65, 1.91, 2.1 ])
    """

    maps: ImpactMap | Mapping[str, ImpactMap]
    discount: float | DiscountSchedule = 0.035
    by_name: dict[str, ImpactMap] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        maps = {self.maps.name: self.maps} if isinstance(self.maps, ImpactMap) else dict(self.maps)
        require_unique(list(maps), "SROI strategies", ModelDefinitionError)
        for name, imap in maps.items():
            if not isinstance(imap, ImpactMap):
                raise ModelDefinitionError(f"strategy {name!r}: expected an ImpactMap, got {type(imap).__name__}")
        object.__setattr__(self, "by_name", maps)

    @property
    def strategies(self) -> tuple[str, ...]:
        """Strategy (impact map) names."""
        return tuple(self.by_name)

    def run(self, draws: xr.Dataset | None = None, *, strategies: Sequence[str] | None = None) -> xr.Dataset:
        """Evaluate the impact map(s) for every draw, vectorised over samples.

        Returns an outcome set with ``cost`` (PV investment), ``benefit`` (PV impact),
        ``npv``, ``sroi_ratio``, ``net_sroi`` and the breakdowns described in
        :mod:`healthecon.cba` (lines are outcomes, with ``party`` = stakeholder, and
        investments, with ``party`` = funder).
        """
        n = n_draws(draws)
        names = list(self.strategies if strategies is None else strategies)
        for s in names:
            if s not in self.by_name:
                raise unknown_name("strategy", s, self.strategies)
        last = max(self.by_name[s].last_year for s in names)
        years = np.arange(last + 1)
        factors = discount_factors(years, self.discount)
        lines, steps = {}, {}
        for s in names:
            lines[s], steps[s] = _evaluate(self.by_name[s], draws, n, years, factors)
        rate = self.discount.name if isinstance(self.discount, DiscountSchedule) else f"{float(self.discount):.4g} constant"
        return build_outcomes(lines, steps, years, ratio="sroi_ratio", net_ratio="net_sroi", model="sroi",
                              attrs={"discount": rate})


def _evaluate(imap: ImpactMap, draws, n: int, years: np.ndarray, factors: np.ndarray):
    lines: list[Line] = []
    gross = np.zeros(n)
    removed = {k: np.zeros(n) for k in DEDUCTIONS}
    undiscounted = np.zeros(n)
    pv = np.zeros(n)
    for o in imap.outcomes:
        f = {k: _check_field(o.name, k, resolve(getattr(o, k), draws, n, f"outcome {o.name!r}, field {k!r}")) for k in _NUMERIC}
        values = np.zeros((n, len(years)))
        if o.duration:
            k = np.arange(o.duration)
            full = f["quantity"] * f["proxy"]
            after_dw = full * (1 - f["deadweight"])
            after_ds = after_dw * (1 - f["displacement"])
            impact = after_ds * (1 - f["attribution"])
            values[:, o.start_year : o.last_year + 1] = impact[:, None] * (1 - f["drop_off"][:, None]) ** k
            d = o.duration
            gross += full * d
            removed["deadweight"] += (full - after_dw) * d
            removed["displacement"] += (after_dw - after_ds) * d
            removed["attribution"] += (after_ds - impact) * d
            removed["drop_off"] += impact * d - row_sum(values)
        undiscounted += row_sum(values)
        pv += present_value(values, factors)
        lines.append(Line(o.name, o.stakeholder, "benefit", o.category, values, factors))
    invest = np.zeros(n)
    for i in imap.investment:
        values = np.zeros((n, len(years)))
        values[:, i.year] = require_nonnegative(
            resolve(i.amount, draws, n, f"investment by {i.funder!r}"), f"investment by {i.funder!r}"
        )
        invest += present_value(values, factors)
        lines.append(Line(f"investment: {i.funder} (year {i.year})", i.funder, "cost", "economic", values, factors))
    steps = {"gross value": gross}
    steps.update({k.replace("_", "-"): -v for k, v in removed.items()})
    steps["discounting (impact)"] = pv - undiscounted
    steps["investment (present value)"] = -invest
    return lines, steps


# --------------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------------
def one_way(
    model: SROIModel,
    draws: xr.Dataset | None = None,
    *,
    fields: Sequence[str] = ("proxy",) + DEDUCTIONS,
    change: float = 0.2,
    ranges: Mapping[str | tuple[str, str], tuple[float, float]] | None = None,
    strategy: str | None = None,
) -> pd.DataFrame:
    """One-way sensitivity of the SROI ratio to each outcome's proxy and deductions (tornado data).

    The guide (section 5.4) asks which assumptions the ratio is most sensitive to; those
    assumptions are usually plain numbers in the impact map, not parameters with
    distributions. This varies the map's own fields: each field of each outcome is set in turn
    to ``base * (1 - change)`` and ``base * (1 + change)`` (deductions are capped to stay
    valid: at most 1, drop-off below 1; the capped value is reported, never hidden), all else
    at base. A field given as a parameter name takes its base value as the mean of ``draws``
    (use ``Parameters.base_case()``). To vary named parameters over their distributions'
    intervals instead, call :func:`healthecon.dsa.one_way` with ``outcome="sroi_ratio"``.

    ``ranges`` sets explicit ``(low, high)`` values instead, keyed by field (every outcome,
    e.g. ``{"deadweight": (0.0, 0.5)}``) or by ``(outcome, field)``; a zero deduction has no
    relative range, so give it an explicit one. Explicit values are validated like any
    other (a deadweight of 1.2 is an error).

    Each varied field becomes a parameter named ``"<outcome>: <field>"`` of a copy of the
    map, and :func:`healthecon.dsa.one_way` evaluates every low and high value in one
    vectorised run.

    Returns
    -------
    pandas.DataFrame
        The :func:`healthecon.dsa.one_way` table of ``outcome="sroi_ratio"`` (the
        strategy's own ratio), indexed ``"<outcome>: <field>"``, with the columns ``outcome``
        and ``field`` added; :func:`healthecon.plot.dsa.plot_tornado` draws it.

    Examples
    --------
    >>> imap = ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0, duration=2, deadweight=0.25)],
    ...                  [Investment("council", 30_000.0)], name="falls service")
    >>> one_way(SROIModel(imap, discount=0.0), fields=("proxy", "deadweight"))[["low", "high", "outcome_low", "outcome_high"]]
                               low    high  outcome_low  outcome_high
    parameter
    fewer falls: proxy       800.0  1200.0     1.600000      2.400000
    fewer falls: deadweight    0.2     0.3     2.133333      1.866667
    """
    name = strategy or model.strategies[0]
    if name not in model.by_name:
        raise unknown_name("strategy", name, model.strategies)
    if not 0 < change < 1:
        raise ParameterError(f"change: expected a fraction in (0, 1), got {change}")
    imap = model.by_name[name]
    ranges = dict(ranges or {})
    for f in list(fields) + [k if isinstance(k, str) else k[1] for k in ranges]:
        if f not in _NUMERIC:
            raise unknown_name("outcome field", f, _NUMERIC)
    outcome_names = [o.name for o in imap.outcomes]
    for k in ranges:
        if not isinstance(k, str) and k[0] not in outcome_names:
            raise unknown_name("outcome", k[0], outcome_names)
    fields = list(dict.fromkeys(list(fields) + [k if isinstance(k, str) else k[1] for k in ranges]))

    base = _means(draws) if draws is not None else xr.Dataset(coords={"sample": [0]})
    varied, bounds, labels = {}, {}, {}
    for o in imap.outcomes:
        for f in fields:
            parameter = f"{o.name}: {f}"
            if parameter in base.data_vars:
                raise ParameterError(f"parameter {parameter!r} in draws clashes with the name one_way gives outcome "
                                     f"{o.name!r}, field {f!r}; rename the parameter")
            value = float(resolve(getattr(o, f), base, 1, f"outcome {o.name!r}, field {f!r}")[0])
            explicit = ranges.get((o.name, f), ranges.get(f))
            if explicit is not None:
                low, high = (float(v) for v in explicit)
            else:
                low, high = sorted((value * (1 - change), value * (1 + change)))
                if f in DEDUCTIONS:
                    high = min(high, 1.0 if f != "drop_off" else float(np.nextafter(1.0, 0)))
            base[parameter] = ("sample", [value])
            bounds[parameter], labels[parameter] = (low, high), (o.name, f)
            varied.setdefault(o.name, {})[f] = parameter
    for outcome, changes in varied.items():
        imap = imap.replace_outcome(outcome, **changes)
    table = dsa.one_way(SROIModel({name: imap}, discount=model.discount), base, list(bounds), bounds,
                        outcome="sroi_ratio", strategy=name, comparator=None)
    table.insert(0, "field", [labels[p][1] for p in table.index])
    table.insert(0, "outcome", [labels[p][0] for p in table.index])
    table.attrs["change"] = change
    return table


def _means(draws: xr.Dataset | None) -> xr.Dataset | None:
    if draws is None:
        return None
    return draws.mean("sample").expand_dims(sample=[0])


# --------------------------------------------------------------------------------------------
# Tables: CSV / Excel in and out
# --------------------------------------------------------------------------------------------
OUTCOME_COLUMNS = (
    "outcome", "stakeholder", "indicator", "quantity", "proxy", "proxy_source", "duration",
    "start_year", "deadweight", "displacement", "attribution", "drop_off", "category",
)
INVESTMENT_COLUMNS = ("funder", "amount", "year")
_REQUIRED = ("outcome", "stakeholder", "quantity", "proxy")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _cell(value: object, what: str) -> Value:
    """A table cell as a number or a parameter name; '25%' means 0.25. Never evaluated."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if not np.isfinite(value):
            raise ParameterError(f"{what}: the cell is empty or not a finite number")
        return float(value)
    text = str(value).strip().replace(",", "").replace("£", "")
    if not text:
        raise ParameterError(f"{what}: the cell is empty")
    percent = text.endswith("%")
    try:
        number = float(text[:-1] if percent else text)
    except ValueError:
        if _NAME.match(text):
            return text
        raise ParameterError(f"{what}: expected a number, a percentage or a parameter name, got {value!r}") from None
    return number / 100 if percent else number


def _frame_rows(frame: pd.DataFrame, required: Sequence[str], table: str) -> list[dict[str, object]]:
    frame = frame.rename(columns=lambda c: str(c).strip().lower().replace(" ", "_").replace("-", "_"))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ModelDefinitionError(f"{table} table: missing columns {missing} (has {list(frame.columns)})")
    return frame.to_dict("records")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (isinstance(value, str) and not value.strip())


def impact_map_from_frames(outcomes: pd.DataFrame, investment: pd.DataFrame, *, name: str = "SROI",
                           stakeholders: Sequence[str] | None = None, horizon: int | None = None) -> ImpactMap:
    """Build an :class:`ImpactMap` from an outcomes table and an investment table.

    Outcome columns (case and spaces ignored): ``outcome, stakeholder, quantity, proxy``
    (required) and ``indicator, proxy_source, duration, start_year, deadweight,
    displacement, attribution, drop_off, category`` (optional; blanks take the defaults).
    Investment columns: ``funder, amount`` and optional ``year``. Numeric cells may be
    numbers, percentages (``"25%"``) or parameter names.

    Parameters
    ----------
    outcomes, investment
        The two tables, e.g. read from a spreadsheet or built in code.
    name, stakeholders, horizon
        As for :class:`ImpactMap`.

    Returns
    -------
    ImpactMap

    Raises
    ------
    ModelDefinitionError
        For a missing column, an empty outcome cell, or anything :class:`ImpactMap` rejects.
    ParameterError
        For an empty required cell or a cell that is neither a number, a percentage nor a
        parameter name (the message names the table, row and column).

    Examples
    --------
    >>> import pandas as pd
    >>> outcomes = pd.DataFrame({"Outcome": ["fewer falls"], "Stakeholder": ["older people"], "Quantity": [40],
    ...                          "Proxy": ["£1,000"], "Duration": [2], "Deadweight": ["25%"]})
    >>> investment = pd.DataFrame({"funder": ["council"], "amount": [30_000]})
    >>> falls = impact_map_from_frames(outcomes, investment, name="falls service")
    >>> falls.outcomes[0].proxy, falls.outcomes[0].deadweight, falls.investment[0].year
    (1000.0, 0.25, 0)
    """
    rows = _frame_rows(outcomes, _REQUIRED, "outcomes")
    made = []
    for i, row in enumerate(rows, start=1):
        label = row.get("outcome")
        what = f"outcomes table, row {i} (outcome {label!r})"
        if _blank(label):
            raise ModelDefinitionError(f"outcomes table, row {i}: the 'outcome' cell is empty")
        kwargs: dict[str, object] = {}
        for col in _NUMERIC:
            if col in row and not _blank(row[col]):
                kwargs[col] = _cell(row[col], f"{what}, column {col!r}")
            elif col in _REQUIRED:
                raise ParameterError(f"{what}, column {col!r}: the cell is empty")
        for col in ("duration", "start_year"):
            if col in row and not _blank(row[col]):
                kwargs[col] = _cell(row[col], f"{what}, column {col!r}")
        for col in ("indicator", "proxy_source", "category"):
            if col in row and not _blank(row[col]):
                kwargs[col] = str(row[col])
        made.append(Outcome(str(label), str(row["stakeholder"]), **kwargs))  # type: ignore[arg-type]
    inv = []
    for i, row in enumerate(_frame_rows(investment, ("funder", "amount"), "investment"), start=1):
        what = f"investment table, row {i} (funder {row.get('funder')!r})"
        year = 0 if _blank(row.get("year")) else _cell(row["year"], f"{what}, column 'year'")
        inv.append(Investment(str(row["funder"]), _cell(row["amount"], f"{what}, column 'amount'"), year))  # type: ignore[arg-type]
    return ImpactMap(made, inv, stakeholders=stakeholders, horizon=horizon, name=name)


def read_impact_map(path: str | PathLike[str], investment: str | PathLike[str] | None = None, *,
                    name: str | None = None, stakeholders: Sequence[str] | None = None,
                    horizon: int | None = None) -> ImpactMap:
    """Read an impact map from Excel (sheets ``outcomes`` and ``investment``) or CSV files.

    For CSV, ``path`` holds the outcomes and ``investment`` the investment table (required).
    Reading only parses cells (openpyxl with formulas read as their cached values, never
    evaluated; pandas' CSV reader); nothing in the file is executed.

    Parameters
    ----------
    path
        An ``.xlsx``/``.xlsm`` workbook, or the outcomes ``.csv``.
    investment
        The investment ``.csv`` (CSV only).
    name
        Label of the map (default: the file name without its suffix).
    stakeholders, horizon
        As for :class:`ImpactMap`.

    Returns
    -------
    ImpactMap

    Raises
    ------
    ModelDefinitionError
        For a missing sheet or investment file, an unsupported suffix, or a table
        :func:`impact_map_from_frames` rejects.
    ParameterError
        For a cell that is neither a number, a percentage nor a parameter name.

    Examples
    --------
    A round trip through a workbook in a temporary directory:

    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> falls = ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0, duration=2, deadweight=0.25)],
    ...                   [Investment("council", 30_000.0)], name="falls service")
    >>> book = write_impact_map(falls, folder / "falls_service.xlsx")
    >>> read_impact_map(book, name="falls service") == falls
    True

    and through two CSV files (outcomes, investment):

    >>> outcomes_csv = write_impact_map(falls, folder / "falls.csv")
    >>> again = read_impact_map(outcomes_csv, folder / "falls_investment.csv")
    >>> again.name, again.outcomes == falls.outcomes
    ('falls', True)
    >>> shutil.rmtree(folder)
    """
    path = Path(path)
    label = name or path.stem
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
        lower = {k.strip().lower(): v for k, v in sheets.items()}
        for sheet in ("outcomes", "investment"):
            if sheet not in lower:
                raise ModelDefinitionError(f"{path.name}: no sheet named {sheet!r} (sheets: {list(sheets)})")
        return impact_map_from_frames(lower["outcomes"], lower["investment"], name=label,
                                      stakeholders=stakeholders, horizon=horizon)
    if path.suffix.lower() == ".csv":
        if investment is None:
            raise ModelDefinitionError(f"{path.name}: a CSV impact map needs the investment table as a second CSV file")
        frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in (path, Path(investment))]
        return impact_map_from_frames(*frames, name=label, stakeholders=stakeholders, horizon=horizon)
    raise ModelDefinitionError(f"cannot read an impact map from {path.name!r}: use .xlsx or .csv")


def impact_map_frames(imap: ImpactMap, results: xr.Dataset | None = None) -> dict[str, pd.DataFrame]:
    """The impact map as tables (outcomes, investment), with results columns if given.

    With ``results`` (the model's outcome set), the outcomes table gains the mean present
    value of each outcome and the undiscounted total, and a ``results`` table is added.

    Parameters
    ----------
    imap
        The impact map.
    results
        Optional outcome set of :meth:`SROIModel.run` for this map.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"outcomes"`` (columns as read by :func:`impact_map_from_frames`, plus
        ``value_undiscounted`` and ``present_value`` with ``results``), ``"investment"``
        and, with ``results``, ``"results"`` (:func:`healthecon.cba.summary` of the map).

    Examples
    --------
    >>> falls = ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0, duration=2, deadweight=0.25)],
    ...                   [Investment("council", 30_000.0)], name="falls service")
    >>> tables = impact_map_frames(falls, SROIModel(falls).run())
    >>> list(tables)
    ['outcomes', 'investment', 'results']
    >>> tables["outcomes"][["outcome", "quantity", "proxy", "deadweight", "value_undiscounted", "present_value"]].round(2)
           outcome  quantity   proxy  deadweight  value_undiscounted  present_value
    0  fewer falls        40  1000.0        0.25             60000.0       56990.83
    >>> tables["results"][["strategy", "npv", "gross_return_per_1"]].round(2)
            strategy       npv  gross_return_per_1
    0  falls service  26990.83                 1.9
    """
    rows = []
    for o in imap.outcomes:
        row = {"outcome": o.name}
        row.update({c: getattr(o, c) for c in OUTCOME_COLUMNS[1:]})
        rows.append(row)
    outcomes = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
    investment = pd.DataFrame([(i.funder, i.amount, i.year) for i in imap.investment], columns=list(INVESTMENT_COLUMNS))
    tables = {"outcomes": outcomes, "investment": investment}
    if results is not None:
        strategy = imap.name if imap.name in results["strategy"].values else str(results["strategy"].values[0])
        flows = results["flows"].sel(strategy=strategy).mean("sample").sum("year")
        flows_pv = results["flows_pv"].sel(strategy=strategy).mean("sample").sum("year")
        outcomes["value_undiscounted"] = [float(flows.sel(line=o.name)) for o in imap.outcomes]
        outcomes["present_value"] = [float(flows_pv.sel(line=o.name)) for o in imap.outcomes]
        from .cba import summary

        tables["results"] = summary(results).loc[[strategy]].reset_index()
    return tables


def write_impact_map(imap: ImpactMap, path: str | PathLike[str], results: xr.Dataset | None = None) -> Path:
    """Write the impact map (and results, if given) to ``.xlsx`` (one sheet per table) or ``.csv``.

    For CSV, the outcomes go to ``path`` and the other tables to ``<stem>_investment.csv``
    and ``<stem>_results.csv`` beside it.

    Parameters
    ----------
    imap
        The impact map.
    path
        Where to write: ``.xlsx`` or ``.csv``.
    results
        Optional outcome set of :meth:`SROIModel.run`, written as a ``results`` table and
        as value columns of the outcomes (see :func:`impact_map_frames`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ModelDefinitionError
        For a suffix other than ``.xlsx`` or ``.csv``.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> falls = ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0, duration=2, deadweight=0.25)],
    ...                   [Investment("council", 30_000.0)], name="falls service")
    >>> write_impact_map(falls, folder / "falls.csv", SROIModel(falls).run()).name
    'falls.csv'
    >>> sorted(p.name for p in folder.iterdir())
    ['falls.csv', 'falls_investment.csv', 'falls_results.csv']
    >>> write_impact_map(falls, folder / "falls.xlsx").name
    'falls.xlsx'
    >>> shutil.rmtree(folder)
    """
    path = Path(path)
    tables = impact_map_frames(imap, results)
    if path.suffix.lower() == ".xlsx":
        write_frames(tables, path)  # text stays text: a name such as "=1+1" never becomes a formula
    elif path.suffix.lower() == ".csv":
        for sheet, frame in tables.items():
            target = path if sheet == "outcomes" else path.with_name(f"{path.stem}_{sheet}.csv")
            frame.to_csv(target, index=False, quoting=csv.QUOTE_MINIMAL)
    else:
        raise ModelDefinitionError(f"cannot write an impact map to {path.name!r}: use .xlsx or .csv")
    return path
