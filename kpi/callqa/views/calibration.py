"""Calibration sessions in the admin (Çağrı merkezi → Kalibrasyon).

    callqa:calibration          GET  calibration/                  the sessions the reader may see
    callqa:calibration_new      GET/POST calibration/new/[?q=call id&call=call id]   a new session (QA lead)
    callqa:calibration_session  GET  calibration/<id>/             results: marks, spread, agreement, alpha,
                                                                   deviations from the lead with their flags
    callqa:calibration_close    GET/POST calibration/<id>/close/   close it (its lead or the QA lead)
    callqa:calibration_history  GET  calibration/history/[?evaluator=<user id>]   an evaluator's sessions over time

A participant scores the session's call on the evaluations area's scoring page
(`callqa:evaluation_score`), linked from the list and the results. What each reader sees of the
results is decided by `kpi.callqa.calibration.shown_to` (module text "Who sees what"): the QA lead,
the management representative and the session's lead everything; an invited evaluator their own
part and the aggregates, once their scoring is submitted; anyone else 404, as for a screen of a
role they do not hold.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi.callqa import calibration, sampling
from kpi.callqa.access import manages_qa
from kpi.callqa.menu import PermissionMenuItem
from kpi.callqa.models import CalibrationSession, Call, EvaluationStatus, Outcome, Scorecard, ScoringType
from kpi.callqa.views.sampling import EvaluatorField
from kpi.charts import format_number, format_percent

MANAGE = "callqa.manage_callqa"
EVALUATE = "callqa.evaluate_call"
VIEW_ALL = "callqa.view_evaluation"
SEES_CALIBRATION = (MANAGE, EVALUATE, VIEW_ALL)
PAGE_SIZE = 50
SEARCH_MAX = 20
NO_VALUE = "—"


def _require_any(user, *perms: str) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active and any(user.has_perm(p) for p in perms)):
        raise Http404


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip() if user else ""


def score_url(evaluation_id) -> str | None:
    """The evaluations area's scoring page of an evaluation, or None when it is not there."""
    try:
        return reverse("callqa:evaluation_score", args=[evaluation_id])
    except NoReverseMatch:
        return None


# --- how figures are written ----------------------------------------------------------------------------


def mark_text(mark, criterion) -> str:
    if mark is None:
        return NO_VALUE
    if mark.na:
        return _("N/A")
    if mark.value is None:
        return NO_VALUE
    if criterion.scoring == ScoringType.YES_NO:
        return _("Yes") if mark.value else _("No")
    return f"{mark.value} / {criterion.max_score}"


def points(value) -> str:
    return NO_VALUE if value is None else format_number(float(value), 2)


def signed_points(value) -> str:
    if value is None:
        return NO_VALUE
    text = format_number(abs(float(value)), 2)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


def alpha_text(value) -> str:
    return NO_VALUE if value is None else format_number(value, 3)


def share_text(value) -> str:
    return NO_VALUE if value is None else format_percent(value * 100, 1)


def number_text(value, decimals=0) -> str:
    return NO_VALUE if value is None else format_number(value, decimals)


# --- pages ----------------------------------------------------------------------------------------------------


class _Page(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"
    parent = True

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if self.parent:
            items.append({"url": reverse("callqa:calibration"), "label": str(SessionListView.page_title)})
        return items + [{"url": "", "label": str(self.get_page_title())}]


class SessionListView(_Page):
    template_name = "callqa/calibration/list.html"
    page_title = gettext_lazy("Calibration sessions")
    parent = False

    def get(self, request, *args, **kwargs):
        user = request.user
        _require_any(user, *SEES_CALIBRATION)
        page = Paginator(calibration.listed_for(user), PAGE_SIZE).get_page(request.GET.get("p"))
        rows = list(page)
        for session in rows:
            session.score_url = (score_url(session.my_evaluation)
                                 if session.my_evaluation and session.my_status != EvaluationStatus.SUBMITTED
                                 and session.status == CalibrationSession.Status.OPEN else None)
        return self.render_to_response(self.get_context_data(
            page=page, sessions=rows, may_create=manages_qa(user), oversees=calibration.oversees(user),
            may_history=user.has_perm(EVALUATE) or calibration.oversees(user)))


class SessionForm(forms.Form):
    call_id = forms.CharField(label=gettext_lazy("Call id"), max_length=64,
                              help_text=gettext_lazy("An answered call with an agent; find it with the search above."))
    title = forms.CharField(label=pgettext_lazy("calibration session", "Title"), max_length=150, required=False,
                            help_text=gettext_lazy("Empty: “Calibration of call …”."))
    scorecard = forms.ModelChoiceField(label=gettext_lazy("Scorecard"), queryset=Scorecard.objects.none(),
                                       empty_label=None)
    evaluators = EvaluatorField(
        label=gettext_lazy("Evaluators"), queryset=Scorecard.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("You score the call too, as the lead: your scoring is the reference."))
    tolerance = forms.DecimalField(label=gettext_lazy("Tolerance (points)"), min_value=0, max_value=100,
                                   decimal_places=2, max_digits=5, localize=True,
                                   help_text=gettext_lazy("An evaluator whose score is more than this many points "
                                                          "away from yours is flagged."))
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                format="%Y-%m-%d"))

    def __init__(self, *args, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].queryset = Scorecard.objects.filter(status=Scorecard.Status.ACTIVE).order_by("key")
        evaluators = sampling.default_evaluators()
        if lead is not None:
            evaluators = evaluators.exclude(pk=lead.pk)
        self.fields["evaluators"].queryset = evaluators

    def clean_call_id(self):
        call_id = self.cleaned_data["call_id"].strip()
        call = Call.objects.select_related("agent__staff").filter(call_id=call_id).first()
        if call is None:
            raise ValidationError(_("There is no call %(call)s.") % {"call": call_id})
        self.call = call
        return call_id


class SessionCreateView(_Page):
    template_name = "callqa/calibration/new.html"
    page_title = gettext_lazy("New calibration session")

    def dispatch(self, request, *args, **kwargs):
        if not manages_qa(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        initial = {"tolerance": calibration.default_tolerance(), "held_on": timezone.localdate(),
                   "call_id": request.GET.get("call", "")[:64]}
        card = Scorecard.objects.filter(status=Scorecard.Status.ACTIVE).order_by("key").first()
        if card:
            initial["scorecard"] = card.pk
        return self.render_form(SessionForm(initial=initial, lead=request.user))

    def post(self, request, *args, **kwargs):
        form = SessionForm(request.POST, lead=request.user)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            session = calibration.create_session(
                call=form.call, scorecard=data["scorecard"], lead=request.user, evaluators=list(data["evaluators"]),
                title=data["title"], held_on=data["held_on"], tolerance=data["tolerance"], by=request.user)
        except ValidationError as error:
            return self.render_form(form, problems=error.messages, status=400)
        except PermissionDenied as error:
            return self.render_form(form, problems=[str(error)], status=403)
        messages.success(request, _("The calibration session “%(title)s” was opened: each participant finds the call "
                                    "in their list to score.") % {"title": session.title})
        return HttpResponseRedirect(reverse("callqa:calibration_session", args=[session.pk]))

    def render_form(self, form, *, problems=(), status=200):
        query = (self.request.GET.get("q") or "").strip()[:64]
        found = []
        if query:
            found = list(Call.objects.filter(call_id__startswith=query, outcome=Outcome.ANSWERED, agent__isnull=False)
                         .select_related("agent", "line", "queue").order_by("-offered_at")[:SEARCH_MAX])
        return self.render_to_response(self.get_context_data(form=form, problems=problems, query=query, found=found,
                                                             search_max=SEARCH_MAX), status=status)


class SessionResultsView(_Page):
    template_name = "callqa/calibration/results.html"

    def get_page_title(self):
        return self.session.title

    def get(self, request, pk: int, *args, **kwargs):
        self.session = calibration.session_or_404(request.user, pk)
        result = calibration.results(self.session)
        shown = calibration.shown_to(result, request.user)
        me = result.participant_of(request.user)
        my_score_url = (score_url(me.evaluation.pk) if me and not me.submitted
                        and self.session.status == CalibrationSession.Status.OPEN else None)
        return self.render_to_response(self.get_context_data(
            session=self.session, result=result, shown=shown, me=me, my_score_url=my_score_url,
            table=self.table(shown), deviations=self.deviations(shown, request.user),
            may_close=(calibration.may_manage(self.session, request.user)
                       and self.session.status == CalibrationSession.Status.OPEN),
            waiting=[p.name for p in result.waiting] if shown.sees_all else [],
            figures={"session_alpha": alpha_text(result.session_alpha), "key_alpha": alpha_text(result.key_alpha),
                     "agreement": share_text(result.agreement), "key_sessions": result.key_sessions,
                     "tolerance": points(self.session.tolerance)}))

    @staticmethod
    def table(shown) -> list[dict]:
        rows = []
        for row, marks in shown.rows:
            criterion = row.criterion
            rows.append({
                "criterion": criterion, "section": criterion.section.title,
                "marks": [mark_text(mark, criterion) for mark in marks],
                "minimum": number_text(row.minimum), "maximum": number_text(row.maximum),
                "sd": number_text(row.sd, 2), "agreement": share_text(row.agreement),
                "pairs": row.pairs, "agreeing": row.agreeing_pairs,
                "alpha": alpha_text(row.history_alpha), "alpha_sessions": row.history_sessions,
                "metric": _("nominal") if row.metric == "nominal" else _("interval"),
                "scale": (_("yes / no") if criterion.scoring == ScoringType.YES_NO
                          else _("0 to %(max)s") % {"max": criterion.max_score}),
            })
        return rows

    @staticmethod
    def deviations(shown, viewer) -> list[dict]:
        result = shown.results
        rows = []
        for participant in shown.deviations:
            rows.append({
                "name": _("You") if participant.user.pk == viewer.pk else participant.name,
                "participant": participant, "submitted": participant.submitted,
                "score": points(participant.score), "lead_score": points(result.lead.score if result.lead else None),
                "deviation": signed_points(participant.deviation), "flagged": participant.flagged,
                "compared": participant.deviation is not None,
            })
        return rows


class CloseSessionView(_Page):
    template_name = "callqa/calibration/close.html"

    def get_page_title(self):
        return _("Close “%(title)s”") % {"title": self.session.title}

    def dispatch(self, request, *args, **kwargs):
        self.session = calibration.session_or_404(request.user, kwargs["pk"])
        if not calibration.may_manage(self.session, request.user):
            return permission_denied(request, PermissionDenied(
                _("Only the session's lead or the QA lead closes a calibration session.")))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        result = calibration.results(self.session)
        return self.render_to_response(self.get_context_data(
            session=self.session, waiting=[p.name for p in result.waiting], lead_done=result.lead is not None))

    def post(self, request, *args, **kwargs):
        try:
            calibration.close_session(self.session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("callqa:calibration_session", args=[self.session.pk]))
        messages.success(request, _("The session “%(title)s” is closed; its results are final.")
                         % {"title": self.session.title})
        return HttpResponseRedirect(reverse("callqa:calibration_session", args=[self.session.pk]))


class HistoryView(_Page):
    template_name = "callqa/calibration/history.html"
    page_title = gettext_lazy("Calibration history")

    def get(self, request, *args, **kwargs):
        from django.contrib.auth import get_user_model

        user = request.user
        _require_any(user, *SEES_CALIBRATION)
        oversees = calibration.oversees(user)
        choices = list(calibration.evaluators_with_history()) if oversees else []
        wanted = request.GET.get("evaluator")
        evaluator = user
        if wanted and wanted != str(user.pk):
            if not oversees or not wanted.isdigit():
                raise Http404
            evaluator = get_user_model().objects.filter(pk=int(wanted)).first()
            if evaluator is None:
                raise Http404
        elif not user.has_perm(EVALUATE) and not oversees:
            raise Http404
        found = calibration.history(evaluator)
        rows = [{
            "row": row, "session": row.session, "score": points(row.score), "lead_score": points(row.lead_score),
            "deviation": signed_points(row.deviation), "tolerance": points(row.session.tolerance),
            "flagged": row.flagged, "compared": row.deviation is not None,
        } for row in found.rows]
        return self.render_to_response(self.get_context_data(
            evaluator=evaluator, is_self=evaluator.pk == user.pk, history=found, rows=rows, choices=choices,
            oversees=oversees, summary={
                "sessions": len(found.rows), "compared": len(found.compared), "flagged": found.flag_count,
                "mean_abs": points(found.mean_abs_deviation), "mean": signed_points(found.mean_deviation)}))


urlpatterns = [
    path("calibration/", SessionListView.as_view(), name="calibration"),
    path("calibration/new/", SessionCreateView.as_view(), name="calibration_new"),
    path("calibration/history/", HistoryView.as_view(), name="calibration_history"),
    path("calibration/<int:pk>/", SessionResultsView.as_view(), name="calibration_session"),
    path("calibration/<int:pk>/close/", CloseSessionView.as_view(), name="calibration_close"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Calibration"), reverse_lazy("callqa:calibration"),
                           name="callqa-calibration", icon_name="group", order=500, permissions=SEES_CALIBRATION),
    ]


def hooks():
    return [("register_log_actions", calibration.register_log_actions)]
