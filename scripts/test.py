"""Run the linter and the test suite (sets the environment up on first use)."""

from __future__ import annotations

import sys

from _venv import run_in_venv, venv_bin


def main() -> int:
    lint = run_in_venv([str(venv_bin("ruff")), "check", "ocrform", "tests", "scripts"])
    if lint != 0:
        return lint
    return run_in_venv([str(venv_bin("pytest")), "-q", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
