"""`manage.py backup_studio DEST`: the database and every media object into a new folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from generation.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite copy) and all media into DEST (new or empty)."

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path)

    def handle(self, *args, destination, **options):
        try:
            manifest = backup(destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up the {manifest['database']} database and {manifest['media_files']} media "
            f"files ({manifest['media_bytes']} bytes) into {destination}."
        )
