r"""Fieller's confidence set for an incremental cost-effectiveness ratio.

With incremental cost :math:`\Delta C`, incremental effect :math:`\Delta E`, their variances
:math:`v_C, v_E` and covariance :math:`c`, the Fieller set is every ratio :math:`R` for which
:math:`\Delta C - R\,\Delta E` is not significantly different from 0:

.. math::  (\Delta C - R\,\Delta E)^2 \le z^2 (v_C - 2 R c + R^2 v_E),

i.e. :math:`a R^2 - 2 b R + k \le 0` with :math:`a = \Delta E^2 - z^2 v_E`,
:math:`b = \Delta C\,\Delta E - z^2 c`, :math:`k = \Delta C^2 - z^2 v_C` (Willan & O'Brien
1996; Briggs, Claxton & Sculpher 2006, ch. 4; Glick et al. 2014, ch. 7). Equivalently, it is the
set of thresholds :math:`\lambda` at which the confidence interval of incremental net benefit
contains 0 (Heitjan 2000). Three cases:

- :math:`a > 0` (the effect difference is significant): a bounded interval between the roots;
- :math:`a < 0` and real roots: the whole line *except* the interval between the roots, i.e.
  two disjoint rays (the set crosses the vertical axis of the CE plane, where the ICER is
  undefined);
- :math:`a < 0` and no real roots: the whole line; the data say nothing about the ratio.

Unbounded sets are reported as such, never as numbers.

References
----------
Willan AR, O'Brien BJ (1996). Confidence intervals for cost-effectiveness ratios: an application
of Fieller's theorem. *Health Economics* 5:297-305.
Heitjan DF (2000). Fieller's method and net health benefits. *Health Economics* 9:327-335.
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*, ch. 4.

Examples
--------
>>> f = fieller(575.0, 0.0414, 150.0**2, 0.01**2, 0.0)
>>> f.kind, round(f.lower), round(f.upper)
('bounded', 6204, 29598)
>>> print(fieller(575.0, 0.0414, 150.0**2, 0.03**2, 0.0))
unbounded: the two rays (-inf, -31,725] and [4,415, +inf)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from .._validate import require_finite, require_nonnegative
from ..errors import AnalysisError

__all__ = ["FiellerInterval", "fieller", "critical_value", "checked_increments", "BOUNDED", "TWO_RAYS", "WHOLE_LINE"]

BOUNDED, TWO_RAYS, WHOLE_LINE = "bounded", "two rays", "whole line"


def critical_value(level: float, df: float | None = None) -> float:
    """Two-sided critical value for a ``level`` interval: normal, or Student's t with ``df`` degrees of freedom.

    The normal quantile is the convention of Willan & O'Brien (1996) and Briggs et al. (2006);
    Stata's ``cea`` package (``vce(delta)``, ``estat fieller``, ``ceai``; Glick et al. 2014)
    uses t with the residual degrees of freedom, N - 2 for two arms.

    Raises
    ------
    AnalysisError
        If ``level`` is not in (0, 1) or ``df`` is not positive.

    Examples
    --------
    >>> round(critical_value(0.95), 6), round(critical_value(0.95, df=1998), 6)
    (1.959964, 1.961151)
    """
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a confidence level in (0, 1), e.g. 0.95, got {level}")
    if df is None:
        return float(stats.norm.ppf(0.5 + level / 2))
    if not (math.isfinite(df) and df > 0):
        raise AnalysisError(f"df: expected positive degrees of freedom (e.g. N - 2 for two arms), got {df}")
    return float(stats.t.ppf(0.5 + level / 2, df))


def checked_increments(inc_cost: float, inc_effect: float, var_cost: float, var_effect: float,
                       cov: float) -> tuple[float, float, float, float, float]:
    """The increments, their variances and covariance as floats, checked: finite, variances >= 0,
    and a positive semi-definite covariance matrix (else :class:`~healthecon.errors.AnalysisError`).

    Examples
    --------
    >>> checked_increments(10, 0.5, 4, 0.01, 0.1)
    (10.0, 0.5, 4.0, 0.01, 0.1)
    """
    dc = float(require_finite(inc_cost, "incremental cost", AnalysisError))
    de = float(require_finite(inc_effect, "incremental effect", AnalysisError))
    vc = float(require_nonnegative(var_cost, "variance of incremental cost", AnalysisError))
    ve = float(require_nonnegative(var_effect, "variance of incremental effect", AnalysisError))
    c = float(require_finite(cov, "covariance of incremental cost and effect", AnalysisError))
    if c * c > vc * ve * (1 + 1e-9) + 1e-300:
        raise AnalysisError(f"covariance {c:g}: exceeds sqrt(var_cost * var_effect) = {math.sqrt(vc * ve):g}; "
                            "the covariance matrix is not positive semi-definite")
    return dc, de, vc, ve, c


@dataclass(frozen=True)
class FiellerInterval:
    """A Fieller confidence set for an ICER.

    Attributes
    ----------
    kind
        ``"bounded"`` (``lower <= R <= upper``), ``"two rays"`` (``R <= lower`` or
        ``R >= upper``) or ``"whole line"`` (``lower``/``upper`` are NaN).
    lower, upper
        The roots; their meaning depends on ``kind``.
    icer, level
        The point ICER (``inc_cost / inc_effect``, NaN if the effect difference is 0) and the
        confidence level.
    """

    kind: str
    lower: float
    upper: float
    icer: float
    level: float

    @property
    def bounded(self) -> bool:
        return self.kind == BOUNDED

    def contains(self, ratio: float) -> bool:
        """Whether ``ratio`` is in the confidence set."""
        if self.kind == WHOLE_LINE:
            return True
        if self.kind == BOUNDED:
            return self.lower <= ratio <= self.upper
        return ratio <= self.lower or ratio >= self.upper

    def describe(self, currency: str = "£") -> str:
        """The set in words, money formatted, e.g. ``£5,939 to £32,802``."""
        def money(x: float) -> str:
            return f"-{currency}{-x:,.0f}" if x < 0 else f"{currency}{x:,.0f}"
        if self.kind == BOUNDED:
            return f"{money(self.lower)} to {money(self.upper)}"
        if self.kind == TWO_RAYS:
            return f"unbounded: below {money(self.lower)} or above {money(self.upper)}"
        return "unbounded: the whole line (no information on the ratio)"

    def __str__(self) -> str:
        if self.kind == BOUNDED:
            return f"[{self.lower:,.0f}, {self.upper:,.0f}]"
        if self.kind == TWO_RAYS:
            return f"unbounded: the two rays (-inf, {self.lower:,.0f}] and [{self.upper:,.0f}, +inf)"
        return "unbounded: the whole line"


def fieller(inc_cost: float, inc_effect: float, var_cost: float, var_effect: float, cov: float,
            level: float = 0.95, df: float | None = None) -> FiellerInterval:
    """Fieller's confidence set for the ICER ``inc_cost / inc_effect`` (see module docstring).

    Parameters
    ----------
    inc_cost, inc_effect
        Incremental mean cost and effect.
    var_cost, var_effect, cov
        Variances of the two increments (squared standard errors) and their covariance.
    level
        Confidence level, e.g. 0.95 (two-sided).
    df
        ``None`` (default) for the normal quantile; degrees of freedom for Student's t, the
        convention of Stata's ``cea`` (``estat fieller``, ``ceai, fieller``; see
        :func:`critical_value`).

    Returns
    -------
    FiellerInterval

    Raises
    ------
    AnalysisError
        If a variance is negative, the covariance exceeds what the variances allow,
        ``level`` is not in (0, 1) or ``df`` is not positive.

    Examples
    --------
    With a known cost (zero variance) the set is the cost divided by the ends of the effect's
    normal interval, :math:`1000 / (0.1 \\pm 1.959964 \\times 0.02)`:

    >>> f = fieller(1000.0, 0.1, 0.0, 0.02**2, 0.0)
    >>> round(f.lower, 2), round(f.upper, 2)
    (7183.95, 16447.17)
    >>> round(1000 / (0.1 + 1.959964 * 0.02), 2), round(1000 / (0.1 - 1.959964 * 0.02), 2)
    (7183.95, 16447.17)
    """
    dc, de, vc, ve, c = checked_increments(inc_cost, inc_effect, var_cost, var_effect, cov)
    z2 = critical_value(level, df) ** 2
    a = de * de - z2 * ve
    b = dc * de - z2 * c
    k = dc * dc - z2 * vc
    icer = dc / de if de != 0 else math.nan
    disc = b * b - a * k
    if a > 0:
        root = math.sqrt(max(disc, 0.0))  # disc >= 0 whenever a > 0 (the point ICER is in the set)
        return FiellerInterval(BOUNDED, (b - root) / a, (b + root) / a, icer, level)
    if a < 0 and disc > 0:
        root = math.sqrt(disc)
        lo, hi = sorted(((b + root) / a, (b - root) / a))
        return FiellerInterval(TWO_RAYS, lo, hi, icer, level)
    return FiellerInterval(WHOLE_LINE, math.nan, math.nan, icer, level)
