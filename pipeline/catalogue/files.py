"""Catalogue files on disk: read with clear errors, write atomically, lock the tree."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import CatalogueError
from ..fileio import read_utf8, write_text_atomic
from .model import Catalogue
from .pofile import dumps_po, parse_po


def load_catalogue(path: Path) -> Catalogue:
    """Read a PO/POT file; any defect raises :class:`CatalogueError` with file and line."""
    catalogue = parse_po(read_utf8(path, CatalogueError, "PO file"), path)
    charset = (catalogue.header_value("Content-Type") or "").partition("charset=")[2].strip().upper()
    if charset not in ("", "UTF-8", "CHARSET"):
        raise CatalogueError(f"charset {charset} is not supported; save the file as UTF-8", path)
    return catalogue


def save_catalogue(path: Path, catalogue: Catalogue, durable: bool = True) -> bool:
    """Write a catalogue in gettext's exact form, atomically. True if the file changed.

    ``durable`` (the default, for PO files: people's work) syncs it to disk first; a
    template, which extraction can always make again, may skip that.
    """
    return write_text_atomic(path, dumps_po(catalogue), durable)


@contextmanager
def locked(directory: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the project's catalogue lock, so two runs never interleave their writes."""
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(directory / ".pipeline.lock"))
    try:
        with lock.acquire(timeout=timeout):
            yield
    except Timeout as exc:
        raise CatalogueError(
            f"another pipeline run holds the lock for {timeout:.0f} s; try again when it has finished",
            directory / ".pipeline.lock",
        ) from exc


__all__ = ["load_catalogue", "locked", "save_catalogue", "write_text_atomic"]
