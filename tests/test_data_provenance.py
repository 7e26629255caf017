"""Every row of every installed data file has valid provenance, so a new row without a source fails CI.

When the seed documents are present, every published quote that names seed lines is also found
in those lines of the seed text. Every assumed input is read by its model: an assumption that
nothing uses is a claim nobody can check (issue 10).
"""

import importlib

import pytest

from healthecon.worked import MODELS
from healthecon.worked.seeds import available_inputs, find_seeds, worked_inputs

FILES = available_inputs()


def test_the_worked_model_inputs_are_installed():
    assert {"chss", "popp", "croydon"} <= set(FILES)
    assert set(MODELS) == set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_row_passes_the_provenance_check(name):
    inputs = worked_inputs(name)
    assert len(inputs) > 0
    if find_seeds() is None:
        assert "not checked" in inputs.quote_check
    else:
        assert "found in the seed text" in inputs.quote_check


@pytest.mark.parametrize("name", MODELS)
def test_every_assumed_input_is_read_by_its_model(name):
    rep = importlib.import_module(f"healthecon.worked.{name}").reproduce(draws=50, seed=1)
    assert rep.inputs is not None, f"{name}.reproduce() does not report its inputs"
    assert rep.inputs.unread("assumed") == [], f"data/{name}.csv: assumed input(s) that the model never reads"


@pytest.mark.parametrize("name", FILES)
def test_external_unit_costs_are_labelled_external_not_published(name):
    rows = worked_inputs(name, seeds=False).rows
    for field in ("source", "quote"):
        quoted = rows[(rows["kind"] == "published") & rows[field].str.contains("PSSRU|Unit Costs|Cost Collection|Reference Costs")]
        assert quoted.empty, f"data/{name}.csv: {list(quoted.index)} are external unit costs marked published"
