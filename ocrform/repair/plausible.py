"""Is a text layer plausibly ordinary Chinese? The cheap gate before any costly repair tier.

A shifted ToUnicode map turns a font's characters into their code-point neighbours, which
are mostly characters no form is written in (敁, 亍, 丌, 幵, 秱). A clean layer has at most
a rare name or two, so a handful of rare characters is what marks a layer as suspect.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from functools import cache

from ocrform.dictionary import MAX_COMPOUND, attested_words, compound_words
from ocrform.repair.font import is_suspect, unified_form
from ocrform.resources import model_text
from ocrform.text import is_cjk

# Distinct rare characters a clean form may carry (names, place names) before it is suspect ...
MAX_RARE = 2
# ... unless they are this small a share of its distinct CJK characters.
MAX_RARE_SHARE = 0.02
# A character fits its text when it forms a word jieba counts at least this often. Half of
# jieba's words are counted 2-3 times (逃过 3, 通过 35063), and a shifted character that an
# ordinary one replaced forms such a word by chance (通过 garbled to 逃过). The words are
# kept in models/attested_words.txt (scripts/build_attested_words.py).
ATTESTED_FREQUENCY = 4.0


@cache
def common_characters() -> frozenset[str]:
    return frozenset(model_text("common_chars.txt").replace("\n", ""))


def rare_characters(chars: Iterable[str]) -> set[str]:
    common = common_characters()
    return {c for c in chars if is_cjk(c) and c not in common}


def may_be_garbled(chars: Iterable[str]) -> bool:
    """The looser gate before tier 3, which is cheap and refuses a clean text by itself: a
    lightly shifted layer (seed 001: 20 of 519 characters) can stay under the rare share."""
    distinct = set(chars)
    return any(_unknown(c) for c in distinct) or len(rare_characters(distinct)) > MAX_RARE


def looks_garbled(chars: Iterable[str]) -> bool:
    """Whether the distinct characters of one font's text layer look mis-encoded."""
    distinct = set(chars)
    if any(_unknown(c) for c in distinct):
        return True
    rare = rare_characters(distinct)
    cjk = sum(1 for c in distinct if is_cjk(c))
    return len(rare) > MAX_RARE and len(rare) > MAX_RARE_SHARE * max(cjk, 1)


def _unknown(ch: str) -> bool:
    """A suspect code point that says nothing of its glyph (a compatibility ideograph does:
    Unicode maps it to one ideograph, see font.unified_form)."""
    return is_suspect(ch) and unified_form(ch) is None


def misfit_characters(text: str, chars: set[str], owned: Sequence[Container[int]] | None = None) -> set[str]:
    """Those of ``chars`` that no occurrence in ``text`` joins a neighbour to form a word.

    The language's verdict, with no assumption of rarity: a character the defect puts in
    another's place (充 for 公 in 充共预算) stands among neighbours it forms no word with,
    wherever it occurs. A clean character seldom does: measured on gold forms rendered in
    15 styles, a font's in-run characters gave 0-3 misfits clean (元, 后, 我: words of
    their own) and 3-60 garbled by runs of common characters.

    ``owned``: per line of ``text``, the positions whose characters are judged (those printed
    in the font in question); the others are only neighbours. None: every position.
    """
    words = attested_words()
    fitted: set[str] = set()
    seen: set[str] = set()
    for k, line in enumerate(text.splitlines()):
        for i, ch in enumerate(line):
            if ch not in chars or ch in fitted or (owned is not None and i not in owned[k]):
                continue
            seen.add(ch)
            if _in_word(line, i, words):
                fitted.add(ch)
    return seen - fitted


def fits_in_place(text: str, old: str, new: str) -> bool:
    """Whether ``new`` in place of ``old`` forms a word with a neighbour somewhere in ``text``:
    the language's confirmation of a reading its glyph alone leaves unsure."""
    words = compound_words()
    for line in text.splitlines():
        if old not in line:
            continue
        fixed = line.replace(old, new)
        if any(_in_word(fixed, i, words) for i, ch in enumerate(line) if ch == old):
            return True
    return False


def _in_word(line: str, i: int, words: frozenset[str]) -> bool:
    for n in range(2, MAX_COMPOUND + 1):
        for j in range(max(0, i - n + 1), min(i, len(line) - n) + 1):
            if line[j : j + n] in words:
                return True
    return False
