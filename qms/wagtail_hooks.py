from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from qms.models import StaffProfile, Unit
from qms.permissions import ScopedViewSetMixin, UnitScopedPermissionPolicy


@hooks.register("before_serve_page")
def require_login_for_portal(page, request, serve_args, serve_kwargs):
    """The portal is an intranet: every page needs a signed-in user."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "site"
    menu_label = _("Birimler")
    url_prefix = "organisation/units"
    list_display = ["indented_name", "code", "kind", "answers_requests", "is_active"]
    list_filter = ["kind", "answers_requests", "is_active"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    list_per_page = 100
    copy_view_enabled = False


register_permission_policy(StaffProfile, UnitScopedPermissionPolicy(StaffProfile))


class StaffProfileViewSet(ScopedViewSetMixin, SnippetViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Personel")
    url_prefix = "organisation/staff"
    list_display = ["full_name", "title", "unit", "hire_date", "is_active"]
    list_filter = ["unit", "is_active"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "title"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return StaffProfile.objects.select_related("user", "unit")


class OrganisationGroup(SnippetViewSetGroup):
    items = (UnitViewSet, StaffProfileViewSet)
    menu_icon = "group"
    menu_label = _("Organizasyon")
    menu_name = "organisation"
    menu_order = 200


register_snippet(OrganisationGroup)
