"""Fit the six standard distributions and Royston-Parmar splines to a public trial, with diagnostics
=================================================================================================

The trial is GBSG-2 (German Breast Cancer Study Group 2; Schumacher et al. 1994, J Clin Oncol
12:2086): 686 women with node-positive breast cancer, recurrence-free survival by hormonal
therapy (tamoxifen, ``horTh``), as shipped with lifelines (``load_gbsg2``; times in days).
The script fits every model to each arm separately and all arms jointly with a treatment
effect, prints the AIC/BIC table and the restricted mean survival over a 30-year horizon of
each fit, then saves the diagnostics a NICE review group asks for (Kaplan-Meier with every
fitted curve, log cumulative hazard against log time, smoothed against fitted hazards,
extrapolations) as PNG files in the output directory (default: a new temporary directory).
Run: ``python examples/survival_fit.py [output_directory]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from lifelines.datasets import load_gbsg2  # noqa: E402

from healthecon.plot.survival import (  # noqa: E402
    plot_extrapolation,
    plot_hazards,
    plot_log_cumulative_hazard,
    plot_survival_fits,
)
from healthecon.survival import MODELS, fit_survival, restricted_mean, survival_data  # noqa: E402

HORIZON = 30  # years


def main(out: Path) -> None:
    frame = load_gbsg2().assign(arm=lambda f: f["horTh"].map({"no": "no tamoxifen", "yes": "tamoxifen"}))
    data = survival_data(frame, time="time", event="cens", arm="arm", time_unit="days")
    print(f"GBSG-2: {data.n} patients, {data.events} events; arms {', '.join(data.arms)}")

    separate = fit_survival(data, MODELS)
    joint_models = ["exponential", "weibull", "weibullPH", "gompertz", "llogis", "lnorm", "gengamma", "rp1", "rp2"]
    joint = fit_survival(data, joint_models, arms="joint")
    pd.set_option("display.width", 140)
    print("\nModel fit (AIC/BIC), each arm fitted separately:")
    print(separate.table().round(2).to_string(index=False))
    print("\nModel fit, all arms with a treatment effect on the location parameter:")
    print(joint.table().round(2).to_string(index=False))

    rows = []
    for (arm, model), fit in separate.items():
        rows.append({"arm": arm, "model": fit.label, "RMST (years)": float(restricted_mean(fit.curve(), HORIZON)[0])})
    order = [fit.label for fit in separate.for_arm(data.arms[0])]
    table = pd.DataFrame(rows).pivot(index="model", columns="arm", values="RMST (years)").loc[order]
    print(f"\nRestricted mean survival to {HORIZON} years (years), separate fits:")
    print(table.round(2).to_string())

    print()
    out.mkdir(parents=True, exist_ok=True)
    for arm in data.arms:
        slug = arm.replace(" ", "_")
        for name, draw in (
            ("km", lambda ax: plot_survival_fits(data, separate, arm=arm, ax=ax)),
            ("hazards", lambda ax: plot_hazards(data, separate, arm=arm, ax=ax)),
            ("extrapolation", lambda ax: plot_extrapolation(separate, HORIZON, arm=arm, data=data, ax=ax)),
        ):
            fig, ax = plt.subplots(figsize=(8.8, 4.6), layout="constrained")
            draw(ax)
            path = out / f"survival_{name}_{slug}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            print(f"wrote {path}")
    fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    plot_log_cumulative_hazard(data, ax=ax)
    path = out / "survival_log_cumulative_hazard.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="healthecon_survival_")))
