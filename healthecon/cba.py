"""Cost-benefit analysis and return on investment (HM Treasury Green Book 2022), probabilistic.

A :class:`CBAModel` holds cash flows of costs and benefits by year, each with the agency that
pays or gains (NHS, council, police, individuals...) and its kind (fiscal cashable, fiscal
non-cashable, economic, social; as in the Green Book 2022, para. 6.8-6.11 and the HM Treasury /
New Economy *Supporting public service transformation: cost benefit analysis guidance for
local partnerships*, 2014, section 3). ``run(draws)`` returns an outcome set
(:mod:`healthecon.outcomes`), so PSA summaries, acceptability curves and tornado diagrams work
as for any other model.

Formulas (Green Book 2022, ch. 5 and Annex A6):

- present value of a flow ``x_t`` in year ``t`` (year 0 = the present, undiscounted)::

      PV = sum_t x_t * D(t),   D(t) = (1 + r) ** -t, or a declining Green Book schedule

- optimism bias (Green Book para. 5.43-5.46; supplementary guidance): costs subject to it are
  raised to ``cost * (1 + uplift)``; benefits may be cut to ``benefit * (1 - haircut)``
  (:mod:`healthecon.optimism` has the published uplifts);
- net present value ``NPV = PV(benefits) - PV(costs)``;
- benefit-cost ratio ``BCR = PV(benefits) / PV(costs)``, the **gross return per £1** behind
  headlines such as "£1.20 saved per £1 spent" (POPP) or "£2.67 per £1" (Croydon LIFE);
- **net ROI** ``(PV(benefits) - PV(costs)) / PV(costs) = BCR - 1`` ("20% return").
  Both conventions are printed, labelled, by :func:`healthecon.appraisal.format_headlines`:
  they are confused often;
- payback period and switching values: :mod:`healthecon.appraisal`.

The outcome set has the money layout of :mod:`healthecon.flows` (``cost``, ``benefit``,
``npv``, ``bcr``, ``net_roi``, flows by line and year, who pays and who gains, the waterfall
steps); :mod:`healthecon.appraisal` analyses it (headline table, payback, switching values,
acceptability, party and category tables, cash flows), for CBA and SROI alike.

This module holds the model only: :class:`Flow`, its constructors :func:`cost_flow` and
:func:`benefit_flow`, and :class:`CBAModel`. May import: :mod:`healthecon.flows` and what it
imports.

Examples
--------
>>> from healthecon.appraisal import format_headlines
>>> model = CBAModel([
...     cost_flow("team", "council", [100.0, 100.0]),
...     benefit_flow("bed days avoided", "NHS", [0.0, 150.0, 150.0], category="fiscal_cashable"),
... ], name="reablement", discount=0.035)
>>> out = model.run()
>>> round(float(out["npv"].squeeze()), 2)
88.34
>>> print(format_headlines(out))  # doctest: +NORMALIZE_WHITESPACE
reablement: PV benefits £284.95, PV costs £196.62, NPV £88.34
  gross return per £1 (benefit / cost): £1.45
  net ROI ((benefit - cost) / cost): 44.9%
  payback: 1.4 years
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from ._validate import require_nonnegative, require_probability, require_unique
from .discount import GREEN_BOOK_STANDARD, discount_factors
from .errors import ModelDefinitionError, ShapeError, unknown_name
from .flows import (
    CATEGORIES,
    DIRECTIONS,
    Line,
    Rate,
    Value,
    build_outcomes,
    n_draws,
    present_value,
    rate_label,
    require_year,
    resolve_value,
    row_sum,
)
from .optimism import require_uplift

__all__ = ["CATEGORIES", "Flow", "cost_flow", "benefit_flow", "CBAModel"]


@dataclass(frozen=True)
class Flow:
    """A cash flow of costs or benefits by year.

    Parameters
    ----------
    name
        Label (unique within a scheme), e.g. ``"emergency bed days avoided"``.
    direction
        ``"cost"`` or ``"benefit"``. Savings are benefits; amounts are never negative.
    agency
        Who pays (costs) or gains (benefits), e.g. ``"NHS"``, ``"council"``, ``"police"``.
    values
        Amount in each year (in constant prices), a number or a parameter name per year.
    years
        Years of ``values`` (year 0 = now, undiscounted); default ``0, 1, ..., len(values)-1``.
    category
        ``"fiscal_cashable"``, ``"fiscal_non_cashable"``, ``"economic"`` or ``"social"``.
    quantity
        Multiplier of every year's value (number or parameter name), e.g. bed days avoided
        per year when ``values`` hold the unit cost. Default 1.
    discount
        Rate or schedule for this flow (e.g. the Green Book health schedule for QALYs valued
        in money); ``None`` uses the model's.
    optimism
        Whether the model's optimism-bias uplift (costs) or haircut (benefits) applies.

    Raises
    ------
    ModelDefinitionError
        For an empty name or agency, an unknown direction or category, a negative year or
        a year given twice.
    ShapeError
        If ``values`` and ``years`` differ in length.

    Examples
    --------
    120 emergency bed days avoided a year for the NHS, at £345 a day, from year 1; usually
    written with :func:`benefit_flow`, which builds the same flow:

    >>> beds = Flow("bed days avoided", "benefit", "NHS", [345.0, 345.0], years=[1, 2], quantity=120,
    ...             category="fiscal_non_cashable")
    >>> beds.years, beds.values
    ((1, 2), (345.0, 345.0))
    >>> beds == benefit_flow("bed days avoided", "NHS", [345.0, 345.0], years=[1, 2], quantity=120,
    ...                 category="fiscal_non_cashable")
    True
    >>> round(float(CBAModel([cost_flow("discharge team", "NHS", 60_000.0), beds], discount=0.035).run()["npv"].squeeze()), 2)
    18647.34
    """

    name: str
    direction: str
    agency: str
    values: Sequence[Value]
    years: Sequence[int] | None = None
    category: str = "economic"
    quantity: Value = 1.0
    discount: Rate | None = None
    optimism: bool = True

    def __post_init__(self) -> None:
        what = f"flow {self.name!r}"
        if not isinstance(self.name, str) or not self.name:
            raise ModelDefinitionError(f"flow name: expected a non-empty string, got {self.name!r}")
        if self.direction not in DIRECTIONS:
            raise ModelDefinitionError(f"{what}, field 'direction': expected 'cost' or 'benefit', got {self.direction!r}")
        if self.category not in CATEGORIES:
            raise ModelDefinitionError(f"{what}, field 'category': expected one of {CATEGORIES}, got {self.category!r}")
        if not isinstance(self.agency, str) or not self.agency:
            raise ModelDefinitionError(f"{what}, field 'agency': expected a non-empty name, got {self.agency!r}")
        values = tuple(self.values) if not isinstance(self.values, (str, int, float)) else (self.values,)
        if not values:
            raise ModelDefinitionError(f"{what}, field 'values': no amounts given; expected one amount per year")
        years = tuple(range(len(values))) if self.years is None else tuple(self.years)
        if len(years) != len(values):
            raise ShapeError(f"{what}: mismatched lengths: values has {len(values)}, years has {len(years)}")
        years = tuple(require_year(y, f"{what}, field 'years'") for y in years)
        if len(set(years)) != len(years):
            raise ModelDefinitionError(f"{what}, field 'years': a year is given more than once: {list(years)}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "years", years)


def cost_flow(
    name: str,
    agency: str,
    values: Sequence[Value] | Value,
    *,
    years: Sequence[int] | None = None,
    category: str = "economic",
    quantity: Value = 1.0,
    discount: Rate | None = None,
    optimism: bool = True,
) -> Flow:
    """A cost: money an agency spends on the scheme, by year.

    Shorthand for ``Flow(name, "cost", agency, values, ...)``; :class:`Flow` has the full
    rules. Amounts are in constant prices and never negative (a saving is a :func:`benefit_flow`).

    Parameters
    ----------
    name
        Label, unique within the scheme, e.g. ``"reablement team"``.
    agency
        Who pays, e.g. ``"council"``, ``"NHS"``, ``"charity"``.
    values
        Amount in each year: a number or a parameter name (looked up in the PSA draws) per
        year; a single number or name means one year.
    years
        Years of ``values`` (year 0 = now, undiscounted); default ``0, 1, ..., len(values)-1``.
    category
        ``"fiscal_cashable"``, ``"fiscal_non_cashable"``, ``"economic"`` (default) or
        ``"social"`` (Green Book 2022, para. 6.8-6.11).
    quantity
        Multiplier of every year's value (number or parameter name), e.g. staff numbers when
        ``values`` hold the cost per member of staff. Default 1.
    discount
        Rate or :class:`~healthecon.discount.DiscountSchedule` for this cost only; ``None``
        (default) uses the model's.
    optimism
        Whether the model's optimism-bias ``cost_uplift`` applies (default ``True``; set
        ``False`` for a cost that is already fixed, e.g. a signed contract).

    Returns
    -------
    Flow
        A flow with ``direction="cost"``, for :class:`CBAModel`.

    Examples
    --------
    >>> team = cost_flow("reablement team", "council", [40_000.0, 40_000.0], quantity=2, category="fiscal_cashable")
    >>> team.direction, team.years
    ('cost', (0, 1))
    >>> out = CBAModel([team, benefit_flow("care avoided", "council", [0.0, 90_000.0])], discount=0.035).run()
    >>> round(float(out["cost"].squeeze()), 2)
    157294.69
    """
    return Flow(name, "cost", agency, values, years, category, quantity, discount, optimism)


def benefit_flow(
    name: str,
    agency: str,
    values: Sequence[Value] | Value,
    *,
    years: Sequence[int] | None = None,
    category: str = "economic",
    quantity: Value = 1.0,
    discount: Rate | None = None,
    optimism: bool = True,
) -> Flow:
    """A benefit: money an agency saves or gains because of the scheme, by year.

    Shorthand for ``Flow(name, "benefit", agency, values, ...)``; :class:`Flow` has the full
    rules. Savings (costs avoided) are benefits; amounts are never negative.

    Parameters
    ----------
    name
        Label, unique within the scheme, e.g. ``"emergency bed days avoided"``.
    agency
        Who gains, e.g. ``"NHS"``, ``"council"``, ``"individuals"``.
    values
        Amount in each year: a number or a parameter name per year (see :func:`cost_flow`).
    years
        Years of ``values`` (year 0 = now, undiscounted); default ``0, 1, ..., len(values)-1``.
    category
        ``"fiscal_cashable"`` (cash released from budgets), ``"fiscal_non_cashable"``
        (capacity freed), ``"economic"`` (default) or ``"social"``.
    quantity
        Multiplier of every year's value (number or parameter name), e.g. bed days avoided
        per year when ``values`` hold the unit cost of a bed day. Default 1.
    discount
        Rate or schedule for this benefit only, e.g. the Green Book health schedule
        (1.5%) for QALYs valued in money; ``None`` (default) uses the model's.
    optimism
        Whether the model's optimism-bias ``benefit_haircut`` applies (default ``True``).

    Returns
    -------
    Flow
        A flow with ``direction="benefit"``, for :class:`CBAModel`.

    Examples
    --------
    >>> beds = benefit_flow("bed days avoided", "NHS", [0.0, 345.0, 345.0], quantity="bed_days", category="fiscal_non_cashable")
    >>> beds.direction, beds.quantity
    ('benefit', 'bed_days')
    >>> from healthecon.params import Parameters
    >>> draws = Parameters({"bed_days": 120}).base_case()
    >>> out = CBAModel([cost_flow("team", "NHS", 50_000.0), beds], discount=0.035).run(draws)
    >>> round(float(out["benefit"].squeeze()), 2)
    78647.34
    """
    return Flow(name, "benefit", agency, values, years, category, quantity, discount, optimism)


@dataclass(frozen=True)
class CBAModel:
    """A cost-benefit / ROI model of one or more schemes.

    Parameters
    ----------
    flows
        The scheme's flows, or a mapping of scheme name to flows (each scheme becomes a
        strategy of the outcome set, evaluated against its own counterfactual).
    name
        Strategy label when ``flows`` is a single list.
    discount
        Constant annual rate (0.035) or a :class:`~healthecon.discount.DiscountSchedule`;
        default the Green Book standard schedule (3.5% to year 30, then declining).
    cost_uplift
        Optimism-bias uplift of costs (fraction or parameter name), e.g.
        ``optimism.uplift("outsourcing")``; default 0.
    benefit_haircut
        Optimism-bias reduction of benefits (fraction in [0, 1] or parameter name); default 0.
    horizon
        Last year of the appraisal; a flow after it is an error. Default: the last flow year.
    agencies
        If given, the only agency names allowed (catches typos such as ``"NSH"``).

    Raises
    ------
    ModelDefinitionError
        For a scheme with no flows or no cost, a repeated scheme or flow name, a flow beyond
        the horizon, or an agency not in ``agencies``.

    Examples
    --------
    Two schemes a council might fund, each against its own counterfactual, with the Green
    Book's 41% optimism-bias uplift for outsourced services on their costs:

    >>> schemes = CBAModel({
    ...     "reablement": [cost_flow("reablement team", "council", [120_000.0]),
    ...                    benefit_flow("home care avoided", "council", [0.0, 90_000.0, 90_000.0])],
    ...     "telecare": [cost_flow("alarms and monitoring", "council", [40_000.0]),
    ...                  benefit_flow("falls admissions avoided", "NHS", [0.0, 25_000.0, 25_000.0])],
    ... }, discount=0.035, cost_uplift=0.41)
    >>> schemes.strategies
    ('reablement', 'telecare')
    >>> schemes.run()[["npv", "bcr"]].isel(sample=0, drop=True).to_pandas().round(2)
                    npv   bcr
    strategy
    reablement  1772.48  1.01
    telecare   -8907.64  0.84
    """

    flows: Sequence[Flow] | Mapping[str, Sequence[Flow]]
    name: str = "scheme"
    discount: Rate = GREEN_BOOK_STANDARD
    cost_uplift: Value = 0.0
    benefit_haircut: Value = 0.0
    horizon: int | None = None
    agencies: Sequence[str] | None = None
    schemes: dict[str, tuple[Flow, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        raw = self.flows if isinstance(self.flows, Mapping) else {self.name: self.flows}
        if not raw:
            raise ModelDefinitionError("CBAModel: no schemes given; expected a list of flows or a mapping of scheme name to flows")
        require_unique(list(raw), "CBA schemes", ModelDefinitionError)
        schemes: dict[str, tuple[Flow, ...]] = {}
        known = None if self.agencies is None else require_unique(self.agencies, "agencies", ModelDefinitionError)
        for scheme, flows in raw.items():
            flows = tuple(flows)
            if not flows:
                raise ModelDefinitionError(f"scheme {scheme!r}: no flows given")
            for f in flows:
                if not isinstance(f, Flow):
                    raise ModelDefinitionError(f"scheme {scheme!r}: expected Flow objects, got {type(f).__name__}")
                if known is not None and f.agency not in known:
                    err = unknown_name("agency", f.agency, known)
                    raise type(err)(f"flow {f.name!r}, field 'agency': {err}")
            require_unique([f.name for f in flows], f"scheme {scheme!r} flow names", ModelDefinitionError)
            if not any(f.direction == "cost" for f in flows):
                raise ModelDefinitionError(f"scheme {scheme!r}: no cost flow; a return per £1 needs a cost")
            schemes[scheme] = flows
        last = max(max(f.years) for flows in schemes.values() for f in flows)
        if self.horizon is not None:
            horizon = require_year(self.horizon, "CBA horizon")
            for flows in schemes.values():
                for f in flows:
                    if max(f.years) > horizon:
                        raise ModelDefinitionError(
                            f"flow {f.name!r}, field 'years': year {max(f.years)} is beyond the horizon (year {horizon})"
                        )
        object.__setattr__(self, "schemes", schemes)
        object.__setattr__(self, "_last_year", last if self.horizon is None else int(self.horizon))

    @property
    def strategies(self) -> tuple[str, ...]:
        """Scheme names, in order."""
        return tuple(self.schemes)

    def run(self, draws: xr.Dataset | None = None, *, strategies: Sequence[str] | None = None) -> xr.Dataset:
        """Evaluate every scheme for every draw (vectorised over samples).

        Parameters
        ----------
        draws
            Parameter draws (``Parameters.sample(n, seed)`` or ``base_case()``); ``None`` when
            every field is a number.
        strategies
            Schemes to evaluate (default all).
        """
        n = n_draws(draws)
        names = list(self.strategies if strategies is None else strategies)
        for s in names:
            if s not in self.schemes:
                raise unknown_name("strategy", s, self.strategies)
        years = np.arange(self._last_year + 1)  # type: ignore[attr-defined]
        uplift = require_uplift(resolve_value(self.cost_uplift, draws, n, "CBA field 'cost_uplift'"), "CBA field 'cost_uplift'")
        haircut = require_probability(
            resolve_value(self.benefit_haircut, draws, n, "CBA field 'benefit_haircut'"), "CBA field 'benefit_haircut'"
        )
        lines: dict[str, list[Line]] = {}
        steps: dict[str, dict[str, np.ndarray]] = {}
        with np.errstate(over="ignore", invalid="ignore"):  # build_outcomes reports an overflow by line
            for scheme in names:
                lines[scheme], steps[scheme] = self._scheme(scheme, draws, n, years, uplift, haircut)
            return build_outcomes(
                lines, steps, years, ratio="bcr", net_ratio="net_roi", model="cba",
                attrs={"discount": rate_label(self.discount)},
            )

    def _scheme(self, scheme, draws, n, years, uplift, haircut):
        gross_benefit = np.zeros(n)
        benefit_undisc = np.zeros(n)
        benefit_pv = np.zeros(n)
        cost_base_pv = np.zeros(n)
        cost_pv = np.zeros(n)
        out = []
        for f in self.schemes[scheme]:
            what = f"flow {f.name!r}"
            quantity = require_nonnegative(resolve_value(f.quantity, draws, n, f"{what}, field 'quantity'"), f"{what}, field 'quantity'")
            values = np.zeros((n, len(years)))
            for y, v in zip(f.years, f.values):
                amount = resolve_value(v, draws, n, f"{what}, year {y}")
                values[:, y] = require_nonnegative(amount, f"{what}, year {y}") * quantity
            factors = discount_factors(years, f.discount if f.discount is not None else self.discount)
            base_pv = present_value(values, factors)
            if f.direction == "cost":
                scale = 1.0 + uplift if f.optimism else np.ones(n)
                cost_base_pv += base_pv
                cost_pv += base_pv * scale
            else:
                scale = 1.0 - haircut if f.optimism else np.ones(n)
                undiscounted = row_sum(values)
                gross_benefit += undiscounted
                benefit_undisc += undiscounted * scale
                benefit_pv += base_pv * scale
            out.append(Line(f.name, f.agency, f.direction, f.category, values * scale[:, None], factors))
        step = {
            "gross benefits": gross_benefit,
            "optimism bias (benefits)": benefit_undisc - gross_benefit,
            "discounting (benefits)": benefit_pv - benefit_undisc,  # benefits only: costs enter as PVs
            "costs (present value)": -cost_base_pv,
            "optimism bias (costs)": cost_base_pv - cost_pv,
        }
        return out, step
