"""Where every translation stands (``pipeline status``) and what is wrong with it (``pipeline check``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import Catalogue, Message, load_catalogue
from ..checks import Problem
from ..config import Config
from ..model import EntryState
from ..segment import load_documents
from ..sources import domains
from . import signoff
from .signoff import Checker

STATES = (EntryState.UNTRANSLATED, EntryState.DRAFT, EntryState.TRANSLATED, EntryState.REVIEWED)


@dataclass(slots=True)
class StatusRow:
    """Counts for one document in one language."""

    doc_id: str
    language: str
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    failing: int = 0  # entries with a blocking check failure
    awaiting_second: int = 0  # critical entries signed off by one reviewer, waiting for a second
    html_blocks: int = 0  # HTML blocks with words in the document: never translated
    pages: int = 0  # pages of the last published PDF (0: none built)
    over_budget: str = ""  # "4 pages, 3 allowed" when that PDF is longer than max_pages

    @property
    def percent_reviewed(self) -> float:
        return 100.0 * self.counts[EntryState.REVIEWED.value] / self.total if self.total else 100.0

    def as_dict(self) -> dict[str, object]:
        return {
            "document": self.doc_id,
            "language": self.language,
            "total": self.total,
            **{s.value: self.counts[s.value] for s in STATES},
            "failing_checks": self.failing,
            "awaiting_second_review": self.awaiting_second,
            "untranslated_html_blocks": self.html_blocks,
            "pdf_pages": self.pages,
            "over_page_budget": self.over_budget,
            "percent_reviewed": round(self.percent_reviewed, 1),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One check problem, where it is."""

    path: Path
    line: int
    language: str
    message: Message
    problem: Problem

    def __str__(self) -> str:
        excerpt = self.message.msgid if len(self.message.msgid) <= 50 else self.message.msgid[:47] + "..."
        kind = "waived" if self.problem.waiver else self.problem.severity.value
        waiver = f" ({self.problem.waiver})" if self.problem.waiver else ""
        where = f"{self.path}:{self.line}: {kind} [{self.problem.check}] {excerpt!r}"
        return f"{where}: {self.problem.message}{waiver}"


def catalogue_findings(
    catalogue: Catalogue, path: Path, language: str, domain: str, checker: Checker
) -> Iterator[Finding]:
    """Every problem of every translated or drafted entry of one catalogue."""
    for m in catalogue.active:
        for problem in checker.problems(m, language, domain):
            yield Finding(path, m.lineno, language, m, problem)


def status_row(domain: str, language: str, catalogue: Catalogue, checker: Checker) -> StatusRow:
    row = StatusRow(domain, language)
    for m in catalogue.active:
        row.total += 1
        state = checker.state(m)
        row.counts[state.value] += 1
        if state is EntryState.TRANSLATED and checker.critical(m) and len(signoff.valid_signoffs(m)) == 1:
            row.awaiting_second += 1
        if checker.blocking(m, language, domain):
            row.failing += 1
    return row


def load_language(config: Config, language: str, doc_ids: Sequence[str]) -> dict[str, tuple[Path, Catalogue]]:
    """The catalogues of one language that exist, by domain."""
    found = {}
    for domain in domains(doc_ids):
        path = config.po_path(language, domain)
        if path.exists():
            found[domain] = (path, load_catalogue(path))
    return found


def status_rows(config: Config, languages: Sequence[str]) -> list[StatusRow]:
    """One row per document (and the templates' words) per language that has a catalogue."""
    documents = load_documents(config)
    checker = Checker.load(config, documents)
    ids = [d.id for d in documents]
    blocks = {d.id: len(d.html_blocks) for d in documents}
    rows = [
        status_row(domain, lang, catalogue, checker)
        for lang in languages
        for domain, (_, catalogue) in load_language(config, lang, ids).items()
    ]
    built = _built_handouts(config)
    for row in rows:
        row.html_blocks = blocks.get(row.doc_id, 0)
        item = built.get((row.doc_id, row.language), {})
        pages = item.get("pages", 0)
        row.pages = pages if isinstance(pages, int) else 0
        row.over_budget = str(item.get("over_budget", ""))
    return rows


def _built_handouts(config: Config) -> dict[tuple[str, str], dict[str, object]]:
    """What the last build recorded of each handout (pages, page budget), by document and language."""
    try:
        items = json.loads((config.build_dir / ".handouts.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {(str(i["doc_id"]), str(i["language"])): i for i in items if isinstance(i, dict) and "doc_id" in i}


def project_findings(config: Config, languages: Sequence[str]) -> Iterator[Finding]:
    """Every check problem of every catalogue of these languages, paths relative to the project."""
    documents = load_documents(config)
    checker = Checker.load(config, documents)
    ids = [d.id for d in documents]
    for lang in languages:
        for domain, (path, catalogue) in load_language(config, lang, ids).items():
            yield from catalogue_findings(catalogue, path.relative_to(config.root), lang, domain, checker)


def render_table(rows: Sequence[StatusRow]) -> str:
    """A table (rich) with a bar of the reviewed share per document and language."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Translation status (reviewed = may be published)")
    names = (
        "document",
        "lang",
        "untranslated",
        "draft",
        "translated",
        "reviewed",
        "failing checks",
        "awaiting 2nd review",
        "reviewed",
    )
    for i, name in enumerate(names):
        table.add_column(name, justify="left" if i in (0, 1, 8) else "right")
    for r in rows:
        filled = round(r.percent_reviewed / 5)
        bar = "█" * filled + "░" * (20 - filled) + f" {r.percent_reviewed:3.0f}%"
        counts = (str(r.counts[s.value]) for s in STATES)
        table.add_row(r.doc_id, r.language, *counts, str(r.failing), str(r.awaiting_second), bar)
    # As wide as the table needs, so that document ids are never cut short (the output is often piped).
    width = Console(width=10_000, color_system=None).measure(table).maximum
    console = Console(width=width, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(table)
    notes = sorted({(r.doc_id, r.html_blocks) for r in rows if r.html_blocks})
    lines = [f"{doc}: {n} HTML block(s) with text, not translated (see 'extract')" for doc, n in notes]
    lines += [
        f"{r.doc_id} [{r.language}]: PDF over its page budget: {r.over_budget}" for r in rows if r.over_budget
    ]
    return capture.get() + "".join(f"{line}\n" for line in lines)
