"""A worker process forked at the start of a stage, warmed up while the stage plans its work.

Rendering a PDF needs WeasyPrint, which takes 0.45-0.5 s to import and set up (fontconfig,
Pango) on this project's 2-core machine. A pool forked once the work is known pays that in every
worker, after the planning. :class:`Prefork` forks one process at the start instead: it imports
and warms up on the second core while the main process reads and plans, then forks its own
workers, which start with everything loaded. Linux only (it relies on ``fork``); elsewhere
:func:`start` returns None and the caller runs its usual pool.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

_CONTEXT = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


@dataclass(frozen=True, slots=True)
class _Request:
    job: Callable[[Any], Any]
    items: Sequence[Any]
    workers: int


@dataclass(frozen=True, slots=True)
class _Reply:
    results: list[Any] | None
    error: BaseException | None


# What the server's own workers run, set before they are forked so that they inherit it.
_WORK: _Request | None = None


def _run_one(index: int) -> Any:
    assert _WORK is not None
    return _WORK.job(_WORK.items[index])


def _run(request: _Request) -> list[Any]:
    global _WORK
    workers = min(request.workers, len(request.items))
    if workers < 2 or _CONTEXT is None:
        return [request.job(item) for item in request.items]
    from concurrent.futures import ProcessPoolExecutor  # here: the caller forks before importing it

    _WORK = request
    gc.freeze()  # the workers then leave the inherited objects' pages alone (no copy-on-write)
    with ProcessPoolExecutor(max_workers=workers, mp_context=_CONTEXT) as pool:
        # Submitted in the caller's order: it puts the longest jobs first.
        return list(pool.map(_run_one, range(len(request.items))))


def _serve(conn: Connection, warm_up: Callable[[], object]) -> None:
    """The forked process: warm up, wait for one request, answer it, exit."""
    failure: BaseException | None = None
    gc.disable()  # importing makes objects, not garbage: the collector's passes cost a tenth
    try:
        warm_up()
    except BaseException as exc:  # reported with the request, where the caller can act on it
        failure = exc
    finally:
        gc.enable()
    try:
        request: _Request = conn.recv()
    except EOFError:  # the caller had nothing to do and closed the pipe
        return
    if failure is not None:
        conn.send(_Reply(None, failure))
        return
    try:
        reply = _Reply(_run(request), None)
    except BaseException as exc:
        reply = _Reply(None, exc)
    try:
        conn.send(reply)
    except Exception as exc:  # an error that cannot be pickled goes back as its text
        error = reply.error or exc
        conn.send(_Reply(None, RuntimeError(f"{type(error).__name__}: {error}")))


class Prefork:
    """One warmed-up process that runs one batch of jobs (see the module's docstring)."""

    def __init__(self, warm_up: Callable[[], object]) -> None:
        assert _CONTEXT is not None
        self._conn, child = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(target=_serve, args=(child, warm_up), name="prefork")
        self._process.start()
        child.close()
        self._answered = False

    def map(self, job: Callable[[Any], Any], items: Sequence[Any], workers: int) -> list[Any]:
        """``[job(item) for item in items]`` on up to ``workers`` processes, started in this order.

        ``job`` and ``items`` are pickled to the warmed-up process; an exception raised there
        (or in its warm-up) is raised here. The process exits after one batch.
        """
        try:
            self._conn.send(_Request(job, items, workers))
            reply: _Reply = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._process.join()
            raise RuntimeError(f"the worker process exited with code {self._process.exitcode}") from exc
        self._answered = True
        self.close()
        if reply.error is not None:
            raise reply.error
        assert reply.results is not None
        return reply.results

    def close(self) -> None:
        """Reap the process; stop it first if it has not answered (unused, or interrupted)."""
        self._conn.close()
        if not self._answered:
            self._process.terminate()
        self._process.join()

    def __enter__(self) -> Prefork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start(warm_up: Callable[[], object]) -> Prefork | None:
    """A :class:`Prefork` running ``warm_up``, or None where processes cannot be forked."""
    return Prefork(warm_up) if _CONTEXT is not None else None
