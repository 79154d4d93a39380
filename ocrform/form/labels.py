"""The printed label vocabulary (models/labels.json) and tolerant matching against it.

A label matches when its CJK characters are within a small edit distance of a known variant
(one wrong or missing character in a four-character label is OCR-grade noise); the distance
allowed grows with the variant's length and is zero for labels of three characters or fewer,
where one character is the whole difference between 分值, 得分 and 总分. Because the distance
also bounds the length difference, a long free-text value never matches a short label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import opencc
from rapidfuzz import process
from rapidfuzz.distance import Hamming, Levenshtein

from ocrform.resources import model_json
from ocrform.text import normalize

_BRACKETED = re.compile(r"\([^()]*\)")
# A report heading's number (一、 or (一)), after NFKC: not part of the label it opens.
HEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\))")
_NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff]")
# Labels are short; anything much longer is a value, whatever it contains.
MAX_LABEL_CHARS = 24


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The part of a printed label that identifies it: simplified CJK characters only.

    Bracketed parts ((A), (元), (50分), (指标)) and column codes are dropped, so 全年执行数（B）,
    全年执行数(B) and 全年执行数 all give 全年执行数.
    """
    s = HEADING_NUMBER.sub("", _t2s().convert(normalize(text)))
    s = _BRACKETED.sub("", s)
    return _NOT_CJK.sub("", s)


MAX_ALLOWANCE = 3
# Match results are kept across documents; a long batch sees many distinct short values.
MAX_CACHED = 100_000


def allowance(n: int) -> int:
    """Edit distance tolerated for a variant of n characters."""
    if n <= 3:
        return 0
    if n <= 6:
        return 1
    if n <= 10:
        return 2
    return 3


@dataclass(frozen=True)
class LabelMatch:
    group: str
    role: str
    distance: int


class Vocabulary:
    """Label groups: role → printed variants, as models/labels.json lists them."""

    def __init__(self, data: dict) -> None:
        self.groups: dict[str, dict[str, list[str]]] = {
            "fields": data["fields"],
            "ignore": {"ignore": data["ignore"]},
            "sections": data["sections"],
            "fund_columns": data["fund_columns"],
            "goal_columns": data["goal_columns"],
            "indicator_columns": data["indicator_columns"],
            "rubric_columns": data["rubric_columns"],
            "fund_items": data["fund_items"],
            "stock_values": data["stock_values"],
        }
        self._keys: dict[str, list[tuple[str, str]]] = {
            group: [(role, label_key(v)) for role, variants in roles.items() for v in variants]
            for group, roles in self.groups.items()
        }
        self.title_patterns = [re.compile(p) for p in data["title_patterns"]]
        # A line that only states the funds' unit (金额单位：万元), printed beside the table.
        self.unit_line = re.compile(data["unit_line"])
        self.level1 = {c: [label_key(v) for v in vs] for c, vs in data["level1"].items()}
        self.level2 = {c: [label_key(v) for v in vs] for c, vs in data["level2"].items()}
        self.level1_of_level2: dict[str, str] = data["level1_of_level2"]
        self.value_units: frozenset[str] = frozenset(data["value_units"])
        self.level2_of_name: list[tuple[str, str]] = [(w, l2) for w, l2 in data["level2_of_name"]]
        self.level2_in_context = {
            l1: {label_key(k): v for k, v in m.items()} for l1, m in data["level2_in_context"].items()
        }
        self.grades: list[str] = sorted(data["grades"], key=len, reverse=True)
        self.grade_in_text: str = data["grade_in_text"]
        self._cache: dict[tuple[str, tuple[str, ...]], LabelMatch | None] = {}
        self._hits: dict[str, dict[tuple[str, str], int]] = {}
        self._per_group: dict[str, dict[str, LabelMatch]] = {}
        self._variants = [v for g in self.groups for _, v in self._keys[g]]
        self._meta = [(g, role, allowance(len(v))) for g in self.groups for role, v in self._keys[g]]
        self._group_order = {g: n for n, g in enumerate(self.groups)}

    def match(self, text: str, *groups: str) -> LabelMatch | None:
        """The role ``text`` names among ``groups`` (all groups when none given), or None.

        Two roles equally close to a noisy text make it ambiguous, hence no match.
        """
        if len(normalize(text)) > MAX_LABEL_CHARS:
            return None
        key = label_key(text)
        if not key:
            return None
        return self._match_key(key, groups or tuple(self.groups))

    def misread_of(self, text: str, group: str) -> str | None:
        """The one role of ``group`` that an OCR reading of ``text`` misread, else None.

        Stricter than ``match``: recognisers substitute characters (总额 → 总幅) but rarely
        add or drop one, while a printed variant outside the vocabulary (其中:上级补助资金)
        usually differs in length; so only a same-length key within the allowance counts.
        """
        key = label_key(text)
        hits = {
            role
            for role, variant in self._keys[group]
            if len(variant) == len(key) and Hamming.distance(key, variant) <= allowance(len(key))
        }
        return hits.pop() if len(hits) == 1 else None

    def split_labels(self, text: str, group: str) -> list[str] | None:
        """The roles of ``group`` whose labels ``text`` prints one after another, else None.

        A rule lost under a seal or a faded scan merges header cells into one, and its
        reading runs their labels together (指标（目标）值实际完成值). Only a cut into two or
        more labels of different roles counts, the closest such cut, and only when no other
        sequence of roles comes as close.
        """
        key = label_key(text)
        n = len(key)
        if n > 3 * MAX_LABEL_CHARS:
            return None
        # best[i]: (total distance, role sequences reaching it) for the cuts of key[:i].
        best: list[tuple[int, set[tuple[str, ...]]] | None] = [None] * (n + 1)
        best[0] = (0, {()})
        for i in range(n):
            if best[i] is None:
                continue
            done, sequences = best[i]
            for j in range(i + 2, min(n, i + MAX_LABEL_CHARS) + 1):
                m = self._match_key(key[i:j], (group,))
                if m is None:
                    continue
                extended = {(*seq, m.role) for seq in sequences if m.role not in seq}
                if not extended:
                    continue
                total = done + m.distance
                here = best[j]
                if here is None or total < here[0]:
                    best[j] = (total, extended)
                elif total == here[0]:
                    here[1].update(extended)
        if best[n] is None:
            return None
        found = {seq for seq in best[n][1] if len(seq) >= 2}
        return list(found.pop()) if len(found) == 1 else None

    def is_label_fragment(self, text: str, group: str, role: str) -> bool:
        """Whether ``text`` is a piece of two or more characters of one of ``role``'s labels."""
        key = label_key(text)
        return len(key) >= 2 and any(key in variant and key != variant for r, variant in self._keys[group] if r == role)

    def match_each_group(self, text: str) -> dict[str, LabelMatch]:
        """``match(text, group)`` for every group at once, absent where a group has no match."""
        if len(normalize(text)) > MAX_LABEL_CHARS:
            return {}
        key = label_key(text)
        if not key:
            return {}
        found = self._per_group.get(key)
        if found is None:
            found = {}
            for group in {g for g, _ in self._distances(key)}:
                m = self._match_key(key, (group,))
                if m is not None:
                    found[group] = m
            self._per_group[key] = found
        return found

    def _match_key(self, key: str, groups: tuple[str, ...]) -> LabelMatch | None:
        cache_key = (key, groups)
        if cache_key in self._cache:
            return self._cache[cache_key]
        best = {gr: d for gr, d in self._distances(key).items() if gr[0] in groups}
        result = None
        if best:
            low = min(best.values())
            winners = [gr for gr, d in best.items() if d == low]
            if low == 0 or len({role for _, role in winners}) == 1:
                group, role = winners[0]
                result = LabelMatch(group, role, low)
        if len(self._cache) > MAX_CACHED:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _distances(self, key: str) -> dict[tuple[str, str], int]:
        """(group, role) → distance of its closest variant, for the roles within their allowance.

        One C-level pass over every variant of every group; each hit is then held to its own
        variant's allowance. Groups keep the order models/labels.json gives them.
        """
        found = self._hits.get(key)
        if found is None:
            found = {}
            for _, d, i in process.extract(
                key, self._variants, scorer=Levenshtein.distance, score_cutoff=MAX_ALLOWANCE, limit=None
            ):
                group, role, limit = self._meta[i]
                if d <= limit and d < found.get((group, role), 99):
                    found[(group, role)] = int(d)
            found = dict(sorted(found.items(), key=lambda kv: self._group_order[kv[0][0]]))
            if len(self._hits) > MAX_CACHED:
                self._hits.clear()
                self._per_group.clear()
            self._hits[key] = found
        return found

    def label_before_colon(self, prefix: str, *groups: str) -> tuple[int, LabelMatch] | None:
        """The label that ends ``prefix`` (the text before a colon), as (start index, match).

        ``prefix`` may carry a preceding value: "六盘水市电子政务办公室填报日期" ends with 填报日期.
        """
        best: tuple[int, LabelMatch] | None = None
        rank: tuple[int, int, int] | None = None
        groups = groups or tuple(self.groups)
        for start in range(max(0, len(prefix) - MAX_LABEL_CHARS), len(prefix)):
            tail = prefix[start:]
            key = label_key(tail)
            m = self._match_key(key, groups) if key else None
            # The closest label wins; among equals the one naming the most characters (项目单位,
            # not 单位), then the shortest tail, so that nothing of the preceding value (a
            # date's digits) is taken for part of the label.
            if m is not None and (rank is None or (m.distance, -len(key), -start) < rank):
                best, rank = (start, m), (m.distance, -len(key), -start)
        return best

    def is_title(self, text: str) -> bool:
        s = normalize(text)
        return len(s) <= 40 and any(p.search(s) for p in self.title_patterns)

    def canonical_level1(self, text: str) -> str | None:
        key = label_key(text)
        return _closest(key, self.level1) or _by_head(key, self.level1)

    def parent_level1(self, level2: str) -> str | None:
        """The 一级指标 a canonical 二级指标 belongs to (成本指标 under 产出指标 in the vocabulary)."""
        return self.level1_of_level2.get(level2)

    def level2_from_name(self, name: str) -> str | None:
        """The 二级指标 an indicator's name says (see level2_of_name in models/labels.json)."""
        return next((level2 for word, level2 in self.level2_of_name if word in name), None)

    def canonical_level2(self, text: str, level1: str | None) -> str | None:
        key = label_key(text)
        in_context = self.level2_in_context.get(level1 or "", {})
        if key in in_context:
            return in_context[key]
        return _closest(key, self.level2) or _by_head(key, self.level2)


def _distance(key: str, variant: str) -> int | None:
    limit = allowance(len(variant))
    if abs(len(key) - len(variant)) > limit:
        return None
    d = Levenshtein.distance(key, variant, score_cutoff=limit)
    return d if d <= limit else None


def _closest(key: str, vocabulary: dict[str, list[str]]) -> str | None:
    """The canonical name whose variants come closest to ``key``; None when none or a tie."""
    if not key:
        return None
    scored = []
    for canonical, variants in vocabulary.items():
        ds = [d for v in variants if (d := _distance(key, v)) is not None]
        if ds:
            scored.append((min(ds), canonical))
    if not scored:
        return None
    scored.sort()
    if len(scored) > 1 and scored[0][0] == scored[1][0] and scored[0][0] > 0:
        return None
    return scored[0][1]


# Every level name ends in this; the characters before it tell the names apart.
_LEVEL_TAIL = "指标"


def _by_head(key: str, vocabulary: dict[str, list[str]]) -> str | None:
    """The one level name whose own part ``key`` prints exactly, its 指标 misread.

    A black-and-white scan at 150 dpi reads 指标 as 翔棒, 排棒, 推棒: two characters of four,
    more than a match may differ by, while 质量 and 时效 came through.
    """
    found = {
        canonical
        for canonical, variants in vocabulary.items()
        for v in variants
        if v.endswith(_LEVEL_TAIL)
        and len(v) - len(_LEVEL_TAIL) >= 2
        and len(key) == len(v)
        and key.startswith(v[: -len(_LEVEL_TAIL)])
    }
    return found.pop() if len(found) == 1 else None


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary(model_json("labels.json"))


# The column-header groups of models/labels.json, by the section they head; of two groups a
# row names as many roles of, the first listed wins.
SECTION_OF_GROUP = {
    "indicator_columns": "indicators",
    "fund_columns": "funds",
    "goal_columns": "goals",
    "rubric_columns": "rubric",
}
# A header names at least this many columns of its group.
MIN_HEADER_ROLES = 2


def header_group(
    roles_of: Callable[[str], Iterable[str]], fewer: Callable[[str, set[str]], bool] | None = None
) -> str | None:
    """The header group a row (a table row's cells, a dump line's words) names: the one whose
    roles ``roles_of(group)`` gives most of, at least MIN_HEADER_ROLES, or fewer where
    ``fewer(group, roles)`` knows the row is a header all the same (its other labels on the
    next line, or half hidden under a seal). The one recogniser of the grid and dump readers."""
    best: tuple[int, str] | None = None
    for group in SECTION_OF_GROUP:
        roles = set(roles_of(group))
        enough = len(roles) >= MIN_HEADER_ROLES or (fewer is not None and fewer(group, roles))
        if enough and (best is None or len(roles) > best[0]):
            best = (len(roles), group)
    return None if best is None else best[1]
