"""Build models/radical_equivalents.txt: CJK Radicals Supplement characters → the unified
ideograph each is drawn as.

    python scripts/build_radical_equivalents.py EquivalentUnifiedIdeograph.txt

The source is the Unicode Character Database's EquivalentUnifiedIdeograph.txt (Ken Lunde;
Unicode license, https://www.unicode.org/terms_of_use.html). Only the CJK Radicals Supplement
block (U+2E80-U+2EFF) is kept: NFKC already maps the Kangxi Radicals block. PDF producers
that name a glyph by the first code point a font maps to it (Chromium with Noto CJK) write
门 as ⻔ U+2ED4 and 民 as ⺠ U+2EA0; text normalisation reads them as the ideographs shown.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "models" / "radical_equivalents.txt"
_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([0-9A-F]{4,6})")


def main() -> int:
    rows = []
    for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        first = int(m.group(1), 16)
        last = int(m.group(2) or m.group(1), 16)
        target = int(m.group(3), 16)
        rows += [(cp, target) for cp in range(first, last + 1) if 0x2E80 <= cp <= 0x2EFF]
    header = (
        "# CJK Radicals Supplement character, tab, the unified ideograph it is drawn as.\n"
        "# From Unicode's EquivalentUnifiedIdeograph.txt (scripts/build_radical_equivalents.py).\n"
    )
    OUT.write_text(header + "".join(f"{chr(a)}\t{chr(b)}\n" for a, b in rows), encoding="utf-8")
    print(f"wrote {len(rows)} characters to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
