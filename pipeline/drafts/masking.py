"""Protect markup and names from a translation engine, and check what comes back.

Before sending, every piece of inline Markdown an engine could damage (code
spans, links' targets, images, autolinks, inline HTML, entities, escapes, hard
breaks, emphasis markers) and every do-not-translate term is replaced by a
numbered mask ``⟦n⟧``; leading and trailing whitespace is kept back. After the
engine answers, the masks are put back and the result is rejected if anything
was lost, duplicated or invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.common.html_re import HTML_TAG_RE

from ..checks import Context, check_code, check_links, numbers

_MASK = re.compile(r"⟦(\d+)⟧")
_LOOSE_MASK = re.compile(r"[⟦\[]\s*(\d+)\s*[⟧\]]")  # what an engine makes of a mask when it mangles it

# Order matters: longer, more specific constructs first.
_PATTERNS = [
    re.compile(r"<!--(?:.|\n)*?-->"),  # HTML comments, whole (they may hold backticks)
    re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)"),  # code spans
    re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>"),  # autolinks
    HTML_TAG_RE,  # inline HTML
    re.compile(
        r"\]\((?:<[^>\n]*>|[^)\s]*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
    ),  # ](target "title")
    re.compile(r"\]\[[^\]]*\]"),  # ][reference]
    re.compile(r"\[\^[^\]\s]+\]"),  # [^footnote] reference
    re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}"),  # format placeholders (template words)
    re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"'`]+[^\s<>()\[\]\"'`.,;:!?]"),  # a bare web address
    re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),  # a bare e-mail address
    re.compile(r"!?\["),  # link and image openers
    re.compile(r"\\\n"),  # hard break
    re.compile(r"\\[!-/:-@\[-`{-~]"),  # backslash escapes
    re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"),  # entities
    re.compile(r"\*+|_{2,}|(?<!\w)_+|_+(?!\w)"),  # emphasis markers (not underscores inside words)
    re.compile(r"⟦\d+⟧"),  # text that already looks like a mask
]


@dataclass(frozen=True, slots=True)
class Masked:
    """Text as sent to an engine, and what its masks stand for."""

    text: str
    pieces: tuple[str, ...]
    lead: str
    trail: str


def mask(source: str, terms: Sequence[str] = ()) -> Masked:
    """Replace markup and do-not-translate terms by ``⟦n⟧``."""
    core = source.strip()
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :] if core else ""
    spans: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in spans)

    # Markup first: a term must never split a tag or a link target.
    for pattern in _PATTERNS:
        for m in pattern.finditer(core):
            if m.end() > m.start() and free(m.start(), m.end()):
                spans.append((m.start(), m.end()))
    for term in sorted(terms, key=len, reverse=True):
        for m in re.finditer(re.escape(term), core):
            if free(m.start(), m.end()):
                spans.append((m.start(), m.end()))
    spans.sort()
    out: list[str] = []
    pieces: list[str] = []
    last = 0
    for a, b in spans:
        out.append(core[last:a])
        out.append(f"⟦{len(pieces)}⟧")
        pieces.append(core[a:b])
        last = b
    out.append(core[last:])
    return Masked("".join(out), tuple(pieces), lead, trail)


class DraftRejected(ValueError):
    """An engine's answer that would damage the text; the reason is the message."""


def unmask(masked: Masked, answer: str) -> str:
    """Put the masks of ``answer`` back; every mask exactly once, or :class:`DraftRejected`."""
    if not answer or not answer.strip():
        raise DraftRejected("the engine returned nothing")
    found = [int(m.group(1)) for m in _MASK.finditer(answer)]
    expected = list(range(len(masked.pieces)))
    if sorted(found) != expected:
        loose = [int(m.group(1)) for m in _LOOSE_MASK.finditer(answer)]
        missing = sorted(set(expected) - set(found))
        duplicated = sorted({n for n in found if found.count(n) > 1})
        unknown = sorted(set(found) - set(expected))
        if missing and sorted(loose) == expected:
            raise DraftRejected(f"placeholders were mangled: {missing}")
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if duplicated:
            parts.append(f"duplicated {duplicated}")
        if unknown:
            parts.append(f"unknown {unknown}")
        raise DraftRejected("placeholders " + ", ".join(parts))
    text = _MASK.sub(lambda m: masked.pieces[int(m.group(1))], answer.strip())
    return masked.lead + text + masked.trail


def validate(source: str, draft: str) -> None:
    """Reject a restored draft whose numbers, links or code spans differ from the source."""
    if numbers(source) != numbers(draft):
        raise DraftRejected("numbers differ from the source")
    ctx = Context(source, draft, "")
    for check in (check_links, check_code):
        for problem in check(ctx):
            raise DraftRejected(problem)
