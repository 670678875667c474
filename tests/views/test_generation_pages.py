"""A generation's page, its JSON status, cancel and retry."""

import pytest
from django.urls import reverse

from generation.models import Generation
from tests.factories import make_generation, make_images


def status(client, generation):
    return client.get(reverse("generation_status", args=[generation.pk]))


def test_the_page_shows_every_parameter_and_the_images(alice_client, finished):
    generation, images = finished
    Generation.objects.filter(pk=generation.pk).update(
        seeds=[111, 222], negative_prompt="", locale="fr-FR", visual_intensity=6
    )
    html = alice_client.get(generation.get_absolute_url()).content.decode()
    for text in [
        generation.prompt,
        "Brand Lifestyle",
        "Square (1:1), 2048 x 2048",
        "Golden hour",
        "Pastel color",
        "111, 222",
        "fr-FR",
        "Visual intensity",
        "alice",
        "Done",
    ]:
        assert text in html, text
    for image in images:
        assert image.get_absolute_url() in html
    assert f"?from={generation.pk}" in html  # generate again with these settings


def test_an_active_generation_offers_cancel_and_polls(alice_client, running):
    html = alice_client.get(running.get_absolute_url()).content.decode()
    cancel = reverse("generation_cancel", args=[running.pk])
    retry = reverse("generation_retry", args=[running.pk])
    assert f'action="{cancel}" data-once data-show-when="active" >' in html
    assert f'action="{retry}" data-once data-show-when="retryable" hidden' in html
    assert 'data-active="1"' in html
    assert html.count("data-placeholder data-generation") == 4
    assert "Generating" in html


def test_a_failed_generation_shows_its_error_and_offers_retry(alice_client, spring_launch, alice):
    failed = make_generation(
        spring_launch,
        alice,
        status="failed",
        error_code="download_failed",
        error_message="We could not download the generated images. Please try again.",
    )
    html = alice_client.get(failed.get_absolute_url()).content.decode()
    assert "We could not download the generated images" in html
    retry = reverse("generation_retry", args=[failed.pk])
    cancel = reverse("generation_cancel", args=[failed.pk])
    assert f'action="{retry}" data-once data-show-when="retryable" >' in html
    assert f'action="{cancel}" data-once data-show-when="active" hidden' in html


@pytest.mark.parametrize("code", ["content_policy", "invalid_request"])
def test_retry_is_not_offered_when_firefly_refused_the_request_itself(
    alice_client, spring_launch, alice, code
):
    refused = make_generation(
        spring_launch,
        alice,
        status="failed",
        error_code=code,
        error_message="This request was refused by Adobe's content policy. Rephrase the prompt.",
    )
    html = alice_client.get(refused.get_absolute_url()).content.decode()
    retry = reverse("generation_retry", args=[refused.pk])
    assert f'action="{retry}" data-once data-show-when="retryable" hidden' in html
    assert f"?from={refused.pk}" in html  # changing the prompt or settings is the way on
    assert status(alice_client, refused).json()["retry_can_help"] is False


@pytest.mark.parametrize("code", ["content_policy", "invalid_request"])
def test_a_retry_that_cannot_help_is_refused_with_a_message_saying_why(
    alice_client, spring_launch, alice, code
):
    refused = make_generation(spring_launch, alice, status="failed", error_code=code)
    response = alice_client.post(reverse("generation_retry", args=[refused.pk]), follow=True)
    html = response.content.decode()
    assert "Retry would send the same" in html
    assert "Generate again with these settings" in html
    assert not Generation.objects.filter(retry_of=refused).exists()


def test_cancel_is_a_post_that_cancels(alice_client, spring_launch, alice):
    queued = make_generation(spring_launch, alice, status="queued")
    response = alice_client.post(reverse("generation_cancel", args=[queued.pk]), follow=True)
    queued.refresh_from_db()
    assert queued.status == Generation.Status.CANCELLED
    assert "being cancelled" in response.content.decode()


def test_cancel_returns_to_a_safe_next_page_only(alice_client, spring_launch, alice):
    queued = make_generation(spring_launch, alice, status="queued")
    url = reverse("generation_cancel", args=[queued.pk])
    back = alice_client.post(url, {"next": spring_launch.get_absolute_url()})
    assert back.url == spring_launch.get_absolute_url()
    evil = alice_client.post(url, {"next": "https://evil.example/"})
    assert evil.url == queued.get_absolute_url()


def test_retry_creates_a_new_generation_with_the_same_settings(alice_client, spring_launch, alice):
    failed = make_generation(
        spring_launch, alice, status="failed", presets=["golden_hour"], seeds=[1, 2]
    )
    response = alice_client.post(reverse("generation_retry", args=[failed.pk]))
    retry = Generation.objects.get(retry_of=failed)
    assert response.url == retry.get_absolute_url()
    assert retry.prompt == failed.prompt
    assert retry.style_presets == ["golden_hour"]
    assert retry.seeds == [1, 2]
    assert retry.status == Generation.Status.QUEUED
    html = alice_client.get(retry.get_absolute_url()).content.decode()
    assert f"generation {failed.pk}" in html  # "Retry of generation N"


def test_retry_of_a_running_generation_is_refused_with_a_message(alice_client, running):
    response = alice_client.post(reverse("generation_retry", args=[running.pk]), follow=True)
    assert "still in progress" in response.content.decode()
    assert not Generation.objects.filter(retry_of=running).exists()


def test_status_json_has_progress_error_and_ready_thumbnails(alice_client, running):
    body = status(alice_client, running).json()
    assert body["status"] == "running"
    assert body["status_label"] == "Generating"
    assert body["progress"] == 40
    assert body["is_active"] is True
    assert body["images"] == []

    images = make_images(running, 2)
    Generation.objects.filter(pk=running.pk).update(status="succeeded", progress=100)
    body = status(alice_client, running).json()
    assert body["is_active"] is False
    assert [i["id"] for i in body["images"]] == [i.pk for i in images]
    assert body["images"][0]["thumb"].startswith("/renditions/")


def test_status_json_carries_no_firefly_urls_or_secrets(alice_client, running, settings):
    Generation.objects.filter(pk=running.pk).update(
        firefly_job_id="job-secret-123",
        status_url="https://firefly-api.adobe.io/v3/status/job-secret-123",
        cancel_url="https://firefly-api.adobe.io/v3/cancel/job-secret-123",
    )
    response = status(alice_client, running)
    text = response.content.decode()
    assert "job-secret-123" not in text
    assert "adobe.io" not in text
    assert settings.FIREFLY_CLIENT_SECRET not in text
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/json"
