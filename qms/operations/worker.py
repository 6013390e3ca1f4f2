"""The background worker: runs the portal's scheduled management commands at fixed local times.

`manage.py run_worker` is a long-running process (a systemd service, docs/deploy.md). Each loop it
writes its heartbeat (WorkerHeartbeat, read by /health/ and /metrics/) and, for every job whose
latest slot has passed and is still within the grace window, claims the slot by inserting
JobRun(job, scheduled_for). The pair is unique, so with a worker on every app server exactly one of
them runs a slot: the others hit the IntegrityError and skip it. The claim is never released,
which makes a slot run at most once even if its worker dies half-way (the run then stays
"unfinished" and is visible in the job-run metrics).

Times are Europe/Istanbul wall-clock times (settings.TIME_ZONE), whatever the server's clock zone.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.operations.models import JobRun, WorkerHeartbeat
from qms.request_log import bound_request_id

logger = logging.getLogger("qms.worker")

OUTPUT_TAIL_CHARS = 20_000  # what a run's output keeps: the end, where the summary and errors are
HEARTBEAT_KEEP_DAYS = 30  # heartbeat rows of workers that stopped (one per process) are removed after this

WEEKDAY_NAMES = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def local_zone() -> ZoneInfo:
    """The zone the schedule's times are in (settings.TIME_ZONE, Europe/Istanbul)."""
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Schedule:
    """A wall-clock time repeated daily, weekly (`weekday`: 0 = Monday) or monthly (`day` of month)."""

    at: time
    weekday: int | None = None
    day: int | None = None

    def _matches(self, day) -> bool:
        if self.weekday is not None:
            return day.weekday() == self.weekday
        if self.day is not None:
            return day.day == self.day
        return True

    def _slot_on(self, day) -> datetime:
        return datetime.combine(day, self.at, tzinfo=local_zone())

    def latest_slot(self, now: datetime) -> datetime:
        """The most recent slot at or before `now` (aware, local time)."""
        now = now.astimezone(local_zone())
        day = now.date()
        for _back in range(32):  # a monthly slot is at most 31 days back
            if self._matches(day) and self._slot_on(day) <= now:
                return self._slot_on(day)
            day -= timedelta(days=1)
        raise ValueError(f"no slot within 32 days for {self}")  # only a day 29-31 could, and those are refused

    def next_slot(self, now: datetime) -> datetime:
        """The first slot after `now` (aware, local time)."""
        now = now.astimezone(local_zone())
        day = now.date()
        for _ahead in range(32):
            if self._matches(day) and self._slot_on(day) > now:
                return self._slot_on(day)
            day += timedelta(days=1)
        raise ValueError(f"no slot within 32 days for {self}")

    def describe(self) -> str:
        """'daily 07:30', 'weekly Sunday 03:00', 'monthly on day 1 07:00', in the active language."""
        at = self.at.strftime("%H:%M")
        if self.weekday is not None:
            return str(_("weekly, %(weekday)s %(time)s") % {"weekday": WEEKDAY_NAMES[self.weekday], "time": at})
        if self.day is not None:
            return str(_("monthly, on day %(day)d at %(time)s") % {"day": self.day, "time": at})
        return str(_("daily %(time)s") % {"time": at})

    def __post_init__(self):
        # Days 29-31 do not occur every month: such a job would silently skip months.
        if self.day is not None and not 1 <= self.day <= 28:
            raise ValueError("a monthly slot must be on day 1-28")


@dataclass(frozen=True)
class Job:
    """One scheduled job: the management command it runs and when.

    `args` is a callable so settings read at run time (BACKUP_DIR) are current; it returns None
    when the job has nothing to do on this installation (the job is then reported as not configured).
    """

    name: str
    command: str
    schedule: Schedule
    args: Callable[[], list[str] | None] = field(default=lambda: [])

    def command_args(self) -> list[str] | None:
        return self.args()


def _backup_args() -> list[str] | None:
    # Only where the operator named the folder (BACKUP_DIR): a nightly archive on the data's own
    # disk under the default folder would fill it and protect against nothing.
    if not getattr(settings, "QMS_WORKER_BACKUP", False):
        return None
    return [str(settings.QMS_BACKUP_DIR)]


SUNDAY = 6

JOBS: tuple[Job, ...] = (
    # Late at night first: the backup before retention deletes anything, the rollups on a quiet night.
    Job("expire_evaluation_responses", "expire_evaluation_responses", Schedule(time(0, 15))),
    Job("backup", "backup", Schedule(time(1, 0)), args=_backup_args),
    Job("apply_retention", "apply_retention", Schedule(time(2, 30))),
    Job("rebuild_kpi_rollups", "rebuild_kpi_rollups", Schedule(time(3, 0), weekday=SUNDAY)),
    Job("rebuild_call_rollups", "rebuild_call_rollups", Schedule(time(3, 0), weekday=SUNDAY)),
    Job("send_unit_scorecards", "send_unit_scorecards", Schedule(time(7, 0), day=1)),
    Job("send_reminders", "send_reminders", Schedule(time(7, 30))),
    # After the evaluators' grace days (QMS_CALLQA_EVALUATION_GRACE_DAYS, 5 by default).
    Job("send_callqa_reports", "send_callqa_reports", Schedule(time(8, 0), day=6)),
)
JOBS_BY_NAME = {job.name: job for job in JOBS}


def unknown_job_names(names: list[str]) -> list[str]:
    """The names in `names` that are not jobs of the schedule (a typo in WORKER_DISABLED_JOBS)."""
    return [name for name in names if name not in JOBS_BY_NAME]


def default_worker_name() -> str:
    """host:pid, unique per process across app servers."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class JobState:
    """What `--list` shows for one job."""

    job: Job
    state: str  # "enabled", "disabled", "not configured", "command missing"
    next_run: datetime
    last_run: JobRun | None


class Worker:
    """The schedule runner. `now` is injectable so tests can put the worker at any time."""

    def __init__(self, *, name: str | None = None, jobs: tuple[Job, ...] = JOBS,
                 disabled: list[str] | None = None, grace: timedelta | None = None,
                 now: Callable[[], datetime] = timezone.now):
        self.name = name or default_worker_name()
        self.jobs = jobs
        self.disabled = set(settings.QMS_WORKER_DISABLED_JOBS if disabled is None else disabled)
        self.grace = grace if grace is not None else timedelta(hours=settings.QMS_WORKER_GRACE_HOURS)
        self.now = now
        self.started_at = now()
        self.stopping = threading.Event()
        self._warned_missing: set[str] = set()

    # --- one loop ---------------------------------------------------------------------------------

    def run_once(self) -> list[JobRun]:
        """Heartbeat, then every due job in schedule order; returns the runs this worker made.
        Stops between jobs (never inside one) once a stop was requested."""
        self.beat()
        runs = []
        for job in self.jobs:
            if self.stopping.is_set():
                break
            run = self.run_if_due(job)
            if run is not None:
                runs.append(run)
                self.beat()  # a long job must not make the worker look dead afterwards
        return runs

    def beat(self) -> None:
        """Upsert this worker's heartbeat row."""
        now = self.now()
        WorkerHeartbeat.objects.update_or_create(
            worker=self.name, defaults={"beat_at": now}, create_defaults={"started_at": self.started_at, "beat_at": now}
        )

    def due_slot(self, job: Job) -> datetime | None:
        """The slot `job` should run for now, or None (not yet, or missed by more than the grace)."""
        now = self.now()
        slot = job.schedule.latest_slot(now)
        return slot if now - slot <= self.grace else None

    def state_of(self, job: Job) -> str:
        """Why a job would or would not run on this installation."""
        if job.name in self.disabled:
            return "disabled"
        if job.command not in get_commands():
            return "command missing"
        if job.command_args() is None:
            return "not configured"
        return "enabled"

    def run_if_due(self, job: Job) -> JobRun | None:
        """Claim and run `job`'s due slot; None when nothing was due or another worker has it."""
        slot = self.due_slot(job)
        if slot is None:
            return None
        state = self.state_of(job)
        if state != "enabled":
            if state == "command missing" and job.name not in self._warned_missing:
                # Once per process: the command may belong to a feature this installation lacks.
                self._warned_missing.add(job.name)
                logger.warning("Job %s skipped: no management command named %s.", job.name, job.command)
            return None
        if self.slot_taken(job, slot):
            return None  # the common case after the first loop: no failed insert in the database log
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=job.name, scheduled_for=slot, worker=self.name, started_at=self.now())
        except IntegrityError:
            return None  # another worker claimed this slot a moment ago
        return self._execute(job, run)

    def slot_taken(self, job: Job, slot: datetime) -> bool:
        """Whether some worker already claimed `slot` (a cheap read before the claiming insert)."""
        return JobRun.objects.filter(job=job.name, scheduled_for=slot).exists()

    def _execute(self, job: Job, run: JobRun) -> JobRun:
        output = io.StringIO()
        with bound_request_id(f"job-{job.name}-{run.pk}"):
            logger.info("Job %s for %s started.", job.name, run.scheduled_for.isoformat())
            try:
                call_command(job.command, *(job.command_args() or []), stdout=output, stderr=output)
                run.ok = True
            except Exception as exc:  # a failing job is recorded, the worker goes on with the next one
                run.ok = False
                output.write("\n" + "".join(traceback.format_exception_only(exc)))
                logger.exception("Job %s failed.", job.name)
            run.finished_at = self.now()
            run.output = output.getvalue()[-OUTPUT_TAIL_CHARS:]
            run.save(update_fields=["ok", "finished_at", "output"])
            logger.info("Job %s finished: %s.", job.name, "ok" if run.ok else "failed")
        return run

    # --- the process ------------------------------------------------------------------------------

    def prune_heartbeats(self) -> None:
        """Remove heartbeat rows of workers silent for HEARTBEAT_KEEP_DAYS (each restart adds one)."""
        WorkerHeartbeat.objects.filter(beat_at__lt=self.now() - timedelta(days=HEARTBEAT_KEEP_DAYS)).delete()

    def request_stop(self, *_signal_args) -> None:
        """Finish the running job, then exit (the SIGTERM/SIGINT handler)."""
        if not self.stopping.is_set():
            logger.info("Worker %s stopping after the current job.", self.name)
        self.stopping.set()

    def run_forever(self, interval: float) -> None:
        """Loop until stopped. A failing loop (the database restarting) is logged and retried."""
        self.prune_heartbeats()
        logger.info("Worker %s started.", self.name)
        while not self.stopping.is_set():
            # A long-lived process: drop a connection the database closed (restart, idle timeout)
            # so the loop reconnects instead of failing on it for ever.
            close_old_connections()
            try:
                self.run_once()
            except Exception:
                logger.exception("Worker loop failed; retrying in %s s.", interval)
            self.stopping.wait(interval)
        logger.info("Worker %s stopped.", self.name)

    def schedule_states(self) -> list[JobState]:
        """Each job with its state, next run (local time) and latest run, for `--list`."""
        now = self.now()
        states = []
        for job in self.jobs:
            last = JobRun.objects.filter(job=job.name).order_by("-scheduled_for").first()
            states.append(JobState(job, self.state_of(job), job.schedule.next_slot(now), last))
        return states
