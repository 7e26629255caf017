r"""Regression-based increments with analytic standard errors: net-benefit regression and SUR.

- :func:`net_benefit_regression`: each person's net monetary benefit
  :math:`NB_i(\lambda) = \lambda E_i - C_i` regressed on arm and covariates by (weighted) least
  squares; the arm coefficient is the incremental net benefit at :math:`\lambda`, its t-interval
  the uncertainty, and :math:`P(INB > 0)` from its t-distribution the CEAC (Hoch, Briggs & Willan
  2002). Because :math:`NB` is linear in :math:`\lambda`, one fit of cost and effect on the same
  design gives every threshold: the coefficient is :math:`\lambda\beta_E - \beta_C` and its
  variance :math:`[(X^\top W X)^{-1}]_{aa}(\lambda^2 s_{EE} - 2\lambda s_{EC} + s_{CC})`, with
  :math:`s` the residual covariance of the two regressions (tested against statsmodels' WLS at
  single thresholds).
- :func:`mean_difference_table`: the unadjusted increments (differences in arm means) with
  their sampling variances and covariance from the central limit theorem, each arm's sample
  (co)variance over its size (Nixon, Wonderling & Grieve 2010; Willan & Briggs 2006, ch. 4): the
  summary statistics that Fieller's set and the delta method take, and what Stata ``cea``'s
  ``vce(delta)`` uses (``mean ..., over()``).
- :func:`sur_table`: seemingly unrelated regression of cost and effect on arm and (possibly
  different) covariates by linearmodels' ``SUR`` (Zellner 1962; Willan, Briggs & Hoch 2004):
  the arm coefficients are the adjusted increments, with their standard errors and their
  covariance, ready for :func:`~healthecon.ipd.fieller.fieller`. (The bootstrap of the same
  model is ``bootstrap(..., method="sur")``.)

References
----------
Hoch JS, Briggs AH, Willan AR (2002). Something old, something new, something borrowed,
something blue: a framework for the marriage of health econometrics and cost-effectiveness
analysis. *Health Economics* 11:415-430.
Willan AR, Briggs AH, Hoch JS (2004). *Health Economics* 13:461-475.
Zellner A (1962). *JASA* 57:348-368.
Nixon RM, Wonderling D, Grieve RD (2010). Non-parametric methods for cost-effectiveness
analysis: the central limit theorem and the bootstrap compared. *Health Economics* 19:316-333.
Willan AR, Briggs AH (2006). *Statistical Analysis of Cost-effectiveness Data*. Wiley, ch. 4.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._validate import require_finite
from ..errors import AnalysisError
from .data import PatientData

__all__ = ["net_benefit_regression", "sur_table", "mean_difference_table", "design_frame"]


def design_frame(data: PatientData, covariates: Sequence[str] = ()) -> pd.DataFrame:
    """The regression design: ``const``, one indicator per non-comparator arm, covariates.

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.ipd.data import read_patients
    >>> frame = pd.DataFrame({"arm": ["A", "B", "B"], "c": [1.0, 2.0, 3.0], "age": [70.0, 80.0, 75.0]})
    >>> design_frame(read_patients(frame, id=None, costs=["c"], covariates=["age"]), ["age"])
        const  arm[B]   age
    id
    1     1.0     0.0  70.0
    2     1.0     1.0  80.0
    3     1.0     1.0  75.0
    """
    for c in covariates:
        if c not in data.table.columns or c == "arm":
            raise AnalysisError(f"covariate {c!r}: not a column of the patient table; covariates are {list(data.covariates)}")
    frame = pd.DataFrame({"const": 1.0}, index=data.table.index)
    codes = data.arm_index
    for k, arm in enumerate(data.arms[1:], start=1):
        frame[f"arm[{arm}]"] = (codes == k).astype(float)
    for c in covariates:
        frame[c] = data.table[c].to_numpy(dtype=float)
    if frame.isna().any().any():
        column = frame.columns[frame.isna().any()][0]
        raise AnalysisError(f"covariate {column!r} has missing values: impute them or analyse complete cases first")
    return frame


def _response(data: PatientData, name: str) -> np.ndarray:
    y = data.table[name].to_numpy(dtype=float)
    if np.isnan(y).any():
        raise AnalysisError(f"{name!r} is missing for {int(np.isnan(y).sum())} people: impute or analyse complete cases first")
    return y


def net_benefit_regression(data: PatientData, wtp: float | Sequence[float], *, covariates: Sequence[str] = (),
                           effect: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Net-benefit regression (Hoch et al. 2002): incremental net benefit by threshold.

    Parameters
    ----------
    data
        Patient data (analysis weights, if any, give weighted least squares).
    wtp
        One threshold or several (currency per unit of effect, >= 0).
    covariates
        Covariate columns of the regression.
    effect
        Effect column (default ``"qaly"`` if present, else ``"ly"``).
    level
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        Index (strategy, wtp); columns ``inb``, ``se``, ``lower``, ``upper``, ``p_ce``
        (probability that INB > 0 from the t-distribution with n - p degrees of freedom: the
        CEAC of the regression).

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.ipd.data import read_patients
    >>> frame = pd.DataFrame({"arm": ["A"] * 3 + ["B"] * 3, "c": [100.0, 120.0, 110.0, 300.0, 320.0, 280.0],
    ...                       "years": [1.0, 1.2, 1.1, 1.5, 1.4, 1.6]})
    >>> data = read_patients(frame, id=None, costs=["c"], follow_up="years")
    >>> net_benefit_regression(data, [0, 1000])[["inb", "se"]].round(2)
                       inb     se
    strategy wtp
    B        0.0    -190.0  12.91
             1000.0  210.0  86.60
    """
    grid = np.atleast_1d(require_finite(wtp, "wtp", AnalysisError))
    if (grid < 0).any():
        raise AnalysisError(f"wtp: expected thresholds >= 0, got {grid[grid < 0][0]}")
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a confidence level in (0, 1), got {level}")
    effect = effect or data.default_effect
    x = design_frame(data, covariates)
    n, p = x.shape
    if n <= p:
        raise AnalysisError(f"net-benefit regression: {n} people for {p} coefficients; need more people than coefficients")
    w = data.weights
    xv = x.to_numpy()
    y = np.column_stack([_response(data, effect), _response(data, "cost")])
    xtwx_inv = np.linalg.inv(xv.T @ (w[:, None] * xv))
    beta = xtwx_inv @ (xv.T @ (w[:, None] * y))
    resid = y - xv @ beta
    s = (resid.T @ (w[:, None] * resid)) / (n - p)
    q = stats.t.ppf(0.5 + level / 2, n - p)
    rows = []
    for k, arm in enumerate(data.arms[1:], start=1):
        inb = grid * beta[k, 0] - beta[k, 1]
        var = xtwx_inv[k, k] * (grid**2 * s[0, 0] - 2 * grid * s[0, 1] + s[1, 1])
        se = np.sqrt(np.maximum(var, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            p_ce = np.where(se > 0, stats.t.cdf(inb / np.where(se > 0, se, 1.0), n - p), (inb > 0) + 0.5 * (inb == 0))
        rows.append(pd.DataFrame({"strategy": arm, "wtp": grid, "inb": inb, "se": se, "lower": inb - q * se,
                                  "upper": inb + q * se, "p_ce": p_ce}))
    table = pd.concat(rows).set_index(["strategy", "wtp"])
    table.attrs = {"effect": effect, "covariates": list(covariates), "df": n - p, "level": level}
    return table


def sur_table(data: PatientData, *, cost_covariates: Sequence[str] = (), effect_covariates: Sequence[str] = (),
              effect: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Adjusted increments from seemingly unrelated regression of cost and effect (linearmodels).

    Requires the optional dependency linearmodels (``pip install healthecon[ipd]``). Analysis
    weights, if any, are passed to the regressions.

    Parameters
    ----------
    data
        Patient data.
    cost_covariates, effect_covariates
        Covariates of the cost and the effect equations (e.g. baseline cost, and baseline
        utility for QALYs, Manca et al. 2005).
    effect
        Effect column (default ``"qaly"`` if present, else ``"ly"``).
    level
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per non-comparator arm: ``inc_cost``, ``se_cost``, ``inc_effect``,
        ``se_effect``, ``cov`` (covariance of the two increments), ``corr`` and the
        ``level`` intervals ``cost_lower``, ``cost_upper``, ``effect_lower``, ``effect_upper``.
    """
    from linearmodels.system import SUR

    effect = effect or data.default_effect
    xc = design_frame(data, cost_covariates)
    xe = design_frame(data, effect_covariates)
    w = data.weights
    equations = {
        "cost": {"dependent": pd.Series(_response(data, "cost"), index=xc.index), "exog": xc, "weights": pd.Series(w, index=xc.index)},
        "effect": {"dependent": pd.Series(_response(data, effect), index=xe.index), "exog": xe, "weights": pd.Series(w, index=xe.index)},
    }
    fit = SUR(equations).fit(method="gls", cov_type="unadjusted")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for arm in data.arms[1:]:
        c_name, e_name = f"cost_arm[{arm}]", f"effect_arm[{arm}]"
        inc_c, inc_e = float(fit.params[c_name]), float(fit.params[e_name])
        se_c, se_e = float(fit.std_errors[c_name]), float(fit.std_errors[e_name])
        cov = float(fit.cov.loc[c_name, e_name])
        rows.append({"strategy": arm, "inc_cost": inc_c, "se_cost": se_c, "inc_effect": inc_e, "se_effect": se_e,
                     "cov": cov, "corr": cov / (se_c * se_e), "cost_lower": inc_c - z * se_c, "cost_upper": inc_c + z * se_c,
                     "effect_lower": inc_e - z * se_e, "effect_upper": inc_e + z * se_e})
    table = pd.DataFrame(rows).set_index("strategy")
    table.attrs = {"effect": effect, "cost_covariates": list(cost_covariates),
                   "effect_covariates": list(effect_covariates), "level": level, "method": "SUR (linearmodels, GLS)"}
    return table


def mean_difference_table(data: PatientData, *, effect: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Unadjusted increments with central-limit-theorem variances and covariance.

    For each arm against the comparator, the difference in mean cost and in mean effect; the
    variance of each difference is the sum over the two arms of the sample variance (n - 1
    denominator) over the arm's size, and their covariance the same sum of within-arm sample
    covariances over arm sizes (the arms are independent samples). The table has the columns
    of :func:`sur_table`, so either feeds :func:`~healthecon.ipd.fieller.fieller` and
    :func:`~healthecon.ipd.delta.delta_method`.

    Parameters
    ----------
    data
        Patient data without analysis weights (for weighted cohorts use :func:`bootstrap
        <healthecon.ipd.bootstrap.bootstrap>` or :func:`net_benefit_regression`).
    effect
        Effect column (default ``"qaly"`` if present, else ``"ly"``).
    level
        Confidence level of the normal intervals.

    Returns
    -------
    pandas.DataFrame
        One row per non-comparator arm: ``inc_cost``, ``se_cost``, ``inc_effect``,
        ``se_effect``, ``cov``, ``corr`` and ``cost_lower``, ``cost_upper``, ``effect_lower``,
        ``effect_upper``; ``attrs["df"]`` is N minus the number of arms (the t degrees of
        freedom Stata ``cea`` uses for two arms).

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.ipd.data import read_patients
    >>> frame = pd.DataFrame({"arm": ["usual"] * 4 + ["new"] * 4,
    ...                       "c": [200.0, 260.0, 230.0, 250.0, 400.0, 380.0, 450.0, 410.0],
    ...                       "years": [1.0, 1.1, 0.9, 1.0, 1.3, 1.2, 1.4, 1.5]})
    >>> t = mean_difference_table(read_patients(frame, id=None, costs=["c"], follow_up="years"))
    >>> t[["inc_cost", "se_cost", "inc_effect", "cov"]].round(4)
              inc_cost  se_cost  inc_effect     cov
    strategy
    new          175.0  19.7906        0.35  0.8333
    """
    if data.weight is not None:
        raise AnalysisError(f"mean_difference_table: the data carry analysis weights ({data.weight!r}); the "
                            "unweighted variance formula does not apply: use bootstrap() or net_benefit_regression()")
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a confidence level in (0, 1), got {level}")
    effect = effect or data.default_effect
    y = np.column_stack([_response(data, "cost"), _response(data, effect)])
    codes = data.arm_index
    moments = []
    for k, arm in enumerate(data.arms):
        yk = y[codes == k]
        if len(yk) < 2:
            raise AnalysisError(f"arm {arm!r}: {len(yk)} person(s); a sample variance needs at least 2")
        moments.append((yk.mean(axis=0), np.cov(yk, rowvar=False, ddof=1) / len(yk)))
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    mean0, v0 = moments[0]
    for arm, (mean_k, v_k) in zip(data.arms[1:], moments[1:]):
        inc_c, inc_e = mean_k - mean0
        v = v_k + v0
        se_c, se_e = float(np.sqrt(v[0, 0])), float(np.sqrt(v[1, 1]))
        corr = v[0, 1] / (se_c * se_e) if se_c > 0 and se_e > 0 else np.nan
        rows.append({"strategy": arm, "inc_cost": inc_c, "se_cost": se_c, "inc_effect": inc_e, "se_effect": se_e,
                     "cov": v[0, 1], "corr": corr, "cost_lower": inc_c - z * se_c, "cost_upper": inc_c + z * se_c,
                     "effect_lower": inc_e - z * se_e, "effect_upper": inc_e + z * se_e})
    table = pd.DataFrame(rows).set_index("strategy")
    table.attrs = {"effect": effect, "level": level, "df": len(y) - len(data.arms),
                   "method": "difference in means, central limit theorem variances"}
    return table
