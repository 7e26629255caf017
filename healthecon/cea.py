"""Cost-effectiveness analysis: net benefit, incremental analysis and decision uncertainty.

Every function here is a pure function of an outcome set (see :mod:`healthecon.outcomes`):
dims ``sample`` x ``strategy``, with default cost and effect variables named in its attrs.
Calculations are vectorised over samples, strategies and willingness-to-pay (WTP) thresholds.

References
----------
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*.
Oxford University Press (ch. 5 on net benefit; ch. 7 on CEACs, CEAFs and expected loss).
Drummond MF, Sculpher MJ, Claxton K, Stoddart GL, Torrance GW (2015). *Methods for the
Economic Evaluation of Health Care Programmes*, 4th ed. Oxford University Press (ch. 4).
Stinnett AA, Mullahy J (1998). Net health benefits: a new framework for the analysis of
uncertainty in cost-effectiveness analysis. *Medical Decision Making* 18(2 Suppl):S68-80.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from ._validate import require_finite
from .errors import AnalysisError
from .outcomes import SAMPLE, STRATEGY, cost_effect

__all__ = [
    "WTP",
    "net_benefit",
]

WTP = "wtp"

_KINDS = ("monetary", "health")


def _wtp_grid(wtp: float | Sequence[float] | np.ndarray, kind: str = "monetary") -> np.ndarray:
    """Return ``wtp`` as a 1-D float array of finite thresholds (>= 0; > 0 for health)."""
    grid = np.atleast_1d(require_finite(wtp, "wtp", AnalysisError))
    if grid.ndim != 1 or grid.size == 0:
        raise AnalysisError(f"wtp: expected a number or a 1-D sequence of thresholds, got shape {np.shape(wtp)}")
    if kind == "health" and (grid <= 0).any():
        bad = grid[grid <= 0][0]
        raise AnalysisError(f"wtp: net health benefit divides cost by the threshold, so it must be > 0; got {bad}")
    if (grid < 0).any():
        raise AnalysisError(f"wtp: expected thresholds >= 0, got {grid[grid < 0][0]}")
    return grid


def net_benefit(
    outcomes: xr.Dataset,
    wtp: float | Sequence[float] | np.ndarray,
    *,
    kind: str = "monetary",
    cost: str | None = None,
    effect: str | None = None,
) -> xr.DataArray:
    r"""Net monetary or net health benefit of every strategy, per sample and threshold.

    Net monetary benefit :math:`NMB = \lambda E - C` and net health benefit
    :math:`NHB = E - C / \lambda` at willingness to pay :math:`\lambda` per unit of effect
    (Stinnett & Mullahy 1998; Briggs et al. 2006, section 5.2.4; Drummond et al. 2015, ch. 4).

    Parameters
    ----------
    outcomes
        An outcome set (dims ``sample`` x ``strategy``).
    wtp
        One threshold or a 1-D grid of thresholds (currency per unit of effect), >= 0
        (> 0 for ``kind="health"``).
    kind
        ``"monetary"`` (NMB, in currency) or ``"health"`` (NHB, in units of effect).
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect`` attrs.

    Returns
    -------
    xarray.DataArray
        Dims ``(sample, strategy, wtp)``; a scalar ``wtp`` still gives a length-1 ``wtp``
        dimension. Attrs: ``kind``, ``currency``, ``effect_unit``, ``units``.

    Raises
    ------
    AnalysisError
        If ``kind`` is unknown or a threshold is negative, non-finite (or zero for NHB).

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [100.0, 250.0], "qaly": [1.0, 1.5]},
    ...                     strategies=["usual care", "new"], effect="qaly")
    >>> net_benefit(out, [0, 1000]).sel(sample=0).values
    array([[-100.,  900.],
           [-250., 1250.]])
    >>> float(net_benefit(out, 1000, kind="health").sel(sample=0, strategy="new", wtp=1000))
    1.25
    """
    if kind not in _KINDS:
        raise AnalysisError(f"kind: expected one of {_KINDS}, got {kind!r}")
    grid = _wtp_grid(wtp, kind)
    c, e = cost_effect(outcomes, cost, effect)
    c_values, e_values = c.values[:, :, None], e.values[:, :, None]
    if kind == "monetary":
        values = e_values * grid - c_values
    else:
        values = e_values - c_values / grid
    currency = outcomes.attrs.get("currency", "")
    unit = outcomes.attrs.get("effect_unit", "")
    return xr.DataArray(
        values,
        dims=(SAMPLE, STRATEGY, WTP),
        coords={SAMPLE: c[SAMPLE].values, STRATEGY: c[STRATEGY].values, WTP: grid},
        name="nmb" if kind == "monetary" else "nhb",
        attrs={"kind": kind, "currency": currency, "effect_unit": unit,
               "units": currency if kind == "monetary" else unit},
    )
