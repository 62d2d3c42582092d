"""``negation``: a source sentence that says "do not", "never" or "without" must say it in translation.

Dropping a negation turns a warning into an instruction ("Do not drive" -> "Drive"). The
markers per language are data (``data/negation.toml``); the check is blocking on critical
entries (doses, warnings) and a warning elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from .base import Context
from .lexicon import UNSPACED, Lexicon, base_language, load, prose


@lru_cache(maxsize=64)
def markers(language: str) -> Lexicon | None:
    """The negation markers of a language, or None when we ship no list for it."""
    lang = base_language(language)
    table = load("negation").get(lang)
    if not isinstance(table, dict):
        return None
    return Lexicon.build(
        words=table.get("words", ()),
        prefixes=table.get("prefixes", ()),
        suffixes=table.get("suffixes", ()),
        substrings=table.get("substrings", ()),
        unspaced=lang in UNSPACED,
    )


def supported_languages() -> list[str]:
    return sorted(load("negation"))


def check_negation(ctx: Context) -> Iterator[str]:
    """A negated source needs a negation in the translation."""
    source, target = markers(ctx.source_language), markers(ctx.language)
    if source is None or target is None:
        return  # reported by check_negation_coverage
    names = ctx.glossary.do_not_translate
    found = source.found(prose(ctx.source, names))
    if found and not target.found(prose(ctx.translation, names)):
        yield f"the source says {found[0]!r} but the translation has no negation: it may say the opposite"


def check_negation_coverage(ctx: Context) -> Iterator[str]:
    """A negated source in a language we have no markers for is reported, not passed silently."""
    for language in (ctx.source_language, ctx.language):
        if markers(language) is None:
            yield f"negation not checked: no negation markers for {language} (checks/data/negation.toml)"
            return
