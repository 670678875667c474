"""The review queue and the comparison in real Chromium, on a desktop (1440 px) and a phone
(390 px): images picked for comparison stay picked while the approver moves through the queue,
sending an image back without a comment is stopped at the comment box, and the comparison shows
a landscape and a portrait image in equal frames that fit the screen."""

import re

import pytest
from django.core.files.base import ContentFile

from generation.collab import review
from generation.models import Image
from tests.browser.support import browser_tabs
from tests.factories import jpeg_bytes, make_generation, make_image

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
IMAGES_LOADED = "[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)"


@pytest.fixture
def waiting(spring_launch, alice):
    """Three of alice's images waiting for review, oldest request first."""
    generation = make_generation(spring_launch, alice, num_variations=3)
    images = [make_image(generation, i, seed=10 + i) for i in range(3)]
    for image in images:
        review.review_request(image=image, user=alice)
    return images


@pytest.fixture
def open_as(browser, live_server):
    """`open_as(username, viewport)`: a tab signed in through the sign-in form."""
    with browser_tabs(browser, live_server) as open_tab:
        yield lambda username, viewport: open_tab(
            viewport["width"], height=viewport["height"], sign_in_as=username
        )


def _picked(page) -> list[int]:
    return [
        int(box.get_attribute("value"))
        for box in page.locator(".strip-check input").all()
        if box.is_checked()
    ]


@pytest.mark.parametrize("viewport", SCREENS)
def test_images_picked_for_comparison_stay_picked_while_moving_through_the_queue(
    open_as, spring_launch, carol, waiting, viewport
):
    first, second, third = waiting
    page = open_as("carol", viewport)
    page.goto(f"/campaigns/{spring_launch.slug}/review/")

    # On a desktop the approver uses the keys; on a phone, the checkbox and the arrows.
    def pick_current():
        if viewport is DESKTOP:
            page.keyboard.press("x")
        else:
            page.locator("[data-current-check]").click()

    def move(direction, to):
        if viewport is DESKTOP:
            page.keyboard.press({"next": "j", "previous": "k"}[direction])
        else:
            page.locator(
                {"next": "[data-queue-next]", "previous": "[data-queue-prev]"}[direction]
            ).click()
        page.wait_for_url(re.compile(rf"image={to.pk}$"))

    pick_current()
    move("next", second)
    assert _picked(page) == [first.pk]
    pick_current()
    move("next", third)
    move("previous", second)
    assert _picked(page) == [first.pk, second.pk]
    compare_button = page.locator("[data-compare-button]")
    assert compare_button.inner_text().strip() == "Compare 2 selected"
    assert compare_button.is_enabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.reload()
    assert _picked(page) == [first.pk, second.pk]
    compare_button.click()
    page.wait_for_url(re.compile(r"/compare/"))
    shown = [
        int(v)
        for v in page.locator(".compare-item").evaluate_all(
            "items => items.map(i => i.dataset.imageId)"
        )
    ]
    assert shown == [first.pk, second.pk]
    page.go_back()
    assert _picked(page) == [first.pk, second.pk]

    # Clearing forgets them for the next page too.
    page.get_by_role("button", name="Clear selection").click()
    move("next", third)
    assert _picked(page) == []
    assert compare_button.is_disabled()


@pytest.mark.parametrize("viewport", SCREENS)
def test_sending_an_image_back_without_a_comment_is_stopped_at_the_comment_box(
    open_as, spring_launch, carol, waiting, viewport
):
    first = waiting[0]
    page = open_as("carol", viewport)
    page.goto(f"/campaigns/{spring_launch.slug}/review/")
    if viewport is DESKTOP:
        page.keyboard.press("c")
    else:
        page.get_by_role("button", name="Changes").click()

    error = page.locator("[data-decision-error]")
    error.wait_for(state="visible")
    assert error.inner_text().strip() == review.COMMENT_REQUIRED["changes"]
    comment = page.locator("[data-decision-comment]")
    assert comment.evaluate("box => box === document.activeElement")
    assert page.url.endswith("/review/")
    assert Image.objects.get(pk=first.pk).review_state == Image.ReviewState.IN_REVIEW

    comment.fill("Warmer light, please")
    assert error.is_hidden()
    page.get_by_role("button", name="Changes").click()
    page.wait_for_url(re.compile(rf"image={waiting[1].pk}$"))
    first.refresh_from_db()
    assert first.review_state == Image.ReviewState.CHANGES_REQUESTED
    assert first.review_comment == "Warmer light, please"


def _shaped_image(campaign, user, width: int, height: int, colour) -> Image:
    """An image of the given shape whose renditions (what the pages show) have that shape."""
    image = make_image(make_generation(campaign, user, width=width, height=height), 0)
    for rendition in image.renditions.all():
        scale = {"grid": 256, "preview": 512}[rendition.spec] / max(width, height)
        rendition.width, rendition.height = round(width * scale), round(height * scale)
        data = jpeg_bytes(rendition.width, rendition.height, colour)
        rendition.file.save("r.jpg", ContentFile(data), save=False)
        rendition.bytes = len(data)
        rendition.save()
    return image


FRAMES = """() => [...document.querySelectorAll('.compare-stage')].map(frame => {
  const box = frame.getBoundingClientRect();
  const img = frame.querySelector('img').getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          width: box.width, height: box.height, imgWidth: img.width, imgHeight: img.height,
          fit: getComputedStyle(frame.querySelector('img')).objectFit};
})"""


@pytest.mark.parametrize("viewport", SCREENS)
def test_a_landscape_and_a_portrait_image_are_compared_in_equal_frames_that_fit_the_screen(
    open_as, spring_launch, alice, viewport, wait_for
):
    landscape = _shaped_image(spring_launch, alice, 2048, 1152, (80, 120, 220))  # 16:9
    portrait = _shaped_image(spring_launch, alice, 1152, 2048, (232, 93, 117))  # 9:16
    page = open_as("alice", viewport)
    page.goto(f"/campaigns/{spring_launch.slug}/compare/?ids={landscape.pk}&ids={portrait.pk}")
    wait_for(lambda: page.evaluate(IMAGES_LOADED))

    frames = page.evaluate(FRAMES)
    assert len(frames) == 2
    wide, tall = frames
    assert abs(wide["width"] - tall["width"]) < 1
    assert abs(wide["height"] - tall["height"]) < 1
    for frame in frames:
        # The whole picture is fitted inside its frame, and the frame inside the screen.
        assert frame["fit"] == "contain"
        assert frame["imgWidth"] <= frame["width"] + 0.5
        assert frame["imgHeight"] <= frame["height"] + 0.5
        assert frame["height"] <= viewport["height"]
        assert frame["left"] >= 0
        assert frame["right"] <= viewport["width"]
        assert frame["height"] >= min(frame["width"], 300) * 0.99  # not a thin strip either
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if viewport is DESKTOP:
        # Side by side and both wholly on screen without scrolling.
        assert wide["top"] == tall["top"]
        assert tall["bottom"] <= viewport["height"]
    else:
        # One under the other, each wholly on screen when scrolled to.
        page.locator(".compare-stage").nth(1).scroll_into_view_if_needed()
        second = page.evaluate(FRAMES)[1]
        assert second["top"] >= 0
        assert second["bottom"] <= viewport["height"]
