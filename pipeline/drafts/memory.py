"""Translation memories in TMX 1.4: reading the project's ``memory/`` folder for the ``tm`` engine.

An agency's memory is imported there (``pipeline tm import``); the ``tm`` engine uses it beside
the catalogues, and each draft it gives says which file it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..xmlfiles import ExchangeError, local, read_xml

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def same_language(tag: str, language: str) -> bool:
    """Whether a TMX/TBX tag (``es-MX``, ``zh-CN``) is the project's ``language`` (``es``, ``zh_CN``): the
    same code, or the same language when ``language`` names no region or script."""
    a = tag.replace("-", "_").casefold()
    b = language.replace("-", "_").casefold()
    return a == b or ("_" not in b and a.split("_")[0] == b)


@dataclass(frozen=True, slots=True)
class MemoryPair:
    """One source text and its translation in one language, and where it is in its file."""

    source: str
    language: str  # the tag as the file has it
    target: str
    line: int
    props: tuple[tuple[str, str], ...] = ()
    date: str = ""


def _seg_text(tuv: etree._Element) -> str:
    seg = next((c for c in tuv if local(c) == "seg"), None)
    return "".join(seg.itertext()) if seg is not None else ""


def read_tmx(path: Path, source_language: str) -> tuple[list[MemoryPair], int]:
    """Every (source, translation) pair of a TMX file whose source is in ``source_language``, and the
    number of units left out because they have no text in that language."""
    root = read_xml(path)
    if local(root) != "tmx":
        raise ExchangeError("not a TMX file (root <tmx>)", path, root.sourceline)
    pairs: list[MemoryPair] = []
    skipped = 0
    for tu in root.iter("{*}tu", "tu"):
        variants = [(v.get(XML_LANG) or v.get("lang") or "", _seg_text(v)) for v in tu if local(v) == "tuv"]
        sources = [text for lang, text in variants if same_language(lang, source_language) and text.strip()]
        if not sources:
            skipped += 1
            continue
        props = tuple((p.get("type", ""), p.text or "") for p in tu if local(p) == "prop")
        date = tu.get("changedate") or tu.get("creationdate") or ""
        for lang, text in variants:
            if text.strip() and not same_language(lang, source_language):
                pairs.append(MemoryPair(sources[0], lang, text, tu.sourceline or 0, props, date))
    return pairs, skipped


def load_memory(folder: Path, source_language: str, language: str) -> dict[str, tuple[str, str]]:
    """Source text -> (translation, ``memory/FILE.tmx``) for ``language``, from every file in ``folder``."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.tmx")) if folder.is_dir() else []:
        for pair in read_tmx(path, source_language)[0]:
            if same_language(pair.language, language):
                found.setdefault(pair.source, (pair.target, f"{folder.name}/{path.name}"))
    return found
