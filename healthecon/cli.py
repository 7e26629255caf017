"""The ``healthecon`` command.

``healthecon reproduce`` runs the worked models (``healthecon.worked``, listed in
``healthecon.worked.MODELS``), prints every published figure beside the value the model
re-derives, with its status (``match`` within the published rounding, or ``mismatch``), and,
for probabilistic figures, the PSA interval and the probability a decision rests on (e.g.
"P(return > £1 per £1) = 0.971", "P(cost-effective at £20,000) = 0.846"), then a one-line
summary (and, with ``--notes``, each model's notes). With ``--out DIR`` it also writes the tables (CSV), charts (PNG and SVG), one
self-contained HTML report and an Excel workbook of the same checks, tables and charts for a
business case, ``DIR/report.xlsx`` (``healthecon.worked.report``).

``healthecon report OUTCOMES`` writes the report of a user's own analysis
(:func:`healthecon.report.report`) from a saved outcome set (``.csv`` or ``.nc``, as
:func:`healthecon.outcomes.save_outcomes` writes) and, optionally, a parameter table (``--params``, as
:meth:`healthecon.params.Parameters.to_csv` writes, with optional ``label``, ``unit`` and
``source`` columns). :func:`main` lists the exit codes and shows an example.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import textwrap
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TextIO

from .errors import unknown_name
from .reproduction import Reproduction, ledger_summary

__all__ = ["main", "build_parser", "run_models", "format_checks", "format_timings"]

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _version() -> str:
    try:
        return version("healthecon")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


class _VersionAction(argparse.Action):
    """``--version``: the installed version is looked up only when asked (reading the package metadata
    takes milliseconds that every other command would pay)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0,
                         help="show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        print(f"healthecon {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``healthecon`` command.

    Examples
    --------
    >>> args = build_parser().parse_args(["reproduce", "chss", "--draws", "1000", "--seed", "7"])
    >>> args.models, args.draws, args.seed
    (['chss'], 1000, 7)"""
    parser = argparse.ArgumentParser(
        prog="healthecon",
        description="Economic evaluation for health and social care: cost-effectiveness, SROI and cost-benefit / ROI.",
        epilog="Run 'healthecon reproduce --help' for the worked models, 'healthecon report --help' for your own.",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    reproduce = commands.add_parser(
        "reproduce",
        help="re-derive the published figures of the worked models and compare",
        description=textwrap.fill(
            "Re-derive the published figures of the worked models from their inputs in data/ and print each "
            "beside its published value, with the difference and whether it matches within the published "
            "rounding. Probabilistic figures show their PSA interval and probability (e.g. of a return above "
            "£1 per £1); a one-line summary follows the table, and each model's notes with --notes.",
            88,
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent(
            """\
            exit codes:
              0  every figure matches
              1  at least one figure does not match
              2  command-line error (e.g. an unknown model name)
              3  a model failed to run

            examples:
              healthecon reproduce                      # every worked model
              healthecon reproduce airedale manchester  # two of them
              healthecon reproduce --draws 2000 --seed 7 --out results/
            """
        ),
    )
    _add_report_command(commands)
    reproduce.add_argument("models", nargs="*", metavar="MODEL", help="worked models to run (default: all, in order)")
    reproduce.add_argument("--draws", type=_positive_int, default=None, metavar="N",
                           help="PSA draws per model (default: each model's own)")
    reproduce.add_argument("--seed", type=int, default=None, metavar="S", help="random seed (default: each model's own)")
    reproduce.add_argument("--out", default=None, metavar="DIR",
                           help="write tables (CSV), charts (PNG, SVG), report.html and report.xlsx (an Excel "
                                "workbook of the checks, every table and the charts, for a business case) to DIR")
    reproduce.add_argument("--width", type=int, default=None, metavar="W",
                           help="wrap the table to W columns (default: the terminal's width, or 120; 0: never wrap)")
    reproduce.add_argument("--notes", action="store_true",
                           help="after the table and summary, print each model's notes (what each figure rests on)")
    reproduce.add_argument("--list", action="store_true", help="list the worked models and exit")
    return parser


def _add_report_command(commands) -> None:
    report = commands.add_parser(
        "report",
        help="write the HTML report and Excel workbook of your own analysis from saved outcomes",
        description=textwrap.fill(
            "Write a business-case report (report.html, report.xlsx, CSV tables, PNG and SVG charts) of a saved "
            "outcome set: for a cost-effectiveness PSA the ICER table, the probability of being cost-effective at "
            "each threshold, the CE plane and the CEAC; for an SROI or cost-benefit run the return per £1, NPV, "
            "payback and cash flows. A parameter table adds the inputs with their labels, units and sources.", 88),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent(
            """\
            exit codes:
              0  the report was written
              2  command-line error, or a file that cannot be read as outcomes or parameters

            examples:
              healthecon report psa.csv --title "Virtual ward" --out report/
              healthecon report psa.nc --params params.csv --threshold 20000 --threshold 30000
            """
        ),
    )
    report.add_argument("outcomes", metavar="OUTCOMES", help="outcome set saved by healthecon.save_outcomes (.csv or .nc)")
    report.add_argument("--params", metavar="FILE", help="parameter table (CSV, as Parameters.to_csv writes)")
    report.add_argument("--title", default="Economic evaluation", help="the report's title")
    report.add_argument("--currency", default=None, help="currency symbol (default: the outcome set's, else £)")
    report.add_argument("--threshold", type=float, action="append", metavar="WTP",
                        help="willingness to pay per unit of effect; repeat for several (default 20000 and 30000)")
    report.add_argument("--comparator", default=None, metavar="STRATEGY", help="strategy the CE plane is drawn against")
    report.add_argument("--template", default=None, metavar="FILE", help="your own jinja2 template for the page")
    report.add_argument("--out", default="report", metavar="DIR", help="folder to write to (default: report)")


def _report(args: argparse.Namespace, out: TextIO, err: TextIO, started: float) -> int:
    import matplotlib

    matplotlib.use("Agg")  # files only; no window
    from .errors import HealthEconError
    from .outcomes import load_outcomes, validate_outcomes
    from .params import Parameters
    from .report import report

    try:
        outcomes = validate_outcomes(load_outcomes(args.outcomes))  # a NetCDF file that is not an outcome set says so
        params = None if args.params is None else Parameters.from_csv(args.params)
        files = report(outcomes, params=params, title=args.title, currency=args.currency, thresholds=args.threshold,
                       comparator=args.comparator, out=args.out, template=args.template)
    except (HealthEconError, OSError, ValueError) as exc:  # bad files or options: say what, not a traceback
        print(f"healthecon report: {exc}", file=err)
        return EXIT_USAGE
    print(f"wrote {len(files.files)} files to {args.out} (report: {files.html}; workbook: {files.workbook})", file=out)
    print(f"time: {format_timings({}, time.perf_counter() - started)}", file=out)
    return EXIT_OK


def format_timings(phases: dict[str, float] | Sequence[tuple[str, float]], total: float | None = None) -> str:
    """Seconds taken by each phase of a run, labelled, then the total wall time of the command.

    Examples
    --------
    >>> format_timings({"models": 1.13, "charts and report": 14.2}, total=16.46)
    'models 1.1 s; charts and report 14.2 s; total 16.5 s'
    """
    items = phases.items() if isinstance(phases, dict) else phases
    parts = [f"{name} {seconds:.1f} s" for name, seconds in items]
    if total is not None:
        parts.append(f"total {total:.1f} s")
    return "; ".join(parts)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _known_models() -> tuple[str, ...]:
    from healthecon import worked

    return tuple(worked.MODELS)


def run_models(
    names: Sequence[str],
    *,
    draws: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    err: TextIO | None = None,
) -> tuple[list[Reproduction], dict[str, str], dict[str, float]]:
    """Run ``reproduce()`` of each named worked model.

    Parameters
    ----------
    names
        Module names in ``healthecon.worked``.
    draws, seed
        Passed to each ``reproduce`` when given; otherwise each model uses its defaults.
    progress
        Show a progress bar on ``err`` (None: only when ``err`` is a terminal).

    Returns
    -------
    (reproductions, failures, seconds)
        The reproductions that ran, ``{model: error message}`` for those that failed, and
        the seconds each model took.

    Examples
    --------
    >>> reps, failures, seconds = run_models(["popp"], draws=2000, seed=1, progress=False)
    >>> [c.status for c in reps[0].checks], failures
    (['match', 'match', 'match', 'match'], {})
    """
    from tqdm import tqdm

    err = sys.stderr if err is None else err
    options = {k: v for k, v in {"draws": draws, "seed": seed}.items() if v is not None}
    reproductions, failures, seconds = [], {}, {}
    bar = tqdm(names, desc="reproduce", unit="model", file=err, disable=None if progress is None else not progress)
    for name in bar:
        bar.set_postfix_str(name)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"healthecon.worked.{name}")
            reproductions.append(module.reproduce(**options))
        except Exception as exc:  # report every model's failure and carry on with the others
            failures[name] = f"{type(exc).__name__}: {exc}"
        seconds[name] = time.perf_counter() - start
    bar.close()
    return reproductions, failures, seconds


_SHORT_HEADERS = {"difference": "diff"}
# Columns wrapped, in this order, when the table is wider than the screen, and the narrowest
# each may become (the interval's narrowest is its longest bound; figure names wrap last).
_WRAP_ORDER = (("interval", 0), ("probability", 22), ("figure", 20), ("probability", 14), ("figure", 12), ("probability", 10))


def format_checks(reproductions: Sequence[Reproduction], width: int | None = 120) -> str:
    """The published-vs-reproduced table as aligned text, one row per figure.

    Long figure names, intervals ("lo to hi") and probabilities wrap onto continuation lines
    so that every line fits in ``width`` columns (``None`` or 0: no wrapping). The numbers of
    a row are on its first line. The CSV and HTML outputs keep every cell on one line.

    Examples
    --------
    >>> from healthecon.reproduction import Check, Reproduction
    >>> rep = Reproduction("demo", "Demo", checks=[Check("demo", "social value per £1 invested over three years", 4.0,
    ...     4.0004, 0.01, interval=(3.2172, 5.0475), probability=0.999, probability_label="P(SROI ratio > 1)")])
    >>> print(format_checks([rep], width=104))
    model  figure               published  reproduced    diff  status  interval   probability     basis
    -----  -------------------  ---------  ----------  ------  ------  ---------  --------------  ----------
    demo   social value per £1       4.00      4.0004  0.0004  match   3.2172 to  P(SROI ratio >  re-derived
           invested over three                                         5.0475     1) = 0.999
           years
    """
    from healthecon.worked.report import render_checks

    table = render_checks(reproductions).drop(columns=["note", "source", "assumptions"], errors="ignore")  # in the files
    if table.empty:
        return "(no published figures)"
    columns = list(table.columns)
    headers = [_SHORT_HEADERS.get(c, c) for c in columns]
    rows = [[str(v) for v in row] for row in table.itertuples(index=False)]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def total() -> int:
        return sum(widths) + 2 * (len(widths) - 1)

    for column, floor in _WRAP_ORDER:
        if not width or total() <= width:
            break
        i = columns.index(column)
        words = [w for r in rows for w in (r[i].split(" to ") if column == "interval" else r[i].split())]
        longest_word = max([len(h) for h in headers[i].split()] + [len(w) + 3 * (column == "interval") for w in words])
        widths[i] = max(widths[i] - (total() - width), floor, longest_word)

    numeric = {"published", "reproduced", "difference"}

    def lines(cells: Sequence[str]) -> list[str]:
        wrapped = [textwrap.wrap(c, w, break_long_words=False, break_on_hyphens=False) or [""] for c, w in zip(cells, widths)]
        height = max(len(w) for w in wrapped)
        return [
            "  ".join((c[k] if k < len(c) else "").rjust(w) if col in numeric else (c[k] if k < len(c) else "").ljust(w)
                      for c, w, col in zip(wrapped, widths, columns)).rstrip()
            for k in range(height)
        ]

    out = [*lines(headers), "  ".join("-" * w for w in widths)]
    for row in rows:
        out.extend(lines(row))
    return "\n".join(out)


def _format_notes(reproductions: Sequence[Reproduction]) -> str:
    blocks = []
    for rep in reproductions:
        lines = [f"{rep.title} ({rep.model})"]
        for check in rep.checks:
            if check.note:
                lines.append(textwrap.fill(f"{check.figure}: {check.note}", 100, initial_indent="  * ", subsequent_indent="    "))
        for note in rep.notes:
            lines.append(textwrap.fill(note, 100, initial_indent="  - ", subsequent_indent="    "))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _reproduce(args: argparse.Namespace, out: TextIO, err: TextIO, started: float) -> int:
    known = _known_models()
    if args.list:
        print("\n".join(known), file=out)
        return EXIT_OK
    names = list(dict.fromkeys(args.models)) or list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"healthecon reproduce: {unknown_name('model', unknown[0], known)}", file=err)
        return EXIT_USAGE
    start = time.perf_counter()
    reproductions, failures, _ = run_models(names, draws=args.draws, seed=args.seed, err=err)
    phases = {"models": time.perf_counter() - start}
    width = args.width if args.width is not None else (shutil.get_terminal_size((120, 24)).columns if out.isatty() else 120)
    print(format_checks(reproductions, width=width), file=out)
    for name, message in failures.items():
        print(f"healthecon reproduce: model {name!r} failed: {message}", file=err)
    n_bad = sum(c.status != "match" for r in reproductions for c in r.checks)
    print(f"\n{ledger_summary(reproductions, failed=len(failures))}", file=out)
    if reproductions and args.notes:  # every model has notes (its title at least); wrapped only when asked for
        print("\n" + "=" * 40 + "\nNotes\n-----\n" + _format_notes(reproductions) + "\n" + "=" * 40, file=out)
    elif reproductions:
        print("Each model's notes (what each figure rests on): add --notes", file=out)
    if args.out:
        import matplotlib

        matplotlib.use("Agg")  # files only; no window
        from healthecon.worked.report import write_outputs

        run_info = {
            "healthecon": _version(),
            "models": ", ".join(r.model for r in reproductions),
            "draws": args.draws if args.draws is not None else "model defaults",
            "seed": args.seed if args.seed is not None else "model defaults",
        }
        charts_start = time.perf_counter()
        written = write_outputs(reproductions, args.out, run_info=run_info, progress=None, timings=phases,
                                started=started)
        phases["charts and report"] = time.perf_counter() - charts_start
        workbook = next(path for path in written if path.suffix == ".xlsx")
        print(f"wrote {len(written)} files to {args.out} (report: {written[-1]}; workbook: {workbook})", file=out)
    print(f"time: {format_timings(phases, time.perf_counter() - started)}", file=out)
    if failures:
        return EXIT_FAILED
    return EXIT_MISMATCH if n_bad else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``healthecon`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Exit codes: 0 every published figure reproduced, 1 a figure mismatched, 2 a usage error
    (e.g. an unknown model name), 3 a model failed to run.

    Examples
    --------
    >>> main(["reproduce", "--list"])
    chss
    popp
    croydon
    derby
    care_repair
    airedale
    manchester
    0"""
    started = time.perf_counter()  # the run time is this command's, not the process's (no pip or start-up)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "report":
        return _report(args, sys.stdout, sys.stderr, started)
    return _reproduce(args, sys.stdout, sys.stderr, started)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
