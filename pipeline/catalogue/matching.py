"""Find the old message a changed source text came from, fast and without false friends.

Babel's ``Catalog.update`` compares every new text with every old one
(quadratic). We look only at old texts that share rare words with the new one
(an inverted index), then score those few with rapidfuzz's normalised Indel
similarity. A strict cut-off, and pairing each old text with at most one new
text (best scores first, see :func:`pipeline.catalogue.merge.merge`), keep
brand-new text from being paired with old text that has a closer successor.
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
_VOTE_BUDGET = 1000
"""Most old texts one query may count votes for: the rarest word always counts, further
words only while the total stays under this. It keeps the cost of a query flat as the
catalogue grows (common words have posting lists as long as the catalogue)."""


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

    def candidates(self, query: str, limit: int = 3) -> list[tuple[int, float]]:
        """Up to ``limit`` (index, score) pairs at or above the cut-off, best first."""
        if not self.texts:
            return []
        words = [w for w in _words(query) if w in self._postings]
        if not words:
            if len(self.texts) > 200:
                return []
            found = process.extract(
                query, self.texts, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=limit
            )
            return [(int(i), float(score)) for _, score, i in found]
        words.sort(key=lambda w: len(self._postings[w]))
        votes: Counter[int] = Counter(self._postings[words[0]])
        budget = _VOTE_BUDGET - len(self._postings[words[0]])
        for word in words[1:_RARE_WORDS]:
            postings = self._postings[word]
            budget -= len(postings)
            if budget < 0:
                break
            votes.update(postings)
        scored = []
        for index, _ in votes.most_common(_MAX_CANDIDATES):
            score = fuzz.ratio(query, self.texts[index], score_cutoff=self.cutoff)
            if score:
                scored.append((index, float(score)))
        scored.sort(key=lambda p: (-p[1], p[0]))
        return scored[:limit]
