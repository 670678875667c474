import pytest

from generation.firefly import SubmittedJob, errors
from generation.firefly.urls import check_url, is_allowed_url, job_url, resolve_link
from tests.firefly.support import (
    API,
    CANCEL_URL,
    JOB_ID,
    STATUS_URL,
    calls_to,
    make_config,
)

ALLOWED = [
    "https://firefly-api.adobe.io/v3/status/urn:ff:jobs:a:b",
    "https://firefly-epo854211.adobe.io/v3/status/x",
    "https://FIREFLY-STAGE-ESO851213.ADOBE.IO/v3/cancel/x",
    "https://firefly-api.adobe.io:443/v3/status/x",
    "https://pre-signed-firefly-prod.s3-accelerate.amazonaws.com/images/a?X-Amz-Expires=3600",
    "https://pre-signed-firefly.s3.amazonaws.com/images/a",
    "https://pre-signed-firefly-stage.s3.amazonaws.com/images/a",
]

REFUSED = [
    "http://firefly-api.adobe.io/v3/status/x",  # plain http to a non-configured host
    "https://169.254.169.254/latest/meta-data/",
    "https://localhost/v3/status/x",
    "https://127.0.0.1:8765/v3/status/x",
    "https://evil.example.com/v3/status/x",
    "https://adobe.io.evil.example.com/x",
    "https://firefly-api.adobe.io.evil.com/x",
    "https://firefly-api.adobe.io@evil.com/x",
    "https://user:pw@firefly-api.adobe.io/x",
    "https://firefly-api.adobe.io:8443/x",
    "https://my-bucket.s3.amazonaws.com/images/a",
    "file:///etc/passwd",
    "gopher://firefly-api.adobe.io/x",
    "https://firefly-api.adobe.io/x\r\nX-Injected: 1",
    "//firefly-api.adobe.io/x",
    "not a url",
    "",
]


@pytest.mark.parametrize("url", ALLOWED)
def test_it_follows_adobe_and_presigned_storage_urls(url):
    assert check_url(url, make_config()) == url


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_urls_outside_the_allow_list(url):
    with pytest.raises(errors.UnsafeURLError):
        check_url(url, make_config())


def test_the_configured_emulator_origin_is_allowed_over_plain_http():
    cfg = make_config(
        api_base="http://127.0.0.1:8765", ims_url="http://127.0.0.1:8765/ims/token/v3"
    )
    assert is_allowed_url("http://127.0.0.1:8765/v3/status/x", cfg)
    assert not is_allowed_url("http://127.0.0.1:8766/v3/status/x", cfg)  # another port
    assert not is_allowed_url("https://127.0.0.1:8765/v3/status/x", cfg)  # another scheme
    assert not is_allowed_url("http://localhost:8765/v3/status/x", cfg)


def test_custom_allow_list_patterns_replace_the_defaults():
    cfg = make_config(allowed_hosts=["cdn.example.com"])
    assert is_allowed_url("https://cdn.example.com/a.jpg", cfg)
    assert not is_allowed_url("https://pre-signed-firefly.s3.amazonaws.com/a", cfg)
    assert is_allowed_url("https://firefly-api.adobe.io/v3/status/x", cfg)  # api_base host


def test_a_bare_job_id_is_escaped_into_the_fallback_path():
    cfg = make_config()
    assert job_url(cfg, "status", JOB_ID) == f"{API}/v3/status/{JOB_ID}"
    assert job_url(cfg, "status", "../../admin?x=1") == f"{API}/v3/status/..%2F..%2Fadmin%3Fx%3D1"


def test_relative_paging_links_resolve_against_the_api_base():
    cfg = make_config()
    assert resolve_link(cfg, "/v3/custom-models?start=50") == f"{API}/v3/custom-models?start=50"
    with pytest.raises(errors.UnsafeURLError):
        resolve_link(cfg, "https://evil.example.com/v3/custom-models?start=50")


def test_a_forged_status_url_is_never_requested(client, ims):
    forged = SubmittedJob(JOB_ID, "https://169.254.169.254/latest/meta-data/iam", CANCEL_URL)
    with pytest.raises(errors.UnsafeURLError):
        client.job_status(forged)
    with pytest.raises(errors.UnsafeURLError):
        client.job_status("http://internal-admin.local/v3/status/x")
    assert not calls_to(ims, "https://169.254.169.254")
    assert len(ims.calls) == 0  # not even a token was fetched


def test_a_forged_cancel_url_is_never_requested(client, ims):
    forged = SubmittedJob(JOB_ID, STATUS_URL, "https://evil.example.com/steal")
    with pytest.raises(errors.UnsafeURLError):
        client.cancel_job(forged)
    assert len(ims.calls) == 0


def test_a_redirect_from_the_status_endpoint_is_not_followed(client, ims):
    ims.get(STATUS_URL, status=302, headers={"location": "http://169.254.169.254/"})
    with pytest.raises(errors.InvalidResponseError, match="redirect"):
        client.job_status(SubmittedJob(JOB_ID, STATUS_URL, CANCEL_URL))
    assert not calls_to(ims, "http://169.254.169.254")
