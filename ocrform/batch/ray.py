"""Tasks as Ray tasks, for an archive larger than one machine (``ocrform convert --ray``).

Each task converts its file on whichever node Ray gives it and writes the outputs there, so
the output folder must be storage every node sees (NFS, a shared volume); the driver keeps
the run manifest in it, exactly as a local run does, so a re-run (local or Ray) resumes.
A worker that dies (a killed process, a lost node) has its task retried by Ray; a task past
the time limit stops itself and fails alone. The per-file memory limit of a local run is
Ray's to enforce here (its memory monitor kills the task that would exhaust a node).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from ocrform.batch.local import POLL_SECONDS, Limits
from ocrform.batch.manifest import Manifest
from ocrform.batch.tasks import Record, Settings, Task
from ocrform.batch.worker import failed_record, remove_outputs, run_task
from ocrform.errors import InputError

# Tries Ray gives a task whose worker died before it finished (a kill, a lost node).
WORKER_DEATH_RETRIES = 3


def run_ray(
    tasks: list[Task],
    settings: Settings,
    manifest: Manifest,
    *,
    address: str | None = None,
    limits: Limits | None = None,
    on_record: Callable[[Record], None] = lambda record: None,
    stamp: Record | None = None,
) -> list[Record]:
    """Run ``tasks`` on the Ray cluster at ``address`` (None: start a local Ray instance),
    appending each record to the manifest as it arrives."""
    try:
        import ray
    except ImportError:
        raise InputError("--ray", "Ray is not installed (pip install 'ocrform[ray]')") from None
    records: list[Record] = []
    if not tasks:
        return records
    seconds = (limits or Limits()).seconds
    ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        convert = ray.remote(max_retries=WORKER_DEATH_RETRIES, retry_exceptions=False)(convert_on_worker)
        pending = {convert.remote(task, settings, seconds): task for task in tasks}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=POLL_SECONDS * 4)
            for ref in ready:
                task = pending.pop(ref)
                record = _record_of(ray, ref, task, settings)
                record.update(stamp or {})
                manifest.append(record)
                records.append(record)
                on_record(record)
    finally:
        ray.shutdown()
    return records


def _record_of(ray: Any, ref: Any, task: Task, settings: Settings) -> Record:
    try:
        record: Record = ray.get(ref)
        return record
    except ray.exceptions.RayError as exc:  # the worker died more often than Ray retries
        remove_outputs(task, settings.formats)
        reason = type(exc).__name__
        return failed_record(task, f"{task.source}: Ray task failed ({reason})", time.time())


def convert_on_worker(task: Task, settings: Settings, seconds: float) -> Record:
    """One task on a Ray worker, stopped by an alarm past ``seconds`` (0: none)."""
    started = time.time()
    alarm = bool(seconds) and threading.current_thread() is threading.main_thread()
    if alarm:
        previous = signal.signal(signal.SIGALRM, _time_is_up)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return run_task(task, settings)
    except _TimeIsUp:
        remove_outputs(task, settings.formats)
        reason = f"time limit exceeded ({seconds:g} s per file; see --timeout)"
        return failed_record(task, f"{task.source}: {reason}", started)
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class _TimeIsUp(BaseException):
    """Raised by the alarm; a BaseException so the conversion's own handlers let it pass."""


def _time_is_up(signum: int, frame: object) -> None:
    raise _TimeIsUp
