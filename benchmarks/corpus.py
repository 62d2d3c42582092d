"""Deterministic inputs for the benchmarks: real English prose, controlled edits.

The prose is sentences from the docstrings of the standard library's sources
(read with ``ast``, nothing imported): real English on every machine, no network.
"""

from __future__ import annotations

import ast
import random
import re
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _docstrings(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    nodes = [
        tree,
        *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)),
    ]
    return [d for d in (ast.get_docstring(n) for n in nodes) if d]


@lru_cache(maxsize=1)
def sentences() -> tuple[str, ...]:
    """Distinct English sentences of 40-220 characters from the standard library's docstrings."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        p
        for p in stdlib.rglob("*.py")
        if not {"test", "tests", "idle_test", "site-packages", "lib2to3"} & set(p.relative_to(stdlib).parts)
    )
    seen: dict[str, None] = {}
    for path in files:
        for doc in _docstrings(path):
            for para in doc.split("\n\n"):
                text = " ".join(para.split())
                for s in _SENTENCE.split(text):
                    if 40 <= len(s) <= 220 and s[0].isupper() and s[-1] in ".!?" and ">>>" not in s:
                        seen.setdefault(s, None)
    return tuple(seen)


def slight_edit(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """A small change a writer makes: one word replaced, added or dropped, or punctuation."""
    words = text.split(" ")
    kind = rng.choice(("replace", "insert", "delete", "punct"))
    i = rng.randrange(len(words))
    if kind == "replace":
        words[i] = rng.choice(vocabulary)
    elif kind == "insert":
        words.insert(i, rng.choice(vocabulary))
    elif kind == "delete" and len(words) > 4:
        del words[i]
    else:
        return text[:-1] + ("!" if text.endswith(".") else ".")
    edited = " ".join(words)
    return edited if edited != text else edited + " again"


def composed(pool: list[str], count: int, rng: random.Random) -> list[str]:
    """``count`` more distinct texts for catalogues larger than the prose at hand (the
    100,000-entry scaling run): the first half of one real sentence and the second half of
    another, so they are as long as the real ones. Texts that share a half are about 50%
    alike, well under the fuzzy cut-off, so pairing quality stays measurable."""
    halves = []
    for text in pool:
        cut = text.find(" ", len(text) // 2)
        if cut > 0:
            halves.append((text[:cut], text[cut:]))
    seen = set(pool)
    out: list[str] = []
    while len(out) < count:
        text = rng.choice(halves)[0] + rng.choice(halves)[1]
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


@dataclass(frozen=True)
class MergeCase:
    """An old translated catalogue and a new template: kept, slightly edited and brand-new texts."""

    old: list[tuple[str, str]]  # (msgid, msgstr)
    new: list[str]
    edited: dict[str, str]  # new text -> the old text it was edited from
    fresh: set[str]  # brand-new texts: must not inherit a translation


def merge_case(size: int, seed: int = 1, edited_share: float = 0.10, new_share: float = 0.05) -> MergeCase:
    rng = random.Random(seed)
    pool = list(sentences())
    need = size + int(size * new_share)
    if len(pool) < need:
        pool += composed(pool, need - len(pool), rng)
    rng.shuffle(pool)
    base, extra = pool[:size], pool[size : size + int(size * new_share)]
    vocabulary = sorted({w for s in base[:2000] for w in s.split(" ") if w.isalpha()})
    old = [(s, "XX " + s[::-1]) for s in base]
    new: list[str] = []
    edited: dict[str, str] = {}
    taken = set(base)
    for s in base:
        if rng.random() < edited_share:
            e = slight_edit(s, rng, vocabulary)
            if e in taken:
                new.append(s)
                continue
            taken.add(e)
            edited[e] = s
            new.append(e)
        else:
            new.append(s)
    for s in extra:
        new.insert(rng.randrange(len(new) + 1), s)
    return MergeCase(old=old, new=new, edited=edited, fresh=set(extra))


def markdown_corpus(count: int = 200, seed: int = 7) -> list[str]:
    """Synthetic documentation: front matter, headings, paragraphs, lists, tables, code, emphasis, links."""
    rng = random.Random(seed)
    pool = list(sentences())
    docs = []
    for d in range(count):
        parts = [f"---\ntitle: Handout {d}\nid: handout-{d}\n---\n", f"# {rng.choice(pool)[:60]}\n"]
        for _ in range(rng.randint(30, 45)):
            kind = rng.random()
            if kind < 0.45:
                words = " ".join(rng.sample(pool, 3)).split(" ")
                i = rng.randrange(len(words))
                words[i] = f"**{words[i]}**"
                parts.append(" ".join(words) + "\n")
            elif kind < 0.65:
                parts.append("\n".join(f"- {rng.choice(pool)}" for _ in range(rng.randint(2, 5))) + "\n")
            elif kind < 0.75:
                parts.append(f"## {rng.choice(pool)[:50]}\n")
            elif kind < 0.85:
                rows = "\n".join(f"| {rng.choice(pool)[:30]} | `{d}` |" for _ in range(3))
                parts.append("| Item | Code |\n|---|---|\n" + rows + "\n")
            elif kind < 0.92:
                parts.append(f"See [the guide](https://example.org/{d}) for {rng.choice(pool)[:40]}.\n")
            else:
                parts.append("```\ncode sample\nmore code\n```\n")
        docs.append("\n".join(parts))
    return docs
