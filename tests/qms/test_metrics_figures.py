"""The figures /metrics/ serves: request latency by route name (never the raw path), import rows
and refused rows equal to the import records' sums, reminder digests, job runs by job and outcome,
and the worker heartbeat's age."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from kpi.callqa.models import CallImportRun
from kpi.models import ImportRun
from qms.models import ReminderDigest
from qms.operations.models import JobRun, WorkerHeartbeat

TOKEN = "t" * 40


def scrape(client) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from one authorised scrape."""
    with override_settings(QMS_METRICS_TOKEN=TOKEN):
        response = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def latency_count(route: str, status: str = "2xx", method: str = "GET") -> float:
    return REGISTRY.get_sample_value("qms_http_request_duration_seconds_count",
                                     {"method": method, "status": status, "route": route}) or 0.0


def test_a_request_adds_a_latency_sample_under_its_route_name(client, db):
    before = latency_count("health")
    client.get("/health/")
    assert latency_count("health") == before + 1


def test_latency_labels_never_hold_a_raw_path(client, db, make_user):
    client.force_login(make_user())
    client.get("/admin/no-such-screen/12345/")
    client.get("/health/?probe=1")
    for family in REGISTRY.collect():
        if family.name == "qms_http_request_duration_seconds":
            routes = {sample.labels["route"] for sample in family.samples}
    assert all("/" not in route for route in routes)
    assert not any("12345" in route for route in routes)


def test_import_counters_equal_the_import_records_sums(client, db):
    now = timezone.now()
    ImportRun.objects.create(source="file", started_at=now, finished_at=now, rows=1000, errors=7)
    ImportRun.objects.create(source="api", started_at=now, finished_at=now, rows=250, errors=0)
    ImportRun.objects.create(source="file", started_at=now, finished_at=None, rows=99, errors=99)  # still running
    CallImportRun.objects.create(source="command", started_at=now, finished_at=now, rows=5000, errors=12)

    samples = scrape(client)

    assert samples[("qms_import_rows_total", (("pipeline", "requests"),))] == 1250
    assert samples[("qms_import_errors_total", (("pipeline", "requests"),))] == 7
    assert samples[("qms_import_runs_total", (("pipeline", "requests"),))] == 2
    assert samples[("qms_import_rows_total", (("pipeline", "calls"),))] == 5000
    assert samples[("qms_import_errors_total", (("pipeline", "calls"),))] == 12
    assert samples[("qms_database_up", ())] == 1


def test_reminder_and_job_counters(client, make_user):
    today = timezone.localdate()
    for n, user in enumerate((make_user(), make_user()), start=1):
        ReminderDigest.objects.create(user=user, day=today, item_count=n * 3)
    now = timezone.now()
    for hours, job, ok in ((1, "send_reminders", True), (2, "send_reminders", True), (3, "send_reminders", False),
                           (1, "backup", None)):
        JobRun.objects.create(job=job, scheduled_for=now - timedelta(days=hours), worker="w", started_at=now,
                              finished_at=None if ok is None else now - timedelta(hours=hours), ok=ok)

    samples = scrape(client)

    assert samples[("qms_reminder_digests_total", ())] == 2
    assert samples[("qms_reminder_items_total", ())] == 9
    assert samples[("qms_job_runs_total", (("job", "send_reminders"), ("outcome", "ok")))] == 2
    assert samples[("qms_job_runs_total", (("job", "send_reminders"), ("outcome", "failed")))] == 1
    assert samples[("qms_job_runs_total", (("job", "backup"), ("outcome", "unfinished")))] == 1
    last_ok = samples[("qms_job_last_success_timestamp_seconds", (("job", "send_reminders"),))]
    assert abs(last_ok - (now - timedelta(hours=1)).timestamp()) < 1


def test_worker_heartbeat_age(client, db):
    assert ("qms_worker_heartbeat_age_seconds", ()) not in scrape(client)  # no worker ever ran
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker="a:1", started_at=now, beat_at=now - timedelta(seconds=600))
    WorkerHeartbeat.objects.create(worker="b:2", started_at=now, beat_at=now - timedelta(seconds=40))
    age = scrape(client)[("qms_worker_heartbeat_age_seconds", ())]
    assert 40 <= age < 100  # the newest heartbeat counts
