"""Sphinx configuration for the healthecon documentation site.

Build (from the repository's root)::

    pip install -e ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

and open ``docs/_build/html/index.html``. The gallery runs every script in ``examples/``
(sphinx-gallery) and shows the figures each one writes; the API reference is generated from the
docstrings. CI (``.ci/run``) builds it with warnings as errors.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import healthecon  # noqa: E402

project = "healthecon"
author = "healthecon developers"
copyright = "2026, healthecon developers"
version = release = healthecon.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip",
                    "auto_examples/*.json", "auto_examples/*.md5", "**/*.codeobj.json"]
templates_path = ["_templates"]

autosummary_generate = True
autosummary_imported_members = False
# ignore-module-all: a package's ``__all__`` re-exports names defined in its modules; document each
# object once, in the module that defines it (otherwise every re-export is a duplicate description).
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]  # $...$ and $$...$$ maths on the Markdown pages

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "xarray": ("https://docs.xarray.dev/en/stable", None),
    "pandas": ("https://pandas.pydata.org/docs", None),
}
# The build runs offline (CI has no network beyond package registries): intersphinx inventories
# are fetched only when HEALTHECON_DOCS_ONLINE is set, so an offline build has no warnings.
if not os.environ.get("HEALTHECON_DOCS_ONLINE"):
    intersphinx_mapping = {}

# ---- gallery -------------------------------------------------------------------------------
# Each example is given its own temporary output folder as its first argument (as a user runs
# ``python examples/NAME.py FOLDER``), so building the docs never writes into tracked files. The
# gallery shows the PNG files the example writes there: what a user gets, at the size and
# resolution the example chose (several examples close their figures after saving them, so
# matplotlib's own scraper would miss them).
_example_output = Path(tempfile.mkdtemp(prefix="healthecon-gallery-"))


def _example_argv(_gallery_conf: dict, script_vars: dict) -> list[str]:
    return [str(_example_output / Path(script_vars["src_file"]).stem)]


_shown: set[Path] = set()


def _written_figures(_block, block_vars: dict, gallery_conf: dict) -> str:
    """sphinx-gallery image scraper: the PNG files the example wrote since the last block."""
    import matplotlib.pyplot as plt
    from sphinx_gallery.scrapers import figure_rst

    plt.close("all")  # figures left open are shown through the files they were saved to
    folder = _example_output / Path(block_vars["src_file"]).stem
    new = sorted(p for p in folder.glob("*.png") if p not in _shown) if folder.is_dir() else []
    rst = []
    for written, target in zip(new, block_vars["image_path_iterator"]):
        _shown.add(written)
        shutil.copyfile(written, target)
        alt = f"Chart written by the example to {written.name}"
        rst.append(figure_rst([target], gallery_conf["src_dir"], alt))
    return "".join(rst)


sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",
    "reset_argv": _example_argv,
    "image_scrapers": (_written_figures,),
    "plot_gallery": "True",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

# ---- theme ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "healthecon"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
# single pages have no section to navigate: no empty left sidebar
html_sidebars = {page: [] for page in ("getting_started", "conventions", "worked_models", "validation",
                                         "architecture", "contributing")}

# The one suppressed warning, external: Sphinx cannot pickle sphinx_gallery_conf because it holds
# functions (the scraper and reset_argv above, as sphinx-gallery's documentation shows), so it
# rebuilds rather than caches; the output is unaffected.
suppress_warnings = ["config.cache"]


# ---- named convention presets --------------------------------------------------------------
class ConventionPresets(SphinxDirective):
    """``.. conventions-presets::``: the reference of ``healthecon.conventions`` (named peer
    presets) when the installed version has that module, otherwise a sentence saying so; the
    conventions page thus builds without warnings either way."""

    def run(self) -> list[nodes.Node]:
        if importlib.util.find_spec("healthecon.conventions") is None:
            return [nodes.paragraph(text=(
                "This version of healthecon has no healthecon.conventions module: choose the "
                "correction and discount timing by name as in the table above."))]
        content = StringList([".. automodule:: healthecon.conventions", "   :members:", "   :no-index:"],
                             source="conventions-presets")
        container = nodes.container()
        self.state.nested_parse(content, self.content_offset, container)
        return container.children


def setup(app):
    app.add_directive("conventions-presets", ConventionPresets)
