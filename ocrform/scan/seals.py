"""Round seals left in a scan as dark ink: where they are, so later stages know what they hide.

A red seal on a colour scan is divided out before anything else (``drop_seals``). On a
black-and-white scan, or a grey one of a dark seal, it cannot be: the ring, star and rim
marks are as black as the text, and the thresholding that blackened them also lost the faint
rules inside the ring. What can be known is where the seal lies, as a disc, so that the grid
does not take its inside for a merged cell.

A seal's ring is found by its shape, not its colour: a thin circle of ink with paper just
outside it, as wide as an official seal (38 to 45 mm across; 76 to 156 points between the
smallest and the largest accepted). Rules and text cross it, but along a circle at one
radius no text block or rule is ink all the way round.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocrform.model import Seal

# The search runs on the ink mask shrunk to this many pixels per point: a ring 4-6 points
# thick is still 1.5-2 pixels wide, and the search costs about 0.02 s a page.
SEARCH_SCALE = 0.35
# Radii tried, in points (a 42 mm seal has a radius of 60 points).
MIN_RADIUS_PT = 38
MAX_RADIUS_PT = 78
RADIUS_STEP_PT = 3
# Paper is looked for this far (points) outside the ring's middle: past a ring's half width.
OUTSIDE_PT = 6.0
# A ring's circle is ink along this much more of its length than a circle just outside it
# (0.49-0.98 for the seals of generated black-and-white scans; at most 0.26 on pages without).
MIN_RING_CONTRAST = 0.45
MAX_SEALS = 3
# The ring is then measured on the full-size ink: its centre searched again this far
# (points) around the one found, and its radius this far either side; it is drawn where its
# circle is ink along at least RING_INK of its length.
REFINE_REACH_PT = 3
RADIUS_REACH_PT = 8
RING_INK = 0.6


def find_seals(ink: np.ndarray, pixels_per_point: float) -> list[Seal]:
    """The dark seals on a page, from its ink mask (True where ink), in points."""
    scale = SEARCH_SCALE / pixels_per_point
    small = cv2.resize(ink.astype(np.float32), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    radii = range(MIN_RADIUS_PT, MAX_RADIUS_PT + 1, RADIUS_STEP_PT)
    # Each kernel is a ring minus a ring just outside it: its response is the share of the
    # circle that is ink less the share of the paper around it that is.
    scores = np.stack(
        [
            cv2.filter2D(small, -1, _ring_contrast_kernel(r * SEARCH_SCALE), borderType=cv2.BORDER_CONSTANT)
            for r in radii
        ]
    )
    seals: list[Seal] = []
    while len(seals) < MAX_SEALS:
        k, y, x = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if scores[k, y, x] < MIN_RING_CONTRAST:
            break
        radius = float(radii[k])
        found = Seal(float(x) / SEARCH_SCALE, float(y) / SEARCH_SCALE, radius)
        seals.append(_measured(ink, pixels_per_point, found))
        # Another seal does not overlap this one by more than half.
        reach = int(radius * SEARCH_SCALE)
        scores[:, max(0, y - reach) : y + reach + 1, max(0, x - reach) : x + reach + 1] = 0
    return seals


def _measured(ink: np.ndarray, ppp: float, seal: Seal) -> Seal:
    """The seal with its centre and ring measured on the full-size ink mask; as found, with no
    ring width, where no circle near it is ink nearly all round."""
    radii = np.arange(seal.radius - RADIUS_REACH_PT, seal.radius + RADIUS_REACH_PT, 1 / ppp)
    sharpest, cx, cy, profile = 0.0, seal.cx, seal.cy, np.zeros(len(radii))
    # A point apart, then a quarter point apart around the best: centred on the ring, its
    # circles are ink all round over its whole width, and off centre over less.
    for reach, step in ((REFINE_REACH_PT, 1.0), (0.75, 0.25)):
        offsets = np.arange(-reach, reach + step / 2, step)
        centres = [(cx + float(dx), cy + float(dy)) for dx in offsets for dy in offsets]
        for x, y in centres:
            shares = _circle_ink(ink, ppp, x, y, radii)
            if float(np.dot(shares, shares)) > sharpest:
                sharpest, cx, cy, profile = float(np.dot(shares, shares)), x, y, shares
    if profile.max() < RING_INK:
        return seal
    inner = outer = int(np.argmax(profile))
    while inner > 0 and profile[inner - 1] >= RING_INK:
        inner -= 1
    while outer + 1 < len(radii) and profile[outer + 1] >= RING_INK:
        outer += 1
    # A pixel's half either side of the outermost circles that are ink.
    low, high = radii[inner] - 0.5 / ppp, radii[outer] + 0.5 / ppp
    return Seal(cx, cy, float(low + high) / 2, float(high - low))


def _circle_ink(ink: np.ndarray, ppp: float, cx: float, cy: float, radii: np.ndarray) -> np.ndarray:
    """The share of each circle about (cx, cy), of the given radii (points), that is ink."""
    h, w = ink.shape
    angles = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    xs = np.clip(((cx + np.outer(radii, np.cos(angles))) * ppp).astype(int), 0, w - 1)
    ys = np.clip(((cy + np.outer(radii, np.sin(angles))) * ppp).astype(int), 0, h - 1)
    return ink[ys, xs].mean(axis=1)


def _ring_contrast_kernel(radius: float) -> np.ndarray:
    outside = radius + OUTSIDE_PT * SEARCH_SCALE
    n = int(np.ceil(outside + 2))
    yy, xx = np.mgrid[-n : n + 1, -n : n + 1]
    d = np.hypot(xx, yy)
    ring = np.clip(1.0 - np.abs(d - radius), 0, 1)
    paper = np.clip(1.0 - np.abs(d - outside), 0, 1)
    return (ring / ring.sum() - paper / paper.sum()).astype(np.float32)
