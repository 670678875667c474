"""Share-link passwords (issue 17, item 5): a minimum strength, and guessing braked per link and
per address, with refusals that cost no hashing once braked."""

import datetime as dt
import re

import pytest
from django.contrib.auth import hashers
from django.core.exceptions import ValidationError
from django.utils import timezone

from generation.collab import sharing

pytestmark = pytest.mark.django_db


def soon():
    return timezone.now() + dt.timedelta(days=3)


@pytest.fixture
def locked_link(spring_launch, alice, images, settings):
    settings.SHARE_UNLOCK_FAILURES = 3
    settings.SHARE_UNLOCK_WINDOW_SECONDS = 600
    return sharing.share_link_create(
        campaign=spring_launch, user=alice, expires_at=soon(), password="tulips in april"
    )


@pytest.mark.parametrize("weak", ["7", "tulips", "12345678", "password"])
def test_a_weak_password_is_refused_with_the_reason(spring_launch, alice, weak):
    with pytest.raises(ValidationError) as raised:
        sharing.share_link_create(
            campaign=spring_launch, user=alice, expires_at=soon(), password=weak
        )
    assert raised.value.message_dict["password"]


def test_guessing_is_braked_and_braked_guesses_are_not_even_hashed(
    client, locked_link, monkeypatch
):
    url = f"/s/{locked_link.token}/"
    for _ in range(3):
        assert client.post(url, {"password": "wrong guess"}).status_code == 403
    checked = []
    real_check = hashers.check_password
    monkeypatch.setattr(
        sharing, "check_password", lambda *a, **k: checked.append(1) or real_check(*a, **k)
    )
    braked = client.post(url, {"password": "tulips in april"})  # even the right one, for now
    assert braked.status_code == 429
    assert checked == []
    assert re.search(r"Try again after <time datetime=\"[^\"]+\">\d\d:\d\d</time>", braked.text)


def test_the_brake_is_per_address_too(client, locked_link, settings):
    settings.SHARE_UNLOCK_FAILURES = 3
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    url = f"/s/{locked_link.token}/"
    for _ in range(2):
        client.post(url, {"password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # Another visitor's right password still works while the link's count is below the limit.
    ok = client.post(url, {"password": "tulips in april"}, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert ok.status_code == 302
