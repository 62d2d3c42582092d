"""The Markdown parser documents are read with: CommonMark, GFM tables and the chosen extensions.

It records where soft and hard line breaks are (msgids normalise them), joins lines of
unspaced scripts, and keeps heading attributes (``{#id}``) out of the heading's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .inline import drop_cjk_breaks

BREAKS = "pipeline_breaks"
"""Where ``env`` keeps the line breaks the parser saw, by inline content."""
HARD_BREAK = "\\\n"
"""How a hard line break is written in a msgid: a backslash before the newline."""


def _tracking(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """Wrap an inline rule so that the line breaks it produces are recorded with their position."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        count = len(state.tokens)
        ok = rule(state, silent)
        if ok and not silent and len(state.tokens) > count:
            kind = state.tokens[-1].type
            if kind in ("softbreak", "hardbreak"):
                state.env.setdefault(BREAKS, {}).setdefault(state.src, set()).add((pos, kind))
        return ok

    return wrapped


_ATTR = r"(?:[#.][\w-]+|[\w-]+=\S+)"
_HEADING_ATTRS = re.compile(rf"[ \t]+\{{[ \t]*({_ATTR}(?:[ \t]+{_ATTR})*)[ \t]*\}}$")


def _heading_attrs(state: StateCore) -> None:
    """``# Title {#id .class}``: the attributes go on the heading, out of its text (and its msgid)."""
    tokens = state.tokens
    for i, tok in enumerate(tokens[:-1]):
        inline = tokens[i + 1]
        m = _HEADING_ATTRS.search(inline.content) if tok.type == "heading_open" else None
        if not m or not inline.children or inline.children[-1].type != "text":
            continue
        last = inline.children[-1]
        if not last.content.endswith(m.group(0).lstrip(" \t")):
            continue
        inline.content = inline.content[: m.start()]
        last.content = last.content[: len(last.content) - len(m.group(0).lstrip(" \t"))].rstrip(" \t")
        for item in m.group(1).split():
            if item.startswith("#"):
                tok.attrSet("id", item[1:])
            elif item.startswith("."):
                tok.attrJoin("class", item[1:])
            else:
                key, _, value = item.partition("=")
                tok.attrSet(key, value.strip("\"'"))


@lru_cache(maxsize=8)
def markdown_parser(extensions: tuple[str, ...] = ()) -> MarkdownIt:
    """CommonMark with GFM tables and the given extensions, recording where line breaks are."""
    md = MarkdownIt("commonmark").enable("table")
    for name in ("newline", "escape"):
        rule = next(r.fn for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, _tracking(rule))
    md.core.ruler.push("cjk_breaks", drop_cjk_breaks)
    if "footnotes" in extensions:
        md.use(footnote_plugin, inline=False)
    if "alerts" in extensions:
        md.options["alerts"] = True
    if "deflists" in extensions:
        md.use(deflist_plugin)
    if "attrs" in extensions:
        md.use(attrs_block_plugin)
        md.core.ruler.push("heading_attrs", _heading_attrs)
    return md
