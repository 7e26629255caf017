"""Test configuration: a headless plotting backend and reproducible hypothesis runs."""

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Derandomised so that CI runs the same examples every time; no deadline because a shared
# 2-core CI machine makes per-example timings meaningless.
settings.register_profile(
    "healthecon", derandomize=True, deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("healthecon")


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so memory does not grow across the suite."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
