"""Every row of every installed data file has valid provenance, so a new row without a source fails CI.

When the seed documents are present, every published quote that names seed lines is also found
in those lines of the seed text.
"""

import pytest

from healthecon.provenance import available_inputs, find_seeds, load_inputs

FILES = available_inputs()


def test_the_worked_model_inputs_are_installed():
    assert {"chss", "popp", "croydon"} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_row_passes_the_provenance_check(name):
    inputs = load_inputs(name)
    assert len(inputs) > 0
    if find_seeds() is None:
        assert "not checked" in inputs.seed_check
    else:
        assert "found in the seed text" in inputs.seed_check
