"""The call-QA reports and coaching screens (Çağrı merkezi → QA raporları, Koçluk).

Reports (figures from `kpi.callqa.reports`, always as the reader may see them):
* `callqa:reports` (/admin/callqa/reports/): the reports the reader may open, and the agent/month chooser.
* `callqa:report_agent` (reports/agents/<agent id>/<YYYY-MM>/) and `callqa:report_agent_pdf` (.../pdf/):
  one agent's month. An agent opens their own only, a team lead their team's agents, the QA lead and
  the management representative everyone's; any other agent id is 404.
* `callqa:report_agents_zip` (reports/agents/<YYYY-MM>/zip/[?team=]): every agent's PDF of the month
  in one zip (QA lead, management representative).
* `callqa:report_team` (reports/teams/?team=&month=) and `callqa:report_team_xlsx`: per agent of a
  team (or of every team the reader may see).
* `callqa:report_trends` (reports/trends/?team=&from=&to=): the mean score per month and team, chart
  and table.
* `callqa:report_weakest` (reports/weakest/?team=&from=&to=): criteria weakest first.
* `callqa:report_productivity` (reports/productivity/?month=) and its XLSX: per evaluator (QA lead,
  management representative).

Coaching (`kpi.callqa.coaching`):
* `callqa:coaching` (coaching/?status=&team=&agent=): the tasks the reader may see
  (`access.coaching_visible_to`), and the agents whose coaching calls for a DÖF.
* `callqa:coaching_task` (coaching/<id>/): a task; its owner, the team lead or the QA lead completes it.
* `callqa:coaching_dof` (coaching/agents/<agent id>/dof/): confirm and raise the DÖF.

Team pages are for the QA lead, the management representative and team leads; a team the reader
does not lead is 404, like a team that does not exist. A screen of a role the reader does not hold
is 404 as well (as the evaluation screens do), so a guessed address tells nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kpi.callqa import coaching as coaching_rules
from kpi.callqa import reports
from kpi.callqa.access import coaching_visible_to, manages_qa, own_agent, sees_all_evaluations
from kpi.callqa.menu import PermissionMenuItem
from kpi.callqa.models import CoachingTask, Team
from kpi.callqa.report_charts import TrendSeries, score_trend_chart
from kpi.callqa.report_pdf import agent_report_filename, agent_report_pdf, agent_report_title, facts, percent, score
from kpi.scorecards import month_label, parse_month
from qms.downloads import attachment_response, spreadsheet_response
from qms.pdf import pdf_response

VIEW_ALL = "callqa.view_evaluation"
LEAD_TEAM = "callqa.lead_team"
RECEIVE = "callqa.receive_evaluation"
REPORT_PERMISSIONS = (VIEW_ALL, LEAD_TEAM, RECEIVE)
PAGE_SIZE = 50
MAX_MONTHS = 24


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_reports(user) -> bool:
    return _active(user) and any(user.has_perm(p) for p in REPORT_PERMISSIONS)


def sees_coaching(user) -> bool:
    return _active(user) and (any(user.has_perm(p) for p in REPORT_PERMISSIONS)
                              or CoachingTask.objects.filter(owner=user).exists())


def latest_month(user) -> dt.date:
    """The latest month with a submitted evaluation the reader may see, else this month (one query)."""
    found = reports.visible(user, reports.regular_submitted()).aggregate(last=Max("month"))["last"]
    return found or timezone.localdate().replace(day=1)


def month_value(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def _month_axis(month: dt.date) -> str:
    from django.utils.dates import MONTHS_3

    return f"{MONTHS_3[month.month].capitalize()} {month:%y}"


def evaluation_url(pk: int) -> str:
    """The evaluation's page (the evaluations area's), when it is mounted."""
    try:
        return reverse("callqa:evaluation", args=[pk])
    except NoReverseMatch:
        return ""


# ---- forms -----------------------------------------------------------------------------------------


class MonthField(forms.CharField):
    widget = forms.DateInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise ValidationError(_("Give a month as YYYY-MM."))
        return month


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class AgentChooserForm(forms.Form):
    agent = AgentChoiceField(label=gettext_lazy("Agent"), queryset=None, empty_label=None)
    month = MonthField(label=gettext_lazy("Month"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = reports.report_agents(user).select_related("staff__user").order_by("code")


class TeamMonthForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, required=False,
                                  empty_label=gettext_lazy("All teams you may see"))
    month = MonthField(label=gettext_lazy("Month"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = reports.report_teams(user).order_by("name")


class TeamRangeForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, required=False,
                                  empty_label=gettext_lazy("All teams you may see"))
    start = MonthField(label=gettext_lazy("From (month)"), required=False)
    end = MonthField(label=gettext_lazy("To (month)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = reports.report_teams(user).order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise ValidationError(_("The first month comes after the last."))
            if len(reports.months_between(start, end)) > MAX_MONTHS:
                raise ValidationError(_("Choose at most %(count)s months.") % {"count": MAX_MONTHS})
        return cleaned


class MonthForm(forms.Form):
    month = MonthField(label=gettext_lazy("Month"), required=False)


class CoachingFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("open", pgettext_lazy("coaching tasks", "Open")), ("done", pgettext_lazy("coaching tasks", "Done")),
        ("all", pgettext_lazy("coaching tasks", "All"))])
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, required=False,
                                  empty_label=gettext_lazy("All teams you may see"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = reports.report_teams(user).order_by("name")


class CompleteForm(forms.Form):
    notes = forms.CharField(label=gettext_lazy("What was done in the coaching"), widget=forms.Textarea(
        attrs={"rows": 4}), max_length=4000)


class RaiseDofForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, help_text=gettext_lazy(
                                 "Required when the coaching is not (yet) repeated: only the QA lead may raise "
                                 "the DÖF then."))


# ---- the page base ---------------------------------------------------------------------------------


class _Page(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"
    parent = ("callqa:reports", gettext_lazy("QA reports"))

    def allowed(self, user) -> bool:
        return sees_reports(user)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if self.parent and self.request.resolver_match.view_name != self.parent[0]:
            items.append({"url": reverse(self.parent[0]), "label": str(self.parent[1])})
        return items + [{"url": "", "label": str(self.get_page_title())}]


def team_from_query(request) -> Team | None:
    """The `team` of the query string: a team the reader may see, else 404 (also for a guessed id)."""
    raw = request.GET.get("team", "")
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(reports.report_teams(request.user), pk=pk)


# ---- the index and one agent's month ---------------------------------------------------------------


class ReportsIndexView(_Page):
    template_name = "callqa/reports/index.html"
    page_title = gettext_lazy("QA reports")

    def get(self, request, *args, **kwargs):
        user = request.user
        form = AgentChooserForm(request.GET or None, user=user)
        if form.is_bound and form.is_valid() and form.cleaned_data["month"]:
            return HttpResponseRedirect(agent_report_url(form.cleaned_data["agent"], form.cleaned_data["month"]))
        month = latest_month(user)
        if not form.is_bound:
            mine = own_agent(user)
            form = AgentChooserForm(user=user, initial={"agent": mine.pk if mine else None,
                                                        "month": month_value(month)})
        mine = own_agent(user)
        links = []
        if mine is not None:
            links.append((agent_report_url(mine, month), _("My monthly report (%(month)s)")
                          % {"month": month_label(month)}))
        if reports.sees_team_reports(user):
            links += [(reverse("callqa:report_team"), _("Team summary")),
                      (reverse("callqa:report_trends"), _("Score trends")),
                      (reverse("callqa:report_weakest"), _("Weakest criteria"))]
        if reports.sees_productivity(user):
            links.append((reverse("callqa:report_productivity"), _("Evaluator productivity")))
        if sees_coaching(user):
            links.append((reverse("callqa:coaching"), _("Coaching tasks")))
        zip_url = (reverse("callqa:report_agents_zip", args=[month_value(month)])
                   if sees_all_evaluations(user) else "")
        return self.render_to_response(self.get_context_data(
            form=form, links=links, zip_url=zip_url, month_label=month_label(month),
            has_agents=form.fields["agent"].queryset.exists()), status=400 if form.is_bound else 200)


def agent_report_url(agent, month: dt.date, name: str = "callqa:report_agent") -> str:
    return reverse(name, args=[agent.pk, month_value(month)])


class AgentReportView(_Page):
    template_name = "callqa/reports/agent.html"
    header_icon = "user"

    def report(self) -> reports.AgentMonth:
        month = parse_month(self.kwargs["month"])
        if month is None:
            raise Http404
        agent = get_object_or_404(reports.report_agents(self.request.user).select_related("team", "staff__user"),
                                  pk=self.kwargs["agent_id"])
        return reports.agent_month(agent, month, viewer=self.request.user)

    def get_page_title(self):
        return _("Monthly QA report")

    def get(self, request, *args, **kwargs):
        report = self.report()
        lines = [{
            "line": line, "score": score(line.score),
            "original": score(line.original_score) if line.original_score is not None
            and line.original_score != line.score else "",
            "url": evaluation_url(line.pk),
        } for line in report.lines]
        sections = [{"label": (f"{s.scorecard}: " if report.several_scorecards else "") + s.section,
                     "percent": percent(s.percent), "scored": s.scored} for s in report.sections]
        criteria = [{"item": c, "percent": percent(c.percent)} for c in report.criteria]
        before = reports.previous_month(report.month)
        after = reports.next_month(report.month)
        return self.render_to_response(self.get_context_data(
            report=report, title=agent_report_title(report), facts=facts(report), lines=lines, sections=sections,
            criteria=criteria, month_label=month_label(report.month),
            pdf_url=agent_report_url(report.agent, report.month, "callqa:report_agent_pdf"),
            previous_url=agent_report_url(report.agent, before), previous_label=month_label(before),
            next_url=agent_report_url(report.agent, after) if after <= timezone.localdate() else "",
            next_label=month_label(after),
            written=[row for row in lines if row["line"].feedback.strip() or row["line"].suggestions.strip()]))


class AgentReportPdfView(AgentReportView):
    def get(self, request, *args, **kwargs):
        report = self.report()
        return pdf_response(agent_report_pdf(report, user=request.user), f"{agent_report_filename(report)}.pdf")


class AgentReportsZipView(_Page):
    """Every agent's monthly PDF (agents with a submitted evaluation in the month) in one zip."""

    def allowed(self, user) -> bool:
        return sees_all_evaluations(user)

    def get(self, request, *args, **kwargs):
        month = parse_month(kwargs["month"])
        if month is None:
            raise Http404
        team = team_from_query(request)
        evaluations = reports.visible(request.user, reports.regular_submitted().filter(month=month))
        agents = reports.report_agents(request.user).filter(pk__in=evaluations.values("agent_id"))
        if team is not None:
            agents = agents.filter(team=team)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for agent in agents.select_related("team", "staff__user").order_by("code"):
                report = reports.agent_month(agent, month, viewer=request.user)
                archive.writestr(f"{agent_report_filename(report)}.pdf", agent_report_pdf(report, user=request.user))
        name = _("QA reports %(month)s") % {"month": month_value(month)}
        if team is not None:
            name += f" {team.name}"
        return attachment_response(buffer.getvalue(), f"{name}.zip", "application/zip")


# ---- team summary ----------------------------------------------------------------------------------


class TeamSummaryView(_Page):
    template_name = "callqa/reports/team.html"
    page_title = gettext_lazy("Team summary")
    header_icon = "group"

    def allowed(self, user) -> bool:
        return reports.sees_team_reports(user)

    def summary(self):
        team = team_from_query(self.request)
        self.form = TeamMonthForm(self.request.GET or None, user=self.request.user)
        month = None
        if self.form.is_bound and self.form.is_valid():
            month = self.form.cleaned_data["month"]
        month = month or latest_month(self.request.user)
        if not self.form.is_bound:
            self.form = TeamMonthForm(user=self.request.user, initial={"team": team.pk if team else None,
                                                                       "month": month_value(month)})
        return reports.team_summary(team, month, viewer=self.request.user)

    def get(self, request, *args, **kwargs):
        summary = self.summary()
        rows = [{"agent": row.agent, "team": row.agent.team.name if row.agent.team_id else _("No team"),
                 "evaluations": row.figures.evaluations, "mean": score(row.figures.mean),
                 "low": score(row.figures.minimum), "high": score(row.figures.maximum),
                 "critical": row.figures.critical_fails, "coaching": row.coaching_open,
                 "url": agent_report_url(row.agent, summary.month)} for row in summary.rows]
        query = urlencode({"team": summary.team.pk if summary.team else "", "month": month_value(summary.month)})
        return self.render_to_response(self.get_context_data(
            form=self.form, summary=summary, rows=rows, mean=score(summary.figures.mean),
            month_label=month_label(summary.month), xlsx_url=reverse("callqa:report_team_xlsx") + "?" + query,
            zip_url=(reverse("callqa:report_agents_zip", args=[month_value(summary.month)])
                     + (f"?team={summary.team.pk}" if summary.team else "")) if sees_all_evaluations(request.user)
            else "",
            team_label=summary.team.name if summary.team else _("All teams you may see")),
            status=400 if self.form.errors else 200)


def team_sheet(summary: reports.TeamSummary):
    headers = [_("Agent code"), _("Agent"), _("Team"), _("Evaluations"), _("Mean score"), _("Lowest score"),
               _("Highest score"), _("Critical fails"), _("Open coaching tasks")]
    rows = [[row.agent.code, row.agent.display_name, row.agent.team.name if row.agent.team_id else "",
             row.figures.evaluations, row.figures.mean, row.figures.minimum, row.figures.maximum,
             row.figures.critical_fails, row.coaching_open] for row in summary.rows]
    f = summary.figures
    rows.append([_("Total"), "", summary.team.name if summary.team else "", f.evaluations, f.mean, f.minimum,
                 f.maximum, f.critical_fails, summary.coaching_open])
    return (_("Team summary %(month)s") % {"month": month_value(summary.month)}, headers, rows)


class TeamSummaryXlsxView(TeamSummaryView):
    def get(self, request, *args, **kwargs):
        summary = self.summary()
        name = _("QA team summary %(month)s") % {"month": month_value(summary.month)}
        if summary.team is not None:
            name += f" {summary.team.name}"
        return spreadsheet_response("xlsx", [team_sheet(summary)], name)


# ---- trends and weakest criteria -------------------------------------------------------------------


class _RangeView(_Page):
    default_months = 6

    def allowed(self, user) -> bool:
        return reports.sees_team_reports(user)

    def choose(self):
        team = team_from_query(self.request)
        self.form = TeamRangeForm(self.request.GET or None, user=self.request.user)
        start = end = None
        if self.form.is_bound and self.form.is_valid():
            start, end = self.form.cleaned_data["start"], self.form.cleaned_data["end"]
        end = end or latest_month(self.request.user)
        if start is None or start > end:
            start = end
            for _step in range(self.default_months - 1):
                start = reports.previous_month(start)
        if not self.form.is_bound:
            self.form = TeamRangeForm(user=self.request.user, initial={
                "team": team.pk if team else None, "start": month_value(start), "end": month_value(end)})
        return team, reports.months_between(start, end)

    def render_page(self, **context):
        return self.render_to_response(self.get_context_data(form=self.form, **context),
                                       status=400 if self.form.errors else 200)


class TrendsView(_RangeView):
    template_name = "callqa/reports/trends.html"
    page_title = gettext_lazy("Score trends")
    header_icon = "history"

    def get(self, request, *args, **kwargs):
        team, months = self.choose()
        found = reports.trends(months, team, viewer=request.user, no_team_label=_("No team"))
        found.total.label = (_("Department (all teams)") if sees_all_evaluations(request.user) and team is None
                             else _("Total"))
        shown = found.rows + ([found.total] if len(found.rows) != 1 else [])
        series = [TrendSeries(label=row.label, values=[cell.mean for cell in row.cells],
                              counts=[cell.evaluations for cell in row.cells], is_total=row.is_total)
                  for row in shown]
        labels = [month_label(m) for m in months]
        title = _("Mean QA score per month")
        chart = score_trend_chart(series, month_labels=labels, axis_labels=[_month_axis(m) for m in months],
                                  chart_id="callqa-trend", title=title, description=_(
                                      "The mean score (0-100) of the submitted evaluations per month, one line per "
                                      "team, from %(first)s to %(last)s.") % {"first": labels[0], "last": labels[-1]})
        rows = [{"label": row.label, "is_total": row.is_total,
                 "cells": [{"mean": score(cell.mean), "count": cell.evaluations} for cell in row.cells]}
                for row in shown]
        return self.render_page(chart=chart, rows=rows, month_labels=labels,
                                period=_("%(first)s – %(last)s") % {"first": labels[0], "last": labels[-1]})


class WeakestCriteriaView(_RangeView):
    template_name = "callqa/reports/weakest.html"
    page_title = gettext_lazy("Weakest criteria")
    header_icon = "warning"
    default_months = 3

    def get(self, request, *args, **kwargs):
        team, months = self.choose()
        found = reports.weakest_criteria(team, months, viewer=request.user)
        several = len({f.scorecard_key for f in found}) > 1
        rows = [{"rank": index, "item": f, "percent": percent(f.percent),
                 "scorecard": f.scorecard if several else ""} for index, f in enumerate(found, start=1)]
        labels = [month_label(m) for m in months]
        return self.render_page(rows=rows, several=several,
                                team_label=team.name if team else _("All teams you may see"),
                                period=_("%(first)s – %(last)s") % {"first": labels[0], "last": labels[-1]})


# ---- evaluator productivity ------------------------------------------------------------------------


class ProductivityView(_Page):
    template_name = "callqa/reports/productivity.html"
    page_title = gettext_lazy("Evaluator productivity")
    header_icon = "tasks"

    def allowed(self, user) -> bool:
        return reports.sees_productivity(user)

    def figures(self):
        self.form = MonthForm(self.request.GET or None)
        month = self.form.cleaned_data["month"] if self.form.is_bound and self.form.is_valid() else None
        month = month or latest_month(self.request.user)
        if not self.form.is_bound:
            self.form = MonthForm(initial={"month": month_value(month)})
        return month, reports.evaluator_productivity(month, viewer=self.request.user)

    def get(self, request, *args, **kwargs):
        month, found = self.figures()
        rows = [{"item": f, "mean": score(f.mean_given)} for f in found]
        totals = {name: sum(getattr(f, name) for f in found) for name in (
            "assigned", "not_started", "drafts", "submitted", "on_time", "late", "disputes", "rescored", "upheld",
            "open_disputes")}
        deadline = reports.month_end(month) + dt.timedelta(days=reports.grace_days())
        return self.render_to_response(self.get_context_data(
            form=self.form, rows=rows, totals=totals, month_label=month_label(month),
            deadline=deadline, grace=reports.grace_days(),
            xlsx_url=reverse("callqa:report_productivity_xlsx") + "?" + urlencode({"month": month_value(month)})),
            status=400 if self.form.errors else 200)


class ProductivityXlsxView(ProductivityView):
    def get(self, request, *args, **kwargs):
        month, found = self.figures()
        headers = [_("Evaluator"), _("Assigned"), _("Not started"), _("Drafts"), _("Submitted"), _("On time"),
                   _("Late"), _("Mean score given"), _("Disputes"), _("Re-scored"), _("Upheld"), _("Open disputes")]
        rows = [[f.name, f.assigned, f.not_started, f.drafts, f.submitted, f.on_time, f.late, f.mean_given,
                 f.disputes, f.rescored, f.upheld, f.open_disputes] for f in found]
        name = _("QA evaluator productivity %(month)s") % {"month": month_value(month)}
        return spreadsheet_response("xlsx", [(_("Evaluator productivity"), headers, rows)], name)


# ---- coaching --------------------------------------------------------------------------------------


class _CoachingPage(_Page):
    header_icon = "user"
    parent = ("callqa:coaching", gettext_lazy("Coaching tasks"))

    def allowed(self, user) -> bool:
        return sees_coaching(user)


def _task_listing(queryset):
    return queryset.select_related("agent__team", "agent__staff__user", "owner", "evaluation__scorecard",
                                   "nonconformity")


def _overdue(task, today) -> bool:
    return task.status == CoachingTask.Status.OPEN and task.due_on < today


class CoachingListView(_CoachingPage):
    template_name = "callqa/coaching/list.html"
    page_title = gettext_lazy("Coaching tasks")

    def get(self, request, *args, **kwargs):
        user = request.user
        team = team_from_query(request)
        form = CoachingFilterForm(request.GET or None, user=user)
        status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
        status = status or "open"
        if not form.is_bound:
            form = CoachingFilterForm(user=user, initial={"status": status})
        tasks = coaching_visible_to(user)
        agent = None
        if request.GET.get("agent"):
            try:
                agent_id = int(request.GET["agent"])
            except ValueError:
                raise Http404 from None
            agent = get_object_or_404(reports.report_agents(user).select_related("team"), pk=agent_id)
            tasks = tasks.filter(agent=agent)
        if team is not None:
            tasks = tasks.filter(agent__team=team)
        if status != "all":
            tasks = tasks.filter(status=CoachingTask.Status.OPEN if status == "open" else CoachingTask.Status.DONE)
        page = Paginator(_task_listing(tasks).order_by("status", "due_on", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("p"))
        today = timezone.localdate()
        rows = [{"task": task, "overdue": _overdue(task, today), "score": score(task.evaluation.score)}
                for task in page]
        query = urlencode({k: v for k, v in (("status", status), ("team", team.pk if team else ""),
                                             ("agent", agent.pk if agent else "")) if v})
        return self.render_to_response(self.get_context_data(
            form=form, page=page, rows=rows, query_string=query, agent=agent, due=self.dof_due(user, team),
            threshold=settings.QMS_CALLQA_REPEAT_COACHING, window=settings.QMS_CALLQA_REPEAT_WINDOW_DAYS),
            status=400 if form.errors else 200)

    @staticmethod
    def dof_due(user, team):
        """The visible agents whose coaching calls for a DÖF (`coaching.dof_due`), in one query."""
        since = timezone.localdate() - dt.timedelta(days=settings.QMS_CALLQA_REPEAT_WINDOW_DAYS)
        tasks = coaching_visible_to(user, CoachingTask.objects.filter(created_at__date__gte=since))
        if team is not None:
            tasks = tasks.filter(agent__team=team)
        threshold = settings.QMS_CALLQA_REPEAT_COACHING
        rows = (tasks.values("agent_id", "agent__code", "agent__team__lead_id")
                .annotate(total=Count("pk"), uncovered=Count("pk", filter=Q(nonconformity__isnull=True)))
                .filter(total__gte=threshold, uncovered__gte=threshold).order_by("agent__code"))
        qa = manages_qa(user)
        return [{"code": row["agent__code"], "count": row["uncovered"],
                 "url": reverse("callqa:coaching_dof", args=[row["agent_id"]]),
                 "list_url": reverse("callqa:coaching") + f"?status=all&agent={row['agent_id']}",
                 "may_raise": qa or row["agent__team__lead_id"] == user.pk} for row in rows]


class CoachingTaskView(_CoachingPage):
    template_name = "callqa/coaching/task.html"

    def get_page_title(self):
        return _("Coaching task")

    def task(self) -> CoachingTask:
        task = _task_listing(coaching_visible_to(self.request.user)).filter(pk=self.kwargs["pk"]).first()
        if task is None:
            raise Http404
        return task

    def render_task(self, task, form, status=200):
        user = self.request.user
        agent = task.agent
        recent = list(_task_listing(coaching_visible_to(user, coaching_rules.recent_tasks(agent)))
                      .order_by("-created_at", "-pk")[:20])
        may_raise = coaching_rules.may_raise_dof(agent, user)
        due = coaching_rules.dof_due(agent) if may_raise else False
        evaluation = task.evaluation
        return self.render_to_response(self.get_context_data(
            task=task, form=form, may_complete=(task.status == CoachingTask.Status.OPEN
                                                and coaching_rules.may_complete(task, user)),
            overdue=_overdue(task, timezone.localdate()), score=score(evaluation.score),
            threshold=score(evaluation.scorecard.pass_score), evaluation_url=evaluation_url(evaluation.pk),
            recent=[{"task": t, "score": score(t.evaluation.score)} for t in recent],
            report_url=agent_report_url(agent, evaluation.month) if reports.report_agents(user).filter(
                pk=agent.pk).exists() else "",
            may_raise=may_raise and (due or manages_qa(user)), dof_due=due,
            dof_url=reverse("callqa:coaching_dof", args=[agent.pk]),
            repeat_threshold=settings.QMS_CALLQA_REPEAT_COACHING,
            window=settings.QMS_CALLQA_REPEAT_WINDOW_DAYS), status=status)

    def get(self, request, *args, **kwargs):
        return self.render_task(self.task(), CompleteForm())

    def post(self, request, *args, **kwargs):
        task = self.task()
        form = CompleteForm(request.POST)
        if not form.is_valid():
            return self.render_task(task, form, status=400)
        try:
            coaching_rules.complete(task, form.cleaned_data["notes"], request.user)
        except PermissionDenied as error:
            return permission_denied(request, error)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_task(task, form, status=400)
        messages.success(request, _("The coaching task of %(agent)s is done.") % {"agent": task.agent.code})
        return HttpResponseRedirect(reverse("callqa:coaching_task", args=[task.pk]))


class RaiseCoachingDofView(_CoachingPage):
    template_name = "callqa/coaching/raise_dof.html"
    header_icon = "warning"

    def get_page_title(self):
        return _("Raise a DÖF for repeated coaching")

    def agent(self):
        agent = get_object_or_404(reports.report_agents(self.request.user).select_related("team", "staff__unit"),
                                  pk=self.kwargs["agent_id"])
        if not coaching_rules.may_raise_dof(agent, self.request.user):
            raise Http404
        return agent

    def render_form(self, agent, form, status=200):
        due = coaching_rules.dof_due(agent)
        tasks = list(coaching_rules.uncovered_tasks(agent).select_related("evaluation__scorecard")
                     .order_by("created_at", "pk"))
        return self.render_to_response(self.get_context_data(
            agent=agent, form=form, due=due, may_force=manages_qa(self.request.user),
            title=_("Repeated coaching in call QA: agent %(code)s") % {"code": agent.code},
            description=coaching_rules.dof_description(agent, tasks),
            unit=coaching_rules.dof_unit(agent, self.request.user),
            threshold=settings.QMS_CALLQA_REPEAT_COACHING, window=settings.QMS_CALLQA_REPEAT_WINDOW_DAYS,
            back=reverse("callqa:coaching") + f"?status=all&agent={agent.pk}"), status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.agent(), RaiseDofForm())

    def post(self, request, *args, **kwargs):
        agent = self.agent()
        form = RaiseDofForm(request.POST)
        if not form.is_valid():
            return self.render_form(agent, form, status=400)
        force = manages_qa(request.user) and not coaching_rules.dof_due(agent)
        try:
            nc = coaching_rules.raise_dof(agent, request.user, reason=form.cleaned_data["reason"], force=force)
        except PermissionDenied as error:
            return permission_denied(request, error)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in error.messages:
                    form.add_error(None, message)
            return self.render_form(agent, form, status=400)
        messages.success(request, _("%(code)s was raised for the repeated coaching of %(agent)s; the management "
                                    "representative will triage it.") % {"code": nc.code, "agent": agent.code})
        return HttpResponseRedirect(reverse("audits:nonconformity", args=[nc.pk]))


urlpatterns = [
    path("reports/", ReportsIndexView.as_view(), name="reports"),
    path("reports/agents/<int:agent_id>/<str:month>/", AgentReportView.as_view(), name="report_agent"),
    path("reports/agents/<int:agent_id>/<str:month>/pdf/", AgentReportPdfView.as_view(), name="report_agent_pdf"),
    path("reports/agents/<str:month>/zip/", AgentReportsZipView.as_view(), name="report_agents_zip"),
    path("reports/teams/", TeamSummaryView.as_view(), name="report_team"),
    path("reports/teams/xlsx/", TeamSummaryXlsxView.as_view(), name="report_team_xlsx"),
    path("reports/trends/", TrendsView.as_view(), name="report_trends"),
    path("reports/weakest/", WeakestCriteriaView.as_view(), name="report_weakest"),
    path("reports/productivity/", ProductivityView.as_view(), name="report_productivity"),
    path("reports/productivity/xlsx/", ProductivityXlsxView.as_view(), name="report_productivity_xlsx"),
    path("coaching/", CoachingListView.as_view(), name="coaching"),
    path("coaching/<int:pk>/", CoachingTaskView.as_view(), name="coaching_task"),
    path("coaching/agents/<int:agent_id>/dof/", RaiseCoachingDofView.as_view(), name="coaching_dof"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "QA reports"), reverse_lazy("callqa:reports"),
                           name="callqa-reports", icon_name="doc-full", order=300, check=sees_reports),
        PermissionMenuItem(pgettext_lazy("menu", "Coaching"), reverse_lazy("callqa:coaching"),
                           name="callqa-coaching", icon_name="user", order=310, check=sees_reports),
    ]

