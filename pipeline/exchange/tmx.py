"""TMX 1.4b: reviewed translations out as a translation memory, agencies' memories in.

Export writes each reviewed pair (translated ones too with ``include_translated``) with the date
of its latest sign-off and its document as a property. Import reads a TMX file, keeps the pairs
whose source is in the project's source language, and writes them (normalised, nothing else of
the file) to ``memory/<name>.tmx``, where the ``tm`` engine finds them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .. import __version__
from ..catalogue import load_catalogue
from ..config import Config
from ..drafts.memory import XML_LANG, read_tmx, same_language
from ..fileio import write_bytes_atomic
from ..localedata import locale_info
from ..model import EntryState
from ..review.signoff import Checker, valid_signoffs
from ..xmlfiles import ExchangeError, serialise

CONTENT = frozenset({"seg", "prop", "note"})


def _stamp(day: dt.date) -> str:
    return day.strftime("%Y%m%dT000000Z")


def _tmx(source_tag: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="pipeline",
        creationtoolversion=__version__,
        segtype="paragraph",
        attrib={"o-tmf": "pipeline-po", "adminlang": "en", "srclang": source_tag, "datatype": "plaintext"},
        creationdate=_stamp(dt.date.today()),
    )
    return root, etree.SubElement(root, "body")


def _tu(
    body: etree._Element,
    source: tuple[str, str],
    target: tuple[str, str],
    day: str,
    props: Sequence[tuple[str, str]],
) -> None:
    tu = etree.SubElement(body, "tu", creationdate=day)
    for kind, value in props:
        etree.SubElement(tu, "prop", type=kind).text = value
    for tag, text in (source, target):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: tag})
        etree.SubElement(tuv, "seg").text = text


def export_tmx(
    config: Config, language: str, domains: Sequence[str], checker: Checker, include_translated: bool = False
) -> tuple[bytes, int]:
    """The TMX of ``language``'s reviewed pairs in ``domains``, and how many it holds."""
    src, tgt = locale_info(config.source_language).tag, locale_info(language).tag
    root, body = _tmx(src)
    count = 0
    for domain in domains:
        path = config.po_path(language, domain)
        if not path.exists():
            raise ExchangeError(f"no {language} catalogue for {domain!r}", path)
        for m in load_catalogue(path).active:
            state = checker.state(m)
            if state is not EntryState.REVIEWED and not (
                include_translated and state is EntryState.TRANSLATED
            ):
                continue
            dates = [s.date for s in valid_signoffs(m)]
            props = [("x-document", domain), ("x-state", state.value)]
            props += [("x-reviewer", s.name) for s in valid_signoffs(m)]
            _tu(
                body, (src, m.msgid), (tgt, m.msgstr), _stamp(max(dates) if dates else dt.date.today()), props
            )
            count += 1
    return serialise(root, CONTENT), count


@dataclass(slots=True)
class TmxImport:
    path: Path
    pairs: Counter[str] = field(default_factory=Counter)  # language tag -> pairs kept
    other_languages: Counter[str] = field(default_factory=Counter)  # pairs in languages the project lacks
    skipped: int = 0  # units with no text in the source language


def import_tmx(config: Config, path: Path) -> TmxImport:
    """Copy the usable pairs of ``path`` into ``memory/<name>.tmx`` (replacing an earlier import of it)."""
    pairs, skipped = read_tmx(path, config.source_language)
    if not pairs:
        raise ExchangeError(
            f"no translation unit has text in the source language ({config.source_language})", path
        )
    result = TmxImport(config.memory_dir / (path.stem + ".tmx"), skipped=skipped)
    src = locale_info(config.source_language).tag
    out, body = _tmx(src)
    for pair in pairs:
        if not any(same_language(pair.language, lang) for lang in config.languages):
            result.other_languages[pair.language] += 1
        result.pairs[pair.language] += 1
        props = [*pair.props, ("x-origin", f"{path.name}:{pair.line}")]
        _tu(
            body,
            (src, pair.source),
            (pair.language, pair.target),
            pair.date or _stamp(dt.date.today()),
            props,
        )
    result.path.parent.mkdir(exist_ok=True)
    write_bytes_atomic(result.path, serialise(out, CONTENT))
    return result
