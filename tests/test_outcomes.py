"""The outcome container: construction and its error messages, long tables, save/load, summaries."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from healthecon.errors import OutcomesError, ShapeError, UnknownNameError
from healthecon.outcomes import (
    cost_effect,
    from_dataframe,
    load_outcomes,
    make_outcomes,
    n_samples,
    require_aligned,
    save_outcomes,
    select_strategies,
    strategies,
    summarise,
    to_dataframe,
    validate_outcomes,
)


def _two():
    return make_outcomes({"cost": [[100.0, 250.0], [120.0, 260.0]], "qaly": [[1.0, 1.5], [1.1, 1.4]]},
                         strategies=["usual care", "new"], effect="qaly")


# --- make_outcomes -----------------------------------------------------------------------------

def test_layout_attrs_and_kinds():
    out = make_outcomes({"cost": [1.0, 2.0], "cost_drug": [0.5, 1.0], "qaly": [1.0, 2.0], "qaly_undiscounted": [1.0, 2.1],
                         "benefit_work": [3.0, 4.0], "ly": [1.0, 1.0]}, strategies=["a", "b"], effect="qaly", currency="$")
    assert dict(out.sizes) == {"sample": 1, "strategy": 2}
    assert out.attrs == {"cost": "cost", "effect": "qaly", "currency": "$", "effect_unit": "QALY"}
    kinds = {name: var.attrs["kind"] for name, var in out.data_vars.items()}
    assert kinds == {"cost": "cost", "cost_drug": "cost", "qaly": "effect", "qaly_undiscounted": "effect",
                     "benefit_work": "benefit", "ly": "other"}
    assert n_samples(out) == 1 and strategies(out) == ["a", "b"]
    assert out["sample"].values.tolist() == [0]


def test_non_finite_value_names_outcome_strategy_and_sample():
    with pytest.raises(OutcomesError, match=r"outcome 'qaly' is not finite at sample 1, strategy 'new': got nan"):
        make_outcomes({"cost": [[1.0, 2.0], [1.0, 2.0]], "qaly": [[1.0, 2.0], [1.0, np.nan]]}, ["old", "new"], effect="qaly")


def test_shape_and_name_errors():
    with pytest.raises(ShapeError, match=r"outcome 'cost': expected shape \(n_samples, 2\)"):
        make_outcomes({"cost": [1.0, 2.0, 3.0], "effect": [1.0, 2.0]}, ["a", "b"])
    with pytest.raises(OutcomesError, match="'strategies'|strategies: name 'a' is given more than once"):
        make_outcomes({"cost": [1.0, 2.0], "effect": [1.0, 2.0]}, ["a", "a"])
    with pytest.raises(OutcomesError, match="names 'qaly' as its effect variable but has no such variable"):
        make_outcomes({"cost": [1.0, 2.0]}, ["a", "b"], effect="qaly")
    with pytest.raises(OutcomesError, match="unknown kind 'money'"):
        make_outcomes({"cost": [1.0, 2.0], "effect": [1.0, 2.0]}, ["a", "b"], kinds={"cost": "money"})
    with pytest.raises(OutcomesError, match="no outcomes given"):
        make_outcomes({}, ["a"])
    with pytest.raises(OutcomesError, match=r"missing \['strategy'\]"):
        make_outcomes({"cost": xr.DataArray([[1.0]], dims=("sample", "arm"))}, ["a"], effect=None)


def test_zero_strategies_and_mismatched_sample_counts_raise_naming_the_outcome():
    # used to build an empty outcome set, and to fail inside xarray's alignment
    with pytest.raises(OutcomesError, match="at least one strategy"):
        make_outcomes({"cost": np.zeros((2, 0)), "effect": np.zeros((2, 0))}, [])
    with pytest.raises(ShapeError, match="outcome 'effect': has 2 samples but 'cost' has 1"):
        make_outcomes({"cost": [[5.0, 10.0]], "effect": [[1.0, 2.0], [1.0, 2.0]]}, ["A", "B"])


def test_dataarray_strategies_are_matched_by_label_not_position():
    # A DataArray whose strategy coordinate is in another order used to be relabelled by
    # position, silently swapping the strategies' values.
    cost = xr.DataArray([[1.0, 2.0]], dims=("sample", "strategy"), coords={"strategy": ["B", "A"]})
    effect = xr.DataArray([[10.0, 20.0]], dims=("sample", "strategy"), coords={"strategy": ["A", "B"]})
    out = make_outcomes({"cost": cost, "effect": effect}, strategies=["A", "B"])
    assert out["cost"].sel(strategy="A").item() == 2.0
    assert out["cost"].sel(strategy="B").item() == 1.0
    assert out["effect"].sel(strategy="A").item() == 10.0


def test_dataarray_with_other_strategy_labels_raises():
    cost = xr.DataArray([[1.0, 2.0]], dims=("sample", "strategy"), coords={"strategy": ["B", "C"]})
    with pytest.raises(OutcomesError, match=r"outcome 'cost'.*strategy labels \['B', 'C'\].*\['A', 'B'\]"):
        make_outcomes({"cost": cost}, strategies=["A", "B"], effect=None)


def test_extra_dims_are_kept_and_cost_effect_refuses_them():
    year_cost = xr.DataArray(np.ones((2, 2, 3)), dims=("sample", "strategy", "year"), coords={"year": [0, 1, 2]})
    out = make_outcomes({"cost_by_year": year_cost, "cost": [[3.0, 3.0], [3.0, 3.0]], "effect": [[1.0, 2.0], [1.0, 2.0]]}, ["a", "b"])
    assert out["cost_by_year"].dims == ("sample", "strategy", "year")
    with pytest.raises(OutcomesError, match=r"extra dimensions \['year'\]: sum or select them first"):
        cost_effect(out, cost="cost_by_year")


def test_variables_with_coords_give_the_dataset_dataarrays_give():
    # the cheap route (Variables, coordinates once) that the money models take builds the same set as DataArrays
    rng = np.random.default_rng(3)
    flows, cost = rng.random((4, 2, 3, 2)), rng.random((4, 2))
    line = {"line": ["beds", "staff", "visits"], "party": ("line", ["NHS", "council", "NHS"]), "year": [0, 1]}
    old = make_outcomes({"cost": cost, "flows": xr.DataArray(flows, dims=("sample", "strategy", "line", "year"),
                                                             coords=line, attrs={"unit": "£"})},
                        ["a", "b"], effect=None, kinds={"flows": "other"})
    new = make_outcomes({"cost": cost, "flows": xr.Variable(("sample", "strategy", "line", "year"), flows, {"unit": "£"})},
                        ["a", "b"], effect=None, kinds={"flows": "other"}, coords=line)
    xr.testing.assert_identical(new, old)
    assert list(new.coords) == list(old.coords) and list(new.sizes) == list(old.sizes)
    assert new["flows"].dtype == old["flows"].dtype and new["party"].dtype == old["party"].dtype


def test_variable_outcome_and_coords_errors_name_the_outcome():
    cost = np.ones((1, 2))
    with pytest.raises(OutcomesError, match=r"outcome 'by_year': expected dimensions 'sample' and 'strategy', missing \['sample'\]"):
        make_outcomes({"cost": cost, "by_year": xr.Variable(("strategy", "year"), np.ones((2, 3)))}, ["a", "b"], effect=None)
    with pytest.raises(ShapeError, match="outcome 'by_year': has 3 strategies, expected 2"):
        make_outcomes({"cost": cost, "by_year": xr.Variable(("sample", "strategy"), np.ones((1, 3)))}, ["a", "b"], effect=None)
    with pytest.raises(ShapeError, match="outcome 'by_year': has 2 samples but 'cost' has 1"):
        make_outcomes({"cost": cost, "by_year": xr.Variable(("sample", "strategy"), np.ones((2, 2)))}, ["a", "b"], effect=None)
    with pytest.raises(OutcomesError, match=r"coords: \['strategy'\] are set by make_outcomes"):
        make_outcomes({"cost": cost}, ["a", "b"], effect=None, coords={"strategy": ["x", "y"]})


def test_helpers():
    out = _two()
    assert strategies(select_strategies(out, ["new"])) == ["new"]
    with pytest.raises(UnknownNameError):
        select_strategies(out, ["nope"])
    with pytest.raises(ShapeError, match="outcomes have 2 samples but parameter draws have 3"):
        require_aligned(out, xr.Dataset(coords={"sample": np.arange(3)}))
    with pytest.raises(OutcomesError, match="no 'strategy' dimension"):
        validate_outcomes(xr.Dataset({"cost": ("sample", [1.0])}))


# --- from_dataframe ------------------------------------------------------------------------------

def test_from_dataframe_round_trip_and_order():
    out = _two()
    back = from_dataframe(to_dataframe(out), effect="qaly")
    xr.testing.assert_identical(back, out)
    shuffled = to_dataframe(out).iloc[[3, 0, 2, 1]]
    # strategies in order of first appearance; rows are matched by (sample, strategy), not position
    got = from_dataframe(shuffled, effect="qaly")
    assert strategies(got) == ["new", "usual care"]
    np.testing.assert_array_equal(got["cost"].sel(strategy="usual care").values, [120.0, 100.0])


def test_from_dataframe_missing_row_and_duplicates():
    frame = to_dataframe(_two())
    with pytest.raises(OutcomesError, match="table is incomplete: no row for sample 1, strategy 'new'"):
        from_dataframe(frame.iloc[:3], effect="qaly")
    with pytest.raises(OutcomesError, match="row for sample 0, strategy 'usual care' appears more than once"):
        from_dataframe(pd.concat([frame, frame.iloc[[0]]]), effect="qaly")
    with pytest.raises(UnknownNameError, match="qaly2"):
        from_dataframe(frame, effect="qaly2")


def test_from_dataframe_without_sample_column_numbers_rows_per_strategy():
    frame = pd.DataFrame({"strategy": ["A", "B", "A", "B"], "cost": [1.0, 2.0, 3.0, 4.0], "effect": [0.0, 1.0, 0.0, 1.0]})
    out = from_dataframe(frame)
    np.testing.assert_array_equal(out["cost"].values, [[1.0, 2.0], [3.0, 4.0]])


def test_from_dataframe_non_numeric_cost_column_names_the_column_and_cell():
    # used to drop the column and then complain that the outcome set has no 'cost' variable
    frame = pd.DataFrame({"strategy": ["A", "B"], "cost": ["1,000", "2"], "effect": [1.0, 2.0]})
    with pytest.raises(OutcomesError, match=r"column 'cost' is not numeric: data row 1 holds '1,000'"):
        from_dataframe(frame)


def test_from_dataframe_missing_strategy_column_is_named():
    # used to raise a bare KeyError from pandas' groupby
    with pytest.raises(UnknownNameError, match="strategy"):
        from_dataframe(pd.DataFrame({"arm": ["A", "B"], "cost": [1.0, 2.0], "effect": [1.0, 2.0]}))
    out = from_dataframe(pd.DataFrame({"arm": ["A", "B"], "cost": [1.0, 2.0], "effect": [1.0, 2.0]}), strategy="arm")
    assert strategies(out) == ["A", "B"]


def test_from_dataframe_ignores_non_numeric_extra_columns():
    frame = pd.DataFrame({"strategy": ["A", "B"], "cost": [1.0, 2.0], "effect": [1.0, 2.0], "note": ["x", "y"]})
    assert list(from_dataframe(frame).data_vars) == ["cost", "effect"]


# --- save / load ---------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=12)  # each example writes and reads two files
@given(values=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 3)), elements=finite),
       labels=st.lists(st.sampled_from(["A", "new drug", "01", "NA", "nan", "None", "1.5", "£ arm", "x,y"]),
                       min_size=3, max_size=3, unique=True))
def test_csv_and_netcdf_round_trips_are_bit_exact(tmp_path_factory, values, labels):
    # strategy labels that look like numbers or missing values ("01", "NA") used to come back
    # as 1 and NaN from the CSV
    labels = labels[: values.shape[1]]
    out = make_outcomes({"cost": values, "effect": values[::-1] * 0.5, "cost_drug": values / 3}, labels,
                        attrs={"model": "test", "seed": 7})
    folder = tmp_path_factory.mktemp("rt")
    for suffix in (".csv", ".nc"):
        back = load_outcomes(save_outcomes(out, folder / f"out{suffix}"))
        assert strategies(back) == labels
        for name in out.data_vars:
            assert back[name].values.tobytes() == out[name].values.tobytes()
            assert back[name].attrs == out[name].attrs
        assert back.attrs == out.attrs


def test_netcdf_round_trip_keeps_year_and_stakeholder_dims(tmp_path):
    rng = np.random.default_rng(0)
    flows = xr.DataArray(rng.normal(size=(5, 2, 4, 3)), dims=("sample", "strategy", "year", "stakeholder"),
                         coords={"year": [0, 1, 2, 3], "stakeholder": ["NHS", "council", "people"]})
    out = make_outcomes({"cost": rng.normal(size=(5, 2)), "benefit": rng.normal(size=(5, 2)), "cost_flows": flows},
                        ["do nothing", "programme"], effect="benefit", kinds={"benefit": "benefit"})
    back = load_outcomes(save_outcomes(out, tmp_path / "out.nc"))
    xr.testing.assert_identical(back, out)
    assert back["cost_flows"].values.tobytes() == flows.values.tobytes()
    assert back["stakeholder"].values.tolist() == ["NHS", "council", "people"]
    with pytest.raises(OutcomesError, match=r"\['cost_flows'\] have extra dimensions and cannot be saved as CSV: use .nc"):
        save_outcomes(out, tmp_path / "out.csv")


def test_save_and_load_reject_other_suffixes(tmp_path):
    with pytest.raises(OutcomesError, match="use a .nc or .csv"):
        save_outcomes(_two(), tmp_path / "out.xlsx")
    with pytest.raises(OutcomesError, match="use a .nc or .csv"):
        load_outcomes(tmp_path / "out.parquet")


def test_load_plain_long_csv_from_another_tool(tmp_path):
    path = tmp_path / "treeage.csv"
    path.write_text("sample,strategy,cost,effect\n0,A,1.5,0.1\n0,B,2.5,0.2\n1,A,1.0,0.3\n1,B,3.0,0.4\n")
    out = load_outcomes(path)
    np.testing.assert_array_equal(out["cost"].values, [[1.5, 2.5], [1.0, 3.0]])


# --- summarise -----------------------------------------------------------------------------------

def test_summarise_against_numpy():
    rng = np.random.default_rng(1)
    cost = rng.gamma(2, 100, size=(400, 3))
    out = make_outcomes({"cost": cost, "effect": rng.normal(size=(400, 3))}, ["a", "b", "c"])
    table = summarise(out, level=0.9)
    assert list(table.index.get_level_values(0).unique()) == ["cost", "effect"]
    row = table.loc[("cost", "b")]
    assert row["mean"] == pytest.approx(cost[:, 1].mean(), rel=1e-12)
    assert row["lower"] == pytest.approx(np.percentile(cost[:, 1], 5), rel=1e-12)
    assert row["upper"] == pytest.approx(np.percentile(cost[:, 1], 95), rel=1e-12)
    with pytest.raises(OutcomesError, match="level"):
        summarise(out, level=1.0)
    with pytest.raises(UnknownNameError):
        summarise(out, variables=["qaly"])


def test_summarise_skips_or_names_variables_with_extra_dims():
    year_cost = xr.DataArray(np.ones((2, 2, 3)), dims=("sample", "strategy", "year"))
    out = make_outcomes({"cost": [[1.0, 2.0], [1.0, 2.0]], "effect": [[1.0, 2.0], [1.0, 2.0]], "cost_by_year": year_cost}, ["a", "b"])
    assert "cost_by_year" not in summarise(out).index.get_level_values(0)
    # used to fail inside xarray's transpose with a message about permuted lists
    with pytest.raises(OutcomesError, match=r"outcome 'cost_by_year' has extra dimensions \['year'\]"):
        summarise(out, variables=["cost_by_year"])


@pytest.mark.parametrize("suffix", [".csv", ".nc"])
def test_number_and_missing_like_strategy_labels_survive_a_round_trip(tmp_path, suffix):
    out = make_outcomes({"cost": [[1.0, 2.0, 3.0]], "effect": [[0.1, 0.2, 0.3]]}, ["01", "NA", "None"])
    assert strategies(load_outcomes(save_outcomes(out, tmp_path / f"out{suffix}"))) == ["01", "NA", "None"]


# --- issue 11: files that lie, attack or come from elsewhere --------------------------------------

def _saved_csv(tmp_path, out=None):
    return save_outcomes(out if out is not None else _two(), tmp_path / "psa.csv")


def _edit_first_line(path, old, new):
    text = path.read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    assert old in first
    path.write_text(first.replace(old, new) + "\n" + rest, encoding="utf-8")


def test_a_metadata_line_that_swaps_cost_and_effect_is_refused(tmp_path):
    path = _saved_csv(tmp_path)
    _edit_first_line(path, '"cost": "cost", "effect": "qaly"', '"cost": "qaly", "effect": "cost"')
    with pytest.raises(OutcomesError, match=r"psa.csv, line 1 .*'qaly' as the cost variable but gives it kind 'effect'"):
        load_outcomes(path)
    # swapping the kinds as well does not help: the name 'cost' says what it is
    _edit_first_line(path, '"kinds": {"cost": "cost", "qaly": "effect"}', '"kinds": {"cost": "effect", "qaly": "cost"}')
    with pytest.raises(OutcomesError, match=r"variable 'cost' is named as a cost but given kind 'effect'"):
        load_outcomes(path)


@pytest.mark.parametrize("line, message", [
    ("{not json", "not valid JSON"),
    ('{"attrs": {}}', "exactly the keys 'attrs' and 'kinds'"),
    ('{"attrs": [], "kinds": {}}', "'attrs' must map names"),
    ('{"attrs": {"cost": 3}, "kinds": {}}', r"attrs\['cost'\] must be text"),
    ('{"attrs": {}, "kinds": {"cost": "money"}}', "'kinds' must map variable names"),
    ('{"attrs": {}, "kinds": {"price": "cost"}}', "'price', which is not a column"),
    ('{"attrs": {"cost": "price"}, "kinds": {}}', "names 'price' as the cost variable, but there is no such column"),
])
def test_a_malformed_metadata_line_is_a_healthecon_error_naming_the_line(tmp_path, line, message):
    path = _saved_csv(tmp_path)
    text = path.read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text("# healthecon outcomes " + line + "\n" + text, encoding="utf-8")
    with pytest.raises(OutcomesError, match=r"psa.csv, line 1") as err:
        load_outcomes(path)
    assert __import__("re").search(message, str(err.value))


def test_a_cp1252_csv_says_which_encoding_and_reads_with_it(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("strategy,cost,effect\nA £ plan,1.5,0.1\nB,2.5,0.2\n".encode("cp1252"))
    with pytest.raises(OutcomesError, match=r"excel.csv, line 2: byte 0xa3 is not valid utf-8.*encoding='cp1252'"):
        load_outcomes(path)
    assert strategies(load_outcomes(path, encoding="cp1252")) == ["A £ plan", "B"]


def test_a_netcdf3_file_is_read(tmp_path):
    out = _two()
    path = tmp_path / "classic.nc"
    out.to_netcdf(path, engine="scipy")  # NetCDF3 (classic); was OSError: file signature not found
    back = load_outcomes(path)
    np.testing.assert_array_equal(back["cost"].values, out["cost"].values)
    assert strategies(back) == ["usual care", "new"]


def test_a_file_that_is_not_netcdf_is_a_healthecon_error(tmp_path):
    path = tmp_path / "fake.nc"
    path.write_text("sample,strategy\n")
    with pytest.raises(OutcomesError, match="fake.nc: not a NetCDF file"):
        load_outcomes(path)


def _secret(tmp_path):
    secret = tmp_path / "secret.bin"
    np.arange(4, dtype="<f8").tofile(secret)
    return secret


@pytest.mark.parametrize("trick", ["external storage", "external link", "virtual dataset"])
def test_netcdf_that_reads_other_files_is_refused(tmp_path, trick):
    h5py = pytest.importorskip("h5py")
    path = save_outcomes(_two(), tmp_path / "psa.nc")
    secret = _secret(tmp_path)
    with h5py.File(path, "a") as f:
        del f["cost"]
        if trick == "external storage":
            f.create_dataset("cost", shape=(2, 2), dtype="<f8", external=[(str(secret), 0, 32)])
        elif trick == "external link":
            other = tmp_path / "other.h5"
            with h5py.File(other, "w") as g:
                g["cost"] = np.ones((2, 2))
            f["cost"] = h5py.ExternalLink(str(other), "/cost")
        else:
            layout = h5py.VirtualLayout(shape=(2, 2), dtype="<f8")
            other = tmp_path / "other.h5"
            with h5py.File(other, "w") as g:
                g["data"] = np.ones((2, 2))
            layout[:] = h5py.VirtualSource(str(other), "data", shape=(2, 2))
            f.create_virtual_dataset("cost", layout)
    with pytest.raises(OutcomesError, match=r"psa.nc: object '/cost' .*(external|virtual)"):
        load_outcomes(path)


def test_csv_injection_is_neutralised_and_undone(tmp_path):
    names = ["=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@A1", "'quoted", "plain"]
    out = make_outcomes({"cost": np.ones((1, 6)), "qaly": np.ones((1, 6))}, strategies=names, effect="qaly")
    path = save_outcomes(out, tmp_path / "psa.csv")
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert strategies(load_outcomes(path)) == names


def test_a_nul_in_a_name_is_refused_before_writing(tmp_path):
    out = make_outcomes({"cost": [[1.0, 2.0]], "qaly": [[1.0, 2.0]]}, strategies=["a\x00b", "c"], effect="qaly")
    for suffix in (".nc", ".csv"):
        with pytest.raises(OutcomesError, match=r"strategy 'a\\x00b' holds a NUL character"):
            save_outcomes(out, tmp_path / f"psa{suffix}")


def test_loading_outcomes_never_runs_code(tmp_path):
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    path = tmp_path / "evil.csv"
    path.write_text('# healthecon outcomes {"attrs": {"note": "' + payload.replace('"', "'") + '"}, "kinds": {}}\n'
                    f"sample,strategy,cost,effect\n0,\"{payload}\",1.0,2.0\n")
    out = load_outcomes(path)
    assert strategies(out) == [payload] and not marker.exists()
    nc = tmp_path / "evil.nc"
    out.attrs["note"] = payload
    save_outcomes(out, nc)
    assert load_outcomes(nc).attrs["note"] == payload and not marker.exists()
