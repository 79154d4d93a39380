"""Parts of a table that a dump printed apart from it, put back.

pdftotext without -layout writes a page's text objects in the order they were drawn, so a
dump may hold a table's header and rows in one place and one of its columns (执行率 and its
value), a merged level cell (可持续影响指标), the deviation reasons or the 总分 label somewhere
after, and go on with a table's rows after the title and goals. Each goes back to the last
table of its kind, by evidence that does not depend on the order: the column it names is
missing from that table, the level fits the template's order between the levels printed, the
reasons match the rows that lost points, the total is the sum of the weights.
"""

from __future__ import annotations

from dataclasses import replace

from ocrform.dump.builder import RESUMED_ROW_STEP, RowFacts, TableRef
from ocrform.dump.lines import (
    BRACKETED_ONLY,
    CJK,
    FRAME_WIDTH,
    LABEL_WIDTH,
    TEXT_ROLES,
    DumpLine,
    is_label,
    is_value,
    joined_norm,
    number,
    texts_before_values,
    total_tail,
)
from ocrform.form.labels import label_key
from ocrform.model import Word
from ocrform.text import normalize

# A line that opens a deviation reason printed apart has this many characters at least (a
# column's wrapped line; seed 001's narrowest, 因业务特殊性，部分, has 9).
MIN_REASON_CHARS = 6
# A level label (服务对象满意度指标, the longest, 9 characters) on a line of its own.
MAX_LEVEL_CHARS = 10


class PartsApart:
    """The parser's steps for parts printed apart (mixed into ``ocrform.dump.parser._Parser``)."""

    def _resumed_indicators(self, line: DumpLine) -> bool:
        """Rows of an indicator table that a dump went on with after other parts (the title,
        the goals): a level label or a row's values while that table has no 总分 yet and no
        fund table (the next form's) began after it."""
        ref = self.tables.get("indicators")
        if self.section == "indicators" or ref is None or ref.closed or ref.builder is not self.out:
            return False
        if self._later_table(ref):
            return False
        is_level = len(line.words) == 1 and self._is_level(line.norm)
        values = texts_before_values(line.words)
        if not is_level and values is None:
            return False
        self._close_goals()
        self._drop_pending()
        if not is_level and values < len(TEXT_ROLES):
            # The row's first texts stood on the lines just above, read as free lines.
            loose = self._loose_since_row()
            taken = {id(w) for w in loose}
            self.out.free_words = [w for w in self.out.free_words if id(w) not in taken]
            if loose:
                self.pending, self.glue = [loose], True
        self.section, self.columns, self.resuming = "indicators", list(ref.columns), True
        self.level_fresh = False
        self.tall = None
        return self._indicator_line(line)

    def _loose_since_row(self) -> list[Word]:
        """Short free lines written since the last row (a wrapped name's lines), in order."""
        mark, lines = self.loose
        if mark != len(self.out.rows):
            return []
        return [w for ln in lines for w in ln.words]

    def _later_table(self, ref: TableRef) -> bool:
        """Whether a fund table began after ``ref`` (the next form's): nothing after it is ref's."""
        funds = self.tables.get("funds")
        return funds is not None and funds.builder is ref.builder and funds.header > ref.header

    def _resume_y(self) -> float | None:
        """Where a resumed row stands: right after its table's last row, so that the rows are
        read in the table's order (its words keep their own place)."""
        ref = self.tables.get("indicators")
        if not self.resuming or ref is None or not ref.rows:
            return None
        return ref.builder.rows[ref.rows[-1]][0].box.y0 + RESUMED_ROW_STEP

    def _column_apart(self, line: DumpLine) -> bool:
        """A fund column's label alone, then its one value: the fund table's missing column."""
        ref = self.tables.get("funds")
        if len(line.words) != 1 or ref is None or not ref.rows:
            return False
        m = self.vocab.match_each_group(line.words[0].text).get("fund_columns")
        if m is None or m.role == "item" or any(r == m.role for r, _, _ in ref.columns):
            return False
        nxt = self._next_content(self.pos)
        if nxt is None or len(self.lines[nxt].words) != 1 or not is_value(self.lines[nxt].words[0]):
            return False
        x = self._add_column(ref, m.role, line.words)
        ref.builder.add_cell(ref.rows[0], x, self.lines[nxt].words)
        self.pos = nxt + 1
        return True

    def _next_content(self, pos: int) -> int | None:
        """The first non-blank line at or after ``pos``."""
        while pos < len(self.lines) and not self.lines[pos].norm:
            pos += 1
        return pos if pos < len(self.lines) else None

    def _add_column(self, ref: TableRef, role: str, label: list[Word]) -> tuple[float, float]:
        """Room for one more column in a written table, its header cell printing ``label``."""
        roles = [r for r, _, _ in ref.columns] + [role]
        width = (FRAME_WIDTH - LABEL_WIDTH) / len(roles)
        columns = [(r, LABEL_WIDTH + k * width, LABEL_WIDTH + (k + 1) * width) for k, r in enumerate(roles)]
        moves = {round(x0, 3): (nx0, nx1) for (_, x0, _), (_, nx0, nx1) in zip(ref.columns, columns, strict=False)}
        ref.builder.move_columns([ref.header, *ref.rows], moves)
        if self.columns == ref.columns:
            self.columns = columns
        ref.columns = columns
        x = (columns[-1][1], columns[-1][2])
        ref.builder.add_cell(ref.header, x, label)
        return x

    def _closed_indicators(self) -> TableRef | None:
        """The last indicator table, when rows of something else were written after it."""
        ref = self.tables.get("indicators")
        if ref is None or not ref.rows or ref.builder is not self.out:
            return None
        return ref if ref.closed or len(ref.builder.rows) - 1 > ref.rows[-1] else None

    def _apart(self) -> bool:
        """A level label or the deviation reasons printed apart from a closed indicator table."""
        if self.resuming:
            return False
        ref = self._closed_indicators()
        if ref is None:
            # Between a table's rows the dump may print its column label and reasons.
            ref = self.tables.get("indicators")
            if ref is None or ref.builder is not self.out or ref.closed or not self._reason_label():
                return False
            return self._reasons_apart(ref)
        used = self._level_apart(ref, self.pos)
        if not used:
            used = self._level1_apart(self.pos)
        if used:
            self.pos += used
            return True
        return self._reasons_apart(ref)

    def _level1_apart(self, pos: int) -> int:
        """Lines used by a 一级 label printed apart: left to the template (the mapper's parent
        of each 二级), its words kept as free words. A 二级 not placed is not taken: it may
        start rows the dump goes on with."""
        k, level2, words = self._level_lines(pos)
        if not k or level2 is not None:
            return 0
        self.out.free_words.extend(words)
        self.reason_context = self.vocab.canonical_level1(joined_norm(words))
        return self._take_label_lines(pos, k)

    def _level_lines(self, pos: int) -> tuple[int, str | None, list[Word]]:
        """(lines, 二级 or None for a 一级) of a level label printed over one or two short lines;
        a label printed exactly wins over a close one (效益 / 指标 is 效益指标, and the
        可持续影响指标 under it stands alone)."""
        found: list[tuple[bool, int, int, str | None]] = []  # (inexact, order, lines, 二级)
        for k in (2, 1):
            lines = self.lines[pos : pos + k]
            if len(lines) < k or len(lines[0].words) != 1 or not all(ln.words for ln in lines):
                continue
            # The label's last line may go on with the next column's text (影响指标 随着…).
            heads = [normalize(ln.words[0].text) for ln in lines]
            if any(len(ln.words) != 1 for ln in lines[:-1]) or any(len(h) > MAX_LEVEL_CHARS for h in heads):
                continue
            key = label_key(BRACKETED_ONLY.sub("", "".join(heads)))
            level1, level2 = self.vocab.canonical_level1(key), self.vocab.canonical_level2(key, None)
            if level1 is None and level2 is None:
                continue
            exact = any(key in variants for variants in (*self.vocab.level1.values(), *self.vocab.level2.values()))
            found.append((not exact, 2 - k, k, level2 if level1 is None else None))
        if not found:
            return 0, None, []
        _, _, k, level2 = min(found)
        head = [w for ln in self.lines[pos : pos + k - 1] for w in ln.words]
        return k, level2, [*head, self.lines[pos + k - 1].words[0]]

    def _take_label_lines(self, pos: int, used: int) -> int:
        """Lines a label used, leaving the rest of its last line (the next column's text) to be read."""
        last = self.lines[pos + used - 1]
        if len(last.words) == 1:
            return used
        rest = last.words[1:]
        self.lines[pos + used - 1] = DumpLine(last.index, " ".join(w.text for w in rest), rest)
        return used - 1

    def _level_apart(self, ref: TableRef, pos: int) -> int:
        """Lines used by a 二级 label that names rows printed without one; 一级 labels are
        left to the template (the mapper's parent of each 二级)."""
        used, level2, words = self._level_lines(pos)
        if not used or level2 is None:
            return 0
        order = list(self.vocab.level2)
        rank = {name: k for k, name in enumerate(order)}
        target = rank.get(level2)
        col = next(((x0, x1) for r, x0, x1 in ref.columns if r == "level2"), None)
        if target is None or col is None:
            return 0
        rows = ref.levels
        k = 0
        while k < len(rows):
            if rows[k].printed or k == 0:
                k += 1
                continue
            end = k
            while end < len(rows) and not rows[end].printed:
                end += 1
            before = rank.get(rows[k - 1].level2 or "", -1)
            after = rank.get(rows[end].level2 or "", len(order)) if end < len(rows) else len(order)
            if before < target < after:
                # Rows named as the level itself (生态效益指标 | 生态效益指标) are all it takes
                # when they lead the run; a later label takes the rest.
                named = k
                while named < end and self.vocab.canonical_level2(rows[named].name, None) == level2:
                    named += 1
                for i in range(k, named if named > k else end):
                    ref.builder.set_cell(ref.rows[i], col, words)
                    rows[i] = replace(rows[i], level2=level2, printed=True)
                self.reason_context = level2
                return self._take_label_lines(pos, used)
            k = end
        return 0

    def _reasons_apart(self, ref: TableRef) -> bool:
        """The 偏差原因分析及改进措施 label and the texts after it, for the rows that lost
        points, in order; texts met later (after rows the dump went on with, or other labels)
        go on with the rows left."""
        label = self._reason_label()
        start = self.pos + len({w.box.y0 for w in label})
        if self._later_table(ref):
            return False
        if label:
            ref.reason_label = ref.reason_label or label
        elif ref.reason_label is None or self.section == "goals" or not self._is_reason_text(self.lines[self.pos]):
            return False  # prose under a goals header is the goals' text
        texts, end = self._reason_texts(ref, start)
        if end == self.pos:
            return False  # nothing read: the lines are a row's
        self.pos = end
        waiting = [i for i, row in enumerate(ref.levels) if row.lost_points and i not in ref.reasoned]
        if texts and len(texts) <= len(waiting):
            x = next(((x0, x1) for r, x0, x1 in ref.columns if r == "deviation_reason"), None)
            x = x or self._add_column(ref, "deviation_reason", ref.reason_label)
            for words, context in texts:
                # The reason beside a level label goes to a row under that level that lost
                # points; else to the first such row without one.
                under = [i for i in waiting if context in (ref.levels[i].level2, self._parent(ref.levels[i]))]
                i = (under or waiting)[0]
                waiting.remove(i)
                ref.builder.add_cell(ref.rows[i], x, words)
                ref.reasoned.add(i)
        else:
            self.out.free_words.extend(w for t, _ in texts for w in t)
        if label and not any(r == "deviation_reason" for r, _, _ in ref.columns):
            self.out.free_words.extend(label)
        return True

    def _parent(self, row: RowFacts) -> str | None:
        return self.vocab.parent_level1(row.level2) if row.level2 else None

    def _reason_label(self) -> list[Word]:
        for k in (2, 1):  # 偏差原因分析及 / 改进措施: the whole label, not its first line
            lines = self.lines[self.pos : self.pos + k]
            if len(lines) == k and all(len(ln.words) == 1 for ln in lines):
                m = self.vocab.match_each_group("".join(ln.norm for ln in lines)).get("indicator_columns")
                if m is not None and m.role == "deviation_reason":
                    return [w for ln in lines for w in ln.words]
        return []

    def _is_reason_text(self, line: DumpLine, opening: bool = True) -> bool:
        """Prose: no label, header, level, number or letter of a vertical label; a paragraph's
        first line as long as a column's line (its last may be short)."""
        return (
            len(line.norm) >= (MIN_REASON_CHARS if opening else 1)
            and not (len(line.norm) <= 2 and CJK.search(line.norm))  # 绩 / 效 / 指 / 标
            and self._header(line) is None
            and not is_label(self.vocab, line.text)
            and texts_before_values(line.words) is None
            and not all(is_value(w) for w in line.words)
            and not self.vocab.is_title(line.text)
        )

    def _reason_texts(self, ref: TableRef, pos: int) -> tuple[list[tuple[list[Word], str | None]], int]:
        """Paragraphs (each ending in 。) from ``pos``, each with the level label printed last
        before it, past 一级 labels and 二级 labels that go back to their rows; up to anything
        else (a row the dump goes on with, a label)."""
        texts: list[list[Word]] = [[]]
        contexts: list[str | None] = [self.reason_context]
        start = pos  # where the paragraph being read began
        while pos < len(self.lines):
            line = self.lines[pos]
            if not line.norm:
                pos += 1
                continue

            if self._level_lines(pos)[0]:
                used = self._level_apart(ref, pos) or self._level1_apart(pos)
                if not used and self.lines[pos].norm == line.norm:
                    break  # a 二级 with rows of its own to come
                pos += used
                if not texts[-1]:
                    contexts[-1] = self.reason_context
                continue
            if not self._is_reason_text(line, opening=not texts[-1]):
                break
            if not texts[-1]:
                start = pos
            texts[-1].extend(line.words)
            if line.norm.endswith("。"):
                texts.append([])
                contexts.append(self.reason_context)
            pos += 1
        if texts[-1]:
            # A text that does not end its sentence is no reason (they all do): a row's wrapped
            # texts, or whatever follows, read as usual.
            texts[-1], pos = [], start
        return [(t, c) for t, c in zip(texts, contexts, strict=True) if t], pos

    def _total_apart(self, words: list[Word]) -> bool:
        """总分's two numbers on a line of their own (its label printed elsewhere, or glued on:
        100.00 94.06总分): the first is the weights' sum, funds included."""
        label: list[Word] = []
        if len(words) == 2 and (tail := total_tail(self.vocab, words[1])) is not None:
            words, label = [words[0], tail[0]], [tail[1]]
        if len(words) != 2 or not all(is_value(w) for w in words):
            return False
        total = number(words[:1])
        ref = self.tables.get("indicators")
        if total is None or ref is None or not ref.levels or any(self.pending):
            return False  # no row read yet, or texts waiting for these numbers: a row's
        weights = sum(row.weight for row in ref.levels if row.weight is not None)
        funds = self._column_sum("funds", "weight")
        if min(abs(total - weights), abs(total - weights - funds)) > 0.01:
            return False
        cells = [(0.0, LABEL_WIDTH, label)] if label else []
        for role, w in zip(("weight", "score"), words, strict=True):
            col = self._column(role)
            if col is not None:
                cells.append((col[0], col[1], [w]))
        self._table_row("indicators", self.out.row(cells, y=self._resume_y()))
        self.section, self.resuming = None, False
        return True

    def _table_row(self, section: str, n: int | None) -> None:
        """Row ``n``, a 总分 row, ends the last table of ``section`` (and moves with it when a
        column is added)."""
        ref = self.tables.get(section)
        if n is not None and ref is not None and ref.builder is self.out:
            ref.rows.append(n)
            ref.closed = True

    def _column_sum(self, section: str, role: str) -> float:
        ref = self.tables.get(section)
        col = next(((x0, x1) for r, x0, x1 in ref.columns if r == role), None) if ref else None
        if ref is None or col is None:
            return 0.0
        found = [number(c.words) for n in ref.rows for c in ref.builder.rows[n] if abs(c.box.x0 - col[0]) < 0.5]
        return sum(v for v in found if v is not None)
