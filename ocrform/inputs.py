"""Which files ocrform reads, and how an input is named and hashed, without reading any:
what the command line needs to find and plan a batch, light enough to load before the
workers' server has loaded the converter (``batch.server``)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES
# Text dumps carry no magic bytes; the name is all there is to go by.
TEXT_SUFFIXES = {".txt"}

_DIGITS = re.compile(r"(\d+)")


def folder_pages(folder: Path) -> list[Path]:
    """A folder's page images in natural name order (page_2 before page_10); files directly
    in it only, hidden ones left out."""
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    return sorted((p for p in files if not p.name.startswith(".")), key=natural_key)


def natural_key(path: Path) -> list[tuple[int, int | str]]:
    """scan_2 before scan_10: digit runs compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part.lower()) for part in _DIGITS.split(path.name) if part]


def input_sha256(path: Path) -> str:
    """The input's hash (``Source.sha256``): the file's bytes; a folder document's pages'
    names and bytes, in page order."""
    h = hashlib.sha256()
    for file in folder_pages(path) if path.is_dir() else [path]:
        if not file.is_file():  # opening a FIFO to hash it would wait for a writer forever
            raise OSError(f"{file}: not a regular file")
        if path.is_dir():
            h.update(file.name.encode() + b"\0")
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()
