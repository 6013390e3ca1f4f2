"""The monthly QA sample in the admin (Çağrı merkezi → Aylık örneklem), for the QA lead.

    callqa:sampling       GET  sampling/[?month&per_agent&seed&scorecard&evaluators&level_open&replace_unstarted
                                          &action=preview]   the form, the preview, the past runs
                          POST sampling/  (the same fields, action=draw)   draw and assign
    callqa:sampling_run   GET  sampling/<id>/   one run: its calls, agents and evaluators

The form comes filled in: the previous month, N from QMS_CALLQA_SAMPLE_PER_AGENT, a random seed
(shown, so that a run can be repeated or checked), the active scorecard, every evaluator. "Preview"
shows what would be drawn (per agent: the calls, the weeks and shifts they cover; per evaluator:
open work, new work, total) without writing; "Draw this sample" draws exactly that (the same seed
and the same data give the same sample). The rules are `kpi.callqa.sampling`'s.

Everything needs `callqa.manage_callqa`; anyone else gets 404 (a screen of a role they do not hold).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi.callqa import sampling
from kpi.callqa.menu import PermissionMenuItem
from kpi.callqa.models import Evaluation, EvaluationStatus, SamplingRun, Scorecard
from kpi.scorecards import month_label, parse_month

MANAGE = "callqa.manage_callqa"
RUNS_PER_PAGE = 25
SEED_DIGITS = 10**9


def _require_manager(user) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(MANAGE)):
        raise Http404


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip() if user else ""


class EvaluatorField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _person(obj)


class SampleForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"}),
                            help_text=gettext_lazy("The month whose calls are drawn (YYYY-MM)."))
    per_agent = forms.IntegerField(label=gettext_lazy("Calls per agent"), min_value=1, max_value=sampling.MAX_PER_AGENT)
    seed = forms.IntegerField(label=gettext_lazy("Seed"), min_value=0, max_value=sampling.MAX_SEED,
                              help_text=gettext_lazy("A number that fixes the draw: the same seed and the same calls "
                                                     "give the same sample. Note it to repeat or check a draw."))
    scorecard = forms.ModelChoiceField(label=gettext_lazy("Scorecard"), queryset=Scorecard.objects.none(),
                                       empty_label=None)
    evaluators = EvaluatorField(label=gettext_lazy("Evaluators"), queryset=Scorecard.objects.none(),
                                widget=forms.CheckboxSelectMultiple, required=False,
                                help_text=gettext_lazy("Nobody is given a call of their own."))
    level_open = forms.BooleanField(
        label=gettext_lazy("Count the evaluators' open evaluations"), required=False,
        help_text=gettext_lazy("Give fewer new calls to those with more assigned or draft evaluations, so that the "
                               "queues end up level. Untick to share only the new calls evenly."))
    replace_unstarted = forms.BooleanField(
        label=gettext_lazy("Replace the unstarted evaluations"), required=False,
        help_text=gettext_lazy("Only for a month already sampled with this scorecard: its evaluations nobody has "
                               "started are withdrawn and drawn again; started ones stay and count towards N."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].queryset = Scorecard.objects.filter(status=Scorecard.Status.ACTIVE).order_by("key")
        self.fields["evaluators"].queryset = sampling.default_evaluators()

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise ValidationError(_("Give a month as YYYY-MM."))
        return month

    def clean(self):
        cleaned = super().clean()
        if "evaluators" in cleaned and not cleaned["evaluators"]:
            self.add_error("evaluators", _("Choose at least one evaluator."))
        return cleaned

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {"per_agent": data["per_agent"], "seed": data["seed"], "scorecard": data["scorecard"],
                "evaluators": list(data["evaluators"]), "level_open": data["level_open"],
                "replace_unstarted": data["replace_unstarted"]}

    def hidden(self) -> list[tuple[str, str]]:
        """The form's values as hidden fields for the confirmation (POST) form."""
        data = self.cleaned_data
        pairs = [("month", f"{data['month']:%Y-%m}"), ("per_agent", str(data["per_agent"])),
                 ("seed", str(data["seed"])), ("scorecard", str(data["scorecard"].pk))]
        pairs += [("evaluators", str(user.pk)) for user in data["evaluators"]]
        if data["level_open"]:
            pairs.append(("level_open", "on"))
        if data["replace_unstarted"]:
            pairs.append(("replace_unstarted", "on"))
        return pairs


def initial_values() -> dict:
    today = timezone.localdate()
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    card = Scorecard.objects.filter(status=Scorecard.Status.ACTIVE).order_by("key").first()
    return {"month": f"{previous:%Y-%m}", "per_agent": settings.QMS_CALLQA_SAMPLE_PER_AGENT,
            "seed": secrets.randbelow(SEED_DIGITS), "scorecard": card.pk if card else None,
            "evaluators": [user.pk for user in sampling.default_evaluators()], "level_open": True}


class _Page(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        _require_manager(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if not isinstance(self, SamplingView):
            items.append({"url": reverse("callqa:sampling"), "label": str(SamplingView.page_title)})
        return items + [{"url": "", "label": str(self.get_page_title())}]


class SamplingView(_Page):
    template_name = "callqa/sampling/index.html"
    page_title = gettext_lazy("Monthly call sample")

    def get(self, request, *args, **kwargs):
        if request.GET.get("action") == "preview":
            form = SampleForm(request.GET)
            return self.render_form(form, preview=True)
        return self.render_form(SampleForm(initial=initial_values()), preview=False)

    def post(self, request, *args, **kwargs):
        form = SampleForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, preview=False, status=400)
        try:
            run = sampling.draw(form.cleaned_data["month"], by=request.user, **form.arguments())
        except ValidationError as error:
            return self.render_form(form, preview=False, problems=error.messages, status=400)
        plan = run.plan
        text = ngettext("%(count)s call of %(month)s was drawn and assigned (seed %(seed)s).",
                        "%(count)s calls of %(month)s were drawn and assigned (seed %(seed)s).", plan.total) % {
            "count": plan.total, "month": month_label(plan.month), "seed": run.seed}
        if plan.short_agents:
            text += " " + ngettext("%(count)s agent had fewer eligible calls than asked for.",
                                   "%(count)s agents had fewer eligible calls than asked for.",
                                   len(plan.short_agents)) % {"count": len(plan.short_agents)}
        messages.success(request, text)
        return HttpResponseRedirect(reverse("callqa:sampling_run", args=[run.pk]))

    def render_form(self, form, *, preview: bool, problems=(), status: int = 200):
        plan = None
        problems = list(problems)
        if preview and form.is_valid():
            try:
                plan = sampling.preview(form.cleaned_data["month"], **form.arguments())
            except ValidationError as error:
                problems += error.messages
                status = 400
        elif preview:
            status = 400
        page = Paginator(sampling.runs_with_counts(), RUNS_PER_PAGE).get_page(self.request.GET.get("p"))
        return self.render_to_response(self.get_context_data(
            form=form, plan=plan, problems=problems, page=page, runs=list(page),
            hidden=form.hidden() if plan else [], month_text=month_label(plan.month) if plan else "",
            shifts=[sampling.shift_label(i) for i in range(len(sampling.SHIFTS))]), status=status)


class SamplingRunView(_Page):
    template_name = "callqa/sampling/run.html"

    def get_page_title(self):
        return _("Sample of %(month)s") % {"month": month_label(self.run.month)}

    def get(self, request, pk: int, *args, **kwargs):
        self.run = get_object_or_404(SamplingRun.objects.select_related("scorecard", "created_by"), pk=pk)
        evaluations = list(Evaluation.objects.filter(sampling=self.run)
                           .select_related("call", "agent__staff__user", "evaluator")
                           .order_by("agent__code", "call__offered_at", "pk"))
        loads: dict[int, dict] = {}
        agents = set()
        for evaluation in evaluations:
            call = evaluation.call
            evaluation.local_time = timezone.localtime(call.offered_at)
            evaluation.week = call.offered_on.isocalendar()[1]
            evaluation.shift = sampling.shift_label(sampling.shift_of(call.offered_hour))
            agents.add(evaluation.agent_id)
            load = loads.setdefault(evaluation.evaluator_id, {"user": evaluation.evaluator, "total": 0, "submitted": 0})
            load["total"] += 1
            load["submitted"] += evaluation.status == EvaluationStatus.SUBMITTED
        return self.render_to_response(self.get_context_data(
            run=self.run, evaluations=evaluations, agent_count=len(agents),
            loads=sorted(loads.values(), key=lambda row: _person(row["user"]).lower())))


urlpatterns = [
    path("sampling/", SamplingView.as_view(), name="sampling"),
    path("sampling/<int:pk>/", SamplingRunView.as_view(), name="sampling_run"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Monthly sample"), reverse_lazy("callqa:sampling"),
                           name="callqa-sampling", icon_name="list-ol", order=450, permissions=(MANAGE,)),
    ]


def hooks():
    return [("register_log_actions", sampling.register_log_actions)]
