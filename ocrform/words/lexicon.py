"""Choosing among a recogniser's candidate characters by the words they make.

On a coarse or thresholded scan the recogniser is often unsure between look-alike shapes:
措标 for 指标, 租用 read as 相用, 达成年度推标. Where it keeps the right character as a
runner-up, even a faint one, the words that character makes with its neighbours tell the
two apart. A line is read as the likeliest sequence of words (``ocrform.dictionary``:
jieba's general dictionary and the forms' printed labels) whose characters the recogniser
offered, each word scored by its frequency and each character by the recogniser's own
probability: a Viterbi pass over the positions, words growing through their prefixes.

A character the recogniser did not offer is never put in, and where no word prefers an
alternative (a rare name, a number) the reading stays as read. Punctuation makes no words;
two look-alike marks are told apart by where they stand (``choose_punctuation``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from ocrform.dictionary import LABEL_FREQUENCY, jieba_words, label_words
from ocrform.text import is_cjk

# A character is offered as a candidate when the recogniser gives it at least this
# probability, at a position whose reading it is less sure of than TOP_SURE. Right characters
# the lexicon recovers on 150 dpi black-and-white scans sit as low as 0.001-0.02 beside a
# misreading: with 0.02 instead of 0.001 it recovered 25 lines, not 61, of 2,700.
MIN_CANDIDATE = 0.001
TOP_SURE = 0.995
# log P of a character standing alone, whatever it is: a word of two or more characters is
# evidence, a single one is not, so a rare name's character (睿) is not traded for a
# frequent look-alike (香). Anything from -9 to -15 chose the same on 6,800 scanned lines.
SINGLE_CHARACTER = -12.0
# Of jieba's dictionary, the words of 2 to 4 characters seen at least this often are kept
# (with every printed label): 123,000 words. All 349,000 chose the same on 6,800 scanned
# lines, in half a second more and 60 MB more per process; at least 20 lost 20 lines.
MIN_WORD_FREQUENCY = 5
LONGEST_WORD = 4
# Punctuation the recogniser confuses, with the look-alike offered as its candidate: the
# tortoise-shell brackets of a document number's year (国办发〔2014〕66号, GB/T 9704) read
# as round ones, and the semicolon between a list's items read as a colon.
PUNCTUATION_LOOKALIKES = {"（": "〔", "(": "〔", "）": "〕", ")": "〕", "：": "；", ":": "；"}
# On 150 dpi scans a printed round bracket gives 〔 or 〕 under 0.01, a printed tortoise-shell
# one read as round keeps 0.002-0.4 (median 0.14); either bracket of the pair may carry it.
BRACKET_SHARE = 0.01
# A printed colon gives ； up to 0.26 (其中：上级补助), a semicolon read as a colon 0.004-0.47:
# the share only decides where the next list item starts.
SEMICOLON_SHARE = 0.004
_YEAR_IN_BRACKETS = re.compile(r"[（(〔]\d{4}[）)〕]")
# A list item after the first: 2. 3、 二是 第三 …
_NEXT_ITEM = re.compile(r"(?:[2-9]|[1-9]\d)[.、．]|[二三四五六七八九十]是|第[二三四五六七八九十]")


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, float]  # word of two or more characters → log probability
    prefixes: frozenset[str]  # every proper prefix of a word
    longest: int


@cache
def _lexicon() -> _Lexicon:
    kept: dict[str, float] = {}
    total = 0.0
    for word, f in jieba_words():
        total += f
        if 2 <= len(word) <= LONGEST_WORD and f >= MIN_WORD_FREQUENCY:
            kept[word] = kept.get(word, 0.0) + f
    for word in label_words():
        if len(word) > 1:
            kept[word] = max(kept.get(word, 0.0), LABEL_FREQUENCY)
    words = {w: math.log(f / total) for w, f in kept.items()}
    prefixes = frozenset(w[:k] for w in words for k in range(1, len(w)))
    return _Lexicon(words, prefixes, max(map(len, words)))


def choose_characters(candidates: list[list[tuple[str, float]]]) -> str:
    """The text whose characters, one from each position's candidates, make the likeliest
    words, weighed with the recogniser's probabilities, its punctuation then chosen by where
    it stands.

    Each position lists (character, probability), the recogniser's own reading first.
    """
    return choose_punctuation(_likeliest_words(candidates), candidates)


def choose_punctuation(text: str, candidates: list[list[tuple[str, float]]]) -> str:
    """``text`` (one character per position of ``candidates``) with a look-alike mark put in
    where the recogniser offered it and the text around says it is the one printed: brackets
    around a year, one of them read or offered as tortoise-shell, are a document number's
    〔〕; a colon before a list's next item is the semicolon that ends the item before it."""

    def share(i: int) -> float:
        lookalike = PUNCTUATION_LOOKALIKES.get(text[i])
        return max((p for ch, p in candidates[i][1:] if ch == lookalike), default=0.0)

    chars = list(text)
    for m in _YEAR_IN_BRACKETS.finditer(text):
        first, last = m.start(), m.end() - 1
        if "〔" in m.group() or "〕" in m.group() or max(share(first), share(last)) >= BRACKET_SHARE:
            chars[first], chars[last] = "〔", "〕"
    for i, ch in enumerate(text):
        if ch in "：:" and _NEXT_ITEM.match(text, i + 1) and share(i) >= SEMICOLON_SHARE:
            chars[i] = "；"
    return "".join(chars)


def _likeliest_words(candidates: list[list[tuple[str, float]]]) -> str:
    """The reading whose words are likeliest. Words are made of CJK characters only, so each
    run of CJK positions is read on its own, and a run the recogniser is sure of as read."""
    out = []
    start = 0
    while start < len(candidates):
        end = start + 1
        cjk = is_cjk(candidates[start][0][0])
        while end < len(candidates) and is_cjk(candidates[end][0][0]) == cjk:
            end += 1
        run = candidates[start:end]
        unsure = cjk and any(len(options) > 1 for options in run)
        out.append(_viterbi(run) if unsure else "".join(options[0][0] for options in run))
        start = end
    return "".join(out)


def _viterbi(candidates: list[list[tuple[str, float]]]) -> str:
    lexicon = _lexicon()
    n = len(candidates)
    # best[i]: (score, text) of the likeliest reading of the first i positions; every
    # position is reached, as any character may stand alone.
    best = [(-math.inf, "")] * (n + 1)
    best[0] = (0.0, "")
    for start in range(n):
        score, text = best[start]
        # The words that begin here: every choice of characters that stays a word's prefix.
        growing = [("", 0.0)]
        for end in range(start, min(n, start + lexicon.longest)):
            growing = [
                (word + ch, logp + math.log(p))
                for word, logp in growing
                for ch, p in candidates[end]
                if end == start or word + ch in lexicon.words or word + ch in lexicon.prefixes
            ]
            if not growing:
                break
            for word, logp in growing:
                word_logp = SINGLE_CHARACTER if end == start else lexicon.words.get(word)
                if word_logp is None:
                    continue
                total = score + logp + word_logp
                if total > best[end + 1][0]:
                    best[end + 1] = (total, text + word)
            growing = [(word, logp) for word, logp in growing if word in lexicon.prefixes]
    return best[n][1]
