"""Benchmarks: pages per second for born-digital conversion (and, with --kind scan, OCR).

    python scripts/bench.py                   # born-digital, one CPU core
    python scripts/bench.py --kind scan       # scans: ocrform vs plain full-page RapidOCR
    python scripts/bench.py --kind scan --docs 3 --repeat 1   # quicker
    python scripts/bench.py --kind scan-memory --pages 50     # peak memory of one long scan
    python scripts/bench.py --kind scan-orientation --level heavy --dpi 150   # pages turned 0/90/180/270
    python scripts/bench.py --kind jobs --docs 20       # `ocrform convert --jobs 2` against --jobs 1

Every benchmark goes through the public API (``ocrform.convert``, ``convert_many``,
``open``), as a user's program would.

The scan benchmark rasterises generated forms at --dpi, degrades them like scans of
--level (ocrform.synth.degrade), writes each document as a lossless multi-page TIFF and reads
every page twice, side by side in one process: once with ``ocrform.convert_many`` (load,
pre-process, image grid, cell OCR, forms) and once with plain full-page RapidOCR (det+rec on
the whole page, already in memory). Ours reads them as a stream, the way ``ocrform convert``
reads a folder: the next page is loaded, pre-processed and gridded in a worker thread while
one is recognised. With --repeat N it reads them N times and reports the median time of each
stage (``Converted.seconds``; map includes the checks and hashing the file) and the median of
the runs' time ratios. The expected cells are the born-digital PDF's, from ``ocrform.open``.

The memory benchmark renders gold forms into one scanned PDF of at least --pages pages
(mild, 200 dpi) and converts it with ``ocrform convert`` in a child process, whose peak
resident memory it reports: pages must be streamed, not held.

The jobs benchmark times the command line (``ocrform convert --force``, a fresh process
each run) over --docs born-digital office fixtures (LibreOffice and Chromium PDFs) with
--jobs 1 (one core) and --jobs 2 (two files at a time, a core each), and over a few mild
scans, best of --repeat runs each.

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
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


def _pin_to_one_core() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[0]})


def gold_forms() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "samples" / "gold").glob("*.json"))]


def bench_born_digital(n_docs: int, forms_per_doc: int, repeat: int) -> dict:
    import ocrform
    from ocrform.evaluate import field_differences
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
            docs.append((path, render_forms_pdf(forms, path, STYLES[styles[i % len(styles)]])))
        ocrform.convert(docs[0][0])  # warm-up: imports, label vocabulary
        best = float("inf")
        pages = 0
        exact = total = 0
        for _ in range(repeat):
            pages = exact = total = 0
            start = time.perf_counter()
            results = [(ocrform.convert(path), forms) for path, forms in docs]
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


class ScannedDocument(NamedTuple):
    forms: list[dict]
    born: Path  # the generated PDF, whose text layer gives the expected cells
    scan: Path  # its pages rasterised and degraded, as one lossless multi-page TIFF
    images: list  # the same pages in memory, for plain RapidOCR


def _scanned_documents(n_docs: int, forms_per_doc: int, dpi: int, level: str, folder: Path) -> list[ScannedDocument]:
    """Generated documents of gold forms: every style in turn, rasterised at ``dpi`` and degraded
    at ``level`` (none: left clean), document i from random seed i."""
    import cv2

    from ocrform.synth import STYLES, render_forms_pdf
    from ocrform.synth.degrade import degrade_image

    golds = gold_forms()
    styles = sorted(STYLES)
    docs = []
    for i in range(n_docs):
        forms = [golds[(i * forms_per_doc + k) % len(golds)] for k in range(forms_per_doc)]
        born, scan = folder / f"doc{i}.pdf", folder / f"doc{i}.tiff"
        forms = render_forms_pdf(forms, born, STYLES[styles[i % len(styles)]])
        rng = random.Random(i)
        images = [degrade_image(image, rng, level) if level != "none" else image for image in _rasterise(born, dpi)]
        cv2.imwritemulti(str(scan), images)
        docs.append(ScannedDocument(forms, born, scan, images))
    return docs


def bench_scan(
    n_docs: int, forms_per_doc: int, repeat: int, dpi: int, level: str = "mild", show_errors: bool = False
) -> dict:
    """ocrform reads the scans as ``ocrform convert`` does (``ocrform.convert_many``, the next
    page prepared in a worker thread while one is recognised, TIFF decoding included); plain
    RapidOCR reads the same pages, already in memory."""
    from rapidocr import RapidOCR

    import ocrform
    from ocrform.text import normalize

    # A CTC recogniser cannot tell how long a dash is: empty-value dashes compare equal.
    placeholder = re.compile(r"[-‐‑‒–—―－一]+")

    def cell_text(text: str) -> str:
        text = normalize(text)
        return "-" if placeholder.fullmatch(text) else text

    plain = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error"})
    with tempfile.TemporaryDirectory() as tmp:
        docs = _scanned_documents(n_docs, forms_per_doc, dpi, level, Path(tmp))
        expected = []  # per document, per page: cell centre (points) → the born-digital cell's text
        for doc in docs:
            with ocrform.open(doc.born) as born:
                expected.append([_cells_by_centre(page.tables, cell_text) for page in born.pages])
        scans = [doc.scan for doc in docs]
        # Warm-up: both paths load their models (ours its word lexicon too) before the clock starts.
        ocrform.convert(scans[0])
        plain(docs[0].images[0])

        runs: list[dict[str, float]] = []
        summary = None
        for _ in range(repeat):
            stages = dict.fromkeys(("preprocess", "grid", "ocr", "map", "plain_rapidocr"), 0.0)
            start = time.perf_counter()
            converted = list(ocrform.convert_many(scans, dpi=dpi, keep_pages=True))
            stages["wall"] = time.perf_counter() - start
            for item in converted:
                if item.error is not None:
                    raise item.error
                for stage in ("preprocess", "grid", "ocr", "map"):
                    stages[stage] += item.seconds.get(stage, 0.0)
            plain_found = plain_total = 0
            for doc, want_pages in zip(docs, expected, strict=True):
                for image, cells in zip(doc.images, want_pages, strict=True):
                    t4 = time.perf_counter()
                    result = plain(image)
                    stages["plain_rapidocr"] += time.perf_counter() - t4
                    text = normalize("".join(result.txts or ()))
                    for want in cells.values():
                        if want and want != "-":
                            plain_total += 1
                            plain_found += want in text
            runs.append(stages)
            if summary is None:  # every run gives the same readings
                summary = _scan_accuracy(docs, expected, converted, cell_text, show_errors)
                summary["plain"] = (plain_found, plain_total)
        assert summary is not None
    n_pages = summary["pages"]
    cell_ok, cell_total = summary["cells"]
    exact, total = summary["fields"]
    by_kind, listing = summary["by_kind"], summary["listing"]
    plain_found, plain_total = summary["plain"]
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


def _cells_by_centre(tables: list, cell_text: Callable[[str], str]) -> dict[tuple[float, float], str]:
    """Cell centre (points) → the cell's text. Cells are matched by position, not by row and
    column number: an image grid that splits or merges a row must not shift every later one."""
    return {(round(c.box.cx, 1), round(c.box.cy, 1)): cell_text(c.text) for t in tables for c in t.cells}


def _scan_accuracy(
    docs: list[ScannedDocument],
    expected: list[list[dict[tuple[float, float], str]]],
    converted: list,
    cell_text: Callable[[str], str],
    show_errors: bool,
) -> dict:
    """Cells and fields exact, by kind of scan, and how well the fields listed for checking
    point at the wrong ones."""
    from ocrform.evaluate import field_accuracy, field_differences

    cell_ok = cell_total = n_pages = 0
    by_kind = {"grey": [0, 0], "black_and_white": [0, 0]}
    listing = {kind: [0, 0, 0, 0] for kind in by_kind}
    for doc, want_pages, item in zip(docs, expected, converted, strict=True):
        # Documents with a black-and-white page apart from grey-level ones: the two are
        # different problems (a thresholded seal blackens the text under it).
        kind = "black_and_white" if any(c.page.scan.black_and_white for c in item.pages) else "grey"
        for content, cells in zip(item.pages, want_pages, strict=True):
            n_pages += 1
            for (x, y), want in cells.items():
                found = [c for t in content.tables for c in t.cells if c.box.contains_point(x, y)]
                text = cell_text(found[0].text) if found else None
                cell_total += 1
                cell_ok += text == want
                if show_errors and text != want:
                    print(f"cell p{content.page.index} at {x},{y}: {text!r} != {want!r}", file=sys.stderr)
        got = [f.model_dump(mode="json") for f in item.result.forms]
        e, t = field_accuracy(got, doc.forms)
        by_kind[kind][0] += e
        by_kind[kind][1] += t
        # A wrong field is listed when it, or a field inside it, is; a right one is counted
        # among the fields that were read.
        counts = listing[kind]
        for got_form, want_form, evidence in zip(got, doc.forms, item.result.evidence):
            listed = {i.field for i in evidence.issues}
            wrong = {d.split(":")[0] for d in field_differences(got_form, want_form)}
            right = {p.field for p in evidence.provenance} - wrong
            counts[0] += sum(any(f == w or f.startswith(w + "/") for f in listed) for w in wrong)
            counts[1] += len(wrong)
            counts[2] += len(right & listed)
            counts[3] += len(right)
            if show_errors:
                for diff in field_differences(got_form, want_form):
                    print(f"field {diff}", file=sys.stderr)
    exact, total = sum(c[0] for c in by_kind.values()), sum(c[1] for c in by_kind.values())
    return {
        "pages": n_pages,
        "cells": (cell_ok, cell_total),
        "fields": (exact, total),
        "by_kind": by_kind,
        "listing": listing,
    }


def bench_scan_orientation(n_docs: int, dpi: int, level: str) -> dict:
    """Every page of the scanned documents turned each quarter way: how many pre-processing
    stands upright again, and the time per page of loading and pre-processing it."""
    import cv2

    import ocrform

    turns = {0: None, 90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    right = dict.fromkeys(turns, 0)
    seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        pages = [image for doc in _scanned_documents(n_docs, 1, dpi, level, Path(tmp)) for image in doc.images]
        for n, image in enumerate(pages):
            for turn, code in turns.items():
                path = Path(tmp) / f"page{n}-{turn}.png"
                cv2.imwrite(str(path), cv2.rotate(image, code) if code is not None else image)
        with ocrform.open(Path(tmp) / "page0-0.png") as warm:
            warm.pages[0].prepared()  # warm-up: the direction classifier's session
        for n in range(len(pages)):
            for turn in turns:
                t0 = time.perf_counter()
                with ocrform.open(Path(tmp) / f"page{n}-{turn}.png") as doc:
                    scan = doc.pages[0].prepared().scan
                seconds += time.perf_counter() - t0
                right[turn] += scan is not None and scan.rotation == turn
    return {
        "kind": "scan-orientation",
        "dpi": dpi,
        "degradation": level,
        "pages": len(pages),
        "upright_again": {f"turned {turn}": f"{n}/{len(pages)}" for turn, n in right.items()},
        "load_and_preprocess_seconds_per_page": round(seconds / (4 * len(pages)), 3),
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


def bench_jobs(n_docs: int, repeat: int, fixtures_from: str) -> dict:
    import shutil
    import subprocess

    from ocrform.synth.degrade import render_scan

    office = ROOT / "tests" / "fixtures" / "office"
    fixtures = sorted(p for part in fixtures_from.split(",") for p in (office / part).glob("*.pdf"))[:n_docs]
    from ocrform.cpu import available_cores

    report: dict = {"kind": "jobs", "cores": available_cores()}
    with tempfile.TemporaryDirectory() as tmp:
        born = Path(tmp) / "born"
        born.mkdir()
        for k, pdf in enumerate(fixtures):
            shutil.copy(pdf, born / f"{k:02d}_{pdf.name}")
        scans = Path(tmp) / "scans"
        scans.mkdir()
        for k, pdf in enumerate(fixtures[:4]):
            render_scan(pdf, scans / f"{k:02d}.tiff", "mild", seed=k, dpi=200)
        for name, folder in (("born_digital", born), ("scans", scans)):
            times = {}
            for jobs in (1, 2):
                best = float("inf")
                for _ in range(repeat):
                    out = Path(tmp) / "out"
                    command = [sys.executable, "-m", "ocrform.cli", "convert", str(folder), "-o", str(out), "-q"]
                    t0 = time.perf_counter()
                    subprocess.run([*command, "--force", "--jobs", str(jobs)], check=True, cwd=ROOT)
                    best = min(best, time.perf_counter() - t0)
                times[jobs] = best
            files = len(list(folder.iterdir()))
            report[name] = {
                "files": files,
                "jobs1_seconds": round(times[1], 2),
                "jobs2_seconds": round(times[2], 2),
                "speedup": round(times[1] / times[2], 2),
            }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--kind", choices=["born-digital", "scan", "scan-orientation", "scan-memory", "jobs"], default="born-digital"
    )
    parser.add_argument("--pages", type=int, default=50, help="pages of the long scan (--kind scan-memory)")
    parser.add_argument("--dpi", type=int, default=200, help="scan resolution (--kind scan, scan-orientation)")
    parser.add_argument("--level", default="mild", help="degradation level, or none (--kind scan, scan-orientation)")
    parser.add_argument("--show-errors", action="store_true", help="print wrong cells and fields (--kind scan)")
    parser.add_argument("--docs", type=int, default=10)
    parser.add_argument("--forms-per-doc", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="runs: born-digital the best, scans the median")
    parser.add_argument("--all-cores", action="store_true", help="do not pin the process to one core")
    parser.add_argument(
        "--fixtures",
        default="calc,chromium,heldout,writer",
        help="office fixture folders the jobs benchmark takes its PDFs from, in order (--kind jobs)",
    )
    args = parser.parse_args()
    if args.kind == "scan-memory":
        print(json.dumps(bench_scan_memory(args.pages), ensure_ascii=False))
        return 0
    if args.kind == "jobs":
        print(json.dumps(bench_jobs(args.docs, args.repeat, args.fixtures), ensure_ascii=False))
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
