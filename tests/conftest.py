"""Shared fixtures: a copy of the real project in a temp folder, and gettext's tools."""

from __future__ import annotations

import os
import shutil
import subprocess
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
    return dest


def gettext_tool(name: str) -> str:
    """Path of a GNU gettext program; skipped locally when absent, a failure in CI."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run must install Debian's 'gettext' package")
        pytest.skip(f"{name} not installed (apt-get install gettext)")
    return path


def msgcat(path: Path) -> str:
    """What GNU msgcat writes for a PO file."""
    return subprocess.run(
        [gettext_tool("msgcat"), str(path)], capture_output=True, text=True, check=True
    ).stdout


def msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [gettext_tool("msgfmt"), "-c", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
