"""The output formats ``ocrform convert --format`` takes: ``json`` (the schema contract),
``csv`` and ``xlsx`` (``ocrform.tables``, per document, beside its JSON) and ``html`` (the
batch's QA report, ``ocrform.report``, written once at the end)."""

from __future__ import annotations

import argparse

FORMATS = ("json", "csv", "xlsx", "html")


def parse_formats(text: str) -> set[str]:
    """``--format``'s value, comma-separated (``json,csv,xlsx,html``; case and spaces do not
    matter), as a set; an unknown or empty name is an argparse error naming the choices."""
    names = {part.strip().lower() for part in text.split(",")}
    unknown = sorted(n for n in names if n not in FORMATS)
    if not names or unknown:
        shown = ", ".join(repr(n) for n in unknown) or repr(text)
        raise argparse.ArgumentTypeError(f"unknown format {shown}: choose from {','.join(FORMATS)}")
    return names
