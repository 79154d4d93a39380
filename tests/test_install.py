"""A regular install works: the wheel carries models/, and converts outside the checkout.

The wheel is built from a copy of the source files (a build in the checkout would leave
``build/`` behind, whose stale files a later wheel could pick up) and installed into a new
virtual environment in a temporary folder. That environment takes the dependencies from the
test environment's site-packages through a ``.pth`` line, so the test needs no network
beyond what building the wheel needs; ocrform itself comes only from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SOURCES = ("pyproject.toml", "README.md", "ocrform", "models")
CONVERTED = ("guizhou_1form.pdf", "guizhou_1form_scan.pdf")
# Where the installed package and its data are found.
WHERE = "import ocrform, ocrform.resources as r; print(ocrform.__file__); print(r.model_file('labels.json'))"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", str(out)]
    run = subprocess.run([*build, str(src)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    (found,) = out.glob("ocrform-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The new environment's folder; its python has ocrform from the wheel only."""
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies, from the test environment (not a site dir there: its own .pth files,
    # among them the editable install's finder, are not read).
    Path(site, "deps-from-tests.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q"]
    run = subprocess.run([*install, "--disable-pip-version-check", str(wheel)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    return env


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


@pytest.mark.slow
def test_the_wheel_carries_the_package_and_its_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "ocrform").rglob("*.py"):
        assert f"ocrform/{path.relative_to(ROOT / 'ocrform').as_posix()}" in names, path
    for path in (ROOT / "models").iterdir():
        if path.is_file():
            assert f"ocrform/models/{path.name}" in names, path


@pytest.mark.slow
def test_an_installed_wheel_converts_like_the_checkout(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    for name in CONVERTED:
        shutil.copy(SAMPLES / name, work / name)
    python, cli = installed / "bin" / "python", installed / "bin" / "ocrform"
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import ocrform, ocrform.resources as r; print(ocrform.__file__); print(r.model_file('x'))",
        ],
        cwd=work,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert all(line.startswith(str(installed)) for line in where), where
    run = subprocess.run(
        [str(cli), "convert", *CONVERTED, "-o", "out"], cwd=work, env=_clean_env(), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-2000:]
    import ocrform  # the checkout's own install, for the same conversion here

    for name in CONVERTED:
        got = json.loads((work / "out" / f"{Path(name).stem}.json").read_text(encoding="utf-8"))
        want = ocrform.convert(SAMPLES / name).model_dump(mode="json")
        got["source"]["path"] = want["source"]["path"]
        assert got == want, name
