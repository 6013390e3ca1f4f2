"""THE score of an evaluation, and scorecard versions.

    score = 100 x sum(weight x value / max) / sum(weight)   over the applicable (not N/A) criteria

then the critical rules: a critical criterion scored 0 fails; a failed "section" criterion makes
every criterion of its section count 0 (their weights stay in the denominator); a failed
"evaluation" criterion makes the score 0. docs/kpi.md works examples by hand; tests check them.

A scorecard version is frozen once an evaluation uses it (`freeze`); changing a frozen one means
`new_version` (a copy with version + 1, in draft), so old evaluations keep the form they were
scored with.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.callqa.models import Criterion, CriticalScope, Scorecard, ScorecardSection, ScoringType

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Mark:
    """One criterion's mark: a value 0..max, or N/A (value None and na True)."""

    value: int | None
    na: bool = False


@dataclass(frozen=True)
class Result:
    score: Decimal | None  # None when every criterion is N/A
    critical_failed: bool
    failed_sections: frozenset[int]  # section ids zeroed by a critical fail
    section_scores: dict[int, Decimal | None]  # per section, the same formula within it


def check_mark(criterion: Criterion, mark: Mark | None, *, complete: bool) -> str | None:
    """Why this mark is refused (a message), or None. `complete`: every criterion needs a mark."""
    if mark is None or (mark.value is None and not mark.na):
        return _("“%(criterion)s” is not scored.") % {"criterion": criterion.text} if complete else None
    if mark.na:
        if not criterion.allow_na:
            return _("“%(criterion)s” cannot be marked N/A.") % {"criterion": criterion.text}
        if mark.value is not None:
            return _("“%(criterion)s” is marked N/A and scored at once.") % {"criterion": criterion.text}
        return None
    top = criterion.max_score
    if not isinstance(mark.value, int) or isinstance(mark.value, bool) or not 0 <= mark.value <= top:
        if criterion.scoring == ScoringType.YES_NO:
            return _("“%(criterion)s” takes yes (1) or no (0).") % {"criterion": criterion.text}
        return _("“%(criterion)s” takes a score from 0 to %(max)s.") % {"criterion": criterion.text, "max": top}
    return None


def validate(criteria: list[Criterion], marks: dict[int, Mark], *, complete: bool) -> None:
    """ValidationError naming every refused mark (keyed by criterion id) and unknown criteria."""
    errors: dict[str, list[str]] = {}
    known = {c.pk for c in criteria}
    for criterion in criteria:
        problem = check_mark(criterion, marks.get(criterion.pk), complete=complete)
        if problem:
            errors.setdefault(f"criterion_{criterion.pk}", []).append(problem)
    unknown = sorted(set(marks) - known)
    if unknown:
        errors.setdefault("__all__", []).append(
            _("Criteria %(ids)s are not on this scorecard.") % {"ids": ", ".join(map(str, unknown))})
    if errors:
        raise ValidationError(errors)


def _ratio(parts: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    """100 x sum(weight x fraction) / sum(weight), rounded to 2 places; None without weights."""
    total = sum((weight for weight, _fraction in parts), Decimal(0))
    if not total:
        return None
    earned = sum((weight * fraction for weight, fraction in parts), Decimal(0))
    return (HUNDRED * earned / total).quantize(CENT, rounding=ROUND_HALF_UP)


def compute(criteria: list[Criterion], marks: dict[int, Mark]) -> Result:
    """The score of a complete, valid set of marks (see the module's docstring)."""
    failed_sections: set[int] = set()
    evaluation_failed = False
    for criterion in criteria:
        mark = marks.get(criterion.pk)
        if criterion.critical and mark is not None and not mark.na and mark.value == 0:
            if criterion.critical == CriticalScope.EVALUATION:
                evaluation_failed = True
            else:
                failed_sections.add(criterion.section_id)
    parts: list[tuple[Decimal, Decimal]] = []
    by_section: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for criterion in criteria:
        mark = marks.get(criterion.pk)
        if mark is None or mark.na or mark.value is None:
            by_section.setdefault(criterion.section_id, [])
            continue
        fraction = Decimal(0) if criterion.section_id in failed_sections else (
            Decimal(mark.value) / Decimal(criterion.max_score))
        part = (Decimal(criterion.weight), fraction)
        parts.append(part)
        by_section.setdefault(criterion.section_id, []).append(part)
    score = _ratio(parts)
    if evaluation_failed and score is not None:
        score = Decimal("0.00")
    sections = {section: (Decimal("0.00") if evaluation_failed and p else _ratio(p))
                for section, p in by_section.items()}
    return Result(score=score, critical_failed=evaluation_failed or bool(failed_sections),
                  failed_sections=frozenset(failed_sections), section_scores=sections)


def criteria_of(scorecard: Scorecard) -> list[Criterion]:
    return list(Criterion.objects.filter(section__scorecard=scorecard).select_related("section")
                .order_by("section__order", "section_id", "order", "pk"))


# ---- versions -------------------------------------------------------------------------------------


def freeze(scorecard: Scorecard) -> None:
    """Mark a version as in use (idempotent): from now on it is never edited."""
    if scorecard.frozen_at is None:
        scorecard.frozen_at = timezone.now()
        Scorecard.objects.filter(pk=scorecard.pk, frozen_at__isnull=True).update(frozen_at=scorecard.frozen_at)


def ensure_editable(scorecard: Scorecard) -> None:
    if scorecard.is_frozen:
        raise ValidationError(_("Version %(version)s of “%(name)s” is in use and frozen: edit a new version.")
                              % {"version": scorecard.version, "name": scorecard.name})


@transaction.atomic
def new_version(scorecard: Scorecard, *, user=None) -> Scorecard:
    """A draft copy of `scorecard` (sections and criteria) numbered after the key's last version."""
    last = Scorecard.objects.select_for_update().filter(key=scorecard.key).order_by("-version").first()
    copy = Scorecard.objects.create(
        key=scorecard.key, version=last.version + 1, name=scorecard.name, description=scorecard.description,
        status=Scorecard.Status.DRAFT, pass_score=scorecard.pass_score, created_by=user,
    )
    for section in scorecard.sections.prefetch_related("criteria"):
        new_section = ScorecardSection.objects.create(scorecard=copy, order=section.order, title=section.title)
        Criterion.objects.bulk_create([
            Criterion(section=new_section, order=c.order, text=c.text, guidance=c.guidance, weight=c.weight,
                      scoring=c.scoring, scale_max=c.scale_max, allow_na=c.allow_na, critical=c.critical)
            for c in section.criteria.all()
        ])
    return copy


@transaction.atomic
def activate(scorecard: Scorecard) -> None:
    """Make this version the one new samples use; the key's other active version retires."""
    if not Criterion.objects.filter(section__scorecard=scorecard).exists():
        raise ValidationError(_("A scorecard without criteria cannot be used."))
    Scorecard.objects.filter(key=scorecard.key, status=Scorecard.Status.ACTIVE).exclude(pk=scorecard.pk).update(
        status=Scorecard.Status.RETIRED)
    scorecard.status = Scorecard.Status.ACTIVE
    scorecard.save(update_fields=["status"])
