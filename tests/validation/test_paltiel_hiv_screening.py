"""Expanded HIV screening in the United States: dominance among five screening frequencies.

Source: Paltiel AD, Walensky RP, Schackman BR, Seage GR, Mercincavage LM, Weinstein MC,
Freedberg KA. Expanded HIV screening in the United States: effect on clinical outcomes, HIV
transmission, and costs. Ann Intern Med 2006;145:797-806, table 4 (high-risk population, 1.0%
prevalence, 0.12% incidence, patient benefits only), as dampack's vignette basic_cea.Rmd
(example 1) uses it: costs $26,000, $27,000, $28,020, $28,440, $29,440 and quality-adjusted
life-months 277.25, 277.57, 277.78, 277.83, 277.76 for status quo, one-time, every 5 years,
every 3 years and annual testing. Printed finding: annual screening is strongly dominated and
the other four form the frontier in order of cost. (dampack notes that ICERs recomputed from
the rounded table differ slightly from the article's, so only the ordering and statuses, and
the ICERs the printed table implies, are checked here: the article's own ICERs are not.)

Convention: dampack's calculate_icers / healthecon's icer_table; QALYs = months / 12.
"""

import pytest

import healthecon as he

STRATEGIES = ["status quo", "one time", "5yr", "3yr", "annual"]
COSTS = [26_000, 27_000, 28_020, 28_440, 29_440]
MONTHS = [277.25, 277.57, 277.78, 277.83, 277.76]


@pytest.fixture(scope="module")
def table():
    outcomes = he.outcomes.make_outcomes({"cost": [COSTS], "qaly": [[m / 12 for m in MONTHS]]}, STRATEGIES, effect="qaly")
    return he.cea.icer_table(outcomes).set_index("strategy")


def test_annual_screening_is_strongly_dominated_and_the_rest_form_the_frontier(table):
    assert table["status"].to_dict() == {"status quo": "ND", "one time": "ND", "5yr": "ND", "3yr": "ND", "annual": "D"}


def test_icers_implied_by_the_printed_table(table):
    # $1,000 / (0.32 / 12), $1,020 / (0.21 / 12), $420 / (0.05 / 12): the dollar per QALY the rounded table gives
    assert table.loc[["one time", "5yr", "3yr"], "icer"].tolist() == pytest.approx([37_500.0, 58_285.71, 100_800.0], abs=0.01)
