"""Input-pack sections about people: training plan realisation and competence, and resources.

The training module reports by calendar year (`training.queries`: plan realisation, evaluation
results, training hours), so these sections give the figures of each year the review period
touches, the plan's realisation measured on the period's last day (or today while it runs).

Department-wide, never through a reader: `training.queries.competence_matrix` and
`training_hours` take a reader and list the people in that reader's unit scope; the pack is the
department's, so it applies the same per-person rule (`training.queries.competence_of`, the path the
reminders use for everyone) to every active staff member, and sums the hours of completed training
(`training.queries.completed_attendances`) of the same people. The figures equal what those
functions give a reader who sees every unit.

Figure keys of **training** (ISO 9001 7.2, 9.3.2 f):

- `plan_realisation` (percent), `plan_planned`, `plan_held`, `plan_unplanned`: the training plan
  of the period's last year (`training.queries.plan_realisation`; planned = sessions of the lines
  whose month has come, held = of those, the sessions held);
- `competence_percent`: people who hold every course required of them, percent of
  `competence_people` (active staff with at least one required course or none);
- `training_hours`, `training_hours_per_person`: hours of completed training in the period's last
  year, in total and per active staff member;
- `evaluation_response_rate` (percent), `evaluation_overall` (1-5): the participants' evaluation
  forms of the year's sessions (`training.queries.evaluation_report`);
- `effectiveness_done`, `effectiveness_total`, `effectiveness_average` (1-5): the managers'
  effectiveness evaluations of the year's sessions.

Tables: `plan_years`, `plan_lines`, `competence_units`, `competence_courses`, `training_years`,
`evaluation_courses`.

Figure keys of **resources** (ISO 9001 7.1, 9.3.2 e):

- `staff_headcount`: active staff (active profile, active account);
- `active_agents`: active contact-centre agent profiles (`kpi.callqa.models.Agent`);
- `requests_created`: citizen requests created in the period (`kpi.engine.KpiEngine`, all units);
- `requests_per_staff`: those requests per active staff member;
- `training_hours_per_person`: as in the training section.

Tables: `headcount_units` (with the year's training hours per unit), `agents_teams`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kpi.callqa.models import Agent
from kpi.engine import KpiEngine
from qms.models import StaffProfile
from qms.review.models import AgendaItemKind
from qms.review.pack import Figure, Section, Table, section
from qms.review.sections.quality import (
    as_of,
    count_text,
    day_text,
    decimal_text,
    links,
    percent_text,
    period_years,
    url_or_none,
)
from training.models import PlanState, TrainingPlan
from training.queries import (
    CompetenceMatrix,
    UnitCompliance,
    competence_of,
    completed_attendances,
    course_compliance,
    evaluation_report,
    plan_realisation,
    required_courses_qs,
)


def active_staff():
    """Everyone the department counts as its staff: an active profile with an active account."""
    return StaffProfile.objects.filter(is_active=True, user__is_active=True)


def department_hours(year: int) -> dict:
    """Hours of completed training in `year` of the active staff: `total` and `by_unit` (unit id ->
    hours, by the person's current unit, as `training.queries.training_hours` counts). One query."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    rows = (
        completed_attendances()
        .filter(session__starts_at__gte=start, session__starts_at__lt=end, person__is_active=True,
                person__staff_profile__is_active=True)
        .values("person__staff_profile__unit_id")
        .annotate(hours=Sum("session__hours"))
        .order_by()
    )
    by_unit = {row["person__staff_profile__unit_id"]: row["hours"] or Decimal(0) for row in rows}
    return {"year": year, "total": sum(by_unit.values(), Decimal(0)), "by_unit": by_unit}


def per_person(total, people: int) -> float | None:
    return round(float(total) / people, 1) if people else None


def _plan_at(plan_year: int, on: dt.date) -> dt.date:
    """A plan is measured on the period's last day (or today), at most on its year's last day."""
    return min(on, dt.date(plan_year, 12, 31))


def _department_competence(on: dt.date) -> CompetenceMatrix:
    courses = list(required_courses_qs())
    people = competence_of(active_staff(), today=on, courses=courses)
    units: dict[int, UnitCompliance] = {}
    for person in people:
        summary = units.setdefault(person.profile.unit_id, UnitCompliance(unit=person.profile.unit))
        summary.people += 1
        summary.compliant += person.compliant
    return CompetenceMatrix(today=on, courses=courses, people=people,
                            units=sorted(units.values(), key=lambda u: u.unit.path))


@section(AgendaItemKind.TRAINING)
def training(review) -> Section:
    on = as_of(review)
    years = period_years(review)
    last_year = years[-1]
    plans = {plan.year: plan for plan in TrainingPlan.objects.filter(year__in=years)}
    realisations = {year: plan_realisation(plan, at=_plan_at(year, on)) for year, plan in sorted(plans.items())}
    reports = {year: evaluation_report(year, today=on) for year in years}
    hours = {year: department_hours(year) for year in years}
    headcount = active_staff().count()
    matrix = _department_competence(on)

    last = realisations.get(last_year)
    report = reports[last_year]
    total = report["total"]
    effectiveness = report["effectiveness"]
    hours_last = float(hours[last_year]["total"])
    hours_each = per_person(hours[last_year]["total"], headcount)
    figures = [
        Figure(_("Training plan %(year)s realised") % {"year": last_year}, percent_text(last.percent if last else None),
               last.percent if last else None, key="plan_realisation"),
        Figure(_("Sessions planned to date"), count_text(last.planned if last else None),
               last.planned if last else None, key="plan_planned"),
        Figure(_("Planned sessions held"), count_text(last.held if last else None),
               last.held if last else None, key="plan_held"),
        Figure(_("Sessions held outside the plan"), count_text(last.unplanned if last else None),
               last.unplanned if last else None, key="plan_unplanned"),
        Figure(_("Staff holding every required training"), percent_text(matrix.percent), matrix.percent,
               key="competence_percent"),
        Figure(_("Staff in the competence matrix"), count_text(len(matrix.people)), len(matrix.people),
               key="competence_people"),
        Figure(_("Training hours in %(year)s") % {"year": last_year}, decimal_text(hours_last), hours_last,
               key="training_hours"),
        Figure(_("Training hours per staff member in %(year)s") % {"year": last_year}, decimal_text(hours_each),
               hours_each, key="training_hours_per_person"),
        Figure(_("Evaluation form response rate"), percent_text(total["response_rate"]), total["response_rate"],
               key="evaluation_response_rate"),
        Figure(_("Participants' overall rating (1-5)"), decimal_text(total["overall"], 2), total["overall"],
               key="evaluation_overall"),
        Figure(_("Effectiveness evaluations submitted"), count_text(effectiveness["done"]), effectiveness["done"],
               key="effectiveness_done"),
        Figure(_("Effectiveness evaluations due"), count_text(effectiveness["total"]), effectiveness["total"],
               key="effectiveness_total"),
        Figure(_("Managers' effectiveness rating (1-5)"), decimal_text(effectiveness["average"], 2),
               effectiveness["average"], key="effectiveness_average"),
    ]

    plan_rows, plan_links, line_rows = [], [], []
    for year, realisation in realisations.items():
        plan_rows.append([
            str(year), str(PlanState(plans[year].state).label), day_text(realisation.at),
            count_text(realisation.planned), count_text(realisation.held), percent_text(realisation.percent),
            count_text(realisation.planned_year), count_text(realisation.unplanned),
        ])
        plan_links.append(url_or_none("training:plan_year", year))
        for line in realisation.lines:
            if not line.due:
                status = _("not due yet")
            elif line.realised >= line.item.sessions:
                status = pgettext("plan line", "held")
            else:
                status = _("behind the plan")
            line_rows.append([str(year), f"{line.item.month:02d}", f"{line.item.course.code} {line.item.course.title}",
                              count_text(line.item.sessions), count_text(line.realised), status])
    unit_rows = [[f"{u.unit.code} {u.unit.name}", count_text(u.people), count_text(u.compliant),
                  percent_text(u.percent)] for u in matrix.units]
    course_rows = [[f"{c.course.code} {c.course.title}", count_text(c.required), count_text(c.completed),
                    count_text(c.expiring), count_text(c.expired), count_text(c.due), percent_text(c.percent)]
                   for c in course_compliance(matrix)]
    year_rows = []
    for year in years:
        t, e = reports[year]["total"], reports[year]["effectiveness"]
        year_rows.append([
            str(year), count_text(t["sessions"]), count_text(t["participants"]), count_text(t["responses"]),
            percent_text(t["response_rate"]), decimal_text(t["overall"], 2),
            decimal_text(float(hours[year]["total"])), decimal_text(per_person(hours[year]["total"], headcount)),
            f'{count_text(e["done"])} / {count_text(e["total"])}', decimal_text(e["average"], 2),
        ])
    course_eval_rows = [
        [str(year), g["label"], count_text(g["sessions"]), count_text(g["participants"]), count_text(g["responses"]),
         percent_text(g["response_rate"]), decimal_text(g["overall"], 2)]
        for year in years for g in reports[year]["by_course"]
    ]
    tables = [
        Table(_("Training plan realisation"),
              [_("Year"), _("Plan state"), _("Measured on"), _("Sessions planned to date"), _("Held"),
               _("Realisation"), _("Sessions planned for the year"), _("Sessions outside the plan")],
              plan_rows, links=plan_links, key="plan_years"),
        Table(_("Plan lines"), [_("Year"), _("Month"), _("Course"), _("Sessions planned"), _("Held"), _("Status")],
              line_rows, key="plan_lines"),
        Table(_("Competence by unit"), [_("Unit"), _("Staff"), _("Holding every required training"),
                                        _("Compliance")], unit_rows, key="competence_units"),
        Table(_("Competence by required course"),
              [_("Course"), _("Required of"), pgettext("competence", "Completed"),
               pgettext("competence", "Expires soon"), pgettext("competence", "Expired"),
               pgettext("competence", "Due"), _("Compliance")],
              course_rows, key="competence_courses"),
        Table(_("Training by year"),
              [_("Year"), _("Sessions held"), _("Participants present"), _("Evaluation forms returned"),
               _("Response rate"), _("Overall rating (1-5)"), _("Training hours"), _("Hours per staff member"),
               _("Effectiveness evaluations submitted / due"), _("Effectiveness rating (1-5)")],
              year_rows, key="training_years"),
        Table(_("Participants' evaluations by course"),
              [_("Year"), _("Course"), _("Sessions held"), _("Participants present"), _("Evaluation forms returned"),
               _("Response rate"), _("Overall rating (1-5)")],
              course_eval_rows, key="evaluation_courses"),
    ]
    notes = [
        _("The training module reports by calendar year: these figures are for %(years)s; the plan's "
          "realisation is measured on %(date)s.") % {"years": ", ".join(str(y) for y in years), "date": day_text(on)},
        _("Competence and training hours cover every active staff member of the department."),
    ]
    notes += [_("There is no training plan for %(year)s.") % {"year": year} for year in years if year not in plans]
    return Section(
        figures=figures, tables=tables, notes=notes,
        links=links(
            *((_("Training plan %(year)s") % {"year": year}, url_or_none("training:plan_year", year))
              for year in years),
            (_("Competence matrix"), url_or_none("training:matrix")),
            (_("Training hours"), url_or_none("training:hours")),
            *((_("Evaluation results %(year)s") % {"year": year},
               url_or_none("training:evaluation_results_year", year)) for year in years),
        ),
    )


@section(AgendaItemKind.RESOURCES)
def resources(review) -> Section:
    on = as_of(review)
    year = review.period_end.year
    units = list(
        active_staff().values("unit_id", "unit__code", "unit__name", "unit__path")
        .annotate(people=Count("pk")).order_by("unit__path")
    )
    headcount = sum(row["people"] for row in units)
    hours = department_hours(year)
    teams = list(Agent.objects.filter(is_active=True).values("team__name").annotate(agents=Count("pk"))
                 .order_by(F("team__name").asc(nulls_last=True)))
    agents = sum(row["agents"] for row in teams)
    report = KpiEngine(user=None, as_of=on).compute(date_from=review.period_start, date_to=review.period_end)
    created = report.total.values.get("created") or 0
    requests_each = per_person(created, headcount)
    hours_each = per_person(hours["total"], headcount)

    figures = [
        Figure(_("Active staff"), count_text(headcount), headcount, key="staff_headcount"),
        Figure(_("Active contact-centre agents"), count_text(agents), agents, key="active_agents"),
        Figure(_("Citizen requests in the period"), count_text(created), created, key="requests_created"),
        Figure(_("Requests per staff member"), decimal_text(requests_each), requests_each, key="requests_per_staff"),
        Figure(_("Training hours per staff member in %(year)s") % {"year": year}, decimal_text(hours_each),
               hours_each, key="training_hours_per_person"),
    ]
    unit_rows = []
    for row in units:
        unit_hours = hours["by_unit"].get(row["unit_id"], Decimal(0))
        unit_rows.append([f'{row["unit__code"]} {row["unit__name"]}', count_text(row["people"]),
                          decimal_text(float(unit_hours)), decimal_text(per_person(unit_hours, row["people"]))])
    team_rows = [[row["team__name"] or _("No team"), count_text(row["agents"])] for row in teams]
    tables = [
        Table(_("Active staff by unit"),
              [_("Unit"), _("Active staff"), _("Training hours in %(year)s") % {"year": year},
               _("Hours per staff member")],
              unit_rows, key="headcount_units"),
        Table(_("Active contact-centre agents by team"), [_("Team"), _("Active agents")], team_rows,
              key="agents_teams"),
    ]
    notes = [
        _("These figures describe the resources; the narrative judges whether they are adequate (people, "
          "infrastructure, work environment, knowledge)."),
        _("Staff are counted on the day the pack is compiled; requests per staff member divide the period's "
          "requests, answered by the municipality's units, by the department's active staff."),
    ]
    return Section(
        figures=figures, tables=tables, notes=notes,
        links=links(
            (_("Staff"), url_or_none("wagtailsnippets_qms_staffprofile:list")),
            (_("Agents"), url_or_none("callqa_agents:index")),
            (_("Request KPIs"), url_or_none("kpi:dashboard")),
            (_("Training hours"), url_or_none("training:hours")),
        ),
    )
