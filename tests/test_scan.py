"""Scanned pages: pre-processing, the image grid, and scans converted end to end."""

from __future__ import annotations

import json
import random
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from ocrform import convert, convert_many
from ocrform.canonical import DocumentResult
from ocrform.document import load_document
from ocrform.errors import InputError
from ocrform.evaluate import field_accuracy
from ocrform.grid import IMAGE_SNAP, find_tables, tables_from_rulings
from ocrform.grid.image import find_image_rulings
from ocrform.scan.preprocess import drop_seals, find_orientation, find_skew, preprocess_page, remove_specks, rotate
from ocrform.synth import STYLES, render_forms_pdf
from ocrform.synth.degrade import _stamp_seal, degrade_image, render_page, render_scan

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"


def gold(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for style in ("guizhou", "hunan_scored"):
        pdf = tmp_path_factory.mktemp("scan") / f"{style}.pdf"
        render_forms_pdf([gold("000_f01")], pdf, STYLES[style])
        out[style] = pdf
    return out


def page_image(pdf: Path, dpi: int = 200) -> np.ndarray:
    return render_page(pymupdf.open(pdf)[0], dpi)


@pytest.mark.parametrize("angle", [-4.0, -2.0, -0.6, 0.3, 1.7, 3.2])
def test_deskew_recovers_a_known_angle(rendered: dict[str, Path], angle: float) -> None:
    gray = cv2.cvtColor(page_image(rendered["guizhou"]), cv2.COLOR_BGR2GRAY)
    assert find_skew(rotate(gray, angle)) == pytest.approx(-angle, abs=0.2)


@pytest.mark.parametrize("turns", [0, 90, 180, 270])
def test_a_turned_page_comes_back_upright(rendered: dict[str, Path], turns: int) -> None:
    gray = drop_seals(page_image(rendered["hunan_scored"]))
    turned = {
        0: gray,
        90: cv2.rotate(gray, cv2.ROTATE_90_COUNTERCLOCKWISE),
        180: cv2.rotate(gray, cv2.ROTATE_180),
        270: cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE),
    }[turns]
    assert find_orientation(turned) == turns
    assert preprocess_page(turned, 200 / 72).image.shape == gray.shape


def test_a_seal_over_text_leaves_the_text(rendered: dict[str, Path]) -> None:
    clean = page_image(rendered["guizhou"])
    stamped = clean.copy()
    _stamp_seal(stamped, random.Random(5))
    changed = np.any(stamped != clean, axis=2)
    assert changed.sum() > 2000  # the seal is really there
    clean_ink = drop_seals(clean) < 128
    stamped_ink = drop_seals(stamped) < 128
    # Under the seal, the text keeps its dark pixels and the seal adds almost none of its own
    # (a few anti-aliased glyph edges darken where red ink tints them).
    under_text = clean_ink & changed
    assert np.count_nonzero(stamped_ink[under_text]) >= 0.99 * np.count_nonzero(under_text)
    assert np.count_nonzero(stamped_ink & ~clean_ink) < 0.03 * changed.sum()
    assert np.array_equal(clean_ink[~changed], stamped_ink[~changed])


def test_a_faint_ruling_beside_a_seal_is_kept() -> None:
    # At 150 dpi with blur a 1 px rule is light grey; lying within the seal's reach it was
    # taken for the seal's smeared tint and whitened, breaking the table grid there.
    page = np.full((100, 100, 3), 255, np.uint8)
    page[:, 50] = 170
    page[40:60, 56:70] = (40, 40, 220)
    gray = drop_seals(page)
    assert gray[:, 50].max() < 200
    assert gray[45:55, 60:66].min() == 255


def test_a_faint_ruling_under_a_seal_is_kept() -> None:
    # Seal ink multiplies with the page: a light rule under it turns a dark red that is
    # still brighter in red than plain ink, and whitening light red lost the rule there.
    page = np.full((100, 100, 3), 255, np.uint8)
    page[:, 50] = 190
    seal = np.full_like(page, 255)
    seal[30:70, 30:70] = (40, 40, 220)
    page = (page.astype(np.uint16) * seal // 255).astype(np.uint8)
    gray = drop_seals(page)
    assert gray[35:65, 50].max() < 200  # the rule, at about its own grey
    assert gray[35:65, 35:45].min() == 255  # the seal's ink, gone


def test_specks_go_and_small_marks_beside_text_stay() -> None:
    rng = np.random.default_rng(1)
    page = np.full((300, 300), 255, np.uint8)
    page[100:116, 100:108] = 0  # a digit
    page[113:115, 110:112] = 0  # its decimal point, 2 pixels off
    page[100:116, 114:122] = 0  # the next digit
    ys, xs = rng.integers(150, 300, 400), rng.integers(0, 300, 400)
    page[ys, xs] = 0  # scanner noise on the paper below
    clean = remove_specks(page, 150 / 72)
    assert np.count_nonzero(clean[150:] < 128) == 0
    assert np.array_equal(clean[90:130, 90:130], page[90:130, 90:130])
    page[150:] = 255
    page[200, 10:200:20] = 0  # ten dots: not a speckled page
    assert remove_specks(page, 150 / 72) is page


def cell_layout(tables: list) -> list[tuple[int, int, int, int]]:
    return sorted((c.row, c.col, c.row_span, c.col_span) for t in tables for c in t.cells)


@pytest.mark.parametrize("style", ["guizhou", "hunan_scored"])
@pytest.mark.parametrize("level", ["clean", "mild"])
def test_image_grid_matches_the_vector_grid(rendered: dict[str, Path], style: str, level: str) -> None:
    vector = find_tables(load_document(rendered[style]).load_page(0))
    dpi = 200
    image = degrade_image(page_image(rendered[style], dpi), random.Random(0), level)
    prepared = preprocess_page(image, dpi / 72)
    tables = tables_from_rulings(find_image_rulings(prepared.image, dpi / 72), 0, "image", snap=IMAGE_SNAP)
    assert cell_layout(tables) == cell_layout(vector)
    for got, want in zip(
        sorted(c.box.x0 for t in tables for c in t.cells), sorted(c.box.x0 for t in vector for c in t.cells)
    ):
        assert abs(got - want) < 3.0


@pytest.mark.parametrize(("level", "bar"), [("mild", 0.99), ("heavy", 0.97)])
def test_scanned_form_converts_end_to_end(tmp_path: Path, level: str, bar: float) -> None:
    pdf = tmp_path / "form.pdf"
    form = gold("000_f02")
    render_forms_pdf([form], pdf, STYLES["guizhou"])
    scan = tmp_path / f"scan-{level}.pdf"
    render_scan(pdf, scan, level, seed=1)
    result = convert(scan)
    exact, total = field_accuracy([f.model_dump(mode="json") for f in result.forms], [form])
    assert exact / total >= bar, (exact, total)
    assert result.source.text_layer == "absent"
    methods = {p.method for ev in result.evidence for p in ev.provenance}
    assert methods == {"ocr:rapidocr"}


def test_multi_page_tiff(tmp_path: Path) -> None:
    pdf = tmp_path / "two.pdf"
    render_forms_pdf([gold("000_f03"), gold("000_f06")], pdf, STYLES["guizhou"])
    tiff = tmp_path / "two.tiff"
    render_scan(pdf, tiff, "clean", seed=0, dpi=200)
    doc = load_document(tiff)
    assert doc.kind == "image" and doc.page_count == pymupdf.open(pdf).page_count
    result = convert(tiff)
    assert [f.project_name for f in result.forms] == [gold("000_f03")["project_name"], gold("000_f06")["project_name"]]


def test_a_batch_streams_scans_across_files_and_keeps_each_files_result(tmp_path: Path) -> None:
    # The next page is prepared in a worker while one is read, across files: each result must
    # be the file's own, the same as converted alone, and a bad file in between only its own.
    forms = [gold("000_f03"), gold("000_f06")]
    pdf = tmp_path / "two.pdf"
    render_forms_pdf(forms, pdf, STYLES["guizhou"])
    tiff, png = tmp_path / "two.tiff", tmp_path / "one.png"
    render_scan(pdf, tiff, "mild", seed=3, dpi=200)
    render_scan(pdf, png, "mild", seed=4, dpi=200)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    batch = list(convert_many([tiff, broken, png]))
    assert [item.path for item in batch] == [tiff, broken, png]
    assert [item.ok for item in batch] == [True, False, True]
    two, one, error = batch[0].result, batch[2].result, batch[1].error
    assert isinstance(error, InputError) and "broken.png" in str(error)
    assert isinstance(two, DocumentResult) and isinstance(one, DocumentResult)
    assert [f.project_name for f in two.forms] == [f["project_name"] for f in forms]
    assert two.model_dump(exclude={"source"}) == convert(tiff).model_dump(exclude={"source"})
    assert one.model_dump(exclude={"source"}) == convert(png).model_dump(exclude={"source"})


def test_a_bilevel_scan_converts(tmp_path: Path) -> None:
    # A fax or archive TIFF holds only black and white; Otsu then cuts at 0 and a test for
    # ink strictly below the cut found none, so such pages came back without a form.
    pdf = tmp_path / "form.pdf"
    form = gold("000_f02")
    render_forms_pdf([form], pdf, STYLES["guizhou"])
    gray = cv2.cvtColor(page_image(pdf, 200), cv2.COLOR_BGR2GRAY)
    tiff = tmp_path / "bilevel.tif"
    cv2.imwrite(str(tiff), np.where(gray < 160, 0, 255).astype(np.uint8))
    result = convert(tiff)
    exact, total = field_accuracy([f.model_dump(mode="json") for f in result.forms], [form])
    assert exact / total >= 0.99, (exact, total)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_heavy_scan_lying_any_way_up_comes_back_upright(tmp_path: Path, turn: int) -> None:
    # 150 dpi, 2° skew, blur, JPEG 35: unlevelled, the skewed rules' pieces read as text
    # and hid which way the lines run, and a share-of-votes rule left it upside down.
    pdf = tmp_path / "form.pdf"
    render_forms_pdf([gold("000_f02")], pdf, STYLES["guizhou_compact"])
    image = degrade_image(page_image(pdf, 150), random.Random(8), "heavy")
    codes = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    turned = cv2.rotate(image, codes[turn]) if turn else image
    assert preprocess_page(turned, 150 / 72).rotation == turn


def test_a_folder_of_page_images_is_one_document_equal_to_its_tiff(tmp_path: Path) -> None:
    """A document scanned one image per page (scan_1.png … scan_10.png): with the folder as
    the input, its pages in natural name order are one document, the same as one TIFF."""
    import cv2

    from ocrform.cli import main

    pdf = tmp_path / "two.pdf"
    forms = [gold("000_f03"), gold("000_f06")]
    render_forms_pdf(forms, pdf, STYLES["guizhou"])
    tiff = tmp_path / "two.tiff"
    render_scan(pdf, tiff, "mild", seed=5, dpi=200)
    ok, frames = cv2.imreadmulti(str(tiff))
    assert ok and len(frames) >= 2
    folder = tmp_path / "scan"
    folder.mkdir()
    # Named so that a plain sort would put the last page first (scan_10 before scan_2).
    for k, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"scan_{2 + 8 * k}.png"), frame)
    (folder / "notes.txt").write_text("not a page", encoding="utf-8")
    doc = load_document(folder)
    assert doc.page_count == len(frames)
    by_folder, by_tiff = convert(folder), convert(tiff)
    assert by_folder.model_dump(exclude={"source"}) == by_tiff.model_dump(exclude={"source"})
    assert [f.project_name for f in by_folder.forms] == [f["project_name"] for f in forms]
    out = tmp_path / "out"
    assert main(["convert", str(folder), "-o", str(out), "--one-document-per-folder", "-q"]) == 0
    assert [p.name for p in out.glob("*.json")] == ["scan.json"]


def test_a_last_page_of_a_few_rows_keeps_its_rows(tmp_path: Path) -> None:
    """Issue 21: a multi-page scan whose last page holds only 1-3 table rows (such a page
    was turned sideways and its rows lost); greyscale, Group 4 black and white, JPEG TIFF."""
    from PIL import Image

    from ocrform.synth.pdf import sparse_last_page

    form = gold("001_f01")
    style = sparse_last_page([form], STYLES["hunan_scored"])
    assert style is not None
    pdf = tmp_path / "sparse.pdf"
    truth = render_forms_pdf([form], pdf, style)
    assert pymupdf.open(pdf).page_count >= 2
    for mode, compression, expected in (("grey", "jpeg", "jpeg"), ("bw", "auto", "group4")):
        tiff = tmp_path / f"sparse-{mode}.tiff"
        render_scan(pdf, tiff, "mild", seed=2, dpi=200, mode=mode, tiff=compression)
        with Image.open(tiff) as image:
            assert image.info["compression"] == expected and image.mode in {"L", "1"}
        result = convert(tiff)
        assert len(result.forms) == 1
        exact, total = field_accuracy([f.model_dump(mode="json") for f in result.forms], truth)
        assert exact / total >= 0.97, (mode, exact, total)
