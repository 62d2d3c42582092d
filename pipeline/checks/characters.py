"""Characters a translation must not carry: bidi controls that reorder text, and control characters.

A right-to-left override (U+202E) makes "12 mg" display as "21 mg" while every comparison of the
stored text agrees. Translations may not contain directional embeddings, overrides or isolates
at all, nor directional marks the source does not have: our templates set the direction of each
run of text themselves. With these refused, digits display in the order they are stored, so the
numbers and units checks compare what a patient sees.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from .base import Context

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides, isolates and their terminators: never allowed."""
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
"""Left-to-right, right-to-left and Arabic letter marks: allowed only where the source has them."""


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"


def check_bidi(ctx: Context) -> Iterator[str]:
    """No directional formatting characters that could reorder what a patient reads."""
    for ch in sorted(set(ctx.translation) & BIDI_CONTROLS):
        yield f"directional formatting character {_name(ch)} at position {ctx.translation.index(ch) + 1}"
    for ch in sorted((set(ctx.translation) & BIDI_MARKS) - set(ctx.source)):
        yield f"directional mark {_name(ch)} not in the source at position {ctx.translation.index(ch) + 1}"


def check_control(ctx: Context) -> Iterator[str]:
    """No control characters the source does not have (a hard break is a backslash and a newline)."""
    allowed = set(_CONTROL.findall(ctx.source)) | {"\n"}
    bad = sorted(set(_CONTROL.findall(ctx.translation)) - allowed)
    for ch in bad:
        yield f"control character {_name(ch)} at position {ctx.translation.index(ch) + 1}"
