"""Tests for healthecon.cea: net benefit, incremental analysis, CEAC/CEAF, expected loss."""

import numpy as np
import pandas as pd
import pytest

from healthecon import cea
from healthecon.errors import AnalysisError, OutcomesError, UnknownNameError
from healthecon.outcomes import from_dataframe, make_outcomes


def _outcomes(cost, effect, names=None):
    cost = np.atleast_2d(np.asarray(cost, dtype=float))
    effect = np.atleast_2d(np.asarray(effect, dtype=float))
    names = names or [f"S{i}" for i in range(cost.shape[1])]
    return make_outcomes({"cost": cost, "qaly": effect}, strategies=names, effect="qaly")


# --- net benefit -------------------------------------------------------------------------


def test_net_benefit_hand_worked_monetary_and_health():
    out = _outcomes([[100.0, 300.0], [200.0, 500.0]], [[1.0, 1.2], [0.5, 0.9]], ["A", "B"])
    nmb = cea.net_benefit(out, [0.0, 20_000.0])
    assert nmb.dims == ("sample", "strategy", "wtp")
    assert nmb.sel(sample=1, strategy="B", wtp=20_000.0) == pytest.approx(0.9 * 20_000 - 500)
    assert nmb.sel(sample=0, strategy="A", wtp=0.0) == pytest.approx(-100.0)
    nhb = cea.net_benefit(out, 20_000.0, kind="health")
    assert nhb.sizes["wtp"] == 1
    assert nhb.sel(sample=0, strategy="B").item() == pytest.approx(1.2 - 300 / 20_000)
    assert nhb.attrs["units"] == "QALY" and nmb.attrs["units"] == "£"


def test_net_benefit_from_dataframe_matches_make_outcomes():
    frame = pd.DataFrame({"sample": [0, 0, 1, 1], "strategy": ["A", "B", "A", "B"],
                          "cost": [1.0, 2.0, 1.5, 2.5], "qaly": [1.0, 1.2, 0.9, 1.1]})
    imported = cea.net_benefit(from_dataframe(frame, effect="qaly"), [10.0, 50.0])
    direct = cea.net_benefit(_outcomes([[1.0, 2.0], [1.5, 2.5]], [[1.0, 1.2], [0.9, 1.1]], ["A", "B"]), [10.0, 50.0])
    np.testing.assert_array_equal(imported.values, direct.values)


def test_net_benefit_other_variables_and_bad_input():
    out = make_outcomes({"cost": [[1.0, 2.0]], "cost_drug": [[0.5, 1.0]], "qaly": [[1.0, 2.0]], "ly": [[3.0, 4.0]]},
                        strategies=["A", "B"], effect="qaly")
    nmb = cea.net_benefit(out, 10.0, cost="cost_drug", effect="ly")
    np.testing.assert_allclose(nmb.sel(wtp=10.0, sample=0).values, [29.5, 39.0])
    with pytest.raises(AnalysisError, match="kind"):
        cea.net_benefit(out, 10.0, kind="money")
    with pytest.raises(AnalysisError, match="wtp"):
        cea.net_benefit(out, [-1.0, 10.0])
    with pytest.raises(AnalysisError, match="wtp"):
        cea.net_benefit(out, [np.nan])
    with pytest.raises(AnalysisError, match="> 0"):
        cea.net_benefit(out, 0.0, kind="health")
    with pytest.raises(UnknownNameError, match="'qualy'"):
        cea.net_benefit(out, 10.0, effect="qualy")


# --- ICER tables: hand-worked -------------------------------------------------------------


def _row(table, name):
    return table.set_index("strategy").loc[name]


def test_icer_table_hand_worked_two_extendedly_dominated_at_once_and_one_dominated():
    # Worked by hand (QALYs, £). Sorted by effect:
    #   No screening 1000 / 10.00
    #   Leaflet      1500 / 10.02  ICER vs No screening 500/0.02 = 25,000
    #   Hospital     6000 / 10.05  more costly than Nurse and less effective -> D (by Nurse)
    #   Nurse        3000 / 10.10  ICER vs Leaflet 1500/0.08 = 18,750 < 25,000 -> Leaflet ED
    #   Clinic       4000 / 10.12  ICER vs Nurse 1000/0.02 = 50,000
    #   GP           5000 / 10.16  ICER vs Clinic 1000/0.04 = 25,000 < 50,000 -> Clinic ED
    # Frontier: No screening -> Nurse (2000/0.10 = 20,000) -> GP (2000/0.06 = 33,333.33).
    names = ["GP", "Hospital", "Clinic", "No screening", "Nurse", "Leaflet"]
    out = _outcomes([5000, 6000, 4000, 1000, 3000, 1500], [10.16, 10.05, 10.12, 10.00, 10.10, 10.02], names)
    table = cea.icer_table(out)
    assert list(table["strategy"]) == ["No screening", "Leaflet", "Hospital", "Nurse", "Clinic", "GP"]
    assert list(table["status"]) == ["ND", "ED", "D", "ND", "ED", "ND"]
    assert list(table["comparator"].fillna("-")) == ["-", "No screening and Nurse", "Nurse", "No screening",
                                                     "Nurse and GP", "Nurse"]
    assert _row(table, "Nurse")["icer"] == pytest.approx(20_000)
    assert _row(table, "GP")["icer"] == pytest.approx(2000 / 0.06)
    assert _row(table, "GP")["inc_cost"] == pytest.approx(2000) and _row(table, "GP")["inc_effect"] == pytest.approx(0.06)
    assert table.loc[table["status"] != "ND", ["inc_cost", "inc_effect", "icer"]].isna().all().all()
    assert np.isnan(_row(table, "No screening")["icer"])


def test_icer_table_extended_dominance_revealed_only_after_a_first_removal():
    # (effect, cost): A(0,0) B(1,8) C(2,18) D(3,20). ICERs 8, 10, 2: C is ED; then D vs B is
    # 12/2 = 6 < 8, so B is ED too; the frontier is A -> D at 20/3.
    table = cea.icer_table(_outcomes([0, 8, 18, 20], [0, 1, 2, 3], ["A", "B", "C", "D"]))
    assert list(table["status"]) == ["ND", "ED", "ED", "ND"]
    assert list(table["comparator"][1:]) == ["A and D", "A and D", "A"]
    assert _row(table, "D")["icer"] == pytest.approx(20 / 3)


def test_icer_table_collinear_strategies_stay_on_the_frontier():
    table = cea.icer_table(_outcomes([0, 10, 20], [0, 1, 2]))
    assert list(table["status"]) == ["ND", "ND", "ND"]
    np.testing.assert_allclose(table["icer"][1:], [10, 10])


def test_icer_table_single_strategy():
    table = cea.icer_table(_outcomes([100.0], [1.0], ["only"]))
    assert len(table) == 1
    assert table.loc[0, "status"] == "ND" and pd.isna(table.loc[0, "comparator"])
    assert table[["inc_cost", "inc_effect", "icer"]].isna().all().all()


def test_icer_table_identical_strategies_keep_the_first_in_input_order():
    table = cea.icer_table(_outcomes([100, 200, 100, 200], [1.0, 2.0, 1.0, 2.0], ["a", "b", "a2", "b2"]))
    assert dict(zip(table["strategy"], table["status"])) == {"a": "ND", "a2": "D", "b": "ND", "b2": "D"}
    assert _row(table, "a2")["comparator"] == "a" and _row(table, "b2")["comparator"] == "b"
    assert _row(table, "b")["icer"] == pytest.approx(100)
    # The other input order keeps the other copy: the rule is input order, stated and tested.
    swapped = cea.icer_table(_outcomes([100, 200, 100, 200], [1.0, 2.0, 1.0, 2.0], ["a2", "b2", "a", "b"]))
    assert _row(swapped, "a2")["status"] == "ND" and _row(swapped, "a")["status"] == "D"


def test_icer_table_ties_in_cost_only_or_effect_only():
    # Same effect, higher cost -> D; same cost, lower effect -> D.
    table = cea.icer_table(_outcomes([100, 150, 300, 300], [1.0, 1.0, 2.0, 1.5], ["A", "A dearer", "B", "B worse"]))
    status = dict(zip(table["strategy"], table["status"]))
    assert status == {"A": "ND", "A dearer": "D", "B": "ND", "B worse": "D"}
    assert _row(table, "A dearer")["comparator"] == "A"
    assert _row(table, "B worse")["comparator"] == "B"


def test_icer_table_cheapest_is_also_most_effective():
    table = cea.icer_table(_outcomes([500, 100, 300, 900], [1.0, 3.0, 2.0, 2.9], ["w", "best", "x", "y"]))
    assert dict(zip(table["strategy"], table["status"])) == {"w": "D", "best": "ND", "x": "D", "y": "D"}
    assert set(table.loc[table["status"] == "D", "comparator"]) == {"best"}
    assert table["icer"].isna().all()


def test_icer_table_all_negative_increments_against_the_input_reference():
    # Each later strategy costs less and gains less than the first ("reference") one: the
    # table sorts by effect, so the ICERs come out against the less effective neighbour.
    table = cea.icer_table(_outcomes([1000, 700, 300], [3.0, 2.0, 0.5], ["reference", "cheaper", "cheapest"]))
    assert list(table["strategy"]) == ["cheapest", "cheaper", "reference"]
    assert list(table["status"]) == ["ND", "ND", "ND"]
    np.testing.assert_allclose(table["icer"][1:], [400 / 1.5, 300.0])
    assert (table["inc_cost"][1:] > 0).all() and (table["inc_effect"][1:] > 0).all()


def test_icer_table_uses_psa_means_and_named_variables():
    rng = np.random.default_rng(1)
    cost = rng.normal([100, 300], 20, size=(500, 2))
    qaly = rng.normal([1.0, 1.1], 0.05, size=(500, 2))
    out = make_outcomes({"cost": cost, "qaly": qaly, "ly": qaly * 2}, strategies=["A", "B"], effect="qaly")
    table = cea.icer_table(out)
    assert _row(table, "B")["icer"] == pytest.approx((cost[:, 1].mean() - cost[:, 0].mean()) / (qaly[:, 1].mean() - qaly[:, 0].mean()))
    assert cea.icer_table(out, effect="ly").loc[1, "icer"] == pytest.approx(table.loc[1, "icer"] / 2)
    assert table.attrs["effect"] == "qaly" and table.attrs["currency"] == "£"


def test_icer_table_rejects_nan_naming_the_outcome():
    out = _outcomes([100.0, 200.0], [1.0, 2.0], ["A", "B"])
    out["cost"][0, 1] = np.nan
    with pytest.raises(OutcomesError, match=r"'cost'.*'B'"):
        cea.icer_table(out)


def test_format_icer_table_currency_and_status_words():
    out = _outcomes([0, 8, 18, 20, 25], [0, 1, 2, 3, 2.5], ["A", "B", "C", "D", "E"])
    out.attrs["currency"] = "$"
    formatted = cea.format_icer_table(cea.icer_table(out), effect_decimals=1)
    assert formatted.loc["D", "ICER ($ per QALY)"] == "$7"
    assert formatted.loc["B", "Status"] == "Extendedly dominated by A and D"
    assert formatted.loc["E", "Status"] == "Dominated by D"
    assert formatted.loc["A", "ICER ($ per QALY)"] == "—"
    big = cea.format_icer_table(cea.icer_table(_outcomes([0, 13_886.4], [0, 1])))
    assert big.loc["S1", "ICER (£ per QALY)"] == "£13,886" and big.loc["S1", "Cost"] == "£13,886"
    assert cea.format_icer_table(cea.icer_table(_outcomes([-500.0], [1.0])), currency="€").loc["S0", "Cost"] == "-€500"


# --- ICER tables: published examples -------------------------------------------------------


def test_reproduces_dampack_cdiff_icer_table_with_extended_dominance():
    """Rajasingham R, Enns EA, Khoruts A, Vaughn BP (2020). Cost-effectiveness of treatment
    regimens for Clostridioides difficile infection. Clin Infect Dis 70(5):754-762; 11 of its
    strategies, mean PSA cost and QALYs as published in dampack's vignette "Basic Cost
    Effectiveness Analysis" (Alarid-Escudero, Enns, Knowlton et al.), Example 2, whose table
    (file vignettes/cdiff_icers.csv in DARTH-git/dampack) is reproduced here: 6 strategies on
    the frontier, s39 extendedly dominated, 4 strongly dominated."""
    published = pd.DataFrame(
        [("s3", 57336.0059896538, 12.9399639202408, np.nan, "ND"),
         ("s27", 57541.2526373815, 13.0140640696275, 2769.85470915263, "ND"),
         ("s33", 57642.2587507842, 13.0389116321918, 4065.03105249231, "ND"),
         ("s31", 57934.0743411241, 13.0966257932217, 5056.2216470406, "ND"),
         ("s43", 58072.1137208494, 13.11285766912, 8504.2160616553, "ND"),
         ("s44", 58665.7823044647, 13.1283328397025, 38362.6519947134, "ND"),
         ("s39", 57814.6470919581, 13.0462790163185, np.nan, "ED"),
         ("s4", 57887.481549326, 12.9970657153765, np.nan, "D"),
         ("s13", 58018.6252420203, 13.0650412387992, np.nan, "D"),
         ("s37", 58081.7947984323, 13.1029711156978, np.nan, "D"),
         ("s20", 58634.2026441398, 13.1100568867995, np.nan, "D")],
        columns=["strategy", "cost", "effect", "icer", "status"])
    # Imported as another tool's table would be, in a scrambled order.
    frame = published.sample(frac=1.0, random_state=3)[["strategy", "cost", "effect"]].rename(columns={"effect": "qaly"})
    table = cea.icer_table(from_dataframe(frame, effect="qaly", currency="$")).set_index("strategy")
    expected = published.set_index("strategy")
    assert table["status"].to_dict() == expected["status"].to_dict()
    np.testing.assert_allclose(table.loc[expected.index, "icer"], expected["icer"], rtol=1e-10)
    assert table.loc["s39", "comparator"] == "s33 and s31"


def test_reproduces_paltiel_2006_hiv_screening_dominance():
    """Paltiel AD et al. (2006). Expanded HIV screening in the United States. Ann Intern Med
    145(11):797-806, Table 4 (high-risk population) as used in dampack's "Basic Cost
    Effectiveness Analysis" vignette, Example 1: costs $26,000 ... $29,440 and
    quality-adjusted life months 277.25 ... 277.76. Annual screening is strongly dominated;
    the ICERs along the frontier (by hand from these rounded inputs) are $37,500, $58,286
    and $100,800 per QALY."""
    names = ["status quo", "one time", "5yr", "3yr", "annual"]
    out = _outcomes([26000, 27000, 28020, 28440, 29440], np.array([277.25, 277.57, 277.78, 277.83, 277.76]) / 12, names)
    table = cea.icer_table(out).set_index("strategy")
    assert table["status"].to_dict() == {"status quo": "ND", "one time": "ND", "5yr": "ND", "annual": "D", "3yr": "ND"}
    assert table.loc["annual", "comparator"] == "5yr"  # the least costly of 5yr and 3yr, which both dominate it
    np.testing.assert_allclose(table.loc[["one time", "5yr", "3yr"], "icer"], [37_500, 58_285.714, 100_800], rtol=1e-6)


def test_reproduces_herc_example_used_in_dampack_tests():
    """US VA Health Economics Resource Center, cost-effectiveness analysis guide example, as in
    dampack's tests/testthat/test_calculate_icers.R: C is extendedly dominated, A dominated;
    ICERs 5,000, 12,500, 20,000."""
    out = _outcomes([55000, 35000, 25000, 10000, 12000, 5000], [5, 4, 3, 2, 1.5, 1], ["E", "D", "C", "B", "A", "UC"])
    table = cea.icer_table(out).set_index("strategy")
    assert table["status"].to_dict() == {"UC": "ND", "A": "D", "B": "ND", "C": "ED", "D": "ND", "E": "ND"}
    np.testing.assert_allclose(table.loc[["B", "D", "E"], "icer"], [5000, 12500, 20000])


# --- ICER tables: properties ---------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_points = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 60)), min_size=1, max_size=7)
_distinct_points = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 60)), min_size=1, max_size=7, unique=True)


def _table_from(points, names=None):
    cost, effect = zip(*points)
    return cea.icer_table(_outcomes(list(cost), list(effect), names))


def _dominates(a, b):
    return a["cost"] <= b["cost"] and a["effect"] >= b["effect"] and (a["cost"] < b["cost"] or a["effect"] > b["effect"])


@given(_points)
def test_frontier_is_undominated_with_increasing_icers(points):
    table = _table_from(points)
    frontier = table[table["status"] == "ND"]
    assert len(frontier) >= 1
    for _, row in frontier.iterrows():
        assert not any(_dominates(other, row) for _, other in table.iterrows())
    icers = frontier["icer"].to_numpy()[1:]
    assert (np.diff(icers) >= 0).all()
    assert (frontier["inc_effect"].to_numpy()[1:] > 0).all() and (frontier["inc_cost"].to_numpy()[1:] > 0).all()
    by_name = table.set_index("strategy")
    for _, row in table[table["status"] == "D"].iterrows():
        dominator = by_name.loc[row["comparator"]]
        assert dominator["status"] != "D"  # the least costly dominator is never itself strongly dominated
        assert _dominates(dominator, row) or (dominator["cost"] == row["cost"] and dominator["effect"] == row["effect"])
    for _, row in table[table["status"] == "ED"].iterrows():
        lo, hi = (by_name.loc[s] for s in row["comparator"].split(" and "))
        # Strictly above the chord between the frontier strategies either side of it.
        chord = lo["cost"] + (hi["cost"] - lo["cost"]) * (row["effect"] - lo["effect"]) / (hi["effect"] - lo["effect"])
        assert lo["effect"] < row["effect"] < hi["effect"] and row["cost"] > chord


@given(_points)
def test_each_frontier_strategy_maximises_nmb_between_its_icers(points):
    # Independent check of the frontier: between consecutive ICERs, the frontier strategy has
    # the highest net monetary benefit of all strategies (Briggs et al. 2006, ch. 5).
    table = _table_from(points)
    frontier = table[table["status"] == "ND"].reset_index(drop=True)
    bounds = np.concatenate([[0.0], frontier["icer"].to_numpy()[1:], [np.inf]])
    for k, row in frontier.iterrows():
        lo, hi = bounds[k], bounds[k + 1]
        lam = lo + 1.0 if np.isinf(hi) else (lo + hi) / 2
        nmb = lam * table["effect"] - table["cost"]
        assert lam * row["effect"] - row["cost"] >= nmb.max() - 1e-9 * max(1.0, abs(nmb.max()))


@settings(max_examples=30)  # three tables per example: keeps the test within ~1 s
@given(_distinct_points, st.randoms(use_true_random=False))
def test_permuting_strategies_does_not_change_the_table(points, rnd):
    names = [f"s{i}" for i in range(len(points))]
    table = _table_from(points, names).set_index("strategy").sort_index()
    order = list(range(len(points)))
    rnd.shuffle(order)
    shuffled = _table_from([points[i] for i in order], [names[i] for i in order]).set_index("strategy").sort_index()
    pd.testing.assert_frame_equal(table, shuffled)


@settings(max_examples=30)
@given(_points, st.integers(-5000, 5000), st.integers(1, 9))
def test_cost_shift_and_scale(points, shift, k):
    table = _table_from(points)
    shifted = _table_from([(c + shift, e) for c, e in points])
    scaled = _table_from([(c * k, e) for c, e in points])
    for other in (shifted, scaled):
        assert list(other["status"]) == list(table["status"])
        assert list(other["comparator"].fillna("")) == list(table["comparator"].fillna(""))
    np.testing.assert_allclose(shifted["icer"], table["icer"])
    np.testing.assert_allclose(scaled["icer"], table["icer"] * k)


# --- incremental, pairwise -----------------------------------------------------------------


def _psa(n=2000, seed=7):
    rng = np.random.default_rng(seed)
    cost = rng.normal([1000, 4000, 6000, 9000], [200, 900, 1200, 1500], size=(n, 4))
    qaly = rng.normal([5.0, 5.2, 5.25, 5.4], [0.1, 0.12, 0.15, 0.2], size=(n, 4))
    return make_outcomes({"cost": cost, "qaly": qaly}, strategies=["usual", "A", "B", "C"], effect="qaly")


def test_incremental_per_sample():
    out = _psa(50)
    inc = cea.incremental(out, "A")
    assert list(inc["strategy"].values) == ["usual", "B", "C"]
    np.testing.assert_allclose(inc["cost"].sel(strategy="C"), out["cost"].sel(strategy="C") - out["cost"].sel(strategy="A"))
    np.testing.assert_allclose(inc["effect"].sel(strategy="usual"), out["qaly"].sel(strategy="usual") - out["qaly"].sel(strategy="A"))
    assert inc.attrs["comparator"] == "A"
    with pytest.raises(UnknownNameError, match="'Z'"):
        cea.incremental(out, "Z")
    with pytest.raises(AnalysisError, match="only strategy"):
        cea.incremental(_outcomes([1.0], [1.0], ["solo"]), "solo")


def test_incremental_net_benefit_is_nmb_difference():
    out = _psa(50)
    inb = cea.incremental_net_benefit(out, "usual", [0, 20_000, 30_000])
    nmb = cea.net_benefit(out, [0, 20_000, 30_000])
    np.testing.assert_allclose(inb.sel(strategy="B"), nmb.sel(strategy="B") - nmb.sel(strategy="usual"))
    assert (inb.sel(strategy="usual") == 0).all() and inb.attrs["comparator"] == "usual"


def test_pairwise_hand_worked():
    out = _outcomes([[0, 100], [0, 300], [0, 200], [0, -50]], [[0, 0.01], [0, 0.02], [0, 0.03], [0, -0.01]], ["old", "new"])
    row = cea.pairwise(out, "old", wtp=10_000, level=0.5).loc["new"]
    assert row["inc_cost"] == pytest.approx(137.5) and row["inc_effect"] == pytest.approx(0.0125)
    assert row["icer"] == pytest.approx(11_000)
    # Incremental NMB per sample: 0, -100, 100, -50 -> P(> 0) = 1/4; 25th-75th percentiles.
    assert row["inc_nmb"] == pytest.approx(-12.5) and row["p_cost_effective"] == pytest.approx(0.25)
    assert row["inc_nmb_lower"] == pytest.approx(np.percentile([0, -100, 100, -50], 25))
    assert row["inc_cost_upper"] == pytest.approx(np.percentile([100, 300, 200, -50], 75))
    assert row["quadrant"].startswith("NE")


def test_pairwise_quadrants_and_zero_effect():
    out = _outcomes([0, 10, -10, -5, 5, 0], [0, -1, 1, -1, 0, 0], ["ref", "dominated", "dominant", "sw", "flat", "same"])
    table = cea.pairwise(out, "ref", wtp=100)
    assert table.loc["dominated", "quadrant"].startswith("NW")
    assert table.loc["dominant", "quadrant"].startswith("SE")
    assert table.loc["sw", "quadrant"].startswith("SW") and table.loc["sw", "icer"] == pytest.approx(5)
    assert table.loc["flat", "quadrant"].startswith("NW") and np.isnan(table.loc["flat", "icer"])
    assert table.loc["same", "quadrant"] == "identical"
    with pytest.raises(AnalysisError, match="level"):
        cea.pairwise(out, "ref", wtp=100, level=95)
    with pytest.raises(AnalysisError, match="one threshold"):
        cea.pairwise(out, "ref", wtp=[100, 200])


# --- CEAC, CEAF, expected loss -------------------------------------------------------------

GRID = np.linspace(0, 50_000, 26)


def _loop_reference(out, grid):
    """Plain per-threshold loop, written independently, to check the vectorised code."""
    cost, effect = out["cost"].values, out["qaly"].values
    share, loss = [], []
    for lam in grid:
        nmb = lam * effect - cost
        best = np.array([int(np.flatnonzero(row == row.max())[0]) for row in nmb])
        share.append([(best == k).mean() for k in range(nmb.shape[1])])
        loss.append([(nmb.max(axis=1) - nmb[:, k]).mean() for k in range(nmb.shape[1])])
    return np.array(share), np.array(loss)


def test_ceac_and_expected_loss_match_a_plain_loop():
    out = _psa(300)
    share, loss = _loop_reference(out, GRID)
    curve = cea.ceac(out, GRID)
    assert curve.dims == ("wtp", "strategy")
    np.testing.assert_allclose(curve.values, share)
    np.testing.assert_allclose(cea.expected_loss(out, GRID).values, loss, rtol=1e-12, atol=1e-9)


def test_threshold_blocks_give_identical_results(monkeypatch):
    out = _psa(300)
    whole = cea.ceac(out, GRID), cea.expected_loss(out, GRID)
    monkeypatch.setattr(cea, "_BLOCK_ELEMENTS", 300 * 3)  # 3 thresholds per block
    np.testing.assert_array_equal(cea.ceac(out, GRID).values, whole[0].values)
    np.testing.assert_array_equal(cea.expected_loss(out, GRID).values, whole[1].values)


@given(st.integers(1, 40), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_ceac_is_a_probability_summing_to_one(n, k, seed):
    rng = np.random.default_rng(seed)
    out = _outcomes(rng.normal(1000, 500, (n, k)).round(), rng.normal(1, 0.5, (n, k)).round(1))
    curve = cea.ceac(out, GRID)
    assert ((curve >= 0) & (curve <= 1)).all()
    np.testing.assert_allclose(curve.sum("strategy"), 1.0)
    loss = cea.expected_loss(out, GRID)
    assert (loss >= 0).all()
    frontier = cea.ceaf(out, GRID)
    np.testing.assert_allclose(frontier["expected_loss"], loss.min("strategy"), atol=1e-9)


def test_ceac_is_one_half_at_the_icer_for_normal_increments():
    rng = np.random.default_rng(2024)
    n = 40_000
    d_effect = rng.normal(0.5, 0.2, n)
    d_cost = rng.normal(10_000, 3000, n)
    out = _outcomes(np.column_stack([np.zeros(n), d_cost]), np.column_stack([np.zeros(n), d_effect]), ["old", "new"])
    icer = d_cost.mean() / d_effect.mean()
    assert cea.ceac(out, icer).sel(strategy="new").item() == pytest.approx(0.5, abs=0.01)
    curve = cea.ceac(out, [0, 100_000]).sel(strategy="new").values
    assert curve[0] < 0.01 and curve[1] > 0.95


def test_ceac_ties_go_to_the_first_strategy():
    out = _outcomes([[10.0, 10.0, 10.0]] * 3, [[1.0, 1.0, 1.0]] * 3, ["first", "copy", "other copy"])
    np.testing.assert_array_equal(cea.ceac(out, [0, 1000]).values, [[1, 0, 0], [1, 0, 0]])
    assert list(cea.ceaf(out, [0, 1000])["optimal"].values) == ["first", "first"]


def test_ceaf_picks_highest_expected_nmb_not_highest_probability():
    # B usually wins by a little but sometimes loses a lot: A has the higher expected NMB
    # while B has the higher probability of being cost-effective (Fenwick et al. 2001).
    cost = np.array([[0.0, -10.0]] * 9 + [[0.0, 200.0]])
    out = _outcomes(cost, np.zeros((10, 2)), ["A", "B"])
    frontier = cea.ceaf(out, [1000])
    assert cea.ceac(out, [1000]).sel(strategy="B").item() == pytest.approx(0.9)
    assert frontier["optimal"].item() == "A" and frontier["probability"].item() == pytest.approx(0.1)
    assert frontier["expected_nmb"].item() == 0.0
    # EVPI = E[max NMB] - max E[NMB] = (9 * 10 + 0) / 10 - 0 = 9.
    assert frontier["expected_loss"].item() == pytest.approx(9.0)


def test_decision_curves_from_dataframe_and_named_variables():
    out = _psa(200)
    frame = out.to_dataframe().reset_index()[["sample", "strategy", "cost", "qaly"]]
    imported = from_dataframe(frame, effect="qaly")
    np.testing.assert_array_equal(cea.ceac(imported, GRID).values, cea.ceac(out, GRID).values)
    doubled = out.assign(qaly2=out["qaly"] * 2)
    np.testing.assert_allclose(cea.ceac(doubled, GRID / 2, effect="qaly2").values, cea.ceac(out, GRID).values)
    with pytest.raises(AnalysisError, match="wtp"):
        cea.ceac(out, [[1.0, 2.0]])
    with pytest.raises(AnalysisError, match="wtp"):
        cea.expected_loss(out, [])


def test_ceac_with_more_strategies_than_fit_in_a_byte():
    rng = np.random.default_rng(5)
    out = _outcomes(rng.normal(1000, 300, (6, 300)), rng.normal(1, 0.2, (6, 300)))
    share, loss = _loop_reference(out, GRID[:4])
    np.testing.assert_allclose(cea.ceac(out, GRID[:4]).values, share)
    np.testing.assert_allclose(cea.expected_loss(out, GRID[:4]).values, loss, atol=1e-9)


def _hand_example():
    # dampack's hand-worked example: A dominated by B, C extendedly dominated by B and D
    return make_outcomes({"cost": [55000, 35000, 25000, 10000, 12000, 5000], "qaly": [5, 4, 3, 2, 1.5, 1]},
                         strategies=["E", "D", "C", "B", "A", "UC"], effect="qaly")


def test_icer_table_in_dampack_order_keeps_every_value():
    by_effect = cea.icer_table(_hand_example()).set_index("strategy")
    dampack = cea.icer_table(_hand_example(), order="dampack")
    assert dampack["strategy"].tolist() == ["UC", "B", "D", "E", "C", "A"]
    pd.testing.assert_frame_equal(dampack.set_index("strategy").loc[by_effect.index], by_effect)
    with pytest.raises(AnalysisError, match="order: unknown option 'cost'"):
        cea.icer_table(_hand_example(), order="cost")


def test_kstar_exact_is_the_frontier_icers_and_the_grid_finds_the_next_point():
    exact = cea.kstar(_hand_example())
    assert exact["wtp"].tolist() == pytest.approx([5000, 12500, 20000], rel=1e-12)
    assert list(zip(exact["from"], exact["to"])) == [("UC", "B"), ("B", "D"), ("D", "E")]
    # BCEA's default grid: 0 to 50,000 by 100; at a tie (exactly 5,000) the first strategy in
    # the outcome set's order is optimal, here B before UC, so B is optimal from 5,000
    grid = cea.kstar(_hand_example(), wtp=np.arange(0, 50_001, 100))
    assert grid["wtp"].tolist() == [5000, 12500, 20000]
    # each threshold separates the two strategies: just below, "from" has the higher mean NMB
    out = _hand_example()
    for _, row in exact.iterrows():
        nmb = cea.net_benefit(out, [row["wtp"] - 1, row["wtp"] + 1]).mean("sample")
        assert nmb.sel(strategy=row["from"]).values[0] > nmb.sel(strategy=row["to"]).values[0]
        assert nmb.sel(strategy=row["to"]).values[1] > nmb.sel(strategy=row["from"]).values[1]


def test_kstar_empty_when_one_strategy_is_best_throughout():
    out = make_outcomes({"cost": [100.0, 200.0], "qaly": [2.0, 1.0]}, strategies=["good", "bad"], effect="qaly")
    assert cea.kstar(out).empty and cea.kstar(out, wtp=[0, 1e5]).empty


def test_format_icer_table_keeps_dampack_order():
    formatted = cea.format_icer_table(cea.icer_table(_hand_example(), order="dampack"))
    assert list(formatted.index) == ["UC", "B", "D", "E", "C", "A"]
    assert formatted.loc["C", "Status"] == "Extendedly dominated by B and D"
