"""What a batch is: tasks (an input and its outputs), the settings every task shares, the
record a finished task leaves, and the plan that says which tasks a run must do."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ocrform.batch.manifest import latest_by_output
from ocrform.batch.outputs import json_source_hash
from ocrform.inputs import input_sha256

# Statuses a record carries.
CONVERTED = "converted"
WITH_PROBLEMS = "problems"
FAILED = "failed"
FINISHED = (CONVERTED, WITH_PROBLEMS)

Record = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    """What every task of a run shares: the OCR engine and its options, the render
    resolution, the output formats besides JSON, and the threads each worker's conversion
    may run (``ocrform.cpu``; None: the process default). The threads change the speed, not
    the results, so they are not part of a run's fingerprint (``settings_key``)."""

    engine: str = "rapidocr"
    engine_options: tuple[tuple[str, str], ...] = ()
    dpi: int = 200
    formats: tuple[str, ...] = ("json",)
    threads: int | None = None


@dataclass(frozen=True)
class Task:
    """One input document (a file, or a folder of page images) and its JSON output."""

    source: Path
    output: Path
    sha256: str = field(default="", compare=False)

    def extra_outputs(self, formats: Iterable[str], optional: bool = False) -> list[Path]:
        """The files besides the JSON this task owns for ``formats`` (CSV, XLSX): those every
        document gets, and with ``optional`` those only some do."""
        from ocrform.export import format_paths

        return format_paths(self.output, formats, optional)


def make_tasks(sources: Iterable[Path], outdir: Path) -> list[Task]:
    """A task per input, its output ``OUTDIR/<stem>.json`` (``<stem>-2.json`` for a second
    input of that stem). Names depend only on the inputs' order, so every run of one command
    (and a concurrent twin) names each document's output the same."""
    from ocrform.export import output_path

    taken: set[Path] = set()
    return [Task(Path(s), output_path(outdir, Path(s), taken)) for s in sources]


@dataclass(frozen=True)
class Plan:
    """Which tasks a run does: ``todo``; ``current`` (outputs already made from the same
    input); ``failed_before`` (failed last time on the same input, with that record);
    ``unrecorded``: current tasks whose run was killed between writing the JSON and
    recording it, to be recorded now (their conversion is done, not to be done again)."""

    todo: list[Task]
    current: list[Task]
    failed_before: list[tuple[Task, Record]]
    unrecorded: list[Task] = field(default_factory=list)


def plan(
    tasks: list[Task],
    records: list[Record],
    formats: Iterable[str],
    *,
    settings_key: str = "",
    force: bool = False,
    retry_failed: bool = False,
) -> Plan:
    """A failure is taken as final only when the same input failed under the same settings
    and limits (``settings_key``): a user who raises ``--timeout`` expects the file tried."""
    latest = latest_by_output(records)
    todo, current, failed_before, unrecorded = [], [], [], []
    for task in tasks:
        last = latest.get(str(task.output))
        try:
            task = Task(task.source, task.output, _known_hash(task.source, last) or input_sha256(task.source))
        except OSError:
            todo.append(task)  # the conversion reports the unreadable input
            continue
        if not force and is_current(task, formats):
            current.append(task)
            if not (last and last.get("status") in FINISHED and last.get("sha256") == task.sha256):
                unrecorded.append(task)
        elif not (force or retry_failed) and last and _same_failure(last, task, settings_key):
            failed_before.append((task, last))
        else:
            todo.append(task)
    return Plan(todo, current, failed_before, unrecorded)


def is_current(task: Task, formats: Iterable[str]) -> bool:
    """The task's JSON names the input's present hash and every asked-for file exists."""
    if not task.sha256 or json_source_hash(task.output) != task.sha256:
        return False
    return all(p.exists() for p in task.extra_outputs(formats))


def file_stamp(path: Path) -> list[int] | None:
    """A regular file's size and modification time (ns): unchanged, its hash is unchanged."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns] if path.is_file() else None


def _known_hash(path: Path, last: Record | None) -> str | None:
    """The hash the last record gives, when the file still has the size and time it had then:
    a re-run over thousands of scans need not read them all again."""
    if last and last.get("sha256") and last.get("stamp") and last.get("stamp") == file_stamp(path):
        return str(last["sha256"])
    return None


def _same_failure(record: Record, task: Task, settings_key: str) -> bool:
    same_input = record.get("sha256") == task.sha256
    return record.get("status") == FAILED and same_input and record.get("settings") == settings_key


def settings_key(settings: Settings, limits: object) -> str:
    """A short fingerprint of what a run was asked to do, kept in each record."""
    return hashlib.sha256(repr((replace(settings, threads=None), limits)).encode()).hexdigest()[:16]


def recovered_record(task: Task) -> Record:
    """The record of a conversion whose run was killed after its JSON was written."""
    return {
        "input": str(task.source),
        "output": str(task.output),
        "sha256": task.sha256,
        "status": CONVERTED,
        "recovered": True,
    }
