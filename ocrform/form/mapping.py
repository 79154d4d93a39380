"""Cells and free words of a document's pages → forms in the canonical schema.

The pages are read as one stream of rows in print order: free lines (titles, the 年度 line,
单位/填报日期 and 联系人 lines) and table rows, page after page. A small state machine walks
that stream. Printed labels, matched against models/labels.json, say what a row is: a
column header (funds, goals, indicators) fixes the x extents of that section's columns, and
later rows (also on following pages, where the table goes on with or without its header)
are read by those extents. A title, a 年度 line after table content, or a second 项目名称 row
starts the next form; a title after tables that had none starts a fragment that may yet be
part of the form before it (a dump that printed the parts out of order, see form/state.py).

The stream comes from form/items.py, columns are placed by form/columns.py, what is read is
kept in form/state.py and made into the canonical Form by form/build.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ocrform.form.build import MappedForm, build_form
from ocrform.form.columns import LEVELS, Column, Columns, assign, own_weights, same_column, unread_between
from ocrform.form.items import Line, Row, page_items
from ocrform.form.labels import MAX_LABEL_CHARS, SECTION_OF_GROUP, LabelMatch, Vocabulary, header_group, vocabulary
from ocrform.form.numbers import number_unit, parse_date, parse_number, parse_year, stated_unit
from ocrform.form.spans import Span, clean, join
from ocrform.form.state import FormState, joined_fragments
from ocrform.model import Cell, PageContent
from ocrform.text import normalize

_COLON = re.compile(r"[:：]")
# Text fields a page break may cut: a repeated label continues them instead of replacing them.
_LONG_FIELDS = {"conclusion"}
# Weights are printed to two decimals: a sum agrees within this.
SUM_TOLERANCE = 0.01
# A report's numbered heading ends the text under the heading before it that is numbered in
# the same style: （四）… runs to （五）…, whatever 一、二、 list it holds (seed 003 numbers the
# points of its conclusion 一、二、三、 under （四）); an unnumbered heading's text ends at any.
_HEADING_STYLES = (
    re.compile(r"^\([一二三四五六七八九十]+\)"),
    re.compile(r"^[一二三四五六七八九十]+[、.]"),
)


def _heading_style(text: str) -> int | None:
    return next((k for k, style in enumerate(_HEADING_STYLES) if style.match(text)), None)


# The rest of a level cut by a page break is its last line or two: 标(40分), 指标, 度指标
# (CJK characters outside brackets); every level name is longer.
MAX_LEVEL_TAIL = 3
_CJK_OUTSIDE_BRACKETS = re.compile(r"[\u4e00-\u9fff](?![^(]*\))")
# A year line is the year and little else: （2023年度）, (2020 年度); longer text merely mentions one.
_YEAR_LINE_RESIDUE = 6
# A goal text printed beside its label (not under a 预期目标 | 实际完成情况 header) fills most of the row.
GOAL_TEXT_WIDTH = 0.4


def map_cells_to_form(contents: list[PageContent]) -> list[MappedForm]:
    """Every form the pages hold, in document order, each with its provenance and pages."""
    reader = _Reader(vocabulary())
    for content in contents:
        for item in page_items(content):
            if isinstance(item, Line):
                reader.line(item)
            else:
                reader.row(item)
    return reader.finish()


@dataclass
class _Mode:
    """What the rows being read hold: a section (funds, goals, indicators) or a long field."""

    section: str | None = None
    field_name: str | None = None
    value_x: tuple[float, float] | None = None
    columns: dict[str, Columns] = field(default_factory=dict)


class _Reader:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.mode = _Mode()
        self.forms: list[FormState] = []
        self.form = self._new_form()
        self._pending: list[tuple[str, Span, int]] = []
        # The free line just before, when it said nothing (see ``line``).
        self._loose: Line | None = None
        # The row just before, when nothing in it was read (see ``_field_row``).
        self._unread: Row | None = None
        # A tall cell is met once per row it covers; its text is read once.
        self._spans: dict[int, Span] = {}
        self._groups: dict[int, dict[str, LabelMatch]] = {}
        self._splits: dict[tuple[int, str], list[str]] = {}
        # The page of the last indicator or scoring row read (see ``_row_tail``).
        self._leveled_page: int | None = None
        # Tall level cells a page break cut: the whole level their text completes (``_level``).
        self._level_tails: dict[int, Span] = {}
        # A long field whose heading line stood alone: the free lines after it are its text.
        self._heading_field: str | None = None
        self._heading_style: int | None = None  # how that heading was numbered (_HEADING_STYLES)
        # The table whose header or data rows were the last rows read (see _header).
        self._going_on: str | None = None
        self.grade_in_text = re.compile(vocab.grade_in_text + "(" + "|".join(re.escape(g) for g in vocab.grades) + ")")

    # -- form boundaries -----------------------------------------------------------------------
    def _new_form(self) -> FormState:
        form = FormState()
        self.forms.append(form)
        self.mode = _Mode()
        return form

    def _start_form_if(self, condition: bool, by_table: bool = False, fragment: bool = False) -> None:
        """Start the next form when ``condition`` holds.

        Free-line values met between two forms that the earlier one already has (a second
        填报日期 line) go to a form its table starts (no title line in between); a title or 年度
        line instead starts a form of its own and they are dropped. A ``fragment`` may yet be
        part of the form before it (see ``joined_fragments``).
        """
        if not condition:
            return
        pending, self._pending = self._pending, []
        self.form = self._new_form()
        self.form.joins_previous = fragment
        if by_table:
            for role, span, page in pending:
                if self._field(role, span):
                    self.form.pages.add(page)

    def _chain_parts(self) -> set[str]:
        """The parts of the form being read, over the fragments it may be made of."""
        parts: set[str] = set()
        for form in reversed(self.forms):
            parts |= form.parts()
            if not form.joins_previous:
                break
        return parts

    def _span(self, cell: Cell) -> Span:
        span = self._spans.get(id(cell))
        if span is None:
            span = self._spans[id(cell)] = Span.of_words(cell.words)
        return span

    def _match(self, cell: Cell, group: str) -> LabelMatch | None:
        """The role ``cell`` names among one group's labels."""
        if not cell.words:
            return None
        found = self._groups.get(id(cell))
        if found is None:
            found = self._groups[id(cell)] = self.vocab.match_each_group(self._span(cell).text)
        return found.get(group)

    def _header_roles(self, cell: Cell, group: str) -> list[str]:
        """The roles of ``group`` a header cell names: its label's, or two run together."""
        m = self._match(cell, group)
        if m is not None:
            return [m.role]
        if not cell.words:
            return []
        key = (id(cell), group)
        if key not in self._splits:
            self._splits[key] = self.vocab.split_labels(self._span(cell).text, group) or []
        return self._splits[key]

    def _half_read_pair(self, row: Row, labels: dict[int, LabelMatch | None], group: str, roles: set[str]) -> bool:
        """A two-column header (预期目标 | 实际完成情况) with one label read and the other cell
        showing only a piece of the other's label (a seal over the rest of it, 情况): not a
        goal label beside its text, printed down the rows."""
        if len(self.vocab.groups[group]) != 2 or len(roles) != 1:
            return False
        rest = [
            c
            for c in row.starting
            if self._match(c, group) is None and not ((m := labels[id(c)]) is not None and m.group == "sections")
        ]
        if len(rest) != 1 or labels[id(rest[0])] is not None:
            return False
        (other,) = set(self.vocab.groups[group]) - roles
        return self.vocab.is_label_fragment(self._span(rest[0]).text, group, other)

    # -- free lines ----------------------------------------------------------------------------
    def line(self, line: Line) -> bool:
        """A free line (or a line-like table row); whether it said anything about the form."""
        loose, self._loose = self._loose, None
        text = line.span.norm
        if not text:
            return False
        if self._heading_field is not None:
            style = _heading_style(text)
            if style is None or (self._heading_style is not None and style != self._heading_style):
                self.form.texts(self._heading_field).append(line.span)
                self.form.pages.add(line.page)
                return True
            self._heading_field = None
        if loose is not None and loose.page == line.page and not self.vocab.is_title(text):
            # A long title wraps: its first line alone said nothing.
            joined = join([loose.span, line.span])
            if self.vocab.is_title(joined.norm):
                line, text = Line(line.page, loose.y, joined), joined.norm
        if self.vocab.is_title(text):
            self._report_before_title()
            parts = self._chain_parts()
            if "title" not in parts and "project_name" not in parts and self.form.has_content:
                # Tables with no title or name yet, then a title: this form's parts out of
                # order (a dump), or a form whose title was lost and the next one.
                self._start_form_if(True, fragment=True)
            else:
                self._start_form_if("title" in parts or self.form.has_content)
            self.form.set_scalar("title", text, line.span)
            self._year_from(line.span)
        elif _is_year_line(text):
            self._start_form_if(self.form.has("year") or self.form.has_content)
            self._year_from(line.span)
        elif (unit := self.vocab.unit_line.search(text)) is not None:
            if self.form.unit is None:
                self.form.unit = (unit.group(1), line.span)
        elif (heading := self.vocab.match(text, "fields")) is not None and heading.role in _LONG_FIELDS:
            # A report's heading over its text: （四）综合评价情况及评价结论, then paragraphs.
            self._heading_field, self._heading_style = heading.role, _heading_style(text)
            self.form.headings[heading.role] = line.span
        elif not self._total_line(line.span) and not self._inline_pairs(line.span, line.page):
            self._loose = line
            return False
        self._going_on = None
        self.form.pages.add(line.page)
        return True

    def _total_line(self, span: Span) -> bool:
        """``总分 100 99`` on a line of its own, outside any table: 分值 then 得分, as every
        layout prints them."""
        parts = [w.text[a:b] for w, a, b in span.parts]
        if len(parts) != 3 or self.form.has("total_weight"):
            return False
        label = self.vocab.match(parts[0], "sections")
        values = [parse_number(normalize(p)) for p in parts[1:]]
        if label is None or label.role != "total" or None in values:
            return False
        weight, score = values
        if weight is None or score is None or score > weight:
            return False
        text = span.text
        a = text.find(parts[1])
        b = text.find(parts[2], a + len(parts[1]))
        self.form.set_scalar("total_weight", weight, span[a : a + len(parts[1])])
        self.form.set_scalar("total_score", score, span[b : b + len(parts[2])])
        return True

    def _report_before_title(self) -> None:
        """Text under a report's headings before any of the form (seed 004: a narrative report
        with 三、综合评价情况及评价结论, then the form's title) is the report's, not the form's:
        it is kept in the evidence as unmapped, under its heading."""
        form = self.form
        if form.has_content or form.scalars or not any(form.long_texts.values()):
            return
        if not all(role in form.headings for role, spans in form.long_texts.items() if spans):
            return  # (every long text has its label: none is dropped)
        for role, spans in form.long_texts.items():
            if spans:
                form.unmapped.append((form.headings[role], join(spans)))
        form.long_texts = {}

    def _year_from(self, span: Span) -> None:
        year = parse_year(span.norm)
        if year is not None:
            self.form.set_scalar("year", year, span)

    def _inline_pairs(self, span: Span, page: int) -> bool:
        """``label：value`` pairs printed on one line or in one cell; whether this form took any."""
        text = span.text
        found: list[tuple[int, int, str]] = []  # (label start, value start, role)
        prev = 0
        for m in _COLON.finditer(text):
            hit = self.vocab.label_before_colon(text[prev : m.start()], "fields", "ignore")
            if hit is not None:
                found.append((prev + hit[0], m.end(), hit[1].role))
                prev = m.end()
        read = False
        for n, (label_start, value_start, role) in enumerate(found):
            end = found[n + 1][0] if n + 1 < len(found) else len(text)
            value = span[value_start:end].strip()
            if role == "ignore":
                self._unmapped(span[label_start : value_start - 1], value)
                continue
            if self.form.has_content and self.form.has(role) and role not in _LONG_FIELDS:
                self._pending.append((role, value, page))
            else:
                read |= self._field(role, value)
        return read

    # -- table rows ----------------------------------------------------------------------------
    def row(self, row: Row) -> None:
        self._loose = None
        self._heading_field = None
        self._unread, unread = None, self._unread
        form = self.form
        self._row(row, unread)
        if self.form is form and form.has_content:
            self._pending.clear()  # the form went on: those values were not the next form's

    def _row(self, row: Row, unread: Row | None) -> None:
        labels = {id(c): self._cell_label(c) for c in row.starting}
        line_like = row.full_width and labels[id(row.starting[0])] is None and self.mode.field_name is None
        if line_like and self.line(Line(row.page, row.y, self._span(row.starting[0]))):
            return
        if self._header(row, labels):
            self._going_on = self.mode.section
            self._touch(row)
            return
        # A section label alone says nothing of the form yet: a numbered 一、项目基本概况 row
        # may open the next form before its 项目名称 row.
        self._section_cells(row, labels)
        if self._field_row(row, labels, unread):
            self._going_on = None
            self._touch(row)
            return
        if self._total_row(row, labels):
            self._going_on = None
            self._touch(row)
            return
        if any(m is not None and m.group == "ignore" for m in labels.values()) and len(row.starting) == 1:
            return
        if self._data_row(row):
            self._going_on = self.mode.section
            self._touch(row)
        else:
            self._unread = row

    def _touch(self, row: Row) -> None:
        self.form.pages.add(row.page)

    def _cell_label(self, cell: Cell) -> LabelMatch | None:
        """The field, section or ignored label ``cell`` prints, if it is one."""
        if not cell.words:
            return None
        return self.vocab.match(self._span(cell).text, "fields", "sections", "ignore")

    def _header(self, row: Row, labels: dict[int, LabelMatch | None]) -> bool:
        group = header_group(
            lambda g: (role for cell in row.starting for role in self._header_roles(cell, g)),
            lambda g, roles: self._half_read_pair(row, labels, g, roles),
        )
        if group is None:
            return False
        section = SECTION_OF_GROUP[group]
        # A fund or indicator table this form holds already, after rows of another part (not
        # its header repeated over a page break, right after its rows): the next form.
        if section in ("funds", "indicators") and section != self._going_on and section in self._chain_parts():
            self._start_form_if(True, by_table=True)
        self._section_cells(row, labels)
        if group == "fund_columns" and self._fund_pairs(row, labels):
            return True
        columns: list[Column] = []
        unmatched: list[Cell] = []
        merged: list[tuple[Cell, list[str]]] = []
        spans = []
        for cell in row.starting:
            m = self._match(cell, group)
            section_label = (label := labels[id(cell)]) is not None and label.group == "sections"
            if m is not None:
                columns.append(Column(m.role, cell.box.x0, cell.box.x1))
                spans.append(cell.row_span)
            elif len(roles := self._header_roles(cell, group)) > 1:
                x0, width = cell.box.x0, cell.box.width / len(roles)
                columns += [Column(role, x0 + k * width, x0 + (k + 1) * width) for k, role in enumerate(roles)]
                merged.append((cell, roles))
                spans.append(cell.row_span)
            elif not section_label:
                unmatched.append(cell)
        # A header's own cells are as tall as its read ones; a tall section label beside them
        # (绩效指标 down the left, misread) is not a header cell.
        unmatched = [c for c in unmatched if c.row_span == min(spans)]
        if group == "fund_columns" and self.form.unit is None:
            self._unit_in_header(row)
        named, pending, merged_unread = unread_between(columns, unmatched, list(self.vocab.groups[group]))
        columns += named
        merged += merged_unread
        if group == "fund_columns" and all(c.role != "item" for c in columns):
            first = min(c.x0 for c in columns)
            left = [c for c in unmatched if c.box.x1 <= first + 1.0]
            if left:
                cell = max(left, key=lambda c: c.box.x0)
                columns.append(Column("item", cell.box.x0, cell.box.x1))
        self.mode.section = section
        self.mode.field_name = None
        self.mode.columns[section] = Columns(
            own_weights(columns, [c for cells, _ in pending for c in cells]), row.frame, pending=pending, merged=merged
        )
        self.mode.columns[section].settle([r for r in row.table_rows if r.y > row.y])
        self.form.has_content = True
        return True

    def _fund_pairs(self, row: Row, labels: dict[int, LabelMatch | None]) -> bool:
        """A fund table printed as label/value pairs across one row (计划安排资金（万元）| 320 |
        实际到位资金（万元）| 289.8 | …): the row is the table's first row, its first label the
        row's item; each value cell's column takes that role in the rows below, whose first
        cell names their source (其中：中央财政)."""
        cells = [
            c
            for c in sorted(row.starting, key=lambda c: c.box.x0)
            if (m := labels[id(c)]) is None or m.group != "sections"
        ]
        columns: list[Column] = []
        first: dict[str, Span] = {}
        for label, value in zip(cells[::2], cells[1::2]):
            m = self._match(label, "fund_columns")
            if m is None or self._match(value, "fund_columns") is not None:
                return False
            if not columns:
                columns.append(Column("item", label.box.x0, label.box.x1))
                first["item"] = self._span(label)
            columns.append(Column(m.role, value.box.x0, value.box.x1))
            first[m.role] = self._span(value)
        if len(cells) % 2 or len(columns) < 3:
            return False
        self.mode.section, self.mode.field_name = "funds", None
        self.mode.columns["funds"] = Columns(columns, row.frame)
        if self.form.unit is None:
            self._unit_in_header(row)
        self.form.fund_rows.append(first)
        self.form.has_content = True
        return True

    def _unit_in_header(self, row: Row) -> None:
        """The funds' unit where a cell of the fund table's header states it: （元） over the
        item column, 资金来源（万元）."""
        for cell in row.starting:
            unit = stated_unit(self._span(cell).text) if cell.words else None
            if unit is not None:
                self.form.unit = (unit, self._span(cell))
                return

    def _section_cells(self, row: Row, labels: dict[int, LabelMatch | None]) -> None:
        """Tall section labels (项目资金（元）, 绩效指标): the section, and the funds' unit."""
        for cell in row.starting:
            m = labels[id(cell)]
            if m is None or m.group != "sections" or m.role == "total":
                continue
            if m.role == "funds" and self.form.unit is None:
                unit = stated_unit(self._span(cell).text)
                if unit is not None:
                    self.form.unit = (unit, self._span(cell))
            if m.role != self.mode.section:
                self.mode.section = m.role
                self.mode.field_name = None

    def _field_row(self, row: Row, labels: dict[int, LabelMatch | None], unread: Row | None) -> bool:
        """Label cell followed by its value cell, once or twice in the row.

        A long text cut by a page break may show its label on the second page only (blank or
        clipped on the first): an unread row just before the break, whose text cell stands
        where this value does, is the text's beginning.
        """
        read = False
        for cell in row.starting:
            m = labels[id(cell)]
            if m is not None and m.group == "ignore":
                self._ignored_pair(cell, row, labels)
            if m is None or m.group != "fields":
                continue
            right = [c for c in row.covering if c.box.x0 >= cell.box.x1 - 1.0]
            value = right[0] if right else None
            if value is not None and labels.get(id(value)) is not None:
                value = None  # the next label: this one's value cell is missing
            if value is None and m.role == "project_name":
                self._start_form_if(self.form.has_content, by_table=True)
            if value is not None and m.role in _LONG_FIELDS and unread is not None and unread.page != row.page:
                head = [c for c in unread.starting if c.words and same_column(c, value)]
                if head:
                    self._field(m.role, self._span(head[0]))
                    self.form.pages.add(unread.page)
            if value is not None:
                self._field(m.role, self._span(value))
                if m.role in _LONG_FIELDS:
                    self.form.headings.setdefault(m.role, self._span(cell))
            # Labelled fields close the section above them (funds, indicators): the rows that
            # follow are other tables (评价人员, 支出明细), not more data.
            self.mode.section = None
            if m.role in _LONG_FIELDS and value is not None:
                self.mode.field_name = m.role
                self.mode.value_x = (value.box.x0, value.box.x1)
            else:
                self.mode.field_name = None
            read = True
        if not read and self.mode.section in (None, "goals", "other"):
            read = self._goal_rows(row, labels)
        if not read:
            for cell in row.starting:
                colon = _COLON.search(self._span(cell).text)
                # A label ends at the cell's first colon; a colon deep inside a text is prose.
                if labels[id(cell)] is None and colon is not None and colon.start() <= MAX_LABEL_CHARS:
                    read |= self._inline_pairs(self._span(cell), row.page)
        return read

    def _ignored_pair(self, cell: Cell, row: Row, labels: dict[int, LabelMatch | None]) -> None:
        """A label no field takes (项目地址, 邮编) and the value cell beside it: kept unmapped."""
        right = sorted((c for c in row.covering if c.box.x0 >= cell.box.x1 - 1.0), key=lambda c: c.box.x0)
        if right and labels.get(id(right[0])) is None and right[0].words:
            self._unmapped(self._span(cell), self._span(right[0]))

    def _unmapped(self, label: Span, value: Span) -> None:
        if clean(value) is not None:
            self.form.unmapped.append((label, value))

    def _goal_rows(self, row: Row, labels: dict[int, LabelMatch | None]) -> bool:
        """Goals printed down instead of across: a 预期目标 row, then a 实际完成情况 row."""
        width = row.frame[1] - row.frame[0]
        for cell in row.starting:
            m = self._match(cell, "goal_columns")
            right = [c for c in row.covering if c.box.x0 >= cell.box.x1 - 1.0]
            if m is None or not right or labels.get(id(right[0])) is not None:
                continue
            value = right[0]
            if not value.words or value.box.width < GOAL_TEXT_WIDTH * width:
                continue
            self.form.texts(m.role).append(self._span(value))
            self.mode.section = "goals"
            self.mode.field_name = m.role
            self.mode.value_x = (value.box.x0, value.box.x1)
            self.form.has_content = True
            return True
        return False

    def _field(self, role: str, span: Span) -> bool:
        """Record one labelled value; whether the role is a field this schema holds."""
        text = clean(span)
        if role == "project_name":
            # A second 项目名称 after the form's tables, or naming another project, is the next
            # form; the same name again (a cover page, then the form) is this one.
            known = self.form.scalars.get("project_name")
            self._start_form_if(
                self.form.has_content or (known is not None and text not in (None, known[0])), by_table=True
            )
        if role in _LONG_FIELDS:
            if text is not None:
                self.form.texts(role).append(span)
            return True
        if role == "fill_date":
            value: object = parse_date(text) if text else None
        elif role == "total_score":
            value = parse_number(text)
        else:
            value = text
        if value is None:
            return False
        self.form.set_scalar(role, value, span)
        return True

    def _total_row(self, row: Row, labels: dict[int, LabelMatch | None]) -> bool:
        label = next(
            (c for c in row.starting if (m := labels[id(c)]) and m.group == "sections" and m.role == "total"), None
        )
        # The 总分 row closes the indicators, possibly after a 自评等次 row (no section then), or
        # the scoring table (附件 绩效评价指标体系), whose totals count where the indicators print none.
        section = "rubric" if self.mode.section == "rubric" else "indicators"
        header = self.mode.columns.get(section)
        if header is None or self.mode.section not in (section, None):
            return False
        cells = assign(row.starting, header.at(row))
        if label is None and not self._unlabelled_total(row, cells):
            return False
        for role, name in (("weight", "total_weight"), ("score", "total_score")):
            cell = cells.get(role)
            if cell is not None:
                span = self._span(cell)
                value = parse_number(span.norm)
                if value is not None:
                    self.form.set_scalar(name, value, span)
        self.mode.section = None
        self.mode.field_name = None
        self.form.has_content = True
        return True

    def _unlabelled_total(self, row: Row, cells: dict[str, Cell]) -> bool:
        """A row of just 分值 and 得分 whose 分值 is the sum of the weights read (funds too):
        the 总分 row, its label printed elsewhere (a dump that lost the page's order)."""
        filled = [c for c in row.starting if c.words]
        if len(filled) != 2 or set(cells) != {"weight", "score"} or self.mode.section != "indicators":
            return False
        total = parse_number(self._span(cells["weight"]).norm)
        if total is None or parse_number(self._span(cells["score"]).norm) is None:
            return False
        weights = [parse_number(r["weight"].norm) for r in self.form.indicators if "weight" in r]
        # The fund table read last, which may stand in the fragment before (joined_fragments).
        fund_rows = next((f.fund_rows for f in reversed(self.forms) if f.fund_rows), [])
        funds = [parse_number(r["weight"].norm) for r in fund_rows if "weight" in r]
        indicators = sum(w for w in weights if w is not None)
        everything = indicators + sum(w for w in funds if w is not None)
        return min(abs(total - indicators), abs(total - everything)) <= SUM_TOLERANCE

    def _data_row(self, row: Row) -> bool:
        if self.mode.field_name is not None and self.mode.value_x is not None:
            x0, x1 = self.mode.value_x
            texts = [c for c in row.starting if c.box.x0 < (x0 + x1) / 2 < c.box.x1 and c.words]
            for cell in texts:
                self.form.texts(self.mode.field_name).append(self._span(cell))
            return bool(texts)
        section = self.mode.section
        header = self.mode.columns.get(section or "")
        if header is None:
            return False
        header.settle([row])
        columns = header.at(row)
        if section == "funds":
            return self._fund_row(row, columns)
        if section == "goals":
            return self._goal_row(row, columns)
        if section == "indicators":
            return self._indicator_row(row, columns)
        if section == "rubric":
            return self._rubric_row(row, columns)
        return False

    def _fund_row(self, row: Row, columns: list[Column]) -> bool:
        cells = assign(row.starting, columns)
        spans = {role: self._span(c) for role, c in cells.items()}
        if not any(clean(s) for s in spans.values()):
            return False
        self.form.fund_rows.append(spans)
        if self.form.unit is None:
            for role in ("initial_budget", "annual_budget", "executed"):
                unit = number_unit(spans[role].norm) if role in spans else None
                if unit is not None:
                    self.form.unit = (unit, spans[role])
                    break
        self.form.has_content = True
        return True

    def _goal_row(self, row: Row, columns: list[Column]) -> bool:
        cells = assign(row.starting, columns)
        read = False
        for role in ("expected", "actual"):
            cell = cells.get(role)
            if cell is not None and cell.words:
                self.form.goals[role].append(self._span(cell))
                read = True
        self.form.has_content |= read
        return read

    def _indicator_row(self, row: Row, columns: list[Column]) -> bool:
        return self._leveled_row(row, columns, ("name", "target", "actual"), self.form.indicators)

    def _rubric_row(self, row: Row, columns: list[Column]) -> bool:
        return self._leveled_row(row, columns, ("name", "description", "criteria"), self.form.rubric)

    def _leveled_row(
        self, row: Row, columns: list[Column], required: tuple[str, ...], into: list[dict[str, Span]]
    ) -> bool:
        """An indicator or scoring row: 一级/二级 from the tall cells reaching into it, the rest its own."""
        level_columns = [c for c in columns if c.role in LEVELS]
        levels = assign(row.covering, level_columns)
        values = assign(row.starting, [c for c in columns if c.role not in LEVELS])
        spans = {role: self._span(c) for role, c in values.items()}
        if into and self._row_tail(row, spans, into[-1]):
            for role, span in spans.items():
                if clean(span) is not None:
                    into[-1][role] = join([into[-1][role], span]) if role in into[-1] else span
            return True
        if not any(clean(spans[r]) for r in required if r in spans):
            return False
        if not levels and len(level_columns) == len(LEVELS):
            # One cell over both level columns (服务对象满意度指标 printed once for 一级 and 二级).
            inside = [[c.box.x0 < col.cx < c.box.x1 for col in columns] for c in row.covering]
            wanted = [col.role in LEVELS for col in columns]
            both = [c for c, hits in zip(row.covering, inside, strict=True) if hits == wanted]
            if len(both) == 1:
                levels = {role: both[0] for role in LEVELS}
        for role in LEVELS:
            span = self._level(row, role, levels.get(role), spans, into)
            if span is not None:
                spans[role] = span
        into.append(spans)
        self._leveled_page = row.page
        self.form.has_content = True
        return True

    def _level(
        self, row: Row, role: str, cell: Cell | None, spans: dict[str, Span], into: list[dict[str, Span]]
    ) -> Span | None:
        """The row's 一级 or 二级: its tall cell's text, or the level above where that cell is
        blank or is the rest of a tall cell a page break cut."""
        if cell is not None and id(cell) in self._level_tails:
            return self._level_tails[id(cell)]
        span = self._span(cell) if cell is not None else None
        above = into[-1] if into else {}
        if role not in above:
            return span
        if span is None or clean(span) is None:
            # A blank level cell continues the level above it: a tall cell cut by a page break
            # is printed blank on the next page (LibreOffice, browsers), and a filler may leave
            # the rows under a level blank instead of merging them. A blank 二级 goes on only
            # under the same 一级.
            same_level1 = _same_text(spans.get("level1"), above.get("level1"))
            return above[role] if role == "level1" or same_level1 else span
        if cell is None or row.page == self._leveled_page or self._level_label(role, span):
            return span
        # The rest of a tall cell a page break cut (标(40分), 指标, 度指标) continues the
        # level above; where the head alone is no level (满意|度指标), the two make it, for
        # the rows above too. Unknown text as long as a level is a level of its own.
        head = above[role]
        if self._level_label(role, head) and len(_CJK_OUTSIDE_BRACKETS.findall(span.norm)) <= MAX_LEVEL_TAIL:
            self._level_tails[id(cell)] = head
            return head
        whole = join([head, span])
        if not self._level_label(role, whole):
            return span
        for earlier in into:
            if earlier.get(role) is head:
                earlier[role] = whole
        self._level_tails[id(cell)] = whole
        return whole

    def _level_label(self, role: str, span: Span | None) -> bool:
        text = clean(span) if span is not None else None
        if text is None:
            return False
        if role == "level1":
            return self.vocab.canonical_level1(text) is not None
        return self.vocab.canonical_level2(text, None) is not None

    def _row_tail(self, row: Row, spans: dict[str, Span], above: dict[str, Span]) -> bool:
        """Whether the row is the rest of the one above, cut by a page break: word processors
        print what did not fit (the end of a long name or reason) as a row of its own at the
        top of the next page, its short cells (values, weights, scores) left blank while the
        row above has them."""
        if row.page == self._leveled_page:
            return False

        def filled(values: dict[str, Span], role: str) -> bool:  # a printed dash counts
            return role in values and bool(values[role].text.strip())

        # Weights and scores are one number, never cut; without them, values and targets.
        for short in (("weight", "score"), ("target", "actual")):
            if any(filled(above, r) for r in short):
                return not any(filled(spans, r) for r in short)
        return False

    # -- output --------------------------------------------------------------------------------
    def finish(self) -> list[MappedForm]:
        out = []
        for state in joined_fragments(self.forms):
            if state.has_content or state.has("project_name"):
                out.append(build_form(state, self.vocab, self.grade_in_text))
        return out


def _same_text(a: Span | None, b: Span | None) -> bool:
    return a is not None and b is not None and clean(a) == clean(b)


def _is_year_line(text: str) -> bool:
    year = parse_year(text)
    return year is not None and len(text) - len(f"{year}年度") <= _YEAR_LINE_RESIDUE and not _COLON.search(text)
