"""A complete HTML page for one document in one language."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..config import Config
from ..model import Document
from ..segment import markdown_parser
from ..sources import parse_document


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("pipeline.render", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def html_lang(locale: str) -> str:
    """BCP 47 tag for ``<html lang>``: ``zh_CN`` -> ``zh-CN``."""
    return locale.replace("_", "-")


def text_direction(locale: str) -> str:
    """``rtl`` or ``ltr`` from Babel's locale data."""
    return "rtl" if Locale.parse(locale).text_direction == "rtl" else "ltr"


def render_body(markdown_body: str) -> str:
    """The HTML of a Markdown body (CommonMark + tables, as segmented)."""
    html: str = markdown_parser().render(markdown_body)
    return html


def render_page(markdown: str, source: Document, lang: str, config: Config) -> str:
    """A standalone UTF-8 HTML page whose document body is inside ``<main>``."""
    doc = parse_document(markdown, source.path, config.root)
    title = doc.title or source.title or source.id
    template = _environment().get_template("page.html")
    return template.render(
        lang=html_lang(lang),
        direction=text_direction(lang),
        title=title,
        body=Markup(render_body(doc.body)),
    )
