"""Sumatriptan versus caffeine/ergotamine for migraine: the decision tree of Evans et al. (1997).

Source: Evans KW, Boan JA, Evans JL, Shuaib A. Economic evaluation of oral sumatriptan compared
with oral caffeine/ergotamine for migraine. PharmacoEconomics 1997;12:565-577; worked in
Briggs, Claxton & Sculpher (2006), ch. 2 (and rdecision's vignette "Sumatriptan"). Printed
per attack: expected cost C$22.06 (sumatriptan) and C$4.71 (caffeine/ergotamine), expected
utility 0.42 and 0.20.

Convention: a one-attack decision tree, costs accumulated along each path (the drug at the
root of each arm, a second dose on recurrence, the emergency department, admission), no
discounting; utilities are the terminal values of Evans et al.
"""

import pytest

import healthecon as he
from healthecon.tree import C, Chance, Decision, DecisionTree, Terminal

INPUTS = dict(c_sumatriptan=16.10, c_caffeine=1.32, c_ed=63.16, c_admission=1093.0, p_relief_suma=0.558,
              p_relief_caff=0.379, p_recur_suma=0.406, p_recur_caff=0.297, p_endure=0.920, p_admit=0.002)


def arm(drug, relief, recur):
    relieved = Chance([("recurrence relieved with 2nd dose", recur, Terminal(utility=0.9, cost=drug)),
                       ("no recurrence", C, Terminal(utility=1.0))])
    emergency = Chance([("hospitalised", "p_admit", Terminal(utility=-0.3, cost="c_admission")),
                        ("relief", C, Terminal(utility=0.1))], cost="c_ed")
    not_relieved = Chance([("endures attack", "p_endure", Terminal(utility=-0.3)), ("emergency department", C, emergency)])
    return Chance([("relief", relief, relieved), ("no relief", C, not_relieved)], cost=drug)


@pytest.fixture(scope="module")
def out():
    tree = DecisionTree(Decision({"sumatriptan": arm("c_sumatriptan", "p_relief_suma", "p_recur_suma"),
                                  "caffeine/ergotamine": arm("c_caffeine", "p_relief_caff", "p_recur_caff")}),
                        effect="utility")
    return tree.run(he.Parameters(**INPUTS).base_case())


@pytest.mark.parametrize(("strategy", "cost", "utility"), [("sumatriptan", 22.06, 0.42), ("caffeine/ergotamine", 4.71, 0.20)])
def test_expected_cost_and_utility_per_attack_as_printed(out, strategy, cost, utility):
    assert out["cost"].sel(strategy=strategy).item() == pytest.approx(cost, abs=0.005)
    assert out["utility"].sel(strategy=strategy).item() == pytest.approx(utility, abs=0.005)
