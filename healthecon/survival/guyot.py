"""Individual patient data reconstructed from a published Kaplan-Meier figure (Guyot et al. 2012).

When a trial's patient data are not available, analysts digitise the published KM curve (the
coordinates of each step, e.g. with WebPlotDigitizer) and copy the numbers at risk printed
under it. :func:`reconstruct_ipd` recovers event and censoring times consistent with both by
the iterative algorithm of Guyot, Ades, Ouwens & Welton (2012), *BMC Med Res Methodol* 12:9
("Enhanced secondary analysis of survival data: reconstructing the data from published
Kaplan-Meier survival curves"). The result can be fitted with
:func:`~healthecon.survival.fit.fit_survival` like any patient data.

Digitised clicks are rarely clean: :func:`tidy_digitised` sorts them, converts percentages,
starts the curve at (0, 1) and removes upward steps, and reports every change it made, so
nothing is altered silently; :func:`reconstruct_ipd` itself refuses unclean input.

Examples
--------
A curve with a step at 1 (S 0.9) and at 2 (S 0.6), 10 patients at risk at 0:

>>> ipd = reconstruct_ipd([0, 1, 2], [1.0, 0.9, 0.6], [0], [10])
>>> int(ipd["event"].sum()), len(ipd)
(4, 10)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._validate import require_finite
from ..errors import ParameterError, ShapeError

__all__ = ["reconstruct_ipd", "tidy_digitised"]


def tidy_digitised(time: ArrayLike, survival: ArrayLike, *, percent: bool = False) -> pd.DataFrame:
    """Clean digitised KM coordinates for :func:`reconstruct_ipd`, recording every change.

    Steps (as IPDfromKM's ``preprocess``, Liu et al. 2021): divide by 100 if ``percent``;
    sort by time; set negative times (clicks left of the axis) to 0; cap survival at 1; make
    survival non-increasing by carrying the running minimum forward (an upward step is a
    digitising error); put (0, 1) first.

    Returns
    -------
    pandas.DataFrame
        Columns ``time``, ``survival``; ``attrs["changes"]`` lists what was changed (empty if
        nothing was).

    Examples
    --------
    >>> clean = tidy_digitised([-0.1, 1.0, 2.0, 3.0], [99.0, 90.0, 91.0, 70.0], percent=True)
    >>> clean.values.tolist()
    [[0.0, 1.0], [0.0, 0.99], [1.0, 0.9], [2.0, 0.9], [3.0, 0.7]]
    >>> clean.attrs["changes"]
    ['1 negative time(s) set to 0', '1 upward step(s) flattened to the running minimum', 'added the point (0, 1)']
    """
    t = np.atleast_1d(require_finite(time, "digitised time")).astype(float)
    s = np.atleast_1d(require_finite(survival, "digitised survival")).astype(float)
    if t.ndim != 1 or t.shape != s.shape:
        raise ShapeError(f"digitised time and survival must be 1-D and the same length, got shapes {t.shape} and {s.shape}")
    changes = []
    if percent:
        s = s / 100
    if np.any(s < 0) or np.any(s > 1.05):
        raise ParameterError(f"digitised survival: values must be probabilities{' (percent / 100)' if percent else ''}; got a range {s.min():g} to {s.max():g} (use percent=True for percentages)")
    order = np.argsort(t, kind="stable")
    if np.any(order != np.arange(t.size)):
        changes.append("sorted by time")
        t, s = t[order], s[order]
    if np.any(t < 0):
        changes.append(f"{int((t < 0).sum())} negative time(s) set to 0")
        t = np.maximum(t, 0.0)
    if np.any(s > 1):
        changes.append(f"{int((s > 1).sum())} survival value(s) above 1 set to 1")
        s = np.minimum(s, 1.0)
    running = np.minimum.accumulate(s)
    if np.any(running < s):
        changes.append(f"{int((running < s).sum())} upward step(s) flattened to the running minimum")
        s = running
    if not (t[0] == 0 and s[0] == 1):
        changes.append("added the point (0, 1)")
        t, s = np.concatenate([[0.0], t]), np.concatenate([[1.0], s])
    frame = pd.DataFrame({"time": t, "survival": s})
    frame.attrs["changes"] = changes
    return frame


def _interval_events(
    s: np.ndarray, cen: np.ndarray, lo: int, hi: int, n_start: float, km: float, first: bool
) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """Events d[k] and risk sets n[k] for digitised points lo..hi given censoring counts ``cen``
    (Guyot et al. 2012, steps 3-4): d_k = round(n_k (1 - S_k / KM_last)), KM_k = KM_last (1 - d_k / n_k)."""
    d = np.zeros(hi - lo + 1)
    n = np.zeros(hi - lo + 2)
    n[0] = n_start
    for j, k in enumerate(range(lo, hi + 1)):
        if first and j == 0:
            d[j] = 0
        elif n[j] > 0 and km > 0:
            d[j] = max(0.0, np.round(n[j] * (1 - s[k] / km)))
            d[j] = min(d[j], n[j])
            km = km * (1 - d[j] / n[j])
        n[j + 1] = n[j] - d[j] - cen[j]
    return d, n, km, bool(d.any())


def reconstruct_ipd(
    time: ArrayLike,
    survival: ArrayLike,
    risk_time: ArrayLike,
    n_risk: ArrayLike,
    *,
    total_events: int | None = None,
) -> pd.DataFrame:
    """Reconstruct individual patient data from digitised KM coordinates and numbers at risk.

    The algorithm of Guyot et al. (2012): within each interval between the times at which the
    numbers at risk are reported, the number censored is first guessed from the drop in the
    number at risk that the KM curve does not explain; the censoring times are spread evenly
    over the interval; events at each digitised step follow from the KM formula; the censoring
    count is corrected by the difference between the implied and the published number at risk
    at the interval's end, until they agree. In the last interval (no number at risk after it)
    censoring continues at the average rate of the earlier intervals, or is set so that the
    total number of events equals ``total_events`` when that is reported.

    Parameters
    ----------
    time, survival
        Digitised coordinates, clean (see :func:`tidy_digitised`): starting at (0, 1), times
        non-decreasing, survival non-increasing, as probabilities.
    risk_time, n_risk
        The times at which numbers at risk are printed (the first 0) and the numbers.
    total_events
        The reported total number of events, if any.

    Returns
    -------
    pandas.DataFrame
        One row per patient: ``time`` (in the figure's time unit) and ``event`` (1 event,
        0 censored), sorted by time. ``attrs["n_risk_reconstructed"]`` holds the numbers at
        risk the reconstruction implies at each ``risk_time``.
    """
    t = np.atleast_1d(require_finite(time, "digitised time")).astype(float)
    s = np.atleast_1d(require_finite(survival, "digitised survival")).astype(float)
    tr = np.atleast_1d(require_finite(risk_time, "risk_time")).astype(float)
    nr = np.atleast_1d(require_finite(n_risk, "n_risk")).astype(float)
    if t.shape != s.shape or t.ndim != 1 or t.size < 2:
        raise ShapeError(f"digitised time and survival must be 1-D, the same length and at least 2 points, got shapes {t.shape} and {s.shape}")
    if tr.shape != nr.shape or tr.ndim != 1:
        raise ShapeError(f"risk_time and n_risk must be 1-D and the same length, got shapes {tr.shape} and {nr.shape}")
    if not (t[0] == 0 and s[0] == 1) or np.any(np.diff(t) < 0) or np.any(np.diff(s) > 0) or np.any(s < 0) or np.any(t < 0):
        raise ParameterError("digitised coordinates must start at (0, 1) with times non-decreasing and survival non-increasing in [0, 1]; clean them with tidy_digitised() first")
    if tr[0] != 0 or np.any(np.diff(tr) <= 0):
        raise ParameterError(f"risk_time must start at 0 and increase, got {tr.tolist()}")
    if np.any(nr < 0) or np.any(nr != np.round(nr)) or np.any(np.diff(nr) > 0):
        raise ParameterError(f"n_risk must be non-increasing whole numbers >= 0, got {nr.tolist()}")
    keep = tr <= t[-1]
    if not keep.all():
        tr, nr = tr[keep], nr[keep]  # a number at risk after the last digitised point adds no information
    lower = np.searchsorted(t, tr, side="left")
    upper = np.concatenate([lower[1:] - 1, [t.size - 1]])
    if np.any(upper < lower):
        bad = int(np.argmax(upper < lower))
        raise ParameterError(f"no digitised point between risk times {tr[bad]:g} and {tr[bad + 1]:g}: digitise at least one point in each interval")
    n_int = tr.size
    events = np.zeros(t.size)
    censor_times: list[np.ndarray] = []
    km, first = 1.0, True
    n_hat_risk = [float(nr[0])]
    censored_so_far = 0.0
    for i in range(n_int):
        lo, hi = int(lower[i]), int(upper[i])
        start = tr[i]
        end = tr[i + 1] if i + 1 < n_int else t[hi]
        if i + 1 < n_int:
            s_end = s[int(lower[i + 1])]
            guess = np.round(nr[i] * s_end / s[lo] - nr[i + 1]) if s[lo] > 0 else 0.0
            n_censor = max(0.0, guess)
        elif total_events is None:
            span = tr[-1] - tr[0]
            rate = censored_so_far / span if span > 0 else 0.0
            n_censor = min(float(np.round(rate * (end - start))), float(nr[i]))
        else:
            n_censor = 0.0
        for _ in range(1000):
            c_times = start + (end - start) * np.arange(1, int(n_censor) + 1) / (n_censor + 1) if n_censor > 0 else np.zeros(0)
            # censored between consecutive digitised points, in [T_k, T_k+1); those before the
            # interval's first point are counted with it, so every censoring time is counted
            bounds = np.concatenate([[-np.inf], t[lo + 1 : hi + 1], [np.inf]])
            cen = np.histogram(c_times, bins=bounds)[0].astype(float) if c_times.size else np.zeros(hi - lo + 1)
            d, n, km_end, _ = _interval_events(s, cen, lo, hi, n_hat_risk[-1], km, first)
            if i + 1 < n_int:
                gap = n[-1] - nr[i + 1]
                if gap == 0 or (gap < 0 and n_censor <= 0):
                    break
                n_censor = max(0.0, n_censor + gap)
            elif total_events is not None:
                gap = float(events[:lo].sum() + d.sum()) - total_events
                # too many events: censor more; too few: censor less
                step = np.sign(gap) if gap != 0 else 0.0
                if step == 0 or (step < 0 and n_censor <= 0) or n_censor + step > n_hat_risk[-1]:
                    break
                n_censor = n_censor + step
            else:
                break
        events[lo : hi + 1] = d
        censor_times.append(c_times)
        censored_so_far += c_times.size
        km, first = km_end, False
        n_hat_risk.append(float(n[-1]))
    remaining = int(round(n_hat_risk[-1]))
    event_times = np.repeat(t, events.astype(int))
    c_all = np.concatenate([*censor_times, np.full(max(remaining, 0), t[-1])])
    frame = pd.DataFrame(
        {
            "time": np.concatenate([event_times, c_all]),
            "event": np.concatenate([np.ones(event_times.size, dtype=int), np.zeros(c_all.size, dtype=int)]),
        }
    ).sort_values(["time", "event"], ascending=[True, False], kind="stable", ignore_index=True)
    frame.attrs["n_risk_reconstructed"] = n_hat_risk[:-1]
    return frame
