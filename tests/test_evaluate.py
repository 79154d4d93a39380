"""The accuracy measure every figure in the notes comes from."""

from __future__ import annotations

from ocrform.evaluate import field_accuracy, field_differences


def test_a_missing_item_loses_all_its_fields() -> None:
    want = {"name": "x", "indicators": [{"name": "a", "score": 5.0}, {"name": "b", "score": 4.0}]}
    got = {"name": "x", "indicators": [{"name": "a", "score": 5.0}]}
    assert field_accuracy([got], [want]) == (3, 5)


def test_an_extra_item_is_one_wrong_field() -> None:
    want = {"indicators": [{"name": "a", "score": 5.0}]}
    got = {"indicators": [{"name": "a", "score": 5.0}, {"name": "b", "score": 4.0}]}
    assert len(field_differences(got, want)) == 1
    assert field_accuracy([got], [want]) == (1, 2)


def test_strings_compare_after_normalisation_and_a_missing_form_loses_everything() -> None:
    want = {"name": "项目（一）", "total": 100.0}
    assert field_accuracy([{"name": "项目(一)", "total": 100.0}], [want]) == (2, 2)
    assert field_accuracy([], [want]) == (0, 2)


def test_a_truth_in_schema_1_reads_the_fields_1_1_added_as_null() -> None:
    got = {"schema_version": "1.1", "funds": {"rows": [{"item": "市财政", "received": None, "balance": 144.9}]}}
    want = {"schema_version": "1", "funds": {"rows": [{"item": "市财政"}]}}
    assert field_differences(got, want) == ["/funds/rows/0/balance: 144.9 != None"]
