"""A worker process forked at the start of a stage, warmed up while the stage plans its work.

Rendering a PDF needs WeasyPrint, which takes 0.45-0.5 s to import and set up (fontconfig,
Pango) on this project's 2-core machine. A pool forked once the work is known pays that in every
worker, after the planning. :class:`Prefork` forks one process at the start instead: it imports
and warms up on the second core while the main process reads and plans, then forks its own
workers, which start with everything loaded. Linux only (it relies on ``fork``); elsewhere
:func:`start` returns None and the caller runs its usual pool.

Stopping is part of the design: each process exits when the one it was forked from does
(``PR_SET_PDEATHSIG``), and an interrupt or a kill stops them all, each file written whole or not
at all.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess
    from multiprocessing.sharedctypes import Synchronized

_CONTEXT = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True, slots=True)
class _Request:
    job: Callable[[Any], Any]
    items: Sequence[Any]
    workers: int


@dataclass(frozen=True, slots=True)
class _Reply:
    """A result (one item's, or the whole batch's list), or the error that replaced it."""

    value: Any
    error: BaseException | None


def _die_with_parent(parent: int) -> bool:
    """Stop (through ``finally`` blocks) when told to or when ``parent`` exits; False if it has."""
    import ctypes

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    return os.getppid() == parent  # else it exited before prctl took effect


def _worker(request: _Request, parent: int, counter: Synchronized[int], conn: Connection) -> None:
    """Take the next item until none are left; send back (index, its reply)."""
    if not _die_with_parent(parent):
        return
    try:
        while True:
            with counter.get_lock():
                index = counter.value
                counter.value += 1
            if index >= len(request.items):
                return
            try:
                reply = _Reply(request.job(request.items[index]), None)
            except Exception as exc:
                reply = _Reply(None, exc)
            conn.send((index, reply))
    except KeyboardInterrupt:  # each file is written whole or not at all; the rest is not done
        raise SystemExit(128 + signal.SIGINT) from None
    except BrokenPipeError:  # abandoned: nobody is waiting for the results
        return


def _run(request: _Request) -> list[Any]:
    """The request's results in order, from up to ``request.workers`` forked workers."""
    workers = min(request.workers, len(request.items))
    if workers < 2 or _CONTEXT is None:
        return [request.job(item) for item in request.items]
    gc.freeze()  # the workers then leave the inherited objects' pages alone (no copy-on-write)
    counter = _CONTEXT.Value("q", 0)
    running: dict[Connection, BaseProcess] = {}
    for _ in range(workers):
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        # Forked: the request is inherited, not pickled. Items go out in the caller's order.
        process = _CONTEXT.Process(target=_worker, args=(request, os.getpid(), counter, sender), daemon=True)
        process.start()
        sender.close()
        running[receiver] = process
    children = list(running.items())
    replies: dict[int, _Reply] = {}
    index: int
    reply: _Reply
    try:
        while running:
            for ready in wait(list(running)):
                receiver = cast("Connection", ready)
                try:
                    index, reply = receiver.recv()
                except EOFError:  # that worker is done, or died
                    done = running.pop(receiver)
                    done.join()
                    if done.exitcode:
                        raise RuntimeError(f"a worker process exited with code {done.exitcode}") from None
                    continue
                replies[index] = reply
    finally:
        for receiver, worker in children:
            receiver.close()
            if worker.is_alive():
                worker.terminate()
            worker.join()
    if len(replies) < len(request.items):
        raise RuntimeError("a worker process stopped before its work was done")
    results = []
    for index in range(len(request.items)):
        reply = replies[index]
        if reply.error is not None:
            raise reply.error
        results.append(reply.value)
    return results


def _serve(conn: Connection, callers_end: Connection, caller: int, warm_up: Callable[[], object]) -> None:
    """The forked process: warm up, wait for one request, answer it, exit."""
    callers_end.close()  # inherited; closed so that the caller's exit reads here as end of file
    if not _die_with_parent(caller):
        return
    failure: Exception | None = None
    gc.disable()  # importing makes objects, not garbage: the collector's passes cost a tenth
    try:
        warm_up()
    except Exception as exc:  # reported with the request, where the caller can act on it
        failure = exc
    finally:
        gc.enable()
    try:
        request: _Request = conn.recv()
        if failure is not None:
            raise failure
        reply = _Reply(_run(request), None)
    except (EOFError, KeyboardInterrupt):  # nothing to do, or interrupted along with the caller
        return
    except Exception as exc:
        reply = _Reply(None, exc)
    try:
        conn.send(reply)
    except BrokenPipeError:  # the caller is gone
        return
    except Exception as exc:  # an error that cannot be pickled goes back as its text
        error = reply.error or exc
        conn.send(_Reply(None, RuntimeError(f"{type(error).__name__}: {error}")))


class Prefork:
    """One warmed-up process that runs one batch of jobs (see the module's docstring)."""

    def __init__(self, warm_up: Callable[[], object]) -> None:
        assert _CONTEXT is not None
        self._conn, child = _CONTEXT.Pipe()
        args = (child, self._conn, os.getpid(), warm_up)
        self._process = _CONTEXT.Process(target=_serve, args=args, name="prefork")
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
        results: list[Any] = reply.value
        return results

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
