"""Review batches: a reviewer gets a PO of only what needs them, and approval is something they do.

``export`` writes the entries that need this reviewer (drafts, failing checks,
translations not yet signed off by enough people, changed since a sign-off), every
one marked fuzzy ("Needs work" in Poedit), with the state it had and why it is in
the batch in its comments. Each entry carries its document as ``msgctxt`` and a
``batch-base`` comment: the state it had when exported.

``import`` signs only what the reviewer acted on: an entry whose fuzzy flag they
cleared (approved as it is) or whose text they changed and cleared (edited). An entry
still fuzzy is left for later, so importing an untouched batch signs nothing. An
entry whose source changed, or that someone else edited meanwhile, or whose
``msgctxt`` names no document of the project is a conflict: kept in a conflicts file
and reported, never applied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import Catalogue, Message, load_catalogue, locked, save_catalogue
from ..checks import WAIVABLE
from ..config import Config, normalize_language
from ..drafts.engines import without_machine_notes
from ..errors import CatalogueError, ConfigError
from ..model import EntryState
from ..sources import domains as all_domains
from . import signoff
from .signoff import Checker

BASE = re.compile(r"^batch-base: (?P<digest>[0-9a-f]{12})$")
SAMPLE_NOTE = re.compile(r"^Unreviewed draft\b")
"""The comment on shipped sample drafts; it stops being true once a person approves or edits the text."""


def base_digest(message: Message) -> str:
    """The state a reviewer saw: translation and fuzzy flag."""
    data = f"{message.msgstr}\x00{message.fuzzy}".encode()
    return hashlib.sha256(data).hexdigest()[:12]


def needs_review(message: Message, reviewer: str, checker: Checker, language: str, domain: str) -> list[str]:
    """Why this entry needs ``reviewer`` (empty: it does not)."""
    if not message.msgstr:
        return []
    reasons = []
    state = checker.state(message)
    problems = [p for p in checker.problems(message, language, domain) if not p.waiver]
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
            needed = 2 if checker.critical(message) else 1
            reasons.append(f"needs {needed - len(valid)} more sign-off(s)")
    return reasons


@dataclass(slots=True)
class ExportResult:
    path: Path
    entries: int
    by_document: dict[str, int] = field(default_factory=dict)


def export_batch(
    config: Config, language: str, reviewer: str, out: Path, domains: Sequence[str], checker: Checker
) -> ExportResult:
    """Write a PO with only the entries of ``domains`` (catalogue names) that need ``reviewer``."""
    if not out.parent.is_dir():
        raise CatalogueError("the folder for the batch does not exist (create it first)", out.parent)
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
            "Every entry is marked Needs work (fuzzy). To approve an entry, clear Needs work;",
            "to correct it, edit the text (Poedit then clears Needs work) and save.",
            "Entries still marked Needs work are not signed off.",
            "Then run: pipeline review import " + out.name,
            "",
        ],
    )
    result = ExportResult(out, 0)
    for domain in domains:
        path = config.po_path(language, domain)
        if not path.exists():
            continue
        for m in load_catalogue(path).active:
            reasons = needs_review(m, reviewer, checker, language, domain)
            if not reasons:
                continue
            state = checker.state(m)
            entry = Message(
                msgid=m.msgid,
                msgstr=m.msgstr,
                msgctxt=domain,
                references=list(m.references),
                extracted_comments=[
                    *m.extracted_comments,
                    f"state: {state.value}" + (" (critical: two reviewers)" if checker.critical(m) else ""),
                    *(f"review: {r}" for r in reasons),
                ],
                translator_comments=[f"batch-base: {base_digest(m)}"],
                flags=sorted({*m.flags, "fuzzy"}),
                previous_msgid=m.previous_msgid,
            )
            batch.messages.append(entry)
            result.entries += 1
            result.by_document[domain] = result.by_document.get(domain, 0) + 1
    save_catalogue(out, batch)
    return result


@dataclass(slots=True)
class ImportResult:
    approved: list[str] = field(default_factory=list)  # fuzzy cleared, text as exported: signed
    edited: list[str] = field(default_factory=list)  # text changed and fuzzy cleared: signed
    edited_draft: list[str] = field(default_factory=list)  # text changed, still fuzzy: saved, not signed
    left: int = 0  # still fuzzy and unchanged: left for later
    removed: list[str] = field(default_factory=list)  # translation deleted in the batch: kept, marked fuzzy
    not_signed: list[str] = field(default_factory=list)  # approved, but fails a blocking check
    conflicts: list[str] = field(default_factory=list)
    conflicts_path: Path | None = None

    @property
    def signed(self) -> int:
        return len(self.approved) + len(self.edited)


def _conflict(entry: Message, domain: str, reason: str, live: Message | None) -> Message:
    return Message(
        msgid=entry.msgid,
        msgstr=entry.msgstr,
        msgctxt=domain,
        flags=list(entry.flags),
        translator_comments=[f"conflict: {reason}"]
        + ([f"live translation: {live.msgstr}"] if live is not None else []),
        references=list(entry.references),
    )


def by_a_person(message: Message) -> None:
    """A person approved the text: "unreviewed" is no longer true, nor "machine draft" if they changed it."""
    comments = [c for c in message.translator_comments if not SAMPLE_NOTE.match(c)]
    message.translator_comments = without_machine_notes(comments, message.msgstr)


def import_batch(
    config: Config, path: Path, checker: Checker, doc_ids: Sequence[str], today: dt.date | None = None
) -> ImportResult:
    """Merge a reviewed batch back; conflicts are kept aside and reported, never applied."""
    today = today or dt.date.today()
    batch = load_catalogue(path)
    reviewer = batch.header_value("X-Reviewer")
    language = batch.header_value("Language")
    if not reviewer or not language or batch.header_value("X-Review-Batch") is None:
        raise CatalogueError("not a review batch (no X-Reviewer, Language or X-Review-Batch header)", path)
    language = normalize_language(language, str(path))
    known = set(all_domains(doc_ids))
    result = ImportResult()
    conflicts = Catalogue(
        header=list(batch.header), header_comments=["Conflicts: not applied, see the comments."]
    )
    with locked(config.locales_dir):
        live: dict[str, tuple[Path, Catalogue]] = {}
        touched: set[str] = set()
        for entry in batch.active:
            domain = entry.msgctxt or ""
            where = f"{path}:{entry.lineno}"
            if domain not in known or not config.po_path(language, domain).exists():
                unknown = f"{domain!r} is not a document with a {language} catalogue"
                result.conflicts.append(f"{where}: {entry.msgid[:50]!r}: {unknown}")
                conflicts.messages.append(_conflict(entry, domain, unknown, None))
                continue
            if domain not in live:
                po_path = config.po_path(language, domain)
                live[domain] = (po_path, load_catalogue(po_path))
            current = live[domain][1].index().get((None, entry.msgid))
            base = next((m.group("digest") for c in entry.translator_comments if (m := BASE.match(c))), None)
            reason = None
            if current is None:
                reason = "the source text changed since the batch was exported"
            elif base is not None and base_digest(current) != base and current.msgstr != entry.msgstr:
                reason = "someone else changed this entry since the batch was exported"
            if reason:
                result.conflicts.append(f"{where}: {domain}: {entry.msgid[:50]!r}: {reason}")
                conflicts.messages.append(_conflict(entry, domain, reason, current))
                continue
            assert current is not None
            label = f"{domain}: {entry.msgid[:50]!r}"
            if not entry.msgstr and current.msgstr:
                # The reviewer deleted the translation: a rejection, never an approval. The text is kept
                # (nothing a translator wrote is dropped) but marked fuzzy, so it is not published.
                current.fuzzy = True
                touched.add(domain)
                result.removed.append(f"{where}: {label}")
                continue
            edited = bool(entry.msgstr) and entry.msgstr != current.msgstr
            if entry.fuzzy and not edited:
                result.left += 1
                continue
            for note in entry.translator_comments:
                ours = BASE.match(note) or signoff.SIGNOFF.match(note)
                if not ours and note not in current.translator_comments:
                    current.translator_comments.append(note)
            touched.add(domain)
            if edited:
                current.msgstr = entry.msgstr
                current.translator_comments = without_machine_notes(current.translator_comments)
            by_a_person(current)
            if entry.fuzzy:
                current.fuzzy = True
                result.edited_draft.append(label)
                continue
            current.fuzzy = False
            blocking = checker.blocking(current, language, domain)
            if blocking:
                result.not_signed.append(f"{label}: [{blocking[0].check}] {blocking[0].message}")
                continue
            signoff.sign(current, reviewer, today)
            (result.edited if edited else result.approved).append(label)
        for domain, (po_path, catalogue) in live.items():
            if domain in touched:
                catalogue.set_header("Last-Translator", reviewer)
            save_catalogue(po_path, catalogue)
    if conflicts.messages:
        result.conflicts_path = path.with_name(path.stem + ".conflicts.po")
        save_catalogue(result.conflicts_path, conflicts)
    return result


@dataclass(slots=True)
class SignResult:
    signed: list[str] = field(default_factory=list)  # file:line: entry, for each entry signed now
    already: int = 0
    not_ready: int = 0  # untranslated or fuzzy
    refused: list[str] = field(default_factory=list)  # failing blocking checks


def sign_language(
    config: Config,
    language: str,
    reviewer: str,
    domains: Sequence[str],
    checker: Checker,
    today: dt.date | None = None,
) -> SignResult:
    """Record ``reviewer``'s sign-off on every translated entry that passes the blocking checks."""
    today = today or dt.date.today()
    result = SignResult()
    with locked(config.locales_dir):
        for domain in domains:
            path = config.po_path(language, domain)
            if not path.exists():
                continue
            catalogue = load_catalogue(path)
            for m in catalogue.active:
                if not m.msgstr or m.fuzzy:
                    result.not_ready += 1
                    continue
                where = f"{path.relative_to(config.root)}:{m.lineno}: {m.msgid[:50]!r}"
                blocking = checker.blocking(m, language, domain)
                if blocking:
                    result.refused.append(f"{where}: [{blocking[0].check}] {blocking[0].message}")
                elif signoff.sign(m, reviewer, today):
                    by_a_person(m)
                    result.signed.append(where)
                else:
                    result.already += 1
            save_catalogue(path, catalogue)
    return result


def waive_finding(
    config: Config,
    language: str,
    domain: str,
    check: str,
    reviewer: str,
    reason: str,
    prefix: str,
    checker: Checker,
    today: dt.date | None = None,
) -> str:
    """Record ``reviewer``'s waiver of ``check`` on the one entry whose source text starts with ``prefix``.

    Returns where the entry is (``file:line: text``). The waiver lasts while the source and
    translation stay as they are.
    """
    if check not in WAIVABLE:
        raise ConfigError(f"the {check!r} check cannot be waived; waivable: {', '.join(sorted(WAIVABLE))}")
    if not reason.strip():
        raise ConfigError("a waiver needs a reason (--reason)")
    path = config.po_path(language, domain)
    if not path.exists():
        raise CatalogueError(f"no {language} catalogue for {domain!r}", path)
    with locked(config.locales_dir):
        catalogue = load_catalogue(path)
        matches = [m for m in catalogue.active if prefix and m.msgid.startswith(prefix)]
        if len(matches) != 1:
            lines = ", ".join(str(m.lineno) for m in matches[:10])
            found = f"{len(matches)} entries (lines {lines}); give more of the text" if matches else "none"
            raise CatalogueError(f"one entry must start with {prefix!r}: found {found}", path)
        (entry,) = matches
        where = f"{path.relative_to(config.root)}:{entry.lineno}: {entry.msgid[:50]!r}"
        findings = [p for p in checker.problems(entry, language, domain) if p.check == check]
        if not findings:
            raise CatalogueError(
                f"nothing to waive: the {check!r} check finds nothing in this entry", path, entry.lineno
            )
        signoff.waive(entry, check, reviewer, today or dt.date.today(), reason)
        save_catalogue(path, catalogue)
    return f"{where}: {findings[0].message}"
