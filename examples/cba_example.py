"""Cost-benefit / ROI of an illustrative five-year home-from-hospital service, with uncertainty
============================================================================================

Made-up numbers that show the workflow (not a study): the council pays for set-up and a
team; the NHS gains from bed days avoided (non-cashable unless wards close), the council from
care packages avoided (cashable), individuals from unpaid care avoided (social). Costs carry
the Green Book's optimism-bias uplift for outsourced services (41%, Mott MacDonald 2002,
Table 2) and benefits a 10% haircut; flows are discounted with the Green Book schedule. The
script prints both return conventions, P(NPV > 0), who pays and who gains, the cashable
split, switching values and a one-way analysis of the return (healthecon.dsa); then writes
cba.png in the output directory (default: a new temporary directory). Run:
``python examples/cba_example.py [output_directory]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from healthecon import dsa, optimism  # noqa: E402
from healthecon.appraisal import category_table, format_headlines, party_table, switching_values  # noqa: E402
from healthecon.cba import CBAModel, benefit_flow, cost_flow  # noqa: E402
from healthecon.discount import GREEN_BOOK_STANDARD  # noqa: E402
from healthecon.distributions import Beta, Gamma  # noqa: E402
from healthecon.params import Parameters  # noqa: E402
from healthecon.plot.money import plot_cashflows, plot_waterfall  # noqa: E402

PARAMS = Parameters(
    bed_days=Gamma.from_mean_sd(900, 250),         # bed days avoided per year
    bed_day_cost=Gamma.from_mean_sd(345, 40),      # £ per bed day
    packages=Gamma.from_mean_sd(40, 12),           # care packages avoided per year
    package_cost=Gamma.from_mean_sd(6_000, 900),   # £ per package
    unpaid_care=Gamma.from_mean_sd(60_000, 20_000),  # £ of unpaid care avoided per year
    haircut=Beta.from_mean_sd(0.10, 0.03),         # optimism bias on benefits (local evidence)
)

YEARS = [1, 2, 3, 4, 5]
MODEL = CBAModel(
    [
        cost_flow("set-up", "council", [120_000.0], category="fiscal_cashable"),
        cost_flow("home-from-hospital team", "council", [250_000.0] * 5, years=YEARS, category="fiscal_cashable"),
        benefit_flow("bed days avoided", "NHS", ["bed_day_cost"] * 5, years=YEARS, quantity="bed_days",
                category="fiscal_non_cashable"),
        benefit_flow("care packages avoided", "council", ["package_cost"] * 5, years=YEARS, quantity="packages",
                category="fiscal_cashable"),
        benefit_flow("unpaid care avoided", "individuals", ["unpaid_care"] * 5, years=YEARS, category="social"),
    ],
    name="home from hospital",
    discount=GREEN_BOOK_STANDARD,
    cost_uplift=optimism.uplift("outsourcing"),
    benefit_haircut="haircut",
)


def main(output: Path) -> None:
    base = MODEL.run(PARAMS.base_case())
    psa = MODEL.run(PARAMS.sample(5_000, seed=7))
    print("Base case")
    print(format_headlines(base))
    print("\nProbabilistic (5,000 draws)")
    print(format_headlines(psa))
    with pd.option_context("display.float_format", "{:,.0f}".format, "display.width", 120):
        print("\nWho pays, who gains (present values, base case)")
        print(party_table(base))
        print("\nBy kind of value (present values, base case)")
        print(category_table(base))
    print("\nSwitching values (base case)")
    print(switching_values(base).round(3).to_string())
    table = dsa.one_way(MODEL, PARAMS, outcome="bcr", comparator=None)
    print("\nOne-way sensitivity of the return per £1 (95% ranges), largest first")
    print(table[["low", "high", "outcome_low", "outcome_high"]].head(4).round(2).to_string())

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
    plot_cashflows(base, ax=left)
    plot_waterfall(base, ax=right)
    output.mkdir(parents=True, exist_ok=True)
    fig.savefig(output / "cba.png", dpi=110)
    print(f"\nwrote {output / 'cba.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="healthecon_")))
