"""Regenerate the bundled samples in samples/ from the gold forms.

    python scripts/make_samples.py            # rewrites samples/*.pdf and samples/*.expected.json
    python scripts/make_samples.py --style shanghai --forms 000_f01 001_f01 -o /tmp/x.pdf

Each sample PDF sits next to ``<name>.expected.json``: the list of forms it was rendered from,
which is exactly what ``ocrform convert`` must give back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = SAMPLES / "gold"

# name → (style, gold form stems)
BUNDLED = {
    "guizhou_2forms": ("guizhou", ["000_f01", "000_f02"]),
    "guizhou_1form": ("guizhou", ["000_f06"]),
    "shanghai_1form": ("shanghai", ["001_f01"]),
    "hunan_scored_2forms": ("hunan_scored", ["000_f03", "000_f04"]),
}


# scan file name → (bundled PDF it scans, degradation level, seed)
SCANS = {
    "guizhou_1form_scan.pdf": ("guizhou_1form", "mild", 3),
}


# garbled file name → (bundled PDF whose text layer it breaks, seed, strip the font's cmap too)
GARBLED = {
    "shanghai_1form_garbled.pdf": ("shanghai_1form", 1, False),
}


def gold(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))


def render(style: str, stems: list[str], out: Path) -> None:
    from ocrform.synth import STYLES, render_forms_pdf

    if style not in STYLES:
        raise SystemExit(f"unknown style {style!r}; choose from {', '.join(sorted(STYLES))}")
    forms = [gold(s) for s in stems]
    render_forms_pdf(forms, out, STYLES[style])
    out.with_suffix(".expected.json").write_text(json.dumps(forms, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {out}")


def scan(pdf: Path, out: Path, level: str, seed: int) -> None:
    from ocrform.synth.degrade import render_scan

    dpi = render_scan(pdf, out, level, seed=seed)
    expected = pdf.with_suffix(".expected.json")
    out.with_name(out.stem + ".expected.json").write_text(expected.read_text("utf-8"), "utf-8")
    print(f"wrote {out} ({level} scan at {dpi} dpi)")


def garble(pdf: Path, out: Path, seed: int, strip_cmap: bool) -> None:
    import random

    from ocrform.synth.garble_pdf import garble_pdf

    changed = garble_pdf(pdf, out, random.Random(seed), strip_cmap=strip_cmap)
    expected = pdf.with_suffix(".expected.json")
    out.with_name(out.stem + ".expected.json").write_text(expected.read_text("utf-8"), "utf-8")
    print(f"wrote {out} ({len(changed)} characters garbled)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", help="render one document in this style instead of the bundled set")
    parser.add_argument("--forms", nargs="+", default=["000_f01"], help="gold form stems (samples/gold/*.json)")
    parser.add_argument("-o", "--output", type=Path, help="output PDF for --style")
    args = parser.parse_args(argv)
    if args.style:
        render(args.style, args.forms, args.output or Path(f"{args.style}.pdf"))
        return 0
    for name, (style, stems) in BUNDLED.items():
        render(style, stems, SAMPLES / f"{name}.pdf")
    for name, (source, level, seed) in SCANS.items():
        scan(SAMPLES / f"{source}.pdf", SAMPLES / name, level, seed)
    for name, (source, seed, strip) in GARBLED.items():
        garble(SAMPLES / f"{source}.pdf", SAMPLES / name, seed, strip)
    return 0


if __name__ == "__main__":
    sys.exit(main())
