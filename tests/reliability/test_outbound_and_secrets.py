"""Outbound requests go only to allow-listed hosts; secrets never leak into pages, logs,
exceptions, the admin or /healthz."""

from __future__ import annotations

import logging
import socket
import threading

import pytest
from django.test import Client
from django.urls import reverse

from generation.emulator import EmulatorConfig, EmulatorServer
from generation.models import Generation
from generation.pipeline.firefly_client import get_client
from generation.pipeline.generations import generation_create
from tests.reliability.support import assert_nothing_lost_or_doubled
from tests.reliability.test_fault_matrix import Row, drive

pytestmark = pytest.mark.django_db

SECRET = "client-secret-that-must-never-show-9f2c41"
NO_FAULTS = Row("plain", "", "", "", "", "", 1)


class CountingListener:
    """A TCP server on 127.0.0.1 that only counts connections (the "attacker's" host)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def forging_emulator(settings):
    """An emulator whose answers point statusUrl, cancelUrl and image URLs at another host."""
    listener = CountingListener()
    server = EmulatorServer(
        EmulatorConfig(
            pending_seconds=0.05,
            job_seconds=0.1,
            public_url=f"http://127.0.0.1:{listener.port}",
        )
    ).start()
    settings.FIREFLY_API_BASE = server.url
    settings.FIREFLY_IMS_URL = server.ims_url
    settings.FIREFLY_CLIENT_ID = server.config.client_id
    settings.FIREFLY_CLIENT_SECRET = server.config.client_secret
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    settings.FIREFLY_CONNECT_TIMEOUT = 1.0
    settings.FIREFLY_READ_TIMEOUT = 2.0
    try:
        yield server, listener
    finally:
        server.stop()
        listener.close()


def test_a_forged_status_url_fails_the_generation_safely_without_contacting_that_host(
    forging_emulator, spring_launch, alice
):
    server, listener = forging_emulator
    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a lighthouse at dawn (forged)",
        model_version="image3",
        width=1024,
        height=1024,
    )

    generation = drive(generation, server, NO_FAULTS)

    assert generation.status == Generation.Status.FAILED
    assert (
        generation.error_message
        == "Adobe Firefly sent a link we don't trust, so we didn't follow it."
    )
    assert listener.connections == 0  # not one request reached the forged host
    assert server.state.count("generate") == 1  # and it was not re-sent
    assert_nothing_lost_or_doubled(server, [generation], allowed_failures=(generation.error_code,))


# --- secrets ------------------------------------------------------------------------------------


@pytest.fixture
def secret_emulator(settings):
    server = EmulatorServer(
        EmulatorConfig(pending_seconds=0.05, job_seconds=0.1, client_secret=SECRET)
    ).start()
    settings.FIREFLY_API_BASE = server.url
    settings.FIREFLY_IMS_URL = server.ims_url
    settings.FIREFLY_CLIENT_ID = server.config.client_id
    settings.FIREFLY_CLIENT_SECRET = SECRET
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    try:
        yield server
    finally:
        server.stop()


def test_the_client_secret_and_tokens_never_appear_in_pages_logs_errors_admin_or_healthz(
    secret_emulator, spring_launch, alice, staff_user, caplog, settings, running_processes
):
    caplog.set_level(logging.DEBUG)
    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a lighthouse at dawn (secrets)",
        model_version="image3",
        width=1024,
        height=1024,
    )
    generation = drive(generation, secret_emulator, NO_FAULTS)
    assert generation.status == Generation.Status.SUCCEEDED
    token = get_client()._tokens.get_token()
    assert len(token) > 20
    image = generation.images.first()

    # An authentication failure: its exception and log lines name neither secret nor token.
    settings.FIREFLY_CLIENT_SECRET = SECRET + "-wrong"
    from django.core.cache import cache

    cache.clear()
    failing = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a lighthouse at dawn (bad secret)",
        model_version="image3",
        width=1024,
        height=1024,
    )
    failing = drive(failing, secret_emulator, NO_FAULTS)
    assert failing.error_code == "auth_failed"
    texts = [failing.error_message]
    try:
        get_client()._tokens.get_token()
    except Exception as exc:
        texts += [str(exc), repr(exc), repr(exc.__dict__)]
    settings.FIREFLY_CLIENT_SECRET = SECRET

    member, staff, anonymous = Client(), Client(), Client()
    member.force_login(alice)
    staff.force_login(staff_user)
    pages = [
        (member, reverse("campaign_gallery", args=[spring_launch.slug])),
        (member, reverse("generation_detail", args=[generation.pk])),
        (member, reverse("generation_status", args=[generation.pk])),
        (member, reverse("generation_detail", args=[failing.pk])),
        (member, reverse("generation_status", args=[failing.pk])),
        (member, reverse("image_detail", args=[image.pk])),
        (member, reverse("generation_new", args=[spring_launch.slug])),
        (staff, "/admin/"),
        (staff, "/admin/generation/generation/"),
        (staff, f"/admin/generation/generation/{generation.pk}/change/"),
        (staff, f"/admin/generation/generation/{failing.pk}/change/"),
        (staff, "/healthz"),
        (anonymous, "/healthz"),
        (anonymous, reverse("login")),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        texts.append(response.content.decode())
    texts += [record.getMessage() for record in caplog.records]
    texts += [str(record.args) for record in caplog.records]
    texts.append(caplog.text)
    blob = "\n".join(texts)
    assert "firefly" in blob.lower()  # the pages and logs did talk about Firefly
    for secret in (SECRET, token, token[-24:]):
        assert secret not in blob
