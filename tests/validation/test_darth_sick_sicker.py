"""DARTH's time-independent Sick-Sicker model: costs and QALYs of four strategies, and the ICER table.

Source: Alarid-Escudero F, Krijkamp EM, Enns EA, Yang A, Hunink MGM, Pechlivanoglou P,
Jalal H. An introductory tutorial on cohort state-transition models in R using a
cost-effectiveness analysis example. Med Decis Making 2023;43:3-20 (code and manuscript:
github.com/DARTH-git/cohort-modeling-tutorial-intro, analysis/cSTM_time_indep.R and
manuscript/cSTM_Tutorial_Intro.tex, tables "Expected-outcomes-table" and "table-cea").

Printed (per person, 3% discounting, 75 annual cycles from age 25):
    Standard of care $151,580  20.711 QALYs
    Strategy A       $284,805  21.499
    Strategy B       $259,100  22.184   ICER vs SoC $72,988/QALY (inc. $107,521, 1.473 QALYs)
    Strategy AB      $378,875  23.137   ICER vs B  $125,764/QALY (inc. $119,775, 0.952 QALYs)
    Strategy A dominated.

Convention: DARTH's within-cycle correction is Simpson's 1/3 rule as darthtools' gen_wcc builds
it, with its 1-indexed parity (point weights 1/3, 2/3, 4/3, 2/3, ..., 1/3 over points 0..75),
every point t discounted by 1 / 1.03^t: ``convention="darth"`` (healthecon.conventions; its
darth_simpson_weights is gen_wcc, whereas healthecon's own "simpson" puts 4/3 on point 1). Treatment B costs $13,000 in
the code (the parameter table's $12,000 is a typo of the paper; the printed results use 13,000).
"""

import pytest

import healthecon as he

N_CYCLES = 75


def cost(params, strategy):
    """Annual state costs: care plus treatment A ($12,000) and/or B ($13,000) in S1 and S2."""
    treatment = {"Standard of care": 0, "Strategy A": 12_000, "Strategy B": 13_000, "Strategy AB": 25_000}[strategy]
    return {"H": 2_000, "S1": 4_000 + treatment, "S2": 15_000 + treatment}


def qaly(params, strategy):
    """Utilities: treatment A raises S1 from 0.75 to 0.95."""
    return {"H": 1.0, "S1": 0.95 if strategy in ("Strategy A", "Strategy AB") else 0.75, "S2": 0.5}


def sick_sicker() -> he.MarkovModel:
    r_hd, r_hs1, r_s1h, r_s1s2 = 0.002, 0.15, 0.5, 0.105
    p = {name: he.rates.rate_to_prob(rate, 1.0) for name, rate in
         {"HS1": r_hs1, "S1H": r_s1h, "S1S2": r_s1s2, "HD": r_hd, "S1D": r_hd * 3, "S2D": r_hd * 10,
          "S1S2_trtB": r_s1s2 * 0.6}.items()}

    def transitions(params, strategy):
        s1s2 = p["S1S2_trtB"] if strategy in ("Strategy B", "Strategy AB") else p["S1S2"]
        return {
            "H": {"H": (1 - p["HD"]) * (1 - p["HS1"]), "S1": (1 - p["HD"]) * p["HS1"], "D": p["HD"]},
            "S1": {"H": (1 - p["S1D"]) * p["S1H"], "S1": (1 - p["S1D"]) * (1 - (p["S1H"] + s1s2)),
                   "S2": (1 - p["S1D"]) * s1s2, "D": p["S1D"]},
            "S2": {"S2": 1 - p["S2D"], "D": p["S2D"]},
            "D": {"D": 1.0},
        }

    return he.MarkovModel(
        states=["H", "S1", "S2", "D"], strategies=["Standard of care", "Strategy A", "Strategy B", "Strategy AB"],
        transitions=transitions, start={"H": 1.0}, n_cycles=N_CYCLES, convention="darth",
        state_rewards={"cost_care": cost, "qaly": qaly}, discount_costs=0.03, discount_effects=0.03,
    )


PUBLISHED = {  # strategy: (cost $, QALYs)
    "Standard of care": (151_580, 20.711),
    "Strategy A": (284_805, 21.499),
    "Strategy B": (259_100, 22.184),
    "Strategy AB": (378_875, 23.137),
}


@pytest.fixture(scope="module")
def table():
    return he.cea.icer_table(sick_sicker().run(he.Parameters(x=0.0).base_case())).set_index("strategy")


@pytest.mark.parametrize("strategy", list(PUBLISHED))
def test_costs_and_qalys_to_the_printed_dollar_and_thousandth(table, strategy):
    cost, qaly = PUBLISHED[strategy]
    assert table.loc[strategy, "cost"] == pytest.approx(cost, abs=0.5)
    assert table.loc[strategy, "effect"] == pytest.approx(qaly, abs=0.0005)


def test_icer_table_as_printed(table):
    assert table["status"].to_dict() == {"Standard of care": "ND", "Strategy A": "D", "Strategy B": "ND", "Strategy AB": "ND"}
    assert table.loc["Strategy B", "icer"] == pytest.approx(72_988, abs=0.5)
    assert table.loc["Strategy AB", "icer"] == pytest.approx(125_764, abs=0.5)
    assert table.loc["Strategy B", "cost"] - table.loc["Standard of care", "cost"] == pytest.approx(107_521, abs=0.5)
    assert table.loc["Strategy AB", "effect"] - table.loc["Strategy B", "effect"] == pytest.approx(0.952, abs=0.0005)
