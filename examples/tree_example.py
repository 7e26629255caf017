"""A decision tree in a few lines: sumatriptan versus caffeine/ergotamine for migraine
===================================================================================

The tree of Evans et al. (*PharmacoEconomics* 1997;12:565-577), worked in Briggs, Claxton &
Sculpher (2006), ch. 2. Published results per attack: expected cost C$22.06 (sumatriptan)
and C$4.71 (caffeine/ergotamine), expected utility 0.42 and 0.20. The point values below are
the published inputs; the PSA distributions (Beta/Gamma with a standard error of 10% of the
mean) are *assumed*, for illustration only.

Prints the ICER table, the pathway table (probability, cost and utility of every pathway) and
the CEAC from a 5,000-draw PSA. Run ``python examples/tree_example.py``; add a directory to
save the drawing of the tree there as ``migraine_tree.png``
(``python examples/tree_example.py docs/images``).
"""

import sys
from pathlib import Path

from healthecon import cea
from healthecon.distributions import Beta, Gamma
from healthecon.params import Parameters
from healthecon.plot.tree import plot_tree
from healthecon.tree import C, Chance, Decision, DecisionTree, Terminal


def beta(mean):
    return Beta.from_mean_se(mean, 0.1 * mean, point=mean)


def gamma(mean):
    return Gamma.from_mean_se(mean, 0.1 * mean, point=mean)


params = Parameters(
    c_sumatriptan=16.10, c_caffeine=1.32, c_ed=gamma(63.16), c_admission=gamma(1093.0),
    p_relief_suma=beta(0.558), p_relief_caff=beta(0.379),
    p_recur_suma=beta(0.406), p_recur_caff=beta(0.297),
    p_endure=beta(0.920), p_admit=beta(0.002),
)


def arm(drug, relief, recur):
    """One strategy: the drug's cost, then relief (or not), recurrence, the emergency department."""
    relieved = Chance([("recurrence relieved with 2nd dose", recur, Terminal("B", utility=0.9, cost=drug)),
                       ("no recurrence", C, Terminal("A", utility=1.0))])
    emergency = Chance([("hospitalised", "p_admit", Terminal("E", utility=-0.3, cost="c_admission")),
                        ("relief", C, Terminal("D", utility=0.1))], cost="c_ed")
    not_relieved = Chance([("endures attack", "p_endure", Terminal("C", utility=-0.3)),
                           ("emergency department", C, emergency)])
    return Chance([("relief", relief, relieved), ("no relief", C, not_relieved)], cost=drug)


tree = DecisionTree(
    Decision({"sumatriptan": arm("c_sumatriptan", "p_relief_suma", "p_recur_suma"),
              "caffeine/ergotamine": arm("c_caffeine", "p_relief_caff", "p_recur_caff")},
             name="migraine attack"),
    effect="utility", currency="C$",
)

base = tree.run(params.base_case())
table = cea.format_icer_table(cea.icer_table(base), effect_unit="utility", effect_decimals=2, cost_decimals=2)
print(table.to_string())
print()
paths = tree.pathways(params.base_case())
print(paths[["path", "probability", "cost", "utility"]].round(4).to_string(index=False))
print()
psa = tree.run(params.sample(5000, seed=1))  # one vectorised roll-back for all 5,000 draws
print("Probability cost-effective, by C$ per unit of utility:")
print(cea.ceac(psa, [50, 100, 200]).to_pandas().round(3).to_string())

if len(sys.argv) > 1:
    path = Path(sys.argv[1]) / "migraine_tree.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    plot_tree(tree, params.base_case()).figure.savefig(path, dpi=120)
    print(f"\nwrote {path}")
