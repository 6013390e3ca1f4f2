"""The worker's schedule: slots are Europe/Istanbul wall-clock times, daily, weekly and monthly;
`--list` shows each job with its next run; a misspelt WORKER_DISABLED_JOBS entry stops start-up."""

from __future__ import annotations

from datetime import datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import formats, timezone

from qms.operations.worker import JOBS, JOBS_BY_NAME, Schedule

IST = ZoneInfo("Europe/Istanbul")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=IST)


def test_daily_slot_is_today_once_its_time_has_passed():
    schedule = Schedule(time(7, 30))
    assert schedule.latest_slot(at(2026, 3, 10, 7, 29)) == at(2026, 3, 9, 7, 30)
    assert schedule.latest_slot(at(2026, 3, 10, 7, 30)) == at(2026, 3, 10, 7, 30)
    assert schedule.next_slot(at(2026, 3, 10, 7, 30)) == at(2026, 3, 11, 7, 30)


def test_slot_times_are_istanbul_time_whatever_zone_now_is_given_in():
    # 04:30 UTC is 07:30 in Istanbul (UTC+3 all year).
    now_utc = datetime(2026, 3, 10, 4, 30, tzinfo=ZoneInfo("UTC"))
    assert Schedule(time(7, 30)).latest_slot(now_utc) == at(2026, 3, 10, 7, 30)


def test_weekly_slot_is_on_sunday():
    schedule = JOBS_BY_NAME["rebuild_kpi_rollups"].schedule
    # 2026-03-15 is a Sunday.
    assert schedule.latest_slot(at(2026, 3, 17, 12, 0)) == at(2026, 3, 15, 3, 0)
    assert schedule.next_slot(at(2026, 3, 15, 3, 0)) == at(2026, 3, 22, 3, 0)


def test_monthly_slots_follow_the_issue_table():
    scorecards = JOBS_BY_NAME["send_unit_scorecards"].schedule
    callqa = JOBS_BY_NAME["send_callqa_reports"].schedule
    assert scorecards.latest_slot(at(2026, 3, 1, 6, 59)) == at(2026, 2, 1, 7, 0)
    assert scorecards.next_slot(at(2026, 3, 1, 6, 59)) == at(2026, 3, 1, 7, 0)
    assert callqa.next_slot(at(2026, 3, 6, 8, 0)) == at(2026, 4, 6, 8, 0)


def test_monthly_slot_on_a_day_missing_from_some_months_is_refused():
    with pytest.raises(ValueError):
        Schedule(time(1, 0), day=31)


def test_the_schedule_table_has_every_job_of_the_issue():
    table = {job.name: (job.schedule.describe()) for job in JOBS}
    assert set(table) == {
        "send_reminders", "send_unit_scorecards", "expire_evaluation_responses", "send_callqa_reports",
        "rebuild_kpi_rollups", "rebuild_call_rollups", "apply_retention", "backup",
    }
    assert JOBS_BY_NAME["send_reminders"].schedule == Schedule(time(7, 30))
    assert JOBS_BY_NAME["expire_evaluation_responses"].schedule == Schedule(time(0, 15))
    assert JOBS_BY_NAME["apply_retention"].schedule == Schedule(time(2, 30))
    assert JOBS_BY_NAME["backup"].schedule == Schedule(time(1, 0))
    assert JOBS_BY_NAME["rebuild_call_rollups"].schedule == Schedule(time(3, 0), weekday=6)


def test_list_prints_every_job_with_its_next_run(db):
    out = StringIO()
    with override_settings(QMS_WORKER_BACKUP=False, QMS_WORKER_DISABLED_JOBS=["send_callqa_reports"]):
        call_command("run_worker", "--list", "--name", "listing", stdout=out)
    text = out.getvalue()
    now = timezone.now()
    for job in JOBS:
        line = next(line for line in text.splitlines() if line.strip().startswith(job.name + " "))
        assert formats.date_format(job.schedule.next_slot(now), "d.m.Y H:i") in line
    callqa_line = next(line for line in text.splitlines() if "send_callqa_reports" in line)
    assert "WORKER_DISABLED_JOBS" in callqa_line
    backup_line = next(line for line in text.splitlines() if line.strip().startswith("backup "))
    assert "BACKUP_DIR" in backup_line  # not configured here, so it would be skipped
    assert "Europe/Istanbul" in text


@override_settings(QMS_WORKER_DISABLED_JOBS=["send_remiders"])
def test_a_misspelt_disabled_job_stops_the_worker(db):
    with pytest.raises(CommandError) as refused:
        call_command("run_worker", "--once", "--name", "typo")
    assert "send_remiders" in str(refused.value)
    assert "bilinmeyen" in str(refused.value) and "unknown" in str(refused.value)
