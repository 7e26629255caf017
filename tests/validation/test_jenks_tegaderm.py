"""Tegaderm CHG securement dressing for central venous and arterial catheters (Jenks et al. 2016).

Source: Jenks M, Craig J, Green W, Hewitt N, Arber M, Sims AJ. Tegaderm CHG IV securement
dressing for central venous and arterial catheter insertion sites: a NICE medical technology
guidance. Appl Health Econ Health Policy 2016;14:135-149, table 4 (inputs) and the base case of
its Excel model, as rdecision's test-model-Tegaderm.R asserts: expected cost per patient
£151.29 with the standard dressing and £77.75 with Tegaderm CHG (saving £73.54).

Inputs (table 4): catheter-related bloodstream infection (CRBSI) 1.48 per 1,000 catheter days,
local site infection (LSI) 0.14 per 1,000 days, dermatitis 1 in 476 catheters (Beta(1, 475)
mean); Tegaderm hazard ratio 0.402 for CRBSI and LSI, relative risk 1.0 for dermatitis; costs
£9,900 (CRBSI), £100 (LSI), £6 (dermatitis); 10 catheter days, 3 dressings at £1.54 (standard)
or £6.26 (Tegaderm CHG).

Convention: a decision tree over one catheter episode (7-day horizon), probabilities = rate x
catheter days / 1,000 (times the hazard ratio for Tegaderm), costs on branches, no discounting.
"""

import pytest

import healthecon as he
from healthecon.tree import C, Chance, Decision, DecisionTree, Terminal

DAYS, DRESSINGS = 10.0, 3.0
P_CRBSI, P_LSI, P_DERM = 1.48 * DAYS / 1000, 0.14 * DAYS / 1000, 1 / 476


def episode(hr, rr, dressing_cost):
    """Dressings, then CRBSI (or not), then LSI (or not), then dermatitis (or not), as in Jenks et al.'s tree."""
    def dermatitis():
        return Chance([("dermatitis", P_DERM * rr, Terminal(cost=6.0)), ("no dermatitis", C, Terminal(cost=0.0))])

    def lsi(cost=0.0):
        return Chance([("LSI", P_LSI * hr, Chance([("dermatitis", P_DERM * rr, Terminal(cost=6.0)),
                                                    ("no dermatitis", C, Terminal(cost=0.0))], cost=100.0)),
                       ("no LSI", C, dermatitis())], cost=cost)

    return Chance([("CRBSI", P_CRBSI * hr, lsi(cost=9_900.0)), ("no CRBSI", C, lsi())],
                  cost=dressing_cost * DRESSINGS)


@pytest.fixture(scope="module")
def out():
    tree = DecisionTree(Decision({"standard dressing": episode(1.0, 1.0, 1.54), "Tegaderm CHG": episode(0.402, 1.0, 6.26)}))
    return tree.run(he.Parameters(x=0.0).base_case())


def test_expected_costs_per_patient_as_in_the_published_excel_model(out):
    assert out["cost"].sel(strategy="standard dressing").item() == pytest.approx(151.29, abs=0.005)
    assert out["cost"].sel(strategy="Tegaderm CHG").item() == pytest.approx(77.75, abs=0.005)
    saving = out["cost"].sel(strategy="standard dressing").item() - out["cost"].sel(strategy="Tegaderm CHG").item()
    assert saving == pytest.approx(151.29 - 77.75, abs=0.01)
