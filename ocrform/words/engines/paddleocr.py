"""Optional engine: a local PaddleOCR (3.x) installation with model folders given by path.

    get_engine("paddleocr", det_model_dir="/models/PP-OCRv5_server_det",
               rec_model_dir="/models/PP-OCRv5_server_rec", batch_size="16")

PaddleOCR is imported only here, when this engine is asked for; without it the user gets
a one-line error naming the engine and what to install.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ocrform.errors import InputError
from ocrform.model import Box
from ocrform.words.engines import Reading


class PaddleOcrEngine:
    """Options: ``rec_model_dir`` (required), ``det_model_dir`` (required for text outside
    tables), ``batch_size`` (recognition batch, default 16)."""

    name = "paddleocr"

    def __init__(
        self, rec_model_dir: str | None = None, det_model_dir: str | None = None, batch_size: str | int = 16
    ) -> None:
        try:
            import paddleocr
        except ImportError:
            raise InputError(
                "engine paddleocr", "PaddleOCR is not installed (pip install paddleocr paddlepaddle)"
            ) from None
        for option, folder in (("rec_model_dir", rec_model_dir), ("det_model_dir", det_model_dir)):
            if not folder:
                raise InputError("engine paddleocr", f"option {option} (a model folder) is required")
            if not Path(folder).is_dir():
                raise InputError(folder, f"{option}: model folder not found")
        self.batch_size = int(batch_size)
        self._rec = paddleocr.TextRecognition(model_dir=rec_model_dir)
        self._det = paddleocr.TextDetection(model_dir=det_model_dir)

    def recognize(self, line_images: list[np.ndarray]) -> list[Reading]:
        if not line_images:
            return []
        results = self._rec.predict(input=list(line_images), batch_size=self.batch_size)
        # PaddleOCR scores whole lines only.
        return [Reading(str(r["rec_text"]), float(r["rec_score"]), float(r["rec_score"])) for r in results]

    def detect(self, image: np.ndarray) -> list[Box]:
        boxes = []
        for result in self._det.predict(input=image):
            for poly in result["dt_polys"]:
                pts = np.asarray(poly, dtype=np.float32).reshape(-1, 2)
                boxes.append(
                    Box(float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
                )
        boxes.sort(key=lambda b: (b.y0, b.x0))
        return boxes
