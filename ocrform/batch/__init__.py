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

from ocrform.batch.local import Limits, run_local
from ocrform.batch.tasks import Record, Settings, Task, make_tasks, plan

__all__ = ["Limits", "Record", "Settings", "Task", "make_tasks", "plan", "run_local"]
