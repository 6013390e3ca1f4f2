"""Close the response window of submitted call evaluations the agent left unanswered
(`kpi.callqa.services.expire_responses`): run daily, e.g.

    15 0 * * * cd /srv/qms && .venv/bin/python manage.py expire_evaluation_responses
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpi.callqa.services import expire_responses


class Command(BaseCommand):
    help = "Mark submitted call evaluations whose acknowledge/dispute window has ended as “window closed”."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to count from, YYYY-MM-DD (default: today in Europe/Istanbul).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(_("Give the date as YYYY-MM-DD.")) from None
        count = expire_responses(today)
        self.stdout.write(ngettext("%(count)s evaluation past its response window is marked as closed.",
                                   "%(count)s evaluations past their response window are marked as closed.",
                                   count) % {"count": count})
