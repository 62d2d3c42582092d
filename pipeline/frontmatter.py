"""Segments of a document's YAML front matter: the declared keys' text values."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import yaml

from .errors import SourceError
from .model import BlockKind, Document, Layout, Origin, Placement, Segment

log = logging.getLogger("pipeline")


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def _value_lines(doc: Document, index: int, end: int) -> int:
    """The last line of the YAML value whose key is on line ``index``: indented or blank lines follow it."""
    last = index
    while last + 1 < end and (doc.lines[last + 1][:1] in (" ", "\t") or not doc.lines[last + 1].strip()):
        last += 1
    while last > index and not doc.lines[last].strip():
        last -= 1
    return last


def front_matter_segments(doc: Document, keys: Sequence[str]) -> Iterator[Segment]:
    """Each declared key's text value (plain, quoted, folded or literal) is one segment."""
    front = doc.front_matter
    if front is None:
        return
    for index in range(front.first_line + 1, front.last_line):
        src = _strip_eol(doc.lines[index])
        key, sep, raw = src.partition(":")
        if not sep or key not in keys or key != key.strip():
            continue
        value = front.values.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            log.warning(
                "%s:%d: front-matter key %r is not text, so it is not translated", doc.path, index + 1, key
            )
            continue
        last = _value_lines(doc, index, front.last_line)
        try:
            if yaml.safe_load("".join(doc.lines[index : last + 1])) != {key: value}:
                raise ValueError
        except (yaml.YAMLError, ValueError):
            raise SourceError(
                f"front-matter key {key!r} is translatable, but its value cannot be placed back: "
                "write it on the key's line or as an indented block (| or >)",
                doc.path,
                index + 1,
            ) from None
        block = last > index or raw.strip()[:1] in ("|", ">")
        text = value.strip("\n") if block else value
        start = len(key) + 1 + (len(raw) - len(raw.lstrip()))
        end = len(_strip_eol(doc.lines[last]).rstrip())
        yield Segment(
            text=text,
            kind=BlockKind.FRONT_MATTER,
            origin=Origin(doc.relpath, index + 1),
            placement=Placement(index, last, start, end, (), "", Layout.YAML_BLOCK if block else Layout.YAML),
            context=f"front matter: {key}",
        )
