"""Chancellor et al. (1997) HIV model: Briggs et al. (2006) exercise 2.5 figures reproduced.

Source: Chancellor JV, Hill AM, Sabin CA, Simpson KN, Youle M. Modelling the cost effectiveness
of lamivudine/zidovudine combination therapy in HIV infection. PharmacoEconomics 1997;12:54-66;
worked as exercise 2.5 of Briggs, Claxton & Sculpher, Decision Modelling for Health Economic
Evaluation (OUP 2006), whose solution prints: monotherapy £44,663 and 7.991 life-years,
combination £50,602 and 8.937 life-years, ICER £6,276 per life-year.

Convention: annual cycles, 20 years, membership counted at the end of each cycle (no
within-cycle correction, healthecon "end"), costs discounted at 6% and life-years undiscounted,
as in the book's spreadsheet. The model is examples/chancellor_hiv.py.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from healthecon.errors import TransitionError

_PATH = Path(__file__).resolve().parents[2] / "examples" / "chancellor_hiv.py"
_SPEC = importlib.util.spec_from_file_location("chancellor_hiv", _PATH)
chancellor = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(chancellor)


@pytest.fixture(scope="module")
def out():
    return chancellor.build_model().run({}, trace=True)


# Published per-patient figures (Briggs, Claxton & Sculpher 2006, ch. 2, exercise 2.5 and its
# solution spreadsheet; also asserted by rdecision tests/testthat/test-model-AZT.R).
def test_monotherapy_cost_44663(out):
    assert out["cost"].sel(strategy="monotherapy").item() == pytest.approx(44663, abs=0.5)


def test_monotherapy_life_years_7_991(out):
    assert out["ly"].sel(strategy="monotherapy").item() == pytest.approx(7.991, abs=0.0005)


def test_combination_cost_50602(out):
    assert out["cost"].sel(strategy="combination").item() == pytest.approx(50602, abs=0.5)


def test_combination_life_years_8_937(out):
    assert out["ly"].sel(strategy="combination").item() == pytest.approx(8.937, abs=0.0005)


def test_icer_6276_per_life_year(out):
    cost, ly = out["cost"].values[0], out["ly"].values[0]
    assert (cost[1] - cost[0]) / (ly[1] - ly[0]) == pytest.approx(6276, abs=0.5)


def test_results_table_all_match():
    table = chancellor.results()
    assert table["match"].all() and len(table) == 5


def test_monotherapy_matrix_matches_briggs_table_2_2():
    # Briggs et al. 2006, Table 2.2 (rounded to 3 decimals)
    p = chancellor.monotherapy_probabilities()
    assert [p["A"][s] for s in "ABCD"] == pytest.approx([0.721, 0.202, 0.067, 0.010], abs=0.0005)
    assert [p["B"][s] for s in "BCD"] == pytest.approx([0.581, 0.407, 0.012], abs=0.0005)
    assert [p["C"][s] for s in "CD"] == pytest.approx([0.750, 0.250], abs=0.0005)


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
