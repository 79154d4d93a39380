"""Malformed inputs for the fuzz suite, made deterministically from a seed.

Each maker writes files into a folder and returns their paths: truncated and byte-mutated
PDFs (from samples/), images and multi-page TIFFs cut short or mutated, text dumps in
several encodings and junk, decompression bombs built from their headers up (a PNG
declaring 30000 x 30000 pixels in under a megabyte), empty files and FIFOs.
"""

from __future__ import annotations

import os
import random
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BORN_DIGITAL = ["guizhou_1form.pdf", "shanghai_1form.pdf", "hunan_scored_2forms.pdf", "shanghai_1form_garbled.pdf"]
SCANNED = ["guizhou_1form_scan.pdf"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int, height: int, gray: bool = True) -> bytes:
    """A valid PNG of ``width`` x ``height`` white pixels, compressed row by row (a 30000 x
    30000 one is under 1 MB and takes under a second to make)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0 if gray else 2, 0, 0, 0)
    row = b"\x00" + b"\xff" * (width * (1 if gray else 3))
    comp = zlib.compressobj(9)
    parts = [comp.compress(row) for _ in range(height)]
    parts.append(comp.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring ``width`` x ``height`` whose data is a few bytes: cut short."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))


def jpeg_header_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is rewritten to declare ``width`` x ``height``."""
    ok, data = cv2.imencode(".jpg", np.full((64, 64, 3), 255, np.uint8))
    assert ok
    raw = bytearray(data.tobytes())
    at = raw.find(b"\xff\xc0")
    raw[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(raw)


def tiff_header_claiming(width: int, height: int) -> bytes:
    """A tiny TIFF that declares ``width`` x ``height`` pixels in one uncompressed strip."""
    entries = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1, 8 + 2 + 12 * 7 + 4),
        (279, 4, 1, 16),
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHII", tag, kind, count, value)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\xff" * 16


def _form_image(rng: random.Random, height: int = 210, width: int = 150) -> np.ndarray:
    """A light page with a grid and some dark marks: enough structure for every stage."""
    img = np.full((height, width, 3), 250, np.uint8)
    for y in range(20, height - 20, rng.randint(12, 24)):
        cv2.line(img, (10, y), (width - 10, y), (0, 0, 0), 1)
    for x in range(10, width - 10, rng.randint(30, 60)):
        cv2.line(img, (x, 20), (x, height - 20), (0, 0, 0), 1)
    for _ in range(6):
        x, y = rng.randrange(width - 30), rng.randrange(height - 10)
        cv2.putText(img, str(rng.randint(0, 99)), (x, y + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.25, (0, 0, 0), 1)
    return img


def _mutate(data: bytes, rng: random.Random, flips: int) -> bytes:
    raw = bytearray(data)
    for _ in range(flips):
        op = rng.random()
        at = rng.randrange(len(raw))
        if op < 0.6:
            raw[at] = rng.randrange(256)
        elif op < 0.8:
            del raw[at : at + rng.randint(1, 64)]
        else:
            raw[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        if not raw:
            raw = bytearray(b"\x00")
    return bytes(raw)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def pdf_cases(folder: Path, rng: random.Random, cuts: int, mutations: int = 0) -> list[Path]:
    """Sample PDFs, born-digital and scanned, cut short (``cuts``) and byte-mutated
    (``mutations``: these mostly still convert, glyph recognition and all, at a second or two)."""
    sources = [(SAMPLES / name).read_bytes() for name in BORN_DIGITAL + SCANNED]
    out = []
    for k in range(cuts):
        data = sources[k % len(sources)]
        out.append(_write(folder, f"pdf_cut_{k:04d}.pdf", data[: rng.randrange(1, len(data))]))
    born_digital = sources[: len(BORN_DIGITAL)]
    for k in range(mutations):
        data = born_digital[k % len(born_digital)]
        out.append(_write(folder, f"pdf_mut_{k:04d}.pdf", _mutate(data, rng, rng.choice([1, 4, 16, 64]))))
    return out


def image_cases(folder: Path, rng: random.Random, n: int) -> list[Path]:
    """PNG, JPEG, BMP and (multi-page) TIFF pages cut short or mutated, plus odd sizes."""
    out = []
    base = _form_image(rng)
    encoded = {ext: cv2.imencode(ext, base)[1].tobytes() for ext in (".png", ".jpg", ".bmp", ".tif")}
    ok, multi = cv2.imencodemulti(".tif", [base, base[:, ::-1].copy(), base[::-1].copy()])
    assert ok
    encoded["multi.tif"] = multi.tobytes()
    kinds = list(encoded)
    for k in range(n):
        kind = kinds[k % len(kinds)]
        data = encoded[kind]
        ext = ".tif" if kind == "multi.tif" else kind
        mode = (k // len(kinds)) % 3
        if mode == 0:
            data = data[: rng.randrange(1, len(data))]
        elif mode == 1:
            data = _mutate(data, rng, rng.choice([1, 4, 32]))
        else:  # header intact, body mutated
            head = min(len(data), 64)
            data = data[:head] + _mutate(data[head:], rng, rng.choice([1, 8]))
        out.append(_write(folder, f"img_{k:04d}_{kind.strip('.').replace('.', '_')}{ext}", data))
    return out


def odd_size_cases(folder: Path) -> list[Path]:
    """Pictures too small, too long and narrow, and just inside the limits."""
    sizes = [(1, 1), (2, 2), (3, 700), (8, 8000), (60, 60), (61, 480), (100, 100), (64, 500), (300, 2400), (2400, 300)]
    out = []
    for w, h in sizes:
        img = np.full((h, w, 3), 255, np.uint8)
        if w > 10 and h > 10:
            cv2.rectangle(img, (w // 10, h // 10), (w - w // 10, h - h // 10), (0, 0, 0), 1)
        out.append(_write(folder, f"size_{w}x{h}.png", cv2.imencode(".png", img)[1].tobytes()))
    return out


def bomb_cases(folder: Path) -> list[Path]:
    """Pictures whose headers declare far more pixels than the limits take."""
    return [
        _write(folder, "bomb_png_12000.png", png_bomb(12000, 12000)),
        _write(folder, "bomb_png_header_65535.png", png_header_only(65535, 65535)),
        _write(folder, "bomb_png_wide.png", png_header_only(2_000_000, 30)),
        _write(folder, "bomb_jpeg_65535.jpg", jpeg_header_claiming(65535, 65535)),
        _write(folder, "bomb_tiff_100000.tif", tiff_header_claiming(100_000, 100_000)),
        _write(folder, "bomb_pdf_page.pdf", _pdf_with_huge_page()),
        _write(folder, "bomb_pdf_picture.pdf", _pdf_with_huge_picture(12000)),
    ]


def _pdf_with_huge_page() -> bytes:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page(width=14400, height=14400)  # the largest page PDF allows: 200 inches a side
    doc[0].insert_text((72, 72), "x")
    return doc.tobytes()


def _pdf_with_huge_picture(side: int = 30000) -> bytes:
    """An A4 page showing a ``side`` x ``side`` grey picture, written by hand (a PDF library
    would decode the picture to embed it)."""
    row = b"\x00" + b"\xff" * side  # PNG predictor byte + row
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
        b" /Filter /FlateDecode /DecodeParms << /Predictor 15 /Columns %d >> /Length %d >>\nstream\n"
        % (side, side, side, len(data))
        + data
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "big5"]


def text_cases(folder: Path, rng: random.Random, n: int) -> list[Path]:
    """The seed dumps in several encodings, cut and mutated, and junk: random ideographs,
    random bytes, binary."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "seeds").glob("*.txt"))]
    out = []
    for k in range(n):
        mode = k % 5
        if mode in (0, 1):
            text = seeds[k % len(seeds)]
            text = text[rng.randrange(len(text)) :][: rng.randint(10, 4000)]
            data = text.encode(ENCODINGS[k % len(ENCODINGS)], errors="replace")
            if mode == 1:
                data = _mutate(data, rng, rng.choice([1, 8, 64]))
        elif mode == 2:  # junk ideographs, up to a few KB
            data = "".join(
                chr(rng.randint(0x4E00, 0x9FA5)) if rng.random() > 0.1 else rng.choice(" \n，。1")
                for _ in range(rng.randint(1, 1500))
            ).encode(rng.choice(["utf-8", "gb18030"]))
        elif mode == 3:  # random bytes
            data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000)))
        else:  # binary with NULs and control characters
            data = bytes(rng.choice([0, 1, 2, 0xFF, 0xFE, 0x0C, 0x0A, 0x09, 0x41]) for _ in range(rng.randint(1, 2000)))
        out.append(_write(folder, f"text_{k:04d}.txt", data))
    return out


def special_cases(folder: Path) -> list[Path]:
    """Empty files of every kind, a FIFO named .pdf, files that claim one kind and hold another."""
    out = [_write(folder, f"empty_{ext}.{ext}", b"") for ext in ("pdf", "png", "jpg", "tif", "txt")]
    out.append(_write(folder, "magic_only_pdf.pdf", b"%PDF-1.7\n"))
    out.append(_write(folder, "magic_only_png.png", b"\x89PNG\r\n\x1a\n"))
    out.append(_write(folder, "magic_only_jpg.jpg", b"\xff\xd8\xff"))
    out.append(_write(folder, "magic_only_tif.tif", b"II*\x00"))
    out.append(_write(folder, "png_named_pdf.pdf", png_bomb(80, 80)))
    out.append(_write(folder, "nul.txt", b"\x00" * 1000))
    return out


def fifo_cases(folder: Path) -> list[Path]:
    """FIFOs named as inputs: opening one would wait for a writer forever. A folder search
    passes over them (not files); given by name, each must be refused at once."""
    out = []
    for name in ("fifo_pdf.pdf", "fifo_png.png", "fifo_txt.txt"):
        path = folder / name
        os.mkfifo(path)
        out.append(path)
    return out


def make_all(
    folder: Path, seed: int = 22, cuts: int = 470, mutations: int = 6, images: int = 80, texts: int = 420
) -> list[Path]:
    """Every kind of malformed input into ``folder`` (FIFOs apart: see ``fifo_cases``)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    return [
        *pdf_cases(folder, rng, cuts, mutations),
        *image_cases(folder, rng, images),
        *text_cases(folder, rng, texts),
        *odd_size_cases(folder),
        *bomb_cases(folder),
        *special_cases(folder),
    ]
