"""Parametric survival models fitted by maximum likelihood, reported on flexsurv's parameterisation.

:func:`fit_survival` fits a set of models to individual patient data (arms separately, or
jointly with a treatment covariate) and returns :class:`SurvivalFits`, whose :meth:`~SurvivalFits.table`
is the AIC/BIC table a NICE review group asks for. Each :class:`SurvivalFit` holds the estimates on
flexsurv's scale (``flexsurvreg``'s ``res`` table), the covariance matrix of the estimates on the
scale PSA draws are made on (log for positive parameters: flexsurv's ``res.t``/``cov``), the
log-likelihood, AIC and BIC; :meth:`SurvivalFit.curve` gives a
:class:`~healthecon.survival.curves.ParametricCurve` and :meth:`SurvivalFit.parameters` the
:class:`~healthecon.Parameters` entry (a :class:`~healthecon.distributions.MultivariateNormal`,
or bootstrap replicates) that the curve reads, so survival parameters sit beside costs and
utilities in one draw set.

Models: ``"exponential"``, ``"weibull"`` (AFT), ``"weibullPH"``, ``"gompertz"``, ``"llogis"``,
``"lnorm"``, ``"gengamma"`` and Royston-Parmar splines ``"rp1"``, ``"rp2"``, ``"rp3"`` (1-3 internal
knots on the log cumulative hazard scale; ``"rp2-odds"``, ``"rp1-normal"``, ... on the odds or
normal scale). Knots are placed as flexsurvspline's default: boundary knots at the smallest and
largest log event time, internal knots at equally spaced quantiles of the log event times.

Where the estimates come from: the exponential, Weibull (AFT), log-logistic and log-normal
models, alone or with covariates on the location parameter, are fitted by lifelines
(``ExponentialFitter``, ``WeibullFitter``, ``LogLogisticFitter``, ``LogNormalFitter`` and their
``*AFTFitter`` regressions), whose estimates and variance matrices are converted to flexsurv's
scale by the delta method. Every other model (Weibull PH, Gompertz, generalised gamma in
Prentice's form, splines on flexsurv's scale, and an exponential with covariates) is fitted here
with ``scipy.optimize.minimize`` (BFGS, then Nelder-Mead if BFGS stops early) on the same
log-likelihood sum(d_i log h(t_i) - H(t_i)) (Collett 2015, *Modelling Survival Data in Medical
Research*, 3rd ed., ch. 5), with the covariance from the inverse of a finite-difference Hessian
on the draw scale. ``engine="scipy"`` fits every model that way (the tests check that both
engines agree).

Covariates (a treatment arm in a joint fit, and any numeric covariates) act on the location
parameter as in flexsurv; see :mod:`healthecon.survival.curves` for when that is a hazard ratio
(exponential, Weibull PH, Gompertz, hazard-scale spline) and when a time ratio (Weibull AFT,
log-logistic, log-normal, generalised gamma).

Examples
--------
>>> from healthecon.survival import load_dataset, survival_data
>>> bc = survival_data(load_dataset("bc"), time="recyrs", event="censrec", arm="group")
>>> fits = fit_survival(bc, ["exponential", "weibull"], arms="joint")
>>> fits.table()[["model", "loglik", "aic"]].round(2)
                 model  loglik      aic
0  Weibull (AFT) joint -811.94  1631.88
1    Exponential joint -831.11  1668.21
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..distributions import MultivariateNormal, make_rng
from ..errors import AnalysisError, ParameterError, unknown_name
from ..params import Parameters
from .curves import DISTRIBUTIONS, LOCATION, ParametricCurve, evaluate, spline_basis
from .data import SurvivalData

__all__ = ["MODELS", "SurvivalFit", "SurvivalFits", "fit_model", "fit_survival", "model_label"]

_BASE = {
    "exponential": "Exponential",
    "weibull": "Weibull (AFT)",
    "weibullPH": "Weibull (PH)",
    "gompertz": "Gompertz",
    "llogis": "Log-logistic",
    "lnorm": "Log-normal",
    "gengamma": "Generalised gamma",
}
_SPLINE = re.compile(r"^rp([1-3])(?:-(hazard|odds|normal))?$")

#: The models :func:`fit_survival` fits by default: six distributions and 1-3 knot hazard splines.
MODELS = ("exponential", "weibull", "gompertz", "llogis", "lnorm", "gengamma", "rp1", "rp2", "rp3")

_LIFELINES = ("exponential", "weibull", "llogis", "lnorm")


def _parse_model(model: str) -> tuple[str, int, str]:
    """``(distribution, internal knots, spline scale)`` of a model name."""
    if model in _BASE:
        return model, 0, "hazard"
    match = _SPLINE.match(model) if isinstance(model, str) else None
    if match is None:
        raise unknown_name("survival model", model, [*_BASE, "rp1", "rp2", "rp3", "rp1-odds", "rp2-normal", "..."])
    return "spline", int(match.group(1)), match.group(2) or "hazard"


def model_label(model: str) -> str:
    """A human label: ``"Weibull (AFT)"``, ``"RP spline, 2 knots (hazard)"``.

    Examples
    --------
    >>> model_label("rp1-odds"), model_label("llogis")
    ('RP spline, 1 knot (odds)', 'Log-logistic')
    """
    dist, k, scale = _parse_model(model)
    if dist != "spline":
        return _BASE[dist]
    return f"RP spline, {k} knot{'s' if k > 1 else ''} ({scale})"


def _identifier(label: str) -> str:
    name = re.sub(r"\W+", "_", str(label)).strip("_")
    return name if name and not name[0].isdigit() else f"x{name}"


# ---------------------------------------------------------------------------------------------
# the likelihood on the draw scale


@dataclass(frozen=True)
class _Spec:
    """What is being fitted: the distribution, its knots and the covariate design."""

    distribution: str
    knots: np.ndarray | None
    spline_scale: str
    base: tuple[str, ...]  # base parameter names in flexsurv's order
    log: tuple[bool, ...]  # drawn on the log scale?
    coefficients: tuple[str, ...]  # covariate coefficient names (location effects)

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.base, *self.coefficients)

    def natural(self, theta: np.ndarray) -> np.ndarray:
        """Draw-scale vector -> flexsurv's natural scale (base parameters exponentiated where logged)."""
        k = len(self.base)
        out = np.array(theta, dtype=float)
        logged = np.array(self.log)
        out[:k][logged] = np.exp(out[:k][logged])
        return out

    def parameters(self, theta: np.ndarray, x: np.ndarray) -> dict[str, np.ndarray]:
        """Natural parameters per patient (location effect applied), for :func:`evaluate`."""
        k = len(self.base)
        values = dict(zip(self.base, self.natural(theta[:k])))
        params: dict[str, np.ndarray] = {name: np.asarray(v) for name, v in values.items()}
        if self.coefficients:
            lp = x @ theta[k:]
            loc = LOCATION[self.distribution]
            positive = DISTRIBUTIONS[self.distribution].get(loc, False)
            params[loc] = params[loc] * np.exp(lp) if positive else params[loc] + lp
        return params


def _loglik(theta: np.ndarray, spec: _Spec, t: np.ndarray, d: np.ndarray, x: np.ndarray) -> float:
    cumhaz, hazard = evaluate(spec.distribution, t, spec.parameters(theta, x), knots=spec.knots, spline_scale=spec.spline_scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(np.sum(np.log(hazard[d == 1])) - np.sum(cumhaz))
    return value if np.isfinite(value) else -np.inf


def _hessian(f, x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (step 1e-4 relative)."""
    k = x.size
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    hess = np.empty((k, k))
    f0 = f(x)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h[i]
        hess[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i):
            ej = np.zeros(k)
            ej[j] = h[j]
            hess[i, j] = hess[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
    return hess


def _knots(t: np.ndarray, d: np.ndarray, k: int) -> np.ndarray:
    """flexsurvspline's default knots: quantiles of the log event times at 0, 1/(k+1), ..., 1."""
    return np.quantile(np.log(t[d == 1]), np.linspace(0, 1, k + 2))


def _km_at_events(t: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival at each distinct event time (for spline starting values)."""
    times = np.unique(t[d == 1])
    at_risk = (t[None, :] >= times[:, None]).sum(axis=1)
    events = ((t[None, :] == times[:, None]) & (d[None, :] == 1)).sum(axis=1)
    return times, np.cumprod(1 - events / at_risk)


def _start(spec: _Spec, t: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Starting values on the draw scale (covariate coefficients 0)."""
    rate = d.sum() / t.sum()
    logt = np.log(t)
    dist = spec.distribution
    if dist == "exponential":
        base = [math.log(rate)]
    elif dist == "weibull":
        base = [0.0, -math.log(rate)]
    elif dist == "weibullPH":
        base = [0.0, math.log(rate)]
    elif dist == "gompertz":
        base = [0.0, math.log(rate)]
    elif dist == "llogis":
        base = [0.0, float(np.median(t))]
        base[1] = math.log(base[1])
    elif dist == "lnorm":
        base = [float(logt.mean()), math.log(max(float(logt.std()), 1e-3))]
    elif dist == "gengamma":
        base = [float(logt.mean()), math.log(max(float(logt.std()), 1e-3)), 0.0]
    else:  # spline: regress the link of the KM estimate on the basis (as flexsurvspline's inits)
        times, surv = _km_at_events(t, d)
        keep = (surv > 0) & (surv < 1)
        s = surv[keep]
        link = {"hazard": np.log(-np.log(s)), "odds": np.log((1 - s) / s), "normal": -special.ndtri(s)}[spec.spline_scale]
        x = np.log(times[keep])
        design = np.column_stack([np.ones_like(x), x, spline_basis(spec.knots, x)])
        base = list(np.linalg.lstsq(design, link, rcond=None)[0])
    return np.concatenate([base, np.zeros(len(spec.coefficients))])


def _optimise(spec: _Spec, t: np.ndarray, d: np.ndarray, x: np.ndarray, start: np.ndarray, what: str) -> tuple[np.ndarray, float]:
    def nll(theta: np.ndarray) -> float:
        value = _loglik(theta, spec, t, d, x)
        return -value if np.isfinite(value) else 1e300

    if not np.isfinite(nll(start)) or nll(start) >= 1e300:
        raise AnalysisError(f"{what}: the log-likelihood is not finite at the starting values; check the data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        best = optimize.minimize(nll, start, method="BFGS", options={"gtol": 1e-6, "maxiter": 2000})
        if not best.success:
            polish = optimize.minimize(nll, best.x, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 20000, "maxfev": 40000})
            best = optimize.minimize(nll, polish.x, method="BFGS", options={"gtol": 1e-6, "maxiter": 2000})
            if not best.success and abs(best.fun - polish.fun) > 1e-6 * max(1.0, abs(polish.fun)):
                raise AnalysisError(f"{what}: the maximum-likelihood fit did not converge ({best.message}); try another model or check the data")
    return best.x, -float(best.fun)


def _covariance(spec: _Spec, t: np.ndarray, d: np.ndarray, x: np.ndarray, theta: np.ndarray, what: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        hess = _hessian(lambda th: _loglik(th, spec, t, d, x), theta)
    if not np.isfinite(hess).all():
        raise AnalysisError(f"{what}: the fit did not converge (the log-likelihood is not finite near the estimates)")
    info = -(hess + hess.T) / 2
    try:
        np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        raise AnalysisError(
            f"{what}: the fit did not converge to a maximum (the information matrix is not positive definite); "
            "the model may be over-parameterised for these data (e.g. a Gompertz or generalised gamma with few events)"
        ) from None
    return np.linalg.inv(info)


def _fit_lifelines(spec: _Spec, t: np.ndarray, d: np.ndarray, x: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Estimates and covariance on the draw scale from lifelines' fitters (see module docstring)."""
    import lifelines
    from lifelines.exceptions import ConvergenceError

    dist = spec.distribution
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not spec.coefficients:
                cls, names = {
                    "exponential": (lifelines.ExponentialFitter, ["lambda_"]),
                    "weibull": (lifelines.WeibullFitter, ["rho_", "lambda_"]),
                    "llogis": (lifelines.LogLogisticFitter, ["beta_", "alpha_"]),
                    "lnorm": (lifelines.LogNormalFitter, ["mu_", "sigma_"]),
                }[dist]
                fitter = cls().fit(t, d)
                values = np.array([getattr(fitter, n) for n in names])
                cov = fitter.variance_matrix_.loc[names, names].to_numpy()
                # delta method to the draw scale: d log(v) / dv = 1 / v (mu_ stays as is);
                # lifelines' exponential lambda_ is the mean, 1 / rate: log rate = -log lambda_
                logged = np.array([n != "mu_" for n in names])
                theta = np.where(logged, np.log(values), values)
                jac = np.diag(np.where(logged, 1.0 / values, 1.0))
                if dist == "exponential":
                    theta, jac = -theta, -jac
                return theta, jac @ cov @ jac.T, float(fitter.log_likelihood_)
            cls, loc, anc = {
                "weibull": (lifelines.WeibullAFTFitter, "lambda_", "rho_"),
                "llogis": (lifelines.LogLogisticAFTFitter, "alpha_", "beta_"),
                "lnorm": (lifelines.LogNormalAFTFitter, "mu_", "sigma_"),
            }[dist]
            frame = pd.DataFrame(x, columns=list(spec.coefficients)).assign(_time=t, _event=d)
            fitter = cls().fit(frame, "_time", "_event")
            order = [(anc, "Intercept"), (loc, "Intercept")] if dist != "lnorm" else [(loc, "Intercept"), (anc, "Intercept")]
            order += [(loc, c) for c in spec.coefficients]
            theta = fitter.params_.loc[order].to_numpy()
            cov = fitter.variance_matrix_.loc[order, order].to_numpy()
            return theta, cov, float(fitter.log_likelihood_)
    except ConvergenceError as err:
        raise AnalysisError(f"{what}: the fit did not converge (lifelines: {str(err).splitlines()[0]})") from None


# ---------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True, eq=False)
class SurvivalFit:
    """One fitted model (build with :func:`fit_model` or :func:`fit_survival`).

    Attributes
    ----------
    model : str
        The model name (``"weibull"``, ``"rp2"``, ...); ``label`` is its human name.
    arm : str or None
        The arm fitted alone, or None for all data (a joint fit or a single group).
    estimates : pandas.Series
        Estimates on flexsurv's natural scale (shape, scale, ..., then covariate coefficients).
    cov : pandas.DataFrame
        Covariance of the estimates on the draw scale: log for positive parameters (see
        ``log_scale``), natural for the others and for coefficients.
    loglik : float
        Maximised log-likelihood (of the densities in the data's time unit, as flexsurv).
    n, events : int
        Patients and events.
    time_unit : str or float
        The unit of the data's times.
    knots : numpy.ndarray or None
        Spline knots on the log-time scale (boundary knots included).
    engine : str
        ``"lifelines"`` or ``"scipy"``.
    arms : tuple of str
        The arms in a joint fit (first = reference), else empty.
    """

    model: str
    arm: str | None
    estimates: pd.Series
    cov: pd.DataFrame
    loglik: float
    n: int
    events: int
    time_unit: str | float
    knots: np.ndarray | None
    engine: str
    arms: tuple[str, ...] = ()
    log_scale: tuple[str, ...] = ()
    covariate_means: Mapping[str, float] = field(default_factory=dict)
    data: SurvivalData | None = field(default=None, repr=False)
    spline_scale: str = "hazard"
    options: Mapping[str, object] = field(default_factory=dict, repr=False)

    @property
    def distribution(self) -> str:
        return _parse_model(self.model)[0]

    @property
    def label(self) -> str:
        return model_label(self.model)

    @property
    def n_parameters(self) -> int:
        return int(self.estimates.size)

    @property
    def aic(self) -> float:
        """Akaike's information criterion, -2 loglik + 2 p."""
        return -2 * self.loglik + 2 * self.n_parameters

    @property
    def bic(self) -> float:
        """Bayesian information criterion, -2 loglik + p log(n), n = all patients (flexsurv's
        default, ``cens=TRUE``)."""
        return -2 * self.loglik + self.n_parameters * math.log(self.n)

    @property
    def draw_mean(self) -> pd.Series:
        """The estimates on the draw scale (log of the positive parameters)."""
        values = [math.log(v) if name in self.log_scale else v for name, v in self.estimates.items()]
        return pd.Series(values, index=self.estimates.index)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Estimates with standard errors and confidence intervals on flexsurv's scale (its
        ``res`` table: intervals from the draw scale, back-transformed; standard errors of
        logged parameters by the delta method).

        Examples
        --------
        >>> from healthecon.survival import load_dataset, survival_data
        >>> bc = survival_data(load_dataset("bc"), time="recyrs", event="censrec")
        >>> fit_model(bc, "weibull").summary().round(3)
                 est  lower  upper     se
        shape  1.272  1.153  1.402  0.063
        scale  6.191  5.604  6.840  0.315
        """
        z = special.ndtri(0.5 + level / 2)
        mean, se = self.draw_mean, np.sqrt(np.diag(self.cov.to_numpy()))
        logged = np.array([name in self.log_scale for name in self.estimates.index])
        lower = np.where(logged, np.exp(mean - z * se), mean - z * se)
        upper = np.where(logged, np.exp(mean + z * se), mean + z * se)
        se_natural = np.where(logged, se * self.estimates.to_numpy(), se)
        return pd.DataFrame({"est": self.estimates.to_numpy(), "lower": lower, "upper": upper, "se": se_natural}, index=self.estimates.index)

    def _arm_term(self, arm: str | None) -> str | None:
        if not self.arms:
            if arm is not None and arm != self.arm:
                raise ParameterError(f"{self.label} fitted to {'arm ' + repr(self.arm) if self.arm else 'all data'}: it has no arm {arm!r}")
            return None
        if arm is None:
            raise ParameterError(f"{self.label} is a joint fit over arms {list(self.arms)}: say which arm's curve, e.g. arm={self.arms[-1]!r}")
        if arm not in self.arms:
            raise unknown_name("arm", arm, self.arms)
        return None if arm == self.arms[0] else f"arm_{_identifier(arm)}"

    def curve(self, prefix: str | None = None, *, arm: str | None = None, covariates: Mapping[str, float] | None = None) -> ParametricCurve:
        """The fitted curve: at the estimates (``prefix`` None) or reading ``<prefix>_<parameter>``
        from PSA draws made with :meth:`parameters`.

        Parameters
        ----------
        prefix
            The name given to :meth:`parameters`; None for the point estimates.
        arm
            For a joint fit, the arm whose curve to return.
        covariates
            Values of numeric covariates (default: their means in the data, as flexsurv's
            ``summary``).
        """
        term = self._arm_term(arm)
        values: dict[str, float | str] = {}
        for name, value in self.estimates.items():
            values[name] = float(value) if prefix is None else f"{prefix}_{name}"
        dist, _, scale = _parse_model(self.model)
        base = {k: v for k, v in values.items() if k not in self._coefficients}
        effects: list[float | str | tuple[float | str, float]] = []
        if term is not None:
            effects.append(values[term])
        at = {**self.covariate_means, **(covariates or {})}
        unknown = [c for c in at if c not in self.covariate_means]
        if unknown:
            raise unknown_name("covariate", unknown[0], list(self.covariate_means))
        effects += [(values[c], float(at[c])) for c in self.covariate_means]
        extra = {"knots": self.knots, "spline_scale": scale} if dist == "spline" else {}
        return ParametricCurve(dist, time_unit=self.time_unit, location_effect=effects or None, **extra, **base)

    @property
    def _coefficients(self) -> tuple[str, ...]:
        k = len(DISTRIBUTIONS[self.distribution]) if self.distribution != "spline" else self.knots.size
        return tuple(self.estimates.index[k:])

    def parameters(self, prefix: str, *, method: str = "normal", n_boot: int = 1000, seed: int | None = None) -> Parameters:
        """The fit's parameters as a :class:`~healthecon.Parameters` entry for PSA.

        ``method="normal"`` (default): one :class:`~healthecon.distributions.MultivariateNormal`
        named ``prefix`` over the estimates on the draw scale with their covariance (positive
        parameters log-normal), which ``Parameters.sample`` expands to variables
        ``<prefix>_<parameter>`` (attrs ``group=prefix``), drawn from one stream of their own.
        ``method="bootstrap"``: ``n_boot`` refits to bootstrap replicates of the patient data
        (resampled within arm, ``seed``), as a joint table (:meth:`Parameters.from_draws`), so
        each PSA sample takes one replicate's parameters together.

        Merge with other parameters: ``costs | fit.parameters("os")``; evaluate with
        ``fit.curve("os").survival(t, draws)``; value the curve's uncertainty with
        ``voi.evppi(outcomes, draws, fit.parameters("os").variables, wtp)``.
        """
        if method == "normal":
            log = [name for name in self.estimates.index if name in self.log_scale]
            mvn = MultivariateNormal(dict(self.draw_mean.items()), self.cov.to_numpy(), log=log)
            return Parameters({prefix: mvn})
        if method == "bootstrap":
            return Parameters.from_draws(self.bootstrap(n_boot, seed).add_prefix(f"{prefix}_"))
        raise ParameterError(f"parameters: method must be 'normal' or 'bootstrap', got {method!r}")

    def bootstrap(self, n_boot: int = 1000, seed: int | None = None) -> pd.DataFrame:
        """Estimates (flexsurv scale) refitted to ``n_boot`` bootstrap replicates of the data,
        resampled within arm (Efron & Tibshirani 1993); one row per replicate. Knots stay where
        the original fit put them."""
        if self.data is None:
            raise ParameterError(f"{self.label}: this fit does not hold its data, so it cannot be bootstrapped")
        if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
            raise ParameterError(f"bootstrap: n_boot must be an int >= 2, got {n_boot!r}")
        rng = make_rng(seed if seed is not None else 0)
        rows = []
        for _ in range(int(n_boot)):
            replicate = self.data.resample(rng)
            refit = _fit(replicate, self.model, arm=self.arm, joint=bool(self.arms), knots=self.knots, **self.options)
            rows.append(refit.estimates.to_numpy())
        return pd.DataFrame(rows, columns=self.estimates.index)


def _fit(
    data: SurvivalData,
    model: str,
    *,
    arm: str | None,
    joint: bool,
    knots: np.ndarray | None = None,
    engine: str = "auto",
    reference: str | None = None,
) -> SurvivalFit:
    dist, k, scale = _parse_model(model)
    subset = data.subset(arm) if arm is not None else data
    what = f"{model_label(model)} fit" + (f" to arm {arm!r}" if arm is not None else " to all arms jointly" if joint else "")
    if subset.events == 0:
        raise AnalysisError(f"{what}: there are no events, so no survival model can be estimated")
    t, d = subset.time, subset.event.astype(float)
    arms: tuple[str, ...] = ()
    columns: dict[str, np.ndarray] = {}
    if joint:
        if subset.arm is None:
            raise ParameterError(f"{what}: a joint fit needs an arm column")
        arms = subset.arms
        if reference is not None:
            if reference not in arms:
                raise unknown_name("reference arm", reference, arms)
            arms = (reference, *[a for a in arms if a != reference])
        for a in arms:
            if subset.event[subset.arm == a].sum() == 0:
                raise AnalysisError(f"{what}: arm {a!r} has no events, so its effect cannot be estimated")
        for a in arms[1:]:
            columns[f"arm_{_identifier(a)}"] = (subset.arm == a).astype(float)
    for name in subset.covariates.columns:
        columns[_identifier(name)] = subset.covariates[name].to_numpy(dtype=float)
    if len(set(columns)) != len(columns):
        raise ParameterError(f"{what}: arm or covariate names clash once made identifiers: {list(columns)}")
    x = np.column_stack(list(columns.values())) if columns else np.zeros((t.size, 0))
    if dist == "spline":
        knots = _knots(t, d, k) if knots is None else np.asarray(knots, dtype=float)
        if np.any(np.diff(knots) <= 0):
            raise AnalysisError(f"{what}: too few distinct event times to place {k} internal knots")
        base = tuple(f"gamma{j}" for j in range(knots.size))
        log = (False,) * knots.size
    else:
        knots = None
        base = tuple(DISTRIBUTIONS[dist])
        log = tuple(DISTRIBUTIONS[dist].values())
    spec = _Spec(dist, knots, scale, base, log, tuple(columns))
    if engine not in ("auto", "scipy", "lifelines"):
        raise ParameterError(f"engine must be 'auto', 'scipy' or 'lifelines', got {engine!r}")
    use_lifelines = engine != "scipy" and dist in _LIFELINES and not (dist == "exponential" and columns)
    if engine == "lifelines" and not use_lifelines:
        raise ParameterError(f"{what}: lifelines has no fitter for this model; use engine='auto' or 'scipy'")
    if use_lifelines:
        theta, cov, loglik = _fit_lifelines(spec, t, d, x, what)
    else:
        theta, loglik = _optimise(spec, t, d, x, _start(spec, t, d), what)
        cov = _covariance(spec, t, d, x, theta, what)
    names = spec.names
    natural = spec.natural(theta)
    return SurvivalFit(
        model=model,
        arm=arm,
        estimates=pd.Series(natural, index=list(names), name=model),
        cov=pd.DataFrame(cov, index=list(names), columns=list(names)),
        loglik=loglik,
        n=subset.n,
        events=subset.events,
        time_unit=data.time_unit,
        knots=knots,
        engine="lifelines" if use_lifelines else "scipy",
        arms=arms,
        log_scale=tuple(n for n, lg in zip(base, log) if lg),
        covariate_means={_identifier(c): float(subset.covariates[c].mean()) for c in subset.covariates.columns},
        data=data,
        spline_scale=scale,
        options={"engine": engine, "reference": reference},
    )


def fit_model(
    data: SurvivalData,
    model: str,
    *,
    arm: str | None = None,
    joint: bool = False,
    knots: Sequence[float] | None = None,
    engine: str = "auto",
    reference: str | None = None,
) -> SurvivalFit:
    """Fit one model by maximum likelihood.

    Parameters
    ----------
    data
        From :func:`~healthecon.survival.survival_data`.
    model
        A model name (see the module docstring).
    arm
        Fit this arm alone.
    joint
        Fit all arms together with a treatment effect on the location parameter (the first arm,
        or ``reference``, is the reference).
    knots
        Spline knots on the log-time scale, boundary knots included (default flexsurv's).
    engine
        ``"auto"`` (lifelines where it has the fitter, else scipy), ``"scipy"`` or ``"lifelines"``.

    Raises
    ------
    AnalysisError
        Naming model and arm, if an arm has no events or the fit does not converge.
    """
    return _fit(data, model, arm=arm, joint=joint, knots=None if knots is None else np.asarray(knots, dtype=float), engine=engine, reference=reference)


class SurvivalFits(Mapping):
    """Fitted models keyed by ``(arm, model)`` (arm None for a joint or single-group fit).

    Use :meth:`table` for model choice, ``fits["weibull"]`` (single group or joint) or
    ``fits["B", "weibull"]`` for one fit, and :meth:`for_arm` for an arm's fits in order.
    """

    def __init__(self, fits: Sequence[SurvivalFit]) -> None:
        self._fits = {(f.arm, f.model): f for f in fits}

    def __getitem__(self, key: object) -> SurvivalFit:
        full = (None, key) if isinstance(key, str) else key
        if full not in self._fits:
            raise unknown_name("fit", key, [m if a is None else (a, m) for a, m in self._fits])
        return self._fits[full]

    def __iter__(self) -> Iterator[tuple[str | None, str]]:
        return iter(self._fits)

    def __len__(self) -> int:
        return len(self._fits)

    @property
    def arms(self) -> tuple[str | None, ...]:
        return tuple(dict.fromkeys(a for a, _ in self._fits))

    def for_arm(self, arm: str | None = None) -> list[SurvivalFit]:
        """The fits of one arm (None: the joint or single-group fits), in fitting order."""
        return [f for (a, _), f in self._fits.items() if a == arm]

    def table(self) -> pd.DataFrame:
        """AIC/BIC table: one row per fit, sorted by arm then AIC, with the difference from the
        best AIC and BIC in the arm (Burnham & Anderson 2002: a difference under 2 is little
        evidence either way)."""
        rows = []
        for (arm, model), fit in self._fits.items():
            rows.append(
                {
                    "arm": arm if arm is not None else ("joint" if fit.arms else "all"),
                    "model": fit.label + (" joint" if fit.arms else ""),
                    "name": model,
                    "parameters": fit.n_parameters,
                    "loglik": fit.loglik,
                    "aic": fit.aic,
                    "bic": fit.bic,
                }
            )
        table = pd.DataFrame(rows)
        table["delta_aic"] = table["aic"] - table.groupby("arm", sort=False)["aic"].transform("min")
        table["delta_bic"] = table["bic"] - table.groupby("arm", sort=False)["bic"].transform("min")
        order = {a: i for i, a in enumerate(dict.fromkeys(table["arm"]))}
        table = table.sort_values(["arm", "aic"], key=lambda s: s.map(order) if s.name == "arm" else s, kind="stable")
        return table.reset_index(drop=True)


def fit_survival(
    data: SurvivalData,
    models: Sequence[str] = MODELS,
    *,
    arms: str = "separate",
    engine: str = "auto",
    reference: str | None = None,
) -> SurvivalFits:
    """Fit several models to each arm (``arms="separate"``) or to all arms with a treatment
    covariate (``arms="joint"``); data without an arm column are fitted as one group.

    Raises
    ------
    AnalysisError
        Naming the model and arm of a fit that fails (no events, no convergence).
    """
    if isinstance(models, str):
        models = [models]
    for model in models:
        _parse_model(model)
    if arms not in ("separate", "joint"):
        raise ParameterError(f"arms must be 'separate' or 'joint', got {arms!r}")
    fits = []
    if data.arm is None or arms == "joint":
        joint = data.arm is not None
        fits = [_fit(data, m, arm=None, joint=joint, engine=engine, reference=reference) for m in models]
    else:
        fits = [_fit(data, m, arm=a, joint=False, engine=engine) for a in data.arms for m in models]
    return SurvivalFits(fits)
