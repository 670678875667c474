"""Firefly's prompt limit in real Chromium, at desktop and phone widths: nothing typed or pasted
past it is dropped; the counter, a message in the server's words and a held submit say what is
wrong; a prompt exactly at the limit is sent, line breaks included."""

import pytest
from django.urls import reverse

from generation.firefly import facts
from generation.firefly.validation import too_long_message
from generation.models import Generation
from tests.browser.support import WIDTHS, signed_in_page

pytestmark = pytest.mark.browser

LIMIT = facts.LIMITS["prompt_max_chars"]


@pytest.fixture(params=WIDTHS.values(), ids=WIDTHS.keys())
def page(request, browser, live_server, alice):
    """alice's new-generation page for her campaign, signed in, at the width under test."""
    with signed_in_page(
        browser, live_server, alice, width=request.param, console_errors=False
    ) as page:
        yield page


@pytest.fixture
def form_url(spring_launch):
    return reverse("generation_new", args=[spring_launch.slug])


def prompt_box(page):
    return page.get_by_label("Prompt", exact=True)


def generate_button(page):
    return page.get_by_role("button", name="Generate", exact=False).last


def test_a_prompt_past_the_limit_is_kept_whole_refused_with_a_reason_and_not_sent(
    page, form_url, spring_launch
):
    page.goto(form_url)
    box = prompt_box(page)
    box.fill("a teal kettle on a marble table, morning light, ")
    box.press("End")
    # Pasted text (insertText, as a paste or an input method delivers it), past the limit.
    page.keyboard.insert_text("x" * (LIMIT + 1 - len(box.input_value())))
    page.keyboard.type("!")  # one more key press, as a person keeps typing

    assert len(box.input_value()) == LIMIT + 2, "nothing typed or pasted is dropped"
    counter = page.locator(f"[data-counter-for='{box.get_attribute('id')}']")
    assert counter.inner_text() == f"{LIMIT + 2} / {LIMIT}"
    assert "is-over" in counter.get_attribute("class")
    message = page.locator(f"#{box.get_attribute('id')}_length")
    assert message.is_visible()
    assert message.inner_text().strip() == too_long_message("prompt", LIMIT, LIMIT + 2)
    assert box.get_attribute("aria-invalid") == "true"

    generate_button(page).click()
    assert page.url.endswith(form_url), "the form is held, not sent"
    assert page.evaluate("document.activeElement.name") == "prompt"
    assert not Generation.objects.filter(campaign=spring_launch).exists()

    # Shortened to the limit: the message goes and the form is sent.
    box.press("End")
    box.press("Backspace")
    box.press("Backspace")
    assert message.is_hidden()
    assert counter.inner_text() == f"{LIMIT} / {LIMIT}"
    generate_button(page).click()
    page.wait_for_url(f"**{spring_launch.get_absolute_url()}")
    generation = Generation.objects.get(campaign=spring_launch)
    assert len(generation.prompt) == LIMIT


def test_a_prompt_exactly_at_the_limit_with_line_breaks_is_accepted(page, form_url, spring_launch):
    lines = ["Spring launch hero image.", "Teal kettle, marble table.", "Soft morning light."]
    text = "\n".join(lines)
    text += "\n" + "y" * (LIMIT - len(text) - 1)
    page.goto(form_url)
    prompt_box(page).fill(text)
    assert page.locator("[data-counter-for]").first.inner_text() == f"{LIMIT} / {LIMIT}"

    generate_button(page).click()

    page.wait_for_url(f"**{spring_launch.get_absolute_url()}")
    generation = Generation.objects.get(campaign=spring_launch)
    assert generation.prompt == text  # one character per line break, as counted
