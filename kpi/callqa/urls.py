"""Admin URLs of call QA (mounted under /admin/callqa/ by kpi.callqa.wagtail_hooks): every area's
`urlpatterns` (kpi.callqa.areas)."""

from kpi.callqa.areas import view_modules

app_name = "callqa"

urlpatterns = []
for _module in view_modules():
    urlpatterns += _module.urlpatterns
