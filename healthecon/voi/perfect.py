r"""Expected value of perfect information, per person and for a population.

:math:`EVPI(\lambda) = E_\theta[\max_d NB_d(\theta)] - \max_d E_\theta[NB_d(\theta)]`
(Claxton 1999; Briggs, Claxton & Sculpher 2006, section 7.2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from .._validate import require_nonnegative
from ..cea import WTP, net_benefit
from ..discount import DiscountSchedule, discount_factors
from ..errors import AnalysisError, ShapeError

__all__ = ["evpi", "population_evpi", "expected_loss_of_best_mean", "opportunity_loss", "wtp_result"]


def expected_loss_of_best_mean(nb: np.ndarray) -> np.ndarray:
    """``E[max_d NB] - max_d E[NB]`` for ``nb`` of shape ``(..., n, d, w)``, shape ``(..., w)``.

    Written as the mean opportunity loss of the strategy with the highest expected net benefit
    (ties go to the first such strategy), which equals the difference of the two expectations
    (Briggs et al. 2006, section 7.2) and is a mean of non-negative numbers, so it is never
    negative through rounding and is exactly 0 when one strategy is best in every sample.
    """
    return opportunity_loss(nb).mean(axis=-2)


def opportunity_loss(nb: np.ndarray) -> np.ndarray:
    """Per-sample loss of the strategy with the highest expected net benefit, ``(..., n, w)``.

    ``max_d NB_d - NB_{d*}`` with ``d*`` the strategy of highest mean (ties to the first);
    its mean is :func:`expected_loss_of_best_mean` and its standard deviation over
    ``sqrt(n)`` the Monte Carlo standard error of that mean.
    """
    best = nb.mean(axis=-3).argmax(axis=-2)  # (..., w)
    chosen = np.take_along_axis(nb, best[..., None, None, :], axis=-2)[..., 0, :]
    return nb.max(axis=-2) - chosen


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
    values = expected_loss_of_best_mean(nb.values)
    return wtp_result(values, nb, "evpi", per="person")


def wtp_result(values: np.ndarray, nb: xr.DataArray, name: str, **attrs: object) -> xr.DataArray:
    return xr.DataArray(
        values, dims=(WTP,), coords={WTP: nb[WTP].values}, name=name,
        attrs={k: nb.attrs[k] for k in ("kind", "units", "currency", "effect_unit")} | attrs,
    )


def population_evpi(
    evpi: xr.DataArray | xr.Dataset | float,
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
        Per-person value: a number, the result of :func:`evpi`, or the whole Dataset of
        :func:`evppi` or :func:`evsi` over a grid of thresholds (its value, standard errors
        and EVPI are all scaled, in one call; the metamodel diagnostics are kept).
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
    xarray.DataArray, xarray.Dataset or float
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
    rate = discount_rate.name if isinstance(discount_rate, DiscountSchedule) else float(discount_rate)
    if isinstance(evpi, xr.Dataset):  # an evppi/evsi result: every per-person value over the thresholds at once
        scaled_set = evpi.copy()
        for key, var in evpi.data_vars.items():
            if var.dims == (WTP,):
                scaled_set[key] = population_evpi(var, incidence, horizon, discount_rate, timing=timing)
        scaled_set.attrs = dict(evpi.attrs) | {"per": "population", "population": population, "horizon": int(horizon),
                                               "discount_rate": rate, "timing": timing}
        return scaled_set
    if not isinstance(evpi, xr.DataArray):
        return float(require_nonnegative(evpi, "evpi", AnalysisError)) * population
    scaled = evpi * population
    scaled.attrs = dict(evpi.attrs) | {"per": "population", "population": population, "horizon": int(horizon),
                                       "discount_rate": rate, "timing": timing}
    scaled.name = evpi.name
    return scaled
