"""The parts of the management review, listed explicitly (a missing module fails at start-up).

- `SECTION_MODULES` fill the agenda items of the input pack (`qms.review.pack`); each module
  registers its builders with `@pack.section(kind)`.
- `VIEW_AREAS` are the admin screens (`qms/review/views/<area>.py`): each gives `urlpatterns` and
  may give `menu_items()`, `viewsets()` and `hooks()`.
- `API_AREAS` mount their routers on `qms.api.api` when imported.
"""

from importlib import import_module

SECTION_MODULES = (
    "outputs",        # previous_actions: actions of earlier reviews
    "requests",       # satisfaction, request_kpis, data_analysis (kpi/)
    "contact_centre",  # contact_centre (kpi/callqa)
    "quality",        # nonconformities, audits (audits/)
    "people",         # training, resources (training/, qms staff)
    "system",         # context (documents/), improvement
    "registers",      # risks, stakeholders (this app's registers)
)
VIEW_AREAS = (
    "meetings",       # reviews: list, prepare, submit, approve, correct, minutes PDF
    "outputs",        # decisions and actions; "my review actions"; action -> DÖF
    "registers",      # risk and stakeholder registers
    "minutes",        # minutes PDF
    "watchdog",       # dashboard panel: no review in 12 months, overdue actions
)
API_AREAS = (
    "meetings",       # /api/v1/reviews, /api/v1/reviews/{id}/actions
    "registers",      # /api/v1/risks, /api/v1/stakeholders
)


def load_sections() -> None:
    for name in SECTION_MODULES:
        import_module(f"qms.review.sections.{name}")


def view_modules():
    return [import_module(f"qms.review.views.{area}") for area in VIEW_AREAS]


def api_modules():
    return [import_module(f"qms.review.api_{area}") for area in API_AREAS]
