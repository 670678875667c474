"""Helpers for browser tests: a page already signed in as someone (through a session made with
Django's test client, not the sign-in form), at a given width, that fails the test on any
script error; and a campaign's worth of images made directly (no worker, no Firefly)."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.test import Client

from tests.views.factories import make_custom_model, make_generation, make_image

WIDTHS = {"desktop": 1440, "phone": 390}


@contextlib.contextmanager
def signed_in_page(browser, live_server, user, *, width: int, fake_clock: bool = False):
    """Yields a page of a fresh browser context with `user`'s session cookie. With
    `fake_clock`, Playwright's clock replaces the page's timers (time still flows, and
    `page.clock.fast_forward` jumps ahead), so intervals can be skipped instead of waited."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": width, "height": 900}, base_url=live_server.url
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    if fake_clock:
        page.clock.install()
    try:
        yield page
    finally:
        context.close()
    assert problems == [], f"the browser reported errors: {problems}"


def make_images(campaign, user, count: int = 2):
    generation = make_generation(
        campaign, user, custom_model=make_custom_model(), num_variations=count
    )
    return [make_image(generation, index) for index in range(count)]
