"""What a batch tells its user: a progress bar on a terminal (tqdm; none when stderr is not a
terminal or with ``-q``), one line per file, a summary at the end, and with ``--log-json`` the
same events as JSON lines for other programs."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from ocrform.batch.tasks import FAILED, WITH_PROBLEMS, Record, Task


class Reporter:
    def __init__(self, total: int, *, quiet: bool = False, verbose: bool = False, log_json: Path | None = None) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        interactive = sys.stderr.isatty() and not quiet
        self._bar = tqdm(total=total, unit="file", file=sys.stderr, disable=not interactive, leave=False)
        self._log: IO[str] | None = log_json.open("a", encoding="utf-8") if log_json else None

    def event(self, kind: str, **fields: Any) -> None:
        if self._log is not None:
            self._log.write(json.dumps({"event": kind, "time": round(time.time(), 3), **fields}, ensure_ascii=False))
            self._log.write("\n")
            self._log.flush()

    def record(self, record: Record) -> None:
        """A task finished in this run."""
        status = record["status"]
        self.counts[status] += 1
        if status == FAILED:
            self._say(f"error: {record['error']}", always=True)
        else:
            n = record.get("forms", 0)
            self._say(f"{record['input']} -> {record['output']}: {n} form{'s' if n != 1 else ''}")
            for problem in record.get("problems", []):
                self._say(f"warning: {record['input']}: {problem.get('code')}: {problem.get('detail', '')}")
            if self.verbose and record.get("seconds"):
                stages = ", ".join(f"{k} {v:.2f} s" for k, v in record["seconds"].items())
                self._say(f"  {stages}")
        self.event("file", **record)
        self._bar.update(1)

    def current(self, task: Task) -> None:
        """A task whose outputs were already made from the same input."""
        self.counts["current"] += 1
        if self.verbose:
            self._say(f"{task.source} -> {task.output}: up to date")
        self.event("current", input=str(task.source), output=str(task.output))
        self._bar.update(1)

    def failed_before(self, task: Task, record: Record) -> None:
        self.counts["failed_before"] += 1
        self._say(f"error: {record.get('error')} (an earlier run; --retry-failed tries again)", always=True)
        self.event("failed_before", input=str(task.source), output=str(task.output), error=record.get("error"))
        self._bar.update(1)

    @property
    def failed(self) -> int:
        return self.counts[FAILED] + self.counts["failed_before"]

    @property
    def with_problems(self) -> int:
        return self.counts[WITH_PROBLEMS]

    def summary(self) -> str:
        seconds = time.monotonic() - self.started
        total = sum(self.counts.values())
        parts = [
            f"{self.counts['converted']} converted",
            f"{self.with_problems} with problems",
            f"{self.failed} failed",
            f"{self.counts['current']} up to date",
        ]
        line = f"ocrform: {total} file{'s' if total != 1 else ''}: {', '.join(parts)} ({seconds:.1f} s)"
        self.event("summary", **dict(self.counts), seconds=round(seconds, 3))
        self._say(line)
        return line

    def close(self) -> None:
        self._bar.close()
        if self._log is not None:
            self._log.close()

    def _say(self, line: str, always: bool = False) -> None:
        if always or not self.quiet:
            tqdm.write(line, file=sys.stderr)
