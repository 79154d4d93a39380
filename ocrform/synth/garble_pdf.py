"""Give a rendered sample PDF the shifted-ToUnicode defect, exactly as the broken producer did.

The producer numbered a font subset's glyphs in code-point order of their characters, cut
that list into short runs and wrote each run as one ``bfrange <cid_first> <cid_last>
<first code point>``. To reproduce it, every Identity-H TrueType font of the document is
renumbered: the distinct characters it shows get new CIDs 1..N in code-point order (the
content streams are rewritten to use them and a ``/CIDToGIDMap`` keeps each CID on its
original glyph, so the page renders the same), and its ToUnicode is rewritten from
``shifted_runs``. The font program either gets a correct Unicode ``cmap`` (what tier 1
reads) or loses it (``strip_cmap``), leaving only the glyph shapes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
from fontTools.ttLib import newTable
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

from ocrform.repair.font import CidFont, cid_fonts, open_program, parse_tounicode, read_tounicode, write_tounicode
from ocrform.text import is_cjk

# Runs the producer cut its sorted character list into (seed 001 shows runs of 2 to 5).
MIN_RUN, MAX_RUN = 1, 5
# Seed 001's producer ran that way only among close code points, and rarely: of its 519
# characters 10 open a run (of about 280 that sit within 12 code points of the one before),
# and a run once open takes the next close character 3 times in 4 (runs of 2 to 5). Its
# digits, Latin and punctuation come out right: runs join ideographs only.
SPARSE_MAX_GAP = 12
SPARSE_OPEN = 0.04
SPARSE_GROW = 0.75
# Another producer's runs, within one 256-code-point block each (issue 21): 2 to 8 long.
BLOCK_RUN = (2, 8)
_WS = b" \t\r\n\f\x00"
_DELIMS = b"()<>[]{}/%"
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
_SHOW = {b"Tj", b"TJ", b"'", b'"'}


@dataclass
class _Shown:
    """A string operand of a text-showing operator: where it sits and which font shows it."""

    start: int
    end: int
    font: int
    raw: bytes


@dataclass
class _Stream:
    xref: int
    data: bytes
    shown: list[_Shown] = field(default_factory=list)


def garble_pdf(
    src: Path,
    dst: Path,
    rng: random.Random,
    strip_cmap: bool = False,
    shift: bool = True,
    sparse: bool = False,
    drop_program: bool = False,
    share: float | None = None,
) -> dict[str, str]:
    """Write ``dst``: ``src`` with every Identity-H TrueType font's ToUnicode shifted.

    ``shift=False`` renumbers (and strips) without shifting: a correct text layer over a
    font with no cmap, the case detection must leave alone. ``sparse`` cuts runs as seed
    001's producer did (see ``shifted_runs``). ``drop_program`` leaves the font program
    out of the file, so that only the text can tell the true characters (the page then
    renders with a substitute font).

    Returns true character → garbled character for every character that now extracts
    wrong (the union over fonts; the generator's samples have one CJK font). The pages
    render as before.
    """
    doc = pymupdf.open(src)
    fonts = {x: f for x, f in cid_fonts(doc).items() if _garbleable(doc, f)}
    streams = _scan_document(doc, set(fonts))
    garbled: dict[str, str] = {}
    renumbers: dict[int, dict[int, int]] = {}
    for xref, font in fonts.items():
        codes = {c for s in streams for sh in s.shown if sh.font == xref for c in _codes(sh.raw)}
        if not codes:
            continue
        renumbers[xref], shifted = _garble_font(doc, font, codes, rng, strip_cmap, shift, sparse, share)
        garbled.update({t: g for t, g in shifted.items() if t != g})
    for s in streams:
        if any(sh.font in renumbers for sh in s.shown):
            doc.update_stream(s.xref, _rewrite(s, renumbers))
    if drop_program:
        for font in fonts.values():
            descriptor = int(doc.xref_get_key(font.descendant, "FontDescriptor")[1].split()[0])
            doc.xref_set_key(descriptor, "FontFile2", "null")
    doc.save(dst, garbage=3, deflate=True)
    return garbled


def garble_simple_fonts(src: Path, dst: Path, rng: random.Random, share: float) -> dict[str, str]:
    """Write ``dst``: ``src`` with the ToUnicode of every simple font (TrueType, Type1, Type3
    with one-byte codes: what LibreOffice and Chromium write for most fonts) sending about
    ``share`` of the document's distinct ideographs to wrong, ordinary ones (``_block_runs``).
    The fonts are untouched, so the pages render as before. Returns true → garbled."""
    doc = pymupdf.open(src)
    maps: dict[int, dict[int, str]] = {}
    for page in doc:
        for xref, _ext, subtype, *_ in page.get_fonts(full=True):
            if subtype in ("TrueType", "Type1", "Type3") and xref not in maps:
                kind, value = doc.xref_get_key(xref, "ToUnicode")
                if kind == "xref":
                    maps[xref] = parse_tounicode(doc.xref_stream(int(value.split()[0])) or b"")
    chars = sorted({t for m in maps.values() for t in m.values() if len(t) == 1}, key=ord)
    wrong = {t: g for t, g in _block_runs(chars, rng, share).items() if t != g}
    for xref, mapping in maps.items():
        if any(t in wrong for t in mapping.values()):
            new = {code: wrong.get(t, t) for code, t in mapping.items()}
            _write_stream_key(doc, xref, "ToUnicode", write_tounicode(new, code_bytes=1))
    doc.save(dst, garbage=3, deflate=True)
    return wrong


def shifted_runs(
    chars: list[str], rng: random.Random, sparse: bool = False, share: float | None = None
) -> dict[str, str]:
    """True character → the character the defect extracts, for ``chars`` in code-point order.

    The list is cut into runs of MIN_RUN..MAX_RUN characters; inside a run the k-th
    character extracts as the run's first code point + k, so only a run's first character
    (and characters whose code points happen to follow it) come out right. ``sparse`` cuts
    runs as seed 001's producer did (few, short, among close code points); the default
    cuts the whole list, the harder case for the font tiers. ``share`` garbles about that
    share of the characters in runs within one 256-code-point block each (see
    ``_block_runs``): their wrong characters are ordinary ones, which no rarity test sees.
    """
    if share is not None:
        return _block_runs(chars, rng, share)
    out: dict[str, str] = {}
    i = 0
    while i < len(chars):
        run = chars[i : i + (_sparse_run_length(chars, i, rng) if sparse else rng.randint(MIN_RUN, MAX_RUN))]
        first = ord(run[0])
        out.update({ch: chr(first + k) for k, ch in enumerate(run)})
        i += len(run)
    return out


def _block_runs(chars: list[str], rng: random.Random, share: float) -> dict[str, str]:
    """Another producer's defect: one ``bfrange`` over the CIDs of the characters of one
    256-code-point block, numbered in code-point order, so that the k-th character of a run
    extracts as the run's first code point + k (公→充, 应→并, 其→兴). Runs of BLOCK_RUN
    characters are drawn at random until about ``share`` of the characters are wrong."""
    out = {c: c for c in chars}
    blocks: dict[int, list[str]] = {}
    for c in chars:
        if is_cjk(c):
            blocks.setdefault(ord(c) >> 8, []).append(c)
    runs = []
    for members in blocks.values():
        k = 0
        while k < len(members) - 1:
            n = rng.randint(*BLOCK_RUN)
            runs.append(members[k : k + n])
            k += n
    rng.shuffle(runs)
    wrong, goal = 0, share * len(chars)
    for run in runs:
        if wrong >= goal:
            break
        first = ord(run[0])
        for k, ch in enumerate(run):
            out[ch] = chr(first + k)
            wrong += out[ch] != ch
    return out


def _sparse_run_length(chars: list[str], start: int, rng: random.Random) -> int:
    n = 1
    while (
        n < MAX_RUN
        and start + n < len(chars)
        and is_cjk(chars[start + n - 1])
        and is_cjk(chars[start + n])
        and ord(chars[start + n]) - ord(chars[start + n - 1]) <= SPARSE_MAX_GAP
        and rng.random() < (SPARSE_OPEN if n == 1 else SPARSE_GROW)
    ):
        n += 1
    return n


def _garbleable(doc: pymupdf.Document, font: CidFont) -> bool:
    return (
        font.subtype == "/CIDFontType2"
        and font.program != 0
        and doc.xref_get_key(font.xref, "Encoding")[1] == "/Identity-H"
    )


def _codes(raw: bytes) -> list[int]:
    return [(raw[i] << 8) | raw[i + 1] for i in range(0, len(raw) - 1, 2)]


def _garble_font(
    doc: pymupdf.Document,
    font: CidFont,
    codes: set[int],
    rng: random.Random,
    strip_cmap: bool,
    shift: bool,
    sparse: bool,
    share: float | None = None,
) -> tuple[dict[int, int], dict[str, str]]:
    tounicode = read_tounicode(doc, font)
    truth = {c: tounicode[c] for c in codes if len(tounicode.get(c, "")) == 1}
    chars = sorted(set(truth.values()), key=ord)
    shifted = shifted_runs(chars, rng, sparse, share) if shift else {c: c for c in chars}
    # Code-point order, as the producer numbered its subset; codes without a single known
    # character keep their text and go last.
    order = sorted(codes, key=lambda c: (c not in truth, ord(truth[c]) if c in truth else 0, c))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    new_map = {}
    for old, new in renumber.items():
        if old in truth:
            new_map[new] = shifted.get(truth[old], truth[old])
        elif old in tounicode:
            new_map[new] = tounicode[old]
    _write_stream_key(doc, font.xref, "ToUnicode", write_tounicode(new_map))
    gid_map = bytearray(2 * (len(order) + 1))
    for old, new in renumber.items():
        gid_map[2 * new : 2 * new + 2] = font.gid(old).to_bytes(2, "big")
    _write_stream_key(doc, font.descendant, "CIDToGIDMap", bytes(gid_map))
    widths = _widths(doc, font.descendant)
    if widths:
        dw = doc.xref_get_key(font.descendant, "DW")
        default = float(dw[1]) if dw[0] == "int" or dw[0] == "float" else 1000.0
        listed = " ".join(_num(widths.get(old, default)) for old in order)
        doc.xref_set_key(font.descendant, "W", f"[1 [{listed}]]")
    _set_program_cmap(doc, font, {} if strip_cmap else {truth[o]: font.gid(o) for o in order if o in truth})
    return renumber, shifted


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


def _write_stream_key(doc: pymupdf.Document, owner: int, key: str, data: bytes) -> None:
    kind, value = doc.xref_get_key(owner, key)
    if kind == "xref":
        xref = int(value.split()[0])
    else:
        xref = doc.get_new_xref()
        doc.update_object(xref, "<<>>")
        doc.xref_set_key(owner, key, f"{xref} 0 R")
    doc.update_stream(xref, data)


def _widths(doc: pymupdf.Document, desc: int) -> dict[int, float]:
    """The descendant font's /W array as CID → width."""
    kind, value = doc.xref_get_key(desc, "W")
    if kind == "xref":
        value = doc.xref_object(int(value.split()[0]), compressed=True)
    elif kind != "array":
        return {}
    tokens = re.findall(r"\[|\]|-?\d+(?:\.\d*)?|-?\.\d+", value)
    out: dict[int, float] = {}
    i = 1 if tokens and tokens[0] == "[" else 0
    while i < len(tokens) and tokens[i] != "]":
        first = int(float(tokens[i]))
        if tokens[i + 1] == "[":
            i += 2
            cid = first
            while tokens[i] != "]":
                out[cid] = float(tokens[i])
                cid += 1
                i += 1
            i += 1
        else:
            last, width = int(float(tokens[i + 1])), float(tokens[i + 2])
            for cid in range(first, last + 1):
                out[cid] = width
            i += 3
    return out


def _set_program_cmap(doc: pymupdf.Document, font: CidFont, chars: dict[str, int]) -> None:
    """Give the embedded program exactly the Unicode cmap ``chars`` (none when empty).

    Glyph names in a ``post`` table would tell a reader the characters as well, so a
    stripped program loses them too.
    """
    ttf = open_program(doc.xref_stream(font.program))
    if ttf is None:
        return
    order = ttf.getGlyphOrder()
    if chars:
        table = newTable("cmap")
        table.tableVersion = 0
        table.tables = []
        bmp = {ord(c): order[g] for c, g in chars.items() if ord(c) < 0x10000}
        for plat, enc, fmt, mapping in ((0, 3, 4, bmp), (3, 1, 4, bmp)):
            sub = CmapSubtable.newSubtable(fmt)
            sub.platformID, sub.platEncID, sub.language, sub.cmap = plat, enc, 0, mapping
            table.tables.append(sub)
        if len(bmp) < len(chars):
            full = {ord(c): order[g] for c, g in chars.items()}
            for plat, enc in ((0, 4), (3, 10)):
                sub = CmapSubtable.newSubtable(12)
                sub.platformID, sub.platEncID, sub.language, sub.cmap = plat, enc, 0, full
                table.tables.append(sub)
        ttf["cmap"] = table
    elif "cmap" in ttf:
        del ttf["cmap"]
    if not chars and "post" in ttf:
        ttf["post"].formatType = 3.0
        ttf["post"].extraNames = []
        ttf["post"].mapping = {}
    out = _save(ttf)
    doc.update_stream(font.program, out)
    doc.xref_set_key(font.program, "Length1", str(len(out)))


def _save(ttf: object) -> bytes:
    import io

    buf = io.BytesIO()
    ttf.save(buf)  # type: ignore[attr-defined]
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# Content streams


def _scan_document(doc: pymupdf.Document, targets: set[int]) -> list[_Stream]:
    """Every content stream (pages and the forms they draw) with the strings shown in a target font."""
    streams: dict[int, _Stream] = {}
    for page in doc:
        fonts = {(ref, name): xref for xref, _e, _t, _b, name, _enc, ref in _fonts(page)}
        forms = {(inv, name): xref for xref, name, inv, _bbox in page.get_xobjects()}

        def font_of(owner: int, name: str, fonts: dict[tuple[int, str], int] = fonts) -> int:
            return fonts.get((owner, name), 0)

        def form_of(owner: int, name: str, forms: dict[tuple[int, str], int] = forms) -> int:
            return forms.get((owner, name), 0)

        state: list[int] = [0]
        for xref in page.get_contents():
            _scan_stream(doc, xref, 0, state, font_of, form_of, targets, streams)
    return list(streams.values())


def _fonts(page: pymupdf.Page) -> list[tuple]:
    return page.get_fonts(full=True)


def _scan_stream(
    doc: pymupdf.Document,
    xref: int,
    owner: int,
    state: list[int],
    font_of: Callable[[int, str], int],
    form_of: Callable[[int, str], int],
    targets: set[int],
    streams: dict[int, _Stream],
) -> None:
    if xref in streams:
        return
    stream = _Stream(xref, doc.xref_stream(xref) or b"")
    streams[xref] = stream
    stack: list[int] = []
    operands: list[tuple[str, int, int, bytes]] = []
    for kind, start, end, value in _lex(stream.data):
        if kind != "op":
            operands.append((kind, start, end, value))
            continue
        if value == b"Tf" and len(operands) >= 2 and operands[-2][0] == "name":
            state[0] = font_of(owner, operands[-2][3].decode("latin-1"))
        elif value in _SHOW and state[0] in targets:
            stream.shown += [_Shown(s, e, state[0], raw) for k, s, e, raw in operands if k == "str"]
        elif value == b"q":
            stack.append(state[0])
        elif value == b"Q" and stack:
            state[0] = stack.pop()
        elif value == b"Do" and operands and operands[-1][0] == "name":
            form = form_of(owner, operands[-1][3].decode("latin-1"))
            if form and doc.xref_get_key(form, "Subtype")[1] == "/Form":
                _scan_stream(doc, form, form, [state[0]], font_of, form_of, targets, streams)
        operands = []


def _rewrite(stream: _Stream, renumbers: dict[int, dict[int, int]]) -> bytes:
    out = bytearray()
    pos = 0
    for sh in sorted(stream.shown, key=lambda s: s.start):
        renumber = renumbers.get(sh.font)
        if renumber is None:
            continue
        out += stream.data[pos : sh.start]
        out += b"<" + b"".join(renumber[c].to_bytes(2, "big").hex().encode() for c in _codes(sh.raw)) + b">"
        pos = sh.end
    out += stream.data[pos:]
    return bytes(out)


def _lex(data: bytes) -> Iterator[tuple[str, int, int, bytes]]:
    """Tokens of a content stream as (kind, start, end, value); strings come decoded."""
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c in _WS:
            i += 1
        elif c == 0x25:  # % comment
            while i < n and data[i] not in b"\r\n":
                i += 1
        elif c == 0x28:  # ( literal string
            start, value, i = i, bytearray(), i + 1
            depth = 1
            while i < n:
                c = data[i]
                if c == 0x5C:  # backslash
                    i += 1
                    e = data[i] if i < n else 0
                    if e in _ESCAPES:
                        value.append(_ESCAPES[e])
                        i += 1
                    elif 0x30 <= e <= 0x37:
                        j = i
                        while j < n and j < i + 3 and 0x30 <= data[j] <= 0x37:
                            j += 1
                        value.append(int(data[i:j], 8) & 0xFF)
                        i = j
                    elif e in b"\r\n":
                        i += 2 if data[i : i + 2] == b"\r\n" else 1
                    else:
                        value.append(e)
                        i += 1
                    continue
                if c == 0x28:
                    depth += 1
                elif c == 0x29:
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                value.append(c)
                i += 1
            yield "str", start, i, bytes(value)
        elif c == 0x3C and data[i + 1 : i + 2] == b"<":
            yield "dict", i, i + 2, b"<<"
            i += 2
        elif c == 0x3C:
            j = data.index(b">", i)
            digits = re.sub(rb"\s", b"", data[i + 1 : j])
            if len(digits) % 2:
                digits += b"0"
            yield "str", i, j + 1, bytes.fromhex(digits.decode("ascii"))
            i = j + 1
        elif c == 0x3E:
            yield "dict", i, i + 2, b">>"
            i += 2
        elif c in b"[]{}":
            yield "array", i, i + 1, bytes([c])
            i += 1
        elif c == 0x2F:  # /name
            j = i + 1
            while j < n and data[j] not in _WS and data[j] not in _DELIMS:
                j += 1
            yield "name", i, j, data[i + 1 : j]
            i = j
        else:
            j = i
            while j < n and data[j] not in _WS and data[j] not in _DELIMS:
                j += 1
            word = data[i:j]
            if re.fullmatch(rb"[+-]?(\d+\.?\d*|\.\d+)", word):
                yield "num", i, j, word
            elif word == b"BI":  # inline image: skip its binary data up to EI
                m = re.compile(rb"\sID\s").search(data, j)
                end = re.compile(rb"\sEI(?=[\s]|$)").search(data, m.end() if m else j)
                j = end.end() if end else n
            else:
                yield "op", i, j, word
            i = j if j > i else i + 1
