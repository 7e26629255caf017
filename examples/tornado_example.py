"""Deterministic sensitivity analysis and value of information for a Markov model
==============================================================================

An illustrative three-state (well, ill, dead) Markov model of a new treatment that slows
progression, with parameters given distributions (the numbers are made up to show the
workflow, not taken from a study). The script prints the one-way analysis (the tornado
table), a threshold on the treatment's cost, two scenarios, then the EVPI and each
parameter's EVPPI from a 2,000-sample PSA, and writes the tornado diagram used in the README
to ``tornado.png`` in the output directory (default: a new temporary directory).
Run: ``python examples/tornado_example.py [output_directory]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

from healthecon import dsa, voi
from healthecon.distributions import Beta, Gamma, LogNormal
from healthecon.markov import C, MarkovModel
from healthecon.params import Parameters
from healthecon.plot.dsa import plot_tornado

WTP = 20_000  # £ per QALY

PARAMS = Parameters(
    p_progress=Beta.from_mean_sd(0.15, 0.03),        # annual probability well -> ill
    p_die_ill=Beta.from_mean_sd(0.10, 0.02),         # annual probability ill -> dead
    hr_treatment=LogNormal.from_point_ci(0.70, 0.50, 0.95),  # effect on progression
    c_drug=Gamma.from_mean_sd(1_200, 150),           # £ per year on treatment (while well)
    c_ill=Gamma.from_mean_sd(4_000, 800),            # £ per year ill
    u_well=Beta.from_mean_sd(0.85, 0.05),
    u_ill=Beta.from_mean_sd(0.55, 0.08),
)


def transitions(p, strategy):
    progress = p["p_progress"] * (p["hr_treatment"] if strategy == "New treatment" else 1.0)
    return {"well": {"well": C, "ill": progress, "dead": 0.01},
            "ill": {"ill": C, "dead": p["p_die_ill"]},
            "dead": {"dead": 1}}


MODEL = MarkovModel(
    states=["well", "ill", "dead"], strategies=["Usual care", "New treatment"], transitions=transitions,
    start={"well": 1}, n_cycles=20, correction="half-cycle",
    state_rewards={
        "cost_drug": lambda p, s: {"well": p["c_drug"] if s == "New treatment" else 0.0},
        "cost_care": lambda p, s: {"ill": p["c_ill"]},
        "qaly": lambda p, s: {"well": p["u_well"], "ill": p["u_ill"]},
    },
)


def main(output: Path) -> None:
    with pd.option_context("display.width", 120):
        table = dsa.one_way(MODEL, PARAMS, wtp=WTP)  # each parameter at its 2.5th and 97.5th percentiles
        print(f"One-way sensitivity of the incremental net benefit (New treatment vs Usual care) at £{WTP:,} per QALY")
        print(table[["low", "high", "outcome_low", "outcome_high", "swing"]].round(2).to_string())
        print()
        print(dsa.threshold(MODEL, PARAMS, "c_drug", bounds=(500, 5000), wtp=WTP))
        print()
        named = {"cheaper drug": {"c_drug": 800.0}, "weaker effect": {"hr_treatment": 0.9}}
        print(dsa.scenarios(MODEL, PARAMS, named, wtp=WTP).round(2).to_string())
        print()
        draws = PARAMS.sample(2000, seed=1)
        outcomes = MODEL.run(draws)
        print(f"EVPI per person at £{WTP:,}: £{float(voi.evpi(outcomes, WTP)[0]):,.2f}")
        print(voi.evppi_ranking(outcomes, draws, WTP)[["evppi", "se", "share_of_evpi"]].round(2).to_string())
    ax = plot_tornado(table)
    output.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(output / "tornado.png", dpi=120)
    print(f"\nwrote {output / 'tornado.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="healthecon_")))
