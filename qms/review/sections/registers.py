"""The pack sections of the two registers: "effectiveness of actions on risks and opportunities"
(RISKS) and "stakeholder analysis" (STAKEHOLDERS).

Each section lists the register as it is when the pack is compiled, with headline figures, and
sets every row against the register the last approved review was shown: that review's stored pack
is the only record of what the meeting saw, so the comparison reads it rather than any history.
For that to work the `register` table is a contract with earlier packs: the code is always the
first column and the compared columns keep their places (`RISK_COLUMNS`, `STAKEHOLDER_COLUMNS`);
a new column is only ever appended before the change column, never inserted.

The reads the admin screens and the API share with the sections (level bands, overdue review
dates, the heat map) are here too, so all three count the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qms.api import admin_path
from qms.review.models import (
    RISK_LEVEL_LABELS,
    AgendaItem,
    AgendaItemKind,
    Influence,
    RegisterStatus,
    Review,
    Risk,
    RiskKind,
    Stakeholder,
    StakeholderKind,
    risk_level,
)
from qms.review.pack import Figure, Link, Section, Table, section, table

# --- shared reads -------------------------------------------------------------------------------

# The score range of each band of `qms.review.models.risk_level` (a 5x5 product never lands on 17-19).
LEVEL_SCORES: dict[str, tuple[int, int]] = {
    "low": (1, 4),
    "medium": (5, 9),
    "high": (10, 19),
    "very_high": (20, 25),
}
LEVELS_HIGH_FIRST = ["very_high", "high", "medium", "low"]
SCALE = range(1, 6)


def at_level(queryset, level: str):
    """`queryset` (of risks) narrowed to one level band; an unknown level raises KeyError."""
    low, high = LEVEL_SCORES[level]
    return queryset.filter(score__gte=low, score__lte=high)


def review_overdue(instance, today: dt.date | None = None) -> bool:
    """An active item whose review date has passed (a closed one is no longer reviewed)."""
    today = today or timezone.localdate()
    return instance.status == RegisterStatus.ACTIVE and instance.review_date < today


def overdue_filter(today: dt.date | None = None) -> Q:
    return Q(status=RegisterStatus.ACTIVE, review_date__lt=today or timezone.localdate())


def heat_map(queryset=None) -> list[dict]:
    """The 5x5 matrix of active items: one dict per likelihood (5 first, as the matrix is drawn),
    each with its cells by impact 1..5 (count, score and level). One query."""
    queryset = Risk.objects.all() if queryset is None else queryset
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in queryset.filter(status=RegisterStatus.ACTIVE)
        .values("likelihood", "impact").annotate(n=Count("pk")).order_by()
    }
    return [
        {
            "likelihood": likelihood,
            "cells": [
                {"impact": impact, "count": counts.get((likelihood, impact), 0), "score": likelihood * impact,
                 "level": risk_level(likelihood * impact),
                 "level_label": RISK_LEVEL_LABELS[risk_level(likelihood * impact)]}
                for impact in SCALE
            ],
        }
        for likelihood in reversed(SCALE)
    ]


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def day(value: dt.date) -> str:
    return f"{value:%d.%m.%Y}"


def review_date_text(instance, today: dt.date | None = None) -> str:
    """The review date as shown: flagged in words when overdue (never by colour alone)."""
    if review_overdue(instance, today):
        return _("%(date)s (overdue)") % {"date": day(instance.review_date)}
    return day(instance.review_date)


# --- the change since the last review ------------------------------------------------------------


def previous_review(review: Review) -> Review | None:
    """The latest approved review planned before `review`, not `review` itself nor a version it
    corrects (a correction compares with what its original compared with)."""
    chain = {review.pk}
    corrects = review.corrects_id
    while corrects and corrects not in chain:
        chain.add(corrects)
        corrects = Review.objects.filter(pk=corrects).values_list("corrects_id", flat=True).first()
    return (
        Review.objects.approved().filter(planned_date__lt=review.planned_date).exclude(pk__in=chain)
        .order_by("-planned_date", "-version", "-pk").first()
    )


def previous_register(review: Review, kind: str) -> tuple[Review | None, dict | None]:
    """The last approved review and the `register` table stored in its pack for `kind` (None when
    there is no such review, or it stored no register)."""
    previous = previous_review(review)
    if previous is None:
        return None, None
    pack = AgendaItem.objects.filter(review=previous, kind=kind).values_list("pack", flat=True).first()
    return previous, (table(pack, "register") if pack else None)


@dataclass
class Comparison:
    """Per code, the words that describe its change; and the counts by outcome."""

    changes: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("new", "changed", "closed", "unchanged", "removed"), 0))
    removed: list[list[str]] = field(default_factory=list)


def compare(old_rows: list[list[str]], new_rows: list[list[str]], *, status_column: int,
            describe: Callable[[list[str], list[str]], list[str]]) -> Comparison:
    """Set each new row against the old row with the same code (the first column).

    Outcomes are exclusive: new (no old row), closed (was active, now closed), changed (anything
    `describe` reports), unchanged; old rows whose code is gone are `removed`.
    """
    old = {row[0]: row for row in old_rows if row}
    closed_label = str(RegisterStatus.CLOSED.label)
    result = Comparison()
    for row in new_rows:
        code = row[0]
        before = old.get(code)
        if before is None:
            result.changes[code] = _("New since the last review")
            result.counts["new"] += 1
            continue
        words = describe(before, row)
        now_closed = row[status_column] == closed_label and before[status_column] != closed_label
        if now_closed:
            words = [_("Closed")] + words
            result.counts["closed"] += 1
        elif words:
            result.counts["changed"] += 1
        else:
            result.counts["unchanged"] += 1
        result.changes[code] = "; ".join(words) if words else _("Unchanged")
    codes = {row[0] for row in new_rows}
    result.removed = [row for code, row in old.items() if code not in codes]
    result.counts["removed"] = len(result.removed)
    return result


def _number(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _status_words(before: list[str], after: list[str], column: int) -> list[str]:
    closed = str(RegisterStatus.CLOSED.label)
    old, new = _cell(before, column), _cell(after, column)
    if old == new or new == closed:  # closing is reported as its own outcome
        return []
    if old == closed:
        return [_("Reopened")]
    return [_("Status: %(old)s → %(new)s") % {"old": old, "new": new}]


def _moved(label: str, before: list[str], after: list[str], column: int) -> list[str]:
    old, new = _cell(before, column), _cell(after, column)
    if old == new:
        return []
    return [_("%(what)s: %(old)s → %(new)s") % {"what": label, "old": old or "—", "new": new or "—"}]


def _updated(label: str, before: list[str], after: list[str], column: int) -> list[str]:
    return [] if _cell(before, column) == _cell(after, column) else [_("%(what)s updated") % {"what": label}]


def _change_figures(comparison: Comparison | None) -> list[Figure]:
    if comparison is None:
        return []
    counts = comparison.counts
    labels = {
        "new": _("New since the last review"),
        "changed": _("Changed since the last review"),
        "closed": _("Closed since the last review"),
        "unchanged": _("Unchanged since the last review"),
        "removed": _("No longer in the register"),
    }
    return [Figure(label=labels[name], value=str(counts[name]), raw=counts[name], key=f"change_{name}")
            for name in labels]


def _comparison_notes(previous: Review | None, old_table: dict | None, columns: int) -> tuple[list[str], bool]:
    """The note that says what the rows are compared with, and whether they can be."""
    if previous is None:
        return [_("No previous review to compare with: this is the first approved review of the register.")], False
    if old_table is None or len(old_table.get("columns", [])) < columns:
        return [_("The last review (%(review)s) stored no register to compare with.")
                % {"review": previous.label}], False
    return [_("Changes are against the register shown at the last review, %(review)s of %(date)s.")
            % {"review": previous.label, "date": day(previous.planned_date)}], True


def _removed_table(comparison: Comparison | None, names: tuple[int, int], title: str) -> list[Table]:
    if comparison is None or not comparison.removed:
        return []
    code_at, text_at = names
    return [Table(
        title=title,
        columns=[_("Number"), _("Description"), _("Change since the last review")],
        rows=[[_cell(row, code_at), _cell(row, text_at), _("No longer in the register")] for row in comparison.removed],
        links=[None] * len(comparison.removed),
        key="removed",
    )]


# --- risks and opportunities -------------------------------------------------------------------

# Column places of the risk `register` table (a contract with earlier packs: see the module doc).
RISK_COLUMNS = {
    "code": 0, "kind": 1, "description": 2, "process": 3, "likelihood": 4, "impact": 5, "score": 6, "level": 7,
    "treatment": 8, "effectiveness": 9, "owner": 10, "review_date": 11, "status": 12, "change": 13,
}


def _risk_columns() -> list[str]:
    return [_("Number"), _("Kind"), _("Description"), _("Process"), _("Likelihood (L)"), _("Impact (I)"),
            _("Score (L×I)"), _("Level"), _("Treatment actions"), _("Effectiveness of the actions"), _("Owner"),
            _("Next review date"), _("Status"), _("Change since the last review")]


def _describe_risk_change(before: list[str], after: list[str]) -> list[str]:
    c = RISK_COLUMNS
    words = []
    old_score, new_score = _number(_cell(before, c["score"])), _number(_cell(after, c["score"]))
    if old_score is not None and new_score is not None and old_score != new_score:
        template = _("Score %(old)s → %(new)s (up)") if new_score > old_score else _("Score %(old)s → %(new)s (down)")
        words.append(template % {"old": old_score, "new": new_score})
        if _cell(before, c["level"]) != _cell(after, c["level"]):
            words += _moved(_("Level"), before, after, c["level"])
    else:
        words += _moved(_("Likelihood"), before, after, c["likelihood"])
        words += _moved(_("Impact"), before, after, c["impact"])
    words += _status_words(before, after, c["status"])
    words += _updated(_("Treatment actions"), before, after, c["treatment"])
    words += _updated(_("Effectiveness"), before, after, c["effectiveness"])
    words += _moved(_("Owner"), before, after, c["owner"])
    return words


def _risk_row(risk: Risk, today: dt.date) -> list[str]:
    return [risk.code, str(risk.get_kind_display()), risk.description, risk.process, str(risk.likelihood),
            str(risk.impact), str(risk.score), str(risk.level_label), risk.treatment, risk.effectiveness,
            person(risk.owner), review_date_text(risk, today), str(risk.get_status_display())]


def _heat_map_table(cells: list[dict]) -> Table:
    return Table(
        title=_("Active risks and opportunities by likelihood and impact"),
        columns=[_("Likelihood")] + [_("Impact %(n)s") % {"n": n} for n in SCALE],
        rows=[[_("Likelihood %(n)s") % {"n": row["likelihood"]}]
              + [f"{cell['count']} ({cell['level_label']})" for cell in row["cells"]] for row in cells],
        links=[None] * len(cells),
        key="heat_map",
    )


@section(AgendaItemKind.RISKS)
def risks(review: Review) -> Section:
    """The risk-and-opportunity register, its headline figures and its change since the last review."""
    today = timezone.localdate()
    items = sorted(
        Risk.objects.select_related("owner"),
        key=lambda r: (r.status != RegisterStatus.ACTIVE, r.kind != RiskKind.RISK, -r.score, r.code),
    )
    rows = [_risk_row(risk, today) for risk in items]
    previous, old_table = previous_register(review, AgendaItemKind.RISKS)
    notes, comparable = _comparison_notes(previous, old_table, RISK_COLUMNS["status"] + 1)
    comparison = (compare(old_table["rows"], rows, status_column=RISK_COLUMNS["status"],
                          describe=_describe_risk_change) if comparable else None)
    for row in rows:
        row.append(comparison.changes[row[0]] if comparison else "—")

    active = [r for r in items if r.status == RegisterStatus.ACTIVE]
    active_risks = [r for r in active if r.kind == RiskKind.RISK]
    figures = [Figure(label=_("Active risks"), value=str(len(active_risks)), raw=len(active_risks), key="active_risks")]
    for level in LEVELS_HIGH_FIRST:
        count = sum(1 for r in active_risks if r.level == level)
        figures.append(Figure(label=_("Active risks at level “%(level)s”") % {"level": RISK_LEVEL_LABELS[level]},
                              value=str(count), raw=count, key=f"risks_{level}"))
    opportunities = sum(1 for r in active if r.kind == RiskKind.OPPORTUNITY)
    overdue = sum(1 for r in active if review_overdue(r, today))
    figures += [
        Figure(label=_("Active opportunities"), value=str(opportunities), raw=opportunities,
               key="active_opportunities"),
        Figure(label=_("Review dates overdue"), value=str(overdue), raw=overdue, key="reviews_overdue",
               status="missed" if overdue else "met"),
    ]
    figures += _change_figures(comparison)

    tables = [
        Table(title=_("Risk and opportunity register"), columns=_risk_columns(), rows=rows,
              links=[admin_path("review_risks:inspect", risk.pk) for risk in items], key="register"),
        *_removed_table(comparison, (RISK_COLUMNS["code"], RISK_COLUMNS["description"]),
                        _("Risks and opportunities no longer in the register")),
        _heat_map_table(heat_map()),
    ]
    if not items:
        notes.append(_("The risk and opportunity register is empty."))
    links = []
    if url := admin_path("review_risks:index"):
        links.append(Link(label=_("Risk and opportunity register"), url=url))
    return Section(figures=figures, tables=tables, links=links, notes=notes)


# --- stakeholders --------------------------------------------------------------------------------

STAKEHOLDER_COLUMNS = {
    "code": 0, "name": 1, "kind": 2, "needs": 3, "influence": 4, "monitoring": 5, "owner": 6, "status": 7,
    "change": 8,
}
INFLUENCE_HIGH_FIRST = [Influence.HIGH, Influence.MEDIUM, Influence.LOW]


def _stakeholder_columns() -> list[str]:
    return [_("Number"), _("Stakeholder"), _("Kind"), _("Needs and expectations"), _("Influence"),
            _("How monitored"), _("Followed by"), _("Status"), _("Change since the last review")]


def _describe_stakeholder_change(before: list[str], after: list[str]) -> list[str]:
    c = STAKEHOLDER_COLUMNS
    return (
        _moved(_("Influence"), before, after, c["influence"])
        + _moved(_("Kind"), before, after, c["kind"])
        + _status_words(before, after, c["status"])
        + _updated(pgettext("stakeholder", "Name"), before, after, c["name"])
        + _updated(_("Needs and expectations"), before, after, c["needs"])
        + _updated(_("Monitoring"), before, after, c["monitoring"])
        + _moved(_("Followed by"), before, after, c["owner"])
    )


def _stakeholder_row(stakeholder: Stakeholder) -> list[str]:
    return [stakeholder.code, stakeholder.name, str(stakeholder.get_kind_display()), stakeholder.needs,
            str(stakeholder.get_influence_display()), stakeholder.monitoring, person(stakeholder.owner),
            str(stakeholder.get_status_display())]


@section(AgendaItemKind.STAKEHOLDERS)
def stakeholders(review: Review) -> Section:
    """The stakeholder register, counts by kind and influence, and its change since the last review."""
    order = {value: place for place, value in enumerate(INFLUENCE_HIGH_FIRST)}
    items = sorted(
        Stakeholder.objects.select_related("owner"),
        key=lambda s: (s.status != RegisterStatus.ACTIVE, order.get(s.influence, 9), s.code),
    )
    rows = [_stakeholder_row(item) for item in items]
    previous, old_table = previous_register(review, AgendaItemKind.STAKEHOLDERS)
    notes, comparable = _comparison_notes(previous, old_table, STAKEHOLDER_COLUMNS["status"] + 1)
    comparison = (compare(old_table["rows"], rows, status_column=STAKEHOLDER_COLUMNS["status"],
                          describe=_describe_stakeholder_change) if comparable else None)
    for row in rows:
        row.append(comparison.changes[row[0]] if comparison else "—")

    active = [s for s in items if s.status == RegisterStatus.ACTIVE]
    figures = [Figure(label=_("Active stakeholders"), value=str(len(active)), raw=len(active),
                      key="active_stakeholders")]
    for kind in StakeholderKind:
        count = sum(1 for s in active if s.kind == kind)
        figures.append(Figure(label=_("%(kind)s stakeholders") % {"kind": kind.label}, value=str(count), raw=count,
                              key=f"stakeholders_{kind.value}"))
    for influence in INFLUENCE_HIGH_FIRST:
        count = sum(1 for s in active if s.influence == influence)
        figures.append(Figure(label=_("Stakeholders of “%(influence)s” influence") % {"influence": influence.label},
                              value=str(count), raw=count, key=f"influence_{influence.value}"))
    figures += _change_figures(comparison)

    grid = Table(
        title=_("Active stakeholders by kind and influence"),
        columns=[_("Kind")] + [str(i.label) for i in INFLUENCE_HIGH_FIRST] + [_("Total")],
        rows=[[str(kind.label)] + [str(sum(1 for s in active if s.kind == kind and s.influence == i))
                                   for i in INFLUENCE_HIGH_FIRST] + [str(sum(1 for s in active if s.kind == kind))]
              for kind in StakeholderKind],
        links=[None] * len(StakeholderKind),
        key="by_kind_influence",
    )
    tables = [
        Table(title=_("Stakeholder register"), columns=_stakeholder_columns(), rows=rows,
              links=[admin_path("review_stakeholders:inspect", item.pk) for item in items], key="register"),
        *_removed_table(comparison, (STAKEHOLDER_COLUMNS["code"], STAKEHOLDER_COLUMNS["name"]),
                        _("Stakeholders no longer in the register")),
        grid,
    ]
    if not items:
        notes.append(_("The stakeholder register is empty."))
    links = []
    if url := admin_path("review_stakeholders:index"):
        links.append(Link(label=_("Stakeholder register"), url=url))
    return Section(figures=figures, tables=tables, links=links, notes=notes)
