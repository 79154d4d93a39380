"""Kill a batch with SIGKILL at random moments, re-running it each time, then check that every
document was converted exactly once, every JSON is valid and no temporary is left.

    python scripts/kill_resume.py                 # 30 mixed files, 20 kills
    python scripts/kill_resume.py --kills 5 --jobs 2

The batch mixes born-digital office PDFs (LibreOffice, Chromium), the garbled sample, text
dumps and mild scans (multi-page TIFF and image-only PDF). Each kill hits the whole process
group (the command and its workers) at a moment drawn from the time the work still left
would take (the first run's duration times the share of documents not yet converted).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocrform.batch.manifest import MANIFEST_NAME, read_records  # noqa: E402
from ocrform.canonical import DocumentResult  # noqa: E402
from ocrform.synth.degrade import render_scan  # noqa: E402


def mixed_batch(folder: Path, n_files: int) -> list[Path]:
    office = sorted((ROOT / "tests" / "fixtures" / "office").glob("*/*.pdf"))
    dumps = sorted((ROOT / "samples" / "seeds").glob("*.txt"))
    made: list[Path] = []
    for k, pdf in enumerate(office[:4]):
        suffix = ".tiff" if k % 2 else ".pdf"
        render_scan(pdf, folder / f"scan_{k}{suffix}", "mild", seed=k, dpi=150)
        made.append(folder / f"scan_{k}{suffix}")
    shutil.copy(ROOT / "samples" / "shanghai_1form_garbled.pdf", folder / "garbled.pdf")
    made.append(folder / "garbled.pdf")
    for k, dump in enumerate(dumps):
        shutil.copy(dump, folder / f"dump_{k}.txt")
        made.append(folder / f"dump_{k}.txt")
    for pdf in office[4:]:
        if len(made) >= n_files:
            break
        shutil.copy(pdf, folder / pdf.name)
        made.append(folder / pdf.name)
    return made


def _kill_group(pid: int) -> None:
    """SIGKILL to the run and its workers (``kill -9 -PID`` of procps-ng 4.0.2 kills every
    process instead)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        inputs, out, probe = Path(tmp) / "in", Path(tmp) / "out", Path(tmp) / "probe"
        inputs.mkdir()
        files = mixed_batch(inputs, args.files)
        command = [sys.executable, "-m", "ocrform.cli", "convert", str(inputs), "-q", "--jobs", str(args.jobs)]
        t0 = time.perf_counter()
        subprocess.run([*command, "-o", str(probe)], cwd=ROOT, check=False)
        whole = time.perf_counter() - t0
        killed_mid_run = 0
        for _ in range(args.kills):
            run = subprocess.Popen([*command, "-o", str(out)], cwd=ROOT, start_new_session=True)
            # A moment within the work still to do, so that kills land mid-run, not after it.
            left = 1 - len(list(out.glob("*.json"))) / len(files) if out.exists() else 1.0
            time.sleep(rng.uniform(0.2, max(1.0, whole * left)))
            if run.poll() is None:
                _kill_group(run.pid)
                killed_mid_run += 1
            run.wait()
        final = subprocess.run([*command, "-o", str(out)], cwd=ROOT, check=False)
        outputs = sorted(out.glob("*.json"))
        valid = 0
        for path in outputs:
            try:
                DocumentResult.model_validate_json(path.read_text("utf-8"))
                valid += 1
            except ValueError:
                pass
        finished = Counter(r["output"] for r in read_records(out / MANIFEST_NAME) if r.get("status") != "failed")
        report = {
            "files": len(files),
            "one_run_seconds": round(whole, 1),
            "kills": args.kills,
            "killed_mid_run": killed_mid_run,
            "final_rc": final.returncode,
            "outputs": len(outputs),
            "valid_json": valid,
            "converted_once": sum(1 for n in finished.values() if n == 1),
            "converted_more_than_once": sum(1 for n in finished.values() if n > 1),
            "temporaries_left": len([p for p in out.iterdir() if p.name.endswith(".part")]),
            "equal_to_uninterrupted_run": all(
                (probe / p.name).read_text("utf-8") == p.read_text("utf-8") for p in outputs
            ),
        }
    print(json.dumps(report))
    ok = report["outputs"] == report["valid_json"] == report["converted_once"] == len(files)
    return 0 if ok and not report["temporaries_left"] else 1


if __name__ == "__main__":
    sys.exit(main())
