"""The worked models' data files and their seed documents (healthecon.worked.seeds): seed
locations read 'line N' or 'lines N-M', and published quotes are found in those lines.

(The seed tests moved here from test_provenance.py when the library stopped knowing about the
seed documents; assertions unchanged.)
"""

import io
import textwrap

import pytest

from healthecon.errors import ProvenanceError, UnknownNameError
from healthecon.provenance import load_inputs
from healthecon.worked.seeds import available_inputs, find_seeds, seed_row_check, worked_inputs

HEADER = "name,value,unit,kind,source,location,quote,note\n"
SEED = "seeds/000_dd7df95bd4ae58ba.txt"


def _load(rows: str, seeds=None):
    return load_inputs(io.StringIO(HEADER + textwrap.dedent(rows)), check_row=seed_row_check(seeds),
                       checked_against="the seed text")


@pytest.fixture
def seeds(tmp_path):
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "000_dd7df95bd4ae58ba.txt").write_text(
        "title\nThe CHSS resulted to £575 higher\ncosts and an ICER of £13,886.\n", encoding="utf-8"
    )
    return directory


def test_a_seed_location_must_name_its_lines():
    with pytest.raises(ProvenanceError, match=r"row 1 \('x'\): location 'p. 3' of a seed document must read 'line N' or 'lines N-M'"):
        _load(f"x,1,,assumed,{SEED},p. 3,,a reason given here\n")


def test_quote_is_found_in_the_seed_lines_across_a_line_break(seeds):
    inputs = _load(f'c,575,,published,{SEED},lines 2-3,"resulted to £575 higher costs",\n', seeds=seeds)
    assert inputs.quote_check.startswith("1 quote(s) found")


def test_quote_with_an_ellipsis_matches_its_parts_in_order(seeds):
    _load(f'c,13886,,published,{SEED},lines 2-3,"The CHSS resulted ... ICER of £13,886",\n', seeds=seeds)


def test_quote_absent_from_the_seed_lines_raises(seeds):
    with pytest.raises(ProvenanceError, match=r"row 1 \('c'\): quote .*not found in seeds/000_dd7df95bd4ae58ba.txt line 3"):
        _load(f'c,575,,published,{SEED},line 3,"resulted to £575 higher",\n', seeds=seeds)


def test_location_outside_the_seed_raises(seeds):
    with pytest.raises(ProvenanceError, match="outside"):
        _load(f'c,575,,published,{SEED},lines 2-30,"£575",\n', seeds=seeds)


def test_absent_seeds_are_skipped_and_said(tmp_path, monkeypatch):
    assert find_seeds(tmp_path / "absent") is None
    monkeypatch.setenv("HEALTHECON_SEEDS", str(tmp_path / "absent"))
    monkeypatch.chdir(tmp_path)
    inputs = worked_inputs("popp", seeds=tmp_path / "absent")
    assert "not found" in inputs.quote_check and "not checked" in inputs.quote_check


def test_installed_files_are_listed():
    assert {"chss", "popp", "croydon"} <= set(available_inputs())


def test_unknown_installed_file_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="unknown data file 'chs'.*'chss'"):
        worked_inputs("chs")


def test_overrides_replace_inputs_and_a_typo_is_an_error():
    assert worked_inputs("manchester", {"investment": 2e6}, seeds=False)["investment"] == 2e6
    with pytest.raises(UnknownNameError, match="'investmnet'"):
        worked_inputs("manchester", {"investmnet": 2e6}, seeds=False)


def test_errors_name_the_data_file_as_it_is_in_the_repository():
    assert worked_inputs("chss", seeds=False).file == "data/chss.csv"
