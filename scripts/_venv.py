"""Create the project's virtual environment on first use, then run a command inside it.

The README's two commands go through here so that a fresh machine needs nothing but Python
(with its standard venv module) and network access to the package registry once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".ocrform-installed"


def venv_bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def ensure_venv() -> None:
    """Install the project (editable, with test extras) when the stamp is older than pyproject."""
    pyproject = ROOT / "pyproject.toml"
    if STAMP.exists() and STAMP.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if not venv_bin("python").exists():
        print(f"creating virtual environment in {VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing ocrform and its dependencies (first run only)", file=sys.stderr)
    pip = [str(venv_bin("python")), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.touch()


def run_in_venv(args: list[str]) -> int:
    ensure_venv()
    return subprocess.run(args, cwd=ROOT).returncode
