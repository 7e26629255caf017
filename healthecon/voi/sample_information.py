r"""Expected value of sample information (EVSI) by the regression method, and study designs.

:math:`EVSI = E_X[\max_d E(NB_d \mid X)] - \max_d E[NB_d]`, regressing on summary statistics
of simulated study data (Strong, Oakley, Brennan & Breeze 2015).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import xarray as xr

from .._validate import require_positive
from ..errors import AnalysisError, ShapeError, unknown_name
from ..outcomes import SAMPLE, require_aligned
from .metamodel import metamodel_voi, parameter_names, regressors

__all__ = ["Study", "binomial_study", "normal_study", "evsi"]

# A study design: draws -> rng -> {summary statistic name: (n_samples,) array}
Study = Callable[[xr.Dataset, np.random.Generator], Mapping[str, np.ndarray]]


def binomial_study(parameter: str, size: int) -> Study:
    """A study of ``size`` people counting events with probability ``parameter``.

    For each PSA sample ``s`` it simulates ``X_s ~ Binomial(size, p_s)`` and returns the
    summary statistic ``X_s / size`` (sufficient for ``p``), as in Strong et al. (2015),
    section 3.1.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> study = binomial_study("p", 50)
    >>> study(xr.Dataset({"p": ("sample", [0.0, 1.0])}), np.random.default_rng(0))
    {'p (study of 50)': array([0., 1.])}
    """
    size = int(require_positive(size, "study size", AnalysisError))

    def simulate(draws: xr.Dataset, rng: np.random.Generator) -> dict[str, np.ndarray]:
        p = regressors(draws, [parameter], "parameter")[:, 0]
        if ((p < 0) | (p > 1)).any():
            raise AnalysisError(f"parameter {parameter!r}: a binomial study needs probabilities in [0, 1]")
        return {f"{parameter} (study of {size})": rng.binomial(size, p) / size}

    return simulate


def normal_study(parameter: str, size: int, sd: float) -> Study:
    """A study of ``size`` people measuring an outcome with mean ``parameter`` and s.d. ``sd``.

    Simulates the sample mean ``~ Normal(mu_s, sd**2 / size)`` for each PSA sample (Strong et
    al. 2015, section 3.2).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> study = normal_study("cost", 100, sd=50.0)
    >>> means = study(xr.Dataset({"cost": ("sample", [400.0, 600.0])}), np.random.default_rng(0))
    >>> list(means), means["cost (mean of 100)"].round(1)
    (['cost (mean of 100)'], array([400.6, 599.3]))

    A study of the drug cost ``c`` in :func:`evppi_ranking`'s example: EVSI grows with the
    study's size towards the EVPPI of ``c`` (0.98 at £20,000 per QALY there).

    >>> from healthecon.outcomes import make_outcomes
    >>> rng = np.random.default_rng(2)
    >>> p, c, z = rng.beta(20, 80, 1000), rng.gamma(25, 12, 1000), rng.normal(0, 1, 1000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(1000, 1000.0), 1000 + c]),
    ...                      "qaly": np.column_stack([np.full(1000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p), "c": ("sample", c), "z": ("sample", z)})
    >>> [round(float(evsi(out, draws, normal_study("c", size, sd=200.0), 20000, se_draws=0)["evsi"][0]), 2)
    ...  for size in (10, 40)]
    [0.04, 0.8]
    """
    size = int(require_positive(size, "study size", AnalysisError))
    sd = float(require_positive(sd, "study sd", AnalysisError))

    def simulate(draws: xr.Dataset, rng: np.random.Generator) -> dict[str, np.ndarray]:
        mu = regressors(draws, [parameter], "parameter")[:, 0]
        return {f"{parameter} (mean of {size})": rng.normal(mu, sd / np.sqrt(size))}

    return simulate


def evsi(
    outcomes: xr.Dataset,
    draws: xr.Dataset,
    study: Study,
    wtp: float | Sequence[float] | np.ndarray,
    *,
    seed: int | np.random.Generator = 0,
    **options: object,
) -> xr.Dataset:
    r"""Expected value of sample information of a study, by the regression method.

    For each PSA sample the study's data are simulated from that sample's parameters and
    reduced to summary statistics :math:`T(X)`; the incremental costs and effects are then
    regressed on :math:`T(X)` and
    :math:`EVSI = E_X[\max_d E(NB_d \mid X)] - \max_d E[NB_d]` (Strong et al. 2015).

    Parameters
    ----------
    outcomes, draws
        As for :func:`evppi`.
    study
        A study design: :func:`binomial_study`, :func:`normal_study`, or any function
        ``(draws, rng) -> {name: array of shape (n_samples,)}`` of summary statistics.
    wtp
        One threshold or a grid.
    seed
        Seed for simulating the study data and the standard-error draws.
    **options
        Passed on as in :func:`evppi` (``method``, ``kind``, ``se_draws``, ...).

    Returns
    -------
    xarray.Dataset
        As :func:`evppi`, with ``evsi`` in place of ``evppi``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from healthecon.outcomes import make_outcomes
    >>> p = np.random.default_rng(1).beta(20, 80, 2000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(2000, 1000.0), np.full(2000, 1500.0)]),
    ...                      "qaly": np.column_stack([np.full(2000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p)})
    >>> from healthecon.voi import evpi
    >>> small = float(evsi(out, draws, binomial_study("p", 100), 20000)["evsi"].item())
    >>> large = float(evsi(out, draws, binomial_study("p", 1000), 20000)["evsi"].item())
    >>> 0 < small < large <= float(evpi(out, 20000).item())
    True
    """
    require_aligned(outcomes, draws)
    rng = np.random.default_rng(seed)
    summaries = dict(study(draws, rng))
    n = outcomes.sizes[SAMPLE]
    for key, value in summaries.items():
        if np.shape(value) != (n,):
            raise ShapeError(f"study statistic {key!r}: expected shape ({n},), got {np.shape(value)}")
    names = parameter_names(list(summaries), "study statistics")
    x = regressors(xr.Dataset({k: (SAMPLE, np.asarray(v, dtype=float)) for k, v in summaries.items()}), names, "study statistic")
    return metamodel_voi(outcomes, x, names, wtp, seed=rng, name="evsi", **_defaults(options))


def _defaults(options: Mapping[str, object]) -> dict[str, object]:
    allowed = {"method": "auto", "kind": "monetary", "cost": None, "effect": None, "basis_size": None,
               "gp_fit_samples": None, "se_draws": None}
    unknown = set(options) - set(allowed)
    if unknown:
        raise unknown_name("option", sorted(unknown)[0], list(allowed))
    return allowed | dict(options)
