"""The organisation: a tree of units and the staff who work in them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index

PATH_STEP = 8  # digits per level in Unit.path; 10**8 units is beyond any municipality


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Daire Başkanlığı")
    BRANCH = "branch", _("Şube Müdürlüğü")
    CHIEFDOM = "chiefdom", _("Şeflik")
    UNIT = "unit", _("Birim")
    COMPANY = "company", _("Belediye şirketi")
    DISTRICT = "district", _("İlçe belediyesi")


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it, at any depth."""
        return self.filter(path__startswith=unit.path)

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)


class Unit(index.Indexed, models.Model):
    """A node of the organisation tree (department → branch → chiefdom → unit, any depth).

    `path` is a materialised path ("00000001/00000005/") kept by `save()`, so that "this unit
    and everything under it" is one indexed prefix query whatever the depth.
    """

    code = models.CharField(
        _("kod"),
        max_length=20,
        unique=True,
        help_text=_("Kısa birim kodu; doküman kodlarında ve içe aktarmalarda kullanılır (ör. HİM, FEN)."),
    )
    name = models.CharField(_("ad"), max_length=200)
    kind = models.CharField(_("tür"), max_length=20, choices=UnitKind.choices, default=UnitKind.UNIT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("üst birim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    answers_requests = models.BooleanField(
        _("başvuru yanıtlar"),
        default=False,
        help_text=_("Vatandaş başvurularını yanıtlayan sorumlu birimdir (KPI'larda ölçülür)."),
    )
    is_active = models.BooleanField(_("etkin"), default=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    objects = UnitQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("kind")]),
        FieldPanel("name"),
        FieldPanel("parent"),
        FieldRowPanel([FieldPanel("answers_requests"), FieldPanel("is_active")]),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.FilterField("is_active"),
    ]

    class Meta:
        verbose_name = _("birim")
        verbose_name_plural = _("birimler")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.pk:
            if self.parent_id == self.pk or (
                self.parent.path.startswith(self.path) and self.path  # parent inside own subtree
            ):
                raise ValidationError(
                    {"parent": _("Bir birim kendisinin ya da alt birimlerinden birinin altına taşınamaz.")}
                )

    def _computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pk:0{PATH_STEP}d}/"

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        self.clean()
        old_path = self.path
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {}  # the second write is an update of the row just inserted
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

    def ancestors(self) -> UnitQuerySet:
        """Units above this one, root first."""
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        return Unit.objects.filter(pk__in=ids).order_by("path")

    @property
    def indented_name(self) -> str:
        return "— " * (self.depth - 1) + self.name


class StaffProfile(index.Indexed, models.Model):
    """A person who works in the department: their unit, title and employment facts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kullanıcı"),
        on_delete=models.PROTECT,
        related_name="staff_profile",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("birim"), on_delete=models.PROTECT, related_name="staff"
    )
    title = models.CharField(_("unvan"), max_length=120, blank=True)
    registry_no = models.CharField(_("sicil no"), max_length=30, blank=True)
    hire_date = models.DateField(_("işe giriş tarihi"), null=True, blank=True)
    is_active = models.BooleanField(
        _("etkin"), default=True, help_text=_("Ayrılan personel silinmez, pasif yapılır; kayıtları korunur.")
    )

    panels = [
        FieldPanel("user"),
        FieldPanel("unit"),
        FieldRowPanel([FieldPanel("title"), FieldPanel("registry_no")]),
        FieldRowPanel([FieldPanel("hire_date"), FieldPanel("is_active")]),
    ]
    search_fields = [
        index.SearchField("title"),
        index.RelatedFields(
            "user",
            [
                index.SearchField("first_name"),
                index.SearchField("last_name"),
                index.SearchField("username"),
                index.AutocompleteField("first_name"),
                index.AutocompleteField("last_name"),
            ],
        ),
        index.FilterField("is_active"),
        index.FilterField("unit"),
    ]

    class Meta:
        verbose_name = _("personel")
        verbose_name_plural = _("personel")
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
        return self.user.get_full_name() or self.user.get_username()
