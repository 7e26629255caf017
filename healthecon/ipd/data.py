"""Patient-level data: one row per person, checked, with costs, QALYs and life-years per person.

:func:`read_patients` takes a :class:`pandas.DataFrame` or a CSV file with one row per person
(an identifier, the arm, cost items, utility measurements at time points, follow-up,
covariates, and optionally an analysis weight, a matched-set or a cluster identifier), checks
it, and returns a :class:`PatientData`: the per-person table with the columns ``cost`` (the
discounted total of the cost items), ``qaly`` and ``ly`` added, plus the roles of the columns.
Bad input raises :class:`PatientDataError` naming the column and the row (the person's
identifier and the data row number, counting the header as row 0).

Conventions (stated, because trial analysts differ here):

- **Costs** are discounted by time since entry: each cost item is discounted at the time
  given in ``cost_times`` (years since entry; default 0, i.e. undiscounted), by the factor
  :math:`(1 + r)^{-t}`. For annual totals, ``t = k - 1`` for year ``k`` is the common UK
  trial convention (first year undiscounted); ``t = k - 0.5`` discounts at mid-year.
- **QALYs** are the area under the linearly interpolated utility profile (trapezoid rule),
  discounted continuously, :math:`\\int u(t) (1 + r)^{-t} dt` (see :func:`auc_qalys`).
- **Life-years** are the follow-up (time alive since entry, capped at ``horizon`` when given),
  discounted continuously the same way (:func:`life_years`).

Utilities above 1 are errors; negative utilities (states worse than dead, e.g. on the EQ-5D-3L
UK tariff, down to -0.594) are allowed, and values below -1 are rejected as implausible.
A missing value in a cost item or utility leaves that person's total missing (NaN): see
:mod:`healthecon.ipd.missing` for the missing-data report, complete cases and multiple
imputation.

References
----------
Drummond MF et al. (2015). *Methods for the Economic Evaluation of Health Care Programmes*,
4th ed., ch. 4 and 6 (discounting; QALYs by area under the curve).
Glick HA, Doshi JA, Sonnad SS, Polsky D (2014). *Economic Evaluation in Clinical Trials*, 2nd
ed. Oxford University Press, ch. 4-5 (per-person costs and QALYs in trials).
Manca A, Hawkins N, Sculpher MJ (2005). Estimating mean QALYs in trial-based cost-effectiveness
analysis: the importance of controlling for baseline utility. *Health Economics* 14:487-496.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "id": [1, 2, 3, 4], "arm": ["usual care", "usual care", "new", "new"],
...     "cost_drug": [100.0, 120.0, 900.0, 1000.0], "cost_visits": [300.0, 280.0, 250.0, 200.0],
...     "eq5d_0": [0.6, 0.7, 0.6, 0.65], "eq5d_12": [0.6, 0.7, 0.8, 0.85]})
>>> data = read_patients(frame, arm="arm", arms=["usual care", "new"],
...                      costs=["cost_drug", "cost_visits"], utilities={"eq5d_0": 0, "eq5d_12": 1})
>>> data.table[["arm", "cost", "qaly"]]
          arm    cost   qaly
id
1  usual care   400.0  0.600
2  usual care   400.0  0.700
3         new  1150.0  0.700
4         new  1200.0  0.750
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ..discount import discount_factors
from ..errors import HealthEconError

__all__ = ["PatientDataError", "PatientData", "read_patients", "auc_qalys", "life_years", "UTILITY_FLOOR"]

UTILITY_FLOOR = -1.0
"""The lowest utility accepted: below every published EQ-5D value set (UK 3L minimum -0.594)."""


class PatientDataError(HealthEconError, ValueError):
    """A patient-level table is malformed; the message names the column and the row at fault."""


def _delta(rate: float) -> float:
    """Continuous rate :math:`\\ln(1 + r)` of an annual discount rate ``r`` (checked)."""
    discount_factors(0.0, rate)  # raises a clear ParameterError for a bad rate
    return float(np.log1p(rate))


def auc_qalys(utilities: np.ndarray, times: Sequence[float], rate: float = 0.0) -> np.ndarray:
    r"""QALYs as the area under each row's utility profile, trapezoid rule, discounted continuously.

    Between measurement times :math:`t_0 < t_1` utility is linear from :math:`u_0` to
    :math:`u_1`; with :math:`\delta = \ln(1 + r)` and :math:`h = t_1 - t_0` the segment gives
    :math:`e^{-\delta t_0}\,[u_0 I_0 + (u_1 - u_0) I_1 / h]`, with
    :math:`I_0 = (1 - e^{-\delta h})/\delta` and :math:`I_1 = (1 - e^{-\delta h}(1 + \delta h))/\delta^2`,
    the exact integral of :math:`u(t)(1 + r)^{-t}`; at :math:`r = 0` it is the trapezoid
    :math:`h (u_0 + u_1)/2` (Drummond et al. 2015, ch. 6; Glick et al. 2014, ch. 5).

    Parameters
    ----------
    utilities
        Shape ``(n_people, n_times)``; a NaN makes that person's QALYs NaN.
    times
        Measurement times in years since entry, strictly increasing, the first >= 0.
    rate
        Annual discount rate for effects (0.035 for 3.5%).

    Examples
    --------
    >>> auc_qalys(np.array([[0.5, 0.7, 0.9]]), [0, 0.5, 1])
    array([0.7])
    >>> auc_qalys(np.array([[1.0, 1.0]]), [0, 1], rate=0.035).round(6)  # (1 - 1.035**-1) / ln(1.035)
    array([0.982995])
    """
    u = np.asarray(utilities, dtype=float)
    t = np.asarray(times, dtype=float)
    if u.ndim != 2 or u.shape[1] != t.size or t.size < 2:
        raise PatientDataError(f"utilities: expected shape (n_people, {t.size}) with at least two time points, got {u.shape}")
    if t[0] < 0 or (np.diff(t) <= 0).any():
        raise PatientDataError(f"utility times: expected strictly increasing times >= 0 (years since entry), got {t.tolist()}")
    delta = _delta(rate)
    u0, u1, h = u[:, :-1], u[:, 1:], np.diff(t)
    if delta == 0:
        return (h * (u0 + u1) / 2).sum(axis=1)
    x = delta * h
    i0 = -np.expm1(-x) / delta
    i1 = (-np.expm1(-x) - x * np.exp(-x)) / delta**2
    return (np.exp(-delta * t[:-1]) * (u0 * i0 + (u1 - u0) * i1 / h)).sum(axis=1)


def life_years(follow_up: np.ndarray, rate: float = 0.0, horizon: float | None = None) -> np.ndarray:
    r"""Life-years from time alive since entry, capped at ``horizon``, discounted continuously.

    :math:`\int_0^T (1 + r)^{-t} dt = (1 - (1 + r)^{-T}) / \ln(1 + r)`, and ``T`` itself when
    ``rate`` is 0 (Drummond et al. 2015, ch. 4).

    Examples
    --------
    >>> life_years(np.array([0.5, 2.0, 3.0]), horizon=2.0)
    array([0.5, 2. , 2. ])
    >>> life_years(np.array([1.0]), rate=0.035).round(6)
    array([0.982995])
    """
    years = np.asarray(follow_up, dtype=float)
    if horizon is not None:
        years = np.minimum(years, float(horizon))
    delta = _delta(rate)
    return years if delta == 0 else -np.expm1(-delta * years) / delta


@dataclass(frozen=True)
class PatientData:
    """A checked patient-level table and the roles of its columns (built by :func:`read_patients`).

    Attributes
    ----------
    table
        One row per person, indexed by identifier: the input columns plus ``cost`` (discounted
        total of the cost items), ``qaly`` (when utilities are given), ``ly`` (when follow-up
        is given), and the discounted cost items (same names as the input cost columns).
    arms
        Arm labels, comparator first; they become the strategies of every outcome set.
    costs, effects
        Cost item columns and effect columns (``"qaly"``, ``"ly"``).
    covariates
        Covariate columns (numeric); ``baseline_utility`` is added when utilities are given.
    weight, matched_set, cluster
        Column names, or ``None``.
    notes
        Comment lines (``# ...``) before the header, or in one block right after it (where the
        shipped files keep them, so that their first line is the header with its ``source``
        column), e.g. a SYNTHETIC label.
    discount
        Annual discount rates used: ``{"costs": r_c, "effects": r_e}``.
    """

    table: pd.DataFrame
    arms: tuple[str, ...]
    costs: tuple[str, ...]
    effects: tuple[str, ...]
    covariates: tuple[str, ...] = ()
    weight: str | None = None
    matched_set: str | None = None
    cluster: str | None = None
    notes: tuple[str, ...] = ()
    discount: Mapping[str, float] = field(default_factory=dict)

    @property
    def arm_index(self) -> np.ndarray:
        """Each person's arm as an integer (0 = comparator), in table order."""
        return pd.Categorical(self.table["arm"], categories=list(self.arms)).codes.astype(np.intp)

    @property
    def default_effect(self) -> str:
        """``"qaly"`` if QALYs were computed, else ``"ly"``."""
        if not self.effects:
            raise PatientDataError("patient data has no effect: give utilities= or follow_up= to read_patients")
        return "qaly" if "qaly" in self.effects else self.effects[0]

    @property
    def weights(self) -> np.ndarray:
        """Analysis weights (ones when no weight column is given)."""
        return np.ones(len(self.table)) if self.weight is None else self.table[self.weight].to_numpy(dtype=float)

    def with_table(self, table: pd.DataFrame) -> PatientData:
        """The same roles over another table (e.g. complete cases or an imputed copy)."""
        return PatientData(table, self.arms, self.costs, self.effects, self.covariates, self.weight,
                           self.matched_set, self.cluster, self.notes, self.discount)


def _read_csv(path: str | PathLike[str] | io.TextIOBase) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A CSV as text cells, with ``#`` comment lines before the header, or in one block right after
    it, returned as notes (nothing executed; a ``#`` later on is data)."""
    text = path.read() if isinstance(path, io.TextIOBase) else Path(path).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    notes = []
    while lines and lines[0].startswith("#"):
        notes.append(lines.pop(0).lstrip("#").strip())
    while len(lines) > 1 and lines[1].startswith("#"):
        notes.append(lines.pop(1).lstrip("#").strip())
    frame = pd.read_csv(io.StringIO("".join(lines)), dtype=str, keep_default_na=False,
                        na_values=["", "NA", "N/A", "NaN", "nan", "."])
    return frame, tuple(notes)


def _where(frame: pd.DataFrame, id_column: str | None, position: int) -> str:
    """``data row k, id X``: where a bad value is, for messages (the header is row 0)."""
    ident = f", id {_plain(frame[id_column].iloc[position])!r}" if id_column and id_column in frame else ""
    return f"data row {position + 1}{ident}"


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _numeric(frame: pd.DataFrame, column: str, id_column: str | None) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        k = int(np.argmax(bad.to_numpy()))
        raise PatientDataError(
            f"column {column!r}, {_where(frame, id_column, k)}: {frame[column].iloc[k]!r} is not a number "
            "(write plain numbers: no currency symbols or thousands separators)")
    return values.to_numpy(dtype=float)


def read_patients(
    source: pd.DataFrame | str | PathLike[str] | io.TextIOBase,
    *,
    arm: str = "arm",
    arms: Sequence[str] | None = None,
    id: str | None = "id",
    costs: Sequence[str] = (),
    cost_times: Mapping[str, float] | None = None,
    utilities: Mapping[str, float] | None = None,
    follow_up: str | None = None,
    horizon: float | None = None,
    covariates: Sequence[str] = (),
    weight: str | None = None,
    matched_set: str | None = None,
    cluster: str | None = None,
    discount_costs: float = 0.0,
    discount_effects: float = 0.0,
) -> PatientData:
    """Read and check a patient-level table, and compute each person's costs, QALYs and life-years.

    Parameters
    ----------
    source
        A DataFrame or a CSV file (leading lines starting with ``#`` are kept as notes).
    arm, arms
        The arm column and its labels, comparator first (default: in order of appearance).
        Every person must be in one of ``arms`` and every arm must have people.
    id
        Identifier column (unique); ``None`` numbers the rows 1, 2, ...
    costs, cost_times
        Cost item columns (>= 0) and, for each, the time since entry (years) at which it is
        discounted; items not in ``cost_times`` are not discounted.
    utilities
        Utility column -> measurement time (years since entry). Values must be <= 1 (and
        >= -1). The first time's value is also kept as the covariate ``baseline_utility``
        (Manca et al. 2005).
    follow_up, horizon
        Column of time alive since entry (years, >= 0), capped at ``horizon``.
    covariates
        Numeric covariate columns for regression adjustment.
    weight
        Analysis weights (> 0), e.g. inverse-probability-of-treatment or matching weights.
    matched_set, cluster
        Identifier of the matched set (e.g. pair) or cluster each person belongs to; the
        bootstrap then resamples whole sets or clusters (give at most one).
    discount_costs, discount_effects
        Annual discount rates (0.035 for 3.5%).

    Returns
    -------
    PatientData

    Raises
    ------
    PatientDataError
        A missing column, an empty table, an unknown or empty arm, a duplicated identifier, a
        negative cost, a utility above 1 (or below -1), a negative follow-up or a non-positive
        weight, naming the column and the row.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"id": [7, 8, 8], "arm": ["A", "B", "B"], "cost": [1.0, 2.0, 3.0]})
    >>> read_patients(frame, costs=["cost"])
    Traceback (most recent call last):
    ...
    healthecon.ipd.data.PatientDataError: column 'id': identifier 8 appears twice (rows 2 and 3); every person needs one row
    """
    notes: tuple[str, ...] = ()
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        frame, notes = _read_csv(source)
    frame = frame.reset_index(drop=True)
    if frame.empty:
        raise PatientDataError("patient table: has no rows")
    utilities = dict(utilities or {})
    cost_times = dict(cost_times or {})
    if not costs and not utilities and follow_up is None:
        raise PatientDataError("patient table: give cost columns (costs=), utilities (utilities=) or follow-up (follow_up=)")
    wanted = [arm, *costs, *utilities, *covariates] + [c for c in (id, follow_up, weight, matched_set, cluster) if c]
    missing = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if missing:
        raise PatientDataError(f"patient table: missing column(s) {missing}; it has {list(frame.columns)}")
    extra_times = sorted(set(cost_times) - set(costs))
    if extra_times:
        raise PatientDataError(f"cost_times: {extra_times} are not cost columns {list(costs)}")
    if matched_set and cluster:
        raise PatientDataError("give matched_set or cluster, not both: the bootstrap resamples one kind of unit")
    reserved = {"cost", "qaly", "ly", "baseline_utility"} & set(wanted) - set(costs)
    if reserved:
        raise PatientDataError(f"columns {sorted(reserved)}: these names are computed per person; rename the input column(s)")

    if id is None:
        frame["id"] = np.arange(1, len(frame) + 1)
        id = "id"
    ids = frame[id]
    if ids.isna().any():
        k = int(np.argmax(ids.isna().to_numpy()))
        raise PatientDataError(f"column {id!r}, data row {k + 1}: missing identifier")
    dup = ids.duplicated(keep=False)
    if dup.any():
        first = ids[dup].iloc[0]
        rows = (np.flatnonzero((ids == first).to_numpy()) + 1)[:2]
        raise PatientDataError(f"column {id!r}: identifier {_plain(first)!r} appears twice (rows {rows[0]} and {rows[1]}); every person needs one row")

    labels = frame[arm]
    if labels.isna().any():
        k = int(np.argmax(labels.isna().to_numpy()))
        raise PatientDataError(f"column {arm!r}, {_where(frame, id, k)}: missing arm")
    labels = labels.astype(str)
    arms = tuple(str(a) for a in (arms if arms is not None else dict.fromkeys(labels)))
    if len(arms) < 2 or len(set(arms)) != len(arms):
        raise PatientDataError(f"arms: expected at least two distinct arm labels, got {list(arms)}")
    unknown = ~labels.isin(arms)
    if unknown.any():
        k = int(np.argmax(unknown.to_numpy()))
        raise PatientDataError(f"column {arm!r}, {_where(frame, id, k)}: arm {labels.iloc[k]!r} is not one of {list(arms)}")
    empty = [a for a in arms if not (labels == a).any()]
    if empty:
        raise PatientDataError(f"column {arm!r}: no people in arm(s) {empty}; expected people in every arm {list(arms)}")

    out = pd.DataFrame({"arm": labels.to_numpy()}, index=pd.Index(ids.to_numpy(), name=id))
    total = np.zeros(len(frame))
    for column in costs:
        values = _numeric(frame, column, id)
        negative = values < 0
        if negative.any():
            k = int(np.argmax(negative))
            raise PatientDataError(f"column {column!r}, {_where(frame, id, k)}: negative cost {values[k]:g}; costs must be >= 0")
        t = float(cost_times.get(column, 0.0))
        values = values * discount_factors(t, discount_costs)
        out[column] = values
        total = total + values
    if costs:
        out["cost"] = total
    effects = []
    added_covariates = []
    if utilities:
        times = list(utilities.values())
        u = np.column_stack([_numeric(frame, c, id) for c in utilities])
        for bad, what in ((u > 1, "above 1 (full health)"), (u < UTILITY_FLOOR, f"below {UTILITY_FLOOR:g}")):
            if bad.any():
                k, j = (int(i) for i in np.argwhere(bad)[0])
                column = list(utilities)[j]
                raise PatientDataError(f"column {column!r}, {_where(frame, id, k)}: utility {u[k, j]:g} is {what}; "
                                       "utilities are <= 1 (negative values, worse than dead, are allowed)")
        out["qaly"] = auc_qalys(u, times, discount_effects)
        out["baseline_utility"] = u[:, 0]
        effects.append("qaly")
        added_covariates.append("baseline_utility")
    if follow_up is not None:
        years = _numeric(frame, follow_up, id)
        if (years < 0).any():
            k = int(np.argmax(years < 0))
            raise PatientDataError(f"column {follow_up!r}, {_where(frame, id, k)}: negative follow-up {years[k]:g}; expected years >= 0")
        out["ly"] = life_years(years, discount_effects, horizon)
        effects.append("ly")
    for column in covariates:
        out[column] = _numeric(frame, column, id)
    if weight is not None:
        w = _numeric(frame, weight, id)
        bad = ~(w > 0)
        if bad.any():
            k = int(np.argmax(bad))
            raise PatientDataError(f"column {weight!r}, {_where(frame, id, k)}: weight {float(w[k])!r} is not > 0")
        out[weight] = w
    for column in (matched_set, cluster):
        if column is not None:
            if frame[column].isna().any():
                k = int(np.argmax(frame[column].isna().to_numpy()))
                raise PatientDataError(f"column {column!r}, {_where(frame, id, k)}: missing set or cluster identifier")
            out[column] = frame[column].astype(str).to_numpy()
    return PatientData(
        table=out, arms=arms, costs=tuple(costs), effects=tuple(effects),
        covariates=tuple(covariates) + tuple(added_covariates), weight=weight, matched_set=matched_set,
        cluster=cluster, notes=notes, discount={"costs": float(discount_costs), "effects": float(discount_effects)},
    )
