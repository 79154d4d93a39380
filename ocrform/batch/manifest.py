"""The run manifest: ``ocrform-run.jsonl`` in the output folder, one JSON line per finished
task (appended whole under a lock, so concurrent runs interleave lines, never bytes), and
per-task locks that stop two runs from converting one document at the same time."""

from __future__ import annotations

import fcntl
import json
import os
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANIFEST_NAME = "ocrform-run.jsonl"
# Task locks are one-byte POSIX record locks on the manifest at an offset drawn from the
# output's name, far past any real manifest's end (locks beyond EOF are allowed).
_LOCK_BASE = 1 << 40
_LOCK_SLOTS = 1 << 30


class Manifest:
    """An open manifest. Keep one per process: POSIX record locks are the process's and close
    with any of its descriptors of the file."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST_NAME
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(self, record: Mapping[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            os.write(self._fd, line)
            os.fsync(self._fd)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def records(self) -> list[dict[str, Any]]:
        return read_records(self.path)

    def try_lock(self, key: str) -> bool:
        """Lock ``key`` (an output path) for this process; False while another run holds it."""
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _lock_offset(key), os.SEEK_SET)
        except OSError:
            return False
        return True

    def unlock(self, key: str) -> None:
        fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, _lock_offset(key), os.SEEK_SET)


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every whole line of a manifest; a line cut by a crash or edited by hand is skipped."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    records = []
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            records.append(item)
    return records


def latest_by_output(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last record written for each output path."""
    return {str(r["output"]): r for r in records if "output" in r}


def _lock_offset(key: str) -> int:
    return _LOCK_BASE + zlib.crc32(key.encode("utf-8")) % _LOCK_SLOTS
