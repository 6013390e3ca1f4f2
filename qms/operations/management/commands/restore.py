"""`manage.py restore ARCHIVE`: verify an archive, restore it and check the result (qms.operations.backup)."""

from django.core.management.base import BaseCommand, CommandError

from qms.operations.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into the configured database and media folders, then verify it. "
        "Bir yedeği yapılandırılmış veritabanına ve dosya klasörlerine geri yükler ve doğrular."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The qms-backup-*.tar.gz file.")
        parser.add_argument("--force", action="store_true",
                            help="Replace a database and media folders that are not empty.")
        parser.add_argument("--migrate", action="store_true",
                            help="Accept a backup of an older portal version and migrate it after restoring.")

    def handle(self, *args, archive, force=False, migrate=False, **options):
        try:
            result = restore_backup(archive, force=force, migrate=migrate, progress=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise CommandError(f"Geri yükleme reddedildi / restore refused: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"verified: {result.tables} tables, {result.approved_records} approved records"
            + (" (migrated)" if result.migrated else "")
        ))
