"""Batches as an archivist runs them: re-runs that skip finished work, a killed run started
again, two runs into one folder, per-file limits, and options checked before any work."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pymupdf
import pytest

from ocrform.batch import Limits, Settings
from ocrform.batch.manifest import MANIFEST_NAME, read_records
from ocrform.canonical import DocumentResult
from ocrform.cli import EXIT_ALL_FAILED, EXIT_OK, EXIT_PROBLEMS, EXIT_SOME_FAILED, EXIT_USAGE, main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _batch(folder: Path, copies: int = 2) -> list[Path]:
    """Born-digital PDFs, a garbled PDF and text dumps, each under several names."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [
        SAMPLES / "guizhou_2forms.pdf",
        SAMPLES / "shanghai_1form_garbled.pdf",
        SAMPLES / "seeds" / "003_32938e1454f761be.txt",
        SAMPLES / "seeds" / "004_c1b9719ab63573dc.txt",
    ]
    made = []
    for k in range(copies):
        for src in sources:
            made.append(folder / f"{src.stem}_{k}{src.suffix}")
            shutil.copy(src, made[-1])
    return made


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ocrform.cli", *args]


def _outputs(out: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(out.glob("*.json"))}


def _temporaries(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.endswith(".part")]


def test_a_rerun_skips_what_is_done_and_force_redoes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = _batch(tmp_path / "in", copies=1)
    out = tmp_path / "out"
    assert main(["convert", str(tmp_path / "in"), "-o", str(out), "-q"]) == EXIT_OK
    first = _outputs(out)
    assert len(first) == len(inputs)
    assert main(["convert", str(tmp_path / "in"), "-o", str(out)]) == EXIT_OK
    assert f"0 converted, 0 with problems, 0 failed, {len(inputs)} up to date" in capsys.readouterr().err
    assert len(read_records(out / MANIFEST_NAME)) == len(inputs)
    # A changed input is converted again, the others not.
    shutil.copy(SAMPLES / "guizhou_1form.pdf", inputs[0])
    assert main(["convert", str(tmp_path / "in"), "-o", str(out), "-q"]) == EXIT_OK
    assert len(read_records(out / MANIFEST_NAME)) == len(inputs) + 1
    assert main(["convert", str(tmp_path / "in"), "-o", str(out), "-q", "--force"]) == EXIT_OK
    assert len(read_records(out / MANIFEST_NAME)) == 2 * len(inputs) + 1


def test_a_file_that_now_fails_loses_its_old_output_and_is_not_retried_unasked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in" / "form.pdf"
    src.parent.mkdir()
    shutil.copy(SAMPLES / "guizhou_1form.pdf", src)
    out = tmp_path / "out"
    assert main(["convert", str(src), "-o", str(out), "-q"]) == EXIT_OK
    assert (out / "form.json").exists()
    src.write_bytes(b"%PDF-1.7\n" + b"\x00broken" * 40)
    assert main(["convert", str(src), "-o", str(out), "-q"]) != EXIT_OK
    assert not (out / "form.json").exists()
    capsys.readouterr()
    assert main(["convert", str(src), "-o", str(out)]) != EXIT_OK
    assert "--retry-failed" in capsys.readouterr().err
    records = read_records(out / MANIFEST_NAME)
    assert [r["status"] for r in records] == ["converted", "failed"]  # not tried a third time
    assert main(["convert", str(src), "-o", str(out), "-q", "--retry-failed"]) != EXIT_OK
    assert len(read_records(out / MANIFEST_NAME)) == 3


def test_options_and_output_are_checked_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = str(SAMPLES / "guizhou_1form.pdf")
    out = tmp_path / "out"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (
        ["--dpi", "0"],
        ["--engine-option", "foo=1"],
        ["--engine", "bogus"],
        ["--format", "json,pdf"],
        ["--jobs", "0"],
        ["--max-memory", "lots"],
    ):
        assert main(["convert", pdf, "-o", str(out), *args]) == EXIT_USAGE, args
        assert not out.exists()
    assert main(["convert", pdf, "-o", str(blocker / "sub")]) == EXIT_USAGE
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 7 and all(line.startswith("error: ") for line in lines)
    assert "Traceback" not in "".join(lines)


def test_a_file_past_the_time_limit_fails_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    # Ten scanned pages take well over the limit on any machine (about a second each to OCR);
    # the text dump, a fraction of a second.
    scan, dump = tmp_path / "long_scan.pdf", SAMPLES / "seeds" / "004_c1b9719ab63573dc.txt"
    with pymupdf.open() as long_scan, pymupdf.open(SAMPLES / "guizhou_1form_scan.pdf") as page:
        for _ in range(10):
            long_scan.insert_pdf(page)
        long_scan.save(scan)
    code = main(["convert", str(scan), str(dump), "-o", str(out), "--timeout", "3"])
    err = capsys.readouterr().err
    assert code == EXIT_SOME_FAILED
    assert f"error: {scan}: time limit exceeded" in err
    assert sorted(_outputs(out)) == ["004_c1b9719ab63573dc.json"] and not _temporaries(out)


def test_a_document_with_problems_has_its_own_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("会议纪要\n今天讨论了明年的工作安排。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(notes), "-o", str(out)]) == EXIT_PROBLEMS
    assert "warning: " in capsys.readouterr().err and "no_form_found" in (out / MANIFEST_NAME).read_text("utf-8")
    assert DocumentResult.model_validate_json((out / "notes.json").read_text("utf-8")).forms == []


def test_two_concurrent_runs_into_one_folder_equal_one_run(tmp_path: Path) -> None:
    _batch(tmp_path / "in", copies=2)
    single = tmp_path / "single"
    assert subprocess.run(_cli("convert", str(tmp_path / "in"), "-o", str(single), "-q")).returncode == 0
    shared = tmp_path / "shared"
    runs = [subprocess.Popen(_cli("convert", str(tmp_path / "in"), "-o", str(shared), "-q")) for _ in range(2)]
    assert [r.wait(300) for r in runs] == [0, 0]
    assert _outputs(shared) == _outputs(single)
    assert not _temporaries(shared)
    records = read_records(shared / MANIFEST_NAME)
    # Each document was converted once: the run that found it taken waited and then skipped it.
    assert sorted(r["output"] for r in records) == sorted(str(shared / n) for n in _outputs(single))


def test_a_run_killed_at_random_moments_then_resumed_converts_each_document_once(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", copies=3)
    out = tmp_path / "out"
    rng = random.Random(7)
    for _ in range(4):
        run = subprocess.Popen(_cli("convert", str(tmp_path / "in"), "-o", str(out), "-q"), start_new_session=True)
        time.sleep(rng.uniform(0.5, 3.0))
        if run.poll() is None:
            _kill_group(run.pid)  # the whole group: parent and workers
        run.wait(30)
    final = subprocess.run(_cli("convert", str(tmp_path / "in"), "-o", str(out), "-q"))
    assert final.returncode == 0
    outputs = _outputs(out)
    assert len(outputs) == len(inputs)
    for text in outputs.values():
        DocumentResult.model_validate_json(text)
    assert not _temporaries(out)
    # Exactly one finished record per document: none converted twice (a JSON written just
    # before a kill is recorded by the next run, not made again).
    done = sorted(r["output"] for r in read_records(out / MANIFEST_NAME) if r["status"] == "converted")
    assert done == sorted(str(out / name) for name in outputs)
    json.loads((out / MANIFEST_NAME).read_text("utf-8").splitlines()[-1])


def test_interrupt_signal_stops_a_run_without_a_traceback(tmp_path: Path) -> None:
    _batch(tmp_path / "in", copies=2)
    run = subprocess.Popen(
        _cli("convert", str(tmp_path / "in"), "-o", str(tmp_path / "out")),
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(2.0)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert "Traceback" not in err
    assert run.returncode in (0, 130)


def _kill_group(pid: int) -> None:
    """SIGKILL to the run and its workers (``kill -9 -PID`` of procps-ng 4.0.2 kills every
    process instead)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def test_tables_and_report_are_written_with_the_json_and_go_with_it(tmp_path: Path) -> None:
    src = tmp_path / "in" / "form.pdf"
    src.parent.mkdir()
    shutil.copy(SAMPLES / "guizhou_1form.pdf", src)
    out = tmp_path / "out"
    assert main(["convert", str(src), "-o", str(out), "-q", "--format", "json,csv,xlsx,html"]) == EXIT_OK
    made = {p.name for p in out.iterdir()}
    assert {"form.json", "form.xlsx", "form.forms.csv", "form.indicators.csv", "report.html"} <= made
    assert "项目" in (out / "report.html").read_text("utf-8")
    assert len(list((out / "report-assets").rglob("*.png"))) > 20  # each field beside its crop
    # Asking for a table that is missing converts again; a failing input takes its tables along.
    (out / "form.xlsx").unlink()
    assert main(["convert", str(src), "-o", str(out), "-q", "--format", "xlsx"]) == EXIT_OK
    assert (out / "form.xlsx").exists() and len(read_records(out / MANIFEST_NAME)) == 2
    src.write_bytes(b"%PDF-1.7\n" + b"\x00broken" * 40)
    assert main(["convert", str(src), "-o", str(out), "-q", "--format", "csv,xlsx"]) != EXIT_OK
    assert not [p for p in out.iterdir() if p.name.startswith("form.")]


def test_jobs_are_cores_shared_among_the_files() -> None:
    from ocrform.cli import share_cores

    assert share_cores(1, 20) == (1, 1)  # --jobs 1 keeps to one core
    assert share_cores(2, 20) == (2, 1)
    assert share_cores(4, 2) == (2, 2)  # fewer files than cores: each gets the rest
    assert share_cores(4, 1) == (1, 4)
    assert share_cores(3, 2) == (2, 1)
    assert share_cores(2, 0) == (1, 2)


def test_threads_do_not_change_a_runs_fingerprint() -> None:
    from ocrform.batch.tasks import settings_key

    limits = Limits()
    assert settings_key(Settings(threads=1), limits) == settings_key(Settings(threads=4), limits)
    assert settings_key(Settings(dpi=300), limits) != settings_key(Settings(), limits)


def test_a_one_core_budget_reads_nothing_ahead(tmp_path: Path) -> None:
    """With one thread to run, the stream makes no read-ahead thread; with two it does."""
    import threading

    from ocrform.cpu import set_thread_budget
    from ocrform.pipeline import stream
    from ocrform.stages import Options

    seen: dict[int, set[str]] = {}
    try:
        for budget in (1, 2):
            set_thread_budget(budget)
            names: set[str] = set()
            for _ in stream([SAMPLES / "guizhou_1form.pdf", SAMPLES / "guizhou_2forms.pdf"], Options()):
                names |= {t.name for t in threading.enumerate()}
            seen[budget] = names
    finally:
        set_thread_budget(None)
    assert not any(n.startswith("ocrform-prefetch") for n in seen[1])
    assert any(n.startswith("ocrform-prefetch") for n in seen[2])


def test_the_command_line_starts_the_workers_server_before_loading_the_converter() -> None:
    """The workers' server loads the converter while the command line plans the batch: the
    modules it needs first must not load PyMuPDF, OpenCV or onnxruntime themselves, nor
    checking the engine's options load PyMuPDF (whose layout plugin makes ONNX sessions)."""
    code = (
        "import sys, ocrform.cli, ocrform.batch.server, ocrform.inputs, ocrform.batch; "
        "heavy = {'pymupdf', 'cv2', 'onnxruntime'} & set(sys.modules); "
        "from ocrform.words.engines import check_engine; check_engine('rapidocr', {'threads': '1'}); "
        "heavy |= {'pymupdf'} & set(sys.modules); "
        "sys.exit(sorted(heavy) if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_workers_that_cannot_start_fail_their_files_on_one_line_each(tmp_path: Path) -> None:
    """A program read from standard input cannot be re-imported by the workers (Python's
    multiprocessing looks for the file <stdin>), so every worker dies at start: each file
    fails with the reason, the run ends with 3, and no BrokenPipeError escapes (a task
    handed to a replaced worker that died again found its pipe closed)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for k in range(8):
        shutil.copy(SAMPLES / "guizhou_1form.pdf", inputs / f"f{k}.pdf")
    program = (
        "import sys\nfrom ocrform.cli import main\n"
        f"sys.exit(main(['convert', {str(inputs)!r}, '-o', {str(tmp_path / 'out')!r}, '-q', '--jobs', '2']))\n"
    )
    done = subprocess.run([sys.executable, "-"], input=program, capture_output=True, text=True, timeout=120)
    assert "BrokenPipeError" not in done.stderr
    assert done.returncode == EXIT_ALL_FAILED
    # The dying workers' own tracebacks share stderr, so a line of ours may follow part of one.
    for k in range(8):
        assert f"f{k}.pdf: worker died" in done.stderr


def test_the_default_jobs_leave_each_worker_a_gibibyte(monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    from ocrform import cpu

    class Memory:
        def __init__(self, available: int) -> None:
            self.available = available

    monkeypatch.setattr(cpu, "available_cores", lambda: 8)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: Memory(3 * cpu.MEMORY_PER_WORKER + 5))
    assert cpu.default_jobs() == 3
    monkeypatch.setattr(psutil, "virtual_memory", lambda: Memory(100 << 20))
    assert cpu.default_jobs() == 1
    monkeypatch.setattr(psutil, "virtual_memory", lambda: Memory(64 * cpu.MEMORY_PER_WORKER))
    assert cpu.default_jobs() == 8
