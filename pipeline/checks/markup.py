"""Markup parity: links, images, code spans, emphasis and raw HTML of a translation against its source."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..inline import code_spans
from .base import Context, References


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


@lru_cache(maxsize=1 << 16)
def markup(text: str, references: References = ()) -> tuple[tuple[str, str], ...]:
    """The inline markup a translation must keep: links, images, raw HTML, code spans, emphasis.

    ``[text][label]``, ``[label][]`` and ``[label]`` are resolved against the document's
    ``references``, so a link's target is what a reader would follow, however it is written.
    """
    env = {"references": {label: {"href": href, "title": ""} for label, href in references}}
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
        elif tok.type in ("em_open", "strong_open"):
            items.append(("emphasis", tok.type))
    return tuple(items)


def _differences(kind: str, ctx: Context) -> str | None:
    want = Counter(v for k, v in markup(ctx.source, ctx.references) if k == kind)
    got = Counter(v for k, v in markup(ctx.translation, ctx.references) if k == kind)
    if want == got:
        return None
    parts = []
    if missing := sorted((want - got).elements()):
        parts.append("missing " + ", ".join(repr(v) for v in missing))
    if extra := sorted((got - want).elements()):
        parts.append("not in the source " + ", ".join(repr(v) for v in extra))
    return "; ".join(parts)


def check_links(ctx: Context) -> Iterator[str]:
    """Every link target of the source and no other: a translation must never redirect a patient."""
    if diff := _differences("link", ctx):
        yield f"link targets differ: {diff}"


def check_images(ctx: Context) -> Iterator[str]:
    """Every image source of the source and no other."""
    if diff := _differences("image", ctx):
        yield f"image sources differ: {diff}"


def check_code(ctx: Context) -> Iterator[str]:
    """Code spans are literal (commands, values): they are copied, not translated."""
    if diff := _differences("code", ctx):
        yield f"code spans differ: {diff}"


def check_emphasis(ctx: Context) -> Iterator[str]:
    """As many emphasised and bold passages as the source."""
    want = Counter(v for k, v in markup(ctx.source) if k == "emphasis")
    got = Counter(v for k, v in markup(ctx.translation) if k == "emphasis")
    if want != got:
        yield f"emphasis differs: source has {sum(want.values())}, translation {sum(got.values())}"


def check_html(ctx: Context) -> Iterator[str]:
    """Inline HTML the source does not have is shown as text, never run."""
    want = {v for k, v in markup(ctx.source) if k == "html"}
    if extra := sorted({v for k, v in markup(ctx.translation) if k == "html"} - want):
        yield "raw HTML not in the source (shown as text): " + ", ".join(extra)


_UNSAFE_TARGET = re.compile(
    r"(?:\]\(|<|^\[[^\]]*\]:)[ \t]*<?[ \t]*((?:javascript|vbscript|data|file):[^\s)>]*)", re.IGNORECASE
)


def check_unsafe_targets(ctx: Context) -> Iterator[str]:
    """No link or image written to run script, embed data or open local files, in any format.

    HTML rendering drops such targets, but the Markdown output would carry them to whatever
    renderer reads it next.
    """
    for m in _UNSAFE_TARGET.finditer(ctx.translation):
        if m.group(1) not in ctx.source:
            yield f"link target {m.group(1)[:40]!r} is not allowed (javascript:, vbscript:, data:, file:)"


FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


def check_footnotes(ctx: Context) -> Iterator[str]:
    """Footnote references (``[^1]``) are labels, not words: the same ones, unchanged."""
    want, got = Counter(FOOTNOTE.findall(ctx.source)), Counter(FOOTNOTE.findall(ctx.translation))
    if want != got:
        missing = ", ".join(f"[^{k}]" for k in sorted((want - got).elements()))
        extra = ", ".join(f"[^{k}]" for k in sorted((got - want).elements()))
        yield "footnote references differ: " + "; ".join(
            part
            for part in (
                f"missing {missing}" if missing else "",
                f"not in the source {extra}" if extra else "",
            )
            if part
        )


def sanctioned_html(source: str) -> frozenset[str]:
    """The inline HTML snippets a translation of ``source`` may contain and have rendered."""
    return frozenset(v for k, v in markup(source) if k == "html")


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+))>")
_ANGLE_DESTINATION = re.compile(r"\]\([ \t\n]*(<(?:[^<>\n\\]|\\.)*>)")  # [text](<my file.md>)
_DESTINATION_START = re.compile(r"\]\([ \t\n]*$")
_UNSAFE = re.compile(r"[ \t]*(?:javascript|vbscript|data|file):", re.IGNORECASE)


def neutralise_html(source: str, translation: str) -> str:
    """The translation with every tag-like ``<`` its source does not sanction escaped as ``\\<``.

    The source's own inline HTML, autolinks and code spans stay as they are;
    anything else that any Markdown renderer could take for HTML becomes text.
    """
    keep = list(code_spans(translation))
    keep += [(m.start(), m.end()) for m in _AUTOLINK.finditer(translation) if not _UNSAFE.match(m.group(1))]
    keep += [m.span(1) for m in _ANGLE_DESTINATION.finditer(translation)]
    for snippet in sanctioned_html(source):
        start = translation.find(snippet)
        while start != -1:
            keep.append((start, start + len(snippet)))
            start = translation.find(snippet, start + 1)
    # Right after "](" a "<" that is no HTML must stay as it is: "\\<" there would make a link
    # destination of it (CommonMark example 493). Escape it only where markdown-it sees HTML.
    tokens = _walk(_inline_parser().parseInline(translation, {}))
    html = {t.content for t in tokens if t.type == "html_inline"}
    out = []
    last = 0
    for m in _TAG_START.finditer(translation):
        if any(a <= m.start() < b for a, b in keep) or (m.start() > 0 and translation[m.start() - 1] == "\\"):
            continue
        after_paren = _DESTINATION_START.search(translation, 0, m.start())
        if after_paren and not any(translation.startswith(h, m.start()) for h in html):
            continue
        out.append(translation[last : m.start()])
        out.append("\\<")
        last = m.start() + 1
    out.append(translation[last:])
    return "".join(out)
