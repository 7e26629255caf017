"""Total hip replacement (Briggs, Claxton & Sculpher 2006, exercise 3.5), in heemod's convention.

Source: Briggs A, Claxton K, Sculpher M. Decision Modelling for Health Economic Evaluation (OUP
2006), chapter 3, exercise 3.5 (the THR model: standard prosthesis against NP1) and its solution
spreadsheet, as reproduced exactly by heemod's test "Exactly match THR model"
(pierucci/heemod 0.14.5, tests/testthat/test_dmhee.R), which states every input and asserts:

    standard: cost 512.434658, QALYs 14.6531896;  NP1: cost 610.311818, QALYs 14.69770986
    ICER 2198.486665 per QALY
    membership after cycles 1..8 (SuccessP, RevisionTHR, SuccessR, Death), e.g. cycle 2 for
    standard 0.97265720, 0.0007768, 0, 0.02656600
    values of the standard arm by cycle 2..9: cost 0, 3.66001356, 4.33343863, 4.85597577,
    5.22645232, 5.42296428, 5.53962343, 5.59337469; utility 0.82068966, 0.80272917, ...

Inputs: a woman aged 60; operative mortality 2% (primary and revision), re-revision 4% a year;
primary revision probability from a Weibull hazard, 1 - exp(lambda ((t-1)^gamma - t^gamma)) in
cycle t, lambda = exp(-5.490935 - 0.0367022 x 60), gamma = exp(0.3740968), times
exp(-1.344474) for NP1; background mortality by ten-year age band (women: 0.99, 2.6, 6.7, 19.3,
53.5, 154.8 per 1,000 from ages 35, 45, ..., 85; age 60 + t in cycle t); costs: primary 394
(standard) or 579 (NP1), revision 5,294, discounted 6%; utilities 0.85 after a primary, 0.75 after
a revision, 0.30 in the revision year, discounted 1.5%; 61 annual cycles.

Convention: ``convention="heemod"`` with ``correction="beginning"``: heemod's
``method = "beginning"`` (0.14: the memberships at the start of each cycle) and
``discount(x, r)``, value-cycle t discounted by (1 + r) ** -(t - 1). Per-cycle values come from
``values_by_cycle`` (heemod's ``get_values``). With start-of-cycle counting, discounting a cycle
at its start is the same as discounting each point at its own time, so this model checks the
counting, the time-dependent transitions and the per-cycle values, not heemod's discount timing
(test_heemod_hiv_homogeneous.py does that).
"""

import numpy as np
import pytest

import healthecon as he
from healthecon.lifetable import LifeTable
from healthecon.markov import C

WOMEN = LifeTable([35, 45, 55, 65, 75, 85], np.array([0.99, 2.6, 6.7, 19.3, 53.5, 154.8]) / 1000, extend_last=True)
LAMBDA, GAMMA, RR_NP1 = np.exp(-5.490935 - 0.0367022 * 60), np.exp(0.3740968), np.exp(-1.344474)
STATES = ["PrimaryTHR", "SuccessP", "RevisionTHR", "SuccessR", "Death"]
PUBLISHED = {"standard": (512.434658, 14.6531896), "np1": (610.311818, 14.69770986)}


def thr() -> he.MarkovModel:
    def transitions(p, strategy, time):
        t = time.cycle
        mr = WOMEN.probability(60 + t)  # heemod: age = age_init + markov_cycle
        hazard = LAMBDA * (RR_NP1 if strategy == "np1" else 1.0)
        revision = 1 - np.exp(hazard * ((t - 1) ** GAMMA - t ** GAMMA))
        return {
            "PrimaryTHR": {"SuccessP": C, "Death": 0.02},
            "SuccessP": {"SuccessP": C, "RevisionTHR": revision, "Death": mr},
            "RevisionTHR": {"SuccessR": C, "Death": 0.02 + mr},
            "SuccessR": {"RevisionTHR": 0.04, "SuccessR": C, "Death": mr},
            "Death": {"Death": 1.0},
        }

    return he.MarkovModel(
        STATES, ["standard", "np1"], transitions, start="PrimaryTHR", n_cycles=61, convention="heemod",
        correction="beginning", discount_costs=0.06, discount_effects=0.015,
        state_rewards={
            # the primary operation is costed in PrimaryTHR, only ever occupied at the start,
            # where the first cycle is not discounted (heemod writes it undiscounted)
            "cost_primary": lambda p, s: {"PrimaryTHR": 394 if s == "standard" else 579},
            "cost_revision": {"RevisionTHR": 5294},
            "qaly": {"SuccessP": 0.85, "RevisionTHR": 0.30, "SuccessR": 0.75},
        })


@pytest.fixture(scope="module")
def out():
    return thr().run({}, trace=True)


@pytest.mark.parametrize("strategy", list(PUBLISHED))
def test_costs_and_qalys_as_published(out, strategy):
    cost, qaly = PUBLISHED[strategy]
    assert out["cost"].sel(strategy=strategy).item() == pytest.approx(cost, abs=5e-7)
    assert out["qaly"].sel(strategy=strategy).item() == pytest.approx(qaly, abs=5e-8)


def test_icer_as_published(out):
    assert he.cea.icer_table(out).set_index("strategy").loc["np1", "icer"] == pytest.approx(2198.486665, abs=5e-7)


def test_membership_after_cycles_1_to_8_as_published(out):
    standard = [[0.98000000, 0.0000000, 0.0000000, 0.0200000], [0.97265720, 0.0007768, 0.0000000, 0.02656600],
                [0.96516548, 0.00097491, 0.00075606, 0.03310354], [0.95757109, 0.00115802, 0.00166964, 0.03960125],
                [0.93783561, 0.00132115, 0.00268314, 0.05816010], [0.91838963, 0.00145307, 0.00379326, 0.07636404],
                [0.89924305, 0.00157339, 0.00496429, 0.09421927], [0.88040225, 0.00168398, 0.00618146, 0.11173231]]
    np1 = [[0.98000000, 0.00000000, 0.00000000, 0.02000000], [0.97323145, 0.00020255, 0.00000000, 0.02656600],
           [0.96645641, 0.00025438, 0.00019715, 0.03309206], [0.95968665, 0.00030239, 0.00043553, 0.03957543],
           [0.94083683, 0.00034529, 0.00070021, 0.05811767], [0.92232657, 0.00038012, 0.00099040, 0.07630291],
           [0.90415327, 0.00041201, 0.00129686, 0.09413786], [0.88631355, 0.00044144, 0.00161577, 0.11162924]]
    trace = out["trace"].isel(sample=0).sel(cycle=range(1, 9), state=STATES[1:])
    for strategy, printed in (("standard", standard), ("np1", np1)):
        np.testing.assert_allclose(trace.sel(strategy=strategy).values, printed, atol=5e-9)


def test_values_by_cycle_2_to_9_as_published():
    # heemod's value-cycle t is healthecon's cycle t (start-of-cycle membership m_{t-1})
    cost = [0, 3.66001356, 4.33343863, 4.85597577, 5.22645232, 5.42296428, 5.53962343, 5.59337469]
    utility = [0.82068966, 0.80272917, 0.78537550, 0.76838428, 0.74220815, 0.71692065, 0.69248578, 0.66887542]
    table = thr().values_by_cycle({}, strategies="standard").set_index("cycle").loc[2:9]
    np.testing.assert_allclose(table["cost"], cost, atol=5e-9)
    np.testing.assert_allclose(table["qaly"], utility, atol=5e-9)
