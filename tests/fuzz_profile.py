"""Hypothesis settings of the fuzz suite (tests/test_fuzz_*.py).

Short by default (CI: a fixed, derandomised set of examples, well under a minute in total);
``HEALTHECON_FUZZ=long`` asks for a long, randomised run (see docs/contributing.md):
``HEALTHECON_FUZZ_EXAMPLES`` examples per property (default 5,000, about 15 minutes for the
whole suite on one core).
"""

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("HEALTHECON_FUZZ", "").lower() == "long"

FUZZ = settings(
    max_examples=int(os.environ.get("HEALTHECON_FUZZ_EXAMPLES", "5000")) if LONG else 40,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
