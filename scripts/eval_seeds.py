"""Fields exact on the real seed dumps against their hand-checked gold (samples/gold).

    python scripts/eval_seeds.py                 # one line per seed
    python scripts/eval_seeds.py --errors 30     # with the wrong fields

Each seed's forms are paired in order with `samples/gold/<seed>_fNN.json`; only as many forms
as have gold are scored, and the count of forms found is printed beside the score.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ocrform  # noqa: E402
from ocrform.evaluate import field_accuracy, field_differences  # noqa: E402

SEEDS = ROOT / "samples" / "seeds"
GOLD = ROOT / "samples" / "gold"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", type=int, default=0, help="print this many wrong fields per seed")
    parser.add_argument("--only", default="", help="comma-separated seed prefixes (000,001,...)")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    for path in sorted(SEEDS.glob("*_*.txt")):
        prefix = path.name.split("_")[0]
        gold_paths = sorted(GOLD.glob(f"{prefix}_f*.json"))
        if not gold_paths or (only and prefix not in only):
            continue
        want = [json.loads(p.read_text(encoding="utf-8")) for p in gold_paths]
        got = [f.model_dump(mode="json") for f in ocrform.convert(path).forms]
        exact, total = field_accuracy(got, want)
        found = f"{len(got)} forms found, {len(want)} with gold"
        print(f"{prefix}: {exact}/{total} = {100 * exact / total:.1f}%  ({found})")
        if args.errors:
            for i, (g, w) in enumerate(zip(got, want, strict=False)):
                for line in field_differences(g, w)[: args.errors]:
                    print(f"   f{i + 1:02d}{line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
