"""Bad input, each at its cause: limits checked before decoding, damage said in ``problems``,
fonts that cannot be read, the text repair's linear cost, fix-pdf's refusals, quiet libraries."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest
from fuzz_inputs import _pdf_with_huge_picture, png_bomb, png_header_only

import ocrform
from ocrform.canonical import DAMAGED, FONT_UNREADABLE, NO_FORM_FOUND, PAGES_LOST, DocumentResult
from ocrform.document import MAX_PAGE_PIXELS
from ocrform.errors import InputError
from ocrform.repair.fixpdf import fix_pdf
from ocrform.repair.text import BUDGET_PER_PLACE, _Text, repair_text
from ocrform.scan.imagefile import BadImage, read_image_header

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def _page(height: int = 280, width: int = 200) -> np.ndarray:
    img = np.full((height, width, 3), 250, np.uint8)
    cv2.rectangle(img, (20, 20), (width - 20, height - 20), (0, 0, 0), 1)
    return img


def _codes(result: DocumentResult) -> list[str]:
    return [p.code for p in result.problems]


# --- image headers ----------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".png", ".jpg", ".tif", ".bmp"])
def test_headers_give_the_size_without_decoding(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"page{ext}"
    cv2.imwrite(str(path), _page(300, 200))
    header = read_image_header(path)
    assert header.frames == [(200, 300)] and header.truncated is None


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp"])
def test_a_picture_cut_short_is_known_from_its_headers(tmp_path: Path, ext: str) -> None:
    whole = cv2.imencode(ext, _page())[1].tobytes()
    path = tmp_path / f"cut{ext}"
    path.write_bytes(whole[: len(whole) * 6 // 10])
    assert read_image_header(path).truncated


def test_a_tiff_cut_between_pages_says_later_pages_are_lost(tmp_path: Path) -> None:
    ok, data = cv2.imencodemulti(".tif", [_page(), _page(), _page()])
    assert ok
    path = tmp_path / "three.tif"
    path.write_bytes(data.tobytes()[: len(data) * 6 // 10])
    header = read_image_header(path)
    assert len(header.frames) == 1 and header.frames_unknown
    with pytest.raises(BadImage):
        read_image_header(_write(tmp_path / "junk.tif", b"II*\x00" + b"\xff" * 20))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- limits -----------------------------------------------------------------------------


def test_a_png_bomb_is_refused_before_it_is_decoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 30000 x 30000 PNG of under a megabyte (it took over 8 GiB): refused from its header,
    OpenCV never asked to decode it."""
    bomb = _write(tmp_path / "bomb.png", png_bomb(30000, 30000))
    assert bomb.stat().st_size < 1_200_000
    calls = []
    monkeypatch.setattr(cv2, "imread", lambda *a, **k: calls.append(a))
    start = time.perf_counter()
    with pytest.raises(InputError, match="30000 x 30000 pixels, over the limit"):
        ocrform.convert(bomb)
    assert time.perf_counter() - start < 5 and not calls


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("declared.png", png_header_only(65535, 65535), "over the limit"),
        ("one.png", cv2.imencode(".png", np.zeros((1, 1, 3), np.uint8))[1].tobytes(), "too small"),
        ("two.png", cv2.imencode(".png", np.zeros((2, 2, 3), np.uint8))[1].tobytes(), "too small"),
        ("strip.png", cv2.imencode(".png", np.full((8000, 8), 255, np.uint8))[1].tobytes(), "too small"),
        ("long.png", cv2.imencode(".png", np.full((4000, 400), 255, np.uint8))[1].tobytes(), "long and narrow"),
    ],
)
def test_pictures_outside_the_limits_are_refused_on_one_line(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(InputError, match=reason) as info:
        ocrform.convert(path)
    assert "\n" not in str(info.value)


def test_a_pdf_page_showing_a_huge_picture_is_refused(tmp_path: Path) -> None:
    side = int(MAX_PAGE_PIXELS**0.5) + 100
    path = _write(tmp_path / "picture.pdf", _pdf_with_huge_picture(side))
    with pytest.raises(InputError, match=f"{side} x {side} pixel picture"):
        ocrform.convert(path)


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "scan.pdf"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(InputError, match="not a regular file"):
        ocrform.convert(fifo)
    assert time.perf_counter() - start < 2


def test_a_text_dump_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.txt", "项目名称 ".encode() * 300_000)
    with pytest.raises(InputError, match="over the limit"):
        ocrform.convert(path)


# --- honest statuses --------------------------------------------------------------------


def test_a_half_jpeg_converts_and_says_it_is_damaged(tmp_path: Path) -> None:
    whole = cv2.imencode(".jpg", _page())[1].tobytes()
    path = _write(tmp_path / "half.jpg", whole[: len(whole) // 2])
    result = ocrform.convert(path)
    assert _codes(result)[0] == DAMAGED and "end-of-image" in result.problems[0].detail


def test_a_tiff_cut_at_60_percent_says_pages_were_lost(tmp_path: Path) -> None:
    _ok, data = cv2.imencodemulti(".tif", [_page(), _page(), _page()])
    path = _write(tmp_path / "three.tif", data.tobytes()[: len(data) * 6 // 10])
    result = ocrform.convert(path)
    assert result.source.pages == 1 and PAGES_LOST in _codes(result)


def test_a_truncated_scan_pdf_is_damaged_not_a_clean_empty_result(tmp_path: Path) -> None:
    data = (SAMPLES / "guizhou_1form_scan.pdf").read_bytes()
    result = ocrform.convert(_write(tmp_path / "cut.pdf", data[: len(data) * 6 // 10]))
    assert not result.forms
    assert _codes(result)[0] == DAMAGED and NO_FORM_FOUND in _codes(result)


def test_truncated_born_digital_pdfs_never_fail_on_their_fonts(tmp_path: Path) -> None:
    """32 of 60 cuts failed with `internal error (ValueError: bad xref)` from the font repair."""
    data = (SAMPLES / "guizhou_2forms.pdf").read_bytes()
    cuts = [_write(tmp_path / f"cut{k:02d}.pdf", data[: len(data) * k // 31]) for k in range(1, 31)]
    outcomes = list(ocrform.convert_many(cuts))
    errors = [item.error for item in outcomes if item.error is not None]
    assert all(isinstance(e, InputError) for e in errors), errors
    results = [item.result for item in outcomes if item.result is not None]
    assert all(r.problems for r in results)  # every cut is damaged, none reported clean
    assert any(FONT_UNREADABLE in _codes(r) for r in results)


def test_a_font_that_cannot_be_read_does_not_cost_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import ocrform.repair.font as font

    def bad_xref(doc: pymupdf.Document, xref: int) -> None:
        raise ValueError("bad xref")

    clean = ocrform.convert(SAMPLES / "guizhou_1form.pdf")
    monkeypatch.setattr(font, "load_cid_font", bad_xref)
    result = ocrform.convert(SAMPLES / "guizhou_1form.pdf")
    assert FONT_UNREADABLE in _codes(result) and "bad xref" in result.problems[0].detail
    assert [f.project_name for f in result.forms] == [f.project_name for f in clean.forms]


def test_a_clean_input_has_no_problems() -> None:
    assert ocrform.convert(SAMPLES / "guizhou_1form.pdf").problems == []


def test_old_results_without_problems_stay_valid() -> None:
    result = ocrform.convert(SAMPLES / "guizhou_1form.pdf").model_dump(mode="json")
    del result["problems"]
    assert DocumentResult.model_validate(result).problems == []


# --- the text repair's cost -------------------------------------------------------------


def _junk(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) if rng.random() > 0.1 else " " for _ in range(n))


def test_junk_text_repair_is_bounded_linearly() -> None:
    """20 KB of junk ideographs took over 120 s (2/5/10/20 KB: 2.7/8.5/45.5/>120 s): every block
    was planned again after each change. Now only those near a change are, under a budget of
    BUDGET_PER_PLACE units a place."""
    costs = {}
    for n in (2000, 6500):
        text = _junk(n)
        made: list[_Text] = []
        init = _Text.__init__

        def spy(self: _Text, text: str, made: list[_Text] = made, init=init) -> None:
            init(self, text)
            made.append(self)

        _Text.__init__ = spy  # type: ignore[method-assign]
        try:
            start = time.perf_counter()
            repair_text(text)
            seconds = time.perf_counter() - start
        finally:
            _Text.__init__ = init  # type: ignore[method-assign]
        costs[n] = made[0].cost / len(made[0].chars)
        assert costs[n] <= BUDGET_PER_PLACE + 50  # the last block's plans may overshoot a little
        assert seconds < 30
    assert costs[6500] < 5 * max(costs[2000], 10)


def test_the_budget_stops_the_repair_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import ocrform.repair.text as text_repair

    monkeypatch.setattr(text_repair, "BUDGET_PER_PLACE", 1)
    monkeypatch.setattr(text_repair, "BUDGET_FLOOR", 100)
    fixed = repair_text(_junk(6500))
    assert not fixed.complete


def test_seed_001_is_repaired_within_its_budget() -> None:
    text = next((SAMPLES / "seeds").glob("001_*.txt")).read_text("utf-8")
    fixed = repair_text(text)
    assert fixed.complete and fixed.garbled and len(fixed.repairs) == 20


# --- fix-pdf ----------------------------------------------------------------------------


def _fix_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocrform.cli", "fix-pdf", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_fix_pdf_refuses_a_png(tmp_path: Path) -> None:
    png = _write(tmp_path / "page.png", cv2.imencode(".png", _page())[1].tobytes())
    proc = _fix_cli(str(png), "-o", str(tmp_path / "page.pdf"))
    assert proc.returncode == 3 and proc.stderr.count("\n") == 1 and "not a PDF" in proc.stderr
    assert not (tmp_path / "page.pdf").exists()


def test_fix_pdf_bad_output_and_damaged_input_are_one_line(tmp_path: Path) -> None:
    proc = _fix_cli(str(SAMPLES / "shanghai_1form_garbled.pdf"), "-o", str(tmp_path / "no" / "such" / "out.pdf"))
    assert proc.returncode == 3 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    data = (SAMPLES / "shanghai_1form_garbled.pdf").read_bytes()
    for k in range(1, 10):  # a damaged PDF: copied or refused on one line, never a traceback
        cut = _write(tmp_path / f"cut{k}.pdf", data[: len(data) * k // 10])
        try:
            fix_pdf(cut, tmp_path / f"fixed{k}.pdf")
        except InputError as exc:
            assert "\n" not in str(exc)


def test_fix_pdf_onto_its_own_input_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ocrform.batch.outputs as outputs  # fix-pdf writes through the batch's atomic writer

    path = _write(tmp_path / "garbled.pdf", (SAMPLES / "shanghai_1form_garbled.pdf").read_bytes())
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.os, "replace", crash)
    with pytest.raises(InputError, match="No space left"):
        fix_pdf(path, path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["garbled.pdf"]
    monkeypatch.undo()
    report = fix_pdf(path, path)
    assert report.changed and path.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbled.pdf"]
    assert pymupdf.open(path).page_count == pymupdf.open(SAMPLES / "shanghai_1form_garbled.pdf").page_count


# --- quiet libraries --------------------------------------------------------------------


def test_damaged_pictures_give_one_line_each_and_no_library_chatter(tmp_path: Path) -> None:
    """libjpeg ("Premature end of JPEG file"), libpng ("libpng error: Read Error") and libtiff
    (through OpenCV's log) wrote to stderr; onnxruntime wrote a telemetry id under ~/.cache."""
    page = _page()
    jpg = cv2.imencode(".jpg", page)[1].tobytes()
    png = cv2.imencode(".png", page)[1].tobytes()
    _ok, tif = cv2.imencodemulti(".tif", [page, page, page])
    inputs = [
        _write(tmp_path / "half.jpg", jpg[: len(jpg) // 2]),
        _write(tmp_path / "half.png", png[: len(png) // 2]),
        _write(tmp_path / "cut.tif", tif.tobytes()[: len(tif) * 6 // 10]),
    ]
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "ocrform.cli", "convert", *map(str, inputs), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    # One line a file (its warnings and the batch's summary apart), nothing from the libraries.
    lines = [line for line in proc.stderr.splitlines() if not line.startswith(("warning: ", "ocrform: "))]
    assert len(lines) == 3, proc.stderr
    assert all(line.startswith((str(tmp_path), "error: ")) for line in lines), lines
    assert proc.returncode == 1  # the PNG cut in its data cannot be decoded at all
    assert not any(home.rglob("*")), list(home.rglob("*"))
