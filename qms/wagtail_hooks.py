from django.contrib.auth.views import redirect_to_login
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from qms.models import StaffProfile, Unit
from qms.org_reports import StaffProfileIndexView, UnitIndexView
from qms.permissions import ScopedViewSetMixin, register_scoped_model
from qms.users import refuse_bulk_actions_on_superusers


@hooks.register("register_log_actions")
def register_qms_log_actions(actions):
    from qms.audit import register_actions

    register_actions(actions)


@hooks.register("construct_reports_menu")
def site_history_for_audit_roles(request, menu_items):
    """"Site history" (the audit trail) is shown exactly to the roles with "audit.view"; Wagtail
    would show it to page editors only (qms.views.ScopedSiteHistoryView enforces the same rule)."""
    menu_items[:] = [item for item in menu_items if item.name != "site-history"]
    if request.user.has_perm("qms.view_audit_trail"):
        from wagtail.admin.menu import reports_menu

        menu_items.extend(item for item in reports_menu.registered_menu_items if item.name == "site-history")


hooks.register("before_bulk_action", refuse_bulk_actions_on_superusers)


@hooks.register("before_serve_page")
def require_login_for_portal(page, request, serve_args, serve_kwargs):
    """The portal is an intranet: every page needs a signed-in user."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


@hooks.register("before_serve_document")
def require_login_for_documents(document, request):
    """Files attached to portal pages are for signed-in staff only, like the pages."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "site"
    menu_label = _("Units")
    menu_name = "units"
    url_prefix = "organisation/units"
    index_view_class = UnitIndexView
    list_display = [
        "indented_name",
        "code",
        "kind",
        BooleanColumn("answers_requests", label=_("Answers requests")),
        BooleanColumn("is_active", label=_("Active")),
    ]
    list_filter = ["kind", "answers_requests", "is_active"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    list_per_page = 100
    copy_view_enabled = False
    search_backend_name = None  # plain database lookups on search_fields


register_scoped_model(StaffProfile)


class StaffProfileViewSet(ScopedViewSetMixin, SnippetViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Staff")
    menu_name = "staff"
    url_prefix = "organisation/staff"
    index_view_class = StaffProfileIndexView
    list_display = ["full_name", "title", "unit", "hire_date", BooleanColumn("is_active", label=_("Active"))]
    list_filter = ["unit", "is_active"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "title"]
    copy_view_enabled = False
    search_backend_name = None

    def get_queryset(self, request):
        return StaffProfile.objects.select_related("user", "unit")


class OrganisationGroup(SnippetViewSetGroup):
    items = (UnitViewSet, StaffProfileViewSet)
    menu_icon = "group"
    menu_label = _("Organisation")
    menu_name = "organisation"
    menu_order = 200


register_snippet(OrganisationGroup)


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("qms/css/admin.css"))


@hooks.register("insert_global_admin_js")
def admin_js():
    return format_html('<script src="{}"></script>', static("qms/js/admin.js"))


@hooks.register("construct_homepage_panels")
def add_portal_panels(request, panels):
    from qms.dashboard import portal_panels

    panels[:0] = portal_panels(request)


@hooks.register("register_admin_urls")
def organisation_report_urls():
    from qms.org_reports import admin_urls

    return admin_urls()
