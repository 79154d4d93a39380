"""Cells and free words → canonical forms: labels, numbers, and the mapping's page-spanning rules."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from pathlib import Path

import opencc
import pytest

from ocrform.document import load_document
from ocrform.evaluate import field_differences
from ocrform.form.labels import label_key, vocabulary
from ocrform.form.mapping import map_cells_to_form
from ocrform.form.numbers import number_unit, parse_date, parse_number, parse_year, percent_read_as_96, stated_unit
from ocrform.form.spans import Span, join
from ocrform.grid import fill_cells, find_tables
from ocrform.model import Box, Cell, Page, PageContent, Table, Word
from ocrform.synth import STYLES, render_forms_pdf
from ocrform.text import normalize

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"


# -- labels ------------------------------------------------------------------------------------
def test_label_key_keeps_only_the_identifying_characters() -> None:
    assert label_key("全年执行数（B）") == "全年执行数"
    assert label_key("项目资金\n（万元）") == "项目资金"
    assert label_key("二、项目资金情况（单位：元）") == "项目资金情况"
    assert label_key("總　分") == "总分"
    assert label_key("绩\n效\n指\n标") == "绩效指标"


@pytest.mark.parametrize(
    ("printed", "group", "role"),
    [
        ("项目名称", "fields", "project_name"),
        ("項目名稱", "fields", "project_name"),  # traditional print
        ("主管部门及代玛", "fields", "department"),  # one OCR-grade slip in a long label
        ("填报日朗", "fields", "fill_date"),
        ("年度指标值(A)", "indicator_columns", "target"),
        ("指标（目标）值", "indicator_columns", "target"),
        ("偏差原因分析及改迸措施", "indicator_columns", "deviation_reason"),
        ("全年预算数（A）", "fund_columns", "annual_budget"),
        ("资 金 来 源", "fund_columns", "item"),
        ("总         分", "sections", "total"),
        ("项目资金\n（元）", "sections", "funds"),
    ],
)
def test_labels_match_their_role(printed: str, group: str, role: str) -> None:
    m = vocabulary().match(printed, group)
    assert m is not None and m.role == role


def test_short_labels_must_match_exactly_and_values_never_match() -> None:
    vocab = vocabulary()
    assert vocab.match("分值", "fund_columns").role == "weight"  # type: ignore[union-attr]
    assert vocab.match("得分", "fund_columns").role == "score"  # type: ignore[union-attr]
    assert vocab.match("分直", "fund_columns") is None
    assert vocab.match("六盘水市电子政务办公室", "fields") is None
    assert vocab.match("按照《国务院办公厅关于促进电子政务协调发展的指导意见》要求", "fields") is None


def test_label_before_colon_finds_the_label_after_a_value() -> None:
    start, m = vocabulary().label_before_colon("六盘水市电子政务办公室填报日期", "fields")  # type: ignore[misc]
    assert m.role == "fill_date" and start == len("六盘水市电子政务办公室")


@pytest.mark.parametrize(
    ("printed", "level1", "canonical"),
    [
        ("产出指标\n(50分)", None, "产出指标"),
        ("项目效益指标", None, "效益指标"),
        ("满意度指标（10分）", None, "满意度指标"),
    ],
)
def test_level1_names_are_canonical(printed: str, level1: str | None, canonical: str) -> None:
    assert vocabulary().canonical_level1(printed) == canonical


def test_level2_names_are_canonical_in_context() -> None:
    vocab = vocabulary()
    assert vocab.canonical_level2("社会效益指\n标", "效益指标") == "社会效益指标"
    assert vocab.canonical_level2("满意度指标", "满意度指标") == "服务对象满意度指标"
    assert vocab.canonical_level2("时效指標", "产出指标") == "时效指标"
    assert vocab.canonical_level2("群众获得感", "效益指标") is None


@pytest.mark.parametrize(
    ("read", "name"), [("质量翔棒", "质量指标"), ("时效排棒", "时效指标"), ("社会效益推棒", "社会效益指标")]
)
def test_level_names_with_their_tail_misread_are_canonical(read: str, name: str) -> None:
    assert vocabulary().canonical_level2(read, "产出指标") == name


def test_a_level_name_head_alone_or_a_longer_text_is_no_level_name() -> None:
    vocab = vocabulary()
    assert vocab.canonical_level2("质量", None) is None
    assert vocab.canonical_level2("质量保障措施", None) is None


# -- numbers -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("39,090,800.00", 39090800.0),
        ("104，756，332.00", 104756332.0),
        ("39.090.800.00", 39090800.0),
        ("1.000", 1.0),
        ("99.02", 99.02),
        ("99.99%", 99.99),
        ("35 万元", 35.0),
        ("0", 0.0),
        ("-", None),
        ("—", None),
        ("", None),
        ("基本完成", None),
        ("10分钟", None),
    ],
)
def test_parse_number(printed: str, value: float | None) -> None:
    assert parse_number(printed) == value


def test_dates_years_and_units() -> None:
    assert parse_date("填报日期：2023/12/25") == "2023-12-25"
    assert parse_date("2023年12月5日") == "2023-12-05"
    assert parse_date("2023-02-30") is None
    assert parse_year("(2020 年度)") == 2020
    assert parse_year("（2023年度）") == 2023
    assert stated_unit("二、项目资金情况（单位：万元）") == "万元"
    assert stated_unit("项目资金\n（元）") == "元"
    assert number_unit("35 万元") == "万元"
    assert number_unit("35") is None


# -- spans -------------------------------------------------------------------------------------
def test_a_slice_of_a_word_points_at_its_own_characters() -> None:
    text = "填报日期：2023/12/25"
    boxes = tuple(Box(100 + 6 * i, 50, 106 + 6 * i, 60) for i in range(len(text)))
    word = Word(text, Box(100, 50, 100 + 6 * len(text), 60), 2, "pdf-text", char_boxes=boxes)
    span = Span.of_words([word])
    value = span[5:]
    assert value.text == "2023/12/25"
    (prov,) = value.provenance("/fill_date")
    assert (prov.page, prov.box, prov.method) == (3, [130.0, 50.0, 190.0, 60.0], "pdf-text")
    # An OCR word has no character boxes: its box is shared out evenly.
    ocr = Word("联系人：彭睿", Box(0, 0, 60, 10), 0, "ocr:rapidocr", confidence=0.8, weakest=0.4)
    (prov,) = Span.of_words([ocr])[4:].provenance("/contact")
    assert (prov.box, prov.confidence, prov.weakest) == ([40.0, 0.0, 60.0, 10.0], 0.8, 0.4)


def test_search_finds_the_characters_behind_a_normalised_match() -> None:
    text = "等 次 为 ：优秀。"
    boxes = tuple(Box(10 * i, 0, 10 * i + 10, 10) for i in range(len(text)))
    span = Span.of_words([Word(text, Box(0, 0, 10 * len(text), 10), 0, "pdf-text", char_boxes=boxes)])
    found = span.search(re.compile(r"等次为:(优秀|优)"), 1)
    assert found is not None and found.text == "优秀"
    assert found.provenance("/grade")[0].box == [70.0, 0.0, 90.0, 10.0]
    assert span.search(re.compile("良")) is None


def test_joined_spans_report_each_page() -> None:
    a = Word("前半", Box(0, 700, 20, 710), 0, "pdf-text")
    b = Word("后半", Box(0, 50, 20, 60), 1, "ocr:rapidocr", confidence=0.7)
    provs = join([Span.of_words([a]), Span.of_words([b])]).provenance("/conclusion")
    assert [(p.page, p.method, p.confidence) for p in provs] == [(1, "pdf-text", 1.0), (2, "ocr:rapidocr", 0.7)]


# -- mapping on hand-built pages ---------------------------------------------------------------
ROW_H = 20.0


def _words(text: str, box: Box, page: int) -> list[Word]:
    lines = text.split("\n") if text else []
    out = []
    for i, line in enumerate(lines):
        h = (box.height - 4) / max(len(lines), 1)
        y0 = box.y0 + 2 + i * h
        out.append(Word(line, Box(box.x0 + 2, y0, box.x0 + 2 + 8 * len(line), y0 + h * 0.8), page, "test", 0.9))
    return out


class _Grid:
    """A table on one page, cells placed on a grid of 60-point columns and 20-point rows."""

    def __init__(self, page: int, top: float = 100.0) -> None:
        self.page, self.top, self.cells = page, top, []

    def add(self, row: int, col: int, text: str, rs: int = 1, cs: int = 1) -> _Grid:
        box = Box(40 + col * 60, self.top + row * ROW_H, 40 + (col + cs) * 60, self.top + (row + rs) * ROW_H)
        self.cells.append(Cell(row, col, box, self.page, rs, cs, _words(text, box, self.page)))
        return self

    def table(self) -> Table:
        n_rows = max(c.row + c.row_span for c in self.cells)
        n_cols = max(c.col + c.col_span for c in self.cells)
        x0, x1 = min(c.box.x0 for c in self.cells), max(c.box.x1 for c in self.cells)
        box = Box(x0, self.top, x1, self.top + ROW_H * n_rows)
        return Table(self.page, box, n_rows, n_cols, self.cells, "test")


def _set_words(table: Table, cell: Cell, words: list[Word]) -> Cell:
    """``cell`` holding ``words`` instead, put in its place in ``table`` (cells are frozen, as
    every stage's data is; a test building a page swaps the cell in the table's list)."""
    new = replace(cell, words=words)
    (at,) = [i for i, c in enumerate(table.cells) if c is cell]
    table.cells[at] = new
    return new


def _content(page: int, grids: list[_Grid], free: list[tuple[str, float]] = ()) -> PageContent:  # type: ignore[assignment]
    free_words = [Word(t, Box(200, y, 200 + 10 * len(t), y + 12), page, "test") for t, y in free]
    return PageContent(Page(page, 595, 842), [g.table() for g in grids], free_words)


INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]


def _first_page() -> PageContent:
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "数据平台运维", cs=6)
    g.add(1, 0, "项目资金\n（万元）", rs=3).add(1, 1, "资金来源").add(1, 2, "年初预算数").add(1, 3, "全年预算数")
    g.add(1, 4, "全年执行数").add(1, 5, "分值").add(1, 6, "执行率").add(1, 7, "得分")
    g.add(2, 1, "年度资金总额：").add(2, 2, "320").add(2, 3, "289.8").add(2, 4, "144.9")
    g.add(2, 5, "10").add(2, 6, "50.00%").add(2, 7, "5")
    g.add(3, 1, "------其中：财政拨款：").add(3, 2, "0").add(3, 3, "—").add(3, 4, "—")
    g.add(3, 5, "—").add(3, 6, "—").add(3, 7, "—")
    g.add(4, 0, "绩\n效\n指\n标", rs=4)
    for i, label in enumerate(INDICATOR_HEADER):
        g.add(4, 1 + i, label)
    g.add(5, 1, "产出指标\n(20分)", rs=3).add(5, 2, "数量指标", rs=2)
    g.add(5, 3, "巡检次数").add(5, 4, "≥12次").add(5, 5, "12次").add(5, 6, "10").add(5, 7, "10")
    g.add(6, 3, "故障修复率").add(6, 4, "＝100%").add(6, 5, "100%").add(6, 6, "5").add(6, 7, "5")
    g.add(7, 2, "时效指标", rs=2)
    g.add(7, 3, "响应时间").add(7, 4, "≤2小时").add(7, 5, "2小时").add(7, 6, "5").add(7, 7, "4")
    return _content(0, [g], [("项目支出绩效目标自评表", 40), ("（2023年度）", 70)])


def _second_page(
    repeat_header: bool, repeat_labels: bool = True, conclusion_label: str = "自\n评\n结\n论"
) -> PageContent:
    g = _Grid(1, top=48)
    row = 0
    if repeat_header:
        g.add(0, 0, "绩\n效\n指\n标", rs=4)
        for i, label in enumerate(INDICATOR_HEADER):
            g.add(0, 1 + i, label)
        row = 1
    else:
        g.add(0, 0, "绩\n效\n指\n标", rs=3)
    # The 产出指标 and 时效指标 cells were cut by the page break: drawn again, label repeated.
    if repeat_labels:
        g.add(row, 1, "产出指标\n(20分)").add(row, 2, "时效指标")
    else:
        g.add(row, 1, "").add(row, 2, "")
    g.add(row, 3, "报告提交及时率").add(row, 4, "100%").add(row, 5, "100%").add(row, 6, "-").add(row, 7, "-")
    g.add(row + 1, 1, "满意度指标").add(row + 1, 2, "满意度指标")
    g.add(row + 1, 3, "用户满意度").add(row + 1, 4, "≥90%").add(row + 1, 5, "95%").add(row + 1, 6, "10")
    g.add(row + 1, 7, "9.5")
    g.add(row + 2, 0, "总分", cs=6).add(row + 2, 6, "30").add(row + 2, 7, "28.5")
    g.add(row + 3, 0, conclusion_label).add(row + 3, 1, "项目按计划完成，", cs=7)
    return _content(1, [g])


def _third_page() -> PageContent:
    g = _Grid(2, top=48)
    g.add(0, 0, "自评结论").add(0, 1, "自评等次为良好。", cs=7)
    return _content(2, [g], [("联系人：李婷", 100)])


@pytest.mark.parametrize(("repeat_header", "repeat_labels"), [(False, True), (True, True), (False, False)])
def test_a_form_runs_over_three_pages(repeat_header: bool, repeat_labels: bool) -> None:
    pages = [_first_page(), _second_page(repeat_header, repeat_labels), _third_page()]
    (mapped,) = map_cells_to_form(pages)
    f = mapped.form
    assert (f.title, f.year, f.project_name, f.contact) == ("项目支出绩效目标自评表", 2023, "数据平台运维", "李婷")
    assert f.funds.unit == "万元"
    total, sub = f.funds.rows
    assert (total.item, total.initial_budget, total.annual_budget) == ("年度资金总额", 320, 289.8)
    assert total.executed == 144.9
    assert (total.weight, total.execution_rate, total.score) == (10.0, 50.0, 5.0)
    assert sub.item == "其中:财政拨款"
    assert (sub.initial_budget, sub.annual_budget, sub.execution_rate) == (0.0, None, None)
    names = [(i.level1, i.level2, i.name) for i in f.indicators]
    assert names == [
        ("产出指标", "数量指标", "巡检次数"),
        ("产出指标", "数量指标", "故障修复率"),
        ("产出指标", "时效指标", "响应时间"),
        ("产出指标", "时效指标", "报告提交及时率"),
        ("满意度指标", "服务对象满意度指标", "用户满意度"),
    ]
    assert f.indicators[1].target == "=100%"
    assert (f.indicators[3].weight, f.indicators[3].score) == (None, None)
    assert (f.indicators[4].weight, f.indicators[4].score) == (10.0, 9.5)
    assert (f.total_weight, f.total_score) == (30.0, 28.5)
    assert f.conclusion == "项目按计划完成,自评等次为良好。"
    assert f.grade == "良好"
    assert mapped.evidence.pages == [1, 2, 3]


def test_every_value_has_provenance_on_its_page() -> None:
    (mapped,) = map_cells_to_form([_first_page(), _second_page(False), _third_page()])
    prov = {}
    for p in mapped.evidence.provenance:
        prov.setdefault(p.field, []).append(p)
    assert [p.page for p in prov["/indicators/3/name"]] == [2]
    assert [p.page for p in prov["/conclusion"]] == [2, 3]
    assert [p.page for p in prov["/contact"]] == [3]
    assert all(p.method == "test" for ps in prov.values() for p in ps)
    assert min(p.confidence for p in prov["/project_name"]) == 0.9
    (name,) = prov["/project_name"]
    assert name.box[0] >= 160 and name.box[3] <= 120  # inside the value cell, not the label
    assert "/indicators/3/weight" not in prov  # a printed dash is no value and has no source


def test_a_second_project_name_starts_a_new_form() -> None:
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "甲项目", cs=6)
    for i, label in enumerate(INDICATOR_HEADER):
        g.add(1, 1 + i, label)
    g.add(2, 1, "产出指标").add(2, 2, "数量指标").add(2, 3, "指标甲").add(2, 4, "1").add(2, 5, "1")
    h = _Grid(0, top=400)
    h.add(0, 0, "项目名称", cs=2).add(0, 2, "乙项目", cs=6)
    h.add(1, 0, "实施单位", cs=2).add(1, 2, "某单位", cs=2).add(1, 4, "填报日期", cs=2).add(1, 6, "2024年1月3日", cs=2)
    forms = map_cells_to_form([_content(0, [g, h])])
    assert [m.form.project_name for m in forms] == ["甲项目", "乙项目"]
    assert [len(m.form.indicators) for m in forms] == [1, 0]
    assert (forms[1].form.implementer, forms[1].form.fill_date) == ("某单位", "2024-01-03")


def test_a_title_starts_a_new_form_and_free_line_pairs_are_read() -> None:
    first, second = _first_page(), _first_page()
    tables = [
        replace(t, page=1, cells=[replace(c, page=1, words=[replace(w, page=1) for w in c.words]) for c in t.cells])
        for t in second.tables
    ]
    free_words = [
        Word("项目支出绩效自评表", Box(200, 40, 300, 52), 1, "test"),
        Word("单位（盖章）：某某局", Box(40, 80, 150, 92), 1, "test"),
        Word("填报日期：2024/03/09", Box(400, 80, 520, 92), 1, "test"),
    ]
    second = PageContent(Page(1, 595, 842), tables, free_words)
    forms = map_cells_to_form([first, second])
    assert [m.evidence.pages for m in forms] == [[1], [2]]
    assert forms[1].form.title == "项目支出绩效自评表"
    assert forms[1].form.fill_date == "2024-03-09"
    assert forms[1].form.year is None and forms[1].form.implementer is None


# -- OCR-grade noise on a rendered form --------------------------------------------------------
def _contents(pdf: Path) -> list[PageContent]:
    doc = load_document(pdf)
    out = []
    for i in range(doc.page_count):
        page = doc.load_page(i)
        tables, free_words = fill_cells(find_tables(page), page.words)
        out.append(PageContent(page, tables, free_words))
    return out


def _noisy(contents: list[PageContent]) -> int:
    """Traditional script everywhere and one wrong character in every long label; how many labels."""
    t2t = opencc.OpenCC("s2t")
    vocab = vocabulary()
    changed = 0
    for content in contents:
        for table in content.tables:
            for at, cell in enumerate(table.cells):
                text = normalize(cell.text)
                is_label = vocab.match(text) is not None
                words = []
                for w in cell.words:
                    new = t2t.convert(w.text)
                    if is_label and len(label_key(text)) >= 4 and len(w.text) >= 3:
                        new = new[:1] + "口" + new[2:]
                        changed += 1
                        is_label = False  # one slip per label
                    words.append(replace(w, text=new, char_boxes=None, glyph_ids=None))
                table.cells[at] = replace(cell, words=words)
    return changed


@pytest.mark.parametrize("style", ["guizhou", "shanghai_plain", "hunan_scored"])
def test_mapping_survives_ocr_grade_label_noise(style: str, tmp_path: Path) -> None:
    gold = json.loads((GOLD / "000_f01.json").read_text(encoding="utf-8"))
    pdf = tmp_path / "f.pdf"
    render_forms_pdf([gold], pdf, STYLES[style])
    contents = _contents(pdf)
    assert _noisy(contents) >= 10
    (mapped,) = map_cells_to_form(contents)
    f = mapped.form
    assert f.project_name is not None
    assert normalize(f.project_name) == normalize(opencc.OpenCC("s2t").convert(gold["project_name"]))
    assert [r.initial_budget for r in f.funds.rows] == [r["initial_budget"] for r in gold["funds"]["rows"]]
    assert [i.level1 for i in f.indicators] == [i["level1"] for i in gold["indicators"]]
    assert [i.level2 for i in f.indicators] == [i["level2"] for i in gold["indicators"]]
    assert [i.score for i in f.indicators] == [i["score"] for i in gold["indicators"]]
    assert (f.total_weight, f.total_score) == (gold["total_weight"], gold["total_score"])


def test_title_and_dates_drawn_inside_the_table_frame() -> None:
    g = _Grid(0)
    g.add(0, 0, "项目支出绩效自评表", cs=8)
    g.add(1, 0, "（2022年度）", cs=8)
    g.add(2, 0, "填报单位：某某局      填报日期：2023-01-05", cs=8)
    g.add(3, 0, "项目名称", cs=2).add(3, 2, "丙项目", cs=6)
    (mapped,) = map_cells_to_form([_content(0, [g])])
    f = mapped.form
    assert (f.title, f.year, f.fill_date, f.project_name) == ("项目支出绩效自评表", 2022, "2023-01-05", "丙项目")


def test_tables_after_the_form_add_no_rows() -> None:
    """评价人员 and 支出明细 tables under a form are not indicators or fund rows."""
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "丁项目", cs=6)
    for i, label in enumerate(INDICATOR_HEADER):
        g.add(1, 1 + i, label)
    g.add(2, 1, "产出指标").add(2, 2, "数量指标").add(2, 3, "指标丁").add(2, 4, "2").add(2, 5, "2")
    g.add(3, 0, "绩效自评综合得分", cs=2).add(3, 2, "96", cs=6)
    g.add(4, 0, "评价等次", cs=2).add(4, 2, "优秀", cs=6)
    g.add(5, 0, "四、评价人员", cs=8)
    g.add(6, 1, "姓名").add(6, 2, "职称/职务").add(6, 3, "单位").add(6, 4, "签字")
    g.add(7, 1, "李婷").add(7, 2, "科员").add(7, 3, "市政务服务中心").add(7, 4, "")
    (mapped,) = map_cells_to_form([_content(0, [g])])
    f = mapped.form
    assert [i.name for i in f.indicators] == ["指标丁"]
    assert (f.total_score, f.grade) == (96.0, "优秀")


def test_a_text_mentioning_a_year_does_not_start_a_form() -> None:
    page = _first_page()
    page.free_words.append(Word("2023年度投入资金350000元，实际支出345000元。", Box(40, 800, 400, 812), 0, "test"))
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.year == 2023


def test_scoring_table_rows_take_the_weight_after_their_own_name() -> None:
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "戊项目", cs=7)
    header = ["一级\n指标", "分值", "二级\n指标", "分值", "三级\n指标", "分值", "具体指标", "评价标准", "自评\n得分"]
    for i, label in enumerate(header):
        g.add(1, i, label)
    g.add(2, 0, "项目决策", rs=2).add(2, 1, "20", rs=2).add(2, 2, "项目目标").add(2, 3, "4")
    g.add(2, 4, "目标\n内容").add(2, 5, "4").add(2, 6, "目标明确").add(2, 7, "①设有目标（1分）\n②目标明确（1分）")
    g.add(2, 8, "4")
    g.add(3, 2, "决策过程").add(3, 3, "8").add(3, 4, "决策\n依据").add(3, 5, "3").add(3, 6, "有规划")
    g.add(3, 7, "符合规划（3分）").add(3, 8, "2.5")
    (mapped,) = map_cells_to_form([_content(0, [g])])
    rubric = mapped.form.rubric
    assert [(r.level1, r.level2, r.name, r.weight, r.score) for r in rubric] == [
        ("项目决策", "项目目标", "目标内容", 4.0, 4.0),
        ("项目决策", "决策过程", "决策依据", 3.0, 2.5),
    ]
    assert rubric[0].criteria == normalize("①设有目标（1分）②目标明确（1分）")
    assert mapped.form.indicators == []


def _shift(box: Box, dx: float, dy: float, scale: float) -> Box:
    return Box(box.x0 * scale + dx, box.y0 * scale + dy, box.x1 * scale + dx, box.y1 * scale + dy)


@pytest.mark.parametrize("style", ["shanghai", "hunan_scored"])
def test_a_continued_table_off_by_a_few_points_reads_the_same(style: str, tmp_path: Path) -> None:
    """Scanned pages sit a little off and scaled: the header's columns follow the table frame."""
    gold = json.loads((GOLD / "001_f01.json").read_text(encoding="utf-8"))
    pdf = tmp_path / "f.pdf"
    render_forms_pdf([gold], pdf, STYLES[style])
    contents = _contents(pdf)
    assert len(contents) >= 2
    shifted = []
    for n, content in enumerate(contents):
        dx, dy, scale = (7.0, -5.0, 1.03) if n % 2 else (-4.0, 3.0, 0.975)

        def read(w: Word, dx: float = dx, dy: float = dy, scale: float = scale) -> Word:
            return replace(w, box=_shift(w.box, dx, dy, scale), char_boxes=None, origin="ocr:test", confidence=0.8)

        tables = [
            replace(
                table,
                box=_shift(table.box, dx, dy, scale),
                cells=[
                    replace(cell, box=_shift(cell.box, dx, dy, scale), words=[read(w) for w in cell.words])
                    for cell in table.cells
                ],
            )
            for table in content.tables
        ]
        free = [replace(w, box=_shift(w.box, dx, dy, scale), char_boxes=None) for w in content.free_words]
        shifted.append(replace(content, tables=tables, free_words=free))
    contents = shifted
    (mapped,) = map_cells_to_form(contents)
    assert field_differences(mapped.form.model_dump(mode="json"), gold) == []
    assert {p.method for p in mapped.evidence.provenance if p.field.startswith("/indicators")} == {"ocr:test"}
    assert mapped.evidence.pages == list(range(1, len(contents) + 1))


def test_a_continued_table_without_its_label_column_keeps_the_header_columns() -> None:
    g = _Grid(1, top=60)
    g.add(0, 1, "满意度指标").add(0, 2, "满意度指标").add(0, 3, "用户满意度").add(0, 4, "≥90%").add(0, 5, "95%")
    g.add(0, 6, "10").add(0, 7, "9.5")
    page = _content(1, [g])
    assert page.tables[0].box.x0 == 100
    (mapped,) = map_cells_to_form([_first_page(), page])
    last = mapped.form.indicators[-1]
    assert (last.level1, last.name, last.target, last.weight, last.score) == (
        "满意度指标",
        "用户满意度",
        "≥90%",
        10,
        9.5,
    )


@pytest.mark.parametrize("label", ["", "自评"])
def test_a_long_text_whose_label_shows_after_the_page_break_only(label: str) -> None:
    (mapped,) = map_cells_to_form([_first_page(), _second_page(False, conclusion_label=label), _third_page()])
    assert mapped.form.conclusion == "项目按计划完成,自评等次为良好。"


def test_seed_003_layout_cover_page_merged_level_cell_and_appendix() -> None:
    """Hunan seed 003: 项目名称 on a cover page then in the form, 服务对象满意度指标 over both level columns."""
    cover = _content(
        0,
        [],
        [("项目名称：数据平台运维", 100), ("评价方式：部门（单位）绩效自评", 130), ("报告日期：2021年6月8日", 160)],
    )
    g = _Grid(1)
    g.add(0, 0, "一、项目基本概况", cs=8)
    g.add(1, 0, "项目名称", cs=2).add(1, 2, "数据平台运维", cs=6)
    g.add(2, 0, "项目绩效定量目标（指标）及完成情况", rs=4)
    for i, label in enumerate(["一级指标", "二级指标", "指标内容", "指标（目标）值", "实际完成值"]):
        g.add(2, 1 + i, label)
    g.add(3, 1, "项目产出指标").add(3, 2, "数量指标").add(3, 3, "站点数量").add(3, 4, "45").add(3, 5, "45")
    g.add(4, 1, "项目效益指标").add(4, 2, "社会效益\n指标").add(4, 3, "互动水平").add(4, 4, "30%").add(4, 5, "30%")
    g.add(5, 1, "服务对象满意度指标", cs=2).add(5, 3, "满意度").add(5, 4, "99.9%").add(5, 5, "99.9%")
    g.add(6, 0, "绩效自评综合得分", cs=2).add(6, 2, "98", cs=4)
    g.add(7, 0, "评价等次", cs=2).add(7, 2, "优秀", cs=4)
    g.add(8, 0, "四、评价人员", cs=6)
    g.add(9, 0, "姓名").add(9, 1, "职称/职务").add(9, 2, "单  位").add(9, 3, "签字")
    g.add(10, 0, "谢芳茂").add(10, 1, "副主任").add(10, 2, "市政务服务中心")
    (mapped,) = map_cells_to_form([cover, _content(1, [g])])
    f = mapped.form
    assert (f.project_name, f.fill_date, f.total_score, f.grade) == ("数据平台运维", "2021-06-08", 98.0, "优秀")
    assert [(i.level1, i.level2, i.name) for i in f.indicators] == [
        ("产出指标", "数量指标", "站点数量"),
        ("效益指标", "社会效益指标", "互动水平"),
        ("满意度指标", "服务对象满意度指标", "满意度"),
    ]
    assert mapped.evidence.pages == [1, 2]


def _leaves(value: object, path: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}/{i}")]
    return [(path, value)]


@pytest.mark.parametrize("style", ["guizhou_compact", "hunan"])
def test_every_value_of_a_rendered_document_is_traced_to_its_pages(style: str, tmp_path: Path) -> None:
    golds = [json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8")) for name in ("001_f01", "000_f03")]
    pdf = tmp_path / "two.pdf"
    render_forms_pdf(golds, pdf, STYLES[style])
    mapped = map_cells_to_form(_contents(pdf))
    assert len(mapped) == 2
    for m in mapped:
        traced = {p.field for p in m.evidence.provenance}
        values = [path for path, v in _leaves(m.form.model_dump(mode="json")) if v is not None]
        assert [p for p in values if p != "/schema_version" and p not in traced] == []
        assert {p.page for p in m.evidence.provenance} == set(m.evidence.pages)
        assert all(
            p.method == "pdf-text" and p.box[0] < p.box[2] and p.box[1] < p.box[3] for p in m.evidence.provenance
        )


def test_year_printed_in_the_title() -> None:
    page = replace(_first_page(), free_words=[Word("2021年度项目支出绩效自评表", Box(150, 40, 400, 56), 0, "test")])
    (mapped,) = map_cells_to_form([page])
    assert (mapped.form.title, mapped.form.year) == ("2021年度项目支出绩效自评表", 2021)


@pytest.mark.parametrize("style", ["guizhou", "guizhou_compact", "hunan"])
def test_forms_without_title_or_year_split_at_their_tables(style: str, tmp_path: Path) -> None:
    """No title line between forms: the 填报日期 line above a table is that table's form's."""
    names = ("000_f03", "000_f06", "001_f01")
    forms = [json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8")) for name in names]
    for n, form in enumerate(forms):
        form.update(title=None, year=None)
        form["fill_date"] = f"2024-0{n + 1}-1{n}"
    forms[1]["contact"] = None
    pdf = tmp_path / "untitled.pdf"
    render_forms_pdf(forms, pdf, STYLES[style])
    mapped = map_cells_to_form(_contents(pdf))
    assert [field_differences(m.form.model_dump(mode="json"), f) for m, f in zip(mapped, forms, strict=True)] == [
        [],
        [],
        [],
    ]
    pages = [m.evidence.pages for m in mapped]
    assert all(a[-1] <= b[0] for a, b in itertools.pairwise(pages)), pages  # flowed forms share a page


def test_goals_printed_down_in_rows() -> None:
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "己项目", cs=6)
    g.add(1, 0, "年度总体目标", rs=3).add(1, 1, "预期目标").add(1, 2, "完成系统升级，", cs=6)
    g.add(2, 1, "").add(2, 2, "保障稳定运行。", cs=6)
    g.add(3, 1, "实际完成情况").add(3, 2, "已完成。", cs=6)
    for i, label in enumerate(INDICATOR_HEADER):
        g.add(4, 1 + i, label)
    g.add(5, 1, "产出指标").add(5, 2, "数量指标").add(5, 3, "升级次数").add(5, 4, "1").add(5, 5, "1")
    (mapped,) = map_cells_to_form([_content(0, [g])])
    f = mapped.form
    assert (f.goals.expected, f.goals.actual) == ("完成系统升级,保障稳定运行。", "已完成。")
    assert [i.name for i in f.indicators] == ["升级次数"]


def test_a_title_wrapped_over_two_lines() -> None:
    free_words = [
        Word("六盘水市2023年度部门预算项目支出绩", Box(100, 30, 400, 46), 0, "test"),
        Word("效自评表", Box(200, 50, 260, 66), 0, "test"),
    ]
    page = replace(_first_page(), free_words=free_words)
    (mapped,) = map_cells_to_form([page])
    assert (mapped.form.title, mapped.form.year) == ("六盘水市2023年度部门预算项目支出绩效自评表", 2023)


# The indicators of _first_page(): name, target, actual, weight, score.
FIRST_PAGE_INDICATORS = [
    ("巡检次数", "≥12次", "12次", 10.0, 10.0),
    ("故障修复率", "=100%", "100%", 5.0, 5.0),
    ("响应时间", "≤2小时", "2小时", 5.0, 4.0),
]


def _indicator_values(page: PageContent) -> list[tuple]:
    (mapped,) = map_cells_to_form([page])
    return [(i.name, i.target, i.actual, i.weight, i.score) for i in mapped.form.indicators]


def _first_page_header() -> tuple[PageContent, Table, dict[str, Cell]]:
    """_first_page(), its table, and the indicator header's cells by label."""
    page = _first_page()
    (table,) = page.tables
    return page, table, {c.words[0].text: c for c in table.cells if c.row == 4 and c.words}


def test_unread_header_cells_between_read_ones_are_named_by_position() -> None:
    page, table, header = _first_page_header()
    # A seal over 实际完成值 and 分值: two unreadable headers between 年度指标值 and 得分.
    for label, noise in (("实际完成值", "IdhatIn"), ("分值", "IT")):
        _set_words(table, header[label], _words(noise, header[label].box, 0))
    assert _indicator_values(page) == FIRST_PAGE_INDICATORS


def test_an_unread_header_cut_in_two_is_one_column_by_the_body_below() -> None:
    page, table, header = _first_page_header()
    # A black seal's ring over 三级指标 to 实际完成值 reads as a rule through the last: four
    # unreadable header cells for three missing roles, the body cells whole below.
    _set_words(table, header["三级指标"], _words("一1二收", header["三级指标"].box, 0))
    _set_words(table, header["年度指标值"], _words("L年度播", header["年度指标值"].box, 0))
    cut = header["实际完成值"]
    table.cells.remove(cut)
    middle = cut.box.cx
    for x0, x1, noise in ((cut.box.x0, middle, "RR)"), (middle, cut.box.x1, "()")):
        box = Box(x0, cut.box.y0, x1, cut.box.y1)
        table.cells.append(Cell(cut.row, cut.col, box, 0, words=_words(noise, box, 0)))
    assert _indicator_values(page) == FIRST_PAGE_INDICATORS


def test_header_labels_run_together_are_split_into_their_roles() -> None:
    vocab = vocabulary()
    assert vocab.split_labels("指标（目标）值实际完成值分值", "indicator_columns") == ["target", "actual", "weight"]
    assert vocab.split_labels("年初预期目标实际完成", "goal_columns") == ["expected", "actual"]
    assert vocab.split_labels("达成年度指标", "indicator_columns") is None  # a value, not two labels
    assert vocab.split_labels("实际完成值", "indicator_columns") is None  # one label


def test_a_header_cell_merged_over_two_columns_is_split_by_the_body_below() -> None:
    page, table, header = _first_page_header()
    # A seal erased the rule between 实际完成值 and 分值 in the header and in the first body
    # row: one header cell reads both labels; the rows below the seal show the two columns.
    actual, weight = header["实际完成值"], header["分值"]
    for row, cells in ((4, (actual, weight)), (5, None)):
        left, right = cells or [c for c in table.cells if c.row == row and c.col in (5, 6)]
        text = "实际完成值分值" if cells else "12次10"
        box = left.box.union(right.box)
        merged = Cell(row, 5, box, 0, 1, 2, _words(text, box, 0))
        table.cells[:] = [c for c in table.cells if c is not left and c is not right] + [merged]
    assert _indicator_values(page) == [("巡检次数", "≥12次", None, None, 10.0), *FIRST_PAGE_INDICATORS[1:]]


def test_one_unread_header_cell_over_two_missing_columns_is_split_by_the_body() -> None:
    page, table, header = _first_page_header()
    # The rule between 实际完成值 and 分值 lost in the header row only, and the labels with it:
    # one cell reads 值 where two roles are missing; the body rows show the two columns.
    actual, weight = header["实际完成值"], header["分值"]
    box = actual.box.union(weight.box)
    merged = Cell(4, 5, box, 0, 1, 2, _words("值", box, 0))
    table.cells[:] = [c for c in table.cells if c is not actual and c is not weight] + [merged]
    assert _indicator_values(page) == FIRST_PAGE_INDICATORS


def test_a_goals_header_with_one_label_under_a_seal_still_heads_its_columns() -> None:
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "己项目", cs=6)
    # 实际完成情况 lost but its last two characters under a seal.
    g.add(1, 0, "年度总体目标", rs=2).add(1, 1, "预期目标", cs=3).add(1, 4, "情况", cs=4)
    g.add(2, 1, "完成系统升级。", cs=3).add(2, 4, "已完成。", cs=4)
    (mapped,) = map_cells_to_form([_content(0, [g])])
    assert (mapped.form.goals.expected, mapped.form.goals.actual) == ("完成系统升级。", "已完成。")


def test_an_unread_first_header_is_named_beside_a_misread_section_label() -> None:
    page, table, header = _first_page_header()
    # Black and white at 150 dpi: 一级指标 reads 一般据棒 and the tall 绩效指标 label beside
    # it 续效翔棒. Only the header-tall cell can be the first column.
    _set_words(table, header["一级指标"], _words("一般据棒", header["一级指标"].box, 0))
    (section,) = [c for c in table.cells if c.row == 4 and c.row_span > 1]
    _set_words(table, section, _words("续效翔棒", section.box, 0))
    (mapped,) = map_cells_to_form([page])
    assert [i.level1 for i in mapped.form.indicators] == ["产出指标"] * 3
    assert [i.name for i in mapped.form.indicators] == ["巡检次数", "故障修复率", "响应时间"]


def test_an_unread_header_at_the_end_or_an_uneven_count_stays_unnamed() -> None:
    page, table, header = _first_page_header()
    # 得分 is last: no read header to its right bounds it, so it is not guessed.
    _set_words(table, header["得分"], _words("DAI", header["得分"].box, 0))
    (mapped,) = map_cells_to_form([page])
    assert [i.score for i in mapped.form.indicators] == [None, None, None]
    assert [i.weight for i in mapped.form.indicators] == [10.0, 5.0, 5.0]


@pytest.mark.parametrize(
    ("read", "printed"),
    [("年度资金总幅", "年度资金总额"), ("财政提款", "财政拨款"), ("本級安排", "本级安排"), ("其他", "其他")],
)
def test_ocr_misreads_of_fund_items_are_corrected(read: str, printed: str) -> None:
    assert vocabulary().misread_of(read, "fund_items") == printed


@pytest.mark.parametrize("read", ["其中:上级补助资金", "专项资金", "项目名称", "年度资金"])
def test_fund_items_outside_the_vocabulary_stay_as_printed(read: str) -> None:
    assert vocabulary().misread_of(read, "fund_items") is None


def test_fund_items_are_corrected_only_when_ocr_read_them() -> None:
    page = _first_page()
    (table,) = page.tables
    (cell,) = [c for c in table.cells if c.words and c.words[0].text == "年度资金总额："]
    cell = _set_words(table, cell, _words("年度资金总幅：", cell.box, 0))
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.funds.rows[0].item == "年度资金总幅"  # a text layer says what is printed
    _set_words(table, cell, [replace(w, origin="ocr:rapidocr") for w in cell.words])
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.funds.rows[0].item == "年度资金总额"


@pytest.mark.parametrize(
    ("value", "partner", "restored"),
    [
        ("10096", "100%", "100%"),
        ("096", "≤0%", "0%"),
        ("≥9596", "98%", "≥95%"),
        ("196", "≥90%", None),  # a count beside a percentage: 1% is nowhere near
        ("96", "≥95%", None),  # 96 itself
        ("10096", "≥100次", None),  # the other value is no percentage
        ("100%", "100%", None),
    ],
)
def test_a_percent_sign_read_as_96_is_restored_from_the_other_value(
    value: str, partner: str, restored: str | None
) -> None:
    assert percent_read_as_96(value, partner) == restored


def test_percent_signs_are_restored_only_in_ocr_readings() -> None:
    page = _first_page()
    (table,) = page.tables
    (cell,) = [c for c in table.cells if c.words and c.words[0].text == "100%"]
    cell = _set_words(table, cell, [replace(w, text="10096") for w in cell.words])
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.indicators[1].actual == "10096"  # a text layer printed it so
    _set_words(table, cell, [replace(w, origin="ocr:rapidocr") for w in cell.words])
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.indicators[1].actual == "100%"


def test_a_minus_read_before_a_scanned_number_is_dropped() -> None:
    page = _first_page()
    (table,) = page.tables
    (cell,) = [c for c in table.cells if c.row == 2 and c.col == 5]  # 年度资金总额's 分值, 10
    cell = _set_words(table, cell, [replace(w, text="-10", origin="ocr:rapidocr") for w in _words("-10", cell.box, 0)])
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.funds.rows[0].weight == 10.0
    _set_words(table, cell, _words("-10", cell.box, 0))  # a text layer says what is printed
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.funds.rows[0].weight == -10.0


@pytest.mark.parametrize(
    ("read", "origin", "value"),
    [
        ("达成年度指棒", "ocr:rapidocr", "达成年度指标"),  # one character off a standard answer
        ("达成年度指棒", "test", "达成年度指棒"),  # a text layer says what is printed
        ("达成年异描棒", "ocr:rapidocr", "达成年异描棒"),  # too far off to say
        ("达成年度指标(95%)", "ocr:rapidocr", "达成年度指标(95%)"),  # more than the answer
    ],
)
def test_a_standard_answer_read_one_character_off_is_the_answer(read: str, origin: str, value: str) -> None:
    page = _first_page()
    (table,) = page.tables
    (cell,) = [c for c in table.cells if c.row == 5 and c.col == 5]  # 巡检次数's 实际完成值
    _set_words(table, cell, [replace(w, origin=origin) for w in _words(read, cell.box, 0)])
    (mapped,) = map_cells_to_form([page])
    assert mapped.form.indicators[0].actual == value


def _cut_form(second_page_rows: list[tuple[str, str, str, str, str, str, str]]) -> list[PageContent]:
    """_first_page() and a second page whose table goes on with ``second_page_rows``:
    (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分) per row, each cell its own."""
    g = _Grid(1, top=48)
    for r, row in enumerate(second_page_rows):
        for c, text in enumerate(row):
            g.add(r, 1 + c, text)
    return [_first_page(), _content(1, [g])]


def test_blank_level_cells_go_on_with_the_levels_above() -> None:
    # LibreOffice prints a tall level cell cut by a page break blank on the next page, and
    # every row it covers there meets that blank cell.
    pages = _cut_form(
        [("", "", "报告提交及时率", "100%", "100%", "5", "5"), ("", "", "响应率", "≥95%", "99%", "5", "5")]
    )
    (mapped,) = map_cells_to_form(pages)
    assert [(i.level1, i.level2) for i in mapped.form.indicators[3:]] == [("产出指标", "时效指标")] * 2
    # A new 一级 with its 二级 left blank does not take the 二级 of another 一级.
    pages = _cut_form([("满意度指标", "", "用户满意度", "≥90%", "95%", "10", "9.5")])
    (mapped,) = map_cells_to_form(pages)
    assert (mapped.form.indicators[3].level1, mapped.form.indicators[3].level2) == ("满意度指标", None)


def test_the_tail_of_a_level_cell_cut_by_a_page_break_is_no_level() -> None:
    # 时效指标 wrapped as 时效/指标 and cut between the lines: 指标 stands at the top of the page.
    pages = _cut_form([("(20分)", "指标", "报告提交及时率", "100%", "100%", "5", "5")])
    (mapped,) = map_cells_to_form(pages)
    assert (mapped.form.indicators[3].level1, mapped.form.indicators[3].level2) == ("产出指标", "时效指标")


def test_the_rest_of_a_row_cut_by_a_page_break_joins_the_row_above() -> None:
    # A long name's last line went over the page with a row of its own, weight and score blank.
    pages = _cut_form([("", "", "性", "", "", "", ""), ("", "", "报告提交及时率", "100%", "100%", "5", "5")])
    (mapped,) = map_cells_to_form(pages)
    names = [i.name for i in mapped.form.indicators]
    assert names == ["巡检次数", "故障修复率", "响应时间性", "报告提交及时率"]
    # A row printing a dash for its weight and score is a row of its own.
    pages = _cut_form([("", "", "报告提交及时率", "100%", "100%", "-", "-")])
    (mapped,) = map_cells_to_form(pages)
    assert [i.name for i in mapped.form.indicators][-1] == "报告提交及时率"


def test_radicals_a_producer_wrote_are_read_as_the_ideographs_shown() -> None:
    # Chromium with Noto CJK names glyphs by their first code point: 门 as ⻔ U+2ED4.
    assert normalize("市政府⻔户网站，人⺠意⻅") == "市政府门户网站,人民意见"
    assert normalize("⼀用⼾") == "一用户"  # the Kangxi block: NFKC, but Noto SC draws ⼾ as 户


def test_a_level_cut_in_two_by_a_page_break_is_read_whole_on_both_pages() -> None:
    # 满意度指标 printed 满意|度指标 across the break: neither half is a level, the two are.
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "数据平台运维", cs=6)
    for i, label in enumerate(INDICATOR_HEADER):
        g.add(1, 1 + i, label)
    g.add(2, 1, "满意").add(2, 2, "服务对象满意度指标", rs=2)
    g.add(2, 3, "用户满意度").add(2, 4, "≥90%").add(2, 5, "95%").add(2, 6, "10").add(2, 7, "10")
    h = _Grid(1, top=48)
    h.add(0, 1, "度指标", rs=2).add(0, 2, "", rs=2)
    h.add(0, 3, "投诉率").add(0, 4, "≤1%").add(0, 5, "0%").add(0, 6, "5").add(0, 7, "5")
    h.add(1, 3, "回访率").add(1, 4, "≥80%").add(1, 5, "85%").add(1, 6, "5").add(1, 7, "5")
    (mapped,) = map_cells_to_form([_content(0, [g]), _content(1, [h])])
    levels = [(i.level1, i.level2) for i in mapped.form.indicators]
    assert levels == [("满意度指标", "服务对象满意度指标")] * 3


def test_a_fund_table_printed_as_label_value_pairs() -> None:
    # Hunan 2021 report: four label/value pairs across, then one row per source of funds.
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "集约化平台提质改造", cs=6)
    pairs = [("计划安排资金\n（万元）", "320"), ("实际到位资金\n（万元）", "289.8"), ("实际支出\n（万元）", "144.9")]
    for k, (label, value) in enumerate([*pairs, ("结余\n（万元）", "144.9")]):
        g.add(1, 2 * k, label).add(1, 2 * k + 1, value)
    for r, (source, values) in enumerate(
        [("其中：中央财政", ["", "", "", ""]), ("市财政", ["320", "289.8", "144.9", ""])]
    ):
        for k, value in enumerate(values):
            g.add(2 + r, 2 * k, source).add(2 + r, 2 * k + 1, value)
    g.add(4, 0, "二、项目支出明细情况", cs=8)
    g.add(5, 0, "支出内容", cs=2).add(5, 2, "实际支出数", cs=2).add(5, 4, "会计凭证号", cs=2).add(5, 6, "备注", cs=2)
    g.add(6, 0, "支付初验", cs=2).add(6, 2, "144.9万元", cs=2).add(6, 4, "2021年2月11#", cs=2).add(6, 6, "", cs=2)
    (mapped,) = map_cells_to_form([_content(0, [g])])
    funds = mapped.form.funds
    assert funds.unit == "万元"
    rows = [(r.item, r.annual_budget, r.received, r.executed, r.balance, r.initial_budget) for r in funds.rows]
    assert rows == [
        ("计划安排资金", 320.0, 289.8, 144.9, 144.9, None),
        ("其中:中央财政", None, None, None, None, None),
        ("市财政", 320.0, 289.8, 144.9, None, None),
    ]


def test_labelled_values_no_field_takes_are_kept_unmapped() -> None:
    g = _Grid(0)
    g.add(0, 0, "项目名称", cs=2).add(0, 2, "集约化平台提质改造", cs=6)
    g.add(1, 0, "项目负责人", cs=2).add(1, 2, "彭璞", cs=2).add(1, 4, "联系电话", cs=2).add(1, 6, "15115012899", cs=2)
    g.add(2, 0, "项目地址", cs=2).add(2, 2, "岳阳市政务中心", cs=2).add(2, 4, "邮  编", cs=2).add(2, 6, "", cs=2)
    (mapped,) = map_cells_to_form([_content(0, [g], [("评价机构：部门（单位）评价组", 40)])])
    assert mapped.form.contact == "彭璞"
    unmapped = [(u.label, u.value, u.page) for u in mapped.evidence.unmapped]
    assert unmapped == [
        ("评价机构", "部门(单位)评价组", 1),
        ("联系电话", "15115012899", 1),
        ("项目地址", "岳阳市政务中心", 1),
    ]
    assert all(u.box[0] < u.box[2] for u in mapped.evidence.unmapped)
