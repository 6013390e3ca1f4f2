"""`manage.py rebuild_kpi_rollups`: rebuild every KPI rollup table from the request table, in one
transaction (the KPI pages keep showing the old figures until it commits). Imports and API batches
keep the rollups current on their own; this is for after a restore, a manual correction in the
database or a change in how a figure is counted."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from kpi import rollups


class Command(BaseCommand):
    help = (
        "Rebuild the KPI rollup tables from the citizen requests. "
        "KPI özet tablolarını başvurulardan yeniden oluşturur."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            rollups.rebuild_all()
        self.stdout.write(self.style.SUCCESS(
            _("The KPI rollups were rebuilt in %(seconds).1f s.") % {"seconds": time.monotonic() - started}))
