from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from qms import media, metrics, views
from qms.api import api

# The audit-trail report replaces Wagtail's at the same address (matched first), so that every
# link Wagtail makes to it ("wagtailadmin_reports:site_history") lands on the scoped version.
site_history = require_admin_access(views.ScopedSiteHistoryView.as_view())
site_history_results = require_admin_access(views.ScopedSiteHistoryView.as_view(results_only=True))

urlpatterns = [
    path("health/", views.health, name="health"),
    path("metrics/", metrics.metrics_view, name="metrics"),  # Prometheus, bearer METRICS_TOKEN (qms/metrics.py)
    path("verify/", include("training.public_urls")),
    path("admin/reports/site-history/", site_history),
    path("admin/reports/site-history/results/", site_history_results),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    # Wagtail's images and avatars, to signed-in users only (qms/media.py), in DEBUG and production.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.serve_media, name="qms_media"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "qms.views.page_not_found"
handler500 = "qms.views.server_error"
