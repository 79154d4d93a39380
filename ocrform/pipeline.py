"""convert(path): document → pages → words → tables → repair → form → validate.

Text-layer pages are cheap and the glyph repair needs every page of a font at once, so
they are all read before the grid stage. Image pages are pre-processed, gridded and read
one at a time, and their pixels are dropped as soon as their words are known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ocrform.document import DEFAULT_DPI, load_document
from ocrform.form.mapping import map_cells_to_form
from ocrform.grid import find_tables
from ocrform.grid.cells import fill_cells
from ocrform.model import Page, PageContent
from ocrform.repair.pdf import repair_pdf_text
from ocrform.schema import DocumentResult, Repair, Source
from ocrform.validate import validate_form


@dataclass
class Options:
    engine: str = "rapidocr"
    engine_options: dict[str, str] = field(default_factory=dict)
    dpi: int = DEFAULT_DPI


def convert(path: Path | str, options: Options | None = None) -> DocumentResult:
    options = options or Options()
    doc = load_document(path, dpi=options.dpi)
    contents: list[PageContent | None] = [None] * doc.page_count
    text_pages: list[Page] = []
    ocr_reader = None
    for page in doc.iter_pages():
        if page.kind == "pdf-text":
            text_pages.append(page)
            continue
        if ocr_reader is None:
            ocr_reader = _OcrReader(options)
        contents[page.index] = ocr_reader.read(page)

    repairs: list[Repair] = repair_pdf_text(doc.pdf, text_pages) if text_pages else []
    for page in text_pages:
        tables = find_tables(page)
        free_words = fill_cells(tables, page.words)
        contents[page.index] = PageContent(page=page, tables=tables, free_words=free_words)

    mapped = map_cells_to_form([c for c in contents if c is not None])
    evidence = []
    for m in mapped:
        ev = m.evidence
        pages = set(ev.pages)
        ev.repairs = [r for r in repairs if r.page is not None and r.page in pages]
        ev.issues = validate_form(m.form, ev)
        evidence.append(ev)

    source = Source(
        path=str(doc.path),
        kind=doc.kind,
        pages=doc.page_count,
        sha256=_sha256(doc.path),
        text_layer=_text_layer_state(doc.kind, text_pages, repairs),
    )
    return DocumentResult(source=source, forms=[m.form for m in mapped], evidence=evidence)


class _OcrReader:
    """The scan path, built on first use so born-digital batches never load the OCR models."""

    def __init__(self, options: Options) -> None:
        from ocrform.words.engines import get_engine

        self.engine = get_engine(options.engine, **options.engine_options)

    def read(self, page: Page) -> PageContent:
        from ocrform.scan.preprocess import preprocess_page
        from ocrform.words.ocr import read_words_by_ocr

        assert page.image is not None
        prepared = preprocess_page(page.image)
        # Deskew and orientation turn the picture; from here on the page is the upright one.
        page.image = prepared.image
        height, width = prepared.image.shape[:2]
        page.width, page.height = width / page.pixels_per_point, height / page.pixels_per_point
        tables = find_tables(page)
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
