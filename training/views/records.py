"""Training records: the competence matrix with mandatory-training compliance, the orientation
follow-up of new hires and the training-hours report, each with its exports.

Who sees what: whoever holds `training.view_training_records` (training coordinator, management
representative, top management, internal auditors, unit managers); everyone else gets 403. Every
page, export and PDF lists the people of the reader's unit scope only (`qms.roles.unit_scope`
through `training.queries`): a unit manager sees their unit and the units under it, the others all.
A unit chosen outside that scope is refused by the filter form, never shown.

The arithmetic (what is completed, expires soon, expired or due; who is compliant; hours) is
`training.queries`'; these views only arrange it, so the page, the XLSX/CSV and the PDF agree.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from qms.downloads import spreadsheet_response
from qms.menu import PermissionMenuItem
from qms.models import StaffProfile, Unit
from qms.pdf import pdf_response
from qms.roles import ROLES, unit_scope
from qms.text import fold
from training import queries
from training.models import Attendance, AttendanceStatus, Session, SessionState
from training.queries import CompetenceState

RECORDS_PERMISSION = "training.view_training_records"
EXPORT_FORMATS = ("xlsx", "csv")


def may_see_records(user) -> bool:
    return queries.may_see_records(user)


def _refuse(request):
    return permission_denied(request, PermissionDenied(
        _("Training records are for the training coordinator, the quality team, auditors and unit managers.")))


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def role_names(roles) -> str:
    return ", ".join(ROLES[role].group_name for role in roles)


# --- the unit filter -------------------------------------------------------------------------------


def units_for_filter(user) -> list[Unit]:
    """The units of the reader's scope that have active staff in them or under them, in tree order
    (two queries)."""
    scope = unit_scope(user)
    units = Unit.objects.all() if scope is None else scope
    staffed = set(StaffProfile.objects.visible_to(user).filter(is_active=True, user__is_active=True)
                  .values_list("unit__path", flat=True).distinct())
    return [u for u in units.filter(is_active=True).order_by("path") if any(p.startswith(u.path) for p in staffed)]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class RecordsFilterForm(forms.Form):
    unit = UnitChoiceField(label=gettext_lazy("Unit"), required=False, queryset=Unit.objects.none(),
                           empty_label=gettext_lazy("All units you see"),
                           help_text=gettext_lazy("A unit includes the units under it."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units_for_filter(user)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in self.units]).order_by("path")
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Choose one of the units you may see; the list shows all of them.")

    def value(self, name: str):
        """A field's cleaned value, or None when it was not given or not valid (a unit outside the
        scope is refused alone: the other choices still apply)."""
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return None
        return self.cleaned_data.get(name)

    def chosen_unit(self) -> Unit | None:
        return self.value("unit")


PEOPLE_PER_PAGE = 100


class MatrixFilterForm(RecordsFilterForm):
    person = forms.CharField(label=gettext_lazy("Find a person (name or registry number)"), required=False,
                             max_length=100)
    gaps = forms.BooleanField(label=gettext_lazy("Only people with a gap (expired or not completed)"),
                              required=False)


class HoursFilterForm(RecordsFilterForm):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None)

    field_order = ["year", "unit"]

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


def _query_with(request, **params) -> str:
    query = request.GET.copy()
    for key in ("format", "p"):
        query.pop(key, None)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


# --- spreadsheets ----------------------------------------------------------------------------------


# --- the competence matrix -------------------------------------------------------------------------


def status_text(status) -> str:
    """What a matrix cell says, in words (never colour alone)."""
    if status is None:
        return pgettext("competence", "Not required")
    if status.state == CompetenceState.DUE:
        return str(status.label)
    if status.state == CompetenceState.COMPLETED and status.expires_on is None:
        return f"{status.label} {status.completed_on:%d.%m.%Y}"
    if status.state == CompetenceState.COMPLETED:
        return _("%(state)s %(date)s (valid until %(until)s)") % {
            "state": status.label, "date": f"{status.completed_on:%d.%m.%Y}", "until": f"{status.expires_on:%d.%m.%Y}"}
    return _("%(state)s on %(date)s") % {"state": status.label, "date": f"{status.expires_on:%d.%m.%Y}"}


def validity_text(course) -> str:
    if not course.validity_months:
        return _("does not expire")
    return _("valid for %(months)s months") % {"months": course.validity_months}


def targets_text(course) -> str:
    units = [u.name for u in course.target_units.all()]
    if course.is_orientation:
        return _("every new hire")
    if not units:
        return _("all units")
    return ", ".join(units)


class CompetenceReport:
    """The matrix as the page, the exports and the PDF show it (one computation per request)."""

    def __init__(self, user, *, unit: Unit | None, gaps: bool = False, today: date | None = None):
        self.user, self.unit, self.gaps = user, unit, gaps
        self.matrix = queries.competence_matrix(user, unit=unit, today=today)
        self.today = self.matrix.today
        self.courses = self.matrix.courses
        self.course_rows = queries.course_compliance(self.matrix)
        self.people = [p for p in self.matrix.people if not (gaps and p.compliant)]

    @property
    def compliant_count(self) -> int:
        return sum(1 for p in self.matrix.people if p.compliant)

    def role_rows(self) -> list[dict]:
        """Roles x required courses: for each role, for each course, whether it is required."""
        rows = []
        for role, courses in self.matrix.role_courses.items():
            required = {c.pk for c in courses}
            rows.append({"role": ROLES[role].group_name,
                         "cells": [c.pk in required for c in self.courses]})
        return rows

    def person_rows(self) -> list[dict]:
        rows = []
        for person in self.people:
            cells = []
            for course in self.courses:
                status = person.statuses.get(course.pk)
                cells.append({"status": status, "state": status.state if status else "na",
                              "text": status_text(status)})
            rows.append({"person": person, "profile": person.profile, "name": person.profile.full_name,
                         "roles": role_names(person.roles), "cells": cells, "compliant": person.compliant,
                         "gaps": sum(1 for s in person.statuses.values() if not s.compliant)})
        return rows

    def scope_label(self) -> str:
        if self.unit is not None:
            return _("%(unit)s and the units under it") % {"unit": self.unit.name}
        if unit_scope(self.user) is None:
            return _("All units")
        return _("The units you see")

    # Exports -------------------------------------------------------------------------------

    def sheets(self) -> list[tuple[str, list, list[list]]]:
        headers = [_("Registry number"), pgettext("person", "Name"), _("Unit"), _("Title"), _("Roles"),
                   _("Compliant")]
        state, last, until = pgettext("competence", "State"), _("Last completed"), _("Valid until")
        for course in self.courses:
            headers += [f"{course.code} {state}", f"{course.code} {last}", f"{course.code} {until}"]
        rows = []
        for person in self.people:
            profile = person.profile
            row = [profile.registry_no, profile.full_name, profile.unit.name, profile.title,
                   role_names(person.roles), person.compliant]
            for course in self.courses:
                status = person.statuses.get(course.pk)
                row += [str(status.label) if status else pgettext("competence", "Not required"),
                        status.completed_on if status else None, status.expires_on if status else None]
            rows.append(row)
        unit_rows = [[u.unit.code, u.unit.name, u.people, u.compliant, u.percent] for u in self.matrix.units]
        unit_rows.append(["", _("Total"), len(self.matrix.people), self.compliant_count, self.matrix.percent])
        course_rows = [[r.course.code, r.course.title, validity_text(r.course), r.required, r.completed,
                        r.expiring, r.expired, r.due, r.percent] for r in self.course_rows]
        return [
            (_("Competence matrix"), headers, rows),
            (_("Compliance by unit"), [_("Unit code"), _("Unit"), _("People"), _("Compliant"), _("Compliance rate")],
             unit_rows),
            (_("Compliance by course"),
             [_("Course code"), _("Course"), _("Validity"), _("Required of"),
              pgettext("competence", "Completed"), pgettext("competence", "Expires soon"),
              pgettext("competence", "Expired"), pgettext("competence", "Due"), _("Compliance rate")],
             course_rows),
        ]


class _RecordsView(WagtailAdminTemplateMixin, TemplateView):
    form_class = RecordsFilterForm

    def dispatch(self, request, *args, **kwargs):
        if not may_see_records(request.user):
            return _refuse(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": str(self.get_page_title())}]

    def get_form(self, **kwargs):
        filters = self.request.GET.copy()
        filters.pop("format", None)
        return self.form_class(filters or None, user=self.request.user, **kwargs)


class CompetenceMatrixView(_RecordsView):
    """Roles x required courses, every person's status on each, compliance by unit and by course."""

    template_name = "training/matrix.html"
    page_title = gettext_lazy("Competence matrix")
    header_icon = "table"
    form_class = MatrixFilterForm

    def report(self):
        self.form = self.get_form()
        unit = self.form.chosen_unit()
        gaps = bool(self.form.value("gaps"))
        return CompetenceReport(self.request.user, unit=unit, gaps=gaps)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report()
        rows = report.person_rows()
        wanted = fold(self.form.value("person") or "").strip()
        if wanted:
            rows = [r for r in rows if wanted in fold(r["name"]) or wanted in fold(r["profile"].registry_no)]
        # The summaries count everyone in scope; the people table is paged, so a department of
        # thousands gets a page the browser can draw (the exports hold everyone).
        page = Paginator(rows, PEOPLE_PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            form=self.form, report=report, matrix=report.matrix, courses=report.courses,
            course_rows=report.course_rows, role_rows=report.role_rows(), rows=page.object_list, page=page,
            people_found=len(rows), query_string=_query_with(self.request),
            pdf_query=_query_with(self.request), xlsx_query=_query_with(self.request, format="xlsx"),
            csv_query=_query_with(self.request, format="csv"),
            warning_days=queries.EXPIRY_WARNING_DAYS,
        )
        return context


class CompetenceMatrixExportView(CompetenceMatrixView):
    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format", "xlsx")
        if export_format not in EXPORT_FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        report = self.report()
        title = _("Competence matrix")
        stem = f"{title} {report.today:%Y-%m-%d}"
        return spreadsheet_response(export_format, report.sheets(), stem)


class CompetenceMatrixPdfView(CompetenceMatrixView):
    def get(self, request, *args, **kwargs):
        from training.records_pdf import competence_matrix_pdf

        report = self.report()
        pdf = competence_matrix_pdf(report, user=request.user)
        title = _("Competence matrix")
        return pdf_response(pdf, f"{title} {report.today:%Y-%m-%d}.pdf")


# --- orientation -----------------------------------------------------------------------------------


class OrientationView(_RecordsView):
    """New hires who have not completed the orientation course: overdue first (most days late
    first), then those still within their days, by due date."""

    template_name = "training/orientation.html"
    page_title = gettext_lazy("Orientation of new hires")
    header_icon = "user"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        course = queries.orientation_course()
        pending = queries.orientation_pending(user, today=today) if course else []
        profiles = [p.profile for p in pending]
        managers = queries.managers_of(profiles)
        manager_users = {u.pk: u for u in _users(managers.values())}
        invited = self._invitations(course, [p.user_id for p in profiles], today) if course else {}
        overdue, due = [], []
        for item in pending:
            user_id = item.profile.user_id
            row = {"item": item, "profile": item.profile, "manager": manager_users.get(managers.get(user_id)),
                   "session": invited.get(user_id), "days_left": -item.days_late}
            (overdue if item.days_late > 0 else due).append(row)
        overdue.sort(key=lambda r: (-r["item"].days_late, r["profile"].full_name))
        due.sort(key=lambda r: (r["item"].due_on, r["profile"].full_name))
        context.update(course=course, overdue=overdue, due=due, today=today,
                       days=settings.QMS_TRAINING_ORIENTATION_DAYS,
                       matrix_url=reverse("training:matrix"))
        return context

    @staticmethod
    def _invitations(course, user_ids: list[int], today: date) -> dict[int, Session]:
        """user id -> the next planned orientation session they are on (one query)."""
        if not user_ids:
            return {}
        rows = (Attendance.objects.filter(session__course=course, session__state=SessionState.PLANNED,
                                          person_id__in=user_ids)
                .exclude(status__in=[AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
                .select_related("session").order_by("session__starts_at"))
        result = {}
        for row in rows:
            result.setdefault(row.person_id, row.session)
        return result


def _users(ids):
    from django.contrib.auth import get_user_model

    if not ids:
        return []
    return get_user_model()._default_manager.filter(pk__in=set(ids))


# --- training hours --------------------------------------------------------------------------------


def report_years() -> list[int]:
    """Years with a finalised session, and this year, newest first."""
    years = {d.year for d in Session.objects.filter(state=SessionState.FINALISED).datetimes("starts_at", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


class HoursReport:
    """`queries.training_hours` for the reader's scope, narrowed to a unit's subtree."""

    def __init__(self, user, *, year: int, unit: Unit | None):
        self.user, self.year, self.unit = user, year, unit
        data = queries.training_hours(user, year)
        people, units = data["people"], data["units"]
        if unit is not None:
            people = [p for p in people if p["profile"].unit.path.startswith(unit.path)]
            units = [u for u in units if u["unit"].path.startswith(unit.path)]
        self.people, self.units = people, units
        self.total = sum((p["hours"] for p in people), Decimal(0))
        self.sessions = sum(p["sessions"] for p in people)
        self.trained = sum(1 for p in people if p["sessions"])

    @property
    def per_person(self) -> Decimal:
        return (self.total / len(self.people)).quantize(Decimal("0.1")) if self.people else Decimal(0)

    def scope_label(self) -> str:
        if self.unit is not None:
            return _("%(unit)s and the units under it") % {"unit": self.unit.name}
        if unit_scope(self.user) is None:
            return _("All units")
        return _("The units you see")

    def sheets(self):
        person_rows = [[p["profile"].registry_no, p["profile"].full_name, p["profile"].unit.name,
                        p["profile"].title, p["sessions"], p["hours"]] for p in self.people]
        person_rows.append(["", _("Total"), "", "", self.sessions, self.total])
        unit_rows = [[u["unit"].code, u["unit"].name, u["people"], u["hours"], u["per_person"]] for u in self.units]
        unit_rows.append(["", _("Total"), len(self.people), self.total, self.per_person])
        return [
            (_("Hours per person"), [_("Registry number"), pgettext("person", "Name"), _("Unit"), _("Title"),
                                     _("Sessions attended"), _("Hours")], person_rows),
            (_("Hours per unit"), [_("Unit code"), _("Unit"), _("People"), _("Hours"), _("Hours per person")],
             unit_rows),
        ]


class HoursReportView(_RecordsView):
    template_name = "training/report_hours.html"
    page_title = gettext_lazy("Training hours")
    header_icon = "time"
    form_class = HoursFilterForm

    def get_form(self, **kwargs):
        return super().get_form(years=report_years(), **kwargs)

    def report(self) -> HoursReport:
        self.form = self.get_form()
        year = self.form.value("year")
        return HoursReport(self.request.user, year=year or timezone.localdate().year, unit=self.form.chosen_unit())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report()
        context.update(form=self.form, report=report, pdf_query=_query_with(self.request, year=report.year),
                       xlsx_query=_query_with(self.request, year=report.year, format="xlsx"),
                       csv_query=_query_with(self.request, year=report.year, format="csv"))
        return context


class HoursExportView(HoursReportView):
    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format", "xlsx")
        if export_format not in EXPORT_FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        report = self.report()
        title = _("Training hours")
        return spreadsheet_response(export_format, report.sheets(), f"{title} {report.year}")


class HoursPdfView(HoursReportView):
    def get(self, request, *args, **kwargs):
        from training.records_pdf import training_hours_pdf

        report = self.report()
        title = _("Training hours")
        return pdf_response(training_hours_pdf(report, user=request.user), f"{title} {report.year}.pdf")


urlpatterns = [
    path("records/matrix/", CompetenceMatrixView.as_view(), name="matrix"),
    path("records/matrix/export/", CompetenceMatrixExportView.as_view(), name="matrix_export"),
    path("records/matrix/pdf/", CompetenceMatrixPdfView.as_view(), name="matrix_pdf"),
    path("records/orientation/", OrientationView.as_view(), name="orientation"),
    path("records/hours/", HoursReportView.as_view(), name="hours"),
    path("records/hours/export/", HoursExportView.as_view(), name="hours_export"),
    path("records/hours/pdf/", HoursPdfView.as_view(), name="hours_pdf"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Competence matrix"), reverse_lazy("training:matrix"),
                           name="training-matrix", icon_name="table", order=700,
                           permissions=(RECORDS_PERMISSION,)),
        PermissionMenuItem(pgettext_lazy("menu", "Orientation"), reverse_lazy("training:orientation"),
                           name="training-orientation", icon_name="user", order=710,
                           permissions=(RECORDS_PERMISSION,)),
        PermissionMenuItem(pgettext_lazy("menu", "Training hours"), reverse_lazy("training:hours"),
                           name="training-hours", icon_name="time", order=720,
                           permissions=(RECORDS_PERMISSION,)),
    ]

