"""Cash-flow machinery shared by the money models (:mod:`healthecon.cba`, :mod:`healthecon.sroi`).

Both models turn lines of yearly amounts (costs, benefits, outcomes valued in money,
investments) into one outcome layout; this module holds what they share:

- :func:`n_draws`, :func:`resolve_value`, :func:`require_year`: reading a model's fields
  (a number, or a parameter name looked up in the PSA draws; never evaluated) and years;
- :func:`row_sum`, :func:`present_value`: present values ``PV = sum_t x_t D(t)`` (HM Treasury
  Green Book 2022, Annex A6), summed in a fixed order so that a base case and a PSA of the
  same inputs agree bit for bit;
- :class:`Line` and :func:`build_outcomes`: the money outcome set (layout below), and
  :func:`validate_money_outcomes`, which the analyses of :mod:`healthecon.appraisal` call.

Outcome set layout: ``cost``, ``benefit`` (present values), ``npv``, a ratio (``bcr`` for CBA,
``sroi_ratio`` for SROI) and a net ratio (``net_roi``, ``net_sroi``), ``cost_undiscounted``,
``benefit_undiscounted`` with dims ``(sample, strategy)``; ``flows`` and ``flows_pv`` with dims
``(sample, strategy, line, year)``, where each line carries coordinates ``party`` (the agency,
stakeholder or funder), ``direction`` (``"cost"``/``"benefit"``) and ``category``;
``cost_by_stakeholder`` and ``benefit_by_stakeholder`` (present values, dims ``sample,
strategy, stakeholder, year``: who pays and who gains, by year); and ``steps`` (``sample,
strategy, step``), the waterfall from gross value to NPV. Dataset attrs ``ratio`` and
``net_ratio`` name the two ratio variables; ``model`` is ``"cba"`` or ``"sroi"``.

May import: :mod:`healthecon.errors`, :mod:`healthecon._validate`, :mod:`healthecon.discount`,
:mod:`healthecon.outcomes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ._validate import require_finite
from .discount import DiscountSchedule
from .errors import ModelDefinitionError, OutcomesError, ParameterError, ShapeError, unknown_name
from .outcomes import SAMPLE, STRATEGY, make_outcomes, validate_outcomes

__all__ = [
    "CATEGORIES",
    "DIRECTIONS",
    "Line",
    "MAX_YEAR",
    "Rate",
    "Value",
    "build_outcomes",
    "n_draws",
    "present_value",
    "rate_label",
    "require_year",
    "resolve_value",
    "row_sum",
    "validate_money_outcomes",
]

#: Kinds of cost and benefit (Green Book 2022, para. 6.8-6.11; HM Treasury / New Economy CBA
#: guidance for local partnerships, 2014, section 3).
CATEGORIES = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")
DIRECTIONS = ("cost", "benefit")
LINE, YEAR, STEP, STAKEHOLDER = "line", "year", "step", "stakeholder"

#: A model field: a number, or the name of a parameter in the PSA draws.
Value = float | int | str
#: A discount rate: a constant annual rate or a schedule.
Rate = float | DiscountSchedule


def n_draws(draws: xr.Dataset | None) -> int:
    """Number of samples in ``draws`` (1 when ``draws`` is ``None``: a deterministic run)."""
    if draws is None:
        return 1
    if SAMPLE not in draws.dims:
        raise ParameterError(f"parameter draws have no 'sample' dimension (dims: {list(draws.dims)})")
    return int(draws.sizes[SAMPLE])


def resolve_value(value: Value, draws: xr.Dataset | None, n: int, what: str) -> np.ndarray:
    """A field as a float array of shape ``(n,)``: a number, or a parameter name in ``draws``.

    Nothing is evaluated: a string is only ever a parameter name looked up in ``draws``.
    """
    if isinstance(value, str):
        if draws is None or value not in draws.data_vars:
            known = list(draws.data_vars) if draws is not None else []
            err = unknown_name("parameter", value, known)
            raise type(err)(f"{what}: {err}" + ("" if draws is not None else " (no draws were given)"))
        arr = require_finite(draws.variables[value].values, f"{what} (parameter {value!r})")  # no DataArray needed
        if arr.shape != (n,):
            raise ShapeError(f"{what}: parameter {value!r} has shape {arr.shape}, expected ({n},)")
        return arr.astype(float)
    if isinstance(value, bool):
        raise ParameterError(f"{what}: expected a number or a parameter name, got {value!r}")
    arr = require_finite(value, what)
    if arr.ndim != 0:
        raise ParameterError(f"{what}: expected a single number or a parameter name, got an array")
    return np.full(n, float(arr))


#: The largest year offset (or duration) a money model accepts. Years count from the start of
#: the appraisal (year 0 = now); a number as large as a calendar year (2024) is refused rather
#: than read as 2,024 years from now, which would discount it to nothing.
MAX_YEAR = 500


def require_year(value: object, what: str, minimum: int = 0) -> int:
    """An integer year offset in ``[minimum, MAX_YEAR]`` (whole numbers given as floats are accepted).

    Raises
    ------
    ModelDefinitionError
        For anything else; a calendar year (e.g. 2024) gets a message saying that years count
        from the start of the appraisal.

    Examples
    --------
    >>> require_year(3.0, "flow 'beds', field 'years'")
    3
    >>> require_year(2024, "flow 'beds', field 'years'")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: flow 'beds', field 'years': 2024 looks like a calendar year, ...
    """
    if isinstance(value, bool):
        raise ModelDefinitionError(f"{what}: expected a whole number of years, got {value!r}")
    try:
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ModelDefinitionError(f"{what}: expected a whole number of years, got {value!r}") from None
    if not np.isfinite(as_float) or as_float != int(as_float) or as_float < minimum:
        raise ModelDefinitionError(f"{what}: expected a whole number of years >= {minimum}, got {value!r}")
    if as_float > MAX_YEAR:
        raise ModelDefinitionError(
            f"{what}: {value!r} looks like a calendar year, but years here count from the start of the appraisal "
            f"(year 0 = now, undiscounted; at most {MAX_YEAR}): subtract the first year, e.g. 2025 in an appraisal "
            f"starting in 2024 is year 1"
        )
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
    >>> from healthecon.discount import discount_factors
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
    position = {name: k for k, name in enumerate(names)}
    flows = np.zeros((n, len(labels), len(names), len(years)))
    flows_pv = np.zeros_like(flows)
    for j, strategy in enumerate(labels):
        for item in lines[strategy]:
            k = position[item.label]
            flows[:, j, k, :] += item.values
            flows_pv[:, j, k, :] += item.values * item.factors
    for j, strategy in enumerate(labels if not np.isfinite(flows_pv).all() else ()):  # find the culprit only if there is one
        bad = ~np.isfinite(flows_pv[:, j]).all(axis=(1, 2))
        if bad.any():
            k = int(np.argwhere(~np.isfinite(flows_pv[int(np.argmax(bad)), j]))[0][0])
            raise ModelDefinitionError(
                f"strategy {strategy!r}, line {names[k]!r}: an amount overflows floating point in {int(bad.sum())} of "
                f"{n} samples (amount x quantity beyond 1.8e308); check the units of its values and quantity"
            )
    direction = np.array([meta[name][1] for name in names])
    is_cost = direction == "cost"
    cost_pv = row_sum(flows_pv[:, :, is_cost, :], 2)
    benefit_pv = row_sum(flows_pv[:, :, ~is_cost, :], 2)
    for label, total in (("costs", cost_pv), ("benefits", benefit_pv), ("net present value", benefit_pv - cost_pv)):
        if not np.isfinite(total).all():
            j = int(np.argwhere(~np.isfinite(total))[0][1])
            raise ModelDefinitionError(f"strategy {labels[j]!r}: the present value of {label} overflows floating "
                                       f"point; check the units of the amounts")
    for j, strategy in enumerate(labels if (cost_pv <= 0).any() else ()):
        bad = cost_pv[:, j] <= 0
        if bad.any():
            i = int(np.argmax(bad))
            raise ModelDefinitionError(
                f"strategy {strategy!r}: the present value of costs/investment is {cost_pv[i, j]!r} in "
                f"sample {i} ({int(bad.sum())} of {bad.size} samples); a return per £1 needs a positive cost"
            )
    dims4 = (SAMPLE, STRATEGY, LINE, YEAR)
    step_names = list(next(iter(steps.values())))
    step_values = np.stack([np.stack([steps[s][k] for k in step_names], axis=-1) for s in labels], axis=1)
    parties = list(dict.fromkeys(meta[name][0] for name in names))
    # Variables (no coordinates of their own) and the coordinates once, in one Dataset: building
    # a DataArray per variable and aligning them costs more than the sums (issue 15, start-up)
    coords = {
        LINE: names,
        "party": (LINE, [meta[name][0] for name in names]),
        "direction": (LINE, direction.tolist()),
        "category": (LINE, [meta[name][2] for name in names]),
        YEAR: years.astype(int),
        STEP: step_names,
        STAKEHOLDER: parties,
    }
    values: dict[str, object] = {
        "cost": cost_pv,
        "benefit": benefit_pv,
        "npv": benefit_pv - cost_pv,
        ratio: benefit_pv / cost_pv,
        net_ratio: (benefit_pv - cost_pv) / cost_pv,
        "cost_undiscounted": row_sum(flows[:, :, is_cost, :], 2),
        "benefit_undiscounted": row_sum(flows[:, :, ~is_cost, :], 2),
        "flows": xr.Variable(dims4, flows),
        "flows_pv": xr.Variable(dims4, flows_pv),
        "steps": xr.Variable((SAMPLE, STRATEGY, STEP), step_values),
    }
    party_index = [parties.index(meta[name][0]) for name in names]
    for label, mask in (("cost_by_stakeholder", is_cost), ("benefit_by_stakeholder", ~is_cost)):
        by_party = np.zeros((n, len(labels), len(parties), len(years)))
        for k in np.flatnonzero(mask):  # line by line, in line order: the sums np.add.at would give, bit for bit
            by_party[:, :, party_index[k], :] += flows_pv[:, :, k, :]
        values[label] = xr.Variable((SAMPLE, STRATEGY, STAKEHOLDER, YEAR), by_party)
    kinds = {"npv": "other", ratio: "other", net_ratio: "other", "flows": "other", "flows_pv": "other", "steps": "other",
             "cost_by_stakeholder": "other", "benefit_by_stakeholder": "other"}
    all_attrs = {"model": model, "ratio": ratio, "net_ratio": net_ratio}
    all_attrs.update(attrs or {})
    # Money models: benefits are measured in the currency, not in QALYs (make_outcomes' default).
    return make_outcomes(values, labels, cost="cost", effect=None, kinds=kinds, currency=currency, effect_unit=currency,
                         attrs=all_attrs, coords=coords)


def validate_money_outcomes(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` if it is a money outcome set (of :meth:`CBAModel.run` or :meth:`SROIModel.run`).

    Raises
    ------
    OutcomesError
        If ``ds`` is not a valid outcome set or lacks ``cost``, ``benefit`` or ``flows_pv``.
    """
    validate_outcomes(ds)
    for name in ("cost", "benefit", "flows_pv"):
        if name not in ds.data_vars:
            raise OutcomesError(
                f"outcome set has no {name!r} variable: expected the output of CBAModel.run or SROIModel.run"
            )
    return ds


def rate_label(rate: Rate) -> str:
    """The discount rate as written in an outcome set's attrs: a schedule's name or ``"0.035 constant"``.

    Examples
    --------
    >>> rate_label(0.035)
    '0.035 constant'
    """
    return rate.name if isinstance(rate, DiscountSchedule) else f"{float(rate):.4g} constant"
