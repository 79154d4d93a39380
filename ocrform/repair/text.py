"""Tier 3: statistical repair of a shifted text layer from the text alone.

The defect: a producer wrote runs of a font's sorted characters as one ToUnicode bfrange, so the
k-th character of a run extracts as (run start + k), i.e. a few code points below its true value.
Each distinct extracted character is one unknown of a per-document permutation; we decide it by
comparing a character bigram language model (jieba's dictionary plus the form label vocabulary)
over all occurrences of that character, with and without the substitution.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba

MODELS = Path(__file__).resolve().parents[2] / "models"
MAX_RUN_INDEX = 5  # how far below a garbled char its run's first char may lie
MAX_SHIFT = 40  # how far above a garbled char its true char may lie
MIN_GAIN = 6.0  # log-likelihood gain per document needed to accept a substitution
MIN_GAIN_PER_USE = 1.5
RARE_CHAR = 1e-6  # unigram probability below which a char counts as rare
MIN_RARE_REPAIRS = 3  # substitutions needed before a document counts as garbled


@dataclass
class TextRepair:
    text: str
    repairs: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, method)
    score: float = 0.0  # share of CJK characters changed
    garbled: bool = False


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, float], dict[str, float], float, float]:
    uni: Counter[str] = Counter()
    bi: Counter[str] = Counter()
    dict_path = Path(jieba.__file__).parent / "dict.txt"
    with dict_path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2:
                continue
            word, freq = parts[0], float(parts[1])
            for i, ch in enumerate(word):
                uni[ch] += freq
                if i:
                    bi[word[i - 1 : i + 1]] += freq
    labels = json.loads((MODELS / "labels.json").read_text(encoding="utf-8"))
    for text in _strings(labels):
        for i, ch in enumerate(text):
            uni[ch] += 2000.0
            if i and _is_cjk(text[i - 1]) and _is_cjk(ch):
                bi[text[i - 1 : i + 1]] += 2000.0
    total_uni = sum(uni.values())
    total_bi = sum(bi.values())
    return dict(uni), dict(bi), total_uni, total_bi


def _strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() if not k.startswith("_") for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def _unigram(ch: str) -> float:
    uni, _, total_uni, _ = _model()
    return uni.get(ch, 0.0) / total_uni


def _pair_score(a: str, b: str) -> float:
    """log P(b | a) smoothed with the unigram; 0 contribution for non-CJK neighbours."""
    uni, bi, total_uni, _ = _model()
    p_uni = (uni.get(b, 0.0) + 0.5) / total_uni
    if not (_is_cjk(a) and _is_cjk(b)):
        return math.log(p_uni)
    p_bi = (bi.get(a + b, 0.0)) / (uni.get(a, 0.0) + 1.0)
    return math.log(0.7 * p_bi + 0.3 * p_uni)


def _context_score(chars: list[str], positions: list[int], ch: str) -> float:
    total = 0.0
    n = len(chars)
    for p in positions:
        left = chars[p - 1] if p > 0 else " "
        right = chars[p + 1] if p + 1 < n else " "
        total += _pair_score(left, ch)
        if _is_cjk(right):
            total += _pair_score(ch, right) - _pair_score(" ", right)
    return total


def _best_target(
    chars: list[str],
    g: str,
    positions: list[int],
    present: set[str],
    mapping: dict[str, str],
    floor: float = 0.0,
) -> tuple[str | None, float]:
    code = ord(g)
    base = _context_score(chars, positions, g)
    best, best_gain = None, floor
    for d in range(1, MAX_SHIFT + 1):
        t = chr(code + d)
        # Extracted chars between g and its true char must be the rest of g's run.
        if d > 1 and chr(code + d - 1) in present and not all(
            chr(c) in present for c in range(code + 1, code + d)
        ):
            break
        if t in mapping.values() or not _monotone(g, t, mapping):
            continue
        gain = _context_score(chars, positions, t) - base
        if gain > best_gain:
            best, best_gain = t, gain
    return best, best_gain


def _monotone(g: str, t: str, mapping: dict[str, str]) -> bool:
    """Runs are cut from one sorted list, so extracted order equals true order across the font."""
    return all((g2 < g) == (t2 < t) for g2, t2 in mapping.items())


def _resolve_chains(
    chars: list[str], where: dict[str, list[int]], mapping: dict[str, str]
) -> dict[str, str]:
    """Make the mapping monotone over every extracted char.

    g -> t jumps over the extracted chars in (g, t]; those cannot stay unchanged (the true order
    would break), so each must move up too: to its best target whatever the gain (common chars such
    as 不 or 于 are often garbled forms the language model alone cannot prefer), or g is dropped.
    """
    present = set(where)
    while True:
        blocked = next(
            (
                (g, chr(c))
                for g, t in sorted(mapping.items())
                for c in range(ord(g) + 1, ord(t) + 1)
                if chr(c) in present and chr(c) not in mapping
            ),
            None,
        )
        if blocked is None:
            return mapping
        g, x = blocked
        t, _ = _best_target(chars, x, where[x], present, mapping, floor=-math.inf)
        if t is None:
            del mapping[g]
            for p in where[g]:
                chars[p] = g
        else:
            mapping[x] = t
            for p in where[x]:
                chars[p] = t


def repair_text(text: str) -> TextRepair:
    chars = list(text)
    where: dict[str, list[int]] = {}
    for i, ch in enumerate(chars):
        if _is_cjk(ch):
            where.setdefault(ch, []).append(i)
    present = set(where)
    # Only rare chars open a substitution; a common char moves only when a chain forces it.
    suspects = [
        g
        for g in where
        if _unigram(g) < RARE_CHAR
        and any(chr(ord(g) - k) in present for k in range(1, MAX_RUN_INDEX + 1))
    ]
    mapping: dict[str, str] = {}
    # Best-first: the surest substitution is fixed first and sharpens its neighbours' context.
    while True:
        scored = []
        for g in suspects:
            if g in mapping:
                continue
            t, gain = _best_target(chars, g, where[g], present, mapping)
            if t is not None and gain >= max(MIN_GAIN, MIN_GAIN_PER_USE * len(where[g])):
                scored.append((gain, g, t))
        if not scored:
            break
        _, g, t = max(scored)
        mapping[g] = t
        for p in where[g]:
            chars[p] = t
    mapping = _resolve_chains(chars, where, mapping)
    # A clean document never shows rare characters that read as a common one a few code points up;
    # without that evidence every substitution is a language-model guess and is refused.
    if len(mapping) < MIN_RARE_REPAIRS:
        mapping = {}
    chars = [mapping.get(ch, ch) for ch in text]
    repairs = [(g, t, "statistical") for g, t in sorted(mapping.items())]
    changed = sum(len(where[g]) for g in mapping)
    n_cjk = sum(len(v) for v in where.values()) or 1
    return TextRepair("".join(chars), repairs, changed / n_cjk, bool(mapping))
