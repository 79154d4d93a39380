"""Make a scanned page fit for the grid and the recogniser: upright, level, seal-free, even.

Order matters: seals are dropped first (their ring would otherwise vote in the skew
estimate), light is flattened before the skew and orientation estimates read dark pixels,
and the page is levelled before its orientation is judged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocrform.model import Seal
from ocrform.scan.seals import find_seals

# Skews beyond this are not corrected: a form scanned 10° off is better left to a person.
MAX_SKEW_DEGREES = 5.0
# Background estimate window, as a share of the page's short side: wider than any glyph.
BACKGROUND_WINDOW = 1 / 40
# Red minus the larger of green and blue above which a pixel is seal ink, not text.
SEAL_REDNESS = 40
# Lifted by the seal ink's red, a tinted pixel still lighter than this is the seal's
# JPEG-smeared residue on paper, not a faint ruling (about 190 at 150 dpi).
SEAL_RESIDUE = 235
# Near a seal, a pixel is lifted by the seal ink's red only when at least this red: the seal's
# JPEG-smeared tint is, while the faint edge of a blurred ruling or stroke beside it is neutral grey.
SEAL_TINT = 15
# Ink dots of at most this many pixels with no larger ink within SPECK_REACH_POINTS are
# scanner noise (a 150 dpi decimal point is 4-9 pixels, and beside its digits). The reach is
# a distance on paper: the small , and . of text set small in a thin face (a spreadsheet
# printed to fit, 4-5 pt digits at 200 dpi) stand 1.5-2.9 pt (tenth to ninetieth
# percentile) from the nearest ink of the glyphs beside them, as thin strokes break the
# glyphs into pieces; at 4 pixels (1.4 pt at 200 dpi) most of them were wiped as specks.
SPECK_AREA = 4
SPECK_REACH_POINTS = 3.0
# A page with fewer such dots is not speckled (0-41 on generated grey-level scans, thousands
# on a noisy black-and-white one), and its few dots are not worth a pass over every pixel.
SPECKLED_PAGE = 100
# Pieces of text lines the direction classifier reads to tell an upside-down page (on the
# generated heavy scans 12 did as well as 24 and more).
DIRECTION_PIECES = 24
# Text is smeared along and across by about a glyph (its pieces' median size), at most
# BAR_SMEAR_PX pixels of the 800-pixel working copy: tiny text in a spreadsheet printed to fit
# stacks its rows' values closer than that, and a fixed smear ran them into tall bars.
BAR_SMEAR_GLYPHS = 1.0
BAR_SMEAR_PX = 9
# A smeared bar counts as a line of text only when at least this many glyphs long and this
# share of a glyph thick: a table's wall between two rules (a row's height, too short for the
# long-rule opening) is a bar a pixel or two thick, and a narrow glyph (a digit, 1) smeared
# along is a bar under two glyphs long. On a sparse last page (1-3 table rows, a seal) such
# stubs outweighed the few text lines, and 3 of 76 archive and mild pages were turned on
# their side (horizontal to vertical score 0.49-0.95); counted so, the least upright page
# scores 1.57, the median about 9.
BAR_MIN_GLYPHS = 4.0
BAR_MIN_THICKNESS = 0.5
# Ink pixels sampled for the skew estimate: plenty for a sharp profile, cheap to project.
MAX_SKEW_SAMPLES = 150_000
# Straightening the levelled page (``straighten``): rules are ink runs at least this long
# (points) straight down or across; a rule leaning 3% stays one pixel-column wide for
# this long at 150-300 dpi when 2-4 pixels thick.
STRAIGHT_RULE_POINTS = 16.0
# A half of the page is measured when its rules hold at least this many points of ink.
STRAIGHT_MIN_RULE_POINTS = 400.0
# Slopes tried (dx/dy of a vertical rule): on archive-level scans (+-2 degrees, perspective up
# to 1.2%) the vertical rules of a levelled page leaned 1.6-2.9% (34-64 pixels down an A4
# page at 200 dpi), the horizontal ones -0.3 to +0.4% between its top and bottom halves.
STRAIGHT_MAX_SLOPE = 0.05
STRAIGHT_COARSE_STEP = 0.004
# Rule pixels sampled in each half of the page for the measurement.
STRAIGHT_SAMPLES = 30_000
# A straightening that moves no pixel this far (pixels) is not worth a resampling.
STRAIGHT_MIN_SHIFT_PX = 1.0
# The rules' lean is measured at this many pixels a point (120 dpi) ...
STRAIGHT_MEASURE_PPP = 120 / 72
# ... and the resampling maps worked out every this many pixels (they are linear in between).
STRAIGHT_MAP_STEP = 16


@dataclass
class Prepared:
    image: np.ndarray  # uint8 grayscale, upright and level
    angle: float  # degrees the page was turned to level it (counter-clockwise positive)
    rotation: int  # quarter turns (0, 90, 180, 270) the page was turned to stand upright
    seals: list[Seal]  # seals left dark on the upright page, in points


def preprocess_page(image: np.ndarray, pixels_per_point: float) -> Prepared:
    gray = remove_specks(drop_seals(image), pixels_per_point)
    # Levelled first: a table's rules run both ways, so the skew is found whichever way up
    # the page lies, and on a skewed page the rules' pieces read as text to the orientation.
    angle = find_skew(gray)
    level = rotate(gray, angle) if abs(angle) >= 0.1 else gray
    gray = straighten(gray, level, angle, pixels_per_point)
    rotation = find_orientation(gray)
    if rotation:
        gray = _quarter_turn(gray, rotation)
    # A red seal went with its colour; on a page without red ink (a black-and-white or grey
    # scan) a seal is still there, as dark as the text.
    seals = [] if _has_red_ink(image) else find_seals(ink_mask(gray), pixels_per_point)
    return Prepared(image=gray, angle=angle, rotation=rotation, seals=seals)


def drop_seals(image: np.ndarray) -> np.ndarray:
    """Grayscale, light flattened, in which red ink (seals, red stamps) is as light as paper.

    The red channel does most of it: black text is dark in every channel, a red stamp is
    bright in red, so text under a seal stays as dark as the rest. What the red channel
    still shows of a seal (its ink's own red, its JPEG-smeared edges) is divided out.
    """
    if image.ndim == 2:
        return flatten_illumination(image)
    gray = flatten_illumination(cv2.extractChannel(image, 2))
    redness = _redness(image)
    seal = (redness > SEAL_REDNESS).astype(np.uint8)
    if not seal.any():
        return gray
    # Treating only the red pixels would leave the seal's outline as a grey edge; within the
    # seal's reach every tinted pixel is seal ink, over paper or over text and rulings.
    near = cv2.dilate(seal, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))).astype(bool)
    tinted = near & (redness > SEAL_TINT)
    # Ink multiplies: under the seal a pixel's red is the lightness of what lies beneath
    # times the seal ink's own red, so dividing that out gives the text and the rulings back
    # at their own grey. Only whitening light red pixels also erased faint rulings there.
    seal_red = max(1.0, float(np.median(gray[seal.astype(bool)])))
    lifted = np.minimum(255.0, gray[tinted].astype(np.float32) * (255.0 / seal_red)).astype(np.uint8)
    lifted[lifted > SEAL_RESIDUE] = 255
    gray[tinted] = lifted
    return gray


def _redness(image: np.ndarray) -> np.ndarray:
    """Red minus the larger of green and blue, per pixel of a BGR image."""
    blue, green, red = cv2.split(image)
    return cv2.subtract(red, cv2.max(green, blue))


def _has_red_ink(image: np.ndarray) -> bool:
    # Every fourth pixel each way: a seal's ring is several pixels wide.
    return image.ndim == 3 and bool((_redness(image[::4, ::4]) > SEAL_REDNESS).any())


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Pixels darker than the page's Otsu cut, capped so that a page of mostly white paper
    does not call grey paper texture ink.

    On a page of pure black and white (a bilevel TIFF) Otsu cuts at 0, below every pixel,
    and such a page had no ink at all: it is cut at mid-grey instead.
    """
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return gray < (min(otsu, 200) if otsu > 0 else 128)


def remove_specks(gray: np.ndarray, pixels_per_point: float) -> np.ndarray:
    """The page without the specks a noisy black-and-white scan scatters over its paper.

    A speck is a dot of ink a few pixels large with no bigger ink near it; the small
    parts of text (a decimal point, the dots of 文 and 六, a 、) sit by their glyphs. Left
    in, specks fill the paper around the tables with strips the text detector must search
    (7 s a page instead of 1 on a speckled 150 dpi page) and read as letters in cells.
    """
    ink = ink_mask(gray).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= SPECK_AREA
    small[0] = False
    if np.count_nonzero(small) < SPECKLED_PAGE:
        return gray
    in_small = small[labels]
    big = (labels > 0) & ~in_small
    r = max(1, round(SPECK_REACH_POINTS * pixels_per_point))
    reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    near_big = cv2.dilate(big.astype(np.uint8), reach).astype(bool)
    beside_text = np.zeros(n, dtype=bool)
    beside_text[np.unique(labels[near_big & in_small])] = True
    specks = in_small & ~beside_text[labels]
    if not specks.any():
        return gray
    out = gray.copy()
    out[cv2.dilate(specks.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)] = 255
    return out


def flatten_illumination(gray: np.ndarray) -> np.ndarray:
    """Divide out uneven light (a shadow, a photocopier's falloff) using the page's own paper."""
    k = max(15, int(min(gray.shape) * BACKGROUND_WINDOW)) | 1
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ks = max(3, k // 4) | 1
    background = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (ks, ks)))
    background = cv2.GaussianBlur(background, (ks, ks), 0)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(gray, np.maximum(background, 1), scale=255)
    return flat


def _binary(gray: np.ndarray) -> np.ndarray:
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]


def find_skew(gray: np.ndarray) -> float:
    """The page's skew in degrees (counter-clockwise positive): the angle to rotate it by.

    Ruling lines and text lines make the ink's row profile sharpest when they lie level, so
    the angle is the one whose projection of the ink pixels has the largest sum of squares;
    projecting pixel coordinates instead of rotating the picture keeps each try cheap.
    """
    scale = 1000 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ys, xs = np.nonzero(_binary(small))
    if len(xs) < 100:
        return 0.0
    if len(xs) > MAX_SKEW_SAMPLES:
        pick = np.random.default_rng(0).choice(len(xs), MAX_SKEW_SAMPLES, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs = xs.astype(np.float32) - small.shape[1] / 2
    ys = ys.astype(np.float32)

    def sharpness(angle: float) -> float:
        t = np.radians(angle)
        rows = np.round(ys * np.cos(t) + xs * np.sin(t)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.dot(counts, counts))

    best = max(np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-6, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.5 + 1e-6, 0.05), key=sharpness)
    # Rotating by the found angle about the centre levels the lines (image y grows downwards).
    return -float(best)


def straighten(gray: np.ndarray, level: np.ndarray, angle: float, pixels_per_point: float) -> np.ndarray:
    """The levelled page with its rules made straight up and straight across.

    Levelling turns the page as a whole; a scan's perspective (the page not flat on the
    glass, a camera not square to it) leaves its vertical rules leaning against the level
    horizontal ones, and both leaning a little differently on either side of the page. A
    table's grid is straight lines, so a rule leaning across a cell put its sliver into the
    cell's crop (read as 1 or | beside the value) or cut the cell's first character.

    The lean of the vertical rules is measured in the page's left and right halves, that of
    the horizontal rules in its top and bottom halves (as ``find_skew`` measures the skew:
    the slope that makes the rules' projection sharpest), taken to vary linearly across the
    page, and undone in one resampling of the unlevelled ``gray`` (levelling included), so
    that the strokes are not interpolated twice. ``level``: ``gray`` levelled by ``angle``.
    """
    h, w = level.shape[:2]
    # Measured on a copy of about STRAIGHT_MEASURE_PPP pixels a point: slopes do not change
    # with the scale, and the rules are still whole there.
    scale = min(1.0, STRAIGHT_MEASURE_PPP / pixels_per_point)
    small = cv2.resize(level, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else level
    binary = _binary(small)
    ppp = pixels_per_point * scale
    length = max(8, round(STRAIGHT_RULE_POINTS * ppp))
    down = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    across = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    sh, sw = binary.shape
    enough = STRAIGHT_MIN_RULE_POINTS * ppp
    ys, xs = np.nonzero(down)
    lean_x = _leans(xs, ys, sh / 2, sw / 2, enough)  # dx/dy of the vertical rules, at x
    ys, xs = np.nonzero(across)
    lean_y = _leans(ys, xs, sw / 2, sh / 2, enough)  # dy/dx of the horizontal rules, at y
    if lean_x is None and lean_y is None:
        return level
    # The maps vary smoothly: worked out every STRAIGHT_MAP_STEP pixels, then enlarged.
    # Enlarging n nodes to n * step pixels puts node i at pixel (i + 0.5) * step - 0.5; a
    # node before the first pixel and one past the last keep the edges interpolated.
    step = STRAIGHT_MAP_STEP
    grid_x = ((np.arange(w // step + 3) - 0.5) * step - 0.5).astype(np.float32)[None, :]
    grid_y = ((np.arange(h // step + 3) - 0.5) * step - 0.5).astype(np.float32)[:, None]
    slope_x = _along(lean_x, grid_x * scale)
    slope_y = _along(lean_y, grid_y * scale)
    # Nothing moves by as much as STRAIGHT_MIN_SHIFT_PX anywhere on the page: left as levelled.
    most = max(float(np.abs(slope_x).max()) * h / 2, float(np.abs(slope_y).max()) * w / 2)
    if most < STRAIGHT_MIN_SHIFT_PX:
        return level
    # Where the straight page's pixel (X, Y) lies on the levelled page ...
    map_x = grid_x + slope_x * (grid_y - h / 2)
    map_y = grid_y + slope_y * (grid_x - w / 2)
    if abs(angle) >= 0.1:
        # ... and where that lies on the page as scanned.
        (a, b, c), (d, e, f) = cv2.invertAffineTransform(cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)).tolist()
        map_x, map_y = a * map_x + b * map_y + c, d * map_x + e * map_y + f
    size = (grid_x.shape[1] * step, grid_y.shape[0] * step)
    full_x, full_y = (
        cv2.resize(m.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)[step : step + h, step : step + w]
        for m in (map_x, map_y)
    )
    return cv2.remap(gray, full_x, full_y, cv2.INTER_LINEAR, borderValue=255)


def _leans(
    across: np.ndarray, along: np.ndarray, centre: float, middle: float, enough: float
) -> tuple[float, float, float, float] | None:
    """The slopes (d across / d along) of the rules whose pixels are given, in the two halves
    of the page split at ``middle`` across: (position, slope) of each half, where the rules
    run for at least ``enough`` pixels in it; one half's slope for both when the other has
    too few; None when neither has."""
    halves = []
    for pick in (across < middle, across >= middle):
        if np.count_nonzero(pick) < enough:
            continue
        a, b = across[pick].astype(np.float32), along[pick].astype(np.float32)
        if a.size > STRAIGHT_SAMPLES:
            keep = np.random.default_rng(0).choice(a.size, STRAIGHT_SAMPLES, replace=False)
            a, b = a[keep], b[keep]
        halves.append((float(a.mean()), _sharpest_slope(a, b - centre)))
    if not halves:
        return None
    if len(halves) == 1:
        return halves[0][0], halves[0][1], halves[0][0] + 1.0, halves[0][1]
    return halves[0][0], halves[0][1], halves[1][0], halves[1][1]


def _sharpest_slope(across: np.ndarray, along: np.ndarray) -> float:
    """The slope s for which the positions ``across - s * along`` bunch most tightly."""

    def sharpness(slope: float) -> float:
        at = np.round(across - slope * along).astype(np.int64)
        counts = np.bincount(at - at.min())
        return float(np.dot(counts, counts))

    coarse = np.arange(-STRAIGHT_MAX_SLOPE, STRAIGHT_MAX_SLOPE + 1e-9, STRAIGHT_COARSE_STEP)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - STRAIGHT_COARSE_STEP, best + STRAIGHT_COARSE_STEP + 1e-9, STRAIGHT_COARSE_STEP / 10)
    return float(max(fine, key=sharpness))


def _along(lean: tuple[float, float, float, float] | None, at: np.ndarray) -> np.ndarray:
    """The slope at each position, linear through the two halves' (position, slope), held
    at the nearer half's slope beyond them."""
    if lean is None:
        return np.zeros_like(at)
    p0, s0, p1, s1 = lean
    t = np.clip((at - p0) / max(p1 - p0, 1.0), 0.0, 1.0)
    return (s0 + (s1 - s0) * t).astype(np.float32)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Turn by ``angle`` degrees about the centre, keeping the size; uncovered corners become paper."""
    h, w = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def find_orientation(gray: np.ndarray) -> int:
    """Quarter turns (0, 90, 180, 270) that stand the page upright.

    Printed Chinese runs in horizontal lines: smeared sideways, an upright page's text merges
    into wide bars, a page lying on its side into tall ones. Which way up is then asked of the
    PP-OCR direction classifier (shipped in the rapidocr wheel) on the page's longest lines.
    """
    scale = 800 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    text = _without_rules(_binary(small))
    sideways = _bar_score(text, horizontal=False) > _bar_score(text, horizontal=True)
    if sideways:
        gray = _quarter_turn(gray, 90)
    turns = 90 if sideways else 0
    if _upside_down(gray):
        turns += 180
    return turns % 360


def _upside_down(gray: np.ndarray, lines: int = 12) -> bool:
    from ocrform.scan.direction import upside_down_votes

    scale = 800 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    text = _without_rules(_binary(small))
    smeared = cv2.dilate(text, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(smeared)
    boxes = [
        stats[i, :4] / scale
        for i in range(1, n)
        if stats[i, cv2.CC_STAT_WIDTH] > 3 * stats[i, cv2.CC_STAT_HEIGHT] and stats[i, cv2.CC_STAT_HEIGHT] >= 4
    ]
    boxes.sort(key=lambda b: -b[2])
    pieces = []
    for x, y, w, h in boxes[:lines]:
        pad = h * 0.3
        y0, y1 = max(0, int(y - pad)), min(gray.shape[0], int(y + h + pad))
        # The classifier reads a 48×192 window: a long line is cut into pieces of that shape
        # rather than squeezed into it.
        piece = 4 * (y1 - y0)
        starts = range(max(0, int(x - pad)), min(gray.shape[1], int(x + w + pad)) - piece // 2, piece)
        pieces.append([gray[y0:y1, x0 : x0 + piece] for x0 in starts])
    # A line's pieces in turn with the other lines' until there are enough, so that many
    # lines vote and not only the longest paragraph's.
    crops = [line[k] for k in range(max(map(len, pieces), default=0)) for line in pieces if k < len(line)]
    # The pieces' log-odds add up (independent evidence): a share of votes past a threshold
    # left a quarter of the upside-down 150 dpi heavy pages unturned, as a few pieces read
    # surely upright while many read weakly upside down (0.29-0.69 of the votes).
    votes = upside_down_votes(crops[:DIRECTION_PIECES])
    return bool(len(votes)) and float(np.mean(votes)) > 0


def _without_rules(binary: np.ndarray) -> np.ndarray:
    h, w = binary.shape
    long_h = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(10, w // 20), 1)))
    long_v = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, h // 20))))
    return cv2.subtract(binary, cv2.bitwise_or(long_h, long_v))


def _bar_score(text: np.ndarray, horizontal: bool) -> float:
    # Smeared by about half a glyph: the glyphs of a line run together, the lines of a page
    # (and a column of short values in the rows of a tight table) do not.
    glyph = _glyph_height(text)
    length = max(3, min(BAR_SMEAR_PX, round(BAR_SMEAR_GLYPHS * glyph)))
    kernel = (length, 1) if horizontal else (1, length)
    smeared = cv2.dilate(text, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    n, _, stats, _ = cv2.connectedComponentsWithStats(smeared)
    if n <= 1:
        return 0.0
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    long_side = w if horizontal else h
    short_side = h if horizontal else w
    lines = (long_side > 2.5 * short_side) & (long_side >= BAR_MIN_GLYPHS * glyph)
    lines &= short_side >= BAR_MIN_THICKNESS * glyph
    return float(np.sum(long_side[lines]))


def _glyph_height(text: np.ndarray) -> float:
    """The usual height (pixels) of the page's glyphs: their pieces' median size either way."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(text)
    if n <= 1:
        return float(BAR_SMEAR_PX)
    sizes = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    sizes = sizes[sizes >= 2]
    return float(np.median(sizes)) if sizes.size else float(BAR_SMEAR_PX)


def _quarter_turn(gray: np.ndarray, turns: int) -> np.ndarray:
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[turns]
    return cv2.rotate(gray, code)
