"""Plain-text dumps → pages of cells → forms: the seed dump against its gold, and a round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrform.document import load_document
from ocrform.dump.lines import ORIGIN
from ocrform.dump.parser import read_text, read_text_dump
from ocrform.errors import InputError
from ocrform.evaluate import field_accuracy
from ocrform.form.mapping import map_cells_to_form
from ocrform.grid import fill_cells, find_tables
from ocrform.model import group_lines, line_texts
from ocrform.synth import STYLES, render_forms_pdf
from ocrform.text import normalize

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _gold(seed: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((SAMPLES / "gold").glob(f"{seed}_f*.json"))]


def _forms(contents: list) -> list[dict]:
    return [m.form.model_dump(mode="json") for m in map_cells_to_form(contents)]


def test_seed_000_dump_gives_every_form_and_the_gold_fields() -> None:
    (path,) = (SAMPLES / "seeds").glob("000_*.txt")
    contents = read_text_dump(path)
    forms = _forms(contents)
    titles = path.read_text(encoding="utf-8").count("绩效目标自评表")
    assert len(forms) == titles == 12
    want = _gold("000")
    assert len(want) == 6
    for got, gold in zip(forms, want, strict=False):
        assert got["project_name"] == gold["project_name"]
    exact, total = field_accuracy(forms[: len(want)], want)
    assert exact == total == 860
    words = [w for c in contents for t in c.tables for cell in t.cells for w in cell.words]
    assert words and all(w.origin == ORIGIN for w in words)


def test_words_keep_their_line_and_column() -> None:
    (content,) = read_text("项目名称  某项目\n\n主管部门 甲单位 实施单位 乙单位\n")
    cells = [c for t in content.tables for c in t.cells]
    value = next(c for c in cells if c.text == "某项目")
    (word,) = value.words
    assert word.box.y0 == 0 and word.box.x0 == 6 * 6.0  # line 0, column 6
    dept = next(c for c in cells if c.text == "乙单位")
    assert dept.words[0].box.y0 == 2 * 12.0
    (form,) = _forms([content])
    assert (form["project_name"], form["department"], form["implementer"]) == ("某项目", "甲单位", "乙单位")


def test_vertical_labels_and_wrapped_texts_are_joined() -> None:
    text = "\n".join(
        [
            "项目名称 测试项目",
            "绩",
            "效",
            "指",
            "标",
            "",
            "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分",
            "产出指标",
            "(50分)",
            "数量指标 完成数量 ≥2个 2个 10 9",
            "满意度指",
            "标(10分)",
            "",
            "服务对象满意",
            "度指标",
            "",
            "随机抽取用户",
            "的满意程度",
            "",
            "≥90% 95% 10 10",
            "总         分 20 19",
        ]
    )
    (form,) = _forms(read_text(text))
    rows = [(i["level1"], i["level2"], i["name"], i["target"], i["weight"], i["score"]) for i in form["indicators"]]
    assert rows == [
        ("产出指标", "数量指标", "完成数量", "≥2个", 10.0, 9.0),
        ("满意度指标", "服务对象满意度指标", "随机抽取用户的满意程度", "≥90%", 10.0, 10.0),
    ]
    assert (form["total_weight"], form["total_score"]) == (20.0, 19.0)


def test_form_feeds_are_pages_and_a_table_goes_on_after_one() -> None:
    text = "项目名称 测试项目\n一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分\n产出指标\n数量指标\n"
    text += "甲 ≥1 1 5 5\n\f乙 ≥2 2 5 4\n"
    contents = read_text(text)
    assert [c.page.index for c in contents] == [0, 1]
    (form,) = _forms(contents)
    assert [(i["name"], i["level2"], i["score"]) for i in form["indicators"]] == [
        ("甲", "数量指标", 5.0),
        ("乙", "数量指标", 4.0),
    ]


def _cell_order_dump(pdf: Path) -> str:
    """A dump as table-aware extractors write one: rows top to bottom, a row's one-line cells on
    one line separated by spaces, a wrapped or tall cell on lines of its own, rows apart by a
    blank line. The text and its order come from pymupdf's words via the grid stage."""
    pages = []
    for page in load_document(pdf).iter_pages():
        tables, free_words = fill_cells(find_tables(page), page.words)
        free = group_lines(free_words)
        items = [(min(w.box.y0 for w in ln), ["".join(w.text for w in ln)]) for ln in free]
        for table in tables:
            for cells in table.rows():
                out: list[str] = []
                singles: list[str] = []
                for cell in cells:
                    lines = line_texts(cell.words)
                    if len(lines) == 1 and cell.row_span == 1:
                        singles.append(lines[0])
                    elif lines:
                        out += [" ".join(singles), "", *lines, ""] if singles else [*lines, ""]
                        singles = []
                if singles:
                    out.append(" ".join(singles))
                if cells:
                    items.append((min(c.box.y0 for c in cells), out))
        pages.append("\n\n".join("\n".join(out) for _, out in sorted(items, key=lambda it: it[0])))
    return "\f".join(pages)


# Every style reads back every field of the six gold forms of seed 000 (860 as the
# generator's own forms print them; measured 2026-11-23).
# The Hunan report's dump (label/value pairs across, a cover page) is not read yet: issue 20.
@pytest.mark.parametrize(
    "style",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason="the text-dump reader has no Hunan report yet"))
        if STYLES[s].family == "hunan_report"
        else s
        for s in sorted(STYLES)
    ],
)
def test_round_trip_through_a_generated_pdf(style: str, tmp_path: Path) -> None:
    pdf = tmp_path / "forms.pdf"
    want = render_forms_pdf(_gold("000"), pdf, STYLES[style])
    forms = _forms(read_text(_cell_order_dump(pdf)))
    assert len(forms) == len(want)
    exact, total = field_accuracy(forms, want)
    assert exact == total >= 860


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_text_dump(tmp_path / "absent.txt")


def test_seed_003_word_export_gives_the_hunan_report_and_its_gold() -> None:
    """Seed 003 is Word's plain-text export (a tab before each cell): cover lines, label/value
    pairs, the fund table as column pairs, the indicators, the conclusion under （四） and the
    scoring table (附件3-2) all come out as its hand-checked gold says."""
    import ocrform

    (path,) = (SAMPLES / "seeds").glob("003_*.txt")
    forms = [f.model_dump(mode="json") for f in ocrform.convert(path).forms]
    assert len(forms) == 1
    want = _gold("003")
    assert len(want[0]["rubric"]) == 22
    exact, total = field_accuracy(forms, want)
    assert exact == total


def test_a_tab_export_keeps_blank_cells_and_a_cells_further_paragraphs() -> None:
    from ocrform.dump.tabbed import is_tabbed, read_tabbed

    text = "标题\n\n\t一级指标\t二级指标\t指标内容\n\n\t产出指标\n\t数量指标\n\t站点\n数量\n\n\t\n\t质量指标\n\t改造\n"
    assert is_tabbed(text)
    (content,) = read_tabbed(text)
    (table,) = content.tables
    rows = table.rows()
    assert [c.text.replace("\n", "") for c in rows[1]] == ["产出指标", "数量指标", "站点数量"]
    assert [c.text for c in rows[2]] == ["", "质量指标", "改造"]
    assert [w.text for w in content.free_words] == ["标题"]
    assert not is_tabbed((SAMPLES / "seeds" / "000_1ad45b0b82b486fc.txt").read_text(encoding="utf-8"))


def test_seed_001_pdftotext_raw_order_gives_all_seven_printings() -> None:
    """Seed 001 is pdftotext's raw order of a garbled Shanghai PDF: each printing's parts
    stand out of order (funds before the title, indicator rows after the goals, merged level
    cells, deviation reasons and 总分 printed apart). Every printing is found, and the fields
    agree with the gold (001_f01 checked outside the project; f02-f07 drafted here and checked
    against the dump and the second printing of the same forms, see samples/gold/README.md)."""
    import ocrform

    (path,) = (SAMPLES / "seeds").glob("001_*.txt")
    forms = [f.model_dump(mode="json") for f in ocrform.convert(path).forms]
    want = _gold("001")
    assert len(forms) == len(want) == 7
    assert [f["project_name"] for f in forms] == [w["project_name"] for w in want]
    exact, total = field_accuracy(forms, want)
    assert exact / total >= 0.98, (exact, total)  # measured 963/973 (2026-12-05)
    first, _ = field_accuracy(forms[:1], want[:1])
    assert first == 115  # the printing whose gold was checked outside the project: every field


def test_a_report_before_the_form_keeps_its_text_apart_and_labels_wrap_around_values() -> None:
    """Seed 004's shape: a narrative report (its 三、综合评价情况及评价结论 section) before the
    form's title is no part of the form (kept as unmapped); 实施 / value / 单位 is one label
    wrapped around its value; 总分 100 99 alone on a line gives the totals."""
    text = "\n".join(
        [
            "三、综合评价情况及评价结论",
            "项目总体完成良好，达到预期目标。",
            "",
            "四、其他",
            "",
            "项目支出绩效自评表",
            "项目名称\t某项目",
            "实施",
            "甲单位",
            "单位",
            "",
            "总分\t100\t99",
        ]
    )
    (form,) = _forms(read_text(text))
    assert (form["project_name"], form["implementer"], form["conclusion"]) == ("某项目", "甲单位", None)
    assert (form["total_weight"], form["total_score"]) == (100.0, 99.0)
    (mapped,) = map_cells_to_form(read_text(text))
    assert [(u.label, normalize(u.value)) for u in mapped.evidence.unmapped] == [
        ("三、综合评价情况及评价结论", normalize("项目总体完成良好，达到预期目标。"))
    ]
