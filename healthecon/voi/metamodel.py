"""The regression (metamodel) estimate shared by EVPPI and EVSI, and the ``method=`` switch.

Each strategy's incremental cost and incremental effect (against the first strategy) are
regressed on the parameters (or study statistics) of interest by the metamodel that
``method`` names (:mod:`.spline` or :mod:`.gp`); because net benefit is linear in cost and
effect, one fit serves every willingness-to-pay threshold (Strong, Oakley & Brennan 2014;
Strong et al. 2015).
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
from .perfect import expected_loss_of_best_mean, opportunity_loss

__all__ = ["METHODS", "metamodel_voi", "regressors", "parameter_names"]

METHODS = ("auto", "spline", "gp")

# Memory budget (number of float64 values) for one block of net-benefit arrays when the
# standard error is simulated; keeps peak memory near 50 MB whatever the PSA size.
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
    total = expected_loss_of_best_mean(nb_full.values)
    n, d = c.shape
    inc = np.concatenate([(c.values[:, 1:] - c.values[:, :1]), (e.values[:, 1:] - e.values[:, :1])], axis=1)
    if method == "spline":
        smoothers = spline.fit(x, inc, basis_size)
    else:
        if isinstance(gp_fit_samples, bool) or not isinstance(gp_fit_samples, (int, np.integer)) or gp_fit_samples < 10:
            raise AnalysisError(f"gp_fit_samples: expected a whole number >= 10, got {gp_fit_samples!r}")
        smoothers = gp.fit(x, inc, int(gp_fit_samples), rng)

    grid = nb_full[WTP].values

    def fitted_nb(inc_cost: np.ndarray, inc_effect: np.ndarray) -> np.ndarray:
        """NB of fitted increments (..., n, d-1), the reference strategy at 0: shape (..., n, d, w)."""
        zeros = np.zeros(inc_cost.shape[:-1] + (1,))
        return net_benefit_values(np.concatenate([zeros, inc_cost], axis=-1),
                                  np.concatenate([zeros, inc_effect], axis=-1), grid, kind)

    fit = np.column_stack([s.fitted for s in smoothers])
    loss = opportunity_loss(fitted_nb(fit[:, : d - 1], fit[:, d - 1 :]))  # (n, w)
    value = loss.mean(axis=0)
    se_sampling = loss.std(axis=0, ddof=1) / np.sqrt(n)
    se_fit = np.full_like(value, np.nan)
    if se_draws:
        if isinstance(se_draws, bool) or not isinstance(se_draws, (int, np.integer)) or se_draws < 2:
            raise AnalysisError(f"se_draws: expected 0 (no standard error) or a whole number >= 2, got {se_draws!r}")
        sims = np.stack([s.simulate(rng.standard_normal((s.weights.size, se_draws))) for s in smoothers])  # (m, n, S)
        sims = sims.transpose(2, 1, 0)  # (S, n, m)
        block = max(1, _BLOCK // (n * d * value.size))
        values = [
            expected_loss_of_best_mean(fitted_nb(chunk[..., : d - 1], chunk[..., d - 1 :]))
            for chunk in (sims[i : i + block] for i in range(0, se_draws, block))
        ]
        se_fit = np.concatenate(values).std(axis=0, ddof=1)
    se = np.sqrt(se_fit**2 + se_sampling**2)
    above = value - total > 2 * se  # False where se is NaN (no standard-error draws)
    if above.any():
        i = int(np.argmax(above))
        warnings.warn(
            f"{name} ({value[i]:.4g}) exceeds the EVPI ({total[i]:.4g}) by more than two standard errors "
            f"({se[i]:.3g}) at willingness to pay {grid[i]:g}: the metamodel overfits or there are too few "
            "samples (use more PSA samples, or a smaller basis_size)", UserWarning, stacklevel=3)
    r2 = np.array([s.r2 for s in smoothers]).reshape(2, d - 1).T
    edf = np.array([s.edf for s in smoothers]).reshape(2, d - 1).T
    compared = labels[1:]
    coords = {WTP: nb_full[WTP].values}
    fit_coords = {STRATEGY: compared, "quantity": ["incremental cost", "incremental effect"]}
    attrs = {k: nb_full.attrs[k] for k in ("kind", "units", "currency", "effect_unit")} | {"per": "person"}
    return xr.Dataset(
        {
            name: xr.DataArray(value, dims=(WTP,), coords=coords, attrs=attrs),
            "se": xr.DataArray(se, dims=(WTP,), coords=coords, attrs=attrs | {
                "description": "standard error: metamodel fit and Monte Carlo sampling combined, sqrt(se_fit^2 + se_sampling^2)"}),
            "se_fit": xr.DataArray(se_fit, dims=(WTP,), coords=coords, attrs=attrs | {
                "description": "standard error of the metamodel fit (posterior draws; NaN with se_draws=0)"}),
            "se_sampling": xr.DataArray(se_sampling, dims=(WTP,), coords=coords, attrs=attrs | {
                "description": "Monte Carlo standard error of the mean over the PSA sample"}),
            "evpi": xr.DataArray(total, dims=(WTP,), coords=coords, attrs=attrs),
            "r2": xr.DataArray(r2, dims=(STRATEGY, "quantity"), coords=fit_coords),
            "edf": xr.DataArray(edf, dims=(STRATEGY, "quantity"), coords=fit_coords),
        },
        attrs=attrs | {"parameters": ", ".join(names), "method": method, "reference": labels[0],
                       "n_samples": n, "se_draws": int(se_draws)},
    )