"""Demo citizen requests: the last twelve months of `QMS_KPI_DEMO_REQUESTS` realistic requests
(kpi.demo_data) for the answering units, imported through THE import pipeline (kpi.ingest) so
that the rollups the dashboard reads are built exactly as a real import builds them; the
department's KPI targets with a unit override or two; and the FEN manager, so that the
unit-scoped views have someone to show.

Idempotent: the requests are numbered by their place in the year and the import upserts by
number, so a second run the same day finds every row unchanged (a later day's run moves the year
on and updates the rows, never adding any); targets and the manager are created when missing,
and targets someone has changed are left as they are.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from kpi.demo_data import generate_requests, write_csv, year_until
from kpi.ingest import import_file
from kpi.models import ImportRun, Kpi, KpiTarget
from qms.models import StaffProfile, Unit
from qms.roles import ROLES, Role

DEMO_FILENAME = "demo-basvurular.csv"

# username, first name, last name, role, unit code, title
UNIT_MANAGER = ("fen.muduru", "Kenan", "Sezgin", Role.UNIT_MANAGER, "FEN", "Fen İşleri Dairesi Başkanı")
HIRED = date(2018, 9, 3)

# The department's defaults: KPI -> (green at, red beyond); rates in percent, times in hours.
DEFAULT_TARGETS = {
    Kpi.ON_TIME_RATE: (90, 80),
    Kpi.OVERDUE_OPEN: (50, 150),
    Kpi.RETURNED_RATE: (5, 10),
    Kpi.SATISFACTION_AVG: (4, 3.5),
    Kpi.SATISFIED_RATE: (80, 65),
    Kpi.FIELD_CHECK_FAIL_RATE: (5, 10),
    Kpi.MEDIAN_ANSWER_HOURS: (48, 96),
}
# Units whose targets the management review set apart: the fire brigade is held to a stricter
# on-time rate, road works (FEN) get longer for the median answer.
UNIT_TARGETS = [
    ("İTFAİYE", Kpi.ON_TIME_RATE, 95, 90),
    ("FEN", Kpi.MEDIAN_ANSWER_HOURS, 96, 168),
]


def seed_targets() -> int:
    """The demo targets, created when missing. Returns how many were created."""
    created = 0
    for kpi, (green, red) in DEFAULT_TARGETS.items():
        _target, made = KpiTarget.objects.get_or_create(kpi=kpi, unit=None, defaults={"green": green, "red": red})
        created += made
    units = {u.code: u for u in Unit.objects.filter(code__in={row[0] for row in UNIT_TARGETS})}
    for code, kpi, green, red in UNIT_TARGETS:
        if code in units:
            _target, made = KpiTarget.objects.get_or_create(kpi=kpi, unit=units[code],
                                                            defaults={"green": green, "red": red})
            created += made
    return created


def seed_unit_manager() -> bool:
    """The FEN manager (a unit manager of an answering unit). False when the unit is not there."""
    username, first, last, role, unit_code, title = UNIT_MANAGER
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        return False
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"})
    if created:
        user.set_password(settings.QMS_DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    StaffProfile.objects.get_or_create(user=user, defaults={"unit": unit, "title": title, "hire_date": HIRED})
    return True


def seed_requests(count: int, *, today=None):
    """`count` requests of the twelve months before `today` for the answering units, imported from a
    temporary CSV (one streamed import: one transaction, one import record, bounded memory).
    Returns the ImportResult, or None when no unit answers requests."""
    codes = sorted(Unit.objects.filter(answers_requests=True, is_active=True).values_list("code", flat=True))
    if not codes or count <= 0:
        return None
    start, end, as_of = year_until(today or timezone.localdate())
    handle, path = tempfile.mkstemp(prefix="qms-demo-requests-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            write_csv(out, generate_requests(count, start=start, end=end, as_of=as_of, units=codes))
        with open(path, "rb") as data:
            result = import_file(data, DEMO_FILENAME, source=ImportRun.Source.COMMAND,
                                 max_bytes=settings.QMS_KPI_IMPORT_COMMAND_MAX_BYTES)
    finally:
        os.unlink(path)
    if not result.committed:
        problems = "; ".join(f"{e.line}/{e.column}: {e.message}" for e in result.errors[:5])
        raise RuntimeError(f"The demo requests did not import: {problems}")
    return result


def run(*, stdout=None) -> None:
    """Load the demo requests, targets and the FEN manager (idempotent; `manage.py seed_demo` calls it)."""
    started = time.perf_counter()
    result = seed_requests(settings.QMS_KPI_DEMO_REQUESTS)
    targets = seed_targets()
    manager = seed_unit_manager()
    if stdout is None:
        return
    if result is None:
        stdout.write("  başvuru yüklenmedi: başvuru yanıtlayan birim yok")
    else:
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        stdout.write(
            f"  {_n(result.rows)} başvuru (son 12 ay; {_n(result.created)} yeni, {_n(result.updated)} güncellenen, "
            f"{_n(result.unchanged)} değişmeyen), {KpiTarget.objects.count()} KPI hedefi ({targets} yeni)"
            f"{', birim yöneticisi ' + UNIT_MANAGER[0] if manager else ''} — {seconds} sn"
        )


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")
