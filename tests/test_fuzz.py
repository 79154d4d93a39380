"""Fuzz: over a thousand malformed inputs through ``ocrform convert`` in one process.

Truncated and mutated PDFs, images and multi-page TIFFs, text in several encodings and
junk, decompression bombs, empty files and FIFOs (tests/fuzz_inputs.py, made from a seed).
Every input must be answered by one line on stderr, either its conversion (then a ``warning:``
line per problem) or ``error: PATH: reason``: no traceback, no internal error, no hang, no
output for a file that failed, every JSON written valid, the exit status as documented (1:
some failed), and the peak memory of the batch's processes, which bounds every file's,
under 2 GB.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from fuzz_inputs import fifo_cases, make_all

from ocrform.canonical import PROBLEM_CODES, DocumentResult

ROOT = Path(__file__).resolve().parent.parent
PEAK_LIMIT_KB = 2 * 1024 * 1024
OK_LINE = re.compile(r"^(?P<path>.+) -> (?P<out>.+\.json): (?P<n>\d+) forms?$")
ERROR_LINE = re.compile(r"^error: (?P<path>.+?): (?P<reason>.+)$")
WARNING_LINE = re.compile(r"^warning: (?P<path>.+?): (?P<code>[a-z_]+): (?P<detail>.*)$")
SUMMARY_LINE = re.compile(r"^ocrform: \d+ files?: ")


def _run_batch(inputs: list[Path], out: Path, timeout: float) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """``ocrform convert`` over ``inputs`` in a child process: its outcome, wall time and the
    peak resident memory (KB) of any one of its processes (the batch's workers included: they
    may be no children of it, so their memory is sampled, every 0.2 s)."""
    args = [sys.executable, "-m", "ocrform.cli", "convert", *map(str, inputs), "-o", str(out)]
    start = time.monotonic()
    child = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, cwd=ROOT
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        me = psutil.Process(os.getpid())
        while not done.wait(0.2):
            for proc in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    peak = max(peak, proc.memory_info().rss // 1024)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    finally:
        done.set()
        child.kill()
        sampler.join()
    wall = time.monotonic() - start
    peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return subprocess.CompletedProcess(args, child.returncode, stdout, stderr), wall, peak


def _check_batch(files: list[Path], proc: subprocess.CompletedProcess[str], out: Path, peak_kb: int) -> dict[str, int]:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.splitlines()
    by_input: dict[str, str] = {}
    warned: dict[str, set[str]] = {}
    stray = []
    for line in lines:
        warning = WARNING_LINE.match(line)
        if warning is not None:
            assert warning.group("code") in PROBLEM_CODES, line
            warned.setdefault(warning.group("path"), set()).add(warning.group("code"))
            continue
        if SUMMARY_LINE.match(line):
            continue
        ok, err = OK_LINE.match(line), ERROR_LINE.match(line)
        match = ok or err
        if match is None:
            stray.append(line)
            continue
        path = match.group("path")
        assert path not in by_input, f"two lines for {path}"
        by_input[path] = line
    assert not stray, f"lines that are neither a result nor a one-line error: {stray[:5]}"
    assert set(by_input) == {str(f) for f in files}, "every input answered by exactly one line"
    internal = [line for line in lines if "internal error" in line]
    assert not internal, internal[:5]
    failed = [Path(p) for p, line in by_input.items() if line.startswith("error: ")]
    converted = {p: OK_LINE.match(line) for p, line in by_input.items() if not line.startswith("error: ")}
    # No output for a file that failed; every output a valid result of its input.
    written = sorted(out.glob("*.json")) if out.exists() else []
    assert len(written) == len(converted)
    for path in failed:
        assert not (out / f"{path.stem}.json").exists(), path
    for path, match in converted.items():
        assert match is not None
        result = DocumentResult.model_validate(json.loads(Path(match.group("out")).read_text("utf-8")))
        assert result.source.path == path
        assert len(result.forms) == int(match.group("n"))
        assert result.forms or any(p.code == "no_form_found" for p in result.problems)
        assert {p.code for p in result.problems} <= warned.get(path, set())
    assert set(warned) <= set(converted), "warnings only for converted inputs"
    assert not list(out.glob("*.part")) and not list(out.glob(".*.part")) if out.exists() else True
    expected_rc = 3 if len(failed) == len(files) else 1 if failed else 4 if warned else 0
    assert proc.returncode == expected_rc
    assert peak_kb < PEAK_LIMIT_KB, f"peak {peak_kb / 1024:.0f} MB"
    return {"failed": len(failed), "converted": len(converted)}


def test_a_thousand_malformed_inputs_each_answered_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    files = make_all(folder)
    fifos = fifo_cases(tmp_path)
    assert len(files) + len(fifos) >= 1000
    proc, wall, peak = _run_batch([folder, *fifos], tmp_path / "out", timeout=600)
    counts = _check_batch([*sorted(files), *fifos], proc, tmp_path / "out", peak)
    # Most malformed inputs fail fast; those that convert say what was wrong.
    assert counts["failed"] > 300 and counts["converted"] > 300
    print(f"{len(files) + len(fifos)} inputs in {wall:.0f} s, peak {peak / 1024:.0f} MB, {counts}")


@pytest.mark.slow
def test_mutated_pdfs_and_images_each_answered_on_one_line(tmp_path: Path) -> None:
    """The costlier half: byte-mutated born-digital PDFs (glyph recognition runs on their
    damaged fonts) and more mutated pictures, which OCR reads."""
    folder = tmp_path / "in"
    files = make_all(folder, seed=23, cuts=0, mutations=60, images=200, texts=0)
    proc, _wall, peak = _run_batch([folder], tmp_path / "out", timeout=1800)
    _check_batch(sorted(files), proc, tmp_path / "out", peak)
