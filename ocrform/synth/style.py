"""Render styles for the sample generator: layout family plus the look knobs of one printed form.

The printed wordings (labels, date and unit patterns) are vocabulary and live in
``models/synth_styles.json``; this module only gives them a typed shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ocrform.resources import model_json

STYLES_FILE = "synth_styles.json"

FAMILIES = ("guizhou", "shanghai", "hunan", "hunan_report")
# Column keys a style may order; the family builder knows what each one holds.
FUND_COLUMNS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")
INDICATOR_COLUMNS = ("level1", "level2", "name", "target", "actual", "weight", "score", "deviation")


@dataclass(frozen=True)
class Style:
    name: str
    family: str
    page_size: tuple[float, float] = (595.0, 842.0)
    margins: tuple[float, float, float, float] = (42.0, 48.0, 42.0, 48.0)  # left, top, right, bottom
    font_size: float = 9.0
    title_size: float = 16.0
    text_size: float = 8.5  # long texts: goals, conclusion, deviation reasons
    line_width: float = 0.6
    padding: float = 2.5
    line_spacing: float = 1.3
    # Relative widths keyed by column name; a builder drops the columns it does not print and rescales.
    widths: MappingProxyType[str, float] = field(default_factory=lambda: MappingProxyType({}))
    fund_columns: tuple[str, ...] = FUND_COLUMNS
    indicator_columns: tuple[str, ...] = INDICATOR_COLUMNS
    thousands: bool = False
    money_decimals: int | None = 2  # None: shortest exact form (320, 289.8)
    amount_suffix: bool = False  # "35 万元" inside the cell
    score_decimals: int | None = None  # None: 10, 2.5, 94.85; 2: 10.00
    percent_sign: bool = False
    merged_rate: bool = False  # one 执行率 cell spanning all fund rows
    indicator_scores: bool = True  # per-row 分值/得分 columns (forced on when the form has values)
    deviation_column: bool = True  # forced on when the form has a deviation reason
    level1_weight: bool = True  # "产出指标\n(50分)"
    repeat_header: bool = False  # indicator header row repeated after a page break
    vertical_labels: bool = True
    fullwidth_punct: bool = True
    null_mark: str = "-"
    forms_flow: bool = False  # a form that fits starts right below the previous one
    date_format: str = "{y}/{m:02d}/{d:02d}"
    labels: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def label(self, key: str) -> str:
        return self.labels[key]


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def load_styles(path: Path | None = None) -> dict[str, Style]:
    """The styles of ``path``, by default the package's own ``models/synth_styles.json``."""
    data = json.loads(path.read_text(encoding="utf-8")) if path is not None else model_json(STYLES_FILE)
    families: dict[str, dict[str, Any]] = data["families"]
    styles: dict[str, Style] = {}
    for name, spec in data["styles"].items():
        family = spec["family"]
        if family not in FAMILIES:
            raise ValueError(f"style {name}: unknown family {family}")
        base = families[family]
        merged: dict[str, Any] = {**{k: v for k, v in base.items() if k not in ("labels", "widths")}, **spec}
        merged["labels"] = MappingProxyType({**base["labels"], **spec.get("labels", {})})
        merged["widths"] = MappingProxyType({**base["widths"], **spec.get("widths", {})})
        kwargs = {k: _tuple(v) for k, v in merged.items()}
        styles[name] = Style(name=name, **kwargs)
    return styles


STYLES: dict[str, Style] = load_styles()
