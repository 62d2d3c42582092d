"""Reassembly: lossless with identity translations, structure-preserving with any translation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.assemble import assemble
from pipeline.model import Segment
from pipeline.segment import extract
from pipeline.sources import parse_document

from .conftest import FIXTURES, ROOT

EXAMPLES: list[dict[str, Any]] = json.loads(
    (FIXTURES / "commonmark" / "commonmark.json").read_text(encoding="utf-8")
)
DOCUMENTS = sorted((ROOT / "source").glob("*.md")) + sorted((FIXTURES / "segments").glob("*.md"))

# A soft line break is whitespace in HTML; msgids turn it into a space, so both
# renderings print it as one. Everything else is compared byte for byte.
_md = MarkdownIt("commonmark").enable("table")
_md.add_render_rule("softbreak", lambda self, tokens, idx, options, env: " ")


def render(markdown: str) -> str:
    html: str = _md.render(markdown)
    return html


def _round_trip(markdown: str, translate: Any, front_matter: bool = False) -> str:
    doc = parse_document(markdown, Path("/p/source/x.md"), Path("/p"), front_matter=front_matter)
    return assemble(doc, list(extract(doc)), translate)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"ex{e['example']}" for e in EXAMPLES])
def test_commonmark_example_round_trips(example: dict[str, Any]) -> None:
    source = example["markdown"]
    rebuilt = _round_trip(source, lambda seg: seg.text)
    assert render(rebuilt) == render(source)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_document_round_trips(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    doc = parse_document(source, path, path.parent.parent)
    segments = list(extract(doc, ("title", "description")))
    assert segments
    rebuilt = assemble(doc, segments, lambda seg: seg.text)
    body = parse_document(rebuilt, path, path.parent.parent)
    assert render(body.body) == render(doc.body)
    assert body.front_matter is not None and doc.front_matter is not None
    assert body.front_matter.values == doc.front_matter.values


def structure(markdown: str) -> list[tuple[str, str, int, str, Any]]:
    """The block skeleton of a document: every block token but not the inline text."""
    tokens: list[Token] = _md.parse(markdown)
    return [
        (t.type, t.tag, t.level, t.info if t.type == "fence" else "", t.attrGet("start"))
        for t in tokens
        if t.type != "inline" and t.type not in ("code_block", "fence", "html_block")
    ]


HOSTILE = [
    "# not a heading",
    "- not a list",
    "+ not a list",
    "* * *",
    "1. not a list",
    "7) not a list",
    "> not a quote",
    "```not a fence",
    "~~~",
    "<div>not html</div>",
    "<!-- not a comment -->",
    "    not code",
    "[ref]: /not-a-definition",
    "cell | with | pipes",
    "ends with #",
    "text\n===",
    "text\n---",
    "line\n- item",
    "line\n1. item",
    "line\n# heading",
    "line\n> quote",
    "line\\\n## heading after hard break",
    "two\n\nparagraphs",
    "",
]


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_translation_cannot_change_document_structure(path: Path, hostile: str) -> None:
    source = path.read_text(encoding="utf-8")
    doc = parse_document(source, path, path.parent.parent)
    rebuilt = assemble(doc, list(extract(doc)), lambda seg: hostile)
    assert structure(parse_document(rebuilt, path, path.parent.parent).body) == structure(doc.body)


_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
_lines = st.lists(st.one_of(st.sampled_from(HOSTILE), _words), min_size=1, max_size=4).map("\n".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(example=st.sampled_from(EXAMPLES), text=_lines)
def test_any_translation_keeps_commonmark_structure(example: dict[str, Any], text: str) -> None:
    source = example["markdown"]
    rebuilt = _round_trip(source, lambda seg: text)
    assert structure(rebuilt) == structure(source)


def test_untranslated_segments_keep_source_bytes() -> None:
    path = ROOT / "source" / "ketamine-therapy-faq.md"
    source = path.read_text(encoding="utf-8")
    doc = parse_document(source, path, ROOT)
    segments = list(extract(doc, ("title",)))

    def translate(seg: Segment) -> str | None:
        return "¿Es seguro?" if seg.text == "Is it safe?" else None

    rebuilt = assemble(doc, segments, translate)
    assert rebuilt == source.replace("## Is it safe?", "## ¿Es seguro?")


def test_line_numbers_follow_commonmark_line_endings() -> None:
    """U+2028 and form feeds are not line endings in Markdown; CRLF and CR are."""
    source = "# Title\r\n\r\nA line\u2028with a separator\x0cand a form feed.\r\n\r\nLast one.\rEnd\n"
    doc = parse_document(source, Path("/p/source/x.md"), Path("/p"), front_matter=False)
    segments = list(extract(doc))
    assert [(s.text, s.origin.line) for s in segments] == [
        ("Title", 1),
        ("A line\u2028with a separator\x0cand a form feed.", 3),
        ("Last one. End", 5),
    ]
    rebuilt = assemble(doc, segments, lambda seg: seg.text.upper())
    assert rebuilt == "# TITLE\r\n\r\nA LINE\u2028WITH A SEPARATOR\x0cAND A FORM FEED.\r\n\r\nLAST ONE. END\n"
