"""``python manage.py firefly_emulator``: run the local Firefly emulator (see docs/emulator.md).

The only Django-aware piece of the emulator; ``python -m generation.emulator`` takes the same
options without Django.
"""

from django.core.management.base import BaseCommand, CommandError

from generation.emulator import cli


class Command(BaseCommand):
    help = (
        "Serve a local stand-in for Adobe Firefly (IMS token endpoint + Firefly image API) "
        "on one origin, until Ctrl-C or SIGTERM."
    )
    requires_system_checks = []  # it serves HTTP only; the project's checks are not its concern

    def add_arguments(self, parser):
        cli.add_arguments(parser)

    def handle(self, *args, **options):
        try:
            config = cli.config_from_options(options)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        cli.serve(config, announce=self.stdout.write)
