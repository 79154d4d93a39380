"""convert(path): document → pages → words → tables → repair → form → validate.

Text-layer pages are cheap and the glyph repair needs every page of a font at once, so
they are all read before the grid stage. Image pages are pre-processed, gridded and read
one at a time, and their pixels are dropped as soon as their words are known; the next
page is loaded and prepared in a worker thread while one is read (``convert_many``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ocrform.document import DEFAULT_DPI, load_document, sniff_kind
from ocrform.form.mapping import MappedForm, map_cells_to_form
from ocrform.grid import find_tables
from ocrform.grid.cells import fill_cells
from ocrform.model import Document, Page, PageContent, Seal, Table
from ocrform.prefetch import prefetch
from ocrform.repair.pdf import repair_pdf_text
from ocrform.repair.plausible import may_be_garbled
from ocrform.repair.text import repair_text
from ocrform.schema import DocumentResult, Repair, Source
from ocrform.textdump import decode_text_dump, read_text
from ocrform.validate import validate_form


@dataclass
class Options:
    engine: str = "rapidocr"
    engine_options: dict[str, str] = field(default_factory=dict)
    dpi: int = DEFAULT_DPI


def convert(path: Path | str, options: Options | None = None) -> DocumentResult:
    """One file's result; a file that cannot be converted raises its error."""
    ((_, result),) = convert_many([path], options)
    if isinstance(result, Exception):
        raise result
    return result


def convert_many(
    paths: Iterable[Path | str], options: Options | None = None
) -> Iterator[tuple[Path, DocumentResult | Exception]]:
    """Each file's result, or the exception that stopped it, in the order given.

    A scanned page's recognition keeps both cores of a small server busy, while its loading,
    pre-processing and grid keep one. Those run in a worker thread a page ahead of the
    recognition, across files too, as do text dumps and text-layer pages whole (MuPDF is
    only ever used from that thread).
    """
    options = options or Options()
    reader: _OcrReader | None = None
    scans: list[PageContent] = []
    failed = -1  # a file whose recognition failed: the rest of its stream is dropped
    for n, path, item in prefetch(_prepared_files(paths, options)):
        if n == failed:
            continue
        if isinstance(item, _Scan):
            try:
                reader = reader or _OcrReader(options)
                scans.append(reader.read(item.page, item.tables))
            except Exception as exc:  # reported for this file; the batch goes on
                failed, scans = n, []
                yield path, exc
        elif isinstance(item, _Closed):
            try:
                result: DocumentResult | Exception = _finish(item, scans)
            except Exception as exc:
                result = exc
            scans = []
            yield path, result
        else:  # a text dump's result, or the error that stopped the file
            scans = []
            yield path, item


@dataclass
class _Scan:
    """A scanned page, pre-processed, with its image grid."""

    page: Page
    tables: list[Table]


@dataclass
class _Closed:
    """A document's last item: its text-layer pages, read and repaired."""

    doc: Document
    text_contents: list[PageContent]
    repairs: list[Repair]
    text_layer: str


def _prepared_files(
    paths: Iterable[Path | str], options: Options
) -> Iterator[tuple[int, Path, _Scan | _Closed | DocumentResult | Exception]]:
    """Per file: its scanned pages prepared one by one, then the rest of it (the worker's part)."""
    for n, path in enumerate(map(Path, paths)):
        try:
            if sniff_kind(path) == "text":
                yield n, path, _convert_text_dump(path)
                continue
            doc = load_document(path, dpi=options.dpi)
            text_pages: list[Page] = []
            for page in doc.iter_pages():
                if page.kind == "pdf-text":
                    text_pages.append(page)
                else:
                    yield n, path, _Scan(page, _prepare_scan(page))
            # Text-layer pages are cheap and the glyph repair needs every page of a font at once.
            repairs: list[Repair] = repair_pdf_text(doc.pdf, text_pages) if text_pages else []
            contents = []
            for page in text_pages:
                tables = find_tables(page)
                contents.append(PageContent(page=page, tables=tables, free_words=fill_cells(tables, page.words)))
            yield n, path, _Closed(doc, contents, repairs, _text_layer_state(doc.kind, text_pages, repairs))
        except Exception as exc:  # one broken file must not end the others' stream
            yield n, path, exc


def _finish(closed: _Closed, scans: list[PageContent]) -> DocumentResult:
    contents = sorted([*scans, *closed.text_contents], key=lambda c: c.page.index)
    mapped = map_cells_to_form(contents)
    seals = {c.page.index + 1: c.page.seals for c in contents if c.page.seals}
    doc = closed.doc
    return _result(doc.path, doc.kind, doc.page_count, closed.text_layer, mapped, closed.repairs, seals)


def _convert_text_dump(path: Path) -> DocumentResult:
    """A text dump has no geometry to grid; its reader rebuilds the rows, after tier-3 repair
    when the text looks mis-encoded (the only tier that needs no font)."""
    text = decode_text_dump(path)
    repairs: list[Repair] = []
    if may_be_garbled(text):
        fixed = repair_text(text)
        if fixed.garbled:
            text = fixed.text
            repairs = [Repair(page=None, source=a, repaired=b, method=m) for a, b, m in fixed.repairs]
    contents = read_text(text)
    mapped = map_cells_to_form(contents)
    return _result(path, "text", len(contents), "repaired" if repairs else "clean", mapped, repairs)


def _result(
    path: Path,
    kind: str,
    pages: int,
    text_layer: str,
    mapped: list[MappedForm],
    repairs: list[Repair],
    seals: dict[int, list[Seal]] | None = None,
) -> DocumentResult:
    evidence = []
    for m in mapped:
        ev = m.evidence
        on_pages = set(ev.pages)
        # A repair of a text dump has no page: one substitution holds for the whole dump.
        ev.repairs = [r for r in repairs if r.page is None or r.page in on_pages]
        ev.issues = validate_form(m.form, ev, seals)
        evidence.append(ev)
    source = Source(path=str(path), kind=kind, pages=pages, sha256=_sha256(path), text_layer=text_layer)
    return DocumentResult(source=source, forms=[m.form for m in mapped], evidence=evidence)


def _prepare_scan(page: Page) -> list[Table]:
    """Pre-process a scanned page in place and find its image grid."""
    from ocrform.scan.preprocess import preprocess_page

    assert page.image is not None
    prepared = preprocess_page(page.image, page.pixels_per_point)
    # Deskew and orientation turn the picture; from here on the page is the upright one.
    page.image = prepared.image
    page.seals = prepared.seals
    height, width = prepared.image.shape[:2]
    page.width, page.height = width / page.pixels_per_point, height / page.pixels_per_point
    return find_tables(page)


class _OcrReader:
    """The recognition of scans, built on first use so born-digital batches never load the OCR models."""

    def __init__(self, options: Options) -> None:
        from ocrform.words.engines import get_engine

        self.engine = get_engine(options.engine, **options.engine_options)

    def read(self, page: Page, tables: list[Table]) -> PageContent:
        from ocrform.words.ocr import read_words_by_ocr

        words = read_words_by_ocr(page, tables, self.engine)
        page.image = None
        free_words = fill_cells(tables, words)
        return PageContent(page=page, tables=tables, free_words=free_words)


def _text_layer_state(kind: str, text_pages: list[Page], repairs: list[Repair]) -> str:
    if kind != "pdf" or not text_pages:
        return "absent"
    return "repaired" if repairs else "clean"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
