"""Decide what each handout may contain: reviewed text only, unless it is a preview.

For one document in one language, every segment gets a :class:`Choice` (the
text to show and its review state); the handout is published when enough of it
is publishable (signed off, passing every blocking check), else withheld with a
reason a clinic can act on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import review
from .catalogue import Catalogue, Message
from .checks import Context, Glossary, blocking_problems
from .config import DEFAULT_CRITICAL_WORDS
from .model import Document, EntryState, HandoutStatus


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
    index = catalogue.index() if catalogue is not None else {}
    plan = Plan(doc, language, HandoutStatus.PREVIEW if preview else HandoutStatus.WITHHELD, total=len(texts))
    used: list[Message] = []
    for msgid in texts:
        m = index.get((None, msgid))
        critical = review.is_critical(m or Message(msgid), critical_words)
        state = review.state(m, critical)
        msgstr = m.msgstr if m is not None else ""
        blocking = blocking_problems(Context(msgid, msgstr, language, glossary))
        if blocking:
            plan.counts["failing checks"] += 1
            plan.choices[msgid] = Choice(None, state, "; ".join(f"[{p.check}] {p.message}" for p in blocking))
            continue
        plan.counts[state.value] += 1
        publishable = state.publishable(require_review)
        usable = publishable or (preview and state in (EntryState.DRAFT, EntryState.TRANSLATED))
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


@dataclass(slots=True)
class HandoutResult:
    """What the build did with one document in one language."""

    doc_id: str
    language: str
    status: HandoutStatus
    translated: int
    total: int
    reason: str = ""
    outputs: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rebuilt: bool = True
