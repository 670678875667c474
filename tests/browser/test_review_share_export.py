"""Review, sharing and export in real Chromium, against the Firefly emulator and a real Celery
worker: alice asks for review, carol (an approver) decides from the review queue with the
keyboard, alice shares the gallery, a stranger opens the link without signing in, and alice
downloads a ZIP whose manifest matches the database. Saves docs/screenshots/review-queue.png."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from generation.models import Generation, Image, ShareLink
from tests.browser.conftest import SCREENSHOTS
from tests.browser.support import browser_tabs

pytestmark = [pytest.mark.browser, pytest.mark.worker]

THUMBS_LOADED = "[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)"


@pytest.fixture
def open_page(browser, live_server):
    """`open_page(username=None)`: a desktop tab, signed in through the form when given a
    username. The console error of the 410 a revoked share link answers (on purpose) is expected."""
    with browser_tabs(browser, live_server, ignore_console="410", accept_downloads=True) as tab:
        yield lambda username=None: tab(1440, sign_in_as=username)


def test_review_share_and_export(
    open_page, alice, carol, spring_launch, emulator, celery_worker, wait_for
):
    from generation.pipeline.generations import generation_create

    for prompt, presets in [
        ("a picnic on a green hill with a teal blanket, golden sun", ["golden_hour"]),
        ("pink flowers in a glass vase on a sunny table", ["pastel_color", "bokeh"]),
    ]:
        generation_create(
            campaign=spring_launch,
            user=alice,
            prompt=prompt,
            style_presets=presets,
            style_strength=70,
            width=2048,
            height=2048,
            num_variations=2,
        )
    wait_for(
        lambda: (
            Generation.objects.filter(status=Generation.Status.SUCCEEDED).count() == 2
            and Image.objects.count() == 4
        ),
        timeout=30,
    )
    first, second, third = list(Image.objects.order_by("id"))[:3]

    # alice asks for review of three images from their pages.
    page = open_page("alice")
    for image in (first, second, third):
        page.goto(f"/images/{image.pk}/")
        page.get_by_label("Note for the approvers").fill("For the spring banner")
        page.get_by_role("button", name="Request review").click()
        page.locator("[data-review-pill]", has_text="In review").first.wait_for()
    assert Image.objects.filter(review_state="in_review").count() == 3

    # carol sees the bell, opens the queue and decides with the keyboard.
    approver = open_page("carol")
    approver.goto("/")
    assert approver.locator("[data-bell-count]").inner_text() == "3"
    approver.goto(f"/campaigns/{spring_launch.slug}/")
    approver.locator("[data-review-tab=in_review]").click()
    assert approver.locator(".tile[data-image-id]").count() == 3
    approver.get_by_role("link", name=re.compile("Review 3 waiting")).click()
    approver.wait_for_url(re.compile(r"/review/"))
    approver.locator("[data-current-check]").check()
    approver.locator(".strip-check input").nth(1).check()
    wait_for(lambda: approver.evaluate(THUMBS_LOADED))
    approver.mouse.move(0, 0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    approver.set_viewport_size({"width": 1440, "height": 1080})
    approver.evaluate("window.scrollTo(0, 0)")
    approver.screenshot(path=str(SCREENSHOTS / "review-queue.png"))
    approver.set_viewport_size({"width": 1440, "height": 900})

    # compare side by side, then back to the queue
    approver.get_by_role("button", name=re.compile("Compare 2 selected")).click()
    approver.wait_for_url(re.compile(r"/compare/"))
    assert approver.locator(".compare-item").count() == 2
    approver.go_back()

    approver.keyboard.press("a")  # approve the oldest request
    wait_for(lambda: Image.objects.filter(pk=first.pk, review_state="approved").exists())
    approver.wait_for_url(re.compile(rf"image={second.pk}"))
    approver.keyboard.press("j")  # skip to the third
    approver.wait_for_url(re.compile(rf"image={third.pk}"))
    approver.get_by_label("Comment").fill("Warmer please, @alice")
    approver.keyboard.press("Escape")
    approver.keyboard.press("c")
    wait_for(lambda: Image.objects.filter(pk=third.pk, review_state="changes_requested").exists())
    assert third.comments.get(decision="changes_requested").mentions.get() == alice

    # The approved image is locked; alice is told about both decisions.
    page.goto(f"/images/{first.pk}/")
    assert page.locator("[data-review-pill]").first.inner_text() == "Approved"
    assert page.get_by_role("button", name="Delete this image").count() == 0
    assert page.locator("[data-starting-point]").is_visible()
    page.goto("/notifications/")
    assert page.locator("[data-notification]").count() == 2

    # alice shares the whole gallery, drafts included, with downloads on.
    page.goto(f"/campaigns/{spring_launch.slug}/share/")
    page.get_by_label("Name").fill("Agency preview")
    page.get_by_label("All images", exact=False).check()
    page.get_by_label("Allow downloading originals").check()
    page.get_by_role("button", name="Create link").click()
    link_url = page.locator("[data-new-link-url]").input_value()
    assert "/s/" in link_url

    # A stranger opens it in a fresh browser without signing in.
    stranger = open_page()
    stranger.goto(link_url)
    assert stranger.locator(".share-tile").count() == 4
    assert stranger.locator("[data-draft-mark]").count() == 3
    approved_tile = stranger.locator(f".share-tile[data-image-id='{first.pk}']")
    assert approved_tile.locator("[data-draft-mark]").count() == 0
    wait_for(lambda: stranger.evaluate(THUMBS_LOADED))
    with stranger.expect_download() as info:
        approved_tile.locator(".share-download").click()
    assert Path(info.value.path()).read_bytes()[:2] == b"\xff\xd8"
    assert ShareLink.objects.get().view_count == 1

    # Revoked: the stranger gets a friendly page at once.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    page.locator(".pill", has_text="Revoked").wait_for()
    response = stranger.goto(link_url)
    assert response.status == 410
    assert "turned off" in stranger.locator("h1").inner_text()

    # alice exports the gallery as a ZIP and checks the manifest against the database.
    page.goto(f"/campaigns/{spring_launch.slug}/")
    page.get_by_role("button", name="Export ZIP").click()
    page.wait_for_url(re.compile(r"/exports/\d+/"))
    page.locator("[data-export-download]").wait_for(state="visible")
    with page.expect_download() as info:
        page.locator("[data-export-download]").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    rows = {row["image_id"]: row for row in manifest["images"]}
    assert set(rows) == set(Image.objects.values_list("pk", flat=True))
    for image in Image.objects.select_related("generation", "reviewed_by"):
        row = rows[image.pk]
        generation = image.generation
        assert row["prompt"] == generation.prompt
        assert row["seed"] == image.seed
        assert row["firefly_job_id"] == generation.firefly_job_id != ""
        assert row["style_presets"] == generation.style_presets
        assert row["style_strength"] == 70
        assert row["review_state"] == image.review_state
        assert row["requested_by"] == "alice"
        assert archive.read(row["file"]) == image.original.open("rb").read()
    assert rows[first.pk]["approved_by"] == "carol"
    assert "manifest.csv" in archive.namelist()
