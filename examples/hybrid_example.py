"""A hybrid model: a short-term decision tree whose pathways continue in a Markov model
====================================================================================

Patients with a first episode are offered an intervention or usual care. In the tree phase
they respond or not; responders enter the long-term Markov model in "well", non-responders
in "sick". The Markov model (well / sick / dead, 20 annual cycles, 3.5% discounting,
half-cycle correction) is the same for both arms, so each starting state is run once and
shared by every leaf that starts there. One PSA and one one-way sensitivity analysis cover
both phases: ``p_resp_new`` changes the tree, ``p_relapse`` the Markov model, and both feed
the same outcome set.

All numbers are *illustrative assumptions*, not taken from a published model.

Prints the pathway table, the ICER table, the CEAC from a 10,000-draw PSA and the one-way
sensitivity of the ICER. Run ``python examples/hybrid_example.py``; add a directory to save
the drawing of the tree there as ``hybrid_tree.png``.
"""

import sys
import time
from pathlib import Path

from healthecon import cea, dsa
from healthecon.distributions import Beta, Gamma
from healthecon.markov import MarkovModel
from healthecon.params import Parameters
from healthecon.plot.tree import plot_tree
from healthecon.tree import C, Chance, Decision, DecisionTree, MarkovLeaf, Terminal

params = Parameters(
    p_resp_usual=Beta.from_events(30, 100), p_resp_new=Beta.from_events(45, 100),
    c_intervention=Gamma.from_mean_se(1200, 150),
    p_relapse=Beta.from_events(10, 100), p_recover=Beta.from_events(20, 100), p_die_sick=Beta.from_events(3, 100),
    c_sick=Gamma.from_mean_se(2500, 300), u_well=Beta.from_mean_se(0.85, 0.03), u_sick=Beta.from_mean_se(0.60, 0.05),
)

long_term = MarkovModel(
    states=["well", "sick", "dead"], strategies=["long term"],
    transitions=lambda p, s: {
        "well": {"well": C, "sick": p["p_relapse"], "dead": 0.01},
        "sick": {"well": p["p_recover"], "sick": C, "dead": p["p_die_sick"]},
        "dead": {"dead": 1},
    },
    start={"well": 1}, n_cycles=20, correction="half-cycle",
    state_rewards={"cost_care": lambda p, s: {"sick": p["c_sick"]},
                   "qaly": lambda p, s: {"well": p["u_well"], "sick": p["u_sick"]}},
)


def arm(p_response, **costs):
    """Respond (continue in the Markov model from "well") or not (from "sick")."""
    return Chance([
        ("responds", p_response, Terminal("responder", markov=MarkovLeaf(long_term, start="well"))),
        ("does not respond", C, Terminal("non-responder", markov=MarkovLeaf(long_term, start="sick"))),
    ], **costs)


tree = DecisionTree(Decision({
    "usual care": arm("p_resp_usual"),
    "intervention": arm("p_resp_new", cost_intervention="c_intervention"),
}, name="first episode"))

base = params.base_case()
print(tree.pathways(base)[["path", "probability", "cost", "qaly"]].round(3).to_string(index=False))
print()
print(cea.format_icer_table(cea.icer_table(tree.run(base))).to_string())
print()
start = time.perf_counter()
psa = tree.run(params.sample(10_000, seed=2026))
seconds = time.perf_counter() - start
print(f"PSA: 10,000 draws of the whole hybrid model in {seconds:.2f} s")
print("Probability cost-effective, by £ per QALY:")
print(cea.ceac(psa, [20_000, 30_000]).to_pandas().round(3).to_string())
print()
print("One-way sensitivity of the ICER (tree and Markov parameters alike), 95% ranges")
print("(a negative ICER here means the intervention saves money and gains QALYs):")
tornado = dsa.one_way(tree, params, outcome="icer")
print(tornado[["low", "high", "outcome_low", "outcome_high"]].head(5).round(3).to_string())

if len(sys.argv) > 1:
    path = Path(sys.argv[1]) / "hybrid_tree.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    plot_tree(tree, base).figure.savefig(path, dpi=120)
    print(f"\nwrote {path}")
