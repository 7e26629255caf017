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


def markov_totals(cells, sheet):
    """The 'Totals per person' block of a Markov calculation sheet: {name: (recomputed, from the model)}."""
    sheet = sheet.upper()
    (start,) = [int(c[1:]) for (s, c), v in cells.items() if s == sheet and c.startswith("A") and v == "Totals per person"]
    out, row = {}, start + 1
    while isinstance(cells.get((sheet, f"A{row}")), str):
        out[cells[(sheet, f"A{row}")]] = (float(cells[(sheet, f"B{row}")]), cells.get((sheet, f"C{row}")))
        row += 1
    return out


def test_markov_trace_and_totals_are_formulas_that_compute_what_python_computes(tmp_path):
    params = he.Parameters(p_sick=he.Beta(15, 85))
    model = MarkovModel(states=["well", "sick"], strategies=["usual"],
                        transitions=lambda p, s: {"well": {"well": C, "sick": p["p_sick"]}, "sick": {"sick": 1}},
                        start={"well": 1}, n_cycles=5, state_rewards={"cost_care": {"sick": 100.0}, "qaly": {"well": 1.0}},
                        discount_costs=0.035, discount_effects=0.015)
    out = model.run(params.sample(50, seed=1))
    files = he.report(out, model=model, params=params, out=tmp_path)
    cells = evaluate(files.workbook)
    sheet = "USUAL MARKOV CALCULATION"
    base = model.run(params.base_case(), trace="mean")
    trace = base["trace"].sel(strategy="usual").transpose("cycle", "state").values
    (top,) = [int(c[1:]) for (s, c), v in cells.items() if s == sheet and c.startswith("A") and v == "Cycle"]
    rows = range(top + 1, top + 7)
    assert [cells[(sheet, f"C{r}")] for r in rows] == pytest.approx(trace[:, 0].tolist(), rel=1e-12)
    assert [cells[(sheet, f"E{r}")] for r in rows] == pytest.approx([1.0] * 6, rel=1e-12)  # shares add to 1
    assert [cells[(sheet, f"I{r}")] for r in rows] == pytest.approx((1.015 ** -np.arange(6.0)).tolist(), rel=1e-12)
    totals = markov_totals(cells, sheet)
    for name in ("cost", "cost_care", "qaly", "qaly_undiscounted", "cost_undiscounted"):
        assert totals[name][0] == pytest.approx(float(base[name].squeeze()), rel=1e-12), name


def test_markov_formulas_with_time_tunnels_transition_and_initial_rewards_agree_with_python(tmp_path):
    def transitions(p, strategy, time):
        die = p["p_die"] * (1.0 + 0.1 * time.cycle)  # mortality rising with time
        return {"well": {"well": C, "sick": p["p_sick"] * (0.5 if strategy == "new" else 1.0), "dead": die},
                "sick": {"sick": C, "dead": 2 * die}, "dead": {"dead": 1}}

    params = he.Parameters(p_sick=0.15, p_die=0.02, c_sick=1_200.0)
    model = MarkovModel(["well", "sick", "dead"], ["usual", "new"], transitions, start={"well": 0.9, "sick": 0.1},
                        n_cycles=12, cycle_length=0.5, tunnels={"sick": 3}, correction="half-cycle",
                        state_rewards={"cost_care": lambda p, s, time: {"sick": p["c_sick"] * (1.5 if time.in_state == 1 else 1.0)},
                                       "qaly": {"well": 0.9, "sick": 0.6}},
                        transition_rewards={"cost_death": {("*", "dead"): 3_000.0}},
                        initial_rewards={"cost_drug": {"new": 800.0}},
                        discount_costs=GREEN_BOOK_HEALTH, discount_effects=0.035)
    base = model.run(params.base_case())
    files = he.report(model.run(params.base_case()), model=model, params=params, out=tmp_path)
    cells = evaluate(files.workbook)
    for strategy in ("usual", "new"):
        totals = markov_totals(cells, f"{strategy} Markov calculation")
        python = base.sel(strategy=strategy).squeeze()
        for name in ("cost", "cost_care", "cost_death", "cost_drug", "qaly", "cost_undiscounted", "qaly_undiscounted"):
            assert totals[name][0] == pytest.approx(float(python[name]), rel=1e-10), (strategy, name)
            assert totals[name][1] == pytest.approx(float(python[name]), rel=1e-12)  # the model's number, beside


def test_changing_a_transition_probability_in_excel_moves_the_totals_as_python_does(tmp_path):
    from openpyxl import load_workbook

    model = MarkovModel(["well", "sick", "dead"], ["usual"],
                        {"well": {"well": C, "sick": "p_sick", "dead": 0.01}, "sick": {"sick": C, "dead": 0.1},
                         "dead": {"dead": 1}}, start="well", n_cycles=20, discount_costs=0.035, discount_effects=0.035,
                        state_rewards={"cost_care": {"sick": 2_000.0}, "qaly": {"well": 1.0, "sick": 0.6}})
    params = he.Parameters(p_sick=0.1)
    path = he.report(model.run(params.base_case()), model=model, params=params, out=tmp_path).workbook
    book = load_workbook(path)
    sheet = book["usual Markov calculation"]
    (row,) = [c.row for c in sheet["A"] if c.value == "well" and sheet.cell(c.row - 1, 1).value
              and str(sheet.cell(c.row - 1, 1).value).startswith("Transition probabilities")]
    assert sheet.cell(row, 3).value == 0.1  # well -> sick, an input
    sheet.cell(row, 3).value = 0.2
    sheet.cell(row, 2).value = 1 - 0.2 - 0.01  # the complement, as the model computes it
    book.save(path)
    changed = model.run(params.replace(p_sick=0.2).base_case())
    totals = markov_totals(evaluate(path), "usual Markov calculation")
    for name in ("cost", "qaly"):
        assert totals[name][0] == pytest.approx(float(changed[name].squeeze()), rel=1e-10)


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


@pytest.mark.filterwarnings("ignore::healthecon.survival.psm.CurveCrossingWarning")
@pytest.mark.parametrize("correction_, rates", [("half-cycle", (0.035, 0.015)), ("life-table", (0.0, 0.05))])
def test_partitioned_survival_formulas_compute_what_python_computes(tmp_path, correction_, rates):
    # rewards fixed and changing with time, by state and on entry, a one-off cost, and curves
    # that cross in the base case (capped): the sheet's totals are the model's
    from healthecon.survival import HazardRatio, ParametricCurve, PartitionedSurvivalModel

    params = he.Parameters(scale=he.Gamma.from_mean_sd(0.3, 0.03), hr=he.Gamma.from_mean_sd(0.7, 0.05), u=he.Beta(80, 20))
    pfs = ParametricCurve("weibullPH", shape=1.3, scale="scale")
    os_ = ParametricCurve("weibullPH", shape=0.9, scale=0.35)  # crosses PFS early on
    model = PartitionedSurvivalModel(
        {"usual": [pfs, os_], "new": [HazardRatio(pfs, "hr"), HazardRatio(os_, "hr")]},
        n_cycles=18, cycle_length=0.25, correction=correction_, discount_costs=rates[0], discount_effects=rates[1],
        state_rewards={"cost_drug": lambda p, s, time: {"progression-free": 4000.0 if s == "new" and time.years < 2 else 0.0},
                       "cost_care": {"progression-free": 1000.0, "progressed": 6000.0},
                       "qaly": lambda p, s: {"progression-free": p["u"], "progressed": 0.6}},
        entry_rewards={"cost_progression": {"progressed": 2500.0},
                       "cost_death": lambda p, s, time: {"dead": 3000.0 + 100.0 * time.cycle}},
        initial_rewards={"cost_drug": {"new": 700.0}})
    out = model.run(params.sample(40, seed=1))
    files = he.report(out, model=model, params=params, out=tmp_path)
    cells = evaluate(files.workbook)
    base = model.run(params.base_case())
    assert base.attrs["crossing_cycles"].sum() > 0
    for strategy in ("usual", "new"):
        totals = markov_totals(cells, f"{strategy} PSM calculation")
        for name in ("cost", "cost_undiscounted", "cost_drug", "cost_care", "cost_progression", "cost_death", "qaly", "qaly_undiscounted",
                     "ly", "cost_death_undiscounted"):
            assert totals[name][0] == pytest.approx(float(base[name].sel(strategy=strategy).squeeze()), rel=1e-12), (strategy, name)
            assert totals[name][1] == pytest.approx(totals[name][0], rel=1e-12)  # the model's number printed beside it
