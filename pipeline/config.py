"""The project's configuration: the ``[tool.pipeline]`` table of its ``pyproject.toml``."""

from __future__ import annotations

import difflib
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from .errors import ConfigError, LanguageError
from .fileio import read_utf8

log = logging.getLogger("pipeline")

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


def _canonical(code: str) -> str:
    """gettext's spelling of a locale code: ``ES`` -> ``es``, ``zh-cn`` -> ``zh_CN``.

    (Babel would expand ``zh_CN`` to ``zh_Hans_CN``; catalogue folders keep the short form.)
    """
    parts = re.split(r"[-_]", code)
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())  # script
        elif len(part) in (2, 3):
            out.append(part.upper())  # territory
        else:
            out.append(part)
    return "_".join(out)


def normalize_language(code: str, where: str = "") -> str:
    """A gettext locale code in its canonical form (``zh_CN``), checked against Babel's CLDR data."""
    raw = code.strip()
    candidate = _canonical(raw)
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
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)  # [tool.pipeline.engines.<name>]
    extensions: tuple[str, ...] = ("footnotes", "alerts", "deflists", "attrs")
    qr_base_url: str = ""  # where the web versions are published: each PDF carries a QR code to its own
    large_print: bool = False  # also write <doc>.large.pdf with body text of 18 pt
    max_pages: int = 0  # default page budget of a printed handout (0: none; front matter max_pages wins)

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
    def memory_dir(self) -> Path:
        """Translation memories imported from agencies (TMX), used by the ``tm`` engine."""
        return self.root / "memory"

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


UI_DOMAIN = "ui"
"""Catalogue name of the words in the handout templates (a document may not use this id)."""

BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "render" / "templates"
"""The handout templates shipped with the pipeline; a project's ``templates/`` overrides them by name."""

UI_TEMPLATES = ("base.html", "handout.html", "callouts.html")
"""Templates whose words reach patients and so are translated (the index is for staff)."""


PAGE_SIZES = ("A4", "Letter", "A5", "Legal")
EXTENSIONS = ("footnotes", "alerts", "deflists", "attrs")
"""Markdown extensions a handout may use (mdit-py-plugins and markdown-it-py's own); all on by default."""


@dataclass(frozen=True, slots=True)
class _Setting:
    """One key of ``[tool.pipeline]``: its type (and range or choices), default and meaning."""

    kind: str  # text, bool, number, integer, texts, language, languages, choice, extensions
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


SETTINGS: dict[str, _Setting] = {
    "project_name": _Setting("text", "patient-handouts"),
    "clinic_name": _Setting("text", ""),
    "source_language": _Setting("language", "en"),
    "languages": _Setting("languages", ()),
    "front_matter_keys": _Setting("texts", ("title", "description")),
    "translator_note_marker": _Setting("text", "note for translators:"),
    "md_text_flag": _Setting("bool", False),
    "fuzzy_cutoff": _Setting("number", 75.0, low=1, high=100),
    "page_size": _Setting("choice", "A4", choices=PAGE_SIZES),
    "min_translated": _Setting("number", 100.0, low=0, high=100),
    "require_review": _Setting("bool", True),
    "critical_words": _Setting("texts", DEFAULT_CRITICAL_WORDS),
    "critical_marker": _Setting("text", "critical"),
    "extensions": _Setting("extensions", EXTENSIONS, choices=EXTENSIONS),
    "qr_base_url": _Setting("text", ""),
    "large_print": _Setting("bool", False),
    "max_pages": _Setting("integer", 0, low=0, high=1000),
}
"""The typed schema of ``[tool.pipeline]`` (``engines`` is checked by :data:`ENGINE_SETTINGS`)."""

ENGINE_SETTINGS: dict[str, _Setting] = {
    "url": _Setting("text", None),
    "api_key": _Setting("text", None),
    "model": _Setting("text", None),
    "region": _Setting("text", None),
    "email": _Setting("text", None),
    "client_id": _Setting("text", None),
    "use_free_api": _Setting("bool", None),
    "concurrency": _Setting("integer", None, low=1, high=64),
    "batch": _Setting("integer", None, low=1, high=200),
    "rate": _Setting("number", None, low=0.01, high=1000),
    "timeout": _Setting("number", None, low=0.1, high=600),
    "attempts": _Setting("integer", None, low=1, high=20),
    "backoff": _Setting("number", None, low=0, high=60),
    "flush_seconds": _Setting("number", None, low=0.01, high=600),
    "style": _Setting("language-texts", None),  # llm: style.es = "formal 'usted'; plain language"
}
"""What ``[tool.pipeline.engines.<name>]`` may hold; other keys are passed on to the engine as text."""


class _Reader:
    """Checks values against the schema; errors name pyproject.toml, the line and the key."""

    def __init__(self, path: Path, text: str, section: str) -> None:
        self.path, self.lines, self.section = path, text.splitlines(), section

    def line(self, key: str) -> int | None:
        start = next((i for i, line in enumerate(self.lines) if line.strip() == f"[{self.section}]"), -1)
        for i in range(start + 1, len(self.lines)):
            if self.lines[i].lstrip().startswith("["):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[i]):
                return i + 1
        return None

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"[{self.section}] {key}: {problem}", self.path, self.line(key))

    def language(self, key: str, code: str) -> str:
        try:
            return normalize_language(code)
        except LanguageError as exc:
            raise self.fail(key, exc.message) from None

    def value(self, key: str, setting: _Setting, value: Any) -> Any:
        def number(integer: bool) -> float:
            ok = isinstance(value, int) if integer else isinstance(value, int | float)
            what = "a whole number" if integer else "a number"
            if isinstance(value, bool) or not ok:
                raise self.fail(key, f"must be {what}, not {value!r}")
            if (setting.low is not None and value < setting.low) or (
                setting.high is not None and value > setting.high
            ):
                raise self.fail(key, f"must be from {setting.low:g} to {setting.high:g}, not {value!r}")
            return value  # type: ignore[no-any-return]

        if setting.kind in ("text", "choice", "language"):
            if not isinstance(value, str):
                raise self.fail(key, f"must be a text in quotes, not {value!r}")
            if setting.kind == "choice" and value not in setting.choices:
                raise self.fail(key, f"must be one of {', '.join(setting.choices)}, not {value!r}")
            return self.language(key, value) if setting.kind == "language" else value
        if setting.kind == "bool":
            if not isinstance(value, bool):
                raise self.fail(key, f"must be true or false (without quotes), not {value!r}")
            return value
        if setting.kind in ("number", "integer"):
            return number(setting.kind == "integer")
        if setting.kind == "language-texts":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise self.fail(key, f'must be texts by language, e.g. {key}.es = "...", not {value!r}')
            return {self.language(f"{key}.{k}", k): v for k, v in value.items()}
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f'must be a list of texts, e.g. ["a", "b"], not {value!r}')
        if setting.kind == "extensions":
            unknown = [v for v in value if v not in setting.choices]
            if unknown:
                raise self.fail(
                    key,
                    f"unknown extension(s) {', '.join(unknown)}; choose from {', '.join(setting.choices)}",
                )
            return tuple(dict.fromkeys(value))
        if setting.kind == "languages":
            return tuple(dict.fromkeys(self.language(key, v) for v in value))
        return tuple(value)

    def table(self, table: dict[str, Any], schema: dict[str, _Setting], pass_on: bool) -> dict[str, Any]:
        values = {}
        for key, raw in table.items():
            setting = schema.get(key)
            if setting is None:
                if pass_on and isinstance(raw, str | bool | int | float):
                    values[key] = raw
                    continue
                close = difflib.get_close_matches(key, list(schema), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                log.warning(
                    "%s:%s: [%s] %s is not a setting; ignored%s",
                    self.path,
                    self.line(key) or "",
                    self.section,
                    key,
                    hint,
                )
                continue
            values[key] = self.value(key, setting, raw)
        return values


def load_config(root: Path) -> Config:
    """Read ``root/pyproject.toml``; a missing table gives the defaults, bad values a clear error."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError("project folder does not exist", root)
    path = root / "pyproject.toml"
    text = ""
    table: dict[str, Any] = {}
    if path.exists():
        text = read_utf8(path, ConfigError, "pyproject.toml")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", path) from exc
        tool = data.get("tool", {})
        table = tool.get("pipeline", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError("[tool.pipeline] must be a table", path)
    reader = _Reader(path, text, "tool.pipeline")
    engines_table = table.pop("engines", {})
    values = reader.table(table, SETTINGS, pass_on=False)
    if not isinstance(engines_table, dict):
        raise reader.fail(
            "engines", f"must be a table of [tool.pipeline.engines.<name>] tables, not {engines_table!r}"
        )
    engines = {}
    for name, settings in engines_table.items():
        section = _Reader(path, text, f"tool.pipeline.engines.{name}")
        if not isinstance(settings, dict):
            raise _Reader(path, text, "tool.pipeline.engines").fail(
                name, f"must be a table of settings, not {settings!r}"
            )
        engines[name] = section.table(settings, ENGINE_SETTINGS, pass_on=True)
    settings = {key: values.get(key, s.default) for key, s in SETTINGS.items()}
    if settings["source_language"] in settings["languages"]:
        raise reader.fail("languages", f"lists the source language {settings['source_language']!r}")
    return Config(
        root=root,
        clinic_name=settings["clinic_name"],
        page_size=settings["page_size"],
        min_translated=float(settings["min_translated"]),
        require_review=settings["require_review"],
        critical_words=tuple(settings["critical_words"]),
        critical_marker=settings["critical_marker"],
        project_name=settings["project_name"],
        source_language=settings["source_language"],
        languages=tuple(settings["languages"]),
        front_matter_keys=tuple(settings["front_matter_keys"]),
        translator_note_marker=settings["translator_note_marker"],
        md_text_flag=settings["md_text_flag"],
        fuzzy_cutoff=float(settings["fuzzy_cutoff"]),
        engines=engines,
        extensions=tuple(settings["extensions"]),
        qr_base_url=settings["qr_base_url"],
        large_print=settings["large_print"],
        max_pages=int(settings["max_pages"]),
    )
