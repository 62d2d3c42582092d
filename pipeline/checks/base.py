"""What every check works on: one entry's source and translation, and the project's glossary."""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError


class Severity(enum.Enum):
    BLOCKING = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    check: str
    severity: Severity
    message: str
    waiver: str = ""  # who waived this finding on this entry, when and why; a waived problem does not block

    @property
    def blocks(self) -> bool:
        return self.severity is Severity.BLOCKING and not self.waiver


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


References = tuple[tuple[str, str], ...]
"""A document's link reference definitions: (normalised label, destination), sorted."""


def reference_table(definitions: Mapping[str, str]) -> References:
    """``References`` from markdown-it's ``env["references"]`` labels and their destinations."""
    return tuple(sorted(definitions.items()))


@dataclass(frozen=True, slots=True)
class Context:
    """One entry to check: its source and translation, and what the checks need to know about it."""

    source: str
    translation: str
    language: str
    glossary: Glossary = field(default_factory=Glossary)
    critical: bool = False  # doses, warnings...: some checks block only here
    references: References = ()  # the document's reference definitions, to resolve [text][label]
    source_language: str = "en"
    waivers: Mapping[str, str] = field(default_factory=dict)  # check name -> a reviewer's valid waiver


Check = Callable[[Context], Iterator[str]]
"""A check yields one message per problem it finds."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A named check with its severity; ``blocking_when_critical`` raises a warning on critical entries."""

    name: str
    severity: Severity
    check: Check
    blocking_when_critical: bool = False
    waivable: bool = False  # a reviewer may waive a finding of it on one entry, with a reason

    def severity_for(self, ctx: Context) -> Severity:
        return Severity.BLOCKING if self.blocking_when_critical and ctx.critical else self.severity
