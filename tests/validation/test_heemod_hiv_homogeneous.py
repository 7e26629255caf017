"""heemod's HIV example (vignette "c_homogeneous"): the Chancellor model as heemod runs it by default.

Source: pierucci/heemod 0.14.5, vignettes/c_homogeneous.Rmd (inputs) and its rendered output
docs/articles/c_homogeneous.html (``summary(res_mod)``); the model follows Chancellor et al.,
PharmacoEconomics 1997;12:54-66, simplified by heemod (the relative risk 0.509 and lamivudine's
cost apply in every cycle). Printed, per cohort of 1,000 starting in state A, 50 annual cycles:

    ======  ===========  ==========  ==========  =========
    .       cost_health  cost_drugs  cost_total  life_year
    mono    33891136     14870957    48762093    8585.843
    comb    48739757     44245091    92984848    17256.937
    ======  ===========  ==========  ==========  =========

    comb vs mono: cost difference 44222.75, effect difference 8.671094, ICER 5100.02 (per person)

Convention: ``convention="heemod"`` (healthecon.conventions): heemod's default counting method
``"life-table"`` (the two memberships of a cycle averaged) with costs written
``discount(x, .06)``, i.e. value-cycle t discounted once by 1.06 ** -(t - 1); life-years
undiscounted; ``cohort_size=1000`` (heemod's default cohort).
"""

import pytest

import healthecon as he
from healthecon.markov import C

RR = 0.509
PUBLISHED = {  # per 1,000
    "mono": {"cost_health": 33_891_136, "cost_drugs": 14_870_957, "cost": 48_762_093, "life_year": 8585.843},
    "comb": {"cost_health": 48_739_757, "cost_drugs": 44_245_091, "cost": 92_984_848, "life_year": 17256.937},
}


def hiv(**options) -> he.MarkovModel:
    def transitions(p, strategy):
        if strategy == "mono":
            return [[0.721, 0.202, 0.067, 0.010], [0, 0.581, 0.407, 0.012], [0, 0, 0.750, 0.250], [0, 0, 0, 1]]
        return [[C, 0.202 * RR, 0.067 * RR, 0.010 * RR], [0, C, 0.407 * RR, 0.012 * RR], [0, 0, C, 0.250 * RR], [0, 0, 0, 1]]

    drugs = {"mono": 2278, "comb": 2278 + 2086}
    return he.MarkovModel(
        ["A", "B", "C", "D"], ["mono", "comb"], transitions, start="A", n_cycles=50,
        state_rewards={"cost_health": {"A": 2756, "B": 3052, "C": 9007},
                       "cost_drugs": lambda p, s: {state: drugs[s] for state in "ABC"},
                       "life_year": {"A": 1, "B": 1, "C": 1}},
        discount_costs=0.06, discount_effects=0.0, **options)


@pytest.fixture(scope="module")
def out():
    return hiv(convention="heemod").run({}, cohort_size=1_000)


@pytest.mark.parametrize("strategy", list(PUBLISHED))
@pytest.mark.parametrize("value", ["cost_health", "cost_drugs", "cost", "life_year"])
def test_values_per_1000_as_printed(out, strategy, value):
    printed = PUBLISHED[strategy][value]
    precision = 0.0005 if value == "life_year" else 0.5
    assert out[value].sel(strategy=strategy).item() == pytest.approx(printed, abs=precision)


def test_differences_and_icer_as_printed(out):
    table = he.cea.icer_table(out / 1_000, effect="life_year").set_index("strategy")
    assert table.loc["comb", "cost"] - table.loc["mono", "cost"] == pytest.approx(44_222.75, abs=0.005)
    assert table.loc["comb", "effect"] - table.loc["mono", "effect"] == pytest.approx(8.671094, abs=5e-7)
    assert table.loc["comb", "icer"] == pytest.approx(5_100.02, abs=0.005)


def test_healthecon_life_table_differs_from_heemods():
    # healthecon's own "life-table" (trapezoid) discounts each end of a cycle at its own time;
    # heemod discounts the averaged cycle once at its start: the costs differ by about 2.8%
    ours = hiv(correction="life-table").run({}, cohort_size=1_000)
    for strategy in PUBLISHED:
        ratio = ours["cost"].sel(strategy=strategy).item() / PUBLISHED[strategy]["cost"]
        assert ratio == pytest.approx(1 / 1.06 ** 0.5, abs=0.005)
