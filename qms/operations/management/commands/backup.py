"""`manage.py backup [DIR]`: one dated archive of the database and the media (qms.operations.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qms.operations.backup import BackupError, create_backup, prune_backups, verify_archive


class Command(BaseCommand):
    help = (
        "Write a dated archive of the database and the media files with a manifest of checksums. "
        "Veritabanını ve dosyaları sağlama toplamlı, tarihli bir arşive yedekler."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=None,
                            help="Folder for the archive (default: BACKUP_DIR).")
        parser.add_argument("--keep", type=int, default=None,
                            help="Keep only the newest N archives in the folder (default: BACKUP_KEEP; 0 keeps all).")
        parser.add_argument("--verify", action="store_true",
                            help="Read the finished archive back and check it against its manifest.")

    def handle(self, *args, directory=None, keep=None, verify=False, **options):
        target = Path(directory) if directory else Path(settings.QMS_BACKUP_DIR)
        try:
            result = create_backup(target)
            if verify:
                verify_archive(result.path)
            removed = prune_backups(target, settings.QMS_BACKUP_KEEP if keep is None else keep)
        except (BackupError, OSError) as exc:
            raise CommandError(f"Yedek alınamadı / backup failed: {exc}") from exc
        manifest = result.manifest
        self.stdout.write(str(result.path))
        self.stdout.write(
            f"size {result.size / 1_048_576:.1f} MB, {len(manifest.tables)} tables, "
            f"{manifest.approved_record_count} approved records, {len(manifest.members) - 1} media files, "
            f"{result.seconds:.1f} s" + (", verified" if verify else "")
        )
        for path in removed:
            self.stdout.write(f"removed old backup {path.name}")
