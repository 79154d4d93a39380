"""Load an input file into an InputDocument whose pages are produced one at a time.

A PDF page keeps its text layer and ruling lines when the text layer carries the page's
text; a page whose text layer is empty (a scan inside a PDF) is rendered to an image for
the OCR path instead. Image files (PNG, JPEG, TIFF, multi-page TIFF) are always OCR pages.
"""

from __future__ import annotations

import re
import stat
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from ocrform.canonical import DAMAGED, PAGES_LOST, Problem
from ocrform.errors import InputError
from ocrform.inputs import SUPPORTED_SUFFIXES, TEXT_SUFFIXES, folder_pages
from ocrform.model import InputDocument, Page
from ocrform.office import OFFICE_SUFFIXES
from ocrform.quiet import native_quiet, quiet_libraries
from ocrform.scan.imagefile import BadImage, read_image_header
from ocrform.words.pdf_text import read_ruling_lines, read_text_layer

# A page needs this many printable characters in its text layer before it is read as text;
# scanned PDFs often carry a stray page number or an invisible producer stamp.
MIN_TEXT_CHARS = 20
# A page whose pictures cover this share of its area is treated as a scan.
IMAGE_PAGE_COVER = 0.5
DEFAULT_DPI = 200
# Scans carry no trustworthy physical size; forms are A4, so the short side is 595 points.
A4_SHORT_SIDE_POINTS = 595.0

# Limits on a page's picture, checked from the file's headers before a pixel is decoded.
# Pixels: a 948 KB PNG can declare 30000 x 30000 pixels and took over 8 GiB once decoded.
# Measured peaks of `ocrform convert` on one page of an A4 scan rendered at 300, 600 and 900
# dpi (8.7, 34.8 and 78 Mpx): 0.54, 0.65 and 0.97 GB, about 0.5 GB and 6 bytes a pixel. 100 Mpx
# (A4 at 1000 dpi, A3 at 700 dpi) stays near 1.1 GB, with room under 2 GB for busier pages.
MAX_PAGE_PIXELS = 100_000_000
# The short side: a page 60 pixels wide is an A4 form at 7 dpi, where no character can be
# read, and 1 x 1 or 2 x 2 pictures broke OpenCV's resizes in the pre-processing.
MIN_PAGE_SIDE = 60
# The long side over the short: an A4 page is 1.41, a two-page spread 1.41 too; a page 8
# times as long as wide is no form page (an 8 x 8000 strip became a page 595 x 595000 points
# wide and took 5 GB).
MAX_PAGE_ASPECT = 8.0

quiet_libraries()


class PageLost(InputError):
    """One page of a document cannot be read; the others may still be (``pages_lost``)."""

    def __init__(self, path: Path | str, page: int, reason: str) -> None:
        super().__init__(path, f"page {page}: {reason}")
        self.page = page
        self.page_reason = reason


_MAGIC = {
    b"%PDF": "pdf",
    b"\x89PNG": "image",
    b"\xff\xd8\xff": "image",
    b"II*\x00": "image",
    b"MM\x00*": "image",
    b"BM": "image",
}


def sniff_kind(path: Path) -> str:
    """The input's kind from its first bytes, so a mis-named file is still read right. A
    folder is one document whose pages are its page images (see ``folder_pages``)."""
    if path.is_dir():
        if not folder_pages(path):
            raise InputError(path, "folder holds no page images (PNG, JPEG, TIFF or BMP)")
        return "image"
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            # Opening a FIFO waits for a writer that never comes: refused before it is opened.
            raise InputError(path, "not a regular file (a pipe, device or socket)")
        with path.open("rb") as fh:
            head = fh.read(1024)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None
    if not head:
        raise InputError(path, "empty file")
    # Some producers put junk before the PDF header; readers accept it within the first KiB.
    if b"%PDF" in head:
        return "pdf"
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in OFFICE_SUFFIXES:  # Word and Excel originals: ocrform.office checks the content
        return "office"
    if suffix in SUPPORTED_SUFFIXES:
        raise InputError(path, f"not a valid {suffix[1:].upper()} file (unrecognised content)")
    raise InputError(
        path, "unsupported file type (expected a PDF, PNG, JPEG, TIFF, a .txt text dump, or a Word or Excel file)"
    )


def load_document(path: Path | str, dpi: int = DEFAULT_DPI) -> InputDocument:
    path = Path(path)
    kind = sniff_kind(path)
    if path.is_dir():
        return _load_image_folder(path)
    if kind == "pdf":
        return _load_pdf(path, dpi)
    return _load_image(path)


def _load_pdf(path: Path, dpi: int) -> InputDocument:
    pymupdf.TOOLS.reset_mupdf_warnings()
    try:
        pdf = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for damaged files
        raise InputError(path, f"corrupt or unreadable PDF ({_first_line(exc)})") from None
    if pdf.needs_pass:
        raise InputError(path, "encrypted PDF (a password is required)")
    if pdf.page_count == 0:
        raise InputError(path, "PDF has no pages")
    problems: list[Problem] = []
    if pdf.is_repaired:
        # MuPDF rebuilt the cross-reference table: the file is cut short or corrupt, and
        # whatever lay in the lost part (a scan's picture, a font) is missing from the pages.
        problems.append(Problem(code=DAMAGED, detail=f"the PDF is truncated or corrupt ({_mupdf_news()})"))
    pymupdf.TOOLS.reset_mupdf_warnings()

    def load_page(index: int) -> Page:
        try:
            pdf_page = pdf[index]
            words = read_text_layer(pdf_page, index)
            rect = pdf_page.rect
            if sum(len(w.text) for w in words) >= MIN_TEXT_CHARS or not _mostly_image(pdf_page):
                page = Page(
                    index=index,
                    width=rect.width,
                    height=rect.height,
                    words=words,
                    segments=read_ruling_lines(pdf_page),
                    kind="pdf-text",
                )
                _note_mupdf_damage(problems, index)
                return page
            _check_render(path, pdf_page, index, dpi)
            pix = pdf_page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
            # MuPDF keeps each decoded page image in its resource store (up to 256 MB), never
            # to be drawn again: emptied, a 51-page scan peaks 260 MB lower.
            pymupdf.TOOLS.store_shrink(100)
        except InputError:
            raise
        except Exception as exc:
            raise PageLost(path, index + 1, f"cannot be read ({_first_line(exc)})") from None
        _note_mupdf_damage(problems, index)
        image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3)
        return Page(
            index=index,
            width=rect.width,
            height=rect.height,
            kind="pdf-image",
            image=cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
            pixels_per_point=dpi / 72.0,
        )

    return InputDocument(
        path=path, kind="pdf", page_count=pdf.page_count, load_page=load_page, pdf=pdf, problems=problems
    )


# MuPDF's warnings that mean content is missing (a stream or object cut off or unparsable);
# others are no damage: clean LibreOffice exports draw "FT_Get_Advance(...): invalid glyph
# index" for a font's unused glyph.
_DAMAGE = re.compile(
    r"cannot (?:load|find|parse|read)|premature|truncat|zlib error|read error|unexpected end|syntax error"
    r"|format error|missing|broken|corrupt|not a stream|end of (?:data|file)|repair",
    re.IGNORECASE,
)


def _mupdf_news() -> str:
    """MuPDF's warnings since they were last read that mean damage, on one line (the first few)."""
    lines = [ln.strip() for ln in pymupdf.TOOLS.mupdf_warnings(reset=True).splitlines() if _DAMAGE.search(ln)]
    text = "; ".join(dict.fromkeys(lines[:4]))
    return text if len(text) <= 200 else text[:197] + "..."


def _note_mupdf_damage(problems: list[Problem], index: int) -> None:
    """A page whose content MuPDF could not wholly read (a stream cut short, an object
    missing): ``damaged``, with MuPDF's words."""
    news = _mupdf_news()
    if news:
        problems.append(Problem(code=DAMAGED, detail=f"page {index + 1}: {news}"))


def _check_render(path: Path, pdf_page: pymupdf.Page, index: int, dpi: int) -> None:
    """Refuse a page whose rendering, or a picture on it that MuPDF would decode whole, is
    over ``MAX_PAGE_PIXELS`` (read from the page's size and the pictures' dictionaries)."""
    rect = pdf_page.rect
    scale = dpi / 72.0
    width, height = round(rect.width * scale), round(rect.height * scale)
    _check_size(path, index, width, height, what=f"rendered at {dpi} dpi")
    for info in pdf_page.get_images(full=True):
        w, h = int(info[2] or 0), int(info[3] or 0)
        if w * h > MAX_PAGE_PIXELS:
            raise PageLost(
                path, index + 1, f"holds a {w} x {h} pixel picture, over the limit of {_mpx(MAX_PAGE_PIXELS)}"
            )


def _check_size(path: Path, index: int, width: int, height: int, what: str = "") -> None:
    """Refuse a page picture over the limits (see MAX_PAGE_PIXELS, MIN_PAGE_SIDE, MAX_PAGE_ASPECT)."""
    size = f"{width} x {height} pixels" + (f" {what}" if what else "")
    short, long = min(width, height), max(width, height)
    if width * height > MAX_PAGE_PIXELS:
        raise PageLost(path, index + 1, f"{size}, over the limit of {_mpx(MAX_PAGE_PIXELS)}")
    if short < MIN_PAGE_SIDE:
        raise PageLost(path, index + 1, f"{size}, too small to hold a form (at least {MIN_PAGE_SIDE} a side)")
    if long > MAX_PAGE_ASPECT * short:
        raise PageLost(path, index + 1, f"{size}, too long and narrow for a form page")


def _mpx(pixels: int) -> str:
    return f"{pixels / 1e6:g} megapixels"


def _mostly_image(pdf_page: pymupdf.Page) -> bool:
    """Whether pictures cover most of the page: a scan, whose few text chars (if any) are no form."""
    area = pdf_page.rect.width * pdf_page.rect.height
    covered = sum(pymupdf.Rect(info["bbox"]).get_area() for info in pdf_page.get_image_info())
    return covered >= IMAGE_PAGE_COVER * area


def _load_image(path: Path) -> InputDocument:
    """An image file's frames, each a page, decoded one at a time (a 50-page TIFF must not sit
    in memory at once), each checked from the headers before it is decoded."""
    try:
        header = read_image_header(path)
    except BadImage as exc:
        raise InputError(path, f"corrupt or unreadable image ({exc})") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None
    frames = header.frames
    for index, (width, height) in enumerate(frames):
        try:
            _check_size(path, index, width, height)
        except PageLost as exc:
            # One page over the limits refuses the file: it is no scan of a form.
            raise InputError(path, exc.reason if len(frames) > 1 else exc.page_reason) from None
    problems: list[Problem] = []
    if header.truncated and not header.frames_unknown:
        problems.append(Problem(code=DAMAGED, detail=header.truncated))
    if header.frames_unknown:
        problems.append(
            Problem(code=PAGES_LOST, detail=f"{header.truncated}: only {len(frames)} page(s) could be found")
        )
    multi = header.format == "tiff"

    def load_page(index: int) -> Page:
        with native_quiet():
            if multi:
                ok, found = cv2.imreadmulti(str(path), start=index, count=1, flags=cv2.IMREAD_COLOR)
                image = found[0] if ok and found else None
            else:
                image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None or image.size == 0:
            why = f" ({header.truncated})" if index in header.frames_cut and header.truncated else ""
            raise PageLost(path, index + 1, f"the picture cannot be decoded{why}")
        height, width = image.shape[:2]
        if (width, height) != frames[index][:2] and (height, width) != frames[index][:2]:
            _check_size(path, index, width, height)
        ppp = min(width, height) / A4_SHORT_SIDE_POINTS
        return Page(
            index=index,
            width=width / ppp,
            height=height / ppp,
            kind="image",
            image=image,
            pixels_per_point=ppp,
        )

    return InputDocument(path=path, kind="image", page_count=len(frames), load_page=load_page, problems=problems)


def _load_image_folder(folder: Path) -> InputDocument:
    """A document scanned one image per page: its pages are the folder's images in natural
    order, each frame of a multi-page TIFF a page, decoded one at a time."""
    # Each file opens as an image document (a corrupt one is an error naming that file).
    files = {file: _load_image(file) for file in folder_pages(folder)}
    frames = [(file, k) for file, doc in files.items() for k in range(doc.page_count)]
    problems = [
        Problem(code=problem.code, detail=f"{file.name}: {problem.detail}")
        for file, doc in files.items()
        for problem in doc.problems
    ]

    def load_page(index: int) -> Page:
        file, frame = frames[index]
        try:
            return replace(files[file].load_page(frame), index=index)
        except PageLost as exc:
            raise PageLost(folder, index + 1, f"{file.name}: {exc.page_reason}") from None

    return InputDocument(path=folder, kind="image", page_count=len(frames), load_page=load_page, problems=problems)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
