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
from ocrform.text import is_cjk


@dataclass
class GarbledText:
    text: str
    truth: dict[str, str]  # garbled character → true character, only where they differ


def garble_text(text: str, rng: random.Random, sparse: bool = True) -> GarbledText:
    """``sparse`` (the default) garbles as seed 001's producer did; see ``shifted_runs``."""
    chars = sorted({ch for ch in text if is_cjk(ch)})
    shifted = shifted_runs(chars, rng, sparse)
    return GarbledText(
        "".join(shifted.get(ch, ch) for ch in text),
        {g: t for t, g in shifted.items() if g != t},
    )
