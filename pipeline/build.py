"""The pipeline's stages as functions: extract, update, build. The CLI is a thin layer on top."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from . import prefork
from .assemble import assemble
from .catalogue import (
    Catalogue,
    MergeStats,
    build_template,
    build_ui_template,
    dumps_po,
    load_catalogue,
    locked,
    merge,
    new_catalogue,
    plural_forms,
    same_messages,
    save_catalogue,
    write_text_atomic,
)
from .checks import load_glossary, neutralise_html
from .config import UI_DOMAIN, Config
from .errors import BuildError, CatalogueError, ConfigError, SourceError
from .fileio import write_bytes_atomic
from .localedata import locale_info
from .model import Document, HandoutStatus, Segment
from .publish import Plan, plan_handout
from .render.pdf import PdfJob, warm_up, write_pdf
from .render.pdf import cost as pdf_cost
from .segment import extract as extract_segments
from .sources import find_documents, read_document

log = logging.getLogger("pipeline")

FORMATS = ("md", "html", "pdf")


def creation_date() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set, for reproducible headers."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError as exc:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from exc
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _segmented(config: Config, path: Path) -> Document:
    doc = read_document(path, config.root)
    doc.segments = list(
        extract_segments(doc, config.front_matter_keys, config.translator_note_marker, config.critical_marker)
    )
    return doc


def _check_ids(pairs: Sequence[tuple[str, Path]]) -> None:
    seen: dict[str, Path] = {}
    for doc_id, path in pairs:
        if doc_id == UI_DOMAIN:
            raise SourceError(f"document id {UI_DOMAIN!r} is reserved for the handout templates' words", path)
        if doc_id in seen:
            raise SourceError(f"document id {doc_id!r} is already used by {seen[doc_id]}", path)
        seen[doc_id] = path


def load_documents(config: Config) -> list[Document]:
    """Every source document, read and segmented; duplicate ids are an error."""
    documents = [_segmented(config, path) for path in find_documents(config.source_dir)]
    if not documents:
        raise SourceError("no Markdown documents (*.md) found", config.source_dir)
    _check_ids([(doc.id, doc.path) for doc in documents])
    return documents


def _domains(documents: Sequence[Document]) -> list[str]:
    return [doc.id for doc in documents] + [UI_DOMAIN]


@dataclass(frozen=True, slots=True)
class ExtractResult:
    doc_id: str
    path: Path
    messages: int
    written: bool


@dataclass(frozen=True, slots=True)
class _Template:
    """One document's template, made in a worker: its text, or None when the file on disk is current."""

    doc_id: str
    source: Path
    messages: int
    text: str | None
    replaces_malformed: bool = False


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
    doc = _segmented(config, path)
    pot = build_template(doc.segments, config.project_name, created, config.md_text_flag)
    text, malformed = _template_file(config, doc.id, pot) if doc.id != UI_DOMAIN else (None, False)
    return _Template(doc.id, path, len(pot.messages), text, malformed)


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
        # Errors come back in document order, so the first broken file is the one reported.
        return list(pool.map(job, paths, chunksize=max(1, len(paths) // (workers * 4))))


def extract(config: Config) -> list[ExtractResult]:
    """Write ``locales/templates/<doc>.pot`` for every document and ``ui.pot`` for the templates' words.

    A template whose messages did not change is left alone (no date churn).
    """
    from .render.html import extract_ui_messages

    paths = find_documents(config.source_dir)
    if not paths:
        raise SourceError("no Markdown documents (*.md) found", config.source_dir)
    created = creation_date()
    results = []
    with locked(config.locales_dir):
        templates = _make_templates(config, created, paths)
        _check_ids([(t.doc_id, t.source) for t in templates])
        ui = build_ui_template(extract_ui_messages(config.project_templates), config.project_name, created)
        text, malformed = _template_file(config, UI_DOMAIN, ui)
        templates.append(_Template(UI_DOMAIN, config.project_templates, len(ui.messages), text, malformed))
        for t in templates:
            path = config.pot_path(t.doc_id)
            if t.replaces_malformed:
                log.warning("%s is malformed; it is replaced by a new template", path)
            if t.text is not None:
                write_text_atomic(path, t.text, durable=False)  # regenerable from the sources
            results.append(ExtractResult(t.doc_id, path, t.messages, t.text is not None))
    return results


@dataclass(frozen=True, slots=True)
class UpdateResult:
    doc_id: str
    language: str
    path: Path
    created: bool
    written: bool
    stats: MergeStats


def _template_for(config: Config, domain: str) -> Catalogue:
    path = config.pot_path(domain)
    if not path.exists():
        raise CatalogueError("template not found: run 'pipeline extract' first", path)
    return load_catalogue(path)


def update(config: Config, languages: Sequence[str]) -> list[UpdateResult]:
    """Create or merge ``locales/<lang>/LC_MESSAGES/<doc>.po`` from each template.

    All PO files are read (and so checked) before any is written: a malformed
    file stops the run with its file and line, and nothing is overwritten.
    """
    domains = _domains(load_documents(config))
    results = []
    with locked(config.locales_dir):
        templates = {d: _template_for(config, d) for d in domains}
        existing = {
            (d, lang): load_catalogue(config.po_path(lang, d))
            for d in domains
            for lang in languages
            if config.po_path(lang, d).exists()
        }
        for domain in domains:
            pot = templates[domain]
            for lang in languages:
                path = config.po_path(lang, domain)
                old = existing.get((domain, lang))
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
                results.append(UpdateResult(domain, lang, path, old is None, written, stats))
    return results


@dataclass(slots=True)
class HandoutResult:
    """What the build did with one document in one language."""

    doc_id: str
    language: str
    status: HandoutStatus
    translated: int
    total: int
    reason: str = ""
    outputs: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rebuilt: bool = True


def _load(path: Path) -> Catalogue | None:
    return load_catalogue(path) if path.exists() else None


def _title(plan: Plan) -> str:
    doc = plan.doc
    for seg in doc.segments:
        if seg.kind.value == "front matter" and seg.context == "front matter: title":
            return plan.text_for(seg.text) or seg.text
    for seg in doc.segments:
        if seg.kind.value == "heading":
            return plan.text_for(seg.text) or seg.text
    return doc.id


def _updated(doc: Document) -> date | None:
    if doc.front_matter is None:
        return None
    value = doc.front_matter.values.get("updated")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _outputs(root: Path, doc_id: str, lang: str, formats: Sequence[str]) -> dict[str, Path]:
    return {fmt: root / fmt / lang / f"{doc_id}.{fmt}" for fmt in formats}


def _copy_static(config: Config, out_root: Path) -> str:
    """Copy the stylesheets, and the source folder's images and other assets, next to the pages."""
    from .render.html import TEMPLATES

    static = out_root / "html" / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for path in sorted((TEMPLATES / "static").iterdir()):
        write_text_atomic(static / path.name, path.read_text(encoding="utf-8"), durable=False)
    for path in sorted(config.source_dir.rglob("*")):
        if path.is_file() and path.suffix != ".md" and not path.name.startswith("."):
            target = out_root / "html" / "_assets" / path.relative_to(config.source_dir)
            write_bytes_atomic(target, path.read_bytes(), durable=False)
    return "../_static"


def build(
    config: Config,
    languages: Sequence[str],
    formats: Sequence[str],
    *,
    preview: bool = False,
    renderer: prefork.Prefork | None = None,
) -> list[HandoutResult]:
    """Write handouts for every document in the source language and each language.

    Published handouts go to ``build/<format>/<lang>/<doc>``, with only
    translated, non-fuzzy text; a language below ``min_translated`` is withheld
    (and any earlier output of it removed). ``preview`` builds every language
    with drafts, marked as such, into ``build/preview/``. PDFs are rendered by ``renderer``
    (started by the caller so that WeasyPrint loads while this module is imported; closed
    here), or by one started here.
    """
    if renderer is None and "pdf" in formats:
        # WeasyPrint is imported and warmed up on the other core while this one plans.
        renderer = prefork.start(warm_up)
    try:
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ConfigError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        return _build(config, languages, formats, preview, renderer)
    finally:
        if renderer is not None:
            renderer.close()


def _build(
    config: Config,
    languages: Sequence[str],
    formats: Sequence[str],
    preview: bool,
    renderer: prefork.Prefork | None,
) -> list[HandoutResult]:
    documents = load_documents(config)
    all_languages = (config.source_language, *languages)
    catalogues = {
        (d, lang): _load(config.po_path(lang, d)) for d in _domains(documents) for lang in languages
    }
    out_root = config.build_dir / "preview" if preview else config.build_dir
    static = _copy_static(config, out_root)
    glossary = load_glossary(config.glossary_path)
    plans = [
        plan_handout(
            doc,
            lang,
            catalogues.get((doc.id, lang)),
            source_language=config.source_language,
            min_translated=config.min_translated,
            preview=preview,
            require_review=config.require_review,
            glossary=glossary,
            critical_words=config.critical_words,
        )
        for doc in documents
        for lang in all_languages
    ]
    results: list[HandoutResult] = []
    manifest_path = out_root / ".manifest.json"
    manifest = _read_manifest(manifest_path)
    common = _common_fingerprint(config, preview)
    todo: list[tuple[HandoutResult, Plan, dict[str, Path], str]] = []
    for plan in plans:
        doc, lang = plan.doc, plan.language
        result = HandoutResult(doc.id, lang, plan.status, plan.translated, plan.total, plan.reason)
        result.counts = dict(plan.counts)
        result.refused = [f"{msgid[:60]!r}: {c.refused}" for msgid, c in plan.choices.items() if c.refused]
        results.append(result)
        paths = _outputs(out_root, doc.id, lang, formats)
        key = f"{doc.id}/{lang}"
        if plan.status is HandoutStatus.WITHHELD:
            for path in paths.values():
                path.unlink(missing_ok=True)
            manifest.pop(key, None)
            continue
        fingerprint = _fingerprint(config, plan, plans, formats, common)
        if manifest.get(key) == fingerprint and all(p.exists() for p in paths.values()):
            result.outputs = list(paths.values())
            result.rebuilt = False
            continue
        manifest.pop(key, None)
        todo.append((result, plan, paths, fingerprint))
    for (result, plan, paths, fingerprint), outcome in zip(
        todo,
        _render_all(config, [(plan, paths) for _, plan, paths, _ in todo], static, plans, preview, renderer),
        strict=True,
    ):
        if isinstance(outcome, BuildError):
            if preview:
                raise outcome
            result.status = HandoutStatus.WITHHELD
            result.reason = str(outcome)
            for path in paths.values():
                path.unlink(missing_ok=True)
            continue
        result.outputs = outcome
        manifest[f"{plan.doc.id}/{plan.language}"] = fingerprint
    write_text_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n", durable=False)
    index = out_root / "index.html"
    write_text_atomic(index, _index_page(config, documents, all_languages, results, preview), durable=False)
    return results


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _digest_files(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(str(path).encode())
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()


def _common_fingerprint(config: Config, preview: bool) -> str:
    """What every handout depends on: templates, styles, settings, glossary, assets, our version."""
    from . import __version__
    from .render.html import TEMPLATES

    files = sorted(TEMPLATES.rglob("*"))
    if config.project_templates.is_dir():
        files += sorted(config.project_templates.rglob("*"))
    files += [config.root / "pyproject.toml", config.glossary_path]
    files += sorted(p for p in config.source_dir.rglob("*") if p.suffix != ".md")
    return hashlib.sha256(f"{__version__} {preview} {_digest_files(files)}".encode()).hexdigest()


def _fingerprint(
    config: Config, plan: Plan, plans: Sequence[Plan], formats: Sequence[str], common: str
) -> str:
    """Everything one handout is made from; an unchanged fingerprint means an unchanged output."""
    lang = plan.language
    siblings = sorted(
        p.language for p in plans if p.doc.id == plan.doc.id and p.status is not HandoutStatus.WITHHELD
    )
    files = [plan.doc.path]
    if not plan.is_source:
        files += [config.po_path(lang, plan.doc.id), config.po_path(lang, UI_DOMAIN)]
    parts = [common, lang, ",".join(siblings), ",".join(formats), _digest_files(files)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _render_all(
    config: Config,
    jobs: Sequence[tuple[Plan, dict[str, Path]]],
    static: str,
    plans: Sequence[Plan],
    preview: bool,
    renderer: prefork.Prefork | None,
) -> list[list[Path] | BuildError]:
    """Write the pages here, then their PDFs on every core: each handout's files, or its error."""
    outcomes: list[list[Path] | BuildError] = []
    pdf_jobs: dict[int, PdfJob] = {}
    for plan, paths in jobs:
        try:
            written, pdf_job = _write_page(config, plan, paths, static, plans, preview)
        except BuildError as exc:
            outcomes.append(exc)
            continue
        if pdf_job is not None:
            pdf_jobs[len(outcomes)] = pdf_job
        outcomes.append(written)
    # Largest first, so that the cores finish together.
    order = sorted(pdf_jobs, key=lambda i: -pdf_cost(pdf_jobs[i]))
    for i, error in zip(order, _write_pdfs([pdf_jobs[i] for i in order], renderer), strict=True):
        page = outcomes[i]
        assert not isinstance(page, BuildError)
        outcomes[i] = error if error is not None else [*page, pdf_jobs[i].out]
    return outcomes


def _write_pdfs(jobs: Sequence[PdfJob], renderer: prefork.Prefork | None) -> list[BuildError | None]:
    """Render PDFs in this order: in the warmed-up process's workers, or a pool, or here."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if not jobs:
        return []
    if renderer is not None:
        return renderer.map(write_pdf, jobs, workers)
    if workers < 2:
        return [write_pdf(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context()) as pool:
        return list(pool.map(write_pdf, jobs))


def _write_page(
    config: Config, plan: Plan, paths: dict[str, Path], static: str, plans: Sequence[Plan], preview: bool
) -> tuple[list[Path], PdfJob | None]:
    """Write a handout's Markdown and HTML; the PDF, when wanted, is returned as a job to run."""
    from .render.html import PageContext, SwitcherItem, render_handout

    doc, lang = plan.doc, plan.language
    locale = locale_info(lang)
    written: list[Path] = []
    if "md" in paths:

        def translate(seg: Segment) -> str | None:
            text = plan.text_for(seg.text)
            return neutralise_html(seg.text, text) if text is not None else None

        text = assemble(doc, doc.segments, translate)
        write_text_atomic(paths["md"], text, durable=False)
        written.append(paths["md"])
    if "html" not in paths and "pdf" not in paths:
        return written, None
    ui_catalogue = None if plan.is_source else _load(config.po_path(lang, UI_DOMAIN))
    version = doc.front_matter.values.get("version") if doc.front_matter else None
    updated = _updated(doc)
    siblings = [p for p in plans if p.doc.id == doc.id and (p.status is not HandoutStatus.WITHHELD)]
    switcher = tuple(
        SwitcherItem(
            tag=locale_info(p.language).tag,
            name=locale_info(p.language).autonym,
            href=f"../{p.language}/{doc.id}.html",
            current=p.language == lang,
        )
        for p in siblings
    )
    context = PageContext(
        title=_title(plan),
        clinic=config.clinic,
        doc_id=doc.id,
        version=locale.native_digits(str(version)) if version is not None else None,
        reviewers=", ".join(plan.reviewers) or None,
        reviewed_on=locale.format_date(plan.reviewed_on) if plan.reviewed_on else None,
        updated=locale.format_date(updated) if updated else None,
        page_size=config.page_size,
        static=static,
        switcher=switcher,
        preview=preview,
    )
    html = render_handout(plan, locale, context, ui_catalogue, config.project_templates)
    html_path = paths.get("html") or paths["pdf"].parent.parent.parent / "html" / lang / f"{doc.id}.html"
    if "html" in paths:
        write_text_atomic(paths["html"], html, durable=False)
        written.append(paths["html"])
    if "pdf" not in paths:
        return written, None
    job = PdfJob(
        html=html,
        base_url=html_path.parent,
        roots=(config.root,),
        fonts=tuple(locale.fonts),
        language=f"{locale.autonym} ({lang})",
        doc_id=doc.id,
        out=paths["pdf"],
    )
    return written, job


def _index_page(
    config: Config,
    documents: Sequence[Document],
    languages: Sequence[str],
    results: Sequence[HandoutResult],
    preview: bool,
) -> str:
    from .render.html import render_index

    source = locale_info(config.source_language)
    by_key = {(r.doc_id, r.language): r for r in results}
    headers = [
        {
            "tag": locale_info(lang).tag,
            "autonym": locale_info(lang).autonym,
            "name": locale_info(lang).name_in(config.source_language),
        }
        for lang in languages
    ]
    rows = []
    for doc in documents:
        title = doc.title or doc.id
        cells = []
        for lang in languages:
            r = by_key[(doc.id, lang)]
            links = [
                {
                    "href": str(p.relative_to(config.build_dir / "preview" if preview else config.build_dir)),
                    "label": p.suffix[1:].upper(),
                }
                for p in r.outputs
            ]
            label = {"published": "Published", "withheld": "Withheld", "preview": "Draft preview"}[
                r.status.value
            ]
            order = ("untranslated", "draft", "translated", "reviewed", "failing checks")
            counts = (
                " · ".join(f"{r.counts[k]} {k}" for k in order if r.counts.get(k))
                if lang != languages[0]
                else ""
            )
            cells.append(
                {
                    "status": r.status.value,
                    "label": label,
                    "links": links,
                    "reason": r.reason,
                    "counts": counts,
                }
            )
        rows.append({"title": title, "doc_id": doc.id, "cells": cells})
    published = sum(1 for r in results if r.status is HandoutStatus.PUBLISHED)
    withheld = sum(1 for r in results if r.status is HandoutStatus.WITHHELD)
    summary = f"{published} handout(s) published, {withheld} withheld."
    if preview:
        summary = f"{len(results)} draft preview(s); nothing here is reviewed."
    return render_index(
        source,
        title="Patient handouts: draft previews" if preview else "Patient handouts",
        clinic=config.clinic,
        static="html/_static",
        languages=headers,
        rows=rows,
        summary=summary,
        preview=preview,
        project_templates=config.project_templates,
    )
