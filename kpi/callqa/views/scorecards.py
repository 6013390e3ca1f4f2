"""QA scorecards in the admin (Çağrı merkezi → Değerlendirme formları): versions, the editor,
activation and new versions.

    callqa:scorecards             GET       scorecards/                 every scorecard, its versions
    callqa:scorecard              GET       scorecards/<id>/            one version, read-only
    callqa:scorecard_add          GET/POST  scorecards/new/
    callqa:scorecard_edit         GET/POST  scorecards/<id>/edit/       refused for a frozen version
    callqa:scorecard_activate     POST      scorecards/<id>/activate/
    callqa:scorecard_new_version  POST      scorecards/<id>/new-version/

Reading needs `callqa.view_scorecard` (evaluators, team leads, the QA lead) or
`callqa.manage_callqa`; changing needs `callqa.manage_callqa` (the QA lead). Anyone else: 404.
A version in use is frozen (`kpi.callqa.scoring.ensure_editable`): the editor does not open for it
and a posted edit is refused with the same message; "New version" copies it as a draft to edit.
Changes go through `kpi.callqa.services`.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.defaults import permission_denied

from kpi.callqa import scoring, services
from kpi.callqa.menu import PermissionMenuItem
from kpi.callqa.models import CriticalScope, Scorecard, ScoringType
from kpi.callqa.views.evaluations import AdminPage, require_any

VIEW = "callqa.view_scorecard"
MANAGE = "callqa.manage_callqa"
EXTRA_ROWS = 3


class ScorecardForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=50,
                          help_text=gettext_lazy("A short name shared by every version (letters, digits, hyphens)."))
    name = forms.CharField(label=pgettext_lazy("scorecard", "Name"), max_length=150)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    pass_score = forms.DecimalField(label=gettext_lazy("Coaching threshold"), min_value=0, max_value=100,
                                    decimal_places=2, max_digits=5, initial=Decimal("70"),
                                    help_text=gettext_lazy("A score under this opens a coaching task."))

    def __init__(self, *args, new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["key"]


class CriterionRowForm(forms.Form):
    section = forms.CharField(label=gettext_lazy("Section"), max_length=150)
    text = forms.CharField(label=gettext_lazy("Criterion"), max_length=300)
    guidance = forms.CharField(label=gettext_lazy("Guidance"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    weight = forms.DecimalField(label=gettext_lazy("Weight"), min_value=Decimal("0.01"), max_value=Decimal("9999"),
                                decimal_places=2, max_digits=6, initial=Decimal("1"))
    scoring = forms.ChoiceField(label=gettext_lazy("Scoring"), choices=ScoringType.choices,
                                initial=ScoringType.YES_NO)
    scale_max = forms.IntegerField(label=gettext_lazy("N (scale maximum)"), min_value=1, max_value=100, initial=1,
                                   help_text=gettext_lazy("For a 0..N scale; a yes/no criterion is 0 or 1."))
    allow_na = forms.BooleanField(label=gettext_lazy("N/A allowed"), required=False)
    critical = forms.ChoiceField(label=gettext_lazy("Critical"), choices=CriticalScope.choices, required=False)


class BaseRowFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.has_changed() and not self._should_delete_form(form) for form in self.forms):
            raise forms.ValidationError(_("A scorecard needs at least one criterion."))

    def rows(self) -> list[dict]:
        # ordered_forms: by the ORDER field (rows without one keep their place at the end), not deleted
        return [form.cleaned_data for form in self.ordered_forms if form.cleaned_data and form.has_changed()]


RowFormSet = forms.formset_factory(CriterionRowForm, formset=BaseRowFormSet, extra=EXTRA_ROWS, can_delete=True,
                                   can_order=True, max_num=200, validate_max=True)


def _initial_rows(scorecard: Scorecard) -> list[dict]:
    return [{"section": c.section.title, "text": c.text, "guidance": c.guidance, "weight": c.weight,
             "scoring": c.scoring, "scale_max": c.scale_max, "allow_na": c.allow_na, "critical": c.critical}
            for c in scoring.criteria_of(scorecard)]


class _ScorecardPage(AdminPage):
    header_icon = "clipboard-list"
    parent_label = gettext_lazy("Scorecards")
    parent_url_name = "callqa:scorecards"
    permissions = (VIEW, MANAGE)

    def dispatch(self, request, *args, **kwargs):
        require_any(request.user, *self.permissions)
        return super().dispatch(request, *args, **kwargs)


class ScorecardListView(_ScorecardPage):
    template_name = "callqa/scorecards/list.html"
    page_title = gettext_lazy("Scorecards")
    parent_url_name = None

    def get(self, request, *args, **kwargs):
        cards = list(Scorecard.objects.annotate(
            criteria_count=Count("sections__criteria", distinct=True),
            evaluation_count=Count("evaluations", distinct=True)).order_by("key", "-version"))
        groups: list[dict] = []
        for card in cards:
            if not groups or groups[-1]["key"] != card.key:
                groups.append({"key": card.key, "name": card.name, "versions": []})
            groups[-1]["versions"].append(card)
        return self.render_to_response(self.get_context_data(groups=groups, manages=request.user.has_perm(MANAGE)))


class ScorecardView(_ScorecardPage):
    template_name = "callqa/scorecards/detail.html"

    def get_page_title(self):
        return str(self.scorecard) if hasattr(self, "scorecard") else _("Scorecard")

    def get(self, request, *args, **kwargs):
        self.scorecard = get_object_or_404(Scorecard.objects.select_related("created_by"), pk=kwargs["pk"])
        criteria = scoring.criteria_of(self.scorecard)
        sections: list[dict] = []
        for criterion in criteria:
            if not sections or sections[-1]["section"].pk != criterion.section_id:
                sections.append({"section": criterion.section, "criteria": []})
            sections[-1]["criteria"].append(criterion)
        return self.render_to_response(self.get_context_data(
            scorecard=self.scorecard, sections=sections, manages=request.user.has_perm(MANAGE),
            evaluation_count=self.scorecard.evaluations.count(),
            newer=Scorecard.objects.filter(key=self.scorecard.key, version__gt=self.scorecard.version)
            .order_by("version").first()))


class ScorecardEditView(_ScorecardPage):
    """Create a scorecard, or edit a version that is not frozen (its sections and criteria as rows)."""

    template_name = "callqa/scorecards/form.html"
    permissions = (MANAGE,)

    def get_page_title(self):
        return _("New scorecard") if self.kwargs.get("pk") is None else _("Edit scorecard")

    def scorecard(self) -> Scorecard | None:
        pk = self.kwargs.get("pk")
        return None if pk is None else get_object_or_404(Scorecard, pk=pk)

    def get(self, request, *args, **kwargs):
        card = self.scorecard()
        if card is not None and card.is_frozen:
            return self.refused(card, status=200)
        if card is None:
            form = ScorecardForm(new=True)
            rows = RowFormSet(prefix="rows")
        else:
            form = ScorecardForm(new=False, initial={"name": card.name, "description": card.description,
                                                     "pass_score": card.pass_score})
            rows = RowFormSet(prefix="rows", initial=_initial_rows(card))
        return self.render_to_response(self.get_context_data(scorecard=card, form=form, rows=rows))

    def post(self, request, *args, **kwargs):
        card = self.scorecard()
        if card is not None and card.is_frozen:
            return self.refused(card, status=400)
        form = ScorecardForm(request.POST, new=card is None)
        rows = RowFormSet(request.POST, prefix="rows")
        errors: list[str] = []
        if form.is_valid() and rows.is_valid():
            try:
                saved = services.save_scorecard(card, fields=form.cleaned_data, rows=rows.rows(), by=request.user)
            except ValidationError as error:
                if card is not None:
                    card.refresh_from_db()
                    if card.is_frozen:  # frozen meanwhile (a call was assigned with it)
                        return self.refused(card, status=400)
                errors = error.messages
            except PermissionDenied as error:
                return permission_denied(request, error)
            else:
                messages.success(request, _("“%(name)s” version %(version)s is saved.")
                                 % {"name": saved.name, "version": saved.version})
                return HttpResponseRedirect(reverse("callqa:scorecard", args=[saved.pk]))
        return self.render_to_response(self.get_context_data(scorecard=card, form=form, rows=rows, errors=errors),
                                       status=400)

    def refused(self, card: Scorecard, *, status: int):
        refusal = ""
        try:
            scoring.ensure_editable(card)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        return self.render_to_response(self.get_context_data(scorecard=card, refusal=refusal), status=status)


class _ScorecardAction(_ScorecardPage):
    http_method_names = ["post"]
    permissions = (MANAGE,)

    def post(self, request, *args, **kwargs):
        card = get_object_or_404(Scorecard, pk=kwargs["pk"])
        try:
            target = self.act(card)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("callqa:scorecard", args=[card.pk]))
        except PermissionDenied as error:
            return permission_denied(request, error)
        return HttpResponseRedirect(target)


class ScorecardActivateView(_ScorecardAction):
    def act(self, card):
        services.activate_scorecard(card, by=self.request.user)
        messages.success(self.request, _("Version %(version)s of “%(name)s” is now the one new samples use.")
                         % {"version": card.version, "name": card.name})
        return reverse("callqa:scorecard", args=[card.pk])


class ScorecardNewVersionView(_ScorecardAction):
    def act(self, card):
        copy = services.new_scorecard_version(card, by=self.request.user)
        messages.success(self.request, _("Version %(version)s is a draft copy: edit it, then activate it.")
                         % {"version": copy.version})
        return reverse("callqa:scorecard_edit", args=[copy.pk])


urlpatterns = [
    path("scorecards/", ScorecardListView.as_view(), name="scorecards"),
    path("scorecards/new/", ScorecardEditView.as_view(), name="scorecard_add"),
    path("scorecards/<int:pk>/", ScorecardView.as_view(), name="scorecard"),
    path("scorecards/<int:pk>/edit/", ScorecardEditView.as_view(), name="scorecard_edit"),
    path("scorecards/<int:pk>/activate/", ScorecardActivateView.as_view(), name="scorecard_activate"),
    path("scorecards/<int:pk>/new-version/", ScorecardNewVersionView.as_view(), name="scorecard_new_version"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Scorecards"), reverse_lazy("callqa:scorecards"),
                           name="callqa-scorecards", icon_name="clipboard-list", order=700,
                           permissions=(VIEW, MANAGE)),
    ]
