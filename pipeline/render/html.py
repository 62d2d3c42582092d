"""HTML pages for handouts and the index, from Jinja2 templates.

Translations are put in at the token level: the source document is parsed once
(its own HTML is trusted), and each segment's inline tokens are replaced by the
tokens of its translation, in which any raw HTML the source does not have is
turned into plain text. A translation can change words, never markup.
"""

from __future__ import annotations

import gettext
import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    TemplateError,
    select_autoescape,
)
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..checks import sanctioned_html
from ..config import BUILTIN_TEMPLATES
from ..errors import BuildError
from ..inline import html_words, mark_language
from ..localedata import LocaleInfo
from ..model import EntryState
from ..parser import markdown_parser
from ..publish import Plan, UiWords

TEMPLATES = BUILTIN_TEMPLATES

_HANGUL_WORD = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+")
_CSS_SAFE = re.compile(r"[A-Za-z0-9 ]|[^\x00-\x7f]")


def css_string(value: str) -> Markup:
    """A CSS string literal that is also safe inside an HTML ``<style>`` element."""
    out = []
    for ch in str(value):
        if _CSS_SAFE.match(ch) and ch not in "\u2028\u2029":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')


def css_counters(value: str, style: str) -> Markup:
    """``Page %(page)s of %(pages)s`` translated -> CSS ``content`` with page counters."""
    parts = re.split(r"(%\((?:page|pages)\)s)", str(value))
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append(f"counter(page, {style})")
        elif part == "%(pages)s":
            out.append(f"counter(pages, {style})")
        elif part:
            out.append(str(css_string(part)))
    return Markup(" ".join(out) or '""')


def css_families(families: Sequence[str]) -> Markup:
    return Markup(", ".join(str(css_string(f)) for f in families) + ", sans-serif")


@lru_cache(maxsize=8)
def environment(project_templates: Path | None = None) -> Environment:
    """Jinja2 with the i18n extension; a project's ``templates/`` folder overrides ours.

    Templates run sandboxed: a project template can use what it is given, never reach
    Python's internals (``self.__init__.__globals__``...) to read files or run code.
    """
    loaders: list[Any] = []
    if project_templates is not None and project_templates.is_dir():
        loaders.append(FileSystemLoader(str(project_templates)))
    loaders.append(PackageLoader("pipeline.render", "templates"))
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["css_counters"] = css_counters
    env.filters["css_families"] = css_families
    return env


def render_template(env: Environment, name: str, **context: Any) -> str:
    """Render one template; any template mistake is a :class:`BuildError` naming its file and line."""
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        raise BuildError(f"template error: {exc.message}", exc.filename or name, exc.lineno) from None
    except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
        # Jinja2 maps each template frame of the traceback back to the template's file and line.
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".j2"))]
        where = (frames[-1].filename, frames[-1].lineno) if frames else (name, None)
        kind = "not allowed in a template" if isinstance(exc, SecurityError) else "template error"
        raise BuildError(f"{kind}: {exc}", *where) from None


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


def _wrap(children: list[Any], css_class: str) -> list[Any]:
    from markdown_it.token import Token

    return [
        Token("html_inline", "", 0, content=f'<mark class="{css_class}">'),
        *children,
        Token("html_inline", "", 0, content="</mark>"),
    ]


def _neutralise(tokens: list[Any], allowed: frozenset[str]) -> None:
    """Raw HTML not in the source becomes text (the renderer escapes text)."""
    for tok in tokens:
        if tok.type == "html_inline" and tok.content not in allowed:
            tok.type = "text"
        if tok.children:
            _neutralise(tok.children, allowed)


def _keep_korean_words(tokens: list[Any]) -> list[Any]:
    """WeasyPrint has no ``word-break: keep-all``: wrap each Hangul word in a no-wrap span."""
    from markdown_it.token import Token

    out: list[Any] = []
    for tok in tokens:
        if tok.type != "text" or not _HANGUL_WORD.search(tok.content):
            out.append(tok)
            continue
        last = 0
        for m in _HANGUL_WORD.finditer(tok.content):
            if m.start() > last:
                out.append(Token("text", "", 0, content=tok.content[last : m.start()]))
            out.append(Token("html_inline", "", 0, content='<span class="kw">'))
            out.append(Token("text", "", 0, content=m.group(0)))
            out.append(Token("html_inline", "", 0, content="</span>"))
            last = m.end()
        if last < len(tok.content):
            out.append(Token("text", "", 0, content=tok.content[last:]))
    return out


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


def render_body(
    plan: Plan,
    preview: bool,
    assets: str = "../_assets",
    source: LocaleInfo | None = None,
    ui: UiTranslations | None = None,
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
            tok.children = children
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
    _relocate_images(tokens, assets)
    html: str = md.renderer.render(tokens, md.options, env)
    return html


@dataclass(frozen=True, slots=True)
class SwitcherItem:
    tag: str
    name: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a handout page shows besides its body."""

    title: str
    clinic: str
    doc_id: str
    version: str | None
    updated: str | None
    page_size: str
    static: str
    switcher: tuple[SwitcherItem, ...]
    preview: bool
    reviewers: str | None = None
    reviewed_on: str | None = None


def render_handout(
    plan: Plan,
    locale: LocaleInfo,
    context: PageContext,
    ui: UiTranslations | None = None,
    project_templates: Path | None = None,
) -> str:
    """A complete HTML page for one handout; ``ui`` records which template words fell back."""
    env = environment(project_templates)
    translations = ui if ui is not None else UiTranslations()
    return render_template(
        env,
        "handout.html",
        _=translations.gettext,
        gettext=translations.gettext,
        ngettext=translations.ngettext,
        ui_lang=translations.lang_attrs,
        locale=locale,
        title=context.title,
        clinic=context.clinic,
        doc_id=context.doc_id,
        version=context.version,
        reviewers=context.reviewers,
        reviewed_on=context.reviewed_on,
        updated=context.updated,
        page_size=context.page_size,
        static=context.static,
        switcher=context.switcher,
        preview=context.preview,
        body_class="handout preview" if context.preview else "handout",
        body=Markup(render_body(plan, context.preview, source=translations.source, ui=translations)),
    )


def render_index(
    locale: LocaleInfo,
    *,
    title: str,
    clinic: str,
    static: str,
    languages: Sequence[dict[str, str]],
    rows: Sequence[dict[str, Any]],
    summary: str,
    preview: bool,
    project_templates: Path | None = None,
) -> str:
    env = environment(project_templates)
    translations = gettext.NullTranslations()
    return render_template(
        env,
        "index.html",
        _=translations.gettext,
        gettext=translations.gettext,
        ngettext=translations.ngettext,
        locale=locale,
        title=title,
        clinic=clinic,
        static=static,
        languages=languages,
        rows=rows,
        summary=summary,
        preview=preview,
        body_class="index",
    )
