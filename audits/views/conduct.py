"""Performing an audit: the audit file, the checklist screen (made for a tablet), findings, the
report's sign-off and PDFs, closing and cancelling, and the evidence files.

Every view starts from `audits_visible_to`: an audit (finding, report, evidence) outside it is 404,
so its existence is not disclosed. An action the person may not take is 403; the buttons follow
`audits.rules` and the services refuse with the same rules. Every change goes through
`audits.services`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audits import rules, services
from audits.models import (
    AnswerResult,
    Audit,
    AuditReport,
    AuditState,
    ChecklistAnswer,
    ChecklistTemplate,
    EvidenceFile,
    Finding,
    FindingKind,
    Nonconformity,
)
from audits.pdf import audit_report_pdf, audit_report_preview_pdf
from audits.queries import audits_visible_to, findings_visible_to, nonconformities_visible_to
from qms.models import Clause, Unit
from qms.pdf import pdf_response

EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.odt"
INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")
FINDING_STATES = (AuditState.IN_PROGRESS, AuditState.REPORTED)


def _forbidden(request, error: PermissionDenied | str):
    return permission_denied(request, error if isinstance(error, PermissionDenied) else PermissionDenied(error))


def visible_audit(user, pk: int) -> Audit:
    return get_object_or_404(
        audits_visible_to(user, Audit.objects.select_related("programme", "lead_auditor")), pk=pk
    )


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def clause_choices() -> list:
    """All clauses grouped by standard, labelled "ISO 10002 8.3 Title", for a grouped <select>."""
    groups: dict[str, list] = {}
    for clause in Clause.objects.select_related("standard").order_by("standard__code", "sort_key"):
        group = f"{clause.standard} — {clause.standard.title}"
        groups.setdefault(group, []).append((clause.pk, str(clause)))
    return list(groups.items())


class _AuditPageMixin(WagtailAdminTemplateMixin):
    header_icon = "clipboard-list"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.audit = visible_audit(request.user, kwargs["pk"])

    def page_label(self) -> str:
        return ""

    def get_page_title(self):
        label = self.page_label()
        return f"{self.audit.code}: {label}" if label else f"{self.audit.code} {self.audit.title}"

    def get_breadcrumbs_items(self):
        items = [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("audits:audit_list"), "label": _("Audits")},
        ]
        if self.page_label():
            items += [{"url": reverse("audits:audit", args=[self.audit.pk]), "label": self.audit.code},
                      {"url": "", "label": self.page_label()}]
        else:
            items.append({"url": "", "label": self.audit.code})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audit"] = self.audit
        return context


# --- the audit file ---------------------------------------------------------------------------


def audit_actions(user, audit: Audit, *, outdated: bool | None = None) -> dict:
    """Which buttons the audit file offers this person (the services refuse the same way)."""
    perform = rules.may_perform(user, audit)
    plan = rules.may_plan(user)
    sign = rules.may_sign_off(user, audit)
    if outdated is None:
        outdated = audit.state == AuditState.REPORTED and services.report_is_outdated(audit)
    return {
        "start": perform and audit.state == AuditState.PLANNED,
        "answer": perform and audit.state == AuditState.IN_PROGRESS,
        "view_checklist": audit.state in (AuditState.IN_PROGRESS, AuditState.REPORTED, AuditState.CLOSED),
        "add_finding": perform and audit.state in FINDING_STATES,
        "edit_findings": perform and audit.state in FINDING_STATES,
        "sign_off": sign and (audit.state == AuditState.IN_PROGRESS
                              or (audit.state == AuditState.REPORTED and outdated)),
        "preview": (perform or plan) and audit.state in FINDING_STATES,
        "close": plan and audit.state == AuditState.REPORTED,
        "cancel": plan and audit.state == AuditState.PLANNED,
        "edit_plan": plan and audit.state == AuditState.PLANNED,
    }


class AuditFileView(_AuditPageMixin, TemplateView):
    """The audit file: scope, team, dates, state, checklist progress, findings with their DÖFs,
    report versions and the actions the person may take."""

    template_name = "audits/audit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        audit = self.audit
        findings = list(
            audit.findings.select_related("unit", "clause__standard", "nonconformity").order_by("number")
        )
        visible_ncs = set(
            nonconformities_visible_to(user, Nonconformity.objects.filter(finding__audit=audit))
            .values_list("pk", flat=True)
        )
        reports = list(audit.reports.select_related("signed_off_by").order_by("-version"))
        progress = audit.answers.aggregate(total=Count("pk"), answered=Count("pk", filter=~Q(result="")))
        outdated = bool(reports) and audit.state == AuditState.REPORTED and services.report_is_outdated(audit)
        context.update(
            units=list(audit.units.order_by("path")),
            clauses=list(audit.clauses.select_related("standard").order_by("standard__code", "sort_key")),
            team=list(audit.team.order_by("first_name", "last_name")),
            processes=[line.strip() for line in audit.processes.splitlines() if line.strip()],
            checklists=list(audit.checklists.order_by("title")),
            findings=findings,
            visible_ncs=visible_ncs,
            reports=reports,
            progress=progress,
            outdated=outdated,
            next_version=(reports[0].version + 1) if reports else 1,
            actions=audit_actions(user, audit, outdated=outdated),
        )
        return context


@require_POST
def audit_start(request, pk: int):
    audit = visible_audit(request.user, pk)
    try:
        services.audit_start(audit=audit, user=request.user)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("audits:audit", args=[pk]))
    messages.success(request, _("%(code)s has started; its checklist is ready to answer.") % {"code": audit.code})
    return HttpResponseRedirect(reverse("audits:audit_checklist", args=[pk]))


@require_POST
def audit_close(request, pk: int):
    audit = visible_audit(request.user, pk)
    try:
        services.audit_close(audit=audit, user=request.user)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(code)s is closed.") % {"code": audit.code})
    return HttpResponseRedirect(reverse("audits:audit", args=[pk]))


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 4}))


class AuditCancelView(_AuditPageMixin, TemplateView):
    template_name = "audits/audit_cancel.html"

    def page_label(self):
        return _("Cancel the audit")

    def dispatch(self, request, *args, **kwargs):
        if not rules.may_plan(request.user):
            return _forbidden(request, _("Only the management representative cancels audits."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CancelForm())
        return context

    def post(self, request, *args, **kwargs):
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.audit_cancel(audit=self.audit, user=request.user, reason=form.cleaned_data["reason"])
            except PermissionDenied as error:
                return _forbidden(request, error)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("%(code)s was cancelled.") % {"code": self.audit.code})
                return HttpResponseRedirect(reverse("audits:audit", args=[self.audit.pk]))
        return self.render_to_response(self.get_context_data(form=form))


def _errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: field messages next to their field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- the checklist screen ---------------------------------------------------------------------


class AnswerRow:
    """One question card of the checklist screen: the stored answer, and what was entered."""

    def __init__(self, answer: ChecklistAnswer, *, editable: bool, several_units: bool):
        self.answer = answer
        self.prefix = f"q{answer.pk}"
        self.finding = getattr(answer, "finding", None)
        if self.finding is not None:
            self.finding.audit = answer.audit  # the code reads it: no query per card
        self.nonconformity = getattr(self.finding, "nonconformity", None) if self.finding else None
        self.locked = self.finding is not None
        self.editable = editable and not self.locked
        self.several_units = several_units
        self.needs_clause = answer.clause_id is None
        self.result = answer.result
        self.evidence = answer.evidence
        self.severity = self.finding.kind if self.finding and self.finding.is_nonconformity else FindingKind.MINOR
        self.unit_id = answer.unit_id
        self.clause_id = answer.clause_id
        self.uploads: list = []
        self.errors: list[str] = []
        self.files_lost = False

    @property
    def answered(self) -> bool:
        return bool(self.answer.result)

    def read(self, data, files, *, unit_ids: set[int], clause_ids: set[int] | None) -> bool:
        """Take the entered values; True if anything differs from the stored answer."""
        p = self.prefix
        self.result = data.get(f"{p}-result", "")
        self.evidence = data.get(f"{p}-evidence", "").strip()
        self.severity = data.get(f"{p}-severity") or FindingKind.MINOR
        self.uploads = files.getlist(f"{p}-files") if files is not None else []
        if self.result and self.result not in AnswerResult.values:
            self.errors.append(_("Choose conforming, nonconforming, observation or not applicable."))
        if self.severity not in FindingKind.nonconformities():
            self.errors.append(_("A nonconforming answer is a major or a minor nonconformity."))
        if self.several_units:
            self.unit_id = _int(data.get(f"{p}-unit"))
            if self.unit_id is not None and self.unit_id not in unit_ids:
                self.errors.append(_("The unit must be one of the audited units."))
        if self.needs_clause:
            self.clause_id = _int(data.get(f"{p}-clause"))
            if self.clause_id is not None and clause_ids is not None and self.clause_id not in clause_ids:
                self.errors.append(_("Choose a clause from the list."))
        changed = (
            self.result != self.answer.result
            or self.evidence != self.answer.evidence
            or (self.several_units and self.unit_id != self.answer.unit_id)
            or (self.needs_clause and self.clause_id != self.answer.clause_id)
            or bool(self.uploads)
        )
        if changed and not self.result:
            self.errors.append(_("Question %(n)s: choose an answer, or leave its evidence empty.")
                               % {"n": self.answer.order})
        return changed


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class ChecklistView(_AuditPageMixin, TemplateView):
    """THE tablet screen: every question of the audit on one page, saved in one POST.

    All changed answers go through `services.answer_record` inside one transaction: if any is
    refused, none is kept, and the page comes back with what was entered and each question's
    messages next to it. Answers that produced a finding are locked (the finding is changed on
    its own form).
    """

    template_name = "audits/checklist.html"

    def page_label(self):
        return _("Checklist")

    def dispatch(self, request, *args, **kwargs):
        self.may_answer = rules.may_perform(request.user, self.audit)
        if request.method == "POST" and not self.may_answer:
            return _forbidden(request, _("Only the audit's own auditors answer its checklist."))
        return super().dispatch(request, *args, **kwargs)

    @property
    def editable(self) -> bool:
        return self.may_answer and self.audit.state == AuditState.IN_PROGRESS

    def load_rows(self) -> list[AnswerRow]:
        self.units = list(self.audit.units.order_by("path"))
        several = len(self.units) > 1
        answers = (
            self.audit.answers.select_related("clause__standard", "unit", "answered_by", "finding__nonconformity",
                                              "finding__unit")
            .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk")))
            .order_by("order", "pk")
        )
        return [AnswerRow(answer, editable=self.editable, several_units=several) for answer in answers]

    def get_context_data(self, rows=None, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.load_rows() if rows is None else rows
        editable = self.editable
        needs_clauses = editable and any(row.editable and row.needs_clause for row in rows)
        context.update(
            rows=rows,
            editable=editable,
            answered=sum(1 for row in rows if row.answered),
            total=len(rows),
            results=AnswerResult.choices,
            severities=[(FindingKind.MAJOR, FindingKind.MAJOR.label), (FindingKind.MINOR, FindingKind.MINOR.label)],
            units=self.units,
            clause_groups=clause_choices() if needs_clauses else [],
            accept=EVIDENCE_ACCEPT,
            templates=list(
                ChecklistTemplate.objects.filter(is_active=True).exclude(pk__in=self.audit.checklists.values("pk"))
                .order_by("title")
            ) if editable else [],
            error_rows=[row for row in rows if row.errors],
            actions=audit_actions(self.request.user, self.audit, outdated=False),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "add_checklist" in request.POST:
            return self.add_checklist(request)
        if self.audit.state != AuditState.IN_PROGRESS:
            messages.error(request, _("Checklist answers are recorded while the audit is in progress."))
            return HttpResponseRedirect(reverse("audits:audit_checklist", args=[self.audit.pk]))
        rows = self.load_rows()
        unit_ids = {unit.pk for unit in self.units}
        clause_ids = set(Clause.objects.values_list("pk", flat=True)) if any(r.needs_clause for r in rows) else None
        changed = [row for row in rows if row.editable and row.read(request.POST, request.FILES, unit_ids=unit_ids,
                                                                       clause_ids=clause_ids)]
        if not any(row.errors for row in rows) and not changed:
            messages.info(request, _("Nothing to save: no answer was changed."))
            return HttpResponseRedirect(reverse("audits:audit_checklist", args=[self.audit.pk]))
        if any(row.errors for row in rows):
            return self.refused(request, rows)
        stored_files: list[EvidenceFile] = []
        new_findings: list[Finding] = []
        units = {unit.pk: unit for unit in self.units}
        with transaction.atomic():
            for row in changed:
                before = row.finding
                try:
                    finding = services.answer_record(
                        answer=row.answer, user=request.user, result=row.result, evidence=row.evidence,
                        unit=units.get(row.unit_id) if row.several_units and row.unit_id else None,
                        clause=Clause.objects.get(pk=row.clause_id) if row.needs_clause and row.clause_id else None,
                        finding_kind=row.severity if row.result == AnswerResult.NONCONFORMING else None,
                    )
                    for upload in row.uploads:
                        stored_files.append(services.evidence_attach(owner=row.answer, user=request.user,
                                                                     upload=upload))
                except PermissionDenied as error:
                    transaction.set_rollback(True)
                    _discard(stored_files)
                    return _forbidden(request, error)
                except ValidationError as error:
                    row.errors += error.messages
                    continue
                if finding is not None and before is None:
                    new_findings.append(finding)
            if any(row.errors for row in rows):
                transaction.set_rollback(True)
        if any(row.errors for row in rows):
            _discard(stored_files)
            return self.refused(request, rows)
        self.saved_message(request, len(changed), new_findings)
        return HttpResponseRedirect(reverse("audits:audit_checklist", args=[self.audit.pk]))

    def refused(self, request, entered: list[AnswerRow]):
        """Nothing was kept: show the stored state again, with the entered values and messages."""
        rows = self.load_rows()
        by_pk = {row.answer.pk: row for row in entered}
        for row in rows:
            source = by_pk.get(row.answer.pk)
            if source is None or not row.editable:
                continue
            for name in ("result", "evidence", "severity", "unit_id", "clause_id", "errors"):
                setattr(row, name, getattr(source, name))
            row.files_lost = bool(source.uploads)
        messages.error(request, _("Nothing was saved: check the questions marked below and save again."))
        return self.render_to_response(self.get_context_data(rows=rows))

    def saved_message(self, request, count: int, findings: list[Finding]) -> None:
        text = _("%(n)s answer(s) saved.") % {"n": count}
        if findings:
            codes = dict(Nonconformity.objects.filter(finding__in=findings).values_list("finding_id", "code"))
            parts = [f"{f.code} → {codes[f.pk]}" if f.pk in codes else f.code for f in findings]
            text += " " + _("Findings recorded: %(list)s.") % {"list": ", ".join(parts)}
        messages.success(request, text)

    def add_checklist(self, request):
        template = ChecklistTemplate.objects.filter(is_active=True, pk=_int(request.POST.get("template"))).first()
        if template is None or self.audit.checklists.filter(pk=template.pk).exists():
            messages.error(request, _("Choose an active checklist that this audit does not use yet."))
        else:
            try:
                added = services.audit_add_checklist(audit=self.audit, template=template, user=request.user)
            except PermissionDenied as error:
                return _forbidden(request, error)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("%(n)s question(s) added from “%(title)s”.")
                                 % {"n": added, "title": template.title})
        return HttpResponseRedirect(reverse("audits:audit_checklist", args=[self.audit.pk]))


def _discard(stored: list[EvidenceFile]) -> None:
    """Remove the files of uploads whose rows were rolled back (the storage is not transactional)."""
    for item in stored:
        try:
            item.file.storage.delete(item.file.name)
        except OSError:
            pass


# --- findings ---------------------------------------------------------------------------------


class ClauseChoiceField(forms.ModelChoiceField):
    """A clause <select> grouped by standard, options labelled "ISO 10002 8.3 Title"."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Clause.objects.all(), **kwargs)

    def group_choices(self) -> None:
        """Called per form: the grouped options read the catalogue (never at import time, when
        the table may not exist yet, e.g. during the first `migrate`)."""
        self.choices = [("", "---------"), *clause_choices()]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=FindingKind.choices)
    unit = UnitChoiceField(label=gettext_lazy("Audited unit"), queryset=Unit.objects.none())
    clause = ClauseChoiceField(label=gettext_lazy("Clause"), required=False,
                               help_text=gettext_lazy("Required for a nonconformity."))
    statement = forms.CharField(label=gettext_lazy("Finding"), widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=gettext_lazy("What does not meet (or could better meet) which requirement."))
    evidence = forms.CharField(label=gettext_lazy("Evidence"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, audit: Audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = audit.units.order_by("path")
        self.fields["clause"].group_choices()


class _FindingFormView(_AuditPageMixin, TemplateView):
    template_name = "audits/finding_form.html"
    finding: Finding | None = None

    def dispatch(self, request, *args, **kwargs):
        if not rules.may_perform(request.user, self.audit):
            return _forbidden(request, _("Only the audit's own auditors record its findings."))
        return super().dispatch(request, *args, **kwargs)

    def initial(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", FindingForm(audit=self.audit, initial=self.initial()))
        context.update(finding=self.finding, cancel_url=reverse("audits:audit", args=[self.audit.pk]))
        return context

    def post(self, request, *args, **kwargs):
        form = FindingForm(request.POST, audit=self.audit, initial=self.initial())
        if form.is_valid():
            try:
                finding = self.save(form.cleaned_data)
            except PermissionDenied as error:
                return _forbidden(request, error)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                nc = Nonconformity.objects.filter(finding=finding).values_list("code", flat=True).first()
                text = _("Finding %(code)s saved.") % {"code": finding.code}
                if nc:
                    text += " " + _("Its DÖF: %(code)s.") % {"code": nc}
                messages.success(request, text)
                return HttpResponseRedirect(reverse("audits:audit", args=[self.audit.pk]) + "#findings")
        return self.render_to_response(self.get_context_data(form=form))


class FindingAddView(_FindingFormView):
    def page_label(self):
        return _("Add a finding")

    def save(self, data) -> Finding:
        return services.finding_record(audit=self.audit, user=self.request.user, kind=data["kind"], unit=data["unit"],
                                       clause=data["clause"], statement=data["statement"], evidence=data["evidence"])


class FindingEditView(_FindingFormView):
    def setup(self, request, *args, **kwargs):
        finding = get_object_or_404(
            findings_visible_to(request.user, Finding.objects.select_related("audit__programme", "unit", "clause")),
            pk=kwargs["pk"],
        )
        super().setup(request, *args, **{**kwargs, "pk": finding.audit_id})
        self.finding = finding

    def page_label(self):
        return _("Finding %(code)s") % {"code": self.finding.code}

    def initial(self) -> dict:
        f = self.finding
        return {"kind": f.kind, "unit": f.unit_id, "clause": f.clause_id, "statement": f.statement,
                "evidence": f.evidence}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nonconformity"] = Nonconformity.objects.filter(finding=self.finding).first()
        return context

    def save(self, data) -> Finding:
        return services.finding_update(finding=self.finding, user=self.request.user, kind=data["kind"],
                                       unit=data["unit"], clause=data["clause"], statement=data["statement"],
                                       evidence=data["evidence"])


# --- the report -------------------------------------------------------------------------------


class SignOffForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Summary and conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("What was seen, strengths, overall conclusion. Printed in the report."),
    )
    change_note = forms.CharField(
        label=gettext_lazy("What changed since the last version"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignOffView(_AuditPageMixin, TemplateView):
    """The lead auditor writes the summary and signs the report off (a new version when it was
    signed off before); both steps are services (`audit_update_summary`, `audit_sign_off`) run in
    one transaction, so a refused sign-off keeps the summary as it was."""

    template_name = "audits/audit_sign_off.html"

    def page_label(self):
        return _("Report sign-off")

    def dispatch(self, request, *args, **kwargs):
        if not rules.may_sign_off(request.user, self.audit):
            return _forbidden(request, _("Only the audit's lead auditor signs its report off."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = self.audit
        reports = list(audit.reports.select_related("signed_off_by").order_by("-version"))
        context.setdefault("form", SignOffForm(initial={"summary": audit.summary}))
        counts = audit.answers.aggregate(total=Count("pk"), unanswered=Count("pk", filter=Q(result="")))
        context.update(
            reports=reports,
            next_version=(reports[0].version + 1) if reports else 1,
            counts=counts,
            findings=list(audit.findings.select_related("unit", "clause__standard", "nonconformity")
                          .order_by("number")),
            open_for_sign_off=audit.state in FINDING_STATES,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = SignOffForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        audit = self.audit
        if audit.state not in FINDING_STATES:
            form.add_error(None, _("Only an audit in progress or reported has a report to sign off."))
            return self.render_to_response(self.get_context_data(form=form))
        summary = form.cleaned_data["summary"]
        try:
            with transaction.atomic():
                audit = services.audit_update_summary(audit=audit, user=request.user, summary=summary)
                if "sign_off" in request.POST:
                    report = services.audit_sign_off(audit=audit, user=request.user,
                                                     change_note=form.cleaned_data["change_note"])
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        if "sign_off" not in request.POST:
            messages.success(request, _("The summary was saved."))
            return HttpResponseRedirect(reverse("audits:audit_sign_off", args=[audit.pk]))
        messages.success(request, _("Version %(version)s of the report was signed off and is sent to the audited "
                                    "units' managers.") % {"version": report.version})
        return HttpResponseRedirect(reverse("audits:audit", args=[audit.pk]))


def report_pdf(request, pk: int):
    """A signed-off version of a report, as frozen."""
    report = get_object_or_404(
        AuditReport.objects.select_related("audit__programme", "signed_off_by")
        .filter(audit__in=audits_visible_to(request.user).values("pk")),
        pk=pk,
    )
    pdf = audit_report_pdf(report, user=request.user)
    return pdf_response(pdf, f"{report.snapshot.get('code', report.audit.code)}-v{report.version}.pdf", inline=True)


def report_preview(request, pk: int):
    """The report as it would be signed off now, marked "TASLAK / DRAFT"."""
    audit = visible_audit(request.user, pk)
    pdf = audit_report_preview_pdf(audit, user=request.user)
    return pdf_response(pdf, f"{audit.code}-taslak.pdf", inline=True)


# --- evidence files ---------------------------------------------------------------------------


def _may_see_evidence(user, item: EvidenceFile) -> bool:
    if item.answer_id:
        return audits_visible_to(user).filter(pk=item.answer.audit_id).exists()
    nc_id = item.nonconformity_id or (item.action.nonconformity_id if item.action_id else None)
    return nc_id is not None and nonconformities_visible_to(user).filter(pk=nc_id).exists()


def evidence_file(request, pk: int):
    """An evidence file, to whoever may see the audit or DÖF it belongs to (404 to anyone else).
    PDFs and images open in the browser under a sandbox policy; other types download."""
    item = get_object_or_404(EvidenceFile.objects.select_related("answer", "action"), pk=pk)
    if not _may_see_evidence(request.user, item):
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=item.content_type not in INLINE_TYPES,
                            filename=item.original_name, content_type=item.content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("audit/<int:pk>/", AuditFileView.as_view(), name="audit"),
    path("audit/<int:pk>/start/", audit_start, name="audit_start"),
    path("audit/<int:pk>/checklist/", ChecklistView.as_view(), name="audit_checklist"),
    path("audit/<int:pk>/findings/add/", FindingAddView.as_view(), name="finding_add"),
    path("finding/<int:pk>/edit/", FindingEditView.as_view(), name="finding_edit"),
    path("audit/<int:pk>/sign-off/", SignOffView.as_view(), name="audit_sign_off"),
    path("audit/<int:pk>/close/", audit_close, name="audit_close"),
    path("audit/<int:pk>/cancel/", AuditCancelView.as_view(), name="audit_cancel"),
    path("report/<int:pk>.pdf", report_pdf, name="report_pdf"),
    path("audit/<int:pk>/report-preview.pdf", report_preview, name="report_preview"),
    path("evidence/<int:pk>/", evidence_file, name="evidence_file"),
]
