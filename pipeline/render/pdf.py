"""PDF handouts with WeasyPrint: project files only, every glyph drawn or a clear error."""

from __future__ import annotations

import ctypes.util
import logging
import mimetypes
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import BuildError
from ..localedata import font_package

log = logging.getLogger("pipeline")

_NOTDEF = re.compile(r'unsupported by fonts: "(.+)" \(U\+([0-9A-F]+)\)')


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    """Import WeasyPrint, turning a missing system library into an error naming the package."""
    try:
        import weasyprint
    except OSError as exc:  # Pango or its friends are missing
        raise BuildError(
            f"WeasyPrint cannot load a system library ({exc}); install them with: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from exc
    if ctypes.util.find_library("harfbuzz-subset") is None:
        raise BuildError(
            "libharfbuzz-subset is missing (WeasyPrint renders 5-20x slower without it); "
            "install it with: apt-get install libharfbuzz-subset0"
        )
    return weasyprint


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str] | None:
    """Font families fontconfig knows, or None when it cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=False).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def check_fonts(families: Sequence[str], language: str) -> None:
    """Fail with the package to install when the language's own fonts are missing."""
    installed = installed_families()
    if installed is None:
        return
    own = families[0]
    if own not in installed:
        raise BuildError(
            f"the {language} handouts need the font {own!r}, which is not installed; "
            f"install it with: apt-get install {font_package(own)}"
        )


class _Fetcher:
    """Serves files inside the allowed folders; refuses the network and everything else."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def __call__(self, url: str) -> Any:
        weasyprint = _weasyprint()
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return weasyprint.urls.URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": mime}
                )
        self.refused.append(url)
        log.warning("refused to fetch %s while rendering a PDF: only project files are used", url)
        raise ValueError(f"refused to fetch {url!r}: only files inside the project are used")


def _is_cjk(cp: int) -> bool:
    return (
        0x2E80 <= cp <= 0x9FFF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


@contextmanager
def _glyph_watch() -> Iterator[list[tuple[str, str]]]:
    missing: list[tuple[str, str]] = []

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            m = _NOTDEF.search(record.getMessage())
            if m:
                missing.append((m.group(1), m.group(2)))

    handler = Watch(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield missing
    finally:
        logger.removeHandler(handler)


def render_pdf(html: str, base_url: Path, roots: Sequence[Path], language: str) -> bytes:
    """The PDF of an HTML page; a character no installed font can draw is a :class:`BuildError`."""
    weasyprint = _weasyprint()
    fetcher = _Fetcher(roots)

    base: Any = weasyprint.urls.URLFetcher

    class Fetcher(base):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return fetcher(url)

    with _glyph_watch() as missing:
        document = weasyprint.HTML(string=html, base_url=str(base_url) + "/", url_fetcher=Fetcher())
        pdf: bytes = document.write_pdf()
    if missing:
        chars = ", ".join(f"{c!r} (U+{code})" for c, code in dict.fromkeys(missing))
        packages = sorted({font_package("CJK" if _is_cjk(int(code, 16)) else "core") for _, code in missing})
        raise BuildError(
            f"{language}: no installed font can draw {chars}; install {' or '.join(packages)}, "
            "or fix the text"
        )
    return pdf
