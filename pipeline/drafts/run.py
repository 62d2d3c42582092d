"""A drafting run: untranslated entries -> engine -> validated fuzzy drafts in the PO files.

deep-translator sends each request with no timeout, no retry and no rate
limit, and its batch call loses every result when one fails. This run adds all
of that: a timeout on every request, retries with backoff on 429/5xx and
connection errors, a rate limit, several requests in flight, every answer
cached the moment it arrives and the PO files written as results come in, so an
interrupted run resumes where it stopped without repeating a request.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..catalogue import load_catalogue, locked, save_catalogue
from ..checks import Context, check_glossary, load_glossary
from ..config import UI_DOMAIN, Config
from ..errors import CatalogueError
from ..segment import load_documents
from .cache import DraftCache
from .engines import (
    Engine,
    Result,
    is_machine_draft,
    machine_text_note,
    make_engine,
    without_machine_notes,
)
from .masking import DraftRejected, Masked, mask, unmask, validate
from .secrets import redact

log = logging.getLogger("pipeline")


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
        cls, config: Config, name: str, url: str | None = None, concurrency: int | None = None
    ) -> EngineSettings:
        values: dict[str, Any] = dict(config.engines.get(name, {}))
        if url:
            values["url"] = url
        return cls(
            values=values,
            concurrency=int(concurrency or values.get("concurrency", 8)),
            rate=float(values.get("rate", 20.0)),
            timeout=float(values.get("timeout", 20.0)),
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
        attempts = self.settings.attempts
        for attempt in range(attempts):
            self._limiter.acquire()
            with self._lock:
                self.requests += 1
            try:
                return self.engine.translate(text)
            except Exception as exc:  # the engine's own error types vary; classify, retry or report
                if retryable(exc) and attempt < attempts - 1:
                    time.sleep(self.settings.backoff * (2**attempt) * (1 + random.random() / 2))
                    continue
                raise DraftFailed(redact(f"{type(exc).__name__}: {exc}", self.engine.secrets)[:300]) from None
        raise DraftFailed("no attempt made")


@dataclass(slots=True)
class DraftReport:
    """What one run did for one language."""

    language: str
    engine: str
    to_draft: int = 0
    drafted: int = 0
    cached: int = 0
    requests: int = 0
    characters: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Job:
    msgid: str
    send: str
    masked: Masked | None


def _eligible(msgstr: str, fuzzy: bool, comments: Sequence[str], redraft: bool) -> bool:
    """Never overwrite a translation; re-draft only our own fuzzy machine drafts, and only when asked."""
    if not msgstr:
        return True
    return redraft and fuzzy and is_machine_draft(comments)


def draft(
    config: Config,
    languages: Sequence[str],
    engine_name: str,
    *,
    url: str | None = None,
    redraft: bool = False,
    dry_run: bool = False,
    concurrency: int | None = None,
    today: dt.date | None = None,
    show_progress: bool | None = None,
) -> list[DraftReport]:
    """Fill untranslated entries of every catalogue of ``languages`` with fuzzy machine drafts."""
    settings = EngineSettings.from_config(config, engine_name, url, concurrency)
    today = today or dt.date.today()
    glossary = load_glossary(config.glossary_path)
    domains = [d.id for d in load_documents(config)] + [UI_DOMAIN]
    cache = DraftCache(config.root / ".pipeline-cache" / "drafts.sqlite")
    reports = []
    try:
        for lang in languages:
            engine = make_engine(
                engine_name,
                config.source_language,
                lang,
                settings.values,
                config.locales_dir,
                config.fuzzy_cutoff,
                config.memory_dir,
            )
            report = DraftReport(lang, engine.name)
            reports.append(report)
            todo: dict[str, list[str]] = {}
            for domain in domains:
                path = config.po_path(lang, domain)
                if not path.exists():
                    raise CatalogueError("no catalogue yet: run 'pipeline update' first", path)
                for m in load_catalogue(path).active:
                    if m.msgid and _eligible(m.msgstr, m.fuzzy, m.translator_comments, redraft):
                        todo.setdefault(m.msgid, []).append(domain)
            jobs = []
            for msgid in todo:
                masked = mask(msgid, glossary.do_not_translate) if engine.masked else None
                jobs.append(_Job(msgid, masked.text if masked else msgid, masked))
            report.to_draft = len(jobs)
            if dry_run:
                unsent = [
                    j
                    for j in jobs
                    if not engine.remote
                    or cache.get(engine.key, config.source_language, lang, j.send) is None
                ]
                report.requests = len(unsent) if engine.remote else 0
                report.cached = len(jobs) - len(unsent)
                report.characters = sum(len(j.send) for j in unsent)
                for j in unsent[:5]:
                    log.info("  would send (%s): %r", lang, j.send[:100])
                continue
            _run_language(
                config, engine, report, jobs, todo, cache, glossary, today, redraft, settings, show_progress
            )
    finally:
        cache.close()
    return reports


def _run_language(
    config: Config,
    engine: Engine,
    report: DraftReport,
    jobs: list[_Job],
    todo: dict[str, list[str]],
    cache: DraftCache,
    glossary: Any,
    today: dt.date,
    redraft: bool,
    settings: EngineSettings,
    show_progress: bool | None,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    source = config.source_language
    lang = report.language
    pending: dict[str, tuple[str, str]] = {}
    caller = Caller(engine, settings)

    def accept(job: _Job, result: Result) -> None:
        try:
            text = unmask(job.masked, result.text) if job.masked is not None else result.text
            if not text.strip():
                raise DraftRejected("the engine returned nothing")
            validate(job.msgid, text)
        except DraftRejected as exc:
            report.rejected.append((job.msgid, str(exc)))
            return
        for problem in check_glossary(Context(job.msgid, text, lang, glossary)):
            report.glossary.append((job.msgid, problem))
        pending[job.msgid] = (text, result.note)
        report.drafted += 1

    def flush() -> None:
        if not pending:
            return
        batch = dict(pending)
        pending.clear()
        comment_base = f"machine draft: {engine.name} {today.isoformat()}"
        with locked(config.locales_dir):
            for domain in sorted({d for msgid in batch for d in todo[msgid]}):
                path = config.po_path(lang, domain)
                catalogue = load_catalogue(path)  # fresh: someone may have saved it meanwhile
                for m in catalogue.active:
                    if m.msgid not in batch or not _eligible(
                        m.msgstr, m.fuzzy, m.translator_comments, redraft
                    ):
                        continue
                    text, note = batch[m.msgid]
                    m.msgstr = text
                    m.fuzzy = True
                    m.translator_comments = [
                        *without_machine_notes(m.translator_comments),
                        f"{comment_base} ({note})" if note else comment_base,
                        machine_text_note(text),
                    ]
                if save_catalogue(path, catalogue) and str(path) not in report.written:
                    report.written.append(str(path))

    visible = sys.stderr.isatty() if show_progress is None else show_progress
    columns = (
        TextColumn(f"{lang} [{engine.name}]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not visible, transient=False) as progress:
        task = progress.add_task("draft", total=len(jobs), counts="")

        def advance() -> None:
            progress.update(
                task,
                advance=1,
                counts=(
                    f"drafted {report.drafted}, rejected {len(report.rejected)}, "
                    f"failed {len(report.failed)}, cached {report.cached}"
                ),
            )

        to_send = []
        for job in jobs:
            hit = cache.get(engine.key, source, lang, job.send) if engine.remote else None
            if hit is not None:
                report.cached += 1
                accept(job, Result(*hit))
                advance()
            else:
                to_send.append(job)
        flush()
        last_flush = time.monotonic()
        with (
            default_timeout(settings.timeout),
            ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool,
        ):
            futures: dict[Future[Result], _Job] = {pool.submit(caller, j.send): j for j in to_send}
            remaining = set(futures)
            try:
                while remaining:
                    done, remaining = wait(remaining, timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in done:
                        job = futures[future]
                        try:
                            result = future.result()
                        except DraftFailed as exc:
                            report.failed.append((job.msgid, str(exc)))
                        else:
                            if engine.remote:
                                cache.put(engine.key, source, lang, job.send, result.text, result.note)
                            accept(job, result)
                        advance()
                    if time.monotonic() - last_flush >= settings.flush_seconds:
                        flush()
                        last_flush = time.monotonic()
            except BaseException:
                for future in remaining:
                    future.cancel()
                flush()
                raise
        flush()
    report.requests = caller.requests if engine.remote else 0
