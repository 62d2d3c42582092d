"""QA checks on a translation against its source text.

Each check is a small named function with a severity, in an ordered list
(markdown-it's rule-list habit). Blocking problems keep an entry out of
published handouts; warnings are reported. ``pipeline check`` runs them all.
Drafting validates engine output with the same checks.
"""

from __future__ import annotations

from .base import Check, Context, Glossary, Problem, Severity, load_glossary
from .markup import (
    check_code,
    check_emphasis,
    check_html,
    check_images,
    check_links,
    markup,
    neutralise_html,
    sanctioned_html,
)
from .numbers import MASK, check_addresses, check_masks, check_numbers, numbers
from .wording import (
    check_do_not_translate,
    check_glossary,
    check_length,
    check_punctuation,
    check_untranslated,
    check_whitespace,
)

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


__all__ = [
    "CHECKS",
    "MASK",
    "Check",
    "Context",
    "Glossary",
    "Problem",
    "Severity",
    "blocking_problems",
    "check_code",
    "check_glossary",
    "check_links",
    "check_markup",
    "load_glossary",
    "markup",
    "neutralise_html",
    "numbers",
    "run_checks",
    "sanctioned_html",
]
