"""The prosthetic heart valve Markov model of Sonnenberg & Beck (1993), their table 2.

Source: Sonnenberg FA, Beck JR. Markov models in medical decision making: a practical guide.
Med Decis Making 1993;13:322-338, figure 3 and table 2 (also rdecision's test-model-PHV.R).
Three states, Well (utility 1), Disabled (0.7) and Dead, per-cycle probabilities
Well -> Well 0.6, Disabled 0.2, Dead 0.2; Disabled -> Disabled 0.6, Dead 0.4. Table 2 prints,
for a cohort of 10,000: after cycle 1, 6,000 well, 2,000 disabled, 2,000 dead and a cycle sum
of 7,400; after cycle 2, 3,600 / 2,400 / 4,000 and 5,280 (cumulative 12,680); by cycle 24 the
cumulative utility is 23,752 (2.3752 quality-adjusted cycles per person; see below).

Convention: membership counted at the end of each cycle, no within-cycle correction (healthecon
"end"), no discounting; ``cohort_size=10_000`` as the table counts people, and the per-cycle
sums from ``values_by_cycle``.
"""

import pytest

import healthecon as he


def phv() -> he.MarkovModel:
    return he.MarkovModel(
        states=["Well", "Disabled", "Dead"], strategies=["PHV"],
        transitions={"Well": {"Well": 0.6, "Disabled": 0.2, "Dead": 0.2}, "Disabled": {"Disabled": 0.6, "Dead": 0.4},
                     "Dead": {"Dead": 1.0}},
        start={"Well": 1.0}, n_cycles=25, correction="end", state_rewards={"qaly": {"Well": 1.0, "Disabled": 0.7}},
        discount_costs=0.0, discount_effects=0.0)


@pytest.fixture(scope="module")
def out():
    return phv().run({}, trace=True, cohort_size=10_000)


def test_cohort_of_10000_after_cycles_1_2_23_and_24_as_in_table_2(out):
    trace = out["trace"].isel(sample=0, strategy=0)
    for cycle, printed in {1: (6000, 2000, 2000), 2: (3600, 2400, 4000), 23: (0, 1, 9999), 24: (0, 0, 10000)}.items():
        assert trace.sel(cycle=cycle).values.tolist() == pytest.approx(printed, abs=0.5)


def test_cycle_sums_and_cumulative_utility_as_in_table_2(out):
    # the table's "cycle sum" is the utility each cycle adds: values_by_cycle (heemod's get_values)
    cycle_sum = phv().values_by_cycle({}, cohort_size=10_000).set_index("cycle")["qaly"]
    assert cycle_sum[1] == pytest.approx(7400, abs=0.5)
    assert cycle_sum[2] == pytest.approx(5280, abs=0.5)
    assert cycle_sum[[1, 2]].sum() == pytest.approx(12680, abs=0.5)
    # Table 2's last cumulative figure, 23,752, is not reproduced to its printed unit: the exact
    # total is 23,749.68 (and the sum of the table's own rounded cycle sums is 23,748). The paper
    # evidently carried rounded cohort counts; rdecision accepts +-5 for the same reason. Held
    # here to 0.02%, and recorded in docs/validation.md as a difference of 2.3 per 10,000.
    assert out["qaly"].item() == pytest.approx(23749.68, abs=0.005)
    assert out["qaly"].item() == pytest.approx(23752, rel=2e-4)
