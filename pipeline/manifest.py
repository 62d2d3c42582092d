"""What earlier builds made: each handout's fingerprint, and a record of every handout for the index."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from .config import BUILTIN_TEMPLATES, UI_DOMAIN, Config
from .fileio import write_text_atomic
from .model import Document, HandoutStatus
from .publish import HandoutResult, Plan
from .sources import source_files


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
