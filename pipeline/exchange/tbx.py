"""TBX: the glossary (required term translations, do-not-translate names) in and out.

Export writes TBX-Basic (``<martif type="TBX-Basic">``, which Translate Toolkit and the CAT tools
read): one ``termEntry`` per source term with a ``langSet`` per language that has its
translation; a do-not-translate name is an entry with only the source term and the note
``do not translate``. Import reads that, or TBX v3 Core (``<tbx>`` / ``conceptEntry`` /
``langSec`` / ``termSec``), and merges it into ``glossary.toml`` (its comments and layout kept):
new terms are added; a term the glossary already translates differently is a conflict,
reported and not changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from lxml import etree

from ..checks import load_glossary
from ..config import Config
from ..drafts.memory import XML_LANG, same_language
from ..fileio import write_text_atomic
from ..localedata import locale_info
from ..xmlfiles import ExchangeError, local, read_xml, serialise

DNT = "do not translate"
CONTENT = frozenset({"term", "note", "title", "p"})


def export_tbx(config: Config) -> tuple[bytes, int]:
    """The glossary as TBX-Basic, and how many entries it has."""
    glossary = load_glossary(config.glossary_path)
    src = locale_info(config.source_language).tag
    root = etree.Element("martif", type="TBX-Basic", attrib={XML_LANG: src})
    header = etree.SubElement(root, "martifHeader")
    title = etree.SubElement(etree.SubElement(header, "fileDesc"), "titleStmt")
    etree.SubElement(title, "title").text = f"{config.project_name} glossary"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    sources = sorted({term for table in glossary.terms.values() for term in table}, key=str.casefold)
    n = 0
    for n, name in enumerate(glossary.do_not_translate, 1):
        entry = etree.SubElement(body, "termEntry", id=f"dnt{n}")
        etree.SubElement(entry, "note").text = DNT
        _term(entry, src, name)
    for n, term in enumerate(sources, 1):
        entry = etree.SubElement(body, "termEntry", id=f"t{n}")
        _term(entry, src, term)
        for lang, table in sorted(glossary.terms.items()):
            if term in table:
                _term(entry, locale_info(lang).tag, table[term])
    return serialise(root, CONTENT), len(sources) + len(glossary.do_not_translate)


def _term(entry: etree._Element, tag: str, text: str) -> None:
    lang_set = etree.SubElement(entry, "langSet", {XML_LANG: tag})
    etree.SubElement(etree.SubElement(lang_set, "tig"), "term").text = text


@dataclass(frozen=True, slots=True)
class Concept:
    line: int
    terms: tuple[tuple[str, str], ...]  # (language tag, term), first term of each language
    do_not_translate: bool
    others: tuple[tuple[str, str], ...] = ()  # further terms (synonyms) the glossary has no place for


def read_tbx(path: Path) -> Iterator[Concept]:
    """The concepts of a TBX-Basic (martif) or TBX v3 (tbx) file."""
    root = read_xml(path)
    if local(root) not in ("martif", "tbx"):
        raise ExchangeError("not a TBX file (root <martif> or <tbx>)", path, root.sourceline)
    for entry in root.iter("{*}termEntry", "termEntry", "{*}conceptEntry", "conceptEntry"):
        notes = " ".join(
            (n.text or "")
            for n in entry.iter("{*}note", "note", "{*}descrip", "descrip", "{*}termNote", "termNote")
        )
        terms: list[tuple[str, str]] = []
        others: list[tuple[str, str]] = []
        for lang_set in entry:
            if local(lang_set) not in ("langSet", "langSec"):
                continue
            tag = lang_set.get(XML_LANG) or ""
            found = [t for t in lang_set.iter("{*}term", "term") if (t.text or "").strip()]
            texts = ["".join(t.itertext()).strip() for t in found]
            if texts:
                terms.append((tag, texts[0]))
                others += [(tag, t) for t in texts[1:]]
        if terms:
            yield Concept(entry.sourceline or 0, tuple(terms), DNT in notes.casefold(), tuple(others))


@dataclass(slots=True)
class TbxImport:
    added: list[str] = field(default_factory=list)
    same: int = 0
    conflicts: list[str] = field(
        default_factory=list
    )  # file:line: the glossary's and the file's translations
    skipped: list[str] = field(
        default_factory=list
    )  # no source-language term, or a language not in the project


def import_tbx(config: Config, path: Path) -> TbxImport:
    """Merge ``path`` into ``glossary.toml``: add what is new, report what disagrees, change nothing else."""
    glossary = load_glossary(config.glossary_path)  # validates the file before it is edited
    terms = {lang: dict(table) for lang, table in glossary.terms.items()}
    text = config.glossary_path.read_text(encoding="utf-8") if config.glossary_path.exists() else ""
    doc = tomlkit.parse(text)
    result = TbxImport()
    names = list(glossary.do_not_translate)
    for concept in read_tbx(path):
        where = f"{path}:{concept.line}"
        source = next((t for tag, t in concept.terms if same_language(tag, config.source_language)), None)
        if source is None:
            result.skipped.append(f"{where}: no {config.source_language} term")
            continue
        for tag, term in concept.others:
            result.skipped.append(
                f"{where}: {term!r} in {tag}: a second term for {source!r} (the glossary keeps one)"
            )
        if concept.do_not_translate:
            if source in names:
                result.same += 1
            else:
                names.append(source)
                result.added.append(f"do not translate: {source}")
            continue
        for tag, term in concept.terms:
            if same_language(tag, config.source_language):
                continue
            lang = next((code for code in config.languages if same_language(tag, code)), None)
            if lang is None:
                result.skipped.append(f"{where}: {source!r} in {tag}: not a language of the project")
                continue
            have = terms.get(lang, {}).get(source)
            if have == term:
                result.same += 1
            elif have is not None:
                result.conflicts.append(
                    f"{where}: {source!r} in {lang}: the glossary has {have!r}, the file {term!r}"
                )
            else:
                terms.setdefault(lang, {})[source] = term
                table = doc.setdefault("terms", tomlkit.table(is_super_table=True))
                table.setdefault(lang, tomlkit.table())[source] = term
                result.added.append(f"{lang}: {source} = {term}")
    if len(names) != len(glossary.do_not_translate):
        array = tomlkit.array()
        array.extend(names)
        doc["do_not_translate"] = array
    if result.added:
        write_text_atomic(config.glossary_path, tomlkit.dumps(doc))
    return result
