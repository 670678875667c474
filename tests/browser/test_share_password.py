"""A password-protected share link, opened by a stranger in a fresh Chromium: typing the right
password shows the images (Django's CSRF check accepts the form), and no request the pages make
carries the link's token in its Referer header."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from generation.collab import sharing
from generation.models import ShareLink
from tests.browser.support import WIDTHS, browser_tabs, make_images

pytestmark = [pytest.mark.browser]

THUMBS_LOADED = "[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)"


@pytest.fixture
def protected_link(spring_launch, alice):
    make_images(spring_launch, alice, 2)
    return sharing.share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=timezone.now() + dt.timedelta(days=3),
        scope=ShareLink.Scope.ALL,
        password="tulips in april",
    )


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_stranger_unlocks_a_password_link_and_no_request_leaks_the_token(
    browser, live_server, protected_link, width, wait_for
):
    with browser_tabs(browser, live_server, page_errors=False, console_errors=False) as open_tab:
        page = open_tab(width)
        requests = []
        page.on("requestfinished", lambda request: requests.append(request))
        token = protected_link.token
        page.goto(f"/s/{token}/")
        assert page.get_by_role("heading", name="This link is protected").is_visible()

        page.get_by_label("Password").fill("tulips in may")
        with page.expect_navigation():
            page.get_by_role("button", name="Open").click()
        assert page.get_by_role("alert").inner_text() == "That password isn't right."

        page.get_by_label("Password").fill("tulips in april")
        with page.expect_navigation():
            page.get_by_role("button", name="Open").click()

        assert page.locator(".share-tile").count() == 2
        wait_for(lambda: page.evaluate(THUMBS_LOADED))
        assert "CSRF" not in page.content()

        # The form, the redirect, the stylesheets, scripts and thumbnails: none of them names
        # the token in its Referer (at most the site's origin).
        assert any(r.method == "POST" for r in requests)
        assert any("/images/" in r.url for r in requests)
        referers = [r.all_headers().get("referer", "") for r in requests]
        assert not [ref for ref in referers if token in ref]
        assert all(re.fullmatch(re.escape(live_server.url) + "/?", ref) for ref in referers if ref)
