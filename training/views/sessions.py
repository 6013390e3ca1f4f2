"""Training sessions: the list, the session's page, planning and invitations, the attendance
sheet PDF, THE attendance screen (with import and corrections) and QR self check-in.

Who may do what (qms/roles.py):

* `training.view_session` (coordinator, management representative, top management, internal
  auditors) sees every session and its list. Anyone else sees only the sessions they are on
  (`training.queries.sessions_visible_to`), and of those only the facts and their own
  attendance: who else attended is not theirs to read. A session outside that answers 404.
* `training.add_session` / `training.change_session` plan, edit and cancel sessions.
* `training.record_attendance` (the training coordinator) invites, records attendance, imports
  it, runs the check-in screen, finalises and corrects.
* Every signed-in person may open a check-in link; `services.self_check_in` decides.

Every change goes through `training.services` (one transaction each): a `ValidationError`
shows its message with the entered values kept, nothing saved; a `PermissionDenied` answers
403. Refusals are returned, not raised: Wagtail's admin turns a raised PermissionDenied into a
redirect to the dashboard.

The participant's check-in link checks in on GET: the code in it lives for one or two steps of
QMS_TRAINING_CHECKIN_STEP_SECONDS, so a confirmation tap would only give it time to expire; the
service records a check-in once, so opening the link again changes nothing.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from qms.menu import PermissionMenuItem
from qms.models import StaffProfile, Unit
from qms.pdf import pdf_response
from qms.roles import role_group_names
from qms.text import search_variants
from training import notifications, services
from training.attendance_import import ACCEPT as IMPORT_ACCEPT
from training.attendance_import import import_attendance
from training.models import (
    Attendance,
    AttendanceStatus,
    Course,
    PlanItem,
    Session,
    SessionState,
    TrainerKind,
)
from training.qr import qr_svg
from training.queries import invitation_candidates, sessions_visible_to
from training.session_pdf import attendance_sheet_pdf

VIEW_PERMISSION = "training.view_session"
ADD_PERMISSION = "training.add_session"
CHANGE_PERMISSION = "training.change_session"
RECORD_PERMISSION = services.RECORD_PERMISSION
PAGE_SIZE = 50
SEARCH_LIMIT = 15
POLL_SECONDS = 3
# The three marks of the attendance screen ("not recorded" is where a row starts, not a choice).
MARKS = (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
CODE_PATTERN = re.compile(r"^\s*e[gğ]t-(\d{4})-(\d{1,5})\s*$", re.IGNORECASE)


def _forbidden(request, message):
    return permission_denied(request, message if isinstance(message, PermissionDenied) else PermissionDenied(message))


def person_label(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def may_view_all(user) -> bool:
    return user.has_perm(VIEW_PERMISSION)


def may_record(user) -> bool:
    return services.may_record_attendance(user)


def visible_session(user, pk: int) -> Session:
    """The session if the person may see it, else 404 (its existence is not disclosed)."""
    return get_object_or_404(sessions_visible_to(user).select_related("plan_item__plan", "finalised_by"), pk=pk)


def session_actions(user, session: Session) -> dict[str, bool]:
    """The buttons the session's page offers (the services refuse the same way)."""
    planned = session.state == SessionState.PLANNED
    record = may_record(user)
    return {
        "edit": planned and user.has_perm(CHANGE_PERMISSION),
        "cancel": planned and user.has_perm(CHANGE_PERMISSION),
        "invite": planned and record,
        "attendance": record and session.state != SessionState.CANCELLED,
        "import": planned and record,
        "checkin": planned and record,
        "finalise": planned and record,
        "pdf": may_view_all(user),
    }


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            texts = [m for e in errors for m in e.messages]
            form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, texts)
    else:
        form.add_error(None, error.messages)


class _SessionPageMixin(WagtailAdminTemplateMixin):
    """A page about one session: found through the person's visibility (404 outside it)."""

    header_icon = "group"
    page_label = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = visible_session(request.user, kwargs["pk"])

    def get_page_title(self):
        label = str(self.page_label)
        return f"{self.session.code}: {label}" if label else f"{self.session.code} {self.session.course.title}"

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if may_view_all(self.request.user):
            items.append({"url": reverse("training:session_list"), "label": _("Training sessions")})
        if self.page_label:
            items += [{"url": reverse("training:session_detail", args=[self.session.pk]), "label": self.session.code},
                      {"url": "", "label": str(self.page_label)}]
        else:
            items.append({"url": "", "label": self.session.code})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session"] = self.session
        return context


class _RecorderMixin:
    """Only the training coordinator (training.record_attendance)."""

    refusal = gettext_lazy("Only the training coordinator records attendance.")

    def dispatch(self, request, *args, **kwargs):
        if not may_record(request.user):
            return _forbidden(request, str(self.refusal))
        return super().dispatch(request, *args, **kwargs)


# --- the list -----------------------------------------------------------------------------------


class SessionFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Code (EĞT-2026-001) or course"),
                                      "type": "search"}),
    )
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    course = forms.ModelChoiceField(label=gettext_lazy("Course"), required=False, queryset=Course.objects.none(),
                                    empty_label=gettext_lazy("All courses"))
    state = forms.ChoiceField(label=pgettext_lazy("session", "State"), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["course"].queryset = Course.objects.order_by("code")
        self.fields["state"].choices = [("", _("All states"))] + list(SessionState.choices)


def filter_sessions(queryset, data: dict):
    if data.get("year"):
        queryset = queryset.filter(year=data["year"])
    if data.get("course"):
        queryset = queryset.filter(course=data["course"])
    if data.get("state"):
        queryset = queryset.filter(state=data["state"])
    text = (data.get("q") or "").strip()
    if text:
        code = CODE_PATTERN.match(text)
        if code:
            return queryset.filter(year=int(code.group(1)), number=int(code.group(2)))
        condition = Q()
        for variant in search_variants(text):
            condition |= Q(course__title__icontains=variant) | Q(course__code__icontains=variant)
            condition |= Q(place__icontains=variant)
        queryset = queryset.filter(condition)
    return queryset


def _count(**filters):
    counted = (Attendance.objects.filter(session=OuterRef("pk"), **filters).order_by().values("session")
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def list_queryset(user):
    """The person's sessions with what the list shows, in one query (counts by subquery, so a
    participant's own-row filter does not change them)."""
    queryset = sessions_visible_to(user).annotate(
        listed=_count(), present=_count(status=AttendanceStatus.PRESENT),
    )
    if not may_view_all(user):
        mine = Attendance.objects.filter(session=OuterRef("pk"), person=user).values("status")[:1]
        queryset = queryset.annotate(my_status=Subquery(mine))
    return queryset.order_by("-starts_at", "-pk")


class SessionListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "training/session_list.html"
    page_title = gettext_lazy("Training sessions")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": str(self.page_title)}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        years = sorted(set(sessions_visible_to(user).order_by().values_list("year", flat=True)), reverse=True)
        form = SessionFilterForm(self.request.GET or None, years=years)
        sessions = list_queryset(user)
        if form.is_valid():
            sessions = filter_sessions(sessions, form.cleaned_data)
        page = Paginator(sessions, PAGE_SIZE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        status_labels = dict(AttendanceStatus.choices)
        rows = [{"session": s, "my_status": status_labels.get(getattr(s, "my_status", None), "")} for s in page]
        context.update(form=form, page=page, rows=rows, query_string=query.urlencode(),
                       view_all=may_view_all(user), may_add=user.has_perm(ADD_PERMISSION))
        return context


# --- the session's page ----------------------------------------------------------------------------


COUNT_ORDER = (*MARKS, AttendanceStatus.PENDING)


def status_counts(statuses) -> list[dict]:
    """[{status, label, count}]: present, absent, excused, then not recorded."""
    counts = dict.fromkeys(COUNT_ORDER, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return [{"status": s, "label": AttendanceStatus(s).label, "count": counts[s]} for s in COUNT_ORDER]


def session_rows(session: Session) -> list[Attendance]:
    return list(session.attendances.select_related("person__staff_profile__unit")
                .order_by("person__first_name", "person__last_name", "person__username"))


class SessionDetailView(_SessionPageMixin, TemplateView):
    template_name = "training/session_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        session = self.session
        full = may_view_all(user)
        rows = session_rows(session) if full else []
        mine = None if full else Attendance.objects.filter(session=session, person=user).first()
        corrections = []
        if full:
            from training.models import AttendanceCorrection

            corrections = list(AttendanceCorrection.objects.filter(attendance__session=session)
                               .select_related("attendance__person", "corrected_by").order_by("-corrected_at"))
        opens, closes = services.checkin_window(session)
        context.update(
            full=full, rows=rows, mine=mine, corrections=corrections,
            counts=status_counts(r.status for r in rows),
            walk_ins=sum(1 for r in rows if not r.invited),
            checked_in=sum(1 for r in rows if r.self_checked_in_at),
            free=max(session.capacity - len(rows), 0),
            actions=session_actions(user, session),
            may_remove=session.state == SessionState.PLANNED and may_record(user),
            checkin_opens=opens, checkin_closes=closes,
        )
        return context


@require_POST
def session_uninvite(request, pk: int, person_id: int):
    session = visible_session(request.user, pk)
    row = get_object_or_404(Attendance.objects.select_related("person"), session=session, person_id=person_id)
    try:
        services.session_uninvite(session=session, person=row.person, user=request.user)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s was removed from the list.") % {"name": person_label(row.person)})
    return HttpResponseRedirect(reverse("training:session_detail", args=[pk]) + "#participants")


# --- planning: create, edit, cancel -------------------------------------------------------------------


class CourseSelect(forms.Select):
    """The course choice, each option carrying the course's hours (the form fills them in)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-hours"] = str(instance.duration_hours)
        return option


class PlanItemSelect(forms.Select):
    """The plan line choice, each option carrying its course (the form hides other courses' lines)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-course"] = str(instance.course_id)
        return option


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return f"{person_label(obj)} ({profile.unit.name})" if profile else person_label(obj)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        profile = obj.staff_profile
        extra = ", ".join(x for x in (profile.unit.name, profile.registry_no) if x)
        return f"{person_label(obj)} ({extra})"


class PlanItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.plan.year} {month_name_tr(obj.month)}: {obj.course.code} {obj.course.title}"


def month_name_tr(month: int) -> str:
    from django.utils.dates import MONTHS

    return str(MONTHS.get(month, month))


def staff_users():
    return (get_user_model()._default_manager.filter(is_active=True, staff_profile__is_active=True)
            .select_related("staff_profile__unit").order_by("first_name", "last_name", "username"))


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionForm(forms.ModelForm):
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"), required=False, max_digits=5, decimal_places=1,
        help_text=gettext_lazy("Empty: the course's duration."),
    )

    class Meta:
        model = Session
        fields = ["course", "plan_item", "starts_at", "ends_at", "place", "trainer", "external_trainer", "hours",
                  "capacity", "notes"]
        widgets = {"starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET,
                   "notes": forms.Textarea(attrs={"rows": 3}), "course": CourseSelect,
                   "plan_item": PlanItemSelect}
        field_classes = {"trainer": PersonChoiceField, "plan_item": PlanItemChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.course_id
        self.fields["course"].queryset = Course.objects.filter(Q(is_active=True) | Q(pk=current)).order_by("code")
        year = timezone.localdate().year
        self.fields["plan_item"].queryset = (
            PlanItem.objects.filter(Q(plan__year__in=(year - 1, year, year + 1)) | Q(pk=self.instance.plan_item_id))
            .select_related("plan", "course").order_by("plan__year", "month", "course__code"))
        self.fields["plan_item"].help_text = _("Optional: the line of the annual plan this session delivers "
                                               "(same course, same year).")
        # Active staff, and the session's own trainer even if they have left since.
        self.fields["trainer"].queryset = (
            get_user_model()._default_manager
            .filter(Q(is_active=True, staff_profile__is_active=True) | Q(pk=self.instance.trainer_id))
            .select_related("staff_profile__unit").order_by("first_name", "last_name", "username"))
        self.fields["trainer"].help_text = _("A member of staff, or name an external trainer below. Both empty: "
                                             "the course's trainer.")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]

    def clean(self):
        data = super().clean()
        course = data.get("course")
        if course is not None:
            # Defaults from the course; the model's own checks (run next, on the instance) see them.
            if data.get("hours") in (None, ""):
                data["hours"] = course.duration_hours
            if not data.get("trainer") and not (data.get("external_trainer") or "").strip():
                if course.trainer_kind == TrainerKind.INTERNAL and course.default_trainer_id:
                    data["trainer"] = course.default_trainer
                elif course.external_trainer.strip():
                    data["external_trainer"] = course.external_trainer
        return data


class SessionFormView(WagtailAdminTemplateMixin, FormView):
    """Plan a new session, or change a planned one (services.session_save)."""

    template_name = "training/session_form.html"
    form_class = SessionForm
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = visible_session(request.user, kwargs["pk"]) if "pk" in kwargs else None

    def dispatch(self, request, *args, **kwargs):
        perm = CHANGE_PERMISSION if self.session else ADD_PERMISSION
        if not request.user.has_perm(perm):
            return _forbidden(request, _("Only the training coordinator plans sessions."))
        if self.session is not None and self.session.is_locked:
            messages.error(request, _("This session is finalised or cancelled; it cannot be changed."))
            return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        if self.session:
            return _("Edit %(code)s") % {"code": self.session.code}
        return _("New training session")

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                 {"url": reverse("training:session_list"), "label": _("Training sessions")}]
        if self.session:
            items.append({"url": reverse("training:session_detail", args=[self.session.pk]),
                          "label": self.session.code})
        items.append({"url": "", "label": self.get_page_title()})
        return items

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.session or Session()
        if self.session is None and self.request.method == "GET":
            initial = dict(kwargs.get("initial") or {})
            course = Course.objects.filter(pk=self.request.GET.get("course") or 0).first()
            if course is not None:
                initial.update(course=course, hours=course.duration_hours)
            plan_item = PlanItem.objects.filter(pk=self.request.GET.get("plan_item") or 0).first()
            if plan_item is not None:
                initial.update(plan_item=plan_item, course=plan_item.course, hours=plan_item.course.duration_hours)
            kwargs["initial"] = initial
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session"] = self.session
        return context

    def form_valid(self, form):
        session = form.instance
        try:
            session = services.session_save(session=session, user=self.request.user)
        except PermissionDenied as error:
            return _forbidden(self.request, error)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        if self.session:
            messages.success(self.request, _("%(code)s was saved.") % {"code": session.code})
            return HttpResponseRedirect(reverse("training:session_detail", args=[session.pk]))
        messages.success(self.request, _("%(code)s was planned; now invite its participants.") % {"code": session.code})
        return HttpResponseRedirect(reverse("training:session_invite", args=[session.pk]))


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3}))


class SessionCancelView(_SessionPageMixin, FormView):
    template_name = "training/session_cancel.html"
    form_class = CancelForm
    page_label = gettext_lazy("Cancel")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            return _forbidden(request, _("Only the training coordinator cancels sessions."))
        if self.session.state != SessionState.PLANNED:
            messages.error(request, _("Only a planned session can be cancelled."))
            return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.session_cancel(session=self.session, user=self.request.user, reason=form.cleaned_data["reason"])
        except PermissionDenied as error:
            return _forbidden(self.request, error)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(code)s was cancelled.") % {"code": self.session.code})
        return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))


# --- invitations ---------------------------------------------------------------------------------------


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class GroupMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class InviteForm(forms.Form):
    groups = GroupMultipleChoiceField(
        label=gettext_lazy("Roles"), required=False, queryset=Group.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitMultipleChoiceField(
        label=gettext_lazy("Units"), required=False, queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=gettext_lazy("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    with_subunits = forms.BooleanField(label=gettext_lazy("Include the units under them"), required=False,
                                       initial=True)
    people = PersonMultipleChoiceField(
        label=pgettext_lazy("invite", "People"), required=False, queryset=get_user_model()._default_manager.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=gettext_lazy("Individual people, in addition to the roles and units above."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = Group.objects.filter(name__in=role_group_names()).order_by("name")
        self.fields["units"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        self.fields["people"].queryset = staff_users()

    def clean(self):
        data = super().clean()
        if not (data.get("groups") or data.get("units") or data.get("people")):
            raise ValidationError(_("Choose a role, a unit or people to invite."))
        return data

    def candidates(self):
        data = self.cleaned_data
        return invitation_candidates(groups=data["groups"], units=data["units"],
                                     with_subunits=data["with_subunits"], people=data["people"])


class SessionInviteView(_RecorderMixin, _SessionPageMixin, FormView):
    """Invite by role, unit (with the units under it) and people: a preview first, then the
    invitation (services.session_invite: beyond the free places nothing is added)."""

    template_name = "training/session_invite.html"
    form_class = InviteForm
    page_label = gettext_lazy("Invite participants")
    refusal = gettext_lazy("Only the training coordinator invites participants.")

    def dispatch(self, request, *args, **kwargs):
        if may_record(request.user) and self.session.is_locked:
            messages.error(request, _("The list of a finalised or cancelled session cannot change."))
            return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listed = self.session.attendances.count()
        context.update(listed=listed, free=max(self.session.capacity - listed, 0))
        return context

    def form_valid(self, form):
        candidates = list(form.candidates().select_related("staff_profile__unit")
                          .order_by("first_name", "last_name", "username"))
        on_list = set(self.session.attendances.values_list("person_id", flat=True))
        new = [p for p in candidates if p.pk not in on_list]
        if self.request.POST.get("action") != "invite":
            return self.render_to_response(self.get_context_data(
                form=form, preview=True, matching=len(candidates), already=len(candidates) - len(new), new=new))
        try:
            added = services.session_invite(session=self.session, people=new, user=self.request.user)
        except PermissionDenied as error:
            return _forbidden(self.request, error)
        except ValidationError as error:
            add_errors(form, error)
            return self.render_to_response(self.get_context_data(
                form=form, preview=True, matching=len(candidates), already=len(candidates) - len(new), new=new))
        sent = notifications.session_invited(self.session, new) if added else 0
        message = ngettext("%(count)s person was invited.", "%(count)s people were invited.", added) % {"count": added}
        if sent:
            message += " " + ngettext("%(count)s invitation was e-mailed.", "%(count)s invitations were e-mailed.",
                                      sent) % {"count": sent}
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]) + "#participants")


# --- the attendance sheet PDF ------------------------------------------------------------------------


def session_pdf(request, pk: int):
    session = visible_session(request.user, pk)
    if not may_view_all(request.user):
        return _forbidden(request, _("Only the training coordinator prints the attendance sheet."))
    pdf = attendance_sheet_pdf(session, user=request.user)
    return pdf_response(pdf, _("Attendance sheet %(code)s") % {"code": session.code} + ".pdf")


# --- THE attendance screen ---------------------------------------------------------------------------


def _int(text) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def find_walk_in(user, text: str):
    """The one active member of staff named by registry number, user name or full name (the
    no-JavaScript walk-in field), or a ValidationError saying why not."""
    text = text.strip()
    people = (StaffProfile.objects.visible_to(user).filter(is_active=True, user__is_active=True)
              .annotate(full=Concat("user__first_name", Value(" "), "user__last_name")))
    condition = Q(registry_no=text) | Q(user__username__iexact=text)
    for variant in search_variants(text):
        condition |= Q(full__iexact=variant)
    found = list(people.filter(condition).select_related("user")[:2])
    if not found:
        raise ValidationError(_("No active member of staff has the registry number, user name or name “%(text)s”.")
                              % {"text": text})
    if len(found) > 1:
        raise ValidationError(_("Several people match “%(text)s”; give the registry number.") % {"text": text})
    return found[0].user


class AttendanceView(_RecorderMixin, _SessionPageMixin, TemplateView):
    """One form, one POST: every person a row with present / absent / excused, "all present",
    test scores, walk-ins; or, once finalised, read-only rows each with a correction form."""

    template_name = "training/attendance.html"
    page_label = gettext_lazy("Attendance")

    def get(self, request, *args, **kwargs):
        if self.session.state == SessionState.CANCELLED:
            messages.error(request, _("This session was cancelled; there is no attendance to record."))
            return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))
        return super().get(request, *args, **kwargs)

    # -- the rows as shown ------------------------------------------------------------------------

    def build_rows(self, attendances, *, entered=None, walk_ins=(), errors=None) -> list[dict]:
        entered = entered or {}
        errors = errors or {}
        rows = []
        for row in attendances:
            rows.append(self._row(row.person, attendance=row, entered=entered.get(row.person_id),
                                  errors=errors.get(row.person_id, [])))
        for person in walk_ins:
            rows.append(self._row(person, attendance=None, entered=entered.get(person.pk),
                                  errors=errors.get(person.pk, [])))
        return rows

    def _row(self, person, *, attendance, entered, errors) -> dict:
        profile = getattr(person, "staff_profile", None)
        status = attendance.status if attendance else AttendanceStatus.PRESENT
        pre = attendance.pre_test_score if attendance else None
        post = attendance.post_test_score if attendance else None
        if entered is not None:
            status = entered.get("status", status) or status
            pre, post = entered.get("pre", pre), entered.get("post", post)
        return {
            "pid": person.pk,
            "name": person_label(person),
            "unit": profile.unit.name if profile else "",
            "title": profile.title if profile else "",
            "registry_no": profile.registry_no if profile else "",
            "attendance": attendance,
            "walk_in": attendance is None or not attendance.invited,
            "new": attendance is None,
            "status": status,
            "status_label": AttendanceStatus(status).label if status in AttendanceStatus.values else status,
            "checked_in_at": attendance.self_checked_in_at if attendance else None,
            "unconfirmed": bool(attendance and attendance.self_checked_in_at and not attendance.confirmed
                                and attendance.status == AttendanceStatus.PRESENT),
            "pre": "" if pre is None else pre,
            "post": "" if post is None else post,
            "errors": errors,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.session
        if "rows" not in kwargs:
            context["rows"] = self.build_rows(session_rows(session))
        rows = context["rows"]
        counts = status_counts(r["status"] for r in rows)
        editable = session.state == SessionState.PLANNED
        context.update(
            editable=editable,
            correctable=session.state == SessionState.FINALISED,
            marks=[(value, AttendanceStatus(value).label) for value in MARKS],
            counts=counts,
            count_map={c["status"]: c["count"] for c in counts},
            total=len(rows),
            show_scores=any(r["pre"] != "" or r["post"] != "" for r in rows),
            search_url=reverse("training:session_people_search", args=[session.pk]),
            free=max(session.capacity - len([r for r in rows if not r["new"]]), 0),
            template_row={"pid": "__pid__", "name": "", "walk_in": True, "new": True,
                          "status": AttendanceStatus.PRESENT, "pre": "", "post": "", "errors": []},
        )
        if session.state == SessionState.FINALISED:
            corrections = self._corrections()
            for row in rows:
                row["corrections"] = corrections.get(row["attendance"].pk, [])
                row["correct_to"] = (AttendanceStatus.ABSENT if row["status"] == AttendanceStatus.PRESENT
                                     else AttendanceStatus.PRESENT)
        context.setdefault("walk_in_lookup", "")
        context.setdefault("errors", [])
        context.setdefault("correction_form", {})
        return context

    def _corrections(self) -> dict[int, list]:
        from training.models import AttendanceCorrection

        result: dict[int, list] = {}
        for c in (AttendanceCorrection.objects.filter(attendance__session=self.session)
                  .select_related("corrected_by").order_by("-corrected_at")):
            result.setdefault(c.attendance_id, []).append(c)
        return result

    # -- saving -------------------------------------------------------------------------------------

    def post(self, request, *args, **kwargs):
        if request.POST.get("correct"):
            return self.correct(request)
        session = self.session
        attendances = session_rows(session)
        on_list = {a.person_id for a in attendances}
        wanted = [pid for pid in dict.fromkeys(_int(v) for v in request.POST.getlist("walk_in"))
                  if pid is not None and pid not in on_list]
        # Walk-ins are active staff (what the search offers); any other id is ignored, and a mark
        # for it is then refused by the service as "not on the list".
        found = {p.pk: p for p in staff_users().filter(pk__in=wanted)}
        walk_ins = [found[pid] for pid in wanted if pid in found]
        walk_in_ids = [p.pk for p in walk_ins]
        lookup = request.POST.get("walk_in_lookup", "").strip()
        errors: list[str] = []
        row_errors: dict[int, list[str]] = {}
        entered: dict[int, dict] = {}
        marks: dict[int, str] = {}
        scores: dict[int, tuple] = {}
        all_present = request.POST.get("action") == "all_present"

        for key, value in request.POST.items():
            if key.startswith("status-"):
                pid = _int(key.removeprefix("status-"))
                if pid is None:
                    continue
                marks[pid] = value
                entered.setdefault(pid, {})["status"] = value
        for person_id in on_list | {p.pk for p in walk_ins}:
            pre_key, post_key = f"pre-{person_id}", f"post-{person_id}"
            if pre_key not in request.POST and post_key not in request.POST:
                continue
            values = []
            for key, label in ((pre_key, _("pre-test")), (post_key, _("post-test"))):
                text = request.POST.get(key, "").strip()
                entered.setdefault(person_id, {})["pre" if key == pre_key else "post"] = text
                number = _int(text) if text else None
                if text and (number is None or not 0 <= number <= 100):
                    row_errors.setdefault(person_id, []).append(
                        _("The %(test)s score is a number from 0 to 100.") % {"test": label})
                values.append(number)
            scores[person_id] = tuple(values)
        if all_present:
            for person_id in on_list | {p.pk for p in walk_ins}:
                entered.setdefault(person_id, {})["status"] = AttendanceStatus.PRESENT
            messages.info(request, _("Everyone is marked present; mark the people who are absent or excused, "
                                     "then save. Nothing is saved yet."))
            return self._again(attendances, walk_ins, entered, row_errors, errors, lookup)

        if lookup:
            try:
                person = find_walk_in(request.user, lookup)
            except ValidationError as error:
                errors += error.messages
            else:
                if person.pk not in on_list and person.pk not in {p.pk for p in walk_ins}:
                    walk_ins.append(person)
                    walk_in_ids.append(person.pk)
                marks.setdefault(person.pk, AttendanceStatus.PRESENT)
                entered.setdefault(person.pk, {}).setdefault("status", marks[person.pk])
                lookup = ""
        if row_errors:
            errors.append(_("Some test scores are not valid; see the marked rows."))
        if errors:
            return self._again(attendances, walk_ins, entered, row_errors, errors, lookup)
        try:
            counts = services.attendance_record(session=session, user=request.user, marks=marks,
                                                walk_ins=walk_in_ids, scores=scores)
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            return self._again(attendances, walk_ins, entered, row_errors, error.messages, lookup)
        messages.success(request, _(
            "Attendance saved: %(present)s present, %(absent)s absent, %(excused)s excused, %(pending)s not recorded."
        ) % counts)
        return HttpResponseRedirect(reverse("training:session_attendance", args=[session.pk]))

    def _again(self, attendances, walk_ins, entered, row_errors, errors, lookup):
        rows = self.build_rows(attendances, entered=entered, walk_ins=walk_ins, errors=row_errors)
        return self.render_to_response(self.get_context_data(rows=rows, errors=errors, walk_in_lookup=lookup))

    def correct(self, request):
        session = self.session
        attendance = get_object_or_404(Attendance, pk=_int(request.POST.get("correct")), session=session)
        status = request.POST.get("status", "")
        reason = request.POST.get("reason", "")
        try:
            services.attendance_correct(attendance=attendance, user=request.user, status=status, reason=reason)
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            context = self.get_context_data(correction_form={
                "attendance": attendance.pk, "status": status, "reason": reason, "errors": error.messages})
            return self.render_to_response(context)
        messages.success(request, _("The attendance of %(name)s was corrected to “%(status)s”; the reason is kept "
                                    "in the record.") % {"name": person_label(attendance.person),
                                                         "status": AttendanceStatus(status).label})
        url = reverse("training:session_attendance", args=[session.pk])
        return HttpResponseRedirect(f"{url}#row-{attendance.person_id}")


@require_GET
def people_search(request, pk: int):
    """Active staff by name, user name or registry number, for the walk-in search (JSON)."""
    if not may_record(request.user):
        return JsonResponse({"error": _("Only the training coordinator records attendance.")}, status=403)
    session = visible_session(request.user, pk)
    text = " ".join(request.GET.get("q", "").split())
    if len(text) < 2:
        return JsonResponse({"results": []})
    condition = Q(registry_no__istartswith=text) | Q(user__username__istartswith=text)
    for variant in search_variants(text):
        condition |= Q(full__icontains=variant)
    found = (StaffProfile.objects.visible_to(request.user).filter(is_active=True, user__is_active=True)
             .annotate(full=Concat("user__first_name", Value(" "), "user__last_name"))
             .filter(condition).select_related("user", "unit")
             .order_by("user__first_name", "user__last_name")[:SEARCH_LIMIT])
    profiles = list(found)
    on_list = set(session.attendances.filter(person_id__in=[p.user_id for p in profiles])
                  .values_list("person_id", flat=True))
    return JsonResponse({"results": [
        {"id": p.user_id, "name": person_label(p.user), "unit": p.unit.name, "title": p.title,
         "registry_no": p.registry_no, "on_list": p.user_id in on_list}
        for p in profiles
    ]})


# --- finalising ----------------------------------------------------------------------------------------


class SessionFinaliseView(_RecorderMixin, _SessionPageMixin, TemplateView):
    """Confirm, then lock the attendance: certificates for the present, effectiveness reviews."""

    template_name = "training/session_finalise.html"
    page_label = gettext_lazy("Finalise")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(self.session.attendances.all())
        counts = status_counts(r.status for r in rows)
        context.update(
            counts=counts, total=len(rows),
            pending=sum(1 for r in rows if r.status == AttendanceStatus.PENDING),
            unconfirmed=sum(1 for r in rows if r.status == AttendanceStatus.PRESENT and not r.confirmed),
            present=sum(1 for r in rows if r.status == AttendanceStatus.PRESENT),
            not_started=self.session.starts_at > timezone.now(),
            planned=self.session.state == SessionState.PLANNED,
        )
        context.setdefault("errors", [])
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.session_finalise(session=self.session, user=request.user)
        except PermissionDenied as error:
            return _forbidden(request, error)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errors=error.messages))
        messages.success(request, _("%(code)s is finalised: its attendance is locked and the certificates are issued.")
                         % {"code": self.session.code})
        return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))


# --- import -------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or Excel file"),
                           widget=forms.ClearableFileInput(attrs={"accept": IMPORT_ACCEPT}))


class AttendanceImportView(_RecorderMixin, _SessionPageMixin, FormView):
    template_name = "training/attendance_import.html"
    form_class = ImportForm
    page_label = gettext_lazy("Import attendance")

    def dispatch(self, request, *args, **kwargs):
        if may_record(request.user) and self.session.state != SessionState.PLANNED:
            messages.error(request, _("Attendance of a finalised session is locked; the training coordinator "
                                      "corrects it with a reason."))
            return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("import_errors", [])
        return context

    def form_valid(self, form):
        try:
            result = import_attendance(session=self.session, upload=form.cleaned_data["file"], user=self.request.user)
        except PermissionDenied as error:
            return _forbidden(self.request, error)
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, import_errors=result.errors))
        messages.success(self.request, ngettext(
            "%(rows)s row imported: %(present)s present, %(absent)s absent, %(excused)s excused, %(pending)s not "
            "recorded.",
            "%(rows)s rows imported: %(present)s present, %(absent)s absent, %(excused)s excused, %(pending)s not "
            "recorded.", result.rows) % {"rows": result.rows, **result.counts})
        return HttpResponseRedirect(reverse("training:session_attendance", args=[self.session.pk]))


# --- QR self check-in -----------------------------------------------------------------------------------


def checkin_url(request, session: Session, code: str) -> str:
    return request.build_absolute_uri(reverse("training:checkin", args=[session.pk, code]))


def _checkin_state(request, session: Session) -> dict:
    now = timezone.now()
    step = settings.QMS_TRAINING_CHECKIN_STEP_SECONDS
    code = services.checkin_code(session, now)
    opens, closes = services.checkin_window(session)
    rows = list(session.attendances.filter(self_checked_in_at__isnull=False)
                .select_related("person__staff_profile__unit").order_by("-self_checked_in_at"))
    listed = session.attendances.count()
    return {
        "code": code,
        "url": checkin_url(request, session, code),
        "qr_url": reverse("training:session_checkin_qr", args=[session.pk]) + f"?v={code}",
        "seconds_left": step - int(now.timestamp()) % step,
        "step_seconds": step,
        "open": opens <= now <= closes and session.state == SessionState.PLANNED,
        "opens": opens,
        "closes": closes,
        "checked_in": rows,
        "checked_in_count": len(rows),
        "unconfirmed_count": sum(1 for r in rows if r.status == AttendanceStatus.PRESENT and not r.confirmed),
        "listed": listed,
    }


class CheckinScreenView(_RecorderMixin, _SessionPageMixin, TemplateView):
    """For the projector or the coordinator's tablet: the rotating QR code and the list filling."""

    template_name = "training/checkin_screen.html"
    page_label = gettext_lazy("Check-in")

    def get(self, request, *args, **kwargs):
        if self.session.state != SessionState.PLANNED:
            messages.error(request, _("Attendance of this session is already closed."))
            return HttpResponseRedirect(reverse("training:session_detail", args=[self.session.pk]))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_checkin_state(self.request, self.session))
        context.update(state_url=reverse("training:session_checkin_state", args=[self.session.pk]),
                       poll_seconds=POLL_SECONDS)
        return context


def _checkin_session(request, pk: int):
    session = visible_session(request.user, pk)
    if not may_record(request.user):
        raise PermissionDenied(_("Only the training coordinator records attendance."))
    return session


@require_GET
def checkin_state(request, pk: int):
    try:
        session = _checkin_session(request, pk)
    except PermissionDenied as error:
        return JsonResponse({"error": str(error)}, status=403)
    state = _checkin_state(request, session)
    html = render_to_string("training/checkin_screen.html#checkin-list", {**state, "session": session},
                            request=request)
    return JsonResponse({
        "code": state["code"], "url": state["url"], "qr_url": state["qr_url"],
        "seconds_left": state["seconds_left"], "open": state["open"], "html": html,
        "checked_in": state["checked_in_count"], "unconfirmed": state["unconfirmed_count"],
        "listed": state["listed"], "state": session.state,
    })


@require_GET
def checkin_qr(request, pk: int):
    """The QR code of the session's current check-in URL, as SVG."""
    try:
        session = _checkin_session(request, pk)
    except PermissionDenied as error:
        return _forbidden(request, error)
    code = services.checkin_code(session)
    svg = qr_svg(checkin_url(request, session, code), title=_("Check-in code of %(code)s") % {"code": session.code})
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def checkin_confirm(request, pk: int):
    """Confirm self check-ins (one person, or all not yet confirmed): recorded present."""
    try:
        session = _checkin_session(request, pk)
    except PermissionDenied as error:
        return _forbidden(request, error)
    # Only check-ins still standing as present: someone the coordinator has since marked absent
    # or excused stays so.
    pending = session.attendances.filter(self_checked_in_at__isnull=False, confirmed=False,
                                         status=AttendanceStatus.PRESENT)
    person = _int(request.POST.get("person"))
    if person is not None:
        pending = pending.filter(person_id=person)
    marks = {pid: AttendanceStatus.PRESENT for pid in pending.values_list("person_id", flat=True)}
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        if marks:
            services.attendance_record(session=session, user=request.user, marks=marks)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        if wants_json:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        for message in error.messages:
            messages.error(request, message)
    else:
        if wants_json:
            return JsonResponse({"confirmed": len(marks)})
        messages.success(request, ngettext("%(count)s check-in confirmed.", "%(count)s check-ins confirmed.",
                                           len(marks)) % {"count": len(marks)})
    return HttpResponseRedirect(reverse("training:session_checkin", args=[session.pk]))


class CheckinView(WagtailAdminTemplateMixin, TemplateView):
    """The participant's phone, after scanning the QR code: checked in, or why not."""

    template_name = "training/checkin_result.html"
    page_title = gettext_lazy("Training check-in")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": str(self.page_title)}]

    def get(self, request, *args, **kwargs):
        session = Session.objects.select_related("course", "trainer").filter(pk=kwargs["session_id"]).first()
        if session is None:
            raise Http404
        try:
            row = services.self_check_in(session=session, user=request.user, code=kwargs["code"])
        except PermissionDenied as error:
            return self.render_to_response(self.get_context_data(ok=False, refusal=[str(error)]))
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(ok=False, refusal=error.messages))
        return self.render_to_response(self.get_context_data(ok=True, session=session, row=row))


# --- URLs and menu --------------------------------------------------------------------------------------

urlpatterns = [
    path("sessions/", SessionListView.as_view(), name="session_list"),
    path("sessions/add/", SessionFormView.as_view(), name="session_add"),
    path("sessions/<int:pk>/", SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", SessionFormView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/cancel/", SessionCancelView.as_view(), name="session_cancel"),
    path("sessions/<int:pk>/invite/", SessionInviteView.as_view(), name="session_invite"),
    path("sessions/<int:pk>/remove/<int:person_id>/", session_uninvite, name="session_uninvite"),
    path("sessions/<int:pk>/sheet.pdf", session_pdf, name="session_pdf"),
    path("sessions/<int:pk>/attendance/", AttendanceView.as_view(), name="session_attendance"),
    path("sessions/<int:pk>/attendance/import/", AttendanceImportView.as_view(), name="session_import"),
    path("sessions/<int:pk>/people/", people_search, name="session_people_search"),
    path("sessions/<int:pk>/finalise/", SessionFinaliseView.as_view(), name="session_finalise"),
    path("sessions/<int:pk>/checkin/", CheckinScreenView.as_view(), name="session_checkin"),
    path("sessions/<int:pk>/checkin/state/", checkin_state, name="session_checkin_state"),
    path("sessions/<int:pk>/checkin/qr.svg", checkin_qr, name="session_checkin_qr"),
    path("sessions/<int:pk>/checkin/confirm/", checkin_confirm, name="session_checkin_confirm"),
    path("checkin/<int:session_id>/<str:code>/", CheckinView.as_view(), name="checkin"),
]


def menu_items():
    return [
        PermissionMenuItem(pgettext_lazy("menu", "Sessions and attendance"), reverse_lazy("training:session_list"),
                           name="training-sessions", icon_name="group", order=200,
                           permissions=(VIEW_PERMISSION, RECORD_PERMISSION)),
    ]
