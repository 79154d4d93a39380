"""Words and ruling lines from a PDF page, as PyMuPDF reports them.

Words come from ``get_texttrace`` rather than ``get_text`` because only the trace carries
each character's glyph id: the repair stage compares those with the embedded font's own
cmap to undo a broken ToUnicode map.
"""

from __future__ import annotations

import re

import pymupdf

from ocrform.model import Box, Segment, Word, group_lines

ORIGIN = "pdf-text"
# Two characters further apart than this (in font sizes) belong to different words: form
# cells separate values by ruling lines, but free lines ("单位（盖章）：…  填报日期：…") by space.
GAP_IN_EMS = 1.2
# Two words stand one against the other (one run of text that a change of font parted) when
# the gap between them is under this share of their height: office fixtures' words on a
# line are 0.0 apart when touching, the next gaps 0.2-0.5 (spaces) and more (cells).
TOUCHING_EMS = 0.1
# A filled rectangle thinner than this (points) is drawn as a ruling line, not a shaded area.
MAX_RULE_THICKNESS = 2.5
# A span drawn again within this share of its size of where it was drawn is a simulated
# bold face (LibreOffice strokes the filled text with a 0.05 em pen; other producers offset
# a second fill by a few hundredths of an em), not text of its own.
OVERPRINT_EMS = 0.2
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


def read_text_layer(pdf_page: pymupdf.Page, index: int) -> list[Word]:
    """Every visible text run on the page, one Word per run of adjacent characters on a line."""
    xrefs = _font_xrefs(pdf_page)
    words: list[Word] = []
    drawn: dict[str, list[tuple[float, float]]] = {}  # a span's text → where spans of it begin
    for span in pdf_page.get_texttrace():
        if span.get("opacity", 1.0) == 0 or span.get("type") == 3:  # invisible (OCR layer) text
            continue
        if _drawn_again(span, drawn):
            continue
        font = span["font"]
        xref = _xref_for(font, xrefs)
        size = span["size"] or 1.0
        run: list[tuple[str, int, Box]] = []
        last_box: Box | None = None
        for unicode, gid, _origin, bbox in span["chars"]:
            ch = chr(unicode) if unicode >= 0 else "\ufffd"
            box = Box(*bbox)
            new_line = last_box is not None and (abs(box.cy - last_box.cy) > 0.5 * box.height or box.x0 < last_box.x0)
            gap = last_box is not None and box.x0 - last_box.x1 > GAP_IN_EMS * size
            if ch.isspace() or new_line or gap:
                _flush(run, words, index, font, xref)
                run = []
            if not ch.isspace():
                run.append((ch, gid, box))
            last_box = box
        _flush(run, words, index, font, xref)
    return words


def _drawn_again(span: dict, drawn: dict[str, list[tuple[float, float]]]) -> bool:
    """Whether the span repeats one already read at (nearly) the same place: a bold face
    the font lacks is drawn twice, filled and then stroked (LibreOffice) or filled again a
    hair to the side, and the text must be read once."""
    text = "".join(chr(c[0]) for c in span["chars"])
    x0, y0 = span["bbox"][:2]
    tolerance = OVERPRINT_EMS * (span["size"] or 1.0)
    seen = drawn.setdefault(text, [])
    if any(abs(x0 - x) <= tolerance and abs(y0 - y) <= tolerance for x, y in seen):
        return True
    seen.append((x0, y0))
    return False


def _flush(run: list[tuple[str, int, Box]], words: list[Word], index: int, font: str, xref: int | None) -> None:
    if not run:
        return
    boxes = tuple(b for _, _, b in run)
    box = boxes[0]
    for b in boxes[1:]:
        box = box.union(b)
    words.append(
        Word(
            text="".join(c for c, _, _ in run),
            box=box,
            page=index,
            origin=ORIGIN,
            font=font,
            font_xref=xref,
            char_boxes=boxes,
            glyph_ids=tuple(g for _, g, _ in run),
        )
    )


def _font_xrefs(pdf_page: pymupdf.Page) -> list[tuple[str, int]]:
    return [(_SUBSET_TAG.sub("", basefont), xref) for xref, _, _, basefont, *_ in pdf_page.get_fonts()]


def _xref_for(trace_name: str, xrefs: list[tuple[str, int]]) -> int | None:
    # The trace truncates long font names, so a prefix match is the best it allows; two
    # fonts sharing that prefix stay unresolved rather than being confused.
    hits = {x for name, x in xrefs if name == trace_name or name.startswith(trace_name)}
    return hits.pop() if len(hits) == 1 else None


def read_ruling_lines(pdf_page: pymupdf.Page) -> list[Segment]:
    """Horizontal and vertical ruling lines, from stroked paths and from thin filled bars."""
    segments: list[Segment] = []
    for path in pdf_page.get_drawings():
        stroked = path.get("color") is not None and path["type"] in ("s", "fs")
        width = path.get("width") or 1.0
        for item in path["items"]:
            kind = item[0]
            if kind == "l" and stroked:
                _add_line(segments, item[1], item[2], width)
            elif kind in ("re", "qu"):
                rect = item[1] if kind == "re" else item[1].rect
                if stroked:
                    _add_rect_edges(segments, rect, width)
                if path.get("fill") is not None:
                    _add_bar(segments, rect)
    return segments


def _add_line(out: list[Segment], p: pymupdf.Point, q: pymupdf.Point, width: float) -> None:
    if abs(p.y - q.y) < 0.5 or abs(p.x - q.x) < 0.5:
        out.append(Segment(min(p.x, q.x), min(p.y, q.y), max(p.x, q.x), max(p.y, q.y), width))


def _add_rect_edges(out: list[Segment], r: pymupdf.Rect, width: float) -> None:
    out += [
        Segment(r.x0, r.y0, r.x1, r.y0, width),
        Segment(r.x0, r.y1, r.x1, r.y1, width),
        Segment(r.x0, r.y0, r.x0, r.y1, width),
        Segment(r.x1, r.y0, r.x1, r.y1, width),
    ]


def _add_bar(out: list[Segment], r: pymupdf.Rect) -> None:
    if r.height <= MAX_RULE_THICKNESS and r.width > r.height:
        y = (r.y0 + r.y1) / 2
        out.append(Segment(r.x0, y, r.x1, y, r.height))
    elif r.width <= MAX_RULE_THICKNESS and r.height > r.width:
        x = (r.x0 + r.x1) / 2
        out.append(Segment(x, r.y0, x, r.y1, r.width))


def printed_runs(words: list[Word]) -> list[list[Word]]:
    """Text-layer words joined where they touch on a line: the runs of characters as printed,
    whatever font drew each. Chromium draws a line of CJK text in a Type3 font per 256
    glyphs, so its words are mostly one character each and say nothing of their neighbours."""
    by_page: dict[int, list[Word]] = {}
    for w in words:
        by_page.setdefault(w.page, []).append(w)
    runs: list[list[Word]] = []
    for page in sorted(by_page):
        for line in group_lines(by_page[page]):
            run = [line[0]]
            for w in line[1:]:
                if w.box.x0 - run[-1].box.x1 > TOUCHING_EMS * min(w.box.height, run[-1].box.height):
                    runs.append(run)
                    run = []
                run.append(w)
            runs.append(run)
    return runs
