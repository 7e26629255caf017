"""Hypothesis invariants of the patient-level bootstrap and Fieller's interval (issue 13, section 4).

Monte Carlo tolerances come from the Monte Carlo error of the replicates: the bootstrap mean is
within 5 Monte Carlo standard errors of the sample mean, and a CEAC value within 4 binomial
standard errors of 0.5 (each a chance below 1e-4 of a false failure for a given dataset, and the
seeds are fixed, so a run is deterministic).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthecon import cea
from healthecon.ipd import bootstrap, fieller, read_patients

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def patients(n0, n1, seed, scale=1.0, same=False):
    rng = np.random.default_rng(seed)
    cost0, cost1 = rng.gamma(2.0, 500.0, n0), rng.gamma(2.0, 600.0, n1)
    years0, years1 = rng.uniform(0.2, 2.0, n0), rng.uniform(0.2, 2.0, n1)
    if same:  # every arm holds the same people's values: cost and effect independent of arm
        cost1, years1 = cost0.copy(), years0.copy()
        n1 = n0
    frame = pd.DataFrame({"arm": ["A"] * n0 + ["B"] * n1, "cost": np.concatenate([cost0, cost1]) * scale,
                          "years": np.concatenate([years0, years1])})
    return read_patients(frame, id=None, arms=["A", "B"], costs=["cost"], follow_up="years")


@SETTINGS
@given(n0=st.integers(5, 60), n1=st.integers(5, 60), seed=st.integers(0, 10_000))
def test_bootstrap_mean_converges_to_the_sample_mean(n0, n1, seed):
    data = patients(n0, n1, seed)
    b = 4000
    result = bootstrap(data, b, seed=seed)
    for variable in ("cost", "ly"):
        reps = result.replicates[variable].values
        sample = result.point[variable].values[0]
        mc_error = reps.std(axis=0) / math.sqrt(b)
        assert np.all(np.abs(reps.mean(axis=0) - sample) <= 5 * mc_error + 1e-9 * np.abs(sample))


@SETTINGS
@given(dc=st.floats(-5000, 5000), de=st.floats(-0.5, 0.5), sc=st.floats(1, 2000), se=st.floats(0.001, 0.3),
       rho=st.floats(-0.95, 0.95), level=st.sampled_from([0.8, 0.9, 0.95]))
def test_bounded_fieller_interval_contains_the_point_icer(dc, de, sc, se, rho, level):
    f = fieller(dc, de, sc**2, se**2, rho * sc * se, level)
    if f.bounded:
        assert f.lower <= dc / de <= f.upper or math.isclose(dc / de, f.lower, rel_tol=1e-9) \
            or math.isclose(dc / de, f.upper, rel_tol=1e-9)
    elif de != 0:
        assert f.contains(dc / de) or min(abs(dc / de - f.lower), abs(dc / de - f.upper)) < 1e-6 * abs(dc / de)


@SETTINGS
@given(n=st.integers(20, 80), seed=st.integers(0, 10_000))
def test_ceac_is_one_half_when_cost_and_effect_do_not_depend_on_arm(n, seed):
    b = 4000
    result = bootstrap(patients(n, n, seed, same=True), b, seed=seed)
    curve = cea.ceac(result.replicates, [0.0, 1_000.0, 20_000.0, 1e6]).sel(strategy="B").values
    assert np.all(np.abs(curve - 0.5) <= 4 * 0.5 / math.sqrt(b))


@SETTINGS
@given(k=st.floats(0.01, 100.0), seed=st.integers(0, 10_000), interval=st.sampled_from(["bca", "percentile"]))
def test_scaling_every_cost_by_k_scales_the_increment_and_its_interval(k, seed, interval):
    base = bootstrap(patients(30, 40, seed), 500, seed=1).summary(interval=interval).loc[("cost", "B vs A")]
    scaled = bootstrap(patients(30, 40, seed, scale=k), 500, seed=1).summary(interval=interval).loc[("cost", "B vs A")]
    for column in ("estimate", "se", "lower", "upper"):
        assert scaled[column] == pytest.approx(k * base[column], rel=1e-9, abs=1e-9)
