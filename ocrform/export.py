"""Write conversion results: JSON always (the schema contract), CSV/XLSX tables for people."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ocrform.canonical import DocumentResult, dumps


def output_path(outdir: Path, source: Path, taken: set[Path]) -> Path:
    """``OUTDIR/<stem>.json``; a second input with the same stem gets ``<stem>-2.json``."""
    candidate = outdir / f"{source.stem}.json"
    n = 2
    while candidate in taken:
        candidate = outdir / f"{source.stem}-{n}.json"
        n += 1
    taken.add(candidate)
    return candidate


def write_json(result: DocumentResult, path: Path) -> None:
    """Atomically: a crash mid-write never leaves a truncated JSON that looks like a result,
    and two writers of one name never mix their bytes (each has its own temporary)."""
    from ocrform.batch.outputs import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (dumps(result) + "\n").encode("utf-8"))


# The tables for people (CSV, XLSX) sit beside the JSON and share its stem; the HTML report
# is one per batch (``report.html``).
TABLE_FORMATS = ("csv", "xlsx")


def format_paths(json_path: Path, formats: Iterable[str], optional: bool = False) -> list[Path]:
    """The files besides ``json_path`` that ``formats`` ask for: those every document gets,
    and with ``optional`` those only some do (a rubric's CSV)."""
    if not any(f in TABLE_FORMATS for f in formats):
        return []
    from ocrform.tables import table_paths

    return [p for f in formats if f in TABLE_FORMATS for p in table_paths(json_path, f, optional)]


def write_formats(result: DocumentResult, json_path: Path, formats: Iterable[str]) -> list[Path]:
    from ocrform import tables

    return tables.write_formats(result, json_path, {f for f in formats if f in TABLE_FORMATS})
