"""Terms and form: do-not-translate names, glossary terms, copied source, whitespace, punctuation, length."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .base import Context


@lru_cache(maxsize=1024)
def _word_pattern(term: str, prefix: str = "") -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){prefix}{re.escape(term.casefold())}(?!\w)")


def _contains(text: str, term: str) -> bool:
    return _word_pattern(term).search(text.casefold()) is not None


def check_do_not_translate(ctx: Context) -> Iterator[str]:
    """Names in the glossary's do-not-translate list appear exactly as in the source."""
    for term in ctx.glossary.do_not_translate:
        if term in ctx.source and ctx.source.count(term) > ctx.translation.count(term):
            yield f"do-not-translate term {term!r} is missing or changed"


# Clitics written joined to the next word: a glossary term may carry one of them.
_PREFIXES = {
    "ar": ("ال", "بال", "وال", "فال", "كال", "لل", "وبال", "ب", "و", "ف", "ك", "ل"),
    "fa": ("ب", "ن", "می"),
    "ur": ("ب",),
    "he": ("ה", "ב", "ל", "ו", "מ", "ש", "כ", "וה", "שה", "בה", "לה", "מה"),
}


_UNSPACED = ("zh", "ja", "th", "lo", "km", "my")
"""Languages written without spaces between words: a term is found anywhere."""


def _has_term(text: str, term: str, language: str) -> bool:
    if language.split("_")[0] in _UNSPACED:
        return term.casefold() in text.casefold()
    prefixes = _PREFIXES.get(language.split("_")[0], ())
    prefix = (
        "(?:" + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) + ")?"
        if prefixes
        else ""
    )
    return _word_pattern(term, prefix).search(text.casefold()) is not None


def check_glossary(ctx: Context) -> Iterator[str]:
    """The glossary's required translation is used for each of its terms (as a word, not inside one)."""
    for term, required in ctx.glossary.terms_for(ctx.language).items():
        if _contains(ctx.source, term) and not _has_term(ctx.translation, required, ctx.language):
            yield f"glossary: {term!r} should be translated as {required!r}"


def check_untranslated(ctx: Context) -> Iterator[str]:
    """The translation is not just the source copied."""
    if ctx.translation.strip() == ctx.source.strip() and sum(c.isalpha() for c in ctx.source) > 3:
        yield "translation is identical to the source"


def check_whitespace(ctx: Context) -> Iterator[str]:
    """Leading and trailing whitespace as in the source; no doubled spaces the source lacks."""
    for where, a, b in (
        (
            "leading",
            ctx.source[: len(ctx.source) - len(ctx.source.lstrip())],
            ctx.translation[: len(ctx.translation) - len(ctx.translation.lstrip())],
        ),
        (
            "trailing",
            ctx.source[len(ctx.source.rstrip()) :],
            ctx.translation[len(ctx.translation.rstrip()) :],
        ),
    ):
        if a != b:
            yield f"{where} whitespace differs: {a!r} in the source, {b!r} in the translation"
    if "  " in ctx.translation and "  " not in ctx.source:
        yield "doubled spaces"


_FINAL = {
    "?": {"ar": "؟", "fa": "؟", "ur": "؟", "zh": "？", "ja": "？", "el": ";", "am": "?", "hy": "՞"},
    ".": {
        "zh": "。",
        "ja": "。",
        "hi": "।",
        "mr": "।",
        "ne": "।",
        "bn": "।",
        "am": "።",
        "ti": "።",
        "ur": "۔",
    },
    "!": {"zh": "！", "ja": "！"},
}
_ENDS = {"?": "?？؟;՞", ".": ".。।።۔", "!": "!！"}


def check_punctuation(ctx: Context) -> Iterator[str]:
    """A sentence ends with the punctuation the language uses (``؟`` in Arabic, ``。`` in Chinese)."""
    src = ctx.source.rstrip()
    if not src or src[-1] not in _FINAL:
        return
    kind = src[-1]
    lang = ctx.language.split("_")[0]
    expected = _FINAL[kind].get(lang, kind)
    end = ctx.translation.rstrip().rstrip("»”\"')）」*_")
    last = end[-1:] if end else ""
    if last != expected and (last in _ENDS[kind] or last.isalnum() or not last):
        yield f"ends with {last!r}; a sentence ending in {kind!r} ends with {expected!r} in {ctx.language}"


_WIDE = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def check_length(ctx: Context) -> Iterator[str]:
    """A translation far shorter or longer than its source has probably lost or gained something."""
    if len(ctx.source) < 20:
        return
    wide = len(_WIDE.findall(ctx.translation)) > len(ctx.translation) / 3
    low, high = (0.15, 1.5) if wide else (0.4, 3.0)
    ratio = len(ctx.translation) / len(ctx.source)
    if not low <= ratio <= high:
        yield f"length is {ratio:.2f} times the source's (expected {low}-{high})"
