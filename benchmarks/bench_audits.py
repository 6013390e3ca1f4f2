"""Audits benchmark: DÖF list, detail, exports and API, the programme grid, the dashboard panels,
the clause coverage and the reminders with years of audits and DÖFs.

Usage:  .venv/bin/python benchmarks/bench_audits.py [--nonconformities 20000] [--audits 400] [--runs 5]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp). Not run by CI; the figures
go to docs/performance.md. The records are bulk-inserted (with their object grants, as
`audits.grants` would write them), not walked through the services: the benchmark measures
reading, not the state machine.
"""

from __future__ import annotations

# isort: off
from harness import print_table  # first: puts the project on the path and sets Django up
# isort: on

import argparse
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    ActionState,
    Audit,
    AuditProgramme,
    AuditState,
    CorrectiveAction,
    NCState,
    Nonconformity,
    NonconformityUserObjectPermission,
    Source,
)
from qms.models import Clause, StaffProfile, Unit, UnitKind
from qms.roles import ROLES, Role

STATES = [NCState.OPEN, NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE, NCState.VERIFIED,
          NCState.CLOSED, NCState.CLOSED, NCState.CLOSED, NCState.REJECTED]


def build(nonconformities: int, audits: int) -> dict:
    User = get_user_model()
    today = timezone.localdate()
    now = timezone.now()
    branch = Unit.objects.create(code="HİŞM", name="Halkla İlişkiler Şube Müdürlüğü", kind=UnitKind.BRANCH)
    chiefs = [Unit.objects.create(code=f"Ş{i}", name=f"Şeflik {i}", kind=UnitKind.CHIEFDOM, parent=branch)
              for i in range(6)]
    units = [Unit.objects.create(code=f"B{i}", name=f"Birim {i}", parent=chiefs[i % 6]) for i in range(30)]

    def person(name, role, unit):
        user = User.objects.create_user(name, password="x", first_name=name.capitalize(), last_name="Soyadı")
        user.groups.add(Group.objects.get(name=ROLES[role].group_name))
        StaffProfile.objects.create(user=user, unit=unit)
        return user

    mr = person("yt", Role.MANAGEMENT_REPRESENTATIVE, branch)
    auditors = [person(f"tetkikci{i}", Role.INTERNAL_AUDITOR, units[i]) for i in range(8)]
    manager = person("sef", Role.UNIT_MANAGER, chiefs[0])
    staff = [person(f"p{i}", Role.STAFF, units[i % 30]) for i in range(200)]
    clauses = list(Clause.objects.all())
    audit_rows = []
    for year in range(today.year - 4, today.year + 1):
        programme = AuditProgramme.objects.create(year=year)
        for n in range(audits // 5):
            start = today.replace(year=year, month=1 + n % 12, day=1 + n % 27)
            state = AuditState.CLOSED if year < today.year else list(AuditState)[n % 5]
            audit_rows.append(Audit(programme=programme, number=n + 1, title=f"Tetkik {year}/{n}",
                                    planned_start=start, planned_end=start + timedelta(days=1),
                                    lead_auditor=auditors[n % 8], state=state))
    created = Audit.objects.bulk_create(audit_rows, batch_size=1000)
    Audit.units.through.objects.bulk_create(
        [Audit.units.through(audit_id=a.pk, unit_id=units[(i + 9) % 30].pk) for i, a in enumerate(created)])
    Audit.clauses.through.objects.bulk_create(
        [Audit.clauses.through(audit_id=a.pk, clause_id=clauses[i % len(clauses)].pk) for i, a in enumerate(created)])
    rows = []
    for i in range(nonconformities):
        state = STATES[i % len(STATES)]
        raised = now - timedelta(days=i % 900)
        rows.append(Nonconformity(
            code=f"DÖF-{raised.year}-{i:05d}", source=list(Source)[i % 8], title=f"Uygunsuzluk {i}",
            description="Açıklama", unit=units[i % 30], clause=clauses[i % len(clauses)], raised_by=staff[i % 200],
            raised_at=raised, triaged_by=mr, triaged_at=raised, state=state, why_1="Neden", root_cause="Kök neden",
            effectiveness_due=today - timedelta(days=i % 20),
        ))
    ncs = Nonconformity.objects.bulk_create(rows, batch_size=2000)
    actions = []
    for i, nc in enumerate(ncs):
        if nc.state in (NCState.OPEN, NCState.CAUSE_ANALYSED, NCState.REJECTED):
            continue
        for k in range(2):
            done = nc.state != NCState.ACTIONS_PLANNED or k == 0
            actions.append(CorrectiveAction(
                nonconformity=nc, description=f"Faaliyet {k}", owner=staff[(i + k) % 200],
                due_date=today + timedelta(days=(i % 60) - 30),
                state=ActionState.DONE if done else ActionState.PLANNED, evidence="Kanıt" if done else "",
                completed_by=staff[(i + k) % 200] if done else None, completed_at=now if done else None,
            ))
    CorrectiveAction.objects.bulk_create(actions, batch_size=5000)
    view = Permission.objects.get(codename="view_nonconformity")
    change = Permission.objects.get(codename="change_nonconformity")
    subtree = {u.pk for u in Unit.objects.subtree(chiefs[0])}
    grants = []
    for i, nc in enumerate(ncs):
        grants.append(NonconformityUserObjectPermission(content_object=nc, user=staff[i % 200], permission=view))
        if nc.unit_id in subtree:
            grants += [NonconformityUserObjectPermission(content_object=nc, user=manager, permission=p)
                       for p in (view, change)]
    NonconformityUserObjectPermission.objects.bulk_create(grants, batch_size=5000)
    return {"management representative": mr, "unit manager (a sixth of the units)": manager,
            "internal auditor": auditors[0], "staff member": staff[0], "rows": (len(ncs), len(actions), len(grants))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nonconformities", type=int, default=20000)
    parser.add_argument("--audits", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    people = build(args.nonconformities, args.audits)
    ncs, actions, grants = people.pop("rows")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: {ncs} DÖFs, {actions} actions, {grants} object grants, {args.audits} audits "
          f"over 5 years, built in {time.perf_counter() - start:.1f} s")
    year = timezone.localdate().year
    some = Nonconformity.objects.filter(state=NCState.ACTIONS_PLANNED).order_by("pk").first()
    urls = [
        ("DÖF list, page 1", reverse("audits:nonconformities")),
        ("DÖF list, open only, overdue", reverse("audits:nonconformities") + "?state=open_states&overdue=1"),
        ("DÖF detail", reverse("audits:nonconformity", args=[some.pk])),
        ("DÖF export CSV (all visible)", reverse("audits:nonconformities_export") + "?format=csv"),
        ("DÖF form PDF", reverse("audits:nonconformity_pdf", args=[some.pk])),
        ("programme grid", reverse("audits:programme_year", args=[year])),
        ("audit list", reverse("audits:audit_list")),
        ("clause coverage (ISO 9001)", reverse("audits:clause_coverage") + "?standard=ISO+9001"),
        ("dashboard (panels + reminders)", "/admin/"),
        ("API /audits/nonconformities?limit=100", "/api/v1/audits/nonconformities?limit=100"),
    ]
    print_table(people, urls, args.runs)


if __name__ == "__main__":
    main()
