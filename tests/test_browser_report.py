"""The reports in a real browser: headless Chromium through playwright, at a laptop's and a phone's width, and printed.

Checks what only a browser can: no horizontal overflow at 1280 px and 390 px, every image loads,
and the full reproduction report (all worked models) prints on at most 40 A4 pages. Skipped,
saying why, only where no browser exists (playwright not installed, or no Chromium to drive).
"""

import os
import re

import numpy as np
import pytest

import healthecon as he
from healthecon.cli import run_models
from healthecon.worked import MODELS
from healthecon.worked.report import write_outputs

SYSTEM_CHROMIUM = "/usr/bin/chromium"
MAX_PAGES = 40


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as playwright:
        options = {"args": ["--headless", "--no-sandbox", "--disable-gpu"]}
        if os.path.exists(SYSTEM_CHROMIUM):
            options["executable_path"] = SYSTEM_CHROMIUM
        try:
            launched = playwright.chromium.launch(**options)
        except Exception as err:  # no system Chromium and no playwright download
            pytest.skip(f"no Chromium for playwright to drive ({SYSTEM_CHROMIUM} absent, and: {str(err).splitlines()[0]})")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def reproduction_page(tmp_path_factory):
    reproductions, failures, _ = run_models(MODELS, progress=False)
    assert failures == {}
    folder = tmp_path_factory.mktemp("reproduction")
    return write_outputs(reproductions, folder, run_info={"models": ", ".join(MODELS)})[-1]


@pytest.fixture(scope="module")
def analysis_page(tmp_path_factory):
    rng = np.random.default_rng(5)
    out = he.make_outcomes({"cost": rng.normal([[1000.0, 1600.0]], 100, (300, 2)),
                            "qaly": rng.normal([[5.0, 5.04]], 0.01, (300, 2))},
                           strategies=["usual care", "virtual ward with a long name for a narrow screen"], effect="qaly")
    return he.report(out, title="Virtual ward", out=tmp_path_factory.mktemp("analysis")).html


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("which", ["reproduction_page", "analysis_page"])
def test_no_horizontal_overflow_and_every_image_loads(browser, request, which, width):
    path = request.getfixturevalue(which)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{which} is {overflow} px wider than a {width} px screen"
    images = page.evaluate("Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.alt])")
    assert images and all(loaded for loaded, _ in images)
    assert all(len(alt) > 30 for _, alt in images)  # alt text says what the chart shows
    page.close()


def test_the_reproduction_report_prints_on_at_most_40_a4_pages(browser, reproduction_page):
    page = browser.new_page()
    page.goto(reproduction_page.as_uri())
    pages = pdf_pages(page.pdf(format="A4", print_background=True))
    page.close()
    assert 0 < pages <= MAX_PAGES


def test_page_count_reads_a_pdf(browser, analysis_page):
    page = browser.new_page()
    page.goto(analysis_page.as_uri())
    pdf = page.pdf(format="A4")
    page.close()
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) >= 2  # the summary, then the uncertainty part on a new page


def test_the_ledger_fits_a_laptop_screen_without_breaking_a_word(browser, reproduction_page):
    """Eleven columns at 1280 px: the table no wider than its box, and no header or cell split
    inside a word (a cell's text takes no more lines than it has words, counting hyphens)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(reproduction_page.as_uri())
    wrap = page.evaluate("(() => { const w = document.querySelector('table.ledger').parentElement; return [w.scrollWidth, w.clientWidth]; })()")
    split = page.evaluate("""Array.from(document.querySelectorAll('table.ledger th, table.ledger td')).filter(c => {
        const r = document.createRange(); r.selectNodeContents(c);
        const lines = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size;
        return lines > c.innerText.trim().split(/[\\s-]+/).length; }).map(c => c.innerText)""")
    page.close()
    assert wrap[0] <= wrap[1], f"the ledger is {wrap[0] - wrap[1]} px wider than its box"
    assert split == []


def test_the_ledger_prints_on_landscape_pages_and_the_models_on_portrait(browser, reproduction_page):
    page = browser.new_page()
    page.goto(reproduction_page.as_uri())
    pdf = page.pdf(prefer_css_page_size=True)
    page.close()
    sizes = [tuple(round(float(x)) for x in box.split()[2:]) for box in re.findall(rb"/MediaBox\s*\[\s*([\d. ]+)\]", pdf)]
    assert sizes[0] == (842, 595) and sizes[-1] == (595, 842)  # A4 landscape first, A4 portrait for the models
    assert sizes.index((595, 842)) < 6  # the ledger takes a few pages, not the report
