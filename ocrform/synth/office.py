"""The generator's forms written as real producers' sources: Word (.docx), Excel (.xlsx), HTML.

The same form builder that draws the generator's own PDFs (``ocrform.synth.pdf.FormBuilder``)
lays out the paragraphs and the bordered table; here they become a python-docx table with
merged cells, an openpyxl sheet with merged ranges, or an HTML table with row and column
spans. LibreOffice and Chromium then print them to PDF (``scripts/make_office_fixtures.py``),
so the test corpus holds PDFs as those producers make them: their own fonts (embedded
subsets, a second subset for the bold face), line breaking, hanging punctuation, rows broken
across pages and repeated header rows. Nothing here is needed at run time.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocrform.canonical import Form
from ocrform.synth.layout import Block, PageBreak, Para, Table, text_width
from ocrform.synth.pdf import FormBuilder, page_geometry
from ocrform.synth.style import Style

# Column edges closer than this (points) are one grid line.
EDGE_SNAP = 0.5


@dataclass(frozen=True)
class Look:
    """What a person filling the form in an office program chooses: the font, whether labels
    are bold, and the point sizes (the style's own when None)."""

    font: str  # a family name fontconfig knows, e.g. "Noto Serif CJK SC"
    bold_labels: bool = False
    size: float | None = None
    # A page break between forms (else a form follows the last one on the same page).
    page_per_form: bool = True


@dataclass(frozen=True)
class GridCell:
    """A cell of a table on a column grid: rows [r0, r1), columns [c0, c1)."""

    r0: int
    r1: int
    c0: int
    c1: int
    text: str
    label: bool
    align: str
    vertical: bool
    long_text: bool


@dataclass(frozen=True)
class Grid:
    widths: list[float]  # each column's width in points
    n_rows: int
    cells: list[GridCell]
    header_rows: list[int]  # rows that start a table section repeated after a page break


def form_blocks(forms: Sequence[dict[str, Any]], style: Style) -> list[list[Block]]:
    """Each form's paragraphs and table as the PDF generator lays them out."""
    geom = page_geometry(style)
    return [FormBuilder(Form.model_validate(f), style, geom).build() for f in forms]


def table_grid(table: Table) -> Grid:
    """The table on the grid its cells' edges make; a flow cell is one cell (no page cut)."""
    edges: list[float] = []
    for x in sorted({round(v, 3) for c in table.cells for v in (c.x0, c.x1)}):
        if not edges or x - edges[-1] > EDGE_SNAP:
            edges.append(x)

    def column(x: float) -> int:
        return min(range(len(edges)), key=lambda i: abs(edges[i] - x))

    cells = [
        GridCell(
            c.r0,
            c.r1,
            column(c.x0),
            column(c.x1),
            c.text,
            c.label,
            c.align,
            c.vertical,
            c.flow,
        )
        for c in table.cells
    ]
    headers = sorted({row.header for row in table.rows if row.header is not None})
    widths = [b - a for a, b in itertools.pairwise(edges)]
    return Grid(widths, len(table.rows), cells, headers)


def _vertical(text: str) -> str:
    return "\n".join(ch for ch in text if not ch.isspace())


def _cell_text(cell: GridCell) -> str:
    return _vertical(cell.text) if cell.vertical else cell.text


# -- Word ------------------------------------------------------------------------------------------
def write_docx(forms: Sequence[dict[str, Any]], path: Path, style: Style, look: Look) -> None:
    """A Word document of the forms: paragraphs and one bordered table per form."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    width, height = style.page_size
    section.page_width, section.page_height = Pt(width), Pt(height)
    section.orientation = WD_ORIENT.LANDSCAPE if width > height else WD_ORIENT.PORTRAIT
    left, top, right, bottom = style.margins
    section.left_margin, section.top_margin = Pt(left), Pt(top)
    section.right_margin, section.bottom_margin = Pt(right), Pt(bottom)
    _docx_default_font(document, look)
    first = True
    for blocks in form_blocks(forms, style):
        if not first and look.page_per_form:
            document.add_page_break()
        first = False
        for block in blocks:
            if isinstance(block, PageBreak):
                document.add_page_break()
            elif isinstance(block, Para):
                _docx_para(document, block, look)
            else:
                _docx_table(document, table_grid(block), style, look, Pt, WD_CELL_VERTICAL_ALIGNMENT)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def _docx_default_font(document: Any, look: Look) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.name = look.font
    normal.font.size = Pt(look.size or 9)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), look.font)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)


def _docx_run(paragraph: Any, text: str, look: Look, size: float, bold: bool) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for n, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        run.font.name = look.font
        run.font.size = Pt(size)
        run.font.bold = bold
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), look.font)
        if n < text.count("\n"):
            run.add_break()


_DOCX_ALIGN = {"l": 0, "c": 1, "r": 2}


def _docx_para(document: Any, para: Para, look: Look) -> None:
    from docx.shared import Pt

    p = document.add_paragraph()
    p.paragraph_format.space_before = Pt(para.space_before)
    p.paragraph_format.space_after = Pt(para.space_after)
    size = look.size + (para.size - 9) if look.size else para.size
    if para.align == "lr" or para.right:
        # A left text and a right one on the same line: a right-aligned tab stop at the margin.
        from docx.enum.text import WD_TAB_ALIGNMENT

        section = document.sections[-1]
        stop = section.page_width - section.left_margin - section.right_margin
        p.paragraph_format.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.RIGHT)
        _docx_run(p, para.left + "\t" + para.right, look, size, False)
        return
    p.alignment = _DOCX_ALIGN[para.align]
    _docx_run(p, para.left, look, size, para.size > 12 and look.bold_labels)


def _docx_table(document: Any, grid: Grid, style: Style, look: Look, Pt: Any, valign: Any) -> None:
    table = document.add_table(rows=grid.n_rows, cols=len(grid.widths))
    table.style = "Table Grid"
    table.autofit = False
    for column, w in zip(table.columns, grid.widths, strict=True):
        column.width = Pt(w)
    for row in table.rows:
        for cell, w in zip(row.cells, grid.widths, strict=True):
            cell.width = Pt(w)
    for header in grid.header_rows[:1]:
        if header == 0:
            _docx_repeat_header(table.rows[0])
    for c in grid.cells:
        cell = table.cell(c.r0, c.c0)
        if c.r1 - c.r0 > 1 or c.c1 - c.c0 > 1:
            cell = cell.merge(table.cell(c.r1 - 1, c.c1 - 1))
        cell.vertical_alignment = valign.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.alignment = _DOCX_ALIGN[c.align]
        size = look.size or style.font_size
        if c.long_text:
            size = (look.size or style.font_size) - (style.font_size - style.text_size)
        _docx_run(paragraph, _cell_text(c), look, size, look.bold_labels and c.label)


def _docx_repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


_HORIZONTAL = {"l": "left", "c": "center", "r": "right"}


# -- Excel -----------------------------------------------------------------------------------------
def write_xlsx(forms: Sequence[dict[str, Any]], path: Path, style: Style, look: Look) -> None:
    """One sheet holding the forms one under the other, a page break before each, printed to
    the page width: the way forms travel between a department and its finance bureau."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width, height = style.page_size
    sheet.page_setup.orientation = "landscape" if width > height else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    left, top, right, bottom = (m / 72 for m in style.margins)
    sheet.page_margins.left, sheet.page_margins.top = left, top
    sheet.page_margins.right, sheet.page_margins.bottom = right, bottom
    grids = []
    all_edges: set[float] = set()
    for blocks in form_blocks(forms, style):
        for block in blocks:
            if isinstance(block, Table):
                grid = table_grid(block)
                grids.append(grid)
                all_edges.update(_edges(grid.widths))
    # One column grid for the whole sheet: every form's edges.
    edges = sorted(all_edges)
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        sheet.column_dimensions[get_column_letter(i + 1)].width = max(1.0, (b - a) / 5.6)
    n_cols = len(edges) - 1
    row = 1
    for blocks in form_blocks(forms, style):
        if row > 1 and look.page_per_form:
            sheet.row_breaks.append(Break(id=row - 1))
        elif row > 1:
            row += 1
        for block in blocks:
            size = look.size or style.font_size
            if isinstance(block, PageBreak):
                # A manual break in a sheet printed to the page's width makes LibreOffice scale
                # the rest down to a corner: a sheet runs on, as a workbook's cover would.
                row += 1
                continue
            if isinstance(block, Para):
                text = f"{block.left}    {block.right}".strip() if block.right else block.left
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
                cell = sheet.cell(row=row, column=1, value=text)
                bold = block.size > 12 and look.bold_labels
                cell.font = Font(name=look.font, size=block.size if block.size > 12 else size, bold=bold)
                # Wrapped inside the page's width: text left to run on would widen the printed
                # range, and a sheet printed to fit the width would shrink to a corner.
                cell.alignment = Alignment(horizontal=_HORIZONTAL.get(block.align, "left"), wrap_text=True)
                lines = max(1, math.ceil(text_width(text, block.size) / (edges[-1] - edges[0])))
                sheet.row_dimensions[row].height = block.size * 1.6 * lines
                row += 1
                continue
            grid = table_grid(block)
            columns = _sheet_columns(_edges(grid.widths), edges)
            heights = _row_heights(grid, style, size)
            for c in grid.cells:
                r0, r1 = row + c.r0, row + c.r1 - 1
                c0, c1 = columns[c.c0], columns[c.c1] - 1
                if r1 > r0 or c1 > c0:
                    sheet.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
                for rr in range(r0, r1 + 1):
                    for cc in range(c0, c1 + 1):
                        sheet.cell(row=rr, column=cc).border = border
                cell = sheet.cell(row=r0, column=c0, value=_sheet_value(c))
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text typed as such (＝1年), not a formula
                cell.font = Font(name=look.font, size=size, bold=look.bold_labels and c.label)
                cell.alignment = Alignment(horizontal=_HORIZONTAL[c.align], vertical="center", wrap_text=True)
                if isinstance(cell.value, float):
                    cell.number_format = _number_format(c.text)
            for n, h in enumerate(heights):
                sheet.row_dimensions[row + n].height = h
            row += grid.n_rows
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))


def _edges(widths: list[float]) -> list[float]:
    out = [0.0]
    for w in widths:
        out.append(round(out[-1] + w, 1))
    return out


def _sheet_columns(own: list[float], sheet: list[float]) -> list[int]:
    """1-based sheet column of each of a table's own edges."""
    return [1 + min(range(len(sheet)), key=lambda i: abs(sheet[i] - x)) for x in own]


def _row_heights(grid: Grid, style: Style, size: float) -> list[float]:
    """Row heights (points) that hold every cell's wrapped text: a spreadsheet does not grow
    a merged cell's rows to fit its text."""
    line = size * 1.35
    heights = [line + 4] * grid.n_rows
    for c in sorted(grid.cells, key=lambda c: c.r1 - c.r0):
        inner = sum(grid.widths[c.c0 : c.c1]) - 4
        text = _cell_text(c)
        lines = sum(max(1, math.ceil(text_width(part, size) / max(inner, 1))) for part in text.split("\n"))
        need = lines * line + 4
        have = sum(heights[c.r0 : c.r1])
        if need > have:
            for r in range(c.r0, c.r1):
                heights[r] += (need - have) / (c.r1 - c.r0)
    return heights


def _sheet_value(cell: GridCell) -> str | float:
    """Amounts and scores as numbers, the way a spreadsheet holds them; the rest as text."""
    text = cell.text.strip()
    plain = text.replace(",", "")
    if cell.label or not plain or cell.vertical:
        return _cell_text(cell)
    if plain.endswith("%"):
        try:
            return float(plain[:-1]) / 100
        except ValueError:
            return text
    try:
        return float(plain)
    except ValueError:
        return text


def _number_format(text: str) -> str:
    """The format that shows the number as the form printed it."""
    digits = text.strip().rstrip("%")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    if text.strip().endswith("%"):
        return "0" + ("." + "0" * decimals if decimals else "") + "%"
    body = "#,##0" if "," in text else "0"
    return body + ("." + "0" * decimals if decimals else "")


# -- HTML ------------------------------------------------------------------------------------------
def write_html(forms: Sequence[dict[str, Any]], path: Path, style: Style, look: Look) -> None:
    """An HTML page of the forms, for a browser's print-to-PDF."""
    width, height = style.page_size
    left, top, right, bottom = style.margins
    size = look.size or style.font_size
    weight = "bold" if look.bold_labels else "normal"
    css = f"""
@page {{ size: {width}pt {height}pt; margin: {top}pt {right}pt {bottom}pt {left}pt; }}
body {{ font-family: "{look.font}"; font-size: {size}pt; margin: 0; }}
p {{ margin: 0 0 2pt 0; }}
table {{ border-collapse: collapse; table-layout: fixed; }}
td {{ border: 0.6pt solid #000; padding: 2pt; vertical-align: middle; word-break: break-all; }}
td.label {{ font-weight: {weight}; }}
tr {{ break-inside: auto; }}
.form {{ break-after: {"page" if look.page_per_form else "auto"}; }}
"""
    head = f"<head><meta charset='utf-8'><style>{css}</style></head>"
    parts = [f"<!DOCTYPE html><html lang='zh-CN'>{head}<body>"]
    for blocks in form_blocks(forms, style):
        parts.append("<div class='form'>")
        for block in blocks:
            if isinstance(block, PageBreak):
                parts.append("<div style='break-after:page'></div>")
            elif isinstance(block, Para):
                parts.append(_html_para(block, look))
            else:
                parts.append(_html_table(table_grid(block), style, size))
        parts.append("</div>")
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")


def _html_para(para: Para, look: Look) -> str:
    style = f"font-size:{para.size}pt;margin-top:{para.space_before}pt;margin-bottom:{para.space_after}pt;"
    if para.right:
        return (
            f"<p style='{style}display:flex;justify-content:space-between'>"
            f"<span>{html.escape(para.left)}</span><span>{html.escape(para.right)}</span></p>"
        )
    align = {"l": "left", "c": "center", "r": "right"}.get(para.align, "left")
    bold = "font-weight:bold;" if para.size > 12 and look.bold_labels else ""
    return f"<p style='{style}text-align:{align};{bold}'>{html.escape(para.left)}</p>"


def _html_table(grid: Grid, style: Style, size: float) -> str:
    cols = "".join(f"<col style='width:{w:.2f}pt'>" for w in grid.widths)
    rows: list[list[str]] = [[] for _ in range(grid.n_rows)]
    for c in sorted(grid.cells, key=lambda c: (c.r0, c.c0)):
        text = html.escape(_cell_text(c)).replace("\n", "<br>")
        align = {"l": "left", "c": "center", "r": "right"}[c.align]
        cell_size = size - (style.font_size - style.text_size) if c.long_text else size
        spans = (f" rowspan='{c.r1 - c.r0}'" if c.r1 - c.r0 > 1 else "") + (
            f" colspan='{c.c1 - c.c0}'" if c.c1 - c.c0 > 1 else ""
        )
        kind = " class='label'" if c.label else ""
        rows[c.r0].append(f"<td{spans}{kind} style='text-align:{align};font-size:{cell_size}pt'>{text}</td>")
    total = sum(grid.widths)
    body = "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows)
    return f"<table style='width:{total:.2f}pt'><colgroup>{cols}</colgroup>{body}</table>"
