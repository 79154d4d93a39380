"""Text that remembers, character by character, which word and box it came from.

Values are often a slice of what one source word holds ("填报日期：2023/12/25" is one run), so
provenance is kept per character: a slice's box is the union of its characters' boxes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ocrform.model import Box, Word, group_lines
from ocrform.schema import Provenance
from ocrform.text import normalize


@dataclass(frozen=True)
class Glyph:
    char: str
    word: Word
    box: Box


class Span:
    """An immutable run of glyphs in reading order."""

    __slots__ = ("_text", "glyphs")

    def __init__(self, glyphs: Sequence[Glyph] = ()) -> None:
        self.glyphs: tuple[Glyph, ...] = tuple(glyphs)
        self._text: str | None = None

    @classmethod
    def of_words(cls, words: Iterable[Word]) -> Span:
        """Words grouped into printed lines (top to bottom, left to right), lines concatenated."""
        glyphs: list[Glyph] = []
        for line in group_lines(list(words)):
            for w in line:
                glyphs += _glyphs(w)
        return cls(glyphs)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(g.char for g in self.glyphs)
        return self._text

    @property
    def norm(self) -> str:
        return normalize(self.text)

    def __getitem__(self, s: slice) -> Span:
        return Span(self.glyphs[s])

    def strip(self, chars: str | None = None) -> Span:
        text = self.text
        lead = len(text) - len(text.lstrip(chars))
        trail = len(text) - len(text.rstrip(chars))
        return Span(self.glyphs[lead : len(self.glyphs) - trail])

    def provenance(self, field: str) -> list[Provenance]:
        """One entry per page the visible characters lie on (a goal text may run onto the next page)."""
        bounds: dict[int, list[float]] = {}
        words: dict[int, dict[int, Word]] = {}
        for g in self.glyphs:
            if g.char.isspace():
                continue
            page, b = g.word.page, g.box
            acc = bounds.get(page)
            if acc is None:
                bounds[page] = [b.x0, b.y0, b.x1, b.y1]
                words[page] = {id(g.word): g.word}
                continue
            acc[0], acc[1] = min(acc[0], b.x0), min(acc[1], b.y0)
            acc[2], acc[3] = max(acc[2], b.x1), max(acc[3], b.y1)
            words[page][id(g.word)] = g.word
        out = []
        for page in sorted(bounds):
            used = words[page].values()
            out.append(
                Provenance(
                    field=field,
                    page=page + 1,
                    box=Box(*bounds[page]).as_list(),
                    method="+".join(sorted({w.origin for w in used})),
                    confidence=min(w.confidence for w in used),
                )
            )
        return out


def join(spans: Iterable[Span]) -> Span:
    out: list[Glyph] = []
    for s in spans:
        out += s.glyphs
    return Span(out)


def _glyphs(word: Word) -> list[Glyph]:
    n = len(word.text)
    if word.char_boxes is not None and len(word.char_boxes) == n:
        return [Glyph(c, word, b) for c, b in zip(word.text, word.char_boxes)]
    # Without per-character boxes, share the word's box out evenly along its writing direction.
    b = word.box
    out = []
    for i, c in enumerate(word.text):
        if word.vertical:
            step = b.height / max(n, 1)
            box = Box(b.x0, b.y0 + i * step, b.x1, b.y0 + (i + 1) * step)
        else:
            step = b.width / max(n, 1)
            box = Box(b.x0 + i * step, b.y0, b.x0 + (i + 1) * step, b.y1)
        out.append(Glyph(c, word, box))
    return out
