"""Arithmetic checks a validator would run on a mapped form.

Findings never change the form: they are listed beside it so a person can look at the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ocrform.canonical import Form, FormEvidence, Issue, Provenance
from ocrform.model import Seal

# Printed figures are rounded to two decimals; a rate printed as 99.99 may come from
# 104756332 / 104769000 = 99.9879 %, so the comparison allows a rounding step and a half.
RATE_TOLERANCE = 0.015
SUM_TOLERANCE = 0.005
LOW_CONFIDENCE = 0.80
# ... or where its least sure character is below this: on 150 dpi black-and-white scans a
# long line read at 0.95 as a whole often holds its one misread character at 0.1-0.3.
WEAKEST_CHARACTER = 0.3
# An indicator column filled in at least this share of a form's rows is expected in all of
# them: a value a seal or a faint scan hides reads as nothing, not as a wrong value.
FILLED_COLUMN_SHARE = 0.5
INDICATOR_COLUMNS = {
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
}
# A fund row prints all three amounts or none; one left empty beside the other two was lost.
FUND_AMOUNTS = {"initial_budget": "年初预算数", "annual_budget": "全年预算数", "executed": "全年执行数"}


@dataclass(frozen=True)
class Check:
    """One arithmetic check run on a form: the field it is about, what it compares, whether
    the printed figures agree, the message (a failed check's is its ``Issue``'s), and the other
    fields whose figures it compares the field with (``inputs``: JSON pointers)."""

    field: str
    kind: str  # "arithmetic" or "range", as the Issue it becomes
    rule: str
    passed: bool
    message: str
    inputs: tuple[str, ...] = ()

    def issue(self) -> Issue:
        return Issue(field=self.field, kind=self.kind, message=self.message)


def validate_form(
    form: Form, evidence: FormEvidence | None = None, seals: Mapping[int, Sequence[Seal]] | None = None
) -> list[Issue]:
    """The form's failed checks and the fields a person should look at; ``seals``: the dark
    seals on each (1-based) page, whose ink may hide what a field printed."""
    issues = [check.issue() for check in arithmetic_checks(form) if not check.passed]
    if evidence is not None:
        issues += _fields_to_check(evidence, seals or {})
        issues += _empty_indicator_cells(form, evidence)
        issues += _empty_fund_cells(form, evidence)
    return issues


def arithmetic_checks(form: Form) -> list[Check]:
    """Every arithmetic check the form's printed figures allow, passed or failed, in the
    order their issues are listed: the fund rows', the indicators' scores, the totals. It
    needs the form alone, so it runs as well on a JSON file written (or edited) long ago."""
    return [*_check_fund_rows(form), *_check_scores(form), *_check_totals(form)]


def _check_fund_rows(form: Form) -> list[Check]:
    checks = []
    for i, row in enumerate(form.funds.rows):
        where = f"/funds/rows/{i}"
        if row.execution_rate is not None and row.annual_budget and row.executed is not None:
            expected = row.executed / row.annual_budget * 100
            passed = not abs(expected - row.execution_rate) > RATE_TOLERANCE + abs(expected) * 1e-6
            sign = "=" if passed else "≠"
            checks.append(
                Check(
                    field=f"{where}/execution_rate",
                    kind="arithmetic",
                    rule="执行率 = B/A",
                    passed=passed,
                    message=f"执行率 {row.execution_rate} {sign} B/A = {expected:.2f}",
                    inputs=(f"{where}/executed", f"{where}/annual_budget"),
                )
            )
        if row.score is not None and row.weight is not None:
            checks.append(_score_check(where, row.score, row.weight))
        if row.executed is not None and row.annual_budget is not None:
            passed = not row.executed < 0
            message = "全年执行数 is negative" if not passed else f"全年执行数 {row.executed} ≥ 0"
            checks.append(
                Check(field=f"{where}/executed", kind="range", rule="全年执行数 ≥ 0", passed=passed, message=message)
            )
    return checks


def _score_check(row: str, score: float, weight: float) -> Check:
    passed = not score > weight + SUM_TOLERANCE
    message = f"得分 {score} > 分值 {weight}" if not passed else f"得分 {score} ≤ 分值 {weight}"
    return Check(
        field=f"{row}/score",
        kind="arithmetic",
        rule="得分 ≤ 分值",
        passed=passed,
        message=message,
        inputs=(f"{row}/weight",),
    )


def _check_scores(form: Form) -> list[Check]:
    return [
        _score_check(f"/indicators/{i}", ind.score, ind.weight)
        for i, ind in enumerate(form.indicators)
        if ind.score is not None and ind.weight is not None
    ]


def _check_totals(form: Form) -> list[Check]:
    """总分 = the funds' 分值/得分 plus every indicator's, when the form prints all of them."""
    checks = []
    fund_row = form.funds.rows[0] if form.funds.rows else None
    for total, attr, label in (
        (form.total_weight, "weight", "分值"),
        (form.total_score, "score", "得分"),
    ):
        if total is None or not form.indicators:
            continue
        parts = [getattr(ind, attr) for ind in form.indicators]
        if any(p is None for p in parts):
            continue
        fund_part = getattr(fund_row, attr) if fund_row is not None else None
        computed = sum(parts) + (fund_part or 0.0)
        passed = not abs(computed - total) > SUM_TOLERANCE
        field = "/total_weight" if attr == "weight" else "/total_score"
        checks.append(
            Check(
                field=field,
                kind="arithmetic",
                rule=f"总分 {label} = sum of rows",
                passed=passed,
                message=f"总分 {label} {total} {'=' if passed else '≠'} sum of rows {computed:g}",
                inputs=(
                    *([f"/funds/rows/0/{attr}"] if fund_part is not None else []),
                    *(f"/indicators/{i}/{attr}" for i in range(len(parts))),
                ),
            )
        )
    return checks


def _fields_to_check(evidence: FormEvidence, seals: Mapping[int, Sequence[Seal]]) -> list[Issue]:
    """Fields read without confidence, and fields a dark seal may hide part of."""
    issues = []
    for p in evidence.provenance:
        if p.confidence < LOW_CONFIDENCE or p.weakest < WEAKEST_CHARACTER:
            message = (
                f"read with confidence {p.confidence:.2f} (least sure character {p.weakest:.2f})"
                f" by {p.method} on page {p.page}: please check"
            )
            issues.append(Issue(field=p.field, kind="low-confidence", message=message))
        if any(_reaches(p, seal) for seal in seals.get(p.page, ())):
            message = f"printed under a seal on page {p.page}, whose ink may hide part of it: please check"
            issues.append(Issue(field=p.field, kind="under-seal", message=message))
    return issues


def _empty_indicator_cells(form: Form, evidence: FormEvidence) -> list[Issue]:
    """Indicator cells left empty in a column the form's other rows fill."""
    rows = form.indicators
    pages = _row_pages(evidence, "/indicators/")
    issues = []
    for key, label in INDICATOR_COLUMNS.items():
        empty = [i for i, ind in enumerate(rows) if getattr(ind, key) in (None, "")]
        filled = len(rows) - len(empty)
        if not empty or filled < FILLED_COLUMN_SHARE * len(rows):
            continue
        for i in empty:
            where = f" (its row is on page {pages[i]})" if i in pages else ""
            message = f"{label} is empty where {filled} of {len(rows)} indicators give one{where}: please check"
            issues.append(Issue(field=f"/indicators/{i}/{key}", kind="empty", message=message))
    return issues


def _empty_fund_cells(form: Form, evidence: FormEvidence) -> list[Issue]:
    """A fund row's amount left empty where the row gives the other two."""
    pages = _row_pages(evidence, "/funds/rows/")
    issues = []
    for i, row in enumerate(form.funds.rows):
        empty = [key for key in FUND_AMOUNTS if getattr(row, key) is None]
        if len(empty) != 1:
            continue
        given = " and ".join(label for key, label in FUND_AMOUNTS.items() if key != empty[0])
        where = f" (its row is on page {pages[i]})" if i in pages else ""
        message = f"{FUND_AMOUNTS[empty[0]]} is empty where the row gives {given}{where}: please check"
        issues.append(Issue(field=f"/funds/rows/{i}/{empty[0]}", kind="empty", message=message))
    return issues


def _row_pages(evidence: FormEvidence, prefix: str) -> dict[int, int]:
    """The page of each row under ``prefix`` (/indicators/, /funds/rows/) that has a field read."""
    pages: dict[int, int] = {}
    for p in evidence.provenance:
        if p.field.startswith(prefix):
            pages.setdefault(int(p.field[len(prefix) :].split("/")[0]), p.page)
    return pages


def _reaches(p: Provenance, seal: Seal) -> bool:
    """Whether the field's box reaches into the seal's disc."""
    x0, y0, x1, y1 = p.box
    nearest_x, nearest_y = min(max(seal.cx, x0), x1), min(max(seal.cy, y0), y1)
    return (nearest_x - seal.cx) ** 2 + (nearest_y - seal.cy) ** 2 < (seal.radius + seal.ring_width / 2) ** 2
