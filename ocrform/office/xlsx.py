"""An Excel workbook (.xlsx, .xlsm) read from its own cells with openpyxl.

Each visible sheet in order, on pages of its own (a sheet's manual row breaks start more):
its visible rows and columns (hidden ones skipped, as they do not print), each cell's value
as the sheet shows it (a formula's cached value, never recomputed; the number format applied:
``ocrform.office.numfmt``), merged ranges as spans. A run of rows with bordered cells is a
table, as it prints; a row with none is free text (a title, a 单位/填报日期 line), each cell a
piece of the line. A sheet drawn without any borders is one table, but for rows whose one
value stands alone. Macros are never run nor kept (``keep_vba=False``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocrform.errors import InputError
from ocrform.office.layout import FONT_SIZE, Layout, OfficeCell, OfficeLine, OfficeTable
from ocrform.office.numfmt import format_value

ORIGIN = "xlsx"
# A column's width in characters of the default font → points, and the width of a column no
# dimension sets.
POINTS_PER_CHAR = 5.6
DEFAULT_COLUMN_CHARS = 8.43
# Two or more spaces inside a free line part its pieces, as a tab does in Word (单位：…    填报日期：…).
PIECE_GAP = "  "
_ALIGN = {"center": "c", "centerContinuous": "c", "right": "r"}
# Grid places one table may have (each an object, an empty one too).
MAX_TABLE_PLACES = 200_000


class _TooLarge(Exception):
    pass


@dataclass
class _Range:
    """A value's cell or merged range on the sheet (1-based, inclusive)."""

    r0: int
    c0: int
    r1: int
    c1: int
    text: str
    ref: str
    bordered: bool
    align: str


def read_xlsx(path: Path) -> Layout:
    """The workbook's visible sheets laid out on pages (``Layout.contents`` gives them)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(str(path), data_only=True, keep_vba=False, keep_links=False)
    except InputError:
        raise
    except Exception as exc:  # zipfile, KeyError, lxml and openpyxl's own for damaged parts
        raise InputError(path, f"corrupt or unreadable Excel workbook ({_first_line(exc)})") from None
    layout = Layout(ORIGIN)
    try:
        first = True
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                continue
            if not first:
                layout.page_break()
            first = False
            try:
                _read_sheet(sheet, layout)
            except _TooLarge as exc:
                raise InputError(path, f"sheet {sheet.title} holds {exc}") from None
    finally:
        workbook.close()
    return layout


def _read_sheet(sheet: Any, layout: Layout) -> None:
    hidden_rows = {r for r, d in sheet.row_dimensions.items() if d.hidden}
    widths: dict[int, float] = {}
    hidden_cols: set[int] = set()
    for d in sheet.column_dimensions.values():
        if d.min is None or d.max is None:
            continue
        for c in range(d.min, min(d.max, d.min + 1024) + 1):
            if d.hidden:
                hidden_cols.add(c)
            if d.width and d.customWidth:
                widths[c] = d.width
    default = sheet.sheet_format.defaultColWidth or DEFAULT_COLUMN_CHARS
    ranges = _ranges(sheet, hidden_rows, hidden_cols)
    if not ranges:
        return
    rows = sorted({r for g in ranges for r in range(g.r0, g.r1 + 1)} - hidden_rows)
    rows = list(range(rows[0], rows[-1] + 1)) if rows else []
    rows = [r for r in rows if r not in hidden_rows]
    breaks = {b.id for b in sheet.row_breaks.brk if b.id}
    bordered = any(g.bordered for g in ranges)
    starting: dict[int, list[_Range]] = {}
    for g in ranges:
        starting.setdefault(g.r0, []).append(g)
    covering: dict[int, list[_Range]] = {}
    for g in ranges:
        for r in range(g.r0, g.r1 + 1):
            covering.setdefault(r, []).append(g)
    # Formatting beyond the last value or merged range prints nothing: it is no table's.
    last_col = max(g.c1 for g in ranges)
    border_rows = _bordered_rows(sheet, rows, hidden_cols, last_col) if bordered else set()

    # Without borders: a block of rows (between blank rows and page breaks) is a table from
    # its first row with two values or more to its last; a lone value above or below is a line.
    inside: set[int] = set()
    block: list[int] = []
    for r in [*rows, None]:
        values = [g for g in covering.get(r, []) if g.text] if r is not None else []
        if values:
            block.append(r)
        if block and (r is None or not values or r in breaks):
            multi = [b for b in block if len([g for g in covering.get(b, []) if g.text]) > 1]
            if multi:
                inside.update(b for b in block if multi[0] <= b <= multi[-1])
            block = []

    def table_row(r: int) -> bool:
        return r in border_rows if bordered else r in inside

    run: list[int] = []
    for r in [*rows, None]:
        if r is not None and table_row(r) and not (run and run[-1] in breaks):
            run.append(r)
            continue
        if run:
            layout.add(_table(sheet, run, ranges, hidden_cols, widths, default))
            if run[-1] in breaks:
                layout.page_break()
            run = []
        if r is None:
            break
        if table_row(r):
            run.append(r)
            continue
        pieces = [p for g in sorted(starting.get(r, []), key=lambda g: g.c0) for p in g.text.split(PIECE_GAP)]
        lines = [g for g in starting.get(r, []) if g.text]
        if lines:
            for n, line in enumerate(_split_lines(pieces)):
                ref = ", ".join(g.ref for g in lines)
                layout.line(OfficeLine(line, ref, lines[0].align if len(lines) == 1 and n == 0 else "l"))
        else:
            layout.line(OfficeLine([], ""))
        if r in breaks:
            layout.page_break()


def _split_lines(pieces: list[str]) -> list[list[str]]:
    """A free row's pieces as printed lines: a value's own line breaks start new lines."""
    lines: list[list[str]] = [[]]
    for piece in pieces:
        parts = piece.split("\n")
        lines[-1].append(parts[0])
        for part in parts[1:]:
            lines.append([part])
    return lines


def _ranges(sheet: Any, hidden_rows: set[int], hidden_cols: set[int]) -> list[_Range]:
    """Every cell with a value and every merged range, as the sheet shows them; a merged
    range's value is its top-left cell's."""
    merged = {}
    for m in sheet.merged_cells.ranges:
        merged[(m.min_row, m.min_col)] = (m.max_row, m.max_col)
    covered = {(r, c) for (r0, c0), (r1, c1) in merged.items() for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    out = []
    cells = sheet._cells  # openpyxl's own map of the cells the file holds
    for (r, c), cell in list(cells.items()):
        if (r, c) in merged:
            continue
        if (r, c) in covered or cell.value is None or r in hidden_rows or c in hidden_cols:
            continue
        text = _shown(cell)
        if text.strip():
            out.append(_Range(r, c, r, c, text, _ref(sheet, cell.coordinate), _has_border(cell), _align(cell)))
    for (r0, c0), (r1, c1) in merged.items():
        cell = sheet.cell(row=r0, column=c0)
        rows = [r for r in range(r0, r1 + 1) if r not in hidden_rows]
        cols = [c for c in range(c0, c1 + 1) if c not in hidden_cols]
        if not rows or not cols:
            continue
        text = _shown(cell) if r0 not in hidden_rows and c0 not in hidden_cols else ""
        edge = any(_has_border(sheet.cell(row=r, column=c)) for r in (r0, r1) for c in (c0, c1))
        ref = _ref(sheet, f"{cell.coordinate}:{sheet.cell(row=r1, column=c1).coordinate}")
        out.append(_Range(rows[0], cols[0], rows[-1], cols[-1], text, ref, edge, _align(cell)))
    return out


def _bordered_rows(sheet: Any, rows: list[int], hidden_cols: set[int], last_col: int) -> set[int]:
    """Rows with a bordered cell (an empty one too: a blank table row is drawn)."""
    out = set()
    wanted = set(rows)
    for (r, c), cell in list(sheet._cells.items()):
        if r in wanted and c <= last_col and c not in hidden_cols and r not in out and _has_border(cell):
            out.add(r)
    return out


def _table(
    sheet: Any,
    rows: list[int],
    ranges: list[_Range],
    hidden_cols: set[int],
    widths: dict[int, float],
    default: float,
) -> OfficeTable:
    index = {r: n for n, r in enumerate(rows)}
    inside = [g for g in ranges if g.r1 >= rows[0] and g.r0 <= rows[-1]]
    last_col = max(g.c1 for g in ranges)
    bordered_cols = [c for (r, c), cell in sheet._cells.items() if r in index and c <= last_col and _has_border(cell)]
    lo = min([g.c0 for g in inside] + bordered_cols)
    hi = max([g.c1 for g in inside] + bordered_cols)
    cols = [c for c in range(lo, hi + 1) if c not in hidden_cols]
    if len(rows) * len(cols) > MAX_TABLE_PLACES:
        raise _TooLarge(f"a table of {len(rows)} rows and {len(cols)} columns (the limit is {MAX_TABLE_PLACES} cells)")
    col_index = {c: n for n, c in enumerate(cols)}
    cells = []
    for g in inside:
        r0 = next((index[r] for r in range(max(g.r0, rows[0]), g.r1 + 1) if r in index), None)
        r1 = next((index[r] for r in range(min(g.r1, rows[-1]), g.r0 - 1, -1) if r in index), None)
        c0 = next((col_index[c] for c in range(g.c0, g.c1 + 1) if c in col_index), None)
        c1 = next((col_index[c] for c in range(g.c1, g.c0 - 1, -1) if c in col_index), None)
        if r0 is None or r1 is None or c0 is None or c1 is None:
            continue
        text = g.text if g.r0 >= rows[0] else ""  # a range's value stays in the table it starts in
        cells.append(OfficeCell(r0, c0, text.split("\n"), g.ref, r1 - r0 + 1, c1 - c0 + 1))
    # Every grid place no value covers is an empty cell, as the printed grid draws it.
    taken = {(r, c) for x in cells for r in range(x.row, x.row + x.row_span) for c in range(x.col, x.col + x.col_span)}
    for r, row in enumerate(rows):
        for c, col in enumerate(cols):
            if (r, c) not in taken:
                cells.append(OfficeCell(r, c, [], _ref(sheet, _coordinate(row, col))))
    cells.sort(key=lambda x: (x.row, x.col))
    column_widths = [widths.get(c, default) * POINTS_PER_CHAR for c in cols]
    heights = [sheet.row_dimensions[r].height or FONT_SIZE * 1.4 for r in rows]
    return OfficeTable(column_widths, len(rows), cells, heights)


def _shown(cell: Any) -> str:
    try:
        return format_value(cell.value, cell.number_format)
    except (ValueError, OverflowError, ArithmeticError):
        return str(cell.value)


def _has_border(cell: Any) -> bool:
    border = cell.border
    return border is not None and any(
        side is not None and side.style is not None for side in (border.left, border.right, border.top, border.bottom)
    )


def _align(cell: Any) -> str:
    horizontal = cell.alignment.horizontal if cell.alignment is not None else None
    return _ALIGN.get(horizontal or "", "l")


def _ref(sheet: Any, coordinate: str) -> str:
    title = sheet.title
    if not all(ch.isalnum() or ch == "_" for ch in title):
        title = "'" + title.replace("'", "''") + "'"
    return f"{title}!{coordinate}"


def _coordinate(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
