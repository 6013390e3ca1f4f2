"""Training benchmark: the competence matrix, the hours report, the plan, the session list, a
60-person attendance screen, evaluation results, a person's record, the API and the dashboard,
with a large department's years of training.

Usage:  .venv/bin/python benchmarks/bench_training.py [--people 1500] [--sessions 600] [--runs 5]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp). Not run by CI; the figures
go to docs/performance.md. Sessions, attendance, certificates and evaluations are bulk-inserted
as the services would leave them (finalised sessions, present / absent / excused rows): the
benchmark measures reading, not recording.
"""

from __future__ import annotations

# isort: off
from harness import print_table  # first: puts the project on the path and sets Django up
# isort: on

import argparse
import random
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from qms.models import StaffProfile, Unit, UnitKind
from qms.roles import ROLES, Role
from training.models import (
    Attendance,
    Certificate,
    Course,
    EffectivenessReview,
    Evaluation,
    PlanItem,
    PlanState,
    Session,
    SessionSequence,
    SessionState,
    TrainingPlan,
)


def build(people: int, sessions: int) -> dict:
    rng = random.Random(6)
    User = get_user_model()
    now = timezone.now()
    branch = Unit.objects.create(code="HİŞM", name="Halkla İlişkiler Şube Müdürlüğü", kind=UnitKind.BRANCH)
    chiefs = [Unit.objects.create(code=f"Ş{i}", name=f"Şeflik {i}", kind=UnitKind.CHIEFDOM, parent=branch)
              for i in range(6)]
    units = [Unit.objects.create(code=f"B{i}", name=f"Birim {i}", parent=chiefs[i % 6]) for i in range(30)]
    groups = {role: Group.objects.get(name=ROLES[role].group_name) for role in Role}

    def person(name, role, unit, hired=None):
        user = User.objects.create_user(name, password="x", first_name=name.capitalize(), last_name="Soyadı")
        user.groups.add(groups[role])
        StaffProfile.objects.create(user=user, unit=unit, hire_date=hired)
        return user

    coordinator = person("egitim", Role.TRAINING_COORDINATOR, branch)
    auditor = person("tetkikci", Role.INTERNAL_AUDITOR, units[1])
    manager = person("sef", Role.UNIT_MANAGER, chiefs[0])
    staff_rows = [User(username=f"p{i}", first_name=f"Ad{i}", last_name="Soyadı", password="!") for i in range(people)]
    staff = User.objects.bulk_create(staff_rows, batch_size=2000)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=groups[Role.AGENT if i % 3 else Role.STAFF].pk)
         for i, u in enumerate(staff)], batch_size=5000)
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=u, unit=units[i % 30], registry_no=f"S{i:06d}",
                      hire_date=(now - timedelta(days=rng.randint(5, 3000))).date()) for i, u in enumerate(staff)],
        batch_size=5000)
    courses = []
    for i in range(14):
        course = Course.objects.create(
            code=f"EĞT-{i:02d}", title=f"Eğitim {i}", duration_hours=Decimal(2 + i % 4), is_mandatory=i < 8,
            is_orientation=i == 0, validity_months=(12 if i % 2 else None), min_sessions_per_year=3 if i == 1 else 0,
            external_trainer="Dış Eğitim A.Ş.")
        if i in (2, 3):
            course.target_roles.add(groups[Role.AGENT])
        if i == 4:
            course.target_units.add(chiefs[0])
        courses.append(course)
    year = now.year
    plans = {}
    for y in (year - 1, year):
        plans[y] = TrainingPlan.objects.create(year=y, state=PlanState.APPROVED, approved_by=coordinator,
                                               approved_at=now)
        PlanItem.objects.bulk_create([PlanItem(plan=plans[y], course=c, month=1 + (k * 5) % 12, sessions=2)
                                      for k, c in enumerate(courses)])
    items = {(p.plan.year, p.course_id): p for p in PlanItem.objects.select_related("plan")}
    session_rows = []
    for n in range(sessions):
        start = now - timedelta(days=rng.randint(1, 700), hours=rng.randint(0, 6))
        course = courses[n % 14]
        session_rows.append(Session(
            course=course, plan_item=items.get((start.year, course.pk)), year=start.year, number=n + 1,
            starts_at=start, ends_at=start + timedelta(hours=2), place="Salon", external_trainer="Dış Eğitim A.Ş.",
            hours=course.duration_hours, capacity=80, state=SessionState.FINALISED, finalised_at=start,
            finalised_by=coordinator))
    created = Session.objects.bulk_create(session_rows, batch_size=1000)
    for year_ in {s.year for s in created}:  # as Session.save() would have left the counters
        SessionSequence.objects.update_or_create(year=year_, defaults={"last": sessions})
    attendance = []
    for s in created:
        for person_ in rng.sample(staff, 25):
            status = rng.choices(["present", "absent", "excused"], [85, 10, 5])[0]
            attendance.append(Attendance(session=s, person=person_, status=status, confirmed=status == "present",
                                         recorded_by=coordinator, recorded_at=s.starts_at))
    rows = Attendance.objects.bulk_create(attendance, batch_size=5000)
    present = [a for a in rows if a.status == "present"]
    by_session = {s.pk: s for s in created}
    Certificate.objects.bulk_create(
        [Certificate(attendance=a, number=f"EGT-B-{a.pk:08d}", holder_name="Ad Soyadı", course_title="Eğitim",
                     completed_on=by_session[a.session_id].starts_at.date(), hours=Decimal(2)) for a in present],
        batch_size=5000)
    Evaluation.objects.bulk_create(
        [Evaluation(session_id=a.session_id, participant_id=a.person_id, content_rating=rng.randint(2, 5),
                    trainer_rating=rng.randint(2, 5), materials_rating=rng.randint(1, 5),
                    usefulness_rating=rng.randint(2, 5)) for a in present if rng.random() < 0.7], batch_size=5000)
    EffectivenessReview.objects.bulk_create(
        [EffectivenessReview(attendance=a, reviewer=manager, due_date=by_session[a.session_id].starts_at.date()
                             + timedelta(days=90)) for a in present[:3000]], batch_size=5000)
    # Today's 60-person session, planned, for the attendance screen.
    today_session = Session.objects.create(course=courses[1], starts_at=now - timedelta(minutes=30),
                                           ends_at=now + timedelta(hours=1), place="Salon", capacity=80,
                                           external_trainer="Dış Eğitim A.Ş.")
    Attendance.objects.bulk_create([Attendance(session=today_session, person=p) for p in staff[:60]])
    return {"training coordinator": coordinator, "internal auditor": auditor,
            "unit manager (a sixth of the units)": manager, "staff member": staff[1],
            "rows": (len(created), len(rows), len(present)), "today": today_session, "year": year}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--sessions", type=int, default=600)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    people = build(args.people, args.sessions)
    sessions, attendance, completions = people.pop("rows")
    today, year = people.pop("today"), people.pop("year")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: {args.people} staff, {sessions} finalised sessions over two years, "
          f"{attendance} attendance rows ({completions} completions), built in {time.perf_counter() - start:.1f} s")
    someone = people["staff member"]
    urls = [
        ("competence matrix", reverse("training:matrix")),
        ("competence matrix PDF", reverse("training:matrix_pdf")),
        ("training hours report", reverse("training:hours") + f"?year={year}"),
        ("orientation", reverse("training:orientation")),
        ("annual plan", reverse("training:plan_year", args=[year])),
        ("session list", reverse("training:session_list")),
        ("attendance screen, 60 people", reverse("training:session_attendance", args=[today.pk])),
        ("attendance sheet PDF, 60 people", reverse("training:session_pdf", args=[today.pk])),
        ("evaluation results", reverse("training:evaluation_results_year", args=[year])),
        ("my trainings", reverse("training:my_trainings")),
        ("dashboard (panels + reminders)", "/admin/"),
        ("API person's record", f"/api/v1/training/people/{someone.username}/record"),
        ("API sessions", "/api/v1/training/sessions"),
    ]
    print_table(people, urls, args.runs)


if __name__ == "__main__":
    main()
