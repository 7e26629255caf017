r"""Estimators of mean cost and effect by arm, evaluated for many weight vectors at once.

Each estimator is built once from a :class:`~healthecon.ipd.data.PatientData` and called with
a weight matrix ``W`` of shape ``(R, n_people)`` (bootstrap counts times analysis weights,
jackknife rows, or a single row of analysis weights); it returns, for each outcome variable, an
``(R, n_arms)`` array of mean values by arm. Every replicate is evaluated by matrix products
and batched linear solves, never a Python loop per replicate; the products come out the same
bits for a replicate whichever replicates share its chunk.

- :class:`ArmMeans`: weighted means by arm (weights: e.g. matching or inverse-probability
  weights, as in propensity-weighted cohorts).
- :class:`LinearMeans`: ordinary least squares of each outcome on arm and covariates, or
  seemingly unrelated regression (SUR, Zellner 1962, two-step feasible GLS) of cost and effect
  jointly (Willan, Briggs & Hoch 2004); adjusting QALYs for baseline utility is this with the
  covariate ``baseline_utility`` (Manca, Hawkins & Sculpher 2005).
- :class:`GammaMeans`: generalised linear model, gamma family and log link, for skewed costs
  (Barber & Thompson 2004; Manning & Mullahy 2001), fitted by iteratively reweighted least
  squares; for the log link and gamma variance the IRLS working weights are 1, so every
  iteration is one weighted least-squares solve per replicate (McCullagh & Nelder 1989, ch. 8).

The arm means of a regression are *recycled predictions* (Glick et al. 2014, ch. 6; Basu &
Rathouz 2005): every person's prediction with the arm set to each arm in turn, averaged over
the (re)sampled people with their weights. For a linear model this is the prediction at the
weighted covariate means, and the increment is the arm coefficient; for the GLM it is the
average of :math:`\exp(x_i(a)^\top \beta)`.

References
----------
Zellner A (1962). An efficient method of estimating seemingly unrelated regressions. *JASA*
57:348-368.
Willan AR, Briggs AH, Hoch JS (2004). Regression methods for covariate adjustment and subgroup
analysis for non-censored cost-effectiveness data. *Health Economics* 13:461-475.
Manca A, Hawkins N, Sculpher MJ (2005). *Health Economics* 14:487-496.
Barber J, Thompson S (2004). Multiple regression of cost data. *Statistics in Medicine*
23:1875-1890.
Glick HA, Doshi JA, Sonnad SS, Polsky D (2014). *Economic Evaluation in Clinical Trials*, 2nd
ed., ch. 6-7.

Examples
--------
>>> import pandas as pd
>>> from healthecon.ipd.data import read_patients
>>> frame = pd.DataFrame({"arm": ["A", "A", "B", "B"], "cost": [1.0, 3.0, 4.0, 8.0],
...                       "years": [1.0, 2.0, 2.0, 2.0]})
>>> data = read_patients(frame, id=None, costs=["cost"], follow_up="years")
>>> ArmMeans(data)(np.ones((1, 4)))["cost"]
array([[2., 6.]])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._products import row_products
from ..errors import AnalysisError
from .data import PatientData
from .resample import ResamplingPlan

__all__ = ["ArmMeans", "LinearMeans", "GammaMeans", "covariate_map"]


def _column(data: PatientData, name: str) -> np.ndarray:
    values = data.table[name].to_numpy(dtype=float)
    missing = np.isnan(values)
    if missing.any():
        who = data.table.index[int(np.argmax(missing))]
        raise AnalysisError(
            f"column {name!r} is missing for id {who!r} ({int(missing.sum())} people in all): use "
            "healthecon.ipd.complete_cases (with its warning) or healthecon.ipd.multiple_imputation first")
    return values


def _arm_dummies(data: PatientData) -> np.ndarray:
    """One-hot arm indicators, ``(n_people, n_arms)``."""
    return np.eye(len(data.arms))[data.arm_index]


def _denominator(weights: np.ndarray, onehot: np.ndarray, arms: Sequence[str]) -> np.ndarray:
    den = row_products(weights, onehot)
    if (den <= 0).any():
        r, k = (int(i) for i in np.argwhere(den <= 0)[0])
        raise AnalysisError(f"arm {arms[k]!r} has no weight in replicate {r}: every arm needs people")
    return den


def covariate_map(data: PatientData, variables: Sequence[str],
                  covariates: Sequence[str] | Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """Covariates for each outcome variable: one list for all, or a mapping variable -> list.

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.ipd.data import read_patients
    >>> frame = pd.DataFrame({"arm": ["A", "B"], "c": [1.0, 2.0], "age": [70.0, 80.0]})
    >>> data = read_patients(frame, id=None, costs=["c"], covariates=["age"])
    >>> covariate_map(data, ["cost"], ["age"])
    {'cost': ('age',)}
    """
    if covariates is None:
        chosen = {v: () for v in variables}
    elif isinstance(covariates, Mapping):
        unknown = sorted(set(covariates) - set(variables))
        if unknown:
            raise AnalysisError(f"covariates: {unknown} are not outcome variables {list(variables)}")
        chosen = {v: tuple(covariates.get(v, ())) for v in variables}
    else:
        chosen = {v: tuple(covariates) for v in variables}
    for v, names in chosen.items():
        for name in names:
            if name not in data.table.columns or name == "arm":
                raise AnalysisError(f"covariate {name!r} (for {v!r}): not a column of the patient table; "
                                    f"covariates are {list(data.covariates)}")
    return chosen


class ArmMeans:
    """Weighted mean of each outcome variable by arm: :math:`\\sum_i w_i y_i / \\sum_i w_i` within arm.

    Besides weight rows (:meth:`__call__`), it evaluates bootstrap draws directly
    (:meth:`from_draws`): the sums of each resampled unit's values, gathered by index as a plain
    numpy bootstrap does, with no count matrix.
    """

    description = "means by arm"

    def __init__(self, data: PatientData, variables: Sequence[str] | None = None):
        self.arms = data.arms
        self.variables = tuple(dict.fromkeys(variables or (*data.costs, *(("cost",) if data.costs else ()), *data.effects)))
        self.onehot = _arm_dummies(data)
        y = np.column_stack([_column(data, v) for v in self.variables])
        n, k = self.onehot.shape
        self.products = (y[:, :, None] * self.onehot[:, None, :]).reshape(n, -1)

    def __call__(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        den = _denominator(weights, self.onehot, self.arms)
        num = row_products(weights, self.products).reshape(len(weights), len(self.variables), len(self.arms))
        return {v: num[:, j, :] / den for j, v in enumerate(self.variables)}

    def from_draws(self, plan: ResamplingPlan, draws: list[np.ndarray], analysis_weights: np.ndarray | None) -> dict[str, np.ndarray]:
        """The arm means of a chunk of bootstrap draws (see :meth:`ResamplingPlan.iter_bootstrap_draws`)."""
        w = np.ones(plan.n_people) if analysis_weights is None else analysis_weights
        per_person = np.column_stack([self.products * w[:, None], self.onehot * w[:, None]])
        per_unit = np.zeros((plan.n_units, per_person.shape[1]))
        np.add.at(per_unit, plan.unit, per_person)
        totals = np.zeros((draws[0].shape[0], per_person.shape[1]))
        for units, local in zip(plan.members, draws):
            block = per_unit[units]
            for c in range(block.shape[1]):
                column = block[:, c]
                if column[0] == 0 and not column.any():
                    continue
                if (column == column[0]).all():
                    totals[:, c] += column[0] * units.size
                else:
                    totals[:, c] += column[local].sum(axis=1)
        k = len(self.arms)
        den = totals[:, -k:]
        if (den <= 0).any():
            r, a = (int(i) for i in np.argwhere(den <= 0)[0])
            raise AnalysisError(f"arm {self.arms[a]!r} has no weight in replicate {r}: every arm needs people")
        num = totals[:, :-k].reshape(len(totals), len(self.variables), k)
        return {v: num[:, j, :] / den for j, v in enumerate(self.variables)}


def _batched_solve(gram: np.ndarray, rhs: np.ndarray, what: str) -> np.ndarray:
    try:
        return np.linalg.solve(gram, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError as err:
        raise AnalysisError(
            f"{what}: the regression cannot be fitted in some replicate (a covariate without variation, "
            "or collinear covariates); drop or combine covariates") from err


class _Design:
    """Intercept, arm dummies (comparator omitted) and covariates for one outcome variable."""

    def __init__(self, data: PatientData, covariates: Sequence[str]):
        onehot = _arm_dummies(data)
        self.n_arms = onehot.shape[1]
        cov = np.column_stack([_column(data, c) for c in covariates]) if covariates else np.empty((len(onehot), 0))
        self.x = np.column_stack([np.ones(len(onehot)), onehot[:, 1:], cov])
        n, p = self.x.shape
        self.outer = (self.x[:, :, None] * self.x[:, None, :]).reshape(n, p * p)

    @property
    def p(self) -> int:
        return self.x.shape[1]

    def gram(self, weights: np.ndarray) -> np.ndarray:
        return row_products(weights, self.outer).reshape(len(weights), self.p, self.p)

    def with_arm(self, a: int) -> np.ndarray:
        """The design with every person's arm set to ``a``."""
        x = self.x.copy()
        x[:, 1:self.n_arms] = 0.0
        if a > 0:
            x[:, a] = 1.0
        return x

    def linear_means(self, weights: np.ndarray, beta: np.ndarray) -> np.ndarray:
        """Recycled predictions of a linear model: prediction at the weighted covariate means."""
        xbar = row_products(weights, self.x) / weights.sum(axis=1, keepdims=True)
        out = np.empty((len(weights), self.n_arms))
        for a in range(self.n_arms):
            xa = xbar.copy()
            xa[:, 1:self.n_arms] = 0.0
            if a > 0:
                xa[:, a] = 1.0
            out[:, a] = np.einsum("rp,rp->r", xa, beta)
        return out


class LinearMeans:
    """Arm means from least squares of each variable on arm and covariates (OLS), or cost and
    effect jointly by seemingly unrelated regression (``sur=True``, two-step feasible GLS).

    With the same covariates in both equations SUR equals OLS equation by equation (Zellner
    1962), so ``sur=True`` matters only when the cost and effect covariates differ.
    """

    def __init__(self, data: PatientData, covariates: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
                 variables: Sequence[str] | None = None, sur: bool = False):
        self.arms = data.arms
        self.variables = tuple(variables or (*(("cost",) if data.costs else ()), *data.effects))
        self.covariates = covariate_map(data, self.variables, covariates)
        self.designs = {v: _Design(data, self.covariates[v]) for v in self.variables}
        self.y = {v: _column(data, v) for v in self.variables}
        self.onehot = _arm_dummies(data)
        self.sur = bool(sur)
        if self.sur and len(self.variables) != 2:
            raise AnalysisError(f"SUR: expected two equations (cost and one effect), got {list(self.variables)}")
        self.description = "seemingly unrelated regression" if self.sur else "linear regression (OLS)"

    def _ols(self, v: str, weights: np.ndarray) -> np.ndarray:
        d = self.designs[v]
        return _batched_solve(d.gram(weights), row_products(weights, d.x * self.y[v][:, None]), f"regression of {v!r}")

    def __call__(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        _denominator(weights, self.onehot, self.arms)
        betas = {v: self._ols(v, weights) for v in self.variables}
        if self.sur:
            betas = self._sur(weights, betas)
        return {v: self.designs[v].linear_means(weights, betas[v]) for v in self.variables}

    def _sur(self, weights: np.ndarray, ols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Second step of Zellner's feasible GLS, the residual covariance from the OLS step
        divided by the (weighted) number of people, as linearmodels' ``SUR`` does by default."""
        v1, v2 = self.variables
        d1, d2 = self.designs[v1], self.designs[v2]
        y1, y2 = self.y[v1], self.y[v2]
        e1 = y1 - row_products(ols[v1], d1.x.T)
        e2 = y2 - row_products(ols[v2], d2.x.T)
        total = weights.sum(axis=1)
        sigma = np.stack([np.stack([(weights * e1 * e1).sum(1), (weights * e1 * e2).sum(1)], -1),
                          np.stack([(weights * e2 * e1).sum(1), (weights * e2 * e2).sum(1)], -1)], -2) / total[:, None, None]
        s = np.linalg.inv(sigma)
        p1, p2 = d1.p, d2.p
        cross = (d1.x[:, :, None] * d2.x[:, None, :]).reshape(len(y1), p1 * p2)
        g11, g22 = d1.gram(weights), d2.gram(weights)
        g12 = row_products(weights, cross).reshape(len(weights), p1, p2)
        a = np.concatenate([
            np.concatenate([s[:, 0, 0, None, None] * g11, s[:, 0, 1, None, None] * g12], axis=2),
            np.concatenate([s[:, 1, 0, None, None] * np.swapaxes(g12, 1, 2), s[:, 1, 1, None, None] * g22], axis=2),
        ], axis=1)
        x1y1, x1y2 = row_products(weights, d1.x * y1[:, None]), row_products(weights, d1.x * y2[:, None])
        x2y1, x2y2 = row_products(weights, d2.x * y1[:, None]), row_products(weights, d2.x * y2[:, None])
        rhs = np.concatenate([s[:, 0, 0, None] * x1y1 + s[:, 0, 1, None] * x1y2,
                              s[:, 1, 0, None] * x2y1 + s[:, 1, 1, None] * x2y2], axis=1)
        beta = _batched_solve(a, rhs, "seemingly unrelated regression")
        return {v1: beta[:, :p1], v2: beta[:, p1:]}


class GammaMeans:
    """Arm mean costs from a GLM with gamma family and log link (recycled predictions); the
    effects by OLS on the same covariates (as :class:`LinearMeans`).

    Zero costs are allowed: the estimating equations :math:`\\sum_i w_i x_i (y_i - \\mu_i)/\\mu_i = 0`
    (quasi-likelihood with gamma variance) are defined for them, though a gamma likelihood is not.
    """

    description = "GLM (gamma, log link) for costs"
    max_iterations = 100
    tolerance = 1e-10

    def __init__(self, data: PatientData, covariates: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
                 variables: Sequence[str] | None = None):
        if not data.costs:
            raise AnalysisError("GLM for costs: the patient data has no cost columns")
        self.linear = LinearMeans(data, covariates, variables)
        self.arms = data.arms
        self.variables = self.linear.variables
        self.costs = tuple(v for v in self.variables if v == "cost" or v in data.costs)
        # replicates start from the full-sample fit, a few IRLS steps from their own solution
        self.start = {v: self._fit(v, data.weights[None, :])[0] for v in self.costs}

    def _fit(self, v: str, weights: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        """Solve the estimating equations for every weight row.

        Without ``start`` (the full-sample fit): Fisher scoring (IRLS), which converges from
        anywhere. From ``start``: Newton's method, :math:`\\beta \\leftarrow \\beta + H^{-1} U` with
        :math:`U = \\sum_i w_i x_i (y_i/\\mu_i - 1)` and :math:`H = \\sum_i w_i (y_i/\\mu_i) x_i x_i^\\top`,
        quadratic near the solution, which a replicate's solution is. Each row stops when no
        person's linear predictor moves by more than ``tolerance``, on its own: a replicate takes
        the same steps whichever replicates share its chunk.
        """
        d, y = self.linear.designs[v], self.linear.y[v]
        mean = row_products(weights, y[:, None])[:, 0] / weights.sum(axis=1)
        if (mean <= 0).any():
            raise AnalysisError(f"GLM for {v!r}: the mean cost is 0 in some replicate; a log link needs a positive mean")
        if start is None:
            beta = np.zeros((len(weights), d.p))
            beta[:, 0] = np.log(mean)
            gram = d.gram(weights)
        else:
            beta = np.repeat(start[None, :], len(weights), axis=0)
        active = np.arange(len(weights))  # rows still moving
        for _ in range(self.max_iterations):
            w, b = weights[active], beta[active]
            eta = row_products(b, d.x.T)
            ratio = y / np.exp(eta)
            if start is None:
                step = _batched_solve(gram[active], row_products(w * (eta + ratio - 1), d.x), f"GLM for {v!r}") - b
            else:
                step = _batched_solve(d.gram(w * ratio), row_products(w * (ratio - 1), d.x), f"GLM for {v!r}")
            beta[active] = b + step
            active = active[np.abs(row_products(step, d.x.T)).max(axis=1) >= self.tolerance]
            if not active.size:
                return beta
        raise AnalysisError(f"GLM for {v!r}: the estimating equations did not converge in {self.max_iterations} iterations")

    def __call__(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        out = self.linear(weights)
        total = weights.sum(axis=1)
        for v in self.costs:
            beta, d = self._fit(v, weights, self.start[v]), self.linear.designs[v]
            out[v] = np.column_stack([
                (weights * np.exp(row_products(beta, d.with_arm(a).T))).sum(axis=1) / total for a in range(len(self.arms))])
        return out
