"""Every studio page fits a phone: nothing scrolls sideways at 360 or 390 px (nor at 1440), and
Sign out stays on screen. Staff see the most links in the header, so a staff owner looks."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from generation.collab import comments, exports, review, sharing
from generation.models import CampaignMembership, Generation, Image
from tests.browser.support import browser_tabs, sign_in
from tests.factories import make_custom_model, make_generation, make_image
from tests.personas import make_campaign, make_user

pytestmark = pytest.mark.browser

#: Elements sticking out past the right edge of the window, to name the culprit in a failure.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = document.documentElement.scrollWidth;
  const culprits = [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .filter(el => !el.closest("[hidden], .visually-hidden, .table-card, .queue-strip"))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
      ? "." + String(el.className).trim().split(/\\s+/).join(".") : ""));
  return {width, wide, culprits};
}"""


@pytest.fixture
def studio(alice, spring_launch):
    """A campaign with everything a page can show: finished, running and failed generations,
    square, wide and tall images, a review waiting, comments, a share link, an export, audit
    entries and notifications. Returns the URLs of every page and of two share links."""
    sam = make_user("sam", first_name="Samantha", last_name="Okonkwo-Lindqvist", is_staff=True)
    sam.user_permissions.add(Permission.objects.get(codename="act_in_every_campaign"))
    CampaignMembership.objects.create(
        campaign=spring_launch, user=sam, role=CampaignMembership.Role.OWNER
    )
    model = make_custom_model("Brand Lifestyle — spring photography, natural light")
    square = make_generation(
        spring_launch,
        alice,
        custom_model=model,
        presets=["golden_hour", "pastel_color", "bokeh"],
        prompt="a picnic on a green hill with a teal blanket, golden sun, " * 3,
    )
    images = [make_image(square, 0), make_image(square, 1)]
    wide = make_generation(spring_launch, alice, width=2688, height=1536, num_variations=1)
    images.append(make_image(wide, 0))
    make_generation(spring_launch, alice, status=Generation.Status.RUNNING, num_variations=4)
    make_generation(
        spring_launch,
        alice,
        status=Generation.Status.FAILED,
        error_message="Adobe Firefly could not generate these images. Please try again.",
    )
    review.review_request(image=images[0], user=alice, note="For the spring banner @sam")
    comments.comment_add(image=images[0], user=sam, body="Warmer light please, @alice " * 8)
    created = sharing.share_link_create(
        campaign=spring_launch,
        user=sam,
        expires_at=timezone.now() + dt.timedelta(days=7),
        label="Agency preview for the spring banner",
        scope="all",
        allow_download=True,
    )
    locked = sharing.share_link_create(
        campaign=spring_launch,
        user=sam,
        expires_at=timezone.now() + dt.timedelta(days=7),
        password="open sesame",
    )
    export = exports.export_create(
        campaign=spring_launch, user=sam, images=Image.objects.all(), description="All images"
    )
    make_campaign("Autumn sale with a rather long campaign name", sam)
    slug = spring_launch.slug
    return {
        "pages": [
            "/",
            "/campaigns/new/",
            f"/campaigns/{slug}/",
            f"/campaigns/{slug}/?review=in_review",
            f"/campaigns/{slug}/edit/",
            f"/campaigns/{slug}/generate/",
            square.get_absolute_url(),
            wide.get_absolute_url(),
            images[0].get_absolute_url(),
            images[2].get_absolute_url(),
            f"/campaigns/{slug}/review/",
            f"/campaigns/{slug}/compare/?ids={images[0].pk},{images[1].pk},{images[2].pk}",
            f"/campaigns/{slug}/members/",
            f"/campaigns/{slug}/share/",
            f"/campaigns/{slug}/audit/",
            "/audit/",
            "/notifications/",
            f"/exports/{export.pk}/",
        ],
        "shared": [f"/s/{created.token}/", f"/s/{locked.token}/"],
    }


def overflow(page, url) -> list[str]:
    """A sentence about `url` when the page is wider than the window, else nothing."""
    found = page.evaluate(OVERFLOW)
    if found["wide"] <= found["width"]:
        return []
    return [
        f"{url} is {found['wide']} px wide in a {found['width']} px window; "
        f"sticking out: {found['culprits']}"
    ]


@pytest.mark.parametrize("width", [360, 390, 1440])
def test_no_page_scrolls_sideways_and_sign_out_stays_on_screen(browser, live_server, studio, width):
    with browser_tabs(browser, live_server, page_errors=False, console_errors=False) as open_tab:
        page = open_tab(width, height=800)
        problems = []
        page.goto("/accounts/login/")
        problems += overflow(page, "/accounts/login/")
        sign_in(page, "sam")

        for url in studio["pages"]:
            page.goto(url)
            problems += overflow(page, url)
            sign_out = page.get_by_role("button", name="Sign out")
            box = sign_out.bounding_box()
            if not sign_out.is_visible() or box["x"] < 0 or box["x"] + box["width"] > width:
                problems.append(f"Sign out is off screen on {url}")

        # The header's links stay usable too: each one is on screen or reachable by scrolling
        # the header's own row (never the page).
        page.goto("/")
        for name in ("Campaigns", "Audit", "Admin"):
            link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name)
            link.scroll_into_view_if_needed()
            box = link.bounding_box()
            if box["x"] < 0 or box["x"] + box["width"] > width:
                problems.append(f"the header link {name} can't be reached")
        problems += overflow(page, "/ after reaching every header link")

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(re.compile(r"/accounts/login/"))

        # The public share pages (one asks for a password), signed out.
        for url in studio["shared"]:
            page.goto(url)
            problems += overflow(page, "a share page")
    assert problems == [], "\n".join(problems)
