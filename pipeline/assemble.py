"""Put translations back in place of their source text, keeping every other byte.

Each segment knows the lines and columns its text came from; the translation
replaces exactly that text. Before it goes in, anything that would change the
document's structure in that place (a line starting with ``#`` or ``1.`` in a
paragraph, a pipe in a table cell, a trailing ``#`` in a heading) is escaped, so
a translation can change words but never the shape of the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

from markdown_it.rules_block.html_block import HTML_SEQUENCES

from .inline import join_code_lines
from .model import Document, Layout, Placement, Segment

Translate = Callable[[Segment], str | None]
"""Returns the text to use for a segment, or None (or blank text) to keep the source text."""

_BULLET = re.compile(r"^[-+*](?=[ \t]|$)")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=[ \t]|$)")
_THEMATIC = re.compile(r"^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT = re.compile(r"^(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r"^(?:`{3,}(?!.*`)|~{3,})")
_REFERENCE = re.compile(r"^\[(?:[^\]\\]|\\.)+\]:")
_ATX_CLOSE = re.compile(r"(^|[ \t])(#+)[ \t]*$")


def escape_line(line: str, first: bool) -> str:
    """Escape what would start a new block at the beginning of a paragraph line.

    ``first`` is True for the line that opens the paragraph (anything may start
    there), False for a line continuing it (only blocks that interrupt a
    paragraph matter, plus setext underlines).
    """
    line = line.lstrip(" \t")
    if not line:
        return line
    head = line[0]
    if head in "#>":
        return "\\" + line
    if _THEMATIC.match(line) or _SETEXT.match(line):
        return "\\" + line
    # List markers are escaped on every line: inside a block quote a lazy line that
    # looks like any list item ends the quote, whatever number it starts with.
    if _BULLET.match(line):
        return "\\" + line
    m = _ORDERED.match(line)
    if m:
        return f"{m.group(1)}\\{line[len(m.group(1)) :]}"
    if _FENCE.match(line):
        return "\\" + line
    if head == "<":
        for opener, _, interrupts in HTML_SEQUENCES:
            if (first or interrupts) and opener.search(line):
                return "\\" + line
    if first and _REFERENCE.match(line):
        return "\\" + line
    if head == "=" and not first and _SETEXT.match(line):
        return "\\" + line
    return line


def _paragraph_lines(text: str) -> list[str]:
    # A blank line would end the paragraph, so blank lines in a translation are dropped; a line
    # break inside a code span becomes a space (as it renders), so no code ever needs escaping.
    text = join_code_lines(text.replace("\r", ""))
    lines = [line for line in text.split("\n") if line.strip(" \t")]
    return [escape_line(line, i == 0) for i, line in enumerate(lines)] or [""]


def _heading_text(text: str) -> str:
    text = " ".join(text.replace("\\\n", " ").split("\n")).strip(" \t")
    return _ATX_CLOSE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _cell_text(text: str) -> str:
    text = " ".join(text.replace("\\\n", " ").split("\n")).strip(" \t")
    out: list[str] = []
    escaped = False
    for ch in text:
        if ch == "|" and not escaped:
            out.append("\\")
        out.append(ch)
        escaped = ch == "\\" and not escaped
    return "".join(out)


def _replace(lines: list[str], p: Placement, text: str) -> None:
    eol_last = lines[p.last][len(lines[p.last].rstrip("\r\n")) :]
    head = lines[p.first][: p.start]
    tail = lines[p.last].rstrip("\r\n")[p.end :]
    eol = lines[p.first][len(lines[p.first].rstrip("\r\n")) :] or "\n"
    if p.layout in (Layout.PARAGRAPH, Layout.SETEXT):
        new = _paragraph_lines(text)
        prefixes = list(p.prefixes) + [p.continuation] * max(0, len(new) - 1 - len(p.prefixes))
        out = [head + new[0]]
        out += [prefixes[k - 1] + new[k] for k in range(1, len(new))]
        out[-1] += tail
    elif p.layout is Layout.ATX:
        out = [head + _heading_text(text) + tail]
    elif p.layout is Layout.CELL:
        out = [head + _cell_text(text) + tail]
    elif p.layout is Layout.YAML_BLOCK:  # a double-quoted YAML scalar: JSON's escapes are YAML's
        out = [head + json.dumps(text, ensure_ascii=False) + tail]
    else:
        out = [head + json.dumps(" ".join(text.split("\n")), ensure_ascii=False) + tail]
    replaced = [line + eol for line in out[:-1]] + [out[-1] + eol_last]
    lines[p.first : p.last + 1] = replaced


def assemble(doc: Document, segments: Iterable[Segment], translate: Translate) -> str:
    """The document's text with every segment that has a translation replaced by it."""
    lines = list(doc.lines)
    edits = []
    for seg in segments:
        text = translate(seg)
        if text is not None and text.strip():  # blank text would delete the block: keep the source
            edits.append((seg.placement, text))
    edits.sort(key=lambda e: (e[0].first, e[0].start), reverse=True)
    for placement, text in edits:
        _replace(lines, placement, text)
    return "".join(lines)
