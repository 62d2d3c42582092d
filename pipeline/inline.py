"""Inline Markdown as text: code spans, reference links, line breaks in unspaced scripts.

Shared by extraction (what a msgid holds), the checks and reassembly, so that all three
agree on where code is and what a reference is.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from markdown_it.common.utils import normalizeReference
from markdown_it.rules_core import StateCore

_BACKTICKS = re.compile(r"`+")


def code_spans(text: str) -> list[tuple[int, int]]:
    """Where code spans are in inline Markdown: a run of N backticks up to the next run of exactly N.

    A backtick escaped with a backslash opens nothing; inside a span, backslashes are literal.
    """
    spans = []
    runs = [r for r in _BACKTICKS.finditer(text)]
    i = 0
    while i < len(runs):
        opener = runs[i]
        escapes = len(text[: opener.start()]) - len(text[: opener.start()].rstrip("\\"))
        size = len(opener.group()) - (escapes % 2)  # "\``" opens with one backtick
        closer = next((r for r in runs[i + 1 :] if len(r.group()) == size), None) if size else None
        if closer is None:
            i += 1
            continue
        spans.append((opener.end() - size, closer.end()))
        i = runs.index(closer) + 1
    return spans


def join_code_lines(text: str) -> str:
    """Line breaks inside code spans as spaces: CommonMark renders them so, and a line there
    could otherwise start a block (``2. bar`` inside `` `foo...` ``)."""
    spans = code_spans(text)
    if not spans or "\n" not in text:
        return text
    out = list(text)
    for start, end in spans:
        for i in range(start, end):
            if out[i] == "\n":
                out[i] = " "
    return "".join(out)


_SHORT_REFERENCE = re.compile(r"(?<![\]\\])(!?)\[((?:[^\[\]\\]|\\.)+)\](\[\])?(?![\[(])")


def expand_references(text: str, labels: Collection[str]) -> str:
    """Shortcut ``[leaflet]`` and collapsed ``[leaflet][]`` references in full: ``[leaflet][leaflet]``.

    Their visible text is also their label, so translating the text would lose the link; in
    full form a translator changes the first brackets only, and the target stays. ``labels``
    are the document's normalised reference labels; text that is no reference is left alone.
    """
    if not labels or "[" not in text:
        return text
    spans = code_spans(text)

    def full(m: re.Match[str]) -> str:
        inside = any(a <= m.start() < b for a, b in spans)
        if inside or normalizeReference(m.group(2)) not in labels:
            return m.group(0)
        return f"{m.group(1)}[{m.group(2)}][{m.group(2)}]"

    return _SHORT_REFERENCE.sub(full, text)


# Scripts written without spaces between words: a line break between two of their letters is
# no space (markdown-it's cjk_breaks plugin): Han, Hiragana, Katakana, Hangul is spaced, Thai, Lao...
_UNSPACED = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff00-\uff60\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\U00020000-\U0003134f]"
)


def joins_without_space(before: str, after: str) -> bool:
    """Whether a soft line break between these two characters is nothing rather than a space."""
    return bool(before and after and _UNSPACED.match(before) and _UNSPACED.match(after))


def drop_cjk_breaks(state: StateCore) -> None:
    """Drop soft breaks between two letters of an unspaced script, so HTML shows no space there."""
    for token in state.tokens:
        children = token.children or []
        for i, child in enumerate(children):
            if child.type != "softbreak" or i == 0 or i + 1 >= len(children):
                continue
            before, after = children[i - 1], children[i + 1]
            joined = joins_without_space(before.content[-1:], after.content[:1])
            if before.type == after.type == "text" and joined:
                child.type, child.tag, child.content = "text", "", ""


_HIDDEN = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^>]*>|&#?\w+;", re.DOTALL | re.IGNORECASE)
_FIRST_TAG = re.compile(r"^(\s*<[A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")


def html_words(html: str) -> bool:
    """Whether a block of HTML shows words to a reader (text outside tags, comments and scripts)."""
    return any(ch.isalpha() for ch in _HIDDEN.sub(" ", html))


def mark_language(html: str, tag: str, direction: str) -> str:
    """``html`` with ``lang``/``dir`` on its first element, unless it starts otherwise or has its own."""
    m = _FIRST_TAG.match(html)
    if not m or re.match(r"[^>]*\blang\s*=", html[m.end() :]):
        return html
    return f'{m.group(1)} lang="{tag}" dir="{direction}"{html[m.end():]}'
