"""Write the Word (.docx) and Excel (.xlsx) originals of generated forms, with their truth,
for the office readers' tests: the same sources `make_office_fixtures.py` prints to PDF.

    python scripts/make_office_sources.py tests/fixtures/office_sources [--styles anhui,mof]

Needs python-docx and openpyxl only (no LibreOffice). Every style is written both ways: each
committed Writer (.docx) and Calc (.xlsx) combination of `make_office_fixtures.py` under the
same name, so a source's forms are those of the PDF it was printed to
(`tests/fixtures/office/<producer>/<name>.pdf`), and where a style's only combination of a
producer is held out, one more in the next font of the rotation. Held-out combinations go
under OUT/heldout/, as the PDFs do. Beside each source its truth (`<name>.json`).

`--formulas` writes OUT/formulas/formulas.xlsx instead: a form whose 执行率 (B/A), fund 得分
and 总分 (SUM) cells are formulas, recalculated and saved by LibreOffice (`soffice`, needed
for this part only) so that the file holds the cached values Excel would show.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_office_fixtures import (  # noqa: E402
    FONTS,
    combinations,
    document_forms,
    held_out,
    name_of,
    write_source,
)

from ocrform.synth import STYLES  # noqa: E402
from ocrform.synth.office import Look, write_xlsx  # noqa: E402
from ocrform.synth.pdf import layout_truth  # noqa: E402
from ocrform.synth.random_form import random_form  # noqa: E402

PRODUCERS = ("writer", "calc")
SUFFIX = {"writer": ".docx", "calc": ".xlsx"}


def source_combinations() -> list[tuple[str, str, str, bool]]:
    """(style, producer, font, bold): the committed Writer and Calc combinations, and one
    more tuning combination for each style and producer that has only held-out ones."""
    out = [c for c in combinations(False) if c[1] in PRODUCERS]
    for s, style in enumerate(sorted(STYLES)):
        for p, producer in enumerate(("writer", "calc", "chromium")):
            if producer not in PRODUCERS:
                continue
            if any(c[0] == style and c[1] == producer and not held_out(*c[:3]) for c in out):
                continue
            font = FONTS[(s + 2 * p + 1) % len(FONTS)]
            out.append((style, producer, font, (s + p) % 2 == 1))
    return out


FORMULA_STYLE = "guizhou"
# Shares executed: their rates and scores are exact in two decimals.
SHARES = (1.0, 0.95, 0.9, 0.8)


def formula_form(seed: int = 23) -> dict:
    """A random form whose rates, fund scores and total are what its formulas compute."""
    rng = random.Random(seed)
    form = random_form(rng)
    fund_score = 0.0
    for n, row in enumerate(form["funds"]["rows"]):
        if row["annual_budget"] is None or row["executed"] is None:
            continue
        share = SHARES[1] if n == 0 else SHARES[0]
        row["annual_budget"] = float(round(row["annual_budget"], -2) or 100000.0)
        row["executed"] = round(row["annual_budget"] * share, 2)
        if row["execution_rate"] is not None or n == 0:
            row["execution_rate"] = round(share * 100, 2)
        if row["weight"] is not None:
            row["score"] = round(row["weight"] * share, 2)
            fund_score += row["score"]
    form["funds"]["rows"][1]["annual_budget"] = form["funds"]["rows"][0]["annual_budget"]
    form["funds"]["rows"][1]["executed"] = form["funds"]["rows"][0]["executed"]
    form["total_score"] = round(fund_score + sum(i["score"] or 0 for i in form["indicators"]), 2)
    return form


def _total_label(value: object) -> bool:
    return str(value).replace(" ", "").startswith("总分")


def write_formula_workbook(out: Path) -> None:
    """OUT/formulas/formulas.xlsx and its truth: the form written by write_xlsx, its computed
    cells turned into formulas, recalculated and saved by LibreOffice."""
    import openpyxl

    form = formula_form()
    style = STYLES[FORMULA_STYLE]
    folder = out / "formulas"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "formulas.xlsx"
        write_xlsx([form], plain, style, Look(font=FONTS[0]))
        book = openpyxl.load_workbook(plain)
        sheet = book.active
        header = next(r for r in sheet.iter_rows() if any(c.value == "执行率" for c in r))
        col = {str(c.value): c.column_letter for c in header if isinstance(c.value, str)}
        annual, executed, rate = col["全年预算数（A）"], col["全年执行数（B）"], col["执行率"]
        weight, score = col["分值"], col["得分"]
        scores = []
        for r in range(header[0].row + 1, sheet.max_row + 1):
            cell = sheet[f"{rate}{r}"]
            if not isinstance(cell.value, (int, float)):
                if sheet[f"{annual}{r}"].value is None and sheet[f"{executed}{r}"].value is None:
                    break
                continue
            percent = cell.number_format.endswith("%")
            cell.value = f"={executed}{r}/{annual}{r}" + ("" if percent else "*100")
            if isinstance(sheet[f"{score}{r}"].value, (int, float)):
                share = f"{rate}{r}" if percent else f"{rate}{r}/100"
                sheet[f"{score}{r}"].value = f"={weight}{r}*{share}"
                scores.append(f"{score}{r}")
        total_row = next(r for r in sheet.iter_rows() if any(_total_label(c.value) for c in r))
        total = [c for c in total_row if isinstance(c.value, (int, float))][-1]
        first_indicator = next(r for r in sheet.iter_rows() if any(c.value == "三级指标" for c in r))[0].row + 1
        indicator_score = next(c.column_letter for c in sheet[first_indicator - 1] if c.value == "得分")
        total.value = f"={'+'.join(scores)}+SUM({indicator_score}{first_indicator}:{indicator_score}{total.row - 1})"
        book.save(plain)
        recalculated = Path(tmp) / "out"
        with tempfile.TemporaryDirectory() as profile:
            command = [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(recalculated),
                str(plain),
            ]
            subprocess.run(command, check=True, capture_output=True, timeout=300)
        shutil.copy(recalculated / "formulas.xlsx", folder / "formulas.xlsx")
    truth = [layout_truth(form, style)]
    (folder / "formulas.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--styles", default="", help="comma-separated styles (default: all)")
    parser.add_argument("--formulas", action="store_true", help="write the formula workbook (needs soffice)")
    args = parser.parse_args()
    if args.formulas:
        write_formula_workbook(args.out)
        print(f"wrote {args.out / 'formulas' / 'formulas.xlsx'}")
        return 0
    wanted = set(filter(None, args.styles.split(",")))
    written = 0
    for style, producer, font, bold in source_combinations():
        if wanted and style not in wanted:
            continue
        name = name_of(style, producer, font, bold)
        folder = args.out / "heldout" if held_out(style, producer, font) else args.out
        folder.mkdir(parents=True, exist_ok=True)
        forms = document_forms(name)
        truth = [layout_truth(f, STYLES[style]) for f in forms]
        (folder / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        write_source(forms, folder / f"{name}{SUFFIX[producer]}", style, producer, Look(font=font, bold_labels=bold))
        written += 1
    print(f"wrote {written} sources under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
