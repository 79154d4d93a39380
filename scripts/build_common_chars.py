"""Build models/common_chars.txt: the CJK characters ordinary Chinese text is made of.

A character counts as common when the words containing it in jieba's dictionary (an
installed dependency) add up to at least MIN_FREQUENCY occurrences. Garbled text layers
show characters a few code points off the true ones, which are mostly outside this set.

    python scripts/build_common_chars.py
"""

from __future__ import annotations

import collections
from pathlib import Path

from ocrform.dictionary import jieba_words

MIN_FREQUENCY = 100
OUT = Path(__file__).resolve().parent.parent / "models" / "common_chars.txt"


def main() -> None:
    freq: collections.Counter[str] = collections.Counter()
    for word, count in jieba_words():
        for ch in word:
            freq[ch] += count
    common = sorted(c for c, n in freq.items() if n >= MIN_FREQUENCY and "\u3400" <= c <= "\u9fff")
    lines = ["".join(common[i : i + 100]) for i in range(0, len(common), 100)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(common)} characters to {OUT}")


if __name__ == "__main__":
    main()
