"""The worker runs each due slot once, across several workers; a failing job is recorded and the
worker goes on; a missed slot runs within the grace window only; it writes its heartbeat; a stop
request lets the running job finish and runs nothing after it."""

from __future__ import annotations

import logging
import os
import signal
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from qms.operations.models import JobRun, WorkerHeartbeat
from qms.operations.worker import JOBS_BY_NAME, Job, Schedule, Worker

IST = ZoneInfo("Europe/Istanbul")
SLOT = datetime(2026, 3, 10, 0, 15, tzinfo=IST)
EXPIRE = JOBS_BY_NAME["expire_evaluation_responses"]  # a real job, quick on an empty database
# send_callqa_reports refuses a month that has not begun: a real command failing with CommandError.
FAILING = Job("send_callqa_reports", "send_callqa_reports", Schedule(time(0, 15)), args=lambda: ["--month", "2999-01"])


def worker_at(moment: datetime, *, name: str = "w1", jobs=(EXPIRE,), **kwargs) -> Worker:
    return Worker(name=name, jobs=jobs, disabled=kwargs.pop("disabled", []), now=lambda: moment, **kwargs)


def test_a_due_slot_runs_once_and_is_recorded(db):
    worker = worker_at(SLOT + timedelta(minutes=1))

    first = worker.run_once()
    again = worker.run_once()

    assert [run.job for run in first] == ["expire_evaluation_responses"]
    assert again == []
    run = JobRun.objects.get()
    assert run.scheduled_for == SLOT
    assert run.worker == "w1"
    assert run.ok is True
    assert run.finished_at is not None
    assert "değerlendirme" in run.output  # the command's own summary line is kept (Turkish, the default)


def test_a_slot_not_yet_reached_does_not_run(db):
    assert worker_at(SLOT - timedelta(minutes=1)).run_once() == []  # yesterday's slot is past the grace
    assert not JobRun.objects.exists()


def test_two_workers_run_a_slot_once(db):
    now = SLOT + timedelta(seconds=5)
    assert len(worker_at(now, name="app1:100").run_once()) == 1
    assert worker_at(now, name="app2:200").run_once() == []
    assert list(JobRun.objects.values_list("worker", flat=True)) == ["app1:100"]


def test_two_workers_racing_for_a_slot_run_it_once(db, monkeypatch):
    """Both looked before either inserted: the unique (job, scheduled_for) lets only one run it."""
    now = SLOT + timedelta(seconds=5)
    first, second = worker_at(now, name="app1:100"), worker_at(now, name="app2:200")
    monkeypatch.setattr(Worker, "slot_taken", lambda self, job, slot: False)

    assert len(first.run_once()) == 1
    assert second.run_once() == []
    assert JobRun.objects.count() == 1


def test_a_failing_job_is_recorded_and_the_worker_goes_on(db, caplog):
    worker = worker_at(SLOT + timedelta(minutes=1), jobs=(FAILING, EXPIRE))

    with caplog.at_level(logging.ERROR, logger="qms.worker"):
        runs = worker.run_once()

    assert [(run.job, run.ok) for run in runs] == [
        ("send_callqa_reports", False), ("expire_evaluation_responses", True)]
    failed = JobRun.objects.get(job="send_callqa_reports")
    assert failed.ok is False
    assert "CommandError" in failed.output and "2999-01" in failed.output
    assert "Job send_callqa_reports failed" in caplog.text
    # A failed slot is not retried every loop (it would mail or delete again and again).
    assert worker.run_once() == []


def test_a_slot_missed_within_the_grace_runs_when_the_worker_returns(db):
    runs = worker_at(SLOT + timedelta(hours=11), grace=timedelta(hours=12)).run_once()
    assert len(runs) == 1 and runs[0].scheduled_for == SLOT


def test_a_slot_missed_beyond_the_grace_waits_for_the_next_one(db):
    assert worker_at(SLOT + timedelta(hours=13), grace=timedelta(hours=12)).run_once() == []
    assert not JobRun.objects.exists()


def test_a_disabled_job_does_not_run(db):
    assert worker_at(SLOT + timedelta(minutes=1), disabled=["expire_evaluation_responses"]).run_once() == []
    assert not JobRun.objects.exists()


def test_a_job_whose_command_is_not_installed_is_skipped_with_a_warning(db, caplog):
    ghost = Job("ghost", "no_such_command_here", Schedule(time(0, 15)))
    with caplog.at_level(logging.WARNING, logger="qms.worker"):
        assert worker_at(SLOT + timedelta(minutes=1), jobs=(ghost, EXPIRE)).run_once()[0].job == EXPIRE.name
    assert "no management command named no_such_command_here" in caplog.text
    assert not JobRun.objects.filter(job="ghost").exists()


@override_settings(QMS_WORKER_BACKUP=False)
def test_backup_without_a_backup_dir_is_not_run(db):
    backup = JOBS_BY_NAME["backup"]
    worker = worker_at(datetime(2026, 3, 10, 1, 5, tzinfo=IST), jobs=(backup,))
    assert worker.run_once() == []
    assert not JobRun.objects.exists()


def test_backup_job_passes_the_backup_dir(tmp_path):
    with override_settings(QMS_WORKER_BACKUP=True, QMS_BACKUP_DIR=tmp_path):
        assert JOBS_BY_NAME["backup"].command_args() == [str(tmp_path)]


def test_each_loop_writes_the_heartbeat(db):
    moments = iter([SLOT - timedelta(hours=2), SLOT - timedelta(hours=1)])
    current = {"now": next(moments)}
    worker = Worker(name="beat:1", jobs=(), disabled=[], now=lambda: current["now"])

    worker.run_once()
    beat = WorkerHeartbeat.objects.get(worker="beat:1")
    assert beat.beat_at == SLOT - timedelta(hours=2)

    current["now"] = next(moments)
    worker.run_once()
    beat.refresh_from_db()
    assert beat.beat_at == SLOT - timedelta(hours=1)
    assert beat.started_at == SLOT - timedelta(hours=2)
    assert WorkerHeartbeat.objects.count() == 1


def test_sigterm_lets_the_running_job_finish_and_runs_nothing_after_it(db, monkeypatch):
    from qms.operations import worker as worker_module

    worker = worker_at(SLOT + timedelta(minutes=1), jobs=(EXPIRE, FAILING))
    real_call_command = worker_module.call_command

    def job_receiving_sigterm(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the job runs
        return real_call_command(*args, **kwargs)

    monkeypatch.setattr(worker_module, "call_command", job_receiving_sigterm)
    previous = signal.signal(signal.SIGTERM, worker.request_stop)
    try:
        runs = worker.run_once()
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert [(run.job, run.ok) for run in runs] == [("expire_evaluation_responses", True)]
    assert worker.stopping.is_set()
    assert not JobRun.objects.filter(job="send_callqa_reports").exists()


def test_run_forever_returns_once_stopped(db):
    worker = worker_at(SLOT - timedelta(hours=3), jobs=())
    loops = []

    def one_loop():
        loops.append(1)
        worker.request_stop()

    worker.run_once = one_loop
    worker.run_forever(interval=60)  # would block a minute if the stop did not end the wait
    assert loops == [1]


@pytest.mark.parametrize("stale_days, kept", [(31, False), (1, True)])
def test_heartbeats_of_long_gone_workers_are_pruned(db, stale_days, kept):
    now = SLOT
    WorkerHeartbeat.objects.create(worker="old:1", started_at=now - timedelta(days=stale_days),
                                   beat_at=now - timedelta(days=stale_days))
    worker_at(now, jobs=()).prune_heartbeats()
    assert WorkerHeartbeat.objects.filter(worker="old:1").exists() is kept
