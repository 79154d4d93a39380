"""Dumps that print one table cell a line → pages.

A PDF's text boxes written in the order they were drawn (PyMuPDF's unsorted text, tools that
export a document's text frames; seed 004) hold no line that is a table row: each header
label, field value and number stands on a line of its own, a cell wrapped over lines on
consecutive lines, and a tab at most parts the cells one box drew together. Rows come back
from the kinds of the cells and the order tables are drawn in, left to right, top down:

- labels wrapped over lines (项目资金 / （元）, 偏差原因分析及 / 改进措施) or printed one
  character a line (绩 / 效 / 指 / 标) are joined first, by the vocabulary (models/labels.json);
- a run of column labels is a header and fixes its section's columns;
- a fund row is its item and the numbers after it, in column order;
- an indicator row is its texts (name, target, actual, parted by the lines' wrap widths when
  a cell wrapped) closed by its numbers, the last two of them 分值 and 得分; the levels printed
  before it carry down;
- a field label takes the texts after it, up to the next label.

Everything else (titles, ``label：value`` lines, prose) stays as free lines for the form
stage. Cells get boxes on the synthetic grid of ``ocrform.dump.builder``.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ocrform.dump.builder import PageBuilder
from ocrform.dump.cell_funds import read_fund_block
from ocrform.dump.cell_tokens import (
    HEADER_GROUPS,
    TABLE_GROUPS,
    Token,
    classify,
    interleaved_levels,
    is_value_cell,
    join_labels,
    line_cells,
    opens_line,
)
from ocrform.dump.lines import (
    CHAR_WIDTH,
    FRAME_WIDTH,
    LABEL_WIDTH,
    LINE_HEIGHT,
    TEXT_ROLES,
    inline_pair,
    partition_lines,
    piece,
    split_by_width,
)
from ocrform.form.labels import SECTION_OF_GROUP, Vocabulary, vocabulary
from ocrform.form.numbers import parse_number
from ocrform.model import Box, Page, PageContent, Word
from ocrform.text import normalize

# A dump is a cell stream when at least this share of the cells that hold a header column
# label hold nothing else. Measured: PyMuPDF's unsorted text of the office fixtures, 0.75-1.0
# (Hunan reports lowest: their rubric repeats labels inside sentences); seed 004, 0.70;
# pdftotext's raw order (seed 001), 0.39; pdftotext -layout (seed 000), 0.0.
STREAM_SHARE = 0.6
# Each line of a field label wrapped around its value (实施 / … / 单位) is this short.
MAX_WRAPPED_LABEL_PART = 3
# A row's texts (name, target, actual, each wrapped over lines) span this many cells at most.
MAX_ROW_CELLS = 12
# A row's name is this short (a goal's sentence is longer); its 分值 and 得分 at most this.
MAX_NAME_CHARS = 24
# A row read with no header: its name on this many lines at most, then values only (a
# target, an actual, 分值, 得分: four; three where the target is text).
MAX_NAME_LINES = 2
MAX_SHAPE_CELLS = 4  # target, actual, 分值, 得分
MAX_VALUE_CHARS = 12
MAX_WEIGHT = 100
# A goal block that repeats another's text at least this closely (rapidfuzz partial ratio)
# is that text's copy in the other column.
DUPLICATE_SCORE = 90
# Lone characters spell a vertical label when they are at least this share of it, in order.
LABEL_SHARE = 0.6
# A deviation reason wraps over this many lines at most; its last ends a sentence.
MAX_REASON_CELLS = 8
SENTENCE_ENDS = ("。", "；", ";", "！", "？")


def is_cell_stream(text: str) -> bool:
    """Whether the dump prints header labels alone, one cell a line (see STREAM_SHARE)."""
    vocab = vocabulary()
    variants = {v for g in TABLE_GROUPS for vs in vocab.groups[g].values() for v in vs if len(v) >= 3}
    holding = alone = 0
    for raw in text.splitlines():
        for cell in raw.split("\t"):
            s = re.sub(r"\s", "", normalize(cell))
            if not s or not any(v in s for v in variants):
                continue
            holding += 1
            alone += any(vocab.match(s, g) is not None for g in TABLE_GROUPS)
    return holding > 0 and alone >= STREAM_SHARE * holding


def read_cell_stream(text: str) -> list[PageContent]:
    """The pages of a cell-stream dump (pages split at form feeds)."""
    reader = _StreamReader(vocabulary())
    out = []
    for index, page_text in enumerate(text.split("\f")):
        raw = page_text.splitlines()
        words = [w for n, s in enumerate(raw) for w in line_cells(s, n, index)]
        if not words and index > 0:
            continue
        page = Page(index=index, width=FRAME_WIDTH, height=max(len(raw), 1) * LINE_HEIGHT, words=words, kind="text")
        builder = PageBuilder(index)
        tokens = join_labels(reader.vocab, [reader.token([w]) for w in words])
        reader.run(builder, interleaved_levels(reader.vocab, tokens))
        out.append(builder.content(page))
    return out


def _goal_blocks(words: list[Word]) -> list[list[Word]]:
    """Two goal cells' lines, one cell after the other. Blocks a blank line parts are cells:
    the first two are the columns, a further block that repeats one column's text goes to the
    other (a form that lists the same items as expected and as done), else to the last. One
    block is parted by its lines' wrap widths, else where a paragraph ends, the end nearest
    the middle (columns of one width)."""
    rows = _lines_of(words)
    starts = [0, *(k for k in range(1, len(rows)) if rows[k][0].box.y0 - rows[k - 1][0].box.y0 > LINE_HEIGHT * 1.5)]
    paragraphs = [[w for r in rows[a:b] for w in r] for a, b in zip(starts, [*starts[1:], len(rows)], strict=True)]
    if len(paragraphs) >= 2:
        columns = paragraphs[:2]
        for extra in paragraphs[2:]:
            text = _plain(extra)
            copies = [fuzz.partial_ratio(text, _plain(c)) for c in columns]
            if max(copies) >= DUPLICATE_SCORE:
                columns[1 - copies.index(max(copies))] += extra
            else:
                columns[1] += extra
        return columns
    blocks = split_by_width(words)
    if len(blocks) == 2:
        return blocks
    ends = [k for k in range(1, len(rows)) if rows[k - 1][-1].text.endswith(SENTENCE_ENDS)]
    if not ends:
        return [words]
    k = min(ends, key=lambda e: abs(2 * e - len(rows)))
    return [[w for r in rows[:k] for w in r], [w for r in rows[k:] for w in r]]


def _lines_of(words: list[Word]) -> list[list[Word]]:
    lines: dict[float, list[Word]] = {}
    for w in words:
        lines.setdefault(w.box.y0, []).append(w)
    return [lines[y] for y in sorted(lines)]


def _plain(words: list[Word]) -> str:
    return normalize("".join(w.text for w in words))


def _without_label_chars(vocab: Vocabulary, words: list[Word], chars: list[Word]) -> tuple[list[Word], list[Word]]:
    """A vertical label printed a character a line through a goal cell's lines (年 / 度 / 总 …):
    the lone characters spell most of it; the ones it lacks end a cell on a line between
    their neighbours' lines (区级政府网站及体), and come off those cells."""
    label, chars = max(((v, _in_order(chars, v)) for v in vocab.groups["sections"]["goals"]), key=lambda m: len(m[1]))
    if len(chars) < max(2, LABEL_SHARE * len(label)):
        return words, []
    out, lost = list(words), []
    k = 0
    for ch in label:
        if k < len(chars) and chars[k].text == ch:
            k += 1
            continue
        low = chars[k - 1].box.y0 if k > 0 else -1.0
        high = chars[k].box.y0 if k < len(chars) else float("inf")
        for i, w in enumerate(out):
            if low <= w.box.y0 <= high and len(w.text) > 1 and w.text.endswith(ch):
                out[i] = piece(w, 0, len(w.text) - 1)
                lost.append(piece(w, len(w.text) - 1, len(w.text)))
                break
    return out, lost


def _in_order(chars: list[Word], label: str) -> list[Word]:
    """The characters that spell ``label`` in order, others skipped (绩 of the next label)."""
    out, k = [], 0
    for c in chars:
        found = label.find(c.text, k)
        if found >= 0:
            out.append(c)
            k = found + 1
    return out


def _textline_cells(tokens: list[Token], n: int) -> list[list[Word]]:
    """A row's texts as its ``n`` text cells (name, target, actual): the name runs to the first
    value (a number, a comparison); cells wrapped over lines are parted where each line but a
    cell's last fills its width."""
    first = next((k for k, t in enumerate(tokens) if k > 0 and is_value_cell(t)), None)
    if n == 3 and first is not None and len(tokens) - first >= 1:
        name = [w for t in tokens[:first] for w in t.words]
        return [name, *_parted([t.words for t in tokens[first:]], 2)]
    return _parted([t.words for t in tokens], n)


def _parted(blocks: list[list[Word]], n: int) -> list[list[Word]]:
    if len(blocks) <= n:
        return blocks
    parts = partition_lines([[w for b in blocks for w in b]], n)
    if parts is None:  # too many lines to search: the first cell takes the surplus
        return [[w for b in blocks[: len(blocks) - n + 1] for w in b], *blocks[len(blocks) - n + 1 :]]
    return parts


# The indicator header of the standard template (财预〔2020〕10号), for rows printed without one.
_TEMPLATE_INDICATOR_HEADER = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)
TEMPLATE_ORIGIN = "text-dump+template-header"


def _template_word(at: Word, text: str) -> Word:
    """A header label the dump did not print, placed just above the row it heads."""
    y = at.box.y0 - LINE_HEIGHT / 2
    box = Box(at.box.x0, y, at.box.x0 + len(text) * CHAR_WIDTH, y + LINE_HEIGHT * 0.4)
    return Word(text=text, box=box, page=at.page, origin=TEMPLATE_ORIGIN, char_boxes=tuple(box for _ in text))


class _StreamReader:
    """Reads the tokens page after page; a section and its columns carry over a page break."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.out = PageBuilder(0)
        self.toks: list[Token] = []
        self.pos = 0
        self.section: str | None = None
        self.columns: list[tuple[str, float, float]] = []
        self.tall: list[Word] = []  # the section label waiting for its table's first row
        self.level1: list[Word] = []
        self.level2: list[Word] = []
        self.level1_later: list[Word] = []  # a 一级 printed before the rows of the block above it ended
        self.goal_words: list[Word] = []
        self.loose_columns: list[Token] = []  # fund column labels printed before their table
        self.goal_chars: list[Word] = []  # lone characters among the goals: a vertical label's

    def token(self, words: list[Word]) -> Token:
        return classify(self.vocab, words)

    def run(self, builder: PageBuilder, toks: list[Token]) -> None:
        self.out, self.toks, self.pos = builder, toks, 0
        while self.pos < len(self.toks):
            tok = self.toks[self.pos]
            if self._header(tok) or self._section_label(tok) or self._label_around_value() or self._field(tok):
                continue
            if self.section in (None, "goals") and self._headerless_rows():
                continue
            if self.section == "goals" and tok.kind in ("text", "number"):
                if len(tok.text) > 1 or not opens_line(self.toks, self.pos):
                    # A lone character opening its line is a vertical label's, not a goal's.
                    self.goal_words += tok.words
                else:
                    self.goal_chars += tok.words
                    self.out.free_words += tok.words
                self.pos += 1
                continue
            if self.section == "indicators" and self._indicator():
                continue
            if tok.kind == "column" and "fund_columns" in tok.groups:
                self.loose_columns.append(tok)
            if tok.kind == "title":
                self.loose_columns = []
            self.out.free_words += tok.words
            self.pos += 1
        if self.pos >= len(self.toks):
            self._close_goals()

    def _headerless_rows(self) -> bool:
        """Indicator rows with no header printed before them (a dump that lost it, or printed
        it after): a short text, then values closed by two small numbers (分值, 得分). The table
        is read in the template's column order, its header marked as the template's."""
        if not self._row_shape(self.pos):
            return False
        self._close_goals()
        first = self.toks[self.pos].words[0]
        heads = [[_template_word(first, label)] for label in _TEMPLATE_INDICATOR_HEADER]
        roles = ["level1", "level2", "name", "target", "actual", "weight", "score", "deviation_reason"]
        width = (FRAME_WIDTH - LABEL_WIDTH) / len(roles)
        self.columns = [(r, LABEL_WIDTH + k * width, LABEL_WIDTH + (k + 1) * width) for k, r in enumerate(roles)]
        cells = [(x0, x1, ws) for (_, x0, x1), ws in zip(self.columns, heads, strict=True)]
        if self.tall:
            self.out.free_words += self.tall
            self.tall = []
        self.out.row(cells)
        self.section = "indicators"
        self.level1, self.level2, self.level1_later = [], [], []
        return True

    def _row_shape(self, k: int) -> bool:
        """A name on one or two lines, a target and an actual (one of them a value), then 分值
        and 得分: small numbers."""
        end = k
        while end < len(self.toks) and end - k < MAX_NAME_LINES and self._name_piece(self.toks[end]):
            end += 1
        if end == k:
            return False
        cells = []
        while end < len(self.toks) and len(cells) < MAX_SHAPE_CELLS and self.toks[end].kind in ("text", "number"):
            if len(self.toks[end].text) > MAX_VALUE_CHARS:
                return False
            cells.append(self.toks[end])
            end += 1
        numbers = []
        while cells and cells[-1].kind == "number" and len(numbers) < 2:
            numbers.insert(0, parse_number(cells.pop().text))
        values = [t for t in cells if is_value_cell(t)]
        return (
            len(numbers) == 2
            and 1 <= len(cells) <= 2
            and bool(values)
            and all(n is not None and 0 <= n <= MAX_WEIGHT for n in numbers)
        )

    def _name_piece(self, tok: Token) -> bool:
        return tok.kind == "text" and 1 < len(tok.text) <= MAX_NAME_CHARS and not is_value_cell(tok)

    # -- headers and sections --------------------------------------------------------------
    def _header(self, tok: Token) -> bool:
        """A run of column labels of one group: the header of its section's table."""
        if tok.kind != "column":
            return False
        run = [tok]
        for nxt in self.toks[self.pos + 1 :]:
            if nxt.kind != "column":
                break
            run.append(nxt)
        group = self._header_group(run)
        if group is None:
            return False
        self._close_goals()
        if group == "fund_columns":
            self.section = "funds"
            self._fund_block(self.pos)
            return True
        run = [t for t in run if group in t.groups]
        section = SECTION_OF_GROUP[group]
        roles = [t.groups[group] for t in run]
        heads = [t.words for t in run]
        if group == "fund_columns" and "item" not in roles:
            roles.insert(0, "item")
            heads.insert(0, [])
        width = (FRAME_WIDTH - LABEL_WIDTH) / len(roles)
        self.columns = [(r, LABEL_WIDTH + k * width, LABEL_WIDTH + (k + 1) * width) for k, r in enumerate(roles)]
        cells = [(x0, x1, ws) for (_, x0, x1), ws in zip(self.columns, heads, strict=True)]
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            self.tall = []
        self.out.row(cells)
        self.section = section
        self.level1, self.level2, self.level1_later = [], [], []
        self.pos += len(run)
        return True

    def _header_group(self, run: list[Token]) -> str | None:
        """The group most of the run's labels belong to; one label alone is a header only in
        the goals (预期目标 may print without its partner) or after its section's label."""
        counts = {g: sum(g in t.groups for t in run) for g in HEADER_GROUPS}
        group = max(counts, key=lambda g: (counts[g], g == self._expected_group()))
        alone_ok = group == "goal_columns" or (group == self._expected_group() and not self.columns)
        if counts[group] >= 2 or (counts[group] == 1 and alone_ok):
            return group
        return None

    def _expected_group(self) -> str | None:
        return {"funds": "fund_columns", "goals": "goal_columns", "indicators": "indicator_columns"}.get(
            self.section or ""
        )

    def _section_label(self, tok: Token) -> bool:
        if tok.kind != "section" or tok.role not in ("funds", "goals", "indicators", "total"):
            return False
        if tok.role == "total":
            return self._total(tok)
        self._close_goals()
        if self.tall:
            self.out.free_words += self.tall
        self.tall = list(tok.words)
        self.section = tok.role
        self.columns = []
        self.pos += 1
        if tok.role == "funds":
            self._fund_block(self.pos)
        return True

    # -- fields ----------------------------------------------------------------------------
    def _label_around_value(self) -> bool:
        """A field label wrapped around its value in a narrow cell (实施 / 甲单位 / 单位)."""
        if self.pos + 2 >= len(self.toks):
            return False
        head, value, tail = self.toks[self.pos : self.pos + 3]
        if head.kind == "field" or value.kind != "text" or max(len(head.text), len(tail.text)) > MAX_WRAPPED_LABEL_PART:
            return False
        match = self.vocab.match(head.text + tail.text, "fields")
        if match is None or match.distance:
            return False
        self._close_goals()
        label = head.words + tail.words
        self.out.row(
            [(0.0, FRAME_WIDTH / 2, label), (FRAME_WIDTH / 2, FRAME_WIDTH, value.words)], at=label + value.words
        )
        self.section = None
        self.pos += 3
        return True

    def _field(self, tok: Token) -> bool:
        """A field label and the texts after it up to the next label (none: printed apart)."""
        if tok.kind != "field" or ":" in tok.text:
            return False
        value: list[Word] = []
        k = self.pos + 1
        while k < len(self.toks) and self.toks[k].kind in ("text", "number"):
            if (self.toks[k].kind == "number" and value) or inline_pair(self.toks[k].text):
                break
            value += self.toks[k].words
            k += 1
        self._close_goals()
        self.out.row([(0.0, FRAME_WIDTH / 2, tok.words), (FRAME_WIDTH / 2, FRAME_WIDTH, value)], at=tok.words + value)
        self.section = None
        self.pos = k
        return True

    # -- funds -----------------------------------------------------------------------------
    def _fund_block(self, start: int) -> None:
        """The fund table from ``start`` to the next part (see ``ocrform.dump.cell_funds``)."""
        end = start
        while end < len(self.toks) and not self._ends_funds(self.toks[end]):
            end += 1
        block = read_fund_block(self.vocab, self.toks[start:end], self.loose_columns)
        self.loose_columns = []
        width = (FRAME_WIDTH - LABEL_WIDTH) / len(block.heads)
        self.columns = [
            (r, LABEL_WIDTH + k * width, LABEL_WIDTH + (k + 1) * width) for k, (r, _) in enumerate(block.heads)
        ]
        cells = [(x0, x1, ws) for (_, x0, x1), (_, ws) in zip(self.columns, block.heads, strict=True)]
        # A row stands where its first piece does: a label printed before the block (年初预算数),
        # an item wrapped around the block (年度资金总 … 额：) would stretch it over other rows.
        first = self.tall[:1] or [w for t in self.toks[start:end] for w in t.words][:1]
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            self.tall = []
        self.out.row(cells, at=first or None)
        slots = self.columns[1:]
        for item, values in block.rows:
            _, x0, x1 = self.columns[0]
            cells = [(x0, x1, item), *((a, b, [w]) for (_, a, b), w in zip(slots, values, strict=False))]
            self.out.row(cells, at=item[:1])
        self.out.free_words += block.free
        self.pos = end
        self.section = None

    def _ends_funds(self, tok: Token) -> bool:
        if tok.kind in ("title", "field", "heading", "level1", "level2"):
            return True
        if tok.kind == "section":
            return tok.role != "funds"
        if tok.kind == "column":
            return "fund_columns" not in tok.groups
        return tok.kind == "text" and len(tok.text) > MAX_NAME_CHARS

    # -- goals -----------------------------------------------------------------------------
    def _close_goals(self) -> None:
        if self.section != "goals" or not self.goal_words:
            self.goal_words = []
            return
        cols = [(x0, x1) for r, x0, x1 in self.columns if r in ("expected", "actual")] or [(LABEL_WIDTH, FRAME_WIDTH)]
        words, lost = _without_label_chars(self.vocab, self.goal_words, self.goal_chars)
        self.out.free_words += lost
        self.goal_chars = []
        blocks = _goal_blocks(words) if len(cols) == 2 else [words]
        cells = [(x0, x1, b) for (x0, x1), b in zip(cols, blocks, strict=False)]
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            self.tall = []
        self.out.row(cells, at=words)
        self.goal_words = []
        self.section = None

    # -- indicators ------------------------------------------------------------------------
    def _indicator(self) -> bool:
        """Levels carry down; a row is its texts and the run of numbers that closes it."""
        tok = self.toks[self.pos]
        nxt = self.toks[self.pos + 1] if self.pos + 1 < len(self.toks) else None
        if tok.kind in ("level1", "level2") and not (nxt is not None and is_value_cell(nxt)):
            if (
                tok.kind == "level1"
                and tok.groups.get("level2")
                and self.level1
                and (nxt is None or nxt.kind != "level2")
            ):
                self.level2 = tok.words  # 成本指标 under a 一级 already printed, no 二级 after it
            elif tok.kind == "level1":
                self.level1, self.level2, self.level1_later = tok.words, [], []
            else:
                self._level2(tok)
            self.pos += 1
            return True
        if self._fragment(tok):
            return False  # a lone character or a header label's piece: not a row's text
        texts: list[Token] = []
        k = self.pos
        closed = any(r in ("weight", "score") for r, _, _ in self.columns)
        while k < len(self.toks) and self.toks[k].kind in ("text", "level1", "level2") and len(texts) < MAX_ROW_CELLS:
            # A level label inside a row its numbers have not closed yet is one of its texts.
            if texts and self.toks[k].kind != "text" and not closed:
                break
            texts.append(self.toks[k])
            k += 1
        numbers: list[Token] = []
        while k < len(self.toks) and self.toks[k].kind == "number":
            numbers.append(self.toks[k])
            k += 1
        if not texts or not numbers:
            return False
        n = self._indicator_row(texts, numbers)
        self.pos = k
        if n is not None:
            self._reason(n, numbers)
        return True

    def _level2(self, tok: Token) -> None:
        """A 二级 that the template puts under another 一级 than the one read last: that 一级
        is the next block's, printed early (a merged cell's label is centred on its rows, so
        a dump of pieces may draw it before the rows above it end); it waits for its 二级."""
        parent = self.vocab.parent_level1(tok.role or "")
        current = self.vocab.canonical_level1(_plain(self.level1)) if self.level1 else None
        waiting = self.vocab.canonical_level1(_plain(self.level1_later)) if self.level1_later else None
        if parent is not None and waiting == parent:
            self.level1, self.level1_later = self.level1_later, []
        elif parent is not None and current is not None and current != parent:
            self.level1_later, self.level1 = self.level1, []
        self.level2 = tok.words

    def _fragment(self, tok: Token) -> bool:
        return tok.kind == "text" and (
            len(tok.text) == 1
            or any(self.vocab.is_label_fragment(tok.text, "indicator_columns", r) for r, _, _ in self.columns)
        )

    def _indicator_row(self, texts: list[Token], numbers: list[Token]) -> int | None:
        roles = [r for r, _, _ in self.columns]
        closing = [r for r in ("weight", "score") if r in roles]
        closing_words = [t.words for t in numbers[len(numbers) - len(closing) :]] if closing else []
        leading = numbers[: len(numbers) - len(closing_words)]
        wanted = [r for r in TEXT_ROLES if r in roles]
        cells_text = _textline_cells([*texts, *leading], len(wanted))
        placed = dict(zip(wanted, cells_text, strict=False))
        placed.update(zip(closing, closing_words, strict=False))  # one number alone: 分值, 得分 blank
        placed["level1"], placed["level2"] = self.level1, self.level2
        cells = [(x0, x1, placed[r]) for r, x0, x1 in self.columns if placed.get(r)]
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            self.tall = []
        carried = sum(1 for r in ("level1", "level2") if placed.get(r))
        return self.out.row(cells, shared=carried if not cells or cells[0][0] > 0 else 0)

    def _reason(self, row: int, numbers: list[Token]) -> None:
        """A text after a row that lost points is its deviation reason (a name needs numbers after it)."""
        if "deviation_reason" not in [r for r, _, _ in self.columns] or len(numbers) < 2:
            return
        weight, score = (normalize(t.text) for t in numbers[-2:])
        try:
            lost = float(score.rstrip("分")) < float(weight.rstrip("分"))
        except ValueError:
            return
        if not lost:
            return
        texts: list[Token] = []
        for tok in self.toks[self.pos : self.pos + MAX_REASON_CELLS]:
            if tok.kind != "text":
                break
            texts.append(tok)
            if tok.text.endswith(SENTENCE_ENDS):
                break
        if texts and not texts[-1].text.endswith(SENTENCE_ENDS):
            texts = texts[:1]  # no sentence closes: one cell, the rest is the next row's name
        if texts:
            col = next(c for c in self.columns if c[0] == "deviation_reason")
            self.out.add_cell(row, (col[1], col[2]), [w for t in texts for w in t.words])
            self.pos += len(texts)

    def _total(self, tok: Token) -> bool:
        """总分 and the numbers after it: the indicator table's 分值 and 得分 sums."""
        numbers: list[Word] = []
        k = self.pos + 1
        while k < len(self.toks) and self.toks[k].kind == "number" and len(numbers) < 3:
            numbers += self.toks[k].words
            k += 1
        cells = [(0.0, LABEL_WIDTH, tok.words)]
        cols = {r: (x0, x1) for r, x0, x1 in self.columns}
        for role, w in zip(("weight", "score"), numbers[-2:], strict=False):
            if role in cols:
                cells.append((*cols[role], [w]))
        self._close_goals()
        self.out.row(cells)
        self.section = None
        self.pos = k
        return True
