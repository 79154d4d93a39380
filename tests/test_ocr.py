"""Scan OCR: engines, cell-aware reading of a rendered form page, OCR confusion fixes.

The reference is the born-digital page itself: its vector grid gives the tables and its text
layer the expected cell texts; the same page rendered at 200 dpi is what the OCR reads.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from ocrform.document import load_document
from ocrform.errors import InputError
from ocrform.grid import fill_cells, find_tables
from ocrform.model import Page
from ocrform.text import normalize
from ocrform.words.engines import Reading, get_engine
from ocrform.words.engines.output_classes import keep_classes, model_metadata, printed_character
from ocrform.words.ocr import (
    _barred_operator,
    _cell_mask,
    _is_edge_stroke,
    _islands,
    _leading_dashes,
    _split_wide_gaps,
    _typical_line_height,
    is_black_and_white,
    read_words_by_ocr,
)
from ocrform.words.ocr_fixes import fix_label, fix_number, fix_ocr_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DPI = 200
PLACEHOLDER = re.compile(r"[-‐‑‒–—―－一]+")


@pytest.fixture(scope="module")
def engine():
    return get_engine("rapidocr")


def _rendered(pdf_path: Path, index: int) -> tuple[list, list, Page]:
    """Tables filled from the text layer (expected), empty copies for OCR, and the scan page."""
    page = list(load_document(pdf_path).iter_pages())[index]
    expected, _ = fill_cells(find_tables(page), page.words)
    empty = find_tables(page)
    pix = pymupdf.open(pdf_path)[index].get_pixmap(dpi=DPI)
    image = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3].copy()
    scan = Page(index=index, width=page.width, height=page.height, kind="image", image=image, pixels_per_point=DPI / 72)
    return expected, empty, scan


def _comparable(text: str) -> str:
    # Fund sub-items are indented with a run of dashes, and empty values are a dash of some
    # length: a CTC recogniser can count neither, and the mapping drops both anyway.
    text = normalize(text)
    return "-" if PLACEHOLDER.fullmatch(text) else re.sub(r"-+", "-", text)


@pytest.mark.parametrize(("name", "index"), [("guizhou_2forms.pdf", 0), ("hunan_scored_2forms.pdf", 0)])
def test_cell_texts_match_born_digital(engine, name: str, index: int) -> None:
    expected, tables, scan = _rendered(SAMPLES / name, index)
    words = read_words_by_ocr(scan, tables, engine)
    tables, free = fill_cells(tables, words)
    pairs = [
        (_comparable(want.text), _comparable(got.text))
        for te, tg in zip(expected, tables, strict=True)
        for want, got in zip(te.cells, tg.cells, strict=True)
    ]
    wrong = [(w, g) for w, g in pairs if w != g]
    assert len(pairs) > 50
    assert 1 - len(wrong) / len(pairs) >= 0.99, wrong
    assert all(w.origin == "ocr:rapidocr" and 0 < w.weakest <= w.confidence <= 1 for w in words)
    assert any(w.weakest < w.confidence for w in words)
    # Boxes are in points: every word lies on the page.
    assert all(
        0 <= w.box.x0 < w.box.x1 <= scan.width + 1 and 0 <= w.box.y0 < w.box.y1 <= scan.height + 1 for w in words
    )
    # The title above the table is read by the detector, outside the grid.
    assert any("自评表" in w.text for w in free)


def test_vertical_labels_read_as_one_word(engine) -> None:
    _, tables, scan = _rendered(SAMPLES / "guizhou_2forms.pdf", 0)
    read = read_words_by_ocr(scan, tables, engine)
    vertical = {w.text for w in read if w.vertical}
    assert {"年度总体目标", "绩效指标"} <= vertical


def test_empty_page_regions_cost_nothing(engine) -> None:
    _, tables, scan = _rendered(SAMPLES / "guizhou_2forms.pdf", 0)
    assert scan.image is not None
    scan.image[:] = 255
    calls: list[int] = []
    real = engine.recognize
    engine.recognize = lambda images: calls.append(len(images)) or real(images)
    try:
        assert read_words_by_ocr(scan, tables, engine) == []
    finally:
        del engine.recognize
    assert calls == []


def test_rapidocr_models_come_from_the_installed_package(engine) -> None:
    import rapidocr

    package = Path(rapidocr.__file__).resolve().parent
    assert engine.det_path.resolve().is_relative_to(package)
    assert engine.rec_path.resolve().is_relative_to(package)


def test_the_narrowed_recogniser_scores_its_classes_as_the_full_one_does(engine) -> None:
    """Cut to GB 2312, the recogniser gives each kept class the full model's probability,
    shared among the kept classes only, so its likeliest class is the full model's likeliest
    among them."""
    import onnxruntime as ort

    model = engine.rec_path.read_bytes()
    chars = ["", *model_metadata(model)["character"].split("\n"), " "]
    keep = [k for k, ch in enumerate(chars) if ch in engine._chars]
    assert len(keep) == len(engine._chars) < len(chars) / 2
    full = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    narrowed = ort.InferenceSession(keep_classes(model, keep, len(chars)), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 48, 160)).astype(np.float32)
    want = full.run(None, {"x": x})[0][..., keep]
    got = narrowed.run(None, {"x": x})[0]
    np.testing.assert_allclose(got, want / want.sum(axis=-1, keepdims=True), atol=1e-4)
    with pytest.raises(InputError, match="no single output layer of 12345 classes"):
        keep_classes(model, keep, 12345)


@pytest.mark.parametrize(
    ("ch", "printed"),
    [
        ("效", True),
        ("·", True),
        ("—", True),
        ("☑", True),
        ("≥", True),
        ("A", True),
        ("敁", False),
        ("한", False),
        ("ñ", False),
        ("說", False),
    ],
)
def test_printed_characters_are_those_of_gb2312_ascii_and_symbols(ch: str, printed: bool) -> None:
    assert printed_character(ch) is printed


def test_the_full_character_set_is_an_option_and_an_unknown_one_an_error(engine) -> None:
    full = get_engine("rapidocr", charset="all", threads="1")
    assert len(full._chars) > 2 * len(engine._chars)
    assert "說" in full._chars and "說" not in engine._chars
    with pytest.raises(InputError, match="unknown character set"):
        get_engine("rapidocr", charset="big5")


def test_unknown_engine_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown OCR engine"):
        get_engine("tesseract")


def test_paddleocr_missing_is_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "paddleocr", None)
    with pytest.raises(InputError, match="PaddleOCR is not installed"):
        get_engine("paddleocr", rec_model_dir="x", det_model_dir="y")


def test_paddleocr_engine_through_fake_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    class TextRecognition:
        def __init__(self, model_dir: str) -> None:
            seen["rec"] = model_dir

        def predict(self, input: list, batch_size: int) -> list[dict]:
            seen["batch"] = (len(input), batch_size)
            return [{"rec_text": f"line{i}", "rec_score": 0.9} for i in range(len(input))]

    class TextDetection:
        def __init__(self, model_dir: str) -> None:
            seen["det"] = model_dir

        def predict(self, input: np.ndarray) -> list[dict]:
            return [{"dt_polys": [np.array([[10, 20], [50, 20], [50, 30], [10, 30]])]}]

    fake = types.ModuleType("paddleocr")
    fake.TextRecognition = TextRecognition  # type: ignore[attr-defined]
    fake.TextDetection = TextDetection  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "paddleocr", fake)
    (tmp_path / "rec").mkdir()
    (tmp_path / "det").mkdir()
    eng = get_engine(
        "paddleocr", rec_model_dir=str(tmp_path / "rec"), det_model_dir=str(tmp_path / "det"), batch_size="8"
    )
    assert eng.name == "paddleocr"
    assert seen["rec"] == str(tmp_path / "rec") and seen["det"] == str(tmp_path / "det")
    lines = [np.full((32, 100), 255, np.uint8)] * 3
    assert eng.recognize(lines) == [("line0", 0.9, 0.9), ("line1", 0.9, 0.9), ("line2", 0.9, 0.9)]
    assert seen["batch"] == (3, 8)
    [box] = eng.detect(np.zeros((100, 100, 3), np.uint8))
    assert (box.x0, box.y0, box.x1, box.y1) == (10, 20, 50, 30)
    with pytest.raises(InputError, match="model folder not found"):
        get_engine("paddleocr", rec_model_dir=str(tmp_path / "nope"), det_model_dir=str(tmp_path / "det"))


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("1OO.0O", "100.00"),
        ("12,3l5.00", "12,315.00"),
        ("１２３", "123"),
        ("1a", "10"),  # a bold 0 with its hole filled, on black-and-white scans
        ("250000 00", "250000.00"),  # the decimal point lost at 150 dpi
        ("≥98%6", "≥98%"),
        ("100%1", "100%"),
        ("09", "0%"),  # the % sign's rings read as digits after a zero
        ("≤096", "≤0%"),
        ("0.96", "0.96"),
        ("項目成本控制率", "项目成本控制率"),  # a traditional form simplified text never uses
        ("著作权登记", "著作权登记"),  # 著 is simplified text too
        ("项日名称", "项目名称"),
        ("項目名稱", "项目名称"),
        ("实际完成植", "实际完成值"),
        ("一", "—"),
        ("黔府办函(2016〕11号", "黔府办函〔2016〕11号"),
        ("(国办发〔2014〕66号)", "(国办发〔2014〕66号)"),
        ("黔府办函〔2018]183号", "黔府办函〔2018〕183号"),
        ("黔府办函[2018]183号", "黔府办函[2018]183号"),
        ("在“云上贵州“平台", "在“云上贵州”平台"),
        ('在“云上贵州"平台', "在“云上贵州”平台"),
        ("“一网通办“及”随申办”运营", "“一网通办”及“随申办”运营"),
        ("办”和“一网", "办”和“一网"),  # the end of one quotation, the start of the next
        ("“随申办“”集成", "“随申办“”集成"),  # an odd count: not a pairing to restore
        ("*100%", "=100%"),
        ("×1年", "=1年"),
        ("·2名", "=2名"),
        ("*注", "*注"),  # not before a number
    ],
)
def test_safe_ocr_fixes(raw: str, fixed: str) -> None:
    assert fix_ocr_text(raw) == fixed


@pytest.mark.parametrize("text", ["O", "ABC", "2O23年", "已完成", "日期已过", "Hello", "项目名称", "一级指标"])
def test_free_text_is_not_guessed(text: str) -> None:
    assert fix_ocr_text(text) == text
    assert fix_number(text) is None or text[0].isdigit()
    assert fix_label(text) is None


def test_black_and_white_scans_are_read_softened_and_larger(engine) -> None:
    _, tables, scan = _rendered(SAMPLES / "guizhou_2forms.pdf", 0)
    assert scan.image is not None
    grey = scan.image
    gray = cv2.cvtColor(grey, cv2.COLOR_BGR2GRAY)
    binary = cv2.cvtColor(np.where(gray < 160, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    assert not is_black_and_white(gray)
    assert is_black_and_white(binary[:, :, 0])

    def line_images(image: np.ndarray) -> list[np.ndarray]:
        seen: list[np.ndarray] = []
        engine.recognize = lambda images: seen.extend(images) or [Reading("", 0.0, 0.0)] * len(images)
        try:
            read_words_by_ocr(replace(scan, image=image), tables, engine)
        finally:
            del engine.recognize
        return seen

    def ink_share(im: np.ndarray) -> float:
        # How much of the image's height the line's ink spans.
        rows = np.flatnonzero((im < 128).any(axis=1))
        return (rows[-1] - rows[0] + 1) / im.shape[0]

    from_grey, from_binary = line_images(grey), line_images(binary)
    # The same lines, cut alike: only their margins and edges differ.
    assert len(from_grey) == len(from_binary) > 50
    # Hard black-and-white edges come to the recogniser softened to grey ...
    assert all(np.count_nonzero((im > 40) & (im < 215)) for im in from_binary if ink_share(im) > 0)
    # ... and the text fills more of the image's height (a smaller margin).
    shares = [(ink_share(b), ink_share(g)) for b, g in zip(from_binary, from_grey, strict=True) if ink_share(g) > 0]
    assert np.median([b / g for b, g in shares]) > 1.1


def test_a_thin_stroke_broken_by_the_ink_cut_is_one_stroke() -> None:
    # 一 in a Ming face: its core (grey 175) is cut into three pieces by the page's ink cut.
    gray = np.full((20, 40), 250, np.uint8)
    gray[9:11, 2:20] = 175
    gray[9:11, 24:38] = 40  # the next character's stroke, apart
    gray[2:18, 30:32] = 40
    mask = gray < 100
    for x0, x1 in ((2, 5), (10, 13), (16, 20)):
        mask[9:11, x0:x1] = True
    assert _leading_dashes(mask, 20.0)[0] == "---"
    assert _leading_dashes(mask, 20.0, gray) == ("", 0)


def test_a_bar_beside_a_stem_too_faint_for_the_ink_cut_is_no_dash() -> None:
    # 上 in a thin face: its stem lighter than the page's ink cut, its bar kept, read as -.
    gray = np.full((20, 40), 250, np.uint8)
    gray[1:19, 5:7] = 150  # the stem, faint
    gray[9:11, 6:16] = 40  # the bar off it
    gray[2:18, 24:34] = 40  # the next character
    mask = gray < 100
    assert _leading_dashes(mask, 20.0)[0] == "-"
    assert _leading_dashes(mask, 20.0, gray) == ("", 0)
    # A printed hyphen has paper above and below it.
    gray[1:19, 5:7] = 250
    assert _leading_dashes(gray < 100, 20.0, gray) == ("-", 16)


def test_a_comparison_sign_with_its_bar_merged_into_an_arm() -> None:
    line = np.full((30, 40), 255, np.uint8)
    cv2.line(line, (3, 5), (15, 13), 0, 2)
    cv2.line(line, (15, 13), (3, 21), 0, 2)
    assert _barred_operator(">8台", line) == ">8台"  # a printed >, as heavy above as below
    cv2.line(line, (3, 24), (15, 17), 0, 2)  # ⩾: its bar under the lower arm
    assert _barred_operator(">8台", line) == "≥8台"
    assert _barred_operator("", line) == ""
    assert _barred_operator("8台", line) == "8台"


def test_a_faint_barred_sign_before_dark_digits_is_judged_whole() -> None:
    # A thin face's ⩾ at low resolution is lighter than the digits after it: cut halfway
    # to the digits' black, only a speck of it was left to judge.
    line = np.full((30, 40), 255, np.uint8)
    cv2.line(line, (3, 5), (15, 13), 200, 2)
    cv2.line(line, (15, 13), (3, 21), 200, 2)
    cv2.line(line, (3, 24), (15, 17), 200, 2)
    line[12, 3] = 150  # its darkest pixel
    line[6:24, 22:25] = 130  # a darker digit 1 after it
    assert _barred_operator(">1台", line) == "≥1台"


def test_a_blurred_hyphen_is_a_dash_and_a_dot_is_not() -> None:
    hyphen = np.zeros((19, 5), bool)
    hyphen[8:11, :] = True  # 5 pixels by 3: a hyphen at 150 dpi after blur
    assert _leading_dashes(hyphen, 19.0) == ("-", 5)
    dot = np.zeros((19, 3), bool)
    dot[8:11, :] = True
    assert _leading_dashes(dot, 19.0) == ("", 0)


def test_a_ruling_sliver_by_the_cell_side_is_not_text() -> None:
    # 170 px wide cell, line height 19: a 2 px stroke at either side is a rule's sliver;
    # the same stroke mid-cell, or a character-wide piece by the side, is text.
    assert _is_edge_stroke(5, 7, 170, 19.0)
    assert _is_edge_stroke(168, 170, 170, 19.0)
    assert not _is_edge_stroke(84, 87, 170, 19.0)
    assert not _is_edge_stroke(3, 20, 170, 19.0)


def test_a_leading_operator_kept_as_the_runner_up_is_read() -> None:
    from ocrform.words.engines.rapidocr import RapidOcrEngine

    chars = ["", "2", "≥", "9", "5", "%"]
    fake = types.SimpleNamespace(_operators={"≥": 2})

    def read(p_ge: float) -> str:
        probs = np.zeros((4, len(chars)), np.float32)
        probs[0, 1], probs[0, 2] = 1 - p_ge, p_ge  # "2", or "≥" with some share
        probs[1, 3] = probs[2, 4] = probs[3, 5] = 1.0
        best = probs.argmax(axis=1)
        return RapidOcrEngine._leading_operator(fake, probs, best, Reading("295%", 0.9, 0.9)).text  # type: ignore[arg-type]

    assert read(0.05) == "≥95%"
    assert read(0.0005) == "295%"  # a printed 2: the operator has next to nothing


def test_an_operator_read_as_nothing_is_put_back_from_the_frames_before_the_number() -> None:
    from ocrform.words.engines.rapidocr import RapidOcrEngine

    # A black-and-white scan fills the two strokes of = into a blob the greedy path reads as
    # blank, while = keeps a share of that frame.
    chars = ["", "1", "年", "="]
    fake = types.SimpleNamespace(_operators={"=": 3})

    def read(p_eq: float) -> str:
        probs = np.zeros((3, len(chars)), np.float32)
        probs[0, 0], probs[0, 3] = 1 - p_eq, p_eq
        probs[1, 1] = probs[2, 2] = 1.0
        best = probs.argmax(axis=1)
        return RapidOcrEngine._leading_operator(fake, probs, best, Reading("1年", 0.9, 0.9)).text  # type: ignore[arg-type]

    assert read(0.12) == "=1年"
    assert read(0.02) == "1年"  # a plain value: the blank before it holds next to no =


def test_a_sentences_final_stop_read_as_nothing_is_put_back() -> None:
    from ocrform.words.engines.rapidocr import RapidOcrEngine

    text = "保障省公文处理和事务办理系统的正常运行"
    chars = ["", *dict.fromkeys(text), "。"]
    fake = types.SimpleNamespace(_stop=len(chars) - 1)

    def read(line: str, p_stop: float) -> str:
        probs = np.zeros((len(line) + 1, len(chars)), np.float32)
        for t, ch in enumerate(line):
            probs[t, chars.index(ch)] = 1.0
        probs[-1, 0], probs[-1, -1] = 1 - p_stop, p_stop  # the frame after the last character
        best = probs.argmax(axis=1)
        return RapidOcrEngine._final_stop(fake, probs, best, Reading(line, 0.9, 0.9)).text  # type: ignore[arg-type]

    assert read(text, 0.15) == text + "。"
    assert read(text, 0.005) == text  # printed without a stop: the frames after hold none
    assert read("正常运行", 0.15) == "正常运行"  # a short label is no sentence


def test_characters_spread_over_a_wide_cell_are_read_apart() -> None:
    mask = np.zeros((20, 300), bool)
    mask[3:17, 10:26] = mask[3:17, 250:266] = True  # 总 ... 分, 224 px apart at 20 px lines
    assert _split_wide_gaps(mask, (0, 20, 10, 266), 20.0) == [(0, 20, 10, 26), (0, 20, 250, 266)]
    mask[3:17, 30:240:20] = True  # the same line set normally: gaps well under a line height
    assert _split_wide_gaps(mask, (0, 20, 10, 266), 20.0) == [(0, 20, 10, 266)]


def test_short_unsure_readings_are_dropped_sure_ones_kept(engine) -> None:
    _, tables, scan = _rendered(SAMPLES / "guizhou_2forms.pdf", 0)
    real = engine.recognize

    def answer(conf: float) -> list[str]:
        # Every line reads as a lone "1" with the given confidence.
        engine.recognize = lambda images: [Reading("1", conf, conf)] * len(images)
        try:
            # Dashes (placeholders, an item's leading dashes) are found in the pixels, not by
            # the recogniser; a line that has them is kept whatever its text.
            return [w.text for w in read_words_by_ocr(scan, tables, engine) if not w.text.startswith("-")]
        finally:
            engine.recognize = real

    assert answer(0.45) == []  # a speck or a rule's sliver
    assert answer(0.8) and set(answer(0.8)) == {"1"}


def test_rule_slivers_do_not_set_the_line_height() -> None:
    # A page of few short values under thick rules: most bands are 1-2 px slivers.
    mask = np.zeros((40, 60), bool)
    cells = [((0, 0, 60, 40), mask, [(0, 2), (18, 36)])] + [((0, 0, 60, 40), mask, [(0, 1), (38, 40)])] * 3
    ppp = 150 / 72
    assert _typical_line_height(cells, ppp) == 18
    assert _typical_line_height([((0, 0, 60, 40), mask, [(2, 20), (22, 39), (40, 57)])], ppp) == 17


def test_dots_of_a_ragged_rule_along_the_top_are_not_text() -> None:
    # A thick rule's ragged lower edge leaves 1-2 px dots along the crop's top; kept, they
    # widen the value's line over faint marks to its left, read as dashes (---0).
    ink = np.zeros((31, 218), bool)
    for x in (0, 22, 33, 50, 62):
        ink[0:2, x : x + 3] = True
    ink[9:25, 105:115] = True  # the value, a 0
    mask = _cell_mask(ink, (0, 0, 218, 31))
    assert mask is not None
    cols = np.flatnonzero(mask.any(axis=0))
    assert (cols[0], cols[-1]) == (105, 114)


def test_a_strip_is_searched_only_where_it_holds_ink() -> None:
    inked = np.zeros(1200, bool)
    inked[40:300] = True  # 单位：… at the left
    inked[310:330] = True  # the word after a space: the same stretch
    inked[900:1150] = True  # 填报日期：… at the right
    assert _islands(inked, 50.0) == [(40, 330), (900, 1150)]
    assert _islands(np.zeros(10, bool), 5.0) == []


def test_the_ragged_edge_of_a_cleared_rule_goes_with_it() -> None:
    # A thick rule down the crop's left: its solid columns are cleared as a ruling, and the
    # pixels its ragged edge leaves beside them went on standing by each character of a
    # vertical label, read as part of it (自评结论 → 评论).
    ink = np.zeros((120, 54), bool)
    ink[:, 0:3] = True
    for y in (48, 72, 99):
        ink[y : y + 4, 3] = True
    ink[20:34, 22:38] = True  # a character
    mask = _cell_mask(ink, (0, 0, 54, 120))
    assert mask is not None
    assert not mask[:, :20].any()
    assert mask[20:34, 22:38].all()


def test_the_word_lexicon_chooses_among_the_recognisers_candidates() -> None:
    from ocrform.words.lexicon import choose_characters

    # 措标 is no word and 指标 is: the runner-up 指 wins.
    assert choose_characters([[("达", 0.99)], [("成", 0.99)], [("措", 0.6), ("指", 0.3)], [("标", 0.9)]]) == "达成指标"
    # Without a candidate that makes a word, the reading stays (a rare name: 彭睿).
    assert choose_characters([[("彭", 0.95)], [("睿", 0.5), ("香", 0.3)]]) == "彭睿"
    # A candidate the recogniser all but rules out does not win by its word alone.
    assert choose_characters([[("措", 0.999), ("指", 0.0001)], [("施", 0.99)]]) == "措施"
    # Words are found across the line: 常雄 and 雄护 are no words, 维护 is one.
    line = [[(ch, 0.99)] for ch in "日常"] + [[("雄", 0.48), ("维", 0.12)]] + [[(ch, 0.99)] for ch in "护工作"]
    assert choose_characters(line) == "日常维护工作"
    # The forms' printed labels count as words.
    assert choose_characters([[("年", 0.99)], [("初", 0.99)], [("视", 0.6), ("预", 0.2)], [("期", 0.9)]]) == "年初预期"


def test_look_alike_punctuation_is_chosen_by_where_it_stands() -> None:
    from ocrform.words.lexicon import choose_characters

    def line(text: str, offered: dict[int, tuple[str, float]]) -> list[list[tuple[str, float]]]:
        return [[(ch, 0.9), *([offered[i]] if i in offered else [])] for i, ch in enumerate(text)]

    # A document number's year is bracketed 〔〕: offered once, or read once, it is both.
    assert choose_characters(line("国办发（2014）66号", {3: ("〔", 0.12)})) == "国办发〔2014〕66号"
    assert choose_characters(line("国办发〔2014）66号", {})) == "国办发〔2014〕66号"
    # Round brackets the recogniser is sure of, or around no year, stay.
    assert choose_characters(line("国办发（2014）66号", {3: ("〔", 0.005)})) == "国办发（2014）66号"
    assert choose_characters(line("（六盘水）", {0: ("〔", 0.3)})) == "（六盘水）"
    # A colon offered as a semicolon ends a list item when the next item follows.
    assert choose_characters(line("形象：3.共下发", {2: ("；", 0.2)})) == "形象；3.共下发"
    assert choose_characters(line("共4期：二是加强", {3: ("；", 0.05)})) == "共4期；二是加强"
    # A colon before a value, or before the list's first item, stays.
    assert choose_characters(line("其中：上级补助", {2: ("；", 0.26)})) == "其中：上级补助"
    assert choose_characters(line("如下：1.开展", {2: ("；", 0.3)})) == "如下：1.开展"


def test_ctc_decode_offers_only_unsure_characters_to_the_lexicon() -> None:
    from ocrform.words.engines.rapidocr import _ctc_decode

    chars = ["", "运", "雄", "维", "护", "1"]

    def frames(*rows: dict[int, float]) -> np.ndarray:
        probs = np.zeros((len(rows), len(chars)), np.float32)
        for t, row in enumerate(rows):
            for j, p in row.items():
                probs[t, j] = p
        return probs

    # 雄护 is no word, 维护 is one: the unsure 雄 becomes its runner-up 维.
    probs = frames({1: 1.0}, {0: 1.0}, {2: 0.55, 3: 0.4}, {2: 0.5}, {4: 1.0})
    text, conf, weakest = _ctc_decode(probs, probs.argmax(axis=1), chars)
    assert text == "运维护"
    assert conf == pytest.approx((1.0 + 0.55 + 1.0) / 3)
    assert weakest == pytest.approx(0.55)  # the unsure character's top probability
    # A sure 雄 stays, whatever the neighbours.
    probs = frames({1: 1.0}, {0: 1.0}, {2: 0.998, 3: 0.002}, {4: 1.0})
    assert _ctc_decode(probs, probs.argmax(axis=1), chars)[0] == "运雄护"
    # Digits are never swapped for a character.
    probs = frames({5: 0.6, 3: 0.4}, {4: 1.0})
    assert _ctc_decode(probs, probs.argmax(axis=1), chars)[0] == "1护"
