"""What an office file must pass before any reader opens it.

A .docx or .xlsx is a zip of XML parts. Its central directory says how large each part
unpacks and how tightly it was packed; both are checked before a byte is unpacked, so a zip
bomb named .docx is refused in the time it takes to read the directory. (Python's zipfile
never unpacks a part beyond the size its directory states: a directory that lies ends in a
CRC error, not in unbounded memory.) A spreadsheet's sheets are then streamed once to count
the rows and columns that hold values, before openpyxl builds them in memory.

A password-protected Office file is no zip at all but an OLE compound file holding an
``EncryptedPackage`` stream; the legacy formats (.doc, .xls, .wps, .et) are OLE files too.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.parsers import expat

from ocrform.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The largest office file read (bytes on disk), and what its parts may unpack to in all: a
# filled-in form is tens of kilobytes (the fixtures: 12-50 KB, unpacking to 40-400 KB), more
# with a scanned seal or photo in it. An XML part is parsed into a tree some ten times its
# size, so each is held to less (the fixtures' largest: 380 KB).
MAX_FILE_BYTES = 128 << 20
MAX_UNPACKED_BYTES = 128 << 20
MAX_XML_PART_BYTES = 16 << 20
# Parts in the package, and the packing ratio a part larger than RATIO_CHECKED_BYTES may have.
# XML packs 5-20 times (the fixtures' largest part: 13x); a zip bomb a thousand times or more.
MAX_PARTS = 2000
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_BYTES = 1 << 20
# A sheet with values beyond these is no form (a form's sheet: 20-150 rows, 5-30 columns).
MAX_SHEET_ROWS = 10000
MAX_SHEET_COLUMNS = 256
# Cells a workbook's sheets may hold in all, empty formatted ones and every place a merged
# range covers included: openpyxl builds each (some 350 bytes and 20 us apiece: 200,000 load
# in 4 s and 70 MB). A form has 1-5 thousand.
MAX_WORKBOOK_CELLS = 200_000
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_RANGE = re.compile(r"\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)")


def file_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(8)


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(path, f"office file too large ({size >> 20} MiB; the limit is {MAX_FILE_BYTES >> 20} MiB)")


def is_encrypted_ole(path: Path) -> bool:
    """Whether an OLE compound file is an encrypted Office package (a password-protected
    .docx or .xlsx): its directory names an ``EncryptedPackage`` stream."""
    check_size(path)
    tail = b""
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            if _ENCRYPTED_STREAM in tail + chunk:
                return True
            tail = chunk[-len(_ENCRYPTED_STREAM) :]
    return False


def open_package(path: Path, what: str) -> zipfile.ZipFile:
    """The file's zip, after its directory passed the limits; ``what`` names it in errors."""
    check_size(path)
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(path, f"corrupt {what} (not a readable zip package: {exc})") from None
    try:
        check_directory(path, package.infolist(), what)
    except InputError:
        package.close()
        raise
    return package


def check_directory(path: Path, parts: list[zipfile.ZipInfo], what: str) -> None:
    if len(parts) > MAX_PARTS:
        raise InputError(path, f"refused: {what} has {len(parts)} parts (the limit is {MAX_PARTS})")
    total = 0
    for info in parts:
        if info.flag_bits & 0x1:
            raise InputError(path, f"password-protected {what} (an encrypted zip part: {info.filename})")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise InputError(
                path,
                f"refused as a zip bomb: part {info.filename} unpacks {ratio:.0f} times its packed size "
                f"(the limit is {MAX_COMPRESSION_RATIO})",
            )
        if info.filename.endswith((".xml", ".rels", ".vml")) and info.file_size > MAX_XML_PART_BYTES:
            raise InputError(
                path,
                f"refused: part {info.filename} of the {what} unpacks to {info.file_size >> 20} MiB "
                f"(the limit is {MAX_XML_PART_BYTES >> 20} MiB)",
            )
    if total > MAX_UNPACKED_BYTES:
        raise InputError(
            path,
            f"refused: {what} unpacks to {total >> 20} MiB (the limit is {MAX_UNPACKED_BYTES >> 20} MiB)",
        )


def check_sheet_extent(path: Path, package: zipfile.ZipFile) -> None:
    """Refuse a workbook whose sheets hold values beyond MAX_SHEET_ROWS or MAX_SHEET_COLUMNS,
    streaming each sheet's XML once (bounded memory: each row is dropped once counted)."""
    cells = 0
    for name in package.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        rows, cols, count = _extent(package, name)
        sheet = name.rsplit("/", 1)[-1][:-4]
        cells += count
        if cells > MAX_WORKBOOK_CELLS:
            raise InputError(
                path, f"workbook holds over {MAX_WORKBOOK_CELLS} cells (the limit; a form has a few thousand)"
            )
        if rows > MAX_SHEET_ROWS:
            raise InputError(
                path, f"sheet {sheet} holds values down to row {rows} (the limit is {MAX_SHEET_ROWS} rows)"
            )
        if cols > MAX_SHEET_COLUMNS:
            raise InputError(
                path, f"sheet {sheet} holds values out to column {cols} (the limit is {MAX_SHEET_COLUMNS} columns)"
            )


def _extent(package: zipfile.ZipFile, name: str) -> tuple[int, int, int]:
    """(last row, last column) of a sheet's cells that hold a value or lie in a merged range,
    and how many cells openpyxl would build for it (an expat stream: no tree is built)."""
    state = {"row": 0, "ref": "", "last_row": 0, "last_col": 0, "cells": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit("}", 1)[-1]
        if local == "row":
            state["row"] = int(attrs.get("r") or state["row"] + 1)
        elif local == "c":
            state["ref"] = attrs.get("r", "")
            state["cells"] = int(state["cells"]) + 1
        elif local == "mergeCell":
            # openpyxl makes a cell of every place a merged range covers.
            m = _RANGE.fullmatch(attrs.get("ref", ""))
            if m:
                r0, r1 = int(m.group(2)), int(m.group(4))
                c0, c1 = _column_number(m.group(1)), _column_number(m.group(3))
                state["cells"] = int(state["cells"]) + (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
                state["last_row"] = max(int(state["last_row"]), r0, r1)
                state["last_col"] = max(int(state["last_col"]), c0, c1)
        elif local in ("v", "is"):
            m = _CELL_REF.match(str(state["ref"]))
            row = int(m.group(2)) if m else int(state["row"])
            col = _column_number(m.group(1)) if m else 1
            state["last_row"] = max(int(state["last_row"]), row)
            state["last_col"] = max(int(state["last_col"]), col)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    try:
        with package.open(name) as fh:
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (expat.ExpatError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(Path(package.filename or name), f"corrupt workbook part {name} ({exc})") from None
    return int(state["last_row"]), int(state["last_col"]), int(state["cells"])


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
