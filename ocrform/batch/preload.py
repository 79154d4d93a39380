"""What the workers' fork server loads before any worker forks from it: the converter's
modules (0.45 s) and the tables a conversion reads on first use (``stages.warm_up``). Each
worker then starts with them, shared with the server until written, instead of loading its
own, which every worker of a batch paid at once before its first file."""

import contextlib
import gc
import importlib
import sys

# PyMuPDF 2 loads its layout plugin on import when installed (it is a dependency), and
# ocrform never asks for a page layout: blocked here, in the workers' own server, it costs
# none of their 0.2 s each. (An ImportError is what PyMuPDF expects of a missing plugin.)
sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]

for module in ("ocrform.pipeline", "ocrform.batch.worker"):
    importlib.import_module(module)
# A table that cannot be loaded here fails in the worker that needs it, naming its file.
with contextlib.suppress(Exception):
    importlib.import_module("ocrform.stages").warm_up()
# Moved out of the collector's sight: a worker's collections then neither walk the tables
# nor write to their pages (which would copy them into every worker).
gc.freeze()
