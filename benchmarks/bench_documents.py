"""Documents benchmark: library, search, register, reminders and exports with a large register.

Usage:  .venv/bin/python benchmarks/bench_documents.py [--documents 3000] [--staff 2000] [--runs 5]
Database: DATABASE_URL (default: a throw-away SQLite file in /tmp). Not run by CI; the figures
go to docs/performance.md. The register is generated directly (bulk inserts of documents, three
approved revisions each, and read confirmations for a tenth of them), not through the workflow:
the benchmark measures reading, not approving.
"""

from __future__ import annotations

# isort: off
from harness import print_table  # first: puts the project on the path and sets Django up
# isort: on

import argparse
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from documents.models import (
    Document,
    DocumentAcknowledgement,
    DocumentRevision,
    DocumentType,
)
from documents.queries import fold
from qms.models import StaffProfile, Unit, UnitKind
from qms.roles import ROLES, Role

WORDS = ["şikâyet", "başvuru", "çağrı", "kayıt", "eğitim", "denetim", "yanıt", "süre", "birim", "öneri"]


def build(documents: int, staff: int) -> dict:
    User = get_user_model()
    branch = Unit.objects.create(code="HİŞM", name="Halkla İlişkiler Şube Müdürlüğü", kind=UnitKind.BRANCH)
    units = [Unit.objects.create(code=f"B{i}", name=f"Birim {i}", parent=branch) for i in range(30)]
    users = User.objects.bulk_create(
        [User(username=f"p{i}", first_name=f"Ad{i}", last_name=f"Soyadı{i}") for i in range(staff)], batch_size=2000
    )
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=u, unit=units[i % len(units)], title="Memur") for i, u in enumerate(users)],
        batch_size=2000,
    )
    staff_group = Group.objects.get(name=ROLES[Role.STAFF].group_name)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=staff_group.pk) for u in users], batch_size=5000
    )
    types = list(DocumentType.objects.all())
    now = timezone.now()
    today = timezone.localdate()
    docs = Document.objects.bulk_create(
        [
            Document(
                code=f"{types[i % len(types)].prefix}-{units[i % len(units)].code}-{i:04d}",
                title=f"{WORDS[i % 10].capitalize()} {WORDS[(i // 10) % 10]} dokümanı {i}",
                doc_type=types[i % len(types)],
                unit=units[i % len(units)],
                change_summary="Güncelleme",
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                next_review_date=today + timedelta(days=(i % 400) - 30),
            )
            for i in range(documents)
        ],
        batch_size=1000,
    )
    revisions = []
    for i, doc in enumerate(docs):
        for number in range(3):
            text = f"{doc.title}. " + " ".join(WORDS[(i + k) % 10] for k in range(40))
            revisions.append(
                DocumentRevision(
                    document=doc, number=number, title=doc.title,
                    body=[("paragraph", f"<p>{text}</p>")],
                    search_text=fold(f"{doc.code} {text}"), change_summary=f"Revizyon {number}",
                    approved_at=now - timedelta(days=700 - number * 300),
                    effective_date=today - timedelta(days=700 - number * 300),
                    next_review_date=doc.next_review_date,
                )
            )
    DocumentRevision.objects.bulk_create(revisions, batch_size=2000)
    current = DocumentRevision.objects.filter(number=2).order_by("pk")
    acks = []
    for revision in current[: max(1, documents // 10)]:
        for n, user in enumerate(users[:: max(1, staff // 200)]):
            acks.append(DocumentAcknowledgement(revision=revision, user=user, requested_at=now,
                                                acknowledged_at=now if n % 3 == 0 else None))
    DocumentAcknowledgement.objects.bulk_create(acks, batch_size=5000)

    def person(name, role, unit):
        user = User.objects.create_user(name, password="x")
        user.groups.add(Group.objects.get(name=ROLES[role].group_name))
        StaffProfile.objects.create(user=user, unit=unit)
        return user

    return {
        "management representative": person("yt", Role.MANAGEMENT_REPRESENTATIVE, branch),
        "staff member": users[0],
        "acks": len(acks),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    people = build(args.documents, args.staff)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load; without statistics the planner picks
        # nested loops over thousands of rows (the staff library took 0.3 s instead of 0.03 s).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: {args.documents} documents × 3 revisions, {args.staff} staff, "
          f"{people.pop('acks')} read requests built in {time.perf_counter() - start:.1f} s")
    some = Document.objects.order_by("pk")[args.documents // 2]
    urls = [
        ("library, page 1", "/admin/documents/library/"),
        ("library search «SIKAYET basvuru»", "/admin/documents/library/?q=SIKAYET+basvuru"),
        ("document page", f"/admin/documents/{some.pk}/"),
        ("dashboard (panels + reminders)", "/admin/"),
        ("register list (page 1)", "/admin/documents/register/"),
        ("due-for-review list", "/admin/documents/due-reviews/"),
    ]
    extra = [
        ("master list (page 1)", "documents:master_list", ""),
        ("master list XLSX, whole register", "documents:master_list", "?format=xlsx"),
        ("API /documents?limit=100", None, "/api/v1/documents?limit=100"),
    ]
    from django.urls import NoReverseMatch, reverse

    for label, name, suffix in extra:
        try:
            urls.append((label, (reverse(name) + suffix) if name else suffix))
        except NoReverseMatch:
            pass
    print_table(people, urls, args.runs)


if __name__ == "__main__":
    main()
