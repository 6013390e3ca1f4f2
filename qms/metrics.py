"""Prometheus metrics at /metrics/: request latency measured in the app servers, and figures read
from the database when Prometheus scrapes (imports, reminders, the worker's job runs and heartbeat).

Labels are kept few and bounded: the request histogram is labelled by method, status class (2xx,
4xx ...) and the *resolved route name*, never the raw path (every document id would otherwise make a
new time series and the metrics store would grow without end).

Several gunicorn processes: with PROMETHEUS_MULTIPROC_DIR set (an empty, writable folder, emptied
at every service start; docs/deploy.md) prometheus_client writes each process's samples to files
there and the scrape adds them up, whichever process answers it. The database figures are the same
for every process and are read once per scrape.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

# Latency buckets for a portal: most pages well under a second, reports and PDFs several seconds.
REQUEST_LATENCY = Histogram(
    "qms_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, status class and route name.",
    ["method", "status", "route"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"


def route_label(request: HttpRequest) -> str:
    """The URL pattern's name (e.g. "wagtailadmin_home"), or the view's dotted path for unnamed
    patterns; "unmatched" when no pattern matched (a 404 or a request refused by a middleware)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED_ROUTE
    return match.view_name  # Django falls back to the view's dotted path itself


def method_label(method: str | None) -> str:
    """The HTTP method, or "other" for anything a client invents (bounded label values)."""
    method = (method or "").upper()
    return method if method in _KNOWN_METHODS else "other"


class RequestMetricsMiddleware:
    """Observes each request's duration in REQUEST_LATENCY once the response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_LATENCY.labels(
            method=method_label(request.method),
            status=f"{response.status_code // 100}xx",
            route=route_label(request),
        ).observe(time.perf_counter() - started)
        return response


class DatabaseCollector:
    """Figures the portal already records in its tables, read at scrape time.

    Totals are counters (they only grow while the rows are kept), so Prometheus' rate() and
    increase() give imports per hour, refused rows per day, failed jobs since yesterday ...
    """

    def collect(self) -> Iterator[Metric]:
        # With the database down the scrape still answers (the request metrics matter most then),
        # and qms_database_up says why the database figures are missing.
        try:
            families = [*self._imports(), *self._reminders(), *self._jobs(), *self._worker()]
        except DatabaseError:
            families, up = [], 0
        else:
            up = 1
        yield from families
        yield GaugeMetricFamily("qms_database_up", "1 when the database answered this scrape's queries, else 0.",
                                value=up)

    def _imports(self) -> Iterator[Metric]:
        from kpi.callqa.models import CallImportRun
        from kpi.models import ImportRun

        runs = CounterMetricFamily("qms_import_runs", "Finished imports and API batches.", labels=["pipeline"])
        rows = CounterMetricFamily("qms_import_rows", "Rows read by imports and API batches.", labels=["pipeline"])
        errors = CounterMetricFamily("qms_import_errors", "Rows refused by imports and API batches.",
                                     labels=["pipeline"])
        for pipeline, model in (("requests", ImportRun), ("calls", CallImportRun)):
            totals = model.objects.filter(finished_at__isnull=False).aggregate(
                runs=Count("pk"), rows=Sum("rows"), errors=Sum("errors"))
            runs.add_metric([pipeline], totals["runs"] or 0)
            rows.add_metric([pipeline], totals["rows"] or 0)
            errors.add_metric([pipeline], totals["errors"] or 0)
        yield from (runs, rows, errors)

    def _reminders(self) -> Iterator[Metric]:
        from qms.models import ReminderDigest

        totals = ReminderDigest.objects.aggregate(digests=Count("pk"), items=Sum("item_count"))
        digests = CounterMetricFamily("qms_reminder_digests", "Reminder digests e-mailed (one a person a day).")
        digests.add_metric([], totals["digests"] or 0)
        items = CounterMetricFamily("qms_reminder_items", "Reminders contained in the e-mailed digests.")
        items.add_metric([], totals["items"] or 0)
        yield from (digests, items)

    def _jobs(self) -> Iterator[Metric]:
        from qms.operations.models import JobRun

        runs = CounterMetricFamily(
            "qms_job_runs", "Runs of the worker's scheduled jobs (send_reminders = the reminder runs) by outcome: "
            "ok, failed, or unfinished (running, or the worker stopped during it).", labels=["job", "outcome"])
        outcome_of = {True: "ok", False: "failed", None: "unfinished"}
        for row in JobRun.objects.values("job", "ok").annotate(n=Count("pk")).order_by("job", "ok"):
            runs.add_metric([row["job"], outcome_of[row["ok"]]], row["n"])
        yield runs

        last_ok = GaugeMetricFamily("qms_job_last_success_timestamp_seconds",
                                    "When each job last finished successfully (Unix time).", labels=["job"])
        for row in JobRun.objects.filter(ok=True).values("job").annotate(last=Max("finished_at")).order_by("job"):
            if row["last"] is not None:
                last_ok.add_metric([row["job"]], row["last"].timestamp())
        yield last_ok

    def _worker(self) -> Iterator[Metric]:
        from qms.operations.models import WorkerHeartbeat

        newest = WorkerHeartbeat.objects.aggregate(newest=Max("beat_at"))["newest"]
        # One unlabelled value: worker names contain the process id and change at every restart.
        age = GaugeMetricFamily("qms_worker_heartbeat_age_seconds",
                                "Seconds since the newest worker heartbeat (absent when no worker ever ran).")
        if newest is not None:
            age.add_metric([], max(0.0, (timezone.now() - newest).total_seconds()))
        yield age


class _RegistryCollector:
    """Lets one scrape registry include the process's default registry."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


def scrape_registry() -> CollectorRegistry:
    """The registry one scrape reads: the request metrics (added up over all processes' files in
    multiprocess mode, else this process's own) plus the database figures."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_RegistryCollector(REGISTRY))
    registry.register(DatabaseCollector())
    return registry


def bearer_token_matches(request: HttpRequest, expected: str) -> bool:
    """True when the Authorization header is `Bearer <expected>` (compared in constant time, so
    the answer's timing says nothing about how much of a guess was right)."""
    scheme, _space, supplied = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not supplied:
        return False
    return hmac.compare_digest(supplied.strip().encode(), expected.encode())


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format for a scraper with `Authorization: Bearer $METRICS_TOKEN`, or a
    signed-in superuser. Without a configured token it answers 404 to everyone else (the address
    does not exist as far as they can tell); a missing or wrong token gets 401."""
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated and user.is_superuser):
        token = getattr(settings, "QMS_METRICS_TOKEN", "")
        if not token:
            raise Http404
        if not bearer_token_matches(request, token):
            response = HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain; charset=utf-8")
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
