"""The DÖF screens: the list (with its CSV / XLSX export), raising a DÖF, the DÖF's page with the
forms of the steps the person may take now, and the DÖF form as a PDF.

Visibility is `audits.queries.nonconformities_visible_to` everywhere: a DÖF outside it answers
404 (its existence is not disclosed), on the page, the PDF, the step URLs and the export alike.
Each step form POSTs to its own URL, whose view calls the one service of that step: a
`ValidationError` re-renders the DÖF's page with the form, its errors and the entered values
(nothing is saved), a `PermissionDenied` answers 403 with the service's message. The page shows
only the forms of the steps the person may take now; the services refuse the others anyway.

Refusals are returned (`permission_denied`), not raised: Wagtail's admin turns a raised
PermissionDenied into a redirect to the dashboard.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, DateField, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from audits import rules, services
from audits.models import (
    OPEN_STATES,
    WHY_FIELDS,
    ActionState,
    CorrectiveAction,
    NCState,
    Nonconformity,
)
from audits.nonconformity_forms import (
    CHECK_EFFECTIVE,
    OPEN_STATES_CHOICE,
    TRIAGE_ACCEPT,
    ActionAddForm,
    ActionCancelForm,
    ActionCompleteForm,
    AnalyseForm,
    CheckForm,
    CloseForm,
    NonconformityFilterForm,
    PlanForm,
    RaiseForm,
    TriageForm,
)
from audits.queries import nonconformities_visible_to
from qms.audit import TRANSITION
from qms.downloads import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment_response, csv_bytes, xlsx_bytes
from qms.roles import Role, has_role

LIST_PERMISSION = "audits.add_nonconformity"
PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")

# The six steps of a DÖF's life, in order (a rejected DÖF leaves the line at the first).
STEPS = (NCState.OPEN, NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE, NCState.VERIFIED,
         NCState.CLOSED)


def url_or_none(name: str, *args) -> str | None:
    """The URL of a view of another part of the audits app (the audit file, evidence files), or
    None when that view is not installed: the DÖF screens then show the text without a link."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- reading ---------------------------------------------------------------------------------


def list_queryset():
    """DÖFs with what the list shows, in one query: the next due date of an action still to do."""
    next_due = (
        CorrectiveAction.objects.filter(nonconformity=OuterRef("pk"), state=ActionState.PLANNED)
        .order_by("due_date")
        .values("due_date")[:1]
    )
    return (
        Nonconformity.objects.select_related("unit", "clause__standard", "raised_by")
        .annotate(next_due=Subquery(next_due, output_field=DateField()))
        .order_by("-raised_at", "-pk")
    )


def _action_count(**filters):
    """The number of the DÖF's actions matching `filters`, as a correlated subquery: it reads the
    action table's foreign-key index per row instead of grouping every listed column."""
    counted = (
        CorrectiveAction.objects.filter(nonconformity=OuterRef("pk"), **filters)
        .order_by()
        .values("nonconformity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def export_queryset(*, today: date):
    """`list_queryset` with the counts the export adds (all actions, still to do, overdue)."""
    return list_queryset().annotate(
        action_count=_action_count(),
        open_action_count=_action_count(state=ActionState.PLANNED),
        overdue_action_count=_action_count(state=ActionState.PLANNED, due_date__lt=today),
    ).select_related("closed_by")


def _my_units(user):
    from qms.models import Unit

    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return Unit.objects.none()
    if has_role(user, Role.UNIT_MANAGER):
        return Unit.objects.subtree(profile.unit)
    return Unit.objects.filter(pk=profile.unit_id)


def _fold_variants(text: str) -> set[str]:
    """The search text and its Turkish upper / lower forms (SQLite folds only ASCII letters)."""
    lower = text.replace("I", "ı").replace("İ", "i").lower()
    upper = text.replace("i", "İ").replace("ı", "I").upper()
    return {text, lower, upper, lower.capitalize(), upper[:1] + lower[1:]}


def apply_filters(queryset, form: NonconformityFilterForm, *, user, today: date):
    data = form.cleaned_data
    state = data.get("state")
    if state == OPEN_STATES_CHOICE:
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif state:
        queryset = queryset.filter(state=state)
    if data.get("source"):
        queryset = queryset.filter(source=data["source"])
    if data.get("unit"):
        queryset = queryset.filter(unit__path__startswith=data["unit"].path)
    if data.get("severity"):
        queryset = queryset.filter(severity=data["severity"])
    if data.get("clause"):
        clause = data["clause"]  # with its sub-clauses, as the clause coverage report counts them
        queryset = queryset.filter(Q(clause=clause) | Q(clause__standard_id=clause.standard_id,
                                                        clause__sort_key__startswith=clause.sort_key + "."))
    if data.get("year"):
        queryset = queryset.filter(raised_at__year=data["year"])
    if data.get("overdue"):
        overdue = CorrectiveAction.objects.filter(state=ActionState.PLANNED, due_date__lt=today)
        queryset = queryset.filter(state__in=OPEN_STATES, pk__in=overdue.values("nonconformity_id"))
    if data.get("to_triage"):
        queryset = queryset.filter(state=NCState.OPEN, triaged_at__isnull=True)
    if data.get("mine"):
        own_actions = CorrectiveAction.objects.filter(owner=user).values("nonconformity_id")
        queryset = queryset.filter(Q(raised_by=user) | Q(pk__in=own_actions) | Q(unit__in=_my_units(user)))
    text = (data.get("q") or "").strip()
    if text:
        condition = Q()
        for variant in _fold_variants(text):
            condition |= Q(code__icontains=variant) | Q(title__icontains=variant)
        queryset = queryset.filter(condition)
    return queryset


# Each state's badge colours (text on background, contrast >= 7:1, the state always named in text).
STATE_COLOURS = {
    NCState.OPEN: ("#163a73", "#e6eefb"),
    NCState.CAUSE_ANALYSED: ("#5c3b00", "#fff1cc"),
    NCState.ACTIONS_PLANNED: ("#4b1d7a", "#f1e8fb"),
    NCState.ACTIONS_DONE: ("#0b4d45", "#dcf1ee"),
    NCState.VERIFIED: ("#0c4a2a", "#dff3e6"),
    NCState.CLOSED: ("#24282c", "#e8eaed"),
    NCState.REJECTED: ("#7d1717", "#fbe7e7"),
}


def state_badge_style(state: str) -> str:
    colour, background = STATE_COLOURS.get(state, ("#24282c", "#e8eaed"))
    return f"color: {colour}; background: {background};"


class _FilteredListMixin:
    """The list's filters, read from the query string, for the list and its export."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(LIST_PERMISSION):
            return permission_denied(request, PermissionDenied(LIST_PERMISSION))
        self.today = timezone.localdate()
        filters = request.GET.copy()
        for name in ("format", "p"):
            filters.pop(name, None)
        self.filters = filters
        visible = nonconformities_visible_to(request.user)
        years = sorted({d.year for d in visible.datetimes("raised_at", "year")}, reverse=True)
        self.form = NonconformityFilterForm(
            filters, years=years, can_triage=rules.may_triage(request.user)
        )
        return super().dispatch(request, *args, **kwargs)

    def nonconformities(self, base):
        if not self.form.is_valid():
            return None
        queryset = nonconformities_visible_to(self.request.user, base)
        return apply_filters(queryset, self.form, user=self.request.user, today=self.today)


class NonconformityListView(_FilteredListMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "audits/nonconformity_list.html"
    page_title = gettext_lazy("DÖF list")
    header_icon = "warning"
    breadcrumbs_items = []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        queryset = self.nonconformities(list_queryset())
        page = None
        rows = []
        if queryset is not None:
            page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("p"))
            for nc in page:
                rows.append({
                    "nc": nc,
                    "badge": state_badge_style(nc.state),
                    "age": (self.today - timezone.localtime(nc.raised_at).date()).days if nc.is_open else None,
                    "next_due": nc.next_due if nc.is_open else None,
                    "overdue": bool(nc.is_open and nc.next_due and nc.next_due < self.today),
                    "to_triage": nc.state == NCState.OPEN and nc.triaged_at is None,
                })
        query = self.filters.urlencode()
        chosen = dict(self.filters.items())
        quick = [
            (pgettext("DÖF", "All"), {}),
            (_("Open only"), {"state": OPEN_STATES_CHOICE}),
            *([(_("To triage"), {"to_triage": "on"})] if rules.may_triage(user) else []),
            (pgettext("reminder status", "Overdue"), {"overdue": "on"}),
            (pgettext("DÖF", "Mine"), {"mine": "on"}),
        ]
        quick = [(label, urlencode(params), chosen == params) for label, params in quick]
        context.update(
            form=self.form,
            page=page,
            rows=rows,
            query_string=query,
            quick_filters=quick,
            export_links=[
                (label, reverse("audits:nonconformities_export") + "?"
                 + "&".join(part for part in (query, f"format={fmt}") if part))
                for fmt, label in (("xlsx", _("Excel (XLSX)")), ("csv", _("CSV")))
            ],
            can_raise=user.has_perm(LIST_PERMISSION),
        )
        return context


# --- export ------------------------------------------------------------------------------------


def export_rows(nonconformities) -> tuple[list[str], list[list]]:
    headers = [
        pgettext("DÖF", "Number"), pgettext("DÖF", "Title"), pgettext("DÖF", "Source"), _("Responsible unit"),
        pgettext("DÖF", "Severity"), pgettext("DÖF", "State"), _("Raised at"), _("Raised by"), _("Root cause"),
        pgettext("DÖF", "Actions"), _("Open actions"), _("Overdue actions"),
        _("Effectiveness check on or after"), _("Closed at"), pgettext("DÖF", "Cycle"),
    ]
    rows = []
    for nc in nonconformities:
        rows.append([
            nc.code, nc.title, str(nc.get_source_display()), nc.unit.name, str(nc.get_severity_display()),
            str(nc.get_state_display()), timezone.localtime(nc.raised_at).replace(tzinfo=None), person(nc.raised_by),
            nc.root_cause, nc.action_count, nc.open_action_count, nc.overdue_action_count, nc.effectiveness_due,
            timezone.localtime(nc.closed_at).replace(tzinfo=None) if nc.closed_at else None, nc.cycle,
        ])
    return headers, rows


class NonconformityExportView(_FilteredListMixin, TemplateView):
    """The list as the person sees it (same visibility, same filters), as CSV or XLSX."""

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format", "xlsx")
        if export_format not in EXPORT_FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        nonconformities = self.nonconformities(export_queryset(today=self.today))
        if nonconformities is None:
            return HttpResponseBadRequest(_("The filters are not valid."))
        headers, rows = export_rows(nonconformities)
        title = _("DÖF list")
        filename = f"{title} {self.today:%Y-%m-%d}.{export_format}"
        if export_format == "csv":
            return attachment_response(csv_bytes(headers, rows), filename, CSV_CONTENT_TYPE)
        return attachment_response(xlsx_bytes([(title, headers, rows)]), filename, XLSX_CONTENT_TYPE)


# --- raising -------------------------------------------------------------------------------------


class RaiseView(WagtailAdminTemplateMixin, FormView):
    template_name = "audits/nonconformity_raise.html"
    page_title = gettext_lazy("Raise a DÖF")
    header_icon = "warning"
    form_class = RaiseForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(LIST_PERMISSION):
            return permission_denied(request, PermissionDenied(LIST_PERMISSION))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("audits:nonconformities"), "label": _("DÖF list")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            with transaction.atomic():
                nc = services.raise_nonconformity(
                    source=data["source"], title=data["title"],
                    description=data["description"], unit=data["unit"], clause=data["clause"], raised_by=user,
                    immediate_correction=(data.get("immediate_correction") or "").strip(),
                )
                for upload in data["files"]:
                    services.evidence_attach(owner=nc, user=user, upload=upload)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            return permission_denied(self.request, error)
        messages.success(
            self.request,
            _("%(code)s was raised; the management representative will triage it.") % {"code": nc.code},
        )
        return HttpResponseRedirect(reverse("audits:nonconformity", args=[nc.pk]))


def add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            messages_ = [m for e in errors for m in e.messages]
            form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- the DÖF's page --------------------------------------------------------------------------


def visible_nonconformity(user, pk) -> Nonconformity:
    """The DÖF if the person may see it; 404 otherwise (as for a number that does not exist)."""
    queryset = Nonconformity.objects.select_related(
        "unit", "clause__standard", "raised_by", "triaged_by", "cause_analysed_by", "closed_by",
        "finding__audit__programme",
    )
    return get_object_or_404(nonconformities_visible_to(user, queryset), pk=pk)


def audit_trail(nc: Nonconformity, action_ids) -> list[ModelLogEntry]:
    """The DÖF's entries in the audit log and those of its corrective actions, newest first."""
    entries = ModelLogEntry.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(Nonconformity), object_id=str(nc.pk))
        | Q(content_type=ContentType.objects.get_for_model(CorrectiveAction),
            object_id__in=[str(pk) for pk in action_ids])
    )
    return list(entries.select_related("user", "content_type").order_by("-timestamp", "-pk"))


# Transitions an effectiveness check makes (its note is on the check's own entry).
_CHECK_MOVES = {
    (NCState.VERIFIED, NCState.ACTIONS_DONE),
    (NCState.CAUSE_ANALYSED, NCState.ACTIONS_DONE),
    (NCState.CAUSE_ANALYSED, NCState.VERIFIED),
    (NCState.CAUSE_ANALYSED, NCState.CLOSED),
}


def trail_rows(entries: list[ModelLogEntry], actions: dict[int, CorrectiveAction]) -> list[dict]:
    """The audit trail in the words of a DÖF: what happened, to the DÖF or to one of its actions."""
    rows = []
    for entry in entries:
        data = entry.data or {}
        action = actions.get(int(entry.object_id)) if entry.content_type.model == "correctiveaction" else None
        if entry.action == "wagtail.create":
            message = _("Action added") if action is not None else pgettext("DÖF", "Raised")
        elif entry.action == "wagtail.edit" and action is None and data.get("triaged"):
            message = _("Accepted at triage")
        elif entry.action == "wagtail.edit" and action is None and data.get("effectiveness_due"):
            message = _("Effectiveness check date changed")
        elif entry.action == "wagtail.edit" and action is None:
            message = _("Root-cause analysis revised")
        elif entry.action == services.CHECKED:
            message = _("Effectiveness checked: effective") if data.get("effective") else _(
                "Effectiveness checked: not effective")
        else:
            message = entry.message
        note = data.get("note") or ""
        if entry.action == TRANSITION and action is None and (data.get("to"), data.get("from")) in _CHECK_MOVES:
            note = ""  # the effectiveness check's entry just before names what was checked
        rows.append({
            "entry": entry,
            "subject": action.description if action is not None else "",
            "message": message,
            "note": note,
        })
    return rows


class NonconformityDetailView(WagtailAdminTemplateMixin, TemplateView):
    """The DÖF's page. The step views below inherit it, to show it again with a refused form."""

    template_name = "audits/nonconformity_detail.html"
    header_icon = "warning"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.nc = visible_nonconformity(request.user, kwargs["pk"])

    def get_page_title(self):
        return f"{self.nc.code} {self.nc.title}"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("audits:nonconformities"), "label": _("DÖF list")},
            {"url": "", "label": self.nc.code},
        ]

    def get_context_data(self, bound: dict | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = bound or {}
        user = self.request.user
        nc = self.nc
        today = timezone.localdate()
        actions = list(
            nc.actions.select_related("owner", "completed_by").prefetch_related("files")
            .order_by("cycle", "due_date", "pk")
        )
        checks = list(nc.checks.select_related("checked_by").order_by("checked_at", "pk"))
        may_answer = rules.may_answer(user, nc)
        may_verify = rules.may_verify(user)
        doers = {a.owner_id for a in actions if a.state == ActionState.DONE} | {
            a.completed_by_id for a in actions if a.completed_by_id
        }
        current = [a for a in actions if a.cycle == nc.cycle]

        # The forms of the steps this person may take now (the services check again on POST).
        forms = {}
        if rules.may_triage(user) and nc.state == NCState.OPEN and nc.triaged_at is None:
            forms["triage"] = bound.get("triage") or TriageForm(nonconformity=nc)
        if may_answer and (
            (nc.state == NCState.OPEN and nc.triaged_at is not None) or nc.state == NCState.CAUSE_ANALYSED
        ):
            forms["analyse"] = bound.get("analyse") or AnalyseForm(nonconformity=nc)
        if may_answer and nc.state in (NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED):
            forms["action_add"] = bound.get("action_add") or ActionAddForm(nonconformity=nc)
        if may_answer and nc.state == NCState.CAUSE_ANALYSED:
            latest = max((a.due_date for a in current if a.state != ActionState.CANCELLED), default=None)
            forms["plan"] = bound.get("plan") or PlanForm(latest_due=latest)
        check_note = None
        if may_verify and nc.state in (NCState.ACTIONS_DONE, NCState.VERIFIED, NCState.CLOSED):
            if user.pk in doers:
                check_note = _("You did corrective actions of this DÖF, so someone else verifies their effectiveness.")
            elif nc.effectiveness_due and today < nc.effectiveness_due:
                check_note = _("The effectiveness can be checked on or after %(date)s.") % {
                    "date": nc.effectiveness_due.strftime("%d.%m.%Y")}
            else:
                forms["check"] = bound.get("check") or CheckForm(allow_effective=nc.state == NCState.ACTIONS_DONE)
        if rules.may_close(user) and nc.state == NCState.VERIFIED:
            forms["close"] = bound.get("close") or CloseForm()
        for key, form in bound.items():  # a refused form is shown again, with its errors, even if hidden now
            if key in ("triage", "analyse", "action_add", "plan", "check", "close"):
                forms.setdefault(key, form)

        cycles = OrderedDict()
        for action in actions:
            can_complete = (
                nc.state == NCState.ACTIONS_PLANNED and action.cycle == nc.cycle
                and action.state == ActionState.PLANNED and (action.owner_id == user.pk or may_answer)
            )
            can_cancel = (
                may_answer and action.state == ActionState.PLANNED
                and nc.state in (NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED)
            )
            can_complete = can_complete or f"complete-{action.pk}" in bound
            can_cancel = can_cancel or f"cancel-{action.pk}" in bound
            cycles.setdefault(action.cycle, []).append({
                "action": action,
                "overdue": action.is_overdue and nc.is_open,
                "files": [(f, url_or_none("audits:evidence_file", f.pk)) for f in action.files.all()],
                "complete_form": (bound.get(f"complete-{action.pk}")
                                  or ActionCompleteForm(prefix=f"complete-{action.pk}")) if can_complete else None,
                "cancel_form": (bound.get(f"cancel-{action.pk}")
                                or ActionCancelForm(prefix=f"cancel-{action.pk}")) if can_cancel else None,
            })

        current_index = STEPS.index(nc.state) if nc.state in STEPS else 0
        finding = nc.finding
        context.update(
            nc=nc,
            today=today,
            steps=[{"label": NCState(s).label, "done": i < current_index, "current": i == current_index}
                   for i, s in enumerate(STEPS)],
            badge=state_badge_style(nc.state),
            whys=[getattr(nc, name) for name in WHY_FIELDS if (getattr(nc, name) or "").strip()],
            cycles=list(cycles.items()),
            reopened=nc.cycle > 1,
            checks=checks,
            files=[(f, url_or_none("audits:evidence_file", f.pk)) for f in nc.files.all()],
            trail=trail_rows(audit_trail(nc, [a.pk for a in actions]), {a.pk: a for a in actions}),
            forms=forms,
            check_note=check_note,
            finding=finding,
            audit_url=url_or_none("audits:audit", finding.audit_id) if finding else None,
            pdf_url=reverse("audits:nonconformity_pdf", args=[nc.pk]),
        )
        return context


class _StepView(NonconformityDetailView):
    """POST one step's form: call its service; refused, show the page again with the form."""

    http_method_names = ["get", "post"]
    form_key = ""
    form_class = None

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(reverse("audits:nonconformity", args=[self.nc.pk]))

    def form_kwargs(self) -> dict:
        return {}

    def make_form(self):
        return self.form_class(self.request.POST, self.request.FILES, **self.form_kwargs())

    def post(self, request, *args, **kwargs):
        form = self.make_form()
        if form.is_valid():
            try:
                with transaction.atomic():
                    message = self.perform(form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                return self.refused(error)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(reverse("audits:nonconformity", args=[self.nc.pk]))
        self.nc = visible_nonconformity(request.user, self.nc.pk)  # as stored: the refused step saved nothing
        context = self.get_context_data(bound={self.form_key: form})
        context["error_form"] = self.form_key
        return self.render_to_response(context)

    def perform(self, data) -> str:
        raise NotImplementedError

    def refused(self, error: PermissionDenied):
        """403, with the page and the service's reason on it (nothing was saved)."""
        self.nc = visible_nonconformity(self.request.user, self.nc.pk)
        context = self.get_context_data()
        context["refusal"] = str(error) or _("You may not take this step.")
        return self.render_to_response(context, status=403)


class TriageView(_StepView):
    form_key = "triage"
    form_class = TriageForm

    def form_kwargs(self):
        return {"nonconformity": self.nc}

    def perform(self, data):
        if data["decision"] == TRIAGE_ACCEPT:
            nc = services.nonconformity_triage(nonconformity=self.nc, user=self.request.user, accept=True,
                                               unit=data["unit"], severity=data["severity"], clause=data["clause"])
            return _("%(code)s was accepted; %(unit)s answers it.") % {"code": nc.code, "unit": nc.unit.name}
        services.nonconformity_triage(nonconformity=self.nc, user=self.request.user, accept=False,
                                      reason=data["reason"])
        return _("%(code)s was rejected.") % {"code": self.nc.code}


class AnalyseView(_StepView):
    form_key = "analyse"
    form_class = AnalyseForm

    def perform(self, data):
        services.nonconformity_analyse(
            nonconformity=self.nc, user=self.request.user, whys=[data.get(n) or "" for n in WHY_FIELDS],
            root_cause=data.get("root_cause") or "", cause_category=data.get("cause_category") or "",
            immediate_correction=data.get("immediate_correction") or "", correction_date=data.get("correction_date"),
        )
        return _("The root-cause analysis was recorded; plan the corrective actions next.")


class ActionAddView(_StepView):
    form_key = "action_add"
    form_class = ActionAddForm

    def form_kwargs(self):
        return {"nonconformity": self.nc}

    def perform(self, data):
        action = services.action_add(nonconformity=self.nc, user=self.request.user, description=data["description"],
                                     owner=data["owner"], due_date=data["due_date"])
        return _("The action was added and %(owner)s was told.") % {"owner": person(action.owner)}


class PlanView(_StepView):
    form_key = "plan"
    form_class = PlanForm

    def perform(self, data):
        services.nonconformity_plan(nonconformity=self.nc, user=self.request.user,
                                    effectiveness_due=data["effectiveness_due"])
        return _("The action plan was confirmed; the owners record their actions as done.")


class _ActionStepView(_StepView):
    """A step on one corrective action (its URL names the action)."""

    def setup(self, request, *args, **kwargs):
        action = get_object_or_404(CorrectiveAction.objects.only("pk", "nonconformity_id"), pk=kwargs["pk"])
        super().setup(request, *args, **{**kwargs, "pk": action.nonconformity_id})
        self.action = get_object_or_404(self.nc.actions.select_related("owner"), pk=action.pk)

    def make_form(self):
        return self.form_class(self.request.POST, self.request.FILES, prefix=self.form_key)

    @property
    def form_key(self):
        return f"{self.key_prefix}-{self.action.pk}"


class ActionCompleteView(_ActionStepView):
    key_prefix = "complete"
    form_class = ActionCompleteForm

    def perform(self, data):
        services.action_complete(action=self.action, user=self.request.user, evidence=data["evidence"],
                                 files=data["files"])
        nc = Nonconformity.objects.get(pk=self.nc.pk)
        if nc.state == NCState.ACTIONS_DONE:
            return _("The action was recorded as done. Every action is done: the effectiveness can be checked "
                     "on or after %(date)s.") % {"date": nc.effectiveness_due.strftime("%d.%m.%Y")}
        return _("The action was recorded as done.")


class ActionCancelView(_ActionStepView):
    key_prefix = "cancel"
    form_class = ActionCancelForm

    def perform(self, data):
        services.action_cancel(action=self.action, user=self.request.user, reason=data["reason"])
        return _("The action was cancelled.")


class CheckView(_StepView):
    form_key = "check"
    form_class = CheckForm

    def form_kwargs(self):
        return {"allow_effective": True}

    def perform(self, data):
        effective = data["effective"] == CHECK_EFFECTIVE
        services.effectiveness_check_record(nonconformity=self.nc, user=self.request.user, effective=effective,
                                            note=data["note"])
        if effective:
            return _("The actions were found effective; the management representative can close the DÖF.")
        nc = Nonconformity.objects.get(pk=self.nc.pk)
        return _("The actions were found not effective: the DÖF is reopened (cycle %(cycle)s) for a new "
                 "root-cause analysis and action plan.") % {"cycle": nc.cycle}


class CloseView(_StepView):
    form_key = "close"
    form_class = CloseForm

    def perform(self, data):
        services.nonconformity_close(nonconformity=self.nc, user=self.request.user, note=data.get("note") or "")
        return _("%(code)s was closed.") % {"code": self.nc.code}


def nonconformity_pdf_view(request, pk):
    """The DÖF form (Düzeltici ve Önleyici Faaliyet Formu) as a PDF; same visibility as the page."""
    from audits.nonconformity_pdf import nonconformity_pdf
    from qms.pdf import pdf_response

    nc = visible_nonconformity(request.user, pk)
    return pdf_response(nonconformity_pdf(nc, user=request.user), f"{nc.code}.pdf")


urlpatterns = [
    path("nonconformities/", NonconformityListView.as_view(), name="nonconformities"),
    path("nonconformities/new/", RaiseView.as_view(), name="nonconformity_raise"),
    path("nonconformities/export/", NonconformityExportView.as_view(), name="nonconformities_export"),
    path("nonconformities/<int:pk>/", NonconformityDetailView.as_view(), name="nonconformity"),
    path("nonconformities/<int:pk>/pdf/", nonconformity_pdf_view, name="nonconformity_pdf"),
    path("nonconformities/<int:pk>/triage/", TriageView.as_view(), name="nonconformity_triage"),
    path("nonconformities/<int:pk>/analyse/", AnalyseView.as_view(), name="nonconformity_analyse"),
    path("nonconformities/<int:pk>/actions/new/", ActionAddView.as_view(), name="nonconformity_action_add"),
    path("nonconformities/<int:pk>/plan/", PlanView.as_view(), name="nonconformity_plan"),
    path("nonconformities/<int:pk>/check/", CheckView.as_view(), name="nonconformity_check"),
    path("nonconformities/<int:pk>/close/", CloseView.as_view(), name="nonconformity_close"),
    path("actions/<int:pk>/complete/", ActionCompleteView.as_view(), name="action_complete"),
    path("actions/<int:pk>/cancel/", ActionCancelView.as_view(), name="action_cancel"),
]
