"""Checks on a translation's Markdown against its source text.

Each check is a small named function returning the problems it finds; the ones
marked blocking keep a translation out of published handouts (Sphinx's
``i18n.inconsistent_references`` habit, made strict for patient material).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


class Severity(enum.Enum):
    BLOCKING = "blocking"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    check: str
    severity: Severity
    message: str


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


@lru_cache(maxsize=4096)
def markup(text: str) -> tuple[tuple[str, str], ...]:
    """The inline markup of a text that a translation must keep: link targets, image sources, raw HTML."""
    env: dict[str, object] = {}
    items: list[tuple[str, str]] = []
    for tok in _walk(_inline_parser().parseInline(text, env)):
        if tok.type == "link_open":
            items.append(("link", str(tok.attrGet("href") or "")))
        elif tok.type == "image":
            items.append(("image", str(tok.attrGet("src") or "")))
        elif tok.type == "html_inline":
            items.append(("html", tok.content))
        elif tok.type == "code_inline":
            items.append(("code", tok.content))
    return tuple(items)


def _differences(kind: str, source: str, translation: str) -> str | None:
    want = Counter(v for k, v in markup(source) if k == kind)
    got = Counter(v for k, v in markup(translation) if k == kind)
    if want == got:
        return None
    missing = sorted((want - got).elements())
    extra = sorted((got - want).elements())
    parts = []
    if missing:
        parts.append("missing " + ", ".join(repr(v) for v in missing))
    if extra:
        parts.append("not in the source " + ", ".join(repr(v) for v in extra))
    return "; ".join(parts)


def check_links(source: str, translation: str) -> Iterator[Problem]:
    """Every link target of the source, no other: a translation must never redirect a patient."""
    diff = _differences("link", source, translation)
    if diff:
        yield Problem("links", Severity.BLOCKING, f"link targets differ: {diff}")


def check_images(source: str, translation: str) -> Iterator[Problem]:
    """Every image source of the source, no other."""
    diff = _differences("image", source, translation)
    if diff:
        yield Problem("images", Severity.BLOCKING, f"image sources differ: {diff}")


def check_raw_html(source: str, translation: str) -> Iterator[Problem]:
    """Inline HTML that the source does not have is shown as text, never run."""
    want = {v for k, v in markup(source) if k == "html"}
    extra = sorted({v for k, v in markup(translation) if k == "html"} - want)
    if extra:
        yield Problem(
            "html", Severity.WARNING, "raw HTML not in the source is shown as text: " + ", ".join(extra)
        )


CHECKS: list[tuple[str, Callable[[str, str], Iterator[Problem]]]] = [
    ("links", check_links),
    ("images", check_images),
    ("html", check_raw_html),
]
"""The markup checks in the order they run (markdown-it's ordered rule list habit)."""


def check_markup(source: str, translation: str) -> list[Problem]:
    return [p for _, check in CHECKS for p in check(source, translation)]


def sanctioned_html(source: str) -> frozenset[str]:
    """The inline HTML snippets a translation of ``source`` may contain and have rendered."""
    return frozenset(v for k, v in markup(source) if k == "html")
