"""Word lists shipped as data (``checks/data/*.toml``) and how they are found in a text."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

UNSPACED = frozenset({"zh", "ja", "th", "lo", "km", "my"})
"""Languages written without spaces between words: a word is found anywhere."""

_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, superscript alef, tatweel


def base_language(language: str) -> str:
    """``zh_CN`` -> ``zh``."""
    return language.replace("-", "_").split("_")[0].lower()


def fold(text: str) -> str:
    """Case-folded, NFC, without Arabic vowel marks, so that a word matches however it is written."""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text)).casefold()


@lru_cache(maxsize=4)
def load(name: str) -> Mapping[str, object]:
    """One data file of this package, e.g. ``negation``."""
    data = resources.files(__package__).joinpath("data", f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Words that mean one thing in one language, and a compiled pattern that finds them."""

    pattern: re.Pattern[str]

    @classmethod
    def build(
        cls,
        words: Iterable[str] = (),
        prefixes: Iterable[str] = (),
        suffixes: Iterable[str] = (),
        substrings: Iterable[str] = (),
        unspaced: bool = False,
    ) -> Lexicon:
        def alternation(items: Iterable[str]) -> str:
            folded = sorted({fold(i) for i in items if i}, key=len, reverse=True)
            return "|".join(re.escape(i) for i in folded)

        parts = []
        if unspaced:
            substrings = [*substrings, *words, *prefixes, *suffixes]
        else:
            if w := alternation(words):
                parts.append(rf"(?<!\w)(?:{w})(?!\w)")
            if p := alternation(prefixes):
                parts.append(rf"(?<!\w)(?:{p})")
            if s := alternation(suffixes):
                parts.append(rf"(?:{s})(?!\w)")
        if sub := alternation(substrings):
            parts.append(f"(?:{sub})")
        return cls(re.compile("|".join(parts) or r"(?!x)x"))

    def found(self, text: str) -> list[str]:
        """Every occurrence, as folded text."""
        return [m.group(0) for m in self.pattern.finditer(fold(text))]


_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_URL = re.compile(r"\]\([^)]*\)|<[A-Za-z][A-Za-z0-9+.-]*:[^>\s]*>|\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")


def prose(text: str, names: Iterable[str] = ()) -> str:
    """``text`` without code spans, link destinations, addresses and the given names (do-not-translate)."""
    text = _URL.sub(" ", _CODE.sub(" ", text))
    for name in names:
        if name:
            text = text.replace(name, " ")
    return text
