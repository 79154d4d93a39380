"""The stages, each a function from what an earlier stage produced to new data.

document → pages → words → tables → repair → form → validate: a scan is pre-processed
(``prepare_scan``), gridded (``ocrform.grid.find_tables``) and read (``read_scan``); a PDF's
text-layer pages are repaired and gridded together (``read_text_layer``), a text dump read
whole (``read_dump``); ``build_result`` maps every page onto forms and checks them. None
changes its input. ``ocrform.pipeline`` runs them over a batch, ``ocrform.open`` page by page.

Internal: the public surface is ``ocrform.convert``, ``ocrform.convert_many`` and
``ocrform.open``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ocrform.canonical import (
    FONT_UNREADABLE,
    NO_FORM_FOUND,
    REPAIR_INCOMPLETE,
    DocumentResult,
    FormEvidence,
    Problem,
    Repair,
    Source,
)
from ocrform.document import DEFAULT_DPI
from ocrform.dump.parser import decode_text_dump, read_text
from ocrform.dump.stream import is_cell_stream, read_cell_stream
from ocrform.dump.tabbed import is_tabbed, read_tabbed
from ocrform.form.mapping import MappedForm, map_cells_to_form
from ocrform.grid import find_tables
from ocrform.grid.cells import fill_cells
from ocrform.inputs import input_sha256
from ocrform.model import InputDocument, Page, PageContent, ScanInfo, Seal, Table
from ocrform.repair.pdf import repair_pdf_text
from ocrform.repair.plausible import may_be_garbled
from ocrform.repair.text import repair_text
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
    problems: list[Problem] = field(default_factory=list)  # fonts that could not be read, ...


def read_text_layer(doc: InputDocument, pages: list[Page]) -> TextLayer:
    """All text-layer pages of ``doc`` at once: the glyph repair judges each font over every
    page that uses it."""
    if not pages:
        return TextLayer([], [], "absent")
    repaired = repair_pdf_text(doc.pdf, pages)
    contents = [page_content(page, find_tables(page)) for page in repaired.pages]
    state = "repaired" if repaired.repairs else "clean"
    problems = [Problem(code=FONT_UNREADABLE, detail=line) for line in repaired.unreadable]
    return TextLayer(contents, repaired.repairs, state if doc.kind == "pdf" else "absent", problems)


def read_dump(path: Path) -> TextLayer:
    """A text dump's pages, after tier-3 repair when the text looks mis-encoded (the only tier
    that needs no font). It has no geometry to grid: its reader rebuilds the rows, from the tabs
    before each cell in a word processor's export, else from the words' layout on the lines."""
    text = decode_text_dump(path)
    repairs: list[Repair] = []
    problems: list[Problem] = []
    if may_be_garbled(text):
        fixed = repair_text(text)
        if fixed.garbled:
            text = fixed.text
            repairs = [Repair(page=None, source=a, repaired=b, method=m) for a, b, m in fixed.repairs]
        if not fixed.complete:
            problems.append(
                Problem(
                    code=REPAIR_INCOMPLETE,
                    detail="the text repair stopped at its budget: some mis-encoded characters may remain",
                )
            )
    contents = _dump_pages(text)
    return TextLayer(contents, repairs, "repaired" if repairs else "clean", problems)


def read_office_file(path: Path) -> TextLayer:
    """A Word or Excel original's pages, read from its own tables and paragraphs
    (``ocrform.office``): the text is the file's, exact, and needs no repair."""
    from ocrform.office import read_office

    return TextLayer(read_office(path).contents, [], "clean")


def read_whole(path: Path, kind: str) -> TextLayer:
    """An input read whole by one reader, with no page to load or picture to recognise: a
    text dump (``kind`` text) or a Word or Excel original (office)."""
    return read_office_file(path) if kind == "office" else read_dump(path)


@dataclass(frozen=True)
class ReadDocument:
    """Everything the readers found in one input, in page order, before forms are mapped."""

    path: Path
    kind: str  # "pdf", "image", "text" or "office"
    page_count: int
    contents: list[PageContent]
    repairs: list[Repair]
    text_layer: str
    problems: list[Problem] = field(default_factory=list)  # what could not be read


def _dump_pages(text: str) -> list[PageContent]:
    """A dump's pages by the reader its shape calls for. A dump that prints header labels one
    a line may be a cell stream or a line dump with some cells alone, so both readers run and
    the reading whose forms fill more fields wins (PyMuPDF's unsorted text of the office
    fixtures: 55.3% fields exact by lines alone, 62.6% picked so; held out 54.1%, 61.2%)."""
    if is_tabbed(text):
        return read_tabbed(text)
    lines = read_text(text)
    if not is_cell_stream(text):
        return lines
    cells = read_cell_stream(text)
    return cells if _filled(cells) > _filled(lines) else lines


def _filled(contents: list[PageContent]) -> int:
    """How many schema fields the forms mapped from ``contents`` fill."""
    return sum(_leaves(m.form.model_dump(exclude={"schema_version"})) for m in map_cells_to_form(contents))


def _leaves(value: object) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return int(value not in (None, ""))


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
        sha256=input_sha256(read.path),
        text_layer=read.text_layer,
    )
    problems = list(read.problems)
    if not forms:
        problems.append(Problem(code=NO_FORM_FOUND, detail=f"no form found in {read.page_count} page(s)"))
    return DocumentResult(source=source, forms=forms, evidence=evidence, problems=problems)


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


def warm_up() -> None:
    """Load the tables every conversion of a PDF reads on first use: the word set and the
    common characters glyph repair judges a font's text by. A batch's fork server calls
    this once, so its workers start with them instead of each loading its own. Tables only
    some files need (jieba's whole dictionary for the OCR lexicon and tier-3 repair, 0.5 s)
    are left to the workers that need them."""
    from ocrform.dictionary import attested_words
    from ocrform.repair.plausible import common_characters

    attested_words()
    common_characters()
