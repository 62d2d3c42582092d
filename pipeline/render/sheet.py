"""The bilingual sign-off sheet as HTML and PDF: ``build/review/<lang>/<doc>-sheet.html`` and ``.pdf``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..config import Config
from ..fileio import write_bytes_atomic, write_text_atomic
from ..localedata import locale_info
from ..model import Document
from ..review.sheet import SheetRow, add_back_translations, sheet_rows
from ..review.signoff import Checker
from .html import environment, render_template
from .pdf import render_pdf


def write_sheets(
    config: Config,
    documents: list[Document],
    language: str,
    checker: Checker,
    engine: str | None = None,
    url: str | None = None,
) -> list[Path]:
    """A sheet for each document, with a back-translation column when ``engine`` is given."""
    written = []
    for doc in documents:
        rows = sheet_rows(doc, config.po_path(language, doc.id), language, checker)
        if engine:
            add_back_translations(rows, config, language, engine, url)
        written += write_sheet(config, doc, language, rows, engine, config.build_dir / "review" / language)
    return written


def write_sheet(
    config: Config, doc: Document, language: str, rows: list[SheetRow], engine: str | None, out_dir: Path
) -> list[Path]:
    """``review/<lang>/<doc>-sheet.html`` and ``.pdf``."""
    loc = locale_info(language)
    src = locale_info(config.source_language)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.state] = counts.get(r.state, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    failing = sum(1 for r in rows if any(p["severity"] == "error" for p in r.problems))
    html = render_template(
        environment(config.project_templates),
        "sheet.html",
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
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{doc.id}-sheet.html"
    write_text_atomic(html_path, html)
    pdf_path = out_dir / f"{doc.id}-sheet.pdf"
    write_bytes_atomic(pdf_path, render_pdf(html, out_dir, [config.root], f"{language} review sheet"))
    return [html_path, pdf_path]
