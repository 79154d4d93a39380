"""Safe repairs of typical OCR confusions: in numbers, and where a reading is one confusable
character away from a printed label of the vocabulary. Free text is never guessed at: the
recogniser's own candidates for an unsure character are weighed in the engine
(``words/lexicon.py``), nothing here rewrites a reading's wording.

- Full-width digits and Latin letters become half-width (the same characters under NFKC).
- A bracket pair the recogniser mixed up, such as (2016〕 in a document number, takes the
  shape of its other half, and curly double quotes alternate “ ” (the pairing, not the
  wording, decides).
- A word that is nothing but a horizontal stroke (一) is the dash placeholder (—).
- A mark no value starts with (*, ×, ·) before a number is the target's = sign (*100%).
- A traditional character that simplified text never uses becomes its simplified form.
- A reading that is a number apart from look-alikes (O/0, l/1, ，/,) becomes the number;
  two digits set off by a gap at its end (``250000 00``) are its decimals, and a digit
  after a percentage's % sign (``0%6``) is the sign read twice, and a zero with digits
  after it (``09``, ``≤096``), a number nobody prints, is 0% with its sign's rings read as
  a 9 or a 6.
- A reading that differs from exactly one label of models/labels.json only in confusable
  pairs (己/已, 末/未 …, models/ocr_confusions.json) or in traditional/variant forms becomes
  that label.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import opencc

from ocrform.repair.plausible import common_characters
from ocrform.resources import model_json

# A number as printed on the forms: optional sign, digits with separators, optional %.
_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")
# A percentage with one digit after its % sign: the sign's lower ring read twice (0%6).
_PERCENT_TAIL = re.compile(r"([≥≤=<>]?\d[\d,.]*%)\d")
# Zero percent with its sign read as digits: the sign's two rings look like a 9 or a 6.
_ZERO_PERCENT = re.compile(r"([≥≤=<>]?0)(?:9|6|96|69)")
# Amounts print two decimals; at low resolution the point can vanish, leaving a gap.
_LOST_POINT = re.compile(r"(\d[\d,]*) (\d\d)")
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}


class _Confusions(NamedTuple):
    digits: dict[str, str]
    pairs: frozenset[frozenset[str]]
    alone: dict[str, str]
    before_number: dict[str, str]


@lru_cache(maxsize=1)
def _confusions() -> _Confusions:
    data = model_json("ocr_confusions.json")
    pairs = frozenset(frozenset(p) for p in data["cjk_pairs"])
    return _Confusions(data["digits"], pairs, data["alone"], data["before_number"])


@lru_cache(maxsize=1)
def _labels_by_length() -> dict[int, tuple[str, ...]]:
    data = model_json("labels.json")
    found: set[str] = set()

    def walk(node: object, key: str = "") -> None:
        if key.startswith("_") or key in ("title_patterns", "unit_line"):
            return
        if isinstance(node, str):
            found.add(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)

    walk(data)
    by_len: dict[int, list[str]] = {}
    for label in found:
        by_len.setdefault(len(label), []).append(label)
    return {n: tuple(sorted(v)) for n, v in by_len.items()}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _is_cjk(s: str) -> bool:
    return bool(s) and all("\u4e00" <= ch <= "\u9fff" for ch in s)


def fix_ocr_text(text: str) -> str:
    text = text.translate(_FULL_WIDTH).strip()
    confusions = _confusions()
    if text in confusions.alone:
        return confusions.alone[text]
    if len(text) > 1 and text[0] in confusions.before_number and text[1].isdigit():
        text = confusions.before_number[text[0]] + text[1:]
    tail = _PERCENT_TAIL.fullmatch(text)
    if tail:
        return tail.group(1)
    if zero := _ZERO_PERCENT.fullmatch(text):
        return zero.group(1) + "%"
    number = fix_number(text)
    if number is not None:
        return number
    label = fix_label(text)
    return label if label is not None else fix_pairs(simplify_variants(text))


def simplify_variants(text: str) -> str:
    """Traditional forms that ordinary simplified text never uses (項, 級, 測) as their
    simplified ones: the recogniser learnt both scripts and slips into the other on a coarse
    scan, while these forms are printed in simplified characters. A traditional character
    that simplified text also uses (著, 乾, 於) stays as read."""
    common = common_characters()
    t2s = _t2s()
    return "".join(ch if ch in common or not _is_cjk(ch) or (s := t2s.convert(ch)) not in common else s for ch in text)


# Shapes a reader confuses: the tortoise-shell brackets of document numbers and round ones.
_PAIRS = {"〔": "〕", "(": ")", "（": "）", "[": "]", "【": "】"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_DOUBLE_QUOTES = {"“", "”", '"'}
_LOOKALIKE = {"〔": "(（", "(": "〔（", "（": "〔(", "[": "〔", "【": "〔"}


def fix_pairs(text: str) -> str:
    """Make each opening bracket match the closing one that ends it, when the two are
    look-alikes (``(2016〕`` → ``〔2016〕``). The closing bracket's shape wins: on the
    generated scans the reader turned 〔 into ( before a year and kept the 〕."""
    chars = list(text)
    stack: list[int] = []
    for i, ch in enumerate(chars):
        if ch in _PAIRS:
            stack.append(i)
        elif ch in _CLOSERS and stack:
            j = stack.pop()
            want = _CLOSERS[ch]
            if chars[j] == "〔" and ch == "]":
                # Except a square 〕 after a tortoise-shell opener: 200 dpi scans read
                # 〔2018〕 as 〔2018], both sure. A printed [2018] has no tortoise-shell half.
                chars[i] = "〕"
            elif chars[j] != want and want in _LOOKALIKE.get(chars[j], ""):
                chars[j] = want
    quotes = [i for i, ch in enumerate(chars) if ch in _DOUBLE_QUOTES]
    # Chinese text pairs its double quotes and the reader often gets a curly quote's
    # direction wrong, so an even count is set “…”“…”. Text that starts with a closing
    # quote and ends with an opening one may be the middle of a quotation broken across
    # lines, and an odd count certainly is one; both are left as read.
    seq = "".join(chars[i] for i in quotes)
    if seq and len(seq) % 2 == 0 and not (seq[0] == "”" and seq[-1] == "“"):
        for k, i in enumerate(quotes):
            chars[i] = "“" if k % 2 == 0 else "”"
    return "".join(chars)


def fix_number(text: str) -> str | None:
    """The number ``text`` reads as once look-alike characters are mapped, or None when it
    is not a number (it must hold a real digit and nothing but digits and look-alikes)."""
    digits = _confusions().digits
    if not any(ch.isdigit() for ch in text):
        return None
    mapped = "".join(digits.get(ch, ch) for ch in text)
    if lost := _LOST_POINT.fullmatch(mapped):
        mapped = f"{lost[1]}.{lost[2]}"
    return mapped if mapped != text and _NUMBER.fullmatch(mapped) else None


def fix_label(text: str) -> str | None:
    """The one vocabulary label ``text`` is a confusable misreading of, or None."""
    if not _is_cjk(text):
        return None
    candidates = _labels_by_length().get(len(text), ())
    if text in candidates:
        return None
    simplified = _t2s().convert(text)
    if simplified != text and simplified in candidates:
        return simplified
    pairs = _confusions().pairs
    hits = [
        label for label in candidates if all(a == b or frozenset((a, b)) in pairs for a, b in zip(simplified, label))
    ]
    return hits[0] if len(hits) == 1 else None
