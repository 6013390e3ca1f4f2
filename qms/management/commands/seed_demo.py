"""Load the demo data: the İzmir organisation, one user per role, the portal pages.

Each module adds its own demo data in `<app>/seed.py` with a `run(*, stdout)` function; this
command runs them in the order of settings.QMS_SEED_MODULES, each in its own transaction.
Idempotent: running it twice leaves the same data.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load (or refresh) the demo data of every module. Demo verilerini yükler; tekrar çalıştırılabilir."

    def handle(self, *args, **options):
        for module_name in settings.QMS_SEED_MODULES:
            try:
                module = import_module(f"{module_name}.seed")
            except ModuleNotFoundError as exc:
                if exc.name != f"{module_name}.seed":
                    raise
                continue
            with transaction.atomic():
                module.run(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo verileri hazır / demo data ready."))
