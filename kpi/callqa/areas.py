"""The screens of call QA, one module per area under kpi/callqa/views/ (and, for the API,
kpi/callqa/api_<area>.py). urls.py, wagtail_hooks.py and api.py mount every area listed here:
a view module gives `urlpatterns` and may give `menu_items()` and `viewsets()`."""

from importlib import import_module

AREAS = (
    "imports",       # call import: upload, preview, confirm, past imports
    "dashboard",     # contact-centre KPI dashboard and tables
    "scorecards",    # scorecard editor and versions
    "evaluations",   # evaluator queue, scoring, agent feedback, disputes
    "sampling",      # monthly samples
    "calibration",   # calibration sessions and history
    "reports",       # monthly agent reports, trends, weakest criteria, productivity, coaching
    "agents",        # agents and teams
)


def modules(prefix: str):
    """The area modules that exist, e.g. modules("kpi.callqa.views")."""
    found = []
    for area in AREAS:
        name = f"{prefix}.{area}" if prefix.endswith("views") else f"{prefix}_{area}"
        try:
            found.append(import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found
