"""Give a clean text the shifted-ToUnicode defect, as if it had been extracted from a broken PDF.

The same defect as ``garble_pdf``, applied to the text directly: the distinct ideographs of
the text are sorted by code point, cut into seeded random runs, and the k-th character of
a run becomes the run's first code point + k. Digits, Latin and punctuation stay as they
are, as in the real garbled seed, whose producer kept them in runs of their own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ocrform.synth.garble_pdf import shifted_runs


@dataclass
class GarbledText:
    text: str
    truth: dict[str, str]  # garbled character → true character, only where they differ


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def garble_text(text: str, rng: random.Random) -> GarbledText:
    chars = sorted({ch for ch in text if _is_cjk(ch)})
    shifted = shifted_runs(chars, rng)
    return GarbledText(
        "".join(shifted.get(ch, ch) for ch in text),
        {g: t for t, g in shifted.items() if g != t},
    )
