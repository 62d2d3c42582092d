"""Stage: catalogues -> handouts (Markdown, HTML, PDF) and the index page, rebuilt only when changed.

Each handout's fingerprint covers everything it is made from, so an unchanged
handout is not rendered again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from pathlib import Path

from .assemble import assemble
from .catalogue import Catalogue, load_catalogue, write_text_atomic
from .checks import load_glossary, neutralise_html
from .config import BUILTIN_TEMPLATES, UI_DOMAIN, Config
from .errors import BuildError, ConfigError
from .fileio import remove_stale_temps, write_bytes_atomic
from .localedata import locale_info
from .model import Document, HandoutStatus, Segment
from .publish import HandoutResult, Plan, UiWords, plan_handout, plan_ui_words
from .render import prefork
from .render.index import index_page
from .render.pdf import PdfJob, warm_up, write_pdf
from .render.pdf import cost as pdf_cost
from .segment import load_documents
from .sources import domains, source_files

log = logging.getLogger("pipeline")

FORMATS = ("md", "html", "pdf")


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
    static = out_root / "html" / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for path in sorted((BUILTIN_TEMPLATES / "static").iterdir()):
        write_text_atomic(static / path.name, path.read_text(encoding="utf-8"), durable=False)
    for path in source_files(config.source_dir, config.root):
        if path.suffix != ".md":
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
    every_domain = domains([doc.id for doc in documents])
    catalogues = {(d, lang): _load(config.po_path(lang, d)) for d in every_domain for lang in languages}
    out_root = config.build_dir / "preview" if preview else config.build_dir
    remove_stale_temps(out_root, older_than=600)  # a build running beside this one keeps its own
    static = _copy_static(config, out_root)
    glossary = load_glossary(config.glossary_path)
    ui_words = {
        lang: plan_ui_words(
            catalogues.get((UI_DOMAIN, lang)),
            lang,
            source_language=config.source_language,
            preview=preview,
            require_review=config.require_review,
            glossary=glossary,
            critical_words=config.critical_words,
        )
        for lang in all_languages
    }
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
        result.template_words = dict(ui_words[lang].held_back)
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
        _render_all(
            config, [(plan, paths) for _, plan, paths, _ in todo], static, plans, ui_words, preview, renderer
        ),
        strict=True,
    ):
        if isinstance(outcome, BuildError):
            if preview:
                raise outcome
            result.status = HandoutStatus.WITHHELD
            result.reason = str(outcome)
            result.failed = True
            for path in paths.values():
                path.unlink(missing_ok=True)
            continue
        result.outputs = outcome
        manifest[f"{plan.doc.id}/{plan.language}"] = fingerprint
    write_text_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n", durable=False)
    index = out_root / "index.html"
    write_text_atomic(index, index_page(config, documents, all_languages, results, preview), durable=False)
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
    files = sorted(BUILTIN_TEMPLATES.rglob("*"))
    if config.project_templates.is_dir():
        files += sorted(config.project_templates.rglob("*"))
    files += [config.root / "pyproject.toml", config.glossary_path]
    files += [p for p in source_files(config.source_dir, config.root) if p.suffix != ".md"]
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
    ui_words: Mapping[str, UiWords],
    preview: bool,
    renderer: prefork.Prefork | None,
) -> list[list[Path] | BuildError]:
    """Write the pages here, then their PDFs on every core: each handout's files, or its error."""
    outcomes: list[list[Path] | BuildError] = []
    pdf_jobs: dict[int, PdfJob] = {}
    for plan, paths in jobs:
        try:
            ui = ui_words[plan.language]
            written, pdf_job = _write_page(config, plan, paths, static, plans, ui, preview)
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
    config: Config,
    plan: Plan,
    paths: dict[str, Path],
    static: str,
    plans: Sequence[Plan],
    ui_words: UiWords,
    preview: bool,
) -> tuple[list[Path], PdfJob | None]:
    """Write a handout's Markdown and HTML; the PDF, when wanted, is returned as a job to run."""
    from .render.html import PageContext, SwitcherItem, UiTranslations, render_handout

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
    ui = UiTranslations(ui_words, locale_info(config.source_language))
    html = render_handout(plan, locale, context, ui, config.project_templates)
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
