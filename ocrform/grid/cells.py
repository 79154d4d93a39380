"""Ruling lines → tables of cells with row and column spans, and words → cells.

Shared by every grid detector: the vector path (lines a PDF draws) and the image path (lines
found by morphology) both hand over plain segments in points, so a scan and its born-digital
original produce the same ``Table``. Lines in scans are broken and faded, so an edge between
two grid slots counts as drawn when rulings cover most of it, not all of it.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from ocrform.model import Box, Cell, Segment, Table, Word

# Rulings closer than this (points) are one line: adjacent cells drawn as separate
# rectangles repeat their shared edge, and scans thicken lines to several pixels.
SNAP = 2.0
# Fraction of an edge that must be covered by rulings for the edge to separate two slots.
MIN_EDGE_COVER = 0.5
# A scanned rule can lose most of one edge (a seal's ink whitened over it, toner gone): at
# least this many points of rule along the edge still separate the slots when the same line
# is drawn along the next edge above or below (or left or right). A printed merged cell has
# no rule across it; a line that stops at a crossing overshoots into it by a point or two.
BROKEN_RULE_POINTS = 5.0
# Inside the table, between cells on every side, a cell whose side rules are drawn keeps
# when a seal or faded toner left only this share of its top and bottom rules.
INNER_EDGE_COVER = 0.25
# Column rules running this far past a table's first or last drawn rule mark a row a page
# break cut open (a text line is at least this tall; a rule overshoots a crossing by 1-2).
OPEN_END_POINTS = 6.0


def tables_from_rulings(segments: Iterable[Segment], page: int, method: str, snap: float = SNAP) -> list[Table]:
    """Group connected rulings into tables and read each table's cells off its grid."""
    segments = list(segments)
    horizontal = _merge_collinear([s for s in segments if s.horizontal and s.x1 - s.x0 > snap], True, snap)
    vertical = _merge_collinear([s for s in segments if not s.horizontal and s.y1 - s.y0 > snap], False, snap)
    tables = []
    for hs, vs in _connected(horizontal, vertical, snap):
        hs = hs + _open_ends(hs, vs)
        if len(hs) >= 2 and len(vs) >= 2:
            table = _table(hs, vs, page, method, snap)
            if table is not None:
                tables.append(table)
    # A frame drawn around the whole page (or around a table) is not a table of its own.
    return [t for t in tables if not (len(t.cells) == 1 and any(_inside(o.box, t.box) for o in tables if o is not t))]


def _open_ends(hs: list[Segment], vs: list[Segment]) -> list[Segment]:
    """Rules a page break left out: a table continued from the page before (or going on to the
    next) has its columns' rules run past its first (or last) drawn rule, where the cut row's
    edge would be. Browsers print a row cut by a page break so, without its top or bottom border."""
    if not hs or len(vs) < 2:
        return []
    top, bottom = min(h.y0 for h in hs), max(h.y0 for h in hs)
    added = []
    for beyond, end in (
        ([v for v in vs if v.y0 < top - OPEN_END_POINTS], lambda v: v.y0),
        ([v for v in vs if v.y1 > bottom + OPEN_END_POINTS], lambda v: v.y1),
    ):
        if len(beyond) >= 2:
            at = statistics.median(end(v) for v in beyond)
            added.append(Segment(min(v.x0 for v in beyond), at, max(v.x0 for v in beyond), at))
    return added


def _merge_collinear(segments: list[Segment], horizontal: bool, snap: float) -> list[Segment]:
    """Join rulings on one line that touch or overlap: cells drawn as separate rectangles
    repeat every shared edge, and a table of 40 rows must not cost 40 × 40 comparisons."""
    if horizontal:
        items = sorted(((s.y0 + s.y1) / 2, s.x0, s.x1, s.width) for s in segments)
    else:
        items = sorted(((s.x0 + s.x1) / 2, s.y0, s.y1, s.width) for s in segments)
    lines: list[list[tuple[float, float, float, float]]] = []
    for item in items:
        if lines and item[0] - lines[-1][0][0] <= snap:
            lines[-1].append(item)
        else:
            lines.append([item])
    out = []
    for line in lines:
        at = sum(i[0] for i in line) / len(line)
        width = max(i[3] for i in line)
        pieces: list[list[float]] = []
        for _, a, b, _ in sorted(line, key=lambda i: i[1]):
            if pieces and a <= pieces[-1][1] + snap:
                pieces[-1][1] = max(pieces[-1][1], b)
            else:
                pieces.append([a, b])
        for a, b in pieces:
            out.append(Segment(a, at, b, at, width) if horizontal else Segment(at, a, at, b, width))
    return out


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner.x0 >= outer.x0 - SNAP
        and inner.x1 <= outer.x1 + SNAP
        and inner.y0 >= outer.y0 - SNAP
        and inner.y1 <= outer.y1 + SNAP
    )


def _connected(hs: list[Segment], vs: list[Segment], snap: float) -> list[tuple[list[Segment], list[Segment]]]:
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Rulings of one table cross or touch; sorting verticals by x lets each horizontal
    # visit only the verticals within its own extent.
    order = sorted(range(len(vs)), key=lambda k: vs[k].x0)
    xs = [vs[k].x0 for k in order]
    for i, h in enumerate(hs):
        lo = bisect.bisect_left(xs, h.x0 - snap)
        hi = bisect.bisect_right(xs, h.x1 + snap)
        for k in order[lo:hi]:
            v = vs[k]
            if v.y0 - snap <= h.y0 <= v.y1 + snap:
                a, b = find(i), find(len(hs) + k)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for k, v in enumerate(vs):
        groups.setdefault(find(len(hs) + k), ([], []))[1].append(v)
    return sorted(groups.values(), key=lambda g: min((s.y0 for s in g[0] + g[1]), default=0.0))


def rule_position(s: Segment, horizontal: bool) -> tuple[float, float, float]:
    """(coordinate across the rule, start, end along it), as ``GridLines`` takes them."""
    return ((s.y0 + s.y1) / 2, s.x0, s.x1) if horizontal else ((s.x0 + s.x1) / 2, s.y0, s.y1)


class GridLines:
    """Rulings clustered into grid lines, each with the merged intervals it covers."""

    def __init__(self, positions: list[tuple[float, float, float]], snap: float) -> None:
        # positions: (coordinate across the line, start, end along it)
        clusters: list[list[tuple[float, float, float]]] = []
        for p in sorted(positions):
            if clusters and p[0] - clusters[-1][-1][0] <= snap:
                clusters[-1].append(p)
            else:
                clusters.append([p])
        self.at = [sum(p[0] for p in c) / len(c) for c in clusters]
        self.cover: list[list[tuple[float, float]]] = []
        for c in clusters:
            merged: list[tuple[float, float]] = []
            for _, a, b in sorted(c, key=lambda p: p[1]):
                if merged and a <= merged[-1][1] + snap:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], b))
                else:
                    merged.append((a, b))
            self.cover.append(merged)

    def covered(self, line: int, a: float, b: float) -> float:
        """Fraction of [a, b] along ``line`` that rulings cover."""
        return self.length(line, a, b) / (b - a) if b > a else 0.0

    def length(self, line: int, a: float, b: float) -> float:
        """Points of [a, b] along ``line`` that rulings cover."""
        return sum(max(0.0, min(b, y) - max(a, x)) for x, y in self.cover[line])

    def separates(self, line: int, bounds: list[float], k: int) -> bool:
        """Whether ``line`` is drawn along its k-th edge, [bounds[k], bounds[k + 1]]."""
        a, b = bounds[k], bounds[k + 1]
        if self.covered(line, a, b) >= MIN_EDGE_COVER:
            return True
        if self.length(line, a, b) < BROKEN_RULE_POINTS:
            return False
        return any(
            0 <= j < len(bounds) - 1 and self.covered(line, bounds[j], bounds[j + 1]) >= MIN_EDGE_COVER
            for j in (k - 1, k + 1)
        )


def _table(hs: list[Segment], vs: list[Segment], page: int, method: str, snap: float) -> Table | None:
    rows = GridLines([rule_position(s, True) for s in hs], snap)
    cols = GridLines([rule_position(s, False) for s in vs], snap)
    ys, xs = rows.at, cols.at
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1:
        return None

    def wall_right(r: int, c: int) -> bool:  # between slot (r, c) and (r, c + 1)
        return cols.separates(c + 1, ys, r)

    def wall_below(r: int, c: int) -> bool:  # between slot (r, c) and (r + 1, c)
        return rows.separates(r + 1, xs, c)

    taken = [[False] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    for r in range(n_rows):
        for c in range(n_cols):
            if taken[r][c]:
                continue
            c2 = c
            while c2 + 1 < n_cols and not taken[r][c2 + 1] and not wall_right(r, c2):
                c2 += 1
            r2 = r
            while r2 + 1 < n_rows and all(not taken[r2 + 1][k] and not wall_below(r2, k) for k in range(c, c2 + 1)):
                r2 += 1
            for rr in range(r, r2 + 1):
                for cc in range(c, c2 + 1):
                    taken[rr][cc] = True
            box = Box(xs[c], ys[r], xs[c2 + 1], ys[r2 + 1])
            if _enclosed(box, rows, cols, ys, xs, r, r2 + 1, c, c2 + 1):
                cells.append(Cell(row=r, col=c, box=box, page=page, row_span=r2 - r + 1, col_span=c2 - c + 1))
    if not cells:
        return None
    return Table(
        page=page, box=Box(xs[0], ys[0], xs[-1], ys[-1]), n_rows=n_rows, n_cols=n_cols, cells=cells, method=method
    )


def _enclosed(
    box: Box, rows: GridLines, cols: GridLines, ys: list[float], xs: list[float], r0: int, r1: int, c0: int, c1: int
) -> bool:
    """Whether rulings draw most of the cell's outline (slots outside a ragged table are not cells).

    Slots outside a ragged table lie on its edge; inside it, a cell whose top and bottom rules
    a seal mostly erased (the rules between the header cells under it too, so that the
    slots run together into one wide cell) is still a cell when its sides are drawn.
    """
    top, bottom = rows.covered(r0, box.x0, box.x1), rows.covered(r1, box.x0, box.x1)
    left, right = cols.covered(c0, box.y0, box.y1), cols.covered(c1, box.y0, box.y1)
    if (top + bottom) * box.width + (left + right) * box.height >= MIN_EDGE_COVER * 2 * (box.width + box.height):
        return True
    inside = r0 > 0 and c0 > 0 and r1 < len(ys) - 1 and c1 < len(xs) - 1
    return inside and min(left, right) >= MIN_EDGE_COVER and min(top, bottom) >= INNER_EDGE_COVER


class _Locator:
    """Point → cell for one table, by bisecting its grid lines."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.xs = sorted({round(c.box.x0, 3) for c in table.cells} | {round(table.box.x1, 3)})
        self.ys = sorted({round(c.box.y0, 3) for c in table.cells} | {round(table.box.y1, 3)})
        self.slots: dict[tuple[int, int], Cell] = {}
        for cell in table.cells:
            c0 = bisect.bisect_left(self.xs, round(cell.box.x0, 3))
            c1 = bisect.bisect_left(self.xs, round(cell.box.x1, 3))
            r0 = bisect.bisect_left(self.ys, round(cell.box.y0, 3))
            r1 = bisect.bisect_left(self.ys, round(cell.box.y1, 3))
            for r in range(r0, r1):
                for c in range(c0, c1):
                    self.slots[(r, c)] = cell

    def cell_at(self, x: float, y: float) -> Cell | None:
        if not self.table.box.contains_point(x, y):
            return None
        c = bisect.bisect_right(self.xs, x) - 1
        r = bisect.bisect_right(self.ys, y) - 1
        return self.slots.get((r, c))


def fill_cells(tables: list[Table], words: list[Word]) -> tuple[list[Table], list[Word]]:
    """The tables again with each word in the cell holding it, and the words outside every table.

    A text run that crosses a cell border (some producers write a whole table row as one
    run) is cut at the border using its per-character boxes. The given tables are left as
    they are: the filled ones are new.
    """
    locators = [_Locator(t) for t in tables]

    def locate(box: Box) -> Cell | None:
        for loc in locators:
            cell = loc.cell_at(box.cx, box.cy)
            if cell is not None:
                return cell
        return None

    placed: dict[int, list[Word]] = defaultdict(list)  # id(cell) → the words found in it, in reading order
    free: list[Word] = []
    for word in words:
        if word.char_boxes and len(word.char_boxes) == len(word.text) > 1:
            targets = [locate(b) for b in word.char_boxes]
            if any(t is not targets[0] for t in targets):
                for part, target in _split(word, targets):
                    (placed[id(target)] if target is not None else free).append(part)
                continue
        cell = locate(word.box)
        (placed[id(cell)] if cell is not None else free).append(word)
    filled = [replace(t, cells=[_with_words(c, placed.get(id(c))) for c in t.cells]) for t in tables]
    return filled, free


def _with_words(cell: Cell, words: list[Word] | None) -> Cell:
    """``cell`` holding ``words`` after its own; a cell that gets none is itself (cells are
    frozen). Built directly: ``dataclasses.replace`` on every cell cost born-digital
    conversion 4% of its time."""
    if not words:
        return cell
    held = [*cell.words, *words] if cell.words else words
    return Cell(cell.row, cell.col, cell.box, cell.page, cell.row_span, cell.col_span, held)


def _split(word: Word, targets: list[Cell | None]) -> list[tuple[Word, Cell | None]]:
    assert word.char_boxes is not None
    parts = []
    start = 0
    for i in range(1, len(targets) + 1):
        if i == len(targets) or targets[i] is not targets[start]:
            boxes = word.char_boxes[start:i]
            box = boxes[0]
            for b in boxes[1:]:
                box = box.union(b)
            part = replace(
                word,
                text=word.text[start:i],
                box=box,
                char_boxes=boxes,
                glyph_ids=word.glyph_ids[start:i] if word.glyph_ids else None,
                orig=_cut(word.orig, len(word.text), start, i),
            )
            parts.append((part, targets[start]))
            start = i
    return parts


def _cut(orig: str | None, length: int, start: int, end: int) -> str | None:
    """The part of a repaired word's source text behind characters ``start:end`` of its text
    (repairs change characters one for one; a source of another length is kept whole)."""
    if orig is None or len(orig) != length:
        return orig
    return orig[start:end]
