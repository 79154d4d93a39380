"""The one error type a user sees for bad input: a file and a reason, printed on one line."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason
