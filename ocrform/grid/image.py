"""Ruling lines of a scanned page by morphology: long thin runs of ink, across and down.

An opening with a long, one-pixel-thin kernel keeps only strokes longer than any glyph
stroke, so text, seal rings and specks fall away while table rules survive even where the
scan broke them into pieces; ``tables_from_rulings`` tolerates the gaps that remain.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import cv2
import numpy as np

from ocrform.grid import IMAGE_SNAP
from ocrform.grid.cells import MIN_EDGE_COVER, GridLines, rule_position
from ocrform.model import Seal, Segment

# A ruling is at least this long (points): longer than a glyph stroke at any form font size.
MIN_RULE_POINTS = 16.0
# Small gaps (points) in a rule, from faded toner or binarisation, are bridged before measuring.
BRIDGE_POINTS = 2.0
# How near (points) a rule must come to another to meet it.
MEET_POINTS = 3.0
# A rule that meets only one other is kept when at least this long (points): a rule broken
# mid-cell, not a run of dashes.
LONE_RULE_POINTS = 40.0
# Beside a rule, this far away (points), there is mostly paper ...
NEIGHBOUR_POINTS = 1.5
# ... at most this share of ink, unless paper lies on both sides for this long somewhere
# (points): a rule through a seal's star and marks, never a run of welded glyph strokes,
# whose neighbours are the next glyphs' strokes every few points.
MAX_NEIGHBOUR_INK = 0.3
CLEAR_STRETCH_POINTS = 10.0
# Rules thicker than this (points) are blobs, not lines: a filled header cell, or the flat top
# and bottom of a seal's ring (3.4-4.3 pt in a black-and-white scan; a printed rule, blurred, 1-2.5).
MAX_RULE_THICKNESS_POINTS = 3.0
# Where the table's rules say a rule runs but none was found, a faint or broken one (a seal
# lifted off, toner gone) is a line of pixels this much darker than the paper beside it ...
RESTORE_CONTRAST = 35
# ... along at least this share of the stretch, ...
RESTORE_SHARE = 0.6
# ... or, down one row, this share of it from rule to rule (points clear of the crossing
# rules' centres): a glyph's stroke as tall as the row's text stops short of its rules.
RESTORE_SHARE_DOWN = 0.8
RESTORE_DOWN_INSET_POINTS = 1.5
# ... with paper this far (points) either side of it, where a line of text has ink, ...
RESTORE_CLEAR_POINTS = 2.5
RESTORE_CLEAR_SHARE = 0.2
# ... searched this far (points) either side of where the line runs elsewhere.
RESTORE_REACH_POINTS = 3.0
# A rule drawn up to this near (points) a dark seal's disc on both sides runs on under it.
SEAL_REACH_POINTS = 8.0
# A row shorter than MIN_RULE_POINTS (and at least this tall) may have walls the morphology
# cannot see: ink on this share of every pixel row from one rule to the next, this far
# (points) clear of each rule's centre.
MIN_WALL_POINTS = 6.0
WALL_INK_SHARE = 0.95
WALL_MARGIN_POINTS = 0.8
# A cell's text keeps clear of its walls: beside a wall, on at least one side, the band this
# wide (points) holds at most this share of ink. A glyph's stroke as tall as the row (水, 市,
# a bracket in a Ming face, whose thin cross strokes pass the neighbour test above) has the
# rest of its glyph or the next one on both sides. On mild 200 dpi scans of the office
# fixtures, 765 true walls had at most 0.04 there on their clearer side (specks, a seal's
# residue), 90 of 108 glyph strokes taken for walls more than 0.05.
WALL_PAPER_POINTS = 3.0
WALL_PAPER_INK = 0.05
# A wall runs into both rules, with no paper between; a glyph's stroke as tall as the row stops
# short of one of them by a pixel or more (or blurs into it). The rules are looked for this
# far (points) about where they were found, as the rows of that stretch at least
# RULE_ROW_SHARE ink across twice the wall's paper bands (a glyph's bottom stroke, as in 上,
# spans one band, not a glyph's width either side). On seven of the mild 200 dpi office scans
# all 907 true walls reached both rules and none of the 26 glyph strokes left by the paper
# test did (across one band, 7 passed: their glyph's bottom stroke was taken for the rule).
WALL_RULE_REACH_POINTS = 2.0
RULE_ROW_SHARE = 0.8
# A seal's ring is drawn this far (points) out from the circle the search finds.
RING_BAND_POINTS = 5.0


def find_image_rulings(image: np.ndarray, pixels_per_point: float, seals: Sequence[Seal] = ()) -> list[Segment]:
    """Horizontal and vertical rulings of the page, in points; ``seals``: the dark seals on it."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    length = max(8, int(MIN_RULE_POINTS * pixels_per_point))
    bridge = max(1, int(BRIDGE_POINTS * pixels_per_point))
    max_thickness = MAX_RULE_THICKNESS_POINTS * pixels_per_point
    segments = []
    for horizontal in (True, False):
        # Bridging before the opening would weld neighbouring glyphs' strokes into rules;
        # after it, only the pieces of real rules are there to be joined.
        lines = cv2.morphologyEx(binary, cv2.MORPH_OPEN, _line_kernel(length, horizontal))
        lines = cv2.morphologyEx(lines, cv2.MORPH_CLOSE, _line_kernel(bridge * 2 + 1, horizontal))
        segments += _segments(lines, binary, horizontal, pixels_per_point, max_thickness)
    segments = _framed(_without_seal_artwork(segments, seals))
    segments += _bridged_under_seals(segments, seals)
    segments += _short_walls(binary, segments, pixels_per_point)
    return segments + _restored_rules(gray, segments, pixels_per_point)


def _short_walls(binary: np.ndarray, segments: list[Segment], ppp: float) -> list[Segment]:
    """The walls of rows too short for the morphology's MIN_RULE_POINTS (a spreadsheet printed
    to fit the page shrinks its rows to 10-12 points): ink from one found horizontal rule all
    the way down to the next, with paper beside it. Text keeps its padding from both rules,
    so few glyph strokes run the whole way; one that does (水 in a Ming face set to fill its
    row) has its glyph beside it on both sides, where a wall has paper on at least one, and
    it stops short of a rule, where a wall runs into both."""
    rows = GridLines([rule_position(s, True) for s in segments if s.horizontal], IMAGE_SNAP)
    margin = max(1, round(WALL_MARGIN_POINTS * ppp))
    clear = max(2, round(NEIGHBOUR_POINTS * ppp))
    thickest = MAX_RULE_THICKNESS_POINTS * ppp
    paper = round(WALL_PAPER_POINTS * ppp)
    out = []
    for k in range(len(rows.at) - 1):
        y0, y1 = rows.at[k], rows.at[k + 1]
        if not MIN_WALL_POINTS <= y1 - y0 < MIN_RULE_POINTS:
            continue
        top, bottom = round(y0 * ppp) + margin, round(y1 * ppp) - margin
        for a, b in _overlaps(rows.cover[k], rows.cover[k + 1]):
            lo, hi = round(a * ppp) + clear, round(b * ppp) - clear
            if hi - lo < 3 or bottom - top < 3:
                continue
            full = (binary[top:bottom, lo:hi] > 0).mean(axis=0) >= WALL_INK_SHARE
            for start, end in _runs(full):
                if end - start > thickest:
                    continue
                left = binary[top:bottom, max(0, lo + start - clear) : lo + start - 1]
                right = binary[top:bottom, lo + end + 1 : lo + end + clear]
                if not (left.size and right.size) or max((left > 0).mean(), (right > 0).mean()) > MAX_NEIGHBOUR_INK:
                    continue
                # Clear of the rules' blurred edges as well, which cross both sides' bands.
                inner = slice(top + margin, bottom - margin)
                left = binary[inner, max(0, lo + start - paper) : lo + start - 1]
                right = binary[inner, lo + end + 1 : lo + end + paper]
                if min(_ink_share(left), _ink_share(right)) > WALL_PAPER_INK:
                    continue
                if _reaches_rules(binary, lo + start - 1, lo + end + 1, y0, y1, ppp):
                    x = (lo + (start + end - 1) / 2) / ppp
                    out.append(Segment(x, y0, x, y1))
    return out


def _reaches_rules(binary: np.ndarray, c0: int, c1: int, y0: float, y1: float, ppp: float) -> bool:
    """Whether the stroke in columns [c0, c1) holds ink on every row from the rule at ``y0``
    to the rule at ``y1`` (points). Where a rule does not show as a row of ink across the
    stroke's surroundings (faint, or ending near it), the stroke is not judged."""
    reach = max(2, round(WALL_RULE_REACH_POINTS * ppp))
    side = round(WALL_PAPER_POINTS * ppp)
    r0, r1 = max(0, round(y0 * ppp) - reach), min(binary.shape[0], round(y1 * ppp) + reach + 1)
    if r1 - r0 <= 4 * reach:
        return True
    ruled = (binary[r0:r1, max(0, c0 - 2 * side) : c1 + 2 * side] > 0).mean(axis=1) >= RULE_ROW_SHARE
    upper = np.flatnonzero(ruled[: 2 * reach + 1])
    lower = np.flatnonzero(ruled[-(2 * reach + 1) :]) + len(ruled) - (2 * reach + 1)
    if not upper.size or not lower.size:
        return True
    stroke = (binary[r0:r1, max(0, c0) : c1] > 0).any(axis=1)
    return bool(stroke[upper[-1] + 1 : lower[0]].all())


def _ink_share(band: np.ndarray) -> float:
    """The share of a band's pixels that are ink; an empty band (the page's edge) is paper."""
    return float((band > 0).mean()) if band.size else 0.0


def _overlaps(first: list[tuple[float, float]], second: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where two lists of intervals both cover."""
    return [(max(a, c), min(b, d)) for a, b in first for c, d in second if min(b, d) > max(a, c)]


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate(([False], flags, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _without_seal_artwork(segments: list[Segment], seals: Sequence[Seal]) -> list[Segment]:
    """The rules found, less the straight pieces of a dark seal's own drawing.

    A seal's ring is flat for a few points at its top, bottom and sides, and the marks around
    its rim can line up; both pass the line filter as short rules. Inside a seal's disc, a
    piece is a rule when its line shows outside the disc too, or when it runs from rule to
    rule (a table's inner rule: where an end reaches the ring, the ring hides how it ends);
    the seal's drawing crosses rules and stops short of them.
    """
    if not seals:
        return segments
    seen = [s for s in segments if not any(_within(s, seal) for seal in seals)]
    kept = []
    for s in segments:
        seal = next((seal for seal in seals if _within(s, seal)), None)
        if seal is None or _seen_outside(s, seen) or _runs_rule_to_rule(s, seal, seen):
            kept.append(s)
    return kept


def _within(s: Segment, seal: Seal) -> bool:
    return max(_off_centre(x, y, seal) for x, y in ((s.x0, s.y0), (s.x1, s.y1))) <= seal.radius + RING_BAND_POINTS


def _off_centre(x: float, y: float, seal: Seal) -> float:
    return float(np.hypot(x - seal.cx, y - seal.cy))


def _seen_outside(s: Segment, seen: list[Segment]) -> bool:
    at = rule_position(s, s.horizontal)[0]
    return any(t.horizontal == s.horizontal and abs(rule_position(t, t.horizontal)[0] - at) <= IMAGE_SNAP for t in seen)


def _runs_rule_to_rule(s: Segment, seal: Seal, seen: list[Segment]) -> bool:
    at, start, end = rule_position(s, s.horizontal)
    across = [rule_position(t, t.horizontal) for t in seen if t.horizontal != s.horizontal]

    def on_ring(x: float, y: float) -> bool:
        return abs(_off_centre(x, y, seal) - seal.radius) <= RING_BAND_POINTS

    def ends_at_rule(point: float) -> bool:
        return any(abs(c - point) <= MEET_POINTS and a - MEET_POINTS <= at <= b + MEET_POINTS for c, a, b in across)

    middle = (start + end) / 2
    if on_ring(*((middle, at) if s.horizontal else (at, middle))):
        return False  # the ring's own flat stretch
    return all(
        ends_at_rule(point) or on_ring(*((point, at) if s.horizontal else (at, point))) for point in (start, end)
    )


def _bridged_under_seals(segments: list[Segment], seals: Sequence[Seal]) -> list[Segment]:
    """The stretches of rules that a dark seal hides, where the rule shows on both sides of it.

    Thresholding a scan measures each pixel against the paper around it, and a seal's dark
    ring and star darken that estimate: the faint rules inside the ring are cut away with
    the paper, and the cells under the seal would run together. The text there mostly
    survives, so the cells are worth restoring. A merged cell's missing rule does not show
    on both sides of a seal: the column beside a merged cell is merged as well (a 二级指标
    spans the rows of its 三级指标, and its 一级指标 spans more).
    """
    out: list[Segment] = []
    for horizontal in (True, False):
        lines = GridLines([rule_position(s, horizontal) for s in segments if s.horizontal == horizontal], IMAGE_SNAP)
        for at, cover in zip(lines.at, lines.cover, strict=True):
            for seal in seals:
                chord = seal.chord(at, horizontal, SEAL_REACH_POINTS)
                if chord is None:
                    continue
                for (_, end), (start, _) in itertools.pairwise(cover):
                    if end >= chord[0] and start <= chord[1]:
                        out.append(Segment(end, at, start, at) if horizontal else Segment(at, end, at, start))
    return out


def _restored_rules(gray: np.ndarray, segments: list[Segment], ppp: float) -> list[Segment]:
    """Rules missing between two crossing rules, found faint in the pixels.

    The morphology needs a rule unbroken over MIN_RULE_POINTS; under a seal whose ink was
    divided out, or where toner faded, it is left in pieces shorter than that, and the cells
    on either side run together. Each stretch of a found line between two crossing lines that
    no found rule covers is looked at again: a faint rule there is a thin run of darker pixels,
    where a printed merged cell has paper or text. A vertical stretch is one row tall and
    text runs across it: the line must also be drawn above it or below it (a seal over a
    table's last rows leaves their column rules drawn above only).
    """
    out = []
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    for horizontal, along, across in ((True, hs, vs), (False, vs, hs)):
        lines = GridLines([rule_position(s, horizontal) for s in along], IMAGE_SNAP)
        crossing = GridLines([rule_position(s, not horizontal) for s in across], IMAGE_SNAP)
        for k, at in enumerate(lines.at):
            stops = sorted(
                x
                for x, cover in zip(crossing.at, crossing.cover, strict=True)
                if cover[0][0] - IMAGE_SNAP <= at <= cover[-1][1] + IMAGE_SNAP
            )
            drawn = [lines.covered(k, a, b) >= MIN_EDGE_COVER for a, b in itertools.pairwise(stops)]
            for n, (a, b) in enumerate(itertools.pairwise(stops)):
                if drawn[n]:
                    continue
                if not horizontal and not (any(drawn[:n]) or any(drawn[n + 1 :])):
                    continue
                if _faint_rule(gray, at, a, b, horizontal, ppp):
                    out.append(Segment(a, at, b, at) if horizontal else Segment(at, a, at, b))
    return out


def _faint_rule(gray: np.ndarray, at: float, a: float, b: float, horizontal: bool, ppp: float) -> bool:
    """Whether a thin line of darker pixels runs at ``at`` (points) from ``a`` to ``b``, with
    paper out to RESTORE_CLEAR_POINTS either side of it."""
    inset = MAX_RULE_THICKNESS_POINTS if horizontal else RESTORE_DOWN_INSET_POINTS
    lo, hi = int((a + inset) * ppp), int((b - inset) * ppp)
    reach = int(np.ceil((RESTORE_REACH_POINTS + RESTORE_CLEAR_POINTS) * ppp))
    centre = round(at * ppp)
    span = slice(max(0, centre - reach), centre + reach + 1)
    band = gray[span, lo:hi] if horizontal else gray[lo:hi, span].T
    if hi - lo < 4 or band.shape[0] < 2 * reach + 1:
        return False
    dark = band.astype(np.int16) < int(np.median(band)) - RESTORE_CONTRAST
    clear = round(RESTORE_CLEAR_POINTS * ppp)
    share = dark.mean(axis=1)
    # Each row's cover with the rows either side of it: a rule one pixel off its row still counts.
    cover = (dark[:-2] | dark[1:-1] | dark[2:]).mean(axis=1)
    best = clear + 1 + int(np.argmax(cover[clear : band.shape[0] - clear - 2]))
    line = cover[best - 1]
    # The rule's own rows: a blurred rule is a few pixels thick.
    top = bottom = best
    thickest = round(MAX_RULE_THICKNESS_POINTS * ppp)
    while top > clear + 1 and share[top - 1] >= RESTORE_SHARE / 2 and bottom - top < thickest:
        top -= 1
    while bottom < band.shape[0] - clear - 2 and share[bottom + 1] >= RESTORE_SHARE / 2 and bottom - top < thickest:
        bottom += 1
    # Paper beside it where it runs: a text line's strokes are dark above and below as well.
    on = dark[top - 1 : bottom + 2].any(axis=0)
    if not on.any():
        return False
    sides = [r for r in (*range(top - clear, top - 1), *range(bottom + 2, bottom + clear + 1)) if 0 <= r < len(share)]
    beside = float(dark[np.ix_(sides, on)].mean(axis=1).max())
    return bool(line >= (RESTORE_SHARE if horizontal else RESTORE_SHARE_DOWN) and beside <= RESTORE_CLEAR_SHARE)


def _framed(segments: list[Segment]) -> list[Segment]:
    """Only the rulings that meet the table's other rulings.

    A rule of a table runs from one crossing rule to another; a run of dashes inside a cell
    ("------本级安排") or the arc of a seal meets none, or at most one when it is long.
    """
    kept = segments
    for _ in range(2):  # dropping strays can strand what only met them
        horizontal = [s for s in kept if s.horizontal]
        vertical = [s for s in kept if not s.horizontal]
        kept = [s for s in kept if _meets_enough(s, vertical if s.horizontal else horizontal)]
    return kept


def _meets_enough(s: Segment, across: list[Segment]) -> bool:
    tol = MEET_POINTS
    if s.horizontal:
        y = s.y0
        meets = sum(1 for v in across if s.x0 - tol <= v.x0 <= s.x1 + tol and v.y0 - tol <= y <= v.y1 + tol)
        length = s.x1 - s.x0
    else:
        x = s.x0
        meets = sum(1 for h in across if s.y0 - tol <= h.y0 <= s.y1 + tol and h.x0 - tol <= x <= h.x1 + tol)
        length = s.y1 - s.y0
    return meets >= 2 or (meets == 1 and length >= LONE_RULE_POINTS)


def _line_kernel(length: int, horizontal: bool) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))


def _segments(
    mask: np.ndarray, binary: np.ndarray, horizontal: bool, ppp: float, max_thickness: float
) -> list[Segment]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        along, across = (w, h) if horizontal else (h, w)
        if along < 3 * across:
            continue
        # A rule left slightly tilted spans several pixel rows; its mean thickness is what counts.
        if area / along > max_thickness or _in_ink(binary, x, y, w, h, horizontal, ppp):
            continue
        if horizontal:
            ys = np.nonzero(labels[y : y + h, x : x + w] == i)[0]
            cy = y + float(ys.mean()) if len(ys) else y + h / 2
            out.append(Segment(x / ppp, cy / ppp, (x + w) / ppp, cy / ppp, area / along / ppp))
        else:
            xs = np.nonzero(labels[y : y + h, x : x + w] == i)[1]
            cx = x + float(xs.mean()) if len(xs) else x + w / 2
            out.append(Segment(cx / ppp, y / ppp, cx / ppp, (y + h) / ppp, area / along / ppp))
    return out


def _in_ink(binary: np.ndarray, x: int, y: int, w: int, h: int, horizontal: bool, ppp: float) -> bool:
    """Whether the stroke runs through dense ink, as fused strokes of bold text do.

    A rule has paper on both sides along most of its length (text may touch it here and
    there); a run of text strokes welded by binarisation has ink right above and below.
    """
    gap = max(2, int(NEIGHBOUR_POINTS * ppp))
    if horizontal:
        above = binary[max(0, y - gap), x : x + w]
        below = binary[min(binary.shape[0] - 1, y + h - 1 + gap), x : x + w]
    else:
        above = binary[y : y + h, max(0, x - gap)]
        below = binary[y : y + h, min(binary.shape[1] - 1, x + w - 1 + gap)]
    if float(np.count_nonzero(above) + np.count_nonzero(below)) / (2 * max(1, len(above))) <= MAX_NEIGHBOUR_INK:
        return False
    return _longest_run((above == 0) & (below == 0)) < CLEAR_STRETCH_POINTS * ppp


def _longest_run(flags: np.ndarray) -> int:
    """Length of the longest run of True in a 1-D array."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max()) if edges.size else 0
