"""Shared fixtures: media in a temporary folder, personas, a real Celery worker, the emulator,
and Chromium driven by Playwright."""

import os
import shutil

import pytest

from tests.personas import *  # noqa: F403  (persona fixtures: alice, bob, staff_user, …)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache (tokens, rate-limit state)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")
