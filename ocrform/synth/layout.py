"""Page layout for generated forms: wrapped text, bordered tables with merged cells, page breaks.

A form is a list of blocks (paragraphs and tables) laid out top to bottom. Tables are rows of
cells with explicit x extents and row spans, as a word processor stores them: each row may have
its own cell boundaries. Page breaks fall between rows; a row holding long flowing text (goals,
conclusion) may itself break across pages, and a merged cell cut by a break is drawn on each
page with its label repeated, as Word does. Output is a list of drawing operations per page.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pymupdf

_TOKEN = re.compile(r"[A-Za-z0-9.,%+\-/*:()_]+|\S|\s")
# Closing punctuation never starts a line: the character before it moves down with it.
_NO_LINE_START = set("）)」』”’，。、；：！？%")
EPS = 0.01


# The font file forms are drawn in (None: Droid Sans Fallback, inside the PyMuPDF wheel, so the
# committed fixtures and the tests read no system font). ``drawn_in`` sets it for a block of
# code: the layout measures text in the same font the PDF embeds.
_FONT_FILE: ContextVar[str | None] = ContextVar("ocrform_synth_font", default=None)


def cjk_font() -> pymupdf.Font:
    return _font(_FONT_FILE.get())


@lru_cache(maxsize=8)
def _font(path: str | None) -> pymupdf.Font:
    return pymupdf.Font("cjk") if path is None else pymupdf.Font(fontfile=path)


@contextmanager
def drawn_in(font_file: str | Path | None) -> Iterator[None]:
    """Lay out and render forms in ``font_file`` (a TrueType/OpenType file or collection's
    first face) inside the ``with`` block."""
    token = _FONT_FILE.set(None if font_file is None else str(font_file))
    try:
        yield
    finally:
        _FONT_FILE.reset(token)


def text_width(text: str, size: float) -> float:
    return cjk_font().text_length(text, fontsize=size)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break text into lines no wider than width; ASCII runs (numbers, codes) stay whole when they fit."""
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKEN.findall(para):
            tw = text_width(token, size)
            if used + tw <= width + EPS or not line:
                if tw > width + EPS and len(token) > 1:
                    # A run wider than the cell: break it by characters like a word processor does.
                    for ch in token:
                        cw = text_width(ch, size)
                        if used + cw > width + EPS and line:
                            lines.append(line)
                            line, used = "", 0.0
                        line += ch
                        used += cw
                    continue
                line += token
                used += tw
                continue
            carry = ""
            if token in _NO_LINE_START and len(line) > 1:
                line, carry = line[:-1], line[-1]
            lines.append(line.rstrip())
            line = carry + token.lstrip()
            used = text_width(line, size)
        lines.append(line.rstrip())
    return lines


@dataclass
class Cell:
    r0: int
    r1: int
    x0: float
    x1: float
    text: str = ""
    size: float = 9.0
    align: str = "c"  # l, c, r
    vertical: bool = False  # one character per line
    flow: bool = False  # long text that may continue on the next page instead of repeating
    nowrap: bool = False  # numbers: shrink the font rather than break the line
    lines: list[str] = field(default_factory=list)
    split: bool = False  # part of a flow cell that a page break cut
    label: bool = False  # a printed label (office producers may set these in bold)


@dataclass
class RowSpec:
    min_height: float = 0.0
    keep_with_next: bool = False
    header: int | None = None  # the row repeated at the top of a page when a break falls before this row
    height: float = 0.0


@dataclass
class Para:
    left: str
    size: float
    align: str = "l"  # l, c, r; "lr" puts `right` at the right margin on the same line
    right: str = ""
    space_before: float = 0.0
    space_after: float = 2.0


@dataclass
class Table:
    x: float
    width: float
    pad: float
    spacing: float
    rows: list[RowSpec] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)

    def add_row(self, *, keep_with_next: bool = False, header: int | None = None, min_height: float = 0.0) -> int:
        self.rows.append(RowSpec(min_height=min_height, keep_with_next=keep_with_next, header=header))
        return len(self.rows) - 1

    def add(self, r0: int, x0: float, x1: float, text: str, size: float, *, rowspan: int = 1, **kw: object) -> Cell:
        cell = Cell(r0=r0, r1=r0 + rowspan, x0=self.x + x0, x1=self.x + x1, text=text, size=size, **kw)  # type: ignore[arg-type]
        self.cells.append(cell)
        return cell

    def line_height(self, size: float) -> float:
        return size * self.spacing

    def cell_need(self, cell: Cell) -> float:
        return max(len(cell.lines), 1) * self.line_height(cell.size) + 2 * self.pad

    def measure(self) -> None:
        """Wrap every cell's text to its width and size each row to the tallest content it holds."""
        for cell in self.cells:
            inner = cell.x1 - cell.x0 - 2 * self.pad
            if cell.vertical:
                cell.lines = [ch for ch in cell.text if not ch.isspace()]
            elif cell.nowrap:
                cell.lines = cell.text.split("\n")
                widest = max(text_width(line, cell.size) for line in cell.lines)
                if widest > inner:
                    cell.size = cell.size * inner / widest
            else:
                cell.lines = wrap(cell.text, inner, cell.size) if cell.text else []
        base = 2 * self.pad + min((c.size for c in self.cells), default=9.0) * self.spacing
        for row in self.rows:
            row.height = max(row.min_height, base)
        for cell in self.cells:
            if cell.r1 - cell.r0 == 1:
                self.rows[cell.r0].height = max(self.rows[cell.r0].height, self.cell_need(cell))
        for cell in sorted((c for c in self.cells if c.r1 - c.r0 > 1), key=lambda c: c.r1 - c.r0):
            spanned = self.rows[cell.r0 : cell.r1]
            extra = self.cell_need(cell) - sum(r.height for r in spanned)
            if extra > 0:
                for row in spanned:
                    row.height += extra / len(spanned)

    # -- page breaking -------------------------------------------------------------------------
    def _flow_cells(self, r: int) -> list[Cell]:
        return [c for c in self.cells if c.flow and c.r0 == r and c.r1 == r + 1]

    def min_part(self, r: int) -> float:
        """Least height of row r that may stand at the bottom of a page."""
        flows = self._flow_cells(r)
        if flows and max(len(c.lines) for c in flows) >= 4:
            return 2 * self.pad + 2 * max(self.line_height(c.size) for c in flows)
        return self.rows[r].height

    def split_row(self, r: int, room: float) -> bool:
        """Cut row r so its first part is `room` high; flow cells carry their remaining lines below."""
        flows = self._flow_cells(r)
        if not flows:
            return False
        keep = {id(c): math.floor((room - 2 * self.pad) / self.line_height(c.size) + EPS) for c in flows}
        if min(keep.values()) < 1 or all(keep[id(c)] >= len(c.lines) for c in flows):
            return False
        for cell in self.cells:
            if cell.r0 > r:
                cell.r0 += 1
            if cell.r1 > r:
                cell.r1 += 1
        for row in self.rows:
            if row.header is not None and row.header > r:
                row.header += 1
        tails = []
        for cell in flows:
            k = keep[id(cell)]
            tail = copy.copy(cell)
            tail.r0, tail.r1, tail.lines, tail.split = r + 1, r + 2, cell.lines[k:], True
            cell.r1, cell.lines, cell.split = r + 1, cell.lines[:k], True
            tails.append(tail)
        # Drawing follows list order, so each continuation goes last in its row: the text layer
        # then reads the page top to bottom.
        last = max(n for n, c in enumerate(self.cells) if c.r0 <= r)
        self.cells[last + 1 : last + 1] = tails
        old = self.rows[r]
        rest = RowSpec(keep_with_next=old.keep_with_next, header=old.header)
        rest.height = max(self.cell_need(c) for c in tails)
        old.keep_with_next, old.height = False, room
        self.rows.insert(r + 1, rest)
        return True


@dataclass
class TextOp:
    x: float
    baseline: float
    text: str
    size: float


@dataclass
class RectOp:
    rect: tuple[float, float, float, float]


Op = TextOp | RectOp


@dataclass
class Placed:
    row: int
    y: float
    h: float


@dataclass
class Geometry:
    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float  # margins

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def page_bottom(self) -> float:
        return self.height - self.bottom


class Canvas:
    """Drawing operations per page plus the position where the next block goes."""

    def __init__(self, geom: Geometry, repeat_header: bool) -> None:
        self.geom = geom
        self.repeat_header = repeat_header
        self.pages: list[list[Op]] = [[]]
        self.y = geom.top

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.geom.top

    @property
    def at_top(self) -> bool:
        return self.y <= self.geom.top + EPS

    def put_text(self, x: float, top: float, text: str, size: float, spacing: float) -> None:
        # The baseline sits low in the line box so CJK glyphs (ascent ~0.88 em) centre in it.
        baseline = top + (size * spacing - size) / 2 + 0.88 * size
        self.pages[-1].append(TextOp(x, baseline, text, size))

    def place_para(self, para: Para) -> None:
        g = self.geom
        spacing = 1.35
        lines = wrap(para.left, g.content_width, para.size) if para.left else [""]
        need = para.space_before + len(lines) * para.size * spacing + para.space_after
        if self.y + need > g.page_bottom and not self.at_top:
            self.new_page()
        self.y += para.space_before
        for line in lines:
            if para.align == "c":
                x = g.left + (g.content_width - text_width(line, para.size)) / 2
            elif para.align == "r":
                x = g.width - g.right - text_width(line, para.size)
            else:
                x = g.left
            if line:
                self.put_text(x, self.y, line, para.size, spacing)
            self.y += para.size * spacing
        if para.right:
            x = g.width - g.right - text_width(para.right, para.size)
            self.put_text(x, self.y - para.size * spacing, para.right, para.size, spacing)
        self.y += para.space_after

    def place_table(self, table: Table) -> None:
        table.measure()
        chunks = self._paginate(table)
        for n, chunk in enumerate(chunks):
            page = self.pages[len(self.pages) - len(chunks) + n]
            self._draw_chunk(table, chunk, page)

    def _paginate(self, t: Table) -> list[list[Placed]]:
        bottom = self.geom.page_bottom
        chunks: list[list[Placed]] = [[]]
        fresh = self.at_top  # nothing but a repeated header above: a row that fails here goes anyway
        i = 0
        while i < len(t.rows):
            row = t.rows[i]
            room = bottom - self.y
            follow = t.min_part(i + 1) if row.keep_with_next and i + 1 < len(t.rows) else 0.0
            fits = row.height + follow <= room + EPS
            if not fits and row.height > room + EPS and room >= t.min_part(i) and t.split_row(i, room):
                fits = True
            if fits or fresh:
                chunks[-1].append(Placed(i, self.y, t.rows[i].height))
                self.y += t.rows[i].height
                fresh = False
                i += 1
                continue
            self.new_page()
            chunks.append([])
            fresh = True
            header = t.rows[i].header
            if self.repeat_header and header is not None and header != i:
                chunks[-1].append(Placed(header, self.y, t.rows[header].height))
                self.y += t.rows[header].height
        return [c for c in chunks if c] if chunks[0] else chunks[1:]

    def _draw_chunk(self, t: Table, chunk: list[Placed], page: list[Op]) -> None:
        rects: list[Op] = []
        texts: list[Op] = []
        for cell in t.cells:
            run: list[Placed] = []
            for placed in [*chunk, None]:
                if placed is not None and cell.r0 <= placed.row < cell.r1:
                    run.append(placed)
                    continue
                if run:
                    y0, y1 = run[0].y, run[-1].y + run[-1].h
                    rects.append(RectOp((cell.x0, y0, cell.x1, y1)))
                    texts.extend(self._cell_text(t, cell, y0, y1))
                    run = []
        page.extend(rects)
        page.extend(texts)

    def _cell_text(self, t: Table, cell: Cell, y0: float, y1: float) -> list[Op]:
        lh = t.line_height(cell.size)
        lines = cell.lines
        avail = y1 - y0 - 2 * t.pad
        if cell.vertical and len(lines) * lh > avail + EPS:
            # A merged label cut short by a page break: print it across instead of down.
            lines = wrap(cell.text, cell.x1 - cell.x0 - 2 * t.pad, cell.size)
        fit = max(int((avail + EPS) // lh), 1)
        lines = lines[:fit]
        block = len(lines) * lh
        top = y0 + t.pad if cell.split else y0 + (y1 - y0 - block) / 2
        baseline_shift = (lh - cell.size) / 2 + 0.88 * cell.size
        ops: list[Op] = []
        for n, line in enumerate(lines):
            if not line:
                continue
            width = text_width(line, cell.size)
            if cell.align == "l":
                x = cell.x0 + t.pad
            elif cell.align == "r":
                x = cell.x1 - t.pad - width
            else:
                x = (cell.x0 + cell.x1 - width) / 2
            ops.append(TextOp(x, top + n * lh + baseline_shift, line, cell.size))
        return ops


@dataclass
class PageBreak:
    """What follows starts on a new page (a report's cover page ends here)."""


Block = Para | Table | PageBreak


def lay_out(blocks: list[Block], canvas: Canvas) -> None:
    for block in blocks:
        if isinstance(block, Para):
            canvas.place_para(block)
        elif isinstance(block, PageBreak):
            if not canvas.at_top:
                canvas.new_page()
        else:
            canvas.place_table(copy.deepcopy(block))
