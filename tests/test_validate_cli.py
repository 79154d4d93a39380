"""`ocrform validate`: the arithmetic checks re-run on JSON already written or edited by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ocrform.cli import EXIT_ALL_FAILED, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GOLD = SAMPLES / "gold"


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `ocrform convert` writes for a two-form sample."""
    out = tmp_path_factory.mktemp("out")
    assert main(["convert", str(SAMPLES / "guizhou_2forms.pdf"), "-o", str(out), "-q"]) == EXIT_OK
    return out / "guizhou_2forms.json"


def test_our_output_passes(converted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(converted)]) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1 file, 2 forms checked: 0 failed check(s)" in captured.err


def test_a_hand_edited_rate_fails_with_one_line_naming_file_and_form(
    converted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(converted.read_text("utf-8"))
    data["forms"][1]["funds"]["rows"][0]["execution_rate"] = 80.0  # the form prints 100.0
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    assert main(["validate", str(converted), str(edited)]) == EXIT_SOME_FAILED
    lines = capsys.readouterr().out.splitlines()
    name = data["forms"][1]["project_name"]
    assert lines == [
        f"{edited}: form 2 ({name}): /forms/1/funds/rows/0/execution_rate: 执行率 80.0 ≠ B/A = 100.00",
    ]


def test_bare_forms_and_lists_of_forms_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A gold form (a bare form object) and a bundled sample's expected forms (a list)."""
    good = GOLD / "000_f01.json"
    listed = SAMPLES / "hunan_scored_2forms.expected.json"
    assert main(["validate", "-q", str(good), str(listed)]) == EXIT_OK
    # 004's dump shows 80 of its 100 points' rows: a known failure of a bare form.
    shutil.copy(GOLD / "004_f01.json", tmp_path / "004.json")
    shutil.copy(listed, tmp_path / "listed.json")
    assert main(["validate", "-q", str(tmp_path)]) == EXIT_SOME_FAILED
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(f"{tmp_path / '004.json'}: form 1 (") and ": /total_weight: " in out[0]


@pytest.mark.parametrize(
    ("content", "status", "reason"),
    [
        (b'{"forms": [', EXIT_USAGE, "not valid JSON (Expecting value at line 1 column 12)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", EXIT_ALL_FAILED, "not UTF-8 text"),
        (b'"just a string"', EXIT_USAGE, "a JSON str, not a form, a list of forms or a document"),
        (b'[{"title": 3}]', EXIT_USAGE, "not a list of forms of the schema: /0/title: Input should be a valid string"),
        (b'{"forms": [], "source": {}}', EXIT_USAGE, "not a document of the schema: /source/path: Field required"),
        (b"[" * 100000, EXIT_USAGE, "not valid JSON"),
    ],
    ids=["truncated", "binary", "string", "bad-form", "bad-document", "deep"],
)
def test_junk_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, status: int, reason: str
) -> None:
    junk = tmp_path / "junk.json"
    junk.write_bytes(content)
    assert main(["validate", str(junk)]) == status
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"error: {junk}: {reason}"), err
    assert len(err) == 2 and "Traceback" not in "".join(err)


def test_a_missing_file_is_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "-q", str(tmp_path / "nope.json")]) == EXIT_ALL_FAILED
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope.json'}: file not found\n"
    assert main(["validate", str(tmp_path)]) == EXIT_USAGE  # a folder without JSON files
