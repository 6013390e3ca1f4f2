"""The monthly call-QA mail (`manage.py send_callqa_reports`): each team lead gets their team's
figures of the month with a link to the team summary, and each agent with submitted evaluations a
link to their monthly report, each in their own language.

The mail carries aggregates and links only, never an agent's scores or an evaluator's feedback: an
e-mail leaves the portal, so the confidential details (KVKK) stay behind the sign-in, where the
same access rules apply as on the screens.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from kpi.callqa import reports
from kpi.callqa.models import Agent, Team
from kpi.callqa.report_pdf import score
from kpi.scorecards import month_label
from qms.mail import absolute_url, send_each


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def send_team_summary(team: Team, *, month: dt.date) -> int:
    """Mail `team`'s figures of `month` to its lead (as the lead sees them). Returns the number sent."""
    lead = team.lead
    if lead is None:
        return 0
    summary = reports.team_summary(team, month, viewer=lead)
    url = absolute_url(reverse("callqa:report_team") + f"?team={team.pk}&month={month:%Y-%m}")

    def compose(user):
        f = summary.figures
        subject = _("QA summary of %(team)s, %(month)s") % {"team": team.name, "month": month_label(month)}
        lines = [
            _("Dear %(name)s,") % {"name": _person(user)},
            "",
            _("The call-QA figures of %(team)s for %(month)s:") % {"team": team.name, "month": month_label(month)},
            _("Evaluations: %(count)s; team mean score: %(mean)s; critical fails: %(critical)s; open coaching tasks: "
              "%(coaching)s.") % {"count": f.evaluations, "mean": score(f.mean), "critical": f.critical_fails,
                                  "coaching": summary.coaching_open},
            "",
            _("Each agent's figures and reports are in the portal: %(url)s") % {"url": url},
        ]
        return subject, "\n".join(lines)

    return send_each([lead], compose)


def send_agent_links(*, month: dt.date) -> tuple[int, int]:
    """Mail each agent with submitted evaluations in `month` a link to their report.
    Returns (agents reached, messages sent)."""
    counts = dict(reports.regular_submitted().filter(month=month).values("agent_id").annotate(n=Count("pk"))
                  .order_by().values_list("agent_id", "n"))
    agents = (Agent.objects.filter(pk__in=list(counts), staff__user__isnull=False)
              .select_related("staff__user").order_by("code"))
    reached = sent = 0
    for agent in agents:
        user = agent.staff.user
        url = absolute_url(reverse("callqa:report_agent", args=[agent.pk, f"{month:%Y-%m}"]))

        def compose(user, agent=agent, url=url):
            subject = _("Your monthly QA report, %(month)s") % {"month": month_label(month)}
            lines = [
                _("Dear %(name)s,") % {"name": _person(user)},
                "",
                _("Your call-QA report for %(month)s is ready (%(count)s evaluations).") % {
                    "month": month_label(month), "count": counts[agent.pk]},
                _("Read it, with the feedback and development suggestions, in the portal: %(url)s") % {"url": url},
            ]
            return subject, "\n".join(lines)

        reached += 1
        sent += send_each([user], compose)
    return reached, sent


def send_callqa_reports(*, month: dt.date) -> dict[str, int]:
    """The whole monthly round: every team with a lead, then every agent with evaluations."""
    month = reports.month_of(month)
    teams = list(Team.objects.filter(lead__isnull=False, lead__is_active=True).select_related("lead")
                 .order_by("name"))
    team_mails = sum(send_team_summary(team, month=month) for team in teams)
    agents, agent_mails = send_agent_links(month=month)
    return {"teams": len(teams), "team_mails": team_mails, "agents": agents, "agent_mails": agent_mails}
