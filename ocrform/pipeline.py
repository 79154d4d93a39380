"""The stream: the stages run over a batch of inputs, each input's outcome in order.

Text-layer pages are cheap and the glyph repair needs every page of a font at once, so they
are all read before the grid stage, while image pages are pre-processed, gridded and read one
at a time, the next page loaded and prepared in a worker thread while one is recognised. A
page's pixels are dropped as soon as its words are known.

Internal: the public surface is ``ocrform.convert_many``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ocrform.canonical import PAGES_LOST, DocumentResult, Problem
from ocrform.cpu import thread_budget
from ocrform.document import PageLost, load_document, sniff_kind
from ocrform.errors import InputError
from ocrform.grid import find_tables
from ocrform.model import Page, PageContent, Table
from ocrform.prefetch import prefetch
from ocrform.stages import (
    Options,
    ReadDocument,
    build_result,
    ocr_engine,
    prepare_scan,
    read_scan,
    read_text_layer,
    read_whole,
)

if TYPE_CHECKING:
    from ocrform.words.engines import OcrEngine


@dataclass(frozen=True)
class Converted:
    """One input's outcome: its ``result``, or the ``error`` that stopped it.

    ``pages`` holds what the readers found on each page (tables with their words, free words,
    seals; no pixels) when the batch was asked to keep them. ``seconds`` gives the time each
    stage spent on this input (load, preprocess, grid, ocr, text, map), wherever it ran.
    """

    path: Path
    result: DocumentResult | None = None
    error: Exception | None = None
    pages: list[PageContent] | None = None
    seconds: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def stream(paths: Iterable[Path | str], options: Options, keep_pages: bool = False) -> Iterator[Converted]:
    """Each input's outcome, in the order given; a broken input never stops the others.

    A scanned page's recognition keeps both cores of a small server busy, while its loading,
    pre-processing and grid keep one. Those run in a worker thread a page ahead of the
    recognition, across files too, as do text dumps and text-layer pages whole (MuPDF is
    only ever used from that thread).
    """
    engine: OcrEngine | None = None
    scans: list[PageContent] = []
    ocr_seconds = 0.0
    failed = -1  # a file whose recognition failed: the rest of its stream is dropped
    prepared = _prepared_files(paths, options)
    # With one thread to run, the next item waits: reading it ahead would take a second core.
    for n, path, item in prefetch(prepared) if thread_budget() > 1 else prepared:
        if n == failed:
            continue
        if isinstance(item, _Scan):
            try:
                start = time.perf_counter()
                engine = engine or ocr_engine(options)
                scans.append(read_scan(item.page, item.grid, engine))
                ocr_seconds += time.perf_counter() - start
                item = None  # its picture goes now, not when the next page arrives
            except Exception as exc:  # reported for this file; the batch goes on
                failed, scans, ocr_seconds = n, [], 0.0
                yield Converted(path, error=exc)
        elif isinstance(item, _Read):
            yield _finish(item, scans, ocr_seconds, keep_pages)
            scans, ocr_seconds = [], 0.0
        else:  # the error that stopped the file in the worker
            scans, ocr_seconds = [], 0.0
            yield Converted(path, error=item)


@dataclass(frozen=True)
class _Scan:
    """A scanned page, pre-processed, with its image grid (the worker's part of a scan page)."""

    page: Page
    grid: list[Table]


@dataclass(frozen=True)
class _Read:
    """A document's last item: all the worker read of it (text pages whole, or a dump), and the
    time each of the worker's stages spent on it."""

    read: ReadDocument
    seconds: Mapping[str, float]


def _prepared_files(
    paths: Iterable[Path | str], options: Options
) -> Iterator[tuple[int, Path, _Scan | _Read | Exception]]:
    """Per file: its scanned pages prepared one by one, then the rest of it (the worker's part)."""
    for n, path in enumerate(map(Path, paths)):
        seconds: dict[str, float] = {}
        try:
            kind = sniff_kind(path)
            if kind in ("text", "office"):
                start = time.perf_counter()
                dump = read_whole(path, kind)
                seconds["text"] = time.perf_counter() - start
                read = ReadDocument(
                    path, kind, len(dump.contents), dump.contents, dump.repairs, dump.state, dump.problems
                )
                yield n, path, _Read(read, seconds)
                continue
            yield from _prepared_document(n, path, options, seconds)
        except Exception as exc:  # one broken file must not end the others' stream
            yield n, path, exc


def _prepared_document(
    n: int, path: Path, options: Options, seconds: dict[str, float]
) -> Iterator[tuple[int, Path, _Scan | _Read]]:
    doc = load_document(path, dpi=options.dpi)
    lost: list[PageLost] = []
    try:
        text_pages: list[Page] = []
        for index in range(doc.page_count):
            t0 = time.perf_counter()
            try:
                page = doc.load_page(index)
            except PageLost as exc:  # the others may still be read; the result says which went
                lost.append(exc)
                continue
            t1 = time.perf_counter()
            _add(seconds, "load", t1 - t0)
            if page.kind == "pdf-text":
                text_pages.append(page)
                continue
            # Pictures are large: each goes as soon as the next stage has made its own (the
            # loaded one once pre-processed, the upright one once read), none is kept here.
            upright = prepare_scan(page)
            del page
            t2 = time.perf_counter()
            scan = _Scan(upright, find_tables(upright))
            del upright
            _add(seconds, "preprocess", t2 - t1)
            _add(seconds, "grid", time.perf_counter() - t2)
            yield n, path, scan
            del scan
        if len(lost) == doc.page_count:
            reason = lost[0].page_reason if doc.page_count == 1 else f"no page can be read ({lost[0].reason})"
            raise InputError(path, reason)
        start = time.perf_counter()
        text = read_text_layer(doc, text_pages)
        _add(seconds, "text", time.perf_counter() - start)
    finally:
        doc.close()
    problems = [*doc.problems, *text.problems]
    problems += [Problem(code=PAGES_LOST, detail=exc.reason) for exc in lost]
    read = ReadDocument(path, doc.kind, doc.page_count, text.contents, text.repairs, text.state, problems)
    yield n, path, _Read(read, seconds)


def _finish(item: _Read, scans: list[PageContent], ocr_seconds: float, keep_pages: bool) -> Converted:
    contents = sorted([*scans, *item.read.contents], key=lambda c: c.page.index)
    read = replace(item.read, contents=contents)
    seconds = dict(item.seconds)
    if scans:
        seconds["ocr"] = ocr_seconds
    start = time.perf_counter()
    try:
        result = build_result(read)
    except Exception as exc:
        return Converted(read.path, error=exc)
    seconds["map"] = time.perf_counter() - start
    return Converted(read.path, result=result, pages=contents if keep_pages else None, seconds=seconds)


def _add(seconds: dict[str, float], stage: str, value: float) -> None:
    seconds[stage] = seconds.get(stage, 0.0) + value
