"""A cell's value as a spreadsheet shows it: its number format applied to the stored value.

Covers what forms use: General, fixed decimals (0.00), thousands separators (#,##0.00),
percent (0.00%), literal text in a format ("0.00元", 0"分"), sections for negatives and zero
(#,##0.00;-#,##0.00;"-"), text (@) and dates (yyyy-mm-dd, yyyy"年"m"月"d"日"). A format it
does not understand shows the value as General does, which never loses a digit.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

# Excel's General shows up to this many significant digits.
GENERAL_DIGITS = 11
_COLOR_OR_CONDITION = re.compile(r"\[[^\]]*\]")
_QUOTED = re.compile(r'"([^"]*)"|\\(.)|_.|\*.')
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p", re.IGNORECASE)


def format_value(value: object, number_format: str | None) -> str:
    """The text a spreadsheet shows for ``value`` under ``number_format``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date)):
        return _date(value, number_format or "")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, (int, float)):
        return _number(float(value), number_format or "General")
    return str(value)


def general(value: float) -> str:
    """A number as General shows it: an integer without a point, else up to 11 significant
    digits with no trailing zeros."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.{GENERAL_DIGITS}g}"
    if "e" in text:
        return text
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sections(fmt: str) -> list[str]:
    out, cur, quoted = [], "", False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _number(value: float, fmt: str) -> str:
    if fmt.strip().lower() in ("general", "", "@"):
        return general(value)
    sections = _sections(fmt)
    section, sign = sections[0], "-" if value < 0 else ""
    if value < 0 and len(sections) > 1:
        section, sign = sections[1], ""  # the negative section prints its own sign
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    section = _COLOR_OR_CONDITION.sub("", section)
    if _DATE_TOKEN.fullmatch(section.strip().lower()) or _has_date_tokens(section):
        return _date(_from_serial(value), section)
    if section.strip().lower() == "general":
        return sign + general(abs(value))
    return _apply(abs(value), section, sign)


def _has_date_tokens(section: str) -> bool:
    bare = _QUOTED.sub("", section).lower()
    return bool(re.search(r"[yd]", bare)) or ("m" in bare and not re.search(r"[0#?]", bare))


def _apply(value: float, section: str, sign: str) -> str:
    """A numeric section: its first run of digit placeholders (0 # ? , .) with the literal
    text around it; each % multiplies by a hundred and prints."""
    tokens = _tokens(section)
    first = next((k for k, (kind, _) in enumerate(tokens) if kind == "pattern"), None)
    if first is None:
        return sign + "".join(t for _, t in tokens)
    last = first
    while last + 1 < len(tokens) and tokens[last + 1][0] == "pattern":
        last += 1
    before = "".join(t for _, t in tokens[:first])
    after = "".join(t for _, t in tokens[last + 1 :])
    digits = "".join(t for _, t in tokens[first : last + 1])
    value *= 100 ** (before + after).count("%")
    integer, _, fraction = digits.partition(".")
    # Commas at the end of the integer part scale by a thousand each.
    trailing = len(integer) - len(integer.rstrip(","))
    value /= 1000**trailing
    places = sum(1 for ch in fraction if ch in "0#?")
    required = sum(1 for ch in fraction if ch == "0")
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    min_int = sum(1 for ch in integer if ch == "0")
    whole = whole.lstrip("0").rjust(min_int, "0")
    if "," in integer.rstrip(",") and whole:
        whole = f"{int(whole):,}"
    frac = frac.ljust(places, "0")
    while len(frac) > required and frac.endswith("0"):
        frac = frac[:-1]  # optional places (#) drop trailing zeros
    number = whole + ("." + frac if frac else "")
    if rounded == 0 and not number:
        number = "0"
    elif rounded == 0:
        sign = ""
    return sign + before + (number or "0") + after


def _tokens(section: str) -> list[tuple[str, str]]:
    """("pattern", char) for each digit placeholder, ("text", text) for what prints as is."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            out.append(("text", section[i + 1 : j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            out.append(("text", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            i += 2  # a space as wide as the next character; a fill: neither prints text
        elif ch in "0#?,.":
            out.append(("pattern", ch))
            i += 1
        else:
            out.append(("text", ch))
            i += 1
    return out


def _from_serial(value: float) -> dt.datetime:
    """An Excel date serial (1900 system) as a date and time."""
    return dt.datetime(1899, 12, 30) + dt.timedelta(days=value)


def _date(value: dt.date, fmt: str) -> str:
    section = _COLOR_OR_CONDITION.sub("", _sections(fmt)[0]) if fmt else ""
    if not section or section.lower() == "general" or not _has_date_tokens(section):
        if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) != (0, 0, 0):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.strftime("%Y-%m-%d")
    out = []
    pos = 0
    for m in _QUOTED.finditer(section):
        out.append(_date_tokens(section[pos : m.start()], value))
        out.append(m.group(1) if m.group(1) is not None else (m.group(2) or ""))
        pos = m.end()
    out.append(_date_tokens(section[pos:], value))
    return "".join(out)


def _date_tokens(text: str, value: dt.date) -> str:
    has_time = bool(re.search(r"[hs]", text, re.IGNORECASE))

    def token(m: re.Match[str]) -> str:
        t = m.group(0).lower()
        if t == "yyyy":
            return f"{value.year:04d}"
        if t == "yy":
            return f"{value.year % 100:02d}"
        if t in ("mm", "m"):
            # m after h or before s is minutes
            if has_time and isinstance(value, dt.datetime) and _is_minutes(text, m.start()):
                return f"{value.minute:02d}" if t == "mm" else str(value.minute)
            return f"{value.month:02d}" if t == "mm" else str(value.month)
        if t == "mmm":
            return value.strftime("%b")
        if t == "mmmm":
            return value.strftime("%B")
        if t == "dd":
            return f"{value.day:02d}"
        if t == "d":
            return str(value.day)
        if t in ("ddd", "dddd"):
            return value.strftime("%a" if t == "ddd" else "%A")
        if isinstance(value, dt.datetime):
            if t in ("hh", "h"):
                return f"{value.hour:02d}" if t == "hh" else str(value.hour)
            if t in ("ss", "s"):
                return f"{value.second:02d}" if t == "ss" else str(value.second)
        return ""

    return _DATE_TOKEN.sub(token, text)


def _is_minutes(text: str, at: int) -> bool:
    before = text[:at].lower().rstrip(":")
    after = text[at:].lower().lstrip("m").lstrip(":")
    return before.endswith(("h", "hh")) or after.startswith("s")
