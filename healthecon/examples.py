"""Small named example models, for docstrings, tutorials and tests (as arviz's ``load_arviz_data``).

Each function builds the same small model every time, so an example can say
``examples.virtual_ward()`` instead of rebuilding a tree in every docstring. The numbers are
illustrative round figures, chosen to show a method clearly; they are **assumptions, not
published estimates**, and no decision should rest on them. The worked models that rebuild
published figures, with their sources, are in ``models/`` (``healthecon.worked``).

- :func:`virtual_ward`: a decision tree, a virtual ward against usual care after discharge
  (cost-effectiveness; DSA examples).
- :func:`reablement`: a cost-benefit model of a council reablement team (CBA/ROI examples).
- :func:`falls_service`: an SROI impact map of a falls-prevention service (SROI examples).

May import: the model modules (:mod:`healthecon.tree`, :mod:`healthecon.params`,
:mod:`healthecon.cba`, :mod:`healthecon.sroi`); nothing in the library imports this module
except in docstring examples.
"""

from __future__ import annotations

from .cba import CBAModel, benefit_flow, cost_flow
from .params import Parameters
from .sroi import ImpactMap, Investment, Outcome
from .tree import C, Chance, Decision, DecisionTree, Terminal

__all__ = ["falls_service", "reablement", "virtual_ward"]


def virtual_ward() -> tuple[DecisionTree, Parameters]:
    """A virtual ward (hospital care at home) against usual care after an admission.

    Usual care: 60% of patients are home within 7 days (0.80 QALY over the period); the
    rest are readmitted (0.70 QALY, £3,500 a readmission). The virtual ward raises the chance
    of going home to ``p_home`` (base 0.75) at ``c_ward`` per patient (base £600).
    Illustrative assumptions, not published estimates.

    Returns
    -------
    (DecisionTree, Parameters)
        The tree (strategies ``"usual care"``, ``"virtual ward"``) and its two parameters,
        both fixed at their base values (give them distributions for PSA).

    Examples
    --------
    >>> ward, params = virtual_ward()
    >>> ward.strategies
    ('usual care', 'virtual ward')
    >>> ward.run(params.base_case())["cost"].values.round(2)
    array([[1400., 1475.]])
    """
    ward = DecisionTree(Decision({
        "usual care": Chance([("home in 7 days", 0.6, Terminal(qaly=0.80)),
                              ("readmitted", C, Terminal(qaly=0.70, cost=3_500))]),
        "virtual ward": Chance([("home in 7 days", "p_home", Terminal(qaly=0.80)),
                                ("readmitted", C, Terminal(qaly=0.70, cost=3_500))], cost="c_ward"),
    }))
    return ward, Parameters(p_home=0.75, c_ward=600.0)


def reablement() -> CBAModel:
    """A council reablement team as a cost-benefit model (Green Book 3.5%, constant).

    The team costs the council £120,000 a year in years 0 and 1; it avoids home care for the
    council (£90,000 a year, fiscal cashable) and bed days for the NHS (£60,000 a year, fiscal
    non-cashable) in years 1 and 2. Illustrative assumptions, not published estimates.

    Returns
    -------
    CBAModel
        One scheme, ``"reablement"``.

    Examples
    --------
    >>> out = reablement().run()
    >>> round(float(out["npv"].squeeze()), 2), round(float(out["bcr"].squeeze()), 3)
    (49012.11, 1.208)
    """
    return CBAModel([
        cost_flow("reablement team", "council", [120_000.0, 120_000.0], category="fiscal_cashable"),
        benefit_flow("home care avoided", "council", [0.0, 90_000.0, 90_000.0], category="fiscal_cashable"),
        benefit_flow("bed days avoided", "NHS", [0.0, 60_000.0, 60_000.0], category="fiscal_non_cashable"),
    ], name="reablement", discount=0.035)


def falls_service() -> ImpactMap:
    """An SROI impact map of a falls-prevention service funded by the council.

    40 older people a year avoid a fall, valued at £1,000 each, for two years; a quarter
    would have avoided it anyway (deadweight 25%). The council invests £30,000 at the start.
    Illustrative assumptions, not published estimates.

    Returns
    -------
    ImpactMap
        Named ``"falls service"``.

    Examples
    --------
    >>> from healthecon.sroi import SROIModel
    >>> round(float(SROIModel(falls_service()).run()["sroi_ratio"].squeeze()), 2)
    1.9
    """
    return ImpactMap([Outcome("fewer falls", "older people", 40, 1_000.0, duration=2, deadweight=0.25)],
                     [Investment("council", 30_000.0)], name="falls service")
