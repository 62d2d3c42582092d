"""Read source documents: UTF-8 Markdown with optional YAML front matter."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

import yaml
from babel.messages.extract import extract as babel_extract

from .config import BUILTIN_TEMPLATES, UI_DOMAIN, UI_TEMPLATES
from .errors import SourceError
from .fileio import read_utf8
from .model import Document, FrontMatter

log = logging.getLogger("pipeline")

_ID = re.compile(r"^[^\W_][\w.-]*$")  # letters and digits of any script, then also '.', '_', '-'

_FENCE = re.compile(r"^---[ \t]*\r?\n?$")
# libyaml's safe loader when PyYAML was built with it (the wheels are): the same answers, faster.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*\r?\n?$")


KNOWN_KEYS = frozenset(
    {
        "id",
        "title",
        "description",
        "version",
        "updated",
        "date",
        "audience",
        "author",
        "authors",
        "lang",
        "language",
        "tags",
        "keywords",
        "summary",
        "slug",
        "layout",
        "permalink",
        "category",
        "categories",
        "draft",
        "max_pages",
        "reviewed",
        "sidebar_position",
        "nav_order",
        "weight",
        "toc",
        "template",
    }
)
"""Keys that say a ``---`` block at the top is front matter (with the project's translated keys)."""


def _front_matter(lines: list[str], path: Path, keys: Collection[str] = ()) -> FrontMatter | None:
    if not lines or not _FENCE.match(lines[0]):
        return None
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            break
    else:
        raise SourceError("front matter opened with '---' is never closed by a '---' line", path, 1)
    raw = "".join(lines[1:index])
    try:
        values = yaml.load(raw, Loader=_SAFE_LOADER) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError(f"front matter is not valid YAML: {problem}", path, line) from exc
    if not isinstance(values, dict):
        log.warning(
            "%s:1: the '---' block is not a YAML mapping, so not front matter: read as Markdown", path
        )
        return None
    names = {str(k) for k in values}
    if names and not names & (KNOWN_KEYS | set(keys)):
        log.warning(
            "%s:1: the '---' block has none of the front-matter keys (id, title, ...): read as Markdown, "
            "so its text is translated (keys: %s)",
            path,
            ", ".join(sorted(names))[:80],
        )
        return None
    return FrontMatter(values={str(k): v for k, v in values.items()}, first_line=0, last_line=index)


def read_document(path: Path, project: Path, keys: Collection[str] = ()) -> Document:
    """Read one source document; broken input raises :class:`SourceError` with file and line."""
    return parse_document(read_utf8(path, SourceError, "source document"), path, project, keys=keys)


def parse_document(
    text: str, path: Path, project: Path, front_matter: bool = True, keys: Collection[str] = ()
) -> Document:
    """Make a :class:`Document` of Markdown text; ``front_matter=False`` reads plain CommonMark."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = split_lines(text)
    front = _front_matter(lines, path, keys) if front_matter else None
    doc_id = path.stem
    if front is not None and "id" in front.values:
        doc_id = str(front.values["id"])
        if not _ID.match(doc_id):
            raise SourceError(
                f"document id {doc_id!r} must be letters, digits, '.', '_' or '-' (it names files)",
                path,
                _key_line(lines, "id"),
            )
    elif not _ID.match(doc_id):
        raise SourceError(
            f"the file name {path.name!r} cannot be a document id: rename the file (letters, digits, "
            "'.', '_' or '-', starting with a letter or digit) or set 'id:' in its front matter",
            path,
        )
    try:
        relpath = path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        relpath = path.name
    return Document(
        id=doc_id,
        path=path,
        relpath=relpath,
        lines=lines,
        front_matter=front,
        body_start=front.last_line + 1 if front is not None else 0,
    )


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, cut where CommonMark cuts them (not at U+2028 or form feeds)."""
    return _LINE.findall(text)


def _key_line(lines: list[str], key: str) -> int | None:
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            return i + 1
    return None


def source_files(source_dir: Path, project: Path | None = None) -> list[Path]:
    """Every file under ``source/`` (documents and assets, hidden files left out), in a stable order.

    A symbolic link is followed only while it stays inside the project: one that leads
    outside (to /etc/passwd, another project) would publish that file, so it is an error.
    """
    if not source_dir.is_dir():
        raise SourceError("source folder not found (expected Markdown documents here)", source_dir)
    root = (project or source_dir.parent).resolve()
    found = []
    for path in sorted(source_dir.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(source_dir).parts):
            if path.suffix == ".md" and path.is_file():
                log.warning("%s: hidden file, not a document: skipped", path)
            continue
        if not path.resolve().is_relative_to(root):
            raise SourceError(f"symbolic link leads outside the project ({path.resolve()}): refused", path)
        if path.is_file():
            found.append(path)
    return found


def find_documents(source_dir: Path, project: Path | None = None) -> list[Path]:
    """The Markdown documents of a project, in a stable order."""
    return [p for p in source_files(source_dir, project) if p.suffix == ".md"]


def check_ids(pairs: Sequence[tuple[str, Path]]) -> None:
    """Document ids (with the file each comes from) must be unique and not the templates' domain."""
    seen: dict[str, Path] = {}
    for doc_id, path in pairs:
        if doc_id == UI_DOMAIN:
            raise SourceError(f"document id {UI_DOMAIN!r} is reserved for the handout templates' words", path)
        if doc_id in seen:
            raise SourceError(f"document id {doc_id!r} is already used by {seen[doc_id]}", path)
        seen[doc_id] = path


def domains(doc_ids: Sequence[str]) -> list[str]:
    """Every catalogue of a language: one per document, then the templates' words."""
    return [*doc_ids, UI_DOMAIN]


def template_words(project_templates: Path | None = None) -> Iterator[tuple[str, int, str, list[str]]]:
    """(template, line, msgid, comments) of every word in the handout templates that reaches patients.

    A project's ``templates/`` folder overrides a built-in template of the same name. The words
    are found by Babel's extractor for Jinja2 templates; rendering them is :mod:`pipeline.render`'s.
    """
    for name in UI_TEMPLATES:
        own = project_templates / name if project_templates is not None else None
        path = own if own is not None and own.is_file() else BUILTIN_TEMPLATES / name
        found = babel_extract(
            "jinja2.ext:babel_extract",
            io.BytesIO(read_utf8(path, SourceError, "template").encode("utf-8")),
            keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
            comment_tags=("Translators:",),
            # Not silent: by default the extractor skips a template it cannot parse, and its words
            # would vanish from ui.pot without a word.
            options={"extensions": "jinja2.ext.i18n", "silent": "false"},
        )
        try:
            for lineno, message, comments, _context in found:
                if isinstance(message, str):
                    yield name, lineno, message, list(comments)
        except Exception as exc:  # Jinja2's TemplateSyntaxError: only render/ may import Jinja2
            raise SourceError(f"template error: {exc}", path, getattr(exc, "lineno", None)) from None
