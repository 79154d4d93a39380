"""Dark seals on black-and-white scans: found by their ring, and no cell is lost or made under them."""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

from ocrform.grid import IMAGE_SNAP, tables_from_rulings
from ocrform.grid.image import find_image_rulings
from ocrform.model import Seal
from ocrform.scan.preprocess import ink_mask, preprocess_page
from ocrform.scan.seals import find_seals
from ocrform.words.ocr import _drop_seal_drawing

PPP = 150 / 72
# A table of 8 rows by 5 columns, in points; columns 0 and 1 hold two cells of 4 rows each.
XS = [40, 110, 180, 280, 380, 480]
YS = [60 + 18 * k for k in range(9)]
SEAL = (330.0, 120.0, 56.0)  # centre and radius, points: over columns 2-4, rows 1-5


def _px(v: float) -> int:
    return round(v * PPP)


def _table_page(seal: bool) -> np.ndarray:
    """The table as a black-and-white scan; with ``seal``, a black seal over its middle and the
    rules inside the seal's ring gone, as thresholding against the darkened paper leaves them."""
    image = np.full((_px(300), _px(560)), 255, np.uint8)
    for k, y in enumerate(YS):
        start = XS[0] if k in (0, 4, 8) else XS[2]  # column 1 merges rows 0-3 and 4-7
        image[_px(y) : _px(y) + 2, _px(start) : _px(XS[-1]) + 2] = 0
    for x in XS:
        image[_px(YS[0]) : _px(YS[-1]) + 2, _px(x) : _px(x) + 2] = 0
    for r, c in ((r, c) for r in range(8) for c in range(5)):
        cv2.putText(image, "10", (_px(XS[c] + 8), _px(YS[r] + 14)), cv2.FONT_HERSHEY_SIMPLEX, 0.55, 0, 2)
    if seal:
        cx, cy, radius = (_px(v) for v in SEAL)
        inside = np.hypot(*np.mgrid[: image.shape[0], : image.shape[1]][::-1] - np.array([cx, cy])[:, None, None])
        rules = np.zeros_like(image, bool)
        for y in YS:
            rules[_px(y) : _px(y) + 2] = True
        for x in XS:
            rules[:, _px(x) : _px(x) + 2] = True
        image[(inside < radius) & rules] = 255
        _draw_seal(image, cx, cy, radius)
    return image


def _draw_seal(image: np.ndarray, cx: int, cy: int, radius: int) -> None:
    """A round official seal in black: ring, star, and the rim's marks stacked down its sides."""
    cv2.circle(image, (cx, cy), radius, 0, max(2, radius // 14), cv2.LINE_AA)
    star = []
    for k in range(10):
        r = radius * (0.28 if k % 2 == 0 else 0.12)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((int(cx + r * math.cos(a)), int(cy + r * math.sin(a))))
    cv2.fillPoly(image, [np.array(star, dtype=np.int32)], 0, cv2.LINE_AA)
    side = max(3, radius // 9)
    for k in range(14):
        a = math.pi * (0.85 + k * 1.3 / 13)
        x, y = int(cx + radius * 0.72 * math.cos(a)), int(cy + radius * 0.72 * math.sin(a))
        cv2.rectangle(image, (x - side, y - side), (x + side, y + side), 0, max(1, side // 3))


def _cells(image: np.ndarray) -> set[tuple[int, int, int, int]]:
    seals = find_seals(ink_mask(image), PPP)
    (table,) = tables_from_rulings(find_image_rulings(image, PPP, seals), 0, "image", snap=IMAGE_SNAP)
    return {(c.row, c.col, c.row_span, c.col_span) for c in table.cells}


def test_a_dark_seal_is_found_by_its_ring_and_a_plain_table_has_none() -> None:
    (seal,) = find_seals(ink_mask(_table_page(seal=True)), PPP)
    assert abs(seal.cx - SEAL[0]) <= 3 and abs(seal.cy - SEAL[1]) <= 3
    assert abs(seal.radius - SEAL[2]) <= 4
    assert find_seals(ink_mask(_table_page(seal=False)), PPP) == []


def test_seals_are_looked_for_only_where_no_red_ink_was_dropped() -> None:
    grey = cv2.cvtColor(_table_page(seal=True), cv2.COLOR_GRAY2BGR)
    assert len(preprocess_page(grey, PPP).seals) == 1
    red = grey.copy()
    red[_px(250) : _px(260), _px(100) : _px(140)] = (40, 40, 220)  # a red stamp elsewhere
    assert preprocess_page(red, PPP).seals == []


def test_the_cells_under_a_dark_seal_are_those_of_the_table_without_it() -> None:
    clean = _cells(_table_page(seal=False))
    assert len(clean) == 2 * 2 + 8 * 3  # columns 0 and 1 hold two merged cells each
    assert _cells(_table_page(seal=True)) == clean


def test_a_dark_seals_ring_is_cleared_from_cell_crops_and_text_is_kept() -> None:
    page = _table_page(seal=True)
    (seal,) = find_seals(ink_mask(page), PPP)
    assert 3 <= seal.ring_width <= 8  # measured on the page: 2 px drawn, blurred by the scan
    ring = np.zeros(page.shape, bool)
    cv2.circle(ring.view(np.uint8), (_px(SEAL[0]), _px(SEAL[1])), _px(SEAL[2]), 1, max(2, _px(SEAL[2]) // 14))
    ring = ring.astype(bool)
    # A cell on the ring's left: the arc through it is cleared, its text is kept.
    rect = (_px(XS[2]) + 4, _px(YS[3]) + 4, _px(XS[3]) - 4, _px(YS[4]) - 4)
    x0, y0, x1, y1 = rect
    mask = ink_mask(page)[y0:y1, x0:x1].copy()
    gray = page.copy()
    arc = mask & ring[y0:y1, x0:x1]
    assert arc.any()
    digits = mask.copy()
    digits[:, _px(SEAL[0] - SEAL[2]) - 10 - x0 :] = False  # the cell's 10, well left of the ring
    assert digits.any()
    _drop_seal_drawing(mask, gray, rect, [seal], PPP)
    assert not (mask & arc).any() and (gray[y0:y1, x0:x1][arc] == 255).all()
    assert mask[digits].all()
    # A stroke the ring crosses is one piece with its arc, and the piece stays.
    middle, left = (y0 + y1) // 2, _px(SEAL[0] - SEAL[2])
    page[middle - 1 : middle + 2, left - 30 : left + 10] = 0  # a stroke of 一 across the arc
    mask = ink_mask(page)[y0:y1, x0:x1].copy()
    crossed = mask.copy()
    _drop_seal_drawing(mask, page.copy(), rect, [seal], PPP)
    assert np.array_equal(mask, crossed)
    # Without a measured ring width nothing is taken for the ring.
    mask = ink_mask(page)[y0:y1, x0:x1].copy()
    _drop_seal_drawing(mask, page.copy(), rect, [dataclasses.replace(seal, ring_width=0.0)], PPP)
    assert mask[arc].all()


def test_a_dark_seals_star_and_lettering_are_cleared_and_the_digit_beside_them_kept() -> None:
    page = np.full((_px(200), _px(200)), 255, np.uint8)
    cx, cy, radius = 100.0, 100.0, 56.0
    _draw_seal(page, _px(cx), _px(cy), _px(radius))
    seal_ink = ink_mask(page)
    ys, xs = np.mgrid[: page.shape[0], : page.shape[1]] / PPP
    off_centre = np.hypot(xs - cx, ys - cy)
    star = seal_ink & (off_centre < 0.3 * radius)
    # A 5 printed right of the star, its left edge under the star's point.
    cv2.putText(page, "5", (_px(cx + 15), _px(cy + 6)), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    digit = ink_mask(page) & ~seal_ink & (off_centre > 0.3 * radius + 1)
    assert digit.sum() > 40
    rect = (_px(cx - 50), _px(cy - 25), _px(cx + 50), _px(cy + 25))  # a cell across the seal's middle
    x0, y0, x1, y1 = rect
    mask = ink_mask(page)[y0:y1, x0:x1].copy()
    marks = mask & seal_ink[y0:y1, x0:x1] & ~star[y0:y1, x0:x1]  # the rim's lettering in the cell
    assert marks.any() and star[y0:y1, x0:x1].any()
    _drop_seal_drawing(mask, page.copy(), rect, [Seal(cx, cy, radius, ring_width=4.0)], PPP)
    assert not (mask & star[y0:y1, x0:x1]).any()
    assert not (mask & marks).any()
    assert mask[digit[y0:y1, x0:x1]].all()
