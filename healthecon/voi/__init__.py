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
- ``"gp"`` (any number of parameters): a Gaussian process with a squared-exponential
  correlation with one length scale per parameter and a nugget (Strong et al. 2014, section
  2.4 and appendix), hyperparameters estimated by maximum marginal likelihood on a subset of
  samples, and the posterior mean on all samples through the subset-of-regressors form with
  the subset as inducing points (Rasmussen & Williams 2006, *Gaussian Processes for Machine
  Learning*, section 8.3), solved through a cross-product matrix the size of the subset: time
  is linear in the number of samples (about a second for three parameters at 10,000 samples).

The standard error of an EVPPI estimate follows Strong et al. (2014, section 3.3): draw the
metamodel's fitted values from their posterior, recompute EVPPI for each draw, and take the
standard deviation (``se_fit``). The fits of different strategies and of cost and effect are
drawn independently (their posterior correlation is not modelled). The Monte Carlo error of
the PSA sample itself (``se_sampling``, the standard deviation of the per-sample opportunity
loss over the square root of the sample size) is added in quadrature to give ``se``: with
the fit part alone, intervals covered the true value far less often than stated over repeated
samples (tests/test_voi.py checks coverage on a linear-normal model with a closed-form EVPPI). The metamodel's R-squared for each incremental cost and effect is reported
too; a large standard error relative to the estimate signals a poor metamodel or too few
samples.

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
