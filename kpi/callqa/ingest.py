"""THE way call records enter the portal: the telephony system's export (admin upload,
`manage.py import_calls`) or an API batch (`POST /api/v1/calls/batch`), through the one import
pipeline of the portal (`kpi.ingest.TableIngest`): the same streaming, batches, fingerprints,
upsert, dry run, one transaction and per-row refusals as the request import.

Columns (`COLUMNS`; the Turkish headings of `HEADER_ALIASES` are accepted too):

* `call_id` (the key: a call sent again updates it), `line`, `queue` (both created on first sight),
* `agent`: an agent code (`Agent.code`). Empty for a call answered without an agent (it counts in
  the line's and queue's figures and in no agent's). An unknown code refuses the row unless the
  import creates agents (`create_agents=True`, `--create-agents`): a new `Agent` with that code
  and no staff profile, to be linked later.
* `direction`: in / out (gelen / giden, inbound / outbound),
* `offered_at`: ISO 8601 or dd.mm.yyyy HH:MM[:SS]; without an offset, Istanbul time,
* `wait_seconds`, `talk_seconds`, `hold_seconds`, `wrap_seconds`: whole seconds from 0 to 86,400
  (24 hours); talk, hold and wrap may be empty (0); the wait too for an outbound call,
* `outcome`: answered / abandoned (cevaplandı / terk, kayıp ...),
* `recording_url`: an http(s) address, a path on the portal ("/static/..."), or empty.

Refused per row: an empty required cell, an unknown direction or outcome, a duration that is not
a whole number, negative or over 24 hours, an abandoned call with talk, hold or wrap-up time, a
recording address that is neither http(s) nor a path on the portal, an unknown agent code (see
above), a call id twice in the file. An answered call with no talk time is ACCEPTED: telephony
systems report a connection shorter than a second as 0 s, and refusing it would make the portal's
answered count differ from the telephony system's own; it adds nothing to the talk time.

Derived at import: `offered_on` and `offered_hour` (the local day and hour), `row_hash` (the
fingerprint), `imported_at`. The call rollups are kept current through `kpi.callqa.rollups.CallDelta`
(a new row +1; a changed row -1 for its stored facts, +1 for the new ones), flushed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi.callqa import rollups
from kpi.callqa.models import Agent, CallImportRun, CallRollupState, Direction, Line, Outcome, Queue
from kpi.ingest import IngestResult, Refused, TableIngest, cell_text, choice, parse_datetime, utc_naive

MAX_SECONDS = 24 * 3600

COLUMNS = (
    "call_id", "line", "queue", "agent", "direction", "offered_at", "wait_seconds", "outcome", "talk_seconds",
    "hold_seconds", "wrap_seconds", "recording_url",
)
REQUIRED = ("call_id", "line", "queue", "direction", "offered_at", "wait_seconds", "outcome")

# Turkish (and English) headings of telephony exports, folded (qms.text.fold) with spaces as "_".
HEADER_ALIASES = {
    "cagri_no": "call_id", "cagri_id": "call_id", "cagri_numarasi": "call_id", "cagri_kimligi": "call_id",
    "id": "call_id", "call_no": "call_id",
    "hat": "line", "hat_adi": "line", "hizmet_hatti": "line",
    "kuyruk": "queue", "kuyruk_adi": "queue", "queue_name": "queue",
    "temsilci": "agent", "temsilci_kodu": "agent", "temsilci_no": "agent", "agent_code": "agent",
    "agent_id": "agent", "operator": "agent",
    "yon": "direction", "cagri_yonu": "direction", "call_direction": "direction",
    "baslangic": "offered_at", "baslangic_zamani": "offered_at", "baslangic_tarihi": "offered_at",
    "teklif_zamani": "offered_at", "cagri_zamani": "offered_at", "cagri_tarihi": "offered_at",
    "tarih_saat": "offered_at", "start_time": "offered_at", "offered": "offered_at",
    "bekleme_suresi": "wait_seconds", "bekleme": "wait_seconds", "wait": "wait_seconds",
    "sonuc": "outcome", "cagri_sonucu": "outcome", "durum": "outcome", "result": "outcome",
    "konusma_suresi": "talk_seconds", "konusma": "talk_seconds", "talk": "talk_seconds",
    "bekletme_suresi": "hold_seconds", "bekletme": "hold_seconds", "beklemeye_alma_suresi": "hold_seconds",
    "hold": "hold_seconds",
    "son_islem_suresi": "wrap_seconds", "cagri_sonrasi_islem_suresi": "wrap_seconds", "son_islem": "wrap_seconds",
    "wrap": "wrap_seconds", "wrap_up": "wrap_seconds", "wrap_up_seconds": "wrap_seconds",
    "kayit_linki": "recording_url", "kayit": "recording_url", "ses_kaydi": "recording_url",
    "kayit_adresi": "recording_url", "recording": "recording_url",
}

DIRECTION_VALUES = {
    "in": Direction.INBOUND, "inbound": Direction.INBOUND, "incoming": Direction.INBOUND,
    "gelen": Direction.INBOUND, "gelen_cagri": Direction.INBOUND, "1": Direction.INBOUND,
    "out": Direction.OUTBOUND, "outbound": Direction.OUTBOUND, "outgoing": Direction.OUTBOUND,
    "giden": Direction.OUTBOUND, "giden_cagri": Direction.OUTBOUND, "dis_arama": Direction.OUTBOUND,
    "2": Direction.OUTBOUND,
}
OUTCOME_VALUES = {
    "answered": Outcome.ANSWERED, "cevaplandi": Outcome.ANSWERED, "cevaplanan": Outcome.ANSWERED,
    "yanitlandi": Outcome.ANSWERED, "yanitlanan": Outcome.ANSWERED, "karsilandi": Outcome.ANSWERED,
    "karsilanan": Outcome.ANSWERED, "1": Outcome.ANSWERED,
    "abandoned": Outcome.ABANDONED, "abandon": Outcome.ABANDONED, "terk": Outcome.ABANDONED,
    "terk_edildi": Outcome.ABANDONED, "terk_edilen": Outcome.ABANDONED, "kayip": Outcome.ABANDONED,
    "kayip_cagri": Outcome.ABANDONED, "kacan": Outcome.ABANDONED, "kacirilan": Outcome.ABANDONED,
    "cevapsiz": Outcome.ABANDONED, "2": Outcome.ABANDONED,
}

COLUMN_LABELS = {
    "call_id": gettext_lazy("call id"), "line": gettext_lazy("line"), "queue": gettext_lazy("queue"),
    "agent": gettext_lazy("agent code"), "direction": gettext_lazy("direction"),
    "offered_at": gettext_lazy("offered at"), "wait_seconds": gettext_lazy("wait (s)"),
    "outcome": gettext_lazy("outcome"), "talk_seconds": gettext_lazy("talk (s)"),
    "hold_seconds": gettext_lazy("hold (s)"), "wrap_seconds": gettext_lazy("wrap-up (s)"),
    "recording_url": gettext_lazy("recording address"),
}
_REQUIRED_INDEXES = tuple(COLUMNS.index(name) for name in REQUIRED[1:])
_EMPTY_IF_OUTBOUND = COLUMNS.index("wait_seconds")


@dataclass(frozen=True)
class CallRowError:
    line: int  # the spreadsheet's row number (the header is row 1), or the API batch's index (from 0)
    column: str  # a name of COLUMNS, or "" for the whole row
    message: str
    call_id: str = ""

    @property
    def key(self) -> str:
        return self.call_id

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message, "call_id": self.call_id}


@dataclass
class CallImportResult(IngestResult):
    new_lines: list[str] = field(default_factory=list)
    new_queues: list[str] = field(default_factory=list)
    new_agents: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "new_lines": self.new_lines, "new_queues": self.new_queues,
                "new_agents": self.new_agents}


def _seconds(value, column: str) -> int:
    """A duration in whole seconds, 0..MAX_SECONDS ("" is 0)."""
    if value.__class__ is int:
        number = value
    elif value == "":
        return 0
    else:
        text = cell_text(value)
        try:
            number = int(text)
        except ValueError:
            try:
                decimal = float(text.replace(",", "."))
            except ValueError:
                decimal = None
            if decimal is None or not decimal.is_integer():
                raise Refused(column, _("“%(value)s” is not a whole number of seconds.") % {"value": text[:40]}) \
                    from None
            number = int(decimal)
    if number < 0:
        raise Refused(column, _("A duration cannot be negative (%(value)s).") % {"value": number})
    if number > MAX_SECONDS:
        raise Refused(column, _("%(value)s seconds is more than 24 hours; check the unit (seconds).")
                      % {"value": number})
    return number


def _recording_address(url: str) -> bool:
    """An http(s) address, or a path on the portal itself ("/static/..."); never another scheme
    (javascript:, file: ...) nor a protocol-relative "//host" address."""
    if len(url) > 500 or any(c.isspace() for c in url) or "\\" in url:
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


class CallIngest(TableIngest):
    """One import of call records (`callqa_call`, upsert by `call_id`)."""

    TABLE = "callqa_call"
    COLUMNS = COLUMNS
    REQUIRED = REQUIRED
    HEADER_ALIASES = HEADER_ALIASES
    WRITE_COLUMNS = (
        "call_id", "line_id", "queue_id", "agent_id", "direction", "offered_at", "wait_seconds", "outcome",
        "talk_seconds", "hold_seconds", "wrap_seconds", "recording_url", "offered_on", "offered_hour", "row_hash",
        "imported_at",
    )
    DATE_COLUMNS = ("offered_on",)
    KEY_MAX_LENGTH = 64
    KEY_EMPTY = gettext_lazy("The call id is empty.")
    KEY_TOO_LONG = gettext_lazy("The call id is longer than 64 characters.")
    KEY_TWICE = gettext_lazy("The call id %(no)s appears more than once.")
    NOT_A_LIST = gettext_lazy(
        "Row %(line)s (the header) is not a call list: %(problems)s. The columns are: %(columns)s.")
    NOT_AN_OBJECT = gettext_lazy("Each call must be an object.")
    LOCK_ID = 74801
    RUN_MODEL = CallImportRun
    RESULT_CLASS = CallImportResult
    ROW_ERROR = CallRowError
    DELTA = rollups.CallDelta
    FLUSH_KEYS = rollups.FLUSH_KEYS
    OLD_FACT_COLUMNS = ("offered_on, offered_hour, line_id, queue_id, agent_id, direction, outcome, wait_seconds, "
                        "talk_seconds, hold_seconds, wrap_seconds")

    def __init__(self, *, create_agents: bool = False, **options):
        super().__init__(**options)
        self.create_agents = create_agents

    def _prepare(self) -> None:
        self.lines = dict(Line.objects.values_list("name", "id"))
        self.queues = dict(Queue.objects.values_list("name", "id"))
        self.agents = dict(Agent.objects.values_list("code", "id"))
        # KVKK retention deleted the calls offered before this day and froze their rollups
        # (kpi.callqa.rollups.record_purge): importing one again would count it twice.
        self.purged_before = CallRollupState.objects.order_by("pk").values_list("purged_before", flat=True).first()

    def _validate(self, cells: list, digest: int) -> tuple:
        direction = DIRECTION_VALUES.get(cells[4]) if cells[4].__class__ is str else None
        if direction is None and cells[4] != "":
            direction = choice(cells[4], DIRECTION_VALUES, "direction", "in, out (gelen, giden)")
        for index in _REQUIRED_INDEXES:
            if cells[index] == "" and not (index == _EMPTY_IF_OUTBOUND and direction == Direction.OUTBOUND):
                name = COLUMNS[index]
                raise Refused(name, _("The %(column)s is empty.") % {"column": COLUMN_LABELS[name]})
        line_name, queue_name, agent_code = cell_text(cells[1]), cell_text(cells[2]), cell_text(cells[3])
        if len(line_name) > 100:
            raise Refused("line", _("A line name is at most 100 characters."))
        if len(queue_name) > 100:
            raise Refused("queue", _("A queue name is at most 100 characters."))
        local = parse_datetime(cells[5], "offered_at")
        if self.purged_before is not None and local.date() < self.purged_before:
            raise Refused("offered_at", _("Calls offered before %(day)s were deleted when their retention period ended "
                                          "(KVKK); their figures are kept, so such a call is not imported again.")
                          % {"day": self.purged_before.strftime("%d.%m.%Y")})
        wait = _seconds(cells[6], "wait_seconds")
        outcome = OUTCOME_VALUES.get(cells[7]) if cells[7].__class__ is str else None
        if outcome is None:
            outcome = choice(cells[7], OUTCOME_VALUES, "outcome", "answered, abandoned (cevaplandı, terk)")
        talk = _seconds(cells[8], "talk_seconds")
        hold = _seconds(cells[9], "hold_seconds")
        wrap = _seconds(cells[10], "wrap_seconds")
        if outcome == Outcome.ABANDONED and (talk or hold or wrap):
            column = "talk_seconds" if talk else "hold_seconds" if hold else "wrap_seconds"
            raise Refused(column, _("An abandoned call has no talk, hold or wrap-up time."))
        url = cell_text(cells[11])
        if url and not _recording_address(url):
            raise Refused("recording_url", _("“%(value)s” is not an http(s) address (or a path on this portal) of at "
                                             "most 500 characters.") % {"value": url[:60]})
        agent_id = None
        if agent_code:
            agent_id = self.agents.get(agent_code)
            if agent_id is None:
                agent_id = self._unknown_agent(agent_code)
        line_id = self.lines.get(line_name)
        if line_id is None:
            line_id = self.lines[line_name] = Line.objects.create(name=line_name).pk
            self.result.new_lines.append(line_name)
        queue_id = self.queues.get(queue_name)
        if queue_id is None:
            queue_id = self.queues[queue_name] = Queue.objects.create(name=queue_name).pk
            self.result.new_queues.append(queue_name)
        return (cells[0], line_id, queue_id, agent_id, int(direction), self.store_datetime(utc_naive(local)), wait,
                int(outcome), talk, hold, wrap, url, local.date(), local.hour, digest)

    def _unknown_agent(self, code: str) -> int:
        if not self.create_agents:
            raise Refused("agent", _("There is no agent with the code “%(code)s” (add it, or import with "
                                     "--create-agents).") % {"code": code[:40]})
        if len(code) > 40:
            raise Refused("agent", _("An agent code is at most 40 characters."))
        agent = Agent.objects.create(code=code)
        self.agents[code] = agent.pk
        self.result.new_agents.append(code)
        return agent.pk

    def _fact(self, r: tuple) -> tuple:
        return (r[12], r[13], r[1], r[2], r[3], r[4], r[7], r[6], r[8], r[9], r[10])

    def _old_facts_of(self, rows: list[tuple]) -> list[tuple]:
        import datetime as dt

        # SQLite may hand the day back as text; CallDelta needs a date (it takes the month from it).
        return [row if row[0].__class__ is not str else (dt.date.fromisoformat(row[0]),) + tuple(row[1:])
                for row in rows]


def import_file(fileobj, filename: str, **options) -> CallImportResult:
    """Import a CSV/XLSX export of call records. Options: user, source (CallImportRun.Source), dry_run,
    skip_errors, create_agents, progress (a callable given the rows read so far), max_bytes.
    File-level problems (not a table, wrong headers, too large) raise ValidationError."""
    max_bytes = options.pop("max_bytes", None)
    return CallIngest(filename=filename, **options).run_file(fileobj, filename, max_bytes=max_bytes)


def import_records(records: list[dict], **options) -> CallImportResult:
    """Import API records (dicts keyed by COLUMNS); `result.statuses` says what became of each."""
    return CallIngest(source=CallImportRun.Source.API, **options).run_records(records)
