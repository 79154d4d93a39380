"""Build models/char_pairs.txt: character pairs that ordinary Chinese words are made of.

The recogniser reads each character of a coarse scan on its own; when it is unsure between
two shapes (指/措, 维/雄), the pair a candidate makes with its neighbour tells which one a
word holds (指标 is a word, 措标 is not). A pair's score is how much more often it stands
inside jieba's dictionary words (weighted by word frequency) than its two characters'
frequencies predict, in natural log: ln((n(ab) + C) / (n(a)·n(b)/N + C)). Only pairs seen
often enough and scoring clearly above chance are kept; an absent pair scores 0, so a pair
never counts against a reading.

jieba's dictionary is general Chinese, not these forms: nothing of the forms themselves (the
seeds, the gold) goes in, so what it fixes on the generated scans it fixes on any form.

    python scripts/build_char_pairs.py
"""

from __future__ import annotations

import collections
import itertools
import math
from pathlib import Path

from build_common_chars import jieba_words

OUT = Path(__file__).resolve().parent.parent / "models" / "char_pairs.txt"
SMOOTHING = 5.0
MIN_COUNT = 100
MIN_SCORE = 1.0


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def main() -> None:
    chars: collections.Counter[str] = collections.Counter()
    pairs: collections.Counter[str] = collections.Counter()
    for word, count in jieba_words():
        for ch in word:
            chars[ch] += count
        for a, b in itertools.pairwise(word):
            if is_cjk(a) and is_cjk(b):
                pairs[a + b] += count
    total = sum(chars.values())
    kept = []
    for pair, n in pairs.items():
        expected = chars[pair[0]] * chars[pair[1]] / total
        score = math.log((n + SMOOTHING) / (expected + SMOOTHING))
        if n >= MIN_COUNT and score >= MIN_SCORE:
            kept.append(f"{pair} {score:.1f}")
    kept.sort()
    header = "# pair score: ln of how much likelier the pair is in words than by chance (scripts/build_char_pairs.py)"
    OUT.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    print(f"wrote {len(kept)} pairs to {OUT}")


if __name__ == "__main__":
    main()
