"""The risk-and-opportunity register and the stakeholder register in the admin (Yönetimin Gözden
Geçirmesi → Riskler ve fırsatlar, Paydaşlar): Wagtail ModelViewSets.

    review_risks:index            GET  /admin/review/risks/               list, filters, search, heat map,
                                                                          ?export=csv|xlsx
    review_risks:add / edit       GET/POST  new/, edit/<pk>/              the management representative
    review_risks:inspect          GET  inspect/<pk>/                      everyone who sees the registers
    review_risks:history          GET  history/<pk>/                      the audit log of one risk
    review_stakeholders:...       the same under /admin/review/stakeholders/

Who may do what is `qms.review.rules`, applied by one permission policy on both models: the
management representative (`may_manage_registers`) adds and edits; top management and internal
auditors (`may_see_registers`) list, inspect, export and read the history; anyone else gets 403 on
every URL. Nobody deletes: a risk or stakeholder that no longer applies is closed (its status), so
the next review can report it as closed instead of losing it. Wagtail's create and edit views write
each change to the audit log, which the history view shows.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.defaults import permission_denied
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from qms.downloads import spreadsheet_response
from qms.menu import PermissionMenuItem
from qms.review import rules
from qms.review.models import (
    RISK_LEVEL_LABELS,
    Influence,
    RegisterStatus,
    Risk,
    RiskKind,
    Stakeholder,
    StakeholderKind,
)
from qms.review.sections.registers import (
    LEVEL_SCORES,
    LEVELS_HIGH_FIRST,
    at_level,
    heat_map,
    person,
    review_date_text,
    review_overdue,
)

DESCRIPTION_CHARS = 90

LIKELIHOOD_CHOICES = [
    (1, gettext_lazy("1 – Rare")),
    (2, gettext_lazy("2 – Unlikely")),
    (3, gettext_lazy("3 – Possible")),
    (4, gettext_lazy("4 – Likely")),
    (5, gettext_lazy("5 – Almost certain")),
]
IMPACT_CHOICES = [
    (1, gettext_lazy("1 – Negligible")),
    (2, gettext_lazy("2 – Minor")),
    (3, gettext_lazy("3 – Moderate")),
    (4, gettext_lazy("4 – Major")),
    (5, gettext_lazy("5 – Severe")),
]


class RegisterPermissionPolicy(ModelPermissionPolicy):
    """`qms.review.rules` for both registers: add / change for those who keep them, view for those
    who see them, nothing else (no delete) for anyone."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return rules.may_manage_registers(user)
        if action == "view":
            return rules.may_see_registers(user)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Risk, RegisterPermissionPolicy(Risk), exact_class=True)
register_permission_policy(Stakeholder, RegisterPermissionPolicy(Stakeholder), exact_class=True)


def _owners(model):
    def queryset(request):
        return (get_user_model()._default_manager.filter(pk__in=model.objects.values("owner_id"))
                .order_by("first_name", "last_name", "username"))

    return queryset


class PersonChoiceField(ModelChoiceFilter.field_class):
    def label_from_instance(self, obj):
        return person(obj)


class PersonChoiceFilter(ModelChoiceFilter):
    field_class = PersonChoiceField


def _processes():
    return [(p, p) for p in Risk.objects.order_by("process").values_list("process", flat=True).distinct()]


class RiskFilterSet(WagtailFilterSet):
    kind = ChoiceFilter(label=gettext_lazy("Kind"), choices=RiskKind.choices, widget=forms.RadioSelect,
                        empty_label=gettext_lazy("All"))
    level = ChoiceFilter(label=gettext_lazy("Level"), method="filter_level", widget=forms.RadioSelect,
                         choices=[(level, RISK_LEVEL_LABELS[level]) for level in LEVELS_HIGH_FIRST],
                         empty_label=gettext_lazy("All"))
    status = ChoiceFilter(label=gettext_lazy("Status"), choices=RegisterStatus.choices, widget=forms.RadioSelect,
                          empty_label=gettext_lazy("All"))
    process = ChoiceFilter(label=gettext_lazy("Process"), choices=[], empty_label=gettext_lazy("All"))
    owner = PersonChoiceFilter(label=gettext_lazy("Owner"), queryset=_owners(Risk), empty_label=gettext_lazy("All"))

    class Meta:
        model = Risk
        fields = ["kind", "level", "status", "process", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["process"].extra["choices"] = _processes()

    def filter_level(self, queryset, name, value):
        return at_level(queryset, value) if value in LEVEL_SCORES else queryset


class StakeholderFilterSet(WagtailFilterSet):
    kind = ChoiceFilter(label=gettext_lazy("Kind"), choices=StakeholderKind.choices, widget=forms.RadioSelect,
                        empty_label=gettext_lazy("All"))
    influence = ChoiceFilter(label=gettext_lazy("Influence"), choices=Influence.choices, widget=forms.RadioSelect,
                             empty_label=gettext_lazy("All"))
    status = ChoiceFilter(label=gettext_lazy("Status"), choices=RegisterStatus.choices, widget=forms.RadioSelect,
                          empty_label=gettext_lazy("All"))
    owner = PersonChoiceFilter(label=gettext_lazy("Followed by"), queryset=_owners(Stakeholder),
                               empty_label=gettext_lazy("All"))

    class Meta:
        model = Stakeholder
        fields = ["kind", "influence", "status", "owner"]


# --- columns -----------------------------------------------------------------------------------------


class TextColumn(Column):
    """A long text, cut to one line in the list (the inspect view shows it whole)."""

    def get_value(self, instance):
        return Truncator(getattr(instance, self.name)).chars(DESCRIPTION_CHARS)


class PersonColumn(Column):
    def get_value(self, instance):
        return person(getattr(instance, self.name)) or "—"


class ScoreColumn(Column):
    """The score with its level in words ("12 – High"): the level never rests on colour."""

    def get_value(self, instance):
        return _("%(score)s – %(level)s") % {"score": instance.score, "level": instance.level_label}


class ReviewDateColumn(Column):
    """The next review date, "(overdue)" in words when it has passed."""

    def get_value(self, instance):
        return review_date_text(instance)


# --- forms ---------------------------------------------------------------------------------------------


def _people_field(field, *, current_id):
    field.queryset = (get_user_model()._default_manager.filter(Q(is_active=True) | Q(pk=current_id))
                      .order_by("first_name", "last_name", "username"))
    field.label_from_instance = lambda user: f"{person(user)} ({user.get_username()})"


class RiskForm(WagtailAdminModelForm):
    likelihood = forms.TypedChoiceField(label=gettext_lazy("Likelihood (1-5)"), choices=LIKELIHOOD_CHOICES,
                                        coerce=int, widget=forms.RadioSelect)
    impact = forms.TypedChoiceField(label=gettext_lazy("Impact (1-5)"), choices=IMPACT_CHOICES, coerce=int,
                                    widget=forms.RadioSelect,
                                    help_text=gettext_lazy("For an opportunity: the size of the benefit."))

    class Meta:
        model = Risk
        fields = ["kind", "description", "process", "likelihood", "impact", "treatment", "effectiveness", "owner",
                  "review_date", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["owner"], current_id=self.instance.owner_id)
        self.fields["process"].help_text = _("The process the risk or opportunity belongs to, e.g. "
                                             "“Çağrı karşılama” or “Başvuru yönlendirme”.")
        self.fields["review_date"].help_text = _("When the owner next reviews it; a past date is flagged "
                                                 "as overdue.")
        self.fields["status"].help_text = _("A risk or opportunity that no longer applies is closed, never "
                                            "deleted: the next management review reports it as closed.")
        if self.instance.pk:
            # The number's letter (R- risk, F- opportunity) was given for the kind: it stays.
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("The kind is fixed once the number is given (R- risk, "
                                              "F- opportunity); close this one and add a new one instead.")


class StakeholderForm(WagtailAdminModelForm):
    class Meta:
        model = Stakeholder
        fields = ["name", "kind", "needs", "influence", "monitoring", "owner", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["owner"], current_id=self.instance.owner_id)
        self.fields["owner"].empty_label = _("Nobody in particular")
        self.fields["status"].help_text = _("A stakeholder that no longer applies is closed, never deleted: "
                                            "the next management review reports it as closed.")


# --- views ---------------------------------------------------------------------------------------------


class RefusedWith403:
    """A refusal is a 403 page, as everywhere in the portal (Wagtail's own views would redirect
    to the dashboard with a message instead, which hides from a client that it was refused)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as error:
            return permission_denied(request, error)


class RegisterIndexView(RefusedWith403, IndexView):
    """The list with the house CSV / XLSX (qms.downloads) for its filtered rows."""

    export_headers: list = []

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("owner")

    def as_spreadsheet(self, queryset, spreadsheet_format):
        title = str(self.model._meta.verbose_name_plural).capitalize()
        headers = [str(h) for h in self.export_headers]
        rows = (self.export_row(instance) for instance in queryset)
        stem = f"{title} {timezone.localdate():%Y-%m-%d}"
        return spreadsheet_response(spreadsheet_format, [(title, headers, rows)], stem)


class RiskIndexView(RegisterIndexView):
    template_name = "review/registers/risk_index.html"
    export_headers = [
        gettext_lazy("Number"), gettext_lazy("Kind"), gettext_lazy("Description"), gettext_lazy("Process"),
        gettext_lazy("Likelihood"), gettext_lazy("Impact"), gettext_lazy("Score"), gettext_lazy("Level"),
        gettext_lazy("Treatment actions"), gettext_lazy("Effectiveness of the actions"), gettext_lazy("Owner"),
        gettext_lazy("Next review date"), gettext_lazy("Review overdue"), gettext_lazy("Status"),
        gettext_lazy("Last changed"),
    ]

    def export_row(self, risk):
        return [risk.code, str(risk.get_kind_display()), risk.description, risk.process, risk.likelihood,
                risk.impact, risk.score, str(risk.level_label), risk.treatment, risk.effectiveness,
                person(risk.owner), risk.review_date, review_overdue(risk),
                str(risk.get_status_display()), timezone.localtime(risk.updated_at).replace(tzinfo=None)]

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.results_only:
            context["heat_map"] = heat_map()
        return context


class StakeholderIndexView(RegisterIndexView):
    export_headers = [
        gettext_lazy("Number"), gettext_lazy("Stakeholder"), gettext_lazy("Kind"),
        gettext_lazy("Needs and expectations"), gettext_lazy("Influence"), gettext_lazy("How monitored"),
        gettext_lazy("Followed by"), gettext_lazy("Status"), gettext_lazy("Last changed"),
    ]

    def export_row(self, item):
        return [item.code, item.name, str(item.get_kind_display()), item.needs, str(item.get_influence_display()),
                item.monitoring, person(item.owner), str(item.get_status_display()),
                timezone.localtime(item.updated_at).replace(tzinfo=None)]


class RegisterInspectView(RefusedWith403, InspectView):
    """Read-only view for everyone who sees the registers, with a link to the change history."""

    def get_owner_display_value(self):
        return person(self.object.owner) or "—"

    def get_review_date_display_value(self):
        return review_date_text(self.object)

    def get_likelihood_display_value(self):
        return dict(LIKELIHOOD_CHOICES).get(self.object.likelihood, self.object.likelihood)

    def get_impact_display_value(self):
        return dict(IMPACT_CHOICES).get(self.object.impact, self.object.impact)

    def get_score_display_value(self):
        return _("%(score)s – %(level)s") % {"score": self.object.score, "level": self.object.level_label}

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(Button(_("History"), url=reverse(f"{self.history_url_namespace}:history",
                                                        args=[self.object.pk]),
                              icon_name="history", priority=30))
        return buttons

    @property
    def history_url_namespace(self):
        return self.index_url_name.split(":")[0]


class RegisterHistoryView(RefusedWith403, HistoryView):
    """The audit log of one row, readable by those who may only read the register (internal
    auditors follow who changed a risk's score, and when)."""

    any_permission_required = ["add", "change", "view"]

    def get_edit_url(self, instance):
        if self.user_has_permission("change"):
            return super().get_edit_url(instance)
        return None

    @property
    def header_buttons(self):
        if self.get_edit_url(self.object) is None:
            return []
        return super().header_buttons


class RegisterCreateView(RefusedWith403, CreateView):
    pass


class RegisterEditView(RefusedWith403, EditView):
    pass


class RegisterDeleteView(RefusedWith403, DeleteView):
    """Never allowed (the policy refuses "delete"): a row that no longer applies is closed."""


class RegisterUsageView(RefusedWith403, UsageView):
    pass


class RegisterViewSet(ModelViewSet):
    add_view_class = RegisterCreateView
    edit_view_class = RegisterEditView
    delete_view_class = RegisterDeleteView
    usage_view_class = RegisterUsageView
    inspect_view_class = RegisterInspectView
    history_view_class = RegisterHistoryView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_admin_menu = False  # the "Management review" submenu lists them (menu_items below)
    search_backend_name = None
    list_per_page = 50


class RiskViewSet(RegisterViewSet):
    model = Risk
    icon = "warning"
    name = "review_risks"
    url_prefix = "review/risks"
    menu_label = gettext_lazy("Risks and opportunities")
    index_view_class = RiskIndexView
    filterset_class = RiskFilterSet
    search_fields = ["code", "description", "process", "treatment"]
    export_filename = "risks"
    list_export = ["code", "kind", "description", "process", "likelihood", "impact", "score", "owner",
                   "review_date", "status"]
    list_display = [
        "code",
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display", sort_key="kind"),
        TextColumn("description", label=gettext_lazy("Description")),
        Column("process", label=gettext_lazy("Process"), sort_key="process"),
        Column("likelihood", label=pgettext_lazy("short column", "L"), sort_key="likelihood"),
        Column("impact", label=pgettext_lazy("short column", "I"), sort_key="impact"),
        ScoreColumn("score", label=gettext_lazy("Score and level"), sort_key="score"),
        PersonColumn("owner", label=gettext_lazy("Owner")),
        ReviewDateColumn("review_date", label=gettext_lazy("Next review"), sort_key="review_date"),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display", sort_key="status"),
    ]
    inspect_view_fields = ["code", "kind", "description", "process", "likelihood", "impact", "score", "treatment",
                           "effectiveness", "owner", "review_date", "status", "updated_at"]
    edit_handler = ObjectList([
        FieldRowPanel([FieldPanel("kind"), FieldPanel("process")]),
        FieldPanel("description"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("likelihood"), FieldPanel("impact")])],
                        heading=gettext_lazy("Assessment (score = likelihood × impact: 1-4 low, 5-9 medium, "
                                             "10-16 high, 20-25 very high)")),
        FieldPanel("treatment"),
        FieldPanel("effectiveness"),
        FieldRowPanel([FieldPanel("owner"), FieldPanel("review_date")]),
        FieldPanel("status"),
    ], base_form_class=RiskForm)


class StakeholderViewSet(RegisterViewSet):
    model = Stakeholder
    icon = "group"
    name = "review_stakeholders"
    url_prefix = "review/stakeholders"
    menu_label = gettext_lazy("Stakeholders")
    index_view_class = StakeholderIndexView
    filterset_class = StakeholderFilterSet
    search_fields = ["code", "name", "needs", "monitoring"]
    export_filename = "stakeholders"
    list_export = ["code", "name", "kind", "needs", "influence", "monitoring", "owner", "status"]
    list_display = [
        "code",
        Column("name", label=gettext_lazy("Stakeholder"), sort_key="name"),
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display", sort_key="kind"),
        TextColumn("needs", label=gettext_lazy("Needs and expectations")),
        Column("influence", label=gettext_lazy("Influence"), accessor="get_influence_display", sort_key="influence"),
        TextColumn("monitoring", label=gettext_lazy("How monitored")),
        PersonColumn("owner", label=gettext_lazy("Followed by")),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display", sort_key="status"),
    ]
    inspect_view_fields = ["code", "name", "kind", "needs", "influence", "monitoring", "owner", "status",
                           "updated_at"]
    edit_handler = ObjectList([
        FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
        FieldPanel("needs"),
        FieldRowPanel([FieldPanel("influence"), FieldPanel("owner")]),
        FieldPanel("monitoring"),
        FieldPanel("status"),
    ], base_form_class=StakeholderForm)


urlpatterns = []


def viewsets():
    return [RiskViewSet, StakeholderViewSet]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Risks and opportunities"), reverse_lazy("review_risks:index"),
                           name="review-risks", icon_name="warning", order=300, check=rules.may_see_registers),
        PermissionMenuItem(pgettext_lazy("menu", "Stakeholders"), reverse_lazy("review_stakeholders:index"),
                           name="review-stakeholders", icon_name="group", order=400, check=rules.may_see_registers),
    ]
