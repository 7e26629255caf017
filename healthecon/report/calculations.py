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
- Markov cohort models (as pyheor's ``export_excel_model`` does): the transition matrices and
  reward values as inputs, the base-case trace by formulas (``m_t = m_{t-1} P_t``), each
  cycle's discount factors, within-cycle weights and rewards, and the totals, beside the
  model's own totals;
- partitioned survival models: the base-case curves as inputs, state membership from them by
  formulas, then discount factors, weights, rewards and totals as for a Markov model.

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

__all__ = ["for_model", "sroi_sheets", "cba_sheets", "markov_sheets", "psm_sheets", "psm_base_case"]

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
    from ..survival.psm import PartitionedSurvivalModel

    if isinstance(model, SROIModel):
        return sroi_sheets(model, params, currency)
    if isinstance(model, CBAModel):
        return cba_sheets(model, params, currency)
    if isinstance(model, MarkovModel) and params is not None:
        return markov_sheets(model, params, currency)
    if isinstance(model, PartitionedSurvivalModel) and params is not None:
        return psm_sheets(model, params, currency)
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


def markov_sheets(model: object, params: object, currency: str = "£") -> list[Callable]:
    """One sheet per strategy of a :class:`~healthecon.markov.MarkovModel`: the base case with live formulas.

    The sheet lays out, as inputs an auditor can change (shaded): the cycle length, the
    discount rates, the starting distribution, the transition matrix (one per cycle when the
    model's transitions depend on time), each reward's value per cycle in each state (again
    per cycle when it depends on time), the values of transition rewards and one-off initial
    rewards, and the within-cycle correction's weights. It then computes by formulas:

    - the trace, ``m_t[j] = Σ_i m_{t-1}[i] P_t[i, j]`` (Briggs, Claxton & Sculpher 2006, ch. 2-3),
      over the model's internal states (tunnel states appear one column per cycle in the tunnel);
    - each cycle's discount factors ``1 / (1 + r)^time`` (or a schedule's factors, as inputs);
    - each reward in each cycle, ``a_t d_{t-1} m_{t-1}·v_t + b_t d_t m_t·v_t`` with the weights
      ``(a_t, b_t)`` of :func:`healthecon.correction.cycle_weights`, plus transition rewards
      ``value × Σ m_{t-1}[i] P_t[i, j]`` over their transitions, discounted at the model's
      transition timing (:func:`healthecon.correction.transition_timing`);
    - the totals per person, discounted and undiscounted, and the total cost (the ``cost_*``
      rewards), beside the model's own numbers for comparison.

    Examples
    --------
    >>> from healthecon.markov import C, MarkovModel
    >>> from healthecon.params import Parameters
    >>> model = MarkovModel(["well", "dead"], ["usual"], {"well": {"well": C, "dead": "p_die"}, "dead": {"dead": 1}},
    ...                     start="well", n_cycles=3, state_rewards={"qaly": {"well": 1.0}})
    >>> len(markov_sheets(model, Parameters(p_die=0.1)))
    1
    """
    from ..modeldef import ParameterView

    draws = params.base_case()  # type: ignore[attr-defined]
    p = ParameterView(draws)
    run = model.run(draws, trace="mean")  # type: ignore[attr-defined]
    return [_markov_sheet(model, p, run, strategy, currency) for strategy in model.strategies]  # type: ignore[attr-defined]


def _number(value: object) -> float:
    """The base case's one number of a value the model evaluated (a float or a one-sample array)."""
    return float(np.ravel(np.asarray(value, dtype=float))[0])


def _markov_sheet(model, p, run, strategy: str, currency: str) -> Callable:
    """The calculation sheet of one strategy (see :func:`markov_sheets`), from the model's own
    evaluation of its transitions and rewards at the base case ``p`` and its base-case ``run``."""
    from .. import correction

    T, L, K = int(model.n_cycles), float(model.cycle_length), len(model.internal)
    steps = model.max_tunnel
    states = list(model.internal)
    dynamic = "time" in model.transition_rows(p, strategy, 1, steps)[1]
    matrices = []
    for t in range(1, (T if dynamic else 1) + 1):
        rows = model.transition_rows(p, strategy, t, steps)[0]
        matrices.append([[_number(rows[i].get(j, 0.0)) for j in range(K)] for i in range(K)])
    state_values: dict[str, list[list[float]]] = {}
    transition_items: dict[str, list[list[tuple[list[int], list[int], float]]]] = {}
    initial: dict[str, float] = {}
    for name, reward in model.rewards.items():
        if reward.state is not None:
            changes = "time" in model.state_values(reward, p, strategy, 1, steps)[1]
            state_values[name] = [[_number(v) for v in model.state_values(reward, p, strategy, t, steps)[0][:, 0]]
                                  for t in range(1, (T if changes else 1) + 1)]
        if reward.transition is not None:
            changes = "time" in model.transition_values(reward, p, strategy, 1, steps)[1]
            transition_items[name] = [[(rows, cols, _number(v)) for rows, cols, v in model.transition_values(reward, p, strategy, t, steps)[0]]
                                      for t in range(1, (T if changes else 1) + 1)]
        if reward.initial is not None:
            initial[name] = _number(model.initial_values(reward, p, [strategy])[0])
    kinds = {name: reward.kind for name, reward in model.rewards.items()}
    a, b = correction.cycle_weights(model.correction, T)
    offset = float(correction.transition_timing(model.correction))
    rates = {"cost": model.discount_costs, "effect": model.discount_effects}
    trace = run["trace"].sel(strategy=strategy).values  # (cycle, user state)
    start = np.zeros(K)
    for k, state in enumerate(model.states):
        start[model.group[state][0]] = trace[0, k]
    totals = {name: float(run[name].sel(strategy=strategy).values.ravel()[0]) for name in run.data_vars
              if set(run[name].dims) == {"sample", "strategy"}}

    def add(book, names) -> None:
        money = _MONEY.format(c=currency)
        sheet = book.create_sheet(names(f"{strategy} Markov calculation"))
        rate_cells = _cohort_head(sheet, f"Markov cohort model, {strategy}", L, rates, "Transition rewards", offset)
        row = 7
        # transition matrices: block for cycle t starts at matrix_top[t - 1]; rows from, columns to
        matrix_top = []
        for t, matrix in enumerate(matrices, start=1):
            _bold(put_cell(sheet, row, 1, f"Transition probabilities, cycle {t} (from the row's state to the column's)"
                           if dynamic else "Transition probabilities, every cycle (from the row's state to the column's)"))
            for j, state in enumerate(states):
                _bold(put_cell(sheet, row, 2 + j, state))
            for i, state in enumerate(states):
                put_cell(sheet, row + 1 + i, 1, state)
                for j in range(K):
                    _input(put_cell(sheet, row + 1 + i, 2 + j, matrix[i][j], "0.0000"))
            matrix_top.append(row + 1)
            row += K + 2

        def prob(t: int, i: int, j: int) -> str:
            top = matrix_top[t - 1 if dynamic else 0]
            return f"${_letter(2 + j)}${top + i}"

        # state rewards per cycle: one row per reward (per cycle when it changes with time)
        value_rows: dict[str, list[int]] = {}
        if state_values:
            _bold(put_cell(sheet, row, 1, "State rewards per cycle in each state (value a year × cycle length)"))
            for j, state in enumerate(states):
                _bold(put_cell(sheet, row, 2 + j, state))
            row += 1
            for name, per_cycle in state_values.items():
                value_rows[name] = []
                for t, values in enumerate(per_cycle, start=1):
                    put_cell(sheet, row, 1, name if len(per_cycle) == 1 else f"{name}, cycle {t}")
                    for j, v in enumerate(values):
                        _input(put_cell(sheet, row, 2 + j, v, money if kinds[name] == "cost" else "0.0000"))
                    value_rows[name].append(row)
                    row += 1
            row += 1
        # transition rewards: one value per transition (per cycle when it changes with time)
        item_cells: dict[str, list[list[tuple[list[int], list[int], str]]]] = {}
        if transition_items:
            _bold(put_cell(sheet, row, 1, "Transition rewards: value per person making the transition"))
            row += 1
            for name, per_cycle in transition_items.items():
                item_cells[name] = []
                for t, items in enumerate(per_cycle, start=1):
                    cells = []
                    for rows, cols, v in items:
                        when = "" if len(per_cycle) == 1 else f", cycle {t}"
                        put_cell(sheet, row, 1, f"{name}: from {', '.join(states[i] for i in rows)} to "
                                                f"{', '.join(states[j] for j in cols)}{when}")
                        _input(put_cell(sheet, row, 2, v, money if kinds[name] == "cost" else "0.0000"))
                        cells.append((rows, cols, f"$B${row}"))
                        row += 1
                    item_cells[name].append(cells)
            row += 1
        if initial:
            _bold(put_cell(sheet, row, 1, "Initial (one-off) rewards at time 0"))
            row += 1
        initial_cells = {}
        for name, v in initial.items():
            put_cell(sheet, row, 1, name)
            _input(put_cell(sheet, row, 2, v, money if kinds[name] == "cost" else "0.0000"))
            initial_cells[name] = f"$B${row}"
            row += 1
        row += 1
        # the trace and the rewards by cycle
        n = 3 + K  # the column after the states: their total
        columns = {"total": n, "a": n + 1, "b": n + 2, "cost": n + 3, "effect": n + 4}
        nxt = n + 5
        if transition_items:
            columns["cost_transition"], columns["effect_transition"] = nxt, nxt + 1
            nxt += 2
        reward_columns = {}
        for name in model.rewards:
            reward_columns[name] = (nxt, nxt + 1)  # undiscounted, discounted
            nxt += 2
        header = ["Cycle", "Time (years)", *states, "Total", "Weight, start of cycle", "Weight, end of cycle",
                  "Discount factor, costs", "Discount factor, effects"]
        if transition_items:
            header += ["Discount factor, transition costs", "Discount factor, transition effects"]
        for name in model.rewards:
            header += [f"{name}, undiscounted", f"{name}, discounted"]
        for j, text in enumerate(header, start=1):
            _bold(put_cell(sheet, row, j, text))
        first = row + 1
        for t in range(T + 1):
            r = first + t
            put_cell(sheet, r, 1, int(t))
            _formula(sheet, r, 2, f"=A{r}*$B$2", "0.00")
            for j in range(K):
                if t == 0:
                    _input(put_cell(sheet, r, 3 + j, float(start[j]), "0.0000"))
                else:
                    terms = "+".join(f"{_letter(3 + i)}{r - 1}*{prob(t, i, j)}" for i in range(K))
                    _formula(sheet, r, 3 + j, f"={terms}", "0.0000")
            _formula(sheet, r, n, f"=SUM(C{r}:{_letter(n - 1)}{r})", "0.0000")
            if t >= 1:
                _input(put_cell(sheet, r, columns["a"], float(a[t - 1]), "0.0000"))
                _input(put_cell(sheet, r, columns["b"], float(b[t - 1]), "0.0000"))
            for kind in ("cost", "effect"):
                cell = rate_cells[kind]
                if cell is None:
                    factor = float(discount_factors(np.asarray([t * L]), rates[kind])[0])
                    _input(put_cell(sheet, r, columns[kind], factor, _FACTOR))
                else:
                    _formula(sheet, r, columns[kind], f"=1/(1+{cell})^B{r}", _FACTOR)
                if transition_items and t >= 1:
                    column = columns[f"{kind}_transition"]
                    if cell is None:
                        factor = float(discount_factors(np.asarray([(t - 1 + offset) * L]), rates[kind])[0])
                        _input(put_cell(sheet, r, column, factor, _FACTOR))
                    else:
                        _formula(sheet, r, column, f"=1/(1+{cell})^((A{r}-1+$B$5)*$B$2)", _FACTOR)
            if t == 0:
                continue
            for name, (plain, discounted) in reward_columns.items():
                kind = kinds[name]
                undisc, disc = [], []
                if name in value_rows:
                    v_row = value_rows[name][t - 1 if len(value_rows[name]) > 1 else 0]
                    values = f"$B${v_row}:${_letter(1 + K)}${v_row}"
                    before = f"SUMPRODUCT(C{r - 1}:{_letter(n - 1)}{r - 1},{values})"
                    after = f"SUMPRODUCT(C{r}:{_letter(n - 1)}{r},{values})"
                    wa, wb, d = f"${_letter(columns['a'])}{r}", f"${_letter(columns['b'])}{r}", _letter(columns[kind])
                    undisc.append(f"{wa}*{before}+{wb}*{after}")
                    disc.append(f"{wa}*${d}{r - 1}*{before}+{wb}*${d}{r}*{after}")
                if name in item_cells:
                    cells = item_cells[name][t - 1 if len(item_cells[name]) > 1 else 0]
                    flows = []
                    for rows, cols, value in cells:
                        moving = "+".join(f"{_letter(3 + i)}{r - 1}*({'+'.join(prob(t, i, j) for j in cols)})" for i in rows)
                        flows.append(f"{value}*({moving})")
                    amount = "+".join(flows) if flows else "0"
                    undisc.append(amount)
                    disc.append(f"${_letter(columns[kind + '_transition'])}{r}*({amount})")
                fmt = money if kind == "cost" else "0.0000"
                _formula(sheet, r, plain, "=" + ("+".join(undisc) or "0"), fmt)
                _formula(sheet, r, discounted, "=" + ("+".join(disc) or "0"), fmt)
        _totals(sheet, first, first + T, reward_columns, kinds, initial_cells, totals, money)
        _widths(sheet, nxt)

    return add


def psm_sheets(model: object, params: object, currency: str = "£") -> list[Callable]:
    """One sheet per strategy of a partitioned survival model: the base case with live formulas.

    The survival curves at the base case (after the model's crossing rule) are inputs, one
    column per curve, as the model evaluated them (fitted curves, hazard ratios, waning and
    general-population mortality are formulas of their own, checked in the model's tests, not
    re-derived here). From them, by formulas (Woods et al., NICE DSU TSD 19, 2017, section 2):

    - state membership: the first state is the innermost curve, each next state the difference
      of the curves around it, the last (dead) 1 minus overall survival;
    - each cycle's discount factors ``1 / (1 + r)^time`` (or a schedule's factors, as inputs);
    - each state reward in each cycle, ``L (a_t d_{t-1} m_{t-1}·v_t + b_t d_t m_t·v_t)`` (values a
      year ``v`` × cycle length ``L``, weights ``(a_t, b_t)`` of
      :func:`healthecon.correction.cycle_weights`), and each entry reward, value × the people
      entering (the fall of the curve above the state) × the discount factor at the model's
      transition timing;
    - the totals per person, discounted and undiscounted, and the total cost, beside the model's.

    Rewards fixed over time are one row of inputs; those that change with time a column per
    state in the cycle table. Sheets are written only for the conventions whose weights have
    this form (the default): otherwise none, rather than formulas that would not agree.

    Examples
    --------
    >>> from healthecon.params import Parameters
    >>> from healthecon.survival import ParametricCurve, PartitionedSurvivalModel
    >>> model = PartitionedSurvivalModel({"new": [ParametricCurve("exponential", rate="r"), ParametricCurve("exponential", rate=0.2)]},
    ...                                  n_cycles=5, state_rewards={"qaly": {"progression-free": 0.8}})
    >>> len(psm_sheets(model, Parameters(r=0.4)))
    1
    """
    from .. import correction

    T, L = int(model.n_cycles), float(model.cycle_length)
    a, b = correction.cycle_weights(model.correction, T)
    offset = float(correction.transition_timing(model.correction))
    rates = {"cost": model.discount_costs, "effect": model.discount_effects}
    weights = model.settings.weights(T, L, rates["cost"], rates["effect"])
    for kind, rate in rates.items():  # only where the model's weights are what the formulas compute
        d = discount_factors(np.arange(T + 1) * L, rate)
        entry = discount_factors((np.arange(T) + offset) * L, rate)
        w = weights[kind]
        if not (np.allclose(w.start, a * d[:-1], rtol=1e-12, atol=0) and np.allclose(w.end, b * d[1:], rtol=1e-12, atol=0)
                and np.allclose(w.transition, entry, rtol=1e-12, atol=0)):
            return []
    draws, run = psm_base_case(model, params)
    return [_psm_sheet(model, draws, run, strategy, a, b, offset, rates, currency) for strategy in model.strategies]


def psm_base_case(model: object, params: object) -> tuple[object, object]:
    """A partitioned survival model's base-case draws and its run of them with the trace, for the
    report's charts and sheets; a crossing is not warned of again (the PSA's run has said it)."""
    import warnings

    from ..survival.psm import CurveCrossingWarning

    draws = params.base_case()  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CurveCrossingWarning)
        return draws, model.run(draws, trace=True)  # type: ignore[attr-defined]


def _psm_sheet(model, draws, run, strategy: str, a: np.ndarray, b: np.ndarray, offset: float, rates: dict, currency: str) -> Callable:
    """The calculation sheet of one strategy (see :func:`psm_sheets`)."""
    T, L = int(model.n_cycles), float(model.cycle_length)
    states, curve_names = list(model.states), list(model.curve_names)
    K, C = len(states), len(curve_names)
    membership = run["trace"].sel(strategy=strategy).isel(sample=0).transpose("cycle", "state").values  # (T + 1, K)
    curves = np.cumsum(membership[:, :C], axis=1)  # curve k = the states inside it
    kinds = {name: reward.kind for name, reward in model.rewards.items()}
    values = {(name, slot): model.reward_values(name, slot, draws, strategy)
              for name, reward in model.rewards.items() for slot in ("state", "entry") if getattr(reward, slot) is not None}
    initial = {name: float(model.reward_values(name, "initial", draws, strategy)[0, 0])
               for name, reward in model.rewards.items() if reward.initial is not None}
    totals = {name: float(run[name].sel(strategy=strategy).values.ravel()[0]) for name in run.data_vars
              if set(run[name].dims) == {"sample", "strategy"}}

    def add(book, names) -> None:
        money = _MONEY.format(c=currency)
        fmt = {name: money if kind == "cost" else "0.0000" for name, kind in kinds.items()}
        sheet = book.create_sheet(names(f"{strategy} PSM calculation"))
        rate_cells = _cohort_head(sheet, f"Partitioned survival model, {strategy}", L, rates, "Entries", offset)
        put_cell(sheet, 6, 1, f"Survival curves: the model's at the base case, after its crossing rule ({model.crossing!r})")
        row = 8
        fixed: dict[tuple[str, str], int] = {}  # (reward, slot) -> its row of values by state
        for slot, title in (("state", "State rewards a year in each state"), ("entry", "Entry rewards: value per person entering each state")):
            chosen = [(name, v) for (name, kind), v in values.items() if kind == slot and len(v) == 1]
            if not chosen:
                continue
            _bold(put_cell(sheet, row, 1, title))
            for j, state in enumerate(states):
                _bold(put_cell(sheet, row, 2 + j, state))
            row += 1
            for name, v in chosen:
                put_cell(sheet, row, 1, name)
                for j in range(K):
                    _input(put_cell(sheet, row, 2 + j, float(v[0, j]), fmt[name]))
                fixed[(name, slot)] = row
                row += 1
            row += 1
        initial_cells = {}
        if initial:
            _bold(put_cell(sheet, row, 1, "Initial (one-off) rewards at time 0"))
            row += 1
            for name, v in initial.items():
                put_cell(sheet, row, 1, name)
                _input(put_cell(sheet, row, 2, v, fmt[name]))
                initial_cells[name] = f"$B${row}"
                row += 1
            row += 1
        # the cycle table: curves (inputs), membership, weights, discount factors, values that
        # change with time, rewards
        header = ["Cycle", "Time (years)", *curve_names, *states, "Weight, start of cycle", "Weight, end of cycle",
                  "Discount factor, costs", "Discount factor, effects"]
        col = {"curve": 3, "state": 3 + C}
        nxt = 3 + C + K
        col.update(a=nxt, b=nxt + 1, cost=nxt + 2, effect=nxt + 3)
        nxt += 4
        entries = any(slot == "entry" for _, slot in values)
        if entries:
            col.update(cost_entry=nxt, effect_entry=nxt + 1)
            header += ["Discount factor, entries (costs)", "Discount factor, entries (effects)"]
            nxt += 2
        by_cycle: dict[tuple[str, str], dict[int, int]] = {}  # time-varying values: (reward, slot) -> {state: column}
        for (name, slot), v in values.items():
            if len(v) == 1:
                continue
            by_cycle[(name, slot)] = {}
            for k in np.flatnonzero(np.abs(v).max(axis=0) > 0):
                by_cycle[(name, slot)][int(k)] = nxt
                header.append(f"{name}: {'a year in' if slot == 'state' else 'per person entering'} {states[k]}")
                nxt += 1
        reward_columns = {}
        for name in model.rewards:
            reward_columns[name] = (nxt, nxt + 1)
            header += [f"{name}, undiscounted", f"{name}, discounted"]
            nxt += 2
        for j, text in enumerate(header, start=1):
            _bold(put_cell(sheet, row, j, text))
        first = row + 1

        def m(k: int, r: int) -> str:
            return f"{_letter(col['state'] + k)}{r}"

        def curve(k: int, r: int) -> str:
            return f"{_letter(col['curve'] + k)}{r}"

        for t in range(T + 1):
            r = first + t
            put_cell(sheet, r, 1, int(t))
            _formula(sheet, r, 2, f"=A{r}*$B$2", "0.00")
            for k in range(C):
                _input(put_cell(sheet, r, col["curve"] + k, float(curves[t, k]), "0.0000"))
            for k in range(K):
                formula = (f"={curve(0, r)}" if k == 0 else f"=1-{curve(C - 1, r)}" if k == C else f"={curve(k, r)}-{curve(k - 1, r)}")
                _formula(sheet, r, col["state"] + k, formula, "0.0000")
            for kind in ("cost", "effect"):
                cell = rate_cells[kind]
                if cell is None:
                    _input(put_cell(sheet, r, col[kind], float(discount_factors(np.asarray([t * L]), rates[kind])[0]), _FACTOR))
                else:
                    _formula(sheet, r, col[kind], f"=1/(1+{cell})^B{r}", _FACTOR)
                if entries and t >= 1:
                    if cell is None:
                        factor = float(discount_factors(np.asarray([(t - 1 + offset) * L]), rates[kind])[0])
                        _input(put_cell(sheet, r, col[f"{kind}_entry"], factor, _FACTOR))
                    else:
                        _formula(sheet, r, col[f"{kind}_entry"], f"=1/(1+{cell})^((A{r}-1+$B$5)*$B$2)", _FACTOR)
            if t == 0:
                continue
            _input(put_cell(sheet, r, col["a"], float(a[t - 1]), "0.0000"))
            _input(put_cell(sheet, r, col["b"], float(b[t - 1]), "0.0000"))
            for (name, slot), columns in by_cycle.items():
                for k, column in columns.items():
                    _input(put_cell(sheet, r, column, float(values[(name, slot)][t - 1, k]), fmt[name]))
            for name, (plain, discounted) in reward_columns.items():
                kind = kinds[name]
                undisc, disc = [], []
                for slot in ("state", "entry"):
                    if (name, slot) in fixed:
                        cells = {k: f"${_letter(2 + k)}${fixed[(name, slot)]}" for k in range(K) if values[(name, slot)][0, k] != 0}
                    elif (name, slot) in by_cycle:
                        cells = {k: f"{_letter(column)}{r}" for k, column in by_cycle[(name, slot)].items()}
                    else:
                        continue
                    if not cells:
                        continue
                    if slot == "state":
                        before = "+".join(f"{m(k, r - 1)}*{v}" for k, v in cells.items())
                        after = "+".join(f"{m(k, r)}*{v}" for k, v in cells.items())
                        wa, wb, d = f"${_letter(col['a'])}{r}", f"${_letter(col['b'])}{r}", _letter(col[kind])
                        undisc.append(f"$B$2*({wa}*({before})+{wb}*({after}))")
                        disc.append(f"$B$2*({wa}*${d}{r - 1}*({before})+{wb}*${d}{r}*({after}))")
                    else:  # people entering state k: the fall of curve k - 1 over the cycle
                        amount = "+".join(f"({curve(k - 1, r - 1)}-{curve(k - 1, r)})*{v}" for k, v in cells.items())
                        undisc.append(f"({amount})")
                        disc.append(f"${_letter(col[kind + '_entry'])}{r}*({amount})")
                _formula(sheet, r, plain, "=" + ("+".join(undisc) or "0"), fmt[name])
                _formula(sheet, r, discounted, "=" + ("+".join(disc) or "0"), fmt[name])
        _totals(sheet, first, first + T, reward_columns, kinds, initial_cells, totals, money)
        _widths(sheet, nxt)

    return add


def _cohort_head(sheet, title: str, cycle_length: float, rates: dict, counted: str, offset: float) -> dict[str, str | None]:
    """The head of a cohort model's calculation sheet: its title, the cycle length (B2), the
    discount rates of costs and effects (B3, B4; see :func:`_rate_block`) and the point in a
    cycle at which ``counted`` (transition rewards, entries) are discounted (B5). Returns the
    rates' cells."""
    _bold(put_cell(sheet, 1, 1, f"{title}: the base case, recomputed by formulas (shaded cells are inputs)"))
    put_cell(sheet, 2, 1, "Cycle length (years)")
    _input(put_cell(sheet, 2, 2, cycle_length, "0.0000"))
    rate_cells = {}
    for k, (kind, rate) in enumerate(rates.items()):
        rate_cells[kind] = _rate_block(sheet, 3 + k, rate)
        put_cell(sheet, 3 + k, 1, f"Discount of {kind}s: {rate.name} (factors below are its values)"
                 if rate_cells[kind] is None else f"Discount rate of {kind}s a year")
    put_cell(sheet, 5, 1, f"{counted} counted at cycle t - 1 +")
    _input(put_cell(sheet, 5, 2, offset, "0.00"))
    return rate_cells


def _totals(sheet, first: int, last: int, reward_columns: dict[str, tuple[int, int]], kinds: dict[str, str],
            initial_cells: dict[str, str], totals: dict[str, float], money: str) -> None:
    """The foot of a cohort model's calculation sheet: each reward's total per person over the
    cycle rows ``first + 1 .. last`` (discounted and not, plus any one-off value), the total
    cost, and beside each the model's own number."""
    row = last + 2
    _bold(put_cell(sheet, row, 1, "Totals per person"))
    _bold(put_cell(sheet, row, 2, "Recomputed here"))
    _bold(put_cell(sheet, row, 3, "From the model"))
    row += 1
    total_rows: dict[str, int] = {}
    for name, (plain, discounted) in reward_columns.items():
        fmt = money if kinds[name] == "cost" else "0.0000"
        once = f"+{initial_cells[name]}" if name in initial_cells else ""
        for label, column in ((name, discounted), (f"{name}_undiscounted", plain)):
            put_cell(sheet, row, 1, label)
            _formula(sheet, row, 2, f"=SUM({_letter(column)}{first + 1}:{_letter(column)}{last}){once}", fmt)
            if label in totals:
                put_cell(sheet, row, 3, totals[label], fmt)
            total_rows[label] = row
            row += 1
    costs = [name for name in reward_columns if kinds[name] == "cost"]
    for label, parts in (("cost", costs), ("cost_undiscounted", [f"{c}_undiscounted" for c in costs])):
        put_cell(sheet, row, 1, label)
        _formula(sheet, row, 2, "=" + ("+".join(f"B{total_rows[c]}" for c in parts) or "0"), money)
        if label in totals:
            put_cell(sheet, row, 3, totals[label], money)
        row += 1


def _widths(sheet, columns: int) -> None:
    sheet.column_dimensions["A"].width = 34
    for j in range(2, columns + 1):
        sheet.column_dimensions[_letter(j)].width = 14
