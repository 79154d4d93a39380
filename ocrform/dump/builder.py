"""The synthetic table a dump's rows are written into, and what is kept of each table written
(where its header and rows are) for parts a dump printed apart from it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ocrform.dump.lines import FRAME_WIDTH, LINE_HEIGHT, ORIGIN
from ocrform.model import Box, Cell, Page, PageContent, Table, Word

# A resumed indicator row stands this far below the row before it in its table.
RESUMED_ROW_STEP = 0.01


@dataclass
class RowFacts:
    """What the parts printed apart are matched against, per indicator row written."""

    level2: str | None  # canonical 二级
    printed: bool  # the 二级 was printed for this row (not carried down from the row above)
    weight: float | None
    score: float | None
    name: str

    @property
    def lost_points(self) -> bool:
        return self.weight is not None and self.score is not None and self.score < self.weight


@dataclass
class TableRef:
    """A table already written: where its header and rows are, and its columns."""

    builder: PageBuilder
    header: int
    columns: list[tuple[str, float, float]]
    rows: list[int] = field(default_factory=list)
    # Per indicator row: (二级 canonical, whether printed on that row, weight, score).
    levels: list[RowFacts] = field(default_factory=list)
    closed: bool = False  # its 总分 row was read
    reason_label: list[Word] | None = None  # 偏差原因分析及改进措施, printed apart
    reasoned: set[int] = field(default_factory=set)  # rows given a reason printed apart


@dataclass
class PageBuilder:
    page: int
    rows: list[list[Cell]] = field(default_factory=list)
    free_words: list[Word] = field(default_factory=list)

    def row(
        self,
        cells: list[tuple[float, float, list[Word]]],
        shared: int = 0,
        at: list[Word] | None = None,
        y: float | None = None,
    ) -> int | None:
        """One table row: (x0, x1, words) per cell; the row spans the lines its words are on.

        The first ``shared`` cells repeat tall labels printed above (一级/二级指标): they do not
        move the row up to where those labels stand; nor do cells other than ``at``'s words.
        A row that belongs elsewhere than its words stand (``y``) is a thin row there.
        """
        ys = [w.box.y0 for w in at or []]
        ys = ys or [w.box.y0 for _, _, ws in cells[shared:] for w in ws] or [w.box.y0 for _, _, ws in cells for w in ws]
        if not ys:
            return None
        y0, y1 = (min(ys), max(ys) + LINE_HEIGHT) if y is None else (y, y + RESUMED_ROW_STEP)
        n = len(self.rows)
        self.rows.append(
            [
                Cell(row=n, col=c, box=Box(x0, y0, x1, y1), page=self.page, words=ws)
                for c, (x0, x1, ws) in enumerate(cells)
            ]
        )
        return n

    def add_cell(self, n: int, x: tuple[float, float], words: list[Word]) -> None:
        """A cell printed apart from row ``n`` (a dump put it elsewhere), at column ``x``."""
        row = self.rows[n]
        y0, y1 = min(c.box.y0 for c in row), max(c.box.y1 for c in row)
        row.append(Cell(row=n, col=len(row), box=Box(x[0], y0, x[1], y1), page=self.page, words=words))

    def set_cell(self, n: int, x: tuple[float, float], words: list[Word]) -> None:
        """Row ``n``'s cell at column ``x`` now holds ``words`` (a level printed apart)."""
        row = self.rows[n]
        for k, c in enumerate(row):
            if abs(c.box.x0 - x[0]) < 0.5:
                row[k] = replace(c, words=words)
                return
        self.add_cell(n, x, words)

    def move_columns(self, rows: list[int], moves: dict[float, tuple[float, float]]) -> None:
        """Cells of ``rows`` whose column starts at a key of ``moves`` take that column's new place."""
        for n in rows:
            out = []
            for c in self.rows[n]:
                new = moves.get(round(c.box.x0, 3))
                out.append(c if new is None else replace(c, box=Box(new[0], c.box.y0, new[1], c.box.y1)))
            self.rows[n] = out

    def content(self, page: Page) -> PageContent:
        tables = []
        cells = [c for r in self.rows for c in r]
        if cells:
            box = Box(0.0, min(c.box.y0 for c in cells), FRAME_WIDTH, max(c.box.y1 for c in cells))
            n_cols = max(len(r) for r in self.rows)
            tables.append(Table(self.page, box, len(self.rows), n_cols, cells, method=ORIGIN))
        return PageContent(page=page, tables=tables, free_words=self.free_words)
