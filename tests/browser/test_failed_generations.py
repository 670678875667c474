"""In real Chromium, at desktop and phone widths: a generation that fails while the gallery is
open turns into a failed tile with its message and Retry, its "Generating N images" message goes,
the header and the review-state tabs count the images that arrived meanwhile; after a reload
the failed tile is still there, the bell says so, and the campaign's list of generations shows
it. No Celery worker: the test moves the generations on itself, as the pipeline would."""

import re

import pytest
from playwright.sync_api import expect

from generation.models import Generation
from generation.pipeline.outcomes import generation_fail
from tests.browser.support import WIDTHS, browser_tabs, sign_in
from tests.factories import make_generation, make_images
from tests.pipeline.support import create_generation

pytestmark = pytest.mark.browser

FAILURE = "Adobe Firefly could not generate these images. Please try again."


@pytest.fixture(params=sorted(WIDTHS))
def page(request, browser, live_server):
    with browser_tabs(browser, live_server) as open_tab:
        yield open_tab(WIDTHS[request.param])


def count_of(page, tab: str) -> str:
    return page.locator(f"[data-review-tab='{tab}'] .review-count").inner_text()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_generation_failing_in_an_open_gallery_updates_it_without_a_reload(
    page, alice, spring_launch
):
    make_images(make_generation(spring_launch, alice), 2, files=True)
    sign_in(page, "alice")
    page.goto(f"/campaigns/{spring_launch.slug}/generate/")
    page.get_by_label("Prompt", exact=True).fill("a paper kite over a spring meadow")
    page.get_by_role("button", name=re.compile(r"^Generate \d images?$")).click()
    page.wait_for_url(f"**/campaigns/{spring_launch.slug}/")
    asked = Generation.objects.get(prompt="a paper kite over a spring meadow")
    banner = page.locator("[data-message]", has_text="Generating 4 images")
    assert banner.is_visible()
    assert page.locator(f"[data-placeholder][data-generation='{asked.pk}']").count() == 4
    assert count_of(page, "all") == "2"
    page.evaluate("window.__sameDocument = true")

    # While the page is open: the request fails, and a teammate's two images arrive.
    generation_fail(generation_id=asked.pk, code="job_failed", message=FAILURE)
    make_images(make_generation(spring_launch, alice, prompt="a teal kettle"), 2, files=True)

    failed = page.locator(f"[data-failed][data-generation='{asked.pk}']")
    failed.wait_for()
    banner.wait_for(state="detached")  # "Generating 4 images" is no longer true
    assert page.locator("[data-placeholder]").count() == 0
    expect(page.locator("[data-review-tab='all'] .review-count")).to_have_text("4")
    assert count_of(page, "draft") == "4"
    assert page.locator("[data-image-count]").inner_text() == "4 images"
    assert FAILURE in failed.inner_text()
    assert failed.get_by_role("button", name=f"Retry generation {asked.pk}").is_visible()
    assert page.evaluate("window.__sameDocument === true"), "updated without a reload"
    assert fits_the_screen(page)


def test_a_failed_generation_is_still_there_after_a_reload(page, alice, spring_launch):
    make_images(make_generation(spring_launch, alice), 2, files=True)
    asked = create_generation(spring_launch, alice, prompt="a paper kite over a spring meadow")
    generation_fail(generation_id=asked.pk, code="job_failed", message=FAILURE)
    make_images(make_generation(spring_launch, alice, prompt="a teal kettle"), 2, files=True)
    sign_in(page, "alice")

    page.goto(f"/campaigns/{spring_launch.slug}/")
    failed = page.locator(f"[data-failed][data-generation='{asked.pk}']")
    assert FAILURE in failed.inner_text()
    assert failed.get_by_role("button", name=f"Retry generation {asked.pk}").is_visible()
    assert page.locator("[data-bell-count]").inner_text() == "1"  # the requester was told
    assert fits_the_screen(page)

    # The gallery's status filter finds it; so does the list of the campaign's generations.
    toggle = page.locator("[data-filter-toggle]")
    if toggle.is_visible():  # phones fold the filters away
        toggle.click()
    page.locator("select[name=status]").select_option("failed")
    page.wait_for_url(re.compile(r"status=failed"))
    assert page.locator(".tile[data-failed]").count() == 1
    assert page.locator(".tile[data-image-id]").count() == 0
    page.goto(f"/campaigns/{spring_launch.slug}/")
    page.get_by_role("link", name="Generations").click()
    page.wait_for_url(f"**/campaigns/{spring_launch.slug}/generations/")
    row = page.locator(f"[data-generation-row='{asked.pk}']")
    assert "Failed" in row.inner_text()
    assert FAILURE in row.inner_text()
    assert "alice" in row.inner_text()
    assert fits_the_screen(page)

    # Retry from the gallery: a new generation with the same settings.
    page.goto(f"/campaigns/{spring_launch.slug}/")
    failed.get_by_role("button", name=f"Retry generation {asked.pk}").click()
    page.wait_for_url(re.compile(r"/generations/\d+/$"))
    retry = Generation.objects.get(retry_of=asked)
    assert page.url.endswith(retry.get_absolute_url())
    assert retry.prompt == asked.prompt
