from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

MENU_HOOK = "register_training_menu_item"


@hooks.register("register_admin_urls")
def training_admin_urls():
    return [path("training/", include("training.urls", namespace="training"))]


@hooks.register("register_admin_menu_item")
def training_menu():
    return SubmenuMenuItem(_("Training"), Menu(register_hook_name=MENU_HOOK), name="training",
                           icon_name="group", order=320)


def _register_menu_items():
    from training.urls import VIEW_MODULES

    for module in VIEW_MODULES:
        for item in module.menu_items():
            hooks.register(MENU_HOOK, lambda item=item: item)


_register_menu_items()


@hooks.register("construct_homepage_panels")
def training_dashboard_panels(request, panels):
    """Plan realisation, orientation, compliance and "your training", each to those it concerns."""
    from training.panels import panels_for

    panels.extend(panels_for(request.user))


@hooks.register("register_log_actions")
def register_training_log_actions(actions):
    actions.register_action("training.attendance", _("Attendance recorded"), _("Attendance recorded"))
    actions.register_action("training.check_in", _("Self check-in"), _("Checked in to a training session"))
    actions.register_action("training.correct", _("Attendance correction"), _("Attendance corrected"))
    actions.register_action("training.evaluate", _("Training evaluation"), _("Training evaluated"))


@hooks.register("insert_global_admin_css")
def training_css():
    from django.templatetags.static import static
    from django.utils.html import format_html_join

    files = [static(f"training/{name}.css") for name in ("plan", "sessions", "evaluations", "records")]
    return format_html_join("", '<link rel="stylesheet" href="{}">', ((f,) for f in files))
