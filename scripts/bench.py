"""Benchmarks: pages per second for born-digital conversion (and, with --kind scan, OCR).

    python scripts/bench.py                   # born-digital, one CPU core
    python scripts/bench.py --kind scan       # scans: ocrform vs plain full-page RapidOCR
    python scripts/bench.py --kind scan --docs 3 --repeat 1   # quicker
    python scripts/bench.py --kind scan-memory --pages 50     # peak memory of one long scan
    python scripts/bench.py --kind scan-orientation --level heavy --dpi 150   # pages turned 0/90/180/270

The scan benchmark rasterises generated forms at --dpi, degrades them like scans of
--level (ocrform.synth.degrade) and reads every page twice, side by side in one process:
once with ocrform's path (pre-process, image grid, cell OCR) and once with plain full-page
RapidOCR (det+rec on the whole page). Ours reads them as a stream, the way ``ocrform
convert`` reads a folder: the next page is pre-processed and gridded in a worker thread while
one is recognised. With --repeat N it reads them N times and reports the median time of each
stage and the median of the runs' time ratios.

The memory benchmark renders gold forms into one scanned PDF of at least --pages pages
(mild, 200 dpi) and converts it with ``ocrform convert`` in a child process, whose peak
resident memory it reports: pages must be streamed, not held.

The documents are generated from the gold forms with the sample generator, so the
benchmark also reports how many forms came back exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
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


def _rasterise(pdf_path: Path, dpi: int) -> list:
    import numpy as np
    import pymupdf

    images = []
    with pymupdf.open(pdf_path) as pdf:
        for pdf_page in pdf:
            pix = pdf_page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
            rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, 3)
            images.append(np.ascontiguousarray(rgb[:, :, ::-1]))  # BGR, as OpenCV reads scans
    return images


def _scanned_documents(n_docs: int, forms_per_doc: int, dpi: int, level: str) -> list[tuple[list[dict], list]]:
    """Generated documents of gold forms, each as (forms, [(born-digital page, scan image)]):
    every style in turn, rasterised at ``dpi`` and degraded at ``level`` (none: left clean),
    document i from random seed i."""
    from ocrform.document import load_document
    from ocrform.synth import STYLES, render_forms_pdf
    from ocrform.synth.degrade import degrade_image

    golds = gold_forms()
    styles = sorted(STYLES)
    docs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n_docs):
            forms = [golds[(i * forms_per_doc + k) % len(golds)] for k in range(forms_per_doc)]
            path = Path(tmp) / f"doc{i}.pdf"
            render_forms_pdf(forms, path, STYLES[styles[i % len(styles)]])
            rng = random.Random(i)
            pages = []
            for page, image in zip(load_document(path).iter_pages(), _rasterise(path, dpi), strict=True):
                pages.append((page, degrade_image(image, rng, level) if level != "none" else image))
            docs.append((forms, pages))
    return docs


def _scan_page(born, image, dpi: int):
    from ocrform.model import Page

    return Page(
        index=born.index, width=born.width, height=born.height, kind="image", image=image, pixels_per_point=dpi / 72
    )


def bench_scan(
    n_docs: int, forms_per_doc: int, repeat: int, dpi: int, level: str = "mild", show_errors: bool = False
) -> dict:
    from rapidocr import RapidOCR

    from ocrform.evaluate import field_accuracy, field_differences
    from ocrform.form.mapping import map_cells_to_form
    from ocrform.grid import fill_cells, find_tables
    from ocrform.model import Page, PageContent
    from ocrform.prefetch import prefetch
    from ocrform.scan.preprocess import preprocess_page
    from ocrform.text import normalize
    from ocrform.validate import validate_form
    from ocrform.words.engines import get_engine
    from ocrform.words.lexicon import choose_characters
    from ocrform.words.ocr import is_black_and_white, read_words_by_ocr

    # A CTC recogniser cannot tell how long a dash is: empty-value dashes compare equal.
    placeholder = re.compile(r"[-‐‑‒–—―－一]+")

    def cell_text(text: str) -> str:
        text = normalize(text)
        return "-" if placeholder.fullmatch(text) else text

    engine = get_engine("rapidocr")
    plain = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error"})
    docs = []  # (forms, [(born-digital page, scan image, expected cell strings)])
    for forms, pages in _scanned_documents(n_docs, forms_per_doc, dpi, level):
        with_cells = []
        for page, image in pages:
            expected = find_tables(page)
            fill_cells(expected, page.words)
            # Cells are matched by position, not by row/column number: an image grid that
            # splits or merges a row must not shift every later comparison.
            cells = {(round(c.box.cx, 1), round(c.box.cy, 1)): cell_text(c.text) for tab in expected for c in tab.cells}
            with_cells.append((page, image, cells))
        docs.append((forms, with_cells))

    # Warm-up: both paths load their sessions (and ours its word lexicon) before the clock starts.
    warm = _scan_page(docs[0][1][0][0], docs[0][1][0][1], dpi)
    ready = preprocess_page(warm.image, warm.pixels_per_point)
    warm.image, warm.seals = ready.image, ready.seals
    read_words_by_ocr(warm, find_tables(warm), engine)
    choose_characters([[("指", 0.6), ("措", 0.3)], [("标", 0.9)]])
    plain(docs[0][1][0][1])

    def prepared(stages: dict[str, float]) -> Iterator[tuple[int, Page, list, dict]]:
        # The worker's part, as in ocrform.pipeline.convert_many: the next page is
        # pre-processed and gridded while this one is read.
        for d, (_, pages) in enumerate(docs):
            for born, image, cells in pages:
                scan = _scan_page(born, image, dpi)
                t0 = time.perf_counter()
                ready = preprocess_page(image, scan.pixels_per_point)
                scan.image, scan.seals = ready.image, ready.seals
                t1 = time.perf_counter()
                tables = find_tables(scan)
                stages["preprocess"] += t1 - t0
                stages["grid"] += time.perf_counter() - t1
                yield d, scan, tables, cells

    runs: list[dict[str, float]] = []
    summary = None
    for _ in range(repeat):
        stages = dict.fromkeys(("preprocess", "grid", "ocr", "map", "plain_rapidocr"), 0.0)

        read = []
        start = time.perf_counter()
        for d, scan, tables, cells in prefetch(prepared(stages)):
            t2 = time.perf_counter()
            free = fill_cells(tables, read_words_by_ocr(scan, tables, engine))
            stages["ocr"] += time.perf_counter() - t2
            read.append((d, scan, tables, free, cells))
        stream = time.perf_counter() - start
        cell_ok = cell_total = plain_found = plain_total = 0
        for _, pages in docs:
            for _, image, cells in pages:
                t4 = time.perf_counter()
                result = plain(image)
                stages["plain_rapidocr"] += time.perf_counter() - t4
                text = normalize("".join(result.txts or ()))
                for want in cells.values():
                    if want and want != "-":
                        plain_total += 1
                        plain_found += want in text
        contents: list[list[PageContent]] = [[] for _ in docs]
        black_and_white = [False] * len(docs)
        for d, scan, tables, free, cells in read:
            # Documents with a black-and-white page apart from grey-level ones: the two are
            # different problems (a thresholded seal blackens the text under it).
            black_and_white[d] |= is_black_and_white(scan.image)
            scan.image = None
            contents[d].append(PageContent(page=scan, tables=tables, free_words=free))
            for (x, y), want in cells.items():
                found = [c for tab in tables for c in tab.cells if c.box.contains_point(x, y)]
                text = cell_text(found[0].text) if found else None
                cell_total += 1
                cell_ok += text == want
                if show_errors and text != want:
                    print(f"cell p{scan.index} at {x},{y}: {text!r} != {want!r}", file=sys.stderr)
        # Forms are paired within each document: a form one document splits or merges
        # must not shift the comparison of every later document.
        paired: list[tuple[list[dict], list[dict], bool]] = []
        t5 = time.perf_counter()
        mapped = [map_cells_to_form(pages) for pages in contents]
        stages["map"] = time.perf_counter() - t5
        for (forms, _), doc_forms, bw in zip(docs, mapped, black_and_white, strict=True):
            paired.append(([m.form.model_dump(mode="json") for m in doc_forms], forms, bw))
        stages["wall"] = stream + stages["map"]
        n_pages = len(read)
        runs.append(stages)
        if summary is None:  # every run gives the same readings
            by_kind = {"grey": [0, 0], "black_and_white": [0, 0]}
            for got, want, bw in paired:
                e, t = field_accuracy(got, want)
                by_kind["black_and_white" if bw else "grey"][0] += e
                by_kind["black_and_white" if bw else "grey"][1] += t
            exact, total = sum(c[0] for c in by_kind.values()), sum(c[1] for c in by_kind.values())
            # How well the fields listed for a person to check (validate_form) point at the
            # wrong ones: a wrong field is listed when it, or a field inside it, is; a right
            # one is counted among the fields that were read.
            listing = {kind: [0, 0, 0, 0] for kind in by_kind}
            for pages, doc_forms, (got, want, bw) in zip(contents, mapped, paired, strict=True):
                seals = {c.page.index + 1: c.page.seals for c in pages if c.page.seals}
                counts = listing["black_and_white" if bw else "grey"]
                for m, got_form, want_form in zip(doc_forms, got, want):
                    listed = {i.field for i in validate_form(m.form, m.evidence, seals)}
                    wrong = {d.split(":")[0] for d in field_differences(got_form, want_form)}
                    right = {p.field for p in m.evidence.provenance} - wrong
                    counts[0] += sum(any(f == w or f.startswith(w + "/") for f in listed) for w in wrong)
                    counts[1] += len(wrong)
                    counts[2] += len(right & listed)
                    counts[3] += len(right)
            if show_errors:
                for got_form, want_form in ((g, w) for got, want, _ in paired for g, w in zip(got, want)):
                    for diff in field_differences(got_form, want_form):
                        print(f"field {diff}", file=sys.stderr)
            summary = (cell_ok, cell_total, plain_found, plain_total, exact, total, n_pages, by_kind, listing)
    assert summary is not None
    cell_ok, cell_total, plain_found, plain_total, exact, total, n_pages, by_kind, listing = summary
    # Medians over the runs. The ratio is taken run by run, both paths having read every page
    # in turn: on a shared machine their speeds drift together. Ours is the wall time of the
    # stream, as the worker prepares the next page while one is read: the stages' own times
    # (each measured in its thread) add up to more.
    ours_stages = ("preprocess", "grid", "ocr", "map")
    median = {k: statistics.median(run[k] for run in runs) for k in (*ours_stages, "wall", "plain_rapidocr")}
    ratio = statistics.median(run["wall"] / run["plain_rapidocr"] for run in runs)
    return {
        "kind": "scan",
        "dpi": dpi,
        "degradation": level,
        "pages": n_pages,
        "ocrform": {
            "seconds_per_page": round(median["wall"] / n_pages, 3),
            "stage_seconds_per_page": {k: round(median[k] / n_pages, 3) for k in ours_stages},
            "total_seconds": round(median["wall"], 2),
            "pages_per_second": round(n_pages / median["wall"], 2),
            "cells_exact": f"{cell_ok}/{cell_total}",
            "fields_exact": f"{exact}/{total} ({exact / max(total, 1):.2%})",
            "fields_exact_by_scan": {kind: f"{e}/{t} ({e / t:.2%})" for kind, (e, t) in by_kind.items() if t},
            "listed_for_checking_by_scan": {
                kind: {"wrong_fields": f"{c[0]}/{c[1]}", "right_fields_read": f"{c[2]}/{c[3]}"}
                for kind, c in listing.items()
                if by_kind[kind][1]
            },
        },
        "plain_rapidocr": {
            "seconds_per_page": round(median["plain_rapidocr"] / n_pages, 3),
            "pages_per_second": round(n_pages / median["plain_rapidocr"], 2),
            "gold_cell_strings_found": f"{plain_found}/{plain_total}",
        },
        "time_ratio_ocrform_vs_plain": round(ratio, 3),
        "runs": len(runs),
    }


def bench_scan_orientation(n_docs: int, dpi: int, level: str) -> dict:
    """Every page of the scanned documents turned each quarter way: how many pre-processing
    stands upright again, and its time per page."""
    import cv2

    from ocrform.scan.preprocess import preprocess_page

    turns = {0: None, 90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    pages = [image for _, scans in _scanned_documents(n_docs, 1, dpi, level) for _, image in scans]
    preprocess_page(pages[0], dpi / 72)  # warm-up: the direction classifier's session
    right = {turn: 0 for turn in turns}
    seconds = 0.0
    for image in pages:
        for turn, code in turns.items():
            turned = cv2.rotate(image, code) if code is not None else image
            t0 = time.perf_counter()
            right[turn] += preprocess_page(turned, dpi / 72).rotation == turn
            seconds += time.perf_counter() - t0
    return {
        "kind": "scan-orientation",
        "dpi": dpi,
        "degradation": level,
        "pages": len(pages),
        "upright_again": {f"turned {turn}": f"{n}/{len(pages)}" for turn, n in right.items()},
        "preprocess_seconds_per_page": round(seconds / (4 * len(pages)), 3),
    }


def bench_scan_memory(min_pages: int) -> dict:
    import resource
    import subprocess

    import pymupdf

    from ocrform.evaluate import field_accuracy
    from ocrform.synth import STYLES, render_forms_pdf
    from ocrform.synth.degrade import render_scan

    golds = gold_forms()
    with tempfile.TemporaryDirectory() as tmp:
        born, scan, out = Path(tmp) / "born.pdf", Path(tmp) / "scan.pdf", Path(tmp) / "out"
        forms: list[dict] = []
        pages = 0
        while pages < min_pages:
            # About 1.3 pages a form: grow the document until it is long enough.
            forms += [golds[(len(forms) + k) % len(golds)] for k in range(max(1, (min_pages - pages) * 3 // 4))]
            render_forms_pdf(forms, born, STYLES["guizhou"])
            with pymupdf.open(born) as pdf:
                pages = pdf.page_count
        render_scan(born, scan, "mild", seed=1, dpi=200)
        command = [sys.executable, "-m", "ocrform.cli", "convert", str(scan), "-o", str(out), "-q"]
        t0 = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT)
        wall = time.perf_counter() - t0
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    exact, total = field_accuracy(result["forms"], forms)
    return {
        "kind": "scan-memory",
        "pages": pages,
        "forms": f"{len(result['forms'])}/{len(forms)}",
        "fields_exact": f"{exact}/{total} ({exact / max(total, 1):.2%})",
        "peak_rss_mb": round(peak_kb / 1024),
        "wall_seconds": round(wall, 1),
        "pages_per_second": round(pages / wall, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--kind", choices=["born-digital", "scan", "scan-orientation", "scan-memory"], default="born-digital"
    )
    parser.add_argument("--pages", type=int, default=50, help="pages of the long scan (--kind scan-memory)")
    parser.add_argument("--dpi", type=int, default=200, help="scan resolution (--kind scan, scan-orientation)")
    parser.add_argument("--level", default="mild", help="degradation level, or none (--kind scan, scan-orientation)")
    parser.add_argument("--show-errors", action="store_true", help="print wrong cells and fields (--kind scan)")
    parser.add_argument("--docs", type=int, default=10)
    parser.add_argument("--forms-per-doc", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="runs: born-digital the best, scans the median")
    parser.add_argument("--all-cores", action="store_true", help="do not pin the process to one core")
    args = parser.parse_args()
    if args.kind == "scan-memory":
        print(json.dumps(bench_scan_memory(args.pages), ensure_ascii=False))
        return 0
    if args.kind == "scan-orientation":
        print(json.dumps(bench_scan_orientation(args.docs, args.dpi, args.level), ensure_ascii=False))
        return 0
    if args.kind == "scan":
        # Both OCR paths use every core: the comparison is side by side on the same machine.
        report = bench_scan(args.docs, args.forms_per_doc, args.repeat, args.dpi, args.level, args.show_errors)
        print(json.dumps(report, ensure_ascii=False))
        return 0
    if not args.all_cores:
        _pin_to_one_core()
    report = bench_born_digital(args.docs, args.forms_per_doc, args.repeat)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
