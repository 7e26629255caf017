"""The provenance loader: every kind of bad row raises ProvenanceError naming file, row and input."""

import io
import textwrap

import pytest

from healthecon.errors import ProvenanceError, UnknownNameError
from healthecon.provenance import load_inputs, quote_in_text, written_values

HEADER = "name,value,unit,kind,source,location,quote,note\n"


def _load(rows: str, **kwargs):
    return load_inputs(io.StringIO(HEADER + textwrap.dedent(rows)), **kwargs)


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
        ("x,792,,external,PSSRU Unit Costs of Health and Social Care,table 6.1.1,,\n", r"external value needs the year"),
        ("x,792,,external,PSSRU Unit Costs 2024,table 6.1.1,short stay £795,\n", r"external value 792 does not appear"),
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
        load_inputs(path)


def test_missing_and_unexpected_columns():
    with pytest.raises(ProvenanceError, match=r"missing column\(s\) \['note'\]"):
        load_inputs(io.StringIO("name,value,unit,kind,source,location,quote\n"))
    with pytest.raises(ProvenanceError, match=r"unexpected column\(s\) \['formula'\]"):
        load_inputs(io.StringIO(HEADER.strip() + ",formula\n"))


def test_missing_path():
    with pytest.raises(ProvenanceError, match="not found"):
        load_inputs("/no/such/file.csv")


def test_nothing_in_a_file_is_executed():
    inputs = _load('x,1,,assumed,doc,p. 1,"__import__(\'os\').system(\'false\')",a reason given here\n')
    assert inputs.rows.loc["x", "quote"].startswith("__import__")


def test_quotes_are_found_in_text_across_line_breaks_and_in_order_around_an_ellipsis():
    text = "title\nThe CHSS resulted to £575 higher\ncosts and an ICER of £13,886.\n"
    assert quote_in_text("resulted to £575 higher costs", text)
    assert quote_in_text("The CHSS resulted ... ICER of £13,886", text)
    assert not quote_in_text("ICER of £13,886 ... The CHSS", text)
    assert not quote_in_text("resulted to £576", text)


def test_a_row_check_sees_every_row_and_counts_the_quotes_it_found():
    seen = []

    def check(where, row):
        seen.append((where, row.kind))
        return row.kind == "published"

    inputs = _load('c,575,,published,doc,p. 1,"£575 higher",\nk,3,,assumed,assumption,none,,chosen because three is enough\n',
                   check_row=check, checked_against="the report")
    assert seen == [("<stream> row 1 ('c')", "published"), ("<stream> row 2 ('k')", "assumed")]
    assert inputs.quote_check == "1 quote(s) found in the report"
    assert _load("k,3,,assumed,assumption,none,,chosen because three is enough\n").quote_check == (
        "quotes were not checked against their sources")


def test_external_unit_costs_are_their_own_kind_with_the_year_of_their_source():
    inputs = _load('admission,792,GBP,external,PSSRU Unit Costs of Health and Social Care 2024,table 6.1.1,'
                   '"Non-elective inpatient stays, short stay: £792",\n'
                   'bed_day,345,GBP,external,NHS National Cost Collection 2020/21,standard bed day,,\n')
    assert inputs.of_kind("external") == {"admission": 792.0, "bed_day": 345.0}
    assert inputs.kind("bed_day") == "external" and inputs.of_kind("published") == {}


def test_inputs_record_what_was_read_and_overrides_share_the_record():
    inputs = _load("a,1,,assumed,doc,p. 1,,a reason given here\nb,2,,assumed,doc,p. 1,,a reason given here\n"
                   "c,3,,derived,doc,p. 1,,c = a + b\n")
    assert inputs.unread() == ["a", "b", "c"] and inputs.unread("assumed") == ["a", "b"]
    inputs.kind("a"), inputs.cite("a"), inputs.of_kind("assumed")  # looking at provenance is not reading
    assert inputs.unread("assumed") == ["a", "b"]
    local = inputs.updated({"b": 20})
    assert (local["b"], inputs["b"]) == (20.0, 2.0)
    assert inputs.unread() == ["a", "c"] == local.unread()
    assert inputs.unread("derived") == ["c"] and inputs.unread("published") == []
    with pytest.raises(UnknownNameError, match="'bb'"):
        inputs.updated({"bb": 1})
    with pytest.raises(UnknownNameError, match="unknown kind 'guessed'"):
        inputs.unread("guessed")


def test_written_values_scales():
    assert written_values("£1.6bn and 3k") == [1.6, 1.6e9, 3.0, 3000.0]
    assert written_values("cost-effective") == []


def test_check_derived_accepts_matching_arithmetic_and_rejects_the_rest():
    inputs = _load("half,0.5,,derived,doc,p. 1,,half = 1 / 2\nk,3,,assumed,assumption,none,,chosen because three is enough\n")
    assert inputs.check_derived("half", 1 / 2) == 0.5
    with pytest.raises(ProvenanceError, match="row 'half': derived value 0.5 does not match its arithmetic"):
        inputs.check_derived("half", 0.6)
    with pytest.raises(ProvenanceError, match="row 'k': is assumed, not derived"):
        inputs.check_derived("k", 3)
