"""Constants and helpers for the Firefly client tests (fixtures live in conftest.py)."""

from __future__ import annotations

import requests
import responses
import urllib3.exceptions

from generation.firefly import FireflyConfig

API = "https://firefly-api.adobe.io"
IMS = "https://ims-na1.adobelogin.com/ims/token/v3"
CLIENT_ID = "test-client-id"
SECRET = "s3cr3t&with+special=chars/and%20more"
TOKEN = "ims-token-0123456789abcdef"
TOKEN_2 = "ims-token-fedcba9876543210"
JOB_ID = "urn:ff:jobs:epo854211:783e1c22-8b6c-4b8a-9c7a-1d2e3f405060"
STATUS_URL = f"https://firefly-epo854211.adobe.io/v3/status/{JOB_ID}"
CANCEL_URL = f"https://firefly-epo854211.adobe.io/v3/cancel/{JOB_ID}"
OUTPUT_URL = (
    "https://pre-signed-firefly-prod.s3-accelerate.amazonaws.com/images/abc"
    "?X-Amz-Expires=3600&X-Amz-Signature=deadbeef"
)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
WEBP = b"RIFF\x3a\x00\x00\x00WEBPVP8 " + b"\x00" * 50  # RIFF size = len - 8


def make_config(**overrides) -> FireflyConfig:
    values = {"client_id": CLIENT_ID, "client_secret": SECRET, "max_retries": 3}
    values.update(overrides)
    return FireflyConfig(**values)


class Sleeps(list):
    """Records the sleeps the client asked for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def connection_refused() -> requests.ConnectionError:
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason))


def connection_reset() -> requests.ConnectionError:
    reset = ConnectionResetError(104, "Connection reset by peer")
    return requests.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted.", reset))


def calls_to(mock: responses.RequestsMock, url_prefix: str) -> list:
    return [c for c in mock.calls if c.request.url.startswith(url_prefix)]
