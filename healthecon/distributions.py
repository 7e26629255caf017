"""Probability distributions for model parameters, built the way papers report numbers.

Every distribution has the same interface (like a frozen ``scipy.stats`` distribution):
``mean``, ``sd``, ``point`` (the base-case value: the mean unless a point value was stated),
``sample(n, rng)``, vectorised ``ppf(q)`` and ``cdf(x)``, ``interval(level)`` and
``describe()``. :class:`Dirichlet` and :class:`MultivariateNormal` are the joint distributions
(:class:`JointDistribution`): their ``mean``, ``sd``
and ``point`` are arrays over its categories and ``sample`` returns shape ``(n, k)``.

Constructors follow Briggs, Claxton & Sculpher, *Decision Modelling for Health Economic
Evaluation* (2006), ch. 4: native parameters (``Beta(alpha, beta)``), the method of moments
from a mean and a standard deviation or standard error (``from_mean_sd``, ``from_mean_se``),
a mean and a confidence interval (``from_mean_ci``; ratios on the log scale with
``LogNormal.from_point_ci``), and counts (``Beta.from_events``, ``Dirichlet.from_counts``).
A request that no distribution of the family can meet raises
:class:`~healthecon.errors.DistributionFitError` naming the value at fault and what is
allowed; NaN parameters are never returned.

Examples
--------
>>> Beta.from_mean_sd(0.3, 0.1).describe()
'Beta(α=6, β=14)'
>>> Gamma.from_mean_sd(1000, 500).describe()
'Gamma(shape=4, scale=250)'
>>> rr = LogNormal.from_point_ci(0.7, 0.55, 0.9)
>>> rr.point, round(rr.mean, 4)
(0.7, 0.7055)
>>> Beta.from_mean_sd(0.3, 0.5)
Traceback (most recent call last):
...
healthecon.errors.DistributionFitError: Beta.from_mean_sd: sd=0.5 is too large for mean=0.3; a Beta needs sd < sqrt(mean * (1 - mean)) = 0.4583
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from os import PathLike

import numpy as np
import pandas as pd

from ._validate import as_float_array, float_or_array, numeric_column, require_finite
from .errors import DistributionFitError, ParameterError, unknown_name

__all__ = [
    "Distribution",
    "Beta",
    "Gamma",
    "LogNormal",
    "Normal",
    "TruncatedNormal",
    "Uniform",
    "Triangular",
    "PERT",
    "Dirichlet",
    "JointDistribution",
    "MultivariateNormal",
    "Fixed",
    "Empirical",
    "as_distribution",
    "make_rng",
    "fit",
    "STATISTICS",
]


# ---------------------------------------------------------------------------------------------
# helpers


def make_rng(seed: object) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed or an existing Generator (returned as is).

    Every sampling function in healthecon takes its ``rng`` through this, so a PSA is
    reproducible from one integer seed, and one Generator can be shared by several calls to
    draw independent streams in sequence.

    Parameters
    ----------
    seed
        A non-negative int (passed to ``numpy.random.default_rng``) or a
        ``numpy.random.Generator``.

    Returns
    -------
    numpy.random.Generator
        A new PCG64 generator seeded with ``seed``, or ``seed`` itself if it is a Generator.

    Raises
    ------
    ParameterError
        If ``seed`` is negative, a bool, a float or any other type.

    Examples
    --------
    The same seed gives the same draws of a drug cost; passing a Generator continues its
    stream:

    >>> cost = Gamma.from_mean_sd(1000, 500)
    >>> cost.sample(3, make_rng(1)).round(2)
    array([1092.25, 1084.12, 1421.97])
    >>> rng = make_rng(2026)
    >>> make_rng(rng) is rng
    True
    >>> make_rng(1.5)
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: seed: expected a non-negative int or a numpy.random.Generator, got 1.5
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed: expected a non-negative int or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


#: log of the largest float: a LogNormal whose 1-in-10^15 upper quantile (meanlog + 8 sdlog) passes it would draw inf.
_LOG_MAX_FLOAT = math.log(np.finfo(float).max)


def _value(value: object, what: str) -> float:
    """A finite scalar, or DistributionFitError naming ``what`` and the value."""
    arr = require_finite(value, what, DistributionFitError)
    if arr.ndim != 0:
        raise DistributionFitError(f"{what}: expected a single number, got {value!r}")
    return float(arr)


def _positive(value: object, what: str) -> float:
    x = _value(value, what)
    if x <= 0:
        raise DistributionFitError(f"{what}: expected a value > 0, got {x:g}")
    return x


def _spread(value: object, what: str, arg: str) -> float:
    """A standard deviation or standard error ``arg`` passed to method ``what``: a number > 0."""
    s = _value(value, f"{what}: {arg}")
    if s <= 0:
        raise DistributionFitError(f"{what}: {arg}={s:g} must be > 0 (use Fixed for a value with no uncertainty)")
    return s


def _z(level: object, what: str) -> float:
    """Standard normal quantile for a two-sided interval of ``level`` (1.96 for 0.95)."""
    level = _value(level, f"{what}: level")
    if not 0 < level < 1:
        raise DistributionFitError(f"{what}: level must be in (0, 1), e.g. 0.95, got {level:g}")
    from scipy import special

    return float(special.ndtri(0.5 + level / 2))


def _se_from_ci(mean: float, lower: object, upper: object, level: object, what: str) -> float:
    """Standard error ``(upper - lower) / (2 z)`` of a symmetric normal-theory interval.

    Briggs et al. (2006, ch. 4) recover the standard error from a reported interval this way;
    the interval must contain the mean.
    """
    lower = _value(lower, f"{what}: lower")
    upper = _value(upper, f"{what}: upper")
    if lower >= upper:
        raise DistributionFitError(f"{what}: lower={lower:g} must be below upper={upper:g}")
    if not lower < mean < upper:
        raise DistributionFitError(f"{what}: the interval [{lower:g}, {upper:g}] does not contain the mean {mean:g}")
    return (upper - lower) / (2 * _z(level, what))


def _interval_inputs(lower: object, upper: object, level: object, what: str) -> tuple[float, float, np.ndarray]:
    """Validated bounds and the two tail probabilities of a ``level`` interval."""
    lo = _value(lower, f"{what}: lower")
    hi = _value(upper, f"{what}: upper")
    if lo >= hi:
        raise DistributionFitError(f"{what}: lower={lo:g} must be below upper={hi:g}")
    _z(level, what)  # validates level
    half = (1 - float(level)) / 2
    return lo, hi, np.array([half, 1 - half])


def _beta_ppf(q: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """``scipy.stats.beta(alpha, beta).ppf(q)``, through the ufunc it calls (Boost's inverse
    incomplete beta, a private ufunc of scipy.special in recent scipy), so that a Beta's quantiles do not import
    scipy.stats; where scipy has no such ufunc, through scipy.stats."""
    from scipy.special import _ufuncs

    boost = getattr(_ufuncs, "_beta_ppf", None)
    if boost is None:  # pragma: no cover - scipy < 1.12
        import warnings

        from scipy import stats

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            values = stats.beta(alpha, beta).ppf(q)
        for warning in caught:
            if "Error in function boost::math" in str(warning.message):
                # Boost's series gave up (alpha + beta huge) and its value is not to be trusted:
                # NaN hands these quantiles to Beta._ppf's normal approximation, as newer scipy does
                return np.full(np.shape(values), np.nan)
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        return values
    inside = (q > 0) & (q < 1)  # scipy.stats gives the bounds of the support at 0 and 1
    return np.where(inside, boost(np.where(inside, q, 0.5), alpha, beta), np.where(q >= 1, 1.0, 0.0))


def _square(x: float) -> float:
    """``x**2``, or inf where it overflows (Python raises OverflowError for a float power)."""
    try:
        return x**2
    except OverflowError:
        return math.inf


def _moment_fit(cls: type, params: tuple[float, float], mean: float, spread: float, point: object, what: str, arg: str):
    """``cls(*params)`` fitted by the method of moments to ``mean`` and ``spread``, checked to be usable.

    At the edges of floating point (e.g. ``Beta.from_mean_sd(4.5e-159, 4.5e-159)`` or
    ``LogNormal.from_mean_sd(1e-320, 2.7e-204)``) the parameters, or the mean and standard
    deviation they imply, overflow or underflow: the fit is refused, naming the method, the
    inputs and the likely cause, unless the distribution has finite parameters and gives back
    the mean to a relative 1e-6 and the SD to within 1e-6 of the mean.
    """
    inputs = f"{what}: mean={mean:g}, {arg}={spread:g}"
    cause = "the numbers are at the edge of floating point (is a value in the wrong units or scale?)"
    if spread < abs(mean):
        cause += f"; for a value with no uncertainty use Fixed({mean:g})"
    names = {"Beta": ("alpha", "beta"), "Gamma": ("shape", "scale"), "LogNormal": ("meanlog", "sdlog")}[cls.__name__]
    shown = ", ".join(f"{n}={v:g}" for n, v in zip(names, params))
    if not all(math.isfinite(v) for v in params):
        raise DistributionFitError(f"{inputs} give {shown}, which are not finite; {cause}")
    try:
        dist = cls(*params, point=point)
    except DistributionFitError as err:
        if point is not None and "point" in str(err):
            raise
        raise DistributionFitError(f"{inputs} give {shown}, outside what a {cls.__name__} can hold ({err}); {cause}") from None
    got_mean, got_sd = dist.mean, dist.sd
    if not (math.isfinite(got_mean) and math.isfinite(got_sd)) or abs(got_mean - mean) > 1e-6 * abs(mean) \
            or abs(got_sd - spread) > 1e-6 * abs(mean):
        raise DistributionFitError(
            f"{inputs} give {shown}, whose mean and sd cannot be computed back in floating point "
            f"(mean={got_mean:g}, sd={got_sd:g}); {cause}"
        )
    return dist


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _n(n: object) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ParameterError(f"n: expected a non-negative int number of samples, got {n!r}")
    return int(n)


def _q(q: object) -> np.ndarray:
    q = require_finite(q, "ppf: q")
    if np.any((q < 0) | (q > 1)):
        bad = q[(q < 0) | (q > 1)] if q.ndim else q
        raise ParameterError(f"ppf: q must be a probability in [0, 1], got {np.ravel(bad)[0]:g}")
    return q


# ---------------------------------------------------------------------------------------------
# base classes


class Distribution(ABC):
    """Interface shared by every distribution.

    Subclasses define ``mean``, ``sd``, ``support``, ``_sample``, ``_ppf``, ``_cdf`` and
    ``_describe``. ``point`` is the base-case value: the mean unless a point was given.
    Distributions are immutable once built; :class:`Dirichlet` (multivariate) is not a
    subclass.

    Examples
    --------
    Code written against the interface works for any family, e.g. a parameter table for a
    report with the base case and 95% interval of each input:

    >>> inputs = {
    ...     "p_response": Beta.from_mean_sd(0.3, 0.1),
    ...     "cost_drug": Gamma.from_mean_sd(1000, 500),
    ...     "u_response": Fixed(0.8),
    ... }
    >>> all(isinstance(d, Distribution) for d in inputs.values())
    True
    >>> for name, d in inputs.items():
    ...     low, high = d.interval(0.95)
    ...     print(f"{name:<11} {d.describe():<26} {d.point:7.1f}  ({low:.1f} to {high:.1f})")
    p_response  Beta(α=6, β=14)                0.3  (0.1 to 0.5)
    cost_drug   Gamma(shape=4, scale=250)   1000.0  (272.5 to 2191.8)
    u_response  Fixed(0.8)                     0.8  (0.8 to 0.8)
    """

    _point: float | None = None

    @property
    @abstractmethod
    def mean(self) -> float:
        """Expected value."""

    @property
    @abstractmethod
    def sd(self) -> float:
        """Standard deviation."""

    @property
    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Closed bounds of the values the distribution can take."""

    @property
    def point(self) -> float:
        """Base-case value: the stated point estimate, else the mean."""
        return self.mean if self._point is None else self._point

    def _finish(self, point: object | None) -> None:
        """Record a stated point value (checked against the support), then freeze the object."""
        if point is not None:
            value = _value(point, f"{type(self).__name__}: point")
            lo, hi = self.support
            if not lo <= value <= hi:
                raise DistributionFitError(
                    f"{type(self).__name__}: point={value:g} lies outside the distribution's support [{lo:g}, {hi:g}]"
                )
            self._point = value
        self._locked = True

    def __setattr__(self, name: str, value: object) -> None:
        if self.__dict__.get("_locked"):
            raise AttributeError(f"{type(self).__name__} is immutable; build a new distribution instead")
        object.__setattr__(self, name, value)

    def sample(self, n: int, rng: object) -> np.ndarray:
        """``n`` independent draws as a float array of shape ``(n,)``.

        ``rng`` is an int seed or a ``numpy.random.Generator``.
        """
        draws = np.asarray(self._sample(_n(n), make_rng(rng)), dtype=float)
        bad = ~np.isfinite(draws)
        if bad.any():
            raise DistributionFitError(
                f"{self.describe()}: {int(bad.sum())} of {draws.size} draws are not finite (first {draws[bad][0]!r}); "
                f"the distribution reaches beyond floating point"
            )
        return draws

    def ppf(self, q: object) -> float | np.ndarray:
        """Quantile function (inverse CDF), vectorised over ``q`` in [0, 1].

        A quantile strictly inside (0, 1) that is not finite (it lies beyond the largest float,
        e.g. the 97.5% point of ``Gamma(1, scale=4.9e307)``) raises DistributionFitError.
        """
        q = _q(q)
        try:
            with np.errstate(over="ignore"):
                values = np.asarray(self._ppf(q), dtype=float)
        except OverflowError as err:  # e.g. Boost's inverse incomplete beta for an alpha of 1e-314
            raise DistributionFitError(
                f"{self.describe()}: its quantiles cannot be computed in floating point ({err}); "
                f"is a value in the wrong units or scale?"
            ) from None
        bad = (q > 0) & (q < 1) & ~np.isfinite(values)
        if bad.any():
            raise DistributionFitError(
                f"{self.describe()}: {int(np.count_nonzero(bad))} of {bad.size} quantiles are beyond floating point "
                f"(first at q={np.ravel(q[bad])[0]:g}: {float(np.ravel(values[bad])[0])!r}); is a value in the wrong units or scale?"
            )
        return float_or_array(values)

    def cdf(self, x: object) -> float | np.ndarray:
        """Cumulative distribution function, vectorised over ``x`` (which may be +-inf, not NaN)."""
        x = as_float_array(x, "cdf: x")
        if np.isnan(x).any():
            raise ParameterError("cdf: x: expected numbers, got nan")
        return float_or_array(self._cdf(x))

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Equal-tailed interval holding ``level`` of the probability, e.g. the 95% interval."""
        half = (1 - _value(level, "interval: level")) / 2
        if not 0 < half < 0.5:
            raise ParameterError(f"interval: level must be in (0, 1), got {level!r}")
        low, high = self.ppf(np.array([half, 1 - half]))
        return float(low), float(high)

    def describe(self) -> str:
        """Short description, e.g. ``"Beta(α=12, β=88)"``."""
        text = self._describe()
        if self._point is not None:
            text = f"{text[:-1]}, point={_fmt(self._point)})"
        return text

    def native(self) -> tuple[str, dict[str, float]]:
        """``(family, statistics)`` in the native parameterisation, such that
        ``fit(family, **statistics)`` rebuilds this distribution exactly (including a stated
        point), e.g. to write a parameter sheet.

        Examples
        --------
        >>> Beta.from_mean_sd(0.5, 0.1).native()
        ('beta', {'alpha': 12.0, 'beta': 12.0})
        """
        family, statistics = self._native()
        if self._point is not None:
            statistics["point"] = self._point
        return family, statistics

    def _native(self) -> tuple[str, dict[str, float]]:
        raise ParameterError(f"{self.describe()} has no native parameters to write; save its draws instead")

    def __repr__(self) -> str:
        return self.describe()

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def _key(self) -> tuple:
        """Exact parameters (not the rounded description) for equality and hashing."""
        return tuple((k, v) for k, v in sorted(vars(self).items()) if k not in ("_scipy", "_locked"))

    @abstractmethod
    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray: ...

    @abstractmethod
    def _ppf(self, q: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _cdf(self, x: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _describe(self) -> str: ...


class _Frozen(Distribution):
    """A distribution whose quantiles and CDF come from a frozen ``scipy.stats`` object.

    The frozen object is built by ``_freeze`` on first use, so that building a distribution,
    its base case and its draws do not import scipy.stats (which takes longer to import than
    numpy, pandas and xarray together); families with closed-form moments override ``mean``,
    ``sd`` and ``support`` with scipy's own formulas, so the values are the same bit for bit.
    """

    @property
    def _frozen(self):
        frozen = self.__dict__.get("_scipy")
        if frozen is None:
            frozen = self._freeze()
            object.__setattr__(self, "_scipy", frozen)  # a cache: the distribution's parameters stay immutable
        return frozen

    @abstractmethod
    def _freeze(self): ...

    @property
    def mean(self) -> float:
        return float(self._frozen.mean())

    @property
    def sd(self) -> float:
        return float(self._frozen.std())

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self._frozen.support()
        return float(lo), float(hi)

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return self._frozen.ppf(q)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return self._frozen.cdf(x)


# ---------------------------------------------------------------------------------------------
# univariate distributions


class Beta(_Frozen):
    """Beta distribution for probabilities and utilities bounded by 0 and 1.

    Method of moments (Briggs et al. 2006, ch. 4): for mean ``m`` and standard deviation
    ``s`` with ``s**2 < m * (1 - m)``::

        alpha + beta = m * (1 - m) / s**2 - 1,   alpha = m * (alpha + beta),   beta = alpha * (1 - m) / m

    From ``r`` events among ``n`` (Briggs et al. 2006, ch. 4): ``Beta(r, n - r)``.

    Parameters
    ----------
    alpha, beta
        Shape parameters, both > 0.
    point
        Optional base-case value, if it is not the mean.

    Examples
    --------
    >>> b = Beta.from_events(12, 100)
    >>> b.describe(), b.mean
    ('Beta(α=12, β=88)', 0.12)
    >>> Beta.from_mean_sd(0.3, 0.1).alpha
    6.0
    """

    def __init__(self, alpha: float, beta: float, *, point: float | None = None) -> None:
        self.alpha = _positive(alpha, "Beta: alpha")
        self.beta = _positive(beta, "Beta: beta")
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        return stats.beta(self.alpha, self.beta)

    # scipy.stats.beta's moments (loc 0, scale 1), without importing it
    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def sd(self) -> float:
        total = self.alpha + self.beta
        var = self.alpha * self.beta / (total * total * (total + 1))
        if var == 0 or math.isinf(var):  # total**3 overflows: the same variance, as a product of ratios
            return math.sqrt(self.alpha / total) * math.sqrt(self.beta / total) / math.sqrt(total + 1)
        return math.sqrt(var)

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, 1.0

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float, *, point: float | None = None) -> Beta:
        """Method of moments from a mean in (0, 1) and a standard deviation (see class docstring)."""
        return cls._from_moments(mean, sd, point, "Beta.from_mean_sd", "sd")

    @classmethod
    def from_mean_se(cls, mean: float, se: float, *, point: float | None = None) -> Beta:
        """Method of moments from a mean and its standard error (the SE is the SD of the parameter).

        Examples
        --------
        >>> Beta.from_mean_se(0.3, 0.5)
        Traceback (most recent call last):
        ...
        healthecon.errors.DistributionFitError: Beta.from_mean_se: se=0.5 is too large for mean=0.3; a Beta needs se < sqrt(mean * (1 - mean)) = 0.4583
        """
        return cls._from_moments(mean, se, point, "Beta.from_mean_se", "se")

    @classmethod
    def _from_moments(cls, mean: object, spread: object, point: float | None, what: str, arg: str) -> Beta:
        """Method of moments; errors quote ``what`` (the public method called) and ``arg`` (its argument name)."""
        m = _value(mean, f"{what}: mean")
        s = _spread(spread, what, arg)
        if not 0 < m < 1:
            raise DistributionFitError(f"{what}: mean={m:g} is outside (0, 1); a Beta mean must lie strictly between 0 and 1")
        limit = math.sqrt(m * (1 - m))
        if s >= limit:
            raise DistributionFitError(
                f"{what}: {arg}={s:g} is too large for mean={m:g}; a Beta needs {arg} < sqrt(mean * (1 - mean)) = {limit:.4g}"
            )
        # s / s when s**2 underflows to 0 (an sd of 1e-200), so that the check below names the problem
        total = (m * (1 - m) / s**2 if s**2 > 0 else m * (1 - m) / s / s) - 1
        if not math.isfinite(total) or not math.isfinite(m * total):
            raise DistributionFitError(
                f"{what}: {arg}={s:g} is too small for mean={m:g}: alpha + beta would be {total:g}, beyond floating "
                f"point; for a value with no uncertainty use Fixed({m:g})"
            )
        return _moment_fit(cls, (m * total, (1 - m) * total), m, s, point, what, arg)

    @classmethod
    def from_mean_ci(cls, mean: float, lower: float, upper: float, *, level: float = 0.95, point: float | None = None) -> Beta:
        """Method of moments from a mean and a confidence interval.

        The standard error is recovered as ``(upper - lower) / (2 z)`` (``z = 1.96`` for 95%),
        Briggs et al. (2006, ch. 4), then :meth:`from_mean_sd` is applied. The fitted Beta's
        interval will not equal the reported one exactly when the reported one is asymmetric.
        """
        m = _value(mean, "Beta.from_mean_ci: mean")
        return cls._from_moments(m, _se_from_ci(m, lower, upper, level, "Beta.from_mean_ci"), point, "Beta.from_mean_ci", "se (from the interval)")

    @classmethod
    def from_ci(cls, lower: float, upper: float, *, level: float = 0.95, point: float | None = None) -> Beta:
        """The Beta whose equal-tailed ``level`` interval is exactly ``[lower, upper]``.

        For an interval reported without a mean (or to reproduce a skewed interval exactly),
        ``alpha`` and ``beta`` are solved numerically so that the quantiles at
        ``(1 -+ level) / 2`` equal the bounds (quantile matching; O'Hagan et al., *Uncertain
        Judgements: Eliciting Experts' Probabilities*, 2006; Briggs et al. 2006, ch. 4).

        Examples
        --------
        >>> b = Beta.from_ci(0.1, 0.5)
        >>> [round(x, 6) for x in b.interval()]
        [0.1, 0.5]
        """
        what = "Beta.from_ci"
        lo, hi, q = _interval_inputs(lower, upper, level, what)
        if not 0 < lo < hi < 1:
            raise DistributionFitError(f"{what}: lower={lo:g} and upper={hi:g} must satisfy 0 < lower < upper < 1")
        from scipy import optimize, special

        target = special.logit([lo, hi])
        start = cls.from_mean_sd((lo + hi) / 2, min((hi - lo) / (2 * _z(level, what)), 0.9 * math.sqrt((lo + hi) / 2 * (1 - (lo + hi) / 2))))

        def residuals(log_ab: np.ndarray) -> np.ndarray:
            a, b = np.exp(log_ab)
            return special.logit(special.betaincinv(a, b, q)) - target

        solution = optimize.least_squares(residuals, np.log([start.alpha, start.beta]), xtol=1e-14, ftol=1e-14, gtol=1e-14)
        if np.max(np.abs(residuals(solution.x))) > 1e-7:
            raise DistributionFitError(f"{what}: no Beta has the {level:g} interval [{lo:g}, {hi:g}]")
        alpha, beta = np.exp(solution.x)
        return cls(alpha, beta, point=point)

    @classmethod
    def from_events(cls, events: float, total: float, *, point: float | None = None) -> Beta:
        """``Beta(events, total - events)`` from ``events`` observed among ``total`` (Briggs et al. 2006, ch. 4)."""
        r = _value(events, "Beta.from_events: events")
        n = _value(total, "Beta.from_events: total")
        if not 0 < r < n:
            raise DistributionFitError(
                f"Beta.from_events: events={r:g} out of total={n:g}; expected 0 < events < total "
                "(with 0 events or all events, add a prior, e.g. Beta(events + 1, total - events + 1))"
            )
        return cls(r, n - r, point=point)

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        """scipy's quantile; where it fails (NaN when alpha + beta is huge, e.g. an sd of 1e-10),
        the normal approximation with the Beta's mean and sd, which is accurate to O(1 / sqrt(alpha + beta))."""
        values = np.asarray(_beta_ppf(q, self.alpha, self.beta), dtype=float)
        failed = np.isnan(values) & ~np.isnan(q)
        if failed.any():
            from scipy import special

            approx = np.clip(self.mean + self.sd * special.ndtri(q), 0.0, 1.0)
            values = np.where(failed, approx, values)
        return values

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.beta(self.alpha, self.beta, size=n)

    def _describe(self) -> str:
        return f"Beta(α={_fmt(self.alpha)}, β={_fmt(self.beta)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "beta", {"alpha": self.alpha, "beta": self.beta}


class Gamma(_Frozen):
    """Gamma distribution for costs, resource use and rates (non-negative, right-skewed).

    Method of moments (Briggs et al. 2006, ch. 4): for mean ``m > 0`` and standard deviation
    ``s > 0``::

        shape = m**2 / s**2,    scale = s**2 / m

    Parameters
    ----------
    shape, scale
        Both > 0; mean ``shape * scale``, variance ``shape * scale**2``.
    rate
        Instead of ``scale``, its inverse (R's ``rgamma(shape, rate)`` parameterisation).
    point
        Optional base-case value, if it is not the mean.

    Examples
    --------
    >>> g = Gamma.from_mean_sd(1000, 500)
    >>> g.shape, g.scale, g.mean
    (4.0, 250.0, 1000.0)
    """

    def __init__(self, shape: float, scale: float | None = None, *, rate: float | None = None, point: float | None = None) -> None:
        self.shape = _positive(shape, "Gamma: shape")
        if (scale is None) == (rate is None):
            raise DistributionFitError(f"Gamma: give exactly one of scale or rate (rate = 1 / scale), got scale={scale!r}, rate={rate!r}")
        self.scale = _positive(scale, "Gamma: scale") if rate is None else 1.0 / _positive(rate, "Gamma: rate")
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        return stats.gamma(self.shape, scale=self.scale)

    # scipy.stats.gamma's moments, quantiles and CDF, by the same formulas without importing it
    def _ppf(self, q: np.ndarray) -> np.ndarray:
        from scipy import special

        return special.gammaincinv(self.shape, q) * self.scale

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special

        z = x / self.scale
        return np.where(z > 0, special.gammainc(self.shape, np.where(z > 0, z, 1.0)), 0.0)

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    @property
    def sd(self) -> float:
        var = self.shape * self.scale * self.scale
        if var == 0 or math.isinf(var):  # scale**2 under- or overflows: the same sd, without squaring the scale
            return math.sqrt(self.shape) * self.scale
        return math.sqrt(var)

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float, *, point: float | None = None) -> Gamma:
        """Method of moments from a mean > 0 and a standard deviation > 0 (see class docstring)."""
        return cls._from_moments(mean, sd, point, "Gamma.from_mean_sd", "sd")

    @classmethod
    def from_mean_se(cls, mean: float, se: float, *, point: float | None = None) -> Gamma:
        """Method of moments from a mean and its standard error."""
        return cls._from_moments(mean, se, point, "Gamma.from_mean_se", "se")

    @classmethod
    def _from_moments(cls, mean: object, spread: object, point: float | None, what: str, arg: str) -> Gamma:
        """Method of moments; errors quote ``what`` (the public method called) and ``arg`` (its argument name)."""
        m = _value(mean, f"{what}: mean")
        s = _spread(spread, what, arg)
        if m <= 0:
            raise DistributionFitError(f"{what}: mean={m:g} must be > 0 for a Gamma")
        if 0 < _square(m) < math.inf and 0 < _square(s) < math.inf:
            shape, scale = m**2 / s**2, s**2 / m
        else:  # the squares under- or overflow (e.g. mean and sd of 1e-300, or 1e200): the same moments, as ratios
            shape, scale = _square(m / s), s * (s / m)
        return _moment_fit(cls, (shape, scale), m, s, point, what, arg)

    @classmethod
    def from_mean_ci(cls, mean: float, lower: float, upper: float, *, level: float = 0.95, point: float | None = None) -> Gamma:
        """Method of moments with the SE recovered from a CI as ``(upper - lower) / (2 z)`` (Briggs et al. 2006, ch. 4)."""
        m = _value(mean, "Gamma.from_mean_ci: mean")
        return cls._from_moments(m, _se_from_ci(m, lower, upper, level, "Gamma.from_mean_ci"), point, "Gamma.from_mean_ci", "se (from the interval)")

    @classmethod
    def from_ci(cls, lower: float, upper: float, *, level: float = 0.95, point: float | None = None) -> Gamma:
        """The Gamma whose equal-tailed ``level`` interval is exactly ``[lower, upper]``.

        The ratio ``upper / lower`` fixes the shape (it falls steadily as the shape grows), found
        by root-finding; the scale then matches ``lower`` (quantile matching; O'Hagan et al.,
        *Uncertain Judgements*, 2006).

        Examples
        --------
        >>> g = Gamma.from_ci(600, 1500)
        >>> [round(x, 6) for x in g.interval()]
        [600.0, 1500.0]
        """
        what = "Gamma.from_ci"
        lo, hi, q = _interval_inputs(lower, upper, level, what)
        if lo <= 0:
            raise DistributionFitError(f"{what}: lower={lo:g} must be > 0 for a Gamma interval")

        from scipy import optimize, special

        def log_ratio_gap(log_shape: float) -> float:
            k = math.exp(log_shape)
            return math.log(special.gammaincinv(k, q[1]) / special.gammaincinv(k, q[0])) - math.log(hi / lo)

        bracket = (-3.0, 25.0)  # shapes from 0.05 (upper / lower ~ 1e30 at 95%) to 7e10 (~1.00002)
        if not log_ratio_gap(bracket[0]) > 0 > log_ratio_gap(bracket[1]):
            raise DistributionFitError(
                f"{what}: the interval [{lo:g}, {hi:g}] has upper / lower = {hi / lo:.6g}, beyond what a Gamma's "
                f"{float(level):g} interval can have (about 1.00002 to 1e30)"
            )
        shape = math.exp(optimize.brentq(log_ratio_gap, *bracket, xtol=1e-14, rtol=1e-14))
        return cls(shape, lo / special.gammaincinv(shape, q[0]), point=point)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.gamma(self.shape, self.scale, size=n)

    def _describe(self) -> str:
        return f"Gamma(shape={_fmt(self.shape)}, scale={_fmt(self.scale)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "gamma", {"shape": self.shape, "scale": self.scale}


class LogNormal(_Frozen):
    """Log-normal distribution: ``log(X) ~ Normal(meanlog, sdlog)``.

    Used for relative risks, odds ratios and hazard ratios, which are analysed on the log
    scale (Briggs et al. 2006, ch. 4), and for skewed costs.

    - From a point estimate and CI of a ratio: ``meanlog = ln(point)``,
      ``sdlog = (ln(upper) - ln(lower)) / (2 z)``; the point (the median) is the base case.
    - From a mean ``m`` and SD ``s`` on the natural scale (method of moments):
      ``sdlog**2 = ln(1 + s**2 / m**2)``, ``meanlog = ln(m) - sdlog**2 / 2``.

    Examples
    --------
    >>> rr = LogNormal.from_point_ci(0.7, 0.55, 0.9)
    >>> rr.describe()
    'LogNormal(meanlog=-0.3567, sdlog=0.1256, point=0.7)'
    >>> [round(x, 3) for x in rr.interval()]
    [0.547, 0.895]
    """

    def __init__(self, meanlog: float, sdlog: float, *, point: float | None = None) -> None:
        self.meanlog = _value(meanlog, "LogNormal: meanlog")
        self.sdlog = _positive(sdlog, "LogNormal: sdlog")
        if self.meanlog + 8 * self.sdlog >= _LOG_MAX_FLOAT:
            raise DistributionFitError(
                f"LogNormal: meanlog={self.meanlog:g}, sdlog={self.sdlog:g} give values beyond the largest float "
                f"(exp(meanlog + 8 sdlog) overflows). meanlog is the mean of log(X): if {self.meanlog:g} is the mean "
                f"on the natural scale, use LogNormal.from_mean_sd(mean, sd)"
            )
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        return stats.lognorm(self.sdlog, scale=math.exp(self.meanlog))

    # scipy.stats.lognorm's moments, quantiles and CDF (shape sdlog, scale exp(meanlog)), by the
    # same formulas without importing it
    def _ppf(self, q: np.ndarray) -> np.ndarray:
        from scipy import special

        return np.exp(self.sdlog * special.ndtri(q)) * math.exp(self.meanlog)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special

        z = x / math.exp(self.meanlog)
        return np.where(z > 0, special.ndtr(np.log(np.where(z > 0, z, 1.0)) / self.sdlog), 0.0)

    @property
    def mean(self) -> float:
        return float(np.sqrt(np.exp(self.sdlog * self.sdlog))) * math.exp(self.meanlog)

    @property
    def sd(self) -> float:
        p, scale = float(np.exp(self.sdlog * self.sdlog)), math.exp(self.meanlog)
        var = p * (p - 1) * scale * scale
        if var == 0 or math.isinf(var):  # p - 1 cancels (a tiny sdlog) or scale**2 under/overflows
            return math.sqrt(p * math.expm1(self.sdlog * self.sdlog)) * scale
        return math.sqrt(var)

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float, *, point: float | None = None) -> LogNormal:
        """Method of moments from a mean > 0 and SD > 0 on the natural scale (see class docstring)."""
        return cls._from_moments(mean, sd, point, "LogNormal.from_mean_sd", "sd")

    @classmethod
    def from_mean_se(cls, mean: float, se: float, *, point: float | None = None) -> LogNormal:
        """Method of moments from a mean and its standard error on the natural scale."""
        return cls._from_moments(mean, se, point, "LogNormal.from_mean_se", "se")

    @classmethod
    def _from_moments(cls, mean: object, spread: object, point: float | None, what: str, arg: str) -> LogNormal:
        """Method of moments; errors quote ``what`` (the public method called) and ``arg`` (its argument name)."""
        m = _value(mean, f"{what}: mean")
        s = _spread(spread, what, arg)
        if m <= 0:
            raise DistributionFitError(f"{what}: mean={m:g} must be > 0 for a LogNormal")
        var_log = math.log1p(_square(s / m))
        return _moment_fit(cls, (math.log(m) - var_log / 2, math.sqrt(var_log)), m, s, point, what, arg)

    @classmethod
    def from_point_ci(cls, point: float, lower: float, upper: float, *, level: float = 0.95) -> LogNormal:
        """From a ratio's point estimate and confidence interval, on the log scale.

        ``meanlog = ln(point)``, ``sdlog = (ln(upper) - ln(lower)) / (2 z)`` with ``z = 1.96``
        for a 95% interval (Briggs et al. 2006, ch. 4). ``point`` is the base case.
        """
        what = "LogNormal.from_point_ci"
        p = _value(point, f"{what}: point")
        lo = _value(lower, f"{what}: lower")
        hi = _value(upper, f"{what}: upper")
        if lo <= 0:
            raise DistributionFitError(f"{what}: lower={lo:g} must be > 0 (a ratio's interval is on the log scale)")
        if lo >= hi:
            raise DistributionFitError(f"{what}: lower={lo:g} must be below upper={hi:g}")
        if not lo < p < hi:
            raise DistributionFitError(f"{what}: the interval [{lo:g}, {hi:g}] does not contain the point {p:g}")
        sdlog = (math.log(hi) - math.log(lo)) / (2 * _z(level, what))
        return cls(math.log(p), sdlog, point=p)

    @classmethod
    def from_mean_ci(cls, mean: float, lower: float, upper: float, *, level: float = 0.95, point: float | None = None) -> LogNormal:
        """From a natural-scale mean and a CI: ``sdlog`` from the CI width on the log scale,
        ``meanlog = ln(mean) - sdlog**2 / 2`` so that the distribution's mean is ``mean``
        (Briggs et al. 2006, ch. 4)."""
        what = "LogNormal.from_mean_ci"
        m = _value(mean, f"{what}: mean")
        lo = _value(lower, f"{what}: lower")
        if lo <= 0:
            raise DistributionFitError(f"{what}: lower={lo:g} must be > 0 (the interval is used on the log scale)")
        _se_from_ci(m, lo, upper, level, what)  # validates the interval around the mean
        sdlog = (math.log(float(upper)) - math.log(lo)) / (2 * _z(level, what))
        return cls(math.log(m) - sdlog**2 / 2, sdlog, point=point)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.lognormal(self.meanlog, self.sdlog, size=n)

    def _describe(self) -> str:
        return f"LogNormal(meanlog={_fmt(self.meanlog)}, sdlog={_fmt(self.sdlog)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "lognormal", {"meanlog": self.meanlog, "sdlog": self.sdlog}


class Normal(_Frozen):
    """Normal distribution, e.g. for log relative effects or large-sample mean costs.

    From a mean and CI the SD is ``(upper - lower) / (2 z)`` (Briggs et al. 2006, ch. 4).

    Examples
    --------
    >>> Normal.from_mean_ci(10, 6.08, 13.92).describe()
    'Normal(mean=10, sd=2)'
    """

    def __init__(self, mean: float, sd: float, *, point: float | None = None) -> None:
        self._mu = _value(mean, "Normal: mean")
        self._sigma = _positive(sd, "Normal: sd")
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        return stats.norm(self._mu, self._sigma)

    # scipy.stats.norm's moments, quantiles and CDF, by the same formulas without importing it
    def _ppf(self, q: np.ndarray) -> np.ndarray:
        from scipy import special

        return special.ndtri(q) * self._sigma + self._mu

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special

        return special.ndtr((x - self._mu) / self._sigma)

    @property
    def mean(self) -> float:
        return 0.0 * self._sigma + self._mu

    @property
    def sd(self) -> float:
        return math.sqrt(1.0 * self._sigma * self._sigma)

    @property
    def support(self) -> tuple[float, float]:
        return -math.inf, math.inf

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float, *, point: float | None = None) -> Normal:
        """``Normal(mean, sd)``; an SD <= 0 raises."""
        return cls(_value(mean, "Normal.from_mean_sd: mean"), _spread(sd, "Normal.from_mean_sd", "sd"), point=point)

    @classmethod
    def from_mean_se(cls, mean: float, se: float, *, point: float | None = None) -> Normal:
        """``Normal(mean, se)``: the standard error of an estimate is the SD of the parameter."""
        return cls(_value(mean, "Normal.from_mean_se: mean"), _spread(se, "Normal.from_mean_se", "se"), point=point)

    @classmethod
    def from_mean_ci(cls, mean: float, lower: float, upper: float, *, level: float = 0.95, point: float | None = None) -> Normal:
        """SD ``(upper - lower) / (2 z)`` from a mean and a CI (Briggs et al. 2006, ch. 4)."""
        m = _value(mean, "Normal.from_mean_ci: mean")
        return cls(m, _se_from_ci(m, lower, upper, level, "Normal.from_mean_ci"), point=point)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(self._mu, self._sigma, size=n)

    def _describe(self) -> str:
        return f"Normal(mean={_fmt(self._mu)}, sd={_fmt(self._sigma)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "normal", {"mean": self._mu, "sd": self._sigma}


class TruncatedNormal(_Frozen):
    """Normal(mu, sigma) restricted to ``[lower, upper]``.

    ``mu`` and ``sigma`` are the parent normal's; ``mean`` and ``sd`` are those of the
    truncated distribution (Johnson, Kotz & Balakrishnan, *Continuous Univariate
    Distributions* vol. 1, 2nd ed., 1994). Sampling is by inversion of the CDF.

    Examples
    --------
    >>> t = TruncatedNormal(0.0, 1.0, lower=0.0)
    >>> round(t.mean, 4)      # sqrt(2 / pi)
    0.7979
    """

    def __init__(self, mu: float, sigma: float, lower: float = -math.inf, upper: float = math.inf, *, point: float | None = None) -> None:
        self.mu = _value(mu, "TruncatedNormal: mu")
        self.sigma = _positive(sigma, "TruncatedNormal: sigma")
        lo, hi = (float(as_float_array(b, f"TruncatedNormal: {w}")) for b, w in ((lower, "lower"), (upper, "upper")))
        if math.isnan(lo) or math.isnan(hi) or lo >= hi:
            raise DistributionFitError(f"TruncatedNormal: lower={lo:g} must be below upper={hi:g}")
        from scipy import special

        a, b = (lo - self.mu) / self.sigma, (hi - self.mu) / self.sigma
        if special.ndtr(b) - special.ndtr(a) < 1e-12:
            raise DistributionFitError(
                f"TruncatedNormal: [{lo:g}, {hi:g}] holds almost none of Normal(mu={self.mu:g}, sigma={self.sigma:g}); "
                "expected bounds that hold some of its probability"
            )
        self.lower, self.upper = lo, hi
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        return stats.truncnorm((self.lower - self.mu) / self.sigma, (self.upper - self.mu) / self.sigma, loc=self.mu, scale=self.sigma)

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        # scipy's truncnorm.ppf can overshoot a bound by an ulp (ppf(1) = 1.0000000000000002
        # on [0, 1] for mu = -1.9): keep every quantile, and so every draw, inside the bounds
        return np.clip(self._frozen.ppf(q), self.lower, self.upper)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._ppf(rng.random(n))

    def _describe(self) -> str:
        return f"TruncatedNormal(mu={_fmt(self.mu)}, sigma={_fmt(self.sigma)}, lower={_fmt(self.lower)}, upper={_fmt(self.upper)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "truncatednormal", {"mu": self.mu, "sigma": self.sigma, **{k: v for k, v in (("lower", self.lower), ("upper", self.upper)) if math.isfinite(v)}}


class Uniform(_Frozen):
    """Uniform distribution on ``[lower, upper]`` (Briggs et al. 2006, ch. 4: when only a range is known).

    Examples
    --------
    >>> Uniform(100, 300).mean
    200.0
    """

    def __init__(self, lower: float, upper: float, *, point: float | None = None) -> None:
        self.lower = _value(lower, "Uniform: lower")
        self.upper = _value(upper, "Uniform: upper")
        if self.lower >= self.upper:
            raise DistributionFitError(f"Uniform: lower={self.lower:g} must be below upper={self.upper:g}")
        if not math.isfinite(self.upper - self.lower):
            raise DistributionFitError(
                f"Uniform: the width upper - lower = {self.upper:g} - ({self.lower:g}) overflows floating point; "
                f"give a narrower range"
            )
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        return stats.uniform(self.lower, self.upper - self.lower)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.lower, self.upper, size=n)

    def _describe(self) -> str:
        return f"Uniform(lower={_fmt(self.lower)}, upper={_fmt(self.upper)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "uniform", {"lower": self.lower, "upper": self.upper}


def _check_range(lower: object, mode: object, upper: object, what: str) -> tuple[float, float, float]:
    lo = _value(lower, f"{what}: lower")
    md = _value(mode, f"{what}: mode")
    hi = _value(upper, f"{what}: upper")
    if lo >= hi:
        raise DistributionFitError(f"{what}: lower={lo:g} must be below upper={hi:g}")
    if not lo <= md <= hi:
        raise DistributionFitError(f"{what}: mode={md:g} must lie within [lower, upper] = [{lo:g}, {hi:g}]")
    return lo, md, hi


class Triangular(_Frozen):
    """Triangular distribution from a minimum, most likely value and maximum.

    Mean ``(lower + mode + upper) / 3`` (Vose, *Risk Analysis*, 3rd ed., 2008). Often
    used for expert judgement; Briggs et al. (2006, ch. 4) caution that it is rarely justified
    by data.

    Examples
    --------
    >>> Triangular(0, 3, 6).mean
    3.0
    """

    def __init__(self, lower: float, mode: float, upper: float, *, point: float | None = None) -> None:
        self.lower, self.mode, self.upper = _check_range(lower, mode, upper, "Triangular")
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        width = self.upper - self.lower
        return stats.triang((self.mode - self.lower) / width, loc=self.lower, scale=width)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.triangular(self.lower, self.mode, self.upper, size=n)

    def _describe(self) -> str:
        return f"Triangular(lower={_fmt(self.lower)}, mode={_fmt(self.mode)}, upper={_fmt(self.upper)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "triangular", {"lower": self.lower, "mode": self.mode, "upper": self.upper}


class PERT(_Frozen):
    """Beta-PERT distribution from a minimum, most likely value and maximum.

    A Beta on ``[lower, upper]`` with (Vose, *Risk Analysis*, 3rd ed., 2008)::

        alpha = 1 + lam * (mode - lower) / (upper - lower)
        beta  = 1 + lam * (upper - mode) / (upper - lower)
        mean  = (lower + lam * mode + upper) / (lam + 2)

    ``lam = 4`` gives the classic PERT.

    Examples
    --------
    >>> p = PERT(0, 2, 10)
    >>> p.mean, p.describe()
    (3.0, 'PERT(lower=0, mode=2, upper=10, λ=4)')
    """

    def __init__(self, lower: float, mode: float, upper: float, lam: float = 4.0, *, point: float | None = None) -> None:
        self.lower, self.mode, self.upper = _check_range(lower, mode, upper, "PERT")
        self.lam = _positive(lam, "PERT: lam")
        width = self.upper - self.lower
        self.alpha = 1 + self.lam * (self.mode - self.lower) / width
        self.beta = 1 + self.lam * (self.upper - self.mode) / width
        self._finish(point)

    def _freeze(self):
        from scipy import stats

        return stats.beta(self.alpha, self.beta, loc=self.lower, scale=self.upper - self.lower)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.lower + (self.upper - self.lower) * rng.beta(self.alpha, self.beta, size=n)

    def _describe(self) -> str:
        return f"PERT(lower={_fmt(self.lower)}, mode={_fmt(self.mode)}, upper={_fmt(self.upper)}, λ={_fmt(self.lam)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "pert", {"lower": self.lower, "mode": self.mode, "upper": self.upper, "lam": self.lam}


class Fixed(Distribution):
    """A value with no uncertainty: every draw, quantile and the point equal ``value``.

    Examples
    --------
    >>> Fixed(0.035).sample(3, rng=1)
    array([0.035, 0.035, 0.035])
    """

    def __init__(self, value: float) -> None:
        self.value = _value(value, "Fixed: value")
        self._finish(None)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def sd(self) -> float:
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return self.value, self.value

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.full(n, self.value)

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return np.full(q.shape, self.value)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return (x >= self.value).astype(float)

    def _describe(self) -> str:
        return f"Fixed({_fmt(self.value)})"

    def _native(self) -> tuple[str, dict[str, float]]:
        return "fixed", {"value": self.value}


class Empirical(Distribution):
    """The distribution of given draws, e.g. bootstrap replicates or another tool's PSA output.

    ``sample(n, rng)`` returns the draws themselves, in order, when ``n`` equals the number
    of draws, and otherwise resamples them with replacement (the non-parametric bootstrap;
    Briggs et al. 2006, ch. 4; Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993).
    ``ppf`` is the inverse of the empirical CDF, so every quantile is one of the draws.

    Examples
    --------
    >>> e = Empirical([3.0, 1.0, 2.0, 4.0])
    >>> e.mean, e.ppf(0.5), e.describe()
    (2.5, 2.0, 'Empirical(4 draws, mean=2.5)')
    >>> e.sample(4, rng=0)
    array([3., 1., 2., 4.])
    """

    def __init__(self, draws: object, *, point: float | None = None) -> None:
        values = require_finite(draws, "Empirical: draws", DistributionFitError)
        if values.ndim != 1 or values.size == 0:
            raise DistributionFitError(f"Empirical: expected a non-empty 1-D sequence of draws, got shape {values.shape}")
        self.draws = values.copy()
        self.draws.setflags(write=False)
        self._sorted = np.sort(self.draws)
        self._finish(point)

    @classmethod
    def from_csv(cls, path: str | PathLike, column: str, *, point: float | None = None) -> Empirical:
        """Read the draws from one numeric column of a CSV file (numbers only; nothing is executed)."""
        values = numeric_column(pd.read_csv(path), column, f"Empirical.from_csv: {path}", DistributionFitError)
        return cls(values, point=point)

    def __len__(self) -> int:
        return self.draws.size

    @property
    def mean(self) -> float:
        return float(self.draws.mean())

    @property
    def sd(self) -> float:
        return float(self.draws.std(ddof=1)) if self.draws.size > 1 else 0.0

    @property
    def support(self) -> tuple[float, float]:
        return float(self._sorted[0]), float(self._sorted[-1])

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.draws[row_indices(n, self.draws.size, rng)]

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return np.quantile(self._sorted, q, method="inverted_cdf")

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._sorted, x, side="right") / self._sorted.size

    def _describe(self) -> str:
        return f"Empirical({self.draws.size} draws, mean={_fmt(self.mean)})"

    def _key(self) -> tuple:
        return (self.draws.tobytes(), self._point)


def row_indices(n: int, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Rows ``0..rows-1`` in order when ``n == rows``, else ``n`` rows drawn with replacement."""
    return np.arange(rows) if n == rows else rng.integers(0, rows, size=n)


# ---------------------------------------------------------------------------------------------
# multivariate


class JointDistribution(ABC):
    """A distribution over several named components drawn together (a Dirichlet, a multivariate normal).

    :class:`~healthecon.params.Parameters` expands a joint distribution named ``d`` over
    components ``a, b`` to the variables ``d_a``, ``d_b`` (attrs ``group="d"`` and
    ``category``), drawn from one random stream. ``mean``, ``sd`` and ``point`` are arrays in
    component order; ``sample(n, rng)`` and ``stratified(n, rng)`` have shape ``(n, k)``;
    ``marginal(component)`` is the scalar distribution of one component.
    """

    categories: tuple[str, ...]

    @property
    @abstractmethod
    def mean(self) -> np.ndarray: ...

    @property
    @abstractmethod
    def sd(self) -> np.ndarray: ...

    @property
    @abstractmethod
    def point(self) -> np.ndarray: ...

    @abstractmethod
    def marginal(self, category: str) -> Distribution: ...

    @abstractmethod
    def sample(self, n: int, rng: object) -> np.ndarray: ...

    @abstractmethod
    def stratified(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` Latin hypercube draws (McKay, Beckman & Conover 1979), shape ``(n, k)``."""

    @abstractmethod
    def describe(self) -> str: ...

    def ppf(self, q: object) -> np.ndarray:
        """Marginal quantiles: shape ``q.shape + (k,)``, component ``i`` from its marginal.

        These are per-component quantiles (e.g. for tables and ranges); a row of them is not a
        joint draw.
        """
        q = _q(q)
        return np.stack([np.asarray(self.marginal(c).ppf(q), dtype=float) for c in self.categories], axis=-1)

    def interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Marginal equal-tailed intervals per component, as ``(lows, highs)``."""
        bounds = np.array([self.marginal(c).interval(level) for c in self.categories])
        return bounds[:, 0], bounds[:, 1]

    def __repr__(self) -> str:
        return self.describe()


class Dirichlet(JointDistribution):
    """Dirichlet distribution over named categories, for multinomial probabilities.

    The conjugate of multinomial counts (Briggs et al. 2006, ch. 4): from counts
    ``n_1..n_k`` of transitions out of one state, ``Dirichlet(n_1, ..., n_k)``. Each
    category's marginal is ``Beta(alpha_i, sum(alpha) - alpha_i)``. Draws sum to 1.

    ``mean``, ``sd`` and ``point`` are arrays in category order; ``sample(n, rng)`` has shape
    ``(n, k)``; ``interval`` gives the marginal intervals as two arrays.

    Examples
    --------
    >>> d = Dirichlet.from_counts({"well": 70, "sick": 20, "dead": 10})
    >>> d.categories, d.mean
    (('well', 'sick', 'dead'), array([0.7, 0.2, 0.1]))
    >>> d.describe()
    'Dirichlet(well=70, sick=20, dead=10)'
    >>> d.sample(2, rng=1).sum(axis=1)
    array([1., 1.])
    """

    def __init__(self, alpha: Mapping[str, float]) -> None:
        if not isinstance(alpha, Mapping) or len(alpha) < 2:
            raise DistributionFitError(f"Dirichlet: expected a mapping of at least two categories to alphas > 0, got {alpha!r}")
        names = []
        for name in alpha:
            if not isinstance(name, str) or not name.isidentifier():
                raise DistributionFitError(f"Dirichlet: category names must be valid Python identifiers, got {name!r}")
            names.append(name)
        self.categories: tuple[str, ...] = tuple(names)
        self.alpha = np.array([_positive(alpha[c], f"Dirichlet: alpha for category {c!r}") for c in names])
        self.alpha.setflags(write=False)
        self._locked = True

    def __setattr__(self, name: str, value: object) -> None:
        if self.__dict__.get("_locked"):
            raise AttributeError("Dirichlet is immutable; build a new distribution instead")
        object.__setattr__(self, name, value)

    @classmethod
    def from_counts(cls, counts: Mapping[str, float]) -> Dirichlet:
        """``Dirichlet(counts)``: observed counts per category, each > 0 (Briggs et al. 2006, ch. 4).

        With a zero count add a prior explicitly, e.g. one to every category.
        """
        return cls(counts)

    @classmethod
    def from_proportions(cls, proportions: Mapping[str, float], total: float) -> Dirichlet:
        """``Dirichlet(total * p_1, ..., total * p_k)`` from reported proportions and the number
        of observations they came from (the counts recovered; Briggs et al. 2006, ch. 4).

        Examples
        --------
        >>> Dirichlet.from_proportions({"well": 0.75, "sick": 0.25}, total=80)
        Dirichlet(well=60, sick=20)
        """
        n = _positive(total, "Dirichlet.from_proportions: total")
        if not isinstance(proportions, Mapping):
            raise DistributionFitError(f"Dirichlet.from_proportions: expected a mapping of categories to proportions, got {proportions!r}")
        values = {c: _value(p, f"Dirichlet.from_proportions: proportion for category {c!r}") for c, p in proportions.items()}
        share = sum(values.values())
        if abs(share - 1) > 1e-6:
            raise DistributionFitError(f"Dirichlet.from_proportions: proportions sum to {share:.6g}; expected 1")
        return cls({c: p * n for c, p in values.items()})

    @property
    def mean(self) -> np.ndarray:
        return self.alpha / self.alpha.sum()

    @property
    def sd(self) -> np.ndarray:
        a0 = self.alpha.sum()
        m = self.mean
        return np.sqrt(m * (1 - m) / (a0 + 1))

    @property
    def point(self) -> np.ndarray:
        return self.mean

    def marginal(self, category: str) -> Beta:
        """The Beta marginal of one category."""
        if category not in self.categories:
            raise unknown_name("Dirichlet category", category, self.categories)
        a = float(self.alpha[self.categories.index(category)])
        return Beta(a, float(self.alpha.sum()) - a)

    @property
    def support(self) -> tuple[float, float]:
        """Each category's share lies in [0, 1]."""
        return 0.0, 1.0

    def ppf(self, q: object) -> np.ndarray:
        """Marginal quantiles: shape ``q.shape + (k,)``, category ``i`` from its Beta marginal.

        These are per-category quantiles (e.g. for tables and ranges); a row of them does not
        sum to 1 and is not a draw of the Dirichlet.
        """
        q = _q(q)
        return np.stack([self.marginal(c)._ppf(q) for c in self.categories], axis=-1)

    def interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Marginal equal-tailed intervals per category, as ``(lows, highs)``."""
        bounds = np.array([self.marginal(c).interval(level) for c in self.categories])
        return bounds[:, 0], bounds[:, 1]

    def sample(self, n: int, rng: object) -> np.ndarray:
        """``n`` draws of shape ``(n, k)``, each row summing to 1."""
        return make_rng(rng).dirichlet(self.alpha, size=_n(n))

    def stratified(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` Latin hypercube draws: the Gamma(alpha_i, 1) variables it normalises are
        stratified (McKay, Beckman & Conover 1979), in random order; rows sum to 1."""
        tiny, top = np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg
        strata = [np.clip((rng.permutation(n) + rng.random(n)) / n, tiny, top) for _ in self.alpha]
        from scipy import special

        gammas = np.column_stack([special.gammaincinv(a, u) for a, u in zip(self.alpha, strata)])
        total = gammas.sum(axis=1, keepdims=True)
        lost = total[:, 0] == 0  # every Gamma quantile underflowed (alphas <= ~0.01): normalise on the log scale
        if lost.any():
            # log of the Gamma(a) quantile as x -> 0, where P(a, x) ~ x**a / Gamma(a + 1)
            logs = np.column_stack([(np.log(u[lost]) + special.gammaln(a + 1)) / a for a, u in zip(self.alpha, strata)])
            weights = np.exp(logs - logs.max(axis=1, keepdims=True))
            gammas[lost], total[lost] = weights, weights.sum(axis=1, keepdims=True)
        return gammas / total

    def describe(self) -> str:
        inner = ", ".join(f"{c}={_fmt(a)}" for c, a in zip(self.categories, self.alpha))
        return f"Dirichlet({inner})"

    def __repr__(self) -> str:
        return self.describe()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dirichlet) and self.categories == other.categories and bool(np.array_equal(self.alpha, other.alpha))

    def __hash__(self) -> int:
        return hash((self.categories, self.alpha.tobytes()))


class MultivariateNormal(JointDistribution):
    """Multivariate normal over named components, each on its natural or its log scale.

    ``z ~ N(mean, cov)``; a component named in ``log`` is reported as ``exp(z)`` (so it is
    log-normal, and its draws are > 0). This is how the maximum-likelihood estimates of a
    survival model are drawn for PSA: the asymptotic normal distribution of the estimates,
    with positive parameters (shape, scale, rate) on the log scale (Briggs, Claxton & Sculpher
    2006, ch. 4, "multivariate normal for correlated regression coefficients"; Williams et al.
    2017, *Med Decis Making* 37:427).

    Parameters
    ----------
    mean
        Component names mapped to their means on the scale of ``z`` (log scale for components in
        ``log``). Names must be valid Python identifiers.
    cov
        Covariance matrix of ``z`` in the order of ``mean``: symmetric, finite, positive
        semi-definite (a singular matrix is allowed, e.g. for a component with no uncertainty).
    log
        Components drawn on the log scale and reported as ``exp(z)``.

    Attributes
    ----------
    categories : tuple of str
        The component names (called categories, as for :class:`Dirichlet`).

    Examples
    --------
    Weibull shape and scale estimated on the log scale, with their covariance:

    >>> mvn = MultivariateNormal({"shape": 0.2, "scale": 1.5}, [[0.01, -0.002], [-0.002, 0.004]], log=["shape", "scale"])
    >>> mvn.point.round(4)
    array([1.2214, 4.4817])
    >>> mvn.sample(3, rng=1).round(3)
    array([[1.264, 4.676],
           [1.262, 4.117],
           [1.337, 4.521]])
    >>> mvn.describe()
    'MultivariateNormal(log(shape)=0.2 (sd 0.1), log(scale)=1.5 (sd 0.06325))'
    """

    def __init__(self, mean: Mapping[str, float], cov: object, *, log: Sequence[str] = ()) -> None:
        if not isinstance(mean, Mapping) or len(mean) < 1:
            raise DistributionFitError(f"MultivariateNormal: expected a mapping of component names to means, got {mean!r}")
        for name in mean:
            if not isinstance(name, str) or not name.isidentifier():
                raise DistributionFitError(f"MultivariateNormal: component names must be valid Python identifiers, got {name!r}")
        self.categories: tuple[str, ...] = tuple(mean)
        self.loc = np.array([_value(mean[c], f"MultivariateNormal: mean of {c!r}") for c in self.categories])
        k = len(self.categories)
        arr = np.array(as_float_array(cov, "MultivariateNormal: cov"), dtype=float)
        if arr.shape != (k, k):
            raise DistributionFitError(f"MultivariateNormal: cov must be {k} x {k} for components {list(self.categories)}, got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise DistributionFitError("MultivariateNormal: cov contains NaN or infinite entries")
        scale = max(float(np.abs(arr).max()), np.finfo(float).tiny)
        for i, j in zip(*np.nonzero(np.abs(arr - arr.T) > 1e-10 * scale)):
            raise DistributionFitError(f"MultivariateNormal: cov is not symmetric: [{self.categories[i]}, {self.categories[j]}] = {arr[i, j]:g} but [{self.categories[j]}, {self.categories[i]}] = {arr[j, i]:g}")
        values, vectors = np.linalg.eigh((arr + arr.T) / 2)
        if values.min() < -1e-10 * scale:
            raise DistributionFitError(f"MultivariateNormal: cov is not positive semi-definite (smallest eigenvalue {values.min():.3g})")
        unknown = [c for c in log if c not in self.categories]
        if unknown:
            raise unknown_name("MultivariateNormal component", unknown[0], self.categories)
        self.cov = arr
        self.log = tuple(c for c in self.categories if c in set(log))
        self._is_log = np.array([c in self.log for c in self.categories])
        # factor @ factor.T == cov: the Cholesky factor (unique, so draws do not depend on an
        # eigensolver's sign choices), or for a singular matrix the eigendecomposition's
        try:
            self._factor = np.linalg.cholesky(arr)
        except np.linalg.LinAlgError:
            self._factor = vectors * np.sqrt(np.clip(values, 0.0, None))
        for a in (self.loc, self.cov, self._is_log, self._factor):
            a.setflags(write=False)
        self._locked = True

    def __setattr__(self, name: str, value: object) -> None:
        if self.__dict__.get("_locked"):
            raise AttributeError("MultivariateNormal is immutable; build a new distribution instead")
        object.__setattr__(self, name, value)

    def _natural(self, z: np.ndarray) -> np.ndarray:
        return np.where(self._is_log, np.exp(np.where(self._is_log, z, 0.0)), z)

    @property
    def point(self) -> np.ndarray:
        """The means of ``z``, exponentiated for log components (the estimates themselves)."""
        return self._natural(self.loc)

    @property
    def mean(self) -> np.ndarray:
        return np.array([self.marginal(c).mean for c in self.categories])

    @property
    def sd(self) -> np.ndarray:
        return np.array([self.marginal(c).sd for c in self.categories])

    @property
    def support(self) -> tuple[float, float]:
        """The widest support of the components (log components are > 0)."""
        return (-math.inf if not self._is_log.all() else 0.0), math.inf

    def marginal(self, category: str) -> Distribution:
        """A component's marginal: :class:`Normal`, or :class:`LogNormal` for a log component
        (:class:`Fixed` when its variance is 0)."""
        if category not in self.categories:
            raise unknown_name("MultivariateNormal component", category, self.categories)
        i = self.categories.index(category)
        mu, sd = float(self.loc[i]), math.sqrt(max(float(self.cov[i, i]), 0.0))
        if sd == 0:
            return Fixed(math.exp(mu) if self._is_log[i] else mu)
        return LogNormal(mu, sd) if self._is_log[i] else Normal(mu, sd)

    def sample(self, n: int, rng: object) -> np.ndarray:
        """``n`` joint draws, shape ``(n, k)``: ``mean + e @ factor.T`` with ``e`` standard normal."""
        e = make_rng(rng).standard_normal((_n(n), len(self.categories)))
        return self._natural(self.loc + e @ self._factor.T)

    def stratified(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws whose independent standard normals ``e`` are Latin-hypercube stratified
        (McKay, Beckman & Conover 1979) before the covariance factor is applied."""
        k = len(self.categories)
        tiny, top = np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg
        u = np.column_stack([np.clip((rng.permutation(n) + rng.random(n)) / n, tiny, top) for _ in range(k)])
        from scipy import special

        return self._natural(self.loc + special.ndtri(u) @ self._factor.T)

    def describe(self) -> str:
        sds = np.sqrt(np.clip(np.diag(self.cov), 0.0, None))
        inner = ", ".join(f"{f'log({c})' if lg else c}={_fmt(m)} (sd {_fmt(s)})" for c, lg, m, s in zip(self.categories, self._is_log, self.loc, sds))
        return f"MultivariateNormal({inner})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MultivariateNormal)
            and self.categories == other.categories
            and self.log == other.log
            and bool(np.array_equal(self.loc, other.loc))
            and bool(np.array_equal(self.cov, other.cov))
        )

    def __hash__(self) -> int:
        return hash((self.categories, self.log, self.loc.tobytes(), self.cov.tobytes()))


def as_distribution(value: object, what: str = "parameter") -> Distribution | JointDistribution:
    """Return a distribution as is, or a plain number as :class:`Fixed`.

    Examples
    --------
    >>> as_distribution(0.5)
    Fixed(0.5)
    """
    if isinstance(value, (Distribution, JointDistribution)):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array, e.g. np.array(0.035) or a.sum()
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{what}: expected a distribution (e.g. Beta, Gamma) or a number, got {value!r}")
    require_finite(value, f"{what} (a fixed value)")
    return Fixed(float(value))


# ---------------------------------------------------------------------------------------------
# building a distribution from whichever statistics were reported

#: For each family, the ways it can be built: (required statistics, constructor, optional statistics).
_FORMS: dict[str, tuple[type, tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...]]] = {
    "beta": (
        Beta,
        (
            (("alpha", "beta"), "__init__", ("point",)),
            (("mean", "sd"), "from_mean_sd", ("point",)),
            (("mean", "se"), "from_mean_se", ("point",)),
            (("mean", "lower", "upper"), "from_mean_ci", ("level", "point")),
            (("events", "total"), "from_events", ("point",)),
            (("lower", "upper"), "from_ci", ("level", "point")),
        ),
    ),
    "gamma": (
        Gamma,
        (
            (("shape", "scale"), "__init__", ("point",)),
            (("shape", "rate"), "__init__", ("point",)),
            (("mean", "sd"), "from_mean_sd", ("point",)),
            (("mean", "se"), "from_mean_se", ("point",)),
            (("mean", "lower", "upper"), "from_mean_ci", ("level", "point")),
            (("lower", "upper"), "from_ci", ("level", "point")),
        ),
    ),
    "lognormal": (
        LogNormal,
        (
            (("meanlog", "sdlog"), "__init__", ("point",)),
            (("mean", "sd"), "from_mean_sd", ("point",)),
            (("mean", "se"), "from_mean_se", ("point",)),
            (("point", "lower", "upper"), "from_point_ci", ("level",)),
            (("mean", "lower", "upper"), "from_mean_ci", ("level", "point")),
        ),
    ),
    "normal": (
        Normal,
        (
            (("mean", "sd"), "__init__", ("point",)),
            (("mean", "se"), "from_mean_se", ("point",)),
            (("mean", "lower", "upper"), "from_mean_ci", ("level", "point")),
        ),
    ),
    "truncatednormal": (TruncatedNormal, ((("mu", "sigma"), "__init__", ("lower", "upper", "point")),)),
    "uniform": (Uniform, ((("lower", "upper"), "__init__", ("point",)),)),
    "triangular": (Triangular, ((("lower", "mode", "upper"), "__init__", ("point",)),)),
    "pert": (PERT, ((("lower", "mode", "upper"), "__init__", ("lam", "point")),)),
    "fixed": (Fixed, ((("value",), "__init__", ()),)),
}
_ALIASES = {"betapert": "pert", "truncnorm": "truncatednormal", "constant": "fixed", "lnorm": "lognormal", "norm": "normal"}

#: Every statistic name :func:`fit` understands.
STATISTICS: frozenset[str] = frozenset(
    key for _, forms in _FORMS.values() for required, _, optional in forms for key in (*required, *optional)
)


def fit(family: str, **statistics: float) -> Distribution:
    """Build a distribution of ``family`` from whichever statistics were reported.

    The constructor is chosen by the set of statistics given (Briggs et al. 2006, ch. 4):

    ===============  ===========================================================================
    family           statistics (any one line; ``point`` and ``level`` optional where they apply)
    ===============  ===========================================================================
    beta             alpha+beta; mean+sd; mean+se; mean+lower+upper; events+total; lower+upper
    gamma            shape+scale; shape+rate; mean+sd; mean+se; mean+lower+upper; lower+upper
    lognormal        meanlog+sdlog; mean+sd; mean+se; point+lower+upper; mean+lower+upper
    normal           mean+sd; mean+se; mean+lower+upper
    truncatednormal  mu+sigma (+lower, +upper)
    uniform          lower+upper
    triangular       lower+mode+upper
    pert             lower+mode+upper (+lam)
    fixed            value
    ===============  ===========================================================================

    Family names ignore case, spaces, hyphens and underscores ("Log-normal", "beta_pert").

    Examples
    --------
    >>> fit("beta", mean=0.3, sd=0.1)
    Beta(α=6, β=14)
    >>> fit("Log-normal", point=0.7, lower=0.55, upper=0.9)
    LogNormal(meanlog=-0.3567, sdlog=0.1256, point=0.7)
    >>> fit("gamma", mean=100, upper=150)
    Traceback (most recent call last):
    ...
    healthecon.errors.DistributionFitError: gamma cannot be built from mean, upper; give one of: shape+scale, shape+rate, mean+sd, mean+se, mean+lower+upper, lower+upper
    """
    key = "".join(ch for ch in str(family).lower() if ch.isalnum())
    key = _ALIASES.get(key, key)
    if key not in _FORMS:
        raise DistributionFitError(f"unknown distribution {family!r}; expected one of: {', '.join(_FORMS)}")
    cls, forms = _FORMS[key]
    given = set(statistics)
    for required, method, optional in forms:
        if set(required) <= given and given - set(required) <= set(optional):
            builder = cls if method == "__init__" else getattr(cls, method)
            return builder(**statistics)
    listed = ", ".join("+".join(required) for required, _, _ in forms)
    raise DistributionFitError(f"{key} cannot be built from {', '.join(sorted(given))}; give one of: {listed}")
