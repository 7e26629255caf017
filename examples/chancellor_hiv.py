"""Chancellor et al. (1997) HIV/AIDS model, as in Briggs, Claxton & Sculpher (2006), exercise 2.5
==============================================================================================

Zidovudine monotherapy versus zidovudine + lamivudine combination therapy, a four-state
Markov model (A: CD4 200-500 cells/mm3; B: CD4 < 200; C: AIDS; D: death), 20 annual cycles,
a cohort starting in A.

Inputs (Briggs et al. 2006, ch. 2, exercise 2.5, Tables 2.1-2.2, from Chancellor et al.,
*PharmacoEconomics* 1997;12(1):54-66):

- transition counts from the monotherapy arm: from A 1251/350/116/17 to A/B/C/D, from B
  731/512/15 to B/C/D, from C 1312/437 to C/D; probabilities are counts over row totals;
- relative risk of progression with combination therapy 0.509, applied to every
  transition out of a state (the probability of staying is the complement), for the 2
  years of combination therapy; afterwards monotherapy probabilities;
- annual costs: direct medical A £1,701, B £1,774, C £6,948; community care A £1,055,
  B £1,278, C £2,059; zidovudine £2,278; lamivudine £2,086.50 (2 years only);
- costs discounted at 6% a year, life-years undiscounted; cohort counted at the end of
  each cycle, cycle ``t`` discounted by ``1.06 ** -t`` (``correction="end"``).

Published results, reproduced to their published precision (per patient):

======================  ==========  ===========================================================
figure                  published   where
======================  ==========  ===========================================================
monotherapy cost        £44,663     Briggs et al. (2006) Tables 2.3-2.4; exercise 2.5 solution
monotherapy life-years  7.991       exercise 2.5 solution spreadsheet (the chapter's tables
                                    print 7.996)
combination cost        £50,602     exercise 2.5 solution spreadsheet
combination life-years  8.937       exercise 2.5 solution spreadsheet
ICER                    £6,276      exercise 2.5 solution: £ per life-year gained
======================  ==========  ===========================================================

The same figures are asserted by rdecision's reproduction of this exercise
(``tests/testthat/test-model-AZT.R``: 7.996 / 7.991, 44,663, 8.937, 50,602 and 6,276) and by
heemod's vignette "Reproducing Exact Results from DMHEE" (``vignettes/i-reproduction.Rmd``),
which uses ``method = "beginning"`` with ``discount(..., first = TRUE)`` -- heemod's name
for counting the cohort at the end of each cycle, i.e. our ``correction="end"``.

Run ``python examples/chancellor_hiv.py`` to print the comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthecon.markov import C, MarkovModel

COUNTS = {
    "A": {"A": 1251, "B": 350, "C": 116, "D": 17},
    "B": {"B": 731, "C": 512, "D": 15},
    "C": {"C": 1312, "D": 437},
}
RR_COMBINATION = 0.509
COMBINATION_YEARS = 2
DIRECT_MEDICAL = {"A": 1701.0, "B": 1774.0, "C": 6948.0}
COMMUNITY = {"A": 1055.0, "B": 1278.0, "C": 2059.0}
ZIDOVUDINE, LAMIVUDINE = 2278.0, 2086.5

PUBLISHED = {
    # (strategy, figure): (value, precision, source)
    ("monotherapy", "cost"): (44663.0, 1.0, "Briggs et al. 2006, Tables 2.3-2.4; exercise 2.5 solution"),
    ("monotherapy", "ly"): (7.991, 0.001, "Briggs et al. 2006, exercise 2.5 solution spreadsheet"),
    ("combination", "cost"): (50602.0, 1.0, "Briggs et al. 2006, exercise 2.5 solution spreadsheet"),
    ("combination", "ly"): (8.937, 0.001, "Briggs et al. 2006, exercise 2.5 solution spreadsheet"),
    ("combination", "icer"): (6276.0, 1.0, "Briggs et al. 2006, exercise 2.5 solution: £ per life-year gained"),
}


def monotherapy_probabilities() -> dict[str, dict[str, float]]:
    """Annual transition probabilities: counts over row totals (Briggs et al. 2006, Table 2.2)."""
    matrix = {src: {dst: n / sum(row.values()) for dst, n in row.items()} for src, row in COUNTS.items()}
    matrix["D"] = {"D": 1.0}
    return matrix


def transitions(p, strategy, time):
    """Monotherapy probabilities; combination multiplies every move by the RR for 2 years."""
    mono = monotherapy_probabilities()
    if strategy == "monotherapy" or time.cycle > COMBINATION_YEARS:
        return mono
    return {src: {dst: (C if dst == src else prob * RR_COMBINATION) for dst, prob in row.items()}
            for src, row in mono.items()}


def drug_costs(p, strategy, time):
    """Zidovudine in every alive state; lamivudine too during combination therapy."""
    annual = ZIDOVUDINE + (LAMIVUDINE if strategy == "combination" and time.cycle <= COMBINATION_YEARS else 0.0)
    return {state: annual for state in "ABC"}


def build_model() -> MarkovModel:
    """The model of exercise 2.5."""
    return MarkovModel(
        states=["A", "B", "C", "D"],
        strategies=["monotherapy", "combination"],
        transitions=transitions,
        start={"A": 1.0},
        n_cycles=20,
        cycle_length=1.0,
        state_rewards={
            "cost_drug": drug_costs,
            "cost_care": {s: DIRECT_MEDICAL[s] + COMMUNITY[s] for s in "ABC"},
            "ly": {s: 1.0 for s in "ABC"},
        },
        discount_costs=0.06,
        discount_effects=0.0,
        correction="end",
        name="Chancellor 1997 HIV (Briggs et al. 2006, ex. 2.5)",
    )


def results() -> pd.DataFrame:
    """Reproduced beside published figures: strategy, figure, published, reproduced, match."""
    out = build_model().run({})
    cost = out["cost"].values[0]
    ly = out["ly"].values[0]
    reproduced = {
        ("monotherapy", "cost"): cost[0],
        ("monotherapy", "ly"): ly[0],
        ("combination", "cost"): cost[1],
        ("combination", "ly"): ly[1],
        ("combination", "icer"): (cost[1] - cost[0]) / (ly[1] - ly[0]),
    }
    rows = []
    for key, (published, precision, source) in PUBLISHED.items():
        value = float(reproduced[key])
        rows.append(
            {
                "strategy": key[0],
                "figure": key[1],
                "published": published,
                "reproduced": value,
                "match": bool(abs(value - published) <= precision / 2),
                "source": source,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    """Print the comparison; exit with status 1 if a published figure is not reproduced."""
    table = results()
    decimals = [max(0, -int(np.log10(PUBLISHED[key][1]))) for key in zip(table["strategy"], table["figure"])]
    shown = table.drop(columns="source").assign(
        published=[f"{v:,.{d}f}" for v, d in zip(table["published"], decimals)],  # as published
        reproduced=table["reproduced"].map("{:,.3f}".format),
    )
    print(shown.to_string(index=False))
    print("\nSources:", *sorted(set(table["source"])), sep="\n  ")
    if not table["match"].all():
        raise SystemExit("published figures not reproduced: " + ", ".join(
            f"{s} {f}" for s, f in table.loc[~table["match"], ["strategy", "figure"]].itertuples(index=False)))


if __name__ == "__main__":
    main()
