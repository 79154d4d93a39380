"""One task, start to finish, wherever it runs (a local worker process or a Ray worker):
convert the input, write its outputs atomically, and return the record for the manifest.
A failed task removes the outputs an earlier run left for it, so no file stands for a
conversion that did not happen."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from ocrform.batch.tasks import CONVERTED, FAILED, WITH_PROBLEMS, Record, Settings, Task, file_stamp
from ocrform.canonical import DocumentResult
from ocrform.errors import InputError


def run_task(task: Task, settings: Settings) -> Record:
    from ocrform.cpu import set_thread_budget
    from ocrform.pipeline import stream
    from ocrform.stages import Options

    set_thread_budget(settings.threads)
    started = time.time()
    stamp = file_stamp(task.source)  # before reading: a file changed meanwhile is hashed again next run
    options = Options(engine=settings.engine, engine_options=dict(settings.engine_options), dpi=settings.dpi)
    try:
        (item,) = stream([task.source], options)
        if item.error is not None:
            raise item.error
        assert item.result is not None
        result = item.result
        problems = [p.model_dump() for p in result.problems]  # damaged, pages_lost, no_form_found, ...
        write_outputs(result, task.output, settings.formats)
    except Exception as exc:  # one broken file must never cost the batch its other results
        remove_outputs(task, settings.formats)
        return failed_record(task, error_line(task.source, exc), started)
    return {
        **_base(task, started),
        "sha256": result.source.sha256,
        "stamp": stamp,
        "status": WITH_PROBLEMS if problems else CONVERTED,
        "forms": len(result.forms),
        "problems": problems,
        "seconds": {k: round(v, 3) for k, v in item.seconds.items()},
    }


def failed_record(task: Task, error: str, started: float) -> Record:
    return {**_base(task, started), "sha256": task.sha256 or None, "status": FAILED, "error": error}


def _base(task: Task, started: float) -> Record:
    return {
        "input": str(task.source),
        "output": str(task.output),
        "started": round(started, 3),
        "wall": round(time.time() - started, 3),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


def write_outputs(result: DocumentResult, json_path: Path, formats: tuple[str, ...]) -> None:
    from ocrform.export import TABLE_FORMATS, write_formats, write_json

    json_path.parent.mkdir(parents=True, exist_ok=True)
    if any(f in TABLE_FORMATS for f in formats):
        write_formats(result, json_path, set(formats))
    # The JSON goes last: it is what marks the task done (its source hash), so a run killed
    # after the CSV but before the JSON redoes the task.
    write_json(result, json_path)


def remove_outputs(task: Task, formats: tuple[str, ...]) -> None:
    for path in [task.output, *task.extra_outputs(formats, optional=True)]:
        path.unlink(missing_ok=True)


def error_line(source: Path, exc: BaseException) -> str:
    """The one line a user sees: the input error as raised, else an internal error's type and
    first line, naming the file."""
    if isinstance(exc, InputError):
        return str(exc)
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{source}: internal error ({type(exc).__name__}: {first})"
