"""The numbers Word prints before numbered paragraphs (一、 （二） 1. ①), which its file does
not hold as text: each list's counters, level by level, formatted as its definition says.

A paragraph is numbered by its own ``w:numPr`` or by its style's; a level's counter starts at
its ``w:start`` (or the list's ``w:startOverride``) and restarts when a higher level of the
same list moves on. Bullets print no text a form is read by, so they are left out.
"""

from __future__ import annotations

from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHINESE = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """一 … 九十九 (十, 十一, 二十), the counting Word's chineseCounting prints."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CHINESE[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CHINESE[tens]) + "十" + (_CHINESE[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L")):
        while n >= value:
            out, n = out + letters, n - value
    for value, letters in ((40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz.
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital"):
        return chinese_number(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "ideographTraditional":
        return _HEAVENLY[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(c) - ord("0") + ord("０")) for c in str(n))
    return str(n)


class Numbering:
    """The document's list definitions and the counters met so far, in document order."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) → fmt, text, start
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = self._numbering_root(document)
        except Exception:  # a damaged numbering part: paragraphs go unnumbered
            root = None
        if root is not None:
            self._read(root)
        try:
            for style in document.styles.element.findall(f"{_W}style"):
                num = style.find(f"{_W}pPr/{_W}numPr")
                if num is not None:
                    num_id = _val(num.find(f"{_W}numId"))
                    if num_id:
                        self.style_num[style.get(f"{_W}styleId", "")] = (num_id, int(_val(num.find(f"{_W}ilvl")) or 0))
        except Exception:  # styles are optional
            pass

    @staticmethod
    def _numbering_root(document: Any) -> Any:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        for rel in document.part.rels.values():
            if rel.reltype == RT.NUMBERING and not rel.is_external:
                return rel.target_part.element
        return None

    def _read(self, root: Any) -> None:
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for a in root.findall(f"{_W}abstractNum"):
            abstract[a.get(f"{_W}abstractNumId", "")] = {
                int(lvl.get(f"{_W}ilvl", "0")): (
                    _val(lvl.find(f"{_W}numFmt")) or "decimal",
                    _val(lvl.find(f"{_W}lvlText")) or "",
                    int(_val(lvl.find(f"{_W}start")) or 1),
                )
                for lvl in a.findall(f"{_W}lvl")
            }
        for num in root.findall(f"{_W}num"):
            num_id = num.get(f"{_W}numId", "")
            levels = dict(abstract.get(_val(num.find(f"{_W}abstractNumId")) or "", {}))
            for override in num.findall(f"{_W}lvlOverride"):
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                start = _val(override.find(f"{_W}startOverride"))
                if ilvl in levels and start:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start))
            for ilvl, spec in levels.items():
                self.levels[(num_id, ilvl)] = spec

    def label(self, p: Any) -> str:
        """The number printed before paragraph ``p`` ("" if none), its counter moved on."""
        num = p.find(f"{_W}pPr/{_W}numPr")
        num_id, ilvl = None, 0
        if num is not None:
            num_id = _val(num.find(f"{_W}numId"))
            ilvl = int(_val(num.find(f"{_W}ilvl")) or 0)
        else:
            style = p.find(f"{_W}pPr/{_W}pStyle")
            found = self.style_num.get(_val(style) or "") if style is not None else None
            if found:
                num_id, ilvl = found
        if not num_id or num_id == "0" or (num_id, ilvl) not in self.levels:
            return ""
        fmt, text, start = self.levels[(num_id, ilvl)]
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt in ("bullet", "none"):
            return ""
        out = text
        for level in range(9):
            marker = f"%{level + 1}"
            if marker in out:
                spec = self.levels.get((num_id, level))
                value = counters.get(level, spec[2] if spec else 1)
                out = out.replace(marker, format_number(value, spec[0] if spec else "decimal"))
        return out


def _val(el: Any) -> str | None:
    return el.get(f"{_W}val") if el is not None else None
