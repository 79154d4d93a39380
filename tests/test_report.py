"""The HTML QA report: each field's value beside the crop of its page, failed-check and
to-check fields highlighted, links between them; looked at in headless Chromium and read back
with the project's own OCR, not just found to exist."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest
from rapidfuzz import fuzz

from ocrform import convert
from ocrform.canonical import DocumentResult
from ocrform.report import FAILED_COLOUR, FLAGGED_COLOUR, write_report
from ocrform.validate import validate_form
from ocrform.words.engines import get_engine

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PDF = SAMPLES / "guizhou_1form.pdf"
SCAN = SAMPLES / "guizhou_1form_scan.pdf"
DUMP = SAMPLES / "seeds" / "003_32938e1454f761be.txt"
PROJECT = "六盘水市政府网站群云检测服务经费"
BROKEN_RATE = 12.5


def _reviewed(result: DocumentResult) -> DocumentResult:
    """``result`` as a reviewer should meet it: form 1's 执行率 hand-broken (a failed check),
    its contact read with low confidence (a field to check), and markup in a value."""
    data = json.loads(result.model_dump_json())
    data["forms"][0]["funds"]["rows"][0]["execution_rate"] = BROKEN_RATE
    data["forms"][0]["conclusion"] = "<script>alert(1)</script> & <b>bold</b>"
    edited = DocumentResult.model_validate(data)
    evidence = edited.evidence[0]
    provenance = [
        p.model_copy(update={"confidence": 0.42}) if p.field == "/contact" else p for p in evidence.provenance
    ]
    evidence = evidence.model_copy(update={"provenance": provenance})
    issues = validate_form(edited.forms[0], evidence)
    edited.evidence[0] = evidence.model_copy(update={"issues": issues})
    return edited


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    items = [(PDF, _reviewed(convert(PDF))), (DUMP, convert(DUMP))]
    return write_report(items, out)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []
        self.rows: dict[str, str] = {}  # id of a <tr> -> its class

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
            if tag == "tr":
                self.rows[a["id"]] = a.get("class") or ""
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "img":
            self.images.append(a["src"])


def _parsed(report: Path) -> _Page:
    page = _Page()
    page.feed(report.read_text("utf-8"))
    return page


def test_every_link_lands_and_every_crop_is_a_picture(report: Path) -> None:
    page = _parsed(report)
    assert page.links and not [link for link in page.links if link not in page.ids]
    assert len(page.images) >= 60, "the born-digital form's fields each have a crop"
    for src in page.images:
        picture = cv2.imread(str(report.parent / src))
        assert picture is not None and picture.shape[0] >= 20 and picture.shape[1] >= 20, src
    assert all(src.startswith("report-assets/d1/") for src in page.images), "a text dump has no crops"
    assert "a text dump has no page to show" in report.read_text("utf-8")


def test_a_failed_check_links_to_each_field_it_compares_and_back(report: Path) -> None:
    page = _parsed(report)
    html = report.read_text("utf-8")
    row = "d1-f1-funds-rows-0-"
    for name in ("execution_rate", "executed", "annual_budget"):
        assert page.rows[row + name] == "failed"
        assert row + name in page.links
    assert page.rows["d1-f1-check1"] == "failed" and "d1-f1-check1" in page.links
    assert page.rows["d1-f1-contact"] == "flagged" and "d1-f1-contact" in page.links  # linked from the index
    assert page.rows["d1-f1-project_name"] == "ok"
    assert f"执行率 {BROKEN_RATE} ≠ B/A = 100.00" in html
    # Values are text, whatever they hold.
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html


def test_a_crop_shows_the_field_it_belongs_to(tmp_path: Path) -> None:
    """A crop shows its field: from the PDF's page, from the image-only PDF's page, and from a
    page image scanned on its side, which the converter stood upright (its boxes are in the
    upright page's coordinates) and the report turns the same way."""
    pix = pymupdf.open(PDF)[0].get_pixmap(dpi=150)
    page = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3]
    sideways = tmp_path / "sideways.png"
    cv2.imwrite(str(sideways), cv2.rotate(np.ascontiguousarray(page[:, :, ::-1]), cv2.ROTATE_90_CLOCKWISE))
    engine = get_engine("rapidocr")
    for source in (PDF, SCAN, sideways):
        out = write_report([(source, convert(source))], tmp_path / source.stem)
        crops = out.parent / "report-assets" / "d1"
        for field, want in (("project_name", PROJECT), ("funds-rows-0-executed", "178500.00")):
            picture = cv2.imread(str(crops / f"d1-f1-{field}-1.png"))
            text = "".join(_read(engine, picture))
            assert fuzz.partial_ratio(want, text) >= 90, (source.name, field, text)


def test_a_changed_source_gets_no_crops(tmp_path: Path) -> None:
    copy = tmp_path / "form.pdf"
    shutil.copy(PDF, copy)
    result = convert(copy)
    copy.write_bytes(copy.read_bytes() + b"\n% appended\n")
    html = write_report([(copy, result)], tmp_path / "out").read_text("utf-8")
    assert "<img" not in html and "changed since it was converted" in html
    assert PROJECT in html
    # A second report into the same folder replaces the first's crops.
    write_report([(PDF, convert(PDF))], tmp_path / "out")
    assert (tmp_path / "out" / "report-assets" / "d1").is_dir()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report-assets", "report.html"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not on PATH (Debian package chromium)")
def test_the_report_as_a_browser_shows_it(report: Path, tmp_path: Path) -> None:
    """A screenshot in headless Chromium shows the project name and, in the failed-check
    colour, the hand-broken 执行率; the to-check colour is there too."""
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1200,3000",
            "--hide-scrollbars",
            report.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    picture = cv2.imread(str(shot))
    assert picture is not None and picture.shape[:2] == (3000, 1200)
    engine = get_engine("rapidocr")
    # The top of the page: the summary and the index, which names each form's project.
    text = " ".join(_read(engine, picture[:800]))
    assert fuzz.partial_ratio(PROJECT, text) >= 90, text

    failed, flagged = _mask(picture, FAILED_COLOUR), _mask(picture, FLAGGED_COLOUR)
    assert failed.sum() > 5000 and flagged.sum() > 2000, "both highlight colours are on the page"
    # Each band of rows in the failed colour, read: one of them shows the broken rate.
    bands = []
    for top, bottom in _bands(failed.any(axis=1)):
        bands.append(" ".join(_read(engine, picture[max(0, top - 2) : bottom + 2])))
    assert any(str(BROKEN_RATE) in band for band in bands), bands


def _mask(picture: np.ndarray, colour: str) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return (np.abs(picture[:, :, ::-1].astype(int) - rgb).max(axis=2) <= 3).astype(np.uint8)


def _bands(rows: np.ndarray) -> list[tuple[int, int]]:
    """Runs of at least 12 consecutive True rows: table rows in a highlight colour."""
    bands, start = [], None
    for y, on in enumerate([*rows.tolist(), False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= 12:
                bands.append((start, y))
            start = None
    return bands


def _read(engine, picture: np.ndarray) -> list[str]:
    """The text lines the OCR engine finds and reads on ``picture``."""
    boxes = engine.detect(picture)
    lines = [picture[int(b.y0) : int(b.y1) + 1, int(b.x0) : int(b.x1) + 1] for b in boxes]
    lines = [line for line in lines if line.shape[0] >= 4 and line.shape[1] >= 4]
    return [r.text for r in engine.recognize(lines)] if lines else []


def test_concurrent_reports_into_one_folder_each_stay_whole(tmp_path: Path) -> None:
    """Three processes write a report into one folder at once (as concurrent runs would)."""
    result = tmp_path / "result.json"
    result.write_text(convert(PDF).model_dump_json(), encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from ocrform.canonical import DocumentResult;"
        "from ocrform.report import write_report;"
        "r = DocumentResult.model_validate_json(Path(sys.argv[1]).read_text('utf-8'));"
        "write_report([(Path(sys.argv[2]), r)], Path(sys.argv[3]))"
    )
    out = tmp_path / "out"
    runs = [
        subprocess.Popen([sys.executable, "-c", code, str(result), str(PDF), str(out)], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()[-2000:]
    page = _parsed(out / "report.html")
    assert page.images and all((out / src).is_file() for src in page.images)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "no temporary folder is left"
