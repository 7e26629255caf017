"""Fieller intervals printed by the R package icerui for BCEA's smoking-cessation example.

Source: T. Snowsill, icerui ("Calculate uncertainty intervals for ICERs"),
https://github.com/tristansnowsill/icerui, README at commit 96404c2 (2020-06-16), which prints

    confint(ex_smoking, method = "fieller")
                               2.5%      97.5%
    No treatment           98.26914 4910.70352
    Self-help              74.72212 -263.56608
    Individual counselling 37.72638  -82.84373

``ex_smoking`` is a BCEA object "derived from the dataset Smoking" (icerui's man/ex_smoking.Rd):
BCEA's 500 posterior draws of effect and cost for four interventions (shipped unchanged in
tests/validation/data/bcea_smoking_psa.csv, provenance in its header) with Group counselling the
reference. icerui's Fieller takes the means of BCEA's increments (reference minus comparator), the
sample variances and covariance of the draws (R's ``var``, n - 1) and the normal quantile: the same
convention as healthecon's :func:`~healthecon.ipd.fieller.fieller` (z, not t), so the inputs are the
summary statistics of the draws and nothing is tuned. (The reference is not stated in icerui's
documentation; Group counselling is the only one of the four that gives these comparators, and it
reproduces all six printed limits to their 7 significant figures.)

Reading the output: for Self-help and Individual counselling icerui prints the two roots with the
larger first, because its formula divides by a negative leading coefficient; the effect difference
is not significant there, so Fieller's set is the two rays outside the roots, not an interval
between "2.5%" and "97.5%" limits. healthecon reports it as ``kind == "two rays"``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from healthecon.ipd import fieller

DATA = Path(__file__).parent / "data" / "bcea_smoking_psa.csv"
REFERENCE = "Group counselling"
PRINTED = {  # comparator: (first printed limit, second printed limit)
    "No treatment": (98.26914, 4910.70352),
    "Self-help": (74.72212, -263.56608),
    "Individual counselling": (37.72638, -82.84373),
}


@pytest.fixture(scope="module")
def draws():
    frame = pd.read_csv(DATA, comment="#")
    return {v: frame.pivot(index="sample", columns="strategy", values=v) for v in ("eff", "cost")}


def summary_statistics(draws, comparator):
    """Mean increments (reference minus comparator) and their sample (co)variances, as icerui uses."""
    de = (draws["eff"][REFERENCE] - draws["eff"][comparator]).to_numpy()
    dc = (draws["cost"][REFERENCE] - draws["cost"][comparator]).to_numpy()
    v = np.cov(dc, de, ddof=1)
    return dc.mean(), de.mean(), v[0, 0], v[1, 1], v[0, 1]


def test_the_file_holds_500_draws_of_four_strategies(draws):
    assert draws["eff"].shape == draws["cost"].shape == (500, 4)
    assert set(draws["eff"].columns) == set(PRINTED) | {REFERENCE}


def test_group_counselling_vs_no_treatment_is_the_printed_bounded_interval(draws):
    f = fieller(*summary_statistics(draws, "No treatment"))
    assert f.kind == "bounded"
    assert f.lower == pytest.approx(PRINTED["No treatment"][0], abs=5e-6)
    assert f.upper == pytest.approx(PRINTED["No treatment"][1], abs=5e-6)


@pytest.mark.parametrize("comparator", ["Self-help", "Individual counselling"])
def test_the_reversed_printed_limits_are_the_two_rays_of_an_unbounded_set(draws, comparator):
    f = fieller(*summary_statistics(draws, comparator))
    larger, smaller = PRINTED[comparator]
    assert f.kind == "two rays"
    assert f.lower == pytest.approx(smaller, abs=5e-6)
    assert f.upper == pytest.approx(larger, abs=5e-6)
    assert not f.contains(0.5 * (f.lower + f.upper)) and f.contains(10 * f.upper)
