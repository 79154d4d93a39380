"""Text direction (upright or upside down) from PP-OCR's direction classifier.

The classifier ships inside the rapidocr wheel beside the detector and recogniser, so
orientation costs no download and one small ONNX session.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import onnxruntime as ort

CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
INPUT_HEIGHT, INPUT_WIDTH = 48, 192


@cache
def _session() -> ort.InferenceSession:
    from ocrform.words.engines.rapidocr import model_dir

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(model_dir() / CLS_MODEL), options, providers=["CPUExecutionProvider"])


def upside_down_votes(crops: list[np.ndarray]) -> np.ndarray:
    """Per text-line crop, log P(upside down) − log P(upright): > 0 where it reads upside down."""
    batch = [_input(c) for c in crops if c.size and c.shape[0] > 2 and c.shape[1] > 2]
    if not batch:
        return np.zeros(0)
    session = _session()
    probs = session.run(None, {session.get_inputs()[0].name: np.stack(batch)})[0]
    probs = np.clip(probs, 1e-6, 1.0)
    return np.log(probs[:, 1]) - np.log(probs[:, 0])


def _input(crop: np.ndarray) -> np.ndarray:
    bgr = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 else crop
    h, w = bgr.shape[:2]
    width = min(INPUT_WIDTH, max(1, round(INPUT_HEIGHT * w / h)))
    resized = cv2.resize(bgr, (width, INPUT_HEIGHT)).astype(np.float32)
    resized = (resized / 255.0 - 0.5) / 0.5
    out = np.zeros((3, INPUT_HEIGHT, INPUT_WIDTH), dtype=np.float32)
    out[:, :, :width] = resized.transpose(2, 0, 1)
    return out
