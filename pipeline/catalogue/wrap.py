"""Wrap PO strings exactly as GNU gettext does (``write-po.c`` with libunistring).

gettext escapes a string, splits it after each ``\\n`` and breaks each piece at
Unicode line-break opportunities (UAX #14) so that no line is wider than 79
columns. Matching it byte for byte is what lets ``msgcat`` and ``msgmerge`` leave
our files unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache

from ._linebreak_pairs import PAIRS

PAGE_WIDTH = 79


@lru_cache(maxsize=1)
def _ranges() -> tuple[list[int], tuple[tuple[int, int, str], ...]]:
    """The Line_Break table, loaded when first needed (it is most of this module's import time)."""
    from ._linebreak_data import RANGES

    return [r[0] for r in RANGES], RANGES


# Classes resolved the way libunistring does for a non-CJK encoding.
_RESOLVE = {"AI": "AL", "CJ": "NS", "SA": "AL", "XX": "AL", "SG": "AL", "NL": "BK", "LF": "BK", "CR": "BK"}

_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v", "\\": "\\", '"': '"'}


@lru_cache(maxsize=4096)
def line_break_class(ch: str) -> str:
    """The resolved Unicode Line_Break class of one character."""
    cp = ord(ch)
    starts, ranges = _ranges()
    i = bisect_right(starts, cp) - 1
    cls = "XX"
    if i >= 0 and ranges[i][0] <= cp <= ranges[i][1]:
        cls = ranges[i][2]
    elif 0x3400 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x3FFFD or 0xF900 <= cp <= 0xFAFF:
        cls = "ID"  # unassigned ideograph blocks default to ID
    return _RESOLVE.get(cls, cls)


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Columns a character takes, as libunistring's ``uc_width`` (controls count 0)."""
    cp = ord(ch)
    if cp < 0x300:
        return 1 if (0x20 <= cp < 0x7F or cp >= 0xA0) else 0
    if 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:
        return 0
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Cf"):
        return 0
    if cat == "Cc":
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


_EAST_ASIAN = frozenset(("W", "F", "H"))


def _pair(a: str, b: str, ch: str) -> str:
    """'P' never break between classes a and b, 'I' only after spaces, 'D' break allowed."""
    if b == "OP" and ch >= "\x80" and unicodedata.east_asian_width(ch) in _EAST_ASIAN:
        b = "OPW"
    return PAIRS.get((a, b), "D")


_SKIP_BACK = frozenset(("CM", "ZWJ"))


_cls = line_break_class


def _opportunity(text: str, k: int) -> bool:
    """Whether libunistring allows a line break just before ``text[k]`` (k >= 1).

    Equivalent to running its left-to-right state machine up to ``k``, but only
    looks back as far as the nearest character that is not a space or a
    combining mark, so a line break costs a few steps instead of a full scan.
    """
    cls = _cls(text[k])
    if cls in ("SP", "BK", "ZW"):
        return False
    j = k - 1
    seen_space = False
    while j >= 0 and _cls(text[j]) == "SP":
        seen_space = True
        j -= 1
    if cls in _SKIP_BACK:
        # A mark after a space (or zero-width space) starts a new piece; otherwise it attaches.
        if seen_space:
            return j >= 0
        return _cls(text[k - 1]) == "ZW"
    if j < 0:
        return False  # only spaces before: the start of the text
    last = _cls(text[j])
    if last in _SKIP_BACK:
        b = j
        while b >= 0 and _cls(text[b]) in _SKIP_BACK:
            b -= 1
        base = _cls(text[b]) if b >= 0 else "SP"
        last = "AL" if base in ("SP", "ZW") else base
    decision = _pair(last, cls, text[k])
    return decision == "D" or (decision == "I" and seen_space)


_NEEDS_ESCAPE = re.compile(r'[\a\b\f\n\r\t\v\\"]')
_ESCAPE_PAIR = re.compile(r"\\.")


def _escape(portion: str) -> tuple[str, frozenset[int]]:
    """The escaped portion and the positions where no line break may go (inside an escape)."""
    if _NEEDS_ESCAPE.search(portion) is None:
        return portion, frozenset()
    escaped = _NEEDS_ESCAPE.sub(lambda m: "\\" + _ESCAPES[m.group()], portion)
    # Escaped text is made of plain characters (never a backslash) and two-character escapes.
    prohibited = {m.start() + 1 for m in _ESCAPE_PAIR.finditer(escaped)}
    if portion.endswith("\n"):
        prohibited.add(len(escaped) - 2)  # gettext never breaks just before the final "\n"
    return escaped, frozenset(prohibited)


# In "simple" text (every character one column wide, no combining marks, joiners, zero-width
# spaces or hard breaks) the decision depends only on the character before the break (or
# the last one before the spaces there) and the one after it. Two tables of character
# pairs answer it, filled from _opportunity itself as pairs are met.
_DIRECT: dict[str, bool] = {}
_AFTER_SPACE: dict[str, bool] = {}
_NOT_SIMPLE_CLASSES = frozenset(("SP", "BK", "ZW", "CM", "ZWJ"))
_NOWHERE: frozenset[int] = frozenset()


@lru_cache(maxsize=8192)
def _simple_char(ch: str) -> bool:
    return ch == " " or (char_width(ch) == 1 and line_break_class(ch) not in _NOT_SIMPLE_CLASSES)


_KNOWN_SIMPLE = {chr(i) for i in range(0x20, 0x7F)}  # grows with the simple characters met


def _is_simple(text: str) -> bool:
    if text.isascii():
        return text.isprintable()  # printable ASCII: U+0020 to U+007E
    chars = set(text)
    if chars <= _KNOWN_SIMPLE:
        return True
    for ch in chars - _KNOWN_SIMPLE:
        if not _simple_char(ch):
            return False
        _KNOWN_SIMPLE.add(ch)
    return True


def _direct(pair: str) -> bool:
    ok = _DIRECT.get(pair)
    if ok is None:
        ok = _DIRECT[pair] = _opportunity(pair, 1)
    return ok


def _after_space(pair: str) -> bool:
    ok = _AFTER_SPACE.get(pair)
    if ok is None:
        ok = _AFTER_SPACE[pair] = _opportunity(pair[0] + " " + pair[1], 2)
    return ok


def _next_opportunity(k: int, n: int, allowed: Callable[[int], bool]) -> int:
    """Where a piece wider than the line ends: its next break opportunity from ``k`` (``n`` if none)."""
    while k < n and not allowed(k):
        k += 1
    return k


def _simple_allowed(text: str, k: int, prohibited: frozenset[int]) -> bool:
    c = text[k]
    if c == " " or k in prohibited:
        return False
    p = text[k - 1]
    if p != " ":
        return _direct(p + c)
    j = k - 2
    while j >= 0 and text[j] == " ":
        j -= 1
    return j >= 0 and _after_space(text[j] + c)


def _simple_line_breaks(text: str, prohibited: frozenset[int], width: int, startcol: int) -> list[int]:
    """:func:`_line_breaks` for simple text: a column a character, pair tables."""
    n = len(text)
    breaks: list[int] = []
    start = 0
    offset = startcol
    direct = _DIRECT
    after_space = _AFTER_SPACE
    while n - start + offset > width:
        limit = min(n - 1, max(start, width - offset + start))
        k = limit
        while k > start:  # _simple_allowed, inlined: this loop is the writer's hot spot
            c = text[k]
            if c != " " and k not in prohibited:
                p = text[k - 1]
                if p != " ":
                    ok = direct.get(p + c)
                    if ok or (ok is None and _direct(p + c)):
                        break
                else:
                    j = k - 2
                    while j >= 0 and text[j] == " ":
                        j -= 1
                    if j >= 0:
                        ok = after_space.get(text[j] + c)
                        if ok or (ok is None and _after_space(text[j] + c)):
                            break
            k -= 1
        if k <= start:
            k = _next_opportunity(limit + 1, n, lambda i: _simple_allowed(text, i, prohibited))
            if k >= n:
                break
        breaks.append(k)
        start = k
        offset = 0
    return breaks


def _line_breaks(text: str, prohibited: frozenset[int], width: int, startcol: int) -> list[int]:
    """Indices before which gettext inserts a line break.

    libunistring's greedy rule: a line ends at the last break opportunity that
    still fits; a piece wider than a line stands alone up to its next opportunity.
    """
    n = len(text)
    if _is_simple(text):
        return [] if startcol + n <= width else _simple_line_breaks(text, prohibited, width, startcol)
    cols: list[int] | None = None
    total = n
    if not text.isascii():
        cols = [0] * (n + 1)
        acc = 0
        for i, ch in enumerate(text):
            acc += char_width(ch)
            cols[i + 1] = acc
        total = acc
    if startcol + total <= width:
        return []

    def col(i: int) -> int:
        return i if cols is None else cols[i]

    ascii_text = cols is None

    def allowed(k: int) -> bool:
        if ascii_text:
            cur, prev = text[k], text[k - 1]
            # Exact shortcut: ASCII letters and digits never break without a space between them,
            # and nothing breaks before a space.
            if cur == " " or (cur.isalnum() and prev.isalnum()):
                return False
        return k not in prohibited and _opportunity(text, k)

    breaks: list[int] = []
    start = 0
    offset = startcol
    while col(n) - col(start) + offset > width:
        budget = width - offset + col(start)  # the furthest column this line may reach
        if cols is None:
            limit = min(n - 1, max(start, budget))
        else:
            limit = start
            while limit + 1 < n and cols[limit + 1] <= budget:
                limit += 1
        k = limit
        while k > start and not allowed(k):
            k -= 1
        if k <= start:
            k = _next_opportunity(limit + 1, n, allowed)
            if k >= n:
                break
        breaks.append(k)
        start = k
        offset = 0
    return breaks


def wrap_string(name: str, value: str, prefix: str = "", page_width: int = PAGE_WIDTH) -> list[str]:
    """The lines gettext writes for ``name "value"`` (e.g. ``msgid``) behind ``prefix``."""
    after_break = len(prefix) + 1
    width = page_width - 1 - after_break
    if '"' not in value and "\\" not in value and _is_simple(value):
        # Simple text with nothing to escape, the usual case.
        n = len(value)
        if len(prefix) + len(name) + n + 3 <= page_width:
            return [f'{prefix}{name} "{value}"']  # fits on one line as it is
        # Too long for the first line: if it can break at all, gettext starts with name "" and
        # wraps from the next line's start; if it cannot, it stays one over-long line.
        if n > width:
            breaks = _simple_line_breaks(value, _NOWHERE, width, 0)
            if not breaks:
                return [f'{prefix}{name} "{value}"']
        else:
            breaks = []
            k = n - 1
            while k > 0 and not _simple_allowed(value, k, _NOWHERE):
                k -= 1
            if k == 0:
                return [f'{prefix}{name} "{value}"']
        lines = [f'{prefix}{name} ""']
        last = 0
        for b in breaks:
            lines.append(f'{prefix}"{value[last:b]}"')
            last = b
        lines.append(f'{prefix}"{value[last:]}"')
        return lines
    lines = []
    portions: list[str] = []
    start = 0
    while True:
        nl = value.find("\n", start)
        if nl == -1 or nl == len(value) - 1:
            portions.append(value[start:])
            break
        portions.append(value[start : nl + 1])
        start = nl + 1
    first_line = True
    for index, portion in enumerate(portions):
        escaped, prohibited = _escape(portion)
        if first_line:
            startcol = len(prefix) + len(name) + 2 - after_break
            breaks = _line_breaks(escaped, prohibited, width, startcol)
            if escaped and (index < len(portions) - 1 or startcol > width or breaks):
                lines.append(f'{prefix}{name} ""')
                first_line = False
        if not first_line:
            startcol = len(prefix) + 1 - after_break
            breaks = _line_breaks(escaped, prohibited, width, startcol)
        pieces = []
        last = 0
        for b in breaks:
            pieces.append(escaped[last:b])
            last = b
        pieces.append(escaped[last:])
        for j, piece in enumerate(pieces):
            if first_line and j == 0:
                lines.append(f'{prefix}{name} "{piece}"')
            else:
                lines.append(f'{prefix}"{piece}"')
        first_line = False
    return lines
