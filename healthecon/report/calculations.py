"""Live Excel calculations of a model's deterministic case, so an auditor can change an input and see the result move.

Business cases are audited in Excel. For an SROI impact map and for CBA flows the workbook
recomputes the base case with formulas, from input cells an auditor can edit:

- SROI (Cabinet Office *Guide to SROI* 2012, stages 4-5): for each outcome, the first year's
  impact ``quantity × proxy × (1 − deadweight) × (1 − displacement) × (1 − attribution)``, its
  value in year ``start + k`` reduced by ``(1 − drop-off)^k``, each year's discount factor
  ``1 / (1 + r)^year``, the present values, the investment, the NPV and the SROI ratio;
- CBA (HM Treasury *Green Book* 2022, Annex A6): each flow's yearly amounts × quantity, the
  optimism-bias uplift of costs and haircut of benefits, discount factors, present values,
  the NPV, the benefit-cost ratio and the net ROI;
- Markov cohort models: the base-case trace (mean over the base case) by cycle with each
  cycle's time and discount factor as formulas, beside the model's totals.

Only formulas built here from cell addresses are written as formulas; every name and label
goes through :func:`healthecon._spreadsheet.put_cell`, so text never becomes a formula. A
discount schedule (e.g. the Green Book's declining rates) is written as its factors, as inputs.

Each ``*_sheets`` function returns a list of functions ``add(book, names)`` that
:func:`healthecon.report.write_workbook` calls with the workbook and its sheet-name maker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .._spreadsheet import put_cell
from ..discount import DiscountSchedule, discount_factors
from ..errors import ParameterError

__all__ = ["for_model", "sroi_sheets", "cba_sheets", "markov_sheets"]

_MONEY = '"{c}"#,##0'
_FACTOR = "0.0000"
_SHARE = "0%"
_INPUT_FILL = "FFF6D5"  # inputs an auditor may change are shaded


def for_model(model: object, params: object = None, currency: str = "£") -> list[Callable]:
    """The calculation sheets of ``model`` at its base case (none for a model without a formula view).

    Examples
    --------
    >>> from healthecon.sroi import ImpactMap, Investment, Outcome, SROIModel
    >>> model = SROIModel(ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0)], [Investment("council", 30_000.0)]))
    >>> len(for_model(model)), for_model(object())
    (1, [])
    """
    from ..cba import CBAModel
    from ..markov import MarkovModel
    from ..sroi import SROIModel

    if isinstance(model, SROIModel):
        return sroi_sheets(model, params, currency)
    if isinstance(model, CBAModel):
        return cba_sheets(model, params, currency)
    if isinstance(model, MarkovModel) and params is not None:
        return markov_sheets(model, params)
    return []


def _resolver(params: object) -> Callable[[object, str], float]:
    """A function giving a field's base-case number: the number itself, or its parameter's point value."""
    base = params.base_case() if params is not None else None  # type: ignore[attr-defined]

    def value(field: object, what: str) -> float:
        if isinstance(field, str):
            if base is None or field not in base:
                raise ParameterError(f"{what}: names parameter {field!r}; pass params= to write its calculation")
            return float(base[field].values[0])
        return float(field)  # type: ignore[arg-type]

    return value


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _bold(cell) -> None:
    from openpyxl.styles import Font

    cell.font = Font(bold=True)


def _input(cell) -> None:
    from openpyxl.styles import PatternFill

    cell.fill = PatternFill("solid", fgColor=_INPUT_FILL)


def _formula(sheet, row: int, column: int, formula: str, number_format: str | None = None):
    cell = sheet.cell(row=row, column=column)
    cell.value = formula  # built here from cell addresses only
    if number_format:
        cell.number_format = number_format
    return cell


def _discount_row(sheet, row: int, first: int, years: Sequence[int], rate: float | DiscountSchedule,
                  rate_cell: str | None) -> None:
    """Discount factors of ``years`` in ``row`` from column ``first``: formulas on the rate cell, or a schedule's numbers."""
    put_cell(sheet, row, 1, "Discount factor")
    factors = discount_factors(np.asarray(years, dtype=float), rate)
    for j, year in enumerate(years):
        column = first + j
        if rate_cell is not None:
            _formula(sheet, row, column, f"=1/(1+{rate_cell})^{_letter(column)}{row - 1}", _FACTOR)
        else:
            _input(put_cell(sheet, row, column, float(factors[j]), _FACTOR))


def _rate_block(sheet, row: int, rate: float | DiscountSchedule) -> str | None:
    """Write the discount rate (an input cell) and return its absolute address; None for a schedule."""
    if isinstance(rate, DiscountSchedule):
        put_cell(sheet, row, 1, f"Discount: {rate.name} (factors below are its values)")
        return None
    put_cell(sheet, row, 1, "Discount rate a year")
    _input(put_cell(sheet, row, 2, float(rate), "0.0%"))
    return f"$B${row}"


def _year_header(sheet, row: int, first: int, years: Sequence[int]) -> None:
    _bold(put_cell(sheet, row, 1, "Year"))
    for j, year in enumerate(years):
        _bold(put_cell(sheet, row, first + j, int(year)))


def _calculation_header(sheet, row: int, header: Sequence[str], first: int, years: Sequence[int]) -> int:
    """Bold headers of a calculation block: ``header``, then a column per year, the total and the
    present value; returns the total's column."""
    for j, text in enumerate(header, start=1):
        _bold(put_cell(sheet, row, j, text))
    for j, year in enumerate(years):
        _bold(put_cell(sheet, row, first + j, f"Year {year}"))
    end = first + len(years)
    _bold(put_cell(sheet, row, end, "Total, undiscounted"))
    _bold(put_cell(sheet, row, end + 1, "Present value"))
    return end


def sroi_sheets(model: object, params: object = None, currency: str = "£") -> list[Callable]:
    """One sheet per impact map of an :class:`~healthecon.sroi.SROIModel`: the SROI with live formulas."""
    value = _resolver(params)
    sheets = []
    for name, imap in model.by_name.items():  # type: ignore[attr-defined]
        sheets.append(_sroi_sheet(name, imap, model.discount, value, currency))  # type: ignore[attr-defined]
    return sheets


def _sroi_sheet(name: str, imap: object, rate: float | DiscountSchedule, value: Callable, currency: str) -> Callable:
    money = _MONEY.format(c=currency)
    outcomes, investments = list(imap.outcomes), list(imap.investment)  # type: ignore[attr-defined]
    last = max([o.last_year for o in outcomes] + [i.year for i in investments])
    years = list(range(last + 1))
    fields = ("quantity", "proxy", "deadweight", "displacement", "attribution", "drop_off")
    first = 12  # the year columns, after name, stakeholder, six fields, start, duration, first-year impact

    def add(book, names) -> None:
        sheet = book.create_sheet(names(f"{name} SROI calculation"))
        _bold(put_cell(sheet, 1, 1, f"SROI of {name}: the base case, recomputed by formulas (shaded cells are inputs)"))
        rate_cell = _rate_block(sheet, 2, rate)
        _year_header(sheet, 4, first, years)
        _discount_row(sheet, 5, first, years, rate, rate_cell)
        header = ["Outcome", "Stakeholder", "Quantity", f"Proxy ({currency})", "Deadweight", "Displacement",
                  "Attribution", "Drop-off", "Start year", "Duration", "Impact, first year"]
        row = 7
        end = _calculation_header(sheet, row, header, first, years)
        top = row + 1
        span = f"${_letter(first)}$5:${_letter(end - 1)}$5"
        for i, o in enumerate(outcomes):
            r = top + i
            put_cell(sheet, r, 1, o.name)
            put_cell(sheet, r, 2, o.stakeholder)
            for j, field in enumerate(fields, start=3):
                number = value(getattr(o, field), f"outcome {o.name!r}, field {field!r}")
                _input(put_cell(sheet, r, j, number, money if field == "proxy" else (_SHARE if j > 4 else "#,##0.##")))
            _input(put_cell(sheet, r, 9, int(o.start_year)))
            _input(put_cell(sheet, r, 10, int(o.duration)))
            _formula(sheet, r, 11, f"=C{r}*D{r}*(1-E{r})*(1-F{r})*(1-G{r})", money)
            for j in range(len(years)):
                c = _letter(first + j)
                _formula(sheet, r, first + j,
                         f"=IF(AND({c}$4>=$I{r},{c}$4<$I{r}+$J{r}),$K{r}*(1-$H{r})^({c}$4-$I{r}),0)", money)
            _formula(sheet, r, end, f"=SUM({_letter(first)}{r}:{_letter(end - 1)}{r})", money)
            _formula(sheet, r, end + 1, f"=SUMPRODUCT({_letter(first)}{r}:{_letter(end - 1)}{r},{span})", money)
        bottom = top + len(outcomes) - 1
        row = bottom + 2
        for j, text in enumerate(["Investment by", f"Amount ({currency})", "Year"], start=1):
            _bold(put_cell(sheet, row, j, text))
        itop = row + 1
        for i, inv in enumerate(investments):
            r = itop + i
            put_cell(sheet, r, 1, inv.funder)
            _input(put_cell(sheet, r, 2, value(inv.amount, f"investment by {inv.funder!r}"), money))
            _input(put_cell(sheet, r, 3, int(inv.year)))
            for j in range(len(years)):
                c = _letter(first + j)
                _formula(sheet, r, first + j, f"=IF({c}$4=$C{r},$B{r},0)", money)
            _formula(sheet, r, end, f"=SUM({_letter(first)}{r}:{_letter(end - 1)}{r})", money)
            _formula(sheet, r, end + 1, f"=SUMPRODUCT({_letter(first)}{r}:{_letter(end - 1)}{r},{span})", money)
        ibottom = itop + len(investments) - 1
        pv = _letter(end + 1)
        row = ibottom + 2
        results = [("Present value of the impact", f"=SUM({pv}{top}:{pv}{bottom})", money),
                   ("Present value of the investment", f"=SUM({pv}{itop}:{pv}{ibottom})", money),
                   ("Net present value", f"=B{row}-B{row + 1}", money),
                   (f"SROI ratio ({currency} per {currency}1)", f"=B{row}/B{row + 1}", "0.00"),
                   ("Net SROI", f"=B{row + 3}-1", "0.00")]
        for k, (label, formula, fmt) in enumerate(results):
            _bold(put_cell(sheet, row + k, 1, label))
            _formula(sheet, row + k, 2, formula, fmt)
        _widths(sheet, end + 1)

    return add


def cba_sheets(model: object, params: object = None, currency: str = "£") -> list[Callable]:
    """One sheet per scheme of a :class:`~healthecon.cba.CBAModel`: the appraisal with live formulas."""
    value = _resolver(params)
    return [_cba_sheet(model, scheme, flows, value, currency) for scheme, flows in model.schemes.items()]  # type: ignore[attr-defined]


def _cba_sheet(model: object, scheme: str, flows: Sequence[object], value: Callable, currency: str) -> Callable:
    money = _MONEY.format(c=currency)
    last = max(max(f.years) for fl in model.schemes.values() for f in fl)  # type: ignore[attr-defined]
    last = last if model.horizon is None else int(model.horizon)  # type: ignore[attr-defined]
    years = list(range(last + 1))
    rates = [model.discount] + [f.discount for f in flows if f.discount is not None]  # type: ignore[attr-defined]
    first = 8  # year columns after flow, direction, agency, category, quantity, optimism, scale

    def add(book, names) -> None:
        sheet = book.create_sheet(names(f"{scheme} CBA calculation"))
        _bold(put_cell(sheet, 1, 1, f"Cost-benefit appraisal of {scheme}: the base case, recomputed by formulas "
                                    "(shaded cells are inputs)"))
        put_cell(sheet, 2, 1, "Optimism bias: cost uplift")
        _input(put_cell(sheet, 2, 2, value(model.cost_uplift, "CBA field 'cost_uplift'"), _SHARE))  # type: ignore[attr-defined]
        put_cell(sheet, 3, 1, "Optimism bias: benefit reduction")
        _input(put_cell(sheet, 3, 2, value(model.benefit_haircut, "CBA field 'benefit_haircut'"), _SHARE))  # type: ignore[attr-defined]
        factor_rows = {}
        row = 4
        for rate in dict.fromkeys(rates, None):
            rate_cell = _rate_block(sheet, row, rate)
            _year_header(sheet, row + 1, first, years)
            _discount_row(sheet, row + 2, first, years, rate, rate_cell)
            factor_rows[rate] = row + 2
            row += 4
        header = ["Flow", "Direction", "Agency", "Category", "Quantity", "Optimism bias applies", "Scale"]
        _bold(put_cell(sheet, row, 1, "Inputs: amount a year per unit"))
        row += 1
        for j, text in enumerate(header[:6], start=1):
            _bold(put_cell(sheet, row, j, text))
        for j, year in enumerate(years):
            _bold(put_cell(sheet, row, first + j, f"Year {year}"))
        itop = row + 1
        for i, f in enumerate(flows):
            r = itop + i
            for j, text in enumerate([f.name, f.direction, f.agency, f.category], start=1):
                put_cell(sheet, r, j, text)
            _input(put_cell(sheet, r, 5, value(f.quantity, f"flow {f.name!r}, field 'quantity'"), "#,##0.##"))
            _input(put_cell(sheet, r, 6, "yes" if f.optimism else "no"))
            amounts = dict(zip(f.years, f.values))
            for j, year in enumerate(years):
                amount = value(amounts[year], f"flow {f.name!r}, year {year}") if year in amounts else 0.0
                _input(put_cell(sheet, r, first + j, amount, money))
        row = itop + len(flows) + 1
        _bold(put_cell(sheet, row, 1, "Calculation: amount × quantity × optimism-bias scale"))
        row += 1
        end = _calculation_header(sheet, row, header, first, years)
        ctop = row + 1
        for i, f in enumerate(flows):
            r, source = ctop + i, itop + i
            for j in range(1, 6):
                _formula(sheet, r, j, f"={_letter(j)}{source}")
            _formula(sheet, r, 6, f"=F{source}")
            _formula(sheet, r, 7, f'=IF(F{r}="yes",IF(B{r}="cost",1+$B$2,1-$B$3),1)', "0.000")
            for j in range(len(years)):
                c = _letter(first + j)
                _formula(sheet, r, first + j, f"={c}{source}*$E{r}*$G{r}", money)
            factors = factor_rows[f.discount if f.discount is not None else model.discount]  # type: ignore[attr-defined]
            span = f"${_letter(first)}${factors}:${_letter(end - 1)}${factors}"
            _formula(sheet, r, end, f"=SUM({_letter(first)}{r}:{_letter(end - 1)}{r})", money)
            _formula(sheet, r, end + 1, f"=SUMPRODUCT({_letter(first)}{r}:{_letter(end - 1)}{r},{span})", money)
        cbottom = ctop + len(flows) - 1
        pv = f"{_letter(end + 1)}{ctop}:{_letter(end + 1)}{cbottom}"
        direction = f"B{ctop}:B{cbottom}"
        row = cbottom + 2
        results = [("Present value of benefits", f'=SUMIF({direction},"benefit",{pv})', money),
                   ("Present value of costs", f'=SUMIF({direction},"cost",{pv})', money),
                   ("Net present value", f"=B{row}-B{row + 1}", money),
                   (f"Benefit-cost ratio ({currency} per {currency}1)", f"=B{row}/B{row + 1}", "0.00"),
                   ("Net return on investment", f"=B{row + 3}-1", _SHARE)]
        for k, (label, formula, fmt) in enumerate(results):
            _bold(put_cell(sheet, row + k, 1, label))
            _formula(sheet, row + k, 2, formula, fmt)
        _widths(sheet, end + 1)

    return add


def markov_sheets(model: object, params: object) -> list[Callable]:
    """The base-case trace of a :class:`~healthecon.markov.MarkovModel` (mean cohort share in each
    state by cycle) with each cycle's time and discount factors as formulas, and the model's totals."""
    run = model.run(params.base_case(), trace="mean")  # type: ignore[attr-defined]
    states = [str(s) for s in run["state"].values] if "state" in run.coords else list(model.states)  # type: ignore[attr-defined]
    length = float(model.cycle_length)  # type: ignore[attr-defined]
    rates = {"costs": model.discount_costs, "effects": model.discount_effects}  # type: ignore[attr-defined]
    totals = [v for v in run.data_vars if set(run[v].dims) == {"sample", "strategy"}]

    def add(book, names) -> None:
        for strategy in [str(s) for s in run["strategy"].values]:
            sheet = book.create_sheet(names(f"{strategy} Markov trace"))
            _bold(put_cell(sheet, 1, 1, f"Markov trace of {strategy} at the base case (share of the cohort in each state)"))
            put_cell(sheet, 2, 1, "Cycle length (years)")
            _input(put_cell(sheet, 2, 2, length))
            rate_cells = {}
            for k, (what, rate) in enumerate(rates.items()):
                rate_cells[what] = _rate_block(sheet, 3 + k, rate) if not isinstance(rate, DiscountSchedule) else None
                if rate_cells[what] is None:
                    put_cell(sheet, 3 + k, 1, f"Discount of {what}: {rate.name}")
                else:
                    put_cell(sheet, 3 + k, 1, f"Discount rate of {what} a year")
            header = ["Cycle", "Time (years)", *states, "Total", "Discount factor, costs", "Discount factor, effects"]
            row = 6
            for j, text in enumerate(header, start=1):
                _bold(put_cell(sheet, row, j, text))
            trace = run["trace"].sel(strategy=strategy).transpose("cycle", "state").values
            for t in range(trace.shape[0]):
                r = row + 1 + t
                put_cell(sheet, r, 1, int(t))
                _formula(sheet, r, 2, f"=A{r}*$B$2", "0.00")
                for k in range(len(states)):
                    put_cell(sheet, r, 3 + k, float(trace[t, k]), "0.0000")
                n = 3 + len(states)
                _formula(sheet, r, n, f"=SUM(C{r}:{_letter(n - 1)}{r})", "0.0000")
                for j, what in enumerate(("costs", "effects")):
                    cell = rate_cells[what]
                    if cell is None:
                        factor = float(discount_factors(np.asarray([t * length]), rates[what])[0])
                        put_cell(sheet, r, n + 1 + j, factor, _FACTOR)
                    else:
                        _formula(sheet, r, n + 1 + j, f"=1/(1+{cell})^B{r}", _FACTOR)
            r = row + trace.shape[0] + 2
            _bold(put_cell(sheet, r, 1, "Totals per person (from the model)"))
            for k, name in enumerate(totals, start=1):
                put_cell(sheet, r + k, 1, name)
                put_cell(sheet, r + k, 2, float(run[name].sel(strategy=strategy).values.ravel()[0]))
            _widths(sheet, 3 + len(states) + 2)

    return [add]


def _widths(sheet, columns: int) -> None:
    sheet.column_dimensions["A"].width = 34
    for j in range(2, columns + 1):
        sheet.column_dimensions[_letter(j)].width = 14
