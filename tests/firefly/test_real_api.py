"""Against Adobe's real Firefly API: opt-in, costs one small generation.

Run with::

    FIREFLY_REALAPI_TESTS=1 FIREFLY_CLIENT_ID=... FIREFLY_CLIENT_SECRET=... \\
        .venv/bin/pytest tests/firefly/test_real_api.py -m realapi

Optional: ``FIREFLY_API_BASE``, ``FIREFLY_IMS_URL``, ``FIREFLY_SCOPES``,
``FIREFLY_REALAPI_MODEL`` (default ``image3``, the cheapest and fastest).
"""

import io
import os

import pytest

from generation.firefly import FireflyClient, FireflyConfig, GenerateRequest, errors

ENABLED = os.environ.get("FIREFLY_REALAPI_TESTS") == "1"
HAVE_CREDENTIALS = bool(
    os.environ.get("FIREFLY_CLIENT_ID") and os.environ.get("FIREFLY_CLIENT_SECRET")
)

pytestmark = [
    pytest.mark.realapi,
    pytest.mark.skipif(not ENABLED, reason="set FIREFLY_REALAPI_TESTS=1 to call Adobe"),
    pytest.mark.skipif(not HAVE_CREDENTIALS, reason="FIREFLY_CLIENT_ID/SECRET are not set"),
]


@pytest.fixture(scope="module")
def real_client():
    with FireflyClient(FireflyConfig.from_env()) as client:
        yield client


def test_it_lists_the_custom_models_shared_with_the_credential(real_client):
    models = real_client.list_custom_models(published_state="all")
    for model in models:
        assert model.asset_id
        assert real_client.get_custom_model(model.asset_id).asset_id == model.asset_id


def test_an_unknown_job_id_is_a_typed_error(real_client):
    with pytest.raises((errors.NotFoundError, errors.RequestValidationError)):
        real_client.job_status("urn:ff:jobs:unknown:00000000-0000-0000-0000-000000000000")


def test_it_generates_polls_and_downloads_one_small_image(real_client):
    version = os.environ.get("FIREFLY_REALAPI_MODEL", "image3")
    width, height = (1024, 1024) if version == "image3" else (2048, 2048)
    request = GenerateRequest(
        prompt="a small red paper kite on a plain white background",
        model_version=version,
        num_variations=1,
        width=width,
        height=height,
        content_class="art",
    )
    job = real_client.submit_generation(request)
    assert job.job_id.startswith("urn:ff:jobs:")
    status = real_client.wait_for_job(job, timeout=300, poll_interval=3)
    status.raise_for_status()
    assert status.size == (width, height)
    dest = io.BytesIO()
    result = real_client.download_output(status.outputs[0].url, dest)
    assert result.content_type in ("image/jpeg", "image/png", "image/webp")
    assert result.bytes_written == len(dest.getvalue()) > 1000
