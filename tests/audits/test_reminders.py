"""The audit and DÖF reminder rules: who is reminded of what, when it counts as overdue, and that
each rule runs the same number of queries for 5 items as for 50."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audits import reminders, services
from audits.models import AnswerResult, Audit, AuditState, NCState, Nonconformity, Source
from qms.reminders import registry
from qms.roles import Role

pytestmark = pytest.mark.django_db

User = get_user_model()


def items(rule, today, users=None):
    return list(rule(today=today, users=users))


def recipients(rule, today, users=None) -> set[int]:
    return {item.user_id for item in items(rule, today, users)}


def only(user):
    return User.objects.filter(pk=user.pk)


def test_every_rule_is_registered():
    keys = {rule.key for rule in registry.rules()}
    assert {
        "audits.action_due", "audits.root_cause_waiting", "audits.triage", "audits.effectiveness_due",
        "audits.closure_waiting", "audits.audit_starting", "audits.report_overdue",
    } <= keys


# --- corrective actions due ---------------------------------------------------------------------------------


def test_an_action_is_reminded_to_its_owner_from_seven_days_before_it_is_due(nonconformity, cast, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    action = nc.actions.get()
    due = action.due_date
    assert recipients(reminders.actions_due, due - dt.timedelta(days=8)) == set()
    [item] = items(reminders.actions_due, due - dt.timedelta(days=7))
    assert item.user_id == cast["agent"].pk and not item.overdue and item.due == due
    assert item.url == reverse("audits:nonconformity", args=[nc.pk])
    [item] = items(reminders.actions_due, due)
    assert not item.overdue
    [item] = items(reminders.actions_due, due + dt.timedelta(days=1))
    assert item.overdue
    with translation.override("en"):
        assert str(item.title).startswith(f"Corrective action of {nc.code} is overdue")
    with translation.override("tr"):
        assert "termini geçti" in str(item.title)


def test_an_action_reminder_goes_to_nobody_else(nonconformity, cast):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    late = nc.actions.get().due_date + dt.timedelta(days=3)
    for person in ("mr", "manager", "auditor", "clerk"):
        assert items(reminders.actions_due, late, only(cast[person])) == []
    assert len(items(reminders.actions_due, late, only(cast["agent"]))) == 1


def test_done_actions_and_closed_dofs_are_not_reminded(nonconformity):
    nc = nonconformity(NCState.ACTIONS_DONE)
    late = nc.actions.get().due_date + dt.timedelta(days=30)
    assert items(reminders.actions_due, late) == []


# --- root cause waiting ----------------------------------------------------------------------------------------


def _triaged_days_ago(nc, days):
    Nonconformity.objects.filter(pk=nc.pk).update(triaged_at=timezone.now() - dt.timedelta(days=days))


def test_a_dof_without_root_cause_two_weeks_after_triage_goes_to_the_units_nearest_managers(
    nonconformity, cast, make_user, today
):
    above = make_user(Role.UNIT_MANAGER, unit="HİŞM")  # a manager of the branch: not the nearest
    nc = nonconformity(NCState.OPEN)
    _triaged_days_ago(nc, 10)
    assert items(reminders.root_cause_waiting, today) == []
    _triaged_days_ago(nc, 16)
    [item] = items(reminders.root_cause_waiting, today)
    assert item.user_id == cast["manager"].pk
    assert item.overdue and item.due < today
    assert above.pk not in recipients(reminders.root_cause_waiting, today)
    assert cast["desk_manager"].pk not in recipients(reminders.root_cause_waiting, today)
    # Asked for one person, the rule still finds the nearest managers among all of them.
    assert items(reminders.root_cause_waiting, today, only(above)) == []
    assert len(items(reminders.root_cause_waiting, today, only(cast["manager"]))) == 1


def test_a_unit_without_managers_of_its_own_reminds_the_managers_above(cast, org, today):
    nc = services.raise_nonconformity(source=Source.CITIZEN_COMPLAINT, title="Geri dönüş yok", description="Açıklama",
                                      unit=org["ALO153"], raised_by=cast["clerk"], triaged_by=cast["mr"])
    _triaged_days_ago(nc, 20)
    assert recipients(reminders.root_cause_waiting, today) == {cast["manager"].pk}


def test_untriaged_or_analysed_dofs_are_not_waiting_for_their_root_cause(nonconformity, today):
    untriaged = nonconformity(NCState.OPEN, triaged=False)
    analysed = nonconformity(NCState.CAUSE_ANALYSED)
    for nc in (untriaged, analysed):
        Nonconformity.objects.filter(pk=nc.pk).update(raised_at=timezone.now() - dt.timedelta(days=40),
                                                      triaged_at=timezone.now() - dt.timedelta(days=30))
    Nonconformity.objects.filter(pk=untriaged.pk).update(triaged_at=None)
    assert items(reminders.root_cause_waiting, today) == []


# --- triage ---------------------------------------------------------------------------------------------------


def test_a_dof_waiting_for_triage_goes_to_the_management_representative(nonconformity, cast, today):
    nc = nonconformity(NCState.OPEN, triaged=False)
    [item] = items(reminders.triage_waiting, today)
    assert item.user_id == cast["mr"].pk and not item.overdue
    assert item.url == reverse("audits:nonconformity", args=[nc.pk])
    for person in ("auditor", "manager", "top", "clerk"):
        assert items(reminders.triage_waiting, today, only(cast[person])) == []
    services.nonconformity_triage(nonconformity=nc, user=cast["mr"])
    assert items(reminders.triage_waiting, today) == []


# --- effectiveness checks ------------------------------------------------------------------------------------


def test_an_effectiveness_check_due_goes_to_auditors_and_the_management_representative(nonconformity, cast, today):
    nc = nonconformity(NCState.ACTIONS_DONE)
    assert recipients(reminders.effectiveness_due, today) == {cast["auditor"].pk, cast["auditor2"].pk, cast["mr"].pk}
    assert recipients(reminders.effectiveness_due, today - dt.timedelta(days=1)) == set()
    assert not any(item.overdue for item in items(reminders.effectiveness_due, today))
    assert all(item.overdue for item in items(reminders.effectiveness_due, today + dt.timedelta(days=1)))
    for person in ("manager", "agent", "top"):
        assert items(reminders.effectiveness_due, today, only(cast[person])) == []
    assert {item.url for item in items(reminders.effectiveness_due, today)} == {
        reverse("audits:nonconformity", args=[nc.pk])
    }


def test_whoever_did_the_actions_is_not_asked_to_verify_them(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    action = services.action_add(nonconformity=nc, user=cast["manager"], description="Kayıtlar düzeltilecek",
                                 owner=cast["auditor"], due_date=today)
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    services.action_complete(action=action, user=cast["auditor"], evidence="Düzeltildi")
    assert recipients(reminders.effectiveness_due, today) == {cast["auditor2"].pk, cast["mr"].pk}


# --- closure --------------------------------------------------------------------------------------------------


def test_a_verified_dof_waits_for_the_management_representative_to_close_it(nonconformity, cast, today):
    nc = nonconformity(NCState.VERIFIED)
    [item] = items(reminders.closure_waiting, today)
    assert item.user_id == cast["mr"].pk and not item.overdue
    for person in ("auditor", "auditor2", "manager", "top"):
        assert items(reminders.closure_waiting, today, only(cast[person])) == []
    services.nonconformity_close(nonconformity=nc, user=cast["mr"])
    assert items(reminders.closure_waiting, today) == []


# --- audits ---------------------------------------------------------------------------------------------------


@pytest.fixture
def june_audit(planned_audit, cast, org, today):
    """A planned audit of ALO 153 on 15 June, led by `auditor` with `auditor2` on the team."""
    start = dt.date(today.year, 6, 15)
    return planned_audit(units=[org["ALO153"]], planned_start=start, planned_end=start, team=[cast["auditor2"]])


def test_an_audit_starting_within_two_weeks_reminds_its_lead_auditor_and_team(june_audit, cast):
    start = june_audit.planned_start
    assert items(reminders.audits_starting, start - dt.timedelta(days=15)) == []
    found = items(reminders.audits_starting, start - dt.timedelta(days=14))
    assert {item.user_id for item in found} == {cast["auditor"].pk, cast["auditor2"].pk}
    assert all(item.due == start and not item.overdue for item in found)
    assert all(item.url == reverse("audits:audit", args=[june_audit.pk]) for item in found)
    late = items(reminders.audits_starting, start + dt.timedelta(days=1))
    assert late and all(item.overdue for item in late)
    assert items(reminders.audits_starting, start, only(cast["mr"])) == []
    assert {i.user_id for i in items(reminders.audits_starting, start, only(cast["auditor2"]))} == {cast["auditor2"].pk}


def test_a_started_or_cancelled_audit_is_not_reminded_as_starting(june_audit, cast):
    services.audit_cancel(audit=june_audit, user=cast["mr"], reason="Ertelendi")
    assert items(reminders.audits_starting, june_audit.planned_start) == []


def test_an_audit_past_its_end_without_a_report_reminds_the_lead_auditor(planned_audit, cast, org, today):
    audit = services.audit_start(
        audit=planned_audit(units=[org["ALO153"]], team=[cast["auditor2"]]), user=cast["auditor"]
    )
    assert items(reminders.reports_overdue, today) == []
    [item] = items(reminders.reports_overdue, today + dt.timedelta(days=1))
    assert item.user_id == cast["auditor"].pk and item.overdue
    assert item.url == reverse("audits:audit", args=[audit.pk])
    assert items(reminders.reports_overdue, today + dt.timedelta(days=1), only(cast["auditor2"])) == []
    for answer in audit.answers.all():
        services.answer_record(answer=answer, user=cast["auditor"], result=AnswerResult.CONFORMING)
    Audit.objects.filter(pk=audit.pk).update(summary="Uygun.")
    services.audit_sign_off(audit=audit, user=cast["auditor"])
    assert Audit.objects.get(pk=audit.pk).state == AuditState.REPORTED
    assert items(reminders.reports_overdue, today + dt.timedelta(days=1)) == []


# --- fixed number of queries ------------------------------------------------------------------------------------


def _walk_to(state, cast, org, today, n):
    """n DÖFs of ÇMŞ walked to `state` (lean: the least the rules need)."""
    made = []
    for i in range(n):
        nc = services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title=f"DÖF {i}", description="Açıklama",
                                          unit=org["ÇMŞ"], raised_by=cast["clerk"])
        if state == "untriaged":
            made.append(nc)
            continue
        nc = services.nonconformity_triage(nonconformity=nc, user=cast["mr"])
        if state == NCState.OPEN:
            made.append(nc)
            continue
        nc = services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=["Neden"],
                                            root_cause="Kök neden")
        action = services.action_add(nonconformity=nc, user=cast["manager"], description="Faaliyet",
                                     owner=cast["agent"], due_date=today)
        nc = services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
        if state == NCState.ACTIONS_PLANNED:
            made.append(nc)
            continue
        services.action_complete(action=action, user=cast["agent"], evidence="Yapıldı")
        if state == NCState.ACTIONS_DONE:
            made.append(nc)
            continue
        services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=True, note="Etkin")
        made.append(nc)
    if state == NCState.OPEN:
        Nonconformity.objects.filter(pk__in=[nc.pk for nc in made]).update(
            triaged_at=timezone.now() - dt.timedelta(days=20)
        )
    return made


def _audits(planned_audit, cast, org, today, n, *, start):
    made = []
    for i in range(n):
        audit = planned_audit(title=f"Tetkik {i}", units=[org["ALO153"]], team=[cast["auditor2"]],
                              planned_start=today, planned_end=today)
        if start:
            audit = services.audit_start(audit=audit, user=cast["auditor"])
        made.append(audit)
    return made


RULES = {
    "action_due": (reminders.actions_due, NCState.ACTIONS_PLANNED),
    "root_cause": (reminders.root_cause_waiting, NCState.OPEN),
    "triage": (reminders.triage_waiting, "untriaged"),
    "effectiveness": (reminders.effectiveness_due, NCState.ACTIONS_DONE),
    "closure": (reminders.closure_waiting, NCState.VERIFIED),
    "audit_starting": (reminders.audits_starting, "planned_audit"),
    "report_overdue": (reminders.reports_overdue, "audit_in_progress"),
}


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_runs_the_same_number_of_queries_for_5_and_50_items(name, cast, org, today, planned_audit):
    rule, state = RULES[name]
    asked_on = today + dt.timedelta(days=1) if name == "report_overdue" else today

    def make(n):
        if state == "planned_audit":
            return _audits(planned_audit, cast, org, today, n, start=False)
        if state == "audit_in_progress":
            return _audits(planned_audit, cast, org, today, n, start=True)
        return _walk_to(state, cast, org, today, n)

    def measure(users=None):
        with CaptureQueriesContext(connection) as ctx:
            found = items(rule, asked_on, users)
        return len(ctx.captured_queries), len(found)

    make(5)
    few, few_items = measure()
    few_one, _ = measure(User.objects.filter(pk__in=[cast["mr"].pk, cast["auditor"].pk]))
    make(45)
    many, many_items = measure()
    many_one, _ = measure(User.objects.filter(pk__in=[cast["mr"].pk, cast["auditor"].pk]))
    assert many_items > few_items > 0
    assert few == many, name
    assert few_one == many_one, name
