"""`manage.py rebuild_call_rollups`: rebuild every call rollup (hour, day, month) from the call
table, in one transaction, with the thresholds of the settings (QMS_CALL_SL_SECONDS,
QMS_CALL_SHORT_ABANDON_SECONDS), which the rollups then record. Imports and API batches keep the
rollups current on their own; this is for after the thresholds change, a restore or a manual
correction in the database."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from kpi.callqa import rollups


class Command(BaseCommand):
    help = (
        "Rebuild the call rollup tables from the call records with the thresholds of the settings. "
        "Çağrı özet tablolarını çağrı kayıtlarından ayarlardaki eşiklerle yeniden oluşturur."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            before = rollups.state()
            old = (before.sl_seconds, before.short_abandon_seconds)
            rollups.rebuild_all()
        sl, short = rollups.thresholds()
        self.stdout.write(_("Thresholds used: service level %(sl)s s, short abandon under %(short)s s.")
                          % {"sl": sl, "short": short})
        if old != (sl, short):
            self.stdout.write(_("The rollups had been counted with service level %(sl)s s and short abandon under "
                                "%(short)s s.") % {"sl": old[0], "short": old[1]})
        self.stdout.write(self.style.SUCCESS(
            _("The call rollups were rebuilt in %(seconds).1f s.") % {"seconds": time.monotonic() - started}))
