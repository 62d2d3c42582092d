"""The pipeline's stages as functions: extract, update, build. The CLI is a thin layer on top."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .assemble import assemble
from .catalogue import (
    Catalogue,
    MergeStats,
    build_template,
    load_catalogue,
    locked,
    merge,
    new_catalogue,
    plural_forms,
    same_messages,
    save_catalogue,
    write_text_atomic,
)
from .config import Config
from .errors import CatalogueError, ConfigError, SourceError
from .model import Document, Segment
from .segment import extract as extract_segments
from .sources import find_documents, read_document

log = logging.getLogger("pipeline")

FORMATS = ("md", "html")


def creation_date() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set, for reproducible headers."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError as exc:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from exc
    return datetime.now(UTC).replace(second=0, microsecond=0)


def load_documents(config: Config) -> list[Document]:
    """Every source document, read and segmented; duplicate ids are an error."""
    documents: list[Document] = []
    seen: dict[str, Path] = {}
    for path in find_documents(config.source_dir):
        doc = read_document(path, config.root)
        if doc.id in seen:
            raise SourceError(f"document id {doc.id!r} is already used by {seen[doc.id]}", path)
        seen[doc.id] = path
        doc.segments = list(extract_segments(doc, config.front_matter_keys, config.translator_note_marker))
        documents.append(doc)
    if not documents:
        raise SourceError("no Markdown documents (*.md) found", config.source_dir)
    return documents


@dataclass(frozen=True, slots=True)
class ExtractResult:
    doc_id: str
    path: Path
    messages: int
    written: bool


def extract(config: Config) -> list[ExtractResult]:
    """Write ``locales/templates/<doc>.pot`` for every document; unchanged templates are left alone."""
    documents = load_documents(config)
    date = creation_date()
    results = []
    with locked(config.locales_dir):
        for doc in documents:
            pot = build_template(doc.segments, config.project_name, date, config.md_text_flag)
            path = config.pot_path(doc.id)
            written = True
            if path.exists():
                try:
                    if same_messages(load_catalogue(path), pot):
                        written = False
                except CatalogueError:
                    log.warning("%s is malformed; it is replaced by a new template", path)
            if written:
                save_catalogue(path, pot)
            results.append(ExtractResult(doc.id, path, len(pot.messages), written))
    return results


@dataclass(frozen=True, slots=True)
class UpdateResult:
    doc_id: str
    language: str
    path: Path
    created: bool
    written: bool
    stats: MergeStats


def _template_for(config: Config, doc_id: str) -> Catalogue:
    path = config.pot_path(doc_id)
    if not path.exists():
        raise CatalogueError("template not found: run 'pipeline extract' first", path)
    return load_catalogue(path)


def update(config: Config, languages: Sequence[str]) -> list[UpdateResult]:
    """Create or merge ``locales/<lang>/LC_MESSAGES/<doc>.po`` from each template.

    All PO files are read (and so checked) before any is written: a malformed
    file stops the run with its file and line, and nothing is overwritten.
    """
    documents = load_documents(config)
    results = []
    with locked(config.locales_dir):
        templates = {doc.id: _template_for(config, doc.id) for doc in documents}
        existing = {
            (doc.id, lang): load_catalogue(config.po_path(lang, doc.id))
            for doc in documents
            for lang in languages
            if config.po_path(lang, doc.id).exists()
        }
        for doc in documents:
            pot = templates[doc.id]
            for lang in languages:
                path = config.po_path(lang, doc.id)
                old = existing.get((doc.id, lang))
                if old is None:
                    po = new_catalogue(pot, lang)
                    stats = MergeStats(kept=0, fuzzy=0, new=len(po.messages), obsolete=0)
                else:
                    po, stats = merge(old, pot, config.fuzzy_cutoff)
                    if not po.header_value("Language"):
                        po.set_header("Language", lang)
                    if not po.header_value("Plural-Forms"):
                        po.set_header("Plural-Forms", plural_forms(lang))
                written = save_catalogue(path, po)
                results.append(UpdateResult(doc.id, lang, path, old is None, written, stats))
    return results


@dataclass(frozen=True, slots=True)
class BuildResult:
    doc_id: str
    language: str
    translated: int
    total: int
    outputs: tuple[Path, ...]


def translations_of(catalogue: Catalogue | None, include_fuzzy: bool) -> dict[str, str]:
    """msgid -> msgstr for the entries that may be used (fuzzy only when asked)."""
    if catalogue is None:
        return {}
    return {
        m.msgid: m.msgstr
        for m in catalogue.active
        if m.msgctxt is None and m.msgstr and (include_fuzzy or not m.fuzzy)
    }


def build(
    config: Config, languages: Sequence[str], formats: Sequence[str], include_fuzzy: bool = False
) -> list[BuildResult]:
    """Write translated Markdown and HTML for every document and language into ``build/``."""
    from .render.html import render_page

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ConfigError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    documents = load_documents(config)
    catalogues: dict[tuple[str, str], Catalogue | None] = {}
    for doc in documents:
        for lang in languages:
            path = config.po_path(lang, doc.id)
            catalogues[(doc.id, lang)] = load_catalogue(path) if path.exists() else None
    results = []
    for doc in documents:
        for lang in (config.source_language, *languages):
            table = translations_of(catalogues.get((doc.id, lang)), include_fuzzy)
            texts = {s.text for s in doc.segments}
            done = sum(1 for t in texts if t in table)

            def translate(seg: Segment, table: dict[str, str] = table) -> str | None:
                return table.get(seg.text)

            markdown = assemble(doc, doc.segments, translate) if table else "".join(doc.lines)
            outputs = []
            if "md" in formats:
                out = config.build_dir / "md" / lang / f"{doc.id}.md"
                write_text_atomic(out, markdown)
                outputs.append(out)
            if "html" in formats:
                out = config.build_dir / "html" / lang / f"{doc.id}.html"
                write_text_atomic(out, render_page(markdown, doc, lang, config))
                outputs.append(out)
            results.append(
                BuildResult(
                    doc.id,
                    lang,
                    done if lang != config.source_language else len(texts),
                    len(texts),
                    tuple(outputs),
                )
            )
    return results
