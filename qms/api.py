"""The /api/v1/ root: one NinjaAPI that each module mounts its router on.

Authentication: a bearer token (`Authorization: Bearer wagtail_...`: Wagtail's APIToken, hashed at
rest, revocable, with its last-used time; users manage theirs under Ayarlar → API anahtarları and
service accounts get one from `manage.py api_token USERNAME`) for integrations,
or the admin session for the browser (with CSRF). No credentials: 401. Lacking the permission:
403; an object outside the caller's unit scope: 404, so its existence is not disclosed.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth
from wagtail.api.v3.auth import BearerTokenAuth

from qms.models import StaffProfile, Unit
from qms.roles import ROLES, roles_of

api = NinjaAPI(
    title="Kalite Yönetim Portalı API",
    version="1",
    description=(
        "Belediye halkla ilişkiler kalite yönetim portalının JSON API'si. "
        "JSON API of the municipal public-relations quality management portal."
    ),
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), django_auth],
    docs_decorator=login_required,
)


def require_perm(request, perm: str) -> None:
    """Refuse with 403 unless the caller holds `perm` (model-level; scoping is the caller's job)."""
    if not request.user.has_perm(perm):
        raise HttpError(403, _("You do not have permission for this (%(perm)s).") % {"perm": perm})


# --- core endpoints ---------------------------------------------------------------------------

core = Router(tags=["core"])


# --- what every module's schemas share -------------------------------------------------------


class ChoiceOut(Schema):
    key: str
    label: str


class PersonOut(Schema):
    username: str
    full_name: str


def admin_path(name: str, *args) -> str | None:
    """The admin address of a record, or None when the URL is not there."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def person_out(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "full_name": user.get_full_name() or user.get_username()}


def choice_out(instance, field: str) -> dict | None:
    """A choice field as {key, label} (label in the caller's language); None when empty."""
    value = getattr(instance, field)
    if not value:
        return None
    return {"key": value, "label": str(getattr(instance, f"get_{field}_display")())}


class RoleOut(Schema):
    key: str
    name: str


class UnitRef(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    roles: list[RoleOut]
    unit: UnitRef | None
    title: str | None


@core.get("/me", response=MeOut, summary="Kimliği doğrulanmış kullanıcı / the authenticated user")
def me(request):
    user = request.user
    profile = StaffProfile.objects.select_related("unit").filter(user=user).first()
    return {
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
        "roles": [{"key": str(role), "name": ROLES[role].group_name} for role in roles_of(user)],
        "unit": {"code": profile.unit.code, "name": profile.unit.name} if profile else None,
        "title": profile.title if profile else None,
    }


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    depth: int
    answers_requests: bool
    is_active: bool

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


@core.get("/units", response=list[UnitOut], summary="Birim ağacı / the unit tree")
@paginate(LimitOffsetPagination)
def list_units(request, active: bool | None = None):
    require_perm(request, "qms.view_unit")
    qs = Unit.objects.select_related("parent").order_by("path")
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@core.get("/units/{code}", response=UnitOut, summary="Bir birim / one unit")
def get_unit(request, code: str):
    require_perm(request, "qms.view_unit")
    return get_object_or_404(Unit.objects.select_related("parent"), code=code)


class StaffOut(Schema):
    username: str
    full_name: str
    title: str
    unit: UnitRef
    hire_date: date | None
    is_active: bool

    @staticmethod
    def resolve_username(obj):
        return obj.user.get_username()

    @staticmethod
    def resolve_full_name(obj):
        return obj.full_name


def _visible_staff(user):
    return StaffProfile.objects.visible_to(user).select_related("user", "unit")


@core.get("/staff", response=list[StaffOut], summary="Personel (birim kapsamında) / staff in your unit scope")
@paginate(LimitOffsetPagination)
def list_staff(request, unit: str | None = None, active: bool | None = None):
    require_perm(request, "qms.view_staffprofile")
    qs = _visible_staff(request.user).order_by("unit__path", "user__first_name", "user__last_name")
    if unit:
        qs = qs.filter(unit__code=unit)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@core.get("/staff/{username}", response=StaffOut, summary="Bir personel / one staff member")
def get_staff(request, username: str):
    require_perm(request, "qms.view_staffprofile")
    return get_object_or_404(_visible_staff(request.user), user__username=username)


api.add_router("/", core)

