"""Native libraries' chatter kept off the user's terminal.

Every failure is one line naming the file; what OpenCV, libtiff, libpng, libjpeg and MuPDF
print about a damaged file would break that promise ("Premature end of JPEG file",
"libpng error: Read Error", "[ERROR:0@0.05] global grfmt_tiff.cpp:117 TIFF_Error ...").
OpenCV and MuPDF have switches for it; libjpeg and libpng write to the C library's stderr
(file descriptor 2) themselves, so ``native_quiet`` points descriptor 2 at /dev/null while
a picture is decoded. Python's own ``sys.stderr`` is first moved to a copy of descriptor 2,
so that what the program prints meanwhile (from any thread) still reaches the terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_lock = threading.RLock()
_depth = 0
_saved_fd: int | None = None
_detached = False


def quiet_libraries() -> None:
    """OpenCV's log and MuPDF's error and warning messages off (MuPDF still keeps its
    warnings for ``pymupdf.TOOLS.mupdf_warnings``, which is how damage is found)."""
    import logging

    import cv2
    import pymupdf

    # fontTools logs what it makes of a damaged font program ("'created' timestamp out of
    # range"); the repair goes on without that font, and says so in the result.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with contextlib.suppress(AttributeError):
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    pymupdf.TOOLS.mupdf_display_errors(False)
    with contextlib.suppress(AttributeError):
        pymupdf.TOOLS.mupdf_display_warnings(False)


def _detach_python_stderr() -> None:
    """Point ``sys.stderr`` at a copy of descriptor 2 (once), so that silencing descriptor 2
    never silences Python."""
    global _detached
    if _detached:
        return
    _detached = True
    stream = sys.stderr
    try:
        if stream is None or stream.fileno() != 2:
            return  # already elsewhere (a test's capture, a log file): nothing to protect
    except (AttributeError, OSError, ValueError):
        return
    stream.flush()
    copy = os.dup(2)
    sys.stderr = open(  # noqa: SIM115 - lives as long as the process, as sys.stderr does
        copy,
        "w",
        encoding=stream.encoding,
        errors=stream.errors,
        buffering=1,
        closefd=True,
    )


@contextlib.contextmanager
def native_quiet() -> Iterator[None]:
    """Descriptor 2 on /dev/null for the duration (nests; one window at a time per process)."""
    global _depth, _saved_fd
    with _lock:
        if _depth == 0:
            _detach_python_stderr()
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()
            try:
                _saved_fd = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            except OSError:
                _saved_fd = None
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if _depth == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, 2)
                os.close(_saved_fd)
                _saved_fd = None
