"""How many cores one conversion may keep busy: its thread budget.

A lone conversion (the API, ``ocrform convert`` with one file) takes every core it is
allowed, up to MAX_THREADS. A batch of ``--jobs N`` shares N cores among the files it
converts at once, so each worker process is given N divided by its workers, and every
thread pool of a conversion keeps within that: the recognisers' sessions, the glyph reader,
OpenCV, and the stream's read-ahead thread (only with a budget of two or more).
"""

from __future__ import annotations

import os

# The recogniser's sessions stop gaining past four (RapidOcrEngine's note).
MAX_THREADS = 4
# A batch worker's resident memory peaked at 660 MB over the fuzz suite's 1,007 inputs
# (scans, bombs refused, damaged PDFs): a batch's default keeps 1 GiB free for each.
MEMORY_PER_WORKER = 1 << 30

_budget: int | None = None


def available_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def default_jobs() -> int:
    """``--jobs`` when not given: every core this process may run on, as far as the memory
    now available holds MEMORY_PER_WORKER for each (at least one)."""
    import psutil

    try:
        room = psutil.virtual_memory().available // MEMORY_PER_WORKER
    except (OSError, RuntimeError, AttributeError):  # no memory figures on this system
        return available_cores()
    return max(1, min(available_cores(), room))


def thread_budget() -> int:
    """The threads a conversion in this process may run at once."""
    return _budget if _budget is not None else min(MAX_THREADS, available_cores())


def set_thread_budget(threads: int | None) -> None:
    """Give this process ``threads`` (None: the default, every core up to MAX_THREADS).

    Set before the first conversion: engines and the glyph reader size their sessions when
    they are made.
    """
    global _budget
    _budget = max(1, threads) if threads is not None else None
    import cv2

    cv2.setNumThreads(thread_budget())
