"""`manage.py send_unit_scorecards [--month YYYY-MM] [--as-of YYYY-MM-DD]`

Mails each active unit that answers requests its scorecard for the month (default: the previous
month) as a PDF, to each of its unit managers, in their language (kpi.notifications). The background worker
(`manage.py run_worker`, qms/operations/worker.py) runs it on the 1st at 07:00, after the night's
import; from cron instead:

    0 7 1 * * cd /srv/qms && set -a && . /etc/qms/env && .venv/bin/python manage.py send_unit_scorecards
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.notifications import send_unit_scorecards
from kpi.scorecards import parse_month, previous_month


class Command(BaseCommand):
    help = "Mail each unit's managers the unit's scorecard (PDF) for a month (default: the previous month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month as YYYY-MM (default: the previous month).")
        parser.add_argument("--as-of", dest="as_of", help="The report date (YYYY-MM-DD; default today).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("month"):
            month = parse_month(options["month"])
            if month is None:
                raise CommandError(_("Give a month as YYYY-MM."))
        else:
            month = previous_month(today)
        as_of = None
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(_("“%(name)s” is not a date as YYYY-MM-DD: “%(value)s”.")
                                   % {"name": "--as-of", "value": options["as_of"]}) from None
        if month > today.replace(day=1):
            raise CommandError(_("The month %(month)s has not begun.") % {"month": f"{month:%Y-%m}"})
        units, sent = send_unit_scorecards(month=month, as_of=as_of)
        self.stdout.write(_("Scorecards for %(month)s: units reached %(units)s, messages sent %(sent)s.")
                          % {"month": f"{month:%Y-%m}", "sent": sent, "units": units})
