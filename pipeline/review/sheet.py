"""The bilingual sign-off sheet: source | translation | back-translation | checks, for one handout."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import Message, load_catalogue
from ..config import Config
from ..errors import CatalogueError
from ..model import Document
from . import signoff
from .signoff import Checker


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


def sheet_rows(doc: Document, catalogue_path: Path, language: str, checker: Checker) -> list[SheetRow]:
    """One row per source text, in document order."""
    if not catalogue_path.exists():
        raise CatalogueError(
            "no catalogue for this language yet: run 'pipeline update' first", catalogue_path
        )
    index = load_catalogue(catalogue_path).index()
    rows = []
    for msgid in dict.fromkeys(s.text for s in doc.segments):
        m = index.get((None, msgid)) or Message(msgid)
        critical = checker.critical(m)
        problems = checker.problems(m, language, doc.id)
        rows.append(
            SheetRow(
                source=msgid,
                translation=m.msgstr,
                state=signoff.state(m, critical).value,
                critical=critical,
                where=", ".join("l." + ref.rsplit(":", 1)[-1] for ref in m.references if ":" in ref),
                problems=[
                    {"check": p.check, "severity": p.severity.value, "message": p.message, "waiver": p.waiver}
                    for p in problems
                ],
                signoffs="; ".join(f"{s.name} {s.date.isoformat()}" for s in signoff.valid_signoffs(m)),
            )
        )
    return rows


def add_back_translations(
    rows: list[SheetRow], config: Config, language: str, engine_name: str, url: str | None
) -> None:
    """Fill the back-translation column with a drafting engine, translation -> source language."""
    from ..checks import Glossary
    from ..drafts.cache import DraftCache
    from ..drafts.calls import Caller, DraftFailed, EngineSettings, default_timeout
    from ..drafts.masking import DraftRejected, mask, unmask
    from ..drafts.run import engine_for

    settings = EngineSettings.from_config(config, engine_name, url)
    engine = engine_for(engine_name, config, language, config.source_language, settings, Glossary())
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
