"""The score formula against hand-computed cases (docs/kpi.md, "Call QA score")."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kpi.callqa import scoring
from kpi.callqa.models import Criterion, CriticalScope, Scorecard, ScorecardSection, ScoringType
from kpi.callqa.scoring import Mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    """Greeting (section A): a yes/no (w 1), a 0..4 scale (w 2, N/A allowed).
    Resolution (section B): a 0..2 scale (w 3), a critical-for-section yes/no (w 1),
    a critical-for-evaluation yes/no (w 1, N/A allowed)."""
    sc = Scorecard.objects.create(key="std", name="Standard")
    a = ScorecardSection.objects.create(scorecard=sc, order=1, title="A")
    b = ScorecardSection.objects.create(scorecard=sc, order=2, title="B")
    c = {
        "greet": Criterion.objects.create(section=a, order=1, text="Greets", weight=1),
        "tone": Criterion.objects.create(section=a, order=2, text="Tone", weight=2, scoring=ScoringType.SCALE,
                                         scale_max=4, allow_na=True),
        "solve": Criterion.objects.create(section=b, order=1, text="Solves", weight=3, scoring=ScoringType.SCALE,
                                          scale_max=2),
        "kvkk": Criterion.objects.create(section=b, order=2, text="KVKK", weight=1, critical=CriticalScope.SECTION),
        "abuse": Criterion.objects.create(section=b, order=3, text="No abuse", weight=1, allow_na=True,
                                          critical=CriticalScope.EVALUATION),
    }
    return sc, c


def _compute(card, **values):
    sc, c = card
    marks = {c[name].pk: (Mark(None, True) if value == "na" else Mark(value)) for name, value in values.items()}
    return scoring.compute(scoring.criteria_of(sc), marks)


def test_all_full_marks_is_100(card):
    assert _compute(card, greet=1, tone=4, solve=2, kvkk=1, abuse=1).score == Decimal("100.00")


def test_weighted_fractions(card):
    # 100 x (1x1 + 2x3/4 + 3x1/2 + 1x1 + 1x1) / (1+2+3+1+1) = 100 x 6 / 8 = 75
    assert _compute(card, greet=1, tone=3, solve=1, kvkk=1, abuse=1).score == Decimal("75.00")


def test_na_leaves_the_denominator(card):
    # tone and abuse N/A: 100 x (0 + 3x2/2 + 1) / (1+3+1) = 100 x 4 / 5 = 80
    result = _compute(card, greet=0, tone="na", solve=2, kvkk=1, abuse="na")
    assert result.score == Decimal("80.00")
    assert not result.critical_failed


def test_rounding_half_up_to_two_places(card):
    # 100 x (1 + 2x1/4 + 3x2/2 + 1 + 1) / 8 = 100 x 6.5 / 8 = 81.25
    assert _compute(card, greet=1, tone=1, solve=2, kvkk=1, abuse=1).score == Decimal("81.25")
    # tone N/A: 100 x (1 + 0 + 1 + 1) / 6 = 50
    assert _compute(card, greet=1, tone="na", solve=0, kvkk=1, abuse=1).score == Decimal("50.00")
    # tone and abuse N/A, greet 0: 100 x (0 + 3x1/2 + 1) / 5 = 50; greet 1: 100 x 3.5 / 5 = 70
    assert _compute(card, greet=1, tone="na", solve=1, kvkk=1, abuse="na").score == Decimal("70.00")
    # abuse N/A: 100 x (1 + 2x2/4 + 3x1/2 + 1) / 7 = 64.2857 -> 64.29
    assert _compute(card, greet=1, tone=2, solve=1, kvkk=1, abuse="na").score == Decimal("64.29")


def test_critical_section_fail_zeroes_its_section_only(card):
    # kvkk 0: section B's criteria all count 0, weights stay: 100 x (1 + 2x4/4) / 8 = 37.5
    result = _compute(card, greet=1, tone=4, solve=2, kvkk=0, abuse=1)
    assert result.score == Decimal("37.50")
    assert result.critical_failed
    sc, c = card
    assert result.failed_sections == {c["kvkk"].section_id}
    assert result.section_scores[c["greet"].section_id] == Decimal("100.00")
    assert result.section_scores[c["kvkk"].section_id] == Decimal("0.00")


def test_critical_evaluation_fail_zeroes_everything(card):
    result = _compute(card, greet=1, tone=4, solve=2, kvkk=1, abuse=0)
    assert result.score == Decimal("0.00")
    assert result.critical_failed


def test_critical_na_is_not_a_fail(card):
    assert not _compute(card, greet=1, tone=4, solve=2, kvkk=1, abuse="na").critical_failed


def test_every_criterion_na_has_no_score():
    sc = Scorecard.objects.create(key="na", name="NA")
    s = ScorecardSection.objects.create(scorecard=sc, title="S")
    c = Criterion.objects.create(section=s, text="Only", allow_na=True)
    assert scoring.compute([c], {c.pk: Mark(None, True)}).score is None


@pytest.mark.parametrize("name, mark, words", [
    ("tone", Mark(5), "0 to 4"),
    ("tone", Mark(-1), "0 to 4"),
    ("greet", Mark(2), "yes (1) or no (0)"),
    ("solve", Mark(None, True), "cannot be marked N/A"),
    ("tone", Mark(2, True), "N/A and scored"),
])
def test_bad_marks_are_refused_by_name(card, name, mark, words):
    sc, c = card
    marks = {c["greet"].pk: Mark(1), c["tone"].pk: Mark(4), c["solve"].pk: Mark(2), c["kvkk"].pk: Mark(1),
             c["abuse"].pk: Mark(1), c[name].pk: mark}
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        scoring.validate(scoring.criteria_of(sc), marks, complete=True)
    assert words in str(refused.value.message_dict[f"criterion_{c[name].pk}"])


def test_submitting_needs_every_criterion_a_draft_does_not(card):
    sc, c = card
    marks = {c["greet"].pk: Mark(1)}
    scoring.validate(scoring.criteria_of(sc), marks, complete=False)
    with pytest.raises(ValidationError) as refused:
        scoring.validate(scoring.criteria_of(sc), marks, complete=True)
    assert len(refused.value.message_dict) == 4


def test_a_frozen_version_is_copied_not_edited(card):
    sc, c = card
    scoring.freeze(sc)
    sc.refresh_from_db()
    with pytest.raises(ValidationError):
        scoring.ensure_editable(sc)
    copy = scoring.new_version(sc)
    assert (copy.key, copy.version, copy.status, copy.is_frozen) == ("std", 2, "draft", False)
    assert [x.text for x in scoring.criteria_of(copy)] == [x.text for x in scoring.criteria_of(sc)]
    assert scoring.new_version(sc).version == 3
    scoring.activate(copy)
    assert Scorecard.objects.get(pk=copy.pk).status == "active"


@pytest.mark.parametrize("marks, expected, critical", [
    # docs/kpi.md, "Worked examples" (the standard scorecard of tests/callqa/conftest.py)
    ((1, 1, 3, 1, 1), "84.38", False),  # 100 x (1 + 2 + 3x3/4 + 1x1/2 + 1) / 8 = 84.375
    ((1, 1, 3, "na", 1), "89.29", False),  # 100 x (1 + 2 + 2.25 + 1) / 7 = 89.2857
    ((1, 0, 3, 1, 1), "46.88", True),  # KVKK fails: the opening counts 0: 100 x (2.25 + 0.5 + 1) / 8
    ((1, 1, 4, 2, 0), "0.00", True),  # abuse: the whole evaluation is 0
])
def test_worked_examples_of_the_docs(marks, expected, critical):
    from tests.callqa.conftest import make_scorecard

    card = make_scorecard("docs")
    criteria = scoring.criteria_of(card)
    result = scoring.compute(criteria, {c.pk: Mark(None, True) if m == "na" else Mark(m)
                                        for c, m in zip(criteria, marks, strict=True)})
    assert (result.score, result.critical_failed) == (Decimal(expected), critical)
