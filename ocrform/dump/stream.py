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
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz

from ocrform.dump.builder import PageBuilder
from ocrform.dump.lines import (
    BRACKETED_ONLY,
    CHAR_WIDTH,
    CJK,
    FRAME_WIDTH,
    LABEL_WIDTH,
    LINE_HEIGHT,
    TEXT_ROLES,
    dump_word,
    inline_pair,
    is_value,
    partition_lines,
    piece,
    split_by_width,
)
from ocrform.form.labels import SECTION_OF_GROUP, Vocabulary, label_key, vocabulary
from ocrform.form.numbers import parse_number
from ocrform.model import Box, Page, PageContent, Word
from ocrform.text import normalize

# A dump is a cell stream when at least this share of the cells that hold a header column
# label hold nothing else. Measured: PyMuPDF's unsorted text of the office fixtures, 0.75-1.0
# (Hunan reports lowest: their rubric repeats labels inside sentences); seed 004, 0.70;
# pdftotext's raw order (seed 001), 0.39; pdftotext -layout (seed 000), 0.0.
STREAM_SHARE = 0.6
# A label wrapped over lines, or printed a character a line, spans this many cells at most,
# each this short (绩效指标, one character a line: 4; 年度总体目标完成情况: 10; a narrow
# column wraps 服务对象满意度指 / 标, 8 characters then 1).
MAX_LABEL_CELLS = 10
MAX_LABEL_PART_CHARS = 9
# A merged level cell printed beside its rows: pieces of at most this many characters, each
# opening its line, at most this many lines apart (seed 004: 可持续影 / 响指 / 标, 3 lines).
MAX_PIECE_CHARS = 5
MAX_PIECE_GAP = 3
# A half-closed bracket's tail on a line of its own: 分) after 满意度指标(10.
_BRACKET_TAIL = re.compile(r"^[^()（）]{0,4}[)）]$")
_OPEN_BRACKET = re.compile(r"[(（][^)）]*$")
# A row's texts (name, target, actual, each wrapped over lines) span this many cells at most.
MAX_ROW_CELLS = 12
# A row's name is this short (a goal's sentence is longer); its 分值 and 得分 at most this.
MAX_NAME_CHARS = 24
# A row read with no header: its name on this many lines at most, then values only (a
# target, an actual, 分值, 得分: four; three where the target is text).
MAX_NAME_LINES = 2
MIN_SHAPE_VALUES = 3
MAX_WEIGHT = 100
# A goal block that repeats another's text at least this closely (rapidfuzz partial ratio)
# is that text's copy in the other column.
DUPLICATE_SCORE = 90
# Lone characters spell a vertical label when they are at least this share of it, in order.
LABEL_SHARE = 0.6
# A deviation reason wraps over this many lines at most; its last ends a sentence.
MAX_REASON_CELLS = 8
SENTENCE_ENDS = ("。", "；", ";", "！", "？")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）])")
_HEADER_GROUPS = ("fund_columns", "goal_columns", "indicator_columns")
_LABEL_GROUPS = ("fields", "sections", "ignore")


@dataclass
class Token:
    """One cell of the stream: its words (one per line it covers) and what it is."""

    words: list[Word]
    kind: str  # title | field | section | column | level1 | level2 | number | text
    role: str | None = None
    groups: dict[str, str] = field(default_factory=dict)  # header group → role, for columns

    @property
    def text(self) -> str:
        return normalize("".join(w.text for w in self.words))


def is_cell_stream(text: str) -> bool:
    """Whether the dump prints header labels alone, one cell a line (see STREAM_SHARE)."""
    vocab = vocabulary()
    variants = {v for g in _HEADER_GROUPS for vs in vocab.groups[g].values() for v in vs if len(v) >= 3}
    holding = alone = 0
    for raw in text.splitlines():
        for cell in raw.split("\t"):
            s = re.sub(r"\s", "", normalize(cell))
            if not s or not any(v in s for v in variants):
                continue
            holding += 1
            alone += any(vocab.match(s, g) is not None for g in _HEADER_GROUPS)
    return holding > 0 and alone >= STREAM_SHARE * holding


def read_cell_stream(text: str) -> list[PageContent]:
    """The pages of a cell-stream dump (pages split at form feeds)."""
    reader = _StreamReader(vocabulary())
    out = []
    for index, page_text in enumerate(text.split("\f")):
        raw = page_text.splitlines()
        words = [w for n, s in enumerate(raw) for w in _cells(s, n, index)]
        if not words and index > 0:
            continue
        page = Page(index=index, width=FRAME_WIDTH, height=max(len(raw), 1) * LINE_HEIGHT, words=words, kind="text")
        builder = PageBuilder(index)
        tokens = _join_labels(reader.vocab, [reader.token([w]) for w in words])
        reader.run(builder, _interleaved_levels(reader.vocab, tokens))
        out.append(builder.content(page))
    return out


def _cells(line: str, n: int, page: int) -> list[Word]:
    """A line's tab-parted cells as words (a cell's inner spaces are dropped). A short cell
    of CJK pieces parted by a space holds two cells (标 服务对象: one vertical label's end,
    the next one's start), unless every piece is one character (资 金 来 源, a spaced label)."""
    out = []
    start = 0
    for part in line.split("\t"):
        a = start + len(part) - len(part.lstrip())
        b = start + len(part.rstrip())
        if b > a:
            pieces = list(re.finditer(r"\S+", line[a:b]))
            apart = (
                len(pieces) > 1
                and b - a <= MAX_LABEL_PART_CHARS + 2
                and all(CJK.fullmatch(p.group()[0]) and CJK.fullmatch(p.group()[-1]) for p in pieces)
                and any(len(p.group()) > 1 for p in pieces)
            )
            spans = [(a + p.start(), a + p.end()) for p in pieces] if apart else [(a, b)]
            out += [dump_word(line, x, y, n, page) for x, y in spans]
        start += len(part) + 1
    return out


def _join_labels(vocab: Vocabulary, tokens: list[Token]) -> list[Token]:
    """Labels wrapped over cells, or printed a character a cell, as one token; a bracketed
    tail ((元), (A), (50分)) joins the label before it."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if out and out[-1].kind != "text" and out[-1].kind != "number" and _is_tail(out[-1], tok):
            out[-1] = _with_words(vocab, out[-1], tok.words, keep=out[-1])
            k += 1
            continue
        longer = _longer_label(vocab, out[-1], tokens, k) if out and out[-1].kind not in ("text", "number") else 0
        if longer:
            out[-1] = _with_words(vocab, out[-1], [w for t in tokens[k : k + longer] for w in t.words], keep=out[-1])
            k += longer
            continue
        joined = _wrapped_label(vocab, tokens, k)
        if joined is not None:
            out.append(joined[0])
            k += joined[1]
            continue
        out.append(tok)
        k += 1
    return out


def _interleaved_levels(vocab: Vocabulary, tokens: list[Token]) -> list[Token]:
    """A merged level cell printed a few characters a line beside the rows it spans (可持续影 /
    row / 响指 / 标): its pieces are the short texts that open their lines, and together they
    spell a level label. The label takes its first piece's place, before the rows it spans."""
    opens = [
        k for k, t in enumerate(tokens) if _level_piece(t) and (_opens_line(tokens, k) or _level_piece(tokens[k - 1]))
    ]
    out = list(tokens)
    taken: set[int] = set()
    for i, k in enumerate(opens):
        if k in taken:
            continue
        chain, text = [k], tokens[k].text
        for j in opens[i + 1 :]:
            if (
                j in taken
                or tokens[j].words[0].box.y0 - tokens[chain[-1]].words[0].box.y0 > MAX_PIECE_GAP * LINE_HEIGHT
            ):
                break
            if not _level_prefix(vocab, text + tokens[j].text):
                continue  # a short cell of a row between the pieces (定性, 显著)
            chain.append(j)
            text += tokens[j].text
            if _exact_level(vocab, text, 1) or _exact_level(vocab, text, 2):
                break
        if len(chain) < 2:
            continue
        joined = _classify(vocab, [w for c in chain for w in tokens[c].words])
        if joined.kind not in ("level1", "level2"):
            continue
        out[k] = joined
        taken.update(chain[1:])
    return [t for k, t in enumerate(out) if k not in taken]


def _opens_line(tokens: list[Token], k: int) -> bool:
    return k == 0 or tokens[k - 1].words[-1].box.y0 != tokens[k].words[0].box.y0


def _level_piece(tok: Token) -> bool:
    return tok.kind == "text" and 1 <= len(tok.text) <= MAX_PIECE_CHARS and all(CJK.match(ch) for ch in tok.text)


def _level_prefix(vocab: Vocabulary, text: str) -> bool:
    key = label_key(text)
    return any(v.startswith(key) for table in (vocab.level1, vocab.level2) for vs in table.values() for v in vs)


def _longer_label(vocab: Vocabulary, label: Token, tokens: list[Token], k: int) -> int:
    """How many text cells from ``k`` finish ``label`` as a longer label printed exactly
    (偏差原因分析及 / 改进措施: the first line alone is near enough to 偏差原因分析 to match)."""
    parts: list[Token] = []
    for tok in tokens[k : k + MAX_LABEL_CELLS]:
        if tok.kind != "text" or len(tok.text) > MAX_LABEL_PART_CHARS or not CJK.search(tok.text):
            break
        parts.append(tok)
    for n in range(len(parts), 0, -1):
        key = label_key(label.text + "".join(t.text for t in parts[:n]))
        if key != label_key(label.text) and key in _exact_labels(vocab):
            return n
    return 0


@cache
def _exact_labels(vocab: Vocabulary) -> frozenset[str]:
    groups = (*_HEADER_GROUPS, *_LABEL_GROUPS)
    levels = [k for table in (vocab.level1, vocab.level2) for keys in table.values() for k in keys]
    return frozenset([*(label_key(v) for g in groups for vs in vocab.groups[g].values() for v in vs), *levels])


def _is_tail(label: Token, tok: Token) -> bool:
    s = tok.text
    return bool(BRACKETED_ONLY.fullmatch(s)) or (
        bool(_OPEN_BRACKET.search(label.text)) and bool(_BRACKET_TAIL.match(s))
    )


def _wrapped_label(vocab: Vocabulary, tokens: list[Token], k: int) -> tuple[Token, int] | None:
    """The longest run of short cells from ``k`` whose text together is a label its first cell is not."""
    if tokens[k].kind not in ("text", "level1", "level2") or len(tokens[k].text) > MAX_LABEL_PART_CHARS:
        return None
    parts = [tokens[k]]
    for tok in tokens[k + 1 : k + MAX_LABEL_CELLS]:
        if tok.kind == "number" or len(tok.text) > MAX_LABEL_PART_CHARS or not CJK.search(tok.text):
            break
        parts.append(tok)
    for n in range(len(parts), 1, -1):
        words = [w for t in parts[:n] for w in t.words]
        candidate = _classify(vocab, words)
        if candidate.kind in ("text", "number") or (
            candidate.kind == tokens[k].kind and candidate.role == tokens[k].role
        ):
            continue
        if any(t.kind not in ("text", "level1", "level2") for t in parts[1:n]):
            continue
        return candidate, n
    return None


def _with_words(vocab: Vocabulary, tok: Token, more: list[Word], keep: Token) -> Token:
    return Token([*tok.words, *more], keep.kind, keep.role, keep.groups)


def _classify(vocab: Vocabulary, words: list[Word]) -> Token:
    s = normalize("".join(w.text for w in words))
    if vocab.is_title(s):
        return Token(words, "title")
    if _HEADING.match(s):
        return Token(words, "heading")  # 三、综合评价情况及评价结论: a report's heading, not a cell
    if len(words) == 1 and is_amount(vocab, words[0]):
        return Token(words, "number")
    bare = BRACKETED_ONLY.sub("", s)
    level1, level2 = _exact_level(vocab, bare, 1), _exact_level(vocab, bare, 2)
    if level1 is not None or level2 is not None:
        # 成本指标 is both: a 一级 of the 2021 template, a 二级 of the older one.
        return Token(words, "level1" if level1 else "level2", level1 or level2, {"level2": level2} if level2 else {})
    groups = {g: m.role for g, m in vocab.match_each_group(s).items() if g in _HEADER_GROUPS}
    if groups:
        return Token(words, "column", groups=groups)
    for group in _LABEL_GROUPS:
        m = vocab.match(s, group)
        if m is not None:
            return Token(
                words, "field" if group == "fields" else "section" if group == "sections" else "ignore", m.role
            )
    return Token(words, "text")


_AMOUNT = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?")


def is_amount(vocab: Vocabulary, word: Word) -> bool:
    """A number, a dash, or a number and its unit (615万元, 130家): what fills a numeric cell."""
    if is_value(word):
        return True
    s = normalize(word.text)
    m = _AMOUNT.match(s)
    return m is not None and s[m.end() :] in vocab.value_units


def _exact_level(vocab: Vocabulary, text: str, level: int) -> str | None:
    """A level label printed whole (a name such as 满意度 that is also a short variant only
    counts where a row's name cannot stand: see _StreamReader._indicator)."""
    table = vocab.level1 if level == 1 else vocab.level2
    key = label_key(text)
    return next((canon for canon, variants in table.items() if key in variants), None)


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


def _text_cells(tokens: list[Token], n: int) -> list[list[Word]]:
    """A row's texts as its ``n`` text cells (name, target, actual): the name runs to the first
    value (a number, a comparison); cells wrapped over lines are parted where each line but a
    cell's last fills its width."""
    first = next((k for k, t in enumerate(tokens) if k > 0 and _is_value_cell(t)), None)
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


def _is_value_cell(tok: Token) -> bool:
    """A number, or a target opening with a comparison sign (≥90%, ≤1天)."""
    return tok.kind == "number" or bool(_COMPARISON.match(tok.text))


_COMPARISON = re.compile(r"[≥≤<>=＝＞＜]")


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
        self.goal_words: list[Word] = []
        self.goal_chars: list[Word] = []  # lone characters among the goals: a vertical label's

    def token(self, words: list[Word]) -> Token:
        return _classify(self.vocab, words)

    def run(self, builder: PageBuilder, toks: list[Token]) -> None:
        self.out, self.toks, self.pos = builder, toks, 0
        while self.pos < len(self.toks):
            tok = self.toks[self.pos]
            if self._header(tok) or self._section_label(tok) or self._field(tok):
                continue
            if self.section == "funds" and self._fund_row():
                continue
            if self.section in (None, "goals") and self._headerless_rows():
                continue
            if self.section == "goals" and tok.kind in ("text", "number"):
                if len(tok.text) > 1 or not _opens_line(self.toks, self.pos):
                    # A lone character opening its line is a vertical label's, not a goal's.
                    self.goal_words += tok.words
                else:
                    self.goal_chars += tok.words
                    self.out.free_words += tok.words
                self.pos += 1
                continue
            if self.section == "indicators" and self._indicator():
                continue
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
        self.level1, self.level2 = [], []
        return True

    def _row_shape(self, k: int) -> bool:
        """A name on one or two lines, then only values: a target, an actual, 分值 and 得分."""
        end = k
        while end < len(self.toks) and end - k < MAX_NAME_LINES and self._name_piece(self.toks[end]):
            end += 1
        if end == k:
            return False
        values = []
        while end < len(self.toks) and _is_value_cell(self.toks[end]):
            values.append(self.toks[end])
            end += 1
        numbers = [parse_number(t.text) for t in values[-2:] if t.kind == "number"]
        return (
            len(values) >= MIN_SHAPE_VALUES
            and len(numbers) == 2
            and all(n is not None and 0 <= n <= MAX_WEIGHT for n in numbers)
        )

    def _name_piece(self, tok: Token) -> bool:
        return tok.kind == "text" and 1 < len(tok.text) <= MAX_NAME_CHARS and not _is_value_cell(tok)

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
        run = [t for t in run if group in t.groups]
        section = SECTION_OF_GROUP[group]
        self._close_goals()
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
        self.level1, self.level2 = [], []
        self.pos += len(run)
        return True

    def _header_group(self, run: list[Token]) -> str | None:
        """The group most of the run's labels belong to; one label alone is a header only in
        the goals (预期目标 may print without its partner) or after its section's label."""
        counts = {g: sum(g in t.groups for t in run) for g in _HEADER_GROUPS}
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
        return True

    # -- fields ----------------------------------------------------------------------------
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
    def _fund_row(self) -> bool:
        """An item (a label wrapped over cells) and the numbers after it, in column order."""
        if not self.columns:
            return False
        item: list[Word] = []
        k = self.pos
        while k < len(self.toks) and self.toks[k].kind == "text" and len(item) < 3:
            item += self.toks[k].words
            k += 1
        values: list[Word] = []
        while k < len(self.toks) and self.toks[k].kind == "number":
            values += self.toks[k].words
            k += 1
        if not item or not values:
            return False
        cols = self.columns
        item_col = next((c for c in cols if c[0] == "item"), (None, 0.0, LABEL_WIDTH))
        slots = [c for c in cols if c[0] != "item"]
        cells = [(item_col[1], item_col[2], item)] + [
            (x0, x1, [w]) for (_, x0, x1), w in zip(slots, values, strict=False)
        ]
        self.out.row(cells)
        self.pos = k
        return True

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
        if tok.kind in ("level1", "level2") and not (nxt is not None and _is_value_cell(nxt)):
            if (
                tok.kind == "level1"
                and tok.groups.get("level2")
                and self.level1
                and (nxt is None or nxt.kind != "level2")
            ):
                self.level2 = tok.words  # 成本指标 under a 一级 already printed, no 二级 after it
            elif tok.kind == "level1":
                self.level1, self.level2 = tok.words, []
            else:
                self.level2 = tok.words
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
        cells_text = _text_cells([*texts, *leading], len(wanted))
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
