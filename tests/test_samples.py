"""The bundled samples convert to exactly the forms they were rendered from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrform import convert
from ocrform.evaluate import field_differences

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BUNDLED = sorted(p for p in SAMPLES.glob("*.pdf"))


def test_samples_are_bundled() -> None:
    assert len(BUNDLED) >= 4
    assert all(p.with_name(p.stem + ".expected.json").exists() for p in BUNDLED)


@pytest.mark.parametrize("pdf", BUNDLED, ids=lambda p: p.stem)
def test_bundled_sample_converts_exactly(pdf: Path) -> None:
    want = json.loads(pdf.with_name(pdf.stem + ".expected.json").read_text("utf-8"))
    result = convert(pdf)
    got = [f.model_dump(mode="json") for f in result.forms]
    diffs = [d for g, w in zip(got, want) for d in field_differences(g, w)]
    assert len(got) == len(want)
    assert not diffs, diffs[:10]


def test_real_seed_text_dumps() -> None:
    """The real forms we have are text dumps: seed 000 is clean and must come back exactly."""
    result = convert(SAMPLES / "seeds" / "000_1ad45b0b82b486fc.txt")
    gold = [json.loads((SAMPLES / "gold" / f"000_f0{i}.json").read_text("utf-8")) for i in range(1, 7)]
    got = [f.model_dump(mode="json") for f in result.forms[:6]]
    assert [d for g, w in zip(got, gold) for d in field_differences(g, w)] == []
    assert result.source.kind == "text" and result.source.text_layer == "clean"
    assert not any(ev.repairs for ev in result.evidence)
