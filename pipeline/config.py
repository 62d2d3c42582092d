"""The project's configuration: the ``[tool.pipeline]`` table of its ``pyproject.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from .errors import ConfigError, LanguageError

# Words that make an entry critical: it needs a second reviewer's sign-off (see pipeline.review).
DEFAULT_CRITICAL_WORDS = (
    "mg",
    "mcg",
    "µg",
    "ml",
    "kg",
    "mmHg",
    "bpm",
    "units",
    "dose",
    "doses",
    "dosage",
    "hour",
    "hours",
    "minute",
    "minutes",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "warning",
    "caution",
    "danger",
    "emergency",
    "911",
    "do not",
    "don't",
    "never",
    "stop",
    "immediately",
    "call",
    "avoid",
    "drive",
    "alcohol",
    "pregnant",
    "allergic",
    "overdose",
)


def normalize_language(code: str, where: str = "") -> str:
    """A gettext locale code (``zh_CN``) checked against Babel's CLDR data."""
    raw = code.strip()
    candidate = raw.replace("-", "_")
    try:
        locale = Locale.parse(candidate)
    except (UnknownLocaleError, ValueError, TypeError):
        locale = None
    if locale is not None and locale.territory and locale.territory not in Locale("en").territories:
        locale = None
    if locale is not None and locale.territory == "ZZ":
        locale = None
    if locale is None or not candidate or not candidate.replace("_", "").isalnum():
        hint = f" (in {where})" if where else ""
        raise LanguageError(
            f"unknown language code {raw!r}{hint}: use a gettext locale code such as es, ar, zh_CN, fa, vi"
        )
    return candidate


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for one project folder (holding ``source/``, ``locales/`` and ``build/``)."""

    root: Path
    project_name: str = "patient-handouts"
    source_language: str = "en"
    languages: tuple[str, ...] = ()
    front_matter_keys: tuple[str, ...] = ("title", "description")
    translator_note_marker: str = "note for translators:"
    md_text_flag: bool = False
    fuzzy_cutoff: float = 75.0
    clinic_name: str = ""
    page_size: str = "A4"
    min_translated: float = 100.0
    require_review: bool = True
    critical_words: tuple[str, ...] = DEFAULT_CRITICAL_WORDS
    critical_marker: str = "critical"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def glossary_path(self) -> Path:
        return self.root / "glossary.toml"

    @property
    def clinic(self) -> str:
        return self.clinic_name or self.project_name

    @property
    def project_templates(self) -> Path:
        """A project's own templates override the built-in ones."""
        return self.root / "templates"

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.locales_dir / "templates"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def pot_path(self, doc_id: str) -> Path:
        return self.templates_dir / f"{doc_id}.pot"

    def po_path(self, language: str, doc_id: str) -> Path:
        return self.locales_dir / language / "LC_MESSAGES" / f"{doc_id}.po"

    def select_languages(self, requested: str | None) -> tuple[str, ...]:
        """Languages from a ``--lang es,ar`` option, else the configured ones."""
        if requested:
            langs = tuple(normalize_language(c, "--lang") for c in requested.split(",") if c.strip())
        else:
            langs = self.languages
        if not langs:
            raise ConfigError("no languages: pass --lang or set languages in [tool.pipeline]")
        if self.source_language in langs:
            raise ConfigError(f"{self.source_language} is the source language; it needs no translation")
        return tuple(dict.fromkeys(langs))


_KNOWN = {
    "project_name",
    "source_language",
    "languages",
    "front_matter_keys",
    "translator_note_marker",
    "md_text_flag",
    "fuzzy_cutoff",
    "clinic_name",
    "page_size",
    "min_translated",
    "require_review",
    "critical_words",
    "critical_marker",
}

UI_DOMAIN = "ui"
"""Catalogue name of the words in the handout templates (a document may not use this id)."""

BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "render" / "templates"
"""The handout templates shipped with the pipeline; a project's ``templates/`` overrides them by name."""

UI_TEMPLATES = ("base.html", "handout.html")
"""Templates whose words reach patients and so are translated (the index is for staff)."""


def load_config(root: Path) -> Config:
    """Read ``root/pyproject.toml``; a missing table gives the defaults, bad values a clear error."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError("project folder does not exist", root)
    path = root / "pyproject.toml"
    table: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", path) from exc
        table = data.get("tool", {}).get("pipeline", {})
    where = f"{path.name} [tool.pipeline]"
    unknown = sorted(set(table) - _KNOWN - {"engines"})
    if unknown:
        raise ConfigError(f"unknown setting(s) in [tool.pipeline]: {', '.join(unknown)}", path)

    def text_list(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} must be a list of strings", path)
        return tuple(value)

    source_language = normalize_language(str(table.get("source_language", "en")), where)
    languages = tuple(normalize_language(c, where) for c in text_list("languages", ()))
    if source_language in languages:
        raise ConfigError(f"languages lists the source language {source_language!r}", path)
    cutoff = table.get("fuzzy_cutoff", 75.0)
    if not isinstance(cutoff, int | float) or not 0 < cutoff <= 100:
        raise ConfigError("fuzzy_cutoff must be a number from 1 to 100", path)
    page_size = str(table.get("page_size", "A4"))
    if page_size not in ("A4", "Letter", "A5", "Legal"):
        raise ConfigError(f"page_size must be A4, Letter, A5 or Legal, not {page_size!r}", path)
    minimum = table.get("min_translated", 100)
    if not isinstance(minimum, int | float) or not 0 <= minimum <= 100:
        raise ConfigError("min_translated must be a percentage from 0 to 100", path)
    return Config(
        root=root,
        clinic_name=str(table.get("clinic_name", "")),
        page_size=page_size,
        min_translated=float(minimum),
        require_review=bool(table.get("require_review", True)),
        critical_words=text_list("critical_words", DEFAULT_CRITICAL_WORDS),
        critical_marker=str(table.get("critical_marker", "critical")),
        project_name=str(table.get("project_name", "patient-handouts")),
        source_language=source_language,
        languages=languages,
        front_matter_keys=text_list("front_matter_keys", ("title", "description")),
        translator_note_marker=str(table.get("translator_note_marker", "note for translators:")),
        md_text_flag=bool(table.get("md_text_flag", False)),
        fuzzy_cutoff=float(cutoff),
        extra={"engines": table.get("engines", {})},
    )
