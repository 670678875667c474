"""Password guessing is braked per (username, client address), behind a proxy too, for the
studio's sign-in and the admin's; the lockout says when to try again."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from fireflyweb.clients import client_address
from tests.personas import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, username, password, *, via=None, path=LOGIN):
    extra = {"HTTP_X_FORWARDED_FOR": via} if via else {}
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_RATE_LIMIT = "10/5m"
    return settings


def test_the_lockout_says_when_to_try_again(client, alice, settings):
    settings.LOGIN_RATE_LIMIT = "3/5m"
    for _ in range(3):
        response = sign_in(client, "alice", "wrong")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many attempts" in text
    assert re.search(r"Try again after <time datetime=\"[^\"]+\">\d\d:\d\d</time>", text)
    assert "in about 5 minutes" in text


def test_ten_people_mistyping_behind_one_proxy_lock_nobody_else_out(client, alice):
    # No proxy header configured: every request comes from the balancer's one address.
    for n in range(10):
        make_user(f"user{n}")
        sign_in(client, f"user{n}", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_a_stranger_cannot_lock_a_named_person_out(client, alice, behind_a_proxy):
    for _ in range(12):
        sign_in(client, "alice", "wrong", via="203.0.113.9")
    assert sign_in(client, "alice", PASSWORD, via="203.0.113.9").status_code == 429
    assert sign_in(client, "alice", PASSWORD, via="198.51.100.7").status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_brake(client, alice, behind_a_proxy):
    # The client writes its own X-Forwarded-For; the proxy appends the real address after it.
    for n in range(10):
        sign_in(client, "alice", "wrong", via=f"10.0.0.{n}, 203.0.113.9")
    assert sign_in(client, "alice", PASSWORD, via="10.9.9.9, 203.0.113.9").status_code == 429


def test_the_admin_sign_in_is_braked_like_the_studios(client, staff_user):
    admin_login = reverse("admin:login")
    for _ in range(10):
        sign_in(client, "sam", "wrong", path=admin_login)
    blocked = sign_in(client, "sam", PASSWORD, path=admin_login)
    assert blocked.status_code == 429
    assert "Try again after" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_the_count(client, alice):
    for _ in range(9):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(9):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("header", "forwarded", "count", "expected"),
    [
        ("", "1.2.3.4", 1, "10.0.0.1"),  # not configured: the header is ignored
        ("X-Forwarded-For", "1.2.3.4", 1, "1.2.3.4"),
        ("X-Forwarded-For", "6.6.6.6, 1.2.3.4", 1, "1.2.3.4"),  # leftmost is the client's claim
        ("X-Forwarded-For", "6.6.6.6, 1.2.3.4, 10.0.0.2", 2, "1.2.3.4"),
        ("X-Forwarded-For", "1.2.3.4", 2, "10.0.0.1"),  # fewer hops than proxies: not via them
        ("X-Forwarded-For", "not-an-address", 1, "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, header, forwarded, count, expected
):
    settings.TRUSTED_PROXY_HEADER = header
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
