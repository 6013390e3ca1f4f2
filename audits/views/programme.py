"""The audit programme (İç Tetkik Planı) as a year grid, its PDF and iCalendar exports, and the
list of audits.

Who sees what:

* The grid, the PDF and the calendar are the **published plan**: whoever holds
  `audits.view_auditprogramme` (management representative, top management, internal auditors,
  unit managers) sees every audit of the year with its dates, units and team, since a plan exists
  to be known by the units it will visit. The PDF and the calendar leave out cancelled audits
  (they will not happen); the grid shows them with their state. Only the audit *file* (findings,
  answers, reports) follows `audits_visible_to`: on the grid an audit the person may not open is
  plain text, not a link.
* The audit list shows only `audits_visible_to` (management representative and top management all,
  an auditor their own audits, a unit manager the audits of their units).
* Staff and agents hold none of these permissions: 403.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlparse

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audits import rules
from audits.models import OPEN_STATES, Audit, AuditProgramme, AuditState
from audits.pdf import programme_grid, programme_pdf
from audits.queries import audits_visible_to, programme_years
from qms.calendar import calendar_text, ical_escape, ical_utc
from qms.models import Unit
from qms.pdf import pdf_response

LIST_PAGE_SIZE = 50
AUDIT_READ_PERMISSIONS = ("audits.view_audit", "audits.perform_audit", "audits.follow_audit")
CODE_PATTERN = re.compile(r"^\s*[İIiı]T-(\d{4})-(\d{1,3})\s*$")


def may_see_programme(user) -> bool:
    return user.has_perm("audits.view_auditprogramme")


def may_list_audits(user) -> bool:
    return any(user.has_perm(perm) for perm in AUDIT_READ_PERMISSIONS)


def _units_in_order():
    return Prefetch("units", queryset=Unit.objects.order_by("path"))


def year_audits(year: int):
    """Every audit of the year with what the grid and the exports print, in start order."""
    return (
        Audit.objects.filter(programme__year=year)
        .select_related("programme", "lead_auditor")
        .prefetch_related(_units_in_order(), Prefetch("team", queryset=_people()))
        .order_by("planned_start", "number")
    )


def _people():
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.order_by("first_name", "last_name")


def state_counts(audits) -> list[dict]:
    """[{state, label, count}] for every audit state, in the life-cycle order."""
    counts = {state: 0 for state in AuditState.values}
    for audit in audits:
        counts[audit.state] += 1
    return [{"state": state, "label": AuditState(state).label, "count": counts[state]} for state in AuditState.values]


def completion_percent(audits) -> int | None:
    """Audits reported or closed, out of the audits not cancelled (None when there are none)."""
    planned = [a for a in audits if a.state != AuditState.CANCELLED]
    if not planned:
        return None
    done = sum(1 for a in planned if a.state in (AuditState.REPORTED, AuditState.CLOSED))
    return round(100 * done / len(planned))


class _ProgrammeAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_see_programme(request.user):
            return permission_denied(request, PermissionDenied(_("You may not see the audit programme.")))
        return super().dispatch(request, *args, **kwargs)


def programme_current(request):
    """The programme of the current year."""
    if not may_see_programme(request.user):
        return permission_denied(request, PermissionDenied(_("You may not see the audit programme.")))
    return HttpResponseRedirect(reverse("audits:programme_year", args=[timezone.localdate().year]))


class ProgrammeYearView(_ProgrammeAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """The year grid: audited units x months, each audit with its state."""

    template_name = "audits/programme_year.html"
    header_icon = "date"

    def get_page_title(self):
        return _("Internal audit programme %(year)s") % {"year": self.kwargs["year"]}

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.kwargs["year"]
        programme = AuditProgramme.objects.filter(year=year).first()
        audits = list(year_audits(year)) if programme else []
        visible = set()
        if audits:
            year_qs = Audit.objects.filter(programme__year=year)
            visible = set(audits_visible_to(user, year_qs).values_list("pk", flat=True))
        years = programme_years()
        months = [MONTHS[m] for m in range(1, 13)]
        context.update(
            year=year,
            programme=programme,
            audits=audits,
            rows=[(unit, list(zip(months, cells, strict=True))) for unit, cells in programme_grid(audits)],
            months=months,
            visible=visible,
            counts=state_counts(audits),
            completion=completion_percent(audits),
            years=sorted(years),
            previous_year=year - 1,
            next_year=year + 1,
            may_plan=rules.may_plan(user),
            may_list=may_list_audits(user),
        )
        return context


def _programme_or_404(year: int) -> AuditProgramme:
    return get_object_or_404(AuditProgramme, year=year)


def published_audits(year: int):
    """The published plan: the year's audits that are not cancelled."""
    return year_audits(year).exclude(state=AuditState.CANCELLED)


def programme_pdf_view(request, year: int):
    if not may_see_programme(request.user):
        return permission_denied(request, PermissionDenied(_("You may not see the audit programme.")))
    programme = _programme_or_404(year)
    pdf = programme_pdf(programme, published_audits(year), user=request.user)
    return pdf_response(pdf, _("Internal audit programme %(year)s") % {"year": year} + ".pdf")


# --- iCalendar (qms.calendar) ------------------------------------------------------------------


def _ical_host(request) -> str:
    return urlparse(settings.WAGTAILADMIN_BASE_URL).hostname or request.get_host().split(":")[0]


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def programme_icalendar(audits, *, year: int, host: str, now: datetime | None = None) -> str:
    """A VCALENDAR with one all-day VEVENT per audit (DTEND is the day after the last day, as
    RFC 5545 wants for dates), CRLF line endings and folded lines."""
    stamp_text = ical_utc(now or timezone.now())
    header = [
        "PRODID:-//QMS Portal//Audit programme//TR",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + ical_escape(_("Internal audit programme %(year)s") % {"year": year}),
    ]
    events = []
    for audit in audits:
        units = ", ".join(unit.name for unit in audit.units.all())
        team = [_person(audit.lead_auditor) + " (" + _("lead auditor") + ")"]
        team += [_person(member) for member in audit.team.all()]
        description = "\n".join([
            _("Audited units: %(units)s") % {"units": units},
            _("Audit team: %(team)s") % {"team": ", ".join(team)},
            _("State: %(state)s") % {"state": AuditState(audit.state).label},
        ])
        events.append([
            f"UID:audit-{audit.pk}@{host}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{audit.planned_start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{audit.planned_end + timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + ical_escape(f"{audit.code} {audit.title}"),
            "DESCRIPTION:" + ical_escape(description),
            "LOCATION:" + ical_escape(units),
            "STATUS:CONFIRMED",
            "TRANSP:TRANSPARENT",
        ])
    return calendar_text(header, events)


def programme_ical_view(request, year: int):
    if not may_see_programme(request.user):
        return permission_denied(request, PermissionDenied(_("You may not see the audit programme.")))
    _programme_or_404(year)
    body = programme_icalendar(published_audits(year), year=year, host=_ical_host(request))
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ic-tetkik-plani-{year}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the list of audits -----------------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Title, unit or number (İT-2026-01)")}),
    )
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=pgettext_lazy("audit", "State"), required=False)
    unit = UnitChoiceField(label=gettext_lazy("Unit"), required=False, queryset=Unit.objects.none(),
                           empty_label=gettext_lazy("All units"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in programme_years()]
        self.fields["state"].choices = [("", _("All states"))] + list(AuditState.choices)
        self.fields["unit"].queryset = Unit.objects.filter(
            pk__in=Audit.units.through.objects.values("unit_id")).order_by("path")


def filter_audits(queryset, data: dict):
    if data.get("year"):
        queryset = queryset.filter(programme__year=data["year"])
    if data.get("state"):
        queryset = queryset.filter(state=data["state"])
    if data.get("unit"):
        queryset = queryset.filter(pk__in=Audit.units.through.objects.filter(unit=data["unit"]).values("audit_id"))
    text = (data.get("q") or "").strip()
    if text:
        code = CODE_PATTERN.match(text)
        if code:
            queryset = queryset.filter(programme__year=int(code.group(1)), number=int(code.group(2)))
        else:
            units = Audit.units.through.objects.filter(unit__name__icontains=text).values("audit_id")
            queryset = queryset.filter(Q(title__icontains=text) | Q(processes__icontains=text) | Q(pk__in=units))
    return queryset


def annotate_listing(queryset):
    """What the list prints, in a fixed number of queries: units (prefetched), findings and the
    DÖFs still open (subqueries, so the counts are not multiplied by joins)."""
    from audits.models import Finding, Nonconformity

    findings = (Finding.objects.filter(audit=OuterRef("pk")).order_by().values("audit")
                .annotate(n=Count("pk")).values("n"))
    open_ncs = (Nonconformity.objects.filter(finding__audit=OuterRef("pk"), state__in=OPEN_STATES).order_by()
                .values("finding__audit").annotate(n=Count("pk")).values("n"))
    return (queryset.select_related("programme", "lead_auditor").prefetch_related(_units_in_order())
            .annotate(findings_count=Subquery(findings), open_nonconformities=Subquery(open_ncs))
            .order_by("-programme__year", "planned_start", "number"))


class AuditListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "audits/audit_list.html"
    page_title = gettext_lazy("Audits")
    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        if not may_list_audits(request.user):
            return permission_denied(request, PermissionDenied(_("You may not see audits.")))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": str(self.page_title)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = AuditFilterForm(self.request.GET or None)
        audits = audits_visible_to(user)
        if form.is_valid():
            audits = filter_audits(audits, form.cleaned_data)
        page = Paginator(annotate_listing(audits), LIST_PAGE_SIZE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            form=form, page=page, query_string=query.urlencode(), may_plan=rules.may_plan(user),
            may_see_programme=may_see_programme(user), current_year=timezone.localdate().year,
        )
        return context


urlpatterns = [
    path("programme/", programme_current, name="programme"),
    path("programme/<int:year>/", ProgrammeYearView.as_view(), name="programme_year"),
    path("programme/<int:year>/pdf/", programme_pdf_view, name="programme_pdf"),
    path("programme/<int:year>/calendar.ics", programme_ical_view, name="programme_ical"),
    path("list/", AuditListView.as_view(), name="audit_list"),
]
