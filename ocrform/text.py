"""Text normalisation shared by every stage (SCHEMA.md, "as printed, normalised")."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from ocrform.resources import model_text

_WS = re.compile(r"\s+")
_RADICALS = re.compile(r"[\u2e80-\u2eff]")


def normalize(text: str) -> str:
    """NFKC, radicals read as the ideographs they are drawn as, then every whitespace
    character removed; operators such as ≥ ≤ stay as they are.

    NFKC maps the Kangxi Radicals block onto unified ideographs but not the CJK Radicals
    Supplement, which some producers write for 门, 民, 见, 长 … (``radical_ideographs``).
    """
    text = unicodedata.normalize("NFKC", text)
    if _RADICALS.search(text):
        text = text.translate(radical_ideographs())
    return _WS.sub("", text)


def normalize_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    out = normalize(text)
    return out or None


@cache
def radical_ideographs() -> dict[int, str]:
    """CJK Radicals Supplement character → the unified ideograph it is drawn as, from
    Unicode's EquivalentUnifiedIdeograph.txt (models/radical_equivalents.txt).

    A producer that names each glyph by the first code point its font maps to it (Chromium
    with Noto CJK) writes the radical: the page shows 门, the text layer says ⻔ U+2ED4.
    """
    table: dict[int, str] = {}
    for line in model_text("radical_equivalents.txt").splitlines():
        if line and not line.startswith("#"):
            radical, ideograph = line.split("\t")
            table[ord(radical)] = ideograph
    return table
