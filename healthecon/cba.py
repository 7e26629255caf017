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
  Both conventions are printed, labelled, by :func:`format_summary`: they are confused often;
- payback period: the first time the cumulative discounted net benefit reaches zero
  (:func:`payback_period`); switching values: how far benefits may fall, or costs rise,
  before NPV = 0 (Green Book 2022, para. 5.78 "switching values"; :func:`switching_values`).

Outcome set layout: ``cost``, ``benefit`` (present values), ``npv``, ``bcr``, ``net_roi``,
``cost_undiscounted``, ``benefit_undiscounted`` with dims ``(sample, strategy)``; ``flows`` and
``flows_pv`` with dims ``(sample, strategy, line, year)``, where each line carries coordinates
``party`` (the agency), ``direction`` (``"cost"``/``"benefit"``) and ``category``;
``cost_by_stakeholder`` and ``benefit_by_stakeholder`` (present values, dims ``sample,
strategy, stakeholder, year``, where a stakeholder is an agency, an SROI stakeholder or a
funder: who pays and who gains, by year); and ``steps`` (``sample, strategy, step``), the
waterfall from gross benefits to NPV (:func:`waterfall_steps` names each step). The SROI
model (:mod:`healthecon.sroi`) emits the same layout, so every function here works for both.

Examples
--------
>>> model = CBAModel([
...     cost("team", "council", [100.0, 100.0]),
...     benefit("bed days avoided", "NHS", [0.0, 150.0, 150.0], category="fiscal_cashable"),
... ], name="reablement", discount=0.035)
>>> out = model.run()
>>> round(float(out["npv"].squeeze()), 2)
88.34
>>> print(format_summary(out))  # doctest: +NORMALIZE_WHITESPACE
reablement: PV benefits £284.95, PV costs £196.62, NPV £88.34
  gross return per £1 (benefit / cost): £1.45
  net ROI ((benefit - cost) / cost): 44.9%
  payback: 1.4 years
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from ._validate import require_finite, require_nonnegative, require_probability, require_unique
from .discount import GREEN_BOOK_STANDARD, DiscountSchedule, discount_factors
from .errors import AnalysisError, ModelDefinitionError, OutcomesError, ParameterError, ShapeError, unknown_name
from .outcomes import SAMPLE, STRATEGY, make_outcomes, strategies as strategy_names, validate_outcomes

__all__ = [
    "CATEGORIES",
    "Flow",
    "cost",
    "benefit",
    "CBAModel",
    "acceptability",
    "payback_period",
    "switching_values",
    "summary",
    "format_summary",
    "party_table",
    "category_table",
    "waterfall_steps",
    "cashflows",
]

CATEGORIES = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")
DIRECTIONS = ("cost", "benefit")
LINE, YEAR, STEP, PARTY = "line", "year", "step", "stakeholder"

Value = float | int | str
Rate = float | DiscountSchedule


# --------------------------------------------------------------------------------------------
# Shared machinery (also used by healthecon.sroi)
# --------------------------------------------------------------------------------------------
def n_draws(draws: xr.Dataset | None) -> int:
    """Number of samples in ``draws`` (1 when ``draws`` is ``None``: a deterministic run)."""
    if draws is None:
        return 1
    if SAMPLE not in draws.dims:
        raise ParameterError(f"parameter draws have no 'sample' dimension (dims: {list(draws.dims)})")
    return int(draws.sizes[SAMPLE])


def resolve(value: Value, draws: xr.Dataset | None, n: int, what: str) -> np.ndarray:
    """A field as a float array of shape ``(n,)``: a number, or a parameter name in ``draws``.

    Nothing is evaluated: a string is only ever a parameter name looked up in ``draws``.
    """
    if isinstance(value, str):
        if draws is None or value not in draws.data_vars:
            known = list(draws.data_vars) if draws is not None else []
            err = unknown_name("parameter", value, known)
            raise type(err)(f"{what}: {err}" + ("" if draws is not None else " (no draws were given)"))
        arr = require_finite(draws[value].values, f"{what} (parameter {value!r})")
        if arr.shape != (n,):
            raise ShapeError(f"{what}: parameter {value!r} has shape {arr.shape}, expected ({n},)")
        return arr.astype(float)
    if isinstance(value, bool):
        raise ParameterError(f"{what}: expected a number or a parameter name, got {value!r}")
    arr = require_finite(value, what)
    if arr.ndim != 0:
        raise ParameterError(f"{what}: expected a single number or a parameter name, got an array")
    return np.full(n, float(arr))


def require_year(value: object, what: str, minimum: int = 0) -> int:
    """An integer year >= ``minimum`` (whole numbers given as floats are accepted)."""
    try:
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ModelDefinitionError(f"{what}: expected a whole number of years, got {value!r}") from None
    if not np.isfinite(as_float) or as_float != int(as_float) or as_float < minimum:
        raise ModelDefinitionError(f"{what}: expected a whole number of years >= {minimum}, got {value!r}")
    return int(as_float)


def row_sum(values: np.ndarray, axes: int = 1) -> np.ndarray:
    """Sum over the last ``axes`` axes, term by term in one fixed order.

    Each row's total is a chain of elementwise IEEE additions in the same order, so it does
    not depend on how many rows (samples) there are: a one-sample base case and an n-sample
    PSA of the same inputs give the same total bit for bit. ``ndarray.sum`` over several axes
    and matrix products do not promise this (numpy may coalesce a one-row reduction into a
    single pairwise sum, and a BLAS kernel blocks rows differently for different ``n``).
    """
    values = np.asarray(values, dtype=float)
    terms = values.reshape(values.shape[: values.ndim - axes] + (-1,))
    terms = np.ascontiguousarray(np.moveaxis(terms, -1, 0))
    out = np.zeros(terms.shape[1:])
    for term in terms:
        out += term
    return out


def present_value(values: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Present value of yearly amounts ``values`` (``(..., n_years)``): ``sum_t x_t * D(t)``.

    Elementwise product, then :func:`row_sum` along the year axis, so the result does not
    depend on the number of samples (Green Book 2022, Annex A6: ``PV = sum_t x_t D(t)``).

    Examples
    --------
    >>> present_value(np.array([[100.0, 100.0]]), discount_factors(np.arange(2), 0.035)).round(4)
    array([196.6184])
    """
    return row_sum(np.multiply(values, factors))


@dataclass
class Line:
    """One cash-flow line of a run: undiscounted amounts ``(n, n_years)`` and its labels."""

    label: str
    party: str
    direction: str
    category: str
    values: np.ndarray
    factors: np.ndarray


def build_outcomes(
    lines: Mapping[str, Sequence[Line]],
    steps: Mapping[str, Mapping[str, np.ndarray]],
    years: np.ndarray,
    *,
    ratio: str,
    net_ratio: str,
    model: str,
    attrs: Mapping[str, object] | None = None,
    currency: str = "£",
) -> xr.Dataset:
    """Assemble the money outcome set shared by CBA and SROI (see module docstring).

    Costs and benefits are both in ``currency``, which is therefore also the set's
    ``effect_unit``.
    """
    labels = list(lines)
    n = next(iter(lines.values()))[0].values.shape[0]
    meta: dict[str, tuple[str, str, str]] = {}
    for strategy, items in lines.items():
        for item in items:
            key = (item.party, item.direction, item.category)
            if meta.setdefault(item.label, key) != key:
                raise ModelDefinitionError(
                    f"line {item.label!r} is defined differently in strategy {strategy!r} "
                    f"(party, direction, category {key} vs {meta[item.label]}): give it another name"
                )
    names = list(meta)
    flows = np.zeros((n, len(labels), len(names), len(years)))
    flows_pv = np.zeros_like(flows)
    for j, strategy in enumerate(labels):
        for item in lines[strategy]:
            k = names.index(item.label)
            flows[:, j, k, :] += item.values
            flows_pv[:, j, k, :] += item.values * item.factors
    direction = np.array([meta[name][1] for name in names])
    is_cost = direction == "cost"
    cost_pv = row_sum(flows_pv[:, :, is_cost, :], 2)
    benefit_pv = row_sum(flows_pv[:, :, ~is_cost, :], 2)
    for j, strategy in enumerate(labels):
        bad = cost_pv[:, j] <= 0
        if bad.any():
            i = int(np.argmax(bad))
            raise ModelDefinitionError(
                f"strategy {strategy!r}: the present value of costs/investment is {cost_pv[i, j]!r} in "
                f"sample {i}; a return per £1 needs a positive cost"
            )
    dims4 = (SAMPLE, STRATEGY, LINE, YEAR)
    line_coords = {
        LINE: names,
        "party": (LINE, [meta[name][0] for name in names]),
        "direction": (LINE, direction.tolist()),
        "category": (LINE, [meta[name][2] for name in names]),
        YEAR: years.astype(int),
    }
    step_names = list(next(iter(steps.values())))
    step_values = np.stack([np.stack([steps[s][k] for k in step_names], axis=-1) for s in labels], axis=1)
    values: dict[str, object] = {
        "cost": cost_pv,
        "benefit": benefit_pv,
        "npv": benefit_pv - cost_pv,
        ratio: benefit_pv / cost_pv,
        net_ratio: (benefit_pv - cost_pv) / cost_pv,
        "cost_undiscounted": row_sum(flows[:, :, is_cost, :], 2),
        "benefit_undiscounted": row_sum(flows[:, :, ~is_cost, :], 2),
        "flows": xr.DataArray(flows, dims=dims4, coords=line_coords),
        "flows_pv": xr.DataArray(flows_pv, dims=dims4, coords=line_coords),
        "steps": xr.DataArray(step_values, dims=(SAMPLE, STRATEGY, STEP), coords={STEP: step_names}),
    }
    parties = list(dict.fromkeys(meta[name][0] for name in names))
    party_index = np.array([parties.index(meta[name][0]) for name in names])
    for label, mask in (("cost_by_stakeholder", is_cost), ("benefit_by_stakeholder", ~is_cost)):
        by_party = np.zeros((n, len(labels), len(parties), len(years)))
        np.add.at(by_party, (slice(None), slice(None), party_index[mask]), flows_pv[:, :, mask, :])
        values[label] = xr.DataArray(by_party, dims=(SAMPLE, STRATEGY, PARTY, YEAR),
                                     coords={PARTY: parties, YEAR: years.astype(int)})
    kinds = {"npv": "other", ratio: "other", net_ratio: "other", "flows": "other", "flows_pv": "other", "steps": "other",
             "cost_by_stakeholder": "other", "benefit_by_stakeholder": "other"}
    all_attrs = {"model": model, "ratio": ratio, "net_ratio": net_ratio}
    all_attrs.update(attrs or {})
    # Money models: benefits are measured in the currency, not in QALYs (make_outcomes' default).
    return make_outcomes(values, labels, cost="cost", effect=None, kinds=kinds, currency=currency, effect_unit=currency,
                         attrs=all_attrs)


def _require_money(ds: xr.Dataset) -> xr.Dataset:
    validate_outcomes(ds)
    for name in ("cost", "benefit", "flows_pv"):
        if name not in ds.data_vars:
            raise OutcomesError(
                f"outcome set has no {name!r} variable: expected the output of CBAModel.run or SROIModel.run"
            )
    return ds


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------
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
    written with :func:`benefit`, which builds the same flow:

    >>> beds = Flow("bed days avoided", "benefit", "NHS", [345.0, 345.0], years=[1, 2], quantity=120,
    ...             category="fiscal_non_cashable")
    >>> beds.years, beds.values
    ((1, 2), (345.0, 345.0))
    >>> beds == benefit("bed days avoided", "NHS", [345.0, 345.0], years=[1, 2], quantity=120,
    ...                 category="fiscal_non_cashable")
    True
    >>> round(float(CBAModel([cost("discharge team", "NHS", 60_000.0), beds], discount=0.035).run()["npv"].squeeze()), 2)
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
        years = tuple(range(len(values))) if self.years is None else tuple(self.years)
        if len(years) != len(values):
            raise ShapeError(f"{what}: mismatched lengths: values has {len(values)}, years has {len(years)}")
        years = tuple(require_year(y, f"{what}, field 'years'") for y in years)
        if len(set(years)) != len(years):
            raise ModelDefinitionError(f"{what}, field 'years': a year is given more than once: {list(years)}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "years", years)


def cost(
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
    rules. Amounts are in constant prices and never negative (a saving is a :func:`benefit`).

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
    >>> team = cost("reablement team", "council", [40_000.0, 40_000.0], quantity=2, category="fiscal_cashable")
    >>> team.direction, team.years
    ('cost', (0, 1))
    >>> out = CBAModel([team, benefit("care avoided", "council", [0.0, 90_000.0])], discount=0.035).run()
    >>> round(float(out["cost"].squeeze()), 2)
    157294.69
    """
    return Flow(name, "cost", agency, values, years, category, quantity, discount, optimism)


def benefit(
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
        Amount in each year: a number or a parameter name per year (see :func:`cost`).
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
    >>> beds = benefit("bed days avoided", "NHS", [0.0, 345.0, 345.0], quantity="bed_days", category="fiscal_non_cashable")
    >>> beds.direction, beds.quantity
    ('benefit', 'bed_days')
    >>> from healthecon.params import Parameters
    >>> draws = Parameters({"bed_days": 120}).base_case()
    >>> out = CBAModel([cost("team", "NHS", 50_000.0), beds], discount=0.035).run(draws)
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
    ...     "reablement": [cost("reablement team", "council", [120_000.0]),
    ...                    benefit("home care avoided", "council", [0.0, 90_000.0, 90_000.0])],
    ...     "telecare": [cost("alarms and monitoring", "council", [40_000.0]),
    ...                  benefit("falls admissions avoided", "NHS", [0.0, 25_000.0, 25_000.0])],
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
        uplift = require_nonnegative(resolve(self.cost_uplift, draws, n, "CBA field 'cost_uplift'"), "CBA field 'cost_uplift'")
        haircut = require_probability(
            resolve(self.benefit_haircut, draws, n, "CBA field 'benefit_haircut'"), "CBA field 'benefit_haircut'"
        )
        lines: dict[str, list[Line]] = {}
        steps: dict[str, dict[str, np.ndarray]] = {}
        for scheme in names:
            lines[scheme], steps[scheme] = self._scheme(scheme, draws, n, years, uplift, haircut)
        return build_outcomes(
            lines, steps, years, ratio="bcr", net_ratio="net_roi", model="cba",
            attrs={"discount": _rate_label(self.discount)},
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
            quantity = require_nonnegative(resolve(f.quantity, draws, n, f"{what}, field 'quantity'"), f"{what}, field 'quantity'")
            values = np.zeros((n, len(years)))
            for y, v in zip(f.years, f.values):
                amount = resolve(v, draws, n, f"{what}, year {y}")
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


def _rate_label(rate: Rate) -> str:
    return rate.name if isinstance(rate, DiscountSchedule) else f"{float(rate):.4g} constant"


# --------------------------------------------------------------------------------------------
# Analyses of money outcome sets (CBA and SROI)
# --------------------------------------------------------------------------------------------
def _ratio_name(ds: xr.Dataset, variable: str | None) -> str:
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
    >>> out = CBAModel([cost("c", "NHS", [1.0]), benefit("b", "NHS", [1.5])]).run()
    >>> acceptability(out, [1.0, 2.0]).values.ravel().tolist()
    [1.0, 0.0]
    """
    validate_outcomes(ds)
    name = _ratio_name(ds, variable)
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
        A CBA or SROI outcome set (:meth:`CBAModel.run`, :meth:`healthecon.sroi.SROIModel.run`).

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
    A council reablement team (£120,000 a year for two years) that avoids home care for the
    council and bed days for the NHS:

    >>> model = CBAModel([
    ...     cost("reablement team", "council", [120_000.0, 120_000.0], category="fiscal_cashable"),
    ...     benefit("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
    ...     benefit("bed days avoided", "NHS", [0.0, 60_000.0, 60_000.0], category="fiscal_non_cashable"),
    ... ], name="reablement", discount=0.035)
    >>> out = model.run()
    >>> payback_period(out).round(2).values
    array([[1.65]])
    """
    _require_money(ds)
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
    A council reablement team (£120,000 a year for two years) that avoids home care for the
    council and bed days for the NHS:

    >>> model = CBAModel([
    ...     cost("reablement team", "council", [120_000.0, 120_000.0], category="fiscal_cashable"),
    ...     benefit("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
    ...     benefit("bed days avoided", "NHS", [0.0, 60_000.0, 60_000.0], category="fiscal_non_cashable"),
    ... ], name="reablement", discount=0.035)
    >>> out = model.run()
    >>> switching_values(out).round(3)
                benefit_fall  cost_rise
    strategy
    reablement         0.172      0.208

    Benefits could fall by 17.2%, or costs rise by 20.8%, before the NPV reaches zero.
    """
    _require_money(ds)
    c = ds["cost"].mean(SAMPLE).values
    b = ds["benefit"].mean(SAMPLE).values
    with np.errstate(divide="ignore"):
        fall = np.where(b > 0, 1 - c / np.where(b > 0, b, 1.0), -np.inf)
    return pd.DataFrame({"benefit_fall": fall, "cost_rise": b / c - 1}, index=pd.Index(strategy_names(ds), name=STRATEGY))


def summary(ds: xr.Dataset, level: float = 0.95, target: float = 1.0) -> pd.DataFrame:
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
    A council reablement team (£120,000 a year for two years) that avoids home care for the
    council and bed days for the NHS:

    >>> model = CBAModel([
    ...     cost("reablement team", "council", [120_000.0, 120_000.0], category="fiscal_cashable"),
    ...     benefit("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
    ...     benefit("bed days avoided", "NHS", [0.0, 60_000.0, 60_000.0], category="fiscal_non_cashable"),
    ... ], name="reablement", discount=0.035)
    >>> out = model.run()
    >>> summary(out)[["pv_benefit", "pv_cost", "npv", "gross_return_per_1", "payback_years"]].round(2)
                pv_benefit    pv_cost       npv  gross_return_per_1  payback_years
    strategy
    reablement   284954.14  235942.03  49012.11                1.21           1.65
    """
    _require_money(ds)
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a number in (0, 1), got {level}")
    tail = (1 - level) / 2 * 100
    ratio = _ratio_name(ds, None)
    frame = pd.DataFrame(index=pd.Index(strategy_names(ds), name=STRATEGY))
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


def _money(value: float, currency: str) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(value):,.2f}"


def format_summary(ds: xr.Dataset, level: float = 0.95, target: float = 1.0) -> str:
    """A printable summary labelling both return conventions.

    "Gross return per £1" is benefit / cost (the "£1.20 per £1" of commissioning papers);
    "net ROI" is (benefit - cost) / cost. For an SROI outcome set the same two numbers are
    labelled as the guide names them: the SROI ratio and the net SROI ratio (Cabinet Office
    2012, section 5.3). With more than one sample, intervals and the probabilities
    ``P(NPV > 0)`` and ``P(ratio > target)`` are added.

    The same function is :func:`healthecon.sroi.format_summary`.

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
    >>> model = CBAModel([cost("reablement team", "council", [120_000.0]),
    ...                   benefit("home care avoided", "council", [0.0, "saving", "saving"])],
    ...                  name="reablement", discount=0.035)
    >>> print(format_summary(model.run(params.sample(500, seed=7))))
    reablement: PV benefits £173,230.68, PV costs £120,000.00, NPV £53,230.68 (95% interval -£15,864.84 to £132,171.31)
      gross return per £1 (benefit / cost): £1.44 (95% interval £0.87 to £2.10)
      net ROI ((benefit - cost) / cost): 44.4% (95% interval -13.2% to 110.1%)
      P(NPV > 0) = 0.942; P(return per £1 > 1) = 0.942
      payback: 1.4 years (median)

    An SROI outcome set is labelled in the guide's words:

    >>> from healthecon.sroi import ImpactMap, Outcome, Investment, SROIModel
    >>> falls = ImpactMap([Outcome("fewer falls", "older people", quantity=40, proxy=1_000.0, duration=2)],
    ...                   [Investment("council", 30_000.0)], name="falls service")
    >>> print(format_summary(SROIModel(falls, discount=0.0).run()))
    falls service: PV impact £80,000.00, PV investment £30,000.00, NPV £50,000.00
      SROI ratio (PV impact / PV investment), per £1: £2.67
      net SROI ratio ((PV impact - PV investment) / PV investment): 166.7%
      payback: 0.8 years
    """
    table = summary(ds, level, target)
    cur = ds.attrs.get("currency", "£")
    psa = ds.sizes[SAMPLE] > 1
    pct = f"{level:.0%}"
    if ds.attrs.get("model") == "sroi":
        labels = ("PV impact", "PV investment", f"SROI ratio (PV impact / PV investment), per {cur}1",
                  "net SROI ratio ((PV impact - PV investment) / PV investment)", f"SROI ratio > {target:g}")
    else:
        labels = ("PV benefits", "PV costs", f"gross return per {cur}1 (benefit / cost)",
                  "net ROI ((benefit - cost) / cost)", f"return per {cur}1 > {target:g}")
    money = lambda v: _money(v, cur)  # noqa: E731
    percent = lambda v: f"{v:.1%}"  # noqa: E731
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


def _pick(ds: xr.Dataset, strategy: str | None) -> str:
    names = strategy_names(ds)
    if strategy is None:
        if len(names) != 1:
            raise AnalysisError(f"outcome set has strategies {names}: name one with strategy=")
        return names[0]
    if strategy not in names:
        raise unknown_name("strategy", strategy, names)
    return strategy


def _grouped(ds: xr.Dataset, strategy: str | None, by: str, discounted: bool) -> pd.DataFrame:
    _require_money(ds)
    s = _pick(ds, strategy)
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
    A council reablement team (£120,000 a year for two years) that avoids home care for the
    council and bed days for the NHS:

    >>> model = CBAModel([
    ...     cost("reablement team", "council", [120_000.0, 120_000.0], category="fiscal_cashable"),
    ...     benefit("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
    ...     benefit("bed days avoided", "NHS", [0.0, 60_000.0, 60_000.0], category="fiscal_non_cashable"),
    ... ], name="reablement", discount=0.035)
    >>> out = model.run()
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
    A council reablement team (£120,000 a year for two years) that avoids home care for the
    council and bed days for the NHS:

    >>> model = CBAModel([
    ...     cost("reablement team", "council", [120_000.0, 120_000.0], category="fiscal_cashable"),
    ...     benefit("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
    ...     benefit("bed days avoided", "NHS", [0.0, 60_000.0, 60_000.0], category="fiscal_non_cashable"),
    ... ], name="reablement", discount=0.035)
    >>> out = model.run()
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
    >>> out = CBAModel([cost("team", "council", [100.0, 100.0]), benefit("beds", "NHS", [0.0, 150.0])],
    ...                discount=0.035).run()
    >>> waterfall_steps(out).round(2)
    gross benefits              150.00
    optimism bias (benefits)      0.00
    discounting (benefits)       -5.07
    costs (present value)      -196.62
    optimism bias (costs)         0.00
    Name: scheme, dtype: float64
    """
    _require_money(ds)
    s = _pick(ds, strategy)
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
    A council reablement team (£120,000 a year for two years) that avoids home care for the
    council and bed days for the NHS:

    >>> model = CBAModel([
    ...     cost("reablement team", "council", [120_000.0, 120_000.0], category="fiscal_cashable"),
    ...     benefit("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
    ...     benefit("bed days avoided", "NHS", [0.0, 60_000.0, 60_000.0], category="fiscal_non_cashable"),
    ... ], name="reablement", discount=0.035)
    >>> out = model.run()
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
    _require_money(ds)
    if by not in ("party", "category"):
        raise AnalysisError(f"by: expected 'party' or 'category', got {by!r}")
    s = _pick(ds, strategy)
    flows = ds["flows_pv" if discounted else "flows"].sel({STRATEGY: s}).mean(SAMPLE)
    sign = np.where(flows["direction"].values == "cost", -1.0, 1.0)
    frame = pd.DataFrame(flows.values.T * sign, index=pd.Index(flows[YEAR].values, name=YEAR),
                         columns=pd.MultiIndex.from_arrays([flows["direction"].values, flows[by].values],
                                                           names=["direction", by]))
    return frame.T.groupby(level=[0, 1], sort=False).sum().T + 0.0  # + 0.0 turns -0.0 into 0.0
