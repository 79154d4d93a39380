"""Tier 3: statistical repair of a shifted text layer from the text alone.

The defect: a producer sorted a font's characters by code point, cut the list into short runs
and wrote each run as one ToUnicode bfrange, so the k-th character of a run extracts as
(run head + k). Three facts follow, and they decide where a repair may happen at all:

* the extracted characters of a run are consecutive code points, so a garbled character
  always sits in a block of consecutive code points that all occur in the text;
* the true character of a garbled one lies above it, and true characters rise along a run;
* inside such a block, everything before the last run head is unchanged and everything
  after the first changed character is changed (a head below a garbled character would need
  a true character below its own extracted one).

Within those bounds a character bigram language model picks the reading: jieba's dictionary
(which characters make words, and which start and end them) mixed with pairs counted in
clean real forms (models/domain_bigrams.txt). Blocks are decided one at a time, the surest
first, so each decision sharpens the context of the next; one permutation per document.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from ocrform.dictionary import word_frequencies
from ocrform.repair.plausible import common_characters
from ocrform.resources import model_text

MAX_SHIFT = 40  # how far above a garbled character its true character may lie
# A block is rewritten only when the text reads this much likelier (natural log) ...
MIN_GAIN = 8.0
# ... and its first changed character this much likelier per occurrence: a garbled character
# reads far better as its true one, a clean one only drifts towards a more frequent neighbour.
MIN_OPENING_GAIN = 3.0
# A character the words of jieba's dictionary use less than this often is rare.
RARE_MASS = 1000.0
# Rewritten blocks a document needs before it counts as garbled: a clean text can hold one
# odd pair of neighbouring code points, a shifted one shows them all over.
MIN_BLOCKS = 3
DOMAIN_WEIGHT = 1.0  # nats per log-count of a pair seen in real forms
WINDOW = 4  # characters each side of an occurrence that the word split may use
BOUNDARY = " "  # any non-CJK character but whitespace
# The repair's cost (``_Text.cost``, about 10 us a unit on an idle core): at most this many
# units per place of the text, the first planning of every block included, so that its time
# grows linearly with the text (a text is always allowed as many as BUDGET_FLOOR places
# would be). Measured, run to the end: the real seeds 5-15 a place (seed 001, garbled: 14.7),
# their synthetic garblings of eval_text_repair up to 46; junk of random ideographs 39 a place
# at 20 KB and 452 at 60 KB, where the budget now stops it.
BUDGET_PER_PLACE = 60
BUDGET_FLOOR = 5000


@dataclass
class TextRepair:
    text: str
    repairs: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, method)
    score: float = 0.0  # log-likelihood gain of the accepted repairs, nats per 100 CJK chars
    garbled: bool = False
    complete: bool = True  # False: the budget ran out before every block was weighed


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@dataclass(frozen=True)
class _LanguageModel:
    """Word unigrams from jieba (plus the label vocabulary) and character pairs of real forms."""

    words: dict[str, float]  # word → log probability
    chars: dict[str, float]  # character → weight of the jieba words it occurs in
    max_word: int
    unknown: float  # log probability of a character no word covers
    domain: dict[str, int]  # pair (boundary = " ") → count in clean real forms
    domain_left: dict[str, int]  # character → count of pairs it begins
    domain_right: dict[str, int]  # character → count of pairs it ends
    domain_total: int
    # Windows recur: every block is re-planned after each accepted block, over mostly unchanged text.
    _splits: dict[str, float] = field(default_factory=dict, compare=False)

    def segment_score(self, s: str) -> float:
        """log P of a CJK string under its likeliest split into words."""
        known = self._splits.get(s)
        if known is not None:
            return known
        best = [0.0] + [-math.inf] * len(s)
        for i in range(1, len(s) + 1):
            for j in range(max(0, i - self.max_word), i):
                lp = self.words.get(s[j:i])
                if lp is None:
                    if j != i - 1:
                        continue
                    lp = self.unknown
                best[i] = max(best[i], best[j] + lp)
        self._splits[s] = best[-1]
        return best[-1]

    def known_in_domain(self, ch: str) -> bool:
        return ch in self.domain_left or ch in self.domain_right

    def pair_bonus(self, a: str, b: str) -> float:
        """How much likelier real forms put b after a than anywhere (pointwise mutual
        information, never below 0: an unseen pair is no evidence in so small a corpus)."""
        pair = self.domain.get(a + b, 0)
        if not pair:
            return 0.0
        p_b = (self.domain_right.get(b, 0) + 1) / self.domain_total
        pmi = math.log((pair + p_b) / ((self.domain_left.get(a, 0) + 1) * p_b))
        return DOMAIN_WEIGHT * max(0.0, pmi)


@cache
def _model() -> _LanguageModel:
    freq = word_frequencies()
    chars: Counter[str] = Counter()
    for word, f in freq.items():
        for ch in word:
            chars[ch] += f
    total = sum(freq.values())
    words = {w: math.log(f / total) for w, f in freq.items() if f > 0}
    domain: dict[str, int] = {}
    for line in model_text("domain_bigrams.txt").splitlines():
        domain[line[:2]] = int(line[3:])
    left: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for pair, n in domain.items():
        left[pair[0]] += n
        right[pair[1]] += n
    return _LanguageModel(
        words,
        dict(chars),
        max(map(len, words)),
        math.log(0.5 / total),
        domain,
        dict(left),
        dict(right),
        sum(domain.values()),
    )


@cache
def _candidates(code: int) -> tuple[str, ...]:
    """Characters a garbled code point may stand for: ordinary ones a little above it."""
    common = common_characters()
    model = _model()
    return tuple(
        chr(c)
        for c in range(code + 1, code + MAX_SHIFT + 1)
        if chr(c) in common or model.words.get(chr(c), -math.inf) > model.unknown
    )


class _Text:
    """The document as CJK characters and boundaries, with the current reading of each."""

    def __init__(self, text: str) -> None:
        # Whitespace is dropped, not a boundary: a dump wraps a cell's text over lines.
        self.chars = [ch if _is_cjk(ch) else BOUNDARY for ch in text if not ch.isspace()]
        self.extracted = list(self.chars)  # what each place held before any repair
        self.where: dict[str, list[int]] = {}
        for i, ch in enumerate(self.chars):
            if ch != BOUNDARY:
                self.where.setdefault(ch, []).append(i)
        self.windows = 0  # windows scored so far ...
        self.steps = 0  # ... and pairs of readings the plans weighed: the repair's cost

    @property
    def cost(self) -> float:
        """The work done so far, in windows scored (weighing a pair of readings costs about
        a sixteenth of scoring a window)."""
        return self.windows + self.steps / 16

    def context_score(self, extracted: str, reading: str) -> float:
        """log P of the text around every occurrence of ``extracted`` read as ``reading``."""
        model = _model()
        chars = self.chars
        n = len(chars)
        total = 0.0
        places = self.where[extracted]
        self.windows += len(places)
        for p in places:
            lo = p
            while lo > 0 and p - lo < WINDOW and chars[lo - 1] != BOUNDARY:
                lo -= 1
            hi = p + 1
            while hi < n and hi - p <= WINDOW and chars[hi] != BOUNDARY:
                hi += 1
            window = "".join(chars[lo:p]) + reading + "".join(chars[p + 1 : hi])
            left = chars[p - 1] if p > 0 else BOUNDARY
            right = chars[p + 1] if p + 1 < n else BOUNDARY
            total += model.segment_score(window) + model.pair_bonus(left, reading) + model.pair_bonus(reading, right)
        return total

    def apply(self, readings: dict[str, str]) -> set[str]:
        """Read every place of each key as its value; the extracted characters whose context
        (``WINDOW`` places either side, all ``context_score`` looks at) that changed."""
        touched: set[str] = set()
        n = len(self.chars)
        for extracted, reading in readings.items():
            for p in self.where[extracted]:
                if self.chars[p] == reading:
                    continue
                self.chars[p] = reading
                touched.update(self.extracted[max(0, p - WINDOW) : min(n, p + WINDOW + 1)])
        touched.discard(BOUNDARY)
        return touched


@dataclass
class _Plan:
    gain: float  # log-likelihood gain of the whole block's change
    opening: float  # gain per occurrence of the block's first changed character
    changes: dict[str, str]  # extracted → true, for one block


def _blocks(present: set[str]) -> list[list[str]]:
    """Maximal runs of consecutive code points among the text's CJK characters, 2 or longer."""
    out: list[list[str]] = []
    for ch in sorted(present):
        if out and ord(ch) == ord(out[-1][-1]) + 1:
            out[-1].append(ch)
        else:
            out.append([ch])
    return [b for b in out if len(b) > 1]


def _best_plan(doc: _Text, block: list[str], last_first: int | None = None) -> _Plan | None:
    """The likeliest reading of one block: unchanged up to some point, shifted and rising after.

    ``last_first`` forces the change to start at that position or earlier.
    """
    gains: list[dict[str, float]] = []
    for e in block:
        base = doc.context_score(e, e)
        gains.append({t: doc.context_score(e, t) - base for t in _candidates(ord(e))})
    best: _Plan | None = None
    m = len(block)
    for first in range(1, m if last_first is None else last_first + 1):
        # Rising readings from position `first` on: DP over the reading at each position.
        frontier: dict[str, tuple[float, list[str]]] = {block[first - 1]: (0.0, [])}
        for i in range(first, m):
            nxt: dict[str, tuple[float, list[str]]] = {}
            for t, g in gains[i].items():
                options = [(score, path) for prev, (score, path) in frontier.items() if prev < t]
                if options:
                    score, path = max(options, key=lambda o: o[0])
                    nxt[t] = (score + g, [*path, t])
            doc.steps += len(gains[i]) * len(frontier)
            frontier = nxt
        if frontier:
            score, path = max(frontier.values(), key=lambda o: o[0])
            if best is None or score > best.gain:
                opening = gains[first][path[0]] / len(doc.where[block[first]])
                best = _Plan(score, opening, dict(zip(block[first:], path)))
    return best


def _convincing(plan: _Plan | None) -> bool:
    return plan is not None and plan.gain >= MIN_GAIN and plan.opening >= MIN_OPENING_GAIN


def _is_rare(ch: str) -> bool:
    model = _model()
    return model.chars.get(ch, 0.0) < RARE_MASS and not model.known_in_domain(ch)


def _compatibility_repairs(text: str) -> dict[str, str]:
    """Kangxi radicals and CJK compatibility ideographs that stand for an ordinary character."""
    out = {}
    for ch in set(text):
        if "\u2f00" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff":
            folded = unicodedata.normalize("NFKC", ch)
            if len(folded) == 1 and _is_cjk(folded):
                out[ch] = folded
    return out


def repair_text(text: str) -> TextRepair:
    folded = _compatibility_repairs(text)
    if folded:
        text = "".join(folded.get(ch, ch) for ch in text)
    doc = _Text(text)
    blocks = _blocks(set(doc.where))
    block_of = {ch: i for i, block in enumerate(blocks) for ch in block}
    # A text of n places may score BUDGET_PER_PLACE * n windows (see the constant).
    budget = BUDGET_PER_PLACE * max(len(doc.chars), BUDGET_FLOOR)
    # First only convincing changes, surest first: they decide whether the text is garbled.
    # A block's plan depends on the text around its characters only, so after a change only
    # the blocks near it are planned again (all of them, each time: quadratic in the text).
    chosen: dict[int, _Plan] = {}
    complete = True
    plans: dict[int, _Plan | None] = {}
    for i, block in enumerate(blocks):
        if doc.cost > budget:  # junk: planning every block once already costs more than allowed
            kept = [(g, t, "compatibility") for g, t in sorted(folded.items())]
            return TextRepair(text, kept, 0.0, bool(kept), False)
        plans[i] = _best_plan(doc, block)
    version = dict.fromkeys(plans, 0)
    queue = [(-p.gain, i, 0) for i, p in plans.items() if _convincing(p)]
    heapq.heapify(queue)
    while queue:
        _, i, v = heapq.heappop(queue)
        if v != version[i] or i in chosen:
            continue  # planned again since
        plan = plans[i]
        assert plan is not None
        chosen[i] = plan
        touched = doc.apply(plan.changes)
        if doc.cost > budget:
            complete = False
            break  # the surest changes are made; the rest would cost more than the text allows
        for k in sorted({block_of[ch] for ch in touched if ch in block_of} - chosen.keys()):
            plans[k] = _best_plan(doc, blocks[k])
            version[k] += 1
            if _convincing(plans[k]):
                heapq.heappush(queue, (-plans[k].gain, k, version[k]))
    if len(chosen) < MIN_BLOCKS:
        chosen = {}
    else:
        # In a garbled text a rare character inside a block is an artefact, never the truth:
        # its block must change from there on, even where the model alone would not dare
        # (于 → 云 in a text whose 于 all extract as 亍).
        for i, block in enumerate(blocks):
            rare = [k for k, ch in enumerate(block) if k and _is_rare(ch)]
            changed = chosen[i].changes if i in chosen else {}
            if rare and block[rare[0]] not in changed:
                doc.apply({g: g for g in changed})
                plan = _best_plan(doc, block, last_first=rare[0])
                if plan is not None:
                    chosen[i] = plan
                    doc.apply(plan.changes)
    mapping = {g: t for plan in chosen.values() for g, t in plan.changes.items()}
    repairs = [(g, t, "compatibility") for g, t in sorted(folded.items())]
    repairs += [(g, t, "statistical") for g, t in sorted(mapping.items())]
    out = "".join(mapping.get(ch, ch) for ch in text)
    n_cjk = sum(len(v) for v in doc.where.values()) or 1
    gain = sum(p.gain for p in chosen.values())
    return TextRepair(out, repairs, 100 * gain / n_cjk, bool(repairs), complete)
