"""Choosing among a recogniser's candidate characters by the words they make.

On a coarse or thresholded scan the recogniser is often unsure between look-alike shapes:
措标 for 指标, 雄护 for 维护, 达成年度推标. Where it keeps the right character as a real
runner-up (a few per cent and more), the pair that character makes with its neighbours
tells the two apart. The pair scores (models/char_pairs.txt, built from jieba's general
dictionary by scripts/build_char_pairs.py) only ever reward a pair that ordinary words are
made of; an unknown pair scores 0, so a rare name or term stays as read, and a character
the recogniser did not offer is never put in.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

CHAR_PAIRS = Path(__file__).resolve().parent.parent.parent / "models" / "char_pairs.txt"
# A pair's score against the recogniser's log-probabilities: 1.5 and 2 did best on the
# generated heavy scans (1 and 3 each gave back a few fields).
PAIR_WEIGHT = 1.5
# A candidate is a character the recogniser gives at least this probability.
MIN_CANDIDATE = 0.02


@cache
def char_pairs() -> dict[str, float]:
    pairs = {}
    for line in CHAR_PAIRS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            pair, score = line.split(" ")
            pairs[pair] = float(score)
    return pairs


def choose_characters(candidates: list[list[tuple[str, float]]]) -> str:
    """The text whose characters, one from each position's candidates, best combine the
    recogniser's probabilities with the pair scores (a Viterbi pass over the positions).

    Each position lists (character, probability), the recogniser's own reading first.
    """
    pairs = char_pairs()
    # Each entry: (score, text so far) of the best path ending in that candidate.
    paths = [(math.log(p), ch) for ch, p in candidates[0]] if candidates else []
    for options in candidates[1:]:
        step = []
        for ch, p in options:
            score, text = max(((s + PAIR_WEIGHT * pairs.get(t[-1] + ch, 0.0), t) for s, t in paths), key=_first)
            step.append((score + math.log(p), text + ch))
        paths = step
    return max(paths, key=_first)[1] if paths else ""


def _first(item: tuple[float, str]) -> float:
    return item[0]
