"""Stage: templates -> catalogues (``locales/<lang>/LC_MESSAGES/<doc>.po``), merged like msgmerge."""

from __future__ import annotations

import logging
from collections import Counter
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

log = logging.getLogger("pipeline")


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


def language_plural_forms(language: str, catalogues: Sequence[Catalogue]) -> str:
    """The Plural-Forms every catalogue of a language should carry.

    The one most of its catalogues already have (translators' plural entries follow it), else
    CLDR's via Babel. CLDR changes over time (Spanish went from 2 forms to 3), so a new catalogue
    must follow its siblings rather than the current CLDR data.
    """
    found = Counter(v for c in catalogues if (v := c.header_value("Plural-Forms")))
    return found.most_common(1)[0][0] if found else plural_forms(language)


def _same_plural_forms(po: Catalogue, rule: str, path: Path) -> None:
    current = po.header_value("Plural-Forms")
    if current == rule:
        return
    if current and any(m.msgid_plural is not None for m in po.messages):
        log.warning(
            "%s: Plural-Forms %r differs from the language's %r; kept, as it has plural entries",
            path,
            current,
            rule,
        )
        return
    if current:
        log.info("%s: Plural-Forms set to %r, as in the language's other catalogues", path, rule)
    po.set_header("Plural-Forms", rule)


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
        rules = {
            lang: language_plural_forms(lang, [c for (_, la), c in existing.items() if la == lang])
            for lang in languages
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
                    for note in stats.notes:
                        log.warning("%s:%s", path, note.removeprefix("line "))
                    if not po.header_value("Language"):
                        po.set_header("Language", lang)
                _same_plural_forms(po, rules[lang], path)
                written = save_catalogue(path, po)
                results.append(UpdateResult(domain, lang, path, old is None, written, stats))
    return results
