"""Tier 2: repair a font's text from the shapes of its glyphs.

When the embedded font has no usable ``cmap`` (a stripped subset, a CFF CID font), the
glyph outlines are the only truth left. Each distinct glyph the text layer uses is drawn
once from the font program and read by the PP-OCR recogniser that ships in rapidocr's
wheel, so the cost grows with the font's alphabet, not with the number of pages.

The recogniser alone is not trusted to rewrite text. For the shifted-ToUnicode defect the
structure of the damage decides: a glyph can only be wrong when the character just below
its extracted one is also in the font's alphabet (it sits inside a run), the true
character lies above the extracted one, and the true characters of a run increase and
stay below the next run's first character. Within those bounds the recogniser's
probabilities pick the reading, jointly for a whole run.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pymupdf
from fontTools.pens.svgPathPen import SVGPathPen

from ocrform.cpu import thread_budget
from ocrform.repair.font import ideograph_candidates, is_suspect, open_program, unified_form
from ocrform.repair.plausible import common_characters
from ocrform.text import is_cjk

# Glyphs are drawn on their em square at the recogniser's input height.
GLYPH_PX = 48
_PAD = 3
_COLUMNS = 32
# Detection reads this many in-run glyphs first; a clean font stops there.
DETECT_SAMPLE = 128
# A font is shifted when at least this share of the sampled in-run ideographs read as a
# character above the extracted one (and at least MIN_SHIFTED of them do).
SHIFT_SHARE = 0.05
MIN_SHIFTED = 3
# A suspect code point (PUA, U+FFFD, ...) is replaced only by a confident reading.
MIN_FREE_PROB = 0.6
# A glyph outside the runs its font shows is repaired only when it reads this surely, as a
# common character, less than a bfrange's span above its text.
MIN_LOOSE_PROB = 0.9
# ... and read again in a line only when alone it gives its own text less than this.
MAX_OWN_PROB = 0.05
# A reading the language confirms (it forms a word where the extracted text formed none)
# is taken from this probability.
MIN_RESCUE_PROB = 0.4
BFRANGE_SPAN = 256
# A glyph read alone keeps that reading only when it is an ideograph this probable.
MIN_ALONE_PROB = 0.5
_EPS = 1e-6
# Glyph batches are small: two threads read the office fixtures' glyphs 1.6x as fast as one
# (2 cores), and a batch of --jobs N gives each worker its share (ocrform.cpu).
GLYPH_THREADS = 2
# The document's language as a prior on a run's readings: an ideograph outside ordinary
# Chinese (a Japanese variant such as 別 for 别 looks nearly the same to the recogniser)
# must read this many nats better than a common one to win.
RARE_PENALTY = math.log(10)


class GlyphReader:
    """PP-OCR text recognition (the model inside rapidocr's wheel) applied to glyph images."""

    _lock = threading.Lock()
    _shared: GlyphReader | None = None

    def __init__(self, model: Path | None = None) -> None:
        import onnxruntime as ort

        path = model or _rapidocr_rec_model()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = min(GLYPH_THREADS, thread_budget())
        # Its threads would spin after each small batch, taking the core from the pages
        # read beside it (born-digital bench on one core: 67 -> 49 pages/s with spinning).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        chars = self.session.get_modelmeta().custom_metadata_map["character"].splitlines()
        # CTC class 0 is the blank and the last class a space, as PaddleOCR trains it.
        self.vocab = ["", *chars, " "]
        self.index = {c: i for i, c in enumerate(self.vocab) if c}
        self.input = self.session.get_inputs()[0].name
        # Single-character classes in code-point order, their columns and language prior,
        # so a run's candidate range is one slice.
        singles = sorted((ord(c), i) for c, i in self.index.items() if len(c) == 1)
        common = common_characters()
        self.code_points = np.array([cp for cp, _ in singles], dtype=np.int64)
        self.columns = np.array([i for _, i in singles], dtype=np.int64)
        self.prior = np.array(
            [-RARE_PENALTY if is_cjk(chr(cp)) and chr(cp) not in common else 0.0 for cp, _ in singles]
        )

    @classmethod
    def shared(cls) -> GlyphReader:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def top(self, probs: np.ndarray) -> str:
        """The most probable character (never the CTC blank) in a ``char_probabilities`` row."""
        return self.vocab[int(np.argmax(probs[1:])) + 1]

    def char_probabilities(self, images: list[np.ndarray], spans: list[tuple[int, int]], batch: int = 32) -> np.ndarray:
        """For each grey image, every vocabulary entry's best probability over the frames
        that fall inside the image's ``span`` (the x range of the glyph being read)."""
        out = np.zeros((len(images), len(self.vocab)), dtype=np.float32)
        for i in range(0, len(images), batch):
            chunk = images[i : i + batch]
            width = max(img.shape[1] for img in chunk)
            x = np.zeros((len(chunk), 3, GLYPH_PX, width), dtype=np.float32)
            for j, img in enumerate(chunk):
                x[j, :, :, : img.shape[1]] = (img.astype(np.float32) / 255.0 - 0.5) / 0.5
            probs = self.session.run(None, {self.input: x})[0]
            frames = probs.shape[1]
            centres = (np.arange(frames) + 0.5) * width / frames
            for j, (a, b) in enumerate(spans[i : i + batch]):
                inside = (centres >= a) & (centres < b)
                if not inside.any():
                    inside = np.abs(centres - (a + b) / 2) == np.abs(centres - (a + b) / 2).min()
                out[i + j] = probs[j][inside].max(axis=0)
        return out


def _rapidocr_rec_model() -> Path:
    """The recogniser the scan engine reads with, from the installed rapidocr wheel."""
    from ocrform.words.engines.rapidocr import REC_MODEL, model_dir

    return model_dir() / REC_MODEL


def render_glyphs(program: bytes, gids: list[int]) -> list[np.ndarray] | None:
    """Each glyph drawn black on white on its em square, GLYPH_PX high (grey uint8).

    None when the program is not an sfnt fontTools can read.
    """
    ttf = open_program(program)
    if ttf is None:
        return None
    glyph_set = ttf.getGlyphSet()
    order = ttf.getGlyphOrder()
    upem = ttf["head"].unitsPerEm
    hhea = ttf.get("hhea")
    ascent = hhea.ascent if hhea is not None and hhea.ascent > 0 else int(0.88 * upem)
    descent = -hhea.descent if hhea is not None and hhea.descent < 0 else int(0.12 * upem)
    scale = GLYPH_PX / (ascent + descent)
    cells: list[tuple[str, int]] = []
    for gid in gids:
        name = order[gid] if 0 <= gid < len(order) else None
        if name is None or name not in glyph_set:
            cells.append(("", GLYPH_PX))
            continue
        pen = SVGPathPen(glyph_set)
        glyph_set[name].draw(pen)
        width = max(8, math.ceil(glyph_set[name].width * scale))
        cells.append((pen.getCommands(), width))
    cell_w = max(w for _, w in cells) + 2 * _PAD if cells else GLYPH_PX
    cell_h = GLYPH_PX
    rows = max(1, math.ceil(len(cells) / _COLUMNS))
    page_w, page_h = cell_w * _COLUMNS, cell_h * rows
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{page_w}" height="{page_h}" '
        f'viewBox="0 0 {page_w} {page_h}"><rect width="100%" height="100%" fill="white"/>'
    ]
    for i, (d, _w) in enumerate(cells):
        if not d:
            continue
        x = (i % _COLUMNS) * cell_w + _PAD
        y = (i // _COLUMNS) * cell_h + ascent * scale
        parts.append(
            f'<path fill="black" fill-rule="nonzero" transform="translate({x:.2f} {y:.2f}) '
            f'scale({scale:.6f} {-scale:.6f})" d="{d}"/>'
        )
    parts.append("</svg>")
    page = pymupdf.open(stream="".join(parts).encode(), filetype="svg")[0]
    pix = page.get_pixmap(colorspace=pymupdf.csGRAY, alpha=False)
    sheet = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    out = []
    for i, (_d, w) in enumerate(cells):
        x = (i % _COLUMNS) * cell_w
        y = (i // _COLUMNS) * cell_h
        out.append(np.ascontiguousarray(sheet[y : y + cell_h, x : x + w + 2 * _PAD]))
    return out


def page_glyph_renderer(
    pdf: pymupdf.Document, places: dict[int, tuple[int, tuple[float, float, float, float]]]
) -> Callable[[list[int]], list[np.ndarray] | None]:
    """Glyphs drawn as the page prints them: id → (page index, character box in points),
    each box rendered GLYPH_PX high in grey, so any font a page can draw (TrueType, Type1,
    Type3, no program at hand) can be read."""
    # A page's drawing is listed once and each glyph cut from the list: drawing a clip from
    # the page itself lists the whole page again every time (born-digital office fixtures:
    # 1.2 ms a glyph, a fifth of the whole conversion, against 0.06 ms; same pixels).
    listed: dict[int, pymupdf.DisplayList] = {}

    def render(ids: list[int]) -> list[np.ndarray] | None:
        out = []
        for i in ids:
            index, (x0, y0, x1, y1) = places[i]
            if index not in listed:
                listed[index] = pdf[index].get_displaylist()
            scale = GLYPH_PX / max(y1 - y0, 1e-3)
            pix = listed[index].get_pixmap(
                matrix=pymupdf.Matrix(scale, scale),
                clip=pymupdf.Rect(x0, y0, x1, y1),
                colorspace=pymupdf.csGRAY,
                alpha=False,
            )
            img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
            if img.shape[0] != GLYPH_PX:
                width = max(8, round(img.shape[1] * GLYPH_PX / max(img.shape[0], 1)))
                img = cv2.resize(img, (width, GLYPH_PX), interpolation=cv2.INTER_AREA)
            out.append(np.ascontiguousarray(np.pad(img, ((0, 0), (_PAD, _PAD)), constant_values=255)))
        return out

    return render


@dataclass
class ShapeVerdict:
    """What the glyph shapes say about a font's text layer."""

    repairs: dict[int, str]  # glyph id → the true character, only where the text layer is wrong
    shifted: bool
    read: int  # distinct glyphs recognised
    unreadable: bool = False  # the program could not be drawn
    readings: dict[int, str] = field(default_factory=dict)  # glyph id → top reading, for reports


def repair_from_shapes(
    render: Callable[[list[int]], list[np.ndarray] | None],
    extracted: dict[int, str],
    reader: GlyphReader | None = None,
    subset: set[str] | None = None,
    known_shifted: bool = False,
) -> ShapeVerdict:
    """Decide whether the font's ToUnicode is shifted, from its glyph shapes, and repair it.

    ``render`` draws glyphs by id, GLYPH_PX high, black on white (``render_glyphs`` from
    the font program, or crops of the page where each is printed); None: it cannot.
    ``extracted``: every glyph id the document shows in this font → the character its
    text layer gives (one character; an empty string when it gives none). ``subset``:
    every character the font's ToUnicode gives any code, shown or not; a run may start
    at a character the words never carry (the space), so run structure is read from it.
    ``known_shifted``: other evidence (``reads_above``) already found the defect, however
    few glyphs it touches.
    """
    alphabet = {ord(c) for c in extracted.values() if len(c) == 1} | {ord(c) for c in subset or () if len(c) == 1}
    by_char: dict[str, list[int]] = {}
    for gid, ch in extracted.items():
        by_char.setdefault(ch, []).append(gid)
    # Glyphs sharing one extracted character cannot come from the defect (it is injective).
    inside = sorted(
        (
            gid
            for gid, ch in extracted.items()
            if len(ch) == 1
            and not ch.isspace()
            and ord(ch) - 1 in alphabet
            and len(by_char[ch]) == 1
            and not is_suspect(ch)
        ),
        key=lambda g: ord(extracted[g]),
    )
    # A compatibility ideograph needs no reading: Unicode says which ideograph it is.
    unified = {gid: u for gid, ch in extracted.items() if (u := unified_form(ch))}
    suspect = sorted(gid for gid, ch in extracted.items() if (not ch or is_suspect(ch)) and gid not in unified)
    if not inside and not suspect:
        return ShapeVerdict(repairs=unified, shifted=False, read=0)
    reader = reader or GlyphReader.shared()
    probs: dict[int, np.ndarray] = {}

    context = _context_glyphs(extracted, alphabet)

    def read(gids: list[int]) -> bool:
        todo = [g for g in gids if g not in probs]
        if not todo:
            return True
        images = render(todo + context)
        if images is None:
            return False
        drawn = dict(zip(todo, images))
        flank = images[len(todo) :]
        # An ideograph reads as well alone as between two others at a third of the cost.
        # A glyph that does not read alone as a confident ideograph (punctuation, digits,
        # suspect code points, a comma behind an ideograph's code) is read in context.
        # With no ideograph known from the text (no ToUnicode at all), every glyph is
        # read alone first and two confident ideographs become the context.
        alone = [g for g in todo if _reads_alone(extracted[g]) or not flank]
        for g, p in zip(
            alone, reader.char_probabilities([drawn[g] for g in alone], [(0, drawn[g].shape[1]) for g in alone])
        ):
            probs[g] = p
        again = [g for g in todo if g not in probs or not _confident_han(reader, probs[g])]
        if not flank:
            flank = [drawn[g] for g in alone if _confident_han(reader, probs[g])][:2]
        lines, spans = in_context([drawn[g] for g in again], flank)
        for g, p in zip(again, reader.char_probabilities(lines, spans)):
            probs[g] = p
        return True

    step = max(1, len(inside) // DETECT_SAMPLE)
    sample = inside[::step][:DETECT_SAMPLE]
    if not read(sample + suspect):
        return ShapeVerdict(repairs={}, shifted=False, read=0, unreadable=True)
    # Only ideographs count: a clean layer's glyphs misread "above" their text are half- and
    # full-width forms of one character (2/２, ,/，, )/）) and brackets, never ideographs
    # (office fixtures: 0 of some 2,000 sampled ideographs; 14 of 47 documents misread a sign).
    above = sum(1 for g in sample if _reads_above(reader, probs[g], extracted[g]) and _script(extracted[g]) == "han")
    shifted = known_shifted or (above >= MIN_SHIFTED and above >= SHIFT_SHARE * len(sample))
    repairs: dict[int, str] = dict(unified)
    for g in suspect:
        cands = [c for c in ideograph_candidates(extracted[g]) if c in reader.index]
        if cands:  # a radical: its ideograph, traditional or simplified, as the glyph reads
            repairs[g] = max(cands, key=lambda c: probs[g][reader.index[c]])
            continue
        ch = reader.top(probs[g])
        if probs[g][reader.index[ch]] >= MIN_FREE_PROB and not is_suspect(ch):
            repairs[g] = ch
    if shifted:
        read(inside)
        repairs.update(_solve_runs(reader, probs, extracted, alphabet, inside))
    readings = {g: reader.top(p) for g, p in probs.items()}
    return ShapeVerdict(repairs=repairs, shifted=shifted, read=len(probs), readings=readings)


def reads_above(
    render: Callable[[list[int]], list[np.ndarray] | None],
    extracted: dict[int, str],
    reader: GlyphReader | None = None,
) -> int:
    """How many of the ideographs ``extracted`` (glyph id → text) read, alone and
    confidently, as an ideograph above their text: the defect's mark, which a clean glyph
    does not show (office fixtures: 0 of some 2,000 sampled ideographs)."""
    ids = [g for g, ch in extracted.items() if _reads_alone(ch)]
    images = render(ids) if ids else None
    if not images:
        return 0
    reader = reader or GlyphReader.shared()
    probs = reader.char_probabilities(images, [(0, img.shape[1]) for img in images])
    return sum(_reads_above(reader, p, extracted[g]) and _confident_han(reader, p) for g, p in zip(ids, probs))


def confident_above(
    render: Callable[[list[int]], list[np.ndarray] | None],
    extracted: dict[int, str],
    ids: list[int],
    reader: GlyphReader | None = None,
    fits_words: Callable[[int, str], bool] | None = None,
) -> dict[int, str]:
    """Glyphs of a shifted document outside any run its own font shows (the run's first
    character printed only in another subset): id → the character the glyph reads as, where
    it reads confidently as an ideograph above its text within one block (the defect only
    lowers a code point, by less than a bfrange spans).

    ``fits_words(id, reading)``: the language's verdict (the reading forms a word where the
    text formed none); a reading it confirms needs only MIN_RESCUE_PROB."""
    todo = [i for i in ids if _reads_alone(extracted[i])]
    images = render(todo) if todo else None
    if not images:
        return {}
    reader = reader or GlyphReader.shared()
    probs = dict(zip(todo, reader.char_probabilities(images, [(0, img.shape[1]) for img in images]), strict=True))
    drawn = dict(zip(todo, images, strict=True))
    # A glyph unsure alone is read again between two that read surely as their own text,
    # as the recogniser was trained on lines (目 alone in a bold face reads 曰).
    flank = [drawn[i] for i in todo if reader.top(probs[i]) == extracted[i] and _sure(reader, probs[i])][:2]
    # Only a glyph that alone all but rules out its text is read again: 白 in one Ming face
    # reads 百 0.81 / 白 0.19 alone and 百 surely in a line, and is right as it is.
    again = [
        i
        for i in todo
        if not _sure(reader, probs[i]) and _own_probability(reader, probs[i], extracted[i]) < MAX_OWN_PROB
    ]
    if len(flank) == 2 and again:
        lines, spans = in_context([drawn[i] for i in again], flank)
        probs.update(zip(again, reader.char_probabilities(lines, spans), strict=True))
    out = {}
    for i, p in probs.items():
        top, ch = reader.top(p), extracted[i]
        if not (_reads_above(reader, p, ch) and ord(top) - ord(ch) < BFRANGE_SPAN and top in common_characters()):
            continue
        confirmed = fits_words is not None and p[reader.index[top]] >= MIN_RESCUE_PROB and fits_words(i, top)
        if confirmed or _sure(reader, p):
            out[i] = top
    return out


def _own_probability(reader: GlyphReader, p: np.ndarray, ch: str) -> float:
    k = reader.index.get(ch)
    return 0.0 if k is None else float(p[k])


def _sure(reader: GlyphReader, p: np.ndarray) -> bool:
    return bool(p[reader.index[reader.top(p)]] >= MIN_LOOSE_PROB)


def _context_glyphs(extracted: dict[int, str], alphabet: set[int]) -> list[int]:
    """Two ideographs of the font to flank each glyph being read.

    The recogniser was trained on text lines: a bracket or a comma alone reads as a
    letter, between two ideographs it reads as what it is. Run starts are chosen because
    their extracted character is right even in a shifted font.
    """
    han = sorted(
        (g for g, ch in extracted.items() if len(ch) == 1 and _script(ch) == "han" and ord(ch) - 1 not in alphabet),
        key=lambda g: ord(extracted[g]),
    )
    return [han[len(han) // 3], han[2 * len(han) // 3]] if len(han) >= 2 else []


def in_context(images: list[np.ndarray], context: list[np.ndarray]) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """Each image between the context images, and the x range it occupies there."""
    if not context:
        return images, [(0, img.shape[1]) for img in images]
    left, right = context[0], context[-1]
    lines = [np.hstack([left, img, right]) for img in images]
    return lines, [(left.shape[1], left.shape[1] + img.shape[1]) for img in images]


def _reads_above(reader: GlyphReader, p: np.ndarray, extracted: str) -> bool:
    top = reader.top(p)
    return len(top) == 1 and ord(top) > ord(extracted) and _script(top) == _script(extracted)


def _confident_han(reader: GlyphReader, p: np.ndarray) -> bool:
    top = reader.top(p)
    return len(top) == 1 and _script(top) == "han" and p[reader.index[top]] >= MIN_ALONE_PROB


def _reads_alone(ch: str) -> bool:
    return len(ch) == 1 and _script(ch) == "han" and not is_suspect(ch)


def _script(ch: str) -> str:
    cp = ord(ch)
    if 0x3400 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x3FFFF:
        return "han"
    if ch.isdigit():
        return "digit"
    if ch.isalpha():
        return "alpha"
    return "other"


def _solve_runs(
    reader: GlyphReader,
    probs: dict[int, np.ndarray],
    extracted: dict[int, str],
    alphabet: set[int],
    inside: list[int],
) -> dict[int, str]:
    """The most probable true characters for every run, under the defect's constraints.

    A run is a maximal chain of consecutive extracted code points e, e+1, ...; its first
    glyph is right as extracted, and the true code points t_1 < t_2 < ... of the others
    lie strictly between the previous glyph's and the next run's first code point.
    """
    starts = sorted(cp for cp in alphabet if cp - 1 not in alphabet)
    gid_of = {ord(extracted[g]): g for g in inside}
    repairs: dict[int, str] = {}
    for si, start in enumerate(starts):
        # Members of the run the text never shows (a space) are left out: their true
        # characters are unknown, and the shown ones still increase.
        chain = []
        cp = start + 1
        while cp in alphabet:
            if cp in gid_of:
                chain.append(gid_of[cp])
            cp += 1
        if not chain:
            continue
        limit = starts[si + 1] if si + 1 < len(starts) else 0x10FFFF
        values = _best_increasing(reader, [probs[g] for g in chain], start, limit)
        for g, v in zip(chain, values):
            if chr(v) != extracted[g]:
                repairs[g] = chr(v)
    return repairs


def _best_increasing(reader: GlyphReader, chain_probs: list[np.ndarray], low: int, high: int) -> list[int]:
    """Code points low < v_1 < v_2 < ... < high maximising the summed log probabilities.

    Only code points the recogniser knows can score; the others are kept as the fallback
    of a glyph whose extracted character is its own best reading.
    """
    a, b = np.searchsorted(reader.code_points, [low + 1, high])
    cps = reader.code_points[a:b]
    n = len(chain_probs)
    if len(cps) < n:
        return [low + k + 1 for k in range(n)]
    scores = np.log(np.stack([p[reader.columns[a:b]] for p in chain_probs]) + _EPS) + reader.prior[a:b]
    best = np.full_like(scores, -np.inf)
    back = np.zeros(scores.shape, dtype=np.int64)
    best[0] = scores[0]
    for k in range(1, n):
        # best total of the previous glyph on any strictly smaller code point
        prev = np.concatenate(([-np.inf], np.maximum.accumulate(best[k - 1])[:-1]))
        arg = np.concatenate(([0], _running_argmax(best[k - 1])[:-1]))
        best[k] = prev + scores[k]
        back[k] = arg
    j = int(np.argmax(best[-1]))
    picks = [j]
    for k in range(n - 1, 0, -1):
        j = int(back[k][j])
        picks.append(j)
    return [int(cps[j]) for j in reversed(picks)]


def _running_argmax(a: np.ndarray) -> np.ndarray:
    idx = np.arange(len(a))
    mask = np.concatenate(([True], a[1:] > np.maximum.accumulate(a)[:-1]))
    return np.maximum.accumulate(np.where(mask, idx, 0))
