"""Coaching: completing a task (its owner, the team lead or the QA lead; nobody else), the DÖF for
repeated coaching (raised through audits.services with source "Call QA", linked on the tasks,
refused when the coaching is not repeated unless the QA lead forces it with a reason), the coaching
screens with their confidentiality, and the overdue reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.models import Nonconformity, Source
from kpi.callqa import coaching
from kpi.callqa.coaching_reminders import coaching_due
from kpi.callqa.models import CoachingTask
from qms import reminders
from tests.callqa.reports_data import evaluate, many_agents

pytestmark = pytest.mark.django_db

WEAK = (1, 1, 1, 1, 1)  # (1 + 2 + 0.75 + 0.5 + 1) / 8 = 65.63, under the threshold 70


def weak(centre, agent, count=1, evaluator=None):
    return [evaluate(centre.scorecard, agent, evaluator or centre.users.ev1, WEAK, coach=True,
                     feedback="Çağrıda adres bilgisi yanlış verildi.") for _n in range(count)]


def task_of(evaluation) -> CoachingTask:
    return CoachingTask.objects.get(evaluation=evaluation)


# ---- completing a task ---------------------------------------------------------------------------


def test_the_owner_completes_a_task(centre):
    task = task_of(weak(centre, centre.agents.a1)[0])
    assert task.owner == centre.users.lead_a and task.reason == CoachingTask.Reason.LOW_SCORE
    done = coaching.complete(task, "  Çağrı dinlendi, bilgi kaynakları gösterildi.  ", centre.users.lead_a)
    assert done.status == CoachingTask.Status.DONE and done.done_at is not None
    assert done.notes == "Çağrı dinlendi, bilgi kaynakları gösterildi."
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(object_id=str(task.pk), action="qms.transition").exists()


def test_the_qa_lead_completes_an_ownerless_task(centre):
    centre.teams.a.lead = None
    centre.teams.a.save()
    task = task_of(weak(centre, centre.agents.a1)[0])
    assert task.owner is None
    assert coaching.complete(task, "Yapıldı", centre.users.qa_lead).status == CoachingTask.Status.DONE


@pytest.mark.parametrize("name", ["a1", "a2", "lead_b", "ev1", "top", "staff"])
def test_others_may_not_complete_a_task(centre, name):
    task = task_of(weak(centre, centre.agents.a1)[0])
    with pytest.raises(PermissionDenied):
        coaching.complete(task, "Yapıldı", getattr(centre.users, name))
    task.refresh_from_db()
    assert task.status == CoachingTask.Status.OPEN


def test_a_task_needs_notes_and_is_done_once(centre):
    task = task_of(weak(centre, centre.agents.a1)[0])
    with pytest.raises(ValidationError) as refused:
        coaching.complete(task, "   ", centre.users.lead_a)
    assert "notes" in refused.value.message_dict
    coaching.complete(task, "Yapıldı", centre.users.lead_a)
    with pytest.raises(ValidationError):
        coaching.complete(task, "Yeniden", centre.users.qa_lead)


# ---- the DÖF for repeated coaching ---------------------------------------------------------------


def test_repeated_coaching_raises_a_linked_dof(centre, settings):
    assert settings.QMS_CALLQA_REPEAT_COACHING == 3
    evaluations = weak(centre, centre.agents.a1, 3)
    a1 = centre.agents.a1
    assert coaching.repeated(a1) and coaching.dof_due(a1)
    nc = coaching.raise_dof(a1, centre.users.lead_a)
    assert nc.source == Source.CALL_QA and nc.code.startswith("DÖF-")
    assert nc.unit == centre.users.a1.staff_profile.unit
    assert nc.raised_by == centre.users.lead_a
    assert "A001" in nc.title and "A001" in nc.description
    assert "65,63" in nc.description or "65.63" in nc.description
    # no call content: neither the call ids nor the evaluator's feedback
    for evaluation in evaluations:
        assert evaluation.call.call_id not in nc.description
    assert "adres bilgisi" not in nc.description
    latest = task_of(evaluations[-1])
    assert nc.origin_id == str(latest.pk)
    assert nc.origin_url == reverse("callqa:coaching_task", args=[latest.pk])
    assert set(CoachingTask.objects.filter(nonconformity=nc).values_list("evaluation_id", flat=True)) == {
        e.pk for e in evaluations}
    # one run of coaching, one DÖF
    assert coaching.repeated(a1) and not coaching.dof_due(a1)
    with pytest.raises(ValidationError):
        coaching.raise_dof(a1, centre.users.lead_a)
    assert Nonconformity.objects.filter(source=Source.CALL_QA).count() == 1


def test_without_repetition_only_the_qa_lead_may_force_it_with_a_reason(centre):
    weak(centre, centre.agents.a2, 2)
    a2 = centre.agents.a2
    assert not coaching.dof_due(a2)
    with pytest.raises(ValidationError):
        coaching.raise_dof(a2, centre.users.lead_a)
    with pytest.raises(PermissionDenied):
        coaching.raise_dof(a2, centre.users.lead_a, reason="Gerekli", force=True)
    with pytest.raises(ValidationError) as refused:
        coaching.raise_dof(a2, centre.users.qa_lead, force=True)
    assert "reason" in refused.value.message_dict
    nc = coaching.raise_dof(a2, centre.users.qa_lead, force=True, reason="Şikâyet üzerine karar verildi.")
    assert "Şikâyet üzerine karar verildi." in nc.description
    assert CoachingTask.objects.filter(agent=a2, nonconformity=nc).count() == 2
    assert Nonconformity.objects.count() == 1


@pytest.mark.parametrize("name", ["a1", "lead_b", "ev1", "top", "staff"])
def test_others_may_not_raise_the_dof(centre, name):
    weak(centre, centre.agents.a1, 3)
    with pytest.raises(PermissionDenied):
        coaching.raise_dof(centre.agents.a1, getattr(centre.users, name), reason="x", force=True)
    assert not Nonconformity.objects.exists()


def test_an_agent_without_a_staff_profile_goes_to_the_raisers_unit(centre):
    orphan = centre.agents.orphan
    weak(centre, orphan, 3)
    assert CoachingTask.objects.filter(agent=orphan, owner__isnull=True).count() == 3
    with pytest.raises(PermissionDenied):
        coaching.raise_dof(orphan, centre.users.lead_a)
    nc = coaching.raise_dof(orphan, centre.users.qa_lead)
    assert nc.unit == centre.users.qa_lead.staff_profile.unit


def test_old_tasks_do_not_count(centre):
    evaluations = weak(centre, centre.agents.a1, 3)
    CoachingTask.objects.filter(evaluation=evaluations[0]).update(
        created_at=timezone.now() - dt.timedelta(days=120))
    assert not coaching.dof_due(centre.agents.a1)


# ---- the screens ---------------------------------------------------------------------------------


def test_the_coaching_list_as_each_role(client, centre):
    a1_task = task_of(weak(centre, centre.agents.a1)[0])
    a2_task = task_of(weak(centre, centre.agents.a2)[0])
    b1_task = task_of(weak(centre, centre.agents.b1)[0])
    expected = {"a1": {a1_task}, "a2": {a2_task}, "b1": {b1_task}, "lead_a": {a1_task, a2_task},
                "lead_b": {b1_task}, "qa_lead": {a1_task, a2_task, b1_task}, "mr": {a1_task, a2_task, b1_task}}
    for name in ("a1", "a2", "b1", "lead_a", "lead_b", "qa_lead", "mr", "ev1", "ev2", "top", "staff"):
        client.force_login(getattr(centre.users, name))
        response = client.get(reverse("callqa:coaching"))
        if name not in expected:
            assert response.status_code == 404, name
            continue
        assert response.status_code == 200, name
        assert {row["task"] for row in response.context["rows"]} == expected[name], name
        for task in (a1_task, a2_task, b1_task):
            status = client.get(reverse("callqa:coaching_task", args=[task.pk])).status_code
            assert status == (200 if task in expected[name] else 404), (name, task.agent.code)
    client.force_login(centre.users.lead_a)
    assert client.get(reverse("callqa:coaching"), {"team": centre.teams.b.pk}).status_code == 404
    assert client.get(reverse("callqa:coaching"), {"agent": centre.agents.b1.pk}).status_code == 404
    assert client.get(reverse("callqa:coaching_task", args=[99999])).status_code == 404


def test_completing_on_the_task_page(client, centre):
    task = task_of(weak(centre, centre.agents.a1)[0])
    url = reverse("callqa:coaching_task", args=[task.pk])
    client.force_login(centre.users.a1)
    page = client.get(url)
    assert page.status_code == 200 and not page.context["may_complete"]
    assert client.post(url, {"notes": "Kendim tamamladım"}).status_code == 403
    client.force_login(centre.users.lead_a)
    assert client.get(url).context["may_complete"]
    assert client.post(url, {"notes": ""}).status_code == 400
    response = client.post(url, {"notes": "Birebir görüşme yapıldı."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == CoachingTask.Status.DONE and task.notes == "Birebir görüşme yapıldı."
    assert client.post(url, {"notes": "Tekrar"}).status_code == 400
    client.force_login(centre.users.lead_b)
    assert client.post(url, {"notes": "x"}).status_code == 404


def test_raising_the_dof_on_screen(client, centre):
    weak(centre, centre.agents.a1, 3)
    a1 = centre.agents.a1
    url = reverse("callqa:coaching_dof", args=[a1.pk])
    for name in ("a1", "a2", "lead_b", "ev1", "top"):
        client.force_login(getattr(centre.users, name))
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"reason": ""}).status_code == 404, name
    client.force_login(centre.users.lead_a)
    listing = client.get(reverse("callqa:coaching"))
    assert [row["code"] for row in listing.context["due"]] == ["A001"] and listing.context["due"][0]["may_raise"]
    task = CoachingTask.objects.filter(agent=a1).first()
    assert client.get(reverse("callqa:coaching_task", args=[task.pk])).context["may_raise"]
    page = client.get(url)
    assert page.status_code == 200 and page.context["due"] and "A001" in page.context["description"]
    response = client.post(url, {"reason": ""})
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audits:nonconformity", args=[nc.pk])
    assert nc.source == Source.CALL_QA
    # not repeated any more: the team lead is refused with the reason, the QA lead may force it
    again = client.post(url, {"reason": ""})
    assert again.status_code == 400 and again.context["form"].non_field_errors()
    assert client.get(reverse("callqa:coaching")).context["due"] == []
    client.force_login(centre.users.qa_lead)
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Tekrarlayan şikâyetler"}).status_code == 302
    assert Nonconformity.objects.count() == 2


def test_the_coaching_list_runs_a_fixed_number_of_queries(client, centre, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agents = many_agents(centre.teams.a, 100, prefix="K")
    for agent in agents[:10]:
        weak(centre, agent)
    client.force_login(centre.users.lead_a)
    url = reverse("callqa:coaching")
    client.get(url)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(url).context["rows"]) == 10
    for agent in agents[10:]:
        weak(centre, agent)
    with django_assert_num_queries(len(ten.captured_queries)):
        assert len(client.get(url, {"status": "all"}).context["rows"]) == 50


# ---- reminders -----------------------------------------------------------------------------------


def test_overdue_coaching_reminds_the_owner(centre):
    centre.teams.b.lead = None
    centre.teams.b.save()
    mine = task_of(weak(centre, centre.agents.a1)[0])
    ownerless = task_of(weak(centre, centre.agents.b1)[0])
    later = task_of(weak(centre, centre.agents.a2)[0])
    today = timezone.localdate()
    CoachingTask.objects.filter(pk=mine.pk).update(due_on=today - dt.timedelta(days=2))
    CoachingTask.objects.filter(pk=ownerless.pk).update(due_on=today + dt.timedelta(days=1))
    found = list(coaching_due(today=today, users=None))
    assert {(r.user_id, r.url, r.overdue) for r in found} == {
        (centre.users.lead_a.pk, reverse("callqa:coaching_task", args=[mine.pk]), True),
        (centre.users.qa_lead.pk, reverse("callqa:coaching_task", args=[ownerless.pk]), False),
    }
    assert later.due_on > today + dt.timedelta(days=3)
    assert all("A001" in str(r.title) or "B001" in str(r.title) for r in found)
    assert "callqa.coaching_due" in {rule.key for rule in reminders.rules()}
    mine_only = reminders.reminders_for(centre.users.lead_a, today=today)
    assert [r.url for r in mine_only if r.rule == "callqa.coaching_due"] == [
        reverse("callqa:coaching_task", args=[mine.pk])]
    coaching.complete(mine, "Yapıldı", centre.users.lead_a)
    assert [r.user_id for r in coaching_due(today=today, users=None)] == [centre.users.qa_lead.pk]
