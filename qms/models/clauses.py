"""The clause catalogue: the clause structure of the standards the department is certified to.

Numbers and short titles only (no text of the standards), in Turkish and English, loaded by a
migration (qms/migrations/0004_clause_catalogue.py). Audits, findings, checklist questions,
nonconformities and controlled documents point at clauses, so an external auditor can ask
"what do you have for ISO 10002 8.3?" and get one answer (audits' clause-coverage report).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _english() -> bool:
    return (get_language() or "tr").startswith("en")


class Standard(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True, help_text=_("e.g. ISO 10002"))
    year = models.PositiveSmallIntegerField(_("edition year"))
    title_tr = models.CharField(_("title (Turkish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}:{self.year}"

    @property
    def title(self) -> str:
        return self.title_en if _english() else self.title_tr


class ClauseQuerySet(models.QuerySet):

    def with_standard(self) -> ClauseQuerySet:
        return self.select_related("standard")


class ClauseManager(models.Manager.from_queryset(ClauseQuerySet)):

    def get_queryset(self):
        # A clause's name includes its standard's code: always fetch them together (choosers,
        # lists and forms then never run one query per clause).
        return super().get_queryset().select_related("standard")


def sort_key_of(number: str) -> str:
    """'7.1.5' -> '0007.0001.0005', 'A.2' -> 'A.0002': sorts 10 after 9 in SQL on any database."""
    return ".".join(part.zfill(4) if part.isdigit() else part for part in number.split("."))


class Clause(models.Model):
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.PROTECT,
                                 related_name="clauses")
    number = models.CharField(_("clause number"), max_length=20)
    title_tr = models.CharField(_("title (Turkish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    parent = models.ForeignKey("self", verbose_name=_("parent clause"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    sort_key = models.CharField(max_length=80, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    objects = ClauseManager()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["standard__code", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="qms_clause_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = sort_key_of(self.number)
        self.depth = self.number.count(".") + 1
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return self.title_en if _english() else self.title_tr

    @property
    def reference(self) -> str:
        """'ISO 10002 8.3', the short form tables and PDFs print."""
        return f"{self.standard.code} {self.number}"
