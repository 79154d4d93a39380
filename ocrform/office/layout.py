"""Pages laid out from a Word or Excel original's structure, for the form stage.

A word processor's or spreadsheet's file holds the tables themselves: cells on a column grid
with their row and column spans, in document order, and the text of each. The readers hand
that structure here as blocks (free lines and tables) and this module lays them out on pages
the way they would print: a table's columns as wide as the file makes them, each row as tall
as its cells' wrapped text, free lines between tables, a new page at each page break. The
form stage then reads them as it reads a PDF's text layer, with no format-specific code.

Boxes are in points on that laid-out page, not the page a printer would make; each word
keeps the cell reference it came from (``Word.ref``), which the provenance carries.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from ocrform.model import Box, Cell, Page, PageContent, Table, Word

# The page a file's content is laid out on when it names none (A4 portrait, 2 cm margins).
PAGE_WIDTH = 595.0
MARGIN = 56.7
FONT_SIZE = 10.5
LINE_HEIGHT = FONT_SIZE * 1.3
CELL_PADDING = 2.0
# Vertical space between blocks.
BLOCK_GAP = 4.0


@dataclass
class OfficeCell:
    """A cell on its table's column grid: rows [row, row + row_span), columns likewise."""

    row: int
    col: int
    lines: list[str]
    ref: str
    row_span: int = 1
    col_span: int = 1


@dataclass
class OfficeTable:
    widths: list[float]  # each grid column's width in points
    n_rows: int
    cells: list[OfficeCell]
    heights: list[float] | None = None  # each row's height in points, where the file sets it


@dataclass
class OfficeLine:
    """A paragraph outside tables: its pieces (a tab or a wide gap apart) and its reference."""

    pieces: list[str]
    ref: str
    align: str = "l"  # l, c or r


@dataclass
class PageBreak:
    pass


Block = OfficeLine | OfficeTable | PageBreak


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Printed width of ``text``: a CJK or full-width character an em, the rest half one."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size / 2 for ch in text)


@dataclass
class _Page:
    tables: list[Table] = field(default_factory=list)
    free: list[Word] = field(default_factory=list)


class Layout:
    """Blocks → pages of tables and free words; ``origin`` names the reader (docx, xlsx)."""

    def __init__(self, origin: str, width: float = PAGE_WIDTH, margin: float = MARGIN) -> None:
        self.origin = origin
        self.width = width
        self.margin = margin
        self.pages: list[_Page] = [_Page()]
        self.y = margin

    @property
    def text_width(self) -> float:
        return max(self.width - 2 * self.margin, 100.0)

    def add(self, block: Block) -> None:
        if isinstance(block, PageBreak):
            self.page_break()
        elif isinstance(block, OfficeLine):
            self.line(block)
        else:
            self.table(block)

    def page_break(self) -> None:
        self.pages.append(_Page())
        self.y = self.margin

    def line(self, line: OfficeLine) -> None:
        pieces = [p.strip() for p in line.pieces]
        pieces = [p for p in pieces if p]
        if not pieces:
            self.y += LINE_HEIGHT / 2
            return
        page = len(self.pages) - 1
        left, right = self.margin, self.margin + self.text_width
        widths = [text_width(p) for p in pieces]
        if len(pieces) == 1:
            free = self.text_width - widths[0]
            xs = [left + {"l": 0.0, "c": free / 2, "r": free}.get(line.align, 0.0)]
        else:
            # The first piece at the left margin, the last ending at the right one (a right tab
            # stop), those between spread evenly.
            gap = (self.text_width - sum(widths)) / (len(pieces) - 1)
            gap = max(gap, FONT_SIZE * 2)
            xs, x = [], left
            for w in widths:
                xs.append(x)
                x += w + gap
            if xs[-1] + widths[-1] < right:
                xs[-1] = right - widths[-1]
        y0 = self.y
        for text, x, w in zip(pieces, xs, widths, strict=True):
            box = Box(x, y0, x + w, y0 + FONT_SIZE)
            self.pages[-1].free.append(Word(text=text, box=box, page=page, origin=self.origin, ref=line.ref))
        self.y += LINE_HEIGHT + BLOCK_GAP

    def table(self, table: OfficeTable) -> None:
        if not table.cells or table.n_rows == 0:
            return
        page = len(self.pages) - 1
        edges = [self.margin]
        for w in table.widths:
            edges.append(edges[-1] + max(w, 1.0))
        heights = self._row_heights(table, edges)
        tops = [self.y]
        for h in heights:
            tops.append(tops[-1] + h)
        cells = []
        for c in table.cells:
            r1 = min(c.row + c.row_span, table.n_rows)
            c1 = min(c.col + c.col_span, len(table.widths))
            box = Box(edges[c.col], tops[c.row], edges[c1], tops[r1])
            cells.append(
                Cell(
                    row=c.row,
                    col=c.col,
                    box=box,
                    page=page,
                    row_span=r1 - c.row,
                    col_span=c1 - c.col,
                    words=self._cell_words(c, box, page),
                )
            )
        box = Box(edges[0], tops[0], edges[-1], tops[-1])
        self.pages[-1].tables.append(Table(page, box, table.n_rows, len(table.widths), cells, method=self.origin))
        self.y = tops[-1] + BLOCK_GAP

    def _row_heights(self, table: OfficeTable, edges: list[float]) -> list[float]:
        """Each row as tall as the file sets it and its cells' wrapped text needs."""
        heights = [LINE_HEIGHT + 2 * CELL_PADDING] * table.n_rows
        if table.heights:
            heights = [max(h, given or 0.0) for h, given in zip(heights, table.heights, strict=False)] + heights[
                len(table.heights) :
            ]
        for c in sorted(table.cells, key=lambda c: c.row_span):
            r1 = min(c.row + c.row_span, table.n_rows)
            c1 = min(c.col + c.col_span, len(table.widths))
            need = self._lines_needed(c.lines, edges[c1] - edges[c.col]) * LINE_HEIGHT + 2 * CELL_PADDING
            have = sum(heights[c.row : r1])
            if need > have:
                for r in range(c.row, r1):
                    heights[r] += (need - have) / (r1 - c.row)
        return heights

    @staticmethod
    def _lines_needed(lines: list[str], width: float) -> int:
        inner = max(width - 2 * CELL_PADDING, FONT_SIZE)
        return sum(max(1, math.ceil(text_width(s) / inner)) for s in lines)

    def _cell_words(self, cell: OfficeCell, box: Box, page: int) -> list[Word]:
        """One word per wrapped line of the cell's text, top to bottom inside its box."""
        inner = max(box.width - 2 * CELL_PADDING, FONT_SIZE)
        words = []
        y = box.y0 + CELL_PADDING
        for line in cell.lines:
            text = line.strip()
            if not text:
                y += LINE_HEIGHT
                continue
            for part in _wrap(text, inner):
                w = min(text_width(part), inner)
                word_box = Box(box.x0 + CELL_PADDING, y, box.x0 + CELL_PADDING + w, y + FONT_SIZE)
                words.append(Word(text=part, box=word_box, page=page, origin=self.origin, ref=cell.ref))
                y += LINE_HEIGHT
        return words

    def contents(self, kind: str) -> list[PageContent]:
        """The pages laid out so far (a trailing empty page left out)."""
        pages = self.pages
        while len(pages) > 1 and not pages[-1].tables and not pages[-1].free:
            pages = pages[:-1]
        out = []
        for index, p in enumerate(pages):
            bottom = max([t.box.y1 for t in p.tables] + [w.box.y1 for w in p.free] + [self.margin])
            width = max([self.width] + [t.box.x1 + self.margin for t in p.tables])
            words = [*p.free, *(w for t in p.tables for c in t.cells for w in c.words)]
            page = Page(index=index, width=width, height=bottom + self.margin, words=words, kind=kind)
            out.append(PageContent(page=page, tables=p.tables, free_words=p.free))
        return out


def _wrap(text: str, width: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` (at any character, as CJK text breaks)."""
    out, line, used = [], "", 0.0
    for ch in text:
        w = text_width(ch)
        if line and used + w > width:
            out.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    if line:
        out.append(line)
    return out
