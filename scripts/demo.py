"""Convert the bundled sample PDF to JSON in out/ (sets the environment up on first use)."""

from __future__ import annotations

import sys

from _venv import ROOT, run_in_venv, venv_bin

SAMPLE = ROOT / "samples" / "guizhou_2forms.pdf"


def main() -> int:
    code = run_in_venv([str(venv_bin("ocrform")), "convert", str(SAMPLE), "-o", str(ROOT / "out")])
    if code == 0:
        print(f"wrote {ROOT / 'out' / (SAMPLE.stem + '.json')}")
    return code


if __name__ == "__main__":
    sys.exit(main())
