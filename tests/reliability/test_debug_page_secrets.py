"""The debug page (the default DJANGO_DEBUG=1) never shows a connection URL's password: not in
the settings, not in request.META (the development server copies the environment there), not in
a traceback frame's variables."""

from __future__ import annotations

import sys

from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from fireflyweb.reporting import mask_url_passwords

PASSWORD = "hunter2-s3cret"
DATABASE = f"postgres://studio:{PASSWORD}@db.internal:5432/studio"
BROKER = f"redis://:{PASSWORD}@redis.internal:6379/0"
CACHE = f"rediss://default:{PASSWORD}@cache.internal:6380/1"


def _debug_page(settings) -> str:
    settings.DEBUG = True
    settings.DATABASE_URL = DATABASE
    settings.CELERY_BROKER_URL = BROKER
    settings.CACHE_URL = CACHE
    settings.OTHER_CACHES = {"default": {"LOCATION": CACHE}}
    settings.SOME_ENDPOINT = f"see {DATABASE}"  # a URL inside a setting that isn't named so
    request = RequestFactory().get("/campaigns/x/?before=²", DATABASE_URL=DATABASE)
    connection = BROKER  # noqa: F841 (a frame variable the page lists)
    try:
        raise ValueError("boom")
    except ValueError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


def test_the_debug_page_shows_no_connection_password(settings):
    html = _debug_page(settings)
    assert "boom" in html  # it is the debug page
    assert "DATABASE_URL" in html  # the settings are listed, their values hidden
    assert PASSWORD not in html


def test_passwords_inside_urls_are_masked_and_the_rest_kept():
    assert mask_url_passwords(DATABASE) == "postgres://studio:********@db.internal:5432/studio"
    assert mask_url_passwords("redis://localhost:6379/0") == "redis://localhost:6379/0"
    assert mask_url_passwords("https://example.com/a:b@c") == "https://example.com/a:b@c"
