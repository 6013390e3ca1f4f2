from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from audits.viewsets import (
    MENU_HOOK,
    AuditProgrammeViewSet,
    AuditViewSet,
    ChecklistTemplateViewSet,
    ClauseViewSet,
)

register_snippet(AuditViewSet)
register_snippet(AuditProgrammeViewSet)
register_snippet(ChecklistTemplateViewSet)
register_snippet(ClauseViewSet)


@hooks.register("register_admin_urls")
def audits_admin_urls():
    return [path("audits/", include("audits.urls", namespace="audits"))]


@hooks.register("register_admin_menu_item")
def audits_menu():
    return SubmenuMenuItem(
        _("Audits and DÖF"), Menu(register_hook_name=MENU_HOOK), name="audits", icon_name="clipboard-list",
        order=310,
    )


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permissions: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request):
        return any(request.user.has_perm(perm) for perm in self.permissions)


_AUDIT_READERS = ("audits.view_audit", "audits.perform_audit", "audits.follow_audit")


@hooks.register(MENU_HOOK)
def programme_menu_item():
    return _PermissionMenuItem(_("Audit programme"), reverse("audits:programme"), name="audit-programme",
                               icon_name="date", order=10, permissions=("audits.view_auditprogramme",))


@hooks.register(MENU_HOOK)
def audits_menu_item():
    return _PermissionMenuItem(_("Audits"), reverse("audits:audit_list"), name="audit-list",
                               icon_name="clipboard-list", order=20, permissions=_AUDIT_READERS)


@hooks.register(MENU_HOOK)
def nonconformities_menu_item():
    return _PermissionMenuItem(_("DÖF list"), reverse("audits:nonconformities"), name="nonconformities",
                               icon_name="warning", order=30, permissions=("audits.add_nonconformity",))


@hooks.register(MENU_HOOK)
def raise_menu_item():
    return _PermissionMenuItem(_("Raise a DÖF"), reverse("audits:nonconformity_raise"), name="nonconformity-raise",
                               icon_name="plus", order=40, permissions=("audits.add_nonconformity",))


@hooks.register(MENU_HOOK)
def coverage_menu_item():
    return _PermissionMenuItem(_("Clause coverage"), reverse("audits:clause_coverage"), name="clause-coverage",
                               icon_name="table", order=60, permissions=("audits.view_audit", "audits.perform_audit"))


@hooks.register("register_log_actions")
def register_audit_log_actions(actions):
    actions.register_action("audits.answer", _("Checklist answer"), _("Checklist question answered"))
    actions.register_action("audits.sign_off", _("Report sign-off"), _("Audit report signed off"))
    actions.register_action("audits.check", _("Effectiveness check"), _("Effectiveness checked"))


@hooks.register("construct_homepage_panels")
def audits_dashboard_panels(request, panels):
    """Open DÖFs by unit and age, overdue actions, effectiveness checks waiting, the programme's
    progress: each to those it concerns (audits.panels)."""
    from audits.panels import panels_for

    panels.extend(panels_for(request.user))


@hooks.register("insert_global_admin_css")
def audits_css():
    return format_html('<link rel="stylesheet" href="{}">', static("audits/css/audits.css"))
