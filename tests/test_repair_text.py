from pathlib import Path

import pytest

from ocrform.repair.text import repair_text

SEEDS = Path(__file__).resolve().parents[1] / "samples" / "seeds"

# garbled -> true, verified by reading seed 001 against samples/gold/001_f01.json and issue 3.
EXPECTED_001 = {
    "丌": "不", "不": "与", "与": "专", "仸": "任", "仹": "份", "劢": "动",
    "幵": "并", "彔": "录", "秱": "移", "丼": "举",
}


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_seed_001_known_repairs() -> None:
    result = repair_text(_seed("001"))
    mapping = {g: t for g, t, _ in result.repairs}
    assert result.garbled
    for g, t in EXPECTED_001.items():
        assert mapping.get(g) == t, g


@pytest.mark.parametrize("prefix", ["000", "003", "004"])
def test_clean_seeds_untouched(prefix: str) -> None:
    text = _seed(prefix)
    result = repair_text(text)
    assert not result.garbled
    assert result.text == text
