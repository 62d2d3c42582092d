"""Files on disk: UTF-8 reading with line-numbered errors, atomic writes that skip unchanged content."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from .errors import PipelineError


def read_utf8(path: Path, error: type[PipelineError], what: str) -> str:
    """A file's text; unreadable or non-UTF-8 input raises ``error`` with the file (and line)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", path) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"not valid UTF-8 (save the {what} as UTF-8)", path, line) from exc
    return text[1:] if text.startswith("\ufeff") else text


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write via a temporary file and rename; skip if unchanged. True when the file was (re)written.

    A crash at any point leaves either the old file or the new one, never a partial file.
    ``durable`` also syncs the data to disk before the rename (for people's work, such as PO
    files); files we can regenerate (templates, build outputs) skip that cost.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # what mkstemp(prefix=".NAME.", suffix=".tmp") makes


def remove_stale_temps(directory: Path, older_than: float = 0.0) -> list[Path]:
    """Delete temporary files a killed run left behind (``.NAME.XXXXXXXX.tmp``); the ones deleted.

    Call it only where no other run can be writing (under the catalogue lock), or with
    ``older_than`` seconds so that a run in progress keeps its fresh temporary files.
    """
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    now = time.time()
    for path in directory.rglob(".*.tmp"):
        try:
            if _TEMP.match(path.name) and path.is_file() and now - path.stat().st_mtime >= older_than:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


def write_text_atomic(path: Path, text: str, durable: bool = True) -> bool:
    """:func:`write_bytes_atomic` for UTF-8 text."""
    return write_bytes_atomic(path, text.encode("utf-8"), durable)
