"""Text normalisation shared by every stage (SCHEMA.md, "as printed, normalised")."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from ocrform.resources import model_text


def is_cjk(ch: str) -> bool:
    """A CJK unified ideograph (the basic block and extension A)."""
    return "\u3400" <= ch <= "\u9fff"


_WS = re.compile(r"\s+")
_RADICALS = re.compile(r"[\u2e80-\u2fdf]")


def normalize(text: str) -> str:
    """Radicals read as the ideographs they are drawn as, NFKC, then every whitespace
    character removed; operators such as ≥ ≤ stay as they are.

    Some producers write 门, 民, 见, 户 … as radical characters (``radical_ideographs``):
    NFKC leaves the CJK Radicals Supplement alone and maps ⼾ to the traditional 戶.
    """
    if _RADICALS.search(text):
        text = text.translate(radical_ideographs())
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def normalize_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    out = normalize(text)
    return out or None


@cache
def radical_ideographs() -> dict[int, str]:
    """Radical character → the unified ideograph a simplified-Chinese font draws for it
    (models/radical_equivalents.txt: Unicode's EquivalentUnifiedIdeograph.txt, and Noto CJK
    SC for ⼾, drawn 户). A producer that names each glyph by the first code point its font
    maps to it (Chromium with Noto CJK) writes the radical: the page shows 门, the text layer
    says ⻔ U+2ED4."""
    table: dict[int, str] = {}
    for line in model_text("radical_equivalents.txt").splitlines():
        if line and not line.startswith("#"):
            radical, ideograph = line.split("\t")
            table[ord(radical)] = ideograph
    return table
