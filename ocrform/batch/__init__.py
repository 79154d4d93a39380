"""Batches: many inputs converted as independent tasks with atomic, resumable outputs.

A task is one input document and the output files it owns (``<stem>.json`` and, when asked
for, its CSV/XLSX beside it). Every output is written under a unique temporary name and
renamed into place, so a reader (or a second run into the same folder) sees a whole file or
none. The run manifest (``ocrform-run.jsonl`` in the output folder) holds one JSON line per
finished task: the input's hash, status, problems, timings and error. A re-run skips every
task whose outputs are current (its JSON names the input's present hash), so a batch killed
at any moment and started again converts each document exactly once.

Tasks run in worker processes on this machine (``run_local``: per-file time and memory
limits, a crashed or stopped worker replaced) or as Ray tasks on a cluster (``run_ray``).
Internal: the CLI's ``convert`` is the public surface.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocrform.batch.local import Limits, run_local
    from ocrform.batch.tasks import Record, Settings, Task, make_tasks, plan

__all__ = ["Limits", "Record", "Settings", "Task", "make_tasks", "plan", "run_local"]

# Loaded when first asked for: the command line starts the workers' server (batch.server)
# before it loads the converter's modules, which these bring in.
_HOMES = {
    "Limits": "local",
    "run_local": "local",
    **dict.fromkeys(["Record", "Settings", "Task", "make_tasks", "plan"], "tasks"),
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'ocrform.batch' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ocrform.batch.{_HOMES[name]}"), name)
