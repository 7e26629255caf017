"""``he.report``: the report of a user's analysis, from its outcome set and what came with it.

:func:`analysis_document` builds the :class:`~healthecon.report.document.Document`;
:func:`report` builds it and writes it with :func:`write_document` (HTML, workbook, CSV, charts).
Nothing here computes a result that :mod:`healthecon.cea`, :mod:`healthecon.cba`,
:mod:`healthecon.dsa` or :mod:`healthecon.voi` do not: the report shows their tables and charts,
labelled for a reader.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from .._spreadsheet import write_csv
from ..formatting import format_money, format_probability, format_ratio
from ..labels import OutcomeLabels, column_label, format_cell, outcome_labels, unit_kind
from .document import Document, Figure, Section, Table
from .images import chart, draw_charts

__all__ = ["ReportFiles", "report", "analysis_document", "write_document", "is_money"]

#: Thresholds when none are given and the effect is QALYs (NICE's £20,000 and £30,000 per QALY).
DEFAULT_THRESHOLDS = (20_000.0, 30_000.0)


class ReportFiles(NamedTuple):
    """What :func:`report` and :func:`write_document` wrote: the page, the workbook, every file."""

    html: Path
    workbook: Path | None
    files: list[Path]


def is_money(outcomes: xr.Dataset) -> bool:
    """True for an SROI or cost-benefit outcome set (it has ``npv`` and a return per £1)."""
    return "npv" in outcomes.data_vars and any(v in outcomes.data_vars for v in ("bcr", "sroi_ratio"))


def _money_text(value: float, currency: str) -> str:
    return format_money(value, currency, decimals=2 if 0 < abs(value) < 10 else 0)


def _strategy_named(frame: pd.DataFrame, labels: OutcomeLabels, columns: Sequence[str] = ("strategy",)) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = [labels.strategy(v) if isinstance(v, str) else v for v in frame[column]]
    if frame.index.name == "strategy":
        frame.index = pd.Index([labels.strategy(v) for v in frame.index], name="strategy")
    return frame


_STATUS = {"ND": "on the frontier", "D": "dominated", "ED": "extendedly dominated"}


def _cea_parts(ds: xr.Dataset, labels: OutcomeLabels, currency: str, thresholds: Sequence[float],
               comparator: str | None) -> tuple[list[str], list[Table], list[Figure], list[Section]]:
    from .. import cea
    from ..outcomes import n_samples, strategies
    from ..plot import plot_ce_plane, plot_ceac

    effect_unit = str(ds.attrs.get("effect_unit") or "QALY")
    effect_name = str(ds.attrs.get("effect") or "effect")
    names = strategies(ds)
    comparator = comparator or names[0]
    per = f"{currency} per {effect_unit}"
    icer = cea.icer_table(ds)
    shown = _strategy_named(icer, labels, ("strategy", "comparator"))
    shown["status"] = [_STATUS.get(s, s) for s in icer["status"]]
    shown.attrs = dict(icer.attrs)
    effect_label = labels.variable(effect_name, currency, effect_unit)
    icer_table = Table("icer", shown, "Incremental cost-effectiveness ratios (means over the samples)",
                       labels={"effect": effect_label, "inc_effect": f"Incremental {_lower_first(effect_label)}",
                               "icer": f"ICER ({per})"},
                       kinds={"status": "text", "comparator": "text"}, currency=currency, effect_unit=effect_unit,
                       footnotes=["Strategies ordered by effect; the ICER of each strategy on the frontier is against the "
                                  "next less effective one on it (Drummond et al. 2015, ch. 4)."])
    summary = []
    for _, row in icer.iterrows():
        if row["status"] == "ND" and isinstance(row["comparator"], str):
            summary.append(_sentence(
                f"{labels.strategy(row['strategy'])} costs {_money_text(row['inc_cost'], currency)} more than "
                f"{labels.strategy(row['comparator'])} and gains {format_cell(row['inc_effect'], 'effect')} "
                f"{effect_unit}s: {format_money(row['icer'], currency)} per {effect_unit}."))
        elif row["status"] in ("D", "ED"):
            summary.append(_sentence(f"{labels.strategy(row['strategy'])} is {_STATUS[row['status']]}."))
    tables, figures, sections = [icer_table], [], []
    nb = cea.net_benefit(ds, list(thresholds)).mean("sample")
    for t in thresholds:
        best = str(nb.sel(wtp=t).idxmax("strategy").item())
        text = f"At {format_money(t, currency)} per {effect_unit}, {labels.strategy(best)} has the highest expected net benefit"
        if n_samples(ds) > 1 and len(names) > 1:
            p = float(cea.ceac(ds, [t]).sel(strategy=best).values.ravel()[0])
            text += f"; the probability that it is the most cost-effective choice is {format_probability(p)}"
        summary.append(text + ".")
    if n_samples(ds) > 1 and len(names) > 1:  # a probability of being the best needs a choice
        pce = cea.ceac(ds, list(thresholds)).transpose("strategy", "wtp").to_pandas()
        pce = pce.rename(columns={t: f"P(cost-effective) at {format_money(t, currency)} per {effect_unit}" for t in pce.columns})
        pce.index = pd.Index([labels.strategy(s) for s in pce.index], name="strategy")
        tables.append(Table("p_cost_effective", pce, "Probability each strategy is the most cost-effective",
                            kinds={c: "probability" for c in pce.columns}, currency=currency))
        top = max(thresholds) * 2.5 if thresholds else 50_000.0
        grid = np.linspace(0.0, top, 101)
        curve = cea.ceac(ds, grid).to_pandas()
        curve.columns = [labels.strategy(s) for s in curve.columns]
        curve.index.name = "wtp"
        curve.attrs = {"currency": currency, "effect_unit": effect_unit, "y_label": "P(cost-effective)"}
        alt_ceac = (f"Cost-effectiveness acceptability curves: the probability that each of {', '.join(map(labels.strategy, names))} "
                    f"is the most cost-effective as the threshold rises from {format_money(0, currency)} to "
                    f"{format_money(top, currency)} per {effect_unit}.")
        figures.append(Figure("ceac", chart(plot_ceac, ds, grid, thresholds=list(thresholds)),
                              "Cost-effectiveness acceptability curves", alt_ceac))
        plane_alt = (f"Cost-effectiveness plane: incremental {effect_unit}s (across) and incremental cost (up) of each sample "
                     f"against {labels.strategy(comparator)}, with the threshold line at "
                     f"{format_money(thresholds[0] if thresholds else 20_000, currency)} per {effect_unit}.")
        uncertainty = Section("uncertainty", "Uncertainty", figures=[
            Figure("ce_plane", chart(plot_ce_plane, ds, comparator, wtp=thresholds[0] if thresholds else None),
                   f"Cost-effectiveness plane against {labels.strategy(comparator)}", plane_alt)],
            tables=[Table("ceac", curve, "Cost-effectiveness acceptability curves (by threshold)",
                          kinds={c: "probability" for c in curve.columns}, labels={"wtp": f"Threshold ({per})"},
                          currency=currency, chart="line")])
        sections.append(uncertainty)
    return summary, tables, figures, sections


def _money_parts(ds: xr.Dataset, labels: OutcomeLabels, currency: str,
                 ) -> tuple[list[str], list[Table], list[Figure], list[Section]]:
    from .. import appraisal
    from ..outcomes import n_samples, strategies
    from ..plot import plot_acceptability, plot_cashflows, plot_waterfall

    names = strategies(ds)
    table = appraisal.headline_table(ds)
    summary = []
    for name, row in table.iterrows():
        text = (f"{labels.strategy(name)}: every {currency}1 spent returns {format_ratio(row['gross_return_per_1'], currency).split(' per ')[0]}"
                f" (net present value {format_money(row['npv'], currency)}; pays back {_payback_words(row['payback_years'])}")
        if n_samples(ds) > 1:
            text += (f"; 95% interval of the return {format_ratio(row['gross_return_per_1_lower'], currency)} to "
                     f"{format_ratio(row['gross_return_per_1_upper'], currency)}; probability of more than {currency}1 back "
                     f"per {currency}1: {format_probability(row['p_ratio_above_target'])}")
        summary.append(_sentence(text + ")."))
    shown = table.drop(columns=["target"])
    if n_samples(ds) == 1:
        shown = shown[[c for c in shown.columns if not c.endswith(("_lower", "_upper")) and not c.startswith("p_")]]
    shown = _strategy_named(shown, labels)
    shown.attrs = {"currency": currency}
    tables = [Table("summary", shown, "Return on the money spent (present values)", currency=currency,
                    labels={"p_ratio_above_target": f"P(return > {currency}1 per {currency}1)"})]
    figures, sections = [], []
    slugs = _slugs(names)
    for name in names:
        key = name if len(names) > 1 else ""
        part = Section(f"flows-{slugs[name]}" if key else "flows", f"Cash flows: {labels.strategy(name)}" if key else "Cash flows")
        part.figures.append(Figure(f"waterfall_{slugs[name]}", chart(plot_waterfall, ds, name),
                                   f"From gross value to net present value: {labels.strategy(name)}",
                                   f"Waterfall chart of {labels.strategy(name)}: the gross value of its outcomes, each deduction "
                                   f"and discounting, down to the net present value of {format_money(table.loc[name, 'npv'], currency)}."))
        if "flows" in ds.data_vars:
            flows = appraisal.cashflows(ds, name)
            flows.columns = [f"{direction}: {group}" for direction, group in flows.columns]
            flows.attrs = {"currency": currency, "y_label": f"{currency} a year (costs negative)"}
            part.tables.append(Table(f"cash_flows_{slugs[name]}", flows, f"Cash flows by year, undiscounted: {labels.strategy(name)}",
                                     kinds={c: "money" for c in flows.columns}, currency=currency, chart="bar"))
            part.figures.append(Figure(f"cash_flows_{slugs[name]}", chart(plot_cashflows, ds, name),
                                       f"Cash flows by year: {labels.strategy(name)}",
                                       f"Bar chart of {labels.strategy(name)}'s benefits (above zero) and costs (below zero) "
                                       f"in each year, with the cumulative net as a line."))
        sections.append(part)
    if n_samples(ds) > 1:
        figures.append(Figure("acceptability", chart(plot_acceptability, ds), f"Probability of each return per {currency}1",
                              f"Acceptability curves: the probability that each scheme returns more than each amount per "
                              f"{currency}1 spent, across the samples."))
    else:
        figures.extend(sections[0].figures[:1])
        sections[0].figures = sections[0].figures[1:]
    return summary, tables, figures, sections


def _lower_first(text: str) -> str:
    """``"Life-years"`` → ``"life-years"``, but ``"QALYs"`` stays (an acronym)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _payback_words(years: float) -> str:
    from ..formatting import format_payback

    text = format_payback(years)
    return text if text.startswith(("within", "not")) else f"in {text}"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in str(text).lower()).strip("_") or "x"


def _slugs(names: Sequence[object]) -> dict[object, str]:
    """A file-name part for each name, different for different names ("+1" and "-1" are not both "1")."""
    out: dict[object, str] = {}
    used: set[str] = set()
    for name in names:
        base = slug = _slug(str(name))
        k = 2
        while slug in used:
            slug, k = f"{base}_{k}", k + 1
        out[name] = slug
        used.add(slug)
    return out


def _parameter_labels(params: object) -> dict[str, str]:
    return dict(getattr(params, "labels", {}) or {})


def _dsa_section(table: pd.DataFrame, params: object, currency: str) -> Section:
    from ..plot import plot_tornado

    labels = _parameter_labels(params)
    shown = table.copy()
    shown.index = pd.Index([labels.get(str(n), column_label(n)) for n in table.index], name=table.index.name or "parameter")
    shown.attrs = dict(table.attrs)
    shown.attrs.setdefault("currency", currency)
    drawn = table.copy()  # by code name: the tornado reads the parameters' labels and units itself
    drawn.attrs = dict(shown.attrs)
    outcome = str(table.attrs.get("outcome", "outcome"))
    top = shown.sort_values("swing", ascending=False).index[:3] if "swing" in shown.columns else shown.index[:3]
    alt = (f"Tornado diagram of the one-way sensitivity analysis of {column_label(outcome)}: one bar per parameter at the "
           f"ends of its range, largest swing first ({', '.join(map(str, top))}).")
    return Section("sensitivity", "One-way sensitivity analysis",
                   figures=[Figure("tornado", chart(plot_tornado, drawn, top=12, params=params), "One-way sensitivity analysis",
                                   alt, wide=True)],
                   tables=[Table("one_way", shown, "Each parameter at the ends of its range, the others at base case",
                                 kinds={"base": "number", "low": "number", "high": "number"}, currency=currency)])


def _voi_section(voi: object, currency: str, effect_unit: str) -> Section:
    from ..plot import plot_evpi, plot_evppi

    items = voi.items() if isinstance(voi, Mapping) else [("evpi" if isinstance(voi, xr.DataArray) else "evppi", voi)]
    section = Section("voi", "Value of information")
    items = list(items)
    keys = _slugs([name for name, _ in items])
    for name, value in items:
        key = keys[name]
        if isinstance(value, pd.DataFrame):
            section.tables.append(Table(key, value, column_label(name), currency=currency))
            drawn = chart(plot_evppi, value)
            section.figures.append(Figure(key, drawn, column_label(name), drawn.alt))
        elif isinstance(value, (xr.DataArray, xr.Dataset)):
            frame = value.to_pandas() if isinstance(value, xr.DataArray) else value.to_dataframe()
            frame = frame.to_frame(name) if isinstance(frame, pd.Series) else frame
            frame.attrs = {"currency": currency}
            section.tables.append(Table(key, frame, f"{column_label(name)} by threshold",
                                        labels={"wtp": f"Threshold ({currency} per {effect_unit})"},
                                        kinds={c: "money" for c in frame.columns if c not in ("r2", "df")}, currency=currency))
            drawn = chart(plot_evpi, value)
            section.figures.append(Figure(key, drawn, f"{column_label(name)} by threshold", drawn.alt))
        else:
            raise TypeError(f"voi[{name!r}]: expected a DataArray, Dataset or DataFrame from healthecon.voi, "
                            f"got {type(value).__name__}")
    return section


def _inputs_table(params: object, currency: str) -> Table:
    """Every parameter: label, distribution, value and 95% interval (formatted by its unit), unit, source."""
    summary = params.summary()  # type: ignore[attr-defined]
    labels, units, sources = _parameter_labels(params), dict(params.units), dict(params.sources)  # type: ignore[attr-defined]
    frame = pd.DataFrame({
        "name": summary["name"], "label": [labels.get(n, n) for n in summary["name"]],
        "distribution": summary["distribution"], "point": summary["point"], "lower": summary["lower"],
        "upper": summary["upper"], "unit": [units.get(n, "") for n in summary["name"]],
        "source": [sources.get(n, "") for n in summary["name"]],
    })
    if (summary["correlation"] != "").any():  # drawn together with others: say with which
        frame.insert(3, "drawn_with", summary["correlation"].tolist())
    display = frame.astype(object).copy()
    for column in ("point", "lower", "upper"):
        display[column] = [format_cell(v, unit_kind(u) if u else "number", currency)
                           for v, u, n in zip(frame[column], frame["unit"], frame["name"])]
    return Table("inputs", frame, "Parameters", kinds={"point": "number", "lower": "number", "upper": "number"},
                 labels={"point": "Value", "lower": "Lower 95%", "upper": "Upper 95%", "drawn_with": "Drawn with"},
                 display=display, css="inputs", currency=currency)


def _correlation_tables(params: object) -> list[Table]:
    """The correlation matrix of each group drawn together: a copula's (on the normal scale) and
    a multivariate normal's (of its estimates, e.g. a survival fit's, from their covariance)."""
    from ..distributions import MultivariateNormal

    groups = [(names, matrix, "normal-scale correlation of a Gaussian copula") for names, matrix in params.correlations.items()]  # type: ignore[attr-defined]
    for name in params.names:  # type: ignore[attr-defined]
        dist = params[name]  # type: ignore[index]
        if isinstance(dist, MultivariateNormal):
            sd = np.sqrt(np.diag(dist.cov))
            with np.errstate(invalid="ignore", divide="ignore"):
                matrix = np.where(np.outer(sd, sd) > 0, dist.cov / np.outer(sd, sd), 0.0)
            scale = ", ".join(f"{name}_{c}" for c in dist.categories if c in dist.log)
            groups.append((tuple(f"{name}_{c}" for c in dist.categories), matrix,
                           "correlation of a multivariate normal" + (f" (of the logarithms of {scale})" if scale else "")))
    tables = []
    for i, (names, matrix, what) in enumerate(groups, start=1):
        frame = pd.DataFrame(np.asarray(matrix, dtype=float), index=pd.Index(list(names), name="parameter"), columns=list(names))
        display = frame.reset_index().astype(object)
        display[list(names)] = frame.map(lambda v: f"{v:.3f}").to_numpy()
        tables.append(Table(f"correlation_{i}", frame, f"Drawn together: {', '.join(names)}", footnotes=[f"The {what}."],
                            kinds={n: "number" for n in names}, labels={"parameter": "Parameter", **{n: n for n in names}},
                            display=display))
    return tables


def analysis_document(
    outcomes: xr.Dataset,
    *,
    model: object = None,
    params: object = None,
    dsa: pd.DataFrame | None = None,
    voi: object = None,
    title: str = "Economic evaluation",
    currency: str | None = None,
    thresholds: Sequence[float] | None = None,
    comparator: str | None = None,
    notes: Sequence[str] = (),
) -> Document:
    """The :class:`~healthecon.report.document.Document` that :func:`report` writes (see there)."""
    from ..outcomes import n_samples, validate_outcomes

    validate_outcomes(outcomes)
    currency = currency or str(outcomes.attrs.get("currency") or "£")
    labels = outcome_labels(outcomes)
    money = is_money(outcomes)
    effect_unit = str(outcomes.attrs.get("effect_unit") or "QALY")
    if thresholds is None:
        thresholds = DEFAULT_THRESHOLDS
    thresholds = [float(t) for t in thresholds]
    if money:
        summary, tables, figures, sections = _money_parts(outcomes, labels, currency)
    else:
        summary, tables, figures, sections = _cea_parts(outcomes, labels, currency, thresholds, comparator)
    n = n_samples(outcomes)
    meta: dict[str, object] = {"samples": f"{n:,}" if n > 1 else "1 (deterministic)", "currency": currency}
    if not money:
        meta["thresholds"] = ", ".join(f"{format_money(t, currency)} per {effect_unit}" for t in thresholds)
    if dsa is not None:
        sections.append(_dsa_section(dsa, params, currency))
    if voi is not None:
        sections.append(_voi_section(voi, currency, effect_unit))
    if model is not None or params is not None:
        part = Section("model", "Model and inputs", notes=list(notes))
        if model is not None:
            part.summary.append(f"Model: {_describe_model(model)}.")
            part.figures.extend(_model_figures(model, params))
            part.workbook.extend(_model_calculations(model, params, currency))
        if params is not None:
            part.inputs = _inputs_table(params, currency)
            part.inputs_title = "Parameters"
            part.tables.extend(_correlation_tables(params))
        sections.append(part)
    elif notes:
        sections.append(Section("notes", "Notes", notes=list(notes)))
    return Document(title, meta=meta, summary=summary, summary_tables=tables, summary_figures=figures, sections=sections)


def _describe_model(model: object) -> str:
    kind = type(model).__name__
    strategies = ", ".join(map(str, getattr(model, "strategies", ()) or ()))
    states = getattr(model, "states", None)
    text = kind
    if states:
        text += f" with states {', '.join(map(str, states))}"
    return f"{text}; strategies {strategies}" if strategies else text


def _model_figures(model: object, params: object) -> list[Figure]:
    from ..markov import MarkovModel
    from ..survival.psm import PartitionedSurvivalModel

    if isinstance(model, MarkovModel) and params is not None:
        from ..plot import plot_trace

        run = model.run(params.base_case(), trace=True)  # type: ignore[attr-defined]
        slugs = _slugs(model.strategies)
        return [Figure(f"trace_{slugs[s]}", chart(plot_trace, run, s), f"Cohort trace at the base case: {s}",
                       f"Line chart of the share of the cohort in each state ({', '.join(map(str, model.states))}) "
                       f"over time for {s}, at the base-case parameters.") for s in model.strategies]
    if isinstance(model, PartitionedSurvivalModel) and params is not None:
        from ..plot import plot_psm_curves, plot_state_occupancy
        from .calculations import psm_base_case

        base, run = psm_base_case(model, params)
        states = ", ".join(map(str, model.states))
        curves = Figure("psm_curves", chart(plot_psm_curves, model, base), "Survival curves at the base case",
                        f"Line chart of the survival curves ({', '.join(model.curve_names)}) of each strategy "
                        f"({', '.join(model.strategies)}) over {model.n_cycles * model.cycle_length:g} years, at the base-case parameters.")
        slugs = _slugs(model.strategies)
        return [curves] + [
            Figure(f"occupancy_{slugs[s]}", chart(plot_state_occupancy, run, s), f"State occupancy at the base case: {s}",
                   f"Stacked area chart of the share of the cohort in each state ({states}) over time for {s}, "
                   "at the base-case parameters.") for s in model.strategies]
    return []


def _model_calculations(model: object, params: object, currency: str) -> list:
    from . import calculations

    return calculations.for_model(model, params, currency)


def write_document(
    doc: Document,
    directory: str | PathLike[str],
    *,
    report_name: str = "report.html",
    workbook_name: str | None = "report.xlsx",
    template: object = None,
    formats: Sequence[str] = ("png", "svg"),
    progress: bool | None = False,
    before_page: Callable[[Document], None] | None = None,
) -> ReportFiles:
    """Write ``doc``: every table as CSV, every chart as PNG and SVG, the workbook, and the HTML page.

    Layout: ``<directory>/<table>.csv`` for the summary tables, ``<directory>/<section>/<table>.csv``
    and ``<directory>/<section>/<chart>.png`` / ``.svg`` for the sections, then
    ``<directory>/<workbook_name>`` and ``<directory>/<report_name>``, which links the
    workbook and the CSV files of long tables. ``progress`` shows a bar on stderr while the
    charts are drawn (None: only on a terminal). ``before_page(doc)`` is called after the
    charts and the workbook are written, just before the page is rendered (e.g. to put the
    time they took in ``doc.meta``).
    """
    from tqdm import tqdm

    from .html import figure_key, render_html
    from .workbook import write_workbook

    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    links: dict[str, str] = {}
    parts = [("summary", root, doc.summary_tables, doc.summary_figures)]
    parts += [(s.id, root / s.id, s.tables, s.figures) for s in doc.sections]
    images: dict[str, bytes] = {}
    for part, folder, tables, figures in tqdm(parts, desc="write", unit="part", file=sys.stderr,
                                               disable=None if progress is None else not progress):
        if tables or figures:
            folder.mkdir(parents=True, exist_ok=True)
        for table in tables:
            path = folder / f"{table.name}.csv"
            write_csv(table.frame, path, index=any(n is not None for n in table.frame.index.names))
            written.append(path)
            links[f"{part}/{table.name}"] = path.relative_to(root).as_posix()
        drawn = draw_charts({f.name: f.draw for f in figures}, formats)
        for figure in figures:
            images[figure_key(part, figure)] = drawn[figure.name]["png"]
            for fmt, data in drawn[figure.name].items():
                path = folder / f"{figure.name}.{fmt}"
                path.write_bytes(data)
                written.append(path)
    workbook = None
    if workbook_name is not None:
        workbook = write_workbook(doc, root / workbook_name, images=images)
        written.append(workbook)
        doc.links = [*doc.links, ("The same tables, the inputs and live calculations as an Excel workbook:", workbook_name)]
    if before_page is not None:
        before_page(doc)
    page = root / report_name
    page.write_text(render_html(doc, images=images, template=template, csv_links=links), encoding="utf-8")
    written.append(page)
    return ReportFiles(page, workbook, written)


def report(
    outcomes: xr.Dataset,
    *,
    model: object = None,
    params: object = None,
    dsa: pd.DataFrame | None = None,
    voi: object = None,
    title: str = "Economic evaluation",
    currency: str | None = None,
    thresholds: Sequence[float] | None = None,
    comparator: str | None = None,
    notes: Sequence[str] = (),
    out: str | PathLike[str] = "report",
    template: object = None,
) -> ReportFiles:
    """Write a business-case report of an analysis: one HTML page, an Excel workbook, CSV and charts.

    A cost-effectiveness outcome set gets the ICER table, the decision and the probability of
    being cost-effective at each threshold, the CE plane and the CEAC (a grid of thresholds in
    the appendix, as CSV and as a native Excel chart). An SROI or cost-benefit outcome set gets
    the return per £1, the NPV, the payback period and the cash flows. Whatever else is given is
    added: a one-way sensitivity analysis (tornado), value of information, the model (a Markov
    model's base-case trace, a partitioned survival model's curves and state occupancy, and
    either's calculation with live formulas in the workbook; an SROI impact map's or CBA's
    flows likewise) and the parameters (an Inputs table with labels, units and sources as
    declared in ``Parameters(..., labels=, units=, sources=)``, and the correlation matrix of
    each group of parameters drawn together).

    Parameters
    ----------
    outcomes
        The outcome set (PSA samples, or one deterministic sample). Labels and units declared
        with :func:`healthecon.labels.describe_outcomes` are used.
    model
        The model that made it (:class:`~healthecon.markov.MarkovModel`,
        :class:`~healthecon.survival.psm.PartitionedSurvivalModel`,
        :class:`~healthecon.sroi.SROIModel`, :class:`~healthecon.cba.CBAModel`, a decision tree).
    params
        Its :class:`~healthecon.params.Parameters`.
    dsa
        A :func:`healthecon.dsa.one_way` table.
    voi
        :func:`healthecon.voi.evpi` (over thresholds), :func:`~healthecon.voi.evppi_ranking`,
        or ``{name: either}``.
    title
        The report's title.
    currency
        Default: the outcome set's ``attrs["currency"]``, else ``"£"``.
    thresholds
        Willingness-to-pay thresholds per unit of effect (default £20,000 and £30,000).
    comparator
        The strategy the CE plane is drawn against (default: the first).
    notes
        Anything the reader must know (caveats, sources), listed in the report.
    out
        The folder to write to (created).
    template
        Your own jinja2 template (a path or :class:`jinja2.Template`); see
        :mod:`healthecon.report.html`.

    Returns
    -------
    ReportFiles
        The page, the workbook and every file written.

    Examples
    --------
    >>> import tempfile
    >>> import healthecon as he
    >>> rng = np.random.default_rng(3)
    >>> out = he.make_outcomes({"cost": rng.normal([[1000.0, 1600.0]], 100, (500, 2)),
    ...                         "qaly": rng.normal([[5.00, 5.04]], 0.01, (500, 2))},
    ...                        strategies=["usual care", "virtual ward"], effect="qaly")
    >>> out = he.describe_outcomes(out, strategies={"virtual ward": "Virtual ward"})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = he.report(out, title="Virtual ward", out=folder)
    ...     page = files.html.read_text(encoding="utf-8")
    >>> "Virtual ward costs £603 more than usual care" in page, "P(cost-effective) at £20,000 per QALY" in page
    (True, True)
    """
    doc = analysis_document(outcomes, model=model, params=params, dsa=dsa, voi=voi, title=title, currency=currency,
                            thresholds=thresholds, comparator=comparator, notes=notes)
    return write_document(doc, out, template=template)
