"""Patient-level cost-effectiveness analysis of a two-arm trial, start to finish (SYNTHETIC data)
==============================================================================================

500 SYNTHETIC trial participants (healthecon.ipd.synthetic.simulate_trial: not real patients),
with three cost items, EQ-5D at 0, 6 and 12 months and some missing values. The script

1. reads and checks the table, computes QALYs by area under the curve and discounts at 3.5%;
2. reports missing data by arm and variable;
3. bootstraps the complete cases (5,000 replicates within arm): means by arm, increments with
   BCa intervals, the ICER with Fieller's and the bootstrap intervals, P(cost-effective);
4. adjusts: seemingly unrelated regression (cost on age and sex, QALYs on baseline utility,
   Manca et al. 2005), a gamma GLM with log link for costs (recycled predictions), and
   net-benefit regression;
5. imputes the missing values by chained equations (10 imputations, predictive mean matching),
   bootstraps each completed dataset and pools by Rubin's rules (Faria et al. 2014);

and prints the table an HTA reviewer expects. With an output directory it also writes the CE
plane and CEAC of the multiple-imputation analysis to ``ipd_ce_plane.png``.
Run: ``python examples/ipd_example.py [output_directory]`` (needs ``pip install healthecon[ipd]``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from healthecon import cea, ipd
from healthecon.plot import plot_ce_plane, plot_ceac

WTP = (20000.0, 30000.0)
ARMS = ["usual care", "new"]


def read(frame: pd.DataFrame) -> ipd.PatientData:
    """Costs in year 1 (not discounted); QALYs from EQ-5D at 0, 6 and 12 months, discounted at 3.5%."""
    return ipd.read_patients(
        frame, id="id", arm="arm", arms=ARMS, costs=["cost_drug", "cost_visits", "cost_hospital"],
        utilities={"eq5d_0": 0.0, "eq5d_6": 0.5, "eq5d_12": 1.0}, follow_up="years", covariates=["age", "female"],
        discount_costs=0.035, discount_effects=0.035)


def increments_row(name: str, cost: tuple[float, float, float], qaly: tuple[float, float, float]) -> dict[str, str]:
    """One row of the adjusted-analyses table: incremental cost and QALYs with 95% intervals."""
    return {"analysis": name, "incremental cost": ipd.tables.money(cost[0]),
            "95% CI (cost)": f"{ipd.tables.money(cost[1])} to {ipd.tables.money(cost[2])}",
            "incremental QALYs": f"{qaly[0]:.3f}", "95% CI (QALYs)": f"{qaly[1]:.3f} to {qaly[2]:.3f}",
            "ICER": ipd.tables.money(cost[0] / qaly[0]) if qaly[0] > 0 and cost[0] > 0 else "see CE plane"}


def boot_row(name: str, result: ipd.IPDResult) -> dict[str, str]:
    s = result.summary()
    c, q = s.loc[("cost", "new vs usual care")], s.loc[("qaly", "new vs usual care")]
    return increments_row(name, (c.estimate, c.lower, c.upper), (q.estimate, q.lower, q.upper))


def main(output: Path | None = None) -> None:
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 80)
    frame = ipd.synthetic.simulate_trial(250, seed=2024)
    print(frame.attrs["note"])
    data = read(frame)
    print(f"\n{len(data.table)} participants; missing data by arm (number and %):")
    print(ipd.missingness(data, ["cost_visits", "cost", "qaly", "age"]).to_string())

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ipd.MissingDataWarning)
        complete = ipd.complete_cases(data)
    print(f"\nWarning: {caught[0].message}")

    result = ipd.bootstrap(complete, 5000, seed=1)
    print(f"\nComplete cases, {result.replicates.sizes['sample']:,} bootstrap replicates within arm "
          "(BCa intervals for means and increments):")
    print(ipd.hta_table(result, wtp=WTP).to_string())

    covariates = {"cost": ["age", "female"], "qaly": ["baseline_utility"]}
    sur = ipd.sur_table(complete, cost_covariates=covariates["cost"], effect_covariates=covariates["qaly"]).loc["new"]
    glm = ipd.bootstrap(complete, 5000, seed=1, method="glm", covariates=covariates)
    nbr = ipd.net_benefit_regression(complete, list(WTP), covariates=["age", "female", "baseline_utility"])
    rows = [
        boot_row("unadjusted means (bootstrap, BCa)", result),
        increments_row("SUR, linearmodels (analytic)", (sur.inc_cost, sur.cost_lower, sur.cost_upper),
                       (sur.inc_effect, sur.effect_lower, sur.effect_upper)),
        boot_row("SUR (bootstrap, BCa)", ipd.bootstrap(complete, 5000, seed=1, method="sur", covariates=covariates)),
        boot_row("GLM gamma/log costs, OLS QALYs (bootstrap)", glm),
    ]
    print("\nAdjusted increments, complete cases (cost: age, sex; QALYs: baseline utility, Manca et al. 2005):")
    print(pd.DataFrame(rows).set_index("analysis").to_string())
    print("\nNet-benefit regression (Hoch et al. 2002), new vs usual care:")
    print(nbr.loc["new"].round(3).to_string())

    mi = ipd.multiple_imputation(data, n_imputations=10, n_boot=500, seed=7)
    pooled = mi.pooled()
    print(f"\nMultiple imputation: {len(mi.results)} imputations (chained equations, predictive mean matching) x "
          f"500 bootstrap replicates, pooled by Rubin's rules:")
    shown = pooled.loc[[("cost", "new vs usual care"), ("qaly", "new vs usual care")],
                       ["estimate", "se", "lower", "upper", "fmi"]]
    print(shown.round({"estimate": 3, "se": 3, "lower": 3, "upper": 3, "fmi": 3}).to_string())
    p = cea.ceac(mi.replicates, list(WTP)).sel(strategy="new").values
    print(f"P(new is cost-effective) at £20,000: {p[0]:.3f}; at £30,000: {p[1]:.3f} "
          f"({mi.replicates.sizes['sample']:,} pooled replicates)")
    fieller = mi.fieller()["new"]
    print(f"ICER after imputation: {ipd.tables.money(fieller.icer)} per QALY, Fieller 95% set {fieller.describe()}")

    if output is None:
        print("\nGive an output directory to save the CE plane and CEAC.")
        return
    output.mkdir(parents=True, exist_ok=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    plot_ce_plane(mi.replicates, "usual care", wtp=list(WTP), ellipse=0.95, ax=left)
    left.set_title("CE plane: new vs usual care (MI x bootstrap, SYNTHETIC)")
    plot_ceac(mi.replicates, np.linspace(0, 60000, 121), ax=right)
    right.set_title("Cost-effectiveness acceptability (SYNTHETIC)")
    fig.tight_layout()
    fig.savefig(output / "ipd_ce_plane.png", dpi=120)
    plt.close(fig)
    print(f"\nwrote {output / 'ipd_ce_plane.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
