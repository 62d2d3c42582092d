"""The real-world corpus (tools/corpus.py: Markdown from PyPI sdists and npm packages) through the command.

Identity: every entry translated as itself (into en_GB) gives each document's rendering and front
matter back. Pseudo: machine-drafted (pseudo engine) previews keep every document's structure:
same blocks, link targets, images, code and footnote references. The default test run takes a
fixed sample (every CORPUS_EVERY-th file, default 5); ``nox -s corpus`` runs all of them.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from pipeline.catalogue import load_catalogue, save_catalogue
from pipeline.cli import main
from pipeline.sources import parse_document

from .conftest import ROOT
from .test_realworld import rendering, structure

CORPUS = Path(os.environ.get("CORPUS_DIR", ROOT / "build" / "corpus")) / "files"
EVERY = int(os.environ.get("CORPUS_EVERY", "5"))


def corpus_files() -> list[Path]:
    files = sorted(CORPUS.rglob("*.md")) if CORPUS.is_dir() else []
    if len(files) < 1000:
        if os.environ.get("CI"):
            pytest.fail(
                f"the corpus is missing from {CORPUS}: run 'python tools/corpus.py' (nox -s tests does)"
            )
        pytest.skip(f"no corpus in {CORPUS} (python tools/corpus.py fetches it)")
    return files[::EVERY]


def _parts(text: str) -> tuple[str, dict[str, str] | None]:
    doc = parse_document(text, Path("/p/source/x.md"), Path("/p"))
    values = {k: str(v).strip() for k, v in doc.front_matter.values.items()} if doc.front_matter else None
    return doc.body, values


def test_the_real_world_corpus_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = corpus_files()
    project = tmp_path / "corpus"
    (project / "source").mkdir(parents=True)
    ids = {}
    for path in files:
        doc_id = re.sub(r"[^A-Za-z0-9._-]+", "-", path.relative_to(CORPUS).as_posix()[:-3]).strip("-.")
        ids[doc_id] = path
        (project / "source" / f"{doc_id}.md").write_bytes(path.read_bytes())
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\nlanguages = ["en_GB", "de"]\nrequire_review = false\nmin_translated = 0\n',
        encoding="utf-8",
    )

    def run(*args: str) -> int:
        return main(["--project", str(project), "-q", *args])

    assert run("extract") == 0 and run("update") == 0
    for po in (project / "locales" / "en_GB" / "LC_MESSAGES").glob("*.po"):
        catalogue = load_catalogue(po)
        for m in catalogue.messages:
            m.msgstr, m.fuzzy = m.msgid, False
        save_catalogue(po, catalogue)
    assert run("draft", "--lang", "de", "--engine", "pseudo") == 0
    assert run("build", "--lang", "en_GB", "--format", "md") == 0
    assert run("build", "--preview", "--lang", "de", "--format", "md") == 0

    identity, shape, links = [], [], 0
    for doc_id, path in ids.items():
        source = _parts(path.read_text(encoding="utf-8", errors="replace"))
        rebuilt = _parts((project / "build" / "md" / "en_GB" / f"{doc_id}.md").read_text(encoding="utf-8"))
        if (rendering(rebuilt[0]), rebuilt[1]) != (rendering(source[0]), source[1]):
            identity.append(doc_id)
        drafted = _parts(
            (project / "build" / "preview" / "md" / "de" / f"{doc_id}.md").read_text(encoding="utf-8")
        )
        want = structure(source[0])
        links += sum(1 for kind, _ in want if kind == "link_open")
        if structure(drafted[0]) != want:
            shape.append(doc_id)
    with capsys.disabled():
        print(
            f"\ncorpus: {len(ids)} files (every {EVERY}th); identity differs: {len(identity)}; "
            f"structure differs under pseudo-translation: {len(shape)}; links checked: {links}",
            file=sys.stderr,
        )
    assert identity == [] and shape == []
