"""Cost-effectiveness analysis of a probabilistic sensitivity analysis (PSA), start to finish
==========================================================================================

Four falls-prevention strategies for older people, with 5,000 PSA samples of lifetime cost
and QALYs per person. The numbers are illustrative (simulated here, not from a study): in
practice the outcome set comes from a healthecon model's ``run`` or from another tool's
output through ``healthecon.outcomes.from_dataframe``.

Prints the ICER table (with dominance), each strategy against usual care at £20,000 per
QALY and the optimal strategy at £20,000 and £30,000, and writes the CEAC used in the README
to ``ceac.png`` in the output directory (default: a new temporary directory).
Run: ``python examples/cea_example.py [output_directory]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from healthecon import cea
from healthecon.outcomes import make_outcomes
from healthecon.plot.cea import plot_ceac

STRATEGIES = ["Usual care", "Exercise classes", "Home hazard assessment", "Multifactorial"]
MEAN_COST = np.array([2000.0, 2600.0, 2900.0, 3600.0])  # £ per person, lifetime (illustrative)
MEAN_QALY_GAIN = np.array([0.0, 0.040, 0.045, 0.080])  # QALYs gained over usual care (illustrative)


def simulate(n: int = 5000, seed: int = 42):
    """An illustrative PSA: costs Gamma (CV 15%), QALYs a shared baseline plus Normal gains."""
    rng = np.random.default_rng(seed)
    shape = 1 / 0.15**2
    cost = rng.gamma(shape, MEAN_COST / shape, size=(n, 4))
    baseline = rng.normal(6.0, 0.3, size=(n, 1))
    gain = rng.normal(MEAN_QALY_GAIN, [0.0, 0.02, 0.025, 0.04], size=(n, 4))
    return make_outcomes({"cost": cost, "qaly": baseline + gain}, strategies=STRATEGIES, effect="qaly",
                         currency="£", effect_unit="QALY")


def main(output: Path) -> None:
    outcomes = simulate()
    with pd.option_context("display.width", 120):
        print(cea.format_icer_table(cea.icer_table(outcomes)).to_string())
        print()
        table = cea.pairwise(outcomes, "Usual care", wtp=20_000)
        print(table[["inc_cost", "inc_effect", "icer", "inc_nmb", "inc_nmb_lower", "inc_nmb_upper",
                     "p_cost_effective"]].round(3).to_string())
    print()
    best = cea.ceaf(outcomes, [20_000, 30_000])
    for lam, name, prob in zip(best["wtp"].values, best["optimal"].values, best["probability"].values):
        print(f"At £{lam:,.0f} per QALY the optimal strategy is {name} (probability {prob:.2f})")
    ax = plot_ceac(outcomes, np.linspace(0, 50_000, 101))
    ax.figure.set_size_inches(7.5, 4.4)
    output.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(output / "ceac.png", dpi=150)
    print(f"CEAC written to {output / 'ceac.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="healthecon_")))
