"""Stage: source documents -> templates (``locales/templates/<doc>.pot``, and ``ui.pot``)."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .catalogue import (
    Catalogue,
    build_template,
    build_ui_template,
    dumps_po,
    load_catalogue,
    locked,
    same_messages,
    write_text_atomic,
)
from .config import UI_DOMAIN, Config
from .errors import CatalogueError, ConfigError, SourceError
from .segment import segment_document
from .sources import check_ids, find_documents, template_words

log = logging.getLogger("pipeline")


def creation_date() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set, for reproducible headers."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError as exc:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from exc
    return datetime.now(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class ExtractResult:
    doc_id: str
    path: Path
    messages: int
    written: bool
    source: Path | None = None
    html_blocks: tuple[int, ...] = ()  # lines of HTML blocks with words: shown untranslated everywhere


@dataclass(frozen=True, slots=True)
class _Template:
    """One document's template, made in a worker: its text, or None when the file on disk is current."""

    doc_id: str
    source: Path
    messages: int
    text: str | None
    replaces_malformed: bool = False
    error: SourceError | None = None  # this document could not be read; the others go on
    html_blocks: tuple[int, ...] = ()  # lines of HTML blocks with words, which are not translated


def _template_file(config: Config, domain: str, pot: Catalogue) -> tuple[str | None, bool]:
    """(the text to write, or None when the template on disk differs at most in its date; malformed?)."""
    path = config.pot_path(domain)
    if path.exists():
        try:
            if same_messages(load_catalogue(path), pot):
                return None, False
        except CatalogueError:
            return dumps_po(pot), True
    return dumps_po(pot), False


def _make_template(config: Config, created: datetime, path: Path) -> _Template:
    try:
        doc = segment_document(config, path)
    except SourceError as exc:
        return _Template("", path, 0, None, error=exc)
    pot = build_template(doc.segments, config.project_name, created, config.md_text_flag)
    text, malformed = _template_file(config, doc.id, pot) if doc.id != UI_DOMAIN else (None, False)
    blocks = tuple(doc.html_blocks)
    return _Template(doc.id, path, len(pot.messages), text, malformed, html_blocks=blocks)


# Below this many documents a worker process costs more than it saves.
PARALLEL_EXTRACT_MIN = 16


def _make_templates(config: Config, created: datetime, paths: Sequence[Path]) -> list[_Template]:
    """Every document's template, on every core when there are enough documents."""
    workers = min(os.cpu_count() or 1, len(paths) // (PARALLEL_EXTRACT_MIN // 2))
    if workers < 2 or not sys.platform.startswith("linux"):
        return [_make_template(config, created, path) for path in paths]
    context = multiprocessing.get_context("fork")  # the parser and the config are there already
    job = functools.partial(_make_template, config, created)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(job, paths, chunksize=max(1, len(paths) // (workers * 4))))


def extract(config: Config) -> list[ExtractResult]:
    """Write ``locales/templates/<doc>.pot`` for every document and ``ui.pot`` for the templates' words.

    A template whose messages did not change is left alone (no date churn). A document that
    cannot be read does not stop the others: every one is reported, with file and line, in one
    :class:`SourceError` raised after the others' templates are written.
    """
    paths = find_documents(config.source_dir, config.root)
    if not paths:
        raise SourceError("no Markdown documents (*.md) found", config.source_dir)
    created = creation_date()
    results = []
    with locked(config.locales_dir):
        made = _make_templates(config, created, paths)
        failed = [t.error for t in made if t.error is not None]
        templates = [t for t in made if t.error is None]
        check_ids([(t.doc_id, t.source) for t in templates])
        ui = build_ui_template(template_words(config.project_templates), config.project_name, created)
        text, malformed = _template_file(config, UI_DOMAIN, ui)
        templates.append(_Template(UI_DOMAIN, config.project_templates, len(ui.messages), text, malformed))
        for t in templates:
            path = config.pot_path(t.doc_id)
            if t.replaces_malformed:
                log.warning("%s is malformed; it is replaced by a new template", path)
            if t.text is not None:
                write_text_atomic(path, t.text, durable=False)  # regenerable from the sources
            written = t.text is not None
            results.append(ExtractResult(t.doc_id, path, t.messages, written, t.source, t.html_blocks))
    if failed:
        lines = "\n".join(f"  {error}" for error in failed)
        count = len(failed)
        raise SourceError(f"{count} document(s) could not be read (the others were extracted):\n{lines}")
    return results
