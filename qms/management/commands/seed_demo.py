"""Load the demo data: the İzmir organisation, one user per role, the portal pages.

Each module adds its own demo data in `<app>/seed.py` with a `run(*, stdout)` function; this
command runs them in the order of settings.QMS_SEED_MODULES, each in its own transaction.
Idempotent: running it twice leaves the same data.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load (or refresh) the demo data of every module. Demo verilerini yükler; tekrar çalıştırılabilir."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off (it creates users with a known password).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.QMS_ALLOW_DEMO_DATA and not force:
            raise CommandError(
                "Demo verileri yalnızca DEBUG=1 iken yüklenir: bilinen parolalı kullanıcılar oluşturur. "
                "(Demo data loads only with DEBUG=1: it creates users with a known password; "
                "use --force on a throw-away database.)"
            )
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
