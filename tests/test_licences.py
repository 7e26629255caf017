"""Third-party datasets keep their licences: each is listed in LICENSE-DATA.md, whose licence
texts are shipped, and the wheel carries them (setuptools' default licence-file patterns)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTICE = ROOT / "LICENSE-DATA.md"
# a header that names another package as the source of the data
FOREIGN = re.compile(r"\b(R package|Stata package|GPL)", re.IGNORECASE)


def _header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()[:12]
    return "\n".join(line for line in lines if line.startswith("#"))


@pytest.mark.parametrize("path", sorted([*ROOT.glob("data/**/*.csv"), *ROOT.glob("tests/validation/data/*.csv")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_a_dataset_from_another_package_is_listed_with_its_licence(path):
    if FOREIGN.search(_header(path)):
        assert f"`{path.relative_to(ROOT).as_posix()}`" in NOTICE.read_text(encoding="utf-8"), (
            f"{path.relative_to(ROOT)} comes from another package: list it and its licence in LICENSE-DATA.md")


def test_the_notice_names_only_files_that_exist_and_its_licence_texts_are_shipped():
    text = NOTICE.read_text(encoding="utf-8")
    named = re.findall(r"`((?:data|tests)/[^`]+\.csv)`", text)
    assert len(named) == 5 and all((ROOT / name).is_file() for name in named), named
    for licence in re.findall(r"`(LICENSE-GPL-[\d.]+\.txt)`", text):
        assert "GNU GENERAL PUBLIC LICENSE" in (ROOT / licence).read_text(encoding="utf-8")[:200]
