"""Text that remembers which words, and which characters of them, it came from.

Values are often a slice of what one source word holds ("填报日期：2023/12/25" is one run), so
a span is a list of word slices: its provenance box is the union of the words it covers whole
and of the character boxes of the words it covers in part.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ocrform.canonical import Provenance
from ocrform.model import Box, Word, group_lines
from ocrform.text import normalize

# (word, start, end): the characters word.text[start:end]
Part = tuple[Word, int, int]


class Span:
    """An immutable run of word slices in reading order."""

    __slots__ = ("_text", "parts")

    def __init__(self, parts: Iterable[Part] = ()) -> None:
        self.parts: tuple[Part, ...] = tuple(p for p in parts if p[2] > p[1])
        self._text: str | None = None

    @classmethod
    def of_words(cls, words: Iterable[Word]) -> Span:
        """Words grouped into printed lines (top to bottom, left to right), lines concatenated."""
        return cls((w, 0, len(w.text)) for line in group_lines(list(words)) for w in line)

    @property
    def read_by_ocr(self) -> bool:
        """Whether any of its characters came from a recogniser (whose confusions may be fixed)."""
        return any(w.origin.startswith("ocr") for w, _, _ in self.parts)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(w.text[a:b] for w, a, b in self.parts)
        return self._text

    @property
    def norm(self) -> str:
        return normalize(self.text)

    def __getitem__(self, s: slice) -> Span:
        start, stop, step = s.indices(len(self.text))
        if step != 1:
            raise ValueError("a span slices contiguously")
        out: list[Part] = []
        offset = 0
        for w, a, b in self.parts:
            n = b - a
            lo, hi = max(start - offset, 0), min(stop - offset, n)
            if lo < hi:
                out.append((w, a + lo, a + hi))
            offset += n
        return Span(out)

    def strip(self, chars: str | None = None) -> Span:
        text = self.text
        lead = len(text) - len(text.lstrip(chars))
        trail = len(text) - len(text.rstrip(chars))
        return self[lead : len(text) - trail]

    def search(self, pattern: re.Pattern[str], group: int = 0) -> Span | None:
        """The part of the span where ``pattern`` matches its normalised text (SCHEMA.md rules)."""
        chars: list[str] = []
        source: list[int] = []  # index in self.text of each normalised character
        for i, c in enumerate(self.text):
            for n in unicodedata.normalize("NFKC", c):
                if not n.isspace():
                    chars.append(n)
                    source.append(i)
        m = pattern.search("".join(chars))
        if m is None or m.start(group) == m.end(group):
            return None
        return self[source[m.start(group)] : source[m.end(group) - 1] + 1]

    def provenance(self, field: str) -> list[Provenance]:
        """One entry per page the visible characters lie on (a goal text may run onto the next page)."""
        bounds: dict[int, list[float]] = {}
        words: dict[int, dict[int, Word]] = {}
        for word, a, b in self.parts:
            boxes = _visible_boxes(word, a, b)
            if not boxes:
                continue
            acc = bounds.get(word.page)
            if acc is None:
                acc = bounds[word.page] = [float("inf"), float("inf"), float("-inf"), float("-inf")]
                words[word.page] = {}
            words[word.page][id(word)] = word
            for box in boxes:
                acc[0], acc[1] = min(acc[0], box.x0), min(acc[1], box.y0)
                acc[2], acc[3] = max(acc[2], box.x1), max(acc[3], box.y1)
        out = []
        for page in sorted(bounds):
            used = words[page].values()
            refs = list(dict.fromkeys(w.ref for w in used if w.ref))
            out.append(
                Provenance(
                    field=field,
                    page=page + 1,
                    box=Box(*bounds[page]).as_list(),
                    method="+".join(sorted({w.origin for w in used})),
                    confidence=min(w.confidence for w in used),
                    weakest=min(w.weakest for w in used),
                    cell=", ".join(refs) if refs else None,
                )
            )
        return out


def join(spans: Iterable[Span]) -> Span:
    return Span(p for s in spans for p in s.parts)


def _visible_boxes(word: Word, a: int, b: int) -> list[Box]:
    """Boxes of the non-blank characters word.text[a:b]; the word's own box when that is all of it."""
    text = word.text
    if a == 0 and b == len(text) and not any(c.isspace() for c in text):
        return [word.box]
    return [_char_box(word, i) for i in range(a, b) if not text[i].isspace()]


def _char_box(word: Word, i: int) -> Box:
    if word.char_boxes is not None and len(word.char_boxes) == len(word.text):
        return word.char_boxes[i]
    # Without per-character boxes, share the word's box out evenly along its writing direction.
    b, n = word.box, max(len(word.text), 1)
    if word.vertical:
        step = b.height / n
        return Box(b.x0, b.y0 + i * step, b.x1, b.y0 + (i + 1) * step)
    step = b.width / n
    return Box(b.x0 + i * step, b.y0, b.x0 + (i + 1) * step, b.y1)


# A printed dash or slash standing for "no value" (—, -, /).
PLACEHOLDER = re.compile(r"[-‐‑‒–—―－─/／]+")


def clean(span: Span) -> str | None:
    """The normalised text of a value, None for a blank or a printed dash."""
    s = span.norm
    if not s or PLACEHOLDER.fullmatch(s):
        return None
    return s
