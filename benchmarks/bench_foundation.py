"""Foundation benchmark: organisation lists, API and PDFs at municipal scale.

Usage:  .venv/bin/python benchmarks/bench_foundation.py [--staff 5000] [--units 300] [--runs 5]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp). Not run by CI; the figures
go to docs/performance.md.
"""

from __future__ import annotations

# isort: off
from harness import measure  # first: puts the project on the path and sets Django up
# isort: on

import argparse
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client

from qms.models import StaffProfile, Unit, UnitKind
from qms.roles import ROLES, Role


def build(units: int, staff: int) -> dict:
    User = get_user_model()
    branch = Unit.objects.create(code="B", name="Şube", kind=UnitKind.BRANCH)
    chiefs = [Unit.objects.create(code=f"C{i}", name=f"Şeflik {i}", kind=UnitKind.CHIEFDOM, parent=branch)
              for i in range(10)]
    leaves = [Unit.objects.create(code=f"U{i}", name=f"Birim {i}", parent=chiefs[i % 10]) for i in range(units - 11)]
    users = User.objects.bulk_create(
        [User(username=f"p{i}", first_name=f"Ad{i}", last_name=f"Soyadı{i}") for i in range(staff)], batch_size=2000
    )
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=u, unit=leaves[i % len(leaves)], title="Memur") for i, u in enumerate(users)],
        batch_size=2000,
    )

    def person(name, role, unit):
        user = User.objects.create_user(name, password="x")
        user.groups.add(Group.objects.get(name=ROLES[role].group_name))
        StaffProfile.objects.create(user=user, unit=unit)
        return user

    return {
        "management representative": person("yt", Role.MANAGEMENT_REPRESENTATIVE, branch),
        "unit manager (1/10 of the tree)": person("um", Role.UNIT_MANAGER, chiefs[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    people = build(args.units, args.staff)
    print(f"{connection.vendor}: {args.units} units, {args.staff} staff built in {time.perf_counter() - start:.1f} s")
    urls = [
        ("admin staff list (page 1)", "/admin/organisation/staff/"),
        ("admin unit list", "/admin/organisation/units/"),
        ("API /staff?limit=100", "/api/v1/staff?limit=100"),
        ("unit tree PDF", "/admin/organisation/units/pdf/"),
        ("staff list PDF (whole scope)", "/admin/organisation/staff/pdf/"),
    ]
    print("| who | what | median ms | queries | bytes |\n|---|---|---:|---:|---:|")
    for who, user in people.items():
        client = Client()
        client.force_login(user)
        for label, url in urls:
            ms, queries, size = measure(client, url, args.runs)
            print(f"| {who} | {label} | {ms:.0f} | {queries} | {size:,} |")


if __name__ == "__main__":
    main()
