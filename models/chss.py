"""Oxfordshire Care Home Support Service (CHSS, "BRIghTER DAWN"): cost per life-year gained.

**Published** (Tsiachristas A et al., *Int J Integrated Care* 17, 2017, ICIC17 abstract; seed
000 lines 50-71): CHSS cost £575 more and gave 0.04 more life-years than usual care, an ICER
of £13,886 per life-year; DAWN alone £2,081 and BRIghTER alone £14,837 per life-year (the
abstract calls both "DAWN", a typo); "more than 80%" probability of being cost-effective at
£20,000; 443 matched residents, 5,000 bootstrap replicates.

**Derived**: the unrounded life-year gain the two published figures imply, 575 / 13,886 =
0.04141 (575 / 0.04 would give £14,375, not £13,886).

**Assumed** (nothing published; every one is a row of ``data/chss.csv`` a local team can
replace): standard errors of £150 and 0.010 life-years, uncorrelated, calibrated so that the
PSA agrees with "more than 80%"; the split of the £575 into community (£775) and hospital
(-£200) costs; both arms sharing the pooled life-year gain; no discounting.

The PSA follows Briggs, Claxton & Sculpher (2006), ch. 4 and 7: normal increments (an
incremental cost can be negative, so not a gamma), net monetary benefit and acceptability
curves; the analytic probability uses the normal distribution of incremental net benefit
(Stinnett & Mullahy 1998).

Examples
--------
>>> rep = reproduce(draws=2000, seed=1)
>>> [(c.figure, c.status) for c in rep.checks][:3]  # doctest: +NORMALIZE_WHITESPACE
[('ICER, CHSS vs usual care (£ per life-year)', 'match'),
 ('incremental cost (£ per resident)', 'match'),
 ('incremental life-years per resident', 'match')]
>>> round(icer(575, implied_effect(575, 13886)))
13886
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from healthecon.worked import chart, proportion_interval, psa_interval, run_psa
from healthecon.worked.seeds import worked_inputs
from scipy import special  # scipy.stats.norm's cdf and ppf are these; scipy.stats takes far longer to import

from healthecon import cea, dsa
from healthecon._validate import (
    require_finite,
    require_nonnegative,
    require_positive,
    require_probability,
)
from healthecon.distributions import Normal
from healthecon.errors import (
    ModelDefinitionError,
    ParameterError,
    ProvenanceError,
    unknown_name,
)
from healthecon.outcomes import make_outcomes
from healthecon.params import Parameters
from healthecon.reproduction import Check, Reproduction

__all__ = [
    "MODEL",
    "TITLE",
    "IncrementModel",
    "icer",
    "implied_effect",
    "p_cost_effective",
    "max_sd_net_benefit",
    "parameters",
    "reproduce",
]

MODEL = "chss"
TITLE = "Oxfordshire Care Home Support Service (BRIghTER DAWN): cost per life-year gained"
SOURCE = "seeds/000_dd7df95bd4ae58ba.txt, line 59"
WTP_GRID = np.arange(0.0, 50001.0, 250.0)


def icer(inc_cost: float, inc_effect: float) -> float:
    """Incremental cost-effectiveness ratio ``inc_cost / inc_effect`` (Drummond et al. 2015, ch. 4).

    Examples
    --------
    >>> icer(575, 0.04)
    14375.0
    """
    effect = float(require_finite(inc_effect, "incremental effect"))
    if effect == 0:
        raise ParameterError("incremental effect: is 0, so the ICER is undefined; compare net benefit instead")
    return float(require_finite(inc_cost, "incremental cost")) / effect


def implied_effect(inc_cost: float, published_icer: float) -> float:
    """The unrounded incremental effect implied by a published cost and ICER: ``cost / ICER``.

    A rounded effect (0.04) divided into the cost does not give the published ICER; the
    ratio of the two figures that were published to more digits does.

    Examples
    --------
    >>> round(implied_effect(575, 13886), 6)
    0.041409
    """
    ratio = float(require_positive(published_icer, "published ICER"))
    return float(require_finite(inc_cost, "incremental cost")) / ratio


def p_cost_effective(
    inc_cost: float,
    inc_effect: float,
    se_cost: float,
    se_effect: float,
    wtp: float | Sequence[float] | np.ndarray,
    rho: float = 0.0,
) -> np.ndarray:
    r"""Probability that incremental net benefit is positive, with normal increments.

    :math:`INB = \lambda \Delta E - \Delta C` is normal with mean
    :math:`\lambda \mu_E - \mu_C` and variance
    :math:`\lambda^2 \sigma_E^2 + \sigma_C^2 - 2 \lambda \rho \sigma_E \sigma_C`, so
    :math:`P(INB > 0) = \Phi(\text{mean} / \text{sd})` (Briggs et al. 2006, section 7.3;
    Stinnett & Mullahy 1998). At :math:`\lambda` = ICER the mean is 0 and the probability
    is exactly 0.5. With both standard errors 0 it is 1, 0.5 or 0 by the sign of the mean.

    Examples
    --------
    >>> p_cost_effective(575, 575 / 13886, 150, 0.01, [13886, 20000, 30000]).round(3)
    array([0.5  , 0.844, 0.977])
    """
    lam = require_nonnegative(np.atleast_1d(np.asarray(wtp, dtype=float)), "wtp")
    se_c = float(require_nonnegative(se_cost, "standard error of incremental cost"))
    se_e = float(require_nonnegative(se_effect, "standard error of incremental effect"))
    r = float(require_finite(rho, "correlation rho"))
    if not -1 <= r <= 1:
        raise ParameterError(f"correlation rho: expected a value in [-1, 1], got {r}")
    mean = lam * float(inc_effect) - float(inc_cost)
    sd = np.sqrt(np.maximum(lam**2 * se_e**2 + se_c**2 - 2 * lam * r * se_e * se_c, 0.0))
    safe = np.where(sd > 0, sd, 1.0)
    return np.where(sd > 0, special.ndtr(mean / safe), np.where(mean > 0, 1.0, np.where(mean == 0, 0.5, 0.0)))


def max_sd_net_benefit(inc_cost: float, inc_effect: float, wtp: float, probability: float) -> float:
    """The largest SD of incremental net benefit at ``wtp`` for which ``P(INB > 0) >= probability``.

    ``(wtp * inc_effect - inc_cost) / z_probability``: the calibration target for standard
    errors that were never published, when only "more than 80% probability of being
    cost-effective" is.

    Examples
    --------
    >>> round(max_sd_net_benefit(575, 575 / 13886, 20000, 0.8), 1)
    300.8
    """
    p = float(require_probability(probability, "probability"))
    if not 0.5 < p < 1:
        raise ParameterError(f"probability: expected a value in (0.5, 1) for a positive SD bound, got {p}")
    return (float(wtp) * float(inc_effect) - float(inc_cost)) / float(special.ndtri(p))


def _normal(mean: float, se: float, what: str) -> float | Normal:
    """Normal(mean, se), or the fixed number when the SE is 0 (a zero-variance PSA)."""
    se = float(require_nonnegative(se, what))
    return Normal(mean, se) if se > 0 else float(mean)


def parameters(
    inc_cost_community: float,
    inc_cost_hospital: float,
    inc_ly: float,
    se_inc_cost: float,
    se_inc_ly: float,
    rho: float = 0.0,
) -> Parameters:
    """PSA parameters: normal incremental cost and life-years, optionally correlated.

    The uncertainty of the total incremental cost (``se_inc_cost``) is carried by the
    community-care term; the hospital term is fixed at its value, so any split with the same
    total gives the same distribution of total cost. ``rho`` correlates incremental cost and
    life-years through a Gaussian copula (bootstrapped matched pairs make them correlated).

    Examples
    --------
    >>> p = parameters(775, -200, 0.0414, 150, 0.01)
    >>> p.summary()["distribution"].tolist()
    ['Normal(mean=775, sd=150)', 'Fixed(-200)', 'Normal(mean=0.0414, sd=0.01)']
    """
    params = Parameters(
        inc_cost_community=_normal(inc_cost_community, se_inc_cost, "se_inc_cost"),
        inc_cost_hospital=float(inc_cost_hospital),
        inc_ly=_normal(inc_ly, se_inc_ly, "se_inc_ly"),
        labels={"inc_cost_community": "Incremental community cost per resident",
                "inc_cost_hospital": "Incremental hospital cost per resident",
                "inc_ly": "Incremental life-years per resident"},
        units={"inc_cost_community": "£", "inc_cost_hospital": "£", "inc_ly": "life-years"},
    )
    r = float(require_finite(rho, "rho"))
    if r != 0:
        if se_inc_cost == 0 or se_inc_ly == 0:
            raise ParameterError(f"rho: is {r} but a standard error is 0; a fixed value cannot be correlated")
        params = params.correlate(["inc_cost_community", "inc_ly"], [[1.0, r], [r, 1.0]])
    return params


@dataclass(frozen=True)
class IncrementModel:
    """An intervention against a comparator, from incremental costs and effects.

    ``run(draws)`` reads ``inc_cost_community``, ``inc_cost_hospital`` and ``inc_ly`` (per
    person) and returns an outcome set with the comparator at zero and the intervention at the
    increments: ``cost`` (their total), ``cost_community``, ``cost_hospital`` and ``ly``.
    """

    comparator: str = "usual care"
    intervention: str = "CHSS"

    @property
    def strategies(self) -> tuple[str, ...]:
        """Comparator, intervention."""
        return (self.comparator, self.intervention)

    def run(self, draws: xr.Dataset, *, strategies: Sequence[str] | None = None) -> xr.Dataset:
        """Outcome set (sample x strategy) of the draws, vectorised over samples."""
        missing = [n for n in ("inc_cost_community", "inc_cost_hospital", "inc_ly") if n not in draws.data_vars]
        if missing:
            raise ModelDefinitionError(f"draws: missing parameter(s) {missing}; build them with chss.parameters()")
        community = draws["inc_cost_community"].values.astype(float)
        hospital = draws["inc_cost_hospital"].values.astype(float)
        ly = draws["inc_ly"].values.astype(float)
        zero = np.zeros_like(ly)
        values = {
            "cost": np.stack([zero, community + hospital], axis=1),
            "cost_community": np.stack([zero, community], axis=1),
            "cost_hospital": np.stack([zero, hospital], axis=1),
            "ly": np.stack([zero, ly], axis=1),
        }
        out = make_outcomes(values, self.strategies, effect="ly", effect_unit="life-year", attrs={"model": MODEL})
        if strategies is None:
            return out
        for s in strategies:
            if s not in self.strategies:
                raise unknown_name("strategy", s, self.strategies)
        return out.sel(strategy=list(strategies))



def reproduce(draws: int = 5000, seed: int = 20170) -> Reproduction:
    """Re-derive the published CHSS figures from ``data/chss.csv`` and run the PSA.

    ``draws`` defaults to 5,000, the study's number of bootstrap replicates.
    """
    inputs = worked_inputs(MODEL)
    inc_cost = inputs["inc_cost_community"] + inputs["inc_cost_hospital"]
    if not np.isclose(inc_cost, inputs["inc_cost"]):
        raise ProvenanceError(
            f"{inputs.file}: inc_cost_community + inc_cost_hospital = {inc_cost:g} must equal the published inc_cost {inputs['inc_cost']:g}"
        )
    inc_ly = inputs.check_derived("inc_ly", implied_effect(inputs["inc_cost"], inputs["icer"]))
    params = parameters(
        inputs["inc_cost_community"], inputs["inc_cost_hospital"], inc_ly,
        inputs["se_inc_cost"], inputs["se_inc_ly"], inputs["rho"],
    )
    model = IncrementModel()
    base, psa = run_psa(model, params, draws, seed)
    wtp, wtp_upper = inputs["wtp"], inputs["wtp_upper"]

    table = cea.icer_table(base)
    base_icer = float(table.set_index("strategy").at["CHSS", "icer"])
    curve = cea.ceac(psa, WTP_GRID)
    p_psa = cea.ceac(psa, [wtp, wtp_upper]).sel(strategy="CHSS").values
    p_exact = p_cost_effective(inc_cost, inc_ly, inputs["se_inc_cost"], inputs["se_inc_ly"], [wtp, wtp_upper], inputs["rho"])
    pair = cea.pairwise(psa, "usual care", wtp)
    one_way = dsa.one_way(model, params, outcome="nmb", wtp=wtp)
    row = pair.loc["CHSS"]
    draw_cost, draw_ly = (psa[v].sel(strategy="CHSS").values.ravel() for v in ("cost", "ly"))
    # a percentile interval of the ICER means something only while every draw gains life-years
    icer_interval = psa_interval(draw_cost / draw_ly) if (draw_ly > 0).all() else None

    components = pd.DataFrame(
        {
            "inc_cost": [inc_cost, inputs["inc_cost_dawn"], inputs["inc_cost_brighter"]],
            "inc_ly": [inc_ly, inputs["inc_ly_dawn"], inputs["inc_ly_brighter"]],
        },
        index=pd.Index(["CHSS (DAWN and/or BRIghTER)", "DAWN alone", "BRIghTER alone"], name="vs usual care"),
    )
    components["icer"] = components["inc_cost"] / components["inc_ly"]
    components["published_icer"] = [inputs["icer"], inputs["icer_dawn"], inputs["icer_brighter"]]
    components["basis"] = ["published cost, derived life-years", "assumed: same life-years as CHSS", "assumed: same life-years as CHSS"]

    probabilities = pd.DataFrame(
        {"wtp": [wtp, wtp_upper], "p_psa": p_psa, "p_normal_exact": p_exact,
         "inb_mean": [wtp * inc_ly - inc_cost, wtp_upper * inc_ly - inc_cost]}
    ).set_index("wtp")

    assumed_ses = (f"assumed standard errors £{inputs['se_inc_cost']:g} (cost) and {inputs['se_inc_ly']:g} life-years, "
                   f"correlation {inputs['rho']:g}, calibrated to 'more than 80%' (none published)")
    checks = [
        Check(MODEL, "ICER, CHSS vs usual care (£ per life-year)", inputs["icer"], base_icer, precision=1,
              interval=icer_interval, source=SOURCE,
              note="from the unrounded life-year gain 575 / 13,886, itself solved from this ICER; 575 / 0.04 would give £14,375"
                   + ("" if icer_interval else "; no ICER interval: some PSA draws lose life-years"),
              probability=float(p_psa[0]), probability_label=f"P(cost-effective at £{wtp:,.0f})",
              basis="calibrated", assumptions=assumed_ses),
        Check(MODEL, "incremental cost (£ per resident)", inputs["inc_cost"], float(base["cost"].sel(strategy="CHSS")[0]),
              precision=1, interval=(float(row["inc_cost_lower"]), float(row["inc_cost_upper"])), source=SOURCE,
              basis="input", assumptions=assumed_ses),
        Check(MODEL, "incremental life-years per resident", inputs["inc_ly_rounded"], float(base["ly"].sel(strategy="CHSS")[0]),
              precision=0.01, interval=(float(row["inc_effect_lower"]), float(row["inc_effect_upper"])), source=SOURCE,
              note="575 / 13,886 = 0.041409 from the published cost and ICER, against the 0.04 published to two decimals: "
                   "the three published figures could have disagreed",
              basis="consistency", assumptions=assumed_ses),
        Check(MODEL, "ICER, DAWN alone (£ per life-year)", inputs["icer_dawn"], float(components["icer"].iloc[1]),
              precision=1, source=SOURCE, note="per-arm costs derived from this ICER under the assumption that both arms share "
                                               "the pooled life-year gain", basis="calibrated"),
        Check(MODEL, "ICER, BRIghTER alone (£ per life-year)", inputs["icer_brighter"], float(components["icer"].iloc[2]),
              precision=1, source=SOURCE, note="per-arm costs derived from this ICER (same assumption); the abstract labels it "
                                               "'DAWN' a second time: a typo for BRIghTER", basis="calibrated"),
        Check(MODEL, f"P(cost-effective) at £{wtp:,.0f} per life-year", inputs["p_ce_wtp"], float(p_psa[0]), comparison=">",
              interval=proportion_interval(float(p_psa[0]), draws), source=SOURCE,
              note=f"PSA of {draws:,} draws (interval: Monte Carlo 95%); normal-theory value {p_exact[0]:.3f}; "
                   "the standard errors are calibrated assumptions",
              probability=float(p_psa[1]), probability_label=f"P(cost-effective at £{wtp_upper:,.0f})",
              basis="calibrated", assumptions=assumed_ses),
    ]
    notes = [
        "What the ledger can show: only the headline figures are published (seed 000 lines 50-71, re-read for issue 10): no "
        "community/hospital split, no per-arm costs or life-years, no confidence intervals, no probability at £30,000. So the "
        "life-year rounding is the one check that could fail; the pooled ICER also lies between the two component ICERs "
        "(£2,081 < £13,886 < £14,837), as a mediant of positive increments must.",
        "Life-years, not QALYs: the NICE £20,000-£30,000 range is a cost-per-QALY threshold; the abstract (line 67) says quality of life was not included.",
        f"The published 0.04 life-years is rounded: 575 / 0.04 = £14,375. The model carries 575 / 13,886 = {inc_ly:.6f}.",
        "BRIghTER's ICER (£14,837) is attributed to 'DAWN' in the abstract, a typo: DAWN's own ICER (£2,081) is in the same sentence.",
        f"No standard errors are published. SE £{inputs['se_inc_cost']:g} (cost) and {inputs['se_inc_ly']:g} (life-years), correlation "
        f"{inputs['rho']:g}, are assumptions calibrated to 'more than 80%' (SD of net benefit at £20,000 must be below "
        f"£{max_sd_net_benefit(inc_cost, inc_ly, wtp, inputs['p_ce_wtp']):.1f}).",
        f"Study design: {inputs['n_matched']:,.0f} residents matched 1:1 from {inputs['n_control_pool']:,.0f}; uncertainty from "
        f"{inputs['n_bootstrap']:,.0f} bootstrap replicates of the matched pairs. The pairs are not public, so the PSA here draws "
        f"{draws:,} samples (seed {seed}) from normal increments with the assumed standard errors instead.",
        "The community/hospital split of the £575 and the per-arm costs are assumptions (data/chss.csv); the headline depends only on the total.",
        "Observational evidence (propensity-score matching): residual confounding is possible.",
        inputs.quote_check,
    ]
    ceac_frame = curve.to_pandas()

    study = pd.DataFrame(
        {"value": [int(inputs["n_matched"]), int(inputs["n_control_pool"]), int(inputs["n_bootstrap"]), int(draws)],
         "basis": ["published", "published", "published", "this run"]},
        index=pd.Index(["CHSS residents matched 1:1 to controls", "control pool matched from", "bootstrap replicates (study)", "PSA draws (this model)"],
                       name="study design"),
    )

    return Reproduction(
        model=MODEL,
        title=TITLE,
        checks=checks,
        inputs=inputs,
        tables={"study_design": study, "icer": table, "components": components, "p_cost_effective": probabilities,
                "pairwise": pair, "ceac": ceac_frame, "one_way": one_way},
        charts={"ce_plane": chart("plot_ce_plane", psa, "usual care", wtp=[wtp, wtp_upper], ellipse=0.95),
                "ceac": chart("plot_ceac", psa, WTP_GRID, thresholds=[wtp, wtp_upper]),
                "tornado": chart("plot_tornado", one_way)},
        notes=notes,
    )
