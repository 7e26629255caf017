"""Manchester Living Longer Living Better: a two-year cost-benefit analysis of one year's investment.

What was published (seed 002, lines 982-988; Manchester Community Response - North,
information from the Better Care Support Team): benefit per £1 of £1.03 in the initial
analysis, £1.11 in the updated analysis of the first year's activity, and £1.69 expected "in
year 2 ... for one year's investment".

What is derived: year-2 benefit alone is 1.69 - 1.11 = £0.58 per £1, reading £1.69 as the
cumulative benefit by the end of year 2 of a single year's investment.

What is assumed (``data/manchester.csv``, kind ``assumed``; replace with local figures): an
illustrative £1 million investment (every ratio is independent of it); no discounting (the
published ratios add year 2 to year 1 undiscounted; a Green Book 3.5% scenario is shown); how
the benefit splits between Crisis Response, Intermediate Care Beds, reablement, Navigators and
Care at home (the service's own components, lines 971-978); and, for the PSA only, a 25%
coefficient of variation on each component's benefit in each year.

Method: multi-year cost-benefit analysis (HM Treasury Green Book 2022, ch. 5 and A6;
:mod:`healthecon.cba`), one strategy per published analysis: investment in year 0, benefits
of the first year's activity in year 0 and of its second year in year 1.

Examples
--------
>>> rep = reproduce(draws=200, seed=1)
>>> [(c.figure, round(c.reproduced, 2), c.status) for c in rep.checks]  # doctest: +NORMALIZE_WHITESPACE
[('initial CBA: benefit per £1 (first year)', 1.03, 'match'),
 ('updated CBA: benefit per £1 (first year)', 1.11, 'match'),
 ('expected CBA by year 2: benefit per £1 of one year’s investment', 1.69, 'match')]
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from healthecon.worked import (
    money_reproduction,
    ratio_check,
    read_inputs,
    require_shares,
    run_psa,
    tornado_table,
    uncertain,
)

from healthecon import appraisal, cba
from healthecon.distributions import Gamma
from healthecon.params import Parameters
from healthecon.provenance import Inputs
from healthecon.reproduction import Reproduction

__all__ = ["COMPONENTS", "ANALYSES", "inputs", "parameters", "model", "reproduce"]

NAME = "manchester"

#: Service components: input suffix -> label (seed 002, lines 971-978).
COMPONENTS: dict[str, str] = {
    "crisis_response": "Crisis Response",
    "intermediate_care": "Intermediate Care Beds",
    "reablement": "Home Pathway Therapy and Primary Assessment and Reablement",
    "navigators": "Navigators",
    "care_at_home": "Care at home",
}

#: The published analyses: strategy -> (benefit per £1 in year 0, in year 1) input names,
#: the published figure it reproduces, the check's wording and its seed lines.
ANALYSES: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "initial analysis": (("bcr_initial",), "bcr_initial", "initial CBA: benefit per £1 (first year)", "lines 984-985"),
    "updated, year 1": (("bcr_year1",), "bcr_year1", "updated CBA: benefit per £1 (first year)", "lines 982-984"),
    "updated, years 1-2": (("bcr_year1", "benefit_year2_per_pound"), "bcr_year2",
                           "expected CBA by year 2: benefit per £1 of one year’s investment", "lines 985-988"),
}


def inputs(overrides: Mapping[str, float] | None = None) -> Inputs:
    """The inputs of ``data/manchester.csv``, with ``overrides`` replacing any of them."""
    values = read_inputs(NAME, overrides)
    require_shares(values, [f"share_{k}" for k in COMPONENTS], "benefit shares")
    return values


def parameters(values: Mapping[str, float]) -> Parameters:
    """PSA parameters: each component's benefit per year Gamma around its assumed value."""
    params: dict[str, object] = {"investment": values["investment"]}
    labels = {"investment": "Investment (one year)"}
    periods = {"bcr_initial": "initial analysis", "bcr_year1": "year 1", "benefit_year2_per_pound": "year 2"}
    for per_pound, period in periods.items():
        for key, component in COMPONENTS.items():
            mean = values[per_pound] * values[f"share_{key}"] * values["investment"]
            params[f"{per_pound}_{key}"] = uncertain(Gamma, mean, values["cv_benefit"] * mean, f"share_{key}") if mean > 0 else 0.0
            labels[f"{per_pound}_{key}"] = f"Benefit, {period}: {component}"
    # the names say which published ratio a benefit comes from; the labels say what it is (£ a year)
    return Parameters(params, labels=labels, units=dict.fromkeys(params, "£"))


def model(discount: float) -> cba.CBAModel:
    """One scheme per published analysis (see :data:`ANALYSES`), discounted at ``discount``."""
    schemes = {}
    for strategy, (years, *_rest) in ANALYSES.items():
        flows = [cba.cost_flow("LLLB investment (one year)", "NHS and council", ["investment"])]
        flows += [cba.benefit_flow(label, "NHS and council", [f"{y}_{key}" for y in years], category="fiscal_non_cashable")
                  for key, label in COMPONENTS.items()]
        schemes[strategy] = flows
    return cba.CBAModel(schemes, discount=discount)


def reproduce(draws: int = 5000, seed: int = 2018, overrides: Mapping[str, float] | None = None) -> Reproduction:
    """Re-derive £1.03, £1.11 and £1.69 per £1 and run a PSA over the assumed inputs.

    ``overrides``: local figures by input name of ``data/manchester.csv`` (say, the real
    investment); ``draws`` and ``seed`` set the PSA.
    """
    values = inputs(overrides)
    params = parameters(values)
    cbam = model(values["discount_rate"])
    base, psa = run_psa(cbam, params, draws, seed)
    checks = [
        ratio_check(NAME, figure, values[published], 0.01, float(base["bcr"].sel(strategy=strategy).squeeze()),
                    psa["bcr"].sel(strategy=strategy).values, f"seeds/002_887e750fede6152a.txt {lines}",
                    label="P(benefit > £1 per £1)", basis="calibrated",
                    assumptions=f"assumed component split and a {values['cv_benefit']:.0%} coefficient of variation on each "
                                "component's benefit (no uncertainty published)")
        for strategy, (_, published, figure, lines) in ANALYSES.items()
    ]
    green_book = model(0.035).run(params.base_case())
    scenario = pd.DataFrame(
        {
            "benefit per £1, undiscounted (published basis)": base["bcr"].squeeze("sample").to_series(),
            "benefit per £1, discounted at 3.5% (Green Book)": green_book["bcr"].squeeze("sample").to_series(),
        }
    )
    flows = appraisal.cashflows(base, strategy="updated, years 1-2", by="category")
    flows.columns = [f"{direction}: {group}" for direction, group in flows.columns]
    two_years = "updated, years 1-2"
    one_way = tornado_table(cbam, params, "bcr", two_years)
    notes = [
        "Only the three ratios are published (seed 002, lines 982-988, from the Better Care Support Team); the "
        "£1 million investment, the split of benefit between service components and the PSA spread are "
        "assumptions (data/manchester.csv) that leave every headline unchanged.",
        f"£{values['bcr_year2']:.2f} is read as cumulative benefit over two years of one year's investment, so year 2 "
        f"adds £{values['benefit_year2_per_pound']:.2f} per £1; "
        f"discounted at the Green Book 3.5% it would be £{float(green_book['bcr'].sel(strategy='updated, years 1-2').squeeze()):.2f}.",
        "The year-2 figure is a forecast ('expected'), not an observed result; the KPIs beside it (e.g. 97% "
        "'deflection') are not costed in the source.",
    ]
    rep = money_reproduction(NAME, "Manchester Living Longer Living Better: cost-benefit by year", checks,
                              {"discounting_scenario": scenario, "cash_flows_years_1_2": flows}, notes, base, psa,
                              one_way, two_years, one_way_name="one_way_years_1_2", cashflows=True)
    rep.inputs = values  # what the figures were computed from, and which inputs were read
    return rep
