"""Glyph repair on office-made PDFs: clean ones left alone, garbled ones read right.

    .venv/bin/python scripts/eval_office_garbling.py tests/fixtures/office
    .venv/bin/python scripts/eval_office_garbling.py OUT --every 4      # a quarter of a folder
    .venv/bin/python scripts/eval_office_garbling.py OUT --fix-pdf      # the text fix-pdf writes

For each PDF under the folder (LibreOffice Writer/Calc and Chromium write most text in
one-byte TrueType, Type1 and Type3 fonts), two measurements:

- clean: the document as made; every character the repair changes is counted, apart from
  code points no correct layer holds (Kangxi radicals and the like, see ``is_suspect``),
  which Chromium's maps give for Noto's ideographs;
- garbled: the same document with another producer's defect in every one-byte font's
  ToUnicode (``garble_simple_fonts``: runs within one 256-code block, 1-15% of the distinct
  ideographs wrong, each an ordinary character; seeded by the document's position), then
  the share of garbled character positions repaired, and of the others changed wrongly.

Documents under a heldout/ folder are reported apart.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocrform.document import load_document  # noqa: E402
from ocrform.repair.fixpdf import fix_pdf  # noqa: E402
from ocrform.repair.font import is_suspect  # noqa: E402
from ocrform.repair.pdf import repair_pdf_text  # noqa: E402
from ocrform.synth.garble_pdf import garble_simple_fonts  # noqa: E402

SHARES = (0.01, 0.15)


def _words(path: Path) -> tuple[list[str], list[str]]:
    """The text layer's words as extracted and as repaired."""
    doc = load_document(path)
    pages = list(doc.iter_pages())
    before = [w.text for p in pages for w in p.words]
    after = [w.text for p in repair_pdf_text(doc.pdf, pages).pages for w in p.words]
    doc.close()
    return before, after


def _fixed_words(path: Path, tmp: Path) -> list[str]:
    """The words of ``path`` after ``fix-pdf``: its text layer rewritten, extracted again."""
    fixed = tmp / f"fixed_{path.name}"
    fix_pdf(path, fixed)
    doc = load_document(fixed)
    words = [w.text for p in doc.iter_pages() for w in p.words]
    doc.close()
    return words


def _measure_garbled(pdf: Path, clean: list[str], rng: random.Random, tmp: Path, args, row: list[int]) -> None:
    bad = tmp / pdf.name
    garble_simple_fonts(pdf, bad, rng, rng.uniform(*SHARES))
    garbled, repaired = _words(bad)
    if args.fix_pdf:
        repaired = _fixed_words(bad, tmp)
    if len(garbled) != len(clean):
        print(f"unpaired words: {pdf}", file=sys.stderr)
        return
    g0, r0 = row[2], row[3]
    for truth, before, after in zip(clean, garbled, repaired):
        for t, b, a in zip(truth, before, after):
            row[2] += t != b
            row[3] += t != b and a == t
            row[4] += t == b and a != t
    if args.verbose and row[3] - r0 < row[2] - g0:
        print(f"{pdf.name}: {row[3] - r0}/{row[2] - g0} garbled positions repaired", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--every", type=int, default=1, help="take every N-th document")
    parser.add_argument("-v", "--verbose", action="store_true", help="name the documents with misses")
    parser.add_argument("--fix-pdf", action="store_true", help="measure the text fix-pdf writes instead")
    parser.add_argument("--part", choices=["all", "tuning", "heldout"], default="all", help="which documents")
    parser.add_argument("--garblings", type=int, default=1, help="garble each document this many ways")
    args = parser.parse_args()
    totals: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, pdf in enumerate(sorted(args.folder.rglob("*.pdf"))[:: args.every]):
            part = "held out" if "heldout" in pdf.parts else "tuning"
            if args.part != "all" and part.replace(" ", "") != args.part:
                continue
            row = totals.setdefault(part, [0] * 5)
            raw, clean = _words(pdf)
            row[0] += 1
            row[1] += sum(a != b and not is_suspect(a) for x, y in zip(raw, clean) for a, b in zip(x, y))
            for k in range(args.garblings):
                # The first garbling is seeded by the document's position alone, as before.
                _measure_garbled(pdf, clean, random.Random(n + 1000 * k), Path(tmp), args, row)
    print(f"{'part':10} {'docs':>5} {'clean changed':>14} {'garbled':>8} {'repaired':>9} {'rate':>8} {'wrong':>6}")
    for part, (docs, changed, garbled, repaired, wrong) in totals.items():
        rate = repaired / garbled if garbled else 1.0
        print(f"{part:10} {docs:5d} {changed:14d} {garbled:8d} {repaired:9d} {rate:8.2%} {wrong:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
