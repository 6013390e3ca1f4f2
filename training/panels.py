"""The dashboard's training panels (put on the dashboard by `training.wagtail_hooks`).

Each panel is shown only to those it concerns (`is_shown_to`) and holds only what they may see
(the people of their unit scope, through `training.queries`). Each runs a fixed number of queries
whatever the number of people, sessions or evaluations.

* "Training plan": this year's plan realisation (held vs planned so far), the sessions of this
  month, courses below their yearly minimum; to the training coordinator and the management
  representative (who record attendance).
* "Orientation of new hires": how many are past the 30-day deadline and who; to the same people
  and to unit managers (their units' new hires).
* "Mandatory-training compliance": the % compliant per unit and overall; to whoever follows the
  training records (a unit manager: their units).
* "Your training": the evaluation forms you have not filled, your required courses expired or
  expiring soon, and the effectiveness evaluations you owe as a manager; to everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from qms.dashboard import ModulePanel, panels_shown_to
from qms.models import StaffProfile
from qms.roles import Role, has_role
from training import queries, services
from training.models import Attendance, Session, SessionState, TrainingPlan

PANEL_LIMIT = 8
REVIEW_NOTICE_DAYS = 14


def _month_bounds(today):
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end, time.min), tz))


class PlanPanel(ModulePanel):
    name = "training_plan"
    template_name = "training/panels/plan.html"
    order = 80

    @staticmethod
    def is_shown_to(user) -> bool:
        return services.may_record_attendance(user)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        today = timezone.localdate()
        plan = TrainingPlan.objects.filter(year=today.year).first()
        realisation = queries.plan_realisation(plan, today) if plan else None
        start, end = _month_bounds(today)
        on_list = (Attendance.objects.filter(session=OuterRef("pk")).order_by().values("session")
                   .annotate(n=Count("pk")).values("n"))
        sessions = list(Session.objects.filter(starts_at__gte=start, starts_at__lt=end)
                        .select_related("course", "trainer")
                        .annotate(on_list=Coalesce(Subquery(on_list, output_field=IntegerField()), 0))
                        .order_by("starts_at", "pk")[: PANEL_LIMIT + 1])
        return {
            "year": today.year, "plan": plan, "realisation": realisation, "today": today,
            "sessions": sessions[:PANEL_LIMIT], "more_sessions": len(sessions) > PANEL_LIMIT,
            "shortfalls": queries.repetition_shortfalls(today.year),
            "planned_state": SessionState.PLANNED,
        }


class OrientationPanel(ModulePanel):
    name = "training_orientation"
    template_name = "training/panels/orientation.html"
    order = 81

    @staticmethod
    def is_shown_to(user) -> bool:
        return services.may_record_attendance(user) or (
            has_role(user, Role.UNIT_MANAGER) and queries.may_see_records(user))

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        pending = queries.orientation_pending(user)
        overdue = sorted((p for p in pending if p.days_late > 0), key=lambda p: -p.days_late)
        return {
            "overdue": overdue[:PANEL_LIMIT], "overdue_count": len(overdue), "more": len(overdue) > PANEL_LIMIT,
            "due_count": len(pending) - len(overdue), "has_course": queries.orientation_course() is not None,
        }


class CompliancePanel(ModulePanel):
    name = "training_compliance"
    template_name = "training/panels/compliance.html"
    order = 82

    @staticmethod
    def is_shown_to(user) -> bool:
        return queries.may_see_records(user)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        matrix = queries.competence_matrix(user)
        units = sorted(matrix.units, key=lambda u: (u.percent if u.percent is not None else 101, u.unit.path))
        return {
            "matrix": matrix, "units": units[:PANEL_LIMIT], "more": len(units) > PANEL_LIMIT,
            "compliant": sum(1 for p in matrix.people if p.compliant),
            "has_courses": bool(matrix.courses),
        }


class MyTrainingPanel(ModulePanel):
    name = "training_mine"
    template_name = "training/panels/mine.html"
    order = 57

    @staticmethod
    def is_shown_to(user) -> bool:
        return bool(user and user.is_authenticated)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        user = parent_context["request"].user
        today = timezone.localdate()
        evaluations = list(queries.evaluations_pending(today=today, users=[user.pk])[: PANEL_LIMIT + 1])
        for row in evaluations:
            row.due_on = queries.evaluation_due_on(row)
            row.overdue = row.due_on < today
            row.url = reverse("training:evaluation_form", args=[row.session_id])
        people = queries.competence_of(StaffProfile.objects.filter(user=user, is_active=True), today=today)
        courses = []
        for person in people:
            courses = sorted((s for s in person.statuses.values()
                              if s.state in (queries.CompetenceState.EXPIRED, queries.CompetenceState.EXPIRING)),
                             key=lambda s: s.expires_on)
        reviews = list(queries.reviews_owed(user).filter(due_date__lte=today + timedelta(days=REVIEW_NOTICE_DAYS))
                       [: PANEL_LIMIT + 1])
        for review in reviews:
            review.overdue = review.due_date < today
            review.url = reverse("training:effectiveness_form", args=[review.pk])
        return {
            "evaluations": evaluations[:PANEL_LIMIT], "more_evaluations": len(evaluations) > PANEL_LIMIT,
            "courses": courses, "reviews": reviews[:PANEL_LIMIT], "more_reviews": len(reviews) > PANEL_LIMIT,
            "today": today, "record_url": reverse("training:my_trainings"),
        }


PANELS: tuple[type[ModulePanel], ...] = (MyTrainingPanel, PlanPanel, OrientationPanel, CompliancePanel)


def panels_for(user) -> list[Component]:
    """The training panels this person's dashboard shows."""
    return panels_shown_to(PANELS, user)

