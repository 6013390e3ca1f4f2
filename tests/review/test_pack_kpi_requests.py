"""The request items of the input pack (satisfaction, request KPIs against targets, the yearly data
analysis) hold the same figures the kpi module reports for the review's period: compared with
`KpiEngine(user=None).compute` and `kpi.reports.year_analysis` for the same dates, and with the
figures of tests/review/pack_kpi_data.py worked out by hand; requests outside the period are not
counted; targets give "met" / "missed"; the pack is JSON; the queries do not grow with the units."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpi.engine import KpiEngine
from kpi.models import Kpi, KpiTarget
from kpi.reports import HEADLINE_KPIS, year_analysis
from qms.models import Unit
from qms.review.models import AgendaItemKind
from qms.review.pack import compile_item, figure, table
from tests.review.pack_kpi_data import (
    IN_PERIOD,
    PERIOD_FROM,
    PERIOD_TO,
    kpi_units,  # noqa: F401  (fixture)
    make_requests,  # noqa: F401  (fixture)
    more_units,
    period_request_rows,
)

pytestmark = pytest.mark.django_db

KINDS = (AgendaItemKind.SATISFACTION, AgendaItemKind.REQUEST_KPIS, AgendaItemKind.DATA_ANALYSIS)


@pytest.fixture
def requests_made(make_requests):  # noqa: F811
    make_requests(period_request_rows())


@pytest.fixture
def period_review(make_review, requests_made):
    return make_review(period=(PERIOD_FROM, PERIOD_TO))


@pytest.fixture
def targets():
    """Department targets: on time ≥ 90 % (red under 80), satisfaction ≥ 4 (red under 3), satisfied
    ≥ 80 % (red under 60), mean answer ≤ 90 h (red over 120); and a unit's own target, which the
    department figure does not use."""
    KpiTarget.objects.create(kpi=Kpi.ON_TIME_RATE, green=90, red=80)
    KpiTarget.objects.create(kpi=Kpi.SATISFACTION_AVG, green=4, red=3)
    KpiTarget.objects.create(kpi=Kpi.SATISFIED_RATE, green=80, red=60)
    KpiTarget.objects.create(kpi=Kpi.MEAN_ANSWER_HOURS, green=90, red=120)
    KpiTarget.objects.create(kpi=Kpi.ON_TIME_RATE, unit=Unit.objects.get(code="PARK"), green=40, red=30)


def engine_total(**kwargs):
    return KpiEngine(user=None).compute(date_from=PERIOD_FROM, date_to=PERIOD_TO, **kwargs)


def raw(pack, key):
    found = figure(pack, key)
    assert found is not None, f"no figure {key!r} in {[f['key'] for f in pack['figures']]}"
    return found["raw"]


def test_the_builders_run_without_falling_back_to_a_note(period_review):
    for kind in KINDS:
        pack = compile_item(period_review, kind)
        assert pack["figures"], (kind, pack["notes"])
        assert pack["kind"] == kind
        assert pack["period"] == ["2026-01-01", "2026-10-31"]


def test_satisfaction_holds_the_engines_figures_for_the_period(period_review):
    pack = compile_item(period_review, AgendaItemKind.SATISFACTION)
    total = engine_total().total
    assert raw(pack, "satisfaction_avg") == total.values[Kpi.SATISFACTION_AVG] == IN_PERIOD["satisfaction_avg"]
    assert raw(pack, "satisfied_rate") == total.values[Kpi.SATISFIED_RATE] == IN_PERIOD["satisfied_rate"]
    assert raw(pack, "rated") == total.counters["sat_count"] == IN_PERIOD["rated"]
    assert raw(pack, "created") == total.values[Kpi.CREATED] == IN_PERIOD["created"]
    by_type = {row.keys["type"]: row.values[Kpi.CREATED] for row in engine_total(group_by=("type",)).rows}
    assert raw(pack, "complaints") == by_type["complaint"] == IN_PERIOD["complaints"]
    assert raw(pack, "suggestions") == by_type["suggestion"] == IN_PERIOD["suggestions"]
    assert raw(pack, "thanks") == by_type["thanks"] == IN_PERIOD["thanks"]


def test_satisfaction_months_and_feedback_tables(period_review):
    pack = compile_item(period_review, AgendaItemKind.SATISFACTION)
    months = table(pack, "satisfaction_months")
    assert len(months["rows"]) == 10 and len(months["links"]) == 10
    by_month = {row.keys["month"]: row for row in engine_total(group_by=("month",)).rows}
    march = months["rows"][2]
    assert march[0] == "Mart 2026"
    assert march[1:4] == ["2", "2", "3,50"]  # r1 (5) and r2 (2)
    assert by_month["2026-03"].values[Kpi.SATISFACTION_AVG] == 3.5
    assert months["rows"][0][1:3] == ["0", "0"]  # January: o1 (31.12.2025) is outside the period
    types = table(pack, "feedback_types")
    assert [row[:2] for row in types["rows"]] == [["Şikâyet", "3"], ["Talep", "1"], ["Teşekkür", "1"], ["Öneri", "1"]]
    channels = table(pack, "feedback_channels")
    assert [row[:2] for row in channels["rows"]] == [["ALO 153", "4"], ["WhatsApp", "2"]]
    assert all(link.startswith("/admin/kpi/requests/?from=2026-01-01&to=2026-10-31") for link in channels["links"])
    assert pack["charts"][0]["key"] == "satisfaction_months"
    assert pack["charts"][0]["svg"].startswith('<figure class="kpi-chart" id="review-satisfaction-months"')
    assert any(link["url"].startswith("/admin/kpi/?") for link in pack["links"])


def test_requests_outside_the_period_are_not_counted(make_review, requests_made):
    october = make_review(period=(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
    pack = compile_item(october, AgendaItemKind.SATISFACTION)
    assert (raw(pack, "created"), raw(pack, "rated"), raw(pack, "satisfaction_avg")) == (2, 1, 5.0)  # r5, r6
    pack = compile_item(october, AgendaItemKind.REQUEST_KPIS)
    assert (raw(pack, "created"), raw(pack, "answered"), raw(pack, "overdue_open")) == (2, 1, 1)


def test_request_kpis_hold_every_kpi_the_engine_reports(period_review):
    pack = compile_item(period_review, AgendaItemKind.REQUEST_KPIS)
    total = engine_total().total
    assert [f["key"] for f in pack["figures"]] == [kpi.value for kpi in Kpi]
    for kpi in Kpi:
        assert raw(pack, kpi.value) == total.values[kpi.value], kpi
    for key in ("created", "answered", "overdue_open", "due_or_answered", "on_time", "on_time_rate"):
        assert raw(pack, key) == IN_PERIOD[key], key
    assert raw(pack, "mean_answer_hours") == round((49 + 240 + 24 + 24) / 4, 2)


def test_request_kpis_against_the_department_targets(period_review, targets, settings):
    settings.QMS_KPI_MIN_SAMPLE = 1
    pack = compile_item(period_review, AgendaItemKind.REQUEST_KPIS)
    on_time = figure(pack, "on_time_rate")
    total = engine_total().total
    assert (on_time["value"], on_time["status"]) == ("%50,0", "missed")
    assert total.ratings[Kpi.ON_TIME_RATE] == "red"  # 50 % under 80 %
    assert on_time["target"] == "≥ %90 yeşil, %80 altı kırmızı"
    assert figure(pack, "satisfaction_avg")["status"] == "met"  # 4.00 ≥ 4: green
    assert (figure(pack, "satisfied_rate")["status"], total.ratings[Kpi.SATISFIED_RATE]) == ("missed", "amber")
    assert figure(pack, "mean_answer_hours")["status"] == "met"  # 84.25 h ≤ 90 h
    assert figure(pack, "mean_answer_hours")["target"] == "≤ 90 yeşil, 120 üstü kırmızı"
    for key in ("created", "returned_rate", "field_check_fail_rate"):
        assert (figure(pack, key)["target"], figure(pack, key)["status"]) == ("", ""), key
    units = table(pack, "units")
    assert units["rows"][1][0].endswith("(PARK)")
    assert units["rows"][1][4:6] == ["%50,0", "Hedefte"]  # PARK's own target: green at 40 %


def test_a_figure_on_too_few_requests_is_not_rated(period_review, targets):
    pack = compile_item(period_review, AgendaItemKind.REQUEST_KPIS)  # the minimum sample is 20
    on_time = figure(pack, "on_time_rate")
    assert (on_time["value"], on_time["status"]) == ("%50,0 (az örnek)", "")
    assert on_time["target"] == "≥ %90 yeşil, %80 altı kırmızı"


def test_the_unit_table_adds_the_units_under_a_top_level_unit(period_review):
    pack = compile_item(period_review, AgendaItemKind.REQUEST_KPIS)
    units = table(pack, "units")
    assert [row[0] for row in units["rows"]] == ["Fen İşleri Dairesi Başkanlığı (FEN)",
                                                "Park ve Bahçeler Dairesi Başkanlığı (PARK)"]
    engine = KpiEngine(user=None)
    fen = engine.compute(date_from=PERIOD_FROM, date_to=PERIOD_TO, units=engine.unit_ids_under("FEN")).total
    park = engine.compute(date_from=PERIOD_FROM, date_to=PERIOD_TO, units=engine.unit_ids_under("PARK")).total
    assert units["rows"][0][1:] == ["4", "3", "1", "%50,0 (az örnek)", "Örnek az", "104,3", "%33,3 (az örnek)",
                                    "3,67 (az örnek)"]  # r1-r4 (FEN) with r3 (FEN-YOL, under FEN)
    assert (fen.values[Kpi.CREATED], fen.values[Kpi.ANSWERED], fen.values[Kpi.OVERDUE_OPEN]) == (4, 3, 1)
    assert (fen.values[Kpi.ON_TIME_RATE], fen.values[Kpi.MEAN_ANSWER_HOURS]) == (0.5, 104.33)
    assert fen.values[Kpi.SATISFACTION_AVG] == 3.67
    assert units["rows"][1][1:4] == ["2", "1", "1"]
    assert (park.values[Kpi.CREATED], park.values[Kpi.ANSWERED], park.values[Kpi.OVERDUE_OPEN]) == (2, 1, 1)
    assert "unit=FEN" in units["links"][0]
    assert any(link["url"] == "/admin/kpi/scorecards/" for link in pack["links"])


def test_data_analysis_holds_the_yearly_report_of_the_period(period_review):
    pack = compile_item(period_review, AgendaItemKind.DATA_ANALYSIS)
    analysis = year_analysis(year=2026, as_of=PERIOD_TO)
    assert (analysis.date_to, analysis.previous_to) == (PERIOD_TO, dt.date(2025, 10, 31))
    for kpi in (Kpi.CREATED, *HEADLINE_KPIS):
        assert raw(pack, f"2026:{kpi.value}") == analysis.total.values[kpi.value], kpi
    assert raw(pack, "2026:created") == 6
    assert raw(pack, "2026:overdue_open") == 1  # r6 falls due on 06.11, after the period
    months = table(pack, "2026:months")
    assert len(months["rows"]) == 10
    assert months["rows"][2][:3] == ["Mart", "1", "2"]  # o3 in March 2025; r1, r2 in March 2026
    assert months["rows"][2][3] == "▲ +1"
    indicators = table(pack, "2026:indicators")
    assert indicators["columns"] == ["Gösterge", "2025", "2026", "Değişim"]
    assert indicators["rows"][0] == ["Oluşturulan", "1", "6", "▲ +5"]
    assert indicators["rows"][4] == ["Zamanında cevap oranı (%)", "%100,0", "%60,0", "▼ −40,0 puan (daha kötü)"]
    assert [row[0] for row in table(pack, "2026:channels")["rows"]] == ["ALO 153", "WhatsApp"]
    for sentence in analysis.sentences:
        assert sentence in pack["notes"]
    assert [link["url"] for link in pack["links"]] == ["/admin/kpi/reports/yearly/?year=2026",
                                                       "/admin/kpi/reports/yearly/pdf/?year=2026"]
    assert pack["charts"][0]["key"] == "2026:months"


def test_data_analysis_over_two_years(make_review, requests_made):
    review = make_review(period=(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))
    pack = compile_item(review, AgendaItemKind.DATA_ANALYSIS)
    full = year_analysis(year=2025, as_of=timezone.localdate())
    partial = year_analysis(year=2026, as_of=dt.date(2026, 6, 30))
    assert raw(pack, "2025:created") == full.total.values["created"] == 2  # o3, o1
    assert raw(pack, "2026:created") == partial.total.values["created"] == 4  # r1-r4
    assert [c["key"] for c in pack["charts"]] == ["2025:months", "2026:months"]
    assert len(table(pack, "2025:months")["rows"]) == 12 and len(table(pack, "2026:months")["rows"]) == 6


def test_the_packs_are_json(period_review, targets):
    for kind in KINDS:
        pack = compile_item(period_review, kind)
        assert json.loads(json.dumps(pack)) == pack


def test_an_empty_period_compiles(make_review, kpi_units):  # noqa: F811
    review = make_review(period=(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    for kind in KINDS:
        pack = compile_item(review, kind)
        assert pack["figures"], kind
    assert raw(compile_item(review, AgendaItemKind.SATISFACTION), "satisfaction_avg") is None


def queries_of(review, kind) -> int:
    with CaptureQueriesContext(connection) as captured:
        compile_item(review, kind)
    return len(captured)


def test_the_queries_do_not_grow_with_the_units(make_review, make_requests):  # noqa: F811
    make_requests(period_request_rows())
    review = make_review(period=(PERIOD_FROM, PERIOD_TO))
    before = {kind: queries_of(review, kind) for kind in KINDS}
    make_requests(more_units(40))
    after = {kind: queries_of(review, kind) for kind in KINDS}
    assert before == after
    assert len(table(compile_item(review, AgendaItemKind.REQUEST_KPIS), "units")["rows"]) == 42


def test_a_year_not_yet_begun_is_said_not_analysed(make_review, requests_made):
    review = make_review(period=(dt.date(2026, 11, 1), dt.date(2027, 1, 31)))
    pack = compile_item(review, AgendaItemKind.DATA_ANALYSIS)
    assert [c["key"] for c in pack["charts"]] == ["2026:months"]
    assert not any(f["key"].startswith("2027:") for f in pack["figures"])
    assert pack["notes"][-1] == "2027 yılı henüz başlamadı."
