"""Known secret strings never appear in reprs, errors or logs."""

import logging

import pytest

from generation.firefly import FireflyClient, GenerateRequest, errors
from generation.firefly.redaction import Redactor, loggable_url
from tests.firefly.support import (
    API,
    IMS,
    JOB_ID,
    OUTPUT_URL,
    SECRET,
    TOKEN,
    make_config,
)

SECRETS = (SECRET, TOKEN)


def assert_clean(text):
    for secret in SECRETS:
        assert secret not in text


def test_config_and_client_reprs_hide_the_secret(client, config):
    assert_clean(repr(config))
    assert_clean(repr(client))
    assert "client_secret=***" in repr(config)


def test_errors_never_echo_the_secret_or_token(client, rsps):
    rsps.post(
        IMS,
        status=401,
        json={"error": "invalid_client", "error_description": f"bad secret {SECRET}"},
    )
    with pytest.raises(errors.AuthenticationError) as caught:
        client.job_status(JOB_ID)
    err = caught.value
    for text in (str(err), repr(err), err.message, err.response_text or "", err.user_message):
        assert_clean(text)


def test_a_firefly_error_echoing_the_bearer_header_is_masked(client, ims):
    ims.get(
        f"{API}/v3/status/{JOB_ID}",
        status=500,
        json={"error_code": "runtime_error", "message": f"header was Bearer {TOKEN}"},
    )
    with pytest.raises(errors.ServerError) as caught:
        client.job_status(JOB_ID)
    assert_clean(str(caught.value) + caught.value.response_text)


def test_debug_logs_hold_no_secrets_and_no_presigned_signatures(client, ims, caplog):
    caplog.set_level(logging.DEBUG)
    ims.get(
        f"{API}/v3/status/{JOB_ID}",
        status=429,
        headers={"retry-after": "1"},
        json={"error_code": "rate_limited"},
    )
    ims.get(
        f"{API}/v3/status/{JOB_ID}",
        json={
            "jobId": JOB_ID,
            "status": "succeeded",
            "result": {"outputs": [{"seed": 1, "image": {"url": OUTPUT_URL}}]},
        },
    )
    ims.post(f"{API}/v3/images/generate-async", status=500, json={"message": SECRET})
    client.job_status(JOB_ID)
    with pytest.raises(errors.ServerError):
        client.submit_generation(GenerateRequest(prompt="kite"))
    assert caplog.records
    assert_clean(caplog.text)
    assert "X-Amz-Signature" not in caplog.text


def test_the_redactor_masks_credential_shapes_it_was_not_told_about():
    redact = Redactor()
    text = redact('{"access_token": "eyJabc.def", "x": 1} Authorization: Bearer abc.def-ghi')
    assert "eyJabc" not in text
    assert "abc.def-ghi" not in text
    assert redact("client_secret=hunter22&scope=x") == "client_secret=***&scope=x"


def test_loggable_urls_drop_the_query_string():
    assert loggable_url(OUTPUT_URL) == (
        "https://pre-signed-firefly-prod.s3-accelerate.amazonaws.com/images/abc?…"
    )


def test_a_client_built_from_env_keeps_the_secret_out_of_its_repr():
    from generation.firefly import FireflyConfig

    cfg = FireflyConfig.from_env({"FIREFLY_CLIENT_ID": "id", "FIREFLY_CLIENT_SECRET": SECRET})
    assert_clean(repr(FireflyClient(cfg)))
    assert cfg.client_secret == SECRET
    assert make_config().client_secret == SECRET
