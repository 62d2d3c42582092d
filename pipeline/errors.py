"""One error hierarchy for everything a user can get wrong.

The CLI turns a :class:`PipelineError` into ``path:line: message`` and a non-zero
exit code; any other exception is a bug in our code.
"""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base class of every error caused by input, configuration or environment."""

    exit_code = 2

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(PipelineError):
    """The project's configuration (``[tool.pipeline]``, command-line options) is invalid."""


class LanguageError(ConfigError):
    """A language code is not a locale Babel knows."""


class SourceError(PipelineError):
    """A source document cannot be read: broken front matter, bad encoding, ..."""


class CatalogueError(PipelineError):
    """A PO/POT file is malformed or cannot be written."""


class BuildError(PipelineError):
    """Reassembling or rendering a document failed."""
