"""Stage: catalogues -> handouts (Markdown, HTML, PDF) and the index page, rebuilt only when changed.

Each handout's fingerprint covers everything it is made from, so an unchanged
handout is not rendered again.
"""

from __future__ import annotations

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
from .manifest import (
    RECORD,
    build_inputs,
    common_fingerprint,
    fingerprint,
    output_root,
    read_manifest,
    recording_warnings,
    replay,
    save_record,
    with_earlier_handouts,
)
from .model import Document, HandoutResult, HandoutStatus, Segment
from .publish import Plan, UiWords, missing_images, page_budget, plan_handout, plan_ui_words
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


def _front_text(plan: Plan, key: str) -> str | None:
    """A front-matter value as the handout shows it (translated when the plan has it)."""
    for seg in plan.doc.segments:
        if seg.kind.value == "front matter" and seg.context == f"front matter: {key}":
            return plan.text_for(seg.text) or seg.text
    return None


def _title(plan: Plan) -> str:
    doc = plan.doc
    if title := _front_text(plan, "title"):
        return title
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


def _outputs(
    root: Path, doc_id: str, lang: str, formats: Sequence[str], large: bool = False
) -> dict[str, Path]:
    paths = {fmt: root / fmt / lang / f"{doc_id}.{fmt}" for fmt in formats}
    if large and "pdf" in paths:
        paths["large print"] = paths["pdf"].with_suffix(".large.pdf")
    return paths


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
    replayable: bool = True,
) -> list[HandoutResult]:
    """Write handouts for every document in the source language and each language.

    Published handouts go to ``build/<format>/<lang>/<doc>``, with only
    translated, non-fuzzy text; a language below ``min_translated`` is withheld
    (and any earlier output of it removed). ``preview`` builds every language
    with drafts, marked as such, into ``build/preview/``. PDFs are rendered by ``renderer``
    (started by the caller so that WeasyPrint loads while this module is imported; closed
    here), or by one started here. When nothing the last build read has changed, its results
    (and warnings) are given again without planning anything (``replayable=False``: the caller
    has just found that it cannot be).
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ConfigError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if replayable and (earlier := replay(config, languages, formats, preview)) is not None:
        if renderer is not None:
            renderer.close()
        return earlier
    if renderer is None and "pdf" in formats:
        # WeasyPrint is imported and warmed up on the other core while this one plans.
        renderer = prefork.start(warm_up)
    try:
        inputs = build_inputs(config, languages, formats, preview)
        # Outputs are about to change: until this build finishes, no record may vouch for them.
        (output_root(config, preview) / RECORD).unlink(missing_ok=True)
        with recording_warnings() as said:
            results = _build(config, languages, formats, preview, renderer)
        save_record(output_root(config, preview), inputs, results, said)
        return results
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
    out_root = output_root(config, preview)
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
    # HTML and PDF embed a document's images: one that is not there fails its handouts. Markdown
    # only refers to it, as the source does, so a Markdown-only build says so and goes on.
    embeds = "html" in formats or "pdf" in formats
    missing = {doc.id: missing_images(doc, config.root) for doc in documents}
    for problems in missing.values():
        for problem in problems:
            (log.error if embeds else log.warning)("%s", problem)
    if not embeds:
        missing = {doc_id: [] for doc_id in missing}
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
    manifest = read_manifest(manifest_path)
    common = common_fingerprint(config, preview)
    todo: list[tuple[HandoutResult, Plan, dict[str, Path], str]] = []
    for plan in plans:
        doc, lang = plan.doc, plan.language
        result = HandoutResult(doc.id, lang, plan.status, plan.translated, plan.total, plan.reason)
        result.counts = dict(plan.counts)
        result.refused = [f"{msgid[:60]!r}: {c.refused}" for msgid, c in plan.choices.items() if c.refused]
        result.template_words = dict(ui_words[lang].held_back)
        results.append(result)
        if missing[doc.id] and plan.status is not HandoutStatus.WITHHELD:
            plan.status = result.status = HandoutStatus.WITHHELD
            result.reason = f"{len(missing[doc.id])} image(s) of the source are missing (listed above)"
            result.failed = True
        paths = _outputs(out_root, doc.id, lang, formats, config.large_print)
        key = f"{doc.id}/{lang}"
        if plan.status is HandoutStatus.WITHHELD:
            for path in paths.values():
                path.unlink(missing_ok=True)
            manifest.pop(key, None)
            continue
        made_of = fingerprint(config, plan, plans, formats, common)
        if manifest.get(key) == made_of and all(p.exists() for p in paths.values()):
            result.outputs = list(paths.values())
            result.rebuilt = False
            continue
        manifest.pop(key, None)
        todo.append((result, plan, paths, made_of))
    for (result, plan, paths, made_of), outcome in zip(
        todo,
        _render_all(
            config,
            [(plan, paths) for _, plan, paths, _ in todo],
            static,
            plans,
            ui_words,
            preview,
            renderer,
            glossary.do_not_translate,
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
        result.outputs, result.pages = outcome
        budget = page_budget(config, plan.doc)
        if budget and result.pages > budget:
            result.over_budget = f"{result.pages} pages, {budget} allowed"
        manifest[f"{plan.doc.id}/{plan.language}"] = made_of
    write_text_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n", durable=False)
    shown = with_earlier_handouts(out_root, documents, results)
    languages_shown = list(dict.fromkeys([*all_languages, *(r.language for r in shown)]))
    index = out_root / "index.html"
    write_text_atomic(index, index_page(config, documents, languages_shown, shown, preview), durable=False)
    return results


def _render_all(
    config: Config,
    jobs: Sequence[tuple[Plan, dict[str, Path]]],
    static: str,
    plans: Sequence[Plan],
    ui_words: Mapping[str, UiWords],
    preview: bool,
    renderer: prefork.Prefork | None,
    names: tuple[str, ...] = (),
) -> list[tuple[list[Path], int] | BuildError]:
    """Write the pages here, then their PDFs on every core: each handout's files, or its error."""
    outcomes: list[list[Path] | BuildError] = []
    pdf_jobs: dict[int, PdfJob] = {}
    for plan, paths in jobs:
        try:
            ui = ui_words[plan.language]
            written, pdf_job = _write_page(config, plan, paths, static, plans, ui, preview, names)
        except BuildError as exc:
            outcomes.append(exc)
            continue
        if pdf_job is not None:
            pdf_jobs[len(outcomes)] = pdf_job
        outcomes.append(written)
    # Largest first, so that the cores finish together.
    order = sorted(pdf_jobs, key=lambda i: -pdf_cost(pdf_jobs[i]))
    pages: dict[int, int] = {}
    for i, done in zip(order, _write_pdfs([pdf_jobs[i] for i in order], renderer), strict=True):
        page = outcomes[i]
        assert not isinstance(page, BuildError)
        if isinstance(done, BuildError):
            outcomes[i] = done
            continue
        large = pdf_jobs[i].large_out
        outcomes[i] = [*page, pdf_jobs[i].out, *([large] if large else [])]
        pages[i] = done
    return [(o, pages.get(i, 0)) if not isinstance(o, BuildError) else o for i, o in enumerate(outcomes)]


def _write_pdfs(jobs: Sequence[PdfJob], renderer: prefork.Prefork | None) -> list[BuildError | int]:
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
    names: tuple[str, ...] = (),
) -> tuple[list[Path], PdfJob | None]:
    """Write a handout's Markdown and HTML; the PDF, when wanted, is returned as a job to run."""
    from .render.body import UiTranslations
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
    version = doc.front_matter.values.get("version") if doc.front_matter else None
    updated = _updated(doc)
    siblings = [p for p in plans if p.doc.id == doc.id and (p.status is not HandoutStatus.WITHHELD)]
    switcher = tuple(
        SwitcherItem(
            tag=locale_info(p.language).tag,
            name=locale_info(p.language).autonym,
            href=f"../{p.language}/{doc.id}.html",
            current=p.language == lang,
            direction=locale_info(p.language).direction,
        )
        for p in siblings
    )
    qr = f"{config.qr_base_url.rstrip('/')}/{lang}/{doc.id}.html" if config.qr_base_url else None
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
        description=_front_text(plan, "description"),
        alternates=switcher if not preview else (),
        names=names,
        qr=qr,
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
        large_out=paths["pdf"].with_suffix(".large.pdf") if config.large_print else None,
    )
    return written, job
