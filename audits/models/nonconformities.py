"""Nonconformities and corrective actions (Düzeltici ve Önleyici Faaliyet, DÖF).

The state machine is declared once, here (`TRANSITIONS`), and enforced by `Nonconformity.save()`:
whatever changes a DÖF's state (a service, the admin, the API, a script setting `state` and
saving) goes from the stored state along an allowed transition whose guard passes, or is refused
with a ValidationError that says why. Who may take each step is `audits.rules`'; the services
(`audits.services`) check both and log every change to the audit trail.

    open ─▶ cause analysed ─▶ actions planned ─▶ actions done ─▶ verified effective ─▶ closed
     │            ▲                                   │                  │               │
     ▼            └──────── found ineffective ◀───────┴──────────────────┴───────────────┘
  rejected (triage: not a nonconformity)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

WHY_FIELDS = ("why_1", "why_2", "why_3", "why_4", "why_5")


class Source(models.TextChoices):
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")
    EXTERNAL_AUDIT = "external_audit", _("External audit")
    CITIZEN_COMPLAINT = "citizen_complaint", _("Citizen complaint")
    CALL_QA = "call_qa", _("Call QA")
    KPI_BREACH = "kpi_breach", _("KPI breach")
    MANAGEMENT_REVIEW = "management_review", _("Management review")
    FIELD_CHECK = "field_check", _("Field check")
    STAFF_SUGGESTION = "staff_suggestion", _("Staff suggestion")


class NCState(models.TextChoices):
    OPEN = "open", pgettext_lazy("DÖF state", "Open")
    CAUSE_ANALYSED = "cause_analysed", _("Cause analysed")
    ACTIONS_PLANNED = "actions_planned", _("Actions planned")
    ACTIONS_DONE = "actions_done", _("Actions done")
    VERIFIED = "verified_effective", _("Verified effective")
    CLOSED = "closed", pgettext_lazy("DÖF state", "Closed")
    REJECTED = "rejected", pgettext_lazy("DÖF state", "Rejected")


OPEN_STATES = (NCState.OPEN, NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE, NCState.VERIFIED)


class Severity(models.TextChoices):
    MAJOR = "major", pgettext_lazy("severity", "Major")
    MINOR = "minor", pgettext_lazy("severity", "Minor")


class CauseCategory(models.TextChoices):
    METHOD = "method", _("Method / procedure")
    PEOPLE = "people", _("People / competence")
    EQUIPMENT = "equipment", _("Equipment / software")
    MATERIAL = "material", _("Material / information")
    MEASUREMENT = "measurement", _("Measurement / monitoring")
    ENVIRONMENT = "environment", _("Environment / workload")


class NonconformitySequence(models.Model):
    """The last DÖF number given in a year; numbers are never reused."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class KeptQuerySet(models.QuerySet):
    """Quality records are never deleted: a bulk `.delete()` (a script, a shell) is refused like
    the instance's `delete()`."""

    kept_message = _("A DÖF is never deleted; the management representative rejects it instead.")

    def delete(self):
        raise ValidationError(self.kept_message)


class NonconformityQuerySet(KeptQuerySet):

    def open(self) -> NonconformityQuerySet:
        return self.filter(state__in=OPEN_STATES)


class Nonconformity(models.Model):
    code = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    # The record that gave rise to it (a finding, a KPI breach, a call evaluation, a review action):
    # any model, through `audits.services.raise_nonconformity(origin=...)`.
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", editable=False)
    origin_id = models.CharField(max_length=64, blank=True, editable=False)
    origin = GenericForeignKey("origin_type", "origin_id")
    origin_label = models.CharField(_("originating record"), max_length=255, blank=True, editable=False)
    origin_url = models.CharField(max_length=500, blank=True, editable=False)
    finding = models.OneToOneField("audits.Finding", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="nonconformity", editable=False)
    title = models.CharField(pgettext_lazy("record", "title"), max_length=200)
    description = models.TextField(
        _("description"), help_text=_("What happened, where, and what requirement it does not meet.")
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    unit = models.ForeignKey("qms.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                             related_name="nonconformities")
    clause = models.ForeignKey("qms.Clause", verbose_name=_("clause"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="nonconformities")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
                                  related_name="nonconformities_raised")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=NCState.choices, default=NCState.OPEN)
    immediate_correction = models.TextField(
        _("immediate correction"), blank=True,
        help_text=_("What was done at once to contain the problem (düzeltme), before its cause is removed."),
    )
    correction_date = models.DateField(_("corrected on"), null=True, blank=True)
    why_1 = models.TextField(_("why? (1)"), blank=True)
    why_2 = models.TextField(_("why? (2)"), blank=True)
    why_3 = models.TextField(_("why? (3)"), blank=True)
    why_4 = models.TextField(_("why? (4)"), blank=True)
    why_5 = models.TextField(_("why? (5)"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    cause_category = models.CharField(_("cause category"), max_length=20, choices=CauseCategory.choices, blank=True)
    cause_analysed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    cause_analysed_at = models.DateTimeField(null=True, blank=True)
    effectiveness_due = models.DateField(
        _("effectiveness check on or after"), null=True, blank=True,
        help_text=_("The day from which an auditor or the management representative may judge whether the "
                    "actions worked."),
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1, editable=False,
                                             help_text=_("1, then one more each time it is reopened."))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NonconformityQuerySet.as_manager()

    class Meta:
        verbose_name = _("nonconformity (DÖF)")
        verbose_name_plural = _("nonconformities (DÖF)")
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "unit"], name="audits_nc_state_unit"),
            # The lists' order: newest first, read from the index so a page needs no full sort.
            models.Index(fields=["raised_at", "id"], name="audits_nc_raised"),
            models.Index(fields=["origin_type", "origin_id"], name="audits_nc_origin"),
        ]
        permissions = [
            ("triage_nonconformity", _("Triage nonconformities (accept, assign, reject)")),
            ("verify_nonconformity", _("Verify the effectiveness of corrective actions")),
            ("close_nonconformity", _("Close nonconformities")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    # --- reading -------------------------------------------------------------------------------

    def save(self, *args, **kwargs) -> None:
        stored = None
        if self.pk is not None:
            stored = Nonconformity.objects.filter(pk=self.pk).values_list("state", flat=True).first()
        if stored is None and self.state != NCState.OPEN:
            raise ValidationError(_("A new DÖF starts open."), code="transition")
        if stored is not None and stored != self.state:
            self.check_transition(stored, self.state)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A DÖF is never deleted; the management representative rejects it instead."))

    @property
    def is_rejected(self) -> bool:
        return self.state == NCState.REJECTED

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_reopened(self) -> bool:
        return self.cycle > 1

    @property
    def whys(self) -> list[str]:
        return [getattr(self, name) for name in WHY_FIELDS if (getattr(self, name) or "").strip()]

    def current_actions(self):
        return self.actions.filter(cycle=self.cycle)

    def latest_check(self) -> EffectivenessCheck | None:
        return self.checks.order_by("-checked_at", "-pk").first()

    # --- the state machine ----------------------------------------------------------------------

    def root_cause_problems(self) -> list[str]:
        problems = []
        values = [(getattr(self, name) or "").strip() for name in WHY_FIELDS]
        if not values[0]:
            problems.append(_("Answer at least the first “why?”."))
        last_filled = max((i for i, v in enumerate(values) if v), default=-1)
        if any(not v for v in values[: last_filled + 1]):
            problems.append(_("Answer the “why?” questions in order, without leaving one out."))
        if not (self.root_cause or "").strip():
            problems.append(_("State the root cause."))
        return problems

    def allowed_targets(self) -> list[str]:
        return [to for (frm, to) in TRANSITIONS if frm == self.state]

    def check_transition(self, from_state: str, to_state: str) -> None:
        """Raise ValidationError unless the table allows `from_state -> to_state` and its guard passes."""
        transition = TRANSITIONS.get((from_state, to_state))
        if transition is None:
            raise ValidationError(
                _("A DÖF cannot go from “%(from)s” to “%(to)s”.")
                % {"from": NCState(from_state).label, "to": NCState(to_state).label},
                code="transition",
            )
        problems = transition.guard(self)
        if problems:
            raise ValidationError([str(p) for p in problems], code="guard")


# --- transition guards (data rules; who may act is audits.rules') -------------------------------


def _triaged(nc: Nonconformity) -> list:
    return [] if nc.triaged_at else [_("The management representative has not triaged this DÖF yet.")]


def _guard_cause(nc: Nonconformity) -> list:
    return _triaged(nc) + nc.root_cause_problems()


def _guard_plan(nc: Nonconformity) -> list:
    problems = []
    actions = list(nc.current_actions().exclude(state=ActionState.CANCELLED))
    if not any(a.state == ActionState.PLANNED for a in actions):
        problems.append(_("Plan at least one corrective action."))
    if nc.effectiveness_due is None:
        problems.append(_("Set the date from which the effectiveness is to be checked."))
    elif actions and nc.effectiveness_due < max(a.due_date for a in actions):
        problems.append(_("The effectiveness check cannot come before the last action is due."))
    return problems


def _guard_done(nc: Nonconformity) -> list:
    actions = list(nc.current_actions())
    if any(a.state == ActionState.PLANNED for a in actions):
        return [_("Some corrective actions are not done yet.")]
    if not any(a.state == ActionState.DONE for a in actions):
        return [_("At least one corrective action must be done.")]
    return []


def _guard_effective(nc: Nonconformity) -> list:
    check = nc.checks.filter(cycle=nc.cycle).order_by("-checked_at", "-pk").first()
    if check is None or not check.effective:
        return [_("An effectiveness check must find the actions effective.")]
    return []


def _guard_reopen(nc: Nonconformity) -> list:
    check = nc.checks.filter(cycle=nc.cycle).order_by("-checked_at", "-pk").first()
    if check is None or check.effective:
        return [_("Only an effectiveness check that finds the actions ineffective reopens a DÖF.")]
    return []


def _guard_close(nc: Nonconformity) -> list:
    problems = []
    if nc.root_cause_problems():
        problems.append(_("It has no root cause analysis."))
    if nc.actions.filter(state=ActionState.PLANNED).exists():
        problems.append(_("Some corrective actions are not done yet."))
    if not nc.actions.filter(state=ActionState.DONE).exists():
        problems.append(_("No corrective action was done."))
    problems += _guard_effective(nc)
    return [_("It cannot be closed: %(reasons)s") % {"reasons": " ".join(str(p) for p in problems)}] if problems else []


def _guard_reject(nc: Nonconformity) -> list:
    return [] if (nc.rejection_reason or "").strip() else [_("Give the reason for rejecting it.")]


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    guard: Callable[[Nonconformity], list]


_REOPEN = Transition("reopen", pgettext_lazy("DÖF step", "Reopen"), _guard_reopen)

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (NCState.OPEN, NCState.CAUSE_ANALYSED): Transition("analyse", _("Record the root cause"), _guard_cause),
    (NCState.OPEN, NCState.REJECTED): Transition("reject", pgettext_lazy("DÖF step", "Reject"), _guard_reject),
    (NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED): Transition("plan", _("Confirm the action plan"), _guard_plan),
    (NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE): Transition("done", _("Actions done"), _guard_done),
    (NCState.ACTIONS_DONE, NCState.VERIFIED): Transition("verify", _("Verified effective"), _guard_effective),
    (NCState.VERIFIED, NCState.CLOSED): Transition("close", pgettext_lazy("DÖF step", "Close"), _guard_close),
    # Found ineffective: the cause is looked at again and new actions are planned (a new cycle).
    (NCState.ACTIONS_DONE, NCState.CAUSE_ANALYSED): _REOPEN,
    (NCState.VERIFIED, NCState.CAUSE_ANALYSED): _REOPEN,
    (NCState.CLOSED, NCState.CAUSE_ANALYSED): _REOPEN,
}


class ActionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("action state", "Planned")
    DONE = "done", pgettext_lazy("action state", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action state", "Cancelled")


class CorrectiveActionQuerySet(KeptQuerySet):
    kept_message = _("Corrective actions are kept; cancel one with a reason instead.")


class EffectivenessCheckQuerySet(KeptQuerySet):
    kept_message = _("An effectiveness check is kept as recorded.")


class CorrectiveAction(models.Model):
    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="actions")
    cycle = models.PositiveSmallIntegerField(default=1, editable=False)
    description = models.TextField(_("action"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="corrective_actions")
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=20, choices=ActionState.choices, default=ActionState.PLANNED)
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("What shows the action was done."))
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["nonconformity", "cycle", "due_date", "pk"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="audits_action_state_due"),
            # A DÖF's own actions by state and due date (the lists' next due date, the export's
            # counts): without it SQLite walks every planned action of every DÖF per row.
            models.Index(fields=["nonconformity", "state", "due_date"], name="audits_action_nc_state_due"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    # What a done or cancelled action keeps as recorded.
    FINAL_FIELDS = ("nonconformity_id", "cycle", "description", "owner_id", "due_date", "evidence",
                    "completed_by_id", "completed_at", "cancel_reason")

    def save(self, *args, **kwargs) -> None:
        if self.pk is None:
            self.cycle = self.nonconformity.cycle
        self.clean()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Corrective actions are kept; cancel one with a reason instead."))

    @property
    def is_overdue(self) -> bool:
        return self.state == ActionState.PLANNED and self.due_date < timezone.localdate()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        nc = self.nonconformity
        if self.due_date and nc.raised_at and self.due_date < timezone.localtime(nc.raised_at).date():
            errors.setdefault("due_date", []).append(
                _("An action cannot be due before the DÖF was opened (%(date)s).")
                % {"date": timezone.localtime(nc.raised_at).strftime("%d.%m.%Y")}
            )
        if self.owner_id and not self.owner.is_active:
            errors.setdefault("owner", []).append(_("The owner's account is inactive."))
        if self.state == ActionState.DONE:
            if not (self.evidence or "").strip():
                errors.setdefault("evidence", []).append(_("Describe the evidence that the action was done."))
            if not self.completed_by_id or not self.completed_at:
                errors.setdefault("__all__", []).append(_("A done action records who did it and when."))
        if self.state == ActionState.CANCELLED and not (self.cancel_reason or "").strip():
            errors.setdefault("cancel_reason", []).append(_("Give the reason for cancelling the action."))
        stored = None
        if self.pk:
            stored = CorrectiveAction.objects.filter(pk=self.pk).values("state", "cycle").first()
        if stored is None:
            if nc.state not in (NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED):
                errors.setdefault("__all__", []).append(
                    _("Actions are planned after the root cause is recorded and before they are all done; "
                      "this DÖF is “%(state)s”.") % {"state": nc.get_state_display()}
                )
        elif stored["state"] != ActionState.PLANNED and stored["state"] != self.state:
            errors.setdefault("state", []).append(_("A done or cancelled action is final."))
        elif stored["state"] != ActionState.PLANNED:
            before = CorrectiveAction.objects.get(pk=self.pk)
            if any(getattr(before, f) != getattr(self, f) for f in self.FINAL_FIELDS):
                errors.setdefault("__all__", []).append(_("A done or cancelled action is final."))
        if (self.state == ActionState.PLANNED and self.due_date and nc.state == NCState.ACTIONS_PLANNED
                and nc.effectiveness_due and self.due_date > nc.effectiveness_due):
            # The plan was confirmed with an effectiveness date after its last action (_guard_plan):
            # an action added or moved later may not fall after it.
            errors.setdefault("due_date", []).append(
                _("The effectiveness check cannot come before the last action is due.")
            )
        if errors:
            raise ValidationError(errors)


class EffectivenessCheck(models.Model):
    """An auditor's or the management representative's judgement of whether the actions worked.
    Ineffective reopens the DÖF (a new cycle); effective lets it be closed."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="checks")
    cycle = models.PositiveSmallIntegerField(editable=False)
    effective = models.BooleanField(_("effective"))
    note = models.TextField(_("what was checked"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"),
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    objects = EffectivenessCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")
        ordering = ["nonconformity", "checked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.nonconformity.code} {self.checked_at:%d.%m.%Y}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("An effectiveness check is kept as recorded."))
        self.cycle = self.nonconformity.cycle
        self.clean()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An effectiveness check is kept as recorded."))

    def clean(self) -> None:
        super().clean()
        nc = self.nonconformity
        errors = []
        if not (self.note or "").strip():
            errors.append(_("Describe what was checked."))
        if self.effective and nc.state != NCState.ACTIONS_DONE:
            errors.append(_("Effectiveness is verified once every action is done."))
        if not self.effective and nc.state not in (NCState.ACTIONS_DONE, NCState.VERIFIED, NCState.CLOSED):
            errors.append(_("A DÖF is found ineffective only after its actions are done."))
        if nc.effectiveness_due and timezone.localtime(self.checked_at).date() < nc.effectiveness_due:
            errors.append(
                _("The effectiveness may be checked on or after %(date)s.")
                % {"date": nc.effectiveness_due.strftime("%d.%m.%Y")}
            )
        if self.checked_by_id:
            doers = set(
                nc.actions.filter(state=ActionState.DONE).values_list("owner_id", flat=True)
            ) | set(nc.actions.exclude(completed_by=None).values_list("completed_by_id", flat=True))
            if self.checked_by_id in doers:
                errors.append(_("Whoever did the corrective actions may not verify their effectiveness."))
            if not self.checked_by.has_perm("audits.verify_nonconformity"):
                errors.append(_("Only an internal auditor or the management representative verifies effectiveness."))
        if errors:
            raise ValidationError(errors)


class NonconformityUserObjectPermission(UserObjectPermissionBase):
    """Object grants (django-guardian, direct foreign key): a unit's managers answer its DÖFs,
    raisers and action owners see them (`audits.grants`)."""

    content_object = models.ForeignKey(Nonconformity, on_delete=models.CASCADE)


class NonconformityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Nonconformity, on_delete=models.CASCADE)
