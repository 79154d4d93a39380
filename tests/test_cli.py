"""The command line as a user meets it: schema output, batches, and one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pymupdf
import pytest

from ocrform.canonical import DocumentResult, document_json_schema
from ocrform.cli import EXIT_ALL_FAILED, EXIT_OK, EXIT_SOME_FAILED, main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_PDF = SAMPLES / "guizhou_2forms.pdf"


def test_schema_command_prints_the_document_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == EXIT_OK
    printed = json.loads(capsys.readouterr().out)
    assert printed == document_json_schema()
    assert set(printed["properties"]) == {"schema_version", "source", "forms", "evidence", "problems"}
    form = printed["$defs"]["Form"]["properties"]
    for key in ("title", "year", "project_name", "funds", "goals", "indicators", "total_score", "rubric"):
        assert key in form


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


@pytest.fixture()
def bad_inputs(tmp_path: Path) -> dict[str, Path]:
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    notpdf = tmp_path / "notes.pdf"
    notpdf.write_text("这不是PDF文件", encoding="utf-8")
    encrypted = tmp_path / "locked.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    doc.save(encrypted, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    return {
        "missing": tmp_path / "missing.pdf",
        "corrupt": corrupt,
        "notpdf": notpdf,
        "encrypted": encrypted,
        "empty": empty,
    }


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing", "file not found"),
        ("corrupt", "corrupt"),
        ("notpdf", "not a valid PDF"),
        ("encrypted", "encrypted"),
        ("empty", "empty file"),
    ],
)
def test_bad_input_gets_one_line_error_and_nonzero_exit(
    name: str, reason: str, bad_inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["convert", str(bad_inputs[name]), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == EXIT_ALL_FAILED
    lines = _error_lines(err)
    assert len(lines) == 1, err
    assert str(bad_inputs[name]) in lines[0] and reason in lines[0]
    assert "Traceback" not in err


def test_batch_keeps_good_results_when_some_files_are_bad(
    bad_inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLE_PDF, folder / "good.pdf")
    shutil.copy(bad_inputs["corrupt"], folder / "corrupt.pdf")
    shutil.copy(bad_inputs["encrypted"], folder / "locked.pdf")
    out = tmp_path / "out"
    code = main(["convert", str(folder), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_SOME_FAILED
    assert len(_error_lines(err)) == 2 and "Traceback" not in err
    assert sorted(p.name for p in out.glob("*.json")) == ["good.json"]
    result = DocumentResult.model_validate_json((out / "good.json").read_text(encoding="utf-8"))
    assert len(result.forms) == 2
    assert len(result.evidence) == 2


def test_same_stem_in_two_folders_writes_two_outputs(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(SAMPLE_PDF, tmp_path / sub / "form.pdf")
    out = tmp_path / "out"
    assert main(["convert", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out), "-q"]) == EXIT_OK
    assert sorted(p.name for p in out.glob("*.json")) == ["form-2.json", "form.json"]


def test_fix_pdf_writes_a_copy_that_extracts_right(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fixed.pdf"
    assert main(["fix-pdf", str(SAMPLES / "shanghai_1form_garbled.pdf"), "-o", str(out)]) == EXIT_OK
    captured = capsys.readouterr()
    assert "font-cmap" in captured.out + captured.err
    fixed = pymupdf.open(out)[0].get_text()
    clean = pymupdf.open(SAMPLES / "shanghai_1form.pdf")[0].get_text()
    assert fixed == clean
    assert main(["fix-pdf", str(tmp_path / "missing.pdf"), "-o", str(out)]) != EXIT_OK
    assert len(_error_lines(capsys.readouterr().err)) == 1


def test_text_dumps_convert_from_a_folder(tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(SAMPLES / "seeds" / "000_1ad45b0b82b486fc.txt", dumps / "guizhou.txt")
    (dumps / "broken.txt").write_bytes(b"\xff\xfe\x00\xd8" * 10)
    out = tmp_path / "out"
    assert main(["convert", str(dumps), "-o", str(out), "-q"]) == EXIT_SOME_FAILED
    result = DocumentResult.model_validate_json((out / "guizhou.json").read_text("utf-8"))
    assert result.source.kind == "text" and len(result.forms) == 12
