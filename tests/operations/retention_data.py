"""Retention test data built directly (the modules' own pipelines have their own tests): calls with
recording links, evaluations, self check-ins and audit-log entries dated around a cut-off."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from wagtail.models import ModelLogEntry

from kpi.callqa.models import Agent, Evaluation, EvaluationStatus
from qms import audit
from qms.roles import Role
from tests.callqa.conftest import make_call, make_scorecard
from training.models import Attendance, AttendanceStatus, Course, Session

ISTANBUL = ZoneInfo("Europe/Istanbul")
TODAY = dt.date(2027, 1, 1)
# Short periods so the dates read easily: every cut-off is TODAY minus the period.
PERIODS = {"call_recordings": 30, "call_records": 60, "call_evaluations": 90, "attendance_signatures": 30,
           "audit_log": 30}
_numbers = itertools.count(1)


def days_before(days: int, hour: int = 10) -> dt.datetime:
    """An Istanbul time `days` days before TODAY."""
    day = TODAY - dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ISTANBUL)


@pytest.fixture
def periods(settings):
    settings.QMS_RETENTION_DAYS = dict(PERIODS)
    return settings.QMS_RETENTION_DAYS


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        mr=make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMPK"),
        evaluator=make_user(Role.QA_EVALUATOR, unit="ÇMPK"),
        agent_user=make_user(Role.AGENT, unit="ALO153"),
        trainee=make_user(Role.STAFF, unit="KSB"),
    )


@pytest.fixture
def build(people):
    """Builders of dated records: build.call(days_ago), build.evaluation(days_ago), build.check_in(days_ago),
    build.log_entry(instance, days_ago)."""
    agent = Agent.objects.create(code="A001", staff=people.agent_user.staff_profile)
    scorecard = make_scorecard()
    course = Course.objects.create(code="EĞT-KVKK", title="KVKK farkındalık", duration_hours=Decimal("2"),
                                   external_trainer="Dış Eğitim A.Ş.")

    def call(days_ago: int, *, recording: bool = True):
        n = next(_numbers)
        return make_call(agent=agent, offered_at=days_before(days_ago),
                         recording_url=f"https://kayit.example/{n}.wav" if recording else "")

    def evaluation(days_ago: int, *, call_days_ago: int | None = None):
        the_call = call(call_days_ago if call_days_ago is not None else days_ago)
        submitted = days_before(days_ago)
        return Evaluation.objects.create(
            call=the_call, agent=agent, scorecard=scorecard, evaluator=people.evaluator,
            month=the_call.offered_on.replace(day=1), status=EvaluationStatus.SUBMITTED, score=Decimal("80"),
            feedback="Kişisel geri bildirim metni", submitted_at=submitted)

    def check_in(days_ago: int, person=None):
        person = person or people.trainee
        start = days_before(days_ago, hour=9)
        session = Session.objects.create(course=course, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                         place="Salon", external_trainer="Dış Eğitim A.Ş.", hours=Decimal("2"))
        row = Attendance.objects.create(session=session, person=person, status=AttendanceStatus.PRESENT,
                                        self_checked_in_at=start + dt.timedelta(minutes=5))
        entry = audit.record(session, "training.check_in", user=person)
        ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=start + dt.timedelta(minutes=5))
        return row

    def log_entry(instance, days_ago: int, user=None):
        entry = audit.record(instance, "wagtail.edit", user=user or people.mr, note="kişisel içerik")
        ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=days_before(days_ago))
        entry.refresh_from_db()
        return entry

    return SimpleNamespace(call=call, evaluation=evaluation, check_in=check_in, log_entry=log_entry, agent=agent)
