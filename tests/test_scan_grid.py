"""Degraded scans stay plausible: a black-and-white heavy scan keeps its paper white and its rulings."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
from pathlib import Path

import numpy as np
import pymupdf
import pytest

from ocrform.grid import IMAGE_SNAP, tables_from_rulings
from ocrform.grid.image import find_image_rulings
from ocrform.scan.preprocess import preprocess_page
from ocrform.synth import STYLES, degrade, render_forms_pdf
from ocrform.synth.degrade import degrade_image, render_page

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory: pytest.TempPathFactory) -> pymupdf.Document:
    pdf = tmp_path_factory.mktemp("bw") / "form.pdf"
    render_forms_pdf([json.loads((GOLD / "000_f02.json").read_text("utf-8"))], pdf, STYLES["hunan"])
    doc = pymupdf.open(pdf)
    assert doc.page_count == 2  # a full first page and a nearly empty second one
    return doc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_binarised_heavy_scan_keeps_paper_and_rulings(
    two_pages: pymupdf.Document, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # Every heavy scan black-and-white, under the level's uneven light.
    heavy = dataclasses.replace(degrade.LEVELS["heavy"], binarise=1.0, seal=0.0)
    monkeypatch.setitem(degrade.LEVELS, "heavy", heavy)
    full, sparse = (degrade_image(render_page(p, 150), random.Random(seed), "heavy") for p in two_pages)
    # The second page is a few lines of text: one global threshold under uneven light made
    # nearly half of it black.
    assert np.mean(sparse < 128) < 0.05
    prepared = preprocess_page(full, 150 / 72)
    tables = tables_from_rulings(find_image_rulings(prepared.image, 150 / 72), 0, "image", snap=IMAGE_SNAP)
    assert sum(len(t.cells) for t in tables) > 100


def _ruled_page(ppp: float, faint_piece: bool) -> np.ndarray:
    """Paper with a 3 x 3 grid of 40 x 20 pt slots, as a 150 dpi grey scan.

    The rule below the middle column's first row is left faint (grey 170) and in pieces
    shorter than a rule (a seal's ink divided out over it); the middle column's lower two
    slots are one printed cell, a line of text across the place a rule would be.
    """
    xs, ys = [20, 60, 100, 140], [20, 40, 60, 80]
    image = np.full((int(100 * ppp), int(160 * ppp)), 245, np.uint8)

    def px(v: float) -> int:
        return round(v * ppp)

    for y in ys:
        for a, b in itertools.pairwise(xs):
            if y == 40 and a == 60:
                if faint_piece:
                    for x in np.arange(a + 4, b - 4, 6.0):  # 4-point pieces, 2-point gaps
                        image[px(y) : px(y) + 2, px(x) : px(x + 4)] = 170
                continue
            if not (y == 60 and a == 60):
                image[px(y) : px(y) + 2, px(a) : px(b) + 2] = 60
    for x in xs:
        image[px(ys[0]) : px(ys[-1]) + 2, px(x) : px(x) + 2] = 60
    # Glyphs across y = 60 inside the merged cell, each a stroke down and one along y = 60:
    # dark most of the way along where a rule would be.
    for k in range(6):
        x = 66 + 5 * k
        image[px(55) : px(65), px(x) : px(x) + 2] = 40
        image[px(60) : px(60) + 2, px(x) : px(x + 4.5)] = 40
    return image


@pytest.mark.parametrize("faint_piece", [True, False])
def test_a_rule_broken_faint_under_a_seal_is_restored_but_no_rule_is_made_through_text(faint_piece: bool) -> None:
    ppp = 150 / 72
    tables = tables_from_rulings(find_image_rulings(_ruled_page(ppp, faint_piece), ppp), 0, "image", snap=IMAGE_SNAP)
    (table,) = tables
    middle = sorted((c.row, c.row_span) for c in table.cells if c.col == 1)
    # The faint rule separates rows 0 and 1, paper there runs them together; rows 1-2 stay
    # one cell under its text either way.
    assert middle == ([(0, 1), (1, 2)] if faint_piece else [(0, 3)])


def test_a_seal_rings_thick_arc_is_no_rule() -> None:
    ppp = 150 / 72
    image = np.full((400, 600), 245, np.uint8)
    for y in (100, 300):  # a printed table's frame, 1 pt rules
        image[y : y + 2, 50:552] = 60
    for x in (50, 225, 550):
        image[100:302, x : x + 2] = 60
    image[200:207, 150:300] = 20  # the flat bottom of a black seal's ring, 3.4 pt thick
    found = [s for s in find_image_rulings(image, ppp) if s.horizontal]
    assert sorted(round(s.y0 * ppp) for s in found) == [100, 300]


def test_a_column_rule_faint_down_to_the_tables_last_rows_is_restored() -> None:
    # A seal over a table's last rows: the rule between two columns shows above it only.
    # The bottom row has no rule there, just a glyph's stroke where the rule would run.
    ppp = 150 / 72
    xs, ys = [20, 60, 100], [20, 40, 60, 80, 100]
    image = np.full((int(120 * ppp), int(120 * ppp)), 245, np.uint8)

    def px(v: float) -> int:
        return round(v * ppp)

    for y in ys:
        image[px(y) : px(y) + 2, px(xs[0]) : px(xs[-1]) + 2] = 60
    for x in (xs[0], xs[-1]):
        image[px(ys[0]) : px(ys[-1]) + 2, px(x) : px(x) + 2] = 60
    image[px(20) : px(40) + 2, px(60) : px(60) + 2] = 60
    for y in np.arange(41, 80, 6.0):  # 5-point pieces of grey 170, as a seal divided out left them
        image[px(y) : px(y + 5), px(60) : px(60) + 2] = 170
    image[px(85) : px(95), px(60) : px(60) + 2] = 40
    (table,) = tables_from_rulings(find_image_rulings(image, ppp), 0, "image", snap=IMAGE_SNAP)
    assert sorted((c.row, c.col, c.col_span) for c in table.cells) == [
        (0, 0, 1),
        (0, 1, 1),
        (1, 0, 1),
        (1, 1, 1),
        (2, 0, 1),
        (2, 1, 1),
        (3, 0, 2),
    ]


OFFICE = Path(__file__).resolve().parent / "fixtures" / "office"


def test_the_walls_of_rows_shorter_than_a_rule_are_found() -> None:
    # A spreadsheet printed to fit the page: 11-point rows, one of them cut in four cells.
    ppp = 200 / 72
    image = np.full((int(120 * ppp), int(300 * ppp)), 255, np.uint8)
    ys = [20, 31, 42, 53]

    def px(v: float) -> int:
        return round(v * ppp)

    for y in ys:
        image[px(y) - 1 : px(y) + 2, px(20) : px(280) + 1] = 0
    for x in (20, 280):
        image[px(20) : px(53) + 1, px(x) - 1 : px(x) + 2] = 0
    for x in (100, 180):  # walls in the middle row only
        image[px(31) : px(42) + 1, px(x) - 1 : px(x) + 2] = 0
    image[px(33) : px(40), px(40) : px(42)] = 0  # a glyph's stroke: padded off both rules
    (table,) = tables_from_rulings(find_image_rulings(image, ppp), 0, "test", snap=IMAGE_SNAP)
    assert sorted(c.col_span for c in table.cells if c.row == 1) == [1, 1, 1]
    assert [c.col_span for c in table.cells if c.row == 0] == [3]


def test_a_glyph_stroke_as_tall_as_a_tight_row_is_no_wall() -> None:
    # A Ming face fills a 10-point row: 水's stroke runs from just under one rule to the next,
    # with its glyph's thin strokes on both sides; a bracket's stroke stops short of a rule.
    ppp = 200 / 72
    image = np.full((int(80 * ppp), int(300 * ppp)), 255, np.uint8)

    def px(v: float) -> int:
        return round(v * ppp)

    for y in (20, 30, 40):
        image[px(y) - 1 : px(y) + 1, px(20) : px(280) + 1] = 0
    for x in (20, 280):
        image[px(20) : px(40) + 1, px(x) - 1 : px(x) + 1] = 0
    image[px(30) : px(40) + 1, px(150) - 1 : px(150) + 1] = 0  # a true wall in the lower row
    top, bottom = px(20) + 2, px(30) - 1
    image[top:bottom, px(60) : px(60) + 2] = 0  # 水's stroke, one pixel off the upper rule
    for y in range(top + 3, bottom - 2, 5):  # its thin strokes, both sides
        image[y, px(56) : px(60)] = 0
        image[y + 2, px(60) + 2 : px(64)] = 0
    image[top:bottom, px(100) : px(100) + 2] = 0  # [ before its digits
    image[top, px(100) : px(102)] = 0
    image[px(22) : px(28), px(103) : px(110)] = 0
    (table,) = tables_from_rulings(find_image_rulings(image, ppp), 0, "test", snap=IMAGE_SNAP)
    assert [c.col_span for c in table.cells if c.row == 0] == [2]
    assert [c.col_span for c in table.cells if c.row == 1] == [1, 1]


def test_a_spreadsheet_printed_to_fit_stands_upright() -> None:
    # Tiny text in tight rows stacks each column's values closer than a fixed smear, which
    # ran them into tall bars and turned the page on its side.
    with pymupdf.open(OFFICE / "calc" / "guizhou_compact-calc-ARPLUMingCN-regular.pdf") as pdf:
        page = render_page(pdf[0], 200)
    assert preprocess_page(degrade_image(page, random.Random(1), "mild"), 200 / 72).rotation == 0
    assert preprocess_page(np.ascontiguousarray(np.rot90(page)), 200 / 72).rotation == 90
