"""Fields exact on a folder of documents whose truth lies beside them (`<name>.json`).

    python scripts/eval_corpus.py tests/fixtures/office              # every document, by producer
    python scripts/eval_corpus.py OUT --by style,font --skip heldout   # grouped, held-out part left out
    python scripts/eval_corpus.py OUT --only heldout --errors 20       # the held-out part, with its misses

Names follow scripts/make_office_fixtures.py: `<style>-<producer>-<font>-<face>.pdf`. Each
document's forms are paired with its truth in order; a document with no form found is listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ocrform  # noqa: E402
from ocrform.evaluate import field_accuracy, field_differences  # noqa: E402

KEYS = ("style", "producer", "font", "face")


def documents(folder: Path, skip: set[str], only: set[str]) -> list[Path]:
    out = []
    for pdf in sorted(folder.rglob("*.pdf")):
        parts = set(pdf.relative_to(folder).parts[:-1])
        if parts & skip or (only and not parts & only):
            continue
        if pdf.with_suffix(".json").exists():
            out.append(pdf)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--by", default="producer", help=f"group by these of {','.join(KEYS)}")
    parser.add_argument("--skip", default="", help="leave out documents under these sub-folders")
    parser.add_argument("--only", default="", help="only documents under these sub-folders")
    parser.add_argument("--errors", type=int, default=0, help="print this many wrong fields per document")
    args = parser.parse_args()
    by = [k for k in args.by.split(",") if k]
    skip, only = set(filter(None, args.skip.split(","))), set(filter(None, args.only.split(",")))
    paths = documents(args.folder, skip, only)
    groups: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    exact_all = total_all = 0
    empty = []
    for item in ocrform.convert_many(paths):
        want = json.loads(item.path.with_suffix(".json").read_text(encoding="utf-8"))
        got = [f.model_dump(mode="json") for f in item.result.forms] if item.result else []
        if not got:
            empty.append(item.path.name + (f" ({item.error})" if item.error else ""))
        exact, total = field_accuracy(got, want)
        exact_all, total_all = exact_all + exact, total_all + total
        fields = dict(zip(KEYS, item.path.stem.split("-"), strict=False))
        key = tuple(fields.get(k, "?") for k in by)
        groups[key][0] += exact
        groups[key][1] += total
        groups[key][2] += 1
        if args.errors and exact < total:
            print(f"{item.path.name}: {exact}/{total}, {len(got)} of {len(want)} forms", file=sys.stderr)
            diffs = [d for g, w in zip(got, want) for d in field_differences(g, w)]
            for diff in diffs[: args.errors]:
                print(f"    {diff[:300]}", file=sys.stderr)
    for key, (exact, total, n) in sorted(groups.items()):
        print(f"{'/'.join(key):60s} {n:4d} docs  {exact}/{total} = {exact / max(total, 1):.2%}")
    print(f"{'all':60s} {len(paths):4d} docs  {exact_all}/{total_all} = {exact_all / max(total_all, 1):.2%}")
    print(f"no form found: {len(empty)}" + "".join(f"\n    {e}" for e in empty))
    return 0


if __name__ == "__main__":
    sys.exit(main())
