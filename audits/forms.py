"""Forms of the audit programme: the audit plan form (management representative)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from audits import rules
from qms.roles import ROLES, Role


def internal_auditors():
    return (
        get_user_model()._default_manager.filter(is_active=True, groups__name=ROLES[Role.INTERNAL_AUDITOR].group_name)
        .select_related("staff_profile__unit")
        .order_by("first_name", "last_name")
        .distinct()
    )


class AuditorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        profile = getattr(obj, "staff_profile", None)
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({profile.unit.name})" if profile else name


class AuditorsChoiceField(forms.ModelMultipleChoiceField):
    label_from_instance = AuditorChoiceField.label_from_instance


class AuditForm(WagtailAdminModelForm):
    """Offers only internal auditors, and says on the form (not only on saving) when someone may
    not audit a unit (the models refuse it too)."""

    class Meta:
        field_classes = {"lead_auditor": AuditorChoiceField, "team": AuditorsChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead_auditor", "team"):
            if name in self.fields:
                self.fields[name].queryset = internal_auditors()

    def _save_m2m(self):
        # The units' and the team's guards (audits.rules) each judge the other side as stored: empty
        # the team first, so that new units are not refused because of members this form removes;
        # the team is then added against the new units. clean() has checked the final pair.
        if "team" in self.fields and self.instance.pk:
            self.instance.team.clear()
        super()._save_m2m()

    def clean(self):
        cleaned = super().clean()
        units = cleaned.get("units") or []
        lead = cleaned.get("lead_auditor")
        team = list(cleaned.get("team") or [])
        if lead is not None and lead in team:
            self.add_error("team", ValidationError(rules.lead_in_team_message(lead)))
        for field, people in (("lead_auditor", [lead] if lead else []), ("team", team)):
            problems = rules.independence_conflicts(units, people)
            try:
                rules.check_auditors(people)
            except ValidationError as error:
                problems += error.messages
            for message in problems:
                self.add_error(field, message)
        return cleaned
