"""The KPI demo seed (kpi/seed.py): a year of requests imported with their rollups, the targets,
the FEN manager; idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from kpi import seed
from kpi.engine import KpiEngine
from kpi.models import ImportRun, Kpi, KpiTarget, Request, RollupDayUnit, RollupMonth
from qms.models import Unit
from qms.roles import Role, has_role, unit_scope


@pytest.fixture
def demo_size(settings):
    settings.QMS_KPI_DEMO_REQUESTS = 1500
    return 1500


def _run() -> str:
    out = io.StringIO()
    seed.run(stdout=out)
    return out.getvalue()


def test_seed_imports_a_year_with_its_rollups(kpi_units, demo_size):
    output = _run()
    assert "1.500 başvuru" in output and "1.500 yeni" in output
    assert Request.objects.count() == 1500
    assert set(Request.objects.values_list("unit__code", flat=True).distinct()) == {"FEN", "FEN-YOL", "PARK"}
    today = timezone.localdate()
    span = Request.objects.aggregate(first=Min("created_on"), last=Max("created_on"))
    first, last = span["first"], span["last"]
    assert (today - last).days <= 3 and 360 <= (today - first).days <= 366
    assert sum(RollupDayUnit.objects.values_list("created", flat=True)) == 1500
    assert sum(RollupMonth.objects.values_list("created", flat=True)) == 1500
    run = ImportRun.objects.get()
    assert (run.source, run.filename, run.created, run.errors) == (ImportRun.Source.COMMAND, seed.DEMO_FILENAME,
                                                                   1500, 0)


def test_seed_creates_the_targets(kpi_units, demo_size):
    _run()
    defaults = {t.kpi: (t.green, t.red) for t in KpiTarget.objects.filter(unit=None)}
    assert defaults == {
        Kpi.ON_TIME_RATE: (90, 80), Kpi.OVERDUE_OPEN: (50, 150), Kpi.RETURNED_RATE: (5, 10),
        Kpi.SATISFACTION_AVG: (4, 3.5), Kpi.SATISFIED_RATE: (80, 65), Kpi.FIELD_CHECK_FAIL_RATE: (5, 10),
        Kpi.MEDIAN_ANSWER_HOURS: (48, 96),
    }
    # The FEN override is made; İTFAİYE's is skipped, as there is no such unit here.
    overrides = {(t.unit.code, t.kpi): (t.green, t.red) for t in KpiTarget.objects.exclude(unit=None)}
    assert overrides == {("FEN", Kpi.MEDIAN_ANSWER_HOURS): (96, 168)}


def test_seed_creates_a_unit_manager_who_sees_fen_only(kpi_units, demo_size):
    _run()
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(username="fen.muduru")
    assert has_role(manager, Role.UNIT_MANAGER)
    assert manager.staff_profile.unit.code == "FEN"
    assert set(unit_scope(manager).values_list("code", flat=True)) == {"FEN", "FEN-YOL"}
    today = timezone.localdate()
    report = KpiEngine(user=manager).compute(date_from=today.replace(year=today.year - 1), date_to=today,
                                             group_by=("unit",))
    assert {row.keys["unit_code"] for row in report.rows} <= {"FEN", "FEN-YOL"}
    assert report.total.values["created"] == Request.objects.filter(unit__code__in=("FEN", "FEN-YOL")).count()


def test_seed_twice_duplicates_nothing(kpi_units, demo_size):
    _run()
    counts = (Request.objects.count(), KpiTarget.objects.count(), RollupDayUnit.objects.count())
    output = _run()
    assert "0 yeni, 0 güncellenen, 1.500 değişmeyen" in output
    assert (Request.objects.count(), KpiTarget.objects.count(), RollupDayUnit.objects.count()) == counts
    assert sum(RollupDayUnit.objects.values_list("created", flat=True)) == 1500
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username="fen.muduru").count() == 1


def test_seed_keeps_a_target_someone_changed(kpi_units, demo_size):
    _run()
    KpiTarget.objects.filter(kpi=Kpi.ON_TIME_RATE, unit=None).update(green=95, red=85)
    _run()
    target = KpiTarget.objects.get(kpi=Kpi.ON_TIME_RATE, unit=None)
    assert (target.green, target.red) == (95, 85)


def test_seed_without_answering_units_imports_nothing(org, demo_size):
    Unit.objects.update(answers_requests=False)
    assert "başvuru yanıtlayan birim yok" in _run()
    assert not Request.objects.exists()


def test_seed_demo_twice_with_the_core(settings, db):
    """The command end to end with the core's organisation: the demo's ten answering units."""
    settings.QMS_SEED_MODULES = ["qms", "kpi"]
    settings.QMS_KPI_DEMO_REQUESTS = 1200
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "1.200 başvuru" in out.getvalue()
    units = set(Request.objects.values_list("unit__code", flat=True).distinct())
    assert {"FEN", "ESHOT", "İZSU", "ATIK"} <= units
    assert KpiTarget.objects.count() == len(seed.DEFAULT_TARGETS) + len(seed.UNIT_TARGETS)
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "0 yeni, 0 güncellenen, 1.200 değişmeyen" in again.getvalue()
    assert Request.objects.count() == 1200
    assert ImportRun.objects.count() == 1  # an import that changed nothing leaves no record


def test_test_settings_keep_the_demo_small():
    from django.conf import settings

    assert settings.QMS_KPI_DEMO_REQUESTS <= 5000
