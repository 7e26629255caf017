"""Survival analysis for economic models: parametric curves in flexsurv's parameterisations.

:class:`~healthecon.survival.curves.ParametricCurve` evaluates survival, hazard and cumulative
hazard over PSA samples x times (times in years), reading its parameters from a draw set.
"""

from .curves import DISTRIBUTIONS, SPLINE_SCALES, TIME_UNITS, ParametricCurve

__all__ = ["ParametricCurve", "DISTRIBUTIONS", "SPLINE_SCALES", "TIME_UNITS"]

# partitioned survival models, curve transforms and Markov transitions from curves
from .psm import CROSSING_RULES, CurveCrossingWarning, PartitionedSurvivalModel
from .transforms import BackgroundMortality, HazardRatio, Piecewise, StepSurvival, Waning
from .transitions import cycle_probabilities, transition_probability

__all__ += [
    "PartitionedSurvivalModel",
    "CurveCrossingWarning",
    "CROSSING_RULES",
    "HazardRatio",
    "StepSurvival",
    "Piecewise",
    "Waning",
    "BackgroundMortality",
    "cycle_probabilities",
    "transition_probability",
]
