"""Budget impact analysis, following ISPOR good practice (Sullivan et al. 2014, *Value in Health* 17:5-14).

A budget impact analysis asks what adopting a new technology costs a budget holder year by
year, not whether it is value for money. It compares two (or more) *scenarios* -- the current
treatment mix ("world without") and a mix with the new technology ("world with") -- over a
short horizon (Sullivan et al. recommend 1-5 years), for the eligible population of one payer
or several, reported per year and in total, by payer and by cost category, **undiscounted**
(Sullivan et al., principle 10: a budget is spent in nominal money; discounting is offered as
an option for a payer who asks for it).

The calculation, for scenario ``w``, treatment ``s``, cost line ``l`` and budget year ``y``
(``y = 1..Y``; patients who start in year ``e`` are in their ``(y - e + 1)``-th year of
treatment in year ``y``)::

    entrants(e)      = eligible * (prevalence * N_1 [e = 1 only] + incidence * N_e),
                       N_e = N_1 * (1 + growth) ** (e - 1)           (population by year)
    starts(w, s, e)  = entrants(e) * share(w, s, e)                   (uptake / market share)
    budget(w, l, y)  = sum_s sum_{e <= y} starts(w, s, e) * c(l, s, y - e + 1)
    impact(w, l, y)  = budget(w, l, y) - budget(reference, l, y)

where ``c(l, s, k)`` is the cost per patient of line ``l`` in the ``k``-th year after
starting treatment ``s``, *per patient who started* (so a model's survival is already in it:
a patient who dies in year 2 costs nothing in year 3). This is the cohort-by-entry-year
(dynamic) population of Sullivan et al. (section "Eligible population"): prevalent patients
start in year 1, incident patients in the year they arise, and each entry cohort carries its
own cost profile. Per-patient costs may come from any model: direct inputs by year since
start, a Markov trace (:func:`costs_from_trace`), a partitioned survival model or a
patient-level result given as an array or ``xarray.DataArray`` of shape (sample x year since
start), or a table with one column per treatment. Cost offsets (e.g. fewer admissions) are
lines of their own (:func:`offset`), paid (saved) by their payer.

Every value may be a number, a parameter name read from the draws, or per year a list of
them, so scenarios and PSA run on the same machinery, vectorised over samples.

Outcome set: ``strategy`` holds the scenarios (the house layout, so
:func:`healthecon.outcomes.summarise` and the acceptability analyses work), and

- ``budget`` (sample, strategy, year, payer, category): money spent in each year;
- ``impact`` (sample, strategy, year, payer, category): ``budget`` minus the reference
  scenario's (zero for the reference);
- ``cost`` (sample, strategy): total budget over the horizon; ``budget_impact`` (sample,
  strategy): total impact; ``cost_undiscounted``, ``budget_impact_undiscounted``;
- ``starts`` (sample, strategy, year, treatment): patients starting each treatment.

When ``discount`` is given, ``budget``, ``impact``, ``cost`` and ``budget_impact`` are present
values (budget year 1 undiscounted, year ``y`` by ``(1 + r) ** -(y - 1)``, the HM Treasury
Green Book's timing with year 1 as "year 0 = now"); the ``_undiscounted`` totals never are.

Examples
--------
A new drug for 1,000 prevalent patients and 200 new patients a year; the drug costs £5,000 in
the first year of treatment and £2,000 after; usual care costs £1,000 a year paid by the NHS;
the drug avoids £500 a year of council-funded care:

>>> model = BudgetImpactModel(
...     population=Population(prevalent=1000, incident=200),
...     scenarios={"current": {"usual care": 1.0},
...                "with drug": {"usual care": C, "drug": [0.1, 0.2, 0.3]}},
...     costs=[patient_cost("drug", "NHS", {"drug": [5000, 2000, 2000]}),
...            patient_cost("usual care", "NHS", {"usual care": 1000, "drug": 1000}),
...            offset("social care", "council", {"drug": 500})],
...     years=3)
>>> out = model.run()
>>> impact_by_year(out, by="payer").round(0)
year            1         2         3      Total
payer
NHS      600000.0  440000.0  620000.0  1660000.0
council  -60000.0  -80000.0 -110000.0  -250000.0
Total    540000.0  360000.0  510000.0  1410000.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from ._validate import require_finite, require_nonnegative, require_unique
from .discount import DiscountSchedule, discount_factors
from .errors import AnalysisError, ModelDefinitionError, OutcomesError, ParameterError, ShapeError, unknown_name
from .formatting import format_money, format_number
from .markov import C
from .outcomes import SAMPLE, STRATEGY, make_outcomes, strategies as scenario_names

__all__ = [
    "C",
    "Population",
    "PatientCost",
    "patient_cost",
    "offset",
    "costs_from_trace",
    "BudgetImpactModel",
    "impact_by_year",
    "summary",
    "business_case_table",
]

YEAR, PAYER, CATEGORY, TREATMENT = "year", "payer", "category", "treatment"
SHARE_TOLERANCE = 1e-9

Value = float | int | str


# --------------------------------------------------------------------------------------------
# Values: numbers, parameter names, per-year lists, arrays (sample x year)
# --------------------------------------------------------------------------------------------
def _n(draws: xr.Dataset | Mapping | None) -> int:
    if draws is None:
        return 1
    if isinstance(draws, xr.Dataset):
        if SAMPLE not in draws.dims:
            raise ParameterError(f"parameter draws have no 'sample' dimension (dims: {list(draws.dims)})")
        return int(draws.sizes[SAMPLE])
    lengths = {np.shape(v)[0] if np.ndim(v) else 1 for v in draws.values()}
    return max(lengths) if lengths else 1


def _scalar(value: object, draws: xr.Dataset | Mapping | None, n: int, what: str) -> np.ndarray:
    """A number or a parameter name, as a float array of shape ``(n,)``."""
    if isinstance(value, str):
        known = list(draws.keys() if isinstance(draws, Mapping) else draws.data_vars) if draws is not None else []
        if value not in known:
            err = unknown_name("parameter", value, known)
            raise type(err)(f"{what}: {err}" + ("" if draws is not None else " (no draws were given: pass params.base_case())"))
        arr = np.asarray(draws[value], dtype=float).reshape(-1)
        require_finite(arr, f"{what} (parameter {value!r})")
        return np.broadcast_to(arr, (n,)) if arr.size == 1 else _length(arr, n, what)
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise ParameterError(f"{what}: expected a number or a parameter name, got {value!r}")
    arr = require_finite(value, what)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.ndim == 1:
        return _length(arr.astype(float), n, what)
    raise ShapeError(f"{what}: expected a number, a parameter name or an array of one value per sample, got shape {arr.shape}")


def _length(arr: np.ndarray, n: int, what: str) -> np.ndarray:
    if arr.shape != (n,):
        raise ShapeError(f"{what}: has {arr.shape[0]} values per sample, but the draws have {n} samples")
    return arr


def _by_year(value: object, draws: xr.Dataset | Mapping | None, n: int, years: int, what: str, *, longer: bool = False) -> np.ndarray:
    """A value by year as a float array of shape ``(n, years)``.

    ``value`` is a number or parameter name (the same every year); a list with one number or
    parameter name per year; an array of shape ``(k,)`` or ``(n, k)``; a ``pandas.Series`` (in
    order); or an ``xarray.DataArray`` with dims ``year`` and optionally ``sample``. With
    ``longer=True`` more than ``years`` values are accepted and the extra ones are not used
    (a lifetime cost profile read for a short budget horizon); fewer are always an error.
    """
    if isinstance(value, xr.DataArray):
        extra = set(value.dims) - {SAMPLE, YEAR}
        if YEAR not in value.dims or extra:
            raise ShapeError(f"{what}: a DataArray needs dimension 'year' and optionally 'sample'; it has {list(value.dims)}")
        value = value.transpose(*(d for d in (SAMPLE, YEAR) if d in value.dims)).values
    elif isinstance(value, pd.Series):
        value = value.to_numpy(dtype=float)
    if isinstance(value, (list, tuple)):
        columns = [_scalar(v, draws, n, f"{what}, year {k + 1}") for k, v in enumerate(value)]
        arr = np.stack(columns, axis=1) if columns else np.empty((n, 0))
    elif isinstance(value, (str, int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
        return np.repeat(_scalar(value, draws, n, what)[:, None], years, axis=1)
    else:
        arr = require_finite(value, what)
        if arr.ndim == 1:
            arr = np.broadcast_to(arr, (n, arr.shape[0]))
        elif arr.ndim != 2 or arr.shape[0] != n:
            raise ShapeError(f"{what}: expected one value per year, or an array of shape (samples={n}, years), got shape {arr.shape}")
    k = arr.shape[1]
    if k < years or (k > years and not longer):
        raise ShapeError(
            f"{what}: has {k} years of values, expected {years}"
            + (" or more (pad a profile that ends early with zeros)" if longer else " (one per budget year)")
        )
    return np.asarray(arr[:, :years], dtype=float)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Population:
    """The eligible population: patients who start treatment (enter) in each budget year.

    Parameters
    ----------
    population
        Size of the population the payer covers in year 1 (e.g. an ICB's adults); ``None``
        (default) means ``prevalent`` and ``incident`` are counts of patients, not proportions.
    prevalent
        Prevalence: patients with the condition at the start, all entering in year 1 (a
        proportion of ``population``, or a count when ``population`` is ``None``).
    incident
        Incidence: new patients arising each year (a proportion of that year's population, or
        a count); a number, a parameter name, or a list by year.
    growth
        Annual growth of the population (0.01 for 1%): ``N_y = N_1 (1 + growth) ** (y - 1)``
        (with counts, ``N_1 = 1``, so incident counts grow at this rate).
    eligible
        Proportion of those patients eligible for (diagnosed and offered) treatment.
    new_patients
        Instead of all of the above: the number of patients entering in each year, directly.

    Examples
    --------
    >>> Population(population=100_000, prevalent=0.01, incident=0.002, growth=0.05).entrants(3).round(1)
    array([[1200. ,  210. ,  220.5]])
    >>> Population(new_patients=[500, 100, 100]).entrants(3)
    array([[500., 100., 100.]])
    """

    population: Value | None = None
    prevalent: Value = 0.0
    incident: Value | Sequence[Value] = 0.0
    growth: Value = 0.0
    eligible: Value = 1.0
    new_patients: object = None

    def entrants(self, years: int, draws: xr.Dataset | Mapping | None = None) -> np.ndarray:
        """Patients entering in each budget year, an array of shape ``(n_samples, years)``.

        ``entrants_y = eligible * (prevalent * N_1 [y = 1] + incident_y * N_y)`` (see the
        module docstring); values named as parameters are read from ``draws``.
        """
        n = _n(draws)
        if self.new_patients is not None:
            defaults = {"population": None, "prevalent": 0.0, "incident": 0.0, "growth": 0.0, "eligible": 1.0}
            given = [f for f, d in defaults.items() if not (getattr(self, f) is d or (isinstance(getattr(self, f), (int, float))
                                                                                       and getattr(self, f) == d))]
            if given:
                raise ModelDefinitionError(f"population: give either new_patients or {given}, not both")
            return require_nonnegative(_by_year(self.new_patients, draws, n, years, "population: new_patients"),
                                       "population: new_patients", ModelDefinitionError)
        size = np.ones(n) if self.population is None else _scalar(self.population, draws, n, "population: population")
        require_nonnegative(size, "population: population", ModelDefinitionError)
        prevalent = _scalar(self.prevalent, draws, n, "population: prevalent")
        incident = _by_year(self.incident, draws, n, years, "population: incident")
        growth = _scalar(self.growth, draws, n, "population: growth")
        eligible = _scalar(self.eligible, draws, n, "population: eligible")
        require_nonnegative(prevalent, "population: prevalent", ModelDefinitionError)
        require_nonnegative(incident, "population: incident", ModelDefinitionError)
        for what, values in (("eligible", eligible),) + ((("prevalent", prevalent), ("incident", incident)) if self.population is not None else ()):
            if (values > 1).any():
                raise ModelDefinitionError(
                    f"population: {what} is a proportion of the population (got {float(values.max()):g} > 1); "
                    "give counts with population=None"
                )
        if (growth <= -1).any():
            raise ModelDefinitionError(f"population: growth must be above -1 (-100% a year), got {float(growth.min()):g}")
        if (growth >= 1).any():
            raise ModelDefinitionError(f"population: growth of {float(growth.max()):g} a year is {float(growth.max()):,.0%}; give a "
                                       f"fraction ({float(growth.max()) / 100:g} for {float(growth.max()):g}%)")
        sizes = size[:, None] * (1.0 + growth[:, None]) ** np.arange(years)
        out = incident * sizes
        out[:, 0] += prevalent * size
        return eligible[:, None] * out


@dataclass(frozen=True)
class PatientCost:
    """One cost line: a category paid by a payer, per patient by year since starting treatment.

    Build it with :func:`patient_cost` or :func:`offset`. ``values`` maps treatment to the
    cost per patient who started it, by year since start (year 1 first); ``sign`` is ``-1``
    for an offset (a saving).
    """

    category: str
    payer: str
    values: Mapping[str, object]
    sign: float = 1.0


def _per_treatment(values: object, what: str) -> dict[str, object]:
    """Costs per treatment from a mapping, a table (one column per treatment, one row per year
    since start) or a DataArray with a ``strategy`` or ``treatment`` dimension."""
    if isinstance(values, pd.DataFrame):
        return {str(c): values[c].to_numpy(dtype=float) for c in values.columns}
    if isinstance(values, xr.DataArray):
        dim = next((d for d in (STRATEGY, TREATMENT) if d in values.dims), None)
        if dim is None:
            raise ShapeError(f"{what}: a DataArray of costs needs a 'strategy' or 'treatment' dimension naming the treatments; it has {list(values.dims)}")
        return {str(s): values.sel({dim: s}, drop=True) for s in values[dim].values}
    if not isinstance(values, Mapping) or not values:
        raise ModelDefinitionError(f"{what}: expected a mapping of treatment to costs (or a table with one column per treatment), got {type(values).__name__}")
    return {str(k): v for k, v in values.items()}


def patient_cost(category: str, payer: str, values: object) -> PatientCost:
    """A cost per patient by year since starting treatment, paid by ``payer``.

    Parameters
    ----------
    category
        Cost category, as it should read in tables (``"drug acquisition"``, ``"hospital"``).
    payer
        Who pays (``"NHS"``, ``"council"``).
    values
        ``{treatment: costs}``, where costs are per patient who started the treatment, by year
        since start: a number (the same every year), a parameter name, a list by year (numbers
        or parameter names), an array of shape ``(years,)`` or ``(samples, years)``, or a
        DataArray with dim ``year`` (and ``sample``); or a table (``pandas.DataFrame``) with
        one column per treatment and one row per year since start; or a DataArray with a
        ``strategy`` dimension (e.g. :func:`costs_from_trace`). Treatments not listed cost 0.

    Examples
    --------
    >>> patient_cost("drug", "NHS", {"new": [5000, 2000]}).values
    {'new': [5000, 2000]}
    """
    what = f"cost line {category!r} ({payer})"
    for label, text in (("category", category), ("payer", payer)):
        if not isinstance(text, str) or not text.strip():
            raise ModelDefinitionError(f"cost line: {label} must be a non-empty name, got {text!r}")
    return PatientCost(category, payer, _per_treatment(values, what))


def offset(category: str, payer: str, values: object) -> PatientCost:
    """A cost offset: money ``payer`` saves per patient by year since starting treatment.

    ``values`` are given as positive savings (as :func:`patient_cost`) and enter the budget
    as negative spend, e.g. council care avoided by a drug that keeps people independent.

    Examples
    --------
    >>> offset("social care", "council", {"new": 500}).sign
    -1.0
    """
    line = patient_cost(category, payer, values)
    return PatientCost(line.category, line.payer, line.values, -1.0)


def costs_from_trace(outcomes: xr.Dataset, state_costs: Mapping[str, object] | object, draws: xr.Dataset | Mapping | None = None) -> xr.DataArray:
    """Cost per patient by year since start from a Markov model's trace.

    The cost of cycle ``t`` (covering ``(t - 1, t]``, cycle length ``L`` years) is
    ``L * sum_k (m_{t-1,k} + m_{t,k}) / 2 * c_k`` -- the trapezoid (life-table) method of
    Briggs et al. (2006, sec. 2.3), each state's annual cost ``c_k`` weighted by the mean of
    its occupancy at the start and end of the cycle -- and the cycles of each year are
    added. Only whole years are returned.

    Parameters
    ----------
    outcomes
        A Markov outcome set run with ``trace=True`` (per sample) or ``trace="mean"``.
    state_costs
        ``{state: annual cost}`` (numbers, parameter names or arrays per sample), or a
        function of the strategy returning such a mapping. Unlisted states cost 0.
    draws
        The draws the model was run on, when costs name parameters.

    Returns
    -------
    xarray.DataArray
        Dims ``(sample, strategy, year)`` (``(strategy, year)`` from a mean trace), year
        ``1..`` since start, ready for :func:`patient_cost`.

    Examples
    --------
    >>> from healthecon.markov import MarkovModel
    >>> model = MarkovModel(states=["well", "dead"], strategies=["usual", "new"],
    ...     transitions=lambda p, s: {"well": {"well": C, "dead": 0.5 if s == "usual" else 0.25}, "dead": {"dead": 1}},
    ...     start={"well": 1}, n_cycles=2, state_rewards={"ly": {"well": 1}})
    >>> costs_from_trace(model.run({"x": [0.0]}, trace=True), {"well": 100.0}).values.round(2).tolist()
    [[[75.0, 37.5], [87.5, 65.62]]]
    """
    if "trace" not in outcomes.data_vars:
        raise OutcomesError("costs_from_trace: the outcome set has no 'trace'; run the Markov model with trace=True or trace='mean'")
    trace = outcomes["trace"]
    length = float(outcomes.attrs.get("cycle_length", 1.0))
    per_year = round(1.0 / length)
    if length > 1 or abs(per_year * length - 1.0) > 1e-9:
        raise ModelDefinitionError(f"costs_from_trace: the cycle length {length:g} years does not divide a year into whole cycles")
    cycles = trace.sizes["cycle"] - 1
    years = cycles // per_year
    if years < 1:
        raise ModelDefinitionError(f"costs_from_trace: the trace covers {cycles} cycles of {length:g} years, less than one year")
    has_sample = SAMPLE in trace.dims
    n = trace.sizes[SAMPLE] if has_sample else 1
    states = [str(s) for s in trace["state"].values]
    out = []
    for strategy in scenario_names(outcomes):
        spec = state_costs(strategy) if callable(state_costs) else state_costs
        if not isinstance(spec, Mapping):
            raise ModelDefinitionError(f"costs_from_trace: expected {{state: annual cost}} for strategy {strategy!r}, got {type(spec).__name__}")
        m = trace.sel({STRATEGY: strategy}).transpose(*((SAMPLE,) if has_sample else ()), "cycle", "state").values
        m = m if has_sample else m[None]
        rate = np.zeros((n, len(states)))
        for state, value in spec.items():
            if state not in states:
                raise unknown_name("state", state, states)
            rate[:, states.index(state)] = _scalar(value, draws, n, f"costs_from_trace: state {state!r}, strategy {strategy!r}")
        per_cycle = length * np.einsum("ntk,nk->nt", (m[:, :-1] + m[:, 1:]) / 2, rate)
        out.append(per_cycle[:, : years * per_year].reshape(n, years, per_year).sum(axis=2))
    data = np.stack(out, axis=1)
    coords = {STRATEGY: scenario_names(outcomes), YEAR: np.arange(1, years + 1)}
    if not has_sample:
        return xr.DataArray(data[0], dims=(STRATEGY, YEAR), coords=coords)
    return xr.DataArray(data, dims=(SAMPLE, STRATEGY, YEAR), coords={SAMPLE: trace[SAMPLE].values, **coords})


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------
class BudgetImpactModel:
    """A budget impact model: eligible population x treatment mix x per-patient costs.

    Parameters
    ----------
    population
        A :class:`Population` (who enters each year).
    scenarios
        ``{scenario: {treatment: share}}``: each scenario's share (uptake, market share) of
        the patients entering each year who start each treatment; a share is a number, a
        parameter name or a list by year, and one treatment per scenario may be :data:`C`
        (the rest). Shares must add up to 1 in every year (the eligible population is split,
        not scaled); treatments not listed get 0.
    costs
        :func:`patient_cost` and :func:`offset` lines. Each (category, payer) pair once.
    years
        Budget horizon in years (Sullivan et al. recommend 1-5).
    reference
        The scenario the others are compared with (default: the first, the current mix).
    discount
        Annual discount rate or :class:`~healthecon.discount.DiscountSchedule`; default 0
        (undiscounted, as Sullivan et al. recommend).
    first_year
        Label of budget year 1 (e.g. 2026 for calendar years); years are labelled
        ``first_year, first_year + 1, ...``.
    currency, name
        Units and a name for tables and charts.

    Examples
    --------
    See the module docstring.
    """

    def __init__(
        self,
        population: Population,
        scenarios: Mapping[str, Mapping[str, object]],
        costs: Sequence[PatientCost],
        *,
        years: int,
        reference: str | None = None,
        discount: float | DiscountSchedule = 0.0,
        first_year: int = 1,
        currency: str = "£",
        name: str = "budget impact",
    ) -> None:
        if not isinstance(population, Population):
            raise ModelDefinitionError(f"population: expected a Population, got {type(population).__name__}")
        if isinstance(years, (bool, np.bool_)) or not isinstance(years, (int, np.integer)) or years < 1:
            raise ModelDefinitionError(f"years: expected a whole number of budget years >= 1, got {years!r}")
        if not isinstance(scenarios, Mapping) or len(scenarios) < 1:
            raise ModelDefinitionError("scenarios: expected a mapping of scenario name to {treatment: share}, e.g. {'current': {...}, 'new': {...}}")
        self.scenarios = {str(k): dict(v) for k, v in scenarios.items()}
        require_unique(list(self.scenarios), "scenarios", ModelDefinitionError)
        self.reference = next(iter(self.scenarios)) if reference is None else reference
        if self.reference not in self.scenarios:
            raise unknown_name("reference scenario", self.reference, list(self.scenarios))
        costs = list(costs)
        if not costs or not all(isinstance(c, PatientCost) for c in costs):
            raise ModelDefinitionError("costs: expected a list of patient_cost(...) / offset(...) lines")
        pairs = [(c.category, c.payer) for c in costs]
        for pair in pairs:
            if pairs.count(pair) > 1:
                raise ModelDefinitionError(f"costs: category {pair[0]!r} paid by {pair[1]!r} is given twice; add the values into one line")
        treatments = list(dict.fromkeys([t for shares in self.scenarios.values() for t in shares] + [t for c in costs for t in c.values]))
        in_scenarios = {t for shares in self.scenarios.values() for t in shares}
        costed = {t for c in costs for t in c.values}
        for t in treatments:
            if t not in costed:
                raise ModelDefinitionError(f"treatment {t!r} has a share in a scenario but no cost line; give it a cost of 0 if it costs nothing")
            if t not in in_scenarios:
                raise ModelDefinitionError(f"treatment {t!r} has costs but no share in any scenario (known: {sorted(in_scenarios)}); check its spelling")
        for scenario, shares in self.scenarios.items():
            if sum(v is C for v in shares.values()) > 1:
                raise ModelDefinitionError(f"scenario {scenario!r}: more than one treatment's share is C (the rest)")
        if not isinstance(discount, DiscountSchedule):
            discount_factors(0, discount)  # validates the rate
        self.population, self.costs, self.years = population, costs, int(years)
        self.treatments = tuple(treatments)
        self.discount, self.first_year, self.currency, self.name = discount, int(first_year), currency, name

    @property
    def strategies(self) -> tuple[str, ...]:
        """The scenarios (the outcome set's ``strategy`` dimension)."""
        return tuple(self.scenarios)

    def __repr__(self) -> str:
        return (f"BudgetImpactModel(scenarios={list(self.scenarios)}, treatments={list(self.treatments)}, years={self.years}, "
                f"lines={[(c.category, c.payer) for c in self.costs]})")

    def shares(self, draws: xr.Dataset | Mapping | None = None) -> np.ndarray:
        """Shares by scenario, treatment, sample and year: shape ``(W, S, n, Y)``, checked to add to 1."""
        n, Y = _n(draws), self.years
        out = np.zeros((len(self.scenarios), len(self.treatments), n, Y))
        for w, (scenario, spec) in enumerate(self.scenarios.items()):
            rest = None
            for treatment, value in spec.items():
                s = self.treatments.index(treatment)
                if value is C:
                    rest = s
                    continue
                share = _by_year(value, draws, n, Y, f"scenario {scenario!r}: share of {treatment!r}")
                _check_share(share, f"scenario {scenario!r}: share of {treatment!r}", self.first_year)
                out[w, s] = share
            if rest is not None:
                out[w, rest] = 1.0 - out[w].sum(axis=0)
                out[w, rest][np.abs(out[w, rest]) <= SHARE_TOLERANCE] = 0.0
                _check_share(out[w, rest], f"scenario {scenario!r}: share of {self.treatments[rest]!r} (the rest, C)", self.first_year)
            total = out[w].sum(axis=0)
            bad = np.abs(total - 1.0) > SHARE_TOLERANCE
            if bad.any():
                i, y = np.argwhere(bad)[0]
                raise ModelDefinitionError(
                    f"scenario {scenario!r}: shares add up to {total[i, y]:.6g} in year {self.first_year + y} (sample {i}), "
                    "expected 1: the eligible population is split between treatments (use C for the rest)"
                )
        return out

    def run(self, draws: xr.Dataset | Mapping | None = None, *, strategies: Sequence[str] | None = None) -> xr.Dataset:
        """Budgets and budget impact of every scenario, for every sample.

        Parameters
        ----------
        draws
            Parameter draws (``Parameters.sample`` or ``base_case``), needed when values name
            parameters; ``None`` for a model of numbers only.
        strategies
            Scenarios to return (default all); the reference is always computed.

        Returns
        -------
        xarray.Dataset
            The outcome set described in the module docstring.
        """
        n, Y = _n(draws), self.years
        names = list(self.strategies) if strategies is None else [strategies] if isinstance(strategies, str) else list(strategies)
        for s in names:
            if s not in self.scenarios:
                raise unknown_name("scenario", s, list(self.scenarios))
        entrants = self.population.entrants(Y, draws)
        starts = entrants[None, None] * self.shares(draws)  # (W, S, n, Y)
        per_patient = np.zeros((len(self.costs), len(self.treatments), n, Y))
        for l, line in enumerate(self.costs):
            for treatment, value in line.values.items():
                what = f"cost line {line.category!r} ({line.payer}), treatment {treatment!r}"
                values = _by_year(value, draws, n, Y, what, longer=True)
                require_nonnegative(values, what + (" (an offset's savings are given as positive numbers)" if line.sign < 0 else
                                                    " (give savings with offset())"), ModelDefinitionError)
                per_patient[l, self.treatments.index(treatment)] = line.sign * values
        # budget(w, l, y) = sum_s sum_{e <= y} starts(w, s, e) * c(l, s, y - e): each entry cohort's profile
        by_line = np.zeros((len(self.scenarios), len(self.costs), n, Y))
        for e in range(Y):
            by_line[..., e:] += np.einsum("wsn,lsnk->wlnk", starts[..., e], per_patient[..., : Y - e])
        payers = list(dict.fromkeys(c.payer for c in self.costs))
        categories = list(dict.fromkeys(c.category for c in self.costs))
        spend = np.zeros((n, len(self.scenarios), Y, len(payers), len(categories)))
        for l, line in enumerate(self.costs):
            spend[..., payers.index(line.payer), categories.index(line.category)] = by_line[:, l].transpose(1, 0, 2)
        factors = discount_factors(np.arange(Y, dtype=float), self.discount)
        budget = spend * factors[:, None, None]
        ref = list(self.scenarios).index(self.reference)
        impact = budget - budget[:, ref : ref + 1]
        undiscounted = spend.sum(axis=(2, 3, 4))
        keep = [list(self.scenarios).index(s) for s in names]
        coords = {YEAR: np.arange(self.first_year, self.first_year + Y), PAYER: payers, CATEGORY: categories}
        dims = (SAMPLE, STRATEGY, YEAR, PAYER, CATEGORY)
        values = {
            "cost": budget.sum(axis=(2, 3, 4))[:, keep],
            "cost_undiscounted": undiscounted[:, keep],
            "budget_impact": impact.sum(axis=(2, 3, 4))[:, keep],
            "budget_impact_undiscounted": (undiscounted - undiscounted[:, ref : ref + 1])[:, keep],
            "budget": xr.DataArray(budget[:, keep], dims=dims, coords=coords),
            "impact": xr.DataArray(impact[:, keep], dims=dims, coords=coords),
            "starts": xr.DataArray(starts[keep].transpose(2, 0, 3, 1), dims=(SAMPLE, STRATEGY, YEAR, TREATMENT),
                                   coords={YEAR: coords[YEAR], TREATMENT: list(self.treatments)}),
        }
        kinds = {"budget_impact": "cost", "budget_impact_undiscounted": "cost", "budget": "cost", "impact": "cost", "starts": "other"}
        rate = self.discount.name if isinstance(self.discount, DiscountSchedule) else float(self.discount)
        attrs = {"model": self.name, "kind": "budget impact", "reference": self.reference, "discount": rate,
                 "years": Y, "first_year": self.first_year}
        ds = make_outcomes(values, names, cost="cost", effect=None, kinds=kinds, currency=self.currency, effect_unit="", attrs=attrs)
        labels = {"cost": "Total budget", "budget_impact": "Budget impact", "budget": "Budget by year",
                  "impact": "Budget impact by year", "starts": "Patients starting treatment"}
        for var, label in labels.items():
            ds[var].attrs["label"] = label
        return ds


def _check_share(share: np.ndarray, what: str, first_year: int) -> None:
    bad = (share < -SHARE_TOLERANCE) | (share > 1 + SHARE_TOLERANCE)
    if bad.any():
        i, y = np.argwhere(bad)[0]
        raise ModelDefinitionError(f"{what}: {share[i, y]:.6g} in year {first_year + y} (sample {i}) is not a proportion in [0, 1]")


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def _require_bia(ds: xr.Dataset) -> xr.Dataset:
    if not isinstance(ds, xr.Dataset) or "impact" not in ds.data_vars or "budget" not in ds.data_vars:
        raise OutcomesError("expected a budget impact outcome set (BudgetImpactModel.run), with variables 'budget' and 'impact'")
    return ds


def _scenario(ds: xr.Dataset, scenario: str | None) -> str:
    names = scenario_names(ds)
    if scenario is not None:
        if scenario not in names:
            raise unknown_name("scenario", scenario, names)
        return scenario
    others = [s for s in names if s != ds.attrs.get("reference")]
    if len(others) != 1:
        raise AnalysisError(f"several scenarios are compared with {ds.attrs.get('reference')!r}: name one of {others}")
    return others[0]


def impact_by_year(ds: xr.Dataset, scenario: str | None = None, by: str | None = "payer", variable: str = "impact") -> pd.DataFrame:
    """Mean budget impact (or budget) by year and by payer or cost category, with totals.

    Parameters
    ----------
    ds
        A budget impact outcome set.
    scenario
        The scenario (default: the one scenario other than the reference).
    by
        ``"payer"``, ``"category"`` or ``None`` (the total only).
    variable
        ``"impact"`` (default) or ``"budget"``.

    Returns
    -------
    pandas.DataFrame
        Rows: each payer or category and ``"Total"``; columns: each year and ``"Total"``.
    """
    _require_bia(ds)
    if by not in (PAYER, CATEGORY, None):
        raise AnalysisError(f"by: expected 'payer', 'category' or None, got {by!r}")
    if variable not in ("impact", "budget"):
        raise AnalysisError(f"variable: expected 'impact' or 'budget', got {variable!r}")
    data = ds[variable].sel({STRATEGY: _scenario(ds, scenario)}).mean(SAMPLE)
    other = [d for d in (PAYER, CATEGORY) if d != by]
    table = data.sum(other).transpose(*((by,) if by else ()), YEAR).to_pandas() if by else data.sum((PAYER, CATEGORY)).to_pandas().to_frame("Total").T
    if by:
        table.loc["Total"] = table.sum(axis=0)
    table["Total"] = table.sum(axis=1)
    table.columns.name = YEAR
    return table


def summary(ds: xr.Dataset, level: float = 0.95) -> pd.DataFrame:
    """Budget and budget impact by scenario and year: mean and equal-tailed ``level`` interval.

    Returns
    -------
    pandas.DataFrame
        Index ``(scenario, year)`` with a ``"Total"`` year; columns ``budget``,
        ``impact``, ``impact_lower``, ``impact_upper``.

    Examples
    --------
    >>> model = BudgetImpactModel(Population(new_patients=[10, 10]), {"now": {"a": 1.0}, "new": {"a": 0.5, "b": C}},
    ...     [patient_cost("drug", "NHS", {"a": 100, "b": 300})], years=2)
    >>> summary(model.run()).loc["new"]
           budget  impact  impact_lower  impact_upper
    year
    1      2000.0  1000.0        1000.0        1000.0
    2      4000.0  2000.0        2000.0        2000.0
    Total  6000.0  3000.0        3000.0        3000.0
    """
    _require_bia(ds)
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a number in (0, 1), got {level}")
    tail = (1 - level) / 2
    budget = ds["budget"].sum((PAYER, CATEGORY))
    impact = ds["impact"].sum((PAYER, CATEGORY))
    budget = xr.concat([budget, budget.sum(YEAR).expand_dims({YEAR: ["Total"]})], dim=YEAR)
    impact = xr.concat([impact, impact.sum(YEAR).expand_dims({YEAR: ["Total"]})], dim=YEAR)
    years = [str(y) for y in budget[YEAR].values]
    rows = []
    for scenario in scenario_names(ds):
        b = budget.sel({STRATEGY: scenario}).transpose(SAMPLE, YEAR).values
        i = impact.sel({STRATEGY: scenario}).transpose(SAMPLE, YEAR).values
        low, high = np.quantile(i, [tail, 1 - tail], axis=0)
        rows += [(scenario, y, b[:, k].mean(), i[:, k].mean(), low[k], high[k]) for k, y in enumerate(years)]
    frame = pd.DataFrame(rows, columns=["scenario", YEAR, "budget", "impact", "impact_lower", "impact_upper"])
    return frame.set_index(["scenario", YEAR])


def business_case_table(ds: xr.Dataset, scenario: str | None = None, *, by: str = "payer", level: float = 0.95) -> pd.DataFrame:
    """The budget impact table of a business case: text, human labels, money in whole pounds.

    Rows: patients starting each treatment under ``scenario``; the budget under the
    reference and under ``scenario``; the budget impact for each payer (or cost category)
    and in total; and, for a PSA, the ``level`` interval of the total. Columns: each budget
    year and the total. Means over samples; costs as the model was run (undiscounted unless
    it was given a discount rate, which the last row then states).

    Examples
    --------
    >>> model = BudgetImpactModel(Population(new_patients=[10, 10]), {"now": {"a": 1.0}, "new": {"a": 0.5, "b": C}},
    ...     [patient_cost("drug", "NHS", {"a": 100, "b": 300})], years=2)
    >>> business_case_table(model.run())
                               Year 1  Year 2   Total
    Patients starting a (new)       5       5      10
    Patients starting b (new)       5       5      10
    Budget: now                £1,000  £2,000  £3,000
    Budget: new                £2,000  £4,000  £6,000
    Budget impact: NHS         £1,000  £2,000  £3,000
    Budget impact, total       £1,000  £2,000  £3,000
    """
    _require_bia(ds)
    chosen = _scenario(ds, scenario)
    currency = ds.attrs.get("currency", "£")
    reference = ds.attrs.get("reference")
    years = [f"Year {y}" if ds.attrs.get("first_year", 1) == 1 else str(y) for y in ds[YEAR].values]
    columns = years + ["Total"]
    rows: dict[str, list[str]] = {}
    starts = ds["starts"].sel({STRATEGY: chosen}).mean(SAMPLE).transpose(TREATMENT, YEAR)
    for treatment in starts[TREATMENT].values:
        values = starts.sel({TREATMENT: treatment}).values
        rows[f"Patients starting {treatment} ({chosen})"] = [format_number(v, decimals=0) for v in [*values, values.sum()]]
    for name in (reference, chosen):
        values = impact_by_year(ds, name, by=None, variable="budget").loc["Total"]
        rows[f"Budget: {name}"] = [format_money(v, currency) for v in values]
    table = impact_by_year(ds, chosen, by=by)
    for group in table.index[:-1]:
        rows[f"Budget impact: {group}"] = [format_money(v, currency) for v in table.loc[group]]
    rows["Budget impact, total"] = [format_money(v, currency) for v in table.loc["Total"]]
    if ds.sizes[SAMPLE] > 1:
        interval = summary(ds, level).loc[chosen]
        rows[f"Budget impact, {level:.0%} interval"] = [f"{format_money(lo, currency)} to {format_money(hi, currency)}"
                                                       for lo, hi in zip(interval["impact_lower"], interval["impact_upper"])]
    rate = ds.attrs.get("discount", 0.0)
    if rate not in (0, 0.0):
        rows["Discounting"] = [f"{rate:.1%} a year" if isinstance(rate, float) else str(rate)] + [""] * (len(columns) - 1)
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)
