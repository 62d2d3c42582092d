"""Accessible, print-ready handouts, checked on the real outputs: PDF/UA structure (pypdf), axe-core in
headless Chromium, bidi order in the PDF text (pdftotext), printed links, QR codes, large print, page
budget, the index."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from pipeline.catalogue import load_catalogue, save_catalogue
from pipeline.cli import main
from pipeline.review import sign

from .conftest import ROOT, system_tool

FAQ = "ketamine-therapy-faq"
FEELS = "what-ketamine-therapy-feels-like"
LINK = "Questions? Visit [our website](https://clinic.example/contact/) or call 555-0100."
AXE = sorted((ROOT / "build" / "axe").glob("axe-core-*.min.js"))


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


def _review(project: Path, lang: str, domain: str) -> None:
    path = project / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"
    po = load_catalogue(path)
    for m in po.messages:
        if m.msgstr:
            m.fuzzy = False
            sign(m, "Ana Ruiz", dt.date(2026, 11, 20))
            sign(m, "Ben Okafor", dt.date(2026, 11, 21))
    save_catalogue(path, po)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = tmp_path_factory.mktemp("a11y") / "project"
    project.mkdir()
    shutil.copytree(ROOT / "source", project / "source")
    shutil.copytree(ROOT / "locales", project / "locales", ignore=shutil.ignore_patterns(".pipeline.lock"))
    shutil.copy(ROOT / "glossary.toml", project / "glossary.toml")
    faq = project / "source" / f"{FAQ}.md"
    Image.new("RGB", (40, 20), "teal").save(project / "source" / "map.png")
    text = faq.read_text(encoding="utf-8").replace(
        "audience:", "description: Answers to common questions\naudience:"
    )
    faq.write_text(text + f"\n{LINK}\n\n![Map of the clinic](map.png)\n", encoding="utf-8")
    settings = (
        (ROOT / "pyproject.toml")
        .read_text(encoding="utf-8")
        .replace("min_translated = 100", "min_translated = 0")
        .replace(
            "[tool.pipeline]\n",
            '[tool.pipeline]\nqr_base_url = "https://clinic.example/handouts"\n'
            "large_print = true\nmax_pages = 1\n",
        )
    )
    (project / "pyproject.toml").write_text(settings, encoding="utf-8")
    assert run(project, "extract") == 0 and run(project, "update") == 0
    for domain in (FAQ, FEELS, "ui"):
        _review(project, "es", domain)
    # Arabic: two entries left in English, to see how fallback text reads in a right-to-left page.
    path = project / "locales" / "ar" / "LC_MESSAGES" / f"{FAQ}.po"
    po = load_catalogue(path)
    for m in po.messages:
        if m.msgid == "Can I drive afterward?" or m.msgid.startswith("No. You will need"):
            m.msgstr, m.fuzzy = "", False
    save_catalogue(path, po)
    assert run(project, "build") == 0
    assert run(project, "build", "--preview") == 0
    assert run(project, "review", "sheet", "--lang", "ar", "--doc", FAQ) == 0
    yield project


def pdf_text(path: Path, *options: str) -> str:
    tool = system_tool("pdftotext", "Debian's 'poppler-utils' package")
    return subprocess.run([tool, *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _structure(node: Any, found: list[tuple[str, Any]]) -> None:
    node = node.get_object()
    if not hasattr(node, "get"):
        return
    if node.get("/S") is not None:
        found.append((str(node["/S"]), node))
    kids = node.get("/K")
    if kids is not None:
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            _structure(kid, found)


@pytest.mark.parametrize(
    ("pdf", "lang"),
    [
        (f"pdf/en/{FAQ}.pdf", "en"),
        (f"pdf/es/{FAQ}.pdf", "es"),
        (f"pdf/es/{FAQ}.large.pdf", "es"),
        (f"preview/pdf/ar/{FAQ}.pdf", "ar"),
        (f"preview/pdf/fa/{FEELS}.pdf", "fa"),
        (f"preview/pdf/zh_CN/{FAQ}.pdf", "zh-CN"),
        (f"review/ar/{FAQ}-sheet.pdf", "en"),
    ],
)
def test_every_pdf_is_tagged_pdf_ua(site: Path, pdf: str, lang: str) -> None:
    path = site / "build" / pdf
    info = subprocess.run(
        [system_tool("pdfinfo", "poppler-utils"), str(path)], capture_output=True, text=True
    )
    assert "Tagged:          yes" in info.stdout
    reader = PdfReader(path)
    root: Any = reader.trailer["/Root"]
    assert str(root["/Lang"]) == lang and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] and reader.metadata and reader.metadata.title
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()
    found: list[tuple[str, Any]] = []
    _structure(root["/StructTreeRoot"], found)
    kinds = [k for k, _ in found]
    assert "/Document" in kinds and "/P" in kinds
    levels = [int(k[2:]) for k in kinds if re.fullmatch(r"/H[1-6]", k)]
    assert levels and levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    figures = [node for kind, node in found if kind == "/Figure"]
    if pdf.endswith(f"{FAQ}.pdf") and "review" not in pdf:
        assert figures, "the clinic map is a figure"
    assert all(str(node.get("/Alt", "")).strip() for node in figures)
    fonts = subprocess.run(
        [system_tool("pdffonts", "poppler-utils"), str(path)], capture_output=True, text=True
    )
    assert all(
        line.split()[-5] == "yes" for line in fonts.stdout.splitlines()[2:] if line.strip()
    )  # embedded


def test_fallback_text_reads_in_its_own_direction(site: Path) -> None:
    html = (site / "build" / "preview" / "html" / "ar" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert re.search(r'<h2 lang="en" dir="ltr"[^>]*>(<mark[^>]*>)?Can I drive afterward\?', html)
    raw = pdf_text(site / "build" / "preview" / "pdf" / "ar" / f"{FAQ}.pdf", "-raw")
    assert "Can I drive afterward?" in raw and "?Can I drive afterward" not in raw
    assert "No. You will need someone to drive you home" in raw
    # A do-not-translate name inside an Arabic sentence is isolated.
    assert '<bdi lang="en">One Mind Wellness &amp; Ketamine</bdi>' in (
        site / "build" / "preview" / "html" / "ar" / f"{FEELS}.html"
    ).read_text(encoding="utf-8")


def test_links_and_the_web_version_survive_printing(site: Path) -> None:
    text = pdf_text(site / "build" / "pdf" / "es" / f"{FAQ}.pdf")
    assert "(clinic.example/contact)" in text.replace("\n", " ")
    assert f"https://clinic.example/handouts/es/{FAQ}.html" in text
    html = (site / "build" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert re.search(
        rf'<img class="qr-code" src="data:image/svg\+xml[^"]*" alt="https://clinic.example/handouts/es/{FAQ}.html">',
        html,
    )


def _body_height(path: Path) -> float:
    """The median height of words on the first page (about the body text's size, in points)."""
    xml = pdf_text(path, "-bbox", "-f", "1", "-l", "1")
    heights = sorted(
        float(m.group(2)) - float(m.group(1))
        for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', xml)
    )
    return heights[len(heights) // 2]


def _words(path: Path) -> str:
    return re.sub(r"\s+|Página \d+ de \d+", "", pdf_text(path))


def test_large_print_has_18_point_text_and_the_same_content(site: Path) -> None:
    normal, large = (
        site / "build" / "pdf" / "es" / f"{FAQ}.pdf",
        site / "build" / "pdf" / "es" / f"{FAQ}.large.pdf",
    )
    assert _body_height(large) >= 18 * 0.9 > _body_height(normal)
    assert len(PdfReader(large).pages) > len(PdfReader(normal).pages)
    assert _words(large).count("¿") == _words(normal).count("¿")  # the same questions, bigger


def test_the_page_budget_is_reported(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(site, "status", "--lang", "es", "--format", "json") == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["document"] == FAQ)
    assert row["pdf_pages"] >= 2 and row["over_page_budget"] == f"{row['pdf_pages']} pages, 1 allowed"


def test_pages_describe_themselves_and_their_siblings(site: Path) -> None:
    html = (site / "build" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="' in html  # (the Spanish description is left untranslated here)
    assert f'<link rel="alternate" hreflang="en" href="../en/{FAQ}.html">' in html
    assert f'<link rel="alternate" hreflang="es" href="../es/{FAQ}.html">' in html


def test_a_partial_build_keeps_every_handout_in_the_index(site: Path) -> None:
    assert run(site, "build", "--lang", "vi", "--format", "html") == 0
    index = (site / "build" / "index.html").read_text(encoding="utf-8")
    assert f'href="html/es/{FAQ}.html"' in index and 'lang="es"' in index and 'lang="vi"' in index
    assert "PDF, large print" in index


def test_a_missing_image_fails_loudly_once(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    faq = project / "source" / f"{FAQ}.md"
    faq.write_text(faq.read_text(encoding="utf-8") + "\n![Map](nowhere/map.png)\n", encoding="utf-8")
    assert run(project, "extract") == 0 and run(project, "update", "--lang", "es") == 0
    assert run(project, "build", "--lang", "es", "--format", "html,pdf") == 1
    lines = [r.getMessage() for r in caplog.records if "image not found" in r.getMessage()]
    last = len(faq.read_text(encoding="utf-8").splitlines())
    assert lines == [f"source/{FAQ}.md:{last}: image not found: nowhere/map.png"]
    assert not (project / "build" / "html" / "en" / f"{FAQ}.html").exists()
    assert "refused to fetch" not in caplog.text


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver_path = system_tool("chromedriver", "Debian's 'chromium-driver' package")
    options = webdriver.ChromeOptions()
    options.binary_location = system_tool("chromium", "Debian's 'chromium' package")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


PAGES = [
    "index.html",
    f"html/en/{FAQ}.html",
    f"html/es/{FAQ}.html",
    f"html/es/{FEELS}.html",
    "preview/index.html",
    f"preview/html/es/{FAQ}.html",
    f"preview/html/ar/{FAQ}.html",
    f"preview/html/fa/{FEELS}.html",
    f"preview/html/zh_CN/{FAQ}.html",
    f"review/ar/{FAQ}-sheet.html",
]


@pytest.mark.parametrize("page", PAGES)
def test_axe_core_finds_no_serious_violation(site: Path, browser: Any, page: str) -> None:
    if not AXE:
        pytest.fail("axe-core is missing: run 'python tools/axe.py' (nox -s tests does)")
    browser.set_window_size(1280, 900)
    browser.get((site / "build" / page).as_uri())
    browser.execute_script(AXE[-1].read_text(encoding="utf-8"))
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v =>"
        " [v.id, v.impact, v.nodes.length, v.nodes[0].html.slice(0, 100)])))"
        ".catch(e => done([['axe failed', 'critical', 0, String(e)]]));"
    )
    assert [v for v in violations if v[1] in ("serious", "critical")] == []


@pytest.mark.parametrize("width", [360, 900, 1400])
def test_the_index_fits_the_screen(site: Path, browser: Any, width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get((site / "build" / "index.html").as_uri())
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


@pytest.mark.parametrize(
    "pdf",
    [f"pdf/en/{FAQ}.pdf", f"pdf/es/{FAQ}.pdf", f"preview/pdf/ar/{FAQ}.pdf", f"preview/pdf/zh_CN/{FAQ}.pdf"],
)
def test_handouts_pass_the_pdfua_validator(site: Path, pdf: str) -> None:
    """pdfua (PyPI) checks the machine-checkable subset of PDF/UA-1; veraPDF is in no registry here."""
    tool = system_tool("pdfua", "the 'pdfua' package of the test dependencies")
    done = subprocess.run(
        [tool, "check", str(site / "build" / pdf)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "result: PASS" in done.stdout, done.stdout
