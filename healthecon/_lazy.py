"""Lazy attributes of a package (PEP 562), shared by ``healthecon``, ``healthecon.plot`` and
``healthecon.report``: a name is imported from its submodule on first use, so importing the
package costs little and a call loads only what it needs."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Collection, Mapping

__all__ = ["load_attribute"]


def load_attribute(package: str, name: str, names: Mapping[str, str], submodules: Collection[str] = ()) -> object:
    """The attribute ``name`` of ``package``, for the package's module-level ``__getattr__``.

    A name in ``submodules`` is that submodule (importing it binds it in the package); a name in
    ``names`` (public name -> submodule that defines it) is read from its submodule and bound in
    the package's namespace, so later look-ups skip ``__getattr__``. Anything else raises
    :class:`AttributeError`, as a missing module attribute does.
    """
    if name in submodules:
        return importlib.import_module(f"{package}.{name}")
    if name not in names:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{package}.{names[name]}"), name)
    vars(sys.modules[package])[name] = value
    return value
