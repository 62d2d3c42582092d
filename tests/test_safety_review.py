"""A sign-off means someone looked: review batches worked as Poedit would, waivers, template words."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.catalogue import Catalogue, load_catalogue, save_catalogue
from pipeline.cli import main
from pipeline.model import EntryState
from pipeline.render.html import css_string
from pipeline.review import is_critical, sign, state, valid_signoffs

FAQ = "ketamine-therapy-faq"
DAY = dt.date(2026, 11, 21)
WATERMARK = "DRAFT - not reviewed"


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


def po_path(project: Path, lang: str, domain: str = FAQ) -> Path:
    return project / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"


def states(path: Path) -> dict[EntryState, int]:
    found: dict[EntryState, int] = {}
    for m in load_catalogue(path).active:
        s = state(m, is_critical(m))
        found[s] = found.get(s, 0) + 1
    return found


def export(project: Path, reviewer: str, batch: Path) -> Catalogue:
    args = ("review", "export", "--lang", "es", "--reviewer", reviewer, "-o", str(batch))
    assert run(project, *args) == 0
    return load_catalogue(batch)


def poedit(batch: Path, approve: bool = True, edits: dict[str, str] | None = None) -> None:
    """What a reviewer does in Poedit: edit some texts (which clears Needs work), approve the rest."""
    po = load_catalogue(batch)
    for m in po.messages:
        if edits and m.msgid in edits:
            m.msgstr, m.fuzzy = edits[m.msgid], False
        elif approve:
            m.fuzzy = False
    save_catalogue(batch, po)


def test_two_reviewers_work_through_batches_as_in_poedit(
    project: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = project / "batch-es.po"
    live = po_path(project, "es")
    first = export(project, "Ana Ruiz", batch)
    assert first.messages and all(m.fuzzy for m in first.messages)  # approval is an act
    assert all(any(c.startswith("state: draft") for c in m.extracted_comments) for m in first.messages)
    before = live.read_bytes()

    # An untouched batch signs nothing, and says so.
    assert run(project, "review", "import", str(batch)) == 0
    assert "nothing signed" in caplog.text and "0 approved, 0 edited" in caplog.text
    assert live.read_bytes() == before and states(live) == {EntryState.DRAFT: 21}

    # Ana approves everything: critical entries now wait for a second reviewer.
    poedit(batch)
    caplog.clear()
    assert run(project, "review", "import", str(batch)) == 0
    assert f"approved: {FAQ}: 'Is it safe?'" in caplog.text
    after_ana = states(live)
    awaiting = after_ana[EntryState.TRANSLATED]
    assert awaiting > 0 and after_ana[EntryState.REVIEWED] == 21 - awaiting
    assert load_catalogue(live).header_value("Last-Translator") == "Ana Ruiz"
    capsys.readouterr()
    assert run(project, "status", "--lang", "es", "--format", "json") == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["document"] == FAQ)
    assert row["awaiting_second_review"] == awaiting
    assert run(project, "status", "--lang", "es") == 0
    assert "awaiting 2nd review" in capsys.readouterr().out
    assert run(project, "build", "--lang", "es", "--format", "html") == 0
    assert not (project / "build" / "html" / "es" / f"{FAQ}.html").exists()  # critical text unpublished

    # Ben's batch holds only what still needs him; untouched, it publishes nothing either.
    second = export(project, "Ben Okafor", batch)
    assert len([m for m in second.messages if m.msgctxt == FAQ]) == awaiting
    assert run(project, "review", "import", str(batch)) == 0
    assert states(live)[EntryState.TRANSLATED] == awaiting
    poedit(batch)
    assert run(project, "review", "import", str(batch)) == 0
    assert states(live) == {EntryState.REVIEWED: 21}
    caplog.clear()
    assert run(project, "build", "--lang", "es", "--format", "html") == 0
    html = (project / "build" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert "Revisado por <bdi>Ana Ruiz, Ben Okafor</bdi> el" in html  # the template words were reviewed too
    assert "template word(s) shown in the source language" not in caplog.text


def test_an_edit_is_an_approval_and_the_machine_note_goes(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = po_path(project, "es")
    po = load_catalogue(live)
    entry = next(m for m in po.messages if m.msgid == "Is it safe?")
    entry.translator_comments.append("machine draft: libre 2026-11-20")
    save_catalogue(live, po)
    batch = project / "batch-es.po"
    export(project, "Ana Ruiz", batch)
    poedit(batch, approve=False, edits={"Is it safe?": "¿Es un tratamiento seguro?"})
    kept_fuzzy = load_catalogue(batch)
    other = next(m for m in kept_fuzzy.messages if m.msgid == "Will I be awake?")
    other.msgstr = "¿Voy a estar despierto?"  # edited, but left as Needs work
    save_catalogue(batch, kept_fuzzy)
    assert run(project, "review", "import", str(batch)) == 0
    assert "1 edited but still marked fuzzy" in caplog.text
    after = {m.msgid: m for m in load_catalogue(live).messages}
    safe = after["Is it safe?"]
    assert safe.msgstr == "¿Es un tratamiento seguro?" and not safe.fuzzy and valid_signoffs(safe)
    assert not any(c.startswith(("machine draft:", "Unreviewed draft")) for c in safe.translator_comments)
    awake = after["Will I be awake?"]
    assert awake.msgstr == "¿Voy a estar despierto?" and awake.fuzzy and not valid_signoffs(awake)
    # Untouched entries keep their notes: nobody looked at them.
    untouched = after["Can I drive afterward?"]
    assert untouched.fuzzy and any(c.startswith("Unreviewed draft") for c in untouched.translator_comments)


@pytest.mark.parametrize("domain", ["../../../../outside/victim", "../../ar/LC_MESSAGES/" + FAQ, "nope"])
def test_a_batch_cannot_write_outside_its_documents(
    project: Path, domain: str, caplog: pytest.LogCaptureFixture
) -> None:
    batch = project / "batch-es.po"
    po = export(project, "Ana Ruiz", batch)
    po.messages[0].msgctxt = domain
    for m in po.messages:
        m.fuzzy = False
    save_catalogue(batch, po)
    arabic = po_path(project, "ar").read_bytes()
    assert run(project, "review", "import", str(batch)) == 1
    assert f"{domain!r} is not a document with a es catalogue" in caplog.text
    assert f"{batch}:" in caplog.text  # file:line of the entry
    assert po_path(project, "ar").read_bytes() == arabic
    assert not (project.parent / "outside").exists()


def test_sign_names_every_entry_it_signs(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    live = po_path(project, "es")
    po = load_catalogue(live)
    for m in po.messages[:2]:
        m.fuzzy = False
    save_catalogue(live, po)
    assert run(project, "review", "sign", "--lang", "es", "--reviewer", "Ana Ruiz", "--doc", FAQ) == 0
    signed = [line for line in caplog.text.splitlines() if " signed: " in f" {line}"]
    assert len(signed) == 2 and all(f"locales/es/LC_MESSAGES/{FAQ}.po:" in line for line in signed)


def _make_negation_error(project: Path) -> tuple[Path, str]:
    live = po_path(project, "es")
    po = load_catalogue(live)
    entry = next(m for m in po.messages if m.msgid.startswith("No. You will need someone"))
    entry.msgstr = entry.msgstr.replace("No.", "Sí.", 1)
    entry.fuzzy = False
    save_catalogue(live, po)
    return live, entry.msgid


def test_a_waiver_is_recorded_shown_and_voided_by_a_change(
    project: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    live, msgid = _make_negation_error(project)
    assert run(project, "check", "--lang", "es") == 1
    assert "error [negation]" in capsys.readouterr().out
    waive = ["review", "waive", "--lang", "es", "--doc", FAQ, "--reviewer", "Ana Ruiz"]
    # Structure and safety checks cannot be waived; a waiver needs a reason and a matching entry.
    assert run(project, *waive, "--check", "links", "--reason", "fine", "No. You") == 2
    assert run(project, *waive, "--check", "negation", "--reason", "  ", "No. You") == 2
    assert run(project, *waive, "--check", "negation", "--reason", "fine", "Nothing starts so") == 2
    assert "cannot be waived" in capsys.readouterr().err
    reason = "the answer is reworded; clinician confirmed"
    assert run(project, *waive, "--check", "negation", "--reason", reason, "No. You") == 0
    comments = next(m for m in load_catalogue(live).messages if m.msgid == msgid).translator_comments
    assert any(c.startswith("waived: negation by Ana Ruiz ") and c.endswith(reason) for c in comments)
    capsys.readouterr()
    assert run(project, "check", "--lang", "es") == 0
    out = capsys.readouterr().out
    assert "waived [negation]" in out
    assert f"waived by Ana Ruiz on {dt.date.today().isoformat()}: {reason}" in out
    assert run(project, "review", "sheet", "--lang", "es", "--doc", FAQ) == 0
    sheet = (project / "build" / "review" / "es" / f"{FAQ}-sheet.html").read_text(encoding="utf-8")
    assert "waived by Ana Ruiz" in sheet
    # A new translation voids the waiver.
    po = load_catalogue(live)
    entry = next(m for m in po.messages if m.msgid == msgid)
    entry.msgstr = entry.msgstr.replace("Sí.", "Claro.", 1)
    save_catalogue(live, po)
    capsys.readouterr()
    assert run(project, "check", "--lang", "es") == 1
    assert "error [negation]" in capsys.readouterr().out


def _review_ui(project: Path, change: dict[str, str]) -> None:
    path = po_path(project, "es", "ui")
    po = load_catalogue(path)
    for m in po.messages:
        m.msgstr = change.get(m.msgid, m.msgstr)
        m.fuzzy = False
        sign(m, "Ana Ruiz", DAY)
        sign(m, "Ben Okafor", DAY)
    save_catalogue(path, po)


@pytest.mark.parametrize("hostile", ["", "   ", "\u200b\u200b", ".", "\u200bD"])
def test_a_watermark_translation_that_cannot_be_read_is_refused(project: Path, hostile: str) -> None:
    _review_ui(project, {WATERMARK: hostile})
    assert run(project, "build", "--preview", "--lang", "es", "--format", "html") == 0
    html = (project / "build" / "preview" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    mark = f'<div class="watermark" aria-hidden="true" data-text="{WATERMARK}" lang="en" dir="ltr"></div>'
    assert mark in html
    assert f"@top-center {{ content: {css_string(WATERMARK)};" in html  # the page-margin mark too


def test_a_broken_placeholder_in_the_template_words_never_crashes_a_build(
    project: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    _review_ui(project, {"Version %(version)s": "Versión %(versio)s"})
    assert run(project, "build", "--preview", "--lang", "es", "--format", "html") == 0
    html = (project / "build" / "preview" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert '<span lang="en" dir="ltr">Version 1</span>' in html
    assert "'Version %(version)s' ([placeholders] placeholders differ" in caplog.text
    assert run(project, "check", "--lang", "es") == 1
    assert "error [placeholders] 'Version %(version)s'" in capsys.readouterr().out


def test_unreviewed_template_words_fall_back_visibly_in_a_published_handout(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = po_path(project, "es")
    po = load_catalogue(path)
    for m in po.messages:
        m.fuzzy = False
        sign(m, "Ana Ruiz", DAY)
        sign(m, "Ben Okafor", DAY)
    save_catalogue(path, po)
    assert run(project, "build", "--lang", "es", "--format", "html") == 0  # ui.po: unreviewed drafts
    html = (project / "build" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert '<span lang="en" dir="ltr">Version 1</span>' in html
    assert '<span lang="en" dir="ltr">Reviewed by <bdi>Ana Ruiz, Ben Okafor</bdi> on' in html
    assert "Versión" not in html and "Revisado" not in html
    assert "es: 15 template word(s) shown in the source language where used" in caplog.text


def test_all_catalogues_of_a_language_carry_one_plural_forms(project: Path) -> None:
    faq = (project / "source" / f"{FAQ}.md").read_text(encoding="utf-8")
    (project / "source" / "new.md").write_text(faq.replace(f"id: {FAQ}", "id: new-handout"), encoding="utf-8")
    assert run(project, "extract") == 0 and run(project, "update", "--lang", "es") == 0
    values = {
        p.name: load_catalogue(p).header_value("Plural-Forms")
        for p in (project / "locales" / "es" / "LC_MESSAGES").glob("*.po")
    }
    assert len(values) == 4 and set(values.values()) == {"nplurals=2; plural=(n != 1);"}, values


def test_a_machine_draft_changed_in_a_po_editor_loses_its_machine_note(project: Path) -> None:
    live = po_path(project, "es")
    po = load_catalogue(live)
    for m in po.messages:
        if m.msgid in ("Is it safe?", "Will I be awake?"):
            m.msgstr, m.fuzzy, m.translator_comments = "", False, []
    save_catalogue(live, po)
    assert run(project, "draft", "--lang", "es", "--engine", "pseudo") == 0
    po = load_catalogue(live)
    drafted = {m.msgid: m for m in po.messages if m.msgid in ("Is it safe?", "Will I be awake?")}
    assert all(any(c.startswith("machine text: ") for c in m.translator_comments) for m in drafted.values())
    drafted["Is it safe?"].msgstr = "¿Es seguro?"  # rewritten by a person in Poedit
    for m in drafted.values():
        m.fuzzy = False  # Poedit: Needs work cleared
    save_catalogue(live, po)
    assert run(project, "review", "sign", "--lang", "es", "--reviewer", "Ana Ruiz", "--doc", FAQ) == 0
    after = {m.msgid: m for m in load_catalogue(live).messages}
    assert not any(c.startswith("machine ") for c in after["Is it safe?"].translator_comments)
    assert any(c.startswith("machine draft: pseudo") for c in after["Will I be awake?"].translator_comments)


def test_a_translation_deleted_in_a_batch_is_a_rejection_never_a_sign_off(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    batch = project / "batch-es.po"
    export(project, "Ana Ruiz", batch)
    po = load_catalogue(batch)
    for m in po.messages:
        m.fuzzy = False
        if m.msgid == "Is it safe?":
            m.msgstr = ""  # the reviewer deleted a translation they reject
    save_catalogue(batch, po)
    assert run(project, "review", "import", str(batch)) == 0
    assert "translation deleted in the batch: kept, marked fuzzy, not signed" in caplog.text
    safe = next(m for m in load_catalogue(po_path(project, "es")).messages if m.msgid == "Is it safe?")
    assert safe.msgstr == "¿Es seguro?" and safe.fuzzy and not valid_signoffs(safe)
