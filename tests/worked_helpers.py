"""Shared helpers of the worked-model tests (tests/test_worked_*.py).

One place for what every worked-model test file needs: a module-scoped reproduction, finding a
check by the start of its figure, a quick two-draw run with overrides, and hypothesis shares.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

#: A share weight: exactly 0 (a line switched off) or positive.
WEIGHT = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))


def shares(keys, weights):
    """Share overrides ``share_<key>`` for ``keys`` proportional to ``weights``, summing to 1."""
    values = np.array(weights) / sum(weights)
    out = {f"share_{k}": float(v) for k, v in zip(keys, values)}
    last = f"share_{list(keys)[-1]}"
    out[last] = max(0.0, 1.0 - sum(v for k, v in out.items() if k != last))
    return out


def rep_fixture(module, **options):
    """A module-scoped ``rep`` fixture: ``module.reproduce(**options)``, run once per test file."""

    @pytest.fixture(scope="module")
    def rep():
        return module.reproduce(**options)

    return rep


def find_check(rep, start, *, matches=True):
    """The one check whose figure starts with ``start``; asserts it matches unless ``matches=False``."""
    (check,) = [c for c in rep.checks if c.figure.startswith(start)]
    if matches:
        assert check.status == "match", check
    return check


def quick(module, overrides=None, draws=2):
    """``module.reproduce`` with ``overrides``, few draws and seed 0 (for property tests)."""
    return module.reproduce(draws=draws, seed=0, overrides=overrides)


def assert_probability(check, label, low=0.0, high=1.0):
    """``check`` carries a PSA probability labelled ``label`` in [low, high], and a PSA interval."""
    assert check.probability_label == label
    assert low <= check.probability <= high
    assert check.interval is not None and check.interval[0] <= check.interval[1]
    assert label not in check.note  # the probability has its own column, not the free text


def assert_rejected(module, error, match, **overrides):
    """``module.reproduce`` with ``overrides`` raises ``error`` with a message matching ``match``."""
    with pytest.raises(error, match=match):
        quick(module, overrides)
