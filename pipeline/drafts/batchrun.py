"""Drafting in batches with context, for the ``llm`` engine.

Segments go in document order, ``batch`` at a time, ``concurrency`` requests in flight. Each
segment carries its document's title, heading path, neighbours and notes. A reply that is not
the JSON asked for rejects its batch; a segment it leaves out is asked again on its own once;
each answer is cached and validated like every engine's, and written as it comes in.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from ..model import BlockKind, Document
from .cache import DraftCache
from .calls import Caller, DraftFailed, EngineSettings, default_timeout
from .engines import Result
from .llm import Item, LlmEngine, Reply, ReplyError
from .writer import Drafts, Job

log = logging.getLogger("pipeline")


@dataclass(frozen=True, slots=True)
class Where:
    """A segment's place in its document, for the model's context."""

    title: str
    headings: tuple[str, ...]
    before: str
    after: str
    notes: tuple[str, ...]
    order: tuple[int, int]  # (document, segment): batches follow the documents


def places(documents: Sequence[Document]) -> dict[str, Where]:
    """Each source text's first place in the documents (the templates' words have none)."""
    found: dict[str, Where] = {}
    for d, doc in enumerate(documents):
        segments = doc.segments
        title = doc.title or next((s.text for s in segments if s.kind is BlockKind.HEADING), doc.id)
        path: list[tuple[int, str]] = []
        for i, seg in enumerate(segments):
            if seg.kind is BlockKind.HEADING:
                level = int(m.group(1)) if (m := re.search(r"(\d+)", seg.context)) else 1
                path = [(lv, t) for lv, t in path if lv < level]
            before = segments[i - 1].text if i > 0 else ""
            after = segments[i + 1].text if i + 1 < len(segments) else ""
            where = Where(title, tuple(t for _, t in path), before, after, tuple(seg.notes), (d, i))
            found.setdefault(seg.text, where)
            if seg.kind is BlockKind.HEADING:
                path.append((level, seg.text))
    return found


def batches(jobs: Sequence[Job], where: Mapping[str, Where], size: int) -> list[list[Job]]:
    """Jobs in document order, ``size`` at a time, never mixing documents (one title per request)."""
    ordered = sorted(jobs, key=lambda j: where[j.msgid].order if j.msgid in where else (1 << 30, 0))
    out: list[list[Job]] = []
    for job in ordered:
        doc = where[job.msgid].order[0] if job.msgid in where else -1
        last = out[-1] if out else None
        last_doc = (where[last[0].msgid].order[0] if last[0].msgid in where else -1) if last else None
        if last is None or len(last) >= size or last_doc != doc:
            out.append([job])
        else:
            last.append(job)
    return out


def request_items(batch: Sequence[Job], where: Mapping[str, Where]) -> tuple[list[Item], str]:
    items = []
    for n, job in enumerate(batch, 1):
        w = where.get(job.msgid)
        if w is None:
            items.append(Item(str(n), job.send, ("(a word of the handout template)",)))
        else:
            items.append(Item(str(n), job.send, w.headings, w.before, w.after, w.notes))
    title = where[batch[0].msgid].title if batch and batch[0].msgid in where else ""
    return items, title


def run_batches(
    engine: LlmEngine,
    drafts: Drafts,
    jobs: Sequence[Job],
    where: Mapping[str, Where],
    cache: DraftCache,
    settings: EngineSettings,
    advance: Callable[[], None],
) -> None:
    """Draft ``jobs`` (none of them cached) in batches; results go to ``drafts`` as they arrive."""
    report = drafts.report
    caller = Caller(engine, settings)
    source, lang = drafts.config.source_language, report.language

    def call(batch: list[Job]) -> Reply:
        items, title = request_items(batch, where)
        return caller.attempt(lambda: engine.translate_batch(items, title), keep=(ReplyError,))

    size = int(settings.values.get("batch", 20))
    last_flush = time.monotonic()
    with (
        default_timeout(settings.timeout),
        ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool,
    ):
        futures: dict[Future[Reply], tuple[list[Job], bool]] = {
            pool.submit(call, b): (b, False) for b in batches(jobs, where, size)
        }
        try:
            while futures:
                done, _ = wait(list(futures), timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    batch, retried = futures.pop(future)
                    try:
                        reply = future.result()
                    except DraftFailed as exc:
                        for job in batch:
                            report.failed.append((job.msgid, str(exc)))
                            advance()
                        continue
                    except ReplyError as exc:
                        for job in batch:
                            report.rejected.append((job.msgid, str(exc)))
                            advance()
                        continue
                    report.prompt_tokens += reply.prompt_tokens
                    report.completion_tokens += reply.completion_tokens
                    for ident in reply.extra:
                        log.warning(
                            "  %s [llm]: the model answered an id it was not given (%r): ignored", lang, ident
                        )
                    missing = []
                    for n, job in enumerate(batch, 1):
                        text = reply.texts.get(str(n))
                        if text is None:
                            missing.append(job)
                            continue
                        cache.put(engine.key, source, lang, job.send, text, "")
                        drafts.accept(job, Result(text))
                        advance()
                    if missing and not retried:  # asked again, on their own
                        for job in missing:
                            futures[pool.submit(call, [job])] = ([job], True)
                    else:
                        for job in missing:
                            report.rejected.append(
                                (job.msgid, "the model left this segment out of its reply")
                            )
                            advance()
                if time.monotonic() - last_flush >= settings.flush_seconds:
                    drafts.flush()
                    last_flush = time.monotonic()
        except BaseException:
            for future in futures:
                future.cancel()
            drafts.flush()
            raise
    drafts.flush()
    report.requests += caller.requests
