"""Budget impact of an illustrative new drug for an integrated care board, with uncertainty
========================================================================================

Made-up numbers that show the workflow (not a study), following ISPOR good practice (Sullivan
et al. 2014): an ICB of 1.2 million people (growing 0.5% a year) with 0.4% prevalence and 0.08%
incidence of a chronic condition, 70% of them eligible. The drug's uptake rises from 10% to 50%
over five years. Costs per patient by year since starting treatment come from a three-state
Markov model (stable, progressed, dead) through its trace, so deaths and progression are in
them; the drug is paid by the NHS and avoids council-funded home care for those it keeps
stable. Every cost, prevalence and uptake is uncertain (1,000 PSA draws). The script prints
the budget impact per year by payer, the business-case table and writes budget_impact.png to
the output directory it is given. Run: ``python examples/bia_example.py OUTPUT_DIRECTORY``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from healthecon.bia import (  # noqa: E402
    BudgetImpactModel, C, Population, business_case_table, costs_from_trace, impact_by_year, patient_cost,
)
from healthecon.distributions import Beta, Gamma, LogNormal  # noqa: E402
from healthecon.markov import MarkovModel  # noqa: E402
from healthecon.params import Parameters  # noqa: E402
from healthecon.plot.bia import plot_budget_impact  # noqa: E402

PARAMS = Parameters(
    prevalence=Beta.from_mean_sd(0.004, 0.0004),
    incidence=Beta.from_mean_sd(0.0008, 0.0001),
    p_progress=Beta.from_mean_sd(0.15, 0.02),        # per year, on usual care
    hr_drug=LogNormal.from_mean_sd(0.6, 0.08),        # drug's effect on progression
    p_die=Beta.from_mean_sd(0.10, 0.01),              # per year, after progression
    c_stable=Gamma.from_mean_sd(1_200, 150),          # NHS care, £ a year
    c_progressed=Gamma.from_mean_sd(6_500, 900),      # NHS care, £ a year
    c_home_care=Gamma.from_mean_sd(9_000, 1_500),     # council home care after progression, £ a year
    uptake_final=Beta.from_mean_sd(0.5, 0.08),        # share on the drug by year 5
    drug_price=3_400.0,                               # list price, £ a year while stable
)

DISEASE = MarkovModel(
    states=["stable", "progressed", "dead"],
    strategies=["usual care", "new drug"],
    transitions=lambda p, s: {
        "stable": {"stable": C, "progressed": p["p_progress"] * (p["hr_drug"] if s == "new drug" else 1.0)},
        "progressed": {"progressed": C, "dead": p["p_die"]},
        "dead": {"dead": 1.0},
    },
    start={"stable": 1.0},
    n_cycles=5,
    state_rewards={"ly": {"stable": 1, "progressed": 1}},
)


def budget_model(trace_outcomes, draws):
    """Costs per patient by year since start, from the Markov trace, and the two scenarios."""
    nhs_care = costs_from_trace(trace_outcomes, {"stable": "c_stable", "progressed": "c_progressed"}, draws)
    drug = costs_from_trace(trace_outcomes, lambda s: {"stable": "drug_price" if s == "new drug" else 0.0}, draws)
    home_care = costs_from_trace(trace_outcomes, {"progressed": "c_home_care"}, draws)
    return BudgetImpactModel(
        population=Population(population=1_200_000, prevalent="prevalence", incident="incidence",
                               growth=0.005, eligible=0.7),
        scenarios={
            "current care": {"usual care": 1.0},
            "with new drug": {"usual care": C, "new drug": [0.1, 0.2, 0.3, 0.4, "uptake_final"]},
        },
        costs=[
            patient_cost("drug acquisition", "NHS", drug),
            patient_cost("NHS care", "NHS", nhs_care),
            patient_cost("home care", "council", home_care),
        ],
        years=5,
        first_year=2026,
        name="new drug, 2026-2030",
    )


def main(output: Path) -> None:
    draws = PARAMS.sample(1_000, seed=11)
    base = PARAMS.base_case()
    base_out = budget_model(DISEASE.run(base, trace=True), base).run(base)
    psa = budget_model(DISEASE.run(draws, trace=True), draws).run(draws)
    with pd.option_context("display.float_format", "{:,.0f}".format, "display.width", 120):
        print("Budget impact by year and payer (£, undiscounted, base case)")
        print(impact_by_year(base_out, by="payer"))
        print("\nBudget impact by year and payer (£, undiscounted, mean of 1,000 PSA draws)")
        print(impact_by_year(psa, by="payer"))
        print("\nBy cost category (mean of the PSA)")
        print(impact_by_year(psa, by="category"))
    print("\nBusiness case table (PSA)")
    print(business_case_table(psa).to_string())
    p_over = float((psa["budget_impact"].sel(strategy="with new drug") > 5_000_000).mean())
    print(f"\nP(five-year budget impact above £5m) = {p_over:.3f}")

    ax = plot_budget_impact(psa)
    output.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(output / "budget_impact.png", dpi=110)
    plt.close(ax.figure)
    print(f"\nwrote {output / 'budget_impact.png'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("output", type=Path, help="folder to write budget_impact.png into")
    main(parser.parse_args().output)
