"""The fitted linear smoother that both EVPPI metamodels (:mod:`.spline`, :mod:`.gp`) return.

Fitting, the choice of smoothness and the posterior simulation for the standard error are
matrix products in an orthonormal eigenbasis, vectorised over samples (Wood 2017,
*Generalized Additive Models*, 2nd ed., section 5.6).
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["Smoother", "gcv_choice", "r_squared", "unit_scale", "one_blas_thread"]


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


def gcv_choice(coef: np.ndarray, yy: np.ndarray, penalty: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Smoothing parameter of least generalised cross-validation score, for every column of ``y``.

    In an orthonormal basis ``U`` (n, r) in which the penalty is diagonal (``penalty``, (r,),
    zero for unpenalised directions), the smoother with parameter ``lam`` has weights
    ``w = 1 / (1 + lam * penalty)``, residual sum of squares
    ``rss = |y|^2 - |c|^2 + sum((1 - w)^2 c^2)`` with ``c = U' y`` and effective degrees of
    freedom ``edf = sum(w)``; GCV is ``n rss / (n - edf)^2`` (Wood 2017, sections 4.2 and 5.6).
    ``lam`` is searched on a grid of 81 values over 16 decades, scaled to the penalty.

    Parameters
    ----------
    coef
        ``U' y``, shape (r, m).
    yy
        ``sum(y**2)`` per column, shape (m,).
    penalty
        Penalty eigenvalues, shape (r,).
    n
        Number of samples.

    Returns
    -------
    (gcv, weights)
        The least score per column, shape (m,), and the weights there, shape (m, r).
    """
    positive = penalty[penalty > penalty.max() * 1e-12] if penalty.max() > 0 else np.ones(1)
    lams = np.logspace(-8, 8, 81) / np.median(positive)
    weights = 1.0 / (1.0 + lams[:, None] * np.clip(penalty, 0.0, None)[None, :])  # (L, r)
    sq = coef**2
    rss = (yy - sq.sum(axis=0))[None, :] + ((1 - weights)[:, :, None] ** 2 * sq[None]).sum(axis=1)
    rss = np.clip(rss, 0.0, None)
    left = n - weights.sum(axis=1)  # (L,)
    gcv = np.where(left[:, None] > 0.5, n * rss / np.maximum(left, 0.5)[:, None] ** 2, np.inf)  # (L, m)
    pick = gcv.argmin(axis=0)
    return gcv[pick, np.arange(gcv.shape[1])], weights[pick]


def r_squared(y: np.ndarray, rss: np.ndarray) -> np.ndarray:
    tss = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    return np.where(tss > 0, 1.0 - rss / np.where(tss > 0, tss, 1.0), 1.0)


def unit_scale(x: np.ndarray) -> np.ndarray:
    """Each column mapped linearly onto [0, 1] (a constant column maps to 0.5)."""
    low, high = x.min(axis=0), x.max(axis=0)
    width = np.where(high > low, high - low, 1.0)
    return np.where(high > low, (x - low) / width, 0.5)


def one_blas_thread() -> contextlib.AbstractContextManager:
    """Context limiting BLAS to one thread (a no-op without threadpoolctl, an optional speed-up).

    The metamodels multiply tall, thin matrices (samples x tens or hundreds of terms) and
    decompose small ones; there two BLAS threads were 4 to 13 times slower than one on a
    2-core machine shared with other work (issue 15), and one thread also gives the same
    bits whatever the machine's core count. The controller is built once, on first use, so
    entering the context costs microseconds (``threadpool_limits`` rescans the loaded
    libraries on every call, about 0.2 ms).
    """
    controller = _controller()
    return contextlib.nullcontext() if controller is None else controller.limit(limits=1, user_api="blas")


@functools.lru_cache(maxsize=1)
def _controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - depends on the installation
        return None
    return ThreadpoolController()
