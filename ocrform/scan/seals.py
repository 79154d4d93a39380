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
        seals.append(Seal(x / SEARCH_SCALE, y / SEARCH_SCALE, radius))
        # Another seal does not overlap this one by more than half.
        reach = int(radius * SEARCH_SCALE)
        scores[:, max(0, y - reach) : y + reach + 1, max(0, x - reach) : x + reach + 1] = 0
    return seals


def _ring_contrast_kernel(radius: float) -> np.ndarray:
    outside = radius + OUTSIDE_PT * SEARCH_SCALE
    n = int(np.ceil(outside + 2))
    yy, xx = np.mgrid[-n : n + 1, -n : n + 1]
    d = np.hypot(xx, yy)
    ring = np.clip(1.0 - np.abs(d - radius), 0, 1)
    paper = np.clip(1.0 - np.abs(d - outside), 0, 1)
    return (ring / ring.sum() - paper / paper.sum()).astype(np.float32)
