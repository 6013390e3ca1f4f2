"""Contact-centre call records, their rollups, and call-recording QA (scorecards, evaluations,
disputes, calibration, coaching).

Calls mirror the telephony system's rows (no caller identity): every write goes through
`kpi.callqa.ingest` (file import, API batch), which keeps the rollups current in the same
transaction; the call KPIs (`kpi.callqa.engine`) read only the rollups.

Evaluations are confidential (KVKK): who may see one is decided by django-guardian object grants
kept by `kpi.callqa.grants` (the agent, the evaluator, the agent's team lead) and by the global
permission `callqa.view_evaluation` (the QA lead, the management representative). Every list,
page, export, PDF and API call asks `kpi.callqa.access`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from kpi.models import ImportRunBase

# ---- call records ---------------------------------------------------------------------------------


class Line(models.Model):
    """A line of the contact centre (ALO 153, WhatsApp, switchboard ...): created on first sight."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self) -> str:
        return self.name


class Queue(models.Model):
    """A queue (skill group) calls wait in: created on first sight."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team of agents and its lead: the lead sees the team's evaluations and coaching tasks."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("team lead"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="led_call_teams")

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """An agent profile: the telephony system's agent code, mapped to a staff profile.

    A profile created by an import (`--create-agents`) has no staff profile until someone links
    it; until then nobody receives its evaluations as "own"."""

    code = models.CharField(_("agent code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    staff = models.OneToOneField("qms.StaffProfile", verbose_name=_("staff profile"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="call_agent")
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="agents")
    shift = models.CharField(_("shift"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        permissions = [("lead_team", _("See the evaluations, reports and coaching of own team"))]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}".strip() if self.display_name != self.code else self.code

    @property
    def display_name(self) -> str:
        if self.staff_id and self.staff.user_id:
            full = self.staff.user.get_full_name()
            if full:
                return full
        return self.name or self.code

    @property
    def user_id(self):
        return self.staff.user_id if self.staff_id else None


class Direction(models.IntegerChoices):
    INBOUND = 1, _("Inbound")
    OUTBOUND = 2, _("Outbound")


class Outcome(models.IntegerChoices):
    ANSWERED = 1, _("Answered")
    ABANDONED = 2, _("Abandoned")


class Call(models.Model):
    """One call as the telephony system reports it. `offered_on` and `offered_hour` are the local
    (Europe/Istanbul) day and hour of `offered_at`, derived at import."""

    call_id = models.CharField(_("call id"), max_length=64, unique=True)
    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Agent, verbose_name=_("agent"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="calls")
    direction = models.PositiveSmallIntegerField(_("direction"), choices=Direction.choices)
    offered_at = models.DateTimeField(_("offered at"))
    wait_seconds = models.PositiveIntegerField(_("wait (s)"))
    outcome = models.PositiveSmallIntegerField(_("outcome"), choices=Outcome.choices)
    talk_seconds = models.PositiveIntegerField(_("talk (s)"), default=0)
    hold_seconds = models.PositiveIntegerField(_("hold (s)"), default=0)
    wrap_seconds = models.PositiveIntegerField(_("wrap-up (s)"), default=0)
    recording_url = models.CharField(_("recording"), max_length=500, blank=True)
    # derived at import
    offered_on = models.DateField(_("day"))
    offered_hour = models.PositiveSmallIntegerField(_("hour"))
    row_hash = models.BigIntegerField(default=0)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["-offered_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["agent", "offered_on"], name="callqa_call_agent_day"),
            models.Index(fields=["offered_on"], name="callqa_call_day"),
        ]
        permissions = [
            ("import_call", _("Import call records")),
            ("view_callkpi", _("See the contact-centre KPIs")),
        ]

    def __str__(self) -> str:
        return self.call_id

    @property
    def handle_seconds(self) -> int:
        return self.talk_seconds + self.hold_seconds + self.wrap_seconds


class CallCounters(models.Model):
    """What every call rollup row counts (inbound calls unless named "outbound"). docs/kpi.md
    gives the KPIs made of them. `answered_in_sl` / `abandoned_in_sl` are counted against the
    service-level threshold in force when the row was written (CallRollupState records it)."""

    offered = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    abandoned = models.IntegerField(default=0)
    short_abandoned = models.IntegerField(default=0)  # abandoned with wait < short-abandon threshold
    answered_in_sl = models.IntegerField(default=0)  # answered with wait <= SL threshold
    abandoned_in_sl = models.IntegerField(default=0)  # abandoned, not short, with wait <= SL threshold
    wait_answered = models.BigIntegerField(default=0)  # seconds, answered calls
    wait_abandoned = models.BigIntegerField(default=0)  # seconds, abandoned calls
    talk = models.BigIntegerField(default=0)  # seconds, answered calls
    hold = models.BigIntegerField(default=0)
    wrap = models.BigIntegerField(default=0)
    outbound = models.IntegerField(default=0)
    outbound_handle = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


CALL_COUNTERS = ("offered", "answered", "abandoned", "short_abandoned", "answered_in_sl", "abandoned_in_sl",
                 "wait_answered", "wait_abandoned", "talk", "hold", "wrap", "outbound", "outbound_handle")

# The rollups' agent column is a plain integer so that "no agent" (0) takes part in the unique
# key (NULLs never conflict): agent_key = Agent.pk, or 0 for calls without an agent.
NO_AGENT = 0


class CallRollupHour(CallCounters):
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    agent_key = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "hour", "line", "queue", "agent_key"],
                                               name="callqa_rollup_hour_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}"


class CallRollupInterval(CallCounters):
    """The hour cube without the agent: what interval (hour-of-day) reports of lines and queues read.
    At millions of calls the agent hour cube holds about a row per call; this one 24 a day per queue."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "hour", "line", "queue"],
                                               name="callqa_rollup_interval_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}"


class CallRollupDay(CallCounters):
    day = models.DateField()
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    agent_key = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "line", "queue", "agent_key"],
                                               name="callqa_rollup_day_key")]

    def __str__(self) -> str:
        return str(self.day)


class CallRollupMonth(CallCounters):
    month = models.DateField()
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    agent_key = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "line", "queue", "agent_key"],
                                               name="callqa_rollup_month_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class CallRollupState(models.Model):
    """The thresholds the rollups were counted with (one row). When the settings change,
    `manage.py rebuild_call_rollups` recounts and updates it; the engine states the definition it
    used and warns while the two differ."""

    sl_seconds = models.PositiveIntegerField()
    short_abandon_seconds = models.PositiveIntegerField()
    rebuilt_at = models.DateTimeField(null=True)
    # Retention (qms.operations.retention) deleted call rows offered before this day: the rollups of
    # those days are the only record left of them, so a rebuild recounts from this day on only.
    purged_before = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SL {self.sl_seconds}s / short {self.short_abandon_seconds}s"


class CallImportRun(ImportRunBase):
    """What one call import or API batch did (kpi.models.ImportRunBase)."""

    class Meta(ImportRunBase.Meta):
        verbose_name = _("call import")
        verbose_name_plural = _("call imports")


# ---- scorecards -----------------------------------------------------------------------------------


class Scorecard(models.Model):
    """A QA form. Versions of one form share `key`; a version that has evaluations is frozen
    (`is_frozen`): editing it makes the next version (`kpi.callqa.scoring.new_version`), and old
    evaluations keep theirs. One version per key is active (used by new samples)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    key = models.SlugField(_("key"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    pass_score = models.DecimalField(_("coaching threshold"), max_digits=5, decimal_places=2, default=Decimal("70"),
                                     validators=[MinValueValidator(0), MaxValueValidator(100)],
                                     help_text=_("A score under this opens a coaching task."))
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="callqa_scorecard_version")]
        permissions = [("manage_callqa", _("Run call QA: scorecards, sampling, disputes, calibration"))]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class ScorecardSection(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=150)

    class Meta:
        ordering = ["scorecard", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class ScoringType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    SCALE = "scale", _("Scale 0..N")


class CriticalScope(models.TextChoices):
    NONE = "", _("Not critical")
    SECTION = "section", _("A fail zeroes the section")
    EVALUATION = "evaluation", _("A fail zeroes the whole evaluation")


class Criterion(models.Model):
    """One question of a scorecard. A yes/no criterion scores 0 or 1 (max 1); a scale one 0..N.
    A critical criterion fails when it is scored 0."""

    section = models.ForeignKey(ScorecardSection, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("criterion"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0.01"))])
    scoring = models.CharField(_("scoring"), max_length=10, choices=ScoringType.choices, default=ScoringType.YES_NO)
    scale_max = models.PositiveSmallIntegerField(_("scale maximum (N)"), default=1,
                                                 validators=[MinValueValidator(1), MaxValueValidator(100)])
    allow_na = models.BooleanField(_("N/A allowed"), default=False)
    critical = models.CharField(_("critical"), max_length=10, choices=CriticalScope.choices, blank=True,
                                default=CriticalScope.NONE)

    class Meta:
        ordering = ["section__order", "section_id", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.text

    @property
    def max_score(self) -> int:
        return 1 if self.scoring == ScoringType.YES_NO else self.scale_max


# ---- sampling, evaluations, disputes --------------------------------------------------------------


class SamplingRun(models.Model):
    """One month's sample: N answered calls per agent, drawn reproducibly from `seed`."""

    month = models.DateField(_("month"))
    seed = models.BigIntegerField(_("seed"))
    per_agent = models.PositiveSmallIntegerField(_("calls per agent"))
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-month", "-created_at"]
        verbose_name = _("sampling run")
        verbose_name_plural = _("sampling runs")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} (seed {self.seed})"


class EvaluationStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Acknowledgement(models.TextChoices):
    PENDING = "pending", _("Awaiting the agent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPUTED = "disputed", _("Disputed")
    EXPIRED = "expired", _("Window closed")


class Evaluation(models.Model):
    """An evaluator's scoring of one call against one scorecard version. Regular evaluations come
    from sampling (or are added by the QA lead) and go to the agent once submitted; calibration
    evaluations (`session` set) never do. The score is computed by the server
    (`kpi.callqa.scoring.score`). After a dispute is re-scored, `original_score` keeps the first."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="evaluations")
    agent = models.ForeignKey(Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="evaluations")
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT,
                                  related_name="evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.PROTECT,
                                  related_name="call_evaluations")
    month = models.DateField(_("month"))  # the first day of the call's month
    sampling = models.ForeignKey(SamplingRun, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="evaluations")
    session = models.ForeignKey("CalibrationSession", verbose_name=_("calibration session"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="evaluations")
    status = models.CharField(_("status"), max_length=10, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.ASSIGNED)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    critical_failed = models.BooleanField(_("critical fail"), default=False)
    original_score = models.DecimalField(_("original score"), max_digits=5, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(_("overall feedback"), blank=True)
    suggestions = models.TextField(_("development suggestions"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    acknowledgement = models.CharField(_("agent response"), max_length=12, choices=Acknowledgement.choices,
                                       default=Acknowledgement.PENDING)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "-submitted_at", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            # one regular evaluation of a call per evaluator, and one per calibration session
            models.UniqueConstraint(fields=["call", "evaluator"], condition=models.Q(session__isnull=True),
                                    name="callqa_evaluation_once"),
            models.UniqueConstraint(fields=["session", "evaluator"], condition=models.Q(session__isnull=False),
                                    name="callqa_calibration_once"),
        ]
        indexes = [models.Index(fields=["evaluator", "status"], name="callqa_eval_queue"),
                   models.Index(fields=["agent", "month"], name="callqa_eval_agent_month")]
        permissions = [
            ("evaluate_call", _("Score the calls assigned to them")),
            ("receive_evaluation", _("See and answer own call evaluations")),
        ]

    def __str__(self) -> str:
        return f"{self.call.call_id} / {self.agent.code}"

    @property
    def is_calibration(self) -> bool:
        return self.session_id is not None


class EvaluationUserObjectPermission(UserObjectPermissionBase):
    """Object grants on evaluations (django-guardian, direct foreign key), kept by kpi.callqa.grants."""

    content_object = models.ForeignKey(Evaluation, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("evaluation grant")
        verbose_name_plural = _("evaluation grants")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.permission_id}:{self.content_object_id}"


class CriterionScore(models.Model):
    """The score of one criterion in one evaluation: `value` (0..max) or N/A. The originals are
    kept when a dispute is re-scored."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    na = models.BooleanField(_("N/A"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    original_value = models.PositiveSmallIntegerField(_("original score"), null=True, blank=True)
    original_na = models.BooleanField(_("originally N/A"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "criterion__section__order", "criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "criterion"], name="callqa_score_once")]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")

    def __str__(self) -> str:
        return "N/A" if self.na else str(self.value)


class Dispute(models.Model):
    """An agent's objection to a submitted evaluation, decided by the QA lead: upheld (the score
    stands) or re-scored (new scores beside the originals)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld: the score stands")
        RESCORED = "rescored", _("Re-scored")

    evaluation = models.OneToOneField(Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE,
                                      related_name="dispute")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
                                  related_name="+")
    raised_at = models.DateTimeField(_("raised at"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return f"{self.evaluation} ({self.get_status_display()})"


# ---- calibration ----------------------------------------------------------------------------------


class CalibrationSession(models.Model):
    """Several evaluators score the same call; their evaluations (Evaluation.session) are compared
    with the lead's and with each other (`kpi.callqa.calibration`)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=150)
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="+")
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("QA lead"), on_delete=models.PROTECT,
                             related_name="+")
    held_on = models.DateField(_("date"))
    tolerance = models.DecimalField(_("tolerance (points)"), max_digits=5, decimal_places=2, default=Decimal("5"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d.%m.%Y})"


# ---- coaching -------------------------------------------------------------------------------------


class CoachingTask(models.Model):
    """Opened when an evaluation scores under the scorecard's threshold or fails a critical
    criterion; owned by the agent's team lead (else the QA lead). Repeated ones can raise a DÖF."""

    class Reason(models.TextChoices):
        LOW_SCORE = "low_score", _("Score under the threshold")
        CRITICAL_FAIL = "critical_fail", _("Critical criterion failed")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    agent = models.ForeignKey(Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="coaching")
    evaluation = models.OneToOneField(Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE,
                                      related_name="coaching")
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    nonconformity = models.ForeignKey("audits.Nonconformity", verbose_name=_("DÖF"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["status", "due_on", "-pk"]
        verbose_name = _("coaching task")
        verbose_name_plural = _("coaching tasks")

    def __str__(self) -> str:
        return f"{self.agent.code}: {self.get_reason_display()}"
