"""Where every translation stands (``pipeline status``) and what is wrong with it (``pipeline check``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import Catalogue, Message, load_catalogue
from ..checks import Context, Glossary, Problem, blocking_problems, run_checks
from ..config import Config
from ..model import EntryState
from ..sources import domains
from . import signoff

STATES = (EntryState.UNTRANSLATED, EntryState.DRAFT, EntryState.TRANSLATED, EntryState.REVIEWED)


@dataclass(slots=True)
class StatusRow:
    """Counts for one document in one language."""

    doc_id: str
    language: str
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    failing: int = 0  # entries with a blocking check failure

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
        return (
            f"{self.path}:{self.line}: {self.problem.severity.value} [{self.problem.check}] "
            f"{excerpt!r}: {self.problem.message}"
        )


def entry_state(message: Message, config: Config) -> EntryState:
    return signoff.state(message, signoff.is_critical(message, config.critical_words))


def catalogue_findings(
    catalogue: Catalogue, path: Path, language: str, glossary: Glossary
) -> Iterator[Finding]:
    """Every problem of every translated or drafted entry of one catalogue."""
    for m in catalogue.active:
        if not m.msgstr:
            continue
        for problem in run_checks(Context(m.msgid, m.msgstr, language, glossary)):
            yield Finding(path, m.lineno, language, m, problem)


def status_row(
    doc_id: str, language: str, catalogue: Catalogue, config: Config, glossary: Glossary
) -> StatusRow:
    row = StatusRow(doc_id, language)
    for m in catalogue.active:
        row.total += 1
        row.counts[entry_state(m, config).value] += 1
        if m.msgstr and blocking_problems(Context(m.msgid, m.msgstr, language, glossary)):
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


def status_rows(
    config: Config, languages: Sequence[str], doc_ids: Sequence[str], glossary: Glossary
) -> list[StatusRow]:
    """One row per document (and the templates' words) per language that has a catalogue."""
    return [
        status_row(domain, lang, catalogue, config, glossary)
        for lang in languages
        for domain, (_, catalogue) in load_language(config, lang, doc_ids).items()
    ]


def project_findings(
    config: Config, languages: Sequence[str], doc_ids: Sequence[str], glossary: Glossary
) -> Iterator[Finding]:
    """Every check problem of every catalogue of these languages, paths relative to the project."""
    for lang in languages:
        for path, catalogue in load_language(config, lang, doc_ids).values():
            yield from catalogue_findings(catalogue, path.relative_to(config.root), lang, glossary)


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
        "reviewed",
    )
    for i, name in enumerate(names):
        table.add_column(name, justify="left" if i in (0, 1, 7) else "right")
    for r in rows:
        filled = round(r.percent_reviewed / 5)
        bar = "█" * filled + "░" * (20 - filled) + f" {r.percent_reviewed:3.0f}%"
        table.add_row(r.doc_id, r.language, *(str(r.counts[s.value]) for s in STATES), str(r.failing), bar)
    # As wide as the table needs, so that document ids are never cut short (the output is often piped).
    width = Console(width=10_000, color_system=None).measure(table).maximum
    console = Console(width=width, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(table)
    return capture.get()
