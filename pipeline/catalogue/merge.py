"""Update a PO from a new template the way ``msgmerge --previous`` does.

Kept: translations whose source did not change. Fuzzy: a changed source paired
with its old translation, the old source kept as ``#|`` so the translator sees
what changed. Obsolete (``#~``): translations whose source is gone. Nothing a
translator wrote is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ._bulk import collector_paused
from .matching import FuzzyIndex
from .model import Catalogue, Message


@dataclass(frozen=True, slots=True)
class MergeStats:
    """What an update did, for the run report."""

    kept: int
    fuzzy: int
    new: int
    obsolete: int
    notes: tuple[str, ...] = ()  # "line N: ..." of the old catalogue: what changed shape, and how it was kept

    def __str__(self) -> str:
        return f"{self.kept} kept, {self.fuzzy} fuzzy-matched, {self.new} new, {self.obsolete} obsolete"


def _from_template(t: Message) -> Message:
    return replace(
        t,
        msgstr="",
        msgstr_plural=[],
        flags=[f for f in t.flags if f != "fuzzy"],
        references=list(t.references),
        extracted_comments=list(t.extracted_comments),
        translator_comments=[],
        previous_msgctxt=None,
        previous_msgid=None,
        previous_msgid_plural=None,
        obsolete=False,
        lineno=0,
    )


def _carry(new: Message, old: Message) -> str | None:
    """Give ``new`` the translation of ``old``; when their shapes differ (a plural added or removed
    by hand), nothing is dropped: the translation becomes fuzzy and every form is kept in comments.

    Returns a note saying what happened, or None when the shapes agree.
    """
    new.translator_comments = list(old.translator_comments)
    own = [f for f in old.flags if f != "fuzzy" and not f.endswith("-format") and f not in new.flags]
    new.flags = [*new.flags, *own]
    if (new.msgid_plural is None) == (old.msgid_plural is None):
        new.msgstr = old.msgstr
        new.msgstr_plural = list(old.msgstr_plural)
        return None
    forms = [old.msgstr] if old.msgid_plural is None else list(old.msgstr_plural)
    first = next((f for f in forms if f), "")
    if new.msgid_plural is None:
        new.msgstr = first
    else:
        new.msgstr_plural = [first]
    kept = []
    if old.msgid_plural:
        kept.append(f"kept from the old entry: msgid_plural {old.msgid_plural!r}")
        kept += [f"kept from the old entry: msgstr[{i}] {f!r}" for i, f in enumerate(forms) if f]
    new.translator_comments += [c for c in kept if c not in new.translator_comments]
    new.fuzzy = bool(first)
    what = "a plural form was added by hand" if old.msgid_plural else "the template made it plural"
    return f"line {old.lineno}: {old.msgid[:50]!r}: {what}; translation kept as fuzzy, every form in comments"


@collector_paused()
def merge(old: Catalogue, template: Catalogue, cutoff: float | None = None) -> tuple[Catalogue, MergeStats]:
    """A new catalogue with ``template``'s messages and ``old``'s translations (``old`` unchanged)."""
    by_key = {m.key: m for m in old.messages if not m.obsolete}
    obsolete_by_key = {m.key: m for m in old.messages if m.obsolete}
    template_keys = {m.key for m in template.messages if not m.obsolete}
    used: set[tuple[str | None, str]] = set()
    messages: list[Message] = []
    pending: list[int] = []
    notes: list[str] = []
    kept = 0
    for t in template.messages:
        if t.obsolete:
            continue
        new = _from_template(t)
        o = by_key.get(t.key) or obsolete_by_key.get(t.key)
        if o is not None:
            if note := _carry(new, o):
                notes.append(note)
            if o.fuzzy:
                new.fuzzy = True
                new.previous_msgctxt = o.previous_msgctxt
                new.previous_msgid = o.previous_msgid
                new.previous_msgid_plural = o.previous_msgid_plural
            used.add(o.key)
            kept += 1
        else:
            pending.append(len(messages))
        messages.append(new)

    candidates = [m for m in old.messages if m.key not in template_keys and m.has_translation()]
    fuzzy = 0
    if pending and candidates:
        index = FuzzyIndex(
            [m.msgid for m in candidates], **({"cutoff": cutoff} if cutoff is not None else {})
        )
        # Best pairs first, each old text used once: an edited text claims its own
        # old version before a merely similar new text can.
        pairs = [
            (-score, i, found)
            for i in pending
            for found, score in index.candidates(messages[i].msgid)
            if (candidates[found].msgid_plural is None) == (messages[i].msgid_plural is None)
        ]
        pairs.sort()
        taken_new: set[int] = set()
        taken_old: set[int] = set()
        for _, i, found in pairs:
            if i in taken_new or found in taken_old:
                continue
            taken_new.add(i)
            taken_old.add(found)
            new, o = messages[i], candidates[found]
            _carry(new, o)
            new.fuzzy = True
            new.previous_msgctxt = o.msgctxt
            new.previous_msgid = o.msgid
            new.previous_msgid_plural = o.msgid_plural
            used.add(o.key)
            fuzzy += 1

    obsolete: list[Message] = []
    for m in old.messages:
        if m.key in used or m.key in template_keys or not m.has_translation():
            continue
        obsolete.append(replace(m, obsolete=True, lineno=0))
    merged = Catalogue(
        header=list(old.header),
        header_comments=list(old.header_comments),
        header_flags=list(old.header_flags),
        messages=messages + obsolete,
    )
    created = template.header_value("POT-Creation-Date")
    if created:
        merged.set_header("POT-Creation-Date", created)
    stats = MergeStats(kept, fuzzy, len(pending) - fuzzy, len(obsolete), tuple(notes))
    return merged, stats
