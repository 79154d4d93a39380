"""Write conversion results: JSON always (the schema contract); tables for people come later."""

from __future__ import annotations

from pathlib import Path

from ocrform.canonical import DocumentResult, dumps

FORMATS = ("json",)


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(dumps(result) + "\n", encoding="utf-8")
    # A crash mid-write must not leave a truncated JSON that looks like a result.
    tmp.replace(path)
