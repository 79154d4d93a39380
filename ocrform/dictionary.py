"""The words ordinary Chinese text and these forms are written in, for the language models
of OCR candidate choice (``words/lexicon.py``) and of tier-3 glyph repair (``repair/text.py``).

Two sources, both general to every form: jieba's dictionary (an installed dependency; its
words with their corpus frequencies) and the printed labels of the label vocabulary
(models/labels.json), which count as ordinary words. Nothing of any particular form's
own text is in it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jieba

from ocrform.resources import model_json, model_text

# The forms' printed labels count as words this frequent (a common word in jieba's counts).
LABEL_FREQUENCY = 1000.0
# compound_words keeps words up to this long (longer ones add little: their pieces are words).
MAX_COMPOUND = 4
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@cache
def jieba_words() -> tuple[tuple[str, float], ...]:
    """Each word of jieba's dictionary written in CJK characters only, with its frequency
    (read once a process: 0.35 s; the word sets and the OCR lexicon are all made from it)."""
    out = []
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and _CJK_RUN.fullmatch(parts[0]):
                out.append((parts[0], float(parts[1])))
    return tuple(out)


@cache
def compound_words() -> frozenset[str]:
    """jieba's words of two to four characters and the labels' words: what a character that
    belongs in its text is part of."""
    return frozenset(w for w, _ in jieba_words() if 2 <= len(w) <= MAX_COMPOUND) | _label_compounds()


@cache
def attested_words() -> frozenset[str]:
    """The words whose presence vouches for a character (``plausible.misfit_characters``):
    jieba's counted at least ``plausible.ATTESTED_FREQUENCY`` times, as
    scripts/build_attested_words.py wrote them to models/, and the labels' words."""
    return frozenset(model_text("attested_words.txt").split()) | _label_compounds()


def _label_compounds() -> set[str]:
    return {w for w in label_words() if 2 <= len(w) <= MAX_COMPOUND}


def label_words() -> set[str]:
    """Every run of CJK characters in the label vocabulary's printed labels."""
    labels = model_json("labels.json")
    return {word for text in _strings(labels) for word in _CJK_RUN.findall(text)}


def word_frequencies() -> dict[str, float]:
    """Word → frequency: jieba's words, and the labels' words at least as frequent as
    LABEL_FREQUENCY."""
    freq: dict[str, float] = {}
    for word, f in jieba_words():
        freq[word] = freq.get(word, 0.0) + f
    for word in label_words():
        freq[word] = max(freq.get(word, 0.0), LABEL_FREQUENCY)
    return freq


def _strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() if not k.startswith("_") for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []
