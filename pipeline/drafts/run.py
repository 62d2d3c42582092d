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
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager

from ..catalogue import load_catalogue
from ..checks import Glossary, load_glossary
from ..config import UI_DOMAIN, Config
from ..errors import CatalogueError
from ..segment import load_documents
from .batchrun import Where, batches, places, request_items, run_batches
from .cache import DraftCache
from .calls import Caller, DraftFailed, EngineSettings, default_timeout
from .engines import Engine, Result, make_engine
from .llm import LlmEngine
from .masking import mask
from .writer import DraftReport, Drafts, Job, eligible

__all__ = ["DraftReport", "EngineSettings", "draft", "engine_for"]

log = logging.getLogger("pipeline")


def engine_for(
    name: str, config: Config, source: str, target: str, settings: EngineSettings, glossary: Glossary
) -> Engine:
    """Any engine by name, the llm engine included, for one language pair."""
    if name == "llm":
        return LlmEngine(source, target, settings.values, glossary)
    return make_engine(
        name, source, target, settings.values, config.locales_dir, config.fuzzy_cutoff, config.memory_dir
    )


def draft(
    config: Config,
    languages: Sequence[str],
    engine_name: str,
    *,
    url: str | None = None,
    model: str | None = None,
    redraft: bool = False,
    dry_run: bool = False,
    verbose: bool = False,
    concurrency: int | None = None,
    today: dt.date | None = None,
    show_progress: bool | None = None,
) -> list[DraftReport]:
    """Fill untranslated entries of every catalogue of ``languages`` with fuzzy machine drafts."""
    settings = EngineSettings.from_config(config, engine_name, url, concurrency, model)
    today = today or dt.date.today()
    glossary = load_glossary(config.glossary_path)
    documents = load_documents(config)
    domains = [d.id for d in documents] + [UI_DOMAIN]
    where = places(documents) if engine_name == "llm" else {}
    cache = DraftCache(config.root / ".pipeline-cache" / "drafts.sqlite")
    reports = []
    try:
        for lang in languages:
            engine = engine_for(engine_name, config, config.source_language, lang, settings, glossary)
            report = DraftReport(lang, engine.name)
            reports.append(report)
            todo: dict[str, list[str]] = {}
            for domain in domains:
                path = config.po_path(lang, domain)
                if not path.exists():
                    raise CatalogueError("no catalogue yet: run 'pipeline update' first", path)
                for m in load_catalogue(path).active:
                    if m.msgid and eligible(m.msgstr, m.fuzzy, m.translator_comments, redraft):
                        todo.setdefault(m.msgid, []).append(domain)
            jobs = []
            for msgid in todo:
                masked = mask(msgid, glossary.do_not_translate) if engine.masked else None
                jobs.append(Job(msgid, masked.text if masked else msgid, masked))
            report.to_draft = len(jobs)
            if dry_run:
                _dry_run(engine, report, jobs, cache, config.source_language, settings, where, verbose)
                continue
            drafts = Drafts(config, engine, report, todo, glossary, today, redraft)
            try:
                _run_language(engine, drafts, jobs, cache, settings, where, show_progress)
            finally:
                _log_run(config, report, getattr(engine, "label", engine.name))
    finally:
        cache.close()
    return reports


def _log_run(config: Config, report: DraftReport, engine: str) -> None:
    """Append the run's summary for one language to ``.pipeline-cache/draft-runs.jsonl`` (what a
    clinic pays for: requests and tokens), interrupted runs included."""
    line = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "language": report.language,
        "to_draft": report.to_draft,
        "drafted": report.drafted,
        "from_cache": report.cached,
        "rejected": len(report.rejected),
        "failed": len(report.failed),
        "requests": report.requests,
        "prompt_tokens": report.prompt_tokens,
        "completion_tokens": report.completion_tokens,
    }
    path = config.root / ".pipeline-cache" / "draft-runs.jsonl"
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def _dry_run(
    engine: Engine,
    report: DraftReport,
    jobs: Sequence[Job],
    cache: DraftCache,
    source: str,
    settings: EngineSettings,
    where: Mapping[str, Where],
    verbose: bool,
) -> None:
    """What a run would send: requests, characters, and for the llm engine tokens (about 4 characters
    each) and, with ``verbose``, the first request's messages."""
    lang = report.language
    unsent = [j for j in jobs if not engine.remote or cache.get(engine.key, source, lang, j.send) is None]
    report.cached = len(jobs) - len(unsent)
    report.characters = sum(len(j.send) for j in unsent)
    if not engine.remote:
        return
    if not isinstance(engine, LlmEngine):
        report.requests = len(unsent)
        for j in unsent[:5]:
            log.info("  would send (%s): %r", lang, j.send[:100])
        return
    groups = batches(unsent, where, int(settings.values.get("batch", 20)))
    report.requests = len(groups)
    for n, group in enumerate(groups):
        messages = engine.messages(*request_items(group, where))
        report.prompt_tokens += math.ceil(sum(len(m["content"]) for m in messages) / 4)
        report.completion_tokens += math.ceil(sum(len(j.send) for j in group) * 1.2 / 4) + 8 * len(group)
        if verbose and n == 0:
            for m in messages:
                log.info(
                    "--- %s message (%s, batch 1 of %d) ---\n%s", m["role"], lang, len(groups), m["content"]
                )


@contextmanager
def _progress(report: DraftReport, total: int, visible: bool) -> Iterator[Callable[[], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn(f"{report.language} [{report.engine}]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not visible, transient=False) as progress:
        task = progress.add_task("draft", total=total, counts="")

        def advance() -> None:
            counts = (
                f"drafted {report.drafted}, rejected {len(report.rejected)}, "
                f"failed {len(report.failed)}, cached {report.cached}"
            )
            progress.update(task, advance=1, counts=counts)

        yield advance


def _run_language(
    engine: Engine,
    drafts: Drafts,
    jobs: list[Job],
    cache: DraftCache,
    settings: EngineSettings,
    where: Mapping[str, Where],
    show_progress: bool | None,
) -> None:
    report = drafts.report
    source, lang = drafts.config.source_language, report.language
    visible = sys.stderr.isatty() if show_progress is None else show_progress
    with _progress(report, len(jobs), visible) as advance:
        to_send = []
        for job in jobs:
            hit = cache.get(engine.key, source, lang, job.send) if engine.remote else None
            if hit is not None:
                report.cached += 1
                drafts.accept(job, Result(*hit))
                advance()
            else:
                to_send.append(job)
        drafts.flush()
        if isinstance(engine, LlmEngine):
            run_batches(engine, drafts, to_send, where, cache, settings, advance)
            return
        _run_each(engine, drafts, to_send, cache, settings, advance)


def _run_each(
    engine: Engine,
    drafts: Drafts,
    jobs: list[Job],
    cache: DraftCache,
    settings: EngineSettings,
    advance: Callable[[], None],
) -> None:
    """One request per segment, ``concurrency`` in flight."""
    report = drafts.report
    source, lang = drafts.config.source_language, report.language
    caller = Caller(engine, settings)
    last_flush = time.monotonic()
    with (
        default_timeout(settings.timeout),
        ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool,
    ):
        futures: dict[Future[Result], Job] = {pool.submit(caller, j.send): j for j in jobs}
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
                        drafts.accept(job, result)
                    advance()
                if time.monotonic() - last_flush >= settings.flush_seconds:
                    drafts.flush()
                    last_flush = time.monotonic()
        except BaseException:
            for future in remaining:
                future.cancel()
            drafts.flush()
            raise
    drafts.flush()
    report.requests = caller.requests if engine.remote else 0
