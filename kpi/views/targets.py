"""KPI targets in the admin (Göstergeler → Gösterge hedefleri): Wagtail's ModelViewSet over
`KpiTarget`, registered in `kpi.wagtail_hooks`.

A target without a unit is the department's default; a unit's own target overrides it for that
unit (the engine rates with the unit's target, else the default). Only the rated KPIs take a
target. The form refuses a red threshold on the better side of green (for the KPI's direction:
the on-time rate, satisfaction and the satisfied rate are better higher, the rest lower), rates
outside 0-100 (they are entered in percent) and scores outside 1-5.

Adding, changing and deleting need `kpi.add/change/delete_kpitarget` (the "kpi.targets"
capability); those who only see the KPIs (`kpi.view_kpitarget`) see the list. Wagtail's views
write every change to the audit log.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from kpi import charts
from kpi.engine import HIGHER_IS_BETTER, RATED, RATES
from kpi.menu import MENU_HOOK
from kpi.models import Kpi, KpiTarget

SCORE_RANGE = (1, 5)


class KpiTargetForm(WagtailAdminModelForm):
    class Meta:
        model = KpiTarget
        fields = ["kpi", "unit", "green", "red"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from qms.models import Unit

        self.fields["kpi"].choices = [("", "---------")] + [(k.value, k.label) for k in RATED]
        self.fields["kpi"].help_text = _("Rates in percent (90 for %90), answer times in hours, satisfaction on the "
                                         "1-5 scale, counts as counts.")
        unit = self.fields["unit"]
        unit.queryset = Unit.objects.filter(is_active=True).order_by("path")
        unit.label_from_instance = lambda u: f"{u.name} ({u.code})"
        unit.empty_label = _("Department default (every unit without its own target)")
        for name in ("green", "red"):
            # Typed the Turkish way (92,5) as well as 92.5.
            self.fields[name].localize = True
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "decimal"})
            self.fields[name].widget.is_localized = True

    def clean(self):
        cleaned = super().clean()
        kpi, green, red = cleaned.get("kpi"), cleaned.get("green"), cleaned.get("red")
        if not kpi or green is None or red is None:
            return cleaned
        errors = {}
        if kpi in RATES:
            for name, value in (("green", green), ("red", red)):
                if not 0 <= value <= 100:
                    errors[name] = _("A rate is entered in percent, from 0 to 100.")
        elif kpi == Kpi.SATISFACTION_AVG:
            for name, value in (("green", green), ("red", red)):
                if not SCORE_RANGE[0] <= value <= SCORE_RANGE[1]:
                    errors[name] = _("The satisfaction score runs from 1 to 5.")
        else:
            for name, value in (("green", green), ("red", red)):
                if value < 0:
                    errors[name] = _("The value cannot be negative.")
        if kpi in HIGHER_IS_BETTER and red > green:
            errors.setdefault("red", _("For %(kpi)s higher is better: red starts below the green value, so it "
                                       "cannot be above %(green)s.")
                              % {"kpi": Kpi(kpi).label, "green": charts.format_target_value(kpi, green)})
        if kpi not in HIGHER_IS_BETTER and red < green:
            errors.setdefault("red", _("For %(kpi)s lower is better: red starts above the green value, so it "
                                       "cannot be below %(green)s.")
                              % {"kpi": Kpi(kpi).label, "green": charts.format_target_value(kpi, green)})
        if errors:
            raise ValidationError(errors)
        return cleaned


class UnitColumn(Column):
    def get_value(self, instance):
        return f"{instance.unit.name} ({instance.unit.code})" if instance.unit_id else _("Department default")


class ThresholdColumn(Column):
    def get_value(self, instance):
        value = getattr(instance, self.name)
        return charts.format_target_value(instance.kpi, value)


class DirectionColumn(Column):
    def get_value(self, instance):
        return _("higher is better") if instance.kpi in HIGHER_IS_BETTER else _("lower is better")


class KpiTargetIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit")


class KpiTargetViewSet(ModelViewSet):
    model = KpiTarget
    index_view_class = KpiTargetIndexView
    icon = "crosshairs"
    menu_label = gettext_lazy("KPI targets")
    menu_name = "kpi-targets"
    menu_order = 600
    menu_hook = MENU_HOOK
    add_to_admin_menu = True
    url_prefix = "kpi/targets"
    name = "kpi_targets"
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        Column("kpi", label=gettext_lazy("Indicator"), accessor="get_kpi_display"),
        UnitColumn("unit", label=gettext_lazy("Unit")),
        ThresholdColumn("green", label=gettext_lazy("Green at")),
        ThresholdColumn("red", label=gettext_lazy("Red beyond")),
        DirectionColumn("direction", label=gettext_lazy("Direction")),
    ]
    list_filter = ["kpi", "unit"]
    edit_handler = ObjectList([
        FieldPanel("kpi"),
        FieldPanel("unit"),
        FieldRowPanel([FieldPanel("green"), FieldPanel("red")]),
    ], base_form_class=KpiTargetForm)

