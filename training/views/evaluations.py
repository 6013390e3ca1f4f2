"""My trainings, the evaluation form (Eğitim Değerlendirme Formu), the managers' effectiveness
evaluations, the evaluation results (page and yearly analysis PDF) and certificates.

Who may do what:

* **My trainings** and the **evaluation form**: every signed-in member of staff, for their own
  sessions only. A session the person is not on answers 404 (its list is not disclosed). The
  form is offered only to a participant recorded present at a finalised session who has not
  evaluated it yet; every POST still goes through `training.services.evaluation_submit`, whose
  model rule refuses the rest (did not attend, second evaluation, session not held) with its
  message and nothing saved. A submitted evaluation is shown read-only.
* **Effectiveness evaluations**: the manager sees the reviews assigned to them; the training
  coordinator (`training.record_attendance`) sees every pending review and may fill one for a
  manager who left (`training.services.may_review_effectiveness`). A review outside that answers
  404.
* **Results** (page and PDF) and the **certificate list**: `training.view_training_records`.
  Results are aggregates; comments are listed without names or dates (the report is anonymous).
  The certificate list follows the reader's unit scope (`qms.roles.unit_scope`).
* **Certificate PDF**: the holder, or a `training.view_training_records` holder whose unit scope
  includes the holder; anyone else gets 404. A revoked certificate is never printed.

Refusals are returned with a message (`deny`), not raised: Wagtail's admin turns a raised
PermissionDenied into a redirect to the dashboard.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from qms.menu import PermissionMenuItem
from qms.pdf import pdf_response
from qms.roles import unit_scope
from training import queries, services
from training.certificate_pdf import certificate_pdf
from training.evaluation_pdf import criterion_label, evaluation_year_pdf
from training.models import (
    RATING_FIELDS,
    Applied,
    Attendance,
    AttendanceStatus,
    Certificate,
    EffectivenessReview,
    Evaluation,
    Session,
    SessionState,
)

RECORDS_PERMISSION = "training.view_training_records"
COORDINATOR_PERMISSION = services.RECORD_PERMISSION
CERTIFICATES_PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 100
COMMENTS_MAX_LENGTH = 2000

RATING_MEANINGS = {
    1: pgettext_lazy("rating", "Very poor"),
    2: pgettext_lazy("rating", "Poor"),
    3: pgettext_lazy("rating", "Fair"),
    4: pgettext_lazy("rating", "Good"),
    5: pgettext_lazy("rating", "Very good"),
}
EFFECTIVENESS_MEANINGS = {
    1: pgettext_lazy("effectiveness", "Not effective"),
    2: pgettext_lazy("effectiveness", "Slightly effective"),
    3: pgettext_lazy("effectiveness", "Partly effective"),
    4: pgettext_lazy("effectiveness", "Effective"),
    5: pgettext_lazy("effectiveness", "Very effective"),
}

# The form's four criteria: (form field, model field, legend, what the participant weighs).
CRITERIA = (
    ("content", "content_rating", pgettext_lazy("evaluation criterion", "Content of the training"),
     gettext_lazy("The topics, their order and their depth.")),
    ("trainer", "trainer_rating", pgettext_lazy("evaluation criterion", "The trainer"),
     gettext_lazy("Knowledge of the subject, clear explanations, answers to questions.")),
    ("materials", "materials_rating", pgettext_lazy("evaluation criterion", "Materials"),
     gettext_lazy("Slides, handouts, examples, the room and its equipment.")),
    ("usefulness", "usefulness_rating", pgettext_lazy("evaluation criterion", "Usefulness for my work"),
     gettext_lazy("How much of it you will use in your daily work.")),
)
CRITERION_LABELS = {model_field: legend for _f, model_field, legend, _h in CRITERIA}


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def may_see_results(user) -> bool:
    return user.has_perm(RECORDS_PERMISSION)


def is_coordinator(user) -> bool:
    return user.has_perm(COORDINATOR_PERMISSION)


# --- refusals --------------------------------------------------------------------------------


class DeniedView(WagtailAdminTemplateMixin, TemplateView):
    """A refusal inside the admin's frame: what was refused and why, in words (HTTP 403)."""

    template_name = "training/evaluation_denied.html"
    page_title = gettext_lazy("Not allowed")
    header_icon = "warning"
    message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["message"] = self.message
        return context


def deny(request, message: str):
    response = DeniedView.as_view(message=message)(request)
    response.status_code = 403
    return response


class _AdminPage(WagtailAdminTemplateMixin, TemplateView):
    """An admin page whose breadcrumbs are Home › (parents) › its title."""

    parents: tuple[tuple[str, object], ...] = ()

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        items += [{"url": reverse(name), "label": str(label)} for name, label in self.parents]
        return items + [{"url": "", "label": str(self.get_page_title())}]


# --- forms -----------------------------------------------------------------------------------


def _rating_field(label, help_text, meanings) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, help_text=help_text, coerce=int, widget=forms.RadioSelect,
        choices=list(meanings.items()),
        error_messages={"required": gettext_lazy("Choose a rating from 1 to 5."),
                        "invalid_choice": gettext_lazy("Choose a rating from 1 to 5.")},
    )


class EvaluationForm(forms.Form):
    """The four 1-5 ratings and the comments of the participant's evaluation form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _model_field, legend, help_text in CRITERIA:
            self.fields[name] = _rating_field(legend, help_text, RATING_MEANINGS)
        self.fields["comments"] = forms.CharField(
            label=gettext_lazy("Comments and suggestions (optional)"), required=False,
            max_length=COMMENTS_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
            help_text=gettext_lazy("What was good, what should change, what you would like to learn next."),
        )

    def rating_fields(self):
        return [self[name] for name, *_rest in CRITERIA]


class EffectivenessForm(forms.Form):
    rating = _rating_field(
        pgettext_lazy("effectiveness form", "How effective was the training for this person's work?"),
        gettext_lazy("Judge by what you have seen in the person's work since the training."),
        EFFECTIVENESS_MEANINGS,
    )
    applied = forms.ChoiceField(
        label=gettext_lazy("Does the person apply what the training taught on the job?"),
        choices=Applied.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether the training is applied on the job."),
                        "invalid_choice": gettext_lazy("Say whether the training is applied on the job.")},
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments (optional)"), required=False, max_length=COMMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For example what changed in the person's work, or what further training they need."),
    )


def _service_errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- My trainings ----------------------------------------------------------------------------


def _certificate_of(attendance: Attendance) -> Certificate | None:
    try:
        return attendance.certificate
    except Certificate.DoesNotExist:
        return None


class MyTrainingsView(_AdminPage):
    """The person's own training record: sessions, hours, required courses, certificates and the
    evaluations still to fill."""

    template_name = "training/my_trainings.html"
    page_title = gettext_lazy("My trainings")
    header_icon = "user"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        record = queries.training_record(user)
        now = timezone.now()
        this_year = timezone.localdate().year
        evaluated = record["evaluated_session_ids"]
        upcoming, past = [], []
        year_hours = 0
        today = timezone.localdate()
        # The form is asked for while it is still useful (queries.EVALUATION_OPEN_DAYS, as the
        # reminders and panels do); an older session can still be evaluated from its own address.
        asked_since = today - timedelta(days=queries.EVALUATION_OPEN_DAYS)
        for attendance in record["attendances"]:
            session = attendance.session
            held = session.state == SessionState.FINALISED
            present = attendance.status == AttendanceStatus.PRESENT
            closed_on = timezone.localtime(session.finalised_at or session.starts_at).date()
            may_evaluate = held and present and session.pk not in evaluated and closed_on >= asked_since
            evaluate_by = queries.evaluation_due_on(attendance) if may_evaluate and session.finalised_at else None
            row = {
                "attendance": attendance,
                "session": session,
                "certificate": _certificate_of(attendance) if held else None,
                "evaluated": session.pk in evaluated,
                "may_evaluate": may_evaluate,
                "evaluate_by": evaluate_by if evaluate_by and evaluate_by >= today else None,
                "completed": held and present,
            }
            if held and present and timezone.localtime(session.starts_at).year == this_year:
                year_hours += session.hours
            if session.state == SessionState.PLANNED and session.ends_at >= now:
                upcoming.append(row)
            else:
                past.append(row)
        upcoming.reverse()  # the record lists newest first; the next session comes first here
        context.update(
            upcoming=upcoming,
            past=past,
            to_evaluate=[row for row in past if row["may_evaluate"]],
            hours=record["hours"],
            year_hours=year_hours,
            this_year=this_year,
            completed_count=sum(1 for row in past if row["completed"]),
            statuses=record["statuses"],
            reviews_waiting=EffectivenessReview.objects.filter(reviewer=user, submitted_at__isnull=True).count(),
        )
        return context


# --- the evaluation form -----------------------------------------------------------------------


class EvaluationView(_AdminPage):
    """One session's evaluation form for the signed-in participant (or their submitted answers)."""

    template_name = "training/evaluation_form.html"
    header_icon = "form"
    parents = (("training:my_trainings", pgettext_lazy("breadcrumb", "My trainings")),)

    def dispatch(self, request, *args, **kwargs):
        self.session = get_object_or_404(Session.objects.select_related("course", "trainer"), pk=kwargs["pk"])
        self.attendance = Attendance.objects.filter(session=self.session, person=request.user).first()
        if self.attendance is None:
            raise Http404(_("You are not on the list of this session."))
        self.evaluation = Evaluation.objects.filter(session=self.session, participant=request.user).first()
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Evaluation of %(session)s") % {"session": self.session.code}

    def refusal(self) -> str:
        """Why the form is not offered ("" when it is)."""
        if self.evaluation is not None:
            return ""
        if self.session.state == SessionState.CANCELLED:
            return _("This session was cancelled; there is nothing to evaluate.")
        if self.session.state != SessionState.FINALISED:
            return _("You can evaluate this training once it has been held and the training coordinator has closed "
                     "its attendance.")
        if self.attendance.status != AttendanceStatus.PRESENT:
            return _("Only participants recorded as present can evaluate a training. Your attendance is recorded as "
                     "“%(status)s”; if that is wrong, ask the training coordinator to correct it.") % {
                "status": self.attendance.get_status_display()}
        return ""

    def get_context_data(self, form=None, errors=(), **kwargs):
        context = super().get_context_data(**kwargs)
        refusal = self.refusal()
        context.update(
            session=self.session,
            attendance=self.attendance,
            evaluation=self.evaluation,
            refusal=refusal,
            form=form or (EvaluationForm() if not refusal and self.evaluation is None else None),
            errors=list(errors),
            answers=self._answers(),
            scale=list(RATING_MEANINGS.items()),
            comments_max=COMMENTS_MAX_LENGTH,
        )
        return context

    def _answers(self) -> list[dict]:
        if self.evaluation is None:
            return []
        return [{"legend": legend, "value": getattr(self.evaluation, model_field),
                 "meaning": RATING_MEANINGS[getattr(self.evaluation, model_field)]}
                for _name, model_field, legend, _help in CRITERIA]

    def post(self, request, *args, **kwargs):
        form = EvaluationForm(request.POST)
        if not form.is_valid():
            refusal = self.refusal() or (_("You have already evaluated this session.") if self.evaluation else "")
            if refusal:  # the form is not offered: say why rather than which field is missing
                return self.render_to_response(self.get_context_data(errors=[refusal]))
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            services.evaluation_submit(
                session=self.session, user=request.user, content=data["content"], trainer=data["trainer"],
                materials=data["materials"], usefulness=data["usefulness"], comments=data["comments"])
        except PermissionDenied as error:
            return deny(request, str(error))
        except ValidationError as error:
            self.evaluation = Evaluation.objects.filter(session=self.session, participant=request.user).first()
            keep = form if self.evaluation is None and not self.refusal() else None
            return self.render_to_response(self.get_context_data(form=keep, errors=_service_errors(error)))
        messages.success(request, _("Thank you: your evaluation of %(session)s was recorded.") % {
            "session": f"{self.session.code} {self.session.course.title}"})
        return HttpResponseRedirect(reverse("training:my_trainings"))


# --- effectiveness evaluations ---------------------------------------------------------------


def reviews_visible_to(user):
    """The effectiveness reviews a person may open: their own; the coordinator every one."""
    qs = EffectivenessReview.objects.select_related(
        "attendance__session__course", "attendance__session__trainer", "attendance__person__staff_profile__unit",
        "reviewer", "submitted_by")
    if is_coordinator(user):
        return qs
    return qs.filter(reviewer=user)


def due_text(due: date, today: date) -> tuple[str, str]:
    """(state, words) of a pending review's due date: overdue / due / later."""
    days = (due - today).days
    if days < 0:
        return "overdue", (pgettext("review due", "Overdue by %(days)s days") % {"days": -days})
    if days == 0:
        return "due", pgettext("review due", "Due today")
    if days <= 30:
        return "due", (pgettext("review due", "Due in %(days)s days") % {"days": days})
    return "later", (pgettext("review due", "Due in %(days)s days") % {"days": days})


class EffectivenessQueueView(_AdminPage):
    """The effectiveness evaluations waiting for the signed-in manager (the coordinator: all)."""

    template_name = "training/effectiveness_queue.html"
    page_title = gettext_lazy("Effectiveness evaluations")
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        coordinator = is_coordinator(user)
        show = self.request.GET.get("show", "pending")
        if show not in ("pending", "unassigned", "done"):
            show = "pending"
        if show == "unassigned" and not coordinator:
            show = "pending"
        qs = reviews_visible_to(user)
        if show == "done":
            qs = qs.filter(submitted_at__isnull=False).order_by("-submitted_at", "-pk")
        else:
            qs = qs.filter(submitted_at__isnull=True).order_by("due_date", "pk")
            if show == "unassigned":
                qs = qs.filter(Q(reviewer__isnull=True) | Q(reviewer__is_active=False))
        page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(self.request.GET.get("p"))
        rows = []
        for review in page.object_list:
            state, words = due_text(review.due_date, today) if not review.is_done else ("done", "")
            rows.append({
                "review": review,
                "attendance": review.attendance,
                "session": review.attendance.session,
                "person": review.attendance.person,
                "unit": getattr(getattr(review.attendance.person, "staff_profile", None), "unit", None),
                "state": state,
                "due_words": words,
                "orphaned": review.reviewer is None or not review.reviewer.is_active,
            })
        overdue = qs.filter(due_date__lt=today).count() if show != "done" else 0
        context.update(page=page, rows=rows, show=show, coordinator=coordinator, today=today, overdue=overdue)
        return context


class EffectivenessReviewView(_AdminPage):
    template_name = "training/effectiveness_form.html"
    header_icon = "tasks"
    parents = (("training:effectiveness_queue", gettext_lazy("Effectiveness evaluations")),)

    def dispatch(self, request, *args, **kwargs):
        self.review = get_object_or_404(reviews_visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Effectiveness of %(session)s: %(person)s") % {
            "session": self.review.attendance.session.code, "person": person_name(self.review.attendance.person)}

    def get_context_data(self, form=None, errors=(), **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.review
        today = timezone.localdate()
        profile = getattr(review.attendance.person, "staff_profile", None)
        context.update(
            review=review,
            attendance=review.attendance,
            session=review.attendance.session,
            person=review.attendance.person,
            unit=profile.unit if profile else None,
            form=form or (EffectivenessForm() if not review.is_done else None),
            errors=list(errors),
            due=due_text(review.due_date, today) if not review.is_done else None,
            stand_in=review.reviewer_id != self.request.user.pk,
            rating_meaning=EFFECTIVENESS_MEANINGS.get(review.rating),
            comments_max=COMMENTS_MAX_LENGTH,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = EffectivenessForm(request.POST)
        if self.review.is_done:
            return self.render_to_response(self.get_context_data(
                errors=[_("This effectiveness evaluation was already submitted.")]))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            services.effectiveness_submit(review=self.review, user=request.user, rating=data["rating"],
                                          applied=data["applied"], comments=data["comments"])
        except PermissionDenied as error:
            return deny(request, str(error))
        except ValidationError as error:
            self.review.refresh_from_db()
            return self.render_to_response(self.get_context_data(
                form=None if self.review.is_done else form, errors=_service_errors(error)))
        messages.success(request, _("The effectiveness evaluation of %(person)s for %(session)s was recorded.") % {
            "person": person_name(self.review.attendance.person), "session": self.review.attendance.session.code})
        return HttpResponseRedirect(reverse("training:effectiveness_queue"))


# --- results -----------------------------------------------------------------------------------


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404(_("No such year."))
    return year


def results_current(request):
    """The results of the year asked for in ?year= (the year selector), else of this year."""
    if not may_see_results(request.user):
        return deny(request, _("Only the training coordinator, management and unit managers see evaluation results."))
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    return HttpResponseRedirect(reverse("training:evaluation_results_year", args=[year]))


class ResultsView(_AdminPage):
    """The year's evaluation results by session, course and trainer, the managers' effectiveness
    evaluations, pre/post test gains and the anonymous comments."""

    template_name = "training/results_year.html"
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_results(request.user):
            return deny(request, _("Only the training coordinator, management and unit managers see evaluation "
                                   "results."))
        _year_or_404(kwargs["year"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Training evaluation results %(year)s") % {"year": self.kwargs["year"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        report = queries.evaluation_report(year)
        years = queries.evaluation_years()
        if year not in years:
            years = sorted({*years, year})
        criteria = [(field, criterion_label(field)) for field in RATING_FIELDS]
        for group in [*report["by_session"], *report["by_course"], *report["by_trainer"]]:
            group["cells"] = [(field, group["averages"][field]) for field in RATING_FIELDS]
            rated = [(value, RATING_FIELDS.index(field), field) for field, value in group["cells"] if value is not None]
            group["lowest_field"] = min(rated)[2] if len(rated) > 1 and len({r[0] for r in rated}) > 1 else None
        report["total"]["labelled_cells"] = [(field, label, report["total"]["averages"][field])
                                             for field, label in criteria]
        context.update(
            year=year,
            years=years,
            report=report,
            low_limit=queries.LOW_RESPONSE_RATE,
            criteria=criteria,
            groupings=[
                ("by-course", _("By course"), report["by_course"], True),
                ("by-trainer", _("By trainer"), report["by_trainer"], True),
                ("by-session", _("By session"), report["by_session"], False),
            ],
        )
        return context


def results_pdf_view(request, year: int):
    if not may_see_results(request.user):
        return deny(request, _("Only the training coordinator, management and unit managers see evaluation results."))
    _year_or_404(year)
    pdf = evaluation_year_pdf(queries.evaluation_report(year), user=request.user)
    return pdf_response(pdf, _("Training evaluation analysis %(year)s") % {"year": year} + ".pdf")


# --- certificates ------------------------------------------------------------------------------


def certificates_visible_to(user):
    """Certificates a person may download: their own; a records reader every one in their unit
    scope (a unit manager: the people of their units)."""
    qs = Certificate.objects.all()
    if not user.has_perm(RECORDS_PERMISSION):
        return qs.filter(attendance__person=user)
    scope = unit_scope(user)
    if scope is None:
        return qs
    return qs.filter(Q(attendance__person=user) | Q(attendance__person__staff_profile__unit__in=scope))


def _fold_variants(text: str) -> set[str]:
    """The search text and its Turkish upper / lower forms (SQLite folds only ASCII letters)."""
    lower = text.replace("I", "ı").replace("İ", "i").lower()
    upper = text.replace("i", "İ").replace("ı", "I").upper()
    return {text, lower, upper, lower.capitalize(), upper[:1] + lower[1:], text.title()}


class CertificateFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Number or name")}),
    )
    state = forms.ChoiceField(
        label=pgettext_lazy("certificate", "State"), required=False,
        choices=[("", gettext_lazy("All")), ("valid", pgettext_lazy("certificate", "Valid")),
                 ("revoked", pgettext_lazy("certificate", "Revoked"))],
    )


class CertificateListView(_AdminPage):
    template_name = "training/results_certificates.html"
    page_title = gettext_lazy("Certificates")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(RECORDS_PERMISSION):
            return deny(request, _("Only the training coordinator, management and unit managers see the list of "
                                   "certificates. Your own certificates are on “My trainings”."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = CertificateFilterForm(self.request.GET or None)
        qs = certificates_visible_to(self.request.user)
        if form.is_valid():
            text = " ".join(form.cleaned_data["q"].split())
            if text:
                condition = Q(number__iexact=text.replace(" ", "").upper()) | Q(number__icontains=text.upper())
                for variant in _fold_variants(text):
                    condition |= Q(holder_name__icontains=variant) | Q(course_title__icontains=variant)
                qs = qs.filter(condition)
            if form.cleaned_data["state"] == "valid":
                qs = qs.filter(revoked_at__isnull=True)
            elif form.cleaned_data["state"] == "revoked":
                qs = qs.filter(revoked_at__isnull=False)
        qs = qs.select_related("attendance__session", "attendance__person__staff_profile__unit").order_by(
            "-completed_on", "holder_name", "pk")
        page = Paginator(qs, CERTIFICATES_PAGE_SIZE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(form=form, page=page, query_string=query.urlencode())
        return context


def certificate_download(request, pk: int):
    certificate = get_object_or_404(certificates_visible_to(request.user).select_related("attendance"), pk=pk)
    if not certificate.is_valid:
        messages.error(request, _("Certificate %(number)s was revoked and can no longer be downloaded.") % {
            "number": certificate.number})
        back = ("training:my_trainings" if certificate.attendance.person_id == request.user.pk
                else "training:certificates")
        return HttpResponseRedirect(reverse(back))
    pdf = certificate_pdf(certificate, user=request.user)
    return pdf_response(pdf, _("Certificate %(number)s") % {"number": certificate.number} + ".pdf")


urlpatterns = [
    path("my/", MyTrainingsView.as_view(), name="my_trainings"),
    path("my/sessions/<int:pk>/evaluate/", EvaluationView.as_view(), name="evaluation_form"),
    path("effectiveness/", EffectivenessQueueView.as_view(), name="effectiveness_queue"),
    path("effectiveness/<int:pk>/", EffectivenessReviewView.as_view(), name="effectiveness_form"),
    path("results/", results_current, name="evaluation_results"),
    path("results/<int:year>/", ResultsView.as_view(), name="evaluation_results_year"),
    path("results/<int:year>/pdf/", results_pdf_view, name="evaluation_results_pdf"),
    path("certificates/", CertificateListView.as_view(), name="certificates"),
    path("certificates/<int:pk>/pdf/", certificate_download, name="certificate_pdf"),
]


def menu_items():
    return [
        PermissionMenuItem(gettext_lazy("My trainings"),
                           reverse_lazy("training:my_trainings"), name="training-my", icon_name="user",
                           order=5, check=lambda user: user.is_authenticated),
        PermissionMenuItem(gettext_lazy("Effectiveness evaluations"), reverse_lazy("training:effectiveness_queue"),
                           name="training-effectiveness", icon_name="tasks", order=600,
                           permissions=(RECORDS_PERMISSION, COORDINATOR_PERMISSION)),
        PermissionMenuItem(gettext_lazy("Evaluation results"), reverse_lazy("training:evaluation_results"),
                           name="training-results", icon_name="table", order=610,
                           permissions=(RECORDS_PERMISSION,)),
        PermissionMenuItem(gettext_lazy("Certificates"), reverse_lazy("training:certificates"),
                           name="training-certificates", icon_name="doc-full", order=620,
                           permissions=(RECORDS_PERMISSION,)),
    ]
