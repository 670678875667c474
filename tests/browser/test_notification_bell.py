"""The header bell in real Chromium: a mention and a review decision made by someone else show
up in it without a reload, and a tab in the background stops asking until it is shown again."""

import pytest
from playwright.sync_api import expect

from generation.collab import comments, notifications, review
from tests.browser.support import WIDTHS, make_images, signed_in_page

pytestmark = [pytest.mark.browser]

COUNT_POLLS = """
window.countPolls = 0;
const realFetch = window.fetch;
window.fetch = function (url) {
  if (String(url).includes("/notifications/count.json")) window.countPolls += 1;
  return realFetch.apply(this, arguments);
};
"""
HIDE_TAB = """
Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
document.dispatchEvent(new Event("visibilitychange"));
"""
SHOW_TAB = """
Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
document.dispatchEvent(new Event("visibilitychange"));
"""


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_mentions_and_review_decisions_reach_the_bell_without_a_reload(
    browser, live_server, spring_launch, alice, carol, width
):
    image = make_images(spring_launch, alice)[0]
    review.review_request(image=image, user=alice)  # carol is told; alice has nothing unread
    with signed_in_page(browser, live_server, alice, width=width, fake_clock=True) as page:
        page.goto(f"/images/{image.pk}/")
        badge = page.locator("[data-bell-count]")
        expect(badge).to_be_hidden()
        page.evaluate("window.stillTheSamePage = true")

        comments.comment_add(image=image, user=carol, body="Lovely light. @alice, one more?")
        page.clock.fast_forward("01:00")
        expect(badge).to_have_text("1")
        expect(badge).to_be_visible()
        expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()

        review.review_decide(image=image, user=carol, decision="approve")
        page.clock.fast_forward("01:00")
        expect(badge).to_have_text("2")
        expect(page.get_by_role("status").filter(has_text="Notifications, 2 unread")).to_have_count(
            1
        )

        notifications.notifications_mark_read(user=alice)  # read in another tab
        page.clock.fast_forward("01:00")
        expect(badge).to_be_hidden()
        expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
        assert page.evaluate("window.stillTheSamePage") is True


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_background_tab_stops_asking_and_catches_up_when_shown(
    browser, live_server, spring_launch, alice, carol, width
):
    image = make_images(spring_launch, alice)[0]
    with signed_in_page(browser, live_server, alice, width=width, fake_clock=True) as page:
        page.add_init_script(COUNT_POLLS)
        page.goto("/")
        page.evaluate(HIDE_TAB)
        before = page.evaluate("window.countPolls")
        comments.comment_add(image=image, user=carol, body="@alice have a look when you can")

        page.clock.fast_forward("30:00")  # half an hour in the background
        assert page.evaluate("window.countPolls") == before
        expect(page.locator("[data-bell-count]")).to_be_hidden()

        page.evaluate(SHOW_TAB)
        expect(page.locator("[data-bell-count]")).to_have_text("1")
        assert page.evaluate("window.countPolls") > before
