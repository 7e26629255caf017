"""A decision tree with three decision nodes: test, then sell or dig (Kaminski et al. 2018).

Source: Kaminski B, Jakubczyk M, Szufel P. A framework for sensitivity analysis of decision trees.
Cent Eur J Oper Res 2018;26:135-159 (the shale-gas example), as rdecision's
tests/testthat/test-model-ShaleGas.R reproduces it: selling the field earns 800; digging costs
300 and finds gas (worth 2,500) with probability 0.7; a test costing 50 has sensitivity 0.9 and
specificity 0.7, after which the field sells for 1,000 (positive) or 600 (negative). Printed:
the optimal policy is test, then sell on a negative and dig on a positive result; the policy
test-sell-sell costs 50 and earns 888; the path test -> positive -> dig -> gas has a
probability-weighted cost of 220.5.

Convention: each policy (a choice at every decision node) is one strategy, as rdecision's
strategy table enumerates them; payoff = benefit - cost, expected values, no discounting.
healthecon's DecisionTree has one decision at its root, so the later decisions are fixed per
strategy.
"""

import pytest

import healthecon as he
from healthecon.tree import C, Chance, Decision, DecisionTree, Terminal

P_GAS, SENS, SPEC = 0.7, 0.9, 0.7
P_POS = SENS * P_GAS + (1 - SPEC) * (1 - P_GAS)
P_GAS_POS, P_GAS_NEG = SENS * P_GAS / P_POS, (1 - SENS) * P_GAS / (1 - P_POS)


def dig(p_gas):
    return Chance([("gas", p_gas, Terminal(benefit=2_500.0)), ("no gas", C, Terminal(benefit=0.0))], cost=300.0)


def after(result, choice):
    price, p_gas = {"negative": (600.0, P_GAS_NEG), "positive": (1_000.0, P_GAS_POS)}[result]
    return Terminal(benefit=price) if choice == "sell" else dig(p_gas)


def policies():
    arms = {"sell": Terminal(benefit=800.0), "dig": dig(P_GAS)}
    for on_negative in ("sell", "dig"):
        for on_positive in ("sell", "dig"):
            arms[f"test_{on_negative}_{on_positive}"] = Chance(
                [("negative", 1 - P_POS, after("negative", on_negative)), ("positive", P_POS, after("positive", on_positive))],
                cost=50.0)
    return DecisionTree(Decision(arms), effect="benefit")


@pytest.fixture(scope="module")
def out():
    return policies().run(he.Parameters(x=0.0).base_case())


def test_the_optimal_policy_is_test_then_sell_if_negative_and_dig_if_positive(out):
    payoff = (out["benefit"] - out["cost"]).isel(sample=0).to_pandas()
    assert payoff.idxmax() == "test_sell_dig"


def test_test_sell_sell_costs_50_and_earns_888(out):
    assert out["cost"].sel(strategy="test_sell_sell").item() == pytest.approx(50.0, abs=0.5)
    assert out["benefit"].sel(strategy="test_sell_sell").item() == pytest.approx(888.0, abs=0.5)


def test_probability_weighted_cost_of_the_positive_dig_gas_path(out):
    paths = policies().pathways(he.Parameters(x=0.0).base_case()).set_index("path")
    row = paths.loc["test_sell_dig > positive > gas"]
    assert row["probability"] * row["cost"] == pytest.approx(220.5, abs=0.05)
