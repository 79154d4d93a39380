"""A cell stream's fund table, read as one block (``ocrform.dump.stream``).

A text box drawn in pieces leaves a fund table's cells in an order no row-by-row reading
undoes (seed 004): an item's label wrapped around the whole block (年度资金总 … 额：), a value
drawn inside its item's lines (其中：本年财 / 0 / 政拨款) or glued to a header label
(0全年预算数), a two-line header printed line by line (分 得 / 值 分), the rows' numbers in one
run after the header. The block is read by what each part is, whatever the order:

- the header: the fund column labels in order, two-line labels paired from their lone
  characters, a label printed before the block (年初预算数) put where the vocabulary's column
  order puts it;
- the items: texts that are a fund item, or become one joined with a later text;
- the values: a run right after an item's first piece is that item's; the runs after
  other parts fill the items in order, each up to the header's width.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ocrform.dump.cell_tokens import Token
from ocrform.dump.lines import BRACKETED_ONLY, CJK
from ocrform.form.labels import Vocabulary
from ocrform.model import Word

# Fund items join at most this many pieces (年度资金总 / 额：).
MAX_ITEM_PIECES = 2


@dataclass
class FundBlock:
    heads: list[tuple[str, list[Word]]]  # (role, label words) per column, the item's first
    rows: list[tuple[list[Word], list[Word]]]  # (item words, values in column order)
    free: list[Word] = field(default_factory=list)  # what no column or row took


def read_fund_block(vocab: Vocabulary, block: list[Token], loose: list[Token]) -> FundBlock:
    """The fund table in ``block``; ``loose`` holds fund column labels printed before it."""
    heads = _header(vocab, block, loose)
    width = len(heads) - 1
    pieces = [k for k, t in enumerate(block) if _item_piece(t)]
    items = _items(vocab, block, pieces)
    values: dict[int, list[Word]] = {first: [] for first, _, _ in items}
    owner_of = {k: first for first, _, ks in items for k in ks}
    orphans: list[Word] = []
    k = 0
    while k < len(block):
        if block[k].kind != "number":
            k += 1
            continue
        run = []
        start = k
        while k < len(block) and block[k].kind == "number":
            run += block[k].words
            k += 1
        owner = owner_of.get(start - 1)
        if owner is not None:
            values[owner] += run
        else:
            orphans += run
    for first, _, _ in items:
        room = max(width - len(values[first]), 0)
        values[first] += orphans[:room]
        orphans = orphans[room:]
    taken = {id(w) for _, ws in heads for w in ws} | {id(w) for _, ws, _ in items for w in ws}
    taken |= {id(w) for ws in values.values() for w in ws}
    free = [w for t in block for w in t.words if id(w) not in taken]
    return FundBlock(heads, [(ws, values[first]) for first, ws, _ in items], free)


def _header(vocab: Vocabulary, block: list[Token], loose: list[Token]) -> list[tuple[str, list[Word]]]:
    placed = [(k, t.groups["fund_columns"], t.words) for k, t in enumerate(block) if "fund_columns" in t.groups]
    placed += _paired_chars(vocab, block)
    placed.sort(key=lambda h: h[0])
    heads = [(role, words) for _, role, words in placed]
    order = list(vocab.groups["fund_columns"])
    for tok in loose:
        role = tok.groups["fund_columns"]
        if role in {r for r, _ in heads}:
            continue
        later = [n for n, (r, _) in enumerate(heads) if r in order and order.index(r) > order.index(role)]
        heads.insert(later[0] if later else len(heads), (role, tok.words))
    if "item" not in {r for r, _ in heads}:
        heads.insert(0, ("item", []))
    return heads


def _paired_chars(vocab: Vocabulary, block: list[Token]) -> list[tuple[int, str, list[Word]]]:
    """A two-line header printed line by line, one character a cell (分 得 / 值 分): the
    first half of the lone characters are the labels' first lines, the second half their
    second; each pair must be a fund column label."""
    chars = [k for k, t in enumerate(block) if t.kind == "text" and len(t.text) == 1 and CJK.match(t.text)]
    if len(chars) < 2 or len(chars) % 2:
        return []
    half = len(chars) // 2
    out = []
    for a, b in zip(chars[:half], chars[half:], strict=True):
        words = block[a].words + block[b].words
        match = vocab.match(block[a].text + block[b].text, "fund_columns")
        if match is None or match.distance:
            return []
        out.append((a, match.role, words))
    return out


def _item_piece(tok: Token) -> bool:
    return (
        tok.kind == "text"
        and len(tok.text) > 1
        and not BRACKETED_ONLY.fullmatch(tok.text)
        and bool(CJK.search(tok.text))
    )


def _items(vocab: Vocabulary, block: list[Token], pieces: list[int]) -> list[tuple[int, list[Word], list[int]]]:
    """(first piece's position, words, pieces' positions) per item, in order; a piece that is no fund item alone
    joins the first later piece with which it is one exactly (年度资金总 + 额：)."""
    used: set[int] = set()
    out = []
    for n, k in enumerate(pieces):
        if k in used:
            continue
        alone = vocab.match(block[k].text, "fund_items")
        words, at = block[k].words, [k]
        if alone is None or alone.distance:
            for j in pieces[n + 1 :]:
                if j in used:
                    continue
                joined = vocab.match(block[k].text + block[j].text, "fund_items")
                if joined is not None and (alone is None or joined.distance < alone.distance):
                    words, at = block[k].words + block[j].words, [k, j]
                    used.add(j)
                    break
        used.add(k)
        out.append((k, words, at))
    return out
