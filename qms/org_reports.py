"""PDF reports of the organisation: the unit tree and the staff list (admin views).

Both sit under the Wagtail admin (so signing in and admin access are checked there), name the
model permission they need and answer 403 without it. The staff list follows the same unit
scope as the admin listing (`qms.roles.unit_scope`): a unit manager prints their own subtree.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.defaults import permission_denied
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph
from wagtail.admin.widgets.button import Button
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from qms.models import StaffProfile, Unit
from qms.pdf import FONT_BOLD, build_pdf, data_table, pdf_response, styles

UNITS_PDF_PERMISSION = "qms.view_unit"
STAFF_PDF_PERMISSION = "qms.view_staffprofile"


def _refusal(request: HttpRequest, permission: str) -> HttpResponse | None:
    """A 403 response unless the user holds `permission`.

    Returned, not raised: Wagtail's admin turns a raised PermissionDenied into a redirect to the
    dashboard, and a download URL should refuse plainly (the header button is hidden anyway).
    """
    if request.user.has_perm(permission):
        return None
    return permission_denied(request, PermissionDenied(permission))


def _label(model, field: str) -> str:
    return capfirst(model._meta.get_field(field).verbose_name)


def _filename(title: str) -> str:
    return f"{title} {timezone.localdate():%Y-%m-%d}.pdf"


def units_queryset():
    """Every unit in tree order, with its number of active staff counted in the same query."""
    return Unit.objects.annotate(active_staff=Count("staff", filter=Q(staff__is_active=True))).order_by("path")


def staff_queryset(user):
    """The staff profiles `user` may see (the admin listing's unit scope), with user and unit."""
    return (
        StaffProfile.objects.visible_to(user)
        .select_related("user", "unit")
        .order_by("unit__path", "user__first_name", "user__last_name", "pk")
    )


def units_pdf(request: HttpRequest) -> HttpResponse:
    """The unit tree as a table: name (indented by depth), code, kind, answers requests, active staff."""
    if refusal := _refusal(request, UNITS_PDF_PERMISSION):
        return refusal
    st = styles()
    cell = st.table_cell
    units = list(units_queryset())
    rows = []
    for unit in units:
        name_style = ParagraphStyle(
            f"unit-depth-{unit.depth}",
            parent=cell,
            leftIndent=9 * (unit.depth - 1),
            fontName=FONT_BOLD if unit.depth == 1 else cell.fontName,
        )
        rows.append(
            [
                Paragraph(escape(unit.name), name_style),
                unit.code,
                unit.get_kind_display(),
                unit.answers_requests,
                unit.is_active,
                unit.active_staff,
            ]
        )
    headers = [
        _label(Unit, "name"),
        _label(Unit, "code"),
        _label(Unit, "kind"),
        _label(Unit, "answers_requests"),
        _label(Unit, "is_active"),
        _("Active staff"),
    ]
    title = _("Unit tree")
    flowables = [
        Paragraph(escape(_("Total: %(count)s") % {"count": len(units)}), st.small),
        data_table(headers, rows, col_widths=["38%", "12%", "17%", "12%", "9%", "12%"]),
    ]
    pdf = build_pdf(title=title, flowables=flowables, user=request.user)
    return pdf_response(pdf, _filename(title))


def staff_pdf(request: HttpRequest) -> HttpResponse:
    """The staff the user may see: name, title, unit, hire date, active."""
    if refusal := _refusal(request, STAFF_PDF_PERMISSION):
        return refusal
    st = styles()
    staff = list(staff_queryset(request.user))
    rows = [
        [profile.full_name, profile.title, profile.unit.name, profile.hire_date, profile.is_active] for profile in staff
    ]
    headers = [
        _("Name"),
        _label(StaffProfile, "title"),
        _label(StaffProfile, "unit"),
        _label(StaffProfile, "hire_date"),
        _label(StaffProfile, "is_active"),
    ]
    title = _("Staff list")
    flowables = [
        Paragraph(escape(_("Total: %(count)s") % {"count": len(staff)}), st.small),
        data_table(headers, rows, col_widths=["26%", "25%", "29%", "12%", "8%"]),
    ]
    pdf = build_pdf(title=title, flowables=flowables, user=request.user)
    return pdf_response(pdf, _filename(title))


def admin_urls() -> list[URLPattern]:
    """URL patterns for the `register_admin_urls` hook (mounted under /admin/)."""
    return [
        path("organisation/units/pdf/", units_pdf, name="qms_units_pdf"),
        path("organisation/staff/pdf/", staff_pdf, name="qms_staff_pdf"),
    ]


class PdfButtonIndexViewMixin:
    """Adds a "Download PDF" item to a snippet index view's header menu."""

    pdf_url_name: str = ""
    pdf_permission: str = ""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.request.user.has_perm(self.pdf_permission):
            buttons.append(Button(_("Download PDF"), url=reverse(self.pdf_url_name), icon_name="download", priority=80))
        return buttons


class UnitIndexView(PdfButtonIndexViewMixin, SnippetIndexView):
    pdf_url_name = "qms_units_pdf"
    pdf_permission = UNITS_PDF_PERMISSION


class StaffProfileIndexView(PdfButtonIndexViewMixin, SnippetIndexView):
    pdf_url_name = "qms_staff_pdf"
    pdf_permission = STAFF_PDF_PERMISSION
