"""The evaluation workflow end to end: assign, draft, submit (the server computes the score), the
agent acknowledges or disputes within the window, the QA lead upholds or re-scores (originals kept);
and every refusal, with nothing half-saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from kpi.callqa import scoring, services
from kpi.callqa.models import (
    Acknowledgement,
    CoachingTask,
    Criterion,
    CriterionScore,
    Dispute,
    Evaluation,
    EvaluationStatus,
    Outcome,
    Scorecard,
    ScorecardSection,
    ScoringType,
)
from kpi.callqa.scoring import Mark
from tests.callqa.conftest import make_call
from tests.callqa.evaluations_data import assigned, criteria, english, marks, post_data, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["english"]


def _snapshot(evaluation):
    """What a refused step must leave exactly as it was."""
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    return (
        evaluation.status, evaluation.score, evaluation.critical_failed, evaluation.original_score,
        evaluation.feedback, evaluation.acknowledgement, evaluation.responded_at, evaluation.submitted_at,
        sorted(CriterionScore.objects.filter(evaluation=evaluation).values_list(
            "criterion_id", "value", "na", "comment", "original_value", "original_na")),
        Dispute.objects.filter(evaluation=evaluation).values_list("status", "decision_note").first(),
        CoachingTask.objects.filter(evaluation=evaluation).values_list("status", "reason").first(),
    )


# --- end to end through the pages -------------------------------------------------------------------------------


def test_evaluator_scores_and_agent_acknowledges(client, centre, django_capture_on_commit_callbacks, mailoutbox):
    u, card = centre.users, centre.scorecard
    evaluation = assigned(centre, centre.agents.a1, u.ev1, recording_url="https://kayit.example.org/r/1.mp3")
    assert Scorecard.objects.get(pk=card.pk).is_frozen

    client.force_login(u.ev1)
    queue = client.get(reverse("callqa:queue"))
    assert queue.status_code == 200
    assert reverse("callqa:evaluation_score", args=[evaluation.pk]) in queue.content.decode()

    url = reverse("callqa:evaluation_score", args=[evaluation.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<audio controls' in html and "https://kayit.example.org/r/1.mp3" in html
    assert "media-src 'self' https://kayit.example.org" in page["Content-Security-Policy"]
    for criterion in criteria(card).values():
        assert f'name="criterion_{criterion.pk}"' in html and f'name="comment_{criterion.pk}"' in html

    # A draft keeps what is there, none required.
    draft = post_data(card, action="draft", accuracy="None", courtesy="None")
    draft[f"comment_{criteria(card)['greeting'].pk}"] = "Adını söyledi."
    response = client.post(url, draft)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT and evaluation.score is None
    assert CriterionScore.objects.filter(evaluation=evaluation).count() == 3

    # Submit: accuracy 3/4, courtesy N/A -> 100 x (1 + 2 + 3 x 3/4 + 1) / 7 = 89.29
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post_data(card, accuracy=3, courtesy="na"))
    assert response.status_code == 302 and response["Location"] == reverse("callqa:evaluation", args=[evaluation.pk])
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert evaluation.score == Decimal("89.29") and not evaluation.critical_failed
    assert evaluation.submitted_at is not None
    assert evaluation.feedback == "Genel olarak iyi."
    # The agent is told by mail, without the score.
    assert [m.to for m in mailoutbox] == [[u.a1.email]]
    assert "89" not in mailoutbox[0].body
    assert reverse("callqa:evaluation", args=[evaluation.pk]) in mailoutbox[0].body

    # The score page of a submitted evaluation sends on to its page, which shows the score.
    assert client.get(url)["Location"] == reverse("callqa:evaluation", args=[evaluation.pk])
    detail = client.get(reverse("callqa:evaluation", args=[evaluation.pk])).content.decode()
    assert "<strong>89,29</strong>" in detail and "section score 100,00" in detail

    # The agent sees it, with the window's end, and acknowledges it.
    client.force_login(u.a1)
    mine = client.get(reverse("callqa:my_evaluations")).content.decode()
    deadline = timezone.localdate(evaluation.submitted_at) + dt.timedelta(days=7)
    assert f"{deadline:%d.%m.%Y}" in mine
    detail = client.get(reverse("callqa:evaluation", args=[evaluation.pk])).content.decode()
    assert ">Acknowledge<" in detail.replace("\n", "").replace("</svg>", ">")
    response = client.post(reverse("callqa:evaluation_acknowledge", args=[evaluation.pk]))
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.acknowledgement == Acknowledgement.ACKNOWLEDGED and evaluation.responded_at

    actions = list(ModelLogEntry.objects.filter(object_id=str(evaluation.pk), content_type__model="evaluation")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["callqa.assign", "callqa.draft", "qms.transition", "qms.transition"]
    for entry in ModelLogEntry.objects.filter(object_id=str(evaluation.pk)):
        assert "Adını" not in str(entry.data) and "Genel" not in str(entry.data)


def test_a_posted_score_is_ignored(client, centre):
    evaluation = assigned(centre, centre.agents.a1, centre.users.ev1)
    client.force_login(centre.users.ev1)
    data = post_data(centre.scorecard, greeting=0)
    data.update({"score": "100", "critical_failed": "on", "original_score": "5"})
    client.post(reverse("callqa:evaluation_score", args=[evaluation.pk]), data)
    evaluation.refresh_from_db()
    # 100 x (0 + 2 + 3 + 1 + 1) / 8 = 87.5
    assert evaluation.score == Decimal("87.50")
    assert evaluation.critical_failed is False and evaluation.original_score is None


def test_critical_fail_zeroes_and_opens_coaching(centre):
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1, abuse=0)
    assert evaluation.score == Decimal("0.00") and evaluation.critical_failed
    task = CoachingTask.objects.get(evaluation=evaluation)
    assert task.reason == CoachingTask.Reason.CRITICAL_FAIL and task.owner == centre.users.lead_a


# --- bad input: refused, nothing half-saved ---------------------------------------------------------------------


@pytest.mark.parametrize(("values", "message"), [
    ({"accuracy": 5}, "takes a score from 0 to 4"),
    ({"accuracy": -1}, "takes a score from 0 to 4"),
    ({"accuracy": "abc"}, "takes a score from 0 to 4"),
    ({"greeting": 2}, "takes yes (1) or no (0)"),
    ({"greeting": "na"}, "cannot be marked N/A"),
    ({"accuracy": "None"}, "is not scored"),
])
def test_bad_marks_are_refused_on_the_page(client, centre, values, message):
    evaluation = assigned(centre, centre.agents.a1, centre.users.ev1)
    services.save_draft(evaluation, marks(centre.scorecard, accuracy=2), {}, "eski", "", by=centre.users.ev1)
    before = _snapshot(evaluation)
    client.force_login(centre.users.ev1)
    response = client.post(reverse("callqa:evaluation_score", args=[evaluation.pk]),
                           post_data(centre.scorecard, **values))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved." in html and message in html
    name = next(iter(values))
    assert f'id="criterion_{criteria(centre.scorecard)[name].pk}-errors"' in html
    assert _snapshot(evaluation) == before


def test_bad_marks_are_refused_by_the_service(centre):
    evaluation = assigned(centre, centre.agents.a1, centre.users.ev1)
    before = _snapshot(evaluation)
    card, ev1 = centre.scorecard, centre.users.ev1
    for bad in (marks(card, accuracy=9), marks(card, greeting="na"), marks(card, kvkk=None),
                {**marks(card), 999999: Mark(1)}):
        with pytest.raises(ValidationError):
            services.submit(evaluation, bad, {}, "", "", by=ev1)
    with pytest.raises(ValidationError):
        services.save_draft(evaluation, marks(card, accuracy=7), {}, "", "", by=ev1)
    with pytest.raises(ValidationError):
        services.save_draft(evaluation, {}, {424242: "x"}, "", "", by=ev1)
    with pytest.raises(ValidationError):
        services.submit(evaluation, marks(card), {}, "x" * (services.TEXT_MAX + 1), "", by=ev1)
    assert _snapshot(evaluation) == before


def test_every_criterion_na_is_refused(centre):
    card = Scorecard.objects.create(key="na", name="Hepsi N/A olabilir")
    section = ScorecardSection.objects.create(scorecard=card, order=1, title="Tek")
    only = Criterion.objects.create(section=section, text="Gerekirse", allow_na=True, scoring=ScoringType.SCALE,
                                    scale_max=3)
    evaluation = assigned(centre, centre.agents.a1, centre.users.ev1, card=card)
    with pytest.raises(ValidationError, match="Every criterion is marked N/A"):
        services.submit(evaluation, {only.pk: Mark(None, True)}, {}, "", "", by=centre.users.ev1)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.ASSIGNED and not evaluation.scores.exists()


def test_only_the_evaluator_scores_and_only_before_submission(client, centre):
    u = centre.users
    evaluation = assigned(centre, centre.agents.a1, u.ev1)
    for other in (u.ev2, u.qa_lead, u.a1):
        with pytest.raises(PermissionDenied):
            services.save_draft(evaluation, marks(centre.scorecard), {}, "", "", by=other)
    client.force_login(u.ev2)
    assert client.post(reverse("callqa:evaluation_score", args=[evaluation.pk]),
                       post_data(centre.scorecard)).status_code == 404
    client.force_login(u.qa_lead)  # may see it, may not score it
    response = client.post(reverse("callqa:evaluation_score", args=[evaluation.pk]), post_data(centre.scorecard))
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.ASSIGNED

    done = services.submit(evaluation, marks(centre.scorecard), {}, "", "", by=u.ev1)
    before = _snapshot(done)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.save_draft(done, marks(centre.scorecard, greeting=0), {}, "", "", by=u.ev1)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.submit(done, marks(centre.scorecard, greeting=0), {}, "", "", by=u.ev1)
    assert _snapshot(done) == before


def test_assign_refusals(centre, make_user):
    u, a, card = centre.users, centre.agents, centre.scorecard
    call = make_call(agent=a.a1)
    with pytest.raises(ValidationError, match="may not score calls"):
        services.assign(call, u.staff, card)
    with pytest.raises(ValidationError, match="may not score calls"):
        services.assign(call, u.lead_a, card)
    with pytest.raises(ValidationError, match="was not answered"):
        services.assign(make_call(agent=a.a1, outcome=Outcome.ABANDONED), u.ev1, card)
    with pytest.raises(ValidationError, match="has no agent"):
        services.assign(make_call(agent=None), u.ev1, card)
    with pytest.raises(PermissionDenied):
        services.assign(call, u.ev1, card, by=u.ev2)
    empty = Scorecard.objects.create(key="bos", name="Boş")
    with pytest.raises(ValidationError, match="without criteria"):
        services.assign(call, u.ev1, empty)
    assert not Evaluation.objects.exists() and not empty.is_frozen
    services.assign(call, u.ev1, card)
    with pytest.raises(ValidationError, match="already assigned"):
        services.assign(call, u.ev1, card)
    assert Evaluation.objects.count() == 1
    services.assign(call, u.ev2, card)  # a second evaluator may
    assert Evaluation.objects.count() == 2


# --- the agent's answer -------------------------------------------------------------------------------------------


def test_acknowledge_once_then_no_dispute(centre):
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1)
    services.acknowledge(evaluation, by=centre.users.a1)
    with pytest.raises(ValidationError, match="already acknowledged"):
        services.acknowledge(evaluation, by=centre.users.a1)
    with pytest.raises(ValidationError, match="already acknowledged"):
        services.dispute(evaluation, "Katılmıyorum", by=centre.users.a1)
    assert not Dispute.objects.exists()


def test_disputing_someone_elses_evaluation_is_refused(client, centre):
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1)
    before = _snapshot(evaluation)
    for other in (centre.users.a2, centre.users.b1, centre.users.lead_a, centre.users.ev1, centre.users.qa_lead):
        with pytest.raises(PermissionDenied):
            services.dispute(evaluation, "Benim değil", by=other)
        with pytest.raises(PermissionDenied):
            services.acknowledge(evaluation, by=other)
    client.force_login(centre.users.a2)  # may not see it: 404
    url = reverse("callqa:evaluation_dispute", args=[evaluation.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.post(reverse("callqa:evaluation_acknowledge", args=[evaluation.pk])).status_code == 404
    client.force_login(centre.users.lead_a)  # sees it, may not answer for the agent: 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert _snapshot(evaluation) == before


def test_the_window_closes(client, centre):
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1)
    submitted_on = timezone.localdate(evaluation.submitted_at)
    last_day = submitted_on + dt.timedelta(days=7)
    assert services.may_respond(evaluation, centre.users.a1, today=last_day)
    late = last_day + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match=f"ended on {last_day:%d.%m.%Y}"):
        services.dispute(evaluation, "Geç kaldım", by=centre.users.a1, today=late)
    with pytest.raises(ValidationError, match=f"ended on {last_day:%d.%m.%Y}"):
        services.acknowledge(evaluation, by=centre.users.a1, today=late)

    # Through the page, after the window (submitted eight days ago).
    Evaluation.objects.filter(pk=evaluation.pk).update(submitted_at=timezone.now() - dt.timedelta(days=8))
    before = _snapshot(evaluation)
    client.force_login(centre.users.a1)
    response = client.post(reverse("callqa:evaluation_dispute", args=[evaluation.pk]), {"reason": "Geç"})
    assert response.status_code == 400 and "ended on" in response.content.decode()
    assert _snapshot(evaluation) == before
    page = client.get(reverse("callqa:evaluation", args=[evaluation.pk])).content.decode()
    assert 'name="reason"' not in page and "has ended" in page


def test_a_dispute_needs_a_reason_and_comes_once(client, centre):
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1)
    client.force_login(centre.users.a1)
    url = reverse("callqa:evaluation_dispute", args=[evaluation.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert not Dispute.objects.exists()
    assert client.post(url, {"reason": "KVKK sorusu sorulmadı denmiş ama sordum."}).status_code == 302
    found = Dispute.objects.get()
    assert found.raised_by == centre.users.a1 and found.status == Dispute.Status.OPEN
    evaluation.refresh_from_db()
    assert evaluation.acknowledgement == Acknowledgement.DISPUTED
    with pytest.raises(ValidationError, match="already disputed"):
        services.dispute(evaluation, "Bir daha", by=centre.users.a1)
    assert Dispute.objects.count() == 1


def test_calibration_evaluations_are_not_answered(centre):
    from tests.callqa.evaluations_data import calibration

    evaluation = calibration(centre, centre.agents.a2, centre.users.ev1)
    with pytest.raises(ValidationError, match="calibration evaluation is not sent"):
        services.acknowledge(evaluation, by=centre.users.a2)
    assert not services.may_respond(evaluation, centre.users.a2)


# --- the QA lead's decision -----------------------------------------------------------------------------------------


@pytest.fixture
def disputed(centre):
    # kvkk failed (critical for its section): Opening counts 0, 100 x (0 + 0 + 3 + 1 + 1) / 8 = 62.5
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1, kvkk=0)
    assert evaluation.score == Decimal("62.50") and evaluation.critical_failed
    found = services.dispute(evaluation, "Kimlik doğrulaması yapıldı.", by=centre.users.a1)
    return found


def test_deciding_without_permission_is_refused(client, centre, disputed):
    evaluation = disputed.evaluation
    before = _snapshot(evaluation)
    for user in (centre.users.lead_a, centre.users.ev1, centre.users.a1, centre.users.top):
        with pytest.raises(PermissionDenied):
            services.decide_dispute(disputed, upheld=False, note="", marks=marks(centre.scorecard), by=user)
        client.force_login(user)
        assert client.get(reverse("callqa:dispute", args=[disputed.pk])).status_code == 404
        response = client.post(reverse("callqa:dispute", args=[disputed.pk]),
                               {**post_data(centre.scorecard), "action": "rescore"})
        assert response.status_code == 404
    assert _snapshot(evaluation) == before


def test_uphold_needs_a_note(client, centre, disputed):
    client.force_login(centre.users.qa_lead)
    url = reverse("callqa:dispute", args=[disputed.pk])
    response = client.post(url, {"action": "uphold", "note": ""})
    assert response.status_code == 400 and "Say why the score stands" in response.content.decode()
    assert Dispute.objects.get().status == Dispute.Status.OPEN
    assert client.post(url, {"action": "uphold", "note": "Kayıtta doğrulama yok."}).status_code == 302
    found = Dispute.objects.get()
    assert found.status == Dispute.Status.UPHELD and found.decided_by == centre.users.qa_lead
    evaluation = found.evaluation
    assert evaluation.score == Decimal("62.50") and evaluation.original_score is None
    with pytest.raises(ValidationError, match="already decided"):
        services.decide_dispute(found, upheld=False, marks=marks(centre.scorecard), by=centre.users.qa_lead)


def test_rescore_keeps_the_originals(client, centre, disputed, django_capture_on_commit_callbacks, mailoutbox):
    evaluation = disputed.evaluation
    task = CoachingTask.objects.get(evaluation=evaluation)
    assert task.status == CoachingTask.Status.OPEN
    names = criteria(centre.scorecard)
    client.force_login(centre.users.qa_lead)
    url = reverse("callqa:dispute", args=[disputed.pk])
    page = client.get(url).content.decode()
    assert f'name="criterion_{names["kvkk"].pk}"' in page

    # A bad re-score is refused and changes nothing.
    before = _snapshot(evaluation)
    bad = client.post(url, {**post_data(centre.scorecard, accuracy=8), "action": "rescore"})
    assert bad.status_code == 400 and "from 0 to 4" in bad.content.decode()
    assert _snapshot(evaluation) == before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**post_data(centre.scorecard), "action": "rescore",
                                     "note": "Doğrulama kayıtta var."})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("100.00") and not evaluation.critical_failed
    assert evaluation.original_score == Decimal("62.50")
    kvkk = CriterionScore.objects.get(evaluation=evaluation, criterion=names["kvkk"])
    assert (kvkk.value, kvkk.na, kvkk.original_value, kvkk.original_na) == (1, False, 0, False)
    greeting = CriterionScore.objects.get(evaluation=evaluation, criterion=names["greeting"])
    assert (greeting.original_value, greeting.original_na) == (1, False)
    assert Dispute.objects.get().status == Dispute.Status.RESCORED
    task.refresh_from_db()
    assert task.status == CoachingTask.Status.DONE  # lifted above the threshold
    assert [m.to for m in mailoutbox] == [[centre.users.a1.email]]

    # The page shows the original beside the new score, to the agent too.
    client.force_login(centre.users.a1)
    html = client.get(reverse("callqa:evaluation", args=[evaluation.pk])).content.decode()
    assert "Original score" in html and "the original score was 62,50" in html and "<strong>100,00</strong>" in html


def test_originals_are_set_once(centre, disputed):
    """A second change of the marks (e.g. a data fix through the service) never overwrites the originals."""
    evaluation = disputed.evaluation
    services._rescore(Evaluation.objects.get(pk=evaluation.pk), marks(centre.scorecard), None,
                      by=centre.users.qa_lead)
    services._rescore(Evaluation.objects.get(pk=evaluation.pk), marks(centre.scorecard, accuracy=2), None,
                      by=centre.users.qa_lead)
    evaluation.refresh_from_db()
    assert evaluation.original_score == Decimal("62.50") and evaluation.score == Decimal("81.25")
    kvkk = CriterionScore.objects.get(evaluation=evaluation, criterion=criteria(centre.scorecard)["kvkk"])
    assert (kvkk.original_value, kvkk.value) == (0, 1)


# --- the window's end and reminders ----------------------------------------------------------------------------------


def test_expire_responses(centre):
    old = submitted(centre, centre.agents.a1, centre.users.ev1)
    fresh = submitted(centre, centre.agents.b1, centre.users.ev2, offered_at=dt.datetime(2026, 10, 9, 9, 0))
    answered = submitted(centre, centre.agents.a2, centre.users.ev1, offered_at=dt.datetime(2026, 10, 9, 9, 0))
    services.acknowledge(answered, by=centre.users.a2)
    today = timezone.localdate()
    Evaluation.objects.filter(pk__in=[old.pk, answered.pk]).update(
        submitted_at=timezone.now() - dt.timedelta(days=8))
    assert services.expire_responses(today) == 1
    assert Evaluation.objects.get(pk=old.pk).acknowledgement == Acknowledgement.EXPIRED
    assert Evaluation.objects.get(pk=fresh.pk).acknowledgement == Acknowledgement.PENDING
    assert Evaluation.objects.get(pk=answered.pk).acknowledgement == Acknowledgement.ACKNOWLEDGED
    assert services.expire_responses(today) == 0
    with pytest.raises(ValidationError, match="ended on"):
        services.acknowledge(old, by=centre.users.a1)


def test_the_expiry_command(centre):
    import io

    from django.core.management import call_command

    old = submitted(centre, centre.agents.a1, centre.users.ev1)
    out = io.StringIO()
    call_command("expire_evaluation_responses", stdout=out)
    assert Evaluation.objects.get(pk=old.pk).acknowledgement == Acknowledgement.PENDING
    later = timezone.localdate() + dt.timedelta(days=8)
    call_command("expire_evaluation_responses", "--date", later.isoformat(), stdout=out)
    assert Evaluation.objects.get(pk=old.pk).acknowledgement == Acknowledgement.EXPIRED
    assert "1 evaluation past its response window" in out.getvalue()


def test_reminders_only_read(centre):
    from qms.reminders import collect

    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1)
    collect(today=timezone.localdate() + dt.timedelta(days=30))  # e.g. send_reminders --date ... --dry-run
    assert Evaluation.objects.get(pk=evaluation.pk).acknowledgement == Acknowledgement.PENDING


def test_reminders(centre):
    from qms.reminders import collect

    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1)
    services.dispute(submitted(centre, centre.agents.b1, centre.users.ev2), "Neden", by=centre.users.b1)
    collected = collect(today=timezone.localdate())
    mine = [r for r in collected.get(centre.users.a1.pk, []) if r.rule == "callqa.evaluation_response"]
    assert [r.url for r in mine] == [reverse("callqa:evaluation", args=[evaluation.pk])]
    assert mine[0].due == timezone.localdate(evaluation.submitted_at) + dt.timedelta(days=7)
    assert "Score" not in str(mine[0].title)
    lead = [r for r in collected.get(centre.users.qa_lead.pk, []) if r.rule == "callqa.open_disputes"]
    assert len(lead) == 1 and lead[0].url == reverse("callqa:disputes")
    assert not [r for r in collected.get(centre.users.lead_a.pk, []) if r.rule.startswith("callqa.")]


def test_scoring_helpers_agree_with_the_stored_result(centre):
    evaluation = submitted(centre, centre.agents.a1, centre.users.ev1, accuracy=1, courtesy="na")
    marks = {s.criterion_id: scoring.Mark(s.value, s.na) for s in evaluation.scores.all()}
    assert scoring.compute(scoring.criteria_of(evaluation.scorecard), marks).score == evaluation.score

