"""The regression (metamodel) estimate shared by EVPPI and EVSI, and the ``method=`` switch.

Each strategy's incremental cost and incremental effect (against the first strategy) are
regressed on the parameters (or study statistics) of interest by the metamodel that
``method`` names (:mod:`.spline` or :mod:`.gp`); because net benefit is linear in cost and
effect, one fit serves every willingness-to-pay threshold (Strong, Oakley & Brennan 2014;
Strong et al. 2015). Everything downstream of the fits works on incremental net benefit
(``d - 1`` compared strategies, the reference at 0), a block of thresholds at a time so
that memory stays bounded whatever the PSA size.

The standard error of the fit (``se_fit``) is by default the delta method: the estimate
``mean_i max_d g_id - max_d mean_i g_id`` is a piecewise-linear function of the fitted
values ``g``, with gradient ``(1[d = argmax_d' g_id'] - 1[d = d*]) / n`` (``d*`` the
strategy of highest mean), and each fit's posterior covariance is
``sigma2 U diag(w) U'`` (:class:`.smoother.Smoother`), so its variance is
``sum_fits sigma2 |diag(sqrt(w)) U' grad|^2``: one product with the basis per fit instead
of recomputing the estimate for every posterior draw. Strong et al. (2014, section 3.3)
simulate the draws instead; ``se_draws=S`` does that (the two agree to first order in the
fits' posterior spread; tests/test_voi.py compares them).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..cea import WTP, net_benefit, net_benefit_values
from ..errors import AnalysisError, ShapeError, unknown_name
from ..outcomes import SAMPLE, STRATEGY, cost_effect, strategies
from . import gp, spline
from .smoother import one_blas_thread

__all__ = ["METHODS", "metamodel_voi", "regressors", "parameter_names"]

METHODS = ("auto", "spline", "gp")

# Memory budget (number of float64 values) for one block of net-benefit arrays; keeps peak
# memory near 50 MB whatever the PSA size.
_BLOCK = 6_000_000


def regressors(draws: xr.Dataset, names: Sequence[str], what: str) -> np.ndarray:
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


def parameter_names(parameters: str | Sequence[str], what: str) -> list[str]:
    names = [parameters] if isinstance(parameters, str) else list(parameters)
    if not names:
        raise AnalysisError(f"{what}: expected at least one name")
    if len(set(names)) != len(names):
        raise AnalysisError(f"{what}: a name is repeated in {names}")
    return names


def _incremental_loss(
    inc_cost: np.ndarray, inc_effect: np.ndarray, grid: np.ndarray, kind: str, *, with_best: bool = False
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Opportunity loss from incremental costs and effects ``(..., n, k)`` (reference at 0).

    With incremental net benefit ``NB_j`` of compared strategy ``j`` at each threshold in
    ``grid`` (``kind`` as in :func:`healthecon.cea.net_benefit_values`), returns the
    per-sample loss of the strategy with the highest mean, ``(..., n, w)``
    (``max(0, max_j NB_j) - NB_{d*}``, as :func:`.perfect.opportunity_loss` on the full net
    benefit), each sample's best strategy ``(..., n, w)`` if ``with_best`` (else None) and
    ``d*`` ``(..., w)``: 0 for the reference and ``j`` for compared strategy ``j``, ties to
    the first. One strategy at a time, so no array larger than ``(..., n, w)`` is made.
    """
    d_cost, d_effect = _chain_factors(grid, kind)
    means = inc_cost.mean(axis=-2)[..., None] * d_cost + inc_effect.mean(axis=-2)[..., None] * d_effect  # (..., k, w)
    chosen = np.where(means.max(axis=-2) > 0, means.argmax(axis=-2) + 1, 0)  # (..., w)
    shape = inc_cost.shape[:-1] + grid.shape
    top, picked, nb, part = np.zeros(shape), np.zeros(shape), np.empty(shape), np.empty(shape)
    best = np.zeros(shape, dtype=np.int16) if with_best else None
    for j in range(inc_cost.shape[-1]):
        np.multiply(inc_cost[..., j, None], d_cost, out=nb)
        np.multiply(inc_effect[..., j, None], d_effect, out=part)
        nb += part  # (..., n, w): incremental net benefit of strategy j
        if best is not None:
            best[nb > top] = j + 1
        np.maximum(top, nb, out=top)
        np.copyto(picked, nb, where=(chosen == j + 1)[..., None, :])
    top -= picked
    return top, best, chosen


def _check_range(inc_cost: np.ndarray, inc_effect: np.ndarray, grid: np.ndarray, kind: str) -> None:
    """Raise (through :func:`healthecon.cea.net_benefit_values`) if net benefit could overflow."""
    d_cost, d_effect = _chain_factors(grid, kind)
    bound = np.abs(inc_cost).max(initial=0.0) * np.abs(d_cost).max() + np.abs(inc_effect).max(initial=0.0) * np.abs(d_effect).max()
    if not bound < np.finfo(float).max / max(1, 2 * inc_cost.shape[0]):
        net_benefit_values(inc_cost, inc_effect, grid, kind)


def metamodel_voi(
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
    gp_fit_samples: int | None,
    se_draws: int | None,
    seed: int | np.random.Generator,
    name: str,
) -> xr.Dataset:
    """Fit incremental cost and effect on ``x`` and return the VOI Dataset (shared by EVPPI/EVSI)."""
    if method not in METHODS:
        raise AnalysisError(f"method: expected one of {METHODS}, got {method!r}")
    if se_draws is not None and (isinstance(se_draws, bool) or not isinstance(se_draws, (int, np.integer))
                                 or se_draws < 0 or se_draws == 1):
        raise AnalysisError(f"se_draws: expected None (delta method), 0 (no standard error of the fit) or a whole "
                            f"number >= 2 of posterior draws, got {se_draws!r}")
    if method == "auto":
        method = "spline" if x.shape[1] <= 2 else "gp"
    rng = np.random.default_rng(seed)
    c, e = cost_effect(outcomes, cost, effect)
    labels = strategies(outcomes)
    # Thresholds checked, and the result's units, from one sample: the arrays come below.
    nb_one = net_benefit(outcomes.isel({SAMPLE: slice(0, 1)}), wtp, kind=kind, cost=cost, effect=effect)
    grid = nb_one[WTP].values
    n, d = c.shape
    k = d - 1
    if k < 1:
        raise AnalysisError(f"{name}: the outcome set has one strategy ({labels[0]!r}); value of information compares two or more")
    inc = np.concatenate([(c.values[:, 1:] - c.values[:, :1]), (e.values[:, 1:] - e.values[:, :1])], axis=1)
    # Tall, thin products and small decompositions: one BLAS thread is fastest (smoother.one_blas_thread).
    with one_blas_thread():
        if method == "spline":
            smoothers = spline.fit(x, inc, basis_size)
        else:
            if gp_fit_samples is None:
                gp_fit_samples = max(100, 30 * x.shape[1])
            if isinstance(gp_fit_samples, bool) or not isinstance(gp_fit_samples, (int, np.integer)) or gp_fit_samples < 10:
                raise AnalysisError(f"gp_fit_samples: expected a whole number >= 10, got {gp_fit_samples!r}")
            smoothers = gp.fit(x, inc, int(gp_fit_samples), rng)
        fit = np.column_stack([s.fitted for s in smoothers])
        _check_range(inc[:, :k], inc[:, k:], grid, kind)
        w = grid.size
        total, value, se_sampling, var_fit = (np.zeros(w) for _ in range(4))
        step = max(1, _BLOCK // (8 * n))
        for lo in range(0, w, step):
            part = slice(lo, lo + step)
            total[part] = _incremental_loss(inc[:, :k], inc[:, k:], grid[part], kind)[0].mean(axis=0)
            loss, best, chosen = _incremental_loss(fit[:, :k], fit[:, k:], grid[part], kind, with_best=se_draws is None)
            value[part] = loss.mean(axis=0)
            se_sampling[part] = loss.std(axis=0, ddof=1) / np.sqrt(n)
            if se_draws is None:
                var_fit[part] = _delta_variance(smoothers, best, chosen, grid[part], kind)
        if se_draws is None:
            se_fit = np.sqrt(var_fit)
        elif se_draws == 0:
            se_fit = np.full(w, np.nan)
        else:
            se_fit = _simulated_se(smoothers, grid, kind, int(se_draws), rng)
    se = np.sqrt(se_fit**2 + se_sampling**2)
    above = value - total > 2 * se  # False where se is NaN (no standard error of the fit)
    if above.any():
        i = int(np.argmax(above))
        warnings.warn(
            f"{name} ({value[i]:.4g}) exceeds the EVPI ({total[i]:.4g}) by more than two standard errors "
            f"({se[i]:.3g}) at willingness to pay {grid[i]:g}: the metamodel overfits or there are too few "
            "samples (use more PSA samples, or a smaller basis_size)", UserWarning, stacklevel=3)
    r2 = np.array([s.r2 for s in smoothers]).reshape(2, k).T
    edf = np.array([s.edf for s in smoothers]).reshape(2, k).T
    compared = labels[1:]
    coords = {WTP: grid}
    fit_coords = {STRATEGY: compared, "quantity": ["incremental cost", "incremental effect"]}
    attrs = {key: nb_one.attrs[key] for key in ("kind", "units", "currency", "effect_unit")} | {"per": "person"}
    how = "delta method" if se_draws is None else ("not computed with se_draws=0" if se_draws == 0 else f"{se_draws} posterior draws")
    return xr.Dataset(
        {
            name: xr.DataArray(value, dims=(WTP,), coords=coords, attrs=attrs),
            "se": xr.DataArray(se, dims=(WTP,), coords=coords, attrs=attrs | {
                "description": "standard error: metamodel fit and Monte Carlo sampling combined, sqrt(se_fit^2 + se_sampling^2)"}),
            "se_fit": xr.DataArray(se_fit, dims=(WTP,), coords=coords, attrs=attrs | {
                "description": f"standard error of the metamodel fit ({how})"}),
            "se_sampling": xr.DataArray(se_sampling, dims=(WTP,), coords=coords, attrs=attrs | {
                "description": "Monte Carlo standard error of the mean over the PSA sample"}),
            "evpi": xr.DataArray(total, dims=(WTP,), coords=coords, attrs=attrs),
            "r2": xr.DataArray(r2, dims=(STRATEGY, "quantity"), coords=fit_coords),
            "edf": xr.DataArray(edf, dims=(STRATEGY, "quantity"), coords=fit_coords),
        },
        attrs=attrs | {"parameters": ", ".join(names), "method": method, "reference": labels[0],
                       "n_samples": n, "se_fit_method": how},
    )


def _chain_factors(grid: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives of net benefit with respect to cost and to effect at each threshold."""
    if kind == "monetary":
        return -np.ones_like(grid), grid
    return -1.0 / grid, np.ones_like(grid)


def _delta_variance(smoothers: list, best: np.ndarray, chosen: np.ndarray, grid: np.ndarray, kind: str) -> np.ndarray:
    """Delta-method variance of the estimate from the fits' posteriors (see the module docstring)."""
    n = best.shape[0]
    k = len(smoothers) // 2
    d_cost, d_effect = _chain_factors(grid, kind)
    variance = np.zeros(grid.size)
    for strategy in range(1, k + 1):
        is_best = (best == strategy).astype(float)  # (n, w); the gradient is (is_best - is_chosen) / n
        is_chosen = (chosen == strategy).astype(float)  # (w,)
        for s, factor in ((smoothers[strategy - 1], d_cost), (smoothers[k + strategy - 1], d_effect)):
            if s.weights.size:
                projected = (s.basis.T @ is_best - s.basis.sum(axis=0)[:, None] * is_chosen) / n  # (r, w)
                variance += s.sigma2 * (s.weights @ projected**2) * factor**2
    return variance


def _simulated_se(smoothers: list, grid: np.ndarray, kind: str, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Standard deviation of the estimate over posterior draws of the fits (Strong et al. 2014, 3.3)."""
    sims = np.stack([s.simulate(rng.standard_normal((s.weights.size, draws))) for s in smoothers])  # (m, n, S)
    sims = sims.transpose(2, 1, 0)  # (S, n, m)
    _, n, m = sims.shape
    k = m // 2
    step = max(1, _BLOCK // (4 * n * grid.size))
    values = [_incremental_loss(sims[i : i + step, :, :k], sims[i : i + step, :, k:], grid, kind)[0].mean(axis=-2)
              for i in range(0, draws, step)]
    return np.concatenate(values).std(axis=0, ddof=1)
