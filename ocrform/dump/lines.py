"""A dump's lines as words on a synthetic page, and what their shape says.

Line ``n`` of a page is a row at ``y = n * LINE_HEIGHT`` and a token's x is its character
offset times ``CHAR_WIDTH``, which keeps every value traceable to its line and column in the
file. The helpers here judge single lines and runs of lines: values, labels, double spacing,
and the widths a column's lines wrap at (to part texts a dump ran together).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache

from ocrform.dictionary import word_frequencies
from ocrform.form.labels import Vocabulary, vocabulary
from ocrform.form.numbers import parse_number
from ocrform.form.spans import PLACEHOLDER
from ocrform.model import Box, Word
from ocrform.text import normalize

ORIGIN = "text-dump"
LINE_HEIGHT = 12.0
CHAR_WIDTH = 6.0
# The synthetic table: a narrow column for tall section labels, the rest split among columns.
FRAME_WIDTH = 1000.0
LABEL_WIDTH = 60.0
# Share of text lines followed by a blank line above which a dump is double-spaced
# (measured: pdftotext's raw order in seed 001, 89%; other dumps at most 75%, see double_spaced).
DOUBLE_SPACED_SHARE = 0.85
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
TOKEN = re.compile(r"\S+")
BRACKETED_ONLY = re.compile(r"[(（][^()（）]*[)）]")
COLON = re.compile(r"[:：]")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass
class DumpLine:
    index: int  # line number on its page
    text: str
    words: list[Word]

    @property
    def norm(self) -> str:
        return normalize(self.text)


def double_spaced(lines: list[str]) -> bool:
    """Whether a blank line follows nearly every text line, so that a lone one says nothing.

    pdftotext without -layout writes one after 89% of seed 001's lines; dumps whose blank
    lines separate rows have them after 55-75% (seed 000, 59%; the cell-order dumps of every
    generated layout, at most 75%).
    """
    content = [n for n, s in enumerate(lines) if s.strip()]
    followed = [n for n in content if n + 1 < len(lines) and not lines[n + 1].strip()]
    return bool(content) and len(followed) >= DOUBLE_SPACED_SHARE * len(content)


def spacing_blanks(lines: list[str]) -> set[int]:
    """The lone blank lines of a double-spaced page (longer blank runs still separate)."""
    return {
        n
        for n, s in enumerate(lines)
        if not s.strip() and 0 < n < len(lines) - 1 and lines[n - 1].strip() and lines[n + 1].strip()
    }


def dump_line(n: int, text: str, page: int) -> DumpLine:
    """A line's tokens as words; runs of single CJK characters (资 金 来 源, 总    分) are one word."""
    spans: list[tuple[int, int]] = []
    for m in TOKEN.finditer(text):
        single = len(m.group()) == 1 and CJK.match(m.group())
        if single and spans and single_cjk_run(text, spans[-1]):
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    spans = _values_with_units(text, spans)
    words = [dump_word(text, a, b, n, page) for a, b in spans]
    return DumpLine(n, text, words)


_NUMBER_TOKEN = re.compile(r"[≥≤<>=＝＞＜]?\d[\d.,]*%?")


def _values_with_units(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A number and the unit one space after it are one value (45 个, ≤1 天, 35 万元)."""
    units = vocabulary().value_units
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if (
            out
            and a == out[-1][1] + 1
            and text[b - 1 : b] != " "
            and text[a:b] in units
            and _NUMBER_TOKEN.fullmatch(text[out[-1][0] : out[-1][1]])
        ):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def single_cjk_run(text: str, span: tuple[int, int]) -> bool:
    return all(len(t) == 1 and CJK.match(t) for t in text[span[0] : span[1]].split())


def dump_word(text: str, a: int, b: int, n: int, page: int) -> Word:
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


def is_value(word: Word) -> bool:
    """A number or a printed dash: what fills a numeric column."""
    s = normalize(word.text)
    return bool(PLACEHOLDER.fullmatch(s)) or (parse_number(s) is not None and not CJK.search(s.rstrip("分元%")))


TEXT_ROLES = ("name", "target", "actual")


def texts_before_values(words: list[Word]) -> int | None:
    """How many words stand before a row's closing 分值 得分 pair; None when the line has none."""
    for k in range(len(words) - 2, -1, -1):
        if is_value(words[k]) and is_value(words[k + 1]) and parse_number(normalize(words[k].text)) is not None:
            return k
    return None


def inline_pair(text: str) -> bool:
    """``label：value`` on one line (a colon inside brackets, as in （单位：元）, does not count)."""
    parts = COLON.split(BRACKETED_ONLY.sub("", text), maxsplit=1)
    return len(parts) == 2 and bool(parts[1])


def is_label(vocab: Vocabulary, text: str) -> bool:
    return vocab.match(text, "fields", "sections", "ignore") is not None


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def split_by_width(words: list[Word]) -> list[list[Word]]:
    """One block of lines that holds two columns' texts one after the other (a dump that
    wrote each cell's lines in turn): split after a paragraph's end where the lines on each
    side keep closest to one wrap width of their own (seed 001: 27 characters, then 24-25).
    No split when the two widths would not differ."""
    lines: dict[float, list[Word]] = {}
    for w in words:
        lines.setdefault(w.box.y0, []).append(w)
    rows = [lines[y] for y in sorted(lines)]
    widths = [display_width("".join(w.text for w in ws)) for ws in rows]
    best: tuple[float, int] | None = None
    whole = wrap_width(widths)[1]
    for k in range(2, len(rows) - 1):
        if widths[k - 1] >= max(widths[:k]) - 2 and not rows[k - 1][-1].text.endswith("。"):
            continue  # a full line ends no paragraph
        before, after = wrap_width(widths[:k]), wrap_width(widths[k:])
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


def partition_lines(blocks: list[list[Word]], parts: int) -> list[list[Word]] | None:
    """The lines of ``blocks`` (in order) as ``parts`` cells, each the consecutive lines one
    column wrapped: every line but a cell's last fills the cell's width. Blocks already apart
    (words apart on one line) stay apart; no cell ends inside a word that runs on over the
    line break (建 / 设). Of partitions that fit equally, the one that starts a cell at every
    line opening with a value's comparison sign (≥99.99% begins a target, it does not end a
    wrapped name), then the one with the most even cells. None when there are not enough lines."""
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
    widths = [display_width(t) for t in texts]
    free = [k for k in range(1, len(units)) if k not in forced and not _word_runs_on(texts[k - 1], texts[k])]
    opens = {k for k in range(1, len(units)) if _COMPARISON_START.match(texts[k])}
    best: tuple[float, int, float, tuple[int, ...]] | None = None
    for extra in itertools.combinations(free, parts - 1 - len(forced)):
        cuts = sorted({*forced, *extra})
        groups = [widths[a:b] for a, b in itertools.pairwise([0, *cuts, len(units)])]
        cost = sum(max(g) - w for g in groups for w in g[:-1])
        inside = len(opens - set(cuts))
        sizes = [len(g) for g in groups]
        spread = max(sizes) - min(sizes)
        if best is None or (cost, inside, spread) < best[:3]:
            best = (cost, inside, spread, tuple(cuts))
    if best is None:
        return None
    bounds = [0, *best[3], len(units)]
    return [[w for u in units[a:b] for w in u] for a, b in itertools.pairwise(bounds)]


_COMPARISON_START = re.compile(r"[≥≤<>=＝＞＜]")


@cache
def _common_words() -> frozenset[str]:
    return frozenset(w for w, f in word_frequencies().items() if f >= RUN_ON_WORD_FREQUENCY and len(w) >= 2)


def _word_runs_on(a: str, b: str) -> bool:
    """Whether a common word starts at the end of ``a`` and ends at the start of ``b``."""
    words = _common_words()
    return any(a[-i:] + b[:j] in words for i in (1, 2) for j in (1, 2) if len(a) >= i and len(b) >= j)


def wrap_width(widths: list[int]) -> tuple[float, float]:
    """(wrap width, how far the full lines stray from it) of one column's lines: its full
    lines are those near its widest (a paragraph's last line is not)."""
    top = max(widths)
    full = sorted(w for w in widths if w >= FULL_LINE_SHARE * top)
    width = float(full[len(full) // 2])
    return width, sum(abs(w - width) for w in full)


def joined_norm(words: list[Word]) -> str:
    return normalize("".join(w.text for w in words))


def number(words: list[Word]) -> float | None:
    return parse_number(normalize("".join(w.text for w in words))) if words else None


def total_tail(vocab: Vocabulary, word: Word) -> tuple[Word, Word] | None:
    """``94.06总分`` as its number and its label, each with its own characters' boxes."""
    m = re.fullmatch(r"([\d.,]+)(\D+)", word.text)
    if m is None or (found := vocab.match(m.group(2), "sections")) is None or found.role != "total":
        return None
    k = len(m.group(1))
    return piece(word, 0, k), piece(word, k, len(word.text))


def piece(word: Word, a: int, b: int) -> Word:
    boxes = word.char_boxes[a:b]
    box = Box(boxes[0].x0, boxes[0].y0, boxes[-1].x1, boxes[-1].y1)
    return replace(word, text=word.text[a:b], box=box, char_boxes=boxes)
