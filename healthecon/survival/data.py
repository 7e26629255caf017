"""Individual patient survival data: times, event flags, arms and covariates, checked once.

:func:`survival_data` reads a ``pandas.DataFrame`` or a CSV file and returns a
:class:`SurvivalData`, raising a clear :class:`~healthecon.errors.ParameterError` that names the
column and row at fault for a missing or non-positive time, an event flag that is not 0 or 1,
a missing arm or a non-numeric covariate. Nothing is dropped or recoded silently.
:func:`load_dataset` reads the public datasets shipped with healthecon (each file states its
source in its header).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"months": [3.0, 8.5, 12.0, 2.0], "died": [1, 0, 1, 1], "arm": ["A", "A", "B", "B"]})
>>> data = survival_data(frame, time="months", event="died", arm="arm", time_unit="months")
>>> data.arms, data.n, data.events
(('A', 'B'), 4, 3)
>>> survival_data(frame.assign(died=[1, 2, 0, 1]), time="months", event="died")
Traceback (most recent call last):
...
healthecon.errors.ParameterError: column 'died', row 1: event flags must be 0 (censored) or 1 (event), got 2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike

import numpy as np
import pandas as pd

from ..errors import ParameterError, unknown_name
from .curves import TIME_UNITS

__all__ = ["SurvivalData", "survival_data", "load_dataset", "DATASETS"]

#: Public datasets shipped in ``healthecon/data/survival`` (each CSV cites its source in its header).
DATASETS = ("bc", "bonner2006_km", "bonner2006_at_risk")


@dataclass(frozen=True, eq=False)
class SurvivalData:
    """Checked right-censored survival data (build it with :func:`survival_data`).

    Attributes
    ----------
    time : numpy.ndarray
        Follow-up times (> 0) in ``time_unit``.
    event : numpy.ndarray
        1 for an event, 0 for censoring (int).
    arm : numpy.ndarray or None
        The arm of each patient (str), or None for a single group.
    covariates : pandas.DataFrame
        Numeric covariates, one column each (may have no columns).
    time_unit : str or float
        The unit of ``time`` (see :data:`~healthecon.survival.curves.TIME_UNITS`).
    """

    time: np.ndarray
    event: np.ndarray
    arm: np.ndarray | None = None
    covariates: pd.DataFrame = field(default_factory=pd.DataFrame)
    time_unit: str | float = "years"

    @property
    def n(self) -> int:
        """Number of patients."""
        return int(self.time.size)

    @property
    def events(self) -> int:
        """Number of events."""
        return int(self.event.sum())

    @property
    def arms(self) -> tuple[str, ...]:
        """The arms in order of first appearance (empty for a single group)."""
        return () if self.arm is None else tuple(dict.fromkeys(self.arm.tolist()))

    def subset(self, arm: str) -> SurvivalData:
        """The patients of one arm (``arm`` None in the result).

        Examples
        --------
        >>> data = survival_data(pd.DataFrame({"time": [1.0, 2.0, 3.0], "event": [1, 1, 0], "arm": ["A", "B", "B"]}), arm="arm")
        >>> data.subset("B").time
        array([2., 3.])
        """
        if self.arm is None:
            raise ParameterError("subset: these data have no arm column")
        if arm not in self.arms:
            raise unknown_name("arm", arm, self.arms)
        keep = self.arm == arm
        return SurvivalData(self.time[keep], self.event[keep], None, self.covariates.loc[keep].reset_index(drop=True), self.time_unit)

    def resample(self, rng: np.random.Generator) -> SurvivalData:
        """A bootstrap replicate: patients drawn with replacement within each arm (Efron &
        Tibshirani 1993), so every arm keeps its size."""
        if self.arm is None:
            index = rng.integers(0, self.n, self.n)
        else:
            index = np.concatenate([rng.choice(np.flatnonzero(self.arm == a), size=int((self.arm == a).sum())) for a in self.arms])
        return SurvivalData(
            self.time[index],
            self.event[index],
            None if self.arm is None else self.arm[index],
            self.covariates.iloc[index].reset_index(drop=True),
            self.time_unit,
        )

    def to_frame(self) -> pd.DataFrame:
        """The data as a table with columns ``time``, ``event``, ``arm`` (if any) and covariates."""
        frame = pd.DataFrame({"time": self.time, "event": self.event})
        if self.arm is not None:
            frame["arm"] = self.arm
        return pd.concat([frame, self.covariates.reset_index(drop=True)], axis=1)


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise unknown_name(f"{role} column", name, [str(c) for c in frame.columns])
    return frame[name]


def survival_data(
    data: pd.DataFrame | str | PathLike,
    *,
    time: str = "time",
    event: str = "event",
    arm: str | None = None,
    covariates: Sequence[str] = (),
    time_unit: str | float = "years",
) -> SurvivalData:
    """Check individual patient data and return it as :class:`SurvivalData`.

    Parameters
    ----------
    data
        A DataFrame, or the path of a CSV file (lines starting with ``#`` are comments).
    time, event
        Column names: follow-up time (> 0, in ``time_unit``) and event flag (1 event,
        0 censored).
    arm
        Optional column naming each patient's arm (read as text).
    covariates
        Optional numeric columns (e.g. age) to adjust for in a joint fit.
    time_unit
        The unit of the times: ``"years"``, ``"months"``, ``"weeks"``, ``"days"`` or the unit's
        length in years.

    Raises
    ------
    ParameterError
        Naming the column and row (the table's index label) of a missing, non-numeric or
        non-positive time, an event flag other than 0/1, a missing arm or a missing or
        non-numeric covariate.
    UnknownNameError
        If a column does not exist.
    """
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = pd.read_csv(data, comment="#", skipinitialspace=True)
    if isinstance(time_unit, str) and time_unit not in TIME_UNITS:
        raise unknown_name("time unit", time_unit, TIME_UNITS)
    times = pd.to_numeric(_column(frame, time, "time"), errors="coerce")
    raw = _column(frame, time, "time")
    for label, value, parsed in zip(frame.index, raw, times):
        if pd.isna(parsed) or not np.isfinite(parsed):
            raise ParameterError(f"column {time!r}, row {label}: expected a finite follow-up time, got {value!r}")
        if parsed < 0:
            raise ParameterError(f"column {time!r}, row {label}: follow-up times cannot be negative, got {parsed:g}")
        if parsed == 0:
            raise ParameterError(
                f"column {time!r}, row {label}: follow-up time is 0; parametric survival likelihoods need times > 0 "
                "(flexsurv and survreg reject them too): check the row, or add the analysis's convention (e.g. half a day) yourself"
            )
    flags = _column(frame, event, "event")
    numeric = pd.to_numeric(flags, errors="coerce")
    for label, value, parsed in zip(frame.index, flags, numeric):
        if isinstance(value, (bool, np.bool_)) or pd.isna(parsed) or parsed not in (0, 1):
            raise ParameterError(f"column {event!r}, row {label}: event flags must be 0 (censored) or 1 (event), got {value!r}")
    arms = None
    if arm is not None:
        column = _column(frame, arm, "arm")
        for label, value in zip(frame.index, column):
            if pd.isna(value) or str(value).strip() == "":
                raise ParameterError(f"column {arm!r}, row {label}: the arm is missing")
        arms = column.astype(str).to_numpy(dtype=object)
    covs = {}
    for name in covariates:
        column = _column(frame, name, "covariate")
        parsed = pd.to_numeric(column, errors="coerce")
        for label, value, x in zip(frame.index, column, parsed):
            if pd.isna(x) or not np.isfinite(x):
                raise ParameterError(f"column {name!r}, row {label}: expected a numeric covariate value, got {value!r}")
        covs[name] = parsed.to_numpy(dtype=float)
    return SurvivalData(
        times.to_numpy(dtype=float),
        numeric.to_numpy(dtype=int),
        arms,
        pd.DataFrame(covs, index=pd.RangeIndex(len(frame))),
        time_unit,
    )


def load_dataset(name: str) -> pd.DataFrame:
    """A public survival dataset shipped with healthecon, as a DataFrame.

    ``"bc"``: German Breast Cancer Study Group (686 patients; flexsurv's ``bc``, with
    ``recyrs = rectime / 365``). ``"bonner2006_km"`` and ``"bonner2006_at_risk"``: digitised
    Kaplan-Meier coordinates and numbers at risk of Bonner et al. 2006 (the Guyot et al. 2012
    example, from IPDfromKM). Each file's header cites its source, and its ``source`` column
    names it on every row.

    Examples
    --------
    >>> bc = load_dataset("bc")
    >>> bc.shape, int(bc["censrec"].sum()), bc["source"].iloc[0][:8]
    ((686, 5), 299, 'flexsurv')
    """
    if name not in DATASETS:
        raise unknown_name("survival dataset", name, DATASETS)
    resource = resources.files("healthecon.data") / "survival" / f"{name}.csv"
    with resources.as_file(resource) as path:
        return pd.read_csv(path, comment="#")
