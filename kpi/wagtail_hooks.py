"""Admin hooks of the kpi app. Each screen adds its own hooks below (menu items through kpi.menu)."""

from django.urls import include, path
from wagtail import hooks

from kpi.menu import MENU_HOOK, kpi_submenu


@hooks.register("register_admin_urls")
def kpi_admin_urls():
    return [path("kpi/", include("kpi.urls", namespace="kpi"))]


hooks.register("register_admin_menu_item", kpi_submenu)


# --- importing requests (kpi/views/imports.py) -------------------------------------------------------


def _register_import_menu_items():
    from kpi.views import imports

    for item in imports.menu_items():
        hooks.register(MENU_HOOK, lambda item=item: item)


_register_import_menu_items()


# --- the KPI dashboard, its drill-down and DÖFs, the targets, the home panel (kpi/views/dashboard.py, ...) --


def _register_dashboard_hooks():
    from kpi.views import dashboard
    from kpi.views.targets import KpiTargetViewSet

    for item in dashboard.menu_items():
        hooks.register(MENU_HOOK, lambda item=item: item)
    hooks.register("register_admin_viewset", KpiTargetViewSet)


_register_dashboard_hooks()


@hooks.register("construct_homepage_panels")
def kpi_dashboard_panels(request, panels):
    """"Request KPIs this month" for whoever may see the KPIs."""
    from kpi.panels import panels_for

    panels.extend(panels_for(request.user))


@hooks.register("insert_global_admin_css")
def kpi_dashboard_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static("kpi/dashboard.css"))


# --- unit scorecards and the reports (kpi/views/scorecards.py, kpi/views/reports.py) -----------------


def _register_report_menu_items():
    from kpi.views import reports, scorecards

    for item in scorecards.menu_items() + reports.menu_items():
        hooks.register(MENU_HOOK, lambda item=item: item)


_register_report_menu_items()
