"""Is a text layer plausibly ordinary Chinese? The cheap gate before any costly repair tier.

A shifted ToUnicode map turns a font's characters into their code-point neighbours, which
are mostly characters no form is written in (敁, 亍, 丌, 幵, 秱). A clean layer has at most
a rare name or two, so a handful of rare characters is what marks a layer as suspect.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from ocrform.repair.font import is_suspect
from ocrform.resources import model_text

# Distinct rare characters a clean form may carry (names, place names) before it is suspect ...
MAX_RARE = 2
# ... unless they are this small a share of its distinct CJK characters.
MAX_RARE_SHARE = 0.02


@cache
def common_characters() -> frozenset[str]:
    return frozenset(model_text("common_chars.txt").replace("\n", ""))


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def rare_characters(chars: Iterable[str]) -> set[str]:
    common = common_characters()
    return {c for c in chars if is_cjk(c) and c not in common}


def may_be_garbled(chars: Iterable[str]) -> bool:
    """The looser gate before tier 3, which is cheap and refuses a clean text by itself: a
    lightly shifted layer (seed 001: 20 of 519 characters) can stay under the rare share."""
    distinct = set(chars)
    return any(is_suspect(c) for c in distinct) or len(rare_characters(distinct)) > MAX_RARE


def looks_garbled(chars: Iterable[str]) -> bool:
    """Whether the distinct characters of one font's text layer look mis-encoded."""
    distinct = set(chars)
    if any(is_suspect(c) for c in distinct):
        return True
    rare = rare_characters(distinct)
    cjk = sum(1 for c in distinct if is_cjk(c))
    return len(rare) > MAX_RARE and len(rare) > MAX_RARE_SHARE * max(cjk, 1)
