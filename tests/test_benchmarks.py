"""Every script in benchmarks/ runs (``--quick``) and agrees with its plain-numpy baseline.

No timings are asserted: speed is what the scripts print when run at full size by hand. Each
benchmark must also exit with a non-zero status when healthecon and the baseline disagree,
which is tested by corrupting the baseline.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from healthecon.errors import TransitionError

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))  # _harness.py is shared plumbing

# What each benchmark prints when healthecon and its baseline agree.
AGREEMENT = {
    "markov_psa.py": "results agree (rtol 1e-12) : True",
    "cea_curves.py": "500 samples x 4 strategies x 101 thresholds; results agree with both baselines",
    "voi_evppi.py": "GP EVPPI of all parameters equals the plain-numpy EVPI (1% or £0.50)",
    "psm_psa.py": "PSM results agree (rtol 1e-10) : True",
    "ipd_bootstrap.py": "200 replicates x 2,000 people; bootstrap means agree with the numpy baseline (rtol 1e-10)",
    "dask_psa.py": "dask and chunked single-process results identical (bit for bit): True",
    "voi.py": "all estimates agree with their references",
    "startup.py": "import healthecon loads none of matplotlib, openpyxl, jinja2, h5py, h5netcdf, lifelines, statsmodels, dask: True",
}


def load(script: Path):
    """The benchmark as a module (not run), so that its baseline can be replaced."""
    if str(script.parent) not in sys.path:  # as when the script is run: its folder holds _harness.py
        sys.path.insert(0, str(script.parent))
    spec = importlib.util.spec_from_file_location(f"benchmark_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", BENCHMARKS, ids=[p.name for p in BENCHMARKS])
def test_benchmark_runs_quick_and_agrees_with_its_baseline(script, capsys):
    assert script.name in AGREEMENT, f"benchmarks/{script.name} is new: add the line it prints on agreement to AGREEMENT"
    load(script).main(["--quick"])
    printed = capsys.readouterr().out
    assert AGREEMENT[script.name] in printed.splitlines(), printed


def _exits_nonzero(module, capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        module.main(["--quick"])
    assert exit_.value.code not in (0, None)
    assert "agree with" not in capsys.readouterr().out
    return str(exit_.value.code)


@pytest.mark.parametrize("which", ["einsum_loop", "best_loop"])
def test_markov_benchmark_exits_nonzero_on_disagreement(which, monkeypatch, capsys):
    module = load(ROOT / "benchmarks" / "markov_psa.py")
    original = getattr(module, which)

    def off_by_a_little(draws, **options):  # costs out by a relative 1e-8, beyond the 1e-12 tolerance
        cost, qaly = original(draws, **options)
        return cost * (1 + 1e-8), qaly

    monkeypatch.setattr(module, which, off_by_a_little)
    assert "disagree" in _exits_nonzero(module, capsys)


@pytest.mark.parametrize("which", ["baseline_broadcast", "baseline_loop"])
def test_cea_benchmark_exits_nonzero_on_disagreement(which, monkeypatch, capsys):
    module = load(ROOT / "benchmarks" / "cea_curves.py")
    original = getattr(module, which)

    def shifted(cost, effect, grid):  # one threshold's CEAC moves one sample between strategies
        share, loss = original(cost, effect, grid)
        share = share.copy()
        share[50, :2] += np.array([1.0, -1.0]) / cost.shape[0]
        return share, loss

    monkeypatch.setattr(module, which, shifted)
    assert which.removeprefix("baseline_") in _exits_nonzero(module, capsys)


@pytest.mark.parametrize("which", ["baseline_evpi", "baseline_evppi"])
def test_voi_benchmark_exits_nonzero_on_disagreement(which, monkeypatch, capsys):
    module = load(ROOT / "benchmarks" / "voi_evppi.py")
    original = getattr(module, which)
    monkeypatch.setattr(module, which, lambda *args: original(*args) * 1.1 + 1.0)
    assert ("EVPI:" if which == "baseline_evpi" else "EVPPI of p:") in _exits_nonzero(module, capsys)


@pytest.mark.parametrize("scenario", ["Weibull curves", "fitted curves"])
def test_psm_benchmark_exits_nonzero_on_disagreement(monkeypatch, capsys, scenario):
    module = load(ROOT / "benchmarks" / "psm_psa.py")
    title = next(t for t in module.SCENARIOS if t.startswith(scenario))
    params, ours, original = module.SCENARIOS[title]

    def off_by_a_little(draws):  # QALYs out by a relative 1e-8, beyond the 1e-10 tolerance
        cost, qaly = original(draws)
        return cost, qaly * (1 + 1e-8)

    monkeypatch.setitem(module.SCENARIOS, title, (params, ours, off_by_a_little))
    message = _exits_nonzero(module, capsys)
    assert "disagree" in message and title in message


def test_ipd_benchmark_exits_nonzero_on_disagreement(monkeypatch, capsys):
    module = load(ROOT / "benchmarks" / "ipd_bootstrap.py")
    original = module.baseline
    monkeypatch.setattr(module, "baseline", lambda *args: original(*args) * (1 + 1e-8))
    assert "disagree" in _exits_nonzero(module, capsys)


def test_dask_benchmark_exits_nonzero_on_disagreement(monkeypatch, capsys):
    module = load(ROOT / "benchmarks" / "dask_psa.py")
    original = module.run_psa

    def one_ulp_off_in_one_process(*args, client=None, **options):  # the single-process EVPI moves by one ulp
        result = original(*args, client=client, **options)
        if client is None:
            result["evpi"] = result["evpi"].copy(data=np.nextafter(result["evpi"].values, np.inf))
        return result

    monkeypatch.setattr(module, "run_psa", one_ulp_off_in_one_process)
    assert "disagree" in _exits_nonzero(module, capsys)
def test_voi_accuracy_benchmark_exits_nonzero_when_an_estimate_misses_its_reference(monkeypatch, capsys):
    module = load(ROOT / "benchmarks" / "voi.py")
    original = module.closed_form
    monkeypatch.setattr(module, "closed_form", lambda: original() + 100.0)
    assert "linear-normal EVPPI, spline" in _exits_nonzero(module, capsys)
def test_markov_benchmark_exits_nonzero_when_the_tree_disagrees(monkeypatch, capsys):
    module = load(ROOT / "benchmarks" / "markov_psa.py")
    original = module.tree_numpy

    def off_by_a_little(draws):  # QALYs out by a relative 1e-8, beyond the 1e-12 tolerance
        cost, qaly = original(draws)
        return cost, qaly * (1 + 1e-8)

    monkeypatch.setattr(module, "tree_numpy", off_by_a_little)
    assert "decision tree" in _exits_nonzero(module, capsys)


def test_markov_benchmark_checked_loop_refuses_what_healthecon_refuses():
    """The checked baseline makes healthecon's checks: a probability that leaves a row's
    complement below 0 stops both it and healthecon; the unchecked loop runs on."""
    module = load(ROOT / "benchmarks" / "markov_psa.py")
    draws = module.PARAMS.sample(20, seed=1)
    bad = draws.assign(p_hs1=draws["p_hs1"].where(draws["sample"] != 7, 1.5))
    module.best_loop(bad)
    with pytest.raises(ValueError, match="cycle 1"):
        module.best_loop(bad, checked=True)
    with pytest.raises(TransitionError, match="cycle 1"):
        module.MODEL.run(bad)
    cost, _ = module.best_loop(draws, checked=True)
    assert np.array_equal(cost, module.best_loop(draws)[0])  # the checks change no number
