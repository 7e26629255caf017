"""Kaplan-Meier, smoothed hazard and RMST against lifelines and hand-worked values."""

from __future__ import annotations

import numpy as np
import pytest

from healthecon.errors import ParameterError
from healthecon.survival import kaplan_meier, km_median, load_dataset, smoothed_hazard


def test_kaplan_meier_matches_lifelines_on_bc():
    from lifelines import KaplanMeierFitter

    bc = load_dataset("bc")
    km = kaplan_meier(bc["recyrs"], bc["censrec"])
    ref = KaplanMeierFitter().fit(bc["recyrs"], bc["censrec"])
    np.testing.assert_allclose(km["survival"].to_numpy(), ref.survival_function_.iloc[:, 0].to_numpy(), rtol=1e-12)
    band = ref.confidence_interval_.to_numpy()
    np.testing.assert_allclose(km["lower"].to_numpy()[1:], band[1:, 0], rtol=1e-8)
    np.testing.assert_allclose(km["upper"].to_numpy()[1:], band[1:, 1], rtol=1e-8)
    assert km_median(km) == pytest.approx(ref.median_survival_time_)


def test_greenwood_by_hand():
    # 5 patients: events at 1 and 2, censored at 2; S(2) = 0.8 x 0.75 = 0.6;
    # Greenwood var(log S) = 1/(5*4) + 1/(4*3) = 0.1333; se on log(-log) = sqrt(0.1333)/|log 0.6|
    km = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    se = np.sqrt(1 / 20 + 1 / 12) / abs(np.log(0.6))
    row = km[km["time"] == 2].iloc[0]
    assert row["survival"] == pytest.approx(0.6)
    assert row["lower"] == pytest.approx(0.6 ** np.exp(1.959963984540054 * se))
    assert row["upper"] == pytest.approx(0.6 ** np.exp(-1.959963984540054 * se))
    assert np.isnan(km_median(kaplan_meier([1, 2], [0, 0])))  # never reaches 0.5


def test_smoothed_hazard_of_a_weibull_sample():
    rng = np.random.default_rng(4)
    t = rng.weibull(2.0, 40_000) * 3.0  # h(t) = (2/3)(t/3)
    h = smoothed_hazard(t, np.ones_like(t), [1.5, 3.0], bandwidth=0.3)
    np.testing.assert_allclose(h, [2 / 3 * 0.5, 2 / 3 * 1.0], rtol=0.05)


def test_bad_inputs():
    with pytest.raises(ParameterError, match="event: expected 0"):
        kaplan_meier([1, 2], [1, 2])
    with pytest.raises(ParameterError, match="no events"):
        smoothed_hazard([1, 2], [0, 0], [1.0])
