"""Output files written atomically: a unique temporary name in the target's folder, fsync,
rename. Two writers of one file (two runs into one folder) never mix their bytes; a writer
killed midway leaves only its temporary, which the next run removes."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from pathlib import Path

TEMP_SUFFIX = ".part"
HOST = socket.gethostname().replace(".", "_")
# A temporary whose writer cannot be asked (another host on shared storage) is stale when it
# is this old: no single file converts for anywhere near a day.
STALE_TEMP_SECONDS = 24 * 3600


def temp_path(path: Path) -> Path:
    """``.NAME.HOST.PID.RANDOM.part`` beside ``path``: hidden, unique to this writer, and
    telling the clean-up whose it is."""
    return path.parent / f".{path.name}.{HOST}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def write_atomic(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` whole, or what it held before (never a part). A file written
    over keeps its permissions; a new one gets what a plain ``open`` would give it."""
    tmp = temp_path(path)
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def remove_stale_temps(folder: Path) -> int:
    """Remove the temporaries of writers that are gone (killed runs); returns how many."""
    removed = 0
    if not folder.is_dir():
        return 0
    for tmp in folder.glob(f".*{TEMP_SUFFIX}"):
        parts = tmp.name[: -len(TEMP_SUFFIX)].rsplit(".", 3)
        if len(parts) != 4 or not parts[2].isdigit():
            continue  # not ours
        host, pid = parts[1], int(parts[2])
        try:
            age = time.time() - tmp.stat().st_mtime
        except FileNotFoundError:
            continue
        if (host == HOST and not _alive(pid)) or age > STALE_TEMP_SECONDS:
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def json_source_hash(path: Path) -> str | None:
    """The input hash a finished JSON output names (``source.sha256``), or None when the file
    is missing or not one of ours."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return str(data["source"]["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut once the folder is synced (POSIX only)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
