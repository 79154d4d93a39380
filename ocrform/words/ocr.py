"""Words of a scanned page: cell-aware OCR driven by the table grid.

The grid already says where the table text is, so each cell's crop (inset past its ruling
lines) is cut into printed lines by ink projection, and only the page outside the tables
goes through the text detector (titles, 单位/日期 lines, signatures). All line images of the
page are then read by the recogniser in one batched call. Empty cells cost nothing.

Boxes are returned in PDF points (pixels / ``page.pixels_per_point``); each word carries
the recogniser's confidence and the origin ``ocr:<engine>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocrform.model import Box, Page, Seal, Table, Word
from ocrform.scan.preprocess import ink_mask
from ocrform.words.engines import OcrEngine, Reading
from ocrform.words.ocr_fixes import fix_ocr_text

# Inset of a cell crop past its ruling lines, in points (scanned rulings are 1–3 px thick).
CELL_INSET_PT = 1.6
# A row/column near the crop edge that is ink almost end to end is a leftover ruling line
# (text keeps clear of the cell's edges, so even a tall stroke such as 1 stays below this).
RULING_FILL = 0.85
# Line bands shorter than this share of the cell's tallest band are parts of a character
# (the strokes of 二, 六 …) and join a neighbour when the result is still one line tall.
FRAGMENT_SHARE = 0.6
MERGED_LINE_SHARE = 1.25
# Ink specks smaller than this (pixels) are noise, not text.
MIN_LINE_INK = 6
# Outside the tables: ink rows closer than this (points) are one strip for the detector.
STRIP_GAP_PT = 8.0
# ... and ink further apart than this (points) along a strip is searched apart: wider than
# the space between words of a line, narrower than the paper between a line's two ends.
ISLAND_GAP_PT = 24.0
MIN_ISLAND_PT = 4.0
MIN_CONFIDENCE = 0.3
# A leading < or > whose first glyph holds at least this many times as much ink in its
# lower half as in its upper half is ≤ or ≥, its bar merged with the lower arm: on the mild
# office scans 1.28-2.67 (most above 1.8) for ≥ and ≤ read as > and <, 0.78-1.24 for the 15
# printed < (set well clear of those, at the cost of 5 of 22 barred signs).
OPERATOR_BAR_SHARE = 1.5
# A first glyph less tall than this share of the line's ink is a faint sign's darkest speck
# (⩾ in AR PL UMing at 184 dpi, 180-210 grey before digits of 130: its first run of columns
# at the halfway cut was one pixel), and is cut again lighter.
FIRST_GLYPH_SHARE = 0.5
# Dashes, in line heights: a hyphen is at most this wide; a stroke at least HYPHEN_RUN wide
# before text is a run of hyphens at HYPHEN_PITCH (a CJK character such as 一 is about 0.9).
HYPHEN_WIDTH = 0.6
HYPHEN_RUN = 1.5
HYPHEN_PITCH = 0.33
# White margin around a line image, as a share of the line height: the recogniser was trained
# on detector boxes with about this much paper around the text. Side margins cost time.
LINE_MARGIN_Y = 0.2
# ... and on a black-and-white scan, less: its filled-in strokes read better larger (on six
# 150 dpi heavy sets, 0.1 read 31 more fields of 4,652 on those pages, for 17% more width).
BINARY_LINE_MARGIN_Y = 0.1
# A dash is at least this many times as long as thick: a blurred hyphen at 150 dpi is
# 5 pixels by 3, a dot about as long as thick.
DASH_ASPECT = 1.5
# A piece this many line heights wide or narrower, by a cell's side, is a ruling's sliver.
EDGE_STROKE_SHARE = 0.25
# A thin stroke's core is darker than this (grey level) all along: 一 in AR PL UMing at
# 200 dpi is 170-185 along its length, where the page's ink cut (Otsu, 179) breaks it into
# pieces that read as hyphens; the paper between printed hyphens is lighter.
FAINT_INK = 215
# A dash has paper above and below it: a column of its stroke with faint ink (FAINT_INK)
# over this share of a line height off its rows is a glyph's stem (上 in AR PL UMing at
# 265 dpi in a tight row: its stem, 70-130 grey and lighter than the page's ink cut there,
# ran the crop's whole height beside the bar the cut kept; read as -海市大数据中心).
FAINT_STEM_SHARE = 0.3
# Where a dash's centre lies, as a share of the line band's height from its top.
DASH_BAND = (0.25, 0.75)
# A line of dashes alone within this share of a line height of the cell's top or bottom is
# what a skewed or warped ruling left in the cell (archive scans: such lines lay 0-1 px
# from the edge and 4-20 line heights long; a printed lone — lies mid-cell, 18-31 px off
# both edges of a 52 px cell).
REMNANT_EDGE = 0.1
# A band this many typical line heights tall holds several touching lines ...
TALL_BAND_SHARE = 1.7
# ... spaced this many line heights apart (the line height plus its leading).
TALL_BAND_PITCH = 1.15
LINE_MARGIN_X = 0.1
# A reading this short is kept only when at least this sure: a speck, a seal's remnant or a
# rule's sliver in an empty cell reads as I, 1 or ハ at 0.3-0.5, printed digits at 0.75 and
# up; a dash placeholder, also often unsure, means the same as an empty cell.
SHORT_READING = 2
MIN_SHORT_CONFIDENCE = 0.5
# Characters of one line further apart than this many line heights are read apart.
WIDE_GAP_SHARE = 2.5
# No printed line of text is less tall than this (points; a 6 pt glyph is about 5).
MIN_LINE_PT = 4.0
# A piece of ink this narrow (pixels) on a crop's edge, across it, is a rule's sliver.
SIDE_SLIVER_PX = 2
# A page whose dark pixels are less than this share grey (the rest black) is a
# black-and-white scan: a grey-level scan's blurred strokes are mostly grey edge (0.6 and
# more on 150–300 dpi generated scans), a thresholded one's mostly black (about 0.3).
BINARY_GREY_SHARE = 0.45
# Its staircase edges are softened by a blur this wide (pixels: the steps are one pixel).
BINARY_SOFTEN_PX = 0.7
# In a cell crop, a piece of ink lying this much on a dark seal's ring (as measured, plus
# this margin in points for its ragged edge; 0.7-1.5 did alike) is the ring, not text.
SEAL_RING_SHARE = 0.8
SEAL_RING_MARGIN_PT = 1.0
# An official seal letters its name in an arc inside the ring, over this band of its radius,
# and has a solid star at its centre out to this share of it.
SEAL_LETTERING_BAND = (0.58, 0.86)
SEAL_STAR_SHARE = 0.3


@dataclass
class _Line:
    image: np.ndarray | None  # None: the line is only hyphens, counted from the pixels
    box: Box  # pixels
    vertical: bool = False
    prefix: str = ""  # leading dashes read from the pixels, not by the recogniser


def read_words_by_ocr(page: Page, tables: list[Table], engine: OcrEngine) -> list[Word]:
    """Every text line on the page as a word, in points, read by ``engine``."""
    if page.image is None:
        return []
    image = page.image
    ppp = page.pixels_per_point
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ink = ink_mask(gray)
    # Pre-processing judged the page already (ocrform.stages.prepare_scan).
    binary = page.scan.black_and_white if page.scan is not None else is_black_and_white(gray)
    if binary:
        # The recogniser learnt from grey-level text: the staircase edges of a thresholded
        # scan read worse than the same strokes softened (on 150 dpi heavy scans, about a
        # fifth of the misread cells come right).
        gray = cv2.GaussianBlur(gray, (0, 0), BINARY_SOFTEN_PX)
    margin = BINARY_LINE_MARGIN_Y if binary else LINE_MARGIN_Y
    rings = [s for s in page.seals if s.ring_width > 0]
    if rings:
        gray = gray.copy()  # the rings' pieces are painted out of the crops

    cells = []
    for table in tables:
        for cell in table.cells:
            rect = _px(cell.box, ppp, gray.shape)
            mask = _cell_mask(ink, rect)
            if mask is not None and rings:
                _drop_seal_drawing(mask, gray, rect, rings, ppp)
            if mask is not None:
                cells.append((rect, mask, _raw_bands(mask.sum(axis=1))))
    typical = _typical_line_height(cells, ppp)
    lines: list[_Line] = []
    for rect, mask, bands in cells:
        bands = _split_tall(_merge_fragments(bands, typical), mask.sum(axis=1), typical)
        lines.extend(_cell_lines(gray, rect, mask, bands, typical, margin))
    lines.extend(_free_lines(gray, ink, tables, ppp, engine))

    to_read = [ln.image for ln in lines if ln.image is not None]
    read = iter(engine.recognize(to_read) if to_read else [])
    origin = f"ocr:{engine.name}"
    words = []
    for line in lines:
        reading = next(read) if line.image is not None else Reading("", 1.0, 1.0)
        text, conf = fix_ocr_text(_barred_operator(reading.text, line.image)), reading.confidence
        if (not text and not line.prefix) or conf < MIN_CONFIDENCE:
            continue
        if len(text) <= SHORT_READING and conf < MIN_SHORT_CONFIDENCE and not line.prefix:
            continue
        text = line.prefix + text
        b = line.box
        words.append(
            Word(
                text=text,
                box=Box(b.x0 / ppp, b.y0 / ppp, b.x1 / ppp, b.y1 / ppp),
                page=page.index,
                origin=origin,
                confidence=round(conf, 4),
                weakest=round(reading.weakest, 4),
                vertical=line.vertical,
            )
        )
    return words


def _barred_operator(text: str, image: np.ndarray | None) -> str:
    """A reading's leading < or > as ≤ or ≥ where the printed sign has its bar.

    A Kai face prints ≥ as ⩾, whose slanted bar merges with the lower arm at scan
    resolution, and the recogniser reads > with ≥ at 0.004-0.49 (a printed < leaves ≤ up
    to 0.003: no cut between them). The pixels tell: < and > are about as heavy above
    their middle row as below it, the barred sign is heavier below.
    """
    if image is None or not text or text[0] not in "<>":
        return text
    glyph = _first_glyph(image)
    if glyph is None:
        return text
    half = glyph.shape[0] // 2
    upper, lower = int(glyph[:half].sum()), int(glyph[glyph.shape[0] - half :].sum())
    if lower < OPERATOR_BAR_SHARE * max(1, upper):
        return text
    return {"<": "≤", ">": "≥"}[text[0]] + text[1:]


def _first_glyph(image: np.ndarray) -> np.ndarray | None:
    """The ink of a line image's first run of inked columns, cut to its rows.

    Ink is what is darker than halfway from the line's darkest pixel to paper; where that
    leaves the first glyph a speck beside the line's other ink (a faint sign before dark
    digits in a thin face), it is cut again a third of the way from paper.
    """
    darkest = int(image.min())
    glyph = _first_run(image < (darkest + 255) // 2)
    if glyph is None:
        return None
    rows = np.flatnonzero((image < (darkest + 255) // 2).any(axis=1))
    if glyph.shape[0] < FIRST_GLYPH_SHARE * (rows[-1] - rows[0] + 1):
        return _first_run(image < (darkest + 2 * 255) // 3)
    return glyph


def _first_run(ink: np.ndarray) -> np.ndarray | None:
    cols = ink.any(axis=0)
    xs = np.flatnonzero(cols)
    if xs.size == 0:
        return None
    end = xs[0]
    while end < len(cols) and cols[end]:
        end += 1
    glyph = ink[:, xs[0] : end]
    rows = np.flatnonzero(glyph.any(axis=1))
    return glyph[rows[0] : rows[-1] + 1]


def _typical_line_height(
    cells: list[tuple[tuple[int, int, int, int], np.ndarray, list[tuple[int, int]]]], ppp: float
) -> float:
    """The page's usual line height: most bands are whole lines, so their median is one.

    Thick rulings and specks leave slivers a pixel or two tall at cell edges; on a page of
    few short values they can outnumber the lines, and a median below any printed line's
    height is taken again over the bands that could be lines.
    """
    heights = np.array([b - a for _, _, bands in cells for a, b in bands])
    if heights.size == 0:
        return 0.0
    typical = float(np.median(heights))
    floor = MIN_LINE_PT * ppp
    if typical < floor and (heights >= floor).any():
        typical = float(np.median(heights[heights >= floor]))
    return typical


def is_black_and_white(gray: np.ndarray) -> bool:
    """Whether a page was scanned in black and white (thresholded), not in grey levels."""
    dark = np.count_nonzero(gray < 215)
    grey = np.count_nonzero(gray > 40) - (gray.size - dark)
    return grey < BINARY_GREY_SHARE * dark


def _px(box: Box, ppp: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    h, w = shape[:2]
    inset = max(2, round(CELL_INSET_PT * ppp))
    x0 = max(0, int(box.x0 * ppp) + inset)
    y0 = max(0, int(box.y0 * ppp) + inset)
    x1 = min(w, int(np.ceil(box.x1 * ppp)) - inset)
    y1 = min(h, int(np.ceil(box.y1 * ppp)) - inset)
    return x0, y0, x1, y1


def _cell_mask(ink: np.ndarray, rect: tuple[int, int, int, int]) -> np.ndarray | None:
    x0, y0, x1, y1 = rect
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    mask = ink[y0:y1, x0:x1].copy()
    if mask.sum() < MIN_LINE_INK:
        return None
    _clear_edge_rulings(mask)
    return mask


def _cell_lines(
    gray: np.ndarray,
    rect: tuple[int, int, int, int],
    mask: np.ndarray,
    bands: list[tuple[int, int]],
    typical: float,
    margin: float,
) -> list[_Line]:
    x0, y0, x1, y1 = rect
    pieces = []
    for a, b in bands:
        cols = np.flatnonzero(mask[a:b].any(axis=0))
        if cols.size == 0 or mask[a:b].sum() < MIN_LINE_INK:
            continue
        pieces.append((a, b, int(cols[0]), int(cols[-1]) + 1))
    if not pieces:
        return []
    # A lone dash or dot is a short band; it is read at the page's line height, as printed.
    height = max(int(typical), *(b - a for a, b, _, _ in pieces))
    if len(pieces) >= 2 and (y1 - y0) > 1.5 * (x1 - x0) and all(c1 - c0 <= 1.6 * (b - a) for a, b, c0, c1 in pieces):
        # One character per printed line down a tall narrow cell: a vertical label, read
        # as one word by laying the characters side by side.
        crops = [_pad(gray[y0 + a : y0 + b, x0 + c0 : x0 + c1], height, margin) for a, b, c0, c1 in pieces]
        union = Box(
            x0 + min(p[2] for p in pieces), y0 + pieces[0][0], x0 + max(p[3] for p in pieces), y0 + pieces[-1][1]
        )
        return [_Line(np.hstack(crops), union, vertical=True)]
    out = []
    for a, b, c0, c1 in (sub for piece in pieces for sub in _split_wide_gaps(mask, piece, typical)):
        if _is_edge_stroke(c0, c1, x1 - x0, typical):
            continue
        if _is_ruling_remnant(mask[a:b, c0:c1], max(b - a, typical), x1 - x0):
            continue
        dashes, start = _leading_dashes(mask[a:b, c0:c1], max(b - a, typical), gray[y0 + a : y0 + b, x0 + c0 : x0 + c1])
        text_image = gray[y0 + a : y0 + b, x0 + c0 + start : x0 + c1]
        if not text_image.shape[1] and min(a, (y1 - y0) - b) <= REMNANT_EDGE * typical:
            continue  # a ruling's piece along the cell's edge, not a printed dash
        out.append(
            _Line(
                _pad(text_image, height, margin) if text_image.shape[1] else None,
                Box(x0 + c0, y0 + a, x0 + c1, y0 + b),
                prefix=dashes,
            )
        )
    if len(out) > 1 and all(ln.image is not None for ln in out) and not any(ln.prefix for ln in out[1:]):
        # A wrapped cell is read as one line, its printed lines side by side: the reader's
        # sense of context then spans the break (alone it closes a bracket left open at a
        # line end, "(50" → "(50)"), and one long line costs less than several short ones.
        union = out[0].box
        for ln in out[1:]:
            union = union.union(ln.box)
        # A line's last character (often a small 。) is dropped at the end of a long
        # image unless some paper follows it.
        tail = np.full((out[0].image.shape[0], out[0].image.shape[0] // 2), 255, dtype=np.uint8)
        return [_Line(np.hstack([*(ln.image for ln in out), tail]), union, prefix=out[0].prefix)]
    return out


def _leading_dashes(mask: np.ndarray, height: float, gray: np.ndarray | None = None) -> tuple[str, int]:
    """Dashes that start a line (------本级安排, or a lone — for an empty value), and the
    column where the rest of the line starts.

    A recogniser cannot count a run of identical glyphs, squeezed it tends to swallow the
    character after the run, and it cannot tell a dash's length; so dashes are read from
    the pixels. A dash is a thin horizontal stroke (a dot is not). Before text, a stroke
    about one character wide is 一 and stays with the text; blurred runs of hyphens merge
    into one long stroke, counted as hyphens of the usual pitch. A stroke too thin for the
    ink mask (一 in a Ming face) comes in pieces, joined again where ``gray``, the line's
    pixels, shows the stroke running on between them.
    """
    cols = mask.any(axis=0)
    width = mask.shape[1]
    strokes: list[tuple[int, int]] = []
    x = 0
    while x < width:
        if not cols[x]:
            x += 1
            continue
        end = x
        while end < width and cols[end]:
            end += 1
        rows = np.flatnonzero(mask[:, x:end].any(axis=1))
        thickness = rows[-1] - rows[0] + 1
        if thickness > 0.2 * height or end - x < DASH_ASPECT * thickness:
            break
        # A dash sits mid-line; a thin stroke along the band's top or bottom edge is what a
        # skewed ruling line left in the crop.
        middle = (rows[0] + rows[-1]) / 2 / max(1, mask.shape[0] - 1)
        if not DASH_BAND[0] <= middle <= DASH_BAND[1]:
            break
        if gray is not None and _faint_stem(gray[:, x:end], rows[0], rows[-1] + 1, height):
            break
        strokes.append((x, end))
        x = end
    if gray is not None:
        strokes = _joined_strokes(strokes, mask, gray)
    if not strokes:
        return "", 0
    if x >= width:  # the whole line is dashes
        return "".join("-" if e - s <= HYPHEN_WIDTH * height else "—" for s, e in strokes), width
    text = ""
    start = 0
    for s, e in strokes:
        if e - s <= HYPHEN_WIDTH * height:
            text += "-"
        elif e - s >= HYPHEN_RUN * height:
            text += "-" * max(2, round((e - s) / (HYPHEN_PITCH * height)))
        else:
            break
        start = e
    return text, start


def _faint_stem(gray: np.ndarray, top: int, bottom: int, height: float) -> bool:
    """Whether a stroke's columns (``gray``, the band's pixels) hold a stroke too faint for the
    ink mask running up or down from it (rows ``top`` to ``bottom``): the stem of 上 or 土 in a
    thin face, whose long bar alone would read as a dash."""
    faint = gray < FAINT_INK
    beside = np.concatenate((faint[: max(0, top - 1)], faint[bottom + 1 :]))
    return beside.size > 0 and int(beside.sum(axis=0).max()) >= FAINT_STEM_SHARE * height


def _joined_strokes(strokes: list[tuple[int, int]], mask: np.ndarray, gray: np.ndarray) -> list[tuple[int, int]]:
    """Neighbouring pieces of one thin stroke as one: every column between them is darker
    than paper (FAINT_INK) on the pieces' rows."""
    out = [strokes[0]] if strokes else []
    for s, e in strokes[1:]:
        ps, pe = out[-1]
        rows = np.flatnonzero(mask[:, ps:pe].any(axis=1) | mask[:, s:e].any(axis=1))
        between = gray[rows[0] : rows[-1] + 1, pe:s]
        if between.size and (between.min(axis=0) < FAINT_INK).all():
            out[-1] = (ps, e)
        else:
            out.append((s, e))
    return out


def _split_wide_gaps(
    mask: np.ndarray, piece: tuple[int, int, int, int], typical: float
) -> list[tuple[int, int, int, int]]:
    """A line cut where its characters stand far apart (总      分 spread over a wide cell).

    Read as one image, a long stretch of paper makes the recogniser drop the characters
    before it; text set normally never leaves a gap of several line heights.
    """
    a, b, c0, c1 = piece
    gap = max(4, int(WIDE_GAP_SHARE * max(b - a, typical)))
    return [(a, b, c0 + s, c0 + e) for s, e in _islands(mask[a:b, c0:c1].any(axis=0), gap)]


def _is_ruling_remnant(mask: np.ndarray, height: float, cell_width: int) -> bool:
    """A thin stroke across most of the cell is what is left of a skewed ruling line."""
    rows = np.flatnonzero(mask.any(axis=1))
    return mask.shape[1] > 0.7 * cell_width and rows[-1] - rows[0] + 1 <= 0.2 * height


def _is_edge_stroke(c0: int, c1: int, cell_width: int, typical: float) -> bool:
    """A lone thin stroke by the cell's left or right side is a piece of a warped ruling.

    Perspective drift moves a vertical rule a few points off the grid line fitted to it, so
    the inset crop still holds a sliver of it, read as 1, I or l in an empty cell. Values
    sit clear of the cell's sides; the strokes of an edge-hugging character are wider.
    """
    edge = max(1, cell_width // 6)
    return c1 - c0 <= EDGE_STROKE_SHARE * typical and (c1 <= edge or c0 >= cell_width - edge)


def _clear_edge_rulings(mask: np.ndarray) -> None:
    """Blank leftover ruling lines along the crop's edges (skew or a thick scanned line)."""
    h, w = mask.shape
    edge_rows = max(1, h // 6)
    edge_cols = max(1, w // 6)
    row_fill = mask.mean(axis=1)
    col_fill = mask.mean(axis=0)
    ruled_rows = [r for r in (*range(edge_rows), *range(h - edge_rows, h)) if row_fill[r] > RULING_FILL]
    mask[ruled_rows] = False
    ruled_cols = [c for c in (*range(edge_cols), *range(w - edge_cols, w)) if col_fill[c] > RULING_FILL]
    mask[:, ruled_cols] = False
    # The crop's edges, past the rule rows and columns just cleared.
    left, right = _inner_edges(ruled_cols, w)
    top, bottom = _inner_edges(ruled_rows, h)
    # A warped rule crosses the crop's side only in places; its sliver, a pixel or two wide,
    # would stretch the text's band over the whole cell height (and stand beside each
    # character of a vertical label). Along the top or bottom, a thick rule's ragged edge
    # leaves dots that widen a line's crop over faint marks beside it (a seal's ghost, read
    # as dashes before a value).
    if top >= bottom or left >= right:
        return
    if not (mask[:, left].any() or mask[:, right - 1].any() or mask[top].any() or mask[bottom - 1].any()):
        return  # no ink touches the edges: nothing to clear, and most cells are so
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    for k in range(1, n):
        x, y, bw, bh, _ = stats[k]
        if (bw <= SIDE_SLIVER_PX and (x <= left or x + bw >= right)) or (
            bh <= SIDE_SLIVER_PX and (y <= top or y + bh >= bottom)
        ):
            mask[labels == k] = False


def _drop_seal_drawing(
    mask: np.ndarray, gray: np.ndarray, rect: tuple[int, int, int, int], rings: list[Seal], ppp: float
) -> None:
    """Clear from a cell's crop the pieces of ink that are a dark seal's own drawing.

    Where the ring crosses a cell it leaves an arc the recogniser reads as I, W or ハ in an
    empty cell, or beside a value (0 read as 。); the marks of the seal's lettering around
    the inside of its rim are read as 口 or F. Such a piece lies on the ring or along the rim;
    a character the seal crosses is one piece with it, and stays. The star at the centre is
    solid ink that joins the characters beside it into one blot: whatever lies inside it is
    cleared, as nothing under it can be read.
    """
    x0, y0, x1, y1 = rect
    yy, xx = np.mgrid[y0:y1, x0:x1] / ppp
    on_drawing = np.zeros(mask.shape, bool)
    on_star = np.zeros(mask.shape, bool)
    for seal in rings:
        off_centre = np.hypot(xx - seal.cx, yy - seal.cy)
        on_drawing |= np.abs(off_centre - seal.radius) <= seal.ring_width / 2 + SEAL_RING_MARGIN_PT
        inner, outer = (share * seal.radius for share in SEAL_LETTERING_BAND)
        on_drawing |= (off_centre >= inner) & (off_centre <= outer)
        on_star |= off_centre <= SEAL_STAR_SHARE * seal.radius
    crop = gray[y0:y1, x0:x1]
    if (mask & on_star).any():
        mask[on_star] = False
        crop[on_star] = 255
    if not (mask & on_drawing).any():
        return
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    on_drawing_count = np.bincount(labels[on_drawing], minlength=n)
    for k in range(1, n):
        if on_drawing_count[k] >= SEAL_RING_SHARE * stats[k, cv2.CC_STAT_AREA]:
            piece = labels == k
            mask[piece] = False
            crop[piece] = 255


def _inner_edges(cleared: list[int], size: int) -> tuple[int, int]:
    """The first and one past the last index not in ``cleared``."""
    gone = set(cleared)
    lo, hi = 0, size
    while lo < size and lo in gone:
        lo += 1
    while hi > lo and hi - 1 in gone:
        hi -= 1
    return lo, hi


def _raw_bands(profile: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows that hold ink."""
    on = np.concatenate(([False], profile > 0, [False]))
    edges = np.flatnonzero(on[1:] != on[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _merge_fragments(raw: list[tuple[int, int]], typical: float) -> list[tuple[int, int]]:
    """Join bands that are parts of one line (the strokes of 二, 是, 六 …) to a neighbour
    while the result stays one line tall."""
    bands = [list(b) for b in raw]
    merged = True
    while merged and len(bands) > 1:
        merged = False
        for i, (a, b) in enumerate(bands):
            if b - a >= FRAGMENT_SHARE * typical:
                continue
            options = []
            if i > 0 and b - bands[i - 1][0] <= MERGED_LINE_SHARE * typical:
                options.append((a - bands[i - 1][1], i - 1))
            if i + 1 < len(bands) and bands[i + 1][1] - a <= MERGED_LINE_SHARE * typical:
                options.append((bands[i + 1][0] - b, i + 1))
            if options:
                _, j = min(options)
                lo, hi = min(i, j), max(i, j)
                bands[lo] = [bands[lo][0], bands[hi][1]]
                del bands[hi]
                merged = True
                break
    return [(a, b) for a, b in bands]


def _split_tall(bands: list[tuple[int, int]], profile: np.ndarray, typical: float) -> list[tuple[int, int]]:
    """Cut a band several lines tall at its thinnest rows.

    In a dense paragraph scanned at low resolution, or binarised, neighbouring lines touch
    and the row profile never reaches zero between them; read as one image such a band is
    squeezed into a single line's height and comes back as noise.
    """
    if typical <= 0:
        return bands
    out = []
    for a, b in bands:
        n = round((b - a) / (typical * TALL_BAND_PITCH))
        if b - a < TALL_BAND_SHARE * typical or n < 2:
            out.append((a, b))
            continue
        step = (b - a) / n
        cuts = [a]
        for k in range(1, n):
            lo, hi = int(a + (k - 0.35) * step), int(a + (k + 0.35) * step)
            cuts.append(lo + int(np.argmin(profile[lo:hi])) if hi > lo else int(a + k * step))
        cuts.append(b)
        out += [(cuts[i], cuts[i + 1]) for i in range(n)]
    return out


def _pad(crop: np.ndarray, height: int, margin: float) -> np.ndarray:
    """The line on white paper, ``margin`` line heights above and below it."""
    m = max(2, round(margin * height))
    mx = max(2, round(LINE_MARGIN_X * height))
    top = m + (height - crop.shape[0]) // 2
    out = np.full((height + 2 * m, crop.shape[1] + 2 * mx), 255, dtype=np.uint8)
    out[top : top + crop.shape[0], mx : mx + crop.shape[1]] = crop
    return out


def _free_lines(gray: np.ndarray, ink: np.ndarray, tables: list[Table], ppp: float, engine: OcrEngine) -> list[_Line]:
    """Text outside the tables, found by the engine's detector on strips that hold ink."""
    outside = ink.copy()
    margin = max(2, round(CELL_INSET_PT * ppp))
    h, w = gray.shape
    rects = []
    for t in tables:
        x0, y0 = max(0, int(t.box.x0 * ppp) - margin), max(0, int(t.box.y0 * ppp) - margin)
        x1, y1 = min(w, int(t.box.x1 * ppp) + margin + 1), min(h, int(t.box.y1 * ppp) + margin + 1)
        outside[y0:y1, x0:x1] = False
        rects.append((x0, y0, x1, y1))
    rows = np.flatnonzero(outside.sum(axis=1) >= 2)
    if rows.size == 0:
        return []
    gap = STRIP_GAP_PT * ppp
    strips = []
    start = prev = int(rows[0])
    for r in rows[1:]:
        if r - prev > gap:
            strips.append((start, prev + 1))
            start = int(r)
        prev = int(r)
    strips.append((start, prev + 1))
    pad = int(gap / 2)
    out = []
    for a, b in strips:
        a, b = max(0, a - pad), min(h, b + pad)
        # The detector's cost is the strip's area: only the stretches that hold ink are
        # searched (a 单位 line's two ends, a centred title), not the paper between them.
        for c0, c1 in _islands(outside[a:b].any(axis=0), ISLAND_GAP_PT * ppp):
            if c1 - c0 < MIN_ISLAND_PT * ppp:
                continue  # a rule's sliver or a speck beside a table, no text
            c0, c1 = max(0, c0 - pad), min(w, c1 + pad)
            strip = gray[a:b, c0:c1].copy()
            for x0, y0, x1, y1 in rects:  # tables and their lines are not free text
                strip[max(0, y0 - a) : max(0, y1 - a), max(0, x0 - c0) : max(0, x1 - c0)] = 255
            for box in engine.detect(strip):
                bx0, by0, bx1, by1 = int(box.x0), int(box.y0), int(np.ceil(box.x1)), int(np.ceil(box.y1))
                if bx1 - bx0 < 3 or by1 - by0 < 3:
                    continue
                out.append(_Line(strip[by0:by1, bx0:bx1], Box(c0 + bx0, a + by0, c0 + bx1, a + by1)))
    return out


def _islands(inked: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """Runs of inked columns, one run while the step from an inked column to the next is
    at most ``gap`` (for a whole ``gap``: cut where ``gap`` or more blank columns lie)."""
    cols = np.flatnonzero(inked)
    if cols.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(cols) > gap)
    starts = np.concatenate(([cols[0]], cols[breaks + 1]))
    ends = np.concatenate((cols[breaks], [cols[-1]])) + 1
    return [(int(s), int(e)) for s, e in zip(starts, ends)]
