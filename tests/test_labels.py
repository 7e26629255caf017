"""Human labels and units, declared once (parameters, outcome sets) and read by tables, charts and workbooks."""

import numpy as np
import pandas as pd
import pytest

import healthecon as he
from healthecon.errors import OutcomesError, UnknownNameError
from healthecon.labels import column_kind, column_label, describe_outcomes, format_cell, outcome_labels, unit_kind


@pytest.mark.parametrize(("name", "label"), [
    ("pv_benefit_lower", "PV benefits, lower 95%"), ("gross_return_per_1", "Return per £1"), ("net_roi", "Net ROI"),
    ("p_npv_positive", "P(NPV > 0)"), ("inc_cost", "Incremental cost"), ("qaly_undiscounted", "QALYs, undiscounted"),
    ("outcome_low", "Result at low value"), ("icer", "ICER (£ per QALY)"), ("bed_days", "Bed days"),
    ("savings (£)", "savings (£)"), ("Already Human", "Already Human"), ("p_sick", "P(sick)"),
])
def test_no_snake_case_header_reaches_a_reader(name, label):
    assert column_label(name) == label


@pytest.mark.parametrize(("name", "kind"), [
    ("npv_upper", "money"), ("net_roi", "percent"), ("deadweight (assumed)", "percent"), ("share (assumed)", "percent"),
    ("gross_return_per_1", "ratio"), ("benefit per £1, undiscounted", "ratio"), ("p_cost_effective", "probability"),
    ("inc_effect", "effect"), ("payback_years", "payback"), ("value", "number"), ("published_icer", "money"),
])
def test_unit_kinds_follow_what_the_name_says(name, kind):
    assert column_kind(name, values=pd.Series([1.5, 2.5])) == kind


@pytest.mark.parametrize(("value", "kind", "text"), [
    (13885.96, "money", "£13,886"), (2.354, "money", "£2.35"), (1.4400000000000002, "ratio", "£1.44 per £1"),
    (0.4345, "percent", "43%"), (0.04, "percent", "4.0%"), (0.84612, "probability", "0.846"),
    (0.0, "payback", "within the first year"), (0.04140861299150223, "effect", "0.0414"), (float("nan"), "money", ""),
    (None, "number", ""), (float("inf"), "payback", "not reached"),
])
def test_cells_read_by_unit_and_never_nan(value, kind, text):
    assert format_cell(value, kind) == text


def test_declared_units_override_names():
    assert column_kind("x", units={"x": "£"}) == "money" and unit_kind("%") == "percent" and unit_kind("QALY") == "effect"


def test_outcome_labels_survive_a_csv_round_trip(tmp_path):
    out = he.make_outcomes({"cost": [[1.0, 2.0]], "qaly": [[1.0, 1.1]]}, strategies=["uc", "vw"], effect="qaly")
    labelled = describe_outcomes(out, labels={"qaly": "Quality-adjusted life-years"}, units={"cost": "£"},
                                 strategies={"vw": "Virtual ward"})
    back = outcome_labels(he.load_outcomes(he.save_outcomes(labelled, tmp_path / "out.csv")))
    assert back.variable("qaly") == "Quality-adjusted life-years" and back.strategy("vw") == "Virtual ward"
    assert back.units == {"cost": "£"} and out.attrs.get("labels") is None  # the original is unchanged


def test_describing_an_unknown_variable_or_strategy_names_it():
    out = he.make_outcomes({"cost": [[1.0, 2.0]], "qaly": [[1.0, 1.1]]}, strategies=["uc", "vw"], effect="qaly")
    with pytest.raises(UnknownNameError, match="qualy"):
        describe_outcomes(out, labels={"qualy": "QALYs"})
    with pytest.raises(UnknownNameError, match="ward"):
        describe_outcomes(out, strategies={"ward": "Virtual ward"})
    broken = out.assign_attrs(labels="{not json")
    with pytest.raises(OutcomesError, match="labels"):
        outcome_labels(broken)


def test_parameters_carry_labels_units_and_sources_through_every_change(tmp_path):
    params = he.Parameters(c_drug=he.Gamma.from_mean_sd(1000, 200), p=he.Beta(1, 9), labels={"c_drug": "Drug cost"},
                           units={"c_drug": "£"}, sources={"p": "Trial 2024"})
    assert params.labels == {"c_drug": "Drug cost", "p": "p"}
    changed = params.replace(c_drug=900.0).correlate(["c_drug", "p"], [[1, 0.2], [0.2, 1]]) | he.Parameters(k=1)
    assert changed.labels["c_drug"] == "Drug cost" and changed.units == {"c_drug": "£"}
    assert changed.sources == {"p": "Trial 2024"}
    draws = params.sample(5, seed=1)
    assert draws["c_drug"].attrs["label"] == "Drug cost" and draws["c_drug"].attrs["unit"] == "£"
    import pickle

    assert pickle.loads(pickle.dumps(params)).labels == params.labels
    params.to_csv(tmp_path / "p.csv")
    table = pd.read_csv(tmp_path / "p.csv")
    table["label"] = ["Drug cost", np.nan]
    table["unit"] = ["£", ""]
    table.to_csv(tmp_path / "p.csv", index=False)
    back = he.Parameters.from_csv(tmp_path / "p.csv")
    assert back.labels == {"c_drug": "Drug cost", "p": "p"} and back.units == {"c_drug": "£"}


def test_labels_for_an_unknown_parameter_are_an_error():
    with pytest.raises(UnknownNameError, match="c_drg"):
        he.Parameters(c_drug=1.0, labels={"c_drg": "Drug cost"})
