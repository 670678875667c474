"""What a generation's page says when it finishes while open, in real Chromium: the count agrees
with its noun, and a cancellation reads as one, once (the words come from the server, so the
page and the live updates say the same)."""

import pytest

from generation.models import Generation
from generation.pipeline.outcomes import Failure
from tests.browser.support import browser_tabs
from tests.factories import make_generation, make_image

pytestmark = pytest.mark.browser

ANNOUNCED = "document.querySelector('[data-live-announcer]').textContent"
ALERT = "document.querySelector('[data-error-panel]').innerText.replace(/\\s+/g, ' ').trim()"


@pytest.fixture
def open_generation(browser, live_server, alice):
    with browser_tabs(browser, live_server, page_errors=False, console_errors=False) as open_tab:

        def open_generation(generation, width):
            page = open_tab(width, sign_in_as="alice")
            page.goto(generation.get_absolute_url())
            assert page.locator("[data-status-pill]").inner_text() == "Generating"
            return page

        yield open_generation


@pytest.mark.parametrize("width", [1440, 390])
def test_one_finished_image_is_announced_as_one_image(
    open_generation, spring_launch, alice, wait_for, width
):
    generation = make_generation(
        spring_launch, alice, status=Generation.Status.RUNNING, num_variations=1
    )
    page = open_generation(generation, width)

    make_image(generation, 0)
    Generation.objects.filter(pk=generation.pk).update(status=Generation.Status.SUCCEEDED)

    wait_for(lambda: page.evaluate(ANNOUNCED) == "Done: 1 image ready.")
    assert page.locator("[data-status-pill]").inner_text() == "Done"


@pytest.mark.parametrize("width", [1440, 390])
def test_a_generation_cancelled_while_its_page_is_open_says_so_once(
    open_generation, spring_launch, alice, wait_for, width
):
    generation = make_generation(spring_launch, alice, status=Generation.Status.RUNNING)
    page = open_generation(generation, width)

    Generation.objects.filter(pk=generation.pk).update(
        status=Generation.Status.CANCELLED,
        error_code="cancelled",
        error_message=Failure.CANCELLED.message,
    )

    expected = f"This generation was cancelled. {Failure.CANCELLED.message}"
    wait_for(lambda: page.evaluate(ALERT) == expected)
    wait_for(lambda: page.evaluate(ANNOUNCED) == expected)
    assert page.locator("[data-status-pill]").inner_text() == "Cancelled"
