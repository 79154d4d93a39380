"""The package's data files, found in one place.

They live in ``models/`` at the top of the source tree and are installed as the package
``ocrform.models`` (pyproject maps the one onto the other), so a wheel, an editable install
and a plain source checkout all read the same files through ``importlib.resources``.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

DATA_PACKAGE = "ocrform.models"
# A checkout run without installing (PYTHONPATH pointing at it) has no ocrform.models package.
_SOURCE_TREE = Path(__file__).resolve().parent.parent / "models"


def model_file(name: str) -> Traversable:
    """The data file ``name`` (e.g. ``labels.json``), wherever the package was installed."""
    try:
        root: Traversable = resources.files(DATA_PACKAGE)
    except ModuleNotFoundError:
        root = _SOURCE_TREE
    return root.joinpath(name)


def model_text(name: str) -> str:
    return model_file(name).read_text(encoding="utf-8")


def model_json(name: str) -> Any:
    return json.loads(model_text(name))
