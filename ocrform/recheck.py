"""Re-run the arithmetic checks on JSON files already written: ``ocrform validate``.

A file may be what ``ocrform convert`` wrote (a document: ``{"schema_version", "source",
"forms", "evidence"}``), a bare canonical form object, or a list of forms, as written or
edited by hand since. Each form is checked as it stands (执行率 = B/A, 得分 ≤ 分值, 总分 =
the rows' sum; ``ocrform.validate.arithmetic_checks``); what the evidence recorded at
conversion time is not consulted, so a corrected figure passes and a mistyped one fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ocrform.canonical import DocumentResult, Form
from ocrform.validate import Check, arithmetic_checks

_FORMS = TypeAdapter(list[Form])


class UnreadableFile(Exception):
    """The file cannot be read as text (missing, a folder, no permission, not UTF-8)."""


class InvalidFile(Exception):
    """The file is read but is not JSON, or not a form, a list of forms or a document."""


@dataclass
class FormChecks:
    """One form of a file: its JSON pointer in the file, number, project name and checks."""

    pointer: str  # "" (a bare form), "/3" (a list of forms), "/forms/3" (a document)
    number: int  # 1-based
    project_name: str | None
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def recheck_file(path: Path) -> list[FormChecks]:
    """Every form in the JSON file at ``path`` with its arithmetic checks. Raises
    ``UnreadableFile`` or ``InvalidFile`` with a one-line reason."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile("file not found") from None
    except IsADirectoryError:
        raise UnreadableFile("is a directory") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("not UTF-8 text (a JSON file is UTF-8)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFile(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InvalidFile("not valid JSON (nested too deeply)") from None
    try:
        if isinstance(data, dict) and "forms" in data:
            forms, prefix = DocumentResult.model_validate(data).forms, "/forms/"
        elif isinstance(data, dict):
            forms, prefix = [Form.model_validate(data)], None
        elif isinstance(data, list):
            forms, prefix = _FORMS.validate_python(data), "/"
        else:
            raise InvalidFile(f"a JSON {type(data).__name__}, not a form, a list of forms or a document")
    except ValidationError as exc:
        raise InvalidFile(_validation_line(exc, data)) from None
    return [
        FormChecks(
            pointer="" if prefix is None else f"{prefix}{i}",
            number=i + 1,
            project_name=form.project_name,
            checks=arithmetic_checks(form),
        )
        for i, form in enumerate(forms)
    ]


def _validation_line(exc: ValidationError, data: object) -> str:
    """The first schema violation, as a JSON pointer and pydantic's message, on one line."""
    errors = exc.errors()
    first = errors[0]
    pointer = "/" + "/".join(str(p) for p in first["loc"]) if first["loc"] else "/"
    what = "a document" if isinstance(data, dict) and "forms" in data else "a form" if isinstance(data, dict) else ""
    what = what or "a list of forms"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = " ".join(str(first["msg"]).split())
    return f"not {what} of the schema: {pointer}: {message}{more}"
