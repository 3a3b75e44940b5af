"""Worker processes for extraction: parallel, streaming, with a time limit per job.

Each worker is a forked process that takes one job at a time over a pipe. A job that runs past
its time limit gets its worker killed (and a new worker started), so a hostile file cannot hang
or exhaust the run. Results come back in the order they finish.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator


@dataclass(frozen=True)
class Failure:
    """What a job raised, carried back as text (exceptions do not always pickle)."""

    kind: str  # the exception class name
    message: str
    warning: bool = False


@dataclass(frozen=True)
class TimedOut:
    seconds: float


@dataclass(frozen=True)
class Crashed:
    exitcode: int | None


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the parent dies (even by SIGKILL)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends the worker
        pass


def _worker_loop(conn, parent_end, fn: Callable[[Any], Any], parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    parent_end.close()  # so that the parent's death closes the pipe for this worker
    _die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            result = fn(job)
        except Exception as exc:  # report and carry on with the next job
            from .errors import EvidexError, NoTextError

            if isinstance(exc, EvidexError):
                result = Failure(type(exc).__name__, str(exc), warning=isinstance(exc, NoTextError))
            else:
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                result = Failure(type(exc).__name__, f"unexpected error ({detail})")
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, ctx, fn):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_loop, args=(child, self.conn, fn, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.job: Any = None
        self.deadline = 0.0

    def give(self, job, timeout: float) -> None:
        self.job = job
        self.deadline = time.monotonic() + timeout
        self.conn.send(job)

    def kill(self) -> None:
        try:
            self.process.kill()
        finally:
            self.process.join(5)
            self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


def run(fn: Callable[[Any], Any], jobs: Iterable[Any], workers: int, timeout: float) -> Iterator[tuple[Any, Any]]:
    """Run fn(job) for every job in worker processes; yield (job, result) as each finishes.

    The result is what fn returned, or a Failure, TimedOut or Crashed value.
    """
    ctx = multiprocessing.get_context("fork")
    pending = iter(jobs)
    pool: list[_Worker] = []
    exhausted = False
    try:
        while True:
            idle = [w for w in pool if w.job is None]
            while not exhausted and (idle or len(pool) < workers):
                try:
                    job = next(pending)
                except StopIteration:
                    exhausted = True
                    break
                worker = idle.pop() if idle else None
                if worker is None:
                    worker = _Worker(ctx, fn)
                    pool.append(worker)
                worker.give(job, timeout)
            busy = [w for w in pool if w.job is not None]
            if not busy:
                return
            wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=wait_for)
            for worker in busy:
                if worker.conn in ready:
                    job = worker.job
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.process.join(5)
                        result = Crashed(worker.process.exitcode)
                        pool.remove(worker)
                        worker.kill()
                    worker.job = None
                    yield job, result
                elif time.monotonic() >= worker.deadline:
                    job = worker.job
                    pool.remove(worker)
                    worker.kill()
                    yield job, TimedOut(timeout)
    finally:
        for worker in pool:
            if worker.job is not None:
                worker.kill()
            else:
                worker.stop()
