"""Repair a PDF's text layer font by font, before the grid and form stages read it.

For each Identity-encoded composite font the pages use, the glyph ids behind the text are
checked against the font itself: against its ``cmap`` when the program has one (tier 1,
exact), else against the glyph shapes (tier 2, recognition). A font neither tier can
read (no embedded program, or one that cannot be drawn) falls to tier 3, the statistical
repair of the font's text alone. A font whose text layer agrees with its glyphs is left
alone, so a clean document comes out unchanged.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pymupdf

from ocrform.canonical import Repair
from ocrform.model import Page, Word
from ocrform.repair.font import (
    CidFont,
    cid_fonts,
    first_line,
    font_program,
    glyph_unicodes,
    parse_tounicode,
    read_tounicode,
    repair_from_cmap,
    strip_subset_tag,
    unified_form,
)
from ocrform.repair.glyphs import (
    GlyphReader,
    confident_above,
    page_glyph_renderer,
    reads_above,
    render_glyphs,
    repair_from_shapes,
)
from ocrform.repair.plausible import fits_in_place, looks_garbled, may_be_garbled, misfit_characters
from ocrform.repair.text import repair_text
from ocrform.text import is_cjk
from ocrform.words.pdf_text import printed_runs

METHOD_CMAP = "font-cmap"
METHOD_SHAPES = "glyph-ocr"
METHOD_TEXT = "statistical"
# A compatibility ideograph put right by Unicode's own mapping (font.unified_form).
METHOD_UNICODE = "unicode-compat"
# A cmap that knows fewer of the used glyphs than this is no basis for tier 1.
MIN_CMAP_COVERAGE = 0.5
# Without a cmap, a font whose text holds no rare character is looked at when an in-run
# character forms no word anywhere it occurs, and found shifted when at least this many of
# those read above their text (a clean glyph never did: see glyphs.reads_above).
MIN_MISFITS_ABOVE = 2


@dataclass
class FontRepair:
    """The verdict on one font: which glyphs its text layer gets wrong and what they are."""

    xref: int
    name: str
    method: str  # METHOD_CMAP, METHOD_SHAPES or METHOD_TEXT
    glyphs: int  # distinct glyphs the text layer shows in this font
    shifted: bool  # the font shows the shifted-ToUnicode defect
    true_by_gid: dict[int, str] = field(default_factory=dict)  # only the glyphs that change
    # Tier 3 knows characters, not glyphs: extracted → true, for a font whose glyph ids
    # mean nothing (no program embedded: the viewer draws a substitute font's glyph 0).
    true_by_char: dict[str, str] = field(default_factory=dict)
    extracted: dict[int, str] = field(default_factory=dict)  # glyph id → the text layer's character
    read: int = 0  # glyphs recognised (tier 2)
    unresolved: int = 0  # glyphs neither tier could judge
    seconds: float = 0.0
    error: str | None = None  # why the font could not be read (its text then stands as extracted)

    @property
    def changes(self) -> int:
        """Glyphs (tiers 1-2) or characters (tier 3) whose text changes."""
        return len(self.true_by_gid) + len(self.true_by_char)


def used_glyphs(
    words: Iterable[Word],
    fonts: dict[int, CidFont],
    pdf: pymupdf.Document | None = None,
    font_of: _FontLookup | None = None,
) -> dict[int, dict[int, str]]:
    """Font xref → glyph id → the character the text layer gives it (the most frequent one)."""
    font_of = font_of or _FontLookup(fonts, pdf)
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


Place = tuple[int, tuple[float, float, float, float]]  # page index, character box in points


def glyph_places(
    words: Iterable[Word],
    fonts: dict[int, CidFont],
    pdf: pymupdf.Document | None = None,
    font_of: _FontLookup | None = None,
) -> dict[int, dict[int, Place]]:
    """Font xref → glyph id → where the page first prints it."""
    font_of = font_of or _FontLookup(fonts, pdf)
    out: dict[int, dict[int, Place]] = {}
    for w in words:
        if w.glyph_ids is None or w.char_boxes is None or len(w.glyph_ids) != len(w.char_boxes):
            continue
        xref = font_of(w)
        if xref is None:
            continue
        per_font = out.setdefault(xref, {})
        for gid, box in zip(w.glyph_ids, w.char_boxes):
            if gid >= 0 and gid not in per_font:
                per_font[gid] = (w.page, (box.x0, box.y0, box.x1, box.y1))
    return out


class _FontLookup:
    """The font xref of a word: its own ``font_xref``, else the font its name denotes.

    Text extraction may shorten a font's name, so a name matches a font whose BaseFont
    (without the subset tag) starts with it. Producers embed a family twice under one name
    (Chromium and LibreOffice: a second subset for the bold face); of such fonts the word's
    is the one whose ToUnicode gives its glyphs the characters they extracted as (the map
    the reader itself used). A word no font explains alone resolves to nothing.
    """

    def __init__(self, fonts: dict[int, CidFont], pdf: pymupdf.Document | None = None) -> None:
        self.fonts = fonts
        self.pdf = pdf
        self.names: dict[str, list[int]] = {}
        self.maps: dict[int, dict[int, list[str]]] = {}  # xref → glyph id → ToUnicode characters

    def __call__(self, word: Word) -> int | None:
        if word.font_xref in self.fonts:
            return word.font_xref
        name = strip_subset_tag(word.font or "")
        if not name:
            return None
        if name not in self.names:
            self.names[name] = [x for x, f in self.fonts.items() if f.name.startswith(name) or name.startswith(f.name)]
        hits = self.names[name]
        if len(hits) == 1:
            return hits[0]
        return self._by_tounicode(word, hits)

    def _by_tounicode(self, word: Word, hits: list[int]) -> int | None:
        if self.pdf is None or word.glyph_ids is None or len(word.glyph_ids) != len(word.text):
            return None
        agree = [x for x in hits if self._explains(x, word)]
        return agree[0] if len(agree) == 1 or (agree and self._same_glyphs(agree)) else None

    def _explains(self, xref: int, word: Word) -> bool:
        chars = self._map(xref)
        return all(ch in chars.get(gid, ()) for gid, ch in zip(word.glyph_ids or (), word.text, strict=True))

    def _same_glyphs(self, xrefs: list[int]) -> bool:
        """Subsets that number their glyphs alike (the same font program's ids): any will do."""
        first = self._map(xrefs[0])

        def agree(other: dict[int, list[str]]) -> bool:  # on every glyph id both map
            return all(first[g] == chars for g, chars in other.items() if g in first)

        return all(agree(self._map(x)) for x in xrefs[1:])

    def _map(self, xref: int) -> dict[int, list[str]]:
        if xref not in self.maps:
            assert self.pdf is not None
            font = self.fonts[xref]
            out: dict[int, list[str]] = {}
            for cid, text in read_tounicode(self.pdf, font).items():
                out.setdefault(font.gid(cid), []).append(text)
            self.maps[xref] = out
        return self.maps[xref]


def font_texts(
    words: Iterable[Word],
    fonts: dict[int, CidFont],
    pdf: pymupdf.Document | None = None,
    font_of: _FontLookup | None = None,
) -> dict[int, str]:
    """Font xref → the text it shows, a line per word in reading order (tier 3's context)."""
    font_of = font_of or _FontLookup(fonts, pdf)
    lines: dict[int, list[str]] = {}
    for w in words:
        xref = font_of(w)
        if xref is not None:
            lines.setdefault(xref, []).append(w.text)
    return {x: "\n".join(t) for x, t in lines.items()}


def plan_font_repairs(
    pdf: pymupdf.Document,
    words: list[Word],
    fonts: dict[int, CidFont] | None = None,
    reader: GlyphReader | None = None,
) -> list[FontRepair]:
    """Judge every font that ``words`` use against its own glyphs (or, failing that, its text)."""
    fonts = fonts if fonts is not None else cid_fonts(pdf)
    font_of = _FontLookup(fonts, pdf)  # one cache of which word is in which font
    texts = font_texts(words, fonts, pdf, font_of)
    places = glyph_places(words, fonts, pdf, font_of)
    plans = []
    for xref, extracted in sorted(used_glyphs(words, fonts, pdf, font_of).items()):
        font = fonts.get(xref)
        if font is None:
            continue
        start = time.perf_counter()
        text = texts.get(xref, "")
        try:
            plan = _judge(pdf, font, extracted, text, places.get(xref, {}), reader)
        except Exception as exc:  # a damaged file: MuPDF or fontTools cannot read the font
            plan = FontRepair(xref=font.xref, name=font.name, method=METHOD_CMAP, glyphs=len(extracted), shifted=False)
            plan.error = f"font {font.name} cannot be read ({first_line(exc)}); its text is given as extracted"
            plan.unresolved = len(extracted)
            plans.append(plan)
            continue
        if plan.unresolved == plan.glyphs and may_be_garbled(text):
            _repair_from_text(plan, text)
        plan.seconds = time.perf_counter() - start
        plans.append(plan)
    return plans


def plan_simple_font_repairs(
    pdf: pymupdf.Document,
    words: list[Word],
    fonts: dict[int, CidFont],
    reader: GlyphReader | None = None,
) -> list[FontRepair]:
    """Judge the fonts no Identity-encoded font accounts for (one-byte TrueType, Type1 and
    Type3 fonts: LibreOffice and Chromium write most text so) by their glyphs as the page
    prints them. Their programs seldom know their characters (a subset's cmap maps codes
    to glyphs; Type3 glyphs are drawings), so the shapes are the evidence, read where the
    characters stand; a font's words are grouped by its name, its characters by what they
    extract as (the defect is one-to-one within a font)."""
    font_of = _FontLookup(fonts, pdf)
    groups: dict[str, dict[str, tuple[int, tuple[float, float, float, float]]]] = {}
    for w in words:
        if w.font is None or w.char_boxes is None or font_of(w) is not None:
            continue
        seen = groups.setdefault(font_family(w.font), {})
        for ch, box in zip(w.text, w.char_boxes, strict=False):
            if not ch.isspace() and ch not in seen:
                seen[ch] = (w.page, (box.x0, box.y0, box.x1, box.y1))
    mapped = _family_characters(pdf) if groups else {}
    plans = []
    unread: dict[str, tuple[Callable[[list[int]], list[np.ndarray] | None], dict[int, str], list[int]]] = {}
    for name, places in sorted(groups.items()):
        start = time.perf_counter()
        chars = sorted(places, key=ord)
        extracted = dict(enumerate(chars))
        render = page_glyph_renderer(pdf, {i: places[ch] for i, ch in extracted.items()})
        whole = set().union(*(c for family, c in mapped.items() if same_family(family, name)))
        verdict = repair_from_shapes(render, extracted, reader, set(chars) | whole)
        plan = FontRepair(
            xref=0,
            name=name,
            method=METHOD_SHAPES,
            glyphs=len(chars),
            shifted=verdict.shifted,
            true_by_char={extracted[i]: t for i, t in verdict.repairs.items()},
            read=verdict.read,
        )
        plan.seconds = time.perf_counter() - start
        plans.append(plan)
        unread[name] = (render, extracted, [i for i in extracted if i not in verdict.readings])
    shifted = any(p.shifted for p in plans)
    lines = _family_lines(words, font_of) if plans else {}
    for plan in plans:
        render, extracted, ids = unread[plan.name]
        text = "\n".join(line for line, _ in lines[plan.name])
        cjk = {ch for ch in extracted.values() if is_cjk(ch)}
        misfits = misfit_characters(text, cjk, [own for _, own in lines[plan.name]]) - set(plan.true_by_char)

        def fits_words(
            i: int, reading: str, text: str = text, misfits: set[str] = misfits, extracted: dict[int, str] = extracted
        ) -> bool:
            return extracted[i] in misfits and fits_in_place(text, extracted[i], reading)

        # One producer wrote every map: where one family is shifted, a subset's glyph whose
        # run starts in another subset is read too. So is any glyph the language doubts
        # (the run solver left it, or nothing was found shifted): the defect's mark, a
        # reading above its text, is then enough when sure or when it forms words.
        doubted = [i for i, ch in extracted.items() if ch in misfits]
        todo = sorted(set(ids) | set(doubted)) if shifted else doubted
        found = confident_above(render, extracted, todo, reader, fits_words)
        # The map is one to one: a reading some other glyph of the family keeps (二 for
        # a 一 beside a ruling line) is a misreading.
        taken = {c for c in extracted.values() if c not in plan.true_by_char} | set(plan.true_by_char.values())
        for i, true in found.items():
            if true not in taken:
                plan.true_by_char[extracted[i]] = true
                taken.add(true)
    return plans


def _family_lines(words: list[Word], font_of: _FontLookup) -> dict[str, list[tuple[str, set[int]]]]:
    """Family → each printed run holding its words: the run's text, and where in it the
    family's own characters stand (the others are the language's context only)."""
    out: dict[str, list[tuple[str, set[int]]]] = {}
    for run in printed_runs(words):
        text = "".join(w.text for w in run)
        start = 0
        owned: dict[str, set[int]] = {}
        for w in run:
            if w.font is not None and w.char_boxes is not None and font_of(w) is None:
                owned.setdefault(font_family(w.font), set()).update(range(start, start + len(w.text)))
            start += len(w.text)
        for family, positions in owned.items():
            out.setdefault(family, []).append((text, positions))
    return out


_TYPE3_REF = re.compile(r"\s*\(\d+ \d+ R\)$")
# One-byte fonts (what pymupdf's get_fonts calls their subtypes), judged by their glyphs on the page.
SIMPLE_FONTS = ("TrueType", "Type1", "Type3", "MMType1")


def font_family(font: str) -> str:
    """The family a simple font's words belong to: its name without the subset tag, and a
    Type3 font's object number dropped (Chromium draws a family in Type3 fonts of 256
    glyphs each, every character in one of them, so together they still map one to one)."""
    return _TYPE3_REF.sub("", strip_subset_tag(font))


def same_family(a: str, b: str) -> bool:
    """Whether two family names are one (text extraction cuts long names short)."""
    return bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))


def _family_characters(pdf: pymupdf.Document) -> dict[str, set[str]]:
    """Family → every character its one-byte fonts' ToUnicode maps give, shown or not: a
    run's structure shows in the whole map (a run's first character may be printed only
    in the family's other subset)."""
    out: dict[str, set[str]] = {}
    done: set[int] = set()
    for page in pdf:
        for xref, _ext, subtype, basefont, *_ in page.get_fonts(full=True):
            if xref in done or subtype not in SIMPLE_FONTS:
                continue
            done.add(xref)
            kind, value = pdf.xref_get_key(xref, "ToUnicode")
            if kind == "xref":
                chars = parse_tounicode(pdf.xref_stream(int(value.split()[0])) or b"").values()
                out.setdefault(font_family(basefont or subtype), set()).update(c for c in chars if len(c) == 1)
    return out


def _repair_from_text(plan: FontRepair, text: str) -> None:
    fixed = repair_text(text)
    if not fixed.garbled:
        return
    plan.method = METHOD_TEXT
    plan.true_by_char = {a: b for a, b, _ in fixed.repairs}
    plan.shifted = any(method == METHOD_TEXT for _, _, method in fixed.repairs)
    plan.unresolved = 0


def _judge(
    pdf: pymupdf.Document,
    font: CidFont,
    extracted: dict[int, str],
    text: str,
    places: dict[int, Place],
    reader: GlyphReader | None,
) -> FontRepair:
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

    def render(gids: list[int]) -> list[np.ndarray] | None:
        return render_glyphs(program, gids)

    known_shifted = False
    if not looks_garbled(extracted.values()):
        # No cmap to check against and no rare character: recognising every glyph would
        # cost seconds to confirm what the text says, so only the glyphs the language
        # doubts are read (wrong characters may be common ones: 充 for 公), cropped from
        # the page (opening a whole CJK program costs 0.15 s, a crop a few milliseconds).
        misfits = {g: ch for g, ch in _misfit_glyphs(extracted, text).items() if g in places}
        if not misfits or reads_above(page_glyph_renderer(pdf, places), misfits, reader) < MIN_MISFITS_ABOVE:
            plan.true_by_gid = {g: u for g, ch in extracted.items() if (u := unified_form(ch))}
            plan.method = METHOD_UNICODE if plan.true_by_gid else plan.method
            return plan
        known_shifted = True
    subset = {ch for ch in read_tounicode(pdf, font).values() if len(ch) == 1}
    shapes = repair_from_shapes(render, extracted, reader, subset, known_shifted)
    plan.method = METHOD_SHAPES
    plan.true_by_gid, plan.shifted, plan.read = shapes.repairs, shapes.shifted, shapes.read
    if shapes.unreadable:
        plan.unresolved = len(extracted)
    return plan


def _misfit_glyphs(extracted: dict[int, str], text: str) -> dict[int, str]:
    """Glyph id → text of the glyphs whose characters could be a shifted run's members (the
    code point below is shown too) and form no word wherever they occur."""
    shown = {ord(ch) for ch in extracted.values() if len(ch) == 1}
    members = {ch for ch in extracted.values() if len(ch) == 1 and is_cjk(ch) and ord(ch) - 1 in shown}
    misfits = misfit_characters(text, members)
    return {g: ch for g, ch in extracted.items() if ch in misfits}


def apply_to_words(
    words: Iterable[Word], plans: list[FontRepair], fonts: dict[int, CidFont], pdf: pymupdf.Document | None = None
) -> tuple[list[Word], list[Repair]]:
    """The words with the plans' repairs applied (new words; the others as they were), and
    one Repair record per changed word."""
    by_font = {p.xref: p for p in plans if p.xref and (p.true_by_gid or p.true_by_char)}
    by_name = {p.name: p for p in plans if not p.xref and p.true_by_char}
    font_of = _FontLookup(fonts, pdf)
    out: list[Word] = []
    records = []
    for w in words:
        xref = font_of(w)
        plan = by_font.get(xref) if xref is not None else by_name.get(font_family(w.font or ""))
        text = _repaired_text(w, plan) if plan is not None else None
        if plan is None or text is None or text == w.text:
            out.append(w)
            continue
        records.append(Repair(page=w.page + 1, source=w.text, repaired=text, method=plan.method))
        out.append(replace(w, text=text, origin=f"{w.origin}+{plan.method}", orig=w.orig or w.text))
    return out, records


def _repaired_text(word: Word, plan: FontRepair) -> str | None:
    """The word's text as its font's plan reads it; None where the plan cannot apply to it."""
    if plan.true_by_char:
        return "".join(plan.true_by_char.get(ch, ch) for ch in word.text)
    if word.glyph_ids is not None and len(word.glyph_ids) == len(word.text):
        return "".join(
            plan.true_by_gid[g] if g in plan.true_by_gid and plan.extracted.get(g) == ch else ch
            for g, ch in zip(word.glyph_ids, word.text)
        )
    return None


@dataclass(frozen=True)
class RepairedText:
    """The text-layer pages with their words repaired, what changed, and the fonts that could
    not be read (a line each: their text stands as extracted)."""

    pages: list[Page]
    repairs: list[Repair]
    unreadable: list[str] = field(default_factory=list)


def repair_pdf_text(pdf: pymupdf.Document, pages: list[Page]) -> RepairedText:
    """Detect and repair mis-encoded glyphs in the words of ``pages`` (all text pages of ``pdf``).

    Returns new pages whose repaired words carry the true text (``origin`` gains
    ``+font-cmap``, ``+glyph-ocr`` or ``+statistical``, ``orig`` keeps the extracted text),
    and per changed word a record of the page (1-based), the text as extracted, the repaired
    text and the method. Pages with nothing to repair are returned as they were.
    """
    unreadable: list[str] = []
    words = [w for p in pages for w in p.words]
    try:
        fonts = cid_fonts(pdf, unreadable)
        plans = plan_font_repairs(pdf, words, fonts) + plan_simple_font_repairs(pdf, words, fonts)
        unreadable += [p.error for p in plans if p.error]
        if not any(p.true_by_gid or p.true_by_char for p in plans):
            return RepairedText(list(pages), [], unreadable)
        repaired, records = apply_to_words(words, plans, fonts, pdf)
    except Exception as exc:  # MuPDF raises FzError*, ValueError, RuntimeError; fontTools its own
        # A damaged file whose font objects cannot be read: a font that cannot be read must
        # not cost the text, which stands as extracted.
        unreadable.append(f"the fonts cannot be read ({first_line(exc)}); the text is given as extracted")
        return RepairedText(list(pages), [], unreadable)
    out, start = [], 0
    for page in pages:
        end = start + len(page.words)
        out.append(replace(page, words=repaired[start:end]))
        start = end
    return RepairedText(out, records, unreadable)
