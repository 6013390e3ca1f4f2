"""Management review: meetings, their agenda items with the frozen input pack, decisions and
actions; the risk-and-opportunity and stakeholder registers.

The review's life is declared once (`TRANSITIONS`) and every path goes through
`qms.review.services`:

    preparation --submit--> submitted --approve--> approved --(correction approved)--> superseded
                  <--return--

On submission the input pack is compiled and stored on each agenda item (`AgendaItem.pack`): the
chair approves exactly what was stored, and approval also stores the minutes (attendees, decisions,
actions) in `Review.minutes`. An approved review is never edited: `save()` refuses, and a correction
is a new version (`corrects`) that supersedes it when approved.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class ReviewState(models.TextChoices):
    PREPARATION = "preparation", _("In preparation")
    SUBMITTED = "submitted", _("Awaiting the chair's approval")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded by a correction")


# (from, to) -> the name of the service that makes it; docs and the services read this table.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ReviewState.PREPARATION, ReviewState.SUBMITTED): "submit",
    (ReviewState.SUBMITTED, ReviewState.PREPARATION): "return_to_preparation",
    (ReviewState.SUBMITTED, ReviewState.APPROVED): "approve",
    (ReviewState.APPROVED, ReviewState.SUPERSEDED): "approve",  # when its correction is approved
}


class AgendaItemKind(models.TextChoices):
    """The standard inputs of ISO 9001 9.3.2, ISO 10002 9.6 and ISO 18295-1, in agenda order."""

    PREVIOUS_ACTIONS = "previous_actions", _("Status of actions from previous reviews")
    CONTEXT = "context", _("Changes in internal and external issues")
    SATISFACTION = "satisfaction", _("Citizen satisfaction and feedback")
    REQUEST_KPIS = "request_kpis", _("Citizen-request KPIs against targets")
    CONTACT_CENTRE = "contact_centre", _("Contact-centre KPIs and call-QA results")
    NONCONFORMITIES = "nonconformities", _("Nonconformities and corrective actions")
    AUDITS = "audits", _("Internal and external audit results")
    TRAINING = "training", _("Training plan realisation and competence")
    RESOURCES = "resources", _("Adequacy of resources")
    RISKS = "risks", _("Effectiveness of actions on risks and opportunities")
    STAKEHOLDERS = "stakeholders", _("Stakeholder analysis")
    DATA_ANALYSIS = "data_analysis", _("Yearly data analysis")
    IMPROVEMENT = "improvement", _("Opportunities for improvement")


AGENDA_ORDER = [kind.value for kind in AgendaItemKind]


class ReviewQuerySet(models.QuerySet):
    def current(self):
        """Every review but the versions a correction replaced."""
        return self.exclude(state=ReviewState.SUPERSEDED)

    def approved(self):
        return self.filter(state=ReviewState.APPROVED)


class Review(models.Model):
    code = models.CharField(_("number"), max_length=20, editable=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction",
        verbose_name=_("corrects"), editable=False,
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    title = models.CharField(_("meeting title"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    period_start = models.DateField(_("period under review from"))
    period_end = models.DateField(_("period under review to"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.PREPARATION, editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
    )
    # Set on approval: attendees, decisions and actions exactly as approved (the PDF reads only this
    # and the items' packs, so later changes to people or actions never alter approved minutes).
    minutes = models.JSONField(null=True, blank=True, editable=False)
    pack_compiled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-planned_date", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="review_code_version_unique"),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")), name="review_period_ordered",
            ),
        ]
        permissions = [("approve_review", "Can approve management review minutes (chair)")]

    def __str__(self) -> str:
        return f"{self.label} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk and not getattr(self, "_state_change", False):
            stored = Review.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored in (ReviewState.APPROVED, ReviewState.SUPERSEDED, ReviewState.SUBMITTED):
                raise ValidationError(refusal_not_editable(stored))
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return self.code if self.version == 1 else f"{self.code} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.state in (ReviewState.APPROVED, ReviewState.SUPERSEDED)

    @property
    def is_editable(self) -> bool:
        return self.state == ReviewState.PREPARATION

    def clean(self):
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("The period under review must end after it starts.")})


def refusal_not_editable(state: str):
    if state == ReviewState.SUBMITTED:
        return _("This review is awaiting the chair's approval; return it to preparation to change it.")
    return _("Approved minutes cannot be changed; start a correction (a new version) instead.")


class ReviewPart(models.Model):
    """A row that belongs to a review and may change only while the review is in preparation."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not getattr(self, "_frozen_write", False):
            state = self._review_state()
            if state and state != ReviewState.PREPARATION:
                raise ValidationError(refusal_not_editable(state))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        state = self._review_state()
        if state and state != ReviewState.PREPARATION:
            raise ValidationError(refusal_not_editable(state))
        return super().delete(*args, **kwargs)

    def _review_state(self) -> str | None:
        if not self.review_id:
            return None
        return Review.objects.filter(pk=self.review_id).values_list("state", flat=True).first()


class Attendee(ReviewPart):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=150, blank=True, help_text=_("For a guest without an account."))
    position = models.CharField(_("title / role"), max_length=150, blank=True)
    invited = models.BooleanField(_("invited"), default=True)
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user__isnull=True, name=""), name="review_attendee_user_or_name",
            ),
            models.UniqueConstraint(fields=["review", "user"], name="review_attendee_once"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return self.name


class AgendaItem(ReviewPart):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("agenda item"), max_length=30, choices=AgendaItemKind.choices)
    narrative = models.TextField(_("narrative"), blank=True)
    # The compiled section as shown to the chair (qms.review.pack); None while in preparation.
    pack = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [models.UniqueConstraint(fields=["review", "kind"], name="review_item_once")]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def position(self) -> int:
        return AGENDA_ORDER.index(self.kind) + 1


class Decision(ReviewPart):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("decision"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def of_approved_reviews(self):
        return self.filter(review__state=ReviewState.APPROVED)

    def overdue(self, today):
        return self.open().of_approved_reviews().filter(due__lt=today)


class Action(models.Model):
    """An action item of a review. Its text, owner and due date are part of the minutes: fixed once
    the review is submitted. Its status is followed afterwards (open -> done / cancelled) until done,
    and an open one is listed under "actions from previous reviews" at the next review."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="actions")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions",
        verbose_name=_("agenda item"),
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions",
        verbose_name=_("decision"),
    )
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="review_actions",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(_("closed on"), null=True, blank=True)  # done or cancelled
    status_note = models.TextField(_("status note"), blank=True)
    nonconformity = models.ForeignKey(
        "audits.Nonconformity", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("DÖF"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    FROZEN_FIELDS = ("text", "owner_id", "due", "review_id", "item_id", "decision_id")

    class Meta:
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        if not getattr(self, "_frozen_write", False):
            state = Review.objects.filter(pk=self.review_id).values_list("state", flat=True).first()
            if state and state != ReviewState.PREPARATION:
                if self.pk is None:
                    raise ValidationError(refusal_not_editable(state))
                stored = Action.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS).first() or {}
                if any(stored.get(f) != getattr(self, f) for f in self.FROZEN_FIELDS):
                    raise ValidationError(refusal_not_editable(state))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        state = Review.objects.filter(pk=self.review_id).values_list("state", flat=True).first()
        if state and state != ReviewState.PREPARATION:
            raise ValidationError(refusal_not_editable(state))
        return super().delete(*args, **kwargs)

    @property
    def code(self) -> str:
        return f"{self.review.code}/A{self.pk}"


# --- Registers --------------------------------------------------------------------------------

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class RiskKind(models.TextChoices):
    RISK = "risk", _("Risk")
    OPPORTUNITY = "opportunity", _("Opportunity")


class RegisterStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


def risk_level(score: int) -> str:
    """The 5x5 matrix's bands: 1-4 low, 5-9 medium, 10-16 high, 20-25 very high."""
    if score >= 20:
        return "very_high"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


RISK_LEVEL_LABELS = {
    "low": _("Low"),
    "medium": _("Medium"),
    "high": _("High"),
    "very_high": _("Very high"),
}


class Risk(models.Model):
    code = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=RiskKind.choices, default=RiskKind.RISK)
    description = models.TextField(_("description"))
    process = models.CharField(_("process"), max_length=200)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1-5)"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("impact (1-5)"), validators=SCALE)
    score = models.PositiveSmallIntegerField(_("score"), editable=False)
    treatment = models.TextField(_("treatment actions"), blank=True)
    effectiveness = models.TextField(_("effectiveness of the actions"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"),
    )
    review_date = models.DateField(_("next review date"))
    status = models.CharField(
        _("status"), max_length=20, choices=RegisterStatus.choices, default=RegisterStatus.ACTIVE,
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("risk or opportunity")
        verbose_name_plural = _("risks and opportunities")
        ordering = ["-score", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5",
            ),
            models.CheckConstraint(condition=models.Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"

    def save(self, *args, **kwargs):
        self.score = (self.likelihood or 0) * (self.impact or 0)
        with transaction.atomic():
            if not self.code:
                self.code = _next_code(Risk, "R" if self.kind == RiskKind.RISK else "F")
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        refuse_register_delete(self)

    @property
    def level(self) -> str:
        return risk_level(self.score or 0)

    @property
    def level_label(self):
        return RISK_LEVEL_LABELS[self.level]


class Influence(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class StakeholderKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class Stakeholder(models.Model):
    code = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("stakeholder"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=StakeholderKind.choices)
    needs = models.TextField(_("needs and expectations"))
    influence = models.CharField(_("influence"), max_length=10, choices=Influence.choices)
    monitoring = models.TextField(_("how monitored"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("followed by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RegisterStatus.choices, default=RegisterStatus.ACTIVE,
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if not self.code:
                self.code = _next_code(Stakeholder, "P")
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        refuse_register_delete(self)


def refuse_register_delete(instance) -> None:
    """Register rows are closed, never deleted: the next review compares with them by number, and a
    deleted number would be given again to a new row."""
    raise ValidationError(
        _("%(row)s cannot be deleted; close it instead (set its status to Closed).") % {"row": instance.code}
    )


def _next_code(model, prefix: str) -> str:
    """R-001, F-001, P-001: the next free number with this prefix (callers hold a transaction)."""
    last = (
        model.objects.select_for_update()
        .filter(code__startswith=f"{prefix}-")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}-{number:03d}"
