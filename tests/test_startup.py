"""Start-up: ``import healthecon`` loads no heavy library, and every public name still resolves.

Speed is measured by ``benchmarks/startup.py``; these tests check the properties behind it (which
modules an import or a run loads), never a time.
"""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import healthecon as he
from healthecon.errors import OptionalDependencyError

HEAVY = {"matplotlib", "openpyxl", "jinja2", "h5py", "h5netcdf", "lifelines", "statsmodels", "dask"}


def loaded_after(code: str, roots: set[str]) -> list[str]:
    """The modules under ``roots`` that a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys; print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(roots)!r}))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return eval(done.stdout.strip().splitlines()[-1])  # a list of module names printed by repr


def test_import_loads_no_heavy_library():
    assert loaded_after("import healthecon", HEAVY) == []


def test_import_loads_no_scipy():
    assert loaded_after("import healthecon", {"scipy"}) == []


def test_core_pipeline_draws_no_chart_and_writes_no_file_library():
    # a Markov PSA, its ICER table and CEAC need neither matplotlib, nor openpyxl, nor h5py
    code = (
        "import healthecon as he\n"
        "model = he.MarkovModel(['well', 'dead'], ['usual', 'new'], {'well': {'well': he.C, 'dead': 'p_die'},\n"
        "    'dead': {'dead': 1}}, start='well', n_cycles=5,\n"
        "    state_rewards={'cost_care': {'well': 'c_well'}, 'qaly': {'well': 0.8}})\n"
        "params = he.Parameters(p_die=he.Beta(10, 90), c_well=he.Gamma.from_mean_sd(100, 20))\n"
        "psa = model.run(params.sample(200, seed=1))\n"
        "he.cea.icer_table(psa); he.cea.ceac(psa, [0, 20000])\n"
    )
    assert loaded_after(code, HEAVY - {"dask", "jinja2"}) == []  # xarray itself imports dask (and so jinja2) if installed


def test_reproduce_without_out_draws_no_chart():
    code = "from healthecon.cli import run_models\nrun_models(['popp', 'chss'], draws=200, seed=1, progress=False)"
    assert loaded_after(code, {"matplotlib", "openpyxl", "h5py", "h5netcdf", "lifelines", "statsmodels"}) == []


def test_reproduce_without_out_loads_no_report_page_or_workbook():
    # the table needs healthecon.report's chart() only; the page, the workbook and their templates wait for --out
    code = ("import contextlib, io\nfrom healthecon.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['reproduce', 'popp', '--draws', '200']) == 0")
    report_modules = [m for m in loaded_after(code, {"healthecon"}) if m.startswith("healthecon.report.")]
    assert report_modules == ["healthecon.report.images"]


def test_every_public_name_resolves_and_is_listed():
    for name in he.__all__:
        assert getattr(he, name) is not None, name
    assert set(he.__all__) <= set(dir(he))
    assert "__version__" in dir(he) and isinstance(he.__version__, str)
    from healthecon import MarkovModel, plot_ceac  # noqa: F401 - the import is the test

    assert he.plot_ceac is he.plot.plot_ceac is he.plot.cea.plot_ceac
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        he.not_a_name  # noqa: B018


def test_every_plot_function_is_listed_in_plot_all():
    defined = {
        name
        for module in ("bia", "cea", "dsa", "markov", "money", "psm", "survival", "tree", "voi")
        for name, obj in vars(getattr(he.plot, module)).items()
        if name.startswith("plot_") and inspect.isfunction(obj) and obj.__module__ == f"healthecon.plot.{module}"
    }
    assert defined == set(he.plot.__all__)
    assert all(callable(getattr(he.plot, name)) for name in he.plot.__all__)


def test_star_import_gives_every_public_name():
    namespace: dict[str, object] = {}
    exec("from healthecon import *", namespace)
    assert set(he.__all__) <= set(namespace)


@pytest.mark.parametrize("missing", ["h5netcdf", "h5py"])
def test_netcdf_without_its_extra_names_the_extra(missing, monkeypatch, tmp_path):
    out = he.make_outcomes({"cost": [[1.0, 2.0]], "qaly": [[0.5, 0.6]]}, strategies=["a", "b"], effect="qaly")
    he.save_outcomes(out, tmp_path / "psa.nc")
    monkeypatch.setitem(sys.modules, missing, None)  # as if it were not installed: importing it raises ImportError
    with pytest.raises(OptionalDependencyError, match=rf'needs {missing}, which is not installed: pip install "healthecon\[netcdf\]"'):
        he.save_outcomes(out, tmp_path / "again.nc")
    with pytest.raises(OptionalDependencyError, match=r"reading the NetCDF4 file psa.nc needs"):
        he.load_outcomes(tmp_path / "psa.nc")
    he.save_outcomes(out, tmp_path / "psa.csv")  # CSV needs nothing extra


@pytest.mark.parametrize("package", ["healthecon", "healthecon.plot", "healthecon.report"])
def test_lazy_packages_refuse_unknown_names_and_bind_loaded_ones(package):
    """The packages' PEP 562 look-up (healthecon._lazy): an unknown name is an AttributeError
    naming the package (so hasattr and getattr defaults work); a known one is bound once loaded."""
    import importlib

    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match=rf"module '{package}' has no attribute 'no_such_name'"):
        module.no_such_name  # noqa: B018
    assert not hasattr(module, "no_such_name")
    name = sorted(module.__all__)[0]
    value = getattr(module, name)
    assert vars(module)[name] is value
