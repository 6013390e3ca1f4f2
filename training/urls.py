"""Admin URLs of the training app (mounted under /admin/training/ by training.wagtail_hooks)."""

from training.views import evaluations, plan, records, sessions

app_name = "training"

VIEW_MODULES = (plan, sessions, evaluations, records)

urlpatterns = [pattern for module in VIEW_MODULES for pattern in module.urlpatterns]
