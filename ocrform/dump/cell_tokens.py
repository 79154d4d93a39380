"""The cells of a dump printed one cell a line, as typed tokens (``ocrform.dump.stream``).

Each tab-parted cell of a line is a word; a token is one cell, or a label whose pieces a
dump printed over several cells (项目资金 / （元）, 绩 / 效 / 指 / 标, 可持续影 / row / 响指 / 标),
joined by the vocabulary (models/labels.json), with what it is: a title, a report heading,
a field label, a section label, a column label (with its role in each header group), a level
label, a number, or text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ocrform.dump.lines import BRACKETED_ONLY, CJK, LINE_HEIGHT, dump_word, is_value, piece
from ocrform.form.labels import HEADING_NUMBER, Vocabulary, label_key
from ocrform.model import Word
from ocrform.text import normalize

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
# Form tables' header groups; a scoring table's (附件 绩效评价指标体系) is told apart so that its
# rows are not taken for indicators.
TABLE_GROUPS = ("fund_columns", "goal_columns", "indicator_columns")
HEADER_GROUPS = (*TABLE_GROUPS, "rubric_columns")
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


def line_cells(line: str, n: int, page: int) -> list[Word]:
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


def join_labels(vocab: Vocabulary, tokens: list[Token]) -> list[Token]:
    """Labels wrapped over cells, or printed a character a cell, as one token; a bracketed
    tail ((元), (A), (50分)) joins the label before it."""
    tokens = [part for tok in tokens for apart in _number_apart(vocab, tok) for part in _labels_apart(vocab, apart)]
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


def interleaved_levels(vocab: Vocabulary, tokens: list[Token]) -> list[Token]:
    """A merged level cell printed a few characters a line beside the rows it spans (可持续影 /
    row / 响指 / 标): its pieces are the short texts that open their lines, and together they
    spell a level label. The label takes its first piece's place, before the rows it spans."""
    opens = [
        k for k, t in enumerate(tokens) if _level_piece(t) and (opens_line(tokens, k) or _level_piece(tokens[k - 1]))
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
            if exact_level(vocab, text, 1) or exact_level(vocab, text, 2):
                break
        if len(chain) < 2:
            continue
        joined = classify(vocab, [w for c in chain for w in tokens[c].words])
        if joined.kind not in ("level1", "level2"):
            continue
        out[k] = joined
        taken.update(chain[1:])
    return [t for k, t in enumerate(out) if k not in taken]


def opens_line(tokens: list[Token], k: int) -> bool:
    return k == 0 or tokens[k - 1].words[-1].box.y0 != tokens[k].words[0].box.y0


def _level_piece(tok: Token) -> bool:
    return tok.kind == "text" and 1 <= len(tok.text) <= MAX_PIECE_CHARS and all(CJK.match(ch) for ch in tok.text)


def _level_prefix(vocab: Vocabulary, text: str) -> bool:
    key = label_key(text)
    return any(v.startswith(key) for table in (vocab.level1, vocab.level2) for vs in table.values() for v in vs)


_LEADING_NUMBER = re.compile(r"^-?\d[\d.,]*%?")


def _number_apart(vocab: Vocabulary, tok: Token) -> list[Token]:
    """A value glued to the label drawn after it (0全年预算数): the number, then the label."""
    word = tok.words[0]
    m = _LEADING_NUMBER.match(word.text)
    if len(tok.words) != 1 or tok.kind in ("text", "number", "title") or m is None:
        return [tok]
    k = m.end()
    return [classify(vocab, [piece(word, 0, k)]), classify(vocab, [piece(word, k, len(word.text))])]


def _labels_apart(vocab: Vocabulary, tok: Token) -> list[Token]:
    """Two column labels one cell holds (全年预算数（A）全年执行数（B）: a header cell too narrow
    for a line break between them), as two tokens, parted where each half is one label."""
    if tok.kind != "text" or len(tok.words) != 1:
        return [tok]
    word = tok.words[0]
    for group in TABLE_GROUPS:
        roles = vocab.split_labels(word.text, group)
        if not roles or len(roles) != 2:
            continue
        for k in range(2, len(word.text) - 1):
            left, right = vocab.match(word.text[:k], group), vocab.match(word.text[k:], group)
            if left and right and (left.role, right.role) == tuple(roles) and not left.distance + right.distance:
                return [classify(vocab, [piece(word, 0, k)]), classify(vocab, [piece(word, k, len(word.text))])]
    return [tok]


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
    groups = (*HEADER_GROUPS, *_LABEL_GROUPS)
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
        candidate = classify(vocab, words)
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


def classify(vocab: Vocabulary, words: list[Word]) -> Token:
    s = normalize("".join(w.text for w in words))
    if vocab.is_title(s):
        return Token(words, "title")
    if HEADING_NUMBER.match(s):
        return Token(words, "heading")  # 三、综合评价情况及评价结论: a report's heading, not a cell
    if len(words) == 1 and is_amount(vocab, words[0]):
        return Token(words, "number")
    bare = BRACKETED_ONLY.sub("", s)
    level1, level2 = exact_level(vocab, bare, 1), exact_level(vocab, bare, 2)
    if level1 is not None or level2 is not None:
        # 成本指标 is both: a 一级 of the 2021 template, a 二级 of the older one.
        return Token(words, "level1" if level1 else "level2", level1 or level2, {"level2": level2} if level2 else {})
    groups = {g: m.role for g, m in vocab.match_each_group(s).items() if g in HEADER_GROUPS}
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


def exact_level(vocab: Vocabulary, text: str, level: int) -> str | None:
    """A level label printed whole (a name such as 满意度 that is also a short variant only
    counts where a row's name cannot stand: see _StreamReader._indicator)."""
    table = vocab.level1 if level == 1 else vocab.level2
    key = label_key(text)
    return next((canon for canon, variants in table.items() if key in variants), None)


def is_value_cell(tok: Token) -> bool:
    """A number, or a target opening with a comparison sign (≥90%, ≤1天)."""
    return tok.kind == "number" or bool(_COMPARISON.match(tok.text))


_COMPARISON = re.compile(r"[≥≤<>=＝＞＜]")
