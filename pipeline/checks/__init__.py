"""QA checks on a translation against its source text.

Each check is a small named function with a severity, in an ordered list
(markdown-it's rule-list habit). Blocking problems keep an entry out of
published handouts; warnings are reported. ``pipeline check`` runs them all.
Drafting validates engine output with the same checks.
"""

from __future__ import annotations

from .base import (
    Check,
    Context,
    Glossary,
    Problem,
    References,
    Rule,
    Severity,
    load_glossary,
    reference_table,
)
from .characters import check_bidi, check_control
from .markup import (
    check_code,
    check_emphasis,
    check_footnotes,
    check_html,
    check_images,
    check_links,
    check_unsafe_targets,
    markup,
    neutralise_html,
    sanctioned_html,
)
from .negation import check_negation, check_negation_coverage
from .number_words import check_number_words, check_number_words_coverage
from .numbers import MASK, check_addresses, check_masks, check_numbers, numbers
from .placeholders import check_placeholders
from .units import check_units
from .wording import (
    check_do_not_translate,
    check_glossary,
    check_length,
    check_punctuation,
    check_untranslated,
    check_whitespace,
)

CHECKS: list[Rule] = [
    Rule("links", Severity.BLOCKING, check_links),
    Rule("images", Severity.BLOCKING, check_images),
    Rule("unsafe-targets", Severity.BLOCKING, check_unsafe_targets),
    Rule("footnotes", Severity.BLOCKING, check_footnotes),
    Rule("code", Severity.BLOCKING, check_code),
    Rule("numbers", Severity.BLOCKING, check_numbers, waivable=True),
    Rule("units", Severity.BLOCKING, check_units, waivable=True),
    Rule("number-words", Severity.BLOCKING, check_number_words, waivable=True),
    Rule("negation", Severity.WARNING, check_negation, blocking_when_critical=True, waivable=True),
    Rule("bidi", Severity.BLOCKING, check_bidi),
    Rule("control", Severity.BLOCKING, check_control),
    Rule("placeholders", Severity.BLOCKING, check_placeholders),
    Rule("addresses", Severity.BLOCKING, check_addresses),
    Rule("do-not-translate", Severity.BLOCKING, check_do_not_translate, waivable=True),
    Rule("masks", Severity.BLOCKING, check_masks),
    Rule("html", Severity.WARNING, check_html),
    Rule("emphasis", Severity.WARNING, check_emphasis),
    Rule("glossary", Severity.WARNING, check_glossary),
    Rule("untranslated", Severity.WARNING, check_untranslated),
    Rule("whitespace", Severity.WARNING, check_whitespace),
    Rule("punctuation", Severity.WARNING, check_punctuation),
    Rule("length", Severity.WARNING, check_length),
    Rule("not-checked", Severity.WARNING, check_negation_coverage),
    Rule("not-checked", Severity.WARNING, check_number_words_coverage),
]
"""Every check in the order it runs; ``negation`` blocks on critical entries only."""


def run_checks(ctx: Context) -> list[Problem]:
    """All problems of one translation."""
    if not ctx.translation:
        return []
    found = []
    for rule in CHECKS:
        waiver = ctx.waivers.get(rule.name, "") if rule.waivable else ""
        found += [Problem(rule.name, rule.severity_for(ctx), msg, waiver) for msg in rule.check(ctx)]
    return found


def blocking_problems(ctx: Context) -> list[Problem]:
    """The problems that keep a translation out of published handouts (waived ones do not)."""
    return [p for p in run_checks(ctx) if p.blocks]


WAIVABLE = frozenset(rule.name for rule in CHECKS if rule.waivable)
"""Checks a reviewer may waive on one entry: meaning checks that can misjudge a correct translation.

Structure and safety (links, images, code, bidi and control characters, placeholders,
drafting placeholders) are never waivable: a translation may not change them, whoever agrees."""


__all__ = [
    "CHECKS",
    "MASK",
    "WAIVABLE",
    "Check",
    "Context",
    "Glossary",
    "Problem",
    "References",
    "Rule",
    "Severity",
    "blocking_problems",
    "check_code",
    "check_glossary",
    "check_links",
    "check_negation",
    "check_units",
    "load_glossary",
    "markup",
    "neutralise_html",
    "numbers",
    "reference_table",
    "run_checks",
    "sanctioned_html",
]
