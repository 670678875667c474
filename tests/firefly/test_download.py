import hashlib
import io
import time

import pytest
import requests
import urllib3.exceptions

from generation.firefly import errors
from generation.firefly.download import sniff_image_type, stream_image
from generation.firefly.redaction import Redactor
from tests.firefly.support import (
    JPEG,
    OUTPUT_URL,
    PNG,
    WEBP,
    calls_to,
    make_config,
)

S3_EXPIRED = (
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
    "<Message>Request has expired</Message></Error>"
)


@pytest.mark.parametrize(
    ("data", "ctype"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")],
    ids=["jpeg", "png", "webp"],
)
def test_it_streams_an_output_into_the_file_and_reports_its_hash(client, rsps, data, ctype):
    rsps.get(OUTPUT_URL, body=data, content_type=ctype)
    dest = io.BytesIO()
    result = client.download_output(OUTPUT_URL, dest)
    assert dest.getvalue() == data
    assert (result.content_type, result.bytes_written) == (ctype, len(data))
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_it_sends_no_credentials_to_storage(client, rsps):
    rsps.get(OUTPUT_URL, body=JPEG, content_type="image/jpeg")
    client.download_output(OUTPUT_URL, io.BytesIO())
    headers = rsps.calls[0].request.headers
    assert "Authorization" not in headers
    assert "x-api-key" not in headers
    assert len(rsps.calls) == 1  # and no token was fetched for it


def test_it_aborts_a_download_over_the_size_cap(client, rsps):
    rsps.get(OUTPUT_URL, body=JPEG + b"\x00" * 5000, content_type="image/jpeg")
    dest = io.BytesIO()
    with pytest.raises(errors.OutputTooLarge):
        client.download_output(OUTPUT_URL, dest, max_bytes=1000)
    assert len(dest.getvalue()) <= 1000


def test_it_refuses_a_declared_length_over_the_cap_before_reading(client, rsps):
    rsps.get(
        OUTPUT_URL,
        body=JPEG,
        content_type="image/jpeg",
        headers={"Content-Length": str(10**9)},
        auto_calculate_content_length=False,
    )
    dest = io.BytesIO()
    with pytest.raises(errors.OutputTooLargeError):
        client.download_output(OUTPUT_URL, dest)
    assert dest.getvalue() == b""


def test_the_default_cap_comes_from_the_config(rsps, token_cache, sleeps):
    from generation.firefly import FireflyClient

    small = FireflyClient(make_config(max_download_bytes=100), token_cache=token_cache)
    rsps.get(OUTPUT_URL, body=JPEG, content_type="image/jpeg")
    with pytest.raises(errors.OutputTooLarge):
        small.download_output(OUTPUT_URL, io.BytesIO())


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"<html>login</html>", "text/html"),
        (JPEG, "application/octet-stream"),
        (JPEG, ""),
        (b"GIF89a" + b"\x00" * 20, "image/gif"),
        (b"<html>not an image</html>", "image/jpeg"),  # content type lies about the bytes
        (PNG, "image/jpeg"),
        (JPEG[:-2], "image/jpeg"),  # truncated: no end-of-image marker
        (PNG[:-12], "image/png"),  # truncated: no IEND chunk
        (WEBP[:-5], "image/webp"),  # shorter than its RIFF header says
    ],
)
def test_it_accepts_only_real_jpeg_png_or_webp(client, rsps, body, ctype):
    rsps.get(OUTPUT_URL, body=body, content_type=ctype or None)
    with pytest.raises(errors.InvalidOutputError):
        client.download_output(OUTPUT_URL, io.BytesIO())


def test_an_expired_presigned_url_is_output_expired(client, rsps):
    rsps.get(OUTPUT_URL, status=403, body=S3_EXPIRED, content_type="application/xml")
    with pytest.raises(errors.OutputExpiredError) as caught:
        client.download_output(OUTPUT_URL, io.BytesIO())
    assert caught.value.status == 403
    assert caught.value.transient is False


def test_a_storage_hiccup_is_retried(client, rsps, sleeps):
    rsps.get(OUTPUT_URL, status=503, body="<Error><Code>SlowDown</Code></Error>")
    rsps.get(OUTPUT_URL, body=JPEG, content_type="image/jpeg")
    assert client.download_output(OUTPUT_URL, io.BytesIO()).bytes_written == len(JPEG)
    assert len(sleeps) == 1


def test_a_download_url_outside_the_allow_list_is_refused(client, rsps):
    with pytest.raises(errors.UnsafeURLError):
        client.download_output("https://evil.example.com/a.jpg", io.BytesIO())
    assert not rsps.calls


def test_redirects_are_followed_only_to_allowed_hosts(client, rsps):
    moved = "https://pre-signed-firefly.s3.amazonaws.com/images/abc?sig=1"
    rsps.get(OUTPUT_URL, status=307, headers={"location": moved})
    rsps.get(moved, body=PNG, content_type="image/png")
    assert client.download_output(OUTPUT_URL, io.BytesIO()).content_type == "image/png"

    rsps.replace("GET", OUTPUT_URL, status=302, headers={"location": "http://169.254.169.254/x"})
    with pytest.raises(errors.UnsafeURLError):
        client.download_output(OUTPUT_URL, io.BytesIO())
    assert not calls_to(rsps, "http://169.254.169.254")


class FakeRaw:
    """A urllib3-like body: yields ``chunks``, then optionally loses the connection."""

    def __init__(self, *chunks, broken=False):
        self.chunks, self.broken = chunks, broken

    def stream(self, chunk_size, decode_content=True):
        yield from self.chunks
        if self.broken:
            raise urllib3.exceptions.ProtocolError("Connection broken", ConnectionResetError(104))

    def release_conn(self):
        pass

    def close(self):
        pass


def test_a_connection_dropped_mid_download_is_a_transient_connection_error():
    response = requests.Response()
    response.status_code = 200
    response.headers["content-type"] = "image/jpeg"
    response.raw = FakeRaw(JPEG, broken=True)
    dest = io.BytesIO()
    with pytest.raises(errors.FireflyConnectionError) as caught:
        stream_image(response, dest, limit=10**6, deadline=time.monotonic() + 60, redact=Redactor())
    assert caught.value.transient is True
    assert dest.getvalue() == JPEG  # the partial file is the caller's to discard


def test_a_download_past_its_time_budget_is_a_timeout():
    response = requests.Response()
    response.status_code = 200
    response.headers["content-type"] = "image/jpeg"
    response.raw = FakeRaw(JPEG)
    with pytest.raises(errors.FireflyTimeoutError):
        stream_image(
            response, io.BytesIO(), limit=10**6, deadline=time.monotonic() - 1, redact=Redactor()
        )


def test_a_connection_error_before_the_body_is_retried(client, rsps, sleeps):
    rsps.get(OUTPUT_URL, body=requests.exceptions.ChunkedEncodingError("broken"))
    rsps.get(OUTPUT_URL, body=JPEG, content_type="image/jpeg")
    assert client.download_output(OUTPUT_URL, io.BytesIO()).bytes_written == len(JPEG)
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG[:12], "image/jpeg"),
        (PNG[:12], "image/png"),
        (WEBP[:12], "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
        (b"", None),
    ],
)
def test_it_sniffs_image_types_from_magic_bytes(head, expected):
    assert sniff_image_type(head) == expected
