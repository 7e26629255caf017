"""healthecon: economic evaluation for health and social care.

One pipeline for the three ways public money is judged — cost-effectiveness (decision trees,
Markov cohort models, PSA, ICERs, CEACs, value of information), social return on investment
(SROI) and cost-benefit / return on investment (CBA/ROI)::

    parameters --sample--> draws --model.run--> outcomes --analyse--> tables, curves --> plot_*

Everything is vectorised over PSA samples, and every model returns the same outcome layout
(an :class:`xarray.Dataset` with dimensions ``sample`` x ``strategy``), so the analyses and
plots apply to all of them.

Examples
--------
>>> import healthecon as he
>>> params = he.Parameters(p_cure=he.Beta.from_events(70, 100), c_drug=900.0)
>>> float(params.base_case()["p_cure"][0])
0.7

Submodules: :mod:`~healthecon.cea`, :mod:`~healthecon.voi`, :mod:`~healthecon.dsa`,
:mod:`~healthecon.sroi`, :mod:`~healthecon.sroi_io`, :mod:`~healthecon.cba`,
:mod:`~healthecon.flows`, :mod:`~healthecon.appraisal`, :mod:`~healthecon.outcomes`,
:mod:`~healthecon.examples`, :mod:`~healthecon.formatting`,
:mod:`~healthecon.discount`, :mod:`~healthecon.rates`, :mod:`~healthecon.correction`,
:mod:`~healthecon.conventions`,
:mod:`~healthecon.provenance`, :mod:`~healthecon.report`, :mod:`~healthecon.plot`,
:mod:`~healthecon.ipd` (patient-level analysis).
"""

from importlib.metadata import PackageNotFoundError, version

from . import cba, cea, correction, discount, dsa, errors, optimism, outcomes, plot, provenance, rates, report, sroi, voi
from . import appraisal, examples, flows, formatting, sroi_io
from . import labels
from . import survival
from . import ipd
from . import bia
from . import scale
from .bia import BudgetImpactModel
from . import conventions
from .cba import CBAModel
from .discount import GREEN_BOOK_HEALTH, GREEN_BOOK_STANDARD, DiscountSchedule, discount_factors
from .distributions import (
    PERT,
    Beta,
    Dirichlet,
    Empirical,
    Fixed,
    Gamma,
    LogNormal,
    MultivariateNormal,
    Normal,
    Triangular,
    TruncatedNormal,
    Uniform,
)
from .labels import describe_outcomes
from .lifetable import LifeTable
from .markov import C, MarkovModel
from .outcomes import load_outcomes, make_outcomes, save_outcomes
from .params import Parameters
from .report import write_excel
from .plot import *  # noqa: F403 - the plot_* functions are part of the top-level API
from .plot import __all__ as _plot_all
from .scale import run_psa
from .sroi import ImpactMap, SROIModel
from .survival import PartitionedSurvivalModel
from .tree import Chance, Decision, DecisionTree, MarkovLeaf, Terminal

try:
    __version__ = version("healthecon")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "BudgetImpactModel",
    "C",
    "CBAModel",
    "Chance",
    "Decision",
    "DecisionTree",
    "Dirichlet",
    "DiscountSchedule",
    "Empirical",
    "Fixed",
    "GREEN_BOOK_HEALTH",
    "GREEN_BOOK_STANDARD",
    "Gamma",
    "ImpactMap",
    "LifeTable",
    "LogNormal",
    "MarkovLeaf",
    "MarkovModel",
    "MultivariateNormal",
    "Normal",
    "PERT",
    "Parameters",
    "PartitionedSurvivalModel",
    "SROIModel",
    "Beta",
    "Terminal",
    "Triangular",
    "TruncatedNormal",
    "Uniform",
    "appraisal",
    "bia",
    "cba",
    "cea",
    "conventions",
    "correction",
    "discount",
    "discount_factors",
    "dsa",
    "errors",
    "examples",
    "flows",
    "formatting",
    "load_outcomes",
    "ipd",
    "make_outcomes",
    "optimism",
    "outcomes",
    "plot",
    "provenance",
    "rates",
    "report",
    "run_psa",
    "save_outcomes",
    "scale",
    "sroi",
    "sroi_io",
    "survival",
    "voi",
    "write_excel",
    "describe_outcomes",
    "labels",
    *_plot_all,
]
