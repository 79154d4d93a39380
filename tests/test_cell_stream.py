"""Dumps that print one table cell a line (a PDF's text boxes in drawing order) → forms."""

from __future__ import annotations

from ocrform.dump.parser import read_text
from ocrform.dump.stream import is_cell_stream, read_cell_stream
from ocrform.form.mapping import map_cells_to_form
from ocrform.stages import _dump_pages

# A Guizhou-grid form as PyMuPDF's unsorted text gives it: header labels wrapped (项目资金 /
# （元）, 偏差原因分析及 / 改进措施) or a character a line (年 / 度 …, 绩 / 效 / 指 / 标), a name
# wrapped over lines, a level label that is also a row's name (满意度), a reason over lines.
STREAM = """项目支出绩效目标自评表
（2023 年度）
项目名称
政务外网租用费
主管部门
市电子政务办公室
实施单位
市电子政务办公室
项目资金
（元）
年初预算数
全年预算数
全年执行数
分值
执行率
得分
年度资金总额
369000 元
369000 元
360000 元
10
97.56%
9.76
其他
0 元
0 元
0 元
年
度
总
体
目
标
预期目标
实际完成情况
保障外网稳定运行。
外网全年稳定运行。
绩
效
指
标
一级指标
二级指标
三级指标
年度指标值
实际完成值
分值
得分
偏差原因分析及
改进措施
产出指标
(50 分)
数量指标
重大网络中断事件发生
次数
≤10 次
0 次
30
30
时效指标
服务及时性
≤2 小时
3 小时
20
15
个别故障处理超时，
已改进。
满意度指标
(10 分)
服务对象满意度指
标
满意度
≥90%
95%
10
10
总分
70
64.76
"""


def _form() -> dict:
    (mapped,) = map_cells_to_form(read_cell_stream(STREAM))
    return mapped.form.model_dump(mode="json")


def test_a_cell_stream_is_told_from_a_line_dump() -> None:
    assert is_cell_stream(STREAM)
    lines = "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分\n产出指标 数量指标 次数 ≤10次 0次 30 30\n"
    assert not is_cell_stream(lines)


def test_fields_funds_and_goals_come_back_from_cells_one_a_line() -> None:
    form = _form()
    assert (form["project_name"], form["department"], form["implementer"]) == (
        "政务外网租用费",
        "市电子政务办公室",
        "市电子政务办公室",
    )
    assert form["funds"]["unit"] == "元"
    first, other = form["funds"]["rows"]
    assert (first["item"], first["annual_budget"], first["executed"], first["weight"], first["score"]) == (
        "年度资金总额",
        369000.0,
        360000.0,
        10.0,
        9.76,
    )
    assert (other["item"], other["initial_budget"], other["weight"]) == ("其他", 0.0, None)
    assert form["goals"] == {"expected": "保障外网稳定运行。", "actual": "外网全年稳定运行。"}


def test_indicator_rows_are_closed_by_their_numbers_and_levels_carry_down() -> None:
    rows = [
        (i["level1"], i["level2"], i["name"], i["target"], i["actual"], i["weight"], i["score"])
        for i in _form()["indicators"]
    ]
    assert rows == [
        ("产出指标", "数量指标", "重大网络中断事件发生次数", "≤10次", "0次", 30.0, 30.0),
        ("产出指标", "时效指标", "服务及时性", "≤2小时", "3小时", 20.0, 15.0),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", 10.0, 10.0),
    ]
    assert _form()["indicators"][1]["deviation_reason"] == "个别故障处理超时,已改进。"
    assert (_form()["total_weight"], _form()["total_score"]) == (70.0, 64.76)


def test_of_the_two_readers_the_one_that_fills_more_fields_is_kept() -> None:
    def forms(contents: list) -> list[dict]:
        return [m.form.model_dump(mode="json") for m in map_cells_to_form(contents)]

    by_cells, by_lines = forms(read_cell_stream(STREAM)), forms(read_text(STREAM))
    assert by_cells != by_lines
    assert forms(_dump_pages(STREAM)) == by_cells
    # A line dump is never read as a cell stream.
    lines = "项目名称 政务外网租用费\n主管部门 市电子政务办公室\n"
    assert forms(_dump_pages(lines)) == forms(read_text(lines))
