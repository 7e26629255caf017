"""Patient-level (trial and cohort) cost-effectiveness analysis.

One row per person in, an outcome set out: :func:`read_patients` checks the table and computes
each person's discounted costs, QALYs (area under the utility curve) and life-years;
:func:`bootstrap` resamples people within arm (or matched sets, or clusters) and evaluates
means, linear regression, seemingly unrelated regression or a gamma GLM on every replicate,
returning an :class:`IPDResult` whose ``replicates`` the CE plane, CEAC, ICER table, VOI and
reports read like a PSA; :func:`fieller` gives the ICER's confidence set (and
:func:`delta_method` the Taylor-series interval some peers report);
:func:`net_benefit_regression` and :func:`sur_table` the regression-based increments, and
:func:`mean_difference_table` the unadjusted ones with central-limit-theorem variances;
:func:`missingness`, :func:`complete_cases` and :func:`multiple_imputation` deal with missing
data. Optional dependencies (``pip install healthecon[ipd]``): statsmodels (MICE, GLM checks)
and linearmodels (SUR tables).

Submodules, one concept each: :mod:`~healthecon.ipd.data`, :mod:`~healthecon.ipd.resample`,
:mod:`~healthecon.ipd.estimators`, :mod:`~healthecon.ipd.bootstrap`,
:mod:`~healthecon.ipd.fieller`, :mod:`~healthecon.ipd.delta`, :mod:`~healthecon.ipd.regression`,
:mod:`~healthecon.ipd.missing`, :mod:`~healthecon.ipd.tables`, :mod:`~healthecon.ipd.synthetic`.
"""

from . import resample, synthetic
from .bootstrap import METHODS, IPDResult, bca_interval, bootstrap, percentile_interval
from .data import PatientData, PatientDataError, auc_qalys, life_years, read_patients
from .delta import DeltaInterval, delta_method
from .fieller import FiellerInterval, fieller
from .missing import MIResult, MissingDataWarning, complete_cases, missingness, multiple_imputation, rubin
from .regression import mean_difference_table, net_benefit_regression, sur_table
from .resample import ResamplingPlan
from .tables import hta_table

__all__ = [
    "METHODS",
    "DeltaInterval",
    "FiellerInterval",
    "IPDResult",
    "MIResult",
    "MissingDataWarning",
    "PatientData",
    "PatientDataError",
    "ResamplingPlan",
    "auc_qalys",
    "bca_interval",
    "bootstrap",
    "complete_cases",
    "delta_method",
    "fieller",
    "hta_table",
    "life_years",
    "mean_difference_table",
    "missingness",
    "multiple_imputation",
    "net_benefit_regression",
    "percentile_interval",
    "read_patients",
    "resample",
    "rubin",
    "sur_table",
    "synthetic",
]
