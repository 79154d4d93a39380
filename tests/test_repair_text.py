import json
import random
from pathlib import Path

import pytest

from ocrform.repair.font import ideograph_candidates, unified_form
from ocrform.repair.plausible import fits_in_place, misfit_characters
from ocrform.repair.text import repair_text
from ocrform.synth.garble_text import garble_text

SEEDS = Path(__file__).resolve().parents[1] / "samples" / "seeds"


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


# Seed 001's garbled -> true characters, each checked against samples/gold/001_f01.json and
# the runs of issue 3: 下不与专 二于云互五 政故效敏 组细织终 价任份 务动 年并 称移 当录 主举.
TRUTH_001 = json.loads((SEEDS / "001_truth.json").read_text(encoding="utf-8"))["truth"]


def test_seed_001_every_garbled_character_and_nothing_else() -> None:
    text = _seed("001")
    result = repair_text(text)
    assert result.garbled
    statistical = {g: t for g, t, m in result.repairs if m == "statistical"}
    # Exactly the truth: 20 of 20 repaired, and no correct character changed (于 and 不 are
    # both garbled forms and true characters elsewhere in the alphabet: 亍→于, 于→云).
    assert statistical == TRUTH_001
    assert result.text == "".join(TRUTH_001.get(ch, ch) for ch in text)


@pytest.mark.parametrize("prefix", ["000", "003", "004"])
def test_clean_seeds_untouched(prefix: str) -> None:
    text = _seed(prefix)
    result = repair_text(text)
    assert not result.garbled
    assert result.text == text


def test_seed_001_restored_is_clean() -> None:
    clean = "".join(TRUTH_001.get(ch, ch) for ch in _seed("001"))
    assert repair_text(clean).text == clean


@pytest.mark.parametrize("prefix", ["003", "004"])
def test_synthetic_garbling_of_held_out_seeds(prefix: str) -> None:
    """Seeds 003/004 are outside the domain pair corpus: the model has not seen their text."""
    text = _seed(prefix)
    garbled = right = wrong = 0
    for seed in range(3):
        g = garble_text(text, random.Random(seed))
        fixed = repair_text(g.text).text
        for x, y in zip(g.text, fixed):
            want = g.truth.get(x, x)
            garbled += want != x
            right += want != x and y == want
            wrong += y != want and y != x
    assert garbled > 200
    assert right / garbled >= 0.90, f"{right}/{garbled}"
    assert wrong / garbled <= 0.08, f"{wrong}/{garbled}"


def test_sparse_runs_are_short_close_and_ideographic() -> None:
    text = _seed("003")
    truth = garble_text(text, random.Random(0)).truth
    assert truth
    for g, t in truth.items():
        assert "\u4e00" <= g < t <= "\u9fff" and ord(t) - ord(g) <= 4 * 12


def test_a_character_the_defect_put_in_place_forms_no_word() -> None:
    """The language's verdict that needs no rarity: 充 for 公 stands among neighbours it
    forms no word with; the true character does."""
    garbled = "充共预算执行率\n充共服务满意度"
    assert misfit_characters(garbled, {"充", "预", "满"}) == {"充"}
    assert misfit_characters("公共预算执行率", {"公"}) == set()
    assert fits_in_place(garbled, "充", "公")
    assert not fits_in_place(garbled, "充", "兄")


def test_compatibility_code_points_name_their_ideographs() -> None:
    assert ideograph_candidates("\uf979") == ("凉",)  # canonically the same character
    assert ideograph_candidates("⽬") == ("目",)
    assert ideograph_candidates("⼾") == ("戶", "户")  # a Simplified face draws 户 with it
    assert ideograph_candidates("目") == () and ideograph_candidates("\ue000") == ()
    assert unified_form("⾨") is None and unified_form("\uf979") == "凉"


def test_a_word_jieba_barely_knows_does_not_vouch_for_a_character() -> None:
    """通过 shifted to 逃过 forms a word jieba lists at its floor count (3): 逃 stays doubted."""
    from ocrform.dictionary import attested_words, compound_words

    assert "逃过" in compound_words() and "逃过" not in attested_words()
    assert misfit_characters("通过审核\n逃过审核", {"通", "逃"}) == {"逃"}


def test_only_the_fonts_own_characters_are_judged_among_their_neighbours() -> None:
    # 充 forms 充分 in the first line, where another font printed it, and no word where
    # the font being judged did.
    assert misfit_characters("充分\n公充共预算", {"充"}) == set()
    assert misfit_characters("充分\n公充共预算", {"充"}, [set(), {1}]) == {"充"}
    assert misfit_characters("充分\n公充共预算", {"充"}, [{0}, {1}]) == set()


def test_words_parted_only_by_a_change_of_font_read_as_one_run() -> None:
    """Chromium prints a CJK line in Type3 fonts of 256 glyphs each: one word per character
    as extracted, one run as printed."""
    from ocrform.model import Box, Word
    from ocrform.words.pdf_text import printed_runs

    def word(text: str, x0: float, font: str, page: int = 0) -> Word:
        return Word(text=text, box=Box(x0, 100, x0 + 10 * len(text), 110), page=page, origin="pdf-text", font=font)

    words = [
        word("过", 10, "Type3 (5 0 R)"),
        word("通", 0, "Type3 (4 0 R)"),
        word("审核", 20, "Type3 (4 0 R)"),
        word("意见", 60, "Type3 (6 0 R)"),  # a cell further on
        word("通知", 0, "Type3 (4 0 R)", page=1),
    ]
    assert ["".join(w.text for w in run) for run in printed_runs(words)] == ["通过审核", "意见", "通知"]


def test_the_shipped_attested_words_are_the_installed_jiebas() -> None:
    """models/attested_words.txt is what scripts/build_attested_words.py makes of the jieba
    installed: rebuild it when jieba or ATTESTED_FREQUENCY changes."""
    import importlib.util

    from ocrform.resources import model_text

    path = Path(__file__).resolve().parent.parent / "scripts" / "build_attested_words.py"
    spec = importlib.util.spec_from_file_location("build_attested_words", path)
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert model_text("attested_words.txt").split() == build.attested_from_jieba()
