"""Page contents → the stream the form reader walks: free lines and table rows in print order.

A table row knows the cells that start in it and the tall cells reaching into it from rows
above, its table's frame and every cell border, so the reader can place it under columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ocrform.form.spans import Span
from ocrform.model import Cell, PageContent, Table, group_lines

# A row whose one cell spans this share of its table is a line drawn inside the frame.
FULL_WIDTH = 0.9


@dataclass
class Row:
    """One printed table row: the cells that start in it and those reaching into it from above."""

    page: int
    y: float
    starting: list[Cell]
    covering: list[Cell]
    frame: tuple[float, float]  # the table's left and right edge
    edges: tuple[float, ...]  # every cell border of the table, left to right
    # One cell across the whole table: a title, 年度 or 填报单位/填报日期 line drawn inside the frame.
    full_width: bool = False
    # Every row of the table, this one included, top to bottom.
    table_rows: list[Row] = field(default_factory=list, repr=False)


@dataclass
class Line:
    page: int
    y: float
    span: Span


def page_items(content: PageContent) -> list[Line | Row]:
    items: list[tuple[float, int, Line | Row]] = []
    for line in group_lines(content.free_words):
        y = min(w.box.y0 for w in line)
        items.append((y, len(items), Line(content.page.index, y, Span.of_words(line))))
    for table in sorted(content.tables, key=lambda t: t.box.y0):
        for row in table_rows(table):
            items.append((row.y, len(items), row))
    items.sort(key=lambda t: (t[0], t[1]))
    return [it for _, _, it in items]


def table_rows(table: Table) -> list[Row]:
    starting: list[list[Cell]] = [[] for _ in range(table.n_rows)]
    covering: list[list[Cell]] = [[] for _ in range(table.n_rows)]
    for cell in table.cells:
        starting[cell.row].append(cell)
        for r in range(cell.row, min(cell.row + cell.row_span, table.n_rows)):
            covering[r].append(cell)
    edges = tuple(sorted({round(x, 1) for c in table.cells for x in (c.box.x0, c.box.x1)}))
    rows = []
    for r in range(table.n_rows):
        if not covering[r]:
            continue
        y = min((c.box.y0 for c in starting[r]), default=min(c.box.y0 for c in covering[r]))
        full_width = len(covering[r]) == 1 and covering[r][0].box.width >= FULL_WIDTH * table.box.width
        rows.append(
            Row(
                page=table.page,
                y=y,
                starting=sorted(starting[r], key=lambda c: c.box.x0),
                covering=sorted(covering[r], key=lambda c: c.box.x0),
                frame=(table.box.x0, table.box.x1),
                edges=edges,
                full_width=full_width and covering[r][0].row == r,
            )
        )
    for row in rows:
        row.table_rows = rows
    return rows
