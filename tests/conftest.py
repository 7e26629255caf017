"""Test configuration: reproducible hypothesis runs (plotting set-up is in ../conftest.py)."""

from hypothesis import HealthCheck, settings

# Derandomised so that CI runs the same examples every time; no deadline because a shared
# 2-core CI machine makes per-example timings meaningless.
settings.register_profile(
    "healthecon", derandomize=True, deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("healthecon")

