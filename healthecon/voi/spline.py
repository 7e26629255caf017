"""Penalised cubic regression splines for EVPPI and EVSI (one or two parameters).

Knots at quantiles of each parameter and an integrated squared second-derivative penalty (so
straight lines are never penalised), a tensor product for two parameters, smoothness chosen by
generalised cross-validation (Wood 2017, *Generalized Additive Models*, 2nd ed., sections 4.2
and 5.6), as the GAM of Strong, Oakley & Brennan (2014). Selected by ``method="spline"``.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg
from scipy.interpolate import BSpline

from ..errors import AnalysisError
from .smoother import Smoother, gcv_choice, r_squared, unit_scale

__all__ = ["fit"]


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


def fit(x: np.ndarray, y: np.ndarray, k: int | None) -> list[Smoother]:
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
    u = unit_scale(x)
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
        basis = left @ eigvec
        gcv, weights = gcv_choice(basis.T @ y, yy, np.clip(eigval, 0.0, None), n)
        for j in range(y.shape[1]):
            if gcv[j] < best[j][0]:
                best[j] = (gcv[j], basis, weights[j])
    smoothers = []
    for j, (_, basis, w) in enumerate(best):
        fitted = basis @ (w * (basis.T @ y[:, j]))
        rss = float(((y[:, j] - fitted) ** 2).sum())
        edf = float(w.sum())
        smoothers.append(Smoother(fitted, basis, w, rss / (n - edf), float(r_squared(y[:, [j]], np.array([rss]))[0]), edf))
    return smoothers