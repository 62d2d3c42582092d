"""Read and write PO/POT text in exactly the form GNU gettext writes it.

``parse_po`` turns text into a :class:`Catalogue` (errors carry file and line);
``generate_po`` lists the lines gettext's ``msgcat`` would write for it. Neither
touches the disk: see :mod:`pipeline.catalogue.files` for that.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import CatalogueError
from ._bulk import collector_paused
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


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    if code in _UNESCAPES:
        return _UNESCAPES[code]
    if code[0] == "x":
        return chr(int(code[1:], 16))
    return chr(int(code, 8))


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
    return _ESCAPE_RE.sub(_unescape, body)


class _Entry:
    """Mutable state of the entry being read."""

    __slots__ = ("complete", "fields", "has_comment", "message", "obsolete", "prev_fields")

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


def _comment(message: Message, line: str) -> None:
    """Apply one comment line (``#``, ``#.``, ``#:``, ``#,``; not ``#|`` or ``#~``) to ``message``."""
    kind = line[1:2]
    rest = line[2:]
    if kind == ",":
        for flag in rest.split(","):
            flag = flag.strip()
            if flag and flag not in message.flags:
                message.flags.append(flag)
    elif kind == ":":
        message.references.extend(rest.split())
    elif kind == ".":
        message.extracted_comments.append(rest[1:] if rest.startswith(" ") else rest)
    else:
        text = line[1:]
        message.translator_comments.append(text[1:] if text.startswith(" ") else text)


class _Reader:
    """gettext's PO grammar, a line at a time: handles every form gettext accepts.

    ``fresh`` tells when no entry is under way, which is where :func:`parse_po`
    may go back to reading whole regular entries at once.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.catalogue = Catalogue()
        self.seen: dict[tuple[str | None, str], int] = {}
        self.entry = _Entry()
        self.last_key: str | None = None
        self.last_target: dict[str, list[str]] | None = None
        self.entry_line = 0

    @property
    def fresh(self) -> bool:
        return self.last_key is None and self.entry.empty

    def add(self, m: Message, lineno: int) -> None:
        """Append a finished message (or take it as the header), refusing duplicates."""
        catalogue = self.catalogue
        if m.msgid == "" and m.msgctxt is None and not m.obsolete:
            if catalogue.header or any(not x.obsolete for x in catalogue.messages):
                raise CatalogueError("header entry (empty msgid) is not the first entry", self.path, lineno)
            catalogue.header = _split_header(m.msgstr)
            catalogue.header_comments = m.translator_comments
            catalogue.header_flags = m.flags
            return
        if not m.obsolete:
            key = (m.msgctxt, m.msgid)
            first = self.seen.setdefault(key, lineno)
            if first != lineno:
                raise CatalogueError(
                    f"duplicate message definition (first defined at line {first})", self.path, lineno
                )
        catalogue.messages.append(m)

    def finish(self) -> None:
        entry = self.entry
        path = self.path
        if entry.empty:
            self.entry = _Entry()
            return
        f = entry.fields
        if "msgid" not in f:
            if entry.fields or entry.prev_fields:
                raise CatalogueError("entry has no msgid", path, self.entry_line)
            # Trailing comments with no message: gettext drops them; so do we.
            self.entry = _Entry()
            return
        if not entry.complete:
            raise CatalogueError("msgid is not followed by msgstr", path, self.entry_line)
        m = entry.message
        m.msgid = "".join(f["msgid"])
        m.msgctxt = "".join(f["msgctxt"]) if "msgctxt" in f else None
        m.lineno = self.entry_line
        m.obsolete = bool(entry.obsolete)
        if "msgid_plural" in f:
            m.msgid_plural = "".join(f["msgid_plural"])
            plural_keys = sorted((k for k in f if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))
            if not plural_keys or "msgstr" in f:
                raise CatalogueError("msgid_plural needs msgstr[0], msgstr[1], ...", path, self.entry_line)
            m.msgstr_plural = ["".join(f[k]) for k in plural_keys]
        else:
            if "msgstr" not in f:
                raise CatalogueError("msgstr[n] without msgid_plural", path, self.entry_line)
            m.msgstr = "".join(f["msgstr"])
        p = entry.prev_fields
        if "msgid" in p:
            m.previous_msgid = "".join(p["msgid"])
        if "msgctxt" in p:
            m.previous_msgctxt = "".join(p["msgctxt"])
        if "msgid_plural" in p:
            m.previous_msgid_plural = "".join(p["msgid_plural"])
        self.add(m, self.entry_line)
        self.entry = _Entry()
        self.last_key = None
        self.last_target = None

    def feed(self, line: str, lineno: int) -> None:
        """Read one line (without its newline)."""
        path = self.path
        if line.endswith("\r"):
            line = line[:-1]
        first = line[:1]
        if first == '"' and self.last_target is not None and self.last_key is not None:
            self.last_target[self.last_key].append(_unquote(line, path, lineno))  # the most common line
            return
        if not line or line.isspace():
            if self.entry.complete:
                self.finish()
            return
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
                return
        elif line.startswith("#|"):
            previous = True
            body = line[2:].lstrip(" \t")
        else:
            if self.entry.complete:
                self.finish()
            if self.entry.empty:
                self.entry_line = lineno
            self.entry.has_comment = True
            _comment(self.entry.message, line)
            return
        if body.startswith('"'):
            if self.last_target is None or self.last_key is None:
                raise CatalogueError("string continuation without a keyword before it", path, lineno)
            self.last_target[self.last_key].append(_unquote(body, path, lineno))
            return
        m = _KEYWORD.match(body)
        if not m:
            raise CatalogueError(f"unexpected text: {line.strip()[:40]!r}", path, lineno)
        key = m.group(1)
        if not previous and key in ("msgctxt", "msgid") and self.entry.complete:
            self.finish()
        entry = self.entry
        if entry.empty:
            self.entry_line = lineno
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
        self.last_key = key
        self.last_target = target


# A regular entry as gettext writes it, read in one match: comments (not #| or #~), an
# optional msgctxt, msgid and msgstr with their continuation lines, then a blank line or the
# end. Anything else (plurals, previous or obsolete entries, CRLF, odd spacing, errors) goes
# through _Reader, line by line.
_STR = r'[^"\\\n]*(?:\\.[^"\\\n]*)*'
_FIELD = rf'"({_STR}(?:"\n"{_STR})*)"'
_REGULAR = re.compile(
    rf"((?:#(?![|~])[^\n]*\n)*)(?:msgctxt {_FIELD}\n)?msgid {_FIELD}\nmsgstr {_FIELD}(?:\n\n|\n?\Z)"
)
_JOIN = '"\n"'


def _field(raw: str) -> str | None:
    """The value of a matched field's quoted lines, or None when its escapes need the slow path."""
    if "\\" not in raw:
        return raw.replace(_JOIN, "") if _JOIN in raw else raw
    pieces = raw.split(_JOIN)  # each line on its own: an escape never runs into the next line
    for piece in pieces:
        valid = _STRING_BODY.match(piece)
        if valid is None or valid.end() != len(piece):
            return None  # the reader names the line and the defect
    return "".join(_ESCAPE_RE.sub(_unescape, piece) for piece in pieces)


def _parse_lines(text: str, path: Path | None = None) -> Catalogue:
    """Parse PO text a line at a time (the reference :func:`parse_po` must agree with)."""
    reader = _Reader(path)
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    for lineno, line in enumerate(lines, 1):
        reader.feed(line, lineno)
    reader.finish()
    return reader.catalogue


@collector_paused()
def parse_po(text: str, path: Path | None = None) -> Catalogue:
    """Parse PO text. Raises :class:`CatalogueError` naming the line of any defect.

    Regular entries are read whole with one regular expression; the rest, line by
    line. Both give the same catalogue as reading every line (``_parse_lines``).
    """
    reader = _Reader(path)
    match = _REGULAR.match
    count = text.count
    pos = 0
    lineno = 1
    end = len(text)
    while pos < end:
        m = match(text, pos) if reader.fresh else None
        if m is not None:
            comments, ctxt, msgid, msgstr = m.groups()
            msgid_value, msgstr_value = _field(msgid), _field(msgstr)
            ctxt_value = None if ctxt is None else _field(ctxt)
            escapes_ok = ctxt is None or ctxt_value is not None  # else the reader names the defect
            if msgid_value is not None and msgstr_value is not None and escapes_ok:
                message = Message(msgid=msgid_value, msgstr=msgstr_value, msgctxt=ctxt_value, lineno=lineno)
                if comments:
                    for line in comments[:-1].split("\n"):
                        _comment(message, line)
                reader.add(message, lineno)
                lineno += count("\n", pos, m.end())
                pos = m.end()
                continue
        stop = text.find("\n", pos)
        if stop == -1:
            stop = end
        reader.feed(text[pos:stop], lineno)
        pos = stop + 1
        lineno += 1
    reader.finish()
    return reader.catalogue


def _comment_lines(m: Message, page_width: int, out: list[str]) -> None:
    for c in m.translator_comments:
        out.append(f"# {c}" if c else "#")
    for c in m.extracted_comments:
        out.append(f"#. {c}" if c else "#.")
    if m.references:
        parts = ["#:"]
        column = 2
        for ref in m.references:
            length = len(ref) + 1
            if column > 2 and column + length > page_width:
                out.append("".join(parts))
                parts = ["#:"]
                column = 2
            parts.append(" " + ref)
            column += length
        out.append("".join(parts))
    if m.flags:
        # gettext writes "fuzzy" first, and drops it from untranslated entries.
        fuzzy = "fuzzy" in m.flags and (m.msgid == "" or m.has_translation())
        flags = (["fuzzy"] if fuzzy else []) + [f for f in m.flags if f != "fuzzy"]
        if flags:
            out.append("#, " + ", ".join(flags))


def _message_lines(m: Message, page_width: int, out: list[str]) -> None:
    if m.translator_comments or m.extracted_comments or m.references or m.flags:
        _comment_lines(m, page_width, out)
    if m.previous_msgctxt is not None or m.previous_msgid is not None or m.previous_msgid_plural is not None:
        prev = "#~| " if m.obsolete else "#| "
        if m.previous_msgctxt is not None:
            out += wrap_string("msgctxt", m.previous_msgctxt, prev, page_width)
        if m.previous_msgid is not None:
            out += wrap_string("msgid", m.previous_msgid, prev, page_width)
        if m.previous_msgid_plural is not None:
            out += wrap_string("msgid_plural", m.previous_msgid_plural, prev, page_width)
    prefix = "#~ " if m.obsolete else ""
    if m.msgctxt is not None:
        out += wrap_string("msgctxt", m.msgctxt, prefix, page_width)
    out += wrap_string("msgid", m.msgid, prefix, page_width)
    if m.msgid_plural is not None:
        out += wrap_string("msgid_plural", m.msgid_plural, prefix, page_width)
        for i, s in enumerate(m.msgstr_plural):
            out += wrap_string(f"msgstr[{i}]", s, prefix, page_width)
    else:
        out += wrap_string("msgstr", m.msgstr, prefix, page_width)


def generate_po(catalogue: Catalogue, page_width: int = PAGE_WIDTH) -> list[str]:
    """The lines (without newlines) gettext writes for ``catalogue``."""
    out: list[str] = []
    if catalogue.header or catalogue.header_comments:
        header = Message(
            msgid="",
            msgstr="".join(f"{k}: {v}\n" for k, v in catalogue.header),
            translator_comments=catalogue.header_comments,
            flags=catalogue.header_flags,
        )
        _message_lines(header, page_width, out)
    for m in catalogue.messages:
        if out:
            out.append("")
        _message_lines(m, page_width, out)
    return out


def dumps_po(catalogue: Catalogue) -> str:
    """The whole PO text of ``catalogue``."""
    lines = generate_po(catalogue)
    return "\n".join(lines) + "\n" if lines else ""
