"""A handout's body: the source document's tokens with each segment's chosen text in place.

Translations go in at the token level: the source document is parsed once (its own HTML
is trusted), and each segment's inline tokens are replaced by the tokens of its
translation, in which any raw HTML the source does not have is turned into plain text.
Text shown in another language than the page's says so (``lang``/``dir``).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from ..checks import sanctioned_html
from ..inline import html_words, mark_language
from ..localedata import LocaleInfo
from ..model import EntryState
from ..parser import markdown_parser
from ..publish import Plan, UiWords

_HANGUL_WORD = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+")


class UiTranslations(gettext.NullTranslations):
    """The templates' words of one handout: translations that may be shown, else the source text.

    What falls back is recorded (``fell_back``: msgid -> why) so that the build reports it, and
    ``lang_attrs(msgid)`` gives the ``lang``/``dir`` attributes that mark it on its element.
    """

    def __init__(self, words: UiWords | None = None, source: LocaleInfo | None = None) -> None:
        super().__init__()
        self.words = words
        self.source = source
        self.fell_back: dict[str, str] = {}

    def _translating(self) -> bool:
        return self.words is not None and self.words.language != self.words.source_language

    def gettext(self, message: str) -> str:
        if self.words is None or not self._translating():
            return message
        text = self.words.table.get(message)
        if text is None:
            self.fell_back[message] = self.words.held_back.get(message, "untranslated")
            return message
        return text

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)

    def lang_pairs(self, message: str) -> list[tuple[str, str]]:
        """``lang`` and ``dir`` of the source language when ``message`` is shown untranslated."""
        if self.words is None or self.source is None or not self._translating():
            return []
        if message in self.words.table:
            return []
        return [("lang", self.source.tag), ("dir", self.source.direction)]

    def lang_attrs(self, message: str) -> Markup:
        """`` lang=".." dir=".."`` of the source language when ``message`` is shown untranslated."""
        return Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in self.lang_pairs(message))


def _wrap_in(children: list[Any], opening: str, closing: str) -> list[Any]:
    from markdown_it.token import Token

    return [
        Token("html_inline", "", 0, content=opening),
        *children,
        Token("html_inline", "", 0, content=closing),
    ]


def _wrap(children: list[Any], css_class: str) -> list[Any]:
    return _wrap_in(children, f'<mark class="{css_class}">', "</mark>")


def _neutralise(tokens: list[Any], allowed: frozenset[str]) -> None:
    """Raw HTML not in the source becomes text (the renderer escapes text)."""
    for tok in tokens:
        if tok.type == "html_inline" and tok.content not in allowed:
            tok.type = "text"
        if tok.children:
            _neutralise(tok.children, allowed)


def _wrap_matches(tokens: list[Any], pattern: re.Pattern[str], opening: str, closing: str) -> list[Any]:
    """Text tokens with every match of ``pattern`` wrapped in ``opening`` ... ``closing`` (HTML)."""
    from markdown_it.token import Token

    out: list[Any] = []
    for tok in tokens:
        if tok.type != "text" or not pattern.search(tok.content):
            out.append(tok)
            continue
        last = 0
        for m in pattern.finditer(tok.content):
            if m.start() > last:
                out.append(Token("text", "", 0, content=tok.content[last : m.start()]))
            out.append(Token("html_inline", "", 0, content=opening))
            out.append(Token("text", "", 0, content=m.group(0)))
            out.append(Token("html_inline", "", 0, content=closing))
            last = m.end()
        if last < len(tok.content):
            out.append(Token("text", "", 0, content=tok.content[last:]))
    return out


def _keep_korean_words(tokens: list[Any]) -> list[Any]:
    """WeasyPrint has no ``word-break: keep-all``: wrap each Hangul word in a no-wrap span."""
    return _wrap_matches(tokens, _HANGUL_WORD, '<span class="kw">', "</span>")


def _relocate_images(tokens: list[Any], assets: str) -> None:
    """Relative image sources point into the copied source assets."""
    for tok in tokens:
        if tok.type == "image":
            src = str(tok.attrGet("src") or "")
            if src and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^#", src):
                tok.attrSet("src", f"{assets}/{src}")
        if tok.children:
            _relocate_images(tok.children, assets)


def _callouts(tokens: list[Any], ui: UiTranslations | None) -> None:
    """Callouts (``> [!WARNING]``) are notes for assistive technology, titled in the page's language."""
    for i, tok in enumerate(tokens):
        if tok.type == "alert_open":
            tok.attrSet("role", "note")
        if tok.type != "alert_title_open" or ui is None or i + 1 >= len(tokens):
            continue
        title = tokens[i + 1]
        for child in title.children or []:
            if child.type == "text":
                original = child.content
                child.content = ui.gettext(original)
                for name, value in ui.lang_pairs(original):
                    tok.attrSet(name, value)


_EXTERNAL = re.compile(r"^(?:https?://|mailto:|tel:)", re.IGNORECASE)


def _printable_links(tokens: list[Any]) -> None:
    """External links carry their address in a short, readable form for print (``data-print``)."""
    for tok in tokens:
        for child in tok.children or []:
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            if _EXTERNAL.match(href):
                short = _EXTERNAL.sub("", href).rstrip("/")
                if short:
                    child.attrSet("data-print", short)


def _mark_source(tokens: list[Any], index: int, source: LocaleInfo) -> None:
    """Text shown in the source language says so: ``lang``/``dir`` on its block, or on an isolating span."""
    block = tokens[index - 1]
    if block.nesting == 1 and not block.hidden:
        block.attrSet("lang", source.tag)
        block.attrSet("dir", source.direction)
        return
    inline = tokens[index]
    inline.children = _wrap_in(
        inline.children or [], f'<span lang="{source.tag}" dir="{source.direction}">', "</span>"
    )


def _isolate(children: list[Any], names: Sequence[str], source: LocaleInfo) -> list[Any]:
    """Do-not-translate names inside a translation, isolated: ``<bdi lang="en">Name</bdi>``."""
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n))
    return _wrap_matches(children, pattern, f'<bdi lang="{source.tag}">', "</bdi>")


def render_body(
    plan: Plan,
    preview: bool,
    assets: str = "../_assets",
    source: LocaleInfo | None = None,
    ui: UiTranslations | None = None,
    names: Sequence[str] = (),
) -> str:
    """The handout's body HTML with each segment's chosen text in place.

    HTML blocks are not translated: in another language's page, their first element says
    they are in the ``source`` language (``lang``/``dir``).
    """
    md = markdown_parser(plan.doc.extensions)
    env: dict[str, Any] = {}
    tokens = md.parse(plan.doc.body, env)
    if source is not None and not plan.is_source:
        for tok in tokens:
            if tok.type == "html_block" and html_words(tok.content):
                tok.content = mark_language(tok.content, source.tag, source.direction)
    korean = plan.language.split("_")[0] == "ko"
    for seg in plan.doc.segments:
        if seg.token < 0:
            continue
        tok = tokens[seg.token]
        choice = plan.choices.get(seg.text)
        if choice is None:
            continue
        if choice.text is not None:
            inline = md.parseInline(choice.text, env)[0]
            children = inline.children or []
            _neutralise(children, sanctioned_html(seg.text))
            tok.children = _isolate(children, names, source) if names and source else children
        elif source is not None and not plan.is_source:
            _mark_source(tokens, seg.token, source)
        if korean and tok.children:
            tok.children = _keep_korean_words(tok.children)
        if preview and not plan.is_source and choice.state is not EntryState.REVIEWED:
            if choice.refused:
                kind = "refused"
            elif choice.text is None:
                kind = "untranslated"
            else:
                kind = "draft" if choice.state is EntryState.DRAFT else "unreviewed"
            tok.children = _wrap(tok.children or [], kind)
    _callouts(tokens, ui)
    _printable_links(tokens)
    _relocate_images(tokens, assets)
    html: str = md.renderer.render(tokens, md.options, env)
    return html
