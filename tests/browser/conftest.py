"""Real Chromium for the browser tests, launched once per test through Playwright."""

import os
from pathlib import Path

import pytest

from tests.conftest import chromium_path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Debian's Chromium as root, on a machine with no network but loopback.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if not executable:
        pytest.fail("Browser tests need Chromium: install it or set CHROMIUM_PATH.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, the ORM in the test body uses context-local connections
        # that pytest-django's teardown can't see: close them here, or PostgreSQL keeps a session.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def carol(spring_launch):
    """An approver of spring_launch."""
    from generation.models import CampaignMembership
    from tests.personas import make_user

    user = make_user("carol", first_name="Carol", last_name="Reyes")
    CampaignMembership.objects.create(
        campaign=spring_launch, user=user, role=CampaignMembership.Role.APPROVER
    )
    return user
