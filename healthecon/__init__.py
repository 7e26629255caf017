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

from ._lazy import load_attribute

# Nothing heavy is imported here: each submodule, and each name below, is loaded by the module-level
# ``__getattr__`` (PEP 562) on first use, so ``import healthecon`` costs little more than its
# own package and a call loads only what it needs (scipy.stats, matplotlib, openpyxl, jinja2, ...).
_SUBMODULES = frozenset({
    "appraisal", "bia", "cba", "cea", "conventions", "correction", "discount", "distributions", "dsa", "errors", "examples",
    "flows", "formatting", "ipd", "labels", "lifetable", "markov", "markov_engine", "modeldef", "optimism",
    "outcomes", "params", "plot", "provenance", "rates", "report", "scale", "sroi", "sroi_io", "survival", "tree",
    "tree_engine", "voi",
})
# public name -> the submodule that defines it
_NAMES = {
    "BudgetImpactModel": "bia",
    "CBAModel": "cba",
    **dict.fromkeys(["GREEN_BOOK_HEALTH", "GREEN_BOOK_STANDARD", "DiscountSchedule", "discount_factors"], "discount"),
    **dict.fromkeys(["PERT", "Beta", "Dirichlet", "Empirical", "Fixed", "Gamma", "LogNormal", "MultivariateNormal",
                     "Normal", "Triangular", "TruncatedNormal", "Uniform"], "distributions"),
    "describe_outcomes": "labels",
    "LifeTable": "lifetable",
    **dict.fromkeys(["C", "MarkovModel"], "markov"),
    **dict.fromkeys(["load_outcomes", "make_outcomes", "save_outcomes"], "outcomes"),
    "Parameters": "params",
    "write_excel": "report",
    "run_psa": "scale",
    **dict.fromkeys(["ImpactMap", "SROIModel"], "sroi"),
    "PartitionedSurvivalModel": "survival",
    **dict.fromkeys(["Chance", "Decision", "DecisionTree", "MarkovLeaf", "Terminal"], "tree"),
}
from .plot import __all__ as _plot_all  # the plot_* functions are part of the top-level API (loaded lazily too)

_NAMES.update(dict.fromkeys(_plot_all, "plot"))


def __getattr__(name: str) -> object:
    if name != "__version__":
        return load_attribute(__name__, name, _NAMES, _SUBMODULES)
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("healthecon")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        value = "0.0.0"
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES | {"__version__"})


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
