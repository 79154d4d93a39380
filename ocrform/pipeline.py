"""The stages, document → pages → words → tables → repair → form → validate, and their stream.

Each stage is a function from what an earlier stage produced to new data; none changes its
input. ``ocrform.open`` runs them page by page on demand; ``stream`` runs them over a batch:
text-layer pages are cheap and the glyph repair needs every page of a font at once, so they
are all read before the grid stage, while image pages are pre-processed, gridded and read one
at a time, the next page loaded and prepared in a worker thread while one is recognised. A
page's pixels are dropped as soon as its words are known.

Internal: the public surface is ``ocrform.convert``, ``ocrform.convert_many`` and
``ocrform.open``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ocrform.canonical import DocumentResult, FormEvidence, Repair, Source
from ocrform.document import DEFAULT_DPI, load_document, sniff_kind
from ocrform.form.mapping import MappedForm, map_cells_to_form
from ocrform.grid import find_tables
from ocrform.grid.cells import fill_cells
from ocrform.model import InputDocument, Page, PageContent, ScanInfo, Seal, Table
from ocrform.prefetch import prefetch
from ocrform.repair.pdf import repair_pdf_text
from ocrform.repair.plausible import may_be_garbled
from ocrform.repair.text import repair_text
from ocrform.textdump import decode_text_dump, read_text
from ocrform.validate import validate_form

if TYPE_CHECKING:
    from ocrform.words.engines import OcrEngine


@dataclass(frozen=True)
class Options:
    """How to convert: the OCR engine for scans (a name and its settings, or an engine object),
    and the resolution image-only PDF pages are rendered at."""

    engine: str | OcrEngine = "rapidocr"
    engine_options: Mapping[str, str] = field(default_factory=dict)
    dpi: int = DEFAULT_DPI


# --- the stages ---------------------------------------------------------------------------


def prepare_scan(page: Page) -> Page:
    """The scanned page pre-processed: red seals divided out, light flattened, upright and level,
    its dark seals found. Deskew and orientation turn the picture, so the page's size is the
    upright picture's."""
    from ocrform.scan.preprocess import preprocess_page
    from ocrform.words.ocr import is_black_and_white

    assert page.image is not None
    prepared = preprocess_page(page.image, page.pixels_per_point)
    height, width = prepared.image.shape[:2]
    return replace(
        page,
        image=prepared.image,
        seals=prepared.seals,
        width=width / page.pixels_per_point,
        height=height / page.pixels_per_point,
        scan=ScanInfo(prepared.angle, prepared.rotation, bool(is_black_and_white(prepared.image))),
    )


def read_scan(page: Page, grid: list[Table], engine: OcrEngine) -> PageContent:
    """A pre-processed scan's words, read by ``engine`` cell by cell, in its grid; the page
    comes back with its words and without its pixels."""
    from ocrform.words.ocr import read_words_by_ocr

    words = read_words_by_ocr(page, grid, engine)
    return page_content(replace(page, image=None, words=words), grid)


def page_content(page: Page, grid: list[Table]) -> PageContent:
    """The page's words put into the cells of its grid."""
    tables, free_words = fill_cells(grid, page.words)
    return PageContent(page=page, tables=tables, free_words=free_words)


@dataclass(frozen=True)
class TextLayer:
    """A PDF's text-layer pages, repaired and gridded, and what the repair changed."""

    contents: list[PageContent]
    repairs: list[Repair]
    state: str  # "clean", "repaired" or "absent"


def read_text_layer(doc: InputDocument, pages: list[Page]) -> TextLayer:
    """All text-layer pages of ``doc`` at once: the glyph repair judges each font over every
    page that uses it."""
    if not pages:
        return TextLayer([], [], "absent")
    repaired = repair_pdf_text(doc.pdf, pages)
    contents = [page_content(page, find_tables(page)) for page in repaired.pages]
    state = "repaired" if repaired.repairs else "clean"
    return TextLayer(contents, repaired.repairs, state if doc.kind == "pdf" else "absent")


def read_dump(path: Path) -> TextLayer:
    """A text dump's pages, after tier-3 repair when the text looks mis-encoded (the only tier
    that needs no font). It has no geometry to grid: its reader rebuilds the rows."""
    text = decode_text_dump(path)
    repairs: list[Repair] = []
    if may_be_garbled(text):
        fixed = repair_text(text)
        if fixed.garbled:
            text = fixed.text
            repairs = [Repair(page=None, source=a, repaired=b, method=m) for a, b, m in fixed.repairs]
    return TextLayer(read_text(text), repairs, "repaired" if repairs else "clean")


@dataclass(frozen=True)
class ReadDocument:
    """Everything the readers found in one input, in page order, before forms are mapped."""

    path: Path
    kind: str  # "pdf", "image" or "text"
    page_count: int
    contents: list[PageContent]
    repairs: list[Repair]
    text_layer: str


def build_result(read: ReadDocument) -> DocumentResult:
    """Map the pages onto forms, check each form, and describe the source."""
    mapped = map_cells_to_form(read.contents)
    seals = page_seals(read.contents)
    forms, evidence = [], []
    for m in mapped:
        forms.append(m.form)
        evidence.append(_evidence(m, read.repairs, seals))
    source = Source(
        path=str(read.path),
        kind=read.kind,
        pages=read.page_count,
        sha256=_sha256(read.path),
        text_layer=read.text_layer,
    )
    return DocumentResult(source=source, forms=forms, evidence=evidence)


def page_seals(contents: Iterable[PageContent]) -> dict[int, list[Seal]]:
    """The dark seals of each (1-based) page that has any."""
    return {c.page.index + 1: c.page.seals for c in contents if c.page.seals}


def _evidence(mapped: MappedForm, repairs: list[Repair], seals: dict[int, list[Seal]]) -> FormEvidence:
    """The mapper's evidence with the repairs on the form's pages and the checks' findings."""
    on_pages = set(mapped.evidence.pages)
    # A repair of a text dump has no page: one substitution holds for the whole dump.
    own = [r for r in repairs if r.page is None or r.page in on_pages]
    issues = validate_form(mapped.form, mapped.evidence, seals)
    return mapped.evidence.model_copy(update={"repairs": own, "issues": issues})


# --- the stream ---------------------------------------------------------------------------


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
    for n, path, item in prefetch(_prepared_files(paths, options)):
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
            if sniff_kind(path) == "text":
                start = time.perf_counter()
                dump = read_dump(path)
                seconds["text"] = time.perf_counter() - start
                read = ReadDocument(path, "text", len(dump.contents), dump.contents, dump.repairs, dump.state)
                yield n, path, _Read(read, seconds)
                continue
            yield from _prepared_document(n, path, options, seconds)
        except Exception as exc:  # one broken file must not end the others' stream
            yield n, path, exc


def _prepared_document(
    n: int, path: Path, options: Options, seconds: dict[str, float]
) -> Iterator[tuple[int, Path, _Scan | _Read]]:
    doc = load_document(path, dpi=options.dpi)
    try:
        text_pages: list[Page] = []
        for index in range(doc.page_count):
            t0 = time.perf_counter()
            page = doc.load_page(index)
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
        start = time.perf_counter()
        text = read_text_layer(doc, text_pages)
        _add(seconds, "text", time.perf_counter() - start)
    finally:
        doc.close()
    read = ReadDocument(path, doc.kind, doc.page_count, text.contents, text.repairs, text.state)
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


def ocr_engine(options: Options) -> OcrEngine:
    """The engine ``options`` give, or the one they name. A named engine is built on first use,
    so born-digital batches never load the OCR models, and once per process for each name and
    settings: loading and narrowing the models costs about a second."""
    if not isinstance(options.engine, str):
        return options.engine
    return _named_engine(options.engine, tuple(sorted(options.engine_options.items())))


@lru_cache(maxsize=4)
def _named_engine(name: str, settings: tuple[tuple[str, str], ...]) -> OcrEngine:
    from ocrform.words.engines import get_engine

    return get_engine(name, **dict(settings))


def _add(seconds: dict[str, float], stage: str, value: float) -> None:
    seconds[stage] = seconds.get(stage, 0.0) + value


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
