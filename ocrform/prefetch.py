"""Produce a stream's next item in a worker thread while the consumer works on this one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def prefetch(items: Iterable[T]) -> Iterator[T]:
    """``items`` in order, each produced in a worker thread while the one before it is used.

    Only one item is ever produced ahead, so a stream of page images holds two pages at a
    time. An exception raised producing an item is raised here, where that item was due.
    """
    source = iter(items)
    done = object()
    with ThreadPoolExecutor(1, thread_name_prefix="ocrform-prefetch") as worker:
        pending = worker.submit(next, source, done)
        while (ready := [pending.result()])[0] is not done:
            pending = worker.submit(next, source, done)
            # Handed over, not kept: while suspended here this frame holds no item, so a
            # consumer that drops one (a scanned page's pixels) frees it at once.
            yield ready.pop()  # type: ignore[misc]
