"""Text exported from a word processor that writes each table cell after a tab.

Word's plain-text export (and tools that imitate it) prints a table row as its cells, each
beginning with a tab, a cell's further paragraphs on lines without one, and a blank line after
the row. Text outside tables stands on lines of its own. That structure is the table itself:
this reader turns each run of rows with the same number of cells into a table, cell ``i`` of
``n`` on an even synthetic column grid (a row of one cell, a heading or a signature box, is a
full-width table row), so that ``ocrform.form.mapping`` reads the pages with its usual rules.
A blank cell stays a cell: it is what a vertically merged cell leaves in the rows it covers.

Geometry is synthetic as in ``ocrform.dump.lines``: line ``n`` of a page is at
``y = n * LINE_HEIGHT``; free words keep their character offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ocrform.dump.lines import CHAR_WIDTH, FRAME_WIDTH, LINE_HEIGHT, ORIGIN, dump_line
from ocrform.model import Box, Cell, Page, PageContent, Table, Word

# Share of a dump's non-blank lines that begin with a tab above which its tabs mark table cells.
# Measured: the Word export of seed 003 has 70%, pdftotext dumps (seeds 000, 001) 0%, and the
# interleaved dump of seed 004, whose tabs stand inside lines, 0%.
TABBED_SHARE = 0.3


def is_tabbed(text: str) -> bool:
    """Whether ``text`` is a cell-per-tab export (most content lines begin with a tab)."""
    lines = [ln for ln in text.splitlines() if ln.strip() or ln.startswith("\t")]
    return bool(lines) and sum(ln.startswith("\t") for ln in lines) >= TABBED_SHARE * len(lines)


@dataclass
class _Cell:
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)


@dataclass
class _Row:
    cells: list[_Cell]


def read_tabbed(text: str) -> list[PageContent]:
    """The pages of a cell-per-tab export (pages split at form feeds) as tables and free words."""
    out = []
    for index, page_text in enumerate(text.split("\f")):
        lines = page_text.splitlines()
        if index > 0 and not any(ln.strip() for ln in lines):
            continue
        items = _items(lines)
        free: list[Word] = []
        tables: list[Table] = []
        run: list[_Row] = []
        for item in [*items, None]:
            if isinstance(item, _Row) and (not run or len(run[0].cells) == len(item.cells)):
                run.append(item)
                continue
            if run:
                tables.append(_table(run, index))
                run = []
            if isinstance(item, _Row):
                run.append(item)
            elif item is not None:
                n, s = item
                free += dump_line(n, s, index).words
        page = Page(
            index=index,
            width=FRAME_WIDTH,
            height=max(len(lines), 1) * LINE_HEIGHT,
            words=[*free, *(w for t in tables for c in t.cells for w in c.words)],
            kind="text",
        )
        out.append(PageContent(page=page, tables=tables, free_words=free))
    return out


def _items(lines: list[str]) -> list[_Row | tuple[int, str]]:
    """Rows (cells with their lines) and free lines, in the order they stand."""
    items: list[_Row | tuple[int, str]] = []
    row: _Row | None = None
    for n, raw in enumerate(lines):
        if raw.startswith("\t"):
            if row is None:
                row = _Row([])
                items.append(row)
            for piece in raw.split("\t")[1:]:
                row.cells.append(_Cell([(n, piece)]))
        elif not raw.strip():
            row = None  # a blank line ends the row
        elif row is not None:
            row.cells[-1].lines.append((n, raw))  # a further paragraph of the cell
        else:
            items.append((n, raw))
    return items


def _table(rows: list[_Row], page: int) -> Table:
    n_cols = len(rows[0].cells)
    width = FRAME_WIDTH / n_cols
    cells = []
    for r, row in enumerate(rows):
        first = min(n for c in row.cells for n, _ in c.lines)
        last = max(n for c in row.cells for n, _ in c.lines)
        for k, cell in enumerate(row.cells):
            box = Box(k * width, first * LINE_HEIGHT, (k + 1) * width, (last + 1) * LINE_HEIGHT)
            cells.append(Cell(row=r, col=k, box=box, page=page, words=_cell_words(cell, box, page)))
    box = Box(0.0, cells[0].box.y0, FRAME_WIDTH, cells[-1].box.y1)
    return Table(page, box, len(rows), n_cols, cells, method=ORIGIN)


def _cell_words(cell: _Cell, box: Box, page: int) -> list[Word]:
    """A cell's lines as words inside its box: one word per printed line, spaces kept out."""
    words = []
    for n, s in cell.lines:
        text = "".join(s.split())
        if not text:
            continue
        y0 = n * LINE_HEIGHT
        y1 = y0 + LINE_HEIGHT * 0.8
        step = min(CHAR_WIDTH, box.width / max(len(text), 1))
        chars = tuple(Box(box.x0 + i * step, y0, box.x0 + (i + 1) * step, y1) for i in range(len(text)))
        line_box = Box(box.x0, y0, box.x0 + len(text) * step, y1)
        words.append(Word(text=text, box=line_box, page=page, origin=ORIGIN, char_boxes=chars))
    return words
