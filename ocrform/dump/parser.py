"""Dumps that keep each printed line (pdftotext in layout or raw order, and the like) → pages.

Geometry is synthetic (``ocrform.dump.lines``). Table rows are rebuilt from the token
structure: a line whose tokens name two or more columns of one header group
(models/labels.json) is a header and fixes that section's columns; the lines after it are
read as that section's rows (fund rows, goal paragraphs, indicator rows with their level
labels and wrapped names); labels printed one character per line (绩/效/指/标) or wrapped
(项目资金/（元）) are joined and read as one tall label cell. Parts a dump printed apart from
their table go back to it (``ocrform.dump.apart``). Cells get boxes on a synthetic column
grid (``ocrform.dump.builder``), so ``ocrform.form.mapping.map_cells_to_form`` reads them
like any table.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ocrform.dump.apart import PartsApart
from ocrform.dump.builder import PageBuilder, RowFacts, TableRef
from ocrform.dump.lines import (
    BRACKETED_ONLY,
    CJK,
    COLON,
    FRAME_WIDTH,
    LABEL_WIDTH,
    LINE_HEIGHT,
    TEXT_ROLES,
    DumpLine,
    double_spaced,
    dump_line,
    inline_pair,
    is_label,
    is_value,
    joined_norm,
    number,
    partition_lines,
    spacing_blanks,
    split_by_width,
    texts_before_values,
)
from ocrform.errors import InputError
from ocrform.form.labels import MAX_LABEL_CHARS, SECTION_OF_GROUP, LabelMatch, Vocabulary, header_group, vocabulary
from ocrform.model import Page, PageContent, Word
from ocrform.text import normalize

# A label printed one character per line, or wrapped, spans this many short lines at most.
MAX_LABEL_LINES = 8
MAX_LABEL_LINE_CHARS = 6
# A wrapped column label's tail on a line of its own: A）, (B), B/A）.
MAX_TAIL_CHARS = 5
# Each line of a field label wrapped around its value (实施 / … / 单位) is this short.
MAX_WRAPPED_LABEL_PART = 3
# The rest of a wrapped cell on a line of its own, in a table whose rows no number closes
# (重大网络中断事件发生次 / 数): at most this many characters.
MAX_WRAP_TAIL_CHARS = 2
# A free line this long is prose (a goal's text), not a label.
PROSE_CHARS = 12
# Fields printed side by side on one row of every layout (主管部门 | … | 实施单位 | …).
ROW_PARTNERS = {"department", "implementer"}


def read_text_dump(path: Path) -> list[PageContent]:
    """The pages of a text dump (pages split at form feeds) as words, tables and free words."""
    return read_text(decode_text_dump(path))


# A text dump's size: a form's dump is 9-37 KB (the seeds), so 2 MiB holds some sixty forms;
# beyond it the reading and the repair (linear, about 1 ms a character at their budget's
# end) would run for many minutes on what is no dump of forms.
MAX_TEXT_BYTES = 2 * 1024 * 1024


def decode_text_dump(path: Path) -> str:
    """The dump's text, from UTF-8 (with or without BOM), UTF-16 (with its BOM) or GB18030,
    the encodings such dumps come in."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise InputError(path, f"text dump of {size} bytes, over the limit of {MAX_TEXT_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, "not valid UTF-16 text") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputError(path, "not UTF-8 or GB18030 text") from exc
    return text


def read_text(text: str) -> list[PageContent]:
    """``read_text_dump`` on text already in memory."""
    parser = _Parser(vocabulary())
    out = []
    spaced = double_spaced(text.splitlines())
    for index, page_text in enumerate(text.split("\f")):
        raw = page_text.splitlines()
        spacing = spacing_blanks(raw) if spaced else set()
        lines = [dump_line(n, s, index) for n, s in enumerate(raw) if n not in spacing]
        if not any(ln.norm for ln in lines) and index > 0:
            continue
        page = Page(
            index=index,
            width=FRAME_WIDTH,
            height=max(len(lines), 1) * LINE_HEIGHT,
            words=[w for ln in lines for w in ln.words],
            kind="text",
        )
        builder = PageBuilder(index)
        parser.run(builder, lines)
        out.append(builder.content(page))
    waiting = [w for block in parser.pending for w in block]
    if out and waiting:
        # Texts still waiting for a row's numbers when the dump ends are free words, not lost.
        out[-1] = replace(out[-1], free_words=[*out[-1].free_words, *waiting])
    return out


class _Parser(PartsApart):
    """Walks the lines page after page and writes free lines and table rows into each page's builder.

    The section and its columns carry over a page break: a table goes on on the next page.
    """

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.out = PageBuilder(0)
        self.lines: list[DumpLine] = []
        self.pos = 0
        self.section: str | None = None
        self.columns: list[tuple[str, float, float]] = []
        self.tall: list[Word] | None = None  # a tall label waiting for the row it starts
        self.tall_role: str | None = None  # the section it names
        self.level1: list[Word] = []
        self.level2: list[Word] = []
        # Texts of a row whose values come later (a wrapped name, a target): a line of several words
        # holds one single-line cell per word; consecutive one-word lines are one wrapped cell.
        self.pending: list[list[Word]] = []
        self.glue = False  # whether the next one-word line goes on with the last pending text
        self.level_fresh = False  # a 二级 label was read and no row since
        self.goal_blocks: list[list[Word]] = []
        # A column label wrapped onto lines above its header line (一级指 / 标): (words, role).
        self.head_prefix: tuple[list[Word], str] | None = None
        self.open_field: list[Word] | None = None  # the label of a text that reached the page's end
        # The fund row being read: its cells, and the value columns its numbers have not reached yet.
        self.fund: tuple[list[tuple[float, float, list[Word]]], list[tuple[str, float, float]]] | None = None
        self.resuming = False  # indicator rows go on after other parts (_resumed_indicators)
        self.reason_context: str | None = None  # the level label printed apart last (_reason_texts)
        # Field labels printed with no value after them: (role, label words); see _field_row.
        self.orphans: list[tuple[str, list[Word]]] = []
        # Free lines of prose since the last row, and those just before a goals header with
        # no text under it (a dump printed the goals' text first): see _close_goals.
        self.prose: tuple[int, list[Word]] = (0, [])
        self.loose: tuple[int, list[DumpLine]] = (0, [])  # short free lines since row n
        self.prose_before_goals: list[Word] = []
        self.goals_header: list[Word] = []
        # The last table of each section, for what a dump printed apart from it (see _apart).
        self.tables: dict[str, TableRef] = {}

    # -- driving -------------------------------------------------------------------------------
    def run(self, builder: PageBuilder, lines: list[DumpLine]) -> None:
        self.out, self.lines, self.pos = builder, lines, 0
        if self.open_field is not None:
            self._continued_paragraph(self.open_field)
            self.open_field = None
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if not line.norm:
                self._blank()
                self.pos += 1
                continue
            if self._apart():
                continue
            if self._label_around_value():
                continue
            if self._label_run():
                self._flush_fund()
                continue
            self.pos += 1
            self._content(line)
        self._flush_fund()
        self._close_goals()
        for _, label in self.orphans:
            self.out.free_words.extend(label)
        self.orphans = []

    def _blank(self) -> None:
        if self.section == "goals" and self.goal_blocks and self.goal_blocks[-1]:
            self.goal_blocks.append([])
        self.glue = False

    def _content(self, line: DumpLine) -> None:
        if self.fund is not None and self.section == "funds" and self._fund_continues(line):
            return
        self._flush_fund()
        if self._column_apart(line):
            return
        if self.vocab.is_title(line.text) and len(line.words) <= 2:
            # A title line ends whatever was being read (a dump may print it mid-table).
            self._close_goals()
            self.out.free_words.extend(w for b in self.pending for w in b)
            self._drop_pending()
            self.out.free_words.extend(line.words)
            self.section, self.resuming = None, False
            return
        header = self._header(line)
        if header is None and self._resumed_indicators(line):
            return
        if header is not None:
            self._close_goals()
            self._header_row(line, header)
            return
        if self._field_row(line):
            return
        if self.section == "funds" and self._fund_row(line):
            return
        if self.section == "goals" and texts_before_values(line.words) is None and not is_value(line.words[0]):
            # (A goal's text is prose: a line that is or ends in numbers ends it.)
            if COLON.search(line.norm[:8]):
                self._close_goals()
                self.out.free_words.extend(line.words)
                return
            if not self.goal_blocks:
                self.goal_blocks.append([])
            self.goal_blocks[-1].extend(line.words)
            return
        if self.section in ("indicators", "rubric") and self._indicator_line(line):
            return
        self._close_goals()
        self.out.free_words.extend(w for b in self.pending for w in b)
        self._drop_pending()
        self.out.free_words.extend(line.words)
        mark, loose = self.loose
        loose = loose if mark == len(self.out.rows) else []
        if len(line.norm) <= MAX_LABEL_LINE_CHARS * 2 and len(line.words) == 1:
            self.loose = (len(self.out.rows), [*loose, line])
        else:
            self.loose = (len(self.out.rows), [])
        mark, prose = self.prose
        if mark != len(self.out.rows):
            prose = []
        if prose or len(line.norm) >= PROSE_CHARS:  # prose starts with a long line
            prose = [*prose, *line.words]
        self.prose = (len(self.out.rows), prose)

    # -- labels --------------------------------------------------------------------------------
    def _label_run(self) -> bool:
        """A section or field label printed over several short lines (or one, when tall)."""
        if self._header(self.lines[self.pos]) is not None:
            return False  # a header whose labels stand one a line (a dump of one cell a line)
        run: list[DumpLine] = []
        for line in self.lines[self.pos : self.pos + MAX_LABEL_LINES]:
            if (
                not line.norm
                or inline_pair(line.norm)
                or len(line.words) != 1
                or sum(len(ln.norm) for ln in run) + len(line.norm) > MAX_LABEL_CHARS
            ):
                break
            run.append(line)
        first = self.lines[self.pos]
        if not run and len(first.words) == 1 and not self._in_levels() and self.vocab.match(first.text, "sections"):
            # A section label on one line of its own: 二、项目资金情况（单位：元）.
            run = [first]
        best = 0
        found: LabelMatch | None = None
        for k in range(1, len(run) + 1):
            joined = "".join(ln.norm for ln in run[:k])
            if k == 1 and BRACKETED_ONLY.fullmatch(joined):
                break
            m = self.vocab.match(joined, "sections", "fields")
            if m is not None and m.role != "total":
                best, found = k, m
        if found is None and len(run) > 1:
            return self._header_prefix(run)
        if found is None or (best == 1 and len(run[0].norm) < 3):
            return False
        joined = "".join(ln.norm for ln in run[:best])
        if found.group == "sections" and found.distance > 0 and self._is_level(joined):
            return False  # 时效指标 is a level, not a misprinted 绩效指标
        if self.section in ("indicators", "rubric") and self._is_level("".join(ln.norm for ln in run[:best])):
            return False
        # A bracketed tail on the next line belongs to the label: 项目资金 / （元）.
        while best < len(run) and BRACKETED_ONLY.fullmatch(run[best].norm):
            best += 1
        words = [w for ln in run[:best] for w in ln.words]
        self.pos += best
        self._close_goals()
        if found.group == "fields":
            self._labelled_paragraph(words, found.role)
        else:
            self._emit_tall()
            self.section = found.role
            self.tall, self.tall_role = words, found.role
        return True

    def _emit_tall(self) -> None:
        """A tall label no row took, as a row of its own: its section and unit still count."""
        if self.tall:
            self.out.row([(0.0, LABEL_WIDTH, self.tall)])
        self.tall = None

    def _label_around_value(self) -> bool:
        """A field label wrapped around its value: 实施 / 淮南市人民政府办公室 / 单位 (a cell
        whose label column wraps and whose value is centred between the label's lines)."""
        lines = self.lines[self.pos : self.pos + 3]
        if len(lines) < 3 or any(len(ln.words) != 1 for ln in lines):
            return False
        head, value, tail = lines
        if max(len(head.norm), len(tail.norm)) > MAX_WRAPPED_LABEL_PART or is_label(self.vocab, value.text):
            return False
        m = self.vocab.match(head.norm + tail.norm, "fields")
        if m is None or m.distance > 0 or is_value(value.words[0]):
            return False
        label = [*head.words, *tail.words]
        self.out.row([(0.0, LABEL_WIDTH, label), (LABEL_WIDTH, FRAME_WIDTH, value.words)], at=value.words)
        self.pos += 3
        return True

    def _in_levels(self) -> bool:
        return self.section in ("indicators", "rubric") and bool(self.level1 or self.level2)

    def _header_prefix(self, run: list[DumpLine]) -> bool:
        """A column label wrapped over short lines just above the header line it belongs to."""
        joined = "".join(ln.norm for ln in run)
        after = self.pos + len(run)
        while after < len(self.lines) and not self.lines[after].norm:
            after += 1
        if after >= len(self.lines):
            return False
        header = self._header(self.lines[after])
        if header is None:
            return False
        m = self.vocab.match_each_group(joined).get(header[0])
        if m is None or m.role in header[1]:
            return False
        self.head_prefix = ([w for ln in run for w in ln.words], m.role)
        self.pos += len(run)
        return True

    def _labelled_paragraph(self, label: list[Word], role: str) -> None:
        """A tall field label (自评结论) and the text beside it, up to the next blank line or label.

        A label with nothing after it waits for a line that prints its value with another's
        (``主管部门 甲单位 甲单位``: pdftotext drew 实施单位 first and its value there).
        """
        value = self._paragraph()
        if not value:
            self.orphans.append((role, label))
            return
        self.section = None
        # Cut by a page break: the next page may go on with the text (and a clipped label).
        self.open_field = label if all(not ln.norm for ln in self.lines[self.pos :]) else None
        self.out.row([(0.0, LABEL_WIDTH, label), (LABEL_WIDTH, FRAME_WIDTH, value)])

    def _paragraph(self) -> list[Word]:
        value: list[Word] = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if not line.norm:
                if value:
                    break
                self.pos += 1
                continue
            if COLON.search(line.norm[:8]) and self.vocab.label_before_colon(
                COLON.split(line.norm, 1)[0], "fields", "ignore"
            ):
                break
            if self._header(line) is not None:
                break  # the label stood alone (its value printed elsewhere): a table follows
            if value and len(line.words) == 1 and self._whole_label(line):
                break  # the next cell's label, on a line of its own (a dump of one cell a line)
            value.extend(line.words)
            self.pos += 1
        return value

    def _whole_label(self, line: DumpLine) -> bool:
        """A line that is exactly a field or section label (not text that resembles one)."""
        m = self.vocab.match(line.text, "fields", "sections")
        return m is not None and m.distance == 0

    def _continued_paragraph(self, label: list[Word]) -> None:
        """The rest of a labelled text at the top of the next page, after what is left of its label."""
        name = normalize("".join(w.text for w in label))
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.norm and (len(line.words) != 1 or line.norm not in name):
                break
            self.pos += 1
        if self.pos < len(self.lines) and (
            self._header(self.lines[self.pos])
            or self._is_any_label(self.pos)
            or self.vocab.is_title(self.lines[self.pos].text)
        ):
            return
        value = self._paragraph()
        if value:
            self.out.row([(LABEL_WIDTH, FRAME_WIDTH, value)])

    def _is_any_label(self, pos: int) -> bool:
        line = self.lines[pos]
        return (len(line.words) == 1 and is_label(self.vocab, line.text)) or inline_pair(line.norm)

    # -- headers -------------------------------------------------------------------------------
    def _header(self, line: DumpLine) -> tuple[str, list[str | None]] | None:
        """(group, each word's role) of a header line; a header whose next cell wrapped prints
        its labels on lines of their own, so one label counts when such a line follows."""

        def roles(group: str) -> list[str | None]:
            return [m.role if (m := self.vocab.match_each_group(w.text).get(group)) else None for w in line.words]

        group = header_group(
            lambda g: (r for r in roles(g) if r is not None),
            lambda g, found: (
                len(found) == 1 and len(line.words) == 1 and self._next_header_line(g, label=True) is not None
            ),
        )
        return None if group is None else (group, roles(group))

    def _next_header_line(self, group: str, label: bool) -> int | None:
        """The position of the next non-blank line when it goes on with a header of ``group``:
        column labels and wrapped labels' tails (A）), with a label among them if ``label``."""
        pos = self.pos
        while pos < len(self.lines) and not self.lines[pos].norm:
            pos += 1
        if pos >= len(self.lines):
            return None
        words = self.lines[pos].words
        found = [self.vocab.match_each_group(w.text).get(group) for w in words]
        tails = [not CJK.search(w.text) and len(w.text) <= MAX_TAIL_CHARS and not is_value(w) for w in words]
        if not all(m is not None or t for m, t in zip(found, tails, strict=True)):
            return None
        if label and not any(found):
            return None
        return pos

    def _header_row(self, line: DumpLine, header: tuple[str, list[str | None]]) -> None:
        group, roles = header
        section = SECTION_OF_GROUP[group]
        heads = [[w] for w in line.words]
        self._header_continues(group, heads, roles)
        if self.head_prefix is not None:
            heads.insert(0, self.head_prefix[0])
            roles.insert(0, self.head_prefix[1])
            self.head_prefix = None
        if group == "fund_columns" and roles[0] is None and BRACKETED_ONLY.fullmatch(normalize(line.words[0].text)):
            roles[0] = "item"  # the item column's header states the unit: （元）
        if group == "fund_columns" and "item" not in roles:
            # The item column's header cell is often blank; its rows still print the item first.
            heads.insert(0, [])
            roles.insert(0, "item")
        width = (FRAME_WIDTH - LABEL_WIDTH) / len(heads)
        self.columns = [
            (role or "", LABEL_WIDTH + k * width, LABEL_WIDTH + (k + 1) * width) for k, role in enumerate(roles)
        ]
        cells = [(x0, x1, ws) for (_, x0, x1), ws in zip(self.columns, heads, strict=True)]
        if self.tall and self.tall_role not in (None, section, "other"):
            self._emit_tall()  # a label of another part, printed apart from its table
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            self.tall = None
        n = self.out.row(cells)
        self.resuming, self.reason_context = False, None
        if n is not None:
            self.tables[section] = TableRef(self.out, n, list(self.columns))
        self.section = section
        self.level1, self.level2 = [], []
        self._drop_pending()
        self.goal_blocks = []
        mark, prose = self.prose
        self.prose_before_goals = prose if section == "goals" and mark == len(self.out.rows) - 1 else []
        if section == "goals":
            self.goals_header = line.words

    def _header_continues(self, group: str, heads: list[list[Word]], roles: list[str | None]) -> None:
        """Header cells printed over further lines: more column labels, or a wrapped label's tail (A）)."""
        while True:
            pos = self._next_header_line(group, label=False)
            if pos is None:
                wrapped = self._wrapped_header_label(group)
                if wrapped is None:
                    return
                words, role, self.pos = wrapped
                heads.append(words)
                roles.append(role)
                continue
            words = self.lines[pos].words
            found = [self.vocab.match_each_group(w.text).get(group) for w in words]
            for w, m in zip(words, found, strict=True):
                if m is None:
                    heads[-1].append(w)
                else:
                    heads.append([w])
                    roles.append(m.role)
            self.pos = pos + 1

    def _wrapped_header_label(self, group: str) -> tuple[list[Word], str, int] | None:
        """A column label wrapped over two lines of its own (指标（目标） / 值): its words, role
        and the position after it."""
        first = self._next_content(self.pos)
        second = self._next_content(first + 1) if first is not None else None
        if first is None or second is None:
            return None
        a, b = self.lines[first], self.lines[second]
        if len(a.words) != 1 or len(b.words) != 1:
            return None
        m = self.vocab.match_each_group(a.norm + b.norm).get(group)
        if m is None or m.distance > 0:
            return None
        return [*a.words, *b.words], m.role, second + 1

    def _column(self, role: str) -> tuple[float, float] | None:
        return next(((x0, x1) for r, x0, x1 in self.columns if r == role), None)

    # -- field rows ----------------------------------------------------------------------------
    def _field_row(self, line: DumpLine) -> bool:
        """``项目名称 value`` or ``主管部门 value 实施单位 value``: labels and values side by side."""
        labels = [self.vocab.match(w.text, "fields") for w in line.words]
        if labels[0] is None or COLON.search(line.words[0].text):
            return False
        groups: list[list[Word]] = []
        for w, m in zip(line.words, labels, strict=True):
            if m is not None or not groups:
                groups.append([w])
                groups.append([])
            else:
                groups[-1].append(w)
        role = labels[0].role if labels[0] else None
        orphan = next((o for o in self.orphans if {o[0], role} == ROW_PARTNERS), None)
        if (
            len(groups) == 2
            and len(groups[1]) == 2
            and orphan is not None
            and not BRACKETED_ONLY.fullmatch(normalize(groups[1][1].text))
        ):
            # Two names after 主管部门, its partner 实施单位 printed alone earlier (pdftotext
            # drew that label first): the second name is the partner's.
            self.orphans.remove(orphan)
            groups = [groups[0], groups[1][:1], orphan[1], groups[1][1:]]
        width = FRAME_WIDTH / len(groups)
        cells = [(k * width, (k + 1) * width, ws) for k, ws in enumerate(groups)]
        if self.tall and self.tall_role in SECTION_OF_GROUP.values():
            self._emit_tall()  # 项目资金（元）printed apart: no label of the fields beside it
        if self.tall:
            cells.insert(0, (0.0, LABEL_WIDTH, self.tall))
            cells[1] = (LABEL_WIDTH, cells[1][1], cells[1][2])
            self.tall = None
        self.out.row(cells, at=line.words)
        self.section = None
        return True

    # -- funds ---------------------------------------------------------------------------------
    def _fund_row(self, line: DumpLine) -> bool:
        """A fund row; an item wrapped onto lines of its own (其中：上级补 / 助：) waits for its numbers."""
        words = line.words
        first_value = next((k for k, w in enumerate(words) if is_value(w)), None)
        if first_value is None:
            if len(line.norm) > MAX_LABEL_CHARS or is_label(self.vocab, line.text):
                return False
            self._pend(words)
            return True
        if not all(is_value(w) for w in words[first_value:]):
            return False
        item, values = words[:first_value], words[first_value:]
        if not item:
            item = [w for b in self.pending for w in b]
            if not item:
                return False
        self._drop_pending()
        slots = [c for c in self.columns if c[0] != "item"]
        item_col = self._column("item") or (0.0, LABEL_WIDTH)
        self.fund = ([(item_col[0], item_col[1], item)], slots)
        self._fund_values(values)
        return True

    def _pend(self, words: list[Word], tail_only: bool = False) -> None:
        """Texts waiting for their row: a line of several words holds one cell per word; a
        line of one word goes on with the cell before, or only a wrapped label's short tail
        does (``tail_only``: rows with no numbers to close them, one cell a line)."""
        short_tail = len(normalize(words[0].text)) <= MAX_WRAP_TAIL_CHARS if len(words) == 1 else False
        if len(words) > 1:
            self.pending.extend([w] for w in words)
            self.glue = False
        elif self.glue and (not tail_only or short_tail):
            self.pending[-1].extend(words)
        else:
            self.pending.append(list(words))
            self.glue = True

    def _drop_pending(self) -> None:
        self.pending = []
        self.glue = False

    def _fund_values(self, values: list[Word]) -> None:
        assert self.fund is not None
        cells, slots = self.fund
        cells += [(x0, x1, [w]) for (_, x0, x1), w in zip(slots, values, strict=False)]
        self.fund = (cells, slots[len(values) :])

    def _fund_continues(self, line: DumpLine) -> bool:
        """Numbers of the fund row above wrapped onto lines of their own (100.00% / 10.00)."""
        assert self.fund is not None
        if not self.fund[1] or self.pending or not all(is_value(w) for w in line.words):
            return False
        self._fund_values(line.words)
        return True

    def _flush_fund(self) -> None:
        if self.fund is not None:
            n = self.out.row(self.fund[0])
            ref = self.tables.get("funds")
            if n is not None and ref is not None and ref.builder is self.out:
                ref.rows.append(n)
            self.fund = None

    # -- goals ---------------------------------------------------------------------------------
    def _close_goals(self) -> None:
        """Goal paragraphs under a 预期目标 | 实际完成情况 header: one per column, in order."""
        blocks = [b for b in self.goal_blocks if b]
        self.goal_blocks = []
        if not blocks and self.prose_before_goals:
            # No text under the header, but prose just above it: the goals, printed first.
            taken = {id(w) for w in self.prose_before_goals}
            self.out.free_words = [w for w in self.out.free_words if id(w) not in taken]
            blocks = [self.prose_before_goals]
        self.prose_before_goals = []
        if not blocks:
            return
        cols = [(x0, x1) for r, x0, x1 in self.columns if r in ("expected", "actual")]
        if len(blocks) == 1 and len(cols) == 2:
            blocks = split_by_width(blocks[0])
        lines = {w.box.y0 for w in blocks[0]}
        if len(blocks) == 1 and len(lines) == 1 and len(blocks[0]) == len(cols):
            # Both goals short enough for one printed line each, side by side on one dump line.
            blocks = [[w] for w in blocks[0]]
        if len(blocks) > len(cols):
            blocks = [*blocks[: len(cols) - 1], [w for b in blocks[len(cols) - 1 :] for w in b]]
        # Text printed before its header stands under it all the same.
        header_y = max((w.box.y0 for w in self.goals_header), default=-1.0)
        after = [w for b in blocks for w in b if w.box.y0 > header_y]
        self.out.row([(x0, x1, b) for (x0, x1), b in zip(cols, blocks, strict=False)], at=after or self.goals_header)
        self.section = None

    # -- indicators ----------------------------------------------------------------------------
    def _indicator_line(self, line: DumpLine) -> bool:
        norm = line.norm
        if len(line.words) == 1 and BRACKETED_ONLY.fullmatch(norm):
            # The tail of what stands just above: a wrapped name (畅通率 / （%）) or level (产出指标 / (50分)).
            if self.glue:
                self.pending[-1].extend(line.words)
            else:
                (self.level2 or self.level1).extend(line.words)
            return True
        line = self._values_over_lines(line)
        total = self.vocab.match(line.words[0].text, "sections")
        if total is not None and total.role == "total":
            self._total_row(line)
            return True
        # A line right under wrapped text (no blank line between) goes on with it: 用户 / 满意度.
        if not self.glue and self._level_label(line):
            return True
        words = line.words
        if len(words) > 1 and texts_before_values(words) is None and self._is_level(words[0].text):
            # 数量指标 迁移上云完成率 100%: a level, then a row's first texts (the rest wrapped below).
            self._level_label(DumpLine(line.index, words[0].text, [words[0]]))
            words = words[1:]
        while (texts_before_values(words) or 0) > len(TEXT_ROLES) and self._is_level(words[0].text):
            # 时效指标 服务及时性 …: level labels and the row they start on one line.
            self._level_label(DumpLine(line.index, words[0].text, [words[0]]))
            words = words[1:]
        self.tall = None
        if self._total_apart(words):
            return True
        row = self._indicator_values(words)
        if row is None:
            # A wrapped name or target; the row's values follow on a later line.
            self._pend(words, tail_only=self._texts_only())
            row = self._texts_row()
            if row is None:
                return True
        name, target, actual, weight, score, reason = row
        self._drop_pending()
        fresh, self.level_fresh = self.level_fresh, False
        cells: list[tuple[float, float, list[Word]]] = []
        shared = 0
        for role, words in (
            ("level1", self.level1),
            ("level2", self.level2),
            ("name", name),
            ("target", target),
            ("actual", actual),
            ("weight", weight),
            ("score", score),
            ("deviation_reason", reason),
        ):
            col = self._column(role)
            if col is not None and words:
                cells.append((col[0], col[1], words))
                shared += role in ("level1", "level2")
        n = self.out.row(cells, shared, y=self._resume_y())
        ref = self.tables.get(self.section or "")
        if n is not None and ref is not None and ref.builder is self.out:
            ref.rows.append(n)
            level2 = self._canonical2(self._canonical1())
            ref.levels.append(RowFacts(level2, fresh, number(weight), number(score), joined_norm(name)))
        return True

    def _texts_only(self) -> bool:
        """Whether the table's rows end in texts (no 分值/得分 columns: the Hunan report)."""
        return (
            self.section == "indicators"
            and self._column("name") is not None  # the indicator header's columns, not the goals'
            and self._column("weight") is None
            and self._column("score") is None
        )

    def _texts_row(self) -> tuple[list[Word], list[Word], list[Word], list[Word], list[Word], list[Word]] | None:
        """A row of a table with no numbers to close its rows: complete once a cell stands for
        each text column (name, target, actual)."""
        if not self._texts_only():
            return None
        roles = [r for r in TEXT_ROLES if self._column(r) is not None]
        blocks = [b for b in self.pending if b]
        if not roles or len(blocks) < len(roles):
            return None
        texts = dict(zip(roles, blocks[-len(roles) :], strict=True))
        return texts.get("name", []), texts.get("target", []), texts.get("actual", []), [], [], []

    def _values_over_lines(self, line: DumpLine) -> DumpLine:
        """A row's 分值 and 得分 one per line (a dump that writes each cell on a line of its
        own) as the one line they close the row on."""
        run = [self.pos - 1]  # this line and the single numbers right after it
        while (nxt := self._next_content(run[-1] + 1)) is not None and self._single_number(nxt):
            run.append(nxt)
        if not self._single_number(self.pos - 1) or len(run) != 2:
            return line  # of three or more, the first are the row's texts (≥90%, 100%)
        nxt = run[1]
        self.pos = nxt + 1
        return DumpLine(line.index, f"{line.text} {self.lines[nxt].text}", [*line.words, *self.lines[nxt].words])

    def _single_number(self, pos: int) -> bool:
        words = self.lines[pos].words
        return len(words) == 1 and number(words) is not None

    def _level_label(self, line: DumpLine) -> bool:
        """A 一级 or 二级 label line, possibly wrapped onto the next two (社会效益指 / 标,
        服务对象 / 满意度 / 指标); the longest reading that names a level wins."""
        if len(line.words) != 1:
            return False
        candidates = [(line.norm, [line])]
        for nxt in self.lines[self.pos : self.pos + 2]:
            if not nxt.norm or len(nxt.words) != 1 or len(nxt.norm) > MAX_LABEL_LINE_CHARS:
                break
            lines = [*candidates[0][1], nxt]
            candidates.insert(0, (candidates[0][0] + nxt.norm, lines))
        for joined, lines in candidates:
            key = BRACKETED_ONLY.sub("", joined)
            level1 = self.vocab.canonical_level1(key)
            # Where no 一级 is printed beside the rows (a dump put it elsewhere), the 二级 read
            # so far tells which one they are under: 成本指标 after 数量指标 is a 二级.
            current = self._canonical1() or self.vocab.parent_level1(self._canonical2(None) or "")
            level2 = self.vocab.canonical_level2(key, current)
            if level2 is not None and self.level_fresh and level2 == self._canonical2(current):
                # The same 二级 label again before any row: a 三级 name that repeats it.
                return False
            # 成本指标 is a 一级 label of its own and a 二级 one under 产出指标: the level above decides.
            if level2 is not None and current is not None and self.vocab.parent_level1(level2) == current:
                self.level2 = [w for ln in lines for w in ln.words]
            elif level1 is not None:
                self.level1, self.level2 = [w for ln in lines for w in ln.words], []
            elif level2 is not None:
                self.level2 = [w for ln in lines for w in ln.words]
            else:
                continue
            self.level_fresh = bool(self.level2)
            self.pos += len(lines) - 1
            self._drop_pending()
            return True
        return False

    def _canonical2(self, level1: str | None) -> str | None:
        text = normalize("".join(w.text for w in self.level2))
        return self.vocab.canonical_level2(BRACKETED_ONLY.sub("", text), level1) if text else None

    def _is_level(self, text: str) -> bool:
        key = BRACKETED_ONLY.sub("", text)
        return self.vocab.canonical_level1(key) is not None or self.vocab.canonical_level2(key, None) is not None

    def _canonical1(self) -> str | None:
        return self.vocab.canonical_level1(BRACKETED_ONLY.sub("", normalize("".join(w.text for w in self.level1))))

    def _indicator_values(
        self, words: list[Word]
    ) -> tuple[list[Word], list[Word], list[Word], list[Word], list[Word], list[Word]] | None:
        """(name, target, actual, weight, score, reason) of a line that ends a row: ... 分值 得分 [原因].

        Leading texts missing from the line come from the blocks printed above it.
        """
        k = texts_before_values(words)
        if k is None:
            return None
        before, reason = words[:k], words[k + 2 :]
        texts = [before[:-2], [before[-2]], [before[-1]]] if len(before) >= 3 else [[w] for w in before]
        missing = 3 - len(texts)
        blocks = [b for b in self.pending if b]
        if missing and not blocks and len(before) < 2:
            return None
        if missing and 0 < len(blocks) < missing:
            # Fewer blocks than texts: a dump that wrote each cell's wrapped lines in turn
            # (pdftotext's raw order) glued them; the columns' wrap widths part them again.
            blocks = partition_lines(blocks, missing) or blocks
        if missing and blocks:
            head = [[w for b in blocks[: len(blocks) - missing + 1] for w in b], *blocks[len(blocks) - missing + 1 :]]
            texts = [*head[-missing:], *texts] if len(head) >= missing else [*head, *texts]
        texts = [[]] * (3 - len(texts)) + texts
        return texts[0], texts[1], texts[2], [words[k]], [words[k + 1]], reason

    def _total_row(self, line: DumpLine) -> None:
        label, values = line.words[0], line.words[1:]
        cells = [(0.0, LABEL_WIDTH, [label])]
        for role, w in zip(("weight", "score"), values, strict=False):
            col = self._column(role)
            if col is not None:
                cells.append((col[0], col[1], [w]))
        self._table_row(self.section or "", self.out.row(cells))
        self.section = None

    # -- parts printed apart -------------------------------------------------------------------
    # pdftotext without -layout writes a page's text objects in the order they were drawn, so a
    # dump may hold a table's header and rows in one place and one of its columns (执行率 and
    # its value), a merged level cell (可持续影响指标), the deviation reasons or the 总分 label
    # somewhere after. Each goes back to the last table of its kind, by evidence that does not
    # depend on the order: the column it names is missing from that table, the level fits
    # the template's order between the levels printed, the reasons match the rows that lost
    # points, the total is the sum of the weights.
