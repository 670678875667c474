from urllib.parse import parse_qs

import pytest

from generation.firefly import FireflyClient, InMemoryTokenCache, errors
from generation.firefly.auth import cache_timeout
from tests.firefly.support import (
    API,
    CLIENT_ID,
    IMS,
    JOB_ID,
    SECRET,
    TOKEN,
    TOKEN_2,
    calls_to,
    make_config,
)

STATUS = f"{API}/v3/status/{JOB_ID}"
RUNNING = {"jobId": JOB_ID, "status": "running"}


class RecordingCache:
    """A cache with Django's get/set(key, value, timeout) shape that records what it stores."""

    def __init__(self):
        self.data, self.sets = {}, []

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, timeout):
        self.sets.append((key, value, timeout))
        self.data[key] = value


def test_it_posts_a_url_encoded_client_credentials_form(client, ims):
    ims.get(STATUS, json=RUNNING)
    client.job_status(JOB_ID)
    (call,) = calls_to(ims, IMS)
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(call.request.body)
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [SECRET],  # & + = / % survive: encoded, not concatenated
        "scope": ["openid,AdobeID,firefly_api,ff_apis"],
    }


def test_it_sends_the_token_and_api_key_on_firefly_calls(client, ims):
    ims.get(STATUS, json=RUNNING)
    client.job_status(JOB_ID)
    headers = calls_to(ims, STATUS)[0].request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["x-api-key"] == CLIENT_ID
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("firefly-campaign-studio/")
    assert headers["x-request-id"]


def test_it_reuses_the_cached_token_across_calls(client, ims):
    ims.get(STATUS, json=RUNNING)
    for _ in range(3):
        client.job_status(JOB_ID)
    assert len(calls_to(ims, IMS)) == 1


def test_clients_sharing_a_cache_share_one_token(config, ims):
    shared = InMemoryTokenCache()
    ims.get(STATUS, json=RUNNING)
    for _ in range(2):
        FireflyClient(config, token_cache=shared).job_status(JOB_ID)
    assert len(calls_to(ims, IMS)) == 1


def test_the_cache_key_hashes_id_and_scopes_but_never_holds_the_secret(config, ims):
    cache = RecordingCache()
    ims.get(STATUS, json=RUNNING)
    FireflyClient(config, token_cache=cache).job_status(JOB_ID)
    ((key, value, _timeout),) = cache.sets
    assert key.startswith("firefly:ims-token:")
    assert SECRET not in key
    assert CLIENT_ID not in key
    assert value == TOKEN
    other = FireflyClient(make_config(scopes="firefly_api,ff_apis"), token_cache=cache)
    assert other._tokens.cache_key != key


@pytest.mark.parametrize(
    ("expires_in", "timeout"),
    [(86399, 86099), (3600, 3300), (600, 540), (60, 54), (5, 4)],
)
def test_tokens_expire_from_the_cache_a_margin_early(expires_in, timeout):
    assert cache_timeout(expires_in, margin=300) == timeout


def test_it_stores_the_token_with_the_expiry_margin(config, rsps):
    rsps.post(IMS, json={"access_token": TOKEN, "expires_in": 7200})
    rsps.get(STATUS, json=RUNNING)
    cache = RecordingCache()
    FireflyClient(config, token_cache=cache).job_status(JOB_ID)
    assert cache.sets[0][2] == 6900


def test_the_in_memory_cache_expires_entries():
    now = [100.0]
    cache = InMemoryTokenCache(clock=lambda: now[0])
    cache.set("k", "v", 10)
    assert cache.get("k") == "v"
    now[0] = 110.0
    assert cache.get("k") is None


def test_an_expired_token_is_fetched_again(config, rsps):
    now = [0.0]
    rsps.post(IMS, json={"access_token": TOKEN, "expires_in": 60})
    rsps.get(STATUS, json=RUNNING)
    client = FireflyClient(config, token_cache=InMemoryTokenCache(clock=lambda: now[0]))
    client.job_status(JOB_ID)
    now[0] = 53.0
    client.job_status(JOB_ID)
    assert len(calls_to(rsps, IMS)) == 1
    now[0] = 55.0  # past 60 - 10 % margin
    client.job_status(JOB_ID)
    assert len(calls_to(rsps, IMS)) == 2


def test_a_401_from_firefly_refreshes_the_token_once_and_retries(client, rsps):
    rsps.post(IMS, json={"access_token": TOKEN, "expires_in": 86399})
    rsps.post(IMS, json={"access_token": TOKEN_2, "expires_in": 86399})
    rsps.get(
        STATUS, status=401, json={"error_code": "401013", "message": "Oauth token is not valid"}
    )
    rsps.get(STATUS, json=RUNNING)
    assert client.job_status(JOB_ID).status == "running"
    polls = calls_to(rsps, STATUS)
    assert [c.request.headers["Authorization"] for c in polls] == [
        f"Bearer {TOKEN}",
        f"Bearer {TOKEN_2}",
    ]


def test_a_second_401_raises_authentication_error(client, rsps):
    rsps.post(IMS, json={"access_token": TOKEN, "expires_in": 86399})
    rsps.get(
        STATUS, status=401, json={"error_code": "401013", "message": "Oauth token is not valid"}
    )
    with pytest.raises(errors.AuthenticationError) as caught:
        client.job_status(JOB_ID)
    assert caught.value.status == 401
    assert len(calls_to(rsps, STATUS)) == 2
    assert len(calls_to(rsps, IMS)) == 2


def test_a_rejected_token_is_not_evicted_if_another_process_already_replaced_it(config, rsps):
    cache = InMemoryTokenCache()
    client = FireflyClient(config, token_cache=cache)
    cache.set(client._tokens.cache_key, TOKEN_2, 100)
    client._tokens.invalidate(TOKEN)
    assert cache.get(client._tokens.cache_key) == TOKEN_2


@pytest.mark.parametrize("status", [400, 401])
def test_ims_refusing_the_credentials_is_an_authentication_error(client, rsps, status):
    rsps.post(
        IMS,
        status=status,
        json={"error": "invalid_client", "error_description": "invalid client_secret"},
    )
    with pytest.raises(errors.AuthenticationError) as caught:
        client.job_status(JOB_ID)
    assert caught.value.error_code == "invalid_client"
    assert caught.value.transient is False
    assert len(calls_to(rsps, IMS)) == 1


def test_ims_outages_are_retried_with_backoff(client, rsps, sleeps):
    rsps.post(IMS, status=503, body="<html>down</html>", content_type="text/html")
    rsps.post(IMS, json={"access_token": TOKEN, "expires_in": 86399})
    rsps.get(STATUS, json=RUNNING)
    client.job_status(JOB_ID)
    assert sleeps == [0.25]  # rand 0.5 * base 0.5


def test_an_ims_answer_without_a_token_is_an_authentication_error(client, rsps):
    rsps.post(IMS, json={"token_type": "bearer"})
    with pytest.raises(errors.AuthenticationError, match="no access_token"):
        client.job_status(JOB_ID)


def test_missing_credentials_fail_before_calling_ims(rsps):
    client = FireflyClient(make_config(client_secret=""))
    with pytest.raises(errors.AuthenticationError, match="not configured"):
        client.job_status(JOB_ID)
    assert not rsps.calls
