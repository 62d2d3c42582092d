"""Applying an XLIFF file a CAT tool gave back, under the same rules as ``review import``.

A unit whose source changed since the export, or whose entry someone changed here meanwhile,
is a conflict: reported, not applied. Inline codes that are missing, repeated, unknown or of
the wrong shape refuse the unit. ``needs-*`` / ``initial`` come back as fuzzy drafts,
``translated`` as translated, ``signed-off`` / ``final`` / ``approved="yes"`` / ``reviewed`` as a
sign-off only when a reviewer is named, and only for what was not already approved at export.
The blocking checks run on every imported target.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..catalogue import Catalogue, Message, load_catalogue, locked, save_catalogue
from ..config import Config, normalize_language
from ..drafts.engines import without_machine_notes
from ..review.batches import SAMPLE_NOTE, base_digest, by_a_person
from ..review.signoff import Checker, sign
from ..xmlfiles import ExchangeError, local, read_xml
from .codes import CodeError, Placed, decode
from .xliff import NS12, NS20, XliffState, unit_id

_BASE = re.compile(r"^base: (?P<digest>[0-9a-f]{12}) (?P<state>[A-Z_]+)$")


class Verdict(enum.Enum):
    """What a CAT tool's state asks of an entry."""

    DRAFT = "draft"
    TRANSLATED = "translated"
    APPROVED = "approved"


_STATES = {
    "new": Verdict.DRAFT,
    "needs-translation": Verdict.DRAFT,
    "needs-adaptation": Verdict.DRAFT,
    "needs-l10n": Verdict.DRAFT,
    "needs-review-translation": Verdict.DRAFT,
    "needs-review-adaptation": Verdict.DRAFT,
    "needs-review-l10n": Verdict.DRAFT,
    "translated": Verdict.TRANSLATED,
    "signed-off": Verdict.APPROVED,
    "final": Verdict.APPROVED,
    "initial": Verdict.DRAFT,
    "reviewed": Verdict.APPROVED,
}


@dataclass(slots=True)
class ReadUnit:
    """A unit as a CAT tool left it."""

    id: str
    line: int
    domain: str | None  # None: its file names no document of the project
    target: tuple[str | Placed, ...] | None
    verdict: Verdict | None
    base: tuple[str, str] | None  # (digest, exported state name) from our note
    notes: list[str]  # notes a person added (not ours, not the developer's)
    problem: str = ""  # why the target cannot be read


def placed(element: etree._Element) -> tuple[str | Placed, ...]:
    """An element's content as text and placed codes; :class:`CodeError` for what is not a code we wrote."""
    out: list[str | Placed] = [element.text] if element.text else []
    for child in element:
        name = local(child)
        if name == "mrk":  # an annotation (a comment, a term): its content is the text
            out += placed(child)
        elif name in ("g", "pc", "x", "ph"):
            try:
                ident = int(child.get("id", ""))
            except ValueError:
                raise CodeError(
                    f"inline code <{name}> with id {child.get('id')!r} (line {child.sourceline})"
                ) from None
            out.append(Placed(ident, placed(child) if name in ("g", "pc") else None, child.sourceline))
        else:
            raise CodeError(f"inline element <{name}> (line {child.sourceline}) is not one the export wrote")
        if child.tail:
            out.append(child.tail)
    return tuple(out)


def _unit(
    uid: str,
    line: int,
    domain: str | None,
    target: etree._Element | None,
    state: str | None,
    approved: bool,
    notes: list[tuple[str, str]],
) -> ReadUnit:
    base = None
    people = []
    for origin, text in notes:
        if origin == "pipeline":
            if m := _BASE.match(text.strip()):
                base = (m["digest"], m["state"])
        elif origin not in ("developer", "location") and text.strip():
            people.append(text.strip())
    verdict = _STATES.get(state or "")
    if approved:
        verdict = Verdict.APPROVED
    unit = ReadUnit(uid, line, domain, None, verdict, base, people)
    if target is not None:
        try:
            unit.target = placed(target)
        except CodeError as exc:
            unit.problem = str(exc)
    if unit.verdict is None and unit.target and state is None:
        unit.verdict = Verdict.TRANSLATED  # a target with no state: as written by a tool that keeps none
    if state is not None and state not in _STATES:
        unit.problem = unit.problem or f"unknown state {state!r}"
    return unit


def read_xliff(path: Path, originals: Mapping[str, str]) -> tuple[str, list[ReadUnit]]:
    """The target language and units of an XLIFF 1.2 or 2.0 file."""
    root = read_xml(path)
    version = root.get("version")
    namespace = {"1.2": NS12, "2.0": NS20}.get(version or "")
    if local(root) != "xliff" or namespace is None or etree.QName(root).namespace != namespace:
        raise ExchangeError("not an XLIFF 1.2 or 2.0 file (root <xliff version=...> in its namespace)", path)
    q = f"{{{namespace}}}"
    languages = (
        {root.get("trgLang")}
        if version == "2.0"
        else {f.get("target-language") for f in root.iter(f"{q}file")}
    )
    if len(languages) != 1 or None in languages:
        raise ExchangeError(
            "one target language is needed (trgLang / target-language)", path, root.sourceline
        )
    language = normalize_language(str(languages.pop()), str(path))
    units = []
    for f in root.iter(f"{q}file"):
        domain = originals.get(f.get("original", ""))
        if version == "2.0":
            for u in f.iter(f"{q}unit"):
                notes = [(n.get("category", ""), n.text or "") for n in u.iter(f"{q}note")]
                segments = list(u.iter(f"{q}segment"))
                if len(segments) != 1:
                    units.append(
                        ReadUnit(
                            u.get("id", ""),
                            u.sourceline,
                            domain,
                            None,
                            None,
                            None,
                            [],
                            f"{len(segments)} segments: join the unit's segments into one",
                        )
                    )
                    continue
                target = segments[0].find(f"{q}target")
                units.append(
                    _unit(
                        u.get("id", ""), u.sourceline, domain, target, segments[0].get("state"), False, notes
                    )
                )
            continue
        for tu in f.iter(f"{q}trans-unit"):
            notes = [(n.get("from", ""), n.text or "") for n in tu.iter(f"{q}note")]
            target = tu.find(f"{q}target")
            state = target.get("state") if target is not None else None
            units.append(
                _unit(
                    tu.get("id", ""), tu.sourceline, domain, target, state, tu.get("approved") == "yes", notes
                )
            )
    return language, units


@dataclass(slots=True)
class XliffImport:
    language: str = ""
    approved: list[str] = field(default_factory=list)  # signed off by the reviewer named
    approved_unsigned: list[str] = field(default_factory=list)  # approved in the file, no reviewer named
    translated: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # saved fuzzy (needs review)
    left: int = 0  # as exported: nothing to do
    emptied: list[str] = field(default_factory=list)  # no target in the file, a translation here: kept
    blocked: list[str] = field(default_factory=list)  # saved, but fails a blocking check: not signed
    refused: list[str] = field(default_factory=list)  # damaged inline codes, unreadable targets
    conflicts: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.refused or self.conflicts)


def import_xliff(
    config: Config,
    path: Path,
    checker: Checker,
    originals: Mapping[str, str],
    reviewer: str | None = None,
    today: dt.date | None = None,
) -> XliffImport:
    """Apply the targets of ``path`` to the project's catalogues (see the module's docstring)."""
    language, units = read_xliff(path, originals)
    result = XliffImport(language)
    live: dict[str, tuple[Path, Catalogue, dict[str, Message]]] = {}
    touched: set[str] = set()
    with locked(config.locales_dir):
        for unit in units:
            where = f"{path}:{unit.line}"
            if unit.domain is None or not config.po_path(language, unit.domain).exists():
                result.conflicts.append(f"{where}: its <file> is not a document with a {language} catalogue")
                continue
            if unit.domain not in live:
                po = config.po_path(language, unit.domain)
                catalogue = load_catalogue(po)
                live[unit.domain] = (po, catalogue, {unit_id(m): m for m in catalogue.active})
            current = live[unit.domain][2].get(unit.id)
            if current is None:
                result.conflicts.append(f"{where}: {unit.domain}: the source text changed since the export")
                continue
            label = f"{where}: {unit.domain}: {current.msgid[:50]!r}"
            if unit.problem:
                result.refused.append(f"{label}: {unit.problem}")
                continue
            text = ""
            if unit.target:
                try:
                    text = decode(current.msgid, unit.target)
                except CodeError as exc:
                    result.refused.append(f"{label}: {exc}")
                    continue
            if not text:  # nothing translated there: the entry stays as it is
                if current.msgstr:  # ...but the file lost a translation this entry has: say so
                    result.emptied.append(label)
                else:
                    result.left += 1
                continue
            outcome = _apply(
                current, unit, text, reviewer, checker, language, unit.domain, today or dt.date.today()
            )
            if outcome is None:
                result.left += 1
                continue
            if outcome[0] == "conflicts":
                result.conflicts.append(label + outcome[1])
                continue
            touched.add(unit.domain)
            for note in unit.notes:  # an agency's notes join the entry's (not the sample note just dropped)
                if note not in current.translator_comments and not SAMPLE_NOTE.match(note):
                    current.translator_comments.append(note)
            getattr(result, outcome[0]).append(label + outcome[1])
        for domain in touched:
            po, catalogue, _ = live[domain]
            if reviewer:
                catalogue.set_header("Last-Translator", reviewer)
            save_catalogue(po, catalogue)
    return result


def _apply(
    current: Message,
    unit: ReadUnit,
    text: str,
    reviewer: str | None,
    checker: Checker,
    language: str,
    domain: str,
    today: dt.date,
) -> tuple[str, str] | None:
    """Apply one (non-empty) target; (result list, detail) or None when there is nothing to do."""
    edited = text != current.msgstr
    if unit.base is None:
        if current.msgstr and edited:
            return ("conflicts", ": no pipeline base note, cannot tell whether it changed here meanwhile")
    elif base_digest(current) != unit.base[0] and edited:
        return ("conflicts", ": someone changed this entry here since the export")
    exported = XliffState.__members__.get(unit.base[1]) if unit.base else None
    if unit.verdict is Verdict.DRAFT:
        if not edited and current.fuzzy:
            return None
        current.msgstr, current.fuzzy = text, True
        current.translator_comments = without_machine_notes(current.translator_comments, text)
        return ("drafts", "" if edited else ": sent back for review")
    if unit.verdict is Verdict.TRANSLATED and not edited and not current.fuzzy:
        return None
    newly = edited or current.fuzzy or exported is None or not exported.approved
    if unit.verdict is Verdict.APPROVED and not newly:
        return None  # approved before the export: no one approved anything now
    current.msgstr, current.fuzzy = text, False
    if edited:
        current.translator_comments = without_machine_notes(current.translator_comments)
    by_a_person(current)
    blocking = checker.blocking(current, language, domain)
    if blocking:
        return ("blocked", f": [{blocking[0].check}] {blocking[0].message}")
    if unit.verdict is Verdict.TRANSLATED:
        return ("translated", "")
    if not reviewer:
        return ("approved_unsigned", "")
    if not sign(current, reviewer, today):
        return None  # this reviewer's sign-off is already there
    return ("approved", "")
