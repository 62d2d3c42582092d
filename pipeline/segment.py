"""Split a document into translatable segments by walking markdown-it-py's token stream.

Each heading, paragraph (also inside lists and block quotes), table cell and
declared front-matter value becomes a :class:`Segment` whose text is the block's
inline Markdown with block syntax removed and soft line breaks normalised, and
whose :class:`Placement` says where that text stands in the file so that
:mod:`pipeline.assemble` can put a translation in its place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from .config import Config
from .errors import ConfigError, SourceError
from .frontmatter import front_matter_segments
from .inline import expand_references, html_words, join_code_lines, joins_without_space
from .model import BlockKind, Document, Layout, Origin, Placement, Segment
from .parser import BREAKS, HARD_BREAK, markdown_parser
from .sources import check_ids, find_documents, read_document


def normalize_inline(content: str, breaks: set[tuple[int, str]]) -> str:
    """Inline Markdown with soft breaks made spaces and hard breaks written as ``\\`` + newline."""
    if not breaks:
        return content
    out: list[str] = []
    last = 0
    for pos, kind in sorted(breaks):
        if content[pos] == "\\":  # backslash hard break
            start, end, repl = pos, pos + 2, HARD_BREAK
        else:
            start = pos
            if kind == "hardbreak":
                while start > last and content[start - 1] == " ":
                    start -= 1
                slashes = len(content[last:start]) - len(content[last:start].rstrip("\\"))
                repl = ("\\" if slashes % 2 else "") + HARD_BREAK
            else:
                if start > last and content[start - 1] == " ":
                    start -= 1
                repl = " "
            end = pos + 1
        while end < len(content) and content[end] in " \t":
            end += 1
        if repl == " " and joins_without_space(content[start - 1 : start], content[end : end + 1]):
            repl = ""
        out.append(content[last:start])
        out.append(repl)
        last = end
    out.append(content[last:])
    return "".join(out)


def _has_words(tokens: Sequence[Token]) -> bool:
    """True when the inline tokens hold text a translator must see (autolinks are URLs, not words)."""
    in_autolink = False
    for tok in tokens:
        if tok.type in ("link_open", "link_close") and tok.markup == "autolink":
            in_autolink = tok.type == "link_open"
            continue
        if in_autolink:
            continue
        if tok.type == "text" and any(unicodedata.category(c)[0] == "L" for c in tok.content):
            return True
        if tok.type in ("link_open", "image"):
            title = tok.attrGet("title")
            if isinstance(title, str) and any(unicodedata.category(c)[0] == "L" for c in title):
                return True
        if tok.children and _has_words(tok.children):
            return True
    return False


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def _continuation(prefix: str) -> str:
    """The prefix of a new line continuing a block whose first line has ``prefix``."""
    return "".join(c if c in "> \t" else " " for c in prefix)


def _paragraph_placement(lines: list[str], first: int, content: str, layout: Layout) -> Placement:
    content_lines = content.split("\n")
    starts: list[int] = []
    prefixes: list[str] = []
    end = 0
    for i, piece in enumerate(content_lines):
        src = _strip_eol(lines[first + i])
        piece = piece.lstrip(" \t")
        is_last = i == len(content_lines) - 1
        # markdown-it strips a paragraph's content as Python does: all Unicode white space
        # (an ideographic space U+3000 too), so the last line is stripped the same way.
        body = src.rstrip() if is_last else src
        if not body.endswith(piece):
            raise AssertionError(f"cannot place {piece!r} in line {first + i + 1}: {src!r}")
        start = len(body) - len(piece)
        starts.append(start)
        prefixes.append(src[:start])
        end = len(src)
    return Placement(
        first=first,
        last=first + len(content_lines) - 1,
        start=starts[0],
        end=end,
        prefixes=tuple(prefixes[1:]),
        continuation=_continuation(prefixes[0]),
        layout=layout,
    )


def _atx_placement(lines: list[str], line: int, content: str) -> Placement:
    src = _strip_eol(lines[line])
    pos = src.index("#")
    while pos < len(src) and src[pos] == "#":
        pos += 1
    while pos < len(src) and src[pos] in " \t":
        pos += 1
    if src[pos : pos + len(content)] != content:
        raise AssertionError(f"cannot place heading {content!r} in line {line + 1}: {src!r}")
    return Placement(line, line, pos, pos + len(content), (), "", Layout.ATX)


def cell_spans(row: str) -> list[tuple[int, int]]:
    """Column spans of a table row, as markdown-it-py's ``escapedSplit`` cuts it, stripped."""
    spans: list[tuple[int, int]] = []
    start = 0
    escaped = False
    for pos, ch in enumerate(row):
        if ch == "|" and not escaped:
            spans.append((start, pos))
            start = pos + 1
        escaped = ch == "\\"
    spans.append((start, len(row)))
    if spans and spans[0][0] == spans[0][1]:
        spans.pop(0)
    if spans and spans[-1][0] == spans[-1][1]:
        spans.pop()
    stripped = []
    for a, b in spans:
        while a < b and row[a] in " \t":
            a += 1
        while b > a and row[b - 1] in " \t":
            b -= 1
        stripped.append((a, b))
    return stripped


_MARKER = re.compile(r"^[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")


_CONTAINERS = frozenset(
    {
        "blockquote_open",
        "list_item_open",
        "bullet_list_open",
        "ordered_list_open",
        "table_open",
        "alert_open",
        "footnote_open",
        "dl_open",
        "dd_open",
    }
)
"""Blocks that hold other blocks: the walk keeps them on a stack to say where a text is."""


@dataclass(slots=True)
class _Walk:
    """The containers open at the current token (a stack, innermost last)."""

    stack: list[Token]

    def context(self) -> list[str]:
        names = {
            "blockquote_open": "block quote",
            "list_item_open": "list item",
            "alert_open": "callout",
            "footnote_open": "footnote",
            "dd_open": "definition",
        }
        return [names[t.type] for t in self.stack if t.type in names]

    def row_start(self, src: str, line: int) -> int:
        pos = 0
        for tok in self.stack:
            if tok.type == "blockquote_open":
                m = _QUOTE.match(src[pos:])
                if m:
                    pos += m.end()
            elif tok.type == "list_item_open" and tok.map and tok.map[0] == line:
                m = _MARKER.match(src[pos:])
                if m:
                    pos += m.end()
        while pos < len(src) and src[pos] in " \t":
            pos += 1
        return pos


def _note(token: Token, marker: str) -> str | None:
    text = token.content.strip()
    if not (marker and text.startswith("<!--") and text.endswith("-->")):
        return None
    inner = text[4:-3].strip()
    if not inner.lower().startswith(marker.lower()):
        return None
    return " ".join(inner[len(marker) :].split())


def _critical(token: Token, marker: str) -> bool:
    text = token.content.strip()
    return (
        bool(marker)
        and text.startswith("<!--")
        and text.endswith("-->")
        and (text[4:-3].strip().lower().startswith(marker.lower()))
    )


def extract(
    doc: Document,
    front_matter_keys: Sequence[str] = ("title", "description"),
    note_marker: str = "",
    critical_marker: str = "critical",
) -> Iterator[Segment]:
    """Yield the document's segments in document order (Sphinx's ``extract_messages`` habit)."""
    yield from front_matter_segments(doc, front_matter_keys)
    env: dict[str, Any] = {}
    tokens = markdown_parser(doc.extensions).parse(doc.body, env)
    # Reference definitions ([label]: /url), so that checks compare the targets readers follow.
    doc.references = {label: ref["href"] for label, ref in env.get("references", {}).items()}
    doc.html_blocks = []
    breaks: dict[str, set[tuple[int, str]]] = env.get(BREAKS, {})
    offset = doc.body_start
    lines = doc.lines
    walk = _Walk(stack=[])
    notes: list[str] = []
    critical = False
    cells: list[tuple[int, int]] = []
    cell_index = 0
    row_line = 0
    for i, tok in enumerate(tokens):
        if tok.nesting == 1 and tok.type in _CONTAINERS:
            walk.stack.append(tok)
            continue
        if tok.nesting == -1 and tok.type.replace("_close", "_open") in _CONTAINERS:
            walk.stack.pop()
            continue
        if tok.type == "html_block":
            if tok.map and html_words(tok.content):
                doc.html_blocks.append(tok.map[0] + offset + 1)
            note = _note(tok, note_marker)
            if note:
                notes.append(note)
            critical = critical or _critical(tok, critical_marker)
            continue
        if tok.type == "tr_open" and tok.map:
            row_line = tok.map[0] + offset
            src = _strip_eol(lines[row_line])
            start = walk.row_start(src, row_line - offset)
            cells = [(a + start, b + start) for a, b in cell_spans(src[start:])]
            cell_index = 0
            continue
        if tok.type != "inline":
            continue
        parent = tokens[i - 1]
        content = tok.content
        is_cell = parent.type in ("th_open", "td_open")
        if is_cell:
            index = cell_index
            cell_index += 1
            if index >= len(cells) or not content:
                continue
        if not content or not _has_words(tok.children or []):
            continue
        text = join_code_lines(normalize_inline(content, breaks.get(content, set())))
        text = expand_references(text, doc.references.keys())
        context = walk.context()
        if parent.type == "heading_open":
            assert parent.map is not None
            first = parent.map[0] + offset
            kind = BlockKind.HEADING
            label = f"heading {parent.tag[1:]}"
            if parent.markup in ("=", "-"):
                placement = _paragraph_placement(lines, first, content, Layout.SETEXT)
            else:
                placement = _atx_placement(lines, first, content)
        elif is_cell:
            kind = BlockKind.TABLE_HEADER if parent.type == "th_open" else BlockKind.TABLE_CELL
            label = kind.value
            a, b = cells[index]
            placement = Placement(row_line, row_line, a, b, (), "", Layout.CELL)
        elif parent.map is None:
            continue  # text the parser made (a callout's title), not the author's
        else:
            kind = BlockKind.PARAGRAPH
            if parent.type == "dt_open":
                label = "definition term"
            else:
                label = context[-1] if context and context[-1] == "list item" else "paragraph"
            placement = _paragraph_placement(lines, parent.map[0] + offset, content, Layout.PARAGRAPH)
        where = [c for c in context if c != label]
        if where:
            label += " in " + " in ".join(reversed(where))
        yield Segment(
            text=text,
            kind=kind,
            origin=Origin(doc.relpath, placement.first + 1),
            placement=placement,
            context=label,
            notes=tuple(notes),
            token=i,
            critical=critical,
        )
        notes = []
        critical = False


def segment_document(config: Config, path: Path) -> Document:
    """One source document, read and split into segments with the project's settings."""
    doc = read_document(path, config.root, config.front_matter_keys)
    doc.extensions = config.extensions
    doc.segments = list(
        extract(doc, config.front_matter_keys, config.translator_note_marker, config.critical_marker)
    )
    return doc


def load_documents(config: Config) -> list[Document]:
    """Every source document, read and segmented; duplicate ids are an error."""
    documents = [segment_document(config, path) for path in find_documents(config.source_dir, config.root)]
    if not documents:
        raise SourceError("no Markdown documents (*.md) found", config.source_dir)
    check_ids([(doc.id, doc.path) for doc in documents])
    return documents


def select_documents(
    config: Config, only: str | None = None, documents: Sequence[Document] | None = None
) -> list[Document]:
    """Every document (``documents``, else read now), or just the one whose id is ``only``."""
    documents = list(documents) if documents is not None else load_documents(config)
    if not only:
        return documents
    chosen = [d for d in documents if d.id == only]
    if not chosen:
        raise ConfigError(f"no document with id {only!r}; documents: {', '.join(d.id for d in documents)}")
    return chosen
