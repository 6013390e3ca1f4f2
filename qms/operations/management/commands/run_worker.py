"""`manage.py run_worker [--once] [--list] [--name NAME] [--interval SECONDS]`

The background worker for the scheduled jobs (qms/operations/worker.py): reminders, monthly
reports, rollup rebuilds, retention and backups. Run it as a service (docs/deploy.md); SIGTERM or
Ctrl-C lets the running job finish, then it exits.
"""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.operations.worker import JOBS, Worker, local_zone, unknown_job_names

STATE_LABELS = {
    "enabled": gettext_lazy("enabled"),
    "disabled": gettext_lazy("disabled (WORKER_DISABLED_JOBS)"),
    "command missing": gettext_lazy("skipped: command not installed"),
    "not configured": gettext_lazy("skipped: not configured (BACKUP_DIR)"),
}


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs (reminders, reports, rollups, retention, backups) at their times. "
        "Zamanlanmış işleri (hatırlatmalar, raporlar, özetler, saklama, yedekler) saatinde çalıştırır."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one loop (heartbeat and due jobs), then exit.")
        parser.add_argument("--list", action="store_true", help="Print the schedule with the next run times.")
        parser.add_argument("--name", help="The worker's name in heartbeats and job runs (default: host:pid).")
        parser.add_argument("--interval", type=float, help="Seconds between loops (default: WORKER_INTERVAL_SECONDS).")

    def handle(self, *args, **options):
        from django.conf import settings

        unknown = unknown_job_names(settings.QMS_WORKER_DISABLED_JOBS)
        if unknown:
            # A misspelt name would leave the job running while the operator believes it is off.
            raise CommandError(
                f"WORKER_DISABLED_JOBS bilinmeyen iş adları içeriyor: {', '.join(unknown)}; "
                f"geçerli adlar: {', '.join(job.name for job in JOBS)}. "
                f"(WORKER_DISABLED_JOBS names unknown jobs: {', '.join(unknown)}; "
                f"valid names: {', '.join(job.name for job in JOBS)}.)"
            )
        worker = Worker(name=options["name"])
        if options["list"]:
            self._print_schedule(worker)
            return
        if options["once"]:
            for run in worker.run_once():
                self.stdout.write(_("%(job)s: %(outcome)s") % {
                    "job": run.job, "outcome": _("succeeded") if run.ok else _("failed")})
            return
        interval = options["interval"] or settings.QMS_WORKER_INTERVAL_SECONDS
        if interval <= 0:
            raise CommandError("Aralık pozitif olmalıdır. (The interval must be positive.)")
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, worker.request_stop)
        worker.run_forever(interval)

    def _print_schedule(self, worker: Worker) -> None:
        zone = local_zone()
        self.stdout.write(_("Schedule (times in %(zone)s), worker %(worker)s:") % {
            "zone": zone.key, "worker": worker.name})
        for entry in worker.schedule_states():
            if entry.last_run is None:
                last = _("never")
            else:
                outcome = {True: _("succeeded"), False: _("failed"), None: _("unfinished")}[entry.last_run.ok]
                last = f"{formats.date_format(timezone.localtime(entry.last_run.scheduled_for, zone), 'd.m.Y H:i')}" \
                       f" {outcome}"
            self.stdout.write(
                f"  {entry.job.name:<28} {entry.job.schedule.describe():<30} "
                + _("next: %(next)s; last: %(last)s; %(state)s") % {
                    "next": formats.date_format(entry.next_run, "d.m.Y H:i"),
                    "last": last,
                    "state": STATE_LABELS[entry.state],
                }
            )
