"""Social return on investment (SROI): impact maps, the SROI ratio, and its uncertainty.

Follows Cabinet Office (Nicholls, Lawlor, Neitzert & Goodspeed), *A guide to Social Return on
Investment*, 2012 ("the guide"). An :class:`ImpactMap` (the guide's Stage 2-4 impact map)
lists stakeholders; outcomes with an indicator, quantity, financial proxy (value and source),
duration and start year; the deductions of Stage 4; and the investment (inputs) by funder and
year. ``SROIModel(...).run(draws)`` returns an outcome set (:mod:`healthecon.outcomes`) with
the money layout of :mod:`healthecon.flows`, so the analyses of :mod:`healthecon.appraisal`
(PSA headlines, ``P(ratio > target)`` curves, payback, per-stakeholder tables, waterfalls) and
the cash-flow plots apply unchanged. Impact maps are read from and written to CSV and Excel
by :mod:`healthecon.impactmap_io`.

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
- payback period (guide section 5.5): see :func:`healthecon.appraisal.payback_period` (in years,
  from discounted cumulative flows, rather than the guide's simple months formula
  ``investment / (annual impact / 12)``, which assumes a constant annual impact).

Sensitivity (guide section 5.4): :func:`healthecon.dsa.one_way_impact_map` changes each proxy
and deduction in turn (tornado data); PSA follows from putting a parameter name in any numeric field and running
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
>>> from healthecon.appraisal import format_headlines
>>> print(format_headlines(out))
falls service: PV impact £36,000.00, PV investment £30,000.00, NPV £6,000.00
  SROI ratio (PV impact / PV investment), per £1: £1.20
  net SROI ratio ((PV impact - PV investment) / PV investment): 20.0%
  payback: 1.5 years
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import xarray as xr

from ._validate import require_nonnegative, require_probability, require_unique
from .discount import DiscountSchedule, discount_factors
from .errors import ModelDefinitionError, ParameterError, unknown_name
from .flows import (
    CATEGORIES,
    Line,
    Value,
    build_outcomes,
    n_draws,
    present_value,
    rate_label,
    require_year,
    resolve_value,
    row_sum,
)

__all__ = [
    "Outcome",
    "Investment",
    "ImpactMap",
    "SROIModel",
    "DEDUCTIONS",
    "NUMERIC_FIELDS",
    "check_outcome_field",
]

DEDUCTIONS = ("deadweight", "displacement", "attribution", "drop_off")
#: The numeric fields of an :class:`Outcome` (each a number or a parameter name).
NUMERIC_FIELDS = ("quantity", "proxy") + DEDUCTIONS


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
        for name in NUMERIC_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str):  # numbers are checked now; names when drawn
                check_outcome_field(self.name, name, resolve_value(value, None, 1, f"{what}, field {name!r}"))

    @property
    def last_year(self) -> int:
        """The last year the outcome occurs (``start_year - 1`` if its duration is 0)."""
        return self.start_year + self.duration - 1


def check_outcome_field(outcome: str, name: str, values: np.ndarray) -> np.ndarray:
    """``values`` of field ``name`` of outcome ``outcome``, checked: quantity >= 0, deductions in [0, 1], drop-off < 1.

    Raises
    ------
    ParameterError
        Naming the outcome, the field and the bad value.
    """
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
            require_nonnegative(resolve_value(self.amount, None, 1, f"investment by {self.funder!r}"), f"investment by {self.funder!r}")


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
        """A copy with fields of one outcome changed (used by :func:`healthecon.dsa.one_way_impact_map`)."""
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
        if not maps:
            raise ModelDefinitionError("SROIModel: no impact maps given; expected an ImpactMap or a mapping of name to map")
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
        :mod:`healthecon.flows` (lines are outcomes, with ``party`` = stakeholder, and
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
        with np.errstate(over="ignore", invalid="ignore"):  # build_outcomes reports an overflow by line
            for s in names:
                lines[s], steps[s] = _evaluate(self.by_name[s], draws, n, years, factors)
            return build_outcomes(lines, steps, years, ratio="sroi_ratio", net_ratio="net_sroi", model="sroi",
                                  attrs={"discount": rate_label(self.discount)})


def _evaluate(imap: ImpactMap, draws, n: int, years: np.ndarray, factors: np.ndarray):
    lines: list[Line] = []
    gross = np.zeros(n)
    removed = {k: np.zeros(n) for k in DEDUCTIONS}
    undiscounted = np.zeros(n)
    pv = np.zeros(n)
    for o in imap.outcomes:
        f = {k: check_outcome_field(o.name, k, resolve_value(getattr(o, k), draws, n, f"outcome {o.name!r}, field {k!r}")) for k in NUMERIC_FIELDS}
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
            resolve_value(i.amount, draws, n, f"investment by {i.funder!r}"), f"investment by {i.funder!r}"
        )
        invest += present_value(values, factors)
        lines.append(Line(f"investment: {i.funder} (year {i.year})", i.funder, "cost", "economic", values, factors))
    steps = {"gross value": gross}
    steps.update({k.replace("_", "-"): -v for k, v in removed.items()})
    steps["discounting (impact)"] = pv - undiscounted
    steps["investment (present value)"] = -invest
    return lines, steps
