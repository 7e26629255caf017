"""Parametric survival curves in flexsurv's parameterisations, evaluated over samples x times.

One object, :class:`ParametricCurve`, names a distribution and its parameters (numbers, or the
names of variables in a draw set from :meth:`healthecon.Parameters.sample`) and returns the
survival function, hazard and cumulative hazard as arrays of shape ``(n_samples, n_times)``,
vectorised with numpy (no loop over samples). Times are given in **years**; the curve converts
them to the unit its parameters were estimated in (``time_unit``), and hazards are returned
**per year**.

The parameterisations are those of the R package flexsurv (Jackson, *J Stat Softw* 70(8), 2016),
so estimates printed by ``flexsurvreg``/``flexsurvspline`` can be typed in unchanged:

===============  =============================  ==================================================
distribution     parameters                     flexsurv functions and formula
===============  =============================  ==================================================
``exponential``  ``rate``                       ``dexp``/``pexp``: h = rate
``weibull``      ``shape`` a, ``scale`` b       ``dweibull`` (AFT): S = exp(-(t/b)^a)
``weibullPH``    ``shape`` a, ``scale`` m       ``dweibullPH``: h = a m t^(a-1), S = exp(-m t^a)
``gompertz``     ``shape`` a, ``rate`` b        ``dgompertz``: h = b e^(a t), H = (b/a)(e^(a t)-1)
``llogis``       ``shape`` a, ``scale`` b       ``dllogis``: S = 1 / (1 + (t/b)^a)
``lnorm``        ``meanlog`` mu, ``sdlog`` s    ``dlnorm``: S = 1 - Phi((log t - mu) / s)
``gengamma``     ``mu``, ``sigma``, ``Q``       ``dgengamma`` (Prentice 1974), see below
``spline``       ``gamma0`` ... ``gamma{m+1}``  ``dsurvspline`` (Royston & Parmar 2002), below
===============  =============================  ==================================================

Generalised gamma (Prentice 1974, *Biometrika* 61:539; flexsurv ``pgengamma``): with
w = (log t - mu) / sigma and u = Q^-2 exp(Q w), F(t) = P(Q^-2, u) for Q > 0 and
1 - P(Q^-2, u) for Q < 0 (P the regularised lower incomplete gamma function); Q = 0 is the
log-normal with meanlog mu and sdlog sigma (used for abs(Q) < 1e-8, where the two differ by under
1e-8).

Royston-Parmar spline (Royston & Parmar 2002, *Stat Med* 21:2175; flexsurv ``dsurvspline``
with ``timescale="log"``): with x = log t and knots k_min < k_1 < ... < k_m < k_max on the
log-time scale (boundary knots included, as flexsurv stores them in ``fit$knots``),
s(x) = gamma0 + gamma1 x + sum_j gamma_{j+1} v_j(x), where
v_j(x) = (x - k_j)_+^3 - l_j (x - k_min)_+^3 - (1 - l_j)(x - k_max)_+^3 and
l_j = (k_max - k_j) / (k_max - k_min). ``spline_scale`` (flexsurv's ``scale``) gives the link: ``"hazard"``:
log H(t) = s(x); ``"odds"``: log((1 - S)/S) = s(x); ``"normal"``: -Phi^-1(S) = s(x).

Covariate effects act on the location parameter, as in flexsurv's default (``location_effect``,
summed log-scale effects): rate, scale, Gompertz rate are multiplied by exp(effect); meanlog,
mu and gamma0 are shifted by it. On ``exponential``, ``weibullPH``, ``gompertz`` and a
hazard-scale spline this is a proportional-hazards effect (hazard ratio exp(effect)); on
``weibull``, ``llogis``, ``lnorm`` and ``gengamma`` it is an accelerated-failure-time effect
(time ratio exp(effect)).

Examples
--------
A Weibull (AFT) fitted in months, evaluated at 0, 1 and 2 years:

>>> curve = ParametricCurve("weibull", shape=1.3, scale=20.0, time_unit="months")
>>> curve.survival([0, 1, 2]).round(4)
array([[1.    , 0.5976, 0.2815]])

The same curve reading its parameters from PSA draws:

>>> import xarray as xr
>>> draws = xr.Dataset({"os_shape": ("sample", [1.2, 1.3, 1.4]), "os_scale": ("sample", [19.0, 20.0, 21.0])})
>>> psa = ParametricCurve("weibull", shape="os_shape", scale="os_scale", time_unit="months")
>>> psa.parameter_names
('os_shape', 'os_scale')
>>> psa.survival([1, 2], draws).shape
(3, 2)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy import special

from .._validate import as_float_array, sample_number
from ..errors import ParameterError, ShapeError, unknown_name

__all__ = ["ParametricCurve", "evaluate", "spline_basis", "DISTRIBUTIONS", "LOCATION", "TIME_UNITS", "SPLINE_SCALES"]

#: Parameters of each distribution, in flexsurv's order, and whether each must be > 0.
DISTRIBUTIONS: Mapping[str, Mapping[str, bool]] = {
    "exponential": {"rate": True},
    "weibull": {"shape": True, "scale": True},
    "weibullPH": {"shape": True, "scale": True},
    "gompertz": {"shape": False, "rate": True},
    "llogis": {"shape": True, "scale": True},
    "lnorm": {"meanlog": False, "sdlog": True},
    "gengamma": {"mu": False, "sigma": True, "Q": False},
    "spline": {},
}

#: The location parameter of each distribution (where a covariate effect acts, as in flexsurv).
LOCATION = {
    "exponential": "rate",
    "weibull": "scale",
    "weibullPH": "scale",
    "gompertz": "rate",
    "llogis": "scale",
    "lnorm": "meanlog",
    "gengamma": "mu",
    "spline": "gamma0",
}

#: Length of each named time unit in years (a year of 365.25 days).
TIME_UNITS: Mapping[str, float] = {"years": 1.0, "months": 1.0 / 12.0, "weeks": 7.0 / 365.25, "days": 1.0 / 365.25}

#: Link scales of Royston-Parmar spline models, as flexsurvspline's ``scale`` argument.
SPLINE_SCALES = ("hazard", "odds", "normal")

# |Q| below which the generalised gamma is evaluated as its Q -> 0 limit, the log-normal (the
# two differ by O(Q), under 1e-8 here, where the incomplete gamma with shape Q^-2 overflows).
_Q_LOGNORMAL = 1e-8

# Time (in the fitted unit) at which gengamma and spline hazards stand in for their limit at 0.
_T_NEAR_ZERO = 1e-9


def _unit_length(time_unit: float | str) -> float:
    if isinstance(time_unit, str):
        if time_unit not in TIME_UNITS:
            raise unknown_name("time unit", time_unit, TIME_UNITS)
        return TIME_UNITS[time_unit]
    if isinstance(time_unit, bool):
        raise ParameterError(f"time_unit: expected a unit name or its length in years, got {time_unit!r}")
    length = float(as_float_array(time_unit, "time_unit"))
    if not np.isfinite(length) or length <= 0:
        raise ParameterError(f"time_unit: expected a length in years > 0 (e.g. 1/12 for months), got {time_unit!r}")
    return length


# -- formulas (flexsurv's d/p/h/H functions) ---------------------------------------------------

def _into(ufunc: np.ufunc, a: object, b: object) -> object:
    """``ufunc(a, b)``, written over ``a`` (a temporary) when it is a float array of the result's shape."""
    if isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == np.broadcast_shapes(a.shape, np.shape(b)):
        return ufunc(a, b, out=a)
    return ufunc(a, b)


def _cumhaz(d: str, t: np.ndarray, p: Mapping[str, np.ndarray], knots: np.ndarray | None, link: str | None) -> np.ndarray:
    if d == "exponential":
        return p["rate"] * t
    if d == "weibull":
        return _into(np.power, t / p["scale"], p["shape"])
    if d == "weibullPH":
        return _into(np.multiply, t ** p["shape"], p["scale"])
    if d == "gompertz":
        a, b = p["shape"], p["rate"]
        # (b/a)(e^{at} - 1) = b t * expm1(a t)/(a t); the limit a -> 0 is b t.
        at = a * t
        ratio = np.where(at == 0, 1.0, np.expm1(at) / np.where(at == 0, 1.0, at))
        return b * t * ratio
    if d == "llogis":
        return np.log1p((t / p["scale"]) ** p["shape"])
    if d == "lnorm":
        return -special.log_ndtr(-(np.log(t) - p["meanlog"]) / p["sdlog"])
    if d == "gengamma":
        return -_gengamma_logsf(t, p)
    return _spline_cumhaz(t, p, knots, link)

def _hazard(d: str, t: np.ndarray, p: Mapping[str, np.ndarray], knots: np.ndarray | None, link: str | None) -> np.ndarray:
    if d == "exponential":
        return p["rate"] * np.ones_like(t)
    if d == "weibull":
        a, b = p["shape"], p["scale"]
        return (a / b) * (t / b) ** (a - 1)
    if d == "weibullPH":
        a, m = p["shape"], p["scale"]
        return a * m * t ** (a - 1)
    if d == "gompertz":
        return p["rate"] * np.exp(p["shape"] * t)
    if d == "llogis":
        a, b = p["shape"], p["scale"]
        z = (t / b) ** a
        return (a / b) * (t / b) ** (a - 1) / (1 + z)
    if d == "lnorm":
        mu, s = p["meanlog"], p["sdlog"]
        z = (np.log(t) - mu) / s
        h = np.exp(-0.5 * z**2 - 0.5 * np.log(2 * np.pi) - np.log(s * t) - special.log_ndtr(-z))
        return np.where(t == 0, 0.0, h)
    tt = np.where(t == 0, _T_NEAR_ZERO, t)
    if d == "gengamma":
        return np.exp(_gengamma_logpdf(tt, p) - _gengamma_logsf(tt, p))
    return _spline_hazard(tt, p, knots, link)

# generalised gamma, flexsurv's pgengamma / dgengamma (Prentice 1974)

def _gengamma_logsf(t: np.ndarray, p: Mapping[str, np.ndarray]) -> np.ndarray:
    mu, sigma, q = p["mu"], p["sigma"], p["Q"]
    w = (np.log(t) - mu) / sigma
    small = np.abs(q) < _Q_LOGNORMAL
    qs = np.where(small, 1.0, q)
    a = qs**-2
    u = a * np.exp(qs * w)
    sf_gamma = np.where(qs > 0, special.gammaincc(a, u), special.gammainc(a, u))
    return np.where(small, special.log_ndtr(-w), np.log(sf_gamma))

def _gengamma_logpdf(t: np.ndarray, p: Mapping[str, np.ndarray]) -> np.ndarray:
    """flexsurv's dgengamma, log f = -log(sigma t) + log|Q| + a log a + a (u - e^u) - lgamma(a)
    with a = Q^-2, u = Q w, rearranged for small |Q| (where a is huge and the terms cancel):
    log f = -log(sigma t) - log(2 pi)/2 - a (e^u - 1 - u) - r(a), r(a) = lgamma(a) minus its
    Stirling approximation (a - 1/2) log a - a + log(2 pi)/2; the limit Q -> 0 is the log-normal."""
    mu, sigma, q = p["mu"], p["sigma"], p["Q"]
    w = (np.log(t) - mu) / sigma
    small = np.abs(q) < _Q_LOGNORMAL
    qs = np.where(small, 1.0, q)
    a = qs**-2
    u = qs * w
    # e^u - 1 - u without cancellation near u = 0 (Taylor series to u^5 for |u| < 1e-2)
    excess = np.where(np.abs(u) < 1e-2, u**2 / 2 * (1 + u / 3 + u**2 / 12 + u**3 / 60), np.expm1(u) - u)
    half_log_2pi = 0.5 * np.log(2 * np.pi)
    big = a > 100
    ab = np.where(big, a, 1.0)
    stirling_rest = np.where(big, 1 / (12 * ab) - 1 / (360 * ab**3) + 1 / (1260 * ab**5), special.gammaln(a) - ((a - 0.5) * np.log(a) - a + half_log_2pi))
    logf = -np.log(sigma * t) - half_log_2pi - a * excess - stirling_rest
    lognormal = -np.log(sigma * t) - half_log_2pi - 0.5 * w**2
    return np.where(small, lognormal, logf)


def _spline_basis(k: np.ndarray, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Basis v_j(x) and derivative v_j'(x) for each internal knot, x = log t."""
    kmin, kmax = k[0], k[-1]
    basis, deriv = [], []
    for kj in k[1:-1]:
        lam = (kmax - kj) / (kmax - kmin)
        pos = [np.maximum(x - c, 0.0) for c in (kj, kmin, kmax)]
        basis.append(pos[0] ** 3 - lam * pos[1] ** 3 - (1 - lam) * pos[2] ** 3)
        deriv.append(3 * (pos[0] ** 2 - lam * pos[1] ** 2 - (1 - lam) * pos[2] ** 2))
    return basis, deriv

def _spline_eta(t: np.ndarray, p: Mapping[str, np.ndarray], knots: np.ndarray, derivative: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Linear predictor s(log t) and (when ``derivative``) its derivative ds/dt.

    The basis depends on time alone, so it is built on the times' row and each term is added
    to the (samples x times) result in place: one multiply and one add per term.
    """
    x = np.log(t)
    finite = np.isfinite(x)
    xf = np.where(finite, x, 0.0)
    basis, deriv = _spline_basis(knots, xf)
    eta = p["gamma0"] + p["gamma1"] * x
    term = np.empty_like(eta)
    for j, v in enumerate(basis, start=2):
        eta += np.multiply(p[f"gamma{j}"], np.where(finite, v, 0.0), out=term)
    if not derivative:
        return eta, None
    deta = p["gamma1"] * np.ones_like(xf)
    for j, dv in enumerate(deriv, start=2):
        deta = deta + p[f"gamma{j}"] * dv
    return eta, deta / t

def _spline_cumhaz(t: np.ndarray, p: Mapping[str, np.ndarray], knots: np.ndarray, link: str) -> np.ndarray:
    eta, _ = _spline_eta(t, p, knots, derivative=False)
    if link == "hazard":
        return np.exp(eta, out=eta)
    if link == "odds":
        return np.logaddexp(0.0, eta, out=eta)
    return np.negative(special.log_ndtr(np.negative(eta, out=eta), out=eta), out=eta)

def _spline_hazard(t: np.ndarray, p: Mapping[str, np.ndarray], knots: np.ndarray, link: str) -> np.ndarray:
    eta, deta = _spline_eta(t, p, knots)
    if link == "hazard":
        return np.exp(eta) * deta
    if link == "odds":
        return special.expit(eta) * deta
    return np.exp(-0.5 * eta**2 - 0.5 * np.log(2 * np.pi) - special.log_ndtr(-eta)) * deta


def spline_basis(knots: ArrayLike, x: ArrayLike) -> np.ndarray:
    """Royston-Parmar basis v_j(x) at log-times ``x``, one column per internal knot.

    flexsurv's ``basis()``: v_j(x) = (x - k_j)_+^3 - l_j (x - k_min)_+^3 - (1 - l_j)(x - k_max)_+^3,
    l_j = (k_max - k_j) / (k_max - k_min); the columns for gamma2, gamma3, ...

    Examples
    --------
    >>> spline_basis([0.0, 1.0, 2.0], [0.5, 1.5, 3.0]).round(4)
    array([[-0.0625],
           [-1.5625],
           [-6.    ]])
    """
    k = np.asarray(knots, dtype=float)
    xs = np.asarray(x, dtype=float)
    basis, _ = _spline_basis(k, xs)
    return np.stack(basis, axis=-1) if basis else np.zeros((*xs.shape, 0))


def evaluate(
    distribution: str,
    t: np.ndarray,
    parameters: Mapping[str, np.ndarray],
    *,
    knots: np.ndarray | None = None,
    spline_scale: str = "hazard",
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative hazard and hazard in the fitted time unit, elementwise, without input checks.

    The formulas behind :class:`ParametricCurve` (see the module docstring), for code that has
    already checked its inputs and needs them over arrays of its own shape, such as a
    log-likelihood over patients (log f = log h - H). ``t`` and each parameter broadcast
    together; parameters are on flexsurv's natural scale.

    Examples
    --------
    >>> H, h = evaluate("weibull", np.array([1.0, 2.0]), {"shape": np.array(2.0), "scale": np.array([1.0, 2.0])})
    >>> H, h
    (array([1., 1.]), array([2., 1.]))
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        return _cumhaz(distribution, t, parameters, knots, spline_scale), _hazard(distribution, t, parameters, knots, spline_scale)


class ParametricCurve:
    """A survival curve of a named distribution, in flexsurv's parameterisation.

    Parameters
    ----------
    distribution
        One of ``"exponential"``, ``"weibull"`` (AFT, flexsurv ``"weibull"``), ``"weibullPH"``,
        ``"gompertz"``, ``"llogis"``, ``"lnorm"``, ``"gengamma"`` or ``"spline"`` (see the
        module docstring for each formula).
    time_unit
        The unit of time the parameters were estimated in: ``"years"``, ``"months"``
        (1/12 year), ``"weeks"``, ``"days"`` (1/365.25 year), or the unit's length in years.
    knots
        Spline models only: the knots on the log-time scale (in ``time_unit``), boundary knots
        included, as flexsurv's ``fit$knots``; m internal knots need ``gamma0`` ...
        ``gamma{m+1}``.
    spline_scale
        Spline models only: flexsurvspline's ``scale``, ``"hazard"`` (default), ``"odds"`` or
        ``"normal"``.
    location_effect
        Log-scale effect(s) on the location parameter, summed: numbers, names of variables in
        the draws (e.g. a treatment coefficient from a joint fit), or ``(coefficient, value)``
        pairs for a covariate's coefficient times its value (``("os_age", 62.0)``); several as a
        list. See the
        module docstring for when it is a hazard ratio and when a time ratio.
    **parameters
        The distribution's parameters: a number, or the name of a variable in the draws
        (``shape="os_shape"``).

    Attributes
    ----------
    parameter_names : tuple of str
        The names the curve reads from draws, in order (parameters, then effects).
    always_valid : bool
        True for the closed-form families without a location effect: their cumulative hazard is
        non-negative and non-decreasing for any parameters that pass the checks, so models need
        not check the survival values per draw (see
        :func:`healthecon.survival.transforms.always_valid`).

    Examples
    --------
    flexsurv's Weibull PH and AFT forms describe the same curve when
    ``m = b^-a``:

    >>> aft = ParametricCurve("weibull", shape=1.5, scale=4.0)
    >>> ph = ParametricCurve("weibullPH", shape=1.5, scale=4.0 ** -1.5)
    >>> bool(np.allclose(aft.survival([1, 2, 5]), ph.survival([1, 2, 5])))
    True
    >>> ParametricCurve("weibull", shape=1.5)
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: ParametricCurve('weibull'): missing parameter(s) 'scale'; expected shape, scale
    """

    def __init__(
        self,
        distribution: str,
        *,
        time_unit: float | str = "years",
        knots: Sequence[float] | None = None,
        spline_scale: str = "hazard",
        location_effect: float | str | tuple[float | str, float] | list[float | str | tuple[float | str, float]] | None = None,
        **parameters: float | str,
    ) -> None:
        if distribution not in DISTRIBUTIONS:
            raise unknown_name("survival distribution", distribution, DISTRIBUTIONS)
        self.distribution = distribution
        self.time_unit = time_unit
        self._unit = _unit_length(time_unit)
        what = f"ParametricCurve({distribution!r})"
        if distribution == "spline":
            expected = self._spline_setup(knots, spline_scale, what)
        else:
            if knots is not None:
                raise ParameterError(f"{what}: knots apply to spline models only")
            expected = tuple(DISTRIBUTIONS[distribution])
            self.knots = None
            self.spline_scale = None
        missing = [name for name in expected if name not in parameters]
        if missing:
            raise ParameterError(f"{what}: missing parameter(s) {', '.join(map(repr, missing))}; expected {', '.join(expected)}")
        extra = [name for name in parameters if name not in expected]
        if extra:
            raise ParameterError(f"{what}: unexpected parameter(s) {', '.join(map(repr, extra))}; expected {', '.join(expected)}")
        self.parameters: dict[str, float | str] = {name: self._check_value(parameters[name], name, what) for name in expected}
        effects = [] if location_effect is None else list(location_effect) if isinstance(location_effect, list) else [location_effect]
        self.location_effect: tuple[tuple[float | str, float], ...] = tuple(self._check_effect(e, what) for e in effects)
        names = [v for v in (*self.parameters.values(), *(e for e, _ in self.location_effect)) if isinstance(v, str)]
        self.parameter_names: tuple[str, ...] = tuple(dict.fromkeys(names))
        # The closed forms of H are non-negative and non-decreasing for parameters that pass the checks
        # in _values (so S = exp(-H) is in [0, 1] and non-increasing, see transforms.always_valid);
        # splines and the generalised gamma's incomplete gamma are not, and a location effect
        # can push a parameter to 0 or infinity, so those are checked by the models per draw.
        self.always_valid: bool = distribution not in ("spline", "gengamma") and not self.location_effect

    def _spline_setup(self, knots: Sequence[float] | None, spline_scale: str, what: str) -> tuple[str, ...]:
        if knots is None:
            raise ParameterError(f"{what}: a spline needs knots (log-time, boundary knots included, as flexsurv's fit$knots)")
        k = np.array(as_float_array(knots, f"{what}: knots"), dtype=float).ravel()
        if k.size < 2 or not np.isfinite(k).all() or np.any(np.diff(k) <= 0):
            raise ParameterError(f"{what}: knots must be at least two finite, strictly increasing log-times, got {list(knots)}")
        if spline_scale not in SPLINE_SCALES:
            raise unknown_name("spline scale", spline_scale, SPLINE_SCALES)
        self.knots = k
        self.spline_scale = spline_scale
        return tuple(f"gamma{j}" for j in range(k.size))

    @classmethod
    def _check_effect(cls, effect: object, what: str) -> tuple[float | str, float]:
        """An effect as ``(value or name, multiplier)``: ``"b_age"``, ``0.3`` or ``("b_age", 62.0)``."""
        if isinstance(effect, tuple):
            if len(effect) != 2:
                raise ParameterError(f"{what}: a location effect pair must be (coefficient, covariate value), got {effect!r}")
            return cls._check_value(effect[0], "location_effect", what), float(cls._check_value(effect[1], "location_effect value", what))
        return cls._check_value(effect, "location_effect", what), 1.0

    @staticmethod
    def _check_value(value: object, name: str, what: str) -> float | str:
        if isinstance(value, str):
            if not value:
                raise ParameterError(f"{what}: parameter {name!r} is an empty name")
            return value
        if isinstance(value, (bool, np.bool_)):
            raise ParameterError(f"{what}: parameter {name!r}: expected a number or a parameter name, got {value!r}")
        arr = as_float_array(value, f"{what}: parameter {name!r}")
        if arr.ndim != 0:
            raise ParameterError(f"{what}: parameter {name!r}: expected one number or a parameter name, got {value!r}")
        return float(arr)

    # -- parameters -------------------------------------------------------------------------

    def _values(self, draws: xr.Dataset | None) -> dict[str, np.ndarray]:
        """Each parameter as a column of shape (n, 1), location effect applied, checked."""
        what = f"ParametricCurve({self.distribution!r})"
        if draws is None and self.parameter_names:
            raise ParameterError(
                f"{what}: reads {', '.join(map(repr, self.parameter_names))} from draws; pass draws "
                "(for example params.base_case() for point values)"
            )
        n = 1 if draws is None else int(draws.sizes.get("sample", 1))

        def column(value: float | str, label: str) -> np.ndarray:
            if isinstance(value, str):
                if value not in draws:
                    raise unknown_name("parameter in draws", value, list(draws.data_vars))
                arr = np.asarray(draws[value].values, dtype=float).reshape(-1)
                if arr.shape != (n,):
                    raise ShapeError(f"{what}: draws[{value!r}] has shape {arr.shape}; expected ({n},)")
            else:
                arr = np.full(n, value)
            bad = ~np.isfinite(arr)
            if bad.any():
                i = int(np.argmax(bad))
                raise ParameterError(f"{what}: {label} is {float(arr[i])!r} in sample {sample_number(draws, i)}; expected a finite number")
            return arr[:, None]

        values = {name: column(v, f"parameter {name!r}" + (f" ({v!r})" if isinstance(v, str) else "")) for name, v in self.parameters.items()}
        positive = DISTRIBUTIONS[self.distribution]
        for name, arr in values.items():
            if positive.get(name) and np.any(arr <= 0):
                i = int(np.argmax(arr[:, 0] <= 0))
                source = self.parameters[name]
                label = f"parameter {name!r}" + (f" ({source!r})" if isinstance(source, str) else "")
                raise ParameterError(f"{what}: {label} is {arr[i, 0]:g} in sample {sample_number(draws, i)}; expected a value > 0")
        if self.location_effect:
            effect = sum(x * column(e, f"location effect {e!r}") for e, x in self.location_effect)
            loc = LOCATION[self.distribution]
            values[loc] = values[loc] * np.exp(effect) if positive.get(loc) else values[loc] + effect
        return values

    def _times(self, t: ArrayLike) -> np.ndarray:
        """Times in years -> a row (1, m) in the fitted unit, checked finite and >= 0."""
        arr = np.array(as_float_array(t, "survival times t"), dtype=float)
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.ndim != 1:
            raise ShapeError(f"survival times t: expected a 1-D array of times in years, got shape {arr.shape}")
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise ParameterError(f"survival times t: expected finite times >= 0 (years), got {float(arr[i])!r} at index {i}")
        return arr[None, :] / self._unit

    # -- evaluation ---------------------------------------------------------------------------

    def cumulative_hazard(self, t: ArrayLike, draws: xr.Dataset | None = None) -> np.ndarray:
        """Cumulative hazard H(t) = -log S(t), shape ``(n_samples, len(t))``; ``t`` in years.

        Examples
        --------
        >>> ParametricCurve("exponential", rate=0.2).cumulative_hazard([0, 5]).round(6)
        array([[0., 1.]])
        """
        x = self._times(t)
        p = self._values(draws)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
            values = _cumhaz(self.distribution, x, p, self.knots, self.spline_scale)
        shape = (next(iter(p.values())).shape[0], x.shape[1])
        return values if values.shape == shape else np.broadcast_to(values, shape).copy()  # a new array either way

    def survival(self, t: ArrayLike, draws: xr.Dataset | None = None) -> np.ndarray:
        """Survival S(t), shape ``(n_samples, len(t))``; ``t`` in years; S(0) = 1.

        Examples
        --------
        >>> ParametricCurve("llogis", shape=2.0, scale=3.0).survival([0, 3, 6]).round(4)
        array([[1. , 0.5, 0.2]])
        """
        return np.exp(-self.cumulative_hazard(t, draws))

    def hazard(self, t: ArrayLike, draws: xr.Dataset | None = None) -> np.ndarray:
        """Hazard h(t) **per year**, shape ``(n_samples, len(t))``; ``t`` in years.

        At t = 0 the hazard is its limit from the right (``inf`` for a Weibull with shape < 1);
        for the generalised gamma and spline models it is evaluated at t = 1e-9 time units.

        Examples
        --------
        >>> ParametricCurve("gompertz", shape=0.1, rate=0.05).hazard([0, 10]).round(4)
        array([[0.05  , 0.1359]])
        """
        x = self._times(t)
        p = self._values(draws)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
            h = _hazard(self.distribution, x, p, self.knots, self.spline_scale) / self._unit
        return np.broadcast_to(h, (next(iter(p.values())).shape[0], x.shape[1])).copy()

    # -- description ----------------------------------------------------------------------------

    def describe(self) -> str:
        """A one-line description, e.g. ``weibull(shape=1.3, scale=20) in months``.

        Examples
        --------
        >>> ParametricCurve("lnorm", meanlog="os_meanlog", sdlog=0.9).describe()
        "lnorm(meanlog='os_meanlog', sdlog=0.9) in years"
        """
        args = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v:g}" for k, v in self.parameters.items())
        if self.spline_scale is not None:
            args += f", spline_scale={self.spline_scale!r}, knots={np.round(self.knots, 4).tolist()}"
        if self.location_effect:
            terms = [f"{x:g}*{e!r}" if x != 1 else repr(e) for e, x in self.location_effect]
            args += f", location_effect={' + '.join(terms)}"
        unit = self.time_unit if isinstance(self.time_unit, str) else f"units of {self._unit:g} years"
        return f"{self.distribution}({args}) in {unit}"

    def __repr__(self) -> str:
        return f"<ParametricCurve {self.describe()}>"
