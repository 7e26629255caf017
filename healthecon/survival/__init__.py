"""Survival analysis for economic models: parametric curves in flexsurv's parameterisations.

:class:`~healthecon.survival.curves.ParametricCurve` evaluates survival, hazard and cumulative
hazard over PSA samples x times (times in years), reading its parameters from a draw set.
"""

from .curves import DISTRIBUTIONS, SPLINE_SCALES, TIME_UNITS, ParametricCurve

__all__ = ["ParametricCurve", "DISTRIBUTIONS", "SPLINE_SCALES", "TIME_UNITS"]
