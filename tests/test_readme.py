"""The README's Python examples run, and print exactly what the README shows.

Every ```python block is executed in order in one namespace (later blocks use earlier
names), in a temporary directory; when a ```text block follows it directly, the block's
printed output must equal it (trailing spaces ignored). Run this file as a script to print
each block's actual output when the README needs updating.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"```python\n(?P<code>.*?)```\n(?:\n```text\n(?P<output>.*?)```)?", re.DOTALL)


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def readme_blocks() -> list[tuple[str, str | None]]:
    """(code, expected output or None) for each Python block of the README, in order."""
    return [(m["code"], m["output"]) for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]


def run_blocks(blocks: list[tuple[str, str | None]]) -> list[str]:
    """Execute the blocks in one namespace; return each block's printed output."""
    namespace: dict[str, object] = {"__name__": "__readme__"}
    printed = []
    for i, (code, _) in enumerate(blocks):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)  # noqa: S102 - our own README
        printed.append(buffer.getvalue())
    return printed


def test_readme_has_examples():
    assert len(readme_blocks()) >= 5


def test_readme_examples_print_what_the_readme_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = readme_blocks()
    for i, ((_, expected), actual) in enumerate(zip(blocks, run_blocks(blocks))):
        if expected is not None:
            assert _normalise(actual) == _normalise(expected), f"README python block {i + 1} printed something else"


def test_readme_opens_with_the_install_and_test_commands():
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert "healthecon reproduce" in first_block[0]
    # the test command activates .venv itself, so it works in a new terminal too
    assert first_block[1].startswith(". .venv/bin/activate && pip install") and "python -m pytest" in first_block[1]


if __name__ == "__main__":  # pragma: no cover - a maintenance aid
    import os
    import tempfile

    os.chdir(tempfile.mkdtemp())
    for i, out in enumerate(run_blocks(readme_blocks())):
        sys.stdout.write(f"--- block {i + 1}\n{out}")
