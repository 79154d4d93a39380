"""Benchmarks: pages per second for born-digital conversion (and, with --kind scan, OCR).

    python scripts/bench.py                   # born-digital, one CPU core
    python scripts/bench.py --kind scan       # scans: ocrform vs plain full-page RapidOCR

The documents are generated from the gold forms with the sample generator, so the
benchmark also reports how many forms came back exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pin_to_one_core() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[0]})


def gold_forms() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "samples" / "gold").glob("*.json"))]


def bench_born_digital(n_docs: int, forms_per_doc: int, repeat: int) -> dict:
    from ocrform.evaluate import field_differences
    from ocrform.pipeline import convert
    from ocrform.synth import STYLES, render_forms_pdf
    from ocrform.synth.random_form import random_form

    rng = random.Random(7)
    golds = gold_forms()
    styles = sorted(STYLES)
    with tempfile.TemporaryDirectory() as tmp:
        docs = []
        for i in range(n_docs):
            forms = [golds[(i + k) % len(golds)] if k % 2 == 0 else random_form(rng) for k in range(forms_per_doc)]
            path = Path(tmp) / f"doc{i}.pdf"
            render_forms_pdf(forms, path, STYLES[styles[i % len(styles)]])
            docs.append((path, forms))
        convert(docs[0][0])  # warm-up: imports, label vocabulary
        best = float("inf")
        pages = 0
        exact = total = 0
        for _ in range(repeat):
            pages = exact = total = 0
            start = time.perf_counter()
            results = [(convert(path), forms) for path, forms in docs]
            elapsed = time.perf_counter() - start
            best = min(best, elapsed)
            for result, forms in results:
                pages += result.source.pages
                for got, want in zip(result.forms, forms):
                    total += 1
                    exact += not field_differences(got.model_dump(mode="json"), want)
    return {
        "kind": "born-digital",
        "documents": n_docs,
        "pages": pages,
        "seconds": round(best, 3),
        "pages_per_second": round(pages / best, 1),
        "forms_exact": f"{exact}/{total}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["born-digital"], default="born-digital")
    parser.add_argument("--docs", type=int, default=10)
    parser.add_argument("--forms-per-doc", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="report the best of this many runs")
    parser.add_argument("--all-cores", action="store_true", help="do not pin the process to one core")
    args = parser.parse_args()
    if not args.all_cores:
        _pin_to_one_core()
    report = bench_born_digital(args.docs, args.forms_per_doc, args.repeat)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
