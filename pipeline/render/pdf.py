"""PDF handouts with WeasyPrint: project files only, every glyph drawn or a clear error."""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import BuildError
from ..fileio import write_bytes_atomic

log = logging.getLogger("pipeline")

_NOTDEF = re.compile(r'unsupported by fonts: "(.+)" \(U\+([0-9A-F]+)\)')


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    """Import WeasyPrint, turning a missing system library into an error naming the package."""
    import ctypes.util

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


def warm_up() -> None:
    """Import WeasyPrint, ask fontconfig for the fonts and lay out a small page.

    Run once in a process that forks the render workers (see :mod:`pipeline.render.prefork`), it
    saves each of them about half a second.
    """
    weasyprint = _weasyprint()
    installed_families()
    weasyprint.HTML(string="<p>Warm-up</p>").write_pdf()


@lru_cache(maxsize=1)
def _font_files() -> dict[str, int] | None:
    """Font family -> size in bytes of its largest file, as fontconfig lists them; None without fc-list."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    out = subprocess.run(
        [fc_list, "--format", r"%{file}\t%{family}\n"], capture_output=True, text=True, check=False
    )
    sizes: dict[str, int] = {}
    for line in out.stdout.splitlines():
        path, _, families = line.partition("\t")
        try:
            size = os.path.getsize(path)
        except OSError:
            size = 0
        for name in families.split(","):
            sizes[name.strip()] = max(size, sizes.get(name.strip(), 0))
    return sizes


def installed_families() -> frozenset[str] | None:
    """Font families fontconfig knows, or None when it cannot be asked."""
    files = _font_files()
    return None if files is None else frozenset(files)


def check_fonts(families: Sequence[str], language: str) -> None:
    """Fail with the package to install when the language's own fonts are missing."""
    installed = installed_families()
    if installed is None:
        return
    own = families[0]
    if own not in installed:
        from ..localedata import font_package

        raise BuildError(
            f"the {language} handouts need the font {own!r}, which is not installed; "
            f"install it with: apt-get install {font_package(own)}"
        )


_DATA_IMAGE = re.compile(r"^data:(image/[\w.+-]+)(;base64)?,(.*)$", re.DOTALL)


class _Fetcher:
    """Serves files inside the allowed folders; refuses the network and everything else."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def __call__(self, url: str) -> Any:
        weasyprint = _weasyprint()
        parts = urlsplit(url)
        if parts.scheme == "data" and (m := _DATA_IMAGE.match(url)):
            # An image in the page itself (our QR codes): no file and no network is read.
            payload = unquote(m.group(3))
            body = base64.b64decode(payload) if m.group(2) else payload.encode()
            return weasyprint.urls.URLFetcherResponse(url, body=body, headers={"Content-Type": m.group(1)})
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


LARGE_PRINT_CSS = (
    "html { font-size: 18pt !important; } body, p, li, td, th, dd, dt { font-size: 1rem !important; "
    "line-height: 1.45 !important; } h1 { font-size: 1.6rem !important; } "
    "h2 { font-size: 1.3rem !important; }"
)
"""Large print: body text of 18 pt (headings larger), the same content."""


def render_pdf(
    html: str, base_url: Path, roots: Sequence[Path], language: str, extra_css: str = ""
) -> bytes:
    """The tagged PDF/UA-1 file of an HTML page (see :func:`render_pdf_pages`)."""
    return render_pdf_pages(html, base_url, roots, language, extra_css)[0]


def render_pdf_pages(
    html: str, base_url: Path, roots: Sequence[Path], language: str, extra_css: str = ""
) -> tuple[bytes, int]:
    """The tagged PDF/UA-1 file of an HTML page; a glyph no installed font has is a :class:`BuildError`.

    PDF/UA-1: a structure tree (headings, paragraphs, lists, tables, figures with their alt
    text, links), the document's language and title, embedded fonts, and XMP metadata saying so.
    """
    weasyprint = _weasyprint()
    fetcher = _Fetcher(roots)

    base: Any = weasyprint.urls.URLFetcher

    class Fetcher(base):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return fetcher(url)

    with _glyph_watch() as missing:
        document = weasyprint.HTML(string=html, base_url=str(base_url) + "/", url_fetcher=Fetcher())
        styles = [weasyprint.CSS(string=extra_css)] if extra_css else []
        rendered = document.render(stylesheets=styles, pdf_variant="pdf/ua-1")
        pdf: bytes = rendered.write_pdf(pdf_variant="pdf/ua-1")
        pages = len(rendered.pages)
    if missing:
        from ..localedata import font_package

        chars = ", ".join(f"{c!r} (U+{code})" for c, code in dict.fromkeys(missing))
        packages = sorted({font_package("CJK" if _is_cjk(int(code, 16)) else "core") for _, code in missing})
        raise BuildError(
            f"{language}: no installed font can draw {chars}; install {' or '.join(packages)}, "
            "or fix the text"
        )
    return pdf, pages


@dataclass(frozen=True, slots=True)
class PdfJob:
    """One handout's PDF: the page, where its relative links point, and where the PDF goes."""

    html: str
    base_url: Path
    roots: tuple[Path, ...]
    fonts: tuple[str, ...]
    language: str  # as messages name it: "العربية (ar)"
    doc_id: str
    out: Path
    large_out: Path | None = None  # also a large-print PDF here


def cost(job: PdfJob) -> int:
    """How long ``job`` will take to render, relatively, so that the longest can start first.

    WeasyPrint's time grows with the page's text and with the size of the language's own font,
    which it subsets for every PDF: measured here, a 19 MB CJK font costs about 0.1 s per PDF,
    as much as laying out 6,500 bytes of a page; hence one byte of font counts as 1/3,000 of
    a byte of page.
    """
    font = (_font_files() or {}).get(job.fonts[0], 0) if job.fonts else 0
    return len(job.html.encode()) + font // 3000


def write_pdf(job: PdfJob) -> BuildError | int:
    """Render ``job`` to its file(s); the number of pages, or the error when fonts are missing.

    The error is returned rather than raised so that a batch of jobs in worker processes reports
    every one.
    """
    try:
        check_fonts(job.fonts, job.language)
        pdf, pages = render_pdf_pages(job.html, job.base_url, job.roots, f"{job.language} {job.doc_id}")
        large = (
            render_pdf(job.html, job.base_url, job.roots, f"{job.language} {job.doc_id}", LARGE_PRINT_CSS)
            if job.large_out is not None
            else None
        )
    except BuildError as exc:
        return exc
    write_bytes_atomic(job.out, pdf, durable=False)
    if job.large_out is not None and large is not None:
        write_bytes_atomic(job.large_out, large, durable=False)
    return pages
