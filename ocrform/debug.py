"""A picture of one page with what each stage found drawn on it (``DocumentPage.debug_image``).

The first thing to look at when a field comes out wrong: whether the rulings were found,
whether the cells are the printed ones, which words were read where and how surely, which
seal hides what, and which box each field of the form was taken from.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ocrform.canonical import Provenance
from ocrform.model import Box, InputDocument, Page, PageContent
from ocrform.validate import LOW_CONFIDENCE, WEAKEST_CHARACTER

# Colours, BGR.
RULING = (60, 60, 230)
CELL = (200, 120, 0)
WORD = (150, 150, 150)
UNSURE_WORD = (0, 140, 255)
SEAL = (200, 0, 200)
FIELD = (0, 150, 0)
LABEL_SCALE = 0.35


def page_background(page: Page, source: InputDocument | None, dpi: int) -> tuple[np.ndarray, float]:
    """The page's own picture (BGR) and its pixels per point: a scan's upright picture, a
    born-digital page rendered at ``dpi``, or blank paper for a text dump."""
    if page.image is not None:
        image = page.image if page.image.ndim == 3 else cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR)
        return image.copy(), page.pixels_per_point
    scale = dpi / 72.0
    if source is not None and source.pdf is not None:
        pix = source.pdf[page.index].get_pixmap(dpi=dpi, alpha=False)
        rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), scale
    size = (max(1, round(page.height * scale)), max(1, round(page.width * scale)), 3)
    return np.full(size, 255, dtype=np.uint8), scale


def draw_page(background: np.ndarray, scale: float, content: PageContent, fields: Sequence[Provenance]) -> np.ndarray:
    """``background`` with the page's rulings, cells, words, seals and field boxes drawn on it."""
    image = background.copy()

    def rect(box: Box, colour: tuple[int, int, int], thickness: int = 1) -> None:
        p0 = (round(box.x0 * scale), round(box.y0 * scale))
        p1 = (round(box.x1 * scale), round(box.y1 * scale))
        cv2.rectangle(image, p0, p1, colour, thickness)

    for s in content.page.segments:
        p0, p1 = (round(s.x0 * scale), round(s.y0 * scale)), (round(s.x1 * scale), round(s.y1 * scale))
        cv2.line(image, p0, p1, RULING, 1)
    for table in content.tables:
        for cell in table.cells:
            rect(cell.box, CELL, 2)
    words = [*content.free_words, *(w for t in content.tables for c in t.cells for w in c.words)]
    for w in words:
        unsure = w.confidence < LOW_CONFIDENCE or w.weakest < WEAKEST_CHARACTER
        rect(w.box, UNSURE_WORD if unsure else WORD, 2 if unsure else 1)
    for seal in content.page.seals:
        centre = (round(seal.cx * scale), round(seal.cy * scale))
        cv2.circle(image, centre, round(seal.radius * scale), SEAL, 2)
    for p in fields:
        box = Box(*p.box)
        rect(box, FIELD, 1)
        _label(image, short_pointer(p.field), (round(box.x0 * scale), round(box.y0 * scale)))
    return image


def short_pointer(pointer: str) -> str:
    """A field's JSON pointer short enough to print beside its box: /indicators/3/score → i3.score."""
    text = pointer.lstrip("/").replace("indicators/", "i").replace("funds/rows/", "f").replace("rubric/", "r")
    return text.replace("/", ".")


def _label(image: np.ndarray, text: str, corner: tuple[int, int]) -> None:
    """``text`` on white just above ``corner`` (inside the picture), so it hides no printed text."""
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, LABEL_SCALE, 1)
    x, y = corner[0], max(h + base, corner[1])
    cv2.rectangle(image, (x, y - h - base), (x + w, y), (255, 255, 255), -1)
    cv2.putText(image, text, (x, y - base), cv2.FONT_HERSHEY_SIMPLEX, LABEL_SCALE, FIELD, 1, cv2.LINE_AA)


def write_png(image: np.ndarray, path: Path) -> None:
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"{path}: the picture could not be encoded as PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.tobytes())
