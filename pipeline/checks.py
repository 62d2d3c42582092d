"""QA checks on a translation against its source text.

Each check is a small named function with a severity, in an ordered list
(markdown-it's rule-list habit). Blocking problems keep an entry out of
published handouts; warnings are reported. ``pipeline check`` runs them all.
"""

from __future__ import annotations

import enum
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .errors import ConfigError


class Severity(enum.Enum):
    BLOCKING = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    check: str
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class Glossary:
    """The project's ``glossary.toml``: names never translated, and required translations per language."""

    do_not_translate: tuple[str, ...] = ()
    terms: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # language -> source term -> target

    def terms_for(self, language: str) -> Mapping[str, str]:
        return self.terms.get(language) or self.terms.get(language.split("_")[0]) or {}


def load_glossary(path: Path) -> Glossary:
    """Read ``glossary.toml`` (absent: an empty glossary)."""
    if not path.exists():
        return Glossary()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from exc
    dnt = data.get("do_not_translate", [])
    terms = data.get("terms", {})
    if not isinstance(dnt, list) or not all(isinstance(t, str) for t in dnt):
        raise ConfigError("do_not_translate must be a list of strings", path)
    if not isinstance(terms, dict) or not all(
        isinstance(v, dict) and all(isinstance(a, str) and isinstance(b, str) for a, b in v.items())
        for v in terms.values()
    ):
        raise ConfigError("[terms.<lang>] tables must map source terms to translations", path)
    return Glossary(tuple(dnt), terms)


@dataclass(frozen=True, slots=True)
class Context:
    """One entry to check."""

    source: str
    translation: str
    language: str
    glossary: Glossary = field(default_factory=Glossary)


# ---------------------------------------------------------------- markup parity


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


@lru_cache(maxsize=8192)
def markup(text: str) -> tuple[tuple[str, str], ...]:
    """The inline markup a translation must keep: links, images, raw HTML, code spans, emphasis."""
    items: list[tuple[str, str]] = []
    for tok in _walk(_inline_parser().parseInline(text, {})):
        if tok.type == "link_open":
            items.append(("link", str(tok.attrGet("href") or "")))
        elif tok.type == "image":
            items.append(("image", str(tok.attrGet("src") or "")))
        elif tok.type == "html_inline":
            items.append(("html", tok.content))
        elif tok.type == "code_inline":
            items.append(("code", tok.content))
        elif tok.type in ("em_open", "strong_open"):
            items.append(("emphasis", tok.type))
    return tuple(items)


def _differences(kind: str, source: str, translation: str) -> str | None:
    want = Counter(v for k, v in markup(source) if k == kind)
    got = Counter(v for k, v in markup(translation) if k == kind)
    if want == got:
        return None
    parts = []
    if missing := sorted((want - got).elements()):
        parts.append("missing " + ", ".join(repr(v) for v in missing))
    if extra := sorted((got - want).elements()):
        parts.append("not in the source " + ", ".join(repr(v) for v in extra))
    return "; ".join(parts)


def check_links(ctx: Context) -> Iterator[str]:
    """Every link target of the source and no other: a translation must never redirect a patient."""
    if diff := _differences("link", ctx.source, ctx.translation):
        yield f"link targets differ: {diff}"


def check_images(ctx: Context) -> Iterator[str]:
    """Every image source of the source and no other."""
    if diff := _differences("image", ctx.source, ctx.translation):
        yield f"image sources differ: {diff}"


def check_code(ctx: Context) -> Iterator[str]:
    """Code spans are literal (commands, values): they are copied, not translated."""
    if diff := _differences("code", ctx.source, ctx.translation):
        yield f"code spans differ: {diff}"


def check_emphasis(ctx: Context) -> Iterator[str]:
    """As many emphasised and bold passages as the source."""
    want = Counter(v for k, v in markup(ctx.source) if k == "emphasis")
    got = Counter(v for k, v in markup(ctx.translation) if k == "emphasis")
    if want != got:
        yield f"emphasis differs: source has {sum(want.values())}, translation {sum(got.values())}"


def check_html(ctx: Context) -> Iterator[str]:
    """Inline HTML the source does not have is shown as text, never run."""
    want = {v for k, v in markup(ctx.source) if k == "html"}
    if extra := sorted({v for k, v in markup(ctx.translation) if k == "html"} - want):
        yield "raw HTML not in the source (shown as text): " + ", ".join(extra)


def sanctioned_html(source: str) -> frozenset[str]:
    """The inline HTML snippets a translation of ``source`` may contain and have rendered."""
    return frozenset(v for k, v in markup(source) if k == "html")


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>")
_BACKTICKS = re.compile(r"`+")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where code spans are: a run of N backticks up to the next run of exactly N."""
    spans = []
    runs = list(_BACKTICKS.finditer(text))
    i = 0
    while i < len(runs):
        opener = runs[i]
        closer = next((r for r in runs[i + 1 :] if len(r.group()) == len(opener.group())), None)
        if closer is None:
            i += 1
            continue
        spans.append((opener.start(), closer.end()))
        i = runs.index(closer) + 1
    return spans


def neutralise_html(source: str, translation: str) -> str:
    """The translation with every tag-like ``<`` its source does not sanction escaped as ``\\<``.

    The source's own inline HTML, autolinks and code spans stay as they are;
    anything else that any Markdown renderer could take for HTML becomes text.
    """
    keep = list(_code_spans(translation))
    keep += [(m.start(), m.end()) for m in _AUTOLINK.finditer(translation)]
    for snippet in sanctioned_html(source):
        start = translation.find(snippet)
        while start != -1:
            keep.append((start, start + len(snippet)))
            start = translation.find(snippet, start + 1)
    out = []
    last = 0
    for m in _TAG_START.finditer(translation):
        if any(a <= m.start() < b for a, b in keep) or (m.start() > 0 and translation[m.start() - 1] == "\\"):
            continue
        out.append(translation[last : m.start()])
        out.append("\\<")
        last = m.start() + 1
    out.append(translation[last:])
    return "".join(out)


# ---------------------------------------------------------------- numbers


MASK = re.compile(r"⟦\d+⟧")
"""How drafting masks protected markup; one left in a translation is a damaged draft."""


_NUMBER = re.compile(r"\d+(?:[.,\u066b\u066c\u00a0\u202f'’]\d+)*")


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def numbers(text: str) -> Counter[tuple[str, ...]]:
    """Every number as its digit groups: ``1.5`` and ``1,5`` agree, ``5`` and ``50`` do not.

    Locale digits (Arabic-Indic, Persian, Devanagari...) count as their value.
    Link targets and image sources are left out (the links check covers them).
    """
    plain = MASK.sub(" ", text)
    for kind, value in markup(text):
        if kind in ("link", "image") and value:
            plain = plain.replace(value, " ")
    found: Counter[tuple[str, ...]] = Counter()
    for m in _NUMBER.finditer(_ascii_digits(plain)):
        groups = re.split(r"[.,\u066b\u066c\u00a0\u202f'’]", m.group(0))
        found[tuple(g.lstrip("0") or "0" for g in groups)] += 1
    return found


def check_numbers(ctx: Context) -> Iterator[str]:
    """Doses, times, durations and phone numbers keep their exact values."""
    want, got = numbers(ctx.source), numbers(ctx.translation)
    if want != got:

        def show(c: Counter[tuple[str, ...]]) -> str:
            return ", ".join(".".join(k) for k in sorted(c.elements()))

        parts = []
        if want - got:
            parts.append(f"missing {show(want - got)}")
        if got - want:
            parts.append(f"not in the source {show(got - want)}")
        yield "numbers differ: " + "; ".join(parts)


# ---------------------------------------------------------------- addresses and terms


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"']+[^\s<>()\[\]\"'.,;:!?]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def check_addresses(ctx: Context) -> Iterator[str]:
    """Web addresses and e-mail addresses written in the text are copied unchanged."""
    for name, pattern in (("web addresses", _URL), ("e-mail addresses", _EMAIL)):
        want, got = Counter(pattern.findall(ctx.source)), Counter(pattern.findall(ctx.translation))
        if want != got:
            missing, extra = sorted((want - got).elements()), sorted((got - want).elements())
            yield f"{name} differ: missing {missing}, extra {extra}"


def _contains(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term.casefold())}(?!\w)", text.casefold()) is not None


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
    return re.search(rf"(?<!\w){prefix}{re.escape(term.casefold())}(?!\w)", text.casefold()) is not None


def check_glossary(ctx: Context) -> Iterator[str]:
    """The glossary's required translation is used for each of its terms (as a word, not inside one)."""
    for term, required in ctx.glossary.terms_for(ctx.language).items():
        if _contains(ctx.source, term) and not _has_term(ctx.translation, required, ctx.language):
            yield f"glossary: {term!r} should be translated as {required!r}"


# ---------------------------------------------------------------- form


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


def check_masks(ctx: Context) -> Iterator[str]:
    """No placeholder from machine drafting is left in the text."""
    if MASK.search(ctx.translation) and not MASK.search(ctx.source):
        yield "leftover drafting placeholder " + ", ".join(sorted(set(MASK.findall(ctx.translation))))


Check = Callable[[Context], Iterator[str]]

CHECKS: list[tuple[str, Severity, Check]] = [
    ("links", Severity.BLOCKING, check_links),
    ("images", Severity.BLOCKING, check_images),
    ("code", Severity.BLOCKING, check_code),
    ("numbers", Severity.BLOCKING, check_numbers),
    ("addresses", Severity.BLOCKING, check_addresses),
    ("do-not-translate", Severity.BLOCKING, check_do_not_translate),
    ("masks", Severity.BLOCKING, check_masks),
    ("html", Severity.WARNING, check_html),
    ("emphasis", Severity.WARNING, check_emphasis),
    ("glossary", Severity.WARNING, check_glossary),
    ("untranslated", Severity.WARNING, check_untranslated),
    ("whitespace", Severity.WARNING, check_whitespace),
    ("punctuation", Severity.WARNING, check_punctuation),
    ("length", Severity.WARNING, check_length),
]
"""Every check in the order it runs: name, severity, function."""


def run_checks(ctx: Context) -> list[Problem]:
    """All problems of one translation."""
    if not ctx.translation:
        return []
    return [Problem(name, severity, msg) for name, severity, check in CHECKS for msg in check(ctx)]


def blocking_problems(ctx: Context) -> list[Problem]:
    """The problems that keep a translation out of published handouts."""
    return [p for p in run_checks(ctx) if p.severity is Severity.BLOCKING]


def check_markup(source: str, translation: str) -> list[Problem]:
    """The markup checks alone (links, images, code, raw HTML, emphasis)."""
    ctx = Context(source, translation, "")
    names = {"links", "images", "code", "html", "emphasis"}
    return [Problem(n, s, m) for n, s, c in CHECKS if n in names for m in c(ctx)]
