"""Worked models that rebuild published results from the seed documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from healthecon.report import chart  # a chart kept as a function, with its caption and alt text

#: Worked-model module names, in the order ``healthecon reproduce`` runs and prints them.
MODELS: tuple[str, ...] = ("chss", "popp", "croydon", "derby", "care_repair", "airedale", "manchester")


def read_inputs(name: str, overrides: Mapping[str, float] | None = None):
    """The checked inputs of ``data/<name>.csv`` with ``overrides`` (local figures) replacing some.

    A :class:`healthecon.provenance.Inputs` (it records which inputs the model reads). Raises
    :class:`~healthecon.errors.UnknownNameError` naming an override that is not an input of
    the file, so a typo never passes silently.

    Examples
    --------
    >>> read_inputs("manchester", {"investment": 2e6})["investment"]
    2000000.0
    """
    from healthecon.worked.seeds import worked_inputs

    return worked_inputs(name, overrides)


def require_shares(values: Mapping[str, float], names: Sequence[str], what: str) -> np.ndarray:
    """The shares ``values[n]`` for ``n`` in ``names``, checked to be in [0, 1] and sum to 1.

    Examples
    --------
    >>> require_shares({"a": 0.5, "b": 0.6}, ["a", "b"], "benefit shares")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: benefit shares ('a', 'b') sum to 1.1; expected 1
    """
    from healthecon._validate import require_probability
    from healthecon.errors import ModelDefinitionError

    shares = np.array([require_probability(values[n], f"input {n!r}", ModelDefinitionError) for n in names], dtype=float)
    if not np.isclose(shares.sum(), 1.0, rtol=0, atol=1e-9):
        raise ModelDefinitionError(f"{what} {tuple(names)} sum to {shares.sum():g}; expected 1")
    return shares


def uncertain(family: type, mean: float, sd: float, name: str = "parameter"):
    """``family.from_mean_sd(mean, sd)``, or a Fixed value when ``sd`` is 0 (a zero-variance PSA).

    A spread the family cannot take (e.g. a Beta SD too wide for a mean near 0) raises
    :class:`~healthecon.errors.DistributionFitError` naming the input ``name``.

    Examples
    --------
    >>> from healthecon.distributions import Beta, Gamma
    >>> uncertain(Gamma, 100.0, 0.0).describe(), uncertain(Gamma, 100.0, 50.0).describe()
    ('Fixed(100)', 'Gamma(shape=4, scale=25)')
    >>> uncertain(Beta, 0.001, 0.05, "deadweight_nhs")
    Traceback (most recent call last):
    ...
    healthecon.errors.DistributionFitError: input 'deadweight_nhs' = 0.001 cannot take a PSA spread of 0.05: Beta.from_mean_sd: ...
    """
    from healthecon.distributions import Fixed
    from healthecon.errors import DistributionFitError

    if sd == 0:
        return Fixed(float(mean))
    try:
        return family.from_mean_sd(float(mean), float(sd))
    except DistributionFitError as err:
        raise DistributionFitError(f"input {name!r} = {mean:g} cannot take a PSA spread of {sd:g}: {err}") from err


def psa_interval(draws: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` percentile interval of PSA draws (Briggs et al. 2006, section 4.5).

    Examples
    --------
    >>> psa_interval(np.arange(101.0))
    (2.5, 97.5)
    """
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(np.asarray(draws, dtype=float).ravel(), [tail, 100 - tail])
    return float(low), float(high)


def proportion_interval(p: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` estimated from ``n`` PSA draws.

    The Monte Carlo uncertainty of a probability read off a PSA (e.g. P(cost-effective)),
    so a reader can see whether more draws could change a comparison with a published bound
    (Wilson 1927; Newcombe 1998).

    Examples
    --------
    >>> [round(x, 4) for x in proportion_interval(0.844, 5000)]
    [0.8336, 0.8538]
    """
    from scipy import special

    z = float(special.ndtri(0.5 + level / 2))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def ratio_check(
    model: str,
    figure: str,
    published: float,
    precision: float,
    deterministic: float,
    psa: Sequence[float] | np.ndarray,
    source: str,
    what: str = "ratio",
    label: str | None = None,
    *,
    basis: str,
    assumptions: str,
):
    """A :class:`~healthecon.reproduction.Check` of a published ratio, with its PSA.

    ``reproduced`` is the deterministic value at the published inputs; ``interval`` the 95%
    percentile interval of the PSA draws (uncertainty on the *assumed* inputs only);
    ``probability`` the share of draws above 1, labelled ``label`` (default
    ``"P(<what> > 1)"``); the note gives the PSA mean. ``basis`` says what the match proves
    (:data:`healthecon.reproduction.BASES`) and ``assumptions`` which assumed spreads the
    interval and probability rest on.

    Examples
    --------
    >>> c = ratio_check("demo", "ratio", 2.0, 0.01, 2.0, [1.5, 2.0, 2.5, 0.9], "demo line 1",
    ...                 basis="calibrated", assumptions="assumed 30% spreads")
    >>> c.status, c.probability_text, c.note
    ('match', 'P(ratio > 1) = 0.750', 'PSA over the assumed inputs (4 draws): mean 1.725')
    """
    from healthecon.reproduction import Check

    draws = np.asarray(psa, dtype=float).ravel()
    note = f"PSA over the assumed inputs ({draws.size:,} draws): mean {draws.mean():.4g}"
    return Check(model, figure, published=published, reproduced=float(deterministic), precision=precision,
                 interval=psa_interval(draws), source=source, note=note,
                 probability=float((draws > 1).mean()), probability_label=label or f"P({what} > 1)",
                 basis=basis, assumptions=assumptions)


def run_psa(model, params, draws: int, seed: int):
    """``(base case, PSA)`` outcomes of ``model``: one run at the base case, one of ``draws`` draws."""
    return model.run(params.base_case()), model.run(params.sample(draws, seed))


def money_reproduction(
    name: str,
    title: str,
    checks: Sequence,
    tables: Mapping[str, object],
    notes: Sequence[str],
    base,
    psa,
    one_way=None,
    strategy: str | None = None,
    *,
    one_way_name: str = "one_way",
    cashflows: bool = False,
):
    """The :class:`~healthecon.reproduction.Reproduction` of a money (CBA or SROI) worked model.

    ``tables`` are the model's own; the one-way table (when there is one) and the PSA summary
    (:func:`healthecon.appraisal.headline_table`, computed when first read: only the report
    shows it) follow them, and the charts are :func:`money_charts`.
    """
    from healthecon import appraisal
    from healthecon.reproduction import Reproduction, Tables

    extra = {} if one_way is None else {one_way_name: one_way}
    return Reproduction(
        model=name,
        title=title,
        checks=list(checks),
        tables=Tables({**tables, **extra, "psa_summary": lambda: appraisal.headline_table(psa)}),
        charts=money_charts(base, psa, one_way, strategy, cashflows=cashflows),
        notes=list(notes),
    )


def money_charts(base, psa, one_way=None, strategy: str | None = None, *, cashflows: bool = False) -> dict:
    """The charts of a money (CBA or SROI) reproduction, for :class:`~healthecon.reproduction.Reproduction`.

    ``waterfall`` (deterministic, from gross value to NPV), ``cash_flows`` (if asked), the
    ``acceptability`` curve of the PSA (P(return per £1 > target)) and, when a
    :func:`healthecon.dsa.one_way` table is given, a ``tornado``. Each is a function of an
    optional Axes that returns the Axes.
    """
    charts = {"waterfall": chart("plot_waterfall", base, strategy)}
    if cashflows:
        charts["cash_flows"] = chart("plot_cashflows", base, strategy)
    charts["acceptability"] = chart("plot_acceptability", psa)
    if one_way is not None:
        charts["tornado"] = chart("plot_tornado", one_way, top=10)
    return charts


def tornado_table(model, params, outcome: str, strategy: str | None = None):
    """:func:`healthecon.dsa.one_way` of ``outcome`` over every parameter with a PSA range.

    Each uncertain parameter goes to the ends of its 95% interval (the others at base case);
    returns None when no parameter is uncertain (a zero-variance run has no tornado).
    """
    from healthecon import dsa

    uncertain = {name: (low, high) for name, (low, high) in params.ranges().items() if high > low}
    if not uncertain:
        return None
    # the ranges computed once, given to one_way (which would otherwise take every quantile again)
    return dsa.one_way(model, params, list(uncertain), uncertain, outcome=outcome, strategy=strategy, comparator=None)
