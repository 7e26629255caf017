"""Value of information: EVPI, EVPPI and EVSI by regression metamodelling, and population VOI.

All functions are pure functions of an outcome set (dims ``sample`` x ``strategy``) and, for
partial and sample information, of the parameter draws that produced it (one ``(sample,)``
variable per parameter, paired with the outcomes sample by sample). Net benefit always comes
from :func:`healthecon.cea.net_benefit`, so VOI in net monetary or net health benefit follows
the same conventions as the rest of the package.

EVPPI and EVSI use the regression (metamodel) method of Strong, Oakley & Brennan (2014) and
Strong et al. (2015): each strategy's incremental cost and incremental effect (against the
first strategy) are regressed on the parameters of interest, once per strategy and parameter
group; because net benefit is linear in cost and effect, the fitted incremental net benefit at
every willingness-to-pay threshold is ``wtp * fitted effect - fitted cost``, so one fit serves
the whole threshold grid.

Two metamodels are available, both linear smoothers written in an orthonormal eigenbasis so
that fitting, the generalised cross-validation (GCV) choice of smoothness and the posterior
simulation for the standard error are all matrix products vectorised over samples:

- ``"spline"`` (one or two parameters): penalised cubic regression splines with knots at
  quantiles of each parameter and an integrated squared second-derivative penalty (so straight
  lines are never penalised), a tensor product for two parameters, smoothness chosen by GCV (Wood 2017, *Generalized Additive Models*, 2nd ed.,
  sections 4.2 and 5.6), as the GAM of Strong et al. (2014);
- ``"gp"`` (any number of parameters): a Gaussian process with a linear mean and a
  squared-exponential correlation with one length scale per parameter and a nugget (Strong
  et al. 2014, section 2.4 and appendix, as SAVI and the voi R package), length scales
  estimated by maximum marginal likelihood on a subset of samples (``max(100, 30 p)`` by
  default), and the posterior mean on all samples through the subset-of-regressors form with
  the subset as inducing points (Rasmussen & Williams 2006, *Gaussian Processes for Machine
  Learning*, section 8.3), its smoothing chosen by GCV on all samples: time is linear in the
  number of samples (about 0.15 s of CPU for three parameters and three strategies at 10,000
  samples). :mod:`.gp` explains the two choices that corrected a GP that read high or low.

The standard error of an EVPPI estimate has two parts, returned with their combination
``se = sqrt(se_fit**2 + se_sampling**2)``. ``se_fit``, the uncertainty of the metamodel's
fitted values, is by default the delta method (:mod:`.metamodel`): the estimate is a
piecewise-linear function of the fitted values, so its variance is a quadratic form in each
fit's posterior covariance, one matrix product per fit; ``se_draws=S`` instead draws the fitted
values from their posterior ``S`` times and recomputes the estimate (Strong et al. 2014,
section 3.3), which agrees to first order and costs ``S`` estimates. The fits of different
strategies and of cost and effect are treated as independent (their posterior correlation is
not modelled). ``se_sampling`` is the Monte Carlo error of the PSA sample itself (the standard
deviation of the per-sample opportunity loss over the square root of the sample size): with
the fit part alone, intervals covered the true value far less often than stated over repeated
samples (tests/test_voi.py checks coverage on a linear-normal model with a closed-form EVPPI).
The metamodel's R-squared for each incremental cost and effect is reported too; a large
standard error relative to the estimate signals a poor metamodel or too few samples.

Modules
-------
:mod:`.perfect` (EVPI, population VOI), :mod:`.partial` (EVPPI), :mod:`.sample_information`
(EVSI and study designs), :mod:`.metamodel` (the regression estimate and the ``method=``
switch), and one module per metamodel: :mod:`.spline` and :mod:`.gp`.

References
----------
Briggs A, Claxton K, Sculpher M (2006). *Decision Modelling for Health Economic Evaluation*.
Oxford University Press, ch. 7.
Claxton K (1999). The irrelevance of inference: a decision-making approach to the stochastic
evaluation of health care technologies. *Journal of Health Economics* 18:341-364.
Strong M, Oakley JE, Brennan A (2014). Estimating multiparameter partial expected value of
perfect information from a probabilistic sensitivity analysis sample: a nonparametric
regression approach. *Medical Decision Making* 34(3):311-326.
Strong M, Oakley JE, Brennan A, Breeze P (2015). Estimating the expected value of sample
information using the probabilistic sensitivity analysis sample: a fast, nonparametric
regression-based method. *Medical Decision Making* 35(5):570-583.
Heath A, Manolopoulou I, Baio G (2016). Estimating the expected value of partial perfect
information in health economic evaluations using integrated nested Laplace approximation.
*Statistics in Medicine* 35(23):4264-4280 (the GP regression of Strong et al. and its cost).
Jackson CH, Baio G, Heath A, Strong M, Welton NJ, Wilson ECF (2022). Value of information
analysis in models to inform health policy. *Annual Review of Statistics and Its Application*
9:95-118; and the voi R package (github.com/chjackson/voi; ``R/evppi_gp.R`` reuses SAVI's GP,
hyperparameters from ``min(30 p, 250)`` samples), whose chemotherapy example
tests/validation/test_voi_chemo.py reproduces.
Rasmussen CE, Williams CKI (2006). *Gaussian Processes for Machine Learning*. MIT Press.
Wood SN (2017). *Generalized Additive Models: An Introduction with R*, 2nd ed. CRC Press.
Eilers PHC, Marx BD (1996). Flexible smoothing with B-splines and penalties. *Statistical
Science* 11(2):89-121.

Examples
--------
>>> import numpy as np, xarray as xr
>>> from healthecon.outcomes import make_outcomes
>>> rng = np.random.default_rng(1)
>>> p = rng.beta(20, 80, 2000)               # probability of response to the new treatment
>>> cost = np.column_stack([np.full(2000, 1000.0), np.full(2000, 1500.0)])
>>> qaly = np.column_stack([np.full(2000, 0.70), 0.66 + 0.25 * p])
>>> out = make_outcomes({"cost": cost, "qaly": qaly}, ["usual care", "new"], effect="qaly")
>>> draws = xr.Dataset({"p_response": ("sample", p)})
>>> round(float(evpi(out, 20000).item()), 1)
7.1
>>> result = evppi(out, draws, "p_response", 20000)
>>> round(float(result["evppi"].item()), 1)
7.1
"""

from .metamodel import METHODS
from .partial import evppi, evppi_ranking
from .perfect import evpi, population_evpi
from .sample_information import Study, binomial_study, evsi, normal_study

__all__ = [
    "evpi",
    "population_evpi",
    "evppi",
    "evppi_ranking",
    "evsi",
    "binomial_study",
    "normal_study",
    "Study",
    "METHODS",
]
