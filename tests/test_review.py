"""Review states, sign-off, batches and the way from draft to published handout."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.catalogue import Catalogue, Message, load_catalogue, merge, parse_po, save_catalogue
from pipeline.cli import main
from pipeline.model import EntryState
from pipeline.review import digest, is_critical, sign, state, valid_signoffs

from .conftest import msgcat

FAQ = "ketamine-therapy-faq"
DAY = dt.date(2026, 11, 21)


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


def export(project: Path, reviewer: str, out: Path, *extra: str) -> int:
    """pipeline review export --lang es for ``reviewer`` into ``out``."""
    return run(project, "review", "export", "--lang", "es", "--reviewer", reviewer, "-o", str(out), *extra)


def test_review_flow_state_machine() -> None:
    m = Message("Rest at home today.")
    assert state(m, critical=False) is EntryState.UNTRANSLATED
    m.msgstr, m.fuzzy = "Descanse en casa hoy.", True  # a machine draft
    assert state(m, False) is EntryState.DRAFT
    assert not sign(m, "Ana Ruiz", DAY)  # a draft cannot be signed
    m.fuzzy = False  # a translator accepted it
    assert state(m, False) is EntryState.TRANSLATED
    assert not EntryState.TRANSLATED.publishable() and EntryState.TRANSLATED.publishable(require_review=False)
    assert sign(m, "Ana Ruiz", DAY)
    assert state(m, False) is EntryState.REVIEWED and EntryState.REVIEWED.publishable()
    assert not sign(m, "ana ruiz", DAY)  # the same person twice is one sign-off
    m.msgstr = "Descanse en su casa hoy."  # text changed after sign-off
    assert state(m, False) is EntryState.TRANSLATED and valid_signoffs(m) == []


def test_critical_entries_need_two_different_reviewers() -> None:
    m = Message("Take 5 mg with water.", "Tome 5 mg con agua.")
    assert is_critical(m)
    sign(m, "Ana Ruiz", DAY)
    assert state(m, critical=True) is EntryState.TRANSLATED
    sign(m, "Ana Ruiz", DAY)
    assert state(m, critical=True) is EntryState.TRANSLATED
    sign(m, "Ben Okafor", DAY)
    assert state(m, critical=True) is EntryState.REVIEWED


@pytest.mark.parametrize(
    ("text", "critical"),
    [
        ("Take 5 mg with water.", True),
        ("Do not drive after treatment.", True),
        ("Call us if you feel unwell.", True),
        ("Effects fade within an hour.", True),
        ("Integration sessions help you grow.", False),
        ("Everyone responds differently.", False),
    ],
)
def test_critical_detection(text: str, critical: bool) -> None:
    assert is_critical(Message(text)) is critical


def test_source_marked_critical() -> None:
    assert is_critical(Message("Everyone responds differently.", extracted_comments=["critical: needs two"]))


def test_signoff_survives_gettext_tools_and_a_source_change_voids_it(tmp_path: Path) -> None:
    m = Message("Is it safe?", "¿Es seguro?", references=["source/a.md:3"])
    sign(m, "Ana Ruiz", DAY)
    po = Catalogue(header=[("Content-Type", "text/plain; charset=UTF-8")], messages=[m])
    path = tmp_path / "es.po"
    save_catalogue(path, po)
    assert f"# reviewed-by: Ana Ruiz 2026-11-21 {digest('Is it safe?', '¿Es seguro?')}" in path.read_text()
    again = parse_po(msgcat(path))  # what Poedit/msgmerge keep: translator comments
    assert state(again.messages[0], False) is EntryState.REVIEWED
    merged, _ = merge(again, Catalogue(messages=[Message("Is it really safe?")]))
    (changed,) = merged.messages
    assert changed.fuzzy and changed.msgstr == "¿Es seguro?" and state(changed, False) is EntryState.DRAFT
    changed.fuzzy = False
    assert state(changed, False) is EntryState.TRANSLATED  # the old sign-off approved another source


def _po(project: Path, lang: str, domain: str = FAQ) -> Path:
    return project / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"


def test_export_holds_only_what_needs_this_reviewer(project: Path) -> None:
    path = _po(project, "es")
    po = load_catalogue(path)
    for m in po.messages[:5]:
        m.fuzzy = False
        sign(m, "Ana Ruiz", DAY)
        sign(m, "Ben Okafor", DAY)
    save_catalogue(path, po)
    batch = project / "batch-es.po"
    assert export(project, "Ana Ruiz", batch, "--doc", FAQ) == 0
    exported = load_catalogue(batch)
    assert len(exported.messages) == 16 and all(m.msgctxt == FAQ for m in exported.messages)
    assert all(any(c.startswith("batch-base: ") for c in m.translator_comments) for m in exported.messages)
    assert all(any(c.startswith("review: draft") for c in m.extracted_comments) for m in exported.messages)
    assert exported.header_value("X-Reviewer") == "Ana Ruiz" and exported.language == "es"
    assert msgcat(batch) == batch.read_text(encoding="utf-8")  # plain gettext PO: opens and saves cleanly


def test_end_to_end_draft_export_review_import_publish(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    batch = project / "batch-es.po"
    for reviewer in ("Ana Ruiz", "Ben Okafor"):
        assert export(project, reviewer, batch) == 0
        po = load_catalogue(batch)
        assert po.messages
        for m in po.messages:  # what a reviewer does in Poedit: fix, approve, save
            if m.msgid == "Is it safe?":
                m.msgstr = "¿Es un tratamiento seguro?"
            m.fuzzy = False
        save_catalogue(batch, po)
        assert run(project, "review", "import", str(batch)) == 0
    faq = load_catalogue(_po(project, "es"))
    assert all(state(m, is_critical(m)) is EntryState.REVIEWED for m in faq.messages)
    assert next(m for m in faq.messages if m.msgid == "Is it safe?").msgstr == "¿Es un tratamiento seguro?"
    caplog.clear()
    assert run(project, "build", "--lang", "es", "--format", "html") == 0
    html = (project / "build" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert "¿Es un tratamiento seguro?" in html
    assert "Revisado por <bdi>Ana Ruiz, Ben Okafor</bdi> el" in html
    assert f"{FAQ} [es]: published" in caplog.text


def test_import_conflicts_lose_nothing(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    batch = project / "batch-es.po"
    assert export(project, "Ana Ruiz", batch, "--doc", FAQ) == 0
    po = load_catalogue(batch)
    for m in po.messages:
        m.msgstr = "REVIEWER: " + m.msgstr
        m.fuzzy = False
    save_catalogue(batch, po)
    # Meanwhile: a translator edits one entry, and the source of another changes.
    live = load_catalogue(_po(project, "es"))
    edited = next(m for m in live.messages if m.msgid == "Will I be awake?")
    edited.msgstr = "TRANSLATOR: ¿Estaré despierto?"
    save_catalogue(_po(project, "es"), live)
    src = project / "source" / f"{FAQ}.md"
    src.write_text(
        src.read_text(encoding="utf-8").replace("## Is it safe?", "## Is it safe for me?"), encoding="utf-8"
    )
    assert run(project, "extract") == 0 and run(project, "update", "--lang", "es") == 0

    assert run(project, "review", "import", str(batch)) == 1
    assert "someone else changed this entry" in caplog.text and "source text changed" in caplog.text
    after = load_catalogue(_po(project, "es"))
    assert (
        next(m for m in after.messages if m.msgid == "Will I be awake?").msgstr
        == "TRANSLATOR: ¿Estaré despierto?"
    )
    conflicts = load_catalogue(project / "batch-es.conflicts.po")
    kept = {m.msgid: m.msgstr for m in conflicts.messages}
    assert kept["Will I be awake?"].startswith("REVIEWER: ") and kept["Is it safe?"].startswith("REVIEWER: ")
    applied = next(m for m in after.messages if m.msgid == "Can I drive afterward?")
    assert applied.msgstr.startswith("REVIEWER: ") and valid_signoffs(applied)


def test_sign_command_skips_drafts_and_failing_checks(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _po(project, "es")
    po = load_catalogue(path)
    for m in po.messages:
        m.fuzzy = False
    bad = next(m for m in po.messages if "1–2 hours" in m.msgid)
    bad.msgstr = bad.msgstr.replace("1–2", "1–3")
    next(m for m in po.messages if m.msgid == "Is it safe?").fuzzy = True
    save_catalogue(path, po)
    assert run(project, "review", "sign", "--lang", "es", "--reviewer", "Ana Ruiz", "--doc", FAQ) == 0
    assert "19 signed off by Ana Ruiz" in caplog.text and "1 not ready" in caplog.text
    assert "numbers differ" in caplog.text
    signed = load_catalogue(path)
    assert not valid_signoffs(next(m for m in signed.messages if "1–3" in m.msgstr))


def test_status_json_and_check_exit_codes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, "status", "--lang", "es", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    faq = next(r for r in rows if r["document"] == FAQ)
    assert faq == {
        "document": FAQ,
        "language": "es",
        "total": 21,
        "untranslated": 0,
        "draft": 21,
        "translated": 0,
        "reviewed": 0,
        "failing_checks": 0,
        "awaiting_second_review": 0,
        "untranslated_html_blocks": 0,
        "pdf_pages": 0,
        "over_page_budget": "",
        "percent_reviewed": 0.0,
    }
    assert run(project, "check", "--lang", "es") == 0
    path = _po(project, "es")
    po = load_catalogue(path)
    entry = next(m for m in po.messages if "1–2 hours" in m.msgid)
    entry.msgstr = entry.msgstr.replace("1–2", "10–20") + "  "
    save_catalogue(path, po)
    capsys.readouterr()
    assert run(project, "check", "--lang", "es") == 1
    out = capsys.readouterr().out
    assert f"locales/es/LC_MESSAGES/{FAQ}.po:{entry.lineno}: error [numbers]" in out
    assert "missing 1, 2; not in the source 10, 20" in out
    assert run(project, "status", "--lang", "es") == 0
    assert "failing checks" in capsys.readouterr().out


def test_status_table_shows_whole_document_ids_when_piped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_id = "ketamine-therapy-frequently-asked-questions-for-patients-new-to-the-clinic"
    faq = (project / "source" / f"{FAQ}.md").read_text(encoding="utf-8")
    (project / "source" / "long.md").write_text(faq.replace(f"id: {FAQ}", f"id: {long_id}"), encoding="utf-8")
    assert run(project, "extract") == 0 and run(project, "update", "--lang", "es") == 0
    capsys.readouterr()
    assert run(project, "status", "--lang", "es") == 0  # captured: not a terminal, as when piped
    out = capsys.readouterr().out
    assert f"│ {long_id} │" in out
    assert "│ what-ketamine-therapy-feels-like " in out
    assert "…" not in out


def test_review_sheet_with_back_translation(project: Path) -> None:
    from pypdf import PdfReader

    from .fake_libre import FakeLibre

    path = _po(project, "es")
    po = load_catalogue(path)
    safe = next(m for m in po.messages if m.msgid == "Is it safe?")
    safe.fuzzy = False
    sign(safe, "Ana Ruiz", DAY)
    hours = next(m for m in po.messages if "1–2 hours" in m.msgid)
    hours.msgstr = hours.msgstr.replace("1–2", "1–3")
    save_catalogue(path, po)
    with FakeLibre() as fake:
        assert (
            run(
                project,
                "review",
                "sheet",
                "--lang",
                "es",
                "--doc",
                FAQ,
                "--engine",
                "libre",
                "--url",
                fake.url,
            )
            == 0
        )
        assert fake.by_text["¿Es seguro?"] == 1  # the translation went back to the engine
    html = (project / "build" / "review" / "es" / f"{FAQ}-sheet.html").read_text(encoding="utf-8")
    assert "Back-translation (libre)" in html and "[en] ¿Es seguro?" in html
    assert "Ana Ruiz 2026-11-21" in html and "reviewed" in html
    assert "[numbers] numbers differ" in html and "draft · critical" in html
    pdf = project / "build" / "review" / "es" / f"{FAQ}-sheet.pdf"
    text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    assert "Clinician (name)" in text and "Is ketamine therapy right for me?" in text


def test_review_sheet_without_engine_says_so(project: Path) -> None:
    assert run(project, "review", "sheet", "--lang", "ar", "--doc", FAQ) == 0
    html = (project / "build" / "review" / "ar" / f"{FAQ}-sheet.html").read_text(encoding="utf-8")
    assert "Back-translation not requested" in html and 'dir="rtl"' in html


def test_author_marks_a_block_critical(tmp_path: Path) -> None:
    from pipeline.catalogue import build_template
    from pipeline.segment import extract
    from pipeline.sources import parse_document

    doc = parse_document(
        "Everyone responds differently.\n\n<!-- critical -->\nStop if you feel faint.\n\nRest well.\n",
        tmp_path / "x.md",
        tmp_path,
    )
    pot = build_template(extract(doc), "t", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    flagged = {m.msgid: is_critical(m, ()) for m in pot.messages}
    assert flagged == {
        "Everyone responds differently.": False,
        "Stop if you feel faint.": True,
        "Rest well.": False,
    }
