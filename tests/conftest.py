"""Shared fixtures: a copy of the real project in a temp folder, and gettext's tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The repository's sources, locales and pyproject in a scratch folder."""
    dest = tmp_path / "project"
    dest.mkdir()
    shutil.copytree(ROOT / "source", dest / "source")
    shutil.copytree(ROOT / "locales", dest / "locales", ignore=shutil.ignore_patterns(".pipeline.lock"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    shutil.copy(ROOT / "glossary.toml", dest / "glossary.toml")
    return dest


def system_tool(name: str, package: str) -> str:
    """Path of a program the tests need: skipped locally when absent, a failure in CI.

    Looks on PATH and next to this Python (tools installed into the virtual environment).
    """
    path = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run must install {package}")
        pytest.skip(f"{name} not installed ({package})")
    return path


def gettext_tool(name: str) -> str:
    """Path of a GNU gettext program (Debian's 'gettext' package)."""
    return system_tool(name, "Debian's 'gettext' package")


def msgcat(path: Path) -> str:
    """What GNU msgcat writes for a PO file."""
    return subprocess.run(
        [gettext_tool("msgcat"), str(path)], capture_output=True, text=True, check=True
    ).stdout


def msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [gettext_tool("msgfmt"), "-c", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
