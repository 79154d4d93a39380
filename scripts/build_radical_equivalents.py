"""Build models/radical_equivalents.txt: CJK radical characters → the unified ideograph a
simplified-Chinese font draws for them.

    python scripts/build_radical_equivalents.py EquivalentUnifiedIdeograph.txt \\
        /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc [more .ttc/.otf ...]

The first source is the Unicode Character Database's EquivalentUnifiedIdeograph.txt (Ken
Lunde; Unicode license, https://www.unicode.org/terms_of_use.html), for the CJK Radicals
Supplement block (U+2E80-U+2EFF), which NFKC leaves alone. The fonts add the radicals whose
glyph a simplified-Chinese face shares with a GB 2312 character other than the one NFKC or
that file gives: Noto CJK SC draws ⼾ U+2F3E (KANGXI RADICAL DOOR, NFKC 戶) as 户.

PDF producers that name a glyph by the first code point its font maps to it (Chromium with
Noto CJK) write 门 as ⻔ U+2ED4, 民 as ⺠ U+2EA0 and 户 as ⼾; text normalisation reads them
as the ideographs shown.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

OUT = Path(__file__).resolve().parent.parent / "models" / "radical_equivalents.txt"
_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([0-9A-F]{4,6})")
RADICALS = range(0x2E80, 0x2FE0)


def from_unicode_data(path: Path) -> dict[int, int]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if m:
            for cp in range(int(m.group(1), 16), int(m.group(2) or m.group(1), 16) + 1):
                if 0x2E80 <= cp <= 0x2EFF:
                    table[cp] = int(m.group(3), 16)
    return table


def in_gb2312(cp: int) -> bool:
    try:
        chr(cp).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def simplified_faces(paths: list[str]) -> list[TTFont]:
    faces = []
    for path in paths:
        fonts = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
        faces += [f for f in fonts if f["name"].getDebugName(4).endswith(" SC")]
    return faces


def main() -> int:
    table = from_unicode_data(Path(sys.argv[1]))
    for face in simplified_faces(sys.argv[2:]):
        cmap = face.getBestCmap()
        by_glyph: dict[str, list[int]] = defaultdict(list)
        for cp, glyph in cmap.items():
            by_glyph[glyph].append(cp)
        for cp in RADICALS:
            if cp not in cmap:
                continue
            known = table.get(cp) or ord(unicodedata.normalize("NFKC", chr(cp))[0])
            shared = [c for c in by_glyph[cmap[cp]] if 0x4E00 <= c <= 0x9FFF and in_gb2312(c)]
            if shared and known not in shared:
                table[cp] = shared[0]
    header = (
        "# A CJK radical character, tab, the unified ideograph a simplified-Chinese font draws for it.\n"
        "# From Unicode's EquivalentUnifiedIdeograph.txt and Noto CJK SC (scripts/build_radical_equivalents.py).\n"
    )
    rows = "".join(f"{chr(a)}\t{chr(b)}\n" for a, b in sorted(table.items()))
    OUT.write_text(header + rows, encoding="utf-8")
    print(f"wrote {len(table)} characters to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
