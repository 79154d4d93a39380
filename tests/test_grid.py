"""Ruling lines → cells with spans, and words → cells (the grid stage both paths share)."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest

from ocrform.document import load_document
from ocrform.grid import fill_cells, find_tables, tables_from_rulings
from ocrform.model import Box, Segment, Word
from ocrform.synth import STYLES, render_forms_pdf
from ocrform.words.pdf_text import read_ruling_lines, read_text_layer

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"


def grid(xs: list[float], ys: list[float], missing: set[tuple[str, int, int]] = frozenset()) -> list[Segment]:
    """Rulings of a full grid; ("v", r, c) drops the wall right of slot (r, c), ("h", r, c) the one below."""
    segs = []
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            if c == 0:
                segs.append(Segment(xs[0], ys[r], xs[0], ys[r + 1]))
            if ("v", r, c) not in missing:
                segs.append(Segment(xs[c + 1], ys[r], xs[c + 1], ys[r + 1]))
            if r == 0:
                segs.append(Segment(xs[c], ys[0], xs[c + 1], ys[0]))
            if ("h", r, c) not in missing:
                segs.append(Segment(xs[c], ys[r + 1], xs[c + 1], ys[r + 1]))
    return segs


def spans(table) -> set[tuple[int, int, int, int]]:
    return {(c.row, c.col, c.row_span, c.col_span) for c in table.cells}


def test_merged_cells_come_out_with_spans() -> None:
    xs, ys = [0, 50, 100, 150], [0, 20, 40, 60]
    # slot (0,0) merged down with (1,0); (2,1) merged right with (2,2)
    (table,) = tables_from_rulings(grid(xs, ys, {("h", 0, 0), ("v", 2, 1)}), page=0, method="test")
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert spans(table) == {
        (0, 0, 2, 1),
        (0, 1, 1, 1),
        (0, 2, 1, 1),
        (1, 1, 1, 1),
        (1, 2, 1, 1),
        (2, 0, 1, 1),
        (2, 1, 1, 2),
    }
    assert table.cell_at(1, 0).box == Box(0, 0, 50, 40)


def test_a_rule_mostly_lost_on_one_edge_still_separates_where_it_goes_on() -> None:
    xs, ys = [0, 60, 120, 180], [0, 20, 40, 60]
    segs = grid(xs, ys, {("v", 0, 0), ("v", 0, 1)})
    # Row 0: the rule at x=60 keeps 6 of its 20 points (a seal whitened the rest) and goes on
    # down rows 1-2; the rule at x=120 keeps only a 1.5-point overshoot, as at a crossing.
    segs += [Segment(60, 14, 60, 20), Segment(120, 18.5, 120, 20)]
    (table,) = tables_from_rulings(segs, 0, "test")
    row0 = sorted((c.col, c.col_span) for c in table.cells if c.row == 0)
    assert row0 == [(0, 1), (1, 2)]


def test_a_lone_piece_of_rule_with_no_rule_beside_it_merges() -> None:
    xs, ys = [0, 60, 120], [0, 20, 40]
    segs = [*grid(xs, ys, {("v", 0, 0), ("v", 1, 0)}), Segment(60, 0, 60, 8)]  # a stroke off the top rule
    (table,) = tables_from_rulings(segs, 0, "test")
    assert spans(table) == {(0, 0, 1, 2), (1, 0, 1, 2)}


def _sealed(xs: list[float], ys: list[float], row: int) -> list[Segment]:
    """A grid whose slots 1-2 of ``row`` a seal ran together: the rule between them gone and
    the rules above and below them kept only for 20 points at either end."""
    top, bottom = ys[row], ys[row + 1]
    segs = [s for s in grid(xs, ys, {("v", row, 1)}) if not (s.y0 == s.y1 in (top, bottom) and 60 <= s.x0 < 180)]
    return segs + [Segment(x, y, x + 20, y) for y in (top, bottom) for x in (60, 160)]


def test_an_inner_cell_whose_top_and_bottom_a_seal_mostly_erased_is_kept() -> None:
    xs, ys = [0, 60, 120, 180, 240], [0, 20, 40, 60]
    (table,) = tables_from_rulings(_sealed(xs, ys, 1), 0, "test")
    assert (1, 1, 1, 2) in spans(table)
    # On the table's edge the same outline is a notch of a ragged table, not a cell.
    (table,) = tables_from_rulings(_sealed(xs, ys, 2), 0, "test")
    assert not any(c.row == 2 and c.col == 1 for c in table.cells)


def test_broken_and_doubled_lines_give_the_same_cells() -> None:
    xs, ys = [0, 60, 120, 180], [0, 30, 60]
    clean = tables_from_rulings(grid(xs, ys, {("v", 0, 0)}), 0, "test")[0]
    # A scan: every ruling drawn in two pieces with a gap and a slight wobble, plus a duplicate.
    broken = []
    for s in grid(xs, ys, {("v", 0, 0)}):
        if s.horizontal:
            mid = (s.x0 + s.x1) / 2
            broken += [Segment(s.x0, s.y0 + 0.6, mid - 4, s.y1 + 0.6), Segment(mid + 4, s.y0 - 0.5, s.x1, s.y1 - 0.5)]
        else:
            mid = (s.y0 + s.y1) / 2
            broken += [Segment(s.x0 + 0.8, s.y0, s.x1 + 0.8, mid - 3), Segment(s.x0, mid + 3, s.x1, s.y1)]
        broken.append(s)
    table = tables_from_rulings(broken, 0, "test")[0]
    assert spans(table) == spans(clean)


def test_separate_tables_and_a_page_frame() -> None:
    a = grid([10, 60, 110], [10, 30, 50])
    b = grid([10, 60, 110], [200, 220, 240])
    frame = [Segment(0, 0, 300, 0), Segment(0, 400, 300, 400), Segment(0, 0, 0, 400), Segment(300, 0, 300, 400)]
    tables = tables_from_rulings(a + b + frame, 0, "test")
    assert [t.box.y0 for t in tables] == [10, 200]


def test_a_run_crossing_a_cell_border_is_cut_there() -> None:
    (table,) = tables_from_rulings(grid([0, 50, 100], [0, 20]), 0, "test")
    boxes = tuple(Box(x, 5, x + 9, 15) for x in (4, 14, 24, 34, 54, 64, 74, 84))  # 4 chars left of x=50, 4 right
    word = Word("项目名称协同办公", Box(4, 5, 93, 15), 0, "pdf-text", char_boxes=boxes, glyph_ids=tuple(range(8)))
    outside = Word("标题", Box(10, 40, 30, 50), 0, "pdf-text")
    (table,), free = fill_cells([table], [word, outside])
    assert [w.text for w in free] == ["标题"]
    assert [c.text for c in sorted(table.cells, key=lambda c: c.col)] == ["项目名称", "协同办公"]
    assert table.cell_at(0, 1).words[0].glyph_ids == (4, 5, 6, 7)


def test_text_layer_words_carry_glyph_ids_and_fonts(tmp_path: Path) -> None:
    pdf = tmp_path / "f.pdf"
    render_forms_pdf([json.loads((GOLD / "000_f01.json").read_text("utf-8"))], pdf, STYLES["guizhou"])
    page = pymupdf.open(pdf)[0]
    words = read_text_layer(page, 0)
    name = next(w for w in words if w.text == "协同办公系统年服务费")
    assert name.glyph_ids is not None and len(name.glyph_ids) == len(name.text) == len(name.char_boxes)
    assert name.font_xref in {f[0] for f in page.get_fonts()}
    assert len(set(name.glyph_ids)) == len(set(name.text))  # one glyph per distinct character


def test_thin_filled_bars_are_rulings(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.draw_rect(pymupdf.Rect(50, 100, 300, 100.8), color=None, fill=(0, 0, 0))
    page.draw_rect(pymupdf.Rect(50, 100, 50.8, 200), color=None, fill=(0, 0, 0))
    page.draw_rect(pymupdf.Rect(50, 300, 300, 400), color=None, fill=(0.9, 0.9, 0.9))  # shading, not a line
    segs = read_ruling_lines(page)
    assert len(segs) == 2
    assert {s.horizontal for s in segs} == {True, False}


@pytest.mark.parametrize("style", ["guizhou", "shanghai", "hunan"])
def test_rendered_form_cells(style: str, tmp_path: Path) -> None:
    pdf = tmp_path / "f.pdf"
    render_forms_pdf([json.loads((GOLD / "000_f01.json").read_text("utf-8"))], pdf, STYLES[style])
    page = load_document(pdf).load_page(0)
    tables, free = fill_cells(find_tables(page), page.words)
    cells = {c.text.replace("\n", ""): c for t in tables for c in t.cells}
    # The project name sits in the cell right of its label, on the same row.
    label = cells["项目名称"]
    value = cells["协同办公系统年服务费"]
    assert value.row == label.row and value.col == label.col + label.col_span
    # Every text-layer character ends up in exactly one place.
    placed = "".join(w.text for t in tables for c in t.cells for w in c.words) + "".join(w.text for w in free)
    assert sorted(placed) == sorted("".join(w.text for w in page.words))
    assert any("绩效自评表" in w.text or "自评表" in w.text for w in free)


def test_vertical_label_reads_one_character_per_line(tmp_path: Path) -> None:
    pdf = tmp_path / "f.pdf"
    render_forms_pdf([json.loads((GOLD / "000_f01.json").read_text("utf-8"))], pdf, STYLES["guizhou"])
    page = load_document(pdf).load_page(0)
    tables, _ = fill_cells(find_tables(page), page.words)
    label = next(c for t in tables for c in t.cells if c.text.replace("\n", "") == "绩效指标")
    assert label.text == "绩\n效\n指\n标"
    assert label.row_span > 5  # the tall label spans the indicator rows


def test_a_row_a_page_break_cut_open_is_closed_by_its_column_rules() -> None:
    # A browser prints the first row of a continued table without its top border: the
    # column rules run 15 points above the first drawn rule, and the row's text lies there.
    xs, ys = [0, 50, 100, 150], [40, 60, 80]
    segs = grid(xs, ys) + [Segment(x, 25, x, 40) for x in xs]
    (table,) = tables_from_rulings(segs, 0, "test")
    assert table.n_rows == 3 and table.box.y0 == 25
    word = Word("率", Box(60, 28, 70, 38), 0, "pdf-text")
    (filled,), free = fill_cells([table], [word])
    assert not free and filled.cell_at(0, 1).text == "率"
    # Rules that only overshoot a crossing by a point or two add no row.
    (table,) = tables_from_rulings(grid(xs, ys) + [Segment(x, 38.5, x, 40) for x in xs], 0, "test")
    assert table.n_rows == 2


def test_a_simulated_bold_face_is_read_once(tmp_path: Path) -> None:
    # LibreOffice draws a bold face the font lacks twice: filled, then stroked over it.
    doc = pymupdf.open()
    page = doc.new_page()
    font = pymupdf.Font("cjk")
    for mode in (0, 1):
        writer = pymupdf.TextWriter(page.rect)
        writer.append((72, 100), "项目名称", font=font, fontsize=10)
        writer.write_text(page, render_mode=mode)
    writer = pymupdf.TextWriter(page.rect)
    writer.append((72, 130), "项目名称", font=font, fontsize=10)  # the same text elsewhere is its own
    writer.write_text(page)
    words = read_text_layer(page, 0)
    assert [(w.text, round(w.box.y0)) for w in words] == [
        ("项目名称", round(words[0].box.y0)),
        ("项目名称", round(words[1].box.y0)),
    ]
    assert words[1].box.y0 - words[0].box.y0 > 20
