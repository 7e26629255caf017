"""The outcome container that every model returns and every analysis reads.

An *outcome set* is an :class:`xarray.Dataset` with

- dimensions ``sample`` (PSA draw; a deterministic run has one sample) and ``strategy``
  (string labels), and optionally more (``year``, ``stakeholder``, ...) on some variables;
- one data variable per outcome, e.g. ``cost``, ``cost_drug``, ``ly``, ``qaly``,
  ``qaly_undiscounted``, ``benefit``; each variable's ``attrs["kind"]`` is one of
  ``"cost"``, ``"effect"``, ``"benefit"`` or ``"other"``;
- dataset attributes ``cost`` and ``effect``: the names of the variables that analyses use by
  default (an analysis can always be pointed at others), ``currency`` (e.g. ``"£"``) and
  ``effect_unit`` (e.g. ``"QALY"`` or ``"life-year"``).

Decision trees, Markov cohort models, hybrids, SROI impact maps and cost-benefit models all
return this layout, so incremental analysis, CEACs, value of information, plots and reports
work for all of them, and for outcomes computed elsewhere (:func:`from_dataframe`).

Examples
--------
>>> import numpy as np
>>> out = make_outcomes(
...     {"cost": [[100.0, 250.0], [120.0, 260.0]], "qaly": [[1.0, 1.5], [1.1, 1.4]]},
...     strategies=["usual care", "new"], effect="qaly")
>>> out.sizes["sample"], strategies(out)
(2, ['usual care', 'new'])
>>> cost, effect = cost_effect(out)
>>> cost.mean("sample").values
array([110., 255.])
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ._compat import EXACT_FLOAT_CSV
from ._spreadsheet import csv_safe_text, csv_text_back
from ._validate import require_unique
from .errors import AnalysisError, OutcomesError, ShapeError, require_extra, unknown_name

__all__ = [
    "SAMPLE",
    "STRATEGY",
    "KINDS",
    "make_outcomes",
    "cost_effect",
    "strategies",
    "n_samples",
    "select_strategies",
    "validate_outcomes",
    "require_aligned",
    "summarise",
    "from_dataframe",
    "to_dataframe",
    "save_outcomes",
    "load_outcomes",
    "pick_strategy",
]

SAMPLE = "sample"
STRATEGY = "strategy"
KINDS = ("cost", "effect", "benefit", "other")


def _guess_kind(name: str, cost: str, effect: str | None) -> str:
    base = name.removesuffix("_undiscounted")
    if base == cost or base.startswith("cost"):
        return "cost"
    if base == effect:
        return "effect"
    if base.startswith("benefit"):
        return "benefit"
    return "other"


def _plain(value: object) -> object:
    """A numpy scalar as the Python value, so messages read ``1`` and ``'new'``, not ``np.int64(1)``."""
    return value.item() if isinstance(value, np.generic) else value


def _as_dataarray(name: str, value: object, strategy_labels: tuple[str, ...]) -> xr.DataArray:
    if isinstance(value, xr.DataArray):
        missing = {SAMPLE, STRATEGY} - set(value.dims)
        if missing:
            raise OutcomesError(
                f"outcome {name!r}: expected dimensions 'sample' and 'strategy', "
                f"missing {sorted(missing)} (has {list(value.dims)})"
            )
        if STRATEGY in value.coords:
            # match strategies by label, never by position
            own = [str(s) for s in value[STRATEGY].values]
            if sorted(own) != sorted(strategy_labels):
                raise OutcomesError(
                    f"outcome {name!r}: its strategy labels {own} are not the strategies {list(strategy_labels)}"
                )
            value = value.assign_coords({STRATEGY: own}).sel({STRATEGY: list(strategy_labels)})
        return value.astype(float)
    return xr.DataArray(_as_table(name, value, strategy_labels), dims=(SAMPLE, STRATEGY))


def _variable_table(name: str, value: xr.Variable, strategy_labels: tuple[str, ...]) -> tuple[tuple[str, ...], np.ndarray]:
    """The dims and float values of an outcome given as an :class:`xarray.Variable`."""
    missing = {SAMPLE, STRATEGY} - set(value.dims)
    if missing:
        raise OutcomesError(
            f"outcome {name!r}: expected dimensions 'sample' and 'strategy', missing {sorted(missing)} (has {list(value.dims)})"
        )
    if value.sizes[STRATEGY] != len(strategy_labels):
        raise ShapeError(f"outcome {name!r}: has {value.sizes[STRATEGY]} strategies, expected {len(strategy_labels)}")
    return tuple(value.dims), np.asarray(value.values, dtype=float)


def _kind_of(name: str, samples: int, first: tuple[str, int] | None, kinds: Mapping[str, str], cost: str, effect: str | None) -> str:
    """The kind of outcome ``name``, after checking that it has as many samples as the first
    outcome (``first``: its name and sample count)."""
    if first is not None and samples != first[1]:
        raise ShapeError(f"outcome {name!r}: has {samples} samples but {first[0]!r} has {first[1]}; every outcome needs the same samples")
    kind = kinds.get(name, _guess_kind(name, cost, effect))
    if kind not in KINDS:
        raise OutcomesError(f"outcome {name!r}: unknown kind {kind!r}; expected one of {KINDS}")
    return kind


def _as_table(name: str, value: object, strategy_labels: tuple[str, ...]) -> np.ndarray:
    """A plain (not xarray) outcome as a float array ``(n_samples, n_strategies)``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != len(strategy_labels):
        raise ShapeError(
            f"outcome {name!r}: expected shape (n_samples, {len(strategy_labels)}) for "
            f"strategies {list(strategy_labels)}, got {np.shape(value)}"
        )
    return arr


def make_outcomes(
    values: Mapping[str, object],
    strategies: Sequence[str],
    *,
    cost: str = "cost",
    effect: str | None = "effect",
    kinds: Mapping[str, str] | None = None,
    currency: str = "£",
    effect_unit: str = "QALY",
    attrs: Mapping[str, object] | None = None,
    coords: Mapping[str, object] | None = None,
) -> xr.Dataset:
    """Build and validate an outcome set.

    Parameters
    ----------
    values
        Outcome name to values: an array of shape ``(n_samples, n_strategies)`` (a 1-D
        array of length ``n_strategies`` is one deterministic sample), an
        :class:`xarray.DataArray` with dims ``sample`` and ``strategy`` and possibly more, or
        an :class:`xarray.Variable` with those dims (no coordinates of its own: those of its
        other dims are in ``coords``; cheaper to build than a DataArray, which models that
        return many outcomes with extra dims use).
    strategies
        Strategy labels, in the column order of the arrays.
    cost, effect
        Names of the variables analyses use by default. ``effect`` may be ``None`` for
        models with no health effect (e.g. a pure cost-benefit model).
    kinds
        Kind of each variable (``"cost"``, ``"effect"``, ``"benefit"``, ``"other"``).
        Unlisted variables are inferred from their names: ``cost*`` are costs, the
        ``effect`` variable is an effect, ``benefit*`` are benefits, others ``"other"``.
    currency, effect_unit
        Units, used by tables and plot labels.
    attrs
        Extra dataset attributes (e.g. ``model``, ``seed``).
    coords
        Coordinates of the dimensions other than ``sample`` and ``strategy`` (e.g.
        ``{"year": [0, 1, 2]}``, or ``("line", labels)`` for a label along a dimension), as
        :class:`xarray.Dataset` takes them. ``sample`` and ``strategy`` are set here.

    Returns
    -------
    xarray.Dataset
        The outcome set (see module docstring).

    Raises
    ------
    OutcomesError
        If a value is NaN or infinite (the message names the outcome, strategy and sample),
        or a default variable is missing.
    ShapeError
        If arrays do not match the strategies.

    Examples
    --------
    Discounted costs (£) and QALYs from three PSA samples (rows) of two strategies
    (columns); ``cost*`` variables are recognised as costs, ``effect`` names the QALYs:

    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> out.sizes["sample"], out.attrs["currency"], out["qaly"].attrs["kind"]
    (3, '£', 'effect')

    A deterministic (base-case) run is one row per outcome:

    >>> base = make_outcomes({"cost": [1200.0, 4600.0], "qaly": [6.1, 6.5]},
    ...                      strategies=["usual care", "new drug"], effect="qaly")
    >>> base["cost"].values
    array([[1200., 4600.]])
    >>> make_outcomes({"cost": [1200.0, 4600.0, 900.0]}, ["usual care", "new drug"], effect=None)
    Traceback (most recent call last):
    ...
    healthecon.errors.ShapeError: outcome 'cost': expected shape (n_samples, 2) for strategies ['usual care', 'new drug'], got (3,)

    An outcome by year, as an :class:`xarray.Variable` with its years in ``coords``:

    >>> import xarray as xr
    >>> by_year = xr.Variable(("sample", "strategy", "year"), [[[700.0, 500.0], [2600.0, 2000.0]]])
    >>> out = make_outcomes({"cost": [1200.0, 4600.0], "cost_by_year": by_year}, ["usual care", "new drug"],
    ...                     effect=None, coords={"year": [0, 1]})
    >>> out["cost_by_year"].sel(year=1).values
    array([[ 500., 2000.]])
    """
    labels = require_unique(strategies, "strategies", OutcomesError)
    if not labels:
        raise OutcomesError("strategies: expected at least one strategy label, got none")
    if not values:
        raise OutcomesError("no outcomes given: expected at least a cost variable")
    kinds = dict(kinds or {})
    coords = dict(coords or {})
    fixed = {SAMPLE, STRATEGY} & set(coords)
    if fixed:
        raise OutcomesError(f"coords: {sorted(fixed)} are set by make_outcomes (sample numbers, the strategies); "
                            f"give only the coordinates of other dimensions")
    if not any(isinstance(value, xr.DataArray) for value in values.values()):
        # plain arrays and Variables (what the models return): the Dataset built in one step, the same as below
        tables: dict[str, tuple] = {}
        first: tuple[str, int] | None = None
        for name, value in values.items():
            if isinstance(value, xr.Variable):
                dims, arr = _variable_table(name, value, labels)
                var_attrs = value.attrs
            else:
                dims, arr, var_attrs = (SAMPLE, STRATEGY), _as_table(name, value, labels), {}
            kind = _kind_of(name, arr.shape[dims.index(SAMPLE)], first, kinds, cost, effect)
            first = first or (name, arr.shape[dims.index(SAMPLE)])
            tables[name] = (dims, arr, {**var_attrs, "kind": kind})
        ds_attrs = {"cost": cost, "effect": effect or "", "currency": currency, "effect_unit": effect_unit, **(attrs or {})}
        return validate_outcomes(_build(tables, labels, first[1], ds_attrs, coords))
    arrays = {}
    first = None
    for name, value in values.items():
        da = _as_dataarray(name, value, labels)
        if da.sizes[STRATEGY] != len(labels):
            raise ShapeError(f"outcome {name!r}: has {da.sizes[STRATEGY]} strategies, expected {len(labels)}")
        kind = _kind_of(name, da.sizes[SAMPLE], first, kinds, cost, effect)
        first = first or (name, da.sizes[SAMPLE])
        arrays[name] = da.assign_attrs(kind=kind)
    ds = xr.Dataset(arrays)
    ds = ds.assign_coords({**coords, SAMPLE: np.arange(ds.sizes[SAMPLE]), STRATEGY: list(labels)})
    ds.attrs.update(
        {"cost": cost, "effect": effect or "", "currency": currency, "effect_unit": effect_unit}
    )
    ds.attrs.update(attrs or {})
    validate_outcomes(ds)
    return ds


#: Layouts of outcome sets already built (variables as read-only zeros, which take no memory;
#: the sample coordinate, at most 800 kB each), so that a model run many times (a base case in
#: a threshold search, a tree in a PSA loop) copies one instead of building a Dataset each time.
_LAYOUTS: dict[tuple, xr.Dataset] = {}
_LAYOUT_SAMPLES, _LAYOUT_COUNT = 100_000, 16


def _build(tables: dict[str, tuple], labels: tuple[str, ...], n: int, attrs: dict[str, object],
           coords: dict[str, object]) -> xr.Dataset:
    """The Dataset of ``{name: (dims, array, attrs)}`` with the outcome set's coordinates, ``coords`` and ``attrs``."""
    key = (labels, n, tuple((name, table[2]["kind"]) for name, table in tables.items()), tuple(attrs.items()))
    try:
        layout = _LAYOUTS.get(key) if n <= _LAYOUT_SAMPLES and not coords else None
    except TypeError:  # an attribute that cannot be a key (a list): build it
        key, layout = None, None
    if layout is not None:
        return layout.copy(data={name: table[1] for name, table in tables.items()})
    ds = xr.Dataset(tables, coords={**coords, SAMPLE: np.arange(n), STRATEGY: list(labels)}, attrs=attrs)
    if key is not None and n <= _LAYOUT_SAMPLES and not coords:
        if len(_LAYOUTS) >= _LAYOUT_COUNT:
            _LAYOUTS.pop(next(iter(_LAYOUTS)))
        # the layout keeps no one's numbers: its variables are read-only zeros
        _LAYOUTS[key] = ds.copy(data={name: np.broadcast_to(0.0, table[1].shape) for name, table in tables.items()})
    return ds


def validate_outcomes(ds: xr.Dataset) -> xr.Dataset:
    """Check that ``ds`` is a well-formed outcome set and return it unchanged.

    Use it on an outcome set built or edited by hand (e.g. with xarray) before analysing it.

    Parameters
    ----------
    ds
        The dataset to check.

    Returns
    -------
    xarray.Dataset
        ``ds`` itself, so calls can be chained.

    Raises
    ------
    OutcomesError
        Naming the first problem found: a missing dimension or default variable, or a
        non-finite value (with its outcome, strategy and sample).

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> validate_outcomes(out) is out
    True

    Masking the new drug's costs above £5,000 leaves a NaN, which is reported by location:

    >>> edited = out.assign(cost=out["cost"].where(out["cost"] < 5000))
    >>> validate_outcomes(edited)
    Traceback (most recent call last):
    ...
    healthecon.errors.OutcomesError: outcome 'cost' is not finite at sample 1, strategy 'new drug': got nan
    """
    if not isinstance(ds, xr.Dataset):
        raise OutcomesError(f"expected an outcome set (xarray.Dataset), got {type(ds).__name__}")
    for dim in (SAMPLE, STRATEGY):
        if dim not in ds.dims:
            raise OutcomesError(f"outcome set has no {dim!r} dimension (dims: {list(ds.dims)})")
    for attr in ("cost", "effect"):
        name = ds.attrs.get(attr)
        if name and name not in ds.data_vars:
            raise OutcomesError(
                f"outcome set names {name!r} as its {attr} variable but has no such variable "
                f"(variables: {list(ds.data_vars)})"
            )
    variables = ds.variables
    for name in ds.data_vars:
        values = np.asarray(variables[name].values, dtype=float)
        if np.isfinite(values).all():
            continue
        da = ds[name]
        bad = ~np.isfinite(values)
        if bad.any():
            where = dict(zip(da.dims, np.argwhere(bad)[0]))
            parts = [f"{dim} {_plain(da[dim].values[i])!r}" if dim in da.coords else f"{dim} {int(i)}" for dim, i in where.items()]
            count = f" ({int(bad.sum())} of {bad.size} values are not finite)" if bad.sum() > 1 else ""
            raise OutcomesError(f"outcome {name!r} is not finite at {', '.join(parts)}: got {values[bad][0]}{count}")
    return ds


def strategies(ds: xr.Dataset) -> list[str]:
    """Strategy labels of an outcome set, in order.

    Parameters
    ----------
    ds
        An outcome set.

    Returns
    -------
    list of str
        The labels of the ``strategy`` dimension.

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> strategies(out)
    ['usual care', 'new drug']
    """
    return [str(s) for s in ds[STRATEGY].values]


def pick_strategy(ds: xr.Dataset, strategy: str | None = None) -> str:
    """The strategy an analysis of one strategy works on: ``strategy``, or the only one.

    Parameters
    ----------
    ds
        An outcome set.
    strategy
        A strategy label, or ``None`` when ``ds`` has exactly one strategy.

    Returns
    -------
    str

    Raises
    ------
    AnalysisError
        If ``strategy`` is ``None`` and ``ds`` has several strategies.
    UnknownNameError
        If ``strategy`` is not in ``ds``.

    Examples
    --------
    >>> out = make_outcomes({"cost": [[1.0, 2.0]], "qaly": [[0.5, 0.6]]}, strategies=["a", "b"], effect="qaly")
    >>> pick_strategy(out, "b")
    'b'
    >>> pick_strategy(out)
    Traceback (most recent call last):
    ...
    healthecon.errors.AnalysisError: outcome set has strategies ['a', 'b']: name one with strategy=
    """
    names = strategies(ds)
    if strategy is None:
        if len(names) != 1:
            raise AnalysisError(f"outcome set has strategies {names}: name one with strategy=")
        return names[0]
    if strategy not in names:
        raise unknown_name("strategy", strategy, names)
    return strategy


def n_samples(ds: xr.Dataset) -> int:
    """Number of PSA samples (1 for a deterministic run).

    Parameters
    ----------
    ds
        An outcome set.

    Returns
    -------
    int
        The size of the ``sample`` dimension.

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> n_samples(out)
    3
    """
    return int(ds.sizes[SAMPLE])


def _variable(ds: xr.Dataset, name: str | None, role: str) -> xr.DataArray:
    name = name or ds.attrs.get(role) or None
    if not name:
        raise OutcomesError(f"outcome set has no default {role} variable: name one explicitly")
    if name not in ds.data_vars:
        raise unknown_name(f"{role} variable", name, list(ds.data_vars))
    da = ds[name]
    extra = set(da.dims) - {SAMPLE, STRATEGY}
    if extra:
        raise OutcomesError(
            f"{role} variable {name!r} has extra dimensions {sorted(extra)}: sum or select them first"
        )
    return da.transpose(SAMPLE, STRATEGY)


def cost_effect(
    ds: xr.Dataset, cost: str | None = None, effect: str | None = None
) -> tuple[xr.DataArray, xr.DataArray]:
    """Return the (cost, effect) DataArrays, each with dims ``(sample, strategy)``.

    Parameters
    ----------
    ds
        An outcome set.
    cost, effect
        Variable names; default to ``ds.attrs["cost"]`` and ``ds.attrs["effect"]``.

    Returns
    -------
    tuple of xarray.DataArray
        ``(cost, effect)``, each transposed to ``(sample, strategy)``.

    Raises
    ------
    OutcomesError
        If the outcome set is malformed, has no default variable and none is named, or the
        variable has dimensions other than ``sample`` and ``strategy``.
    UnknownNameError
        If a named variable is not in the outcome set.

    Examples
    --------
    The incremental cost-effectiveness ratio of the new drug from the expected values:

    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> cost, qaly = cost_effect(out)
    >>> cost.mean("sample").values, qaly.mean("sample").values.round(3)
    (array([1200., 4600.]), array([6.067, 6.5  ]))
    >>> means = (cost.mean("sample"), qaly.mean("sample"))
    >>> d_cost, d_qaly = (x.sel(strategy="new drug") - x.sel(strategy="usual care") for x in means)
    >>> print(f"ICER £{float(d_cost / d_qaly):,.0f} per QALY")
    ICER £7,846 per QALY
    """
    validate_outcomes(ds)
    return _variable(ds, cost, "cost"), _variable(ds, effect, "effect")


def select_strategies(ds: xr.Dataset, names: Sequence[str]) -> xr.Dataset:
    """Keep only the named strategies, in the order given; unknown names raise.

    Parameters
    ----------
    ds
        An outcome set.
    names
        Strategy labels to keep, in the order wanted.

    Returns
    -------
    xarray.Dataset
        The outcome set restricted to (and reordered as) ``names``.

    Raises
    ------
    UnknownNameError
        If a name is not a strategy of ``ds``; the message lists the strategies.

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> strategies(select_strategies(out, ["new drug", "usual care"]))
    ['new drug', 'usual care']
    >>> select_strategies(out, ["new"])
    Traceback (most recent call last):
    ...
    healthecon.errors.UnknownNameError: unknown strategy 'new'; expected one of: 'usual care', 'new drug'
    """
    known = strategies(ds)
    for name in names:
        if name not in known:
            raise unknown_name("strategy", name, known)
    return ds.sel({STRATEGY: list(names)})


def require_aligned(ds: xr.Dataset, draws: xr.Dataset) -> None:
    """Raise unless an outcome set and parameter draws have the same samples.

    Value-of-information and other regression analyses pair each outcome sample with the
    parameter draw that produced it; mismatched sample counts are an error, never silently
    recycled or truncated.

    Parameters
    ----------
    ds
        An outcome set.
    draws
        Parameter draws with a ``sample`` dimension (one variable per parameter).

    Returns
    -------
    None

    Raises
    ------
    OutcomesError
        If ``draws`` has no ``sample`` dimension.
    ShapeError
        If the numbers of samples differ.

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> import xarray as xr
    >>> draws = xr.Dataset({"p_response": ("sample", [0.30, 0.25, 0.35])})
    >>> require_aligned(out, draws)
    >>> require_aligned(out, draws.isel(sample=[0, 1]))
    Traceback (most recent call last):
    ...
    healthecon.errors.ShapeError: outcomes have 3 samples but parameter draws have 2: they must match one-to-one
    """
    n_out, n_par = ds.sizes.get(SAMPLE), draws.sizes.get(SAMPLE)
    if n_par is None:
        raise OutcomesError("parameter draws have no 'sample' dimension")
    if n_out != n_par:
        raise ShapeError(f"outcomes have {n_out} samples but parameter draws have {n_par}: they must match one-to-one")


def summarise(ds: xr.Dataset, level: float = 0.95, variables: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and percentile interval of each outcome, by strategy.

    Parameters
    ----------
    ds
        An outcome set.
    level
        Probability held by the equal-tailed percentile interval (0.95 for 2.5% to 97.5%).
    variables
        Outcomes to summarise; default every variable with dims ``(sample, strategy)`` only.

    Returns
    -------
    pandas.DataFrame
        Index ``(variable, strategy)``; columns ``mean``, ``lower``, ``upper``.

    Raises
    ------
    OutcomesError
        If ``level`` is not in (0, 1) or a named variable has extra dimensions.
    UnknownNameError
        If a named variable is not in the outcome set.

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> summarise(out).round(1)
                            mean   lower   upper
    variable strategy
    cost     usual care   1200.0   915.0  1485.0
             new drug     4600.0  4215.0  5070.0
    qaly     usual care      6.1     5.8     6.3
             new drug        6.5     6.4     6.6
    """
    if not 0 < level < 1:
        raise OutcomesError(f"level: expected a number in (0, 1), got {level}")
    names = list(variables) if variables is not None else [n for n, v in ds.data_vars.items() if set(v.dims) == {SAMPLE, STRATEGY}]
    tail = (1 - level) / 2 * 100
    rows = []
    for name in names:
        if name not in ds.data_vars:
            raise unknown_name("outcome", name, list(ds.data_vars))
        extra = set(ds[name].dims) - {SAMPLE, STRATEGY}
        if extra:
            raise OutcomesError(f"outcome {name!r} has extra dimensions {sorted(extra)}: sum or select them first")
        values = ds[name].transpose(SAMPLE, STRATEGY).values
        lower, upper = np.percentile(values, [tail, 100 - tail], axis=0)
        for j, strategy in enumerate(strategies(ds)):
            rows.append((name, strategy, values[:, j].mean(), lower[j], upper[j]))
    frame = pd.DataFrame(rows, columns=["variable", "strategy", "mean", "lower", "upper"])
    return frame.set_index(["variable", "strategy"])


def from_dataframe(
    frame: pd.DataFrame,
    *,
    cost: str = "cost",
    effect: str | None = "effect",
    strategy: str = "strategy",
    sample: str | None = "sample",
    currency: str = "£",
    effect_unit: str = "QALY",
) -> xr.Dataset:
    """Build an outcome set from a long table: one row per sample and strategy.

    Use this to analyse outcomes from other tools (TreeAge, heemod, Excel). Every numeric
    column other than ``sample`` becomes an outcome variable.

    Parameters
    ----------
    frame
        Columns ``strategy``, ``sample`` (optional for a deterministic table) and outcomes.
    cost, effect, strategy, sample
        Column names.

    Raises
    ------
    OutcomesError
        If a column is missing, a (sample, strategy) pair is repeated, or the table is not
        complete (every strategy needs every sample).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"sample": [0, 0, 1, 1], "strategy": ["A", "B", "A", "B"],
    ...                       "cost": [1.0, 2.0, 1.5, 2.5], "qaly": [1.0, 1.2, 0.9, 1.1]})
    >>> from_dataframe(frame, effect="qaly")["cost"].values
    array([[1. , 2. ],
           [1.5, 2.5]])
    """
    frame = frame.copy()
    if strategy not in frame.columns:
        raise unknown_name("column", strategy, list(frame.columns))
    if sample is None or sample not in frame.columns:
        if sample is not None and sample != "sample":
            raise unknown_name("column", sample, list(frame.columns))
        frame["__sample"] = frame.groupby(strategy, sort=False).cumcount()
        sample = "__sample"
    for column in (strategy, cost) + ((effect,) if effect else ()):
        if column not in frame.columns:
            raise unknown_name("column", column, list(frame.columns))
    duplicated = frame.duplicated([sample, strategy])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise OutcomesError(f"row for sample {_plain(row[sample])!r}, strategy {_plain(row[strategy])!r} appears more than once")
    for column in (cost,) + ((effect,) if effect else ()):
        if not pd.api.types.is_numeric_dtype(frame[column]):
            numbers = pd.to_numeric(frame[column], errors="coerce")
            bad = numbers.isna().to_numpy()
            if bad.any():
                position = int(np.argmax(bad))
                raise OutcomesError(
                    f"column {column!r} is not numeric: data row {position + 1} holds {_plain(frame[column].iloc[position])!r}; "
                    "expected numbers (no currency symbols or thousands separators)"
                )
            frame[column] = numbers
    labels = list(dict.fromkeys(str(s) for s in frame[strategy]))
    frame[strategy] = frame[strategy].astype(str)
    value_columns = [c for c in frame.columns if c not in (sample, strategy) and pd.api.types.is_numeric_dtype(frame[c])]
    wide = frame.set_index([sample, strategy])[value_columns]
    samples = list(dict.fromkeys(frame[sample]))
    full = pd.MultiIndex.from_product([samples, labels], names=[sample, strategy])
    missing = full.difference(wide.index)
    if len(missing):
        s, st = missing[0]
        raise OutcomesError(f"table is incomplete: no row for sample {_plain(s)!r}, strategy {_plain(st)!r}")
    wide = wide.reindex(full)
    values = {c: wide[c].to_numpy(dtype=float).reshape(len(samples), len(labels)) for c in value_columns}
    return make_outcomes(values, labels, cost=cost, effect=effect, currency=currency, effect_unit=effect_unit)


def to_dataframe(ds: xr.Dataset) -> pd.DataFrame:
    """The long table (one row per sample and strategy) of the (sample, strategy) outcomes.

    The inverse of :func:`from_dataframe`; use it to hand results to Excel or R.

    Parameters
    ----------
    ds
        An outcome set.

    Returns
    -------
    pandas.DataFrame
        Columns ``sample``, ``strategy`` and one per outcome variable with dims
        ``(sample, strategy)`` (variables with extra dimensions are left out).

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> to_dataframe(out).head(4)
       sample    strategy    cost  qaly
    0       0  usual care  1200.0   6.1
    1       0    new drug  4500.0   6.5
    2       1  usual care  1500.0   5.8
    3       1    new drug  5100.0   6.4
    """
    names = [n for n, v in ds.data_vars.items() if set(v.dims) == {SAMPLE, STRATEGY}]
    return ds[names].transpose(SAMPLE, STRATEGY).to_dataframe().reset_index()[[SAMPLE, STRATEGY, *names]]


_CSV_HEADER = "# healthecon outcomes "
_NA_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "#N/A", "-NaN", "-nan", "<NA>", "None"]


def save_outcomes(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Save an outcome set losslessly: ``.nc`` as NetCDF4, ``.csv`` as a long table.

    The CSV form keeps the (sample, strategy) variables, their kinds and the dataset
    attributes (in a first comment line); each float is written as the shortest decimal
    that reads back as the same number (``6.1``, not ``6.0999999999999996``), so
    :func:`load_outcomes` returns identical numbers and the file stays readable in Excel. Variables with extra dimensions (e.g. ``year``)
    need NetCDF.

    Parameters
    ----------
    ds
        An outcome set (validated first).
    path
        File name ending in ``.nc`` or ``.csv``; an existing file is overwritten.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutcomesError
        If ``ds`` is not a valid outcome set, the suffix is neither ``.nc`` nor ``.csv``, or a
        variable with extra dimensions is saved as CSV.

    Examples
    --------
    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_outcomes(out, Path(folder) / "psa.csv")
    ...     print(path.name)
    ...     print(path.read_text(encoding="utf-8").splitlines()[1:3])
    psa.csv
    ['sample,strategy,cost,qaly', '0,usual care,1200.0,6.1']
    """
    path = Path(path)
    validate_outcomes(ds)
    _require_no_nul(ds)
    if path.suffix == ".nc":
        for module in ("h5py", "h5netcdf"):
            require_extra(module, "netcdf", "saving outcomes as NetCDF4 (.nc; or save as .csv)")
        ds.to_netcdf(path, engine="h5netcdf")
    elif path.suffix == ".csv":
        extra = [n for n, v in ds.data_vars.items() if set(v.dims) != {SAMPLE, STRATEGY}]
        if extra:
            raise OutcomesError(f"variables {extra} have extra dimensions and cannot be saved as CSV: use .nc")
        meta = {"attrs": {k: v for k, v in ds.attrs.items() if isinstance(v, (str, int, float))},
                "kinds": {n: v.attrs.get("kind", "other") for n, v in ds.data_vars.items()}}
        table = to_dataframe(ds)
        table[STRATEGY] = [csv_safe_text(s) for s in table[STRATEGY]]  # OWASP: text never becomes a formula
        table.columns = [csv_safe_text(str(c)) for c in table.columns]
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(_CSV_HEADER + json.dumps(meta) + "\n")
            table.to_csv(handle, index=False, lineterminator="\r\n")  # RFC 4180: a lone CR in a name is quoted
    else:
        raise OutcomesError(f"cannot save outcomes to {path.name!r}: use a .nc or .csv file name")
    return path


def load_outcomes(path: str | PathLike[str], *, encoding: str = "utf-8") -> xr.Dataset:
    """Load an outcome set written by :func:`save_outcomes` (or any long CSV of outcomes).

    Parameters
    ----------
    path
        A ``.nc`` file written by :func:`save_outcomes`, or a ``.csv`` long table (columns
        ``strategy``, optionally ``sample``, ``cost``, ``effect`` and other outcomes, with or
        without the metadata line :func:`save_outcomes` writes).
    encoding
        Text encoding of a CSV file: UTF-8 (with or without a byte-order mark) by default;
        ``"cp1252"`` for a CSV saved by Excel on Windows as "CSV" rather than "CSV UTF-8".

    Returns
    -------
    xarray.Dataset
        The validated outcome set, with its variable kinds and attributes restored.

    Raises
    ------
    OutcomesError
        If the suffix is neither ``.nc`` nor ``.csv``, or the table is not a complete,
        finite outcome set (see :func:`from_dataframe`); if the CSV's metadata line is
        malformed or disagrees with its data (e.g. names the effect as the cost); if the CSV is
        not in ``encoding``; or if a NetCDF/HDF5 file reaches outside itself (external links,
        external storage or virtual datasets, which could read another file's bytes in as
        outcomes). Loading parses data only: nothing in a file is executed.

    Examples
    --------
    A save-and-load round trip returns the same numbers, kinds and attributes:

    >>> out = make_outcomes(
    ...     {"cost": [[1200.0, 4500.0], [1500.0, 5100.0], [900.0, 4200.0]],
    ...      "qaly": [[6.1, 6.5], [5.8, 6.4], [6.3, 6.6]]},
    ...     strategies=["usual care", "new drug"], effect="qaly")
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     back = load_outcomes(save_outcomes(out, Path(folder) / "psa.csv"))
    >>> back.identical(out), strategies(back), back.attrs["effect"]
    (True, ['usual care', 'new drug'], 'qaly')
    """
    path = Path(path)
    if path.suffix == ".nc":
        ds = _open_netcdf(path)
        if STRATEGY not in ds.variables or SAMPLE not in ds.dims:
            raise OutcomesError(f"{path.name}: not an outcome set (no {STRATEGY!r} coordinate or {SAMPLE!r} dimension; it holds "
                                f"{list(ds.variables)}); save one with healthecon.save_outcomes")
        ds = ds.assign_coords({STRATEGY: [str(s) for s in ds[STRATEGY].values]})
        return validate_outcomes(ds)
    if path.suffix != ".csv":
        raise OutcomesError(f"cannot load outcomes from {path.name!r}: use a .nc or .csv file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        hint = (" It looks like a CSV saved by Excel on Windows: load it with encoding='cp1252', or save it as "
                "'CSV UTF-8'." if encoding.lower() in ("utf-8", "utf8") else "")
        raise OutcomesError(f"{path.name}, line {line}: byte {raw[err.start]:#04x} is not valid {encoding} text.{hint}") from None
    except LookupError:
        raise OutcomesError(f"load_outcomes: unknown encoding {encoding!r}") from None
    first = text.split("\n", 1)[0]
    has_meta = first.startswith(_CSV_HEADER)
    meta = _read_meta(first[len(_CSV_HEADER):], path.name) if has_meta else {"attrs": {}, "kinds": {}}
    body = text.split("\n", 1)[1] if has_meta and "\n" in text else ("" if has_meta else text)
    # strategy labels are text: "01" or "NA" must not become 1 or NaN
    try:
        header = [csv_text_back(c) for c in pd.read_csv(io.StringIO(body), nrows=0).columns]
        frame = pd.read_csv(io.StringIO(body), dtype={csv_safe_text(STRATEGY): str}, keep_default_na=False,
                            na_values={csv_safe_text(c): _NA_VALUES for c in header if c != STRATEGY},
                            **EXACT_FLOAT_CSV)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise OutcomesError(f"{path.name}: not a readable CSV table ({err})") from None
    frame.columns = header
    if STRATEGY in frame.columns:
        frame[STRATEGY] = [csv_text_back(s) for s in frame[STRATEGY]]
    attrs = dict(meta["attrs"])
    cost, effect = attrs.pop("cost", "cost"), attrs.pop("effect", "effect") or None
    currency, unit = attrs.pop("currency", "£"), attrs.pop("effect_unit", "QALY")
    if has_meta:
        _check_meta(meta, cost, effect, list(frame.columns), path.name)
    ds = from_dataframe(frame, cost=cost, effect=effect, currency=currency, effect_unit=unit)
    for name, kind in meta["kinds"].items():
        ds[name].attrs["kind"] = kind
    ds.attrs.update(attrs)
    return ds


def _read_meta(text: str, file: str) -> dict:
    """The metadata line of a saved CSV, checked for shape (a JSON object of attrs and kinds)."""
    where = f"{file}, line 1 (the '{_CSV_HEADER.strip()}' metadata line)"
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as err:
        raise OutcomesError(f"{where}: not valid JSON ({err.msg} at column {err.colno + len(_CSV_HEADER)})") from None
    if not isinstance(meta, dict) or set(meta) != {"attrs", "kinds"}:
        raise OutcomesError(f"{where}: expected a JSON object with exactly the keys 'attrs' and 'kinds', got {text.strip()!r}")
    attrs, kinds = meta["attrs"], meta["kinds"]
    if not isinstance(attrs, dict) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                              for v in attrs.values()):
        raise OutcomesError(f"{where}: 'attrs' must map names to text or numbers, got {attrs!r}")
    for key in ("cost", "effect", "currency", "effect_unit"):
        if key in attrs and not isinstance(attrs[key], str):
            raise OutcomesError(f"{where}: attrs[{key!r}] must be text, got {attrs[key]!r}")
    if not isinstance(kinds, dict) or not all(isinstance(k, str) and v in KINDS for k, v in kinds.items()):
        raise OutcomesError(f"{where}: 'kinds' must map variable names to one of {KINDS}, got {kinds!r}")
    return meta


def _check_meta(meta: dict, cost: str, effect: str | None, columns: list[str], file: str) -> None:
    """The metadata must agree with the data: named variables exist, and the kinds match the roles and names."""
    where = f"{file}, line 1 (metadata)"
    kinds = meta["kinds"]
    for name in kinds:
        if name not in columns:
            raise OutcomesError(f"{where}: gives a kind for {name!r}, which is not a column (columns: {columns})")
    roles = [("cost", cost, ("cost",))] + ([("effect", effect, ("effect", "benefit"))] if effect else [])
    for role, name, allowed in roles:
        if name not in columns:
            raise OutcomesError(f"{where}: names {name!r} as the {role} variable, but there is no such column")
        if kinds and kinds.get(name) not in allowed:
            raise OutcomesError(f"{where}: names {name!r} as the {role} variable but gives it kind {kinds.get(name)!r}: "
                                f"the line was edited or the columns swapped; refusing to guess which is right")
    for name, kind in kinds.items():
        said_by_name = _guess_kind(name, "\0", None)  # what the name alone says: cost*, benefit*, or nothing
        if said_by_name != "other" and kind != said_by_name and not (said_by_name == "benefit" and kind == "effect"):
            raise OutcomesError(f"{where}: variable {name!r} is named as a {said_by_name} but given kind {kind!r}: "
                                f"the metadata disagrees with the data; refusing to guess which is right")


def _require_no_nul(ds: xr.Dataset) -> None:
    """NetCDF and CSV cannot hold a NUL character in a name: say where it is."""
    texts = [("strategy", s) for s in strategies(ds)] + [("variable", str(n)) for n in ds.data_vars]
    texts += [(f"attribute {k!r}", v) for k, v in ds.attrs.items() if isinstance(v, str)]
    for what, text in texts:
        if "\x00" in text:
            raise OutcomesError(f"{what} {text!r} holds a NUL character (\\x00), which a saved file cannot store; remove it")


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _open_netcdf(path: Path) -> xr.Dataset:
    """Read a NetCDF file into memory, refusing HDF5 features that reach outside the file.

    NetCDF3 (classic) files are read by scipy's reader. NetCDF4 files are HDF5 files: before
    xarray opens one, every object is inspected with h5py and the file is refused if it uses an
    external link, external raw storage or a virtual dataset, any of which makes the HDF5
    library read another file's bytes as if they were this file's data.
    """
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except OSError as err:
        raise OutcomesError(f"cannot read {path}: {err.strerror or err}") from None
    if start[:3] == b"CDF":
        engine = "scipy"
    else:
        for module in ("h5py", "h5netcdf"):
            require_extra(module, "netcdf", f"reading the NetCDF4 file {path.name}")
        _require_self_contained_hdf5(path)
        engine = "h5netcdf"
    try:
        with xr.open_dataset(path, engine=engine) as opened:
            return opened.load()
    except (OSError, ValueError, TypeError, KeyError) as err:
        raise OutcomesError(f"{path.name}: not a readable NetCDF outcome set ({type(err).__name__}: {err})") from None


def _require_self_contained_hdf5(path: Path) -> None:
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError:
        raise OutcomesError(f"{path.name}: not a NetCDF file (neither NetCDF3 nor NetCDF4/HDF5)") from None
    with handle:
        def inspect(group, prefix: str) -> None:
            for name in group:
                link = group.get(name, getlink=True)
                where = f"{path.name}: object '{prefix}{name}'"
                if isinstance(link, h5py.ExternalLink):
                    raise OutcomesError(f"{where} is an external link to {link.filename!r}; refusing a file that "
                                        f"reads from other files")
                if isinstance(link, h5py.SoftLink):
                    continue  # a link inside the file: its target is inspected where it lives
                obj = group[name]
                if isinstance(obj, h5py.Dataset):
                    if obj.is_virtual:
                        raise OutcomesError(f"{where} is a virtual dataset mapping other files; refusing it")
                    if obj.external:
                        raise OutcomesError(f"{where} stores its data in external file(s) "
                                            f"{[e[0] for e in obj.external]}; refusing it")
                elif isinstance(obj, h5py.Group):
                    inspect(obj, f"{prefix}{name}/")
        inspect(handle, "/")
