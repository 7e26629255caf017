"""Benchmark: start-up time of ``import healthecon`` and of ``healthecon reproduce`` (no ``--out``).

Each case runs in a fresh interpreter, interleaved with the baseline ``import numpy, pandas,
xarray`` (the libraries every healthecon call needs) so that both see the same machine load;
the script prints the median wall time of each, its ratio to the baseline median, and the peak
memory (max RSS) of the process. Cases:

- ``import healthecon``;
- ``import healthecon`` and touching the core names (``Parameters``, ``Beta``, ``MarkovModel``,
  ``DecisionTree``, ``cea.icer_table``), which loads the modules a model needs;
- ``healthecon reproduce``: every worked model with its default draws, the table printed
  (to /dev/null), as a user runs it.

It also prints whether dask is installed: xarray imports it (about 0.2-0.3 s) the first time any
DataArray or Dataset is built, so ``reproduce`` takes that much longer where it is.

It checks that ``import healthecon`` loads none of the heavy optional libraries (matplotlib,
openpyxl, jinja2, h5py, h5netcdf, lifelines, statsmodels, dask) and that ``reproduce`` exits 0,
and exits with status 1 if not. Run: ``python benchmarks/startup.py [repeats] [--quick]``;
``--quick`` (one repeat, one worked model) only checks that it runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("matplotlib", "openpyxl", "jinja2", "h5py", "h5netcdf", "lifelines", "statsmodels", "dask")
_RSS = "import resource, sys; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"


def run(code: str) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of ``python -c code`` in a fresh interpreter."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", f"{code}\n{_RSS}"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark case failed (exit {done.returncode}): {code!r}\n{done.stderr[-2000:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024, done.stdout


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repeats", type=int, nargs="?", default=7, help="runs of each case (default 7; the median is printed)")
    parser.add_argument("--quick", action="store_true", help="one run, one worked model: a smoke test")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    argv = ["reproduce", "popp", "--draws", "200"] if args.quick else ["reproduce"]
    cases = {
        "numpy + pandas + xarray (baseline)": "import numpy, pandas, xarray",
        "import healthecon": "import healthecon",
        "import healthecon + core names": (
            "import healthecon as he\nhe.Parameters, he.Beta, he.MarkovModel, he.DecisionTree, he.cea.icer_table"),
        "healthecon reproduce": (
            "import contextlib, io\nfrom healthecon.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    code = main({argv!r})\nassert code == 0, code"),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    memory: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, code in cases.items():
            seconds, mb, _out = run(code)
            times[name].append(seconds)
            memory[name].append(mb)
    loaded = eval(run(f"import healthecon, sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")[2])

    base = statistics.median(times["numpy + pandas + xarray (baseline)"])
    print(f"start-up, median of {repeats} run(s) in fresh interpreters ({sys.executable})")
    print(f"{'case':<36} {'wall':>8} {'/ baseline':>11} {'peak RSS':>10}")
    for name in cases:
        median = statistics.median(times[name])
        print(f"{name:<36} {median:7.3f}s {median / base:10.2f}x {statistics.median(memory[name]):8.0f} MB")
    import importlib.util

    dask = importlib.util.find_spec("dask") is not None
    print(f"dask installed: {'yes (xarray imports it when reproduce builds its first Dataset)' if dask else 'no'}")
    ok = loaded == []
    print(f"import healthecon loads none of {', '.join(HEAVY)}: {ok}")
    if not ok:
        sys.exit(f"import healthecon loaded {sorted({m.split('.')[0] for m in loaded})}")


if __name__ == "__main__":
    main()
