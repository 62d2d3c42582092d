"""XLIFF 1.2 and 2.0: the files translation agencies' CAT tools read, with states and inline codes.

One ``<file>`` per document (``original`` = its source path; the templates' words are
``templates/ui``), one unit per PO entry with a stable id (a hash of the entry's context and
source text), the extracted comments and translator notes as notes, references as context, and
the entry's state in XLIFF's terms:

==================== ============================================ =====================
entry                XLIFF 1.2                                    XLIFF 2.0
==================== ============================================ =====================
untranslated         ``needs-translation``                        ``initial``
machine draft        ``needs-review-translation``, ``mt-suggestion`` ``initial``, ``pipeline:mt``
other draft (fuzzy)  ``needs-review-translation``                 ``initial``, ``pipeline:draft``
translated           ``translated``                               ``translated``
reviewed             ``signed-off``, ``approved="yes"``           ``reviewed``
reviewed twice       ``final``, ``approved="yes"``                ``final``
==================== ============================================ =====================

Each unit also carries a ``pipeline`` note, ``base: DIGEST STATE``: the translation and state
it was exported with, so that an import can tell an agency's change from one made here meanwhile.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from .. import __version__
from ..catalogue import Message, load_catalogue
from ..config import Config
from ..drafts.engines import MACHINE_DRAFT, MACHINE_TEXT
from ..model import EntryState
from ..review.batches import BASE, base_digest
from ..review.signoff import SIGNOFF, WAIVER, Checker, valid_signoffs
from ..xmlfiles import ExchangeError
from .codes import Code, CodeKind, Node, encode, encode_target

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
UI_ORIGINAL = "templates/ui"
CONTENT = frozenset({"source", "target", "note", "context", "data"})


class XliffState(enum.Enum):
    """An entry's state as exported (the 1.2 names)."""

    NEEDS_TRANSLATION = "needs-translation"
    MACHINE_DRAFT = "needs-review-translation mt"
    DRAFT = "needs-review-translation"
    TRANSLATED = "translated"
    SIGNED_OFF = "signed-off"
    FINAL = "final"

    @property
    def approved(self) -> bool:
        return self in (XliffState.SIGNED_OFF, XliffState.FINAL)


STATES_20 = {
    XliffState.NEEDS_TRANSLATION: ("initial", None),
    XliffState.MACHINE_DRAFT: ("initial", "pipeline:mt"),
    XliffState.DRAFT: ("initial", "pipeline:draft"),
    XliffState.TRANSLATED: ("translated", None),
    XliffState.SIGNED_OFF: ("reviewed", None),
    XliffState.FINAL: ("final", None),
}


def unit_id(message: Message) -> str:
    """Stable while the entry's context and source text are: a CAT tool's memory keys on it."""
    key = f"{message.msgctxt or ''}\x04{message.msgid}".encode()
    return "u" + hashlib.sha256(key).hexdigest()[:16]


def entry_state(message: Message, checker: Checker) -> XliffState:
    state = checker.state(message)
    if state is EntryState.UNTRANSLATED:
        return XliffState.NEEDS_TRANSLATION
    if state is EntryState.DRAFT:
        machine = any(MACHINE_DRAFT.match(c) for c in message.translator_comments)
        return XliffState.MACHINE_DRAFT if machine else XliffState.DRAFT
    if state is EntryState.TRANSLATED:
        return XliffState.TRANSLATED
    return XliffState.FINAL if len(valid_signoffs(message)) >= 2 else XliffState.SIGNED_OFF


@dataclass(slots=True)
class Unit:
    """One entry as it goes into the file."""

    id: str
    source: tuple[Node, ...]
    target: tuple[Node, ...] | str | None  # str: a translation whose markup is not the source's
    state: XliffState
    developer_notes: list[str] = field(default_factory=list)
    translator_notes: list[str] = field(default_factory=list)
    pipeline_notes: list[str] = field(default_factory=list)
    references: list[tuple[str, int | None]] = field(default_factory=list)


@dataclass(slots=True)
class XliffFile:
    original: str
    units: list[Unit] = field(default_factory=list)


def make_unit(message: Message, checker: Checker, language: str, domain: str) -> Unit:
    state = entry_state(message, checker)
    target: tuple[Node, ...] | str | None = None
    notes: list[str] = [f"base: {base_digest(message)} {state.name}"]
    if message.msgstr:
        target = encode_target(message.msgid, message.msgstr)
        if target is None:
            target = message.msgstr
            notes.append(
                "the translation's markup differs from the source's: correct it with the source's tags"
            )
    engine = next((m for c in message.translator_comments if (m := MACHINE_DRAFT.match(c))), None)
    if engine and state is XliffState.MACHINE_DRAFT:
        notes.append(f"machine draft by {engine['engine']} on {engine['date']}: check every word")
    if checker.critical(message):
        notes.append("critical (doses, warnings): two reviewers must sign off")
    for problem in checker.problems(message, language, domain) if message.msgstr else []:
        if not problem.waiver:
            notes.append(f"check [{problem.check}] {problem.severity.value}: {problem.message}")
    ours = (BASE, SIGNOFF, WAIVER, MACHINE_DRAFT, MACHINE_TEXT)
    references: list[tuple[str, int | None]] = []
    for ref in message.references:
        path, _, line = ref.rpartition(":")
        references.append((path, int(line)) if path and line.isdigit() else (ref, None))
    return Unit(
        id=unit_id(message),
        source=encode(message.msgid),
        target=target,
        state=state,
        developer_notes=list(message.extracted_comments),
        translator_notes=[c for c in message.translator_comments if not any(p.match(c) for p in ours)],
        pipeline_notes=notes,
        references=references,
    )


def _inline12(parent: etree._Element, nodes: Sequence[Node]) -> None:
    last: etree._Element | None = None

    def text(value: str) -> None:
        if last is None:
            parent.text = (parent.text or "") + value
        else:
            last.tail = (last.tail or "") + value

    for node in nodes:
        if isinstance(node, str):
            text(node)
        elif isinstance(node, Code):
            if node.kind is CodeKind.BREAK:
                last = etree.SubElement(parent, f"{{{NS12}}}x", id=str(node.id), ctype="lb")
            else:
                ctype = node.kind.value if node.kind.value.startswith("x-") else f"x-{node.kind.value}"
                last = etree.SubElement(parent, f"{{{NS12}}}ph", id=str(node.id), ctype=ctype)
                last.text = node.markdown
        else:
            kind = node.code.kind
            ctype = (
                kind.value if kind in (CodeKind.BOLD, CodeKind.ITALIC, CodeKind.LINK) else f"x-{kind.value}"
            )
            last = etree.SubElement(
                parent, f"{{{NS12}}}g", id=str(node.code.id), ctype=ctype.replace("x-x-", "x-")
            )
            _inline12(last, node.content)


_TYPE20 = {CodeKind.LINK: "link", CodeKind.IMAGE: "image", CodeKind.BOLD: "fmt", CodeKind.ITALIC: "fmt"}
_SUBTYPE20 = {CodeKind.BOLD: "xlf:b", CodeKind.ITALIC: "xlf:i"}


def _inline20(parent: etree._Element, nodes: Sequence[Node], data: dict[str, str]) -> None:
    last: etree._Element | None = None
    for node in nodes:
        if isinstance(node, str):
            if last is None:
                parent.text = (parent.text or "") + node
            else:
                last.tail = (last.tail or "") + node
            continue
        code = node if isinstance(node, Code) else node.code
        attrs = {"id": str(code.id), "type": _TYPE20.get(code.kind, "fmt" if code.end else "other")}
        if code.kind in _SUBTYPE20:
            attrs["subType"] = _SUBTYPE20[code.kind]
        data[f"d{code.id}"] = code.markdown
        if isinstance(node, Code):
            attrs["dataRef"] = f"d{code.id}"
            attrs["disp"] = code.markdown
            last = etree.SubElement(parent, f"{{{NS20}}}ph", attrs)
        else:
            data[f"d{code.end}"] = code.end_markdown
            attrs |= {"dataRefStart": f"d{code.id}", "dataRefEnd": f"d{code.end}"}
            last = etree.SubElement(parent, f"{{{NS20}}}pc", attrs)
            _inline20(last, node.content, data)


def write_xliff(files: Sequence[XliffFile], source: str, target: str, version: str) -> etree._Element:
    """The XLIFF document (1.2 or 2.0) for ``files``."""
    today = dt.date.today().isoformat()
    if version == "2.0":
        root = etree.Element(
            f"{{{NS20}}}xliff", nsmap={None: NS20}, version="2.0", srcLang=source, trgLang=target
        )
    else:
        root = etree.Element(f"{{{NS12}}}xliff", nsmap={None: NS12}, version="1.2")
    for n, xf in enumerate(files, 1):
        if version == "2.0":
            f = etree.SubElement(root, f"{{{NS20}}}file", id=f"f{n}", original=xf.original)
            _notes20(f, [("pipeline", f"exported {today} by pipeline {__version__}")])
            for unit in xf.units:
                _unit20(f, unit)
            continue
        f = etree.SubElement(
            root,
            f"{{{NS12}}}file",
            original=xf.original,
            datatype="x-markdown",
            attrib={"source-language": source, "target-language": target, "date": f"{today}T00:00:00Z"},
        )
        header = etree.SubElement(f, f"{{{NS12}}}header")
        etree.SubElement(
            header,
            f"{{{NS12}}}tool",
            attrib={"tool-id": "pipeline", "tool-name": "pipeline", "tool-version": __version__},
        )
        body = etree.SubElement(f, f"{{{NS12}}}body")
        for unit in xf.units:
            _unit12(body, unit)
    return root


def _unit12(body: etree._Element, unit: Unit) -> None:
    tu = etree.SubElement(body, f"{{{NS12}}}trans-unit", id=unit.id)
    tu.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    if unit.state.approved:
        tu.set("approved", "yes")
    _inline12(etree.SubElement(tu, f"{{{NS12}}}source"), unit.source)
    target = etree.SubElement(tu, f"{{{NS12}}}target", state=unit.state.value.split()[0])
    if unit.state is XliffState.MACHINE_DRAFT:
        target.set("state-qualifier", "mt-suggestion")
    if isinstance(unit.target, str):
        target.text = unit.target
    elif unit.target is not None:
        _inline12(target, unit.target)
    for path, line in unit.references:
        group = etree.SubElement(tu, f"{{{NS12}}}context-group", purpose="location")
        etree.SubElement(group, f"{{{NS12}}}context", attrib={"context-type": "sourcefile"}).text = path
        if line is not None:
            etree.SubElement(group, f"{{{NS12}}}context", attrib={"context-type": "linenumber"}).text = str(
                line
            )
    for origin, notes in (("developer", unit.developer_notes), ("translator", unit.translator_notes)):
        for text in notes:
            etree.SubElement(tu, f"{{{NS12}}}note", attrib={"from": origin}).text = text
    for text in unit.pipeline_notes:
        etree.SubElement(tu, f"{{{NS12}}}note", attrib={"from": "pipeline"}).text = text


def _notes20(parent: etree._Element, notes: Sequence[tuple[str, str]]) -> None:
    if notes:
        holder = etree.SubElement(parent, f"{{{NS20}}}notes")
        for category, text in notes:
            etree.SubElement(holder, f"{{{NS20}}}note", category=category).text = text


def _unit20(f: etree._Element, unit: Unit) -> None:
    u = etree.SubElement(f, f"{{{NS20}}}unit", id=unit.id)
    notes = [("location", f"{p}:{line}" if line is not None else p) for p, line in unit.references]
    notes += [("developer", t) for t in unit.developer_notes] + [
        ("translator", t) for t in unit.translator_notes
    ]
    _notes20(u, notes + [("pipeline", t) for t in unit.pipeline_notes])
    data: dict[str, str] = {}
    original = etree.SubElement(u, f"{{{NS20}}}originalData")
    segment = etree.Element(f"{{{NS20}}}segment")
    state, sub = STATES_20[unit.state]
    segment.set("state", state)
    if sub:
        segment.set("subState", sub)
    _inline20(etree.SubElement(segment, f"{{{NS20}}}source"), unit.source, data)
    if unit.target is not None:
        target = etree.SubElement(segment, f"{{{NS20}}}target")
        if isinstance(unit.target, str):
            target.text = unit.target
        else:
            _inline20(target, unit.target, data)
    for key in sorted(data, key=lambda k: int(k[1:])):
        etree.SubElement(original, f"{{{NS20}}}data", id=key).text = data[key]
    if not data:
        u.remove(original)
    u.append(segment)


def export_xliff(
    config: Config, language: str, domains: Sequence[tuple[str, str]], checker: Checker, version: str
) -> tuple[etree._Element, int, list[str]]:
    """The XLIFF of ``language`` for ``domains`` ((catalogue, original) pairs), its unit count, and
    ``file:line: text`` of each translation sent as plain text (its markup is not the source's)."""
    files = []
    untagged = []
    for domain, original in domains:
        path = config.po_path(language, domain)
        if not path.exists():
            raise ExchangeError(
                f"no {language} catalogue for {domain!r} (run 'pipeline update --lang {language}')", path
            )
        units = []
        for m in load_catalogue(path).active:
            unit = make_unit(m, checker, language, domain)
            if isinstance(unit.target, str):
                untagged.append(f"{path.relative_to(config.root)}:{m.lineno}: {m.msgid[:50]!r}")
            units.append(unit)
        files.append(XliffFile(original, units))
    root = write_xliff(files, config.source_language, language, version)
    return root, sum(len(f.units) for f in files), untagged
