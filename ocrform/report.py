"""The QA report of a batch: ``report.html`` with each field's value beside the page it was read from.

For each document and form, every field the form fills (and every field a finding is about)
is one row: its label and JSON pointer, its value, and a crop of the page around the box the
value was read from (the evidence's provenance: page and box in PDF points), with the box drawn
on it. Fields in a failed arithmetic check are highlighted red and link to the check, which
links to every field it compares; fields a person should check (low-confidence, under-seal,
empty) are highlighted yellow. An index at the top links to each form, each failed check and
each field to check.

The crops are cut from the source file again: a PDF's text page rendered by PyMuPDF, a scanned
page (image-only PDF page, image file, TIFF frame, folder page) turned upright as the converter
turned it (its boxes are in the upright page's coordinates) but in its own colours, so a seal
shows. A text dump has no page: its values are shown without crops. A source that is gone or
changed since conversion (its SHA-256 differs) gets no crops and a note saying so.

The HTML is made with Jinja2, autoescaped: a value is text whatever it holds.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocrform.canonical import DocumentResult, Form, FormEvidence, Issue, Provenance
from ocrform.inputs import input_sha256
from ocrform.tables import KIND_LABELS, atomic_write, field_label
from ocrform.validate import arithmetic_checks

REPORT_NAME = "report.html"
ASSETS_NAME = "report-assets"
# Crops are cut from pages drawn at this resolution (a scan at its own, when lower).
CROP_DPI = 144
# Context around a field's box in a crop, in points: a line above and below, some of the row.
MARGIN_X, MARGIN_Y = 24.0, 10.0
# The box is drawn this far (points) outside the field's box, so it crosses no stroke of it.
BOX_PAD = 2.0
# A crop is shown at 1.5 times the page's natural size (1 pt = 4/3 CSS px), so small print reads.
CSS_PX_PER_POINT = 2.0
# Highlight colours (Excel's "bad" and "neutral" cell styles, familiar to the readers).
FAILED_COLOUR = "#ffc7ce"
FLAGGED_COLOUR = "#ffeb9c"
BOX_COLOURS = {"failed": (40, 40, 220), "flagged": (0, 150, 230), "ok": (200, 120, 0)}  # BGR
ARITHMETIC_KINDS = ("arithmetic", "range")


def write_report(items: Sequence[tuple[Path, DocumentResult]], outdir: Path) -> Path:
    """Write ``outdir/report.html`` and its crops (``outdir/report-assets/``) for the converted
    documents ``items`` (each the input path and its result), replacing an earlier report; returns
    the HTML's path."""
    outdir.mkdir(parents=True, exist_ok=True)
    # The crops go to a fresh folder renamed into place at the end: a report never shows
    # another run's crops, and a failed run leaves the old report whole.
    unique = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    staging = outdir / f".{ASSETS_NAME}.{unique}.tmp"
    staging.mkdir()
    old = outdir / f".{ASSETS_NAME}.{unique}.old"
    try:
        documents = [_document(k, path, result, staging) for k, (path, result) in enumerate(items, 1)]
        assets = outdir / ASSETS_NAME
        try:
            if assets.exists():
                assets.rename(old)
            staging.rename(assets)
        except OSError:
            # Another report is being written into this folder at this moment: this one keeps
            # its crops under a name of its own rather than mixing them with the other's.
            assets = staging.rename(outdir / f"{ASSETS_NAME}-{unique}")
        html = _render(documents, assets.name)
        atomic_write(outdir / REPORT_NAME, html.encode("utf-8"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return outdir / REPORT_NAME


# ---- what the template shows ------------------------------------------------------------------


@dataclass
class FieldRow:
    anchor: str
    pointer: str
    label: str
    value: str
    empty: bool
    crops: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Issue] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # anchors of the failed checks it is in

    @property
    def state(self) -> str:
        return "failed" if self.checks else "flagged" if self.findings else "ok"


@dataclass
class FailedCheck:
    anchor: str
    issue: Issue
    rule: str
    fields: list[FieldRow]


@dataclass
class FormView:
    anchor: str
    number: int
    form: Form
    pages: list[int]
    sections: list[tuple[str, list[FieldRow]]]
    failed: list[FailedCheck]
    flagged: list[FieldRow]


@dataclass
class DocumentView:
    anchor: str
    path: Path
    result: DocumentResult
    note: str | None
    forms: list[FormView]


def _document(k: int, path: Path, result: DocumentResult, assets: Path) -> DocumentView:
    anchor = f"d{k}"
    forms = [
        _form_view(f"{anchor}-f{n}", n, form, result.evidence[n - 1] if n <= len(result.evidence) else FormEvidence())
        for n, form in enumerate(result.forms, 1)
    ]
    note = None
    if result.source.kind == "text":
        note = "文本文件，无页面图像 (a text dump has no page to show)"
    elif forms:
        note = _cut_crops(path, result, forms, assets / anchor)
    return DocumentView(anchor, path, result, note, forms)


def _form_view(anchor: str, number: int, form: Form, evidence: FormEvidence) -> FormView:
    provenance: dict[str, list[Provenance]] = {}
    for p in evidence.provenance:
        provenance.setdefault(p.field, []).append(p)
    findings: dict[str, list[Issue]] = {}
    for issue in evidence.issues:
        findings.setdefault(issue.field, []).append(issue)
    rows: dict[str, FieldRow] = {}
    sections: list[tuple[str, list[FieldRow]]] = []
    for title, pointers in _sections(form):
        section = []
        for pointer, value in pointers:
            if value in (None, "") and pointer not in provenance and pointer not in findings:
                continue  # a field the form does not print, and nobody asks about
            row = FieldRow(
                anchor=f"{anchor}{pointer.replace('/', '-')}",
                pointer=pointer,
                label=field_label(pointer),
                value=_shown(value),
                empty=value in (None, ""),
                findings=[i for i in findings.get(pointer, []) if i.kind not in ARITHMETIC_KINDS],
            )
            row.crops = [{"provenance": p} for p in provenance.get(pointer, [])]
            rows[pointer] = row
            section.append(row)
        if section:
            sections.append((title, section))
    checks = {(c.field, c.kind): c for c in arithmetic_checks(form)}
    failed = []
    for j, issue in enumerate(i for i in evidence.issues if i.kind in ARITHMETIC_KINDS):
        check = checks.get((issue.field, issue.kind))
        pointers = [issue.field, *(check.inputs if check else ())]
        check_anchor = f"{anchor}-check{j + 1}"
        involved = [rows[p] for p in pointers if p in rows]
        for row in involved:
            row.checks.append(check_anchor)
        failed.append(FailedCheck(check_anchor, issue, check.rule if check else issue.kind, involved))
    flagged = [row for _, section in sections for row in section if row.findings]
    return FormView(anchor, number, form, evidence.pages, sections, failed, flagged)


def _sections(form: Form) -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    """The form's fields by section, as (JSON pointer, value), in printed order."""
    data = form.model_dump(mode="json")
    head = ("title", "year", "project_name", "department", "implementer", "fill_date", "contact")
    yield "基本信息", [(f"/{k}", data[k]) for k in head]
    funds = [("/funds/unit", data["funds"]["unit"])]
    funds += [(f"/funds/rows/{i}/{k}", v) for i, row in enumerate(data["funds"]["rows"]) for k, v in row.items()]
    yield "项目资金", funds
    yield "年度总体目标", [(f"/goals/{k}", v) for k, v in data["goals"].items()]
    yield (
        "绩效指标",
        [(f"/indicators/{i}/{k}", v) for i, ind in enumerate(data["indicators"]) for k, v in ind.items()],
    )
    yield "总分与结论", [(f"/{k}", data[k]) for k in ("total_weight", "total_score", "grade", "conclusion")]
    yield "评分表", [(f"/rubric/{i}/{k}", v) for i, row in enumerate(data["rubric"]) for k, v in row.items()]


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return str(value) if not isinstance(value, (dict, list)) else json.dumps(value, ensure_ascii=False)


# ---- crops ------------------------------------------------------------------------------------


def _cut_crops(path: Path, result: DocumentResult, forms: list[FormView], folder: Path) -> str | None:
    """Cut every field's crop from its page of ``path`` into ``folder``; a note when there are
    none (the source is gone, changed or unreadable)."""
    if not path.exists():
        return f"源文件不存在，无页面图像 (the source {path} is gone: no crops)"
    try:
        if input_sha256(path) != result.source.sha256:
            return f"源文件已更改，无页面图像 (the source {path} changed since it was converted: no crops)"
        by_page: dict[int, list[dict[str, Any]]] = {}
        for view in forms:
            for _, rows in view.sections:
                for row in rows:
                    for n, crop in enumerate(row.crops, 1):
                        crop.update(row=row, name=f"{row.anchor}-{n}.png")
                        by_page.setdefault(crop["provenance"].page, []).append(crop)
        folder.mkdir(parents=True, exist_ok=True)
        for number, picture, scale in _pages(path, sorted(by_page)):
            for crop in by_page[number]:
                image, width = _crop(picture, scale, crop["provenance"].box, BOX_COLOURS[crop["row"].state])
                _write_png(image, folder / crop["name"])
                crop["src"] = f"{folder.name}/{crop['name']}"
                crop["width"] = round(width * CSS_PX_PER_POINT)
    except Exception as exc:  # the report of a batch must not be lost to one page
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"页面图像无法生成 (the pages could not be drawn: {type(exc).__name__}: {first})"
    return None


def _pages(path: Path, numbers: list[int]) -> Iterator[tuple[int, np.ndarray, float]]:
    """Each asked-for (1-based) page of ``path`` as a BGR picture and its pixels per point, in the
    coordinates the converter's boxes are in."""
    from ocrform.document import load_document
    from ocrform.stages import prepare_scan

    doc = load_document(path)
    try:
        for number in numbers:
            if not 1 <= number <= doc.page_count:
                continue
            page = doc.load_page(number - 1)
            if page.image is None:  # a text-layer page of a PDF: drawn from the PDF itself
                assert doc.pdf is not None
                pix = doc.pdf[number - 1].get_pixmap(dpi=CROP_DPI, alpha=False)
                rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
                yield number, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), CROP_DPI / 72
                continue
            scan = prepare_scan(page).scan
            assert scan is not None
            yield number, _upright(page.image, scan.angle, scan.rotation), page.pixels_per_point
    finally:
        doc.close()


def _upright(image: np.ndarray, angle: float, rotation: int) -> np.ndarray:
    """The scan in its own colours, levelled and turned as ``prepare_scan`` turned its grey copy."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if abs(angle) >= 0.1:
        h, w = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        image = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    if rotation:
        code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[rotation]
        image = cv2.rotate(image, code)
    return image


def _crop(
    picture: np.ndarray, scale: float, box: list[float], colour: tuple[int, int, int]
) -> tuple[np.ndarray, float]:
    """The part of ``picture`` around ``box`` (points), the box drawn just outside it, scaled
    down to CROP_DPI when the picture is finer; and the crop's width in points."""
    h, w = picture.shape[:2]
    x0, y0, x1, y1 = box
    left, top = max(0, int((x0 - MARGIN_X) * scale)), max(0, int((y0 - MARGIN_Y) * scale))
    right, bottom = min(w, int((x1 + MARGIN_X) * scale) + 1), min(h, int((y1 + MARGIN_Y) * scale) + 1)
    if right <= left or bottom <= top:  # a box off the page: show the page's corner rather than nothing
        left, top, right, bottom = 0, 0, min(w, 200), min(h, 60)
    crop = picture[top:bottom, left:right].copy()
    thickness = max(1, round(scale * 0.75))
    pad = BOX_PAD * scale
    p0 = (round(x0 * scale - pad) - left, round(y0 * scale - pad) - top)
    p1 = (round(x1 * scale + pad) - left, round(y1 * scale + pad) - top)
    cv2.rectangle(crop, p0, p1, colour, thickness)
    if scale > CROP_DPI / 72 * 1.2:
        f = CROP_DPI / 72 / scale
        crop = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return crop, (right - left) / scale


def _write_png(image: np.ndarray, path: Path) -> None:
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"{path.name}: the crop could not be encoded as PNG")
    path.write_bytes(data.tobytes())


# ---- HTML -------------------------------------------------------------------------------------


def _render(documents: list[DocumentView], assets: str) -> str:
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(TEMPLATE)
    forms = [f for d in documents for f in d.forms]
    return template.render(
        documents=documents,
        assets=assets,
        n_forms=len(forms),
        n_failed=sum(len(f.failed) for f in forms),
        n_flagged=sum(len(f.flagged) for f in forms),
        kinds=KIND_LABELS,
        failed_colour=FAILED_COLOUR,
        flagged_colour=FLAGGED_COLOUR,
    )


TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>ocrform 核对报告 QA report</title>
<style>
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 16px 24px; color: #222; font-size: 15px; }
h1 { font-size: 22px; } h2 { font-size: 19px; margin-top: 32px; border-bottom: 2px solid #446; }
h3 { font-size: 16px; margin: 18px 0 6px; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; vertical-align: top; text-align: left; }
th { background: #ddebf7; }
tr.failed > td { background: {{ failed_colour }}; }
tr.flagged > td { background: {{ flagged_colour }}; }
table.fields { width: 100%; max-width: 1400px; }
table.fields td:nth-child(1) { width: 210px; }
table.fields td:nth-child(2) { width: 280px; }
td.value { white-space: pre-wrap; font-size: 16px; }
td.value.empty { color: #888; }
td.pointer { font-family: monospace; font-size: 12px; color: #555; }
td.crop img { display: block; max-width: 640px; height: auto; border: 1px solid #ccc; }
.note { color: #a60; }
.legend span { padding: 2px 8px; margin-right: 8px; }
.meta { color: #555; font-size: 13px; }
</style>
</head>
<body>
<h1 id="top">核对报告 QA report</h1>
<p>{{ documents|length }} 个文件 documents, {{ n_forms }} 张表 forms;
{{ n_failed }} 项校验未通过 failed checks; {{ n_flagged }} 个字段请核对 fields to check.</p>
<p class="legend"><span style="background: {{ failed_colour }}">校验未通过 failed check</span>
<span style="background: {{ flagged_colour }}">请核对 check this field</span></p>

<h2>目录 Index</h2>
<table>
<tr><th>文件 document</th><th>表 form</th><th>项目名称 project</th><th>页 pages</th>
<th>校验未通过 failed</th><th>请核对 to check</th></tr>
{% for doc in documents %}
{% for f in doc.forms %}
<tr{% if f.failed %} class="failed"{% elif f.flagged %} class="flagged"{% endif %}>
<td>{{ doc.path }}</td>
<td><a href="#{{ f.anchor }}">表 {{ f.number }}</a></td>
<td><a href="#{{ f.anchor }}">{{ f.form.project_name or "—" }}</a></td>
<td>{{ f.pages|join(", ") }}</td>
<td>{{ f.failed|length }}</td><td>{{ f.flagged|length }}</td></tr>
{% else %}
<tr><td>{{ doc.path }}</td><td colspan="5">未找到表 no form found</td></tr>
{% endfor %}
{% endfor %}
</table>

{% if n_failed %}
<h3>校验未通过 Failed checks</h3>
<ul>
{% for doc in documents %}{% for f in doc.forms %}{% for c in f.failed %}
<li><a href="#{{ c.anchor }}">{{ doc.path.name }} 表 {{ f.number }}: {{ c.rule }}</a> — {{ c.issue.message }}</li>
{% endfor %}{% endfor %}{% endfor %}
</ul>
{% endif %}
{% if n_flagged %}
<h3>请核对的字段 Fields to check</h3>
<ul>
{% for doc in documents %}{% for f in doc.forms %}{% for row in f.flagged %}
<li><a href="#{{ row.anchor }}">{{ doc.path.name }} 表 {{ f.number }}: {{ row.label }}</a>: {{ row.value }}
— {% for i in row.findings %}{{ kinds.get(i.kind, i.kind) }} ({{ i.kind }})
{%- if not loop.last %}, {% endif %}{% endfor %}</li>
{% endfor %}{% endfor %}{% endfor %}
</ul>
{% endif %}

{% for doc in documents %}
<h2 id="{{ doc.anchor }}">{{ doc.path }}</h2>
<p class="meta">{{ doc.result.source.kind }}, {{ doc.result.source.pages }} 页 pages,
文字层 text layer: {{ doc.result.source.text_layer or "—" }}, SHA-256 {{ doc.result.source.sha256[:16] }}…</p>
{% if doc.note %}<p class="note">{{ doc.note }}</p>{% endif %}
{% for f in doc.forms %}
<h2 id="{{ f.anchor }}">表 {{ f.number }}: {{ f.form.project_name or "—" }}</h2>
<p class="meta">{{ doc.path.name }}, 页 pages {{ f.pages|join(", ") }} · <a href="#top">目录 index</a></p>
{% if f.failed %}
<h3>校验未通过 Failed checks</h3>
<table>
<tr><th>规则 rule</th><th>说明 message</th><th>涉及字段 fields</th></tr>
{% for c in f.failed %}
<tr id="{{ c.anchor }}" class="failed"><td>{{ c.rule }}</td><td>{{ c.issue.message }}</td>
<td>{% for row in c.fields %}<a href="#{{ row.anchor }}">{{ row.label }} = {{ row.value }}</a>
{%- if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>
{% endfor %}
</table>
{% endif %}
{% for title, rows in f.sections %}
<h3>{{ title }}</h3>
<table class="fields">
<tr><th>字段 field</th><th>值 value</th><th>原件 page</th><th>说明 notes</th></tr>
{% for row in rows %}
<tr id="{{ row.anchor }}" class="{{ row.state }}">
<td>{{ row.label }}<br><span class="meta">{{ row.pointer }}</span></td>
<td class="value{% if row.empty %} empty{% endif %}">{{ row.value }}</td>
<td class="crop">{% for crop in row.crops %}{% if crop.src is defined %}
<img src="{{ assets }}/{{ crop.src }}" style="width: {{ crop.width }}px"
 alt="{{ row.label }}, page {{ crop.provenance.page }}">
{% endif %}<span class="meta">p.{{ crop.provenance.page }} · {{ crop.provenance.method }}
· {{ "%.2f"|format(crop.provenance.confidence) }}</span>
{% else %}<span class="meta">—</span>{% endfor %}</td>
<td>{% for a in row.checks %}<a href="#{{ a }}">校验未通过 failed check</a><br>{% endfor %}
{% for i in row.findings %}{{ kinds.get(i.kind, i.kind) }}: {{ i.message }}<br>{% endfor %}</td>
</tr>
{% endfor %}
</table>
{% endfor %}
{% endfor %}
{% endfor %}
</body>
</html>
"""
