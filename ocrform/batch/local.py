"""Tasks in worker processes on this machine, each file under a wall-time and memory limit.

A worker takes one task at a time and keeps its OCR models between tasks. The parent
watches each busy worker: one that runs past the time limit, grows past the memory limit,
or dies (a native library's crash) is killed and replaced, and its file is reported failed
with the reason; the other files go on.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

import psutil

from ocrform.batch.manifest import Manifest
from ocrform.batch.outputs import remove_stale_temps
from ocrform.batch.server import worker_context
from ocrform.batch.tasks import Record, Settings, Task, is_current
from ocrform.batch.worker import failed_record, remove_outputs, run_task

# How often a busy worker's time and memory are looked at. Measured: a decompression bomb
# grows by about 1 GB in 0.3 s here, so a quarter second overshoots a limit by under 1 GB.
POLL_SECONDS = 0.25
# How long a task another run holds is waited for before looking again.
BUSY_RETRY_SECONDS = 0.5


@dataclass(frozen=True)
class Limits:
    """Per file: wall time in seconds (0: none) and resident memory in bytes (0: none)."""

    seconds: float = 900.0
    memory: int = 3 << 30


def run_local(
    tasks: list[Task],
    settings: Settings,
    manifest: Manifest,
    *,
    jobs: int = 1,
    limits: Limits = Limits(),
    on_record: Callable[[Record], None] = lambda record: None,
    stamp: Record | None = None,
) -> list[Record]:
    """Run ``tasks`` in ``jobs`` worker processes; each finished task's record is appended to
    the manifest and passed to ``on_record``, in the order they finish. A task another run
    (into the same folder) is converting is waited for, then skipped if that run made it."""
    records: list[Record] = []
    if not tasks:
        return records
    pending = deque(tasks)
    started = time.time()
    context = worker_context()
    workers = [_Worker(context, settings) for _ in range(max(1, min(jobs, len(tasks))))]

    def finish(worker: _Worker, record: Record) -> None:
        assert worker.task is not None
        record.update(stamp or {})
        manifest.append(record)
        manifest.unlock(str(worker.task.output))
        worker.task = None
        records.append(record)
        on_record(record)

    try:
        while pending or any(w.task for w in workers):
            for worker in workers:
                if worker.task is None and pending:
                    _assign(worker, pending, manifest, settings, started)
            busy = [w for w in workers if w.task is not None]
            if not busy:
                if pending:
                    time.sleep(BUSY_RETRY_SECONDS)
                continue
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=POLL_SECONDS)
            for worker in busy:
                record = worker.outcome(limits)
                if record is None:
                    continue
                if record.pop("_killed", False):  # its half-written files go with it
                    assert worker.task is not None
                    remove_outputs(worker.task, settings.formats)
                    remove_stale_temps(worker.task.output.parent)
                    worker.restart()
                finish(worker, record)
    finally:
        for worker in workers:
            worker.stop()
    return records


def _assign(worker: _Worker, pending: deque[Task], manifest: Manifest, settings: Settings, since: float) -> None:
    """Give ``worker`` the first pending task no other run holds; a task another run finished
    since this one started is dropped."""
    for _ in range(len(pending)):
        task = pending.popleft()
        if not manifest.try_lock(str(task.output)):
            pending.append(task)  # another run is on it: look again later
            continue
        if task.sha256 and _made_since(task, since) and is_current(task, settings.formats):
            manifest.unlock(str(task.output))
            continue
        worker.start(task)
        return


def _made_since(task: Task, since: float) -> bool:
    try:
        return task.output.stat().st_mtime >= since
    except OSError:
        return False


class _Worker:
    def __init__(self, context: mp.context.BaseContext, settings: Settings) -> None:
        self.context = context
        self.settings = settings
        self.task: Task | None = None
        self.started = 0.0
        self._spawn()

    def _spawn(self) -> None:
        parent, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child, self.settings), daemon=True)
        self.process.start()
        child.close()
        self.conn: Connection = parent
        self._ps: psutil.Process | None = None

    def start(self, task: Task) -> None:
        """Hand ``task`` to the worker. One that died since its last task is replaced first;
        one that dies again before taking it leaves the task to ``outcome``, which reports
        the death as the file's failure."""
        self.task = task
        self.started = time.monotonic()
        for _ in range(2):
            try:
                self.conn.send(task)
                return
            except OSError:  # the pipe of a dead worker
                self.restart()

    def outcome(self, limits: Limits) -> Record | None:
        """The finished task's record; a failure record when the worker died, ran out of time
        or memory (then it is killed, marked ``_killed``); None while it works."""
        assert self.task is not None
        try:
            if self.conn.poll():
                record: Record = self.conn.recv()
                return record
        except (EOFError, OSError):
            pass
        reason = None
        if not self.process.is_alive():
            code = self.process.exitcode
            reason = f"worker died ({_exit_reason(code)})"
        elif limits.seconds and time.monotonic() - self.started > limits.seconds:
            reason = f"time limit exceeded ({limits.seconds:g} s per file; see --timeout)"
        elif limits.memory and self._rss() > limits.memory:
            reason = f"memory limit exceeded ({limits.memory / (1 << 30):.1f} GiB per file; see --max-memory)"
        if reason is None:
            return None
        self.kill()
        return {**failed_record(self.task, f"{self.task.source}: {reason}", time.time()), "_killed": True}

    def _rss(self) -> int:
        try:
            if self._ps is None:
                self._ps = psutil.Process(self.process.pid)
            return sum(p.memory_info().rss for p in [self._ps, *self._ps.children(recursive=True)])
        except psutil.Error:
            return 0

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)

    def restart(self) -> None:
        self.kill()
        self.conn.close()
        self._spawn()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(2)
        self.kill()
        self.conn.close()


def _serve(conn: Connection, settings: Settings) -> None:
    """A worker: tasks in, records out, until the parent closes the pipe or sends None."""
    # Ctrl-C reaches the whole process group; the parent decides, the worker just stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(run_task(task, settings))


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"
