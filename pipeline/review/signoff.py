"""Review state and sign-off, kept in the PO entries themselves.

A sign-off is a translator comment that every PO editor and msgmerge keep::

    # reviewed-by: Ana Ruiz 2026-11-21 3f9a0c51d2e7

The last field hashes the source text and the translation it approved, so a
sign-off stops counting as soon as either changes. Critical entries (numbers,
doses, units, durations, warnings, or marked critical in the source) need two
sign-offs by different people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..catalogue import Message
from ..checks import (
    Context,
    Glossary,
    Problem,
    References,
    load_glossary,
    reference_table,
    run_checks,
)
from ..config import DEFAULT_CRITICAL_WORDS, Config
from ..model import Document, EntryState
from ..segment import load_documents

SIGNOFF = re.compile(r"^reviewed-by: (?P<name>.+?) (?P<date>\d{4}-\d{2}-\d{2}) (?P<hash>[0-9a-f]{12})$")

WAIVER = re.compile(
    r"^waived: (?P<check>[\w-]+) by (?P<name>.+?) (?P<date>\d{4}-\d{2}-\d{2}) (?P<hash>[0-9a-f]{12})"
    r": (?P<reason>.+)$"
)
"""``# waived: negation by Ana Ruiz 2026-12-01 3f9a0c51d2e7: REASON``: one finding waived on one text."""

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class SignOff:
    name: str
    date: dt.date
    digest: str

    def comment(self) -> str:
        return f"reviewed-by: {self.name} {self.date.isoformat()} {self.digest}"


def digest(msgid: str, msgstr: str, msgctxt: str | None = None) -> str:
    """What a sign-off approves: this source text with this translation."""
    data = f"{msgctxt or ''}\x04{msgid}\x00{msgstr}".encode()
    return hashlib.sha256(data).hexdigest()[:12]


def signoffs(message: Message) -> list[SignOff]:
    """Every sign-off recorded on an entry, valid or not."""
    found = []
    for comment in message.translator_comments:
        m = SIGNOFF.match(comment.strip())
        if m:
            try:
                day = dt.date.fromisoformat(m.group("date"))
            except ValueError:
                continue
            found.append(SignOff(m.group("name").strip(), day, m.group("hash")))
    return found


def valid_waivers(message: Message) -> dict[str, str]:
    """Check name -> "waived by NAME on DATE: REASON", for waivers of exactly this source and translation."""
    current = digest(message.msgid, message.msgstr, message.msgctxt)
    found = {}
    for comment in message.translator_comments:
        m = WAIVER.match(comment.strip())
        if m and m.group("hash") == current:
            found[m.group("check")] = f"waived by {m.group('name')} on {m.group('date')}: {m.group('reason')}"
    return found


def waive(message: Message, check: str, reviewer: str, day: dt.date, reason: str) -> None:
    """Record ``reviewer``'s waiver of ``check`` on this entry's current text (voided when it changes)."""
    reason = " ".join(reason.split())
    current = digest(message.msgid, message.msgstr, message.msgctxt)
    message.translator_comments = [
        c for c in message.translator_comments if not ((m := WAIVER.match(c.strip())) and m["check"] == check)
    ]
    message.translator_comments.append(f"waived: {check} by {reviewer} {day.isoformat()} {current}: {reason}")


def valid_signoffs(message: Message) -> list[SignOff]:
    """Sign-offs that approved exactly the current source and translation, one per person."""
    current = digest(message.msgid, message.msgstr, message.msgctxt)
    by_name: dict[str, SignOff] = {}
    for s in signoffs(message):
        if s.digest == current and s.name.casefold() not in by_name:
            by_name[s.name.casefold()] = s
    return list(by_name.values())


def is_critical(message: Message, words: Sequence[str] = DEFAULT_CRITICAL_WORDS) -> bool:
    """Numbers, doses, units, durations or warnings in the source, or marked critical by its author."""
    if any(c.startswith("critical") for c in message.extracted_comments):
        return True
    text = message.msgid
    if _DIGIT.search(text):
        return True
    return _critical_words(tuple(words)).search(text.lower()) is not None


@lru_cache(maxsize=8)
def _critical_words(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all the critical words, each as a whole word."""
    alternation = "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)" if alternation else r"(?!x)x")


def state(message: Message | None, critical: bool) -> EntryState:
    """Where an entry stands: untranslated, draft, translated, reviewed."""
    if message is None or not message.msgstr:
        return EntryState.UNTRANSLATED
    if message.fuzzy:
        return EntryState.DRAFT
    needed = 2 if critical else 1
    return EntryState.REVIEWED if len(valid_signoffs(message)) >= needed else EntryState.TRANSLATED


def sign(message: Message, reviewer: str, day: dt.date) -> bool:
    """Record ``reviewer``'s sign-off on a translated entry; False if already signed or not signable."""
    if not message.msgstr or message.fuzzy:
        return False
    current = digest(message.msgid, message.msgstr, message.msgctxt)
    if any(s.name.casefold() == reviewer.casefold() for s in valid_signoffs(message)):
        return False
    # Sign-offs of an older text are dropped: they no longer mean anything.
    message.translator_comments = [
        c
        for c in message.translator_comments
        if not ((m := SIGNOFF.match(c.strip())) and m.group("hash") != current)
    ]
    message.translator_comments.append(SignOff(reviewer, day, current).comment())
    return True


def reviewers(messages: Iterable[Message]) -> tuple[list[str], dt.date | None]:
    """Names that signed off any of these entries (valid sign-offs only), and the latest date."""
    names: dict[str, str] = {}
    latest: dt.date | None = None
    for m in messages:
        for s in valid_signoffs(m):
            names.setdefault(s.name.casefold(), s.name)
            latest = s.date if latest is None or s.date > latest else latest
    return sorted(names.values(), key=str.casefold), latest


def entry_context(
    message: Message,
    language: str,
    glossary: Glossary,
    *,
    critical_words: Sequence[str] = DEFAULT_CRITICAL_WORDS,
    source_language: str = "en",
    references: References = (),
) -> Context:
    """What the checks judge one entry by; every caller builds it here so that all judge alike."""
    return Context(
        message.msgid,
        message.msgstr,
        language,
        glossary,
        critical=is_critical(message, critical_words),
        references=references,
        source_language=source_language,
        waivers=valid_waivers(message),
    )


def references_by_domain(documents: Iterable[Document]) -> dict[str, References]:
    """Each document's link reference definitions, by catalogue name (the templates' words have none)."""
    return {doc.id: reference_table(doc.references) for doc in documents}


@dataclass(frozen=True, slots=True)
class Checker:
    """How this project judges its entries: one place, so that status, check, review and build agree."""

    glossary: Glossary
    critical_words: Sequence[str] = DEFAULT_CRITICAL_WORDS
    source_language: str = "en"
    references: Mapping[str, References] = field(default_factory=dict)

    @classmethod
    def load(cls, config: Config, documents: Iterable[Document] | None = None) -> Checker:
        """The glossary, the settings and the reference definitions of ``documents`` (default: all)."""
        docs = load_documents(config) if documents is None else documents
        return cls(
            load_glossary(config.glossary_path),
            config.critical_words,
            config.source_language,
            references_by_domain(docs),
        )

    def context(self, message: Message, language: str, domain: str) -> Context:
        return entry_context(
            message,
            language,
            self.glossary,
            critical_words=self.critical_words,
            source_language=self.source_language,
            references=self.references.get(domain, ()),
        )

    def problems(self, message: Message, language: str, domain: str) -> list[Problem]:
        """Every check problem of a translated or drafted entry (none for an untranslated one)."""
        return run_checks(self.context(message, language, domain)) if message.msgstr else []

    def blocking(self, message: Message, language: str, domain: str) -> list[Problem]:
        return [p for p in self.problems(message, language, domain) if p.blocks]

    def critical(self, message: Message) -> bool:
        return is_critical(message, self.critical_words)

    def state(self, message: Message) -> EntryState:
        return state(message, self.critical(message))
