"""Admin URLs of the kpi app (mounted under /admin/kpi/ by kpi.wagtail_hooks). Each screen's module
adds its patterns below."""

app_name = "kpi"

urlpatterns = []

# Importing requests (upload, preview, confirm): kpi/views/imports.py
from kpi.views import imports as _imports  # noqa: E402

urlpatterns += _imports.urlpatterns

# The KPI dashboard, the requests behind a figure, raising a DÖF from a figure:
# kpi/views/dashboard.py, kpi/views/requests.py, kpi/views/dof.py
from kpi.views import dashboard as _dashboard  # noqa: E402
from kpi.views import dof as _dof  # noqa: E402
from kpi.views import requests as _requests  # noqa: E402

urlpatterns += _dashboard.urlpatterns + _requests.urlpatterns + _dof.urlpatterns

# Unit scorecards, the crisis report, the yearly data-analysis report:
# kpi/views/scorecards.py, kpi/views/reports.py
from kpi.views import reports as _reports  # noqa: E402
from kpi.views import scorecards as _scorecards  # noqa: E402

urlpatterns += _scorecards.urlpatterns + _reports.urlpatterns
