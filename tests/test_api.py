"""The public Python API: what ``help(ocrform)`` promises, and the README's example as written."""

from __future__ import annotations

import json
import os
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ocrform
from ocrform.model import Box
from ocrform.stages import prepare_scan
from ocrform.words.engines import Reading

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BORN = SAMPLES / "guizhou_2forms.pdf"
SCAN = SAMPLES / "guizhou_1form_scan.pdf"
DUMP = SAMPLES / "seeds" / "000_1ad45b0b82b486fc.txt"


def _without_path(result: ocrform.DocumentResult) -> dict:
    return result.model_dump(mode="json", exclude={"source": {"path"}})


def test_the_public_surface_is_named_and_documented() -> None:
    for name in ocrform.__all__:
        assert getattr(ocrform, name) is not None, name
    text = pydoc.render_doc(ocrform, renderer=pydoc.plaintext)
    for name in ("convert", "convert_many", "open", "schema", "DocumentPage", "DocumentResult", "InputError"):
        assert name in text, name
    assert ocrform.schema()["title"] == "DocumentResult"
    with pytest.raises(AttributeError):
        _ = ocrform.no_such_name


def test_importing_ocrform_loads_no_heavy_library() -> None:
    # `ocrform --version` and `ocrform schema` should not pay for OpenCV and MuPDF.
    code = "import sys, ocrform; print(sorted(m for m in ('cv2', 'pymupdf', 'onnxruntime') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_convert_many_gives_each_input_its_result_or_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00junk" * 20)
    items = list(ocrform.convert_many([BORN, broken, DUMP], keep_pages=True))
    assert [i.path for i in items] == [BORN, broken, DUMP]
    assert [i.ok for i in items] == [True, False, True]
    assert isinstance(items[1].error, ocrform.InputError) and str(broken) in str(items[1].error)
    assert items[1].result is None
    born = items[0]
    assert born.result is not None and len(born.result.forms) == 2
    assert born.pages is not None and [c.page.index for c in born.pages] == list(range(born.result.source.pages))
    assert born.seconds.keys() >= {"load", "text", "map"}
    assert _without_path(born.result) == _without_path(ocrform.convert(BORN))
    with pytest.raises(ocrform.InputError):
        ocrform.convert(broken)


def test_open_shows_each_page_and_the_same_forms_as_convert() -> None:
    with ocrform.open(BORN) as doc:
        assert doc.kind == "pdf" and len(doc.pages) == doc.page_count >= 2
        page = doc.pages[0]
        assert page.number == 1 and page.kind == "pdf-text"
        assert page.words and all(w.origin == "pdf-text" for w in page.words)
        cells = [c for t in page.tables for c in t.cells]
        name = next(c for c in cells if c.text == "项目名称")
        value = next(c for c in cells if c.row == name.row and c.col == name.col + name.col_span)
        assert value.text == doc.forms[0].project_name
        assert all(c.box.x0 < c.box.x1 <= page.width and c.box.y0 < c.box.y1 <= page.height for c in cells)
        assert any(c.row_span > 1 for c in cells) and any(c.col_span > 1 for c in cells)
        # Every word of the page lies in exactly one cell or among the free words.
        placed = [w.text for c in cells for w in c.words] + [w.text for w in page.free_words]
        assert sorted("".join(placed)) == sorted("".join(w.text for w in page.words))
        assert _without_path(doc.result) == _without_path(ocrform.convert(BORN))
        assert doc.evidence[0].provenance


def test_a_repaired_text_layer_keeps_what_was_extracted() -> None:
    with ocrform.open(SAMPLES / "shanghai_1form_garbled.pdf") as doc:
        repaired = [w for p in doc.pages for w in p.words if w.orig is not None]
        loaded = [w.text for w in doc.pages[0].loaded().words]
        assert doc.result.source.text_layer == "repaired"
    assert repaired and all(w.origin.endswith("+font-cmap") and w.orig != w.text for w in repaired)
    assert {w.orig for w in repaired if w.page == 0} <= set(loaded)  # loading still gives the garbled text


def test_a_scan_can_be_looked_at_stage_by_stage(tmp_path: Path) -> None:
    with ocrform.open(SCAN) as doc:
        page = doc.pages[0]
        loaded = page.loaded()
        before = loaded.image.copy()
        upright = prepare_scan(loaded)
        assert upright is not loaded and np.array_equal(loaded.image, before)  # a stage makes new data
        assert page.kind == "pdf-image" and page.scan is not None and page.scan.rotation == 0
        assert page.words and all(w.origin == "ocr:rapidocr" for w in page.words)
        assert doc.forms[0].project_name == "六盘水市政府网站群云检测服务经费"
        assert _without_path(doc.result) == _without_path(ocrform.convert(SCAN))
        picture = page.debug_image(tmp_path / "p1.png")
    assert picture.shape[:2] == upright.image.shape[:2]
    assert (tmp_path / "p1.png").stat().st_size > 10_000
    # The field boxes are drawn in their own green: a picture without them has none of it.
    green = np.all(picture == (0, 150, 0), axis=2).sum()
    assert green > 1000


def test_debug_images_of_born_digital_pages_and_text_dumps() -> None:
    with ocrform.open(BORN) as doc:
        bare = doc.pages[0].debug_image(fields=False, dpi=72)
        drawn = doc.pages[0].debug_image(dpi=72)
        assert bare.shape == drawn.shape == (round(doc.pages[0].height), round(doc.pages[0].width), 3)
        assert not np.array_equal(bare, drawn)
    with ocrform.open(DUMP) as doc:
        assert doc.kind == "text" and len(doc.forms) == 12
        assert doc.pages[0].debug_image(dpi=72).shape[2] == 3


class _CountingEngine:
    """An engine object of one's own: reads every line as 'x', finds no free lines."""

    name = "counting"

    def __init__(self) -> None:
        self.lines = 0

    def detect(self, image: np.ndarray) -> list[Box]:
        return []

    def recognize(self, line_images: list[np.ndarray]) -> list[Reading]:
        self.lines += len(line_images)
        return [Reading("x", 0.99, 0.99)] * len(line_images)


def test_an_engine_object_reads_the_scans() -> None:
    engine = _CountingEngine()
    result = ocrform.convert(SCAN, engine=engine)
    assert engine.lines > 50
    assert {p.method for ev in result.evidence for p in ev.provenance} <= {"ocr:counting"}


def test_the_readme_python_example_runs_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python") :]
    (code,) = re.findall(r"```python\n(.*?)```", section[: section.index("\n## ", 1)], re.S)
    (tmp_path / "samples").symlink_to(SAMPLES)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith(
        json.loads((SAMPLES / "guizhou_1form.expected.json").read_text("utf-8"))[0]["project_name"]
    )
    assert lines[1].startswith("pdf-image ")
    assert (tmp_path / "out" / "page1.png").exists()
    assert lines[2].endswith("guizhou_2forms.pdf 2") and "missing.pdf: file not found" in lines[3]
