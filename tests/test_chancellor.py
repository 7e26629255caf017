"""Chancellor et al. (1997) HIV model: Briggs et al. (2006) exercise 2.5 figures reproduced."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from healthecon.errors import TransitionError

_PATH = Path(__file__).resolve().parents[1] / "examples" / "chancellor_hiv.py"
_SPEC = importlib.util.spec_from_file_location("chancellor_hiv", _PATH)
chancellor = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(chancellor)


@pytest.fixture(scope="module")
def out():
    return chancellor.build_model().run({}, trace=True)


# Published per-patient figures (Briggs, Claxton & Sculpher 2006, ch. 2, exercise 2.5 and its
# solution spreadsheet; also asserted by rdecision tests/testthat/test-model-AZT.R).
def test_monotherapy_cost_44663(out):
    assert round(out["cost"].sel(strategy="monotherapy").item()) == 44663


def test_monotherapy_life_years_7_991(out):
    assert round(out["ly"].sel(strategy="monotherapy").item(), 3) == 7.991


def test_combination_cost_50602(out):
    assert round(out["cost"].sel(strategy="combination").item()) == 50602


def test_combination_life_years_8_937(out):
    assert round(out["ly"].sel(strategy="combination").item(), 3) == 8.937


def test_icer_6276_per_life_year(out):
    cost, ly = out["cost"].values[0], out["ly"].values[0]
    assert round((cost[1] - cost[0]) / (ly[1] - ly[0])) == 6276


def test_results_table_all_match():
    table = chancellor.results()
    assert table["match"].all() and len(table) == 5


def test_monotherapy_matrix_matches_briggs_table_2_2():
    # Briggs et al. 2006, Table 2.2 (rounded to 3 decimals)
    p = chancellor.monotherapy_probabilities()
    assert [round(p["A"][s], 3) for s in "ABCD"] == [0.721, 0.202, 0.067, 0.010]
    assert [round(p["B"][s], 3) for s in "BCD"] == [0.581, 0.407, 0.012]
    assert [round(p["C"][s], 3) for s in "CD"] == [0.750, 0.250]


def test_trace_after_one_cycle_of_combination(out):
    after = out["trace"].sel(strategy="combination", cycle=1).values[0]
    moves = np.array([350, 116, 17]) / 1734 * 0.509
    assert np.allclose(after, [1 - moves.sum(), *moves], rtol=1e-12)


def test_relative_risk_above_one_would_be_caught():
    model = chancellor.build_model()
    original = chancellor.RR_COMBINATION
    try:
        chancellor.RR_COMBINATION = 2.4  # B: 0.977 + 0.029 > 1
        with pytest.raises(TransitionError, match="strategy 'combination', cycle 1, from 'B' to 'B': the complement"):
            model.run({})
    finally:
        chancellor.RR_COMBINATION = original
