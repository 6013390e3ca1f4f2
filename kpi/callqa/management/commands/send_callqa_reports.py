"""`manage.py send_callqa_reports [--month YYYY-MM]`

Mails each team lead their team's call-QA figures for the month (default: the previous month) with
a link to the team summary, and each agent with submitted evaluations a link to their monthly
report, in their own language (kpi.callqa.report_mail). The background worker (`manage.py
run_worker`, qms/operations/worker.py) runs it on the 6th at 08:00, after the evaluators' grace
days (QMS_CALLQA_EVALUATION_GRACE_DAYS, default 5); run it by hand for another month.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.callqa.report_mail import send_callqa_reports
from kpi.scorecards import parse_month, previous_month


class Command(BaseCommand):
    help = "Mail team leads their team's QA figures and agents a link to their monthly QA report."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month as YYYY-MM (default: the previous month).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("month"):
            month = parse_month(options["month"])
            if month is None:
                raise CommandError(_("Give a month as YYYY-MM."))
        else:
            month = previous_month(today)
        if month > today.replace(day=1):
            raise CommandError(_("The month %(month)s has not begun.") % {"month": f"{month:%Y-%m}"})
        done = send_callqa_reports(month=month)
        self.stdout.write(_("QA reports for %(month)s: %(team_mails)s team leads and %(agent_mails)s agents "
                            "mailed (%(teams)s teams, %(agents)s agents with evaluations).")
                          % {"month": f"{month:%Y-%m}", **done})
