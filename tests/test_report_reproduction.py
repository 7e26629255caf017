"""The reproduction report of the worked models (healthecon.worked.report), one use of healthecon.report."""

import base64
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from healthecon._spreadsheet import FORMULA_START, csv_text_back
from healthecon.report import draw_charts, images, number_format, write_excel
from healthecon.labels import column_label
from healthecon.reproduction import Check, Reproduction, checks_table
from healthecon.worked import report


def line_chart(ax=None):
    ax = ax or plt.subplots()[1]
    ax.plot([0, 1, 2], [3, 1, 2])
    return ax


def rep(model="derby", reproduced=4.0, **kwargs):
    return Reproduction(
        model, "Derby <LAC>",
        checks=[Check(model, "SROI ratio", 4.0, reproduced, precision=0.01, interval=(3.2, 5.05), source="s", note="n & m")],
        **kwargs,
    )


@pytest.mark.parametrize(
    ("value", "precision", "text"),
    [(6.74, 0.01, "6.7400"), (1_199_999.9, 100_000, "1,200,000"), (13886.0, 1, "13,886.00"), (0.84, 0.0, "0.8400"),
     (-0.00001, 0.01, "0.0000"), (-0.5, 0.01, "-0.5000"), (123456.0, 0.0, "123,456")],
)
def test_format_value_keeps_two_digits_beyond_the_published_rounding(value, precision, text):
    assert report.format_value(value, precision) == text


def test_render_checks_shows_published_precision_bounds_and_intervals():
    r = Reproduction("chss", "CHSS", checks=[
        Check("chss", "ICER", 13886, 13885.96, precision=1),
        Check("chss", "P(CE)", 0.8, 0.846, comparison=">"),
        Check("chss", "ratio", 1.2, 1.3, precision=0.01, interval=(0.81, 1.6)),
    ])
    table = report.render_checks([r])
    assert table["published"].tolist() == ["13,886", ">0.8", "1.20"]
    assert table["difference"].tolist() == ["-0.04", "", "0.1000"]
    assert table["status"].tolist() == ["match", "match", "mismatch"]
    assert table["interval"].tolist() == ["", "", "0.8100 to 1.6000"]


def test_html_puts_the_checks_first_and_escapes_every_text():
    page = report.render_html([rep(notes=["<script>alert(1)</script>"])], run_info={"draws": 5})
    assert page.index("Published figures and their reproduction") < page.index('<section class="part" id="derby">')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "Derby &lt;LAC&gt;" in page and "n &amp; m" in page
    assert "The 1 published figure matches within its published rounding. What the match proves: 1 re-derived" in page
    assert "draws: 5" in page


def test_html_says_how_many_figures_mismatch():
    page = report.render_html([rep(reproduced=4.2)])
    assert "1 of 1 published figures NOT reproduced" in page
    assert '<td class="mismatch">mismatch</td>' in page


def test_charts_are_embedded_as_png_and_figures_closed():
    page = report.render_html([rep(charts={"line": line_chart})])
    (encoded,) = re.findall(r'data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert base64.b64decode(encoded)[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == []


def test_provenance_of_the_models_data_file_with_kinds_coloured():
    page = report.render_html([rep("derby")])
    assert "Inputs and their provenance" in page
    assert '<tr class="assumed">' in page and '<tr class="published">' in page
    assert "£4.00 of social value would be earned for every £1.00 invested" in page
    assert report.provenance_table("no_such_model") is None


def test_wide_tables_of_few_rows_are_turned_on_their_side():
    wide = pd.DataFrame([range(12)], columns=[f"c{i}" for i in range(12)], index=pd.Index(["scheme"], name="strategy"))
    page = report.render_html([rep(tables={"psa": wide})])
    section = page[page.index("<caption>Psa</caption>"):]
    assert '<th scope="col">Strategy</th><th scope="col" class="num">scheme</th>' in section
    assert "<td>C11</td>" in section


def test_write_outputs_writes_every_file(tmp_path):
    tables = {"named": pd.DataFrame({"x": [1.5]}, index=pd.Index(["a"], name="row")), "plain": pd.DataFrame({"y": [2]})}
    written = report.write_outputs([rep(tables=tables, charts={"line": line_chart})], tmp_path, run_info={"seed": 1})
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == ["checks.csv", "derby/line.png", "derby/line.svg", "derby/named.csv", "derby/plain.csv", "report.html",
                     "report.xlsx"]
    assert written[-1].name == "report.html"
    assert '<a href="report.xlsx">' in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "derby" / "named.csv").read_text() == "row,x\na,1.5\n"
    assert (tmp_path / "derby" / "plain.csv").read_text() == "y\n2\n"
    assert "seed: 1" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_probability_column_reads_label_and_value():
    r = Reproduction("popp", "POPP", checks=[
        Check("popp", "ratio", 1.2, 1.2, precision=0.01, interval=(0.8, 1.6), probability=0.8361,
              probability_label="P(return > £1 per £1)"),
        Check("popp", "range, low", 0.8, 0.8, precision=0.01),
    ])
    table = report.render_checks([r])
    assert list(table.columns) == ["model", "figure", "published", "reproduced", "difference", "status", "interval",
                                   "probability", "source", "basis", "assumptions", "note"]  # every column of checks_table, then the note
    assert table["probability"].tolist() == ["P(return > £1 per £1) = 0.836", ""]
    page = report.render_html([r])
    assert page.count("P(return &gt; £1 per £1) = 0.836") == 1  # in the ledger; not repeated in the model's part


def test_svg_keeps_text_as_text_and_the_same_chart_gives_the_same_files():
    first = draw_charts({"line": line_chart}, formats=("png", "svg"))["line"]
    second = draw_charts({"line": line_chart}, formats=("png", "svg"))["line"]
    assert first == second  # no date or random ids in the files
    assert b"<text" in first["svg"]
    assert plt.get_fignums() == []


def test_a_chart_that_fails_to_save_still_closes_its_figure(monkeypatch):
    monkeypatch.setattr(images, "_save_figure", lambda fig, formats, dpi: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        draw_charts({"line": line_chart})
    assert plt.get_fignums() == []


def test_saved_chart_keeps_everything_savefig_tight_would(tmp_path):
    from PIL import Image

    def labelled(ax=None):
        ax = line_chart(ax)
        ax.set_xlabel("a long axis label\nover two lines")
        ax.legend(["line"], loc="upper left", bbox_to_anchor=(1.02, 1))
        return ax

    png = draw_charts({"c": labelled}, dpi=100)["c"]["png"]
    path = tmp_path / "c.png"
    path.write_bytes(png)
    ax = labelled()
    ax.figure.savefig(tmp_path / "tight.png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    with Image.open(path) as ours, Image.open(tmp_path / "tight.png") as tight:
        assert abs(ours.size[0] - tight.size[0]) <= 2 and abs(ours.size[1] - tight.size[1]) <= 2


@pytest.mark.parametrize(
    ("outcome", "label"),
    [("bcr", "Benefit-cost ratio (£ of benefit per £1)"), ("sroi_ratio", "SROI ratio (£ of social value per £1)"),
     ("net_roi", "Net return on investment (%)"), ("npv", "Net present value (£)"), ("net_sroi", "Net SROI (%)")],
)
def test_tornado_axis_names_ratio_outcomes_as_a_reader_would(outcome, label):
    from healthecon.plot.dsa import plot_tornado

    table = pd.DataFrame(
        {"low": [1.0], "high": [3.0], "outcome_base": [2.0], "outcome_low": [1.5], "outcome_high": [2.5], "swing": [1.0]},
        index=pd.Index(["x"], name="parameter"),
    )
    table.attrs = {"outcome": outcome, "units": "per £1" if "ratio" in outcome or outcome == "bcr" else "£",
                   "strategy": "scheme", "comparator": None, "wtp": None, "currency": "£"}
    ax = plot_tornado(table)
    assert ax.get_xlabel() == f"{label}\nscheme"
    plt.close(ax.figure)


# --- Excel workbook ---------------------------------------------------------------------------


def all_cells(book):
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def sheet_frame(sheet):
    """A sheet read back as a DataFrame (header row, then values; empty cells as NaN)."""
    rows = list(sheet.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def business_case_rep(figure="SROI ratio"):
    icer = pd.DataFrame({"strategy": ["usual care", "new"], "cost": [1000.0, 15886.0], "effect": [5.0, 6.0],
                         "inc_cost": [float("nan"), 14886.0], "icer": [float("nan"), 14886.0]})
    icer.attrs = {"currency": "£", "effect_unit": "QALY"}
    ceac = pd.DataFrame({"usual care": [1.0, 0.25], "new": [0.0, 0.75]}, index=pd.Index([0.0, 20000.0], name="wtp"))
    per_party = pd.DataFrame({"cost": [100.0, 50.0], "benefit": [400.0, 20.0], "net": [300.0, -30.0]},
                             index=pd.Index(["=HYPERLINK(\"http://x\")", "+council"], name="party"))
    r = rep(tables={"icer": icer, "ceac": ceac, "per_party": per_party}, charts={"line": line_chart})
    r.checks.append(Check("derby", figure, 0.8, 0.84, comparison=">", interval=(0.7, 0.9), probability=0.84,
                          probability_label="P(ratio > 1)", note="@note"))
    return r


@pytest.fixture
def written_book(tmp_path):
    from openpyxl import load_workbook

    report.write_outputs([business_case_rep("=1+1 figure")], tmp_path)
    return tmp_path, load_workbook(tmp_path / "report.xlsx")


def test_workbook_has_the_checks_then_one_sheet_per_table_and_the_charts(written_book):
    _, book = written_book
    assert book.sheetnames == ["Published vs reproduced", "derby icer", "derby ceac", "derby per_party", "derby inputs",
                               "derby charts"]
    checks = sheet_frame(book["Published vs reproduced"])
    assert list(checks.columns) == ["Model", "Figure", "Published", "Reproduced", "Difference", "Status", "Interval, low",
                                    "Interval, high", "Probability", "Probability of", "Source", "Basis", "Assumptions", "Note"]
    assert checks["Published"].tolist() == [4.0, ">0.8"]  # a bound keeps its side, as text
    assert checks["Interval, low"].tolist() == [3.2, 0.7] and checks["Probability"].tolist()[1] == 0.84
    assert checks["Probability of"].tolist()[1] == "P(ratio > 1)" and checks["Note"].tolist() == ["n & m", "@note"]
    assert book["Published vs reproduced"]["D2"].number_format == "#,##0.0000"  # two digits beyond 0.01
    assert book["Published vs reproduced"]["I3"].number_format == "0.000"
    assert len(book["derby charts"]._images) == 1


def test_workbook_numbers_are_numbers_equal_to_the_csv(written_book):
    folder, book = written_book
    for name in ("icer", "ceac", "per_party"):
        csv = pd.read_csv(folder / "derby" / f"{name}.csv")
        sheet = sheet_frame(book[f"derby {name}"])
        assert len(sheet.columns) == len(csv.columns)
        sheet.columns = csv.columns  # the sheet's headers are words ("Incremental cost"), the CSV's the names
        for column in csv.columns:
            if pd.api.types.is_numeric_dtype(csv[column]):
                j = sheet.columns.get_loc(column) + 1
                (cells,) = book[f"derby {name}"].iter_cols(min_col=j, max_col=j, min_row=2)
                assert all(c.data_type == "n" for c in cells if c.value is not None), (name, column)
                pd.testing.assert_series_equal(sheet[column].astype(float), csv[column].astype(float), check_names=False)
            else:  # text: the CSV's is escaped so that none opens as a formula (OWASP), the sheet's is typed as text
                assert all(not str(v).startswith(FORMULA_START) for v in csv[column]), (name, column)
                assert sheet[column].tolist() == [csv_text_back(v) if isinstance(v, str) else v for v in csv[column]]
    checks = sheet_frame(book["Published vs reproduced"])
    csv = pd.read_csv(folder / "checks.csv")
    checks.columns = [*csv.columns, "note"]
    for column in ("reproduced", "difference", "interval_low", "interval_high", "probability"):
        pd.testing.assert_series_equal(checks[column].astype(float), csv[column], check_names=False)


def test_workbook_number_formats_headers_and_widths(written_book):
    _, book = written_book
    icer, ceac, party = book["derby icer"], book["derby ceac"], book["derby per_party"]
    assert icer["B1"].value == "Cost" and icer["B2"].number_format == '"£"#,##0'
    assert icer["E3"].number_format == '"£"#,##0' and icer["C2"].number_format == "#,##0.000"
    assert icer["D2"].value is None  # NaN is a blank cell, not text
    assert ceac["A2"].number_format == '"£"#,##0' and ceac["B3"].number_format == "0.000"
    assert party["D3"].value == -30.0 and party["D3"].number_format == '"£"#,##0'
    for sheet in (icer, ceac, party):
        assert sheet.freeze_panes in ("A2", "B2") and sheet["A1"].font.b
    assert party.freeze_panes == "B2"  # the header row and the index column stay in view
    assert party.column_dimensions["A"].width >= len('=HYPERLINK("http://x")')


def test_workbook_has_no_formula_and_text_that_looks_like_one_stays_text(written_book):
    _, book = written_book
    cells = all_cells(book)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for text in ("=1+1 figure", '=HYPERLINK("http://x")', "+council", "@note"):
        assert texts[text].data_type == "s" and texts[text].quotePrefix, text


def test_workbook_sheet_names_are_valid_unique_and_short(tmp_path):
    from openpyxl import load_workbook

    long = "a table with a name far longer than Excel allows: [draft] / v2?"
    tables = {long: pd.DataFrame({"x": [1]}), long + " again": pd.DataFrame({"x": [2]}), "History": pd.DataFrame({"x": [3]}),
              "CHARTS": pd.DataFrame({"x": [4]})}
    book = load_workbook(write_excel(tables, tmp_path / "t.xlsx", charts={"line": line_chart}))
    names = book.sheetnames
    assert all(len(n) <= 31 and not set("[]:*?/\\") & set(n) for n in names)
    assert len({n.lower() for n in names}) == len(names) == 5
    assert [book[n]["A2"].value for n in names[:4]] == [1, 2, 3, 4]
    assert names[0] == "a table with a name far longer" and names[1].endswith(" (2)") and names[4] == "charts (2)"
    assert plt.get_fignums() == []


def test_write_excel_overrides_formats_and_keeps_infinity_readable(tmp_path):
    from openpyxl import load_workbook

    table = pd.DataFrame({"admissions": [3, 4], "icer": [float("inf"), 2.5], "weird": [0.1, 0.2]})
    book = load_workbook(write_excel({"t": table}, tmp_path / "t.xlsx", currency="€",
                                            number_formats={"t": {"weird": "0.0%"}}))
    sheet = book["t"]
    assert sheet["A2"].number_format == "#,##0" and sheet["C2"].number_format == "0.0%"
    assert sheet["B2"].value == "inf" and sheet["B3"].value == 2.5 and sheet["B3"].number_format == '"€"#,##0.00'
    assert "charts" not in book.sheetnames


@pytest.mark.parametrize(
    ("table", "column", "attrs", "expected"),
    [("summary", "npv_lower", {}, '"£"#,##0'), ("summary", "net_roi", {}, "0%"), ("x", "p_return_above_1", {}, "0.000"),
     ("x", "share (assumed)", {}, "0%"), ("x", "benefit per £1, undiscounted", {}, "0.000"),
     ("x", "cost: economic", {}, '"£"#,##0'), ("one_way", "outcome_low", {"units": "£"}, '"£"#,##0'),
     ("one_way", "base", {"units": "£"}, "General"), ("x", "inc_effect", {}, "#,##0.000"),
     ("x", "net (difference in differences)", {}, "General"), ("acceptability", "scheme", {}, "0.000"),
     ("x", "published_icer", {}, '"£"#,##0'), ("x", "cost_per_bed_day", {}, '"£"#,##0'), ("x", "se_ratio", {}, "0.000"),
     ("x", "value", {}, "General"), ("x", "p_cost_effective", {}, "0.000"), ("x", "inc_nmb_upper", {}, '"£"#,##0')],
)
def test_number_format_reads_the_unit_from_names_and_attrs(table, column, attrs, expected):
    assert number_format(table, column, pd.Series([1500.5, 2000.25]), attrs) == expected


def test_workbook_inputs_sheet_keeps_the_provenance_with_values_as_numbers(written_book):
    _, book = written_book
    inputs = sheet_frame(book["derby inputs"])
    expected = report.provenance_table("derby")
    assert list(inputs.columns) == [column_label(c) for c in expected.columns]  # words: "Where" for location
    inputs.columns = expected.columns
    assert inputs["value"].tolist() == [float(v) for v in expected["value"]]
    assert inputs["quote"].fillna("").tolist() == expected["quote"].tolist()  # an empty quote is a blank cell
    sheet = book["derby inputs"]
    kinds = {row[3].value: row[0].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert kinds == {"published": "00E6F2EA", "derived": "00E8EEF8", "assumed": "00FDF0DC"}
    quote = list(sheet.iter_cols(min_col=7, max_col=7, min_row=2))[0]
    assert sheet.column_dimensions["G"].width == 60 and all(c.alignment.wrap_text for c in quote)


def test_the_page_names_a_seed_document_by_its_title_and_the_ledger_file_keeps_its_file_name():
    source = "seeds/000_dd7df95bd4ae58ba.txt, line 59"
    r = Reproduction("chss", "CHSS", checks=[Check("chss", "ICER", 13886, 13885.96, precision=1, source=source)])
    assert report.render_checks([r])["source"].tolist() == ["Essence Project evidence bundle (seed 000), line 59"]
    assert checks_table([r])["source"].tolist() == [source]  # checks.csv and the workbook: what an auditor opens
