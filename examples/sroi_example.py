"""SROI of an illustrative social-prescribing service, with uncertainty
====================================================================

The impact map below is made up to show the workflow (it is not taken from a study): three
outcomes for three stakeholders, financial proxies and deductions given distributions, the
investment split between the council and the NHS. The script prints the SROI ratio both ways
(gross £ per £1 and net), the probability that the ratio exceeds 1 and 2, who gains, the
waterfall from gross to net value, and the one-way sensitivity of the ratio to each proxy and
deduction (Cabinet Office, A guide to Social Return on Investment, 2012, sections 4-5); then
writes sroi.png in the output directory (default: a new temporary directory). Run:
``python examples/sroi_example.py [output_directory]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from healthecon.appraisal import acceptability, format_headlines, party_table, waterfall_steps  # noqa: E402
from healthecon.dsa import one_way_impact_map  # noqa: E402
from healthecon.distributions import Beta, Gamma  # noqa: E402
from healthecon.params import Parameters  # noqa: E402
from healthecon.plot.money import plot_acceptability, plot_waterfall  # noqa: E402
from healthecon.sroi import ImpactMap, Investment, Outcome, SROIModel  # noqa: E402

PARAMS = Parameters(
    proxy_wellbeing=Gamma.from_mean_sd(1_500, 400),   # £ per person, wellbeing valuation
    proxy_gp=Gamma.from_mean_sd(42, 5),               # £ per GP appointment avoided
    proxy_carer=Gamma.from_mean_sd(2_000, 500),       # £ per carer able to keep working
    dw_wellbeing=Beta.from_mean_sd(0.30, 0.08),       # would have improved anyway
    attr_wellbeing=Beta.from_mean_sd(0.25, 0.08),     # credit due to others
)

IMPACT_MAP = ImpactMap(
    outcomes=[
        Outcome("improved wellbeing", "patients", quantity=120, proxy="proxy_wellbeing", duration=2,
                deadweight="dw_wellbeing", attribution="attr_wellbeing", drop_off=0.4,
                indicator="WEMWBS gain >= 3 points", proxy_source="wellbeing valuation (illustrative)"),
        Outcome("fewer GP appointments", "NHS", quantity=600, proxy="proxy_gp", duration=3,
                deadweight=0.2, attribution=0.1, drop_off=0.2, category="fiscal_non_cashable",
                indicator="appointments per patient, 12 months before/after", proxy_source="unit cost (illustrative)"),
        Outcome("carers stay in work", "carers", quantity=15, proxy="proxy_carer", duration=2,
                deadweight=0.3, displacement=0.1, drop_off=0.3, category="economic",
                indicator="carers reporting they kept their job", proxy_source="earnings (illustrative)"),
    ],
    investment=[Investment("council", 90_000.0), Investment("NHS", 30_000.0)],
    stakeholders=["patients", "NHS", "carers"],
    name="social prescribing",
)


def main(output: Path) -> None:
    model = SROIModel(IMPACT_MAP)  # 3.5% discounting, year-1 impact discounted (the guide's convention)
    base = model.run(PARAMS.base_case())
    psa = model.run(PARAMS.sample(5_000, seed=2024))
    print("Base case")
    print(format_headlines(base))
    print("\nProbabilistic (5,000 draws)")
    print(format_headlines(psa, target=2.0))
    prob = acceptability(psa, [1.0, 2.0]).sel(strategy="social prescribing").values
    print(f"P(SROI ratio > 1) = {prob[0]:.3f}, P(SROI ratio > 2) = {prob[1]:.3f}")
    with pd.option_context("display.float_format", "{:,.0f}".format, "display.width", 120):
        print("\nWho pays, who gains (present values, base case)")
        print(party_table(base))
        print("\nFrom gross value to net present value (base case)")
        print(waterfall_steps(base).to_string())
    with pd.option_context("display.float_format", "{:,.3f}".format, "display.width", 120):
        print("\nOne-way sensitivity of the SROI ratio (each field -20% / +20%), largest first")
        table = one_way_impact_map(model, PARAMS.base_case(), change=0.2)
        print(table.head(6)[["outcome", "field", "base", "outcome_low", "outcome_high"]].to_string(index=False))

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
    plot_waterfall(base, ax=left)
    plot_acceptability(psa, ax=right)
    output.mkdir(parents=True, exist_ok=True)
    fig.savefig(output / "sroi.png", dpi=110)
    print(f"\nwrote {output / 'sroi.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="healthecon_")))
