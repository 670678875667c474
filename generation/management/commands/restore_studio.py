"""`manage.py restore_studio SRC`: a backup into a fresh database and fresh media storage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from generation.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup_studio folder into this studio's database and media storage; both "
        "must be empty (a freshly created database, a new folder or bucket). Do not migrate first."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)

    def handle(self, *args, source, **options):
        try:
            result = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the {result['database']} database and {result['restored_media_files']} "
            f"media files from {source} (made {result['created_at']}). Run `manage.py migrate` "
            "if this version of the studio is newer than the backup."
        )
