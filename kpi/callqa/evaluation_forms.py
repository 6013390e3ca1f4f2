"""The scoring form of a call evaluation (the evaluator's page and the QA lead's re-score), and the
read-only view of an evaluation's scores (detail page, PDF).

Field names (what a browser posts): `criterion_<id>` = "0".."N" or "na" (a yes/no criterion:
"1" yes, "0" no), `comment_<id>`, `feedback`, `suggestions`. The form only reads what was posted;
every rule (range, N/A allowed, complete) is `kpi.callqa.scoring.validate`'s, whose messages come
back on the criterion they are about. A posted score is never read: the server computes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kpi.callqa.models import Criterion, CriterionScore, ScoringType
from kpi.callqa.scoring import Mark, Result

NA = "na"
RADIO_MAX = 10  # scales up to 0..10 are radio buttons; longer ones a drop-down


def mark_name(criterion_id: int) -> str:
    return f"criterion_{criterion_id}"


def comment_name(criterion_id: int) -> str:
    return f"comment_{criterion_id}"


def raw_of(score: CriterionScore | None) -> str:
    if score is None:
        return ""
    if score.na:
        return NA
    return "" if score.value is None else str(score.value)


def parse_mark(raw: str) -> Mark | None:
    """A posted value as a mark: "" none, "na" N/A, a whole number that value. Anything else
    becomes an out-of-range value, so the scoring rules refuse it with the criterion's range."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.lower() == NA:
        return Mark(None, True)
    try:
        return Mark(int(raw))
    except ValueError:
        return Mark(-1)


@dataclass
class CriterionField:
    criterion: Criterion
    value: str = ""
    comment: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return mark_name(self.criterion.pk)

    @property
    def comment_name(self) -> str:
        return comment_name(self.criterion.pk)

    @property
    def widget(self) -> str:
        return "select" if self.criterion.scoring == ScoringType.SCALE and self.criterion.scale_max > RADIO_MAX \
            else "radio"

    @property
    def options(self) -> list[tuple[str, str]]:
        criterion = self.criterion
        if criterion.scoring == ScoringType.YES_NO:
            options = [("1", _("Yes")), ("0", _("No"))]
        else:
            options = [(str(n), str(n)) for n in range(criterion.scale_max + 1)]
        if criterion.allow_na:
            options.append((NA, _("N/A")))
        return options

    @property
    def range_text(self) -> str:
        criterion = self.criterion
        text = _("yes or no") if criterion.scoring == ScoringType.YES_NO else (
            _("0 to %(max)s") % {"max": criterion.scale_max})
        return text + (", " + _("N/A allowed") if criterion.allow_na else "")


@dataclass
class SectionFields:
    section: object
    fields: list[CriterionField]


class ScoringForm:
    """The criteria of one scorecard as form fields, filled from stored scores or from a POST."""

    def __init__(self, criteria: list[Criterion], *, data=None, scores: dict[int, CriterionScore] | None = None,
                 feedback: str = "", suggestions: str = ""):
        self.criteria = criteria
        self.non_field_errors: list[str] = []
        scores = scores or {}
        self.fields: list[CriterionField] = []
        for criterion in criteria:
            if data is not None:
                self.fields.append(CriterionField(criterion, (data.get(mark_name(criterion.pk)) or "").strip(),
                                                  data.get(comment_name(criterion.pk)) or ""))
            else:
                stored = scores.get(criterion.pk)
                self.fields.append(CriterionField(criterion, raw_of(stored), stored.comment if stored else ""))
        self.feedback = (data.get("feedback") or "") if data is not None else feedback
        self.suggestions = (data.get("suggestions") or "") if data is not None else suggestions
        self._by_key = {f.name: f for f in self.fields}

    @property
    def sections(self) -> list[SectionFields]:
        grouped: list[SectionFields] = []
        for item in self.fields:
            if not grouped or grouped[-1].section.pk != item.criterion.section_id:
                grouped.append(SectionFields(item.criterion.section, []))
            grouped[-1].fields.append(item)
        return grouped

    def marks(self) -> dict[int, Mark]:
        found = {}
        for item in self.fields:
            mark = parse_mark(item.value)
            if mark is not None:
                found[item.criterion.pk] = mark
        return found

    def comments(self) -> dict[int, str]:
        return {item.criterion.pk: item.comment.strip() for item in self.fields if item.comment.strip()}

    @property
    def errors(self) -> bool:
        return bool(self.non_field_errors or any(item.errors for item in self.fields))

    @property
    def error_count(self) -> int:
        return sum(1 for item in self.fields if item.errors)

    def add_errors(self, error: ValidationError) -> None:
        """A refusal's messages, each on its criterion (`criterion_<id>` keys) or above the form."""
        if hasattr(error, "error_dict"):
            for key, errors in error.message_dict.items():
                target = self._by_key.get(key)
                if target is not None:
                    target.errors.extend(errors)
                else:
                    self.non_field_errors.extend(errors)
        else:
            self.non_field_errors.extend(error.messages)


# --- read-only ------------------------------------------------------------------------------------------


@dataclass
class ScoreLine:
    criterion: Criterion
    score: CriterionScore | None

    @property
    def text(self) -> str:
        return mark_text(self.criterion, self.score.value if self.score else None, bool(self.score and self.score.na))

    @property
    def rescored(self) -> bool:
        return self.score is not None and self.score.original_na is not None

    @property
    def original_text(self) -> str:
        if not self.rescored:
            return ""
        return mark_text(self.criterion, self.score.original_value, bool(self.score.original_na))

    @property
    def changed(self) -> bool:
        return self.rescored and (self.score.original_value, bool(self.score.original_na)) != (
            self.score.value, self.score.na)

    @property
    def comment(self) -> str:
        return self.score.comment if self.score else ""

    @property
    def failed_critical(self) -> bool:
        return bool(self.criterion.critical and self.score and not self.score.na and self.score.value == 0)


@dataclass
class ScoreSection:
    section: object
    lines: list[ScoreLine]
    score: Decimal | None
    zeroed: bool


def mark_text(criterion: Criterion, value: int | None, na: bool) -> str:
    if na:
        return _("N/A")
    if value is None:
        return "—"
    if criterion.scoring == ScoringType.YES_NO:
        return _("Yes") if value else _("No")
    return f"{value} / {criterion.scale_max}"


def score_sections(criteria: list[Criterion], scores: dict[int, CriterionScore],
                   result: Result | None) -> list[ScoreSection]:
    sections: list[ScoreSection] = []
    for criterion in criteria:
        if not sections or sections[-1].section.pk != criterion.section_id:
            section_id = criterion.section_id
            sections.append(ScoreSection(
                criterion.section, [], result.section_scores.get(section_id) if result else None,
                bool(result and section_id in result.failed_sections)))
        sections[-1].lines.append(ScoreLine(criterion, scores.get(criterion.pk)))
    return sections
