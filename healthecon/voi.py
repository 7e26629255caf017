"""Value of information: EVPI, EVPPI and EVSI by regression metamodelling, and population VOI.

All functions are pure functions of an outcome set (dims ``sample`` x ``strategy``) and, for
partial and sample information, of the parameter draws that produced it (one ``(sample,)``
variable per parameter, paired with the outcomes sample by sample). Net benefit always comes
from :func:`healthecon.cea.net_benefit`, so VOI in net monetary or net health benefit follows
the same conventions as the rest of the package.

EVPPI and EVSI use the regression (metamodel) method of Strong, Oakley & Brennan (2014) and
Strong et al. (2015): each strategy's incremental cost and incremental effect (against the
first strategy) are regressed on the parameters of interest, once per strategy and parameter
group; because net benefit is linear in cost and effect, the fitted incremental net benefit at
every willingness-to-pay threshold is ``wtp * fitted effect - fitted cost``, so one fit serves
the whole threshold grid.

Two metamodels are available, both linear smoothers written in an orthonormal eigenbasis so
that fitting, the generalised cross-validation (GCV) choice of smoothness and the posterior
simulation for the standard error are all matrix products vectorised over samples:

- ``"spline"`` (one or two parameters): penalised cubic regression splines with knots at
  quantiles of each parameter and an integrated squared second-derivative penalty (so straight
  lines are never penalised), a tensor product for two parameters, smoothness chosen by GCV (Wood 2017, *Generalized Additive Models*, 2nd ed.,
  sections 4.2 and 5.6), as the GAM of Strong et al. (2014);
- ``"gp"`` (any number of parameters): a Gaussian process with a squared-exponential
  correlation with one length scale per parameter and a nugget (Strong et al. 2014, section
  2.4 and appendix), hyperparameters estimated by maximum marginal likelihood on a subset of
  samples, and the posterior mean on all samples through the subset-of-regressors form with
  the subset as inducing points (Rasmussen & Williams 2006, *Gaussian Processes for Machine
  Learning*, section 8.3), solved through a cross-product matrix the size of the subset: time
  is linear in the number of samples (about a second for three parameters at 10,000 samples).

The standard error of an EVPPI estimate follows Strong et al. (2014, section 3.3): draw the
metamodel's fitted values from their posterior, recompute EVPPI for each draw, and take the
standard deviation. The fits of different strategies and of cost and effect are drawn
independently (their posterior correlation is not modelled), so the standard error is a
guide to the metamodel's precision rather than an exact interval. The metamodel's R-squared for each incremental cost and effect is reported
too; a large standard error relative to the estimate signals a poor metamodel or too few
samples.

References
----------
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*.
Oxford University Press, ch. 7.
Claxton K (1999). The irrelevance of inference: a decision-making approach to the stochastic
evaluation of health care technologies. *Journal of Health Economics* 18:341-364.
Strong M, Oakley JE, Brennan A (2014). Estimating multiparameter partial expected value of
perfect information from a probabilistic sensitivity analysis sample: a nonparametric
regression approach. *Medical Decision Making* 34(3):311-326.
Strong M, Oakley JE, Brennan A, Breeze P (2015). Estimating the expected value of sample
information using the probabilistic sensitivity analysis sample: a fast, nonparametric
regression-based method. *Medical Decision Making* 35(5):570-583.
Eilers PHC, Marx BD (1996). Flexible smoothing with B-splines and penalties. *Statistical
Science* 11(2):89-121.

Examples
--------
>>> import numpy as np, xarray as xr
>>> from healthecon.outcomes import make_outcomes
>>> rng = np.random.default_rng(1)
>>> p = rng.beta(20, 80, 2000)               # probability of response to the new treatment
>>> cost = np.column_stack([np.full(2000, 1000.0), np.full(2000, 1500.0)])
>>> qaly = np.column_stack([np.full(2000, 0.70), 0.66 + 0.25 * p])
>>> out = make_outcomes({"cost": cost, "qaly": qaly}, ["usual care", "new"], effect="qaly")
>>> draws = xr.Dataset({"p_response": ("sample", p)})
>>> round(float(evpi(out, 20000).item()), 1)
7.1
>>> result = evppi(out, draws, "p_response", 20000)
>>> round(float(result["evppi"].item()), 1)
7.1
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy import linalg, optimize
from scipy.interpolate import BSpline

from ._validate import require_nonnegative, require_positive
from .cea import WTP, net_benefit, net_benefit_values
from .discount import DiscountSchedule, discount_factors
from .errors import AnalysisError, ShapeError, unknown_name
from .outcomes import SAMPLE, STRATEGY, cost_effect, require_aligned, strategies

__all__ = [
    "evpi",
    "population_evpi",
    "evppi",
    "evppi_ranking",
    "evsi",
    "binomial_study",
    "normal_study",
    "METHODS",
]

METHODS = ("auto", "spline", "gp")

# Memory budget (number of float64 values) for one block of net-benefit arrays when the
# standard error is simulated; keeps peak memory near 50 MB whatever the PSA size.
_BLOCK = 6_000_000


def _expected_loss_of_best_mean(nb: np.ndarray) -> np.ndarray:
    """``E[max_d NB] - max_d E[NB]`` for ``nb`` of shape ``(..., n, d, w)``, shape ``(..., w)``.

    Written as the mean opportunity loss of the strategy with the highest expected net benefit
    (ties go to the first such strategy), which equals the difference of the two expectations
    (Briggs et al. 2006, section 7.2) and is a mean of non-negative numbers, so it is never
    negative through rounding and is exactly 0 when one strategy is best in every sample.
    """
    best = nb.mean(axis=-3).argmax(axis=-2)  # (..., w)
    chosen = np.take_along_axis(nb, best[..., None, None, :], axis=-2)[..., 0, :]
    return (nb.max(axis=-2) - chosen).mean(axis=-2)


def evpi(
    outcomes: xr.Dataset,
    wtp: float | Sequence[float] | np.ndarray,
    *,
    kind: str = "monetary",
    cost: str | None = None,
    effect: str | None = None,
) -> xr.DataArray:
    r"""Expected value of perfect information per person, over willingness-to-pay thresholds.

    :math:`EVPI(\lambda) = E_\theta[\max_d NB_d(\theta)] - \max_d E_\theta[NB_d(\theta)]`
    (Claxton 1999; Briggs et al. 2006, section 7.2), estimated over the PSA samples. It is the
    expected opportunity loss of choosing the strategy with the highest expected net benefit;
    when several strategies tie on expected net benefit the first is taken, which does not
    change the value.

    Parameters
    ----------
    outcomes
        An outcome set (dims ``sample`` x ``strategy``).
    wtp
        One threshold or a grid (currency per unit of effect).
    kind
        ``"monetary"`` (EVPI in currency) or ``"health"`` (in units of effect).
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect``.

    Returns
    -------
    xarray.DataArray
        Dims ``(wtp,)``; attrs ``kind``, ``units``, ``currency``, ``effect_unit`` and
        ``per = "person"``.

    Examples
    --------
    Two samples, two strategies, at one threshold: NMB is (10, 0) then (0, 12). The expected
    NMBs are 5 and 6, so the second strategy is chosen; perfect information gains
    ``(10 + 12) / 2 - 6 = 5``.

    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[-10.0, 0.0], [0.0, -12.0]], "effect": [[0, 0], [0, 0]]},
    ...                     strategies=["A", "B"])
    >>> evpi(out, 1000).values
    array([5.])
    """
    nb = net_benefit(outcomes, wtp, kind=kind, cost=cost, effect=effect)
    values = _expected_loss_of_best_mean(nb.values)
    return _wtp_result(values, nb, "evpi", per="person")


def _wtp_result(values: np.ndarray, nb: xr.DataArray, name: str, **attrs: object) -> xr.DataArray:
    return xr.DataArray(
        values, dims=(WTP,), coords={WTP: nb[WTP].values}, name=name,
        attrs={k: nb.attrs[k] for k in ("kind", "units", "currency", "effect_unit")} | attrs,
    )


def population_evpi(
    evpi: xr.DataArray | float,
    incidence: float | Sequence[float] | np.ndarray,
    horizon: int,
    discount_rate: float | DiscountSchedule = 0.035,
    *,
    timing: str = "end",
) -> xr.DataArray | float:
    r"""Population EVPI (or EVPPI, EVSI): per-person value times the discounted population.

    :math:`EVPI_{pop} = EVPI \sum_{t=1}^{T} I_t / (1 + r)^t` (Briggs et al. 2006, section 7.2.2),
    where :math:`I_t` is the number of people facing the decision in year :math:`t` of a
    decision horizon of :math:`T` years. With ``timing="end"`` (Briggs et al.) year ``t``'s
    patients are discounted by ``t`` years; with ``timing="start"`` by ``t - 1`` years (the
    first year undiscounted). Discount factors come from :func:`healthecon.discount.discount_factors`,
    so a Green Book declining schedule may be given instead of a constant rate.

    Parameters
    ----------
    evpi
        Per-person value: a number or the result of :func:`evpi`, :func:`evppi` (its
        ``evppi`` variable) or :func:`evsi`.
    incidence
        People per year facing the decision: one number for every year, or one per year
        (length ``horizon``).
    horizon
        Decision horizon in whole years (>= 1).
    discount_rate
        Annual rate (0.035 for 3.5%) or a :class:`~healthecon.discount.DiscountSchedule`.
    timing
        ``"end"`` or ``"start"`` of each year, as above.

    Returns
    -------
    xarray.DataArray or float
        Same shape as ``evpi``; a DataArray gets attrs ``per = "population"``,
        ``population`` (the discounted number of people), ``horizon`` and ``discount_rate``.

    Examples
    --------
    1,000 people a year for 2 years at 3.5%: 1000/1.035 + 1000/1.035**2 = 1899.69 people.

    >>> round(population_evpi(10.0, 1000, 2, 0.035), 2)
    18996.94

    An EVPI curve keeps its thresholds and records the discounted population:

    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[-10.0, 0.0], [0.0, -12.0]], "effect": [[0, 0], [0, 0]]},
    ...                     strategies=["A", "B"])
    >>> curve = population_evpi(evpi(out, [1000, 2000]), 1000, 2, 0.035)
    >>> curve.values.round(1), curve.attrs["per"], round(curve.attrs["population"], 2)
    (array([9498.5, 9498.5]), 'population', 1899.69)
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise AnalysisError(f"horizon: expected a whole number of years >= 1, got {horizon!r}")
    if timing not in ("end", "start"):
        raise AnalysisError(f"timing: expected 'end' or 'start', got {timing!r}")
    people = require_nonnegative(incidence, "incidence", AnalysisError)
    if people.ndim == 0:
        people = np.full(horizon, float(people))
    if people.shape != (horizon,):
        raise ShapeError(f"incidence: expected one number or {horizon} (one per year of the horizon), got shape {people.shape}")
    years = np.arange(1, horizon + 1) - (1 if timing == "start" else 0)
    population = float(np.sum(people * discount_factors(years, discount_rate)))
    if not isinstance(evpi, xr.DataArray):
        return float(require_nonnegative(evpi, "evpi", AnalysisError)) * population
    rate = discount_rate.name if isinstance(discount_rate, DiscountSchedule) else float(discount_rate)
    scaled = evpi * population
    scaled.attrs = dict(evpi.attrs) | {"per": "population", "population": population, "horizon": int(horizon),
                                       "discount_rate": rate, "timing": timing}
    scaled.name = evpi.name
    return scaled


# --------------------------------------------------------------------------- metamodels


@dataclass(frozen=True)
class _Smoother:
    """A fitted linear smoother ``fitted = offset + basis @ (weights * basis.T @ (y - offset))``.

    ``basis`` (n, r) has orthonormal columns and ``weights`` (r,) lie in [0, 1]; the posterior
    covariance of the fitted values is ``sigma2 * basis @ diag(weights) @ basis.T``.
    """

    fitted: np.ndarray
    basis: np.ndarray
    weights: np.ndarray
    sigma2: float
    r2: float
    edf: float

    def simulate(self, eps: np.ndarray) -> np.ndarray:
        """Posterior draws of the fitted values, shape ``(n, S)`` from ``eps`` of shape ``(r, S)``."""
        scale = np.sqrt(self.sigma2 * self.weights)
        return self.fitted[:, None] + self.basis @ (scale[:, None] * eps)


def _r2(y: np.ndarray, rss: np.ndarray) -> np.ndarray:
    tss = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    return np.where(tss > 0, 1.0 - rss / np.where(tss > 0, tss, 1.0), 1.0)


def _unit_scale(x: np.ndarray) -> np.ndarray:
    """Each column mapped linearly onto [0, 1] (a constant column maps to 0.5)."""
    low, high = x.min(axis=0), x.max(axis=0)
    width = np.where(high > low, high - low, 1.0)
    return np.where(high > low, (x - low) / width, 0.5)


def _bspline_basis(u: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Cubic B-spline basis with ``k`` functions on [0, 1], interior knots at quantiles of ``u``,
    and its penalty matrix ``S_ij = integral of B_i'' B_j''`` (so the unpenalised functions are
    the straight lines; Wood 2017, section 5.3.1)."""
    inner = np.unique(np.quantile(u, np.linspace(0.0, 1.0, k - 2)[1:-1]))
    inner = inner[(inner > 0) & (inner < 1)]
    knots = np.concatenate([[0.0] * 4, inner, [1.0] * 4])
    size = knots.size - 4
    basis = BSpline.design_matrix(u, knots, 3).toarray()
    # f'' is linear between knots, so 2-point Gauss-Legendre quadrature integrates f''^2 exactly.
    edges = np.unique(knots)
    nodes, weights = np.polynomial.legendre.leggauss(2)
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    points = (mid[:, None] + half[:, None] * nodes[None, :]).ravel()
    w = (half[:, None] * weights[None, :]).ravel()
    second = BSpline(knots, np.eye(size), 3).derivative(2)(points)
    return basis, second.T @ (w[:, None] * second)


def _spline_smoothers(x: np.ndarray, y: np.ndarray, k: int | None) -> list[_Smoother]:
    """Penalised regression spline fits of every column of ``y`` on ``x`` (one or two columns)."""
    n, p = x.shape
    if p > 2:
        raise AnalysisError(
            f"method 'spline' handles 1 or 2 parameters (a tensor product of more needs too many terms); "
            f"got {p}: use method='gp'"
        )
    k = k or (10 if p == 1 else 6)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 4:
        raise AnalysisError(f"basis_size: expected at least 4 cubic B-spline functions per parameter, got {k}")
    u = _unit_scale(x)
    margins = [_bspline_basis(u[:, j], k) for j in range(p)]
    if p == 1:
        design, penalties = margins[0][0], [margins[0][1]]
    else:
        (b1, s1), (b2, s2) = margins
        design = (b1[:, :, None] * b2[:, None, :]).reshape(n, -1)
        penalties = [np.kron(s1, np.eye(s2.shape[0])), np.kron(np.eye(s1.shape[0]), s2)]
    terms = design.shape[1]
    if terms >= n:
        raise AnalysisError(
            f"the spline metamodel has {terms} terms but there are only {n} samples: it needs more samples "
            f"than terms (use more PSA samples or a smaller basis_size)"
        )
    # Restrict to the column space of the design (handles parameters with repeated values),
    # then diagonalise the penalty there: fitted = U W (I + lam D)^-1 W' U' y (Wood 2017, 5.6).
    left, sing, right_t = linalg.svd(design, full_matrices=False)
    keep = sing > sing[0] * 1e-10
    left, sing, right_t = left[:, keep], sing[keep], right_t[keep]
    ratios = [1.0] if p == 1 else [0.01, 0.1, 1.0, 10.0, 100.0]
    yy = (y**2).sum(axis=0)
    best: list[tuple[float, np.ndarray, np.ndarray]] = [(np.inf, None, None)] * y.shape[1]  # type: ignore[list-item]
    for ratio in ratios:
        penalty = penalties[0] if p == 1 else penalties[0] + ratio * penalties[1]
        scaled = (right_t @ penalty @ right_t.T) / np.outer(sing, sing)
        eigval, eigvec = linalg.eigh(scaled)
        eigval = np.clip(eigval, 0.0, None)
        basis = left @ eigvec
        z = basis.T @ y  # (r, m)
        scale = np.median(eigval[eigval > eigval.max() * 1e-12]) if eigval.max() > 0 else 1.0
        lams = np.logspace(-8, 8, 81) / scale
        weights = 1.0 / (1.0 + lams[:, None] * eigval[None, :])  # (L, r)
        rss = (yy - (z**2).sum(axis=0))[None, :] + ((1 - weights)[:, :, None] ** 2 * (z**2)[None]).sum(axis=1)
        rss = np.clip(rss, 0.0, None)
        edf = weights.sum(axis=1)  # (L,)
        gcv = n * rss / (n - edf[:, None]) ** 2  # (L, m)
        pick = gcv.argmin(axis=0)
        for j in range(y.shape[1]):
            if gcv[pick[j], j] < best[j][0]:
                best[j] = (gcv[pick[j], j], basis, weights[pick[j]])
    smoothers = []
    for j, (_, basis, w) in enumerate(best):
        fitted = basis @ (w * (basis.T @ y[:, j]))
        rss = float(((y[:, j] - fitted) ** 2).sum())
        edf = float(w.sum())
        smoothers.append(_Smoother(fitted, basis, w, rss / (n - edf), float(_r2(y[:, [j]], np.array([rss]))[0]), edf))
    return smoothers


def _gp_correlation(a: np.ndarray, b: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Squared-exponential correlation ``exp(-sum_k ((a_k - b_k) / scale_k)^2)`` between rows."""
    a, b = a / scales, b / scales
    sq = (a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.exp(-np.clip(sq, 0.0, None))


def _gp_hyperparameters(u: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, float]:
    """Length scales and nugget of a Gaussian-process metamodel, fitted to ``(u, z)``.

    The model (Strong et al. 2014, section 2.4) is ``z = beta + f(u) + e`` with ``f`` a
    zero-mean GP with covariance ``sigma2 * exp(-sum_k ((u_k - u'_k) / delta_k)^2)`` and
    ``e ~ N(0, sigma2 nu)``. ``beta`` (flat prior) and ``sigma2`` (prior ``1 / sigma2``) are
    integrated out and ``(log delta, log nu)`` maximise the remaining marginal likelihood
    ``|A|^-1/2 |H' A^-1 H|^-1/2 (z' P z)^-(m-q)/2``, ``A = C + nu I``, ``H`` a column of ones,
    ``P = A^-1 - A^-1 H (H' A^-1 H)^-1 H' A^-1`` (Rasmussen & Williams 2006, section 2.7), by
    L-BFGS-B from two starting nuggets with the analytic gradient ``1/2 tr(W dA)``,
    ``W = P - (m-q) P z z' P / z' P z``.

    Strong et al. use a linear mean ``H = [1, u]``; on a few hundred samples its likelihood
    often puts every length scale at its upper bound, which leaves a straight-line fit and
    underestimated EVPPI for curved models (e.g. EVPPI of two parameters whose product drives
    the outcome, at a threshold where the decision is rarely in doubt, came out at 61% of its
    value on the same samples, against 88% with the constant mean), so the mean is constant.
    """
    m, p = u.shape
    h = np.ones((m, 1))
    q = 1
    sq = ((u[:, None, :] - u[None, :, :]) ** 2).reshape(m * m, p).T.copy()  # (p, m*m)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        scales, nu = np.exp(theta[:p]), np.exp(theta[p])
        corr = np.exp(-(scales**-2 @ sq)).reshape(m, m)
        corr[np.diag_indices(m)] += nu + 1e-10
        chol, info = linalg.lapack.dpotrf(corr, lower=1)
        if info == 0:
            a_inv, info = linalg.lapack.dpotri(chol, lower=1)
        if info != 0:  # not positive definite at these hyperparameters: steer the search away
            return 1e10, np.zeros(p + 1)
        a_inv = np.tril(a_inv) + np.tril(a_inv, -1).T
        corr[np.diag_indices(m)] -= nu + 1e-10
        a_h = a_inv @ h
        g_chol, info = linalg.lapack.dpotrf(h.T @ a_h, lower=1)
        if info != 0:
            return 1e10, np.zeros(p + 1)
        proj = a_inv - a_h @ linalg.cho_solve((g_chol, True), a_h.T)
        pz = proj @ z
        s2 = float(z @ pz)
        if not s2 > 0:
            return 1e10, np.zeros(p + 1)
        value = (np.log(np.diag(chol)).sum() + np.log(np.diag(g_chol)).sum() + (m - q) / 2 * np.log(s2)
)
        w = proj - (m - q) * np.outer(pz, pz) / s2
        grad = np.append(sq @ (w * corr).ravel() / scales**2, 0.5 * nu * np.trace(w))
        return float(value), grad

    bounds = [(np.log(0.01), np.log(100.0))] * p + [(np.log(1e-8), np.log(1e3))]
    best = None
    for start_nu in (1e-3, 0.3):
        start = np.concatenate([np.full(p, np.log(0.5)), [np.log(start_nu)]])
        fit = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
        if best is None or fit.fun < best.fun:
            best = fit
    return np.exp(best.x[:p]), float(np.exp(best.x[p]))


def _gp_smoothers(x: np.ndarray, y: np.ndarray, fit_samples: int, rng: np.random.Generator) -> list[_Smoother]:
    """Gaussian-process fits of every column of ``y`` on ``x`` (Strong et al. 2014, section 2.4).

    Hyperparameters come from a subset of ``fit_samples`` samples (:func:`_gp_hyperparameters`).
    The posterior mean at all ``n`` samples uses the subset-of-regressors approximation with
    the subset as inducing points (Rasmussen & Williams 2006, section 8.3.1): the correlation
    matrix is replaced by ``F F'`` with ``F = C_nm V diag(lambda)^-1/2`` from the eigenpairs
    of ``C_mm``, so the metamodel is a ridge regression on ``[1, F]`` with the constant
    unpenalised and penalty ``nu`` on ``F`` (exact when every sample is in the subset). It is
    solved through the cross-product matrix of ``[1, F]`` (at most ``m + 1`` square), in
    O(n m^2) time and O(n m) memory, rather than through an n x n kernel or an SVD of n x m.
    """
    n, p = x.shape
    if p + 2 >= n:
        raise AnalysisError(
            f"the Gaussian-process metamodel has {p + 2} hyperparameters but there are only {n} samples: "
            "it needs more samples than terms"
        )
    u = _unit_scale(x)
    subset = np.sort(rng.choice(n, size=min(n, fit_samples), replace=False))
    smoothers = []
    # Small dense matrices: one BLAS thread is faster than several competing for the cores of
    # a shared machine, and keeps the result reproducible.
    with _one_blas_thread():
        for j in range(y.shape[1]):
            mean, sd = y[:, j].mean(), y[:, j].std()
            if sd == 0 or not np.isfinite(sd):
                smoothers.append(_Smoother(y[:, j].copy(), np.zeros((n, 0)), np.zeros(0), 0.0, 1.0, 0.0))
                continue
            z = (y[:, j] - mean) / sd
            scales, nu = _gp_hyperparameters(u[subset], z[subset])
            eig, vec = linalg.eigh(_gp_correlation(u[subset], u[subset], scales))
            keep = eig > eig[-1] * 1e-10
            features = _gp_correlation(u, u[subset], scales) @ (vec[:, keep] / np.sqrt(eig[keep]))
            design = np.column_stack([np.ones(n), features])
            penalty = np.r_[0.0, np.ones(features.shape[1])]
            # Orthonormal basis of the design's column space from its cross-product matrix,
            # then the penalty diagonalised there (as in _spline_smoothers).
            gram_val, gram_vec = linalg.eigh(design.T @ design)
            ok = gram_val > gram_val[-1] * 1e-13
            to_basis = gram_vec[:, ok] / np.sqrt(gram_val[ok])
            pen_val, pen_vec = linalg.eigh((to_basis.T * penalty) @ to_basis)
            basis = design @ (to_basis @ pen_vec)
            w = 1.0 / (1.0 + nu * np.clip(pen_val, 0.0, None))
            fitted_z = basis @ (w * (basis.T @ z))
            edf = float(w.sum())
            rss_z = float(((z - fitted_z) ** 2).sum())
            fitted = mean + sd * fitted_z
            smoothers.append(_Smoother(fitted, basis, w, sd**2 * rss_z / max(n - edf, 1.0),
                                       float(_r2(z[:, None], np.array([rss_z]))[0]), edf))
    return smoothers


def _one_blas_thread():
    """Context limiting BLAS to one thread (a no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - depends on the installation
        return contextlib.nullcontext()
    return threadpool_limits(1)


# --------------------------------------------------------------------------- EVPPI / EVSI


def _regressors(draws: xr.Dataset, names: Sequence[str], what: str) -> np.ndarray:
    columns = []
    for name in names:
        if name not in draws.data_vars:
            raise unknown_name(what, name, list(draws.data_vars))
        var = draws[name]
        if var.dims != (SAMPLE,):
            raise ShapeError(f"{what} {name!r}: expected dims ('sample',), got {var.dims}")
        columns.append(np.asarray(var.values, dtype=float))
    x = np.column_stack(columns)
    bad = ~np.isfinite(x)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise AnalysisError(f"{what} {names[j]!r} is not finite at sample {i}: got {x[i, j]}")
    return x


def _names(parameters: str | Sequence[str], what: str) -> list[str]:
    names = [parameters] if isinstance(parameters, str) else list(parameters)
    if not names:
        raise AnalysisError(f"{what}: expected at least one name")
    if len(set(names)) != len(names):
        raise AnalysisError(f"{what}: a name is repeated in {names}")
    return names


def _metamodel_voi(
    outcomes: xr.Dataset,
    x: np.ndarray,
    names: list[str],
    wtp: float | Sequence[float] | np.ndarray,
    *,
    method: str,
    kind: str,
    cost: str | None,
    effect: str | None,
    basis_size: int | None,
    gp_fit_samples: int,
    se_draws: int,
    seed: int | np.random.Generator,
    name: str,
) -> xr.Dataset:
    """Fit incremental cost and effect on ``x`` and return the VOI Dataset (shared by EVPPI/EVSI)."""
    if method not in METHODS:
        raise AnalysisError(f"method: expected one of {METHODS}, got {method!r}")
    if method == "auto":
        method = "spline" if x.shape[1] <= 2 else "gp"
    rng = np.random.default_rng(seed)
    c, e = cost_effect(outcomes, cost, effect)
    labels = strategies(outcomes)
    nb_full = net_benefit(outcomes, wtp, kind=kind, cost=cost, effect=effect)
    total = _expected_loss_of_best_mean(nb_full.values)
    n, d = c.shape
    inc = np.concatenate([(c.values[:, 1:] - c.values[:, :1]), (e.values[:, 1:] - e.values[:, :1])], axis=1)
    if method == "spline":
        smoothers = _spline_smoothers(x, inc, basis_size)
    else:
        if isinstance(gp_fit_samples, bool) or not isinstance(gp_fit_samples, (int, np.integer)) or gp_fit_samples < 10:
            raise AnalysisError(f"gp_fit_samples: expected a whole number >= 10, got {gp_fit_samples!r}")
        smoothers = _gp_smoothers(x, inc, int(gp_fit_samples), rng)

    grid = nb_full[WTP].values

    def fitted_nb(inc_cost: np.ndarray, inc_effect: np.ndarray) -> np.ndarray:
        """NB of fitted increments (..., n, d-1), the reference strategy at 0: shape (..., n, d, w)."""
        zeros = np.zeros(inc_cost.shape[:-1] + (1,))
        return net_benefit_values(np.concatenate([zeros, inc_cost], axis=-1),
                                  np.concatenate([zeros, inc_effect], axis=-1), grid, kind)

    fit = np.column_stack([s.fitted for s in smoothers])
    value = _expected_loss_of_best_mean(fitted_nb(fit[:, : d - 1], fit[:, d - 1 :]))
    se = np.full_like(value, np.nan)
    if se_draws:
        if isinstance(se_draws, bool) or not isinstance(se_draws, (int, np.integer)) or se_draws < 2:
            raise AnalysisError(f"se_draws: expected 0 (no standard error) or a whole number >= 2, got {se_draws!r}")
        sims = np.stack([s.simulate(rng.standard_normal((s.weights.size, se_draws))) for s in smoothers])  # (m, n, S)
        sims = sims.transpose(2, 1, 0)  # (S, n, m)
        block = max(1, _BLOCK // (n * d * value.size))
        values = [
            _expected_loss_of_best_mean(fitted_nb(chunk[..., : d - 1], chunk[..., d - 1 :]))
            for chunk in (sims[i : i + block] for i in range(0, se_draws, block))
        ]
        se = np.concatenate(values).std(axis=0, ddof=1)
    r2 = np.array([s.r2 for s in smoothers]).reshape(2, d - 1).T
    edf = np.array([s.edf for s in smoothers]).reshape(2, d - 1).T
    compared = labels[1:]
    coords = {WTP: nb_full[WTP].values}
    fit_coords = {STRATEGY: compared, "quantity": ["incremental cost", "incremental effect"]}
    attrs = {k: nb_full.attrs[k] for k in ("kind", "units", "currency", "effect_unit")} | {"per": "person"}
    return xr.Dataset(
        {
            name: xr.DataArray(value, dims=(WTP,), coords=coords, attrs=attrs),
            "se": xr.DataArray(se, dims=(WTP,), coords=coords, attrs=attrs),
            "evpi": xr.DataArray(total, dims=(WTP,), coords=coords, attrs=attrs),
            "r2": xr.DataArray(r2, dims=(STRATEGY, "quantity"), coords=fit_coords),
            "edf": xr.DataArray(edf, dims=(STRATEGY, "quantity"), coords=fit_coords),
        },
        attrs=attrs | {"parameters": ", ".join(names), "method": method, "reference": labels[0],
                       "n_samples": n, "se_draws": int(se_draws)},
    )


def evppi(
    outcomes: xr.Dataset,
    draws: xr.Dataset,
    parameters: str | Sequence[str],
    wtp: float | Sequence[float] | np.ndarray,
    *,
    method: str = "auto",
    kind: str = "monetary",
    cost: str | None = None,
    effect: str | None = None,
    basis_size: int | None = None,
    gp_fit_samples: int = 300,
    se_draws: int = 100,
    seed: int | np.random.Generator = 0,
) -> xr.Dataset:
    r"""Expected value of partial perfect information for one parameter or a group.

    :math:`EVPPI_\phi(\lambda) = E_\phi[\max_d E(NB_d \mid \phi)] - \max_d E[NB_d]`, with the
    conditional expectation estimated by regressing each strategy's incremental cost and
    incremental effect (against the first strategy) on the parameters :math:`\phi` over the
    PSA sample (Strong, Oakley & Brennan 2014). Fitting is done once per strategy and
    quantity; every threshold reuses the fits. See the module docstring for the metamodels.

    Parameters
    ----------
    outcomes
        An outcome set from a PSA.
    draws
        The parameter draws that produced ``outcomes`` (same samples, same order).
    parameters
        A parameter name or a list of names (a group, valued jointly).
    wtp
        One threshold or a grid.
    method
        ``"spline"`` (penalised regression splines, 1 or 2 parameters), ``"gp"`` (Gaussian
        process, any number) or ``"auto"`` (spline for up to 2 parameters, else GP).
    kind
        ``"monetary"`` or ``"health"`` net benefit.
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect``.
    basis_size
        Spline basis functions per parameter (default 10 for one parameter, 6 per parameter
        for two).
    gp_fit_samples
        Samples used to estimate the GP hyperparameters, and the inducing points of the
        low-rank posterior mean at every sample (the exact GP when at least the sample size).
        Cost grows as its square (times the sample size) and cube: 300 takes about a second
        for three parameters and two compared strategies.
    se_draws
        Posterior draws of the metamodel used for the standard error (0 to skip).
    seed
        Seed for the standard-error draws and the GP subset.

    Returns
    -------
    xarray.Dataset
        ``evppi`` (wtp), its standard error ``se`` (wtp), ``evpi`` (wtp) for comparison, and
        the metamodel diagnostics ``r2`` and ``edf`` (effective degrees of freedom) by
        compared strategy and quantity (incremental cost, incremental effect). Attrs name the
        parameters, method, reference strategy and units.

    Raises
    ------
    ShapeError
        If ``outcomes`` and ``draws`` have different numbers of samples.
    UnknownNameError
        If a parameter is not in ``draws``.
    AnalysisError
        If the metamodel has as many terms as there are samples, or an option is invalid.

    Examples
    --------
    The new treatment's QALYs depend on the response probability ``p``, its cost on the drug
    cost ``c``; ``z`` plays no part in the model.

    >>> import numpy as np, xarray as xr
    >>> from healthecon.outcomes import make_outcomes
    >>> rng = np.random.default_rng(2)
    >>> p, c, z = rng.beta(20, 80, 1000), rng.gamma(25, 12, 1000), rng.normal(0, 1, 1000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(1000, 1000.0), 1000 + c]),
    ...                      "qaly": np.column_stack([np.full(1000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p), "c": ("sample", c), "z": ("sample", z)})
    >>> one = evppi(out, draws, "p", [20000, 30000])
    >>> one["evppi"].round(1).values, one["evpi"].round(1).values, one.attrs["method"]
    (array([ 38.3, 114.6]), array([ 41. , 117.4]), 'spline')

    ``p`` and ``c`` together determine the outcomes, so their joint EVPPI (by default a
    Gaussian process for more than two parameters; chosen here for two) is the EVPI:

    >>> both = evppi(out, draws, ["p", "c"], [20000, 30000], method="gp", gp_fit_samples=100, se_draws=0)
    >>> both["evppi"].round(1).values
    array([ 41. , 117.4])
    """
    require_aligned(outcomes, draws)
    names = _names(parameters, "parameters")
    x = _regressors(draws, names, "parameter")
    return _metamodel_voi(outcomes, x, names, wtp, method=method, kind=kind, cost=cost, effect=effect,
                          basis_size=basis_size, gp_fit_samples=gp_fit_samples, se_draws=se_draws, seed=seed,
                          name="evppi")


def evppi_ranking(
    outcomes: xr.Dataset,
    draws: xr.Dataset,
    wtp: float,
    parameters: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    **options: object,
) -> pd.DataFrame:
    """EVPPI of each parameter (or group) at one threshold, largest first (for :func:`plot_evppi`).

    Parameters
    ----------
    outcomes, draws
        As for :func:`evppi`.
    wtp
        One threshold.
    parameters
        Names to rank one at a time, or ``{label: [names]}`` to rank groups valued jointly.
        Default: every ``(sample,)`` variable in ``draws`` that varies, with the categories
        of a Dirichlet (variables sharing ``attrs["group"]``) valued together under the
        group's name. Fixed parameters are left out (their EVPPI is 0).
    **options
        Passed to :func:`evppi` (``method``, ``kind``, ``se_draws``, ``seed``, ...).

    Returns
    -------
    pandas.DataFrame
        Index ``parameter``; columns ``evppi``, ``se``, ``share_of_evpi`` (EVPPI / EVPI, 0 when
        EVPI is 0), ``r2_min`` (the smallest metamodel R-squared), ``method`` and ``parameters``
        (the names in each row). Attrs ``wtp``, ``evpi``, ``kind``, ``units``, ``currency``,
        ``effect_unit``.

    Examples
    --------
    The model of :func:`evppi`'s example: QALYs depend on ``p``, cost on ``c``, nothing on ``z``.

    >>> import numpy as np, xarray as xr
    >>> from healthecon.outcomes import make_outcomes
    >>> rng = np.random.default_rng(2)
    >>> p, c, z = rng.beta(20, 80, 1000), rng.gamma(25, 12, 1000), rng.normal(0, 1, 1000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(1000, 1000.0), 1000 + c]),
    ...                      "qaly": np.column_stack([np.full(1000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p), "c": ("sample", c), "z": ("sample", z)})
    >>> table = evppi_ranking(out, draws, 20000, se_draws=20)
    >>> table[["evppi", "share_of_evpi", "method"]].round(2)
               evppi  share_of_evpi  method
    parameter
    p          38.26           0.93  spline
    c           0.98           0.02  spline
    z           0.00           0.00  spline
    >>> round(table.attrs["evpi"], 2)
    40.98

    Groups valued jointly, under labels of your choosing:

    >>> evppi_ranking(out, draws, 20000, {"efficacy": ["p"], "costs": ["c"]}, se_draws=0).index.tolist()
    ['efficacy', 'costs']
    """
    grid = np.atleast_1d(np.asarray(wtp, dtype=float))
    if grid.size != 1:
        raise AnalysisError(f"wtp: evppi_ranking works at one threshold, got {grid.size}")
    require_aligned(outcomes, draws)
    if parameters is None:
        groups: dict[str, list[str]] = {}
        for name, var in draws.data_vars.items():
            values = np.asarray(var.values)
            if var.dims == (SAMPLE,) and values.size and (values != values[0]).any():
                groups.setdefault(str(var.attrs.get("group", name)), []).append(str(name))
    elif isinstance(parameters, Mapping):
        groups = {str(label): _names(names, f"parameters of {label!r}") for label, names in parameters.items()}
    else:
        groups = {name: [name] for name in _names(parameters, "parameters")}
    if not groups:
        raise AnalysisError("evppi_ranking: no parameter varies across the samples")
    rows, result = [], None
    for label, names in groups.items():
        result = evppi(outcomes, draws, names, float(grid[0]), **options)  # type: ignore[arg-type]
        rows.append((label, float(result["evppi"][0]), float(result["se"][0]), float(result["r2"].min()),
                     result.attrs["method"], ", ".join(names)))
    frame = pd.DataFrame(rows, columns=["parameter", "evppi", "se", "r2_min", "method", "parameters"]).set_index("parameter")
    total = float(result["evpi"][0])
    frame.insert(2, "share_of_evpi", frame["evppi"] / total if total > 0 else 0.0)
    frame = frame.sort_values("evppi", ascending=False, kind="stable")
    frame.attrs = {"wtp": float(grid[0]), "evpi": total} | {k: result.attrs[k] for k in ("kind", "units", "currency", "effect_unit")}
    return frame


# A study design: draws -> rng -> {summary statistic name: (n_samples,) array}
Study = Callable[[xr.Dataset, np.random.Generator], Mapping[str, np.ndarray]]


def binomial_study(parameter: str, size: int) -> Study:
    """A study of ``size`` people counting events with probability ``parameter``.

    For each PSA sample ``s`` it simulates ``X_s ~ Binomial(size, p_s)`` and returns the
    summary statistic ``X_s / size`` (sufficient for ``p``), as in Strong et al. (2015),
    section 3.1.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> study = binomial_study("p", 50)
    >>> study(xr.Dataset({"p": ("sample", [0.0, 1.0])}), np.random.default_rng(0))
    {'p (study of 50)': array([0., 1.])}
    """
    size = int(require_positive(size, "study size", AnalysisError))

    def simulate(draws: xr.Dataset, rng: np.random.Generator) -> dict[str, np.ndarray]:
        p = _regressors(draws, [parameter], "parameter")[:, 0]
        if ((p < 0) | (p > 1)).any():
            raise AnalysisError(f"parameter {parameter!r}: a binomial study needs probabilities in [0, 1]")
        return {f"{parameter} (study of {size})": rng.binomial(size, p) / size}

    return simulate


def normal_study(parameter: str, size: int, sd: float) -> Study:
    """A study of ``size`` people measuring an outcome with mean ``parameter`` and s.d. ``sd``.

    Simulates the sample mean ``~ Normal(mu_s, sd**2 / size)`` for each PSA sample (Strong et
    al. 2015, section 3.2).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> study = normal_study("cost", 100, sd=50.0)
    >>> means = study(xr.Dataset({"cost": ("sample", [400.0, 600.0])}), np.random.default_rng(0))
    >>> list(means), means["cost (mean of 100)"].round(1)
    (['cost (mean of 100)'], array([400.6, 599.3]))

    A study of the drug cost ``c`` in :func:`evppi_ranking`'s example: EVSI grows with the
    study's size towards the EVPPI of ``c`` (0.98 at £20,000 per QALY there).

    >>> from healthecon.outcomes import make_outcomes
    >>> rng = np.random.default_rng(2)
    >>> p, c, z = rng.beta(20, 80, 1000), rng.gamma(25, 12, 1000), rng.normal(0, 1, 1000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(1000, 1000.0), 1000 + c]),
    ...                      "qaly": np.column_stack([np.full(1000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p), "c": ("sample", c), "z": ("sample", z)})
    >>> [round(float(evsi(out, draws, normal_study("c", size, sd=200.0), 20000, se_draws=0)["evsi"][0]), 2)
    ...  for size in (10, 40)]
    [0.04, 0.8]
    """
    size = int(require_positive(size, "study size", AnalysisError))
    sd = float(require_positive(sd, "study sd", AnalysisError))

    def simulate(draws: xr.Dataset, rng: np.random.Generator) -> dict[str, np.ndarray]:
        mu = _regressors(draws, [parameter], "parameter")[:, 0]
        return {f"{parameter} (mean of {size})": rng.normal(mu, sd / np.sqrt(size))}

    return simulate


def evsi(
    outcomes: xr.Dataset,
    draws: xr.Dataset,
    study: Study,
    wtp: float | Sequence[float] | np.ndarray,
    *,
    seed: int | np.random.Generator = 0,
    **options: object,
) -> xr.Dataset:
    r"""Expected value of sample information of a study, by the regression method.

    For each PSA sample the study's data are simulated from that sample's parameters and
    reduced to summary statistics :math:`T(X)`; the incremental costs and effects are then
    regressed on :math:`T(X)` and
    :math:`EVSI = E_X[\max_d E(NB_d \mid X)] - \max_d E[NB_d]` (Strong et al. 2015).

    Parameters
    ----------
    outcomes, draws
        As for :func:`evppi`.
    study
        A study design: :func:`binomial_study`, :func:`normal_study`, or any function
        ``(draws, rng) -> {name: array of shape (n_samples,)}`` of summary statistics.
    wtp
        One threshold or a grid.
    seed
        Seed for simulating the study data and the standard-error draws.
    **options
        Passed on as in :func:`evppi` (``method``, ``kind``, ``se_draws``, ...).

    Returns
    -------
    xarray.Dataset
        As :func:`evppi`, with ``evsi`` in place of ``evppi``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from healthecon.outcomes import make_outcomes
    >>> p = np.random.default_rng(1).beta(20, 80, 2000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(2000, 1000.0), np.full(2000, 1500.0)]),
    ...                      "qaly": np.column_stack([np.full(2000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p)})
    >>> small = float(evsi(out, draws, binomial_study("p", 100), 20000)["evsi"].item())
    >>> large = float(evsi(out, draws, binomial_study("p", 1000), 20000)["evsi"].item())
    >>> 0 < small < large <= float(evpi(out, 20000).item())
    True
    """
    require_aligned(outcomes, draws)
    rng = np.random.default_rng(seed)
    summaries = dict(study(draws, rng))
    n = outcomes.sizes[SAMPLE]
    for key, value in summaries.items():
        if np.shape(value) != (n,):
            raise ShapeError(f"study statistic {key!r}: expected shape ({n},), got {np.shape(value)}")
    names = _names(list(summaries), "study statistics")
    x = _regressors(xr.Dataset({k: (SAMPLE, np.asarray(v, dtype=float)) for k, v in summaries.items()}), names, "study statistic")
    return _metamodel_voi(outcomes, x, names, wtp, seed=rng, name="evsi", **_defaults(options))


def _defaults(options: Mapping[str, object]) -> dict[str, object]:
    allowed = {"method": "auto", "kind": "monetary", "cost": None, "effect": None, "basis_size": None,
               "gp_fit_samples": 300, "se_draws": 100}
    unknown = set(options) - set(allowed)
    if unknown:
        raise unknown_name("option", sorted(unknown)[0], list(allowed))
    return allowed | dict(options)
