"""Reports for any analysis: one self-contained HTML page and an Excel workbook a commissioner can read.

``he.report(outcomes, ...)`` turns an outcome set (a cost-effectiveness PSA, or an SROI / CBA
run), optionally with its model, parameters, one-way sensitivity analysis and value of
information, into a report written to a folder: ``report.html`` (summary first: the decision,
the ICER table or return per £1, the probability of being cost-effective at the stated
thresholds and the key chart; detail after; long tables in an appendix and as CSV),
``report.xlsx`` (every table, the inputs, live calculations and native charts), each table as
CSV and each chart as PNG and SVG.

The pieces are public for other kinds of report: a :class:`Document` of :class:`Section`\\ s,
:class:`Table`\\ s and :class:`Figure`\\ s, rendered by :func:`render_html` (jinja2 templates,
autoescaped; pass your own with ``template=``) and :func:`write_workbook`, or written together
by :func:`write_document`. Labels and units come from :mod:`healthecon.labels`, numbers are
formatted by :mod:`healthecon.formatting`.

This module can be called: ``he.report(...)`` is :func:`report`.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from .._lazy import load_attribute

if TYPE_CHECKING:
    from .analysis import ReportFiles, report, write_document
    from .document import Document, Figure, Section, Table, table_view
    from .html import default_template, figure_key, render_html
    from .images import Chart, chart, draw_charts
    from .workbook import (
        SheetNames,
        excel_format,
        number_format,
        write_excel,
        write_workbook,
    )

# public name -> the submodule that defines it, imported on first use: ``healthecon reproduce``
# without --out needs only ``chart`` (images), not the page, the workbook or jinja2's templates
_NAMES = {
    **dict.fromkeys(["ReportFiles", "report", "write_document"], "analysis"),
    **dict.fromkeys(["Document", "Figure", "Section", "Table", "table_view"], "document"),
    **dict.fromkeys(["default_template", "figure_key", "render_html"], "html"),
    **dict.fromkeys(["Chart", "chart", "draw_charts"], "images"),
    **dict.fromkeys(["SheetNames", "excel_format", "number_format", "write_excel", "write_workbook"], "workbook"),
}

__all__ = [
    "Chart",
    "Document",
    "Figure",
    "ReportFiles",
    "Section",
    "SheetNames",
    "Table",
    "chart",
    "default_template",
    "draw_charts",
    "excel_format",
    "figure_key",
    "number_format",
    "render_html",
    "report",
    "table_view",
    "write_document",
    "write_excel",
    "write_workbook",
]


def __getattr__(name: str) -> object:
    return load_attribute(__name__, name, _NAMES)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _CallableModule(types.ModuleType):
    """``healthecon.report`` is both this module and, called, :func:`report` (so ``he.report(out)``
    works and ``from healthecon import report; report.write_excel(...)`` keeps working)."""

    def __call__(self, *args, **kwargs):
        return self.report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
