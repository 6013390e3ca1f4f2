"""Admin screens built on Wagtail's snippet viewsets: the programme years, the audit plan form,
checklist templates and the clause catalogue. The audit file, the conduct screen and DÖFs have
their own views (audits/views/)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from audits.forms import AuditForm
from audits.models import Audit, AuditProgramme, AuditState, ChecklistTemplate
from qms.models import Clause

MENU_HOOK = "register_audits_menu_item"


class AuditProgrammeViewSet(SnippetViewSet):
    model = AuditProgramme
    icon = "date"
    menu_label = _("Programme years")
    menu_name = "audit-programmes"
    menu_order = 70
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "audits/programmes"
    list_display = ["__str__", "year"]
    copy_view_enabled = False
    inspect_view_enabled = False
    panels = [FieldPanel("year"), FieldPanel("objectives")]


class AuditIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("programme", "lead_auditor")

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.insert(0, ListingButton(_("Open the audit file"), url=reverse("audits:audit", args=[instance.pk]),
                                        icon_name="clipboard-list", priority=5))
        return buttons


class AuditEditView(EditView):
    """The plan of an audit that has started is its record: only planned audits are edited here."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if obj.state != AuditState.PLANNED:
            raise PermissionDenied(_("Only a planned audit's plan can be changed; this audit has started."))
        return obj


class StateColumn(Column):
    def get_value(self, instance):
        return instance.get_state_display()


class AuditViewSet(SnippetViewSet):
    """Planning (create, edit while planned): the management representative."""

    model = Audit
    icon = "clipboard-list"
    menu_label = _("Audit plan")
    menu_name = "audit-plan"
    menu_order = 20
    menu_hook = MENU_HOOK
    add_to_admin_menu = False
    url_prefix = "audits/plan"
    index_view_class = AuditIndexView
    edit_view_class = AuditEditView
    list_display = ["title", Column("code", label=_("Number")), "planned_start", "planned_end", "lead_auditor",
                    StateColumn("state", label=_("State"))]
    list_filter = ["programme", "state"]
    search_fields = ["title"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList([
        FieldRowPanel([FieldPanel("programme", widget=forms.Select), FieldPanel("title")]),
        MultiFieldPanel(
            [
                FieldPanel("units", widget=forms.SelectMultiple(attrs={"size": 10})),
                FieldPanel("processes"),
                FieldPanel("clauses", widget=forms.SelectMultiple(attrs={"size": 10})),
                FieldPanel("checklists", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Scope"),
        ),
        FieldRowPanel([FieldPanel("planned_start"), FieldPanel("planned_end")]),
        MultiFieldPanel(
            [FieldPanel("lead_auditor", widget=forms.Select), FieldPanel("team", widget=forms.CheckboxSelectMultiple)],
            heading=_("Audit team"),
        ),
    ], base_form_class=AuditForm)

    def get_queryset(self, request):
        return Audit.objects.select_related("programme", "lead_auditor")


class ChecklistTemplateViewSet(SnippetViewSet):
    model = ChecklistTemplate
    icon = "tasks"
    menu_label = _("Checklists")
    menu_name = "audit-checklists"
    menu_order = 50
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "audits/checklists"
    list_display = ["title", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title"]
    search_backend_name = None
    inspect_view_enabled = False


class ClauseViewSet(SnippetViewSet):
    model = Clause
    icon = "list-ol"
    menu_label = _("Clauses of the standards")
    menu_name = "clauses"
    menu_order = 80
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "audits/clauses"
    list_display = [Column("reference", label=_("Clause")), "title_tr", "title_en"]
    list_filter = ["standard"]
    search_fields = ["number", "title_tr", "title_en"]
    search_backend_name = None
    ordering = ["standard__code", "sort_key"]
    list_per_page = 200
    copy_view_enabled = False
    inspect_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("standard", widget=forms.Select), FieldPanel("number")]),
        FieldPanel("title_tr"),
        FieldPanel("title_en"),
        FieldPanel("parent", widget=forms.Select),
    ]
