"""Make PDFs of generated forms the way real producers make them: LibreOffice Writer (.docx),
LibreOffice Calc (.xlsx) and headless Chromium (HTML print-to-PDF).

    python scripts/make_office_fixtures.py OUT [--all] [--styles guizhou,shanghai] [--keep-sources]

Needs `soffice` (Debian: libreoffice-writer, libreoffice-calc), `chromium` and CJK fonts
(fonts-noto-cjk, fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-ukai, fonts-arphic-uming).
Each document holds two forms (a gold form and a random one) in one style, one font, labels
bold or regular; beside each PDF its truth (`<name>.json`, the forms as the schema has them).

Without --all only the committed fixture set is made (tests/fixtures/office): every style
with every producer, the fonts and faces rotating. Combinations marked held out are written
under OUT/heldout/: they are measured at the end of a piece of work, never looked at while
tuning.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocrform.synth import STYLES  # noqa: E402
from ocrform.synth.office import Look, write_docx, write_html, write_xlsx  # noqa: E402
from ocrform.synth.pdf import layout_truth  # noqa: E402
from ocrform.synth.random_form import random_form  # noqa: E402

FONTS = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "AR PL UKai CN",
)
PRODUCERS = ("writer", "calc", "chromium")
SOURCE = {"writer": ".docx", "calc": ".xlsx", "chromium": ".html"}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
]


def combinations(all_fonts: bool) -> list[tuple[str, str, str, bool]]:
    """(style, producer, font, bold labels). The committed set: each style with each producer
    in one font and face, so that every font meets every producer across the styles, and
    each style's held-out font and producer in both faces."""
    out = []
    for s, style in enumerate(sorted(STYLES)):
        for p, producer in enumerate(PRODUCERS):
            fonts = FONTS if all_fonts else (FONTS[(s + 2 * p) % len(FONTS)],)
            for font in fonts:
                for bold in (True, False) if all_fonts else ((s + p) % 2 == 0,):
                    if all_fonts or not held_out(style, producer, font):
                        out.append((style, producer, font, bold))
            if not all_fonts:
                out += [(style, producer, f, b) for f in FONTS if held_out(style, producer, f) for b in (True, False)]
    return out


# One producer and font per style, never looked at while tuning; chosen when each style was
# added, before any of its documents was read (a style added later gets its own line here).
HELD_OUT = {
    "anhui": ("chromium", "WenQuanYi Zen Hei"),
    "guizhou": ("calc", "WenQuanYi Micro Hei"),
    "guizhou_compact": ("chromium", "AR PL UMing CN"),
    "guizhou_landscape": ("writer", "AR PL UKai CN"),
    "hunan": ("calc", "Noto Serif CJK SC"),
    "hunan_report": ("writer", "Noto Sans CJK SC"),
    "hunan_scored": ("chromium", "Noto Sans CJK SC"),
    "mof": ("writer", "AR PL UMing CN"),
    "shanghai": ("writer", "WenQuanYi Zen Hei"),
    "shanghai_plain": ("calc", "WenQuanYi Micro Hei"),
}


def held_out(style: str, producer: str, font: str) -> bool:
    return HELD_OUT.get(style) == (producer, font)


def document_forms(name: str) -> list[dict]:
    """A gold form and a random one, the same for a name every time."""
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "samples" / "gold").glob("*.json"))]
    rng = random.Random(zlib.crc32(name.encode()))
    return [golds[rng.randrange(len(golds))], random_form(rng)]


def name_of(style: str, producer: str, font: str, bold: bool) -> str:
    return f"{style}-{producer}-{font.replace(' ', '')}-{'bold' if bold else 'regular'}"


def write_source(forms: list[dict], path: Path, style: str, producer: str, look: Look) -> None:
    writer = {"writer": write_docx, "calc": write_xlsx, "chromium": write_html}[producer]
    writer(forms, path, STYLES[style], look)


def print_office(sources: list[Path], out: Path) -> None:
    """LibreOffice prints every source in one run (a start costs seconds)."""
    if not sources:
        return
    with tempfile.TemporaryDirectory() as profile:
        command = [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, sources),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=900)


def print_chromium(source: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        command = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}"]
        subprocess.run([*command, source.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--all", action="store_true", help="every font, face, style and producer")
    parser.add_argument("--styles", default="", help="comma-separated styles (default: all)")
    parser.add_argument("--keep-sources", action="store_true", help="keep the .docx/.xlsx/.html beside the PDFs")
    args = parser.parse_args()
    wanted = set(filter(None, args.styles.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        office: list[Path] = []
        for style, producer, font, bold in combinations(args.all):
            if wanted and style not in wanted:
                continue
            name = name_of(style, producer, font, bold)
            folder = args.out / ("heldout" if held_out(style, producer, font) else producer)
            folder.mkdir(parents=True, exist_ok=True)
            forms = document_forms(name)
            truth = [layout_truth(f, STYLES[style]) for f in forms]
            (folder / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
            source = staging / f"{name}{SOURCE[producer]}"
            write_source(forms, source, style, producer, Look(font=font, bold_labels=bold))
            if args.keep_sources:
                shutil.copy(source, folder / source.name)
            if producer == "chromium":
                print_chromium(source, folder / f"{name}.pdf")
            else:
                office.append(source)
        printed = staging / "printed"
        print_office(office, printed)
        for pdf in sorted(printed.glob("*.pdf")) if printed.exists() else []:
            style, producer, font = pdf.stem.split("-")[:3]
            fonts = {f.replace(" ", ""): f for f in FONTS}
            folder = args.out / ("heldout" if held_out(style, producer, fonts[font]) else producer)
            shutil.move(str(pdf), folder / pdf.name)
    print(f"wrote {sum(1 for _ in args.out.rglob('*.pdf'))} PDFs under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
