"""Segmentation: what becomes an entry, with which text, references and comments."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.catalogue import build_template, dumps_po
from pipeline.model import BlockKind
from pipeline.segment import extract
from pipeline.sources import parse_document, read_document

from .conftest import FIXTURES, ROOT

DATE = datetime(2026, 1, 1, tzinfo=UTC)
GOLDEN = sorted((FIXTURES / "segments").glob("*.md")) + sorted((ROOT / "source").glob("*.md"))


def _pot(path: Path, root: Path) -> str:
    doc = read_document(path, root)
    segments = extract(doc, ("title", "description"), "note for translators:")
    return dumps_po(build_template(segments, "test", DATE))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_template_matches_golden_file(path: Path) -> None:
    """Each fixture document has an expected POT (``UPDATE_GOLDEN=1`` rewrites them)."""
    root = path.parent.parent
    expected = FIXTURES / "segments" / (path.stem + ".pot")
    actual = _pot(path, root)
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")


def _texts(markdown: str) -> list[str]:
    doc = parse_document(markdown, Path("/p/source/x.md"), Path("/p"))
    return [s.text for s in extract(doc)]


def test_block_syntax_never_reaches_a_msgid() -> None:
    texts = _texts((FIXTURES / "segments" / "blocks.md").read_text(encoding="utf-8"))
    assert "Before your *infusion*" in texts
    assert "Check in at the front desk." in texts
    assert 'Nested quote with an ![image of a phone](phone.png "Our phone").' in texts
    assert "Arrive | check in" in texts
    for text in texts:
        assert not text.startswith(("#", ">", "- ", "1. ", "|", "    ")), text
    assert not any("code block" in t or "indented code" in t or "HTML block" in t for t in texts)
    assert "08:00" not in texts and "1" not in texts  # no words, nothing to translate


def test_rewrapping_a_paragraph_does_not_change_its_msgid() -> None:
    one = _texts("Eat a light meal at least 2 hours before. Wear comfortable clothes.\n")
    two = _texts("Eat a light meal\n   at least 2 hours\nbefore. Wear comfortable\nclothes.\n")
    assert one == two == ["Eat a light meal at least 2 hours before. Wear comfortable clothes."]


def test_hard_breaks_survive_as_backslash_newline() -> None:
    assert _texts("Line one  \nline two\\\nline three\n") == ["Line one\\\nline two\\\nline three"]


def test_identical_text_is_one_entry_with_two_references() -> None:
    pot = _pot(FIXTURES / "segments" / "blocks.md", FIXTURES)
    entry = pot.split("Eat a light meal at least 2 hours before.")[0].rsplit("\n\n", 1)[1]
    assert "#: segments/blocks.md:11 segments/blocks.md:52" in entry


def test_translator_note_becomes_extracted_comment_on_next_entry() -> None:
    doc = read_document(FIXTURES / "segments" / "blocks.md", FIXTURES)
    segments = list(extract(doc, ("title",), "note for translators:"))
    heading = next(s for s in segments if s.text == "What happens at the IV clinic")
    assert heading.notes == ('"IV" means intravenous; keep the abbreviation.',)
    assert heading.kind is BlockKind.HEADING
    assert sum(1 for s in segments if s.notes) == 1


def test_front_matter_declared_keys_only() -> None:
    doc = read_document(FIXTURES / "segments" / "blocks.md", FIXTURES)
    front = [s for s in extract(doc, ("title", "description")) if s.kind is BlockKind.FRONT_MATTER]
    assert [(s.text, s.origin.line) for s in front] == [
        ("Before your infusion", 3),
        ("What to expect on the day", 4),
    ]
    assert doc.id == "blocks"


def test_document_id_defaults_to_file_name(tmp_path: Path) -> None:
    (tmp_path / "leaflet.md").write_text("# Hi there\n", encoding="utf-8")
    assert read_document(tmp_path / "leaflet.md", tmp_path).id == "leaflet"
