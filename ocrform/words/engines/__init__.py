"""OCR engines behind one small interface, picked by name (``get_engine("rapidocr")``).

An engine finds text lines on an image (``detect``) and reads line images (``recognize``,
batched). Each engine lives in its own module and is imported only when asked for, so an
optional engine's missing dependency never breaks the default one.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import NamedTuple, Protocol

import numpy as np

from ocrform.errors import InputError
from ocrform.model import Box

# name -> (module, factory); the module is imported on first use.
_ENGINES = {
    "rapidocr": ("ocrform.words.engines.rapidocr", "RapidOcrEngine"),
    "paddleocr": ("ocrform.words.engines.paddleocr", "PaddleOcrEngine"),
}


class Reading(NamedTuple):
    """One line image as read.

    ``confidence`` (0..1) is the recogniser's confidence in the line as a whole; ``weakest``
    is its probability for the line's least sure character, which a long line read at 0.95
    can still hide (one character at 0.2). An engine that scores only whole lines gives its
    line score for both.
    """

    text: str
    confidence: float
    weakest: float


class OcrEngine(Protocol):
    name: str

    def detect(self, image: np.ndarray) -> list[Box]:
        """Axis-aligned boxes (pixels) of the text lines on ``image`` (BGR or grey)."""
        ...

    def recognize(self, line_images: list[np.ndarray]) -> list[Reading]:
        """The reading of each single-line image, in the given order."""
        ...


def engine_names() -> list[str]:
    return sorted(_ENGINES)


def get_engine(name: str, **options: str) -> OcrEngine:
    """The engine called ``name``, configured by ``options`` (see each engine's docstring)."""
    if name not in _ENGINES:
        raise InputError(f"engine {name}", f"unknown OCR engine; choose one of {', '.join(engine_names())}")
    module_name, factory = _ENGINES[name]
    module = importlib.import_module(module_name)
    engine: OcrEngine = getattr(module, factory)(**options)
    return engine


def check_engine(name: str, options: dict[str, str]) -> None:
    """Raise ``InputError`` for an unknown engine, an option it does not take, or an optional
    engine that is not installed, before any input is read (and without loading models)."""
    if name not in _ENGINES:
        raise InputError(f"engine {name}", f"unknown OCR engine; choose one of {', '.join(engine_names())}")
    module_name, factory = _ENGINES[name]
    if name == "paddleocr" and importlib.util.find_spec("paddleocr") is None:
        raise InputError("engine paddleocr", "PaddleOCR is not installed (pip install paddleocr paddlepaddle)")
    accepted = [p for p in inspect.signature(getattr(importlib.import_module(module_name), factory)).parameters]
    for key, value in options.items():
        if key not in accepted:
            raise InputError(f"engine {name}", f"unknown option {key!r}; it takes {', '.join(accepted)}")
        if key == "threads" and not (value.isdigit() and int(value) > 0):
            raise InputError(f"engine {name}", f"option threads={value!r}: expected a whole number above 0")
