"""Create a demo account on a fresh development install and say its password once; say where the
studio is on every start; give the demo account a new password when the first one was missed."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from generation.models import Campaign, CampaignMembership

DEMO_USERNAME = "demo"
#: What the README and the start-up line tell a person who missed the password.
RESET_COMMAND = "make demo-password"


def studio_url() -> str:
    """Where `make run` serves the studio (the Procfile's `web` listens on WEB_PORT)."""
    return f"http://127.0.0.1:{settings.WEB_PORT}/"


class Command(BaseCommand):
    help = (
        "In DEBUG only, when no user exists: create a demo staff account and a first campaign. "
        "With --reset-password: give the demo account a new password and print it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Set a new random password on the demo account and print it (DEBUG only).",
        )

    def handle(self, *args, reset_password=False, **options):
        if not settings.DEBUG:
            if reset_password:
                raise CommandError(
                    "Production mode has no demo account to reset; "
                    "use `manage.py changepassword USERNAME`."
                )
            self.stdout.write("Production mode: no demo account is created.")
            return
        if reset_password:
            self._reset_password()
            return
        user_model = get_user_model()
        if user_model.objects.exists():
            hint = ""
            if user_model.objects.filter(username=DEMO_USERNAME).exists():
                hint = f" (lost the {DEMO_USERNAME} password? {RESET_COMMAND})"
            self.stdout.write(f"\n  Campaign Studio: {studio_url()}{hint}\n")
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = user_model.objects.create_user(
                DEMO_USERNAME,
                email="demo@example.com",
                password=password,
                is_staff=True,
                is_superuser=True,
            )
            campaign = Campaign.objects.create(
                name="Spring launch",
                slug="spring-launch",
                description="A first campaign to try the studio with.",
                created_by=user,
            )
            CampaignMembership.objects.create(
                campaign=campaign, user=user, role=CampaignMembership.Role.OWNER
            )
        self._say_password("Demo account created (shown only this once)", password)

    def _reset_password(self) -> None:
        user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            raise CommandError(
                f"There is no {DEMO_USERNAME} account (it is made only while no user exists); "
                "create one with `manage.py createsuperuser`."
            )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        self._say_password("New demo password (shown only this once)", password)

    def _say_password(self, title: str, password: str) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  {title}:\n"
                f"    username: {DEMO_USERNAME}\n    password: {password}\n"
                f"  Sign in at {studio_url()}\n"
            )
        )
