"""XLIFF, TMX, TBX: what we write, read by Translate Toolkit; what it writes, imported as a review."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from lxml import etree
from translate.storage import tbx, tmx, xliff, xliff2

from pipeline.catalogue import load_catalogue, save_catalogue
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.drafts.engines import make_engine
from pipeline.exchange.codes import CodeError, decode, encode
from pipeline.exchange.xliff import NS12, NS20, _inline12, _inline20
from pipeline.exchange.xliffread import placed
from pipeline.review import sign, valid_signoffs
from pipeline.segment import extract
from pipeline.sources import parse_document

from .conftest import FIXTURES

FAQ = "ketamine-therapy-faq"
BOLD = "Yes. While ketamine can open a window for change, therapy helps you **use** that window."


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


def _texts(markdown: str) -> list[str]:
    doc = parse_document(markdown, Path("/p/source/x.md"), Path("/p"), front_matter=False)
    return [s.text for s in extract(doc)]


def _inline_forms() -> list[str]:
    """Every segment of the CommonMark spec examples and of the segmentation fixtures."""
    examples = json.loads((FIXTURES / "commonmark" / "commonmark.json").read_text(encoding="utf-8"))
    texts = [t for e in examples for t in _texts(e["markdown"])]
    for pot in sorted((FIXTURES / "segments").glob("*.pot")):
        texts += [e.msgid for e in polib.pofile(str(pot)) if e.msgid]
    return sorted(set(texts))


def test_inline_codes_round_trip_every_commonmark_inline_form() -> None:
    forms = _inline_forms()
    assert len(forms) > 400
    coded = 0
    for text in forms:
        nodes = encode(text)
        for ns, write in ((NS12, _inline12), (NS20, lambda e, n: _inline20(e, n, {}))):
            element = etree.Element(f"{{{ns}}}target")
            write(element, nodes)
            back = etree.fromstring(etree.tostring(element))
            assert decode(text, placed(back)) == text, text
        coded += any(not isinstance(n, str) for n in nodes)
    assert coded > 300  # most carry markup: the round trip is not only plain text


def test_damaged_codes_are_refused() -> None:
    text = "Call **911** or see [our page](https://x.example/) now."
    assert [n.code.id for n in encode(text) if not isinstance(n, str)] == [1, 3]  # type: ignore[union-attr]
    good = placed(etree.fromstring(f'<t xmlns="{NS12}">Vea <g id="3">la página</g> o <g id="1">911</g>.</t>'))
    assert decode(text, good) == "Vea [la página](https://x.example/) o **911**."
    for target, message in (
        ('Vea la página o <g id="1">911</g>.', r"missing: 3 '\[\.\.\.\]\(https://x.example/\)'"),
        ('<g id="1">911</g> <g id="1">x</g> <g id="3">p</g>', "repeated: 1"),
        ('<g id="1">911</g> <g id="3">p</g> <x id="9"/>', "unknown inline code 9"),
        ('<x id="1"/>911 <g id="3">p</g>', "encloses text"),
        ('<g id="1">911</g> <g id="3">p</g> <bpt id="5">x</bpt>', "not one the export wrote"),
        ('<g id="1">911</g> <g id="3">p</g> ⟦0⟧', "looks like a placeholder"),
    ):
        with pytest.raises(CodeError, match=message):
            decode(text, placed(etree.fromstring(f'<t xmlns="{NS12}">{target}</t>')))


def _states(project: Path) -> dict[str, Any]:
    """Give the Spanish FAQ one entry in each state; returns the msgids used."""
    po_path = project / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    po = load_catalogue(po_path)
    entries = [m for m in po.active if m.msgid]
    untranslated, machine, translated, reviewed, critical = (
        entries[1],
        entries[3],
        entries[4],
        entries[5],
        entries[2],
    )
    untranslated.msgstr = ""
    machine.translator_comments = ["machine draft: libre 2026-11-01"]
    for m in (translated, reviewed, critical):
        m.fuzzy = False
    sign(reviewed, "Ana Ruiz", dt.date(2026, 11, 20))
    sign(critical, "Ana Ruiz", dt.date(2026, 11, 20))
    sign(critical, "Ben Okafor", dt.date(2026, 11, 21))
    save_catalogue(po_path, po)
    return {
        "untranslated": untranslated.msgid,
        "machine": machine.msgid,
        "translated": translated.msgid,
        "reviewed": reviewed.msgid,
        "critical": critical.msgid,
        "draft": entries[0].msgid,
    }


def _by_source(units: list[Any]) -> dict[str, Any]:
    return {str(u.source): u for u in units if not u.isheader()}


def test_xliff_12_states_as_translate_toolkit_reads_them(project: Path) -> None:
    ids = _states(project)
    out = project / "es.xlf"
    assert run(project, "xliff", "export", "--lang", "es", "-o", str(out)) == 0
    store = xliff.xlifffile.parsefile(str(out))
    units = _by_source(store.units)
    files = etree.parse(str(out)).getroot().findall(f"{{{NS12}}}file")
    assert [f.get("original") for f in files] == [
        f"source/{FAQ}.md",
        "source/what-ketamine-therapy-feels-like.md",
        "templates/ui",
    ]
    catalogues = [load_catalogue(p) for p in sorted((project / "locales/es/LC_MESSAGES").glob("*.po"))]
    assert len(units) == sum(len(list(c.active)) for c in catalogues)

    def state(msgid: str) -> tuple[str | None, str | None, bool]:
        unit = units[msgid]
        target = unit.xmlelement.find(f"{{{NS12}}}target")
        return target.get("state"), target.get("state-qualifier"), unit.isapproved()

    assert state(ids["untranslated"]) == ("needs-translation", None, False)
    assert state(ids["machine"]) == ("needs-review-translation", "mt-suggestion", False)
    assert state(ids["draft"]) == ("needs-review-translation", None, False)
    assert state(ids["translated"]) == ("translated", None, False)
    assert state(ids["reviewed"]) == ("signed-off", None, True)
    assert state(ids["critical"]) == ("final", None, True)
    # Translate Toolkit's own reading of the states.
    tt = {
        k: units[ids[k]].get_state_n()
        for k in ("untranslated", "machine", "translated", "reviewed", "critical")
    }
    unit = units[ids["machine"]]
    assert tt["untranslated"] == unit.S_NEEDS_TRANSLATION and units[ids["machine"]].isreview()
    assert tt["translated"] == unit.S_TRANSLATED and tt["reviewed"] == unit.S_SIGNED_OFF
    assert tt["critical"] == unit.S_SIGNED_OFF + 1  # final
    assert "machine draft by libre on 2026-11-01" in units[ids["machine"]].getnotes()
    assert "critical" in units[ids["critical"]].getnotes()
    assert re.fullmatch(rf"source/{FAQ}.md:\d+", units[ids["translated"]].getlocations()[0])
    # The bold word reaches the CAT tool as a tag, not as asterisks.
    bold = next(u for u in units.values() if "therapy helps you" in str(u.source))
    assert "**" not in str(bold.source) and "<g" in etree.tostring(bold.xmlelement, encoding="unicode")


def _set_target(unit: Any, ns: str, text: str | None = None, *, keep_tags: bool = True) -> None:
    """As a CAT tool does: copy the source (tags and all) to the target, then change the words."""
    target = unit.xmlelement.find(f"{{{ns}}}target")
    if target is None:
        target = etree.SubElement(unit.xmlelement, f"{{{ns}}}target")
    source = unit.xmlelement.find(f"{{{ns}}}source")
    target.text = source.text
    for child in list(target):
        target.remove(child)
    if keep_tags:
        for child in source:
            target.append(copy.deepcopy(child))  # with its tail: the text after the tag
    if text is not None:
        target.text = text


def test_a_translation_whose_markup_differs_goes_as_text_and_is_named(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    po_path = project / "locales/es/LC_MESSAGES" / f"{FAQ}.po"
    po = load_catalogue(po_path)
    entry = next(m for m in po.active if "therapy helps you" in m.msgid)
    entry.msgstr = "Sí. La terapia le ayuda a *usar* esa ventana."  # italic where the source is bold
    save_catalogue(po_path, po)
    out = project / "es.xlf"
    assert run(project, "xliff", "export", "--lang", "es", "-o", str(out)) == 0
    found = rf"sent as plain text.*: locales/es/LC_MESSAGES/{FAQ}.po:\d+: 'Yes. While ketamine"
    assert re.search(found, caplog.text)
    units = _by_source(xliff.xlifffile.parsefile(str(out)).units)
    unit = next(u for u in units.values() if "therapy helps" in str(u.source))
    assert "markup differs from the source" in unit.getnotes()


def test_xliff_12_round_trip_through_translate_toolkit(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ids = _states(project)
    out = project / "es.xlf"
    assert run(project, "xliff", "export", "--lang", "es", "-o", str(out)) == 0
    store = xliff.xlifffile.parsefile(str(out))
    units = _by_source(store.units)
    units[ids["untranslated"]].settarget("Cómo actúa la ketamina")  # translated by the agency
    units[ids["untranslated"]].markfuzzy(True)
    units[ids["draft"]].markfuzzy(False)  # approved as it is
    units[ids["draft"]].markapproved(True)
    bold = next(u for u in units.values() if "therapy helps you" in str(u.source))
    _set_target(bold, NS12, "Sí. La terapia le ayuda a ")  # tags copied, words changed, state approved
    bold.xmlelement.find(f"{{{NS12}}}target").find(f"{{{NS12}}}g").text = "aprovechar"
    bold.xmlelement.find(f"{{{NS12}}}target").find(f"{{{NS12}}}g").tail = " esa ventana."
    bold.markfuzzy(False)
    bold.markapproved(True)
    out.write_bytes(bytes(store))
    caplog.clear()
    assert run(project, "xliff", "import", str(out)) == 0
    assert "2 approved (not signed: no --reviewer)" in caplog.text and "1 saved as drafts" in caplog.text
    po = {m.msgid: m for m in load_catalogue(project / "locales/es/LC_MESSAGES" / f"{FAQ}.po").active}
    assert po[ids["untranslated"]].msgstr == "Cómo actúa la ketamina" and po[ids["untranslated"]].fuzzy
    assert not po[ids["draft"]].fuzzy and not valid_signoffs(po[ids["draft"]])
    bold_entry = next(m for m in po.values() if "therapy helps you" in m.msgid)
    assert bold_entry.msgstr == "Sí. La terapia le ayuda a **aprovechar** esa ventana."
    assert not any(c.startswith("Unreviewed draft") for c in bold_entry.translator_comments)
    # The same file with the approver named: now (and only now) signed, and only what was approved there.
    caplog.clear()
    assert run(project, "xliff", "import", str(out), "--reviewer", "Carla Díaz") == 0
    po = {m.msgid: m for m in load_catalogue(project / "locales/es/LC_MESSAGES" / f"{FAQ}.po").active}
    assert [s.name for s in valid_signoffs(po[ids["draft"]])] == ["Carla Díaz"]
    assert [s.name for s in valid_signoffs(po[ids["reviewed"]])] == [
        "Ana Ruiz"
    ]  # approved before: not re-signed
    assert not valid_signoffs(po[ids["untranslated"]])
    # An unchanged export imports as nothing.
    assert run(project, "xliff", "export", "--lang", "es", "-o", str(out)) == 0
    before = (project / "locales/es/LC_MESSAGES" / f"{FAQ}.po").read_bytes()
    caplog.clear()
    assert run(project, "xliff", "import", str(out), "--reviewer", "Carla Díaz") == 0
    assert "0 approved and signed off" in caplog.text and "0 saved as drafts" in caplog.text
    assert (project / "locales/es/LC_MESSAGES" / f"{FAQ}.po").read_bytes() == before


def test_xliff_import_refuses_damaged_tags_and_keeps_conflicts_aside(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ids = _states(project)
    out = project / "es.xlf"
    assert run(project, "xliff", "export", "--lang", "es", "-o", str(out)) == 0
    store = xliff.xlifffile.parsefile(str(out))
    units = _by_source(store.units)
    bold = next(u for u in units.values() if "therapy helps you" in str(u.source))
    _set_target(bold, NS12, "Sí. La terapia le ayuda a usar esa ventana.", keep_tags=False)  # the tag deleted
    bold.markfuzzy(False)
    units[ids["translated"]].settarget("Cambiado por la agencia")
    units[ids["translated"]].markfuzzy(False)
    reviewed_target = units[ids["reviewed"]].xmlelement.find(f"{{{NS12}}}target")
    reviewed_target.text = ""  # the CAT tool lost a translation: said, and the entry kept
    out.write_bytes(bytes(store))
    # Meanwhile someone here edits the translated entry.
    po_path = project / "locales/es/LC_MESSAGES" / f"{FAQ}.po"
    po = load_catalogue(po_path)
    next(m for m in po.active if m.msgid == ids["translated"]).msgstr = "Cambiado aquí"
    save_catalogue(po_path, po)
    caplog.clear()
    assert run(project, "xliff", "import", str(out)) == 1
    line = next(
        u.xmlelement.sourceline
        for u in _by_source(xliff.xlifffile.parsefile(str(out)).units).values()
        if "therapy helps you" in str(u.source)
    )
    assert re.search(
        rf"refused: {re.escape(str(out))}:{line}: {FAQ}: .*inline code\(s\) missing: 1 '\*\*\.\.\.\*\*'",
        caplog.text,
    )
    assert (
        "conflict, not applied" in caplog.text
        and "someone changed this entry here since the export" in caplog.text
    )
    assert (
        f"the translation here is kept as it was: {out}:" in caplog.text
        and "1 emptied in the file" in caplog.text
    )
    entries = {m.msgid: m for m in load_catalogue(po_path).active}
    assert entries[ids["translated"]].msgstr == "Cambiado aquí"
    assert entries[ids["reviewed"]].msgstr and valid_signoffs(entries[ids["reviewed"]])
    assert "**" in next(m.msgstr for m in entries.values() if "therapy helps you" in m.msgid)


def test_xliff_import_blocking_checks_and_changed_source(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = project / "es.xlf"
    assert run(project, "xliff", "export", "--lang", "es", "-o", str(out)) == 0
    store = xliff.xlifffile.parsefile(str(out))
    units = _by_source(store.units)
    dose = next(u for u in units.values() if "low, controlled doses" in str(u.source))
    dose.settarget("La terapia usa 50 dosis de ketamina.")  # a number the source does not have
    dose.markfuzzy(False)
    dose.markapproved(True)
    out.write_bytes(bytes(store))
    faq = project / "source" / f"{FAQ}.md"
    faq.write_text(
        faq.read_text(encoding="utf-8").replace("How quickly does it work?", "How fast does it work?")
    )
    assert run(project, "extract") == 0 and run(project, "update", "--lang", "es") == 0
    caplog.clear()
    assert run(project, "xliff", "import", str(out), "--reviewer", "Ana Ruiz") == 1
    assert "saved, not signed: fails a blocking check" in caplog.text and "[numbers]" in caplog.text
    assert re.search(
        rf"conflict, not applied: .*es.xlf:\d+: {FAQ}: the source text changed since the export", caplog.text
    )
    po = {m.msgid: m for m in load_catalogue(project / "locales/es/LC_MESSAGES" / f"{FAQ}.po").active}
    entry = next(m for m in po.values() if "low, controlled doses" in m.msgid)
    assert not valid_signoffs(entry)


def test_xliff_20_round_trip_through_translate_toolkit(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ids = _states(project)
    out = project / "es.xlf"
    assert run(project, "xliff", "export", "--lang", "es", "--version", "2.0", "-o", str(out)) == 0
    store = xliff2.Xliff2File.parsefile(str(out))
    units = _by_source(store.units)
    assert ids["reviewed"] in units and ids["untranslated"] in units
    segment = lambda u: u.xmlelement  # noqa: E731  (Translate Toolkit's unit is the <segment>)
    assert segment(units[ids["critical"]]).get("state") == "final"
    assert segment(units[ids["reviewed"]]).get("state") == "reviewed"
    assert segment(units[ids["machine"]]).get("subState") == "pipeline:mt"
    segment(units[ids["draft"]]).set("state", "reviewed")  # approved in the CAT tool
    bold = next(u for u in units.values() if "therapy helps you" in str(u.source))
    target = segment(bold).find(f"{{{NS20}}}target")
    target.find(f"{{{NS20}}}pc").text = "aprovechar"
    segment(bold).set("state", "translated")
    out.write_bytes(bytes(store))
    assert run(project, "xliff", "import", str(out), "--reviewer", "Carla Díaz") == 0
    po = {m.msgid: m for m in load_catalogue(project / "locales/es/LC_MESSAGES" / f"{FAQ}.po").active}
    assert [s.name for s in valid_signoffs(po[ids["draft"]])] == ["Carla Díaz"]
    bold_entry = next(m for m in po.values() if "therapy helps you" in m.msgid)
    assert "**aprovechar**" in bold_entry.msgstr and not bold_entry.fuzzy and not valid_signoffs(bold_entry)


def test_tmx_export_read_by_translate_toolkit_and_import_feeds_the_tm_engine(project: Path) -> None:
    ids = _states(project)
    out = project / "es.tmx"
    assert run(project, "tm", "export", "--lang", "es", "-o", str(out)) == 0
    store = tmx.tmxfile.parsefile(str(out))
    pairs = {u.source: u.target for u in store.units}
    assert set(pairs) == {ids["reviewed"], ids["critical"]}  # reviewed only
    unit = next(u for u in store.units if u.source == ids["critical"])
    assert unit.xmlelement.get("creationdate") == "20261121T000000Z"
    assert '<prop type="x-document">ketamine-therapy-faq</prop>' in etree.tostring(
        unit.xmlelement, encoding="unicode"
    )
    assert run(project, "tm", "export", "--lang", "es", "--include-translated", "-o", str(out)) == 0
    assert ids["translated"] in {u.source for u in tmx.tmxfile.parsefile(str(out)).units}
    # An agency memory, written by Translate Toolkit, feeds the tm engine.
    agency = tmx.tmxfile(sourcelanguage="en-US")
    agency.addtranslation(
        "Ketamine clinic opening hours", "en-US", "Horario de la clínica de ketamina", "es-MX"
    )
    agency.addtranslation("Ketamine clinic opening hours", "en-US", "ساعات عمل العيادة", "ar")
    (project / "agency.tmx").write_bytes(bytes(agency))
    assert run(project, "tm", "import", str(project / "agency.tmx")) == 0
    assert (project / "memory" / "agency.tmx").exists()
    config = load_config(project)
    engine = make_engine("tm", "en", "es", {}, config.locales_dir, 75.0, config.memory_dir)
    result = engine.translate("Ketamine clinic opening hours")
    assert result.text == "Horario de la clínica de ketamina" and "memory/agency.tmx" in result.note


def test_tbx_round_trip_through_translate_toolkit(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = project / "glossary.tbx"
    assert run(project, "glossary", "export", "-o", str(out)) == 0
    store = tbx.tbxfile.parsefile(str(out))
    sources = {u.source: u for u in store.units}
    assert "ketamine" in sources and "One Mind Wellness & Ketamine" in sources
    text = etree.tostring(sources["ketamine"].xmlelement, encoding="unicode")
    assert "ketamina" in text and "كيتامين" in text
    # A termbase from an agency: a new term, one that agrees, one that disagrees, a new name.
    agency = (
        '<?xml version="1.0"?>\n<martif type="TBX-Basic" xml:lang="en"><text><body>\n'
        '<termEntry id="a"><langSet xml:lang="en"><tig><term>dose</term></tig></langSet>'
        '<langSet xml:lang="es-US"><tig><term>dosis</term></tig><tig><term>toma</term></tig>'
        "</langSet></termEntry>\n"
        '<termEntry id="b"><langSet xml:lang="en"><tig><term>ketamine</term></tig></langSet>'
        '<langSet xml:lang="es"><tig><term>ketamina</term></tig></langSet>'
        '<langSet xml:lang="ar"><tig><term>الكيتامين</term></tig></langSet></termEntry>\n'
        '<termEntry id="c"><note>Do not translate</note>'
        '<langSet xml:lang="en"><tig><term>Spravato</term></tig></langSet></termEntry>\n'
        "</body></text></martif>\n"
    )
    (project / "agency.tbx").write_text(agency, encoding="utf-8")
    before = (project / "glossary.toml").read_text(encoding="utf-8")
    caplog.clear()
    assert run(project, "glossary", "import", str(project / "agency.tbx")) == 1
    after = (project / "glossary.toml").read_text(encoding="utf-8")
    assert "2 added, 1 already there, 1 conflict(s)" in caplog.text
    assert re.search(
        r"agency.tbx:4: 'ketamine' in ar: the glossary has 'كيتامين', the file 'الكيتامين'", caplog.text
    )
    assert 'dose = "dosis"' in after and "Spravato" in after and 'ketamine = "كيتامين"' in after
    assert (
        "skipped " in caplog.text
        and "'toma' in es-US: a second term for 'dose' (the glossary keeps one)" in caplog.text
    )
    assert all(line in after for line in before.splitlines() if line.startswith("#"))  # comments kept
    # Our own export, re-imported, changes nothing.
    caplog.clear()
    assert run(project, "glossary", "import", str(out)) == 0 and "0 added" in caplog.text
    # A termbase Translate Toolkit writes (with its DOCTYPE line): a new term and a disagreement.
    written = tbx.tbxfile(sourcelanguage="en", targetlanguage="es")
    written.addsourceunit("infusion").settarget("infusión", lang="es")
    written.addsourceunit("dose").settarget("toma", lang="es")
    (project / "tt.tbx").write_bytes(bytes(written))
    caplog.clear()
    assert run(project, "glossary", "import", str(project / "tt.tbx")) == 1
    assert "1 added, 0 already there, 1 conflict(s)" in caplog.text
    assert "'dose' in es: the glossary has 'dosis', the file 'toma'" in caplog.text
    assert 'infusion = "infusión"' in (project / "glossary.toml").read_text(encoding="utf-8")


def test_hostile_xml_is_refused_with_file_and_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = project / "bomb.xlf"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        f'<xliff xmlns="{NS12}" version="1.2"><file original="x" source-language="en" target-language="es" '
        'datatype="x"><body><trans-unit id="1"><source>&b;</source></trans-unit></body></file></xliff>\n',
        encoding="utf-8",
    )
    assert run(project, "xliff", "import", str(bomb)) == 2
    assert "declares XML entities" in capsys.readouterr().err
    secret = project / "secret.tmx"
    secret.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY s SYSTEM "file:///etc/passwd">]>\n'
        '<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>&s;</seg></tuv></tu></body></tmx>\n',
        encoding="utf-8",
    )
    assert run(project, "tm", "import", str(secret)) == 2
    assert "declares XML entities" in capsys.readouterr().err
    broken = project / "broken.tbx"
    broken.write_text('<?xml version="1.0"?>\n<martif>\n<text><body>\n</martif>\n', encoding="utf-8")
    assert run(project, "glossary", "import", str(broken)) == 2
    assert re.search(r"broken.tbx:4: not well-formed XML", capsys.readouterr().err)
