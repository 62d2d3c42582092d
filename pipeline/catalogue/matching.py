"""Find the old message a changed source text came from, fast and without false friends.

Babel's ``Catalog.update`` compares every new text with every old one
(quadratic). We look only at old texts that share rare words with the new one
(an inverted index), then score those few with rapidfuzz's normalised Indel
similarity. A strict cut-off keeps brand-new text from being paired with
unrelated old text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from rapidfuzz import fuzz, process

_WORD = re.compile(r"\w+", re.UNICODE)

DEFAULT_CUTOFF = 75.0
"""Minimum rapidfuzz ratio (0-100) for a pairing; gettext's 0.6 pairs too much."""

_RARE_WORDS = 6
_MAX_CANDIDATES = 24


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower())}


class FuzzyIndex:
    """The old texts that a new text may be paired with."""

    def __init__(self, texts: Sequence[str], cutoff: float = DEFAULT_CUTOFF) -> None:
        self.texts = list(texts)
        self.cutoff = cutoff
        self._postings: dict[str, list[int]] = {}
        for i, text in enumerate(self.texts):
            for word in _words(text):
                self._postings.setdefault(word, []).append(i)

    def best(self, query: str) -> int | None:
        """Index of the most similar old text, or None when nothing is similar enough."""
        if not self.texts:
            return None
        words = [w for w in _words(query) if w in self._postings]
        if not words:
            if len(self.texts) > 200:
                return None
            found = process.extractOne(query, self.texts, scorer=fuzz.ratio, score_cutoff=self.cutoff)
            return None if found is None else int(found[2])
        words.sort(key=lambda w: len(self._postings[w]))
        votes: Counter[int] = Counter()
        for word in words[:_RARE_WORDS]:
            votes.update(self._postings[word])
        best_index: int | None = None
        best_score = self.cutoff
        for index, _ in votes.most_common(_MAX_CANDIDATES):
            score = fuzz.ratio(query, self.texts[index], score_cutoff=best_score)
            if score > best_score or (score == best_score and best_index is None and score >= self.cutoff):
                best_index, best_score = index, score
        return best_index
