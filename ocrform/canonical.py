"""The canonical self-evaluation schema, version 1, as code.

This mirrors SCHEMA.md field for field; ``ocrform schema`` prints ``document_json_schema()``
and every JSON file the tool writes is an instance of ``DocumentResult``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

# 1.1 adds optional fields (null where the form does not print them): every version-1
# document stays valid.
SCHEMA_VERSION = "1.1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FundRow(_Strict):
    """One printed row of the fund table (项目资金), in printed order; a dash or blank is null."""

    item: str = Field(description="Row label without trailing colon or leading dashes")
    initial_budget: float | None = Field(description="年初预算数")
    annual_budget: float | None = Field(description="全年预算数（A）")
    executed: float | None = Field(description="全年执行数（B）")
    weight: float | None = Field(description="分值")
    execution_rate: float | None = Field(description="执行率 in percent")
    score: float | None = Field(description="得分")
    received: float | None = Field(None, description="实际到位资金 (schema 1.1)")
    balance: float | None = Field(None, description="结余 (schema 1.1)")
    deviation_reason: str | None = Field(None, description="a deviation reason printed on the row (schema 1.1)")


class Funds(_Strict):
    """The fund table: its unit and its rows."""

    unit: str | None = Field(description="元 or 万元, as the form states")
    rows: list[FundRow]


class Goals(_Strict):
    """年度总体目标: the expected goal and what was achieved, as printed (line breaks removed)."""

    expected: str | None = Field(description="预期目标 / 年初预期目标")
    actual: str | None = Field(description="实际完成情况")


class Indicator(_Strict):
    """One 三级指标 row of the performance indicators, with its canonical 一级/二级 labels."""

    level1: str | None = Field(description="canonical 一级指标")
    level2: str | None = Field(description="canonical 二级指标")
    name: str | None = Field(description="三级指标 / 指标内容")
    target: str | None = Field(description="年度指标值, normalised")
    actual: str | None = Field(description="实际完成值, normalised")
    weight: float | None = Field(description="分值")
    score: float | None = Field(description="得分")
    deviation_reason: str | None = Field(description="偏差原因分析及改进措施 / 未完成原因分析")


class RubricRow(_Strict):
    """One row of a 绩效评价指标体系 scoring table, for forms that carry one."""

    level1: str | None
    level2: str | None
    name: str | None
    weight: float | None
    description: str | None
    criteria: str | None
    score: float | None


class Form(_Strict):
    """One self-evaluation form in the canonical schema: a field is what the form prints, or null."""

    schema_version: str = SCHEMA_VERSION
    title: str | None
    year: int | None
    project_name: str | None
    department: str | None
    implementer: str | None
    fill_date: str | None = Field(description="ISO date")
    contact: str | None
    funds: Funds
    goals: Goals
    indicators: list[Indicator]
    total_weight: float | None
    total_score: float | None
    grade: str | None
    conclusion: str | None
    rubric: list[RubricRow] = Field(default_factory=list)


class Provenance(_Strict):
    """Where one output field came from, so a person can check it against the page."""

    field: str = Field(description="JSON pointer into the form, e.g. /indicators/3/score")
    page: int = Field(description="1-based page number")
    box: list[float] = Field(description="[x0, y0, x1, y1] in PDF points, origin top-left")
    method: str = Field(description="how the text was read: pdf-text, ocr:rapidocr, ...")
    confidence: float = Field(1.0, description="the reader's confidence in the text as a whole")
    weakest: float = Field(1.0, description="the reader's confidence in its least sure character")
    cell: str | None = Field(
        None,
        description="the cells of a Word or Excel original it was read from: a sheet and cell reference "
        "(自评表!B7) or a table, row and column (table 1 row 5 column 3, 1-based); the page and box are then "
        "on a page laid out from the file, not a printed one (schema 1.1)",
    )

    @model_serializer(mode="wrap")
    def _without_absent_cell(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _drop_absent_cell(handler(self))


def _drop_absent_cell(out: dict[str, Any]) -> dict[str, Any]:
    """A printed page's evidence is written as before: no cell key."""
    if out.get("cell") is None:
        out.pop("cell", None)
    return out


class Repair(_Strict):
    """A text run whose mis-encoded glyphs were repaired (page is null for a text dump)."""

    page: int | None
    source: str = Field(description="the text as the source delivered it")
    repaired: str
    method: str


class Issue(_Strict):
    """A validation finding: an arithmetic check that failed or a field a person should check."""

    field: str
    kind: str
    message: str


class Unmapped(_Strict):
    """A labelled value the form prints that no schema field takes (项目地址, 邮编, 评价机构 …):
    kept so that nothing printed is lost."""

    label: str = Field(description="the printed label, normalised")
    value: str | None = Field(description="the value printed beside it, normalised; null when blank")
    page: int = Field(description="1-based page number")
    box: list[float] = Field(description="[x0, y0, x1, y1] of label and value in PDF points, origin top-left")
    cell: str | None = Field(None, description="their cells in a Word or Excel original (see Provenance.cell)")

    @model_serializer(mode="wrap")
    def _without_absent_cell(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _drop_absent_cell(handler(self))


class FormEvidence(_Strict):
    """The evidence behind ``forms[i]``, kept beside the form so the form stays the bare contract."""

    provenance: list[Provenance] = Field(default_factory=list)
    repairs: list[Repair] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list, description="1-based pages the form spans")
    unmapped: list[Unmapped] = Field(default_factory=list, description="labelled values no field takes")


class Source(_Strict):
    """The input file: its path, kind (pdf, image, text, office), pages, SHA-256 and text-layer state."""

    path: str
    kind: str
    pages: int
    sha256: str
    text_layer: str | None = Field(default=None, description="clean, repaired, garbled or absent")


# What may be wrong with an input that still converted (``DocumentResult.problems``):
DAMAGED = "damaged"  # the file is truncated or corrupt: some of its content could not be read
PAGES_LOST = "pages_lost"  # pages (or frames) that could not be read at all
NO_FORM_FOUND = "no_form_found"  # the input was read, but no form was found in it
FONT_UNREADABLE = "font_unreadable"  # a font could not be read: its text is given unrepaired
REPAIR_INCOMPLETE = "repair_incomplete"  # the text repair stopped at its budget
PROBLEM_CODES = (DAMAGED, PAGES_LOST, NO_FORM_FOUND, FONT_UNREADABLE, REPAIR_INCOMPLETE)


class Problem(_Strict):
    """Something wrong with the input that the conversion worked around: what it could read
    is in the result, and this says what it could not."""

    code: str = Field(description="damaged, pages_lost, no_form_found, font_unreadable or repair_incomplete")
    detail: str = Field(description="one line saying what was found (and on which page)")


class DocumentResult(_Strict):
    """What one input converts to: its source, its forms, the evidence behind each form, and
    the problems found in the input (empty when it converted cleanly)."""

    schema_version: str = SCHEMA_VERSION
    source: Source
    forms: list[Form]
    evidence: list[FormEvidence] = Field(default_factory=list, description="evidence[i] belongs to forms[i]")
    problems: list[Problem] = Field(
        default_factory=list,
        description="what could not be read (damaged, pages_lost, no_form_found, ...); empty when all went well",
    )


def document_json_schema() -> dict[str, Any]:
    """The JSON Schema every output file validates against (the canonical form and its evidence)."""
    return DocumentResult.model_json_schema()


def dumps(result: DocumentResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=1)
