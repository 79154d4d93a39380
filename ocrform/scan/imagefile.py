"""What an image file's headers say, read without decoding a pixel.

A page image is checked before it is decoded: its size (a 948 KB PNG can declare 30000 x
30000 pixels and take 8 GiB once decoded) and whether the file is whole (a TIFF cut short
silently loses its later pages, a JPEG cut short decodes as a grey lower half). PNG (IHDR
and the chunk chain up to IEND), JPEG (SOF and the EOI after the scan), TIFF and BigTIFF
(every IFD, with its strips or tiles) and BMP are read here; OpenCV has no header-only read.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

# A chain of IFDs longer than this is a loop or junk, not a scanned document.
MAX_TIFF_PAGES = 10_000


class BadImage(Exception):
    """The headers cannot be read: not an image this module (or any decoder) can make sense of."""


@dataclass
class ImageHeader:
    """The format, each frame's (width, height) in pixels, and why the file looks cut short.

    ``truncated`` names what is missing when the file ends early (None: it is whole);
    ``frames_cut`` counts the frames found whose pixel data runs past the end of the file, and
    ``frames_unknown`` whether further frames may be lost with the IFD chain cut off.
    """

    format: str
    frames: list[tuple[int, int]] = field(default_factory=list)
    truncated: str | None = None
    frames_cut: list[int] = field(default_factory=list)  # 0-based frames whose data is cut
    frames_unknown: bool = False


def read_image_header(path: Path) -> ImageHeader:
    with path.open("rb") as fh:
        try:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            raise BadImage("empty file") from None
    with data:
        try:
            if data[:8] == b"\x89PNG\r\n\x1a\n":
                return _png(data)
            if data[:3] == b"\xff\xd8\xff":
                return _jpeg(data)
            if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
                return _tiff(data)
            if data[:2] == b"BM":
                return _bmp(data)
        except (struct.error, IndexError, ValueError, OverflowError) as exc:
            raise BadImage(f"header cannot be read ({type(exc).__name__})") from None
    raise BadImage("unrecognised image format")


def _png(data: mmap.mmap) -> ImageHeader:
    size = len(data)
    if size < 33 or data[12:16] != b"IHDR":
        raise BadImage("PNG without an IHDR header")
    width, height = struct.unpack(">II", data[16:24])
    header = ImageHeader("png", [(width, height)])
    pos = 8
    seen_data = False
    while True:
        if pos + 8 > size:
            header.truncated = (
                "the PNG ends before its IEND chunk" if seen_data else "the PNG ends before its image data"
            )
            break
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if kind == b"IDAT":
            seen_data = True
        if end > size:
            header.truncated = "the PNG ends inside its image data" if kind == b"IDAT" else "the PNG is cut short"
            break
        if kind == b"IEND":
            break
        pos = end
    if header.truncated:
        header.frames_cut = [0]
    return header


# Start-of-frame markers (baseline, extended, progressive, lossless, arithmetic); not DHT (C4),
# JPG (C8) or DAC (CC).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: mmap.mmap) -> ImageHeader:
    size = len(data)
    pos = 2
    frame: tuple[int, int] | None = None
    while pos + 4 <= size:
        if data[pos] != 0xFF:
            raise BadImage("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF and pos + 9 <= size:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            frame = (width, height)
        if marker == 0xDA:  # start of scan: entropy-coded data follows, up to EOI
            if frame is None:
                raise BadImage("JPEG scan before its frame header")
            header = ImageHeader("jpeg", [frame])
            # In the coded data a 0xFF byte is stuffed (FF 00), so FF D9 is the true EOI.
            if data.find(b"\xff\xd9", pos + 2 + length) < 0:
                header.truncated = (
                    "the JPEG ends before its end-of-image marker (the lower part of the picture is lost)"
                )
                header.frames_cut = [0]
            return header
        if marker == 0xD9:
            break
        pos += 2 + length
    if frame is None:
        raise BadImage("JPEG without a frame header")
    header = ImageHeader("jpeg", [frame], "the JPEG ends before its image data", [0])
    return header


_TIFF_TYPES = {1: ("B", 1), 3: ("H", 2), 4: ("I", 4), 16: ("Q", 8), 6: ("b", 1), 8: ("h", 2), 9: ("i", 4), 17: ("q", 8)}
_WIDTH, _LENGTH, _STRIP_OFFSETS, _STRIP_COUNTS, _TILE_OFFSETS, _TILE_COUNTS = 256, 257, 273, 279, 324, 325


def _tiff(data: mmap.mmap) -> ImageHeader:
    size = len(data)
    order = "<" if data[:2] == b"II" else ">"
    big = data[2:4] in (b"+\x00", b"\x00+")
    if big:
        (ifd,) = struct.unpack(order + "Q", data[8:16])
        count_fmt, entry_size, offset_fmt, inline = "Q", 20, "Q", 8
    else:
        (ifd,) = struct.unpack(order + "I", data[4:8])
        count_fmt, entry_size, offset_fmt, inline = "H", 12, "I", 4
    count_size = struct.calcsize(count_fmt)
    offset_size = struct.calcsize(offset_fmt)
    header = ImageHeader("tiff")
    seen: set[int] = set()
    while ifd:
        if ifd in seen or len(seen) >= MAX_TIFF_PAGES:
            break  # a loop in the chain: the frames found so far are the document
        seen.add(ifd)
        if ifd + count_size > size:
            header.truncated = f"the TIFF ends before page {len(header.frames) + 1}'s header (later pages lost)"
            header.frames_unknown = True
            break
        (n,) = struct.unpack(order + count_fmt, data[ifd : ifd + count_size])
        end = ifd + count_size + n * entry_size + offset_size
        if end > size:
            header.truncated = f"the TIFF ends inside page {len(header.frames) + 1}'s header (later pages lost)"
            header.frames_unknown = True
            break
        tags: dict[int, list[int]] = {}
        for k in range(n):
            at = ifd + count_size + k * entry_size
            tag, kind = struct.unpack(order + "HH", data[at : at + 4])
            if tag not in (_WIDTH, _LENGTH, _STRIP_OFFSETS, _STRIP_COUNTS, _TILE_OFFSETS, _TILE_COUNTS):
                continue
            if kind not in _TIFF_TYPES:
                raise BadImage(f"TIFF tag {tag} of unknown type {kind}")
            (count,) = struct.unpack(order + count_fmt.replace("H", "I"), data[at + 4 : at + 4 + offset_size])
            fmt, width = _TIFF_TYPES[kind]
            nbytes = count * width
            if nbytes <= inline:
                where = at + 4 + offset_size
            else:
                (where,) = struct.unpack(order + offset_fmt, data[at + 4 + offset_size : at + 4 + 2 * offset_size])
            if where + nbytes > size:
                tags[tag] = []  # the values lie beyond the end: the page is cut
                continue
            tags[tag] = list(struct.unpack(f"{order}{count}{fmt}", data[where : where + nbytes]))
        page = len(header.frames)
        if not tags.get(_WIDTH) or not tags.get(_LENGTH):
            raise BadImage(f"TIFF page {page + 1} without a size")
        header.frames.append((tags[_WIDTH][0], tags[_LENGTH][0]))
        offsets = tags.get(_STRIP_OFFSETS, tags.get(_TILE_OFFSETS))
        counts = tags.get(_STRIP_COUNTS, tags.get(_TILE_COUNTS))
        if not offsets or not counts or max(o + c for o, c in zip(offsets, counts)) > size:
            header.frames_cut.append(page)
            header.truncated = header.truncated or f"the TIFF ends inside page {page + 1}'s image data"
        (ifd,) = struct.unpack(order + offset_fmt, data[end - offset_size : end])
    if not header.frames:
        raise BadImage("TIFF without a readable page")
    return header


def _bmp(data: mmap.mmap) -> ImageHeader:
    size = len(data)
    (pixels_at,) = struct.unpack("<I", data[10:14])
    (dib,) = struct.unpack("<I", data[14:18])
    if dib == 12:
        width, height = struct.unpack("<HH", data[18:22])
        (bits,) = struct.unpack("<H", data[24:26])
        compression = 0
    else:
        width, height = struct.unpack("<ii", data[18:26])
        (bits,) = struct.unpack("<H", data[28:30])
        (compression,) = struct.unpack("<I", data[30:34])
    width, height = abs(width), abs(height)
    header = ImageHeader("bmp", [(width, height)])
    if compression == 0 and bits:  # uncompressed rows, each padded to 4 bytes
        row = (width * bits + 31) // 32 * 4
        if pixels_at + row * height > size:
            header.truncated = "the BMP ends inside its pixel data (the upper part of the picture is lost)"
            header.frames_cut = [0]
    return header
