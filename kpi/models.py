"""Citizen requests as the HİM case system reports them, the rollups the KPIs read, and targets.

The portal does not record requests; it mirrors the fields needed to measure them (no citizen
identity). Every write goes through `kpi.ingest` (file import, API batch), which validates the
rows, derives the due date and the answer figures, and rebuilds the rollups of the days it
touched in the same transaction. The KPI engine (`kpi.engine`) reads only the rollups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.IntegerChoices):
    REQUEST = 1, _("Request")
    COMPLAINT = 2, _("Complaint")
    SUGGESTION = 3, _("Suggestion")
    INFORMATION = 4, _("Information request (4982)")
    THANKS = 5, _("Thanks")


class Status(models.IntegerChoices):
    OPEN = 1, _("Open")
    ANSWERED = 2, _("Answered")
    RETURNED = 3, _("Returned to the unit")
    SCHEDULED = 4, _("Scheduled (Programa Alındı)")
    CLOSED = 5, _("Closed")
    NOT_PROCESSED = 6, _("Not processed")


class Deadline(models.IntegerChoices):
    DAYS_3 = 3, _("3 days (outside the unit's responsibility)")
    DAYS_7 = 7, _("7 days (quick action)")
    DAYS_30 = 30, _("30 days (needs investigation)")
    LAW_4982 = 4982, _("Law 4982: 15 working days")
    LAW_3071 = 3071, _("Law 3071: 30 days")


class FieldCheck(models.IntegerChoices):
    OK = 1, _("Solved on site")
    NOT_OK = 2, _("Not solved on site")


# Answer-time histogram kept in every rollup row (for the median): bucket i holds answer times
# in [EDGES[i], EDGES[i+1]) hours; the last bucket is open-ended. docs/kpi.md shows the formula.
ANSWER_HOUR_EDGES = (0, 1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 480, 720, 1080, 1440)
HISTOGRAM_FIELDS = tuple(f"h{i:02d}" for i in range(len(ANSWER_HOUR_EDGES)))


class Channel(models.Model):
    """Where a request came in (ALO 153, WhatsApp, CİMER, ...): created when an import first sees it."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """The subject of a request (road repair, bus timetable, ...): created on first sight."""

    name = models.CharField(_("name"), max_length=150, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Request(models.Model):
    """One citizen request (başvuru) as last reported by the case system.

    The fields under "derived" are computed by `kpi.ingest` from the others (due date by
    `kpi.deadlines`), so lists and rollups never recompute them.
    """

    request_no = models.CharField(_("request number"), max_length=40, unique=True)
    type = models.PositiveSmallIntegerField(_("type"), choices=RequestType.choices)
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, db_index=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, db_index=False)
    unit = models.ForeignKey("qms.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                             db_index=False, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    deadline = models.PositiveSmallIntegerField(_("deadline"), choices=Deadline.choices)
    extended = models.BooleanField(_("extension notified"), default=False)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices)
    first_answer_at = models.DateTimeField(_("first answer at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due time set by the case system"), null=True, blank=True)
    scheduled_until = models.DateField(_("scheduled until"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("returns to the unit"), default=0)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    field_check = models.PositiveSmallIntegerField(_("field check"), choices=FieldCheck.choices, null=True,
                                                   blank=True)
    # derived
    created_on = models.DateField(_("created on"))  # local (Europe/Istanbul) date of created_at
    due_on = models.DateField(_("due date"), null=True)  # None for not_processed
    on_time = models.BooleanField(_("answered on time"), null=True)  # None: unanswered or not_processed
    answer_seconds = models.PositiveIntegerField(_("answer time (seconds)"), null=True)
    # The answer-time histogram bucket (ANSWER_HOUR_EDGES) of an answered request; None when
    # unanswered or not processed. "Answered" in every KPI means this is set.
    answer_bucket = models.PositiveSmallIntegerField(null=True, editable=False)
    row_hash = models.BigIntegerField(editable=False)  # of the row's values: unchanged rows are not rewritten
    imported_at = models.DateTimeField(_("last imported at"))

    class Meta:
        verbose_name = _("citizen request")
        verbose_name_plural = _("citizen requests")
        indexes = [
            models.Index(fields=["created_on"], name="kpi_request_created_on"),
            models.Index(fields=["unit", "created_on"], name="kpi_request_unit_created"),
        ]
        permissions = [
            ("import_request", "Import citizen requests"),
            ("view_kpi", "See the request KPIs"),
        ]

    def __str__(self) -> str:
        return self.request_no


class RollupCounters(models.Model):
    """What every rollup row counts, for the requests created on its day (or in its month).
    (Signed fields: an import's upsert adds negative changes, and SQLite checks a row's CHECK
    constraints before it sees the conflict.)"""

    created = models.IntegerField(default=0)
    not_processed = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)  # first answer given (not_processed excluded)
    on_time = models.IntegerField(default=0)
    answer_seconds = models.BigIntegerField(default=0)  # sum over the answered
    returned = models.IntegerField(default=0)  # answered with return_count > 0
    sat_count = models.IntegerField(default=0)
    sat_sum = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)  # scores 4-5
    fc_count = models.IntegerField(default=0)
    fc_fail = models.IntegerField(default=0)
    locals().update({name: models.IntegerField(default=0) for name in HISTOGRAM_FIELDS})

    class Meta:
        abstract = True


class RollupDayUnit(RollupCounters):
    """Per local creation day, unit, channel and type: day and week figures, the dashboard's month view.
    (Categories are kept per month only: a day x category cube would be as large as the requests.)"""

    day = models.DateField()
    unit = models.ForeignKey("qms.Unit", on_delete=models.CASCADE, db_constraint=False, db_index=False,
                             related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    type = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "unit", "channel", "type"], name="kpi_rollupdayunit_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id}/{self.channel_id}/{self.type}"


class RollupMonth(RollupCounters):
    """Per month (its first day), unit, channel, type and category: every grouping by month or longer."""

    month = models.DateField()
    unit = models.ForeignKey("qms.Unit", on_delete=models.CASCADE, db_constraint=False, db_index=False,
                             related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    type = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, db_constraint=False, db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "unit", "channel", "type", "category"],
                                               name="kpi_rollupmonth_key")]

    def __str__(self) -> str:
        return f"{self.month} {self.unit_id}/{self.channel_id}/{self.type}"


class RollupMonthUnit(RollupCounters):
    """Per month, unit, channel and type (no category): the dashboard's year view."""

    month = models.DateField()
    unit = models.ForeignKey("qms.Unit", on_delete=models.CASCADE, db_constraint=False, db_index=False,
                             related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    type = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "unit", "channel", "type"],
                                               name="kpi_rollupmonthunit_key")]

    def __str__(self) -> str:
        return f"{self.month} {self.unit_id}/{self.channel_id}/{self.type}"


class OpenKind(models.IntegerChoices):
    UNANSWERED = 1, _("Unanswered, by due date")
    SCHEDULED = 2, _("Scheduled and not closed, by target date")


class RollupOpen(models.Model):
    """Requests still waiting, by the date they fall due: whether that date has passed depends on
    the report date, so these are counted per date and compared with it when a report is made."""

    day = models.DateField()  # local creation day
    unit = models.ForeignKey("qms.Unit", on_delete=models.CASCADE, db_constraint=False, db_index=False,
                             related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    type = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    kind = models.PositiveSmallIntegerField(choices=OpenKind.choices)
    falls_due = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "unit", "channel", "type", "category", "kind", "falls_due"], name="kpi_rollupopen_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.falls_due}: {self.count}"


class Kpi(models.TextChoices):
    CREATED = "created", _("Created")
    ANSWERED = "answered", _("Answered")
    DUE_OR_ANSWERED = "due_or_answered", _("Due or answered")
    ON_TIME = "on_time", _("Answered on time")
    ON_TIME_RATE = "on_time_rate", _("On-time rate")
    MEAN_ANSWER_HOURS = "mean_answer_hours", _("Mean answer time (hours)")
    MEDIAN_ANSWER_HOURS = "median_answer_hours", _("Median answer time (hours)")
    OVERDUE_OPEN = "overdue_open", _("Overdue and unanswered")
    SCHEDULED_OVERDUE = "scheduled_overdue", _("Scheduled and overdue")
    RETURNED_RATE = "returned_rate", _("Returned rate")
    SATISFACTION_AVG = "satisfaction_avg", _("Satisfaction (average 1-5)")
    SATISFIED_RATE = "satisfied_rate", _("Satisfied rate (4-5)")
    FIELD_CHECK_FAIL_RATE = "field_check_fail_rate", _("Field-check failure rate")


class KpiTarget(models.Model):
    """A KPI's target: green at or better than `green`, red worse than `red`, amber between.

    Rates are in percent, times in hours, satisfaction on the 1-5 scale, counts as counts. A row
    without a unit is the department default; a unit's own row overrides it for that unit.
    """

    kpi = models.CharField(_("indicator"), max_length=40, choices=Kpi.choices)
    unit = models.ForeignKey("qms.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
                             help_text=_("Empty: the department default."), related_name="+")
    green = models.FloatField(_("green at"), help_text=_("At or better than this value the figure is green."))
    red = models.FloatField(_("red beyond"), help_text=_("Worse than this value the figure is red."))

    class Meta:
        ordering = ["kpi", "unit__code"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "unit"], name="kpi_target_unique_per_unit"),
            models.UniqueConstraint(fields=["kpi"], condition=models.Q(unit__isnull=True),
                                    name="kpi_target_unique_default"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kpi_display()} ({self.unit or _('department')})"


class ImportRunBase(models.Model):
    """What one import or API batch did: who, when, from what, and the counts (never the rows).
    Each pipeline keeps its own list (requests here, calls in kpi.callqa)."""

    class Source(models.TextChoices):
        FILE = "file", _("File")
        COMMAND = "command", _("Command")
        API = "api", _("API")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.PositiveIntegerField(_("refused rows"), default=0)

    class Meta:
        abstract = True
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.started_at:%d.%m.%Y %H:%M}"


class ImportRun(ImportRunBase):
    class Meta(ImportRunBase.Meta):
        verbose_name = _("request import")
        verbose_name_plural = _("request imports")
