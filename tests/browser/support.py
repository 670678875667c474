"""Helpers for browser tests: Chromium tabs on the live server at a given width, signed in as
someone (through a session made with Django's test client, or through the real sign-in form),
that fail the test on any script error; and a campaign's worth of images made directly (no
worker, no Firefly)."""

from __future__ import annotations

import contextlib
import re

from django.conf import settings
from django.test import Client

from tests.factories import make_custom_model, make_generation, make_image
from tests.personas import PASSWORD

WIDTHS = {"desktop": 1440, "phone": 390}


def sign_in(page, username, *, at="/accounts/login/", button="Sign in", lands_on=re.compile(r"/$")):
    """Signs `username` in through the real form at `at` (the admin's: `/admin/login/`,
    "Log in", landing on `/admin/`)."""
    page.goto(at)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(lands_on)


def add_session_of(context, user, live_server) -> None:
    """Gives `context` a session cookie for `user`, made with Django's test client."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@contextlib.contextmanager
def browser_tabs(
    browser,
    live_server,
    *,
    page_errors: bool = True,
    console_errors: bool = True,
    ignore_console: str | None = None,
    **context_options,
):
    """Yields `open_tab(width, ...)`, which opens a tab in a fresh browser context on the live
    server; every context is closed at the end. Script errors (`page_errors`) and console
    errors (`console_errors`, except those containing `ignore_console`) in any tab fail the
    test once the block ends. `context_options` go to `browser.new_context` for every tab.

    `open_tab` takes: `height` of the viewport; `session_of` a user, to start signed in as them
    (a session cookie, not the form); `sign_in_as` a username, to sign in through the real form;
    `fake_clock`, so Playwright's clock replaces the page's timers (time still flows, and
    `page.clock.fast_forward` jumps ahead) and intervals can be skipped instead of waited."""
    contexts, problems = [], []

    def console_problem(message):
        if message.type != "error":
            return
        if ignore_console is not None and ignore_console in message.text:
            return
        problems.append(message.text)

    def open_tab(width, *, height=900, session_of=None, sign_in_as=None, fake_clock=False):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.url,
            **context_options,
        )
        contexts.append(context)
        if session_of is not None:
            add_session_of(context, session_of, live_server)
        page = context.new_page()
        page.set_default_timeout(20_000)
        if page_errors:
            page.on("pageerror", lambda error: problems.append(str(error)))
        if console_errors:
            page.on("console", console_problem)
        if fake_clock:
            page.clock.install()
        if sign_in_as is not None:
            sign_in(page, sign_in_as)
        return page

    try:
        yield open_tab
    finally:
        for context in contexts:
            context.close()
    assert problems == [], f"the browser reported errors: {problems}"


@contextlib.contextmanager
def signed_in_page(browser, live_server, user, *, width: int, fake_clock: bool = False, **options):
    """A single tab of `browser_tabs` with `user`'s session cookie; `options` as there."""
    with browser_tabs(browser, live_server, **options) as open_tab:
        yield open_tab(width, session_of=user, fake_clock=fake_clock)


def make_images(campaign, user, count: int = 2):
    generation = make_generation(
        campaign, user, custom_model=make_custom_model(), num_variations=count
    )
    return [make_image(generation, index) for index in range(count)]
