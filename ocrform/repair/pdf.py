"""Repair a PDF's text layer font by font, before the grid and form stages read it.

For each Identity-encoded composite font the pages use, the glyph ids behind the text are
checked against the font itself: against its ``cmap`` when the program has one (tier 1,
exact), else against the glyph shapes (tier 2, recognition). A font whose text layer
agrees with its glyphs is left alone, so a clean document comes out unchanged.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pymupdf

from ocrform.model import Page, Word
from ocrform.repair.font import (
    CidFont,
    cid_fonts,
    font_program,
    glyph_unicodes,
    read_tounicode,
    repair_from_cmap,
    strip_subset_tag,
)
from ocrform.repair.glyphs import GlyphReader, repair_from_shapes
from ocrform.repair.plausible import looks_garbled
from ocrform.schema import Repair

METHOD_CMAP = "font-cmap"
METHOD_SHAPES = "glyph-ocr"
# A cmap that knows fewer of the used glyphs than this is no basis for tier 1.
MIN_CMAP_COVERAGE = 0.5


@dataclass
class FontRepair:
    """The verdict on one font: which glyphs its text layer gets wrong and what they are."""

    xref: int
    name: str
    method: str  # METHOD_CMAP or METHOD_SHAPES
    glyphs: int  # distinct glyphs the text layer shows in this font
    shifted: bool  # the font shows the shifted-ToUnicode defect
    true_by_gid: dict[int, str] = field(default_factory=dict)  # only the glyphs that change
    extracted: dict[int, str] = field(default_factory=dict)  # glyph id → the text layer's character
    read: int = 0  # glyphs recognised (tier 2)
    unresolved: int = 0  # glyphs neither tier could judge
    seconds: float = 0.0


def used_glyphs(words: Iterable[Word], fonts: dict[int, CidFont]) -> dict[int, dict[int, str]]:
    """Font xref → glyph id → the character the text layer gives it (the most frequent one)."""
    font_of = _FontLookup(fonts)
    seen: dict[int, dict[int, Counter[str]]] = {}
    for w in words:
        xref = font_of(w)
        if xref is None or w.glyph_ids is None or len(w.glyph_ids) != len(w.text):
            continue
        per_font = seen.setdefault(xref, {})
        for gid, ch in zip(w.glyph_ids, w.text):
            if gid >= 0:
                per_font.setdefault(gid, Counter())[ch] += 1
    return {x: {g: c.most_common(1)[0][0] for g, c in per.items()} for x, per in seen.items()}


class _FontLookup:
    """The font xref of a word: its own ``font_xref``, else the one font its name denotes.

    Text extraction may shorten a font's name, so a name matches a font whose BaseFont
    (without the subset tag) starts with it; an ambiguous name resolves to nothing.
    """

    def __init__(self, fonts: dict[int, CidFont]) -> None:
        self.fonts = fonts
        self.names: dict[str, int | None] = {}

    def __call__(self, word: Word) -> int | None:
        if word.font_xref in self.fonts:
            return word.font_xref
        name = strip_subset_tag(word.font or "")
        if not name:
            return None
        if name not in self.names:
            hits = [x for x, f in self.fonts.items() if f.name.startswith(name) or name.startswith(f.name)]
            self.names[name] = hits[0] if len(hits) == 1 else None
        return self.names[name]


def plan_font_repairs(
    pdf: pymupdf.Document,
    used: dict[int, dict[int, str]],
    fonts: dict[int, CidFont] | None = None,
    reader: GlyphReader | None = None,
) -> list[FontRepair]:
    """Judge every font in ``used`` (see ``used_glyphs``) against its own glyphs."""
    fonts = fonts if fonts is not None else cid_fonts(pdf)
    plans = []
    for xref, extracted in sorted(used.items()):
        font = fonts.get(xref)
        if font is None:
            continue
        start = time.perf_counter()
        plan = _judge(pdf, font, extracted, reader)
        plan.seconds = time.perf_counter() - start
        plans.append(plan)
    return plans


def _judge(pdf: pymupdf.Document, font: CidFont, extracted: dict[int, str], reader: GlyphReader | None) -> FontRepair:
    plan = FontRepair(
        xref=font.xref, name=font.name, method=METHOD_CMAP, glyphs=len(extracted), shifted=False, extracted=extracted
    )
    program = font_program(pdf, font)
    if program is None:
        plan.unresolved = len(extracted)
        return plan
    unicodes = glyph_unicodes(program)
    if unicodes is not None:
        verdict = repair_from_cmap(extracted, unicodes)
        visible = sum(1 for ch in extracted.values() if not ch.isspace())
        if visible and len(verdict.uncovered) <= (1 - MIN_CMAP_COVERAGE) * visible:
            plan.true_by_gid, plan.shifted, plan.unresolved = verdict.repairs, verdict.shifted, len(verdict.uncovered)
            return plan
    if not looks_garbled(extracted.values()):
        # No cmap to check against and nothing odd in the text: recognising every glyph
        # would cost seconds to confirm what the text already says.
        return plan
    subset = {ch for ch in read_tounicode(pdf, font).values() if len(ch) == 1}
    shapes = repair_from_shapes(program, extracted, reader, subset)
    plan.method = METHOD_SHAPES
    plan.true_by_gid, plan.shifted, plan.read = shapes.repairs, shapes.shifted, shapes.read
    if shapes.unreadable:
        plan.unresolved = len(extracted)
    return plan


def apply_to_words(words: Iterable[Word], plans: list[FontRepair], fonts: dict[int, CidFont]) -> list[Repair]:
    """Rewrite the words in place; one Repair record per changed word."""
    by_font = {p.xref: p for p in plans if p.true_by_gid}
    font_of = _FontLookup(fonts)
    records = []
    for w in words:
        xref = font_of(w)
        plan = by_font.get(xref) if xref is not None else None
        if plan is None or w.glyph_ids is None or len(w.glyph_ids) != len(w.text):
            continue
        text = "".join(
            plan.true_by_gid[g] if g in plan.true_by_gid and plan.extracted.get(g) == ch else ch
            for g, ch in zip(w.glyph_ids, w.text)
        )
        if text == w.text:
            continue
        records.append(Repair(page=w.page + 1, source=w.text, repaired=text, method=plan.method))
        w.text = text
        w.origin = f"{w.origin}+{plan.method}"
    return records


def repair_pdf_text(pdf: pymupdf.Document, pages: list[Page]) -> list[Repair]:
    """Detect and repair mis-encoded glyphs in the words of ``pages`` (all text pages of ``pdf``).

    Words are changed in place (text, and ``origin`` gains ``+font-cmap`` or ``+glyph-ocr``);
    the returned records say, per changed word, the page (1-based), the text as extracted,
    the repaired text and the method.
    """
    fonts = cid_fonts(pdf)
    words = [w for p in pages for w in p.words]
    plans = plan_font_repairs(pdf, used_glyphs(words, fonts), fonts)
    return apply_to_words(words, plans, fonts)
