"""Files on disk: UTF-8 reading with line-numbered errors, atomic writes that skip unchanged content."""

from __future__ import annotations

import os
import tempfile
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


def write_text_atomic(path: Path, text: str, durable: bool = True) -> bool:
    """:func:`write_bytes_atomic` for UTF-8 text."""
    return write_bytes_atomic(path, text.encode("utf-8"), durable)
