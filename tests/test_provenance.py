"""The provenance loader: every kind of bad row raises ProvenanceError naming file, row and input."""

import io
import textwrap

import pytest

from healthecon.errors import ProvenanceError, UnknownNameError
from healthecon.provenance import available_inputs, load_inputs, written_values

HEADER = "name,value,unit,kind,source,location,quote,note\n"
SEED = "seeds/000_dd7df95bd4ae58ba.txt"


def _load(rows: str, **kwargs):
    return load_inputs(io.StringIO(HEADER + textwrap.dedent(rows)), seeds=kwargs.pop("seeds", False), **kwargs)


def test_good_rows_give_a_read_only_mapping_with_rows():
    inputs = _load(
        """\
        icer,13886,GBP,published,doc.pdf,p. 2,"an ICER of £13,886",
        half,0.5,,derived,doc.pdf,p. 2,,half = 1 / 2
        k,3,,assumed,assumption,none,,chosen because three is enough
        """
    )
    assert dict(inputs) == {"icer": 13886.0, "half": 0.5, "k": 3.0}
    assert inputs.rows.loc["half", "note"] == "half = 1 / 2"
    assert inputs.kind("k") == "assumed"
    assert inputs.of_kind("assumed") == {"k": 3.0}
    assert inputs.cite("icer") == "doc.pdf, p. 2"
    with pytest.raises(TypeError):
        inputs["icer"] = 1  # type: ignore[index]
    with pytest.raises(UnknownNameError, match="'icr'"):
        inputs["icr"]


@pytest.mark.parametrize(
    ("value", "quote"),
    [
        ("13886", "ICER of £13,886"),
        ("0.8", "more than 80%"),
        ("0.07", "a 7 per cent reduction"),
        ("1.2", "a £1.20 saving"),
        ("60000000", "funding of £60m"),
        ("8000000", "an £8 million investment"),
        ("20000", "at £20.000 ceiling ration"),
        ("264637", "people (264,637) used"),
    ],
)
def test_published_value_accepts_usual_written_forms(value, quote):
    assert _load(f'x,{value},,published,doc,p. 1,"{quote}",\n')["x"] == float(value)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,1,,guessed,doc,p. 1,,a reason given here\n", r"row 1 \('x'\): unknown kind 'guessed'"),
        ("x,1,,assumed,,p. 1,,a reason given here\n", r"row 1 \('x'\): missing source"),
        ("x,1,,assumed,doc,,,a reason given here\n", r"row 1 \('x'\): missing location"),
        ("x,14375,,published,doc,p. 1,\"ICER of £13,886\",\n", r"published value 14375 does not appear in its quote"),
        ("x,0.5,,derived,doc,p. 1,,half of the other one\n", r"derived value needs its arithmetic"),
        ("x,2,,assumed,doc,p. 1,,why\n", r"assumed value needs a reason"),
        ("x,abc,,assumed,doc,p. 1,,a reason given here\n", r"value 'abc' is not a number"),
        ("x,nan,,assumed,doc,p. 1,,a reason given here\n", r"value 'nan' is not a finite number"),
        (",1,,assumed,doc,p. 1,,a reason given here\n", r"row 1: empty name"),
        ("x,1,,assumed,seeds/000_dd7df95bd4ae58ba.txt,p. 3,,a reason given here\n", r"must read 'line N' or 'lines N-M'"),
    ],
)
def test_each_bad_row_raises_naming_the_row(row, message):
    with pytest.raises(ProvenanceError, match=message):
        _load(row)


def test_duplicate_name_names_both_rows():
    rows = "x,1,,assumed,doc,p. 1,,a reason given here\nx,2,,assumed,doc,p. 1,,a reason given here\n"
    with pytest.raises(ProvenanceError, match=r"row 2 \('x'\): duplicate name 'x' \(first at row 1\)"):
        _load(rows)


def test_error_names_the_file(tmp_path):
    path = tmp_path / "local.csv"
    path.write_text(HEADER + "x,1,,assumed,doc,p. 1,,no\n", encoding="utf-8")
    with pytest.raises(ProvenanceError, match=r"local\.csv row 1 \('x'\)"):
        load_inputs(path, seeds=False)


def test_missing_and_unexpected_columns():
    with pytest.raises(ProvenanceError, match=r"missing column\(s\) \['note'\]"):
        load_inputs(io.StringIO("name,value,unit,kind,source,location,quote\n"), seeds=False)
    with pytest.raises(ProvenanceError, match=r"unexpected column\(s\) \['formula'\]"):
        load_inputs(io.StringIO(HEADER.strip() + ",formula\n"), seeds=False)


def test_unknown_installed_file_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="unknown data file 'chs'.*'chss'"):
        load_inputs("chs")


def test_missing_path():
    with pytest.raises(ProvenanceError, match="not found"):
        load_inputs("/no/such/file.csv")


def test_nothing_in_a_file_is_executed():
    inputs = _load('x,1,,assumed,doc,p. 1,"__import__(\'os\').system(\'false\')",a reason given here\n')
    assert inputs.rows.loc["x", "quote"].startswith("__import__")


@pytest.fixture
def seeds(tmp_path):
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "000_dd7df95bd4ae58ba.txt").write_text(
        "title\nThe CHSS resulted to £575 higher\ncosts and an ICER of £13,886.\n", encoding="utf-8"
    )
    return directory


def test_quote_is_found_in_the_seed_lines_across_a_line_break(seeds):
    inputs = _load(f'c,575,,published,{SEED},lines 2-3,"resulted to £575 higher costs",\n', seeds=seeds)
    assert inputs.seed_check.startswith("1 published quote(s) found")


def test_quote_with_an_ellipsis_matches_its_parts_in_order(seeds):
    _load(f'c,13886,,published,{SEED},lines 2-3,"The CHSS resulted ... ICER of £13,886",\n', seeds=seeds)


def test_quote_absent_from_the_seed_lines_raises(seeds):
    with pytest.raises(ProvenanceError, match=r"row 1 \('c'\): quote .*not found in seeds/000_dd7df95bd4ae58ba.txt line 3"):
        _load(f'c,575,,published,{SEED},line 3,"resulted to £575 higher",\n', seeds=seeds)


def test_location_outside_the_seed_raises(seeds):
    with pytest.raises(ProvenanceError, match="outside"):
        _load(f'c,575,,published,{SEED},lines 2-30,"£575",\n', seeds=seeds)


def test_absent_seeds_are_skipped_and_said(tmp_path):
    row = f'c,575,,published,{SEED},line 3,"a quote that is nowhere: £575",\n'
    inputs = _load(row, seeds=tmp_path / "absent")
    assert "not found" in inputs.seed_check and "not checked" in inputs.seed_check


def test_written_values_scales():
    assert written_values("£1.6bn and 3k") == [1.6, 1.6e9, 3.0, 3000.0]
    assert written_values("cost-effective") == []


def test_installed_files_are_listed():
    assert {"chss", "popp", "croydon"} <= set(available_inputs())


def test_check_derived_accepts_matching_arithmetic_and_rejects_the_rest():
    inputs = _load("half,0.5,,derived,doc,p. 1,,half = 1 / 2\nk,3,,assumed,assumption,none,,chosen because three is enough\n")
    assert inputs.check_derived("half", 1 / 2) == 0.5
    with pytest.raises(ProvenanceError, match="row 'half': derived value 0.5 does not match its arithmetic"):
        inputs.check_derived("half", 0.6)
    with pytest.raises(ProvenanceError, match="row 'k': is assumed, not derived"):
        inputs.check_derived("k", 3)
