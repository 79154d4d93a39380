"""Column extents of a section's header and the cells of later rows placed under them.

A header fixes where its columns stand; rows below (also on later pages, where a table's
borders shift a little) are placed by the best fit of their cell borders to those columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from ocrform.form.items import Row
from ocrform.model import Cell

LEVELS = ("level1", "level2")
SAME_COLUMN = 0.8
# Points beyond which a cell border counts as meeting no column border at all.
MAX_MISFIT = 10.0


@dataclass
class Column:
    role: str
    x0: float
    x1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Columns:
    """A section's columns as its header row printed them, in the frame of the header's table."""

    columns: list[Column]
    frame: tuple[float, float]
    placed: dict[tuple[tuple[float, float], tuple[float, ...]], list[Column]] = field(default_factory=dict)
    # Unread header cells outnumbering the roles missing between two read ones, named once
    # a body row shows which of them are one column.
    pending: list[tuple[list[Cell], list[str]]] = field(default_factory=list)
    # Header cells that print two labels run together (a rule between them lost), placed
    # half and half until a body row shows where each column lies.
    merged: list[tuple[Cell, list[str]]] = field(default_factory=list)

    def settle(self, rows: Sequence[Row]) -> None:
        """Name the pending header cells by the body rows below them.

        A seal's ring across a header cell reads as a rule there and cuts the cell in two;
        the body's cells, below the seal's reach or past it, show the columns' true borders.
        Header cells under one body cell are one column, and a header cell whose body cell
        reaches a read column is part of that one; body cells under one merged header cell
        are its columns. The first body row that accounts for every role missing decides:
        the ring cuts the body rows it crosses too.
        """
        rows = [r for r in rows if r.frame == self.frame]
        if not (self.pending or self.merged) or not rows:
            return
        columns = self.columns
        for cell, roles in self.merged:
            for row in rows:
                below = sorted(
                    (c for c in row.covering if cell.box.x0 - 1.0 <= c.box.cx <= cell.box.x1 + 1.0),
                    key=lambda c: c.box.x0,
                )
                if len(below) == len(roles):
                    columns = [c for c in columns if not (c.role in roles and cell.box.x0 <= c.cx <= cell.box.x1)]
                    columns += [Column(role, c.box.x0, c.box.x1) for role, c in zip(roles, below, strict=True)]
                    break
        self.merged = []
        added = []
        for cells, missing in self.pending:
            for row in rows:
                groups = header_groups(cells, row, columns)
                if len(groups) == len(missing):
                    added += [Column(role, g[0].box.x0, g[-1].box.x1) for role, g in zip(missing, groups)]
                    break
        self.pending = []
        self.columns = own_weights(columns + added)

    def at(self, row: Row) -> list[Column]:
        """The columns placed on another row's table.

        A table continued on the next page sits a few points off and, scanned, a little scaled;
        it may also lack the tall label column on the left. Of the placements that keep the
        header's own coordinates, align a frame edge, or stretch onto both edges, the one whose
        column borders best meet the table's cell borders wins.
        """
        if row.frame == self.frame:
            return self.columns
        key = (row.frame, row.edges)
        if key not in self.placed:
            self.placed[key] = self._place(row.frame, row.edges)
        return self.placed[key]

    def _place(self, frame: tuple[float, float], edges: tuple[float, ...]) -> list[Column]:
        (h0, h1), (t0, t1) = self.frame, frame
        candidates = [(0.0, 1.0), (t0 - h0, 1.0), (t1 - h1, 1.0)]
        if h1 > h0:
            scale = (t1 - t0) / (h1 - h0)
            candidates.append((t0 - h0 * scale, scale))
        borders = [x for c in self.columns for x in (c.x0, c.x1)]

        def misfit(shift: float, scale: float) -> float:
            placed = [x * scale + shift for x in borders]
            return sum(min(MAX_MISFIT, min(abs(e - x) for x in placed)) for e in edges)

        shift, scale = min(candidates, key=lambda c: misfit(*c))
        return [Column(c.role, c.x0 * scale + shift, c.x1 * scale + shift) for c in self.columns]


def header_groups(cells: list[Cell], row: Row, columns: list[Column]) -> list[list[Cell]]:
    """Header cells in runs that stand over one body cell each, leaving out those whose body
    cell also lies under a read column."""
    groups: list[list[Cell]] = []
    owner = None
    for cell in cells:
        below = next((c for c in row.covering if c.box.x0 - 1.0 <= cell.box.cx <= c.box.x1 + 1.0), None)
        if below is not None and any(below.box.x0 < col.cx < below.box.x1 for col in columns):
            continue
        if below is None or below is not owner or not groups:
            groups.append([])
        owner = below
        groups[-1].append(cell)
    return groups


def unread_between(
    columns: list[Column], unread: list[Cell], order: list[str]
) -> tuple[list[Column], list[tuple[list[Cell], list[str]]], list[tuple[Cell, list[str]]]]:
    """Header cells no label matched (a seal over them, a bad scan), named by position.

    Layouts print their columns in one order (models/labels.json lists each group's roles
    in it). Between two read headers, or before the first, as many unread cells as there
    are roles missing there can only be those roles, in that order. More unread cells than
    missing roles are returned as pending, and one unread cell where several roles are
    missing (the rules between them lost too) as merged, for the body to settle
    (``Columns.settle``); other counts are left alone.
    """
    rank = {role: k for k, role in enumerate(order)}
    known = sorted((c for c in columns if c.role in rank), key=lambda c: c.x0)
    used = {c.role for c in columns}
    named = []
    pending = []
    merged = []
    for left, right in itertools.pairwise(known):
        inside = [c for c in unread if left.x1 - 1.0 <= c.box.x0 and c.box.x1 <= right.x0 + 1.0]
        between = sorted(inside, key=lambda c: c.box.x0)
        missing = [r for r in order[rank[left.role] + 1 : rank[right.role]] if r not in used]
        if between and len(between) == len(missing):
            named += [Column(role, c.box.x0, c.box.x1) for role, c in zip(missing, between)]
        elif missing and len(between) > len(missing):
            pending.append((between, missing))
        elif len(between) == 1 and len(missing) > 1:
            merged.append((between[0], missing))
    if known:
        # Before the first read header, and after the last, the frame bounds the row: the
        # roles the order puts first (last), when as many unread cells stand there.
        first, last = known[0], known[-1]
        before = sorted((c for c in unread if c.box.x1 <= first.x0 + 1.0), key=lambda c: c.box.x0)
        after = sorted((c for c in unread if c.box.x0 >= last.x1 - 1.0), key=lambda c: c.box.x0)
        for cells, missing in (
            (before, [r for r in order[: rank[first.role]] if r not in used]),
            (after, [r for r in order[rank[last.role] + 1 :] if r not in used]),
        ):
            if cells and len(cells) == len(missing):
                named += [Column(role, c.box.x0, c.box.x1) for role, c in zip(missing, cells)]
    return named, pending, merged


def own_weights(columns: list[Column], unread: Sequence[Cell] = ()) -> list[Column]:
    """A 分值 column right of a 一级/二级 column is that level's weight, not the row's.

    Scoring tables print 一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | …; the row's weight
    is the one that follows its own (三级) name. Unread header cells still stand between
    columns: a 分值 past them does not follow the level before them.
    """
    placed = sorted([*columns, *(Column("", c.box.x0, c.box.x1) for c in unread)], key=lambda c: c.x0)
    out = []
    for n, col in enumerate(placed):
        left = placed[n - 1].role if n else None
        if col.role == "weight" and left in LEVELS:
            col = Column(f"{left}_weight", col.x0, col.x1)
        if col.role:
            out.append(col)
    return out


def same_column(a: Cell, b: Cell) -> bool:
    return a.box.x_overlap(b.box) >= SAME_COLUMN * max(a.box.width, b.box.width)


def assign(cells: list[Cell], columns: list[Column]) -> dict[str, Cell]:
    """Cells by the column they stand in: a cell belongs to the one column whose centre it covers.

    A cell covering the centres of several columns (a section row, the 总分 label) is no value.
    """
    out: dict[str, Cell] = {}
    for cell in cells:
        hits = [c for c in columns if cell.box.x0 < c.cx < cell.box.x1]
        if len(hits) == 1 and hits[0].role not in out:
            out[hits[0].role] = cell
    return out
