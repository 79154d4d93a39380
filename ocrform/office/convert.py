"""Legacy office files (.doc, .xls, .wps, .et) converted to .docx/.xlsx by LibreOffice.

``soffice --headless --convert-to`` runs with a profile folder of its own (a user's running
LibreOffice, or another conversion, never shares or locks it), on a copy of the file under a
plain name, into a temporary folder, and is stopped with its whole process group after
``CONVERT_TIMEOUT`` seconds. Without ``soffice`` on PATH the error says what to install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

from ocrform.errors import InputError

CONVERT_TIMEOUT = 120.0
_FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
_INSTALL = {
    "docx": "install LibreOffice Writer (Debian/Ubuntu: apt install libreoffice-writer) so that soffice is on PATH",
    "xlsx": "install LibreOffice Calc (Debian/Ubuntu: apt install libreoffice-calc) so that soffice is on PATH",
}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(path: Path, target: str, tmp: Path, timeout: float | None = None) -> Path:
    """``path`` converted to ``target`` (docx or xlsx) under ``tmp``; the converted file's path.
    LibreOffice gets ``timeout`` seconds (CONVERT_TIMEOUT when None)."""
    timeout = timeout or CONVERT_TIMEOUT
    exe = soffice()
    if exe is None:
        kind = path.suffix or "legacy office"
        raise InputError(path, f"a {kind} file is read through LibreOffice: {_INSTALL[target]}")
    source = tmp / f"input{path.suffix.lower() if path.suffix.lower() in ('.doc', '.xls', '.wps', '.et') else ''}"
    if not source.suffix:
        source = tmp / ("input.xls" if target == "xlsx" else "input.doc")
    shutil.copyfile(path, source)
    out = tmp / "out"
    profile = tmp / "profile"
    command = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--convert-to",
        _FILTERS[target],
        "--outdir",
        str(out),
        str(source),
    ]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=tmp,
        )
    except OSError as exc:
        raise InputError(path, f"LibreOffice could not be started ({exc.strerror})") from None
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise InputError(path, f"LibreOffice did not convert it within {timeout:.0f} s") from None
    finally:
        _kill_group(process)  # a helper process left behind would hold the profile
    converted = out / f"{source.stem}.{target}"
    if process.returncode != 0 or not converted.exists():
        said = " ".join(output.decode("utf-8", "replace").split())[:160]
        raise InputError(
            path, f"LibreOffice could not convert it (password-protected or damaged?){': ' + said if said else ''}"
        )
    return converted


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
