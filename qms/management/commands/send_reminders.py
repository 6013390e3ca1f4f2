"""E-mail each person one digest of their due and overdue items (the rules in `qms.reminders`)."""

from __future__ import annotations

import argparse
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qms.mail import absolute_url, preferred_language
from qms.models import ReminderDigest
from qms.reminders import Reminder, collect

CRON_LINE = "30 7 * * * cd /srv/qms && .venv/bin/python manage.py send_reminders"


def _date_argument(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("expected YYYY-MM-DD, got %(value)r") % {"value": value}) from exc


def digest_subject(items: list[Reminder]) -> str:
    """'Quality portal: 3 reminders (1 overdue)' in the active language."""
    count = len(items)
    overdue = sum(1 for item in items if item.overdue)
    reminders = ngettext("%(count)d reminder", "%(count)d reminders", count) % {"count": count}
    if overdue:
        return _("Quality portal: %(reminders)s (%(overdue)d overdue)") % {
            "reminders": reminders,
            "overdue": overdue,
        }
    return _("Quality portal: %(reminders)s") % {"reminders": reminders}


def build_digest(user, items: list[Reminder], *, today: date) -> EmailMultiAlternatives:
    """The digest e-mail for one person, in their language (plain text with an HTML version)."""
    language = preferred_language(user)
    with translation.override(language):
        context = {
            "user": user,
            "name": user.get_full_name() or user.get_username(),
            "today": today,
            "items": [
                {
                    "title": str(item.title),
                    "due": item.due,
                    "overdue": item.overdue,
                    "url": absolute_url(item.url),
                }
                for item in items
            ],
            "overdue_count": sum(1 for item in items if item.overdue),
            "dashboard_url": absolute_url(reverse("wagtailadmin_home")),
            "account_url": absolute_url(reverse("wagtailadmin_account")),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "language": language,
        }
        subject = digest_subject(items)
        text = render_to_string("qms/email/reminder_digest.txt", context)
        html = render_to_string("qms/email/reminder_digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the cron line on one line so it can be copied."""


class Command(BaseCommand):
    help = (
        "E-mail each active person with an address ONE digest of their due and overdue items\n"
        "(every rule registered in qms.reminders), at most once a day; safe to re-run.\n\n"
        "The background worker (manage.py run_worker) runs it every morning at 07:30; from cron instead:\n"
        f"  {CRON_LINE}"
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = _HelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=_date_argument,
            help="The day to compute reminders for, YYYY-MM-DD (default: today in Europe/Istanbul).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print who would get what; send nothing and record nothing.",
        )
        parser.add_argument("--user", metavar="USERNAME", help="Only this person.")

    def handle(self, *args, **options):
        today: date = options["date"] or timezone.localdate(timezone=timezone.get_default_timezone())
        dry_run: bool = options["dry_run"]
        User = get_user_model()

        people = User._default_manager.filter(is_active=True)
        if options["user"]:
            username_field = User.USERNAME_FIELD
            if not User._default_manager.filter(**{username_field: options["user"]}).exists():
                raise CommandError(_("No user with the username %(username)r.") % {"username": options["user"]})
            people = people.filter(**{username_field: options["user"]})
        # None lets each rule scan everybody in one pass; a queryset limits the work to one person.
        collected = collect(today=today, users=people if options["user"] else None)

        for failure in collected.failures:
            self.stderr.write(
                _("Reminder rule %(rule)s failed: %(error)s") % {"rule": failure.key, "error": failure.error}
            )

        already_sent = set(ReminderDigest.objects.filter(day=today).values_list("user_id", flat=True))
        stats = {"people": 0, "reminders": 0, "no_email": 0, "already_sent": 0, "failed": 0}

        for user in people.select_related("wagtail_userprofile").order_by(User.USERNAME_FIELD):
            items = collected.get(user.pk)
            if not items:
                continue
            if not user.email:
                stats["no_email"] += 1
                self.stdout.write(_("%(user)s: skipped, no e-mail address") % {"user": user.get_username()})
                continue
            if user.pk in already_sent:
                stats["already_sent"] += 1
                if dry_run or options["verbosity"] > 1:
                    self.stdout.write(
                        _("%(user)s: digest for %(day)s already sent")
                        % {"user": user.get_username(), "day": today.strftime("%d.%m.%Y")}
                    )
                continue
            if dry_run:
                self._describe(user, items)
                stats["people"] += 1
                stats["reminders"] += len(items)
                continue
            try:
                message = build_digest(user, items, today=today)
                # The record and the send commit together: a failed send leaves no record (so the
                # next run retries), and a concurrent run trips the unique constraint instead of
                # sending a second copy.
                with transaction.atomic():
                    ReminderDigest.objects.create(user=user, day=today, item_count=len(items))
                    message.send()
            except IntegrityError:
                stats["already_sent"] += 1
                continue
            except Exception as exc:
                stats["failed"] += 1
                self.stderr.write(
                    _("%(user)s <%(email)s>: sending failed: %(error)r")
                    % {"user": user.get_username(), "email": user.email, "error": exc}
                )
                continue
            stats["people"] += 1
            stats["reminders"] += len(items)
            if options["verbosity"] > 1:
                self.stdout.write(_("%(user)s <%(email)s>: sent") % {"user": user.get_username(), "email": user.email})

        summary = _(
            "%(day)s: %(people)d people, %(reminders)d reminders; skipped: %(no_email)d without "
            "e-mail, %(already_sent)d already sent today; %(failed)d failed sends; %(rules)d failed rules."
        ) % {**stats, "day": today.strftime("%d.%m.%Y"), "rules": len(collected.failures)}
        if dry_run:
            summary = _("Dry run, nothing sent: %(summary)s") % {"summary": summary}
        self.stdout.write(summary)
        if stats["failed"] or collected.failures:
            raise CommandError(
                _("%(failed)d digests could not be sent and %(rules)d rules failed; see above.")
                % {"failed": stats["failed"], "rules": len(collected.failures)},
                returncode=1,
            )

    def _describe(self, user, items: list[Reminder]) -> None:
        with translation.override(preferred_language(user)):
            self.stdout.write(f"{user.get_username()} <{user.email}>: {digest_subject(items)}")
            for item in items:
                due = item.due.strftime("%d.%m.%Y") if item.due else "—"
                mark = _("OVERDUE") if item.overdue else ""
                self.stdout.write(f"  - [{due}] {item.title} {mark}".rstrip() + f"  {absolute_url(item.url)}")
