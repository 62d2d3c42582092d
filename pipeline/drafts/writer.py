"""Taking engines' answers: validate each, and write the good ones as fuzzy drafts as they come in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..catalogue import load_catalogue, locked, save_catalogue
from ..checks import Context, Glossary, check_glossary, check_negation, check_units
from ..config import Config
from .engines import Engine, Result, is_machine_draft, machine_text_note, without_machine_notes
from .masking import DraftRejected, Masked, unmask, validate


@dataclass(slots=True)
class DraftReport:
    """What one run did for one language."""

    language: str
    engine: str
    to_draft: int = 0
    drafted: int = 0
    cached: int = 0
    requests: int = 0
    characters: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # tm: no memory match good enough
    written: list[str] = field(default_factory=list)
    prompt_tokens: int = 0  # as the server counted them (estimated in a dry run)
    completion_tokens: int = 0


@dataclass(slots=True)
class Job:
    msgid: str
    send: str
    masked: Masked | None


def eligible(msgstr: str, fuzzy: bool, comments: Sequence[str], redraft: bool) -> bool:
    """Never overwrite a translation; re-draft only our own fuzzy machine drafts, and only when asked."""
    if not msgstr:
        return True
    return redraft and fuzzy and is_machine_draft(comments)


class Drafts:
    """One language's accepted drafts, written to its catalogues in batches."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        report: DraftReport,
        todo: Mapping[str, list[str]],
        glossary: Glossary,
        today: dt.date,
        redraft: bool,
    ) -> None:
        self.config, self.engine, self.report, self.todo = config, engine, report, todo
        self.glossary, self.today, self.redraft = glossary, today, redraft
        self.pending: dict[str, tuple[str, str]] = {}

    def accept(self, job: Job, result: Result) -> None:
        """Keep a valid draft for the next flush; report it rejected otherwise."""
        lang = self.report.language
        if not result.text.strip() and self.engine.name == "tm":
            self.report.unmatched.append((job.msgid, result.note or "no memory match"))
            return
        try:
            text = unmask(job.masked, result.text) if job.masked is not None else result.text
            if not text.strip():
                raise DraftRejected("the engine returned nothing")
            validate(job.msgid, text)
            if getattr(self.engine, "meaning_checks", False):
                ctx = Context(
                    job.msgid, text, lang, self.glossary, source_language=self.config.source_language
                )
                for problem in [*check_units(ctx), *check_negation(ctx)]:
                    raise DraftRejected(problem)
        except DraftRejected as exc:
            self.report.rejected.append((job.msgid, str(exc)))
            return
        for problem in check_glossary(Context(job.msgid, text, lang, self.glossary)):
            self.report.glossary.append((job.msgid, problem))
        self.pending[job.msgid] = (text, result.note)
        self.report.drafted += 1

    def flush(self) -> None:
        """Write what was accepted since the last flush (re-reading each catalogue under the lock)."""
        if not self.pending:
            return
        batch = dict(self.pending)
        self.pending.clear()
        label = getattr(self.engine, "label", self.engine.name)  # "llm MODEL" names the model too
        comment_base = f"machine draft: {label} {self.today.isoformat()}"
        lang = self.report.language
        with locked(self.config.locales_dir):
            for domain in sorted({d for msgid in batch for d in self.todo[msgid]}):
                path = self.config.po_path(lang, domain)
                catalogue = load_catalogue(path)  # fresh: someone may have saved it meanwhile
                for m in catalogue.active:
                    if m.msgid not in batch or not eligible(
                        m.msgstr, m.fuzzy, m.translator_comments, self.redraft
                    ):
                        continue
                    text, note = batch[m.msgid]
                    m.msgstr = text
                    m.fuzzy = True
                    m.translator_comments = [
                        *without_machine_notes(m.translator_comments),
                        f"{comment_base} ({note})" if note else comment_base,
                        machine_text_note(text),
                    ]
                if save_catalogue(path, catalogue) and str(path) not in self.report.written:
                    self.report.written.append(str(path))
