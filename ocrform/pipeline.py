"""convert(path): document → pages → words → tables → repair → form → validate.

Text-layer pages are cheap and the glyph repair needs every page of a font at once, so
they are all read before the grid stage. Image pages are pre-processed, gridded and read
one at a time, and their pixels are dropped as soon as their words are known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ocrform.document import DEFAULT_DPI, load_document, sniff_kind
from ocrform.form.mapping import MappedForm, map_cells_to_form
from ocrform.grid import find_tables
from ocrform.grid.cells import fill_cells
from ocrform.model import Page, PageContent, Seal
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
    options = options or Options()
    path = Path(path)
    if sniff_kind(path) == "text":
        return _convert_text_dump(path)
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
    text_layer = _text_layer_state(doc.kind, text_pages, repairs)
    seals = {c.page.index + 1: c.page.seals for c in contents if c is not None and c.page.seals}
    return _result(doc.path, doc.kind, doc.page_count, text_layer, mapped, repairs, seals)


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


class _OcrReader:
    """The scan path, built on first use so born-digital batches never load the OCR models."""

    def __init__(self, options: Options) -> None:
        from ocrform.words.engines import get_engine

        self.engine = get_engine(options.engine, **options.engine_options)

    def read(self, page: Page) -> PageContent:
        from ocrform.scan.preprocess import preprocess_page
        from ocrform.words.ocr import read_words_by_ocr

        assert page.image is not None
        prepared = preprocess_page(page.image, page.pixels_per_point)
        # Deskew and orientation turn the picture; from here on the page is the upright one.
        page.image = prepared.image
        page.seals = prepared.seals
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
