"""The HTML report and the files written beside it."""

import base64
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from healthecon import report
from healthecon.reproduction import Check, Reproduction


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
    assert page.index("Published figures and their reproduction") < page.index("<h2 id=\"derby\">")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "Derby &lt;LAC&gt;" in page and "n &amp; m" in page
    assert "All 1 published figures reproduced" in page
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
    assert '<td class="kind">assumed</td>' in page and '<td class="kind">published</td>' in page
    assert "£4.00 of social value would be earned for every £1.00 invested" in page
    assert report.provenance_table("no_such_model") is None


def test_wide_tables_of_few_rows_are_turned_on_their_side():
    wide = pd.DataFrame([range(12)], columns=[f"c{i}" for i in range(12)], index=pd.Index(["scheme"], name="strategy"))
    page = report.render_html([rep(tables={"psa": wide})])
    section = page[page.index("Table: psa"):]
    assert "<th>measure</th><th>scheme</th>" in section
    assert "<td>c11</td>" in section


def test_write_outputs_writes_every_file(tmp_path):
    tables = {"named": pd.DataFrame({"x": [1.5]}, index=pd.Index(["a"], name="row")), "plain": pd.DataFrame({"y": [2]})}
    written = report.write_outputs([rep(tables=tables, charts={"line": line_chart})], tmp_path, run_info={"seed": 1})
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == ["checks.csv", "derby/line.png", "derby/line.svg", "derby/named.csv", "derby/plain.csv", "report.html"]
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
                                   "probability", "note"]
    assert table["probability"].tolist() == ["P(return > £1 per £1) = 0.836", ""]
    page = report.render_html([r])
    assert page.count("P(return &gt; £1 per £1) = 0.836") == 2  # the summary table and the model's own


def test_svg_keeps_text_as_text_and_the_same_chart_gives_the_same_files():
    first = report.chart_images(rep(charts={"line": line_chart}), formats=("png", "svg"))["line"]
    second = report.chart_images(rep(charts={"line": line_chart}), formats=("png", "svg"))["line"]
    assert first == second  # no date or random ids in the files
    assert b"<text" in first["svg"]
    assert plt.get_fignums() == []


def test_a_chart_that_fails_to_save_still_closes_its_figure(monkeypatch):
    monkeypatch.setattr(report, "_save_figure", lambda fig, formats, dpi: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        report.chart_images(rep(charts={"line": line_chart}))
    assert plt.get_fignums() == []


def test_saved_chart_keeps_everything_savefig_tight_would(tmp_path):
    from PIL import Image

    def labelled(ax=None):
        ax = line_chart(ax)
        ax.set_xlabel("a long axis label\nover two lines")
        ax.legend(["line"], loc="upper left", bbox_to_anchor=(1.02, 1))
        return ax

    png = report.chart_images(rep(charts={"c": labelled}), dpi=100)["c"]["png"]
    path = tmp_path / "c.png"
    path.write_bytes(png)
    ax = labelled()
    ax.figure.savefig(tmp_path / "tight.png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    with Image.open(path) as ours, Image.open(tmp_path / "tight.png") as tight:
        assert abs(ours.size[0] - tight.size[0]) <= 2 and abs(ours.size[1] - tight.size[1]) <= 2


@pytest.mark.parametrize(
    ("outcome", "label"),
    [("bcr", "Benefit per £1 (BCR)"), ("sroi_ratio", "SROI ratio"), ("net_roi", "Net ROI"), ("npv", "NPV (£)"),
     ("net_sroi", "Net SROI ratio")],
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
