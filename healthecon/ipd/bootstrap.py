"""Non-parametric bootstrap of patient-level costs and effects, as an outcome set.

:func:`bootstrap` resamples people within arm (or whole matched sets or clusters, see
:mod:`healthecon.ipd.resample`), keeps each person's cost and effect together, and evaluates an
estimator of the arm means (:mod:`healthecon.ipd.estimators`) on every replicate by matrix
products. It returns an :class:`IPDResult` whose ``replicates`` is an ordinary outcome set
(dims ``sample`` x ``strategy``, one sample per replicate, the arms as strategies), so
:func:`healthecon.cea.icer_table`, :func:`~healthecon.cea.ceac`, :func:`~healthecon.plot.plot_ce_plane`,
value of information and reports read it as they read a PSA (Briggs, Claxton & Sculpher 2006,
ch. 4; Glick et al. 2014, ch. 7).

Intervals: percentile, and bias-corrected and accelerated (BCa: Efron & Tibshirani 1993,
ch. 14.3 and eq. 15.36 for several strata, with the acceleration from a leave-one-unit-out
jackknife; the same construction as :func:`scipy.stats.bootstrap`, against which it is tested).

Examples
--------
>>> import pandas as pd
>>> from healthecon.ipd.data import read_patients
>>> rng = np.random.default_rng(3)
>>> frame = pd.DataFrame({"arm": np.repeat(["usual care", "new"], 50),
...                       "cost": rng.gamma(2.0, [500.0] * 50 + [700.0] * 50),
...                       "years": rng.uniform(0.5, 2.0, 100)})
>>> data = read_patients(frame, id=None, costs=["cost"], follow_up="years")
>>> result = bootstrap(data, n_boot=1000, seed=1)
>>> result.replicates.sizes["sample"], result.replicates.attrs["effect"]
(1000, 'ly')
>>> from healthecon import cea
>>> cea.icer_table(result.point)[["strategy", "status"]].values.tolist()
[['usual care', 'ND'], ['new', 'ND']]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy import special

from ..errors import AnalysisError
from ..outcomes import make_outcomes
from .data import PatientData
from .estimators import ArmMeans, GammaMeans, LinearMeans
from .fieller import FiellerInterval, fieller
from .resample import ResamplingPlan

__all__ = ["METHODS", "IPDResult", "bootstrap", "estimator", "percentile_interval", "bca_interval", "resampling_plan",
           "evaluate", "evaluate_bootstrap"]

METHODS = ("mean", "ols", "sur", "glm")
"""Estimators: ``"mean"`` (weighted means by arm), ``"ols"`` (linear regression on arm and
covariates), ``"sur"`` (seemingly unrelated regression of cost and effect), ``"glm"`` (gamma GLM
with log link for costs, OLS for effects)."""

_EFFECT_UNITS = {"qaly": "QALY", "ly": "life-year"}


def estimator(data: PatientData, method: str = "mean",
              covariates: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
              effect: str | None = None) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """The estimator of arm means for ``method`` (see :data:`METHODS`)."""
    if method not in METHODS:
        raise AnalysisError(f"method: expected one of {METHODS}, got {method!r}")
    if method == "mean":
        if covariates:
            raise AnalysisError("covariates: method 'mean' does not adjust; use 'ols', 'sur' or 'glm'")
        return ArmMeans(data)
    if method == "sur":
        effect = effect or data.default_effect
        return LinearMeans(data, covariates, variables=("cost", effect), sur=True)
    return (GammaMeans if method == "glm" else LinearMeans)(data, covariates)


def resampling_plan(data: PatientData) -> ResamplingPlan:
    """The resampling plan of ``data``: people within arms, matched sets or clusters."""
    arm = data.arm_index
    if data.matched_set is not None:
        return ResamplingPlan.build(arm, data.table[data.matched_set].to_numpy(), "matched sets")
    if data.cluster is not None:
        return ResamplingPlan.build(arm, data.table[data.cluster].to_numpy(), "clusters")
    return ResamplingPlan.build(arm)


def evaluate(est: Callable[[np.ndarray], dict[str, np.ndarray]], rows: Iterable[np.ndarray],
             analysis_weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Run ``est`` over chunks of weight rows (each multiplied by the analysis weights, if any) and stack."""
    parts = [est(np.asarray(chunk, dtype=float) if analysis_weights is None else chunk * analysis_weights)
             for chunk in rows]
    return {v: np.concatenate([p[v] for p in parts]) for v in parts[0]}


def evaluate_bootstrap(est: Callable[[np.ndarray], dict[str, np.ndarray]], plan: ResamplingPlan, n_boot: int,
                       seed: int, analysis_weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Arm means of ``n_boot`` bootstrap replicates: by index for estimators that take draws
    (weighted means), otherwise from count rows; the same replicates either way."""
    draws = plan.iter_bootstrap_draws(n_boot, seed)
    from_draws = getattr(est, "from_draws", None)
    if from_draws is not None:
        parts = [from_draws(plan, chunk, analysis_weights) for chunk in draws]
        return {v: np.concatenate([p[v] for p in parts]) for v in parts[0]}
    return evaluate(est, (plan.counts(chunk) for chunk in draws), analysis_weights)


def _outcome_set(values: Mapping[str, np.ndarray], data: PatientData, effect: str | None, attrs: Mapping[str, object]) -> xr.Dataset:
    effect = (effect or data.default_effect) if data.effects else None
    kinds = {v: ("cost" if v == "cost" or v in data.costs else "effect") for v in values}
    return make_outcomes(dict(values), data.arms, effect=effect, kinds=kinds,
                         effect_unit=_EFFECT_UNITS.get(effect or "", effect or ""), attrs=dict(attrs))


def percentile_interval(replicates: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0 (``numpy.percentile``, linear interpolation).

    Examples
    --------
    >>> lo, hi = percentile_interval(np.arange(101.0), 0.9)
    >>> float(lo), float(hi)
    (5.0, 95.0)
    """
    _check_level(level)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(replicates, [tail, 100 - tail], axis=0)
    return lo, hi


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a confidence level in (0, 1), e.g. 0.95, got {level}")


def bca_interval(replicates: np.ndarray, estimate: np.ndarray, jackknife: np.ndarray, strata: np.ndarray,
                 level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    r"""Bias-corrected and accelerated bootstrap interval along axis 0.

    Bias correction :math:`z_0 = \Phi^{-1}(\#\{\theta^* < \hat\theta\}/B)` (ties counted half)
    and acceleration from the jackknife values :math:`\theta_{(i)}` of each stratum ``j``,
    :math:`U_{ji} = (n_j - 1)(\bar\theta_{j} - \theta_{(ji)})`,
    :math:`a = \frac{1}{6}\sum_j \sum_i U_{ji}^3 / n_j^3 \,/\, (\sum_j \sum_i U_{ji}^2/n_j^2)^{3/2}`
    (Efron & Tibshirani 1993, eq. 14.15 and 15.36); the limits are the percentiles
    :math:`\Phi(z_0 + (z_0 + z_\alpha)/(1 - a(z_0 + z_\alpha)))` of the replicates.

    Parameters
    ----------
    replicates
        Bootstrap values, shape ``(B, ...)``.
    estimate
        The full-sample estimate, shape ``(...)``.
    jackknife
        Leave-one-unit-out values, shape ``(n_units, ...)``.
    strata
        Stratum of each jackknife row (the unit's arm, or 0 for matched sets).
    level
        Confidence level.
    """
    _check_level(level)
    theta = np.asarray(estimate, dtype=float)
    b = replicates.shape[0]
    share = ((replicates < theta).sum(axis=0) + (replicates <= theta).sum(axis=0)) / (2 * b)
    z0 = special.ndtri(share)
    num = np.zeros_like(theta)
    den = np.zeros_like(theta)
    for s in np.unique(strata):
        values = jackknife[strata == s]
        n = values.shape[0]
        u = (n - 1) * (values.mean(axis=0) - values)
        num = num + (u**3).sum(axis=0) / n**3
        den = den + (u**2).sum(axis=0) / n**2
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(den > 0, num / (6 * den**1.5), 0.0)
    z = special.ndtri((1 - level) / 2)
    lo_p = special.ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))
    hi_p = special.ndtr(z0 + (z0 - z) / (1 - a * (z0 - z)))
    flat = replicates.reshape(b, -1)
    lo = np.array([np.percentile(flat[:, j], 100 * p) for j, p in enumerate(np.ravel(lo_p))])
    hi = np.array([np.percentile(flat[:, j], 100 * p) for j, p in enumerate(np.ravel(hi_p))])
    return lo.reshape(theta.shape), hi.reshape(theta.shape)


@dataclass(frozen=True)
class IPDResult:
    """A patient-level analysis: point estimates, bootstrap replicates and jackknife values.

    Attributes
    ----------
    point
        Outcome set with one sample: the full-sample (weighted, adjusted) arm means.
    replicates
        Outcome set with one sample per bootstrap replicate.
    jackknife
        Outcome set with one sample per left-out unit (for BCa).
    jackknife_strata
        Stratum of each jackknife sample.
    method, resampling
        The estimator and the resampling plan, in words.
    """

    point: xr.Dataset
    replicates: xr.Dataset
    jackknife: xr.Dataset
    jackknife_strata: np.ndarray
    method: str
    resampling: str

    @property
    def comparator(self) -> str:
        return str(self.point.strategy.values[0])

    def _values(self, ds: xr.Dataset, variable: str) -> np.ndarray:
        """Arm means then increments against the comparator, shape ``(samples, 2 * arms - 1)``."""
        v = ds[variable].transpose("sample", "strategy").values
        return np.concatenate([v, v[:, 1:] - v[:, :1]], axis=1)

    def summary(self, level: float = 0.95, interval: str = "bca") -> pd.DataFrame:
        """Mean by arm and increments against the comparator, with bootstrap confidence intervals.

        Parameters
        ----------
        level
            Confidence level.
        interval
            ``"bca"`` or ``"percentile"``.

        Returns
        -------
        pandas.DataFrame
            Index (variable, row) where row is an arm or ``"<arm> vs <comparator>"``; columns
            ``estimate``, ``se`` (bootstrap standard deviation), ``lower``, ``upper``.
        """
        if interval not in ("bca", "percentile"):
            raise AnalysisError(f"interval: expected 'bca' or 'percentile', got {interval!r}")
        arms = [str(s) for s in self.point.strategy.values]
        labels = arms + [f"{a} vs {arms[0]}" for a in arms[1:]]
        rows = []
        for variable in self.point.data_vars:
            est = self._values(self.point, variable)[0]
            reps = self._values(self.replicates, variable)
            if interval == "bca":
                lo, hi = bca_interval(reps, est, self._values(self.jackknife, variable), self.jackknife_strata, level)
            else:
                lo, hi = percentile_interval(reps, level)
            se = reps.std(axis=0, ddof=1)
            rows += [(variable, label, est[j], se[j], lo[j], hi[j]) for j, label in enumerate(labels)]
        table = pd.DataFrame(rows, columns=["variable", "row", "estimate", "se", "lower", "upper"])
        table = table.set_index(["variable", "row"])
        table.attrs = {"level": level, "interval": interval, "method": self.method, "resampling": self.resampling,
                       "n_boot": int(self.replicates.sizes["sample"])}
        return table

    def increments(self, cost: str | None = None, effect: str | None = None) -> pd.DataFrame:
        """Bootstrap replicates of incremental cost and effect of each arm against the comparator."""
        cost = cost or self.point.attrs["cost"]
        effect = effect or self.point.attrs["effect"]
        c = self.replicates[cost].transpose("sample", "strategy").values
        e = self.replicates[effect].transpose("sample", "strategy").values
        arms = [str(s) for s in self.point.strategy.values]
        return pd.concat({a: pd.DataFrame({"inc_cost": c[:, j] - c[:, 0], "inc_effect": e[:, j] - e[:, 0]})
                          for j, a in enumerate(arms) if j > 0}, names=["strategy", "sample"])

    def icer_interval(self, level: float = 0.95, cost: str | None = None,
                      effect: str | None = None) -> dict[str, tuple[float, float] | None]:
        """Bootstrap percentile interval of each arm's ICER against the comparator, or ``None``.

        A percentile interval of replicate ICERs is meaningful only when every replicate lies
        on one side of the vertical axis of the CE plane (all incremental effects > 0, or all
        < 0); otherwise ratios from different quadrants mix and the arm maps to ``None``: use
        Fieller's set or the CEAC instead (Briggs, Claxton & Sculpher 2006, ch. 4; Glick et al.
        2014, ch. 7).
        """
        out: dict[str, tuple[float, float] | None] = {}
        for arm, reps in self.increments(cost, effect).groupby(level="strategy", sort=False):
            e = reps["inc_effect"].to_numpy()
            if (e > 0).all() or (e < 0).all():
                lo, hi = percentile_interval(reps["inc_cost"].to_numpy() / e, level)
                out[arm] = (float(lo), float(hi))
            else:
                out[arm] = None
        return out

    def fieller(self, level: float = 0.95, cost: str | None = None, effect: str | None = None) -> dict[str, FiellerInterval]:
        """Fieller's interval for each arm's ICER against the comparator, with the variances and
        covariance of the increments estimated from the bootstrap replicates."""
        cost = cost or self.point.attrs["cost"]
        effect = effect or self.point.attrs["effect"]
        pc = self.point[cost].values[0]
        pe = self.point[effect].values[0]
        out = {}
        for arm, reps in self.increments(cost, effect).groupby(level="strategy", sort=False):
            j = [str(s) for s in self.point.strategy.values].index(arm)
            cov = np.cov(reps["inc_cost"], reps["inc_effect"])
            out[arm] = fieller(pc[j] - pc[0], pe[j] - pe[0], cov[0, 0], cov[1, 1], cov[0, 1], level)
        return out


def bootstrap(data: PatientData, n_boot: int = 5000, seed: int = 1, *, method: str = "mean",
              covariates: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
              effect: str | None = None) -> IPDResult:
    """Bootstrap the arm means of cost and effect: replicates as an outcome set.

    Parameters
    ----------
    data
        Checked patient data (:func:`~healthecon.ipd.data.read_patients`), without missing
        values in the variables analysed.
    n_boot, seed
        Number of replicates and seed (same seed, same replicates, bit for bit).
    method
        ``"mean"``, ``"ols"``, ``"sur"`` or ``"glm"`` (:data:`METHODS`). Analysis weights of
        ``data`` apply to every method (weighted means, weighted least squares, weighted GLM).
    covariates
        For the regression methods: one list for every variable, or a mapping variable ->
        list (e.g. ``{"qaly": ["baseline_utility"]}`` for the Manca et al. 2005 adjustment).
    effect
        The default effect of the outcome sets (``"qaly"`` if present, else ``"ly"``).

    Returns
    -------
    IPDResult

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.ipd.data import read_patients
    >>> frame = pd.DataFrame({"pair": [1, 1, 2, 2, 3, 3], "arm": ["UC", "new"] * 3,
    ...                       "cost": [10.0, 20.0, 30.0, 45.0, 20.0, 28.0], "years": [1.0, 1.5, 2.0, 2.0, 1.0, 1.2]})
    >>> result = bootstrap(read_patients(frame, id=None, costs=["cost"], follow_up="years", matched_set="pair"),
    ...                    n_boot=200, seed=2)
    >>> result.resampling
    'matched sets'
    >>> float(result.point["cost"].sel(strategy="new")[0] - result.point["cost"].sel(strategy="UC")[0])
    11.0
    """
    est = estimator(data, method, covariates, effect)
    plan = resampling_plan(data)
    w = data.weights
    attrs = {"method": est.description, "resampling": plan.kind, "n_boot": int(n_boot), "seed": int(seed),
             "analysis": "patient-level bootstrap"}
    point = _outcome_set(est(w[None, :]), data, effect, {**attrs, "kind": "point estimate"})
    w = None if data.weight is None else w
    reps = _outcome_set(evaluate_bootstrap(est, plan, n_boot, seed, w), data, effect,
                        {**attrs, "kind": "bootstrap replicates"})
    jack = _outcome_set(evaluate(est, plan.iter_jackknife_weights(), w), data, effect, {**attrs, "kind": "jackknife"})
    return IPDResult(point, reps, jack, plan.unit_stratum.copy(), est.description, plan.kind)
