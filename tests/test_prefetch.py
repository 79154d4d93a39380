"""The worker that produces a stream's next item while the consumer works on this one."""

from __future__ import annotations

import weakref
from collections.abc import Iterator

import pytest

from ocrform.prefetch import prefetch


def counted(n: int, produced: list[int]) -> Iterator[int]:
    """0 … n-1, each noted in ``produced`` as it is made."""
    for i in range(n):
        produced.append(i)
        yield i


def test_items_come_in_order_with_only_one_produced_ahead() -> None:
    produced: list[int] = []
    seen = []
    for item in prefetch(counted(6, produced)):
        # The consumer holds this item; the worker may have made the next one, no more.
        assert produced[-1] <= item + 1
        seen.append(item)
    assert seen == list(range(6))


def test_an_error_producing_an_item_is_raised_where_that_item_was_due() -> None:
    def failing() -> Iterator[str]:
        yield "a"
        yield "b"
        raise ValueError("page 3 unreadable")

    seen = []
    with pytest.raises(ValueError, match="page 3"):
        for item in prefetch(failing()):
            seen.append(item)
    assert seen == ["a", "b"]


def test_a_consumer_that_stops_early_leaves_the_rest_unproduced() -> None:
    produced: list[int] = []
    for item in prefetch(counted(100, produced)):
        if item == 2:
            break
    assert produced == [0, 1, 2, 3]


class _Picture:
    """A stand-in for a scanned page's pixels: something a weak reference can watch."""


def test_an_item_the_consumer_drops_is_freed_at_once() -> None:
    # A scanned page's pixels must go when the reader lets go of them, not when the next
    # page arrives: the stream holds two pages at a time, never three.
    def pictures() -> Iterator[_Picture]:
        for _ in range(3):
            yield _Picture()

    stream = prefetch(pictures())
    for _ in range(3):
        item = next(stream)
        watch = weakref.ref(item)
        del item
        assert watch() is None
