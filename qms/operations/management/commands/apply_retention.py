"""`manage.py apply_retention [--dry-run] [--date YYYY-MM-DD]`: delete or anonymise the personal
records past their retention period (qms.operations.retention), except those under legal hold."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qms.operations.retention import ACTION_LABELS, apply_retention


class Command(BaseCommand):
    help = "Apply the retention periods of personal data (KVKK); --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be done; change nothing.")
        parser.add_argument("--date", help="Apply as of this day (YYYY-MM-DD; default today).")

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(
                f"--date {date!r} bir tarih değil; 2026-01-31 biçiminde verin. "
                f"(--date {date!r} is not a date; give it as 2026-01-31.)"
            ) from None
        run, lines = apply_retention(dry_run=dry_run, today=today)
        title = _("Retention dry run as of %(day)s (nothing changed)") if dry_run else _("Retention as of %(day)s")
        self.stdout.write(str(title) % {"day": run.cutoff_date.isoformat()})
        for line in lines:
            record_type = line.record_type
            if line.cutoff is None:
                self.stdout.write(_("%(type)s: kept forever (%(env)s=0)") % {
                    "type": record_type.label, "env": record_type.env_name})
                continue
            self.stdout.write(
                _("%(type)s: period %(days)s days (before %(cutoff)s), expired %(expired)s, held %(held)s, "
                  "%(action)s %(applied)s") % {
                    "type": record_type.label, "days": line.days, "cutoff": line.cutoff.isoformat(),
                    "expired": line.expired, "held": len(line.held), "action": ACTION_LABELS[record_type.action],
                    "applied": line.applied,
                }
            )
            for held in line.held:
                # The refusal is for the operator who may have expected the record gone: both languages.
                self.stdout.write(
                    f"  reddedildi: yasal saklama kararı altında (refused: under legal hold): {held.description} "
                    f"— {held.hold.reason}" + (f" [{held.hold.reference}]" if held.hold.reference else "")
                )
