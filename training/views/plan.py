"""The course catalogue, the annual training plan (Yıllık Eğitim Planı) and training requests
(Eğitim Talep Formu), with the plan PDF and the yearly request evaluation (screen and PDF).

Who does what (permissions from qms/roles.py):

* Course catalogue: `training.view_course` reads it; `add_course` / `change_course` (training
  coordinator, management representative) create and edit courses and retire them (never delete).
* Annual plan: `training.view_trainingplan` reads the grid, the realisation and the PDF;
  `change_trainingplan` adds and removes lines, `add_trainingplan` opens a year's plan;
  `approve_trainingplan` (management representative) approves it.
* Requests: everyone with `training.add_trainingrequest` asks and follows their own requests;
  `view_trainingrequest` reads every request and the yearly evaluation, `decide_trainingrequest`
  accepts or declines; a unit manager reads their units' requests (`queries.requests_visible_to`),
  a request outside that answers 404.

Every write goes through `training.services`, which checks the permission and the record's state
again: a `ValidationError` comes back on the form (nothing saved), a `PermissionDenied` answers 403
with a page that says why. Refusals are returned, not raised: Wagtail's admin turns a raised
PermissionDenied into a redirect to the dashboard.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from qms.menu import PermissionMenuItem
from qms.models import Unit
from qms.pdf import pdf_response
from qms.roles import unit_scope
from qms.text import search_variants
from training import notifications, queries, services
from training.forms import (
    AcceptForm,
    CourseFilterForm,
    CourseForm,
    DeclineForm,
    PlanCreateForm,
    PlanItemForm,
    RealisationDateForm,
    RequestFilterForm,
    RequestForm,
    person_label,
    role_label,
)
from training.models import Course, PlanItem, PlanState, RequestState, Session, TrainingPlan, TrainingRequest
from training.plan_pdf import grid_cell, plan_grid, plan_pdf, realisation_sentence, request_evaluation_pdf

PAGE_SIZE = 50

VIEW_COURSE = "training.view_course"
ADD_COURSE = "training.add_course"
CHANGE_COURSE = "training.change_course"
VIEW_PLAN = "training.view_trainingplan"
ADD_PLAN = "training.add_trainingplan"
CHANGE_PLAN = "training.change_trainingplan"
APPROVE_PLAN = "training.approve_trainingplan"
ADD_REQUEST = "training.add_trainingrequest"
VIEW_REQUESTS = "training.view_trainingrequest"
DECIDE_REQUEST = "training.decide_trainingrequest"


# --- refusals, errors, small helpers -------------------------------------------------------------


class RefusedView(WagtailAdminTemplateMixin, TemplateView):
    """403 with the reason, in the admin's furniture."""

    template_name = "training/plan_refused.html"
    page_title = gettext_lazy("Not allowed")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)  # whatever the method of the refused request


def refuse(request, message: str):
    response = RefusedView.as_view(extra_context={"refusal": message})(request)
    response.status_code = 403
    return response


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where it names them, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages[0] if hasattr(item, "messages") else item)
    else:
        for message in error.messages:
            form.add_error(None, message)


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def home_crumb() -> dict:
    return {"url": reverse("wagtailadmin_home"), "label": _("Home")}


class _Guarded:
    """A view that answers 403 (with the reason) unless `allowed(user)`."""

    refusal = ""

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            return refuse(request, str(self.refusal))
        return super().dispatch(request, *args, **kwargs)


def may_decide(user) -> bool:
    return user.has_perm(DECIDE_REQUEST)


# --- course catalogue --------------------------------------------------------------------------------


def course_listing(queryset):
    """Courses with what the catalogue prints, in a fixed number of queries."""
    return (queryset.select_related("default_trainer")
            .prefetch_related("target_roles", Prefetch("target_units", queryset=Unit.objects.order_by("path")),
                              "documents")
            .order_by("code"))


def filter_courses(queryset, data: dict):
    status = data.get("status") or CourseFilterForm.ACTIVE
    if status == CourseFilterForm.ACTIVE:
        queryset = queryset.filter(is_active=True)
    elif status == CourseFilterForm.INACTIVE:
        queryset = queryset.filter(is_active=False)
    if data.get("kind") == "mandatory":
        queryset = queryset.filter(is_mandatory=True)
    elif data.get("kind") == "orientation":
        queryset = queryset.filter(is_orientation=True)
    text = (data.get("q") or "").strip()
    if text:
        condition = Q()
        for variant in search_variants(text):
            condition |= Q(code__icontains=variant) | Q(title__icontains=variant) | Q(description__icontains=variant)
        queryset = queryset.filter(condition)
    return queryset


def validity_label(course: Course) -> str:
    if not course.validity_months:
        return _("Does not expire")
    return _("%(months)s months") % {"months": course.validity_months}


class CourseListView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    template_name = "training/course_list.html"
    page_title = gettext_lazy("Course catalogue")
    header_icon = "list-ul"
    refusal = gettext_lazy("You may not see the course catalogue.")

    def allowed(self, user):
        return user.has_perm(VIEW_COURSE)

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": "", "label": str(self.page_title)}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = CourseFilterForm(self.request.GET or None)
        courses = Course.objects.all()
        data = form.cleaned_data if form.is_valid() else {}
        page = Paginator(course_listing(filter_courses(courses, data)), PAGE_SIZE).get_page(self.request.GET.get("p"))
        rows = [{"course": c, "validity": validity_label(c), "roles": [role_label(g) for g in c.target_roles.all()],
                 "units": [u.name for u in c.target_units.all()], "documents": list(c.documents.all())}
                for c in page]
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(form=form, page=page, rows=rows, query_string=query.urlencode(),
                       may_add=self.request.user.has_perm(ADD_COURSE))
        return context


class CourseDetailView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    template_name = "training/course_detail.html"
    header_icon = "list-ul"
    refusal = gettext_lazy("You may not see the course catalogue.")

    def allowed(self, user):
        return user.has_perm(VIEW_COURSE)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.course = get_object_or_404(course_listing(Course.objects.all()), pk=kwargs["pk"])

    def get_page_title(self):
        return f"{self.course.code} {self.course.title}"

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": reverse("training:course_list"), "label": _("Course catalogue")},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        course = self.course
        year = timezone.localdate().year
        lines = list(PlanItem.objects.filter(course=course, plan__year__gte=year).select_related("plan")
                     .order_by("plan__year", "month"))
        context.update(
            course=course, validity=validity_label(course),
            roles=[role_label(g) for g in course.target_roles.all()],
            units=[u.name for u in course.target_units.all()],
            documents=list(course.documents.all()),
            lines=[{"item": i, "month": MONTHS[i.month]} for i in lines],
            may_change=self.request.user.has_perm(CHANGE_COURSE),
            may_see_plan=self.request.user.has_perm(VIEW_PLAN),
        )
        return context


class _CourseFormView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    template_name = "training/course_form.html"
    header_icon = "list-ul"
    http_method_names = ["get", "post"]
    refusal = gettext_lazy("Only the training coordinator keeps the course catalogue.")

    def get_course(self) -> Course:
        raise NotImplementedError

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.course = self.get_course()

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=form or CourseForm(instance=self.course), course=self.course)
        return context

    def post(self, request, *args, **kwargs):
        form = CourseForm(request.POST, instance=self.course)
        if form.is_valid():
            data = form.cleaned_data
            try:
                course = services.course_save(course=form.instance, user=request.user,
                                              target_roles=data["target_roles"], target_units=data["target_units"],
                                              documents=data["documents"])
            except PermissionDenied as error:
                return refuse(request, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.success_message(course))
                return HttpResponseRedirect(reverse("training:course_detail", args=[course.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class CourseCreateView(_CourseFormView):
    page_title = gettext_lazy("New course")

    def allowed(self, user):
        return user.has_perm(ADD_COURSE)

    def get_course(self):
        return Course()

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": reverse("training:course_list"), "label": _("Course catalogue")},
                {"url": "", "label": str(self.page_title)}]

    def success_message(self, course):
        return _("The course “%(course)s” was added to the catalogue.") % {"course": course}


class CourseEditView(_CourseFormView):
    def allowed(self, user):
        return user.has_perm(CHANGE_COURSE)

    def get_course(self):
        return get_object_or_404(Course, pk=self.kwargs["pk"])

    def get_page_title(self):
        return _("Edit %(course)s") % {"course": self.course.code}

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": reverse("training:course_list"), "label": _("Course catalogue")},
                {"url": reverse("training:course_detail", args=[self.course.pk]), "label": self.course.code},
                {"url": "", "label": _("Edit")}]

    def success_message(self, course):
        return _("The course “%(course)s” was saved.") % {"course": course}


@require_POST
def course_active_view(request, pk):
    """Retire a course (or bring it back): POST `active=0|1`."""
    if not request.user.has_perm(CHANGE_COURSE):
        return refuse(request, _("Only the training coordinator keeps the course catalogue."))
    course = get_object_or_404(Course, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        course = services.course_set_active(course=course, user=request.user, active=active)
    except PermissionDenied as error:
        return refuse(request, str(error))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if course.is_active:
            messages.success(request, _("“%(course)s” is active again.") % {"course": course})
        else:
            messages.success(request, _("“%(course)s” was retired: it is no longer offered for plans and requests; "
                                        "its history stays.") % {"course": course})
    return HttpResponseRedirect(reverse("training:course_detail", args=[course.pk]))


# --- the annual plan -------------------------------------------------------------------------------


def plan_current(request):
    if not request.user.has_perm(VIEW_PLAN):
        return refuse(request, _("You may not see the training plan."))
    return HttpResponseRedirect(reverse("training:plan_year", args=[timezone.localdate().year]))


def realisation_date(request) -> tuple[RealisationDateForm, date]:
    form = RealisationDateForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["at"]
    if not form.is_bound:
        form = RealisationDateForm(initial={"at": timezone.localdate()})
    return form, timezone.localdate()


class PlanYearView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    """The year's plan: the courses x months grid with planned and held sessions, the realisation at
    a date, the lines (remove while a draft), adding a course to a month, approval."""

    template_name = "training/plan_year.html"
    header_icon = "date"
    refusal = gettext_lazy("You may not see the training plan.")

    def allowed(self, user):
        return user.has_perm(VIEW_PLAN)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = kwargs["year"]
        if not 2000 <= self.year <= 2100:
            raise Http404
        self.plan = TrainingPlan.objects.select_related("approved_by").filter(year=self.year).first()

    def get_page_title(self):
        return _("Annual training plan %(year)s") % {"year": self.year}

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, add_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = self.plan
        date_form, at = realisation_date(self.request)
        may_change = user.has_perm(CHANGE_PLAN)
        may_create = user.has_perm(ADD_PLAN)
        years = list(TrainingPlan.objects.order_by("year").values_list("year", flat=True))
        context.update(
            year=self.year, plan=plan, years=years, previous_year=self.year - 1, next_year=self.year + 1,
            date_form=date_form, at=at, may_change=may_change, may_create=may_create,
            may_approve=user.has_perm(APPROVE_PLAN), months=[MONTHS[m] for m in range(1, 13)],
            previous_plan_exists=(self.year - 1) in years, next_plan_exists=(self.year + 1) in years,
            create_form=PlanCreateForm(initial={"copy": True}),
        )
        if plan is None:
            return context
        realisation = queries.plan_realisation(plan, at)
        with_sessions = set(Session.objects.filter(plan_item__plan=plan).values_list("plan_item_id", flat=True))
        with_requests = set(TrainingRequest.objects.filter(plan_item__plan=plan).values_list("plan_item_id",
                                                                                            flat=True))
        lines = []
        for line in realisation.lines:
            item = line.item
            blocked = ""
            if item.pk in with_sessions:
                blocked = _("a session delivers it")
            elif item.pk in with_requests:
                blocked = _("a request was accepted into it")
            lines.append({"line": line, "item": item, "month": MONTHS[item.month], "blocked": blocked,
                          "removable": may_change and plan.state == PlanState.DRAFT and not blocked,
                          "status": plan_grid_status(line, self.year, at)})
        rows = plan_grid(realisation, self.year)
        month_totals = [{"planned": sum(r.cells[m].planned for r in rows), "held": sum(r.cells[m].held for r in rows)}
                        for m in range(12)]
        context.update(
            realisation=realisation, realisation_text=realisation_sentence(realisation), rows=rows,
            month_totals=month_totals, lines=lines, shortfalls=queries.repetition_shortfalls(self.year),
            add_form=add_form or (PlanItemForm(initial={"month": default_month(self.year)}) if may_change else None),
            approved=plan.state == PlanState.APPROVED,
            after_approval=sum(1 for line in lines if line["item"].added_after_approval),
        )
        return context


def plan_grid_status(line, year: int, at: date) -> dict:
    cell = grid_cell(line, year, at)
    return {"key": cell.status, "label": cell.status_label}


def default_month(year: int) -> int:
    today = timezone.localdate()
    return today.month if year == today.year else 1


class PlanItemAddView(PlanYearView):
    """POST: add a course to a month (`services.plan_add_item`); refused, the page again with the form."""

    http_method_names = ["post"]
    refusal = gettext_lazy("Only the training coordinator changes the training plan.")

    def allowed(self, user):
        return user.has_perm(CHANGE_PLAN)

    def post(self, request, *args, **kwargs):
        if self.plan is None:
            raise Http404
        form = PlanItemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.plan_add_item(plan=self.plan, course=data["course"], month=data["month"],
                                              user=request.user, sessions=data["sessions"], note=data["note"])
            except PermissionDenied as error:
                return refuse(request, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                message = _("%(course)s: %(sessions)s sessions planned in %(month)s.") % {
                    "course": item.course.title, "sessions": item.sessions, "month": MONTHS[item.month]}
                if item.added_after_approval:
                    message += " " + _("The plan is approved, so the line is marked as added after approval.")
                messages.success(request, message)
                return HttpResponseRedirect(reverse("training:plan_year", args=[self.year]) + "#plan-lines")
        return self.render_to_response(self.get_context_data(add_form=form))


@require_POST
def plan_item_remove_view(request, pk):
    if not request.user.has_perm(CHANGE_PLAN):
        return refuse(request, _("Only the training coordinator changes the training plan."))
    item = get_object_or_404(PlanItem.objects.select_related("plan", "course"), pk=pk)
    try:
        services.plan_remove_item(item=item, user=request.user)
    except PermissionDenied as error:
        return refuse(request, str(error))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(course)s was removed from %(month)s.") % {
            "course": item.course.title, "month": MONTHS[item.month]})
    return HttpResponseRedirect(reverse("training:plan_year", args=[item.plan.year]) + "#plan-lines")


@require_POST
def plan_create_view(request, year):
    if not request.user.has_perm(ADD_PLAN):
        return refuse(request, _("Only the training coordinator prepares the training plan."))
    form = PlanCreateForm(request.POST)
    copy_from = None
    if form.is_valid() and form.cleaned_data["copy"]:
        copy_from = TrainingPlan.objects.filter(year=year - 1).first()
    try:
        plan = services.plan_create(year=year, user=request.user, copy_from=copy_from)
    except PermissionDenied as error:
        return refuse(request, str(error))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        lines = plan.items.count()
        if copy_from is not None:
            messages.success(request, _("The %(year)s plan was opened as a draft with %(lines)s lines of the "
                                        "%(previous)s plan.") % {"year": year, "lines": lines,
                                                                 "previous": copy_from.year})
        else:
            messages.success(request, _("The %(year)s plan was opened as a draft; add its courses by month.")
                             % {"year": year})
    return HttpResponseRedirect(reverse("training:plan_year", args=[year]))


class PlanApproveView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    """The management representative's approval: a confirmation page (GET), then the approval (POST)."""

    template_name = "training/plan_approve.html"
    header_icon = "check"
    http_method_names = ["get", "post"]
    refusal = gettext_lazy("Only the management representative approves the training plan.")

    def allowed(self, user):
        return user.has_perm(APPROVE_PLAN)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.plan = get_object_or_404(TrainingPlan.objects.select_related("approved_by"), year=kwargs["year"])

    def get_page_title(self):
        return _("Approve the %(year)s training plan") % {"year": self.plan.year}

    def get_breadcrumbs_items(self):
        return [home_crumb(),
                {"url": reverse("training:plan_year", args=[self.plan.year]),
                 "label": _("Annual training plan %(year)s") % {"year": self.plan.year}},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, error=None, **kwargs):
        context = super().get_context_data(**kwargs)
        realisation = queries.plan_realisation(self.plan)
        context.update(plan=self.plan, error=error, lines=len(realisation.lines),
                       sessions=realisation.planned_year, courses=len({line.item.course_id
                                                                        for line in realisation.lines}))
        return context

    def post(self, request, *args, **kwargs):
        try:
            plan = services.plan_approve(plan=self.plan, user=request.user)
        except PermissionDenied as error:
            return refuse(request, str(error))
        except ValidationError as error:
            self.plan.refresh_from_db()
            return self.render_to_response(self.get_context_data(error=error_text(error)))
        messages.success(request, _("The %(year)s training plan was approved.") % {"year": plan.year})
        return HttpResponseRedirect(reverse("training:plan_year", args=[plan.year]))


def plan_pdf_view(request, year):
    if not request.user.has_perm(VIEW_PLAN):
        return refuse(request, _("You may not see the training plan."))
    plan = get_object_or_404(TrainingPlan.objects.select_related("approved_by"), year=year)
    _form, at = realisation_date(request)
    realisation = queries.plan_realisation(plan, at)
    pdf = plan_pdf(plan, realisation, queries.repetition_shortfalls(year), user=request.user)
    return pdf_response(pdf, _("Annual training plan %(year)s") % {"year": year} + ".pdf")


# --- training requests -----------------------------------------------------------------------------


def request_rows(requests) -> list[dict]:
    rows = []
    for req in requests:
        plan_label = ""
        if req.plan_item_id:
            plan_label = f"{MONTHS[req.plan_item.month]} {req.plan_item.plan.year}"
        rows.append({"req": req, "plan": plan_label, "requester": person_label(req.requested_by),
                     "decider": person_label(req.decided_by) if req.decided_by_id else ""})
    return rows


class RequestCreateView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    template_name = "training/request_form.html"
    page_title = gettext_lazy("Request a training")
    header_icon = "help"
    http_method_names = ["get", "post"]
    refusal = gettext_lazy("You may not request a training.")

    def allowed(self, user):
        return user.has_perm(ADD_REQUEST)

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": "", "label": str(self.page_title)}]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = getattr(self.request.user, "staff_profile", None)
        context.update(form=form or RequestForm(initial={"course": self.request.GET.get("course")}),
                       unit=profile.unit if profile else None)
        return context

    def post(self, request, *args, **kwargs):
        form = RequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.request_submit(user=request.user, reason=data["reason"], course=data["course"],
                                        topic=data["topic"], participants=data["participants"])
            except PermissionDenied as error:
                return refuse(request, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Your request was sent to the training coordinator. You will get an "
                                            "e-mail when it is decided."))
                return HttpResponseRedirect(reverse("training:request_mine"))
        return self.render_to_response(self.get_context_data(form=form))


class MyRequestsView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    template_name = "training/request_mine.html"
    page_title = gettext_lazy("My training requests")
    header_icon = "help"
    refusal = gettext_lazy("You may not request a training.")

    def allowed(self, user):
        return user.has_perm(ADD_REQUEST)

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": "", "label": str(self.page_title)}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        own = TrainingRequest.objects.filter(requested_by=self.request.user)
        page = Paginator(queries.requests_listing(own).order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
            self.request.GET.get("p"))
        context.update(page=page, rows=request_rows(page), query_string="")
        return context


def scope_units(user):
    """The units a reader may filter the request list by: their scope, or every unit with requests."""
    scope = unit_scope(user)
    with_requests = Unit.objects.filter(pk__in=queries.requests_visible_to(user).values("unit_id"))
    units = with_requests if scope is None else with_requests.filter(pk__in=scope.values("pk"))
    return units.order_by("path")


class RequestListView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    """The coordinator's queue (decide), everyone else's read-only view in their scope."""

    template_name = "training/request_list.html"
    page_title = gettext_lazy("Training requests")
    header_icon = "help"
    refusal = gettext_lazy("You may not see the training requests of others.")

    def allowed(self, user):
        return queries.may_list_requests(user)

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": "", "label": str(self.page_title)}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        data = self.request.GET.copy()
        if "state" not in data and may_decide(user):
            data["state"] = RequestState.SUBMITTED  # the coordinator opens the queue on what waits
        form = RequestFilterForm(data, years=queries.request_years(user), units=scope_units(user))
        requests = queries.requests_visible_to(user)
        if form.is_valid():
            filters = form.cleaned_data
            if filters.get("year"):
                start = timezone.make_aware(datetime(filters["year"], 1, 1))
                end = timezone.make_aware(datetime(filters["year"] + 1, 1, 1))
                requests = requests.filter(created_at__gte=start, created_at__lt=end)
            if filters.get("state"):
                requests = requests.filter(state=filters["state"])
            if filters.get("unit"):
                requests = requests.filter(unit__path__startswith=filters["unit"].path)
        else:
            requests = requests.none()
        page = Paginator(queries.requests_listing(requests).order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
            self.request.GET.get("p"))
        query = data.copy()
        query.pop("p", None)
        context.update(form=form, page=page, rows=request_rows(page), query_string=query.urlencode(),
                       may_decide=may_decide(user), may_evaluate=user.has_perm(VIEW_REQUESTS),
                       waiting=queries.requests_visible_to(user).filter(state=RequestState.SUBMITTED).count(),
                       current_year=timezone.localdate().year)
        return context


def visible_request(user, pk) -> TrainingRequest:
    """The request, if the user may read it; 404 otherwise (its existence is not disclosed)."""
    found = queries.requests_listing(queries.requests_visible_to(user)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


class RequestDetailView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    template_name = "training/request_detail.html"
    header_icon = "help"
    refusal = gettext_lazy("You may not see training requests.")

    def allowed(self, user):
        return user.is_authenticated

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.req = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.req = visible_request(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Training request: %(subject)s") % {"subject": self.req.subject}

    def get_breadcrumbs_items(self):
        user = self.request.user
        if queries.may_list_requests(user):
            parent = {"url": reverse("training:request_list"), "label": _("Training requests")}
        else:
            parent = {"url": reverse("training:request_mine"), "label": _("My training requests")}
        return [home_crumb(), parent, {"url": "", "label": _("Request no. %(number)s") % {"number": self.req.pk}}]

    def get_context_data(self, accept_form=None, decline_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.req
        user = self.request.user
        deciding = may_decide(user) and req.state == RequestState.SUBMITTED
        plans_open = TrainingPlan.objects.filter(year__gte=timezone.localdate().year).exists()
        context.update(
            req=req, row=request_rows([req])[0], deciding=deciding, plans_open=plans_open,
            accept_form=accept_form or (AcceptForm(request_obj=req) if deciding else None),
            decline_form=decline_form or (DeclineForm() if deciding else None),
            may_create_plan=user.has_perm(ADD_PLAN), current_year=timezone.localdate().year,
        )
        return context


class _DecideView(RequestDetailView):
    http_method_names = ["post"]
    refusal = gettext_lazy("Only the training coordinator decides training requests.")

    def allowed(self, user):
        return may_decide(user)

    def post(self, request, *args, **kwargs):
        form = self.make_form()
        if form.is_valid():
            try:
                decided = self.perform(form.cleaned_data)
            except PermissionDenied as error:
                return refuse(request, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                sent = notifications.request_decided(decided)
                message = self.success_message(decided)
                if sent:
                    message += " " + _("%(name)s was told by e-mail.") % {"name": person_label(decided.requested_by)}
                messages.success(request, message)
                return HttpResponseRedirect(reverse("training:request_detail", args=[decided.pk]))
        self.req = visible_request(request.user, self.req.pk)  # as stored: the refused step saved nothing
        return self.render_to_response(self.get_context_data(**{self.form_key: form}), status=200)


class RequestAcceptView(_DecideView):
    form_key = "accept_form"

    def make_form(self):
        return AcceptForm(self.request.POST, request_obj=self.req)

    def perform(self, data):
        return services.request_accept(request=self.req, user=self.request.user, plan=data["plan"],
                                       month=data["month"], course=data.get("course"), note=data.get("note") or "")

    def success_message(self, req):
        return _("The request was accepted into the %(year)s plan (%(month)s).") % {
            "year": req.plan_item.plan.year, "month": MONTHS[req.plan_item.month]}


class RequestDeclineView(_DecideView):
    form_key = "decline_form"

    def make_form(self):
        return DeclineForm(self.request.POST)

    def perform(self, data):
        return services.request_decline(request=self.req, user=self.request.user, reason=data["reason"])

    def success_message(self, req):
        return _("The request was declined.")


def evaluation_current(request):
    if not request.user.has_perm(VIEW_REQUESTS):
        return refuse(request, _("You may not see the evaluation of training requests."))
    return HttpResponseRedirect(reverse("training:request_evaluation", args=[timezone.localdate().year]))


class RequestEvaluationView(_Guarded, WagtailAdminTemplateMixin, TemplateView):
    """The yearly evaluation of every request on one screen (the PDF prints the same)."""

    template_name = "training/request_evaluation.html"
    header_icon = "table"
    refusal = gettext_lazy("You may not see the evaluation of training requests.")

    def allowed(self, user):
        return user.has_perm(VIEW_REQUESTS)

    def get_page_title(self):
        return _("Evaluation of training requests %(year)s") % {"year": self.kwargs["year"]}

    def get_breadcrumbs_items(self):
        return [home_crumb(), {"url": reverse("training:request_list"), "label": _("Training requests")},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        evaluation = queries.request_evaluation(self.request.user, year)
        states = {row["state"]: row["count"] for row in evaluation.by_state}
        years = sorted(set(queries.request_years(self.request.user)) | {timezone.localdate().year})
        context.update(evaluation=evaluation, year=year, rows=request_rows(evaluation.requests), years=years,
                       accepted=states.get(RequestState.ACCEPTED, 0), previous_year=year - 1, next_year=year + 1)
        return context


def request_evaluation_pdf_view(request, year):
    if not request.user.has_perm(VIEW_REQUESTS):
        return refuse(request, _("You may not see the evaluation of training requests."))
    evaluation = queries.request_evaluation(request.user, year)
    pdf = request_evaluation_pdf(evaluation, user=request.user)
    return pdf_response(pdf, _("Evaluation of training requests %(year)s") % {"year": year} + ".pdf")


# --- URLs and menu -----------------------------------------------------------------------------------

urlpatterns = [
    path("courses/", CourseListView.as_view(), name="course_list"),
    path("courses/new/", CourseCreateView.as_view(), name="course_add"),
    path("courses/<int:pk>/", CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/edit/", CourseEditView.as_view(), name="course_edit"),
    path("courses/<int:pk>/active/", course_active_view, name="course_active"),
    path("plan/", plan_current, name="plan"),
    path("plan/<int:year>/", PlanYearView.as_view(), name="plan_year"),
    path("plan/<int:year>/create/", plan_create_view, name="plan_create"),
    path("plan/<int:year>/lines/add/", PlanItemAddView.as_view(), name="plan_item_add"),
    path("plan/lines/<int:pk>/remove/", plan_item_remove_view, name="plan_item_remove"),
    path("plan/<int:year>/approve/", PlanApproveView.as_view(), name="plan_approve"),
    path("plan/<int:year>/pdf/", plan_pdf_view, name="plan_pdf"),
    path("requests/", RequestListView.as_view(), name="request_list"),
    path("requests/new/", RequestCreateView.as_view(), name="request_add"),
    path("requests/mine/", MyRequestsView.as_view(), name="request_mine"),
    path("requests/<int:pk>/", RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/accept/", RequestAcceptView.as_view(), name="request_accept"),
    path("requests/<int:pk>/decline/", RequestDeclineView.as_view(), name="request_decline"),
    path("requests/evaluation/", evaluation_current, name="request_evaluation_current"),
    path("requests/evaluation/<int:year>/", RequestEvaluationView.as_view(), name="request_evaluation"),
    path("requests/evaluation/<int:year>/pdf/", request_evaluation_pdf_view, name="request_evaluation_pdf"),
]


def menu_items():
    return [
        PermissionMenuItem(gettext_lazy("Annual plan"), reverse_lazy("training:plan"), name="training-plan",
                           icon_name="date", order=10, permissions=(VIEW_PLAN,)),
        PermissionMenuItem(gettext_lazy("Course catalogue"), reverse_lazy("training:course_list"),
                           name="training-courses", icon_name="list-ul", order=20, permissions=(VIEW_COURSE,)),
        PermissionMenuItem(gettext_lazy("Training requests"), reverse_lazy("training:request_list"),
                           name="training-requests", icon_name="help", order=70, check=queries.may_list_requests),
        PermissionMenuItem(gettext_lazy("Request evaluation"), reverse_lazy("training:request_evaluation_current"),
                           name="training-request-evaluation", icon_name="table", order=71,
                           permissions=(VIEW_REQUESTS,)),
        PermissionMenuItem(gettext_lazy("Request a training"), reverse_lazy("training:request_add"),
                           name="training-request-add", icon_name="plus", order=80, permissions=(ADD_REQUEST,)),
        PermissionMenuItem(gettext_lazy("My training requests"), reverse_lazy("training:request_mine"),
                           name="training-request-mine", icon_name="user", order=81, permissions=(ADD_REQUEST,)),
    ]

