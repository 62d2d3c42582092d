"""The ``llm`` engine: drafts from a language model behind any OpenAI-compatible server.

OpenAI, and on the clinic's own hardware Ollama, vLLM, llama.cpp's server or LM Studio:
``POST {url}/chat/completions``. A batch of segments goes as one JSON object in the last user
message, with what the model needs to translate a handout well (the document's title, each
segment's heading path and neighbours, the author's notes, the glossary terms of the batch,
the do-not-translate names, the language's style); the answer must be the JSON object
``{"translations": [{"id": ..., "text": ...}]}``, asked for with a JSON schema
(``response_format``), or plain JSON mode where a server refuses schemas.

Plain ``requests``, not the ``openai`` package: the drafting run already gives every request
a timeout, retries and a rate limit, and keeps secrets out of every message; the client's own
retries would multiply ours and its errors would need translating into those rules.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from babel import Locale

from ..checks import Glossary
from ..errors import ConfigError
from .engines import Result
from .secrets import public_host, url_secrets

PROMPT = Path(__file__).resolve().parent / "prompts" / "llm.txt"
DEFAULT_URL = "https://api.openai.com/v1"
_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "translations",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "translations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "text": {"type": "string"}},
                        "required": ["id", "text"],
                        "additionalProperties": False,
                    },
                }
            },
            "required": ["translations"],
            "additionalProperties": False,
        },
    },
}


@dataclass(frozen=True, slots=True)
class Prompt:
    """The versioned prompt template: a system and a user message with ``$names``."""

    version: str
    system: Template
    user: Template

    @classmethod
    def load(cls, path: Path = PROMPT) -> Prompt:
        text = path.read_text(encoding="utf-8")
        version = re.match(r"version: (\S+)\n", text)
        parts = re.split(r"^\[(system|user)\]\n", text, flags=re.MULTILINE)
        sections = dict(zip(parts[1::2], parts[2::2], strict=True))
        if version is None or set(sections) != {"system", "user"}:
            raise ConfigError("a prompt template needs 'version: N', a [system] and a [user] section", path)
        return cls(version.group(1), Template(sections["system"].strip()), Template(sections["user"].strip()))


@dataclass(frozen=True, slots=True)
class Item:
    """One segment as the model sees it: masked text and its context (never translated)."""

    id: str
    text: str
    headings: tuple[str, ...] = ()
    before: str = ""
    after: str = ""
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class Reply:
    texts: dict[str, str] = field(default_factory=dict)  # id -> translation
    extra: list[str] = field(default_factory=list)  # ids answered that were not asked
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ReplyError(ValueError):
    """The server answered, but not with the JSON asked for: the batch is rejected."""


def language_name(code: str) -> str:
    """``es`` -> ``Spanish``, ``zh_CN`` -> ``Chinese (Simplified, China)``: names a model knows."""
    return str(Locale.parse(code).get_display_name("en"))


def _mentions(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE) is not None


class LlmEngine:
    """One model, one language pair; thread-safe (one request per batch)."""

    masked = True
    remote = True
    batched = True
    meaning_checks = True  # units and negation are checked too: a model rewrites more freely

    def __init__(self, source: str, target: str, settings: Mapping[str, Any], glossary: Glossary) -> None:
        model = settings.get("model")
        if not model:
            raise ConfigError("engine 'llm' needs a model: --model NAME or [tool.pipeline.engines.llm] model")
        self.url = str(settings.get("url") or DEFAULT_URL).rstrip("/")
        self.model = str(model)
        self._api_key = str(
            settings.get("api_key") or os.environ.get("LLM_API_KEY") or os.environ.get("OPENAI_API_KEY") or ""
        )
        if not self._api_key and self.url == DEFAULT_URL:
            raise ConfigError("engine 'llm' needs an API key for OpenAI: set LLM_API_KEY or OPENAI_API_KEY")
        self.secrets = tuple(s for s in (self._api_key, *url_secrets(self.url)) if s)
        self.prompt = Prompt.load()
        self.name = "llm"
        self.label = f"llm {self.model}"
        self.key = f"llm@{public_host(self.url)}/{self.model}/prompt-{self.prompt.version}"
        self.source, self.target = source, target
        styles = settings.get("style") or {}
        self.style = (
            str(styles.get(target) or styles.get(target.split("_")[0]) or "")
            if isinstance(styles, Mapping)
            else ""
        )
        self.timeout = float(settings.get("timeout", 120.0))
        self.terms = dict(glossary.terms.get(target, {}))
        self.names = tuple(glossary.do_not_translate)
        self._schema = True  # until a server refuses it
        self._lock = threading.Lock()

    def messages(self, items: Sequence[Item], title: str) -> list[dict[str, str]]:
        """The chat messages for one batch (shown by ``draft --dry-run --verbose``)."""
        texts = " ".join(i.text for i in items)
        work: dict[str, Any] = {
            "source_language": language_name(self.source),
            "target_language": language_name(self.target),
            "glossary": [
                {"term": t, "translation": tr} for t, tr in sorted(self.terms.items()) if _mentions(texts, t)
            ],
            "do_not_translate": list(self.names),
            "segments": [{k: v for k, v in asdict(i).items() if v} for i in items],
        }
        names = {
            "source_name": language_name(self.source),
            "target_name": language_name(self.target),
            "style": f"Style for {language_name(self.target)}: {self.style}" if self.style else "",
            "title": title or "(untitled)",
            "work": json.dumps(work, ensure_ascii=False, indent=1),
        }
        return [
            {"role": "system", "content": self.prompt.system.safe_substitute(names)},
            {"role": "user", "content": self.prompt.user.safe_substitute(names)},
        ]

    def translate(self, text: str) -> Result:
        """One segment on its own (the review sheet's back-translation)."""
        reply = self.translate_batch([Item("1", text)], "")
        return Result(reply.texts.get("1", ""))

    def translate_batch(self, items: Sequence[Item], title: str) -> Reply:
        import requests

        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.messages(items, title),
            "temperature": 0,
        }
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        while True:
            with self._lock:
                schema = self._schema
            body["response_format"] = _SCHEMA if schema else {"type": "json_object"}
            response = requests.post(
                f"{self.url}/chat/completions", json=body, headers=headers, timeout=self.timeout
            )
            refused = response.status_code in (400, 422) and re.search(
                r"response_format|json_schema|schema", response.text, re.I
            )
            if schema and refused:
                with self._lock:
                    self._schema = False  # this server has JSON mode only: ask for that from now on
                continue
            response.raise_for_status()
            return self._reply(response, {i.id for i in items})

    def _reply(self, response: Any, asked: set[str]) -> Reply:
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise ReplyError("the server's answer is not a chat completion") from None
        text = re.sub(r"^\s*```(?:json)?\s*\n?|\n?```\s*$", "", str(content or ""))
        try:
            found = json.loads(text)["translations"]
            pairs = [(str(t["id"]), t["text"]) for t in found]
        except (ValueError, KeyError, TypeError):
            raise ReplyError(f"the reply is not the JSON asked for: {text[:80]!r}") from None
        reply = Reply()
        for ident, translation in pairs:
            if ident in asked and isinstance(translation, str) and ident not in reply.texts:
                reply.texts[ident] = translation
            elif ident not in asked:
                reply.extra.append(ident)
        usage = data.get("usage") or {}
        reply.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        reply.completion_tokens = int(usage.get("completion_tokens") or 0)
        return reply
