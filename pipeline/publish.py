"""Decide what each handout may contain: reviewed text only, unless it is a preview.

For one document in one language, every segment gets a :class:`Choice` (the
text to show and its state); the handout is published when enough of it is
translated and nothing was refused, else withheld with a reason a clinic can
act on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .catalogue import Catalogue
from .checks import Severity, check_markup
from .model import Document, EntryState, HandoutStatus


@dataclass(frozen=True, slots=True)
class Choice:
    """The text shown for one source text: a translation, or None for the source text."""

    text: str | None
    state: EntryState
    refused: str | None = None  # why a translation was not used


@dataclass(slots=True)
class Plan:
    """One handout: a document in a language, with every choice and the verdict."""

    doc: Document
    language: str
    status: HandoutStatus
    choices: dict[str, Choice] = field(default_factory=dict)
    total: int = 0
    translated: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    reason: str = ""
    is_source: bool = False

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def text_for(self, msgid: str) -> str | None:
        choice = self.choices.get(msgid)
        return choice.text if choice else None


def state_of(catalogue: Catalogue | None, msgid: str) -> tuple[EntryState, str]:
    """The PO state of a source text in a catalogue, and its msgstr."""
    if catalogue is None:
        return EntryState.UNTRANSLATED, ""
    m = catalogue.index().get((None, msgid))
    if m is None or not m.msgstr:
        return EntryState.UNTRANSLATED, ""
    return (EntryState.DRAFT if m.fuzzy else EntryState.TRANSLATED), m.msgstr


def plan_handout(
    doc: Document,
    language: str,
    catalogue: Catalogue | None,
    *,
    source_language: str,
    min_translated: float = 100.0,
    preview: bool = False,
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
            choices={t: Choice(None, EntryState.TRANSLATED) for t in texts},
        )
    plan = Plan(doc, language, HandoutStatus.PREVIEW if preview else HandoutStatus.WITHHELD, total=len(texts))
    for msgid in texts:
        state, msgstr = state_of(catalogue, msgid)
        refused = None
        if msgstr:
            blocking = [p for p in check_markup(msgid, msgstr) if p.severity is Severity.BLOCKING]
            if blocking:
                refused = "; ".join(p.message for p in blocking)
        if refused:
            plan.counts["refused"] += 1
            plan.choices[msgid] = Choice(None, state, refused)
            continue
        plan.counts[state.value] += 1
        usable = state.publishable() or (preview and state is EntryState.DRAFT)
        plan.choices[msgid] = Choice(msgstr if usable else None, state)
        if state.publishable():
            plan.translated += 1
    if not preview:
        missing = plan.total - plan.translated
        if plan.percent + 1e-9 >= min_translated:
            plan.status = HandoutStatus.PUBLISHED
        else:
            parts = []
            if plan.counts["draft"]:
                parts.append(f"{plan.counts['draft']} draft(s) awaiting review")
            if plan.counts["untranslated"]:
                parts.append(f"{plan.counts['untranslated']} untranslated")
            if plan.counts["refused"]:
                parts.append(f"{plan.counts['refused']} refused by checks")
            plan.reason = (
                f"{missing} of {plan.total} entries not publishable ({', '.join(parts)}); "
                f"{plan.percent:.0f}% translated, {min_translated:.0f}% required"
            )
    return plan
