"""Build models/domain_bigrams.txt: character pairs of real, clean self-evaluation forms.

jieba's dictionary knows which characters sit together inside a word; it says nothing of
how these forms string words together (一是…二是…五是…, 绩效指标, 年度资金总额). This counts
adjacent CJK pairs in clean real forms, with every run of non-CJK characters (digits,
punctuation, line breaks) written as one space, so sentence starts and ends count too.

The corpus is seed 000 (a clean Guizhou PDF's text dump), its hand-checked forms, and the
label vocabulary. Seed 001 (the garbled Shanghai PDF) and seeds 003/004 are left out on
purpose: tier 3 is measured on 001, and 003/004 are its held-out clean controls.

    python scripts/build_domain_bigrams.py
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "models" / "domain_bigrams.txt"
NON_CJK = re.compile(r"[^\u3400-\u9fff]+")


def strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() if not str(k).startswith("_") for s in strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in strings(v)]
    return []


def corpus() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples" / "seeds").glob("000_*.txt"))]
    for path in sorted((ROOT / "samples" / "gold").glob("000_*.json")):
        texts += strings(json.loads(path.read_text(encoding="utf-8")))
    texts += strings(json.loads((ROOT / "models" / "labels.json").read_text(encoding="utf-8")))
    return texts


def main() -> None:
    pairs: Counter[str] = Counter()
    for text in corpus():
        flat = " " + NON_CJK.sub(" ", text) + " "
        for a, b in itertools.pairwise(flat):
            if a != " " or b != " ":
                pairs[a + b] += 1
    lines = [f"{pair}\t{n}" for pair, n in sorted(pairs.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(pairs)} pairs to {OUT}")


if __name__ == "__main__":
    main()
