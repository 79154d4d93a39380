"""The public Python API: convert inputs to the canonical JSON, or open one and look inside.

    import ocrform

    result = ocrform.convert("form.pdf")                 # a DocumentResult
    for item in ocrform.convert_many(["a.pdf", "scans/b.tiff"]):
        print(item.path, item.result.forms if item.ok else item.error)
    with ocrform.open("form.pdf") as doc:
        cell = doc.pages[0].tables[0].cells[0]           # row, col, row_span, col_span, text, box
        doc.pages[0].debug_image("page1.png")           # grid, cells, words and fields drawn
        doc.forms                                        # the forms, as convert gives them

The CLI and the benchmarks are clients of these functions; the modules behind them are
internal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ocrform.canonical import DocumentResult, Form, FormEvidence, document_json_schema
from ocrform.grid import find_tables
from ocrform.pipeline import Converted, stream
from ocrform.stages import (
    Options,
    ReadDocument,
    TextLayer,
    build_result,
    ocr_engine,
    prepare_scan,
    read_scan,
    read_text_layer,
    read_whole,
)

if TYPE_CHECKING:
    import numpy as np

    from ocrform.model import InputDocument, Page, PageContent, ScanInfo, Seal, Table, Word
    from ocrform.words.engines import OcrEngine

DEFAULT_DPI = Options.dpi


def convert(
    path: Path | str,
    *,
    engine: str | OcrEngine = "rapidocr",
    engine_options: Mapping[str, str] | None = None,
    dpi: int = DEFAULT_DPI,
) -> DocumentResult:
    """Convert one input (PDF, image, .txt text dump, Word or Excel file) and return its forms with their evidence.

    ``engine`` names the OCR engine for scanned pages (``rapidocr`` or ``paddleocr``) and
    ``engine_options`` its settings, or is an engine object of one's own (``detect`` and
    ``recognize``, see ``ocrform.words.engines.OcrEngine``); ``dpi`` is the resolution
    image-only PDF pages are rendered at. Raises ``ocrform.InputError`` (one line: the file
    and the reason) for an input that cannot be read.
    """
    (item,) = convert_many([path], engine=engine, engine_options=engine_options, dpi=dpi)
    if item.error is not None:
        raise item.error
    assert item.result is not None
    return item.result


def convert_many(
    paths: Iterable[Path | str],
    *,
    engine: str | OcrEngine = "rapidocr",
    engine_options: Mapping[str, str] | None = None,
    dpi: int = DEFAULT_DPI,
    keep_pages: bool = False,
) -> Iterator[Converted]:
    """Convert a batch, yielding one ``Converted`` per input in the order given.

    Each carries the input's ``result`` or the ``error`` that stopped it (``InputError`` for
    bad input); a broken input never stops the others. Scanned pages are read as a stream: the
    next page is loaded and prepared in a worker thread while one is recognised. With
    ``keep_pages`` each outcome also holds what was found on every page (``.pages``).
    """
    return stream(paths, _options(engine, engine_options, dpi), keep_pages=keep_pages)


schema = document_json_schema


def open(
    path: Path | str,
    *,
    engine: str | OcrEngine = "rapidocr",
    engine_options: Mapping[str, str] | None = None,
    dpi: int = DEFAULT_DPI,
) -> Document:
    """Open an input to inspect it page by page: ``doc.pages[i].words``, ``.tables``,
    ``.debug_image()``, and ``doc.forms``. Pages are read when first asked for; use it as a
    context manager (or call ``close()``) to release the file."""
    return Document(path, _options(engine, engine_options, dpi))


def _options(engine: str | OcrEngine, engine_options: Mapping[str, str] | None, dpi: int) -> Options:
    return Options(engine=engine, engine_options=dict(engine_options or {}), dpi=dpi)


class Document:
    """An opened input. ``pages`` reads each page on first access and keeps what it found
    (no pixels); ``forms``, ``evidence`` and ``result`` map every page, as ``convert`` does."""

    def __init__(self, path: Path | str, options: Options) -> None:
        from ocrform.document import load_document, sniff_kind

        self.path = Path(path)
        self.options = options
        self._input: InputDocument | None = None
        self._text: TextLayer | None = None
        kind = sniff_kind(self.path)
        if kind in ("text", "office"):
            self._text = read_whole(self.path, kind)
            self.kind = kind
            self.page_count = len(self._text.contents)
        else:
            self._input = load_document(self.path, dpi=options.dpi)
            self.kind = self._input.kind
            self.page_count = self._input.page_count
        self._contents: dict[int, PageContent] = dict(enumerate(self._text.contents)) if self._text else {}
        self._engine: OcrEngine | None = None
        self._result: DocumentResult | None = None
        self.pages: Sequence[DocumentPage] = tuple(DocumentPage(self, i) for i in range(self.page_count))

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._input is not None:
            self._input.close()

    def __repr__(self) -> str:
        return f"<ocrform.Document {str(self.path)!r} {self.kind}, {self.page_count} pages>"

    @property
    def result(self) -> DocumentResult:
        """The whole conversion, exactly as ``ocrform.convert`` returns it."""
        if self._result is None:
            if len(self._contents) == self.page_count:
                self._result = build_result(self._read())
            else:  # read as a stream: the next scanned page is prepared while one is recognised
                (item,) = stream([self.path], self.options, keep_pages=True)
                if item.error is not None:
                    raise item.error
                assert item.result is not None and item.pages is not None
                self._contents = {c.page.index: c for c in item.pages}
                self._result = item.result
        return self._result

    @property
    def forms(self) -> list[Form]:
        """Every form in the input, in printed order."""
        return self.result.forms

    @property
    def evidence(self) -> list[FormEvidence]:
        """``evidence[i]``: where each field of ``forms[i]`` came from, repairs and findings."""
        return self.result.evidence

    def _read(self) -> ReadDocument:
        text = self._text or TextLayer([], [], "absent")
        contents = [self._contents[i] for i in range(self.page_count)]
        problems = [*(self._input.problems if self._input is not None else []), *text.problems]
        return ReadDocument(self.path, self.kind, self.page_count, contents, text.repairs, text.state, problems)

    def _content(self, index: int) -> PageContent:
        if index not in self._contents:
            page = self._loaded(index)
            if page.kind == "pdf-text":
                self._read_text_layer()
            else:
                upright = prepare_scan(page)
                self._contents[index] = read_scan(upright, find_tables(upright), self._ocr_engine())
        return self._contents[index]

    def _loaded(self, index: int) -> Page:
        if self._input is None:  # a text dump or office file has nothing to load but its text
            return self._contents[index].page
        return self._input.load_page(index)

    def _read_text_layer(self) -> None:
        """Every text-layer page at once: the glyph repair judges a font over all its pages."""
        assert self._input is not None
        pages = [p for p in map(self._input.load_page, range(self.page_count)) if p.kind == "pdf-text"]
        self._text = read_text_layer(self._input, pages)
        self._contents.update((c.page.index, c) for c in self._text.contents)

    def _ocr_engine(self) -> OcrEngine:
        if self._engine is None:
            self._engine = ocr_engine(self.options)
        return self._engine


class DocumentPage:
    """One page of an opened input, read on first access.

    ``words`` are the page's words as read (text layer after glyph repair, OCR, or a text
    dump's tokens); ``tables`` its tables, each cell with its row, column, spans, box (PDF
    points, origin top-left) and words (``cell.text``); ``free_words`` the words outside every
    table. ``loaded()`` and ``prepared()`` give the page as loaded and, for a scan, as
    pre-processed (with pixels), so each stage can be looked at on its own.
    """

    def __init__(self, doc: Document, index: int) -> None:
        self.doc = doc
        self.index = index
        self.number = index + 1

    def __repr__(self) -> str:
        return f"<ocrform.DocumentPage {self.number} of {str(self.doc.path)!r}>"

    @property
    def content(self) -> PageContent:
        return self.doc._content(self.index)

    @property
    def kind(self) -> str:
        """``pdf-text`` (a trusted text layer), ``pdf-image`` or ``image`` (OCR'd), ``text`` (a dump),
        ``docx`` or ``xlsx`` (a page laid out from a Word or Excel original)."""
        return self.content.page.kind

    @property
    def width(self) -> float:
        return self.content.page.width

    @property
    def height(self) -> float:
        return self.content.page.height

    @property
    def words(self) -> list[Word]:
        return self.content.page.words

    @property
    def tables(self) -> list[Table]:
        return self.content.tables

    @property
    def free_words(self) -> list[Word]:
        return self.content.free_words

    @property
    def seals(self) -> list[Seal]:
        """Dark seals found on a scanned page (what lies under them may be hidden)."""
        return self.content.page.seals

    @property
    def scan(self) -> ScanInfo | None:
        """For a scanned page: the turn that levelled it, the quarter turns that stood it
        upright, whether it was black and white."""
        return self.content.page.scan

    def loaded(self) -> Page:
        """The page as loaded: the text layer's words and rulings, or the scan's picture."""
        return self.doc._loaded(self.index)

    def prepared(self) -> Page:
        """A scanned page pre-processed (upright picture, seals); other pages as loaded."""
        page = self.loaded()
        return prepare_scan(page) if page.image is not None else page

    def debug_image(self, path: Path | str | None = None, *, fields: bool = True, dpi: int = 110) -> np.ndarray:
        """A picture of the page with its rulings, table cells, words (low-confidence ones in
        orange), seals and, with ``fields``, each mapped field's box and JSON pointer drawn on it.

        Returned as a BGR image array; also written to ``path`` (PNG) when given. ``dpi`` is the
        resolution born-digital pages are drawn at; a scan is drawn on its own upright picture.
        ``fields`` maps the whole document first (as ``doc.forms`` does).
        """
        from ocrform.debug import draw_page, page_background, write_png

        content = self.content
        background, scale = page_background(self.prepared(), self.doc._input, dpi)
        boxes = [p for ev in self.doc.evidence for p in ev.provenance if p.page == self.number] if fields else []
        picture = draw_page(background, scale, content, boxes)
        if path is not None:
            write_png(picture, Path(path))
        return picture


__all__ = [
    "Converted",
    "Document",
    "DocumentPage",
    "convert",
    "convert_many",
    "open",
    "schema",
]
