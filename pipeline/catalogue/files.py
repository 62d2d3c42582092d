"""Catalogue files on disk: read with clear errors, write atomically, lock the tree."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import CatalogueError
from .model import Catalogue
from .pofile import dumps_po, parse_po


def load_catalogue(path: Path) -> Catalogue:
    """Read a PO/POT file; any defect raises :class:`CatalogueError` with file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read catalogue: {exc.strerror}", path) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogueError("not valid UTF-8 (PO files must be saved as UTF-8)", path, line) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    catalogue = parse_po(text, path)
    charset = (catalogue.header_value("Content-Type") or "").partition("charset=")[2].strip().upper()
    if charset not in ("", "UTF-8", "CHARSET"):
        raise CatalogueError(f"charset {charset} is not supported; save the file as UTF-8", path)
    return catalogue


def write_text_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` via a temporary file and rename; skip if unchanged.

    Returns True when the file was (re)written. A crash at any point leaves
    either the old file or the new one, never a partial file.
    """
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CatalogueError(f"cannot read: {exc.strerror}", path) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def save_catalogue(path: Path, catalogue: Catalogue) -> bool:
    """Write a catalogue in gettext's exact form, atomically. True if the file changed."""
    return write_text_atomic(path, dumps_po(catalogue))


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
