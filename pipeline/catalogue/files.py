"""Catalogue files on disk: read with clear errors, write atomically, lock the tree."""

from __future__ import annotations

import gettext
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import CatalogueError
from ..fileio import read_utf8, remove_stale_temps, write_text_atomic
from .model import Catalogue
from .pofile import dumps_po, parse_po

log = logging.getLogger("pipeline")


_PLURAL_FORMS = re.compile(r"^\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?);?\s*$")


def plural_forms_problem(value: str) -> str | None:
    """Why a ``Plural-Forms`` value is invalid, as ``msgfmt -c`` would refuse it, or None."""
    if "INTEGER" in value or "EXPRESSION" in value:
        return None  # a template's placeholder, filled in by msginit / update
    m = _PLURAL_FORMS.match(value)
    if not m:
        return "must read 'nplurals=N; plural=EXPRESSION;'"
    count = int(m.group(1))
    if count < 1:
        return "nplurals must be at least 1"
    try:
        rule = gettext.c2py(m.group(2))
    except (ValueError, SyntaxError, RecursionError):
        return f"plural={m.group(2)!r} is not a valid C expression of n"
    for n in range(1000):
        index = rule(n)
        if not 0 <= index < count:
            return f"plural={m.group(2)!r} gives {index} for n={n}, outside 0..{count - 1}"
    return None


def load_catalogue(path: Path) -> Catalogue:
    """Read a PO/POT file; any defect raises :class:`CatalogueError` with file and line."""
    text = read_utf8(path, CatalogueError, "PO file")
    catalogue = parse_po(text, path)
    charset = (catalogue.header_value("Content-Type") or "").partition("charset=")[2].strip().upper()
    if charset not in ("", "UTF-8", "CHARSET"):
        raise CatalogueError(f"charset {charset} is not supported; save the file as UTF-8", path)
    plural = catalogue.header_value("Plural-Forms")
    if plural and (problem := plural_forms_problem(plural)):
        line = next((i + 1 for i, t in enumerate(text.splitlines()) if "Plural-Forms:" in t), None)
        raise CatalogueError(f"invalid Plural-Forms: {problem}", path, line)
    return catalogue


def save_catalogue(path: Path, catalogue: Catalogue, durable: bool = True) -> bool:
    """Write a catalogue in gettext's exact form, atomically. True if the file changed.

    ``durable`` (the default, for PO files: people's work) syncs it to disk first; a
    template, which extraction can always make again, may skip that.
    """
    return write_text_atomic(path, dumps_po(catalogue), durable)


@contextmanager
def locked(directory: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the project's catalogue lock, so two runs never interleave their writes.

    Holding it, no other run is writing: temporary files left by a killed run are removed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(directory / ".pipeline.lock"))
    try:
        with lock.acquire(timeout=timeout):
            for stale in remove_stale_temps(directory):
                log.info("removed %s, left by an interrupted run", stale)
            yield
    except Timeout as exc:
        raise CatalogueError(
            f"another pipeline run holds the lock for {timeout:.0f} s; try again when it has finished",
            directory / ".pipeline.lock",
        ) from exc


__all__ = ["load_catalogue", "locked", "save_catalogue", "write_text_atomic"]
