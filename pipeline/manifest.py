"""What earlier builds made: each handout's fingerprint, a record of every handout for the index,
and the last build's inputs and results, so that a build with nothing changed is not planned again.

Imports nothing heavier than the configuration: a no-op build answers from here before the
planning and rendering modules are loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from .config import BUILTIN_TEMPLATES, UI_DOMAIN, Config
from .fileio import write_text_atomic
from .model import Document, HandoutResult, HandoutStatus
from .sources import source_files

if TYPE_CHECKING:
    from .publish import Plan

log = logging.getLogger("pipeline")
RECORD = ".build-record.json"


def with_earlier_handouts(
    out_root: Path, documents: Sequence[Document], results: list[HandoutResult]
) -> list[HandoutResult]:
    """This build's handouts and, for languages it did not build (``--lang vi``), the earlier ones
    whose files are still there, so that the index never drops a published handout."""
    path = out_root / ".handouts.json"
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = []
    built = {(r.doc_id, r.language) for r in results}
    ids = {d.id for d in documents}
    earlier_pages = {(i.get("doc_id"), i.get("language")): i for i in earlier if isinstance(i, dict)}
    for r in results:  # an unchanged handout keeps the page count of the build that rendered it
        item = earlier_pages.get((r.doc_id, r.language))
        if not r.rebuilt and item and not r.pages:
            r.pages, r.over_budget = int(item.get("pages", 0)), str(item.get("over_budget", ""))
    merged = list(results)
    for item in earlier if isinstance(earlier, list) else []:
        key = (item.get("doc_id"), item.get("language"))
        if key in built or key[0] not in ids:
            continue
        outputs = [out_root / o for o in item.get("outputs", [])]
        if item.get("status") == HandoutStatus.WITHHELD.value or all(p.exists() for p in outputs):
            merged.append(
                HandoutResult(
                    str(key[0]),
                    str(key[1]),
                    HandoutStatus(item["status"]),
                    int(item.get("translated", 0)),
                    int(item.get("total", 0)),
                    str(item.get("reason", "")),
                    outputs,
                    counts={str(k): int(v) for k, v in item.get("counts", {}).items()},
                )
            )
    record = [
        {
            "doc_id": r.doc_id,
            "language": r.language,
            "status": r.status.value,
            "translated": r.translated,
            "total": r.total,
            "reason": r.reason,
            "outputs": [str(o.relative_to(out_root)) for o in r.outputs],
            "counts": r.counts,
            "pages": r.pages,
            "over_budget": r.over_budget,
        }
        for r in merged
    ]
    write_text_atomic(path, json.dumps(record, indent=1, ensure_ascii=False) + "\n", durable=False)
    return merged


def read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _digest_files(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(str(path).encode())
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()


def common_fingerprint(config: Config, preview: bool) -> str:
    """What every handout depends on: templates, styles, settings, glossary, assets, our version."""
    from . import __version__

    files = sorted(BUILTIN_TEMPLATES.rglob("*"))
    if config.project_templates.is_dir():
        files += sorted(config.project_templates.rglob("*"))
    files += [config.root / "pyproject.toml", config.glossary_path]
    files += [p for p in source_files(config.source_dir, config.root) if p.suffix != ".md"]
    return hashlib.sha256(f"{__version__} {preview} {_digest_files(files)}".encode()).hexdigest()


def fingerprint(
    config: Config, plan: Plan, plans: Sequence[Plan], formats: Sequence[str], common: str
) -> str:
    """Everything one handout is made from; an unchanged fingerprint means an unchanged output."""
    lang = plan.language
    siblings = sorted(
        p.language for p in plans if p.doc.id == plan.doc.id and p.status is not HandoutStatus.WITHHELD
    )
    files = [plan.doc.path]
    if not plan.is_source:
        files += [config.po_path(lang, plan.doc.id), config.po_path(lang, UI_DOMAIN)]
    parts = [common, lang, ",".join(siblings), ",".join(formats), _digest_files(files)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def build_inputs(config: Config, languages: Sequence[str], formats: Sequence[str], preview: bool) -> str:
    """A digest of everything a whole build reads: sources, assets, these languages' catalogues,
    templates, settings, glossary and our version. Equal digests mean equal outputs."""
    catalogues = sorted(p for lang in languages for p in config.po_path(lang, "*").parent.glob("*.po"))
    files = [*source_files(config.source_dir, config.root), *catalogues]
    parts = [
        common_fingerprint(config, preview),
        ",".join(languages),
        ",".join(formats),
        _digest_files(files),
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class _Kept(logging.Handler):
    """Keeps the warnings and errors logged during a build, to say them again when it is replayed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.said.append((record.levelno, record.getMessage()))


@contextmanager
def recording_warnings() -> Iterator[list[tuple[int, str]]]:
    """The warnings and errors logged (by the pipeline) inside the block."""
    kept = _Kept()
    log.addHandler(kept)
    try:
        yield kept.said
    finally:
        log.removeHandler(kept)


def save_record(
    out_root: Path, inputs: str, results: Sequence[HandoutResult], said: Sequence[tuple[int, str]]
) -> None:
    """Record a finished build: its inputs' digest, what it said, and each handout's result."""
    items = [{**asdict(r), "status": r.status.value, "outputs": [str(o) for o in r.outputs]} for r in results]
    record = {"inputs": inputs, "said": [list(s) for s in said], "results": items}
    write_text_atomic(
        out_root / RECORD, json.dumps(record, indent=1, ensure_ascii=False) + "\n", durable=False
    )


def output_root(config: Config, preview: bool) -> Path:
    return config.build_dir / "preview" if preview else config.build_dir


def replay(
    config: Config, languages: Sequence[str], formats: Sequence[str], preview: bool
) -> list[HandoutResult] | None:
    """The last build's results when it read exactly what this one would and every file it made
    is still there, after saying its warnings again; else None (build). A build that failed to
    render a handout is never replayed: the next one tries again."""
    out_root = output_root(config, preview)
    try:
        record = json.loads((out_root / RECORD).read_text(encoding="utf-8"))
        inputs = build_inputs(config, languages, formats, preview)
        if record["inputs"] != inputs:
            return None
        results = [_result(item) for item in record["results"]]
        said = [(int(level), str(text)) for level, text in record["said"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    made = [out_root / "index.html", out_root / ".handouts.json", *(o for r in results for o in r.outputs)]
    if any(r.failed for r in results) or not all(p.exists() for p in made):
        return None
    for level, text in said:
        log.log(level, "%s", text)
    return results


def _result(item: dict[str, object]) -> HandoutResult:
    result = HandoutResult(**item)  # type: ignore[arg-type]
    result.status = HandoutStatus(item["status"])
    result.outputs = [Path(str(o)) for o in result.outputs]
    result.rebuilt = False
    return result
