"""Review batches: a reviewer gets a PO of only what needs them, and their work comes back safely.

``export`` writes the entries that need this reviewer (drafts, failing checks,
translations not yet signed off by enough people, changed since a sign-off).
Each entry carries its document as ``msgctxt`` and a ``batch-base`` comment:
the state it had when exported. ``import`` applies an entry only when the live
entry still has that state; otherwise (the source changed, or someone else
edited it meanwhile) it is a conflict: kept in a conflicts file and reported,
never overwritten. Importing an approved (non-fuzzy) entry records the sign-off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import Catalogue, Message, load_catalogue, locked, save_catalogue
from ..checks import Context, Glossary, blocking_problems, run_checks
from ..config import Config, normalize_language
from ..errors import CatalogueError
from ..model import EntryState
from . import signoff
from .status import entry_state

BASE = re.compile(r"^batch-base: (?P<digest>[0-9a-f]{12})$")


def _base(message: Message) -> str:
    """The state a reviewer saw: translation and fuzzy flag."""
    data = f"{message.msgstr}\x00{message.fuzzy}".encode()
    return hashlib.sha256(data).hexdigest()[:12]


def needs_review(
    message: Message, reviewer: str, config: Config, glossary: Glossary, language: str
) -> list[str]:
    """Why this entry needs ``reviewer`` (empty: it does not)."""
    if not message.msgstr:
        return []
    reasons = []
    state = entry_state(message, config)
    problems = run_checks(Context(message.msgid, message.msgstr, language, glossary))
    if state is EntryState.DRAFT:
        reasons.append("draft: not reviewed yet")
    if problems:
        reasons += [f"check [{p.check}] {p.severity.value}: {p.message}" for p in problems]
    if state is EntryState.TRANSLATED:
        valid = signoff.valid_signoffs(message)
        if any(s.name.casefold() == reviewer.casefold() for s in valid):
            return reasons if problems else []
        if signoff.signoffs(message) and not valid:
            reasons.append("changed since it was signed off")
        else:
            needed = 2 if signoff.is_critical(message, config.critical_words) else 1
            reasons.append(f"needs {needed - len(valid)} more sign-off(s)")
    return reasons


@dataclass(slots=True)
class ExportResult:
    path: Path
    entries: int
    by_document: dict[str, int] = field(default_factory=dict)


def export_batch(
    config: Config, language: str, reviewer: str, out: Path, domains: Sequence[str], glossary: Glossary
) -> ExportResult:
    """Write a PO with only the entries of ``domains`` (catalogue names) that need ``reviewer``."""
    today = dt.date.today().isoformat()
    batch = Catalogue(
        header=[
            ("Project-Id-Version", config.project_name),
            ("Language", language),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("X-Reviewer", reviewer),
            ("X-Review-Batch", today),
        ],
        header_comments=[
            f"Review batch for {reviewer}: {language}, exported {today}.",
            "Clear 'fuzzy' (Needs work) on each entry you approve, fix text as needed, save,",
            "then run: pipeline review import " + out.name,
            "",
        ],
    )
    result = ExportResult(out, 0)
    for domain in domains:
        path = config.po_path(language, domain)
        if not path.exists():
            continue
        for m in load_catalogue(path).active:
            reasons = needs_review(m, reviewer, config, glossary, language)
            if not reasons:
                continue
            entry = Message(
                msgid=m.msgid,
                msgstr=m.msgstr,
                msgctxt=domain,
                references=list(m.references),
                extracted_comments=[*m.extracted_comments, *(f"review: {r}" for r in reasons)],
                translator_comments=[f"batch-base: {_base(m)}"],
                flags=list(m.flags),
                previous_msgid=m.previous_msgid,
            )
            batch.messages.append(entry)
            result.entries += 1
            result.by_document[domain] = result.by_document.get(domain, 0) + 1
    save_catalogue(out, batch)
    return result


@dataclass(slots=True)
class ImportResult:
    applied: int = 0
    signed: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    not_signed: list[str] = field(default_factory=list)
    conflicts_path: Path | None = None


def import_batch(
    config: Config, path: Path, glossary: Glossary, today: dt.date | None = None
) -> ImportResult:
    """Merge a reviewed batch back; conflicts are kept aside and reported, never applied."""
    today = today or dt.date.today()
    batch = load_catalogue(path)
    reviewer = batch.header_value("X-Reviewer")
    language = batch.header_value("Language")
    if not reviewer or not language or batch.header_value("X-Review-Batch") is None:
        raise CatalogueError("not a review batch (no X-Reviewer, Language or X-Review-Batch header)", path)
    language = normalize_language(language, str(path))
    result = ImportResult()
    conflicts = Catalogue(
        header=list(batch.header), header_comments=["Conflicts: not applied, see the comments."]
    )
    with locked(config.locales_dir):
        live: dict[str, tuple[Path, Catalogue]] = {}
        for entry in batch.active:
            domain = entry.msgctxt or ""
            po_path = config.po_path(language, domain)
            if domain not in live:
                if not domain or not po_path.exists():
                    result.conflicts.append(
                        f"{entry.msgid[:50]!r}: document {domain!r} has no {language} catalogue"
                    )
                    conflicts.messages.append(entry)
                    continue
                live[domain] = (po_path, load_catalogue(po_path))
            catalogue = live[domain][1]
            current = catalogue.index().get((None, entry.msgid))
            base = next((m.group("digest") for c in entry.translator_comments if (m := BASE.match(c))), None)
            reason = None
            if current is None:
                reason = "the source text changed since the batch was exported"
            elif base is not None and _base(current) != base and current.msgstr != entry.msgstr:
                reason = "someone else changed this entry since the batch was exported"
            if reason:
                result.conflicts.append(f"{domain}: {entry.msgid[:50]!r}: {reason}")
                kept = Message(
                    msgid=entry.msgid,
                    msgstr=entry.msgstr,
                    msgctxt=domain,
                    flags=list(entry.flags),
                    translator_comments=[f"conflict: {reason}"]
                    + ([f"live translation: {current.msgstr}"] if current is not None else []),
                    references=list(entry.references),
                )
                conflicts.messages.append(kept)
                continue
            assert current is not None
            changed = current.msgstr != entry.msgstr or current.fuzzy != entry.fuzzy
            notes = [
                c for c in entry.translator_comments if not BASE.match(c) and not signoff.SIGNOFF.match(c)
            ]
            for note in notes:
                if note not in current.translator_comments:
                    current.translator_comments.append(note)
            if entry.msgstr:
                current.msgstr = entry.msgstr
            current.fuzzy = entry.fuzzy
            if changed:
                result.applied += 1
            else:
                result.unchanged += 1
            if not current.fuzzy and current.msgstr:
                blocking = blocking_problems(Context(current.msgid, current.msgstr, language, glossary))
                if blocking:
                    result.not_signed.append(f"{domain}: {current.msgid[:50]!r}: {blocking[0].message}")
                elif signoff.sign(current, reviewer, today):
                    result.signed += 1
        for po_path, catalogue in live.values():
            save_catalogue(po_path, catalogue)
    if conflicts.messages:
        result.conflicts_path = path.with_name(path.stem + ".conflicts.po")
        save_catalogue(result.conflicts_path, conflicts)
    return result


@dataclass(slots=True)
class SignResult:
    signed: int = 0
    already: int = 0
    not_ready: int = 0  # untranslated or fuzzy
    refused: list[str] = field(default_factory=list)  # failing blocking checks


def sign_language(
    config: Config,
    language: str,
    reviewer: str,
    doc_ids: Sequence[str],
    glossary: Glossary,
    today: dt.date | None = None,
) -> SignResult:
    """Record ``reviewer``'s sign-off on every translated entry that passes the blocking checks."""
    today = today or dt.date.today()
    result = SignResult()
    with locked(config.locales_dir):
        for domain in doc_ids:
            path = config.po_path(language, domain)
            if not path.exists():
                continue
            catalogue = load_catalogue(path)
            for m in catalogue.active:
                if not m.msgstr or m.fuzzy:
                    result.not_ready += 1
                    continue
                blocking = blocking_problems(Context(m.msgid, m.msgstr, language, glossary))
                if blocking:
                    result.refused.append(f"{path}:{m.lineno}: {m.msgid[:50]!r}: {blocking[0].message}")
                elif signoff.sign(m, reviewer, today):
                    result.signed += 1
                else:
                    result.already += 1
            save_catalogue(path, catalogue)
    return result
