"""Inline Markdown as CAT-tool inline codes, and back, byte for byte.

A segment's inline markup is found exactly as drafting masks it (:func:`drafts.masking.mask`):
each piece a translator could break (a link's ``](target)``, ``**``, a code span, inline HTML,
an escape...) becomes a code. Pieces that open and close around text (emphasis markers, a
link's ``[`` and ``](target)``) become one paired code enclosing that text, the rest a
standalone code. Codes are numbered by the piece's place in the *source*, so the Markdown of
every code is known from the source alone: a target comes back by putting each code's Markdown
in place, and a code that is missing, repeated, unknown or of the wrong shape is refused.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..drafts.masking import Masked, mask

_MASK = re.compile(r"⟦(\d+)⟧")


class CodeKind(enum.Enum):
    """What a code stands for; the value is XLIFF 1.2's ``ctype``."""

    LINK = "link"
    IMAGE = "image"
    BOLD = "bold"
    ITALIC = "italic"
    EMPHASIS = "x-emphasis"
    CODE = "x-code"
    HTML = "x-html"
    COMMENT = "x-html-comment"
    FOOTNOTE = "x-footnote"
    BREAK = "lb"
    ESCAPE = "x-escape"
    ENTITY = "x-entity"
    PLACEHOLDER = "x-placeholder"
    URL = "x-url"
    EMAIL = "x-email"
    OTHER = "x-markdown"


@dataclass(frozen=True, slots=True)
class Code:
    """One piece of markup (``end`` set: a pair that encloses text). ``id`` is 1-based."""

    id: int
    kind: CodeKind
    markdown: str
    end: int | None = None
    end_markdown: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """A paired code and the content it encloses."""

    code: Code
    content: tuple[Node, ...]


Node = str | Code | Span
"""Text, a standalone code, or a paired code around its content."""


@dataclass(frozen=True, slots=True)
class Placed:
    """A code as read from a file: its id, and its content when it encloses some (paired)."""

    id: int
    content: tuple[str | Placed, ...] | None
    line: int | None = None


class CodeError(ValueError):
    """A target whose codes do not match its source; the message says how."""


def _kind(piece: str) -> CodeKind:
    if piece == "[" or piece.startswith("]"):
        return CodeKind.LINK
    if piece == "![":
        return CodeKind.IMAGE
    if re.fullmatch(r"\*+|_+", piece):
        return {2: CodeKind.BOLD, 1: CodeKind.ITALIC}.get(len(piece), CodeKind.EMPHASIS)
    for prefix, kind in (
        ("`", CodeKind.CODE),
        ("<!--", CodeKind.COMMENT),
        ("[^", CodeKind.FOOTNOTE),
        ("\\\n", CodeKind.BREAK),
        ("\\", CodeKind.ESCAPE),
        ("&", CodeKind.ENTITY),
        ("%", CodeKind.PLACEHOLDER),
        ("{", CodeKind.PLACEHOLDER),
    ):
        if piece.startswith(prefix):
            return kind
    if re.match(r"<?(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:|www\.)", piece):
        return CodeKind.URL
    if "@" in piece and " " not in piece:
        return CodeKind.EMAIL
    return CodeKind.HTML if piece.startswith("<") else CodeKind.OTHER


def pairs(pieces: Sequence[str]) -> dict[int, int]:
    """Opening piece -> its closing piece: emphasis markers with the same marker, ``[``/``![`` with
    ``](...)`` or ``][...]``, properly nested; what does not pair stands alone."""
    stack: list[int] = []
    found: dict[int, int] = {}
    for i, piece in enumerate(pieces):
        if piece in ("[", "!["):
            stack.append(i)
            continue
        closer = piece.startswith(("](", "]["))
        emphasis = bool(re.fullmatch(r"\*+|_+", piece))
        if not (closer or emphasis):
            continue
        for depth in range(len(stack) - 1, -1, -1):
            j = stack[depth]
            if (closer and pieces[j] in ("[", "![")) or (emphasis and pieces[j] == piece):
                found[j] = i
                del stack[depth:]  # openers inside it that did not close stand alone
                break
        else:
            if emphasis:
                stack.append(i)
    return found


def _tree(masked: Masked, ids: Sequence[int], source_codes: dict[int, Code]) -> tuple[Node, ...]:
    """The masked text as nodes; ``ids[k]`` is the source code id of the text's k-th piece."""
    local = pairs(masked.pieces)
    closing = set(local.values())
    root: list[Node] = []
    stack: list[tuple[Code, list[Node]]] = []
    last = 0

    def add(node: Node) -> None:
        (stack[-1][1] if stack else root).append(node)

    for m in _MASK.finditer(masked.text):
        if m.start() > last:
            add(masked.text[last : m.start()])
        last = m.end()
        k = int(m.group(1))
        code = source_codes[ids[k]]
        if k in local:
            stack.append((code, []))
        elif k in closing:
            opened, content = stack.pop()
            add(Span(opened, tuple(content)))
        else:
            add(code)
    if last < len(masked.text):
        add(masked.text[last:])
    assert not stack
    return tuple(root)


def source_codes(source: str) -> tuple[Masked, dict[int, Code]]:
    """The source masked as drafting masks it, and its codes by id (a pair under its opener's id)."""
    masked = mask(source)
    paired = pairs(masked.pieces)
    closers = set(paired.values())
    codes: dict[int, Code] = {}
    for i, piece in enumerate(masked.pieces):
        if i in closers:
            continue
        end = paired.get(i)
        kind = _kind(masked.pieces[end]) if end is not None and piece == "[" else _kind(piece)
        codes[i + 1] = Code(
            i + 1,
            kind,
            piece,
            end + 1 if end is not None else None,
            masked.pieces[end] if end is not None else "",
        )
    return masked, codes


def encode(source: str) -> tuple[Node, ...]:
    """The source segment as text and codes (leading and trailing whitespace left out)."""
    masked, codes = source_codes(source)
    ids = [i + 1 for i in range(len(masked.pieces))]
    for code in codes.values():
        if code.end is not None:
            ids[code.end - 1] = code.id  # a closer stands for its pair
    return _tree(masked, ids, codes)


def encode_target(source: str, translation: str) -> tuple[Node, ...] | None:
    """The translation with the source's codes, or None when its markup is not the source's
    (a piece the source does not have, or pairs that differ): the CAT tool then gets it as text."""
    _, codes = source_codes(source)
    by_piece: dict[str, list[int]] = {}
    for code in codes.values():
        by_piece.setdefault(code.markdown, []).append(code.id)
    masked = mask(translation)
    local = pairs(masked.pieces)
    closing = {b: a for a, b in local.items()}
    ids: list[int] = []
    for k, piece in enumerate(masked.pieces):
        if k in closing:
            code = codes[ids[closing[k]]]
            if code.end_markdown != piece:
                return None
            ids.append(code.id)
            continue
        free = by_piece.get(piece, [])
        wanted = [i for i in free if (codes[i].end is not None) == (k in local)]
        if not wanted:
            return None
        free.remove(wanted[0])
        ids.append(wanted[0])
    return _tree(masked, ids, codes)


def decode(source: str, content: Sequence[str | Placed]) -> str:
    """The Markdown of a target read from a file; :class:`CodeError` unless it has every code of
    the source exactly once, each of the right shape."""
    masked, codes = source_codes(source)
    used: list[int] = []
    out: list[str] = []

    def walk(nodes: Sequence[str | Placed]) -> None:
        for node in nodes:
            if isinstance(node, str):
                if _MASK.search(node):
                    raise CodeError(f"text that looks like a placeholder: {_MASK.search(node)!r}")
                out.append(node)
                continue
            code = codes.get(node.id)
            at = f" (line {node.line})" if node.line else ""
            if code is None:
                raise CodeError(f"unknown inline code {node.id}{at}: the source has {_names(codes.values())}")
            if (code.end is None) != (node.content is None):
                shape = "encloses text" if code.end is not None else "stands alone"
                raise CodeError(f"inline code {node.id} ({code.markdown!r}) {shape} in the source{at}")
            used.append(node.id)
            out.append(code.markdown)
            if node.content is not None:
                walk(node.content)
                out.append(code.end_markdown)

    walk(content)
    repeated = sorted({i for i in used if used.count(i) > 1})
    missing = [codes[i] for i in sorted(set(codes) - set(used))]
    if repeated:
        raise CodeError(f"inline code(s) repeated: {', '.join(map(str, repeated))}")
    if missing:
        raise CodeError(f"inline code(s) missing: {_names(missing)}")
    text = "".join(out).strip()
    if not text:
        return ""
    return masked.lead + text + masked.trail


def _names(codes: Iterable[Code]) -> str:
    items = [f"{c.id} {c.markdown + ('...' + c.end_markdown if c.end else '')!r}" for c in codes]
    return ", ".join(items) or "no codes"


def plain(nodes: Sequence[Node]) -> str:
    """The Markdown the nodes stand for (encode, then plain, gives back the segment's core)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Code):
            out.append(node.markdown)
        else:
            out += [node.code.markdown, plain(node.content), node.code.end_markdown]
    return "".join(out)
