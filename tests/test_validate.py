"""Arithmetic checks: 执行率 = B/A, 得分 ≤ 分值, 总分 = the rows' sum; low-confidence fields and fields under a seal."""

from __future__ import annotations

import json
from pathlib import Path

from ocrform.canonical import Form, FormEvidence, Provenance
from ocrform.model import Seal
from ocrform.validate import arithmetic_checks, validate_form

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"


def gold_forms() -> list[Form]:
    return [Form.model_validate_json(p.read_text("utf-8")) for p in sorted(GOLD.glob("*.json"))]


# Gold forms whose printed numbers disagree, and the one check that says so: 004's dump shows
# 80 of its 100 points' rows (its gold notes say so); seed 001's 政务外网 form prints 执行率
# 92.64% (its score 9.26 agrees) where 51,562,685 / 51,565,764 is 99.99%.
KNOWN_ISSUES = {
    "004_f01": [("/total_weight", "arithmetic")],
    "001_f04": [("/funds/rows/0/execution_rate", "arithmetic")],
    "001_f07": [("/funds/rows/0/execution_rate", "arithmetic")],
}


def test_hand_checked_forms_pass_every_check() -> None:
    for path in sorted(GOLD.glob("*.json")):
        issues = validate_form(Form.model_validate_json(path.read_text("utf-8")))
        assert [(i.field, i.kind) for i in issues] == KNOWN_ISSUES.get(path.stem, []), path.stem


def test_each_check_fires_on_the_field_it_is_about() -> None:
    form = gold_forms()[0]
    data = json.loads(form.model_dump_json())
    data["funds"]["rows"][0]["execution_rate"] = 90.0
    data["indicators"][1]["score"] = data["indicators"][1]["weight"] + 1
    data["total_score"] = (data["total_score"] or 0) - 3
    issues = validate_form(Form.model_validate(data))
    fields = {i.field: i.kind for i in issues}
    assert fields == {
        "/funds/rows/0/execution_rate": "arithmetic",
        "/indicators/1/score": "arithmetic",
        "/total_score": "arithmetic",
    }


def test_rate_rounding_is_tolerated() -> None:
    data = json.loads(gold_forms()[0].model_dump_json())
    row = data["funds"]["rows"][0]
    row.update(annual_budget=104769000.0, executed=104756332.0, execution_rate=99.99)
    assert not [i for i in validate_form(Form.model_validate(data)) if i.field.startswith("/funds")]


def test_low_confidence_fields_are_listed() -> None:
    form = gold_forms()[0]
    evidence = FormEvidence(
        provenance=[
            Provenance(field="/project_name", page=1, box=[0, 0, 1, 1], method="ocr:rapidocr", confidence=0.99),
            Provenance(field="/indicators/0/actual", page=1, box=[0, 0, 1, 1], method="ocr:rapidocr", confidence=0.41),
        ]
    )
    issues = validate_form(form, evidence)
    assert [(i.field, i.kind) for i in issues] == [("/indicators/0/actual", "low-confidence")]


def test_a_field_with_one_unsure_character_is_listed() -> None:
    # A long text read at 0.96 as a whole can still hold one character the reader barely chose.
    form = gold_forms()[0]
    evidence = FormEvidence(
        provenance=[
            Provenance(field="/goals/expected", page=1, box=[0, 0, 1, 1], method="ocr:rapidocr", confidence=0.96),
            Provenance(
                field="/conclusion", page=1, box=[0, 0, 1, 1], method="ocr:rapidocr", confidence=0.96, weakest=0.12
            ),
        ]
    )
    [issue] = validate_form(form, evidence)
    assert (issue.field, issue.kind) == ("/conclusion", "low-confidence")
    assert "least sure character 0.12" in issue.message


def test_indicator_cells_empty_where_the_other_rows_fill_them_are_listed() -> None:
    data = json.loads(gold_forms()[0].model_dump_json())
    data["indicators"][2]["weight"] = None  # lost under a seal
    data["indicators"][3]["actual"] = ""
    for ind in data["indicators"]:
        ind["deviation_reason"] = None  # a column most forms leave empty is no finding
    form = Form.model_validate(data)
    evidence = FormEvidence(
        provenance=[Provenance(field="/indicators/2/name", page=2, box=[0, 0, 1, 1], method="ocr:rapidocr")]
    )
    issues = [(i.field, i.kind, i.message) for i in validate_form(form, evidence) if i.kind == "empty"]
    assert [(f, k) for f, k, _ in issues] == [("/indicators/3/actual", "empty"), ("/indicators/2/weight", "empty")]
    n = len(data["indicators"])
    expected = f"分值 is empty where {n - 1} of {n} indicators give one (its row is on page 2): please check"
    assert issues[1][2] == expected
    # A column the form leaves empty in most rows is how that form is printed.
    for ind in data["indicators"]:
        ind["score"] = None
    form = Form.model_validate(data)
    assert not [i for i in validate_form(form, evidence) if i.field.endswith("/score")]


def test_fields_under_a_dark_seal_are_listed() -> None:
    form = gold_forms()[0]
    evidence = FormEvidence(
        provenance=[
            Provenance(field="/indicators/0/weight", page=1, box=[400, 350, 430, 365], method="ocr:rapidocr"),
            Provenance(field="/indicators/0/actual", page=2, box=[400, 350, 430, 365], method="ocr:rapidocr"),
            Provenance(field="/project_name", page=1, box=[100, 100, 300, 115], method="ocr:rapidocr"),
        ]
    )
    issues = validate_form(form, evidence, {1: [Seal(cx=412.0, cy=360.0, radius=60.0, ring_width=5.0)]})
    assert [(i.field, i.kind) for i in issues] == [("/indicators/0/weight", "under-seal")]


def test_a_fund_amount_empty_beside_the_rows_other_two_is_listed() -> None:
    data = json.loads(gold_forms()[0].model_dump_json())
    row = data["funds"]["rows"][0]
    row.update(initial_budget=82000.0, annual_budget=None, executed=82000.0)
    data["funds"]["rows"][1].update(initial_budget=None, annual_budget=None, executed=None)  # a row left blank
    form = Form.model_validate(data)
    evidence = FormEvidence(
        provenance=[Provenance(field="/funds/rows/0/executed", page=1, box=[0, 0, 1, 1], method="ocr:rapidocr")]
    )
    issues = [(i.field, i.message) for i in validate_form(form, evidence) if i.kind == "empty"]
    assert issues == [
        (
            "/funds/rows/0/annual_budget",
            "全年预算数 is empty where the row gives 年初预算数 and 全年执行数 (its row is on page 1): please check",
        )
    ]


def test_every_check_run_is_listed_with_its_outcome() -> None:
    """arithmetic_checks lists the passed checks too (the checks sheet and `ocrform validate`
    show them); its failed ones are exactly validate_form's arithmetic issues."""
    form = gold_forms()[0]
    checks = arithmetic_checks(form)
    assert checks and all(c.passed for c in checks)
    rules = {c.rule for c in checks}
    assert {"执行率 = B/A", "得分 ≤ 分值", "总分 得分 = sum of rows"} <= rules
    data = json.loads(form.model_dump_json())
    data["funds"]["rows"][0]["execution_rate"] = 90.0
    broken = Form.model_validate(data)
    failed = [c.issue() for c in arithmetic_checks(broken) if not c.passed]
    assert failed == validate_form(broken)
    assert len(arithmetic_checks(broken)) == len(checks)


def test_a_check_names_the_fields_it_compares() -> None:
    form = gold_forms()[0]
    by_field = {c.field: c for c in arithmetic_checks(form)}
    assert by_field["/funds/rows/0/execution_rate"].inputs == ("/funds/rows/0/executed", "/funds/rows/0/annual_budget")
    assert by_field["/indicators/0/score"].inputs == ("/indicators/0/weight",)
    total = by_field["/total_score"].inputs
    assert total[0] == "/funds/rows/0/score" and len(total) == 1 + len(form.indicators)
