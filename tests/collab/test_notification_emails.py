"""Notification emails leave from a Celery worker, retried, never inside the web request: a
slow or broken mail server cannot hold up (or fail) the review that caused the email."""

import threading
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from generation.collab import comments
from generation.models import Image

pytestmark = pytest.mark.django_db

SENT_FROM: list[str] = []
FAILURES_LEFT = [0]


class RecordingBackend(EmailBackend):
    """locmem, noting which thread sent (the test's own thread is the web request's)."""

    def send_messages(self, messages):
        SENT_FROM.append(threading.current_thread().name)
        return super().send_messages(messages)


class FlakyBackend(EmailBackend):
    """A mail server that drops the connection a few times, then works."""

    def send_messages(self, messages):
        if FAILURES_LEFT[0] > 0:
            FAILURES_LEFT[0] -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_review_request_answers_before_any_email_is_sent_and_a_worker_sends_it(
    settings, celery_worker, wait_for, client_for, images, alice, carol
):
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    SENT_FROM.clear()
    request_thread = threading.current_thread().name
    response = client_for(alice).post(reverse("image_review_request", args=[images[0].pk]))
    assert response.status_code == 302
    assert Image.objects.get(pk=images[0].pk).review_state == Image.ReviewState.IN_REVIEW
    wait_for(lambda: len(mail.outbox) == 1, timeout=20, message="the worker sends the email")
    assert mail.outbox[0].to == [carol.email]
    assert SENT_FROM
    assert request_thread not in SENT_FROM


def test_a_mail_server_that_drops_the_connection_is_retried(
    settings, emails_delivered, images, alice, carol, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FAILURES_LEFT[0] = 2
    with django_capture_on_commit_callbacks(execute=True):
        comments.comment_add(image=images[0], user=alice, body="@carol is this one on brand?")
    assert FAILURES_LEFT[0] == 0
    assert [m.to for m in mail.outbox] == [[carol.email]]


def test_a_multi_line_mention_still_arrives_with_a_one_line_subject(
    emails_delivered, images, alice, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comments.comment_add(
            image=images[0], user=alice, body="@carol two things:\n1. warmer\n2. less sky"
        )
    [email] = mail.outbox
    assert "\n" not in email.subject
    assert email.subject.startswith("[Campaign Studio] ")
