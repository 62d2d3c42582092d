"""The pipeline command end to end on a copy of the real project, and its user errors."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.catalogue import load_catalogue, save_catalogue
from pipeline.cli import main

FAQ = "ketamine-therapy-faq"


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


def _set_config(project: Path, key: str, value: str) -> None:
    """Set one key of the project's [tool.pipeline] table."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    line = re.compile(rf"^{key} = .*$", re.MULTILINE)
    if line.search(text):
        text = line.sub(f"{key} = {value}", text)
    else:
        text = text.replace("[tool.pipeline]\n", f"[tool.pipeline]\n{key} = {value}\n", 1)
    pyproject.write_text(text, encoding="utf-8")


def test_extract_update_build(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert run(project, "extract") == 0
    assert run(project, "update", "--lang", "es,ar") == 0
    po_path = project / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    po = load_catalogue(po_path)
    for m in po.messages:
        m.msgstr, m.fuzzy = "", False
    entry = next(m for m in po.messages if m.msgid == "Is it safe?")
    entry.msgstr = "¿Es seguro?"
    draft = next(m for m in po.messages if m.msgid == "Will I be awake?")
    draft.msgstr = "¿Estaré despierto?"
    draft.fuzzy = True
    save_catalogue(po_path, po)
    _set_config(project, "min_translated", "0")  # publish partial translations, English for the rest
    _set_config(project, "require_review", "false")  # non-fuzzy text is published without sign-off

    assert run(project, "build", "--lang", "es,ar", "--format", "md,html") == 0
    md = (project / "build" / "md" / "es" / f"{FAQ}.md").read_text(encoding="utf-8")
    assert "## ¿Es seguro?" in md
    assert "## Will I be awake?" in md  # fuzzy is not used: source text instead
    html = (project / "build" / "html" / "ar" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html and "<main>" in html and '<meta charset="utf-8">' in html
    assert (project / "build" / "html" / "en" / f"{FAQ}.html").exists()
    assert f"{FAQ} [es]: published, 1/21 translated" in caplog.text
    caplog.clear()

    assert run(project, "build", "--lang", "es", "--format", "md", "--preview") == 0
    md = (project / "build" / "preview" / "md" / "es" / f"{FAQ}.md").read_text(encoding="utf-8")
    assert "## ¿Estaré despierto?" in md
    assert f"{FAQ} [es]: preview, 1/21 translated" in caplog.text


def test_extract_is_reproducible_and_leaves_unchanged_templates_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    pot = project / "locales" / "templates" / f"{FAQ}.pot"
    pot.unlink()
    assert run(project, "extract") == 0
    first = pot.read_bytes()
    assert b"POT-Creation-Date: 2026-09-21" in first
    os.utime(pot, (1, 1))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert run(project, "extract") == 0
    assert pot.read_bytes() == first and pot.stat().st_mtime == 1  # messages unchanged: not rewritten


def test_source_change_merges_and_keeps_translations(project: Path) -> None:
    po_path = project / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    po = load_catalogue(po_path)
    for m in po.messages:
        m.msgstr = "ES: " + m.msgid
    save_catalogue(po_path, po)
    src = project / "source" / f"{FAQ}.md"
    text = src.read_text(encoding="utf-8")
    text = text.replace("These usually pass within 1–2 hours.", "These usually pass within 2–3 hours.")
    text = text.replace("## Can I drive afterward?\n", "## Can I cycle home afterwards on my own?\n")
    text = text.replace("## Will I be awake?\n\n", "")
    src.write_text(text, encoding="utf-8")
    assert run(project, "extract") == 0
    assert run(project, "update", "--lang", "es") == 0
    merged = load_catalogue(po_path)
    changed = next(m for m in merged.messages if "2–3 hours" in m.msgid)
    assert changed.fuzzy and changed.previous_msgid is not None and "1–2 hours" in changed.previous_msgid
    assert changed.msgstr.startswith("ES: ") and "1–2 hours" in changed.msgstr
    gone = [m for m in merged.messages if m.obsolete]
    assert "Will I be awake?" in [m.msgid for m in gone]
    assert all(m.msgstr for m in gone)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["update", "--lang", "xx"], "unknown language code 'xx'"),
        (["build", "--lang", "es", "--format", "pdfx"], "unknown format"),
        (["update", "--lang", "en"], "en is the source language"),
    ],
)
def test_user_errors_exit_non_zero_without_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    assert run(project, *args) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_unknown_language_in_config_is_rejected(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace('"vi", "fa"]', '"vi", "klingon"]'), encoding="utf-8"
    )
    assert run(project, "update") == 2
    assert "unknown language code 'klingon'" in capsys.readouterr().err


def test_malformed_po_is_reported_and_nothing_is_overwritten(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = project / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    bad = project / "locales" / "ar" / "LC_MESSAGES" / f"{FAQ}.po"
    text = bad.read_text(encoding="utf-8")
    assert 'msgid "Is it safe?"\n' in text
    bad.write_text(text.replace('msgid "Is it safe?"\n', 'msgid "Is it safe?\n', 1), encoding="utf-8")
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    (project / "source" / f"{FAQ}.md").write_text(
        (project / "source" / f"{FAQ}.md").read_text(encoding="utf-8") + "\nA new closing line.\n"
    )
    assert run(project, "extract") == 0
    assert run(project, "update", "--lang", "es,ar") == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "not enclosed in double quotes" in err
    assert {p: p.read_bytes() for p in (project / "locales").rglob("*.po")} == before
    assert good.exists()


def test_broken_front_matter_names_file_and_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = project / "source" / f"{FAQ}.md"
    src.write_text(src.read_text(encoding="utf-8").replace("version: 1", "version: [1"), encoding="utf-8")
    assert run(project, "extract") == 2
    err = capsys.readouterr().err
    assert f"{src}:" in err and "front matter is not valid YAML" in err and "Traceback" not in err


def test_unclosed_front_matter(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = project / "source" / "leaflet.md"
    src.write_text("---\ntitle: x\n\n# Hello\n", encoding="utf-8")
    assert run(project, "extract") == 2
    assert f"{src}:1: front matter opened with '---' is never closed" in capsys.readouterr().err


def test_crash_during_write_leaves_old_file_intact(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    po_path = project / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    before = po_path.read_bytes()
    (project / "source" / f"{FAQ}.md").write_text(
        (project / "source" / f"{FAQ}.md").read_text(encoding="utf-8") + "\nOne more sentence.\n"
    )
    assert run(project, "extract") == 0

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    assert run(project, "update", "--lang", "es") == 1
    assert "No space left on device" in capsys.readouterr().err
    assert po_path.read_bytes() == before
    assert not [p for p in po_path.parent.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    assert run(project, "update", "--lang", "es") == 0  # a re-run finishes the job
    assert "One more sentence." in po_path.read_text(encoding="utf-8")


def test_two_runs_at_once_leave_every_file_parseable(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cmd = [sys.executable, "-m", "pipeline", "--project", str(project), "-q", "update"]
    procs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    for path in (project / "locales").rglob("*.po"):
        load_catalogue(path)


def test_python_dash_m_entry_point(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(project), "extract"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "locales/templates/ketamine-therapy-faq.pot: 21 messages" in out.stderr


def _many_documents(project: Path, count: int) -> None:
    """``count`` more documents, so extraction runs on every core (PARALLEL_EXTRACT_MIN)."""
    text = (project / "source" / f"{FAQ}.md").read_text(encoding="utf-8")
    for i in range(count):
        copy = text.replace(f"id: {FAQ}", f"id: copy-{i:02d}").replace("Is it safe?", f"Is copy {i} safe?")
        (project / "source" / f"copy-{i:02d}.md").write_text(copy, encoding="utf-8")


def test_extraction_on_every_core_writes_what_one_core_writes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import extract as extract_stage

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    _many_documents(project, extract_stage.PARALLEL_EXTRACT_MIN + 4)
    templates = project / "locales" / "templates"
    for pot in templates.glob("*.pot"):
        pot.unlink()
    assert run(project, "extract") == 0
    parallel = {p.name: p.read_bytes() for p in templates.glob("*.pot")}
    assert len(parallel) == extract_stage.PARALLEL_EXTRACT_MIN + 4 + 3  # the copies, two documents, ui
    assert b'msgid "Is copy 7 safe?"' in parallel["copy-07.pot"]
    for pot in templates.glob("*.pot"):
        pot.unlink()
    monkeypatch.setattr(extract_stage, "PARALLEL_EXTRACT_MIN", 10**6)
    assert run(project, "extract") == 0
    assert {p.name: p.read_bytes() for p in templates.glob("*.pot")} == parallel


def test_extraction_on_every_core_reports_every_broken_document_and_extracts_the_rest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline import extract as extract_stage

    _many_documents(project, extract_stage.PARALLEL_EXTRACT_MIN + 4)
    for name in ("copy-05.md", "copy-11.md"):
        doc = project / "source" / name
        broken = doc.read_text(encoding="utf-8").replace("title:", "title: [unclosed", 1)
        doc.write_text(broken, encoding="utf-8")
    templates = project / "locales" / "templates"
    for pot in templates.glob("*.pot"):
        pot.unlink()
    assert run(project, "extract") == 2
    err = capsys.readouterr().err
    assert "2 document(s) could not be read (the others were extracted)" in err
    for name in ("copy-05.md", "copy-11.md"):
        assert f"{project / 'source' / name}:" in err
    assert "front matter is not valid YAML" in err and "Traceback" not in err
    written = {p.name for p in templates.glob("*.pot")}
    assert "copy-04.pot" in written and "copy-05.pot" not in written and "copy-11.pot" not in written
    (project / "source" / "copy-05.md").unlink()
    (project / "source" / "copy-11.md").write_text(
        (project / "source" / "copy-12.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert run(project, "extract") == 2
    assert "document id 'copy-12' is already used by" in capsys.readouterr().err


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def test_every_command_and_option_has_help_for_users(capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import _parser

    top = _parser()
    top_help = top.format_help()
    assert "Translate patient handouts" in top_help and "thin layer" not in top_help
    parsers = {"pipeline": top}
    for name, sub in _subcommands(top).items():
        parsers[f"pipeline {name}"] = sub
        parsers.update({f"pipeline {name} {n}": p for n, p in _subcommands(sub).items()})
    assert {"pipeline review sign", "pipeline review export", "pipeline draft"} <= set(parsers)
    undocumented = [
        f"{where} {'/'.join(a.option_strings) or a.dest}"
        for where, parser in parsers.items()
        for a in parser._actions
        if not isinstance(a, argparse._SubParsersAction) and not (a.help and a.help.strip())
    ]
    assert undocumented == []
    for where, parser in parsers.items():
        if where != "pipeline":
            assert parser.description, f"{where} has no description"
