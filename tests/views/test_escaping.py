"""Text people type (prompts, campaign names and notes) is shown as text, never run as markup:
in every page and in the JSON the live views return."""

import pytest
from django.urls import reverse

from generation.models import Campaign, Generation
from tests.factories import make_generation, make_image

PROMPT = '<script>alert("prompt")</script> a cat'
NAME = '<img src=x onerror=alert("name")>'
NOTES = "<b onmouseover=alert(1)>bold</b>"


@pytest.fixture
def hostile(spring_launch, alice):
    Campaign.objects.filter(pk=spring_launch.pk).update(
        name=NAME, description=NOTES, brand_notes=NOTES
    )
    spring_launch.refresh_from_db()
    done = make_generation(
        spring_launch, alice, prompt=PROMPT, negative_prompt=PROMPT, error_message=PROMPT
    )
    image = make_image(done, 0)
    running = make_generation(spring_launch, alice, prompt=PROMPT, status="running")
    failed = make_generation(
        spring_launch, alice, prompt=PROMPT, status="failed", error_message=PROMPT
    )
    return spring_launch, done, image, running, failed


def assert_inert(text: str):
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "<b onmouseover" not in text


def test_pages_escape_prompts_names_and_notes(alice_client, hostile):
    campaign, done, image, running, failed = hostile
    urls = [
        reverse("campaign_list"),
        campaign.get_absolute_url(),
        reverse("campaign_edit", args=[campaign.slug]),
        reverse("generation_new", args=[campaign.slug]),
        reverse("generation_new", args=[campaign.slug]) + f"?from={done.pk}",
        done.get_absolute_url(),
        running.get_absolute_url(),
        failed.get_absolute_url(),
        image.get_absolute_url(),
        campaign.get_absolute_url() + "?q=" + "%3Cscript%3E",
    ]
    for url in urls:
        html = alice_client.get(url).content.decode()
        assert_inert(html)
    gallery = alice_client.get(campaign.get_absolute_url()).content.decode()
    assert "&lt;img src=x onerror=alert(&quot;name&quot;)&gt;" in gallery
    assert "&lt;script&gt;alert(&quot;prompt&quot;)&lt;/script&gt;" in gallery


def test_json_endpoints_escape_markup_characters(alice_client, hostile):
    campaign, done, _image, _running, failed = hostile
    responses = [
        alice_client.get(reverse("generation_status", args=[done.pk])),
        alice_client.get(reverse("generation_status", args=[failed.pk])),
        alice_client.get(
            reverse("campaign_live", args=[campaign.slug]) + f"?since=0&watch={failed.pk}"
        ),
    ]
    for response in responses:
        text = response.content.decode()
        assert "<" not in text
        assert ">" not in text
        assert "\\u003cscript\\u003e" in text
    # …and the values still decode to what was typed (the script sets them as text).
    body = responses[2].json()
    assert body["images"][0]["alt"].endswith(PROMPT)
    assert {g["prompt"] for g in body["generations"]} == {PROMPT}
    assert Generation.objects.filter(prompt=PROMPT).count() == 3


def test_a_hostile_search_is_echoed_as_text(alice_client, spring_launch):
    html = alice_client.get(
        spring_launch.get_absolute_url() + '?q="><script>x</script>'
    ).content.decode()
    assert "<script>x</script>" not in html
    assert "&quot;&gt;&lt;script&gt;x&lt;/script&gt;" in html
