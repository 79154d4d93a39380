"""Plain-text dumps of forms (pdftotext and the like) → the pages the grid stage would give.

A dump has no geometry, so it gets a pseudo one: line ``n`` of a page is a row at
``y = n * LINE_HEIGHT`` and a token's x is its character offset times ``CHAR_WIDTH``, which
keeps every value traceable to its line and column in the file. Table rows are rebuilt from
the token structure: a line whose tokens name two or more columns of one header group
(models/labels.json) is a header and fixes that section's columns; the lines after it are
read as that section's rows (fund rows, goal paragraphs, indicator rows with their level
labels and wrapped names); labels printed one character per line (绩/效/指/标) or wrapped
(项目资金/（元）) are joined and read as one tall label cell. Cells get boxes on a synthetic
column grid, so ``ocrform.form.mapping.map_cells_to_form`` reads them like any table.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ocrform.dictionary import word_frequencies
from ocrform.errors import InputError
from ocrform.form.labels import MAX_LABEL_CHARS, LabelMatch, Vocabulary, label_key, vocabulary
from ocrform.form.numbers import parse_number
from ocrform.model import Box, Cell, Page, PageContent, Table, Word
from ocrform.text import normalize

ORIGIN = "text-dump"
LINE_HEIGHT = 12.0
CHAR_WIDTH = 6.0
# The synthetic table: a narrow column for tall section labels, the rest split among columns.
FRAME_WIDTH = 1000.0
LABEL_WIDTH = 60.0
# A label printed one character per line, or wrapped, spans this many short lines at most.
MAX_LABEL_LINES = 8
MAX_LABEL_LINE_CHARS = 6
# Share of text lines followed by a blank line above which a dump is double-spaced
# (measured: pdftotext's raw order in seed 001, 89%; other dumps at most 75%, see _double_spaced).
DOUBLE_SPACED_SHARE = 0.85
# A level label (服务对象满意度指标, the longest, 9 characters) on a line of its own.
MAX_LEVEL_CHARS = 10
# A free line this long is prose (a goal's text), not a label.
PROSE_CHARS = 12
# Two columns' texts in one block differ in wrap width by this many display units at least
# (seed 001: 2-8; the same column's lines vary by 1-2 with punctuation, so a split must also
# make the lines fit their widths better, by SPLIT_GAIN_PER_LINE units a line).
MIN_COLUMN_WIDTH_CHANGE = 2
SPLIT_GAIN_PER_LINE = 0.5
# A line at least this share of its column's widest is full, not a paragraph's end.
FULL_LINE_SHARE = 0.8
# A row's wrapped texts are parted over at most this many lines (the search is combinatorial).
MAX_PARTITION_LINES = 16
# A word runs on over a line break when jieba counts it at least this often (建设: 24658).
RUN_ON_WORD_FREQUENCY = 50
# A resumed indicator row stands this far below the row before it in its table.
RESUMED_ROW_STEP = 0.01
# A line that opens a deviation reason printed apart has this many characters at least (a
# column's wrapped line; seed 001's narrowest, 因业务特殊性，部分, has 9).
MIN_REASON_CHARS = 6
# Each line of a field label wrapped around its value (实施 / … / 单位) is this short.
MAX_WRAPPED_LABEL_PART = 3
# A header names at least this many columns of one group.
MIN_HEADER_ROLES = 2
# A wrapped column label's tail on a line of its own: A）, (B), B/A）.
MAX_TAIL_CHARS = 5
_SECTION_OF_GROUP = {
    "indicator_columns": "indicators",
    "fund_columns": "funds",
    "goal_columns": "goals",
    "rubric_columns": "rubric",
}
_HEADER_GROUPS = tuple(_SECTION_OF_GROUP)
# Fields printed side by side on one row of every layout (主管部门 | … | 实施单位 | …).
_ROW_PARTNERS = {"department", "implementer"}
_TOKEN = re.compile(r"\S+")
_PLACEHOLDER = re.compile(r"[-‐‑‒–—―－─/／]+")
_BRACKETED_ONLY = re.compile(r"[(（][^()（）]*[)）]")
_COLON = re.compile(r"[:：]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass
class _Line:
    index: int  # line number on its page
    text: str
    words: list[Word]

    @property
    def norm(self) -> str:
        return normalize(self.text)


@dataclass
class _RowFacts:
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
class _TableRef:
    """A table already written: where its header and rows are, and its columns."""

    builder: _PageBuilder
    header: int
    columns: list[tuple[str, float, float]]
    rows: list[int] = field(default_factory=list)
    # Per indicator row: (二级 canonical, whether printed on that row, weight, score).
    levels: list[_RowFacts] = field(default_factory=list)
    closed: bool = False  # its 总分 row was read
    reason_label: list[Word] | None = None  # 偏差原因分析及改进措施, printed apart
    reasoned: set[int] = field(default_factory=set)  # rows given a reason printed apart


@dataclass
class _PageBuilder:
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


def read_text_dump(path: Path) -> list[PageContent]:
    """The pages of a text dump (pages split at form feeds) as words, tables and free words."""
    return read_text(decode_text_dump(path))


def decode_text_dump(path: Path) -> str:
    """The dump's text, from UTF-8 (with or without BOM) or GB18030, the encodings such dumps come in."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputError(path, "not UTF-8 or GB18030 text") from exc
    return text


def read_text(text: str) -> list[PageContent]:
    """``read_text_dump`` on text already in memory."""
    parser = _Parser(vocabulary())
    out = []
    double_spaced = _double_spaced(text.splitlines())
    for index, page_text in enumerate(text.split("\f")):
        raw = page_text.splitlines()
        spacing = _spacing_blanks(raw) if double_spaced else set()
        lines = [_line(n, s, index) for n, s in enumerate(raw) if n not in spacing]
        if not any(ln.norm for ln in lines) and index > 0:
            continue
        page = Page(
            index=index,
            width=FRAME_WIDTH,
            height=max(len(lines), 1) * LINE_HEIGHT,
            words=[w for ln in lines for w in ln.words],
            kind="text",
        )
        builder = _PageBuilder(index)
        parser.run(builder, lines)
        out.append(builder.content(page))
    waiting = [w for block in parser.pending for w in block]
    if out and waiting:
        # Texts still waiting for a row's numbers when the dump ends are free words, not lost.
        out[-1] = replace(out[-1], free_words=[*out[-1].free_words, *waiting])
    return out


def _double_spaced(lines: list[str]) -> bool:
    """Whether a blank line follows nearly every text line, so that a lone one says nothing.

    pdftotext without -layout writes one after 89% of seed 001's lines; dumps whose blank
    lines separate rows have them after 55-75% (seed 000, 59%; the cell-order dumps of every
    generated layout, at most 75%).
    """
    content = [n for n, s in enumerate(lines) if s.strip()]
    followed = [n for n in content if n + 1 < len(lines) and not lines[n + 1].strip()]
    return bool(content) and len(followed) >= DOUBLE_SPACED_SHARE * len(content)


def _spacing_blanks(lines: list[str]) -> set[int]:
    """The lone blank lines of a double-spaced page (longer blank runs still separate)."""
    return {
        n
        for n, s in enumerate(lines)
        if not s.strip() and 0 < n < len(lines) - 1 and lines[n - 1].strip() and lines[n + 1].strip()
    }


def _line(n: int, text: str, page: int) -> _Line:
    """A line's tokens as words; runs of single CJK characters (资 金 来 源, 总    分) are one word."""
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        single = len(m.group()) == 1 and _CJK.match(m.group())
        if single and spans and _single_cjk_run(text, spans[-1]):
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    words = [_word(text, a, b, n, page) for a, b in spans]
    return _Line(n, text, words)


def _single_cjk_run(text: str, span: tuple[int, int]) -> bool:
    return all(len(t) == 1 and _CJK.match(t) for t in text[span[0] : span[1]].split())


def _word(text: str, a: int, b: int, n: int, page: int) -> Word:
    """The token ``text[a:b]`` on line ``n``; the inner spaces of a joined label are dropped."""
    y0 = n * LINE_HEIGHT
    y1 = y0 + LINE_HEIGHT * 0.8
    xs = [a + k for k, ch in enumerate(text[a:b]) if not ch.isspace()]
    return Word(
        text="".join(text[x] for x in xs),
        box=Box(xs[0] * CHAR_WIDTH, y0, (xs[-1] + 1) * CHAR_WIDTH, y1),
        page=page,
        origin=ORIGIN,
        char_boxes=tuple(Box(x * CHAR_WIDTH, y0, (x + 1) * CHAR_WIDTH, y1) for x in xs),
    )


def _is_value(word: Word) -> bool:
    """A number or a printed dash: what fills a numeric column."""
    s = normalize(word.text)
    return bool(_PLACEHOLDER.fullmatch(s)) or (parse_number(s) is not None and not _CJK.search(s.rstrip("分元%")))


_TEXT_ROLES = ("name", "target", "actual")


def _texts_before_values(words: list[Word]) -> int | None:
    """How many words stand before a row's closing 分值 得分 pair; None when the line has none."""
    for k in range(len(words) - 2, -1, -1):
        if _is_value(words[k]) and _is_value(words[k + 1]) and parse_number(normalize(words[k].text)) is not None:
            return k
    return None


def _inline_pair(text: str) -> bool:
    """``label：value`` on one line (a colon inside brackets, as in （单位：元）, does not count)."""
    parts = _COLON.split(_BRACKETED_ONLY.sub("", text), maxsplit=1)
    return len(parts) == 2 and bool(parts[1])


def _is_label(vocab: Vocabulary, text: str) -> bool:
    return vocab.match(text, "fields", "sections", "ignore") is not None


class _Parser:
    """Walks the lines page after page and writes free lines and table rows into each page's builder.

    The section and its columns carry over a page break: a table goes on on the next page.
    """

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.out = _PageBuilder(0)
        self.lines: list[_Line] = []
        self.pos = 0
        self.section: str | None = None
        self.columns: list[tuple[str, float, float]] = []
        self.tall: list[Word] | None = None  # a tall label waiting for the row it starts
        self.tall_role: str | None = None  # the section it names
        self.level1: list[Word] = []
        self.level2: list[Word] = []
        # Texts of a row whose values come later (a wrapped name, a target): a line of several words
        # holds one single-line cell per word; consecutive one-word lines are one wrapped cell.
        self.pending: list[list[Word]] = []
        self.glue = False  # whether the next one-word line goes on with the last pending text
        self.level_fresh = False  # a 二级 label was read and no row since
        self.goal_blocks: list[list[Word]] = []
        # A column label wrapped onto lines above its header line (一级指 / 标): (words, role).
        self.head_prefix: tuple[list[Word], str] | None = None
        self.open_field: list[Word] | None = None  # the label of a text that reached the page's end
        # The fund row being read: its cells, and the value columns its numbers have not reached yet.
        self.fund: tuple[list[tuple[float, float, list[Word]]], list[tuple[str, float, float]]] | None = None
        self.resuming = False  # indicator rows go on after other parts (_resumed_indicators)
        self.reason_context: str | None = None  # the level label printed apart last (_reason_texts)
        # Field labels printed with no value after them: (role, label words); see _field_row.
        self.orphans: list[tuple[str, list[Word]]] = []
        # Free lines of prose since the last row, and those just before a goals header with
        # no text under it (a dump printed the goals' text first): see _close_goals.
        self.prose: tuple[int, list[Word]] = (0, [])
        self.loose: tuple[int, list[_Line]] = (0, [])  # short free lines since row n
        self.prose_before_goals: list[Word] = []
        self.goals_header: list[Word] = []
        # The last table of each section, for what a dump printed apart from it (see _apart).
        self.tables: dict[str, _TableRef] = {}

    # -- driving -------------------------------------------------------------------------------
    def run(self, builder: _PageBuilder, lines: list[_Line]) -> None:
        self.out, self.lines, self.pos = builder, lines, 0
        if self.open_field is not None:
            self._continued_paragraph(self.open_field)
            self.open_field = None
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if not line.norm:
                self._blank()
                self.pos += 1
                continue
            if self._apart():
                continue
            if self._label_around_value():
                continue
            if self._label_run():
                self._flush_fund()
                continue
            self.pos += 1
            self._content(line)
        self._flush_fund()
        self._close_goals()
        for _, label in self.orphans:
            self.out.free_words.extend(label)
        self.orphans = []

    def _blank(self) -> None:
        if self.section == "goals" and self.goal_blocks and self.goal_blocks[-1]:
            self.goal_blocks.append([])
        self.glue = False

    def _content(self, line: _Line) -> None:
        if self.fund is not None and self.section == "funds" and self._fund_continues(line):
            return
        self._flush_fund()
        if self._column_apart(line):
            return
        if self.vocab.is_title(line.text) and len(line.words) <= 2:
            # A title line ends whatever was being read (a dump may print it mid-table).
            self._close_goals()
            self.out.free_words.extend(w for b in self.pending for w in b)
            self._drop_pending()
            self.out.free_words.extend(line.words)
            self.section, self.resuming = None, False
            return
        header = self._header(line)
        if header is None and self._resumed_indicators(line):
            return
        if header is not None:
            self._close_goals()
            self._header_row(line, header)
            return
        if self._field_row(line):
            return
        if self.section == "funds" and self._fund_row(line):
            return
        if self.section == "goals" and _texts_before_values(line.words) is None and not _is_value(line.words[0]):
            # (A goal's text is prose: a line that is or ends in numbers ends it.)
            if _COLON.search(line.norm[:8]):
                self._close_goals()
                self.out.free_words.extend(line.words)
                return
            if not self.goal_blocks:
                self.goal_blocks.append([])
            self.goal_blocks[-1].extend(line.words)
            return
        if self.section in ("indicators", "rubric") and self._indicator_line(line):
            return
        self._close_goals()
        self.out.free_words.extend(w for b in self.pending for w in b)
        self._drop_pending()
        self.out.free_words.extend(line.words)
        mark, loose = self.loose
        loose = loose if mark == len(self.out.rows) else []
        if len(line.norm) <= MAX_LABEL_LINE_CHARS * 2 and len(line.words) == 1:
            self.loose = (len(self.out.rows), [*loose, line])
        else:
            self.loose = (len(self.out.rows), [])
        mark, prose = self.prose
        if mark != len(self.out.rows):
            prose = []
        if prose or len(line.norm) >= PROSE_CHARS:  # prose starts with a long line
            prose = [*prose, *line.words]
        self.prose = (len(self.out.rows), prose)

    # -- labels --------------------------------------------------------------------------------
    def _label_run(self) -> bool:
        """A section or field label printed over several short lines (or one, when tall)."""
        run: list[_Line] = []
        for line in self.lines[self.pos : self.pos + MAX_LABEL_LINES]:
            if (
                not line.norm
                or _inline_pair(line.norm)
                or len(line.words) != 1
                or sum(len(ln.norm) for ln in run) + len(line.norm) > MAX_LABEL_CHARS
            ):
                break
            run.append(line)
        first = self.lines[self.pos]
        if not run and len(first.words) == 1 and not self._in_levels() and self.vocab.match(first.text, "sections"):
            # A section label on one line of its own: 二、项目资金情况（单位：元）.
            run = [first]
        best = 0
        found: LabelMatch | None = None
        for k in range(1, len(run) + 1):
            joined = "".join(ln.norm for ln in run[:k])
            if k == 1 and _BRACKETED_ONLY.fullmatch(joined):
                break
            m = self.vocab.match(joined, "sections", "fields")
            if m is not None and m.role != "total":
                best, found = k, m
        if found is None and len(run) > 1:
            return self._header_prefix(run)
        if found is None or (best == 1 and len(run[0].norm) < 3):
            return False
        joined = "".join(ln.norm for ln in run[:best])
        if found.group == "sections" and found.distance > 0 and self._is_level(joined):
            return False  # 时效指标 is a level, not a misprinted 绩效指标
        if self.section in ("indicators", "rubric") and self._is_level("".join(ln.norm for ln in run[:best])):
            return False
        # A bracketed tail on the next line belongs to the label: 项目资金 / （元）.
        while best < len(run) and _BRACKETED_ONLY.fullmatch(run[best].norm):
            best += 1
        words = [w for ln in run[:best] for w in ln.words]
        self.pos += best
        self._close_goals()
        if found.group == "fields":
            self._labelled_paragraph(words, found.role)
        else:
            self._emit_tall()
            self.section = found.role
            self.tall, self.tall_role = words, found.role
        return True

    def _emit_tall(self) -> None:
        """A tall label no row took, as a row of its own: its section and unit still count."""
        if self.tall:
            self.out.row([(0.0, LABEL_WIDTH, self.tall)])
        self.tall = None

    def _label_around_value(self) -> bool:
        """A field label wrapped around its value: 实施 / 淮南市人民政府办公室 / 单位 (a cell
        whose label column wraps and whose value is centred between the label's lines)."""
        lines = self.lines[self.pos : self.pos + 3]
        if len(lines) < 3 or any(len(ln.words) != 1 for ln in lines):
            return False
        head, value, tail = lines
        if max(len(head.norm), len(tail.norm)) > MAX_WRAPPED_LABEL_PART or _is_label(self.vocab, value.text):
            return False
        m = self.vocab.match(head.norm + tail.norm, "fields")
        if m is None or m.distance > 0 or _is_value(value.words[0]):
            return False
        label = [*head.words, *tail.words]
        self.out.row([(0.0, LABEL_WIDTH, label), (LABEL_WIDTH, FRAME_WIDTH, value.words)], at=value.words)
        self.pos += 3
        return True

    def _in_levels(self) -> bool:
        return self.section in ("indicators", "rubric") and bool(self.level1 or self.level2)

    def _header_prefix(self, run: list[_Line]) -> bool:
        """A column label wrapped over short lines just above the header line it belongs to."""
        joined = "".join(ln.norm for ln in run)
        after = self.pos + len(run)
        while after < len(self.lines) and not self.lines[after].norm:
            after += 1
        if after >= len(self.lines):
            return False
        header = self._header(self.lines[after])
        if header is None:
            return False
        m = self.vocab.match_each_group(joined).get(header[0])
        if m is None or m.role in header[1]:
            return False
        self.head_prefix = ([w for ln in run for w in ln.words], m.role)
        self.pos += len(run)
        return True

    def _labelled_paragraph(self, label: list[Word], role: str) -> None:
        """A tall field label (自评结论) and the text beside it, up to the next blank line or label.

        A label with nothing after it waits for a line that prints its value with another's
        (``主管部门 甲单位 甲单位``: pdftotext drew 实施单位 first and its value there).
        """
        value = self._paragraph()
        if not value:
            self.orphans.append((role, label))
            return
        self.section = None
        # Cut by a page break: the next page may go on with the text (and a clipped label).
        self.open_field = label if all(not ln.norm for ln in self.lines[self.pos :]) else None
        self.out.row([(0.0, LABEL_WIDTH, label), (LABEL_WIDTH, FRAME_WIDTH, value)])

    def _paragraph(self) -> list[Word]:
        value: list[Word] = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if not line.norm:
                if value:
                    break
                self.pos += 1
                continue
            if _COLON.search(line.norm[:8]) and self.vocab.label_before_colon(
                _COLON.split(line.norm, 1)[0], "fields", "ignore"
            ):
                break
            if self._header(line) is not None:
                break  # the label stood alone (its value printed elsewhere): a table follows
            value.extend(line.words)
            self.pos += 1
        return value

    def _continued_paragraph(self, label: list[Word]) -> None:
        """The rest of a labelled text at the top of the next page, after what is left of its label."""
        name = normalize("".join(w.text for w in label))
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.norm and (len(line.words) != 1 or line.norm not in name):
                break
            self.pos += 1
        if self.pos < len(self.lines) and (
            self._header(self.lines[self.pos])
            or self._is_any_label(self.pos)
            or self.vocab.is_title(self.lines[self.pos].text)
        ):
            return
        value = self._paragraph()
        if value:
            self.out.row([(LABEL_WIDTH, FRAME_WIDTH, value)])

    def _is_any_label(self, pos: int) -> bool:
        line = self.lines[pos]
        return (len(line.words) == 1 and _is_label(self.vocab, line.text)) or _inline_pair(line.norm)

    # -- headers -------------------------------------------------------------------------------
    def _header(self, line: _Line) -> tuple[str, list[str | None]] | None:
        best: tuple[int, str, list[str | None]] | None = None
        for group in _HEADER_GROUPS:
            roles = [m.role if (m := self.vocab.match_each_group(w.text).get(group)) else None for w in line.words]
            n = len({r for r in roles if r is not None})
            # A header whose next cell wrapped prints its labels on lines of their own.
            if n == 1 and len(roles) == 1 and self._next_header_line(group, label=True) is not None:
                n = MIN_HEADER_ROLES
            if n >= MIN_HEADER_ROLES and (best is None or n > best[0]):
                best = (n, group, roles)
        return None if best is None else (best[1], best[2])

    def _next_header_line(self, group: str, label: bool) -> int | None:
        """The position of the next non-blank line when it goes on with a header of ``group``:
        column labels and wrapped labels' tails (A）), with a label among them if ``label``."""
        pos = self.pos
        while pos < len(self.lines) and not self.lines[pos].norm:
            pos += 1
        if pos >= len(self.lines):
            return None
        words = self.lines[pos].words
        found = [self.vocab.match_each_group(w.text).get(group) for w in words]
        tails = [not _CJK.search(w.text) and len(w.text) <= MAX_TAIL_CHARS and not _is_value(w) for w in words]
        if not all(m is not None or t for m, t in zip(found, tails, strict=True)):
            return None
        if label and not any(found):
            return None
        return pos

    def _header_row(self, line: _Line, header: tuple[str, list[str | None]]) -> None:
        group, roles = header
        section = _SECTION_OF_GROUP[group]
        heads = [[w] for w in line.words]
        self._header_continues(group, heads, roles)
        if self.head_prefix is not None:
            heads.insert(0, self.head_prefix[0])
            roles.insert(0, self.head_prefix[1])
            self.head_prefix = None
        if group == "fund_columns" and roles[0] is None and _BRACKETED_ONLY.fullmatch(normalize(line.words[0].text)):
            roles[0] = "item"  # the item column's header states the unit: （元）
        if group == "fund_columns" and "item" not in roles:
            # The item column's header cell is often blank; its rows still print the item first.
            heads.insert(0, [])
            roles.insert(0, "item")
        width = (FRAME_WIDTH - LABEL_WIDTH) / len(heads)
        self.columns = [
            (role or "", LABEL_WIDTH + k * width, LABEL_WIDTH + (k + 1) * width) for k, role in enumerate(roles)
        ]
        cells = [(x0, x1, ws) for (_, x0, x1), ws in zip(self.columns, heads, strict=True)]
        if self.tall and self.tall_role not in (None, section, "other"):
            self._emit_tall()  # a label of another part, printed apart from its table
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            self.tall = None
        n = self.out.row(cells)
        self.resuming, self.reason_context = False, None
        if n is not None:
            self.tables[section] = _TableRef(self.out, n, list(self.columns))
        self.section = section
        self.level1, self.level2 = [], []
        self._drop_pending()
        self.goal_blocks = []
        mark, prose = self.prose
        self.prose_before_goals = prose if section == "goals" and mark == len(self.out.rows) - 1 else []
        if section == "goals":
            self.goals_header = line.words

    def _header_continues(self, group: str, heads: list[list[Word]], roles: list[str | None]) -> None:
        """Header cells printed over further lines: more column labels, or a wrapped label's tail (A）)."""
        while True:
            pos = self._next_header_line(group, label=False)
            if pos is None:
                return
            words = self.lines[pos].words
            found = [self.vocab.match_each_group(w.text).get(group) for w in words]
            for w, m in zip(words, found, strict=True):
                if m is None:
                    heads[-1].append(w)
                else:
                    heads.append([w])
                    roles.append(m.role)
            self.pos = pos + 1

    def _column(self, role: str) -> tuple[float, float] | None:
        return next(((x0, x1) for r, x0, x1 in self.columns if r == role), None)

    # -- field rows ----------------------------------------------------------------------------
    def _field_row(self, line: _Line) -> bool:
        """``项目名称 value`` or ``主管部门 value 实施单位 value``: labels and values side by side."""
        labels = [self.vocab.match(w.text, "fields") for w in line.words]
        if labels[0] is None or _COLON.search(line.words[0].text):
            return False
        groups: list[list[Word]] = []
        for w, m in zip(line.words, labels, strict=True):
            if m is not None or not groups:
                groups.append([w])
                groups.append([])
            else:
                groups[-1].append(w)
        role = labels[0].role if labels[0] else None
        orphan = next((o for o in self.orphans if {o[0], role} == _ROW_PARTNERS), None)
        if (
            len(groups) == 2
            and len(groups[1]) == 2
            and orphan is not None
            and not _BRACKETED_ONLY.fullmatch(normalize(groups[1][1].text))
        ):
            # Two names after 主管部门, its partner 实施单位 printed alone earlier (pdftotext
            # drew that label first): the second name is the partner's.
            self.orphans.remove(orphan)
            groups = [groups[0], groups[1][:1], orphan[1], groups[1][1:]]
        width = FRAME_WIDTH / len(groups)
        cells = [(k * width, (k + 1) * width, ws) for k, ws in enumerate(groups)]
        if self.tall and self.tall_role in _SECTION_OF_GROUP.values():
            self._emit_tall()  # 项目资金（元）printed apart: no label of the fields beside it
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            cells[1] = (LABEL_WIDTH, cells[1][1], cells[1][2])
            self.tall = None
        self.out.row(cells, at=line.words)
        self.section = None
        return True

    # -- funds ---------------------------------------------------------------------------------
    def _fund_row(self, line: _Line) -> bool:
        """A fund row; an item wrapped onto lines of its own (其中：上级补 / 助：) waits for its numbers."""
        words = line.words
        first_value = next((k for k, w in enumerate(words) if _is_value(w)), None)
        if first_value is None:
            if len(line.norm) > MAX_LABEL_CHARS or _is_label(self.vocab, line.text):
                return False
            self._pend(words)
            return True
        if not all(_is_value(w) for w in words[first_value:]):
            return False
        item, values = words[:first_value], words[first_value:]
        if not item:
            item = [w for b in self.pending for w in b]
            if not item:
                return False
        self._drop_pending()
        slots = [c for c in self.columns if c[0] != "item"]
        item_col = self._column("item") or (0.0, LABEL_WIDTH)
        self.fund = ([(item_col[0], item_col[1], item)], slots)
        self._fund_values(values)
        return True

    def _pend(self, words: list[Word]) -> None:
        if len(words) > 1:
            self.pending.extend([w] for w in words)
            self.glue = False
        elif self.glue:
            self.pending[-1].extend(words)
        else:
            self.pending.append(list(words))
            self.glue = True

    def _drop_pending(self) -> None:
        self.pending = []
        self.glue = False

    def _fund_values(self, values: list[Word]) -> None:
        assert self.fund is not None
        cells, slots = self.fund
        cells += [(x0, x1, [w]) for (_, x0, x1), w in zip(slots, values, strict=False)]
        self.fund = (cells, slots[len(values) :])

    def _fund_continues(self, line: _Line) -> bool:
        """Numbers of the fund row above wrapped onto lines of their own (100.00% / 10.00)."""
        assert self.fund is not None
        if not self.fund[1] or self.pending or not all(_is_value(w) for w in line.words):
            return False
        self._fund_values(line.words)
        return True

    def _flush_fund(self) -> None:
        if self.fund is not None:
            n = self.out.row(self.fund[0])
            ref = self.tables.get("funds")
            if n is not None and ref is not None and ref.builder is self.out:
                ref.rows.append(n)
            self.fund = None

    # -- goals ---------------------------------------------------------------------------------
    def _close_goals(self) -> None:
        """Goal paragraphs under a 预期目标 | 实际完成情况 header: one per column, in order."""
        blocks = [b for b in self.goal_blocks if b]
        self.goal_blocks = []
        if not blocks and self.prose_before_goals:
            # No text under the header, but prose just above it: the goals, printed first.
            taken = {id(w) for w in self.prose_before_goals}
            self.out.free_words = [w for w in self.out.free_words if id(w) not in taken]
            blocks = [self.prose_before_goals]
        self.prose_before_goals = []
        if not blocks:
            return
        cols = [(x0, x1) for r, x0, x1 in self.columns if r in ("expected", "actual")]
        if len(blocks) == 1 and len(cols) == 2:
            blocks = _split_by_width(blocks[0])
        lines = {w.box.y0 for w in blocks[0]}
        if len(blocks) == 1 and len(lines) == 1 and len(blocks[0]) == len(cols):
            # Both goals short enough for one printed line each, side by side on one dump line.
            blocks = [[w] for w in blocks[0]]
        if len(blocks) > len(cols):
            blocks = [*blocks[: len(cols) - 1], [w for b in blocks[len(cols) - 1 :] for w in b]]
        # Text printed before its header stands under it all the same.
        header_y = max((w.box.y0 for w in self.goals_header), default=-1.0)
        after = [w for b in blocks for w in b if w.box.y0 > header_y]
        self.out.row([(x0, x1, b) for (x0, x1), b in zip(cols, blocks, strict=False)], at=after or self.goals_header)
        self.section = None

    # -- indicators ----------------------------------------------------------------------------
    def _indicator_line(self, line: _Line) -> bool:
        norm = line.norm
        if len(line.words) == 1 and _BRACKETED_ONLY.fullmatch(norm):
            # The tail of what stands just above: a wrapped name (畅通率 / （%）) or level (产出指标 / (50分)).
            if self.glue:
                self.pending[-1].extend(line.words)
            else:
                (self.level2 or self.level1).extend(line.words)
            return True
        total = self.vocab.match(line.words[0].text, "sections")
        if total is not None and total.role == "total":
            self._total_row(line)
            return True
        # A line right under wrapped text (no blank line between) goes on with it: 用户 / 满意度.
        if not self.glue and self._level_label(line):
            return True
        words = line.words
        if len(words) > 1 and _texts_before_values(words) is None and self._is_level(words[0].text):
            # 数量指标 迁移上云完成率 100%: a level, then a row's first texts (the rest wrapped below).
            self._level_label(_Line(line.index, words[0].text, [words[0]]))
            words = words[1:]
        while (_texts_before_values(words) or 0) > len(_TEXT_ROLES) and self._is_level(words[0].text):
            # 时效指标 服务及时性 …: level labels and the row they start on one line.
            self._level_label(_Line(line.index, words[0].text, [words[0]]))
            words = words[1:]
        self.tall = None
        if self._total_apart(words):
            return True
        row = self._indicator_values(words)
        if row is None:
            # A wrapped name or target; the row's values follow on a later line.
            self._pend(words)
            return True
        name, target, actual, weight, score, reason = row
        self._drop_pending()
        fresh, self.level_fresh = self.level_fresh, False
        cells: list[tuple[float, float, list[Word]]] = []
        shared = 0
        for role, words in (
            ("level1", self.level1),
            ("level2", self.level2),
            ("name", name),
            ("target", target),
            ("actual", actual),
            ("weight", weight),
            ("score", score),
            ("deviation_reason", reason),
        ):
            col = self._column(role)
            if col is not None and words:
                cells.append((col[0], col[1], words))
                shared += role in ("level1", "level2")
        n = self.out.row(cells, shared, y=self._resume_y())
        ref = self.tables.get(self.section or "")
        if n is not None and ref is not None and ref.builder is self.out:
            ref.rows.append(n)
            level2 = self._canonical2(self._canonical1())
            ref.levels.append(_RowFacts(level2, fresh, _number(weight), _number(score), _joined_norm(name)))
        return True

    def _level_label(self, line: _Line) -> bool:
        """A 一级 or 二级 label line, possibly wrapped onto the next two (社会效益指 / 标,
        服务对象 / 满意度 / 指标); the longest reading that names a level wins."""
        if len(line.words) != 1:
            return False
        candidates = [(line.norm, [line])]
        for nxt in self.lines[self.pos : self.pos + 2]:
            if not nxt.norm or len(nxt.words) != 1 or len(nxt.norm) > MAX_LABEL_LINE_CHARS:
                break
            lines = [*candidates[0][1], nxt]
            candidates.insert(0, (candidates[0][0] + nxt.norm, lines))
        for joined, lines in candidates:
            key = _BRACKETED_ONLY.sub("", joined)
            level1 = self.vocab.canonical_level1(key)
            # Where no 一级 is printed beside the rows (a dump put it elsewhere), the 二级 read
            # so far tells which one they are under: 成本指标 after 数量指标 is a 二级.
            current = self._canonical1() or self.vocab.parent_level1(self._canonical2(None) or "")
            level2 = self.vocab.canonical_level2(key, current)
            if level2 is not None and self.level_fresh and level2 == self._canonical2(current):
                # The same 二级 label again before any row: a 三级 name that repeats it.
                return False
            # 成本指标 is a 一级 label of its own and a 二级 one under 产出指标: the level above decides.
            if level2 is not None and current is not None and self.vocab.parent_level1(level2) == current:
                self.level2 = [w for ln in lines for w in ln.words]
            elif level1 is not None:
                self.level1, self.level2 = [w for ln in lines for w in ln.words], []
            elif level2 is not None:
                self.level2 = [w for ln in lines for w in ln.words]
            else:
                continue
            self.level_fresh = bool(self.level2)
            self.pos += len(lines) - 1
            self._drop_pending()
            return True
        return False

    def _canonical2(self, level1: str | None) -> str | None:
        text = normalize("".join(w.text for w in self.level2))
        return self.vocab.canonical_level2(_BRACKETED_ONLY.sub("", text), level1) if text else None

    def _is_level(self, text: str) -> bool:
        key = _BRACKETED_ONLY.sub("", text)
        return self.vocab.canonical_level1(key) is not None or self.vocab.canonical_level2(key, None) is not None

    def _canonical1(self) -> str | None:
        return self.vocab.canonical_level1(_BRACKETED_ONLY.sub("", normalize("".join(w.text for w in self.level1))))

    def _indicator_values(
        self, words: list[Word]
    ) -> tuple[list[Word], list[Word], list[Word], list[Word], list[Word], list[Word]] | None:
        """(name, target, actual, weight, score, reason) of a line that ends a row: ... 分值 得分 [原因].

        Leading texts missing from the line come from the blocks printed above it.
        """
        k = _texts_before_values(words)
        if k is None:
            return None
        before, reason = words[:k], words[k + 2 :]
        texts = [before[:-2], [before[-2]], [before[-1]]] if len(before) >= 3 else [[w] for w in before]
        missing = 3 - len(texts)
        blocks = [b for b in self.pending if b]
        if missing and not blocks and len(before) < 2:
            return None
        if missing and 0 < len(blocks) < missing:
            # Fewer blocks than texts: a dump that wrote each cell's wrapped lines in turn
            # (pdftotext's raw order) glued them; the columns' wrap widths part them again.
            blocks = _partition_lines(blocks, missing) or blocks
        if missing and blocks:
            head = [[w for b in blocks[: len(blocks) - missing + 1] for w in b], *blocks[len(blocks) - missing + 1 :]]
            texts = [*head[-missing:], *texts] if len(head) >= missing else [*head, *texts]
        texts = [[]] * (3 - len(texts)) + texts
        return texts[0], texts[1], texts[2], [words[k]], [words[k + 1]], reason

    def _total_row(self, line: _Line) -> None:
        label, values = line.words[0], line.words[1:]
        cells = [(0.0, LABEL_WIDTH, [label])]
        for role, w in zip(("weight", "score"), values, strict=False):
            col = self._column(role)
            if col is not None:
                cells.append((col[0], col[1], [w]))
        self._table_row(self.section or "", self.out.row(cells))
        self.section = None

    # -- parts printed apart -------------------------------------------------------------------
    # pdftotext without -layout writes a page's text objects in the order they were drawn, so a
    # dump may hold a table's header and rows in one place and one of its columns (执行率 and
    # its value), a merged level cell (可持续影响指标), the deviation reasons or the 总分 label
    # somewhere after. Each goes back to the last table of its kind, by evidence that does not
    # depend on the order: the column it names is missing from that table, the level fits
    # the template's order between the levels printed, the reasons match the rows that lost
    # points, the total is the sum of the weights.

    def _resumed_indicators(self, line: _Line) -> bool:
        """Rows of an indicator table that a dump went on with after other parts (the title,
        the goals): a level label or a row's values while that table has no 总分 yet and no
        table of the section now read began after it."""
        ref = self.tables.get("indicators")
        if self.section == "indicators" or ref is None or ref.closed or ref.builder is not self.out:
            return False
        if self._later_table(ref):
            return False
        is_level = len(line.words) == 1 and self._is_level(line.norm)
        values = _texts_before_values(line.words)
        if not is_level and values is None:
            return False
        self._close_goals()
        self._drop_pending()
        if not is_level and values < len(_TEXT_ROLES):
            # The row's first texts stood on the lines just above, read as free lines.
            loose = self._loose_since_row()
            taken = {id(w) for w in loose}
            self.out.free_words = [w for w in self.out.free_words if id(w) not in taken]
            if loose:
                self.pending, self.glue = [loose], True
        self.section, self.columns, self.resuming = "indicators", list(ref.columns), True
        self.level_fresh = False
        self.tall = None
        return self._indicator_line(line)

    def _loose_since_row(self) -> list[Word]:
        """Short free lines written since the last row (a wrapped name's lines), in order."""
        mark, lines = self.loose
        if mark != len(self.out.rows):
            return []
        return [w for ln in lines for w in ln.words]

    def _later_table(self, ref: _TableRef) -> bool:
        """Whether a fund table began after ``ref`` (the next form's): nothing after it is ref's."""
        funds = self.tables.get("funds")
        return funds is not None and funds.builder is ref.builder and funds.header > ref.header

    def _resume_y(self) -> float | None:
        """Where a resumed row stands: right after its table's last row, so that the rows are
        read in the table's order (its words keep their own place)."""
        ref = self.tables.get("indicators")
        if not self.resuming or ref is None or not ref.rows:
            return None
        return ref.builder.rows[ref.rows[-1]][0].box.y0 + RESUMED_ROW_STEP

    def _column_apart(self, line: _Line) -> bool:
        """A fund column's label alone, then its one value: the fund table's missing column."""
        ref = self.tables.get("funds")
        if len(line.words) != 1 or ref is None or not ref.rows:
            return False
        m = self.vocab.match_each_group(line.words[0].text).get("fund_columns")
        if m is None or m.role == "item" or any(r == m.role for r, _, _ in ref.columns):
            return False
        nxt = self._next_content(self.pos)
        if nxt is None or len(self.lines[nxt].words) != 1 or not _is_value(self.lines[nxt].words[0]):
            return False
        x = self._add_column(ref, m.role, line.words)
        ref.builder.add_cell(ref.rows[0], x, self.lines[nxt].words)
        self.pos = nxt + 1
        return True

    def _next_content(self, pos: int) -> int | None:
        while pos < len(self.lines) and not self.lines[pos].norm:
            pos += 1
        return pos if pos < len(self.lines) else None

    def _add_column(self, ref: _TableRef, role: str, label: list[Word]) -> tuple[float, float]:
        """Room for one more column in a written table, its header cell printing ``label``."""
        roles = [r for r, _, _ in ref.columns] + [role]
        width = (FRAME_WIDTH - LABEL_WIDTH) / len(roles)
        columns = [(r, LABEL_WIDTH + k * width, LABEL_WIDTH + (k + 1) * width) for k, r in enumerate(roles)]
        moves = {round(x0, 3): (nx0, nx1) for (_, x0, _), (_, nx0, nx1) in zip(ref.columns, columns, strict=False)}
        ref.builder.move_columns([ref.header, *ref.rows], moves)
        if self.columns == ref.columns:
            self.columns = columns
        ref.columns = columns
        x = (columns[-1][1], columns[-1][2])
        ref.builder.add_cell(ref.header, x, label)
        return x

    def _closed_indicators(self) -> _TableRef | None:
        """The last indicator table, when rows of something else were written after it."""
        ref = self.tables.get("indicators")
        if ref is None or not ref.rows or ref.builder is not self.out:
            return None
        return ref if ref.closed or len(ref.builder.rows) - 1 > ref.rows[-1] else None

    def _apart(self) -> bool:
        """A level label or the deviation reasons printed apart from a closed indicator table."""
        if self.resuming:
            return False
        ref = self._closed_indicators()
        if ref is None:
            # Between a table's rows the dump may print its column label and reasons.
            ref = self.tables.get("indicators")
            if ref is None or ref.builder is not self.out or ref.closed or not self._reason_label():
                return False
            return self._reasons_apart(ref)
        used = self._level_apart(ref, self.pos)
        if not used:
            used = self._level1_apart(self.pos)
        if used:
            self.pos += used
            return True
        return self._reasons_apart(ref)

    def _level1_apart(self, pos: int) -> int:
        """Lines used by a 一级 label printed apart: left to the template (the mapper's parent
        of each 二级), its words kept as free words. A 二级 not placed is not taken: it may
        start rows the dump goes on with."""
        k, level2, words = self._level_lines(pos)
        if not k or level2 is not None:
            return 0
        self.out.free_words.extend(words)
        self.reason_context = self.vocab.canonical_level1(_joined_norm(words))
        return self._take_label_lines(pos, k)

    def _level_lines(self, pos: int) -> tuple[int, str | None, list[Word]]:
        """(lines, 二级 or None for a 一级) of a level label printed over one or two short lines;
        a label printed exactly wins over a close one (效益 / 指标 is 效益指标, and the
        可持续影响指标 under it stands alone)."""
        found: list[tuple[bool, int, int, str | None]] = []  # (inexact, order, lines, 二级)
        for k in (2, 1):
            lines = self.lines[pos : pos + k]
            if len(lines) < k or len(lines[0].words) != 1 or not all(ln.words for ln in lines):
                continue
            # The label's last line may go on with the next column's text (影响指标 随着…).
            heads = [normalize(ln.words[0].text) for ln in lines]
            if any(len(ln.words) != 1 for ln in lines[:-1]) or any(len(h) > MAX_LEVEL_CHARS for h in heads):
                continue
            key = label_key(_BRACKETED_ONLY.sub("", "".join(heads)))
            level1, level2 = self.vocab.canonical_level1(key), self.vocab.canonical_level2(key, None)
            if level1 is None and level2 is None:
                continue
            exact = any(key in variants for variants in (*self.vocab.level1.values(), *self.vocab.level2.values()))
            found.append((not exact, 2 - k, k, level2 if level1 is None else None))
        if not found:
            return 0, None, []
        _, _, k, level2 = min(found)
        head = [w for ln in self.lines[pos : pos + k - 1] for w in ln.words]
        return k, level2, [*head, self.lines[pos + k - 1].words[0]]

    def _take_label_lines(self, pos: int, used: int) -> int:
        """Lines a label used, leaving the rest of its last line (the next column's text) to be read."""
        last = self.lines[pos + used - 1]
        if len(last.words) == 1:
            return used
        rest = last.words[1:]
        self.lines[pos + used - 1] = _Line(last.index, " ".join(w.text for w in rest), rest)
        return used - 1

    def _level_apart(self, ref: _TableRef, pos: int) -> int:
        """Lines used by a 二级 label that names rows printed without one; 一级 labels are
        left to the template (the mapper's parent of each 二级)."""
        used, level2, words = self._level_lines(pos)
        if not used or level2 is None:
            return 0
        order = list(self.vocab.level2)
        rank = {name: k for k, name in enumerate(order)}
        target = rank.get(level2)
        col = next(((x0, x1) for r, x0, x1 in ref.columns if r == "level2"), None)
        if target is None or col is None:
            return 0
        rows = ref.levels
        k = 0
        while k < len(rows):
            if rows[k].printed or k == 0:
                k += 1
                continue
            end = k
            while end < len(rows) and not rows[end].printed:
                end += 1
            before = rank.get(rows[k - 1].level2 or "", -1)
            after = rank.get(rows[end].level2 or "", len(order)) if end < len(rows) else len(order)
            if before < target < after:
                # Rows named as the level itself (生态效益指标 | 生态效益指标) are all it takes
                # when they lead the run; a later label takes the rest.
                named = k
                while named < end and self.vocab.canonical_level2(rows[named].name, None) == level2:
                    named += 1
                for i in range(k, named if named > k else end):
                    ref.builder.set_cell(ref.rows[i], col, words)
                    rows[i] = replace(rows[i], level2=level2, printed=True)
                self.reason_context = level2
                return self._take_label_lines(pos, used)
            k = end
        return 0

    def _reasons_apart(self, ref: _TableRef) -> bool:
        """The 偏差原因分析及改进措施 label and the texts after it, for the rows that lost
        points, in order; texts met later (after rows the dump went on with, or other labels)
        go on with the rows left."""
        label = self._reason_label()
        start = self.pos + len({w.box.y0 for w in label})
        if self._later_table(ref):
            return False
        if label:
            ref.reason_label = ref.reason_label or label
        elif ref.reason_label is None or self.section == "goals" or not self._is_reason_text(self.lines[self.pos]):
            return False  # prose under a goals header is the goals' text
        texts, end = self._reason_texts(ref, start)
        if end == self.pos:
            return False  # nothing read: the lines are a row's
        self.pos = end
        waiting = [i for i, row in enumerate(ref.levels) if row.lost_points and i not in ref.reasoned]
        if texts and len(texts) <= len(waiting):
            x = next(((x0, x1) for r, x0, x1 in ref.columns if r == "deviation_reason"), None)
            x = x or self._add_column(ref, "deviation_reason", ref.reason_label)
            for words, context in texts:
                # The reason beside a level label goes to a row under that level that lost
                # points; else to the first such row without one.
                under = [i for i in waiting if context in (ref.levels[i].level2, self._parent(ref.levels[i]))]
                i = (under or waiting)[0]
                waiting.remove(i)
                ref.builder.add_cell(ref.rows[i], x, words)
                ref.reasoned.add(i)
        else:
            self.out.free_words.extend(w for t, _ in texts for w in t)
        if label and not any(r == "deviation_reason" for r, _, _ in ref.columns):
            self.out.free_words.extend(label)
        return True

    def _parent(self, row: _RowFacts) -> str | None:
        return self.vocab.parent_level1(row.level2) if row.level2 else None

    def _reason_label(self) -> list[Word]:
        for k in (2, 1):  # 偏差原因分析及 / 改进措施: the whole label, not its first line
            lines = self.lines[self.pos : self.pos + k]
            if len(lines) == k and all(len(ln.words) == 1 for ln in lines):
                m = self.vocab.match_each_group("".join(ln.norm for ln in lines)).get("indicator_columns")
                if m is not None and m.role == "deviation_reason":
                    return [w for ln in lines for w in ln.words]
        return []

    def _is_reason_text(self, line: _Line, opening: bool = True) -> bool:
        """Prose: no label, header, level, number or letter of a vertical label; a paragraph's
        first line as long as a column's line (its last may be short)."""
        return (
            len(line.norm) >= (MIN_REASON_CHARS if opening else 1)
            and not (len(line.norm) <= 2 and _CJK.search(line.norm))  # 绩 / 效 / 指 / 标
            and self._header(line) is None
            and not _is_label(self.vocab, line.text)
            and _texts_before_values(line.words) is None
            and not all(_is_value(w) for w in line.words)
            and not self.vocab.is_title(line.text)
        )

    def _reason_texts(self, ref: _TableRef, pos: int) -> tuple[list[tuple[list[Word], str | None]], int]:
        """Paragraphs (each ending in 。) from ``pos``, each with the level label printed last
        before it, past 一级 labels and 二级 labels that go back to their rows; up to anything
        else (a row the dump goes on with, a label)."""
        texts: list[list[Word]] = [[]]
        contexts: list[str | None] = [self.reason_context]
        start = pos  # where the paragraph being read began
        while pos < len(self.lines):
            line = self.lines[pos]
            if not line.norm:
                pos += 1
                continue

            if self._level_lines(pos)[0]:
                used = self._level_apart(ref, pos) or self._level1_apart(pos)
                if not used and self.lines[pos].norm == line.norm:
                    break  # a 二级 with rows of its own to come
                pos += used
                if not texts[-1]:
                    contexts[-1] = self.reason_context
                continue
            if not self._is_reason_text(line, opening=not texts[-1]):
                break
            if not texts[-1]:
                start = pos
            texts[-1].extend(line.words)
            if line.norm.endswith("。"):
                texts.append([])
                contexts.append(self.reason_context)
            pos += 1
        if texts[-1]:
            # A text that does not end its sentence is no reason (they all do): a row's wrapped
            # texts, or whatever follows, read as usual.
            texts[-1], pos = [], start
        return [(t, c) for t, c in zip(texts, contexts, strict=True) if t], pos

    def _total_apart(self, words: list[Word]) -> bool:
        """总分's two numbers on a line of their own (its label printed elsewhere, or glued on:
        100.00 94.06总分): the first is the weights' sum, funds included."""
        label: list[Word] = []
        if len(words) == 2 and (tail := _total_tail(self.vocab, words[1])) is not None:
            words, label = [words[0], tail[0]], [tail[1]]
        if len(words) != 2 or not all(_is_value(w) for w in words):
            return False
        total = _number(words[:1])
        ref = self.tables.get("indicators")
        if total is None or ref is None or not ref.levels or any(self.pending):
            return False  # no row read yet, or texts waiting for these numbers: a row's
        weights = sum(row.weight for row in ref.levels if row.weight is not None)
        funds = self._column_sum("funds", "weight")
        if min(abs(total - weights), abs(total - weights - funds)) > 0.01:
            return False
        cells = [(0.0, LABEL_WIDTH, label)] if label else []
        for role, w in zip(("weight", "score"), words, strict=True):
            col = self._column(role)
            if col is not None:
                cells.append((col[0], col[1], [w]))
        self._table_row("indicators", self.out.row(cells, y=self._resume_y()))
        self.section, self.resuming = None, False
        return True

    def _table_row(self, section: str, n: int | None) -> None:
        """Row ``n``, a 总分 row, ends the last table of ``section`` (and moves with it when a
        column is added)."""
        ref = self.tables.get(section)
        if n is not None and ref is not None and ref.builder is self.out:
            ref.rows.append(n)
            ref.closed = True

    def _column_sum(self, section: str, role: str) -> float:
        ref = self.tables.get(section)
        col = next(((x0, x1) for r, x0, x1 in ref.columns if r == role), None) if ref else None
        if ref is None or col is None:
            return 0.0
        found = [_number(c.words) for n in ref.rows for c in ref.builder.rows[n] if abs(c.box.x0 - col[0]) < 0.5]
        return sum(v for v in found if v is not None)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _split_by_width(words: list[Word]) -> list[list[Word]]:
    """One block of lines that holds two columns' texts one after the other (a dump that
    wrote each cell's lines in turn): split after a paragraph's end where the lines on each
    side keep closest to one wrap width of their own (seed 001: 27 characters, then 24-25).
    No split when the two widths would not differ."""
    lines: dict[float, list[Word]] = {}
    for w in words:
        lines.setdefault(w.box.y0, []).append(w)
    rows = [lines[y] for y in sorted(lines)]
    widths = [_display_width("".join(w.text for w in ws)) for ws in rows]
    best: tuple[float, int] | None = None
    whole = _wrap(widths)[1]
    for k in range(2, len(rows) - 1):
        if widths[k - 1] >= max(widths[:k]) - 2 and not rows[k - 1][-1].text.endswith("。"):
            continue  # a full line ends no paragraph
        before, after = _wrap(widths[:k]), _wrap(widths[k:])
        if abs(before[0] - after[0]) < MIN_COLUMN_WIDTH_CHANGE:
            continue
        cost = before[1] + after[1]
        # Two columns explain the lines far better than one: each full line strays half a
        # character less on average (seed 001's columns differ by one character at least).
        if whole - cost < SPLIT_GAIN_PER_LINE * len(rows):
            continue
        if best is None or cost < best[0]:
            best = (cost, k)
    if best is None:
        return [words]
    k = best[1]
    return [[w for ws in rows[:k] for w in ws], [w for ws in rows[k:] for w in ws]]


def _partition_lines(blocks: list[list[Word]], parts: int) -> list[list[Word]] | None:
    """The lines of ``blocks`` (in order) as ``parts`` cells, each the consecutive lines one
    column wrapped: every line but a cell's last fills the cell's width. Blocks already apart
    (words apart on one line) stay apart; no cell ends inside a word that runs on over the
    line break (建 / 设). Of partitions that fit equally, the one with the most even cells.
    None when there are not enough lines."""
    units: list[list[Word]] = []
    forced: set[int] = set()
    for block in blocks:
        if units:
            forced.add(len(units))
        lines: dict[float, list[Word]] = {}
        for w in block:
            lines.setdefault(w.box.y0, []).append(w)
        units += [lines[y] for y in sorted(lines)]
    if len(units) < parts or len(forced) > parts - 1 or len(units) > MAX_PARTITION_LINES:
        return None
    texts = ["".join(w.text for w in u) for u in units]
    widths = [_display_width(t) for t in texts]
    free = [k for k in range(1, len(units)) if k not in forced and not _word_runs_on(texts[k - 1], texts[k])]
    best: tuple[float, float, tuple[int, ...]] | None = None
    for extra in itertools.combinations(free, parts - 1 - len(forced)):
        cuts = sorted({*forced, *extra})
        groups = [widths[a:b] for a, b in itertools.pairwise([0, *cuts, len(units)])]
        cost = sum(max(g) - w for g in groups for w in g[:-1])
        sizes = [len(g) for g in groups]
        spread = max(sizes) - min(sizes)
        if best is None or (cost, spread) < best[:2]:
            best = (cost, spread, tuple(cuts))
    if best is None:
        return None
    bounds = [0, *best[2], len(units)]
    return [[w for u in units[a:b] for w in u] for a, b in itertools.pairwise(bounds)]


@cache
def _common_words() -> frozenset[str]:
    return frozenset(w for w, f in word_frequencies().items() if f >= RUN_ON_WORD_FREQUENCY and len(w) >= 2)


def _word_runs_on(a: str, b: str) -> bool:
    """Whether a common word starts at the end of ``a`` and ends at the start of ``b``."""
    words = _common_words()
    return any(a[-i:] + b[:j] in words for i in (1, 2) for j in (1, 2) if len(a) >= i and len(b) >= j)


def _wrap(widths: list[int]) -> tuple[float, float]:
    """(wrap width, how far the full lines stray from it) of one column's lines: its full
    lines are those near its widest (a paragraph's last line is not)."""
    top = max(widths)
    full = sorted(w for w in widths if w >= FULL_LINE_SHARE * top)
    width = float(full[len(full) // 2])
    return width, sum(abs(w - width) for w in full)


def _joined_norm(words: list[Word]) -> str:
    return normalize("".join(w.text for w in words))


def _number(words: list[Word]) -> float | None:
    return parse_number(normalize("".join(w.text for w in words))) if words else None


def _total_tail(vocab: Vocabulary, word: Word) -> tuple[Word, Word] | None:
    """``94.06总分`` as its number and its label, each with its own characters' boxes."""
    m = re.fullmatch(r"([\d.,]+)(\D+)", word.text)
    if m is None or (found := vocab.match(m.group(2), "sections")) is None or found.role != "total":
        return None
    k = len(m.group(1))
    return _piece(word, 0, k), _piece(word, k, len(word.text))


def _piece(word: Word, a: int, b: int) -> Word:
    boxes = word.char_boxes[a:b]
    box = Box(boxes[0].x0, boxes[0].y0, boxes[-1].x1, boxes[-1].y1)
    return replace(word, text=word.text[a:b], box=box, char_boxes=boxes)
