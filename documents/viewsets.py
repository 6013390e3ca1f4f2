"""Admin screens of the register: the document snippet (edit, workflow, history) and document types."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.views.snippets import (
    ConfirmWorkflowCancellationView,
    CreateView,
    EditView,
    IndexView,
    SnippetViewSet,
)

from documents.forms import DocumentForm
from documents.models import Document, DocumentType
from documents.queries import annotate_register
from qms.permissions import ScopedViewSetMixin

MENU_HOOK = "register_documents_menu_item"


class RevisionColumn(Column):
    """The revision in force ("02"), and the pending one if an approved revision awaits its date."""

    def get_value(self, instance):
        current = getattr(instance, "_current_number", None)
        latest = getattr(instance, "_latest_number", None)
        if latest is None:
            return "—"
        if current is None:
            return _("%(rev)s (not yet in force)") % {"rev": f"{latest:02d}"}
        if latest != current:
            return _("%(current)s (next: %(next)s)") % {"current": f"{current:02d}", "next": f"{latest:02d}"}
        return f"{current:02d}"


class DayColumn(Column):
    """A date as dd.mm.yyyy (Wagtail's DateColumn says "now" for any future date)."""

    def get_value(self, instance):
        value = getattr(instance, self.accessor, None)
        return value.strftime("%d.%m.%Y") if value else "—"


class StateColumn(Column):
    def get_value(self, instance):
        from documents.views import register_state_label

        return register_state_label(instance)


class DocumentIndexView(IndexView):
    def get_base_queryset(self):
        return annotate_register(
            super()
            .get_base_queryset()
            .select_related("doc_type", "unit", "locked_by", "live_revision", "latest_revision")
        )

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.insert(
            0,
            ListingButton(
                _("Open in library"),
                url=reverse("documents:read", args=[instance.pk]),
                icon_name="doc-full",
                priority=5,
            ),
        )
        return buttons


class SubmissionCheckMixin:
    """"Submit for review" refuses, with a form error, what the final approval would refuse
    (no content, a withdrawn document), so no reviewer approves what cannot take effect."""

    def is_valid(self, form):
        valid = super().is_valid(form)
        if valid and self.action == "submit":
            from documents.services import submission_refusal

            try:
                submission_refusal(form.instance, file_uploaded=bool(form.cleaned_data.get("upload")))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
                self.produced_error_message = " ".join(error.messages)
                return False
        return valid


class DocumentCreateView(SubmissionCheckMixin, CreateView):
    """No autosave while creating: an autosave creates the document (and spends a code) before the
    author has chosen to save, and a quick "Save draft" after it made a second one."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.autosave_enabled = False


class DocumentEditView(SubmissionCheckMixin, EditView):
    pass


class DocumentConfirmWorkflowCancellationView(ConfirmWorkflowCancellationView):
    """Wagtail checks no permission here; without one, anyone could learn which drafts are in review."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("documents.change_document"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DocumentViewSet(ScopedViewSetMixin, SnippetViewSet):
    model = Document
    icon = "doc-full-inverse"
    menu_label = _("Register")
    menu_name = "document-register"
    menu_order = 20
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "documents/register"
    index_view_class = DocumentIndexView
    add_view_class = DocumentCreateView
    edit_view_class = DocumentEditView
    confirm_workflow_cancellation_view_class = DocumentConfirmWorkflowCancellationView
    list_display = [
        "title",  # the first column carries the row's buttons: the title has the room for them
        "code",
        "doc_type",
        "unit",
        RevisionColumn("revision", label=_("Revision")),
        StateColumn("state", label=_("State")),
        DayColumn("next_review_date", label=_("Next review")),
    ]
    list_filter = ["doc_type", "unit", "confidentiality"]
    search_fields = ["code", "title"]
    search_backend_name = None
    ordering = ["code"]
    list_per_page = 50
    copy_view_enabled = False

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("title"),
                    # Plain selects: the unit list is cut to the author's scope (a chooser would
                    # offer every unit and refuse most of them on saving).
                    FieldRowPanel([FieldPanel("doc_type", widget=forms.Select),
                                   FieldPanel("unit", widget=forms.Select)]),
                    MultiFieldPanel(
                        [
                            FieldPanel("confidentiality", widget=forms.RadioSelect),
                            FieldPanel("audience_groups", widget=forms.CheckboxSelectMultiple),
                            FieldPanel("audience_units"),
                        ],
                        heading=_("Who may read it"),
                    ),
                    FieldRowPanel([FieldPanel("retention_years"), FieldPanel("review_interval_months")]),
                    FieldPanel("clauses"),
                ],
                heading=_("Register"),
            ),
            ObjectList(
                [
                    FieldPanel("body"),
                    FieldPanel("upload"),
                ],
                heading=_("Content"),
            ),
            ObjectList(
                [
                    FieldPanel("change_summary"),
                    FieldPanel("effective_from"),
                    MultiFieldPanel(
                        [
                            FieldPanel("acknowledge_groups", widget=forms.CheckboxSelectMultiple),
                            FieldPanel("acknowledge_units"),
                            FieldPanel("acknowledge_users"),
                        ],
                        heading=_("Read and acknowledge"),
                        help_text=_("Who must confirm they have read the revision once it is in force."),
                    ),
                ],
                heading=_("Revision"),
            ),
        ],
        base_form_class=DocumentForm,
    )

    def get_queryset(self, request):
        return Document.objects.all()


class DocumentTypeViewSet(SnippetViewSet):
    model = DocumentType
    icon = "tag"
    menu_label = _("Document types")
    menu_name = "document-types"
    menu_order = 60
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "documents/types"
    list_display = ["__str__", "prefix", "code_pattern", "review_interval_months", "retention_years"]
    copy_view_enabled = False
    inspect_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("prefix"), FieldPanel("code_pattern")]),
        FieldRowPanel([FieldPanel("review_interval_months"), FieldPanel("retention_years")]),
    ]
