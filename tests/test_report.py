"""he.report: the report of a user's own analysis (HTML page, workbook, CSV, charts)."""

import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import healthecon as he
from healthecon import cli, dsa, voi
from healthecon.cba import CBAModel, benefit_flow, cost_flow
from healthecon.distributions import Beta, Gamma
from healthecon.markov import C, MarkovModel
from healthecon.report import Document, Section, Table, render_html, table_view
from healthecon.report.analysis import analysis_document


def cea_outcomes(n=400, seed=3):
    rng = np.random.default_rng(seed)
    out = he.make_outcomes({"cost": rng.normal([[1000.0, 1600.0, 2500.0]], 100, (n, 3)),
                            "qaly": rng.normal([[5.00, 5.04, 5.03]], 0.01, (n, 3))},
                           strategies=["uc", "vw", "xx"], effect="qaly")
    return he.describe_outcomes(out, strategies={"uc": "Usual care", "vw": "Virtual ward", "xx": "Extra <beds>"})


@pytest.fixture(scope="module")
def markov_case():
    params = he.Parameters(p_sick=Beta(15, 85), c_sick=Gamma.from_mean_sd(3000, 500), u_sick=Beta(60, 40),
                           labels={"p_sick": "Annual chance of falling sick", "c_sick": "Cost of a year sick",
                                   "u_sick": "Utility when sick"},
                           units={"c_sick": "£", "p_sick": "probability"}, sources={"c_sick": "PSSRU 2024, table 1"})

    def transitions(p, strategy):
        return {"well": {"well": C, "sick": p["p_sick"] * (0.7 if strategy == "drug" else 1.0)},
                "sick": {"sick": C, "dead": 0.1}, "dead": {"dead": 1}}

    model = MarkovModel(states=["well", "sick", "dead"], strategies=["usual", "drug"], transitions=transitions,
                        start={"well": 1}, n_cycles=10, correction="half-cycle",
                        state_rewards={"cost_drug": lambda p, s: {"well": 500 if s == "drug" else 0},
                                       "cost_care": lambda p, s: {"sick": p["c_sick"]},
                                       "qaly": lambda p, s: {"well": 0.9, "sick": p["u_sick"]}},
                        discount_costs=0.035, discount_effects=0.035)
    out = model.run(params.sample(300, seed=2))
    return model, params, out


def test_cea_summary_states_the_decision_icers_and_probability_at_each_threshold(tmp_path):
    out = cea_outcomes()
    files = he.report(out, title="Virtual ward", thresholds=[20_000, 30_000], out=tmp_path)
    page = html.unescape(files.html.read_text(encoding="utf-8"))
    summary = page[page.index('id="summary"'):page.index('id="uncertainty"')]
    mean_cost = out["cost"].mean("sample").values
    assert f"Virtual ward costs £{mean_cost[1] - mean_cost[0]:,.0f} more than Usual care" in summary
    assert "Extra <beds> is dominated." in summary  # strategy labels, escaped in the page, read back here
    for threshold in ("£20,000", "£30,000"):
        assert re.search(rf"At {threshold} per QALY, \w[\w ]+ has the highest expected net benefit; the probability "
                         r"that it is the most cost-effective choice is \d\.\d{3}\.", summary)
    assert "P(cost-effective) at £20,000 per QALY" in summary and "ICER (£ per QALY)" in summary
    assert summary.index("Incremental cost-effectiveness ratios") < summary.index("<img")  # table, then the key chart
    assert not re.search(r">\s*(nan|NaN|inf)\s*<", page)
    assert "Extra &lt;beds&gt;" in files.html.read_text(encoding="utf-8")
    assert (tmp_path / "uncertainty" / "ceac.csv").exists() and files.workbook.name == "report.xlsx"


def test_long_tables_go_to_the_appendix_and_csv_not_the_body(tmp_path):
    files = he.report(cea_outcomes(), out=tmp_path)
    page = files.html.read_text(encoding="utf-8")
    appendix = page[page.index('id="appendix"'):]
    assert "Cost-effectiveness acceptability curves (by threshold) (101 rows)" in appendix
    body = page[:page.index('id="appendix"')]
    assert "(101 rows) is in the appendix and in uncertainty/ceac.csv" in body
    assert body.count("<tr") < 40


def test_every_chart_has_alt_text_saying_what_it_shows(tmp_path):
    files = he.report(cea_outcomes(), out=tmp_path)
    alts = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', files.html.read_text(encoding="utf-8"))
    assert len(alts) == 2
    assert all(len(alt) > 60 and not alt.endswith(".png") for alt in alts)
    assert any("threshold rises from £0 to £75,000 per QALY" in alt for alt in alts)


def test_money_report_reads_ratio_npv_payback_and_percent(tmp_path):
    model = CBAModel([cost_flow("reablement team", "council", [120_000.0], category="fiscal_cashable"),
                      benefit_flow("home care avoided", "council", [150_000.0], category="fiscal_cashable")],
                     name="reablement", discount=0.035)
    files = he.report(model.run(), model=model, title="Reablement", out=tmp_path)
    page = files.html.read_text(encoding="utf-8")
    assert "every £1 spent returns £1.25" in page and "pays back within the first year" in page
    assert "£1.25 per £1" in page and "25%" in page  # the ratio and the net ROI by unit
    assert "PV benefits" in page and "pv_benefit" not in page
    assert not re.search(r">\s*(0\.000|nan|NaN)\s*<", page)


def test_parameters_labels_units_and_sources_are_used_everywhere(markov_case, tmp_path):
    from openpyxl import load_workbook

    model, params, out = markov_case
    table = dsa.one_way(model, params, wtp=20_000)
    files = he.report(out, model=model, params=params, dsa=table, out=tmp_path)
    page = files.html.read_text(encoding="utf-8")
    inputs = page[page.index("<caption>Parameters</caption>"):]
    assert "Annual chance of falling sick" in inputs and "PSSRU 2024, table 1" in inputs
    assert re.search(r'<td class="num">£3,0\d\d</td>', inputs)  # the cost read in its unit
    sensitivity = page[page.index('id="sensitivity"'):page.index('id="model"')]
    assert "Cost of a year sick" in sensitivity and "c_sick" not in sensitivity
    assert "Result at low value" in sensitivity and "outcome_low" not in sensitivity
    book = load_workbook(files.workbook)
    sheet = book["sensitivity one_way"]
    assert sheet["A1"].value == "Parameter" and "Cost of a year sick" in [c.value for c in sheet["A"]]
    assert "model inputs" in book.sheetnames and "model charts" in book.sheetnames
    plt.close("all")


def test_voi_results_are_shown_with_their_chart(markov_case, tmp_path):
    _, _, out = markov_case
    curve = voi.evpi(out, [0, 10_000, 20_000, 30_000])
    files = he.report(out, voi={"evpi": curve}, out=tmp_path)
    page = files.html.read_text(encoding="utf-8")
    part = page[page.index('id="voi"'):]
    assert "EVPI by threshold" in part and "expected value of perfect information" in part
    value = float(curve.sel(wtp=20_000))
    assert f"£{value:,.0f}" in part


def test_a_users_template_is_used_and_still_escapes(tmp_path):
    template = tmp_path / "mine.html.j2"
    template.write_text("<h1>{{ doc.title }}</h1>{% for t in doc.summary_tables %}<p>{{ t.title }}</p>{% endfor %}",
                        encoding="utf-8")
    files = he.report(cea_outcomes(), title="<b>Ward</b>", out=tmp_path / "out", template=template)
    assert files.html.read_text(encoding="utf-8").startswith("<h1>&lt;b&gt;Ward&lt;/b&gt;</h1><p>Incremental")


def test_the_page_is_made_for_phones_and_print():
    page = render_html(Document("T", sections=[Section("a", "A"), Section("b", "B")]))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@page{size:A4" in page and "section.part{break-before:page}" in page
    assert "&#34;" not in page[page.index("<style>"):page.index("</style>")]  # the stylesheet is not escaped


def test_table_view_combines_intervals_and_turns_wide_summaries_on_their_side():
    frame = pd.DataFrame({c: [1.0] for c in ["pv_benefit", "pv_benefit_lower", "pv_benefit_upper", "pv_cost", "npv",
                                             "gross_return_per_1", "net_roi", "p_npv_positive", "payback_years", "bcr"]},
                         index=pd.Index(["scheme"], name="strategy"))
    view = table_view(Table("summary", frame))
    assert [h.text for h in view.headers] == ["Strategy", "scheme"]
    rows = {r.cells[0].text: r.cells[1].text for r in view.rows}
    assert rows["PV benefits (95% interval)"] == "£1.00 (£1.00 to £1.00)"
    assert rows["Net ROI"] == "100%" and rows["Payback"] == "1.0 year" and rows["P(NPV > 0)"] == "1.000"


def test_blank_cells_are_footnoted_never_nan():
    view = table_view(Table("icer", pd.DataFrame({"strategy": ["a", "b"], "icer": [np.nan, 1200.0]})))
    assert [r.cells[1].text for r in view.rows] == ["", "£1,200"]
    assert view.footnotes == ["A blank cell means the figure does not apply."]


def test_the_document_builder_needs_no_files():
    doc = analysis_document(cea_outcomes(), thresholds=[25_000])
    assert [s.id for s in doc.sections] == ["uncertainty"]
    assert doc.meta["thresholds"] == "£25,000 per QALY"


def test_healthecon_report_command_reads_saved_outcomes_and_a_parameter_table(tmp_path, capsys):
    outcomes = he.save_outcomes(cea_outcomes(), tmp_path / "psa.csv")
    he.Parameters(c_ward=Gamma.from_mean_sd(600, 50), labels={"c_ward": "Ward cost per patient"},
                  units={"c_ward": "£"}, sources={"c_ward": "Trust finance"}).to_csv(tmp_path / "params.csv")
    table = pd.read_csv(tmp_path / "params.csv")
    table["label"], table["unit"], table["source"] = ["Ward cost per patient"], ["£"], ["Trust finance"]
    table.to_csv(tmp_path / "params.csv", index=False)
    code = cli.main(["report", str(outcomes), "--params", str(tmp_path / "params.csv"), "--title", "Ward",
                     "--threshold", "15000", "--out", str(tmp_path / "out")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "report: " in printed and printed.splitlines()[-1].startswith("time: total ")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Virtual ward" in page and "Ward cost per patient" in page and "Trust finance" in page
    assert "£15,000 per QALY" in page
    assert cli.main(["report", str(tmp_path / "missing.csv")]) == 2
    assert "healthecon report:" in capsys.readouterr().err


def test_a_one_way_table_shows_declared_labels_and_units_and_keeps_names_and_numbers_in_its_files():
    from healthecon import dsa
    from healthecon.examples import virtual_ward
    from healthecon.params import Parameters
    from healthecon.report.document import Table, table_view

    ward, _ = virtual_ward()
    params = Parameters(p_home=0.75, c_ward=600.0, labels={"c_ward": "Virtual ward cost"}, units={"c_ward": "£", "p_home": "%"})
    table = dsa.one_way(ward, params, ranges={"p_home": (0.65, 0.85), "c_ward": (400, 900)}, wtp=20000)
    rows = {r.cells[0].text: [c.text for c in r.cells[1:4]] for r in table_view(Table("one_way", table)).rows}
    assert rows == {"p_home": ["75%", "65%", "85%"], "Virtual ward cost": ["£600", "£400", "£900"]}
    assert sorted(Table("one_way", table).flat["parameter"]) == ["c_ward", "p_home"]  # the CSV and workbook: names


def test_a_partitioned_survival_model_shows_its_curves_and_state_occupancy(tmp_path):
    from healthecon.survival import HazardRatio, ParametricCurve, PartitionedSurvivalModel

    params = he.Parameters(rate=Gamma.from_mean_sd(0.3, 0.03), hr=Gamma.from_mean_sd(0.7, 0.05), u=Beta(80, 20))
    pfs = ParametricCurve("exponential", rate="rate")
    os_ = ParametricCurve("weibullPH", shape=1.2, scale=0.1)
    model = PartitionedSurvivalModel({"usual care": [pfs, os_], "new drug": [HazardRatio(pfs, "hr"), HazardRatio(os_, "hr")]},
                                     n_cycles=60, cycle_length=1 / 12, state_rewards={"qaly": {"progression-free": "u", "progressed": 0.6},
                                                                                      "cost_care": {"progressed": 900.0}})
    files = he.report(model.run(params.sample(200, seed=1)), model=model, params=params, title="PSM", out=tmp_path)
    page = files.html.read_text(encoding="utf-8")
    model_part = page[page.index('id="model"'):]
    for caption in ("Survival curves at the base case", "State occupancy at the base case: usual care",
                    "State occupancy at the base case: new drug"):
        assert caption in model_part
    assert {"psm_curves.png", "occupancy_usual_care.png", "occupancy_new_drug.png"} <= {f.name for f in files.files}


def test_parameters_drawn_together_name_each_other_and_show_their_correlations(tmp_path):
    # a fit's estimates (a multivariate normal) and a copula: each row shows its own marginal and
    # names the parameters drawn with it; each group's correlation matrix is a table
    mvn = he.MultivariateNormal({"shape": 0.2, "scale": 1.5}, [[0.01, -0.006], [-0.006, 0.04]], log=["shape"])
    params = he.Parameters(os=mvn, c_a=Gamma.from_mean_sd(100, 10), c_b=Gamma.from_mean_sd(200, 20), u=Beta(8, 2)
                           ).correlate(["c_a", "c_b"], [[1, 0.5], [0.5, 1]])
    out = cea_outcomes()
    files = he.report(out, params=params, title="Joint", out=tmp_path)
    page = html.unescape(files.html.read_text(encoding="utf-8"))
    inputs = page[page.index('id="model-inputs"'):]
    assert "Drawn with" in inputs and "joint MultivariateNormal: os_scale" in inputs and "copula: c_b" in inputs
    assert "LogNormal(meanlog=0.2, sdlog=0.1)" in inputs and "MultivariateNormal(" not in inputs  # the marginal, not the whole
    assert "Drawn together: os_shape, os_scale" in page and "Drawn together: c_a, c_b" in page
    corr = pd.read_csv(tmp_path / "model" / "correlation_2.csv", index_col=0)
    np.testing.assert_allclose(corr.to_numpy(), [[1, -0.3], [-0.3, 1]], atol=1e-12)  # -0.006 / (0.1 x 0.2)
    assert "of the logarithms of os_shape" in page


def test_report_csv_files_never_open_as_formulas_and_templates_cannot_run_code(tmp_path):
    # a strategy named like a formula reaches every CSV (cells and headers) escaped (OWASP); a
    # user's template is rendered in jinja2's sandbox
    out = he.make_outcomes({"cost": np.array([[1000.0, 1600.0]] * 50), "qaly": np.array([[5.0, 5.04]] * 50)},
                           strategies=["usual", '=HYPERLINK("http://x.example","click")'], effect="qaly")
    files = he.report(out, out=tmp_path / "r")
    for path in (tmp_path / "r").rglob("*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for cell in line.split(","):
                assert not cell.strip('"').startswith(("=", "+", "@")), (path.name, cell)
    assert files.html.exists()
    evil = tmp_path / "evil.j2"
    evil.write_text("{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch " + str(tmp_path / "pwned") + "') }}")
    import jinja2.exceptions

    with pytest.raises(jinja2.exceptions.SecurityError):
        he.report(out, out=tmp_path / "r2", template=evil)
    assert not (tmp_path / "pwned").exists()


def test_strategies_whose_names_make_the_same_file_name_keep_their_own_files(tmp_path):
    # "+1" and "-1" both read as "1" in a file name: one strategy's charts and CSV overwrote the other's
    from healthecon.report.analysis import _slugs

    assert _slugs(["+1", "-1", "1"]) == {"+1": "1", "-1": "1_2", "1": "1_3"}
