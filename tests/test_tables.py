"""CSV and XLSX exports: every leaf of the JSON is in its sheet, row and column, read back
with openpyxl and the csv module; headers carry label and field name; writes are atomic."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ocrform import convert
from ocrform.canonical import DocumentResult
from ocrform.tables import field_label, write_csv, write_formats, write_xlsx
from ocrform.validate import validate_form

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# Every bundled sample, and a text dump whose form prints a scoring table (rubric rows).
INPUTS = [*sorted(SAMPLES.glob("*.pdf")), SAMPLES / "seeds" / "003_32938e1454f761be.txt"]
_converted: dict[Path, DocumentResult] = {}


def _result(path: Path) -> DocumentResult:
    if path not in _converted:
        _converted[path] = convert(path)
    return _converted[path]


def _with_failed_check(result: DocumentResult) -> DocumentResult:
    """``result`` with form 1's 执行率 hand-broken and its evidence re-checked, as the
    converter would have recorded it, so the checks sheet has a failure to show."""
    data = json.loads(result.model_dump_json())
    data["forms"][0]["funds"]["rows"][0]["execution_rate"] = 12.5
    broken = DocumentResult.model_validate(data)
    evidence = broken.evidence[0]
    issues = [*validate_form(broken.forms[0]), *(i for i in evidence.issues if i.kind != "arithmetic")]
    broken.evidence[0] = evidence.model_copy(update={"issues": issues})
    return broken


def _leaves(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list) and path[-1] not in ("pages", "box"):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [(path, value)]


def _sheet_rows(header: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    keys = [re.fullmatch(r".+ \((.+)\)", h).group(1) for h in header]
    return [dict(zip(keys, row)) for row in rows]


def _locate(sheets: dict[str, list[dict[str, Any]]], path: tuple) -> list[tuple[Any, Any]]:
    """Where the leaf at ``path`` of the JSON must be: (cell value, the value the cell must equal)
    pairs, found by sheet, form number, row number and column."""
    head = path[0]
    if head in ("schema_version", "source"):
        key = "document.schema_version" if head == "schema_version" else f"source.{path[1]}"
        return [(row[key], None) for row in sheets["forms"]]
    form = path[1] + 1
    if head == "forms":
        part = path[2]
        if part in ("indicators", "rubric") or (part == "funds" and path[3] == "rows"):
            sheet, j, key = (part, path[3], path[4]) if part != "funds" else ("funds", path[4], path[5])
            [row] = [r for r in sheets[sheet] if r["form"] == form and r["row"] == j + 1]
            return [(row[key], None)]
        [row] = [r for r in sheets["forms"] if r["form"] == form]
        return [(row[".".join(path[2:])], None)]
    part = path[2]
    if part == "pages":
        [row] = [r for r in sheets["forms"] if r["form"] == form]
        return [(row["pages"], None)]
    if part == "issues":
        return [(r, None) for r in sheets["checks"] if r["form"] == form]
    rows = [r for r in sheets[part] if r["form"] == form]
    row = rows[path[3]]
    if path[4] == "box":
        return [([row[f"box.{k}"] for k in ("x0", "y0", "x1", "y1")], None)]
    return [(row[path[4]], None)]


def _check_every_leaf(result: DocumentResult, sheets: dict[str, list[dict[str, Any]]], same) -> int:
    data = json.loads(result.model_dump_json())
    n = 0
    for path, value in _leaves(data):
        cells = _locate(sheets, path)
        if path[0] == "evidence" and path[2] == "issues":
            issue = data["evidence"][path[1]]["issues"][path[3]]
            matches = [r for r, _ in cells if r["field"] == issue["field"] and r["kind"] == issue["kind"]]
            assert matches and same(matches[0][path[4]], value), (path, value, matches)
        elif path[0] == "evidence" and path[2] == "pages":
            assert same(cells[0][0], ",".join(map(str, value))), (path, value, cells)
        else:
            assert cells and all(same(cell, value) for cell, _ in cells), (path, value, cells)
        n += 1
    return n


def _same_xlsx(cell: Any, value: Any) -> bool:
    if isinstance(value, list):
        return all(_same_xlsx(c, v) for c, v in zip(cell, value))
    if value in (None, ""):  # Excel keeps no empty text: null and "" are both an empty cell
        return cell in (None, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return isinstance(cell, (int, float)) and float(cell) == float(value)
    return cell == value


def _same_csv(cell: Any, value: Any) -> bool:
    if isinstance(value, list):
        return all(_same_csv(c, v) for c, v in zip(cell, value))
    if value in (None, ""):
        return cell == ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(cell) == float(value)
    if value[:1] in ("=", "+", "-", "@"):  # kept from running as a formula in Excel
        return cell == "'" + value
    return cell == str(value)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.stem)
def test_xlsx_holds_every_field_where_it_belongs(path: Path, tmp_path: Path) -> None:
    result = _with_failed_check(_result(path))
    book = load_workbook(write_xlsx(result, tmp_path / "out.xlsx"))
    sheets = {}
    for ws in book.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        sheets[ws.title] = _sheet_rows(rows[0], rows[1:])
        assert ws.freeze_panes == "A2"
    assert list(sheets)[:3] == ["forms", "funds", "indicators"] and "checks" in sheets
    assert ("rubric" in sheets) == any(f.rubric for f in result.forms)
    assert _check_every_leaf(result, sheets, _same_xlsx) > 300
    # The hand-broken 执行率 is a failed check; the passed checks are listed too.
    outcomes = [(r["form"], r["field"], r["outcome"]) for r in sheets["checks"]]
    assert (1, "/funds/rows/0/execution_rate", "未通过 failed") in outcomes
    assert any(o == "通过 passed" for _, _, o in outcomes)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.stem)
def test_csv_holds_every_field_where_it_belongs(path: Path, tmp_path: Path) -> None:
    result = _with_failed_check(_result(path))
    written = write_csv(result, tmp_path / "doc")
    sheets = {}
    for file in written:
        raw = file.read_bytes()
        assert raw.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        sheets[file.name.split(".")[1]] = [
            {k: (int(v) if k in ("form", "row") else v) for k, v in row.items()}
            for row in _sheet_rows(rows[0], rows[1:])
        ]
    assert _check_every_leaf(result, sheets, _same_csv) > 300


def test_headers_give_the_chinese_label_and_the_field_name(tmp_path: Path) -> None:
    result = _result(SAMPLES / "guizhou_1form.pdf")
    book = load_workbook(write_xlsx(result, tmp_path / "a.xlsx"))
    header = [c.value for c in book["funds"][1]]
    assert "执行率(%) (execution_rate)" in header and "全年预算数(A) (annual_budget)" in header
    assert [c.value for c in book["forms"][1]][:2] == ["表序号 (form)", "格式版本 (schema_version)"]
    assert field_label("/indicators/3/score") == "绩效指标 第4行 得分"
    assert field_label("/goals/expected") == "年度总体目标·预期目标"


def test_a_target_printed_as_a_formula_stays_text(tmp_path: Path) -> None:
    data = json.loads(_result(SAMPLES / "guizhou_1form.pdf").model_dump_json())
    data["forms"][0]["indicators"][0]["target"] = "=100%"
    data["forms"][0]["indicators"][1]["target"] = '=HYPERLINK("http://x","y")'
    result = DocumentResult.model_validate(data)
    sheet = load_workbook(write_xlsx(result, tmp_path / "a.xlsx"))["indicators"]
    col = [c.value for c in sheet[1]].index("年度指标值 (target)")
    targets = [row[col] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert targets[:2] == ["=100%", '=HYPERLINK("http://x","y")']
    assert all(row[col].data_type == "s" for row in sheet.iter_rows(min_row=2, max_row=3))
    [ind] = [p for p in write_csv(result, tmp_path / "a") if p.name == "a.indicators.csv"]
    assert "'=100%" in ind.read_text("utf-8-sig")


def test_write_formats_writes_beside_the_json_atomically(tmp_path: Path) -> None:
    result = _result(SAMPLES / "guizhou_1form.pdf")
    out = tmp_path / "out" / "guizhou_1form.json"
    (tmp_path / "out").mkdir()
    stale = tmp_path / "out" / "guizhou_1form.rubric.csv"
    stale.write_text("old run", encoding="utf-8")
    written = write_formats(result, out, {"json", "csv", "xlsx", "html"})
    names = sorted(p.name for p in written)
    assert "guizhou_1form.xlsx" in names and "guizhou_1form.forms.csv" in names
    assert all(p.parent == out.parent for p in written)
    assert not stale.exists(), "a part this result has no rows for is not left from an earlier run"
    assert sorted(p.name for p in out.parent.iterdir()) == names, "no temporary file is left"
    assert write_formats(result, out, {"json"}) == []


def test_format_names_parse_for_the_command_line() -> None:
    import argparse

    from ocrform.formats import parse_formats

    assert parse_formats("json,csv, XLSX,html") == {"json", "csv", "xlsx", "html"}
    assert parse_formats("csv") == {"csv"}
    for bad in ("pdf", "json,,csv", ""):
        with pytest.raises(argparse.ArgumentTypeError, match="choose from json,csv,xlsx,html"):
            parse_formats(bad)
