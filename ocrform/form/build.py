"""A form's read values (spans) → the canonical Form with its provenance and evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocrform.canonical import Form, FormEvidence, FundRow, Funds, Goals, Indicator, Provenance, RubricRow, Unmapped
from ocrform.form.labels import Vocabulary, label_key
from ocrform.form.numbers import parse_number, percent_read_as_96
from ocrform.form.spans import Span, clean, join
from ocrform.form.state import FormState
from ocrform.model import Box
from ocrform.text import normalize

# A fund row label prints sub-items with leading dashes and ends in a colon; neither is the item.
# Indent dashes as printed, and as a recogniser may see them (dots, ellipses).
_ITEM_LEAD = "-‐‑‒–—―－─ .…·"
# A trailing colon, and the semicolon a recogniser may take it for.
_ITEM_TAIL = ":：;；　 "
# A unit note after a fund row's label (计划安排资金（万元）): funds.unit records the unit.
_UNIT_NOTE = re.compile(r"\((?:万元|元)\)$")
_FUND_NUMBERS = (
    "initial_budget",
    "annual_budget",
    "executed",
    "weight",
    "execution_rate",
    "score",
    "received",
    "balance",
)


@dataclass
class MappedForm:
    form: Form
    evidence: FormEvidence


def _stock_value(value: str | None, span: Span | None, vocab: Vocabulary) -> str | None:
    """A standard answer (达成年度指标) that OCR read one character off, as printed."""
    if value is None or span is None or not span.read_by_ocr or label_key(value) != value:
        return value
    return vocab.misread_of(value, "stock_values") or value


def _own_percent_signs(
    target: str | None, actual: str | None, spans: list[Span | None]
) -> tuple[str | None, str | None]:
    """An indicator's target and actual with a % sign OCR read as 96 restored from the other."""
    values = [target, actual]
    for k, span in enumerate(spans):
        value, partner = values[k], values[1 - k]
        if value is None or span is None or not span.read_by_ocr:
            continue
        values[k] = percent_read_as_96(value, partner) or value
    return values[0], values[1]


class _Out:
    """Collects provenance while the form's values are built."""

    def __init__(self) -> None:
        self.provenance: list[Provenance] = []

    def text(self, pointer: str, span: Span | None) -> str | None:
        if span is None:
            return None
        value = clean(span)
        if value is not None:
            self.provenance += span.provenance(pointer)
        return value

    def number(self, pointer: str, span: Span | None) -> float | None:
        if span is None:
            return None
        value = parse_number(span.norm)
        if value is not None and value < 0 and span.read_by_ocr:
            # Nothing these forms count is negative (amounts, rates, points): a minus a
            # recogniser read before the digits is a mark beside them, a rule's sliver or a
            # seal's stroke.
            value = -value
        if value is not None:
            self.provenance += span.provenance(pointer)
        return value

    def value(self, pointer: str, value: object, span: Span) -> object:
        self.provenance += span.provenance(pointer)
        return value


def _levels_from_name(out: _Out, p: str, name: Span, vocab: Vocabulary) -> tuple[str | None, str | None]:
    """Neither level printed: the 二级 the name's words say and its template 一级, each traced
    to the name with the method ``+level-from-name``."""
    level2 = vocab.level2_from_name(normalize(name.text))
    if level2 is None:
        return None, None
    for path in (f"{p}/level1", f"{p}/level2"):
        out.provenance += [
            q.model_copy(update={"method": q.method + "+level-from-name"}) for q in name.provenance(path)
        ]
    return vocab.parent_level1(level2), level2


def build_form(state: FormState, vocab: Vocabulary, grade_in_text: re.Pattern[str]) -> MappedForm:
    out = _Out()
    scalars = {name: out.value(f"/{name}", value, span) for name, (value, span) in state.scalars.items()}
    long_texts = {name: out.text(f"/{name}", join(spans)) for name, spans in state.long_texts.items()}

    rows = []
    for n, spans in enumerate(state.fund_rows):
        item_span = spans.get("item", Span()).strip(_ITEM_LEAD).strip(_ITEM_TAIL)
        item = _UNIT_NOTE.sub("", normalize(item_span.text)).strip(_ITEM_LEAD).rstrip(_ITEM_TAIL)
        if item and item_span.read_by_ocr:
            item = vocab.misread_of(item, "fund_items") or item
        if item:
            out.provenance += item_span.provenance(f"/funds/rows/{n}/item")
        numbers = {k: out.number(f"/funds/rows/{n}/{k}", spans.get(k)) for k in _FUND_NUMBERS}
        reason = out.text(f"/funds/rows/{n}/deviation_reason", spans.get("deviation_reason"))
        rows.append(FundRow(item=item, **numbers, deviation_reason=reason))
    unit = out.value("/funds/unit", state.unit[0], state.unit[1]) if state.unit else None

    goals = Goals(
        expected=out.text("/goals/expected", join(state.goals["expected"])) if state.goals["expected"] else None,
        actual=out.text("/goals/actual", join(state.goals["actual"])) if state.goals["actual"] else None,
    )

    indicators = []
    for n, spans in enumerate(state.indicators):
        p = f"/indicators/{n}"
        level1_text = out.text(f"{p}/level1", spans.get("level1"))
        level2_text = out.text(f"{p}/level2", spans.get("level2"))
        if level1_text and spans.get("level1") is spans.get("level2"):
            # A merged 一级/二级 cell names the 二级 indicator; its 一级 is the vocabulary's parent.
            level2 = vocab.canonical_level2(level1_text, None) or level1_text
            level1 = vocab.parent_level1(level2) or vocab.canonical_level1(level1_text) or level1_text
        else:
            level1 = vocab.canonical_level1(level1_text) or level1_text if level1_text else None
            level2 = vocab.canonical_level2(level2_text, level1) or level2_text if level2_text else None
            if level1 is None and level2 is not None and (parent := vocab.parent_level1(level2)) is not None:
                # No 一级 printed (or printed apart from its rows, where a dump lost it): the
                # template's parent of the printed 二级, traced to that 二级 (method says so).
                level1 = parent
                out.provenance += [
                    p_.model_copy(update={"method": p_.method + "+level-template"})
                    for p_ in spans["level2"].provenance(f"{p}/level1")
                ]
            elif level1 is None and level2 is None and spans.get("name") is not None:
                level1, level2 = _levels_from_name(out, p, spans["name"], vocab)
        target, actual = _own_percent_signs(
            out.text(f"{p}/target", spans.get("target")),
            out.text(f"{p}/actual", spans.get("actual")),
            [spans.get(role) for role in ("target", "actual")],
        )
        target = _stock_value(target, spans.get("target"), vocab)
        actual = _stock_value(actual, spans.get("actual"), vocab)
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                name=out.text(f"{p}/name", spans.get("name")),
                target=target,
                actual=actual,
                weight=out.number(f"{p}/weight", spans.get("weight")),
                score=out.number(f"{p}/score", spans.get("score")),
                deviation_reason=out.text(f"{p}/deviation_reason", spans.get("deviation_reason")),
            )
        )

    rubric = []
    for n, spans in enumerate(state.rubric):
        p = f"/rubric/{n}"
        rubric.append(
            RubricRow(
                level1=out.text(f"{p}/level1", spans.get("level1")),
                level2=out.text(f"{p}/level2", spans.get("level2")),
                name=out.text(f"{p}/name", spans.get("name")),
                weight=out.number(f"{p}/weight", spans.get("weight")),
                description=out.text(f"{p}/description", spans.get("description")),
                criteria=out.text(f"{p}/criteria", spans.get("criteria")),
                score=out.number(f"{p}/score", spans.get("score")),
            )
        )

    conclusion = long_texts.get("conclusion")
    grade = scalars.get("grade")
    if grade is None and conclusion is not None:
        # No 自评等次 cell: the conclusion's own sentence (自评等次为优) states it.
        found = join(state.long_texts["conclusion"]).search(grade_in_text, 1)
        if found is not None:
            grade = out.text("/grade", found)

    def num(name: str) -> float | None:
        v = scalars.get(name)
        return float(v) if isinstance(v, (int, float)) else None

    year = scalars.get("year")
    form = Form(
        title=_str(scalars.get("title")),
        year=year if isinstance(year, int) else None,
        project_name=_str(scalars.get("project_name")),
        department=_str(scalars.get("department")),
        implementer=_str(scalars.get("implementer")),
        fill_date=_str(scalars.get("fill_date")),
        contact=_str(scalars.get("contact")),
        funds=Funds(unit=_str(unit), rows=rows),
        goals=goals,
        indicators=indicators,
        total_weight=num("total_weight"),
        total_score=num("total_score"),
        grade=_str(grade),
        conclusion=conclusion,
        rubric=rubric,
    )
    evidence = FormEvidence(
        provenance=out.provenance,
        pages=sorted(p + 1 for p in state.pages),
        unmapped=[u for label, value in state.unmapped if (u := _unmapped(label, value)) is not None],
    )
    return MappedForm(form=form, evidence=evidence)


def _unmapped(label: Span, value: Span) -> Unmapped | None:
    """An unmapped pair as evidence: the label without its colon, the value, where they lie."""
    where = [*label.provenance(""), *value.provenance("")]
    if not where:
        return None
    page = where[0].page
    boxes = [Box(*p.box) for p in where if p.page == page]
    box = boxes[0]
    for b in boxes[1:]:
        box = box.union(b)
    text = normalize(label.text).rstrip(":")
    cells = list(dict.fromkeys(ref for p in where if p.cell for ref in p.cell.split(", ")))
    return Unmapped(
        label=text, value=clean(value), page=page, box=box.as_list(), cell=", ".join(cells) if cells else None
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
