"""Missing data in patient-level CEA: a report, complete cases, and multiple imputation.

- :func:`missingness`: how many values of each analysis variable are missing, by arm (report
  it first: Faria et al. 2014, step 1).
- :func:`complete_cases`: the people with every analysis variable observed, with a
  :class:`MissingDataWarning` saying how many were dropped from each arm (complete-case
  analysis is unbiased only if missingness does not depend on the outcomes).
- :func:`multiple_imputation`: multiple imputation by chained equations with predictive mean
  matching (statsmodels' ``MICEData``; van Buuren 2018), each completed dataset then
  bootstrapped (:func:`~healthecon.ipd.bootstrap.bootstrap`), and the estimates pooled by
  Rubin's rules (Rubin 1987): this is the "impute, then bootstrap each imputed dataset"
  ordering described by Faria et al. (2014); Brand et al. (2019) and Schomaker & Heumann
  (2018) compare it with bootstrapping first. The imputation model holds the arm indicators and
  every analysis variable (cost items, QALYs, life-years, covariates), as Faria et al.
  recommend; the total cost is recomputed from imputed items. The pooled replicates (every
  imputation's bootstrap replicates, stacked) form the outcome set for the CE plane and CEAC.

References
----------
Faria R, Gomes M, Epstein D, White IR (2014). A guide to handling missing data in
cost-effectiveness analysis conducted within randomised controlled trials.
*PharmacoEconomics* 32:1157-1170.
Rubin DB (1987). *Multiple Imputation for Nonresponse in Surveys*. Wiley.
van Buuren S (2018). *Flexible Imputation of Missing Data*, 2nd ed. CRC Press.
Brand J, van Buuren S, le Cessie S, van den Hout W (2019). Combining multiple imputation and
bootstrap in the analysis of cost-effectiveness trial data. *Statistics in Medicine* 38:210-220.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from ..errors import AnalysisError
from ..outcomes import SAMPLE
from .bootstrap import IPDResult, bootstrap
from .data import PatientData
from .fieller import FiellerInterval, fieller

__all__ = ["MissingDataWarning", "MIResult", "analysis_variables", "missingness", "complete_cases", "rubin",
           "multiple_imputation"]


class MissingDataWarning(UserWarning):
    """People were dropped, or values imputed, because data are missing."""


def analysis_variables(data: PatientData) -> list[str]:
    """Cost items, total cost, effects and covariates: the columns an analysis reads."""
    names = [*data.costs, *(("cost",) if data.costs else ()), *data.effects, *data.covariates]
    return list(dict.fromkeys(names))


def missingness(data: PatientData, variables: Sequence[str] | None = None) -> pd.DataFrame:
    """Number and percentage of missing values of each variable, by arm and overall.

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.ipd.data import read_patients
    >>> frame = pd.DataFrame({"arm": ["A", "A", "B", "B"], "c": [1.0, None, 2.0, 3.0],
    ...                       "u0": [0.5, 0.6, None, 0.7], "u1": [0.6, 0.6, 0.8, 0.7]})
    >>> missingness(read_patients(frame, id=None, costs=["c"], utilities={"u0": 0, "u1": 1}))
                      A missing  A %  B missing  B %  all missing  all %
    variable
    c                         1 50.0          0  0.0            1   25.0
    cost                      1 50.0          0  0.0            1   25.0
    qaly                      0  0.0          1 50.0            1   25.0
    baseline_utility          0  0.0          1 50.0            1   25.0
    """
    names = list(variables or analysis_variables(data))
    missing = data.table[names].isna()
    arm = data.table["arm"]
    columns = {}
    for a in data.arms:
        mask = (arm == a).to_numpy()
        columns[f"{a} missing"] = missing[mask].sum()
        columns[f"{a} %"] = 100 * missing[mask].mean()
    columns["all missing"] = missing.sum()
    columns["all %"] = 100 * missing.mean()
    table = pd.DataFrame(columns)
    table.index.name = "variable"
    return table.round(1)


def complete_cases(data: PatientData, variables: Sequence[str] | None = None) -> PatientData:
    """The people with every analysis variable observed; warns how many were dropped per arm.

    Raises
    ------
    AnalysisError
        If an arm has no complete case left.
    """
    names = list(variables or analysis_variables(data))
    keep = data.table[names].notna().all(axis=1)
    if keep.all():
        return data
    arm = data.table["arm"]
    dropped = {a: int((~keep & (arm == a)).sum()) for a in data.arms}
    totals = {a: int((arm == a).sum()) for a in data.arms}
    empty = [a for a in data.arms if dropped[a] == totals[a]]
    if empty:
        raise AnalysisError(f"complete cases: no complete case left in arm(s) {empty}; impute instead")
    detail = ", ".join(f"{a}: {dropped[a]} of {totals[a]}" for a in data.arms)
    warnings.warn(
        f"complete-case analysis drops {int((~keep).sum())} people with missing data ({detail}); it is unbiased only "
        "if missingness does not depend on the outcomes (Faria et al. 2014): consider multiple_imputation",
        MissingDataWarning, stacklevel=2)
    return data.with_table(data.table[keep.to_numpy()])


def rubin(estimates: np.ndarray, variances: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    r"""Pool ``M`` estimates and their variances by Rubin's rules.

    :math:`\bar Q = \frac1M\sum Q_m`, :math:`\bar U = \frac1M\sum U_m`,
    :math:`B = \frac{1}{M-1}\sum (Q_m - \bar Q)^2`, :math:`T = \bar U + (1 + 1/M) B`, with
    :math:`\nu = (M - 1)(1 + \bar U / ((1 + 1/M) B))^2` degrees of freedom (Rubin 1987, ch. 3).

    Parameters
    ----------
    estimates, variances
        Shape ``(M, k)``: one row per imputation.

    Returns
    -------
    pandas.DataFrame
        Columns ``estimate``, ``within``, ``between``, ``total``, ``se``, ``df``, ``lower``,
        ``upper``, ``fmi`` (fraction of missing information, :math:`(1 + 1/M)B/T`).

    Examples
    --------
    >>> rubin(np.array([[1.0], [2.0], [3.0]]), np.array([[0.5], [0.5], [0.5]])).round(3)
       estimate  within  between  total     se     df  lower  upper    fmi
    0       2.0     0.5      1.0  1.833  1.354  3.781 -1.847  5.847  0.727
    """
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    m = q.shape[0]
    if m < 2:
        raise AnalysisError(f"Rubin's rules: need at least 2 imputations, got {m}")
    qbar, ubar = q.mean(axis=0), u.mean(axis=0)
    between = q.var(axis=0, ddof=1)
    total = ubar + (1 + 1 / m) * between
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(between > 0, (m - 1) * (1 + ubar / ((1 + 1 / m) * between)) ** 2, np.inf)
        fmi = np.where(total > 0, (1 + 1 / m) * between / total, 0.0)
    se = np.sqrt(total)
    t = stats.t.ppf(0.5 + level / 2, df)
    return pd.DataFrame({"estimate": qbar, "within": ubar, "between": between, "total": total, "se": se, "df": df,
                         "lower": qbar - t * se, "upper": qbar + t * se, "fmi": fmi})


@dataclass(frozen=True)
class MIResult:
    """Multiple imputation followed by the bootstrap of each completed dataset.

    Attributes
    ----------
    results
        One :class:`~healthecon.ipd.bootstrap.IPDResult` per imputation.
    replicates
        Every imputation's bootstrap replicates stacked along ``sample``: an outcome set for
        the CE plane, CEAC and VOI.
    point
        Outcome set of one sample: the mean over imputations of the point estimates.
    """

    results: tuple[IPDResult, ...]
    replicates: xr.Dataset
    point: xr.Dataset

    def pooled(self, level: float = 0.95) -> pd.DataFrame:
        """Arm means and increments pooled by Rubin's rules (bootstrap variance within imputations)."""
        first = self.results[0].summary(level, "percentile")
        estimates = np.stack([r.summary(level, "percentile")["estimate"].to_numpy() for r in self.results])
        variances = np.stack([r.summary(level, "percentile")["se"].to_numpy() ** 2 for r in self.results])
        table = rubin(estimates, variances, level)
        table.index = first.index
        table.attrs = {"n_imputations": len(self.results), "level": level, "pooling": "Rubin's rules"}
        return table

    def fieller(self, level: float = 0.95) -> dict[str, FiellerInterval]:
        """Fieller's set for each arm's ICER, from the increments pooled by Rubin's rules.

        The covariance matrix of (incremental cost, incremental effect) is pooled like a
        variance, :math:`T = \\bar U + (1 + 1/M) B` with :math:`\\bar U` the mean bootstrap
        covariance and :math:`B` the covariance of the imputations' estimates (Rubin 1987).
        """
        cost, effect = self.point.attrs["cost"], self.point.attrs["effect"]
        out = {}
        m = len(self.results)
        for arm in [str(s) for s in self.point.strategy.values][1:]:
            estimates, within = [], []
            for r in self.results:
                p = r.point
                estimates.append([float(p[v].sel(strategy=arm)[0] - p[v].isel(strategy=0)[0]) for v in (cost, effect)])
                within.append(np.cov(r.increments(cost, effect).loc[arm].to_numpy().T))
            q = np.asarray(estimates)
            total = np.mean(within, axis=0) + (1 + 1 / m) * np.cov(q.T)
            qbar = q.mean(axis=0)
            out[arm] = fieller(qbar[0], qbar[1], total[0, 0], total[1, 1], total[0, 1], level)
        return out


def _safe_names(columns: Sequence[str]) -> dict[str, str]:
    return {c: f"v{j}" for j, c in enumerate(columns)}


def impute(data: PatientData, n_imputations: int = 10, seed: int = 1, *, burn_in: int = 10, k_pmm: int = 20,
           variables: Sequence[str] | None = None) -> list[PatientData]:
    """``n_imputations`` completed copies of ``data`` by chained equations with predictive mean matching.

    Each copy runs its own chain (``burn_in`` cycles through the incomplete variables) seeded
    from ``numpy.random.SeedSequence(seed)``. Requires statsmodels >= 0.15.
    """
    from statsmodels.imputation.mice import MICEData

    names = [v for v in (variables or analysis_variables(data)) if v != "cost" or not data.costs]
    table = data.table
    incomplete = [v for v in names if table[v].isna().any()]
    cost_items = [c for c in data.costs if c in names]
    if not incomplete:
        return [data] * n_imputations
    predictors = pd.DataFrame({f"arm{k}": (data.arm_index == k).astype(float) for k in range(1, len(data.arms))},
                              index=table.index)
    frame = pd.concat([predictors, table[names]], axis=1).astype(float)
    rename = _safe_names(list(frame.columns))
    frame = frame.rename(columns=rename).reset_index(drop=True)
    completed = []
    for child in np.random.SeedSequence(seed).spawn(int(n_imputations)):
        mice = MICEData(frame, k_pmm=k_pmm, rng=np.random.default_rng(child))
        mice.update_all(int(burn_in))
        filled = mice.data.rename(columns={v: k for k, v in rename.items()})
        new = table.copy()
        for v in incomplete:
            new[v] = filled[v].to_numpy()
        if cost_items:
            new["cost"] = new[list(data.costs)].sum(axis=1)
        completed.append(data.with_table(new))
    return completed


def multiple_imputation(data: PatientData, n_imputations: int = 10, n_boot: int = 1000, seed: int = 1, *,
                        method: str = "mean", covariates: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
                        burn_in: int = 10, k_pmm: int = 20) -> MIResult:
    """Impute by chained equations (PMM), bootstrap each completed dataset, pool by Rubin's rules.

    Parameters
    ----------
    data
        Patient data with missing values in some analysis variables.
    n_imputations, n_boot, seed
        Imputations, bootstrap replicates per imputation, and the seed of both.
    method, covariates
        The estimator of :func:`~healthecon.ipd.bootstrap.bootstrap`.
    burn_in, k_pmm
        Chained-equation cycles per imputation, and donors for predictive mean matching.

    Returns
    -------
    MIResult
    """
    if int(n_imputations) < 2:
        raise AnalysisError(f"n_imputations: expected at least 2, got {n_imputations}")
    imputation_seed, boot_seed = np.random.SeedSequence(seed).spawn(2)
    completed = impute(data, n_imputations, int(imputation_seed.generate_state(1)[0]), burn_in=burn_in, k_pmm=k_pmm)
    seeds = boot_seed.generate_state(int(n_imputations))
    results = tuple(bootstrap(d, n_boot, int(s), method=method, covariates=covariates) for d, s in zip(completed, seeds))
    stacked = xr.concat([r.replicates for r in results], dim=SAMPLE)
    stacked = stacked.assign_coords({SAMPLE: np.arange(stacked.sizes[SAMPLE])})
    stacked.attrs = {**results[0].replicates.attrs, "n_imputations": int(n_imputations),
                     "kind": "bootstrap replicates of every imputed dataset, stacked"}
    point = xr.concat([r.point for r in results], dim=SAMPLE).mean(SAMPLE, keep_attrs=True).expand_dims(SAMPLE)
    point = point.assign_coords({SAMPLE: [0]}).transpose(SAMPLE, ...)
    point.attrs = {**results[0].point.attrs, "n_imputations": int(n_imputations), "kind": "mean of the imputations' point estimates"}
    return MIResult(results, stacked, point)
