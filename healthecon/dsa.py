"""Deterministic sensitivity analysis: one-way (tornado), two-way, threshold and scenarios.

:func:`one_way` varies named parameters; :func:`one_way_impact_map` varies the fields of an
SROI impact map (its proxies and deductions, usually plain numbers) through it. May import:
:mod:`healthecon.cea`, :mod:`healthecon.outcomes`, the model modules' public names.

Works on any model with ``strategies`` and ``run(draws)`` (Markov, decision tree, SROI, CBA or
your own). Every analysis builds one parameter Dataset whose ``sample`` rows are the
deterministic runs it needs (the base case, each parameter at its low and its high value, each
point of a grid, each scenario) and runs the model once on it, so the model's vectorised
engine evaluates the whole analysis in one pass.

Ranges default to each parameter's equal-tailed ``level`` interval from its distribution
(:meth:`healthecon.params.Parameters.ranges`), the approach recommended when distributions are
available (Briggs et al. 2006, section 4.1; Briggs, Weinstein, Fenwick et al. 2012, *Model
parameter estimation and uncertainty analysis*, ISPOR-SMDM Task Force 6, Med Decis Making
32:722-732), or are given by the user.

References
----------
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*.
Oxford University Press, ch. 4 and 5.
Drummond MF, Sculpher MJ, Claxton K, Stoddart GL, Torrance GW (2015). *Methods for the
Economic Evaluation of Health Care Programmes*, 4th ed. Oxford University Press, ch. 11.

Examples
--------
A model whose new strategy costs ``c_new`` and gains 0.1 QALY over usual care (cost 1000):

>>> import numpy as np, xarray as xr
>>> from healthecon.outcomes import make_outcomes
>>> class Toy:
...     strategies = ("usual", "new")
...     def run(self, draws, *, strategies=None):
...         c = draws["c_new"].values
...         cost = np.column_stack([np.full_like(c, 1000.0), c])
...         qaly = np.column_stack([np.full_like(c, 1.0), 1.0 + draws["gain"].values])
...         return make_outcomes({"cost": cost, "qaly": qaly}, self.strategies, effect="qaly")
>>> base = xr.Dataset({"c_new": ("sample", [2500.0]), "gain": ("sample", [0.1])})
>>> table = one_way(Toy(), base, ranges={"c_new": (2000, 4000), "gain": (0.05, 0.2)}, wtp=20000)
>>> table[["low", "high", "outcome_low", "outcome_high"]]
               low    high  outcome_low  outcome_high
parameter
gain          0.05     0.2       -500.0        2500.0
c_new      2000.00  4000.0       1000.0       -1000.0
>>> print(threshold(Toy(), base, "c_new", bounds=(2000, 4000), wtp=20000))
c_new = 3000 at WTP £20,000 per QALY: 'new' is optimal below and 'usual' above
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .cea import net_benefit
from .distributions import Dirichlet
from .errors import AnalysisError, HealthEconError, ParameterError, unknown_name
from .flows import resolve_value
from .outcomes import SAMPLE, STRATEGY, cost_effect
from .outcomes import strategies as strategy_labels
from .params import Parameters
from .sroi import DEDUCTIONS, NUMERIC_FIELDS, SROIModel

__all__ = ["one_way", "one_way_impact_map", "two_way", "threshold", "scenarios", "Threshold", "declared_labels_and_units"]


class _First:
    def __repr__(self) -> str:
        return "first strategy"


FIRST: Any = _First()
"""Default ``comparator``: the model's first strategy."""


# --------------------------------------------------------------------------- building runs


def _base_case(params: object) -> xr.Dataset:
    """The one-sample base-case Dataset of a ``Parameters`` object (or a base-case Dataset)."""
    if isinstance(params, xr.Dataset):
        base = params
    elif hasattr(params, "base_case"):
        base = params.base_case()
    else:
        raise ParameterError(f"params: expected Parameters or a base-case xarray.Dataset, got {type(params).__name__}")
    if base.sizes.get(SAMPLE) != 1:
        raise ParameterError(f"params: the base case must have exactly one sample, got {base.sizes.get(SAMPLE)}")
    return base


def _check_value(params: object, base: xr.Dataset, name: str, values: Sequence[float], what: str) -> None:
    """Raise unless ``name`` is a parameter and every value is finite and in its support."""
    if name not in base.data_vars:
        raise unknown_name("parameter", name, list(base.data_vars))
    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).all():
        raise ParameterError(f"{what} for parameter {name!r}: expected finite numbers, got {values.tolist()}")
    dist = params[name] if not isinstance(params, xr.Dataset) and name in params else None  # type: ignore[index, operator]
    support = getattr(dist, "support", None)
    if support is None or getattr(dist, "sd", 1.0) == 0:  # fixed values may be varied freely
        return
    lo, hi = support
    bad = values[(values < lo) | (values > hi)]
    if bad.size:
        raise ParameterError(
            f"{what} for parameter {name!r}: {bad[0]:g} lies outside the support [{lo:g}, {hi:g}] of its "
            f"distribution {dist.describe()}"
        )


def _rows(base: xr.Dataset, changes: Sequence[Mapping[str, float]], kind: str) -> xr.Dataset:
    """A Dataset with one sample per entry of ``changes``: the base case with those values set."""
    m = len(changes)
    variables = base.variables  # Variables, not DataArrays: this runs for every analysis
    columns = {name: np.repeat(np.asarray(variables[name].values, dtype=float), m) for name in base.data_vars}
    for i, change in enumerate(changes):
        for name, value in change.items():
            columns[name][i] = value
    data = {name: (SAMPLE, values, variables[name].attrs) for name, values in columns.items()}
    return xr.Dataset(data, coords={SAMPLE: np.arange(m)}, attrs=dict(base.attrs) | {"kind": kind})


def _run(model: object, rows: xr.Dataset, changes: Sequence[Mapping[str, float]]) -> xr.Dataset:
    """The model's run of ``rows`` (made from ``changes`` by :func:`_rows`); an error naming one of
    its samples says which values that sample was run with (it is not a PSA sample)."""
    if not hasattr(model, "run") or not hasattr(model, "strategies"):
        raise AnalysisError(f"model: expected an object with .strategies and .run(draws), got {type(model).__name__}")
    try:
        return model.run(rows)  # type: ignore[attr-defined]
    except HealthEconError as err:
        found = re.search(r"\bsample (\d+)\b", str(err.args[0]) if err.args else "")
        i = int(found.group(1)) if found else -1
        if err.args and 0 <= i < len(changes):
            what = ", ".join(f"{name} = {value:g}" for name, value in changes[i].items()) or "the base-case values"
            err.args = (f"{err.args[0]} (sample {i} of this {rows.attrs.get('kind', 'analysis')} analysis is the run with {what})",
                        *err.args[1:])
        raise


def _ranges(
    params: object,
    base: xr.Dataset,
    parameters: Sequence[str] | None,
    ranges: Mapping[str, tuple[float, float]] | None,
    level: float,
) -> dict[str, tuple[float, float]]:
    """Low and high value of each parameter: user ranges first, else distribution intervals."""
    if isinstance(parameters, str):
        parameters = [parameters]  # one name, not its letters
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise ParameterError(f"level: expected the probability held by each range, in (0, 1) (0.95 for 95%), got {level!r}")
    ranges = dict(ranges or {})
    from_dists: dict[str, tuple[float, float]] = {}
    needed = parameters is None or any(name not in ranges for name in parameters)  # every quantile costs a ppf
    if needed and not isinstance(params, xr.Dataset) and hasattr(params, "ranges"):
        from_dists = params.ranges(level)  # type: ignore[attr-defined]
    if parameters is None:
        parameters = list(ranges) + [n for n, (lo, hi) in from_dists.items() if hi > lo and n not in ranges]
        if not parameters:
            raise AnalysisError("no parameter has a range: give ranges={name: (low, high)} or parameters with distributions")
    out = {}
    for name in parameters:
        if name not in base.data_vars:
            raise unknown_name("parameter", name, list(base.data_vars))
        if "group" in base.variables[name].attrs:
            raise ParameterError(
                f"parameter {name!r} is one category of the Dirichlet {base.variables[name].attrs['group']!r}: it cannot vary "
                "alone while the categories sum to 1; compare whole alternatives with scenarios() instead"
            )
        if name in ranges:
            bounds, what = ranges[name], "range"
        elif name in from_dists:
            bounds, what = from_dists[name], f"{level:.0%} interval"
        else:
            raise AnalysisError(f"parameter {name!r} has no range: give ranges={{{name!r}: (low, high)}}")
        if np.shape(bounds) != (2,):
            raise ParameterError(f"range for parameter {name!r}: expected (low, high), got {bounds!r}")
        low, high = float(bounds[0]), float(bounds[1])
        _check_value(params, base, name, [low, high], what)
        if low > high:
            raise ParameterError(f"range for parameter {name!r}: low {low:g} is greater than high {high:g}")
        out[name] = (low, high)
    return out


def _pick(outcomes: xr.Dataset, strategy: str | None, comparator: object) -> tuple[str, str | None]:
    labels = strategy_labels(outcomes)
    strategy = labels[-1] if strategy is None else strategy
    if strategy not in labels:
        raise unknown_name("strategy", strategy, labels)
    if comparator is FIRST:
        comparator = labels[0] if labels[0] != strategy else None
    if comparator is not None and comparator not in labels:
        raise unknown_name("comparator strategy", comparator, labels)
    return strategy, comparator  # type: ignore[return-value]


def _measure(
    outcomes: xr.Dataset,
    outcome: str,
    strategy: str,
    comparator: str | None,
    wtp: float | None,
) -> tuple[np.ndarray, str]:
    """The chosen outcome of ``strategy`` (minus ``comparator``) per row, and its units."""
    currency, unit = outcomes.attrs.get("currency", ""), outcomes.attrs.get("effect_unit", "")
    if outcome in ("nmb", "nhb") and wtp is None:
        raise AnalysisError(f"outcome {outcome!r} needs a willingness-to-pay threshold: give wtp=")
    if outcome in ("nmb", "nhb"):
        nb = net_benefit(outcomes, wtp, kind="monetary" if outcome == "nmb" else "health").isel(wtp=0)  # type: ignore[arg-type]
        values = nb.sel(strategy=strategy).values - (nb.sel(strategy=comparator).values if comparator else 0.0)
        return values, currency if outcome == "nmb" else unit
    if outcome == "icer":
        if comparator is None:
            raise AnalysisError("outcome 'icer' needs a comparator strategy different from the strategy")
        cost, effect = cost_effect(outcomes)
        dc = (cost.sel(strategy=strategy) - cost.sel(strategy=comparator)).values
        de = (effect.sel(strategy=strategy) - effect.sel(strategy=comparator)).values
        icer = np.divide(dc, de, out=np.full_like(dc, np.nan), where=de != 0)
        return icer, f"{currency} per {unit}"
    aliases = {"cost": outcomes.attrs.get("cost"), "effect": outcomes.attrs.get("effect")}
    name = aliases.get(outcome) or outcome
    if name not in outcomes.data_vars:
        raise unknown_name("outcome", outcome, ["nmb", "nhb", "icer", "cost", "effect", *outcomes.data_vars])
    var = outcomes[name]
    if set(var.dims) != {SAMPLE, STRATEGY}:
        raise AnalysisError(f"outcome {name!r} has extra dimensions {list(var.dims)}: sum or select them first")
    values = var.sel(strategy=strategy).values - (var.sel(strategy=comparator).values if comparator else 0.0)
    if name == outcomes.attrs.get("ratio"):  # CBA/SROI return per £1 (bcr, sroi_ratio)
        units = f"per {currency}1"
    elif var.attrs.get("kind") in ("cost", "benefit") or (name == "npv" and "ratio" in outcomes.attrs):
        units = currency
    else:
        units = unit if name == outcomes.attrs.get("effect") else ""
    return values, units


def _is_ratio(outcomes: xr.Dataset, outcome: str) -> bool | None:
    """For a CBA/SROI outcome set: whether ``outcome`` is its ratio or net ratio; else None."""
    if "ratio" not in outcomes.attrs:
        return None
    return outcome in (outcomes.attrs["ratio"], outcomes.attrs.get("net_ratio"))


def _optimal(outcomes: xr.Dataset, wtp: float, kind: str) -> np.ndarray:
    """Label of the strategy with the highest net benefit in each row (ties: the first)."""
    nb = net_benefit(outcomes, wtp, kind=kind).isel(wtp=0)
    labels = np.array(strategy_labels(outcomes), dtype=object)
    return labels[nb.transpose(SAMPLE, STRATEGY).values.argmax(axis=1)]


# --------------------------------------------------------------------------- analyses


def one_way(
    model: object,
    params: object,
    parameters: Sequence[str] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    level: float = 0.95,
    outcome: str = "nmb",
    *,
    wtp: float | None = None,
    strategy: str | None = None,
    comparator: object = FIRST,
) -> pd.DataFrame:
    """One-way sensitivity analysis: each parameter at its low and high value, others at base case.

    Parameters
    ----------
    model
        Any model with ``strategies`` and ``run(draws)``.
    params
        ``Parameters`` (base case from its point values, ranges from its distributions), or a
        one-sample base-case Dataset (then give ``ranges``).
    parameters
        Names to vary (default: those in ``ranges`` and every parameter whose ``level``
        interval has width > 0).
    ranges
        ``{name: (low, high)}`` overriding the distribution's interval.
    level
        Interval level for ranges from distributions (0.95: 2.5th and 97.5th percentiles).
    outcome
        ``"nmb"`` (net monetary benefit, needs ``wtp``), ``"nhb"``, ``"icer"``, ``"cost"``,
        ``"effect"``, or any outcome variable: for a CBA or SROI model, ``"npv"``,
        ``"benefit"``, the return per £1 (``"bcr"``, ``"sroi_ratio"``) or the net return
        (``"net_roi"``, ``"net_sroi"``). :func:`one_way_impact_map` varies an impact
        map's own fields (numbers, not parameters) and calls this.
    wtp
        Willingness-to-pay threshold for net benefit and the optimal strategy.
    strategy
        Strategy reported (default: the last).
    comparator
        Strategy subtracted (default: the first, giving incremental results, except for a
        CBA/SROI ratio, where the default is the strategy's own ratio); ``None`` for the
        strategy's own values.

    Returns
    -------
    pandas.DataFrame
        Index ``parameter``, sorted by ``swing`` (largest first); columns ``base``, ``low``,
        ``high`` (parameter values), ``outcome_base``, ``outcome_low``, ``outcome_high``,
        ``swing`` (``|outcome_high - outcome_low|``) and, when ``wtp`` is given,
        ``optimal_low`` and ``optimal_high``. Attrs describe the outcome, units and strategies,
        and carry the labels and units ``params`` declares for the varied parameters
        (``parameter_labels``, ``parameter_units``), which the tornado shows.

    Raises
    ------
    UnknownNameError
        For an unknown parameter, strategy or outcome.
    ParameterError
        If ``low > high`` or a bound lies outside the parameter's distribution's support.
    AnalysisError
        If a parameter has no range, ``outcome`` needs ``wtp`` or a comparator it lacks, or
        ``model`` has no ``strategies`` and ``run``.

    Examples
    --------
    A virtual ward (£600 a patient) against usual care, where a readmission costs £3,500
    (:func:`healthecon.examples.virtual_ward`): the incremental net monetary benefit at £20,000 per QALY with each parameter at its
    low and high value.

    >>> from healthecon.examples import virtual_ward
    >>> ward, params = virtual_ward()
    >>> table = one_way(ward, params, ranges={"p_home": (0.65, 0.85), "c_ward": (400, 900)}, wtp=20_000)
    >>> table[["low", "high", "outcome_low", "outcome_high"]]
                  low    high  outcome_low  outcome_high
    parameter
    p_home       0.65    0.85       -325.0         775.0
    c_ward     400.00  900.00        425.0         -75.0
    >>> table[["optimal_low", "optimal_high"]]
                optimal_low  optimal_high
    parameter
    p_home       usual care  virtual ward
    c_ward     virtual ward    usual care
    """
    base = _base_case(params)
    bounds = _ranges(params, base, parameters, ranges, level)
    names = list(bounds)
    changes: list[dict[str, float]] = [{}]
    for name in names:
        changes += [{name: bounds[name][0]}, {name: bounds[name][1]}]
    outcomes = _run(model, _rows(base, changes, "one-way"), changes)
    if comparator is FIRST and _is_ratio(outcomes, outcome):
        comparator = None  # a difference of two returns per £1 is not a return per £1
    strategy, comparator = _pick(outcomes, strategy, comparator)
    values, units = _measure(outcomes, outcome, strategy, comparator, wtp)
    low_values, high_values = values[1::2], values[2::2]
    table = pd.DataFrame(
        {
            "parameter": names,
            "base": [float(base.variables[n].values[0]) for n in names],
            "low": [bounds[n][0] for n in names],
            "high": [bounds[n][1] for n in names],
            "outcome_base": np.full(len(names), values[0]),
            "outcome_low": low_values,
            "outcome_high": high_values,
            "swing": np.abs(high_values - low_values),
        }
    ).set_index("parameter")
    if wtp is not None:
        best = _optimal(outcomes, wtp, "monetary")
        table["optimal_low"], table["optimal_high"] = best[1::2], best[2::2]
        base_optimal = str(best[0])
    table = table.sort_values("swing", ascending=False, kind="stable")
    table.attrs = {
        "outcome": outcome, "units": units, "strategy": strategy, "comparator": comparator, "wtp": wtp,
        "level": level, "currency": outcomes.attrs.get("currency", ""), "effect_unit": outcomes.attrs.get("effect_unit", ""),
        "optimal_base": base_optimal if wtp is not None else None,
    }
    labels, units = declared_labels_and_units(params)  # of the varied parameters, for the tornado
    table.attrs["parameter_labels"] = {name: labels[name] for name in names if name in labels}
    table.attrs["parameter_units"] = {name: units[name] for name in names if name in units}
    return table


def declared_labels_and_units(params: object) -> tuple[dict[str, str], dict[str, str]]:
    """The labels and units a :class:`~healthecon.params.Parameters` declares (nothing for a
    base-case Dataset); a parameter without a declared label, which ``Parameters.labels``
    gives as its name, has none here.

    Examples
    --------
    >>> from healthecon.params import Parameters
    >>> declared_labels_and_units(Parameters(c_ward=600.0, p_home=0.75, labels={"c_ward": "Ward cost"}, units={"c_ward": "£"}))
    ({'c_ward': 'Ward cost'}, {'c_ward': '£'})
    """
    if params is None or isinstance(params, xr.Dataset):
        return {}, {}
    labels = {str(name): str(label) for name, label in (getattr(params, "labels", {}) or {}).items() if label != name}
    return labels, {str(name): str(unit) for name, unit in (getattr(params, "units", {}) or {}).items()}


def one_way_impact_map(
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
    intervals instead, call :func:`one_way` with ``outcome="sroi_ratio"``.

    ``ranges`` sets explicit ``(low, high)`` values instead, keyed by field (every outcome,
    e.g. ``{"deadweight": (0.0, 0.5)}``) or by ``(outcome, field)``; a zero deduction has no
    relative range, so give it an explicit one. Explicit values are validated like any
    other (a deadweight of 1.2 is an error).

    Each varied field becomes a parameter named ``"<outcome>: <field>"`` of a copy of the
    map, and :func:`one_way` evaluates every low and high value in one
    vectorised run.

    Returns
    -------
    pandas.DataFrame
        The :func:`one_way` table of ``outcome="sroi_ratio"`` (the
        strategy's own ratio), indexed ``"<outcome>: <field>"``, with the columns ``outcome``
        and ``field`` added; :func:`healthecon.plot.dsa.plot_tornado` draws it.

    Examples
    --------
    The falls service of :func:`healthecon.examples.falls_service`, undiscounted:

    >>> from healthecon.examples import falls_service
    >>> from healthecon.sroi import SROIModel
    >>> one_way_impact_map(SROIModel(falls_service(), discount=0.0), fields=("proxy", "deadweight"))[["low", "high", "outcome_low", "outcome_high"]]
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
        if f not in NUMERIC_FIELDS:
            raise unknown_name("outcome field", f, NUMERIC_FIELDS)
    outcome_names = [o.name for o in imap.outcomes]
    for k in ranges:
        if not isinstance(k, str) and k[0] not in outcome_names:
            raise unknown_name("outcome", k[0], outcome_names)
    fields = list(dict.fromkeys(list(fields) + [k if isinstance(k, str) else k[1] for k in ranges]))

    base = draws.mean(SAMPLE).expand_dims({SAMPLE: [0]}) if draws is not None else xr.Dataset(coords={SAMPLE: [0]})
    varied, bounds, labels = {}, {}, {}
    for o in imap.outcomes:
        for f in fields:
            parameter = f"{o.name}: {f}"
            if parameter in base.data_vars:
                raise ParameterError(f"parameter {parameter!r} in draws clashes with the name one_way_impact_map gives outcome "
                                     f"{o.name!r}, field {f!r}; rename the parameter")
            value = float(resolve_value(getattr(o, f), base, 1, f"outcome {o.name!r}, field {f!r}")[0])
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
    table = one_way(SROIModel({name: imap}, discount=model.discount), base, list(bounds), bounds,
                        outcome="sroi_ratio", strategy=name, comparator=None)
    table.insert(0, "field", [labels[p][1] for p in table.index])
    table.insert(0, "outcome", [labels[p][0] for p in table.index])
    table.attrs["change"] = change
    return table


def _grid(bounds: tuple[float, float], size: int, name: str) -> np.ndarray:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 2:
        raise AnalysisError(f"grid size for parameter {name!r}: expected a whole number >= 2, got {size!r}")
    return np.linspace(bounds[0], bounds[1], int(size))


def two_way(
    model: object,
    params: object,
    x: str,
    y: str,
    *,
    wtp: float,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    level: float = 0.95,
    size: int | tuple[int, int] = 21,
    kind: str = "monetary",
) -> xr.Dataset:
    """Two-way sensitivity analysis: the optimal strategy over a grid of two parameters.

    Every grid point is one row of a single model run (Briggs et al. 2006, section 4.1.2).

    Parameters
    ----------
    model, params, ranges, level
        As for :func:`one_way`; ``x`` and ``y`` span their ranges.
    x, y
        The two parameters.
    wtp
        Willingness-to-pay threshold.
    size
        Grid points per parameter: one number for both or ``(n_x, n_y)``.
    kind
        ``"monetary"`` or ``"health"`` net benefit.

    Returns
    -------
    xarray.Dataset
        ``net_benefit`` with dims ``(x, y, strategy)`` (named after the parameters) and
        ``optimal`` (x, y), the label of the strategy with the highest net benefit. Attrs
        ``x``, ``y``, their base-case values ``x_base`` and ``y_base``, ``wtp``, ``kind``, ``currency``, ``effect_unit``, ``strategies``.

    Raises
    ------
    AnalysisError
        If ``x`` and ``y`` are the same parameter, a grid size is below 2, or a parameter has
        no range.
    UnknownNameError
        For an unknown parameter.
    ParameterError
        If a bound lies outside the parameter's distribution's support.

    Examples
    --------
    Which of usual care and a virtual ward is optimal as the chance of going home within
    7 days and the ward's cost per patient vary together:

    >>> from healthecon.examples import virtual_ward
    >>> ward, params = virtual_ward()
    >>> grid = two_way(ward, params, "p_home", "c_ward", wtp=20_000,
    ...                ranges={"p_home": (0.6, 0.9), "c_ward": (400, 1_200)}, size=5)
    >>> grid["optimal"].to_pandas()
    c_ward        400.0         600.0         800.0         1000.0        1200.0
    p_home
    0.600     usual care    usual care    usual care    usual care    usual care
    0.675   virtual ward    usual care    usual care    usual care    usual care
    0.750   virtual ward  virtual ward  virtual ward    usual care    usual care
    0.825   virtual ward  virtual ward  virtual ward  virtual ward  virtual ward
    0.900   virtual ward  virtual ward  virtual ward  virtual ward  virtual ward
    """
    if x == y:
        raise AnalysisError(f"two_way: x and y are both {x!r}; choose two different parameters")
    base = _base_case(params)
    bounds = _ranges(params, base, [x, y], ranges, level)
    nx, ny = (size, size) if np.ndim(size) == 0 else size  # type: ignore[misc]
    xs, ys = _grid(bounds[x], nx, x), _grid(bounds[y], ny, y)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    changes = [{x: a, y: b} for a, b in zip(gx.ravel(), gy.ravel())]
    outcomes = _run(model, _rows(base, changes, "two-way"), changes)
    nb = net_benefit(outcomes, wtp, kind=kind).isel(wtp=0).transpose(SAMPLE, STRATEGY)
    labels = strategy_labels(outcomes)
    values = nb.values.reshape(xs.size, ys.size, len(labels))
    best = np.array(labels, dtype=object)[values.argmax(axis=2)]
    coords = {x: xs, y: ys, STRATEGY: labels}
    return xr.Dataset(
        {"net_benefit": ((x, y, STRATEGY), values), "optimal": ((x, y), best.astype(str))},
        coords=coords,
        attrs={"x": x, "y": y, "x_base": float(base[x].values[0]), "y_base": float(base[y].values[0]), "wtp": float(wtp), "kind": kind, "currency": outcomes.attrs.get("currency", ""),
               "effect_unit": outcomes.attrs.get("effect_unit", ""), "strategies": labels},
    )


@dataclass(frozen=True)
class Threshold:
    """Result of :func:`threshold`: where in ``bounds`` the optimal strategy changes.

    ``table`` has one row per change: ``value`` (the parameter's threshold value), ``below``
    and ``above`` (the optimal strategy just below and above it). ``message`` says it in words,
    including when there is no change in range.

    Attributes
    ----------
    parameter
        The parameter varied.
    bounds
        The ``(low, high)`` range searched.
    wtp
        The willingness-to-pay threshold.
    table
        One row per change of the optimal strategy (columns ``value``, ``below``, ``above``).
    message
        The result in words (also ``str(result)``).

    Examples
    --------
    >>> from healthecon.examples import virtual_ward
    >>> ward, params = virtual_ward()
    >>> result = threshold(ward, params, "c_ward", wtp=20_000, bounds=(400, 1_500))
    >>> result.values
    (825.0...,)
    >>> result.table
       value         below       above
    0  825.0  virtual ward  usual care
    >>> threshold(ward, params, "c_ward", wtp=20_000, bounds=(400, 800)).table.empty
    True
    """

    parameter: str
    bounds: tuple[float, float]
    wtp: float
    table: pd.DataFrame
    message: str

    @property
    def values(self) -> tuple[float, ...]:
        """The threshold values, in increasing order (empty if the decision never changes)."""
        return tuple(float(v) for v in self.table["value"])

    def __str__(self) -> str:
        return self.message


def threshold(
    model: object,
    params: object,
    parameter: str,
    *,
    wtp: float,
    bounds: tuple[float, float] | None = None,
    level: float = 0.95,
    strategies: Sequence[str] | None = None,
    kind: str = "monetary",
    grid: int = 101,
    xtol: float = 1e-10,
) -> Threshold:
    """Threshold analysis: the value of ``parameter`` at which the optimal strategy changes.

    The optimal strategy is found on a grid over ``bounds``; wherever it changes between
    neighbouring grid points from ``a`` to ``b``, the root of the incremental net benefit
    ``NB_b - NB_a`` is found by Brent's method (:func:`scipy.optimize.brentq`), one model run
    per evaluation (Briggs et al. 2006, section 4.1.3; Drummond et al. 2015, ch. 11).

    Parameters
    ----------
    model, params, level
        As for :func:`one_way`.
    parameter
        The parameter to vary.
    wtp
        Willingness-to-pay threshold.
    bounds
        ``(low, high)`` to search (default: the parameter's ``level`` interval).
    strategies
        Compare only these strategies (default: all).
    kind
        ``"monetary"`` or ``"health"`` net benefit.
    grid
        Grid points for locating changes (changes closer together than the grid spacing
        can be missed).
    xtol
        Absolute tolerance of the root.

    Returns
    -------
    Threshold
        Threshold values with the strategies optimal either side, and a message (which says
        so when the decision does not change in range).

    Raises
    ------
    ParameterError
        If the range is a single value or lies outside the parameter's distribution's support.
    UnknownNameError
        For an unknown parameter or strategy.
    AnalysisError
        If the parameter has no range or ``grid`` is below 2.

    Examples
    --------
    The most a virtual ward may cost per patient and still be cost-effective at £20,000
    per QALY:

    >>> from healthecon.examples import virtual_ward
    >>> ward, params = virtual_ward()
    >>> print(threshold(ward, params, "c_ward", wtp=20_000, bounds=(400, 1_500)))
    c_ward = 825 at WTP £20,000 per QALY: 'virtual ward' is optimal below and 'usual care' above
    >>> print(threshold(ward, params, "c_ward", wtp=20_000, bounds=(400, 800)))
    no threshold for c_ward in [400, 800] at WTP £20,000 per QALY: 'virtual ward' is optimal throughout
    (its net-benefit lead over the next best ranges from 25 to 425)
    """
    base = _base_case(params)
    low, high = _ranges(params, base, [parameter], None if bounds is None else {parameter: bounds}, level)[parameter]
    if not low < high:
        raise ParameterError(f"threshold: the range for parameter {parameter!r} is a single value {low:g}")
    values = _grid((low, high), grid, parameter)

    def evaluate(points: np.ndarray) -> xr.DataArray:
        changes = [{parameter: float(v)} for v in points]
        outcomes = _run(model, _rows(base, changes, "threshold"), changes)
        if strategies is not None:
            for name in strategies:
                if name not in strategy_labels(outcomes):
                    raise unknown_name("strategy", name, strategy_labels(outcomes))
            outcomes = outcomes.sel({STRATEGY: list(strategies)})
        return net_benefit(outcomes, wtp, kind=kind).isel(wtp=0).transpose(SAMPLE, STRATEGY)

    nb = evaluate(values)
    labels = [str(s) for s in nb[STRATEGY].values]
    best = nb.values.argmax(axis=1)
    from scipy.optimize import brentq

    def switches(lo: float, a: str, hi: float, b: str, depth: int = 0) -> list[tuple[float, str, str]]:
        """Where the optimal strategy changes from ``a`` (optimal at ``lo``) to ``b`` (at ``hi``).

        The root of ``NB_b - NB_a``; if a third strategy is better than both there, the optimum
        passes through it: the interval is split there and each side searched, so that several
        changes inside one grid step are each found (not one point where neither is optimal)."""
        def incremental(v: float) -> float:
            one = evaluate(np.array([v]))
            return float(one.sel(strategy=b)[0] - one.sel(strategy=a)[0])

        root = brentq(incremental, lo, hi, xtol=xtol)
        at = evaluate(np.array([root])).values[0]
        top = labels[int(at.argmax())]
        pair = max(at[labels.index(a)], at[labels.index(b)])
        if top in (a, b) or at.max() - pair <= 1e-9 * max(1.0, abs(pair)) or depth > len(labels):
            return [(root, a, b)]
        return switches(lo, a, root, top, depth + 1) + switches(root, top, hi, b, depth + 1)

    rows = []
    for i in np.flatnonzero(best[1:] != best[:-1]):
        rows += switches(float(values[i]), labels[best[i]], float(values[i + 1]), labels[best[i + 1]])
    table = pd.DataFrame(rows, columns=["value", "below", "above"])
    at = f"WTP {nb.attrs.get('currency', '')}{wtp:,.0f} per {nb.attrs.get('effect_unit') or 'unit of effect'}"
    if rows:
        message = "; ".join(f"{parameter} = {v:.6g} at {at}: {a!r} is optimal below and {b!r} above" for v, a, b in rows)
    else:
        lead = nb.values.max(axis=1) - np.sort(nb.values, axis=1)[:, -2] if len(labels) > 1 else np.zeros(1)
        message = (f"no threshold for {parameter} in [{low:g}, {high:g}] at {at}: {labels[best[0]]!r} is optimal "
                   f"throughout (its net-benefit lead over the next best ranges from {lead.min():,.4g} to {lead.max():,.4g})")
    return Threshold(parameter, (low, high), float(wtp), table, message)


def scenarios(
    model: object,
    params: object,
    named: Mapping[str, Mapping[str, float]],
    *,
    wtp: float | None = None,
    kind: str = "monetary",
    base_name: str = "base case",
) -> pd.DataFrame:
    """Named scenarios: the base case and each scenario's set of parameter values, in one run.

    Parameters
    ----------
    model, params
        As for :func:`one_way`.
    named
        ``{scenario name: {parameter: value, ...}}``.
    wtp
        If given, net benefit and the optimal strategy of each scenario are added.
    kind
        ``"monetary"`` or ``"health"`` net benefit.
    base_name
        Label of the base-case row.

    Returns
    -------
    pandas.DataFrame
        Index ``(scenario, strategy)``; columns ``cost``, ``effect`` and, with ``wtp``,
        ``net_benefit`` and ``optimal`` (True for each scenario's best strategy; ties go to the first).

    Raises
    ------
    AnalysisError
        If a scenario is named ``base_name``.
    UnknownNameError
        For an unknown parameter in a scenario.
    ParameterError
        If a scenario value is not finite or lies outside the parameter's distribution's support.

    Examples
    --------
    >>> from healthecon.examples import virtual_ward
    >>> ward, params = virtual_ward()
    >>> scenarios(ward, params, {"pessimistic": {"p_home": 0.65, "c_ward": 900.0}}, wtp=20_000)
                                cost  effect  net_benefit  optimal
    scenario    strategy
    base case   usual care    1400.0   0.760      13800.0    False
                virtual ward  1475.0   0.775      14025.0     True
    pessimistic usual care    1400.0   0.760      13800.0     True
                virtual ward  2125.0   0.765      13175.0    False
    """
    base = _base_case(params)
    if base_name in named:
        raise AnalysisError(f"scenario name {base_name!r} is reserved for the base case; rename it or set base_name=")
    for scenario, values in named.items():
        if not isinstance(values, Mapping):
            raise ParameterError(f"scenario {scenario!r}: expected a mapping {{parameter: value}}, got {values!r}")
        for name, value in values.items():
            _check_value(params, base, name, [value], f"scenario {scenario!r}")
        groups = {base.variables[n].attrs["group"] for n in values if n in base.variables and "group" in base.variables[n].attrs}
        dirichlets = [g for g in groups if isinstance(params, Parameters) and g in params and isinstance(params[g], Dirichlet)]
        for group in dirichlets:  # a Dirichlet's categories sum to 1: a scenario gives them all or none
            members = [n for n in base.data_vars if base.variables[n].attrs.get("group") == group]
            left = [n for n in members if n not in values]
            given = sum(float(values[n]) for n in members if n in values)
            if left or abs(given - 1.0) > 1e-9:
                raise ParameterError(
                    f"scenario {scenario!r}: the Dirichlet {group!r} has categories {members} summing to 1; give every one "
                    f"(missing: {left or 'none'}), summing to 1 (they sum to {given:.6g})")
    names = [base_name, *named]
    changes = [{}, *[dict(v) for v in named.values()]]
    outcomes = _run(model, _rows(base, changes, "scenarios"), changes)
    cost, effect = cost_effect(outcomes)
    labels = strategy_labels(outcomes)
    index = pd.MultiIndex.from_product([names, labels], names=["scenario", STRATEGY])
    table = pd.DataFrame({"cost": cost.values.ravel(), "effect": effect.values.ravel()}, index=index)
    if wtp is not None:
        nb = net_benefit(outcomes, wtp, kind=kind).isel(wtp=0).transpose(SAMPLE, STRATEGY).values
        table["net_benefit"] = nb.ravel()
        table["optimal"] = (np.arange(len(labels))[None, :] == nb.argmax(axis=1)[:, None]).ravel()
    table.attrs = {"wtp": wtp, "kind": kind, "currency": outcomes.attrs.get("currency", ""),
                   "effect_unit": outcomes.attrs.get("effect_unit", "")}
    return table
