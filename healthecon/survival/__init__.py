"""Survival analysis for economic models: fitting, diagnostics, reconstruction and PSA draws.

- :mod:`~healthecon.survival.curves`: :class:`ParametricCurve`, survival / hazard / cumulative
  hazard in flexsurv's parameterisations, evaluated over PSA samples x times (times in years).
- :mod:`~healthecon.survival.data`: :func:`survival_data` checks patient-level data;
  :func:`load_dataset` reads the public datasets shipped with healthecon.
- :mod:`~healthecon.survival.fit`: :func:`fit_survival` / :func:`fit_model` (maximum
  likelihood with the covariance of the estimates), the AIC/BIC table, and
  ``fit.parameters(prefix)`` / ``fit.curve(prefix)`` for PSA through :class:`~healthecon.Parameters`.
- :mod:`~healthecon.survival.km`: Kaplan-Meier with Greenwood log-log bands, smoothed
  hazards, restricted mean survival time.
- :mod:`~healthecon.survival.guyot`: individual patient data from a published Kaplan-Meier
  figure (Guyot et al. 2012).
"""

from .curves import DISTRIBUTIONS, SPLINE_SCALES, TIME_UNITS, ParametricCurve, evaluate, spline_basis
from .data import DATASETS, SurvivalData, load_dataset, survival_data
from .guyot import reconstruct_ipd, tidy_digitised
from .km import kaplan_meier, km_median, restricted_mean, smoothed_hazard
from .fit import MODELS, SurvivalFit, SurvivalFits, fit_model, fit_survival, model_label

__all__ = [
    "ParametricCurve",
    "DISTRIBUTIONS",
    "SPLINE_SCALES",
    "TIME_UNITS",
    "evaluate",
    "spline_basis",
    "SurvivalData",
    "survival_data",
    "load_dataset",
    "DATASETS",
    "MODELS",
    "SurvivalFit",
    "SurvivalFits",
    "fit_model",
    "fit_survival",
    "model_label",
    "kaplan_meier",
    "km_median",
    "smoothed_hazard",
    "restricted_mean",
    "reconstruct_ipd",
    "tidy_digitised",
]

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
