"""The person who asked for a generation hears when it fails (the bell, and an email when
notifications send email), whichever way it failed; nobody hears of a cancel they asked for."""

import pytest
from django.core import mail
from django.urls import reverse

from generation.models import Generation, Notification
from generation.pipeline.cancel import generation_cancel_at_firefly
from generation.pipeline.generations import generation_cancel
from generation.pipeline.outcomes import generation_fail
from generation.pipeline.signals import generation_failed
from generation.pipeline.submit import generation_submit
from tests.pipeline.support import create_generation, poll_now

pytestmark = pytest.mark.django_db

Status = Generation.Status


def notifications_of(user):
    return list(Notification.objects.filter(recipient=user, kind="generation_failed"))


def test_the_requester_is_told_in_the_app_and_by_email_when_firefly_fails_their_job(
    emails_delivered, emulator, spring_launch, alice, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STUDIO_BASE_URL = "https://studio.example.com"
    emulator.state.add_faults({"match": "generate", "kind": "job_failed", "times": 1})
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    emulator.state.advance_time(5)
    with django_capture_on_commit_callbacks(execute=True):
        poll_now(generation)
    assert generation.status == Status.FAILED

    [note] = notifications_of(alice)
    assert note.read_at is None
    assert note.url == generation.get_absolute_url()
    assert note.campaign == spring_launch
    assert f"Generation {generation.pk} in “Spring launch” failed" in note.text
    assert generation.error_message in note.text
    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    assert f"https://studio.example.com{generation.get_absolute_url()}" in email.body


def test_the_bell_counts_the_failure_and_the_notifications_page_links_to_it(
    client, spring_launch, alice
):
    client.force_login(alice)
    before = client.get(reverse("notification_list")).context["unread_notifications"]
    generation = create_generation(spring_launch, alice)
    generation_fail(generation_id=generation.pk, code="job_failed", message="It broke.")
    page = client.get(reverse("notification_list"))
    assert page.context["unread_notifications"] == before + 1
    html = page.content.decode()
    assert "failed: It broke." in html
    opened = client.post(reverse("notification_read"), {"id": notifications_of(alice)[0].pk})
    assert opened.url == generation.get_absolute_url()


def test_a_job_cancelled_at_firefly_without_anyone_asking_is_reported(
    emulator, spring_launch, alice
):
    emulator.state.add_faults({"match": "generate", "kind": "job_cancelled", "times": 1})
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    emulator.state.advance_time(5)
    poll_now(generation)
    assert generation.status == Status.CANCELLED
    [note] = notifications_of(alice)
    assert "was cancelled: The job was cancelled at Adobe Firefly." in note.text


def test_nobody_is_told_about_a_cancel_they_asked_for(emulator, spring_launch, alice):
    queued = create_generation(spring_launch, alice)
    generation_cancel(generation=queued, user=alice)
    running = create_generation(spring_launch, alice)
    generation_submit(generation_id=running.pk)
    generation_cancel(generation=running, user=alice)
    generation_cancel_at_firefly(generation_id=running.pk)
    running.refresh_from_db()
    assert running.status == Status.CANCELLED
    assert notifications_of(alice) == []


def test_a_failure_is_told_once(spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    assert generation_fail(generation_id=generation.pk, code="stuck", message="Stuck.")
    assert not generation_fail(generation_id=generation.pk, code="stuck", message="Stuck.")
    assert len(notifications_of(alice)) == 1


def test_a_generation_whose_requester_left_fails_quietly(spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    Generation.objects.filter(pk=generation.pk).update(requested_by=None)
    assert generation_fail(generation_id=generation.pk, code="stuck", message="Stuck.")
    assert Notification.objects.count() == 0


def test_a_broken_receiver_neither_changes_the_outcome_nor_silences_the_others(
    spring_launch, alice, caplog
):
    """The pipeline announces failures with a signal; whatever a receiver does, the generation
    stays failed and the requester still hears of it."""

    def broken(sender, **kwargs):
        raise RuntimeError("receiver bug")

    generation_failed.connect(broken)
    try:
        generation = create_generation(spring_launch, alice)
        assert generation_fail(generation_id=generation.pk, code="job_failed", message="It broke.")
    finally:
        generation_failed.disconnect(broken)
    generation.refresh_from_db()
    assert generation.status == Status.FAILED
    assert len(notifications_of(alice)) == 1
    assert "receiver bug" in caplog.text
