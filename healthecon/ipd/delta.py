r"""Taylor-series (delta-method) standard error and interval for an incremental cost-effectiveness ratio.

For :math:`R = \Delta C / \Delta E` with variances :math:`v_C, v_E` and covariance :math:`c`
of the increments, the first-order Taylor expansion gives

.. math::  \widehat{\mathrm{Var}}(R) = \frac{v_C - 2 R c + R^2 v_E}{\Delta E^2},

and the interval :math:`R \pm q\,\mathrm{se}(R)`, symmetric about the point ICER (O'Brien et
al. 1994; Polsky et al. 1997, the "Taylor series method"; Briggs & Fenn 1998). It is the method
behind Stata ``cea``'s ``vce(delta)`` (Glick et al. 2014, ch. 7), which takes :math:`q` from
Student's t with N - 2 degrees of freedom. Polsky et al. found its coverage worse than Fieller's
or the bootstrap's when the effect difference is imprecise (it ignores that the ratio's
distribution is skewed and unbounded near :math:`\Delta E = 0`): prefer
:func:`~healthecon.ipd.fieller.fieller`; this is offered to reproduce analyses that used it.

References
----------
O'Brien BJ, Drummond MF, Labelle RJ, Willan A (1994). In search of power and significance:
issues in the design and analysis of stochastic cost-effectiveness studies in health care.
*Medical Care* 32:150-163.
Polsky D, Glick HA, Willke R, Schulman K (1997). Confidence intervals for cost-effectiveness
ratios: a comparison of four methods. *Health Economics* 6:243-252.
Briggs A, Fenn P (1998). Confidence intervals or surfaces? Uncertainty on the cost-effectiveness
plane. *Health Economics* 7:723-740.
Glick HA, Doshi JA, Sonnad SS, Polsky D (2014). *Economic Evaluation in Clinical Trials*, 2nd
ed., ch. 7.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import AnalysisError
from .fieller import checked_increments, critical_value

__all__ = ["DeltaInterval", "delta_method"]


@dataclass(frozen=True)
class DeltaInterval:
    """A delta-method interval for an ICER: ``icer``, its standard error ``se``, ``lower``,
    ``upper``, the ``level`` and the degrees of freedom ``df`` (``None`` for the normal quantile)."""

    icer: float
    se: float
    lower: float
    upper: float
    level: float
    df: float | None


def delta_method(inc_cost: float, inc_effect: float, var_cost: float, var_effect: float, cov: float,
                 level: float = 0.95, df: float | None = None) -> DeltaInterval:
    """Taylor-series (delta-method) standard error and interval of ``inc_cost / inc_effect``.

    Parameters
    ----------
    inc_cost, inc_effect
        Incremental mean cost and effect (the effect difference must not be 0).
    var_cost, var_effect, cov
        Variances of the two increments (squared standard errors) and their covariance.
    level
        Confidence level.
    df
        ``None`` for the normal quantile, or degrees of freedom for Student's t (Stata ``cea``
        uses N - 2; see :func:`~healthecon.ipd.fieller.critical_value`).

    Returns
    -------
    DeltaInterval

    Raises
    ------
    AnalysisError
        If the effect difference is 0 (the ratio is undefined), a variance is negative, the
        covariance exceeds what the variances allow, or ``level`` or ``df`` is invalid.

    Examples
    --------
    With a known effect difference (zero variance) the interval is the cost's interval divided
    by it:

    >>> d = delta_method(1000.0, 0.1, 200.0**2, 0.0, 0.0)
    >>> round(d.se, 6), round(d.lower, 2), round(d.upper, 2)
    (2000.0, 6080.07, 13919.93)
    """
    dc, de, vc, ve, c = checked_increments(inc_cost, inc_effect, var_cost, var_effect, cov)
    if de == 0:
        raise AnalysisError("incremental effect: 0, so the ICER and its delta-method variance are undefined; "
                            "report incremental net benefit or Fieller's set instead")
    q = critical_value(level, df)
    icer = dc / de
    var = vc - 2 * icer * c + icer * icer * ve  # >= 0 up to rounding: the covariance matrix is PSD
    se = math.sqrt(max(var, 0.0)) / abs(de)
    return DeltaInterval(icer, se, icer - q * se, icer + q * se, level, df)
