"""Tier 1: repair a composite font's text from the font program's own ``cmap``.

A Type0 font with an Identity encoding shows glyphs by CID; its ``/ToUnicode`` CMap is the
only thing that tells a reader which characters they are, and a broken producer can write
it wrong while the page still looks right. When the embedded font program carries a
Unicode ``cmap`` table, that table says what each glyph really is, so every glyph whose
ToUnicode entry disagrees with it can be put right exactly.

This module also holds the plumbing the other tiers and ``fix-pdf`` share: finding the
Identity-encoded fonts of a document, reading and writing ToUnicode CMaps, and loading
the embedded font program.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import opencc
import pymupdf
from fontTools.ttLib import TTFont, TTLibError

IDENTITY_ENCODINGS = {"/Identity-H", "/Identity-V"}

# A CMap's bfchar/bfrange blocks hold at most 100 entries (PDF 32000-1, 9.10.3).
_BLOCK = 100
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[|\]")
_BLOCKS = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_XREF = re.compile(r"(\d+)\s+0\s+R")


@dataclass
class CidFont:
    """One Type0 font with an Identity encoding, as the PDF describes it."""

    xref: int
    name: str  # BaseFont without the subset tag
    descendant: int
    subtype: str  # /CIDFontType2 (TrueType outlines) or /CIDFontType0 (CFF outlines)
    tounicode: int  # xref of the ToUnicode stream, 0 when there is none
    program: int  # xref of the embedded FontFile2/FontFile3, 0 when not embedded
    cid_to_gid: dict[int, int] | None  # None: the identity map

    def gid(self, cid: int) -> int:
        return cid if self.cid_to_gid is None else self.cid_to_gid.get(cid, 0)

    def cids_by_gid(self, cids: Iterable[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for cid in cids:
            out.setdefault(self.gid(cid), []).append(cid)
        return out


def strip_subset_tag(name: str) -> str:
    """``ABCDEF+SimSun`` → ``SimSun``: the six-letter tag only names the subset."""
    if len(name) > 7 and name[6] == "+" and name[:6].isalpha() and name[:6].isupper():
        return name[7:]
    return name


def _key(doc: pymupdf.Document, xref: int, key: str) -> tuple[str, str]:
    return doc.xref_get_key(xref, key)


def _ref(doc: pymupdf.Document, xref: int, key: str) -> int:
    kind, value = _key(doc, xref, key)
    if kind == "xref":
        return int(value.split()[0])
    return 0


def load_cid_font(doc: pymupdf.Document, xref: int) -> CidFont | None:
    """The font dictionary at ``xref`` when it is an Identity-encoded Type0 font, else None."""
    if _key(doc, xref, "Subtype") != ("name", "/Type0"):
        return None
    if _key(doc, xref, "Encoding")[1] not in IDENTITY_ENCODINGS:
        return None
    kind, value = _key(doc, xref, "DescendantFonts")
    if kind == "xref":  # the array itself is an indirect object
        value = doc.xref_object(int(value.split()[0]), compressed=True)
    refs = _XREF.findall(value)
    if not refs:
        return None
    desc = int(refs[0])
    descriptor = _ref(doc, desc, "FontDescriptor")
    program = 0
    if descriptor:
        program = _ref(doc, descriptor, "FontFile2") or _ref(doc, descriptor, "FontFile3")
    cid_to_gid: dict[int, int] | None = None
    map_xref = _ref(doc, desc, "CIDToGIDMap")
    if map_xref:
        raw = doc.xref_stream(map_xref) or b""
        cid_to_gid = {i // 2: (raw[i] << 8) | raw[i + 1] for i in range(0, len(raw) - 1, 2)}
    base = _key(doc, xref, "BaseFont")[1].lstrip("/")
    return CidFont(
        xref=xref,
        name=strip_subset_tag(_unescape_name(base)),
        descendant=desc,
        subtype=_key(doc, desc, "Subtype")[1],
        tounicode=_ref(doc, xref, "ToUnicode"),
        program=program,
        cid_to_gid=cid_to_gid,
    )


def _unescape_name(name: str) -> str:
    return re.sub(r"#([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def cid_fonts(doc: pymupdf.Document, unreadable: list[str] | None = None) -> dict[int, CidFont]:
    """Every Identity-encoded Type0 font any page (or form on a page) uses, by xref.

    A font whose objects cannot be read (a truncated file: MuPDF says "bad xref") is left
    out, its text then stands as extracted; ``unreadable`` gets a line for each such font
    (or page whose fonts cannot be listed)."""
    out: dict[int, CidFont] = {}
    seen: set[int] = set()
    for number, page in enumerate(doc, start=1):
        try:
            entries = page.get_fonts(full=True)
        except Exception as exc:  # MuPDF's FzError* are no RuntimeError
            if unreadable is not None:
                unreadable.append(f"page {number}: its fonts cannot be listed ({first_line(exc)})")
            continue
        for entry in entries:
            xref = entry[0]
            if xref in seen:
                continue
            seen.add(xref)
            try:
                font = load_cid_font(doc, xref)
            except Exception as exc:  # MuPDF's FzError*, ValueError("bad xref"), ...
                if unreadable is not None:
                    unreadable.append(f"font {entry[3] or xref} cannot be read ({first_line(exc)})")
                continue
            if font is not None:
                out[xref] = font
    return out


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# ---------------------------------------------------------------------------------------
# ToUnicode CMaps


# A bfrange spans at most 256 codes by the standard (only the last byte varies); producers
# stretch that, but a range over more than every 2-byte code is damage (a mutated map once
# asked for 2**32 codes and took 16 GB).
MAX_BFRANGE_CODES = 0xFFFF


def parse_tounicode(data: bytes) -> dict[int, str]:
    """Character code → text from the bfchar and bfrange blocks of a ToUnicode CMap."""
    out: dict[int, str] = {}
    for kind, body in _BLOCKS.findall(data):
        tokens: list[bytes | None] = []  # None marks an array bracket
        for m in _HEX.finditer(body):
            tokens.append(_hex_bytes(m.group(1)) if m.group(1) is not None else None)
        if kind == b"bfchar":
            for src, dst in zip(tokens[0::2], tokens[1::2]):
                if src is not None and dst is not None:
                    out[int.from_bytes(src, "big")] = _utf16(dst)
            continue
        i = 0
        while i + 2 < len(tokens):
            lo, hi, dst = tokens[i], tokens[i + 1], tokens[i + 2]
            if lo is None or hi is None:
                break
            first, last = int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
            if dst is None:  # an array: one destination per code
                i += 3
                code = first
                while i < len(tokens) and tokens[i] is not None:
                    if code <= last:
                        out[code] = _utf16(tokens[i] or b"")
                    code += 1
                    i += 1
                i += 1  # the closing bracket
                continue
            if last - first > MAX_BFRANGE_CODES:
                i += 3  # a damaged map: one range over every 2-byte code at most
                continue
            base = int.from_bytes(dst[-2:], "big") if len(dst) >= 2 else 0
            for code in range(first, last + 1):
                tail = (base + code - first) & 0xFFFF
                out[code] = _utf16(dst[:-2] + tail.to_bytes(2, "big"))
            i += 3
    return out


def _hex_bytes(text: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", text)
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))


def _utf16(raw: bytes) -> str:
    return raw.decode("utf-16-be", errors="replace")


def write_tounicode(mapping: dict[int, str], code_bytes: int = 2) -> bytes:
    """A ToUnicode CMap for two-byte codes (one-byte for a simple font's ``code_bytes=1``):
    consecutive runs as bfrange, the rest as bfchar.

    A bfrange only increments the destination's last byte and may not cross a boundary in
    the source's first byte, so runs are cut there.
    """
    ranges: list[tuple[int, int, str]] = []
    chars: list[tuple[int, str]] = []
    codes = sorted(mapping)
    i = 0
    while i < len(codes):
        first = codes[i]
        text = mapping[first]
        j = i + 1
        if _single_bmp(text):
            while j < len(codes):
                code, prev = codes[j], codes[j - 1]
                nxt = mapping[code]
                if not (
                    code == prev + 1
                    and code >> 8 == first >> 8
                    and _single_bmp(nxt)
                    and ord(nxt) == ord(mapping[prev]) + 1
                    and ord(nxt) >> 8 == ord(text) >> 8
                ):
                    break
                j += 1
        if j - i > 1:
            ranges.append((first, codes[j - 1], text))
        else:
            chars.append((first, text))
        i = j
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <FF>" if code_bytes == 1 else "<0000> <FFFF>",
        "endcodespacerange",
    ]
    digits = 2 * code_bytes
    for k in range(0, len(chars), _BLOCK):
        block = chars[k : k + _BLOCK]
        lines.append(f"{len(block)} beginbfchar")
        lines += [f"<{code:0{digits}X}> <{_utf16_hex(text)}>" for code, text in block]
        lines.append("endbfchar")
    for k in range(0, len(ranges), _BLOCK):
        block_r = ranges[k : k + _BLOCK]
        lines.append(f"{len(block_r)} beginbfrange")
        lines += [f"<{lo:0{digits}X}> <{hi:0{digits}X}> <{_utf16_hex(text)}>" for lo, hi, text in block_r]
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(lines).encode("ascii")


def _single_bmp(text: str) -> bool:
    return len(text) == 1 and ord(text) < 0x10000


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def read_tounicode(doc: pymupdf.Document, font: CidFont) -> dict[int, str]:
    if not font.tounicode:
        return {}
    return parse_tounicode(doc.xref_stream(font.tounicode) or b"")


# ---------------------------------------------------------------------------------------
# The embedded font program


def font_program(doc: pymupdf.Document, font: CidFont) -> bytes | None:
    if not font.program:
        return None
    return doc.xref_stream(font.program) or None


def open_program(program: bytes) -> TTFont | None:
    """The program as a fontTools font when it is an sfnt (TrueType or OpenType), else None."""
    try:
        return TTFont(io.BytesIO(program), lazy=True)
    except (TTLibError, AssertionError, ValueError, OSError, KeyError):
        return None


def glyph_unicodes(program: bytes) -> dict[int, list[str]] | None:
    """Glyph id → the characters the font's Unicode ``cmap`` subtables map to it.

    None when the program has no Unicode cmap at all (a stripped subset, a bare CFF).
    """
    ttf = open_program(program)
    if ttf is None or "cmap" not in ttf:
        return None
    try:
        order = {name: gid for gid, name in enumerate(ttf.getGlyphOrder())}
        out: dict[int, set[str]] = {}
        found = False
        for table in ttf["cmap"].tables:
            if not table.isUnicode():
                continue
            found = True
            for cp, name in table.cmap.items():
                gid = order.get(name)
                if gid is not None:
                    out.setdefault(gid, set()).add(chr(cp))
    except (TTLibError, AssertionError, ValueError, KeyError, IndexError):
        return None
    if not found:
        return None
    return {gid: sorted(chars, key=_preference) for gid, chars in out.items()}


def is_suspect(ch: str) -> bool:
    """A character no correct text layer of a Chinese form would contain.

    Private-use code points, U+FFFD, control characters, and the Kangxi radicals and CJK
    compatibility ideographs that broken producers emit for the unified ideograph.
    """
    if len(ch) != 1:
        return False
    cp = ord(ch)
    if ch == "\ufffd" or (unicodedata.category(ch) in {"Co", "Cc", "Cs"} and ch not in "\t\n\r"):
        return True
    return 0x2F00 <= cp <= 0x2FDF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F


def ideograph_candidates(ch: str) -> tuple[str, ...]:
    """The ideographs a glyph extracted as a compatibility code point can be.

    A CJK compatibility ideograph is canonically one ideograph (U+F979 is 凉). A Kangxi
    radical maps only by compatibility to the traditional form (⼾ → 戶, ⾨ → 門), and a font
    made for Simplified Chinese draws the radical with its simplified ideograph's glyph (户,
    门): either may be printed. Empty for any other character.
    """
    if not ch or not is_suspect(ch):
        return ()
    canonical = unicodedata.normalize("NFC", ch)
    if canonical != ch:
        return (canonical,) if len(canonical) == 1 and not is_suspect(canonical) else ()
    base = unicodedata.normalize("NFKC", ch)
    if len(base) != 1 or base == ch or is_suspect(base):
        return ()
    simplified = _t2s().convert(base)
    return (base,) if len(simplified) != 1 or simplified == base else (base, simplified)


def unified_form(ch: str) -> str | None:
    """The one ideograph ``ch`` can stand for (ideograph_candidates), where there is one:
    exact by Unicode's mapping, whatever the glyph looks like."""
    cands = ideograph_candidates(ch)
    return cands[0] if len(cands) == 1 else None


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _preference(ch: str) -> tuple[int, int]:
    return (1 if is_suspect(ch) else 0, ord(ch))


def _same_text(a: str, b: str) -> bool:
    return a == b or unicodedata.normalize("NFKC", a) == unicodedata.normalize("NFKC", b)


@dataclass
class CmapVerdict:
    """What the font's cmap says about the glyphs a text layer used."""

    repairs: dict[int, str]  # glyph id → the true character, only where the text layer is wrong
    uncovered: set[int]  # glyph ids the cmap does not know
    shifted: bool  # the disagreements have the shape of the shifted-ToUnicode defect


def repair_from_cmap(extracted: dict[int, str], unicodes: dict[int, list[str]]) -> CmapVerdict:
    """Compare each used glyph's extracted character with the font's own cmap.

    A glyph whose extracted character is a suspect code point (PUA, U+FFFD, a Kangxi
    radical, ...) is put right whenever the cmap offers a proper character. An ordinary
    character that disagrees with the cmap is changed only when the font as a whole shows
    the shifted-ToUnicode defect: nearly every disagreement then reads a few code points
    below the truth. A clean font yields no repairs at all.
    """
    repairs: dict[int, str] = {}
    uncovered: set[int] = set()
    ordinary: dict[int, str] = {}
    for gid, ch in extracted.items():
        if ch.isspace():
            continue
        cands = unicodes.get(gid)
        if not cands or is_suspect(cands[0]):
            uncovered.add(gid)
            continue
        if any(_same_text(ch, c) for c in cands) and not is_suspect(ch):
            continue
        if is_suspect(ch) or not ch:
            # A compatibility ideograph or Kangxi radical stands for one unified ideograph
            # (U+F979 is 凉), whatever else the font draws with the glyph (its Japanese
            # face maps 涼 there too).
            repairs[gid] = unified_form(ch) or cands[0]
        elif len(ch) == 1:
            ordinary[gid] = cands[0]
    below = sum(1 for gid, true in ordinary.items() if ord(true) > ord(extracted[gid]))
    shifted = below > 0 and below >= 0.8 * len(ordinary)
    if shifted:
        repairs.update(ordinary)
    return CmapVerdict(repairs=repairs, uncovered=uncovered, shifted=shifted)
