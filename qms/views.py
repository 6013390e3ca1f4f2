"""Views of the core: health probe, error pages, and the audit-trail report."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.models import APIToken, ModelLogEntry

from qms.permissions import scoped_policies


@never_cache
def health(request):
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "take me out of rotation"
        return JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
