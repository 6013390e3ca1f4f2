"""Wagtail's user admin, adapted to the portal.

- Only a superuser makes or touches a superuser. The management representative manages accounts
  and roles ("users.manage"), but a superuser bypasses the role table and the unit scope, so
  granting it (or editing, and so taking over, an existing superuser's account) is IT's job: the
  field is not offered and the pages refuse.
- An account and its staff profile (unit, job title) are made on one form, so that nobody holds a
  role without a unit to scope their records by. Service accounts leave the unit empty.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import CreateView, EditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from qms.models import StaffProfile, Unit
from qms.services import staff_profile_set


class StaffProfileFieldsMixin(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True).order_by("path"),
        required=False,
        label=_("Unit"),
        help_text=_("Creates or updates the person's staff profile; leave empty for a service account."),
    )
    staff_title = forms.CharField(max_length=120, required=False, label=_("Job title"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label_from_instance = lambda unit: unit.indented_name
        profile = StaffProfile.objects.filter(user_id=self.instance.pk).first() if self.instance.pk else None
        if profile is not None:
            self.fields["unit"].initial = profile.unit_id
            self.fields["staff_title"].initial = profile.title

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("staff_title") and not cleaned.get("unit"):
            self.add_error("unit", _("Choose the unit this person works in, or leave the job title empty."))
        return cleaned


class PortalUserCreationForm(StaffProfileFieldsMixin, UserCreationForm):
    pass


class PortalUserEditForm(StaffProfileFieldsMixin, UserEditForm):
    pass


class PortalUserViewMixin:
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if not self.request.user.is_superuser:
            form.fields.pop("is_superuser", None)
        if not self.request.user.has_perm("qms.change_staffprofile"):
            form.fields.pop("unit", None)
            form.fields.pop("staff_title", None)
        return form

    def save_instance(self):
        user = super().save_instance()
        unit = self.form.cleaned_data.get("unit")
        if unit is not None:  # same transaction as the account (Wagtail's form_valid is atomic)
            staff_profile_set(user=user, unit=unit, title=self.form.cleaned_data.get("staff_title", ""),
                              by=self.request.user)
        return user


class UserCreateView(PortalUserViewMixin, CreateView):
    pass


class UserEditView(PortalUserViewMixin, EditView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.object.is_superuser and not request.user.is_superuser:
            raise PermissionDenied


class UserViewSet(WagtailUserViewSet):
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    create_template_name = "qms/users/create.html"  # Wagtail's, plus unit and job title
    edit_template_name = "qms/users/edit.html"

    def get_form_class(self, for_update=False):
        return PortalUserEditForm if for_update else PortalUserCreationForm


def refuse_bulk_actions_on_superusers(request, action_type, objects, action):
    """`before_bulk_action` hook: the user list's bulk actions (activate, assign role, ...) must
    not reach a superuser's account unless a superuser does it (same rule as the edit page)."""
    if request.user.is_superuser:
        return None
    if any(getattr(obj, "is_superuser", False) for obj in objects if isinstance(obj, get_user_model())):
        raise PermissionDenied
    return None
