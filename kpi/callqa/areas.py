"""The screens of call QA, one module per area under kpi/callqa/views/, and the API modules. urls.py,
wagtail_hooks.py and api.py mount every module listed here: a view module gives `urlpatterns` and
may give `menu_items()`, `viewsets()` and `hooks()`; an API module mounts its router on qms.api.api
when imported."""

from importlib import import_module

VIEW_AREAS = (
    "imports",       # call import: upload, preview, confirm, past imports
    "dashboard",     # contact-centre KPI dashboard and tables
    "scorecards",    # scorecard editor and versions
    "evaluations",   # evaluator queue, scoring, agent feedback, disputes
    "sampling",      # monthly samples
    "calibration",   # calibration sessions and history
    "reports",       # monthly agent reports, trends, weakest criteria, productivity, coaching
    "agents",        # agents and teams
)
API_AREAS = (
    "imports",       # POST /api/v1/calls/batch
    "dashboard",     # GET /api/v1/kpis/calls
    "evaluations",   # /api/v1/callqa/scorecards, /api/v1/callqa/evaluations
    "calibration",   # /api/v1/callqa/calibration/sessions
)


def view_modules():
    return [import_module(f"kpi.callqa.views.{area}") for area in VIEW_AREAS]


def api_modules():
    return [import_module(f"kpi.callqa.api_{area}") for area in API_AREAS]
