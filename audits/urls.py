"""Admin URLs of the audits app (mounted under /admin/audits/ by audits.wagtail_hooks)."""

from audits.views import conduct, coverage, nonconformities, programme

app_name = "audits"

urlpatterns = [*programme.urlpatterns, *conduct.urlpatterns, *nonconformities.urlpatterns, *coverage.urlpatterns]
