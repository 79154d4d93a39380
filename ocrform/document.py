"""Load an input file into an InputDocument whose pages are produced one at a time.

A PDF page keeps its text layer and ruling lines when the text layer carries the page's
text; a page whose text layer is empty (a scan inside a PDF) is rendered to an image for
the OCR path instead. Image files (PNG, JPEG, TIFF, multi-page TIFF) are always OCR pages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from ocrform.errors import InputError
from ocrform.model import InputDocument, Page
from ocrform.office import OFFICE_SUFFIXES
from ocrform.words.pdf_text import read_ruling_lines, read_text_layer

PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES
# Text dumps carry no magic bytes; the name is all there is to go by.
TEXT_SUFFIXES = {".txt"}

# A page needs this many printable characters in its text layer before it is read as text;
# scanned PDFs often carry a stray page number or an invisible producer stamp.
MIN_TEXT_CHARS = 20
# A page whose pictures cover this share of its area is treated as a scan.
IMAGE_PAGE_COVER = 0.5
DEFAULT_DPI = 200
# Scans carry no trustworthy physical size; forms are A4, so the short side is 595 points.
A4_SHORT_SIDE_POINTS = 595.0

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
    try:
        pdf = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for damaged files
        raise InputError(path, f"corrupt or unreadable PDF ({_first_line(exc)})") from None
    if pdf.needs_pass:
        raise InputError(path, "encrypted PDF (a password is required)")
    if pdf.page_count == 0:
        raise InputError(path, "PDF has no pages")

    def load_page(index: int) -> Page:
        try:
            pdf_page = pdf[index]
            words = read_text_layer(pdf_page, index)
            rect = pdf_page.rect
            if sum(len(w.text) for w in words) >= MIN_TEXT_CHARS or not _mostly_image(pdf_page):
                return Page(
                    index=index,
                    width=rect.width,
                    height=rect.height,
                    words=words,
                    segments=read_ruling_lines(pdf_page),
                    kind="pdf-text",
                )
            pix = pdf_page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
            # MuPDF keeps each decoded page image in its resource store (up to 256 MB), never
            # to be drawn again: emptied, a 51-page scan peaks 260 MB lower.
            pymupdf.TOOLS.store_shrink(100)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(path, f"page {index + 1} cannot be read ({_first_line(exc)})") from None
        image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3)
        return Page(
            index=index,
            width=rect.width,
            height=rect.height,
            kind="pdf-image",
            image=cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
            pixels_per_point=dpi / 72.0,
        )

    return InputDocument(path=path, kind="pdf", page_count=pdf.page_count, load_page=load_page, pdf=pdf)


def _mostly_image(pdf_page: pymupdf.Page) -> bool:
    """Whether pictures cover most of the page: a scan, whose few text chars (if any) are no form."""
    area = pdf_page.rect.width * pdf_page.rect.height
    covered = sum(pymupdf.Rect(info["bbox"]).get_area() for info in pdf_page.get_image_info())
    return covered >= IMAGE_PAGE_COVER * area


def _load_image(path: Path) -> InputDocument:
    # Frames are decoded one at a time: a 50-page TIFF must not sit in memory at once.
    try:
        count = cv2.imcount(str(path))
    except cv2.error:
        count = 0
    if count <= 0:
        raise InputError(path, "corrupt or unreadable image")

    def load_page(index: int) -> Page:
        ok, frames = cv2.imreadmulti(str(path), start=index, count=1, flags=cv2.IMREAD_COLOR)
        if not ok or not frames:
            raise InputError(path, f"image page {index + 1} cannot be decoded")
        image = frames[0]
        height, width = image.shape[:2]
        ppp = min(width, height) / A4_SHORT_SIDE_POINTS
        return Page(
            index=index,
            width=width / ppp,
            height=height / ppp,
            kind="image",
            image=image,
            pixels_per_point=ppp,
        )

    return InputDocument(path=path, kind="image", page_count=count, load_page=load_page)


def folder_pages(folder: Path) -> list[Path]:
    """A folder's page images in natural name order (page_2 before page_10); files directly
    in it only, hidden ones left out."""
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    return sorted((p for p in files if not p.name.startswith(".")), key=natural_key)


def natural_key(path: Path) -> list[tuple[int, int | str]]:
    """scan_2 before scan_10: digit runs compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part.lower()) for part in _DIGITS.split(path.name) if part]


_DIGITS = re.compile(r"(\d+)")


def _load_image_folder(folder: Path) -> InputDocument:
    """A document scanned one image per page: its pages are the folder's images in natural
    order, each frame of a multi-page TIFF a page, decoded one at a time."""
    # Each file opens as an image document (a corrupt one is an error naming that file).
    files = {file: _load_image(file) for file in folder_pages(folder)}
    frames = [(file, k) for file, doc in files.items() for k in range(doc.page_count)]

    def load_page(index: int) -> Page:
        file, frame = frames[index]
        return replace(files[file].load_page(frame), index=index)

    return InputDocument(path=folder, kind="image", page_count=len(frames), load_page=load_page)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def input_sha256(path: Path) -> str:
    """The input's hash (``Source.sha256``): the file's bytes; a folder document's pages'
    names and bytes, in page order."""
    h = hashlib.sha256()
    for file in folder_pages(path) if path.is_dir() else [path]:
        if path.is_dir():
            h.update(file.name.encode() + b"\0")
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()
