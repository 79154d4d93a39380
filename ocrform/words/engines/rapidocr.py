"""The default engine: the PP-OCR ONNX models shipped inside the installed rapidocr wheel.

The models are run with onnxruntime directly: recognition takes a whole page's line images
in a few padded batches, and the detector is needed only for the text outside the tables.
Nothing is downloaded; a missing model file is an installation error, reported on one line.
"""

from __future__ import annotations

import math
import queue
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from ocrform.cpu import thread_budget
from ocrform.errors import InputError
from ocrform.model import Box
from ocrform.text import is_cjk
from ocrform.words.engines import Reading
from ocrform.words.engines.output_classes import keep_classes, model_metadata, printed_character
from ocrform.words.lexicon import MIN_CANDIDATE, PUNCTUATION_LOOKALIKES, TOP_SURE, choose_characters

# The recogniser's output classes read: see RapidOcrEngine.
CHARSETS = ("gb2312", "all")
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
REC_HEIGHT = 48
# Line images are grouped into batches of similar width, each at most this many input
# pixels: small batches keep the activations in cache, and on 2 cores a batch of one or two
# 320-pixel lines ran 25% faster than batches of 8 to 16 (measured on a form page).
REC_BATCH_PIXELS = 48 * 480
# Lines are narrowed by this factor before recognition: the recogniser's cost grows with
# the line's width and printed form text stays legible well below its natural width.
REC_SQUEEZE = 0.6
REREAD_BELOW = 0.9
# A wrapped paragraph read as one line is most of a page's recognition cost (on 150 dpi
# scans, 18 lines of 1,900 held 37% of the width): past this width (pixels, narrowed) a
# line is narrowed a tenth more, as prose stays legible at less width than digits do.
LONG_LINE_PX = 1600
LONG_LINE_SQUEEZE = 0.9
# A batch wider than this (pixels, all its lines together) returns its memory when done: a
# long wrapped text read as one line needs ten times a usual batch's activations, and each
# recogniser session would keep that much for the rest of the run (400 MB a session).
SHRINK_ABOVE = 4 * REC_BATCH_PIXELS // REC_HEIGHT
REREAD_SQUEEZE = 0.8
# Only lines up to this width (pixels, narrowed; about a dozen characters) are read again: on
# three heavy sets, rereading the wider ones changed no field and was a third of the rereads' cost.
REREAD_MAX_PX = 250
# Probability at a line's first character above which a leading comparison operator is read.
OPERATOR_SHARE = 0.01
# Probability in the frames before a line's first character above which an operator the
# reading left out is put back: a black-and-white scan fills the two strokes of = into one
# blob, read as blank beside 0.06-0.34 for =; before a plain number it gets at most 0.03.
UNREAD_OPERATOR_SHARE = 0.04
# A sentence's final 。, small and last in a long line image, is often read as blank while it
# keeps this much probability in the frames after the last character (0.03-0.39 on 150 dpi
# scans; after a sentence printed without one, at most 0.011). Lines this long are sentences;
# a short label (系统运行维护响应时间) showed 0.08 with no stop printed.
UNREAD_STOP_SHARE = 0.02
SENTENCE_CHARS = 16
# A reading that is a number (digits, separators, sign, %) with a digit repeated in a row.
_NUMBER_WITH_REPEAT = re.compile(r"[-+≥≤<>]?[\d,.，]*(\d)\1[\d,.，]*%?")
# Detection: the page strip is scaled so its longer side is at most this many pixels.
DET_MAX_SIDE = 1280
DET_THRESH = 0.3
DET_BOX_THRESH = 0.5
DET_UNCLIP = 1.6


def model_dir() -> Path:
    """The folder of ONNX models inside the installed rapidocr package."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise InputError("rapidocr", "the rapidocr package is not installed")
    return Path(spec.origin).parent / "models"


class RapidOcrEngine:
    """Options: ``threads`` (cores to use, default: the process's thread budget, see
    ``ocrform.cpu``: every core up to 4 outside a batch), ``model_dir`` (a folder
    holding the two ONNX files, default: the rapidocr wheel's), ``charset``: ``gb2312`` (the
    default: the characters of GB 2312, ASCII and symbols, see ``output_classes``) or ``all``
    (every character the recogniser knows, for forms naming people or places in characters
    outside GB 2312, at a tenth more recognition time).

    Recognition runs one single-threaded session per core, each taking whole batches: line
    batches are small, and splitting one batch's work over two cores lost more to thread
    hand-offs than two batches side by side do (12% less time on a page's lines, 2 cores).
    """

    name = "rapidocr"

    def __init__(self, threads: str | int | None = None, model_dir: str | None = None, charset: str = "gb2312") -> None:
        import onnxruntime as ort

        folder = Path(model_dir) if model_dir else globals()["model_dir"]()
        self.det_path = folder / DET_MODEL
        self.rec_path = folder / REC_MODEL
        for p in (self.det_path, self.rec_path):
            if not p.is_file():
                raise InputError(p, "OCR model file missing (reinstall rapidocr or fix model_dir)")
        if charset not in CHARSETS:
            raise InputError(f"charset {charset}", f"unknown character set; choose one of {', '.join(CHARSETS)}")
        n = int(threads) if threads else thread_budget()
        self._so = _session_options(n)
        model = self.rec_path.read_bytes()
        # CTC index 0 is the blank; the model's last class is the space.
        self._chars = ["", *model_metadata(model)["character"].split("\n"), " "]
        if charset == "gb2312":
            keep = [0, *(k for k, ch in enumerate(self._chars[1:-1], 1) if printed_character(ch)), len(self._chars) - 1]
            model = keep_classes(model, keep, len(self._chars))
            self._chars = [self._chars[k] for k in keep]
        single = _session_options(1)
        self._recs: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(n):
            self._recs.put(ort.InferenceSession(model, single, providers=["CPUExecutionProvider"]))
        self._pool = ThreadPoolExecutor(n, thread_name_prefix="ocrform-rec") if n > 1 else None
        self._det: object | None = None
        self._shrink = ort.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self._operators = {ch: self._chars.index(ch) for ch in "≥≤=" if ch in self._chars}
        self._stop = self._chars.index("。") if "。" in self._chars else None
        index = {ch: k for k, ch in enumerate(self._chars) if ch}
        self._lookalikes = {index[a]: index[b] for a, b in PUNCTUATION_LOOKALIKES.items() if a in index and b in index}

    # ---- recognition -------------------------------------------------------------------
    def recognize(self, line_images: list[np.ndarray]) -> list[Reading]:
        out = self._recognize(line_images, REC_SQUEEZE)
        # Narrowed, a run of one digit ("000") can lose a copy, as CTC needs a blank between
        # repeats; numbers are short, so those lines are read again at natural width.
        again = [i for i, read in enumerate(out) if _NUMBER_WITH_REPEAT.fullmatch(read.text)]
        if again:
            for i, result in zip(again, self._recognize([line_images[i] for i in again], 1.0)):
                out[i] = result
        # Narrowing costs a blurred or coarse line its legibility first: a line read without
        # confidence is read again wider, and the surer reading kept.
        unsure = [
            i
            for i, read in enumerate(out)
            if read.confidence < REREAD_BELOW
            and i not in again
            and _rec_width(line_images[i], REC_SQUEEZE) <= REREAD_MAX_PX
        ]
        if unsure:
            for i, result in zip(unsure, self._recognize([line_images[i] for i in unsure], REREAD_SQUEEZE)):
                if result.confidence > out[i].confidence:
                    out[i] = result
        return out

    def _recognize(self, line_images: list[np.ndarray], squeeze: float) -> list[Reading]:
        out = [Reading("", 0.0, 0.0)] * len(line_images)
        if not line_images:
            return out
        widths = [_rec_width(im, squeeze) for im in line_images]
        order = sorted(range(len(line_images)), key=lambda i: widths[i])
        batches: list[list[int]] = [[]]
        for i in order:
            if batches[-1] and widths[i] * (len(batches[-1]) + 1) * REC_HEIGHT > REC_BATCH_PIXELS:
                batches.append([])
            batches[-1].append(i)

        def run(batch: list[int]) -> None:
            self._run_rec(line_images, widths, batch, out)

        # Widest first, so no long batch is left to run alone at the end.
        batches.reverse()
        if self._pool is None:
            for batch in batches:
                run(batch)
        else:
            list(self._pool.map(run, batches))
        return out

    def _run_rec(self, images: list[np.ndarray], widths: list[int], idx: list[int], out: list[Reading]) -> None:
        width = max(widths[i] for i in idx)
        x = np.zeros((len(idx), 3, REC_HEIGHT, width), dtype=np.float32)
        for k, i in enumerate(idx):
            # Area averaging blows a short line up into blocks; it only suits shrinking.
            grow = images[i].shape[0] < REC_HEIGHT
            im = cv2.resize(
                _bgr(images[i]), (widths[i], REC_HEIGHT), interpolation=cv2.INTER_LINEAR if grow else cv2.INTER_AREA
            )
            x[k, :, :, : widths[i]] = im.transpose(2, 0, 1).astype(np.float32) / 127.5 - 1.0
        session = self._recs.get()
        try:
            probs = session.run(None, {"x": x}, self._shrink if width * len(idx) > SHRINK_ABOVE else None)[0]
        finally:
            self._recs.put(session)
        best = probs.argmax(axis=2)
        for k, i in enumerate(idx):
            read = _ctc_decode(probs[k], best[k], self._chars, self._lookalikes)
            out[i] = self._final_stop(probs[k], best[k], self._leading_operator(probs[k], best[k], read))

    def _leading_operator(self, probs: np.ndarray, best: np.ndarray, read: Reading) -> Reading:
        """A target value's leading =, ≥ or ≤, which a coarse scan shows as a digit (≥95% →
        295%) or as a blob read as nothing (=1年 → 1年).

        Where a digit is printed the recogniser gives the operators next to nothing (under
        0.001 on the generated scans); where an operator is printed and it still reads a
        digit, the operator keeps a real share (0.01-0.26), and where it reads nothing, a
        share of the frames before the number.
        """
        text = read.text
        frames = np.flatnonzero(best)
        if not text or not text[0].isdigit() or frames.size == 0:
            return read
        first = probs[frames[0]]
        misread = [(ch, float(first[j])) for ch, j in self._operators.items() if ch != "="]
        op, p = max(misread, key=lambda t: t[1], default=("", 0.0))
        if p >= OPERATOR_SHARE:
            return read._replace(text=op + text[1:])
        if frames[0] > 0:
            before = probs[: frames[0]].max(axis=0)
            unread = [(ch, float(before[j])) for ch, j in self._operators.items()]
            op, p = max(unread, key=lambda t: t[1], default=("", 0.0))
            if p >= UNREAD_OPERATOR_SHARE:
                return read._replace(text=op + text)
        return read

    def _final_stop(self, probs: np.ndarray, best: np.ndarray, read: Reading) -> Reading:
        """A long line's final 。 that the reading left out, put back from the frames after it."""
        text = read.text
        frames = np.flatnonzero(best)
        if self._stop is None or len(text) < SENTENCE_CHARS or not is_cjk(text[-1]) or frames.size == 0:
            return read
        after = probs[frames[-1] + 1 :, self._stop]
        return read._replace(text=text + "。") if after.size and float(after.max()) >= UNREAD_STOP_SHARE else read

    # ---- detection ---------------------------------------------------------------------
    def detect(self, image: np.ndarray) -> list[Box]:
        import onnxruntime as ort

        if self._det is None:
            self._det = ort.InferenceSession(str(self.det_path), self._so, providers=["CPUExecutionProvider"])
        h, w = image.shape[:2]
        scale = min(1.0, DET_MAX_SIDE / max(h, w))
        dh = max(32, round(h * scale / 32) * 32)
        dw = max(32, round(w * scale / 32) * 32)
        im = cv2.resize(_bgr(image), (dw, dh), interpolation=cv2.INTER_AREA)
        x = (im.transpose(2, 0, 1).astype(np.float32) / 127.5 - 1.0)[None]
        prob = self._det.run(None, {"x": x})[0][0, 0]  # type: ignore[attr-defined]
        mask = (prob > DET_THRESH).astype(np.uint8)
        mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        sx, sy = w / dw, h / dh
        boxes = []
        for k in range(1, n):
            x0, y0, bw, bh, area = stats[k]
            if min(bw, bh) < 3 or float(prob[labels == k].mean()) < DET_BOX_THRESH:
                continue
            # DB shrinks text regions; grow them back (the "unclip" of the DB paper).
            d = area * DET_UNCLIP / (2 * (bw + bh))
            boxes.append(
                Box(
                    max(0.0, (x0 - d) * sx),
                    max(0.0, (y0 - d) * sy),
                    min(float(w), (x0 + bw + d) * sx),
                    min(float(h), (y0 + bh + d) * sy),
                )
            )
        boxes.sort(key=lambda b: (b.y0, b.x0))
        return boxes


def _session_options(threads: int) -> object:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return so


def _bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def _rec_width(image: np.ndarray, squeeze: float) -> int:
    h, w = image.shape[:2]
    width = squeeze * REC_HEIGHT * w / max(h, 1)
    if width > LONG_LINE_PX:
        width *= LONG_LINE_SQUEEZE
    return max(REC_HEIGHT // 2, math.ceil(width))


def _ctc_decode(
    probs: np.ndarray, best: np.ndarray, chars: list[str], lookalikes: dict[int, int] | None = None
) -> Reading:
    """A line's reading from its frames' class probabilities.

    The greedy path (each frame's likeliest class, repeats and blanks removed) gives the
    characters and the confidences: the mean and the least of its characters' top
    probabilities. Where it is unsure of a CJK character, the other CJK
    characters of that stretch of frames with a real probability are its candidates, as is
    the look-alike of a confusable punctuation mark (``lookalikes``: class → class), and the
    word lexicon chooses among them.
    """
    # Stretches of frames with one likeliest class; the blank (0) ones separate characters.
    changes = np.flatnonzero(np.concatenate(([True], best[1:] != best[:-1])))
    reads = best[changes] != 0
    starts = changes[reads]
    if starts.size == 0:
        return Reading("", 0.0, 0.0)
    ends = np.append(changes[1:], best.size)[reads]
    classes = best[starts]
    conf = float(probs[starts, classes].mean())
    tops = np.maximum.reduceat(probs[np.arange(best.size), best], changes)[reads]
    lookalikes = lookalikes or {}
    candidates = [[(chars[cls], float(top))] for cls, top in zip(classes, tops, strict=True)]
    unsure = False
    for k in np.flatnonzero(tops < TOP_SURE):
        start, end, cls, top = starts[k], ends[k], classes[k], float(tops[k])
        options = candidates[k]
        if is_cjk(options[0][0]):
            stretch = probs[start:end].max(axis=0)
            for j in np.flatnonzero(stretch >= MIN_CANDIDATE):
                if j != cls and is_cjk(chars[j]):
                    # Never likelier than the reading: an alternative wins only by its words.
                    options.append((chars[j], min(float(stretch[j]), top)))
        elif cls in lookalikes:
            share = float(probs[start:end, lookalikes[cls]].max())
            if share >= MIN_CANDIDATE:
                options.append((chars[lookalikes[cls]], min(share, top)))
        unsure = unsure or len(options) > 1
    text = choose_characters(candidates) if unsure else "".join(c[0][0] for c in candidates)
    # A character's top probability is over its frames, the confidence's at its first frame.
    return Reading(text.strip(), conf, min(conf, float(tops.min())))
