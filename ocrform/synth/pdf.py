"""Render canonical form JSON into a bordered-table PDF with an embedded CJK font.

Every non-null field is printed inside a bordered cell next to or under its label (or on a
labelled line above/below the table), so the parser can read it back; null fields leave
their cell blank or their row out. Text goes in through one embedded TrueType font
(Droid Sans Fallback from the PyMuPDF wheel) as an Identity-H Type0 font with a ToUnicode
CMap, so the text layer extracts and glyph ids equal the font's glyph indices.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pymupdf

from ocrform.canonical import Form
from ocrform.resources import model_json
from ocrform.synth.layout import Block, Canvas, Geometry, PageBreak, Para, RectOp, Table, TextOp, cjk_font, lay_out
from ocrform.synth.style import Style
from ocrform.text import normalize

_FULLWIDTH = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", "=": "＝"})
FORM_GAP = 28.0  # space between two forms sharing a page


# -- value formatting ------------------------------------------------------------------------------
def short_number(value: float) -> str:
    """Shortest plain decimal that reads back as exactly `value`: 10, 2.5, 94.85."""
    for digits in range(7):
        text = f"{value:.{digits}f}"
        if float(text) == value:
            return text
    return repr(value)


def _group(text: str) -> str:
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{frac}"


def _fixed(value: float, decimals: int | None) -> str:
    if decimals is not None:
        text = f"{value:.{decimals}f}"
        if float(text) == value:
            return text
    return short_number(value)


class Printer:
    """The style's way of printing numbers, dates and free text."""

    def __init__(self, style: Style, unit: str | None) -> None:
        self.style = style
        self.unit = unit

    def text(self, value: str | None) -> str:
        if value is None:
            return ""
        return value.translate(_FULLWIDTH) if self.style.fullwidth_punct else value

    def money(self, value: float | None) -> str:
        if value is None:
            return self.style.null_mark
        if value == 0:
            text = "0"
        else:
            text = _fixed(value, self.style.money_decimals)
            if self.style.thousands:
                text = _group(text)
        if self.style.amount_suffix and self.unit:
            text += self.style.label("unit_suffix").format(unit=self.unit)
        return text

    def score(self, value: float | None) -> str:
        if value is None:
            return self.style.null_mark
        return _fixed(value, self.style.score_decimals)

    def rate(self, value: float | None) -> str:
        if value is None:
            return self.style.null_mark
        text = _fixed(value, 2)
        return text + self.style.label("percent") if self.style.percent_sign else text

    def date(self, value: str | None) -> str:
        if value is None:
            return ""
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return self.style.date_format.format(y=day.year, m=day.month, d=day.day)


# -- column geometry -------------------------------------------------------------------------------
# Fund columns share two width classes: amounts and the narrow 分值/执行率/得分.
_WIDTH_CLASS = {
    "initial_budget": "fund_amount",
    "annual_budget": "fund_amount",
    "executed": "fund_amount",
    "weight_fund": "fund_small",
    "execution_rate": "fund_small",
    "score_fund": "fund_small",
}


def columns(style: Style, keys: Sequence[str], width: float) -> dict[str, tuple[float, float]]:
    """x extents of the named columns, scaled so they fill the table width."""
    weights = [style.widths[_WIDTH_CLASS.get(k, k)] for k in keys]
    scale = width / sum(weights)
    out: dict[str, tuple[float, float]] = {}
    x = 0.0
    for key, w in zip(keys, weights, strict=True):
        out[key] = (x, x + w * scale)
        x += w * scale
    return out


def _fund_keys(style: Style) -> list[str]:
    """Fund column keys; 分值/得分 get their own names so they do not clash with the indicator columns."""
    return [f"{k}_fund" if k in ("weight", "score") else k for k in style.fund_columns]


def _indicator_columns(style: Style, form: Form) -> list[str]:
    show_scores = (
        style.indicator_scores
        or form.total_weight is not None
        or any(i.weight is not None or i.score is not None for i in form.indicators)
    )
    show_dev = style.deviation_column or any(i.deviation_reason for i in form.indicators)
    keep = {"level1", "level2", "name", "target", "actual"}
    if show_scores:
        keep |= {"weight", "score"}
    if show_dev:
        keep.add("deviation")
    return [k for k in style.indicator_columns if k in keep]


def _runs(values: Sequence[str | None]) -> list[tuple[int, int]]:
    """[start, end) ranges of equal consecutive values."""
    runs: list[tuple[int, int]] = []
    start = 0
    for n in range(1, len(values) + 1):
        if n == len(values) or values[n] != values[start]:
            runs.append((start, n))
            start = n
    return runs


class FormBuilder:
    """Turns one form into paragraphs and one bordered table in the style's layout family."""

    def __init__(self, form: Form, style: Style, geom: Geometry) -> None:
        self.form = form
        self.style = style
        self.geom = geom
        self.p = Printer(style, form.funds.unit)
        self.fs = style.font_size
        self.width = geom.content_width
        self.table = Table(x=geom.left, width=self.width, pad=style.padding, spacing=style.line_spacing)

    def L(self, key: str) -> str:
        return self.style.label(key)

    def build(self) -> list[Block]:
        family: dict[str, Callable[[], list[Block]]] = {
            "guizhou": self._standard,
            "shanghai": self._standard,
            "hunan": self._hunan,
            "hunan_report": self._hunan_report,
        }
        return family[self.style.family]()

    # -- shared pieces ---------------------------------------------------------------------------
    def _heading(self) -> list[Block]:
        f = self.form
        blocks: list[Block] = []
        if f.title:
            blocks.append(Para(self.p.text(f.title), self.style.title_size, "c", space_after=4))
        if f.year is not None:
            blocks.append(Para(self.L("year").format(year=f.year), self.fs + 1.5, "c", space_after=6))
        return blocks

    def _label(self, r: int, x: tuple[float, float], text: str, rowspan: int = 1, **kw: Any) -> None:
        """A tall label cell, printed down one character per line when the style does that."""
        vertical = self.style.vertical_labels and "\n" not in text and len(text) > 2
        self.table.add(r, *x, text, self.fs, rowspan=rowspan, vertical=vertical, label=True, **kw)

    def _pair_rows(self, pairs: list[tuple[str, str]]) -> None:
        """Label/value rows: one pair fills the row, two pairs share it."""
        t, w = self.table, self.width
        hl = self.style.widths["head_label"] * w
        for start in range(0, len(pairs), 2):
            chunk = pairs[start : start + 2]
            r = t.add_row()
            span = (w - hl * len(chunk)) / len(chunk)
            x = 0.0
            for label, value in chunk:
                t.add(r, x, x + hl, label, self.fs, label=True)
                t.add(r, x + hl, x + hl + span, value, self.fs, align="l")
                x += hl + span

    def _item_text(self, item: str) -> str:
        text = self.p.text(item)
        words = [w for w in self.L("sub_item_words").split("|") if w]
        if any(w in item for w in words):
            prefix = self.L("sub_item_prefix")
            if self.style.family == "shanghai" and ":" in item:
                head, _, tail = text.partition("：" if self.style.fullwidth_punct else ":")
                return f"{head}{'：' if self.style.fullwidth_punct else ':'}\n{prefix}{tail}"
            text = prefix + text
        return self.L("fund_item").format(item=text)

    def _funds(self, label_x: tuple[float, float] | None, cols: dict[str, tuple[float, float]]) -> None:
        """Header row plus one row per fund item; `label_x` is the tall 项目资金 cell, if any."""
        f, t, st = self.form, self.table, self.style
        rows = f.funds.rows
        header = t.add_row(keep_with_next=True)
        if label_x is not None:
            unit = f.funds.unit
            text = self.L("funds").format(unit=unit) if unit else self.L("funds_nounit")
            t.add(header, *label_x, text, self.fs, rowspan=len(rows) + 1, label=True)
        source = self.L("fund_source").format(unit=f.funds.unit or "") if f.funds.unit else self.L("fund_source_nounit")
        t.add(header, *cols["fund_item"], source, self.fs, label=True)
        names = {"weight": "fund_weight", "score": "fund_score"}
        fund_x = dict(zip(st.fund_columns, [cols[k] for k in _fund_keys(st)], strict=True))
        for key in st.fund_columns:
            t.add(header, *fund_x[key], self.L(names.get(key, key)), self.fs, label=True)
        merged = st.merged_rate and len(rows) > 1 and all(r.execution_rate is None for r in rows[1:])
        for n, row in enumerate(rows):
            r = t.add_row()
            t.add(r, *cols["fund_item"], self._item_text(row.item), self.fs, align="l")
            for key in st.fund_columns:
                value = getattr(row, key)
                if key == "execution_rate":
                    if merged and n > 0:
                        continue
                    t.add(r, *fund_x[key], self.p.rate(value), self.fs, nowrap=True, rowspan=len(rows) if merged else 1)
                elif key in ("weight", "score"):
                    t.add(r, *fund_x[key], self.p.score(value), self.fs, nowrap=True)
                else:
                    t.add(
                        r, *fund_x[key], self.p.money(value), self.fs, nowrap=True, align="r" if st.thousands else "c"
                    )

    def _goals(self, label_x: tuple[float, float]) -> None:
        f, t = self.form, self.table
        half = (self.width - label_x[1]) / 2
        left = (label_x[1], label_x[1] + half)
        right = (left[1], self.width)
        head = t.add_row(keep_with_next=True)
        self._label(head, label_x, self.L("goals"), rowspan=2)
        t.add(head, *left, self.L("expected"), self.fs, label=True)
        t.add(head, *right, self.L("goals_actual"), self.fs, label=True)
        body = t.add_row()
        size = self.style.text_size
        t.add(body, *left, self.p.text(f.goals.expected), size, align="l", flow=True)
        t.add(body, *right, self.p.text(f.goals.actual), size, align="l", flow=True)

    def _level1_text(self, start: int, end: int) -> str:
        inds = self.form.indicators[start:end]
        name = self.p.text(inds[0].level1)
        weights = [i.weight for i in inds]
        if self.style.level1_weight and name and all(w is not None for w in weights):
            total = short_number(round(sum(w for w in weights if w is not None), 6))
            return self.L("level1_weight").format(name=name, weight=total)
        return name

    def _indicators(self, label_x: tuple[float, float], cols: dict[str, tuple[float, float]], extra_rows: int) -> int:
        """Header plus one row per indicator; the tall label also covers `extra_rows` rows below."""
        f, t = self.form, self.table
        inds = f.indicators
        header = t.add_row(keep_with_next=True)
        self._label(header, label_x, self.L("indicators"), rowspan=1 + len(inds) + extra_rows)
        for key, x in cols.items():
            t.add(header, *x, self.L(key), self.fs, label=True)
        first = header + 1
        rows = [t.add_row(header=header) for _ in inds]
        size = self.style.text_size
        level1 = [i.level1 for i in inds]
        for start, end in _runs(level1):
            t.add(first + start, *cols["level1"], self._level1_text(start, end), self.fs, rowspan=end - start)
            level2 = [i.level2 for i in inds[start:end]]
            for s2, e2 in _runs(level2):
                t.add(first + start + s2, *cols["level2"], self.p.text(level2[s2]), self.fs, rowspan=e2 - s2)
        for n, ind in enumerate(inds):
            r = rows[n]
            values = {
                "name": (self.p.text(ind.name), {"size": self.fs}),
                "target": (self.p.text(ind.target), {"size": self.fs}),
                "actual": (self.p.text(ind.actual), {"size": self.fs}),
                "weight": (self.p.score(ind.weight), {"size": self.fs, "nowrap": True}),
                "score": (self.p.score(ind.score), {"size": self.fs, "nowrap": True}),
                "deviation": (self.p.text(ind.deviation_reason), {"size": size, "align": "l"}),
            }
            for key, (text, kw) in values.items():
                if key in cols:
                    t.add(r, *cols[key], text, **kw)  # type: ignore[arg-type]
        return header

    def _total_row(self, cols: dict[str, tuple[float, float]], start_x: float, header: int) -> None:
        f, t = self.form, self.table
        if "weight" not in cols or (f.total_weight is None and f.total_score is None):
            return
        r = t.add_row(header=header)
        tail = [k for k in cols if k not in ("level1", "level2", "name", "target", "actual")]
        t.add(r, start_x, cols[tail[0]][0], self.L("total"), self.fs, label=True)
        for key in tail:
            text = {"weight": self.p.score(f.total_weight), "score": self.p.score(f.total_score)}.get(key, "")
            t.add(r, *cols[key], text, self.fs, nowrap=key != "deviation")

    def _grade_needs_row(self) -> bool:
        f = self.form
        if f.grade is None:
            return False
        template = self.L("grade_in_text")
        return not (template and f.conclusion and normalize(template.format(grade=f.grade)) in normalize(f.conclusion))

    def _closing(self, label_x: tuple[float, float]) -> None:
        """自评等次 and 自评结论 rows, each a label and one wide value cell."""
        f, t = self.form, self.table
        value_x = (label_x[1], self.width)
        if self._grade_needs_row():
            r = t.add_row()
            t.add(r, *label_x, self.L("grade"), self.fs, label=True)
            t.add(r, *value_x, self.p.text(f.grade), self.fs, align="l")
        if f.conclusion is not None:
            r = t.add_row()
            self._label(r, label_x, self.L("conclusion"))
            t.add(r, *value_x, self.p.text(f.conclusion), self.style.text_size, align="l", flow=True)

    # -- families --------------------------------------------------------------------------------
    def _standard(self) -> list[Block]:
        """Guizhou (seed 000) and Shanghai (seed 001): one table, tall vertical section labels."""
        f, st, w = self.form, self.style, self.width
        blocks = self._heading()
        date = self.p.date(f.fill_date)
        if st.family == "guizhou":
            right = self.L("fill_date") + date if date else ""
            blocks.append(Para(self.L("stamp") + self.p.text(f.implementer), self.fs, "l", right=right, space_after=3))
        elif date:
            blocks.append(Para(self.L("fill_date") + date, self.fs, "r", space_after=3))
        if self.style.labels.get("unit_line") and f.funds.unit and f.funds.rows:
            blocks.append(Para(self.L("unit_line").format(unit=f.funds.unit), self.fs, "r", space_after=2))
        self._pair_rows([(self.L("project_name"), self.p.text(f.project_name))])
        self._pair_rows(
            [(self.L("department"), self.p.text(f.department)), (self.L("implementer"), self.p.text(f.implementer))]
        )
        if f.funds.rows:
            cols = columns(st, ["fund_label", "fund_item", *_fund_keys(st)], w)
            self._funds(cols.pop("fund_label"), {"fund_item": cols.pop("fund_item"), **cols})
        ind_keys = _indicator_columns(st, f)
        cols = columns(st, ["label", *ind_keys], w)
        label_x = cols.pop("label")
        self._goals(label_x)
        header = self._indicators(label_x, cols, 0)
        self._total_row(cols, 0.0, header)
        self._closing(label_x)
        blocks.append(self.table)
        if f.contact:
            blocks.append(Para(self.L("contact") + self.p.text(f.contact), self.fs, "l", space_before=4))
        return blocks

    def _hunan(self) -> list[Block]:
        """After seeds 003/004: numbered sections, 项目负责人 and 报告日期 in the table, 万元 amounts."""
        f, st, t, w = self.form, self.style, self.table, self.width
        blocks = self._heading()

        def section(text: str) -> None:
            r = t.add_row(keep_with_next=True)
            t.add(r, 0.0, w, text, self.fs, align="l", label=True)

        section(self.L("section_basic"))
        self._pair_rows([(self.L("project_name"), self.p.text(f.project_name))])
        self._pair_rows(
            [(self.L("implementer"), self.p.text(f.implementer)), (self.L("department"), self.p.text(f.department))]
        )
        self._pair_rows([(self.L("contact"), self.p.text(f.contact)), (self.L("fill_date"), self.p.date(f.fill_date))])
        if f.funds.rows:
            unit = f.funds.unit
            section(self.L("section_funds").format(unit=unit) if unit else self.L("section_funds_nounit"))
            cols = columns(st, ["fund_item", *_fund_keys(st)], w)
            self._funds(None, cols)
        section(self.L("section_perf"))
        ind_keys = _indicator_columns(st, f)
        cols = columns(st, ["label", *ind_keys], w)
        label_x = cols.pop("label")
        self._goals(label_x)
        has_total = "weight" in cols and (f.total_weight is not None or f.total_score is not None)
        header = self._indicators(label_x, cols, 1 if has_total else 0)
        self._total_row(cols, label_x[1], header)
        value_x = (label_x[1], w)
        if f.total_score is not None:
            r = t.add_row()
            t.add(r, *label_x, self.L("total_score"), self.fs, label=True)
            t.add(r, *value_x, self.p.score(f.total_score), self.fs, align="l")
        self._closing(label_x)
        blocks.append(t)
        return blocks

    def _hunan_report(self) -> list[Block]:
        """After seed 003 (a Hunan 2021 evaluation report): a cover page of labelled lines, then
        one table of numbered sections (the funds as label/value pairs across, one row per
        source), and the report's text with its conclusion under （四）."""
        f, st, t, w = self.form, self.style, self.table, self.width
        size = self.fs + 1.5
        blocks: list[Block] = self._heading()
        cover = [
            (self.L("evaluation_type"), ""),
            (self.L("project_name"), self.p.text(f.project_name)),
            (self.L("implementer"), self.p.text(f.implementer)),
            (self.L("department"), self.p.text(f.department)),
            (self.L("evaluation_way"), ""),
            (self.L("evaluator"), ""),
            (self.L("fill_date"), self.p.date(f.fill_date)),
        ]
        blocks += [Para(label + value, size, "l", space_after=8) for label, value in cover]
        blocks += [Para(self.L("maker"), size, "c", space_before=20), PageBreak()]

        def section(text: str) -> None:
            r = t.add_row(keep_with_next=True)
            t.add(r, 0.0, w, text, self.fs, align="l", label=True)

        section(self.L("section_basic"))
        self._pair_rows([(self.L("contact"), self.p.text(f.contact)), (self.L("phone"), self.L("phone_value"))])
        self._pair_rows([(self.L("address"), self.L("address_value")), (self.L("postcode"), self.L("postcode_value"))])
        if f.funds.rows:
            self._fund_pairs(report_funds(f))
        section(self.L("section_detail"))
        detail = columns(st, ["detail_item", "detail_amount", "detail_voucher", "detail_note"], w)
        head, row = t.add_row(), t.add_row()
        for n, key in enumerate(detail):
            t.add(head, *detail[key], self.L(key), self.fs, label=True)
            t.add(row, *detail[key], [self.L("detail_value"), "", "", ""][n], self.fs)
        section(self.L("section_perf"))
        cols = columns(st, ["label", "level1", "level2", "name", "target", "actual"], w)
        label_x = cols.pop("label")
        self._goals(label_x)
        self._indicators(label_x, cols, 0)
        value_x = (label_x[1], w)
        for key, value in (("total_score", self.p.score(f.total_score)), ("grade", self.p.text(f.grade))):
            r = t.add_row()
            t.add(r, *label_x, self.L(key), self.fs, label=True)
            t.add(r, *value_x, value, self.fs, align="l")
        blocks.append(t)
        text_size = self.style.text_size
        blocks += [
            Para(self.L("section_report"), size, "l", space_before=10),
            Para(self.L("report_basic"), self.fs, "l"),
            Para(self.L("report_filler"), text_size, "l"),
            Para(self.L("report_conclusion"), self.fs, "l"),
        ]
        if f.conclusion:
            blocks.append(Para(self.p.text(f.conclusion), text_size, "l"))
        blocks += [Para(self.L("report_next"), self.fs, "l"), Para(self.L("report_filler"), text_size, "l")]
        return blocks + self._rubric()

    def _rubric(self) -> list[Block]:
        """The scoring table a Hunan report appends (附件3-2 项目支出绩效评价指标体系): 一级, 二级
        and 三级 indicators each with its 分值 (a merged level's the sum of its rows'), what is
        scored and how, the score given, and the 总分 row."""
        rows = rubric_rows(self.form)
        if not rows:
            return []
        st, w, fs = self.style, self.width, self.fs
        t = Table(x=self.geom.left, width=w, pad=st.padding, spacing=st.line_spacing)
        keys = ["r_level1", "r_level1_weight", "r_level2", "r_level2_weight", "r_name", "r_weight"]
        keys += ["r_description", "r_criteria", "r_score"]
        cols = columns(st, keys, w)
        head = t.add_row(keep_with_next=True)
        for key in keys:
            t.add(head, *cols[key], self.L(key), fs, label=True)
        first = len(t.rows)
        for row in rows:
            r = t.add_row(header=head)
            t.add(r, *cols["r_name"], row["name"], fs, label=True)
            t.add(r, *cols["r_weight"], self.p.score(row["weight"]), fs)
            t.add(r, *cols["r_description"], row["description"] or "", fs, align="l")
            t.add(r, *cols["r_criteria"], row["criteria"] or "", fs, align="l")
            t.add(r, *cols["r_score"], self.p.score(row["score"]), fs)
        for level in ("level1", "level2"):
            for a, b in _runs([r[level] for r in rows]):
                total = sum(r["weight"] or 0.0 for r in rows[a:b])
                t.add(first + a, *cols[f"r_{level}"], rows[a][level], fs, rowspan=b - a, label=True)
                t.add(first + a, *cols[f"r_{level}_weight"], self.p.score(total), fs, rowspan=b - a)
        r = t.add_row()
        weight = sum(row["weight"] or 0.0 for row in rows)
        totals = {key: self.p.score(weight) for key in ("r_level1_weight", "r_level2_weight", "r_weight")}
        totals["r_score"] = self.p.score(sum(row["score"] or 0.0 for row in rows))
        t.add(r, *cols["r_level1"], self.L("r_total"), fs, label=True)
        for key in keys[1:]:
            t.add(r, *cols[key], totals.get(key, ""), fs)  # every cell drawn, the blank ones too
        return [Para(self.L("annex"), fs, "l", space_before=10), Para(self.L("rubric_title"), fs + 1.5, "c"), t]

    def _fund_pairs(self, rows: list[dict[str, Any]]) -> None:
        """Four label/value pairs across, then one row per source with its four amounts."""
        t, w, unit = self.table, self.width, self.form.funds.unit
        keys = ("annual_budget", "received", "executed", "balance")
        pair = w / len(keys)
        labels = [self.L(f"pair_{k}").format(unit=unit or "") if unit else self.L(f"pair_{k}_nounit") for k in keys]
        for n, row in enumerate(rows):
            r = t.add_row(keep_with_next=n == 0)
            for k, key in enumerate(keys):
                x = k * pair
                label = labels[k] if n == 0 else self.p.text(row["item"])
                t.add(r, x, x + pair * 0.55, label, self.fs, label=True)
                t.add(r, x + pair * 0.55, x + pair, self.p.money(row[key]), self.fs, nowrap=True)


def rubric_rows(form: Form) -> list[dict[str, Any]]:
    """The scoring rows a Hunan report prints: the form's own, else seed 003's (the template
    of models/synth_vocab.json)."""
    if form.rubric:
        return [r.model_dump(mode="json") for r in form.rubric]
    return list(model_json("synth_vocab.json")["rubric_template"])


def report_funds(form: Form) -> list[dict[str, Any]]:
    """The fund rows a Hunan report prints for ``form``: 计划安排资金 (its total budget), what
    came in, what was spent and what is left, then the same by source, all of it from the
    city (市财政) as in seed 003."""
    if not form.funds.rows:
        return []
    total = form.funds.rows[0]
    budget = total.annual_budget if total.annual_budget is not None else total.initial_budget
    spent = total.executed
    left = round(budget - spent, 2) if budget is not None and spent is not None else None
    amounts = {"annual_budget": budget, "received": budget, "executed": spent, "balance": left}
    blank = dict.fromkeys(amounts)
    sources = ["其中：中央财政", "省财政", "市财政", "县市区财政", "其它"]
    return [
        {"item": "计划安排资金", **amounts},
        *({"item": s, **(amounts if s == "市财政" else blank)} for s in sources),
    ]


# What only a Hunan report prints: the funds' 实际到位/结余 columns and the scoring table.
REPORT_ONLY_FUNDS = ("received", "balance")


def _form_family_truth(form: dict[str, Any]) -> dict[str, Any]:
    """A form family's page (gold forms come from every province): no rubric, and no fund
    column none of its tables has."""
    rows = form.get("funds", {}).get("rows", [])
    if not form.get("rubric") and not any(row.get(k) is not None for row in rows for k in REPORT_ONLY_FUNDS):
        return form
    out = copy.deepcopy(form)
    out["rubric"] = []
    for row in out["funds"]["rows"]:
        row.update(dict.fromkeys((k for k in REPORT_ONLY_FUNDS if k in row), None))
    return out


def layout_truth(form: dict[str, Any], style: Style) -> dict[str, Any]:
    """The form as ``style`` prints it: what a reader of the document can know. The generator's
    own families print every field but the scoring table (rubric); a Hunan report prints its
    funds as report_funds gives them, no weights, scores or reasons per indicator, and its
    scoring table (rubric_rows), whose 总分 is the total weight."""
    if style.family != "hunan_report":
        return _form_family_truth(form)
    parsed = Form.model_validate(form)
    out = parsed.model_dump(mode="json")
    rows = []
    for row in report_funds(parsed):
        item = normalize(row["item"]).replace("：", ":")
        rows.append(
            {
                "item": item,
                "initial_budget": None,
                "weight": None,
                "execution_rate": None,
                "score": None,
                "deviation_reason": None,
                **{k: v for k, v in row.items() if k != "item"},
            }
        )
    out["funds"]["rows"] = rows
    for ind in out["indicators"]:
        ind.update(weight=None, score=None, deviation_reason=None)
    # The indicators print no 分值; the scoring table's 总分 row gives the total weight.
    out["rubric"] = rubric_rows(parsed)
    if out["rubric"]:
        out["total_weight"] = sum(r["weight"] or 0.0 for r in out["rubric"])
        if out["total_score"] is None:  # 绩效自评综合得分 blank: the table's 总分 is the score
            out["total_score"] = sum(r["score"] or 0.0 for r in out["rubric"])
    else:
        out["total_weight"] = None
    return out


def page_geometry(style: Style) -> Geometry:
    width, height = style.page_size
    left, top, right, bottom = style.margins
    return Geometry(width, height, left, top, right, bottom)


def layout_forms(forms: Sequence[Form], style: Style) -> list[list[TextOp | RectOp]]:
    """Drawing operations per page for the forms in order."""
    geom = page_geometry(style)
    canvas = Canvas(geom, style.repeat_header)
    for n, form in enumerate(forms):
        blocks = FormBuilder(form, style, geom).build()
        if n > 0:
            if style.forms_flow and _fits(blocks, canvas, geom, style):
                canvas.y += FORM_GAP
            else:
                canvas.new_page()
        lay_out(blocks, canvas)
    return canvas.pages


# Page heights tried for a sparse last page, points: A4 down to a short slip, in steps.
SPARSE_HEIGHTS = range(842, 420, -3)


def sparse_last_page(forms: Sequence[Form | dict[str, Any]], style: Style, max_rows: int = 3) -> Style | None:
    """The style at the tallest page height (A4 and down) whose layout of ``forms`` runs
    over two or more pages and leaves the last one holding 1..``max_rows`` table rows: the
    near-empty last page a scanner may turn sideways. None when no height does."""
    parsed = [f if isinstance(f, Form) else Form.model_validate(f) for f in forms]
    for height in SPARSE_HEIGHTS:
        trial = dataclasses.replace(style, page_size=(style.page_size[0], float(height)))
        pages = layout_forms(parsed, trial)
        rows = {round(op.rect[1], 1) for op in pages[-1] if isinstance(op, RectOp)}
        if len(pages) >= 2 and 1 <= len(rows) <= max_rows:
            return trial
    return None


def _fits(blocks: list[Block], canvas: Canvas, geom: Geometry, style: Style) -> bool:
    trial = Canvas(geom, style.repeat_header)
    trial.y = canvas.y + FORM_GAP
    lay_out(copy.deepcopy(blocks), trial)
    return len(trial.pages) == 1


def render_forms_pdf(forms: list[dict[str, Any]], path: Path, style: Style) -> list[dict[str, Any]]:
    """Write the forms (canonical schema dicts) into one PDF at `path`, each in `style`, and
    return them as the PDF prints them (``layout_truth``): the truth to read them back against."""
    parsed = [Form.model_validate(f) for f in forms]
    pages = layout_forms(parsed, style)
    width, height = style.page_size
    font = cjk_font()
    doc = pymupdf.open()
    for ops in pages:
        page = doc.new_page(width=width, height=height)
        shape = page.new_shape()
        writer = pymupdf.TextWriter(page.rect)
        for op in ops:
            if isinstance(op, RectOp):
                shape.draw_rect(pymupdf.Rect(*op.rect))
            else:
                writer.append((op.x, op.baseline), op.text, font=font, fontsize=op.size)
        shape.finish(width=style.line_width, color=(0, 0, 0))
        shape.commit()
        writer.write_text(page)
    doc.subset_fonts()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path, garbage=4, deflate=True)
    doc.close()
    return [layout_truth(f, style) for f in forms]
