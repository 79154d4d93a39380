"""Plain data passed between the pipeline stages.

document → pages → words → tables (cells) → repair → form → validate → export

Every coordinate is in PDF points with the origin at the page's top-left corner, whatever
the source: a scanned page's pixels are divided by ``Page.pixels_per_point`` so that a box
means the same thing for a born-digital page and for its scan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def contains_point(self, x: float, y: float, tol: float = 0.0) -> bool:
        return self.x0 - tol <= x <= self.x1 + tol and self.y0 - tol <= y <= self.y1 + tol

    def x_overlap(self, other: Box) -> float:
        return max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))

    def y_overlap(self, other: Box) -> float:
        return max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))

    def as_list(self) -> list[float]:
        return [round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2)]


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters on one text line, as one source delivered it.

    ``origin`` names the source (``pdf-text``, ``ocr:rapidocr``, ``text-dump``, ``docx``,
    ``xlsx``); a repair
    that changes the text makes a new word whose origin names the repair too
    (``pdf-text+font-cmap``) and whose ``orig`` keeps the text as the source delivered it.
    ``char_boxes`` and ``glyph_ids`` (one per character, when the source knows them) let a
    run be split at a cell border and let the repair stage read the font's own glyphs.
    ``confidence`` is the source's confidence in the run as a whole, ``weakest`` in its
    least sure character.
    """

    text: str
    box: Box
    page: int
    origin: str
    confidence: float = 1.0
    weakest: float = 1.0
    font: str | None = None
    font_xref: int | None = None
    char_boxes: tuple[Box, ...] | None = None
    glyph_ids: tuple[int, ...] | None = None
    vertical: bool = False
    orig: str | None = None  # the source's text where a repair changed it, else None
    # Where a Word or Excel original holds it: 自评表!B7, or table 1 row 5 column 3 (1-based).
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A ruling line: horizontal when y0 == y1, vertical when x0 == x1 (within tolerance)."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 1.0

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= abs(self.x1 - self.x0)


@dataclass(frozen=True, slots=True)
class Seal:
    """A round seal left dark on a scanned page, as a disc in points: what lies inside
    ``radius`` of the centre may be hidden by its ink. ``radius`` is the middle of its ring,
    drawn ``ring_width`` wide (0 where the width could not be measured)."""

    cx: float
    cy: float
    radius: float
    ring_width: float = 0.0

    def chord(self, at: float, horizontal: bool, margin: float = 0.0) -> tuple[float, float] | None:
        """Where a horizontal (or vertical) line at ``at`` runs inside the disc grown by ``margin``."""
        r = self.radius + margin
        offset = at - (self.cy if horizontal else self.cx)
        if abs(offset) >= r:
            return None
        half = math.sqrt(r * r - offset * offset)
        centre = self.cx if horizontal else self.cy
        return centre - half, centre + half


@dataclass(frozen=True)
class ScanInfo:
    """What pre-processing did to a scanned page: the turn that levelled it (degrees), the
    quarter turns that stood it upright, and whether it was scanned in black and white."""

    angle: float
    rotation: int
    black_and_white: bool


@dataclass(frozen=True, eq=False)
class Page:
    """One page as a stage delivered it; a later stage makes a new one (``dataclasses.replace``).

    Loading gives the text layer's words and rulings, or the scan's picture; pre-processing a
    scan gives the upright picture, its seals and its ``scan`` record; reading gives its words.
    """

    index: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    # "pdf-text": trustworthy text layer; "pdf-image": PDF page without usable text;
    # "image": a raster file; "text": a plain-text dump (no geometry worth the name).
    kind: str = "pdf-text"
    image: np.ndarray | None = None
    pixels_per_point: float = 1.0
    seals: list[Seal] = field(default_factory=list)  # dark seals a scan could not drop
    scan: ScanInfo | None = None  # set on a scanned page once it is pre-processed


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    col: int
    box: Box
    page: int
    row_span: int = 1
    col_span: int = 1
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The cell's text in reading order, one printed line per output line."""
        return "\n".join(line_texts(self.words))

    @property
    def confidence(self) -> float:
        return min((w.confidence for w in self.words), default=1.0)


@dataclass(frozen=True)
class Table:
    page: int
    box: Box
    n_rows: int
    n_cols: int
    cells: list[Cell]
    method: str  # "pdf-vector", "image-morphology", ...

    def cell_at(self, row: int, col: int) -> Cell | None:
        for c in self.cells:
            if c.row <= row < c.row + c.row_span and c.col <= col < c.col + c.col_span:
                return c
        return None

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out


@dataclass
class InputDocument:
    """An opened input. Pages are produced one at a time so a 50-page scan is never all in memory."""

    path: Path
    kind: str  # "pdf", "image", "text"
    page_count: int
    load_page: Callable[[int], Page]
    # The open pymupdf.Document for PDFs: the repair stage reads embedded fonts from it.
    pdf: Any = None
    meta: dict[str, str] = field(default_factory=dict)
    # What loading found wrong (ocrform.canonical.Problem): a file cut short, a page lost.
    problems: list[Any] = field(default_factory=list)

    def iter_pages(self) -> Iterator[Page]:
        for i in range(self.page_count):
            yield self.load_page(i)

    def close(self) -> None:
        """Release the open PDF, if any (its fonts are read until the text layer is repaired)."""
        if self.pdf is not None:
            self.pdf.close()


@dataclass(frozen=True)
class PageContent:
    """What the words and grid stages found on one page: its tables with their words in the
    cells, and the words outside every table."""

    page: Page
    tables: list[Table]
    free_words: list[Word]  # words outside every table: titles, dates, signatures


def group_lines(words: list[Word], line_tol: float = 0.5) -> list[list[Word]]:
    """Words as printed lines, top to bottom, each line left to right.

    Two words share a line when their vertical extents overlap by more than ``line_tol`` of
    the smaller height; vertical words (one character per printed line) each form a line.
    """
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box.cy, w.box.x0)):
        for line in lines:
            ref = line[-1].box
            overlap = ref.y_overlap(w.box)
            if overlap > line_tol * min(ref.height, w.box.height) and not w.vertical and not line[-1].vertical:
                line.append(w)
                break
        else:
            lines.append([w])
    lines.sort(key=lambda ln: min(w.box.y0 for w in ln))
    return [sorted(line, key=lambda w: w.box.x0) for line in lines]


def line_texts(words: list[Word], line_tol: float = 0.5) -> list[str]:
    """The text of each printed line (see ``group_lines``)."""
    return ["".join(w.text for w in line) for line in group_lines(words, line_tol)]
