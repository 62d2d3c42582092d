"""Decide what each handout may contain: reviewed text only, unless it is a preview.

For one document in one language, every segment gets a :class:`Choice` (the
text to show and its review state); the handout is published when enough of it
is publishable (signed off, passing every blocking check), else withheld with a
reason a clinic can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from . import review
from .catalogue import Catalogue, Message
from .checks import Glossary, blocking_problems, markup, reference_table
from .config import DEFAULT_CRITICAL_WORDS, Config
from .model import Document, EntryState, HandoutStatus

_DRAFTED = (EntryState.DRAFT, EntryState.TRANSLATED)
"""What a preview shows besides reviewed text."""


@dataclass(frozen=True, slots=True)
class Choice:
    """The text shown for one source text: a translation, or None for the source text."""

    text: str | None
    state: EntryState
    refused: str | None = None  # blocking check failures: why a translation was not used


@dataclass(slots=True)
class Plan:
    """One handout: a document in a language, with every choice and the verdict."""

    doc: Document
    language: str
    status: HandoutStatus
    choices: dict[str, Choice] = field(default_factory=dict)
    total: int = 0
    translated: int = 0  # publishable entries
    counts: Counter[str] = field(default_factory=Counter)
    reason: str = ""
    is_source: bool = False
    reviewers: list[str] = field(default_factory=list)
    reviewed_on: dt.date | None = None

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def text_for(self, msgid: str) -> str | None:
        choice = self.choices.get(msgid)
        return choice.text if choice else None


def plan_handout(
    doc: Document,
    language: str,
    catalogue: Catalogue | None,
    *,
    source_language: str,
    min_translated: float = 100.0,
    preview: bool = False,
    require_review: bool = True,
    glossary: Glossary | None = None,
    critical_words: Sequence[str] = DEFAULT_CRITICAL_WORDS,
) -> Plan:
    """Choose the text of every segment and decide whether the handout may be published."""
    texts = list(dict.fromkeys(s.text for s in doc.segments))
    if language == source_language:
        return Plan(
            doc,
            language,
            HandoutStatus.PUBLISHED,
            total=len(texts),
            translated=len(texts),
            is_source=True,
            choices={t: Choice(None, EntryState.REVIEWED) for t in texts},
        )
    glossary = glossary or Glossary()
    references = reference_table(doc.references)
    index = catalogue.index() if catalogue is not None else {}
    plan = Plan(doc, language, HandoutStatus.PREVIEW if preview else HandoutStatus.WITHHELD, total=len(texts))
    used: list[Message] = []
    for msgid in texts:
        m = index.get((None, msgid))
        ctx = review.entry_context(
            m or Message(msgid),
            language,
            glossary,
            critical_words=critical_words,
            source_language=source_language,
            references=references,
        )
        state = review.state(m, ctx.critical)
        msgstr = ctx.translation
        blocking = blocking_problems(ctx)
        if blocking:
            plan.counts["failing checks"] += 1
            plan.choices[msgid] = Choice(None, state, "; ".join(f"[{p.check}] {p.message}" for p in blocking))
            continue
        plan.counts[state.value] += 1
        publishable = state.publishable(require_review)
        usable = publishable or (preview and state in _DRAFTED)
        plan.choices[msgid] = Choice(msgstr if usable else None, state)
        if publishable:
            plan.translated += 1
            if m is not None:
                used.append(m)
    plan.reviewers, plan.reviewed_on = review.reviewers(used)
    if not preview:
        if plan.percent + 1e-9 >= min_translated:
            plan.status = HandoutStatus.PUBLISHED
        else:
            labels = [
                ("draft", "draft(s) awaiting review"),
                ("translated", "translated but not signed off"),
                ("untranslated", "untranslated"),
                ("failing checks", "failing checks"),
            ]
            parts = [f"{plan.counts[key]} {label}" for key, label in labels if plan.counts[key]]
            missing = plan.total - plan.translated
            plan.reason = (
                f"{missing} of {plan.total} entries not publishable ({', '.join(parts)}); "
                f"{plan.percent:.0f}% ready, {min_translated:.0f}% required"
            )
    return plan


WATERMARK = "DRAFT - not reviewed"
"""The templates' draft mark: a translation of it must be at least as readable as a short word."""

_LETTER = re.compile(r"[^\W\d_]")
_WIDE = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _reading_width(text: str) -> int:
    """Visible letters, a wide (CJK, Hangul) letter counting two."""
    return len(_LETTER.findall(text)) + len(_WIDE.findall(text))


def unreadable(msgid: str, msgstr: str) -> str | None:
    """Why a template word's translation cannot stand in for its source, or None.

    Every translation needs visible letters where the source has them (not empty, spaces or
    zero-width characters); the draft watermark also needs a fifth of the source's width.
    """
    got, want = _reading_width(msgstr), _reading_width(msgid)
    if want and not got:
        return "has no visible letters"
    if msgid == WATERMARK and (got < 2 or got * 5 < want):
        return f"too short to read as a draft mark ({got} of {want} letter widths)"
    return None


@dataclass(slots=True)
class UiWords:
    """The templates' words for one language: what may be shown, and what falls back and why."""

    language: str
    source_language: str
    table: dict[str, str] = field(default_factory=dict)  # msgid -> translation that may be shown
    held_back: dict[str, str] = field(default_factory=dict)  # msgid -> why the source is shown


def plan_ui_words(
    catalogue: Catalogue | None,
    language: str,
    *,
    source_language: str,
    preview: bool = False,
    require_review: bool = True,
    glossary: Glossary | None = None,
    critical_words: Sequence[str] = DEFAULT_CRITICAL_WORDS,
) -> UiWords:
    """The same rules as a document's text: reviewed (drafts too in a preview), no blocking problem."""
    words = UiWords(language, source_language)
    if catalogue is None or language == source_language:
        return words
    glossary = glossary or Glossary()
    for m in catalogue.active:
        if not m.msgid:
            continue
        ctx = review.entry_context(
            m, language, glossary, critical_words=critical_words, source_language=source_language
        )
        state = review.state(m, ctx.critical)
        if not (state.publishable(require_review) or (preview and state in _DRAFTED)):
            words.held_back[m.msgid] = state.value
        elif blocking := blocking_problems(ctx):
            words.held_back[m.msgid] = f"[{blocking[0].check}] {blocking[0].message}"
        elif why := unreadable(m.msgid, m.msgstr):
            words.held_back[m.msgid] = f"translation {why}"
        else:
            words.table[m.msgid] = m.msgstr
    return words


def page_budget(config: Config, doc: Document) -> int:
    """Pages a printed handout may have: ``max_pages`` of its front matter, else the project's (0: any)."""
    value = doc.front_matter.values.get("max_pages") if doc.front_matter else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else config.max_pages


def missing_images(doc: Document, root: Path) -> list[str]:
    """``file:line: image not found: PATH`` for each local image the document shows that is not there."""
    found = []
    for seg in doc.segments:
        for kind, src in markup(seg.text, reference_table(doc.references)):
            if kind != "image" or not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
                continue
            path = (doc.path.parent / unquote(src.split("#")[0].split("?")[0])).resolve()
            if not path.is_file() or not path.is_relative_to(root):
                found.append(f"{doc.relpath}:{seg.origin.line}: image not found: {src}")
    return list(dict.fromkeys(found))
