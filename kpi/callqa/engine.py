"""THE contact-centre KPI engine: every call figure the portal shows (dashboard, home panel,
monthly report, API, exports) comes from `CallKpiEngine.compute`, so they agree. docs/kpi.md
gives the formulas; `definition()` states the one in force, and every report carries it.

It reads the call rollups (kpi.callqa.rollups), never the call table: ONE query per report over
the smallest cube that can answer it (the month cube for whole months without a day, week or
hour grouping; for an hour grouping the interval cube, or the agent hour cube when agents or teams
are grouped, filtered or scoped; else the day cube), a GROUP BY in SQL, plus
once per engine the rollup state (the thresholds the rollups were counted with) and the names it
shows (lines, queues, agents, teams), whatever the number of calls.

The KPIs of a group (rates as fractions 0..1, None when the denominator is 0; times in seconds):

    short           = short_abandoned if QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS else 0
    base            = offered - short
    met             = answered_in_sl [+ abandoned_in_sl (+ short_abandoned when short abandons are
                      not excluded) if QMS_CALL_SL_ABANDONS_IN_THRESHOLD_MET]
    service_level   = met / base
    abandon_rate    = (abandoned - short) / base
    answer_rate     = answered / base           (answer_rate + abandon_rate = 1)
    asa             = wait_answered / answered
    aht             = (talk + hold + wrap) / answered
    avg_talk / avg_hold / avg_wrap = talk / hold / wrap over answered

Who sees what: `callqa.view_callkpi` every figure; a team lead (`callqa.lead_team`) without it
only the figures of the agents `kpi.callqa.access.agents_visible_to` gives them (their team):
calls without an agent, and other teams' agents, are then in none of their rows or totals;
anyone else is refused (PermissionDenied). `user=None` (a command) sees everything.

Calls without an agent (agent_key 0) count in line and queue figures and in the totals, never in
an agent's or a team's: grouping or filtering by agent or team leaves them out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kpi.callqa import rollups
from kpi.callqa.models import (
    CALL_COUNTERS,
    NO_AGENT,
    Agent,
    CallRollupDay,
    CallRollupHour,
    CallRollupInterval,
    CallRollupMonth,
    Line,
    Queue,
    Team,
)
from kpi.engine import time_key

VIEW_PERMISSION = "callqa.view_callkpi"
TEAM_PERMISSION = "callqa.lead_team"

DIMENSIONS = ("line", "queue", "agent", "team")
PERIODS = ("day", "week", "month")
GROUPS = DIMENSIONS + ("hour",) + PERIODS

KPI_NAMES = ("offered", "answered", "abandoned", "short_abandoned", "service_level", "asa", "aht", "abandon_rate",
             "answer_rate", "outbound", "avg_talk", "avg_hold", "avg_wrap")
RATES = frozenset({"service_level", "abandon_rate", "answer_rate"})
SECONDS = frozenset({"asa", "aht", "avg_talk", "avg_hold", "avg_wrap"})
COUNTS = frozenset({"offered", "answered", "abandoned", "short_abandoned", "outbound"})
KPI_LABELS = {
    "offered": pgettext_lazy("call KPI", "Offered"),
    "answered": pgettext_lazy("call KPI", "Answered"),
    "abandoned": pgettext_lazy("call KPI", "Abandoned"),
    "short_abandoned": pgettext_lazy("call KPI", "Short abandons"),
    "service_level": pgettext_lazy("call KPI", "Service level"),
    "asa": pgettext_lazy("call KPI", "Average speed of answer"),
    "aht": pgettext_lazy("call KPI", "Average handling time"),
    "abandon_rate": pgettext_lazy("call KPI", "Abandon rate"),
    "answer_rate": pgettext_lazy("call KPI", "Answer rate"),
    "outbound": pgettext_lazy("call KPI", "Outbound calls"),
    "avg_talk": pgettext_lazy("call KPI", "Average talk time"),
    "avg_hold": pgettext_lazy("call KPI", "Average hold time"),
    "avg_wrap": pgettext_lazy("call KPI", "Average wrap-up time"),
}
GROUP_LABELS = {
    "line": pgettext_lazy("call line", "Line"), "queue": gettext_lazy("Queue"), "agent": gettext_lazy("Agent"),
    "team": gettext_lazy("Team"), "hour": gettext_lazy("Hour"), "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week"), "month": pgettext_lazy("KPI period", "Month"),
}


# ---- the definition in force -------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """How the service level is counted (settings): short abandons out of the denominator, and
    abandons within the threshold counted as met."""

    exclude_short: bool = True
    abandons_met: bool = False

    @classmethod
    def from_settings(cls) -> Variant:
        return cls(bool(settings.QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS),
                   bool(settings.QMS_CALL_SL_ABANDONS_IN_THRESHOLD_MET))


def _formulas(variant: Variant) -> dict[str, str]:
    base = "(offered - short_abandoned)" if variant.exclude_short else "offered"
    met = "answered_in_sl"
    if variant.abandons_met:
        met = "(answered_in_sl + abandoned_in_sl)" if variant.exclude_short else \
            "(answered_in_sl + abandoned_in_sl + short_abandoned)"
    lost = "(abandoned - short_abandoned)" if variant.exclude_short else "abandoned"
    return {
        "service_level": f"{met} / {base}",
        "abandon_rate": f"{lost} / {base}",
        "answer_rate": f"answered / {base}",
        "asa": "wait_answered / answered",
        "aht": "(talk + hold + wrap) / answered",
    }


def _sentences(variant: Variant, sl: int, short: int) -> tuple[str, str]:
    numbers = {"sl": sl, "short": short}
    if variant.exclude_short and not variant.abandons_met:
        level = _("Service level: answered within %(sl)s s ÷ (offered − abandoned under %(short)s s); abandons "
                  "within %(sl)s s not counted as met.")
    elif variant.exclude_short:
        level = _("Service level: (answered within %(sl)s s + abandoned within %(sl)s s) ÷ (offered − abandoned "
                  "under %(short)s s); abandons within %(sl)s s counted as met.")
    elif not variant.abandons_met:
        level = _("Service level: answered within %(sl)s s ÷ offered (abandons under %(short)s s included); "
                  "abandons within %(sl)s s not counted as met.")
    else:
        level = _("Service level: (answered within %(sl)s s + abandoned within %(sl)s s) ÷ offered (abandons "
                  "under %(short)s s included); abandons within %(sl)s s counted as met.")
    if variant.exclude_short:
        rest = _("Abandon rate: (abandoned − abandoned under %(short)s s) ÷ (offered − abandoned under %(short)s s). "
                 "Average speed of answer: mean wait of answered calls. Average handling time: mean talk + hold + "
                 "wrap-up of answered calls.")
    else:
        rest = _("Abandon rate: abandoned ÷ offered. Average speed of answer: mean wait of answered calls. Average "
                 "handling time: mean talk + hold + wrap-up of answered calls.")
    return level % numbers, rest % numbers


def definition(state=None, variant: Variant | None = None) -> dict:
    """The definition the figures use, as data and as sentences (in the active language):

    {"sl_seconds", "short_abandon_seconds": the thresholds the rollups were counted with,
     "exclude_short_abandons", "abandons_in_threshold_met": the variant (settings),
     "formulas": {kpi: formula over the rollup counters}, "text": the service-level sentence,
     "more": the abandon rate, ASA and AHT sentence, "stale": the settings now name other
     thresholds than the rollups hold (`rollups.stale()`), "settings_sl_seconds",
     "settings_short_abandon_seconds", "warning": what to do about it (None when not stale)}

    `state`: the CallRollupState (read when not given: one query)."""
    state = state or rollups.state()
    variant = variant or Variant.from_settings()
    sl, short = state.sl_seconds, state.short_abandon_seconds
    wanted_sl, wanted_short = rollups.thresholds()
    stale = (sl, short) != (wanted_sl, wanted_short)
    text, more = _sentences(variant, sl, short)
    warning = None
    if stale:
        warning = _("The figures were counted with a %(sl)s s service-level threshold and %(short)s s short abandons; "
                    "the settings now say %(new_sl)s s and %(new_short)s s. Rebuild the call rollups "
                    "(manage.py rebuild_call_rollups) to count with them.") % {
            "sl": sl, "short": short, "new_sl": wanted_sl, "new_short": wanted_short}
    return {
        "sl_seconds": sl,
        "short_abandon_seconds": short,
        "exclude_short_abandons": variant.exclude_short,
        "abandons_in_threshold_met": variant.abandons_met,
        "formulas": _formulas(variant),
        "text": text,
        "more": more,
        "stale": stale,
        "settings_sl_seconds": wanted_sl,
        "settings_short_abandon_seconds": wanted_short,
        "warning": warning,
    }


def definition_lines(found: dict) -> list[str]:
    """The definition as the lines a file states it with (the sentences, then the warning)."""
    return [found["text"], found["more"]] + ([found["warning"]] if found["warning"] else [])


# ---- the KPIs of a group's counters --------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator > 0 else None


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 1) if count > 0 else None


def kpis_of(c: dict, variant: Variant | None = None) -> dict:
    """Every KPI from a group's rollup counters (the module's text gives the formulas)."""
    variant = variant or Variant.from_settings()
    answered = c["answered"]
    short = c["short_abandoned"] if variant.exclude_short else 0
    base = c["offered"] - short
    met = c["answered_in_sl"]
    if variant.abandons_met:
        met += c["abandoned_in_sl"] + (0 if variant.exclude_short else c["short_abandoned"])
    return {
        "offered": c["offered"],
        "answered": answered,
        "abandoned": c["abandoned"],
        "short_abandoned": c["short_abandoned"],
        "service_level": _ratio(met, base),
        "asa": _mean(c["wait_answered"], answered),
        "aht": _mean(c["talk"] + c["hold"] + c["wrap"], answered),
        "abandon_rate": _ratio(c["abandoned"] - short, base),
        "answer_rate": _ratio(answered, base),
        "outbound": c["outbound"],
        "avg_talk": _mean(c["talk"], answered),
        "avg_hold": _mean(c["hold"], answered),
        "avg_wrap": _mean(c["wrap"], answered),
    }


def empty_counters() -> dict:
    return dict.fromkeys(CALL_COUNTERS, 0)


def _add(target: dict, source: dict) -> None:
    for name in CALL_COUNTERS:
        target[name] += source[name]


# ---- the report ---------------------------------------------------------------------------------


@dataclass
class CallKpiRow:
    """One group's figures: `keys` (group name -> key as the API writes it: line, queue and team
    names, the agent code, hour 0..23, day YYYY-MM-DD, week YYYY-Www, month YYYY-MM), `values`
    (KPI name -> number or None), `counters` (the rollup sums), `ids` (line_id, queue_id, agent_id,
    team_id, period_start, for links and names)."""

    keys: dict
    counters: dict
    values: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The group keys and every KPI: one row of the API and the export."""
        return {**self.keys, **self.values}


@dataclass
class CallKpiReport:
    date_from: dt.date
    date_to: dt.date
    group_by: tuple[str, ...]
    filters: dict
    rows: list[CallKpiRow]
    total: CallKpiRow
    cube: str  # "interval", "hour", "day" or "month": the rollup read
    definition: dict
    engine: CallKpiEngine | None = None

    def regroup(self, group_by: Iterable[str]) -> CallKpiReport:
        """The same figures grouped by fewer of the report's groups (summed in memory, no query):
        e.g. a ("line", "queue") report gives its ("line",) and ("queue",) reports."""
        group_by = tuple(group_by)
        missing = [g for g in group_by if g not in self.group_by]
        if missing:
            raise ValueError(f"cannot regroup by {missing}: not in {self.group_by}")
        sums: dict[tuple, CallKpiRow] = {}
        for row in self.rows:
            key = tuple(row.keys[g] for g in group_by)
            found = sums.get(key)
            if found is None:
                found = sums[key] = CallKpiRow(keys={g: row.keys[g] for g in group_by}, counters=empty_counters(),
                                               ids={name: value for name, value in row.ids.items()
                                                    if _id_group(name) in group_by})
            _add(found.counters, row.counters)
        variant = self.engine.variant if self.engine else Variant.from_settings()
        rows = list(sums.values())
        for row in rows:
            row.values = kpis_of(row.counters, variant)
        rows.sort(key=lambda r: _sort_key(group_by, r))
        return CallKpiReport(self.date_from, self.date_to, group_by, self.filters, rows, self.total, self.cube,
                             self.definition, self.engine)


def _id_group(name: str) -> str:
    return {"line_id": "line", "queue_id": "queue", "agent_id": "agent", "team_id": "team"}.get(name, "period")


def _sort_key(group_by: tuple[str, ...], row: CallKpiRow) -> tuple:
    parts = []
    for name in group_by:
        value = row.keys[name]
        parts.append((value is None, value if value is not None else ""))
    return tuple(parts)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def whole_months(date_from: dt.date, date_to: dt.date) -> bool:
    return date_from.day == 1 and (date_to + dt.timedelta(days=1)).day == 1


def may_view(user) -> bool:
    """Whether `user` may see contact-centre figures at all (every figure, or their team's)."""
    if user is None:
        return True
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return user.has_perm(VIEW_PERMISSION) or user.has_perm(TEAM_PERMISSION)


def refusal_message() -> str:
    return _("The contact-centre KPIs are for those who hold the “see the contact-centre KPIs” permission "
             "(callqa.view_callkpi), and for team leads (their own team's agents).")


@dataclass
class AgentInfo:
    code: str
    name: str
    team_id: int | None


class CallKpiEngine:
    """One reader's view of the call KPIs: their scope (all, or their team's agents), the
    definition in force, the names. `compute()` can be called several times (the dashboard's
    charts and tables); the state and the names are read once per engine."""

    def __init__(self, *, user=None):
        if not may_view(user):
            raise PermissionDenied(refusal_message())
        self.user = user
        self.variant = Variant.from_settings()
        self.scoped = user is not None and not user.has_perm(VIEW_PERMISSION)
        self._state = None
        self._definition: dict | None = None
        self._lines: dict | None = None
        self._queues: dict | None = None
        self._agents: dict | None = None
        self._teams: dict | None = None

    # ---- lookups, once per engine ------------------------------------------------------------------

    def visible_agents(self):
        """The agents this reader's figures may count (a queryset; all when not scoped)."""
        from kpi.callqa.access import agents_visible_to

        if not self.scoped:
            return Agent.objects.all()
        return agents_visible_to(self.user).filter(Q(team__lead=self.user) | Q(staff__user=self.user))

    def state(self):
        if self._state is None:
            self._state = rollups.state()
        return self._state

    def definition(self) -> dict:
        if self._definition is None:
            self._definition = definition(self.state(), self.variant)
        return self._definition

    def lines(self) -> dict[int, str]:
        if self._lines is None:
            self._lines = dict(Line.objects.values_list("pk", "name"))
        return self._lines

    def queues(self) -> dict[int, str]:
        if self._queues is None:
            self._queues = dict(Queue.objects.values_list("pk", "name"))
        return self._queues

    def agents(self) -> dict[int, AgentInfo]:
        """The visible agents by id: code, name (the staff account's full name, else the profile's
        name, else the code), team id. One query."""
        if self._agents is None:
            found = {}
            for pk, code, name, team_id, first, last in self.visible_agents().values_list(
                    "pk", "code", "name", "team_id", "staff__user__first_name", "staff__user__last_name"):
                full = f"{first or ''} {last or ''}".strip()
                found[pk] = AgentInfo(code=code, name=full or name or code, team_id=team_id)
            self._agents = found
        return self._agents

    def teams(self) -> dict[int, str]:
        """Every team by id (names are not confidential; the figures are)."""
        if self._teams is None:
            self._teams = dict(Team.objects.values_list("pk", "name"))
        return self._teams

    def visible_teams(self) -> dict[int, str]:
        """The teams this reader may filter by: all, or those of their visible agents."""
        teams = self.teams()
        if not self.scoped:
            return teams
        ids = {info.team_id for info in self.agents().values() if info.team_id is not None}
        return {pk: name for pk, name in teams.items() if pk in ids}

    # ---- the report -----------------------------------------------------------------------------

    def compute(self, *, date_from: dt.date, date_to: dt.date, group_by: Iterable[str] = (),
                lines: list[int] | None = None, queues: list[int] | None = None, agents: list[int] | None = None,
                teams: list[int] | None = None) -> CallKpiReport:
        """The KPIs of the calls offered from `date_from` to `date_to` (local days, inclusive),
        grouped by `group_by` (names of GROUPS: any of line, queue, agent, team, hour, and at most
        one of day, week, month), for the given lines, queues, agents and teams (ids; None: all)."""
        group_by = check_group_by(group_by)
        if date_from > date_to:
            raise ValidationError(_("The period starts after it ends."))
        period = next((g for g in group_by if g in PERIODS), None)
        by_agent = "agent" in group_by or "team" in group_by
        if "hour" in group_by and not by_agent and agents is None and teams is None and not self.scoped:
            cube, time_field, cube_name = CallRollupInterval, "day", "interval"
        elif "hour" in group_by:
            cube, time_field, cube_name = CallRollupHour, "day", "hour"
        elif whole_months(date_from, date_to) and period not in ("day", "week"):
            cube, time_field, cube_name = CallRollupMonth, "month", "month"
        else:
            cube, time_field, cube_name = CallRollupDay, "day", "day"

        where = Q(**{f"{time_field}__range": (date_from, date_to)})
        if lines is not None:
            where &= Q(line_id__in=lines)
        if queues is not None:
            where &= Q(queue_id__in=queues)
        if agents is not None:
            where &= Q(agent_key__in=agents)
        if teams is not None:
            where &= Q(agent_key__in=Agent.objects.filter(team_id__in=teams).values("pk"))
        if self.scoped:
            where &= Q(agent_key__in=self.visible_agents().values("pk"))
        if by_agent:
            where &= ~Q(agent_key=NO_AGENT)

        columns = []
        annotations = {}
        if "line" in group_by:
            columns.append("line_id")
        if "queue" in group_by:
            columns.append("queue_id")
        if by_agent:
            columns.append("agent_key")
        if "hour" in group_by:
            columns.append("hour")
        if period == "day":
            columns.append("day")
        elif period == "month" and cube_name == "month":
            columns.append("month")
        elif period in ("week", "month"):
            annotations["period"] = (TruncWeek if period == "week" else TruncMonth)(time_field)
            columns.append("period")
        queryset = cube.objects.filter(where)
        if annotations:
            queryset = queryset.annotate(**annotations)
        result = queryset.values(*columns).annotate(**{f"s_{n}": Sum(n) for n in CALL_COUNTERS}).order_by()

        agent_names = self.agents() if by_agent else {}
        groups: dict[tuple, CallKpiRow] = {}
        total = empty_counters()
        for found in result:
            counters = {n: found[f"s_{n}"] or 0 for n in CALL_COUNTERS}
            _add(total, counters)
            keys, ids = {}, {}
            for name in group_by:
                if name == "line":
                    ids["line_id"] = found["line_id"]
                    keys["line"] = self.lines().get(found["line_id"], "?")
                elif name == "queue":
                    ids["queue_id"] = found["queue_id"]
                    keys["queue"] = self.queues().get(found["queue_id"], "?")
                elif name == "agent":
                    info = agent_names.get(found["agent_key"])
                    ids["agent_id"] = found["agent_key"]
                    keys["agent"] = info.code if info else "?"
                elif name == "team":
                    info = agent_names.get(found["agent_key"])
                    team_id = info.team_id if info else None
                    ids["team_id"] = team_id
                    keys["team"] = self.teams().get(team_id) if team_id is not None else None
                elif name == "hour":
                    keys["hour"] = found["hour"]
                else:
                    start = _as_date(found[columns[-1]])
                    ids["period_start"] = start
                    keys[name] = time_key(name, start)
            key = tuple(keys[name] for name in group_by)
            row = groups.get(key)
            if row is None:
                row = groups[key] = CallKpiRow(keys=keys, counters=counters, ids=ids)
            else:
                _add(row.counters, counters)
        rows = list(groups.values())
        for row in rows:
            row.values = kpis_of(row.counters, self.variant)
        rows.sort(key=lambda r: _sort_key(group_by, r))
        total_row = CallKpiRow(keys={}, counters=total, values=kpis_of(total, self.variant))
        filters = {"lines": lines, "queues": queues, "agents": agents, "teams": teams}
        return CallKpiReport(date_from, date_to, group_by, filters, rows, total_row, cube_name, self.definition(),
                             self)


def check_group_by(group_by: Iterable[str]) -> tuple[str, ...]:
    names = tuple(group_by)
    unknown = [name for name in names if name not in GROUPS]
    if unknown:
        raise ValidationError(_("Unknown grouping: %(names)s (use %(allowed)s).")
                              % {"names": ", ".join(unknown), "allowed": ", ".join(GROUPS)})
    if len(set(names)) != len(names):
        raise ValidationError(_("Each grouping may be named once."))
    if len([name for name in names if name in PERIODS]) > 1:
        raise ValidationError(_("Group by one period at most (day, week or month); hour of day can go with it."))
    return names


# ---- parameters as typed, and the rows of the API and the export ----------------------------------


def parse_group_by(value) -> tuple[str, ...]:
    """"line,day" (or a list of names) -> ("line", "day"); unknown names are refused."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else [p for item in value for p in str(item).split(",")]
    return check_group_by(part.strip() for part in parts if part.strip())


def _names(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _ids(found: dict[str, int], names: list[str], message: str) -> list[int] | None:
    if not names:
        return None
    unknown = [name for name in names if name not in found]
    if unknown:
        raise ValidationError(message % {"names": ", ".join(unknown)})
    return [found[name] for name in names]


def calls_report(*, user=None, date_from, date_to, group_by=None, lines=None, queues=None, agents=None,
                 teams=None) -> CallKpiReport:
    """The engine's report for parameters as typed (ISO dates, "line,day", line, queue and team
    names, agent codes; each filter a name or a list of them): ValidationError saying what is
    wrong, PermissionDenied for a reader who may not see call KPIs. `user` None: every figure (the
    command); a team lead's other teams and other agents are refused as if they did not exist."""
    from kpi.export import parse_date

    start = parse_date(date_from, "from")
    end = parse_date(date_to, "to")
    groups = parse_group_by(group_by)
    if start > end:
        raise ValidationError(_("The period starts after it ends (from %(start)s, to %(end)s).")
                              % {"start": start.isoformat(), "end": end.isoformat()})
    engine = CallKpiEngine(user=user)

    def lookup(names: list[str], found, message: str) -> list[int] | None:
        # the names are read only when a filter names some
        return _ids(found(), names, message) if names else None

    line_ids = lookup(_names(lines), lambda: {name: pk for pk, name in engine.lines().items()},
                      _("Unknown line: %(names)s."))
    queue_ids = lookup(_names(queues), lambda: {name: pk for pk, name in engine.queues().items()},
                       _("Unknown queue: %(names)s."))
    agent_ids = lookup(_names(agents), lambda: {info.code: pk for pk, info in engine.agents().items()},
                       _("Unknown agent code: %(names)s."))
    team_ids = lookup(_names(teams), lambda: {name: pk for pk, name in engine.visible_teams().items()},
                      _("Unknown team: %(names)s."))
    return engine.compute(date_from=start, date_to=end, group_by=groups, lines=line_ids, queues=queue_ids,
                          agents=agent_ids, teams=team_ids)


def export_rows(report: CallKpiReport) -> tuple[list[str], list[dict]]:
    """The report as (columns, rows): the group keys in the asked order, then every KPI; each row
    a dict keyed by those columns (a row of the API and of the command's JSON and CSV)."""
    columns = list(report.group_by) + list(KPI_NAMES)
    return columns, [{name: row.as_dict().get(name) for name in columns} for row in report.rows]


def rows_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def rows_csv(columns: list[str], rows: list[dict], found: dict) -> bytes:
    """The house CSV (kpi.export.rows_csv: UTF-8 with BOM, semicolons; an empty cell is no value)
    with the definition stated on its first line."""
    from kpi.export import rows_csv as house_csv

    return csv_with_definition(house_csv(columns, rows), found)


def csv_with_definition(content: bytes, found: dict) -> bytes:
    """A house CSV (qms.downloads.csv_bytes) with the definition `found` stated first: one line, a
    single cell starting with "#", before the header."""
    import csv
    import io

    note = io.StringIO()
    csv.writer(note, delimiter=";", lineterminator="\r\n").writerow(["# " + " ".join(definition_lines(found))])
    bom = "\ufeff".encode()
    return bom + note.getvalue().encode("utf-8") + content.removeprefix(bom)


# ---- the dashboard ------------------------------------------------------------------------------

SERIES_DAYS_MAX = 62  # a longer range is drawn month by month


@dataclass
class CallDashboard:
    date_from: dt.date
    date_to: dt.date
    total: CallKpiRow
    series: CallKpiReport  # by day (by month over more than SERIES_DAYS_MAX days)
    by_hour: CallKpiReport
    by_line: CallKpiReport
    by_queue: CallKpiReport
    by_agent: CallKpiReport  # grouped by agent and team
    definition: dict
    engine: CallKpiEngine


def dashboard(*, user=None, date_from: dt.date, date_to: dt.date, lines: list[int] | None = None,
              queues: list[int] | None = None, teams: list[int] | None = None,
              engine: CallKpiEngine | None = None) -> CallDashboard:
    """The dashboard's figures with the same filters everywhere, in four cube queries (the series,
    the hour profile, line x queue, agents) plus the engine's state and names."""
    engine = engine or CallKpiEngine(user=user)
    common = {"date_from": date_from, "date_to": date_to, "lines": lines, "queues": queues, "teams": teams}
    step = "day" if (date_to - date_from).days < SERIES_DAYS_MAX else "month"
    series = engine.compute(group_by=(step,), **common)
    by_hour = engine.compute(group_by=("hour",), **common)
    line_queue = engine.compute(group_by=("line", "queue"), **common)
    by_agent = engine.compute(group_by=("agent", "team"), **common)
    return CallDashboard(date_from, date_to, series.total, series, by_hour, line_queue.regroup(("line",)),
                         line_queue.regroup(("queue",)), by_agent, engine.definition(), engine)
