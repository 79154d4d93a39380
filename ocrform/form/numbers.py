"""Numbers, dates, years and money units as forms print them."""

from __future__ import annotations

import re
from datetime import date

from ocrform.text import normalize

# Printed placeholders for "no value": ASCII and full-width hyphens, dashes, slash.
_EMPTY = re.compile(r"[-‐‑‒–—―－─/／]*")
_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
# OCR reads a thousands comma as a dot now and then: 39.090.800.00 can only mean 39,090,800.00.
_DOTTED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+\.\d{1,2}")
_UNIT_SUFFIX = re.compile(r"(万元|元|%|分)$")
_DATE = re.compile(r"(\d{4})[年/.\-](\d{1,2})[月/.\-](\d{1,2})日?")
_YEAR = re.compile(r"(?<!\d)(\d{4})年度")
_UNIT = re.compile(r"\((万元|元)\)|单位[:：](万元|元)")
# A comparison, a number, and the 96 a coarse scan makes of a % sign (100% → 10096).
_PERCENT_AS_96 = re.compile(r"([≥≤=<>]?)(\d+(?:\.\d+)?)96")
_COMPARISON = re.compile(r"^[≥≤=<>]")
# ... taken for one only this near (percentage points) the row's other value.
PERCENT_AS_96_NEAR = 20.0


def parse_number(text: str | None) -> float | None:
    """39,090,800.00 → 39090800.0, 99.99% → 99.99, 35 万元 → 35.0; a dash, slash or blank → None.

    Text that is not one number (基本完成, 10分钟) is no number either.
    """
    if text is None:
        return None
    s = normalize(text)
    if _EMPTY.fullmatch(s):
        return None
    s = _UNIT_SUFFIX.sub("", s)
    if _DOTTED_THOUSANDS.fullmatch(s):
        head, _, tail = s.rpartition(".")
        s = head.replace(".", ",") + "." + tail
    m = _NUMBER.fullmatch(s)
    if m is None:
        return None
    sign, whole, frac = m.groups()
    value = float(whole.replace(",", "") + (frac or ""))
    return -value if sign == "-" else value


def number_unit(text: str) -> str | None:
    """万元 or 元 when a money value carries its unit (35 万元)."""
    s = normalize(text)
    if parse_number(s) is None:
        return None
    for unit in ("万元", "元"):
        if s.endswith(unit):
            return unit
    return None


def stated_unit(text: str) -> str | None:
    """The unit a label states: 项目资金（万元）, 单位：元."""
    m = _UNIT.search(normalize(text))
    if m is None:
        return None
    return m.group(1) or m.group(2)


def parse_date(text: str) -> str | None:
    """2023/12/25, 2023年12月25日, 2023-12-25, 2023.12.25 → 2023-12-25; None when no valid date."""
    m = _DATE.search(normalize(text))
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def parse_year(text: str) -> int | None:
    """（2023年度）, (2020 年度), 2023年度项目… → the year."""
    m = _YEAR.search(normalize(text))
    return int(m.group(1)) if m else None


def percent_read_as_96(value: str, partner: str | None) -> str | None:
    """``value`` with the % sign a coarse scan read as 96 restored, judged by the row's other value.

    An indicator's target and actual share one unit. When the other is a percentage and this
    one is a bare number ending in 96 that, its 96 taken for %, is a percentage near the
    other, the sign was misread: 10096 beside ≥95% is 100%, 096 beside ≤0% is 0%. A count
    such as 196 beside ≥90% is left as read.
    """
    if partner is None or not normalize(partner).endswith("%"):
        return None
    m = _PERCENT_AS_96.fullmatch(normalize(value))
    other = parse_number(_COMPARISON.sub("", normalize(partner)))
    if m is None or other is None:
        return None
    stem = float(m[2])
    if stem > 100 or abs(stem - other) > PERCENT_AS_96_NEAR:
        return None
    return f"{m[1]}{m[2]}%"
