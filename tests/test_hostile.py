"""Hostile input: batches, sources, configuration, templates and translations written to do harm.

Every test runs under :func:`tests.guard.guarded`: it fails on any file read or written outside
the test's folder (beyond the installed software) and on any socket use it did not allow.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogue import load_catalogue, merge, parse_po, save_catalogue
from pipeline.cli import main

from .guard import Guard, guarded

FAQ = "ketamine-therapy-faq"
SECRET = "s3cr3t-Pa55word"


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the project that nothing may read or change."""
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "victim.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8")
    return path


@pytest.fixture
def guard(project: Path) -> Iterator[Guard]:
    with guarded(project) as g:
        yield g
    assert g.violations == []


def po(project: Path, lang: str = "es", domain: str = FAQ) -> Path:
    return project / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"


def test_the_guard_sees_reads_writes_and_sockets(project: Path, victim: Path) -> None:
    with guarded(project) as g:
        victim.read_text(encoding="utf-8")
        (victim.parent / "new.txt").write_text("x", encoding="utf-8")
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(0.2)
            s.connect(("127.0.0.1", 9))
    assert len(g.violations) == 3, g.violations
    assert any("victim.po" in v for v in g.violations) and any("socket" in v for v in g.violations)


@pytest.mark.parametrize(
    "context", ["../../../../outside/victim", "../../ar/LC_MESSAGES/" + FAQ, "/etc/passwd"]
)
def test_a_batch_cannot_write_outside_its_documents(
    project: Path, victim: Path, guard: Guard, context: str, caplog: pytest.LogCaptureFixture
) -> None:
    batch = project / "batch.po"
    assert run(project, "review", "export", "--lang", "es", "--reviewer", "Eve", "-o", str(batch)) == 0
    entries = load_catalogue(batch)
    for m in entries.messages:
        m.msgctxt, m.fuzzy, m.msgstr = context, False, "pwned"
    save_catalogue(batch, entries)
    arabic = po(project, "ar").read_bytes()
    assert run(project, "review", "import", str(batch)) == 1
    assert "is not a document with a es catalogue" in caplog.text
    assert po(project, "ar").read_bytes() == arabic and "pwned" not in po(project).read_text(encoding="utf-8")


def test_symlinks_out_of_the_project_are_refused(
    project: Path, victim: Path, guard: Guard, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "source" / "passwd.txt").symlink_to(victim)
    assert run(project, "build", "--lang", "es", "--format", "html") == 2
    err = capsys.readouterr().err
    assert "symbolic link leads outside the project" in err and "passwd.txt" in err and "Traceback" not in err
    assert not list((project / "build").rglob("passwd.txt"))
    (project / "source" / "passwd.txt").unlink()
    (project / "source" / "stolen.md").symlink_to(victim)
    assert run(project, "extract") == 2
    assert "stolen.md" in capsys.readouterr().err
    (project / "source" / "stolen.md").unlink()
    inside = project / "source" / "alias.md"
    inside.symlink_to(project / "source" / f"{FAQ}.md")  # a link that stays inside is fine
    assert run(project, "extract") == 2  # ...but it repeats the document's id, which is reported
    assert "is already used by" in capsys.readouterr().err


def test_a_url_password_is_never_written(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .fake_libre import FakeLibre

    path = po(project)
    catalogue = load_catalogue(path)
    for m in catalogue.messages[:3]:
        m.msgstr, m.fuzzy, m.translator_comments = "", False, []
    save_catalogue(path, catalogue)
    with FakeLibre() as server, guarded(project, {server.server.server_address[1]}) as g:
        url = server.url.replace("http://", f"http://clinic-user:{SECRET}@")
        assert run(project, "draft", "--lang", "es", "--engine", "libre", "--url", url) == 0
        assert run(project, "draft", "--lang", "es", "--engine", "libre", "--url", url, "--dry-run") == 0
    assert g.violations == []
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    written = [p for p in project.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in written)
    assert [p for p in written if SECRET.encode() in p.read_bytes()] == []


def test_a_plural_added_by_hand_keeps_every_form() -> None:
    old = parse_po(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, no-wrap\nmsgctxt "kept"\nmsgid "One tablet"\nmsgid_plural "%d tablets"\n'
        'msgstr[0] "Una tableta"\nmsgstr[1] "%d tabletas"\n\n'
        'msgid "One tablet"\nmsgid_plural "%d tablets"\nmsgstr[0] "Una tableta"\nmsgstr[1] "%d tabletas"\n'
    )
    template = parse_po('msgid ""\nmsgstr ""\n\nmsgid "One tablet"\nmsgstr ""\n')
    merged, stats = merge(old, template)
    (active,) = [m for m in merged.messages if not m.obsolete]
    assert active.msgstr == "Una tableta" and active.fuzzy
    assert "kept from the old entry: msgstr[1] '%d tabletas'" in active.translator_comments
    assert stats.notes and "a plural form was added by hand" in stats.notes[0]
    (obsolete,) = [m for m in merged.messages if m.obsolete]  # the msgctxt entry: kept, flags and all
    assert obsolete.msgctxt == "kept" and obsolete.msgstr_plural == ["Una tableta", "%d tabletas"]


def test_a_plural_added_in_a_po_editor_survives_update(
    project: Path, guard: Guard, caplog: pytest.LogCaptureFixture
) -> None:
    path = po(project)
    text = path.read_text(encoding="utf-8").replace(
        'msgid "Is it safe?"\nmsgstr "¿Es seguro?"',
        'msgid "Is it safe?"\nmsgid_plural "Are they safe?"\n'
        'msgstr[0] "¿Es seguro?"\nmsgstr[1] "¿Son seguros?"',
    )
    assert "msgid_plural" in text
    path.write_text(text, encoding="utf-8")
    assert run(project, "update", "--lang", "es") == 0
    assert f"{path}:" in caplog.text and "a plural form was added by hand" in caplog.text
    after = path.read_text(encoding="utf-8")
    assert 'msgstr "¿Es seguro?"' in after and "'¿Son seguros?'" in after


@pytest.mark.parametrize(
    "template",
    [
        "{{ self.__init__.__globals__.__builtins__.open(VICTIM).read() }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    ],
)
def test_project_templates_run_sandboxed(
    project: Path, victim: Path, guard: Guard, template: str, caplog: pytest.LogCaptureFixture
) -> None:
    (project / "templates").mkdir()
    body = template.replace("VICTIM", repr(str(victim)))
    page = "{% extends 'base.html' %}\n{% block body %}\n" + body + "\n{% endblock %}\n"
    (project / "templates" / "handout.html").write_text(page, encoding="utf-8")
    assert run(project, "build", "--lang", "es", "--format", "html") == 1
    assert f"{project / 'templates' / 'handout.html'}:3: not allowed in a template" in caplog.text
    assert "Traceback" not in caplog.text and "could not be rendered" in caplog.text
    assert victim not in guard.opened


def test_a_template_syntax_error_names_file_and_line(
    project: Path, guard: Guard, caplog: pytest.LogCaptureFixture
) -> None:
    (project / "templates").mkdir()
    page = "{% extends 'base.html' %}\n{% block body %}\n{{ broken( }}\n{% endblock %}\n"
    (project / "templates" / "handout.html").write_text(page, encoding="utf-8")
    assert run(project, "build", "--lang", "es", "--format", "html") == 1
    assert f"{project / 'templates' / 'handout.html'}:3: template error" in caplog.text


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("engines = 5", "[tool.pipeline] engines: must be a table of [tool.pipeline.engines.<name>] tables"),
        ('require_review = "false"', "require_review: must be true or false"),
        ("min_translated = true", "min_translated: must be a number"),
        ("min_translated = 250", "min_translated: must be from 0 to 100"),
        ('page_size = "A3"', "page_size: must be one of A4, Letter, A5, Legal"),
        ("languages = 'es'", "languages: must be a list of texts"),
        ('languages = ["klingon"]', "languages: unknown language code 'klingon'"),
        ("fuzzy_cutoff = 0", "fuzzy_cutoff: must be from 1 to 100"),
        (
            '[tool.pipeline.engines.libre]\nrate = "fast"',
            "[tool.pipeline.engines.libre] rate: must be a number",
        ),
        (
            "[tool.pipeline.engines]\nlibre = 'x'",
            "[tool.pipeline.engines] libre: must be a table of settings",
        ),
        ("[tool.pipeline.engines.libre]\nconcurrency = 0", "concurrency: must be from 1 to 64"),
    ],
)
def test_configuration_mistakes_are_clear_errors(
    project: Path, guard: Guard, setting: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    key = setting.split(" =")[0]
    if not key.startswith("["):
        text = "\n".join(line for line in text.splitlines() if not line.startswith(f"{key} =")) + "\n"
        text = text.replace("[tool.pipeline]\n", f"[tool.pipeline]\n{setting}\n")
    else:
        text += "\n" + setting + "\n"
    pyproject.write_text(text, encoding="utf-8")
    assert run(project, "status") == 2
    err = capsys.readouterr().err
    assert message in err and f"{pyproject}:" in err and "Traceback" not in err


def test_an_unknown_setting_is_a_warning_naming_its_line(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(
            "[tool.pipeline]\n", "[tool.pipeline]\nrequire_reveiw = false\n"
        ),
        encoding="utf-8",
    )
    assert run(project, "status", "--format", "json") == 0
    assert "require_reveiw is not a setting; ignored (did you mean 'require_review'?)" in caplog.text


def test_language_codes_have_one_spelling(project: Path, guard: Guard) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('languages = ["es",', 'languages = ["ES", "zh-cn",'), encoding="utf-8")
    assert run(project, "update") == 0
    assert sorted(p.name for p in (project / "locales").iterdir() if p.is_dir()) == [
        "ar",
        "es",
        "fa",
        "templates",
        "vi",
        "zh_CN",
    ]


@pytest.mark.parametrize("name", ["-x.md", "bad\nname.md", " lead.md", "a b.md"])
def test_file_names_follow_the_id_rules(
    project: Path, guard: Guard, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "source" / name).write_text("# Hello\n\nRest today.\n", encoding="utf-8")
    assert run(project, "extract") == 2
    err = capsys.readouterr().err
    assert "cannot be a document id" in err and "Traceback" not in err
    assert not (project / "locales" / "templates" / f"{Path(name).stem}.pot").exists()


def test_a_hidden_markdown_file_is_skipped_and_said(
    project: Path, guard: Guard, caplog: pytest.LogCaptureFixture
) -> None:
    (project / "source" / "..md").write_text("# Hello\n", encoding="utf-8")
    assert run(project, "extract") == 0
    assert "..md: hidden file, not a document: skipped" in caplog.text
    assert not (project / "locales" / "templates" / "..pot").exists()


@pytest.mark.parametrize(
    "rule", ["nplurals=2; plural=(n != 1", "nplurals=2; plural=n;", "nplurals=0; plural=0;", "two forms"]
)
def test_an_invalid_plural_forms_is_refused(
    project: Path, guard: Guard, rule: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = po(project)
    text = path.read_text(encoding="utf-8").replace("nplurals=2; plural=(n != 1);", rule)
    path.write_text(text, encoding="utf-8")
    assert run(project, "status", "--lang", "es") == 2
    err = capsys.readouterr().err
    line = next(i + 1 for i, t in enumerate(text.splitlines()) if "Plural-Forms" in t)
    assert f"{path}:{line}: invalid Plural-Forms" in err


def test_control_characters_are_refused_and_named(
    project: Path, guard: Guard, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    path = po(project)
    catalogue = load_catalogue(path)
    entry = next(m for m in catalogue.messages if m.msgid == "Is it safe?")
    entry.msgstr, entry.fuzzy = "¿Es\x1b seguro?", False
    save_catalogue(path, catalogue)
    assert run(project, "check", "--lang", "es") == 1
    out = capsys.readouterr().out
    assert f"{FAQ}.po:{load_catalogue(path).index()[(None, 'Is it safe?')].lineno}: error [control]" in out
    assert "U+001B" in out
    assert run(project, "review", "sign", "--lang", "es", "--reviewer", "Ana", "--doc", FAQ) == 0
    assert "[control] control character U+001B" in caplog.text
    assert run(project, "build", "--preview", "--lang", "es", "--format", "html") == 0
    assert "fonts-noto" not in caplog.text  # the entry is refused, not the whole handout


def test_a_killed_run_leaves_no_temp_files_behind(project: Path, guard: Guard) -> None:
    folder = po(project).parent
    stale = folder / f".{FAQ}.po.abcd1234.tmp"
    stale.write_text("half a file", encoding="utf-8")
    foreign = folder / "notes.tmp"  # not ours: left alone
    foreign.write_text("mine", encoding="utf-8")
    assert run(project, "update", "--lang", "es") == 0
    assert not stale.exists() and foreign.exists()
    old = project / "build" / "html" / ".index.html.abcd1234.tmp"
    old.parent.mkdir(parents=True)
    old.write_text("x", encoding="utf-8")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert run(project, "build", "--lang", "es", "--format", "html") == 0
    assert not old.exists()


def test_export_does_not_create_folders(
    project: Path, guard: Guard, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project / "nowhere" / "deeper" / "batch.po"
    assert run(project, "review", "export", "--lang", "es", "--reviewer", "Ana", "-o", str(out)) == 2
    assert "the folder for the batch does not exist" in capsys.readouterr().err
    assert not (project / "nowhere").exists()


def test_offline_engines_do_not_wait_for_the_network_limiter(
    project: Path, guard: Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + "\n[tool.pipeline.engines.pseudo]\nrate = 0.01\n",
        encoding="utf-8",
    )
    waits: list[float] = []
    monkeypatch.setattr("pipeline.drafts.run.time.sleep", waits.append)
    assert run(project, "draft", "--lang", "es", "--engine", "pseudo", "--redraft") == 0
    assert waits == []  # at 0.01 requests/s a remote engine would wait 100 s between requests


HOSTILE = st.lists(
    st.sampled_from(
        [*"abc <>/\"'=&;:()[]!`*_#\\\n", "<script>", "javascript:", "\u202e", "\u200b", "%(x)s", "{y}", "⟦1⟧"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(msgstr=HOSTILE)
def test_any_translation_is_checked_or_shown_as_text_never_run(project: Path, msgstr: str) -> None:
    path = po(project)
    catalogue = load_catalogue(path)
    entry = next(m for m in catalogue.messages if m.msgid == "Is it safe?")
    entry.msgstr, entry.fuzzy = msgstr, True
    save_catalogue(path, catalogue)
    with guarded(project) as g:
        assert run(project, "-q", "check", "--lang", "es") in (0, 1)
        assert run(project, "-q", "build", "--preview", "--lang", "es", "--format", "md,html") == 0
    assert g.violations == []
    html = (project / "build" / "preview" / "html" / "es" / f"{FAQ}.html").read_text(encoding="utf-8")
    assert "<script" not in html.split("<main>")[1] and 'href="javascript:' not in html
    markdown = (project / "build" / "preview" / "md" / "es" / f"{FAQ}.md").read_text(encoding="utf-8")
    assert "<script" not in markdown.replace("\\<script", "")


def test_a_template_that_cannot_be_parsed_stops_extract_with_its_line(
    project: Path, guard: Guard, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "templates").mkdir()
    page = "{% extends 'base.html' %}\n{% block body %}\n{{ _('Hello') }} {{ broken( }}\n{% endblock %}\n"
    (project / "templates" / "handout.html").write_text(page, encoding="utf-8")
    before = (project / "locales" / "templates" / "ui.pot").read_bytes()
    assert run(project, "extract") == 2
    err = capsys.readouterr().err
    assert f"{project / 'templates' / 'handout.html'}:3: template error" in err and "Traceback" not in err
    assert (project / "locales" / "templates" / "ui.pot").read_bytes() == before


def test_an_engine_setting_nobody_reads_is_said(caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.drafts.engines import make_engine

    make_engine("libre", "en", "es", {"url": "http://127.0.0.1:9/", "timout": 5}, Path("."), 75)
    assert "[tool.pipeline.engines.libre]: timout not used by this engine" in caplog.text
