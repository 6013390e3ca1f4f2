"""Call evaluations in the admin (Çağrı merkezi): the evaluator's queue and scoring page, the
evaluation's page and PDF, the agent's own evaluations (acknowledge or dispute), the QA lead's
disputes, and the list of evaluations with its CSV / XLSX download.

    callqa:queue               GET  evaluations/queue/[?month=YYYY-MM]   the evaluator's open work
    callqa:evaluation_score    GET/POST evaluations/<id>/score/          score a call ("action": draft|submit)
    callqa:evaluation          GET  evaluations/<id>/                    one evaluation
    callqa:evaluation_pdf      GET  evaluations/<id>/pdf/
    callqa:evaluation_acknowledge  POST evaluations/<id>/acknowledge/
    callqa:evaluation_dispute  POST evaluations/<id>/dispute/           ("reason")
    callqa:my_evaluations      GET  evaluations/mine/                    the agent's submitted evaluations
    callqa:evaluations         GET  evaluations/[?month&agent&evaluator&status&format=csv|xlsx]
    callqa:disputes            GET  disputes/[?status=open|all]
    callqa:dispute             GET/POST disputes/<id>/                   decide ("action": uphold|rescore)

Confidentiality (KVKK): every list, page, download and PDF reads through `kpi.callqa.access`; an
evaluation (or dispute) the reader may not see is a 404, as is a screen of a role the reader does
not hold, so a guessed address tells nothing. Changes go through `kpi.callqa.services`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi.callqa import access, evaluation_reminders, scoring, services  # noqa: F401 (the reminders register)
from kpi.callqa.evaluation_forms import ScoringForm, score_sections
from kpi.callqa.menu import PermissionMenuItem
from kpi.callqa.models import (
    Acknowledgement,
    Agent,
    CalibrationSession,
    CriterionScore,
    Dispute,
    Evaluation,
    EvaluationStatus,
)
from kpi.callqa.scoring import Mark
from kpi.scorecards import month_label, parse_month
from qms.downloads import spreadsheet_response

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_MAX = 50_000

EVALUATE = "callqa.evaluate_call"
RECEIVE = "callqa.receive_evaluation"
VIEW_ALL = "callqa.view_evaluation"
LEAD_TEAM = "callqa.lead_team"
MANAGE = "callqa.manage_callqa"
# Who may open the list of evaluations (each sees only the rows access.py lets them see).
LIST_PERMISSIONS = (VIEW_ALL, LEAD_TEAM, EVALUATE, RECEIVE, MANAGE)


def require_any(user, *perms: str) -> None:
    """A screen of a role the reader does not hold is not there for them (404, like a guessed id)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and any(user.has_perm(p) for p in perms)):
        raise Http404


def listing(queryset):
    """What every list of evaluations shows, in a fixed number of queries."""
    return queryset.select_related("call__line", "call__queue", "agent__staff__user", "agent__team", "evaluator",
                                   "scorecard", "session", "dispute")


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip() if user else ""


def safe_recording_url(url: str) -> str:
    """The recording's address if it is a web address (http, https or a path on this site), else ""."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def allow_recording(response, url: str):
    """Let the page's audio player load the recording from its server (the house CSP allows media
    from this site only): media-src gets that one origin, nothing else changes."""
    if not url or url.startswith("/"):
        return response
    parts = urlsplit(url)
    policy = dict(getattr(settings, "SECURE_CSP", {}) or {})
    if policy:
        policy["media-src"] = [CSP.SELF, f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = policy
    return response


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "form"
    parent_label = None
    parent_url_name = None

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if self.parent_url_name:
            items.append({"url": reverse(self.parent_url_name), "label": str(self.parent_label)})
        return items + [{"url": "", "label": str(self.get_page_title())}]


# --- the evaluator's queue --------------------------------------------------------------------------------


class QueueView(AdminPage):
    """The evaluator's assigned and draft evaluations, by month, with the counts of each month."""

    template_name = "callqa/evaluations/queue.html"
    page_title = gettext_lazy("My QA queue")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        require_any(request.user, EVALUATE)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        user = request.user
        open_work = access.evaluations_visible_to(user, Evaluation.objects.filter(
            evaluator=user, status__in=[EvaluationStatus.ASSIGNED, EvaluationStatus.DRAFT]))
        months = list(open_work.order_by().values("month").annotate(
            assigned=Count("pk", filter=Q(status=EvaluationStatus.ASSIGNED)),
            draft=Count("pk", filter=Q(status=EvaluationStatus.DRAFT)),
            total=Count("pk")).order_by("-month"))
        for row in months:
            row["label"] = month_label(row["month"])
            row["key"] = f"{row['month']:%Y-%m}"
        month = parse_month(request.GET.get("month"))
        rows = open_work
        if request.GET.get("month"):
            if month is None:
                return HttpResponseBadRequest(_("Give a month as YYYY-MM."))
            rows = rows.filter(month=month)
        page = Paginator(listing(rows).order_by("month", "call__offered_at", "pk"), PAGE_SIZE).get_page(
            request.GET.get("p"))
        submitted = Evaluation.objects.filter(evaluator=user, status=EvaluationStatus.SUBMITTED,
                                              submitted_at__date__gte=timezone.localdate().replace(day=1)).count()
        return self.render_to_response(self.get_context_data(
            months=months, month=month, month_label=month_label(month) if month else "", page=page, rows=list(page),
            total=sum(row["total"] for row in months), submitted_this_month=submitted,
            query_string=f"month={month:%Y-%m}" if month else ""))


# --- scoring ----------------------------------------------------------------------------------------------


def _scores(evaluation) -> dict[int, CriterionScore]:
    return {s.criterion_id: s for s in CriterionScore.objects.filter(evaluation=evaluation)}


def _detail_queryset():
    return Evaluation.objects.select_related("call__line", "call__queue", "agent__staff__user", "agent__team",
                                             "evaluator", "scorecard", "session")


class ScoreView(AdminPage):
    """The evaluator scores the call: each criterion (with guidance), a comment each, the overall
    feedback and development suggestions; "Save draft" keeps the work, "Submit" sends it (complete)."""

    template_name = "callqa/evaluations/score.html"
    header_icon = "form"
    parent_label = gettext_lazy("My QA queue")
    parent_url_name = "callqa:queue"

    def get_page_title(self):
        return _("Score the call")

    def evaluation(self):
        evaluation = access.evaluation_or_404(self.request.user, self.kwargs["pk"], _detail_queryset())
        closed = evaluation.session_id is not None and evaluation.session.status != CalibrationSession.Status.OPEN
        if evaluation.evaluator_id != self.request.user.pk or evaluation.status == EvaluationStatus.SUBMITTED or closed:
            return evaluation, HttpResponseRedirect(reverse("callqa:evaluation", args=[evaluation.pk]))
        return evaluation, None

    def get(self, request, *args, **kwargs):
        evaluation, elsewhere = self.evaluation()
        if elsewhere:
            return elsewhere
        criteria = scoring.criteria_of(evaluation.scorecard)
        form = ScoringForm(criteria, scores=_scores(evaluation), feedback=evaluation.feedback,
                           suggestions=evaluation.suggestions)
        return self.render(evaluation, form)

    def post(self, request, *args, **kwargs):
        evaluation, elsewhere = self.evaluation()
        if elsewhere:
            return elsewhere
        action = request.POST.get("action")
        if action not in ("draft", "submit"):
            return HttpResponseBadRequest(_("Choose “Save draft” or “Submit”."))
        criteria = scoring.criteria_of(evaluation.scorecard)
        form = ScoringForm(criteria, data=request.POST)
        step = services.save_draft if action == "draft" else services.submit
        try:
            # Only marks, comments and texts are passed on: a posted "score" is never read.
            saved = step(evaluation, form.marks(), form.comments(), form.feedback, form.suggestions, by=request.user)
        except ValidationError as error:
            form.add_errors(error)
            return self.render(evaluation, form, status=400)
        except PermissionDenied as error:
            return permission_denied(request, error)
        if action == "draft":
            messages.success(request, _("The draft is saved. It is not sent to anyone until you submit it."))
            return HttpResponseRedirect(reverse("callqa:evaluation_score", args=[saved.pk]))
        messages.success(request, _("The evaluation is submitted. Score: %(score)s.") % {"score": saved.score})
        return HttpResponseRedirect(reverse("callqa:evaluation", args=[saved.pk]))

    def render(self, evaluation, form, status=200):
        recording = safe_recording_url(evaluation.call.recording_url)
        response = self.render_to_response(self.get_context_data(
            evaluation=evaluation, call=evaluation.call, form=form, recording=recording,
            errors=form.non_field_errors), status=status)
        return allow_recording(response, recording)


# --- one evaluation -----------------------------------------------------------------------------------------


def evaluation_view_data(evaluation, user) -> dict:
    """What the page and the PDF show of an evaluation (its visibility already checked)."""
    criteria = scoring.criteria_of(evaluation.scorecard)
    scores = _scores(evaluation)
    result = None
    if evaluation.status == EvaluationStatus.SUBMITTED:
        result = scoring.compute(criteria, {pk: Mark(s.value, s.na) for pk, s in scores.items()})
    try:
        found = evaluation.dispute
    except Dispute.DoesNotExist:
        found = None
    return {
        "sections": score_sections(criteria, scores, result),
        "result": result,
        "rescored": any(s.original_na is not None for s in scores.values()),
        "dispute": found,
        "deadline": services.response_deadline(evaluation) if evaluation.session_id is None else None,
    }


class EvaluationView(AdminPage):
    template_name = "callqa/evaluations/detail.html"
    header_icon = "doc-full"

    def get_page_title(self):
        return _("Call evaluation")

    def get(self, request, *args, **kwargs):
        evaluation = access.evaluation_or_404(request.user, kwargs["pk"], _detail_queryset())
        return self.render(evaluation)

    def render(self, evaluation, *, reason="", dispute_errors=(), status=200):
        user = self.request.user
        data = evaluation_view_data(evaluation, user)
        recording = safe_recording_url(evaluation.call.recording_url)
        response = self.render_to_response(self.get_context_data(
            evaluation=evaluation, call=evaluation.call, recording=recording, **data,
            may_respond=services.may_respond(evaluation, user),
            is_agent=services.agent_user_id(evaluation) == user.pk,
            may_score=evaluation.evaluator_id == user.pk and evaluation.status != EvaluationStatus.SUBMITTED
            and (evaluation.session_id is None or evaluation.session.status == CalibrationSession.Status.OPEN),
            may_decide=access.manages_qa(user) and data["dispute"] is not None
            and data["dispute"].status == Dispute.Status.OPEN,
            reason=reason, dispute_errors=list(dispute_errors),
            dispute_days=settings.QMS_CALLQA_DISPUTE_DAYS), status=status)
        return allow_recording(response, recording)


class AcknowledgeView(EvaluationView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        evaluation = access.evaluation_or_404(request.user, kwargs["pk"], _detail_queryset())
        try:
            services.acknowledge(evaluation, by=request.user)
        except PermissionDenied as error:
            return permission_denied(request, error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You acknowledged the evaluation. Thank you."))
        return HttpResponseRedirect(reverse("callqa:evaluation", args=[evaluation.pk]))


class DisputeView(EvaluationView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        evaluation = access.evaluation_or_404(request.user, kwargs["pk"], _detail_queryset())
        reason = request.POST.get("reason", "")
        try:
            services.dispute(evaluation, reason, by=request.user)
        except PermissionDenied as error:
            return permission_denied(request, error)
        except ValidationError as error:
            return self.render(evaluation, reason=reason, dispute_errors=error.messages, status=400)
        messages.success(request, _("Your dispute is sent to the QA lead, who will decide it."))
        return HttpResponseRedirect(reverse("callqa:evaluation", args=[evaluation.pk]))


class EvaluationPdfView(EvaluationView):
    def get(self, request, *args, **kwargs):
        from kpi.callqa.evaluation_pdf import evaluation_pdf, evaluation_pdf_name
        from qms.pdf import pdf_response

        evaluation = access.evaluation_or_404(request.user, kwargs["pk"], _detail_queryset())
        data = evaluation_view_data(evaluation, request.user)
        return pdf_response(evaluation_pdf(evaluation, data, user=request.user), evaluation_pdf_name(evaluation))


# --- the agent's evaluations --------------------------------------------------------------------------------


class MyEvaluationsView(AdminPage):
    template_name = "callqa/evaluations/mine.html"
    page_title = gettext_lazy("My evaluations")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        require_any(request.user, RECEIVE)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        agent = access.own_agent(request.user)
        rows = Evaluation.objects.none()
        if agent is not None:
            rows = access.evaluations_visible_to(request.user, Evaluation.objects.filter(
                agent=agent, status=EvaluationStatus.SUBMITTED, session__isnull=True))
        page = Paginator(listing(rows).order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
        today = timezone.localdate()
        items = []
        for evaluation in page:
            deadline = services.response_deadline(evaluation)
            items.append({"evaluation": evaluation, "deadline": deadline,
                          "open": evaluation.acknowledgement == Acknowledgement.PENDING and today <= deadline})
        return self.render_to_response(self.get_context_data(
            agent=agent, page=page, items=items, waiting=sum(1 for item in items if item["open"]),
            dispute_days=settings.QMS_CALLQA_DISPUTE_DAYS, query_string=""))


# --- the list of evaluations -------------------------------------------------------------------------------


class EvaluationFilterForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), required=False,
                            widget=forms.DateInput(attrs={"type": "month"}))
    agent = forms.TypedChoiceField(label=gettext_lazy("Agent"), required=False, coerce=int, empty_value=None)
    evaluator = forms.TypedChoiceField(label=gettext_lazy("Evaluator"), required=False, coerce=int,
                                       empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args, agents, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", _("All agents"))] + [(a.pk, str(a)) for a in agents]
        self.fields["evaluator"].choices = [("", _("All evaluators"))] + [(u.pk, _person(u)) for u in evaluators]
        self.fields["status"].choices = [("", _("All statuses"))] + list(EvaluationStatus.choices)

    def clean_month(self):
        raw = self.cleaned_data.get("month")
        if not raw:
            return None
        month = parse_month(raw)
        if month is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        return month


class EvaluationListView(AdminPage):
    """Every evaluation the reader may see (the QA lead and the management representative all, a
    team lead their team's submitted ones, an evaluator theirs, an agent their own submitted ones),
    with filters and a CSV / XLSX download of the same rows."""

    template_name = "callqa/evaluations/list.html"
    page_title = gettext_lazy("Call evaluations")
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        require_any(request.user, *LIST_PERMISSIONS)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        user = request.user
        visible = access.evaluations_visible_to(user)
        agents = Agent.objects.filter(pk__in=visible.values("agent_id")).select_related("staff__user").order_by("code")
        evaluators = (get_user_model()._default_manager.filter(pk__in=visible.values("evaluator_id"))
                      .order_by("first_name", "last_name", "username"))
        form = EvaluationFilterForm(request.GET or None, agents=agents, evaluators=evaluators)
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, page=None, rows=[]), status=400)
        data = form.cleaned_data if form.is_bound else {}
        rows = visible
        if data.get("month"):
            rows = rows.filter(month=data["month"])
        if data.get("agent"):
            rows = rows.filter(agent_id=data["agent"])
        if data.get("evaluator"):
            rows = rows.filter(evaluator_id=data["evaluator"])
        if data.get("status"):
            rows = rows.filter(status=data["status"])
        rows = listing(rows).order_by("-month", "-submitted_at", "-pk")
        export_format = request.GET.get("format")
        if export_format is not None:
            if export_format not in EXPORT_FORMATS:
                return HttpResponseBadRequest(_("Unknown download format."))
            return self.download(rows, export_format, data)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        query.pop("format", None)
        return self.render_to_response(self.get_context_data(
            form=form, page=page, rows=list(page), query_string=query.urlencode(),
            csv_url=f"?{query.urlencode()}&format=csv", xlsx_url=f"?{query.urlencode()}&format=xlsx",
            export_max=EXPORT_MAX))

    def download(self, rows, export_format: str, data: dict):
        headers = [_("Evaluation"), _("Month"), _("Kind"), _("Call"), _("Call time"), pgettext("call line", "Line"),
                   _("Queue"), _("Agent code"), _("Agent"), _("Team"), _("Evaluator"), _("Scorecard"), _("Version"),
                   _("Status"), _("Score"), _("Critical fail"), _("Original score"), _("Submitted"),
                   _("Agent response"), _("Dispute")]

        def lines():
            for ev in rows[:EXPORT_MAX]:
                try:
                    dispute_status = ev.dispute.get_status_display()
                except Dispute.DoesNotExist:
                    dispute_status = ""
                yield [ev.pk, f"{ev.month:%Y-%m}", _("Calibration") if ev.session_id else _("Regular"),
                       ev.call.call_id, _local(ev.call.offered_at), ev.call.line.name, ev.call.queue.name,
                       ev.agent.code, ev.agent.display_name, ev.agent.team.name if ev.agent.team_id else "",
                       _person(ev.evaluator), ev.scorecard.name, ev.scorecard.version, ev.get_status_display(),
                       ev.score, ev.critical_failed if ev.status == EvaluationStatus.SUBMITTED else None,
                       ev.original_score, _local(ev.submitted_at),
                       ev.get_acknowledgement_display() if ev.status == EvaluationStatus.SUBMITTED
                       and not ev.session_id else "", str(dispute_status)]

        stem = _("Call evaluations")
        if data.get("month"):
            stem += f" {data['month']:%Y-%m}"
        return spreadsheet_response(export_format, [(_("Call evaluations"), headers, lines())], stem)


# --- disputes -----------------------------------------------------------------------------------------------


class DisputeListView(AdminPage):
    template_name = "callqa/evaluations/disputes.html"
    page_title = gettext_lazy("Disputes")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        require_any(request.user, MANAGE)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        show = request.GET.get("status", "open")
        rows = access.disputes_visible_to(request.user).select_related(
            "evaluation__call", "evaluation__agent__staff__user", "evaluation__agent__team", "evaluation__evaluator",
            "evaluation__scorecard", "raised_by", "decided_by")
        if show == "open":
            rows = rows.filter(status=Dispute.Status.OPEN)
        page = Paginator(rows.order_by("raised_at", "pk") if show == "open" else rows.order_by("-raised_at", "-pk"),
                         PAGE_SIZE).get_page(request.GET.get("p"))
        return self.render_to_response(self.get_context_data(
            page=page, rows=list(page), show=show, query_string=f"status={show}",
            open_count=access.disputes_visible_to(request.user).filter(status=Dispute.Status.OPEN).count()))


class DecideDisputeView(AdminPage):
    """The QA lead reads the dispute and either upholds the score (with a note) or re-scores the
    call with the scoring form; the original scores stay beside the new ones."""

    template_name = "callqa/evaluations/dispute.html"
    header_icon = "warning"
    parent_label = gettext_lazy("Disputes")
    parent_url_name = "callqa:disputes"

    def get_page_title(self):
        return _("Decide a dispute")

    def dispatch(self, request, *args, **kwargs):
        require_any(request.user, MANAGE)
        return super().dispatch(request, *args, **kwargs)

    def dispute(self):
        return get_object_or_404(access.disputes_visible_to(self.request.user).select_related(
            "evaluation__call__line", "evaluation__call__queue", "evaluation__agent__staff__user",
            "evaluation__agent__team", "evaluation__evaluator", "evaluation__scorecard", "raised_by", "decided_by"),
            pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        found = self.dispute()
        evaluation = found.evaluation
        criteria = scoring.criteria_of(evaluation.scorecard)
        form = ScoringForm(criteria, scores=_scores(evaluation))
        return self.render(found, form)

    def post(self, request, *args, **kwargs):
        found = self.dispute()
        action = request.POST.get("action")
        if action not in ("uphold", "rescore"):
            return HttpResponseBadRequest(_("Choose to uphold the score or to re-score."))
        evaluation = found.evaluation
        criteria = scoring.criteria_of(evaluation.scorecard)
        form = ScoringForm(criteria, data=request.POST)
        note = request.POST.get("note", "")
        try:
            if action == "uphold":
                services.decide_dispute(found, upheld=True, note=note, by=request.user)
            else:
                services.decide_dispute(found, upheld=False, note=note, marks=form.marks(), comments=form.comments(),
                                        by=request.user)
        except ValidationError as error:
            form.add_errors(error)
            return self.render(found, form, note=note, status=400)
        except PermissionDenied as error:
            return permission_denied(request, error)
        messages.success(request, _("The dispute is decided; the agent is told."))
        return HttpResponseRedirect(reverse("callqa:evaluation", args=[evaluation.pk]))

    def render(self, found, form, *, note="", status=200):
        evaluation = found.evaluation
        data = evaluation_view_data(evaluation, self.request.user)
        recording = safe_recording_url(evaluation.call.recording_url)
        response = self.render_to_response(self.get_context_data(
            found=found, evaluation=evaluation, call=evaluation.call, form=form, note=note, recording=recording,
            errors=form.non_field_errors, **data), status=status)
        return allow_recording(response, recording)


urlpatterns = [
    path("evaluations/", EvaluationListView.as_view(), name="evaluations"),
    path("evaluations/queue/", QueueView.as_view(), name="queue"),
    path("evaluations/mine/", MyEvaluationsView.as_view(), name="my_evaluations"),
    path("evaluations/<int:pk>/", EvaluationView.as_view(), name="evaluation"),
    path("evaluations/<int:pk>/score/", ScoreView.as_view(), name="evaluation_score"),
    path("evaluations/<int:pk>/pdf/", EvaluationPdfView.as_view(), name="evaluation_pdf"),
    path("evaluations/<int:pk>/acknowledge/", AcknowledgeView.as_view(), name="evaluation_acknowledge"),
    path("evaluations/<int:pk>/dispute/", DisputeView.as_view(), name="evaluation_dispute"),
    path("disputes/", DisputeListView.as_view(), name="disputes"),
    path("disputes/<int:pk>/", DecideDisputeView.as_view(), name="dispute"),
]


def _sees_evaluation_list(user) -> bool:
    return user.has_perm(VIEW_ALL) or user.has_perm(LEAD_TEAM)


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "My QA queue"), reverse_lazy("callqa:queue"), name="callqa-queue",
                           icon_name="tasks", order=400, permissions=(EVALUATE,)),
        PermissionMenuItem(pgettext_lazy("menu", "My evaluations"), reverse_lazy("callqa:my_evaluations"),
                           name="callqa-my-evaluations", icon_name="user", order=410, permissions=(RECEIVE,)),
        PermissionMenuItem(pgettext_lazy("menu", "Evaluations"), reverse_lazy("callqa:evaluations"),
                           name="callqa-evaluations", icon_name="list-ul", order=420,
                           permissions=(VIEW_ALL, LEAD_TEAM)),
        PermissionMenuItem(pgettext_lazy("menu", "Disputes"), reverse_lazy("callqa:disputes"), name="callqa-disputes",
                           icon_name="warning", order=430, permissions=(MANAGE,)),
    ]


def _css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static("callqa/evaluations.css"))


def hooks():
    return [("register_log_actions", services.register_log_actions), ("insert_global_admin_css", _css)]

