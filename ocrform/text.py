"""Text normalisation shared by every stage (SCHEMA.md, "as printed, normalised")."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, then every whitespace character removed; operators such as ≥ ≤ stay as they are."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def normalize_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    out = normalize(text)
    return out or None
