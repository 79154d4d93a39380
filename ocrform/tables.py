"""Write a conversion result as tables for people: CSV files and an Excel workbook.

One table per part of the result, the same in both: ``forms`` (one row per form, every
scalar field and the source's), ``funds`` (one row per fund row), ``indicators`` (one row per
indicator), ``rubric`` (scoring-table rows, only where a form prints one), ``checks`` (every
arithmetic check run and its outcome, and every field the evidence asks a person to check),
and the evidence behind the values: ``provenance`` (page and box of each field), ``repairs``
and ``unmapped`` (the last two only where there are any). Every row of a part names its form
by number (1-based, as a reader counts them) and carries the project name, so a sheet can be
filtered or sorted on its own.

Each column's header is its Chinese label followed by the schema field name, e.g.
``执行率(%) (execution_rate)``: one header row, so Excel's filter, sort, pivot tables and
Power Query and any CSV reader take the table as it is, with the label a finance colleague
reads first and the name that ties the column to the JSON and SCHEMA.md after it.

Every leaf of the JSON is in the workbook: numbers as numbers, null as an empty cell, text
as text (in the workbook a target printed ``=100%`` is text, never a formula). The CSV files
are UTF-8 with a byte-order mark, so Excel opens the Chinese correctly; a text cell that
starts with ``=``, ``+``, ``-`` or ``@`` is written with a leading ``'`` there, so that Excel
shows it as text instead of running it as a formula (a hostile PDF could print one).

Every file is written under a unique temporary name in its folder and renamed into place,
so concurrent runs writing into one folder never leave a half-written table.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocrform.batch.outputs import write_atomic
from ocrform.canonical import DocumentResult, Form, FormEvidence
from ocrform.validate import arithmetic_checks

TABLE_FORMATS = ("csv", "xlsx")

# The form's scalar fields (nested ones by dotted path), each with the label a reader knows.
FORM_LABELS = {
    "schema_version": "格式版本",
    "title": "表名",
    "year": "年度",
    "project_name": "项目名称",
    "department": "主管部门",
    "implementer": "实施单位",
    "fill_date": "填报日期",
    "contact": "联系人",
    "funds.unit": "资金单位",
    "goals.expected": "年度总体目标·预期目标",
    "goals.actual": "年度总体目标·实际完成情况",
    "total_weight": "总分值",
    "total_score": "总得分",
    "grade": "自评等级",
    "conclusion": "自评结论",
}
FUND_LABELS = {
    "item": "资金项目",
    "initial_budget": "年初预算数",
    "annual_budget": "全年预算数(A)",
    "executed": "全年执行数(B)",
    "weight": "分值",
    "execution_rate": "执行率(%)",
    "score": "得分",
    "received": "实际到位资金",
    "balance": "结余",
    "deviation_reason": "偏差原因",
}
INDICATOR_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
    "deviation_reason": "偏差原因分析及改进措施",
}
RUBRIC_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "weight": "分值",
    "description": "指标说明",
    "criteria": "评分标准",
    "score": "得分",
}
SOURCE_LABELS = {
    "source.path": "源文件",
    "source.kind": "文件类型",
    "source.pages": "页数",
    "source.sha256": "SHA-256",
    "source.text_layer": "文字层",
    "document.schema_version": "文件格式版本",
}
_PARTS_OF_FORM = {"funds/rows": ("项目资金", FUND_LABELS), "indicators": ("绩效指标", INDICATOR_LABELS)}
_PARTS_OF_FORM["rubric"] = ("评分表", RUBRIC_LABELS)
OUTCOMES = {"passed": "通过", "failed": "未通过", "check": "请核对"}
KIND_LABELS = {
    "arithmetic": "算术校验",
    "range": "取值范围",
    "low-confidence": "识别置信度低",
    "under-seal": "印章遮挡",
    "empty": "空值",
}


def field_label(pointer: str) -> str:
    """A form field's JSON pointer as a reader names it: /funds/rows/0/execution_rate →
    项目资金 第1行 执行率(%); /goals/expected → 年度总体目标·预期目标."""
    for prefix, (part, labels) in _PARTS_OF_FORM.items():
        m = re.fullmatch(rf"/{prefix}/(\d+)(?:/(\w+))?", pointer)
        if m:
            key = m.group(2)
            return f"{part} 第{int(m.group(1)) + 1}行" + (f" {labels.get(key, key)}" if key else "")
    dotted = pointer.strip("/").replace("/", ".")
    return FORM_LABELS.get(dotted, dotted)


@dataclass(frozen=True)
class Table:
    """One part of a result as rows under (schema field name, Chinese label) columns."""

    name: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]]

    def headers(self) -> list[str]:
        return [f"{label} ({key})" for key, label in self.columns]


def result_tables(result: DocumentResult) -> list[Table]:
    """The result's parts as tables, in sheet order; rubric, repairs and unmapped only where
    some form has any."""
    forms = result.forms
    evidence = [result.evidence[i] if i < len(result.evidence) else FormEvidence() for i in range(len(forms))]
    lead = [("form", "表序号"), ("project_name", "项目名称")]

    def each(rows_of: Callable[[Form, FormEvidence], Iterable[list[Any]]]) -> list[list[Any]]:
        return [
            [n, f.project_name, *row] for n, (f, ev) in enumerate(zip(forms, evidence), 1) for row in rows_of(f, ev)
        ]

    form_columns = [
        ("form", "表序号"),
        *FORM_LABELS.items(),
        ("pages", "所在页"),
        ("issues", "待核对项数"),
        *SOURCE_LABELS.items(),
    ]
    src = result.source
    form_rows = [
        [
            n,
            *(_get(f, key) for key in FORM_LABELS),
            ",".join(str(p) for p in ev.pages),
            len(ev.issues),
            src.path,
            src.kind,
            src.pages,
            src.sha256,
            src.text_layer,
            result.schema_version,
        ]
        for n, (f, ev) in enumerate(zip(forms, evidence), 1)
    ]
    tables = [
        Table("forms", form_columns, form_rows),
        Table(
            "funds",
            [*lead, ("funds.unit", "资金单位"), ("row", "行号"), *FUND_LABELS.items()],
            each(
                lambda f, ev: (
                    [f.funds.unit, i, *(getattr(r, k) for k in FUND_LABELS)] for i, r in enumerate(f.funds.rows, 1)
                )
            ),
        ),
        Table(
            "indicators",
            [*lead, ("row", "行号"), *INDICATOR_LABELS.items()],
            each(
                lambda f, ev: ([i, *(getattr(r, k) for k in INDICATOR_LABELS)] for i, r in enumerate(f.indicators, 1))
            ),
        ),
        Table(
            "rubric",
            [*lead, ("row", "行号"), *RUBRIC_LABELS.items()],
            each(lambda f, ev: ([i, *(getattr(r, k) for k in RUBRIC_LABELS)] for i, r in enumerate(f.rubric, 1))),
        ),
        Table(
            "checks",
            [
                *lead,
                ("field", "字段路径"),
                ("field_label", "字段"),
                ("kind", "类别"),
                ("rule", "校验规则"),
                ("outcome", "结果"),
                ("message", "说明"),
            ],
            each(_check_rows),
        ),
        Table(
            "provenance",
            [
                *lead,
                ("field", "字段路径"),
                ("field_label", "字段"),
                ("page", "页码"),
                *((f"box.{k}", f"位置 {k} (pt)") for k in ("x0", "y0", "x1", "y1")),
                ("method", "读取方式"),
                ("confidence", "置信度"),
                ("weakest", "最低字符置信度"),
            ],
            each(
                lambda f, ev: (
                    [p.field, field_label(p.field), p.page, *p.box, p.method, p.confidence, p.weakest]
                    for p in ev.provenance
                )
            ),
        ),
        Table(
            "repairs",
            [*lead, ("page", "页码"), ("source", "原文"), ("repaired", "修复后"), ("method", "修复方式")],
            each(lambda f, ev: ([r.page, r.source, r.repaired, r.method] for r in ev.repairs)),
        ),
        Table(
            "unmapped",
            [
                *lead,
                ("label", "标签"),
                ("value", "内容"),
                ("page", "页码"),
                *((f"box.{k}", f"位置 {k} (pt)") for k in ("x0", "y0", "x1", "y1")),
            ],
            each(lambda f, ev: ([u.label, u.value, u.page, *u.box] for u in ev.unmapped)),
        ),
    ]
    optional = {"rubric", "repairs", "unmapped"}
    return [t for t in tables if t.rows or t.name not in optional]


def _get(form: Form, dotted: str) -> Any:
    value: Any = form
    for key in dotted.split("."):
        value = getattr(value, key)
    return value


def _check_rows(form: Form, evidence: FormEvidence) -> list[list[Any]]:
    """Every arithmetic check run (passed or failed) and every finding the evidence records:
    a finding is listed as the evidence words it, a check the evidence does not record as failed
    with the outcome it has on the form as it stands."""
    rows = []
    recorded = {(i.field, i.kind) for i in evidence.issues}
    rules = {}
    for check in arithmetic_checks(form):
        rules[(check.field, check.kind)] = check.rule
        if (check.field, check.kind) not in recorded:
            outcome = "passed" if check.passed else "failed"
            rows.append([check.field, field_label(check.field), check.kind, check.rule, outcome, check.message])
    for issue in evidence.issues:
        rule = rules.get((issue.field, issue.kind), KIND_LABELS.get(issue.kind, issue.kind))
        outcome = "failed" if issue.kind in ("arithmetic", "range") else "check"
        rows.append([issue.field, field_label(issue.field), issue.kind, rule, outcome, issue.message])
    order = {"failed": 0, "check": 1, "passed": 2}
    rows.sort(key=lambda row: order[row[4]])
    return [[*row[:4], f"{OUTCOMES[row[4]]} {row[4]}", row[5]] for row in rows]


# ---- writers --------------------------------------------------------------------------------


# The CSV parts every document gets, and those only some do (a rubric, repairs, unmapped values).
ALWAYS_PARTS = ("forms", "funds", "indicators", "checks", "provenance")
OPTIONAL_PARTS = ("rubric", "repairs", "unmapped")


def table_paths(json_path: Path, fmt: str, optional: bool = False) -> list[Path]:
    """The files ``write_formats`` writes for ``fmt`` beside ``json_path``: every document's
    (with ``optional``, also those only some documents get)."""
    base = json_path.with_suffix("")
    if fmt == "xlsx":
        return [base.with_name(base.name + ".xlsx")]
    if fmt == "csv":
        parts = ALWAYS_PARTS + (OPTIONAL_PARTS if optional else ())
        return [base.with_name(f"{base.name}.{part}.csv") for part in parts]
    return []


def write_csv(result: DocumentResult, base: Path) -> list[Path]:
    """``<base>.<part>.csv`` for each part (``base`` is the output path without suffix, e.g.
    ``out/report_2023``); a part file of ``base`` this result has no rows for (rubric,
    repairs, unmapped) is removed, so no table of an earlier run is left beside the new ones."""
    written = []
    tables = result_tables(result)
    for table in tables:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.headers())
        writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
        path = base.with_name(f"{base.name}.{table.name}.csv")
        atomic_write(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
        written.append(path)
    for name in set(OPTIONAL_PARTS) - {t.name for t in tables}:
        base.with_name(f"{base.name}.{name}.csv").unlink(missing_ok=True)
    return written


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return str(value)


def write_xlsx(result: DocumentResult, path: Path) -> Path:
    """An Excel workbook with one sheet per part, its header row frozen and filterable."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    failed_fill = PatternFill("solid", fgColor="F8CBAD")
    for table in result_tables(result):
        sheet = book.create_sheet(table.name)
        sheet.append(table.headers())
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([None] * len(row))
            for cell, value in zip(sheet[sheet.max_row], row):
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # "=100%" is a printed target, not a formula
        if table.name == "checks":
            outcome = [key for key, _ in table.columns].index("outcome") + 1
            for r in range(2, sheet.max_row + 1):
                if not str(sheet.cell(r, outcome).value).endswith("passed"):
                    sheet.cell(r, outcome).fill = failed_fill
        for c, (_, label) in enumerate(table.columns, 1):
            longest = max([len(label) * 2, *(_display_width(row[c - 1]) for row in table.rows)])
            sheet.column_dimensions[get_column_letter(c)].width = min(60, max(8, longest + 2))
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write(path, buffer.getvalue())
    return path


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_formats(result: DocumentResult, out_json_path: Path, formats: set[str]) -> list[Path]:
    """The tables ``formats`` asks for (``csv``, ``xlsx``; others, such as ``json`` and
    ``html``, are not this module's) beside ``out_json_path``: ``<stem>.<part>.csv`` and
    ``<stem>.xlsx``. Returns the paths written."""
    base = out_json_path.with_suffix("")
    written = []
    if "csv" in formats:
        written += write_csv(result, base)
    if "xlsx" in formats:
        written.append(write_xlsx(result, base.with_name(base.name + ".xlsx")))
    return written


def atomic_write(path: Path, data: bytes) -> None:
    """``data`` under a unique temporary name in ``path``'s folder, synced, then renamed onto
    ``path``: a reader sees the old file or the new one, never a part of either (and the
    temporary of a killed writer is the batch's to clean up, ``ocrform.batch.outputs``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
