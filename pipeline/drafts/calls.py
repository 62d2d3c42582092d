"""Calling an engine well: a timeout on every request, retries with backoff on 429/5xx and
connection errors, a shared rate limit, and secrets kept out of every message."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from ..config import Config
from .engines import Engine, Result
from .secrets import redact

T = TypeVar("T")


@contextmanager
def default_timeout(seconds: float) -> Iterator[None]:
    """Give every ``requests`` call a timeout (deep-translator passes none)."""
    import requests

    original = requests.Session.request

    def request(self: Any, method: str, url: str, **kwargs: Any) -> Any:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = seconds
        return original(self, method, url, **kwargs)

    requests.Session.request = request  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        requests.Session.request = original  # type: ignore[method-assign]


class RateLimiter:
    """At most ``rate`` calls a second, shared by all threads."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait_for = max(0.0, self._next - now)
            self._next = max(now, self._next) + self.interval
        if wait_for:
            time.sleep(wait_for)


_RETRY_MESSAGES = {
    "ERR_TOO_MANY_REQUESTS",
    "ERR_INTERNAL_SERVER_ERROR",
    "ERR_SERVICE_NOT_AVAIBLE",
    "API server error",
}


def retryable(exc: BaseException) -> bool:
    """429, 5xx and connection problems are worth another try; anything else is not."""
    import requests
    from deep_translator import exceptions as dt_exc

    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
        return True
    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    if isinstance(exc, dt_exc.TooManyRequests | dt_exc.RequestError):
        return True
    return isinstance(exc, dt_exc.ServerException) and str(exc) in _RETRY_MESSAGES


class DraftFailed(RuntimeError):
    """The engine could not answer (after retries)."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """An engine's ``[tool.pipeline.engines.<name>]`` table, read once."""

    values: dict[str, Any]  # passed on to the engine (url, api_key, region, ...)
    concurrency: int = 8
    rate: float = 20.0  # requests per second
    timeout: float = 20.0
    attempts: int = 4
    backoff: float = 0.5
    flush_seconds: float = 2.0

    @classmethod
    def from_config(
        cls,
        config: Config,
        name: str,
        url: str | None = None,
        concurrency: int | None = None,
        model: str | None = None,
    ) -> EngineSettings:
        values: dict[str, Any] = dict(config.engines.get(name, {}))
        if url:
            values["url"] = url
        if model:
            values["model"] = model
        # A language model answers a batch in seconds: fewer requests in flight than for phrase engines.
        default_concurrency = 4 if name == "llm" else 8
        return cls(
            values=values,
            concurrency=int(concurrency or values.get("concurrency", default_concurrency)),
            rate=float(values.get("rate", 20.0)),
            timeout=float(values.get("timeout", 120.0 if name == "llm" else 20.0)),
            attempts=int(values.get("attempts", 4)),
            backoff=float(values.get("backoff", 0.5)),
            flush_seconds=float(values.get("flush_seconds", 2.0)),
        )


class Caller:
    """Calls one engine with the rate limit and retries; counts the requests it sends. Thread-safe."""

    def __init__(self, engine: Engine, settings: EngineSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.requests = 0
        # Offline engines (memory, pseudo) send nothing over the network: no limit to respect.
        self._limiter = RateLimiter(settings.rate if engine.remote else 0.0)
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Result:
        return self.attempt(lambda: self.engine.translate(text))

    def attempt(self, call: Callable[[], T], keep: tuple[type[Exception], ...] = ()) -> T:
        """``call()`` under the rate limit, retried while it fails in a way worth retrying. Errors
        of the ``keep`` types are raised as they are (the caller handles them); others, once no
        retry is left, as :class:`DraftFailed`."""
        attempts = self.settings.attempts
        for attempt in range(attempts):
            self._limiter.acquire()
            with self._lock:
                self.requests += 1
            try:
                return call()
            except keep:
                raise
            except Exception as exc:  # the engine's own error types vary; classify, retry or report
                if retryable(exc) and attempt < attempts - 1:
                    time.sleep(self.settings.backoff * (2**attempt) * (1 + random.random() / 2))
                    continue
                raise DraftFailed(redact(f"{type(exc).__name__}: {exc}", self.engine.secrets)[:300]) from None
        raise DraftFailed("no attempt made")
