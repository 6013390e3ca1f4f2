"""A later export updates what changed and never duplicates; unchanged rows are neither validated nor
rewritten; a dry run writes nothing; unknown agents are refused or created; calls without an agent
count in line and queue figures and in no agent's; and the rollups the imports keep are exactly the
ones a rebuild from the call table gives, after updates that move calls between days, hours,
lines, queues and agents (all three cubes)."""

from __future__ import annotations

import io

import pytest
from wagtail.models import ModelLogEntry

from kpi.callqa import rollups
from kpi.callqa.ingest import import_file, import_records
from kpi.callqa.models import (
    NO_AGENT,
    Agent,
    Call,
    CallImportRun,
    CallRollupDay,
    CallRollupHour,
    CallRollupMonth,
    Line,
    Queue,
)
from tests.callqa.ingest_data import call_row, csv_file, cubes

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(db):
    return {code: Agent.objects.create(code=code) for code in ("A001", "A002", "B001")}


def test_a_later_export_updates_without_duplicates(agents):
    rows = [call_row(), call_row(outcome="abandoned", talk_seconds="", hold_seconds="", wrap_seconds=""), call_row()]
    first = import_file(csv_file(rows), "gun-1.csv")
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    rows[1].update(outcome="answered", talk_seconds="60", agent="A002")
    second = import_file(csv_file(rows + [call_row()]), "gun-2.csv")
    assert (second.created, second.updated, second.unchanged, second.error_count) == (1, 1, 2, 0)
    assert Call.objects.count() == 4
    changed = Call.objects.select_related("agent").get(call_id=rows[1]["call_id"])
    assert (changed.outcome, changed.talk_seconds, changed.agent.code) == (1, 60, "A002")
    assert list(CallImportRun.objects.order_by("started_at").values_list("created", "updated", "unchanged")) == [
        (3, 0, 0), (1, 1, 2)]
    run = CallImportRun.objects.order_by("started_at").last()
    entry = ModelLogEntry.objects.get(object_id=str(run.pk), action="qms.import")
    assert entry.data["updated"] == 1 and entry.data["source"] == "gun-2.csv"


def test_unchanged_rows_are_not_rewritten_and_a_repeat_leaves_no_trace(agents):
    data = csv_file([call_row() for _ in range(4)]).getvalue()
    import_file(io.BytesIO(data), "santral.csv")
    before = list(Call.objects.order_by("pk").values())
    cube = cubes()
    again = import_file(io.BytesIO(data), "santral.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4) and again.committed
    assert list(Call.objects.order_by("pk").values()) == before
    assert cubes() == cube
    assert CallImportRun.objects.count() == 1  # routine pushes of unchanged rows are not recorded


def test_a_dry_run_counts_and_writes_nothing(agents):
    seed = call_row()
    import_file(csv_file([seed]), "seed.csv")
    rows = [call_row(line="WhatsApp", queue="WhatsApp Destek"), call_row(agent="YENI1"),
            {**seed, "wait_seconds": "44"}]
    before = (Call.objects.count(), CallImportRun.objects.count(), Line.objects.count(), Queue.objects.count(),
              Agent.objects.count())
    cube = cubes()
    result = import_file(csv_file(rows), "onizleme.csv", dry_run=True, create_agents=True)
    assert result.dry_run and not result.committed
    assert (result.created, result.updated, result.error_count) == (2, 1, 0)
    assert result.new_lines == ["WhatsApp"] and result.new_agents == ["YENI1"]
    assert (Call.objects.count(), CallImportRun.objects.count(), Line.objects.count(), Queue.objects.count(),
            Agent.objects.count()) == before
    assert Call.objects.get().wait_seconds == 12 and cubes() == cube
    assert not Agent.objects.filter(code="YENI1").exists()


def test_unknown_agents_are_refused_unless_created(agents):
    rows = [call_row(agent="C777"), call_row(agent="C777"), call_row(agent="C778")]
    refused = import_file(csv_file(rows), "santral.csv")
    assert refused.error_count == 3 and not refused.committed
    assert "C777" in refused.errors[0].message and "--create-agents" in refused.errors[0].message
    created = import_file(csv_file(rows), "santral.csv", create_agents=True)
    assert created.committed and created.created == 3 and created.new_agents == ["C777", "C778"]
    agent = Agent.objects.get(code="C777")
    assert agent.staff_id is None and agent.team_id is None and agent.is_active
    assert Call.objects.filter(agent=agent).count() == 2


def test_calls_without_an_agent_count_in_line_and_queue_but_in_no_agent(agents):
    import_file(csv_file([call_row(agent=""), call_row(agent=""), call_row(agent="A001")]), "santral.csv")
    assert Call.objects.filter(agent__isnull=True).count() == 2
    day = CallRollupDay.objects.get(agent_key=NO_AGENT)
    assert (day.offered, day.answered) == (2, 2)
    assert CallRollupDay.objects.get(agent_key=agents["A001"].pk).offered == 1
    assert sum(CallRollupMonth.objects.values_list("offered", flat=True)) == 3


def test_skip_errors_imports_the_valid_rows_and_records_the_refusals(agents):
    rows = [call_row(), call_row(talk_seconds="-5"), call_row()]
    result = import_file(csv_file(rows), "santral.csv", skip_errors=True)
    assert result.committed and (result.created, result.error_count) == (2, 1)
    run = CallImportRun.objects.get()
    assert (run.rows, run.created, run.errors) == (3, 2, 1)
    assert sum(CallRollupDay.objects.values_list("offered", flat=True)) == 2


def test_a_refused_batch_leaves_the_rollups_alone(agents):
    import_file(csv_file([call_row()]), "seed.csv")
    cube = cubes()
    result = import_file(csv_file([call_row(), call_row(wait_seconds="x")]), "kotu.csv")
    assert not result.committed and cubes() == cube and Call.objects.count() == 1


def _mixed_rows(count: int) -> list[dict]:
    """Calls over two days and months, several hours, lines, queues, agents (and none), both directions
    and outcomes, waits either side of the thresholds."""
    codes = ["A001", "A002", "B001", ""]
    waits = [0, 3, 4, 5, 6, 19, 20, 21, 45]
    rows = []
    for n in range(count):
        abandoned = n % 3 == 0
        rows.append(call_row(
            line=("ALO 153", "WhatsApp")[n % 2], queue=("Genel", "Zabıta", "Su")[n % 3], agent=codes[n % 4],
            direction="out" if n % 7 == 0 else "in",
            offered_at=f"2026-01-31 23:{n % 60:02d}" if n % 5 == 0 else f"2026-02-01 {n % 24:02d}:05",
            wait_seconds=str(waits[n % len(waits)]), outcome="abandoned" if abandoned else "answered",
            talk_seconds="" if abandoned else str(30 + n), hold_seconds="" if abandoned else str(n % 4),
            wrap_seconds="" if abandoned else "15"))
    return rows


def test_rollups_after_imports_and_moving_updates_equal_a_rebuild(agents):
    rows = _mixed_rows(60)
    assert import_file(csv_file(rows), "ilk.csv").committed
    # Updates: calls move to another day and month, hour, line, queue, agent (or lose it), change
    # direction and outcome, waits cross the thresholds; some stay as they were.
    for n, row in enumerate(rows):
        if n % 4 == 0:
            row.update(offered_at="2026-03-15 08:30", agent="B001")
        elif n % 4 == 1:
            row.update(agent="" if row["agent"] else "A002", wait_seconds="2", line="Santral")
        elif n % 4 == 2:
            row.update(outcome="abandoned", talk_seconds="", hold_seconds="", wrap_seconds="", queue="Yeni Kuyruk",
                       direction="in")
    second = import_file(csv_file(rows + _mixed_rows(7)), "ikinci.csv")
    assert second.committed and (second.updated, second.created, second.unchanged) == (45, 7, 15)
    # An API batch on top, with an update of a call the file already moved.
    api = import_records([{**rows[0], "offered_at": "2026-02-01 12:00", "agent": ""}, call_row(agent="A001")])
    assert api.committed and (api.updated, api.created) == (1, 1)

    kept = cubes()
    assert kept["CallRollupHour"] and kept["CallRollupDay"] and kept["CallRollupMonth"]
    rollups.rebuild_all()
    rebuilt = cubes()
    assert kept == rebuilt
    total = sum(r[4] for r in rebuilt["CallRollupMonth"])  # offered (inbound calls)
    assert total == Call.objects.filter(direction=1).count()
    assert CallRollupHour.objects.filter(offered=0, outbound=0).count() == 0
