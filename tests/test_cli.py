"""The `healthecon` command: exit codes, the printed table, unknown models, --out files."""

import base64
import html
import re
import sys
import types

import matplotlib.pyplot as plt
import pytest

from healthecon import cli, worked
from healthecon.reproduction import Check, Reproduction


def fake_module(name, reproduced, *, charts=True, fail=False):
    """A worked-model module whose reproduce() returns one check (or raises)."""

    def reproduce(draws=10, seed=1):
        if fail:
            raise RuntimeError("input file unreadable")

        def chart(ax=None):
            ax = ax or plt.subplots()[1]
            ax.plot([0, 1], [0, reproduced], label="ratio")
            return ax

        return Reproduction(
            name, f"Fake {name}",
            checks=[Check(name, "ratio (£ per £1)", 2.00, reproduced, precision=0.01, interval=(1.5, 2.5),
                          source="test", note=f"draws={draws} seed={seed}", probability=0.9625,
                          probability_label="P(ratio > 1)")],
            tables={"numbers": __import__("pandas").DataFrame({"a": [1.0, 2.0]})},
            charts={"line": chart} if charts else {},
            notes=[f"note of {name} <b>not bold</b>"],
        )

    module = types.ModuleType(f"healthecon.worked.{name}")
    module.reproduce = reproduce
    return module


@pytest.fixture
def fakes(monkeypatch):
    """Register fake worked models and make them the only known ones."""

    def install(**modules):
        for name, module in modules.items():
            monkeypatch.setitem(sys.modules, f"healthecon.worked.{name}", module)
        monkeypatch.setattr(worked, "MODELS", tuple(modules))

    return install


def test_all_matching_exits_zero_and_prints_the_table(fakes, capsys):
    fakes(good=fake_module("good", 2.004))
    assert cli.main(["reproduce", "--notes"]) == 0
    out = capsys.readouterr().out
    header, rule, row = out.splitlines()[:3]
    assert header.split() == ["model", "figure", "published", "reproduced", "diff", "status", "interval", "probability", "basis"]
    assert re.search(r"good\s+ratio \(£ per £1\)\s+2\.00\s+2\.0040\s+0\.0040\s+match\s+1\.5000 to 2\.5000"
                     r"\s+P\(ratio > 1\) = 0\.963\s+re-derived$", row)
    assert "draws=10 seed=1" in out  # the check's note, with the model's own defaults
    assert "note of good" in out
    assert "1 figure: 1 re-derived; 0 mismatched; 0 model(s) failed" in out


def test_a_mismatch_exits_one(fakes, capsys):
    fakes(good=fake_module("good", 2.0), bad=fake_module("bad", 2.006))
    assert cli.main(["reproduce"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"bad .* mismatch", out)
    assert "2 figures: 2 re-derived; 1 mismatched" in out


def test_a_failing_model_exits_three_and_the_others_still_run(fakes, capsys):
    fakes(good=fake_module("good", 2.0), broken=fake_module("broken", 0, fail=True))
    assert cli.main(["reproduce"]) == 3
    captured = capsys.readouterr()
    assert "model 'broken' failed: RuntimeError: input file unreadable" in captured.err
    assert "good" in captured.out


def test_draws_and_seed_are_passed_to_the_model(fakes, capsys):
    fakes(good=fake_module("good", 2.0))
    assert cli.main(["reproduce", "good", "--draws", "77", "--seed", "5", "--notes"]) == 0
    assert "draws=77 seed=5" in capsys.readouterr().out


def test_table_and_summary_first_notes_only_on_request_and_after_them(fakes, capsys):
    fakes(good=fake_module("good", 2.0), other=fake_module("other", 2.0))
    assert cli.main(["reproduce"]) == 0
    out = capsys.readouterr().out
    assert "note of good" not in out and "draws=10" not in out
    lines = out.splitlines()
    assert len(lines) == 2 + 2 + 1 + 1 + 1 + 1  # header, rule, two rows, blank, summary, hint, time
    assert lines[5] == "2 figures: 2 re-derived; 0 mismatched; 0 model(s) failed"
    assert "--notes" in lines[6]
    assert cli.main(["reproduce", "--notes"]) == 0
    out = capsys.readouterr().out
    assert out.index("2 figures: 2 re-derived") < out.index("Notes\n-----") < out.index("note of good")
    assert out.splitlines()[-1].startswith("time: ")


def test_unknown_model_is_a_usage_error_listing_the_known_ones(capsys):
    assert cli.main(["reproduce", "derby", "darby"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'darby'" in err
    for name in worked.MODELS:
        assert repr(name) in err


@pytest.mark.parametrize("argv", [["reproduce", "--draws", "0"], ["reproduce", "--draws", "many"], ["frobnicate"]])
def test_bad_arguments_exit_two(argv, capsys):
    assert cli.main(argv) == 2
    assert "healthecon" in capsys.readouterr().err


def test_version_and_help(capsys):
    assert cli.main(["--version"]) == 0
    assert re.fullmatch(r"healthecon \S+\n", capsys.readouterr().out)
    assert cli.main(["reproduce", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--draws N" in out and "--out DIR" in out and "exit codes" in out
    assert "report.xlsx" in out and "Excel" in out
    assert cli.main([]) == 2  # no command: help, and a usage exit code


def test_list_prints_the_models_in_order(capsys):
    assert cli.main(["reproduce", "--list"]) == 0
    assert capsys.readouterr().out.split() == list(worked.MODELS)


def test_out_writes_tables_charts_and_a_self_contained_report(fakes, tmp_path, capsys):
    fakes(good=fake_module("good", 2.0))
    assert cli.main(["reproduce", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "checks.csv").read_text().splitlines() == [
        "model,figure,published,reproduced,difference,status,interval_low,interval_high,probability,probability_label,source,"
        "basis,assumptions",
        "good,ratio (£ per £1),2,2.0,0.0,match,1.5,2.5,0.9625,P(ratio > 1),test,re-derived,",
    ]
    assert (tmp_path / "good" / "numbers.csv").read_text() == "a\n1.0\n2.0\n"
    assert (tmp_path / "good" / "line.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "good" / "line.svg").read_bytes()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 1 and base64.b64decode(images[0]) == (tmp_path / "good" / "line.png").read_bytes()
    assert "src=\"http" not in page and "<script" not in page  # nothing fetched from elsewhere
    assert "note of good &lt;b&gt;not bold&lt;/b&gt;" in page
    assert '<th scope="col">Probability</th>' in page and "P(ratio &gt; 1) = 0.963" in page
    assert '<a href="report.xlsx">' in page
    assert f"workbook: {tmp_path / 'report.xlsx'}" in capsys.readouterr().out


def test_out_writes_an_excel_workbook_of_the_checks_tables_and_charts(fakes, tmp_path, capsys):
    from openpyxl import load_workbook

    fakes(good=fake_module("good", 2.0), bad=fake_module("bad", 2.5))
    assert cli.main(["reproduce", "--out", str(tmp_path)]) == 1
    book = load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["Published vs reproduced", "good numbers", "good charts", "bad numbers", "bad charts"]
    checks = book["Published vs reproduced"]
    assert [c.value for c in checks["D"][1:]] == [2.0, 2.5] and checks["F3"].value == "mismatch"
    assert [c.value for c in checks["I"][1:]] == [0.9625, 0.9625] and checks["I2"].number_format == "0.000"
    assert [c.value for c in book["good numbers"]["A"]] == ["A", 1.0, 2.0]  # headers read as words
    assert all(len(book[f"{m} charts"]._images) == 1 for m in ("good", "bad"))


def test_reproduce_runs_the_real_worked_models(capsys):
    assert cli.main(["reproduce", "care_repair", "manchester", "--draws", "200", "--width", "0"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"care_repair\s+savings to the taxpayer per £1 invested\s+7\.50\s+7\.5000\s+0\.0000\s+match", out)
    assert out.count(" match ") == 4
    assert out.count("P(benefit > £1 per £1) = ") == 3 and out.count("P(savings > £1 per £1) = 1.000") == 1


def test_progress_bar_goes_to_the_error_stream(fakes):
    import io

    fakes(good=fake_module("good", 2.0), other=fake_module("other", 2.0))
    err = io.StringIO()
    reproductions, failures, seconds = cli.run_models(["good", "other"], progress=True, err=err)
    assert [r.model for r in reproductions] == ["good", "other"] and failures == {}
    assert set(seconds) == {"good", "other"}
    assert "reproduce: 100%" in err.getvalue() and "2/2" in err.getvalue()


def test_run_time_is_reported_by_phase_and_adds_up_to_the_total(fakes, tmp_path, capsys):
    fakes(charted=fake_module("charted", 2.0))
    assert cli.main(["reproduce", "--out", str(tmp_path)]) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    found = re.fullmatch(r"time: models (\d+\.\d) s; charts and report (\d+\.\d) s; total (\d+\.\d) s", line)
    assert found, line
    models, charts, total = map(float, found.groups())
    assert total >= models + charts - 0.1  # each printed to 0.1 s
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert re.search(r"run time: models \d+\.\d s; charts and report \d+\.\d s; total \d+\.\d s", page)

    assert cli.main(["reproduce"]) == 0  # no --out: no charts drawn, none reported
    assert re.fullmatch(r"time: models \d+\.\d s; total \d+\.\d s", capsys.readouterr().out.splitlines()[-1])


def long_module(name):
    """A fake model with a long figure name, interval and probability label (a ~190-column row unwrapped)."""
    figure = "expected cost-benefit ratio by year two: benefit per £1 of one year's investment, all agencies"
    return types.SimpleNamespace(reproduce=lambda **kw: Reproduction(name, name, checks=[
        Check(name, figure, 12_000_000, 12_000_000.4, precision=1, interval=(-8_506_048.25, 16_345_497.5),
              probability=0.991, probability_label="P(return > £1 per £1 across every agency)"),
        Check(name, "short", 1.0, 1.0, precision=0.1)]))


def test_the_table_fits_120_columns_by_default_and_wraps_without_losing_words(fakes, capsys, tmp_path):
    fakes(care_and_repair_long=long_module("care_and_repair_long"))
    assert cli.main(["reproduce", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    table = out.split("\n\n")[0].splitlines()
    assert max(len(line) for line in out.splitlines() if not line.startswith("wrote")) <= 120  # not the tmp path
    assert len(table) == 2 + 9 + 1  # header, rule, a row wrapped onto 9 lines, the short row on one
    assert re.match(r"care_and_repair_long\s+expected\s+12,000,000\s+12,000,000\.40\s+0\.40\s+match\s", table[2])
    words = " ".join(table[2:11]).split()
    for text in ["expected cost-benefit ratio by year two: benefit per £1 of one year's investment, all agencies",
                 "-8,506,048.25 to 16,345,497.50", "P(return > £1 per £1 across every agency) = 0.991"]:
        assert all(word in words for word in text.split())
    assert re.match(r"care_and_repair_long\s+short\s+1\.0\s+1\.000\s+0\.000\s+match\s+re-derived$", table[11])
    csv = (tmp_path / "checks.csv").read_text(encoding="utf-8")  # the files keep whole cells
    assert "benefit per £1 of one year's investment, all agencies" in csv and "P(return > £1 per £1 across every agency)" in csv
    page = html.unescape((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert "benefit per £1 of one year's investment, all agencies" in page


def test_width_option_widens_or_turns_off_the_wrapping(fakes, capsys):
    fakes(lng=long_module("lng"))
    assert cli.main(["reproduce", "--width", "0"]) == 0
    table = capsys.readouterr().out.split("\n\n")[0].splitlines()
    assert len(table) == 4 and len(table[2]) > 160  # one line per figure
    assert cli.main(["reproduce", "--width", "110"]) == 0
    table = capsys.readouterr().out.split("\n\n")[0].splitlines()
    assert len(table) > 4 and max(len(line) for line in table) <= 110


def test_report_command_turns_bad_files_and_options_into_usage_errors(tmp_path, capsys):
    # exit 2 with one line saying what is wrong, not a traceback: a NetCDF file that is not an
    # outcome set, a URL as --params, a template that does not exist
    import numpy as np
    import xarray as xr

    import healthecon as he

    xr.Dataset({"a": ("x", np.arange(3.0))}).to_netcdf(tmp_path / "other.nc")
    he.save_outcomes(he.make_outcomes({"cost": np.ones((5, 2)), "qaly": np.ones((5, 2))}, strategies=["a", "b"], effect="qaly"),
                     tmp_path / "psa.nc")
    for argv, said in (([str(tmp_path / "other.nc")], "other.nc: not an outcome set"),
                       ([str(tmp_path / "psa.nc"), "--params", "https://example.invalid/p.csv"], "is a URL"),
                       ([str(tmp_path / "psa.nc"), "--template", str(tmp_path / "none.j2")], "template: no file")):
        assert cli.main(["report", *argv, "--out", str(tmp_path / "out")]) == 2
        assert said in capsys.readouterr().err
