"""Rates, probabilities, odds and relative effects.

Transition probabilities in a Markov model must match the model's cycle length, and
published evidence comes as rates, probabilities over other periods, odds, relative risks,
odds ratios or hazard ratios. The conversions follow Briggs, Claxton & Sculpher,
*Decision Modelling for Health Economic Evaluation* (2006), ch. 3, and Fleurence &
Hollenbeak, "Rates and probabilities in economic modelling", *PharmacoEconomics* 25(1):3-6
(2007). With a constant instantaneous rate ``r`` the probability of the event within a
period ``t`` is::

    p = 1 - exp(-r * t)        and        r = -ln(1 - p) / t

so a probability over one period is converted to another period through the rate, never by
simple division (``convert_prob``). Every function is vectorised: arguments are numbers or
arrays that broadcast together; a number in gives a ``float`` out.

Examples
--------
>>> round(rate_to_prob(0.1), 6)
0.095163
>>> round(convert_prob(0.2, from_period=5, to_period=1), 6)   # 5-year risk to annual
0.04365
>>> round(apply_hr(0.1, 0.5), 6)
0.051317
"""

from __future__ import annotations

import numpy as np

from collections.abc import Mapping

from ._validate import float_or_array, require_nonnegative, require_positive, require_probability
from .errors import ParameterError

__all__ = [
    "rate_to_prob",
    "prob_to_rate",
    "convert_prob",
    "prob_to_odds",
    "odds_to_prob",
    "apply_rr",
    "apply_or",
    "apply_hr",
    "competing_rates_to_probs",
]


def _below_one(prob: np.ndarray, what: str) -> None:
    """Raise if a probability equals 1 where a finite rate or odds is needed."""
    if np.any(prob >= 1):
        index = np.argwhere(np.atleast_1d(prob) >= 1)[0]
        where = "" if prob.ndim == 0 else f" at index {tuple(int(i) for i in index)}"
        raise ParameterError(f"{what}: a probability of 1{where} has no finite rate or odds; expected a probability in [0, 1)")


def rate_to_prob(rate: object, cycle_length: object = 1.0) -> float | np.ndarray:
    """Probability of at least one event within ``cycle_length`` at a constant rate.

    ``p = 1 - exp(-rate * cycle_length)`` (Briggs et al. 2006, ch. 3; Fleurence &
    Hollenbeak 2007). ``rate`` is per unit time (per year for annual rates) and
    ``cycle_length`` is in the same unit (1/12 for a monthly cycle with an annual rate).

    Examples
    --------
    >>> rate_to_prob([0.0, 0.1, 1.0]).round(6)
    array([0.      , 0.095163, 0.632121])
    >>> round(rate_to_prob(0.1, cycle_length=1 / 12), 6)
    0.008299
    """
    rate = require_nonnegative(rate, "rate_to_prob: rate")
    cycle_length = require_positive(cycle_length, "rate_to_prob: cycle_length")
    return float_or_array(-np.expm1(-rate * cycle_length))


def prob_to_rate(prob: object, period: object = 1.0) -> float | np.ndarray:
    """Constant rate implied by a probability ``prob`` of the event within ``period``.

    ``r = -ln(1 - p) / period`` (Briggs et al. 2006, ch. 3; Fleurence & Hollenbeak 2007).
    A probability of 1 has no finite rate and raises.

    Examples
    --------
    >>> round(prob_to_rate(0.095163), 5)
    0.1
    >>> round(prob_to_rate(0.5, period=5), 6)     # 50% over five years
    0.138629
    """
    prob = require_probability(prob, "prob_to_rate: prob")
    _below_one(prob, "prob_to_rate: prob")
    period = require_positive(period, "prob_to_rate: period")
    return float_or_array(-np.log1p(-prob) / period)


def convert_prob(prob: object, from_period: object, to_period: object) -> float | np.ndarray:
    """Convert a probability over ``from_period`` to the probability over ``to_period``.

    Goes through the constant rate: ``p' = 1 - (1 - p) ** (to_period / from_period)``
    (Briggs et al. 2006, ch. 3; Fleurence & Hollenbeak 2007). Dividing ``p`` by the ratio of
    periods is wrong and is not offered. A probability of 1 stays 1.

    Examples
    --------
    >>> round(convert_prob(0.3, from_period=1, to_period=1 / 12), 6)   # annual to monthly
    0.029286
    >>> round(convert_prob(0.029286, from_period=1 / 12, to_period=1), 4)
    0.3
    """
    prob = require_probability(prob, "convert_prob: prob")
    ratio = require_positive(to_period, "convert_prob: to_period") / require_positive(from_period, "convert_prob: from_period")
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf gives probability 1 exactly
        return float_or_array(-np.expm1(ratio * np.log1p(-prob)))


def prob_to_odds(prob: object) -> float | np.ndarray:
    """Odds ``p / (1 - p)`` of a probability in [0, 1) (Briggs et al. 2006, ch. 3).

    Examples
    --------
    >>> prob_to_odds([0.2, 0.5])
    array([0.25, 1.  ])
    """
    prob = require_probability(prob, "prob_to_odds: prob")
    _below_one(prob, "prob_to_odds: prob")
    return float_or_array(prob / (1.0 - prob))


def odds_to_prob(odds: object) -> float | np.ndarray:
    """Probability ``o / (1 + o)`` from finite, non-negative odds (Briggs et al. 2006, ch. 3).

    Examples
    --------
    >>> odds_to_prob(0.25)
    0.2
    """
    odds = require_nonnegative(odds, "odds_to_prob: odds")
    return float_or_array(odds / (1.0 + odds))


def apply_rr(prob: object, rr: object) -> float | np.ndarray:
    """Apply a relative risk to a baseline probability: ``p' = p * rr``.

    Valid only while ``p * rr <= 1`` (Briggs et al. 2006, ch. 3). A result above 1 raises,
    naming the baseline probability and relative risk that produced it; it is never clipped.
    For effects that must stay within [0, 1] at any baseline use :func:`apply_or` or
    :func:`apply_hr`.

    Examples
    --------
    >>> apply_rr([0.1, 0.2], 0.5)
    array([0.05, 0.1 ])
    >>> apply_rr(0.6, 2.0)
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: apply_rr: prob 0.6 times rr 2 gives 1.2, above 1; ...
    """
    prob = require_probability(prob, "apply_rr: prob")
    rr = require_nonnegative(rr, "apply_rr: rr")
    result = prob * rr
    bad = result > 1
    if bad.any():
        p_b, rr_b, res_b = (np.broadcast_to(a, result.shape) for a in (prob, rr, result))
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {index}" if result.ndim else ""
        raise ParameterError(
            f"apply_rr: prob {p_b[index]:g} times rr {rr_b[index]:g} gives {res_b[index]:g}, above 1{where}; "
            "a relative risk cannot be applied to this baseline (use apply_or or apply_hr)"
        )
    return float_or_array(result)


def apply_or(prob: object, odds_ratio: object) -> float | np.ndarray:
    """Apply an odds ratio to a baseline probability through the odds scale.

    ``p' = p * OR / (1 - p + p * OR)``, the same as converting ``p`` to odds, multiplying by
    ``OR`` and converting back (Briggs et al. 2006, ch. 3), written so that ``p = 1`` stays 1.

    Examples
    --------
    >>> round(apply_or(0.2, 2.0), 6)
    0.333333
    >>> apply_or([0.0, 1.0], 3.0)
    array([0., 1.])
    """
    prob = require_probability(prob, "apply_or: prob")
    odds_ratio = require_positive(odds_ratio, "apply_or: odds_ratio")
    return float_or_array(prob * odds_ratio / (1.0 - prob + prob * odds_ratio))


def apply_hr(prob: object, hr: object) -> float | np.ndarray:
    """Apply a hazard ratio to a baseline probability through the rate scale.

    Proportional hazards multiply the rate: ``r' = hr * r`` with ``r = -ln(1 - p)``, so
    ``p' = 1 - (1 - p) ** hr`` (Briggs et al. 2006, ch. 3; Fleurence & Hollenbeak 2007).
    The probability must be over the model's cycle; convert first with :func:`convert_prob`
    if it is not.

    Examples
    --------
    >>> apply_hr([0.1, 0.5], 0.8).round(6)
    array([0.080834, 0.425651])
    """
    prob = require_probability(prob, "apply_hr: prob")
    hr = require_nonnegative(hr, "apply_hr: hr")
    # -expm1(hr * log1p(-p)) rather than 1 - (1 - p) ** hr, which loses the digits of a small
    # p (1e-12 at hr 0.5 gave 5.0004e-13); p = 1 with hr = 0 stays 1 - 1 ** 0 = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_survival = np.where(hr == 0, -0.0, hr * np.log1p(-prob))  # -0.0: the result is +0.0
    return float_or_array(-np.expm1(log_survival))


def competing_rates_to_probs(rates: Mapping[str, object], cycle_length: object = 1.0) -> dict[str, float | np.ndarray]:
    """Per-cause probabilities within one cycle from constant competing cause-specific rates.

    With cause-specific rates ``r_k`` and total ``r = sum(r_k)``, the probability of leaving
    by cause ``k`` within ``t`` is ``(r_k / r) * (1 - exp(-r * t))`` (Putter, Fiocco & Geskus,
    "Tutorial in biostatistics: competing risks and multi-state models", *Statistics in
    Medicine* 26:2389-2430, 2007). Converting each rate separately with
    :func:`rate_to_prob` overstates the total when the rates are large. The probabilities sum
    to ``1 - exp(-r * t)``; staying is the complement.

    Examples
    --------
    >>> out = competing_rates_to_probs({"death": 0.2, "relapse": 0.6})
    >>> {k: round(v, 6) for k, v in out.items()}
    {'death': 0.137668, 'relapse': 0.413003}
    """
    if not isinstance(rates, Mapping) or not rates:
        raise ParameterError(f"competing_rates_to_probs: expected a mapping of causes to rates, got {rates!r}")
    arrays = {cause: require_nonnegative(rate, f"competing_rates_to_probs: rate for {cause!r}") for cause, rate in rates.items()}
    cycle_length = require_positive(cycle_length, "competing_rates_to_probs: cycle_length")
    total = sum(arrays.values())
    leave = -np.expm1(-total * cycle_length)
    safe_total = np.where(total > 0, total, 1.0)  # no cause has a positive rate: every probability is 0
    return {cause: float_or_array(leave * rate / safe_total) for cause, rate in arrays.items()}
