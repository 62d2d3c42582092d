"""Translation engines behind one small interface.

Every deep-translator provider that translates sentences is an :class:`EngineSpec`
(its class, how our locale codes map to its codes, which settings it needs);
adding an engine is one more entry. ``tm`` and ``pseudo`` work offline.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from babel import Locale

from ..catalogue import load_catalogue
from ..catalogue.matching import FuzzyIndex
from ..config import ENGINE_SETTINGS
from ..errors import ConfigError
from .memory import load_memory
from .secrets import public_host, redact, url_secrets

log = logging.getLogger("pipeline")

MACHINE_DRAFT = re.compile(r"^machine draft: (?P<engine>\S+)(?: (?P<model>\S+))? (?P<date>\d{4}-\d{2}-\d{2})")
"""The translator comment a machine draft carries: ``machine draft: ENGINE [MODEL] DATE``."""


MACHINE_TEXT = re.compile(r"^machine text: (?P<hash>[0-9a-f]{12})$")
"""Beside it, a hash of the text the engine wrote: a person's later edit shows as a different text."""


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def machine_text_note(text: str) -> str:
    return f"machine text: {_text_hash(text)}"


def is_machine_draft(translator_comments: Iterable[str]) -> bool:
    """Whether an entry's translation was written by an engine (and not since by a person)."""
    return any(MACHINE_DRAFT.match(c) for c in translator_comments)


def without_machine_notes(translator_comments: Iterable[str], text: str | None = None) -> list[str]:
    """The comments without the machine-draft notes; with ``text``, only if a person has changed it since."""
    comments = list(translator_comments)
    if text is not None:
        recorded = {m["hash"] for c in comments if (m := MACHINE_TEXT.match(c))}
        if not recorded or _text_hash(text) in recorded:
            return comments  # the engine's text as it wrote it (or no record of it): the note is true
    return [c for c in comments if not MACHINE_DRAFT.match(c) and not MACHINE_TEXT.match(c)]


@dataclass(frozen=True, slots=True)
class Result:
    """An engine's answer; ``note`` says where it came from (e.g. a memory match score)."""

    text: str
    note: str = ""


class Engine(Protocol):
    """What the drafting run needs from an engine."""

    name: str
    key: str  # cache identity: engine and server, never a secret
    masked: bool  # whether it receives masked text (machine engines) or the whole source (memory)
    remote: bool  # whether calls cost a request (remote answers are cached)
    secrets: tuple[str, ...]

    def translate(self, text: str) -> Result: ...


def _lang(code: str) -> str:
    return code.split("_")[0]


def _google(code: str) -> str:
    if code in ("zh_CN", "zh_SG", "zh_Hans"):
        return "zh-CN"
    if code in ("zh_TW", "zh_HK", "zh_Hant"):
        return "zh-TW"
    return {"he": "iw", "jv": "jw"}.get(_lang(code), _lang(code))


def _mymemory(code: str) -> str:
    from deep_translator.constants import MY_MEMORY_LANGUAGES_TO_CODES

    loc = Locale.parse(code)
    wanted = f"{loc.language}-{loc.territory}" if loc.territory else None
    values = list(MY_MEMORY_LANGUAGES_TO_CODES.values())
    if wanted is not None and wanted in values:
        return wanted
    likely = {
        "en": "en-US",
        "es": "es-ES",
        "ar": "ar-SA",
        "fa": "fa-IR",
        "he": "he-IL",
        "vi": "vi-VN",
        "zh": "zh-CN",
    }
    if loc.language in likely:
        return likely[loc.language]
    return str(next((v for v in values if v.split("-")[0] == loc.language), loc.language))


def _microsoft(code: str) -> str:
    if code in ("zh_CN", "zh_SG", "zh_Hans"):
        return "zh-Hans"
    if code in ("zh_TW", "zh_HK", "zh_Hant"):
        return "zh-Hant"
    return _lang(code)


def _papago(code: str) -> str:
    return {"zh_CN": "zh-CN", "zh_TW": "zh-TW"}.get(code, _lang(code))


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """How to build one deep-translator provider."""

    name: str
    class_name: str
    codes: Callable[[str], str]
    key_env: str | None = None  # environment variable holding the API key
    key_param: str = "api_key"
    key_required: bool = False
    extra: tuple[str, ...] = ()  # other settings passed through (region, email, ...)
    override_languages: bool = False  # deep-translator's own language list is incomplete


SPECS: dict[str, EngineSpec] = {
    s.name: s
    for s in (
        EngineSpec("google", "GoogleTranslator", _google),
        EngineSpec(
            "deepl", "DeeplTranslator", _lang, "DEEPL_API_KEY", key_required=True, extra=("use_free_api",)
        ),
        EngineSpec(
            "microsoft",
            "MicrosoftTranslator",
            _microsoft,
            "MICROSOFT_API_KEY",
            key_required=True,
            extra=("region",),
        ),
        EngineSpec(
            "libre",
            "LibreTranslator",
            _lang,
            "LIBRE_API_KEY",
            override_languages=True,
            extra=("use_free_api",),
        ),
        EngineSpec("mymemory", "MyMemoryTranslator", _mymemory, extra=("email",)),
        EngineSpec("yandex", "YandexTranslator", _lang, "YANDEX_API_KEY", key_required=True),
        EngineSpec(
            "papago",
            "PapagoTranslator",
            _papago,
            "PAPAGO_SECRET_KEY",
            key_param="secret_key",
            key_required=True,
            extra=("client_id",),
        ),
        EngineSpec("qcri", "QcriTranslator", _lang, "QCRI_API_KEY", key_required=True),
    )
}
OFFLINE = ("tm", "pseudo", "pseudo-rtl")


def engine_names() -> list[str]:
    return [*SPECS, "llm", *OFFLINE]


class DeepTranslatorEngine:
    """One deep-translator provider for one language pair."""

    masked = True
    remote = True

    def __init__(self, spec: EngineSpec, source: str, target: str, settings: Mapping[str, Any]) -> None:
        import deep_translator

        self.name = spec.name
        kwargs: dict[str, Any] = {}
        secret = settings.get("api_key") or (os.environ.get(spec.key_env) if spec.key_env else None)
        if spec.key_required and not secret:
            raise ConfigError(
                f"engine {spec.name!r} needs an API key: set {spec.key_env} or "
                f"[tool.pipeline.engines.{spec.name}] api_key"
            )
        if spec.name == "libre" and not secret:
            # deep-translator refuses to run without a key, even for servers that need none;
            # LibreTranslate ignores the parameter when keys are off.
            secret = "none"
        if secret:
            kwargs[spec.key_param] = secret
        for name in spec.extra:
            if name in settings:
                kwargs[name] = settings[name]
        url = settings.get("url")
        if url:
            if spec.name != "libre":
                raise ConfigError(f"engine {spec.name!r} does not take a url")
            kwargs["custom_url"] = url if str(url).endswith("/") else f"{url}/"  # base_url= is ignored
        self.secrets = tuple(
            s
            for s in (secret, *(str(settings[k]) for k in ("client_id",) if k in settings), *url_secrets(url))
            if s and s != "none"
        )
        self._source, self._target = spec.codes(source), spec.codes(target)
        self._cls = getattr(deep_translator, spec.class_name)
        self._kwargs = kwargs
        self._override = spec.override_languages
        self._local = threading.local()
        try:
            self._local.impl = self._build()  # fail now, with a clear message, not in a worker thread
        except Exception as exc:
            raise ConfigError(
                f"engine {spec.name!r} cannot translate {source} -> {target}: "
                f"{redact(str(exc), self.secrets)[:300]}"
            ) from None
        host = public_host(str(url)) if url else ""
        self.key = f"{spec.name}@{host}" if host else spec.name

    def _build(self) -> Any:
        if self._override:
            impl = self._cls(source="en", target="es", **self._kwargs)
            impl._source, impl._target = self._source, self._target
            return impl
        return self._cls(source=self._source, target=self._target, **self._kwargs)

    def translate(self, text: str) -> Result:
        # deep-translator objects keep per-request state (Google's URL parameters): one per thread.
        impl = getattr(self._local, "impl", None)
        if impl is None:
            impl = self._local.impl = self._build()
        answer = impl.translate(text)
        return Result(answer if isinstance(answer, str) else "")


_ACCENTS = str.maketrans(
    "aAcCeEiInNoOsSuUyYzZ",
    "áÅçÇéÉîÎñÑöÖšŠüÜýÝžŽ",
)


class PseudoEngine:
    """Pseudo-localisation for layout tests: accented, about 40% longer, markup untouched."""

    masked = True
    remote = False
    secrets: tuple[str, ...] = ()

    def __init__(self, rtl: bool = False) -> None:
        self.rtl = rtl
        self.name = "pseudo-rtl" if rtl else "pseudo"
        self.key = self.name

    def translate(self, text: str) -> Result:
        import re

        parts = re.split(r"(⟦\d+⟧)", text)
        out = "".join(p if p.startswith("⟦") else p.translate(_ACCENTS) for p in parts)
        letters = sum(1 for c in text if unicodedata.category(c).startswith("L"))
        padded = f"[{out} {'·' * max(1, int(letters * 0.4))}]"
        return Result(f"\u202e{padded}\u202c" if self.rtl else padded)


@dataclass(slots=True)
class TranslationMemory:
    """People's translations, from every PO of the target language (obsolete ones too, machine drafts not)."""

    target: str
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # msgid -> (msgstr, file)
    cutoff: float = 75.0
    name: str = "tm"
    key: str = "tm"
    masked: bool = False
    remote: bool = False
    secrets: tuple[str, ...] = ()
    _index: FuzzyIndex | None = None
    _ids: list[str] = field(default_factory=list)

    @classmethod
    def load(
        cls, locales: Path, target: str, cutoff: float, memory: Path | None = None, source: str = "en"
    ) -> TranslationMemory:
        """People's translations from the catalogues, then from the TMX files in ``memory``."""
        tm = cls(target, cutoff=cutoff)
        folder = locales / target / "LC_MESSAGES"
        reviewed: dict[str, tuple[str, str]] = {}
        fuzzy: dict[str, tuple[str, str]] = {}
        for path in sorted(folder.glob("*.po")):
            for m in load_catalogue(path).messages:
                machine = is_machine_draft(m.translator_comments)
                if m.msgstr and m.msgid and not machine:  # our memory is people's work, not engines'
                    (fuzzy if m.fuzzy else reviewed).setdefault(m.msgid, (m.msgstr, path.name))
        imported = load_memory(memory, source, target) if memory is not None else {}
        tm.entries = {**fuzzy, **imported, **reviewed}  # the project's reviewed work wins, then the memory
        tm._ids = list(tm.entries)
        tm._index = FuzzyIndex(tm._ids, cutoff=cutoff)
        return tm

    def translate(self, text: str) -> Result:
        exact = self.entries.get(text)
        if exact is not None:
            return Result(exact[0], f"100% match from {exact[1]}")
        assert self._index is not None
        found = self._index.candidates(text, limit=1)
        if not found:
            return Result("", f"no memory match above {self.cutoff:g}%")
        index, score = found[0]
        msgstr, where = self.entries[self._ids[index]]
        return Result(msgstr, f"{score:.0f}% match from {where}")


def make_engine(
    name: str,
    source: str,
    target: str,
    settings: Mapping[str, Any],
    locales: Path,
    cutoff: float,
    memory: Path | None = None,
) -> Engine:
    """Build an engine for one language pair; unknown engines and missing keys are :class:`ConfigError`.
    The ``tm`` engine also uses the TMX files in ``memory``."""
    if name == "tm":
        return TranslationMemory.load(locales, target, cutoff, memory, source)
    if name in ("pseudo", "pseudo-rtl"):
        return PseudoEngine(rtl=name == "pseudo-rtl")
    spec = SPECS.get(name)
    if spec is None:
        raise ConfigError(f"unknown engine {name!r}; choose from {', '.join(engine_names())}")
    unused = sorted(set(settings) - set(ENGINE_SETTINGS) - set(spec.extra))
    if unused:  # a typo ("timout") would otherwise be dropped without a word
        log.warning(
            "[tool.pipeline.engines.%s]: %s not used by this engine (it reads: %s)",
            name,
            ", ".join(unused),
            ", ".join(sorted({*ENGINE_SETTINGS, *spec.extra})),
        )
    return DeepTranslatorEngine(spec, source, target, settings)
