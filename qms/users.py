"""Wagtail's user admin with one rule added: only a superuser makes or touches a superuser.

The management representative manages accounts and roles ("users.manage"), but a superuser
bypasses the role table and the unit scope, so granting it (or editing, and so taking over, an
existing superuser's account) is IT's job: the field is not offered and the pages refuse.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from wagtail.users.views.users import CreateView, EditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet


class SuperuserGuardMixin:
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if not self.request.user.is_superuser:
            form.fields.pop("is_superuser", None)
        return form


class UserCreateView(SuperuserGuardMixin, CreateView):
    pass


class UserEditView(SuperuserGuardMixin, EditView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.object.is_superuser and not request.user.is_superuser:
            raise PermissionDenied


class UserViewSet(WagtailUserViewSet):
    add_view_class = UserCreateView
    edit_view_class = UserEditView


def refuse_bulk_actions_on_superusers(request, action_type, objects, action):
    """`before_bulk_action` hook: the user list's bulk actions (activate, assign role, ...) must
    not reach a superuser's account unless a superuser does it (same rule as the edit page)."""
    if request.user.is_superuser:
        return None
    if any(getattr(obj, "is_superuser", False) for obj in objects if isinstance(obj, get_user_model())):
        raise PermissionDenied
    return None
