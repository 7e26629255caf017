"""The report workbook an auditor can check: live formulas that agree with Python, native charts, safe text."""

import numpy as np
import pytest

import healthecon as he
from healthecon.cba import CBAModel, benefit_flow, cost_flow
from healthecon.discount import GREEN_BOOK_HEALTH
from healthecon.markov import C, MarkovModel
from healthecon.report import SheetNames
from healthecon.sroi import ImpactMap, Investment, Outcome, SROIModel

formulas = pytest.importorskip("formulas", reason="the formulas package evaluates the workbook (pip install formulas)")


def evaluate(path):
    """Every cell of the workbook, as Excel would compute it: {(sheet, cell): value}."""
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    cells = {}
    for key, value in solution.items():
        if "!" not in key or ":" in key.split("!")[1]:
            continue
        sheet, cell = key.split("]", 1)[1].rsplit("!", 1)
        cells[(sheet.strip("'").upper(), cell.upper())] = np.asarray(value.value).ravel()[0]
    return cells


def results(cells, sheet):
    """The labelled results at the foot of a calculation sheet: {label: value}."""
    sheet = sheet.upper()
    labels = {cell: value for (s, cell), value in cells.items() if s == sheet and cell.startswith("A")}
    out = {}
    for cell, label in labels.items():
        value = cells.get((sheet, "B" + cell[1:]))
        if isinstance(label, str) and value is not None and not isinstance(value, str):
            out[label] = float(value)
    return out


@pytest.fixture
def sroi_case():
    model = SROIModel(ImpactMap(
        [Outcome("fewer falls", "older people", 40, 1_000.0, duration=3, deadweight=0.25, attribution=0.2, drop_off=0.5),
         Outcome("=HYPERLINK(\"http://x\")", "older people", "n_lonely", 400.0, start_year=2, displacement=0.1)],
        [Investment("council", 30_000.0), Investment("NHS", 5_000.0, year=1)]))
    params = he.Parameters(n_lonely=he.Gamma.from_mean_sd(60, 10))
    return model, params


def test_sroi_formulas_compute_what_python_computes(sroi_case, tmp_path):
    model, params = sroi_case
    out = model.run(params.base_case())
    files = he.report(out, model=model, params=params, out=tmp_path)
    found = results(evaluate(files.workbook), "SROI SROI calculation")
    assert found["SROI ratio (£ per £1)"] == pytest.approx(float(out["sroi_ratio"].squeeze()), rel=1e-12)
    assert found["Net present value"] == pytest.approx(float(out["npv"].squeeze()), rel=1e-12)
    assert found["Present value of the impact"] == pytest.approx(float(out["benefit"].squeeze()), rel=1e-12)
    assert found["Present value of the investment"] == pytest.approx(float(out["cost"].squeeze()), rel=1e-12)


def test_changing_an_input_in_excel_moves_the_ratio_as_python_does(sroi_case, tmp_path):
    from openpyxl import load_workbook

    model, params = sroi_case
    path = he.report(model.run(params.base_case()), model=model, params=params, out=tmp_path).workbook
    book = load_workbook(path)
    sheet = book["SROI SROI calculation"]
    (row,) = [c.row for c in sheet["A"] if c.value == "fewer falls"]
    assert sheet.cell(row, 5).value == 0.25  # deadweight, an input cell
    sheet.cell(row, 5).value = 0.5
    book.save(path)
    changed = SROIModel(ImpactMap(
        [Outcome("fewer falls", "older people", 40, 1_000.0, duration=3, deadweight=0.5, attribution=0.2, drop_off=0.5),
         Outcome("=HYPERLINK(\"http://x\")", "older people", "n_lonely", 400.0, start_year=2, displacement=0.1)],
        [Investment("council", 30_000.0), Investment("NHS", 5_000.0, year=1)])).run(params.base_case())
    found = results(evaluate(path), "SROI SROI calculation")
    assert found["SROI ratio (£ per £1)"] == pytest.approx(float(changed["sroi_ratio"].squeeze()), rel=1e-12)


def test_cba_formulas_with_optimism_bias_and_a_flows_own_discount_agree_with_python(tmp_path):
    model = CBAModel({
        "reablement": [cost_flow("reablement team", "council", [120_000.0, 60_000.0], category="fiscal_cashable"),
                       benefit_flow("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
                       benefit_flow("QALYs gained (valued)", "people", [0.0, 20_000.0, 20_000.0], category="social",
                               discount=GREEN_BOOK_HEALTH)],
        "telecare": [cost_flow("alarms", "council", [40_000.0], optimism=False),
                     benefit_flow("falls admissions avoided", "NHS", [0.0, 300.0, 300.0], quantity=90)],
    }, discount=0.035, cost_uplift=0.41, benefit_haircut=0.1)
    out = model.run()
    files = he.report(out, model=model, out=tmp_path)
    cells = evaluate(files.workbook)
    for scheme in model.strategies:
        found = results(cells, f"{scheme} CBA calculation")
        python = out.sel(strategy=scheme).squeeze()
        assert found["Net present value"] == pytest.approx(float(python["npv"]), rel=1e-12)
        assert found["Benefit-cost ratio (£ per £1)"] == pytest.approx(float(python["bcr"]), rel=1e-12)
        assert found["Present value of costs"] == pytest.approx(float(python["cost"]), rel=1e-12)


def test_markov_trace_sheet_holds_the_base_case_trace_and_discount_formulas(tmp_path):
    params = he.Parameters(p_sick=he.Beta(15, 85))
    model = MarkovModel(states=["well", "sick"], strategies=["usual"],
                        transitions=lambda p, s: {"well": {"well": C, "sick": p["p_sick"]}, "sick": {"sick": 1}},
                        start={"well": 1}, n_cycles=5, state_rewards={"cost_care": {"sick": 100.0}, "qaly": {"well": 1.0}},
                        discount_costs=0.035, discount_effects=0.015)
    out = model.run(params.sample(50, seed=1))
    files = he.report(out, model=model, params=params, out=tmp_path)
    cells = evaluate(files.workbook)
    sheet = "USUAL MARKOV TRACE"
    trace = model.run(params.base_case(), trace="mean")["trace"].sel(strategy="usual").transpose("cycle", "state").values
    assert [cells[(sheet, f"C{7 + t}")] for t in range(6)] == pytest.approx(trace[:, 0].tolist(), abs=1e-12)
    assert [cells[(sheet, f"E{7 + t}")] for t in range(6)] == pytest.approx([1.0] * 6, abs=1e-12)  # shares add to 1
    assert [cells[(sheet, f"G{7 + t}")] for t in range(6)] == pytest.approx((1.015 ** -np.arange(6.0)).tolist(), rel=1e-12)


def test_text_never_becomes_a_formula_and_only_calculations_hold_formulas(sroi_case, tmp_path):
    from openpyxl import load_workbook

    model, params = sroi_case
    book = load_workbook(he.report(model.run(params.sample(30, seed=1)), model=model, params=params, out=tmp_path).workbook)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert sheet.title.endswith("calculation"), (sheet.title, cell.coordinate)
                    assert "HYPERLINK" not in str(cell.value)
    hyperlinks = [c for s in book.worksheets for r in s.iter_rows() for c in r if c.value == '=HYPERLINK("http://x")']
    assert hyperlinks and all(c.data_type == "s" and c.quotePrefix for c in hyperlinks)


def test_ceac_and_cash_flows_are_native_excel_charts(tmp_path):
    from openpyxl import load_workbook

    rng = np.random.default_rng(1)
    out = he.make_outcomes({"cost": rng.normal([[1000.0, 1600.0]], 100, (200, 2)),
                            "qaly": rng.normal([[5.0, 5.04]], 0.01, (200, 2))}, strategies=["a", "b"], effect="qaly")
    book = load_workbook(he.report(out, out=tmp_path / "cea").workbook)
    (line,) = book["uncertainty ceac"]._charts
    assert type(line).__name__ == "LineChart" and len(line.series) == 2
    money = CBAModel([cost_flow("team", "council", [100.0]), benefit_flow("saving", "NHS", [0.0, 150.0])], name="scheme",
                     discount=0.035)
    book = load_workbook(he.report(money.run(), model=money, out=tmp_path / "cba").workbook)
    (bars,) = book["flows cash_flows_scheme"]._charts
    assert type(bars).__name__ == "BarChart"


def test_sheet_names_are_cut_at_a_word_not_mid_word():
    names = SheetNames()
    assert names("Local Area Coordination SROI calculation") == "Local Area Coordination SROI"
    assert names("croydon one_way integrated care network") == "croydon one_way integrated care"
    assert names("supercalifragilisticexpialidocious words") == "supercalifragilisticexpialidoci"  # one word too long
