"""Make catalogues: a POT from a document's segments, a new PO from a POT."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from babel import Locale
from babel.messages.plurals import get_plural

from ..model import Segment
from .model import Catalogue, Message

GENERATOR = "pipeline"
CRITICAL_COMMENT = "critical: needs two reviewers before publishing"
"""Extracted comment on entries their author marked critical (``<!-- critical -->``)."""


def format_date(moment: datetime) -> str:
    """A gettext header date: ``2026-11-21 06:00+0000``."""
    return moment.strftime("%Y-%m-%d %H:%M%z")


def build_template(
    segments: Iterable[Segment], project: str, creation_date: datetime, md_text_flag: bool = False
) -> Catalogue:
    """A POT for one document: one message per distinct text, references in document order."""
    messages: dict[str, Message] = {}
    for seg in segments:
        msg = messages.get(seg.text)
        if msg is None:
            msg = Message(msgid=seg.text, flags=["md-text"] if md_text_flag else [])
            messages[seg.text] = msg
        ref = str(seg.origin)
        if ref not in msg.references:
            msg.references.append(ref)
        marks = (CRITICAL_COMMENT,) if seg.critical else ()
        for comment in (*marks, *(f"Translators: {n}" for n in seg.notes), seg.context):
            if comment not in msg.extracted_comments:
                msg.extracted_comments.append(comment)
    return Catalogue(
        header=[
            ("Project-Id-Version", project),
            ("Report-Msgid-Bugs-To", ""),
            ("POT-Creation-Date", format_date(creation_date)),
            ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE"),
            ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
            ("Language-Team", "LANGUAGE <LL@li.org>"),
            ("Language", ""),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("Generated-By", GENERATOR),
        ],
        header_comments=[
            f"Translations template for {project}.",
            f"This file is distributed under the same license as the {project} project.",
            "",
        ],
        header_flags=["fuzzy"],
        messages=list(messages.values()),
    )


def build_ui_template(
    found: Iterable[tuple[str, int, str, list[str]]], project: str, creation_date: datetime
) -> Catalogue:
    """A POT of the words in the handout templates: (template, line, msgid, comments)."""
    catalogue = build_template((), project, creation_date)
    messages: dict[str, Message] = {}
    for template, lineno, msgid, comments in found:
        # python-format makes msgfmt -c and PO editors check that %(name)s placeholders are kept.
        flags = ["python-format"] if re.search(r"%\(\w+\)s", msgid) else []
        msg = messages.setdefault(msgid, Message(msgid=msgid, flags=flags))
        ref = f"templates/{template}:{lineno}"
        if ref not in msg.references:
            msg.references.append(ref)
        for comment in comments:
            if comment not in msg.extracted_comments:
                msg.extracted_comments.append(comment)
    catalogue.messages = list(messages.values())
    return catalogue


def same_messages(a: Catalogue, b: Catalogue) -> bool:
    """True when two templates differ at most in their creation date."""

    def strip(c: Catalogue) -> Catalogue:
        return replace(c, header=[(k, v) for k, v in c.header if k != "POT-Creation-Date"])

    return strip(a) == strip(b)


def plural_forms(locale: str) -> str:
    """The ``Plural-Forms`` header value for a locale, from Babel's CLDR data."""
    return get_plural(locale).plural_forms


def new_catalogue(template: Catalogue, locale: str) -> Catalogue:
    """A fresh PO for ``locale`` from a template, as ``msginit --no-translator`` makes it."""
    language = Locale.parse(locale).get_display_name("en") or locale
    project = template.header_value("Project-Id-Version") or GENERATOR
    created = template.header_value("POT-Creation-Date") or format_date(datetime.now(UTC))
    header = [
        ("Project-Id-Version", project),
        ("Report-Msgid-Bugs-To", template.header_value("Report-Msgid-Bugs-To") or ""),
        ("POT-Creation-Date", created),
        ("PO-Revision-Date", created),
        ("Last-Translator", "Automatically generated"),
        ("Language-Team", "none"),
        ("Language", locale),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", plural_forms(locale)),
        ("Generated-By", GENERATOR),
    ]
    return Catalogue(
        header=header,
        header_comments=[
            f"{language} translations for {project}.",
            f"This file is distributed under the same license as the {project} project.",
            "",
        ],
        messages=[
            replace(
                m,
                msgstr="",
                flags=list(m.flags),
                references=list(m.references),
                extracted_comments=list(m.extracted_comments),
                translator_comments=[],
            )
            for m in template.messages
            if not m.obsolete
        ],
    )
