"""The records that flow through the pipeline: documents, segments and where they came from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class BlockKind(enum.Enum):
    """What kind of block a segment's text sits in; shown to translators as ``#.``."""

    FRONT_MATTER = "front matter"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE_HEADER = "table header cell"
    TABLE_CELL = "table cell"


class Layout(enum.Enum):
    """How text is written back into its place; decides what must be escaped."""

    PARAGRAPH = "paragraph"  # one or more lines; hard breaks allowed
    SETEXT = "setext heading"  # like a paragraph, followed by an underline
    ATX = "atx heading"  # one line between '#' markers
    CELL = "table cell"  # one line between unescaped pipes
    YAML = "yaml scalar"  # a one-line front-matter value
    YAML_BLOCK = "yaml block"  # a front-matter value over several lines: its line breaks are kept


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a segment comes from: a path relative to the project and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a segment's text stands in the source lines, so it can be replaced.

    Lines ``first .. last`` (0-based, inclusive) hold the text; it starts at
    column ``start`` of the first and ends at column ``end`` of the last.
    ``prefixes`` are the container prefixes (``> ``, list indentation) of the
    lines after the first; ``continuation`` is the prefix for any extra line.
    """

    first: int
    last: int
    start: int
    end: int
    prefixes: tuple[str, ...]
    continuation: str
    layout: Layout


@dataclass(frozen=True, slots=True)
class Segment:
    """One translatable piece of a document: the msgid and where it stands."""

    text: str
    kind: BlockKind
    origin: Origin
    placement: Placement
    context: str
    notes: tuple[str, ...] = ()
    token: int = -1  # index of the inline token in the body's token stream (-1: front matter)
    critical: bool = False  # marked critical by the author: two reviewers before publishing


class EntryState(enum.Enum):
    """Where one translation stands in its life: the PO file's own states."""

    UNTRANSLATED = "untranslated"
    DRAFT = "draft"  # fuzzy: a machine draft or a changed source, not reviewed
    TRANSLATED = "translated"  # a person cleared the fuzzy flag
    REVIEWED = "reviewed"  # signed off (twice, by two people, for critical entries)

    def publishable(self, require_review: bool = True) -> bool:
        """May this text appear in a published handout?"""
        if require_review:
            return self is EntryState.REVIEWED
        return self in (EntryState.TRANSLATED, EntryState.REVIEWED)


class HandoutStatus(enum.Enum):
    """What a build did with one document in one language."""

    PUBLISHED = "published"
    WITHHELD = "withheld"
    PREVIEW = "preview"

    def is_published(self) -> bool:
        return self is HandoutStatus.PUBLISHED


@dataclass(slots=True)
class FrontMatter:
    """A document's YAML front matter: parsed values and its lines in the file."""

    values: dict[str, Any]
    first_line: int  # 0-based index of the opening '---'
    last_line: int  # 0-based index of the closing '---'


@dataclass(slots=True)
class Document:
    """A source document as read from disk."""

    id: str
    path: Path
    relpath: str
    lines: list[str]
    front_matter: FrontMatter | None
    body_start: int  # 0-based index of the first line after the front matter
    segments: list[Segment] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)  # link reference label -> destination
    html_blocks: list[int] = field(default_factory=list)  # lines of HTML blocks with words: not translated
    extensions: tuple[str, ...] = ()  # Markdown extensions it is read with (footnotes, alerts, ...)

    @property
    def body(self) -> str:
        return "".join(self.lines[self.body_start :])

    @property
    def title(self) -> str | None:
        if self.front_matter is None:
            return None
        value = self.front_matter.values.get("title")
        return str(value) if value is not None else None


@dataclass(slots=True)
class HandoutResult:
    """What the build did with one document in one language."""

    doc_id: str
    language: str
    status: HandoutStatus
    translated: int
    total: int
    reason: str = ""
    outputs: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rebuilt: bool = True
    template_words: dict[str, str] = field(default_factory=dict)  # shown in the source language: why
    failed: bool = False  # withheld because rendering failed (a template, a glyph), not for review reasons
    pages: int = 0  # pages of its PDF, when one was rendered now
    over_budget: str = ""  # "4 pages, 3 allowed" when the PDF is longer than max_pages
