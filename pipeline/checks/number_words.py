"""``number-words``: "one tablet", "twice a day", "half an hour" keep their value in translation.

A number written as a word in the source must appear in the translation with the same
value, as digits or as a number word of the target language (``data/number_words.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .base import Context
from .lexicon import UNSPACED, Lexicon, base_language, fold, load, prose
from .numbers import numbers

# English words that look like numbers but are not counts here.
_NOT_COUNTS = re.compile(
    r"(?<!\w)(?:no|any|every|each|the|this|that|which|some|little)\s+one(?!\w)"
    r"|(?<!\w)one\s+(?:another|of\s+these\s+days)(?!\w)"
    r"|(?<!\w)at\s+once(?!\w)"
    r"|(?<!\w)once(?!\s+(?:a|an|per|each|every|daily|weekly|monthly|yearly|or|and|more)\b)(?=\s+\w)",
    re.IGNORECASE,
)


@lru_cache(maxsize=64)
def vocabulary(language: str) -> dict[float, Lexicon] | None:
    """Number words of a language by value, or None when we ship none for it."""
    data = load("number_words")
    lang = base_language(language)
    table = data.get(lang)
    if not isinstance(table, dict):
        return None
    unspaced = lang in UNSPACED
    return {float(value): Lexicon.build(words=words, unspaced=unspaced) for value, words in table.items()}


def _values_in_digits(text: str) -> set[float]:
    found = set()
    for groups in numbers(text):
        if len(groups) == 2 and len(groups[1]) != 3:  # 0.5 or 0,5; 1,000 is a thousand
            found.add(float(f"{groups[0]}.{groups[1]}"))
        else:
            found.add(float("".join(groups)))
    return found


_WORD = re.compile(r"\w+")


def _kept_verbatim(source: str, translation: str) -> str:
    """``source`` without words that the translation keeps as they are (a name: "One Mind Wellness")."""
    kept = set(_WORD.findall(translation))
    return _WORD.sub(lambda m: " " if m.group(0) in kept else m.group(0), source)


def word_values(text: str, language: str) -> dict[float, str]:
    """The values written as words in ``text`` (value -> the word as written)."""
    words = vocabulary(language)
    if not words:
        return {}
    if base_language(language) == "en":
        text = _NOT_COUNTS.sub(" ", fold(text))
    found = {}
    for value, lexicon in words.items():
        if hits := lexicon.found(text):
            found[value] = hits[0]
    return found


def _show(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def check_number_words(ctx: Context) -> Iterator[str]:
    """Every number word of the source has its value, in digits or words, in the translation."""
    if vocabulary(ctx.source_language) is None:
        return
    names = ctx.glossary.do_not_translate
    translation = prose(ctx.translation, names)
    wanted = word_values(_kept_verbatim(prose(ctx.source, names), translation), ctx.source_language)
    if not wanted:
        return
    if vocabulary(ctx.language) is None:
        return  # reported by check_number_words_coverage
    in_words = word_values(translation, ctx.language)
    present = _values_in_digits(translation) | set(in_words)
    for value, word in sorted(wanted.items()):
        if value not in present:
            others = sorted(set(in_words) - set(wanted))
            instead = f"; the translation says {', '.join(_show(v) for v in others)}" if others else ""
            yield f"the source says {word!r} ({_show(value)}) but the translation does not{instead}"


def check_number_words_coverage(ctx: Context) -> Iterator[str]:
    """A number word in the source, in a language we have no number words for, is reported."""
    if vocabulary(ctx.source_language) is None or vocabulary(ctx.language) is not None:
        return
    if wanted := word_values(prose(ctx.source, ctx.glossary.do_not_translate), ctx.source_language):
        word = next(iter(wanted.values()))
        yield f"number words not checked: none for {ctx.language} (source says {word!r})"
