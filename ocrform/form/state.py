"""What has been read of a form, value by value with its span, and fragments made whole."""

from __future__ import annotations

from ocrform.form.spans import Span


class FormState:
    """What has been read of one form so far, every value with the span it came from."""

    def __init__(self) -> None:
        self.scalars: dict[str, tuple[object, Span]] = {}
        self.long_texts: dict[str, list[Span]] = {}
        self.unit: tuple[str, Span] | None = None
        self.fund_rows: list[dict[str, Span]] = []
        self.goals: dict[str, list[Span]] = {"expected": [], "actual": []}
        self.indicators: list[dict[str, Span]] = []
        self.rubric: list[dict[str, Span]] = []
        # Labelled values no schema field takes (项目地址, 邮编 …): (label, value).
        self.unmapped: list[tuple[Span, Span]] = []
        self.pages: set[int] = set()
        self.has_content = False
        self.joins_previous = False  # a fragment started by a title after untitled tables
        self.headings: dict[str, Span] = {}  # the heading line a long text stood under

    def has(self, name: str) -> bool:
        return name in self.scalars or name in self.long_texts

    def texts(self, name: str) -> list[Span]:
        """The pieces of a text that may run over rows and pages: a goal or the conclusion."""
        return self.goals[name] if name in self.goals else self.long_texts.setdefault(name, [])

    def set_scalar(self, name: str, value: object, span: Span) -> None:
        if name not in self.scalars:
            self.scalars[name] = (value, span)

    def parts(self) -> set[str]:
        """The parts of a form this one holds: fields, and tables by kind."""
        found = set(self.scalars) | {name for name, spans in self.long_texts.items() if spans}
        found |= {name for name, spans in self.goals.items() if spans}
        for name, rows in (("funds", self.fund_rows), ("indicators", self.indicators), ("rubric", self.rubric)):
            if rows:
                found.add(name)
        return found

    def joined(self, later: FormState) -> FormState:
        """This fragment and the one after it as one form (their parts do not overlap)."""
        out = FormState()
        out.scalars = {**self.scalars, **later.scalars}
        out.long_texts = {**self.long_texts, **later.long_texts}
        out.unit = self.unit or later.unit
        out.fund_rows = self.fund_rows + later.fund_rows
        out.goals = {k: self.goals[k] + later.goals[k] for k in self.goals}
        out.indicators = self.indicators + later.indicators
        out.rubric = self.rubric + later.rubric
        out.unmapped = self.unmapped + later.unmapped
        out.headings = {**later.headings, **self.headings}
        out.pages = self.pages | later.pages
        out.has_content = self.has_content or later.has_content
        return out


def joined_fragments(forms: list[FormState]) -> list[FormState]:
    """Forms whose parts stood out of order, made whole again.

    A dump that lost the page's geometry may print a form's parts in the order its producer
    drew them (pdftotext on seed 001: the fund table, then the title, goals and indicators;
    or the fund and indicator tables before the title). A title after tables that had none
    starts a fragment; it joins the form before when the two hold no part in common (a form
    whose title was lost, then the next form, share their tables and stay apart).
    """
    out: list[FormState] = []
    for state in forms:
        if out and state.joins_previous and not out[-1].parts() & state.parts():
            out[-1] = out[-1].joined(state)
        else:
            out.append(state)
    return out
