"""``ocrform convert --ray`` on a local Ray instance: the same JSON as a local run, a killed
worker's task retried, a killed run resumed."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from ocrform.batch.manifest import MANIFEST_NAME, read_records

pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'ocrform[ray]'")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    for src in (
        SAMPLES / "guizhou_1form_scan.pdf",
        SAMPLES / "shanghai_1form_garbled.pdf",
        SAMPLES / "guizhou_2forms.pdf",
        SAMPLES / "seeds" / "004_c1b9719ab63573dc.txt",
    ):
        shutil.copy(src, folder / src.name)
    return folder


def _convert(*args: str, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ocrform.cli", "convert", *args, "-q"], stderr=subprocess.PIPE, text=True, **kw
    )


def _outputs(out: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(out.glob("*.json"))}


def _ray_workers() -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if cmdline and cmdline[0].startswith("ray::convert_on_worker"):
            found.append(proc)
    return found


def _wait_for_worker(run: subprocess.Popen[str], seconds: float = 90) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and run.poll() is None:
        if workers := _ray_workers():
            return workers
        time.sleep(0.2)
    return []


def test_a_ray_run_equals_a_local_run_and_survives_killed_workers_and_drivers(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    local = tmp_path / "local"
    assert _convert(str(inputs), "-o", str(local)).wait(300) == 0

    # A worker killed in the middle of a task: Ray runs the task again, and the outputs are
    # those of a local run.
    retried = tmp_path / "retried"
    run = _convert(str(inputs), "-o", str(retried), "--ray")
    workers = _wait_for_worker(run)
    assert workers, "no Ray worker seen"
    workers[0].kill()
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert _outputs(retried) == _outputs(local)

    # The whole run killed: the next run converts only what is missing.
    resumed = tmp_path / "resumed"
    run = _convert(str(inputs), "-o", str(resumed), "--ray", start_new_session=True)
    if _wait_for_worker(run):
        time.sleep(1.0)
    _kill_group(run.pid)
    run.wait(60)
    before = {r["output"] for r in read_records(resumed / MANIFEST_NAME) if r["status"] == "converted"}
    run = _convert(str(inputs), "-o", str(resumed), "--ray")
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert _outputs(resumed) == _outputs(local)
    after = [r["output"] for r in read_records(resumed / MANIFEST_NAME) if r["status"] == "converted"]
    assert len(after) == len(set(after)) and before <= set(after)
    assert not [p for p in resumed.iterdir() if p.name.endswith(".part")]


def _kill_group(pid: int) -> None:
    """SIGKILL to the run and its workers (``kill -9 -PID`` of procps-ng 4.0.2 kills every
    process instead)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
