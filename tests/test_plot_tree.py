"""Drawing decision trees: the markers, labels, probabilities and payoffs actually drawn."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pytest

from healthecon.plot.tree import plot_tree
from healthecon.tree import C, Chance, Decision, DecisionTree, MarkovLeaf, Terminal

from test_tree import gas_tree, make_draws, migraine_tree, progression_model

MIGRAINE_DRAWS = dict(c_sumatriptan=16.10, c_caffeine=1.32, c_ed=63.16, c_admission=1093.0)


def markers(ax, kind: str) -> list[tuple[float, float]]:
    lines = [line for line in ax.lines if line.get_gid() == kind]
    return [tuple(xy) for line in lines for xy in line.get_xydata()]


def texts(ax, gid: str | None = None) -> list[str]:
    return [t.get_text() for t in ax.texts if gid is None or t.get_gid() == gid]


def test_one_marker_per_node_of_each_kind():
    ax = plot_tree(migraine_tree())
    assert len(markers(ax, "decision")) == 1
    assert len(markers(ax, "chance")) == 8
    assert len(markers(ax, "terminal")) == 10
    assert [line.get_marker() for line in ax.lines if line.get_gid() in ("decision", "chance", "terminal")] == ["s", "o", "<"]
    assert len([line for line in ax.lines if line.get_gid() == "branch"]) == 18


def test_labels_and_model_expressions_without_draws():
    tree = migraine_tree()
    ax = plot_tree(tree)
    labels = texts(ax, "label")
    assert sorted(labels) == sorted(branch.label for _, branch, _ in tree.walk() if branch is not None)
    probabilities = texts(ax, "probability")
    assert probabilities.count("#") == 8 and probabilities.count("0.558") == 1 and probabilities.count("0.92") == 2
    payoffs = texts(ax, "payoff")
    assert "B: utility = 0.9, cost = c_sumatriptan" in payoffs
    assert "+ cost = c_ed" in texts(ax, "reward")
    assert "migraine attack" in texts(ax)


def test_expected_values_and_pathway_payoffs_with_draws():
    ax = plot_tree(migraine_tree(), make_draws(**MIGRAINE_DRAWS))
    expected = texts(ax, "expected")
    # The published roll-back values (Evans et al. 1997; Briggs et al. 2006, ch. 2).
    assert "EV C$22.06  utility 0.417" in expected
    assert "EV C$4.71  utility 0.201" in expected
    assert len(expected) == 8  # every chance node (the first of each strategy carries its EV)
    payoffs = texts(ax, "payoff")
    assert "A: C$16.10  utility 1" in payoffs  # pathway totals: the drug cost accrues on the way
    assert "E: C$1,172.26  utility -0.3" in payoffs  # pennies throughout: every amount is below 10,000
    probabilities = texts(ax, "probability")
    assert "# = 0.442" in probabilities and "0.558" in probabilities


def test_markov_leaves_are_labelled():
    model = progression_model()
    tree = DecisionTree(Decision({"drug": Chance([
        ("responds", 0.6, Terminal("responder", markov=MarkovLeaf(model, start="well"))),
        ("no response", C, Terminal("non-responder",
                                    markov=MarkovLeaf(model, "enhanced", {"well": 0.5, "sick": C}, delay=0.5))),
    ])}))
    payoffs = texts(plot_tree(tree), "payoff")
    assert payoffs[0].endswith("→ Markov (standard, start well)")
    assert payoffs[1].endswith("→ Markov (enhanced, start well 0.5, sick #, after 0.5 y)")


def test_draws_on_the_given_axes():
    _, ax = plt.subplots()
    assert plot_tree(migraine_tree(), ax=ax) is ax


def twenty_leaf_tree() -> DecisionTree:
    def arm(name: str) -> Chance:
        def severity(level: str) -> Chance:
            return Chance([("recovers", 0.7, Terminal(f"{level} recovered", qaly=0.9, cost=100)),
                           ("relapses", 0.2, Terminal(f"{level} relapsed", qaly=0.6, cost=900)),
                           ("dies", C, Terminal(f"{level} died", qaly=0.0, cost=2000))])

        return Chance([("mild", 0.5, severity("mild")), ("moderate", 0.3, severity("moderate")),
                       ("severe", C, Chance([("admitted", 0.6, severity("admitted")),
                                             ("treated at home", C, Terminal("home", qaly=0.4, cost=300))]))],
                      cost=f"c_{name}")

    return DecisionTree(Decision({"standard care": arm("standard"), "new pathway": arm("new")}, name="Pathway"))


def test_twenty_leaf_tree_is_readable():
    tree = twenty_leaf_tree()
    ax = plot_tree(tree, make_draws(c_standard=50.0, c_new=400.0))
    assert len(markers(ax, "terminal")) == 20
    renderer = ax.figure.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
    overlapping = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
    assert overlapping == []
    figure = ax.figure.bbox
    assert all(figure.x0 <= box.x0 and box.x1 <= figure.x1 for _, box in boxes)


@pytest.mark.parametrize("leaves", [1, 2, 5])
def test_small_trees(leaves):
    tree = DecisionTree(Decision({f"s{i}": Terminal(cost=i) for i in range(leaves)}))
    ax = plot_tree(tree, make_draws())
    assert len(markers(ax, "terminal")) == leaves
    assert texts(ax, "payoff") == [f"£{i}" for i in range(leaves)]  # whole amounts: no pennies


def test_chosen_variables_are_shown_and_unknown_ones_named():
    ax = plot_tree(migraine_tree(), make_draws(**MIGRAINE_DRAWS), variables=["utility"])
    assert "EV utility 0.417" in texts(ax, "expected")
    with pytest.raises(LookupError, match="unknown outcome 'qaly'; expected one of: 'cost', 'utility'"):
        plot_tree(migraine_tree(), make_draws(**MIGRAINE_DRAWS), variables=["qaly"])


def test_later_decisions_are_drawn_once_with_values_only_where_they_do_not_depend_on_a_choice():
    ax = plot_tree(gas_tree(), make_draws())
    assert len(markers(ax, "decision")) == 3  # the root and the two decisions after the test
    assert len(markers(ax, "chance")) == 4 and len(markers(ax, "terminal")) == 9
    expected = texts(ax, "expected")
    # "test" depends on the later choices: no single value; each dig node has one.
    assert not any(text.startswith("EV £50") for text in expected)
    assert "EV £300.00  benefit £1,750.00" in expected  # dig now: 0.7 * 2500
    assert "EV £350.00  benefit £2,187.50" in expected  # dig after a positive test: 0.875 * 2500, cost 50 + 300
    assert "£50.00  benefit £1,000.00" in texts(ax, "payoff")  # test, positive, sell


@pytest.mark.parametrize("costs, expected", [
    ((0.0, 21_752.4), ["£0", "£21,752"]),  # a large amount: whole pounds everywhere, no "£0.00" beside it
    ((0.0, 17.5), ["£0.00", "£17.50"]),  # all small, with pennies: pennies everywhere
    ((3.0, 9_999.0), ["£3", "£9,999"]),  # whole amounts: no ".00"
])
def test_one_money_format_per_chart(costs, expected):
    tree = DecisionTree(Decision({f"s{i}": Terminal(cost=c) for i, c in enumerate(costs)}))
    ax = plot_tree(tree, make_draws())
    assert texts(ax, "payoff") == expected
