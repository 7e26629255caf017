"""SROI: hand-worked numbers, invariants, validation, PSA, sensitivity and table round-trips."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from healthecon.appraisal import acceptability, headline_table, party_table, payback_period, waterfall_steps
from healthecon.discount import GREEN_BOOK_HEALTH, GREEN_BOOK_STANDARD
from healthecon.dsa import one_way_impact_map
from healthecon.errors import ModelDefinitionError, ParameterError, UnknownNameError
from healthecon.sroi import (
    ImpactMap,
    Investment,
    Outcome,
    SROIModel,
)
from healthecon.sroi_io import impact_map_from_frames, read_impact_map, write_impact_map


def three_outcomes(**changes):
    outcomes = [
        Outcome("stays at home", "older people", 10, 500.0, duration=3, deadweight=0.2, attribution=0.1, drop_off=0.1),
        Outcome("carer back at work", "carers", 20, 100.0, duration=1, start_year=2, deadweight=0.5, displacement=0.25),
        Outcome("fewer admissions", "NHS", 5, 1000.0, duration=2, attribution=0.4, drop_off=0.5),
    ]
    return ImpactMap(outcomes, [Investment("council", 10_000.0)], name="scheme", **changes)


def ratio(out):
    return float(out["sroi_ratio"].values.squeeze())


def test_three_outcome_map_by_hand():
    # impact = q * p * (1-dw)(1-ds)(1-at); drop-off on the balance after year 1
    o1 = [10 * 500 * 0.8 * 0.9 * 0.9**k for k in range(3)]  # 3600, 3240, 2916 in years 1-3
    o2 = 20 * 100 * 0.5 * 0.75  # 750 in year 2
    o3 = [5 * 1000 * 0.6, 5 * 1000 * 0.6 * 0.5]  # 3000, 1500 in years 1-2
    assert o1 == pytest.approx([3600, 3240, 2916])
    by_year = {1: o1[0] + o3[0], 2: o1[1] + o2 + o3[1], 3: o1[2]}
    pv = sum(v / 1.035**y for y, v in by_year.items())  # the guide discounts year 1 too
    out = SROIModel(three_outcomes(), discount=0.035).run()
    assert float(out["benefit"].squeeze()) == pytest.approx(pv, rel=1e-12)
    assert float(out["cost"].squeeze()) == 10_000.0  # year-0 investment is not discounted
    assert ratio(out) == pytest.approx(pv / 10_000, rel=1e-12)
    assert float(out["net_sroi"].squeeze()) == pytest.approx(pv / 10_000 - 1, rel=1e-12)
    assert float(out["benefit_undiscounted"].squeeze()) == pytest.approx(sum(by_year.values()))
    # payback: cumulative discounted net crosses zero during year 3?
    cum1 = -10_000 + by_year[1] / 1.035
    cum2 = cum1 + by_year[2] / 1.035**2
    assert cum1 < 0 and cum2 > 0
    expected = 1 + (-cum1) / (by_year[2] / 1.035**2)
    assert float(payback_period(out).squeeze()) == pytest.approx(expected, rel=1e-12)
    # who gains
    table = party_table(out)
    assert table.loc["NHS", "benefit"] == pytest.approx(3000 / 1.035 + 1500 / 1.035**2)
    assert table.loc["council", "cost"] == pytest.approx(10_000)


def test_waterfall_steps_by_hand():
    out = SROIModel(three_outcomes(), discount=0.0).run()
    steps = waterfall_steps(out)
    assert steps["gross value"] == pytest.approx(10 * 500 * 3 + 20 * 100 + 5 * 1000 * 2)
    assert steps["deadweight"] == pytest.approx(-(5000 * 0.2 * 3 + 2000 * 0.5))
    assert steps["displacement"] == pytest.approx(-(1000 * 0.25))
    assert steps["attribution"] == pytest.approx(-(4000 * 0.1 * 3 + 5000 * 0.4 * 2))
    assert steps["drop-off"] == pytest.approx(-((3600 * 3 - (3600 + 3240 + 2916)) + 1500))
    assert steps["discounting (impact)"] == pytest.approx(0.0, abs=1e-9)
    assert steps.sum() == pytest.approx(float(out["npv"].squeeze()))


deduction = st.floats(0, 0.9)


@st.composite
def maps(draw):
    k = draw(st.integers(1, 3))
    outcomes = [
        Outcome(f"o{i}", "people", draw(st.floats(1, 100)), draw(st.floats(1, 1e4)),
                duration=draw(st.integers(1, 5)), start_year=draw(st.integers(1, 3)),
                deadweight=draw(deduction), displacement=draw(deduction), attribution=draw(deduction),
                drop_off=draw(deduction))
        for i in range(k)
    ]
    return ImpactMap(outcomes, [Investment("funder", draw(st.floats(100, 1e5)))], name="m")


@given(imap=maps(), field=st.sampled_from(["deadweight", "displacement", "attribution", "drop_off"]),
       bump=st.floats(0.01, 0.09), rate=st.floats(0, 0.1))
def test_ratio_falls_as_any_deduction_rises(imap, field, bump, rate):
    o = imap.outcomes[0]
    changed = imap.replace_outcome(o.name, **{field: getattr(o, field) + bump})
    before, after = SROIModel({"before": imap, "after": changed}, discount=rate).run()["sroi_ratio"].values[0]
    if field == "drop_off" and o.duration == 1:
        assert after == before  # drop-off only acts after the first year
    else:
        assert after < before


@given(imap=maps(), factor=st.floats(1.01, 3), rate=st.floats(0, 0.1))
def test_ratio_rises_with_any_proxy(imap, factor, rate):
    o = imap.outcomes[-1]
    changed = imap.replace_outcome(o.name, proxy=o.proxy * factor)
    before, after = SROIModel({"before": imap, "after": changed}, discount=rate).run()["sroi_ratio"].values[0]
    assert after > before


@given(imap=maps())
def test_zero_deductions_and_discounting_give_the_plain_sum(imap):
    plain = ImpactMap(
        [Outcome(o.name, o.stakeholder, o.quantity, o.proxy, o.duration, o.start_year) for o in imap.outcomes],
        imap.investment, name="m")
    out = SROIModel(plain, discount=0.0).run()
    total = sum(o.quantity * o.proxy * o.duration for o in imap.outcomes)
    assert float(out["benefit"].squeeze()) == pytest.approx(total, rel=1e-12)
    assert ratio(out) == pytest.approx(total / imap.investment[0].amount, rel=1e-12)


def draws_of(n, **columns):
    return xr.Dataset({k: ("sample", np.asarray(v, dtype=float)) for k, v in columns.items()},
                      coords={"sample": np.arange(n)})


def test_psa_with_zero_variance_reproduces_the_deterministic_result_exactly():
    n = 7
    named = ImpactMap(
        [Outcome("stays at home", "older people", "q", "p", duration=3, deadweight="dw", attribution=0.1, drop_off="do"),
         *three_outcomes().outcomes[1:]],
        [Investment("council", "inv")], name="scheme")
    draws = draws_of(n, q=[10] * n, p=[500.0] * n, dw=[0.2] * n, do=[0.1] * n, inv=[10_000.0] * n)
    psa = SROIModel(named).run(draws)
    det = SROIModel(three_outcomes()).run()
    assert psa.sizes["sample"] == n
    for var in ("benefit", "cost", "sroi_ratio", "npv", "flows_pv", "steps"):
        np.testing.assert_array_equal(psa[var].values, np.repeat(det[var].values, n, axis=0))


def long_map(named: bool) -> ImpactMap:
    """Eight outcomes over 40 years (past the Green Book's year-30 band) and yearly investment."""
    outcomes = [
        Outcome(f"outcome {k}", "people", f"q{k}" if named else 3.0 + k, f"p{k}" if named else 1234.567 / (k + 1),
                duration=40 - 3 * k, start_year=1 + k, deadweight=f"dw{k}" if named else 0.1 + 0.05 * k,
                attribution=0.3, drop_off=f"do{k}" if named else 0.01 * k)
        for k in range(8)
    ]
    investment = [Investment("council", "inv" if named else 777.77, year=t) for t in range(10)]
    return ImpactMap(outcomes, investment, name="long")


def long_draws(n):
    columns = {"inv": [777.77] * n}
    for k in range(8):
        columns.update({f"q{k}": [3.0 + k] * n, f"p{k}": [1234.567 / (k + 1)] * n,
                        f"dw{k}": [0.1 + 0.05 * k] * n, f"do{k}": [0.01 * k] * n})
    return draws_of(n, **columns)


@pytest.mark.parametrize("discount", [0.035, GREEN_BOOK_STANDARD, GREEN_BOOK_HEALTH], ids=["constant 3.5%", "Green Book standard", "Green Book health"])
@pytest.mark.parametrize("n", [2, 13, 64])
def test_zero_variance_psa_with_discounting_equals_the_base_case_bit_for_bit(discount, n):
    # Present values are elementwise products summed in a fixed order, so a row's value does
    # not depend on how many rows there are (a matrix product or a multi-axis numpy sum can).
    base = SROIModel(long_map(named=False), discount=discount).run()
    psa = SROIModel(long_map(named=True), discount=discount).run(long_draws(n))
    assert psa.sizes["sample"] == n
    for var in ("benefit", "cost", "npv", "sroi_ratio", "net_sroi", "benefit_undiscounted", "cost_undiscounted",
                "flows", "flows_pv", "steps", "benefit_by_stakeholder", "cost_by_stakeholder"):
        assert (psa[var].values == np.repeat(base[var].values, n, axis=0)).all(), var
    assert (payback_period(psa).values == payback_period(base).values).all()


def test_psa_probability_of_ratio_above_targets():
    rng = np.random.default_rng(3)
    n = 2000
    imap = ImpactMap([Outcome("o", "people", 100, "proxy")], [Investment("f", 10_000.0)], name="s")
    draws = draws_of(n, proxy=rng.normal(120.0, 20.0, n))
    out = SROIModel(imap, discount=0.0).run(draws)
    # ratio = proxy / 100 exactly (one year, no deductions, no discounting)
    np.testing.assert_allclose(out["sroi_ratio"].values[:, 0], draws["proxy"].values / 100)
    curve = acceptability(out, [1.0, 1.2, 1.5])
    expected = [(draws["proxy"].values / 100 > t).mean() for t in (1.0, 1.2, 1.5)]
    np.testing.assert_allclose(curve.values[:, 0], expected)
    assert headline_table(out, target=1.2).loc["s", "p_ratio_above_target"] == pytest.approx(expected[1])


def test_one_way_ranks_fields_and_reproduces_hand_values():
    model = SROIModel(three_outcomes(), discount=0.0)
    table = one_way_impact_map(model, change=0.2)
    assert set(table["field"]) == {"proxy", "deadweight", "displacement", "attribution", "drop_off"}
    assert len(table) == 15 and (table["swing"].diff().dropna() <= 0).all()
    row = table[(table["outcome"] == "fewer admissions") & (table["field"] == "proxy")].iloc[0]
    base = ratio(model.run())
    # proxy +-20% on an outcome worth 4500 undiscounted moves the ratio by +-0.09
    assert row["outcome_high"] - base == pytest.approx(4500 * 0.2 / 10_000)
    assert row["outcome_low"] - base == pytest.approx(-4500 * 0.2 / 10_000)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_table_round_trip_with_results(tmp_path, suffix):
    imap = three_outcomes()
    out = SROIModel(imap).run()
    path = write_impact_map(imap, tmp_path / f"map{suffix}", out)
    back = read_impact_map(path, tmp_path / "map_investment.csv" if suffix == ".csv" else None, name="scheme")
    assert back == imap
    written = pd.read_excel(path, sheet_name="outcomes") if suffix == ".xlsx" else pd.read_csv(path)
    assert written["present_value"].sum() == pytest.approx(float(out["benefit"].squeeze()))


def test_table_cells_accept_percentages_and_names_but_never_run_code():
    outcomes = pd.DataFrame({"Outcome": ["a"], "Stakeholder": ["x"], "Quantity": ["10"], "Proxy": ["£1,000"],
                             "Deadweight": ["25%"], "Attribution": ["attr_a"]})
    imap = impact_map_from_frames(outcomes, pd.DataFrame({"funder": ["f"], "amount": [5000]}))
    o = imap.outcomes[0]
    assert (o.quantity, o.proxy, o.deadweight, o.attribution) == (10.0, 1000.0, 0.25, "attr_a")
    bad = outcomes.assign(Proxy=["__import__('os').system('echo hi')"])
    with pytest.raises(ParameterError, match="row 1 .*'proxy'"):
        impact_map_from_frames(bad, pd.DataFrame({"funder": ["f"], "amount": [5000]}))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("deadweight", 1.2, "outcome 'o', field 'deadweight'"),
        ("attribution", -0.1, "outcome 'o', field 'attribution'"),
        ("displacement", 2.0, "outcome 'o', field 'displacement'"),
        ("drop_off", 1.0, "outcome 'o', field 'drop_off'"),
        ("quantity", -5, "outcome 'o', field 'quantity'"),
        ("duration", -1, "outcome 'o', field 'duration'"),
        ("start_year", 0, "outcome 'o', field 'start_year'"),
        ("proxy", float("nan"), "outcome 'o', field 'proxy'"),
    ],
)
def test_bad_fields_are_named(field, value, message):
    kwargs = {"quantity": 1, "proxy": 1.0, field: value}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Outcome("o", "people", **kwargs)


def test_bad_drawn_values_are_named_with_the_outcome_and_field():
    imap = ImpactMap([Outcome("o", "people", 1, 1.0, deadweight="dw")], [Investment("f", 1.0)])
    with pytest.raises(ParameterError, match=r"outcome 'o', field 'deadweight'.*1\.5 at index 1"):
        SROIModel(imap).run(draws_of(2, dw=[0.1, 1.5]))
    with pytest.raises(UnknownNameError, match="outcome 'o', field 'deadweight'.*'dw'"):
        SROIModel(imap).run(draws_of(2, other=[0.1, 0.2]))


def test_structural_errors_are_named():
    o = Outcome("o", "peple", 1, 1.0, duration=3)
    with pytest.raises(UnknownNameError, match="outcome 'o', field 'stakeholder'.*'peple'"):
        ImpactMap([o], [Investment("f", 1.0)], stakeholders=["people"])
    with pytest.raises(ModelDefinitionError, match="outcome 'o'.*year 3.*horizon \\(year 2\\)"):
        ImpactMap([o], [Investment("f", 1.0)], horizon=2)
    with pytest.raises(ModelDefinitionError, match="investment by 'f', field 'year'"):
        ImpactMap([Outcome("o", "p", 1, 1.0)], [Investment("f", 1.0, year=5)], horizon=2)
    with pytest.raises(ParameterError, match="investment by 'f'"):
        Investment("f", -10.0)
    with pytest.raises(ModelDefinitionError, match="'o' is given more than once"):
        ImpactMap([Outcome("o", "p", 1, 1.0), Outcome("o", "p", 2, 1.0)], [Investment("f", 1.0)])
    with pytest.raises(ModelDefinitionError, match="positive cost"):
        SROIModel(ImpactMap([Outcome("o", "p", 1, 1.0)], [Investment("f", 0.0)], name="free")).run()


def test_several_maps_are_strategies():
    a = three_outcomes()
    b = ImpactMap(a.outcomes[:1], a.investment, name="small")
    out = SROIModel({"full": a, "small": b}).run()
    assert list(out["strategy"].values) == ["full", "small"]
    assert out["benefit"].sel(strategy="full").item() > out["benefit"].sel(strategy="small").item()
    # a line absent from a strategy contributes zero there
    assert out["flows"].sel(strategy="small", line="fewer admissions").sum().item() == 0.0


def test_one_way_explicit_ranges():
    model = SROIModel(three_outcomes(), discount=0.0)
    table = one_way_impact_map(model, fields=("proxy",), ranges={"displacement": (0.0, 0.5),
                                                      ("fewer admissions", "proxy"): (500.0, 2000.0)})
    row = table[(table["outcome"] == "stays at home") & (table["field"] == "displacement")].iloc[0]
    assert (row["low"], row["high"]) == (0.0, 0.5)
    base = ratio(model.run())
    undiscounted = 3600 + 3240 + 2916  # "stays at home" after deductions, before displacement
    assert row["outcome_high"] == pytest.approx(base - 0.5 * undiscounted / 10_000)
    row = table[(table["outcome"] == "fewer admissions") & (table["field"] == "proxy")].iloc[0]
    assert row["outcome_high"] - base == pytest.approx(4500 * 1.0 / 10_000)
    with pytest.raises(ParameterError, match="outcome 'stays at home', field 'deadweight'"):
        one_way_impact_map(model, ranges={"deadweight": (0.0, 1.2)})
    with pytest.raises(UnknownNameError, match="'fewer admisions'"):
        one_way_impact_map(model, ranges={("fewer admisions", "proxy"): (1.0, 2.0)})


def test_one_way_table_draws_as_a_tornado():
    from healthecon.plot.dsa import plot_tornado

    table = one_way_impact_map(SROIModel(three_outcomes(), discount=0.0), change=0.2)
    ax = plot_tornado(table, top=4)
    low_bars, high_bars = ax.containers[0], ax.containers[1]
    base = table["outcome_base"].iloc[0]
    np.testing.assert_allclose([b.get_width() for b in high_bars], table["outcome_high"].iloc[:4] - base)
    np.testing.assert_allclose([b.get_width() for b in low_bars], table["outcome_low"].iloc[:4] - base)
    assert table.index[0] == "stays at home: proxy"


def test_one_way_is_dsa_one_way_over_the_maps_own_fields():
    # a field given as a parameter name takes the draws' mean as its base value
    named = three_outcomes().replace_outcome("stays at home", proxy="p")
    model = SROIModel(named, discount=0.035)
    draws = draws_of(4, p=[400.0, 500.0, 600.0, 500.0])
    table = one_way_impact_map(model, draws, fields=("proxy", "attribution"), change=0.1)
    assert table.attrs["outcome"] == "sroi_ratio" and table.attrs["units"] == "per £1"
    assert table.loc["stays at home: proxy", ["base", "low", "high"]].tolist() == pytest.approx([500.0, 450.0, 550.0], rel=1e-12)
    assert table.loc["carer back at work: attribution", ["low", "high"]].tolist() == pytest.approx([0.0, 0.0], abs=1e-12)
    for label, row in table.iterrows():
        outcome, field = label.split(": ")
        for end in ("low", "high"):
            changed = SROIModel(named.replace_outcome(outcome, **{field: row[end]}), discount=0.035)
            assert row[f"outcome_{end}"] == ratio(changed.run(draws_of(1, p=[500.0])))  # same run, bit for bit
    with pytest.raises(ParameterError, match="'stays at home: proxy': low 2 is greater than high 1"):
        one_way_impact_map(model, draws, ranges={("stays at home", "proxy"): (2.0, 1.0)})
    with pytest.raises(ParameterError, match="clashes"):
        one_way_impact_map(model, draws.assign({"fewer admissions: proxy": ("sample", np.ones(4))}))


def test_the_outcome_set_is_in_money_not_qalys():
    out = SROIModel(three_outcomes(), discount=0.035).run()
    assert out.attrs["currency"] == "£" and out.attrs["effect_unit"] == "£" and out.attrs["effect"] == ""


def test_an_impact_map_written_to_excel_keeps_formula_like_text_as_text(tmp_path):
    from openpyxl import load_workbook

    imap = ImpactMap([Outcome("=1+1", "older people", 40, 1_000.0, duration=2, proxy_source='=HYPERLINK("http://x","y")')],
                     [Investment("council", 30_000.0)], name="falls")
    path = write_impact_map(imap, tmp_path / "map.xlsx")
    cells = [c for sheet in load_workbook(path) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert read_impact_map(path).outcomes[0].name == "=1+1"


# ---- issue 11: calendar years, empty models, exact and safe round trips ----------------------
def test_a_calendar_start_year_is_refused_with_the_reason():
    # was: an SROI ratio of 3.2e-30 (2025 read as 2,025 years from now)
    with pytest.raises(ModelDefinitionError, match=r"outcome 'x', field 'start_year': 2025 looks like a calendar year"):
        Outcome("x", "people", 1, 100.0, duration=3, start_year=2025)
    with pytest.raises(ModelDefinitionError, match="calendar year"):
        Investment("council", 1.0, year=2024)


def test_an_sroi_model_of_no_maps_is_refused():
    with pytest.raises(ModelDefinitionError, match="no impact maps given"):
        SROIModel({}).run()


TRICKY = ["01", "1e5", "TRUE", "NA", "None", "#N/A", "=cmd|' /C calc'!A0", "+1", "-2", "@x", "'quoted", "''", "  ",
          " padded ", "line\nbreak", "comma, here", 'say "hi"', "£1,000", "25%"]


def tricky_map():
    outcomes = [Outcome(name, TRICKY[(i + 1) % len(TRICKY)], 10 + i, -50.0 if i % 3 == 0 else 1.5 * i + 0.1, duration=2,
                        indicator=TRICKY[(i + 2) % len(TRICKY)], proxy_source=TRICKY[(i + 3) % len(TRICKY)])
                for i, name in enumerate(TRICKY)]
    return ImpactMap(outcomes, [Investment(name, 1000.0 + i, year=i % 2) for i, name in enumerate(TRICKY[:6])],
                     name="tricky")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_impact_map_round_trips_exactly_with_text_that_looks_like_numbers_or_missing(tmp_path, suffix):
    imap = tricky_map()
    path = write_impact_map(imap, tmp_path / f"map{suffix}")
    back = read_impact_map(path, tmp_path / "map_investment.csv" if suffix == ".csv" else None, name="tricky")
    assert back == imap


def test_impact_map_csv_never_holds_a_formula(tmp_path):
    imap = ImpactMap([Outcome("=cmd|' /C calc'!A0", "@SUM(A1)", 1, 10.0, indicator="+1", proxy_source="-2+3")],
                     [Investment("=HYPERLINK(\"x\")", 1.0)])
    write_impact_map(imap, tmp_path / "m.csv")
    import csv

    for file in ("m.csv", "m_investment.csv"):
        with open(tmp_path / file, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row), row
                assert not any(cell.startswith("-") and not cell.lstrip("-").replace(".", "").isdigit() for cell in row)
    assert read_impact_map(tmp_path / "m.csv", tmp_path / "m_investment.csv", name="SROI") == imap


def test_impact_map_excel_with_a_control_character_says_where(tmp_path):
    from healthecon.errors import HealthEconError

    imap = ImpactMap([Outcome("falls\x01", "older people", 1, 10.0)], [Investment("council", 1.0)])
    with pytest.raises(HealthEconError, match=r"sheet 'outcomes', cell A2: .*control character '\\x01'"):
        write_impact_map(imap, tmp_path / "m.xlsx")


def test_loading_an_impact_map_never_runs_code(tmp_path):
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    (tmp_path / "o.csv").write_text(f"outcome,stakeholder,quantity,proxy\n\"{payload}\",people,1,{payload!r}\n")
    (tmp_path / "i.csv").write_text("funder,amount\ncouncil,1\n")
    with pytest.raises(ParameterError, match="expected a number, a percentage or a parameter name"):
        read_impact_map(tmp_path / "o.csv", tmp_path / "i.csv")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "outcomes"
    sheet.append(["outcome", "stakeholder", "quantity", "proxy"])
    sheet.append(["=WEBSERVICE(\"http://example.invalid\")", "people", 1, "=1+1"])  # formulas, no cached values
    investment = book.create_sheet("investment")
    investment.append(["funder", "amount"])
    investment.append(["council", 1])
    book.save(tmp_path / "m.xlsx")
    with pytest.raises(ModelDefinitionError, match=r"sheet 'outcomes', cell A2: holds the formula '=WEBSERVICE.*paste the values"):
        read_impact_map(tmp_path / "m.xlsx")  # a formula is never evaluated, nor its stored result trusted
    assert not marker.exists()


def test_reading_an_impact_map_refuses_what_would_be_misread(tmp_path):
    # cells and columns a spreadsheet user writes that would otherwise be read as something else
    investment = tmp_path / "i.csv"
    investment.write_text("funder,amount\ncouncil,1000\n")

    def read(outcomes_csv):
        path = tmp_path / "o.csv"
        path.write_text(outcomes_csv)
        return read_impact_map(path, investment)

    head = "outcome,stakeholder,quantity,proxy"
    with pytest.raises(ModelDefinitionError, match=r"line 2 has 5 cells but the header has 4"):
        read(head + "\nfalls,older,40,1,200\n")  # an unquoted thousands comma shifted the columns
    with pytest.raises(ParameterError, match=r"'1,5' has a comma that is not a thousands separator"):
        read(head + '\nfalls,older,40,"1,5"\n')
    with pytest.raises(ParameterError, match=r"'500%' is a percentage, but this column is not a share"):
        read(head + "\nfalls,older,40,500%\n")
    with pytest.raises(ModelDefinitionError, match=r"column 'dead_weight' is not read; did you mean 'deadweight'"):
        read(head + ",Dead weight\nfalls,older,40,100,0.3\n")
    with pytest.raises(ModelDefinitionError, match=r"column 'deadweight_%' is not read; did you mean 'deadweight'"):
        read(head + ",Deadweight %\nfalls,older,40,100,30%\n")
    ok = read(head + ',deadweight,notes\nfalls,older,40,"1,200",30%,from the 2023 survey\n')
    assert (ok.outcomes[0].proxy, ok.outcomes[0].deadweight) == (1200.0, 0.3)
    with pytest.raises(ModelDefinitionError, match="is a URL"):
        read_impact_map("https://example.invalid/o.csv", investment)

