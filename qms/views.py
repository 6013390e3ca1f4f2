"""Views of the core: health probe, error pages, and the audit-trail report."""

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import CharField, Max, Q
from django.db.models.functions import Cast
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.models import APIToken, ModelLogEntry

from qms.operations.models import WorkerHeartbeat
from qms.permissions import scoped_policies


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    # A round trip with a key of its own, so two probes never read each other's value. With
    # Redis-backed sessions a dead cache means nobody can stay signed in.
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        return "ok" if cache.get(key) == value else "mismatch"
    finally:
        cache.delete(key)


def _check_worker() -> str:
    stale_after = getattr(settings, "QMS_WORKER_STALE_SECONDS", 180)
    if stale_after <= 0:
        return "disabled"  # an installation that runs the jobs from cron instead (docs/deploy.md)
    newest = WorkerHeartbeat.objects.aggregate(newest=Max("beat_at"))["newest"]
    if newest is None:
        return "missing"
    return "ok" if (timezone.now() - newest).total_seconds() <= stale_after else "stale"


def _check_free_space(path: Path) -> str:
    # A folder not created yet (no upload so far) will live on its nearest existing parent's disk.
    while not path.exists() and path.parent != path:
        path = path.parent
    free_mb = shutil.disk_usage(path).free / (1024 * 1024)
    return "ok" if free_mb >= getattr(settings, "QMS_HEALTH_MIN_FREE_MB", 1024) else "low"


def _run_check(check: Callable[[], str]) -> tuple[str, bool]:
    """(state, passed): a failing check reports its exception's class name, never its message
    (which can name hosts, paths or users)."""
    try:
        state = check()
    except Exception as exc:  # any failure is an answer here, not a server error
        return type(exc).__name__, False
    return state, state in {"ok", "disabled"}


@never_cache
def health(request):
    """The load balancer's and the monitoring system's probe: unauthenticated, fast, no details.

    JSON with `status` and one state per check. 503 "unavailable" when the database or the cache
    fails: this server cannot serve, take it out of rotation. 200 "degraded" when only the worker's
    heartbeat is stale or missing, or a media disk is low on space: pages still work, but someone
    must look (alert on it). 200 "ok" otherwise.
    """
    database, database_ok = _run_check(_check_database)
    cache_state, cache_ok = _run_check(_check_cache)
    # The heartbeat lives in the database: with the database down its state is unknown.
    worker, worker_ok = _run_check(_check_worker) if database_ok else ("unknown", False)
    media, media_ok = _run_check(lambda: _check_free_space(Path(settings.MEDIA_ROOT)))
    private, private_ok = _run_check(lambda: _check_free_space(Path(settings.QMS_PRIVATE_MEDIA_ROOT)))
    body = {"database": database, "cache": cache_state, "worker": worker, "media": media, "private_media": private}
    if not (database_ok and cache_ok):
        return JsonResponse({"status": "unavailable", **body}, status=503)
    status = "ok" if worker_ok and media_ok and private_ok else "degraded"
    return JsonResponse({"status": status, **body})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


class ScopedSiteHistoryView(LogEntriesView):
    """Wagtail's site-history report (the audit trail), limited by the role table.

    Wagtail lets anyone who may enter the admin open it and shows entries of every model they have
    any permission on. Here it needs the "audit.view" capability, and entries about records kept by
    unit (qms.permissions.register_scoped_model) or about other people's API tokens are left out
    unless the user may see those records. The CSV/XLSX export goes through the same queryset.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("qms.view_audit_trail"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if queryset.model is not ModelLogEntry:
            return queryset
        user = self.request.user
        for model, policy in scoped_policies().items():
            visible = policy.instances_user_has_any_permission_for(user, ["view", "change"])
            queryset = queryset.exclude(
                Q(content_type=ContentType.objects.get_for_model(model))
                & ~Q(object_id__in=visible.annotate(pk_text=Cast("pk", CharField())).values("pk_text"))
            )
        if not user.has_perm("auth.change_user"):
            own_tokens = APIToken.objects.filter(user=user).annotate(pk_text=Cast("pk", CharField()))
            queryset = queryset.exclude(
                Q(content_type=ContentType.objects.get_for_model(APIToken))
                & ~Q(object_id__in=own_tokens.values("pk_text"))
            )
        return queryset
