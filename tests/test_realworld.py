"""Real-world Markdown through the ``pipeline`` command: every example, every link, every word.

One regression test per cause found on real documents, each with the smallest snippet, and the
CommonMark spec examples run through extract -> update -> build as a user would.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from pipeline.assemble import assemble
from pipeline.catalogue import load_catalogue, save_catalogue
from pipeline.checks import Context, neutralise_html, run_checks
from pipeline.cli import main
from pipeline.drafts.masking import mask
from pipeline.inline import joins_without_space
from pipeline.parser import markdown_parser
from pipeline.segment import extract
from pipeline.sources import parse_document

from .conftest import FIXTURES

EXAMPLES: list[dict[str, Any]] = json.loads(
    (FIXTURES / "commonmark" / "commonmark.json").read_text(encoding="utf-8")
)
_md = MarkdownIt("commonmark").enable("table")
_md.add_render_rule("softbreak", lambda *_: " ")


def rendering(markdown: str) -> str:
    """HTML compared whitespace-insensitively: runs of white space as one space (a soft break is
    a space), and none between two letters of a script written without spaces (Chinese, Thai)."""
    return _unspaced(re.sub(r"\s+", " ", _md.render(markdown)).strip())


def _unspaced(html: str) -> str:
    out = []
    for i, ch in enumerate(html):
        if ch == " " and 0 < i < len(html) - 1 and joins_without_space(html[i - 1], html[i + 1]):
            continue
        out.append(ch)
    return "".join(out)


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), "-q", *args])


def identity_project(tmp_path: Path, documents: dict[str, str]) -> Path:
    """A project whose one other language (en_GB) translates every entry as itself."""
    project = tmp_path / "identity"
    (project / "source").mkdir(parents=True)
    for name, text in documents.items():
        (project / "source" / name).write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\nlanguages = ["en_GB"]\nrequire_review = false\nmin_translated = 0\n',
        encoding="utf-8",
    )
    assert run(project, "extract") == 0 and run(project, "update") == 0
    for path in (project / "locales" / "en_GB" / "LC_MESSAGES").glob("*.po"):
        catalogue = load_catalogue(path)
        for m in catalogue.messages:
            m.msgstr, m.fuzzy = m.msgid, False
        save_catalogue(path, catalogue)
    assert run(project, "build", "--lang", "en_GB", "--format", "md") == 0
    return project


def test_every_commonmark_example_round_trips_through_the_command(tmp_path: Path) -> None:
    names = {f"ex{e['example']:03d}.md": e["markdown"] for e in EXAMPLES}
    project = identity_project(tmp_path, names)
    differ = [
        name
        for name, text in names.items()
        if rendering((project / "build" / "md" / "en_GB" / name).read_text(encoding="utf-8"))
        != rendering(text)
    ]
    assert len(names) == 652 and differ == []


def _segments(markdown: str) -> list[str]:
    doc = parse_document(markdown, Path("/p/source/x.md"), Path("/p"), front_matter=False)
    return [s.text for s in extract(doc)]


def _rebuilt(markdown: str, translate: Any = None) -> str:
    doc = parse_document(markdown, Path("/p/source/x.md"), Path("/p"), front_matter=False)
    segments = list(extract(doc))
    change = translate or (lambda text: text)
    return assemble(doc, segments, lambda s: neutralise_html(s.text, change(s.text)))


@pytest.mark.parametrize(
    "markdown",
    ["[guide](<my guide.md>)\n", "![chart](<chart (1).png>)\n", "[a](<b)c>)\n", "[link](<foo\\>)\n"],
)
def test_angle_bracket_destinations_are_never_escaped(markdown: str) -> None:
    assert _rebuilt(markdown) == markdown
    assert rendering(_rebuilt(markdown)) == rendering(markdown)


def test_a_line_break_inside_a_code_span_is_a_space_never_an_escape() -> None:
    assert _segments("Run `foo\n2. bar` now\n") == ["Run `foo 2. bar` now"]
    translated = _rebuilt("Run `foo` now\n", lambda t: "Ejecute `foo\n- bar` ya")
    assert translated == "Ejecute `foo - bar` ya\n"  # no list, no backslash in the code


def test_shortcut_and_collapsed_references_keep_their_target_when_translated() -> None:
    source = "Read the [leaflet] and the [dosing guide][].\n\n[leaflet]: /l.pdf\n[dosing guide]: /d.pdf\n"
    assert _segments(source) == ["Read the [leaflet][leaflet] and the [dosing guide][dosing guide]."]
    spanish = _rebuilt(
        source, lambda t: t.replace("[leaflet][", "[folleto][").replace("[dosing guide][", "[guía][")[:-1]
    )
    html = _md.render(spanish)
    assert '<a href="/l.pdf">folleto</a>' in html and '<a href="/d.pdf">guía</a>' in html


def test_cjk_and_thai_soft_breaks_join_without_a_space() -> None:
    assert _segments("手術の前に\n食事をしないでください。\n") == ["手術の前に食事をしないでください。"]
    assert _segments("ห้าม\nขับรถ\n") == ["ห้ามขับรถ"]
    assert _segments("안녕\n하세요\n") == ["안녕 하세요"]  # Korean is written with spaces
    assert markdown_parser().render("手術の前に\n食事\n") == "<p>手術の前に食事</p>\n"


def test_front_matter_scalars_of_every_style_are_translatable(tmp_path: Path) -> None:
    source = (
        "---\nid: doc\ntitle: 'Rest'\ndescription: >\n  Before surgery,\n  do not eat.\n"
        "summary: |\n  Line one\n  Line two\n---\n# Hi\n"
    )
    doc = parse_document(source, tmp_path / "doc.md", tmp_path, keys=("title", "description", "summary"))
    segments = list(extract(doc, ("title", "description", "summary")))
    assert [s.text for s in segments][:3] == ["Rest", "Before surgery, do not eat.", "Line one\nLine two"]
    rebuilt = assemble(doc, segments, lambda s: s.text.upper())
    again = parse_document(rebuilt, tmp_path / "doc.md", tmp_path)
    assert again.front_matter is not None
    assert again.front_matter.values["summary"] == "LINE ONE\nLINE TWO"
    assert again.front_matter.values["description"] == "BEFORE SURGERY, DO NOT EAT."


def test_a_dash_block_that_is_no_front_matter_is_read_as_markdown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "---\nWarning: do not eat before surgery\n---\nRest today.\n"
    doc = parse_document(text, tmp_path / "x.md", tmp_path)
    assert doc.front_matter is None
    assert [s.text for s in extract(doc)] == ["Warning: do not eat before surgery", "Rest today."]
    assert f"{tmp_path / 'x.md'}:1: the '---' block has none of the front-matter keys" in caplog.text


def test_text_in_html_blocks_is_counted_reported_and_marked(
    project: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = project / "source" / "ketamine-therapy-faq.md"
    doc.write_text(
        doc.read_text(encoding="utf-8") + '\n<div class="note">\nCall 911 now.\n</div>\n', encoding="utf-8"
    )
    assert main(["--project", str(project), "extract"]) == 0
    assert "ketamine-therapy-faq.md:" in caplog.text and "HTML block with text: not translated" in caplog.text
    capsys.readouterr()
    assert main(["--project", str(project), "status", "--lang", "es", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert next(r for r in rows if r["document"] == "ketamine-therapy-faq")["untranslated_html_blocks"] == 1
    assert main(["--project", str(project), "build", "--preview", "--lang", "es", "--format", "html"]) == 0
    html = (project / "build" / "preview" / "html" / "es" / "ketamine-therapy-faq.html").read_text(
        encoding="utf-8"
    )
    assert '<div lang="en" dir="ltr" class="note">' in html


@pytest.mark.parametrize(
    "translation",
    [
        "[x](javascript:alert(1))",
        "<javascript:alert(1)>",
        "![i](data:image/svg+xml;base64,PHN2Zz4=)",
        "[x](file:///etc/passwd)",
    ],
)
def test_dangerous_link_targets_are_refused_in_every_format(translation: str) -> None:
    problems = run_checks(Context("[x](https://example.org)", translation, "es"))
    assert any(p.check == "unsafe-targets" and p.blocks for p in problems)
    assert neutralise_html("text", "<javascript:alert(1)>") == "\\<javascript:alert(1)>"  # text, not a link


def test_bare_addresses_are_protected_from_drafting() -> None:
    masked = mask("Write to care@clinic.org or visit www.clinic.org/help today.")
    assert masked.pieces == ("care@clinic.org", "www.clinic.org/help")
    assert "clinic" not in masked.text


EXTENDED = """---
id: extended
title: Before your visit
---

# Before your visit {#visit .lead}

> [!WARNING]
> Do not eat for 6 hours before your session.

Read the [leaflet] and the [dosing guide][] before you come.[^1]

Fasting
: Nothing to eat or drink, except water.

{.small}
See `pipeline check` and <https://clinic.example/help>.

[^1]: Ask us if you are unsure.

[leaflet]: https://clinic.example/leaflet.pdf
[dosing guide]: https://clinic.example/dosing.pdf
"""


def structure(markdown: str) -> list[tuple[str, str]]:
    """Block tokens, link targets, images and code of a document, as a reader would meet them."""
    from pipeline.parser import markdown_parser

    found: list[tuple[str, str]] = []
    for tok in markdown_parser(("footnotes", "alerts", "deflists", "attrs")).parse(markdown, {}):
        if tok.type != "inline":
            found.append((tok.type, str(tok.attrs.get("id", ""))))
            continue
        for child in tok.children or []:
            if child.type in ("link_open", "image", "code_inline", "footnote_ref"):
                target = child.attrGet("href") or child.attrGet("src") or child.content or str(child.meta)
                found.append((child.type, str(target)))
    return found


def pseudo_project(tmp_path: Path, documents: dict[str, str]) -> Path:
    project = tmp_path / "pseudo"
    (project / "source").mkdir(parents=True)
    for name, text in documents.items():
        (project / "source" / name).write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.pipeline]\nlanguages = ["de"]\n', encoding="utf-8")
    assert run(project, "extract") == 0 and run(project, "update") == 0
    assert run(project, "draft", "--engine", "pseudo") == 0
    assert run(project, "build", "--preview", "--format", "md,html") == 0
    return project


def test_extensions_keep_labels_markers_and_attributes_out_of_msgids(tmp_path: Path) -> None:
    project = pseudo_project(tmp_path, {"extended.md": EXTENDED})
    pot = load_catalogue(project / "locales" / "templates" / "extended.pot")
    ids = [m.msgid for m in pot.messages]
    assert "Before your visit" in ids and not any("{#visit" in i or "[!WARNING]" in i for i in ids)
    assert "Read the [leaflet][leaflet] and the [dosing guide][dosing guide] before you come.[^1]" in ids
    assert {"Fasting", "Nothing to eat or drink, except water.", "Ask us if you are unsure."} <= set(ids)
    contexts = {m.msgid: m.extracted_comments for m in pot.messages}
    assert contexts["Fasting"] == ["definition term"]
    assert contexts["Ask us if you are unsure."] == ["paragraph in footnote"]
    assert contexts["Do not eat for 6 hours before your session."] == ["paragraph in callout"]
    drafted = (project / "build" / "preview" / "md" / "de" / "extended.md").read_text(encoding="utf-8")
    assert structure(drafted) == structure(EXTENDED)  # same blocks, targets, images, code: 0 links lost


def test_callout_titles_are_template_words_and_callouts_are_notes(tmp_path: Path) -> None:
    project = pseudo_project(tmp_path, {"extended.md": EXTENDED})
    ui = load_catalogue(project / "locales" / "templates" / "ui.pot")
    assert {"Note", "Tip", "Important", "Warning", "Caution"} <= {m.msgid for m in ui.messages}
    html = (project / "build" / "preview" / "html" / "de" / "extended.html").read_text(encoding="utf-8")
    assert '<div class="markdown-alert markdown-alert-warning" role="note">' in html
    assert '<h1 id="visit" class="lead">' in html and "{#visit" not in html
    assert 'class="footnote-ref"' in html and "<dl>" in html


def test_footnote_labels_never_change() -> None:
    problems = run_checks(Context("Ask us.[^1]", "Pregúntenos.[^uno]", "es"))
    assert [p.check for p in problems if p.blocks] == ["footnotes"]
    assert mask("Ask us.[^1]").pieces == ("[^1]",)


def test_extensions_can_be_switched_off(tmp_path: Path) -> None:
    project = tmp_path / "plain"
    (project / "source").mkdir(parents=True)
    (project / "source" / "x.md").write_text("> [!NOTE]\n> Rest.\n", encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.pipeline]\nextensions = []\n", encoding="utf-8")
    assert run(project, "extract") == 0
    ids = [m.msgid for m in load_catalogue(project / "locales" / "templates" / "x.pot").messages]
    assert ids == ["[!NOTE] Rest."]  # plain CommonMark: the marker is text
