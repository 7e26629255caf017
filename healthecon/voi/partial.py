r"""Expected value of partial perfect information (EVPPI) by the regression method.

:math:`EVPPI_\phi(\lambda) = E_\phi[\max_d E(NB_d \mid \phi)] - \max_d E[NB_d]`
(Strong, Oakley & Brennan 2014), through :func:`healthecon.voi.metamodel.metamodel_voi`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import AnalysisError
from ..outcomes import SAMPLE, require_aligned
from .metamodel import metamodel_voi, parameter_names, regressors

__all__ = ["evppi", "evppi_ranking"]


def evppi(
    outcomes: xr.Dataset,
    draws: xr.Dataset,
    parameters: str | Sequence[str],
    wtp: float | Sequence[float] | np.ndarray,
    *,
    method: str = "auto",
    kind: str = "monetary",
    cost: str | None = None,
    effect: str | None = None,
    basis_size: int | None = None,
    gp_fit_samples: int | None = None,
    se_draws: int | None = None,
    seed: int | np.random.Generator = 0,
) -> xr.Dataset:
    r"""Expected value of partial perfect information for one parameter or a group.

    :math:`EVPPI_\phi(\lambda) = E_\phi[\max_d E(NB_d \mid \phi)] - \max_d E[NB_d]`, with the
    conditional expectation estimated by regressing each strategy's incremental cost and
    incremental effect (against the first strategy) on the parameters :math:`\phi` over the
    PSA sample (Strong, Oakley & Brennan 2014). Fitting is done once per strategy and
    quantity; every threshold reuses the fits. See the module docstring for the metamodels.

    Parameters
    ----------
    outcomes
        An outcome set from a PSA.
    draws
        The parameter draws that produced ``outcomes`` (same samples, same order).
    parameters
        A parameter name or a list of names (a group, valued jointly).
    wtp
        One threshold or a grid.
    method
        ``"spline"`` (penalised regression splines, 1 or 2 parameters), ``"gp"`` (Gaussian
        process, any number) or ``"auto"`` (spline for up to 2 parameters, else GP).
    kind
        ``"monetary"`` or ``"health"`` net benefit.
    cost, effect
        Variables to use; default to the outcome set's ``cost`` and ``effect``.
    basis_size
        Spline basis functions per parameter (default 10 for one parameter, 6 per parameter
        for two).
    gp_fit_samples
        Samples used to estimate the GP length scales, and the inducing points of the
        low-rank posterior mean at every sample (the exact GP when at least the sample size);
        the smoothing is then chosen on all samples. Default ``max(100, 30 * p)`` for ``p``
        parameters (the voi package estimates hyperparameters on ``min(30 p, 250)``
        samples): three parameters and three strategies take about 0.2 s at 10,000 samples.
        Cost grows as its square (times the sample size) and cube.
    se_draws
        How the standard error of the fit is computed: ``None`` (default) by the delta method
        (one product with each fit's basis; see :mod:`.metamodel`), an integer >= 2 by that
        many posterior draws of the fits (Strong et al. 2014, section 3.3; slower, the two
        agree to first order), or 0 to skip it.
    seed
        Seed for the standard-error draws and the GP subset.

    Returns
    -------
    xarray.Dataset
        ``evppi`` (wtp), its standard error ``se`` (wtp) with its two parts, ``se_fit`` (the
        metamodel's fit, as ``se_draws`` says; NaN, and so ``se``, with ``se_draws=0``) and
        ``se_sampling`` (the Monte Carlo error of the PSA sample: the standard deviation of
        the per-sample opportunity loss over ``sqrt(n)``), ``se = sqrt(se_fit**2 +
        se_sampling**2)``; ``evpi`` (wtp) for comparison; and
        the metamodel diagnostics ``r2`` and ``edf`` (effective degrees of freedom) by
        compared strategy and quantity (incremental cost, incremental effect). Attrs name the
        parameters, method, reference strategy, units and ``se_fit_method``.

    Warns
    -----
    UserWarning
        If the estimate exceeds the EVPI by more than two standard errors (a metamodel that
        overfits, or too few samples).

    Raises
    ------
    ShapeError
        If ``outcomes`` and ``draws`` have different numbers of samples.
    UnknownNameError
        If a parameter is not in ``draws``.
    AnalysisError
        If the metamodel has as many terms as there are samples, or an option is invalid.

    Examples
    --------
    The new treatment's QALYs depend on the response probability ``p``, its cost on the drug
    cost ``c``; ``z`` plays no part in the model.

    >>> import numpy as np, xarray as xr
    >>> from healthecon.outcomes import make_outcomes
    >>> rng = np.random.default_rng(2)
    >>> p, c, z = rng.beta(20, 80, 1000), rng.gamma(25, 12, 1000), rng.normal(0, 1, 1000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(1000, 1000.0), 1000 + c]),
    ...                      "qaly": np.column_stack([np.full(1000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p), "c": ("sample", c), "z": ("sample", z)})
    >>> one = evppi(out, draws, "p", [20000, 30000])
    >>> one["evppi"].round(1).values, one["evpi"].round(1).values, one.attrs["method"]
    (array([ 38.3, 114.6]), array([ 41. , 117.4]), 'spline')

    ``p`` and ``c`` together determine the outcomes, so their joint EVPPI (by default a
    Gaussian process for more than two parameters; chosen here for two) is the EVPI:

    >>> both = evppi(out, draws, ["p", "c"], [20000, 30000], method="gp", gp_fit_samples=100, se_draws=0)
    >>> both["evppi"].round(1).values
    array([ 41. , 117.4])
    """
    require_aligned(outcomes, draws)
    names = parameter_names(parameters, "parameters")
    x = regressors(draws, names, "parameter")
    return metamodel_voi(outcomes, x, names, wtp, method=method, kind=kind, cost=cost, effect=effect,
                          basis_size=basis_size, gp_fit_samples=gp_fit_samples, se_draws=se_draws, seed=seed,
                          name="evppi")


def evppi_ranking(
    outcomes: xr.Dataset,
    draws: xr.Dataset,
    wtp: float,
    parameters: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    **options: object,
) -> pd.DataFrame:
    """EVPPI of each parameter (or group) at one threshold, largest first (for :func:`plot_evppi`).

    Parameters
    ----------
    outcomes, draws
        As for :func:`evppi`.
    wtp
        One threshold.
    parameters
        Names to rank one at a time, or ``{label: [names]}`` to rank groups valued jointly.
        Default: every ``(sample,)`` variable in ``draws`` that varies, with the categories
        of a Dirichlet (variables sharing ``attrs["group"]``) valued together under the
        group's name. Fixed parameters are left out (their EVPPI is 0).
    **options
        Passed to :func:`evppi` (``method``, ``kind``, ``se_draws``, ``seed``, ...).

    Returns
    -------
    pandas.DataFrame
        Index ``parameter``; columns ``evppi``, ``se``, ``share_of_evpi`` (EVPPI / EVPI, 0 when
        EVPI is 0), ``r2_min`` (the smallest metamodel R-squared), ``method`` and ``parameters``
        (the names in each row). Attrs ``wtp``, ``evpi``, ``kind``, ``units``, ``currency``,
        ``effect_unit``.

    Examples
    --------
    The model of :func:`evppi`'s example: QALYs depend on ``p``, cost on ``c``, nothing on ``z``.

    >>> import numpy as np, xarray as xr
    >>> from healthecon.outcomes import make_outcomes
    >>> rng = np.random.default_rng(2)
    >>> p, c, z = rng.beta(20, 80, 1000), rng.gamma(25, 12, 1000), rng.normal(0, 1, 1000)
    >>> out = make_outcomes({"cost": np.column_stack([np.full(1000, 1000.0), 1000 + c]),
    ...                      "qaly": np.column_stack([np.full(1000, 0.70), 0.66 + 0.25 * p])},
    ...                     ["usual care", "new"], effect="qaly")
    >>> draws = xr.Dataset({"p": ("sample", p), "c": ("sample", c), "z": ("sample", z)})
    >>> table = evppi_ranking(out, draws, 20000, se_draws=20)
    >>> table[["evppi", "share_of_evpi", "method"]].round(2)
               evppi  share_of_evpi  method
    parameter
    p          38.26           0.93  spline
    c           0.98           0.02  spline
    z           0.00           0.00  spline
    >>> round(table.attrs["evpi"], 2)
    40.98

    Groups valued jointly, under labels of your choosing:

    >>> evppi_ranking(out, draws, 20000, {"efficacy": ["p"], "costs": ["c"]}, se_draws=0).index.tolist()
    ['efficacy', 'costs']
    """
    grid = np.atleast_1d(np.asarray(wtp, dtype=float))
    if grid.size != 1:
        raise AnalysisError(f"wtp: evppi_ranking works at one threshold, got {grid.size}")
    require_aligned(outcomes, draws)
    if parameters is None:
        groups: dict[str, list[str]] = {}
        for name, var in draws.data_vars.items():
            values = np.asarray(var.values)
            if var.dims == (SAMPLE,) and values.size and (values != values[0]).any():
                groups.setdefault(str(var.attrs.get("group", name)), []).append(str(name))
    elif isinstance(parameters, Mapping):
        groups = {str(label): parameter_names(names, f"parameters of {label!r}") for label, names in parameters.items()}
    else:
        groups = {name: [name] for name in parameter_names(parameters, "parameters")}
    if not groups:
        raise AnalysisError("evppi_ranking: no parameter varies across the samples")
    rows, result = [], None
    for label, names in groups.items():
        result = evppi(outcomes, draws, names, float(grid[0]), **options)  # type: ignore[arg-type]
        rows.append((label, float(result["evppi"][0]), float(result["se"][0]), float(result["r2"].min()),
                     result.attrs["method"], ", ".join(names)))
    frame = pd.DataFrame(rows, columns=["parameter", "evppi", "se", "r2_min", "method", "parameters"]).set_index("parameter")
    total = float(result["evpi"][0])
    frame.insert(2, "share_of_evpi", frame["evppi"] / total if total > 0 else 0.0)
    frame = frame.sort_values("evppi", ascending=False, kind="stable")
    frame.attrs = {"wtp": float(grid[0]), "evpi": total} | {k: result.attrs[k] for k in ("kind", "units", "currency", "effect_unit")}
    return frame

