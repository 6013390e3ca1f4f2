"""The organisation: a tree of units and the staff who work in them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

PATH_STEP = 8  # digits per level in Unit.path; 10**8 units is beyond any municipality


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    BRANCH = "branch", _("Branch office")
    CHIEFDOM = "chiefdom", _("Chiefdom")
    UNIT = "unit", _("Unit")
    COMPANY = "company", _("Municipal company")
    DISTRICT = "district", _("District municipality")


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it, at any depth."""
        return self.filter(path__startswith=unit.path)



class Unit(models.Model):
    """A node of the organisation tree (department → branch → chiefdom → unit, any depth).

    `path` is a materialised path ("00000001/00000005/") kept by `save()`, so that "this unit
    and everything under it" is one indexed prefix query whatever the depth.
    """

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short unit code, used in document codes and imports (e.g. HİM, FEN)."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.UNIT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    answers_requests = models.BooleanField(
        _("answers requests"),
        default=False,
        help_text=_("This unit answers citizen requests (it is measured in the KPIs)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    objects = UnitQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("kind")]),
        FieldPanel("name"),
        FieldPanel("parent"),
        FieldRowPanel([FieldPanel("answers_requests"), FieldPanel("is_active")]),
    ]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        self.clean()
        # Paths are read from the database, not from this instance or its cached parent: either
        # may be stale after another save moved a subtree, and writing a stale path back would
        # cut the unit (and its scope) off its tree.
        old_path = self._stored_path(self.pk)
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {"using": kwargs["using"]} if "using" in kwargs else {}  # next: update the new row
        elif kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "path", "depth"}
        new_path = self._computed_path()
        self.path = new_path
        self.depth = new_path.count("/")
        super().save(*args, **kwargs)
        if old_path and old_path != new_path:
            # Moved: rewrite every descendant's path prefix in one statement.
            Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1)),
                depth=models.F("depth") - old_path.count("/") + new_path.count("/"),
            )

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.pk:
            own_path = self._stored_path(self.pk)
            parent_path = self._stored_path(self.parent_id)
            if self.parent_id == self.pk or (own_path and parent_path.startswith(own_path)):
                raise ValidationError(
                    {"parent": _("A unit cannot be moved under itself or one of its own sub-units.")}
                )

    @staticmethod
    def _stored_path(pk) -> str:
        if pk is None:
            return ""
        return Unit.objects.filter(pk=pk).values_list("path", flat=True).first() or ""

    def _computed_path(self) -> str:
        prefix = self._stored_path(self.parent_id) if self.parent_id else ""
        return f"{prefix}{self.pk:0{PATH_STEP}d}/"

    def ancestors(self) -> UnitQuerySet:
        """Units above this one, root first."""
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        return Unit.objects.filter(pk__in=ids).order_by("path")

    @property
    def indented_name(self) -> str:
        return "— " * (self.depth - 1) + self.name

    indented_name.fget.short_description = _("Unit")


class StaffProfileQuerySet(models.QuerySet):
    def visible_to(self, user) -> StaffProfileQuerySet:
        """The profiles in `user`'s unit scope (`qms.roles.unit_scope`): lists, PDFs and the API."""
        from qms.roles import unit_scope

        scope = unit_scope(user)
        return self if scope is None else self.filter(unit__in=scope)


class StaffProfile(models.Model):
    """A person who works in the department: their unit, title and employment facts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="staff_profile",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    registry_no = models.CharField(_("registry number"), max_length=30, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Staff who leave are made inactive, not deleted, so their records are kept."),
    )

    objects = StaffProfileQuerySet.as_manager()

    panels = [
        FieldPanel("user"),
        FieldPanel("unit"),
        FieldRowPanel([FieldPanel("title"), FieldPanel("registry_no")]),
        FieldRowPanel([FieldPanel("hire_date"), FieldPanel("is_active")]),
    ]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_no"],
                condition=~models.Q(registry_no=""),
                name="qms_staff_unique_registry_no",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """The person's full name (user name when no name is recorded)."""
        return self.user.get_full_name() or self.user.get_username()

    full_name.fget.short_description = _("Name")
