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

from ..errors import BuildError
from ..localedata import LocaleInfo
from ..publish import Plan
from .body import UiTranslations, render_body

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


def qr_code(url: str, label: str) -> Markup:
    """A QR code of ``url`` (segno) as an image with ``label`` as its text alternative (the PDF's /Alt)."""
    import segno

    uri = segno.make(url, error="m").svg_data_uri(scale=4)
    return Markup('<img class="qr-code" src="{}" alt="{}">').format(uri, label)


def _bdi(text: object) -> Markup:
    """A run of text isolated from the direction around it (names and ids in a right-to-left page)."""
    return Markup("<bdi>{}</bdi>").format(text)


@dataclass(frozen=True, slots=True)
class SwitcherItem:
    tag: str
    name: str
    href: str
    current: bool
    direction: str = "ltr"


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
    description: str | None = None  # the translated front-matter description, for <meta>
    alternates: tuple[SwitcherItem, ...] = ()  # published siblings, for <link rel=alternate hreflang>
    names: tuple[str, ...] = ()  # do-not-translate names: isolated (<bdi>) inside translated text
    qr: str | None = None  # the web version's address, printed with a QR code in the PDF


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
        body=Markup(
            render_body(
                plan, context.preview, source=translations.source, ui=translations, names=context.names
            )
        ),
        description=context.description,
        alternates=context.alternates,
        qr=context.qr,
        qr_code=qr_code,
        bdi=_bdi,
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
