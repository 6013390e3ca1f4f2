"""Forms of the course catalogue, the annual plan and training requests.

They check what a person types (required fields, ranges, one orientation course) so a refusal
comes back on the form with its reason; the writes themselves go through `training.services`,
which checks the rules again whoever calls them.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from documents.models import Document
from qms.models import Unit, UnitKind
from qms.roles import ROLES
from training.models import Course, RequestState, TrainerKind, TrainingPlan

MAX_SESSIONS_PER_LINE = 20
MAX_PARTICIPANTS = 500


def month_choices() -> list[tuple[int, str]]:
    return [(m, MONTHS[m]) for m in range(1, 13)]


def role_label(group: Group) -> str:
    """A role group as people know it: its Turkish name, or the English label in English."""
    if (translation.get_language() or "tr").startswith("tr"):
        return group.name
    for spec in ROLES.values():
        if spec.group_name == group.name:
            return spec.label_en
    return group.name


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


def role_groups():
    return Group.objects.filter(name__in=[spec.group_name for spec in ROLES.values()]).order_by("name")


def internal_units():
    """Units whose staff take trainings: the department's own tree, not the municipality's answering
    departments, companies or district municipalities."""
    return (Unit.objects.filter(is_active=True, answers_requests=False)
            .exclude(kind__in=[UnitKind.COMPANY, UnitKind.DISTRICT]).order_by("path"))


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return role_label(obj)


class UnitTreeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return "— " * (obj.depth - 1) + obj.name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.title}"


def other_orientation_course(course: Course) -> Course | None:
    return Course.objects.filter(is_orientation=True).exclude(pk=course.pk).first()


class CourseForm(forms.ModelForm):
    """A course of the catalogue. Saved through `services.course_save` (never `form.save()`)."""

    target_roles = RoleChoiceField(
        label=gettext_lazy("Target roles"), required=False, queryset=Group.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Roles this course is for; none chosen means every role."),
    )
    target_units = UnitTreeChoiceField(
        label=gettext_lazy("Target units"), required=False, queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Units (with the units under them) this course is for; none chosen means every unit."),
    )
    default_trainer = PersonChoiceField(
        label=gettext_lazy("Trainer from the staff"), required=False, queryset=get_user_model().objects.none(),
        empty_label=gettext_lazy("— not chosen —"),
    )
    documents = DocumentChoiceField(
        label=gettext_lazy("Controlled documents"), required=False, queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Procedures and instructions the course teaches."),
    )

    class Meta:
        model = Course
        fields = [
            "code", "title", "description", "duration_hours", "trainer_kind", "default_trainer", "external_trainer",
            "is_mandatory", "is_orientation", "validity_months", "min_sessions_per_year", "target_roles",
            "target_units", "documents",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "trainer_kind": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        course = self.instance
        chosen_units = list(course.target_units.values_list("pk", flat=True)) if course.pk else []
        chosen_docs = list(course.documents.values_list("pk", flat=True)) if course.pk else []
        self.fields["target_roles"].queryset = role_groups()
        self.fields["target_units"].queryset = (
            Unit.objects.filter(pk__in=internal_units().values("pk")) | Unit.objects.filter(pk__in=chosen_units)
        ).order_by("path")
        self.fields["documents"].queryset = (
            Document.objects.filter(withdrawn_at__isnull=True) | Document.objects.filter(pk__in=chosen_docs)
        ).order_by("code")
        User = get_user_model()
        self.fields["default_trainer"].queryset = User.objects.filter(
            is_active=True, staff_profile__isnull=False).order_by("first_name", "last_name")
        self.fields["trainer_kind"].choices = list(TrainerKind.choices)
        if course.pk:
            self.initial.setdefault("target_roles", list(course.target_roles.all()))
            self.initial.setdefault("target_units", chosen_units)
            self.initial.setdefault("documents", chosen_docs)
        self.fields["duration_hours"].widget.attrs.update({"min": "0.5", "step": "0.5"})

    def clean_is_orientation(self):
        value = self.cleaned_data.get("is_orientation")
        if value:
            other = other_orientation_course(self.instance)
            if other is not None:
                raise forms.ValidationError(_(
                    "“%(course)s” is already the orientation course and there is only one; "
                    "remove the mark from that course first.") % {"course": other})
        return value

    def clean(self):
        data = super().clean()
        if data.get("trainer_kind") == TrainerKind.INTERNAL:
            data["external_trainer"] = ""
            self.instance.external_trainer = ""
        return data


class CourseFilterForm(forms.Form):
    ACTIVE, INACTIVE, ALL = "active", "inactive", "all"

    q = forms.CharField(label=gettext_lazy("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Code, title or description")}))
    status = forms.ChoiceField(
        label=pgettext_lazy("course filter", "Status"), required=False,
        choices=[(ACTIVE, pgettext_lazy("courses", "Active")), (INACTIVE, pgettext_lazy("courses", "Inactive")),
                 (ALL, pgettext_lazy("courses", "All"))],
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("course filter", "Kind"), required=False,
        choices=[("", pgettext_lazy("courses", "All")), ("mandatory", pgettext_lazy("courses", "Mandatory")),
                 ("orientation", pgettext_lazy("courses", "Orientation"))],
    )


class PlanItemForm(forms.Form):
    """Add a course to a month of the plan (sessions add up on an existing line)."""

    course = CourseChoiceField(label=gettext_lazy("Course"), queryset=Course.objects.none(),
                               empty_label=gettext_lazy("— choose a course —"))
    month = forms.TypedChoiceField(label=gettext_lazy("Month"), coerce=int, choices=month_choices)
    sessions = forms.IntegerField(label=gettext_lazy("Sessions"), min_value=1, max_value=MAX_SESSIONS_PER_LINE,
                                  initial=1)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(is_active=True).order_by("code")


class PlanCreateForm(forms.Form):
    copy = forms.BooleanField(label=gettext_lazy("Copy the lines of the previous plan"), required=False)


class RealisationDateForm(forms.Form):
    at = forms.DateField(label=gettext_lazy("Realisation at"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                         input_formats=["%Y-%m-%d", "%d.%m.%Y"])

    def clean_at(self) -> date:
        return self.cleaned_data.get("at") or timezone.localdate()


class RequestForm(forms.Form):
    """The training request form (Eğitim Talep Formu)."""

    course = CourseChoiceField(
        label=gettext_lazy("Course from the catalogue"), required=False, queryset=Course.objects.none(),
        empty_label=gettext_lazy("Another topic (describe it below)"),
    )
    topic = forms.CharField(
        label=gettext_lazy("Topic"), required=False, max_length=200,
        help_text=gettext_lazy("When the training you need is not in the catalogue, name it here."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the training would solve or improve in your work."),
        error_messages={"required": gettext_lazy("Say why the training is needed.")},
    )
    participants = forms.IntegerField(
        label=gettext_lazy("Number of participants"), min_value=1, max_value=MAX_PARTICIPANTS, initial=1,
        help_text=gettext_lazy("How many people (you included) need this training."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(is_active=True).order_by("code")

    def clean(self):
        data = super().clean()
        if not data.get("course") and not (data.get("topic") or "").strip() and "course" not in self.errors:
            self.add_error("topic", _("Choose a course or describe the training you need."))
        return data


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RequestFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=pgettext_lazy("request", "State"), required=False)
    unit = UnitChoiceField(label=gettext_lazy("Unit"), required=False, queryset=Unit.objects.none(),
                           empty_label=gettext_lazy("All units"))

    def __init__(self, *args, years: list[int], units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["state"].choices = [("", _("All states"))] + list(RequestState.choices)
        self.fields["unit"].queryset = units


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year} ({obj.get_state_display()})"


class AcceptForm(forms.Form):
    """Accept a request into a plan: year, month and, for a free-topic request, the course."""

    plan = PlanChoiceField(label=gettext_lazy("Plan year"), queryset=TrainingPlan.objects.none(),
                           empty_label=None)
    month = forms.TypedChoiceField(label=gettext_lazy("Month"), coerce=int, choices=month_choices)
    course = CourseChoiceField(
        label=gettext_lazy("Course that answers the request"), queryset=Course.objects.none(),
        empty_label=gettext_lazy("— choose a course —"),
        help_text=gettext_lazy("The request names a free topic: choose the catalogue course that answers it "
                               "(add the course to the catalogue first if there is none)."),
    )
    note = forms.CharField(label=gettext_lazy("Note to the requester"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, request_obj, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["plan"].queryset = TrainingPlan.objects.filter(year__gte=today.year).order_by("year")
        self.initial.setdefault("month", today.month)
        if request_obj.course_id:
            del self.fields["course"]
        else:
            self.fields["course"].queryset = Course.objects.filter(is_active=True).order_by("code")


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The person who asked reads it in their e-mail and on “My requests”."),
        error_messages={"required": gettext_lazy("Give the reason for declining; the person who asked will read it.")},
    )
