"""The llm engine against a local OpenAI-compatible server: prompt, batches, failure modes, cache, secrets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.catalogue import load_catalogue
from pipeline.cli import main
from pipeline.drafts import llm

from .conftest import ROOT
from .fake_openai import FakeOpenAI

CARE = """---
title: After your ketamine session
---
# After your session

## Resting at home

You will feel sleepy after the session.

Do not drive for 8 hours after ketamine.

Take 5 mg with **water** and see [our site](https://clinic.example/).

MANGLE this **word** please.

CHANGENUM take 5 mg.

DROPNEG You must not eat before the session.

CHANGEUNIT Rest for 2 hours.

DROPONCE call us tomorrow.

DROPID this one is lost.
"""

FAULTS = {
    "rate": "RATE429 rest at home.",
    "server": "ALWAYS500 stay calm.",
    "slow": "SLOWREPLY wait here.",
    "prose": "NOTJSON answer in words.",
}

SETTINGS = """
[tool.pipeline.engines.llm]
model = "fake-model"
batch = 20
timeout = 1.5
attempts = 3
backoff = 0.01
flush_seconds = 0.1
style.es = "Spanish for patients in the US; formal 'usted'; plain language"
"""


def run(project: Path, *args: str) -> int:
    return main(["--project", str(project), *args])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "care.md").write_text(CARE, encoding="utf-8")
    for name, text in FAULTS.items():
        (project / "source" / f"fault-{name}.md").write_text(f"# Fault {name}\n\n{text}\n", encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(pyproject + SETTINGS, encoding="utf-8")
    shutil.copy(ROOT / "glossary.toml", project / "glossary.toml")
    assert run(project, "extract") == 0
    assert run(project, "update", "--lang", "es") == 0
    return project


def llm_draft(project: Path, url: str, *options: str) -> int:
    return run(project, "draft", "--lang", "es", "--engine", "llm", "--url", url, *options)


def without_faults(project: Path) -> None:
    """Leave out the documents of the slow failure modes (tested in one test)."""
    for fault in (project / "source").glob("fault-*.md"):
        fault.unlink()


def entries(project: Path, domain: str = "care") -> dict[str, Any]:
    path = project / "locales" / "es" / "LC_MESSAGES" / f"{domain}.po"
    return {m.msgid: m for m in load_catalogue(path).messages}


def _segments(body: dict[str, Any]) -> list[dict[str, Any]]:
    content = body["messages"][-1]["content"]
    return list(json.loads(content.split("```json\n", 1)[1].rsplit("\n```", 1)[0])["segments"])


def test_failure_modes_and_what_each_does(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    with FakeOpenAI(slow=3.0) as fake:
        code = llm_draft(project, fake.url)
    assert code == 1  # some failed; the run went on and kept the rest
    care = entries(project)
    good = care["Take 5 mg with **water** and see [our site](https://clinic.example/)."]
    assert (
        good.fuzzy
        and good.msgstr == "[es] Take 5 mg with **water** and see [our site](https://clinic.example/)."
    )
    assert any(c.startswith("machine draft: llm fake-model ") for c in good.translator_comments)
    assert (
        care["Do not drive for 8 hours after ketamine."].msgstr
        == "[es] Do no drive for 8 horas after ketamine."
    )
    assert care["DROPONCE call us tomorrow."].msgstr  # left out once, asked again on its own, drafted
    assert [
        _segments(b)[0]["text"]
        for b in fake.requests_seen
        if len(_segments(b)) == 1 and "DROP" in _segments(b)[0]["text"]
    ] == [
        "DROPONCE call us tomorrow.",
        "DROPID this one is lost.",
    ]
    for rejected, why in (
        ("MANGLE this **word** please.", "placeholders were mangled"),
        ("CHANGENUM take 5 mg.", "numbers differ from the source"),
        ("DROPNEG You must not eat before the session.", "negation"),
        ("CHANGEUNIT Rest for 2 hours.", "2 hour"),
        ("DROPID this one is lost.", "the model left this segment out of its reply"),
    ):
        assert care[rejected].msgstr == "" and not care[rejected].fuzzy, rejected
        assert f"rejected {rejected[:60]!r}: " in caplog.text and why in caplog.text, why
    assert entries(project, "fault-rate")["RATE429 rest at home."].msgstr  # after two 429s
    for name in ("server", "slow"):
        assert entries(project, f"fault-{name}")[FAULTS[name]].msgstr == ""
        assert f"failed {FAULTS[name][:60]!r}" in caplog.text
    assert entries(project, "fault-prose")[FAULTS["prose"]].msgstr == ""
    assert f"rejected {FAULTS['prose']!r}: the reply is not the JSON asked for" in caplog.text
    assert "tokens used:" in caplog.text
    (summary,) = [
        json.loads(x) for x in (project / ".pipeline-cache" / "draft-runs.jsonl").read_text().splitlines()
    ]
    assert summary["engine"] == "llm fake-model" and summary["language"] == "es"
    assert summary["requests"] == len(fake.requests_seen) and summary["failed"] == 4
    line = f"{summary['to_draft']} to draft: {summary['drafted']} drafted (0 from cache)"
    line += f", {summary['rejected']} rejected"
    assert line in caplog.text and summary["rejected"] >= 7
    assert (
        f"tokens used: {summary['prompt_tokens']} prompt + {summary['completion_tokens']} completion"
        in caplog.text
    )


def test_the_prompt_carries_context_glossary_style_and_placeholders(project: Path) -> None:
    without_faults(project)
    with FakeOpenAI() as fake:
        llm_draft(project, fake.url)
    body = next(b for b in fake.requests_seen if any("ketamine" in s["text"] for s in _segments(b)))
    assert body["model"] == "fake-model" and body["response_format"]["type"] == "json_schema"
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    assert "from English to Spanish" in " ".join(system.split()) and "patients" in system
    assert "Spanish for patients in the US; formal 'usted'; plain language" in system
    assert "⟦0⟧" in system  # placeholders must be kept
    assert "Document: After your ketamine session" in user
    work = json.loads(user.split("```json\n", 1)[1].rsplit("\n```", 1)[0])
    assert {"term": "ketamine", "translation": "ketamina"} in work["glossary"]
    assert work["do_not_translate"] == ["One Mind Wellness & Ketamine"]
    drive = next(s for s in work["segments"] if s["text"].startswith("Do not drive"))
    assert drive["headings"] == ["After your session", "Resting at home"]
    assert drive["before"] == "You will feel sleepy after the session."
    assert drive["after"] == "Take 5 mg with **water** and see [our site](https://clinic.example/)."


def test_cache_model_and_prompt_version(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    without_faults(project)
    with FakeOpenAI() as fake:
        assert llm_draft(project, fake.url) == 0
        first = fake.requests
        # Nothing drafted is sent again; only what was rejected is asked again.
        assert llm_draft(project, fake.url) == 0
        again = fake.requests - first
        asked = {s["text"] for b in fake.requests_seen[first:] for s in _segments(b)}
        assert "You will feel sleepy after the session." not in asked and again > 0
        # --redraft with the same model and prompt: every answer from the cache, no request.
        before = fake.requests
        llm_draft(project, fake.url, "--redraft")
        asked = {s["text"] for b in fake.requests_seen[before:] for s in _segments(b)}
        assert "You will feel sleepy after the session." not in asked
        # Another model, or a new prompt version, is another cache key: re-drafted only with --redraft.
        original = llm.Prompt.load

        def bumped(path: Path = llm.PROMPT) -> llm.Prompt:
            prompt = original(path)
            return llm.Prompt("2", prompt.system, prompt.user)

        monkeypatch.setattr(llm.Prompt, "load", staticmethod(bumped))
        before = fake.requests
        llm_draft(project, fake.url)
        asked = {s["text"] for b in fake.requests_seen[before:] for s in _segments(b)}
        assert "You will feel sleepy after the session." not in asked
        llm_draft(project, fake.url, "--redraft")
        asked = {s["text"] for b in fake.requests_seen[before:] for s in _segments(b)}
        assert "You will feel sleepy after the session." in asked
        before = fake.requests
        llm_draft(project, fake.url, "--redraft", "--model", "other")
        assert all(b["model"] == "other" for b in fake.requests_seen[before:]) and fake.requests > before
    care = entries(project)
    assert any(
        c.startswith("machine draft: llm other ")
        for c in care["You will feel sleepy after the session."].translator_comments
    )


def test_a_server_without_json_schema_gets_json_mode(project: Path) -> None:
    without_faults(project)
    with FakeOpenAI(refuse_schema=True) as fake:
        llm_draft(project, fake.url)
    assert entries(project)["You will feel sleepy after the session."].msgstr
    kinds = [b["response_format"]["type"] for b in fake.requests_seen]
    assert kinds[0] == "json_schema" and kinds.count("json_schema") == 1 and "json_object" in kinds


def test_the_key_is_sent_and_never_written(
    project: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    without_faults(project)
    secret = "sk-live-SECRET-9876"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    with FakeOpenAI() as fake:
        llm_draft(project, fake.url)
    assert all(h.get("Authorization") == f"Bearer {secret}" for h in fake.headers_seen)
    assert secret not in caplog.text
    for path in project.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    monkeypatch.setenv("LLM_API_KEY", "llm-key-first")
    with FakeOpenAI() as fake:
        llm_draft(project, fake.url, "--redraft", "--model", "m2")
    assert fake.headers_seen and all(
        h.get("Authorization") == "Bearer llm-key-first" for h in fake.headers_seen
    )


def test_dry_run_shows_the_prompt_and_estimates_tokens(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOpenAI() as fake:
        assert llm_draft(project, fake.url, "--dry-run", "--verbose") == 0
        assert fake.requests == 0
    assert "--- system message (es, batch 1 of" in caplog.text and "from English to Spanish" in " ".join(
        caplog.text.split()
    )
    assert '"glossary"' in caplog.text and "formal 'usted'" in caplog.text
    assert "would send 6 request(s)" in caplog.text  # one per document, and one for the templates' words
    assert (
        "about " in caplog.text
        and "prompt and" in caplog.text
        and "completion tokens (estimated)" in caplog.text
    )


def test_a_missing_model_or_key_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "p"
    (project / "source").mkdir(parents=True)
    (project / "source" / "a.md").write_text("# Hello\n", encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    assert run(project, "extract") == 0 and run(project, "update", "--lang", "es") == 0
    assert run(project, "draft", "--lang", "es", "--engine", "llm", "--url", "http://127.0.0.1:9/v1") == 2
    assert "engine 'llm' needs a model" in capsys.readouterr().err
    with open(project / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write('\n[tool.pipeline.engines.llm]\nmodel = "gpt-4.1-mini"\n')
    for name in ("LLM_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert run(project, "draft", "--lang", "es", "--engine", "llm") == 2  # OpenAI itself, and no key
    assert "needs an API key for OpenAI: set LLM_API_KEY or OPENAI_API_KEY" in capsys.readouterr().err


def test_tm_says_no_memory_match_instead_of_rejecting(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert run(project, "draft", "--lang", "es", "--engine", "tm") == 0
    assert "left untranslated: no memory match above 75%" in caplog.text
    assert (
        "0 rejected" in caplog.text
        and "rejected '" not in caplog.text
        and "returned nothing" not in caplog.text
    )
