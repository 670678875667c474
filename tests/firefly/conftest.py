"""Fixtures for the Firefly client tests.

These tests need no Django. The root conftest does, so to run them without it:
``pytest tests/firefly -p no:django --confcutdir tests/firefly``.
"""

import pytest
import responses

from generation.firefly import FireflyClient, FireflyConfig, InMemoryTokenCache
from tests.firefly.support import IMS, TOKEN, Sleeps, make_config


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def token_cache() -> InMemoryTokenCache:
    return InMemoryTokenCache()


@pytest.fixture
def config() -> FireflyConfig:
    return make_config()


@pytest.fixture
def client(config, token_cache, sleeps) -> FireflyClient:
    with FireflyClient(config, token_cache=token_cache, sleep=sleeps, rand=lambda: 0.5) as c:
        yield c


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def ims(rsps):
    """IMS answers with a 24 h token."""
    rsps.post(IMS, json={"access_token": TOKEN, "token_type": "bearer", "expires_in": 86399})
    return rsps
