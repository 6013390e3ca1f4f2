"""Forms of the DÖF screens: the list's filters, the raise form and one small form per step.

The forms only collect and shape what a step needs; the services (`audits.services`) decide
whether the step may be taken and refuse it with a message, which the views show on the form.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits.models import WHY_FIELDS, CauseCategory, NCState, Severity, Source
from audits.services import EVIDENCE_KINDS, EVIDENCE_MAX_MB
from qms.files import validate_upload
from qms.models import Clause, Unit

DATE_INPUT = {"type": "date"}
ACCEPT = ",".join(f".{ext}" for ext in EVIDENCE_KINDS)


def _date_widget():
    return forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")


def _textarea(rows: int):
    # border-box: inside the step forms' frames the field keeps to the frame's width.
    return forms.Textarea(attrs={"rows": rows, "style": "box-sizing: border-box; width: 100%;"})


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Zero or more evidence files, each checked like every upload of the app (type, size, content)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault(
            "help_text",
            _("PDF, JPEG, PNG, DOCX, XLSX or ODT; up to %(mb)s MB each. You may choose several files.")
            % {"mb": EVIDENCE_MAX_MB},
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        uploads = data if isinstance(data, list | tuple) else [data]
        cleaned = [single(upload, initial) for upload in uploads if upload]
        errors = []
        for upload in cleaned:
            try:
                validate_upload(upload, accepted=EVIDENCE_KINDS, max_mb=EVIDENCE_MAX_MB)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def active_units():
    return Unit.objects.filter(is_active=True).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u2003" * max(obj.depth - 1, 0) + obj.name


class ClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} {obj.title}"


def clause_field(**kwargs) -> ClauseChoiceField:
    return ClauseChoiceField(
        label=pgettext_lazy("DÖF", "Clause"), required=False, queryset=Clause.objects.all(),
        empty_label=_("— none —"), **kwargs,
    )


# --- the list --------------------------------------------------------------------------------

OPEN_STATES_CHOICE = "open_states"


class NonconformityFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), required=False, max_length=200)
    state = forms.ChoiceField(label=pgettext_lazy("DÖF", "State"), required=False)
    source = forms.ChoiceField(label=pgettext_lazy("DÖF", "Source"), required=False)
    unit = UnitChoiceField(label=_("Responsible unit"), required=False, queryset=Unit.objects.none(),
                           empty_label=_("All units"))
    severity = forms.ChoiceField(label=pgettext_lazy("DÖF", "Severity"), required=False)
    year = forms.TypedChoiceField(label=_("Year raised"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue actions only"), required=False)
    to_triage = forms.BooleanField(label=_("Waiting for triage"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False,
                              help_text=_("Raised by me, with an action of mine, or of my unit."))
    clause = ClauseChoiceField(label=pgettext_lazy("DÖF", "Clause"), required=False, queryset=Clause.objects.all(),
                               empty_label=_("All clauses"),
                               help_text=_("The clause and the clauses under it (from the clause coverage report)."))

    def __init__(self, *args, years=(), can_triage=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("All states")),
            (OPEN_STATES_CHOICE, _("Open (any step)")),
            *NCState.choices,
        ]
        self.fields["source"].choices = [("", _("All sources")), *Source.choices]
        self.fields["severity"].choices = [("", pgettext_lazy("DÖF", "All")), *Severity.choices]
        self.fields["unit"].queryset = Unit.objects.order_by("path")
        self.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in years)]
        if not can_triage:
            del self.fields["to_triage"]


# --- raising a DÖF ---------------------------------------------------------------------------

RAISE_SOURCES = [(value, label) for value, label in Source.choices if value != Source.INTERNAL_AUDIT]


class RaiseForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("DÖF", "Title"), max_length=200,
                            help_text=_("In a few words: what is wrong."))
    description = forms.CharField(
        label=pgettext_lazy("DÖF", "Description"), widget=_textarea(5),
        help_text=_("What happened, where, and what requirement it does not meet."),
    )
    unit = UnitChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none(),
                           help_text=_("The unit whose work process needs the correction."))
    source = forms.ChoiceField(label=pgettext_lazy("DÖF", "Source"), choices=RAISE_SOURCES,
                               initial=Source.STAFF_SUGGESTION,
                               help_text=_("Findings of internal audits open their DÖFs by themselves."))
    clause = clause_field(help_text=_("The clause of the standard it does not meet, if known."))
    immediate_correction = forms.CharField(
        label=_("Immediate correction"), required=False, widget=_textarea(3),
        help_text=_("What was already done to contain the problem, if anything."),
    )
    files = EvidenceFilesField(label=_("Evidence files"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units()
        profile = getattr(user, "staff_profile", None)
        if profile is not None and profile.unit.is_active and not self.is_bound:
            self.fields["unit"].initial = profile.unit_id


# --- the steps ---------------------------------------------------------------------------------

TRIAGE_ACCEPT = "accept"
TRIAGE_REJECT = "reject"


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("DÖF", "Decision"), widget=forms.RadioSelect, initial=TRIAGE_ACCEPT,
        choices=[(TRIAGE_ACCEPT, _("Accept: it is a nonconformity to be corrected")),
                 (TRIAGE_REJECT, _("Reject: it is not a nonconformity"))],
    )
    unit = UnitChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none(), required=False)
    severity = forms.ChoiceField(label=pgettext_lazy("DÖF", "Severity"), choices=Severity.choices)
    clause = clause_field()
    reason = forms.CharField(label=_("Reason for rejection"), required=False,
                             widget=_textarea(2),
                             help_text=_("Only when rejecting; the person who raised it reads it."))

    def __init__(self, *args, nonconformity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units()
        if nonconformity is not None and not self.is_bound:
            self.initial.update(unit=nonconformity.unit_id, severity=nonconformity.severity,
                                clause=nonconformity.clause_id)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == TRIAGE_REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting it."))
        if cleaned.get("decision") == TRIAGE_ACCEPT and not cleaned.get("unit"):
            self.add_error("unit", _("Choose the responsible unit."))
        return cleaned


class AnalyseForm(forms.Form):
    immediate_correction = forms.CharField(
        label=_("Immediate correction"), required=False, widget=_textarea(3),
        help_text=_("What was done at once to contain the problem (düzeltme), before its cause is removed."),
    )
    correction_date = forms.DateField(label=_("Corrected on"), required=False, widget=_date_widget())
    why_1 = forms.CharField(label=_("Why? (1)"), required=False, widget=_textarea(2))
    why_2 = forms.CharField(label=_("Why? (2)"), required=False, widget=_textarea(2))
    why_3 = forms.CharField(label=_("Why? (3)"), required=False, widget=_textarea(2))
    why_4 = forms.CharField(label=_("Why? (4)"), required=False, widget=_textarea(2))
    why_5 = forms.CharField(label=_("Why? (5)"), required=False, widget=_textarea(2))
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=_textarea(2))
    cause_category = forms.ChoiceField(label=_("Cause category"), required=False,
                                       choices=[("", _("— choose —")), *CauseCategory.choices])

    def __init__(self, *args, nonconformity=None, **kwargs):
        super().__init__(*args, **kwargs)
        if nonconformity is not None and not self.is_bound:
            for name in (*WHY_FIELDS, "root_cause", "cause_category", "immediate_correction", "correction_date"):
                self.initial[name] = getattr(nonconformity, name)

    @property
    def whys(self) -> list[str]:
        return [self.cleaned_data.get(name) or "" for name in WHY_FIELDS]


class OwnerChoiceField(forms.TypedChoiceField):
    """Active people, those of the responsible unit (and the units under it) first."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def set_people(self, unit) -> None:
        User = get_user_model()
        people = list(
            User._default_manager.filter(is_active=True)
            .select_related("staff_profile__unit")
            .order_by("first_name", "last_name", "username")
        )
        inside, outside = [], []
        for person in people:
            profile = getattr(person, "staff_profile", None)
            in_unit = unit is not None and profile is not None and profile.unit.path.startswith(unit.path)
            label = person_label(person) + (f" ({profile.unit.name})" if profile is not None else "")
            (inside if in_unit else outside).append((person.pk, label))
        self.choices = [("", _("— choose —"))]
        if unit is not None:
            self.choices += [(unit.name, inside)]
        self.choices += [(_("Everyone else"), outside)]


class ActionAddForm(forms.Form):
    description = forms.CharField(label=_("Corrective action"), widget=_textarea(2),
                                  help_text=_("What will be done to remove the root cause."))
    owner = OwnerChoiceField(label=pgettext_lazy("DÖF", "Owner"))
    due_date = forms.DateField(label=pgettext_lazy("DÖF", "Due date"), widget=_date_widget())

    def __init__(self, *args, nonconformity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].set_people(nonconformity.unit if nonconformity is not None else None)

    def clean_owner(self):
        pk = self.cleaned_data.get("owner")
        owner = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
        if owner is None:
            raise ValidationError(_("Choose the owner of the action."))
        return owner


class PlanForm(forms.Form):
    effectiveness_due = forms.DateField(
        label=_("Check the effectiveness on or after"), widget=_date_widget(),
        help_text=_("Not before the last action is due; usually a month after it, when the effect can be seen."),
    )

    def __init__(self, *args, latest_due: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            base = latest_due or timezone.localdate()
            self.initial["effectiveness_due"] = base + dt.timedelta(days=30)


class ActionCompleteForm(forms.Form):
    evidence = forms.CharField(label=pgettext_lazy("DÖF", "Evidence"), widget=_textarea(2),
                               help_text=_("What shows the action was done (a record, a document, a date)."))
    files = EvidenceFilesField(label=_("Evidence files"))


class ActionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancellation"), widget=_textarea(2))


CHECK_EFFECTIVE = "yes"
CHECK_INEFFECTIVE = "no"


class CheckForm(forms.Form):
    effective = forms.ChoiceField(label=pgettext_lazy("DÖF", "Result"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("What was checked"), widget=_textarea(3),
                           help_text=_("Records, samples or interviews that show whether the problem recurred."))

    def __init__(self, *args, allow_effective: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(CHECK_INEFFECTIVE, _("Not effective: reopen the DÖF for a new root-cause analysis"))]
        if allow_effective:
            choices.insert(0, (CHECK_EFFECTIVE, _("Effective: the problem has not recurred")))
            self.initial.setdefault("effective", CHECK_EFFECTIVE)
        else:
            self.initial.setdefault("effective", CHECK_INEFFECTIVE)
        self.fields["effective"].choices = choices


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), required=False, widget=_textarea(2))
