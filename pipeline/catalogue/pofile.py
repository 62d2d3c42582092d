"""Read and write PO/POT text in exactly the form GNU gettext writes it.

``parse_po`` turns text into a :class:`Catalogue` (errors carry file and line);
``generate_po`` yields the lines gettext's ``msgcat`` would write for it. Neither
touches the disk: see :mod:`pipeline.catalogue.files` for that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import CatalogueError
from .model import Catalogue, Message
from .wrap import PAGE_WIDTH, wrap_string

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(\".*)$")
_UNESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)")


_STRING_BODY = re.compile(r'(?:[^"\\]|\\(?:x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|[ntrabfv\\"]))*')


def _unquote(text: str, path: Path | None, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise CatalogueError("string is not enclosed in double quotes", path, lineno)
    body = text[1:-1]
    if "\\" not in body and '"' not in body:
        return body
    valid = _STRING_BODY.match(body)
    if valid is None or valid.end() != len(body):
        bad = body[valid.end() if valid else 0 :]
        what = "unescaped double quote" if bad.startswith('"') else f"invalid escape sequence {bad[:2]!r}"
        raise CatalogueError(f"{what} in string", path, lineno)

    def replace(m: re.Match[str]) -> str:
        code = m.group(1)
        if code in _UNESCAPES:
            return _UNESCAPES[code]
        if code[0] == "x":
            return chr(int(code[1:], 16))
        return chr(int(code, 8))

    return _ESCAPE_RE.sub(replace, body)


class _Entry:
    """Mutable state of the entry being read."""

    def __init__(self) -> None:
        self.message = Message(msgid="")
        self.fields: dict[str, list[str]] = {}
        self.prev_fields: dict[str, list[str]] = {}
        self.has_comment = False
        self.obsolete: bool | None = None
        self.complete = False  # a msgstr has been read: the next msgid or comment starts a new entry

    @property
    def empty(self) -> bool:
        return not self.fields and not self.prev_fields and not self.has_comment


def _split_header(text: str) -> list[tuple[str, str]]:
    header: list[tuple[str, str]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        header.append((key.strip(), value.strip()))
    return header


def parse_po(text: str, path: Path | None = None) -> Catalogue:
    """Parse PO text. Raises :class:`CatalogueError` naming the line of any defect."""
    catalogue = Catalogue()
    seen: dict[tuple[str | None, str], int] = {}
    entry = _Entry()
    last_key: str | None = None
    last_target: dict[str, list[str]] | None = None
    entry_line = 0

    def finish(lineno: int) -> None:
        nonlocal entry, last_key, last_target
        if entry.empty:
            entry = _Entry()
            return
        f = entry.fields
        if "msgid" not in f:
            if entry.fields or entry.prev_fields:
                raise CatalogueError("entry has no msgid", path, entry_line)
            # Trailing comments with no message: gettext drops them; so do we.
            entry = _Entry()
            return
        if not entry.complete:
            raise CatalogueError("msgid is not followed by msgstr", path, entry_line)
        m = entry.message
        m.msgid = "".join(f["msgid"])
        m.msgctxt = "".join(f["msgctxt"]) if "msgctxt" in f else None
        m.lineno = entry_line
        m.obsolete = bool(entry.obsolete)
        if "msgid_plural" in f:
            m.msgid_plural = "".join(f["msgid_plural"])
            plural_keys = sorted((k for k in f if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))
            if not plural_keys or "msgstr" in f:
                raise CatalogueError("msgid_plural needs msgstr[0], msgstr[1], ...", path, entry_line)
            m.msgstr_plural = ["".join(f[k]) for k in plural_keys]
        else:
            if "msgstr" not in f:
                raise CatalogueError("msgstr[n] without msgid_plural", path, entry_line)
            m.msgstr = "".join(f["msgstr"])
        p = entry.prev_fields
        if "msgid" in p:
            m.previous_msgid = "".join(p["msgid"])
        if "msgctxt" in p:
            m.previous_msgctxt = "".join(p["msgctxt"])
        if "msgid_plural" in p:
            m.previous_msgid_plural = "".join(p["msgid_plural"])
        if m.msgid == "" and m.msgctxt is None and not m.obsolete:
            if catalogue.header or any(not x.obsolete for x in catalogue.messages):
                raise CatalogueError("header entry (empty msgid) is not the first entry", path, entry_line)
            catalogue.header = _split_header(m.msgstr)
            catalogue.header_comments = m.translator_comments
            catalogue.header_flags = m.flags
        else:
            if not m.obsolete:
                if m.key in seen:
                    raise CatalogueError(
                        f"duplicate message definition (first defined at line {seen[m.key]})",
                        path,
                        entry_line,
                    )
                seen[m.key] = entry_line
            catalogue.messages.append(m)
        entry = _Entry()
        last_key = None
        last_target = None

    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    for lineno, raw in enumerate(lines, 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        first = line[:1]
        if first == '"' and last_target is not None and last_key is not None:
            last_target[last_key].append(_unquote(line, path, lineno))  # the most common line
            continue
        if not line or line.isspace():
            if entry.complete:
                finish(lineno)
            continue
        obsolete = False
        previous = False
        body = line
        if first != "#":
            pass
        elif line.startswith("#~"):
            obsolete = True
            body = line[2:]
            if body.startswith("|"):
                previous = True
                body = body[1:]
            body = body.lstrip(" \t")
            if not body:
                continue
        elif line.startswith("#|"):
            previous = True
            body = line[2:].lstrip(" \t")
        elif line.startswith("#"):
            if entry.complete:
                finish(lineno)
            if entry.empty:
                entry_line = lineno
            entry.has_comment = True
            kind = line[1:2]
            rest = line[2:]
            if kind == ",":
                for flag in rest.split(","):
                    flag = flag.strip()
                    if flag and flag not in entry.message.flags:
                        entry.message.flags.append(flag)
            elif kind == ":":
                entry.message.references.extend(rest.split())
            elif kind == ".":
                entry.message.extracted_comments.append(rest[1:] if rest.startswith(" ") else rest)
            else:
                text_ = line[1:]
                entry.message.translator_comments.append(text_[1:] if text_.startswith(" ") else text_)
            continue
        if body.startswith('"'):
            if last_target is None or last_key is None:
                raise CatalogueError("string continuation without a keyword before it", path, lineno)
            last_target[last_key].append(_unquote(body, path, lineno))
            continue
        m = _KEYWORD.match(body)
        if not m:
            raise CatalogueError(f"unexpected text: {line.strip()[:40]!r}", path, lineno)
        key = m.group(1)
        if not previous and key in ("msgctxt", "msgid") and entry.complete:
            finish(lineno)
        if entry.empty:
            entry_line = lineno
        if obsolete:
            if entry.obsolete is False and entry.fields:
                raise CatalogueError("entry mixes obsolete (#~) and active lines", path, lineno)
            entry.obsolete = True
        elif not previous:
            if entry.obsolete:
                raise CatalogueError("entry mixes obsolete (#~) and active lines", path, lineno)
            entry.obsolete = False
        target = entry.prev_fields if previous else entry.fields
        if previous and key.startswith("msgstr"):
            raise CatalogueError("#| lines may only hold msgctxt, msgid or msgid_plural", path, lineno)
        if key in target:
            raise CatalogueError(f"{key} appears twice in one entry", path, lineno)
        if not previous and key.startswith("msgstr") and "msgid" not in target:
            raise CatalogueError(f"{key} without a msgid before it", path, lineno)
        if key == "msgctxt" and "msgid" in target:
            raise CatalogueError("msgctxt must come before msgid", path, lineno)
        target[key] = [_unquote(m.group(3), path, lineno)]
        if not previous and key[3] == "s":  # msgstr, msgstr[n]
            entry.complete = True
        last_key = key
        last_target = target
    finish(len(lines) + 1)
    return catalogue


def _comment_lines(m: Message, page_width: int) -> Iterator[str]:
    for c in m.translator_comments:
        yield f"# {c}" if c else "#"
    for c in m.extracted_comments:
        yield f"#. {c}" if c else "#."
    if m.references:
        parts = ["#:"]
        column = 2
        for ref in m.references:
            length = len(ref) + 1
            if column > 2 and column + length > page_width:
                yield "".join(parts)
                parts = ["#:"]
                column = 2
            parts.append(" " + ref)
            column += length
        yield "".join(parts)
    # gettext writes "fuzzy" first, and drops it from untranslated entries.
    fuzzy = "fuzzy" in m.flags and (m.msgid == "" or m.has_translation())
    flags = (["fuzzy"] if fuzzy else []) + [f for f in m.flags if f != "fuzzy"]
    if flags:
        yield "#, " + ", ".join(flags)


def _message_lines(m: Message, page_width: int = PAGE_WIDTH) -> Iterator[str]:
    yield from _comment_lines(m, page_width)
    prev = "#~| " if m.obsolete else "#| "
    if m.previous_msgctxt is not None:
        yield from wrap_string("msgctxt", m.previous_msgctxt, prev, page_width)
    if m.previous_msgid is not None:
        yield from wrap_string("msgid", m.previous_msgid, prev, page_width)
    if m.previous_msgid_plural is not None:
        yield from wrap_string("msgid_plural", m.previous_msgid_plural, prev, page_width)
    prefix = "#~ " if m.obsolete else ""
    if m.msgctxt is not None:
        yield from wrap_string("msgctxt", m.msgctxt, prefix, page_width)
    yield from wrap_string("msgid", m.msgid, prefix, page_width)
    if m.msgid_plural is not None:
        yield from wrap_string("msgid_plural", m.msgid_plural, prefix, page_width)
        for i, s in enumerate(m.msgstr_plural):
            yield from wrap_string(f"msgstr[{i}]", s, prefix, page_width)
    else:
        yield from wrap_string("msgstr", m.msgstr, prefix, page_width)


def generate_po(catalogue: Catalogue, page_width: int = PAGE_WIDTH) -> Iterator[str]:
    """Yield the lines (without newlines) gettext writes for ``catalogue``."""
    first = True
    if catalogue.header or catalogue.header_comments:
        header = Message(
            msgid="",
            msgstr="".join(f"{k}: {v}\n" for k, v in catalogue.header),
            translator_comments=catalogue.header_comments,
            flags=catalogue.header_flags,
        )
        yield from _message_lines(header, page_width)
        first = False
    for m in catalogue.messages:
        if not first:
            yield ""
        first = False
        yield from _message_lines(m, page_width)


def dumps_po(catalogue: Catalogue) -> str:
    """The whole PO text of ``catalogue``."""
    return "".join(line + "\n" for line in generate_po(catalogue))
