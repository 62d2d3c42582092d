"""The index page: every handout of every language, published or withheld and why."""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Config
from ..localedata import locale_info
from ..model import Document, HandoutResult, HandoutStatus
from .html import render_index


def index_page(
    config: Config,
    documents: Sequence[Document],
    languages: Sequence[str],
    results: Sequence[HandoutResult],
    preview: bool,
) -> str:
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
        cells: list[dict[str, object]] = []
        for lang in languages:
            r = by_key.get((doc.id, lang))
            if r is None:  # a language this build left out, and no earlier build of this document
                cells.append(
                    {"status": "withheld", "label": "Not built", "links": [], "reason": "", "counts": ""}
                )
                continue
            links = [
                {
                    "href": str(p.relative_to(config.build_dir / "preview" if preview else config.build_dir)),
                    "label": "PDF, large print" if p.name.endswith(".large.pdf") else p.suffix[1:].upper(),
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
