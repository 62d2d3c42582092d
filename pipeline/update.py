"""Stage: templates -> catalogues (``locales/<lang>/LC_MESSAGES/<doc>.po``), merged like msgmerge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .catalogue import (
    Catalogue,
    MergeStats,
    load_catalogue,
    locked,
    merge,
    new_catalogue,
    plural_forms,
    save_catalogue,
)
from .config import Config
from .errors import CatalogueError
from .segment import load_documents
from .sources import domains


@dataclass(frozen=True, slots=True)
class UpdateResult:
    doc_id: str
    language: str
    path: Path
    created: bool
    written: bool
    stats: MergeStats


def _template_for(config: Config, domain: str) -> Catalogue:
    path = config.pot_path(domain)
    if not path.exists():
        raise CatalogueError("template not found: run 'pipeline extract' first", path)
    return load_catalogue(path)


def update(config: Config, languages: Sequence[str]) -> list[UpdateResult]:
    """Create or merge ``locales/<lang>/LC_MESSAGES/<doc>.po`` from each template.

    All PO files are read (and so checked) before any is written: a malformed
    file stops the run with its file and line, and nothing is overwritten.
    """
    every_domain = domains([d.id for d in load_documents(config)])
    results = []
    with locked(config.locales_dir):
        templates = {d: _template_for(config, d) for d in every_domain}
        existing = {
            (d, lang): load_catalogue(config.po_path(lang, d))
            for d in every_domain
            for lang in languages
            if config.po_path(lang, d).exists()
        }
        for domain in every_domain:
            pot = templates[domain]
            for lang in languages:
                path = config.po_path(lang, domain)
                old = existing.get((domain, lang))
                if old is None:
                    po = new_catalogue(pot, lang)
                    stats = MergeStats(kept=0, fuzzy=0, new=len(po.messages), obsolete=0)
                else:
                    po, stats = merge(old, pot, config.fuzzy_cutoff)
                    if not po.header_value("Language"):
                        po.set_header("Language", lang)
                    if not po.header_value("Plural-Forms"):
                        po.set_header("Plural-Forms", plural_forms(lang))
                written = save_catalogue(path, po)
                results.append(UpdateResult(domain, lang, path, old is None, written, stats))
    return results
