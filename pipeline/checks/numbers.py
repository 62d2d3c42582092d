"""Values that must come through unchanged: numbers, web and e-mail addresses, drafting placeholders."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from .base import Context
from .markup import FOOTNOTE, markup

MASK = re.compile(r"⟦\d+⟧")
"""How drafting masks protected markup; one left in a translation is a damaged draft."""


NUMBER = re.compile(r"\d+(?:[.,\u066b\u066c\u00a0\u202f'’]\d+)*")
"""A number as written: digit groups joined by decimal or thousands separators of any locale."""
_SEPARATOR = re.compile(r"[.,\u066b\u066c\u00a0\u202f'’]")


class _Digits(dict[int, int | str]):
    """``str.translate`` table filled as characters are met: a decimal digit of any script -> ASCII."""

    def __missing__(self, code: int) -> int | str:
        ch = chr(code)
        value: int | str = str(unicodedata.decimal(ch)) if ch.isdecimal() else code
        self[code] = value
        return value


_DIGITS = _Digits()


def ascii_digits(text: str) -> str:
    """Locale digits (Arabic-Indic, Persian, Devanagari...) as ASCII digits, one for one."""
    return text if text.isascii() else text.translate(_DIGITS)


def number_groups(number: str) -> tuple[str, ...]:
    """A number's digit groups without leading zeros: ``1.5`` and ``1,5`` agree, ``5`` and ``50`` do not."""
    return tuple(g.lstrip("0") or "0" for g in _SEPARATOR.split(number))


def numbers(text: str) -> Counter[tuple[str, ...]]:
    """Every number of ``text`` as its digit groups (:func:`number_groups`).

    Locale digits count as their value. Link targets, image sources and footnote labels are
    left out (the links and footnotes checks cover them).
    """
    plain = FOOTNOTE.sub(" ", MASK.sub(" ", text))
    for kind, value in markup(text):
        if kind in ("link", "image") and value:
            plain = plain.replace(value, " ")
    return Counter(number_groups(m.group(0)) for m in NUMBER.finditer(ascii_digits(plain)))


def check_numbers(ctx: Context) -> Iterator[str]:
    """Doses, times, durations and phone numbers keep their exact values."""
    want, got = numbers(ctx.source), numbers(ctx.translation)
    if want != got:

        def show(c: Counter[tuple[str, ...]]) -> str:
            return ", ".join(".".join(k) for k in sorted(c.elements()))

        parts = []
        if want - got:
            parts.append(f"missing {show(want - got)}")
        if got - want:
            parts.append(f"not in the source {show(got - want)}")
        yield "numbers differ: " + "; ".join(parts)


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"']+[^\s<>()\[\]\"'.,;:!?]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def check_addresses(ctx: Context) -> Iterator[str]:
    """Web addresses and e-mail addresses written in the text are copied unchanged."""
    for name, pattern in (("web addresses", _URL), ("e-mail addresses", _EMAIL)):
        want, got = Counter(pattern.findall(ctx.source)), Counter(pattern.findall(ctx.translation))
        if want != got:
            missing, extra = sorted((want - got).elements()), sorted((got - want).elements())
            yield f"{name} differ: missing {missing}, extra {extra}"


def check_masks(ctx: Context) -> Iterator[str]:
    """No placeholder from machine drafting is left in the text."""
    if MASK.search(ctx.translation) and not MASK.search(ctx.source):
        yield "leftover drafting placeholder " + ", ".join(sorted(set(MASK.findall(ctx.translation))))
