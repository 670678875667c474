"""@mentions in real Chromium at desktop and phone widths: typing "@" in a comment lists the
campaign's members (keyboard or tap picks one), a name nobody has is said so while typing, and
a comment naming a non-member comes back with the reason and a "Post anyway" button."""

import pytest
from playwright.sync_api import expect

from generation.models import CampaignMembership, Comment, Notification
from tests.browser.support import WIDTHS, make_images, signed_in_page
from tests.personas import make_user

pytestmark = [pytest.mark.browser]


@pytest.fixture
def team(spring_launch):
    for username, first, last in (("carol", "Carol", "Reyes"), ("dave", "Dave", "Okafor")):
        user = make_user(username, first_name=first, last_name=last)
        CampaignMembership.objects.create(campaign=spring_launch, user=user)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_typing_at_offers_the_campaign_members_and_unknown_names_are_pointed_out(
    browser, live_server, spring_launch, alice, team, width
):
    image = make_images(spring_launch, alice)[0]
    with signed_in_page(browser, live_server, alice, width=width) as page:
        page.goto(f"/images/{image.pk}/")
        box = page.get_by_label("Add a comment")
        members = page.get_by_role("listbox", name="Campaign members")

        box.click()
        page.keyboard.type("Can you warm this up, @ca")
        expect(members).to_be_visible()
        expect(members.get_by_role("option")).to_have_text(["CRCarol Reyes@carol"])
        listed = members.bounding_box()
        assert listed["x"] >= 0
        assert listed["x"] + listed["width"] <= width
        page.keyboard.press("Enter")
        expect(members).to_be_hidden()

        page.keyboard.type("and @o")  # by surname too
        members.get_by_role("option", name="Dave Okafor").click()
        expect(box).to_have_value("Can you warm this up, @carol and @dave ")

        page.keyboard.type("@zz")
        expect(members).to_contain_text("No member of this campaign is called @zz")
        page.keyboard.press("Escape")
        expect(members).to_be_hidden()
        for _ in "@zz":
            page.keyboard.press("Backspace")

        page.get_by_role("button", name="Comment", exact=True).click()
        expect(page.locator(".comment-text").last).to_have_text(
            "Can you warm this up, @carol and @dave"
        )
        assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
            "carol",
            "dave",
        ]

        # Without picking from the list: the server names the stranger and keeps the text.
        box.fill("@alcie what do you think?")
        page.get_by_role("button", name="Comment", exact=True).click()
        expect(page.get_by_role("alert")).to_have_text(
            "@alcie (did you mean @alice?) isn't a member of this campaign, "
            "so they wouldn't be notified."
        )
        expect(box).to_have_value("@alcie what do you think?")
        assert Comment.objects.count() == 1

        page.get_by_role("button", name="Post anyway, without notifying them").click()
        expect(page.locator(".comment-text").last).to_have_text("@alcie what do you think?")
        assert Comment.objects.count() == 2
