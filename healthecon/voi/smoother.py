"""The fitted linear smoother that both EVPPI metamodels (:mod:`.spline`, :mod:`.gp`) return.

Fitting, the choice of smoothness and the posterior simulation for the standard error are
matrix products in an orthonormal eigenbasis, vectorised over samples (Wood 2017,
*Generalized Additive Models*, 2nd ed., section 5.6).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

__all__ = ["Smoother", "r_squared", "unit_scale", "one_blas_thread"]


@dataclass(frozen=True)
class Smoother:
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


def r_squared(y: np.ndarray, rss: np.ndarray) -> np.ndarray:
    tss = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    return np.where(tss > 0, 1.0 - rss / np.where(tss > 0, tss, 1.0), 1.0)


def unit_scale(x: np.ndarray) -> np.ndarray:
    """Each column mapped linearly onto [0, 1] (a constant column maps to 0.5)."""
    low, high = x.min(axis=0), x.max(axis=0)
    width = np.where(high > low, high - low, 1.0)
    return np.where(high > low, (x - low) / width, 0.5)


def one_blas_thread():
    """Context limiting BLAS to one thread (a no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - depends on the installation
        return contextlib.nullcontext()
    return threadpool_limits(1)
