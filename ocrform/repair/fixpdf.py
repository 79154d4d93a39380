"""``ocrform fix-pdf``: write a copy of a PDF whose text layer says what its pages show.

Only the ToUnicode CMaps of the fonts found wrong are rewritten; content streams, fonts
and everything else stay as they are, so every page renders exactly as before while
copy, search and any other tool now extract the right text. A PDF with nothing to repair
is copied byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from ocrform.batch.outputs import write_atomic
from ocrform.errors import InputError
from ocrform.repair.font import CidFont, cid_fonts, parse_tounicode, read_tounicode, write_tounicode
from ocrform.repair.pdf import (
    SIMPLE_FONTS,
    FontRepair,
    font_family,
    plan_font_repairs,
    plan_simple_font_repairs,
    same_family,
)
from ocrform.words.pdf_text import read_text_layer


@dataclass
class FixReport:
    src: Path
    dst: Path
    fonts: list[FontRepair] = field(default_factory=list)  # every font judged
    changed: bool = False  # False: dst is a byte copy of src

    @property
    def repaired_glyphs(self) -> int:
        return sum(f.changes for f in self.fonts)

    def __str__(self) -> str:
        if not self.changed:
            return f"text layer already correct in {len(self.fonts)} font(s); copied unchanged"
        parts = [
            f"{f.name}: {f.changes} of {f.glyphs} glyphs by {f.method} ({f.seconds:.2f} s)"
            for f in self.fonts
            if f.changes
        ]
        return "repaired " + "; ".join(parts)


def fix_pdf(src: Path | str, dst: Path | str) -> FixReport:
    """Write ``dst``: ``src`` with its fonts' ToUnicode maps repaired (or a byte copy).

    Raises ``InputError`` naming ``src`` for an input that is no readable PDF, and naming
    ``dst`` for an output that cannot be written. ``dst`` appears whole or not at all (a
    temporary file beside it, synced, then renamed), so ``dst`` may be ``src`` itself.
    """
    from ocrform.document import sniff_kind

    src, dst = Path(src), Path(dst)
    if sniff_kind(src) != "pdf":  # refuses folders, pipes, empty files; names what it found
        raise InputError(src, "not a PDF (fix-pdf repairs PDF files only)")
    if dst.is_dir():
        raise InputError(dst, "is a directory (give the output PDF's path)")
    if not dst.parent.is_dir():
        raise InputError(dst, "cannot write: its folder does not exist")
    try:
        doc = pymupdf.open(src, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for damaged files
        raise InputError(src, f"corrupt or unreadable PDF ({_first_line(exc)})") from None
    try:
        if doc.needs_pass:
            raise InputError(src, "encrypted PDF (a password is required)")
        try:
            report = _fix(doc, src, dst)
            data = doc.tobytes(garbage=1, deflate=True) if report.changed else src.read_bytes()
        except Exception as exc:  # MuPDF (FzError*, ValueError) or fontTools on objects they cannot read
            raise InputError(src, f"damaged PDF ({_first_line(exc)})") from None
    finally:
        doc.close()
    _write_atomic(dst, data)
    return report


def _fix(doc: pymupdf.Document, src: Path, dst: Path) -> FixReport:
    fonts = cid_fonts(doc)
    words = [w for i, page in enumerate(doc) for w in read_text_layer(page, i)]
    plans = plan_font_repairs(doc, words, fonts) + plan_simple_font_repairs(doc, words, fonts)
    report = FixReport(src=src, dst=dst, fonts=plans)
    for plan in report.fonts:
        if plan.changes and plan.xref:
            _rewrite_tounicode(doc, fonts[plan.xref], plan)
            report.changed = True
        elif plan.changes:
            report.changed |= _rewrite_simple_fonts(doc, plan)
    return report


def _write_atomic(dst: Path, data: bytes) -> None:
    """``dst`` holds ``data`` whole, or is as it was (the batch's writer: a temporary in its
    folder, synced, renamed over it, permissions kept); a failure is the user's one line."""
    try:
        write_atomic(dst, data)
    except OSError as exc:
        raise InputError(dst, f"cannot write ({exc.strerror})") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _rewrite_tounicode(doc: pymupdf.Document, font: CidFont, plan: FontRepair) -> None:
    """The font's ToUnicode with every code of a repaired glyph mapped to its true character.

    Codes of glyphs the text layer showed but the old map lacked get the character they
    extracted as, so a reader that used to fall back on something else still finds them.
    """
    mapping = read_tounicode(doc, font)
    if plan.true_by_char:
        mapping = {cid: plan.true_by_char.get(ch, ch) for cid, ch in mapping.items()}
    gids = set(plan.extracted)
    for cid in _cids(font, gids):
        gid = font.gid(cid)
        if gid in plan.true_by_gid:
            mapping[cid] = plan.true_by_gid[gid]
        elif cid not in mapping and plan.extracted[gid]:
            mapping[cid] = plan.extracted[gid]
    data = write_tounicode(mapping)
    if font.tounicode:
        doc.update_stream(font.tounicode, data)
        return
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, data)
    doc.xref_set_key(font.xref, "ToUnicode", f"{xref} 0 R")


def _rewrite_simple_fonts(doc: pymupdf.Document, plan: FontRepair) -> bool:
    """The ToUnicode of every one-byte font of the plan's family, each character the plan
    repairs mapped to its true one. Whether any map changed."""
    changed = False
    done: set[int] = set()
    for page in doc:
        for xref, _ext, subtype, basefont, *_ in page.get_fonts(full=True):
            if (
                xref in done
                or subtype not in SIMPLE_FONTS
                or not same_family(font_family(basefont or subtype), plan.name)
            ):
                continue
            done.add(xref)
            kind, value = doc.xref_get_key(xref, "ToUnicode")
            if kind != "xref":
                continue
            stream = int(value.split()[0])
            mapping = parse_tounicode(doc.xref_stream(stream) or b"")
            fixed = {code: plan.true_by_char.get(ch, ch) for code, ch in mapping.items()}
            if fixed != mapping:
                doc.update_stream(stream, write_tounicode(fixed, code_bytes=1))
                changed = True
    return changed


def _cids(font: CidFont, gids: set[int]) -> list[int]:
    if font.cid_to_gid is None:
        return sorted(gids)
    return sorted(cid for cid, gid in font.cid_to_gid.items() if gid in gids)
