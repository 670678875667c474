"""Create a demo account on a fresh development install, and say its password once."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from generation.models import Campaign, CampaignMembership

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "In DEBUG only, when no user exists: create a demo staff account and a first campaign."

    def handle(self, *args, **options):
        user_model = get_user_model()
        if not settings.DEBUG:
            self.stdout.write("Production mode: no demo account is created.")
            return
        if user_model.objects.exists():
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
        self.stdout.write(
            self.style.SUCCESS(
                "\n  Demo account created (shown only this once):\n"
                f"    username: {DEMO_USERNAME}\n    password: {password}\n"
                "  Sign in at http://127.0.0.1:8000/\n"
            )
        )
