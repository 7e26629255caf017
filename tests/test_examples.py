"""Every script in examples/ runs and prints the numbers the README and its docstring promise.

The scripts are discovered, so a new example is run automatically; its key printed numbers
must then be added to ``EXPECTED`` (the test says so). Each script runs in this process
(``runpy``, as ``__main__``) to share the library's import time, from an empty working
directory, with an output directory under ``tmp_path``: images are checked there, and the
repository (``docs/images`` included) must be left untouched.
"""

from __future__ import annotations

import re
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@dataclass(frozen=True)
class Expected:
    """Blocks of consecutive lines the script must print, the images it must write, and numbers
    that may differ between numpy/LAPACK builds, each as ``(regex with one group per number,
    expected numbers, relative tolerance)``."""

    blocks: tuple[str, ...]
    images: tuple[str, ...] = ()
    numbers: tuple[tuple[str, tuple[float, ...], float], ...] = ()
    reports: tuple[str, ...] = ()  # folders holding a report.html and a report.xlsx


EXPECTED = {
    "chancellor_hiv.py": Expected((
        # Briggs, Claxton & Sculpher (2006), exercise 2.5: £44,663 / 7.991, £50,602 / 8.937, ICER £6,276.
        """\
monotherapy   cost    44,663 44,663.454   True
monotherapy     ly     7.991      7.991   True
combination   cost    50,602 50,601.651   True
combination     ly     8.937      8.937   True
combination   icer     6,276  6,275.956   True""",
    )),
    "markov_example.py": Expected((
        """\
cost     usual care  18691.59  12127.92  27232.07
         new drug    22409.85  16549.78  29842.09""",
        """\
usual care  £18,692  7.936                —                —                 —  Non-dominated
new drug    £22,410  9.044           £3,718            1.108            £3,354  Non-dominated""",
    )),
    "tree_example.py": Expected((
        # Published (Evans et al. 1997; Briggs et al. 2006): C$22.06 and C$4.71, utility 0.42 and 0.20.
        """\
caffeine/ergotamine   C$4.71    0.20                —                   —                     —  Non-dominated
sumatriptan          C$22.06    0.42          C$17.34                0.22               C$80.45  Non-dominated""",
        """\
             sumatriptan > relief > recurrence relieved with 2nd dose       0.2265   32.20      0.9
                                 sumatriptan > relief > no recurrence       0.3315   16.10      1.0
                             sumatriptan > no relief > endures attack       0.4066   16.10     -0.3
        sumatriptan > no relief > emergency department > hospitalised       0.0001 1172.26     -0.3
              sumatriptan > no relief > emergency department > relief       0.0353   79.26      0.1
     caffeine/ergotamine > relief > recurrence relieved with 2nd dose       0.1126    2.64      0.9
                         caffeine/ergotamine > relief > no recurrence       0.2664    1.32      1.0
                     caffeine/ergotamine > no relief > endures attack       0.5713    1.32     -0.3
caffeine/ergotamine > no relief > emergency department > hospitalised       0.0001 1157.48     -0.3
      caffeine/ergotamine > no relief > emergency department > relief       0.0496   64.48      0.1""",
        """\
50.0            0.064                0.936
100.0           0.683                0.317
200.0           0.939                0.061""",
    ), images=("migraine_tree.png",)),
    "hybrid_example.py": Expected((
        """\
          usual care > responds         0.30  8269.828 10.019
  usual care > does not respond         0.70 13706.350  8.913
        intervention > responds         0.45  9469.828 10.019
intervention > does not respond         0.55 14906.350  8.913""",
        """\
usual care    £12,075  9.245                —                —                 —  Non-dominated
intervention  £12,460  9.411             £385            0.166            £2,318  Non-dominated""",
        """\
20000.0        0.075         0.925
30000.0        0.050         0.950""",
        "p_resp_new        0.354     0.548    15126.232      -536.254",
    ), images=("hybrid_tree.png",)),
    "cea_example.py": Expected((
        """\
Usual care              £2,008  5.996                —                —                 —                                                Non-dominated
Exercise classes        £2,601  6.035             £593            0.040           £14,920                                                Non-dominated
Home hazard assessment  £2,908  6.040                —                —                 —  Extendedly dominated by Exercise classes and Multifactorial
Multifactorial          £3,589  6.075             £988            0.040           £24,849                                                Non-dominated""",
        "Exercise classes         592.818       0.040  14919.755  201.857      -1096.089       1467.645             0.626",
        """\
At £20,000 per QALY the optimal strategy is Exercise classes (probability 0.32)
At £30,000 per QALY the optimal strategy is Multifactorial (probability 0.45)""",
    ), images=("ceac.png",)),
    "tornado_example.py": Expected((
        "hr_treatment     0.51     0.96     26056.71      -4030.31  30087.02",
        "c_drug = 3016.79 at WTP £20,000 per QALY: 'New treatment' is optimal below and 'Usual care' above",
        """\
weaker effect Usual care     19950.01    6.77    115386.78     True
              New treatment  25287.31    6.99    114602.38    False""",
        "EVPI per person at £20,000: £348.70",
        "hr_treatment  334.13  ",
    ), images=("tornado.png",), numbers=(
        # the EVPPI's standard error (fit and PSA sampling error, issue 15) includes random draws of the
        # spline coefficients, whose factorisation differs between LAPACK builds: 10%
        (r"(?m)^hr_treatment +334\.13 +([\d.]+) +([\d.]+)$", (36.86, 0.96), 0.10),
    )),
    "sroi_example.py": Expected((
        "social prescribing: PV impact £216,399.65, PV investment £120,000.00, NPV £96,399.65",
        "  SROI ratio (PV impact / PV investment), per £1: £1.80",
        "P(SROI ratio > 1) = 0.998, P(SROI ratio > 2) = 0.277",
        """\
gross value                   495,600
deadweight                   -141,120
displacement                   -4,200
attribution                   -69,048
drop-off                      -53,631
discounting (impact)          -11,202
investment (present value)   -120,000""",
        "   improved wellbeing       proxy 1,500.000        1.563         2.044",
    ), images=("sroi.png",)),
    "bia_example.py": Expected((
        """\
NHS     1,245,082 1,439,388 1,822,338 2,364,575  3,043,577  9,914,959
council  -108,864  -326,048  -556,754  -825,294 -1,147,283 -2,964,242
Total   1,136,218 1,113,340 1,265,584 1,539,282  1,896,295  6,950,718""",
        "P(five-year budget impact above £5m) = 0.926",
    ), images=("budget_impact.png",)),
    "cba_example.py": Expected((
        "home from hospital: PV benefits £2,480,795.53, PV costs £1,760,755.96, NPV £720,039.57",
        "  gross return per £1 (benefit / cost): £1.41",
        "  P(NPV > 0) = 0.936; P(return per £1 > 1) = 0.936",
        """\
NHS                 0 1,261,731 1,261,731
council     1,760,756   975,251  -785,505
individuals         0   243,813   243,813""",
        "home from hospital          0.29      0.409",
        "bed_days       478.67  1452.13         1.07          1.85",
    ), images=("cba.png",)),
    "survival_fit.py": Expected((
        # GBSG-2 (lifelines' load_gbsg2): 686 patients, 299 events
        "GBSG-2: 686 patients, 299 events; arms no tamoxifen, tamoxifen",
        "joint RP spline, 2 knots (hazard) joint         rp2           5 -2607.96 5225.91 5248.57       0.00       3.44",
        """\
Log-normal                           6.62       9.04
Generalised gamma                    8.18      11.55""",
    ), images=tuple(f"survival_{plot}_{arm}.png" for plot in ("km", "hazards", "extrapolation") for arm in ("no_tamoxifen", "tamoxifen"))
       + ("survival_log_cumulative_hazard.png",)),
    "psm_example.py": Expected((
        # a fit to flexsurv's bc data (lowest AIC) with illustrative costs, utilities and effects; 10,000 draws
        "Progression-free survival (control): RP spline, 2 knots (hazard), lowest AIC",
        """\
Usual care  £28,388  5.284                —                —                 —  Non-dominated
New drug    £44,035  5.871          £15,647            0.586           £26,683  Non-dominated""",
        "P(New drug is cost-effective at £30,000 per QALY) = 0.616",
    ), images=("psm_ceac.png", "psm_occupancy.png"), reports=("report",)),
    "ipd_example.py": Expected((
        # SYNTHETIC trial (simulate_trial, seed 2024): complete cases, 5,000 replicates, BCa.
        """\
Incremental cost, new vs usual care                         £792                                                              £226 to £1,399
Mean QALYs, usual care                                     0.707                                                              0.682 to 0.728
Mean QALYs, new                                            0.753                                                              0.728 to 0.773
Incremental QALYs, new vs usual care                       0.046                                                              0.015 to 0.078
ICER (£ per QALY), new vs usual care                     £17,239                                                  Fieller: £4,249 to £60,438""",
        """\
SUR, linearmodels (analytic)                           £812  £233 to £1,391             0.050  0.032 to 0.067  £16,341
SUR (bootstrap, BCa)                                   £812  £231 to £1,396             0.050  0.033 to 0.069  £16,341
GLM gamma/log costs, OLS QALYs (bootstrap)             £835  £252 to £1,415             0.050  0.033 to 0.069  £16,797""",
        "Multiple imputation: 10 imputations (chained equations, predictive mean matching) x 500 bootstrap replicates, "
        "pooled by Rubin's rules:",
    ), images=("ipd_ce_plane.png",)),
    "chss_patient_level.py": Expected((
        # SYNTHETIC residents built so that £575 and £13,886 (Tsiachristas et al. 2017) hold by construction.
        "Agreement with the published figures below holds BY CONSTRUCTION of the synthetic data.",
        """\
Incremental cost, CHSS vs usual care                              £575              £152 to £1,034""",
        """\
Incremental life-years, CHSS vs usual care                       0.041              0.030 to 0.053
ICER (£ per life-year), CHSS vs usual care                     £13,886  Fieller: £3,364 to £26,121
ICER bootstrap percentile, CHSS vs usual care                                    £3,411 to £26,348
P(CHSS cost-effective vs usual care) at £20,000 per life-year    0.851""",
        """\
incremental cost per resident                                 £575          £575                  by construction (synthetic)
ICER per life-year gained                                  £13,886       £13,886                  by construction (synthetic)
P(cost-effective) at £20,000                        more than 0.80         0.851  consistent: spread chosen so (assumed rows)""",
    ), images=("chss_patient_level.png",)),
}


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def run_example(script: Path, tmp_path: Path, monkeypatch, capsys, *args: str) -> str:
    """Run ``script`` as ``__main__`` with ``args`` from an empty directory; return its output."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setattr(sys, "argv", [str(script), *args])
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exit_:  # a script that exits 0 is fine; anything else is a failure
        assert exit_.code in (0, None), f"{script.name} exited with {exit_.code!r}"
    assert not any(workdir.iterdir()), f"{script.name} wrote into the working directory"
    return "\n".join(line.rstrip() for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_prints_its_results(script, tmp_path, monkeypatch, capsys):
    assert script.name in EXPECTED, (
        f"examples/{script.name} is new: add the key numbers it prints (and any images it writes) "
        "to EXPECTED in tests/test_examples.py")
    expected = EXPECTED[script.name]
    repository_images = _snapshot(ROOT / "docs" / "images")
    output = tmp_path / "images"
    args = (str(output),) if expected.images or expected.reports else ()

    printed = run_example(script, tmp_path, monkeypatch, capsys, *args)

    for block in expected.blocks:
        assert block in printed, f"{script.name} did not print:\n{block}\n\nIt printed:\n{printed}"
    for pattern, numbers, rel in expected.numbers:
        found = re.search(pattern, printed)
        assert found, f"{script.name} printed no line matching {pattern!r}:\n{printed}"
        assert [float(x) for x in found.groups()] == pytest.approx(numbers, rel=rel), found.group(0)
    assert _snapshot(ROOT / "docs" / "images") == repository_images, f"{script.name} modified docs/images"
    written = sorted(p.name for p in output.iterdir()) if output.exists() else []
    assert written == sorted(expected.images + expected.reports)
    for folder in expected.reports:
        assert (output / folder / "report.html").stat().st_size > 0 and (output / folder / "report.xlsx").stat().st_size > 0
    for name in expected.images:
        image = plt.imread(output / name)
        assert (output / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert image.shape[0] > 300 and image.shape[1] > 500, f"{name} is only {image.shape[:2]} pixels"
        assert image[..., :3].std() > 0.05, f"{name} is (nearly) blank"
        assert f"wrote {output / name}" in printed or f"written to {output / name}" in printed


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_docstring_says_what_it_shows_and_how_to_run_it(script):
    source = script.read_text(encoding="utf-8")
    doc = source.split('"""')[1] if source.startswith('"""') else ""
    assert len(doc.strip().splitlines()) >= 3, f"examples/{script.name}: start with a docstring saying what it shows"
    assert f"python examples/{script.name}" in doc, f"examples/{script.name}: say how to run it in the docstring"
    title, underline = (doc.splitlines() + ["", ""])[:2]
    assert underline == "=" * len(title) and title.strip(), (
        f"examples/{script.name}: the docstring's first line is the gallery title: underline it with "
        f"{len(title)} '=' (sphinx-gallery needs an RST title)")
    long = [n for n, line in enumerate(source.splitlines(), 1) if len(line) > 120]
    assert not long, f"examples/{script.name}: lines {long} are over 120 characters (keep examples copyable)"
