"""Retry in real Chromium, at desktop and phone widths: a generation that fails while its page
is open offers Retry only where sending the same request again can help, and Retry works."""

import re

import pytest
from django.utils import timezone

from generation.models import Generation
from generation.pipeline.outcomes import Failure, submit_uncertain_message
from tests.browser import test_journey
from tests.browser.test_journey import sign_in
from tests.factories import make_generation

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1440, "phone": 390}
page = test_journey.page  # the same Chromium page fixture (it fails on any browser error)


def fail_while_open(generation, code, message):
    """What the pipeline does when the generation fails (the page is polling meanwhile)."""
    Generation.objects.filter(pk=generation.pk).update(
        status=Generation.Status.FAILED,
        error_code=code,
        error_message=message,
        finished_at=timezone.now(),
        next_poll_at=None,
    )


def open_running_generation(page, campaign, user, width):
    page.set_viewport_size({"width": width, "height": 900})
    generation = make_generation(campaign, user, status=Generation.Status.RUNNING, progress=30)
    page.goto(generation.get_absolute_url())
    page.locator("form[data-show-when=active]").wait_for()
    assert page.get_by_role("button", name="Retry").is_hidden()
    return generation


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_prompt_refused_by_the_content_policy_offers_no_retry_only_a_way_to_change_it(
    page, alice, spring_launch, width
):
    sign_in(page)
    generation = open_running_generation(page, spring_launch, alice, width)

    fail_while_open(generation, "content_policy", Failure.CONTENT_POLICY.message)

    page.get_by_role("alert").get_by_text("refused by Adobe's content policy").wait_for()
    assert page.get_by_role("button", name="Retry").is_hidden()
    assert page.locator("form[data-show-when=active]").is_hidden()
    assert page.get_by_role("link", name="Generate again with these settings").is_visible()
    page.reload()  # the server-rendered page agrees
    assert page.get_by_role("button", name="Retry").is_hidden()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_an_uncertain_submission_offers_retry_saying_what_it_costs_and_retry_works(
    page, alice, spring_launch, width
):
    sign_in(page)
    generation = open_running_generation(page, spring_launch, alice, width)
    message = submit_uncertain_message(None)

    fail_while_open(generation, "submit_uncertain", message)

    page.get_by_role("alert").get_by_text("which Firefly bills as a new job").wait_for()
    retry = page.get_by_role("button", name="Retry")
    retry.wait_for()
    assert retry.is_visible()
    retry.click()
    page.wait_for_url(re.compile(r"/generations/\d+/$"))
    new = Generation.objects.get(retry_of=generation)
    assert page.url.endswith(new.get_absolute_url())
    assert page.get_by_text(f"Retry of generation {generation.pk}").is_visible()
