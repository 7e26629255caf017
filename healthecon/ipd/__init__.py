"""Patient-level (trial and cohort) cost-effectiveness analysis.

One row per person in, an outcome set out: :func:`read_patients` checks the table and computes
each person's discounted costs, QALYs (area under the utility curve) and life-years;
:func:`bootstrap` resamples people within arm (or matched sets, or clusters) and evaluates
means, linear regression, seemingly unrelated regression or a gamma GLM on every replicate,
returning an :class:`IPDResult` whose ``replicates`` the CE plane, CEAC, ICER table, VOI and
reports read like a PSA; :func:`fieller` gives the ICER's confidence set;
:func:`net_benefit_regression` and :func:`sur_table` the regression-based increments;
:func:`missingness`, :func:`complete_cases` and :func:`multiple_imputation` deal with missing
data. Optional dependencies (``pip install healthecon[ipd]``): statsmodels (MICE, GLM checks)
and linearmodels (SUR tables).

Submodules, one concept each: :mod:`~healthecon.ipd.data`, :mod:`~healthecon.ipd.resample`,
:mod:`~healthecon.ipd.estimators`, :mod:`~healthecon.ipd.bootstrap`,
:mod:`~healthecon.ipd.fieller`, :mod:`~healthecon.ipd.regression`,
:mod:`~healthecon.ipd.missing`, :mod:`~healthecon.ipd.tables`, :mod:`~healthecon.ipd.synthetic`.
"""

from . import resample, synthetic
from .bootstrap import METHODS, IPDResult, bca_interval, bootstrap, percentile_interval
from .data import PatientData, PatientDataError, auc_qalys, life_years, read_patients
from .fieller import FiellerInterval, fieller
from .missing import MIResult, MissingDataWarning, complete_cases, missingness, multiple_imputation, rubin
from .regression import net_benefit_regression, sur_table
from .resample import ResamplingPlan
from .tables import hta_table

__all__ = [
    "METHODS",
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
    "fieller",
    "hta_table",
    "life_years",
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
