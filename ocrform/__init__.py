"""ocrform: Chinese performance self-evaluation forms (项目支出绩效自评表) to canonical JSON.

Convert PDFs (born-digital, with a broken text layer, or scanned), images, text dumps and
Word or Excel files of the forms into one canonical JSON schema, offline, on a CPU:

    import ocrform

    result = ocrform.convert("samples/guizhou_1form.pdf")    # a DocumentResult
    form = result.forms[0]                                    # the canonical form (pydantic)
    print(form.project_name, form.total_score, len(form.indicators))
    print(result.model_dump_json(indent=1))                   # what `ocrform convert` writes

    for item in ocrform.convert_many(["a.pdf", "b.tiff"]):    # a batch, one outcome per input
        print(item.path, len(item.result.forms) if item.ok else item.error)

    with ocrform.open("samples/guizhou_1form_scan.pdf") as doc:
        page = doc.pages[0]
        page.words, page.tables, page.seals                   # what was read, and where
        page.debug_image("page1.png")                         # grid, cells, words, fields drawn
        doc.forms, doc.evidence

The public surface is what ``__all__`` names; every submodule is internal.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# onnxruntime (1.2x and later) writes a telemetry device id and event store under
# ~/.cache/Microsoft/DeveloperTools when first imported; this, read at that import, turns it
# off (its disable_telemetry_events() comes too late: the files are written by then).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

# Public name → the module defining it (and its name there). Imported on first use:
# ``ocrform --version`` and ``ocrform schema`` should not pay a second for OpenCV, MuPDF and
# the OCR stack.
_EXPORTS = {
    "convert": "ocrform.api",
    "convert_many": "ocrform.api",
    "open": "ocrform.api",
    "schema": "ocrform.canonical:document_json_schema",
    "Document": "ocrform.api",
    "DocumentPage": "ocrform.api",
    "Converted": "ocrform.pipeline",
    "DocumentResult": "ocrform.canonical",
    "Form": "ocrform.canonical",
    "FormEvidence": "ocrform.canonical",
    "Provenance": "ocrform.canonical",
    "Issue": "ocrform.canonical",
    "Repair": "ocrform.canonical",
    "Source": "ocrform.canonical",
    "InputError": "ocrform.errors",
    "Problem": "ocrform.canonical",
}

__all__ = [
    "Converted",
    "Document",
    "DocumentPage",
    "DocumentResult",
    "Form",
    "FormEvidence",
    "InputError",
    "Issue",
    "Problem",
    "Provenance",
    "Repair",
    "Source",
    "__version__",
    "convert",
    "convert_many",
    "open",
    "schema",
]

if TYPE_CHECKING:
    from ocrform.api import Document, DocumentPage, convert, convert_many, open
    from ocrform.canonical import DocumentResult, Form, FormEvidence, Issue, Problem, Provenance, Repair, Source
    from ocrform.canonical import document_json_schema as schema
    from ocrform.errors import InputError
    from ocrform.pipeline import Converted


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'ocrform' has no attribute {name!r}")
    module, _, attr = where.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
