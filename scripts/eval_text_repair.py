"""Tier-3 repair rate: garble clean texts with the shifted-ToUnicode defect, repair, compare.

    .venv/bin/python scripts/eval_text_repair.py               # 10 seeds per text
    .venv/bin/python scripts/eval_text_repair.py --seeds 3
    .venv/bin/python scripts/eval_text_repair.py --dense     # runs cut over the whole font

The texts are the real seeds as clean text: 001 restored with its checked truth table
(samples/seeds/001_truth.json), 003 and 004 as they are (all three are outside the domain
pair corpus the model reads), and 000 (inside it, reported apart). Each is garbled with
ocrform.synth.garble_text under several seeds, with runs as sparse as seed 001's (or, with
--dense, runs cut over every character: far beyond what the model can untangle). The real
garbled seed 001 is reported too.
Counts are character occurrences: repaired (now the true character), wrong (changed, but
not to the truth, including clean characters changed) and missed (garbled and left).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from ocrform.repair.text import repair_text
from ocrform.synth.garble_text import garble_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "seeds"


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def seed_001_truth() -> dict[str, str]:
    return json.loads((SEEDS / "001_truth.json").read_text(encoding="utf-8"))["truth"]


def score(garbled: str, truth: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    result = repair_text(garbled)
    seconds = time.perf_counter() - start
    fixed = dict((g, t) for g, t, _ in result.repairs)
    counts = {"garbled": 0, "repaired": 0, "wrong": 0, "missed": 0}
    for ch in garbled:
        want = truth.get(ch, ch)
        got = fixed.get(ch, ch)
        counts["garbled"] += want != ch
        if got != ch:
            counts["repaired" if got == want else "wrong"] += 1
        elif want != ch:
            counts["missed"] += 1
    return {**counts, "seconds": seconds, "detected": result.garbled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--dense", action="store_true", help="cut runs over every character")
    args = parser.parse_args()
    truth_001 = seed_001_truth()
    clean_001 = "".join(truth_001.get(ch, ch) for ch in seed_text("001"))
    texts = {"001": clean_001, "003": seed_text("003"), "004": seed_text("004"), "000 (in corpus)": seed_text("000")}
    rows = {"real seed 001": score(seed_text("001"), truth_001)}
    for name, text in texts.items():
        total: dict[str, float] = {}
        for seed in range(args.seeds):
            garbled = garble_text(text, random.Random(seed), sparse=not args.dense)
            row = score(garbled.text, garbled.truth)
            for key, value in row.items():
                total[key] = total.get(key, 0) + value
        rows[f"synthetic {name} x{args.seeds}"] = total
        rows[f"clean {name}"] = score(text, {})
    print(f"{'text':28} {'garbled':>8} {'repaired':>9} {'wrong':>6} {'missed':>7} {'rate':>7} {'s/doc':>6}")
    for name, r in rows.items():
        n = args.seeds if name.startswith("synthetic") else 1
        rate = r["repaired"] / r["garbled"] if r["garbled"] else 1.0
        print(
            f"{name:28} {r['garbled']:8.0f} {r['repaired']:9.0f} {r['wrong']:6.0f} {r['missed']:7.0f}"
            f" {rate:7.2%} {r['seconds'] / n:6.2f}"
        )


if __name__ == "__main__":
    main()
