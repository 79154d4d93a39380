"""A Word document (.docx) read from its own structure with python-docx's XML tree.

The body's paragraphs and tables in document order (content controls opened), each table on
its column grid (``w:tblGrid``): a cell's ``w:gridSpan`` is its column span, ``w:vMerge``
continues the cell above into the row (Word's vertical merge), ``w:hMerge`` the cell before
it (an older horizontal merge), ``w:gridBefore`` skips grid columns. A page break (``w:br``
of type page, ``w:pageBreakBefore``) starts a new page. Text in runs marked hidden
(``w:vanish``), deleted revisions and field codes is not printed and is left out.

A table nested in a cell: when the outer table only frames its content (no row holds two
cells with content), its cells' paragraphs and tables are read as if they stood in the body;
otherwise each row of the nested table is a line of the outer cell's text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ocrform.errors import InputError
from ocrform.office.layout import Block, Layout, OfficeCell, OfficeLine, OfficeTable, PageBreak
from ocrform.office.numbering import Numbering

ORIGIN = "docx"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TWIPS_PER_POINT = 20.0
EMU_PER_POINT = 12700.0
# Levels of tables within tables read at most (a deeper one is read as its text).
MAX_NESTING = 8
# Grid columns a table may have (Word makes at most 63).
MAX_TABLE_COLUMNS = 256


class _TooLarge(Exception):
    pass


_ALIGN = {"center": "c", "right": "r", "end": "r"}
# Parts of a paragraph that print no text of it: deleted and moved-away revisions, paragraph
# properties, field codes, and the fallback copy of a drawing's content.
_NOT_PRINTED = (f"{_W}del", f"{_W}moveFrom", f"{_W}pPr", f"{_W}rPr", f"{_W}instrText", _MC_FALLBACK)


def read_docx(path: Path) -> Layout:
    """The document's blocks laid out on pages (``Layout.contents`` gives them)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except PackageNotFoundError:
        raise InputError(path, "not a Word document (no word/document.xml in the file)") from None
    except Exception as exc:  # lxml, zipfile and KeyError for damaged parts
        raise InputError(path, f"corrupt or unreadable Word document ({_first_line(exc)})") from None
    width, margin = _page(document)
    layout = Layout(ORIGIN, width, margin)
    reader = _Reader(Numbering(document))
    try:
        for block in reader.blocks(document.element.body, 0):
            layout.add(block)
    except _TooLarge as exc:
        raise InputError(path, str(exc)) from None
    return layout


def _page(document: Any) -> tuple[float, float]:
    try:
        section = document.sections[0]
        width = section.page_width / EMU_PER_POINT if section.page_width else None
        margin = section.left_margin / EMU_PER_POINT if section.left_margin is not None else None
    except (IndexError, ValueError, TypeError):
        width = margin = None
    return (width or 595.0), (margin if margin is not None else 56.7)


class _Reader:
    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering
        self.tables = 0  # tables met so far, nested ones included: their 1-based numbers
        self.paragraphs = 0

    def blocks(self, container: Any, depth: int) -> Iterator[Block]:
        for child in _children(container):
            if child.tag == f"{_W}p":
                yield from self._paragraph(child)
            elif child.tag == f"{_W}tbl":
                yield from self._table(child, depth)

    def _paragraph(self, p: Any) -> Iterator[Block]:
        self.paragraphs += 1
        before = p.find(f"{_W}pPr/{_W}pageBreakBefore")
        if before is not None and _on(before):
            yield PageBreak()
        text, breaks = paragraph_text(p)
        text = self.numbering.label(p) + text
        ref = f"paragraph {self.paragraphs}"
        for n, line in enumerate(text.split("\n")):
            if n and breaks and n in breaks:
                yield PageBreak()
            yield OfficeLine(line.split("\t"), ref, _alignment(p))

    def _table(self, tbl: Any, depth: int) -> Iterator[Block]:
        self.tables += 1
        number = self.tables
        grid = [_twips(col.get(f"{_W}w")) for col in tbl.findall(f"{_W}tblGrid/{_W}gridCol")]
        rows = [tr for tr in _children(tbl) if tr.tag == f"{_W}tr"]
        placed = _place(rows)
        nested = any(t is not None for _, _, _, _, tc in placed for t in [tc.find(f".//{_W}tbl")])
        if nested and depth < MAX_NESTING and _frames_only(placed):
            for _, _, _, _, tc in placed:
                yield from self.blocks(tc, depth + 1)
            return
        n_cols = max([len(grid)] + [c + span for _, c, _, span, _ in placed])
        if n_cols > MAX_TABLE_COLUMNS:
            raise _TooLarge(f"table {number} has {n_cols} columns (the limit is {MAX_TABLE_COLUMNS})")
        widths = grid + [0.0] * (n_cols - len(grid))
        if not any(widths):
            widths = [72.0] * n_cols
        fill = sum(widths) / max(sum(1 for w in widths if w), 1)
        widths = [w or fill for w in widths]
        cells = []
        for r, c, row_span, col_span, tc in placed:
            ref = f"table {number} row {r + 1} column {c + 1}"
            cells.append(OfficeCell(r, c, self._cell_lines(tc), ref, row_span, col_span))
        yield OfficeTable(widths, len(rows), cells)

    def _cell_lines(self, tc: Any) -> list[str]:
        """A cell's paragraphs (a line break within one starts a new line); a nested table's
        rows one line each, their cells' texts a space apart."""
        lines: list[str] = []
        for child in _children(tc):
            if child.tag == f"{_W}p":
                text, _ = paragraph_text(child)
                lines += [s.replace("\t", " ") for s in (self.numbering.label(child) + text).split("\n")]
            elif child.tag == f"{_W}tbl":
                for tr in _children(child):
                    if tr.tag == f"{_W}tr":
                        parts = [" ".join(self._cell_lines(tc)) for tc in _children(tr) if tc.tag == f"{_W}tc"]
                        lines.append(" ".join(p for p in parts if p.strip()))
        while lines and not lines[-1].strip():
            lines.pop()
        return lines


def _place(rows: list[Any]) -> list[tuple[int, int, int, int, Any]]:
    """(row, grid column, row span, column span, w:tc) of each cell that starts a merge."""
    placed: list[list[Any]] = []
    open_at: dict[int, list[Any]] = {}  # grid column → the cell a vertical merge continues
    for r, tr in enumerate(rows):
        col = _int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
        last: list[Any] | None = None
        for tc in _children(tr):
            if tc.tag != f"{_W}tc":
                continue
            pr = tc.find(f"{_W}tcPr")
            span = max(_int(pr.find(f"{_W}gridSpan") if pr is not None else None, 1), 1)
            vmerge = pr.find(f"{_W}vMerge") if pr is not None else None
            hmerge = pr.find(f"{_W}hMerge") if pr is not None else None
            if hmerge is not None and hmerge.get(f"{_W}val") != "restart" and last is not None:
                last[3] += span  # an older horizontal merge: this cell widens the one before
                col += span
                continue
            if vmerge is not None and vmerge.get(f"{_W}val") != "restart" and col in open_at:
                above = open_at[col]
                if above[0] + above[2] == r:  # the cell above reaches the row before
                    above[2] += 1
                    last = above
                    col += span
                    continue
            item = [r, col, 1, span, tc]
            placed.append(item)
            if vmerge is not None:
                open_at[col] = item
            else:
                open_at.pop(col, None)
            last = item
            col += span
    return [tuple(item) for item in placed]  # type: ignore[misc]


def _frames_only(placed: list[tuple[int, int, int, int, Any]]) -> bool:
    """Whether no row of the table holds two cells with content: a frame around a layout."""
    filled: dict[int, int] = {}
    for r, _, _, _, tc in placed:
        if tc.find(f".//{_W}tbl") is not None or "".join(paragraph_text(p)[0] for p in tc.iter(f"{_W}p")).strip():
            filled[r] = filled.get(r, 0) + 1
    return all(n <= 1 for n in filled.values())


def paragraph_text(p: Any) -> tuple[str, set[int]]:
    """A paragraph's printed text (tabs as \\t, line breaks as \\n) and the numbers of its lines
    that a page break starts."""
    out: list[str] = []
    breaks: set[int] = set()
    for el in _runs_content(p):
        tag = el.tag
        if tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            if el.get(f"{_W}type") == "page":
                breaks.add("".join(out).count("\n") + 1)
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
    return "".join(out), breaks


def _runs_content(p: Any) -> Iterator[Any]:
    """The text elements of a paragraph's runs in order, without hidden runs, deleted text,
    field codes, or the fallback copy of a drawing's content."""
    stack = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if not isinstance(tag, str) or tag in _NOT_PRINTED:
            continue
        if tag == f"{_W}r":
            vanish = el.find(f"{_W}rPr/{_W}vanish")
            if vanish is not None and _on(vanish):
                continue
        if tag in (f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
            yield el
            continue
        stack.append(iter(el))


def _children(container: Any) -> Iterator[Any]:
    """Block children, with content controls and custom XML opened."""
    for child in container:
        tag = child.tag
        if tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _children(content)
        elif tag == f"{_W}customXml":
            yield from _children(child)
        else:
            yield child


def _alignment(p: Any) -> str:
    jc = p.find(f"{_W}pPr/{_W}jc")
    return _ALIGN.get(jc.get(f"{_W}val", ""), "l") if jc is not None else "l"


def _on(el: Any) -> bool:
    return el.get(f"{_W}val", "true") not in ("false", "0", "off")


def _int(el: Any, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(f"{_W}val", default))
    except ValueError:
        return default


def _twips(value: str | None) -> float:
    try:
        return float(value) / TWIPS_PER_POINT if value else 0.0
    except ValueError:
        return 0.0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
