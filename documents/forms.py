"""Forms for controlled documents: the editor's form (with the file upload) and the small action forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from documents.files import ACCEPTED, validate_upload
from documents.models import Confidentiality, ReviewOutcome


class DocumentForm(WagtailAdminModelForm):
    """The editor's form. The file is uploaded here (checked by `documents.files.validate_upload`)
    and stored as a `DocumentFile` the draft points at, so a draft never overwrites a file."""

    upload = forms.FileField(
        label=_("Upload a file"),
        required=False,
        help_text=_("PDF, DOCX, XLSX or ODT, for forms and external documents; replaces the file of the draft."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ACCEPTED)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = self.fields.get("acknowledge_users")
        if people is not None:
            people.queryset = people.queryset.filter(is_active=True).order_by("first_name", "last_name")
            people.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        units = self.fields.get("audience_units"), self.fields.get("acknowledge_units")
        for field in units:
            if field is not None:
                field.queryset = field.queryset.filter(is_active=True).order_by("path")
                field.label_from_instance = lambda unit: unit.indented_name
        if self.instance.file_id and "upload" in self.fields:
            self.fields["upload"].help_text = _("Current file: %(name)s. Upload another to replace it.") % {
                "name": self.instance.file.original_name
            }

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            validate_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confidentiality") == Confidentiality.RESTRICTED and not (
            cleaned.get("audience_groups") or cleaned.get("audience_units")
        ):
            self.add_error(
                "audience_groups",
                _("A restricted document needs at least one role or unit that may read it."),
            )
        return cleaned

    def save(self, commit=True):
        from documents.services import document_file_store

        user = getattr(self, "for_user", None)
        upload = self.cleaned_data.get("upload")
        if upload:
            self.instance.file = document_file_store(upload=upload, user=user)
        if self.instance.pk is None and getattr(user, "is_authenticated", False):
            self.instance.created_by = user
        return super().save(commit=commit)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the register and the audit trail, e.g. “replaced by PR-HİM-007”."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for the withdrawal."))
        return reason


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Code, title or text")}))
    doc_type = forms.ModelChoiceField(label=_("Type"), required=False, queryset=None, empty_label=_("All types"))
    unit = forms.ModelChoiceField(label=_("Owning unit"), required=False, queryset=None, empty_label=_("All units"))

    def __init__(self, *args, **kwargs):
        from documents.models import DocumentType
        from qms.models import Unit

        super().__init__(*args, **kwargs)
        self.fields["doc_type"].queryset = DocumentType.objects.all()
        self.fields["unit"].queryset = Unit.objects.filter(documents__isnull=False).distinct().order_by("path")
