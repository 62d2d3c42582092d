"""The bilingual sign-off sheet: source | translation | back-translation | checks, for one handout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import review
from .catalogue import Message, load_catalogue
from .checks import Context, Glossary, run_checks
from .config import Config
from .errors import CatalogueError
from .fileio import write_bytes_atomic, write_text_atomic
from .localedata import locale_info
from .model import Document


@dataclass(slots=True)
class SheetRow:
    source: str
    translation: str
    state: str
    critical: bool
    where: str
    back: str = ""
    problems: list[dict[str, str]] = field(default_factory=list)
    signoffs: str = ""


def sheet_rows(
    doc: Document, catalogue_path: Path, language: str, config: Config, glossary: Glossary
) -> list[SheetRow]:
    """One row per source text, in document order."""
    if not catalogue_path.exists():
        raise CatalogueError(
            "no catalogue for this language yet: run 'pipeline update' first", catalogue_path
        )
    index = load_catalogue(catalogue_path).index()
    rows = []
    for msgid in dict.fromkeys(s.text for s in doc.segments):
        m = index.get((None, msgid)) or Message(msgid)
        critical = review.is_critical(m, config.critical_words)
        problems = run_checks(Context(msgid, m.msgstr, language, glossary)) if m.msgstr else []
        rows.append(
            SheetRow(
                source=msgid,
                translation=m.msgstr,
                state=review.state(m, critical).value,
                critical=critical,
                where=", ".join("l." + ref.rsplit(":", 1)[-1] for ref in m.references if ":" in ref),
                problems=[
                    {"check": p.check, "severity": p.severity.value, "message": p.message} for p in problems
                ],
                signoffs="; ".join(f"{s.name} {s.date.isoformat()}" for s in review.valid_signoffs(m)),
            )
        )
    return rows


def add_back_translations(
    rows: list[SheetRow], config: Config, language: str, engine_name: str, url: str | None
) -> None:
    """Fill the back-translation column with a drafting engine, translation -> source language."""
    from .drafts.cache import DraftCache
    from .drafts.engines import make_engine
    from .drafts.masking import DraftRejected, mask, unmask
    from .drafts.run import Caller, DraftFailed, EngineSettings, default_timeout

    settings = EngineSettings.from_config(config, engine_name, url)
    engine = make_engine(
        engine_name, language, config.source_language, settings.values, config.locales_dir, 0.0
    )
    call = Caller(engine, settings)
    cache = DraftCache(config.root / ".pipeline-cache" / "drafts.sqlite")
    try:
        with default_timeout(settings.timeout):
            for row in rows:
                if not row.translation:
                    continue
                m = mask(row.translation)
                hit = (
                    cache.get(engine.key, language, config.source_language, m.text) if engine.remote else None
                )
                try:
                    if hit is None:
                        answer = call(m.text).text
                        if engine.remote:
                            cache.put(engine.key, language, config.source_language, m.text, answer, "")
                    else:
                        answer = hit[0]
                    row.back = unmask(m, answer)
                except (DraftRejected, DraftFailed) as exc:
                    row.back = f"(no back-translation: {exc})"
    finally:
        cache.close()


def write_sheet(
    config: Config, doc: Document, language: str, rows: list[SheetRow], engine: str | None, out_dir: Path
) -> list[Path]:
    """``review/<lang>/<doc>-sheet.html`` and ``.pdf``."""
    from .render.html import environment
    from .render.pdf import render_pdf

    loc = locale_info(language)
    src = locale_info(config.source_language)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.state] = counts.get(r.state, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    failing = sum(1 for r in rows if any(p["severity"] == "error" for p in r.problems))
    html = (
        environment(config.project_templates)
        .get_template("sheet.html")
        .render(
            locale=src,
            title=doc.title or doc.id,
            clinic=config.clinic,
            static="../../html/_static",
            page_size=config.page_size,
            footer=f"{doc.id} · {language} review sheet",
            doc_id=doc.id,
            language=language,
            language_name=loc.name_in(config.source_language),
            source_language=config.source_language,
            source_tag=src.tag,
            tag=loc.tag,
            direction=loc.direction,
            engine=engine,
            rows=rows,
            generated=dt.date.today().isoformat(),
            counts=f"{summary}; {failing} failing checks",
            body_class="sheet",
            _=lambda s: s,
        )
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{doc.id}-sheet.html"
    write_text_atomic(html_path, html)
    pdf_path = out_dir / f"{doc.id}-sheet.pdf"
    write_bytes_atomic(pdf_path, render_pdf(html, out_dir, [config.root], f"{language} review sheet"))
    return [html_path, pdf_path]
