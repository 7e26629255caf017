"""Exception types raised by healthecon.

Every error raised on bad input names *what* is at fault (the parameter, state, node,
strategy, cycle, outcome, year or data row) and *what was expected*, so that an analyst can
fix the input without reading the library's code. All inherit from :class:`HealthEconError`
and from the matching built-in (``ValueError``, ``LookupError`` or ``TypeError``), so code that
already catches built-ins keeps working.

Examples
--------
>>> from healthecon.errors import ParameterError
>>> try:
...     raise ParameterError("parameter 'p_death': expected a probability in [0, 1], got 1.2")
... except ValueError as err:
...     print(err)
parameter 'p_death': expected a probability in [0, 1], got 1.2
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "HealthEconError",
    "ParameterError",
    "DistributionFitError",
    "ModelDefinitionError",
    "TransitionError",
    "TreeError",
    "UnknownNameError",
    "ShapeError",
    "OutcomesError",
    "AnalysisError",
    "ProvenanceError",
    "OptionalDependencyError",
    "unknown_name",
    "require_extra",
]


class HealthEconError(Exception):
    """Base class of every error raised by healthecon."""


class ParameterError(HealthEconError, ValueError):
    """A parameter or distribution was given an impossible or invalid value."""


class DistributionFitError(ParameterError):
    """A distribution cannot be built from the reported statistics.

    For example a Beta whose standard deviation is too large for its mean, or a 95%
    confidence interval that does not contain the mean.
    """


class ModelDefinitionError(HealthEconError, ValueError):
    """A model (Markov, tree, SROI, CBA) is defined inconsistently."""


class TransitionError(ModelDefinitionError):
    """A transition probability is invalid; the message names strategy, cycle, from and to."""


class TreeError(ModelDefinitionError):
    """A decision tree is invalid; the message names the node at fault."""


class ShapeError(HealthEconError, ValueError):
    """Arrays or sequences have mismatched lengths or shapes."""


class UnknownNameError(HealthEconError, LookupError):
    """A state, strategy, parameter, node, stakeholder or outcome name is not defined."""

    def __str__(self) -> str:  # LookupError would otherwise print the repr of the message
        return str(self.args[0]) if self.args else ""


class OutcomesError(HealthEconError, ValueError):
    """An outcome container is malformed (missing dimensions, NaN values, unknown variables)."""


class AnalysisError(HealthEconError, ValueError):
    """An analysis cannot be carried out on the inputs given."""


class ProvenanceError(HealthEconError, ValueError):
    """A data file row lacks provenance or its provenance is inconsistent."""


class OptionalDependencyError(HealthEconError, ImportError):
    """A function needs a library that is an optional extra of healthecon and is not installed."""


def unknown_name(kind: str, name: object, known: Iterable[object]) -> UnknownNameError:
    """Build an :class:`UnknownNameError` that lists the names that do exist.

    Parameters
    ----------
    kind
        What sort of name it is, e.g. ``"state"`` or ``"strategy"``.
    name
        The name that was not found.
    known
        The names that are defined.

    Examples
    --------
    >>> print(unknown_name("state", "sik", ["healthy", "sick", "dead"]))
    unknown state 'sik'; expected one of: 'healthy', 'sick', 'dead'
    """
    listed = ", ".join(repr(k) for k in known)
    return UnknownNameError(f"unknown {kind} {name!r}; expected one of: {listed}")


def require_extra(module: str, extra: str, purpose: str):
    """Import and return the optional library ``module``, or raise :class:`OptionalDependencyError`
    saying that ``purpose`` needs it and which extra of healthecon installs it.

    Examples
    --------
    >>> require_extra("json", "netcdf", "reading JSON").__name__
    'json'
    >>> require_extra("no_such_library", "netcdf", "saving outcomes as NetCDF (.nc)")
    Traceback (most recent call last):
    ...
    healthecon.errors.OptionalDependencyError: saving outcomes as NetCDF (.nc) needs no_such_library, which is not installed: pip install "healthecon[netcdf]"
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise OptionalDependencyError(
            f'{purpose} needs {module}, which is not installed: pip install "healthecon[{extra}]"'
        ) from None
