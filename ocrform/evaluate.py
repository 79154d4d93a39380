"""Field-by-field comparison of forms with their known truth (tests, benchmarks, accuracy reports)."""

from __future__ import annotations

from typing import Any

from ocrform.text import normalize


def field_differences(got: Any, want: Any, path: str = "") -> list[str]:
    """Every leaf where two form dicts disagree, strings compared after SCHEMA.md normalisation.

    The truth may be written in an earlier schema version: a field it does not name is null
    there (1.1 only added optional fields), and ``schema_version`` is no field of the form.
    """
    if isinstance(want, dict) and isinstance(got, dict):
        diffs = []
        for key in sorted((set(want) | set(got)) - {"schema_version"}):
            diffs += field_differences(got.get(key, "<missing>"), want.get(key), f"{path}/{key}")
        return diffs
    if isinstance(want, list) and isinstance(got, list):
        diffs = []
        for i, (g, w) in enumerate(zip(got, want)):
            diffs += field_differences(g, w, f"{path}/{i}")
        # A missing item loses every field it has; an extra one is one wrong field.
        for i in range(len(got), len(want)):
            diffs += [f"{path}/{i}: missing"] * count_fields(want[i])
        diffs += [f"{path}/{i}: not in the truth" for i in range(len(want), len(got))]
        return diffs
    if isinstance(want, str) and isinstance(got, str):
        return [] if normalize(got) == normalize(want) else [f"{path}: {got!r} != {want!r}"]
    return [] if got == want else [f"{path}: {got!r} != {want!r}"]


def count_fields(form: Any) -> int:
    """Leaves of a form dict: the denominator of a field accuracy."""
    if isinstance(form, dict):
        return sum(count_fields(v) for v in form.values())
    if isinstance(form, list):
        return sum(count_fields(v) for v in form)
    return 1


def field_accuracy(got_forms: list[dict[str, Any]], want_forms: list[dict[str, Any]]) -> tuple[int, int]:
    """(exact fields, total fields) over paired forms; a missing form counts all its fields wrong."""
    total = sum(count_fields(w) for w in want_forms)
    wrong = 0
    for i, want in enumerate(want_forms):
        if i >= len(got_forms):
            wrong += count_fields(want)
            continue
        wrong += min(count_fields(want), len(field_differences(got_forms[i], want)))
    return total - wrong, total
