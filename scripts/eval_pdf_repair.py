"""Repair rate of tiers 1-3 on generated PDFs: render gold forms, garble, repair, compare.

    .venv/bin/python scripts/eval_pdf_repair.py              # every gold form in every style
    .venv/bin/python scripts/eval_pdf_repair.py --styles 2   # the first two styles only
    .venv/bin/python scripts/eval_pdf_repair.py --fonts droid,uming,ukai,zenhei,microhei

Each gold form is rendered in each style and garbled three ways: shifted runs with the
font's cmap kept (tier 1 reads it), with the cmap stripped (tier 2 recognises the glyph
shapes), and, once per style for all gold forms together, seed-001-like sparse runs with
the font program left out (only tier 3, the text, can tell). Counts are character
positions of the extracted words: garbled, repaired, wrong (a correct character changed,
or a garbled one changed to something else) and the time per document. With --fonts, each
named font (Droid inside PyMuPDF, or a system CJK font that is installed) is measured in
turn, and clean renders are counted too: a character the repair changes in a clean
document is wrong.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ocrform.document import load_document
from ocrform.repair.pdf import repair_pdf_text
from ocrform.synth import STYLES, render_forms_pdf
from ocrform.synth.garble_pdf import garble_pdf
from ocrform.synth.layout import drawn_in

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"
# System CJK TrueType fonts (Debian packages fonts-arphic-*, fonts-wqy-*). Noto CJK is CFF
# (FontFile3), which the CID garbling does not rewrite; it is measured through the office
# fixtures' one-byte fonts (scripts/eval_office_garbling.py).
FONT_FILES = {
    "droid": None,
    "uming": "/usr/share/fonts/truetype/arphic/uming.ttc",
    "ukai": "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "zenhei": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
}
# Share of a document's distinct characters the block-run garbling makes wrong (issue 21).
BLOCK_SHARES = (0.01, 0.15)


def _words(path: Path) -> tuple[object, list]:
    doc = load_document(path)
    return doc.pdf, list(doc.iter_pages())


def measure(clean: Path, bad: Path) -> dict[str, float]:
    _, clean_pages = _words(clean)
    pdf, pages = _words(bad)
    before = [w.text for p in pages for w in p.words]
    start = time.perf_counter()
    fixed = repair_pdf_text(pdf, pages)  # new pages: the loaded ones stay as read
    seconds = time.perf_counter() - start
    row = {"garbled": 0, "repaired": 0, "wrong": 0, "seconds": seconds, "docs": 1, "unpaired words": 0}
    after = [w.text for p in fixed.pages for w in p.words]
    truth = [w.text for p in clean_pages for w in p.words]
    row["unpaired words"] = abs(len(truth) - len(before)) + sum(len(t) != len(b) for t, b in zip(truth, before))
    for t, b, a in zip(truth, before, after):
        for x, y, z in zip(t, b, a):
            row["garbled"] += x != y
            row["repaired"] += x != y and z == x
            row["wrong"] += z != x and z != y
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", type=int, default=len(STYLES))
    parser.add_argument("--fonts", default="droid", help=f"comma-separated, of {','.join(FONT_FILES)}")
    args = parser.parse_args()
    fonts = [f for f in args.fonts.split(",") if f in FONT_FILES and Path(FONT_FILES[f] or __file__).exists()]
    missing = sorted(set(args.fonts.split(",")) - set(fonts))
    if missing:
        print(f"fonts not installed or unknown, left out: {', '.join(missing)}")
    golds = sorted(GOLD.glob("*.json"))
    forms = [json.loads(p.read_text(encoding="utf-8")) for p in golds]
    totals: dict[str, dict[str, float]] = {}

    def add(tier: str, row: dict[str, float]) -> None:
        total = totals.setdefault(tier, dict.fromkeys(row, 0.0))
        for k, v in row.items():
            total[k] += v

    with tempfile.TemporaryDirectory() as tmp:
        for font in fonts:
            with drawn_in(FONT_FILES[font]):
                _measure_font(font if len(fonts) > 1 else "", forms, args.styles, Path(tmp), add)
    print(f"{'tier':44} {'docs':>5} {'garbled':>8} {'repaired':>9} {'wrong':>6} {'rate':>8} {'s/doc':>6} unpaired")
    for tier, r in totals.items():
        rate = r["repaired"] / r["garbled"] if r["garbled"] else 1.0
        print(
            f"{tier:44} {r['docs']:5.0f} {r['garbled']:8.0f} {r['repaired']:9.0f} {r['wrong']:6.0f}"
            f" {rate:8.2%} {r['seconds'] / r['docs']:6.2f} {r['unpaired words']:.0f}"
        )


def _measure_font(font: str, forms: list, n_styles: int, tmp: Path, add: Callable[[str, dict], None]) -> None:
    """Every tier on every gold form in the first ``n_styles`` styles, drawn in the current font;
    with a ``font`` name, the rows are that font's and clean renders are measured too."""
    prefix = f"{font}: " if font else ""
    for s, style in enumerate(sorted(STYLES)[:n_styles]):
        for g, form in enumerate(forms):
            clean = tmp / f"{style}_{g}.pdf"
            render_forms_pdf([form], clean, STYLES[style])
            if font:
                add(f"{prefix}clean (changed = wrong)", measure(clean, clean))
            for tier, strip in (("tier 1 (font cmap)", False), ("tier 2 (glyph shapes)", True)):
                bad = tmp / "bad.pdf"
                garble_pdf(clean, bad, random.Random(100 * s + g), strip_cmap=strip)
                add(prefix + tier, measure(clean, bad))
                # Another producer's runs: within a 256-code block, common wrong characters.
                rng = random.Random(1000 + 100 * s + g)
                share = rng.uniform(*BLOCK_SHARES)
                garble_pdf(clean, bad, rng, strip_cmap=strip, share=share)
                add(prefix + tier.split(" (")[0] + ", block runs", measure(clean, bad))
        together = tmp / f"{style}_all.pdf"
        render_forms_pdf(forms, together, STYLES[style])
        bad = tmp / "bad.pdf"
        garble_pdf(together, bad, random.Random(s), sparse=True, drop_program=True)
        add(prefix + "tier 3 (text, no font program)", measure(together, bad))


if __name__ == "__main__":
    main()
